//! The frame of every page that needs someone signed in.

use crate::{
    components::app_header::AppHeader,
    i18n::t,
    session::{AuthState, use_auth},
};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use waymark_shared::{Msg, UserId, api::Me};

/// What the frame shows. Compared, so a refreshed session (a new CSRF token, coming back online) does not rebuild
/// the page and lose what someone is typing.
#[derive(Clone, PartialEq)]
enum Gate {
    Checking,
    Unreachable,
    SignedIn(UserId),
    SignedOut,
}

/// Shows `content` for the signed-in person (online, or offline when they signed in on this device before); sends
/// everyone else to the sign-in page.
#[component]
pub fn SignedIn<F, V>(content: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let gate = Memo::new(move |_| match auth.state.get() {
        AuthState::Checking => Gate::Checking,
        AuthState::Unreachable => Gate::Unreachable,
        AuthState::Offline(me) => Gate::SignedIn(me.id),
        AuthState::Known(info) => match info.user {
            Some(me) => Gate::SignedIn(me.id),
            None => Gate::SignedOut,
        },
    });
    view! {
        <AppHeader/>
        <main id="main" class="page">
            {move || match gate.get() {
                Gate::Checking => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
                Gate::Unreachable => view! { <p class="error" role="alert">{t(Msg::ErrorNetwork)}</p> }.into_any(),
                Gate::SignedIn(_) => match auth.me_untracked() {
                    Some(me) => content(me).into_any(),
                    None => view! { <Redirect path="/sign-in"/> }.into_any(),
                },
                Gate::SignedOut => view! { <Redirect path="/sign-in"/> }.into_any(),
            }}
        </main>
    }
}
