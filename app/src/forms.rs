//! Forms posted to the site's own pages (sign in, renew a loan, edit an
//! author …): what was posted and what was wrong with it, which the page
//! shows again, and the pieces every such form is drawn with.
//!
//! A form's page is an address like any other; a `POST` to it is handled
//! by the server (`server::forms`), which either sends the browser on (a
//! redirect) or has the page rendered again with [`Submitted`] among its
//! inputs: the values as posted and each problem beside its field, with
//! status 200 as a browser expects of a form to correct. Plain forms: they
//! work without JavaScript, and navigation.js posts them in place with it.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{language::Locale, model::CopyStatus, page_inputs::locale};

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
    /// A date of death before the date of birth.
    DeathBeforeBirth,
    /// An author the library still has books of.
    AuthorHasBooks,
    /// The password given as the current one is not.
    WrongOldPassword,
    /// Not a mail address.
    InvalidEmail,
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
            Problem::DeathBeforeBirth => td_string!(locale, forms.death_before_birth).to_string(),
            Problem::AuthorHasBooks => td_string!(locale, forms.author_has_books).to_string(),
            Problem::WrongOldPassword => td_string!(locale, forms.wrong_old_password).to_string(),
            Problem::InvalidEmail => td_string!(locale, accounts.email_invalid).to_string(),
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

/// The form's problems with itself as a whole (not with one field), as an
/// alert above its fields.
#[component]
pub fn FormProblems(submitted: Option<Submitted>) -> impl IntoView {
    let locale = locale();
    let problems = submitted
        .map(|submitted| submitted.problems_with(WHOLE_FORM))
        .unwrap_or_default();
    (!problems.is_empty()).then(|| {
        view! {
            <div class="form-problems" role="alert">
                {problems
                    .into_iter()
                    .map(|problem| view! { <p class="error">{problem.message(locale)}</p> })
                    .collect_view()}
            </div>
        }
    })
}

/// A labelled input, with its help text and its problems (linked to it
/// for screen readers, and marked invalid), showing the value posted.
#[component]
pub fn Field(
    /// The input's name (its id is `field-NAME`).
    name: &'static str,
    label: &'static str,
    /// `text`, `password`, `date`, `email`.
    #[prop(default = "text")]
    kind: &'static str,
    /// Shown when nothing was posted (a password is never shown again).
    #[prop(optional, into)]
    value: String,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    /// The form as posted, if it was.
    submitted: Option<Submitted>,
) -> impl IntoView {
    let locale = locale();
    let id = format!("field-{name}");
    let help_id = help.map(|_| format!("{id}-help"));
    let problems = submitted
        .as_ref()
        .map(|submitted| submitted.problems_with(name))
        .unwrap_or_default();
    let problems_id = (!problems.is_empty()).then(|| format!("{id}-problems"));
    let described_by = [help_id.clone(), problems_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let value = match (&submitted, kind) {
        (_, "password") => String::new(),
        (Some(submitted), _) => submitted.value(name).unwrap_or_default().to_string(),
        (None, _) => value,
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=kind
                name=name
                value=value
                required=required
                autocomplete=autocomplete
                maxlength=maxlength
                aria-invalid=problems_id.is_some().then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
            />
            {help.map(|help| view! { <p class="help" id=help_id>{help}</p> })}
            {problems_id.map(|problems_id| view! {
                <ul class="field-problems" id=problems_id>
                    {problems
                        .iter()
                        .map(|problem| view! { <li class="error">{problem.message(locale)}</li> })
                        .collect_view()}
                </ul>
            })}
        </div>
    }
}
