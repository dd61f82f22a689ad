//! Shared planning sessions through the real router, on SQLite and PostgreSQL: the care team starts and ends them,
//! everyone who may open the record joins, one session runs per person, where someone writes is shown only to those
//! who may see that section, and a session nobody is in ends by itself.

mod common;

use axum::http::StatusCode;
use common::{
    Client, EventStream, Reply, TestApp, TestDb,
    changes::{mutation, push},
};
use serde_json::{Value, json};
use std::time::Duration;
use waymark_shared::{UserId, api::SESSION_IDLE_MS};

on_both_engines!(
    the_care_team_runs_a_session_that_everyone_who_may_open_the_record_joins,
    a_session_nobody_is_in_ends_by_itself,
    open_plans_hear_of_a_change_at_once_and_only_one_they_would_see,
);

async fn presence(c: &mut Client<'_>, person: &UserId, editing: Value) -> Reply {
    c.post(&format!("/api/people/{}/session/presence", person.0), json!({ "editing": editing })).await
}

fn names(r: &Reply) -> Vec<String> {
    r.body["present"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

fn editing_of(r: &Reply, name: &str) -> Value {
    r.body["present"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["editing"].clone()
}

async fn the_care_team_runs_a_session_that_everyone_who_may_open_the_record_joins(db: TestDb) {
    let app = TestApp::demo(db).await;
    let alys = app.db.user("alys").await.id;
    let path = format!("/api/people/{}/session", alys.0);
    let (mut owen, mut alys_c, mut helen, mut sara) = (
        app.signed_in("owen").await,
        app.signed_in("alys").await,
        app.signed_in("helen").await,
        app.signed_in("sara").await,
    );

    // No session yet: nobody is marked present by saying "I am here".
    let r = presence(&mut alys_c, &alys, Value::Null).await;
    r.assert_status(StatusCode::OK);
    assert!(r.body["session"].is_null());
    assert_eq!(app.db.count("SELECT COUNT(*) FROM planning_presence").await, 0);

    // Only the care team starts one; a refusal writes nothing.
    for (who, c) in [("alys", &mut alys_c), ("helen", &mut helen)] {
        c.post(&path, json!({})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(app.db.count("SELECT COUNT(*) FROM planning_sessions").await, 0, "{who}");
    }
    let r = owen.post(&path, json!({})).await;
    r.assert_status(StatusCode::OK);
    let id = r.body["session"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["session"]["started_by"], "Owen Price");
    assert!(r.body["session"]["ended_at_ms"].is_null());
    assert_eq!(names(&r), ["Owen Price"]);
    // A second start (Sara is on Alys's team too) joins the same session.
    let r = sara.post(&path, json!({})).await;
    assert_eq!(r.body["session"]["id"], id.as_str());
    assert_eq!(app.db.count("SELECT COUNT(*) FROM planning_sessions").await, 1);

    // Alys joins, writing a new trigger; Helen joins, changing an item Owen wrote; Owen writes in the staff-only notes.
    let item =
        json!({ "type": "add_plan_item", "item": "abc123", "section": "carer_can_do", "text": "Ring on Sundays" });
    let m = json!({ "id": 1, "person": alys.0, "base": 0, "made_at_ms": 1, "change": item });
    owen.post("/api/sync/push", json!({ "schema": 1, "client": "tablet-owen-0001", "mutations": [m] }))
        .await
        .assert_status(StatusCode::OK);
    presence(&mut alys_c, &alys, json!({ "section": "triggers", "item": null })).await.assert_status(StatusCode::OK);
    presence(&mut helen, &alys, json!({ "section": "carer_can_do", "item": "abc123" }))
        .await
        .assert_status(StatusCode::OK);
    let r = presence(&mut owen, &alys, json!({ "section": "staff_only", "item": null })).await;
    assert_eq!(names(&r), ["Owen Price", "Sara Lloyd", "Alys Hughes", "Helen Hughes"]);
    assert_eq!(editing_of(&r, "Alys Hughes")["section"], "triggers", "staff see where everyone writes");

    // Alys does not learn that Owen writes in the staff-only notes; Helen, who has no section shared, sees no
    // one's place, until Alys shares "what my carer can do" with her.
    let r = presence(&mut alys_c, &alys, json!({ "section": "triggers", "item": null })).await;
    assert!(editing_of(&r, "Owen Price").is_null());
    assert_eq!(editing_of(&r, "Helen Hughes")["section"], "carer_can_do");
    let r = helen.get(&path).await;
    assert!(editing_of(&r, "Alys Hughes").is_null() && editing_of(&r, "Helen Hughes").is_null());
    let helen_id = app.db.user("helen").await.id;
    let share =
        json!({ "type": "share", "part": "plan_carer_can_do", "carer": helen_id.0, "share": true, "review_by": null });
    let m = json!({ "id": 1, "person": alys.0, "base": 0, "made_at_ms": 1, "change": share });
    alys_c
        .post("/api/sync/push", json!({ "schema": 1, "client": "tablet-alys-0001", "mutations": [m] }))
        .await
        .assert_status(StatusCode::OK);
    let r = helen.get(&path).await;
    assert_eq!(editing_of(&r, "Helen Hughes")["section"], "carer_can_do");
    assert!(editing_of(&r, "Alys Hughes").is_null(), "triggers are still not shared with Helen");

    // Someone who may not open the record gets nothing (as if Alys did not exist), and bad input writes nothing.
    let mut dylan = app.signed_in("dylan").await;
    presence(&mut dylan, &alys, Value::Null).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    dylan.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let before = app.db.count("SELECT COUNT(*) FROM planning_presence WHERE editing IS NOT NULL").await;
    let r = presence(&mut owen, &alys, json!({ "section": "victims" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM planning_presence WHERE editing IS NOT NULL").await, before);

    // Only the care team ends it; then it is over for everyone, with who joined kept for the summary.
    alys_c.post(&format!("{path}/end"), json!({})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let r = owen.post(&format!("{path}/end"), json!({})).await;
    r.assert_status(StatusCode::OK);
    assert!(r.body["session"]["ended_at_ms"].is_i64());
    assert!(names(&r).is_empty());
    assert_eq!(r.body["session"]["joined"], json!(["Owen Price", "Sara Lloyd", "Alys Hughes", "Helen Hughes"]));
    owen.post(&format!("{path}/end"), json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    // Saying "I am here" after the end joins nothing.
    let r = presence(&mut alys_c, &alys, Value::Null).await;
    assert!(names(&r).is_empty());
    // A new start is a new session.
    let r = owen.post(&path, json!({})).await;
    assert_ne!(r.body["session"]["id"], id.as_str());
}

async fn a_session_nobody_is_in_ends_by_itself(db: TestDb) {
    let app = TestApp::demo(db).await;
    let alys = app.db.user("alys").await.id;
    let path = format!("/api/people/{}/session", alys.0);
    let mut owen = app.signed_in("owen").await;
    let r = owen.post(&path, json!({})).await;
    let id = r.body["session"]["id"].as_str().unwrap().to_owned();
    // Everyone left long ago.
    let long_ago = waymark_server::store::now_ms() - SESSION_IDLE_MS - 60_000;
    sqlx::query("UPDATE planning_sessions SET last_seen_ms = $1")
        .bind(long_ago)
        .execute(app.db.store.pool())
        .await
        .unwrap();
    let r = owen.get(&path).await;
    assert_eq!(r.body["session"]["id"], id.as_str());
    assert_eq!(r.body["session"]["ended_at_ms"], long_ago, "it ended when it was last used");
    let r = owen.post(&path, json!({})).await;
    assert_ne!(r.body["session"]["id"], id.as_str(), "starting again makes a new one");
    assert!(r.body["session"]["ended_at_ms"].is_null());
}

/// Through the live channel (`planning` events), each open plan hears at once that the session changed, so it asks
/// for it then rather than at its next "I am here" (every few seconds). A viewer hears only of what they would see
/// change: not a heartbeat, not a move they cannot see, nothing of someone whose record does not reach them.
async fn open_plans_hear_of_a_change_at_once_and_only_one_they_would_see(db: TestDb) {
    const WAIT: Duration = Duration::from_secs(5);
    const QUIET: Duration = Duration::from_millis(600);
    let app = TestApp::demo(db).await;
    let alys = app.db.user("alys").await.id;
    let path = format!("/api/people/{}/session", alys.0);
    let mut c: Vec<Client<'_>> = Vec::new();
    for who in ["owen", "alys", "helen", "gareth"] {
        c.push(app.signed_in(who).await);
    }
    let mut streams: Vec<EventStream> = Vec::new();
    for client in c.iter_mut() {
        let mut s = client.open_stream("/api/sync/live").await;
        assert_eq!(s.next_event(WAIT).await.expect("hello").event, "hello");
        streams.push(s);
    }
    let told = format!("{{\"person\":\"{}\"}}", alys.0);
    // (Notices of changed records, from the sharing below, are not what is looked for here.)
    async fn hears(s: &mut EventStream, told: &str, wait: Duration) -> bool {
        loop {
            match s.next_event(wait).await {
                Some(e) if e.event == "planning" => {
                    assert_eq!(e.data, told, "only whose session changed travels");
                    return true;
                }
                Some(e) if e.event == "changed" => continue,
                Some(e) => panic!("unexpected event {e:?}"),
                None => return false,
            }
        }
    }

    // Owen starts the session: Owen, Alys and Helen (her carer) hear; Gareth (Dylan's carer) hears nothing.
    c[0].post(&path, json!({})).await.assert_status(StatusCode::OK);
    for (i, who) in ["owen", "alys", "helen"].iter().enumerate() {
        assert!(hears(&mut streams[i], &told, WAIT).await, "{who} hears the session start");
    }
    assert!(!hears(&mut streams[3], &told, QUIET).await, "Gareth hears nothing of Alys");

    // Alys joins: everyone in her world hears; her next "I am here" (nothing changed) is heard by nobody.
    presence(&mut c[1], &alys, Value::Null).await.assert_status(StatusCode::OK);
    for (i, who) in ["owen", "alys", "helen"].iter().enumerate() {
        assert!(hears(&mut streams[i], &told, WAIT).await, "{who} hears Alys arrive");
    }
    presence(&mut c[1], &alys, Value::Null).await.assert_status(StatusCode::OK);
    assert!(!hears(&mut streams[0], &told, QUIET).await, "a heartbeat changes nothing");

    // Owen writes in the staff-only notes: only staff see that move.
    presence(&mut c[0], &alys, json!({ "section": "staff_only" })).await.assert_status(StatusCode::OK);
    assert!(hears(&mut streams[0], &told, WAIT).await, "Owen's own stream hears it (staff)");
    assert!(!hears(&mut streams[1], &told, QUIET).await, "Alys sees nothing move");
    assert!(!hears(&mut streams[2], &told, QUIET).await, "nor does Helen");

    // Owen moves to the triggers: Alys sees that; Helen hears of it exactly when she would see it (the section is
    // shared with her), as the session she is shown says.
    presence(&mut c[0], &alys, json!({ "section": "triggers" })).await.assert_status(StatusCode::OK);
    assert!(hears(&mut streams[1], &told, WAIT).await, "Alys sees Owen move to the triggers");
    let helen_sees = !editing_of(&c[2].get(&path).await, "Owen Price").is_null();
    assert!(!helen_sees, "the demo shares no plan section with Helen");
    assert!(!hears(&mut streams[2], &told, QUIET).await, "Helen does not see the triggers: she hears nothing");
    assert!(hears(&mut streams[0], &told, WAIT).await);
    // Alys shares the triggers with Helen: Owen leaving them is now a change Helen sees, and she hears of it.
    let helen = app.db.user("helen").await.id;
    let share = json!({ "type": "share", "part": "plan_triggers", "carer": helen.0, "share": true, "review_by": null });
    push(&mut c[1], "tablet-alys-0001", vec![mutation(1, &alys, share)]).await.assert_status(StatusCode::OK);
    assert_eq!(streams[2].next_event(WAIT).await.unwrap().event, "changed", "Helen is told of the sharing");
    presence(&mut c[0], &alys, Value::Null).await.assert_status(StatusCode::OK);
    assert!(hears(&mut streams[2], &told, WAIT).await, "Helen sees Owen leave the triggers");
    assert!(hears(&mut streams[1], &told, WAIT).await);
    assert!(hears(&mut streams[0], &told, WAIT).await);

    // Owen ends it: everyone in her world hears; Gareth still nothing.
    c[0].post(&format!("{path}/end"), json!({})).await.assert_status(StatusCode::OK);
    for (i, who) in ["owen", "alys", "helen"].iter().enumerate() {
        assert!(hears(&mut streams[i], &told, WAIT).await, "{who} hears the session end");
    }
    assert!(!hears(&mut streams[3], &told, QUIET).await, "Gareth hears nothing of Alys");
}
