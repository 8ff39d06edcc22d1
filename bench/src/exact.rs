//! The exact-count check: a fixed number of concurrent views with one
//! session cookie must each add exactly one to the visit count.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::{stream, StreamExt};
use reqwest::Client;
use scraper::{Html, Selector};

use crate::http;

/// The figures of one check.
#[derive(Debug, Clone)]
pub struct Exactness {
    pub requests: usize,
    pub in_flight: usize,
    /// The count shown by the view just before the run.
    pub before: u64,
    /// The count shown by the view just after it.
    pub after: u64,
    /// Views answered 200 with a whole body.
    pub succeeded: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

impl Exactness {
    /// Every successful view counted once, plus the view that reads the
    /// count afterwards (the page shows the count including itself).
    pub fn expected_after(&self) -> u64 {
        self.before + self.succeeded + 1
    }

    pub fn is_exact(&self) -> bool {
        self.after == self.expected_after()
    }
}

/// `requests` GETs of `url` with `cookie`, `in_flight` at a time, between
/// two views that read the count.
pub async fn check(
    client: &Client,
    url: &str,
    cookie: &str,
    requests: usize,
    in_flight: usize,
) -> anyhow::Result<Exactness> {
    let before = visits(&http::get_ok(client, url, Some(cookie)).await?.body)
        .context("the view before the exact-count run")?;
    let started = Instant::now();
    let outcomes: Vec<bool> = stream::iter(0..requests)
        .map(|_| async move {
            matches!(
                http::get(client, url, Some(cookie)).await,
                Ok(page) if page.status == reqwest::StatusCode::OK
            )
        })
        .buffer_unordered(in_flight.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed();
    let after = visits(&http::get_ok(client, url, Some(cookie)).await?.body)
        .context("the view after the exact-count run")?;
    let succeeded = outcomes.iter().filter(|&&ok| ok).count() as u64;
    Ok(Exactness {
        requests,
        in_flight,
        before,
        after,
        succeeded,
        failed: requests as u64 - succeeded,
        elapsed,
    })
}

/// N from "You have visited this page N time(s)." in the text of `<main>`,
/// read as the server's own tests read it.
pub fn visits(html: &str) -> anyhow::Result<u64> {
    let text = main_text(html);
    let Some(rest) = text.split("You have visited this page ").nth(1) else {
        bail!("no visit count on the page: {text}");
    };
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let visits: u64 = number
        .parse()
        .with_context(|| format!("no number in {rest:?}"))?;
    let noun = if visits == 1 { "time." } else { "times." };
    if !rest[number.len()..].starts_with(&format!(" {noun}")) {
        bail!("wrong plural in {rest:?}");
    }
    Ok(visits)
}

/// The visible text of the page's `<main>`, whitespace collapsed.
fn main_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let main = Selector::parse("main").expect("a valid selector");
    // Text nodes joined by spaces: separate elements read as separate words.
    let text: Vec<&str> = document
        .select(&main)
        .flat_map(|element| element.text())
        .collect();
    text.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_count_from_main() {
        let html = "<html><body><main><h1>Home</h1>\
            <p class=\"visits\">You have visited this page <!>42 times.</p></main>\
            <script>\"You have visited this page 7 times.\"</script></body></html>";
        assert_eq!(visits(html).unwrap(), 42);
    }

    #[test]
    fn reads_one_time() {
        let html = "<main><p>You have visited this page 1 time.</p></main>";
        assert_eq!(visits(html).unwrap(), 1);
    }

    #[test]
    fn refuses_a_page_without_a_count_or_with_a_wrong_plural() {
        assert!(visits("<main><p>Nothing here.</p></main>").is_err());
        assert!(visits("<main><p>You have visited this page 2 time.</p></main>").is_err());
    }

    #[test]
    fn counts_the_reading_view() {
        let exactness = Exactness {
            requests: 10,
            in_flight: 4,
            before: 5,
            after: 16,
            succeeded: 10,
            failed: 0,
            elapsed: Duration::from_secs(1),
        };
        assert!(exactness.is_exact());
        assert!(!Exactness {
            after: 15,
            ..exactness
        }
        .is_exact());
    }
}
