//! The database handle that server functions find in their context.

use sqlx::SqlitePool;

use crate::error::AppError;

/// The site's one database: catalog and sessions live side by side.
#[derive(Clone, Debug)]
pub struct Db(pub SqlitePool);

impl Db {
    /// The handle the server put in the Leptos context of this request.
    pub fn from_context() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>().ok_or_else(|| {
            tracing::error!("no database handle in the request context");
            AppError::Unavailable
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.0
    }
}
