//! The changes people can make, typed once: how each is checked, which cell it writes, and who may make it.
//!
//! To add a kind of data: add its [`Kind`], add its changes to [`Change`], and fill in the four `match`es below
//! (`validate`, `effect`, `may_write`, `audience`). The engine, the log, the transport and the device store
//! handle every change the same way.

use super::cell::{CellKey, CellState, Kind, RecordId};
use crate::outcomes::{AreaId, Framework, FrameworkError, FrameworkId};
use crate::people::{Relation, Role, UserId};
use crate::tracker::{
    GoalAreas, GoalStatus, MAX_GOAL_AREAS, MAX_TRACKER_TEXT_CHARS, Presence, Prompt, Rater,
    ReadingOpened, SharedPart, Sharing, StepOwner, fields, is_date,
};
use crate::plan::{self, ItemOpened, MAX_PLAN_ITEM_CHARS, PlanSection, Setting, Signature, Signer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest "About me" answer, in characters.
pub const MAX_ABOUT_ME_CHARS: usize = 4000;
/// Longest preferred name, in characters.
pub const MAX_PREFERRED_NAME_CHARS: usize = 80;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The parts of a person's "About me" page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AboutMeField {
    PreferredName,
    WhatMattersToMe,
    MyStrengths,
    MyHopes,
}

impl AboutMeField {
    pub const ALL: [AboutMeField; 4] = [
        AboutMeField::PreferredName,
        AboutMeField::WhatMattersToMe,
        AboutMeField::MyStrengths,
        AboutMeField::MyHopes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AboutMeField::PreferredName => "preferred_name",
            AboutMeField::WhatMattersToMe => "what_matters_to_me",
            AboutMeField::MyStrengths => "my_strengths",
            AboutMeField::MyHopes => "my_hopes",
        }
    }

    pub fn parse(s: &str) -> Option<AboutMeField> {
        AboutMeField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn max_chars(self) -> usize {
        match self {
            AboutMeField::PreferredName => MAX_PREFERRED_NAME_CHARS,
            _ => MAX_ABOUT_ME_CHARS,
        }
    }
}

/// The field of a comment record holding its text.
pub const COMMENT_TEXT: &str = "text";
/// The field of a comment record saying it was removed (`true`) or restored (`false`).
pub const COMMENT_REMOVED: &str = "removed";

/// One change a person makes. On the wire: `{"type": "about_me", "field": "my_hopes", "text": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Write one part of the person's "About me" page.
    AboutMe {
        field: AboutMeField,
        text: String,
    },
    /// Add a comment to the "About me" page. The id is made on the device.
    AddComment {
        comment: RecordId,
        text: String,
    },
    /// Remove one's own comment (it stays in the record and can be restored).
    RemoveComment {
        comment: RecordId,
    },
    /// Bring back a removed comment.
    RestoreComment {
        comment: RecordId,
    },

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

    /// The person shares a part of their record with one carer, or stops sharing it.
    Share {
        part: SharedPart,
        carer: UserId,
        share: bool,
        review_by: Option<String>,
    },

    /// A new item in a section of the safety plan.
    AddPlanItem {
        item: RecordId,
        section: PlanSection,
        text: String,
    },
    /// New words for an item. Names the item's section, which must be the one it was written in.
    PlanItemText {
        item: RecordId,
        section: PlanSection,
        text: String,
    },
    /// Take an item out of the plan (`true`), or put it back (`false`). It stays in the record.
    RemovePlanItem {
        item: RecordId,
        section: PlanSection,
        removed: bool,
    },
    /// Where the person is now (on the ward, on leave, discharged): what "who to contact" says.
    PlanSetting {
        setting: Setting,
    },
    /// When the plan should be looked at again (`None`: no date set).
    PlanReview {
        review_by: Option<String>,
    },
    /// "I agree to this version of the plan": the person, or their key worker. A version is agreed when both have
    /// signed the same version number.
    AgreePlan {
        signer: Signer,
        version: u32,
        date: String,
    },
    /// Staff record whether the person can, for now, decide what their carers see, and why not.
    Capacity {
        lacks: bool,
        reason: String,
    },
}

/// Whether a change makes a new record or edits an existing cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EffectMode {
    /// Makes a new cell; never conflicts. Refused if the cell already exists.
    Create,
    /// Sets a cell's value, checked against the version the writer had seen.
    Set,
    /// Sets a cell's value on a record that must already exist (its `requires` cell).
    SetExisting { requires: CellKey },
}

/// The one cell a change writes, and the value it writes there.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    pub key: CellKey,
    pub value: Value,
    pub mode: EffectMode,
}

/// Who may receive a kind of data on their device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everyone who may open the person's record (the person, their care team, their ward manager).
    CareCircle,
    /// Staff only: never sent to a service user's or a carer's device.
    StaffOnly,
    /// The person and staff who may open the record; a carer only if the person shares this part with them.
    Shared(SharedPart),
    /// The person and staff who may open the record; never a carer.
    NoCarers,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::CareCircle => "care_circle",
            Audience::StaffOnly => "staff_only",
            Audience::Shared(part) => part.audience_str(),
            // Stored like a part shared with no carer, so the table's audience rule needs no change.
            Audience::NoCarers => "shared_no_carers",
        }
    }
}

/// The facts about a writer and the person whose record they are changing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterFacts {
    pub user: UserId,
    pub role: Role,
    /// The writer is the person the record belongs to.
    pub is_self: bool,
    /// The writer's place in the person's care team.
    pub relation: Option<Relation>,
    /// The writer may open the person's record at all ([`crate::access::may_view_person`]).
    pub may_view: bool,
    /// The parts of the record the person shares with this writer (for a carer).
    pub shared: Vec<SharedPart>,
    /// Staff recorded that the person cannot decide, for now, what their carers see: the care team decides in
    /// their best interests meanwhile.
    pub lacks_capacity: bool,
}

impl WriterFacts {
    /// The service user, writing on their own record.
    pub fn is_person(&self) -> bool {
        self.is_self && self.role == Role::ServiceUser
    }

    /// Staff on the person's care team (their key worker or other team staff).
    pub fn is_team_staff(&self) -> bool {
        self.role.is_staff() && matches!(self.relation, Some(Relation::KeyWorker | Relation::Staff))
    }

    /// A carer the person shares `part` with.
    pub fn is_carer_sharing(&self, part: SharedPart) -> bool {
        self.role == Role::Carer
            && self.relation == Some(Relation::Carer)
            && self.shared.contains(&part)
    }
}

/// Why a change was refused before it reached the record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("record id must be 1 to 64 letters, digits, '-' or '_'")]
    BadRecordId,
    #[error("{field} must be a date written YYYY-MM-DD")]
    BadDate { field: &'static str },
    #[error("{field} lists the same thing twice or too many things")]
    BadList { field: &'static str },
    #[error("{0}")]
    Framework(#[from] FrameworkError),
    #[error("the framework {0} is not known")]
    UnknownFramework(String),
    #[error("a plan version is numbered from 1")]
    BadVersion,
}

fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<(), ChangeError> {
    if text.chars().count() > max {
        return Err(ChangeError::TooLong { field, max });
    }
    if required && text.trim().is_empty() {
        return Err(ChangeError::Empty { field });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ChangeError::ControlCharacters { field });
    }
    Ok(())
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("tracker values serialise")
}

fn in_reading(person: &UserId, reading: &RecordId, field: String, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Reading, reading, &field),
        value,
        mode: EffectMode::SetExisting {
            requires: CellKey::new(person, Kind::Reading, reading, fields::OPENED),
        },
    }
}

fn in_goal(person: &UserId, goal: &RecordId, field: String, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Goal, goal, &field),
        value,
        mode: EffectMode::SetExisting {
            requires: CellKey::new(person, Kind::Goal, goal, fields::TEXT),
        },
    }
}

fn in_step(person: &UserId, step: &RecordId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Step, step, field),
        value,
        mode: EffectMode::SetExisting {
            requires: CellKey::new(person, Kind::Step, step, fields::GOAL),
        },
    }
}

fn in_plan_item(person: &UserId, item: &RecordId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::PlanItem, item, field),
        value,
        mode: EffectMode::SetExisting {
            requires: CellKey::new(person, Kind::PlanItem, item, plan::fields::OPENED),
        },
    }
}

fn in_plan(person: &UserId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::Plan, &RecordId::single(), field),
        value,
        mode: EffectMode::Set,
    }
}

/// May this writer add to `section` of the person's safety plan? The person and their care team write the plan
/// together; only staff write the staff-only notes; a carer the section is shared with adds what they can do.
fn may_add_to(section: PlanSection, w: &WriterFacts) -> bool {
    match section {
        PlanSection::StaffOnly => w.is_team_staff(),
        PlanSection::CarerCanDo => {
            w.is_person() || w.is_team_staff() || w.is_carer_sharing(SharedPart::Plan(section))
        }
        _ => w.is_person() || w.is_team_staff(),
    }
}

/// May this writer change or remove an existing item? `required` is the item's first cell: the section named in
/// the change must be the item's own (so nobody can move data into another audience), and a carer may change only
/// what they wrote themselves.
fn may_edit_item(section: PlanSection, w: &WriterFacts, required: Option<&CellState>) -> bool {
    let Some(cell) = required else { return false };
    let in_section = serde_json::from_value::<ItemOpened>(cell.value.clone())
        .is_ok_and(|o| o.section == section);
    if !in_section {
        return false;
    }
    match section {
        PlanSection::StaffOnly => w.is_team_staff(),
        _ if w.role == Role::Carer => may_add_to(section, w) && cell.by.user == w.user,
        _ => w.is_person() || w.is_team_staff(),
    }
}

fn check_date(field: &'static str, d: &str) -> Result<(), ChangeError> {
    if is_date(d) {
        Ok(())
    } else {
        Err(ChangeError::BadDate { field })
    }
}

fn check_area(area: &AreaId) -> Result<(), ChangeError> {
    let ok = !area.0.is_empty()
        && area.0.len() <= 40
        && area
            .0
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ChangeError::Framework(FrameworkError::BadId(
            area.0.clone(),
        )))
    }
}

fn check_unique<T: Ord>(field: &'static str, items: &[T], max: usize) -> Result<(), ChangeError> {
    let distinct: std::collections::BTreeSet<&T> = items.iter().collect();
    if distinct.len() != items.len() || items.len() > max {
        Err(ChangeError::BadList { field })
    } else {
        Ok(())
    }
}

fn check_areas(f: &Framework, areas: &[AreaId]) -> Result<(), ChangeError> {
    match areas.iter().find(|a| f.area(a).is_none()) {
        Some(a) => Err(ChangeError::Framework(FrameworkError::UnknownArea(
            a.0.clone(),
        ))),
        None => Ok(()),
    }
}

fn check_new_id(id: &RecordId) -> Result<(), ChangeError> {
    if id.0.is_empty() || !id.is_well_formed() {
        Err(ChangeError::BadRecordId)
    } else {
        Ok(())
    }
}

impl Change {
    /// The shape rules: the same on the device (before an edit is saved) and on the server.
    pub fn validate(&self) -> Result<(), ChangeError> {
        match self {
            Change::AboutMe { field, text } => {
                check_text(field.as_str(), text, field.max_chars(), false)
            }
            Change::AddComment { comment, text } => {
                check_new_id(comment)?;
                check_text("comment", text, MAX_COMMENT_CHARS, true)
            }
            Change::RemoveComment { comment } | Change::RestoreComment { comment } => {
                check_new_id(comment)
            }
            Change::StartReading { reading, date, .. } => {
                check_new_id(reading)?;
                check_date("date", date)
            }
            Change::ReadingPresent { reading, present } => {
                check_new_id(reading)?;
                check_unique("present", present, Presence::ALL.len())
            }
            Change::Rate { reading, area, .. } | Change::MoreHelp { reading, area, .. } => {
                check_new_id(reading)?;
                check_area(area)
            }
            Change::AreaNote {
                reading,
                area,
                text,
            }
            | Change::DifferenceReason {
                reading,
                area,
                text,
            } => {
                check_new_id(reading)?;
                check_area(area)?;
                check_text("text", text, MAX_TRACKER_TEXT_CHARS, false)
            }
            Change::AddGoal { goal, text } | Change::EditGoal { goal, text } => {
                check_new_id(goal)?;
                check_text("goal", text, MAX_TRACKER_TEXT_CHARS, true)
            }
            Change::GoalStatus { goal, .. } => check_new_id(goal),
            Change::GoalAreas {
                goal,
                framework,
                areas,
            } => {
                check_new_id(goal)?;
                check_area(&AreaId(framework.0.clone()))?;
                areas.iter().try_for_each(check_area)?;
                check_unique("areas", areas, MAX_GOAL_AREAS)
            }
            Change::GoalPrompt { goal, text, .. } => {
                check_new_id(goal)?;
                check_text("answer", text, MAX_TRACKER_TEXT_CHARS, false)
            }
            Change::AddStep { step, goal } => {
                check_new_id(step)?;
                check_new_id(goal)
            }
            Change::StepText { step, text } => {
                check_new_id(step)?;
                check_text("step", text, MAX_TRACKER_TEXT_CHARS, true)
            }
            Change::StepOwner { step, owner } => {
                check_new_id(step)?;
                match owner {
                    StepOwner::SomeoneElse { name } => {
                        check_text("name", name, MAX_PREFERRED_NAME_CHARS, true)
                    }
                    _ => Ok(()),
                }
            }
            Change::StepDue { step, due } => {
                check_new_id(step)?;
                due.as_deref().map_or(Ok(()), |d| check_date("due date", d))
            }
            Change::StepDone { step, .. } => check_new_id(step),
            Change::Share {
                carer, review_by, ..
            } => {
                if carer.0.is_empty() || carer.0.len() > 64 || carer.0.chars().any(char::is_control)
                {
                    return Err(ChangeError::BadRecordId);
                }
                review_by
                    .as_deref()
                    .map_or(Ok(()), |d| check_date("review date", d))
            }
            Change::AddPlanItem { item, text, .. } | Change::PlanItemText { item, text, .. } => {
                check_new_id(item)?;
                check_text("item", text, MAX_PLAN_ITEM_CHARS, true)
            }
            Change::RemovePlanItem { item, .. } => check_new_id(item),
            Change::PlanSetting { .. } => Ok(()),
            Change::PlanReview { review_by } => {
                review_by.as_deref().map_or(Ok(()), |d| check_date("review date", d))
            }
            Change::AgreePlan { version, date, .. } => {
                if *version == 0 {
                    return Err(ChangeError::BadVersion);
                }
                check_date("date", date)
            }
            Change::Capacity { lacks, reason } => {
                check_text("reason", reason, MAX_PLAN_ITEM_CHARS, *lacks)
            }
        }
    }

    /// The checks that need the framework a reading or goal uses (`frameworks`: every version the checker knows)
    /// and the record's first cell (`required`): the framework exists and is not retired for a new reading, and
    /// every area and value fits the version the reading started with.
    pub fn check_with(
        &self,
        required: Option<&CellState>,
        frameworks: &[Framework],
    ) -> Result<(), ChangeError> {
        let find = |id: &FrameworkId, version: u32| {
            frameworks
                .iter()
                .find(|f| &f.id == id && f.version == version)
                .ok_or_else(|| ChangeError::UnknownFramework(format!("{} v{}", id.0, version)))
        };
        let opened =
            || -> Result<Option<ReadingOpened>, ChangeError> {
                Ok(required
                    .and_then(|c| serde_json::from_value::<ReadingOpened>(c.value.clone()).ok()))
            };
        match self {
            Change::StartReading {
                framework, version, ..
            } => {
                let f = find(framework, *version)?;
                f.check_values(framework, *version, &Default::default())?;
            }
            Change::Rate { area, value, .. } => {
                if let Some(o) = opened()? {
                    let f = find(&o.framework, o.version)?;
                    let values = value.map(|v| (area.clone(), v)).into_iter().collect();
                    check_areas(f, std::slice::from_ref(area))?;
                    // A reading started before its version was retired may still be finished.
                    Framework {
                        retired: false,
                        ..f.clone()
                    }
                    .check_values(&o.framework, o.version, &values)?;
                }
            }
            Change::AreaNote { area, .. }
            | Change::DifferenceReason { area, .. }
            | Change::MoreHelp { area, .. } => {
                if let Some(o) = opened()? {
                    check_areas(find(&o.framework, o.version)?, std::slice::from_ref(area))?;
                }
            }
            Change::GoalAreas {
                framework, areas, ..
            } => {
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

    /// The cell this change writes on `person`'s record, and the value.
    pub fn effect(&self, person: &UserId) -> Effect {
        match self {
            Change::AboutMe { field, text } => Effect {
                key: CellKey::new(person, Kind::AboutMe, &RecordId::single(), field.as_str()),
                value: Value::String(text.clone()),
                mode: EffectMode::Set,
            },
            Change::AddComment { comment, text } => Effect {
                key: CellKey::new(person, Kind::Comment, comment, COMMENT_TEXT),
                value: Value::String(text.clone()),
                mode: EffectMode::Create,
            },
            Change::RemoveComment { comment } | Change::RestoreComment { comment } => Effect {
                key: CellKey::new(person, Kind::Comment, comment, COMMENT_REMOVED),
                value: Value::Bool(matches!(self, Change::RemoveComment { .. })),
                mode: EffectMode::SetExisting {
                    requires: CellKey::new(person, Kind::Comment, comment, COMMENT_TEXT),
                },
            },
            Change::StartReading {
                reading,
                framework,
                version,
                date,
            } => Effect {
                key: CellKey::new(person, Kind::Reading, reading, fields::OPENED),
                value: json(&ReadingOpened {
                    framework: framework.clone(),
                    version: *version,
                    date: date.clone(),
                }),
                mode: EffectMode::Create,
            },
            Change::ReadingPresent { reading, present } => {
                let mut present = present.clone();
                present.sort();
                in_reading(person, reading, fields::PRESENT.to_owned(), json(&present))
            }
            Change::Rate {
                reading,
                area,
                rater,
                value,
            } => in_reading(
                person,
                reading,
                fields::score(area, *rater),
                value.map_or(Value::Null, Value::from),
            ),
            Change::AreaNote {
                reading,
                area,
                text,
            } => in_reading(
                person,
                reading,
                fields::note(area),
                Value::String(text.clone()),
            ),
            Change::DifferenceReason {
                reading,
                area,
                text,
            } => in_reading(
                person,
                reading,
                fields::reason(area),
                Value::String(text.clone()),
            ),
            Change::MoreHelp {
                reading,
                area,
                wanted,
            } => in_reading(
                person,
                reading,
                fields::more_help(area),
                wanted.map_or(Value::Null, Value::Bool),
            ),
            Change::AddGoal { goal, text } => Effect {
                key: CellKey::new(person, Kind::Goal, goal, fields::TEXT),
                value: Value::String(text.clone()),
                mode: EffectMode::Create,
            },
            Change::EditGoal { goal, text } => in_goal(
                person,
                goal,
                fields::TEXT.to_owned(),
                Value::String(text.clone()),
            ),
            Change::GoalStatus { goal, status } => in_goal(
                person,
                goal,
                fields::STATUS.to_owned(),
                Value::String(status.as_str().to_owned()),
            ),
            Change::GoalAreas {
                goal,
                framework,
                areas,
            } => {
                let value = json(&GoalAreas {
                    framework: framework.clone(),
                    areas: areas.clone(),
                });
                in_goal(person, goal, fields::AREAS.to_owned(), value)
            }
            Change::GoalPrompt { goal, prompt, text } => in_goal(
                person,
                goal,
                fields::prompt(*prompt),
                Value::String(text.clone()),
            ),
            Change::AddStep { step, goal } => Effect {
                key: CellKey::new(person, Kind::Step, step, fields::GOAL),
                value: Value::String(goal.0.clone()),
                mode: EffectMode::Create,
            },
            Change::StepText { step, text } => {
                in_step(person, step, fields::TEXT, Value::String(text.clone()))
            }
            Change::StepOwner { step, owner } => in_step(person, step, fields::OWNER, json(owner)),
            Change::StepDue { step, due } => in_step(
                person,
                step,
                fields::DUE,
                due.clone().map_or(Value::Null, Value::String),
            ),
            Change::StepDone { step, done } => {
                in_step(person, step, fields::DONE, Value::Bool(*done))
            }
            Change::Share {
                part,
                carer,
                share,
                review_by,
            } => Effect {
                key: CellKey::new(
                    person,
                    Kind::Sharing,
                    &RecordId(part.as_str().to_owned()),
                    &carer.0,
                ),
                value: json(&Sharing {
                    share: *share,
                    review_by: review_by.clone(),
                }),
                mode: EffectMode::Set,
            },
            Change::AddPlanItem {
                item,
                section,
                text,
            } => Effect {
                key: CellKey::new(person, Kind::PlanItem, item, plan::fields::OPENED),
                value: json(&ItemOpened {
                    section: *section,
                    text: text.clone(),
                }),
                mode: EffectMode::Create,
            },
            Change::PlanItemText { item, text, .. } => {
                in_plan_item(person, item, plan::fields::TEXT, Value::String(text.clone()))
            }
            Change::RemovePlanItem { item, removed, .. } => {
                in_plan_item(person, item, plan::fields::REMOVED, Value::Bool(*removed))
            }
            Change::PlanSetting { setting } => in_plan(
                person,
                plan::fields::SETTING,
                Value::String(setting.as_str().to_owned()),
            ),
            Change::PlanReview { review_by } => in_plan(
                person,
                plan::fields::REVIEW_BY,
                review_by.clone().map_or(Value::Null, Value::String),
            ),
            Change::AgreePlan {
                signer,
                version,
                date,
            } => in_plan(
                person,
                &plan::fields::signature(*signer),
                json(&Signature {
                    version: *version,
                    date: date.clone(),
                }),
            ),
            Change::Capacity { lacks, reason } => in_plan(
                person,
                plan::fields::CAPACITY,
                json(&plan::Capacity { lacks: *lacks, reason: reason.clone() }),
            ),
        }
    }

    /// May this writer make this change? `required` is the record's `requires` cell, when the change has one.
    pub fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool {
        if !w.may_view {
            return false;
        }
        match self {
            // "About me" is written by the person and their key worker, together or apart.
            Change::AboutMe { .. } => {
                (w.is_self && w.role == Role::ServiceUser)
                    || w.relation == Some(Relation::KeyWorker)
            }
            // Anyone who may open the record may comment on it.
            Change::AddComment { .. } => true,
            // Only the person who wrote a comment may remove or restore it.
            Change::RemoveComment { .. } | Change::RestoreComment { .. } => {
                required.is_some_and(|cell| cell.by.user == w.user)
            }
            // A reading is done by the person and their care team; each view is recorded under its own rater, and
            // whoever holds the tablet is recorded as the one who entered it.
            Change::Rate { rater, .. } => match rater {
                Rater::Person | Rater::Agreed => w.is_person() || w.is_team_staff(),
                Rater::Staff => w.is_team_staff(),
                Rater::Carer => w.is_team_staff() || w.is_carer_sharing(SharedPart::Tracker),
            },
            // A carer who rates may also say why they see it differently.
            Change::DifferenceReason { .. } => {
                w.is_person() || w.is_team_staff() || w.is_carer_sharing(SharedPart::Tracker)
            }
            Change::StartReading { .. }
            | Change::ReadingPresent { .. }
            | Change::AreaNote { .. }
            | Change::MoreHelp { .. }
            | Change::AddGoal { .. }
            | Change::EditGoal { .. }
            | Change::GoalStatus { .. }
            | Change::GoalAreas { .. }
            | Change::GoalPrompt { .. }
            | Change::AddStep { .. }
            | Change::StepText { .. }
            | Change::StepOwner { .. }
            | Change::StepDue { .. }
            | Change::StepDone { .. } => w.is_person() || w.is_team_staff(),
            // The person decides what their carers see; while staff record that they cannot decide for now, their
            // care team may decide in their best interests.
            Change::Share { .. } => w.is_person() || (w.lacks_capacity && w.is_team_staff()),
            Change::Capacity { .. } => w.is_team_staff(),
            Change::AddPlanItem { section, .. } => may_add_to(*section, w),
            Change::PlanItemText { section, .. } | Change::RemovePlanItem { section, .. } => {
                may_edit_item(*section, w, required)
            }
            Change::PlanSetting { .. } | Change::PlanReview { .. } => {
                w.is_person() || w.is_team_staff()
            }
            // Each signs for themselves: the person, and the key worker named on their care team.
            Change::AgreePlan { signer, .. } => match signer {
                Signer::Person => w.is_person(),
                Signer::KeyWorker => {
                    w.role.is_staff() && w.relation == Some(Relation::KeyWorker)
                }
            },
        }
    }

    /// Who receives the data this change writes.
    pub fn audience(&self) -> Audience {
        match self {
            Change::AboutMe { .. }
            | Change::AddComment { .. }
            | Change::RemoveComment { .. }
            | Change::RestoreComment { .. }
            | Change::Share { .. }
            | Change::PlanSetting { .. }
            | Change::PlanReview { .. }
            | Change::AgreePlan { .. } => Audience::CareCircle,
            Change::AddPlanItem { section, .. }
            | Change::PlanItemText { section, .. }
            | Change::RemovePlanItem { section, .. } => section.audience(),
            Change::Capacity { .. } => Audience::NoCarers,
            Change::StartReading { .. }
            | Change::ReadingPresent { .. }
            | Change::Rate { .. }
            | Change::AreaNote { .. }
            | Change::DifferenceReason { .. }
            | Change::MoreHelp { .. }
            | Change::AddGoal { .. }
            | Change::EditGoal { .. }
            | Change::GoalStatus { .. }
            | Change::GoalAreas { .. }
            | Change::GoalPrompt { .. }
            | Change::AddStep { .. }
            | Change::StepText { .. }
            | Change::StepOwner { .. }
            | Change::StepDue { .. }
            | Change::StepDone { .. } => Audience::Shared(SharedPart::Tracker),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_changes_and_fields_are_refused_on_the_wire() {
        let ok: Change =
            serde_json::from_str(r#"{"type":"about_me","field":"my_hopes","text":"A garden"}"#)
                .unwrap();
        assert_eq!(
            ok,
            Change::AboutMe {
                field: AboutMeField::MyHopes,
                text: "A garden".into()
            }
        );
        let unknown =
            serde_json::from_str::<Change>(r#"{"type":"delete_everything"}"#).unwrap_err();
        assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
        assert!(
            serde_json::from_str::<Change>(r#"{"type":"about_me","field":"risk","text":"x"}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<Change>(
                r#"{"type":"about_me","field":"my_hopes","text":"x","extra":1}"#
            )
            .is_err()
        );
    }

    #[test]
    fn text_rules_are_checked() {
        let long = "a".repeat(MAX_PREFERRED_NAME_CHARS + 1);
        let e = Change::AboutMe {
            field: AboutMeField::PreferredName,
            text: long,
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            e,
            ChangeError::TooLong {
                field: "preferred_name",
                max: MAX_PREFERRED_NAME_CHARS
            }
        );
        assert!(
            Change::AboutMe {
                field: AboutMeField::MyHopes,
                text: String::new()
            }
            .validate()
            .is_ok()
        );
        assert!(
            Change::AboutMe {
                field: AboutMeField::MyHopes,
                text: "line\nline".into()
            }
            .validate()
            .is_ok()
        );
        assert!(
            Change::AboutMe {
                field: AboutMeField::MyHopes,
                text: "bell\u{7}".into()
            }
            .validate()
            .is_err()
        );
        let blank = Change::AddComment {
            comment: RecordId("c1".into()),
            text: "  ".into(),
        };
        assert_eq!(
            blank.validate().unwrap_err(),
            ChangeError::Empty { field: "comment" }
        );
        let bad_id = Change::AddComment {
            comment: RecordId("../x".into()),
            text: "hi".into(),
        };
        assert_eq!(bad_id.validate().unwrap_err(), ChangeError::BadRecordId);
    }

    fn writer(role: Role, is_self: bool, relation: Option<Relation>) -> WriterFacts {
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
    fn about_me_is_written_by_the_person_and_their_key_worker_only() {
        let c = Change::AboutMe {
            field: AboutMeField::MyStrengths,
            text: "Cooking".into(),
        };
        assert!(c.may_write(&writer(Role::ServiceUser, true, None), None));
        assert!(c.may_write(
            &writer(Role::KeyWorker, false, Some(Relation::KeyWorker)),
            None
        ));
        assert!(!c.may_write(&writer(Role::Staff, false, Some(Relation::Staff)), None));
        assert!(!c.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
        assert!(!c.may_write(&writer(Role::WardManager, false, None), None));
        let stranger = WriterFacts {
            may_view: false,
            ..writer(Role::KeyWorker, false, Some(Relation::KeyWorker))
        };
        assert!(!c.may_write(&stranger, None));
    }

    #[test]
    fn comments_are_open_to_the_care_circle_and_removed_only_by_their_writer() {
        let id = RecordId("c1".into());
        let add = Change::AddComment {
            comment: id.clone(),
            text: "Well done".into(),
        };
        assert!(add.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
        let cell = CellState {
            value: Value::String("Well done".into()),
            version: 3,
            by: super::super::Authorship {
                user: UserId("w".into()),
                name: "W".into(),
                at_ms: 0,
            },
            kept: vec![],
        };
        let remove = Change::RemoveComment { comment: id };
        assert!(remove.may_write(
            &writer(Role::Carer, false, Some(Relation::Carer)),
            Some(&cell)
        ));
        let other = WriterFacts {
            user: UserId("x".into()),
            ..writer(Role::KeyWorker, false, Some(Relation::KeyWorker))
        };
        assert!(!remove.may_write(&other, Some(&cell)));
        assert!(!remove.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
    }

    fn reading_cell(framework: &Framework) -> CellState {
        CellState {
            value: serde_json::to_value(ReadingOpened {
                framework: framework.id.clone(),
                version: framework.version,
                date: "2026-11-22".into(),
            })
            .unwrap(),
            version: 1,
            by: super::super::Authorship {
                user: UserId("w".into()),
                name: "W".into(),
                at_ms: 0,
            },
            kept: vec![],
        }
    }

    #[test]
    fn readings_are_checked_against_the_framework_version_they_started_with() {
        let ladder = crate::outcomes::built_in::waymark_ladder();
        let all = crate::outcomes::built_in::all();
        let r = RecordId("r1".into());
        let rate = |area: &str, value: u8| Change::Rate {
            reading: r.clone(),
            area: AreaId(area.into()),
            rater: Rater::Person,
            value: Some(value),
        };
        let opened = reading_cell(&ladder);
        assert_eq!(
            rate("mental_wellbeing", 10).check_with(Some(&opened), &all),
            Ok(())
        );
        assert_eq!(
            rate("mental_wellbeing", 11).check_with(Some(&opened), &all),
            Err(ChangeError::Framework(FrameworkError::OutOfScale {
                area: "mental_wellbeing".into(),
                value: 11,
                min: 1,
                max: 10
            }))
        );
        assert_eq!(
            rate("star_signs", 3).check_with(Some(&opened), &all),
            Err(ChangeError::Framework(FrameworkError::UnknownArea(
                "star_signs".into()
            )))
        );
        let start = |version: u32| Change::StartReading {
            reading: r.clone(),
            framework: ladder.id.clone(),
            version,
            date: "2026-11-22".into(),
        };
        assert_eq!(start(ladder.version).check_with(None, &all), Ok(()));
        assert!(matches!(
            start(99).check_with(None, &all),
            Err(ChangeError::UnknownFramework(_))
        ));
        let retired = Framework {
            retired: true,
            ..ladder.clone()
        };
        let newer = Framework {
            version: ladder.version + 1,
            ..ladder.clone()
        };
        let known = vec![retired.clone(), newer];
        assert_eq!(
            start(ladder.version).check_with(None, &known),
            Err(ChangeError::Framework(FrameworkError::Retired(
                ladder.version
            )))
        );
        assert_eq!(
            rate("mental_wellbeing", 4).check_with(Some(&reading_cell(&retired)), &known),
            Ok(()),
            "a reading under way may be finished"
        );
        let bad_date = Change::StartReading {
            reading: r.clone(),
            framework: ladder.id.clone(),
            version: 1,
            date: "2026-02-30".into(),
        };
        assert_eq!(
            bad_date.validate(),
            Err(ChangeError::BadDate { field: "date" })
        );
        let twice = Change::GoalAreas {
            goal: r.clone(),
            framework: ladder.id.clone(),
            areas: vec![AreaId("a".into()), AreaId("a".into())],
        };
        assert_eq!(
            twice.validate(),
            Err(ChangeError::BadList { field: "areas" })
        );
        let unknown = Change::GoalAreas {
            goal: r,
            framework: ladder.id.clone(),
            areas: vec![AreaId("star_signs".into())],
        };
        assert!(matches!(
            unknown.check_with(None, &all),
            Err(ChangeError::Framework(FrameworkError::UnknownArea(_)))
        ));
    }

    #[test]
    fn tracker_permissions_follow_the_care_team_and_what_the_person_shares() {
        let r = RecordId("r1".into());
        let rate = |rater| Change::Rate {
            reading: r.clone(),
            area: AreaId("a".into()),
            rater,
            value: Some(3),
        };
        let person = writer(Role::ServiceUser, true, None);
        let key_worker = writer(Role::KeyWorker, false, Some(Relation::KeyWorker));
        let staff = writer(Role::Staff, false, Some(Relation::Staff));
        let manager = writer(Role::WardManager, false, None);
        let carer = writer(Role::Carer, false, Some(Relation::Carer));
        let sharing_carer = WriterFacts {
            shared: vec![SharedPart::Tracker],
            ..carer.clone()
        };
        for rater in [Rater::Person, Rater::Agreed] {
            assert!(
                rate(rater).may_write(&person, None) && rate(rater).may_write(&key_worker, None)
            );
            assert!(!rate(rater).may_write(&sharing_carer, None));
        }
        assert!(
            !rate(Rater::Staff).may_write(&person, None),
            "a person cannot speak for staff"
        );
        assert!(rate(Rater::Staff).may_write(&staff, None));
        assert!(
            !rate(Rater::Staff).may_write(&manager, None),
            "ward managers read; the care team writes"
        );
        assert!(rate(Rater::Carer).may_write(&sharing_carer, None));
        assert!(
            !rate(Rater::Carer).may_write(&carer, None),
            "not without the person's consent"
        );
        let goal = Change::AddGoal {
            goal: r.clone(),
            text: "Swim".into(),
        };
        assert!(goal.may_write(&person, None) && goal.may_write(&key_worker, None));
        assert!(!goal.may_write(&sharing_carer, None) && !goal.may_write(&manager, None));
        let other_person = writer(Role::ServiceUser, false, None);
        assert!(!goal.may_write(
            &WriterFacts {
                may_view: false,
                ..other_person
            },
            None
        ));
        let share = Change::Share {
            part: SharedPart::Tracker,
            carer: UserId("c".into()),
            share: true,
            review_by: None,
        };
        assert!(share.may_write(&person, None));
        assert!(
            !share.may_write(&key_worker, None) && !share.may_write(&sharing_carer, None),
            "only the person decides"
        );
        assert_eq!(goal.audience(), Audience::Shared(SharedPart::Tracker));
        assert_eq!(share.audience(), Audience::CareCircle);
    }

    #[test]
    fn safety_plan_permissions_follow_sections_and_consent() {
        let person = writer(Role::ServiceUser, true, None);
        let key_worker = writer(Role::KeyWorker, false, Some(Relation::KeyWorker));
        let staff = writer(Role::Staff, false, Some(Relation::Staff));
        let carer = writer(Role::Carer, false, Some(Relation::Carer));
        let carer_sharing = WriterFacts {
            shared: vec![SharedPart::Plan(PlanSection::CarerCanDo)],
            ..carer.clone()
        };
        let item = RecordId("i1".into());
        let add = |section| Change::AddPlanItem { item: item.clone(), section, text: "Call me on Sundays".into() };
        let opened = |section, by: &str| CellState {
            value: json(&ItemOpened { section, text: "x".into() }),
            version: 1,
            by: crate::sync::Authorship { user: UserId(by.into()), name: by.into(), at_ms: 1 },
            kept: vec![],
        };
        let edit = |section| Change::PlanItemText { item: item.clone(), section, text: "Call me on Saturdays".into() };

        // The person and the team write the plan; only staff write (or receive) the staff-only notes.
        assert!(add(PlanSection::Triggers).may_write(&person, None));
        assert!(add(PlanSection::Triggers).may_write(&staff, None));
        assert!(!add(PlanSection::StaffOnly).may_write(&person, None));
        assert!(add(PlanSection::StaffOnly).may_write(&key_worker, None));
        assert_eq!(add(PlanSection::StaffOnly).audience(), Audience::StaffOnly);
        assert_eq!(
            add(PlanSection::Triggers).audience(),
            Audience::Shared(SharedPart::Plan(PlanSection::Triggers))
        );

        // A carer adds to "what my carer can do" only when it is shared with them, and nowhere else.
        assert!(!add(PlanSection::CarerCanDo).may_write(&carer, None));
        assert!(add(PlanSection::CarerCanDo).may_write(&carer_sharing, None));
        assert!(!add(PlanSection::Triggers).may_write(&carer_sharing, None));
        // They change only what they wrote.
        let theirs = opened(PlanSection::CarerCanDo, "w");
        let someone_elses = opened(PlanSection::CarerCanDo, "dylan");
        assert!(edit(PlanSection::CarerCanDo).may_write(&carer_sharing, Some(&theirs)));
        assert!(!edit(PlanSection::CarerCanDo).may_write(&carer_sharing, Some(&someone_elses)));
        assert!(edit(PlanSection::CarerCanDo).may_write(&person, Some(&theirs)));

        // An edit naming another section than the item's is refused (it would move data to another audience).
        let risk = opened(PlanSection::StaffOnly, "owen");
        assert!(!edit(PlanSection::Triggers).may_write(&key_worker, Some(&risk)));
        assert!(edit(PlanSection::StaffOnly).may_write(&key_worker, Some(&risk)));
        assert!(!edit(PlanSection::StaffOnly).may_write(&person, Some(&risk)));
        assert!(!edit(PlanSection::Triggers).may_write(&key_worker, None));

        // Each signs for themselves.
        let sign = |signer| Change::AgreePlan { signer, version: 1, date: "2026-11-27".into() };
        assert!(sign(Signer::Person).may_write(&person, None));
        assert!(!sign(Signer::Person).may_write(&key_worker, None));
        assert!(sign(Signer::KeyWorker).may_write(&key_worker, None));
        assert!(!sign(Signer::KeyWorker).may_write(&staff, None), "the key worker signs, not any staff");
        assert!(!sign(Signer::KeyWorker).may_write(&carer_sharing, None));
        // While staff record that the person cannot decide for now, the care team may set what carers see.
        let share = Change::Share { part: SharedPart::Plan(PlanSection::Triggers), carer: UserId("c".into()), share: true, review_by: None };
        assert!(share.may_write(&person, None) && !share.may_write(&key_worker, None));
        let kw_deciding = WriterFacts { lacks_capacity: true, ..key_worker.clone() };
        assert!(share.may_write(&kw_deciding, None));
        assert!(!share.may_write(&WriterFacts { lacks_capacity: true, ..carer_sharing.clone() }, None));
        let capacity = Change::Capacity { lacks: true, reason: "Very unwell this week; we will ask again on Monday".into() };
        assert!(capacity.may_write(&key_worker, None) && capacity.may_write(&staff, None));
        assert!(!capacity.may_write(&person, None) && !capacity.may_write(&carer_sharing, None));
        assert_eq!(capacity.audience(), Audience::NoCarers);
        assert!(Change::Capacity { lacks: true, reason: " ".into() }.validate().is_err(), "a reason is needed");
        assert!(Change::Capacity { lacks: false, reason: String::new() }.validate().is_ok());
        assert_eq!(
            Change::AgreePlan { signer: Signer::Person, version: 0, date: "2026-11-27".into() }.validate(),
            Err(ChangeError::BadVersion)
        );
        assert!(Change::AddPlanItem { item: item.clone(), section: PlanSection::Triggers, text: " ".into() }
            .validate()
            .is_err());
        let wire = serde_json::from_str::<Change>(
            r#"{"type":"add_plan_item","item":"i2","section":"i_can_do","text":"Listen to music"}"#,
        )
        .unwrap();
        assert!(matches!(wire, Change::AddPlanItem { section: PlanSection::ICanDo, .. }));
    }
}
