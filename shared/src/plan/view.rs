//! One person's safety plan as a device shows it, rebuilt from their cells: items by section with who wrote them
//! and when, the setting, the review date, the agreement, and conflicts waiting to be settled.

use super::{Capacity, ItemOpened, PlanChange, PlanSection, Setting, Signature, Signer, fields};
use crate::consent::{Action, ConsentChange, SharedPart, Sharing, WriterFacts, may};
use crate::people::UserId;
use crate::sync::change::DomainChange;
use crate::sync::{Authorship, CellKey, Change, Kind, RecordId, ShownCell};
use crate::tracker::view::Conflict;
use serde_json::Value;
use std::collections::BTreeMap;

/// One item of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemView {
    pub id: RecordId,
    pub section: PlanSection,
    pub text: String,
    /// Who first wrote it, and when (`None` while it is only on this device).
    pub added_by: Option<Authorship>,
    /// Who last changed its words, when someone did.
    pub changed_by: Option<Authorship>,
    pub removed: bool,
    /// Who last took it out or put it back, and when.
    pub removed_by: Option<Authorship>,
    /// An edit of this device to it is still waiting to reach the server.
    pub waiting: bool,
}

/// A signature as recorded: what was signed, and who entered it when.
#[derive(Clone, Debug, PartialEq)]
pub struct Signed {
    pub signature: Signature,
    pub by: Option<Authorship>,
}

/// Where the agreement of the plan stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Agreement {
    /// Nobody has signed a version yet.
    NotYet,
    /// One side has signed the newest version; the other has not yet.
    Waiting { signed: Signer, version: u32 },
    /// Both signed `version`. `changed_since`: items were changed after it was agreed.
    Agreed { version: u32, person: String, key_worker: String, changed_since: bool },
}

/// Everything of one person's safety plan that a device shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanView {
    /// In the order they were written (this device's unsent ones last).
    pub items: Vec<ItemView>,
    pub setting: Setting,
    pub review_by: Option<String>,
    /// Who set the review date, and when (`None` while it is only on this device, or never set).
    pub review_set_by: Option<Authorship>,
    /// What staff last recorded about the person's capacity to decide what carers see, and who recorded it.
    pub capacity: Option<(Capacity, Option<Authorship>)>,
    pub signatures: BTreeMap<Signer, Signed>,
    pub sharing: BTreeMap<(SharedPart, UserId), Sharing>,
    pub conflicts: Vec<Conflict>,
    /// When an item the person and carers can see last changed (Unix ms; `i64::MAX` for an edit still on this
    /// device). Staff-only notes do not count: they are not part of what the person agrees to.
    pub last_change_ms: Option<i64>,
}

/// The kinds the plan is made of.
pub const PLAN_KINDS: [Kind; 3] = [Kind::PlanItem, Kind::Plan, Kind::Sharing];

fn at(by: &Option<Authorship>) -> i64 {
    by.as_ref().map_or(i64::MAX, |b| b.at_ms)
}

impl PlanView {
    /// Rebuild the plan from one person's shown cells, each read back through [`PlanChange::decode`] (or the
    /// consent domain's, for sharing and capacity). Cells that do not decode are skipped.
    pub fn build<'a>(cells: impl IntoIterator<Item = (&'a CellKey, &'a ShownCell)>) -> PlanView {
        let mut view = PlanView::default();
        let mut items: BTreeMap<RecordId, ItemView> = BTreeMap::new();
        let mut item_cells: Vec<(&CellKey, &ShownCell)> = Vec::new();
        let touch = |view: &mut PlanView, section: PlanSection, by: &Option<Authorship>| {
            if !section.is_staff_only() {
                view.last_change_ms = Some(view.last_change_ms.unwrap_or(i64::MIN).max(at(by)));
            }
        };
        for (key, cell) in cells {
            if !cell.kept.is_empty() && matches!(key.kind, Kind::PlanItem | Kind::Plan) {
                view.conflicts.push(Conflict::of(key, cell));
            }
            if key.kind == Kind::PlanItem && key.field != fields::OPENED {
                item_cells.push((key, cell));
                continue;
            }
            match Change::decode(key, &cell.value, &|_| None) {
                Some(Change::Plan(PlanChange::AddPlanItem { item, section, text })) => {
                    touch(&mut view, section, &cell.by);
                    let i = ItemView {
                        id: item.clone(),
                        section,
                        text,
                        added_by: cell.by.clone(),
                        changed_by: None,
                        removed: false,
                        removed_by: None,
                        waiting: cell.waiting,
                    };
                    items.insert(item, i);
                }
                Some(Change::Plan(PlanChange::PlanSetting { setting })) => view.setting = setting,
                Some(Change::Plan(PlanChange::PlanReview { review_by })) => {
                    view.review_by = review_by;
                    view.review_set_by = cell.by.clone();
                }
                Some(Change::Plan(PlanChange::AgreePlan { signer, version, date })) => {
                    view.signatures
                        .insert(signer, Signed { signature: Signature { version, date }, by: cell.by.clone() });
                }
                Some(Change::Consent(ConsentChange::Capacity { lacks, reason })) => {
                    view.capacity = Some((Capacity { lacks, reason }, cell.by.clone()));
                }
                Some(Change::Consent(ConsentChange::Share { part, carer, share, review_by })) => {
                    view.sharing.insert((part, carer), Sharing { share, review_by });
                }
                _ => {}
            }
        }
        for (key, cell) in item_cells {
            let section = items.get(&key.record).map(|i| i.section);
            let opened = |k: &CellKey| {
                let section = section.filter(|_| k.record == key.record)?;
                serde_json::to_value(ItemOpened { section, text: String::new() }).ok()
            };
            let Some(item) = items.get_mut(&key.record) else { continue };
            match PlanChange::decode(key, &cell.value, &opened) {
                Some(PlanChange::PlanItemText { text, .. }) => {
                    item.text = text;
                    item.changed_by = cell.by.clone();
                }
                Some(PlanChange::RemovePlanItem { removed, .. }) => {
                    item.removed = removed;
                    item.removed_by = cell.by.clone();
                }
                _ => continue,
            }
            item.waiting |= cell.waiting;
            let section = item.section;
            touch(&mut view, section, &cell.by);
        }
        let mut items: Vec<ItemView> = items.into_values().collect();
        items.sort_by(|a, b| at(&a.added_by).cmp(&at(&b.added_by)).then_with(|| a.id.cmp(&b.id)));
        view.items = items;
        view
    }

    /// The items of one section still in the plan, in the order they were written.
    pub fn section(&self, section: PlanSection) -> impl Iterator<Item = &ItemView> {
        self.items.iter().filter(move |i| i.section == section && !i.removed)
    }

    /// Items taken out of one section (kept, and can be put back).
    pub fn removed(&self, section: PlanSection) -> impl Iterator<Item = &ItemView> {
        self.items.iter().filter(move |i| i.section == section && i.removed)
    }

    pub fn item(&self, id: &RecordId) -> Option<&ItemView> {
        self.items.iter().find(|i| &i.id == id)
    }

    /// Where the agreement stands.
    pub fn agreement(&self) -> Agreement {
        let person = self.signatures.get(&Signer::Person);
        let worker = self.signatures.get(&Signer::KeyWorker);
        match (person, worker) {
            (Some(p), Some(k)) if p.signature.version == k.signature.version => Agreement::Agreed {
                version: p.signature.version,
                person: p.signature.date.clone(),
                key_worker: k.signature.date.clone(),
                changed_since: self.changed_after(at(&p.by).max(at(&k.by))),
            },
            (None, None) => Agreement::NotYet,
            _ => {
                let (signer, signed) = [(Signer::Person, person), (Signer::KeyWorker, worker)]
                    .into_iter()
                    .filter_map(|(s, x)| x.map(|x| (s, x)))
                    .max_by_key(|(_, x)| x.signature.version)
                    .expect("one side has signed");
                Agreement::Waiting { signed: signer, version: signed.signature.version }
            }
        }
    }

    fn changed_after(&self, ms: i64) -> bool {
        self.last_change_ms.is_some_and(|c| c > ms || c == i64::MAX)
    }

    /// The version number someone signing now signs: the one the other side already signed if nothing changed
    /// since, otherwise a new one. `None` when both signed the plan as it stands, or when `signer` already signed
    /// it and waits for the other side.
    pub fn version_to_sign(&self, signer: Signer) -> Option<u32> {
        let top = self.signatures.values().map(|s| s.signature.version).max().unwrap_or(0);
        let newest_signed_unchanged = |s: &Signed| s.signature.version == top && !self.changed_after(at(&s.by));
        let mine = self.signatures.get(&signer);
        let theirs = self.signatures.iter().find(|(s, _)| **s != signer).map(|(_, x)| x);
        match (mine, theirs) {
            (Some(m), _) if newest_signed_unchanged(m) => None,
            (_, Some(t)) if newest_signed_unchanged(t) => Some(top),
            _ => Some(top + 1),
        }
    }

    /// May this writer change or take out `item`? The same rule the server applies, on the item as this device
    /// has it (an item only on this device counts as the writer's own).
    pub fn may_edit(&self, item: &ItemView, w: &WriterFacts) -> bool {
        let author = item.added_by.as_ref().map_or(&w.user, |by| &by.user);
        may(w, Action::EditPlanItem { section: item.section, author })
    }

    /// Is the review date before `today` (both `YYYY-MM-DD`)?
    pub fn review_overdue(&self, today: &str) -> bool {
        self.review_by.as_deref().is_some_and(|d| d < today)
    }

    /// Staff recorded that the person cannot decide, for now, what carers see.
    pub fn lacks_capacity(&self) -> bool {
        self.capacity.as_ref().is_some_and(|(c, _)| c.lacks)
    }

    /// Is this carer shown `part`?
    pub fn shares_with(&self, part: SharedPart, carer: &UserId) -> bool {
        self.sharing.get(&(part, carer.clone())).is_some_and(|s| s.share)
    }

    /// The change that writes `value` into a plan cell: what settling a conflict by choosing a value sends.
    pub fn change_for(&self, key: &CellKey, value: &Value) -> Option<Change> {
        let opened = |k: &CellKey| {
            let item = self.item(&k.record).filter(|_| k.kind == Kind::PlanItem)?;
            serde_json::to_value(ItemOpened { section: item.section, text: item.text.clone() }).ok()
        };
        Change::decode(key, value, &opened)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Change;

    struct Plan {
        person: UserId,
        cells: BTreeMap<CellKey, ShownCell>,
        clock: i64,
    }

    impl Plan {
        fn new() -> Plan {
            Plan { person: UserId("dylan".into()), cells: BTreeMap::new(), clock: 1_000 }
        }

        fn write(&mut self, who: &str, change: impl Into<Change>) -> &mut Plan {
            let change = change.into();
            change.validate().expect("valid change");
            let e = change.effect(&self.person);
            self.clock += 1_000;
            let by = Authorship { user: UserId(who.into()), name: who.into(), at_ms: self.clock, role: None };
            self.cells.insert(e.key, ShownCell { value: e.value, by: Some(by), kept: vec![], waiting: false });
            self
        }

        fn view(&self) -> PlanView {
            PlanView::build(&self.cells)
        }
    }

    fn add(item: &str, section: PlanSection, text: &str) -> PlanChange {
        PlanChange::AddPlanItem { item: RecordId(item.into()), section, text: text.into() }
    }

    fn sign(signer: Signer, version: u32) -> PlanChange {
        PlanChange::AgreePlan { signer, version, date: "2026-11-20".into() }
    }

    #[test]
    fn items_keep_their_section_order_and_authors() {
        let mut p = Plan::new();
        p.write("dylan", add("a", PlanSection::Triggers, "Loud arguments on the ward"))
            .write("owen", add("b", PlanSection::StaffCanDo, "Offer a quiet room"))
            .write("dylan", add("c", PlanSection::Triggers, "Letters from court"))
            .write(
                "owen",
                PlanChange::PlanItemText {
                    item: RecordId("a".into()),
                    section: PlanSection::Triggers,
                    text: "Shouting nearby".into(),
                },
            )
            .write(
                "dylan",
                PlanChange::RemovePlanItem {
                    item: RecordId("c".into()),
                    section: PlanSection::Triggers,
                    removed: true,
                },
            );
        let v = p.view();
        let triggers: Vec<&str> = v.section(PlanSection::Triggers).map(|i| i.text.as_str()).collect();
        assert_eq!(triggers, ["Shouting nearby"]);
        let a = v.item(&RecordId("a".into())).unwrap();
        assert_eq!(a.added_by.as_ref().unwrap().user.0, "dylan");
        assert_eq!(a.changed_by.as_ref().unwrap().user.0, "owen");
        assert_eq!(v.removed(PlanSection::Triggers).count(), 1);
        assert_eq!(v.section(PlanSection::StaffCanDo).count(), 1);
    }

    #[test]
    fn a_version_is_agreed_when_both_sign_it_and_edits_afterwards_need_a_new_one() {
        let mut p = Plan::new();
        p.write("dylan", add("a", PlanSection::ICanDo, "Go for a walk in the garden"));
        assert_eq!(p.view().agreement(), Agreement::NotYet);
        assert_eq!(p.view().version_to_sign(Signer::KeyWorker), Some(1));

        p.write("owen", sign(Signer::KeyWorker, 1));
        assert_eq!(p.view().agreement(), Agreement::Waiting { signed: Signer::KeyWorker, version: 1 });
        assert_eq!(p.view().version_to_sign(Signer::KeyWorker), None);
        assert_eq!(p.view().version_to_sign(Signer::Person), Some(1));

        p.write("dylan", sign(Signer::Person, 1));
        let Agreement::Agreed { version: 1, changed_since: false, .. } = p.view().agreement() else {
            panic!("{:?}", p.view().agreement())
        };
        assert_eq!(p.view().version_to_sign(Signer::Person), None);

        // A staff-only note is not part of what the person agrees to.
        p.write("owen", add("s", PlanSection::StaffOnly, "Risk note"));
        assert!(matches!(p.view().agreement(), Agreement::Agreed { changed_since: false, .. }));

        p.write("dylan", add("b", PlanSection::ICanDo, "Phone my sister"));
        assert!(matches!(p.view().agreement(), Agreement::Agreed { version: 1, changed_since: true, .. }));
        assert_eq!(p.view().version_to_sign(Signer::Person), Some(2));

        // The person signs version 2 after the change; the key worker co-signs 2, not 3.
        p.write("dylan", sign(Signer::Person, 2));
        assert_eq!(p.view().version_to_sign(Signer::KeyWorker), Some(2));
        // But a change after the person's signature means a new version for both.
        p.write("owen", add("c", PlanSection::StaffCanDo, "Check in after phone calls"));
        assert_eq!(p.view().version_to_sign(Signer::KeyWorker), Some(3));
    }

    #[test]
    fn review_is_overdue_only_after_its_date() {
        let mut p = Plan::new();
        assert!(!p.view().review_overdue("2026-11-27"));
        p.write("owen", PlanChange::PlanReview { review_by: Some("2026-11-26".into()) });
        assert!(p.view().review_overdue("2026-11-27"));
        assert!(!p.view().review_overdue("2026-11-26"));
    }

    #[test]
    fn settling_a_conflict_writes_to_the_item_s_own_section() {
        let mut p = Plan::new();
        p.write("dylan", add("a", PlanSection::Escalation, "I stop sleeping"));
        let v = p.view();
        let key = CellKey::new(&p.person, Kind::PlanItem, &RecordId("a".into()), fields::TEXT);
        assert_eq!(
            v.change_for(&key, &Value::String("I stop eating".into())),
            Some(Change::Plan(PlanChange::PlanItemText {
                item: RecordId("a".into()),
                section: PlanSection::Escalation,
                text: "I stop eating".into()
            }))
        );
        let setting = CellKey::new(&p.person, Kind::Plan, &RecordId::single(), fields::SETTING);
        assert_eq!(
            v.change_for(&setting, &Value::String("leave".into())),
            Some(Change::Plan(PlanChange::PlanSetting { setting: Setting::Leave }))
        );
    }
}
