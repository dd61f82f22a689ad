//! The device's local store: the ONE module through which the app reads and writes IndexedDB.
//!
//! One database per signed-in person (`waymark-<user id>`), so people sharing a tablet never see each other's
//! copies. Every value is stored as text made by [`seal`] and read back by [`unseal`]: today plain JSON, and the
//! single place to add encryption at rest later. Writes go through a [`Writer`], which opens its transaction (with
//! strict durability) and issues every request as soon as it is called, so writers commit in the order they were
//! made; `commit().await` returns only once the browser reports the transaction complete.

mod idb;
mod tab_lock;

pub use idb::Listeners;
pub use tab_lock::TabLock;

use crate::sync::model::Attention;
use idb::{Wait, js_err};
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::js_sys::{Array, Function, Object, Reflect};
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;
use waymark_shared::{
    UserId,
    sync::{CellKey, ClientId, Outbox, Pending, Replica, SyncEvent},
};
use web_sys::{IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbTransaction, IdbTransactionMode};

const DB_VERSION: u32 = 1;
/// The replica's cells: key = the cell key as JSON, value = the cell as a sync event.
const CELLS: &str = "cells";
/// Small facts: the cursor, the scope, this device's id, the next edit id.
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

/// Everything the sync engine keeps on the device, as read at start.
#[derive(Default)]
pub struct Loaded {
    pub replica: Replica,
    pub outbox: Outbox,
    pub attention: Vec<Attention>,
    pub client: Option<ClientId>,
}

/// Turn a value into what is stored. The one place to add encryption at rest.
fn seal<T: Serialize>(value: &T) -> Result<JsValue, String> {
    serde_json::to_string(value).map(|s| JsValue::from_str(&s)).map_err(|e| e.to_string())
}

/// Read back what [`seal`] stored. `None` for a missing or unreadable value.
fn unseal<T: DeserializeOwned>(stored: &JsValue) -> Option<T> {
    stored.as_string().and_then(|s| serde_json::from_str(&s).ok())
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

/// The device's store for one person.
#[derive(Clone)]
pub struct LocalStore {
    db: IdbDatabase,
}

impl LocalStore {
    /// The database's name for a person.
    pub fn database_name(user: &UserId) -> String {
        format!("waymark-{user}")
    }

    /// Open (creating on first use) the signed-in person's store.
    pub async fn open(user: &UserId) -> Result<LocalStore, String> {
        let factory = window_idb()?;
        let req: IdbOpenDbRequest = factory.open_with_u32(&Self::database_name(user), DB_VERSION).map_err(js_err)?;
        let upgrade_req = req.clone();
        let upgrade = leptos::wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let Ok(db) = upgrade_req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
                return;
            };
            let have = db.object_store_names();
            for name in STORES {
                if !have.contains(name) {
                    let _ = db.create_object_store(name);
                }
            }
        });
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let opened = Wait::request(&req).await;
        req.set_onupgradeneeded(None);
        drop(upgrade);
        let db: IdbDatabase = opened?.dyn_into().map_err(|_| "not a database".to_string())?;
        // Another tab upgrading or deleting this database: step aside rather than block it.
        let closing = db.clone();
        let on_version_change = leptos::wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();
        Ok(LocalStore { db })
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
        let tx = self.read_tx(&STORES)?;
        let cells = store(&tx, CELLS)?.get_all().map_err(js_err)?;
        let outbox = store(&tx, OUTBOX)?.get_all().map_err(js_err)?;
        let attention = store(&tx, ATTENTION)?.get_all().map_err(js_err)?;
        let meta = store(&tx, META)?;
        let cursor = meta.get(&JsValue::from_str(META_CURSOR)).map_err(js_err)?;
        let scope = meta.get(&JsValue::from_str(META_SCOPE)).map_err(js_err)?;
        let client = meta.get(&JsValue::from_str(META_CLIENT)).map_err(js_err)?;
        let next_id = meta.get(&JsValue::from_str(META_NEXT_ID)).map_err(js_err)?;

        let mut loaded = Loaded::default();
        for v in Array::from(&Wait::request(&cells).await?).iter() {
            if let Some(event) = unseal::<SyncEvent>(&v) {
                loaded.replica.cells.insert(event.key, event.cell);
            }
        }
        loaded.outbox.items = Array::from(&Wait::request(&outbox).await?).iter().filter_map(|v| unseal::<Pending>(&v)).collect();
        loaded.attention =
            Array::from(&Wait::request(&attention).await?).iter().filter_map(|v| unseal::<Attention>(&v)).collect();
        loaded.replica.cursor = unseal(&Wait::request(&cursor).await?).unwrap_or(0);
        loaded.replica.scope = unseal(&Wait::request(&scope).await?);
        loaded.client = unseal(&Wait::request(&client).await?);
        let stored_next: u64 = unseal(&Wait::request(&next_id).await?).unwrap_or(1);
        // Never reuse an id, even if the counter was lost: ids are how the server spots a replay.
        let highest = loaded.outbox.items.iter().chain(loaded.attention.iter().map(|a| &a.pending)).map(|p| p.mutation.id).max();
        loaded.outbox.next_id = stored_next.max(highest.map_or(1, |h| h + 1));
        Ok(loaded)
    }

    /// A saved page (`key` as given to [`Writer::page`]), if this device has one.
    pub async fn page<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        let tx = self.read_tx(&[PAGES])?;
        let req = store(&tx, PAGES)?.get(&JsValue::from_str(key)).map_err(js_err)?;
        Ok(unseal(&Wait::request(&req).await?))
    }

    /// Start a write. Its requests are issued as its methods are called; nothing is saved until
    /// [`Writer::commit`] resolves.
    pub fn write(&self) -> Writer {
        let tx = (|| -> Result<IdbTransaction, String> {
            let list = Array::new();
            for n in STORES {
                list.push(&JsValue::from_str(n));
            }
            // `durability: "strict"`: complete means on disk, not just handed to the OS.
            let options = Object::new();
            Reflect::set(&options, &"durability".into(), &"strict".into()).map_err(js_err)?;
            let transaction: Function = Reflect::get(&self.db, &"transaction".into()).map_err(js_err)?.unchecked_into();
            transaction.call3(&self.db, &list, &"readwrite".into(), &options).map(JsCast::unchecked_into).map_err(js_err)
        })();
        match tx {
            Ok(tx) => Writer { tx: Some(tx), error: None },
            Err(e) => Writer { tx: None, error: Some(e) },
        }
    }
}

fn window_idb() -> Result<web_sys::IdbFactory, String> {
    leptos::prelude::window().indexed_db().map_err(js_err)?.ok_or_else(|| "IndexedDB is not available".into())
}

/// Forget a person's store entirely: at sign-out, when nothing on it is waiting to sync (unsynced edits must
/// survive a sign-out, and sync at the person's next sign-in).
pub async fn delete(user: &UserId) -> Result<(), String> {
    let req = window_idb()?.delete_database(&LocalStore::database_name(user)).map_err(js_err)?;
    Wait::request(&req).await.map(|_| ())
}

/// Claim this person's store for this tab (see [`tab_lock`]). `Ok(None)`: another tab has it and `wait` was false.
pub async fn claim_tab(user: &UserId, wait: bool) -> Result<Option<TabLock>, String> {
    tab_lock::claim(&LocalStore::database_name(user), wait).await
}

/// One write transaction over the store. The first failure is kept and reported by [`Writer::commit`].
#[must_use = "a write is saved only when committed and awaited"]
pub struct Writer {
    tx: Option<IdbTransaction>,
    error: Option<String>,
}

impl Writer {
    fn run(&mut self, f: impl FnOnce(&IdbTransaction) -> Result<(), String>) -> &mut Self {
        if self.error.is_none()
            && let Some(tx) = &self.tx
            && let Err(e) = f(tx)
        {
            self.error = Some(e);
        }
        self
    }

    fn put(&mut self, name: &'static str, key: Result<JsValue, String>, value: Result<JsValue, String>) -> &mut Self {
        self.run(|tx| {
            store(tx, name)?.put_with_key(&value?, &key?).map_err(js_err)?;
            Ok(())
        })
    }

    /// Save the whole outbox (it is small: only edits not yet settled with the server) and its id counter.
    pub fn outbox(&mut self, outbox: &Outbox) -> &mut Self {
        self.run(|tx| {
            let s = store(tx, OUTBOX)?;
            s.clear().map_err(js_err)?;
            for p in &outbox.items {
                s.put_with_key(&seal(p)?, &id_key(p.mutation.id)).map_err(js_err)?;
            }
            store(tx, META)?.put_with_key(&seal(&outbox.next_id)?, &JsValue::from_str(META_NEXT_ID)).map_err(js_err)?;
            Ok(())
        })
    }

    /// Save the replica's changed cells (all of them after a reset) and its cursor and scope.
    pub fn replica(&mut self, replica: &Replica, changed: &[CellKey], reset: bool) -> &mut Self {
        self.run(|tx| {
            let s = store(tx, CELLS)?;
            if reset {
                s.clear().map_err(js_err)?;
            }
            for key in changed {
                match replica.cell(key) {
                    Some(cell) => {
                        let event = SyncEvent { key: key.clone(), cell: cell.clone() };
                        s.put_with_key(&seal(&event)?, &cell_key(key)?).map_err(js_err)?;
                    }
                    None => {
                        s.delete(&cell_key(key)?).map_err(js_err)?;
                    }
                }
            }
            let meta = store(tx, META)?;
            meta.put_with_key(&seal(&replica.cursor)?, &JsValue::from_str(META_CURSOR)).map_err(js_err)?;
            meta.put_with_key(&seal(&replica.scope)?, &JsValue::from_str(META_SCOPE)).map_err(js_err)?;
            Ok(())
        })
    }

    pub fn attention(&mut self, item: &Attention) -> &mut Self {
        self.put(ATTENTION, Ok(id_key(item.pending.mutation.id)), seal(item))
    }

    pub fn dismiss_attention(&mut self, id: u64) -> &mut Self {
        self.run(|tx| {
            store(tx, ATTENTION)?.delete(&id_key(id)).map_err(js_err)?;
            Ok(())
        })
    }

    pub fn client(&mut self, client: &ClientId) -> &mut Self {
        self.put(META, Ok(JsValue::from_str(META_CLIENT)), seal(client))
    }

    /// Keep a page the person opened online, so it opens offline.
    pub fn page<T: Serialize>(&mut self, key: &str, page: &T) -> &mut Self {
        self.put(PAGES, Ok(JsValue::from_str(key)), seal(page))
    }

    /// Resolves once the browser reports the transaction complete; only then is the write saved.
    pub fn commit(&mut self) -> impl Future<Output = Result<(), String>> + 'static + use<> {
        let error = self.error.take();
        let tx = self.tx.take();
        let wait = match (&error, &tx) {
            (None, Some(tx)) => Some(Wait::transaction(tx)),
            _ => None,
        };
        if error.is_some()
            && let Some(tx) = &tx
        {
            let _ = tx.abort();
        }
        async move {
            if let Some(e) = error {
                return Err(e);
            }
            match wait {
                Some(wait) => wait.await.map(|_| ()),
                None => Err("no transaction".into()),
            }
        }
    }
}
