//! Passwords: reset by a link in the mail (the outbox, or SMTP), and
//! changed by the signed-in user.

use reqwest::{Client, StatusCode};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

use crate::support::{
    browser, header_text, main_text, spawn_app, spawn_app_with, text_of, TestApp,
};

const SENT: &str = "We've emailed you instructions for setting your password, if an account \
                    exists with the email you entered.";

/// Asks for a reset link for `email`; gives the answer's status, where it
/// went, and the page it went to.
async fn ask_for_reset(app: &TestApp, email: &str) -> (StatusCode, String, String) {
    let client = browser();
    let response = app
        .post_form(&client, "/accounts/password-reset", &[("email", email)])
        .await;
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default();
    let (_, page) = app.page(&client, &location).await;
    (status, location, main_text(&page))
}

/// The mail in the outbox, newest first: recipient and body.
pub async fn outbox(app: &TestApp) -> Vec<(String, String)> {
    let db = app.db().await;
    app::on_reader!(&db, |conn| {
        sqlx::query_as("SELECT recipient, body FROM outbox ORDER BY id DESC")
            .fetch_all(conn)
            .await
    })
    .unwrap()
}

/// The path of the reset link in a mail's body.
pub fn link_in(body: &str) -> String {
    let start = body.find("/accounts/reset/").expect("a reset link");
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// Posts the new password, twice as given, to the reset link `path`.
pub async fn set_new(app: &TestApp, path: &str, first: &str, second: &str) -> reqwest::Response {
    app.post_form(
        &browser(),
        path,
        &[("new_password1", first), ("new_password2", second)],
    )
    .await
}

pub async fn can_sign_in(app: &TestApp, username: &str, password: &str) -> bool {
    let response = app
        .post_form(
            &browser(),
            "/accounts/login",
            &[("username", username), ("password", password)],
        )
        .await;
    response.status() == StatusCode::FOUND
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_sets_a_new_password_once() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let signed_in = browser();
    app.sign_in(&signed_in, "alice", "correct horse").await;

    let (status, html) = app.page(&browser(), "/accounts/login").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"href="/accounts/password-reset""#),
        "{html}"
    );
    let (status, html) = app.page(&browser(), "/accounts/password-reset").await;
    assert_eq!(status, 200);
    assert!(
        main_text(&html).starts_with("Forgotten your password?"),
        "{html}"
    );

    // The same answer for an address nobody has, and no mail.
    let nobody = ask_for_reset(&app, "nobody@example.com").await;
    let alice = ask_for_reset(&app, "ALICE@example.com").await;
    assert_eq!(nobody, alice);
    assert_eq!(alice.0, StatusCode::FOUND);
    assert!(alice.2.contains(SENT), "{}", alice.2);
    let mail = outbox(&app).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    let (to, body) = &mail[0];
    assert_eq!(to, "alice@example.com");
    assert!(
        body.contains("Your username, in case you've forgotten: alice"),
        "{body}"
    );
    assert!(
        body.contains(&format!("{}/accounts/reset/", app.address)),
        "{body}"
    );
    let link = link_in(body);

    let (status, html) = app.page(&browser(), &link).await;
    assert_eq!(status, 200);
    assert!(main_text(&html).starts_with("Enter new password"), "{html}");

    for (first, second, problem) in [
        (
            "a new password",
            "a new passwort",
            "The two password fields didn't match.",
        ),
        ("31415926", "31415926", "This password is entirely numeric."),
        (
            "alice1234",
            "alice1234",
            "The password is too similar to the username.",
        ),
        (
            "short",
            "short",
            "This password is too short. It must contain at least 8 characters.",
        ),
    ] {
        let response = set_new(&app, &link, first, second).await;
        assert_eq!(response.status(), 200, "{first}");
        let html = response.text().await.unwrap();
        assert_eq!(text_of(&html, "#field-new_password2-problems"), problem);
        assert!(
            !html.contains(&format!(r#"value="{first}""#)),
            "a password is never shown again"
        );
    }
    assert!(
        can_sign_in(&app, "alice", "correct horse").await,
        "unchanged so far"
    );
    // That sign-in used the link up: ask again.
    let (_, html) = app.page(&browser(), &link).await;
    assert!(
        main_text(&html).starts_with("Password reset unsuccessful"),
        "{html}"
    );
    ask_for_reset(&app, "alice@example.com").await;
    let link = link_in(&outbox(&app).await[0].1);
    // Asked again at once: the same answer, and no second mail.
    let again = ask_for_reset(&app, "alice@example.com").await;
    assert_eq!(again, alice);
    assert_eq!(outbox(&app).await.len(), 2, "one link every five minutes");

    let response = set_new(&app, &link, "a new password", "a new password").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/accounts/reset/done");
    assert!(can_sign_in(&app, "alice", "a new password").await);
    assert!(!can_sign_in(&app, "alice", "correct horse").await);
    // Every session signed in with the old password is out.
    let (_, page) = app.page(&signed_in, "/about").await;
    assert!(header_text(&page).contains("Login"), "{page}");

    // Once only.
    let response = set_new(&app, &link, "another password", "another password").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        main_text(&html).starts_with("Password reset unsuccessful"),
        "{html}"
    );
    assert!(can_sign_in(&app, "alice", "a new password").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_expires_after_three_days_and_with_any_password_change() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let unusable = |link: String| {
        let app = &app;
        async move {
            let (status, html) = app.page(&browser(), &link).await;
            assert_eq!(status, 200);
            assert!(
                main_text(&html).starts_with("Password reset unsuccessful"),
                "{link}"
            );
            let response = set_new(app, &link, "a new password", "a new password").await;
            assert_eq!(response.status(), 200, "{link}");
        }
    };

    ask_for_reset(&app, "alice@example.com").await;
    let link = link_in(&outbox(&app).await[0].1);
    // Three days on (less a minute), it works; at three days, not.
    let three_days = 3 * 24 * 60 * 60;
    let created: i64 = app.scalar("SELECT MAX(created_at) FROM outbox").await;
    let expires: i64 = app.scalar("SELECT expires_at FROM password_reset").await;
    assert_eq!(expires - created, three_days);
    app.execute(&format!(
        "UPDATE password_reset SET expires_at = {}",
        time::OffsetDateTime::now_utc().unix_timestamp()
    ))
    .await;
    unusable(link).await;

    ask_for_reset(&app, "alice@example.com").await;
    let link = link_in(&outbox(&app).await[0].1);
    assert_eq!(
        outbox(&app).await.len(),
        2,
        "a new link once the last expired"
    );
    let changed = app.command_with_input(&["passwd", "alice"], "changed by the operator\n");
    assert!(changed.status.success());
    unusable(link).await;
    assert!(can_sign_in(&app, "alice", "changed by the operator").await);

    // A link for an inactive user, or made up, does nothing.
    ask_for_reset(&app, "alice@example.com").await;
    let link = link_in(&outbox(&app).await[0].1);
    app.execute("UPDATE account SET is_active = FALSE").await;
    unusable(link).await;
    unusable(format!("/accounts/reset/{}", "0".repeat(64))).await;
    unusable("/accounts/reset/not-a-token".to_string()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_keeps_this_browser_and_signs_out_the_others() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let (here, there): (Client, Client) = (browser(), browser());
    app.sign_in(&here, "alice", "correct horse").await;
    app.sign_in(&there, "alice", "correct horse").await;

    let response = browser()
        .get(app.url("/accounts/password-change"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "nobody is sent to sign in"
    );
    let (status, html) = app.page(&here, "/accounts/password-change").await;
    assert_eq!(status, 200);
    assert!(
        main_text(&html).starts_with("Password change Old password"),
        "{html}"
    );

    let change = |old: &'static str| {
        let (app, here) = (&app, &here);
        async move {
            app.post_form(
                here,
                "/accounts/password-change",
                &[
                    ("old_password", old),
                    ("new_password1", "a new password"),
                    ("new_password2", "a new password"),
                ],
            )
            .await
        }
    };
    let response = change("wrong horse").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert_eq!(
        text_of(&html, "#field-old_password-problems"),
        "Your old password was entered incorrectly. Please enter it again."
    );
    let response = change("correct horse").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        "/accounts/password-change/done"
    );

    let (_, page) = app.page(&here, "/accounts/password-change/done").await;
    assert!(
        main_text(&page).starts_with("Password change successful"),
        "{page}"
    );
    assert!(header_text(&page).contains("User: alice"), "{page}");
    let (_, page) = app.page(&there, "/about").await;
    assert!(header_text(&page).contains("Login"), "{page}");
    assert!(can_sign_in(&app, "alice", "a new password").await);
}

/// A mail server that takes one message and gives back what it was sent.
async fn smtp_server() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut data = String::new();
        write.write_all(b"220 test ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 OK\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let reply: &[u8] = match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                "EHLO" | "HELO" => b"250 test\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go on\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 OK\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        data
    });
    (port, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_smtp_server_configured_the_mail_is_sent_through_it() {
    let (port, received) = smtp_server().await;
    let app = spawn_app_with(|settings| {
        settings.mail.smtp_url = format!("smtp://127.0.0.1:{port}");
        settings.mail.site_url = "https://library.example.org/".to_string();
    })
    .await;
    app.add_user("alice", "correct horse", false).await;
    ask_for_reset(&app, "alice@example.com").await;
    let data = tokio::time::timeout(std::time::Duration::from_secs(20), received)
        .await
        .expect("the mail reached the server")
        .unwrap();
    assert!(data.contains("To: alice@example.com"), "{data}");
    assert!(
        data.contains("Subject: Password reset on LocalLibrary"),
        "{data}"
    );
    assert!(
        data.contains("https://library.example.org/accounts/reset/"),
        "{data}"
    );
    // The outbox says it went.
    let mut sent: Option<i64> = None;
    for _ in 0..50 {
        sent = app.scalar("SELECT sent_at FROM outbox").await;
        if sent.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sent.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reset_mail_is_in_the_language_of_the_page_it_was_asked_from() {
    let app = spawn_app().await;
    app.add_user("alice", "correct horse", false).await;
    let response = browser()
        .post(app.url("/accounts/password-reset"))
        .header("origin", &app.address)
        .header("accept-language", "zh-TW")
        .form(&[("email", "alice@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let body = &outbox(&app).await[0].1;
    assert!(
        body.contains("您的使用者名稱（以防您忘記）：alice"),
        "{body}"
    );
    assert!(body.contains("3 天內有效"), "{body}");
}
