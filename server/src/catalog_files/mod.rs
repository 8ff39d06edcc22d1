//! Catalog files: reading and checking them (`file`), merging one into the
//! database by id (`merge`), and putting one in the database in place of
//! the current catalog (`import`), and writing the catalog to one
//! (`export`).

pub mod export;
pub mod file;
pub mod import;
pub mod merge;

pub use export::export_catalog;
pub use file::{CatalogError, Counts, Source};
pub use import::{replace_catalog, seed_if_new, CopiesOnLoan, ImportSummary, Loans};
pub use merge::{merge_catalog, Clashes, MergeReport, Mode};
