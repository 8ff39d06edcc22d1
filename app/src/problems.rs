//! What was posted in a form and what was wrong with it: plain data, told
//! in the page's language. The domain (loans, accounts, authors) says what
//! is wrong in these terms; the pages draw them beside their fields
//! ([`crate::form_fields`]).
//!
//! A form's page is an address like any other; a `POST` to it is handled
//! by the server (`server::forms`), which either sends the browser on (a
//! redirect) or has the page rendered again with [`Submitted`] among its
//! inputs: the values as posted and each problem beside its field, with
//! status 200 as a browser expects of a form to correct.

use leptos_i18n::td_string;

use crate::{language::Locale, model::CopyStatus};

/// A form as posted, and what was wrong with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Submitted {
    /// The fields as posted, shown again (never a password).
    pub values: Vec<(String, String)>,
    /// What was wrong, by the name of its field ([`WHOLE_FORM`] for the
    /// form as a whole).
    pub problems: Vec<(&'static str, Problem)>,
}

/// The "field" of a problem with the form as a whole.
pub const WHOLE_FORM: &str = "";

impl Submitted {
    /// The value posted for `name`, if any.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value posted for `name` (the boxes of it ticked).
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The problems with the field `name`.
    pub fn problems_with(&self, name: &str) -> Vec<Problem> {
        self.problems
            .iter()
            .filter(|(field, _)| *field == name)
            .map(|(_, problem)| problem.clone())
            .collect()
    }

    /// Adds a problem with the field `name`.
    pub fn problem(&mut self, name: &'static str, problem: Problem) {
        self.problems.push((name, problem));
    }

    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What can be wrong with a posted form, told in the page's language.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A required field left empty.
    Required,
    /// A field longer than `max` characters.
    TooLong { max: usize },
    /// Not a date (`YYYY-MM-DD`).
    NotADate,
    /// The username and password match no active user.
    CredentialsMismatch,
    /// Too many failed sign-ins: refused for this many minutes more.
    TooManyAttempts { minutes: u64 },
    /// A renewal date before today.
    RenewalInPast,
    /// A renewal date more than four weeks ahead.
    RenewalTooFar,
    /// A new password that breaks a rule.
    Password(PasswordProblem),
    /// The new password and its confirmation differ.
    PasswordsDiffer,
    /// No user has the username given.
    UnknownUser,
    /// The user named is not active.
    InactiveUser,
    /// The copy cannot be lent: it is not available but this.
    NotAvailable(CopyStatus),
    /// The copy cannot be taken back: it is not on loan but this.
    NotOnLoan(CopyStatus),
    /// A due date before today.
    DueInPast,
    /// A due date more than four weeks ahead.
    DueTooFar,
    /// A date (of birth, of death) after today.
    DateInFuture,
    /// A name with a control character (a tab, a line break, a NUL).
    ControlCharacters,
    /// A date of death before the date of birth.
    DeathBeforeBirth,
    /// An author the library still has books of.
    AuthorHasBooks,
    /// The record changed since the form was opened: not saved.
    EditedMeanwhile,
    /// Another genre (or language) has this name, ignoring case.
    NameTaken,
    /// A language some book is in.
    LanguageHasBooks,
    /// The password given as the current one is not.
    WrongOldPassword,
    /// Not a mail address.
    InvalidEmail,
    /// Neither 13 digits nor 10 (the last may be X).
    NotAnIsbn,
    /// An ISBN whose check digit is wrong (a digit mistyped).
    IsbnCheckDigit,
    /// The ISBN of another book (named).
    IsbnTaken { id: i64, title: String },
    /// No author's name has the words given.
    NoSuchAuthor,
    /// Several authors' names have the words given: one is to be chosen.
    ChooseAuthor,
    /// A choice the form does not offer (or no longer: since deleted).
    UnknownChoice,
    /// A book the library has copies of.
    BookHasCopies,
    /// A number of copies to add outside 1 to `max`.
    CountOutOfRange { max: u32 },
    /// A status to or from on loan, set by a form: only lending and taking
    /// back do that.
    LoanStatus,
    /// A copy on loan, which cannot be deleted.
    CopyOnLoan,
    /// A username that cannot be one (empty, too long, other characters).
    InvalidUsername,
    /// A username another user has, as people read it.
    UsernameTaken,
    /// A librarian's change of their own account.
    Oneself,
}

impl Problem {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Problem::Required => td_string!(locale, forms.required).to_string(),
            Problem::TooLong { max } => td_string!(locale, forms.too_long, max).to_string(),
            Problem::NotADate => td_string!(locale, forms.not_a_date).to_string(),
            Problem::CredentialsMismatch => {
                td_string!(locale, forms.credentials_mismatch).to_string()
            }
            Problem::TooManyAttempts { minutes } => {
                td_string!(locale, forms.too_many_attempts, count = *minutes).to_string()
            }
            Problem::RenewalInPast => td_string!(locale, forms.renewal_in_past).to_string(),
            Problem::RenewalTooFar => td_string!(locale, forms.renewal_too_far).to_string(),
            Problem::Password(problem) => problem.message(locale),
            Problem::PasswordsDiffer => td_string!(locale, forms.passwords_differ).to_string(),
            Problem::UnknownUser => td_string!(locale, forms.unknown_user).to_string(),
            Problem::InactiveUser => td_string!(locale, forms.inactive_user).to_string(),
            Problem::NotAvailable(status) => {
                let status = status.label(locale).to_lowercase();
                td_string!(locale, forms.not_available, status).to_string()
            }
            Problem::NotOnLoan(status) => {
                let status = status.label(locale).to_lowercase();
                td_string!(locale, forms.not_on_loan, status).to_string()
            }
            Problem::DueInPast => td_string!(locale, forms.due_in_past).to_string(),
            Problem::DueTooFar => td_string!(locale, forms.due_too_far).to_string(),
            Problem::DateInFuture => td_string!(locale, forms.date_in_future).to_string(),
            Problem::ControlCharacters => td_string!(locale, forms.control_characters).to_string(),
            Problem::DeathBeforeBirth => td_string!(locale, forms.death_before_birth).to_string(),
            Problem::AuthorHasBooks => td_string!(locale, forms.author_has_books).to_string(),
            Problem::EditedMeanwhile => td_string!(locale, forms.edited_meanwhile).to_string(),
            Problem::NameTaken => td_string!(locale, forms.name_taken).to_string(),
            Problem::LanguageHasBooks => td_string!(locale, forms.language_has_books).to_string(),
            Problem::WrongOldPassword => td_string!(locale, forms.wrong_old_password).to_string(),
            Problem::InvalidEmail => td_string!(locale, accounts.email_invalid).to_string(),
            Problem::NotAnIsbn => td_string!(locale, forms.not_an_isbn).to_string(),
            Problem::IsbnCheckDigit => td_string!(locale, forms.isbn_check_digit).to_string(),
            Problem::IsbnTaken { id, title } => {
                td_string!(locale, forms.isbn_taken, title, id).to_string()
            }
            Problem::NoSuchAuthor => td_string!(locale, forms.no_such_author).to_string(),
            Problem::ChooseAuthor => td_string!(locale, forms.choose_author).to_string(),
            Problem::UnknownChoice => td_string!(locale, forms.unknown_choice).to_string(),
            Problem::BookHasCopies => td_string!(locale, forms.book_has_copies).to_string(),
            Problem::CountOutOfRange { max } => {
                td_string!(locale, forms.count_out_of_range, max).to_string()
            }
            Problem::LoanStatus => td_string!(locale, forms.loan_status).to_string(),
            Problem::CopyOnLoan => td_string!(locale, forms.copy_on_loan).to_string(),
            Problem::InvalidUsername => td_string!(
                locale,
                accounts.username_invalid,
                max = crate::model::MAX_USERNAME_CHARS
            )
            .to_string(),
            Problem::UsernameTaken => td_string!(locale, accounts.username_taken).to_string(),
            Problem::Oneself => td_string!(locale, members.oneself).to_string(),
        }
    }
}

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A rule a new password breaks (`accounts::password_problems`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PasswordProblem {
    TooShort,
    AllDigits,
    LikeUsername,
}

impl PasswordProblem {
    pub fn message(self, locale: Locale) -> String {
        match self {
            PasswordProblem::TooShort => td_string!(
                locale,
                accounts.password_too_short,
                min = MIN_PASSWORD_CHARS
            )
            .to_string(),
            PasswordProblem::AllDigits => td_string!(locale, accounts.password_numeric).to_string(),
            PasswordProblem::LikeUsername => {
                td_string!(locale, accounts.password_like_username).to_string()
            }
        }
    }
}
