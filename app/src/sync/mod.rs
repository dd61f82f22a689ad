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
pub mod tracker;
pub(crate) mod timer;

use crate::{
    client::http::{self, Failure, Method},
    local::LocalStore,
    session::Auth,
};
use leptos::{prelude::*, task::spawn_local};
use model::{Attention, PULL_PAGE, PUSH_BATCH, StatusFacts, SyncState};
use serde::{Serialize, de::DeserializeOwned};
use std::{cell::RefCell, time::Duration};
use waymark_shared::{
    UserId,
    api::ErrorCode,
    sync::{Change, ChangeError, ClientId, Outbox, PullResponse, PushRequest, PushResponse, Replica, SCHEMA_VERSION},
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
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}

fn now_ms() -> i64 {
    leptos::web_sys::js_sys::Date::now() as i64
}

/// Random bytes from the browser's CSPRNG.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    let filled = window().crypto().and_then(|c| c.get_random_values_with_u8_array(&mut bytes).map(|_| ()));
    if filled.is_err() {
        for b in &mut bytes {
            *b = (leptos::web_sys::js_sys::Math::random() * 256.0) as u8;
        }
    }
    model::hex(&bytes)
}

fn current(epoch: u64) -> Option<LocalStore> {
    INNER.with_borrow(|i| if i.generation == epoch { i.store.clone() } else { None })
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
            });
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

    /// The live channel heard of server version `version`.
    pub(crate) fn heard(self, epoch: u64, version: u64, hello: bool) {
        if INNER.with_borrow(|i| i.generation != epoch) {
            return;
        }
        INNER.with_borrow_mut(|i| {
            i.latest = i.latest.max(version);
            if hello {
                i.failures = 0;
            }
        });
        self.reachable.set(true);
        let behind = version > self.replica.with_untracked(|r| r.cursor);
        if behind || (hello && self.waiting() > 0) {
            self.request();
        }
    }

    /// Save the outbox as it is now; on success show it.
    async fn save_outbox(self, store: &LocalStore) -> bool {
        let saved = self.outbox.with_untracked(|o| store.write().outbox(o).commit());
        match saved.await {
            Ok(()) => {
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
        let Some(client) = INNER.with_borrow(|i| i.client.clone()) else { return };
        // With no network, don't even try: a try marks edits as sent, and they could no longer be taken back.
        if self.update_needed.get_untracked() || !self.online.get_untracked() {
            return;
        }
        if self.push(epoch, &store, &client).await {
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
            let batch = self.outbox.with_untracked(|o| o.batch(PUSH_BATCH));
            if batch.is_empty() {
                return true;
            }
            if total > 0 {
                self.progress.set(Some((done, total)));
            }
            let ids: Vec<u64> = batch.iter().map(|m| m.id).collect();
            self.outbox.update_untracked(|o| o.mark_attempted(&ids));
            if !self.save_outbox(store).await || current(epoch).is_none() {
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
            let answer: Result<PushResponse, Failure> =
                http::send(Method::POST, "/api/sync/push", token.as_deref().unwrap_or_default(), Some(&body)).await;
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
                    let saved = self.outbox.with_untracked(|o| store.write().outbox(o).attention(&item).commit());
                    if let Err(err) = saved.await {
                        leptos::logging::error!("could not save a refused edit: {err}");
                        return false;
                    }
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
            let scope = scope.map(|s| format!("&scope={s}")).unwrap_or_default();
            let url = format!("/api/sync/pull?schema={SCHEMA_VERSION}&since={since}&limit={PULL_PAGE}{scope}");
            let answer = http::get::<PullResponse>(&url).await;
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
            let Some(applied) = self.replica.update_untracked(|r| r.apply_pull(since, &page)) else { return };
            let saved = self.replica.with_untracked(|r| {
                self.outbox.update_untracked(|o| o.settle_with(r));
                self.outbox.with_untracked(|o| store.write().replica(r, &applied.changed, applied.reset).outbox(o).commit())
            });
            if let Err(e) = saved.await {
                // The copy here is behind what was shown; the next start reloads the older copy and pulls again.
                leptos::logging::error!("could not save pulled changes: {e}");
            }
            self.replica.notify();
            self.outbox.notify();
            if !page.more {
                return;
            }
        }
    }

    /// Record an edit: checked, saved on this device, and only then shown. Then a sync is asked for.
    pub async fn record(self, person: &UserId, change: Change, settles: bool) -> Result<(), RecordError> {
        let Some(store) = INNER.with_borrow(|i| i.store.clone()) else { return Err(RecordError::NotSaved) };
        let id = self
            .replica
            .with_untracked(|r| self.outbox.update_untracked(|o| o.record(r, person, change, settles, now_ms()).map(|p| p.mutation.id)))
            .map_err(RecordError::Invalid)?;
        if self.save_outbox(&store).await {
            self.request();
            Ok(())
        } else {
            self.outbox.update_untracked(|o| o.cancel(id));
            Err(RecordError::NotSaved)
        }
    }

    /// Take back an edit that has not been sent (undo).
    pub async fn cancel(self, id: u64) -> bool {
        let Some(store) = INNER.with_borrow(|i| i.store.clone()) else { return false };
        let Some(taken) = self.outbox.update_untracked(|o| o.cancel(id)) else { return false };
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
        let Some(store) = INNER.with_borrow(|i| i.store.clone()) else { return };
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
    pub async fn page<T: Serialize + DeserializeOwned + Clone + 'static>(self, url: &str, key: String) -> Result<(T, bool), Failure> {
        match http::get::<T>(url).await {
            Ok(page) => {
                self.keep_page(key, page.clone());
                Ok((page, false))
            }
            Err(Failure::Network) => match self.kept_page::<T>(&key).await {
                Some(page) => Ok((page, true)),
                None => Err(Failure::Network),
            },
            Err(e) => Err(e),
        }
    }
}
