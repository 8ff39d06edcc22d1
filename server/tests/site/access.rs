//! Who may see each page, for every page in the one table of addresses
//! (`PAGES`): a page added there is checked here without a line more.
//! Librarians' pages: nobody signed in is sent to sign in (and back), a
//! member is refused (403), a librarian is shown it. Members' pages: nobody
//! is sent to sign in; members and librarians are shown it. The rest:
//! anyone is shown it.

use reqwest::StatusCode;
use server::page_requests::{Route, PAGES};

use crate::support::{browser, spawn_app};

/// The address of `pattern` with each parameter a record that page
/// shows: a copy on loan to renew or take back, one available to lend.
fn address(pattern: &str, lent: &str, available: &str) -> String {
    let copy = if pattern.ends_with("/lend") {
        available
    } else {
        lent
    };
    pattern
        .replace("/copies/{id}", &format!("/copies/{copy}"))
        .replace("{id}", "1")
        .replace("{token}", "no-such-token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_shown_to_whom_its_rule_says_and_no_one_else() {
    let app = spawn_app().await;
    let (alice, libby) = app.member_and_librarian().await;
    let available: String = app
        .scalar("SELECT MIN(id) FROM book_instance WHERE status = 'a'")
        .await;
    let lent: String = app
        .scalar("SELECT MAX(id) FROM book_instance WHERE status = 'a'")
        .await;
    assert!(app.command(&["lend", &lent, "alice"]).status.success());

    let mut checked = 0;
    for &(pattern, route) in PAGES {
        let path = address(pattern, &lent, &available);
        let url = app.url(&path);
        let status = |client: &reqwest::Client| {
            let request = client.get(&url).send();
            async move {
                let response = request.await.expect("the page answers");
                (
                    response.status(),
                    response.headers().get("location").cloned(),
                )
            }
        };
        let nobody = browser();
        match route {
            Route::Librarian | Route::People | Route::Member => {
                let (nobody, location) = status(&nobody).await;
                assert_eq!(nobody, StatusCode::FOUND, "{path}, nobody signed in");
                // And back after (the accounts' own pages lead home).
                let location = location.unwrap();
                let location = location.to_str().unwrap();
                let expected = if path.starts_with("/accounts/") {
                    "/accounts/login"
                } else {
                    "/accounts/login?next="
                };
                assert!(location.starts_with(expected), "{path}: {location}");
                let member = if matches!(route, Route::Librarian | Route::People) {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::OK
                };
                assert_eq!(status(&alice).await.0, member, "{path}, a member");
                assert_eq!(
                    status(&libby).await.0,
                    StatusCode::OK,
                    "{path}, a librarian"
                );
            }
            // Signing out is a form only (as Django's LogoutView is): a
            // GET of it, which a link or a prefetch could send, does nothing.
            _ if path == "/accounts/logout" => {
                assert_eq!(status(&nobody).await.0, StatusCode::METHOD_NOT_ALLOWED);
            }
            Route::Home | Route::Catalog | Route::Account | Route::Other => {
                assert_eq!(status(&nobody).await.0, StatusCode::OK, "{path}, anyone");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, PAGES.len());
}
