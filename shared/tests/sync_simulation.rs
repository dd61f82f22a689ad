//! Seeded simulated-network tests of the sync engine (in the spirit of y-crdt's `yrs/src/test_utils.rs`).
//!
//! Several devices (the person, their key worker, their carer; some people on two devices) edit one person's
//! record through the real device code ([`Outbox`], [`Replica`]) and a server that runs the real push decision
//! ([`decide_push`], the function the server's store calls) and answers pulls the way the store does: only what
//! each viewer may receive ([`Reach`]), starting a device again when what it may receive changed. Every kind of
//! change is made: About me, comments, readings, goals, plan items, sharing with the carer, capacity, and the
//! settling of conflicts. The network loses, repeats and reorders messages; devices go offline, crash between their
//! local write and their push, and the server restarts. After the world quiesces we check:
//!
//! - every device's copy equals what the server holds that its user may receive, and nothing is left to send;
//! - no edit a device recorded is lost: each was acknowledged truthfully, or refused and kept on the device for its
//!   person to see (a refusal only ever because permission changed meanwhile, or the record it edits was refused);
//! - replayed pushes change nothing (one logged event per applied or kept-aside mutation);
//! - every edit made without seeing another device's newer value was kept aside as a conflict (never silently
//!   overwrote it), except a withdrawal of consent, which applies at once; every value kept aside is still there
//!   unless someone settled it or its own device replaced it with a newer one;
//! - at no time does a carer's copy hold any of a part of the record that is not shared with them (checked after
//!   every pull page a carer's device applies), and once a withdrawal is acknowledged the carer's next pull holds
//!   none of that part.
//!
//! `WAYMARK_SIM_SEEDS` sets how many seeds run (default 10,000); `WAYMARK_SIM_SEED` runs one seed, for debugging.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use waymark_shared::about_me::{AboutMeChange, AboutMeField};
use waymark_shared::comments::{CommentAudience, CommentChange};
use waymark_shared::consent::{ConsentChange, Reach, SharedPart, Standing, WriterFacts, sharing_key};
use waymark_shared::outcomes::{AreaId, Framework, built_in};
use waymark_shared::plan::{PlanChange, PlanSection, Setting};
use waymark_shared::sync::change::EffectMode;
use waymark_shared::sync::push::{Written, changed_people};
use waymark_shared::sync::{
    Ack, Authorship, CellKey, CellState, Change, ClientId, Kind, Mutation, Outbox, Outcome, PullResponse, PushContext,
    PushResponse, Pusher, RecordId, Refusal, Refused, Replica, StoredCell, SyncEvent, decide_push, scope_fingerprint,
};
use waymark_shared::tracker::{GoalStatus, Rater, TrackerChange};
use waymark_shared::{Relation, Role, UserId};

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
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PERSON: &str = "sam";
const CARER: &str = "carer";

fn person() -> UserId {
    UserId(PERSON.into())
}

/// Each user's standing towards the person.
fn standing(user: &UserId) -> Standing {
    let (role, relation) = match user.0.as_str() {
        PERSON => (Role::ServiceUser, None),
        "kw" => (Role::KeyWorker, Some(Relation::KeyWorker)),
        CARER => (Role::Carer, Some(Relation::Carer)),
        other => panic!("unknown user {other}"),
    };
    Standing { user: user.clone(), role, is_self: user.0 == PERSON, relation, may_view: true }
}

/// What the model server remembers about each logged event, for the checks.
#[derive(Clone, Debug)]
struct EventMeta {
    client: ClientId,
    outcome: Outcome,
    settles: bool,
    narrows: bool,
}

/// The server: cells, the event log (version = position + 1), and the record of mutations for idempotency.
#[derive(Default)]
struct Server {
    cells: HashMap<CellKey, StoredCell>,
    events: Vec<Written>,
    meta: Vec<EventMeta>,
    done: HashMap<(ClientId, u64), Ack>,
    received: HashMap<(ClientId, u64), Mutation>,
    /// The oracle's own idea of each cell's value, from the log.
    values: HashMap<CellKey, Value>,
    replays: usize,
    refusals: usize,
    frameworks: Vec<Framework>,
}

impl Server {
    fn head(&self) -> u64 {
        self.events.len() as u64
    }

    /// What `viewer`'s devices receive: computed the way the store computes its scope.
    fn reach(&self, viewer: &UserId) -> Reach {
        let s = standing(viewer);
        let lookup = |k: &CellKey| self.cells.get(k).map(|c| c.state.value.clone());
        let facts = WriterFacts::build(s, &person(), &lookup);
        Reach::of(&facts)
    }

    fn fingerprint(&self, viewer: &UserId) -> String {
        let reach = self.reach(viewer);
        let p = person();
        let shared: Vec<(&UserId, SharedPart)> = reach.carer_parts().iter().map(|part| (&p, *part)).collect();
        scope_fingerprint([&p], reach.staff, shared)
    }

    /// A push, decided by the real function; the oracle checks each outcome against the log.
    fn push(&mut self, client: &ClientId, author: &UserId, mutations: &[Mutation]) -> Result<PushResponse, Refused> {
        let earlier: HashMap<u64, (Ack, Mutation)> = mutations
            .iter()
            .filter_map(|m| {
                let key = (client.clone(), m.id);
                Some((m.id, (*self.done.get(&key)?, self.received[&key].clone())))
            })
            .collect();
        let s = standing(author);
        let pusher =
            Pusher { user: author.clone(), name: author.0.to_uppercase(), role: s.role, client: client.clone() };
        let standing_map = BTreeMap::from([(person(), s)]);
        let ctx = PushContext {
            pusher: &pusher,
            now_ms: self.head() as i64,
            head: self.head(),
            standing: &standing_map,
            frameworks: &self.frameworks,
            earlier: &earlier,
        };
        let mut cells = self.cells.clone();
        let decided = match decide_push(&ctx, &mut cells, mutations) {
            Ok(d) => d,
            Err(refused) => {
                assert!(
                    matches!(
                        refused.refusal,
                        Refusal::Forbidden | Refusal::Rejected(waymark_shared::sync::decide::Rejection::RecordMissing)
                    ),
                    "a device recorded an edit the server finds malformed: {refused:?}"
                );
                self.refusals += 1;
                return Err(refused);
            }
        };
        assert!(changed_people(&decided).iter().all(|(p, v)| *p == person() && *v == decided.head));
        let mut written = decided.written.iter();
        for (index, ack) in &decided.logged {
            let m = &mutations[*index];
            let key = (client.clone(), m.id);
            assert!(!self.done.contains_key(&key), "a replay was logged again");
            self.received.insert(key.clone(), m.clone());
            self.done.insert(key, *ack);
            let effect = m.change.effect(&m.person);
            // The oracle, computed from the log rather than from the decision: did another device change this cell
            // (or keep a value aside on it) after the version this edit was based on?
            let moved_by_others = self
                .events
                .iter()
                .zip(&self.meta)
                .any(|(e, meta)| e.key == effect.key && e.version > m.base && meta.client != *client);
            let own_kept_aside = self.events.iter().zip(&self.meta).any(|(e, meta)| {
                e.key == effect.key
                    && e.version > m.base
                    && meta.client == *client
                    && meta.outcome == Outcome::KeptAside
            });
            let differs = self.values.get(&effect.key).is_some_and(|v| *v != effect.value);
            let creates = matches!(effect.mode, EffectMode::Create);
            let narrows = narrows(&m.change);
            assert_eq!(narrows, m.change.narrows());
            if moved_by_others && differs && !creates {
                let expected = if narrows { Outcome::Applied } else { Outcome::KeptAside };
                assert_eq!(ack.outcome, expected, "an edit made without seeing a newer value: {m:?}");
            }
            if ack.outcome == Outcome::KeptAside {
                // No spurious conflicts: a device's own edits follow each other.
                assert!(
                    moved_by_others || own_kept_aside,
                    "a device's edit conflicted with its own earlier edit: {m:?}"
                );
                assert!(!narrows, "a withdrawal of consent was kept aside: {m:?}");
            }
            if ack.outcome != Outcome::Unchanged {
                let w = written.next().expect("one written change per applied or kept-aside mutation");
                assert_eq!((w.version, &w.key), (ack.version, &effect.key));
                if ack.outcome == Outcome::Applied {
                    self.values.insert(w.key.clone(), w.state.value.clone());
                }
                self.events.push(w.clone());
                self.meta.push(EventMeta { client: client.clone(), outcome: ack.outcome, settles: m.settles, narrows });
            }
        }
        assert!(written.next().is_none());
        for (index, m) in mutations.iter().enumerate() {
            if !decided.logged.iter().any(|(i, _)| *i == index) {
                self.replays += 1;
                assert!(self.done.contains_key(&(client.clone(), m.id)));
            }
        }
        self.cells = cells;
        Ok(PushResponse { acks: decided.acks })
    }

    /// A pull as the store answers it: the cells `viewer` may receive changed after the cursor, each as it now is,
    /// oldest change first (a compacted log); the whole copy again when what they may receive changed.
    fn pull(&self, viewer: &UserId, since: u64, scope: Option<&str>, limit: usize) -> (PullResponse, Reach) {
        let head = self.head();
        let reach = self.reach(viewer);
        let fingerprint = self.fingerprint(viewer);
        let reset = match scope {
            Some(s) => s != fingerprint,
            None => since > 0,
        } || since > head;
        let since = if reset { 0 } else { since };
        let mut changed: Vec<SyncEvent> = self
            .cells
            .iter()
            .filter(|(_, c)| c.state.version > since && c.state.version <= head && reach.receives(&c.audience))
            .map(|(k, c)| SyncEvent { key: k.clone(), cell: reach.shown(&c.state) })
            .collect();
        changed.sort_by_key(|e| e.cell.version);
        let more = changed.len() > limit;
        changed.truncate(limit);
        let cursor = if more { changed.last().map_or(head, |e| e.cell.version) } else { head };
        (PullResponse { schema: 1, events: changed, cursor, more, scope: fingerprint, reset }, reach)
    }

    /// What `viewer` may hold now: every cell they receive, as they receive it.
    fn visible_to(&self, viewer: &UserId) -> BTreeMap<CellKey, CellState> {
        let reach = self.reach(viewer);
        self.cells
            .iter()
            .filter(|(_, c)| reach.receives(&c.audience))
            .map(|(k, c)| (k.clone(), reach.shown(&c.state)))
            .collect()
    }
}

/// The oracle of what reaches the carer, written from the rules in plain words rather than through [`Reach`]: staff-
/// only data and what is for the care team never; a shared part only while its sharing cell for this carer says
/// so; the person's decisions about sharing only those about this carer.
fn carer_may_hold(server: &Server, key: &CellKey, carer: &UserId) -> bool {
    let shared = |part: SharedPart| {
        server
            .cells
            .get(&sharing_key(&person(), part, carer))
            .and_then(|c| c.state.value.get("share").and_then(Value::as_bool))
            .unwrap_or(false)
    };
    let Some(cell) = server.cells.get(key) else { return false };
    match key.kind {
        Kind::AboutMe => shared(SharedPart::AboutMe),
        Kind::Comment => {
            // A comment's audience is chosen when it is written: find the change that wrote its text.
            let first = CellKey::new(&person(), Kind::Comment, &key.record, "text");
            server.received.values().any(|m| {
                matches!(&m.change, Change::Comment(CommentChange::AddComment { comment, audience: CommentAudience::Shared, .. })
                    if m.change.effect(&person()).key == first && *comment == key.record)
            }) && shared(SharedPart::Comments)
        }
        Kind::Reading | Kind::Goal | Kind::Step => shared(SharedPart::Tracker),
        Kind::Sharing => key.field == carer.0,
        Kind::PlanItem => {
            let opened = server.cells.get(&CellKey::new(&person(), Kind::PlanItem, &key.record, "opened"));
            let section = opened.and_then(|c| c.state.value.get("section").and_then(Value::as_str).map(str::to_owned));
            match section.as_deref() {
                None | Some("staff_only") => false,
                Some(s) => SharedPart::parse(&format!("plan_{s}")).is_some_and(shared),
            }
        }
        Kind::Plan => key.field == "setting" && shared(SharedPart::Plan(PlanSection::Contacts)),
        // Privacy by default: a kind of data this oracle does not know reaches no carer.
        #[allow(unreachable_patterns)]
        _ => false,
    }
    .then_some(cell)
    .is_some()
}

/// Does this change only ever narrow what people receive? (Written out, not asked of the change.)
fn narrows(change: &Change) -> bool {
    matches!(
        change,
        Change::Consent(ConsentChange::Share { share: false, .. } | ConsentChange::Capacity { lacks: true, .. })
    )
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
    /// Every edit this device recorded (and so told its user was saved): id, cell, value, made as a withdrawal.
    recorded: Vec<(u64, CellKey, Value)>,
    /// Edits the server refused: out of the outbox, kept for the person to see.
    refused: Vec<u64>,
    made: usize,
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
        reply: Result<PushResponse, Refused>,
    },
    PullRequest {
        device: usize,
        epoch: u64,
        since: u64,
        scope: Option<String>,
    },
    PullReply {
        device: usize,
        epoch: u64,
        since: u64,
        reply: PullResponse,
        reach: Reach,
        allowed: Option<BTreeSet<CellKey>>,
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

    fn copy(&self) -> Message {
        match self {
            Message::PushRequest { device, epoch, mutations } => {
                Message::PushRequest { device: *device, epoch: *epoch, mutations: mutations.clone() }
            }
            Message::PushReply { device, epoch, reply } => {
                Message::PushReply { device: *device, epoch: *epoch, reply: reply.clone() }
            }
            Message::PullRequest { device, epoch, since, scope } => {
                Message::PullRequest { device: *device, epoch: *epoch, since: *since, scope: scope.clone() }
            }
            Message::PullReply { device, epoch, since, reply, reach, allowed } => Message::PullReply {
                device: *device,
                epoch: *epoch,
                since: *since,
                reply: reply.clone(),
                reach: reach.clone(),
                allowed: allowed.clone(),
            },
        }
    }
}

const PULL_PAGE: usize = 7;
const PUSH_BATCH: usize = 5;
const WORDS: [&str; 4] = ["garden", "music", "family", "walking"];
const AREAS: [&str; 2] = ["mental_wellbeing", "hope_and_trust"];
const PARTS: [SharedPart; 3] =
    [SharedPart::Tracker, SharedPart::Plan(PlanSection::CarerCanDo), SharedPart::Plan(PlanSection::Triggers)];

struct World {
    rng: Rng,
    server: Server,
    devices: Vec<Device>,
    network: Vec<Message>,
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng(seed);
        // Some people have two devices (the same person on a shared tablet and a phone).
        let users = [PERSON, "kw", CARER, PERSON, "kw"];
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
                refused: vec![],
                made: 0,
            })
            .collect();
        let server = Server { frameworks: built_in::all(), ..Server::default() };
        World { rng, server, devices, network: vec![] }
    }

    /// What device `d` shows for a cell.
    fn shown(&self, d: usize, key: &CellKey) -> Option<Value> {
        let dev = &self.devices[d];
        dev.outbox.shown(&dev.replica, key).cloned()
    }

    /// The device's own facts, from what it shows (as the app builds them).
    fn facts(&self, d: usize) -> WriterFacts {
        let lookup = |k: &CellKey| self.shown(d, k);
        WriterFacts::build(standing(&self.devices[d].user), &person(), &lookup)
    }

    /// The record's first cell as the device has it (an edit only on this device counts as its own).
    fn required(&self, d: usize, change: &Change) -> Option<CellState> {
        let EffectMode::SetExisting { requires } = change.effect(&person()).mode else { return None };
        let dev = &self.devices[d];
        if let Some(c) = dev.replica.cell(&requires) {
            return Some(c.clone());
        }
        let value = dev.outbox.pending_for(&requires).last()?.value.clone();
        Some(CellState {
            value,
            version: 0,
            by: Authorship { user: dev.user.clone(), name: String::new(), at_ms: 0, role: None },
            kept: vec![],
        })
    }

    /// Record an edit on device `d`, if the device (by what it shows) lets its user make it.
    fn record(&mut self, d: usize, change: Change, settles: bool) {
        let facts = self.facts(d);
        let required = self.required(d, &change);
        if matches!(change.effect(&person()).mode, EffectMode::SetExisting { .. }) && required.is_none() {
            return;
        }
        if !change.may_write(&facts, required.as_ref()) {
            return;
        }
        let dev = &mut self.devices[d];
        let p = dev.outbox.record(&dev.replica, &person(), change, settles, 0).expect("valid change");
        dev.recorded.push((p.mutation.id, p.key.clone(), p.value.clone()));
        dev.made += 1;
    }

    /// The records of one kind this device shows (by their first cell).
    fn records(&self, d: usize, kind: Kind, first_field: &str) -> Vec<RecordId> {
        let dev = &self.devices[d];
        let kinds = [kind];
        dev.outbox
            .overlay(&dev.replica, &person(), &kinds)
            .into_keys()
            .filter(|k| k.field == first_field)
            .map(|k| k.record)
            .collect()
    }

    fn new_id(&mut self, d: usize, prefix: &str) -> RecordId {
        RecordId(format!("{prefix}-{d}-{}", self.devices[d].made))
    }

    /// A person does something on device `d`.
    fn act(&mut self, d: usize) {
        let word = || WORDS.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let words = word();
        let text = self.rng.pick(&words).clone();
        let change: Change = match self.rng.below(20) {
            0..=2 => {
                let field = *self.rng.pick(&[AboutMeField::MyHopes, AboutMeField::MyStrengths]);
                AboutMeChange::AboutMe { field, text }.into()
            }
            3 => {
                let audience = if self.devices[d].user.0 == CARER || self.rng.chance(50) {
                    CommentAudience::Shared
                } else {
                    CommentAudience::CareTeam
                };
                CommentChange::AddComment { comment: self.new_id(d, "c"), text, audience }.into()
            }
            4 => {
                let comments = self.records(d, Kind::Comment, "text");
                if comments.is_empty() {
                    return;
                }
                let comment = self.rng.pick(&comments).clone();
                let key = CellKey::new(&person(), Kind::Comment, &comment, "removed");
                if self.shown(d, &key).and_then(|v| v.as_bool()).unwrap_or(false) {
                    CommentChange::RestoreComment { comment }.into()
                } else {
                    CommentChange::RemoveComment { comment }.into()
                }
            }
            5 => {
                let ladder = built_in::waymark_ladder();
                TrackerChange::StartReading {
                    reading: self.new_id(d, "r"),
                    framework: ladder.id,
                    version: ladder.version,
                    date: "2026-11-20".into(),
                }
                .into()
            }
            6 | 7 => {
                let readings = self.records(d, Kind::Reading, "opened");
                if readings.is_empty() {
                    return;
                }
                if self.rng.chance(15) {
                    let reading = self.rng.pick(&readings).clone();
                    let change: Change = if self.rng.chance(60) {
                        let missing = vec![AreaId((*self.rng.pick(&AREAS)).into())];
                        TrackerChange::FinishReading { reading, finished: self.rng.chance(80), missing }.into()
                    } else {
                        TrackerChange::DiscardReading { reading, discarded: self.rng.chance(70) }.into()
                    };
                    return self.record(d, change, false);
                }
                let rater = match self.devices[d].user.0.as_str() {
                    PERSON => *self.rng.pick(&[Rater::Person, Rater::Agreed]),
                    CARER => Rater::Carer,
                    _ => *self.rng.pick(&[Rater::Staff, Rater::Agreed, Rater::Carer]),
                };
                TrackerChange::Rate {
                    reading: self.rng.pick(&readings).clone(),
                    area: AreaId((*self.rng.pick(&AREAS)).into()),
                    rater,
                    value: Some(1 + self.rng.below(10) as u8),
                }
                .into()
            }
            8 => {
                let goals = self.records(d, Kind::Goal, "text");
                if goals.is_empty() || self.rng.chance(40) {
                    TrackerChange::AddGoal { goal: self.new_id(d, "g"), text }.into()
                } else {
                    let status = *self.rng.pick(&[GoalStatus::Active, GoalStatus::OnHold, GoalStatus::Achieved]);
                    TrackerChange::GoalStatus { goal: self.rng.pick(&goals).clone(), status }.into()
                }
            }
            9 | 10 => {
                let section = *self.rng.pick(&[
                    PlanSection::Triggers,
                    PlanSection::CarerCanDo,
                    PlanSection::StaffOnly,
                    PlanSection::ICanDo,
                ]);
                PlanChange::AddPlanItem { item: self.new_id(d, "i"), section, text }.into()
            }
            11 => {
                let items = self.records(d, Kind::PlanItem, "opened");
                if items.is_empty() {
                    return;
                }
                let item = self.rng.pick(&items).clone();
                let opened = self.shown(d, &CellKey::new(&person(), Kind::PlanItem, &item, "opened"));
                let Some(section) = opened
                    .and_then(|v| serde_json::from_value::<waymark_shared::plan::ItemOpened>(v).ok())
                    .map(|o| o.section)
                else {
                    return;
                };
                if self.rng.chance(70) {
                    PlanChange::PlanItemText { item, section, text }.into()
                } else {
                    PlanChange::RemovePlanItem { item, section, removed: self.rng.chance(60) }.into()
                }
            }
            12 | 13 => ConsentChange::Share {
                part: *self.rng.pick(&PARTS),
                carer: UserId(CARER.into()),
                share: self.rng.chance(55),
                review_by: None,
            }
            .into(),
            14 => {
                let lacks = self.rng.chance(50);
                ConsentChange::Capacity { lacks, reason: if lacks { "Unwell this week".into() } else { String::new() } }
                    .into()
            }
            15 => {
                let goals = self.records(d, Kind::Goal, "text");
                let steps = self.records(d, Kind::Step, "goal");
                if !steps.is_empty() && self.rng.chance(60) {
                    let step = self.rng.pick(&steps).clone();
                    if self.rng.chance(50) {
                        TrackerChange::StepText { step, text }.into()
                    } else {
                        TrackerChange::StepDone { step, done: self.rng.chance(50) }.into()
                    }
                } else if let Some(goal) = (!goals.is_empty()).then(|| self.rng.pick(&goals).clone()) {
                    TrackerChange::AddStep { step: self.new_id(d, "s"), goal }.into()
                } else {
                    return;
                }
            }
            16 => {
                let setting = *self.rng.pick(&Setting::ALL);
                if self.rng.chance(50) {
                    PlanChange::PlanSetting { setting }.into()
                } else {
                    let review_by = Some(format!("2027-0{}-01", 1 + self.rng.below(9)));
                    PlanChange::PlanReview { review_by }.into()
                }
            }
            _ => return self.settle_a_conflict(d),
        };
        self.record(d, change, false);
    }

    /// Settle a conflict this device can see (and is not already editing): keep one value, or combine them.
    fn settle_a_conflict(&mut self, d: usize) {
        let dev = &self.devices[d];
        let Some((key, cell)) = dev
            .replica
            .cells
            .iter()
            .find(|(k, c)| c.in_conflict() && dev.outbox.pending_for(k).next().is_none())
            .map(|(k, c)| (k.clone(), c.clone()))
        else {
            return;
        };
        let mut candidates: Vec<Value> = vec![cell.value.clone()];
        candidates.extend(cell.kept.iter().map(|k| k.value.clone()));
        let value = match (key.kind, self.rng.chance(30)) {
            // Text can be combined; other values are chosen.
            (Kind::AboutMe, true) => {
                Value::String(candidates.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(" and "))
            }
            _ => self.rng.pick(&candidates).clone(),
        };
        let lookup = |k: &CellKey| self.shown(d, k);
        if let Some(change) = Change::decode(&key, &value, &lookup) {
            self.record(d, change, true);
        }
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
        dev.outbox.mark_attempted(&mutations.iter().map(|m| m.id).collect::<Vec<_>>());
        dev.push_in_flight = true;
        self.network.push(Message::PushRequest { device: d, epoch: dev.epoch, mutations });
    }

    fn start_pull(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        if !dev.online || dev.pull_in_flight {
            return;
        }
        dev.pull_in_flight = true;
        let (since, scope) = (dev.replica.cursor, dev.replica.scope.clone());
        self.network.push(Message::PullRequest { device: d, epoch: dev.epoch, since, scope });
    }

    /// Deliver one message (any of those in flight: the network reorders).
    fn deliver(&mut self, lossy: bool) {
        if self.network.is_empty() {
            return;
        }
        let i = self.rng.below(self.network.len());
        // Sometimes deliver a copy and leave the message in flight, to be delivered again.
        let message = if lossy && self.rng.chance(10) { self.network[i].copy() } else { self.network.swap_remove(i) };
        let d = message.device();
        if !self.devices[d].online || (lossy && self.rng.chance(10)) {
            return; // dropped
        }
        match message {
            Message::PushRequest { device, epoch, mutations } => {
                let (client, user) = (self.devices[device].client.clone(), self.devices[device].user.clone());
                let reply = self.server.push(&client, &user, &mutations);
                self.network.push(Message::PushReply { device, epoch, reply });
            }
            Message::PullRequest { device, epoch, since, scope } => {
                let user = self.devices[device].user.clone();
                let (reply, reach) = self.server.pull(&user, since, scope.as_deref(), PULL_PAGE);
                // What the carer may hold at the moment the server answers, by the oracle.
                let allowed = (user.0 == CARER).then(|| {
                    self.server.cells.keys().filter(|k| carer_may_hold(&self.server, k, &user)).cloned().collect()
                });
                self.network.push(Message::PullReply { device, epoch, since, reply, reach, allowed });
            }
            Message::PushReply { device, epoch, reply } => {
                let dev = &mut self.devices[device];
                if epoch != dev.epoch {
                    return;
                }
                dev.push_in_flight = false;
                match reply {
                    Ok(reply) => {
                        for ack in reply.acks {
                            dev.outbox.acknowledge(ack);
                        }
                    }
                    Err(refused) => {
                        // As the app does: the refused edit leaves the outbox for "needs your attention".
                        if dev.outbox.reject(refused.mutation_id).is_some() {
                            dev.refused.push(refused.mutation_id);
                        }
                    }
                }
            }
            Message::PullReply { device, epoch, since, reply, reach, allowed } => {
                let dev = &mut self.devices[device];
                if epoch != dev.epoch {
                    return;
                }
                dev.pull_in_flight = false;
                if dev.replica.apply_pull(since, &reply).is_some() {
                    dev.outbox.settle_with(&dev.replica);
                    // A carer's copy never holds what was not shared with them when the server answered (so once a
                    // withdrawal is in, their next pull leaves none of that part), nor anything kept aside.
                    let user = dev.user.clone();
                    for (key, cell) in &dev.replica.cells {
                        let audience = &self.server.cells[key].audience;
                        assert!(reach.receives(audience), "{user} holds {key:?} ({audience:?}) beyond their reach");
                        if let Some(allowed) = &allowed {
                            assert!(cell.kept.is_empty(), "a carer received values kept aside on {key:?}");
                            assert!(
                                allowed.contains(key),
                                "the carer holds {key:?} ({audience:?}), never shared with them"
                            );
                            assert!(cell.by.role == Some(Role::Carer) || !cell.by.user.0.is_empty(), "names are kept");
                        }
                    }
                    if reply.more {
                        self.start_pull(device);
                    }
                }
            }
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
            let settled = self.devices.iter().all(|d| {
                d.outbox.items.is_empty()
                    && d.replica.cursor == self.server.head()
                    && d.replica.scope.as_deref() == Some(self.server.fingerprint(&d.user).as_str())
            });
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
            assert_eq!(dev.replica.cursor, server.head(), "{} is not caught up", dev.client.0);
            assert!(
                dev.replica.cells == server.visible_to(&dev.user),
                "{}'s copy differs from what the server holds for {}",
                dev.client.0,
                dev.user
            );
            assert!(dev.outbox.items.is_empty(), "{} still has edits waiting", dev.client.0);
            for (id, key, value) in &dev.recorded {
                let Some(ack) = server.done.get(&(dev.client.clone(), *id)) else {
                    assert!(
                        dev.refused.contains(id),
                        "{} recorded edit {id} but the server never received it, nor refused it",
                        dev.client.0
                    );
                    continue;
                };
                assert!(!dev.refused.contains(id), "an edit was both refused and acknowledged");
                let at = |v: u64| &server.events[(v - 1) as usize];
                match ack.outcome {
                    Outcome::Applied => {
                        assert_eq!((&at(ack.version).key, &at(ack.version).state.value), (key, value));
                    }
                    Outcome::KeptAside => {
                        let event = at(ack.version);
                        assert_eq!(&event.key, key);
                        assert_eq!(&event.event.value, value);
                        // Still kept, unless someone settled the cell afterwards or this device kept a newer one.
                        let cell = &server.cells[key].state;
                        let still_kept = cell.kept.iter().any(|k| &k.value == value);
                        let later = |pred: &dyn Fn(&EventMeta) -> bool| {
                            server
                                .events
                                .iter()
                                .zip(&server.meta)
                                .any(|(e, m)| &e.key == key && e.version > ack.version && pred(m))
                        };
                        let settled_later = later(&|m| m.settles && m.outcome == Outcome::Applied);
                        let replaced = later(&|m| m.client == dev.client && m.outcome == Outcome::KeptAside);
                        assert!(
                            still_kept || settled_later || replaced,
                            "a kept-aside value vanished without being settled or replaced"
                        );
                    }
                    Outcome::Unchanged => {
                        let held = server.events.iter().find(|e| &e.key == key && e.version == ack.version);
                        assert_eq!(held.map(|e| &e.state.value), Some(value));
                    }
                }
            }
        }
        let changing = server.done.values().filter(|a| a.outcome != Outcome::Unchanged).count();
        assert_eq!(server.events.len(), changing, "one event per applied or kept-aside mutation, replays add none");
        // Once the carer's last withdrawal is in, nothing of that part is on their devices (checked above through
        // `visible_to`); and the parts they hold are exactly those shared now.
        for dev in self.devices.iter().filter(|d| d.user.0 == CARER) {
            let reach = server.reach(&dev.user);
            for part in PARTS {
                let shared = server
                    .cells
                    .get(&sharing_key(&person(), part, &dev.user))
                    .and_then(|c| {
                        serde_json::from_value::<waymark_shared::consent::Sharing>(c.state.value.clone()).ok()
                    })
                    .is_some_and(|s| s.share);
                assert_eq!(reach.carer_parts().contains(&part), shared);
            }
        }
    }
}

#[derive(Default)]
struct Totals {
    edits: usize,
    replays: usize,
    conflicts: usize,
    settled: usize,
    refused: usize,
    withdrawals: usize,
    kinds: BTreeSet<Kind>,
}

fn run(seed: u64, totals: &mut Totals) {
    let mut world = World::new(seed);
    let steps = 100 + world.rng.below(400);
    for _ in 0..steps {
        world.step();
    }
    world.quiesce();
    world.check();
    totals.edits += world.devices.iter().map(|d| d.recorded.len()).sum::<usize>();
    totals.replays += world.server.replays;
    totals.refused += world.server.refusals;
    totals.conflicts += world.server.meta.iter().filter(|m| m.outcome == Outcome::KeptAside).count();
    totals.settled += world.server.meta.iter().filter(|m| m.settles).count();
    totals.withdrawals += world.server.meta.iter().filter(|m| m.narrows).count();
    totals.kinds.extend(world.server.events.iter().map(|e| e.key.kind));
}

#[test]
fn every_replica_converges_and_nothing_acknowledged_is_lost_under_a_hostile_network() {
    let seeds: Vec<u64> = match std::env::var("WAYMARK_SIM_SEED") {
        Ok(one) => vec![one.parse().expect("WAYMARK_SIM_SEED is a number")],
        Err(_) => {
            let n = std::env::var("WAYMARK_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
            (0..n).collect()
        }
    };
    let started = std::time::Instant::now();
    let mut totals = Totals::default();
    for &seed in &seeds {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(seed, &mut totals)));
        if let Err(panic) = outcome {
            eprintln!("sync simulation failed for seed {seed}; rerun with WAYMARK_SIM_SEED={seed}");
            std::panic::resume_unwind(panic);
        }
    }
    eprintln!(
        "sync simulation: {} seeds in {:.1} s: {} edits, {} replays, {} kept aside, {} settles, {} withdrawals of \
         consent, {} refused pushes; kinds written: {:?}",
        seeds.len(),
        started.elapsed().as_secs_f64(),
        totals.edits,
        totals.replays,
        totals.conflicts,
        totals.settled,
        totals.withdrawals,
        totals.refused,
        totals.kinds
    );
    // The scenario must actually exercise what it claims to.
    if seeds.len() >= 100 {
        assert!(totals.replays > 0 && totals.conflicts > 0 && totals.settled > 0 && totals.refused > 0);
        assert!(totals.withdrawals > 0);
        let simulated = [
            Kind::AboutMe,
            Kind::Comment,
            Kind::Reading,
            Kind::Goal,
            Kind::Step,
            Kind::PlanItem,
            Kind::Plan,
            Kind::Sharing,
        ];
        assert!(
            simulated.iter().all(|k| totals.kinds.contains(k)),
            "every kind of cell was written: {:?}",
            totals.kinds
        );
    }
}
