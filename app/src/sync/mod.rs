//! The sync client: keeps this device's copy in step with the server.
//!
//! It runs on start, when the browser comes back online, every 30 seconds and when the live channel says something
//! changed. One sync at a time: requests made while one runs are coalesced into one more run. A run pushes the
//! outbox (each batch marked as attempted and saved before it is sent; acknowledgements saved as they come), then
//! pulls pages until the server has no more, saving each page with the outbox it settles. All merge rules are the
//! shared engine's (`waymark_shared::sync`); this module moves its state between the screen, IndexedDB (through
//! [`crate::local`] only) and the network.

pub mod live;
pub mod model;
pub mod plan;
pub(crate) mod timer;
pub mod tracker;
pub mod views;

use crate::{
    client::{
        api::{self, KeptPage},
        http::Failure,
    },
    local::LocalStore,
    session::Auth,
    util::{now_ms, random_hex},
};
use leptos::wasm_bindgen::JsValue;
use leptos::web_sys::js_sys::Promise;
use leptos::{prelude::*, task::spawn_local};
use model::{Attention, PULL_PAGE, PUSH_BATCH, StatusFacts, SyncState, acked_versions};
use serde::{Serialize, de::DeserializeOwned};
use std::{cell::RefCell, future::Future, time::Duration};
use wasm_bindgen_futures::JsFuture;
use waymark_shared::{
    UserId,
    api::{ErrorCode, Me, PersonPage},
    consent::Standing,
    sync::{
        CellKey, Change, ChangeError, ClientId, EffectMode, Outbox, PullQuery, PushRequest, PushResponse, Replica,
        SCHEMA_VERSION, WriterFacts,
    },
};

/// How often to sync when nothing else prompts it.
const POLL: Duration = Duration::from_secs(30);

/// What cannot live in signals (browser handles), for the person whose store is open.
#[derive(Default)]
struct Inner {
    /// Bumped whenever the signed-in person changes; async work from an older generation stops.
    generation: u64,
    user: Option<UserId>,
    /// This tab's claim on the person's store (one tab per person per device).
    tab: Option<crate::local::TabLock>,
    store: Option<LocalStore>,
    client: Option<ClientId>,
    /// The generation of the sync loop now running, if one is.
    running: Option<u64>,
    /// Another run was asked for while one was running.
    wanted: bool,
    live: Option<live::Live>,
    /// Live-channel failures in a row (for the backoff).
    failures: u32,
    /// The newest server version the live channel told us of (for progress).
    latest: u64,
    /// Every edit up to this id that is still waiting is held by a save of the outbox committed on this device
    /// (the edits of a save that failed are not: nothing was saved, and nothing was sent).
    saved_through: u64,
}

thread_local! {
    static INNER: RefCell<Inner> = RefCell::default();
}

/// Why an edit was not saved.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordError {
    Invalid(ChangeError),
    /// IndexedDB refused the write (or the store is not open): nothing was saved.
    NotSaved,
}

impl From<ChangeError> for RecordError {
    fn from(e: ChangeError) -> RecordError {
        RecordError::Invalid(e)
    }
}

/// The sync engine, shared through context. Copy: its state is signals plus a thread-local for browser handles.
#[derive(Clone, Copy)]
pub struct SyncEngine {
    auth: Auth,
    /// Whose store is open and loaded (None while opening, or when nobody is signed in).
    pub user: RwSignal<Option<UserId>>,
    pub replica: RwSignal<Replica>,
    pub outbox: RwSignal<Outbox>,
    pub attention: RwSignal<Vec<Attention>>,
    /// The browser reports a network.
    online: RwSignal<bool>,
    /// The last request reached the server.
    reachable: RwSignal<bool>,
    /// A sync's progress: (done, total).
    progress: RwSignal<Option<(u64, u64)>>,
    /// The server speaks a newer protocol: this copy of the app must be reloaded.
    pub update_needed: RwSignal<bool>,
    /// The local store could not be opened: edits cannot be saved on this device.
    pub store_failed: RwSignal<bool>,
    /// The person has Waymark open in another tab on this device; this one waits for it to close.
    pub other_tab: RwSignal<bool>,
    /// Edits shown on screen whose save on this device has not finished yet.
    saving: RwSignal<usize>,
    /// The last edit that could not be saved, until the person dismisses it (shown with the things that need
    /// their attention).
    pub failed: RwSignal<Option<RecordError>>,
    /// The cursor saved in this device's store (set once the save has finished): shown on the sync status, for
    /// tests that wait for a device to catch up (the store itself is encrypted).
    pub saved_cursor: RwSignal<Option<u64>>,
    /// The live channel said this person's planning session changed (with a count, so the same person heard twice
    /// is two changes): an open plan asks for the session at once.
    pub planning_heard: RwSignal<Option<(UserId, u64)>>,
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}

fn current(epoch: u64) -> Option<LocalStore> {
    INNER.with_borrow(|i| if i.generation == epoch { i.store.clone() } else { None })
}

/// What a save of the outbox holds: every edit up to `upto`, in the store of `generation`.
struct OutboxHeld {
    generation: u64,
    upto: u64,
}

impl OutboxHeld {
    /// The save was committed.
    fn committed(self) {
        INNER.with_borrow_mut(|i| {
            if i.generation == self.generation {
                i.saved_through = i.saved_through.max(self.upto);
            }
        });
    }
}

impl SyncEngine {
    /// Start the engine: it follows whoever is signed in.
    pub fn start(auth: Auth) -> SyncEngine {
        let online = window().navigator().on_line();
        let engine = SyncEngine {
            auth,
            user: RwSignal::new(None),
            replica: RwSignal::new(Replica::default()),
            outbox: RwSignal::new(Outbox::default()),
            attention: RwSignal::new(Vec::new()),
            online: RwSignal::new(online),
            reachable: RwSignal::new(true),
            progress: RwSignal::new(None),
            update_needed: RwSignal::new(false),
            store_failed: RwSignal::new(false),
            other_tab: RwSignal::new(false),
            saving: RwSignal::new(0),
            failed: RwSignal::new(None),
            saved_cursor: RwSignal::new(None),
            planning_heard: RwSignal::new(None),
        };
        let _ = window_event_listener(leptos::ev::online, move |_| engine.came_online());
        let _ = window_event_listener(leptos::ev::offline, move |_| engine.online.set(false));
        set_interval(move || engine.request(), POLL);
        Effect::new(move |_| engine.switch_to(auth.me().map(|m| m.id)));
        engine
    }

    /// The sync status to show.
    pub fn state(self) -> SyncState {
        model::sync_state(StatusFacts {
            waiting: self.outbox.with(Outbox::waiting),
            saving: self.saving.get(),
            online: self.online.get() && self.reachable.get(),
            progress: self.progress.get(),
            attention: self.attention.with(Vec::len),
            update_needed: self.update_needed.get(),
        })
    }

    /// Edits made here that the server has not acknowledged.
    pub fn waiting(self) -> usize {
        self.outbox.with_untracked(Outbox::waiting)
    }

    fn came_online(self) {
        self.online.set(true);
        self.reachable.set(true);
        if matches!(self.auth.state.get_untracked(), crate::session::AuthState::Offline(_)) {
            self.auth.refresh();
        }
        INNER.with_borrow_mut(|i| i.failures = 0);
        live::reconnect_now(self);
        self.request();
    }

    /// Open the signed-in person's store (closing the last one's), load it and start syncing.
    fn switch_to(self, user: Option<UserId>) {
        let epoch = INNER.with_borrow_mut(|i| {
            if i.user == user {
                return None;
            }
            if let Some(store) = i.store.take() {
                store.close();
            }
            i.tab = None;
            i.generation += 1;
            i.user = user.clone();
            i.client = None;
            i.running = None;
            i.wanted = false;
            i.live = None;
            i.failures = 0;
            i.latest = 0;
            i.saved_through = 0;
            Some(i.generation)
        });
        let Some(epoch) = epoch else { return };
        self.user.set(None);
        self.replica.set(Replica::default());
        self.outbox.set(Outbox::default());
        self.attention.set(Vec::new());
        self.progress.set(None);
        self.store_failed.set(false);
        self.other_tab.set(false);
        self.failed.set(None);
        self.saved_cursor.set(None);
        let Some(user) = user else { return };
        spawn_local(async move {
            let tab = match crate::local::claim_tab(&user, false).await {
                Ok(Some(tab)) => Some(tab),
                Ok(None) => {
                    // Another tab has this person's store: say so, and take over when it closes.
                    self.other_tab.set(true);
                    let waited = crate::local::claim_tab(&user, true).await;
                    if INNER.with_borrow(|i| i.generation != epoch) {
                        return;
                    }
                    self.other_tab.set(false);
                    waited.ok().flatten()
                }
                Err(e) => {
                    leptos::logging::warn!("could not claim this person's store for this tab: {e}");
                    None
                }
            };
            let opened = match LocalStore::open(&user).await {
                Ok(store) => store.load().await.map(|loaded| (store, loaded)),
                Err(e) => Err(e),
            };
            let (store, loaded) = match opened {
                Ok(ok) => ok,
                Err(e) => {
                    leptos::logging::error!("could not open this tablet's store: {e}");
                    if INNER.with_borrow(|i| i.generation == epoch) {
                        self.store_failed.set(true);
                    }
                    return;
                }
            };
            if INNER.with_borrow(|i| i.generation != epoch) {
                store.close();
                return;
            }
            let client = match loaded.client {
                Some(c) if c.is_well_formed() => c,
                _ => {
                    let c = ClientId(format!("tablet-{}", random_hex(12)));
                    if let Err(e) = store.write().client(&c).commit().await {
                        leptos::logging::error!("could not save this tablet's id: {e}");
                        self.store_failed.set(true);
                        return;
                    }
                    c
                }
            };
            if INNER.with_borrow(|i| i.generation != epoch) {
                return;
            }
            INNER.with_borrow_mut(|i| {
                i.store = Some(store);
                i.client = Some(client);
                i.tab = tab;
                i.saved_through = loaded.outbox.next_id.saturating_sub(1);
            });
            self.saved_cursor.set(Some(loaded.replica.cursor));
            self.replica.set(loaded.replica);
            self.outbox.set(loaded.outbox);
            self.attention.set(loaded.attention);
            self.user.set(Some(user));
            live::connect(self, epoch);
            self.request();
        });
    }

    /// Ask for a sync. If one is running, one more run follows it.
    pub fn request(self) {
        let start = INNER.with_borrow_mut(|i| {
            i.store.as_ref()?;
            i.wanted = true;
            if i.running.is_some() {
                return None;
            }
            i.running = Some(i.generation);
            Some(i.generation)
        });
        let Some(epoch) = start else { return };
        spawn_local(async move {
            loop {
                INNER.with_borrow_mut(|i| i.wanted = false);
                self.run_once(epoch).await;
                let again = INNER.with_borrow_mut(|i| {
                    if i.running != Some(epoch) {
                        return false;
                    }
                    if i.wanted && i.generation == epoch {
                        return true;
                    }
                    i.running = None;
                    false
                });
                if !again {
                    break;
                }
            }
            if INNER.with_borrow(|i| i.generation == epoch) {
                self.progress.set(None);
            }
        });
    }

    /// The live channel opened (`hello`: pull now, whatever happened while it was closed), or heard that something
    /// this viewer may see changed, at server version `version` when it says which.
    pub(crate) fn heard(self, epoch: u64, version: Option<u64>, hello: bool) {
        if INNER.with_borrow(|i| i.generation != epoch) {
            return;
        }
        INNER.with_borrow_mut(|i| {
            if let Some(v) = version {
                i.latest = i.latest.max(v);
            }
            if hello {
                i.failures = 0;
            }
        });
        self.reachable.set(true);
        let behind = version.is_none_or(|v| v > self.replica.with_untracked(|r| r.cursor));
        if hello || behind {
            self.request();
        }
    }

    /// The live channel said `person`'s planning session changed.
    pub(crate) fn heard_planning(self, epoch: u64, person: UserId) {
        if INNER.with_borrow(|i| i.generation != epoch) {
            return;
        }
        let count = self.planning_heard.with_untracked(|h| h.as_ref().map_or(0, |(_, n)| n + 1));
        self.planning_heard.set(Some((person, count)));
    }

    /// What a save of the outbox started now holds (taken as the save is written).
    fn outbox_held(self) -> OutboxHeld {
        let upto = self.outbox.with_untracked(|o| o.next_id.saturating_sub(1));
        OutboxHeld { generation: INNER.with_borrow(|i| i.generation), upto }
    }

    /// A sync run would push now (the same test as `run_once`'s).
    fn sends_now(self) -> bool {
        !self.update_needed.get_untracked() && self.online.get_untracked()
    }

    /// Save the outbox as it is now; on success show it.
    async fn save_outbox(self, store: &LocalStore) -> bool {
        let held = self.outbox_held();
        let saved = self.outbox.with_untracked(|o| store.write().outbox(o).commit());
        match saved.await {
            Ok(()) => {
                held.committed();
                self.outbox.notify();
                true
            }
            Err(e) => {
                leptos::logging::error!("could not save the outbox: {e}");
                false
            }
        }
    }

    /// One push-then-pull. Returns early (leaving the rest for the next run) when the network or server fails.
    async fn run_once(self, epoch: u64) {
        let Some(store) = current(epoch) else { return };
        let Some(client) = INNER.with_borrow(|i| i.client.clone()) else {
            return;
        };
        // With no network, don't even try: a try marks edits as sent, and they could no longer be taken back.
        if !self.sends_now() {
            return;
        }
        if self.push(epoch, &store, &client).await {
            self.send_views(epoch, &store).await;
            self.pull(epoch, &store).await;
        }
    }

    /// Push everything waiting. True if the pull should follow.
    async fn push(self, epoch: u64, store: &LocalStore, client: &ClientId) -> bool {
        let total = self.waiting() as u64;
        let mut done = 0u64;
        let mut token = self.auth.csrf_token();
        let mut refreshed = false;
        loop {
            // An edit made online still being saved goes with the sync its own save asks for.
            let saved_through = INNER.with_borrow(|i| i.saved_through);
            let batch = self.outbox.with_untracked(|o| o.batch_saved(PUSH_BATCH, saved_through));
            if batch.is_empty() {
                return true;
            }
            if total > 0 {
                self.progress.set(Some((done, total)));
            }
            let ids: Vec<u64> = batch.iter().map(|m| m.id).collect();
            // Marked as sent and saved so before it goes (an edit made online is, with its own save); an edit
            // saved as not sent yet is marked now, in one more save.
            let saved_as_sent =
                ids.iter().all(|id| *id <= saved_through) && self.outbox.with_untracked(|o| o.all_attempted(&ids));
            if !saved_as_sent {
                self.outbox.update_untracked(|o| o.mark_attempted(&ids));
                if !self.save_outbox(store).await {
                    return false;
                }
            }
            if current(epoch).is_none() {
                return false;
            }
            if token.is_none() {
                token = self.auth.fresh_token().await;
                refreshed = true;
                if token.is_none() {
                    self.reachable.set(false);
                    return false;
                }
            }
            let body = PushRequest { schema: SCHEMA_VERSION, client: client.clone(), mutations: batch };
            let answer: Result<PushResponse, Failure> = api::push(token.as_deref().unwrap_or_default(), &body).await;
            if current(epoch).is_none() {
                return false;
            }
            match answer {
                Ok(resp) => {
                    self.reachable.set(true);
                    done += resp.acks.len() as u64;
                    self.outbox.update_untracked(|o| {
                        for ack in resp.acks {
                            o.acknowledge(ack);
                        }
                    });
                    if !self.save_outbox(store).await {
                        return false;
                    }
                }
                Err(Failure::Api(e)) if e.code == ErrorCode::SchemaMismatch => {
                    self.update_needed.set(true);
                    return false;
                }
                Err(Failure::Api(e)) if matches!(e.code, ErrorCode::CsrfRejected | ErrorCode::NotSignedIn) => {
                    if refreshed {
                        return false;
                    }
                    refreshed = true;
                    token = self.auth.fresh_token().await;
                    if token.is_none() {
                        return false;
                    }
                }
                Err(Failure::Api(e)) if e.mutation_id.is_some() => {
                    // The whole push was refused because of this one edit: set it aside for the person, send the rest.
                    let id = e.mutation_id.unwrap_or_default();
                    let Some(pending) = self.outbox.update_untracked(|o| o.reject(id)) else {
                        leptos::logging::warn!("the server refused edit {id}, which is not waiting here");
                        return false;
                    };
                    let item = Attention { pending, code: e.code };
                    let held = self.outbox_held();
                    let saved = self.outbox.with_untracked(|o| store.write().outbox(o).attention(&item).commit());
                    if let Err(err) = saved.await {
                        leptos::logging::error!("could not save a refused edit: {err}");
                        return false;
                    }
                    held.committed();
                    self.outbox.notify();
                    self.attention.update(|a| a.push(item));
                }
                Err(Failure::Network) => {
                    self.reachable.set(false);
                    return false;
                }
                Err(other) => {
                    leptos::logging::warn!("push failed, will try again: {other:?}");
                    return false;
                }
            }
        }
    }

    /// Pull pages until the server has no more, saving each with the outbox it settles.
    async fn pull(self, epoch: u64, store: &LocalStore) {
        let start = self.replica.with_untracked(|r| r.cursor);
        loop {
            let (since, scope) = self.replica.with_untracked(|r| (r.cursor, r.scope.clone()));
            let latest = INNER.with_borrow(|i| i.latest);
            if latest > start {
                self.progress.set(Some((since.saturating_sub(start), latest - start)));
            }
            // This device's acknowledged edits not pulled yet: the server moves the cursor past them even when this
            // viewer may no longer see them, so they do not wait for ever.
            let acked = self.outbox.with_untracked(|o| acked_versions(o, since));
            let query = PullQuery {
                schema: SCHEMA_VERSION,
                since,
                limit: Some(PULL_PAGE),
                scope,
                acked: (!acked.is_empty()).then_some(acked),
            };
            let answer = api::pull(&query).await;
            if current(epoch).is_none() {
                return;
            }
            let page = match answer {
                Ok(page) => page,
                Err(Failure::Api(e)) if e.code == ErrorCode::SchemaMismatch => {
                    self.update_needed.set(true);
                    return;
                }
                Err(Failure::Api(e)) if e.code == ErrorCode::NotSignedIn => {
                    // The session ended: asking again shows the sign-in page if so. Edits stay saved here.
                    let _ = self.auth.fresh_token().await;
                    return;
                }
                Err(Failure::Network) => {
                    self.reachable.set(false);
                    return;
                }
                Err(other) => {
                    leptos::logging::warn!("pull failed, will try again: {other:?}");
                    return;
                }
            };
            self.reachable.set(true);
            let Some(applied) = self.replica.update_untracked(|r| r.apply_pull(since, &page)) else {
                return;
            };
            let held = self.outbox_held();
            let saved = self.replica.with_untracked(|r| {
                self.outbox.update_untracked(|o| o.settle_with(r));
                self.outbox
                    .with_untracked(|o| store.write().replica(r, &applied.changed, applied.reset).outbox(o).commit())
            });
            match saved.await {
                Ok(()) => {
                    held.committed();
                    self.saved_cursor.set(Some(self.replica.with_untracked(|r| r.cursor)));
                }
                // The copy here is behind what was shown; the next start reloads the older copy and pulls again.
                Err(e) => leptos::logging::error!("could not save pulled changes: {e}"),
            }
            self.replica.notify();
            self.outbox.notify();
            if !page.more {
                return;
            }
        }
    }

    /// Record an edit: checked and put in the outbox at once, so it shows (and the next handler sees it) straight
    /// away; the future saves it on this device and then asks for a sync. While the save runs the header says
    /// "Saving…", never "saved"; if it fails the edit is taken back off the screen.
    fn record(
        self,
        person: &UserId,
        change: Change,
        settles: bool,
    ) -> impl Future<Output = Result<(), RecordError>> + 'static {
        // Online, the edit goes to the server as soon as it is saved here: it is saved as sent at once, so the
        // push that follows needs no second save first (an edit that can still be taken back is one made offline).
        let sending = self.sends_now();
        let generation = INNER.with_borrow(|i| i.generation);
        let recorded = match INNER.with_borrow(|i| i.store.clone()) {
            None => Err(RecordError::NotSaved),
            Some(store) => self
                .replica
                .with_untracked(|r| {
                    self.outbox.update_untracked(|o| {
                        let id = o.record(r, person, change, settles, now_ms())?.mutation.id;
                        if sending {
                            o.mark_attempted(&[id]);
                        }
                        Ok(id)
                    })
                })
                .map(|id| (store, id))
                .map_err(RecordError::Invalid),
        };
        if recorded.is_ok() {
            self.saving.update(|n| *n += 1);
            self.outbox.notify();
        }
        // The save and what follows it run as a task of their own, so they finish even if the caller stops
        // waiting: an edit whose committed save went unnoted would wait unsent until Waymark next starts.
        let kept = recorded.map(|(store, id)| {
            let mut settle = None;
            let kept = Promise::new(&mut |resolve, _| settle = Some(resolve));
            spawn_local(async move {
                let kept = self.keep_recorded(&store, id, generation).await;
                if let Some(resolve) = settle {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(kept));
                }
            });
            kept
        });
        async move {
            let kept = JsFuture::from(kept?).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
            if kept { Ok(()) } else { Err(RecordError::NotSaved) }
        }
    }

    /// Save a just-recorded edit on this device, then ask for a sync. True if it is kept.
    async fn keep_recorded(self, store: &LocalStore, id: u64, generation: u64) -> bool {
        let saved = self.save_outbox(store).await;
        self.saving.update(|n| *n = n.saturating_sub(1));
        if saved {
            self.request();
            return true;
        }
        // Not saved: take it back off the screen, unless another save (a push's or a pull's) held it (then it is on
        // this device after all, and on its way). No save held it, so it was never sent.
        if INNER.with_borrow(|i| i.generation == generation && i.saved_through >= id) {
            return true;
        }
        if self.outbox.update_untracked(|o| o.withdraw(id)).is_some() {
            self.outbox.notify();
            false
        } else {
            true
        }
    }

    fn shown(self, result: Result<(), RecordError>) -> Result<(), RecordError> {
        match &result {
            Ok(()) => {}
            Err(e) => {
                leptos::logging::warn!("an edit was not saved: {e:?}");
                self.failed.set(Some(e.clone()));
            }
        }
        result
    }

    /// The one way to make an edit: it shows at once (the next handler sees it too), is saved on this device, then
    /// synced. A failure is always shown to the person (a clear message with the things that need their attention);
    /// the result is for callers that do more on success (clear a box, go to the next page).
    pub fn edit(
        self,
        person: &UserId,
        change: impl Into<Change>,
    ) -> impl Future<Output = Result<(), RecordError>> + 'static {
        let saving = self.record(person, change.into(), false);
        async move { self.shown(saving.await) }
    }

    /// An edit that settles a conflict on its cell (the value chosen, or a combined one).
    pub fn settle(
        self,
        person: &UserId,
        change: impl Into<Change>,
    ) -> impl Future<Output = Result<(), RecordError>> + 'static {
        let saving = self.record(person, change.into(), true);
        async move { self.shown(saving.await) }
    }

    /// [`SyncEngine::edit`], when nothing more is to be done on success.
    pub fn edit_soon(self, person: &UserId, change: impl Into<Change>) {
        let saving = self.edit(person, change);
        spawn_local(async move {
            // A failure is shown by `edit`.
            let _ = saving.await;
        });
    }

    /// Several edits that belong together (a new goal and its status): all are checked first, so nothing is saved
    /// when one is wrong; then each is made as by [`SyncEngine::edit`].
    pub fn edit_all(
        self,
        person: &UserId,
        changes: Vec<Change>,
    ) -> impl Future<Output = Result<(), RecordError>> + 'static {
        let checked = changes.iter().try_for_each(Change::validate).map_err(RecordError::Invalid);
        let saving: Result<Vec<_>, RecordError> =
            checked.map(|()| changes.into_iter().map(|c| self.record(person, c, false)).collect());
        async move {
            let mut result = Ok(());
            for s in saving? {
                if let Err(e) = s.await
                    && result.is_ok()
                {
                    result = Err(e);
                }
            }
            self.shown(result)
        }
    }

    /// The person has read the message about an edit that was not saved.
    pub fn dismiss_failure(self) {
        self.failed.set(None);
    }

    /// Take back an edit that has not been sent (undo).
    pub async fn cancel(self, id: u64) -> bool {
        let Some(store) = INNER.with_borrow(|i| i.store.clone()) else {
            return false;
        };
        let Some(taken) = self.outbox.update_untracked(|o| o.cancel(id)) else {
            return false;
        };
        if self.save_outbox(&store).await {
            true
        } else {
            // Not saved: put it back so what is shown matches what is stored.
            self.outbox.update_untracked(|o| {
                let at = o.items.iter().position(|p| p.mutation.id > id).unwrap_or(o.items.len());
                o.items.insert(at, taken);
            });
            false
        }
    }

    /// The person has seen a refused edit.
    pub async fn dismiss(self, id: u64) {
        let Some(store) = INNER.with_borrow(|i| i.store.clone()) else {
            return;
        };
        if store.write().dismiss_attention(id).commit().await.is_ok() {
            self.attention.update(|a| a.retain(|x| x.pending.mutation.id != id));
        }
    }

    /// The store, once it is open for the signed-in person (waits up to a few seconds while it opens).
    async fn ready_store(self) -> Option<LocalStore> {
        for _ in 0..100 {
            if let Some(store) = INNER.with_borrow(|i| i.store.clone()) {
                return Some(store);
            }
            if self.store_failed.get_untracked() || self.auth.me_untracked().is_none() {
                return None;
            }
            timer::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Keep a page this person opened online, so it opens offline too.
    pub fn keep_page<T: Serialize + 'static>(self, key: String, page: T) {
        spawn_local(async move {
            if let Some(store) = self.ready_store().await
                && let Err(e) = store.write().page(&key, &page).commit().await
            {
                leptos::logging::warn!("could not keep the page for offline use: {e}");
            }
        });
    }

    /// A page kept by [`SyncEngine::keep_page`].
    pub async fn kept_page<T: DeserializeOwned>(self, key: &str) -> Option<T> {
        self.ready_store().await?.page(key).await.ok().flatten()
    }

    /// Fetch a page: from the server when it answers (keeping a copy), else the copy kept on this device.
    /// The flag says whether the copy was used.
    pub async fn page<T: Serialize + DeserializeOwned + Clone + 'static>(
        self,
        page: KeptPage<T>,
    ) -> Result<(T, bool), Failure> {
        match api::fetch(&page).await {
            Ok(answer) => {
                self.keep_page(page.key, answer.clone());
                Ok((answer, false))
            }
            Err(Failure::Network) => match self.kept_page::<T>(&page.key).await {
                Some(page) => Ok((page, true)),
                None => Err(Failure::Network),
            },
            Err(e) => Err(e),
        }
    }
}

/// The standing of the signed-in person towards the person whose page is open: from the session and the person's
/// page (who they are, how they are linked). The page loaded, so they may open the record.
pub fn standing(me: &Me, page: &PersonPage) -> Standing {
    Standing {
        user: me.id.clone(),
        role: me.role,
        is_self: me.id == page.person.id,
        relation: page.person.my_relation,
        may_view: true,
    }
}

/// The signed-in person's facts as a writer on `page`'s record: the one place the app builds them, from their
/// standing and the consent cells as this device shows them (pulled cells with this device's edits on top), so
/// what the screens offer follows every pull and every edit made here. The server checks the same rules again.
pub fn use_facts(me: &Me, page: &PersonPage) -> Memo<WriterFacts> {
    let sync = use_sync();
    let standing = standing(me, page);
    let person = page.person.id.clone();
    Memo::new(move |_| {
        sync.replica.with(|r| {
            sync.outbox.with(|o| WriterFacts::build(standing.clone(), &person, &|k: &CellKey| o.shown(r, k).cloned()))
        })
    })
}

impl SyncEngine {
    /// The change that writes `value` into the cell at `key` (what choosing a value in a conflict sends), read back
    /// by the cell's own domain with the record's other cells as this device shows them.
    pub fn decode(self, key: &CellKey, value: &serde_json::Value) -> Option<Change> {
        self.replica.with_untracked(|r| {
            self.outbox.with_untracked(|o| Change::decode(key, value, &|k: &CellKey| o.shown(r, k).cloned()))
        })
    }

    /// May this writer make `change` on `person`'s record over the cells as this device has them from the server?
    /// The server's own rule (`Change::may_write_over`), for offering a choice in a conflict.
    pub fn may_make(self, facts: &WriterFacts, person: &UserId, change: &Change) -> bool {
        let effect = change.effect(person);
        self.replica.with_untracked(|r| {
            let required = match &effect.mode {
                EffectMode::SetExisting { requires } => r.cell(requires),
                _ => None,
            };
            change.may_write_over(facts, required, r.cell(&effect.key))
        })
    }
}
