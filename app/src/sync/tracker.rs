//! One person's recovery tracker as this device shows it: pulled cells with this device's waiting edits on top.

use super::use_sync;
use leptos::prelude::*;
use waymark_shared::{
    UserId,
    tracker::view::{TRACKER_KINDS, TrackerView},
};

/// The person's tracker, following every pull and every edit made here.
pub fn use_tracker(person: UserId) -> Memo<TrackerView> {
    let sync = use_sync();
    Memo::new(move |_| {
        sync.replica.with(|r| sync.outbox.with(|o| TrackerView::build(&o.overlay(r, &person, &TRACKER_KINDS))))
    })
}
