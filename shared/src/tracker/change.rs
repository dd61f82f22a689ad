//! The tracker's changes: readings (who rated what, the agreed value, why views differ), goals and steps. The
//! cells each writes, and how each cell decodes back into the change that writes it, are both here.

use super::{
    GoalStatus, MAX_GOAL_AREAS, MAX_TRACKER_TEXT_CHARS, Presence, Prompt, Rater, ReadingOpened, StepOwner, fields,
};
use crate::about_me::MAX_PREFERRED_NAME_CHARS;
use crate::consent::{Action, SharedPart, WriterFacts, may};
use crate::i18n::Msg;
use crate::outcomes::{AreaId, Framework, FrameworkError, FrameworkId};
use crate::people::UserId;
use crate::sync::change::{Audience, CellLookup, ChangeError, DomainChange, Effect, EffectMode};
use crate::sync::{CellKey, CellState, Kind, RecordId, check};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The changes to a person's recovery tracker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum TrackerChange {
    /// Start a reading against one version of a framework, on a date.
    StartReading {
        reading: RecordId,
        framework: FrameworkId,
        version: u32,
        date: String,
    },
    /// Say who was there for a reading.
    ReadingPresent {
        reading: RecordId,
        present: Vec<Presence>,
    },
    /// One rater's value for one area (`None` takes it back).
    Rate {
        reading: RecordId,
        area: AreaId,
        rater: Rater,
        value: Option<u8>,
    },
    /// A note on one area of a reading.
    AreaNote {
        reading: RecordId,
        area: AreaId,
        text: String,
    },
    /// Why the raters see an area differently (kept beside the values, nothing averaged away).
    DifferenceReason {
        reading: RecordId,
        area: AreaId,
        text: String,
    },
    /// "Would you like more help with this?" for one area (`None` = not answered).
    MoreHelp {
        reading: RecordId,
        area: AreaId,
        wanted: Option<bool>,
    },
    /// Mark a reading finished (its values go on the chart), naming the areas left without an agreed value; or
    /// (`finished: false`) make it a draft again.
    FinishReading {
        reading: RecordId,
        finished: bool,
        missing: Vec<AreaId>,
    },
    /// Put a draft aside (`true`: it leaves the list, kept in the record) or bring it back.
    DiscardReading {
        reading: RecordId,
        discarded: bool,
    },

    /// A new goal, in the person's own words.
    AddGoal {
        goal: RecordId,
        text: String,
    },
    /// New words for a goal.
    EditGoal {
        goal: RecordId,
        text: String,
    },
    GoalStatus {
        goal: RecordId,
        status: GoalStatus,
    },
    /// The areas a goal is about.
    GoalAreas {
        goal: RecordId,
        framework: FrameworkId,
        areas: Vec<AreaId>,
    },
    /// An answer to one of the goal's solution-focused questions.
    GoalPrompt {
        goal: RecordId,
        prompt: Prompt,
        text: String,
    },

    /// A new step towards a goal.
    AddStep {
        step: RecordId,
        goal: RecordId,
    },
    StepText {
        step: RecordId,
        text: String,
    },
    StepOwner {
        step: RecordId,
        owner: StepOwner,
    },
    StepDue {
        step: RecordId,
        due: Option<String>,
    },
    StepDone {
        step: RecordId,
        done: bool,
    },
}

fn check_area(area: &AreaId) -> Result<(), ChangeError> {
    let ok = !area.0.is_empty()
        && area.0.len() <= 40
        && area.0.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok { Ok(()) } else { Err(ChangeError::Framework(FrameworkError::BadId(area.0.clone()))) }
}

fn check_areas(f: &Framework, areas: &[AreaId]) -> Result<(), ChangeError> {
    match areas.iter().find(|a| f.area(a).is_none()) {
        Some(a) => Err(ChangeError::Framework(FrameworkError::UnknownArea(a.0.clone()))),
        None => Ok(()),
    }
}

/// The first cell of a reading: every other cell of it requires it.
pub fn reading_key(person: &UserId, reading: &RecordId) -> CellKey {
    CellKey::new(person, Kind::Reading, reading, fields::OPENED)
}

fn in_reading(person: &UserId, reading: &RecordId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Reading, reading, field),
        value,
        mode: EffectMode::SetExisting { requires: reading_key(person, reading) },
    }
}

fn in_goal(person: &UserId, goal: &RecordId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Goal, goal, field),
        value,
        mode: EffectMode::SetExisting { requires: CellKey::new(person, Kind::Goal, goal, fields::TEXT) },
    }
}

fn in_step(person: &UserId, step: &RecordId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Step, step, field),
        value,
        mode: EffectMode::SetExisting { requires: CellKey::new(person, Kind::Step, step, fields::GOAL) },
    }
}

impl TrackerChange {
    /// The record this change is about.
    pub fn record(&self) -> &RecordId {
        use TrackerChange::*;
        match self {
            StartReading { reading, .. }
            | ReadingPresent { reading, .. }
            | Rate { reading, .. }
            | AreaNote { reading, .. }
            | DifferenceReason { reading, .. }
            | MoreHelp { reading, .. }
            | FinishReading { reading, .. }
            | DiscardReading { reading, .. } => reading,
            AddGoal { goal, .. }
            | EditGoal { goal, .. }
            | GoalStatus { goal, .. }
            | GoalAreas { goal, .. }
            | GoalPrompt { goal, .. } => goal,
            AddStep { step, .. }
            | StepText { step, .. }
            | StepOwner { step, .. }
            | StepDue { step, .. }
            | StepDone { step, .. } => step,
        }
    }
}

impl DomainChange for TrackerChange {
    const TYPES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    fn validate(&self) -> Result<(), ChangeError> {
        use TrackerChange::*;
        check::record_id(self.record())?;
        match self {
            StartReading { date, .. } => check::date("date", date),
            ReadingPresent { present, .. } => check::unique("present", present, Presence::ALL.len()),
            Rate { area, .. } | MoreHelp { area, .. } => check_area(area),
            AreaNote { area, text, .. } | DifferenceReason { area, text, .. } => {
                check_area(area)?;
                check::text("text", text, MAX_TRACKER_TEXT_CHARS, false)
            }
            AddGoal { text, .. } | EditGoal { text, .. } => check::text("goal", text, MAX_TRACKER_TEXT_CHARS, true),
            GoalStatus { .. } | StepDone { .. } | DiscardReading { .. } => Ok(()),
            FinishReading { missing, .. } => {
                missing.iter().try_for_each(check_area)?;
                check::unique("missing", missing, MAX_GOAL_AREAS * 2)
            }
            GoalAreas { framework, areas, .. } => {
                check_area(&AreaId(framework.0.clone()))?;
                areas.iter().try_for_each(check_area)?;
                check::unique("areas", areas, MAX_GOAL_AREAS)
            }
            GoalPrompt { text, .. } => check::text("answer", text, MAX_TRACKER_TEXT_CHARS, false),
            AddStep { goal, .. } => check::record_id(goal),
            StepText { text, .. } => check::text("step", text, MAX_TRACKER_TEXT_CHARS, true),
            StepOwner { owner, .. } => match owner {
                super::StepOwner::SomeoneElse { name } => check::text("name", name, MAX_PREFERRED_NAME_CHARS, true),
                _ => Ok(()),
            },
            StepDue { due, .. } => check::maybe_date("due date", due.as_deref()),
        }
    }

    fn needs_frameworks(&self) -> bool {
        use TrackerChange::*;
        matches!(
            self,
            StartReading { .. }
                | Rate { .. }
                | AreaNote { .. }
                | DifferenceReason { .. }
                | MoreHelp { .. }
                | FinishReading { .. }
                | GoalAreas { .. }
        )
    }

    /// The framework exists and is not retired for a new reading, and every area and value fits the version the
    /// reading started with.
    fn check_with(&self, required: Option<&CellState>, frameworks: &[Framework]) -> Result<(), ChangeError> {
        use TrackerChange::*;
        let find = |id: &FrameworkId, version: u32| {
            frameworks
                .iter()
                .find(|f| &f.id == id && f.version == version)
                .ok_or_else(|| ChangeError::UnknownFramework(format!("{} v{}", id.0, version)))
        };
        let opened = || required.and_then(|c| serde_json::from_value::<ReadingOpened>(c.value.clone()).ok());
        match self {
            StartReading { framework, version, .. } => {
                let f = find(framework, *version)?;
                f.check_values(framework, *version, &Default::default())?;
            }
            Rate { area, value, .. } => {
                if let Some(o) = opened() {
                    let f = find(&o.framework, o.version)?;
                    let values = value.map(|v| (area.clone(), v)).into_iter().collect();
                    check_areas(f, std::slice::from_ref(area))?;
                    // A reading started before its version was retired may still be finished.
                    Framework { retired: false, ..f.clone() }.check_values(&o.framework, o.version, &values)?;
                }
            }
            AreaNote { area, .. } | DifferenceReason { area, .. } | MoreHelp { area, .. } => {
                if let Some(o) = opened() {
                    check_areas(find(&o.framework, o.version)?, std::slice::from_ref(area))?;
                }
            }
            FinishReading { missing, .. } => {
                if let Some(o) = opened() {
                    check_areas(find(&o.framework, o.version)?, missing)?;
                }
            }
            GoalAreas { framework, areas, .. } => {
                let newest = frameworks
                    .iter()
                    .filter(|f| &f.id == framework)
                    .max_by_key(|f| f.version)
                    .ok_or_else(|| ChangeError::UnknownFramework(framework.0.clone()))?;
                check_areas(newest, areas)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn effect(&self, person: &UserId) -> Effect {
        use TrackerChange::*;
        let text = |t: &String| Value::String(t.clone());
        match self {
            StartReading { reading, framework, version, date } => Effect {
                key: reading_key(person, reading),
                value: check::json(&ReadingOpened {
                    framework: framework.clone(),
                    version: *version,
                    date: date.clone(),
                }),
                mode: EffectMode::Create,
            },
            ReadingPresent { reading, present } => {
                let mut present = present.clone();
                present.sort();
                in_reading(person, reading, fields::PRESENT, check::json(&present))
            }
            Rate { reading, area, rater, value } => {
                in_reading(person, reading, &fields::score(area, *rater), value.map_or(Value::Null, Value::from))
            }
            AreaNote { reading, area, text: t } => in_reading(person, reading, &fields::note(area), text(t)),
            DifferenceReason { reading, area, text: t } => in_reading(person, reading, &fields::reason(area), text(t)),
            MoreHelp { reading, area, wanted } => {
                in_reading(person, reading, &fields::more_help(area), wanted.map_or(Value::Null, Value::Bool))
            }
            FinishReading { reading, finished, missing } => {
                let value = check::json(&super::Finished { finished: *finished, missing: missing.clone() });
                in_reading(person, reading, fields::FINISHED, value)
            }
            DiscardReading { reading, discarded } => {
                in_reading(person, reading, fields::DISCARDED, Value::Bool(*discarded))
            }
            AddGoal { goal, text: t } => Effect {
                key: CellKey::new(person, Kind::Goal, goal, fields::TEXT),
                value: text(t),
                mode: EffectMode::Create,
            },
            EditGoal { goal, text: t } => in_goal(person, goal, fields::TEXT, text(t)),
            GoalStatus { goal, status } => {
                in_goal(person, goal, fields::STATUS, Value::String(status.as_str().to_owned()))
            }
            GoalAreas { goal, framework, areas } => {
                let value = check::json(&super::GoalAreas { framework: framework.clone(), areas: areas.clone() });
                in_goal(person, goal, fields::AREAS, value)
            }
            GoalPrompt { goal, prompt, text: t } => in_goal(person, goal, &fields::prompt(*prompt), text(t)),
            AddStep { step, goal } => Effect {
                key: CellKey::new(person, Kind::Step, step, fields::GOAL),
                value: Value::String(goal.0.clone()),
                mode: EffectMode::Create,
            },
            StepText { step, text: t } => in_step(person, step, fields::TEXT, text(t)),
            StepOwner { step, owner } => in_step(person, step, fields::OWNER, check::json(owner)),
            StepDue { step, due } => in_step(person, step, fields::DUE, due.clone().map_or(Value::Null, Value::String)),
            StepDone { step, done } => in_step(person, step, fields::DONE, Value::Bool(*done)),
        }
    }

    fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool {
        match self {
            TrackerChange::Rate { rater, .. } => may(w, Action::Rate(*rater)),
            // Whoever started a draft, or the care team, may put it aside.
            TrackerChange::DiscardReading { .. } => {
                required.is_some_and(|started| may(w, Action::DiscardReading { started_by: &started.by.user }))
            }
            TrackerChange::DifferenceReason { .. } => may(w, Action::GiveReason),
            _ => may(w, Action::WriteTracker),
        }
    }

    fn audience(&self) -> Audience {
        Audience::Shared(SharedPart::Tracker)
    }

    fn decode(key: &CellKey, value: &Value, _cells: CellLookup<'_>) -> Option<Self> {
        use TrackerChange::*;
        let rec = key.record.clone();
        let s = || value.as_str().map(str::to_owned);
        Some(match (key.kind, key.field.as_str()) {
            (Kind::Reading, fields::OPENED) => {
                let o: ReadingOpened = serde_json::from_value(value.clone()).ok()?;
                StartReading { reading: rec, framework: o.framework, version: o.version, date: o.date }
            }
            (Kind::Reading, fields::FINISHED) => {
                let f: super::Finished = serde_json::from_value(value.clone()).ok()?;
                FinishReading { reading: rec, finished: f.finished, missing: f.missing }
            }
            (Kind::Reading, fields::DISCARDED) => DiscardReading { reading: rec, discarded: value.as_bool()? },
            (Kind::Reading, fields::PRESENT) => {
                ReadingPresent { reading: rec, present: serde_json::from_value(value.clone()).ok()? }
            }
            (Kind::Reading, f) => {
                let (part, rest) = f.split_once('.')?;
                let area = || AreaId(rest.to_owned());
                match part {
                    "score" => {
                        let (area, rater) = rest.split_once('.')?;
                        let value = if value.is_null() { None } else { Some(u8::try_from(value.as_u64()?).ok()?) };
                        Rate { reading: rec, area: AreaId(area.to_owned()), rater: Rater::parse(rater)?, value }
                    }
                    "note" => AreaNote { reading: rec, area: area(), text: s()? },
                    "reason" => DifferenceReason { reading: rec, area: area(), text: s()? },
                    "help" => MoreHelp {
                        reading: rec,
                        area: area(),
                        wanted: if value.is_null() { None } else { Some(value.as_bool()?) },
                    },
                    _ => return None,
                }
            }
            (Kind::Goal, fields::TEXT) => EditGoal { goal: rec, text: s()? },
            (Kind::Goal, fields::STATUS) => GoalStatus { goal: rec, status: super::GoalStatus::parse(&s()?)? },
            (Kind::Goal, fields::AREAS) => {
                let a: super::GoalAreas = serde_json::from_value(value.clone()).ok()?;
                GoalAreas { goal: rec, framework: a.framework, areas: a.areas }
            }
            (Kind::Goal, f) => {
                let p = f.strip_prefix("prompt.")?;
                GoalPrompt { goal: rec, prompt: Prompt::parse(p)?, text: s()? }
            }
            (Kind::Step, fields::GOAL) => AddStep { step: rec, goal: RecordId(s()?) },
            (Kind::Step, fields::TEXT) => StepText { step: rec, text: s()? },
            (Kind::Step, fields::OWNER) => StepOwner { step: rec, owner: serde_json::from_value(value.clone()).ok()? },
            (Kind::Step, fields::DUE) => StepDue { step: rec, due: if value.is_null() { None } else { Some(s()?) } },
            (Kind::Step, fields::DONE) => StepDone { step: rec, done: value.as_bool()? },
            _ => return None,
        })
    }

    fn words(&self) -> Option<&str> {
        use TrackerChange::*;
        match self {
            AreaNote { text, .. }
            | DifferenceReason { text, .. }
            | AddGoal { text, .. }
            | EditGoal { text, .. }
            | GoalPrompt { text, .. }
            | StepText { text, .. } => Some(text),
            _ => None,
        }
    }

    fn label(&self) -> Msg {
        use TrackerChange::*;
        match self {
            StartReading { .. }
            | ReadingPresent { .. }
            | Rate { .. }
            | AreaNote { .. }
            | DifferenceReason { .. }
            | MoreHelp { .. }
            | FinishReading { .. }
            | DiscardReading { .. } => Msg::AttentionReading,
            _ => Msg::AttentionGoal,
        }
    }
}
