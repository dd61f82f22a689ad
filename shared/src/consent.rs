//! Consent: what the person shares with each carer (part by part, with a date to look at it again), whether they
//! can decide that for now (capacity), and the one place that answers "may this person do this on this record?"
//!
//! The facts about a writer ([`WriterFacts`]) are built here, from the writer's standing towards the person (their
//! role and care-team link, supplied by the server's store or the app's session) and the consent cells of the
//! person's record ([`WriterFacts::build`]); the server and the app both call it. Every domain asks [`may`].

use crate::i18n::Msg;
use crate::people::{Relation, Role, UserId};
use crate::plan::{PlanSection, Signer};
use crate::sync::change::{Audience, CellLookup, ChangeError, DomainChange, Effect, EffectMode};
use crate::sync::{CellKey, CellState, Kind, RecordId, check};
use crate::tracker::Rater;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest reason recorded with a capacity decision, in characters.
pub const MAX_CAPACITY_REASON_CHARS: usize = 1000;

/// A part of the record the person decides to share with a carer, or not. On the wire and in record ids it is a
/// plain string: `"tracker"`, or `"plan_"` and a safety plan section (`"plan_triggers"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SharedPart {
    /// The person's "About me".
    AboutMe,
    /// The comments written "with the people I share comments with".
    Comments,
    /// Readings, the chart, goals and steps.
    Tracker,
    /// One section of the safety plan (never the staff-only one).
    Plan(PlanSection),
}

impl SharedPart {
    pub const ALL: [SharedPart; 13] = [
        SharedPart::AboutMe,
        SharedPart::Comments,
        SharedPart::Tracker,
        SharedPart::Plan(PlanSection::Triggers),
        SharedPart::Plan(PlanSection::WarningSigns),
        SharedPart::Plan(PlanSection::Escalation),
        SharedPart::Plan(PlanSection::ICanDo),
        SharedPart::Plan(PlanSection::StaffCanDo),
        SharedPart::Plan(PlanSection::CarerCanDo),
        SharedPart::Plan(PlanSection::PeoplePlaces),
        SharedPart::Plan(PlanSection::ReasonsForHope),
        SharedPart::Plan(PlanSection::SaferSurroundings),
        SharedPart::Plan(PlanSection::Contacts),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SharedPart::AboutMe => "about_me",
            SharedPart::Comments => "comments",
            SharedPart::Tracker => "tracker",
            SharedPart::Plan(s) => match s {
                PlanSection::Triggers => "plan_triggers",
                PlanSection::WarningSigns => "plan_warning_signs",
                PlanSection::Escalation => "plan_escalation",
                PlanSection::ICanDo => "plan_i_can_do",
                PlanSection::StaffCanDo => "plan_staff_can_do",
                PlanSection::CarerCanDo => "plan_carer_can_do",
                PlanSection::PeoplePlaces => "plan_people_places",
                PlanSection::ReasonsForHope => "plan_reasons_for_hope",
                PlanSection::SaferSurroundings => "plan_safer_surroundings",
                PlanSection::Contacts => "plan_contacts",
                // Not in ALL, so never parsed; named for completeness.
                PlanSection::StaffOnly => "plan_staff_only",
            },
        }
    }

    /// The audience its data is stored under: `"shared_"` and the part.
    pub fn audience_str(self) -> &'static str {
        match self {
            SharedPart::AboutMe => "shared_about_me",
            SharedPart::Comments => "shared_comments",
            SharedPart::Tracker => "shared_tracker",
            SharedPart::Plan(s) => match s {
                PlanSection::Triggers => "shared_plan_triggers",
                PlanSection::WarningSigns => "shared_plan_warning_signs",
                PlanSection::Escalation => "shared_plan_escalation",
                PlanSection::ICanDo => "shared_plan_i_can_do",
                PlanSection::StaffCanDo => "shared_plan_staff_can_do",
                PlanSection::CarerCanDo => "shared_plan_carer_can_do",
                PlanSection::PeoplePlaces => "shared_plan_people_places",
                PlanSection::ReasonsForHope => "shared_plan_reasons_for_hope",
                PlanSection::SaferSurroundings => "shared_plan_safer_surroundings",
                PlanSection::Contacts => "shared_plan_contacts",
                PlanSection::StaffOnly => "staff_only",
            },
        }
    }

    pub fn parse(s: &str) -> Option<SharedPart> {
        SharedPart::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl Serialize for SharedPart {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedPart {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SharedPart, D::Error> {
        let s = String::deserialize(d)?;
        SharedPart::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown shared part {s:?}")))
    }
}

/// What a carer-sharing cell holds: shared or not, and when the person wants to think about it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    pub share: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
}

/// What staff recorded about the person's capacity to decide what their carers see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    pub lacks: bool,
    #[serde(default)]
    pub reason: String,
}

/// The field of the plan record holding [`Capacity`].
pub const CAPACITY_FIELD: &str = "capacity";

/// The cell saying whether `part` is shared with `carer`.
pub fn sharing_key(person: &UserId, part: SharedPart, carer: &UserId) -> CellKey {
    CellKey::new(person, Kind::Sharing, &RecordId(part.as_str().to_owned()), &carer.0)
}

/// The cell holding [`Capacity`] (kept on the plan record, where it was first written).
pub fn capacity_key(person: &UserId) -> CellKey {
    CellKey::new(person, Kind::Plan, &RecordId::single(), CAPACITY_FIELD)
}

/// A sharing cell read back: which part, which carer, and what the person chose. `None` for a cell that is not
/// one, or does not parse (from a newer app, say).
pub fn sharing_cell(key: &CellKey, value: &Value) -> Option<((SharedPart, UserId), Sharing)> {
    (key.kind == Kind::Sharing).then_some(())?;
    let part = SharedPart::parse(&key.record.0)?;
    let s = serde_json::from_value::<Sharing>(value.clone()).ok()?;
    Some(((part, UserId(key.field.clone())), s))
}

/// A writer's standing towards one person, from the care team (not from the record): who they are, and how they
/// are linked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub user: UserId,
    pub role: Role,
    /// The writer is the person the record belongs to.
    pub is_self: bool,
    /// The writer's place in the person's care team.
    pub relation: Option<Relation>,
    /// The writer may open the person's record at all ([`crate::access::may_view_person`]).
    pub may_view: bool,
}

/// The facts about a writer and the person whose record they are changing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterFacts {
    pub user: UserId,
    pub role: Role,
    pub is_self: bool,
    pub relation: Option<Relation>,
    pub may_view: bool,
    /// The parts of the record the person shares with this writer (for a carer).
    pub shared: Vec<SharedPart>,
    /// Staff recorded that the person cannot decide, for now, what their carers see: the care team decides in
    /// their best interests meanwhile.
    pub lacks_capacity: bool,
}

impl WriterFacts {
    /// The cells of `person`'s record that [`WriterFacts::build`] reads for `writer`.
    pub fn keys(person: &UserId, writer: &UserId) -> Vec<CellKey> {
        let mut keys: Vec<CellKey> = SharedPart::ALL.into_iter().map(|p| sharing_key(person, p, writer)).collect();
        keys.push(capacity_key(person));
        keys
    }

    /// The one builder of writer facts: the standing, and what the person's record says about consent. `cells`
    /// reads a cell's value (the server's stored cells, or what a device shows).
    pub fn build(standing: Standing, person: &UserId, cells: CellLookup<'_>) -> WriterFacts {
        // A carer or peer support worker: what the person shares with them.
        let shared = if standing.role.is_supporter() {
            SharedPart::ALL
                .into_iter()
                .filter(|p| {
                    cells(&sharing_key(person, *p, &standing.user))
                        .and_then(|v| serde_json::from_value::<Sharing>(v).ok())
                        .is_some_and(|s| s.share)
                })
                .collect()
        } else {
            vec![]
        };
        let lacks_capacity = standing.role.is_staff()
            && cells(&capacity_key(person))
                .and_then(|v| serde_json::from_value::<Capacity>(v).ok())
                .is_some_and(|c| c.lacks);
        WriterFacts {
            user: standing.user,
            role: standing.role,
            is_self: standing.is_self,
            relation: standing.relation,
            may_view: standing.may_view,
            shared,
            lacks_capacity,
        }
    }

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
        self.role == Role::Carer && self.relation == Some(Relation::Carer) && self.shared.contains(&part)
    }

    /// A peer support worker the person shares `part` with.
    pub fn is_peer_support_sharing(&self, part: SharedPart) -> bool {
        self.role == Role::PeerSupport && self.relation == Some(Relation::PeerSupport) && self.shared.contains(&part)
    }

    /// A carer or peer support worker the person shares `part` with.
    pub fn is_supporter_sharing(&self, part: SharedPart) -> bool {
        self.is_carer_sharing(part) || self.is_peer_support_sharing(part)
    }
}

/// What a viewer's devices receive of one person's record: every audience but staff-only for the person and their
/// care team (staff-only too for staff); for a carer or a peer support worker, only the parts the person shares with
/// them and what the person decided about sharing with them. The server's pull and the simulated-network tests both
/// ask this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// Staff-only data reaches this viewer.
    pub staff: bool,
    /// For a carer or a peer support worker: who they are, what is shared with them, and the person's other carers
    /// (whose names they are never shown). `None` for the person themselves and staff.
    pub carer: Option<CarerReach>,
}

/// What reaches a carer or a peer support worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarerReach {
    pub user: UserId,
    pub parts: Vec<SharedPart>,
    pub other_carers: Vec<UserId>,
}

impl Reach {
    /// What reaches the writer of `facts` (a carer's other carers are not known here: see [`Reach::hiding`]).
    pub fn of(facts: &WriterFacts) -> Reach {
        let carer = facts.role.is_supporter().then(|| CarerReach {
            user: facts.user.clone(),
            parts: facts.shared.clone(),
            other_carers: vec![],
        });
        Reach { staff: facts.role.is_staff(), carer }
    }

    /// The same, with the names of these other carers withheld.
    pub fn hiding(mut self, other_carers: Vec<UserId>) -> Reach {
        if let Some(c) = &mut self.carer {
            c.other_carers = other_carers;
        }
        self
    }

    /// The parts shared with this viewer, for a carer or peer support worker (empty for everyone else).
    pub fn carer_parts(&self) -> &[SharedPart] {
        self.carer.as_ref().map_or(&[], |c| &c.parts)
    }

    /// Does a cell with this audience reach the viewer?
    pub fn receives(&self, audience: &Audience) -> bool {
        match (audience, &self.carer) {
            (Audience::StaffOnly, _) => self.staff,
            (_, None) => true,
            (Audience::CareTeam, Some(_)) => false,
            (Audience::Shared(part), Some(c)) => c.parts.contains(part),
            (Audience::TeamAndCarer(user), Some(c)) => *user == c.user,
        }
    }

    /// A cell as it reaches the viewer. Nobody receives the device a kept value came from; a carer or peer support
    /// worker receives only the current value (never drafts kept aside while people settle them), and a carer's name
    /// (other than their own) never.
    pub fn shown(&self, cell: &CellState) -> CellState {
        let mut cell = cell.clone();
        for k in &mut cell.kept {
            k.device = None;
        }
        if let Some(c) = &self.carer {
            cell.kept.clear();
            let other_carer =
                cell.by.user != c.user && (cell.by.role == Some(Role::Carer) || c.other_carers.contains(&cell.by.user));
            if other_carer {
                cell.by.user = UserId(String::new());
                cell.by.name = String::new();
                cell.by.role = Some(Role::Carer);
            }
        }
        cell
    }
}

/// Something someone may or may not do on a person's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// Write the person's "About me".
    WriteAboutMe,
    /// Add a comment: for the care team only, or also for the people comments are shared with (`shared`).
    Comment { shared: bool },
    /// Change (remove, restore) something one wrote oneself, written by `author`.
    ChangeOwn { author: &'a UserId },
    /// Give one rater's value in a reading.
    Rate(Rater),
    /// Say why views in a reading differ.
    GiveReason,
    /// Start a reading or fill in its details, finish it; write goals and steps.
    WriteTracker,
    /// Put aside (or bring back) a draft reading started by `started_by`.
    DiscardReading { started_by: &'a UserId },
    /// Add an item to a section of the safety plan.
    AddToPlan(PlanSection),
    /// Change or take out an item of the plan, written by `author`.
    EditPlanItem { section: PlanSection, author: &'a UserId },
    /// Say where the person is now (on the ward, on leave, in the community).
    SetSetting,
    /// Set the date to look at the plan again: `later` than the date set now (or none), or earlier.
    SetReview { later: bool },
    /// Sign a version of the plan as `Signer`.
    SignPlan(Signer),
    /// Decide what a carer sees.
    Share,
    /// Record whether the person can decide what carers see.
    RecordCapacity,
}

/// May this writer do this on the record? The rules of who does what, in one place.
pub fn may(w: &WriterFacts, action: Action<'_>) -> bool {
    if !w.may_view {
        return false;
    }
    let person_or_team = w.is_person() || w.is_team_staff();
    match action {
        // "About me" is written by the person and their key worker, together or apart.
        Action::WriteAboutMe => w.is_person() || w.relation == Some(Relation::KeyWorker),
        // Anyone who may open the record may comment on it; a carer or peer support worker only where comments are
        // shared with them, and then for everyone comments are shared with (a comment for the care team alone would
        // not reach them).
        Action::Comment { shared } => {
            if w.role.is_supporter() {
                shared && w.is_supporter_sharing(SharedPart::Comments)
            } else {
                true
            }
        }
        Action::ChangeOwn { author } => *author == w.user,
        // A reading is done by the person and their care team; each view is recorded under its own rater, and
        // whoever holds the tablet is recorded as the one who entered it.
        Action::Rate(rater) => match rater {
            Rater::Person | Rater::Agreed => person_or_team,
            Rater::Staff => w.is_team_staff(),
            Rater::Carer => w.is_team_staff() || w.is_carer_sharing(SharedPart::Tracker),
        },
        // A carer who rates may also say why they see it differently.
        Action::GiveReason => person_or_team || w.is_carer_sharing(SharedPart::Tracker),
        Action::WriteTracker => person_or_team,
        Action::DiscardReading { started_by } => w.is_team_staff() || (person_or_team && *started_by == w.user),
        // Governance: only the care team moves a review later (or takes the date away) or changes the setting;
        // the person may always ask for an earlier review.
        Action::SetSetting | Action::SetReview { later: true } => w.is_team_staff(),
        Action::SetReview { later: false } => person_or_team,
        // The person and the team write the plan; only staff write the staff-only notes; a carer the section is
        // shared with adds what they can do; a peer support worker it is shared with adds to the people and places
        // that help.
        Action::AddToPlan(section) => match section {
            PlanSection::StaffOnly => w.is_team_staff(),
            PlanSection::CarerCanDo => person_or_team || w.is_carer_sharing(SharedPart::Plan(section)),
            PlanSection::PeoplePlaces => person_or_team || w.is_peer_support_sharing(SharedPart::Plan(section)),
            _ => person_or_team,
        },
        // A carer or peer support worker changes only what they wrote themselves.
        Action::EditPlanItem { section, author } => match section {
            PlanSection::StaffOnly => w.is_team_staff(),
            _ if w.role.is_supporter() => may(w, Action::AddToPlan(section)) && *author == w.user,
            _ => person_or_team,
        },
        // Each signs for themselves: the person, and the key worker named on their care team.
        Action::SignPlan(Signer::Person) => w.is_person(),
        Action::SignPlan(Signer::KeyWorker) => w.role.is_staff() && w.relation == Some(Relation::KeyWorker),
        // The person decides what their carers see; while staff record that they cannot decide for now, their
        // care team may decide in their best interests.
        Action::Share => w.is_person() || (w.lacks_capacity && w.is_team_staff()),
        Action::RecordCapacity => w.is_team_staff(),
    }
}

/// The changes to consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum ConsentChange {
    /// The person shares a part of their record with one carer, or stops sharing it.
    Share { part: SharedPart, carer: UserId, share: bool, review_by: Option<String> },
    /// Staff record whether the person can, for now, decide what their carers see, and why not.
    Capacity { lacks: bool, reason: String },
}

impl DomainChange for ConsentChange {
    const TYPES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    fn validate(&self) -> Result<(), ChangeError> {
        match self {
            ConsentChange::Share { carer, review_by, .. } => {
                if carer.0.is_empty() || carer.0.len() > 64 || carer.0.chars().any(char::is_control) {
                    return Err(ChangeError::BadRecordId);
                }
                check::maybe_date("review date", review_by.as_deref())
            }
            ConsentChange::Capacity { lacks, reason } => {
                check::text("reason", reason, MAX_CAPACITY_REASON_CHARS, *lacks)
            }
        }
    }

    fn effect(&self, person: &UserId) -> Effect {
        match self {
            // A withdrawal applies at once, whatever its writer had seen; a grant made on a stale view waits for
            // people to settle it.
            ConsentChange::Share { part, carer, share, review_by } => Effect {
                key: sharing_key(person, *part, carer),
                value: check::json(&Sharing { share: *share, review_by: review_by.clone() }),
                mode: if *share { EffectMode::Set } else { EffectMode::Narrow },
            },
            // So does a record that the person cannot decide for now (it lets the team decide, and never widens
            // what carers receive by itself).
            ConsentChange::Capacity { lacks, reason } => Effect {
                key: capacity_key(person),
                value: check::json(&Capacity { lacks: *lacks, reason: reason.clone() }),
                mode: if *lacks { EffectMode::Narrow } else { EffectMode::Set },
            },
        }
    }

    fn may_write(&self, w: &WriterFacts, _required: Option<&CellState>) -> bool {
        match self {
            ConsentChange::Share { .. } => may(w, Action::Share),
            ConsentChange::Capacity { .. } => may(w, Action::RecordCapacity),
        }
    }

    fn audience(&self) -> Audience {
        match self {
            // A carer receives what the person decided about sharing with them, never about anyone else.
            ConsentChange::Share { carer, .. } => Audience::TeamAndCarer(carer.clone()),
            ConsentChange::Capacity { .. } => Audience::CareTeam,
        }
    }

    fn decode(key: &CellKey, value: &Value, _cells: CellLookup<'_>) -> Option<Self> {
        if key.kind == Kind::Plan && key.field == CAPACITY_FIELD {
            let c: Capacity = serde_json::from_value(value.clone()).ok()?;
            return Some(ConsentChange::Capacity { lacks: c.lacks, reason: c.reason });
        }
        let ((part, carer), s) = sharing_cell(key, value)?;
        Some(ConsentChange::Share { part, carer, share: s.share, review_by: s.review_by })
    }

    fn label(&self) -> Msg {
        Msg::AttentionSharing
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sync::Change;

    pub(crate) fn writer(role: Role, is_self: bool, relation: Option<Relation>) -> WriterFacts {
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
    fn shared_parts_are_plain_strings_and_the_staff_only_section_is_not_one() {
        for p in SharedPart::ALL {
            let wire = serde_json::to_string(&p).unwrap();
            assert_eq!(wire, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<SharedPart>(&wire).unwrap(), p);
            assert_eq!(p.audience_str(), format!("shared_{}", p.as_str()));
        }
        assert!(serde_json::from_str::<SharedPart>("\"plan_staff_only\"").is_err());
        assert!(serde_json::from_str::<SharedPart>("\"everything\"").is_err());
    }

    #[test]
    fn facts_are_built_from_the_consent_cells() {
        let person = UserId("p".into());
        let carer = UserId("c".into());
        let mut cells = std::collections::BTreeMap::new();
        let grant =
            ConsentChange::Share { part: SharedPart::Tracker, carer: carer.clone(), share: true, review_by: None };
        let e = grant.effect(&person);
        cells.insert(e.key, e.value);
        let other = ConsentChange::Share {
            part: SharedPart::Plan(PlanSection::Triggers),
            carer: UserId("someone-else".into()),
            share: true,
            review_by: None,
        };
        let e = other.effect(&person);
        cells.insert(e.key, e.value);
        let lookup = |k: &CellKey| cells.get(k).cloned();
        let standing = |user: &str, role, relation| Standing {
            user: UserId(user.into()),
            role,
            is_self: false,
            relation,
            may_view: true,
        };
        let f = WriterFacts::build(standing("c", Role::Carer, Some(Relation::Carer)), &person, &lookup);
        assert_eq!(f.shared, vec![SharedPart::Tracker], "only what is shared with this carer");
        assert!(!f.lacks_capacity);
        let kw = standing("kw", Role::KeyWorker, Some(Relation::KeyWorker));
        assert!(!WriterFacts::build(kw.clone(), &person, &lookup).lacks_capacity);
        let e = ConsentChange::Capacity { lacks: true, reason: "Unwell this week".into() }.effect(&person);
        cells.insert(e.key, e.value);
        let lookup = |k: &CellKey| cells.get(k).cloned();
        assert!(WriterFacts::build(kw, &person, &lookup).lacks_capacity);
        for k in WriterFacts::keys(&person, &carer) {
            assert!(k.kind == Kind::Sharing || k == capacity_key(&person));
        }
    }

    #[test]
    fn sharing_is_decided_by_the_person_or_in_their_best_interests() {
        let person = writer(Role::ServiceUser, true, None);
        let key_worker = writer(Role::KeyWorker, false, Some(Relation::KeyWorker));
        let staff = writer(Role::Staff, false, Some(Relation::Staff));
        let carer = WriterFacts {
            shared: vec![SharedPart::Plan(PlanSection::CarerCanDo)],
            ..writer(Role::Carer, false, Some(Relation::Carer))
        };
        let share = Change::from(ConsentChange::Share {
            part: SharedPart::Plan(PlanSection::Triggers),
            carer: UserId("c".into()),
            share: true,
            review_by: None,
        });
        assert!(share.may_write(&person, None) && !share.may_write(&key_worker, None));
        let kw_deciding = WriterFacts { lacks_capacity: true, ..key_worker.clone() };
        assert!(share.may_write(&kw_deciding, None));
        assert!(!share.may_write(&WriterFacts { lacks_capacity: true, ..carer.clone() }, None));
        let capacity = Change::from(ConsentChange::Capacity {
            lacks: true,
            reason: "Very unwell this week; we will ask again on Monday".into(),
        });
        assert!(capacity.may_write(&key_worker, None) && capacity.may_write(&staff, None));
        assert!(!capacity.may_write(&person, None) && !capacity.may_write(&carer, None));
        assert_eq!(capacity.audience(), Audience::CareTeam);
        assert!(ConsentChange::Capacity { lacks: true, reason: " ".into() }.validate().is_err(), "a reason is needed");
        assert!(ConsentChange::Capacity { lacks: false, reason: String::new() }.validate().is_ok());
    }

    #[test]
    fn a_peer_support_worker_is_a_supporter_like_a_carer() {
        use crate::sync::{Authorship, CellState};
        let person = UserId("p".into());
        let psw_id = UserId("psw".into());
        let mut cells = std::collections::BTreeMap::new();
        for part in [SharedPart::Comments, SharedPart::Plan(PlanSection::PeoplePlaces), SharedPart::Tracker] {
            let e = ConsentChange::Share { part, carer: psw_id.clone(), share: true, review_by: None }.effect(&person);
            cells.insert(e.key, e.value);
        }
        let lookup = |k: &CellKey| cells.get(k).cloned();
        let standing = Standing {
            user: psw_id.clone(),
            role: Role::PeerSupport,
            is_self: false,
            relation: Some(Relation::PeerSupport),
            may_view: true,
        };
        let psw = WriterFacts::build(standing, &person, &lookup);
        assert_eq!(psw.shared.len(), 3, "what the person shares with them");
        assert!(may(&psw, Action::Comment { shared: true }) && !may(&psw, Action::Comment { shared: false }));
        assert!(may(&psw, Action::AddToPlan(PlanSection::PeoplePlaces)));
        assert!(
            !may(&psw, Action::AddToPlan(PlanSection::CarerCanDo)),
            "what my carer or family can do is the carer's"
        );
        assert!(!may(&psw, Action::AddToPlan(PlanSection::Triggers)));
        assert!(may(&psw, Action::EditPlanItem { section: PlanSection::PeoplePlaces, author: &psw_id }));
        assert!(!may(&psw, Action::EditPlanItem { section: PlanSection::PeoplePlaces, author: &UserId("kw".into()) }));
        assert!(!may(&psw, Action::Rate(Rater::Carer)), "they do not rate as a carer");
        assert!(!may(&psw, Action::Share) && !may(&psw, Action::WriteAboutMe));
        // Without sharing, nothing.
        let bare = WriterFacts { shared: vec![], ..psw.clone() };
        assert!(
            !may(&bare, Action::Comment { shared: true }) && !may(&bare, Action::AddToPlan(PlanSection::PeoplePlaces))
        );
        // What reaches them: only what is shared, never staff-only data, never a carer's name.
        let reach = Reach::of(&psw).hiding(vec![UserId("gareth".into())]);
        assert!(!reach.staff);
        assert!(reach.receives(&Audience::Shared(SharedPart::Comments)));
        assert!(!reach.receives(&Audience::Shared(SharedPart::AboutMe)));
        assert!(!reach.receives(&Audience::CareTeam) && !reach.receives(&Audience::StaffOnly));
        assert!(reach.receives(&Audience::TeamAndCarer(psw_id.clone())));
        assert!(!reach.receives(&Audience::TeamAndCarer(UserId("gareth".into()))));
        let by_carer = CellState {
            value: Value::Null,
            version: 3,
            by: Authorship {
                user: UserId("gareth".into()),
                name: "Gareth Evans".into(),
                at_ms: 1,
                role: Some(Role::Carer),
            },
            kept: vec![],
        };
        let shown = reach.shown(&by_carer);
        assert!(shown.by.name.is_empty() && shown.by.user.0.is_empty(), "a carer's name never reaches them");
    }

    #[test]
    fn consent_cells_decode_to_the_change_that_writes_them() {
        let p = UserId("p".into());
        for c in [
            ConsentChange::Share {
                part: SharedPart::Tracker,
                carer: UserId("c".into()),
                share: false,
                review_by: Some("2027-01-01".into()),
            },
            ConsentChange::Capacity { lacks: true, reason: "Unwell".into() },
        ] {
            let e = c.effect(&p);
            assert_eq!(ConsentChange::decode(&e.key, &e.value, &|_| None), Some(c));
        }
    }
}
