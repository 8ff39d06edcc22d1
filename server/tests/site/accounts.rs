//! Users, as the operator makes them: `locallibrary adduser` and `passwd`.

use std::time::Duration;

use crate::support::{serve, spawn_app, stderr, stdout, ServerProcess, TestApp, TestDatabase};

/// The stored hash of `username`'s password (a name the test chose).
async fn password_hash(app: &TestApp, username: &str) -> String {
    app.scalar(&format!(
        "SELECT password_hash FROM account WHERE username = '{username}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adduser_stores_a_member_or_a_librarian_with_a_hashed_password() {
    let app = spawn_app().await;
    let added = app.command_with_input(
        &["adduser", "alice", "--email", "alice@example.com"],
        "correct horse battery\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(stdout(&added), "Added alice (member).\n");
    let added = app.command_with_input(
        &[
            "adduser",
            "libby",
            "--email",
            "libby@example.com",
            "--librarian",
        ],
        "shelves and stacks\r\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(stdout(&added), "Added libby (librarian).\n");

    let hash = password_hash(&app, "alice").await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(password_auth::verify_password("correct horse battery", &hash).is_ok());
    assert!(password_auth::verify_password("correct horse", &hash).is_err());
    let libby = password_hash(&app, "libby").await;
    assert!(password_auth::verify_password("shelves and stacks", &libby).is_ok());
    let roles: i64 = app
        .scalar("SELECT COUNT(*) FROM account WHERE is_librarian AND is_active")
        .await;
    assert_eq!(roles, 1, "libby only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adduser_refuses_what_a_user_cannot_be_and_stores_nothing() {
    let app = spawn_app().await;
    let ok = app.command_with_input(
        &["adduser", "alice", "--email", "a@example.com"],
        "a long password\n",
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    for (args, password, says) in [
        (
            ["adduser", "alice", "--email", "other@example.com"],
            "another password\n",
            "A user with that username, or one too like it to tell apart",
        ),
        (
            ["adduser", "bob", "--email", "bob@example.com"],
            "short\n",
            "This password is too short. It must contain at least 8 characters.",
        ),
        (
            ["adduser", "bob", "--email", "bob@example.com"],
            "1234567890\n",
            "This password is entirely numeric.",
        ),
        (
            ["adduser", "bob", "--email", "bob@example.com"],
            "bob-the-builder\n",
            "The password is too similar to the username.",
        ),
        (
            ["adduser", "bob", "--email", "not an address"],
            "a long password\n",
            "Enter a valid email address.",
        ),
        (
            ["adduser", "bob smith", "--email", "bob@example.com"],
            "a long password\n",
            "Enter a valid username",
        ),
    ] {
        let refused = app.command_with_input(&args, password);
        assert!(!refused.status.success(), "{args:?}: {}", stdout(&refused));
        assert!(
            stderr(&refused).contains(says),
            "{args:?}: {}",
            stderr(&refused)
        );
    }
    let users: i64 = app.scalar("SELECT COUNT(*) FROM account").await;
    assert_eq!(users, 1, "only alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwd_changes_the_password_of_a_user_who_exists() {
    let app = spawn_app().await;
    app.command_with_input(
        &["adduser", "alice", "--email", "a@example.com"],
        "first password\n",
    );
    let before = password_hash(&app, "alice").await;

    let changed = app.command_with_input(&["passwd", "alice"], "second password\n");
    assert!(changed.status.success(), "{}", stderr(&changed));
    assert_eq!(stdout(&changed), "Changed the password of alice.\n");
    let after = password_hash(&app, "alice").await;
    assert_ne!(before, after);
    assert!(password_auth::verify_password("second password", &after).is_ok());
    assert!(password_auth::verify_password("first password", &after).is_err());

    let unknown = app.command_with_input(&["passwd", "nobody"], "a long password\n");
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("There is no user named “nobody”."),
        "{}",
        stderr(&unknown)
    );
    let weak = app.command_with_input(&["passwd", "alice"], "alice123\n");
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("too similar to the username"),
        "{}",
        stderr(&weak)
    );
    assert_eq!(password_hash(&app, "alice").await, after, "unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_development_database_gets_demo_users_and_a_real_one_none() {
    // As scripts/dev.sh starts the server.
    let database = TestDatabase::new().await;
    let mut command = serve(&database.url);
    command.env("LOCALLIBRARY_ACCOUNTS__DEMO_USERS", "true");
    let mut server = ServerProcess::start(command).await;
    for (username, librarian) in [("librarian", true), ("member", false)] {
        let line = server
            .wait_for_log(
                &format!("demo user {username} created, password: "),
                Duration::from_secs(10),
            )
            .await;
        let password = line.rsplit("password: ").next().unwrap().trim();
        let hash: String = database
            .scalar(&format!(
                "SELECT password_hash FROM account WHERE username = '{username}'"
            ))
            .await;
        assert!(
            password_auth::verify_password(password, &hash).is_ok(),
            "{line}"
        );
        let role: bool = database
            .scalar(&format!(
                "SELECT is_librarian FROM account WHERE username = '{username}'"
            ))
            .await;
        assert_eq!(role, librarian, "{username}");
    }
    drop(server);
    // Started again: the same two, no new passwords.
    let mut command = serve(&database.url);
    command.env("LOCALLIBRARY_ACCOUNTS__DEMO_USERS", "true");
    let again = ServerProcess::start(command).await;
    assert!(!again.log().contains("demo user"), "{}", again.log());
    let users: i64 = database.scalar("SELECT COUNT(*) FROM account").await;
    assert_eq!(users, 2);

    // The shipped configuration: no user at all.
    let real = TestDatabase::new().await;
    let server = ServerProcess::start(serve(&real.url)).await;
    assert!(!server.log().contains("demo user"), "{}", server.log());
    let users: i64 = real.scalar("SELECT COUNT(*) FROM account").await;
    assert_eq!(users, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_active_user_with_their_password_is_authenticated_and_misses_cost_alike() {
    use app::accounts::authenticate;
    let app = spawn_app().await;
    for (username, librarian) in [("alice", false), ("libby", true), ("gone", false)] {
        let mut args = vec!["adduser", username, "--email", "x@example.com"];
        if librarian {
            args.push("--librarian");
        }
        let added = app.command_with_input(&args, "the right password\n");
        assert!(added.status.success(), "{}", stderr(&added));
    }
    app.execute("UPDATE account SET is_active = FALSE WHERE username = 'gone'")
        .await;
    let db = app.db().await;

    let alice = authenticate(&db, "alice", "the right password")
        .await
        .unwrap();
    let alice = alice.expect("alice, with her password");
    assert_eq!((alice.username.as_str(), alice.librarian), ("alice", false));
    let libby = authenticate(&db, "libby", "the right password")
        .await
        .unwrap();
    assert!(libby.expect("libby").librarian);
    for (username, password) in [
        ("alice", "the wrong password"),
        ("alice", ""),
        ("Alice", "the right password"),
        ("nobody", "the right password"),
        ("gone", "the right password"),
    ] {
        let answer = authenticate(&db, username, password).await.unwrap();
        assert_eq!(answer, None, "{username} / {password}");
    }

    // An unknown name costs what a wrong password does: the quickest of
    // five tries each, taken in turns, so that the noise of a shared
    // machine weighs on both alike.
    let (mut wrong, mut unknown) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        for (username, quickest) in [("alice", &mut wrong), ("nobody", &mut unknown)] {
            let started = std::time::Instant::now();
            authenticate(&db, username, "a guess").await.unwrap();
            *quickest = (*quickest).min(started.elapsed());
        }
    }
    assert!(
        unknown * 2 > wrong && wrong * 2 > unknown,
        "wrong password {wrong:?}, unknown user {unknown:?}"
    );
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_are_unique_as_people_read_them() {
    let mut app = spawn_app().await;
    let add = |app: &TestApp, username: &str| {
        app.command_with_input(
            &["adduser", username, "--email", "someone@example.com"],
            "a long password\n",
        )
    };
    let alice = add(&app, "alice");
    assert!(alice.status.success(), "{}", stderr(&alice));
    // Capitals, fullwidth letters, a Cyrillic с in place of the c.
    for alike in ["ALICE", "Alice", "ａｌｉｃｅ", "ali\u{441}e"] {
        let refused = add(&app, alike);
        assert!(!refused.status.success(), "{alike}: {}", stdout(&refused));
        assert!(
            stderr(&refused)
                .contains("A user with that username, or one too like it to tell apart"),
            "{alike}: {}",
            stderr(&refused)
        );
    }
    // A name typed in fullwidth letters is stored, and signs in, as typed
    // in ordinary ones.
    let bob = add(&app, "ｂｏｂ");
    assert!(bob.status.success(), "{}", stderr(&bob));
    assert_eq!(stdout(&bob), "Added bob (member).\n");
    let client = crate::support::browser();
    app.sign_in(&client, "ｂｏｂ", "a long password").await;
    let (_, page) = app.page(&client, "/").await;
    assert!(crate::support::header_text(&page).contains("bob"), "{page}");
    let users: i64 = app.scalar("SELECT COUNT(*) FROM account").await;
    assert_eq!(users, 2, "alice and bob");

    // Users added in plain SQL, without a key, get theirs at the next
    // start: of two that read alike, the first; both keep their accounts.
    for name in ["Carol", "carol", "dave"] {
        app.execute(&format!(
            "INSERT INTO account (username, email, password_hash, created_at)
             VALUES ('{name}', '{name}@example.com', 'none', 0)"
        ))
        .await;
    }
    app.restart().await;
    let unkeyed: i64 = app
        .scalar("SELECT COUNT(*) FROM account WHERE username_key IS NULL")
        .await;
    assert_eq!(unkeyed, 1, "carol, alike to Carol, has none");
    for taken in ["CAROL", "Dave"] {
        let refused = add(&app, taken);
        assert!(!refused.status.success(), "{taken}: {}", stdout(&refused));
    }
    let users: i64 = app.scalar("SELECT COUNT(*) FROM account").await;
    assert_eq!(users, 5);
}
