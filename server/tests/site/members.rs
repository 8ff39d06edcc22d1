//! Librarians find members, add one (who chooses a password through the
//! mailed link), see their loans, and make them inactive or active,
//! librarian or not; never their own account.

use reqwest::StatusCode;

use crate::{
    passwords::{can_sign_in, link_in, outbox, set_new},
    support::{browser, main_text, spawn_app, text_of},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarians_find_members_by_name_or_address() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    app.add_user("bob", "correct horse", false).await;
    let (status, _) = app.page(&alice, "/members").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, html) = app.page(&libby, "/members").await;
    assert_eq!(status, 200);
    let names = text_of(&html, "ul.item-list a.item-title");
    assert_eq!(names, "alice bob libby");
    assert!(
        text_of(&html, "ul.item-list").contains("Librarian"),
        "{html}"
    );
    let (_, html) = app.page(&libby, "/members?q=ALI").await;
    assert_eq!(text_of(&html, "ul.item-list a.item-title"), "alice");
    let (_, html) = app.page(&libby, "/members?q=bob%40example").await;
    assert_eq!(text_of(&html, "ul.item-list a.item-title"), "bob");
    let (_, html) = app.page(&libby, "/members?q=nobody").await;
    assert!(main_text(&html).contains("No user matches."), "{html}");
    let (status, _) = app.page(&libby, "/members?page=9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.page(&libby, "/members/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_added_by_a_librarian_chooses_their_password_from_the_mail() {
    let app = spawn_app().await;
    let (_alice, libby) = app.member_and_librarian().await;
    // As people read them, these are alice's name: refused.
    for taken in [
        "ALICE",
        "\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}",
        "ali\u{0441}e",
    ] {
        let fields = [("username", taken), ("email", "someone@example.com")];
        let response = app.post_form(&libby, "/members/new", &fields).await;
        assert_eq!(response.status(), 200, "{taken}");
        let html = response.text().await.unwrap();
        assert!(
            !text_of(&html, "#field-username-problems").is_empty(),
            "{taken}: {html}"
        );
    }
    for (fields, field) in [
        (
            [("username", "newbie"), ("email", "not an address")],
            "email",
        ),
        (
            [("username", "new\u{0}bie"), ("email", "newbie@example.com")],
            "username",
        ),
        (
            [("username", ""), ("email", "newbie@example.com")],
            "username",
        ),
    ] {
        let response = app.post_form(&libby, "/members/new", &fields).await;
        assert_eq!(response.status(), 200, "{field}");
        let html = response.text().await.unwrap();
        assert!(
            !text_of(&html, &format!("#field-{field}-problems")).is_empty(),
            "{html}"
        );
    }
    let users: i64 = app.scalar("SELECT COUNT(*) FROM account").await;
    assert_eq!(users, 2, "nothing stored");

    // The list as it was, seen first: the new member is in it at once after.
    let (_, before) = app.page(&libby, "/members").await;
    assert!(!before.contains("newbie"), "{before}");
    let fields = [("username", "newbie"), ("email", "newbie@example.com")];
    let response = app.post_form(&libby, "/members/new", &fields).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&libby, &location).await;
    assert_eq!(
        text_of(&html, ".message"),
        "Added newbie: a link to choose a password was mailed to newbie@example.com."
    );
    let text = main_text(&html);
    assert!(
        text.contains("newbie Email address newbie@example.com Joined"),
        "{text}"
    );
    assert!(text.contains("Last signed in never"), "{text}");
    let (to, body) = outbox(&app).await.remove(0);
    assert_eq!(to, "newbie@example.com");
    let response = set_new(
        &app,
        &link_in(&body),
        "a garden of paths",
        "a garden of paths",
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(can_sign_in(&app, "newbie", "a garden of paths").await);
    let (_, list) = app.page(&libby, "/members").await;
    assert!(text_of(&list, "ul.item-list").contains("newbie"), "{list}");
    let (_, page) = app.page(&libby, &location).await;
    assert!(!main_text(&page).contains("Last signed in never"), "{page}");
    let (_, history) = app.page(&libby, &format!("{location}/history")).await;
    assert!(
        main_text(&history).contains("newbie@example.com"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_made_inactive_is_signed_out_at_once_and_a_librarian_never_changes_themselves() {
    let app = spawn_app().await;
    let alice_id = app.add_user("alice", "correct horse", false).await;
    let libby_id = app.add_user("libby", "shelves and stacks", true).await;
    let (alice, libby) = (browser(), browser());
    app.sign_in(&alice, "alice", "correct horse").await;
    app.sign_in(&libby, "libby", "shelves and stacks").await;
    let page = format!("/members/{alice_id}");

    // Her loans, past and present, on her page.
    let copy: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    let lend = [("username", "alice"), ("due_back", "")];
    let response = app
        .post_form(&libby, &format!("/copies/{copy}/lend"), &lend)
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let title: String = app
        .scalar(&format!(
            "SELECT b.title FROM book b JOIN book_instance c ON c.book_id = b.id WHERE c.id = '{copy}'"
        ))
        .await;
    let (status, html) = app.page(&libby, &page).await;
    assert_eq!(status, 200);
    let loans = text_of(&html, "table.member-loans");
    assert!(loans.contains(&title) && loans.contains("out"), "{loans}");

    // Inactive: her next page is anybody's; she cannot sign in again.
    let (status, _) = app.page(&alice, "/loans/mine").await;
    assert_eq!(status, 200);
    let response = app
        .post_form(&libby, &page, &[("change", "deactivate")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (_, html) = app.page(&libby, &page).await;
    assert_eq!(
        text_of(&html, ".message"),
        "alice is inactive and was signed out."
    );
    assert!(main_text(&html).contains("Inactive"), "{html}");
    let response = alice.get(app.url("/loans/mine")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "signed out at once");
    assert!(!can_sign_in(&app, "alice", "correct horse").await);
    let response = app
        .post_form(&libby, &page, &[("change", "activate")])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(can_sign_in(&app, "alice", "correct horse").await);

    // A librarian, then not.
    let response = app.post_form(&libby, &page, &[("change", "grant")]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let librarian: bool = app
        .scalar(&format!(
            "SELECT is_librarian FROM account WHERE id = {alice_id}"
        ))
        .await;
    assert!(librarian);
    let response = app.post_form(&libby, &page, &[("change", "revoke")]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let response = app.post_form(&libby, &page, &[("change", "promote")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Her own account: no buttons, and a post is refused.
    let own = format!("/members/{libby_id}");
    let (_, html) = app.page(&libby, &own).await;
    assert!(
        main_text(&html).contains("You cannot change your own account here."),
        "{html}"
    );
    assert!(!html.contains(r#"name="change""#), "{html}");
    for change in ["deactivate", "revoke"] {
        let response = app.post_form(&libby, &own, &[("change", change)]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let still: bool = app
        .scalar(&format!(
            "SELECT is_active AND is_librarian FROM account WHERE id = {libby_id}"
        ))
        .await;
    assert!(still);
    let (_, history) = app.page(&libby, &format!("{page}/history")).await;
    let history = main_text(&history);
    assert!(history.starts_with("History: alice"), "{history}");
    assert!(history.matches("libby").count() >= 4, "{history}");
}
