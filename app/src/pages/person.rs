//! `/people/:id`: one service user's page; and the loader every page about one person uses.

use super::signed_in::SignedIn;
use crate::{
    client::api,
    components::person_details::{LazyPersonDetails, error_view},
    i18n::t,
    session::use_auth,
    sync::use_sync,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use waymark_shared::{
    Msg, UserId,
    api::{Me, PersonPage as Page},
};

#[component]
pub fn PersonPage() -> impl IntoView {
    view! {
        <PersonRoute content=|me, page| view! {
            <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
            <LazyPersonDetails me=me page=page/>
        }/>
    }
}

/// Load the person's page (from the server, or the copy on this device, which is then said) and show `content`
/// with it.
#[component]
pub(crate) fn WithPerson<F, V>(id: UserId, content: F) -> impl IntoView
where
    F: Fn(Me, Page) -> V + Send + Sync + Copy + 'static,
    V: IntoView + 'static,
{
    let sync = use_sync();
    let auth = use_auth();
    let page = LocalResource::new(move || {
        let id = id.clone();
        async move { sync.page(api::person(&id)).await }
    });
    move || match page.get() {
        None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
        Some(Err(e)) => error_view(e).into_any(),
        Some(Ok((p, from_device))) => match auth.me_untracked() {
            Some(me) => view! {
                {from_device.then(|| view! { <p class="note" data-test="offline-copy">{t(Msg::OfflineCopy)}</p> })}
                {content(me, p)}
            }
            .into_any(),
            None => ().into_any(),
        },
    }
}

/// A page about the person named in the URL (`/people/:id/…`): signed in, with their page loaded.
#[component]
pub(crate) fn PersonRoute<F, V>(content: F) -> impl IntoView
where
    F: Fn(Me, Page) -> V + Send + Sync + Copy + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    view! {
        <SignedIn content=move |_me| {
            move || {
                let id = UserId(params.read().get("id").unwrap_or_default());
                view! { <WithPerson id=id content=content/> }
            }
        }/>
    }
}
