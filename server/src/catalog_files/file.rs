//! The JSON catalog format (as in `catalog-small.json`), every check a file
//! must pass before anything is written, and reading a file's records a
//! section at a time.

use std::{
    collections::{HashMap, HashSet},
    fmt,
    fs::File,
    io::{BufReader, Read},
    marker::PhantomData,
    path::PathBuf,
};

use serde::{
    de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};
use serde_json::Value;
use time::Date;

// Each record is read from a file, from the database (to compare, in a
// merge) and written to a file (an export) as the same type.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct Genre {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<String>,
    pub date_of_death: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author_id: Option<i64>,
    pub summary: String,
    pub isbn: String,
    pub language_id: Option<i64>,
    /// Read from `book_genre`, not a column of `book`.
    #[serde(default)]
    #[sqlx(skip)]
    pub genre_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct BookInstance {
    pub id: String,
    pub book_id: i64,
    pub imprint: String,
    pub due_back: Option<String>,
    pub status: String,
    /// The member the copy is lent to, in the database: never in a file
    /// (a catalog says which copies are out, not to whom).
    #[serde(skip)]
    #[sqlx(default)]
    pub borrower: Option<String>,
}

/// Why a file was refused: every problem found, each naming its record.
#[derive(Debug)]
pub enum CatalogError {
    Io(std::io::Error),
    Json(serde_json::Error),
    Records(Vec<String>),
}

/// How many problems are listed before the rest are only counted.
const MAX_LISTED: usize = 20;

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::Io(err) => write!(f, "the file cannot be read: {err}"),
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

pub const STATUSES: &str = "m (maintenance), o (on loan), a (available), r (reserved)";

/// A catalog file, or the text of one built into the binary. It is read
/// as a stream, record by record, and more than once (checked whole first,
/// then loaded a section at a time), so that a catalog far larger than
/// memory can be loaded.
#[derive(Clone, Debug)]
pub enum Source {
    File(PathBuf),
    Text(&'static str),
}

impl Source {
    fn open(&self) -> Result<Box<dyn Read + Send>, CatalogError> {
        Ok(match self {
            Source::File(path) => Box::new(BufReader::with_capacity(
                1 << 16,
                File::open(path).map_err(CatalogError::Io)?,
            )),
            Source::Text(text) => Box::new(text.as_bytes()),
        })
    }

    /// The file's size in bytes, for a progress bar.
    pub fn size(&self) -> u64 {
        match self {
            Source::File(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
            Source::Text(text) => text.len() as u64,
        }
    }

    /// Reads the whole catalog and runs every check on it, keeping only
    /// what the checks between records need (ids, names, ISBNs), never the
    /// records. `read` is told of every byte read.
    pub fn check(&self, read: &(dyn Fn(u64) + Sync)) -> Result<Counts, CatalogError> {
        let reader = Counted {
            inner: self.open()?,
            read,
        };
        let mut checks = Checks::default();
        serde_json::Deserializer::from_reader(reader)
            .deserialize_map(Sections {
                handler: &mut checks,
            })
            .map_err(|err| match err.classify() {
                serde_json::error::Category::Io => CatalogError::Io(err.into()),
                _ => CatalogError::Json(err),
            })?;
        checks.finish()
    }

    /// Reads the records of `kind` (already checked) in batches of at most
    /// `batch` records, giving each to `each`, which stops the reading by
    /// answering false.
    pub fn read<T: DeserializeOwned>(
        &self,
        kind: Kind,
        batch: usize,
        each: &mut dyn FnMut(Vec<T>) -> bool,
    ) -> Result<(), CatalogError> {
        let mut reader = Batches {
            kind,
            batch,
            each,
            _records: PhantomData,
        };
        serde_json::Deserializer::from_reader(self.open()?)
            .deserialize_map(Sections {
                handler: &mut reader,
            })
            .map_err(CatalogError::Json)
    }
}

/// How many records of each kind a checked catalog holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub genres: usize,
    pub languages: usize,
    pub authors: usize,
    pub books: usize,
    pub copies: usize,
}

impl Counts {
    pub fn records(&self) -> usize {
        self.genres + self.languages + self.authors + self.books + self.copies
    }
}

/// The five sections of a catalog file, in the order they load (each
/// refers only to those before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Genre,
    Language,
    Author,
    Book,
    Copy,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Genre,
        Kind::Language,
        Kind::Author,
        Kind::Book,
        Kind::Copy,
    ];

    /// The section's name in a file.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Genre => "genres",
            Kind::Language => "languages",
            Kind::Author => "authors",
            Kind::Book => "books",
            Kind::Copy => "book_instances",
        }
    }

    /// The records of this kind, as a report names them.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Genre => "genres",
            Kind::Language => "languages",
            Kind::Author => "authors",
            Kind::Book => "books",
            Kind::Copy => "copies",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Genre => "genre",
            Kind::Language => "language",
            Kind::Author => "author",
            Kind::Book => "book",
            Kind::Copy => "copy",
        }
    }
}

/// What is done with each section of a file as it is read.
trait Handler {
    fn section<'de, A: SeqAccess<'de>>(&mut self, kind: Kind, records: A) -> Result<(), A::Error>;
}

/// The file's top level: an object of the five sections, in any order,
/// each once, and nothing else.
struct Sections<'h, H> {
    handler: &'h mut H,
}

impl<'de, H: Handler> Visitor<'de> for Sections<'_, H> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of genres, languages, authors, books and book_instances")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let Some(kind) = Kind::ALL.into_iter().find(|kind| kind.key() == key) else {
                return Err(de::Error::unknown_field(&key, &KEYS));
            };
            if !seen.insert(kind) {
                return Err(de::Error::duplicate_field(kind.key()));
            }
            map.next_value_seed(Section {
                kind,
                handler: &mut *self.handler,
            })?;
        }
        match Kind::ALL.into_iter().find(|kind| !seen.contains(kind)) {
            Some(missing) => Err(de::Error::missing_field(missing.key())),
            None => Ok(()),
        }
    }
}

const KEYS: [&str; 5] = ["genres", "languages", "authors", "books", "book_instances"];

/// One section: an array of records, handed to the handler as it is read.
struct Section<'h, H> {
    kind: Kind,
    handler: &'h mut H,
}

impl<'de, H: Handler> DeserializeSeed<'de> for Section<'_, H> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, H: Handler> Visitor<'de> for Section<'_, H> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an array of {} records", self.kind.name())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, records: A) -> Result<(), A::Error> {
        self.handler.section(self.kind, records)
    }
}

/// Reading one section's records in batches; the others are skipped.
struct Batches<'e, T> {
    kind: Kind,
    batch: usize,
    each: &'e mut dyn FnMut(Vec<T>) -> bool,
    _records: PhantomData<T>,
}

impl<T: DeserializeOwned> Handler for Batches<'_, T> {
    fn section<'de, A: SeqAccess<'de>>(
        &mut self,
        kind: Kind,
        mut records: A,
    ) -> Result<(), A::Error> {
        if kind != self.kind {
            while records.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut batch = Vec::with_capacity(self.batch);
        while let Some(record) = records.next_element::<T>()? {
            batch.push(record);
            if batch.len() == self.batch && !(self.each)(std::mem::take(&mut batch)) {
                return Err(de::Error::custom("the load stopped"));
            }
        }
        if !batch.is_empty() && !(self.each)(batch) {
            return Err(de::Error::custom("the load stopped"));
        }
        Ok(())
    }
}

/// A reader that reports how many bytes it has read.
struct Counted<'r, R> {
    inner: R,
    read: &'r (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.read)(n as u64);
        Ok(n)
    }
}

/// Every check of a catalog, made as its records go by. Checks between
/// records (unique ids and names, references) keep what they need; a
/// reference to a section not read yet waits for the end of the file.
#[derive(Default)]
struct Checks {
    /// Records that could not be read as their kind: when there are any,
    /// they are all that is reported (the others would echo them).
    malformed: Vec<String>,
    problems: Vec<String>,
    counts: Counts,
    ids: HashMap<Kind, HashSet<i64>>,
    copy_ids: HashSet<String>,
    names: HashMap<(Kind, String), i64>,
    /// Sections read to the end: references to them are checked at once.
    done: HashSet<Kind>,
    /// References to sections not read yet: who, field, kind, id.
    pending: Vec<(String, &'static str, Kind, i64)>,
}

impl Handler for Checks {
    fn section<'de, A: SeqAccess<'de>>(
        &mut self,
        kind: Kind,
        mut records: A,
    ) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(value) = records.next_element::<Value>()? {
            index += 1;
            match kind {
                Kind::Genre => {
                    if let Some(genre) = self.record::<Genre>(kind, index, value) {
                        self.named(kind, genre.id, &genre.name);
                    }
                }
                Kind::Language => {
                    if let Some(language) = self.record::<Language>(kind, index, value) {
                        self.named(kind, language.id, &language.name);
                    }
                }
                Kind::Author => {
                    if let Some(author) = self.record::<Author>(kind, index, value) {
                        self.author(&author);
                    }
                }
                Kind::Book => {
                    if let Some(book) = self.record::<Book>(kind, index, value) {
                        self.book(book);
                    }
                }
                Kind::Copy => {
                    if let Some(copy) = self.record::<BookInstance>(kind, index, value) {
                        self.copy(copy);
                    }
                }
            }
        }
        self.done.insert(kind);
        Ok(())
    }
}

impl Checks {
    /// The record at `index` (from 1) of `kind` as its type, or its problem
    /// noted by position (and id, when it has one).
    fn record<T: DeserializeOwned>(&mut self, kind: Kind, index: usize, value: Value) -> Option<T> {
        let id = value.get("id").map(Value::to_string);
        match serde_json::from_value(value) {
            Ok(record) => Some(record),
            Err(err) => {
                let who = match id {
                    Some(id) => {
                        format!("{} {} (record {index})", kind.name(), id.trim_matches('"'))
                    }
                    None => format!("{} record {index}", kind.name()),
                };
                self.malformed.push(format!("{who}: {err}"));
                None
            }
        }
    }

    fn unique_id(&mut self, kind: Kind, id: i64) {
        if !self.ids.entry(kind).or_default().insert(id) {
            self.problems
                .push(format!("{} {id}: duplicate id", kind.name()));
        }
    }

    /// A genre or a language: a unique id and a unique, non-empty name.
    fn named(&mut self, kind: Kind, id: i64, name: &str) {
        self.unique_id(kind, id);
        let who = format!("{} {id}", kind.name());
        require_text(name, &who, "name", &mut self.problems);
        self.unique_value(kind, id, "name", name);
        match kind {
            Kind::Genre => self.counts.genres += 1,
            _ => self.counts.languages += 1,
        }
    }

    /// A genre's or a language's name is unique ignoring case, as the
    /// database holds it; an ISBN is digits.
    fn unique_value(&mut self, kind: Kind, id: i64, field: &str, value: &str) {
        if let Some(other) = self.names.insert((kind, value.to_lowercase()), id) {
            self.problems.push(format!(
                "{kind} {id}: {field} {value:?} is already used by {kind} {other}",
                kind = kind.name()
            ));
        }
    }

    fn author(&mut self, author: &Author) {
        self.counts.authors += 1;
        self.unique_id(Kind::Author, author.id);
        let who = format!("author {}", author.id);
        let problems = &mut self.problems;
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

    fn book(&mut self, book: Book) {
        self.counts.books += 1;
        self.unique_id(Kind::Book, book.id);
        self.unique_value(Kind::Book, book.id, "ISBN", &book.isbn);
        let who = format!("book {}", book.id);
        require_text(&book.title, &who, "title", &mut self.problems);
        if !is_isbn13(&book.isbn) {
            self.problems.push(format!(
                "{who}: ISBN {:?} is not a valid ISBN-13",
                book.isbn
            ));
        }
        if let Some(author_id) = book.author_id {
            self.reference(&who, "author_id", Kind::Author, author_id);
        }
        if let Some(language_id) = book.language_id {
            self.reference(&who, "language_id", Kind::Language, language_id);
        }
        for &genre_id in &book.genre_ids {
            self.reference(&who, "genre_ids", Kind::Genre, genre_id);
        }
    }

    fn copy(&mut self, copy: BookInstance) {
        self.counts.copies += 1;
        let who = format!("copy {}", copy.id);
        if uuid::Uuid::try_parse(&copy.id).is_err() {
            self.problems.push(format!("{who}: id is not a UUID"));
        }
        self.reference(&who, "book_id", Kind::Book, copy.book_id);
        if !matches!(copy.status.as_str(), "m" | "o" | "a" | "r") {
            self.problems.push(format!(
                "{who}: status {:?} is not one of {STATUSES}",
                copy.status
            ));
        }
        optional_date(&copy.due_back, &who, "due_back", &mut self.problems);
        if !self.copy_ids.insert(copy.id) {
            self.problems.push(format!("{who}: duplicate id"));
        }
    }

    /// `who`'s `field` names the record `id` of `kind`: checked now if that
    /// section has been read, else at the end.
    fn reference(&mut self, who: &str, field: &'static str, kind: Kind, id: i64) {
        if self.done.contains(&kind) {
            self.check_reference(who, field, kind, id);
        } else {
            self.pending.push((who.to_string(), field, kind, id));
        }
    }

    fn check_reference(&mut self, who: &str, field: &str, kind: Kind, id: i64) {
        if !self.ids.get(&kind).is_some_and(|ids| ids.contains(&id)) {
            self.problems.push(format!(
                "{who}: {field} {id} does not match any {} in this file",
                kind.name()
            ));
        }
    }

    fn finish(mut self) -> Result<Counts, CatalogError> {
        for (who, field, kind, id) in std::mem::take(&mut self.pending) {
            self.check_reference(&who, field, kind, id);
        }
        if !self.malformed.is_empty() {
            Err(CatalogError::Records(self.malformed))
        } else if !self.problems.is_empty() {
            Err(CatalogError::Records(self.problems))
        } else {
            Ok(self.counts)
        }
    }
}

fn require_text(value: &str, who: &str, field: &str, problems: &mut Vec<String>) {
    if value.trim().is_empty() {
        problems.push(format!("{who}: {field} is empty"));
    }
}

fn optional_date(
    value: &Option<String>,
    who: &str,
    field: &str,
    problems: &mut Vec<String>,
) -> Option<Date> {
    let text = value.as_deref()?;
    match app::dates::parse_date(text) {
        Some(date) => Some(date),
        None => {
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

    fn check(json: &str) -> Result<Counts, CatalogError> {
        Source::Text(Box::leak(json.to_string().into_boxed_str())).check(&|_| {})
    }

    fn problems_of(json: &str) -> Vec<String> {
        match check(json) {
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
        let counts = check(SMALL).unwrap();
        assert_eq!(counts.books, 20);
        assert_eq!(counts.copies, 50);
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
