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

/// The sections of a safety plan, in the order the plan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanSection {
    /// What can set things off for me.
    Triggers,
    /// The first signs that I am becoming unwell.
    WarningSigns,
    /// How things can build up for me, step by step (relapse signature).
    Escalation,
    /// What I can do.
    ICanDo,
    /// What staff can do.
    StaffCanDo,
    /// What my carer or family can do.
    CarerCanDo,
    /// People and places that help.
    PeoplePlaces,
    /// What matters to me, and my reasons for hope.
    ReasonsForHope,
    /// Making my surroundings safer.
    SaferSurroundings,
    /// Who to contact and how (with what the setting adds: staff on the ward, crisis lines outside it).
    Contacts,
    /// Risk notes for staff only. Never sent to the person's or a carer's device.
    StaffOnly,
}

impl PlanSection {
    pub const ALL: [PlanSection; 11] = [
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
        PlanSection::StaffOnly,
    ];

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

    pub fn as_str(self) -> &'static str {
        match self {
            PlanSection::Triggers => "triggers",
            PlanSection::WarningSigns => "warning_signs",
            PlanSection::Escalation => "escalation",
            PlanSection::ICanDo => "i_can_do",
            PlanSection::StaffCanDo => "staff_can_do",
            PlanSection::CarerCanDo => "carer_can_do",
            PlanSection::PeoplePlaces => "people_places",
            PlanSection::ReasonsForHope => "reasons_for_hope",
            PlanSection::SaferSurroundings => "safer_surroundings",
            PlanSection::Contacts => "contacts",
            PlanSection::StaffOnly => "staff_only",
        }
    }

    pub fn parse(s: &str) -> Option<PlanSection> {
        PlanSection::ALL.into_iter().find(|p| p.as_str() == s)
    }

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

/// Where the person is living now: it decides what "who to contact" says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// On the ward: speak to staff, and the key worker is named.
    #[default]
    Ward,
    /// On leave from the ward: named contacts and crisis lines.
    Leave,
    /// After discharge: named contacts and crisis lines.
    Community,
}

impl Setting {
    pub const ALL: [Setting; 3] = [Setting::Ward, Setting::Leave, Setting::Community];

    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Ward => "ward",
            Setting::Leave => "leave",
            Setting::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|p| p.as_str() == s)
    }

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

/// Who signs that a version of the plan is agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    Person,
    KeyWorker,
}

impl Signer {
    pub const ALL: [Signer; 2] = [Signer::Person, Signer::KeyWorker];

    pub fn as_str(self) -> &'static str {
        match self {
            Signer::Person => "person",
            Signer::KeyWorker => "key_worker",
        }
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
