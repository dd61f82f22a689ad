//! Goals in the person's own words, linked to areas of life, with small steps towards them (who, by when, done),
//! and the steps due for review at a reading. Every edit is saved on this tablet first, then synced.

use crate::{
    components::{
        conflicts::ConflictChoices,
        reading::{Naming, date_words},
        written::written_by,
    },
    i18n::{t, use_i18n},
    sync::{tracker::use_tracker, use_sync},
    util::{random_hex, today},
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Msg, UserId,
    consent::{Action, WriterFacts, may},
    i18n::fill,
    outcomes::{AreaId, Framework},
    sync::{CellKey, Change, Kind, RecordId},
    tracker::{
        GoalStatus, Prompt, StepOwner, TrackerChange,
        view::{GoalView, StepView},
    },
};

pub fn status_msg(s: GoalStatus) -> Msg {
    match s {
        GoalStatus::Proposed => Msg::TrackerGoalProposed,
        GoalStatus::Active => Msg::TrackerGoalActive,
        GoalStatus::OnHold => Msg::TrackerGoalOnHold,
        GoalStatus::Achieved => Msg::TrackerGoalAchieved,
        GoalStatus::NotAchieved => Msg::TrackerGoalNotAchieved,
    }
}

fn prompt_msg(p: Prompt) -> Msg {
    match p {
        Prompt::GoingWell => Msg::TrackerPromptGoingWell,
        Prompt::SmallStep => Msg::TrackerPromptSmallStep,
        Prompt::WhoCouldHelp => Msg::TrackerPromptWhoCouldHelp,
    }
}

/// The owner choices of a step, as stored in the select.
const OWNERS: [(&str, Msg); 4] = [
    ("me", Msg::TrackerStepOwnerMe),
    ("key_worker", Msg::TrackerStepOwnerKeyWorker),
    ("carer", Msg::TrackerStepOwnerCarer),
    ("someone_else", Msg::TrackerStepOwnerSomeoneElse),
];

/// The changes that make a new goal: its words, its status, and the areas it is about.
pub fn new_goal(
    goal: &RecordId,
    text: &str,
    status: GoalStatus,
    framework: &Framework,
    areas: Vec<AreaId>,
) -> Vec<Change> {
    let mut out = vec![
        TrackerChange::AddGoal { goal: goal.clone(), text: text.trim().to_owned() },
        TrackerChange::GoalStatus { goal: goal.clone(), status },
    ];
    if !areas.is_empty() {
        out.push(TrackerChange::GoalAreas { goal: goal.clone(), framework: framework.id.clone(), areas });
    }
    out.into_iter().map(Change::from).collect()
}

/// The changes that make a new step: which goal, its words, who, by when.
pub fn new_step(step: &RecordId, goal: &RecordId, text: &str, owner: StepOwner, due: Option<String>) -> Vec<Change> {
    let mut out = vec![
        TrackerChange::AddStep { step: step.clone(), goal: goal.clone() },
        TrackerChange::StepText { step: step.clone(), text: text.trim().to_owned() },
        TrackerChange::StepOwner { step: step.clone(), owner },
    ];
    if let Some(due) = due.filter(|d| !d.is_empty()) {
        out.push(TrackerChange::StepDue { step: step.clone(), due: Some(due) });
    }
    out.into_iter().map(Change::from).collect()
}

pub fn owner_from(choice: &str, name: &str) -> StepOwner {
    match choice {
        "key_worker" => StepOwner::KeyWorker,
        "carer" => StepOwner::Carer,
        "someone_else" => StepOwner::SomeoneElse { name: name.trim().to_owned() },
        _ => StepOwner::Me,
    }
}

/// Who does a step: the person by name ("Me" on their own screens), or the role or name given.
fn owner_label(owner: &StepOwner, naming: &Naming, lang: waymark_shared::Lang) -> String {
    match owner {
        StepOwner::Me if naming.mine => Msg::TrackerStepOwnerMine.text(lang).to_owned(),
        StepOwner::Me => naming.name.clone(),
        StepOwner::KeyWorker => Msg::TrackerStepOwnerKeyWorker.text(lang).to_owned(),
        StepOwner::Carer => Msg::TrackerStepOwnerCarer.text(lang).to_owned(),
        StepOwner::SomeoneElse { name } => name.clone(),
    }
}

/// A goal's wording changed on this device: which goal and its words before, to undo.
type WordingChange = (RecordId, String);

#[component]
pub fn Goals(
    person: UserId,
    facts: Memo<WriterFacts>,
    framework: Framework,
    /// How the person is named ("I" and "me" on their own screens).
    naming: Naming,
) -> impl IntoView {
    let tracker = use_tracker(person.clone());
    let i18n = use_i18n();
    let may_edit = facts.with_untracked(|f| may(f, Action::WriteTracker));
    let person = StoredValue::new(person);
    let framework = StoredValue::new(framework);
    let naming = StoredValue::new(naming);
    let wording =
        Wording { editing: RwSignal::new(None), text: RwSignal::new(String::new()), last: RwSignal::new(None) };
    let draft = RwSignal::new(String::new());
    let areas = RwSignal::new(Vec::<AreaId>::new());
    let sync = use_sync();
    let conflicts = Memo::new(move |_| {
        tracker.with(|t| {
            t.conflicts.iter().filter(|c| matches!(c.key.kind, Kind::Goal | Kind::Step)).cloned().collect::<Vec<_>>()
        })
    });
    let add = move |_| {
        let goal = RecordId(random_hex(8));
        let changes = framework
            .with_value(|f| new_goal(&goal, &draft.get_untracked(), GoalStatus::Active, f, areas.get_untracked()));
        let saved = sync.edit_all(&person.get_value(), changes);
        spawn_local(async move {
            // A failure is shown by the engine; what was typed stays to try again.
            if saved.await.is_ok() {
                draft.set(String::new());
                areas.set(Vec::new());
            }
        });
    };
    view! {
        <section class="panel goals" data-test="goals">
            <h2>{t(Msg::TrackerGoals)}</h2>
            {
                let settle = Callback::new(move |(key, value): (CellKey, serde_json::Value)| {
                    let change = sync.decode(&key, &value)?;
                    facts.with_untracked(|f| sync.may_make(f, &person.get_value(), &change)).then_some(change)
                });
                view! { <ConflictChoices person=person conflicts=conflicts settle=settle test_id="goal-conflicts"/> }
            }
            {move || {
                let goals = tracker.with(|t| t.goals.clone());
                if goals.is_empty() {
                    return view! { <p class="hint">{t(Msg::TrackerGoalsNone)}</p> }.into_any();
                }
                view! {
                    <ul class="goal-list">
                        {goals.into_iter().map(|g| view! { <GoalItem person=person goal=g framework=framework naming=naming wording=wording may_edit=may_edit/> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            {may_edit.then(|| view! {
                <div class="goal-form">
                    <label class="field-label" for="goal-new">
                        {move || naming.with_value(|n| if n.mine {
                            Msg::TrackerGoalNewMine.text(i18n.lang.get()).to_owned()
                        } else {
                            fill(Msg::TrackerGoalNewNamed.text(i18n.lang.get()), &[("name", &n.name)])
                        })}
                    </label>
                    <textarea id="goal-new" class="field-input" rows="2" data-test="goal-input"
                        prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                    <fieldset class="goal-areas">
                        <legend>{t(Msg::TrackerGoalAreas)}</legend>
                        {framework.with_value(|f| f.areas.clone()).into_iter().map(|a| {
                            let id = a.id.clone();
                            let id2 = a.id.clone();
                            view! {
                                <label class="check">
                                    <input type="checkbox" data-test="goal-area" data-area=a.id.0.clone()
                                        prop:checked=move || areas.with(|xs| xs.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            areas.update(|xs| {
                                                xs.retain(|x| x != &id2);
                                                if on { xs.push(id2.clone()); }
                                            });
                                        }/>
                                    <span>{move || a.label.get(i18n.lang.get()).to_owned()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <button type="button" class="button primary" data-test="goal-add" on:click=add>{t(Msg::TrackerGoalAdd)}</button>
                </div>
            })}
        </section>
    }
}

/// Changing a goal's wording: which goal is being changed and the words typed (kept here, above the list, which is
/// drawn again whenever the tracker changes), and the last change made, to undo.
#[derive(Clone, Copy)]
struct Wording {
    editing: RwSignal<Option<RecordId>>,
    text: RwSignal<String>,
    last: RwSignal<Option<WordingChange>>,
}

#[component]
fn GoalItem(
    person: StoredValue<UserId>,
    goal: GoalView,
    framework: StoredValue<Framework>,
    naming: StoredValue<Naming>,
    wording: Wording,
    may_edit: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let id = StoredValue::new(goal.id.clone());
    let save = move |change: TrackerChange| sync.edit_soon(&person.get_value(), change);
    let words = StoredValue::new(goal.text.clone());
    let editing = move || wording.editing.with(|e| e.as_ref() == Some(&id.get_value()));
    let save_wording = move || {
        let text = wording.text.get_untracked().trim().to_owned();
        let before = words.get_value();
        if text == before {
            wording.editing.set(None);
            return;
        }
        let saved = sync.edit(&person.get_value(), TrackerChange::EditGoal { goal: id.get_value(), text });
        spawn_local(async move {
            // A failure is shown by the engine; what was typed stays to try again.
            if saved.await.is_ok() {
                wording.editing.set(None);
                wording.last.set(Some((id.get_value(), before)));
            }
        });
    };
    let undo_wording = move || {
        if let Some((goal, before)) = wording.last.get_untracked() {
            let saved = sync.edit(&person.get_value(), TrackerChange::EditGoal { goal, text: before });
            spawn_local(async move {
                if saved.await.is_ok() {
                    wording.last.set(None);
                }
            });
        }
    };
    let edit_id = format!("goal-wording-{}", goal.id.0);
    let area_names = {
        let areas = goal.areas.areas.clone();
        move || {
            let lang = i18n.lang.get();
            framework.with_value(|f| {
                areas
                    .iter()
                    .filter_map(|a| f.area(a))
                    .map(|a| a.label.get(lang).to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        }
    };
    let status = goal.status;
    let today = today();
    view! {
        <li class="goal" data-test="goal" data-goal=goal.id.0.clone() data-status=status.as_str()>
            {move || if editing() {
                let edit_id = edit_id.clone();
                view! {
                    <div class="goal-wording" data-test="goal-wording">
                        <label class="field-label" for=edit_id.clone()>{t(Msg::GoalEditWording)}</label>
                        <textarea id=edit_id class="field-input" rows="2" data-test="goal-wording-input"
                            prop:value=move || wording.text.get() on:input=move |ev| wording.text.set(event_target_value(&ev))></textarea>
                        <div class="goal-wording-buttons">
                            <button type="button" class="button primary" data-test="goal-wording-save" on:click=move |_| save_wording()>{t(Msg::Save)}</button>
                            <button type="button" class="button outline" data-test="goal-wording-cancel" on:click=move |_| wording.editing.set(None)>{t(Msg::Cancel)}</button>
                        </div>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <p class="goal-text" data-test="goal-text">{words.get_value()}</p>
                    {may_edit.then(|| view! {
                        <button type="button" class="button quiet small" data-test="goal-edit"
                            on:click=move |_| {
                                wording.text.set(words.get_value());
                                wording.editing.set(Some(id.get_value()));
                            }>{t(Msg::GoalEditWording)}</button>
                    })}
                }
                .into_any()
            }}
            {move || (may_edit && wording.last.with(|l| l.as_ref().is_some_and(|(g, _)| g == &id.get_value()))).then(|| view! {
                <p class="note goal-wording-changed" role="status" data-test="goal-wording-changed">
                    <span>{t(Msg::GoalWordingChanged)}</span>
                    " "
                    <button type="button" class="button outline small" data-test="goal-wording-undo" on:click=move |_| undo_wording()>{t(Msg::Undo)}</button>
                </p>
            })}
            {(!goal.areas.areas.is_empty()).then(|| view! { <p class="hint goal-area-names">{area_names}</p> })}
            {goal.waiting.then(|| view! { <span class="badge waiting">{t(Msg::WaitingToSync)}</span> })}
            {goal.written_by.as_ref().map(|b| {
                let who = written_by(b, i18n.lang.get_untracked());
                view! { <span class="hint goal-by">{who}</span> }
            })}
            <div class="goal-status-row">
                <label class="field-label" for=format!("status-{}", goal.id.0)>{t(Msg::TrackerGoalStatus)}</label>
                <select id=format!("status-{}", goal.id.0) data-test="goal-status" disabled=!may_edit
                    on:change=move |ev| {
                        if let Some(status) = GoalStatus::parse(&event_target_value(&ev)) {
                            save(TrackerChange::GoalStatus { goal: id.get_value(), status });
                        }
                    }>
                    {GoalStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=s == status>{t(status_msg(s))}</option>
                    }).collect_view()}
                </select>
            </div>
            <details class="prompts">
                <summary>{t(Msg::TrackerPrompts)}</summary>
                {Prompt::ALL.into_iter().map(|p| {
                    let current = goal.prompts.get(&p).cloned().unwrap_or_default();
                    let before = current.clone();
                    let field = format!("prompt-{}-{}", goal.id.0, p.as_str());
                    view! {
                        <label class="field-label" for=field.clone()>{t(prompt_msg(p))}</label>
                        <textarea id=field class="field-input" rows="2" data-test="goal-prompt" data-prompt=p.as_str()
                            disabled=!may_edit prop:value=current
                            on:blur=move |ev| {
                                let text = event_target_value(&ev);
                                if text != before {
                                    save(TrackerChange::GoalPrompt { goal: id.get_value(), prompt: p, text });
                                }
                            }></textarea>
                    }
                }).collect_view()}
            </details>
            <h3 class="steps-title">{t(Msg::TrackerSteps)}</h3>
            <ul class="step-list">
                {goal.steps.iter().cloned().map(|s| view! { <StepItem person=person step=s naming=naming may_edit=may_edit today=today.clone()/> }).collect_view()}
            </ul>
            {may_edit.then(|| view! { <StepForm person=person goal=id naming=naming/> })}
        </li>
    }
}

#[component]
fn StepItem(
    person: StoredValue<UserId>,
    step: StepView,
    naming: StoredValue<Naming>,
    may_edit: bool,
    today: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let id = StoredValue::new(step.id.clone());
    let overdue = !step.done && step.due.as_deref().is_some_and(|d| d < today.as_str());
    let owner = step.owner.clone();
    view! {
        <li class="step" class:done=step.done data-test="step" data-step=step.id.0.clone()>
            <label class="check">
                <input type="checkbox" data-test="step-done" disabled=!may_edit prop:checked=step.done
                    on:change=move |ev| {
                        let done = event_target_checked(&ev);
                        sync.edit_soon(&person.get_value(), TrackerChange::StepDone { step: id.get_value(), done });
                    }/>
                <span class="step-text" data-test="step-text">{step.text.clone()}</span>
            </label>
            <span class="step-meta">
                {owner.map(|o| view! { <span class="badge" data-test="step-owner-shown">{move || naming.with_value(|n| owner_label(&o, n, i18n.lang.get()))}</span> })}
                {step.due.clone().map(|d| view! { <span class="step-due">{move || due_on(&d, i18n.lang.get())}</span> })}
                {overdue.then(|| view! { <span class="overdue" data-test="step-overdue">"⚠ "{t(Msg::TrackerStepOverdue)}</span> })}
                {step.waiting.then(|| view! { <span class="badge waiting">{t(Msg::WaitingToSync)}</span> })}
            </span>
        </li>
    }
}

#[component]
fn StepForm(person: StoredValue<UserId>, goal: StoredValue<RecordId>, naming: StoredValue<Naming>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let owner = RwSignal::new("me".to_owned());
    let name = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let sync = use_sync();
    let uid = random_hex(4);
    let add = move |_| {
        let step = RecordId(random_hex(8));
        let changes = new_step(
            &step,
            &goal.get_value(),
            &text.get_untracked(),
            owner_from(&owner.get_untracked(), &name.get_untracked()),
            Some(due.get_untracked()),
        );
        let saved = sync.edit_all(&person.get_value(), changes);
        spawn_local(async move {
            // A failure is shown by the engine; what was typed stays to try again.
            if saved.await.is_ok() {
                text.set(String::new());
                due.set(String::new());
                name.set(String::new());
            }
        });
    };
    let (text_id, owner_id, name_id, due_id) = (
        format!("step-text-{uid}"),
        format!("step-owner-{uid}"),
        format!("step-name-{uid}"),
        format!("step-due-{uid}"),
    );
    view! {
        <div class="step-form">
            <label class="field-label" for=text_id.clone()>{t(Msg::TrackerStepNew)}</label>
            <input id=text_id type="text" class="field-input" data-test="step-input"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <div class="step-form-row">
                <span>
                    <label class="field-label" for=owner_id.clone()>{t(Msg::TrackerStepOwner)}</label>
                    <select id=owner_id data-test="step-owner" on:change=move |ev| owner.set(event_target_value(&ev))>
                        {OWNERS.into_iter().map(|(v, m)| view! {
                            <option value=v selected=move || owner.get() == v>
                                {move || if v == "me" {
                                    naming.with_value(|n| owner_label(&StepOwner::Me, n, i18n.lang.get()))
                                } else {
                                    m.text(i18n.lang.get()).to_owned()
                                }}
                            </option>
                        }).collect_view()}
                    </select>
                </span>
                <Show when=move || owner.get() == "someone_else" fallback=|| ()>
                    <span>
                        <label class="field-label" for=name_id.clone()>{t(Msg::TrackerStepOwnerName)}</label>
                        <input id=name_id.clone() type="text" class="field-input" data-test="step-owner-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    </span>
                </Show>
                <span>
                    <label class="field-label" for=due_id.clone()>{t(Msg::TrackerStepDue)}</label>
                    <input id=due_id type="date" data-test="step-due"
                        prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/>
                </span>
                <button type="button" class="button outline" data-test="step-add" on:click=add>{t(Msg::TrackerStepAdd)}</button>
            </div>
        </div>
    }
}

/// "By 3 November 2026".
fn due_on(date: &str, lang: waymark_shared::Lang) -> String {
    fill(Msg::TrackerStepDueOn.text(lang), &[("date", &date_words(date, lang))])
}

/// The steps due by `date` (overdue first), each with its goal, to look at during a reading.
#[component]
pub fn DueSteps(person: UserId, facts: Memo<WriterFacts>, #[prop(into)] date: Signal<String>) -> impl IntoView {
    let tracker = use_tracker(person.clone());
    let sync = use_sync();
    let i18n = use_i18n();
    let may_edit = facts.with_untracked(|f| may(f, Action::WriteTracker));
    let person = StoredValue::new(person);
    let due = Memo::new(move |_| {
        date.with(|d| {
            tracker.with(|t| {
                t.due_steps(d).into_iter().map(|x| (x.goal.text.clone(), x.step.clone(), x.overdue)).collect::<Vec<_>>()
            })
        })
    });
    view! {
        <div class="due-steps" data-test="due-steps">
            {move || {
                let items = due.get();
                if items.is_empty() {
                    return view! { <p class="hint">{t(Msg::TrackerDueNone)}</p> }.into_any();
                }
                view! {
                    <ul class="step-list">
                        {items.into_iter().map(|(goal, step, overdue)| {
                            let id = step.id.clone();
                            view! {
                                <li class="due-step" data-test="due-step" data-step=step.id.0.clone() data-overdue=overdue.to_string()>
                                    <span class="step-text">{step.text.clone()}</span>
                                    <span class="hint">{goal}</span>
                                    {step.due.clone().map(|d| view! { <span class="step-due">{move || due_on(&d, i18n.lang.get())}</span> })}
                                    {overdue.then(|| view! { <span class="overdue">"⚠ "{t(Msg::TrackerStepOverdue)}</span> })}
                                    {may_edit.then(|| view! {
                                        <button type="button" class="button outline small" data-test="due-step-done"
                                            on:click=move |_| {
                                                sync.edit_soon(&person.get_value(), TrackerChange::StepDone { step: id.clone(), done: true });
                                            }>{t(Msg::TrackerStepMarkDone)}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::outcomes::built_in;

    #[test]
    fn a_new_goal_and_step_are_the_changes_the_server_expects() {
        let f = built_in::waymark_ladder();
        let g = RecordId("g1".into());
        let goal = new_goal(&g, "  Walk to the shop  ", GoalStatus::Active, &f, vec![f.areas[0].id.clone()]);
        assert_eq!(goal.len(), 3);
        assert_eq!(goal[0], TrackerChange::AddGoal { goal: g.clone(), text: "Walk to the shop".into() }.into());
        assert!(new_goal(&g, "x", GoalStatus::Proposed, &f, vec![]).len() == 2, "no areas, no areas change");
        let s = RecordId("s1".into());
        let step = new_step(&s, &g, "Ask about leave", owner_from("someone_else", " Dr Rees "), Some(String::new()));
        assert_eq!(step.len(), 3, "an empty due date is left out");
        assert_eq!(
            step[2],
            TrackerChange::StepOwner { step: s.clone(), owner: StepOwner::SomeoneElse { name: "Dr Rees".into() } }
                .into()
        );
        assert!(step.iter().all(|c| c.validate().is_ok()));
        let blank = new_goal(&g, "   ", GoalStatus::Active, &f, vec![]);
        assert!(blank[0].validate().is_err(), "an empty goal is refused before anything is saved");
        assert_eq!(owner_from("carer", ""), StepOwner::Carer);
    }
}
