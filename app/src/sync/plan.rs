//! One person's safety plan as this device shows it: pulled cells with this device's waiting edits on top.

use super::use_sync;
use leptos::prelude::*;
use waymark_shared::{
    UserId,
    plan::view::{PLAN_KINDS, PlanView},
};

/// The person's safety plan, following every pull and every edit made here.
pub fn use_plan(person: UserId) -> Memo<PlanView> {
    let sync = use_sync();
    Memo::new(move |_| {
        sync.replica.with(|r| sync.outbox.with(|o| PlanView::build(&o.overlay(r, &person, &PLAN_KINDS))))
    })
}
