//! A visitor's search, as each database's text search takes it.
//!
//! Every word of the search must match a word of the book's title or its
//! author's names, in any order; the last may be the beginning of one (a
//! search typed so far: "cartographer cyr" finds Cyril). Case and accents are
//! folded by the databases' own text search (migrations: SQLite's FTS5
//! table `book_search`, PostgreSQL's `book.search`), so "garcia" finds
//! "García Márquez" and "Carter, Farid" finds Farid Carter's books.

use crate::{
    db::Db,
    error::{AppError, Invalid},
    model::MAX_SEARCH_CHARS,
};

/// The words of a search, as typed: split at anything that is not a letter
/// or a digit ("Carter, Farid" is two words, as is "O'Connor").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTerms {
    words: Vec<String>,
}

impl SearchTerms {
    /// `None` for a search with no word in it (empty, or punctuation only);
    /// a search longer than any title and name together is refused.
    pub fn parse(term: &str) -> Result<Option<SearchTerms>, AppError> {
        if term.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::BadRequest(Invalid::SearchTooLong));
        }
        let words: Vec<String> = term
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect();
        Ok((!words.is_empty()).then_some(SearchTerms { words }))
    }

    /// The value a search statement binds: for SQLite an FTS5 query (each
    /// word quoted, all required, the last as a prefix); for PostgreSQL the
    /// words, which the statement folds and parses as the index was
    /// (`search_query`).
    pub fn bind_value(&self, db: &Db) -> String {
        match db {
            Db::Sqlite(_) => fts5_query(&self.words),
            Db::Postgres(_) => self.words.join(" "),
        }
    }
}

/// `"cartographer" AND "cyr"*`: the words are letters and digits only, so
/// quoting makes each a plain word (never an operator such as OR).
fn fts5_query(words: &[String]) -> String {
    let last = words.len() - 1;
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            if i == last {
                format!("\"{word}\"*")
            } else {
                format!("\"{word}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// What a catalog load runs once its books are in, in its transaction:
/// SQLite's text index merged into one segment (a bulk load leaves many,
/// and a search reads every one of them); PostgreSQL's statistics of the
/// new tables, which its planner needs to choose between the text index
/// and walking the list.
pub fn after_load(db: &Db) -> &'static [&'static str] {
    match db {
        Db::Sqlite(_) => &["INSERT INTO book_search (book_search) VALUES ('optimize')"],
        Db::Postgres(_) => &["ANALYZE book", "ANALYZE author", "ANALYZE book_instance"],
    }
}

/// One step of merging SQLite's text index after a merging load, which
/// writes a batch per transaction and so leaves many segments: a bounded
/// amount of work (pages of the index), short enough that the site's
/// writes never wait long for it. A step that changes fewer than two rows
/// found nothing left to merge (FTS5's own test of it).
pub const SQLITE_MERGE_STEP: &str =
    "INSERT INTO book_search (book_search, rank) VALUES ('merge', 500)";

/// A bound on the steps, should a step keep finding work.
pub const MAX_MERGE_STEPS: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::SearchTerms;

    fn words(term: &str) -> Option<Vec<String>> {
        SearchTerms::parse(term).unwrap().map(|terms| terms.words)
    }

    #[test]
    fn a_search_is_its_words() {
        assert_eq!(
            words("Carter, Farid"),
            Some(vec!["Carter".into(), "Farid".into()])
        );
        assert_eq!(words("  ÑanDÚ  "), Some(vec!["ÑanDÚ".into()]));
        assert_eq!(words("红楼"), Some(vec!["红楼".into()]));
        assert_eq!(
            words("<Big> \"quoted\"* OR"),
            Some(vec!["Big".into(), "quoted".into(), "OR".into()])
        );
        assert_eq!(words(" &&, "), None);
        assert_eq!(words(""), None);
        assert!(SearchTerms::parse(&"a".repeat(201)).is_err());
    }

    #[test]
    fn the_last_word_may_be_the_beginning_of_one() {
        let words = |term: &str| SearchTerms::parse(term).unwrap().unwrap().words;
        assert_eq!(
            super::fts5_query(&words("Carter, Far")),
            r#""Carter" AND "Far"*"#
        );
        assert_eq!(super::fts5_query(&words("OR")), r#""OR"*"#);
    }
}
