//! One tab per person per device. Two tabs of the same person would each keep an outbox over the same database
//! and the same device id, and could overwrite each other's unsent edits; a Web Lock named after the person's
//! store lets only one tab open it. Another tab waits, says why, and carries on when the first one closes.

use leptos::wasm_bindgen::{JsCast, JsValue, closure::Closure};
use leptos::web_sys::js_sys::{Function, Object, Promise, Reflect};
use std::{
    cell::RefCell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, Waker},
};

/// Held while this tab has the person's store; dropping it lets another tab have it.
pub struct TabLock {
    release: Option<Function>,
}

impl Drop for TabLock {
    fn drop(&mut self) {
        if let Some(release) = &self.release {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

#[derive(Default)]
struct Slot {
    /// `Some(None)`: the lock was not available; `Some(Some(f))`: held, released by calling `f`.
    got: Option<Option<Function>>,
    waker: Option<Waker>,
}

struct Claim(Rc<RefCell<Slot>>);

impl Future for Claim {
    type Output = Option<Function>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.0.borrow_mut();
        match slot.got.take() {
            Some(got) => Poll::Ready(got),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Take the lock `name`. With `wait`, wait for it; without, answer `None` at once if another tab holds it.
/// A browser without Web Locks gets a lock that guards nothing (the app still works, as before).
pub async fn claim(name: &str, wait: bool) -> Result<Option<TabLock>, String> {
    let navigator = leptos::prelude::window().navigator();
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).map_err(super::js_err)?;
    if locks.is_undefined() || locks.is_null() {
        return Ok(Some(TabLock { release: None }));
    }
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request"))
        .map_err(super::js_err)?
        .dyn_into()
        .map_err(super::js_err)?;
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::from_bool(!wait)).map_err(super::js_err)?;

    let slot = Rc::new(RefCell::new(Slot::default()));
    let filled = slot.clone();
    let granted = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let (got, held) = if lock.is_null() {
            (None, JsValue::UNDEFINED)
        } else {
            // Hold the lock until `release` resolves this promise.
            let mut release = None;
            let held = Promise::new(&mut |resolve, _reject| release = Some(resolve));
            (release, held.into())
        };
        let mut s = filled.borrow_mut();
        s.got = Some(got);
        if let Some(w) = s.waker.take() {
            w.wake();
        }
        held
    });
    request.call3(&locks, &JsValue::from_str(name), &options, &granted).map_err(super::js_err)?;
    Ok(Claim(slot).await.map(|release| TabLock { release: Some(release) }))
}
