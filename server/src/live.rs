//! Live notifications: which people's records changed, for the `GET /api/sync/live` streams.
//!
//! Two sources feed one broadcast channel per server instance: a push announces its own changes right after it
//! commits, and a watcher polls the version counter about once a second and announces changes it has not
//! announced yet — those made through another instance sharing the database (several instances behind a load
//! balancer on PostgreSQL), or any it missed. A notification names whose record changed, for which audience, and
//! the version: each stream passes on only what its viewer may pull, and the device then pulls. Announcing a change
//! twice is harmless; missing one is not, so the watermark only moves over versions that have been announced.

use crate::store::{Pushed, Store};
use serde::{Deserialize, Serialize};
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use waymark_shared::{UserId, api::Editing, consent::Reach, sync::Audience};

/// The PostgreSQL channel a committed push notifies (payload: the new head), so every instance announces it at once.
pub const CHANGES_CHANNEL: &str = "waymark_changes";
/// The PostgreSQL channel a recorded ending notifies (a sign-out, a change of access).
pub const ENDINGS_CHANNEL: &str = "waymark_endings";
/// The PostgreSQL channel a planning session's change notifies (payload: [`PlanningChanged::payload`]).
pub const PLANNING_CHANNEL: &str = "waymark_planning";

/// Live streams one person may have open on one instance by default (their devices and tabs; the app keeps one per
/// device): `WAYMARK_LIVE_STREAMS_PER_USER`.
pub const MAX_STREAMS_PER_USER: usize = 16;

/// How often the watcher looks at the version counter.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(1);
/// Batches of changes a slow listener may fall behind before it is told to pull anyway.
const CHANNEL_CAPACITY: usize = 1024;
/// The watermark before the watcher has read the counter once.
const UNKNOWN: u64 = u64::MAX;
/// How far back each look for endings reaches (instances' clocks and commits differ by a little).
const ENDINGS_OVERLAP_MS: i64 = 5_000;
/// How long an instance remembers which endings it told (longer than the overlap).
const ENDINGS_REMEMBERED_MS: i64 = 30_000;

/// A cell of one person's record, with this audience, changed at this version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub person: UserId,
    pub audience: Audience,
    pub version: u64,
}

/// The changes of one commit (or one watcher step).
pub type ChangeBatch = Arc<Vec<Changed>>;

/// Something that ends open streams: a session that ended (by the SHA-256 of its id), or a person whose access to
/// records changed (their streams look again at what they may see, and end if they lost someone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    Session(String),
    Access(UserId),
}

/// Someone started or ended `person`'s planning session, joined it, or moved where they are writing: open plans
/// ask for the session again at once (not at their next "I am here"). Nothing of the session travels to a device
/// with it, and a stream passes it on only if its viewer would see something change (see [`PlanningChanged::tells`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanningChanged {
    pub person: UserId,
    /// Who did it, and whether they are a carer or peer support worker (whom other carers never see).
    pub by: UserId,
    pub by_supporter: bool,
    pub what: PlanningChange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanningChange {
    /// The session started or ended.
    Session,
    /// They joined, or came back after being away.
    Arrived,
    /// They moved where they are writing.
    Moved { from: Option<Editing>, to: Option<Editing> },
}

impl PlanningChanged {
    /// Whether a viewer (`viewer`, a carer or peer support worker if `supporter`, with `reach` of the person's
    /// record) would see the session change: the same rules as what the session shows them.
    pub fn tells(&self, viewer: &UserId, supporter: bool, reach: &Reach) -> bool {
        if supporter && self.by_supporter && self.by != *viewer {
            return false;
        }
        match &self.what {
            PlanningChange::Session | PlanningChange::Arrived => true,
            PlanningChange::Moved { from, to } => {
                let sees = |e: &Option<Editing>| e.as_ref().filter(|e| reach.receives(&e.section.audience())).cloned();
                sees(from) != sees(to)
            }
        }
    }

    /// The form it crosses between instances in (with the instance it comes from).
    fn payload(&self, instance: &str) -> String {
        serde_json::json!({ "instance": instance, "change": self }).to_string()
    }

    /// Read a payload; `None` if it is this instance's own (already told here) or not one.
    fn from_payload(payload: &str, instance: &str) -> Option<PlanningChanged> {
        let v: serde_json::Value = serde_json::from_str(payload).ok()?;
        if v.get("instance")?.as_str()? == instance {
            return None;
        }
        serde_json::from_value(v.get("change")?.clone()).ok()
    }
}

/// This instance's notification hub. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Live {
    tx: broadcast::Sender<ChangeBatch>,
    ended: broadcast::Sender<Ended>,
    planning: broadcast::Sender<PlanningChanged>,
    /// This instance's name among the instances sharing a database (its own notifications are not told twice).
    instance: Arc<str>,
    /// Open live streams per person on this instance, and how many each may have.
    streams: Arc<std::sync::Mutex<std::collections::HashMap<UserId, usize>>>,
    streams_per_user: usize,
    /// Endings already announced on this instance (by key, with when), so the watcher tells each once.
    told: Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
    /// Every version up to this one has been announced on this instance.
    announced: Arc<AtomicU64>,
    /// Set when the server is shutting down, so open streams end and graceful shutdown does not wait on them.
    closing: Arc<watch::Sender<bool>>,
}

/// One open live stream, counted until dropped.
#[derive(Debug)]
pub struct StreamSlot {
    streams: Arc<std::sync::Mutex<std::collections::HashMap<UserId, usize>>>,
    user: UserId,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().expect("the streams lock is never poisoned");
        if let Some(open) = streams.get_mut(&self.user) {
            *open -= 1;
            if *open == 0 {
                streams.remove(&self.user);
            }
        }
    }
}

impl Default for Live {
    fn default() -> Live {
        Live::new()
    }
}

impl Live {
    pub fn new() -> Live {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        let (ended, _) = broadcast::channel(CHANNEL_CAPACITY);
        let (planning, _) = broadcast::channel(CHANNEL_CAPACITY);
        Live {
            tx,
            ended,
            planning,
            instance: hex::encode(rand::random::<[u8; 8]>()).into(),
            streams: Arc::default(),
            streams_per_user: MAX_STREAMS_PER_USER,
            told: Arc::default(),
            announced: Arc::new(AtomicU64::new(UNKNOWN)),
            closing: Arc::new(watch::Sender::new(false)),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        self.tx.subscribe()
    }

    /// Endings of sessions and changes of access, as they are heard.
    pub fn endings(&self) -> broadcast::Receiver<Ended> {
        self.ended.subscribe()
    }

    /// A hub allowing each person `n` open live streams (at least one).
    pub fn with_streams_per_user(n: usize) -> Live {
        Live { streams_per_user: n.max(1), ..Live::new() }
    }

    /// Count a live stream of `user` as open until the slot is dropped; `None` if they have as many open as they may
    /// already (a hostile client opening streams without end holds no more).
    pub fn open_stream(&self, user: &UserId) -> Option<StreamSlot> {
        let mut streams = self.streams.lock().expect("the streams lock is never poisoned");
        let open = streams.entry(user.clone()).or_default();
        if *open >= self.streams_per_user {
            return None;
        }
        *open += 1;
        Some(StreamSlot { streams: self.streams.clone(), user: user.clone() })
    }

    /// Planning sessions' changes, as they are heard.
    pub fn planning(&self) -> broadcast::Receiver<PlanningChanged> {
        self.planning.subscribe()
    }

    /// Tell this instance's streams, and (on PostgreSQL) every other instance's, that `person`'s planning session
    /// changed.
    pub async fn planning_changed(&self, store: &Store, change: PlanningChanged) {
        if let Err(e) = store.notify(PLANNING_CHANNEL, &change.payload(&self.instance)).await {
            tracing::warn!(error = %e, "could not tell other instances of a planning session's change");
        }
        let _ = self.planning.send(change);
    }

    /// End this instance's streams of a session (by [`crate::store::session_hash`] of its id).
    pub fn end_session(&self, session_hash: &str) {
        self.tell(format!("s:{session_hash}"), Ended::Session(session_hash.to_owned()));
    }

    /// Tell this instance's streams of `user` that what they may see changed (the change recorded at `at_ms`).
    pub fn access_changed(&self, user: &UserId, at_ms: i64) {
        self.tell(format!("a:{user}:{at_ms}"), Ended::Access(user.clone()));
    }

    /// Tell each ending once (the watcher's looks overlap).
    fn tell(&self, key: String, ending: Ended) {
        let now = crate::store::now_ms();
        {
            let mut told = self.told.lock().expect("the endings lock is never poisoned");
            told.retain(|_, at| now - *at < ENDINGS_REMEMBERED_MS);
            if told.insert(key, now).is_some() {
                return;
            }
        }
        let _ = self.ended.send(ending);
    }

    /// One watcher step for endings: tell this instance's streams of those recorded (by any instance) since the
    /// last look.
    pub async fn catch_up_endings(&self, store: &Store, since_ms: i64) -> Result<(), sqlx::Error> {
        let (sessions, users) = store.endings_since(since_ms).await?;
        for s in sessions {
            self.end_session(&s);
        }
        for (user, at) in users {
            self.access_changed(&user, at);
        }
        Ok(())
    }

    /// A receiver that sees `true` once the server is shutting down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// End every open stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Announce a push that has committed. The watermark moves only if it stood exactly where this push began
    /// (the push held the counter lock, so its versions follow on directly); otherwise the watcher fills the gap.
    pub fn announce_push(&self, pushed: &Pushed) {
        if pushed.written.is_empty() {
            return;
        }
        let batch: Vec<Changed> = pushed
            .written
            .iter()
            .map(|(person, audience, version)| Changed {
                person: person.clone(),
                audience: audience.clone(),
                version: *version,
            })
            .collect();
        let _ = self.tx.send(Arc::new(batch));
        let _ = self.announced.compare_exchange(pushed.head_before, pushed.head, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// One watcher step: announce whatever committed since the watermark.
    pub async fn catch_up(&self, store: &Store) -> Result<(), sqlx::Error> {
        let head = store.sync_head().await?;
        let announced = self.announced.load(Ordering::SeqCst);
        if announced == UNKNOWN || announced > head {
            // First look (nobody is listening for older changes), or the database went back (restored).
            self.announced.store(head, Ordering::SeqCst);
            return Ok(());
        }
        if head == announced {
            return Ok(());
        }
        let changed = store.changes_between(announced, head).await?;
        if !changed.is_empty() {
            tracing::debug!(
                from = announced,
                to = head,
                changes = changed.len(),
                "announcing changes seen in the database"
            );
            let batch =
                changed.into_iter().map(|(person, audience, version)| Changed { person, audience, version }).collect();
            let _ = self.tx.send(Arc::new(batch));
        }
        self.announced.fetch_max(head, Ordering::SeqCst);
        Ok(())
    }
}

/// On PostgreSQL: listen for other instances' commits and endings, and announce them at once (one query per
/// notification on this instance, none per stream). The watcher stays as a safety net (a dropped connection, a
/// notification missed while reconnecting). Reconnects with a growing pause if the connection fails.
pub fn spawn_pg_listener(live: Live, store: Store, database_url: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut closing = live.closing();
        let mut pause = Duration::from_millis(250);
        loop {
            let listener = async {
                let mut l = sqlx::postgres::PgListener::connect(&database_url).await?;
                l.listen_all([CHANGES_CHANNEL, ENDINGS_CHANNEL, PLANNING_CHANNEL]).await?;
                Ok::<_, sqlx::Error>(l)
            };
            let mut listener = match listener.await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "could not listen for other instances' changes; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = closing.changed() => return,
                    }
                    pause = (pause * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            pause = Duration::from_millis(250);
            // Anything committed while not listening.
            let _ = live.catch_up(&store).await;
            loop {
                let note = tokio::select! {
                    n = listener.recv() => n,
                    _ = closing.changed() => return,
                };
                match note {
                    Ok(n) if n.channel() == PLANNING_CHANNEL => {
                        if let Some(change) = PlanningChanged::from_payload(n.payload(), &live.instance) {
                            let _ = live.planning.send(change);
                        }
                    }
                    Ok(n) if n.channel() == ENDINGS_CHANNEL => {
                        let since = crate::store::now_ms() - ENDINGS_OVERLAP_MS;
                        if let Err(e) = live.catch_up_endings(&store, since).await {
                            tracing::warn!(error = %e, "could not read stream endings");
                        }
                    }
                    Ok(_) => {
                        if let Err(e) = live.catch_up(&store).await {
                            tracing::warn!(error = %e, "could not read the sync log after a notification");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the notification connection; reconnecting");
                        break;
                    }
                }
            }
        }
    })
}

/// Run the watcher until the server shuts down.
pub fn spawn_watcher(live: Live, store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut closing = live.closing();
        let mut tick = tokio::time::interval(WATCH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = closing.changed() => return,
            }
            if let Err(e) = live.catch_up(&store).await {
                tracing::warn!(error = %e, "live watcher could not read the sync log");
            }
            let since = crate::store::now_ms() - ENDINGS_OVERLAP_MS;
            if let Err(e) = live.catch_up_endings(&store, since).await {
                tracing::warn!(error = %e, "live watcher could not read stream endings");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::{consent::CarerReach, plan::PlanSection, tracker::SharedPart};

    fn user(id: &str) -> UserId {
        UserId(id.into())
    }

    fn at(section: PlanSection) -> Option<Editing> {
        Some(Editing { section, item: None })
    }

    fn change(by: &str, by_supporter: bool, what: PlanningChange) -> PlanningChanged {
        PlanningChanged { person: user("alys"), by: user(by), by_supporter, what }
    }

    const STAFF: Reach = Reach { staff: true, carer: None };
    const PERSON: Reach = Reach { staff: false, carer: None };

    fn carer(parts: Vec<SharedPart>) -> Reach {
        Reach { staff: false, carer: Some(CarerReach { user: user("helen"), parts, other_carers: vec![user("ifan")] }) }
    }

    #[test]
    fn a_carer_never_hears_of_another_carer_but_everyone_else_does() {
        let arrived = change("ifan", true, PlanningChange::Arrived);
        assert!(!arrived.tells(&user("helen"), true, &carer(vec![])));
        assert!(arrived.tells(&user("owen"), false, &STAFF));
        assert!(arrived.tells(&user("alys"), false, &PERSON));
        assert!(change("helen", true, PlanningChange::Arrived).tells(&user("helen"), true, &carer(vec![])));
    }

    #[test]
    fn a_move_is_told_only_to_those_who_see_where_it_went_or_came_from() {
        let staff_only = change(
            "owen",
            false,
            PlanningChange::Moved { from: at(PlanSection::StaffOnly), to: at(PlanSection::StaffOnly) },
        );
        assert!(!staff_only.tells(&user("alys"), false, &PERSON));
        let into_notes = change("owen", false, PlanningChange::Moved { from: None, to: at(PlanSection::StaffOnly) });
        assert!(into_notes.tells(&user("sara"), false, &STAFF));
        assert!(!into_notes.tells(&user("alys"), false, &PERSON));
        let to_triggers = change("owen", false, PlanningChange::Moved { from: None, to: at(PlanSection::Triggers) });
        assert!(to_triggers.tells(&user("alys"), false, &PERSON));
        assert!(!to_triggers.tells(&user("helen"), true, &carer(vec![])));
        assert!(to_triggers.tells(&user("helen"), true, &carer(vec![SharedPart::Plan(PlanSection::Triggers)])));
    }

    #[test]
    fn a_notification_crosses_to_other_instances_only() {
        let c = change("owen", false, PlanningChange::Moved { from: None, to: at(PlanSection::Triggers) });
        let payload = c.payload("aaaa");
        assert_eq!(PlanningChanged::from_payload(&payload, "aaaa"), None, "an instance's own is told already");
        assert_eq!(PlanningChanged::from_payload(&payload, "bbbb"), Some(c));
        assert_eq!(PlanningChanged::from_payload("not json", "bbbb"), None);
    }
}
