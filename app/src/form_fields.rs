//! The pieces every form of the site is drawn with: each field labelled,
//! with its help and its problems ([`crate::problems`]) beside it, and the
//! value as posted. Plain forms: they work without JavaScript, and
//! navigation.js posts them in place with it.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::{
    page_inputs::locale,
    problems::{Problem, Submitted, WHOLE_FORM},
};

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

/// After a save refused because the record changed meanwhile
/// ([`Problem::EditedMeanwhile`]): the record as it now is, field by field
/// (`now`: each field's label and value), beside the form that keeps the
/// librarian's own values. Nothing otherwise.
#[component]
pub fn CurrentValues(
    submitted: Option<Submitted>,
    now: Vec<(&'static str, String)>,
) -> impl IntoView {
    let locale = locale();
    let refused = submitted.is_some_and(|submitted| {
        submitted
            .problems_with(WHOLE_FORM)
            .contains(&Problem::EditedMeanwhile)
    });
    refused.then(|| {
        view! {
            <section class="current-values" aria-labelledby="current-values-title">
                <h2 id="current-values-title">{td_string!(locale, forms.current_values)}</h2>
                <dl>
                    {now
                        .into_iter()
                        .map(|(label, value)| {
                            let value = if value.is_empty() { "—".to_string() } else { value };
                            view! { <dt>{label}</dt><dd>{value}</dd> }
                        })
                        .collect_view()}
                </dl>
            </section>
        }
    })
}

/// Why a record cannot be deleted, and the records in its way: each its
/// address (if it has a page) and its text.
pub type InTheWay = (String, Vec<(Option<String>, String)>);

/// A delete page: its title, then either the question and the button that
/// deletes the record (posting to `{page}/delete`), or why it cannot be
/// deleted and the records in its way (each a text, linked where it has a
/// page); then the way back to the record's `page` (or `back`), named
/// `name`.
#[component]
pub fn DeletePage(
    title: String,
    page: String,
    name: String,
    confirm: &'static str,
    button: &'static str,
    /// Why not, and what is in the way, if anything is.
    in_the_way: Option<InTheWay>,
    /// The way back, if not to `page` (a copy has no page: its book's).
    #[prop(optional)]
    back: Option<String>,
) -> impl IntoView {
    let submitted = crate::page_inputs::submitted();
    let body = match in_the_way {
        None => view! {
            <p>{confirm}</p>
            <form method="post" action=format!("{page}/delete") class="form">
                <FormProblems submitted />
                <button type="submit">{button}</button>
            </form>
        }
        .into_any(),
        Some((why, records)) => view! {
            <div role=submitted.is_some().then_some("alert")>
                <p class="error">{why}</p>
                <ul>
                    {records
                        .into_iter()
                        .map(|(href, text)| match href {
                            Some(href) => view! { <li><a href=href>{text}</a></li> }.into_any(),
                            None => view! { <li>{text}</li> }.into_any(),
                        })
                        .collect_view()}
                </ul>
            </div>
        }
        .into_any(),
    };
    view! {
        <crate::layout::PageTitle text=title.clone() />
        <h1>{title}</h1>
        {body}
        <p><a href=back.unwrap_or(page)>{name}</a></p>
    }
}

/// A labelled input, with its help text and its problems (linked to it
/// for screen readers, and marked invalid), showing the value posted.
#[component]
pub fn Field(
    /// The input's name (its id is `field-NAME`).
    name: &'static str,
    label: &'static str,
    /// `text`, `password`, `date`, `email`; `textarea` for several lines.
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
    let id = format!("field-{name}");
    let about = About::of(&id, name, help, &submitted);
    let value = match (&submitted, kind) {
        (_, "password") => String::new(),
        (Some(submitted), _) => submitted.value(name).unwrap_or_default().to_string(),
        (None, _) => value,
    };
    let control = if kind == "textarea" {
        view! {
            <textarea
                id=id.clone()
                name=name
                rows="6"
                required=required
                maxlength=maxlength
                aria-invalid=about.invalid()
                aria-describedby=about.described_by()
            >
                {value}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type=kind
                name=name
                value=value
                required=required
                autocomplete=autocomplete
                maxlength=maxlength
                aria-invalid=about.invalid()
                aria-describedby=about.described_by()
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            {about.view()}
        </div>
    }
}

/// A labelled choice of one of `options` (value, label), showing the one
/// posted, else `value`.
#[component]
pub fn Select(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional, into)] value: String,
    submitted: Option<Submitted>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let about = About::of(&id, name, None, &submitted);
    let chosen = match &submitted {
        Some(submitted) => submitted.value(name).unwrap_or_default().to_string(),
        None => value,
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                aria-invalid=about.invalid()
                aria-describedby=about.described_by()
            >
                {options
                    .into_iter()
                    .map(|(value, label)| {
                        let selected = value == chosen;
                        view! { <option value=value selected=selected>{label}</option> }
                    })
                    .collect_view()}
            </select>
            {about.view()}
        </div>
    }
}

/// A group of `options` (value, label) under `legend`, each a box to tick
/// (`several`) or one to choose, showing those posted, else `values`.
#[component]
pub fn Choices(
    name: &'static str,
    legend: &'static str,
    options: Vec<(String, String)>,
    #[prop(optional)] values: Vec<String>,
    #[prop(optional)] several: bool,
    #[prop(optional)] help: Option<&'static str>,
    submitted: Option<Submitted>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let about = About::of(&id, name, help, &submitted);
    let chosen: Vec<String> = match &submitted {
        Some(submitted) => submitted
            .values(name)
            .into_iter()
            .map(str::to_string)
            .collect(),
        None => values,
    };
    let kind = if several { "checkbox" } else { "radio" };
    // No aria-invalid: a group of boxes cannot be said to be invalid
    // (ARIA allows it on the boxes' own roles only); the problems are
    // linked to it.
    let described_by = about.described_by();
    view! {
        <fieldset class="field choices" id=id.clone() aria-describedby=described_by>
            <legend>{legend}</legend>
            {options
                .into_iter()
                .map(|(value, label)| {
                    let checked = chosen.contains(&value);
                    view! {
                        <label class="choice">
                            <input type=kind name=name value=value checked=checked />
                            {label}
                        </label>
                    }
                })
                .collect_view()}
            {about.view()}
        </fieldset>
    }
}

/// What is said about a field besides its label: its help and the
/// problems posted with it, each with the id the field names them by.
struct About {
    locale: crate::language::Locale,
    help: Option<(String, &'static str)>,
    problems: Option<(String, Vec<Problem>)>,
}

impl About {
    fn of(
        id: &str,
        name: &str,
        help: Option<&'static str>,
        submitted: &Option<Submitted>,
    ) -> About {
        let problems = submitted
            .as_ref()
            .map(|submitted| submitted.problems_with(name))
            .unwrap_or_default();
        About {
            locale: locale(),
            help: help.map(|help| (format!("{id}-help"), help)),
            problems: (!problems.is_empty()).then(|| (format!("{id}-problems"), problems)),
        }
    }

    /// `aria-invalid`: said only of a field with problems.
    fn invalid(&self) -> Option<&'static str> {
        self.problems.is_some().then_some("true")
    }

    /// `aria-describedby`: the help's id and the problems'.
    fn described_by(&self) -> Option<String> {
        let ids = [
            self.help.as_ref().map(|(id, _)| id.clone()),
            self.problems.as_ref().map(|(id, _)| id.clone()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        (!ids.is_empty()).then_some(ids)
    }

    fn view(self) -> impl IntoView {
        let locale = self.locale;
        view! {
            {self.help.map(|(id, help)| view! { <p class="help" id=id>{help}</p> })}
            {self.problems.map(|(id, problems)| view! {
                <ul class="field-problems" id=id>
                    {problems
                        .iter()
                        .map(|problem| view! { <li class="error">{problem.message(locale)}</li> })
                        .collect_view()}
                </ul>
            })}
        }
    }
}
