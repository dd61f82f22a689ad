//! The smallest wrapper that lets async Rust wait on IndexedDB: a future that resolves when a request succeeds or a
//! transaction completes. Private to [`crate::local`]; nothing else in the app touches IndexedDB.

use leptos::wasm_bindgen::{JsCast, JsValue, closure::Closure};
use std::{
    cell::RefCell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, Waker},
};
use web_sys::{Event, EventTarget, IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction};

type Outcome = Result<JsValue, String>;
/// Event listeners kept alive while they are registered.
pub type Listeners = Vec<(&'static str, Closure<dyn FnMut(Event)>)>;
type Readers = Vec<(&'static str, Box<dyn Fn() -> Outcome>)>;

#[derive(Default)]
struct Slot {
    out: Option<Outcome>,
    waker: Option<Waker>,
}

/// Waits for the first of some events on an IndexedDB object. Listeners are removed when it is dropped.
pub struct Wait {
    target: EventTarget,
    listeners: Listeners,
    slot: Rc<RefCell<Slot>>,
}

impl Wait {
    fn on(target: EventTarget, events: Readers) -> Wait {
        let slot = Rc::new(RefCell::new(Slot::default()));
        let listeners = events
            .into_iter()
            .map(|(name, read)| {
                let slot = slot.clone();
                let closure = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                    let mut s = slot.borrow_mut();
                    if s.out.is_none() {
                        s.out = Some(read());
                        if let Some(w) = s.waker.take() {
                            w.wake();
                        }
                    }
                });
                let _ = target.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
                (name, closure)
            })
            .collect();
        Wait { target, listeners, slot }
    }

    /// Resolves with the request's result, or its error.
    pub fn request(req: &IdbRequest) -> Wait {
        let (ok, err) = (req.clone(), req.clone());
        Wait::on(
            req.clone().unchecked_into(),
            vec![
                ("success", Box::new(move || Ok(ok.result().unwrap_or(JsValue::UNDEFINED)))),
                ("error", Box::new(move || Err(describe(err.error().ok().flatten())))),
            ],
        )
    }

    /// Resolves when the transaction has completed (its writes are committed), or with why it failed.
    pub fn transaction(tx: &IdbTransaction) -> Wait {
        let (err, abort) = (tx.clone(), tx.clone());
        Wait::on(
            tx.clone().unchecked_into(),
            vec![
                ("complete", Box::new(|| Ok(JsValue::UNDEFINED))),
                ("error", Box::new(move || Err(describe(err.error())))),
                ("abort", Box::new(move || Err(describe(abort.error()).replace("unknown", "aborted")))),
            ],
        )
    }
}

fn describe(e: Option<web_sys::DomException>) -> String {
    e.map(|e| format!("{}: {}", e.name(), e.message())).unwrap_or_else(|| "unknown".into())
}

impl Future for Wait {
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut s = self.slot.borrow_mut();
        match s.out.take() {
            Some(out) => Poll::Ready(out),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        for (name, closure) in &self.listeners {
            let _ = self.target.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
    }
}

/// Open (creating on first use) a database with these object stores. Another tab upgrading or deleting it makes
/// this connection step aside rather than block it.
pub async fn open(name: &str, version: u32, stores: &[&str]) -> Result<IdbDatabase, String> {
    let factory = leptos::prelude::window().indexed_db().map_err(js_err)?.ok_or("IndexedDB is not available")?;
    let req: IdbOpenDbRequest = factory.open_with_u32(name, version).map_err(js_err)?;
    let upgrade_req = req.clone();
    let names: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
    let upgrade = Closure::<dyn FnMut(Event)>::new(move |_| {
        let Ok(db) = upgrade_req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
            return;
        };
        let have = db.object_store_names();
        for name in &names {
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
    let closing = db.clone();
    let on_version_change = Closure::<dyn FnMut()>::new(move || closing.close());
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget();
    Ok(db)
}

/// Turn a JS error into text for logs.
pub fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|d| format!("{}: {}", d.name(), d.message())))
        .or_else(|| e.dyn_ref::<leptos::web_sys::js_sys::Error>().map(|d| String::from(d.message())))
        .unwrap_or_else(|| "IndexedDB error".into())
}
