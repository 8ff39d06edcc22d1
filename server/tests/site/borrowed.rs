//! The pages of loans and who may see them: a member's borrowed books,
//! every loan for librarians, and renewing (the reference tutorial's view
//! tests, and the access rules around them).

use reqwest::StatusCode;

use crate::support::{browser, header_text, main_text, spawn_app, text_of, TestApp};

/// The ids of the first `n` available copies.
async fn available_copies(app: &TestApp, n: usize) -> Vec<String> {
    let db = app.db().await;
    let ids: Vec<String> = app::on_reader!(&db, |conn| {
        sqlx::query_scalar("SELECT id FROM book_instance WHERE status = 'a' ORDER BY id LIMIT $1")
            .bind(n as i64)
            .fetch_all(conn)
            .await
    })
    .unwrap();
    assert_eq!(ids.len(), n, "the small catalog has {n} copies available");
    ids
}

fn in_days(days: i64) -> time::Date {
    app::dates::today() + time::Duration::days(days)
}

fn iso(date: time::Date) -> String {
    app::dates::iso_date(date)
}

/// Lends `copy` to `username`, due in `days`.
async fn lend(app: &TestApp, copy: &str, username: &str, days: i64) {
    let actor = app::history::Actor::Command("test");
    app::loans::lend(&app.db().await, &actor, copy, username, Some(in_days(days)))
        .await
        .expect("lent");
}

/// The due dates a list of loans shows, as the links to the books' pages
/// it lists (in order).
fn listed_books(html: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let links = scraper::Selector::parse("ul.loans a.item-title").unwrap();
    document
        .select(&links)
        .map(|link| link.value().attr("href").unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_signed_in_is_sent_to_sign_in_first_even_for_a_missing_copy() {
    let app = spawn_app().await;
    for (path, next) in [
        ("/loans/mine", "/loans/mine"),
        ("/loans", "/loans"),
        ("/loans?page=2", "/loans%3Fpage%3D2"),
        ("/copies/no-such-copy/renew", "/copies/no-such-copy/renew"),
    ] {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(
            response.headers()["location"],
            format!("/accounts/login?next={next}"),
            "{path}"
        );
    }
    // A form posted by nobody does nothing and is sent the same way.
    let response = app
        .post_form(
            &browser(),
            "/copies/no-such-copy/renew",
            &[("renewal_date", "2030-01-01")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sees_only_their_own_loans_soonest_due_first_ten_a_page() {
    let app = spawn_app().await;
    let (alice, _) = app.member_and_librarian().await;
    app.add_user("bob", "battery staple", false).await;

    let (status, html) = app.page(&alice, "/loans/mine").await;
    assert_eq!(status, 200);
    assert_eq!(
        main_text(&html),
        "Borrowed books There are no books borrowed."
    );

    let copies = available_copies(&app, 15).await;
    // Alice's twelve, due in 20, 19, … 9 days; bob's three.
    for (i, copy) in copies[..12].iter().enumerate() {
        lend(&app, copy, "alice", 20 - i as i64).await;
    }
    for copy in &copies[12..] {
        lend(&app, copy, "bob", 1).await;
    }
    let (status, first) = app.page(&alice, "/loans/mine").await;
    assert_eq!(status, 200);
    let (_, second) = app.page(&alice, "/loans/mine?page=2").await;
    let mut shown = listed_books(&first);
    assert_eq!(shown.len(), 10, "ten a page");
    assert!(main_text(&first).contains("Page 1 of 2"), "{first}");
    shown.extend(listed_books(&second));
    assert_eq!(shown.len(), 12);

    // Soonest due first: the copies in the reverse of the order lent.
    let db = app.db().await;
    let mut expected = Vec::new();
    for copy in copies[..12].iter().rev() {
        let book: i64 = app::on_reader!(&db, |conn| {
            sqlx::query_scalar("SELECT book_id FROM book_instance WHERE id = $1")
                .bind(copy)
                .fetch_one(conn)
                .await
        })
        .unwrap();
        expected.push(format!("/books/{book}"));
    }
    assert_eq!(shown, expected);
    let text = main_text(&first);
    let due = app::language::human_date(app::language::Locale::en, &iso(in_days(9)));
    assert!(text.contains(&format!("Due back {due}")), "{text}");
    assert!(!text.contains("Overdue"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_loan_is_marked_in_words_and_in_red() {
    let app = spawn_app().await;
    let (alice, _) = app.member_and_librarian().await;
    let copies = available_copies(&app, 2).await;
    lend(&app, &copies[0], "alice", 5).await;
    lend(&app, &copies[1], "alice", 5).await;
    app.execute(&format!(
        "UPDATE book_instance SET due_back = '{}' WHERE id = '{}'",
        iso(in_days(-3)),
        copies[1]
    ))
    .await;
    let (_, html) = app.page(&alice, "/loans/mine").await;
    let late = text_of(&html, "li.loan.overdue");
    assert!(late.contains("Overdue"), "{html}");
    assert_eq!(text_of(&html, "li.loan:not(.overdue) .status-overdue"), "");
    assert_eq!(listed_books(&html).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_loan_with_its_borrower_is_for_librarians_only() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let copies = available_copies(&app, 2).await;
    lend(&app, &copies[0], "alice", 7).await;

    // A member: the 403 page, in the site's layout, with their name.
    let (status, html) = app.page(&alice, "/loans").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(main_text(&html).starts_with("Forbidden"), "{html}");
    assert!(header_text(&html).contains("User: alice"), "{html}");

    let (status, html) = app.page(&libby, "/loans").await;
    assert_eq!(status, 200);
    let text = main_text(&html);
    assert!(text.starts_with("All Borrowed Books"), "{text}");
    // The small catalog's 17 copies out, then alice's, due last.
    assert_eq!(listed_books(&html).len(), 10);
    let (_, html) = app.page(&libby, "/loans?page=2").await;
    assert_eq!(listed_books(&html).len(), 8);
    let text = main_text(&html);
    assert!(text.contains("Borrower: alice"), "{text}");
    assert!(
        html.contains(&format!(r#"href="/copies/{}/renew""#, copies[0])),
        "{html}"
    );
    // The small catalog's copies out on loan have no borrower recorded.
    assert!(text.contains("Borrower: not recorded"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewing_is_for_librarians_on_any_copy_on_loan() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    app.add_user("bob", "battery staple", false).await;
    let copies = available_copies(&app, 2).await;
    lend(&app, &copies[0], "alice", 7).await;
    lend(&app, &copies[1], "bob", 7).await;
    let renew = |copy: &str| format!("/copies/{copy}/renew");

    // A member, even the borrower: 403, and a post changes nothing.
    let (status, _) = app.page(&alice, &renew(&copies[0])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = app
        .post_form(
            &alice,
            &renew(&copies[0]),
            &[("renewal_date", &iso(in_days(10)))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let due: String = app
        .scalar(&format!(
            "SELECT due_back FROM book_instance WHERE id = '{}'",
            copies[0]
        ))
        .await;
    assert_eq!(due, iso(in_days(7)));

    // A librarian, on anyone's copy: the form, three weeks ahead by default.
    for copy in &copies {
        let (status, html) = app.page(&libby, &renew(copy)).await;
        assert_eq!(status, 200, "{copy}");
        assert!(main_text(&html).starts_with("Renew: "), "{html}");
        assert!(
            html.contains(&format!(r#"value="{}""#, iso(in_days(21)))),
            "{html}"
        );
        assert!(
            main_text(&html).contains("Enter a date between now and 4 weeks (default 3)."),
            "{html}"
        );
    }
    let (_, html) = app.page(&libby, &renew(&copies[1])).await;
    assert!(main_text(&html).contains("Borrower bob"), "{html}");

    // An unknown copy, or one not on loan: 404.
    let (status, _) = app.page(&libby, &renew("no-such-copy")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let available: String = app
        .scalar("SELECT id FROM book_instance WHERE status = 'a' ORDER BY id LIMIT 1")
        .await;
    let (status, _) = app.page(&libby, &renew(&available)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_date_from_today_to_four_weeks_ahead_is_kept_and_others_are_said_wrong() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;
    let copy = available_copies(&app, 1).await.remove(0);
    lend(&app, &copy, "alice", 7).await;
    let path = format!("/copies/{copy}/renew");
    let due = || async {
        let due: String = app
            .scalar(&format!(
                "SELECT due_back FROM book_instance WHERE id = '{copy}'"
            ))
            .await;
        due
    };

    for (date, problem) in [
        (iso(in_days(-1)), "Invalid date - renewal in past"),
        (
            iso(in_days(29)),
            "Invalid date - renewal more than 4 weeks ahead",
        ),
        ("31/12/2030".to_string(), "Enter a valid date."),
        (String::new(), "This field is required."),
    ] {
        let response = app
            .post_form(&libby, &path, &[("renewal_date", &date)])
            .await;
        assert_eq!(response.status(), 200, "{date}");
        let html = response.text().await.unwrap();
        assert_eq!(
            text_of(&html, "#field-renewal_date-problems"),
            problem,
            "{date}"
        );
        assert!(html.contains(&format!(r#"value="{date}""#)), "{html}");
        assert_eq!(due().await, iso(in_days(7)), "unchanged by {date}");
    }
    for days in [0, 28] {
        let response = app
            .post_form(&libby, &path, &[("renewal_date", &iso(in_days(days)))])
            .await;
        assert_eq!(response.status(), StatusCode::FOUND, "{days}");
        // On to the page of every loan that shows it.
        let location = response.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/loans"), "{location}");
        let (_, html) = app.page(&libby, location).await;
        let book = format!("/books/{}", book_of(&app, &copy).await);
        assert!(listed_books(&html).contains(&book), "{days}: {html}");
        assert_eq!(due().await, iso(in_days(days)));
    }
    // The book's page shows the new date at once.
    let book: i64 = app
        .scalar(&format!(
            "SELECT book_id FROM book_instance WHERE id = '{copy}'"
        ))
        .await;
    let (_, html) = app.page(&browser(), &format!("/books/{book}")).await;
    let shown = app::language::human_date(app::language::Locale::en, &iso(in_days(28)));
    assert!(main_text(&html).contains(&shown), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewed_loan_stays_in_view_on_the_page_it_moved_to() {
    let app = spawn_app().await;
    let (_, libby) = app.member_and_librarian().await;
    // Only these twelve loans, due in 1 to 12 days: the first page shows ten.
    app.execute(
        "UPDATE book_instance SET status = 'a', due_back = NULL, borrower_id = NULL
         WHERE status = 'o'",
    )
    .await;
    let copies = available_copies(&app, 12).await;
    for (days, copy) in (1..).zip(&copies) {
        lend(&app, copy, "alice", days).await;
    }
    let soonest = &copies[0];
    let book = format!("/books/{}", book_of(&app, soonest).await);
    // Renewed to be due last: it moves to the second page, and the
    // librarian is taken there.
    let path = format!("/copies/{soonest}/renew");
    let response = app
        .post_form(&libby, &path, &[("renewal_date", &iso(in_days(20)))])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/loans?page=2");
    let (_, html) = app.page(&libby, "/loans?page=2").await;
    assert!(listed_books(&html).contains(&book), "{html}");
    assert!(main_text(&html).contains("Renewed"), "{html}");
    // Renewed to be due first again: back on the first page.
    let response = app
        .post_form(&libby, &path, &[("renewal_date", &iso(in_days(0)))])
        .await;
    assert_eq!(response.headers()["location"], "/loans");
    let (_, html) = app.page(&libby, "/loans").await;
    assert_eq!(listed_books(&html)[0], book, "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_members_loans_never_show_in_anothers_pages() {
    let app = spawn_app().await;
    let (alice, _) = app.member_and_librarian().await;
    app.add_user("bob", "battery staple", false).await;
    let bob = browser();
    app.sign_in(&bob, "bob", "battery staple").await;
    let copies = available_copies(&app, 2).await;
    lend(&app, &copies[0], "alice", 7).await;
    let app = &app;
    let views = (0..20).map(|round| {
        let (client, own) = if round % 2 == 0 {
            (&alice, 1)
        } else {
            (&bob, 0)
        };
        async move {
            let (status, html) = app.page(client, "/loans/mine").await;
            assert_eq!(status, 200);
            assert_eq!(listed_books(&html).len(), own, "{html}");
        }
    });
    futures::future::join_all(views).await;
}

async fn book_of(app: &TestApp, copy: &str) -> i64 {
    app.scalar(&format!(
        "SELECT book_id FROM book_instance WHERE id = '{copy}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_librarian_lends_and_takes_back_from_the_books_page() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let copy = available_copies(&app, 1).await.remove(0);
    let book = book_of(&app, &copy).await;
    let book_page = format!("/books/{book}");
    let lend_path = format!("/copies/{copy}/lend");
    let return_path = format!("/copies/{copy}/return");

    // Only a librarian's page of the book has the controls.
    let (_, html) = app.page(&libby, &book_page).await;
    assert!(html.contains(&format!(r#"href="{lend_path}""#)), "{html}");
    for client in [&alice, &browser()] {
        let (_, html) = app.page(client, &book_page).await;
        assert!(
            !html.contains(&lend_path) && !html.contains("Mark returned"),
            "{html}"
        );
    }

    let (status, html) = app.page(&libby, &lend_path).await;
    assert_eq!(status, 200);
    assert!(main_text(&html).starts_with("Lend: "), "{html}");
    assert!(
        html.contains(&format!(r#"value="{}""#, iso(in_days(21)))),
        "{html}"
    );

    let before = app.copies_available().await;
    let response = app
        .post_form(
            &libby,
            &lend_path,
            &[("username", "alice"), ("due_back", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], book_page.as_str());
    assert_eq!(app.copies_available().await, before - 1);
    let (_, mine) = app.page(&alice, "/loans/mine").await;
    assert_eq!(listed_books(&mine), std::slice::from_ref(&book_page));
    let due = app::language::human_date(app::language::Locale::en, &iso(in_days(21)));
    assert!(main_text(&mine).contains(&due), "{mine}");

    // The book's page, to the librarian: who has it, and the button.
    let (_, html) = app.page(&libby, &book_page).await;
    let text = main_text(&html);
    assert!(
        text.contains("Borrower: alice") && text.contains("Mark returned"),
        "{text}"
    );
    let (_, html) = app.page(&alice, &book_page).await;
    assert!(!main_text(&html).contains("Borrower"), "{html}");

    // Lent already: said so on the form, nothing changed.
    let response = app
        .post_form(
            &libby,
            &lend_path,
            &[("username", "libby"), ("due_back", "")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        main_text(&html).contains("This copy cannot be lent: it is on loan, not available."),
        "{html}"
    );

    let response = app.post_form(&libby, &return_path, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], book_page.as_str());
    assert_eq!(app.copies_available().await, before);
    let (_, mine) = app.page(&alice, "/loans/mine").await;
    assert!(main_text(&mine).contains("There are no books borrowed."));
    // Returned already.
    let response = app.post_form(&libby, &return_path, &[]).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        main_text(&html).contains("cannot be marked returned: it is available, not on loan"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loan_to_nobody_or_in_the_past_is_said_wrong_and_made_by_librarians_only() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let copy = available_copies(&app, 1).await.remove(0);
    let lend_path = format!("/copies/{copy}/lend");
    let status = || async {
        let status: String = app
            .scalar(&format!(
                "SELECT status FROM book_instance WHERE id = '{copy}'"
            ))
            .await;
        status
    };
    for (username, due, field, problem) in [
        (
            "nobody",
            String::new(),
            "username",
            "There is no member with this username.",
        ),
        ("", String::new(), "username", "This field is required."),
        (
            "alice",
            iso(in_days(-1)),
            "due_back",
            "The due date cannot be in the past.",
        ),
        (
            "alice",
            "tomorrow".to_string(),
            "due_back",
            "Enter a valid date.",
        ),
        (
            "alice",
            iso(in_days(29)),
            "due_back",
            "The due date cannot be more than 4 weeks ahead.",
        ),
        (
            "alice",
            "9999-12-31".to_string(),
            "due_back",
            "The due date cannot be more than 4 weeks ahead.",
        ),
    ] {
        let response = app
            .post_form(
                &libby,
                &lend_path,
                &[("username", username), ("due_back", &due)],
            )
            .await;
        assert_eq!(response.status(), 200, "{username} {due}");
        let html = response.text().await.unwrap();
        assert_eq!(
            text_of(&html, &format!("#field-{field}-problems")),
            problem,
            "{username} {due}"
        );
        assert_eq!(status().await, "a");
    }

    // A member may not lend (403), nobody is sent to sign in, and an
    // unknown copy is a 404 for a librarian.
    let response = app
        .post_form(&alice, &lend_path, &[("username", "alice")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .post_form(&browser(), &lend_path, &[("username", "alice")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(status().await, "a");
    for path in ["/copies/nope/lend", "/copies/nope/return"] {
        let (status, _) = app.page(&libby, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let response = app.post_form(&libby, path, &[("username", "alice")]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// Twenty librarians' posts of one form for one copy at once: the statuses
/// they were answered, and the pages of those that were not redirected.
async fn all_at_once(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (usize, Vec<String>) {
    let librarians = (0..4).map(|_| browser()).collect::<Vec<_>>();
    for librarian in &librarians {
        app.sign_in(librarian, "libby", "shelves and stacks").await;
    }
    let posts = (0..20).map(|i| app.post_form(&librarians[i % 4], path, fields));
    let mut done = 0;
    let mut refused = Vec::new();
    for response in futures::future::join_all(posts).await {
        match response.status() {
            StatusCode::FOUND => done += 1,
            StatusCode::OK => refused.push(main_text(&response.text().await.unwrap())),
            status => panic!("{path}: {status}: {}", response.text().await.unwrap()),
        }
    }
    (done, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_copy_lent_or_returned_twenty_times_at_once_is_so_once_and_the_counts_stay_true() {
    let app = spawn_app().await;
    let _ = app.member_and_librarian().await;
    let copy = available_copies(&app, 1).await.remove(0);
    let truly_available =
        || app.scalar::<i64>("SELECT COUNT(*) FROM book_instance WHERE status = 'a'");
    let before = app.copies_available().await;
    assert_eq!(before as i64, truly_available().await);

    let lend = format!("/copies/{copy}/lend");
    let (lent, refused) =
        all_at_once(&app, &lend, &[("username", "alice"), ("due_back", "")]).await;
    assert_eq!(lent, 1, "lends said done: {refused:?}");
    for page in &refused {
        assert!(
            page.contains("This copy cannot be lent: it is on loan, not available."),
            "{page}"
        );
    }
    let loans: i64 = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM book_instance WHERE id = '{copy}' AND status = 'o'"
        ))
        .await;
    assert_eq!(loans, 1);
    assert_eq!(app.copies_available().await, before - 1);
    assert_eq!(truly_available().await, before as i64 - 1);
    let records = format!("SELECT COUNT(*) FROM loan WHERE copy_id = '{copy}'");
    assert_eq!(app.scalar::<i64>(&records).await, 1, "one loan recorded");

    let back = format!("/copies/{copy}/return");
    let (returned, refused) = all_at_once(&app, &back, &[]).await;
    assert_eq!(returned, 1, "returns said done: {refused:?}");
    for page in &refused {
        assert!(
            page.contains("cannot be marked returned: it is available, not on loan"),
            "{page}"
        );
    }
    assert_eq!(app.copies_available().await, before);
    assert_eq!(truly_available().await, before as i64);
    let ended =
        format!("SELECT COUNT(*) FROM loan WHERE copy_id = '{copy}' AND ending = 'returned'");
    assert_eq!(app.scalar::<i64>(&records).await, 1, "no second record");
    assert_eq!(app.scalar::<i64>(&ended).await, 1, "ended once");
}
