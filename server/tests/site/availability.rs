//! Can I borrow it? A book's page leads with the answer; lists show it too.

use crate::{
    browsing::get,
    support::{bare_client, spawn_app, SMALL_CATALOG},
};

/// The small catalog with book 1's copies due back on `due` (both on loan)
/// and book 2 without copies.
fn catalog_with(due: [&str; 2]) -> String {
    let mut catalog: serde_json::Value = serde_json::from_str(SMALL_CATALOG).unwrap();
    let copies = catalog["book_instances"].as_array_mut().unwrap();
    copies.retain(|copy| copy["book_id"] != 2);
    let mut dates = due.iter();
    for copy in copies.iter_mut().filter(|copy| copy["book_id"] == 1) {
        assert_eq!(copy["status"], "o");
        copy["due_back"] = (*dates.next().unwrap()).into();
    }
    catalog.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_page_leads_with_whether_a_copy_can_be_borrowed() {
    let app = spawn_app().await;
    let client = bare_client();

    // Book 6: three copies available, two on loan; available ones first.
    let page = get(&app, &client, "/books/6").await;
    let text = &page.text;
    assert!(text.contains("3 of 5 copies available"), "{text}");
    let copies = text.split("Copies ").nth(1).unwrap();
    assert!(
        copies.starts_with("Available") && copies.matches("Available").count() == 3,
        "{copies}"
    );
    assert!(
        copies.rfind("Available").unwrap() < copies.find("On loan").unwrap(),
        "{copies}"
    );
    assert!(!text.contains("Earliest due back"), "{text}");

    // Book 1: both copies on loan, both long overdue.
    let page = get(&app, &client, "/books/1").await;
    assert!(
        page.text.contains(
            "None of the library's 2 copies is available Earliest due back: 8 Dec 2024 Overdue"
        ),
        "{}",
        page.text
    );
    assert_eq!(
        page.html.matches("badge status-overdue").count(),
        3,
        "summary and both copies"
    );

    // Book 5: two copies reserved, their dates past: not overdue (a
    // reservation cannot be late), and reserved is not on loan.
    let page = get(&app, &client, "/books/5").await;
    assert!(!page.text.contains("Overdue"), "{}", page.text);
    assert!(page.html.contains("badge status-reserved"));
    assert!(!page.html.contains("badge status-on-loan"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_date_still_ahead_is_not_overdue_and_a_book_may_have_no_copy() {
    let app = spawn_app().await;
    let output = app.replace_catalog_json("due.json", &catalog_with(["2999-06-01", "2999-05-01"]));
    assert!(output.status.success(), "{output:?}");
    let client = bare_client();

    let page = get(&app, &client, "/books/1").await;
    assert!(
        page.text.contains("Earliest due back: 1 May 2999"),
        "the soonest of the two: {}",
        page.text
    );
    assert!(!page.text.contains("Overdue"), "{}", page.text);
    let copies = page.text.split("Copies ").nth(1).unwrap();
    assert!(
        copies.find("1 May 2999").unwrap() < copies.find("1 Jun 2999").unwrap(),
        "the copy back first is listed first: {copies}"
    );

    let page = get(&app, &client, "/books/2").await;
    assert!(
        page.text.contains("The library has no copies of this book"),
        "{}",
        page.text
    );
    let list = get(&app, &client, "/books?q=war").await;
    assert!(
        list.items.iter().any(|item| item.ends_with("No copies")),
        "{:?}",
        list.items
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_are_listed_with_their_life_dates_and_number_of_books() {
    let app = spawn_app().await;
    let page = get(&app, &bare_client(), "/authors").await;
    assert!(
        page.items
            .contains(&"García Márquez, Gabriel 6 Mar 1927 – 17 Apr 2014 2 books".to_string()),
        "{:?}",
        page.items
    );
    assert!(
        page.items
            .contains(&"Ellison, Alice 27 Nov 1835 – 5 Mar 1924 1 book".to_string()),
        "{:?}",
        page.items
    );
    assert!(
        page.items.contains(&"曹, 雪芹 2 books".to_string()),
        "no dates known: {:?}",
        page.items
    );
}
