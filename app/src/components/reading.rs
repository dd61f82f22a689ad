//! A reading done together: for each area, each rater's view on a big touchable ladder with the stage wording in
//! view, the value everyone agreed, why views differ, a note, and "would you like more help?". One area at a time
//! or all at a glance. Every tap is saved on this tablet at once; the last changes can be undone.

use crate::{
    components::written::written_by,
    frameworks::use_frameworks,
    i18n::{t, t_fill, use_i18n},
    sync::{tracker::use_tracker, use_sync},
    util::random_hex,
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Msg, Role, UserId,
    consent::{Action, WriterFacts, may},
    i18n::fill,
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

/// The raters this writer may enter a value for.
pub fn raters_for(facts: &WriterFacts) -> Vec<Rater> {
    Rater::ALL
        .into_iter()
        .filter(|r| may(facts, Action::Rate(*r)))
        .collect()
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
        self.view.with(|v| {
            v.as_ref()
                .and_then(|v| v.areas.get(area).cloned())
                .unwrap_or_default()
        })
    }
}

#[component]
pub fn ReadingEditor(person: UserId, reading: RecordId, facts: Memo<WriterFacts>) -> impl IntoView {
    let frameworks = use_frameworks();
    let tracker = use_tracker(person.clone());
    let reading_id = StoredValue::new(reading);
    let view = Memo::new(move |_| {
        tracker
            .with(|t| reading_id.with_value(|id| t.readings.iter().find(|r| &r.id == id).cloned()))
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
    let ctx = Ctx {
        person: StoredValue::new(person),
        reading: reading_id,
        facts,
        view,
        framework,
        undo: RwSignal::new(Vec::new()),
    };
    let mode = RwSignal::new(Mode::OneAtATime);
    let index = RwSignal::new(0usize);
    let i18n = use_i18n();

    move || {
        let Some(f) = framework.get() else {
            let msg = if view.with(Option::is_none) {
                Msg::ReadingNotHere
            } else {
                Msg::ReadingFrameworkUnknown
            };
            return view! { <p class="note" data-test="reading-missing">{t(msg)}</p> }.into_any();
        };
        let v = view.get_untracked().expect("a framework implies a reading");
        let areas = f.areas.clone();
        let total = areas.len();
        let name = f.name.clone();
        view! {
            <section class="panel reading" data-test="reading" data-reading=v.id.0.clone()>
                <h2>{t_fill(Msg::ReadingOn, vec![("date", v.date.clone())])}</h2>
                <p class="hint">{move || fill(Msg::ReadingUsing.text(i18n.lang.get()), &[("name", name.get(i18n.lang.get()))])}</p>
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
                            view! {
                                <nav class="area-nav" aria-label=move || Msg::ReadingAreas.text(i18n.lang.get())>
                                    <button type="button" class="button outline" data-test="area-prev" disabled=i == 0
                                        on:click=move |_| index.update(|i| *i = i.saturating_sub(1))>{t(Msg::ReadingPreviousArea)}</button>
                                    <span class="area-count" data-test="area-count">
                                        {t_fill(Msg::ReadingAreaOf, vec![("n", (i + 1).to_string()), ("total", total.to_string())])}
                                    </span>
                                    <button type="button" class="button primary" data-test="area-next" disabled=i + 1 >= total
                                        on:click=move |_| index.update(|i| *i = (*i + 1).min(total - 1))>{t(Msg::ReadingNextArea)}</button>
                                </nav>
                                <AreaCard ctx=ctx framework=f.clone() area=area/>
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

/// A reading is a draft until someone finishes it (then it goes on the chart), naming any area left without an
/// agreed value; a finished reading can be made a draft again; a draft can be put aside (kept in the record).
#[component]
fn Finish(ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let may_finish = Memo::new(move |_| ctx.facts.with(|f| may(f, Action::WriteTracker)));
    let state = Memo::new(move |_| {
        ctx.view
            .with(|v| v.as_ref().map(|v| (v.finished.clone(), v.discarded)))
    });
    let may_discard = Memo::new(move |_| {
        ctx.view.track();
        let change = TrackerChange::DiscardReading {
            reading: ctx.reading.get_value(),
            discarded: true,
        };
        ctx.facts
            .with(|f| sync.may_make(f, &ctx.person.get_value(), &change.into()))
    });
    let area_names = move |ids: &[AreaId], lang| {
        ctx.framework.with(|f| {
            ids.iter()
                .map(|a| {
                    f.as_ref()
                        .and_then(|f| f.area(a))
                        .map_or_else(|| a.0.clone(), |a| a.label.get(lang).to_owned())
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let finish = move |finished: bool| {
        let missing = if finished {
            let areas: Vec<AreaId> = ctx.framework.with_untracked(|f| {
                f.as_ref()
                    .map(|f| f.areas.iter().map(|a| a.id.clone()).collect())
                    .unwrap_or_default()
            });
            ctx.view.with_untracked(|v| {
                v.as_ref()
                    .map(|v| v.without_agreed(areas.iter()))
                    .unwrap_or_default()
            })
        } else {
            vec![]
        };
        ctx.save(
            TrackerChange::FinishReading {
                reading: ctx.reading.get_value(),
                finished,
                missing,
            },
            None,
        );
    };
    let discard = move |discarded: bool| {
        ctx.save(
            TrackerChange::DiscardReading {
                reading: ctx.reading.get_value(),
                discarded,
            },
            None,
        )
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
            None => view! {
                <div class="reading-finish" data-test="reading-draft">
                    <p class="note">{Msg::ReadingDraftNote.text(lang)}</p>
                    {may_finish.then(|| view! {
                        <button type="button" class="button primary" data-test="reading-finish" on:click=move |_| finish(true)>
                            {t(Msg::ReadingFinish)}
                        </button>
                    })}
                    " "
                    {may_discard.get().then(|| view! {
                        <button type="button" class="button quiet" data-test="reading-discard" on:click=move |_| discard(true)>
                            {t(Msg::ReadingDiscard)}
                        </button>
                    })}
                </div>
            }
            .into_any(),
            Some(f) => {
                let by = match &f.by {
                    Some(by) => fill(Msg::ReadingFinishedBy.text(lang), &[("who", &written_by(by, lang))]),
                    None => Msg::ReadingFinished.text(lang).to_owned(),
                };
                let missing = (!f.missing.is_empty())
                    .then(|| fill(Msg::ReadingMissing.text(lang), &[("areas", &area_names(&f.missing, lang))]));
                view! {
                    <div class="reading-finish" data-test="reading-finished">
                        <p>{by}</p>
                        {missing.map(|m| view! { <p class="hint" data-test="reading-missing-areas">{m}</p> })}
                        {may_finish.then(|| view! {
                            <button type="button" class="button outline" data-test="reading-reopen" on:click=move |_| finish(false)>
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
    let may_edit = ctx.facts.with_untracked(|f| may(f, Action::WriteTracker));
    let present = Memo::new(move |_| {
        ctx.view
            .with(|v| v.as_ref().map(|v| v.present.clone()).unwrap_or_default())
    });
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
                            <span>{t(presence_msg(p))}</span>
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
        move || {
            // A carer's ladder shows when a carer is there (or rating from home, or has rated already).
            let carer_there = ctx.view.with(|v| {
                v.as_ref()
                    .is_some_and(|v| v.present.contains(&Presence::Carer))
            }) || ctx.facts.with(|f| f.role == Role::Carer);
            Rater::ALL
                .into_iter()
                .filter(|r| {
                    values.with(|v| v.values.contains_key(r))
                        || (raters.contains(r) && (*r != Rater::Carer || carer_there))
                })
                .collect::<Vec<_>>()
        }
    };
    let f = StoredValue::new(framework.clone());
    view! {
        <article class="area-card" data-test="area-card" data-area=area.id.0.clone()>
            <h3>{move || label.get(i18n.lang.get()).to_owned()}</h3>
            <p class="hint">{move || description.get(i18n.lang.get()).to_owned()}</p>
            {move || {
                shown_raters()
                    .into_iter()
                    .map(|rater| {
                        let editable = raters.contains(&rater);
                        view! { <Ladder ctx=ctx framework=f.get_value() area=area_id.get_value() rater=rater editable=editable values=values/> }
                    })
                    .collect_view()
            }}
            <Show when=move || values.with(AreaReading::differs) fallback=|| ()>
                <div class="differs" data-test="differs">
                    <p>{t(Msg::ReadingViewsDiffer)}</p>
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

/// One rater's ladder for one area: a big button per value, the stage of the chosen value spelled out.
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
    let group_id = format!(
        "ladder-{}-{}",
        area.with_value(|a| a.0.clone()),
        rater.as_str()
    );
    let labelled_by = group_id.clone();
    view! {
        <div class="ladder" data-test="ladder" data-rater=rater.as_str() data-value=move || current.get().map(|v| v.to_string()).unwrap_or_default()
            role="group" aria-labelledby=labelled_by>
            <div class="ladder-head">
                <span class="ladder-label" id=group_id>{t(rater_msg(rater))}</span>
                {move || entered_by.get().map(|name| view! { <span class="ladder-by">{name}</span> })}
            </div>
            <div class="rungs">
                {(framework.scale.min..=framework.scale.max)
                    .map(|value| {
                        let stage = f.with_value(|f| f.stage_for(value).map(|s| s.label.clone()));
                        view! {
                            <button type="button" class="rung" data-test="rung" data-value=value.to_string()
                                disabled=!editable
                                aria-pressed=move || (current.get() == Some(value)).to_string()
                                title=move || stage.as_ref().map(|s| s.get(i18n.lang.get()).to_owned()).unwrap_or_default()
                                on:click=move |_| {
                                    let now = current.get_untracked();
                                    let next = if now == Some(value) { None } else { Some(value) };
                                    let reading = ctx.reading.get_value();
                                    let area = area.get_value();
                                    let undo = UndoStep { restore: TrackerChange::Rate { reading: reading.clone(), area: area.clone(), rater, value: now }, area: area.clone() };
                                    ctx.save(TrackerChange::Rate { reading, area, rater, value: next }, Some(undo));
                                }>
                                {value}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="stage" data-test="stage">
                {move || match current.get().and_then(|v| f.with_value(|f| f.stage_for(v).cloned())) {
                    Some(stage) => view! {
                        <strong>{stage.label.get(i18n.lang.get()).to_owned()}</strong>
                        " "
                        <span>{stage.description.get(i18n.lang.get()).to_owned()}</span>
                    }.into_any(),
                    None => view! { <span class="empty">{t(Msg::ReadingNotRated)}</span> }.into_any(),
                }}
            </p>
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
                ctx.save(
                    make(text),
                    Some(UndoStep {
                        restore: make(before),
                        area,
                    }),
                );
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
        serde_json::Value::Array(items) => {
            items.iter().map(show_value).collect::<Vec<_>>().join(", ")
        }
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
        Some("score") => parts
            .get(2)
            .and_then(|r| Rater::parse(r))
            .map(|r| rater_msg(r).text(lang).to_owned()),
        Some("note") => Some(Msg::ReadingNote.text(lang).to_owned()),
        Some("reason") => Some(Msg::ReadingWhyDifferent.text(lang).to_owned()),
        Some("help") => Some(Msg::ReadingMoreHelp.text(lang).to_owned()),
        _ => Some(Msg::ReadingWhoWasThere.text(lang).to_owned()),
    };
    [area, what]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ")
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
        assert_eq!(
            raters_for(&facts(Role::ServiceUser, true, None)),
            [Rater::Person, Rater::Agreed]
        );
        assert_eq!(
            raters_for(&facts(Role::KeyWorker, false, Some(Relation::KeyWorker))),
            Rater::ALL
        );
        let carer = facts(Role::Carer, false, Some(Relation::Carer));
        assert!(
            raters_for(&carer).is_empty(),
            "nothing without the person's consent"
        );
        assert_eq!(
            raters_for(&WriterFacts {
                shared: vec![SharedPart::Tracker],
                ..carer
            }),
            [Rater::Carer]
        );
        assert!(raters_for(&facts(Role::WardManager, false, None)).is_empty());
    }
}
