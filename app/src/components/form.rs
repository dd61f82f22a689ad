//! Form helpers: a problem shown beside its field (and named to screen readers by the field), found by the same
//! shared rules the server applies (`waymark_shared::admin`).

use crate::{client::http::Failure, i18n::t};
use leptos::prelude::*;
use waymark_shared::{
    Msg,
    admin::{Field, Problems},
    api::ErrorCode,
};

/// The problem with `field`, if any, beside it. Its id is `{input}-error`, which the input names in
/// `aria-describedby`.
pub fn field_error(problems: RwSignal<Problems>, field: Field, input: &'static str) -> impl IntoView {
    move || {
        problems.with(|p| p.iter().find(|(f, _)| *f == field).map(|(_, m)| *m)).map(|m| {
            view! {
                <p class="field-error" id=format!("{input}-error") data-test=format!("{input}-error")>{t(m)}</p>
            }
        })
    }
}

/// Whether `field` has a problem (for `aria-invalid`).
pub fn invalid(problems: RwSignal<Problems>, field: Field) -> impl Fn() -> &'static str + Copy {
    move || {
        if problems.with(|p| p.iter().any(|(f, _)| *f == field)) { "true" } else { "false" }
    }
}

/// A refusal from the server, placed beside the field it names when it names one (the server says `field: why`).
/// Returns the message for the whole form otherwise.
pub fn place_failure(e: &Failure, problems: RwSignal<Problems>, fields: &[(Field, Msg)]) -> Option<Msg> {
    if let Failure::Api(api) = e {
        match api.code {
            ErrorCode::UsernameTaken => {
                problems.set(vec![(Field::Username, Msg::JoinUsernameTaken)]);
                return None;
            }
            ErrorCode::IdentityTaken => {
                problems.set(vec![(Field::Identity, Msg::AdminErrIdentityTaken)]);
                return None;
            }
            ErrorCode::InvalidInput => {
                let named: Problems = fields
                    .iter()
                    .filter(|(f, _)| api.message.starts_with(&format!("{}:", f.as_str())))
                    .copied()
                    .collect();
                if !named.is_empty() {
                    problems.set(named);
                    return None;
                }
            }
            _ => {}
        }
    }
    Some(e.message())
}
