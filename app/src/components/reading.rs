//! A reading done together: for each area, each rater's view on a big touchable ladder with the stage words beside
//! every number, the value everyone agreed, why views differ, a note, and "would you like more help?". One area at a
//! time (the default: "Next area" walks through them) or all at a glance. Every tap is saved on this device at once;
//! the last changes can be undone; clearing a number is its own button, never a second tap. A reading is a draft
//! until it is finished, with any area left without an agreed number named first.

use crate::{
    components::{area_icon::AreaIcon, read_aloud::ReadAloud, written::written_by},
    frameworks::use_frameworks,
    i18n::{t, use_i18n},
    sync::{tracker::use_tracker, use_sync},
    util::random_hex,
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Lang, Msg, Role, UserId,
    consent::{Action, WriterFacts, may},
    i18n::{date_in_words, fill},
    outcomes::{Area, AreaId, Framework},
    sync::{Kind, RecordId},
    tracker::{
        Presence, Rater, TrackerChange,
        view::{AreaReading, Conflict, ReadingView},
    },
};

pub fn rater_msg(rater: Rater) -> Msg {
    match rater {
        Rater::Person => Msg::ReadingRaterPerson,
        Rater::Staff => Msg::ReadingRaterStaff,
        Rater::Carer => Msg::ReadingRaterCarer,
        Rater::Agreed => Msg::ReadingRaterAgreed,
    }
}

pub fn presence_msg(p: Presence) -> Msg {
    match p {
        Presence::Person => Msg::ReadingPresentPerson,
        Presence::KeyWorker => Msg::ReadingPresentKeyWorker,
        Presence::OtherStaff => Msg::ReadingPresentOtherStaff,
        Presence::Carer => Msg::ReadingPresentCarer,
    }
}

/// Whose screen it is, for naming the person: "My view" on their own, "Dylan's view" on anyone else's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    /// The person's name as shown.
    pub name: String,
    /// The reader is the person.
    pub mine: bool,
}

impl Naming {
    /// A rater's ladder, named.
    pub fn rater(&self, rater: Rater, lang: Lang) -> String {
        match rater {
            Rater::Person if self.mine => Msg::ReadingRaterMine.text(lang).to_owned(),
            Rater::Person => fill(Msg::ReadingRaterPersonNamed.text(lang), &[("name", &self.name)]),
            other => rater_msg(other).text(lang).to_owned(),
        }
    }

    /// Who was there, named.
    pub fn presence(&self, p: Presence, lang: Lang) -> String {
        match p {
            Presence::Person if self.mine => Msg::ReadingPresentMe.text(lang).to_owned(),
            Presence::Person => self.name.clone(),
            other => presence_msg(other).text(lang).to_owned(),
        }
    }
}

/// A date as people say it ("3 November 2026", "3 Tachwedd 2026"); anything that is not a date as it is.
pub fn date_words(date: &str, lang: Lang) -> String {
    date_in_words(date, lang).unwrap_or_else(|| date.to_owned())
}

/// "Reading on 3 November 2026".
pub fn reading_title(date: &str, lang: Lang) -> String {
    fill(Msg::ReadingOn.text(lang), &[("date", &date_words(date, lang))])
}

/// The raters this writer may enter a value for.
pub fn raters_for(facts: &WriterFacts) -> Vec<Rater> {
    Rater::ALL.into_iter().filter(|r| may(facts, Action::Rate(*r))).collect()
}

/// The numbers of a scale in runs that share a stage: `(stage index, values)`, lowest first.
pub fn stage_runs(f: &Framework) -> Vec<(Option<usize>, Vec<u8>)> {
    let mut runs: Vec<(Option<usize>, Vec<u8>)> = Vec::new();
    for v in f.scale.min..=f.scale.max {
        let stage = f.scale.stages.iter().position(|s| (s.from..=s.to).contains(&v));
        match runs.last_mut() {
            Some((s, values)) if *s == stage => values.push(v),
            _ => runs.push((stage, vec![v])),
        }
    }
    runs
}

/// What "Read this to me" says for an area: its name and description, then each view shown with its number and
/// stage words (or that it is not rated yet).
pub fn area_read_aloud(
    f: &Framework,
    area: &Area,
    values: &AreaReading,
    raters: &[Rater],
    naming: &Naming,
    lang: Lang,
) -> String {
    let mut out = format!("{}. {}", area.label.get(lang), area.description.get(lang));
    for r in raters {
        let said = match values.values.get(r) {
            Some(v) => match f.stage_for(*v) {
                Some(s) => format!("{v}, {}", s.label.get(lang)),
                None => v.to_string(),
            },
            None => Msg::ReadAloudNotRated.text(lang).to_owned(),
        };
        out.push_str(&format!(" {}: {said}.", naming.rater(*r, lang)));
    }
    out
}

/// What this device's undo button takes back: the change that restores the value before an edit.
#[derive(Clone, Debug, PartialEq)]
struct UndoStep {
    restore: TrackerChange,
    area: AreaId,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    OneAtATime,
    All,
}

#[derive(Clone, Copy)]
struct Ctx {
    person: StoredValue<UserId>,
    naming: StoredValue<Naming>,
    reading: StoredValue<RecordId>,
    facts: Memo<WriterFacts>,
    view: Memo<Option<ReadingView>>,
    framework: Memo<Option<Framework>>,
    undo: RwSignal<Vec<UndoStep>>,
}

impl Ctx {
    /// Save a change here (then it syncs); remember how to undo it. A failure is shown by the engine.
    fn save(self, change: TrackerChange, undo: Option<UndoStep>) {
        let saved = use_sync().edit(&self.person.get_value(), change);
        spawn_local(async move {
            if saved.await.is_ok()
                && let Some(u) = undo
            {
                self.undo.update(|s| s.push(u));
            }
        });
    }

    fn area(self, area: &AreaId) -> AreaReading {
        self.view.with(|v| v.as_ref().and_then(|v| v.areas.get(area).cloned()).unwrap_or_default())
    }

    /// The areas that finishing now would name as left without an agreed number.
    fn missing(self) -> Vec<AreaId> {
        let areas: Vec<AreaId> = self
            .framework
            .with_untracked(|f| f.as_ref().map(|f| f.areas.iter().map(|a| a.id.clone()).collect()).unwrap_or_default());
        self.view.with_untracked(|v| v.as_ref().map(|v| v.without_agreed(areas.iter())).unwrap_or_default())
    }

    fn area_names(self, ids: &[AreaId], lang: Lang) -> String {
        self.framework.with(|f| {
            ids.iter()
                .map(|a| {
                    f.as_ref().and_then(|f| f.area(a)).map_or_else(|| a.0.clone(), |a| a.label.get(lang).to_owned())
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    fn finish(self, finished: bool, missing: Vec<AreaId>) {
        self.save(TrackerChange::FinishReading { reading: self.reading.get_value(), finished, missing }, None);
    }
}

#[component]
pub fn ReadingEditor(
    person: UserId,
    /// The person's name as shown (their screens say "I" and "me" instead).
    person_name: String,
    reading: RecordId,
    facts: Memo<WriterFacts>,
) -> impl IntoView {
    let frameworks = use_frameworks();
    let tracker = use_tracker(person.clone());
    let reading_id = StoredValue::new(reading);
    let view = Memo::new(move |_| {
        tracker.with(|t| reading_id.with_value(|id| t.readings.iter().find(|r| &r.id == id).cloned()))
    });
    let framework = Memo::new(move |_| {
        view.with(|v| v.as_ref().map(|v| (v.framework.clone(), v.version)))
            .and_then(|(id, version)| frameworks.version(&id, version))
    });
    let conflicts = Memo::new(move |_| {
        tracker.with(|t| {
            reading_id.with_value(|id| {
                t.conflicts
                    .iter()
                    .filter(|c| c.key.kind == Kind::Reading && &c.key.record == id)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let mine = facts.with_untracked(|f| f.is_person());
    let ctx = Ctx {
        person: StoredValue::new(person),
        naming: StoredValue::new(Naming { name: person_name, mine }),
        reading: reading_id,
        facts,
        view,
        framework,
        undo: RwSignal::new(Vec::new()),
    };
    let mode = RwSignal::new(Mode::OneAtATime);
    let index = RwSignal::new(0usize);
    let i18n = use_i18n();
    // Only someone who may change something here is offered "Undo" (a ward manager reads).
    let may_change = Memo::new(move |_| facts.with(|f| may(f, Action::WriteTracker) || !raters_for(f).is_empty()));

    move || {
        let Some(f) = framework.get() else {
            let msg = if view.with(Option::is_none) { Msg::ReadingNotHere } else { Msg::ReadingFrameworkUnknown };
            return view! { <p class="note" data-test="reading-missing">{t(msg)}</p> }.into_any();
        };
        let v = view.get_untracked().expect("a framework implies a reading");
        let areas = f.areas.clone();
        let total = areas.len();
        let name = f.name.clone();
        let date = v.date.clone();
        view! {
            <section class="panel reading" class:easy-read=move || i18n.easy_read.get() data-test="reading" data-reading=v.id.0.clone()>
                <h2 data-test="reading-title">{move || reading_title(&date, i18n.lang.get())}</h2>
                <p class="hint">{move || fill(Msg::ReadingUsing.text(i18n.lang.get()), &[("name", name.get(i18n.lang.get()))])}</p>
                <p class="reading-how" data-test="reading-how">
                    {move || if i18n.easy_read.get() { Msg::ReadingHowToEasy } else { Msg::ReadingHowTo }.text(i18n.lang.get())}
                </p>
                <Present ctx=ctx/>
                <Conflicts ctx=ctx conflicts=conflicts/>
                <Finish ctx=ctx/>
                <div class="reading-tools">
                    <div class="segmented" role="group" aria-label=move || Msg::ReadingLayout.text(i18n.lang.get())>
                        <button type="button" data-test="mode-one" aria-pressed=move || (mode.get() == Mode::OneAtATime).to_string()
                            on:click=move |_| mode.set(Mode::OneAtATime)>{t(Msg::ReadingOneAtATime)}</button>
                        <button type="button" data-test="mode-all" aria-pressed=move || (mode.get() == Mode::All).to_string()
                            on:click=move |_| mode.set(Mode::All)>{t(Msg::ReadingAllAtAGlance)}</button>
                    </div>
                    <Show when=move || may_change.get() fallback=|| ()>
                        <button type="button" class="button outline" data-test="reading-undo"
                            disabled=move || ctx.undo.with(Vec::is_empty)
                            on:click=move |_| {
                                if let Some(step) = ctx.undo.try_update(|s| s.pop()).flatten() {
                                    if let Some(i) = ctx.framework.with_untracked(|f| f.as_ref().and_then(|f| f.areas.iter().position(|a| a.id == step.area))) {
                                        index.set(i);
                                    }
                                    ctx.save(step.restore, None);
                                }
                            }>
                            {t(Msg::ReadingUndo)}
                        </button>
                    </Show>
                </div>
                {
                    let areas = areas.clone();
                    let f = f.clone();
                    move || match mode.get() {
                        Mode::All => areas
                            .iter()
                            .map(|a| view! { <AreaCard ctx=ctx framework=f.clone() area=a.clone()/> })
                            .collect_view()
                            .into_any(),
                        Mode::OneAtATime => {
                            let i = index.get().min(total.saturating_sub(1));
                            let area = areas[i].clone();
                            let first = i == 0;
                            let last = i + 1 >= total;
                            let nav = move || view! {
                                <nav class="area-nav" aria-label=move || Msg::ReadingAreas.text(i18n.lang.get())>
                                    <button type="button" class="button outline" data-test="area-prev" disabled=first
                                        on:click=move |_| index.update(|i| *i = i.saturating_sub(1))>{t(Msg::ReadingPreviousArea)}</button>
                                    <span class="area-count" data-test="area-count" aria-live="polite">
                                        {move || fill(Msg::ReadingAreaOf.text(i18n.lang.get()), &[("n", &(i + 1).to_string()), ("total", &total.to_string())])}
                                    </span>
                                    <button type="button" class="button primary" data-test="area-next" disabled=last
                                        on:click=move |_| index.update(|i| *i = (*i + 1).min(total - 1))>{t(Msg::ReadingNextArea)}</button>
                                </nav>
                            };
                            view! {
                                {nav()}
                                <AreaCard ctx=ctx framework=f.clone() area=area/>
                                {nav()}
                                {last.then(|| view! {
                                    <div class="reading-last" data-test="reading-last">
                                        <p>{move || if i18n.easy_read.get() { Msg::ReadingLastAreaEasy } else { Msg::ReadingLastArea }.text(i18n.lang.get())}</p>
                                        <Show when=move || ctx.view.with(|v| v.as_ref().is_some_and(ReadingView::is_draft)) fallback=|| ()>
                                            <FinishButton ctx=ctx test="reading-finish-last"/>
                                        </Show>
                                    </div>
                                })}
                            }
                            .into_any()
                        }
                    }
                }
            </section>
        }
        .into_any()
    }
}

/// "Finish this reading": at once when every area has an agreed number, else after a plain question that names the
/// areas left without one.
#[component]
fn FinishButton(ctx: Ctx, test: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(None::<Vec<AreaId>>);
    let confirm_test = format!("{test}-confirm");
    view! {
        <button type="button" class="button primary" data-test=test
            on:click=move |_| {
                let missing = ctx.missing();
                if missing.is_empty() {
                    ctx.finish(true, missing);
                } else {
                    confirming.set(Some(missing));
                }
            }>
            {t(Msg::ReadingFinish)}
        </button>
        {move || confirming.get().map(|missing| {
            let lang = i18n.lang.get();
            let question = fill(Msg::ReadingFinishConfirm.text(lang), &[("areas", &ctx.area_names(&missing, lang))]);
            let m = StoredValue::new(missing);
            view! {
                <div class="finish-confirm" role="alertdialog" aria-labelledby=format!("{}-q", confirm_test) data-test="finish-confirm">
                    <p id=format!("{}-q", confirm_test) data-test="finish-confirm-question">{question}</p>
                    <div class="finish-confirm-buttons">
                        <button type="button" class="button primary" data-test="finish-anyway"
                            on:click=move |_| { ctx.finish(true, m.get_value()); confirming.set(None); }>
                            {t(Msg::ReadingFinishAnyway)}
                        </button>
                        <button type="button" class="button outline" data-test="finish-keep-going"
                            on:click=move |_| confirming.set(None)>
                            {t(Msg::ReadingKeepGoing)}
                        </button>
                    </div>
                </div>
            }
        })}
    }
}

/// A reading is a draft until someone finishes it (then it goes on the chart), naming any area left without an
/// agreed value; a finished reading can be made a draft again; a draft can be put aside (kept in the record) and
/// brought back.
#[component]
fn Finish(ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let may_finish = Memo::new(move |_| ctx.facts.with(|f| may(f, Action::WriteTracker)));
    let state = Memo::new(move |_| ctx.view.with(|v| v.as_ref().map(|v| (v.finished.clone(), v.discarded))));
    let may_discard = Memo::new(move |_| {
        ctx.view.track();
        let change = TrackerChange::DiscardReading { reading: ctx.reading.get_value(), discarded: true };
        ctx.facts.with(|f| sync.may_make(f, &ctx.person.get_value(), &change.into()))
    });
    let discard = move |discarded: bool| {
        ctx.save(TrackerChange::DiscardReading { reading: ctx.reading.get_value(), discarded }, None)
    };
    move || {
        let lang = i18n.lang.get();
        let Some((finished, discarded)) = state.get() else {
            return ().into_any();
        };
        let may_finish = may_finish.get();
        if discarded {
            return view! {
                <div class="reading-finish" data-test="reading-discarded">
                    <p class="note">{Msg::ReadingDiscarded.text(lang)}</p>
                    {may_discard.get().then(|| view! {
                        <button type="button" class="button outline" data-test="reading-bring-back" on:click=move |_| discard(false)>
                            {t(Msg::ReadingBringBack)}
                        </button>
                    })}
                </div>
            }
            .into_any();
        }
        match finished {
            None => {
                let note = if i18n.easy_read.get() { Msg::ReadingDraftNoteEasy } else { Msg::ReadingDraftNote };
                view! {
                    <div class="reading-finish" data-test="reading-draft">
                        <p class="note">{note.text(lang)}</p>
                        <div class="reading-finish-buttons">
                            {may_finish.then(|| view! { <FinishButton ctx=ctx test="reading-finish"/> })}
                            {may_discard.get().then(|| view! {
                                <button type="button" class="button quiet" data-test="reading-discard" on:click=move |_| discard(true)>
                                    {t(Msg::ReadingDiscard)}
                                </button>
                            })}
                        </div>
                    </div>
                }
                .into_any()
            }
            Some(f) => {
                let by = match &f.by {
                    Some(by) => fill(Msg::ReadingFinishedBy.text(lang), &[("who", &written_by(by, lang))]),
                    None => Msg::ReadingFinished.text(lang).to_owned(),
                };
                let missing = (!f.missing.is_empty())
                    .then(|| fill(Msg::ReadingMissing.text(lang), &[("areas", &ctx.area_names(&f.missing, lang))]));
                view! {
                    <div class="reading-finish" data-test="reading-finished">
                        <p>{by}</p>
                        {missing.map(|m| view! { <p class="hint" data-test="reading-missing-areas">{m}</p> })}
                        {may_finish.then(|| view! {
                            <button type="button" class="button outline" data-test="reading-reopen" on:click=move |_| ctx.finish(false, vec![])>
                                {t(Msg::ReadingReopen)}
                            </button>
                        })}
                    </div>
                }
                .into_any()
            }
        }
    }
}

/// Who was there: ticking a box saves at once.
#[component]
fn Present(ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let may_edit = ctx.facts.with_untracked(|f| may(f, Action::WriteTracker));
    let present = Memo::new(move |_| ctx.view.with(|v| v.as_ref().map(|v| v.present.clone()).unwrap_or_default()));
    view! {
        <fieldset class="present" data-test="present">
            <legend>{t(Msg::ReadingWhoWasThere)}</legend>
            {Presence::ALL
                .into_iter()
                .map(|p| {
                    view! {
                        <label class="check">
                            <input type="checkbox" data-test="present-option" data-presence=p.as_str()
                                disabled=!may_edit
                                prop:checked=move || present.with(|list| list.contains(&p))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let mut list = present.get_untracked();
                                    list.retain(|x| *x != p);
                                    if on {
                                        list.push(p);
                                    }
                                    ctx.save(TrackerChange::ReadingPresent { reading: ctx.reading.get_value(), present: list }, None);
                                }/>
                            <span>{move || ctx.naming.with_value(|n| n.presence(p, i18n.lang.get()))}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// One area: a ladder per rater, the agreed value, why views differ, a note, more help.
#[component]
fn AreaCard(ctx: Ctx, framework: Framework, area: Area) -> impl IntoView {
    let i18n = use_i18n();
    let area_id = StoredValue::new(area.id.clone());
    let values = Memo::new(move |_| ctx.area(&area_id.get_value()));
    let raters = ctx.facts.with_untracked(raters_for);
    let facts = ctx.facts.get_untracked();
    let may_note = may(&facts, Action::WriteTracker);
    let may_reason = may(&facts, Action::GiveReason);
    let may_help = may(&facts, Action::WriteTracker);
    let label = area.label.clone();
    let description = area.description.clone();
    let shown_raters = {
        let raters = raters.clone();
        Memo::new(move |_| {
            // A carer's ladder shows when a carer is there (or rating from home, or has rated already).
            let carer_there = ctx.view.with(|v| v.as_ref().is_some_and(|v| v.present.contains(&Presence::Carer)))
                || ctx.facts.with(|f| f.role == Role::Carer);
            Rater::ALL
                .into_iter()
                .filter(|r| {
                    values.with(|v| v.values.contains_key(r))
                        || (raters.contains(r) && (*r != Rater::Carer || carer_there))
                })
                .collect::<Vec<_>>()
        })
    };
    let f = StoredValue::new(framework.clone());
    let a = StoredValue::new(area.clone());
    let aloud = Signal::derive(move || {
        let lang = i18n.lang.get();
        let shown = shown_raters.get();
        f.with_value(|f| {
            a.with_value(|a| values.with(|v| ctx.naming.with_value(|n| area_read_aloud(f, a, v, &shown, n, lang))))
        })
    });
    let heading_id = format!("area-{}", area.id.0);
    let labelled = heading_id.clone();
    view! {
        <article class="area-card" data-test="area-card" data-area=area.id.0.clone() aria-labelledby=labelled>
            <div class="area-head">
                <h3 id=heading_id>
                    {move || i18n.easy_read.get().then(|| view! { <AreaIcon area=area_id.get_value()/> })}
                    <span>{move || label.get(i18n.lang.get()).to_owned()}</span>
                </h3>
                <ReadAloud text=aloud test="read-area"/>
            </div>
            <p class="hint">{move || description.get(i18n.lang.get()).to_owned()}</p>
            {move || {
                shown_raters
                    .get()
                    .into_iter()
                    .map(|rater| {
                        let editable = raters.contains(&rater);
                        view! { <Ladder ctx=ctx framework=f.get_value() area=area_id.get_value() rater=rater editable=editable values=values/> }
                    })
                    .collect_view()
            }}
            <Show when=move || values.with(AreaReading::differs) fallback=|| ()>
                <div class="differs" data-test="differs">
                    <p>{move || if i18n.easy_read.get() { Msg::ReadingViewsDifferEasy } else { Msg::ReadingViewsDiffer }.text(i18n.lang.get())}</p>
                    <TextCell ctx=ctx label=Msg::ReadingWhyDifferent test="reason" editable=may_reason
                        current=Signal::derive(move || values.with(|v| v.reason.clone()))
                        make=move |text| TrackerChange::DifferenceReason { reading: ctx.reading.get_value(), area: area_id.get_value(), text }/>
                </div>
            </Show>
            <TextCell ctx=ctx label=Msg::ReadingNote test="note" editable=may_note
                current=Signal::derive(move || values.with(|v| v.note.clone()))
                make=move |text| TrackerChange::AreaNote { reading: ctx.reading.get_value(), area: area_id.get_value(), text }/>
            {framework.asks_more_help.then(|| view! {
                <fieldset class="more-help" data-test="more-help">
                    <legend>{t(Msg::ReadingMoreHelp)}</legend>
                    {[(true, Msg::ReadingYes), (false, Msg::ReadingNo)].into_iter().map(|(answer, msg)| view! {
                        <button type="button" class="choice" data-test="more-help-choice" data-answer=answer.to_string()
                            disabled=!may_help
                            aria-pressed=move || (values.with(|v| v.more_help) == Some(answer)).to_string()
                            on:click=move |_| {
                                let now = values.with_untracked(|v| v.more_help);
                                let wanted = if now == Some(answer) { None } else { Some(answer) };
                                let reading = ctx.reading.get_value();
                                let area = area_id.get_value();
                                let undo = UndoStep { restore: TrackerChange::MoreHelp { reading: reading.clone(), area: area.clone(), wanted: now }, area: area.clone() };
                                ctx.save(TrackerChange::MoreHelp { reading, area, wanted }, Some(undo));
                            }>{t(msg)}</button>
                    }).collect_view()}
                </fieldset>
            })}
        </article>
    }
}

/// One rater's ladder for one area: the numbers in runs under their stage words (so every number has its words
/// beside it, on touch screens too), the chosen stage spelled out, and "Clear this number" once one is chosen.
#[component]
fn Ladder(
    ctx: Ctx,
    framework: Framework,
    area: AreaId,
    rater: Rater,
    editable: bool,
    values: Memo<AreaReading>,
) -> impl IntoView {
    let i18n = use_i18n();
    let current = Memo::new(move |_| values.with(|v| v.values.get(&rater).copied()));
    let entered_by = Memo::new(move |_| values.with(|v| v.entered_by.get(&rater).cloned()));
    let f = StoredValue::new(framework.clone());
    let area = StoredValue::new(area);
    let group_id = format!("ladder-{}-{}", area.with_value(|a| a.0.clone()), rater.as_str());
    let labelled_by = group_id.clone();
    let set = move |next: Option<u8>| {
        let now = current.get_untracked();
        if now == next {
            return;
        }
        let reading = ctx.reading.get_value();
        let area = area.get_value();
        let undo = UndoStep {
            restore: TrackerChange::Rate { reading: reading.clone(), area: area.clone(), rater, value: now },
            area: area.clone(),
        };
        ctx.save(TrackerChange::Rate { reading, area, rater, value: next }, Some(undo));
    };
    let runs = stage_runs(&framework);
    let run_count = runs.len().to_string();
    view! {
        <div class="ladder" data-test="ladder" data-rater=rater.as_str() data-value=move || current.get().map(|v| v.to_string()).unwrap_or_default()
            role="group" aria-labelledby=labelled_by>
            <div class="ladder-head">
                <span class="ladder-label" id=group_id>{move || ctx.naming.with_value(|n| n.rater(rater, i18n.lang.get()))}</span>
                {move || entered_by.get().map(|name| view! { <span class="ladder-by">{name}</span> })}
            </div>
            <div class="rungs" data-runs=run_count>
                {runs
                    .into_iter()
                    .map(|(stage, run)| {
                        let word = stage.and_then(|s| f.with_value(|f| f.scale.stages.get(s).map(|s| s.label.clone())));
                        let word2 = word.clone();
                        let n = run.len();
                        view! {
                            <div class="stage-run" data-test="stage-run" style=format!("--count: {n}") data-values=n.to_string()>
                                <span class="stage-word" data-test="stage-word" aria-hidden="true">
                                    {move || word.as_ref().map(|w| w.get(i18n.lang.get()).to_owned())}
                                </span>
                                <div class="stage-rungs">
                                    {run.into_iter().map(|value| {
                                        let word = word2.clone();
                                        view! {
                                            <button type="button" class="rung" data-test="rung" data-value=value.to_string()
                                                disabled=!editable
                                                aria-pressed=move || (current.get() == Some(value)).to_string()
                                                on:click=move |_| set(Some(value))>
                                                <span class="rung-number">{value}</span>
                                                <span class="chart-sr-only">
                                                    {move || word.as_ref().map(|w| format!(" {}", w.get(i18n.lang.get())))}
                                                </span>
                                            </button>
                                        }
                                    }).collect_view()}
                                </div>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="ladder-foot">
                <p class="stage" data-test="stage">
                    {move || match current.get().and_then(|v| f.with_value(|f| f.stage_for(v).cloned()).map(|s| (v, s))) {
                        Some((v, stage)) => view! {
                            <strong>{fill(Msg::ReadingStageOf.text(i18n.lang.get()), &[("value", &v.to_string()), ("stage", stage.label.get(i18n.lang.get()))])}</strong>
                            " "
                            <span>{stage.description.get(i18n.lang.get()).to_owned()}</span>
                        }.into_any(),
                        None => view! { <span class="empty">{t(Msg::ReadingNotRated)}</span> }.into_any(),
                    }}
                </p>
                {move || (editable && current.get().is_some()).then(|| view! {
                    <button type="button" class="button quiet small" data-test="rung-clear" on:click=move |_| set(None)>
                        {t(Msg::ReadingClearValue)}
                    </button>
                })}
            </div>
        </div>
    }
}

/// A short text saved when the writer leaves the box.
#[component]
fn TextCell(
    ctx: Ctx,
    label: Msg,
    test: &'static str,
    editable: bool,
    current: Signal<String>,
    make: impl Fn(String) -> TrackerChange + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let draft = RwSignal::new(None::<String>);
    let id = format!("{test}-{}", random_hex(4));
    let save = move || {
        if let Some(text) = draft.get_untracked() {
            draft.set(None);
            let before = current.get_untracked();
            if text != before {
                let area = AreaId(String::new());
                ctx.save(make(text), Some(UndoStep { restore: make(before), area }));
            }
        }
    };
    if !editable {
        return view! {
            <div class="text-cell" data-test=test>
                <span class="field-label">{t(label)}</span>
                <p class="field-text">{move || current.get()}</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="text-cell" data-test=test>
            <label class="field-label" for=id.clone()>{t(label)}</label>
            <textarea id=id class="field-input" rows="2" data-test=format!("{test}-input")
                prop:value=move || draft.get().unwrap_or_else(|| current.get())
                on:input=move |ev| draft.set(Some(event_target_value(&ev)))
                on:blur=move |_| save()></textarea>
        </div>
    }
    .into_any()
}

/// Values of this reading saved at the same time on two devices: everyone who may edit chooses one to keep.
#[component]
fn Conflicts(ctx: Ctx, conflicts: Memo<Vec<Conflict>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    move || {
        let list = conflicts.get();
        if list.is_empty() {
            return ().into_any();
        }
        let facts = ctx.facts.get();
        let person = ctx.person.get_value();
        view! {
            <div class="conflicts" data-test="reading-conflicts" role="region" aria-live="polite">
                <p><strong>{t(Msg::ReadingConflict)}</strong></p>
                {list
                    .into_iter()
                    .map(|c| {
                        let label = conflict_label(&c, ctx.framework.get_untracked().as_ref(), i18n.lang.get_untracked());
                        let options: Vec<(serde_json::Value, String)> = std::iter::once((c.current.clone(), c.by.as_ref().map(|b| written_by(b, i18n.lang.get_untracked())).unwrap_or_default()))
                            .chain(c.kept.iter().map(|k| (k.value.clone(), written_by(&k.by, i18n.lang.get_untracked()))))
                            .collect();
                        let may = sync.decode(&c.key, &c.current).is_some_and(|ch| sync.may_make(&facts, &person, &ch));
                        let key = c.key.clone();
                        view! {
                            <div class="conflict" data-test="conflict" data-field=c.key.field.clone()>
                                <p>{label}</p>
                                <ul>
                                    {options.into_iter().map(|(value, who)| {
                                        let key = key.clone();
                                        let shown = show_value(&value);
                                        view! {
                                            <li>
                                                <span class="conflict-value" data-test="conflict-value">{shown}</span>
                                                " "<span class="hint">{who}</span>
                                                {may.then(|| view! {
                                                    <button type="button" class="button primary small" data-test="conflict-choice"
                                                        on:click=move |_| {
                                                            let Some(change) = sync.decode(&key, &value) else { return };
                                                            let saved = sync.settle(&ctx.person.get_value(), change);
                                                            // A failure is shown by the engine.
                                                            spawn_local(async move { let _ = saved.await; });
                                                        }>{t(Msg::ReadingKeepThis)}</button>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any()
    }
}

fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(show_value).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// "Mental wellbeing: Staff view" for a conflicting score cell.
fn conflict_label(c: &Conflict, f: Option<&Framework>, lang: waymark_shared::Lang) -> String {
    let parts: Vec<&str> = c.key.field.split('.').collect();
    let area = parts
        .get(1)
        .and_then(|a| f.and_then(|f| f.area(&AreaId((*a).to_owned()))))
        .map(|a| a.label.get(lang).to_owned());
    let what = match parts.first().copied() {
        Some("score") => parts.get(2).and_then(|r| Rater::parse(r)).map(|r| rater_msg(r).text(lang).to_owned()),
        Some("note") => Some(Msg::ReadingNote.text(lang).to_owned()),
        Some("reason") => Some(Msg::ReadingWhyDifferent.text(lang).to_owned()),
        Some("help") => Some(Msg::ReadingMoreHelp.text(lang).to_owned()),
        _ => Some(Msg::ReadingWhoWasThere.text(lang).to_owned()),
    };
    [area, what].into_iter().flatten().collect::<Vec<_>>().join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::Relation;

    use waymark_shared::tracker::SharedPart;

    fn facts(role: Role, is_self: bool, relation: Option<Relation>) -> WriterFacts {
        WriterFacts {
            user: UserId("w".into()),
            role,
            is_self,
            relation,
            may_view: true,
            shared: vec![],
            lacks_capacity: false,
        }
    }

    #[test]
    fn each_writer_gets_the_ladders_they_may_fill() {
        assert_eq!(raters_for(&facts(Role::ServiceUser, true, None)), [Rater::Person, Rater::Agreed]);
        assert_eq!(raters_for(&facts(Role::KeyWorker, false, Some(Relation::KeyWorker))), Rater::ALL);
        let carer = facts(Role::Carer, false, Some(Relation::Carer));
        assert!(raters_for(&carer).is_empty(), "nothing without the person's consent");
        assert_eq!(raters_for(&WriterFacts { shared: vec![SharedPart::Tracker], ..carer }), [Rater::Carer]);
        assert!(raters_for(&facts(Role::WardManager, false, None)).is_empty());
    }
}
