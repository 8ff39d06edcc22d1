//! The JSON catalog format (as in `catalog-small.json`), and every check a
//! file must pass before anything is written.

use std::{
    collections::{HashMap, HashSet},
    fmt,
};

use serde::{de::DeserializeOwned, Deserialize};
use serde_json::Value;
use time::{macros::format_description, Date};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genre {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<String>,
    pub date_of_death: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author_id: Option<i64>,
    pub summary: String,
    pub isbn: String,
    pub language_id: Option<i64>,
    #[serde(default)]
    pub genre_ids: Vec<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookInstance {
    pub id: String,
    pub book_id: i64,
    pub imprint: String,
    pub due_back: Option<String>,
    pub status: String,
}

/// A catalog that has passed every check in [`Catalog::parse`].
#[derive(Debug)]
pub struct Catalog {
    pub genres: Vec<Genre>,
    pub languages: Vec<Language>,
    pub authors: Vec<Author>,
    pub books: Vec<Book>,
    pub book_instances: Vec<BookInstance>,
}

/// Why a file was refused: every problem found, each naming its record.
#[derive(Debug)]
pub enum CatalogError {
    Json(serde_json::Error),
    Records(Vec<String>),
}

/// How many problems are listed before the rest are only counted.
const MAX_LISTED: usize = 20;

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::Json(err) => write!(f, "the file is not a valid catalog: {err}"),
            CatalogError::Records(problems) => {
                write!(f, "the catalog has {} problem(s):", problems.len())?;
                for problem in problems.iter().take(MAX_LISTED) {
                    write!(f, "\n  {problem}")?;
                }
                if problems.len() > MAX_LISTED {
                    write!(f, "\n  … and {} more", problems.len() - MAX_LISTED)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CatalogError {}

/// The file's top level, with each record still raw so that a malformed one
/// can be reported by its position and id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    genres: Vec<Value>,
    languages: Vec<Value>,
    authors: Vec<Value>,
    books: Vec<Value>,
    book_instances: Vec<Value>,
}

pub const STATUSES: &str = "m (maintenance), o (on loan), a (available), r (reserved)";

impl Catalog {
    pub fn parse(json: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = serde_json::from_str(json).map_err(CatalogError::Json)?;
        let mut problems = Vec::new();
        let catalog = Catalog {
            genres: records(raw.genres, "genre", &mut problems),
            languages: records(raw.languages, "language", &mut problems),
            authors: records(raw.authors, "author", &mut problems),
            books: records(raw.books, "book", &mut problems),
            book_instances: records(raw.book_instances, "copy", &mut problems),
        };
        // Cross-record checks only on well-formed records: a record that
        // could not be read would otherwise echo as dangling references.
        if problems.is_empty() {
            catalog.check(&mut problems);
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogError::Records(problems))
        }
    }

    pub fn record_count(&self) -> usize {
        self.genres.len()
            + self.languages.len()
            + self.authors.len()
            + self.books.len()
            + self.book_instances.len()
    }

    fn check(&self, problems: &mut Vec<String>) {
        let genre_ids = unique_ids(self.genres.iter().map(|g| g.id), "genre", problems);
        let language_ids = unique_ids(self.languages.iter().map(|l| l.id), "language", problems);
        let author_ids = unique_ids(self.authors.iter().map(|a| a.id), "author", problems);
        let book_ids = unique_ids(self.books.iter().map(|b| b.id), "book", problems);
        unique_ids(
            self.book_instances.iter().map(|c| c.id.as_str()),
            "copy",
            problems,
        );
        unique_values(
            self.genres.iter().map(|g| (g.id, g.name.as_str())),
            "genre",
            "name",
            problems,
        );
        unique_values(
            self.languages.iter().map(|l| (l.id, l.name.as_str())),
            "language",
            "name",
            problems,
        );
        unique_values(
            self.books.iter().map(|b| (b.id, b.isbn.as_str())),
            "book",
            "ISBN",
            problems,
        );

        for genre in &self.genres {
            require_text(
                &genre.name,
                &format!("genre {}", genre.id),
                "name",
                problems,
            );
        }
        for language in &self.languages {
            require_text(
                &language.name,
                &format!("language {}", language.id),
                "name",
                problems,
            );
        }
        for author in &self.authors {
            let who = format!("author {}", author.id);
            require_text(&author.first_name, &who, "first_name", problems);
            require_text(&author.last_name, &who, "last_name", problems);
            let born = optional_date(&author.date_of_birth, &who, "date_of_birth", problems);
            let died = optional_date(&author.date_of_death, &who, "date_of_death", problems);
            if let (Some(born), Some(died)) = (born, died) {
                if died < born {
                    problems.push(format!(
                        "{who}: date_of_death {died} is before date_of_birth {born}"
                    ));
                }
            }
        }
        for book in &self.books {
            let who = format!("book {}", book.id);
            require_text(&book.title, &who, "title", problems);
            if !is_isbn13(&book.isbn) {
                problems.push(format!(
                    "{who}: ISBN {:?} is not a valid ISBN-13",
                    book.isbn
                ));
            }
            if let Some(author_id) = book.author_id {
                require_ref(
                    &author_ids,
                    author_id,
                    &who,
                    "author_id",
                    "author",
                    problems,
                );
            }
            if let Some(language_id) = book.language_id {
                require_ref(
                    &language_ids,
                    language_id,
                    &who,
                    "language_id",
                    "language",
                    problems,
                );
            }
            for &genre_id in &book.genre_ids {
                require_ref(&genre_ids, genre_id, &who, "genre_ids", "genre", problems);
            }
        }
        for copy in &self.book_instances {
            let who = format!("copy {}", copy.id);
            if uuid::Uuid::try_parse(&copy.id).is_err() {
                problems.push(format!("{who}: id is not a UUID"));
            }
            require_ref(&book_ids, copy.book_id, &who, "book_id", "book", problems);
            if !matches!(copy.status.as_str(), "m" | "o" | "a" | "r") {
                problems.push(format!(
                    "{who}: status {:?} is not one of {STATUSES}",
                    copy.status
                ));
            }
            optional_date(&copy.due_back, &who, "due_back", problems);
        }
    }
}

/// Deserializes each raw record, reporting the ones that do not fit by
/// position (and id, when it has one).
fn records<T: DeserializeOwned>(raw: Vec<Value>, kind: &str, problems: &mut Vec<String>) -> Vec<T> {
    raw.into_iter()
        .enumerate()
        .filter_map(|(index, value)| {
            let id = value.get("id").map(Value::to_string);
            serde_json::from_value(value)
                .map_err(|err| {
                    let who = match id {
                        Some(id) => {
                            format!("{kind} {} (record {})", id.trim_matches('"'), index + 1)
                        }
                        None => format!("{kind} record {}", index + 1),
                    };
                    problems.push(format!("{who}: {err}"));
                })
                .ok()
        })
        .collect()
}

fn unique_ids<K: std::hash::Hash + Eq + fmt::Display + Copy>(
    ids: impl Iterator<Item = K>,
    kind: &str,
    problems: &mut Vec<String>,
) -> HashSet<K> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(format!("{kind} {id}: duplicate id"));
        }
    }
    seen
}

fn unique_values<'a>(
    records: impl Iterator<Item = (i64, &'a str)>,
    kind: &str,
    field: &str,
    problems: &mut Vec<String>,
) {
    let mut first: HashMap<&str, i64> = HashMap::new();
    for (id, value) in records {
        if let Some(other) = first.insert(value, id) {
            problems.push(format!(
                "{kind} {id}: {field} {value:?} is already used by {kind} {other}"
            ));
        }
    }
}

fn require_text(value: &str, who: &str, field: &str, problems: &mut Vec<String>) {
    if value.trim().is_empty() {
        problems.push(format!("{who}: {field} is empty"));
    }
}

fn require_ref(
    ids: &HashSet<i64>,
    id: i64,
    who: &str,
    field: &str,
    kind: &str,
    problems: &mut Vec<String>,
) {
    if !ids.contains(&id) {
        problems.push(format!(
            "{who}: {field} {id} does not match any {kind} in this file"
        ));
    }
}

fn optional_date(
    value: &Option<String>,
    who: &str,
    field: &str,
    problems: &mut Vec<String>,
) -> Option<Date> {
    let text = value.as_deref()?;
    match Date::parse(text, format_description!("[year]-[month]-[day]")) {
        Ok(date) => Some(date),
        Err(_) => {
            problems.push(format!(
                "{who}: {field} {text:?} is not a date (YYYY-MM-DD)"
            ));
            None
        }
    }
}

/// Thirteen digits whose weighted sum (weights 1, 3, 1, 3, …) is a multiple of 10.
pub fn is_isbn13(isbn: &str) -> bool {
    isbn.len() == 13
        && isbn.bytes().all(|b| b.is_ascii_digit())
        && isbn
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
            .sum::<u32>()
            % 10
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = include_str!("../../data/catalog-small.json");

    fn problems_of(json: &str) -> Vec<String> {
        match Catalog::parse(json) {
            Err(CatalogError::Records(problems)) => problems,
            other => panic!("expected record problems, got {other:?}"),
        }
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> String {
        let mut value: Value = serde_json::from_str(SMALL).unwrap();
        edit(&mut value);
        value.to_string()
    }

    #[test]
    fn the_small_catalog_is_valid() {
        let catalog = Catalog::parse(SMALL).unwrap();
        assert_eq!(catalog.books.len(), 20);
        assert_eq!(catalog.book_instances.len(), 50);
    }

    #[test]
    fn isbn_check_digit() {
        assert!(is_isbn13("9780306406157"));
        assert!(!is_isbn13("9780306406158"));
        assert!(!is_isbn13("978030640615"));
        assert!(!is_isbn13("97803064061a7"));
    }

    #[test]
    fn each_problem_names_its_record() {
        let json = edited(|v| {
            v["books"][6]["author_id"] = 99.into();
            v["book_instances"][0]["status"] = "x".into();
            v["authors"][3]["date_of_birth"] = "1925-13-01".into();
            v["genres"][1]["id"] = 1.into();
        });
        let problems = problems_of(&json);
        assert!(
            problems.contains(
                &"book 7: author_id 99 does not match any author in this file".to_string()
            ),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("copy 228e8b0d-3e61-41c8-b29f-01e58374a3ab: status \"x\"")),
            "{problems:?}"
        );
        assert!(
            problems.contains(
                &"author 4: date_of_birth \"1925-13-01\" is not a date (YYYY-MM-DD)".to_string()
            ),
            "{problems:?}"
        );
        assert!(
            problems.contains(&"genre 1: duplicate id".to_string()),
            "{problems:?}"
        );
    }

    #[test]
    fn a_malformed_record_is_named_by_position_and_id() {
        let json = edited(|v| v["books"][2]["title"] = Value::Null);
        let problems = problems_of(&json);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("book 3 (record 3): invalid type: null"),
            "{problems:?}"
        );
    }
}
