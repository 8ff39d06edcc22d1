//! The one error type server functions return, and how it reaches the user.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

use crate::{language::Locale, model::MAX_SEARCH_CHARS};

/// What went wrong, as data: the page or the island that shows it writes
/// it in its language ([`AppError::title`], [`AppError::message`]); its
/// `Display` is the English message, for the server's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// No such page, book or author.
    NotFound(Missing),
    /// The request itself is wrong (a page number that is not a number, a
    /// choice that is not offered).
    BadRequest(Invalid),
    /// The user signed in may not see this page or do this (a member
    /// asking for a librarian's page).
    Forbidden,
    /// An outage: the database cannot be reached, stayed locked past its
    /// busy timeout, or had no free connection in time. It passes by
    /// itself: a 503, and the visitor may try again. Details go to the
    /// server log, never to the visitor.
    Unavailable,
    /// A bug: anything else that went wrong on the server (a statement the
    /// database rejects, a value that does not decode, a layer missing).
    /// Trying again will not help: a 500, logged once with its cause.
    Internal,
    /// Transport-level failures of the server function itself.
    ServerFn(ServerFnErrorErr),
}

/// What was not found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Missing {
    /// No page at the address.
    Page,
    /// No book with this id (as it was written in the address).
    Book(String),
    /// No copy with this id.
    Copy(String),
    /// No copy on loan with this id (there is nothing to renew).
    Loan(String),
    /// No author with this id.
    Author(String),
    /// No genre with this id.
    Genre(String),
    /// No language with this id.
    Language(String),
    /// No user with this id.
    Member(String),
    /// A page past the end of a list of `pages` pages.
    ListPage { page: u32, pages: u32 },
}

/// What was wrong with a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invalid {
    /// `?page=` that is not a page number.
    PageNumber(String),
    /// A number of results per page that is not offered.
    PerPage(u32),
    /// A search longer than `MAX_SEARCH_CHARS`.
    SearchTooLong,
    /// A language the site is not written in.
    Language(String),
}

impl AppError {
    /// The heading of the page that shows this error.
    pub fn title(&self, locale: Locale) -> &'static str {
        match self {
            AppError::NotFound(_) => td_string!(locale, errors.not_found),
            AppError::BadRequest(_) => td_string!(locale, errors.bad_request),
            AppError::Forbidden => td_string!(locale, errors.forbidden),
            AppError::Unavailable => td_string!(locale, errors.unavailable),
            AppError::ServerFn(_) if self.status_code() == 400 => {
                td_string!(locale, errors.bad_request)
            }
            AppError::Internal | AppError::ServerFn(_) => td_string!(locale, errors.internal),
        }
    }

    /// What the visitor is told.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::NotFound(missing) => missing.message(locale),
            AppError::BadRequest(invalid) => invalid.message(locale),
            AppError::Forbidden => td_string!(locale, errors.forbidden_message).to_string(),
            AppError::Unavailable => td_string!(locale, errors.unavailable_message).to_string(),
            AppError::ServerFn(_) if self.status_code() == 400 => {
                td_string!(locale, errors.unreadable_request).to_string()
            }
            AppError::Internal | AppError::ServerFn(_) => {
                td_string!(locale, errors.internal_message).to_string()
            }
        }
    }

    /// The HTTP status a page or server-function response carries for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Forbidden => 403,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            // The request's arguments could not be read: the client's mistake.
            AppError::ServerFn(
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_),
            ) => 400,
            AppError::ServerFn(_) => 500,
        }
    }
}

impl Missing {
    fn message(&self, locale: Locale) -> String {
        match self {
            Missing::Page => td_string!(locale, errors.no_page_here).to_string(),
            Missing::Book(id) => {
                td_string!(locale, errors.no_book, id = as_written(locale, id)).to_string()
            }
            Missing::Copy(id) => td_string!(locale, errors.no_copy, id).to_string(),
            Missing::Loan(id) => td_string!(locale, errors.no_loan, id).to_string(),
            Missing::Author(id) => {
                td_string!(locale, errors.no_author, id = as_written(locale, id)).to_string()
            }
            Missing::Genre(id) => {
                td_string!(locale, errors.no_genre, id = as_written(locale, id)).to_string()
            }
            Missing::Language(id) => {
                td_string!(locale, errors.no_language, id = as_written(locale, id)).to_string()
            }
            Missing::Member(id) => {
                td_string!(locale, errors.no_member, id = as_written(locale, id)).to_string()
            }
            Missing::ListPage { page, pages } => {
                td_string!(locale, errors.no_list_page, page, pages).to_string()
            }
        }
    }
}

/// An id as the address had it: a number as it is, anything else quoted.
fn as_written(locale: Locale, id: &str) -> String {
    if id.parse::<i64>().is_ok() {
        id.to_string()
    } else {
        td_string!(locale, errors.quoted, text = id).to_string()
    }
}

impl Invalid {
    fn message(&self, locale: Locale) -> String {
        match self {
            Invalid::PageNumber(text) => {
                td_string!(locale, errors.not_a_page_number, text).to_string()
            }
            Invalid::PerPage(per_page) => {
                td_string!(locale, errors.per_page_not_offered, per_page).to_string()
            }
            Invalid::SearchTooLong => {
                td_string!(locale, errors.search_too_long, max = MAX_SEARCH_CHARS).to_string()
            }
            Invalid::Language(tag) => td_string!(locale, errors.no_such_language, tag).to_string(),
        }
    }
}

/// The English message, for the log (and for programs reading a server
/// function's error).
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The transport's own words say what could not be read.
            AppError::ServerFn(err) => write!(f, "{err}"),
            other => f.write_str(&other.message(Locale::en)),
        }
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    impl AppError {
        /// A bug found on the server: logged here, once, with its cause.
        pub fn bug(cause: impl std::fmt::Display) -> AppError {
            tracing::error!(error = %cause, "internal error");
            AppError::Internal
        }

        /// A database error, as an outage (503) or a bug (500), logged
        /// here, once, with its cause.
        pub fn database(err: &sqlx::Error) -> AppError {
            if is_outage(err) {
                tracing::warn!(error = %err, "database unavailable");
                AppError::Unavailable
            } else {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }

    /// Whether `err` says the database is down, busy or out of connections
    /// for now (it passes by itself), rather than that a statement is wrong.
    pub fn is_outage(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|code| outage_code(&code)),
            _ => false,
        }
    }

    /// SQLite's result codes (primary code in the low byte) and
    /// PostgreSQL's SQLSTATEs that mean "not now" rather than "wrong".
    fn outage_code(code: &str) -> bool {
        if let Ok(sqlite) = code.parse::<i32>() {
            // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL,
            // SQLITE_CANTOPEN, SQLITE_PROTOCOL.
            return matches!(sqlite & 0xff, 5 | 6 | 10 | 13 | 14 | 15);
        }
        // Class 08: connection exceptions; 53: insufficient resources (too
        // many connections, disk full); 57P0x: the server shutting down or
        // starting; 55P03: lock_timeout; 40001, 40P01: serialization
        // failures and deadlocks, which a retry resolves.
        code.starts_with("08")
            || code.starts_with("53")
            || code.starts_with("57P0")
            || matches!(code, "55P03" | "40001" | "40P01")
    }

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            AppError::database(&err)
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        /// The site's store says which it was ([`SESSION_STORE_UNAVAILABLE`]);
        /// it has logged the cause.
        fn from(err: tower_sessions::session::Error) -> Self {
            use tower_sessions::{session::Error, session_store::Error as Store};
            match err {
                Error::Store(Store::Backend(message)) if message == SESSION_STORE_UNAVAILABLE => {
                    AppError::Unavailable
                }
                Error::Store(Store::Backend(message)) if message == SESSION_STORE_FAILED => {
                    AppError::Internal
                }
                other => AppError::bug(format!("session store: {other}")),
            }
        }
    }

    /// What the site's session store reports for an outage of the database
    /// (already logged): tower-sessions passes store errors on as text.
    pub const SESSION_STORE_UNAVAILABLE: &str = "database unavailable";
    /// What it reports for any other database error (already logged).
    pub const SESSION_STORE_FAILED: &str = "database error";
}

/// How long an outage's 503 asks a client to wait before trying again
/// (`Retry-After`, seconds).
pub const RETRY_AFTER_SECS: &str = "5";

#[cfg(feature = "ssr")]
pub use server::{is_outage, SESSION_STORE_FAILED, SESSION_STORE_UNAVAILABLE};
