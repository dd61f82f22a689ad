//! The comment thread on a person's "About me". Anyone who may open the record may add a comment; its writer may
//! remove it ("Undo" while the removal or the comment itself has not been sent, "Restore" afterwards).

use crate::{
    components::{about_me::record_error, written::written_by},
    i18n::{t, use_i18n},
    sync::{
        model::{CommentView, comments},
        random_hex, use_sync,
    },
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Msg, UserId,
    i18n::fill,
    sync::{Change, RecordId, WriterFacts},
};

#[component]
pub fn Comments(person: UserId, facts: WriterFacts, my_name: String) -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    let me = facts.user.clone();
    let may_add = Change::AddComment { comment: RecordId("probe".into()), text: "probe".into() }.may_write(&facts, None);
    let person = StoredValue::new(person);
    let me = StoredValue::new(me);
    let list = Memo::new(move |_| {
        sync.replica.with(|r| {
            sync.outbox.with(|o| person.with_value(|p| me.with_value(|m| comments(r, o, p, m, &my_name))))
        })
    });
    // A removed comment stays in the record; only its writer still sees it here (to restore it).
    let visible = Memo::new(move |_| {
        list.get().into_iter().filter(|c| !c.removed || me.with_value(|m| &c.author == m)).collect::<Vec<_>>()
    });
    let busy = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(Msg, Option<usize>)>);

    let act = move |change: Change| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if let Err(e) = sync.record(&person.get_value(), change, false).await {
                error.set(Some(record_error(e)));
            }
            busy.set(false);
        });
    };
    let undo = move |id: u64| {
        spawn_local(async move {
            sync.cancel(id).await;
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        if busy.get_untracked() || text.trim().is_empty() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let change = Change::AddComment { comment: RecordId(format!("c-{}", random_hex(12))), text };
            match sync.record(&person.get_value(), change, false).await {
                Ok(()) => draft.set(String::new()),
                Err(e) => error.set(Some(record_error(e))),
            }
            busy.set(false);
        });
    };

    let row = move |c: CommentView| {
        let mine = me.with_value(|m| &c.author == m);
        let state = if c.removed {
            "removed"
        } else if c.synced {
            "synced"
        } else {
            "waiting"
        };
        let by = written_by(&c.author_name, c.at_ms, i18n.lang.get());
        let id = c.id.clone();
        let action = match (mine, c.add_pending, c.removal_pending) {
            // Not sent yet: take it back.
            (_, Some((edit, false)), _) | (_, _, Some((edit, false))) => Some(view! {
                <button type="button" class="button quiet" data-test="comment-undo" on:click=move |_| undo(edit)>
                    {t(Msg::Undo)}
                </button>
            }
            .into_any()),
            (true, None, None) if c.synced => {
                let (test, label, change) = if c.removed {
                    ("comment-restore", Msg::RestoreComment, Change::RestoreComment { comment: id.clone() })
                } else {
                    ("comment-remove", Msg::RemoveComment, Change::RemoveComment { comment: id.clone() })
                };
                Some(view! {
                    <button
                        type="button"
                        class="button quiet"
                        data-test=test
                        disabled=move || busy.get()
                        on:click=move |_| act(change.clone())
                    >
                        {t(label)}
                    </button>
                }
                .into_any())
            }
            _ => None,
        };
        let waiting = c.add_pending.is_some() || c.removal_pending.is_some();
        view! {
            <li class="comment" class:removed=c.removed data-test="comment" data-state=state>
                <p class="comment-text">{c.text}</p>
                {c.removed.then(|| view! { <p class="comment-note">{t(Msg::CommentRemoved)}</p> })}
                <div class="comment-meta">
                    <span class="comment-by">{by}</span>
                    {waiting.then(|| view! { <span class="badge waiting">{t(Msg::WaitingToSync)}</span> })}
                    {action}
                </div>
            </li>
        }
    };

    view! {
        <section class="panel comments" data-test="comments" aria-labelledby="comments-heading">
            <h2 id="comments-heading">{t(Msg::Comments)}</h2>
            {move || {
                let items = visible.get();
                if items.is_empty() {
                    view! { <p class="empty">{t(Msg::NoCommentsYet)}</p> }.into_any()
                } else {
                    view! { <ul class="comment-list">{items.into_iter().map(row).collect_view()}</ul> }.into_any()
                }
            }}
            {may_add.then(|| view! {
                <form class="comment-form" on:submit=add novalidate>
                    <label class="field-label" for="new-comment">{t(Msg::WriteComment)}</label>
                    <textarea
                        id="new-comment"
                        class="field-input"
                        data-test="comment-input"
                        rows="3"
                        maxlength=waymark_shared::sync::change::MAX_COMMENT_CHARS.to_string()
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    ></textarea>
                    <div class="field-footer">
                        <button type="submit" class="button primary" data-test="comment-add" disabled=move || busy.get()>
                            {t(Msg::AddComment)}
                        </button>
                    </div>
                </form>
            })}
            {move || {
                error.get().map(|(msg, max)| {
                    let text = fill(msg.text(i18n.lang.get()), &[("max", &max.unwrap_or_default().to_string())]);
                    view! { <p class="field-error" role="alert">{text}</p> }
                })
            }}
        </section>
    }
}
