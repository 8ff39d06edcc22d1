//! Editing beside reading: a librarian saves a book every [`SAVE_EVERY`]
//! through its edit form, as a browser would (open the form, change the
//! title, post every field back), while wrk reads `/` and `/books` as a
//! returning visitor. Each save raises the catalog version, so every kept
//! page is rendered afresh after it, and writes its history row beside the
//! visit counts' own writes: this measures what that costs the readers.
//! Each page is measured quiet, then under edits, in turns, on one server.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use reqwest::{header, Client};
use scraper::{ElementRef, Html, Selector};

use crate::{
    hostile::Latencies,
    http,
    locallibrary::Build,
    servers::ServerProcess,
    wrk::{self, LoadShape, WrkResult},
};

/// How often the librarian saves.
pub const SAVE_EVERY: Duration = Duration::from_millis(100);
/// The pages read meanwhile, each with a returning visitor's cookie.
pub const PAGES: [&str; 2] = ["/", "/books"];
/// The most a page may take, 99 times in 100, while the librarian saves.
pub const P99_GOAL_MS: f64 = 10.0;

/// One page at one connection count, quiet and under edits.
#[derive(Debug, Clone)]
pub struct Turn {
    pub path: &'static str,
    pub connections: u32,
    pub quiet: WrkResult,
    pub editing: WrkResult,
    pub saves: Saves,
}

/// What the librarian's saves came to during one run.
#[derive(Debug, Clone, Default)]
pub struct Saves {
    /// Each save that was done (the form opened, posted, answered with a
    /// redirect to the book): from opening the form to the answer.
    pub done: Latencies,
    /// Each one that was not, in words.
    pub failed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Editing {
    /// The book saved over and over, as the list shows it first.
    pub book: String,
    pub turns: Vec<Turn>,
}

/// Measures each of [`PAGES`] at `connections` on `server` (a site with
/// the catalog loaded and the librarian of [`Build::add_librarian`]).
pub async fn run(
    server: &mut ServerProcess,
    client: &Client,
    connections: u32,
    shape: LoadShape,
) -> anyhow::Result<Editing> {
    let home = format!("{}/", server.url());
    let visitor = Build::session_cookie(client, &home).await?;
    let librarian = Build::librarian_cookie(client, &home).await?;
    let (id, book) = first_book(client, server.url()).await?;
    let editor = Editor {
        client: client.clone(),
        origin: server.url().to_string(),
        form: format!("{}/books/{id}/edit", server.url()),
        cookie: librarian,
    };
    // The first save must go through before anything is measured.
    editor.save(0).await.context("the librarian's first save")?;
    println!("  the librarian saves `{book}` (/books/{id}) every {SAVE_EVERY:?}");

    let headers = [format!("Cookie: {visitor}")];
    let mut turns = Vec::new();
    for path in PAGES {
        let url = format!("{}{path}", server.url());
        server.check_running()?;
        let quiet = wrk::measure(&url, connections, &headers, shape).await?;
        let saving = editor.start();
        let editing = wrk::measure(&url, connections, &headers, shape).await;
        let saves = saving.stop().await?;
        let editing = editing?;
        server.check_running()?;
        println!(
            "  {path:<7} c={connections:<3} quiet: {:>7.0} req/s p99 {:>6.2} ms; \
             saving: {:>7.0} req/s p99 {:>6.2} ms, {} saves (median {:.1} ms), {} failed",
            quiet.requests_per_sec,
            quiet.p99_ms,
            editing.requests_per_sec,
            editing.p99_ms,
            saves.done.count(),
            saves.done.quantile_ms(0.5),
            saves.failed.len()
        );
        turns.push(Turn {
            path,
            connections,
            quiet,
            editing,
            saves,
        });
    }
    Ok(Editing { book, turns })
}

/// The id and title of the first book the list shows.
async fn first_book(client: &Client, site: &str) -> anyhow::Result<(String, String)> {
    let list = http::get_ok(client, &format!("{site}/books"), None).await?;
    let html = Html::parse_document(&list.body);
    let links = Selector::parse("main a[href^='/books/']").expect("a valid selector");
    html.select(&links)
        .find_map(|link| {
            let id = link.attr("href")?.strip_prefix("/books/")?;
            id.parse::<i64>().ok()?;
            Some((id.to_string(), link.text().collect::<String>()))
        })
        .context("the list of books links to no book")
}

/// A librarian's browser, signed in, on one book's edit form.
#[derive(Clone)]
struct Editor {
    client: Client,
    origin: String,
    form: String,
    cookie: String,
}

/// The editor at work, until stopped.
struct Saving {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Saves>,
}

impl Saving {
    async fn stop(self) -> anyhow::Result<Saves> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.context("the librarian's task failed")
    }
}

impl Editor {
    /// Saves every [`SAVE_EVERY`] until stopped; a slow save delays the
    /// next rather than piling up behind it.
    fn start(&self) -> Saving {
        let stop = Arc::new(AtomicBool::new(false));
        let editor = self.clone();
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let mut saves = Saves::default();
            let mut tick = tokio::time::interval(SAVE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n = 1u64;
            while !stopped.load(Ordering::Relaxed) {
                tick.tick().await;
                let started = Instant::now();
                match editor.save(n).await {
                    Ok(()) => saves.done.0.push(started.elapsed()),
                    Err(err) => saves.failed.push(format!("{err:#}")),
                }
                n += 1;
            }
            saves
        });
        Saving { stop, task }
    }

    /// Opens the form and posts it back with the title changed: its
    /// original on even turns, marked on odd ones.
    async fn save(&self, n: u64) -> anyhow::Result<()> {
        let page = http::get_ok(&self.client, &self.form, Some(&self.cookie)).await?;
        let mut fields = form_fields(&page.body)?;
        let title = fields
            .iter_mut()
            .find(|(name, _)| name == "title")
            .context("the edit form has no title")?;
        const MARK: &str = " (revised)";
        let original = title.1.trim_end_matches(MARK).to_string();
        title.1 = if n % 2 == 1 {
            format!("{original}{MARK}")
        } else {
            original
        };
        let response = self
            .client
            .post(&self.form)
            .header(header::COOKIE, &self.cookie)
            .header(header::ORIGIN, &self.origin)
            .form(&fields)
            .send()
            .await
            .with_context(|| format!("POST {}", self.form))?;
        // Saved: back to the book's page (its address is the form's, less
        // `/edit`); anything else is the form again, or a sign-in page.
        let book = self.form.trim_end_matches("/edit");
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if response.status().is_redirection() && book.ends_with(&location) && !location.is_empty() {
            return Ok(());
        }
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        bail!(
            "POST {}: {status} {location} {}",
            self.form,
            problems(&body)
        )
    }
}

/// Every field the page's edit form (the one carrying a version) would
/// send, as a browser sends them.
fn form_fields(page: &str) -> anyhow::Result<Vec<(String, String)>> {
    let html = Html::parse_document(page);
    let forms = Selector::parse("form[method='post']").expect("a valid selector");
    let version = Selector::parse("input[name='version']").expect("a valid selector");
    let form = html
        .select(&forms)
        .find(|form| form.select(&version).next().is_some())
        .context("the page has no edit form")?;
    let named =
        Selector::parse("input[name], textarea[name], select[name]").expect("a valid selector");
    let mut fields = Vec::new();
    for field in form.select(&named) {
        let element = field.value();
        let name = element.attr("name").unwrap_or_default().to_string();
        let value = match element.name() {
            "textarea" => Some(field.text().collect()),
            "select" => selected(field),
            _ => match element.attr("type").unwrap_or("text") {
                "checkbox" | "radio" => element
                    .attr("checked")
                    .map(|_| element.attr("value").unwrap_or("on").to_string()),
                "submit" | "button" | "reset" => None,
                _ => Some(element.attr("value").unwrap_or_default().to_string()),
            },
        };
        fields.extend(value.map(|value| (name, value)));
    }
    Ok(fields)
}

/// A select's chosen option's value: the one marked selected, else the first.
fn selected(select: ElementRef) -> Option<String> {
    let options = Selector::parse("option").expect("a valid selector");
    let chosen = select
        .select(&options)
        .find(|option| option.value().attr("selected").is_some())
        .or_else(|| select.select(&options).next())?;
    Some(
        chosen
            .value()
            .attr("value")
            .map(str::to_string)
            .unwrap_or_else(|| chosen.text().collect()),
    )
}

/// What a form shown again says is wrong, for an error message.
fn problems(page: &str) -> String {
    let html = Html::parse_document(page);
    let alerts = Selector::parse(".error").expect("a valid selector");
    let said: Vec<String> = html
        .select(&alerts)
        .map(|alert| alert.text().collect::<String>().trim().to_string())
        .filter(|text| !text.is_empty())
        .collect();
    if said.is_empty() {
        "(the page says no problem)".to_string()
    } else {
        said.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_form_as_a_browser_sends_it() {
        let page = r#"<html><body>
            <form method="get" action="/books"><input name="q" value="nope"></form>
            <form method="post" action="/books/7/edit">
              <input type="hidden" name="version" value="12">
              <input name="title" value="Dune">
              <textarea name="summary">Sand &amp; spice</textarea>
              <select name="language"><option value="">none</option>
                <option value="3" selected>English</option></select>
              <input type="checkbox" name="genres" value="1" checked>
              <input type="checkbox" name="genres" value="2">
              <input type="checkbox" name="genres" value="5" checked>
              <button type="submit" name="go">Save</button>
            </form></body></html>"#;
        let fields = form_fields(page).unwrap();
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("version", "12"),
                ("title", "Dune"),
                ("summary", "Sand & spice"),
                ("language", "3"),
                ("genres", "1"),
                ("genres", "5"),
            ]
        );
    }

    #[test]
    fn a_select_with_nothing_chosen_sends_its_first_option() {
        let page = r#"<form method="post"><input type="hidden" name="version" value="1">
            <select name="language"><option value="">none</option><option value="3">English</option></select>
            </form>"#;
        assert_eq!(
            form_fields(page).unwrap(),
            [
                ("version".to_string(), "1".to_string()),
                ("language".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn a_page_without_an_edit_form_is_an_error() {
        assert!(form_fields("<form method='post'><input name='title'></form>").is_err());
    }
}
