//! The server's decision for a whole push, pure: given the cells a batch touches, the writer's standing towards
//! each person it names, the frameworks and the answers already given, it returns what to store and what to
//! answer. The server's store loads those, calls [`decide_push`] inside its transaction and saves the result;
//! the simulated-network tests call the very same function. Nothing else decides a push.

use super::cell::{Authorship, CellKey, CellState};
use super::change::{Audience, EffectMode};
use super::decide::{Decision, Edit, Rejection, decide};
use super::protocol::{Ack, ClientId, Mutation, Outcome};
use crate::consent::{Standing, WriterFacts};
use crate::outcomes::Framework;
use crate::people::{Role, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A cell as the server stores it: its state and who receives it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredCell {
    pub state: CellState,
    pub audience: Audience,
}

/// Who is pushing, from which device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pusher {
    pub user: UserId,
    /// Their name as it is now (kept with what they write, so the record reads correctly later).
    pub name: String,
    pub role: Role,
    pub client: ClientId,
}

/// Everything a push is decided against, besides the cells.
#[derive(Clone, Copy, Debug)]
pub struct PushContext<'a> {
    pub pusher: &'a Pusher,
    /// Server time, Unix ms: when what is written was written.
    pub now_ms: i64,
    /// The version counter before this push.
    pub head: u64,
    /// The pusher's standing towards each person the batch names ([`people_named`]). A person missing here is
    /// one the pusher may not write for (or who does not exist: the two look the same from outside).
    pub standing: &'a BTreeMap<UserId, Standing>,
    /// Every framework version a reading may name (needed only when [`needs_frameworks`] says so).
    pub frameworks: &'a [Framework],
    /// The answers this device was already given for mutations of this batch, with the mutation as first sent.
    pub earlier: &'a HashMap<u64, (Ack, Mutation)>,
}

/// What one change did to its cell, as the history keeps it: the change, not the whole cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub outcome: Outcome,
    /// The value written (applied), or kept aside.
    pub value: Value,
    pub by: Authorship,
    /// The cell version the writer had seen.
    pub base: u64,
    /// The writer chose this value to settle a conflict.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub settles: bool,
}

/// One change to one cell, to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub version: u64,
    pub key: CellKey,
    pub audience: Audience,
    /// The cell as it is after this change.
    pub state: CellState,
    pub event: Event,
}

/// What a push decided, to store and to answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decided {
    /// One answer per mutation, in order.
    pub acks: Vec<Ack>,
    /// The version counter after the push (the same as before when nothing changed).
    pub head: u64,
    /// The cell changes, in version order.
    pub written: Vec<Written>,
    /// The mutations to add to the record of mutations (first seen in this push), by index, with their answers.
    pub logged: Vec<(usize, Ack)>,
}

/// Why one mutation was refused (and its whole push with it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It broke a shape rule.
    #[error("{0}")]
    Invalid(String),
    /// The writer may not make it, or the person does not exist (the two look the same from outside).
    #[error("you may not make this change")]
    Forbidden,
    /// It names a record wrongly: one that already exists, or one that does not.
    #[error("{0}")]
    Rejected(#[from] Rejection),
}

/// A refused push: which mutation, and why. Nothing of the push is stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("mutation {mutation_id} refused: {refusal}")]
pub struct Refused {
    pub mutation_id: u64,
    pub refusal: Refusal,
}

/// The people whose records a batch changes.
pub fn people_named(mutations: &[Mutation]) -> BTreeSet<UserId> {
    mutations.iter().map(|m| m.person.clone()).collect()
}

/// Does deciding this batch need the frameworks?
pub fn needs_frameworks(mutations: &[Mutation]) -> bool {
    mutations.iter().any(|m| m.change.needs_frameworks())
}

/// The cells [`decide_push`] reads for this batch: those the changes write, the records they require, and the
/// consent cells that decide what the writer may do.
pub fn cells_needed(writer: &UserId, mutations: &[Mutation]) -> BTreeSet<CellKey> {
    let mut keys = BTreeSet::new();
    for m in mutations {
        let effect = m.change.effect(&m.person);
        if let EffectMode::SetExisting { requires } = effect.mode {
            keys.insert(requires);
        }
        keys.insert(effect.key);
    }
    for person in people_named(mutations) {
        keys.extend(WriterFacts::keys(&person, writer));
    }
    keys
}

/// Versions and ids are stored as signed 64-bit numbers.
const MAX_STORED: u64 = i64::MAX as u64;

/// Decide a device's batch of mutations, all or nothing, against `cells` (at least [`cells_needed`]; updated in
/// place as the batch is decided, so it holds the new cells afterwards). A mutation this device already pushed
/// (in an earlier push or earlier in this batch) gets its first answer again and changes nothing. On a refusal
/// `cells` may hold part of the batch: the caller discards them (the server rolls its transaction back).
pub fn decide_push(
    ctx: &PushContext<'_>,
    cells: &mut HashMap<CellKey, StoredCell>,
    mutations: &[Mutation],
) -> Result<Decided, Refused> {
    let by = Authorship {
        user: ctx.pusher.user.clone(),
        name: ctx.pusher.name.clone(),
        at_ms: ctx.now_ms,
        role: Some(ctx.pusher.role),
    };
    let mut out = Decided { head: ctx.head, ..Decided::default() };
    let mut this_batch: HashMap<u64, usize> = HashMap::new();
    let mut touched: std::collections::HashSet<CellKey> = std::collections::HashSet::new();
    for (index, m) in mutations.iter().enumerate() {
        let refuse = |refusal: Refusal| Refused { mutation_id: m.id, refusal };
        let before = ctx
            .earlier
            .get(&m.id)
            .map(|(ack, body)| (*ack, body))
            .or_else(|| this_batch.get(&m.id).map(|i| (out.acks[*i], &mutations[*i])));
        if let Some((ack, body)) = before {
            // A replay must be the same edit: an id reused for a different one would otherwise be answered as done
            // while the edit itself was never stored.
            if body != m {
                return Err(refuse(Refusal::Invalid(format!(
                    "mutation {} was already used by this device for a different change",
                    m.id
                ))));
            }
            out.acks.push(ack);
            continue;
        }
        if m.id > MAX_STORED || m.base > MAX_STORED {
            return Err(refuse(Refusal::Invalid("mutation ids and bases must be below 2^63".into())));
        }
        m.validate().map_err(|e| refuse(Refusal::Invalid(e.to_string())))?;
        let standing = ctx.standing.get(&m.person).cloned().ok_or_else(|| refuse(Refusal::Forbidden))?;
        let lookup = |k: &CellKey| cells.get(k).map(|c| c.state.value.clone());
        let facts = WriterFacts::build(standing, &m.person, &lookup);
        if !facts.may_view {
            return Err(refuse(Refusal::Forbidden));
        }
        let effect = m.change.effect(&m.person);
        // A device sends one change per cell per push (the outbox holds a later one until the first is answered,
        // to base it on the result); more would only pile versions on one cell.
        if !touched.insert(effect.key.clone()) {
            return Err(refuse(Refusal::Invalid(format!(
                "mutation {} changes {} {} {} again in the same push: send it once the first is answered",
                m.id,
                effect.key.kind.as_str(),
                effect.key.record,
                effect.key.field
            ))));
        }
        let required = match &effect.mode {
            EffectMode::SetExisting { requires } => {
                Some(cells.get(requires).ok_or_else(|| refuse(Refusal::Rejected(Rejection::RecordMissing)))?)
            }
            _ => None,
        };
        let current = cells.get(&effect.key).map(|c| &c.state);
        if !m.change.may_write_over(&facts, required.map(|c| &c.state), current) {
            return Err(refuse(Refusal::Forbidden));
        }
        m.change
            .check_with(required.map(|c| &c.state), ctx.frameworks)
            .map_err(|e| refuse(Refusal::Invalid(e.to_string())))?;
        // A record's cells go to whoever receives its first cell.
        let audience = required.map_or_else(|| m.change.audience(), |c| c.audience.clone());
        let edit = Edit { base: m.base, settles: m.settles, by: by.clone(), device: &ctx.pusher.client.0 };
        let decision =
            decide(cells.get(&effect.key).map(|c| &c.state), required.map(|c| &c.state), &effect, &edit, out.head + 1)
                .map_err(|r| refuse(Refusal::Rejected(r)))?;
        let (outcome, state) = match decision {
            Decision::Applied(state) => (Outcome::Applied, state),
            Decision::KeptAside(state) => (Outcome::KeptAside, state),
            Decision::Unchanged(version) => {
                let ack = Ack { id: m.id, outcome: Outcome::Unchanged, version };
                this_batch.insert(m.id, out.acks.len());
                out.acks.push(ack);
                out.logged.push((index, ack));
                continue;
            }
        };
        out.head += 1;
        let ack = Ack { id: m.id, outcome, version: out.head };
        out.written.push(Written {
            version: out.head,
            key: effect.key.clone(),
            audience: audience.clone(),
            state: state.clone(),
            event: Event { outcome, value: effect.value, by: by.clone(), base: m.base, settles: m.settles },
        });
        cells.insert(effect.key, StoredCell { state, audience });
        this_batch.insert(m.id, out.acks.len());
        out.acks.push(ack);
        out.logged.push((index, ack));
    }
    Ok(out)
}

/// The people whose records a decided push changed, each with the highest version written for them (what the
/// live channel announces).
pub fn changed_people(decided: &Decided) -> Vec<(UserId, u64)> {
    let mut changed: BTreeMap<UserId, u64> = BTreeMap::new();
    for w in &decided.written {
        changed.insert(w.key.person.clone(), w.version);
    }
    changed.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::about_me::{AboutMeChange, AboutMeField};
    use crate::comments::CommentChange;
    use crate::consent::{ConsentChange, SharedPart};
    use crate::people::Relation;
    use crate::sync::{Change, RecordId};

    fn pusher(user: &str, role: Role) -> Pusher {
        Pusher { user: UserId(user.into()), name: user.to_uppercase(), role, client: ClientId("device-0001".into()) }
    }

    fn standing(p: &Pusher, relation: Option<Relation>, is_self: bool) -> Standing {
        Standing { user: p.user.clone(), role: p.role, is_self, relation, may_view: true }
    }

    fn mutation(id: u64, base: u64, change: impl Into<Change>) -> Mutation {
        Mutation { id, person: UserId("sam".into()), base, settles: false, made_at_ms: 0, change: change.into() }
    }

    fn hopes(text: &str) -> AboutMeChange {
        AboutMeChange::AboutMe { field: AboutMeField::MyHopes, text: text.into() }
    }

    fn run(
        p: &Pusher,
        standing: &BTreeMap<UserId, Standing>,
        cells: &mut HashMap<CellKey, StoredCell>,
        head: u64,
        earlier: &HashMap<u64, (Ack, Mutation)>,
        batch: &[Mutation],
    ) -> Result<Decided, Refused> {
        let ctx = PushContext { pusher: p, now_ms: 7, head, standing, frameworks: &[], earlier };
        decide_push(&ctx, cells, batch)
    }

    #[test]
    fn a_batch_applies_in_order_and_replays_get_their_first_answer() {
        let sam = pusher("sam", Role::ServiceUser);
        let standing = BTreeMap::from([(sam.user.clone(), standing(&sam, None, true))]);
        let mut cells = HashMap::new();
        let batch = vec![
            mutation(1, 0, hopes("A garden")),
            mutation(
                2,
                0,
                CommentChange::AddComment {
                    comment: RecordId("c1".into()),
                    text: "Hello".into(),
                    audience: Default::default(),
                },
            ),
            mutation(1, 0, hopes("A garden")),
        ];
        let d = run(&sam, &standing, &mut cells, 10, &HashMap::new(), &batch).unwrap();
        assert_eq!(d.head, 12);
        assert_eq!(
            d.acks.iter().map(|a| (a.id, a.outcome, a.version)).collect::<Vec<_>>(),
            [(1, Outcome::Applied, 11), (2, Outcome::Applied, 12), (1, Outcome::Applied, 11)]
        );
        assert_eq!(d.logged.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1], "a replay is not logged twice");
        assert_eq!(d.written.len(), 2);
        assert_eq!(d.written[0].event.value, Value::String("A garden".into()));
        assert_eq!(changed_people(&d), [(UserId("sam".into()), 12)]);

        // The same id for a different edit is refused, and the whole push with it.
        let earlier = HashMap::from([(1, (d.acks[0], batch[0].clone()))]);
        let reused = vec![mutation(3, 0, hopes("x")), mutation(1, 0, hopes("Something else"))];
        let err = run(&sam, &standing, &mut cells.clone(), 12, &earlier, &reused).unwrap_err();
        assert_eq!(err.mutation_id, 1);
        assert!(matches!(err.refusal, Refusal::Invalid(_)));
    }

    #[test]
    fn refusals_name_the_mutation() {
        let carer = pusher("gareth", Role::Carer);
        let standing = BTreeMap::from([(UserId("sam".into()), standing(&carer, Some(Relation::Carer), false))]);
        let mut cells = HashMap::new();
        let err = run(&carer, &standing, &mut cells, 0, &HashMap::new(), &[mutation(4, 0, hopes("x"))]).unwrap_err();
        assert_eq!(err, Refused { mutation_id: 4, refusal: Refusal::Forbidden });
        let nobody = BTreeMap::new();
        let err = run(&carer, &nobody, &mut cells, 0, &HashMap::new(), &[mutation(5, 0, hopes("x"))]).unwrap_err();
        assert_eq!(err.refusal, Refusal::Forbidden, "an unknown person looks the same as a forbidden one");
        let missing = mutation(6, 0, CommentChange::RemoveComment { comment: RecordId("nope".into()) });
        let sam = pusher("sam", Role::ServiceUser);
        let own = BTreeMap::from([(sam.user.clone(), self::standing(&sam, None, true))]);
        let err = run(&sam, &own, &mut cells, 0, &HashMap::new(), &[missing]).unwrap_err();
        assert_eq!(err.refusal, Refusal::Rejected(Rejection::RecordMissing));
        let huge = Mutation { id: u64::MAX, ..mutation(0, 0, hopes("x")) };
        assert!(matches!(
            run(&sam, &own, &mut cells, 0, &HashMap::new(), &[huge]).unwrap_err().refusal,
            Refusal::Invalid(_)
        ));
    }

    #[test]
    fn consent_written_earlier_in_a_batch_decides_what_follows() {
        // The care team records that the person cannot decide for now, then shares in their best interests.
        let kw = pusher("owen", Role::KeyWorker);
        let standing = BTreeMap::from([(UserId("sam".into()), standing(&kw, Some(Relation::KeyWorker), false))]);
        let share = ConsentChange::Share {
            part: SharedPart::Tracker,
            carer: UserId("gareth".into()),
            share: true,
            review_by: None,
        };
        let mut cells = HashMap::new();
        let alone = run(&kw, &standing, &mut cells, 0, &HashMap::new(), &[mutation(1, 0, share.clone())]);
        assert_eq!(alone.unwrap_err().refusal, Refusal::Forbidden);
        let batch = vec![
            mutation(1, 0, ConsentChange::Capacity { lacks: true, reason: "Very unwell this week".into() }),
            mutation(2, 0, share),
        ];
        let keys = cells_needed(&kw.user, &batch);
        assert!(keys.iter().any(|k| k.field == "capacity"));
        let d = run(&kw, &standing, &mut cells, 0, &HashMap::new(), &batch).unwrap();
        assert_eq!(d.written.len(), 2);
        assert_eq!(d.written[0].audience, Audience::CareTeam);
    }

    #[test]
    fn a_push_changes_each_cell_once() {
        let sam = pusher("sam", Role::ServiceUser);
        let standing = BTreeMap::from([(sam.user.clone(), standing(&sam, None, true))]);
        let mut cells = HashMap::new();
        let twice = vec![mutation(1, 0, hopes("a")), mutation(2, 0, hopes("b"))];
        let err = run(&sam, &standing, &mut cells, 0, &HashMap::new(), &twice).unwrap_err();
        assert_eq!(err.mutation_id, 2);
        assert!(
            matches!(err.refusal, Refusal::Invalid(ref m) if m.contains("about_me") && m.contains("my_hopes")),
            "{err}"
        );
    }
}
