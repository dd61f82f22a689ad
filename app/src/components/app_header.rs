use crate::{
    components::{
        language_switch::{EasyReadSwitch, LanguageSwitch},
        sync_status::{AttentionPanel, SyncStatus},
    },
    i18n::{t, t_fill, use_i18n},
    session::use_auth,
    sync::use_sync,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_navigate};
use waymark_shared::{
    Msg,
    i18n::{count, role_msg},
};

/// The bar at the top of every page: the app's name, who is signed in, the sync status, the language switch and
/// sign-out; below it, anything that needs the person's attention.
#[component]
pub fn AppHeader() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let sign_out = move |_| {
        // Edits not yet synced stay on this tablet (in this person's own store, encrypted under their key, which
        // leaves with them) and sync at their next sign-in here. The question says so in plain words.
        let waiting = sync.waiting();
        if waiting > 0 {
            let text = count(
                i18n.lang.get_untracked(),
                waiting as u64,
                Msg::SignOutWaitingLockedOne,
                Msg::SignOutWaitingLocked,
            );
            if !window().confirm_with_message(&text).unwrap_or(false) {
                return;
            }
        }
        // With nothing left to sync, the person's data leaves this (possibly shared) tablet with them.
        let forget = (waiting == 0 && sync.attention.with_untracked(Vec::is_empty))
            .then(|| auth.me_untracked().map(|me| me.id))
            .flatten();
        let navigate = navigate.clone();
        spawn_local(async move {
            auth.sign_out().await;
            if let Some(user) = forget
                && let Err(e) = crate::local::delete(&user).await
            {
                leptos::logging::warn!("could not remove this person's data from the tablet: {e}");
            }
            navigate("/sign-in", Default::default());
        });
    };
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand">
                <span class="brand-name">{t(Msg::AppName)}</span>
                <span class="brand-tagline">{t(Msg::Tagline)}</span>
            </A>
            <div class="header-tools">
                {move || {
                    auth.me()
                        .map(|me| {
                            let role = role_msg(me.role);
                            let who = move || {
                                let role_name = role.text(i18n.lang.get()).to_owned();
                                t_fill(Msg::SignedInAs, vec![("name", me.display_name.clone()), ("role", role_name)])()
                            };
                            view! { <span class="signed-in-as" data-test="signed-in-as">{who}</span> }
                        })
                }}
                {move || auth.me().map(|_| view! { <SyncStatus/> })}
                <div class="header-choices">
                    <LanguageSwitch/>
                    <EasyReadSwitch/>
                </div>
                {move || {
                    auth.me()
                        .map(|_| {
                            view! {
                                <button type="button" class="button secondary" data-test="lock-now" on:click=move |_| auth.lock()>
                                    {t(Msg::LockNow)}
                                </button>
                            }
                        })
                }}
                {move || {
                    auth.me()
                        .map(|_| {
                            let sign_out = sign_out.clone();
                            view! {
                                <button type="button" class="button secondary" on:click=sign_out>
                                    {t(Msg::SignOut)}
                                </button>
                            }
                        })
                }}
            </div>
        </header>
        {move || auth.me().map(|_| view! { <AttentionPanel/> })}
    }
}
