//! Layered configuration: built-in defaults, then `Leptos.toml`, then the
//! environment.

use std::path::{Path, PathBuf};

use anyhow::Context;
use leptos::config::{errors::LeptosConfigError, LeptosOptions};
use serde::Deserialize;

use crate::client::TrustedProxies;

/// Where the configuration file is looked for when none is named.
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

#[derive(Clone, Debug)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database: DatabaseSettings,
    pub session: SessionSettings,
    pub catalog: CatalogSettings,
    pub accounts: AccountSettings,
    pub mail: MailSettings,
    pub connections: ConnectionSettings,
    pub log: LogSettings,
    pub metrics: MetricsSettings,
    /// `[connections] trusted-proxies`: the proxies whose `X-Forwarded-For`
    /// and `X-Forwarded-Proto` are believed (none by default).
    pub trusted_proxies: TrustedProxies,
}

/// Where `/metrics` is served, if anywhere.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MetricsSettings {
    /// `IP:PORT`, apart from the site's; empty: no metrics.
    #[serde(deserialize_with = "address_or_none")]
    pub addr: Option<std::net::SocketAddr>,
}

/// `IP:PORT`, or an empty string for none.
fn address_or_none<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<std::net::SocketAddr>, D::Error> {
    let text = String::deserialize(deserializer)?;
    match text.trim() {
        "" => Ok(None),
        addr => addr.parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("{addr:?} is not an address written IP:PORT"))
        }),
    }
}

/// How the log is written (what is logged: `RUST_LOG`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LogSettings {
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// A line of text each, for people.
    Text,
    /// A JSON object a line, for a log collector.
    Json,
}

/// Where the site's mail (password resets) goes.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MailSettings {
    /// `smtp://[user:password@]host[:port]`: a relay that takes plain SMTP
    /// (this server does not speak TLS). Empty: no mail is sent; each
    /// message is kept in the database's outbox and written to the log.
    pub smtp_url: String,
    /// The sender, e.g. `LocalLibrary <library@example.org>`.
    pub from: String,
    /// The site's address as its users reach it, for the links in mail
    /// (never taken from a request's `Host`, which anyone can write).
    /// Empty: `http://` and the address the server listens on.
    pub site_url: String,
}

/// How long a client may take, and how many connections may be open: what
/// keeps slow, idle and flooding clients from holding the server.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ConnectionSettings {
    /// A request's header must have arrived this long after its first byte
    /// (after the connection opened, for its first request).
    pub header_timeout_secs: u64,
    /// A request's body must have arrived this long after its header.
    pub body_timeout_secs: u64,
    /// A kept-alive connection with no request on it is closed after this.
    pub idle_timeout_secs: u64,
    /// Open connections at most.
    pub max: usize,
    /// Stopping, the server finishes what its open connections have in
    /// hand for up to this long, then exits all the same.
    pub drain_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CatalogSettings {
    /// Load the demo catalog into a new database (one with no record of
    /// any kind and no catalog ever loaded) at start.
    pub seed_demo: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AccountSettings {
    /// Give a database with no user a demo librarian and a demo member at
    /// start, with new passwords written to the log (scripts/dev.sh).
    pub demo_users: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub busy_timeout_ms: u64,
    pub idle_timeout_secs: u64,
    pub startup_retry_secs: u64,
    /// SQLite: how often the write-ahead log is copied back into the
    /// database file (0: never, by this server).
    pub checkpoint_interval_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SessionSettings {
    pub cookie_name: String,
    pub secure: bool,
    pub expiry: SessionExpiry,
    pub max_age_secs: u64,
    pub purge_interval_secs: u64,
    pub unconfirmed_ttl_secs: u64,
}

/// When a session ends (Django: SESSION_SAVE_EVERY_REQUEST and
/// SESSION_EXPIRE_AT_BROWSER_CLOSE, in one setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionExpiry {
    /// `max-age-secs` after the session last changed (a home-page view is a change).
    OnInactivity,
    /// `max-age-secs` after the session began, however it is used.
    AtFixedTime,
    /// When the browser closes (a cookie without Max-Age); the server keeps
    /// the session for `max-age-secs` after it last changed.
    AtBrowserClose,
}

/// The sections of the file that are ours (Leptos reads its own).
#[derive(Deserialize)]
struct FileSettings {
    database: DatabaseSettings,
    session: SessionSettings,
    catalog: CatalogSettings,
    accounts: AccountSettings,
    mail: MailSettings,
    connections: ConnectionSettings,
    log: LogSettings,
    metrics: MetricsSettings,
}

const DEFAULTS: &str = r#"
[database]
url = "sqlite://locallibrary.sqlite3"
max-connections = 4
acquire-timeout-secs = 5
busy-timeout-ms = 5000
idle-timeout-secs = 600
startup-retry-secs = 60
checkpoint-interval-ms = 100

[session]
cookie-name = "sessionid"
secure = false
expiry = "on-inactivity"
max-age-secs = 1209600
purge-interval-secs = 3600
unconfirmed-ttl-secs = 3600

[catalog]
seed-demo = true

[accounts]
demo-users = false

[mail]
smtp-url = ""
from = "LocalLibrary <locallibrary@localhost>"
site-url = ""

[connections]
header-timeout-secs = 10
body-timeout-secs = 30
idle-timeout-secs = 60
max = 2048
drain-secs = 30
trusted-proxies = []

[log]
format = "text"

[metrics]
addr = ""
"#;

impl Settings {
    /// Loads the file named by `path`, else by `LOCALLIBRARY_CONFIG`, else
    /// `Leptos.toml` in the working directory if there is one.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Settings> {
        let named = path
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("LOCALLIBRARY_CONFIG").map(PathBuf::from));
        let text = match named {
            Some(path) => std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read configuration file {}", path.display()))?,
            None => std::fs::read_to_string(DEFAULT_CONFIG_FILE).unwrap_or_default(),
        };
        Settings::from_toml(&text)
    }

    /// Builds the settings from the text of a configuration file, with the
    /// environment layered over it.
    pub fn from_toml(text: &str) -> anyhow::Result<Settings> {
        use config::{Config, Environment, File, FileFormat};

        let built = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(File::from_str(text, FileFormat::Toml))
            .add_source(
                Environment::with_prefix("LOCALLIBRARY")
                    .prefix_separator("_")
                    .separator("__")
                    .convert_case(config::Case::Kebab)
                    .try_parsing(true),
            )
            .set_override_option("database.url", std::env::var("DATABASE_URL").ok())?
            .build()
            .context("invalid configuration")?;
        let ours: FileSettings = built
            .clone()
            .try_deserialize()
            .context("invalid configuration")?;
        // Apart from the other connection settings, which are copied into
        // every connection's task.
        let trusted_proxies: TrustedProxies = built
            .get("connections.trusted-proxies")
            .context("invalid configuration: connections.trusted-proxies")?;

        // Without a Leptos section (no file, or a file of our sections only)
        // the Leptos values come from the environment and built-in defaults.
        let leptos = match leptos::config::get_config_from_str(text) {
            Err(LeptosConfigError::ConfigSectionNotFound) => {
                leptos::config::get_config_from_env().map(|conf| conf.leptos_options)
            }
            other => other,
        }
        .context("invalid [package.metadata.leptos] configuration")?;

        Ok(Settings {
            leptos,
            database: ours.database,
            session: ours.session,
            catalog: ours.catalog,
            accounts: ours.accounts,
            mail: ours.mail,
            connections: ours.connections,
            log: ours.log,
            metrics: ours.metrics,
            trusted_proxies,
        })
    }
}
