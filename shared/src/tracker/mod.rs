//! The recovery tracker's vocabulary: readings done together (who rated what, the agreed value, why views
//! differ), goals in the person's own words and the small steps towards them, and what the person shares with
//! their carers. The changes that write these are in [`change`]; [`view`] turns cells back into
//! readings and goals for the screens.

pub mod change;
pub mod view;

pub use crate::consent::{SharedPart, Sharing};
pub use change::TrackerChange;

use crate::outcomes::{AreaId, FrameworkId};
use serde::{Deserialize, Serialize};

/// Longest note on an area, reason for a difference, goal, step or prompt answer, in characters.
pub const MAX_TRACKER_TEXT_CHARS: usize = 2000;
/// Most areas a goal may be linked to.
pub const MAX_GOAL_AREAS: usize = 20;

named! {
    /// Whose view a value in a reading is.
    pub enum Rater {
        /// The service user's own view.
        Person = "person",
        /// The key worker's or another staff member's view.
        Staff = "staff",
        /// A carer's view (only where the person shares the tracker with them).
        Carer = "carer",
        /// The value everyone present settled on. The others stay recorded beside it.
        Agreed = "agreed",
    }
}

impl Rater {
    /// The raters who give their own view (not the agreed value).
    pub const VIEWS: [Rater; 3] = [Rater::Person, Rater::Staff, Rater::Carer];
}

named! {
    /// Who was there when a reading was done.
    pub enum Presence {
        Person = "person",
        KeyWorker = "key_worker",
        OtherStaff = "other_staff",
        Carer = "carer",
    }
}

named! {
    /// Where a goal stands. Each maps to a FHIR R4 `Goal.lifecycleStatus` (and, for the finished ones, an
    /// `achievementStatus`), so goals can be exchanged with other systems.
    #[derive(Default)]
    pub enum GoalStatus {
        /// Suggested, not yet taken up.
        #[default]
        Proposed = "proposed",
        Active = "active",
        OnHold = "on_hold",
        Achieved = "achieved",
        NotAchieved = "not_achieved",
    }
}

impl GoalStatus {
    /// FHIR R4 `Goal.lifecycleStatus` and `Goal.achievementStatus` codes.
    pub fn fhir(self) -> (&'static str, Option<&'static str>) {
        match self {
            GoalStatus::Proposed => ("proposed", None),
            GoalStatus::Active => ("active", Some("in-progress")),
            GoalStatus::OnHold => ("on-hold", None),
            GoalStatus::Achieved => ("completed", Some("achieved")),
            GoalStatus::NotAchieved => ("completed", Some("not-achieved")),
        }
    }

    /// Finished goals: their steps are no longer due.
    pub fn is_closed(self) -> bool {
        matches!(self, GoalStatus::Achieved | GoalStatus::NotAchieved)
    }
}

/// Who takes a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "who", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepOwner {
    /// The person themselves.
    Me,
    KeyWorker,
    Carer,
    /// Someone else, named.
    SomeoneElse {
        name: String,
    },
}

named! {
    /// The solution-focused questions a goal may carry.
    pub enum Prompt {
        GoingWell = "going_well",
        SmallStep = "small_step",
        WhoCouldHelp = "who_could_help",
    }
}

/// What a reading's first cell holds: the framework version it uses and its date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingOpened {
    pub framework: FrameworkId,
    pub version: u32,
    pub date: String,
}

/// What a reading's `finished` cell holds: finished or not (a draft again), and the areas it was finished without
/// an agreed value for (named on purpose, so a gap is never mistaken for a forgotten area).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    pub finished: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<AreaId>,
}

/// What a goal's `areas` cell holds: the areas of one framework the goal is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalAreas {
    pub framework: FrameworkId,
    pub areas: Vec<AreaId>,
}

/// The field names of tracker cells. Area ids are `[a-z0-9_]`, so `.` separates parts unambiguously.
pub mod fields {
    use super::{Prompt, Rater};
    use crate::outcomes::AreaId;

    /// A reading's first cell ([`super::ReadingOpened`]); every other cell of the reading requires it.
    pub const OPENED: &str = "opened";
    /// A reading is a draft until this says it is finished ([`super::Finished`]).
    pub const FINISHED: &str = "finished";
    /// A draft put aside (`true`) or brought back (`false`).
    pub const DISCARDED: &str = "discarded";
    pub const PRESENT: &str = "present";
    pub fn score(area: &AreaId, rater: Rater) -> String {
        format!("score.{}.{}", area.0, rater.as_str())
    }
    pub fn note(area: &AreaId) -> String {
        format!("note.{}", area.0)
    }
    pub fn reason(area: &AreaId) -> String {
        format!("reason.{}", area.0)
    }
    pub fn more_help(area: &AreaId) -> String {
        format!("help.{}", area.0)
    }
    /// A goal's words, and a step's.
    pub const TEXT: &str = "text";
    pub const STATUS: &str = "status";
    pub const AREAS: &str = "areas";
    pub fn prompt(p: Prompt) -> String {
        format!("prompt.{}", p.as_str())
    }
    /// A step's first cell: the goal it belongs to. Every other cell of the step requires it.
    pub const GOAL: &str = "goal";
    pub const OWNER: &str = "owner";
    pub const DUE: &str = "due";
    pub const DONE: &str = "done";
}

/// A calendar date, `YYYY-MM-DD`, as people say it (no time zone: a reading is "on the 3rd of March").
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| s.get(r).filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?.parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_dates() {
        for ok in ["2026-11-22", "2024-02-29", "2000-02-29", "1999-12-31"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "2026-02-29",
            "1900-02-29",
            "2026-11-31",
            "26-11-22",
            "2026/11/22",
            "2026-1-022",
            "",
            "２０２６-11-22",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn goal_statuses_map_to_fhir() {
        assert_eq!(GoalStatus::Achieved.fhir(), ("completed", Some("achieved")));
        assert_eq!(GoalStatus::OnHold.fhir(), ("on-hold", None));
        for s in GoalStatus::ALL {
            assert_eq!(GoalStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn step_owners_read_plainly_on_the_wire() {
        let o: StepOwner = serde_json::from_str(r#"{"who":"someone_else","name":"Gym instructor"}"#).unwrap();
        assert_eq!(o, StepOwner::SomeoneElse { name: "Gym instructor".into() });
        assert_eq!(serde_json::to_string(&StepOwner::Me).unwrap(), r#"{"who":"me"}"#);
    }
}
