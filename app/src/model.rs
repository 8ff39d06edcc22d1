//! Plain data shared by the server and the browser.

use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

use time::Date;

use crate::{
    dates::parse_date,
    language::{human_date, Locale},
};

/// Whether the date `due` (`YYYY-MM-DD`, as the database keeps it) is
/// before `today`.
fn is_before(due: &str, today: Date) -> bool {
    parse_date(due).is_some_and(|due| due < today)
}

/// The home page's "Dynamic content" figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogCounts {
    pub books: i64,
    pub copies: i64,
    pub copies_available: i64,
    pub authors: i64,
}

/// A link to an author: id and the name as "Last, First".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorRef {
    pub id: i64,
    pub name: String,
}

/// One row of the book list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSummary {
    pub id: i64,
    pub title: String,
    pub author: Option<AuthorRef>,
    /// Copies the library has, and how many of them are available.
    pub copies: i64,
    pub available: i64,
}

impl BookSummary {
    /// "2 of 5 available", "None of 3 available", "No copies".
    pub fn availability(&self, locale: Locale) -> String {
        match (self.available, self.copies) {
            (_, 0) => td_string!(locale, books.row_no_copies).to_string(),
            (0, copies) => td_string!(locale, books.row_none_available, copies).to_string(),
            (available, copies) => {
                td_string!(locale, books.row_available, available, copies).to_string()
            }
        }
    }
}

/// One row of the author list, and the head of an author's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorSummary {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<String>,
    pub date_of_death: Option<String>,
    /// How many of the library's books are theirs.
    pub books: i64,
    /// The record's version, raised by the database at each change: an
    /// edit form carries it, and a save over a newer one is refused.
    pub version: i64,
}

impl AuthorSummary {
    /// "Last, First", as lists show names.
    pub fn name(&self) -> String {
        format!("{}, {}", self.last_name, self.first_name)
    }

    /// "1 book", "12 books".
    pub fn book_count(&self, locale: Locale) -> String {
        td_string!(locale, authors.book_count, count = self.books).to_string()
    }

    /// "6 Mar 1927 – 17 Apr 2014", "born 5 Jan 1938", or empty.
    pub fn life_dates(&self, locale: Locale) -> String {
        let date = |iso: &String| human_date(locale, iso);
        match (&self.date_of_birth, &self.date_of_death) {
            (Some(born), Some(died)) => td_string!(
                locale,
                authors.lifetime,
                born = date(born),
                died = date(died)
            )
            .to_string(),
            (Some(born), None) => td_string!(locale, authors.born, date = date(born)).to_string(),
            (None, Some(died)) => td_string!(locale, authors.died, date = date(died)).to_string(),
            (None, None) => String::new(),
        }
    }
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub page: u32,
    /// At least 1, even for an empty list.
    pub pages: u32,
    pub total: i64,
    pub per_page: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CopyStatus {
    Maintenance,
    OnLoan,
    Available,
    Reserved,
}

impl CopyStatus {
    /// From the one-letter code stored in the database.
    /// The database's code of the status (the schema's CHECK).
    pub fn code(self) -> &'static str {
        match self {
            CopyStatus::Maintenance => "m",
            CopyStatus::OnLoan => "o",
            CopyStatus::Available => "a",
            CopyStatus::Reserved => "r",
        }
    }

    pub fn from_code(code: &str) -> Option<CopyStatus> {
        match code {
            "m" => Some(CopyStatus::Maintenance),
            "o" => Some(CopyStatus::OnLoan),
            "a" => Some(CopyStatus::Available),
            "r" => Some(CopyStatus::Reserved),
            _ => None,
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            CopyStatus::Maintenance => td_string!(locale, book.status_maintenance),
            CopyStatus::OnLoan => td_string!(locale, book.status_on_loan),
            CopyStatus::Available => td_string!(locale, book.status_available),
            CopyStatus::Reserved => td_string!(locale, book.status_reserved),
        }
    }

    /// The CSS class of its badge: each status its own colour, and its
    /// own word, so that colour is never the only difference.
    pub fn css_class(self) -> &'static str {
        match self {
            CopyStatus::Maintenance => "badge status-maintenance",
            CopyStatus::OnLoan => "badge status-on-loan",
            CopyStatus::Available => "badge status-available",
            CopyStatus::Reserved => "badge status-reserved",
        }
    }

    /// Whether the copy has a due-back date worth showing.
    pub fn is_out(self) -> bool {
        matches!(self, CopyStatus::OnLoan | CopyStatus::Reserved)
    }
}

/// A physical copy of a book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookCopy {
    pub id: String,
    pub imprint: String,
    pub status: CopyStatus,
    pub due_back: Option<String>,
    /// Who has it, if it is on loan to a user: shown to librarians only.
    pub borrower: Option<String>,
}

impl BookCopy {
    /// The date it is due back, for a copy that is out.
    pub fn due(&self) -> Option<&str> {
        self.status
            .is_out()
            .then_some(self.due_back.as_deref())
            .flatten()
    }

    /// Whether it is on loan and was due back before `today`. A reserved
    /// copy's date is when the reservation ends, which it cannot be late
    /// for.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status == CopyStatus::OnLoan && self.due().is_some_and(|due| is_before(due, today))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookDetail {
    pub id: i64,
    pub title: String,
    pub author: Option<AuthorRef>,
    pub summary: String,
    pub isbn: String,
    pub language: Option<TermRef>,
    pub genres: Vec<TermRef>,
    /// Available copies first, then by due date.
    pub copies: Vec<BookCopy>,
}

/// The most characters a book's title may have (the reference's).
pub const MAX_TITLE_CHARS: usize = 200;
/// The most characters a book's summary may have (the reference's).
pub const MAX_SUMMARY_CHARS: usize = 1000;

/// A member (any user) in the librarians' list of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub active: bool,
    pub librarian: bool,
    /// Copies they have now.
    pub on_loan: i64,
}

/// One lending of a member's: the copy and title as lent, when, until
/// when, and when and how it ended (none: still out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLoan {
    pub copy_id: String,
    pub book_id: Option<i64>,
    pub title: String,
    pub lent_on: Option<String>,
    pub due_back: Option<String>,
    pub ended_on: Option<String>,
}

/// A member's page: who they are and their loans, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub member: MemberSummary,
    /// `YYYY-MM-DD` (UTC).
    pub joined: String,
    pub last_login: Option<String>,
    pub loans: Vec<MemberLoan>,
}

/// The most characters a username may have (as Django's).
pub const MAX_USERNAME_CHARS: usize = 150;

/// The most characters a copy's imprint may have (the reference's).
pub const MAX_IMPRINT_CHARS: usize = 200;
/// The most copies of a book added at once.
pub const MAX_NEW_COPIES: u32 = 20;

/// A copy as its edit form opens with it, with its book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyEdit {
    pub copy: CopyDetail,
    pub version: i64,
}

/// How many authors a book form offers to choose from when the words
/// typed match several (more: the librarian is asked for more of the name).
pub const AUTHOR_CHOICES: usize = 20;

/// A book as its edit form opens with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookEdit {
    pub id: i64,
    pub title: String,
    pub author: Option<AuthorRef>,
    pub summary: String,
    pub isbn: String,
    pub language_id: Option<i64>,
    pub genre_ids: Vec<i64>,
    pub version: i64,
}

/// The book form's page: the book (none: a new one), what it may be
/// filed under, and the authors to choose among when the words posted
/// matched several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookFormContent {
    pub book: Option<BookEdit>,
    pub languages: Vec<TermRef>,
    pub genres: Vec<TermRef>,
    pub author_choices: Vec<AuthorRef>,
}

/// Whether a book can be borrowed, as its page leads with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    /// `available` of `copies` can be borrowed now.
    Available { available: usize, copies: usize },
    /// All `copies` are out or away; the first may be back on `due`, which
    /// is `overdue` when that copy is on loan and late.
    NoneAvailable {
        copies: usize,
        due: Option<String>,
        overdue: bool,
    },
    /// The library has no copy.
    NoCopies,
}

impl BookDetail {
    /// Whether it can be borrowed, and if not when it may be back (late
    /// when that was before `today`).
    pub fn availability(&self, today: Date) -> Availability {
        let copies = self.copies.len();
        let available = self
            .copies
            .iter()
            .filter(|copy| copy.status == CopyStatus::Available)
            .count();
        match (available, copies) {
            (_, 0) => Availability::NoCopies,
            (0, copies) => {
                let first_back = self
                    .copies
                    .iter()
                    .filter(|copy| copy.due().is_some())
                    .min_by_key(|copy| copy.due());
                Availability::NoneAvailable {
                    copies,
                    due: first_back.and_then(|copy| copy.due()).map(str::to_string),
                    overdue: first_back.is_some_and(|copy| copy.is_overdue(today)),
                }
            }
            (available, copies) => Availability::Available { available, copies },
        }
    }
}

/// A book on its author's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorBook {
    pub id: i64,
    pub title: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorDetail {
    pub author: AuthorSummary,
    pub books: Vec<AuthorBook>,
}

/// A copy on loan, as the lists of loans show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    /// The copy's id.
    pub copy: String,
    pub book_id: i64,
    pub title: String,
    /// `YYYY-MM-DD` (a copy out in a loaded catalog may have none).
    pub due_back: Option<String>,
    /// Who has it (none recorded for a copy out in a loaded catalog).
    pub borrower: Option<String>,
}

impl Loan {
    /// Whether it was due back before `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.due_back
            .as_deref()
            .is_some_and(|due| is_before(due, today))
    }
}

/// A copy, as a librarian's form to lend it or take it back shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyDetail {
    pub copy: BookCopy,
    pub book_id: i64,
    pub title: String,
}

/// A signed-in user, as the layout and the member's pages know them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    /// Lends, takes back and renews copies, and edits authors.
    pub librarian: bool,
}

impl User {
    /// The user from the columns of `account` a session's row joins (NULL:
    /// not signed in, or the user is no longer active).
    pub fn from_columns(
        id: Option<i64>,
        username: Option<String>,
        librarian: Option<bool>,
    ) -> Option<User> {
        Some(User {
            id: id?,
            username: username?,
            librarian: librarian?,
        })
    }
}

/// What a browser has chosen, kept in its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Preferences {
    pub per_page: u32,
    pub notice_dismissed: bool,
    /// The site's language, once chosen (until then, the browser's
    /// `Accept-Language` decides).
    pub language: Option<Locale>,
}

/// The most characters an author's first or last name may have.
pub const MAX_NAME_CHARS: usize = 100;

/// The longest search term taken: longer than any title and author's name
/// together, and short enough for any database's pattern matching (SQLite
/// refuses LIKE patterns past 50,000 bytes).
pub const MAX_SEARCH_CHARS: usize = 200;

/// Results per page a visitor can choose; the first is the default.
pub const PER_PAGE_CHOICES: [u32; 3] = [10, 25, 50];

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            per_page: PER_PAGE_CHOICES[0],
            notice_dismissed: false,
            language: None,
        }
    }
}

/// One change in the history: who made it, when, to what, and each field's
/// value before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// The librarian's username, or the command an operator ran.
    pub actor: String,
    /// Made by an operator's command, not on the site.
    pub by_command: bool,
    pub change: Change,
}

/// A change: its action, the record (its kind, id and name then; a copy's
/// book), and each field it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub action: ChangeAction,
    pub kind: RecordKind,
    pub record_id: String,
    pub label: String,
    pub book_id: Option<i64>,
    pub changes: Vec<FieldChange>,
}

impl Change {
    /// The page of the record changed (a copy's: its book's), if it has one.
    pub fn page(&self) -> Option<String> {
        match (self.kind, self.book_id) {
            (RecordKind::Copy, Some(book)) => Some(format!("/books/{book}")),
            (kind, _) => kind.page(&self.record_id),
        }
    }
}

/// A record's history, and the record's name (as it is, or as it was last
/// recorded if it is no more).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHistory {
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    pub list: ListPage<HistoryEntry>,
}

/// One field's value before and after a change (none: no value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChangeAction {
    Create,
    Update,
    Delete,
    Lend,
    Return,
    Renew,
}

impl ChangeAction {
    pub const ALL: [ChangeAction; 6] = [
        ChangeAction::Create,
        ChangeAction::Update,
        ChangeAction::Delete,
        ChangeAction::Lend,
        ChangeAction::Return,
        ChangeAction::Renew,
    ];

    /// As the database stores it.
    pub fn code(self) -> &'static str {
        match self {
            ChangeAction::Create => "create",
            ChangeAction::Update => "update",
            ChangeAction::Delete => "delete",
            ChangeAction::Lend => "lend",
            ChangeAction::Return => "return",
            ChangeAction::Renew => "renew",
        }
    }

    pub fn from_code(code: &str) -> Option<ChangeAction> {
        Self::ALL.into_iter().find(|action| action.code() == code)
    }
}

/// What kind of record a change was made to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    Book,
    Copy,
    Author,
    Genre,
    Language,
    Member,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Book,
        RecordKind::Copy,
        RecordKind::Author,
        RecordKind::Genre,
        RecordKind::Language,
        RecordKind::Member,
    ];

    /// As the database stores it.
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Book => "book",
            RecordKind::Copy => "copy",
            RecordKind::Author => "author",
            RecordKind::Genre => "genre",
            RecordKind::Language => "language",
            RecordKind::Member => "member",
        }
    }

    pub fn from_code(code: &str) -> Option<RecordKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The address of the record's page, for the kinds that have one.
    pub fn page(self, id: &str) -> Option<String> {
        match self {
            RecordKind::Book => Some(format!("/books/{id}")),
            RecordKind::Author => Some(format!("/authors/{id}")),
            RecordKind::Genre => Some(format!("/genres/{id}")),
            RecordKind::Language => Some(format!("/languages/{id}")),
            RecordKind::Member => Some(format!("/members/{id}")),
            // A copy has no page of its own (its book's: `Change::page`).
            RecordKind::Copy => None,
        }
    }
}

/// What an action did, said once on the next page the browser is shown
/// (kept in its session until then). Plain data: each page says it in its
/// own language.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Message {
    AuthorCreated {
        name: String,
    },
    AuthorUpdated {
        name: String,
    },
    AuthorDeleted {
        name: String,
    },
    BookCreated {
        title: String,
    },
    BookUpdated {
        title: String,
    },
    BookDeleted {
        title: String,
    },
    CopiesAdded {
        title: String,
        count: u32,
    },
    CopyUpdated {
        title: String,
    },
    CopyDeleted {
        title: String,
    },
    MemberCreated {
        username: String,
        email: String,
    },
    MemberChanged {
        username: String,
        change: MemberChange,
    },
    /// `due`: `YYYY-MM-DD`.
    Lent {
        title: String,
        borrower: String,
        due: String,
    },
    Returned {
        title: String,
        borrower: Option<String>,
    },
    Renewed {
        title: String,
        borrower: Option<String>,
        due: String,
    },
    TermCreated {
        vocabulary: Vocabulary,
        name: String,
    },
    TermRenamed {
        vocabulary: Vocabulary,
        before: String,
        name: String,
    },
    TermDeleted {
        vocabulary: Vocabulary,
        name: String,
    },
}

/// What a librarian does to a member from their page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberChange {
    Activate,
    Deactivate,
    Grant,
    Revoke,
}

impl MemberChange {
    /// As a member's page posts it (its button's value).
    pub fn code(self) -> &'static str {
        match self {
            MemberChange::Activate => "activate",
            MemberChange::Deactivate => "deactivate",
            MemberChange::Grant => "grant",
            MemberChange::Revoke => "revoke",
        }
    }

    pub fn from_code(code: &str) -> Option<MemberChange> {
        [
            MemberChange::Activate,
            MemberChange::Deactivate,
            MemberChange::Grant,
            MemberChange::Revoke,
        ]
        .into_iter()
        .find(|change| change.code() == code)
    }
}

/// The two lists a book is filed under besides its author: its genres and
/// its language. Each has a public list (`/genres`) and a page of its books
/// (`/genres/{id}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Vocabulary {
    Genre,
    Language,
}

impl Vocabulary {
    /// The list's address; a term's page is under it.
    pub fn path(self) -> &'static str {
        match self {
            Vocabulary::Genre => "/genres",
            Vocabulary::Language => "/languages",
        }
    }
}

/// A genre or a language, as a book's page links to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRef {
    pub id: i64,
    pub name: String,
}

/// A genre or a language in its list: its name and how many books it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: i64,
    pub name: String,
    pub books: i64,
}

/// A genre's or a language's page: its name and a page of its books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermBooks {
    pub vocabulary: Vocabulary,
    pub id: i64,
    pub name: String,
    pub list: ListPage<BookSummary>,
}

/// A genre or a language as its edit form shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermEdit {
    pub id: i64,
    pub name: String,
    pub version: i64,
}
