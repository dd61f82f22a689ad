//! Records to export and report on, written through the store's sync push exactly as devices write them: years of
//! monthly readings, goals with steps, a plan with every section, sharing with a carer. (Included by path by the
//! export, FHIR schema and report tests and the export bench, so `common/mod.rs` stays as it is.)

#![allow(dead_code)]

use waymark_server::store::{NewUser, Store, UserRow};
use waymark_shared::{
    Relation, Role, UserId,
    consent::ConsentChange,
    outcomes::{AreaId, built_in},
    plan::{PlanChange, PlanSection, Signer},
    sync::{Change, ClientId, Mutation, RecordId},
    tracker::{GoalStatus, Presence, Prompt, Rater, SharedPart, StepOwner, TrackerChange},
};

/// The date `months` months after January 2021, on the 15th (`2021-01-15`, `2021-02-15`, …).
pub fn month(months: u32) -> String {
    format!("{}-{:02}-15", 2021 + months / 12, months % 12 + 1)
}

/// `count` monthly readings of the Waymark ladder (the person's view, the staff view and the agreed value for every
/// area; a note, a reason and "more help?" on the first area), starting `first_month` months after January 2021.
/// Record ids start with `tag`.
pub fn monthly_readings(tag: &str, first_month: u32, count: u32) -> Vec<Change> {
    let ladder = built_in::waymark_ladder();
    let mut changes = Vec::new();
    for i in 0..count {
        let m = first_month + i;
        let reading = RecordId(format!("{tag}-r{m}"));
        changes.push(Change::Tracker(TrackerChange::StartReading {
            reading: reading.clone(),
            framework: ladder.id.clone(),
            version: ladder.version,
            date: month(m),
        }));
        changes.push(Change::Tracker(TrackerChange::ReadingPresent {
            reading: reading.clone(),
            present: vec![Presence::Person, Presence::KeyWorker],
        }));
        for (a, area) in ladder.areas.iter().enumerate() {
            let agreed = 1 + ((m as usize / 6 + a) % 10) as u8;
            let staff = if a == 0 { agreed.saturating_sub(1).max(1) } else { agreed };
            for (rater, value) in [(Rater::Person, agreed), (Rater::Staff, staff), (Rater::Agreed, agreed)] {
                changes.push(Change::Tracker(TrackerChange::Rate {
                    reading: reading.clone(),
                    area: area.id.clone(),
                    rater,
                    value: Some(value),
                }));
            }
        }
        let first = ladder.areas[0].id.clone();
        changes.push(Change::Tracker(TrackerChange::AreaNote {
            reading: reading.clone(),
            area: first.clone(),
            text: format!("Month {m}: settled on the ward, enjoying the garden group"),
        }));
        changes.push(Change::Tracker(TrackerChange::DifferenceReason {
            reading: reading.clone(),
            area: first.clone(),
            text: "Staff noticed two unsettled nights".into(),
        }));
        changes.push(Change::Tracker(TrackerChange::MoreHelp {
            reading,
            area: first,
            wanted: Some(m.is_multiple_of(2)),
        }));
    }
    changes
}

/// One reading with `value` agreed for each of `areas` (the others not rated), on `date`.
pub fn reading(id: &str, date: &str, values: &[(&str, u8)]) -> Vec<Change> {
    let ladder = built_in::waymark_ladder();
    let reading = RecordId(id.into());
    let mut changes = vec![Change::Tracker(TrackerChange::StartReading {
        reading: reading.clone(),
        framework: ladder.id.clone(),
        version: ladder.version,
        date: date.into(),
    })];
    for (area, value) in values {
        changes.push(Change::Tracker(TrackerChange::Rate {
            reading: reading.clone(),
            area: AreaId((*area).into()),
            rater: Rater::Agreed,
            value: Some(*value),
        }));
    }
    changes
}

/// Goals with steps in every state, and a plan with an item in every section (one staff-only), written by staff.
pub fn goals_and_plan(tag: &str) -> Vec<Change> {
    let ladder = built_in::waymark_ladder();
    let mut changes = Vec::new();
    for (g, status) in GoalStatus::ALL.into_iter().enumerate() {
        let goal = RecordId(format!("{tag}-g{g}"));
        changes.push(Change::Tracker(TrackerChange::AddGoal {
            goal: goal.clone(),
            text: format!("Goal {g}: walk to the shop"),
        }));
        changes.push(Change::Tracker(TrackerChange::GoalStatus { goal: goal.clone(), status }));
        changes.push(Change::Tracker(TrackerChange::GoalAreas {
            goal: goal.clone(),
            framework: ladder.id.clone(),
            areas: vec![ladder.areas[1].id.clone()],
        }));
        changes.push(Change::Tracker(TrackerChange::GoalPrompt {
            goal: goal.clone(),
            prompt: Prompt::SmallStep,
            text: "Ask for escorted leave".into(),
        }));
        let step = RecordId(format!("{tag}-s{g}"));
        changes.push(Change::Tracker(TrackerChange::AddStep { step: step.clone(), goal }));
        changes.push(Change::Tracker(TrackerChange::StepText { step: step.clone(), text: "Plan the route".into() }));
        changes.push(Change::Tracker(TrackerChange::StepOwner {
            step: step.clone(),
            owner: StepOwner::SomeoneElse { name: "The OT".into() },
        }));
        changes.push(Change::Tracker(TrackerChange::StepDue { step: step.clone(), due: Some("2026-03-01".into()) }));
        changes.push(Change::Tracker(TrackerChange::StepDone { step, done: g % 2 == 0 }));
    }
    for (i, section) in PlanSection::ALL.into_iter().enumerate() {
        let text = if section.is_staff_only() {
            "Fictional staff-only note: keep apart from a named peer at meals".to_owned()
        } else {
            format!("Plan item {i} in {}", section.as_str())
        };
        changes.push(Change::Plan(PlanChange::AddPlanItem { item: RecordId(format!("{tag}-p{i}")), section, text }));
    }
    changes.push(Change::Plan(PlanChange::PlanReview { review_by: Some("2031-01-01".into()) }));
    changes
}

/// The person's own signature on version 1 of their plan, and the key worker's.
pub fn signature(signer: Signer) -> Vec<Change> {
    vec![Change::Plan(PlanChange::AgreePlan { signer, version: 1, date: "2025-06-01".into() })]
}

/// The person shares their tracker and one plan section with a carer, and not About me.
pub fn sharing(carer: &UserId) -> Vec<Change> {
    let share = |part, share| {
        Change::Consent(ConsentChange::Share {
            part,
            carer: carer.clone(),
            share,
            review_by: Some("2030-01-01".into()),
        })
    };
    vec![
        share(SharedPart::Tracker, true),
        share(SharedPart::Plan(PlanSection::Contacts), true),
        share(SharedPart::AboutMe, false),
    ]
}

/// Push `changes` on `person`'s record as `writer`, 500 at a time, from one device; every cell is new.
pub async fn push_changes(store: &Store, writer: &UserRow, device: &str, person: &UserId, changes: Vec<Change>) {
    let client = ClientId(device.into());
    let mut next_id = 1u64;
    for chunk in changes.chunks(500) {
        let mutations: Vec<Mutation> = chunk
            .iter()
            .map(|change| {
                next_id += 1;
                Mutation {
                    id: next_id,
                    person: person.clone(),
                    base: 0,
                    settles: false,
                    made_at_ms: 0,
                    change: change.clone(),
                }
            })
            .collect();
        store.push(writer, &client, &mutations).await.unwrap_or_else(|e| panic!("push as {}: {e}", writer.username));
    }
}

/// A new service user on `ward` with `key_worker` as their key worker.
pub async fn new_person(store: &Store, username: &str, name: &str, ward: &str, key_worker: &UserId) -> UserRow {
    let id = store
        .create_user(NewUser {
            username,
            display_name: name,
            role: Role::ServiceUser,
            password_hash: "not-a-hash: this test account never signs in",
            ward_id: Some(ward),
        })
        .await
        .unwrap();
    store.link_care_team(&id, key_worker, Relation::KeyWorker).await.unwrap();
    store.user_by_id(&id).await.unwrap().unwrap()
}
