//! `/people/:id/tracker`: the recovery tracker (chart, readings, goals, sharing) and
//! `/people/:id/tracker/readings/:reading`: one reading, done together.

use super::{
    person::{PersonRoute, WithPerson},
    signed_in::SignedIn,
};
use crate::{
    components::{
        reading::{Naming, ReadingEditor, reading_title},
        tracker_overview::TrackerOverview,
        written::written_by,
    },
    frameworks::use_frameworks,
    i18n::{t, t_fill, use_i18n},
    sync::{tracker::use_tracker, use_facts, use_sync},
    util::{random_hex, today},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};
use waymark_shared::{
    Msg, Role, UserId,
    api::{Me, PersonPage},
    consent::{Action, ConsentChange, WriterFacts, may},
    i18n::{count, fill},
    outcomes::{FrameworkId, built_in},
    sync::RecordId,
    tracker::{Presence, SharedPart, TrackerChange},
};

#[component]
pub fn TrackerPage() -> impl IntoView {
    view! { <PersonRoute content=|me, page| view! { <Tracker me=me page=page/> }/> }
}

#[component]
fn Tracker(me: Me, page: PersonPage) -> impl IntoView {
    let sync = use_sync();
    let frameworks = use_frameworks();
    let navigate = use_navigate();
    let i18n = use_i18n();
    let person = page.person.id.clone();
    sync.opened(&person, waymark_shared::api::AuditPage::Tracker);
    let tracker = use_tracker(person.clone());
    let facts = use_facts(&me, &page);
    // The framework shown: the one of the latest reading, until someone picks another.
    let picked = RwSignal::new(None::<FrameworkId>);
    let framework_id = Memo::new(move |_| {
        picked.get().unwrap_or_else(|| {
            tracker
                .with(|t| t.readings.last().map(|r| r.framework.clone()))
                .unwrap_or_else(|| built_in::waymark_ladder().id)
        })
    });
    let error = RwSignal::new(None::<Msg>);
    let person_sv = StoredValue::new(person.clone());
    let may_start = move || facts.with(|f| may(f, Action::WriteTracker));
    let date = RwSignal::new(today());
    let start = move |_| {
        let Some(f) = frameworks.current(&framework_id.get_untracked()) else {
            return;
        };
        let date = date.get_untracked();
        if !waymark_shared::tracker::is_date(&date) {
            error.set(Some(Msg::ErrorInvalidInput));
            return;
        }
        let reading = RecordId(random_hex(8));
        let role = facts.with_untracked(|f| f.role);
        let mut present = vec![Presence::Person];
        match role {
            Role::KeyWorker => present.push(Presence::KeyWorker),
            Role::Staff | Role::WardManager => present.push(Presence::OtherStaff),
            _ => {}
        }
        let person = person_sv.get_value();
        let navigate = navigate.clone();
        let first =
            TrackerChange::StartReading { reading: reading.clone(), framework: f.id.clone(), version: f.version, date };
        let who = TrackerChange::ReadingPresent { reading: reading.clone(), present };
        let saved = sync.edit_all(&person, vec![first.into(), who.into()]);
        spawn_local(async move {
            // A failure is shown by the engine.
            if saved.await.is_ok() {
                navigate(&format!("/people/{}/tracker/readings/{}", person.0, reading.0), Default::default());
            }
        });
    };
    let is_carer = me.role == Role::Carer;
    let shared_with_me = move || facts.with(|f| f.shared.contains(&SharedPart::Tracker));
    let name = page.person.display_name.clone();
    let carers = page.carers();
    let is_person = facts.with_untracked(|f| f.is_person());
    let naming = Naming { name: name.clone(), mine: is_person };
    let back_name = name.clone();
    let title_name = name.clone();
    view! {
        <A href=format!("/people/{}", person.0) attr:class="back-link">
            {move || if is_person {
                Msg::TrackerBackToMine.text(i18n.lang.get()).to_owned()
            } else {
                fill(Msg::TrackerBackToNamed.text(i18n.lang.get()), &[("name", &back_name)])
            }}
        </A>
        <article class="tracker-page" class:easy-read=move || i18n.easy_read.get() data-test="tracker-page">
            <h1>{move || if is_person {
                Msg::TrackerTitleMine.text(i18n.lang.get()).to_owned()
            } else {
                format!("{title_name}: {}", Msg::TrackerTitle.text(i18n.lang.get()))
            }}</h1>
            <p class="intro">{move || if i18n.easy_read.get() { Msg::TrackerIntroEasy } else { Msg::TrackerIntro }.text(i18n.lang.get())}</p>
            {move || (is_carer && !shared_with_me()).then(|| view! {
                <p class="note" data-test="tracker-not-shared">{t_fill(Msg::TrackerNotShared, vec![("name", name.clone())])}</p>
            })}
            <div class="tracker-controls">
                <label class="field-label" for="framework-pick">{t(Msg::TrackerFramework)}</label>
                <select id="framework-pick" data-test="framework-pick"
                    on:change=move |ev| picked.set(Some(FrameworkId(event_target_value(&ev))))>
                    {move || frameworks.choices().into_iter().map(|f| {
                        let id = f.id.0.clone();
                        let selected = framework_id.with(|s| s.0 == id);
                        view! { <option value=id selected=selected>{f.name.get(i18n.lang.get()).to_owned()}</option> }
                    }).collect_view()}
                </select>
                <Show when=may_start fallback=|| ()>
                    <label class="field-label" for="reading-date">{t(Msg::TrackerReadingDate)}</label>
                    <input id="reading-date" type="date" data-test="reading-date" max=today()
                        prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
                    <button type="button" class="button primary" data-test="start-reading" on:click=start.clone()>
                        {t(Msg::TrackerStartReading)}
                    </button>
                </Show>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{t(m)}</p> })}
            <Show when=move || !is_carer || shared_with_me() fallback=|| ()>
                <Drafts person=person_sv.get_value() facts=facts/>
                <TrackerOverview person=person_sv.get_value() framework=framework_id facts=facts naming=naming.clone()/>
                <ReadingsList person=person_sv.get_value() framework=framework_id/>
            </Show>
            {is_person.then(|| view! { <Sharing person=person.clone() carers=carers/> })}
        </article>
    }
}

#[component]
fn ReadingsList(person: UserId, framework: Memo<FrameworkId>) -> impl IntoView {
    let tracker = use_tracker(person.clone());
    let list = Memo::new(move |_| {
        framework.with(|f| {
            tracker.with(|t| t.finished_of(f).map(|r| (r.id.clone(), r.date.clone(), r.waiting)).collect::<Vec<_>>())
        })
    });
    let i18n = use_i18n();
    view! {
        <section class="panel" data-test="readings">
            <h2>{t(Msg::TrackerReadings)}</h2>
            {move || {
                let items = list.get();
                if items.is_empty() {
                    return view! { <p class="hint">{t(Msg::TrackerNoReadings)}</p> }.into_any();
                }
                let n = items.len() as u64;
                view! {
                    <p class="hint" data-test="readings-count">
                        {move || count(i18n.lang.get(), n, Msg::TrackerReadingsCountOne, Msg::TrackerReadingsCountMany)}
                    </p>
                    <ul class="readings-list">
                        {items.into_iter().rev().map(|(id, date, waiting)| view! {
                            <li data-test="reading-item" data-reading=id.0.clone()>
                                <A href=format!("/people/{}/tracker/readings/{}", person.0, id.0)>
                                    {move || reading_title(&date, i18n.lang.get())}
                                </A>
                                {waiting.then(|| view! { <span class="badge" data-test="reading-waiting">{t(Msg::WaitingToSync)}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

/// Readings started and not finished (of any set of areas): carry on with one, or put it aside (whoever started it,
/// or the care team), with undo. They never go on the chart.
#[component]
fn Drafts(person: UserId, facts: Memo<WriterFacts>) -> impl IntoView {
    let tracker = use_tracker(person.clone());
    let frameworks = use_frameworks();
    let sync = use_sync();
    let i18n = use_i18n();
    let person = StoredValue::new(person);
    // The draft last put aside here, to undo.
    let put_aside = RwSignal::new(None::<(RecordId, String)>);
    let drafts = Memo::new(move |_| tracker.with(|t| t.drafts().cloned().collect::<Vec<_>>()));
    // Put a draft aside (or bring it back); `then` runs once it is saved here.
    let set_aside = move |reading: RecordId, discarded: bool, then: Box<dyn FnOnce()>| {
        let saved = sync.edit(&person.get_value(), TrackerChange::DiscardReading { reading, discarded });
        spawn_local(async move {
            if saved.await.is_ok() {
                then();
            }
        });
    };
    view! {
        <Show when=move || !drafts.with(Vec::is_empty) || put_aside.with(Option::is_some) fallback=|| ()>
            <section class="panel drafts" data-test="drafts">
                <h2>{t(Msg::TrackerDrafts)}</h2>
                <p class="hint">{t(Msg::TrackerDraftsHint)}</p>
                {move || put_aside.get().map(|(reading, date)| {
                    let lang = i18n.lang.get();
                    let said = fill(Msg::TrackerDraftPutAside.text(lang), &[("date", &crate::components::reading::date_words(&date, lang))]);
                    view! {
                        <div class="note put-aside" role="status" data-test="draft-put-aside">
                            <span>{said}</span>
                            " "
                            <button type="button" class="button outline small" data-test="draft-undo"
                                on:click=move |_| set_aside(reading.clone(), false, Box::new(move || put_aside.set(None)))>
                                {t(Msg::Undo)}
                            </button>
                        </div>
                    }
                })}
                <ul class="drafts-list">
                    {move || drafts.get().into_iter().map(|d| {
                        let lang = i18n.lang.get();
                        let id = d.id.clone();
                        let framework = frameworks.version(&d.framework, d.version);
                        let set = framework.as_ref().map(|f| f.name.get(lang).to_owned()).unwrap_or_default();
                        let agreed = framework.as_ref().map_or(0, |f| f.areas.len() - d.without_agreed(f.areas.iter().map(|a| &a.id)).len());
                        let may_put_aside = facts.with(|f| sync.may_make(f, &person.get_value(), &TrackerChange::DiscardReading { reading: id.clone(), discarded: true }.into()));
                        let started = d.started_by.as_ref().map(|b| fill(Msg::TrackerDraftStartedBy.text(lang), &[("who", &written_by(b, lang))]));
                        let date = d.date.clone();
                        let item_id = id.0.clone();
                        let href = format!("/people/{}/tracker/readings/{}", person.get_value().0, id.0);
                        view! {
                            <li class="draft" data-test="draft" data-reading=item_id>
                                <div class="draft-about">
                                    <strong>{reading_title(&d.date, lang)}</strong>
                                    <span class="hint">{set}</span>
                                    <span class="hint" data-test="draft-agreed">{count(lang, agreed as u64, Msg::TrackerDraftAgreedOne, Msg::TrackerDraftAgreedMany)}</span>
                                    {started.map(|s| view! { <span class="hint">{s}</span> })}
                                </div>
                                <div class="draft-actions">
                                    <A href=href attr:class="button primary" attr:data-test="draft-resume">{t(Msg::TrackerResume)}</A>
                                    {may_put_aside.then(|| view! {
                                        <button type="button" class="button quiet" data-test="draft-discard"
                                            on:click=move |_| {
                                                let (id, date) = (id.clone(), date.clone());
                                                set_aside(id.clone(), true, Box::new(move || put_aside.set(Some((id, date)))));
                                            }>{t(Msg::ReadingDiscard)}</button>
                                    })}
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// The person decides, per carer, whether their tracker is shared.
#[component]
fn Sharing(person: UserId, carers: Vec<(UserId, String)>) -> impl IntoView {
    let sync = use_sync();
    let tracker = use_tracker(person.clone());
    let i18n = use_i18n();
    let person = StoredValue::new(person);
    view! {
        <section class="panel" data-test="sharing">
            <h2>{t(Msg::TrackerSharing)}</h2>
            <p class="hint">{t(Msg::TrackerSharingHint)}</p>
            {carers.is_empty().then(|| view! { <p class="hint">{t(Msg::TrackerNoCarers)}</p> })}
            {carers.into_iter().map(|(carer, name)| {
                let c = StoredValue::new(carer.clone());
                let label = move || fill(Msg::TrackerShareWith.text(i18n.lang.get()), &[("name", &name)]);
                view! {
                    <label class="check">
                        <input type="checkbox" data-test="share-tracker" data-carer=carer.0.clone()
                            prop:checked=move || tracker.with(|t| t.shares_with(SharedPart::Tracker, &c.get_value()))
                            on:change=move |ev| {
                                let share = event_target_checked(&ev);
                                let review_by = tracker.with_untracked(|t| t.sharing.get(&(SharedPart::Tracker, c.get_value())).and_then(|s| s.review_by.clone()));
                                let change = ConsentChange::Share { part: SharedPart::Tracker, carer: c.get_value(), share, review_by };
                                sync.edit_soon(&person.get_value(), change);
                            }/>
                        <span>{label}</span>
                    </label>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
pub fn ReadingPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <SignedIn content=move |_me| {
            move || {
                let id = UserId(params.read().get("id").unwrap_or_default());
                view! { <WithPerson id=id content=move |me, page| {
                    let reading = RecordId(params.read_untracked().get("reading").unwrap_or_default());
                    let facts = use_facts(&me, &page);
                    let person = page.person.id.clone();
                    use_sync().opened(&person, waymark_shared::api::AuditPage::Reading);
                    view! {
                        <A href=format!("/people/{}/tracker", person.0) attr:class="back-link">{t(Msg::TrackerBackToTracker)}</A>
                        <h1 class="reading-person">{page.person.display_name.clone()}</h1>
                        <ReadingSteps person=person.clone() reading=reading.clone() facts=facts/>
                        <ReadingEditor person=person person_name=page.person.display_name.clone() reading=reading facts=facts/>
                    }
                }/> }
            }
        }/>
    }
}

/// At a reading, the steps due by its date come up for review.
#[component]
fn ReadingSteps(person: UserId, reading: RecordId, facts: Memo<WriterFacts>) -> impl IntoView {
    let tracker = use_tracker(person.clone());
    let date = Signal::derive(move || {
        tracker.with(|t| t.readings.iter().find(|r| r.id == reading).map(|r| r.date.clone())).unwrap_or_else(today)
    });
    view! {
        <section class="panel" data-test="reading-steps">
            <h2>{t(Msg::TrackerStepsToReview)}</h2>
            <crate::components::goal_list::DueSteps person=person facts=facts date=date/>
        </section>
    }
}
