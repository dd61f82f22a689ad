//! The safety plan through the real router, on SQLite and PostgreSQL: who may make each kind of plan change (a
//! refusal writes nothing), staff-only notes never sent to the person's or a carer's device, each section reaching a
//! carer only while the person shares it (checked on the bytes sent), and consent withdrawn taking effect on the
//! next pull.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, TestDb,
    changes::{counts, mutation, pull_all, push, replica_of, try_change},
};
use serde_json::{Value, json};
use waymark_shared::{
    UserId,
    plan::{
        PlanSection, Signer,
        view::{Agreement, PLAN_KINDS, PlanView},
    },
    sync::Outbox,
};

on_both_engines!(
    each_plan_change_is_made_only_by_those_allowed_to,
    staff_only_notes_and_unshared_sections_never_reach_the_person_or_a_carer,
    a_carer_adds_what_they_can_do_and_the_plan_is_agreed_by_both,
);

fn add(item: &str, section: &str, text: &str) -> Value {
    json!({ "type": "add_plan_item", "item": item, "section": section, "text": text })
}

fn edit(item: &str, section: &str, text: &str) -> Value {
    json!({ "type": "plan_item_text", "item": item, "section": section, "text": text })
}

fn share(part: &str, carer: &UserId, on: bool) -> Value {
    json!({ "type": "share", "part": part, "carer": carer.0, "share": on, "review_by": "2027-02-01" })
}

async fn each_plan_change_is_made_only_by_those_allowed_to(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let mut owen = app.signed_in("owen").await;
    let setup = vec![
        mutation(1, &dylan, add("t1", "triggers", "Shouting on the ward")),
        mutation(2, &dylan, add("r1", "staff_only", "Risk note")),
        mutation(3, &dylan, add("c1", "carer_can_do", "Visit on Sundays")),
    ];
    assert_eq!(push(&mut owen, "tablet-owen-setup", setup).await.status, StatusCode::OK);

    let changes: Vec<(&str, Value)> = vec![
        ("add trigger", add("t-new", "triggers", "Letters from court")),
        ("edit trigger", edit("t1", "triggers", "Shouting nearby")),
        ("remove trigger", json!({ "type": "remove_plan_item", "item": "t1", "section": "triggers", "removed": true })),
        ("add risk", add("r-new", "staff_only", "Another risk note")),
        ("edit risk", edit("r1", "staff_only", "Risk note, updated")),
        ("risk as trigger", edit("r1", "triggers", "Moved out of the staff-only notes")),
        ("add carer", add("c-new", "carer_can_do", "Ring on Wednesdays")),
        ("edit owen's carer item", edit("c1", "carer_can_do", "Visit on Saturdays")),
        ("setting", json!({ "type": "plan_setting", "setting": "leave" })),
        ("review", json!({ "type": "plan_review", "review_by": "2027-01-15" })),
        ("review put off", json!({ "type": "plan_review", "review_by": "2099-12-31" })),
        ("review earlier", json!({ "type": "plan_review", "review_by": "2027-01-10" })),
        ("sign as person", json!({ "type": "agree_plan", "signer": "person", "version": 1, "date": "2026-11-27" })),
        (
            "sign as key worker",
            json!({ "type": "agree_plan", "signer": "key_worker", "version": 1, "date": "2026-11-27" }),
        ),
        ("share a section", share("plan_triggers", &gareth, true)),
    ];
    // Who may make each change: Dylan (the person), Owen (his key worker), Rhian (ward manager, not on the team),
    // Gareth (his carer; carer_can_do is shared with him below), Helen (another person's carer), Alys (another
    // service user).
    let allowed: &[(&str, [bool; 6])] = &[
        ("add trigger", [true, true, false, false, false, false]),
        ("edit trigger", [true, true, false, false, false, false]),
        ("remove trigger", [true, true, false, false, false, false]),
        ("add risk", [false, true, false, false, false, false]),
        ("edit risk", [false, true, false, false, false, false]),
        ("risk as trigger", [false, false, false, false, false, false]),
        ("add carer", [true, true, false, true, false, false]),
        ("edit owen's carer item", [true, true, false, false, false, false]),
        // Governance: only the care team changes the setting or puts a review off; the person may ask for an
        // earlier one (or for one when none is set).
        ("setting", [false, true, false, false, false, false]),
        ("review", [true, true, false, false, false, false]),
        ("review put off", [false, true, false, false, false, false]),
        ("review earlier", [true, true, false, false, false, false]),
        ("sign as person", [true, false, false, false, false, false]),
        ("sign as key worker", [false, true, false, false, false, false]),
        ("share a section", [true, false, false, false, false, false]),
    ];
    let mut dylan_c = app.signed_in("dylan").await;
    let shared =
        push(&mut dylan_c, "tablet-dylan-setup", vec![mutation(1, &dylan, share("plan_carer_can_do", &gareth, true))])
            .await;
    shared.assert_status(StatusCode::OK);
    let people = ["dylan", "owen", "rhian", "gareth", "helen", "alys"];
    let mut id = 10;
    for (name, change) in &changes {
        let row = allowed.iter().find(|(n, _)| n == name).unwrap().1;
        for (who, expected) in people.iter().zip(row) {
            id += 1;
            // A new item gets a new id each time (a taken id is refused as such, before permissions).
            let mut change = change.clone();
            if change["type"] == "add_plan_item" {
                change["item"] = json!(format!("{}-{id}", change["item"].as_str().unwrap()));
            }
            assert_eq!(try_change(&app, who, id, &dylan, change).await, expected, "{who} {name}");
        }
    }
    // While Owen records that Dylan cannot decide for now, his care team may set what Gareth sees; not before, and
    // never Gareth himself.
    let staff_share = share("plan_triggers", &gareth, false);
    assert!(!try_change(&app, "owen", 900, &dylan, staff_share.clone()).await);
    assert!(
        !try_change(&app, "dylan", 901, &dylan, json!({ "type": "capacity", "lacks": true, "reason": "Unwell" })).await
    );
    assert!(
        try_change(
            &app,
            "owen",
            902,
            &dylan,
            json!({ "type": "capacity", "lacks": true, "reason": "Very unwell this week" })
        )
        .await
    );
    assert!(try_change(&app, "owen", 903, &dylan, staff_share.clone()).await);
    assert!(!try_change(&app, "rhian", 904, &dylan, staff_share.clone()).await, "not on the care team");
    assert!(!try_change(&app, "gareth", 905, &dylan, share("plan_triggers", &gareth, true)).await);
    assert!(
        try_change(&app, "dylan", 906, &dylan, share("plan_triggers", &gareth, true)).await,
        "Dylan's own say still counts"
    );
    let r = push(
        &mut owen,
        "tablet-owen-setup",
        vec![mutation(60, &dylan, json!({ "type": "capacity", "lacks": true, "reason": " " }))],
    )
    .await;
    assert!(r.status.is_client_error(), "a reason is needed: {}", r.body);

    // A carer may not add to "what my carer can do" once it is no longer shared with him.
    let mut withdraw = mutation(2, &dylan, share("plan_carer_can_do", &gareth, false));
    withdraw["base"] = shared.body["acks"][0]["version"].clone();
    let r = push(&mut dylan_c, "tablet-dylan-setup", vec![withdraw]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied", "{}", r.body);
    assert!(!try_change(&app, "gareth", 999, &dylan, add("c-late", "carer_can_do", "Bring photos")).await);
    // Bad input is refused whole: an empty item and an unknown section.
    let before = counts(&app.db).await;
    let r = push(&mut owen, "tablet-owen-setup", vec![mutation(50, &dylan, add("x", "triggers", "  "))]).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let r = push(&mut owen, "tablet-owen-setup", vec![mutation(51, &dylan, add("x", "victims", "n/a"))]).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert_eq!(counts(&app.db).await, before);
}

async fn staff_only_notes_and_unshared_sections_never_reach_the_person_or_a_carer(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let mut owen = app.signed_in("owen").await;
    let plan = vec![
        mutation(1, &dylan, add("t1", "triggers", "SECRET-TRIGGER")),
        mutation(2, &dylan, add("w1", "warning_signs", "SECRET-SIGN")),
        mutation(3, &dylan, add("r1", "staff_only", "STAFF-ONLY-VICTIM-NAME")),
        mutation(4, &dylan, edit("r1", "staff_only", "STAFF-ONLY-EDITED")),
        mutation(5, &dylan, add("c1", "carer_can_do", "SHARED-CARER-ITEM")),
        mutation(6, &dylan, json!({ "type": "plan_review", "review_by": "2027-01-15" })),
        mutation(
            7,
            &dylan,
            json!({ "type": "capacity", "lacks": false, "reason": "CAPACITY-NOTE decides for himself" }),
        ),
    ];
    push(&mut owen, "tablet-owen-0001", plan).await.assert_status(StatusCode::OK);
    let staff_only = ["STAFF-ONLY-VICTIM-NAME", "STAFF-ONLY-EDITED", "\"staff_only\""];
    let unshared = ["SECRET-TRIGGER", "SECRET-SIGN"];

    // Staff receive everything; the person everything but the staff-only notes.
    for who in ["owen", "rhian"] {
        let (text, ..) = pull_all(&mut app.signed_in(who).await, 0, None).await;
        for s in staff_only.iter().chain(&unshared).chain(&["SHARED-CARER-ITEM"]) {
            assert!(text.contains(s), "{who} should receive {s}");
        }
    }
    let (text, ..) = pull_all(&mut app.signed_in("dylan").await, 0, None).await;
    for s in unshared.iter().chain(&["SHARED-CARER-ITEM", "CAPACITY-NOTE"]) {
        assert!(text.contains(s), "Dylan should receive {s}");
    }
    for s in staff_only {
        assert!(!text.contains(s), "the staff-only notes must never reach Dylan's device: {s}");
    }

    // Gareth, with nothing shared, receives no section of the plan at all.
    let mut gareth_c = app.signed_in("gareth").await;
    let (text, cursor, scope, _) = pull_all(&mut gareth_c, 0, None).await;
    assert!(!text.contains("plan_item"), "no plan items without consent: {text}");
    assert!(!text.contains("2027-01-15"), "the review date is for the care team");

    // Dylan shares one section with him: only that section arrives.
    let mut dylan_c = app.signed_in("dylan").await;
    let shared =
        push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(1, &dylan, share("plan_carer_can_do", &gareth, true))])
            .await;
    shared.assert_status(StatusCode::OK);
    let (text, cursor, scope, reset) = pull_all(&mut gareth_c, cursor, Some(&scope)).await;
    assert!(reset, "consent given: the device starts again");
    assert!(text.contains("SHARED-CARER-ITEM"));
    for s in staff_only.iter().chain(&unshared).chain(&["CAPACITY-NOTE"]) {
        assert!(!text.contains(s), "Gareth must not receive {s}");
    }
    // Helen (Alys's carer) receives nothing of Dylan's.
    let (text, ..) = pull_all(&mut app.signed_in("helen").await, 0, None).await;
    assert!(!text.contains(&dylan.0));

    // Dylan withdraws consent: Gareth's next pull resets his device and the section is gone from it.
    let mut withdraw = mutation(2, &dylan, share("plan_carer_can_do", &gareth, false));
    withdraw["base"] = shared.body["acks"][0]["version"].clone();
    let r = push(&mut dylan_c, "tablet-dylan-0001", vec![withdraw]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied", "{}", r.body);
    let (text, _, _, reset) = pull_all(&mut gareth_c, cursor, Some(&scope)).await;
    assert!(reset, "consent withdrawn: the device drops its copy");
    assert!(!text.contains("SHARED-CARER-ITEM") && !text.contains("plan_item"), "{text}");
}

/// What a fresh device of `who` would show for `person`'s plan.
async fn plan_seen_by(app: &TestApp, who: &str, person: &UserId) -> PlanView {
    PlanView::build(&Outbox::default().overlay(&replica_of(app, who).await, person, &PLAN_KINDS))
}

async fn a_carer_adds_what_they_can_do_and_the_plan_is_agreed_by_both(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let mut dylan_c = app.signed_in("dylan").await;
    let mine = vec![
        mutation(1, &dylan, add("i1", "i_can_do", "Walk in the garden")),
        mutation(2, &dylan, share("plan_carer_can_do", &gareth, true)),
    ];
    push(&mut dylan_c, "tablet-dylan-0001", mine).await.assert_status(StatusCode::OK);
    let mut gareth_c = app.signed_in("gareth").await;
    push(&mut gareth_c, "phone-gareth-0001", vec![mutation(1, &dylan, add("g1", "carer_can_do", "Ring every Sunday"))])
        .await
        .assert_status(StatusCode::OK);

    let seen = plan_seen_by(&app, "dylan", &dylan).await;
    let carer_items: Vec<_> = seen.section(PlanSection::CarerCanDo).collect();
    assert_eq!(carer_items.len(), 1);
    assert_eq!(carer_items[0].text, "Ring every Sunday");
    assert_eq!(carer_items[0].added_by.as_ref().unwrap().name, "Gareth Evans", "who wrote it is recorded");
    assert_eq!(seen.agreement(), Agreement::NotYet);

    let v = seen.version_to_sign(Signer::Person).unwrap();
    push(
        &mut dylan_c,
        "tablet-dylan-0001",
        vec![mutation(
            3,
            &dylan,
            json!({ "type": "agree_plan", "signer": "person", "version": v, "date": "2026-11-27" }),
        )],
    )
    .await
    .assert_status(StatusCode::OK);
    let seen = plan_seen_by(&app, "owen", &dylan).await;
    assert_eq!(seen.agreement(), Agreement::Waiting { signed: Signer::Person, version: v });
    assert_eq!(seen.version_to_sign(Signer::KeyWorker), Some(v));
    let mut owen = app.signed_in("owen").await;
    push(
        &mut owen,
        "tablet-owen-0001",
        vec![mutation(
            1,
            &dylan,
            json!({ "type": "agree_plan", "signer": "key_worker", "version": v, "date": "2026-11-28" }),
        )],
    )
    .await
    .assert_status(StatusCode::OK);
    let seen = plan_seen_by(&app, "dylan", &dylan).await;
    assert_eq!(
        seen.agreement(),
        Agreement::Agreed {
            version: v,
            person: "2026-11-27".into(),
            key_worker: "2026-11-28".into(),
            changed_since: false
        }
    );
    let carers_view = plan_seen_by(&app, "gareth", &dylan).await;
    assert_eq!(carers_view.agreement(), Agreement::NotYet, "signatures are for the care team");
    assert_eq!(carers_view.section(PlanSection::ICanDo).count(), 0, "not shared with Gareth");
    assert_eq!(carers_view.section(PlanSection::CarerCanDo).count(), 1, "shared with Gareth");
}
