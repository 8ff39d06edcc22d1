//! `locallibrary-bench`: the driver behind `scripts/bench.sh`, and the
//! bare-axum ceiling server it measures LocalLibrary against.

mod attack;
mod ceiling;
mod copy;
mod django;
mod driver;
mod editing;
mod exact;
mod hostile;
mod http;
mod hydration;
mod large;
mod locallibrary;
mod machine;
mod postgres;
mod report;
mod servers;
mod sizes;
mod wrk;

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "locallibrary-bench",
    about = "Benchmarks LocalLibrary against its Django peer and a bare-axum ceiling"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure everything and write BENCHMARKS.md (scripts/bench.sh runs this
    /// after building the site).
    Run(RunArgs),
    /// Serve FILE as the whole answer to `GET /`: no database, no session.
    Ceiling {
        /// The bytes to send.
        #[arg(long)]
        body: PathBuf,
    },
    /// Hold hostile connections open against a server (the hostile
    /// section runs several of these at once).
    Hold {
        /// The server's HOST:PORT.
        #[arg(long)]
        addr: String,
        #[arg(long)]
        connections: usize,
        #[arg(long)]
        seconds: u64,
    },
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Seconds of each measured wrk run.
    #[arg(long, default_value_t = 15)]
    pub duration: u64,
    /// Seconds of the discarded wrk run before each measured one.
    #[arg(long, default_value_t = 3)]
    pub warmup: u64,
    /// wrk's connection counts, each measured in turn.
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    pub connections: Vec<u32>,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    pub threads: u32,
    /// The repository (its target/ holds the release build).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The shared folder with the Django peer and the catalogs
    /// [default: ROOT/../shared].
    #[arg(long, env = "LOCALLIBRARY_SHARED")]
    pub shared: Option<PathBuf>,
    /// The virtualenv with Django and gunicorn [default: ROOT/target/bench/django-venv].
    #[arg(long)]
    pub django_venv: Option<PathBuf>,
    /// GETs of the exact-count check.
    #[arg(long, default_value_t = 10_000)]
    pub exact_requests: usize,
    /// Requests in flight during the exact-count check.
    #[arg(long, default_value_t = 64)]
    pub exact_in_flight: usize,
    /// Measured page loads of the hydration timing.
    #[arg(long, default_value_t = 15)]
    pub hydration_loads: usize,
    /// A PostgreSQL server (a URL that may create databases) to measure
    /// LocalLibrary on as well; skipped without it.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Where the Markdown report goes [default: ROOT/BENCHMARKS.md].
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// When the whole run began (Unix seconds), so the report can tell how
    /// long builds and measurements took together.
    #[arg(long)]
    pub started_at: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        // Dropping the driver on a signal drops every server guard with it,
        // so an interrupted run leaves nothing running.
        Command::Run(args) => tokio::select! {
            result = driver::run(args) => result,
            signal = interrupted() => Err(anyhow::anyhow!("interrupted by {signal}")),
        },
        Command::Ceiling { body } => ceiling::serve(&body).await,
        Command::Hold {
            addr,
            connections,
            seconds,
        } => attack::hold(&addr, connections, seconds).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("locallibrary-bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM, naming it.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => "SIGINT",
        _ = terminate.recv() => "SIGTERM",
    }
}
