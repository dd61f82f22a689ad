//! A device's edits that the server does not have yet (or whose result it has not pulled yet).
//!
//! Every edit goes in here, and is saved to the device, before the person is told it is saved. The outbox picks
//! what to push, takes the server's acknowledgements, and rebases later edits on the results.

use super::cell::{Authorship, CellKey, CellState, KeptValue, Kind};
use super::change::{Change, ChangeError};
use super::protocol::{Ack, MAX_PUSH_BYTES, Mutation, Outcome};
use super::replica::Replica;
use crate::people::UserId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One cell as a device shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownCell {
    pub value: Value,
    /// Who wrote the value the server holds (`None` for a cell only this device has so far).
    pub by: Option<Authorship>,
    /// Values kept aside in a conflict that this device has not settled yet.
    pub kept: Vec<KeptValue>,
    /// An edit of this device to it is waiting to reach the server.
    pub waiting: bool,
}

/// One edit waiting on this device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub mutation: Mutation,
    pub key: CellKey,
    pub value: Value,
    /// It has been handed to the network at least once, so it can no longer be taken back quietly.
    pub attempted: bool,
    /// The server's answer, once it came; the edit stays shown until the device has pulled past `ack.version`.
    pub ack: Option<Ack>,
}

/// The queue of edits made on this device, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    /// The id the next edit gets.
    pub next_id: u64,
    pub items: Vec<Pending>,
}

impl Outbox {
    /// Record an edit on `person`'s record, based on what the replica shows. Checks it first (the same rules the
    /// server applies); returns the new pending edit, which the caller must save before showing it as saved.
    pub fn record(
        &mut self,
        replica: &Replica,
        person: &UserId,
        change: Change,
        settles: bool,
        made_at_ms: i64,
    ) -> Result<&Pending, ChangeError> {
        change.validate()?;
        let effect = change.effect(person);
        let base = self.base_for(replica, &effect.key);
        self.next_id = self.next_id.max(1);
        let mutation = Mutation { id: self.next_id, person: person.clone(), base, settles, made_at_ms, change };
        self.next_id += 1;
        self.items.push(Pending { mutation, key: effect.key, value: effect.value, attempted: false, ack: None });
        Ok(self.items.last().expect("just pushed"))
    }

    /// The version a new edit to `key` is based on: what the writer sees. If this device already has an edit to
    /// the cell in the outbox, the new one follows it: it takes that edit's base while it waits (and is rebased
    /// with it), or its applied version once acknowledged, so a device's own edits never conflict with each other.
    fn base_for(&self, replica: &Replica, key: &CellKey) -> u64 {
        let seen = replica.cell(key).map_or(0, |c| c.version);
        match self.items.iter().rev().find(|p| &p.key == key) {
            None => seen,
            Some(p) => match p.ack {
                None => p.mutation.base,
                Some(a) if a.outcome != Outcome::KeptAside => a.version.max(seen),
                Some(_) => seen,
            },
        }
    }

    /// The next mutations to push: those not yet acknowledged, in order, but only the first for each cell — a
    /// later edit to the same cell waits to be rebased on the first one's result. At most `max` of them, and no
    /// more than [`MAX_PUSH_BYTES`] of JSON (always at least one), so a push never exceeds the server's body limit.
    pub fn batch(&self, max: usize) -> Vec<Mutation> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut bytes = 0;
        for p in self.items.iter().filter(|p| p.ack.is_none()) {
            if seen.insert(&p.key) {
                let size = serde_json::to_vec(&p.mutation).map_or(MAX_PUSH_BYTES, |v| v.len() + 1);
                if !out.is_empty() && bytes + size > MAX_PUSH_BYTES {
                    break;
                }
                bytes += size;
                out.push(p.mutation.clone());
                if out.len() == max {
                    break;
                }
            }
        }
        out
    }

    /// [`Outbox::batch`], but stopping before the first edit marked as sent that no committed save on this device
    /// holds yet (its id is above `saved_through`): an edit made online is saved as sent by itself, and that save
    /// asks for a sync of its own once it is committed. Sending it sooner would need one more save first.
    pub fn batch_saved(&self, max: usize, saved_through: u64) -> Vec<Mutation> {
        // Usually none or one (the edit just made): one pass over the outbox, not one per edit in the batch.
        let saving: Vec<u64> =
            self.items.iter().filter(|p| p.attempted && p.mutation.id > saved_through).map(|p| p.mutation.id).collect();
        let mut out = self.batch(max);
        if let Some(at) = out.iter().position(|m| saving.contains(&m.id)) {
            out.truncate(at);
        }
        out
    }

    /// Note that these mutations are being sent (save the outbox before sending).
    pub fn mark_attempted(&mut self, ids: &[u64]) {
        for p in self.items.iter_mut().filter(|p| ids.contains(&p.mutation.id)) {
            p.attempted = true;
        }
    }

    /// Take the server's answer to one mutation. Later edits to the same cell that were based on what this one
    /// was based on are rebased onto its result when it applied (or found the value already there): they follow
    /// the writer's own edit, so they must not conflict with it. After a value was kept aside, they are not
    /// rebased: the writer had not seen the value that stayed, so their later edits are kept aside too.
    pub fn acknowledge(&mut self, ack: Ack) -> bool {
        let Some(i) = self.items.iter().position(|p| p.mutation.id == ack.id && p.ack.is_none()) else {
            return false;
        };
        let key = self.items[i].key.clone();
        let old_base = self.items[i].mutation.base;
        self.items[i].ack = Some(ack);
        if ack.outcome != Outcome::KeptAside {
            for later in self.items[i + 1..].iter_mut().filter(|p| p.ack.is_none() && p.key == key) {
                if later.mutation.base == old_base {
                    later.mutation.base = ack.version;
                }
            }
        }
        true
    }

    /// Forget acknowledged edits whose results the replica now holds. Returns how many were forgotten.
    pub fn settle_with(&mut self, replica: &Replica) -> usize {
        let before = self.items.len();
        self.items.retain(|p| p.ack.is_none_or(|a| a.version > replica.cursor));
        before - self.items.len()
    }

    /// Every one of these edits is marked as handed to the network.
    pub fn all_attempted(&self, ids: &[u64]) -> bool {
        ids.iter().all(|id| self.items.iter().any(|p| p.mutation.id == *id && p.attempted))
    }

    /// Take back an edit no save on this device ever held, so it was never sent either, even one marked to be
    /// sent as soon as it was saved (the save failed).
    pub fn withdraw(&mut self, id: u64) -> Option<Pending> {
        let i = self.items.iter().position(|p| p.mutation.id == id && p.ack.is_none())?;
        Some(self.items.remove(i))
    }

    /// Take back an edit the server has never been sent (undo before sync).
    pub fn cancel(&mut self, id: u64) -> Option<Pending> {
        let i = self.items.iter().position(|p| p.mutation.id == id && !p.attempted)?;
        Some(self.items.remove(i))
    }

    /// Remove an edit the server refused, to be shown to the person as needing attention.
    pub fn reject(&mut self, id: u64) -> Option<Pending> {
        let i = self.items.iter().position(|p| p.mutation.id == id)?;
        Some(self.items.remove(i))
    }

    /// Edits the server has not acknowledged yet.
    pub fn waiting(&self) -> usize {
        self.items.iter().filter(|p| p.ack.is_none()).count()
    }

    /// What this device shows for a cell: its newest waiting edit, if any, else the replica's value.
    /// An edit the server kept aside is not shown as the value (the replica's conflict shows it).
    pub fn shown<'a>(&'a self, replica: &'a Replica, key: &CellKey) -> Option<&'a Value> {
        self.items
            .iter()
            .rev()
            .find(|p| &p.key == key && p.ack.is_none_or(|a| a.outcome != Outcome::KeptAside))
            .map(|p| &p.value)
            .or_else(|| replica.cell(key).map(|c| &c.value))
    }

    /// The waiting edits to one cell, oldest first.
    pub fn pending_for<'a>(&'a self, key: &'a CellKey) -> impl Iterator<Item = &'a Pending> + 'a {
        self.items.iter().filter(move |p| &p.key == key)
    }

    /// Every cell of `person`'s record of the given kinds as this device shows it: the pulled cells with this
    /// device's edits on top (an edit kept aside shows through the conflict instead), and conflicts this device
    /// has already settled no longer asked about.
    pub fn overlay(&self, replica: &Replica, person: &UserId, kinds: &[Kind]) -> BTreeMap<CellKey, ShownCell> {
        let mut out: BTreeMap<CellKey, ShownCell> = replica
            .cells
            .iter()
            .filter(|(k, _)| &k.person == person && kinds.contains(&k.kind))
            .map(|(k, c)| {
                let shown =
                    ShownCell { value: c.value.clone(), by: Some(c.by.clone()), kept: c.kept.clone(), waiting: false };
                (k.clone(), shown)
            })
            .collect();
        for p in self.items.iter().filter(|p| &p.mutation.person == person && kinds.contains(&p.key.kind)) {
            if p.ack.is_some_and(|a| a.outcome == Outcome::KeptAside) {
                continue;
            }
            let cell = out.entry(p.key.clone()).or_insert_with(|| ShownCell {
                value: Value::Null,
                by: None,
                kept: vec![],
                waiting: false,
            });
            cell.value = p.value.clone();
            cell.waiting |= p.ack.is_none();
            if p.mutation.settles {
                cell.kept.clear();
            }
        }
        out
    }

    /// The cell as the device shows it, for views that want the author too: replica state plus newest edit.
    pub fn shown_cell(&self, replica: &Replica, key: &CellKey) -> Option<(Value, Option<CellState>)> {
        self.shown(replica, key).map(|v| (v.clone(), replica.cell(key).cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::about_me::{AboutMeChange, AboutMeField};
    use crate::sync::Change;

    fn hopes(t: &str) -> Change {
        AboutMeChange::AboutMe { field: AboutMeField::MyHopes, text: t.into() }.into()
    }

    fn strengths(t: &str) -> Change {
        AboutMeChange::AboutMe { field: AboutMeField::MyStrengths, text: t.into() }.into()
    }

    #[test]
    fn one_mutation_per_cell_per_batch_and_later_edits_rebase_on_the_result() {
        let replica = Replica::default();
        let p = UserId("p".into());
        let mut out = Outbox::default();
        out.record(&replica, &p, hopes("a"), false, 1).unwrap();
        out.record(&replica, &p, hopes("ab"), false, 2).unwrap();
        out.record(
            &replica,
            &p,
            AboutMeChange::AboutMe { field: AboutMeField::MyStrengths, text: "s".into() }.into(),
            false,
            3,
        )
        .unwrap();
        let first = out.batch(10);
        assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 3]);
        assert!(out.acknowledge(Ack { id: 1, outcome: Outcome::Applied, version: 7 }));
        assert!(!out.acknowledge(Ack { id: 1, outcome: Outcome::Applied, version: 7 }), "a repeated ack is ignored");
        let second = out.batch(10);
        assert_eq!(second.iter().map(|m| (m.id, m.base)).collect::<Vec<_>>(), vec![(2, 7), (3, 0)]);
        assert_eq!(out.waiting(), 2);
        assert_eq!(
            out.shown(&replica, &CellKey::new(&p, crate::sync::Kind::AboutMe, &Default::default(), "my_hopes")),
            Some(&Value::String("ab".into()))
        );
    }

    #[test]
    fn a_batch_stays_within_the_push_size_limit() {
        let replica = Replica::default();
        let p = UserId("p".into());
        let mut out = Outbox::default();
        for i in 0..200 {
            let text = "ŵ".repeat(crate::about_me::MAX_ABOUT_ME_CHARS);
            out.record(
                &replica,
                &p,
                crate::comments::CommentChange::AddComment {
                    comment: crate::sync::RecordId(format!("c{i}")),
                    text: text[..3000].to_owned(),
                    audience: Default::default(),
                }
                .into(),
                false,
                1,
            )
            .unwrap();
        }
        let batch = out.batch(500);
        let bytes = serde_json::to_vec(&batch).unwrap().len();
        assert!(bytes <= MAX_PUSH_BYTES, "{bytes}");
        assert!(batch.len() > 10 && batch.len() < 200, "{}", batch.len());
    }

    #[test]
    fn an_edit_made_after_an_acknowledged_one_follows_it_even_before_the_pull() {
        let replica = Replica::default();
        let p = UserId("p".into());
        let mut out = Outbox::default();
        out.record(&replica, &p, hopes("a"), false, 1).unwrap();
        out.acknowledge(Ack { id: 1, outcome: Outcome::Applied, version: 4 });
        let second = out.record(&replica, &p, hopes("b"), false, 2).unwrap();
        assert_eq!(second.mutation.base, 4);
        let third = out.record(&replica, &p, hopes("c"), false, 3).unwrap();
        assert_eq!(third.mutation.base, 4, "waits on the second, and is rebased with it");
    }

    #[test]
    fn an_edit_is_checked_before_it_is_queued_and_can_be_taken_back_until_sent() {
        let replica = Replica::default();
        let p = UserId("p".into());
        let mut out = Outbox::default();
        let bad: Change = AboutMeChange::AboutMe { field: AboutMeField::PreferredName, text: "x".repeat(500) }.into();
        assert!(out.record(&replica, &p, bad, false, 1).is_err());
        assert!(out.items.is_empty());
        out.record(&replica, &p, hopes("a"), false, 1).unwrap();
        out.record(&replica, &p, hopes("b"), false, 1).unwrap();
        out.mark_attempted(&[1]);
        assert!(out.cancel(1).is_none(), "sent: undo by a new edit instead");
        assert_eq!(out.cancel(2).map(|p| p.mutation.id), Some(2));
    }

    #[test]
    fn an_edit_marked_as_sent_waits_for_its_own_save_before_it_is_batched() {
        let replica = Replica::default();
        let p = UserId("p".into());
        let mut out = Outbox::default();
        out.record(&replica, &p, hopes("offline"), false, 1).unwrap();
        out.record(&replica, &p, strengths("online"), false, 2).unwrap();
        out.mark_attempted(&[2]);
        let ids = |batch: Vec<Mutation>| batch.iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(ids(out.batch_saved(10, 0)), vec![1], "the edit made offline goes; the one still saving waits");
        assert_eq!(ids(out.batch_saved(10, 2)), vec![1, 2], "once a committed save holds it, it goes too");
        out.mark_attempted(&[1]);
        assert_eq!(ids(out.batch_saved(10, 0)), Vec::<u64>::new(), "nothing marked as sent goes before it is saved");
        assert_eq!(ids(out.batch_saved(10, 1)), vec![1]);
    }

    #[test]
    fn an_edit_marked_to_be_sent_is_withdrawn_only_while_unanswered() {
        let replica = Replica::default();
        let p = UserId("p".into());
        let mut out = Outbox::default();
        out.record(&replica, &p, hopes("a"), false, 1).unwrap();
        out.record(&replica, &p, hopes("b"), false, 2).unwrap();
        out.mark_attempted(&[1, 2]);
        assert!(out.all_attempted(&[1, 2]));
        assert!(!out.all_attempted(&[1, 3]), "an edit not here is not sent");
        out.acknowledge(Ack { id: 1, outcome: Outcome::Applied, version: 4 });
        assert!(out.withdraw(1).is_none(), "the server has it");
        assert!(out.cancel(2).is_none(), "undo takes back only what was never marked as sent");
        assert_eq!(out.withdraw(2).map(|p| p.mutation.id), Some(2));
        assert_eq!(out.items.len(), 1);
        assert!(!out.all_attempted(&[2]));
    }
}
