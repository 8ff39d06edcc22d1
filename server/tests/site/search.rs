//! Finding books: every word on its own, in any order, any case, with or
//! without accents, in the title or the author's names; best matches first.

use crate::{
    browsing::get,
    support::{bare_client, isbn, spawn_app, SMALL_CATALOG},
};

fn path(term: &str) -> String {
    format!("/books?q={}", app::pages::books::urlencode(term))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_word_matches_on_its_own_in_any_order_case_and_accent() {
    let app = spawn_app().await;
    let client = bare_client();
    let zimmermann = [
        "Beatrix's Clockmaker",
        "Beyond the Paper Garden",
        "Notes from the Compass",
        "The Island of Fenwick",
    ];
    for term in [
        "zimmermann farid",
        "Zimmermann, Farid",
        "farid zimmermann",
        "FARID ZIMM",
    ] {
        let page = get(&app, &client, &path(term)).await;
        assert_eq!(page.status, 200, "{term}");
        assert_eq!(page.titles, zimmermann, "{term}");
        assert!(page.text.contains("4 books match"), "{term}: {}", page.text);
    }
    for (term, finds) in [
        ("cartographer harbour", "The Cartographer and the Harbour"),
        ("harbour cartographer", "The Cartographer and the Harbour"),
        ("cartographer thiong", "The Cartographer and the Harbour"),
        ("garcia", "Cien años de soledad"),
        ("GARCÍA marquez", "Cien años de soledad"),
        ("anos", "Cien años de soledad"),
        ("AÑOS", "Cien años de soledad"),
        ("war peace", "Война и мир (War & Peace)"),
        ("ВОЙНА", "Война и мир (War & Peace)"),
        ("толстой", "Война и мир (War & Peace)"),
        ("红楼", "红楼梦"),
        ("<big>", "Tom & Jerry's <Big> Adventure"),
        ("o'connor", "A Good Man Is Hard to Find & Other Stories"),
    ] {
        let page = get(&app, &client, &path(term)).await;
        assert_eq!(page.status, 200, "{term}");
        assert!(
            page.titles.contains(&finds.to_string()),
            "{term}: {:?}",
            page.titles
        );
    }
    // Every word must match: a word of neither title nor author rules out.
    let page = get(&app, &client, &path("cartographer zebra")).await;
    assert!(page.titles.is_empty(), "{:?}", page.titles);
    // Query syntax is taken as words.
    for term in [
        "\"paper",
        "paper*",
        "paper OR zebra",
        "NEAR(paper garden)",
        "title:paper",
    ] {
        let page = get(&app, &client, &path(term)).await;
        assert_eq!(page.status, 200, "{term}: {}", page.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_word_in_the_title_comes_before_words_spread_over_title_and_author() {
    let app = spawn_app().await;
    // Nell Schmidt becomes "Harbour Aaronson": her "A Garden for Dmitri"
    // matches "harbour" by its author, and sorts first by title.
    let mut catalog: serde_json::Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    catalog["authors"][8]["first_name"] = "Harbour".into();
    catalog["authors"][8]["last_name"] = "Aaronson".into();
    let output = app.load_catalog_json("harbour.json", &catalog.to_string());
    assert!(output.status.success(), "{output:?}");
    let page = get(&app, &bare_client(), &path("harbour")).await;
    assert_eq!(
        page.titles,
        [
            "Quinn's Harbour",
            "The Cartographer and the Harbour",
            "A Garden for Dmitri"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_result_says_so_and_offers_all_books_without_a_pager() {
    let app = spawn_app().await;
    for term in ["zzzz", "&&"] {
        let page = get(&app, &bare_client(), &path(term)).await;
        assert_eq!(page.status, 200);
        assert!(
            page.text.contains(&format!("No books match “{term}”.")),
            "{}",
            page.text
        );
        assert_eq!(
            links_to(&page.html, "/books"),
            ["Show all books"],
            "{}",
            page.html
        );
        assert!(page.items.is_empty());
        assert!(!page.html.contains(r#"class="pager""#), "no pager");
        assert!(
            !page.html.contains(r#"class="per-page""#),
            "no results-per-page form"
        );
        assert!(
            page.html.contains(&format!(
                "<title>Books matching “{}” — LocalLibrary</title>",
                term.replace('&', "&amp;")
            )),
            "the term in the tab title: {}",
            page.html
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_is_kept_while_paging_and_its_page_is_in_the_title() {
    let app = spawn_app().await;
    // Fifteen books with "voyage" in their title.
    let mut catalog: serde_json::Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    for (n, book) in catalog["books"].as_array_mut().unwrap()[5..]
        .iter_mut()
        .enumerate()
    {
        book["title"] = format!("Voyage {:02}", n + 1).into();
    }
    let output = app.load_catalog_json("voyages.json", &catalog.to_string());
    assert!(output.status.success(), "{output:?}");
    let client = bare_client();

    let first = get(&app, &client, "/books?q=voyage").await;
    assert!(first.text.contains("15 books match"), "{}", first.text);
    assert!(first.text.contains("Page 1 of 2"), "{}", first.text);
    assert!(
        first.html.contains(r#"href="/books?q=voyage&amp;page=2""#),
        "the term is kept"
    );
    assert!(first
        .html
        .contains("<title>Books matching “voyage” (page 1 of 2) — LocalLibrary</title>"));
    assert!(
        first.html.contains(r#"value="voyage""#),
        "the header's box holds the term"
    );

    let second = get(&app, &client, "/books?q=voyage&page=2").await;
    assert_eq!(second.status, 200);
    assert_eq!(
        second.titles,
        [
            "Voyage 11",
            "Voyage 12",
            "Voyage 13",
            "Voyage 14",
            "Voyage 15"
        ]
    );
    assert!(second
        .html
        .contains("<title>Books matching “voyage” (page 2 of 2) — LocalLibrary</title>"));
    assert_eq!(
        get(&app, &client, "/books?q=voyage&page=3").await.status,
        404
    );
}

/// An edit of the catalog, as the site's own edits make them: the change,
/// and a new catalog version (which retires kept pages).
async fn edit(app: &crate::support::TestApp, sql: &str) {
    app.execute(sql).await;
    app.execute("UPDATE catalog_counts SET version = version + 1")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_author_is_found_by_the_new_name_at_once() {
    let app = spawn_app().await;
    let client = bare_client();
    assert_eq!(
        get(&app, &client, &path("ellison")).await.titles,
        ["The Secret Voyage"]
    );
    edit(
        &app,
        "UPDATE author SET last_name = 'Fairweather' WHERE id = 6",
    )
    .await;
    assert!(get(&app, &client, &path("ellison")).await.titles.is_empty());
    assert_eq!(
        get(&app, &client, &path("fairweather alice")).await.titles,
        ["The Secret Voyage"]
    );
    edit(
        &app,
        "UPDATE book SET title = 'The Open Voyage' WHERE id = 17",
    )
    .await;
    assert_eq!(
        get(&app, &client, &path("open fairweather")).await.titles,
        ["The Open Voyage"]
    );
    edit(&app, "DELETE FROM author WHERE id = 6").await;
    assert!(get(&app, &client, &path("fairweather"))
        .await
        .titles
        .is_empty());
    assert_eq!(
        get(&app, &client, &path("open voyage")).await.titles,
        ["The Open Voyage"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_matching_thousands_pages_through_them_in_order() {
    let app = spawn_app().await;
    // 1,203 books with "voyage" in the title, and 5 by an author named
    // Voyage: more matches than are sorted whole (the list is walked in
    // order instead), and a group of few after them.
    let mut catalog: serde_json::Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    catalog["authors"][9]["first_name"] = "Voyage".into();
    let mut books = Vec::new();
    for n in 1..=1203u32 {
        books.push(serde_json::json!({
            "id": n, "title": format!("Voyage {n:04}"), "author_id": 1,
            "summary": "At sea.", "isbn": isbn(n), "language_id": 1, "genre_ids": [1]
        }));
    }
    for n in 1..=5u32 {
        books.push(serde_json::json!({
            "id": 2000 + n, "title": format!("Tale {n}"), "author_id": 10,
            "summary": "Ashore.", "isbn": isbn(2000 + n), "language_id": 1, "genre_ids": []
        }));
    }
    catalog["books"] = books.into();
    catalog["book_instances"] = serde_json::json!([]);
    let output = app.replace_catalog_json("voyages.json", &catalog.to_string());
    assert!(output.status.success(), "{output:?}");
    let client = bare_client();

    let first = get(&app, &client, "/books?q=voyage").await;
    assert!(first.text.contains("1208 books match"), "{}", first.text);
    assert!(first.text.contains("Page 1 of 121"), "{}", first.text);
    let expected: Vec<String> = (1..=10).map(|n| format!("Voyage {n:04}")).collect();
    assert_eq!(first.titles, expected);
    let deep = get(&app, &client, "/books?q=voyage&page=77").await;
    let expected: Vec<String> = (761..=770).map(|n| format!("Voyage {n:04}")).collect();
    assert_eq!(deep.titles, expected);
    let last_full = get(&app, &client, "/books?q=voyage&page=120").await;
    let expected: Vec<String> = (1191..=1200).map(|n| format!("Voyage {n:04}")).collect();
    assert_eq!(last_full.titles, expected);
    // The last page holds the end of one group and the other.
    let seam = get(&app, &client, "/books?q=voyage&page=121").await;
    assert_eq!(
        seam.titles,
        [
            "Voyage 1201",
            "Voyage 1202",
            "Voyage 1203",
            "Tale 1",
            "Tale 2",
            "Tale 3",
            "Tale 4",
            "Tale 5"
        ]
    );
    assert_eq!(
        get(&app, &client, "/books?q=voyage&page=122").await.status,
        404
    );
}

/// The texts of the links in `<main>` to `href`.
fn links_to(html: &str, href: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(&format!(r#"main a[href="{href}"]"#)).unwrap();
    document
        .select(&selector)
        .map(|link| link.text().collect::<String>())
        .collect()
}
