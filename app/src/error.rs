//! The one error type server functions return, and how it reaches the user.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No such page, book or author.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong (a page number that is not a number, a
    /// choice that is not offered).
    #[error("{0}")]
    BadRequest(String),
    /// The database could not be reached or answered with an error. Details
    /// go to the server log, never to the visitor.
    #[error("The library catalog is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// Transport-level failures of the server function itself.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    /// The heading of the page that shows this error.
    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "Not found",
            AppError::BadRequest(_) => "Bad request",
            AppError::Unavailable => "Temporarily unavailable",
            AppError::ServerFn(_) => "Something went wrong",
        }
    }

    /// The HTTP status a page or server-function response carries for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Unavailable => 503,
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

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "database error");
            AppError::Unavailable
        }
    }

    impl From<rusqlite::Error> for AppError {
        fn from(err: rusqlite::Error) -> Self {
            tracing::error!(error = %err, "database error");
            AppError::Unavailable
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(err: tower_sessions::session::Error) -> Self {
            tracing::error!(error = %err, "session store error");
            AppError::Unavailable
        }
    }
}
