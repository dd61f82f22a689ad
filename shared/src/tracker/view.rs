//! Readings, goals and steps as people see them, rebuilt from the cells a device holds (the pulled cells with this
//! device's waiting edits on top). Pure, so the app's screens and the tests read the same thing.

use super::{GoalAreas, GoalStatus, Presence, Prompt, Rater, SharedPart, Sharing, StepOwner, TrackerChange};
use crate::consent::sharing_cell;
use crate::outcomes::{AreaId, Distance, FrameworkId, distance_travelled};
use crate::people::UserId;
pub use crate::sync::ShownCell;
use crate::sync::change::DomainChange;
use crate::sync::{Authorship, CellKey, KeptValue, Kind, RecordId};
use serde_json::Value;
use std::collections::BTreeMap;

/// One area of one reading.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AreaReading {
    pub values: BTreeMap<Rater, u8>,
    /// Who entered each value (the name as it was then), where the server has it.
    pub entered_by: BTreeMap<Rater, String>,
    pub note: String,
    pub reason: String,
    pub more_help: Option<bool>,
}

impl AreaReading {
    /// The raters' own views differ (the agreed value does not count: it is what they settled on).
    pub fn differs(&self) -> bool {
        let mut views = Rater::VIEWS.iter().filter_map(|r| self.values.get(r));
        let Some(first) = views.next() else {
            return false;
        };
        views.any(|v| v != first)
    }

    /// The value the chart draws: the agreed one, or the person's own view where nothing was agreed.
    pub fn chart_value(&self) -> Option<u8> {
        self.values.get(&Rater::Agreed).or_else(|| self.values.get(&Rater::Person)).copied()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReadingView {
    pub id: RecordId,
    pub framework: FrameworkId,
    pub version: u32,
    pub date: String,
    pub present: Vec<Presence>,
    pub areas: BTreeMap<AreaId, AreaReading>,
    /// Who started it, when the server has it.
    pub started_by: Option<Authorship>,
    /// Finished (its values go on the chart): who finished it, and the areas named as left without an agreed
    /// value. `None` for a draft.
    pub finished: Option<FinishedReading>,
    /// A draft put aside: kept in the record, out of the list.
    pub discarded: bool,
    /// Some part of it is still only on this device.
    pub waiting: bool,
}

/// How a reading was finished.
#[derive(Clone, Debug, PartialEq)]
pub struct FinishedReading {
    pub missing: Vec<AreaId>,
    pub by: Option<Authorship>,
}

impl ReadingView {
    /// A draft: started, not finished, not put aside.
    pub fn is_draft(&self) -> bool {
        self.finished.is_none() && !self.discarded
    }

    /// The areas of `areas` (a framework's, in order) that have no agreed value yet: what finishing it now would
    /// name as missing.
    pub fn without_agreed<'a>(&self, areas: impl IntoIterator<Item = &'a AreaId>) -> Vec<AreaId> {
        areas
            .into_iter()
            .filter(|a| self.areas.get(*a).is_none_or(|r| !r.values.contains_key(&Rater::Agreed)))
            .cloned()
            .collect()
    }

    /// The values the chart draws, per area.
    pub fn chart_values(&self) -> BTreeMap<AreaId, u8> {
        self.areas.iter().filter_map(|(a, r)| r.chart_value().map(|v| (a.clone(), v))).collect()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepView {
    pub id: RecordId,
    pub goal: RecordId,
    pub text: String,
    pub owner: Option<StepOwner>,
    pub due: Option<String>,
    pub done: bool,
    pub waiting: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GoalView {
    pub id: RecordId,
    pub text: String,
    pub status: GoalStatus,
    pub areas: GoalAreas,
    pub prompts: BTreeMap<Prompt, String>,
    pub steps: Vec<StepView>,
    pub written_by: Option<Authorship>,
    pub waiting: bool,
}

/// A tracker cell with values kept aside, waiting for someone to settle it.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub key: CellKey,
    pub current: Value,
    pub by: Option<Authorship>,
    pub kept: Vec<KeptValue>,
}

impl Conflict {
    /// The conflict a shown cell with values kept aside stands for.
    pub fn of(key: &CellKey, cell: &ShownCell) -> Conflict {
        Conflict { key: key.clone(), current: cell.value.clone(), by: cell.by.clone(), kept: cell.kept.clone() }
    }
}

/// A step that is due for review at a reading.
#[derive(Clone, Debug, PartialEq)]
pub struct DueStep<'a> {
    pub goal: &'a GoalView,
    pub step: &'a StepView,
    /// Its due date has passed.
    pub overdue: bool,
}

/// Everything of one person's tracker that a device shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackerView {
    /// Oldest first (by date, then by id).
    pub readings: Vec<ReadingView>,
    /// In the order they were written.
    pub goals: Vec<GoalView>,
    pub sharing: BTreeMap<(SharedPart, UserId), Sharing>,
    pub conflicts: Vec<Conflict>,
}

/// The kinds the tracker is made of.
pub const TRACKER_KINDS: [Kind; 4] = [Kind::Reading, Kind::Goal, Kind::Step, Kind::Sharing];

impl TrackerView {
    /// Rebuild the tracker from one person's shown cells, each read back through [`TrackerChange::decode`] (the
    /// one place that knows the tracker's cells). Cells that do not decode (from a newer app version, say) are
    /// skipped rather than breaking the page.
    pub fn build<'a>(cells: impl IntoIterator<Item = (&'a CellKey, &'a ShownCell)>) -> TrackerView {
        use TrackerChange as T;
        let mut readings: BTreeMap<RecordId, ReadingView> = BTreeMap::new();
        let mut goals: BTreeMap<RecordId, GoalView> = BTreeMap::new();
        let mut steps: BTreeMap<RecordId, StepView> = BTreeMap::new();
        let mut details: Vec<(&ShownCell, TrackerChange)> = Vec::new();
        let mut view = TrackerView::default();
        for (key, cell) in cells {
            if !cell.kept.is_empty() {
                view.conflicts.push(Conflict::of(key, cell));
            }
            if let Some((who, s)) = sharing_cell(key, &cell.value) {
                view.sharing.insert(who, s);
                continue;
            }
            let Some(change) = TrackerChange::decode(key, &cell.value, &|_| None) else { continue };
            match change {
                T::StartReading { reading, framework, version, date } => {
                    let r = ReadingView {
                        id: reading.clone(),
                        framework,
                        version,
                        date,
                        present: vec![],
                        areas: BTreeMap::new(),
                        started_by: cell.by.clone(),
                        finished: None,
                        discarded: false,
                        waiting: cell.waiting,
                    };
                    readings.insert(reading, r);
                }
                T::EditGoal { goal, text } => {
                    let g = GoalView {
                        id: goal.clone(),
                        text,
                        status: GoalStatus::default(),
                        areas: GoalAreas::default(),
                        prompts: BTreeMap::new(),
                        steps: vec![],
                        written_by: cell.by.clone(),
                        waiting: cell.waiting,
                    };
                    goals.insert(goal, g);
                }
                T::AddStep { step, goal } => {
                    let s = StepView {
                        id: step.clone(),
                        goal,
                        text: String::new(),
                        owner: None,
                        due: None,
                        done: false,
                        waiting: cell.waiting,
                    };
                    steps.insert(step, s);
                }
                other => details.push((cell, other)),
            }
        }
        for (cell, change) in details {
            let record = change.record().clone();
            if let Some(reading) = readings.get_mut(&record) {
                reading.waiting |= cell.waiting;
                match change {
                    T::ReadingPresent { present, .. } => reading.present = present,
                    T::Rate { area, rater, value: Some(value), .. } => {
                        let area = reading.areas.entry(area).or_default();
                        area.values.insert(rater, value);
                        if let Some(by) = &cell.by {
                            area.entered_by.insert(rater, by.name.clone());
                        }
                    }
                    T::AreaNote { area, text, .. } => reading.areas.entry(area).or_default().note = text,
                    T::DifferenceReason { area, text, .. } => reading.areas.entry(area).or_default().reason = text,
                    T::MoreHelp { area, wanted, .. } => reading.areas.entry(area).or_default().more_help = wanted,
                    T::FinishReading { finished, missing, .. } => {
                        reading.finished = finished.then(|| FinishedReading { missing, by: cell.by.clone() });
                    }
                    T::DiscardReading { discarded, .. } => reading.discarded = discarded,
                    _ => {}
                }
            } else if let Some(goal) = goals.get_mut(&record) {
                goal.waiting |= cell.waiting;
                match change {
                    T::GoalStatus { status, .. } => goal.status = status,
                    T::GoalAreas { framework, areas, .. } => goal.areas = GoalAreas { framework, areas },
                    T::GoalPrompt { prompt, text, .. } => {
                        goal.prompts.insert(prompt, text);
                    }
                    _ => {}
                }
            } else if let Some(step) = steps.get_mut(&record) {
                step.waiting |= cell.waiting;
                match change {
                    T::StepText { text, .. } => step.text = text,
                    T::StepOwner { owner, .. } => step.owner = Some(owner),
                    T::StepDue { due, .. } => step.due = due,
                    T::StepDone { done, .. } => step.done = done,
                    _ => {}
                }
            }
        }
        let mut goals: Vec<GoalView> = goals.into_values().collect();
        goals.sort_by(|a, b| {
            let at = |g: &GoalView| g.written_by.as_ref().map_or(i64::MAX, |b| b.at_ms);
            at(a).cmp(&at(b)).then_with(|| a.id.cmp(&b.id))
        });
        for step in steps.into_values() {
            if let Some(goal) = goals.iter_mut().find(|g| g.id == step.goal) {
                goal.steps.push(step);
            }
        }
        for goal in &mut goals {
            goal.steps.sort_by(|a, b| {
                a.due.is_none().cmp(&b.due.is_none()).then_with(|| a.due.cmp(&b.due)).then_with(|| a.id.cmp(&b.id))
            });
        }
        view.readings = readings.into_values().collect();
        view.readings.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        view.goals = goals;
        view
    }

    /// The readings of one framework, oldest first: finished ones and drafts (not those put aside).
    pub fn readings_of<'a>(&'a self, framework: &'a FrameworkId) -> impl Iterator<Item = &'a ReadingView> + 'a {
        self.readings.iter().filter(move |r| &r.framework == framework && !r.discarded)
    }

    /// The finished readings of one framework, oldest first: what the chart draws (a draft never replaces the
    /// latest finished reading).
    pub fn finished_of<'a>(&'a self, framework: &'a FrameworkId) -> impl Iterator<Item = &'a ReadingView> + 'a {
        self.readings_of(framework).filter(|r| r.finished.is_some())
    }

    /// The drafts of any framework, oldest first: readings started and not yet finished, to resume or put aside.
    pub fn drafts(&self) -> impl Iterator<Item = &ReadingView> {
        self.readings.iter().filter(|r| r.is_draft())
    }

    /// How far the person has come between the first and the latest finished reading of a framework.
    pub fn distance(&self, framework: &FrameworkId) -> Option<Distance> {
        let mut rs = self.finished_of(framework).filter(|r| !r.chart_values().is_empty());
        let first = rs.next()?;
        let latest = rs.last().unwrap_or(first);
        Some(distance_travelled(&first.chart_values(), &latest.chart_values()))
    }

    /// The steps to look at on `date`: not done, on a goal still open, due on or before it (overdue if before).
    pub fn due_steps(&self, date: &str) -> Vec<DueStep<'_>> {
        let mut out = Vec::new();
        for goal in self.goals.iter().filter(|g| !g.status.is_closed()) {
            for step in goal.steps.iter().filter(|s| !s.done) {
                if let Some(due) = step.due.as_deref().filter(|d| *d <= date) {
                    out.push(DueStep { goal, step, overdue: due < date });
                }
            }
        }
        out.sort_by(|a, b| a.step.due.cmp(&b.step.due));
        out
    }

    /// Is this carer shown `part` of the record?
    pub fn shares_with(&self, part: SharedPart, carer: &UserId) -> bool {
        self.sharing.get(&(part, carer.clone())).is_some_and(|s| s.share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcomes::built_in;
    use crate::sync::{Outbox, Replica};

    fn rid(s: &str) -> RecordId {
        RecordId(s.into())
    }

    /// Record changes on one device and show them, as the app does before anything syncs.
    fn shown(changes: Vec<TrackerChange>) -> TrackerView {
        let person = UserId("p".into());
        let replica = Replica::default();
        let mut out = Outbox::default();
        for (i, c) in changes.into_iter().enumerate() {
            out.record(&replica, &person, c.into(), false, i as i64).unwrap();
        }
        let cells = out.overlay(&replica, &person, &TRACKER_KINDS);
        TrackerView::build(&cells)
    }

    fn rate(reading: &str, area: &str, rater: Rater, v: u8) -> TrackerChange {
        TrackerChange::Rate { reading: rid(reading), area: AreaId(area.into()), rater, value: Some(v) }
    }

    #[test]
    fn a_reading_keeps_every_view_and_the_reason_they_differ() {
        let f = built_in::waymark_ladder();
        let t = shown(vec![
            TrackerChange::StartReading {
                reading: rid("r1"),
                framework: f.id.clone(),
                version: f.version,
                date: "2026-11-02".into(),
            },
            TrackerChange::ReadingPresent { reading: rid("r1"), present: vec![Presence::KeyWorker, Presence::Person] },
            rate("r1", "mental_wellbeing", Rater::Person, 7),
            rate("r1", "mental_wellbeing", Rater::Staff, 5),
            rate("r1", "mental_wellbeing", Rater::Agreed, 6),
            TrackerChange::DifferenceReason {
                reading: rid("r1"),
                area: AreaId("mental_wellbeing".into()),
                text: "Good week vs. last month".into(),
            },
            rate("r1", "hope_and_trust", Rater::Person, 4),
            rate("r1", "hope_and_trust", Rater::Staff, 4),
        ]);
        let r = &t.readings[0];
        assert_eq!(r.present, vec![Presence::Person, Presence::KeyWorker], "kept in a stable order");
        let wellbeing = &r.areas[&AreaId("mental_wellbeing".into())];
        assert!(wellbeing.differs());
        assert_eq!(wellbeing.values.len(), 3, "nothing averaged away");
        assert_eq!(wellbeing.chart_value(), Some(6));
        assert_eq!(wellbeing.reason, "Good week vs. last month");
        let hope = &r.areas[&AreaId("hope_and_trust".into())];
        assert!(!hope.differs());
        assert_eq!(hope.chart_value(), Some(4), "the person's view stands where nothing was agreed");
        assert!(r.waiting);
    }

    #[test]
    fn distance_runs_from_the_first_to_the_latest_reading_by_date() {
        let f = built_in::waymark_ladder();
        let start = |id: &str, date: &str| TrackerChange::StartReading {
            reading: rid(id),
            framework: f.id.clone(),
            version: f.version,
            date: date.into(),
        };
        let finish = |id: &str| TrackerChange::FinishReading { reading: rid(id), finished: true, missing: vec![] };
        let t = shown(vec![
            start("late", "2026-06-01"),
            rate("late", "mental_wellbeing", Rater::Agreed, 8),
            finish("late"),
            start("early", "2026-01-01"),
            rate("early", "mental_wellbeing", Rater::Agreed, 3),
            finish("early"),
            start("middle", "2026-03-01"),
            rate("middle", "mental_wellbeing", Rater::Agreed, 9),
            finish("middle"),
        ]);
        assert_eq!(t.readings.iter().map(|r| r.id.0.as_str()).collect::<Vec<_>>(), ["early", "middle", "late"]);
        let d = t.distance(&f.id).unwrap();
        assert_eq!(d.overall, 5);
        assert!(t.distance(&built_in::satisfaction_check().id).is_none());
    }

    #[test]
    fn a_draft_never_replaces_the_latest_finished_reading_and_can_be_put_aside() {
        let f = built_in::waymark_ladder();
        let start = |id: &str, date: &str| TrackerChange::StartReading {
            reading: rid(id),
            framework: f.id.clone(),
            version: f.version,
            date: date.into(),
        };
        let mut changes = vec![start("done", "2026-06-01"), rate("done", "mental_wellbeing", Rater::Agreed, 4)];
        changes.push(TrackerChange::FinishReading {
            reading: rid("done"),
            finished: true,
            missing: vec![AreaId("hope_and_trust".into())],
        });
        changes.extend([start("draft", "2026-11-01"), rate("draft", "mental_wellbeing", Rater::Agreed, 9)]);
        let t = shown(changes.clone());
        let finished: Vec<&str> = t.finished_of(&f.id).map(|r| r.id.0.as_str()).collect();
        assert_eq!(finished, ["done"], "one area rated does not make a reading the latest");
        assert_eq!(t.drafts().map(|r| r.id.0.as_str()).collect::<Vec<_>>(), ["draft"]);
        assert_eq!(t.readings[0].finished.as_ref().unwrap().missing, [AreaId("hope_and_trust".into())]);
        let areas: Vec<AreaId> = f.areas.iter().map(|a| a.id.clone()).collect();
        let draft = t.readings.iter().find(|r| r.id.0 == "draft").unwrap();
        assert_eq!(draft.without_agreed(&areas).len(), areas.len() - 1);
        // Put aside, it leaves the lists; brought back, it is a draft again.
        changes.push(TrackerChange::DiscardReading { reading: rid("draft"), discarded: true });
        let t = shown(changes.clone());
        assert_eq!(t.drafts().count(), 0);
        assert_eq!(t.readings_of(&f.id).count(), 1);
        changes.push(TrackerChange::DiscardReading { reading: rid("draft"), discarded: false });
        assert_eq!(shown(changes).drafts().count(), 1);
    }

    #[test]
    fn a_draft_is_put_aside_by_whoever_started_it_or_the_care_team() {
        use crate::consent::tests::writer;
        use crate::people::{Relation, Role};
        use crate::sync::{Authorship, CellState, Change};
        let started = |by: &str| CellState {
            value: serde_json::json!({ "framework": "waymark_ladder", "version": 1, "date": "2026-11-01" }),
            version: 1,
            by: Authorship { user: UserId(by.into()), name: by.into(), at_ms: 1, role: None },
            kept: vec![],
        };
        let discard = Change::from(TrackerChange::DiscardReading { reading: rid("r"), discarded: true });
        let person = writer(Role::ServiceUser, true, None);
        let staff = writer(Role::Staff, false, Some(Relation::Staff));
        assert!(discard.may_write(&person, Some(&started("w"))), "the person's own draft");
        assert!(!discard.may_write(&person, Some(&started("owen"))), "not one staff started");
        assert!(discard.may_write(&staff, Some(&started("dylan"))), "the care team");
        assert!(!discard.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), Some(&started("w"))));
        assert!(!discard.may_write(&person, None));
    }

    #[test]
    fn goals_gather_their_steps_and_due_steps_come_up_for_review() {
        let t = shown(vec![
            TrackerChange::AddGoal { goal: rid("g1"), text: "Cook a meal for my sister".into() },
            TrackerChange::GoalStatus { goal: rid("g1"), status: GoalStatus::Active },
            TrackerChange::AddStep { step: rid("s1"), goal: rid("g1") },
            TrackerChange::StepText { step: rid("s1"), text: "Plan a menu".into() },
            TrackerChange::StepDue { step: rid("s1"), due: Some("2026-11-01".into()) },
            TrackerChange::StepOwner { step: rid("s1"), owner: StepOwner::Me },
            TrackerChange::AddStep { step: rid("s2"), goal: rid("g1") },
            TrackerChange::StepText { step: rid("s2"), text: "Book the kitchen".into() },
            TrackerChange::StepDue { step: rid("s2"), due: Some("2026-11-22".into()) },
            TrackerChange::StepOwner { step: rid("s2"), owner: StepOwner::KeyWorker },
            TrackerChange::AddStep { step: rid("s3"), goal: rid("g1") },
            TrackerChange::StepText { step: rid("s3"), text: "Shopping list".into() },
            TrackerChange::StepDue { step: rid("s3"), due: Some("2026-10-01".into()) },
            TrackerChange::StepDone { step: rid("s3"), done: true },
            TrackerChange::AddGoal { goal: rid("g2"), text: "Walk every day".into() },
            TrackerChange::GoalStatus { goal: rid("g2"), status: GoalStatus::Achieved },
            TrackerChange::AddStep { step: rid("s4"), goal: rid("g2") },
            TrackerChange::StepDue { step: rid("s4"), due: Some("2026-01-01".into()) },
        ]);
        assert_eq!(t.goals.len(), 2);
        assert_eq!(t.goals[0].steps.len(), 3);
        let due = t.due_steps("2026-11-22");
        let ids: Vec<(&str, bool)> = due.iter().map(|d| (d.step.id.0.as_str(), d.overdue)).collect();
        assert_eq!(ids, [("s1", true), ("s2", false)], "done steps and closed goals are left out");
    }

    #[test]
    fn every_tracker_cell_can_be_written_back_to_settle_a_conflict() {
        let f = built_in::waymark_ladder();
        let person = UserId("p".into());
        let changes = vec![
            rate("r", "mental_wellbeing", Rater::Carer, 3),
            TrackerChange::Rate { reading: rid("r"), area: AreaId("a".into()), rater: Rater::Agreed, value: None },
            TrackerChange::AreaNote { reading: rid("r"), area: AreaId("a".into()), text: "n".into() },
            TrackerChange::DifferenceReason { reading: rid("r"), area: AreaId("a".into()), text: "n".into() },
            TrackerChange::MoreHelp { reading: rid("r"), area: AreaId("a".into()), wanted: Some(true) },
            TrackerChange::ReadingPresent { reading: rid("r"), present: vec![Presence::Carer] },
            TrackerChange::EditGoal { goal: rid("g"), text: "t".into() },
            TrackerChange::GoalStatus { goal: rid("g"), status: GoalStatus::OnHold },
            TrackerChange::GoalAreas { goal: rid("g"), framework: f.id.clone(), areas: vec![AreaId("a".into())] },
            TrackerChange::GoalPrompt { goal: rid("g"), prompt: Prompt::WhoCouldHelp, text: "Mum".into() },
            TrackerChange::StepText { step: rid("s"), text: "t".into() },
            TrackerChange::StepOwner { step: rid("s"), owner: StepOwner::SomeoneElse { name: "Chaplain".into() } },
            TrackerChange::StepDue { step: rid("s"), due: None },
            TrackerChange::StepDone { step: rid("s"), done: true },
            TrackerChange::FinishReading { reading: rid("r"), finished: true, missing: vec![AreaId("a".into())] },
            TrackerChange::DiscardReading { reading: rid("r"), discarded: false },
        ];
        for c in changes {
            let e = c.effect(&person);
            assert_eq!(TrackerChange::decode(&e.key, &e.value, &|_| None), Some(c.clone()), "{c:?}");
        }
    }
}
