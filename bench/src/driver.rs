//! One benchmark run, in order: everything prepared first, then each
//! server started, loaded and stopped in turn, so that only one is ever
//! under load on a machine that has few cores to share. The ceiling takes
//! turns with LocalLibrary's returning visitor, the pair whose ratio is a
//! target: measured minutes apart, each would meet whatever else the shared
//! machine was doing by then.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use reqwest::Client;

use crate::{
    ceiling,
    django::{self, Durability, Peer, SqliteSettings},
    editing,
    exact::{self, Exactness},
    hostile, http,
    hydration::{self, Hydration},
    large,
    locallibrary::Build,
    machine,
    postgres::PgDatabase,
    report::{
        DjangoSetup, Measurement, Report, Server, Setup, BROWSER_ACCEPT_ENCODING, CHINESE, ENGLISH,
    },
    servers::{PeakRss, ServerProcess},
    sizes,
    wrk::{self, LoadShape},
    RunArgs,
};

/// LocalLibrary's SQLite file, in the run's temp folder.
const LOCALLIBRARY_DATABASE: &str = "site.sqlite3";
/// The metered server's own database, loaded as the first.
const METERED_DATABASE: &str = "metered.sqlite3";
/// The catalog both sites are loaded with, under the shared folder.
const CATALOG: &str = "data/catalog-default.json";
const DJANGO_PEER: &str = "peers/django-locallibrary";
/// The catalog generator, for the large catalog.
const GENERATOR: &str = "data/gen_catalog.py";

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let root = args
        .root
        .canonicalize()
        .with_context(|| format!("no repository at {}", args.root.display()))?;
    let shared = args
        .shared
        .clone()
        .unwrap_or_else(|| root.join("../shared"));
    let shared = shared.canonicalize().with_context(|| {
        format!(
            "no shared folder at {} (set LOCALLIBRARY_SHARED)",
            shared.display()
        )
    })?;
    let catalog = shared.join(CATALOG);
    let venv = django::Venv::find(
        &args
            .django_venv
            .clone()
            .unwrap_or_else(|| root.join("target/bench/django-venv")),
    )?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| root.join("BENCHMARKS.md"));
    let work = tempfile::Builder::new()
        .prefix("locallibrary-bench-")
        .tempdir()
        .context("cannot create a temp folder")?;
    let mut runs = Runs {
        client: http::client()?,
        shape: LoadShape {
            threads: args.threads,
            warmup: Duration::from_secs(args.warmup),
            duration: Duration::from_secs(args.duration),
        },
        connections: args.connections.clone(),
        measurements: Vec::new(),
        memory: Vec::new(),
    };

    step("machine, tools and bundle sizes");
    let machine = machine::describe().await;
    let revision = machine::revision(&root).await;
    let built_at = machine::modified(&root.join("target/release/locallibrary")).await;
    let build = Build::snapshot(&root, work.path())?;
    let sizes = sizes::measure(&build.site)?;

    step("Django peer: copy, migrate, load the catalog");
    let peer = django::prepare(&shared.join(DJANGO_PEER), &catalog, &venv, work.path()).await?;
    let django_versions = venv.versions().await?;

    let ours = runs
        .locallibrary(&build, &catalog, work.path(), &args)
        .await?;
    step("LocalLibrary: a librarian saving a book while pages are read");
    let editing = runs.editing(&build, work.path()).await?;
    let postgres = match &args.postgres {
        Some(server) => Some(runs.locallibrary_postgres(&build, &catalog, server).await?),
        None => None,
    };
    let mut django_settings = Vec::new();
    for durability in [django::DEFAULTS, django::EQUAL_DURABILITY] {
        let settings = runs.django(&peer, durability, work.path()).await?;
        django_settings.push((durability, settings));
    }

    step("LocalLibrary: a catalog of 100,000 books");
    let large = large::run(
        &build,
        &shared.join(GENERATOR),
        work.path(),
        &runs.client,
        runs.shape,
    )
    .await?;

    // Last: its churn of connections must not weigh on the other runs.
    step("LocalLibrary: hostile traffic");
    let cookieless_rate = runs
        .measurements
        .iter()
        .filter(|m| m.server == Server::LocalLibrary && m.path == "/" && !m.cookie)
        .map(|m| m.result.requests_per_sec)
        .fold(0.0, f64::max);
    let hostile = hostile::run(
        &build,
        &work.path().join(LOCALLIBRARY_DATABASE),
        &runs.client,
        cookieless_rate,
    )
    .await?;

    let report = Report {
        setup: Setup {
            command: command_line(),
            revision,
            built_at,
            threads: args.threads,
            warmup: runs.shape.warmup,
            duration: runs.shape.duration,
            connections: args.connections.clone(),
            catalog: relative_to(&catalog, &shared.join("..")),
            locallibrary_loaded: ours.loaded,
            home_page_bytes: ours.home_page.len(),
            postgres,
            hydration_loads: args.hydration_loads,
        },
        machine,
        django: DjangoSetup {
            versions: django_versions,
            loaded: peer.loaded.clone(),
            settings: django_settings,
        },
        measurements: runs.measurements,
        memory: runs.memory,
        hostile,
        large,
        editing,
        exactness: ours.exactness,
        sizes,
        hydration: ours.hydration,
        measuring: started.elapsed(),
        whole_run: args.started_at.and_then(|start| {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
            now.checked_sub(Duration::from_secs(start))
        }),
    };
    let markdown = report.markdown();
    std::fs::write(&output, &markdown)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("\n{markdown}");
    println!("(written to {})", output.display());
    Ok(())
}

/// The load runs so far, and what every one of them shares.
struct Runs {
    client: Client,
    shape: LoadShape,
    connections: Vec<u32>,
    measurements: Vec<Measurement>,
    memory: Vec<(Server, PeakRss)>,
}

/// What LocalLibrary's phase leaves for the report.
struct LocalLibraryOutcome {
    loaded: String,
    exactness: Exactness,
    /// The home page as a returning visitor gets it (the ceiling's answer).
    home_page: String,
    hydration: Result<Hydration, String>,
}

impl Runs {
    /// LocalLibrary: its load runs (the ceiling's among them), then the
    /// exact count, the hydration timing and its peak memory.
    async fn locallibrary(
        &mut self,
        build: &Build,
        catalog: &Path,
        work: &Path,
        args: &RunArgs,
    ) -> anyhow::Result<LocalLibraryOutcome> {
        step("LocalLibrary");
        let database = format!("sqlite://{}", work.join(LOCALLIBRARY_DATABASE).display());
        let loaded = build.load_catalog(&database, catalog).await?;
        build.add_member_with_loans(&database).await?;
        build.add_librarian(&database).await?;
        let mut server = build.serve(&database, &self.client).await?;
        let home = format!("{}/", server.url());
        let session_cookie = Build::session_cookie(&self.client, &home).await?;
        let home_page = http::get_ok(&self.client, &home, Some(&session_cookie))
            .await?
            .body;
        // A second returning visitor, who reads the site in 繁體中文.
        let chinese_cookie = Build::session_cookie(&self.client, &home).await?;
        Build::choose_language(&self.client, &home, &chinese_cookie, CHINESE).await?;
        // The same build with metrics on, idle but for its turns, on a
        // database of its own loaded the same way: two servers on one
        // SQLite file would each hold up the other's writes.
        let metered_database = format!("sqlite://{}", work.join(METERED_DATABASE).display());
        build.load_catalog(&metered_database, catalog).await?;
        let (mut metered, metrics) = build
            .serve_with_metrics(&metered_database, &self.client)
            .await?;
        let metered_cookie =
            Build::session_cookie(&self.client, &format!("{}/", metered.url())).await?;
        // Returning visitors first: the cookieless runs leave many sessions
        // behind, which must not weigh on the other runs.
        self.beside_ceiling(
            &mut server,
            (&mut metered, &metered_cookie),
            &home_page,
            [&session_cookie, &chinese_cookie],
            work,
        )
        .await?;
        // Counted, or the comparison says nothing.
        let scraped = http::get_ok(&self.client, &metrics, None).await?.body;
        anyhow::ensure!(
            scraped.contains("locallibrary_http_requests_total{"),
            "the metered server counted no request:\n{scraped}"
        );
        metered.stop();
        let plan = [
            ("/", true, true),
            ("/books", true, false),
            ("/books", true, true),
            ("/", false, false),
        ];
        for (path, with_cookie, compressed) in plan {
            let cookie = with_cookie.then_some(session_cookie.as_str());
            let request = Request {
                cookie,
                compressed,
                ..Request::default()
            };
            self.load(&mut server, Server::LocalLibrary, path, request)
                .await?;
        }
        // A member signed in: their name in the header of every page, and
        // their borrowed books.
        let member = Build::member_cookie(&self.client, &home).await?;
        for path in ["/", "/loans/mine"] {
            let request = Request {
                signed_in: true,
                ..Request::with_cookie(&member)
            };
            self.load(&mut server, Server::LocalLibrary, path, request)
                .await?;
        }

        step("LocalLibrary: exact count");
        let exactness = exact::check(
            &self.client,
            &home,
            &session_cookie,
            args.exact_requests,
            args.exact_in_flight,
        )
        .await?;
        println!(
            "  {}: before {}, succeeded {}, failed {}, after {}",
            if exactness.is_exact() {
                "exact"
            } else {
                "NOT exact"
            },
            exactness.before,
            exactness.succeeded,
            exactness.failed,
            exactness.after
        );

        step("LocalLibrary: hydration in Chromium");
        // A failure here is a finding about the site, not about the run:
        // it goes into the report.
        let hydration = hydration::measure(&build.root, &home, args.hydration_loads)
            .await
            .map_err(|err| format!("{err:#}"));
        match &hydration {
            Ok(h) => println!("  median {:.1} ms, max {:.1} ms", h.median_ms, h.max_ms),
            Err(err) => println!("  failed: {err}"),
        }
        server.check_running()?;
        self.memory.push((Server::LocalLibrary, server.peak_rss()?));
        server.stop();
        Ok(LocalLibraryOutcome {
            loaded,
            exactness,
            home_page,
            hydration,
        })
    }

    /// A new server on LocalLibrary's database: each page with a returning
    /// visitor's cookie at the most connections measured, quiet and while
    /// the librarian saves a book.
    async fn editing(&mut self, build: &Build, work: &Path) -> anyhow::Result<editing::Editing> {
        let database = format!("sqlite://{}", work.join(LOCALLIBRARY_DATABASE).display());
        let mut server = build.serve(&database, &self.client).await?;
        let most = self.connections.iter().copied().max().unwrap_or(64);
        let editing = editing::run(&mut server, &self.client, most, self.shape).await?;
        server.stop();
        Ok(editing)
    }

    /// LocalLibrary on a new PostgreSQL database, loaded with the same
    /// catalog: a returning visitor's home page; returns how that
    /// PostgreSQL server is set up.
    async fn locallibrary_postgres(
        &mut self,
        build: &Build,
        catalog: &Path,
        server_url: &str,
    ) -> anyhow::Result<String> {
        let name = Server::LocalLibraryPostgres;
        step(name.label());
        let database = PgDatabase::create(server_url).await?;
        build.load_catalog(&database.url, catalog).await?;
        let mut server = build.serve(&database.url, &self.client).await?;
        let home = format!("{}/", server.url());
        let cookie = Build::session_cookie(&self.client, &home).await?;
        self.load(&mut server, name, "/", Request::with_cookie(&cookie))
            .await?;
        self.memory.push((name, server.peak_rss()?));
        server.stop();
        let setup = database.describe().await?;
        println!("  {setup}");
        database.remove().await?;
        Ok(setup)
    }

    /// LocalLibrary's `/` for a returning visitor and the ceiling serving
    /// `home_page`, in turns at each connection count, given the very same
    /// requests, cookie included (the ceiling ignores it), so that only the
    /// server differs; then, in the same turn, the same `/` from `metered`
    /// (metrics on), and LocalLibrary's `/` for the returning visitor who
    /// reads it in 繁體中文 (`[english, chinese]` session cookies): each
    /// held to the English figure.
    async fn beside_ceiling(
        &mut self,
        ours: &mut ServerProcess,
        (metered, metered_cookie): (&mut ServerProcess, &str),
        home_page: &str,
        [english, chinese]: [&str; 2],
        work: &Path,
    ) -> anyhow::Result<()> {
        let body = work.join("home.html");
        std::fs::write(&body, home_page).context("cannot save the home page")?;
        let mut ceiling = ceiling::start(&body).await?;
        let english = Request::with_cookie(english);
        let chinese = Request {
            language: CHINESE,
            ..Request::with_cookie(chinese)
        };
        let metered_request = Request::with_cookie(metered_cookie);
        for connections in self.connections.clone() {
            for (name, request) in [
                (Server::LocalLibrary, english),
                (Server::Ceiling, english),
                (Server::LocalLibraryMetrics, metered_request),
                (Server::LocalLibrary, chinese),
            ] {
                let server = match name {
                    Server::Ceiling => &mut ceiling,
                    Server::LocalLibraryMetrics => &mut *metered,
                    _ => &mut *ours,
                };
                self.measure(server, name, "/", request, &request.headers(), connections)
                    .await?;
            }
        }
        self.memory.push((Server::Ceiling, ceiling.peak_rss()?));
        ceiling.stop();
        Ok(())
    }

    /// One configuration of the Django peer, with and without its cookie;
    /// returns its SQLite settings as read back.
    async fn django(
        &mut self,
        peer: &Peer,
        durability: Durability,
        work: &Path,
    ) -> anyhow::Result<SqliteSettings> {
        let name = Server::Django(durability);
        step(name.label());
        let instance = peer.instance(durability, work)?;
        let mut server = instance.serve(&self.client).await?;
        let page = format!("{}{}", server.url(), django::PATH);
        let cookie = http::get_ok(&self.client, &page, None)
            .await?
            .cookie(django::COOKIE_NAME)?;
        self.load(
            &mut server,
            name,
            django::PATH,
            Request::with_cookie(&cookie),
        )
        .await?;
        self.load(&mut server, name, django::PATH, Request::default())
            .await?;
        // Read while the server still runs: the same settings, the same file.
        let settings = instance.sqlite_settings().await?;
        println!(
            "  SQLite: journal_mode {}, synchronous {}, file {}",
            settings.journal_mode, settings.synchronous, settings.file_journal_mode
        );
        self.memory.push((name, server.peak_rss_with_children()?));
        server.stop();
        Ok(settings)
    }

    /// A warm-up and a measured wrk run of `path` at each connection count.
    async fn load(
        &mut self,
        server: &mut ServerProcess,
        name: Server,
        path: &str,
        request: Request<'_>,
    ) -> anyhow::Result<()> {
        self.load_in_turns(&mut [(server, name)], path, request)
            .await
    }

    /// As [`Runs::load`], for each of `servers` in turn at each connection
    /// count.
    async fn load_in_turns(
        &mut self,
        servers: &mut [(&mut ServerProcess, Server)],
        path: &str,
        request: Request<'_>,
    ) -> anyhow::Result<()> {
        let headers = request.headers();
        for connections in self.connections.clone() {
            for (server, name) in servers.iter_mut() {
                let name = *name;
                self.measure(server, name, path, request, &headers, connections)
                    .await?;
            }
        }
        Ok(())
    }

    /// A warm-up and a measured wrk run of `path` at `connections`.
    async fn measure(
        &mut self,
        server: &mut ServerProcess,
        name: Server,
        path: &str,
        request: Request<'_>,
        headers: &[String],
        connections: u32,
    ) -> anyhow::Result<()> {
        let url = format!("{}{path}", server.url());
        let cookie = request.cookie;
        server.check_running()?;
        let load_before = machine::load_average();
        let result = wrk::measure(&url, connections, headers, self.shape)
            .await
            .with_context(|| format!("loading {} {url}", server.name()))?;
        // A server that died under load would only show up as errors;
        // say so plainly instead.
        server.check_running()?;
        println!(
            "  {:<22} {:<11} {:<6} {:<7} {:<5} c={:<3} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            name.label(),
            path,
            match (cookie.is_some(), request.signed_in) {
                (_, true) => "member",
                (true, false) => "cookie",
                (false, false) => "none",
            },
            if request.compressed { "browser" } else { "" },
            request.language,
            connections,
            result.requests_per_sec,
            result.p50_ms,
            result.p99_ms,
            result.errors()
        );
        self.measurements.push(Measurement {
            server: name,
            path: path.to_string(),
            cookie: cookie.is_some(),
            compressed: request.compressed,
            language: request.language,
            signed_in: request.signed_in,
            connections,
            load_before,
            result,
        });
        Ok(())
    }
}

/// What each request of a load run sends besides the request line.
#[derive(Clone, Copy)]
struct Request<'a> {
    /// A session cookie (a returning visitor), or none.
    cookie: Option<&'a str>,
    /// A browser's `Accept-Encoding` ([`BROWSER_ACCEPT_ENCODING`]), or none.
    compressed: bool,
    /// The language the page comes in: the one the cookie's session chose,
    /// else English (the report's label; nothing sent says it).
    language: &'static str,
    /// Whether the cookie's session is signed in (as a member).
    signed_in: bool,
}

impl Default for Request<'_> {
    fn default() -> Self {
        Self {
            cookie: None,
            compressed: false,
            language: ENGLISH,
            signed_in: false,
        }
    }
}

impl<'a> Request<'a> {
    fn with_cookie(cookie: &'a str) -> Self {
        Self {
            cookie: Some(cookie),
            ..Self::default()
        }
    }

    /// The headers wrk sends.
    fn headers(&self) -> Vec<String> {
        let mut headers: Vec<String> = self
            .cookie
            .map(|c| format!("Cookie: {c}"))
            .into_iter()
            .collect();
        if self.compressed {
            headers.push(format!("Accept-Encoding: {BROWSER_ACCEPT_ENCODING}"));
        }
        headers
    }
}

fn step(what: &str) {
    println!("==> {what}");
}

/// The command as scripts/bench.sh would be given it (the driver's own
/// arguments, less the ones the script adds itself).
fn command_line() -> String {
    let mut words = vec!["scripts/bench.sh".to_string()];
    let mut args = std::env::args().skip(2);
    while let Some(arg) = args.next() {
        if matches!(
            arg.as_str(),
            "--root" | "--django-venv" | "--postgres" | "--started-at"
        ) {
            args.next();
            continue;
        }
        words.push(arg);
    }
    words.join(" ")
}

fn relative_to(path: &Path, base: &Path) -> String {
    let base: PathBuf = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
    path.strip_prefix(&base)
        .unwrap_or(path)
        .display()
        .to_string()
}
