//! WebCrypto, the browser's own implementation, for encryption at rest: AES-GCM (256-bit keys, a fresh random 96-bit
//! IV per value, stored in front of the ciphertext), PBKDF2-SHA256 to make a key from a PIN, and non-extractable
//! keys that script can use but never read out. Private to [`crate::local`].

use super::idb::js_err;
use leptos::wasm_bindgen::{JsCast, JsValue, closure::Closure};
use leptos::web_sys::js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesDerivedKeyParams, AesGcmParams, AesKeyGenParams, CryptoKey, Pbkdf2Params, SubtleCrypto};

/// PBKDF2-SHA256 rounds for a PIN (OWASP's figure for PBKDF2-HMAC-SHA256).
pub const PBKDF2_ITERATIONS: u32 = 600_000;
const IV_BYTES: u32 = 12;
const AES_GCM: &str = "AES-GCM";

fn subtle() -> Result<SubtleCrypto, String> {
    Ok(leptos::prelude::window().crypto().map_err(js_err)?.subtle())
}

/// Random bytes from the browser's CSPRNG.
pub fn random(n: usize) -> Result<Vec<u8>, String> {
    let mut bytes = vec![0u8; n];
    leptos::prelude::window().crypto().map_err(js_err)?.get_random_values_with_u8_array(&mut bytes).map_err(js_err)?;
    Ok(bytes)
}

fn usages(list: &[&str]) -> Array {
    list.iter().map(|u| JsValue::from_str(u)).collect()
}

async fn wait(promise: Result<Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(js_err)?).await.map_err(js_err)
}

/// An encryption under way: started when made, finished by [`Sealing::finish`].
pub struct Sealing {
    iv: Uint8Array,
    ciphertext: Promise,
}

impl Sealing {
    /// What is stored: the IV, then the ciphertext and its tag.
    pub async fn finish(self) -> Result<Uint8Array, String> {
        let ciphertext = JsFuture::from(self.ciphertext).await.map_err(js_err)?;
        let ciphertext = Uint8Array::new(&ciphertext);
        let out = Uint8Array::new_with_length(IV_BYTES + ciphertext.length());
        out.set(&self.iv, 0);
        out.set(&ciphertext, IV_BYTES);
        Ok(out)
    }
}

/// Start encrypting `plain` under `key`.
pub fn encrypt(key: &CryptoKey, plain: &[u8]) -> Result<Sealing, String> {
    let iv = Uint8Array::from(random(IV_BYTES as usize)?.as_slice());
    let params = AesGcmParams::new(AES_GCM, &iv);
    let ciphertext = subtle()?.encrypt_with_object_and_u8_array(&params, key, plain).map_err(js_err)?;
    Ok(Sealing { iv, ciphertext })
}

/// Start decrypting what [`Sealing::finish`] made; the promise rejects if the key is not the one it was sealed
/// under, or the bytes were changed.
fn decrypt_promise(key: &CryptoKey, stored: &Uint8Array) -> Result<Promise, String> {
    if stored.length() <= IV_BYTES {
        return Err("too short to be sealed".into());
    }
    let params = AesGcmParams::new(AES_GCM, &stored.subarray(0, IV_BYTES));
    subtle()?
        .decrypt_with_object_and_buffer_source(&params, key, &stored.subarray(IV_BYTES, stored.length()))
        .map_err(js_err)
}

pub async fn decrypt(key: &CryptoKey, stored: &Uint8Array) -> Result<Vec<u8>, String> {
    let plain = JsFuture::from(decrypt_promise(key, stored)?).await.map_err(js_err)?;
    Ok(Uint8Array::new(&plain).to_vec())
}

/// Decrypt many values at once (the browser works on them side by side). `None` for a value that is not sealed
/// under this key.
pub async fn decrypt_all(key: &CryptoKey, stored: &[JsValue]) -> Vec<Option<Vec<u8>>> {
    // A value that does not open becomes `undefined` rather than failing the lot.
    let failed = Closure::<dyn FnMut(JsValue)>::new(|_| {});
    let promises: Array = stored
        .iter()
        .map(|v| match v.dyn_ref::<Uint8Array>().map(|bytes| decrypt_promise(key, bytes)) {
            Some(Ok(p)) => JsValue::from(p.catch(&failed)),
            _ => JsValue::NULL,
        })
        .collect();
    let settled = JsFuture::from(Promise::all(&promises)).await;
    drop(failed);
    match settled {
        Ok(all) => {
            Array::from(&all).iter().map(|v| v.dyn_ref::<ArrayBuffer>().map(|b| Uint8Array::new(b).to_vec())).collect()
        }
        Err(_) => vec![None; stored.len()],
    }
}

/// A person's data key as a non-extractable AES-GCM key (from the 32 bytes the server handed over).
pub async fn import_data_key(raw: &[u8]) -> Result<CryptoKey, String> {
    let raw = Uint8Array::from(raw);
    let key =
        wait(subtle()?.import_key_with_str("raw", &raw, AES_GCM, false, &usages(&["encrypt", "decrypt"]))).await?;
    key.dyn_into().map_err(|_| "not a key".into())
}

/// A new device key: AES-GCM, non-extractable (kept as a key object in IndexedDB; script can use it, not read it).
pub async fn new_device_key() -> Result<CryptoKey, String> {
    let params = AesKeyGenParams::new(AES_GCM, 256);
    let key = wait(subtle()?.generate_key_with_object(&params, false, &usages(&["encrypt", "decrypt"]))).await?;
    key.dyn_into().map_err(|_| "not a key".into())
}

/// The key a PIN makes with this salt: PBKDF2-SHA256, [`PBKDF2_ITERATIONS`] rounds, AES-GCM 256, non-extractable.
pub async fn pin_key(pin: &str, salt: &[u8]) -> Result<CryptoKey, String> {
    let subtle = subtle()?;
    let secret = Uint8Array::from(pin.as_bytes());
    let base: CryptoKey = wait(subtle.import_key_with_str("raw", &secret, "PBKDF2", false, &usages(&["deriveKey"])))
        .await?
        .dyn_into()
        .map_err(|_| "not a key".to_string())?;
    let params = Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", PBKDF2_ITERATIONS, &Uint8Array::from(salt));
    let aes = AesDerivedKeyParams::new(AES_GCM, 256);
    let key =
        wait(subtle.derive_key_with_object_and_object(&params, &base, &aes, false, &usages(&["encrypt", "decrypt"])))
            .await?;
    key.dyn_into().map_err(|_| "not a key".into())
}
