//! One simple picture per safety-plan section, drawn inline (no files to fetch, so they show offline and print).
//! Shown in easy read beside the section's title; hidden from screen readers (the title says it all).

use leptos::prelude::*;
use waymark_shared::plan::PlanSection;

/// The picture's lines, in a 32 × 32 box, drawn with the text colour.
fn paths(section: PlanSection) -> &'static [&'static str] {
    match section {
        // A lightning flash: what sets things off.
        PlanSection::Triggers => &["M18 3 7 18h8l-2 11 12-16h-8l3-10Z"],
        // A thermometer: early signs.
        PlanSection::WarningSigns => &["M13 5a3 3 0 0 1 6 0v13a6 6 0 1 1-6 0Z", "M16 14v8"],
        // Steps going up: how things build up.
        PlanSection::Escalation => &["M4 27h7v-6h6v-6h6V9h6", "M4 27h25"],
        // A hand: what I can do.
        PlanSection::ICanDo => &[
            "M10 28V14a2 2 0 0 1 4 0v-8a2 2 0 0 1 4 0v8-6a2 2 0 0 1 4 0v8-3a2 2 0 0 1 4 0v9c0 6-4 9-9 9h-2c-3 0-5-2-5-2l-5-6a2 2 0 0 1 3-3l2 2",
        ],
        // A badge with a cross: staff.
        PlanSection::StaffCanDo => &["M6 6h20v20H6Z", "M16 10v12M10 16h12"],
        // Two people: carer or family.
        PlanSection::CarerCanDo => {
            &["M11 13a4 4 0 1 0 0-.1Z", "M3 27c0-5 3-8 8-8s8 3 8 8", "M22 13a3.5 3.5 0 1 0 0-.1Z", "M20 19c5 0 9 3 9 8"]
        }
        // A house: people and places.
        PlanSection::PeoplePlaces => &["M4 15 16 5l12 10", "M8 13v14h16V13", "M14 27v-7h4v7"],
        // A heart: what matters, reasons for hope.
        PlanSection::ReasonsForHope => &["M16 27S4 20 4 12a6 6 0 0 1 12-2 6 6 0 0 1 12 2c0 8-12 15-12 15Z"],
        // A shield: a safer space.
        PlanSection::SaferSurroundings => &["M16 3 5 7v8c0 7 5 12 11 14 6-2 11-7 11-14V7Z", "M11 16l4 4 7-8"],
        // A phone: who to contact.
        PlanSection::Contacts => &["M9 3h14v26H9Z", "M14 25h4"],
        // A lock: staff-only notes.
        PlanSection::StaffOnly => &["M8 15h16v13H8Z", "M11 15v-4a5 5 0 0 1 10 0v4"],
    }
}

/// The section's picture.
#[component]
pub fn SectionIcon(section: PlanSection) -> impl IntoView {
    view! {
        <svg class="section-icon" data-test="section-icon" data-section=section.as_str() viewBox="0 0 32 32" width="40" height="40"
            aria-hidden="true" focusable="false">
            {paths(section).iter().map(|d| view! {
                <path d=*d fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>
            }).collect_view()}
        </svg>
    }
}
