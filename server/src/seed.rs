//! The fictional demo ward, created only in an empty database.

use crate::{
    auth::password,
    error::AppError,
    store::{NewUser, Store},
};
use waymark_shared::{
    Relation, Role, UserId,
    consent::ConsentChange,
    outcomes::{AreaId, built_in},
    plan::PlanChange,
    plan::{PlanSection, Signer},
    sync::{Change, ClientId, Mutation, RecordId},
    tracker::{GoalStatus, Presence, Prompt, Rater, SharedPart, StepOwner, TrackerChange},
};

/// Every demo account signs in with this password (listed in the README; demo data only).
pub const DEMO_PASSWORD: &str = "waymark-demo";

/// The demo accounts: (username, display name, role). All people are fictional.
pub const DEMO_PEOPLE: &[(&str, &str, Role)] = &[
    ("rhian", "Rhian Morgan", Role::WardManager),
    ("owen", "Owen Price", Role::KeyWorker),
    ("sara", "Sara Lloyd", Role::KeyWorker),
    ("dylan", "Dylan Evans", Role::ServiceUser),
    ("alys", "Alys Hughes", Role::ServiceUser),
    ("tomos", "Tomos Reed", Role::ServiceUser),
    ("nia", "Nia Carter", Role::ServiceUser),
    ("gareth", "Gareth Evans", Role::Carer),
    ("helen", "Helen Hughes", Role::Carer),
    ("admin", "Demo Administrator", Role::Admin),
];

/// Care-team links: (service user, member, relation).
pub const DEMO_LINKS: &[(&str, &str, Relation)] = &[
    ("dylan", "owen", Relation::KeyWorker),
    ("alys", "owen", Relation::KeyWorker),
    ("tomos", "sara", Relation::KeyWorker),
    ("nia", "sara", Relation::KeyWorker),
    ("alys", "sara", Relation::Staff),
    ("dylan", "gareth", Relation::Carer),
    ("alys", "helen", Relation::Carer),
];

pub const DEMO_WARD: &str = "Derwen Ward (demo)";

/// Create the demo ward if, and only if, the database has no users. Returns whether it seeded.
pub async fn seed_demo_ward(store: &Store) -> Result<bool, AppError> {
    if store.count_users().await? > 0 {
        tracing::info!("database already has people in it: demo ward not seeded");
        return Ok(false);
    }
    let ward = store.create_ward(DEMO_WARD).await?;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut ids: Vec<(&str, UserId)> = Vec::new();
    for &(username, display_name, role) in DEMO_PEOPLE {
        let ward_id = (role != Role::Admin).then_some(ward.as_str());
        let id = store.create_user(NewUser { username, display_name, role, password_hash: &hash, ward_id }).await?;
        ids.push((username, id));
    }
    let id_of = |name: &str| {
        ids.iter().find(|(n, _)| *n == name).map(|(_, id)| id.clone()).expect("demo link names a demo person")
    };
    for &(person, member, relation) in DEMO_LINKS {
        store.link_care_team(&id_of(person), &id_of(member), relation).await?;
    }
    tracing::info!(people = DEMO_PEOPLE.len(), "seeded the demo ward");
    Ok(true)
}

/// The demo ward and, when it was just created, some recovery-tracker history to look at (what `scripts/run.sh`
/// shows). Returns whether it seeded.
pub async fn seed_demo(store: &Store) -> Result<bool, AppError> {
    if !seed_demo_ward(store).await? {
        return Ok(false);
    }
    let dylan = demo_id(store, "dylan").await?;
    let gareth = demo_id(store, "gareth").await?;
    seed_dylans_tracker(store, &dylan, &gareth).await?;
    seed_dylans_plan(store, &dylan, &gareth).await?;
    tracing::info!("seeded the demo recovery tracker and safety plan");
    Ok(true)
}

async fn demo_id(store: &Store, name: &str) -> Result<UserId, AppError> {
    store.user_by_username(name).await?.map(|u| u.id).ok_or_else(|| AppError::Internal(format!("no demo user {name}")))
}

/// Three readings of the Waymark recovery ladder for Dylan, done with his key worker a few months apart (with one
/// area they saw differently, and why), a goal with two steps, and his tracker shared with his dad. Written through
/// the same sync push as every edit, so the demo data is exactly what the app would have made.
async fn seed_dylans_tracker(store: &Store, dylan: &UserId, gareth: &UserId) -> Result<(), AppError> {
    let ladder = built_in::waymark_ladder();
    let areas: Vec<AreaId> = ladder.areas.iter().map(|a| a.id.clone()).collect();
    // (reading id, date, agreed values for the ten areas in order)
    let readings: [(&str, &str, [u8; 10]); 3] = [
        ("demo-r1", "2026-05-12", [3, 4, 3, 2, 2, 4, 5, 3, 3, 2]),
        ("demo-r2", "2026-08-11", [4, 5, 4, 3, 4, 5, 6, 4, 4, 4]),
        ("demo-r3", "2026-11-03", [6, 5, 6, 4, 5, 6, 7, 5, 5, 6]),
    ];
    let mut owen_changes = Vec::new();
    for (reading, date, values) in readings {
        let r = RecordId(reading.to_owned());
        owen_changes.push(Change::Tracker(TrackerChange::StartReading {
            reading: r.clone(),
            framework: ladder.id.clone(),
            version: ladder.version,
            date: date.to_owned(),
        }));
        owen_changes.push(Change::Tracker(TrackerChange::ReadingPresent {
            reading: r.clone(),
            present: vec![Presence::Person, Presence::KeyWorker],
        }));
        for (area, value) in areas.iter().zip(values) {
            let rate = |rater, value| {
                Change::Tracker(TrackerChange::Rate {
                    reading: r.clone(),
                    area: area.clone(),
                    rater,
                    value: Some(value),
                })
            };
            owen_changes.push(rate(Rater::Person, value));
            owen_changes.push(rate(Rater::Staff, value));
            owen_changes.push(rate(Rater::Agreed, value));
        }
    }
    for (reading, _, _) in readings {
        let finish =
            TrackerChange::FinishReading { reading: RecordId(reading.to_owned()), finished: true, missing: vec![] };
        owen_changes.push(Change::Tracker(finish));
    }
    // In the latest reading Dylan rated his mental wellbeing higher than Owen did: both views are kept.
    let latest = RecordId("demo-r3".into());
    owen_changes.push(Change::Tracker(TrackerChange::Rate {
        reading: latest.clone(),
        area: areas[0].clone(),
        rater: Rater::Person,
        value: Some(7),
    }));
    owen_changes.push(Change::Tracker(TrackerChange::Rate {
        reading: latest.clone(),
        area: areas[0].clone(),
        rater: Rater::Staff,
        value: Some(5),
    }));
    owen_changes.push(Change::Tracker(TrackerChange::DifferenceReason {
        reading: latest.clone(),
        area: areas[0].clone(),
        text: "Dylan feels much steadier since starting the woodwork group; Owen noticed two unsettled nights this month. We agreed on 6.".into(),
    }));
    let (goal, step1, step2) = (RecordId("demo-g1".into()), RecordId("demo-s1".into()), RecordId("demo-s2".into()));
    owen_changes.extend([
        Change::Tracker(TrackerChange::AddGoal {
            goal: goal.clone(),
            text: "Cook a Sunday dinner for my dad when he visits".into(),
        }),
        Change::Tracker(TrackerChange::GoalStatus { goal: goal.clone(), status: GoalStatus::Active }),
        Change::Tracker(TrackerChange::GoalAreas {
            goal: goal.clone(),
            framework: ladder.id.clone(),
            areas: vec![areas[2].clone(), areas[5].clone()],
        }),
        Change::Tracker(TrackerChange::GoalPrompt {
            goal: goal.clone(),
            prompt: Prompt::GoingWell,
            text: "I made toast and eggs for the group on Tuesday.".into(),
        }),
        Change::Tracker(TrackerChange::AddStep { step: step1.clone(), goal: goal.clone() }),
        Change::Tracker(TrackerChange::StepText { step: step1.clone(), text: "Pick a recipe with the OT".into() }),
        Change::Tracker(TrackerChange::StepOwner { step: step1.clone(), owner: StepOwner::Me }),
        Change::Tracker(TrackerChange::StepDue { step: step1.clone(), due: Some("2026-11-01".into()) }),
        Change::Tracker(TrackerChange::StepDone { step: step1, done: true }),
        Change::Tracker(TrackerChange::AddStep { step: step2.clone(), goal: goal.clone() }),
        Change::Tracker(TrackerChange::StepText {
            step: step2.clone(),
            text: "Book the training kitchen for a Sunday".into(),
        }),
        Change::Tracker(TrackerChange::StepOwner { step: step2.clone(), owner: StepOwner::KeyWorker }),
        Change::Tracker(TrackerChange::StepDue { step: step2, due: Some("2026-12-06".into()) }),
    ]);
    push_as(store, "owen", "tracker", dylan, owen_changes).await?;
    let share = Change::Consent(ConsentChange::Share {
        part: SharedPart::Tracker,
        carer: gareth.clone(),
        share: true,
        review_by: Some("2027-05-01".into()),
    });
    push_as(store, "dylan", "tracker", dylan, vec![share]).await
}

/// Dylan's safety plan, written with Owen: items in each section (one staff-only note), agreed in August and
/// changed since, a review date that has passed, and three sections shared with his dad.
async fn seed_dylans_plan(store: &Store, dylan: &UserId, gareth: &UserId) -> Result<(), AppError> {
    let mut n = 0;
    let mut item = |section: PlanSection, text: &str| {
        n += 1;
        Change::Plan(PlanChange::AddPlanItem { item: RecordId(format!("demo-p{n}")), section, text: text.to_owned() })
    };
    let dylans = vec![
        item(PlanSection::Triggers, "Shouting or doors banging late at night"),
        item(PlanSection::WarningSigns, "I stop going to the woodwork group"),
        item(PlanSection::WarningSigns, "Sleeping in the day and awake at night"),
        item(
            PlanSection::Escalation,
            "I go quiet, then I stop eating with the others, then small things make me angry",
        ),
        item(PlanSection::ICanDo, "Put my headphones on and listen to my playlist"),
        item(PlanSection::ICanDo, "Ask for time in the garden"),
        item(PlanSection::CarerCanDo, "Ring me on Sunday evenings, even for five minutes"),
        item(PlanSection::PeoplePlaces, "The woodwork room"),
        item(PlanSection::PeoplePlaces, "My dad"),
        item(PlanSection::ReasonsForHope, "Getting my own flat near my dad one day"),
        item(PlanSection::SaferSurroundings, "Spend evenings in the lounge rather than alone in my room"),
        item(PlanSection::Contacts, "My dad, Gareth"),
        Change::Plan(PlanChange::AgreePlan { signer: Signer::Person, version: 1, date: "2026-08-11".into() }),
    ];
    let owens = vec![
        item(PlanSection::Triggers, "Letters about the court case"),
        item(PlanSection::StaffCanDo, "Check in with Dylan quietly, one to one, not in front of others"),
        item(
            PlanSection::StaffOnly,
            "Fictional demo note: do not discuss the index offence in group settings; see the risk summary of September 2026.",
        ),
        Change::Plan(PlanChange::AgreePlan { signer: Signer::KeyWorker, version: 1, date: "2026-08-11".into() }),
        item(PlanSection::ICanDo, "Tell a nurse when I have not slept for two nights"),
        Change::Plan(PlanChange::PlanReview { review_by: Some("2026-11-20".into()) }),
    ];
    push_as(store, "dylan", "plan", dylan, dylans).await?;
    push_as(store, "owen", "plan", dylan, owens).await?;
    let shares = [PlanSection::CarerCanDo, PlanSection::Contacts, PlanSection::ReasonsForHope]
        .into_iter()
        .map(|s| {
            Change::Consent(ConsentChange::Share {
                part: SharedPart::Plan(s),
                carer: gareth.clone(),
                share: true,
                review_by: Some("2027-05-01".into()),
            })
        })
        .collect();
    push_as(store, "dylan", "plan-sharing", dylan, shares).await
}

/// Push changes as a demo user from a "demo-seed" device (one per label: mutation ids restart at 1), each based on the version it follows.
async fn push_as(
    store: &Store,
    username: &str,
    label: &str,
    person: &UserId,
    changes: Vec<Change>,
) -> Result<(), AppError> {
    let writer = store
        .user_by_username(username)
        .await?
        .ok_or_else(|| AppError::Internal(format!("no demo user {username}")))?;
    let client = ClientId(format!("demo-seed-{username}-{label}"));
    let mut bases: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for (i, chunk) in changes.chunks(200).enumerate() {
        let mutations: Vec<Mutation> = chunk
            .iter()
            .enumerate()
            .map(|(j, change)| {
                let key = change.effect(person).key;
                let key = format!("{:?}/{}/{}", key.kind, key.record, key.field);
                Mutation {
                    id: (i * 200 + j + 1) as u64,
                    person: person.clone(),
                    base: bases.get(&key).copied().unwrap_or(0),
                    settles: false,
                    made_at_ms: 0,
                    change: change.clone(),
                }
            })
            .collect();
        // One push per batch; the same cell twice in a batch would conflict with itself, so bases come from acks.
        let mut pending = mutations;
        while !pending.is_empty() {
            let mut seen = std::collections::HashSet::new();
            let (now, later): (Vec<Mutation>, Vec<Mutation>) = pending.into_iter().partition(|m| {
                let k = m.change.effect(person).key;
                seen.insert((k.kind, k.record, k.field))
            });
            let pushed =
                store.push(&writer, &client, &now).await.map_err(|e| AppError::Internal(format!("demo seed: {e}")))?;
            for (m, ack) in now.iter().zip(&pushed.acks) {
                let k = m.change.effect(person).key;
                bases.insert(format!("{:?}/{}/{}", k.kind, k.record, k.field), ack.version);
            }
            pending = later
                .into_iter()
                .map(|mut m| {
                    let k = m.change.effect(person).key;
                    m.base = bases.get(&format!("{:?}/{}/{}", k.kind, k.record, k.field)).copied().unwrap_or(0);
                    m
                })
                .collect();
        }
    }
    Ok(())
}
