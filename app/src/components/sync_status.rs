//! The sync status in the header, and the list of changes that need the person's attention.

use crate::{
    i18n::{t, use_i18n},
    sync::{model::SyncState, use_sync},
    util::record_error_text,
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{Msg, i18n::fill};

/// "All saved here" / "N changes waiting to sync" / "Offline — …" / "Syncing… x of y" / "Needs your attention (N)".
#[component]
pub fn SyncStatus() -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    let state = Memo::new(move |_| sync.state());
    let text = move || {
        let lang = i18n.lang.get();
        let n = |msg: Msg, n: usize| fill(msg.text(lang), &[("n", &n.to_string())]);
        match state.get() {
            SyncState::Saved => Msg::SyncSaved.text(lang).to_owned(),
            SyncState::Saving => Msg::Saving.text(lang).to_owned(),
            SyncState::Waiting(count) => {
                waymark_shared::i18n::count(lang, count as u64, Msg::SyncWaitingOne, Msg::SyncWaitingMany)
            }
            SyncState::Offline(_) => Msg::SyncOffline.text(lang).to_owned(),
            SyncState::Syncing { done, total } => {
                fill(Msg::SyncProgress.text(lang), &[("done", &done.to_string()), ("total", &total.to_string())])
            }
            SyncState::Attention(_) if sync.update_needed.get() => Msg::SyncUpdateApp.text(lang).to_owned(),
            SyncState::Attention(count) => n(Msg::SyncAttention, count),
        }
    };
    let progress = move || match state.get() {
        SyncState::Syncing { done, total } => Some(view! {
            <progress class="sync-progress" max=total.to_string() value=done.to_string()></progress>
        }),
        _ => None,
    };
    view! {
        <div
            class="sync-status"
            data-test="sync-status"
            data-state=move || state.get().as_str()
            data-cursor=move || sync.saved_cursor.get().map(|c| c.to_string())
            role="status"
        >
            <span class="sync-dot" aria-hidden="true"></span>
            <span class="sync-text">{text}</span>
            {progress}
        </div>
    }
}

/// Changes the server refused (kept so nothing is lost), an edit that could not be saved here, an app too old for
/// the server, or a store that can't save.
#[component]
pub fn AttentionPanel() -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    let visible = move || {
        sync.update_needed.get()
            || sync.store_failed.get()
            || sync.other_tab.get()
            || sync.failed.with(Option::is_some)
            || sync.attention.with(|a| !a.is_empty())
    };
    let items = move || {
        let lang = i18n.lang.get();
        sync.attention
            .get()
            .into_iter()
            .map(|item| {
                // Each domain names its own changes and gives the words they carried.
                let change = &item.pending.mutation.change;
                let what = change.label();
                let text = change.words().map(str::to_owned);
                let id = item.pending.mutation.id;
                view! {
                    <li class="attention-item" data-test="attention-item">
                        <p class="attention-what" data-test="attention-what">{what.text(lang)}</p>
                        {text.map(|t| view! { <blockquote class="version-text">{t}</blockquote> })}
                        <p class="attention-why">{item.code.message().text(lang)}</p>
                        <button type="button" class="button quiet" on:click=move |_| spawn_local(sync.dismiss(id))>
                            {Msg::Dismiss.text(lang)}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=visible fallback=|| ()>
            <section class="attention-panel" data-test="attention" aria-live="polite">
                {move || sync.update_needed.get().then(|| view! { <p class="error">{t(Msg::ErrorUpdateApp)}</p> })}
                {move || sync.store_failed.get().then(|| view! { <p class="error">{t(Msg::StoreUnavailable)}</p> })}
                {move || sync.other_tab.get().then(|| view! {
                    <p class="error" data-test="other-tab">{t(Msg::OpenInAnotherTab)}</p>
                })}
                {move || sync.failed.get().map(|e| view! {
                    <div class="edit-failed" data-test="edit-failed" role="alert">
                        <p><strong>{t(Msg::EditNotSaved)}</strong></p>
                        <p>{record_error_text(&e, i18n.lang.get())}</p>
                        <button type="button" class="button quiet" on:click=move |_| sync.dismiss_failure()>{t(Msg::Dismiss)}</button>
                    </div>
                })}
                {move || sync.attention.with(|a| !a.is_empty()).then(|| view! {
                    <p class="attention-intro">{t(Msg::AttentionIntro)}</p>
                    <ul class="attention-list">{items}</ul>
                })}
            </section>
        </Show>
    }
}
