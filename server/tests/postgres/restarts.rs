//! Restarting the servers behind nginx one at a time, as an upgrade does,
//! while browsers use the site: nobody notices.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crate::{
    front::Front,
    support::{browser, HomePage},
};

/// Browsers using the site at once.
const BROWSERS: usize = 64;

/// What one browser did until told to stop: its home-page views, and
/// every request that failed.
struct Browsing {
    views: u64,
    failures: Vec<String>,
}

/// A browser reading the home page, its count checked at each view, and
/// every fifth request posting the language form.
async fn browse(url: String, origin: String, stop: Arc<AtomicBool>) -> Browsing {
    let client = browser();
    let mut done = Browsing {
        views: 0,
        failures: Vec::new(),
    };
    let mut request = 0u64;
    while !stop.load(Ordering::Relaxed) {
        request += 1;
        // Not before the session is stored (the second view).
        if done.views >= 2 && request.is_multiple_of(5) {
            let posted = client
                .post(format!("{url}/api/set_language"))
                .header("origin", &origin)
                .form(&[("language", "en")])
                .send()
                .await;
            match posted {
                Ok(response) if response.status().is_success() => {}
                Ok(response) => done
                    .failures
                    .push(format!("language form: {}", response.status())),
                Err(error) => done.failures.push(format!("language form: {error}")),
            }
            continue;
        }
        match client.get(format!("{url}/")).send().await {
            Ok(response) => {
                let page = HomePage::read(response).await;
                if page.status != 200 {
                    done.failures.push(format!("view: {}", page.status));
                    continue;
                }
                done.views += 1;
                if page.visits() != done.views {
                    done.failures
                        .push(format!("view {} counted as {}", done.views, page.visits()));
                    done.views = page.visits();
                }
            }
            Err(error) => done.failures.push(format!("view: {error}")),
        }
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_each_server_in_turn_under_load_fails_nothing_and_counts_exactly() {
    let mut front = Front::start().await;
    let stop = Arc::new(AtomicBool::new(false));
    let browsers: Vec<_> = (0..BROWSERS)
        .map(|_| {
            tokio::spawn(browse(
                front.address.clone(),
                front.address.clone(),
                Arc::clone(&stop),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    for server in 0..2 {
        front.restart(server).await;
        // Back in nginx' turn before the other goes (a server it could
        // not reach is left alone for fail_timeout, 10 s).
        tokio::time::sleep(Duration::from_secs(11)).await;
    }
    stop.store(true, Ordering::Relaxed);

    let mut views = 0;
    let mut failures = Vec::new();
    for browsing in browsers {
        let browsing = browsing.await.unwrap();
        views += browsing.views;
        failures.extend(browsing.failures);
    }
    assert!(
        failures.is_empty(),
        "{} failed of the requests while the servers restarted: {:?}\n--- first server's log:\n{}\n--- second's:\n{}",
        failures.len(),
        &failures[..failures.len().min(20)],
        front.servers[0].log(),
        front.servers[1].log()
    );
    assert!(views > 1000, "only {views} views under load");
    // Both restarted servers answered.
    let answered = front.upstreams_of("/", 0).await;
    for server in 0..2 {
        let upstream = front.upstream(server);
        assert!(answered
            .iter()
            .rev()
            .take(200)
            .any(|u| u.contains(&upstream)));
    }
}
