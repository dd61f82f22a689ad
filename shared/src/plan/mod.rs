//! The personal safety plan's vocabulary: its sections (each a list of items, each recording who wrote it and
//! when), the setting it is written for, its review date, and its agreement by the person and their key worker.
//! The changes that write these are in [`change`]; [`view`] turns cells back into a plan.
//!
//! Every section but one may be shared with a carer, section by section, by the person. The staff-only section
//! (risk notes, victims) has the staff-only audience: the server never sends it to a service user's or a carer's
//! device.

pub mod change;
pub mod view;

pub use crate::consent::Capacity;
pub use change::PlanChange;

use crate::consent::SharedPart;
use crate::i18n::Msg;
use crate::sync::Audience;
use serde::{Deserialize, Serialize};

/// Longest item of a safety plan, in characters.
pub const MAX_PLAN_ITEM_CHARS: usize = 1000;

named! {
    /// The sections of a safety plan, in the order the plan reads.
    pub enum PlanSection {
        /// What can set things off for me.
        Triggers = "triggers",
        /// The first signs that I am becoming unwell.
        WarningSigns = "warning_signs",
        /// How things can build up for me, step by step (relapse signature).
        Escalation = "escalation",
        /// What I can do.
        ICanDo = "i_can_do",
        /// What staff can do.
        StaffCanDo = "staff_can_do",
        /// What my carer or family can do.
        CarerCanDo = "carer_can_do",
        /// People and places that help.
        PeoplePlaces = "people_places",
        /// What matters to me, and my reasons for hope.
        ReasonsForHope = "reasons_for_hope",
        /// Making my surroundings safer.
        SaferSurroundings = "safer_surroundings",
        /// Who to contact and how (with what the setting adds: staff on the ward, crisis lines outside it).
        Contacts = "contacts",
        /// Risk notes for staff only. Never sent to the person's or a carer's device.
        StaffOnly = "staff_only",
    }
}

impl PlanSection {
    /// The sections the person may share with a carer (all but the staff-only one).
    pub const SHAREABLE: [PlanSection; 10] = [
        PlanSection::Triggers,
        PlanSection::WarningSigns,
        PlanSection::Escalation,
        PlanSection::ICanDo,
        PlanSection::StaffCanDo,
        PlanSection::CarerCanDo,
        PlanSection::PeoplePlaces,
        PlanSection::ReasonsForHope,
        PlanSection::SaferSurroundings,
        PlanSection::Contacts,
    ];

    pub fn is_staff_only(self) -> bool {
        self == PlanSection::StaffOnly
    }

    /// The section's title in the plan's own words.
    pub fn title(self) -> Msg {
        match self {
            PlanSection::Triggers => Msg::PlanSecTriggers,
            PlanSection::WarningSigns => Msg::PlanSecWarningSigns,
            PlanSection::Escalation => Msg::PlanSecEscalation,
            PlanSection::ICanDo => Msg::PlanSecICanDo,
            PlanSection::StaffCanDo => Msg::PlanSecStaffCanDo,
            PlanSection::CarerCanDo => Msg::PlanSecCarerCanDo,
            PlanSection::PeoplePlaces => Msg::PlanSecPeoplePlaces,
            PlanSection::ReasonsForHope => Msg::PlanSecReasonsForHope,
            PlanSection::SaferSurroundings => Msg::PlanSecSaferSurroundings,
            PlanSection::Contacts => Msg::PlanSecContacts,
            PlanSection::StaffOnly => Msg::PlanSecStaffOnly,
        }
    }

    /// The section's title in easy-read words.
    pub fn easy_title(self) -> Msg {
        match self {
            PlanSection::Triggers => Msg::PlanEasyTriggers,
            PlanSection::WarningSigns => Msg::PlanEasyWarningSigns,
            PlanSection::Escalation => Msg::PlanEasyEscalation,
            PlanSection::ICanDo => Msg::PlanEasyICanDo,
            PlanSection::StaffCanDo => Msg::PlanEasyStaffCanDo,
            PlanSection::CarerCanDo => Msg::PlanEasyCarerCanDo,
            PlanSection::PeoplePlaces => Msg::PlanEasyPeoplePlaces,
            PlanSection::ReasonsForHope => Msg::PlanEasyReasonsForHope,
            PlanSection::SaferSurroundings => Msg::PlanEasySaferSurroundings,
            PlanSection::Contacts => Msg::PlanEasyContacts,
            PlanSection::StaffOnly => Msg::PlanSecStaffOnly,
        }
    }

    /// Who receives this section's items.
    pub fn audience(self) -> Audience {
        if self.is_staff_only() { Audience::StaffOnly } else { Audience::Shared(SharedPart::Plan(self)) }
    }
}

named! {
    /// Where the person is living now: it decides what "who to contact" says.
    #[derive(Default)]
    pub enum Setting {
        /// On the ward: speak to staff, and the key worker is named.
        #[default]
        Ward = "ward",
        /// On leave from the ward: named contacts and crisis lines.
        Leave = "leave",
        /// After discharge: named contacts and crisis lines.
        Community = "community",
    }
}

impl Setting {
    /// Away from the ward, the plan lists crisis lines as well as named contacts.
    pub fn away_from_ward(self) -> bool {
        self != Setting::Ward
    }
}

/// A crisis line shown in "who to contact" away from the ward. Numbers are public services', not people's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrisisLine {
    pub name: &'static str,
    pub number: &'static str,
}

/// Lines that answer day and night in Wales and England.
pub const CRISIS_LINES: [CrisisLine; 3] = [
    CrisisLine { name: "Samaritans", number: "116 123" },
    CrisisLine { name: "C.A.L.L. (Community Advice and Listening Line)", number: "0800 132 737" },
    CrisisLine { name: "NHS 111 Wales", number: "111" },
];

named! {
    /// Who signs that a version of the plan is agreed.
    pub enum Signer {
        Person = "person",
        KeyWorker = "key_worker",
    }
}

/// What an item's first cell holds: the section it belongs to (fixed) and its first words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOpened {
    pub section: PlanSection,
    pub text: String,
}

/// One signature: "I agree to version `version` of my plan", on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub version: u32,
    pub date: String,
}

/// The field names of plan cells.
pub mod fields {
    use super::Signer;

    /// An item's first cell ([`super::ItemOpened`]); every other cell of the item requires it.
    pub const OPENED: &str = "opened";
    /// An item's words, after it was first written.
    pub const TEXT: &str = "text";
    /// An item taken out of the plan (`true`) or put back (`false`).
    pub const REMOVED: &str = "removed";
    /// The plan's setting ([`super::Setting`]).
    pub const SETTING: &str = "setting";
    /// The date by which the plan should be looked at again.
    pub const REVIEW_BY: &str = "review_by";
    /// [`super::Capacity`] (written by the consent domain).
    pub const CAPACITY: &str = crate::consent::CAPACITY_FIELD;
    pub fn signature(s: Signer) -> String {
        format!("agreed.{}", s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_names_round_trip_and_only_the_risk_notes_are_staff_only() {
        for s in PlanSection::ALL {
            assert_eq!(PlanSection::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::Value::String(s.as_str().into()));
        }
        assert!(PlanSection::StaffOnly.is_staff_only());
        assert_eq!(PlanSection::StaffOnly.audience(), Audience::StaffOnly);
        assert!(!PlanSection::SHAREABLE.contains(&PlanSection::StaffOnly));
        assert_eq!(PlanSection::SHAREABLE.len() + 1, PlanSection::ALL.len());
        for s in PlanSection::SHAREABLE {
            assert_eq!(s.audience(), Audience::Shared(SharedPart::Plan(s)));
        }
    }
}
