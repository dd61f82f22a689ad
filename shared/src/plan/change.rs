//! The safety plan's changes: items in sections (each recording who wrote it), the setting, the review date and
//! the agreement. The cells each writes, and how each cell decodes back into the change that writes it, are here.

use super::{ItemOpened, MAX_PLAN_ITEM_CHARS, PlanSection, Setting, Signature, Signer, fields};
use crate::consent::{Action, SharedPart, WriterFacts, may};
use crate::i18n::Msg;
use crate::people::UserId;
use crate::sync::change::{Audience, CellLookup, ChangeError, DomainChange, Effect, EffectMode};
use crate::sync::{CellKey, CellState, Kind, RecordId, check};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The changes to a person's safety plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum PlanChange {
    /// A new item in a section of the safety plan.
    AddPlanItem { item: RecordId, section: PlanSection, text: String },
    /// New words for an item. Names the item's section, which must be the one it was written in.
    PlanItemText { item: RecordId, section: PlanSection, text: String },
    /// Take an item out of the plan (`true`), or put it back (`false`). It stays in the record.
    RemovePlanItem { item: RecordId, section: PlanSection, removed: bool },
    /// Where the person is now (on the ward, on leave, discharged): what "who to contact" says.
    PlanSetting { setting: Setting },
    /// When the plan should be looked at again (`None`: no date set).
    PlanReview { review_by: Option<String> },
    /// "I agree to this version of the plan": the person, or their key worker. A version is agreed when both have
    /// signed the same version number.
    AgreePlan { signer: Signer, version: u32, date: String },
}

/// An item's first cell: every other cell of the item requires it.
pub fn item_key(person: &UserId, item: &RecordId) -> CellKey {
    CellKey::new(person, Kind::PlanItem, item, fields::OPENED)
}

/// A cell of the plan record (setting, review date, signatures).
pub fn plan_key(person: &UserId, field: &str) -> CellKey {
    CellKey::new(person, Kind::Plan, &RecordId::single(), field)
}

/// Does setting the review date to `new` (from `now`) put the review off? No date is the latest of all.
pub fn moves_later(now: Option<&str>, new: Option<&str>) -> bool {
    match (now, new) {
        (_, None) => now.is_some(),
        (None, Some(_)) => false,
        (Some(now), Some(new)) => new > now,
    }
}

fn in_item(person: &UserId, item: &RecordId, field: &str, value: Value) -> Effect {
    Effect {
        key: CellKey::new(person, Kind::PlanItem, item, field),
        value,
        mode: EffectMode::SetExisting { requires: item_key(person, item) },
    }
}

fn in_plan(person: &UserId, field: &str, value: Value) -> Effect {
    Effect { key: plan_key(person, field), value, mode: EffectMode::Set }
}

impl DomainChange for PlanChange {
    const TYPES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    fn validate(&self) -> Result<(), ChangeError> {
        match self {
            PlanChange::AddPlanItem { item, text, .. } | PlanChange::PlanItemText { item, text, .. } => {
                check::record_id(item)?;
                check::text("item", text, MAX_PLAN_ITEM_CHARS, true)
            }
            PlanChange::RemovePlanItem { item, .. } => check::record_id(item),
            PlanChange::PlanSetting { .. } => Ok(()),
            PlanChange::PlanReview { review_by } => check::maybe_date("review date", review_by.as_deref()),
            PlanChange::AgreePlan { version, date, .. } => {
                if *version == 0 {
                    return Err(ChangeError::BadVersion);
                }
                check::date("date", date)
            }
        }
    }

    fn effect(&self, person: &UserId) -> Effect {
        match self {
            PlanChange::AddPlanItem { item, section, text } => Effect {
                key: item_key(person, item),
                value: check::json(&ItemOpened { section: *section, text: text.clone() }),
                mode: EffectMode::Create,
            },
            PlanChange::PlanItemText { item, text, .. } => {
                in_item(person, item, fields::TEXT, Value::String(text.clone()))
            }
            PlanChange::RemovePlanItem { item, removed, .. } => {
                in_item(person, item, fields::REMOVED, Value::Bool(*removed))
            }
            PlanChange::PlanSetting { setting } => {
                in_plan(person, fields::SETTING, Value::String(setting.as_str().to_owned()))
            }
            PlanChange::PlanReview { review_by } => {
                in_plan(person, fields::REVIEW_BY, review_by.clone().map_or(Value::Null, Value::String))
            }
            PlanChange::AgreePlan { signer, version, date } => in_plan(
                person,
                &fields::signature(*signer),
                check::json(&Signature { version: *version, date: date.clone() }),
            ),
        }
    }

    /// For an existing item, `required` is its first cell: the section named in the change must be the item's own
    /// (so nobody can move data into another audience), and who may change it depends on who wrote it.
    fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool {
        match self {
            PlanChange::AddPlanItem { section, .. } => may(w, Action::AddToPlan(*section)),
            PlanChange::PlanItemText { section, .. } | PlanChange::RemovePlanItem { section, .. } => {
                let Some(cell) = required else { return false };
                let in_section =
                    serde_json::from_value::<ItemOpened>(cell.value.clone()).is_ok_and(|o| o.section == *section);
                in_section && may(w, Action::EditPlanItem { section: *section, author: &cell.by.user })
            }
            PlanChange::PlanSetting { .. } => may(w, Action::SetSetting),
            // Without the date set now, only a writer who may move it either way.
            PlanChange::PlanReview { .. } => may(w, Action::SetReview { later: true }),
            PlanChange::AgreePlan { signer, .. } => may(w, Action::SignPlan(*signer)),
        }
    }

    /// A review date moved earlier is the person asking for a review; moved later (or taken away), the care
    /// team's decision.
    fn may_write_over(&self, w: &WriterFacts, required: Option<&CellState>, current: Option<&CellState>) -> bool {
        match self {
            PlanChange::PlanReview { review_by } => {
                let now = current.and_then(|c| c.value.as_str());
                may(w, Action::SetReview { later: moves_later(now, review_by.as_deref()) })
            }
            _ => self.may_write(w, required),
        }
    }

    fn audience(&self) -> Audience {
        match self {
            PlanChange::AddPlanItem { section, .. }
            | PlanChange::PlanItemText { section, .. }
            | PlanChange::RemovePlanItem { section, .. } => section.audience(),
            // Where the person is decides what "who to contact" says: it goes with that section.
            PlanChange::PlanSetting { .. } => Audience::Shared(SharedPart::Plan(PlanSection::Contacts)),
            PlanChange::PlanReview { .. } | PlanChange::AgreePlan { .. } => Audience::CareTeam,
        }
    }

    fn decode(key: &CellKey, value: &Value, cells: CellLookup<'_>) -> Option<Self> {
        let item = key.record.clone();
        let section = || {
            let opened = cells(&item_key(&key.person, &key.record))?;
            Some(serde_json::from_value::<ItemOpened>(opened).ok()?.section)
        };
        match (key.kind, key.field.as_str()) {
            (Kind::PlanItem, fields::OPENED) => {
                let o: ItemOpened = serde_json::from_value(value.clone()).ok()?;
                Some(PlanChange::AddPlanItem { item, section: o.section, text: o.text })
            }
            (Kind::PlanItem, fields::TEXT) => {
                Some(PlanChange::PlanItemText { section: section()?, item, text: value.as_str()?.to_owned() })
            }
            (Kind::PlanItem, fields::REMOVED) => {
                Some(PlanChange::RemovePlanItem { section: section()?, item, removed: value.as_bool()? })
            }
            (Kind::Plan, fields::SETTING) => {
                Some(PlanChange::PlanSetting { setting: Setting::parse(value.as_str()?)? })
            }
            (Kind::Plan, fields::REVIEW_BY) => Some(PlanChange::PlanReview {
                review_by: if value.is_null() { None } else { Some(value.as_str()?.to_owned()) },
            }),
            (Kind::Plan, f) => {
                let signer = Signer::ALL.into_iter().find(|s| fields::signature(*s) == f)?;
                let s: Signature = serde_json::from_value(value.clone()).ok()?;
                Some(PlanChange::AgreePlan { signer, version: s.version, date: s.date })
            }
            _ => None,
        }
    }

    fn words(&self) -> Option<&str> {
        match self {
            PlanChange::AddPlanItem { text, .. } | PlanChange::PlanItemText { text, .. } => Some(text),
            _ => None,
        }
    }

    fn label(&self) -> Msg {
        match self {
            PlanChange::AddPlanItem { section, .. }
            | PlanChange::PlanItemText { section, .. }
            | PlanChange::RemovePlanItem { section, .. } => section.title(),
            _ => Msg::PlanTitle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::tests::writer;
    use crate::people::{Relation, Role};
    use crate::sync::{Authorship, Change};

    #[test]
    fn safety_plan_permissions_follow_sections_and_consent() {
        let person = writer(Role::ServiceUser, true, None);
        let key_worker = writer(Role::KeyWorker, false, Some(Relation::KeyWorker));
        let staff = writer(Role::Staff, false, Some(Relation::Staff));
        let carer = writer(Role::Carer, false, Some(Relation::Carer));
        let carer_sharing = WriterFacts { shared: vec![SharedPart::Plan(PlanSection::CarerCanDo)], ..carer.clone() };
        let item = RecordId("i1".into());
        let add = |section| {
            Change::from(PlanChange::AddPlanItem { item: item.clone(), section, text: "Call me on Sundays".into() })
        };
        let opened = |section, by: &str| CellState {
            value: check::json(&ItemOpened { section, text: "x".into() }),
            version: 1,
            by: Authorship { user: UserId(by.into()), name: by.into(), at_ms: 1, role: None },
            kept: vec![],
        };
        let edit = |section| {
            Change::from(PlanChange::PlanItemText { item: item.clone(), section, text: "Call me on Saturdays".into() })
        };

        // The person and the team write the plan; only staff write (or receive) the staff-only notes.
        assert!(add(PlanSection::Triggers).may_write(&person, None));
        assert!(add(PlanSection::Triggers).may_write(&staff, None));
        assert!(!add(PlanSection::StaffOnly).may_write(&person, None));
        assert!(add(PlanSection::StaffOnly).may_write(&key_worker, None));
        assert_eq!(add(PlanSection::StaffOnly).audience(), Audience::StaffOnly);
        assert_eq!(add(PlanSection::Triggers).audience(), Audience::Shared(SharedPart::Plan(PlanSection::Triggers)));

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
        let sign = |signer| Change::from(PlanChange::AgreePlan { signer, version: 1, date: "2026-11-27".into() });
        assert!(sign(Signer::Person).may_write(&person, None));
        assert!(!sign(Signer::Person).may_write(&key_worker, None));
        assert!(sign(Signer::KeyWorker).may_write(&key_worker, None));
        assert!(!sign(Signer::KeyWorker).may_write(&staff, None), "the key worker signs, not any staff");
        assert!(!sign(Signer::KeyWorker).may_write(&carer_sharing, None));
        assert_eq!(
            PlanChange::AgreePlan { signer: Signer::Person, version: 0, date: "2026-11-27".into() }.validate(),
            Err(ChangeError::BadVersion)
        );
        assert!(
            PlanChange::AddPlanItem { item: item.clone(), section: PlanSection::Triggers, text: " ".into() }
                .validate()
                .is_err()
        );
        let wire = serde_json::from_str::<Change>(
            r#"{"type":"add_plan_item","item":"i2","section":"i_can_do","text":"Listen to music"}"#,
        )
        .unwrap();
        assert!(matches!(wire, Change::Plan(PlanChange::AddPlanItem { section: PlanSection::ICanDo, .. })));
    }

    #[test]
    fn every_plan_cell_decodes_to_the_change_that_writes_it() {
        let p = UserId("p".into());
        let item = RecordId("i".into());
        let opened = PlanChange::AddPlanItem { item: item.clone(), section: PlanSection::Escalation, text: "x".into() };
        let o = opened.effect(&p);
        let lookup = |k: &CellKey| (k == &o.key).then(|| o.value.clone());
        for c in [
            opened.clone(),
            PlanChange::PlanItemText { item: item.clone(), section: PlanSection::Escalation, text: "y".into() },
            PlanChange::RemovePlanItem { item: item.clone(), section: PlanSection::Escalation, removed: true },
            PlanChange::PlanSetting { setting: Setting::Leave },
            PlanChange::PlanReview { review_by: None },
            PlanChange::PlanReview { review_by: Some("2027-01-01".into()) },
            PlanChange::AgreePlan { signer: Signer::KeyWorker, version: 2, date: "2026-11-20".into() },
        ] {
            let e = c.effect(&p);
            assert_eq!(PlanChange::decode(&e.key, &e.value, &lookup), Some(c.clone()), "{c:?}");
        }
        let text = PlanChange::PlanItemText { item, section: PlanSection::Escalation, text: "y".into() }.effect(&p);
        assert_eq!(PlanChange::decode(&text.key, &text.value, &|_| None), None, "no section without the item");
    }

    #[test]
    fn only_the_care_team_puts_a_review_off_and_the_person_may_ask_for_an_earlier_one() {
        let person = writer(Role::ServiceUser, true, None);
        let staff = writer(Role::Staff, false, Some(Relation::Staff));
        let carer = writer(Role::Carer, false, Some(Relation::Carer));
        let set = |d: Option<&str>| Change::from(PlanChange::PlanReview { review_by: d.map(str::to_owned) });
        let now = CellState {
            value: Value::String("2026-12-01".into()),
            version: 3,
            by: Authorship { user: UserId("owen".into()), name: "Owen".into(), at_ms: 1, role: None },
            kept: vec![],
        };
        assert!(set(Some("2026-11-20")).may_write_over(&person, None, Some(&now)), "an earlier review");
        assert!(!set(Some("2099-01-01")).may_write_over(&person, None, Some(&now)), "put off");
        assert!(!set(None).may_write_over(&person, None, Some(&now)), "taken away");
        assert!(set(Some("2026-12-20")).may_write_over(&person, None, None), "asking for a review when none is set");
        assert!(set(Some("2099-01-01")).may_write_over(&staff, None, Some(&now)));
        assert!(!set(Some("2026-11-20")).may_write_over(&carer, None, Some(&now)));
        let setting = Change::from(PlanChange::PlanSetting { setting: Setting::Community });
        assert!(setting.may_write(&staff, None) && !setting.may_write(&person, None));
        assert!(moves_later(Some("2026-01-01"), Some("2026-01-02")) && !moves_later(None, Some("2026-01-02")));
    }
}
