//! The device's local store: the ONE module through which the app reads and writes IndexedDB.
//!
//! One database per person who uses the tablet (`waymark-<user id>`), so people sharing a tablet never see each
//! other's copies. Every value is stored as made by [`seal`]: its JSON, encrypted (AES-GCM, WebCrypto) under that
//! person's data key for this device, so a store is unreadable without that key; [`unseal`] reads values back. The
//! key is in memory only while the person's records are open ([`keys`]): on the device it is kept wrapped by their
//! PIN and a device key, and the server hands it over again at an online sign-in. Keys of entries (cell keys, edit
//! ids) are not encrypted: they name records, never hold what anyone wrote.
//!
//! Writes go through a [`Writer`]: its values are sealed as its methods are called; `commit()` waits for them, then
//! opens its transaction (with strict durability) only after every writer made before it has opened its own, so
//! writers commit in the order they were made; it resolves only once the browser reports the transaction complete.

mod crypto;
mod idb;
pub mod keys;
mod tab_lock;

pub use idb::Listeners;
pub use tab_lock::TabLock;

use crate::sync::model::Attention;
use crypto::Sealing;
use idb::{Wait, js_err};
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde::{Serialize, de::DeserializeOwned};
use std::{
    cell::{Cell, RefCell},
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, Waker},
};
use waymark_shared::{
    UserId,
    sync::{CellKey, ClientId, Outbox, Pending, Replica, SyncEvent},
};
use web_sys::{CryptoKey, IdbDatabase, IdbObjectStore, IdbTransaction, IdbTransactionMode};

const DB_VERSION: u32 = 1;
/// The replica's cells: key = the cell key as JSON, value = the cell as a sync event.
const CELLS: &str = "cells";
/// Small facts: the cursor, the scope, this device's id, the next edit id, the key check.
const META: &str = "meta";
/// Edits not yet settled with the server: key = edit id.
const OUTBOX: &str = "outbox";
/// Edits the server refused, until the person dismisses them: key = edit id.
const ATTENTION: &str = "attention";
/// Pages last seen online (a person's page, the people list), so they open offline.
const PAGES: &str = "pages";
const STORES: [&str; 5] = [CELLS, META, OUTBOX, ATTENTION, PAGES];

const META_CURSOR: &str = "cursor";
const META_SCOPE: &str = "scope";
const META_CLIENT: &str = "client";
const META_NEXT_ID: &str = "next_id";
/// A known value sealed under the store's key: tells whether a key is the store's before anything is read.
const META_CHECK: &str = "check";
const CHECK_TEXT: &str = "waymark";

/// Everything the sync engine keeps on the device, as read at start.
#[derive(Default)]
pub struct Loaded {
    pub replica: Replica,
    pub outbox: Outbox,
    pub attention: Vec<Attention>,
    pub client: Option<ClientId>,
}

/// Turn a value into what is stored: its JSON, encrypted under the person's data key. The encryption starts at once
/// (the browser does it off the page's thread); the write that stores it waits for it.
fn seal<T: Serialize>(key: &CryptoKey, value: &T) -> Result<Sealing, String> {
    let json = serde_json::to_vec(value).map_err(|e| e.to_string())?;
    crypto::encrypt(key, &json)
}

/// Read back what [`seal`] stored, many values at once. `None` for a value that is missing, not sealed under this
/// key, or not of this type.
async fn unseal<T: DeserializeOwned>(key: &CryptoKey, stored: &[JsValue]) -> Vec<Option<T>> {
    crypto::decrypt_all(key, stored)
        .await
        .into_iter()
        .map(|plain| plain.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
        .collect()
}

async fn unseal_one<T: DeserializeOwned>(key: &CryptoKey, stored: &JsValue) -> Option<T> {
    unseal(key, std::slice::from_ref(stored)).await.pop().flatten()
}

/// Note how long a step took, for the browser benchmarks (`performance.getEntriesByName(name)`). Only the latest
/// thousand are kept.
fn measure(name: &str, started: f64) {
    thread_local! {
        static COUNT: Cell<u32> = const { Cell::new(0) };
    }
    let Ok(performance) = Reflect::get(&leptos::prelude::window(), &"performance".into()) else { return };
    let call = |method: &str, args: &Array| {
        if let Ok(f) = Reflect::get(&performance, &method.into()).and_then(|f| f.dyn_into::<Function>()) {
            let _ = f.apply(&performance, args);
        }
    };
    if COUNT.get() >= 1000 {
        call("clearMeasures", &Array::of1(&name.into()));
        COUNT.set(0);
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"start".into(), &started.into());
    let _ = Reflect::set(&options, &"end".into(), &now().into());
    call("measure", &Array::of2(&name.into(), &options));
    COUNT.set(COUNT.get() + 1);
}

/// `performance.now()`, in milliseconds.
fn now() -> f64 {
    Reflect::get(&leptos::prelude::window(), &"performance".into())
        .ok()
        .and_then(|p| {
            let f: Function = Reflect::get(&p, &"now".into()).ok()?.dyn_into().ok()?;
            f.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(leptos::web_sys::js_sys::Date::now)
}

fn cell_key(key: &CellKey) -> Result<JsValue, String> {
    serde_json::to_string(key).map(|s| JsValue::from_str(&s)).map_err(|e| e.to_string())
}

fn id_key(id: u64) -> JsValue {
    JsValue::from_f64(id as f64)
}

fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, String> {
    tx.object_store(name).map_err(js_err)
}

/// The device's store for one person, open with their data key.
#[derive(Clone)]
pub struct LocalStore {
    db: IdbDatabase,
    key: CryptoKey,
    sealed: SealedOutbox,
}

/// The outbox is saved whole at every edit: each waiting edit's last sealed form, by edit id with the JSON it
/// sealed, so an edit that has not changed is not encrypted again (storing the same ciphertext for the same value
/// tells nothing new).
type SealedOutbox = Rc<RefCell<std::collections::HashMap<u64, (String, Uint8Array)>>>;

impl LocalStore {
    /// The database's name for a person.
    pub fn database_name(user: &UserId) -> String {
        format!("waymark-{user}")
    }

    /// Open (creating on first use) the person's store. Their records must be open (their key in memory).
    pub async fn open(user: &UserId) -> Result<LocalStore, String> {
        let key = keys::open_key(user).ok_or("this person's records are locked on this device")?;
        let db = idb::open(&Self::database_name(user), DB_VERSION, &STORES).await?;
        let store = LocalStore { db, key, sealed: SealedOutbox::default() };
        match store.check().await {
            Ok(true) => Ok(store),
            Ok(false) => {
                // Sealed under a key this device no longer has (its device keys were deleted): nobody can read it.
                // Start this person's store again; the next pull fills it.
                leptos::logging::warn!("this person's store was locked with another key: starting it again");
                store.close();
                delete(user).await?;
                let db = idb::open(&Self::database_name(user), DB_VERSION, &STORES).await?;
                let store = LocalStore { db, key: store.key, sealed: SealedOutbox::default() };
                store.check().await?;
                Ok(store)
            }
            Err(e) => {
                store.close();
                Err(e)
            }
        }
    }

    /// Is the store sealed under this key? A store with no check value is new, or from before encryption (plain
    /// JSON): what it holds is sealed now, in one transaction, and the check value written.
    async fn check(&self) -> Result<bool, String> {
        let tx = self.read_tx(&[META])?;
        let req = store(&tx, META)?.get(&JsValue::from_str(META_CHECK)).map_err(js_err)?;
        let found = Wait::request(&req).await?;
        if !found.is_undefined() {
            return Ok(unseal_one::<String>(&self.key, &found).await.as_deref() == Some(CHECK_TEXT));
        }
        let tx = self.read_tx(&STORES)?;
        let mut reads = Vec::new();
        for name in STORES {
            let s = store(&tx, name)?;
            reads.push((name, s.get_all_keys().map_err(js_err)?, s.get_all().map_err(js_err)?));
        }
        let mut writer = self.write();
        for (name, keys, values) in reads {
            let keys = Array::from(&Wait::request(&keys).await?);
            let values = Array::from(&Wait::request(&values).await?);
            for (k, v) in keys.iter().zip(values.iter()) {
                if let Some(plain) = v.as_string() {
                    match crypto::encrypt(&self.key, plain.as_bytes()) {
                        Ok(sealing) => writer.ops.push(Op::Put(name, k, sealing, None)),
                        Err(e) => writer.fail(e),
                    }
                }
            }
        }
        writer.put(META, Ok(JsValue::from_str(META_CHECK)), &CHECK_TEXT).commit().await?;
        Ok(true)
    }

    pub fn close(&self) {
        self.db.close();
    }

    fn read_tx(&self, names: &[&str]) -> Result<IdbTransaction, String> {
        let list = Array::new();
        for n in names {
            list.push(&JsValue::from_str(n));
        }
        self.db.transaction_with_str_sequence_and_mode(&list, IdbTransactionMode::Readonly).map_err(js_err)
    }

    /// Read everything the sync engine keeps.
    pub async fn load(&self) -> Result<Loaded, String> {
        let started = now();
        let tx = self.read_tx(&STORES)?;
        let cells = store(&tx, CELLS)?.get_all().map_err(js_err)?;
        let outbox = store(&tx, OUTBOX)?.get_all().map_err(js_err)?;
        let attention = store(&tx, ATTENTION)?.get_all().map_err(js_err)?;
        let meta = store(&tx, META)?;
        let cursor = meta.get(&JsValue::from_str(META_CURSOR)).map_err(js_err)?;
        let scope = meta.get(&JsValue::from_str(META_SCOPE)).map_err(js_err)?;
        let client = meta.get(&JsValue::from_str(META_CLIENT)).map_err(js_err)?;
        let next_id = meta.get(&JsValue::from_str(META_NEXT_ID)).map_err(js_err)?;

        let all = |v: JsValue| Array::from(&v).iter().collect::<Vec<JsValue>>();
        let cells = all(Wait::request(&cells).await?);
        let outbox = all(Wait::request(&outbox).await?);
        let attention = all(Wait::request(&attention).await?);
        let (cursor, scope, client, next_id) = (
            Wait::request(&cursor).await?,
            Wait::request(&scope).await?,
            Wait::request(&client).await?,
            Wait::request(&next_id).await?,
        );
        let read = now();

        let mut loaded = Loaded::default();
        for event in unseal::<SyncEvent>(&self.key, &cells).await.into_iter().flatten() {
            loaded.replica.cells.insert(event.key, event.cell);
        }
        loaded.outbox.items = unseal::<Pending>(&self.key, &outbox).await.into_iter().flatten().collect();
        loaded.attention = unseal::<Attention>(&self.key, &attention).await.into_iter().flatten().collect();
        loaded.replica.cursor = unseal_one(&self.key, &cursor).await.unwrap_or(0);
        loaded.replica.scope = unseal_one(&self.key, &scope).await;
        loaded.client = unseal_one(&self.key, &client).await;
        let stored_next: u64 = unseal_one(&self.key, &next_id).await.unwrap_or(1);
        // Never reuse an id, even if the counter was lost: ids are how the server spots a replay.
        let highest =
            loaded.outbox.items.iter().chain(loaded.attention.iter().map(|a| &a.pending)).map(|p| p.mutation.id).max();
        loaded.outbox.next_id = stored_next.max(highest.map_or(1, |h| h + 1));
        measure("waymark:load-read", started);
        measure("waymark:load-unseal", read);
        Ok(loaded)
    }

    /// A saved page (`key` as given to [`Writer::page`]), if this device has one.
    pub async fn page<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        let tx = self.read_tx(&[PAGES])?;
        let req = store(&tx, PAGES)?.get(&JsValue::from_str(key)).map_err(js_err)?;
        Ok(unseal_one(&self.key, &Wait::request(&req).await?).await)
    }

    /// Start a write. Its values are sealed as its methods are called; nothing is saved until [`Writer::commit`]
    /// resolves.
    pub fn write(&self) -> Writer {
        Writer {
            db: self.db.clone(),
            key: self.key.clone(),
            sealed: self.sealed.clone(),
            ops: Vec::new(),
            error: None,
            started: now(),
        }
    }
}

/// Forget a person's store entirely: at sign-out, when nothing on it is waiting to sync (unsynced edits must
/// survive a sign-out, and sync at the person's next sign-in).
pub async fn delete(user: &UserId) -> Result<(), String> {
    let factory = leptos::prelude::window().indexed_db().map_err(js_err)?.ok_or("IndexedDB is not available")?;
    let req = factory.delete_database(&LocalStore::database_name(user)).map_err(js_err)?;
    Wait::request(&req).await.map(|_| ())
}

/// How many edits in a person's store are waiting to sync or for them to see (counted without their key).
pub async fn waiting(user: &UserId) -> Result<u32, String> {
    let db = idb::open(&LocalStore::database_name(user), DB_VERSION, &STORES).await?;
    let counted = async {
        let list = Array::of2(&OUTBOX.into(), &ATTENTION.into());
        let tx = db.transaction_with_str_sequence(&list).map_err(js_err)?;
        let outbox = store(&tx, OUTBOX)?.count().map_err(js_err)?;
        let attention = store(&tx, ATTENTION)?.count().map_err(js_err)?;
        let n = |v: JsValue| v.as_f64().unwrap_or(0.0) as u32;
        Ok::<u32, String>(n(Wait::request(&outbox).await?) + n(Wait::request(&attention).await?))
    }
    .await;
    db.close();
    counted
}

thread_local! {
    /// Writes committed but not yet finished.
    static IN_FLIGHT: Cell<u32> = const { Cell::new(0) };
}

/// Resolves once every write committed so far has finished (or after a few seconds, whatever happened to them).
pub async fn writes_settled() {
    for _ in 0..250 {
        if IN_FLIGHT.get() == 0 {
            return;
        }
        crate::sync::timer::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Claim this person's store for this tab (see [`tab_lock`]). `Ok(None)`: another tab has it and `wait` was false.
pub async fn claim_tab(user: &UserId, wait: bool) -> Result<Option<TabLock>, String> {
    tab_lock::claim(&LocalStore::database_name(user), wait).await
}

/// One step of a write, its value being sealed.
enum Op {
    /// With the outbox edit id and JSON it seals, to remember the sealed form.
    Put(&'static str, JsValue, Sealing, Option<(u64, String)>),
    /// Sealed before (an outbox edit that has not changed).
    Sealed(&'static str, JsValue, Uint8Array),
    Delete(&'static str, JsValue),
    Clear(&'static str),
}

/// One step of a write, ready to issue.
enum Ready {
    Put(&'static str, JsValue, Uint8Array),
    Delete(&'static str, JsValue),
    Clear(&'static str),
}

impl Op {
    async fn finish(self, sealed: &SealedOutbox) -> Result<Ready, String> {
        Ok(match self {
            Op::Put(name, key, sealing, remember) => {
                let value = sealing.finish().await?;
                if let Some((id, json)) = remember {
                    sealed.borrow_mut().insert(id, (json, value.clone()));
                }
                Ready::Put(name, key, value)
            }
            Op::Sealed(name, key, value) => Ready::Put(name, key, value),
            Op::Delete(name, key) => Ready::Delete(name, key),
            Op::Clear(name) => Ready::Clear(name),
        })
    }
}

/// One write transaction over the store. The first failure is kept and reported by [`Writer::commit`].
#[must_use = "a write is saved only when committed and awaited"]
pub struct Writer {
    db: IdbDatabase,
    key: CryptoKey,
    sealed: SealedOutbox,
    ops: Vec<Op>,
    error: Option<String>,
    /// When the write began (for the benchmarks: sealing counts from here, the JSON included).
    started: f64,
}

impl Writer {
    fn fail(&mut self, e: String) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    fn put<T: Serialize>(&mut self, name: &'static str, key: Result<JsValue, String>, value: &T) -> &mut Self {
        if self.error.is_none() {
            match key.and_then(|k| seal(&self.key, &value).map(|sealing| (k, sealing))) {
                Ok((k, sealing)) => self.ops.push(Op::Put(name, k, sealing, None)),
                Err(e) => self.fail(e),
            }
        }
        self
    }

    /// Save the whole outbox (it is small: only edits not yet settled with the server) and its id counter.
    pub fn outbox(&mut self, outbox: &Outbox) -> &mut Self {
        self.ops.push(Op::Clear(OUTBOX));
        self.sealed.borrow_mut().retain(|id, _| outbox.items.iter().any(|p| p.mutation.id == *id));
        for p in &outbox.items {
            if self.error.is_some() {
                break;
            }
            let id = p.mutation.id;
            let json = match serde_json::to_string(p) {
                Ok(json) => json,
                Err(e) => {
                    self.fail(e.to_string());
                    break;
                }
            };
            let before = self.sealed.borrow().get(&id).filter(|(was, _)| *was == json).map(|(_, value)| value.clone());
            match before {
                Some(value) => self.ops.push(Op::Sealed(OUTBOX, id_key(id), value)),
                None => match crypto::encrypt(&self.key, json.as_bytes()) {
                    Ok(sealing) => self.ops.push(Op::Put(OUTBOX, id_key(id), sealing, Some((id, json)))),
                    Err(e) => self.fail(e),
                },
            }
        }
        self.put(META, Ok(JsValue::from_str(META_NEXT_ID)), &outbox.next_id)
    }

    /// Save the replica's changed cells (all of them after a reset) and its cursor and scope.
    pub fn replica(&mut self, replica: &Replica, changed: &[CellKey], reset: bool) -> &mut Self {
        if reset {
            self.ops.push(Op::Clear(CELLS));
        }
        for key in changed {
            match replica.cell(key) {
                Some(cell) => {
                    let event = SyncEvent { key: key.clone(), cell: cell.clone() };
                    self.put(CELLS, cell_key(key), &event);
                }
                None => match cell_key(key) {
                    Ok(k) => self.ops.push(Op::Delete(CELLS, k)),
                    Err(e) => self.fail(e),
                },
            }
        }
        self.put(META, Ok(JsValue::from_str(META_CURSOR)), &replica.cursor);
        self.put(META, Ok(JsValue::from_str(META_SCOPE)), &replica.scope)
    }

    pub fn attention(&mut self, item: &Attention) -> &mut Self {
        self.put(ATTENTION, Ok(id_key(item.pending.mutation.id)), item)
    }

    pub fn dismiss_attention(&mut self, id: u64) -> &mut Self {
        self.ops.push(Op::Delete(ATTENTION, id_key(id)));
        self
    }

    pub fn client(&mut self, client: &ClientId) -> &mut Self {
        self.put(META, Ok(JsValue::from_str(META_CLIENT)), client)
    }

    /// Keep a page the person opened online, so it opens offline.
    pub fn page<T: Serialize>(&mut self, key: &str, page: &T) -> &mut Self {
        self.put(PAGES, Ok(JsValue::from_str(key)), page)
    }

    /// Resolves once the browser reports the transaction complete; only then is the write saved. The work runs
    /// as a task of its own, so it finishes (and lets later writers go) even if this future is dropped.
    pub fn commit(&mut self) -> impl Future<Output = Result<(), String>> + 'static + use<> {
        let ops = std::mem::take(&mut self.ops);
        let error = self.error.take();
        let db = self.db.clone();
        let sealed = self.sealed.clone();
        let turn = Turn::take();
        let started = self.started;
        let mut settle = None;
        let done = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        IN_FLIGHT.set(IN_FLIGHT.get() + 1);
        leptos::task::spawn_local(async move {
            let out = run(db, sealed, ops, error, turn, started).await;
            IN_FLIGHT.set(IN_FLIGHT.get().saturating_sub(1));
            if let Some((resolve, reject)) = settle {
                let _ = match out {
                    Ok(()) => resolve.call0(&JsValue::NULL),
                    Err(e) => reject.call1(&JsValue::NULL, &JsValue::from_str(&e)),
                };
            }
        });
        async move {
            wasm_bindgen_futures::JsFuture::from(done)
                .await
                .map(drop)
                .map_err(|e| e.as_string().unwrap_or_else(|| "not saved".into()))
        }
    }
}

async fn run(
    db: IdbDatabase,
    sealed: SealedOutbox,
    ops: Vec<Op>,
    error: Option<String>,
    mut turn: Turn,
    started: f64,
) -> Result<(), String> {
    let sealed = async {
        if let Some(e) = error {
            return Err(e);
        }
        let mut ready = Vec::with_capacity(ops.len());
        for op in ops {
            ready.push(op.finish(&sealed).await?);
        }
        Ok(ready)
    }
    .await;
    measure("waymark:seal", started);
    turn.wait().await;
    let opened = sealed.and_then(|ready| {
        let list = Array::new();
        for n in STORES {
            list.push(&JsValue::from_str(n));
        }
        // `durability: "strict"`: complete means on disk, not just handed to the OS.
        let options = Object::new();
        Reflect::set(&options, &"durability".into(), &"strict".into()).map_err(js_err)?;
        let transaction: Function = Reflect::get(&db, &"transaction".into()).map_err(js_err)?.unchecked_into();
        let tx: IdbTransaction =
            transaction.call3(&db, &list, &"readwrite".into(), &options).map(JsCast::unchecked_into).map_err(js_err)?;
        let issued = ready.into_iter().try_for_each(|op| {
            match op {
                Ready::Put(name, key, value) => store(&tx, name)?.put_with_key(&value, &key).map(drop),
                Ready::Delete(name, key) => store(&tx, name)?.delete(&key).map(drop),
                Ready::Clear(name) => store(&tx, name)?.clear().map(drop),
            }
            .map_err(js_err)
        });
        match issued {
            Ok(()) => Ok(tx),
            Err(e) => {
                let _ = tx.abort();
                Err(e)
            }
        }
    });
    // The next writer may open its transaction now: it is queued after this one.
    turn.pass();
    let tx = opened?;
    Wait::transaction(&tx).await.map(|_| ())?;
    measure("waymark:write", started);
    Ok(())
}

/// A writer's place in line: it opens its transaction after the writer made before it has opened its own.
struct Turn {
    before: Option<Rc<Gate>>,
    mine: Rc<Gate>,
}

#[derive(Default)]
struct Gate {
    open: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

thread_local! {
    static LAST_WRITER: RefCell<Option<Rc<Gate>>> = const { RefCell::new(None) };
}

impl Turn {
    fn take() -> Turn {
        let mine = Rc::new(Gate::default());
        let before = LAST_WRITER.with_borrow_mut(|last| last.replace(mine.clone()));
        Turn { before, mine }
    }

    async fn wait(&mut self) {
        if let Some(gate) = self.before.take() {
            GateOpen(gate).await;
        }
    }

    fn pass(&self) {
        self.mine.open.set(true);
        for w in self.mine.wakers.take() {
            w.wake();
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.pass();
    }
}

struct GateOpen(Rc<Gate>);

impl Future for GateOpen {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.open.get() {
            Poll::Ready(())
        } else {
            self.0.wakers.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}
