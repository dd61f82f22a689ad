//! A shared planning session on the plan page: start it (the care team), see who is here and where they are
//! writing, end it, and read what was done. Each open plan says "I am here" every few seconds and at once when its
//! reader starts or stops writing, and asks again at once when the live channel says the session changed; the
//! edits themselves travel through sync like every other edit.

use crate::{
    client::{
        api::{self, PlanningAction},
        http::Failure,
    },
    components::{
        safety_plan::{PlanCtx, section_title},
        written::{author, when},
    },
    i18n::{t, t_fill, use_i18n},
    session::use_auth,
};
use leptos::{prelude::*, task::spawn_local};
use std::time::Duration;
use waymark_shared::{
    Msg, UserId,
    api::{Editing, PRESENCE_EVERY_MS, PresenceRequest, SessionState},
    i18n::fill,
    plan::{PlanSection, view::PlanView},
    sync::{Authorship, RecordId},
};

/// The session as this page knows it, and where this reader is writing. Shared through context with the items.
#[derive(Clone, Copy)]
pub struct SessionCtx {
    pub me: StoredValue<UserId>,
    pub state: RwSignal<Option<SessionState>>,
    pub editing: RwSignal<Option<Editing>>,
    /// The last "I am here" could not reach the server.
    pub unreachable: RwSignal<bool>,
}

impl SessionCtx {
    /// The names of others in the session writing at this item (`Some`) or in this section's new-item box (`None`).
    pub fn others_at(self, section: PlanSection, item: Option<&RecordId>) -> Vec<String> {
        let me = self.me.get_value();
        self.state.with(|s| {
            s.iter()
                .flat_map(|s| s.present.iter())
                .filter(|p| p.user != me)
                .filter(|p| p.editing.as_ref().is_some_and(|e| e.section == section && e.item.as_ref() == item))
                .map(|p| p.name.clone())
                .collect()
        })
    }

    /// "I start (or stop) writing here."
    pub fn writing(self, at: Option<Editing>) {
        if self.editing.get_untracked() != at {
            self.editing.set(at);
        }
    }
}

pub fn use_session() -> Option<SessionCtx> {
    use_context::<SessionCtx>()
}

/// Make the session context for a plan page and keep this reader's presence going while the page is open.
pub fn provide_session(ctx: PlanCtx) -> SessionCtx {
    let me = ctx.facts.with_untracked(|f| f.user.clone());
    let session = SessionCtx {
        me: StoredValue::new(me),
        state: RwSignal::new(None),
        editing: RwSignal::new(None),
        unreachable: RwSignal::new(false),
    };
    provide_context(session);
    let auth = use_auth();
    // One "I am here" at a time: asked for again while one is on its way, it is sent once more when that answers
    // (with where this reader is writing then). However fast changes come, a plan sends one request at a time.
    let asking = StoredValue::new(false);
    let again = StoredValue::new(false);
    let beat = move || {
        if asking.try_get_value().unwrap_or(true) {
            again.try_set_value(true);
            return;
        }
        asking.set_value(true);
        spawn_local(async move {
            loop {
                again.try_set_value(false);
                let Some(token) = auth.csrf_token() else {
                    session.unreachable.set(true);
                    break;
                };
                // (The plan may have closed while a request was on its way.)
                let (Some(person), Some(editing)) = (ctx.person.try_get_value(), session.editing.try_get_untracked())
                else {
                    break;
                };
                let body = PresenceRequest { editing };
                match api::planning_presence(&token, &person, &body).await {
                    Ok(s) => {
                        session.unreachable.set(false);
                        if session.state.with_untracked(|old| old.as_ref() != Some(&s)) {
                            session.state.set(Some(s));
                        }
                    }
                    Err(Failure::Network) => session.unreachable.set(true),
                    Err(e) => leptos::logging::warn!("presence refused: {e:?}"),
                }
                if !again.try_get_value().unwrap_or(false) {
                    break;
                }
            }
            asking.try_set_value(false);
        });
    };
    // At once, whenever this reader starts or stops writing, and every few seconds.
    Effect::new(move |_| {
        session.editing.track();
        beat();
    });
    // At once when the live channel says the session changed (someone started or ended it, arrived, or moved where
    // they are writing): the answer is the session as it is now.
    let sync = crate::sync::use_sync();
    Effect::new(move |_| {
        if sync.planning_heard.with(|h| h.as_ref().is_some_and(|(p, _)| *p == ctx.person.get_value())) {
            beat();
        }
    });
    if let Ok(handle) = set_interval_with_handle(beat, Duration::from_millis(u64::from(PRESENCE_EVERY_MS))) {
        on_cleanup(move || handle.clear());
    }
    session
}

/// The bar at the top of the plan: start, who is here, end, and the summary of the last session.
#[component]
pub fn SessionBar(ctx: PlanCtx, session: SessionCtx) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let may_run = Memo::new(move |_| ctx.facts.with(|f| f.is_team_staff()));
    let busy = RwSignal::new(false);
    let act = move |action: PlanningAction| {
        let Some(token) = auth.csrf_token() else {
            return;
        };
        let person = ctx.person.get_value();
        busy.set(true);
        spawn_local(async move {
            match api::planning(&token, &person, action).await {
                Ok(s) => session.state.set(Some(s)),
                Err(e) => ctx.error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let running = Memo::new(move |_| {
        session.state.with(|s| s.as_ref().and_then(|s| s.session.clone()).filter(|s| s.ended_at_ms.is_none()))
    });
    let ended = Memo::new(move |_| {
        session.state.with(|s| s.as_ref().and_then(|s| s.session.clone()).filter(|s| s.ended_at_ms.is_some()))
    });
    // Nothing to show (no session, none ended, and this reader may not start one, or presence has not answered yet):
    // no empty panel.
    let shown = move || may_run.get() || running.with(Option::is_some) || ended.with(Option::is_some);
    view! {
        <Show when=shown fallback=|| ()>
        <section class="panel session-bar" data-test="session-bar">
            {move || match running.get() {
                Some(s) => {
                    let lang = i18n.lang.get();
                    let heading = fill(Msg::SessionRunning.text(lang), &[("name", &s.started_by), ("time", &when(s.started_at_ms, lang))]);
                    view! {
                        <div class="session" data-test="session" data-session=s.id.clone()>
                            <h2>{heading}</h2>
                            <p class="field-label">{t(Msg::SessionHereNow)}</p>
                            <ul class="session-present" data-test="session-present">
                                {move || session.state.with(|st| st.as_ref().map(|st| st.present.clone()).unwrap_or_default()).into_iter().map(|p| {
                                    let lang = i18n.lang.get();
                                    let writing = p.editing.as_ref().map(|e| fill(Msg::SessionWritingIn.text(lang), &[("section", section_title(e.section, false).text(lang))]));
                                    view! {
                                        <li data-test="present-person" data-user=p.user.0.clone()>
                                            <span class="present-dot" aria-hidden="true"></span>
                                            <span class="member-name">{p.name.clone()}</span>
                                            <span class="badge">{t(waymark_shared::i18n::role_msg(p.role))}</span>
                                            {writing.map(|w| view! { <span class="hint" data-test="present-editing">{w}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {move || session.unreachable.get().then(|| view! { <p class="note" data-test="session-offline">{t(Msg::SessionOffline)}</p> })}
                            <Show when=move || may_run.get() fallback=|| ()>
                                <button type="button" class="button" data-test="session-end" disabled=move || busy.get()
                                    on:click=move |_| act(PlanningAction::End)>{t(Msg::SessionEnd)}</button>
                            </Show>
                        </div>
                    }
                    .into_any()
                }
                None => view! {
                    {move || ended.get().map(|s| view! { <SessionSummary ctx=ctx started=s.started_at_ms ended=s.ended_at_ms.unwrap_or_default() joined=s.joined/> })}
                    <Show when=move || may_run.get() fallback=|| ()>
                        <p class="hint">{t(Msg::SessionHint)}</p>
                        <button type="button" class="button primary" data-test="session-start" disabled=move || busy.get()
                            on:click=move |_| act(PlanningAction::Start)>{t(Msg::SessionStart)}</button>
                    </Show>
                }
                .into_any(),
            }}
        </section>
        </Show>
    }
}

/// One line of a session's summary.
#[derive(Clone, Debug, PartialEq)]
enum Done {
    Added { who: Authorship, text: String },
    Changed { who: Authorship, text: String },
    TookOut { who: Authorship, text: String },
    Signed { who: Authorship, version: u32 },
}

/// What changed in the plan between `from` and `to` (Unix ms), as this device may see it.
fn done_between(plan: &PlanView, from: i64, to: i64) -> Vec<(i64, Done)> {
    let within = |at: i64| at >= from && at <= to;
    let mut out = Vec::new();
    for item in &plan.items {
        if let Some(a) = item.added_by.as_ref().filter(|a| within(a.at_ms)) {
            out.push((a.at_ms, Done::Added { who: a.clone(), text: item.text.clone() }));
        }
        if let Some(c) = item.changed_by.as_ref().filter(|c| within(c.at_ms)) {
            out.push((c.at_ms, Done::Changed { who: c.clone(), text: item.text.clone() }));
        }
        if let Some(r) = item.removed_by.as_ref().filter(|r| item.removed && within(r.at_ms)) {
            out.push((r.at_ms, Done::TookOut { who: r.clone(), text: item.text.clone() }));
        }
    }
    for s in plan.signatures.values() {
        if let Some(by) = s.by.as_ref().filter(|b| within(b.at_ms)) {
            out.push((by.at_ms, Done::Signed { who: by.clone(), version: s.signature.version }));
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

#[component]
fn SessionSummary(ctx: PlanCtx, started: i64, ended: i64, joined: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let joined = joined.join(", ");
    view! {
        <div class="session-summary" data-test="session-summary">
            <h2>{t(Msg::SessionSummary)}</h2>
            <p>{move || {
                let lang = i18n.lang.get();
                fill(Msg::SessionRan.text(lang), &[("start", &when(started, lang)), ("end", &when(ended, lang)), ("names", &joined)])
            }}</p>
            {move || {
                let done = ctx.plan.with(|p| done_between(p, started, ended));
                let lang = i18n.lang.get();
                if done.is_empty() {
                    return view! { <p class="hint">{t(Msg::SessionNothing)}</p> }.into_any();
                }
                view! {
                    <ul data-test="session-done">
                        {done.into_iter().map(|(_, d)| {
                            // Each named with their role ("Helen Hughes, carer").
                            let line = match d {
                                Done::Added { who, text } => t_fill(Msg::SessionAdded, vec![("who", author(&who, lang)), ("text", text)]),
                                Done::Changed { who, text } => t_fill(Msg::SessionChanged, vec![("who", author(&who, lang)), ("text", text)]),
                                Done::TookOut { who, text } => t_fill(Msg::SessionTookOut, vec![("who", author(&who, lang)), ("text", text)]),
                                Done::Signed { who, version } => t_fill(Msg::SessionSigned, vec![("who", author(&who, lang)), ("version", version.to_string())]),
                            };
                            view! { <li>{line}</li> }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </div>
    }
}
