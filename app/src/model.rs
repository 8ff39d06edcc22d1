//! Plain data shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// The home page's "Dynamic content" figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogCounts {
    pub books: i64,
    pub copies: i64,
    pub copies_available: i64,
    pub authors: i64,
}

/// What one view of the home page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeStats {
    pub counts: CatalogCounts,
    /// Views of the home page by this browser, this one included.
    pub visits: i64,
    /// Whether the request carried this browser's session cookie: false on a
    /// first visit, and on every visit of a browser that refuses cookies.
    pub cookie_returned: bool,
}
