//! This device's keys, kept in a database of their own (`waymark.device`), apart from anyone's records:
//!
//! - the **device key**: AES-GCM, made here, non-extractable (stored as a key object: script may use it, never read
//!   it out) and the **device id** the server knows this device by;
//! - per person who set a PIN here, their **data key, wrapped twice**: encrypted under a key made from their PIN
//!   (PBKDF2-SHA256, 600,000 rounds, a random salt), and that under the device key; with the count of wrong PINs
//!   in a row. Five wrong PINs delete it; the server hands the key over again at the next online sign-in.
//!
//! While someone's records are open, their data key is held in memory only ([`open_key`]); locking forgets it.

use super::{
    crypto,
    idb::{self, Wait, js_err},
};
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::js_sys::{Object, Reflect, Uint8Array};
use std::cell::RefCell;
use waymark_shared::UserId;
use web_sys::{CryptoKey, IdbDatabase, IdbTransactionMode};

/// The device's own database. Its name does not start with `waymark-`, which is for people's stores.
const DB: &str = "waymark.device";
const DB_VERSION: u32 = 1;
/// `key` → the device key; `id` → the device id.
const DEVICE: &str = "device";
/// A person's id → their wrapped data key (see [`Record`]).
const PEOPLE: &str = "people";
/// Wrong PINs in a row before the wrapped key is deleted.
pub const MAX_PIN_TRIES: u32 = 5;
/// The shortest PIN.
pub const PIN_MIN_DIGITS: usize = 6;
pub const PIN_MAX_DIGITS: usize = 12;

thread_local! {
    /// Whose records are open, and their data key.
    static OPEN: RefCell<Option<(UserId, CryptoKey)>> = const { RefCell::new(None) };
    /// A data key the server just handed over, held until the person chooses their PIN.
    static NEW: RefCell<Option<(UserId, Vec<u8>)>> = const { RefCell::new(None) };
}

/// A person's wrapped data key, as stored.
struct Record {
    salt: Uint8Array,
    /// IV, then (under the device key) IV, then (under the PIN key) the 32-byte data key.
    wrapped: Uint8Array,
    failures: u32,
    lock_after: u32,
}

impl Record {
    fn to_js(&self) -> Result<JsValue, String> {
        let o = Object::new();
        Reflect::set(&o, &"salt".into(), &self.salt).map_err(js_err)?;
        Reflect::set(&o, &"wrapped".into(), &self.wrapped).map_err(js_err)?;
        Reflect::set(&o, &"failures".into(), &JsValue::from(self.failures)).map_err(js_err)?;
        Reflect::set(&o, &"lock_after".into(), &JsValue::from(self.lock_after)).map_err(js_err)?;
        Ok(o.into())
    }

    fn from_js(v: &JsValue) -> Option<Record> {
        let get = |k: &str| Reflect::get(v, &JsValue::from_str(k)).ok();
        Some(Record {
            salt: get("salt")?.dyn_into().ok()?,
            wrapped: get("wrapped")?.dyn_into().ok()?,
            failures: get("failures")?.as_f64()? as u32,
            lock_after: get("lock_after")?.as_f64()? as u32,
        })
    }
}

/// Why a PIN did not open the records.
#[derive(Clone, Debug, PartialEq)]
pub enum Unlock {
    /// Not the PIN; this many tries are left.
    Wrong {
        left: u32,
    },
    /// The last try was wrong: the wrapped key is gone from this device.
    TooMany,
    /// No PIN is set for this person on this device.
    NoPin,
    Failed(String),
}

/// What is wrong with a PIN someone is choosing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PinProblem {
    /// Not 6 to 12 digits.
    Shape,
    /// All one digit, or digits in a row (123456, 987654).
    TooEasy,
    /// The two entries differ.
    Different,
}

/// Is this PIN good to choose (typed twice)?
pub fn check_new_pin(pin: &str, again: &str) -> Result<(), PinProblem> {
    if !(PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinProblem::Shape);
    }
    let d: Vec<i16> = pin.bytes().map(|b| i16::from(b - b'0')).collect();
    let steps: Vec<i16> = d.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.iter().all(|s| *s == 0) || steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Err(PinProblem::TooEasy);
    }
    if pin != again {
        return Err(PinProblem::Different);
    }
    Ok(())
}

async fn open_db() -> Result<IdbDatabase, String> {
    idb::open(DB, DB_VERSION, &[DEVICE, PEOPLE]).await
}

async fn get(db: &IdbDatabase, store: &str, key: &str) -> Result<JsValue, String> {
    let tx = db.transaction_with_str(store).map_err(js_err)?;
    let req = tx.object_store(store).map_err(js_err)?.get(&JsValue::from_str(key)).map_err(js_err)?;
    Wait::request(&req).await
}

/// Write (or, with `None`, delete) one value; resolves once it is committed.
async fn set(db: &IdbDatabase, store: &str, key: &str, value: Option<&JsValue>) -> Result<(), String> {
    let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite).map_err(js_err)?;
    let s = tx.object_store(store).map_err(js_err)?;
    match value {
        Some(v) => s.put_with_key(v, &JsValue::from_str(key)).map(drop).map_err(js_err)?,
        None => s.delete(&JsValue::from_str(key)).map(drop).map_err(js_err)?,
    }
    Wait::transaction(&tx).await.map(drop)
}

/// The device key and id, made on first use. Two tabs making them at once agree on the first one saved.
async fn device(db: &IdbDatabase) -> Result<(CryptoKey, String), String> {
    let read = |key: JsValue, id: JsValue| key.dyn_into::<CryptoKey>().ok().zip(id.as_string());
    if let Some(found) = read(get(db, DEVICE, "key").await?, get(db, DEVICE, "id").await?) {
        return Ok(found);
    }
    let key = crypto::new_device_key().await?;
    let id = crate::util::hex(&crypto::random(16)?);
    let tx = db.transaction_with_str_and_mode(DEVICE, IdbTransactionMode::Readwrite).map_err(js_err)?;
    let s = tx.object_store(DEVICE).map_err(js_err)?;
    // `add` fails if another tab saved its own first; then that one is read back.
    let _ = s.add_with_key(&key, &"key".into());
    let _ = s.add_with_key(&JsValue::from_str(&id), &"id".into());
    let _ = Wait::transaction(&tx).await;
    read(get(db, DEVICE, "key").await?, get(db, DEVICE, "id").await?)
        .ok_or_else(|| "the device key was not saved".into())
}

/// The id the server knows this device by (made on first use).
pub async fn device_id() -> Result<String, String> {
    let db = open_db().await?;
    let out = device(&db).await.map(|(_, id)| id);
    db.close();
    out
}

/// Does this person have a PIN on this device?
pub async fn has_pin(user: &UserId) -> bool {
    let Ok(db) = open_db().await else { return false };
    let found = get(&db, PEOPLE, &user.0).await.ok().as_ref().and_then(Record::from_js).is_some();
    db.close();
    found
}

/// Keep a key the server just handed over until the person chooses their PIN (memory only).
pub fn hold_new(user: &UserId, raw: Vec<u8>) {
    NEW.with_borrow_mut(|n| *n = Some((user.clone(), raw)));
}

/// Open this person's records with the key the server handed over.
pub async fn open_with(user: &UserId, raw: &[u8]) -> Result<(), String> {
    let key = crypto::import_data_key(raw).await?;
    OPEN.with_borrow_mut(|o| *o = Some((user.clone(), key)));
    Ok(())
}

/// The data key of the person whose records are open, if it is this person.
pub fn open_key(user: &UserId) -> Option<CryptoKey> {
    OPEN.with_borrow(|o| o.as_ref().filter(|(u, _)| u == user).map(|(_, k)| k.clone()))
}

/// Forget every key held in memory (the device locks, or someone signs out).
pub fn forget() {
    OPEN.with_borrow_mut(|o| *o = None);
    NEW.with_borrow_mut(|n| *n = None);
}

/// Wrap the key held by [`hold_new`] under this PIN and the device key, keep it, and open the records with it.
pub async fn choose_pin(user: &UserId, pin: &str, lock_after: u32) -> Result<(), String> {
    let raw = NEW
        .with_borrow(|n| n.as_ref().filter(|(u, _)| u == user).map(|(_, raw)| raw.clone()))
        .ok_or("no key is waiting for a PIN")?;
    let db = open_db().await?;
    let saved = async {
        let (device_key, _) = device(&db).await?;
        let salt = crypto::random(16)?;
        let inner = crypto::encrypt(&crypto::pin_key(pin, &salt).await?, &raw)?.finish().await?;
        let wrapped = crypto::encrypt(&device_key, &inner.to_vec())?.finish().await?;
        let record = Record { salt: Uint8Array::from(salt.as_slice()), wrapped, failures: 0, lock_after };
        set(&db, PEOPLE, &user.0, Some(&record.to_js()?)).await
    }
    .await;
    db.close();
    saved?;
    open_with(user, &raw).await?;
    NEW.with_borrow_mut(|n| *n = None);
    Ok(())
}

/// Open this person's records with their PIN. Returns their lock time. A wrong PIN is counted; the last allowed
/// wrong one deletes the wrapped key from this device.
pub async fn unlock(user: &UserId, pin: &str) -> Result<u32, Unlock> {
    let started = super::now();
    let db = open_db().await.map_err(Unlock::Failed)?;
    let out = unlock_in(&db, user, pin).await;
    db.close();
    super::measure("waymark:unlock", started);
    out
}

async fn unlock_in(db: &IdbDatabase, user: &UserId, pin: &str) -> Result<u32, Unlock> {
    let stored = get(db, PEOPLE, &user.0).await.map_err(Unlock::Failed)?;
    let Some(mut record) = Record::from_js(&stored) else { return Err(Unlock::NoPin) };
    let (device_key, _) = device(db).await.map_err(Unlock::Failed)?;
    let Ok(inner) = crypto::decrypt(&device_key, &record.wrapped).await else {
        // Not wrapped under this device's key: of no use to anyone.
        let _ = set(db, PEOPLE, &user.0, None).await;
        return Err(Unlock::NoPin);
    };
    let pin_key = crypto::pin_key(pin, &record.salt.to_vec()).await.map_err(Unlock::Failed)?;
    match crypto::decrypt(&pin_key, &Uint8Array::from(inner.as_slice())).await {
        Ok(raw) => {
            if record.failures > 0 {
                record.failures = 0;
                let _ = set(db, PEOPLE, &user.0, Some(&record.to_js().map_err(Unlock::Failed)?)).await;
            }
            let key = crypto::import_data_key(&raw).await.map_err(Unlock::Failed)?;
            OPEN.with_borrow_mut(|o| *o = Some((user.clone(), key)));
            Ok(record.lock_after)
        }
        Err(_) => {
            record.failures += 1;
            if record.failures >= MAX_PIN_TRIES {
                set(db, PEOPLE, &user.0, None).await.map_err(Unlock::Failed)?;
                Err(Unlock::TooMany)
            } else {
                set(db, PEOPLE, &user.0, Some(&record.to_js().map_err(Unlock::Failed)?))
                    .await
                    .map_err(Unlock::Failed)?;
                Err(Unlock::Wrong { left: MAX_PIN_TRIES - record.failures })
            }
        }
    }
}

/// Remember this person's lock time with their wrapped key (for starts with no network).
pub async fn set_lock_after(user: &UserId, seconds: u32) {
    let Ok(db) = open_db().await else { return };
    if let Ok(stored) = get(&db, PEOPLE, &user.0).await
        && let Some(mut record) = Record::from_js(&stored)
        && record.lock_after != seconds
    {
        record.lock_after = seconds;
        if let Ok(v) = record.to_js() {
            let _ = set(&db, PEOPLE, &user.0, Some(&v)).await;
        }
    }
    db.close();
}
