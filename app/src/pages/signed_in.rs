//! The frame of every page that needs someone signed in.

use crate::{
    components::app_header::AppHeader,
    i18n::t,
    session::{AuthState, use_auth},
};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use waymark_shared::{Msg, api::Me};

/// Shows `content` for the signed-in person; sends everyone else to the sign-in page.
#[component]
pub fn SignedIn<F, V>(content: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    view! {
        <AppHeader/>
        <main id="main" class="page">
            {move || match auth.state.get() {
                AuthState::Checking => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
                AuthState::Unreachable => {
                    view! {
                        <p class="error" role="alert">{t(Msg::ErrorNetwork)}</p>
                    }
                        .into_any()
                }
                AuthState::Known(info) => match info.user {
                    Some(me) => content(me).into_any(),
                    None => view! { <Redirect path="/sign-in"/> }.into_any(),
                },
            }}
        </main>
    }
}
