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
use web_sys::{Event, EventTarget, IdbRequest, IdbTransaction};

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

/// Turn a JS error into text for logs.
pub fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|d| format!("{}: {}", d.name(), d.message())))
        .or_else(|| e.dyn_ref::<leptos::web_sys::js_sys::Error>().map(|d| String::from(d.message())))
        .unwrap_or_else(|| "IndexedDB error".into())
}
