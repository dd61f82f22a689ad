//! The live channel: `GET /api/sync/live`, server-sent events. `hello` when it opens: the device pulls at once
//! (whatever happened while it was closed); `changed` when something this viewer may see changed (with the version,
//! when the server says it): the device syncs when that is past its cursor; `planning` (`{"person": id}`) when that
//! person's planning session changed in a way this viewer would see: an open plan asks for the session at once. On any error the channel is closed and opened again after a backoff
//! (1 s, 2 s, 4 s … 30 s), or at once when the browser comes back online.

use super::{INNER, SyncEngine, model::backoff};
use crate::client::api;
use crate::local::Listeners;
use leptos::{
    prelude::set_timeout,
    wasm_bindgen::{JsCast, closure::Closure},
};
use serde::Deserialize;
use waymark_shared::UserId;
use web_sys::{Event, EventSource, MessageEvent};

/// An open channel. Dropping it closes it.
pub struct Live {
    source: EventSource,
    listeners: Listeners,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.source.close();
        for (name, closure) in &self.listeners {
            let _ = self.source.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
    }
}

#[derive(Deserialize)]
struct Version {
    #[serde(default)]
    version: Option<u64>,
}

#[derive(Deserialize)]
struct Person {
    person: UserId,
}

/// The person a `planning` event names.
fn person_of(event: &Event) -> Option<UserId> {
    let data = event.dyn_ref::<MessageEvent>()?.data().as_string()?;
    serde_json::from_str::<Person>(&data).ok().map(|p| p.person)
}

/// The version an event names, if it names one.
fn version_of(event: &Event) -> Option<u64> {
    let data = event.dyn_ref::<MessageEvent>()?.data().as_string()?;
    serde_json::from_str::<Version>(&data).ok().and_then(|v| v.version)
}

/// Open the channel for the store of generation `epoch` (if that is still the signed-in person's).
pub fn connect(engine: SyncEngine, epoch: u64) {
    if INNER.with_borrow(|i| i.generation != epoch || i.store.is_none() || i.live.is_some()) {
        return;
    }
    let Ok(source) = EventSource::new(api::LIVE) else {
        failed(engine, epoch);
        return;
    };
    let mut listeners: Listeners = Vec::new();
    for (name, hello) in [("hello", true), ("changed", false)] {
        listeners.push((name, Closure::new(move |e: Event| engine.heard(epoch, version_of(&e), hello))));
    }
    listeners.push((
        "planning",
        Closure::new(move |e: Event| {
            if let Some(person) = person_of(&e) {
                engine.heard_planning(epoch, person);
            }
        }),
    ));
    // Closing from inside the handler would drop the running closure: do it just after.
    listeners
        .push(("error", Closure::new(move |_: Event| set_timeout(move || failed(engine, epoch), Default::default()))));
    for (name, closure) in &listeners {
        let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    }
    INNER.with_borrow_mut(|i| i.live = Some(Live { source, listeners }));
}

fn failed(engine: SyncEngine, epoch: u64) {
    let delay = INNER.with_borrow_mut(|i| {
        if i.generation != epoch {
            return None;
        }
        i.live = None;
        let d = backoff(i.failures);
        i.failures = i.failures.saturating_add(1);
        Some(d)
    });
    if let Some(delay) = delay {
        set_timeout(move || connect(engine, epoch), delay);
    }
}

/// The network is back: reconnect now rather than at the end of the backoff.
pub fn reconnect_now(engine: SyncEngine) {
    let epoch = INNER.with_borrow_mut(|i| {
        i.live = None;
        i.generation
    });
    connect(engine, epoch);
}
