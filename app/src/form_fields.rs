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
