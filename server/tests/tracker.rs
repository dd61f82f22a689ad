//! The recovery tracker through the real router, on SQLite and PostgreSQL: who may make each kind of tracker change
//! (a refusal writes nothing), readings checked against the framework version they use, custom frameworks and their
//! versions, and tracker data reaching a carer only while the person shares it (checked on the bytes sent).

mod common;

use axum::http::StatusCode;
use common::{
    Reply, TestApp, TestDb,
    changes::{counts, mutation, pull_all, push, replica_of, try_change},
};
use serde_json::{Value, json};
use waymark_shared::{
    UserId,
    outcomes::FrameworkId,
    sync::Outbox,
    tracker::{
        Rater, SharedPart,
        view::{TRACKER_KINDS, TrackerView},
    },
};

on_both_engines!(
    each_tracker_change_is_made_only_by_those_allowed_to,
    readings_are_checked_against_the_framework_version_they_use,
    ward_managers_save_custom_frameworks_as_new_versions,
    simultaneous_saves_of_one_framework_take_distinct_versions,
    tracker_data_reaches_a_carer_only_while_the_person_shares_it,
    the_demo_tracker_is_written_through_the_sync_log_once,
);

const LADDER: &str = "waymark_ladder";

fn rate(reading: &str, rater: &str, value: u8) -> Value {
    json!({ "type": "rate", "reading": reading, "area": "mental_wellbeing", "rater": rater, "value": value })
}

fn start(reading: &str, framework: &str, version: u32) -> Value {
    json!({ "type": "start_reading", "reading": reading, "framework": framework, "version": version, "date": "2026-11-02" })
}

fn share(carer: &UserId, on: bool) -> Value {
    json!({ "type": "share", "part": "tracker", "carer": carer.0, "share": on, "review_by": null })
}

async fn each_tracker_change_is_made_only_by_those_allowed_to(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    // The records the changes below refer to, made by Dylan's key worker.
    let mut owen = app.signed_in("owen").await;
    let setup = vec![
        mutation(1, &dylan, start("r1", LADDER, 1)),
        mutation(2, &dylan, json!({ "type": "add_goal", "goal": "g1", "text": "Cook a meal for my dad" })),
        mutation(3, &dylan, json!({ "type": "add_step", "step": "s1", "goal": "g1" })),
    ];
    assert_eq!(push(&mut owen, "tablet-owen-setup", setup).await.status, StatusCode::OK);

    let changes: Vec<(&str, Value)> = vec![
        ("start", start("r-new", LADDER, 1)),
        ("present", json!({ "type": "reading_present", "reading": "r1", "present": ["person", "key_worker"] })),
        ("rate person", rate("r1", "person", 6)),
        ("rate staff", rate("r1", "staff", 5)),
        ("rate carer", rate("r1", "carer", 4)),
        ("rate agreed", rate("r1", "agreed", 5)),
        (
            "note",
            json!({ "type": "area_note", "reading": "r1", "area": "mental_wellbeing", "text": "Sleeping better" }),
        ),
        (
            "reason",
            json!({ "type": "difference_reason", "reading": "r1", "area": "mental_wellbeing", "text": "A hard week" }),
        ),
        ("more help", json!({ "type": "more_help", "reading": "r1", "area": "mental_wellbeing", "wanted": true })),
        ("add goal", json!({ "type": "add_goal", "goal": "g-new", "text": "Walk every day" })),
        ("edit goal", json!({ "type": "edit_goal", "goal": "g1", "text": "Cook a Sunday meal for my dad" })),
        ("goal status", json!({ "type": "goal_status", "goal": "g1", "status": "active" })),
        ("goal areas", json!({ "type": "goal_areas", "goal": "g1", "framework": LADDER, "areas": ["daily_living"] })),
        ("goal prompt", json!({ "type": "goal_prompt", "goal": "g1", "prompt": "who_could_help", "text": "The OT" })),
        ("add step", json!({ "type": "add_step", "step": "s-new", "goal": "g1" })),
        ("step text", json!({ "type": "step_text", "step": "s1", "text": "Choose a recipe" })),
        ("step owner", json!({ "type": "step_owner", "step": "s1", "owner": { "who": "key_worker" } })),
        ("step due", json!({ "type": "step_due", "step": "s1", "due": "2026-12-01" })),
        ("step done", json!({ "type": "step_done", "step": "s1", "done": true })),
        ("share", share(&gareth, false)),
    ];
    // Who may make each change (by label); everyone else is refused.
    let allowed: &[(&str, &[&str])] = &[
        (
            "dylan",
            &[
                "start",
                "present",
                "rate person",
                "rate agreed",
                "note",
                "reason",
                "more help",
                "add goal",
                "edit goal",
                "goal status",
                "goal areas",
                "goal prompt",
                "add step",
                "step text",
                "step owner",
                "step due",
                "step done",
                "share",
            ],
        ),
        (
            "owen",
            &[
                "start",
                "present",
                "rate person",
                "rate staff",
                "rate carer",
                "rate agreed",
                "note",
                "reason",
                "more help",
                "add goal",
                "edit goal",
                "goal status",
                "goal areas",
                "goal prompt",
                "add step",
                "step text",
                "step owner",
                "step due",
                "step done",
            ],
        ),
        // Gareth, before Dylan shares the tracker with him: nothing.
        ("gareth", &[]),
        // The ward manager sees the ward but is not on Dylan's care team: reads only.
        ("rhian", &[]),
        ("alys", &[]),
        ("sara", &[]),
    ];
    let mut id = 100;
    for (who, may) in allowed {
        for (label, change) in &changes {
            id += 1;
            // New records get a fresh id per writer, so an allowed create never collides with an earlier one.
            let change = match change["type"].as_str() {
                Some("start_reading") => start(&format!("r-{who}-{id}"), LADDER, 1),
                Some("add_goal") => {
                    json!({ "type": "add_goal", "goal": format!("g-{who}-{id}"), "text": "Walk every day" })
                }
                Some("add_step") => json!({ "type": "add_step", "step": format!("s-{who}-{id}"), "goal": "g1" }),
                _ => change.clone(),
            };
            let applied = try_change(&app, who, id, &dylan, change).await;
            assert_eq!(applied, may.contains(label), "{who} making {label}");
        }
    }

    // Once Dylan shares his tracker with Gareth, Gareth may give his own view and say why it differs — nothing else.
    let seen = app.db.count("SELECT version FROM sync_cells WHERE kind = 'sharing'").await;
    let mut dylan_c = app.signed_in("dylan").await;
    let mut consent = mutation(900, &dylan, share(&gareth, true));
    consent["base"] = json!(seen);
    let r = push(&mut dylan_c, "tablet-dylan-0002", vec![consent]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied", "{}", r.body);
    for (label, change) in &changes {
        id += 1;
        let may = matches!(*label, "rate carer" | "reason");
        assert_eq!(try_change(&app, "gareth", id, &dylan, change.clone()).await, may, "sharing carer making {label}");
    }
    // And not on someone else's record, shared or not.
    let alys = app.db.user("alys").await.id;
    assert!(!try_change(&app, "gareth", 990, &alys, rate("r1", "carer", 3)).await);
}

async fn readings_are_checked_against_the_framework_version_they_use(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    assert_eq!(
        push(&mut owen, "tablet-owen-0001", vec![mutation(1, &dylan, start("r1", LADDER, 1))]).await.status,
        StatusCode::OK
    );

    let refused = |r: Reply, id: u64, words: &str| {
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
        assert_eq!(r.body["mutation_id"], id);
        let message = r.body["message"].as_str().unwrap().to_owned();
        assert!(message.contains(words), "{message:?} should say {words:?}");
    };
    let before = counts(&app.db).await;
    let out_of_scale = push(&mut owen, "tablet-owen-0001", vec![mutation(2, &dylan, rate("r1", "person", 11))]).await;
    refused(out_of_scale, 2, "outside the scale 1 to 10");
    let unknown_area = json!({ "type": "rate", "reading": "r1", "area": "star_signs", "rater": "person", "value": 3 });
    refused(push(&mut owen, "tablet-owen-0001", vec![mutation(3, &dylan, unknown_area)]).await, 3, "not an area");
    refused(
        push(&mut owen, "tablet-owen-0001", vec![mutation(4, &dylan, start("r2", LADDER, 7))]).await,
        4,
        "not known",
    );
    let bad_date =
        json!({ "type": "start_reading", "reading": "r3", "framework": LADDER, "version": 1, "date": "2026-02-30" });
    refused(push(&mut owen, "tablet-owen-0001", vec![mutation(5, &dylan, bad_date)]).await, 5, "YYYY-MM-DD");
    // A good change before a bad one in the same push is not written either.
    let mixed = vec![mutation(6, &dylan, rate("r1", "person", 4)), mutation(7, &dylan, rate("r1", "staff", 0))];
    refused(push(&mut owen, "tablet-owen-0001", mixed).await, 7, "outside the scale");
    assert_eq!(counts(&app.db).await, before, "nothing refused was written");

    // A custom framework: a reading started on version 1 may be finished after version 2 retires it, but no new
    // reading may start on version 1.
    let mut rhian = app.signed_in("rhian").await;
    rhian.post("/api/frameworks", custom_framework("ward_check", 3)).await.assert_status(StatusCode::CREATED);
    assert_eq!(
        push(&mut owen, "tablet-owen-0001", vec![mutation(8, &dylan, start("old", "ward_check", 1))]).await.status,
        StatusCode::OK
    );
    let second = rhian.post("/api/frameworks", custom_framework("ward_check", 4)).await;
    second.assert_status(StatusCode::CREATED);
    assert_eq!(second.body["version"], 2);
    let finish = json!({ "type": "rate", "reading": "old", "area": "area_3", "rater": "agreed", "value": 5 });
    assert_eq!(push(&mut owen, "tablet-owen-0001", vec![mutation(9, &dylan, finish)]).await.status, StatusCode::OK);
    refused(
        push(&mut owen, "tablet-owen-0001", vec![mutation(10, &dylan, start("new", "ward_check", 1))]).await,
        10,
        "retired",
    );
    let new_area = json!({ "type": "rate", "reading": "old", "area": "area_4", "rater": "agreed", "value": 5 });
    refused(push(&mut owen, "tablet-owen-0001", vec![mutation(11, &dylan, new_area)]).await, 11, "not an area");
    assert_eq!(
        push(&mut owen, "tablet-owen-0001", vec![mutation(12, &dylan, start("new", "ward_check", 2))]).await.status,
        StatusCode::OK
    );
}

fn text(en: &str) -> Value {
    json!({ "en": en, "cy": format!("{en} (Cymraeg)") })
}

/// A small custom framework with `areas` areas, rated 1–5 in two stages.
fn custom_framework(id: &str, areas: usize) -> Value {
    json!({
        "id": id,
        "name": text("Ward check-in"),
        "areas": (1..=areas).map(|i| json!({ "id": format!("area_{i}"), "label": text(&format!("Area {i}")), "description": text("About it") })).collect::<Vec<_>>(),
        "scale": { "min": 1, "max": 5, "stages": [
            { "from": 1, "to": 2, "label": text("Getting started"), "description": text("Early days") },
            { "from": 3, "to": 5, "label": text("Going well"), "description": text("Moving on") },
        ] },
        "asks_more_help": true,
    })
}

async fn ward_managers_save_custom_frameworks_as_new_versions(db: TestDb) {
    let app = TestApp::demo(db).await;
    let rows = || app.db.count("SELECT COUNT(*) FROM frameworks");
    let mut rhian = app.signed_in("rhian").await;
    let first = rhian.post("/api/frameworks", custom_framework("ward_check", 3)).await;
    first.assert_status(StatusCode::CREATED);
    assert_eq!((first.body["version"].as_u64(), first.body["retired"].as_bool()), (Some(1), Some(false)));

    // Only ward managers and admins.
    for who in ["owen", "sara", "dylan", "gareth"] {
        let mut c = app.signed_in(who).await;
        c.post("/api/frameworks", custom_framework("ward_check", 3))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let mut admin = app.signed_in("admin").await;
    let by_admin = admin.post("/api/frameworks", custom_framework("ward_check", 5)).await;
    by_admin.assert_status(StatusCode::CREATED);
    assert_eq!(by_admin.body["version"], 2);
    assert_eq!(rows().await, 2);

    // Bad frameworks say what is wrong and write nothing.
    let mut gap = custom_framework("ward_check", 3);
    gap["scale"]["stages"][1]["from"] = json!(4);
    let mut untranslated = custom_framework("ward_check", 3);
    untranslated["areas"][0]["label"]["cy"] = json!(" ");
    let mut twice = custom_framework("ward_check", 3);
    twice["areas"][1]["id"] = json!("area_1");
    let cases = [
        (gap, "stages must cover 1 to 5"),
        (untranslated, "English and in Welsh"),
        (twice, "used twice"),
        (custom_framework(LADDER, 3), "built-in"),
        (custom_framework("Ward Check", 3), "lower-case"),
    ];
    for (body, words) in cases {
        let r = rhian.post("/api/frameworks", body).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
        assert!(r.body["message"].as_str().unwrap().contains(words), "{} should say {words:?}", r.body["message"]);
    }
    let unknown_field = json!({ "id": "x", "version": 9 });
    rhian.post("/api/frameworks", unknown_field).await.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    assert_eq!(rows().await, 2, "nothing refused was written");

    // Everyone signed in reads every version, built-in ones first; the earlier custom version is retired.
    let mut dylan = app.signed_in("dylan").await;
    let list = dylan.get("/api/frameworks").await;
    list.assert_status(StatusCode::OK);
    let all: Vec<(String, u64, bool)> = list.body["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["id"].as_str().unwrap().to_owned(), f["version"].as_u64().unwrap(), f["retired"].as_bool().unwrap())
        })
        .collect();
    assert_eq!(
        all,
        [
            (LADDER.to_owned(), 1, false),
            ("satisfaction_check".to_owned(), 1, false),
            ("care_and_treatment_plan".to_owned(), 1, false),
            ("ward_check".to_owned(), 1, true),
            ("ward_check".to_owned(), 2, false),
        ]
    );
    app.client().get("/api/frameworks").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");

    // Retiring: managers only, custom versions only.
    dylan.post("/api/frameworks/ward_check/2/retire", json!({})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    rhian
        .post(&format!("/api/frameworks/{LADDER}/1/retire"), json!({}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    rhian.post("/api/frameworks/ward_check/7/retire", json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    rhian.post("/api/frameworks/ward_check/2/retire", json!({})).await.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM frameworks WHERE retired = 1").await, 2);
}

/// Saves of the same framework at the same moment, through two server instances (two pools), each get their own
/// version; exactly the newest stays current.
async fn simultaneous_saves_of_one_framework_take_distinct_versions(db: TestDb) {
    let app = TestApp::demo(db).await;
    let other = app.db.reopen().await;
    let rhian = app.db.user("rhian").await.id;
    let request = || -> waymark_shared::api::SaveFrameworkRequest {
        serde_json::from_value(custom_framework("ward_check", 3)).unwrap()
    };
    let saves = (0..6).map(|i| {
        let store = if i % 2 == 0 { app.db.store.clone() } else { other.store.clone() };
        let (rhian, req) = (rhian.clone(), request());
        async move { store.save_framework(&rhian, req).await.map(|f| f.version) }
    });
    let mut versions: Vec<u32> =
        futures_util::future::join_all(saves).await.into_iter().map(|r| r.expect("every save succeeds")).collect();
    versions.sort_unstable();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6]);
    let current: Vec<i64> = sqlx::query_scalar("SELECT version FROM frameworks WHERE retired = 0")
        .fetch_all(app.db.store.pool())
        .await
        .unwrap();
    assert_eq!(current, [6], "only the newest version takes new readings");
}

async fn tracker_data_reaches_a_carer_only_while_the_person_shares_it(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let mut owen = app.signed_in("owen").await;
    let reading = vec![
        mutation(1, &dylan, start("r1", LADDER, 1)),
        mutation(2, &dylan, rate("r1", "person", 7)),
        mutation(
            3,
            &dylan,
            json!({ "type": "difference_reason", "reading": "r1", "area": "mental_wellbeing", "text": "SECRET-REASON" }),
        ),
        mutation(4, &dylan, json!({ "type": "add_goal", "goal": "g1", "text": "SECRET-GOAL" })),
        mutation(5, &dylan, json!({ "type": "add_step", "step": "s1", "goal": "g1" })),
        mutation(6, &dylan, json!({ "type": "step_text", "step": "s1", "text": "SECRET-STEP" })),
        mutation(7, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "OPEN-HOPES" })),
    ];
    assert_eq!(push(&mut owen, "tablet-owen-0001", reading).await.status, StatusCode::OK);
    let secrets = [
        "SECRET-REASON",
        "SECRET-GOAL",
        "SECRET-STEP",
        "\"kind\":\"reading\"",
        "\"kind\":\"goal\"",
        "\"kind\":\"step\"",
    ];

    // The person and their staff receive the tracker; the carer, without consent, nothing of it (nor of About me).
    for who in ["dylan", "owen", "rhian"] {
        let (text, ..) = pull_all(&mut app.signed_in(who).await, 0, None).await;
        for s in secrets {
            assert!(text.contains(s), "{who} should receive {s}");
        }
    }
    let mut gareth_c = app.signed_in("gareth").await;
    let (text, cursor, scope, _) = pull_all(&mut gareth_c, 0, None).await;
    assert!(!text.contains("OPEN-HOPES"), "About me is not shared with him either");
    for s in secrets {
        assert!(!text.contains(s), "the carer must not receive {s} without consent");
    }

    // Dylan shares his tracker with Gareth: Gareth's next pull starts again and brings it.
    let mut dylan_c = app.signed_in("dylan").await;
    let shared = push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(1, &dylan, share(&gareth, true))]).await;
    shared.assert_status(StatusCode::OK);
    let (text, cursor, scope, reset) = pull_all(&mut gareth_c, cursor, Some(&scope)).await;
    assert!(reset, "consent given: the device starts again");
    for s in secrets {
        assert!(text.contains(s), "shared: the carer receives {s}");
    }
    // Nothing to pull meanwhile: no reset.
    let (_, cursor, scope, reset) = pull_all(&mut gareth_c, cursor, Some(&scope)).await;
    assert!(!reset);

    // Dylan withdraws consent (on the sharing cell he has seen): the next pull resets Gareth's device, and the
    // tracker is gone from it.
    let shared_at = shared.body["acks"][0]["version"].as_u64().unwrap();
    let mut withdraw = mutation(2, &dylan, share(&gareth, false));
    withdraw["base"] = json!(shared_at);
    let r = push(&mut dylan_c, "tablet-dylan-0001", vec![withdraw]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied", "{}", r.body);
    let (text, _, _, reset) = pull_all(&mut gareth_c, cursor, Some(&scope)).await;
    assert!(reset, "consent withdrawn: the device drops its copy");
    assert!(!text.contains("OPEN-HOPES"), "never shared");
    for s in secrets {
        assert!(!text.contains(s), "withdrawn: the carer no longer receives {s}");
    }
    // Sharing with one carer shares with that carer only.
    let (text, ..) = pull_all(&mut app.signed_in("helen").await, 0, None).await;
    assert!(!text.contains("SECRET-GOAL") && !text.contains(&dylan.0));
}

/// What a fresh device of `who` would show for `person`'s tracker.
async fn tracker_seen_by(app: &TestApp, who: &str, person: &UserId) -> TrackerView {
    TrackerView::build(&Outbox::default().overlay(&replica_of(app, who).await, person, &TRACKER_KINDS))
}

async fn the_demo_tracker_is_written_through_the_sync_log_once(db: TestDb) {
    assert!(waymark_server::seed::seed_demo(&db.store).await.unwrap());
    let app = TestApp::new(db);
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let t = tracker_seen_by(&app, "owen", &dylan).await;
    assert_eq!(
        t.readings.iter().map(|r| r.date.as_str()).collect::<Vec<_>>(),
        ["2026-05-12", "2026-08-11", "2026-11-03"]
    );
    let latest = t.readings.last().unwrap();
    let wellbeing = &latest.areas[&waymark_shared::outcomes::AreaId("mental_wellbeing".into())];
    assert!(wellbeing.differs() && !wellbeing.reason.is_empty(), "the demo shows a difference and its reason");
    assert_eq!(
        (wellbeing.values[&Rater::Person], wellbeing.values[&Rater::Staff], wellbeing.values[&Rater::Agreed]),
        (7, 5, 6)
    );
    assert!(t.distance(&FrameworkId("waymark_ladder".into())).unwrap().overall > 0);
    assert_eq!(t.goals.len(), 1);
    assert_eq!(t.goals[0].steps.len(), 2);
    assert!(t.conflicts.is_empty(), "the seed's own edits never conflict");
    assert!(t.shares_with(SharedPart::Tracker, &gareth));
    // Shared with his dad, so Gareth's device has it too.
    assert_eq!(tracker_seen_by(&app, "gareth", &dylan).await.readings.len(), 3);

    let before = counts(&app.db).await;
    assert!(!waymark_server::seed::seed_demo(&app.db.store).await.unwrap(), "seeding again changes nothing");
    assert_eq!(counts(&app.db).await, before);
}
