//! Counts and timings for an operator's Prometheus, at `/metrics` on an
//! address of their own (`[metrics] addr`, none by default), never the
//! site's: nothing about the site's traffic is public by accident.
//!
//! Recorded where they happen through the `metrics` facade (requests here;
//! kept pages, view-write batches, connections and mail where each is
//! done), which costs next to nothing while no recorder is installed; the
//! figures that are states rather than events (sessions stored, loans,
//! connections to the database in use) are read when scraped.

use std::{net::SocketAddr, time::Instant};

use anyhow::Context;
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::{net::TcpListener, task::JoinHandle};

use app::{dates, db::Db, on_reader};

use crate::request_log::route_of;

/// Seconds: from half a millisecond, where a kept page is, to the five
/// seconds after which a write gives up.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Writes in a batch: one to the most a batch takes (256).
const BATCH_SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// How often samples are folded into their histograms.
const UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// The recorder installed and the address bound: what `/metrics` serves.
pub struct Metrics {
    handle: PrometheusHandle,
    listener: TcpListener,
}

impl Metrics {
    /// Binds `addr` and installs the process's recorder.
    pub async fn start(addr: SocketAddr) -> anyhow::Result<Metrics> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} ([metrics] addr)"))?;
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)?
            .set_buckets_for_metric(
                Matcher::Full("locallibrary_view_write_batch_size".into()),
                BATCH_SIZES,
            )?
            .install_recorder()
            .context("cannot install the metrics recorder")?;
        describe();
        Ok(Metrics { handle, listener })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves `/metrics` until aborted.
    pub fn serve(self, db: Db) -> JoinHandle<()> {
        let handle = self.handle.clone();
        let router = Router::new()
            .route("/metrics", get(scrape))
            .with_state((self.handle, db));
        tokio::spawn(async move {
            // Timings are kept sample by sample until folded into their
            // histograms: folded every few seconds, so that memory stays
            // flat however seldom (or never) Prometheus scrapes.
            let upkeep = async {
                let mut every = tokio::time::interval(UPKEEP);
                loop {
                    every.tick().await;
                    handle.run_upkeep();
                }
            };
            tokio::select! {
                served = async { axum::serve(self.listener, router).await } => {
                    if let Err(error) = served {
                        tracing::error!(%error, "the metrics address stopped");
                    }
                }
                () = upkeep => {}
            }
        })
    }
}

async fn scrape(State((handle, db)): State<(PrometheusHandle, Db)>) -> Response {
    if let Err(error) = sample(&db).await {
        // The rest is still worth having: the database's own figures are
        // left as last read.
        tracing::warn!(%error, "metrics: cannot read the database's figures");
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// The figures that are states, read now.
async fn sample(db: &Db) -> Result<(), sqlx::Error> {
    const FIGURES: &str = "SELECT
        (SELECT COUNT(*) FROM tower_sessions),
        (SELECT COUNT(*) FROM book_instance WHERE borrower_id IS NOT NULL),
        (SELECT COUNT(*) FROM book_instance
         WHERE borrower_id IS NOT NULL AND due_back < $1)";
    match db {
        Db::Sqlite(sqlite) => {
            let (size, available) = sqlite.readers_status();
            gauge!("locallibrary_db_connections", "kind" => "reader", "state" => "in_use")
                .set((size - available) as f64);
            gauge!("locallibrary_db_connections", "kind" => "reader", "state" => "idle")
                .set(available as f64);
        }
        Db::Postgres(postgres) => {
            let (size, idle) = (postgres.pool().size(), postgres.pool().num_idle());
            gauge!("locallibrary_db_connections", "kind" => "pool", "state" => "in_use")
                .set(size.saturating_sub(idle as u32) as f64);
            gauge!("locallibrary_db_connections", "kind" => "pool", "state" => "idle")
                .set(idle as f64);
        }
    }
    let (sessions, lent, overdue): (i64, i64, i64) =
        on_reader!(db, |conn| sqlx::query_as(FIGURES)
            // Days as the site counts them (dates are stored as text).
            .bind(dates::iso_date(dates::today()))
            .fetch_one(conn)
            .await)?;
    gauge!("locallibrary_sessions").set(sessions as f64);
    gauge!("locallibrary_loans", "state" => "on_loan").set(lent as f64);
    gauge!("locallibrary_loans", "state" => "overdue").set(overdue as f64);
    Ok(())
}

/// `site` with each request counted, by method, route and status, and
/// timed, by route.
pub fn around(site: Router) -> Router {
    site.layer(middleware::from_fn(count_request))
}

async fn count_request(request: Request, next: Next) -> Response {
    let began = Instant::now();
    let route = route_of(request.uri().path());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = status_label(response.status());
    counter!("locallibrary_http_requests_total",
        "method" => method, "route" => route, "status" => status)
    .increment(1);
    histogram!("locallibrary_http_request_duration_seconds", "route" => route)
        .record(began.elapsed().as_secs_f64());
    response
}

/// The methods the site answers, else one label for the rest: a label's
/// values must be few, whatever clients send.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        _ => "other",
    }
}

/// The statuses the site gives, each by its code; any other by its class.
fn status_label(status: StatusCode) -> &'static str {
    const EACH: &[&str] = &[
        "200", "302", "303", "304", "400", "403", "404", "405", "408", "413", "422", "429", "500",
        "503",
    ];
    let code = status.as_str();
    EACH.iter()
        .find(|each| **each == code)
        .copied()
        .unwrap_or(match status.as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        })
}

/// Each metric's help text, as Prometheus shows it.
fn describe() {
    describe_counter!(
        "locallibrary_http_requests_total",
        "Requests answered, by method, route (the page's pattern) and status."
    );
    describe_histogram!(
        "locallibrary_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a request, by route."
    );
    describe_counter!(
        "locallibrary_kept_pages_total",
        "Views of pages kept rendered: hit (served as kept) or miss (rendered)."
    );
    describe_histogram!(
        "locallibrary_view_write_batch_size",
        "Page views' writes committed together, per batch."
    );
    describe_histogram!(
        "locallibrary_view_write_duration_seconds",
        metrics::Unit::Seconds,
        "A page view's write, from handing it over to its batch's commit."
    );
    describe_histogram!(
        "locallibrary_db_wait_seconds",
        metrics::Unit::Seconds,
        "Time waiting for a SQLite connection (kind: reader or writer)."
    );
    describe_gauge!(
        "locallibrary_db_connections",
        "Database connections by kind and state (in use or idle), when scraped."
    );
    describe_gauge!("locallibrary_sessions", "Sessions stored, when scraped.");
    describe_gauge!(
        "locallibrary_loans",
        "Copies on loan, and of them those overdue, when scraped."
    );
    describe_gauge!("locallibrary_connections_open", "Client connections open.");
    describe_counter!(
        "locallibrary_connections_evicted_total",
        "Idle client connections closed to make room for a new one at the limit."
    );
    describe_counter!(
        "locallibrary_connections_refused_total",
        "Client connections turned away (503) with every open one answering."
    );
    describe_counter!(
        "locallibrary_mail_total",
        "Mail handed to the SMTP server (sent) or not (failed)."
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_few_whatever_comes() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
        assert_eq!(status_label(StatusCode::OK), "200");
        assert_eq!(status_label(StatusCode::IM_A_TEAPOT), "4xx");
        assert_eq!(status_label(StatusCode::BAD_GATEWAY), "5xx");
    }
}
