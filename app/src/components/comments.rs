//! The comment thread on a person's page. Each comment is written for the care team (the default) or also for the
//! people the person shares comments with; a carer comments only where comments are shared with them, and always for
//! those people. Its writer may remove it ("Undo" while the removal or the comment itself has not been sent,
//! "Restore" afterwards). Every author is shown with their role; a carer never sees another carer's name.

use crate::{
    components::written::written_by,
    i18n::{t, t_fill, use_i18n},
    sync::{
        model::{CommentView, comments},
        use_sync,
    },
    util::random_hex,
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Msg, Role, UserId,
    comments::{CommentAudience, CommentChange, MAX_COMMENT_CHARS},
    consent::{Action, WriterFacts, may},
    sync::{Authorship, RecordId},
};

#[component]
pub fn Comments(
    person: UserId,
    /// The person's name, as the page shows it.
    name: String,
    facts: Memo<WriterFacts>,
    my_name: String,
    /// The person has carers: only then is there a choice of who reads a comment.
    has_carers: bool,
) -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    let me = StoredValue::new(facts.with_untracked(|f| Authorship {
        user: f.user.clone(),
        name: my_name.clone(),
        at_ms: 0,
        role: Some(f.role),
    }));
    let is_carer = facts.with_untracked(|f| f.role == Role::Carer);
    let is_person = facts.with_untracked(|f| f.is_person());
    // A carer writes for the people comments are shared with (a comment for the care team alone would not reach
    // them), and only where comments are shared with them.
    let may_add = Memo::new(move |_| facts.with(|f| may(f, Action::Comment { shared: f.role == Role::Carer })));
    let person = StoredValue::new(person);
    let list = Memo::new(move |_| {
        sync.replica.with(|r| sync.outbox.with(|o| person.with_value(|p| me.with_value(|m| comments(r, o, p, m)))))
    });
    // A removed comment stays in the record; only its writer still sees it here (to restore it).
    let visible = Memo::new(move |_| {
        list.get().into_iter().filter(|c| !c.removed || me.with_value(|m| c.by.user == m.user)).collect::<Vec<_>>()
    });
    let busy = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let shared = RwSignal::new(is_carer);

    let act = move |change: CommentChange| sync.edit_soon(&person.get_value(), change);
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
        let audience =
            if is_carer || shared.get_untracked() { CommentAudience::Shared } else { CommentAudience::CareTeam };
        let change = CommentChange::AddComment { comment: RecordId(format!("c-{}", random_hex(12))), text, audience };
        busy.set(true);
        let saved = sync.edit(&person.get_value(), change);
        spawn_local(async move {
            if saved.await.is_ok() {
                draft.set(String::new());
                shared.set(is_carer);
            }
            busy.set(false);
        });
    };

    let row =
        move |c: CommentView| {
            let mine = me.with_value(|m| c.by.user == m.user);
            let state = if c.removed {
                "removed"
            } else if c.synced {
                "synced"
            } else {
                "waiting"
            };
            let by = written_by(&c.by, i18n.lang.get());
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
                    ("comment-restore", Msg::RestoreComment, CommentChange::RestoreComment { comment: id.clone() })
                } else {
                    ("comment-remove", Msg::RemoveComment, CommentChange::RemoveComment { comment: id.clone() })
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
            let shared_badge = !is_carer && c.audience == Some(CommentAudience::Shared);
            view! {
                <li class="comment" class:removed=c.removed data-test="comment" data-state=state>
                    <p class="comment-text">{c.text}</p>
                    {c.removed.then(|| view! { <p class="comment-note">{t(Msg::CommentRemoved)}</p> })}
                    <div class="comment-meta">
                        <span class="comment-by" data-test="comment-by">{by}</span>
                        {shared_badge.then(|| view! { <span class="badge">{t(Msg::CommentShared)}</span> })}
                        {waiting.then(|| view! { <span class="badge waiting">{t(Msg::WaitingToSync)}</span> })}
                        {action}
                    </div>
                </li>
            }
        };

    let name = StoredValue::new(name);
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
            <Show when=move || may_add.get() fallback=|| ()>
                <form class="comment-form" on:submit=add novalidate>
                    <label class="field-label" for="new-comment">{t(Msg::WriteComment)}</label>
                    <textarea
                        id="new-comment"
                        class="field-input"
                        data-test="comment-input"
                        rows="3"
                        maxlength=MAX_COMMENT_CHARS.to_string()
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    ></textarea>
                    {if is_carer {
                        view! {
                            <p class="hint" data-test="comment-carer-hint">
                                {t_fill(Msg::CommentCarerHint, vec![("name", name.get_value())])}
                            </p>
                        }
                        .into_any()
                    } else if has_carers {
                        let shared_label = if is_person {
                            t_fill(Msg::CommentForSharedMine, vec![])
                        } else {
                            t_fill(Msg::CommentForSharedTheirs, vec![("name", name.get_value())])
                        };
                        view! {
                            <fieldset class="comment-audience" data-test="comment-audience">
                                <legend>{t(Msg::CommentAudience)}</legend>
                                <label class="check">
                                    <input type="radio" name="comment-audience" value="care_team" data-test="comment-for-care-team"
                                        prop:checked=move || !shared.get() on:change=move |_| shared.set(false)/>
                                    <span>{t(Msg::CommentForCareTeam)}</span>
                                </label>
                                <label class="check">
                                    <input type="radio" name="comment-audience" value="shared" data-test="comment-for-shared"
                                        prop:checked=move || shared.get() on:change=move |_| shared.set(true)/>
                                    <span>{shared_label}</span>
                                </label>
                            </fieldset>
                        }
                        .into_any()
                    } else {
                        ().into_any()
                    }}
                    <div class="field-footer">
                        <button type="submit" class="button primary" data-test="comment-add" disabled=move || busy.get()>
                            {t(Msg::AddComment)}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
