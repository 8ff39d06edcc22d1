//! Building the application: `app()` is the router, `Application` binds it
//! to a port and serves it.

use std::{
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use anyhow::Context;
use axum::{
    http::{header, request::Parts, HeaderValue, StatusCode},
    middleware,
    response::IntoResponse,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, limit::RequestBodyLimitLayer,
    services::ServeDir, set_header::SetResponseHeaderLayer,
};

use app::{db::Db, page_inputs::PageInputs, session::SessionPolicy, shell, App};

use crate::{
    addresses, catalog_files,
    config::{ConnectionSettings, SessionSettings, Settings},
    connections, database, forms,
    hashed_files::{self, Fingerprints},
    mail::Mailer,
    monitoring::{self, Metrics},
    origin,
    page_requests::{self, Pages},
    request_log, routes,
    security::{self, ResponseNonce, SecurityHeaders},
    session_layer,
    state::AppState,
};

/// The most any request's body may weigh.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole site as one router: pages, server functions, static files,
/// with sessions around all of them (a session is only read from the store
/// when a handler uses it); and the probes, around none.
pub fn app(settings: &Settings, db: Db, policy: SessionPolicy, mailer: Mailer) -> Router {
    let leptos_options = settings.leptos.clone();
    let routes = route_list();
    let pkg_route = format!("/{}", leptos_options.site_pkg_dir);
    let pkg_dir = Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir);
    let state = AppState::new(leptos_options.clone(), db.clone());
    let probes = routes::probes(db.clone());
    let pages = Pages::new(db.clone(), policy.clone());
    let watching = std::env::var_os("LEPTOS_WATCH").is_some();
    let security_headers = SecurityHeaders::new(settings.session.secure, watching);

    // What server functions and pages find in their context: a page, its
    // inputs (resolved by `pages`), and the nonce the Content-Security-
    // Policy names, in place of the one Leptos drew.
    let fingerprints = Fingerprints::scan(
        &leptos_options,
        if watching {
            hashed_files::Files::Rebuilt
        } else {
            hashed_files::Files::Built
        },
    );
    let names = fingerprints.names.clone();
    let context = move || {
        provide_context(db.clone());
        provide_context(names.clone());
        provide_context(policy.clone());
        if let Some(request) = use_context::<Parts>() {
            if let Some(inputs) = request.extensions.get::<PageInputs>() {
                provide_context(inputs.clone());
            }
            if let Some(nonce) = ResponseNonce::of(&request) {
                provide_context(nonce);
            }
        }
    };

    let sessions = session_layer::layer(&state.db, &settings.session);
    // A page rendered for a request that is not its route's: the 404
    // page, a page shown again by its form.
    let render = page_renderer(&leptos_options, context.clone());
    let forms = forms::Forms::new(
        pages.clone(),
        render.clone(),
        mailer,
        settings.trusted_proxies.clone(),
    );
    let pages_and_forms = Router::new()
        .nest_service(&pkg_route, bundle(pkg_dir))
        .leptos_routes_with_context(&state, routes, context, move || {
            shell(leptos_options.clone())
        });
    let site = forms::add_to(pages_and_forms, forms)
        // Static files, else the 404 page (which shows the notice, so it
        // needs its inputs like any page).
        .fallback_service(static_files_else_404(
            &state.leptos_options,
            pages.clone(),
            render,
        ))
        .layer(middleware::from_fn(routes::server_fn_error_status))
        .layer(middleware::from_fn(routes::keep_redirects_on_site))
        .with_state(state);

    // The layers go around the whole site, once: `Router::layer` wraps each
    // route's service, and a request clones its route's service, layers
    // included, before the layers run (a kept page's request would clone a
    // page's handler, the Leptos options in it, only to not call it).
    //
    // Kept pages are answered before the cross-origin check, which only
    // looks at requests that change state (they are GETs), and before the
    // compression layer (they come compressed, or not, as kept): for every
    // view of a kept page, those two layers cost about a seventh of the
    // server's own instructions to do nothing.
    let rendered = Router::new()
        .fallback_service(site)
        .layer(middleware::from_fn_with_state(
            fingerprints,
            hashed_files::serve,
        ))
        .layer(CompressionLayer::new())
        .layer(origin::layer())
        .layer(middleware::from_fn_with_state(
            origin::SiteScheme {
                secure: settings.session.secure,
                proxies: settings.trusted_proxies.clone(),
            },
            origin::refuse_foreign,
        ));
    let site = Router::new()
        .fallback_service(rendered)
        // Inside the session layer: it counts home views in the session, and
        // reads the preferences that pages are rendered (and kept) by.
        .layer(middleware::from_fn_with_state(pages, page_requests::serve))
        .layer(sessions)
        // A bug must not take the connection down with it: a panic becomes a 500.
        .layer(CatchPanicLayer::new())
        // No request of this site carries more (the forms take less still:
        // forms::MAX_FORM_BYTES): a longer body is refused as it arrives,
        // 413 for one that says its length, never gathered.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Before anything reads the address: one form for each.
        .layer(middleware::from_fn(addresses::canonical))
        .layer(middleware::from_fn_with_state(
            security_headers,
            security::add,
        ));
    // Counted inside the log's layers, so the log's own time is not.
    let site = if settings.metrics.addr.is_some() {
        monitoring::around(site)
    } else {
        site
    };
    // A line for each request answered, with the id it is known by.
    let site = request_log::around(site, settings.trusted_proxies.clone());
    probes.fallback_service(site)
}

/// The wasm, JS and CSS. A release build ships each file with brotli and
/// gzip twins (`cargo leptos build --release --precompress`), sent as they
/// are to browsers that accept them rather than compressing a megabyte of
/// wasm on every load (a debug build has none: the compression layer does
/// it). Under their plain names browsers revalidate them (a 304 when
/// nothing changed); pages name them by their hashed names
/// ([`hashed_files`](crate::hashed_files)), which are kept for a year.
fn bundle(dir: PathBuf) -> Router {
    let files = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(ServeDir::new(dir).precompressed_br().precompressed_gzip());
    files_else(
        files,
        Router::new().fallback(|| async { StatusCode::NOT_FOUND }),
    )
}

/// Renders the app's page at a request's address, from the inputs in its
/// extensions, whatever the request's method.
fn page_renderer(
    options: &LeptosOptions,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Router {
    let shell_options = options.clone();
    let render =
        leptos_axum::render_app_async_with_context(context, move || shell(shell_options.clone()));
    Router::new().fallback(move |request: axum::extract::Request| render(request))
}

/// The files of the site root (the favicon, the navigation script), else
/// the 404 page (rendered by `render`), its inputs resolved first.
fn static_files_else_404(options: &LeptosOptions, pages: Pages, render: Router) -> Router {
    let not_found = render.layer(middleware::from_fn_with_state(
        pages,
        page_requests::not_found,
    ));
    let files = ServeDir::new(&*options.site_root).fallback(not_found.clone());
    files_else(files, not_found)
}

/// `files` (a directory's), except for an address with a name longer than
/// a file's can be, which is none of them and goes to `missing`: asked
/// for one, the file system fails, and ServeDir answers 500.
fn files_else<S, B>(files: S, missing: Router) -> Router
where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::http::Response<B>,
            Error = Infallible,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
    B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    /// The longest file name Linux file systems hold.
    const MAX_FILE_NAME_BYTES: usize = 255;
    Router::new().fallback(move |request: axum::extract::Request| {
        let (files, missing) = (files.clone(), missing.clone());
        async move {
            let too_long = request
                .uri()
                .path()
                .split('/')
                .any(|segment| segment.len() > MAX_FILE_NAME_BYTES);
            if too_long {
                missing.oneshot(request).await.into_response()
            } else {
                files.oneshot(request).await.into_response()
            }
        }
    })
}

/// The app's routes, found by rendering it once per process.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// A built site, bound to its address but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    session: SessionSettings,
    connections: ConnectionSettings,
    checkpoint_interval: std::time::Duration,
    metrics: Option<Metrics>,
}

impl Application {
    /// Opens the database (creating and migrating it as needed), seeds a
    /// new one with the demo catalog (unless configured not to), and binds
    /// the configured address
    /// (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = database::connect(&settings.database).await?;
        database::migrate(&db).await?;
        if settings.catalog.seed_demo {
            if let Some(summary) = catalog_files::seed_if_new(&db).await? {
                tracing::info!(%summary, "a new database: loaded the demo catalog");
            }
        }
        if settings.accounts.demo_users {
            for (username, password) in app::accounts::create_demo_users(&db).await? {
                tracing::info!("demo user {username} created, password: {password}");
            }
        }
        let metrics = match settings.metrics.addr {
            Some(addr) => Some(Metrics::start(addr).await?),
            None => None,
        };
        let addr = settings.leptos.site_addr;
        let listener =
            connections::listen(addr).with_context(|| format!("cannot listen on {addr}"))?;
        let policy = session_layer::load_policy(&db, &settings.session).await?;
        let listening = listener.local_addr()?.to_string();
        let mailer = Mailer::new(&settings.mail, &listening, db.clone())?;
        let router = app(&settings, db.clone(), policy, mailer);
        let connections = ConnectionSettings {
            max: connections::capacity(settings.connections.max),
            ..settings.connections
        };
        Ok(Application {
            listener,
            router,
            db,
            session: settings.session,
            connections,
            checkpoint_interval: std::time::Duration::from_millis(
                settings.database.checkpoint_interval_ms,
            ),
            metrics,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `/metrics` is served, if it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(Metrics::local_addr)
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let purge = session_layer::spawn_purge_task(self.db.clone(), self.session);
        let checkpoint = database::spawn_checkpoint_task(self.db.clone(), self.checkpoint_interval);
        let metrics = self.metrics.map(|metrics| metrics.serve(self.db.clone()));
        let drain = std::time::Duration::from_secs(self.connections.drain_secs);
        connections::serve(
            self.listener,
            self.router,
            self.connections,
            drain,
            shutdown,
        )
        .await;
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        purge.abort();
        if let Some(checkpoint) = checkpoint {
            checkpoint.abort();
        }
        self.db.close().await;
        Ok(())
    }
}
