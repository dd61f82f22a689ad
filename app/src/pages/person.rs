use super::signed_in::SignedIn;
use crate::{components::person_details::PersonDetails, i18n::t};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use waymark_shared::{Msg, UserId};

/// `/people/:id`: one service user's page.
#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <SignedIn content=move |_me| {
            view! {
                <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
                {move || {
                    let id = params.read().get("id").unwrap_or_default();
                    view! { <PersonDetails id=UserId(id)/> }
                }}
            }
        }/>
    }
}
