//! Seeded simulated-network tests of the sync engine (in the spirit of y-crdt's `yrs/src/test_utils.rs`).
//!
//! Several devices edit one person's record through the real device code ([`Outbox`], [`Replica`]) and a model
//! server that runs the real decision ([`decide`]) the way the server's store does (one batch at a time, replays
//! answered from the record of mutations). The network loses, repeats and reorders messages; devices go offline,
//! crash between their local write and their push, and the server restarts (losing everything in flight). After
//! the world quiesces we check:
//!
//! - every device's copy equals the server's, and no device has anything left to send;
//! - no edit a device recorded is lost, and each acknowledgement tells the truth about the log;
//! - replayed pushes change nothing (one logged event per applied or kept-aside mutation);
//! - every edit made without seeing another device's newer value was kept aside as a conflict (never silently
//!   overwrote it, never silently lost), and every value kept aside is still there unless someone settled it.
//!
//! `WAYMARK_SIM_SEEDS` sets how many seeds run (default 3,000); `WAYMARK_SIM_SEED` runs one seed, for debugging.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use waymark_shared::UserId;
use waymark_shared::sync::{
    AboutMeField, Ack, Authorship, CellKey, CellState, Change, ClientId, Decision, EffectMode,
    Kind, Mutation, Outbox, Outcome, PullResponse, PushResponse, RecordId, Replica, SyncEvent,
    decide,
};

/// splitmix64: small, seedable, good enough to drive a simulation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What the model server remembers about each logged event, for the checks.
#[derive(Clone, Debug)]
struct EventMeta {
    client: ClientId,
    outcome: Outcome,
    settles: bool,
}

/// The server: cells, the event log (version = position + 1), and the record of mutations for idempotency.
#[derive(Default)]
struct Server {
    cells: BTreeMap<CellKey, CellState>,
    events: Vec<SyncEvent>,
    meta: Vec<EventMeta>,
    done: HashMap<(ClientId, u64), Ack>,
    received: HashMap<(ClientId, u64), Mutation>,
    replays: usize,
}

impl Server {
    fn head(&self) -> u64 {
        self.events.len() as u64
    }

    /// Apply a push the way the store does: in order, replays answered from the record, each decided alone.
    fn push(&mut self, client: &ClientId, author: &UserId, mutations: &[Mutation]) -> PushResponse {
        let mut acks = Vec::new();
        for m in mutations {
            if let Some(ack) = self.done.get(&(client.clone(), m.id)) {
                // The server refuses an id reused for a different edit; the device must never send one (its
                // rebasing only ever touches edits it has not sent yet).
                assert_eq!(
                    self.received[&(client.clone(), m.id)],
                    *m,
                    "a replay differs from what was first sent"
                );
                self.replays += 1;
                acks.push(*ack);
                continue;
            }
            self.received.insert((client.clone(), m.id), m.clone());
            m.validate().expect("the devices only record valid changes");
            let effect = m.change.effect(&m.person);
            let required = match &effect.mode {
                EffectMode::SetExisting { requires } => self.cells.get(requires).cloned(),
                _ => None,
            };
            let current = self.cells.get(&effect.key).cloned();
            let current = current.as_ref();
            let by = Authorship {
                user: author.clone(),
                name: author.0.to_uppercase(),
                at_ms: self.head() as i64,
            };
            let next = self.head() + 1;
            let decision = decide(
                current,
                required.as_ref(),
                &effect,
                m.base,
                m.settles,
                by,
                next,
            )
            .unwrap_or_else(|e| panic!("refused {m:?}: {e}"));

            // The oracle, computed from the log rather than from `decide`: did another device change this cell's
            // value (or keep a value aside on it) after the version this edit was based on?
            let moved_by_others = self.events.iter().zip(&self.meta).any(|(e, meta)| {
                e.key == effect.key && e.cell.version > m.base && meta.client != *client
            });
            let own_kept_aside = self.events.iter().zip(&self.meta).any(|(e, meta)| {
                e.key == effect.key
                    && e.cell.version > m.base
                    && meta.client == *client
                    && meta.outcome == Outcome::KeptAside
            });
            let differs = current.is_some_and(|c| c.value != effect.value);
            let creates = matches!(effect.mode, EffectMode::Create);

            let decision_kind = match &decision {
                Decision::Applied(_) => Outcome::Applied,
                Decision::KeptAside(_) => Outcome::KeptAside,
                Decision::Unchanged(_) => Outcome::Unchanged,
            };
            let (outcome, version) = match decision {
                Decision::Applied(cell) | Decision::KeptAside(cell) => {
                    let outcome = if matches!(decision_kind, Outcome::Applied) {
                        Outcome::Applied
                    } else {
                        Outcome::KeptAside
                    };
                    self.cells.insert(effect.key.clone(), cell.clone());
                    self.events.push(SyncEvent {
                        key: effect.key.clone(),
                        cell,
                    });
                    self.meta.push(EventMeta {
                        client: client.clone(),
                        outcome,
                        settles: m.settles,
                    });
                    (outcome, next)
                }
                Decision::Unchanged(v) => (Outcome::Unchanged, v),
            };
            if moved_by_others && differs && !creates {
                assert_eq!(
                    outcome,
                    Outcome::KeptAside,
                    "an edit made without seeing a newer value overwrote it: {m:?}"
                );
            }
            if outcome == Outcome::KeptAside {
                // No spurious conflicts: a device's own edits follow each other, so an edit is only kept aside when
                // another device moved the cell, or this device's own earlier edit to it was itself kept aside.
                assert!(
                    moved_by_others || own_kept_aside,
                    "a device's edit conflicted with its own earlier edit: {m:?}"
                );
            }
            let ack = Ack {
                id: m.id,
                outcome,
                version,
            };
            self.done.insert((client.clone(), m.id), ack);
            acks.push(ack);
        }
        PushResponse { acks }
    }

    /// A pull as the store answers it: the cells changed after the cursor, each as it now is, oldest change first
    /// (a compacted log). Cells changed between pages move past the head and come with a later page.
    fn pull(&self, since: u64, limit: usize) -> PullResponse {
        let head = self.head();
        let mut changed: Vec<SyncEvent> = self
            .cells
            .iter()
            .filter(|(_, c)| c.version > since && c.version <= head)
            .map(|(k, c)| SyncEvent {
                key: k.clone(),
                cell: c.clone(),
            })
            .collect();
        changed.sort_by_key(|e| e.cell.version);
        let more = changed.len() > limit;
        changed.truncate(limit);
        let cursor = if more {
            changed.last().map_or(head, |e| e.cell.version)
        } else {
            head
        };
        PullResponse {
            schema: 1,
            events: changed,
            cursor,
            more,
            scope: "everyone".into(),
            reset: false,
        }
    }
}

/// A device: its durable state (replica and outbox, saved before anything is shown) and what is in flight.
struct Device {
    client: ClientId,
    user: UserId,
    replica: Replica,
    outbox: Outbox,
    online: bool,
    /// Bumped by a crash: replies to requests sent before it are never read.
    epoch: u64,
    push_in_flight: bool,
    pull_in_flight: bool,
    /// Every edit this device recorded (and so told its user was saved): id, cell, value.
    recorded: Vec<(u64, CellKey, Value)>,
    comments: Vec<RecordId>,
    removed: HashSet<RecordId>,
}

enum Message {
    PushRequest {
        device: usize,
        epoch: u64,
        mutations: Vec<Mutation>,
    },
    PushReply {
        device: usize,
        epoch: u64,
        reply: PushResponse,
    },
    PullRequest {
        device: usize,
        epoch: u64,
        since: u64,
    },
    PullReply {
        device: usize,
        epoch: u64,
        since: u64,
        reply: PullResponse,
    },
}

impl Message {
    fn device(&self) -> usize {
        match self {
            Message::PushRequest { device, .. }
            | Message::PushReply { device, .. }
            | Message::PullRequest { device, .. }
            | Message::PullReply { device, .. } => *device,
        }
    }
}

const PULL_PAGE: usize = 7;
const PUSH_BATCH: usize = 5;
const WORDS: [&str; 4] = ["garden", "music", "family", "walking"];

struct World {
    rng: Rng,
    server: Server,
    devices: Vec<Device>,
    network: Vec<Message>,
    person: UserId,
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng(seed);
        let person = UserId("sam".into());
        // Some users have two devices (the same person on a shared tablet and a phone).
        let users = ["sam", "kw", "sam", "kw", "carer"];
        let n = 2 + rng.below(4);
        let devices = (0..n)
            .map(|i| Device {
                client: ClientId(format!("device-{i:04}")),
                user: UserId(users[i].into()),
                replica: Replica::default(),
                outbox: Outbox::default(),
                online: true,
                epoch: 0,
                push_in_flight: false,
                pull_in_flight: false,
                recorded: vec![],
                comments: vec![],
                removed: HashSet::new(),
            })
            .collect();
        World {
            rng,
            server: Server::default(),
            devices,
            network: vec![],
            person,
        }
    }

    fn record(&mut self, d: usize, change: Change, settles: bool) {
        let person = self.person.clone();
        let dev = &mut self.devices[d];
        let p = dev
            .outbox
            .record(&dev.replica, &person, change, settles, 0)
            .expect("valid change");
        dev.recorded
            .push((p.mutation.id, p.key.clone(), p.value.clone()));
    }

    /// A person does something on device `d`.
    fn act(&mut self, d: usize) {
        let fields = [AboutMeField::MyHopes, AboutMeField::MyStrengths];
        match self.rng.below(10) {
            0..=5 => {
                let field = fields[self.rng.below(2)];
                let text = WORDS[self.rng.below(WORDS.len())].to_owned();
                self.record(d, Change::AboutMe { field, text }, false);
            }
            6 => {
                let id = RecordId(format!("c-{d}-{}", self.devices[d].comments.len()));
                self.devices[d].comments.push(id.clone());
                self.record(
                    d,
                    Change::AddComment {
                        comment: id,
                        text: "well done".into(),
                    },
                    false,
                );
            }
            7 => {
                let dev = &self.devices[d];
                if dev.comments.is_empty() {
                    return;
                }
                let id = dev.comments[self.rng.below(dev.comments.len())].clone();
                let change = if self.devices[d].removed.remove(&id) {
                    Change::RestoreComment { comment: id }
                } else {
                    self.devices[d].removed.insert(id.clone());
                    Change::RemoveComment { comment: id }
                };
                self.record(d, change, false);
            }
            _ => self.settle_a_conflict(d),
        }
    }

    /// Settle a conflict this device can see (and is not already editing): keep one value, or combine them.
    fn settle_a_conflict(&mut self, d: usize) {
        let dev = &self.devices[d];
        let Some((key, cell)) = dev
            .replica
            .cells
            .iter()
            .find(|(k, c)| {
                k.kind == Kind::AboutMe
                    && c.in_conflict()
                    && dev.outbox.pending_for(k).next().is_none()
            })
            .map(|(k, c)| (k.clone(), c.clone()))
        else {
            return;
        };
        let field = AboutMeField::parse(&key.field).expect("an About me field");
        let mut candidates: Vec<String> = vec![cell.value.as_str().unwrap().to_owned()];
        candidates.extend(
            cell.kept
                .iter()
                .map(|k| k.value.as_str().unwrap().to_owned()),
        );
        let text = if self.rng.chance(30) {
            candidates.join(" and ")
        } else {
            candidates[self.rng.below(candidates.len())].clone()
        };
        self.record(d, Change::AboutMe { field, text }, true);
    }

    fn start_push(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        if !dev.online || dev.push_in_flight {
            return;
        }
        let mutations = dev.outbox.batch(PUSH_BATCH);
        if mutations.is_empty() {
            return;
        }
        dev.outbox
            .mark_attempted(&mutations.iter().map(|m| m.id).collect::<Vec<_>>());
        dev.push_in_flight = true;
        self.network.push(Message::PushRequest {
            device: d,
            epoch: dev.epoch,
            mutations,
        });
    }

    fn start_pull(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        if !dev.online || dev.pull_in_flight {
            return;
        }
        dev.pull_in_flight = true;
        self.network.push(Message::PullRequest {
            device: d,
            epoch: dev.epoch,
            since: dev.replica.cursor,
        });
    }

    /// Deliver one message (any of those in flight: the network reorders).
    fn deliver(&mut self, lossy: bool) {
        if self.network.is_empty() {
            return;
        }
        let i = self.rng.below(self.network.len());
        // Sometimes deliver a copy and leave the message in flight, to be delivered again.
        let message = if lossy && self.rng.chance(10) {
            self.clone_message(i)
        } else {
            self.network.swap_remove(i)
        };
        let d = message.device();
        if !self.devices[d].online || (lossy && self.rng.chance(10)) {
            return; // dropped
        }
        match message {
            Message::PushRequest {
                device,
                epoch,
                mutations,
            } => {
                let (client, user) = (
                    self.devices[device].client.clone(),
                    self.devices[device].user.clone(),
                );
                let reply = self.server.push(&client, &user, &mutations);
                self.network.push(Message::PushReply {
                    device,
                    epoch,
                    reply,
                });
            }
            Message::PullRequest {
                device,
                epoch,
                since,
            } => {
                let reply = self.server.pull(since, PULL_PAGE);
                self.network.push(Message::PullReply {
                    device,
                    epoch,
                    since,
                    reply,
                });
            }
            Message::PushReply {
                device,
                epoch,
                reply,
            } => {
                let dev = &mut self.devices[device];
                if epoch != dev.epoch {
                    return;
                }
                dev.push_in_flight = false;
                for ack in reply.acks {
                    dev.outbox.acknowledge(ack);
                }
            }
            Message::PullReply {
                device,
                epoch,
                since,
                reply,
            } => {
                let dev = &mut self.devices[device];
                if epoch != dev.epoch {
                    return;
                }
                dev.pull_in_flight = false;
                if dev.replica.apply_pull(since, &reply).is_some() {
                    dev.outbox.settle_with(&dev.replica);
                    if reply.more {
                        self.start_pull(device);
                    }
                }
            }
        }
    }

    fn clone_message(&self, i: usize) -> Message {
        match &self.network[i] {
            Message::PushRequest {
                device,
                epoch,
                mutations,
            } => Message::PushRequest {
                device: *device,
                epoch: *epoch,
                mutations: mutations.clone(),
            },
            Message::PushReply {
                device,
                epoch,
                reply,
            } => Message::PushReply {
                device: *device,
                epoch: *epoch,
                reply: reply.clone(),
            },
            Message::PullRequest {
                device,
                epoch,
                since,
            } => Message::PullRequest {
                device: *device,
                epoch: *epoch,
                since: *since,
            },
            Message::PullReply {
                device,
                epoch,
                since,
                reply,
            } => Message::PullReply {
                device: *device,
                epoch: *epoch,
                since: *since,
                reply: reply.clone(),
            },
        }
    }

    fn step(&mut self) {
        let d = self.rng.below(self.devices.len());
        match self.rng.below(100) {
            0..=29 => self.act(d),
            30..=44 => self.start_push(d),
            45..=59 => self.start_pull(d),
            60..=89 => self.deliver(true),
            90..=93 => self.devices[d].online = !self.devices[d].online,
            94..=95 => {
                // A request timed out: the device may ask again (its old reply may still arrive).
                self.devices[d].push_in_flight = false;
                self.devices[d].pull_in_flight = false;
            }
            96..=97 => {
                // The device crashes. Its outbox and replica were saved before anything was shown, so they
                // survive; what was in flight for it is never read.
                let dev = &mut self.devices[d];
                dev.epoch += 1;
                dev.push_in_flight = false;
                dev.pull_in_flight = false;
            }
            _ => {
                // The server restarts: committed state stays, every connection is lost.
                self.network.clear();
                for dev in &mut self.devices {
                    dev.push_in_flight = false;
                    dev.pull_in_flight = false;
                }
            }
        }
    }

    /// Everyone comes online, the network stops losing things, and devices sync until nothing is left.
    fn quiesce(&mut self) {
        for dev in &mut self.devices {
            dev.online = true;
        }
        for _round in 0..10_000 {
            while !self.network.is_empty() {
                self.deliver(false);
            }
            let settled = self
                .devices
                .iter()
                .all(|d| d.outbox.items.is_empty() && d.replica.cursor == self.server.head());
            if settled {
                return;
            }
            for d in 0..self.devices.len() {
                self.devices[d].push_in_flight = false;
                self.devices[d].pull_in_flight = false;
                self.start_push(d);
                self.start_pull(d);
            }
        }
        panic!("the devices never caught up");
    }

    fn check(&self) {
        let server = &self.server;
        for dev in &self.devices {
            assert_eq!(
                dev.replica.cursor,
                server.head(),
                "{} is not caught up",
                dev.client.0
            );
            assert!(
                dev.replica.cells == server.cells,
                "{}'s copy differs from the server's",
                dev.client.0
            );
            assert!(
                dev.outbox.items.is_empty(),
                "{} still has edits waiting",
                dev.client.0
            );
            for (id, key, value) in &dev.recorded {
                let ack = server
                    .done
                    .get(&(dev.client.clone(), *id))
                    .unwrap_or_else(|| {
                        panic!(
                            "{} recorded edit {id} but the server never received it",
                            dev.client.0
                        )
                    });
                let at = |v: u64| &server.events[(v - 1) as usize];
                match ack.outcome {
                    Outcome::Applied => {
                        assert_eq!(
                            (&at(ack.version).key, &at(ack.version).cell.value),
                            (key, value)
                        );
                    }
                    Outcome::KeptAside => {
                        let event = at(ack.version);
                        assert_eq!(&event.key, key);
                        assert_eq!(&event.cell.kept.last().unwrap().value, value);
                        // Still kept, unless someone settled the cell afterwards.
                        let still_kept = server.cells[key].kept.iter().any(|k| &k.value == value);
                        let settled_later = server.events.iter().zip(&server.meta).any(|(e, m)| {
                            &e.key == key
                                && e.cell.version > ack.version
                                && m.settles
                                && m.outcome == Outcome::Applied
                        });
                        assert!(
                            still_kept || settled_later,
                            "a kept-aside value vanished without being settled"
                        );
                    }
                    Outcome::Unchanged => {
                        let held = server
                            .events
                            .iter()
                            .find(|e| &e.key == key && e.cell.version == ack.version);
                        assert_eq!(held.map(|e| &e.cell.value), Some(value));
                    }
                }
            }
        }
        let changing = server
            .done
            .values()
            .filter(|a| a.outcome != Outcome::Unchanged)
            .count();
        assert_eq!(
            server.events.len(),
            changing,
            "one event per applied or kept-aside mutation, replays add none"
        );
    }
}

#[derive(Default)]
struct Totals {
    edits: usize,
    replays: usize,
    conflicts: usize,
    settled: usize,
}

fn run(seed: u64, totals: &mut Totals) {
    let mut world = World::new(seed);
    let steps = 100 + world.rng.below(400);
    for _ in 0..steps {
        world.step();
    }
    world.quiesce();
    world.check();
    totals.edits += world
        .devices
        .iter()
        .map(|d| d.recorded.len())
        .sum::<usize>();
    totals.replays += world.server.replays;
    totals.conflicts += world
        .server
        .meta
        .iter()
        .filter(|m| m.outcome == Outcome::KeptAside)
        .count();
    totals.settled += world.server.meta.iter().filter(|m| m.settles).count();
}

#[test]
fn every_replica_converges_and_nothing_acknowledged_is_lost_under_a_hostile_network() {
    let seeds: Vec<u64> = match std::env::var("WAYMARK_SIM_SEED") {
        Ok(one) => vec![one.parse().expect("WAYMARK_SIM_SEED is a number")],
        Err(_) => {
            let n = std::env::var("WAYMARK_SIM_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(3_000);
            (0..n).collect()
        }
    };
    let mut totals = Totals::default();
    for &seed in &seeds {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(seed, &mut totals)));
        if let Err(panic) = outcome {
            eprintln!("sync simulation failed for seed {seed}; rerun with WAYMARK_SIM_SEED={seed}");
            std::panic::resume_unwind(panic);
        }
    }
    eprintln!(
        "{} seeds: {} edits, {} replays, {} conflicts kept aside, {} settles",
        seeds.len(),
        totals.edits,
        totals.replays,
        totals.conflicts,
        totals.settled
    );
    // The scenario must actually exercise what it claims to.
    if seeds.len() >= 100 {
        assert!(totals.replays > 0 && totals.conflicts > 0 && totals.settled > 0);
    }
}
