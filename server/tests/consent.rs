//! Consent, through the real router on SQLite and PostgreSQL, checked on the bytes each device receives: a newly
//! invited carer receives nothing of the person's record until the person shares a part, then only that part; a
//! withdrawal applies even from a tablet that missed a change; carers never receive values kept aside while people
//! settle them, nor other carers' names, ids or sharing; a carer comments only where comments are shared with them.

mod common;

use axum::http::StatusCode;
use common::{
    Client, TestApp, TestDb,
    changes::{counts, mutation, pull_all, push, try_change},
};
use serde_json::{Value, json};
use waymark_shared::UserId;

on_both_engines!(
    a_newly_invited_carer_receives_nothing_until_a_part_is_shared_and_then_only_that_part,
    a_withdrawal_from_a_tablet_that_missed_a_change_applies_at_once,
    carers_never_receive_drafts_nor_other_carers,
    a_carer_comments_only_where_comments_are_shared_with_them,
);

fn share(part: &str, carer: &UserId, share: bool, review_by: Option<&str>) -> Value {
    json!({ "type": "share", "part": part, "carer": carer.0, "share": share, "review_by": review_by })
}

/// Invite a new carer for `person` (as their key worker, Owen) and let them join; returns their id and their
/// signed-in client.
async fn invite_carer<'a>(app: &'a TestApp, person: &UserId, username: &str, name: &str) -> (UserId, Client<'a>) {
    let r = app.signed_in("owen").await.post(&format!("/api/people/{}/invitations", person.0), json!({})).await;
    r.assert_status(StatusCode::CREATED);
    let code = r.body["code"].as_str().unwrap().to_owned();
    let mut newcomer = app.client();
    let r = newcomer
        .post(
            "/api/invitations/accept",
            json!({ "code": code, "display_name": name, "username": username, "password": "a long password" }),
        )
        .await;
    r.assert_status(StatusCode::OK);
    (app.db.user(username).await.id, newcomer)
}

/// Dylan's record with something of every kind in it, each with a marker that must not leak.
async fn write_dylans_record(app: &TestApp, dylan: &UserId) {
    let mut owen = app.signed_in("owen").await;
    let everything = vec![
        mutation(1, dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "MARK-ABOUT-ME" })),
        mutation(
            2,
            dylan,
            json!({ "type": "add_comment", "comment": "c-team", "text": "MARK-TEAM-COMMENT PRN offered" }),
        ),
        mutation(
            3,
            dylan,
            json!({ "type": "add_comment", "comment": "c-shared", "text": "MARK-SHARED-COMMENT", "audience": "shared" }),
        ),
        mutation(
            4,
            dylan,
            json!({ "type": "start_reading", "reading": "r1", "framework": "waymark_ladder", "version": 1, "date": "2026-11-20" }),
        ),
        mutation(
            5,
            dylan,
            json!({ "type": "area_note", "reading": "r1", "area": "mental_wellbeing", "text": "MARK-READING" }),
        ),
        mutation(6, dylan, json!({ "type": "add_goal", "goal": "g1", "text": "MARK-GOAL" })),
        mutation(
            7,
            dylan,
            json!({ "type": "add_plan_item", "item": "p1", "section": "triggers", "text": "MARK-PLAN-TRIGGER" }),
        ),
        mutation(
            8,
            dylan,
            json!({ "type": "add_plan_item", "item": "p2", "section": "staff_only", "text": "MARK-STAFF-ONLY" }),
        ),
        mutation(9, dylan, json!({ "type": "plan_review", "review_by": "2027-02-03" })),
        mutation(10, dylan, json!({ "type": "capacity", "lacks": false, "reason": "MARK-CAPACITY" })),
    ];
    push(&mut owen, "tablet-owen-0001", everything).await.assert_status(StatusCode::OK);
}

const MARKS: [&str; 9] = [
    "MARK-ABOUT-ME",
    "MARK-TEAM-COMMENT",
    "MARK-SHARED-COMMENT",
    "MARK-READING",
    "MARK-GOAL",
    "MARK-PLAN-TRIGGER",
    "MARK-STAFF-ONLY",
    "2027-02-03",
    "MARK-CAPACITY",
];

/// Which marks the bytes hold.
fn marks_in(text: &str) -> Vec<&'static str> {
    MARKS.into_iter().filter(|m| text.contains(m)).collect()
}

async fn a_newly_invited_carer_receives_nothing_until_a_part_is_shared_and_then_only_that_part(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    write_dylans_record(&app, &dylan).await;
    // Dylan already shares About me with his dad Gareth.
    let mut dylan_c = app.signed_in("dylan").await;
    push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(1, &dylan, share("about_me", &gareth, true, None))])
        .await
        .assert_status(StatusCode::OK);
    let (carys, mut carys_c) = invite_carer(&app, &dylan, "carys", "Carys Evans").await;

    // Carys, newly invited: her pulls carry nothing of Dylan's record, nor anything about Gareth.
    let (text, cursor, scope, _) = pull_all(&mut carys_c, 0, None).await;
    assert_eq!(marks_in(&text), Vec::<&str>::new(), "nothing before consent: {text}");
    assert!(!text.contains(&gareth.0) && !text.contains("Gareth"), "nor another carer: {text}");
    assert!(!text.contains("\"kind\":\"sharing\""), "nor anyone's sharing: {text}");
    // Her page names Dylan and the ward, and no other carer.
    let page = carys_c.get(&format!("/api/people/{}", dylan.0)).await;
    page.assert_status(StatusCode::OK);
    assert_eq!(page.body["person"]["display_name"], "Dylan Evans");
    let team = page.body["care_team"].to_string();
    assert!(!team.contains("Gareth") && team.contains("Carys") && team.contains("Owen"), "{team}");

    // Dylan shares About me with her: that arrives, and nothing else.
    let r =
        push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(2, &dylan, share("about_me", &carys, true, None))]).await;
    r.assert_status(StatusCode::OK);
    let (text, cursor, scope, reset) = pull_all(&mut carys_c, cursor, Some(&scope)).await;
    assert!(reset, "what she may see changed: her device starts again");
    assert_eq!(marks_in(&text), ["MARK-ABOUT-ME"]);
    assert!(!text.contains(&gareth.0), "her sharing arrives; Gareth's does not: {text}");
    assert!(text.contains(&format!("\"field\":\"{}\"", carys.0)), "what Dylan decided about her: {text}");

    // Then comments: only those written for the people Dylan shares comments with.
    let r =
        push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(3, &dylan, share("comments", &carys, true, None))]).await;
    r.assert_status(StatusCode::OK);
    let (text, cursor, scope, _) = pull_all(&mut carys_c, cursor, Some(&scope)).await;
    assert_eq!(marks_in(&text), ["MARK-ABOUT-ME", "MARK-SHARED-COMMENT"]);
    // And one plan section: its items, nothing staff-only, no review date, no capacity record.
    let r =
        push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(4, &dylan, share("plan_triggers", &carys, true, None))])
            .await;
    r.assert_status(StatusCode::OK);
    let (text, ..) = pull_all(&mut carys_c, cursor, Some(&scope)).await;
    assert_eq!(marks_in(&text), ["MARK-ABOUT-ME", "MARK-SHARED-COMMENT", "MARK-PLAN-TRIGGER"]);
    // Gareth still has only what was shared with him.
    let (text, ..) = pull_all(&mut app.signed_in("gareth").await, 0, None).await;
    assert_eq!(marks_in(&text), ["MARK-ABOUT-ME"]);
    assert!(!text.contains(&carys.0) && !text.contains("Carys"), "{text}");
}

async fn a_withdrawal_from_a_tablet_that_missed_a_change_applies_at_once(db: TestDb) {
    let app = TestApp::demo(db).await;
    let alys = app.db.user("alys").await.id;
    let helen = app.db.user("helen").await.id;
    let mut owen = app.signed_in("owen").await;
    push(
        &mut owen,
        "tablet-owen-0001",
        vec![mutation(
            1,
            &alys,
            json!({ "type": "add_plan_item", "item": "p1", "section": "contacts", "text": "MARK-CONTACT" }),
        )],
    )
    .await
    .assert_status(StatusCode::OK);
    // Tablet A shares "who to contact" with Helen.
    let mut tablet_a = app.signed_in("alys").await;
    let r =
        push(&mut tablet_a, "tablet-alys-aaaa", vec![mutation(1, &alys, share("plan_contacts", &helen, true, None))])
            .await;
    let seen_by_a = r.body["acks"][0]["version"].as_u64().unwrap();
    let mut helen_c = app.signed_in("helen").await;
    let (text, cursor, scope, _) = pull_all(&mut helen_c, 0, None).await;
    assert!(text.contains("MARK-CONTACT"));
    // Tablet B sets a date to look at that choice again.
    let mut tablet_b = app.signed_in("alys").await;
    let mut later = mutation(1, &alys, share("plan_contacts", &helen, true, Some("2027-03-01")));
    later["base"] = json!(seen_by_a);
    let r = push(&mut tablet_b, "tablet-alys-bbbb", vec![later]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied");
    // Tablet A, which has not synced since, withdraws: it applies, it is not kept aside.
    let before = counts(&app.db).await;
    let mut withdraw = mutation(2, &alys, share("plan_contacts", &helen, false, None));
    withdraw["base"] = json!(seen_by_a);
    let r = push(&mut tablet_a, "tablet-alys-aaaa", vec![withdraw]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied", "a withdrawal never waits: {}", r.body);
    assert_eq!(counts(&app.db).await[1], before[1] + 1);
    // Helen's next pull holds none of it.
    let (text, _, _, reset) = pull_all(&mut helen_c, cursor, Some(&scope)).await;
    assert!(reset, "her device drops its copy");
    assert!(!text.contains("MARK-CONTACT"), "{text}");
    // A grant made on a stale view still waits for people to settle it.
    let mut stale_grant = mutation(3, &alys, share("plan_contacts", &helen, true, None));
    stale_grant["base"] = json!(seen_by_a);
    let r = push(&mut tablet_a, "tablet-alys-aaaa", vec![stale_grant]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "kept_aside", "{}", r.body);
    let (text, ..) = pull_all(&mut app.signed_in("helen").await, 0, None).await;
    assert!(!text.contains("MARK-CONTACT"), "not shared until settled: {text}");
}

async fn carers_never_receive_drafts_nor_other_carers(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let (carys, mut carys_c) = invite_carer(&app, &dylan, "carys", "Carys Evans").await;
    let mut dylan_c = app.signed_in("dylan").await;
    let grants = vec![
        mutation(1, &dylan, share("about_me", &gareth, true, None)),
        mutation(2, &dylan, share("plan_carer_can_do", &gareth, true, None)),
        mutation(3, &dylan, share("plan_carer_can_do", &carys, true, None)),
        mutation(4, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "CURRENT-HOPES" })),
    ];
    push(&mut dylan_c, "tablet-dylan-0001", grants).await.assert_status(StatusCode::OK);
    // Owen, who had not seen Dylan's words, writes his own: kept aside while they settle it.
    let mut owen = app.signed_in("owen").await;
    let r = push(
        &mut owen,
        "tablet-owen-0001",
        vec![mutation(1, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "DRAFT-HOPES" }))],
    )
    .await;
    assert_eq!(r.body["acks"][0]["outcome"], "kept_aside");
    // Carys adds what she can do; Gareth sees the item, never her name or id.
    push(
        &mut carys_c,
        "phone-carys-0001",
        vec![mutation(
            1,
            &dylan,
            json!({ "type": "add_plan_item", "item": "c1", "section": "carer_can_do", "text": "CARYS-VISITS" }),
        )],
    )
    .await
    .assert_status(StatusCode::OK);

    let (text, ..) = pull_all(&mut app.signed_in("dylan").await, 0, None).await;
    assert!(
        text.contains("DRAFT-HOPES") && text.contains("Carys Evans"),
        "the person sees both versions and who wrote what"
    );
    assert!(!text.contains("tablet-owen-0001"), "nobody receives which device a version came from");
    let (text, ..) = pull_all(&mut app.signed_in("gareth").await, 0, None).await;
    assert!(text.contains("CURRENT-HOPES") && text.contains("CARYS-VISITS"), "{text}");
    assert!(!text.contains("DRAFT-HOPES") && !text.contains("\"kept\""), "no drafts for a carer: {text}");
    assert!(!text.contains("Carys") && !text.contains(&carys.0), "no other carer: {text}");
    assert!(text.contains("\"role\":\"carer\""), "the item says a carer wrote it: {text}");
    let (text, ..) = pull_all(&mut carys_c, 0, None).await;
    assert!(text.contains("Carys Evans") && !text.contains(&gareth.0) && !text.contains("Gareth"), "{text}");
}

async fn a_carer_comments_only_where_comments_are_shared_with_them(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let comment = |id: &str, audience: Option<&str>| {
        let mut c = json!({ "type": "add_comment", "comment": id, "text": "Thinking of you" });
        if let Some(a) = audience {
            c["audience"] = json!(a);
        }
        c
    };
    // Nothing shared: refused, whichever audience, and nothing written (try_change checks the rows).
    assert!(!try_change(&app, "gareth", 1, &dylan, comment("g1", Some("shared"))).await);
    assert!(!try_change(&app, "gareth", 2, &dylan, comment("g2", None)).await);
    // Comments shared with him: he may write for those they are shared with, never for the care team alone.
    assert!(try_change(&app, "dylan", 3, &dylan, share("comments", &gareth, true, None)).await);
    assert!(try_change(&app, "gareth", 4, &dylan, comment("g4", Some("shared"))).await);
    assert!(!try_change(&app, "gareth", 5, &dylan, comment("g5", None)).await);
    // Withdrawn: refused again.
    assert!(try_change(&app, "dylan", 6, &dylan, share("comments", &gareth, false, None)).await);
    assert!(!try_change(&app, "gareth", 7, &dylan, comment("g7", Some("shared"))).await);
}
