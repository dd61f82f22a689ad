//! The sync endpoints end to end (in-process, through the real router and layers), on SQLite and PostgreSQL:
//! push and pull, replays, conflicts, every class of bad input (and that it writes nothing), what each role's
//! pulls may carry, paging, and the live stream.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{Client, Reply, TestApp, TestDb};
use serde_json::{Value, json};
use std::time::Duration;
use waymark_server::{live, routes::MAX_BODY_BYTES};
use waymark_shared::{
    UserId,
    sync::{Authorship, CellState, MAX_PUSH_MUTATIONS},
};

on_both_engines!(
    push_then_pull_names_authors_and_versions,
    a_replayed_push_returns_the_same_acks_and_writes_nothing,
    a_stale_edit_is_kept_aside_with_both_values_and_a_settle_clears_it,
    bad_input_is_refused_with_a_reason_and_writes_nothing,
    bad_pull_queries_are_refused,
    pulls_carry_only_what_the_viewer_may_see,
    pulls_made_at_the_same_moment_each_carry_their_own_viewers_cells,
    staff_only_data_reaches_staff_only,
    a_care_team_change_resets_the_device_and_removes_the_person,
    a_large_backlog_is_pulled_in_pages,
    a_cell_edited_many_times_reaches_a_new_device_once_as_it_now_is,
    the_live_stream_tells_only_those_who_may_see,
    the_watcher_announces_changes_made_through_another_instance,
);

const TABLET: &str = "tablet-0001";

fn about(id: u64, person: &UserId, base: u64, field: &str, text: &str) -> Value {
    json!({ "id": id, "person": person.0, "base": base, "made_at_ms": 1_700_000_000_000i64,
            "change": { "type": "about_me", "field": field, "text": text } })
}

fn comment(id: u64, person: &UserId, comment: &str, text: &str) -> Value {
    json!({ "id": id, "person": person.0, "base": 0, "made_at_ms": 1_700_000_000_000i64,
            "change": { "type": "add_comment", "comment": comment, "text": text } })
}

fn remove_comment(id: u64, person: &UserId, comment: &str) -> Value {
    json!({ "id": id, "person": person.0, "base": 0, "made_at_ms": 1_700_000_000_000i64,
            "change": { "type": "remove_comment", "comment": comment } })
}

async fn push(c: &mut Client<'_>, client: &str, mutations: Vec<Value>) -> Reply {
    c.post("/api/sync/push", json!({ "schema": 1, "client": client, "mutations": mutations })).await
}

/// Push and expect 200; returns the acks as (id, outcome, version).
#[track_caller]
fn acks(reply: &Reply) -> Vec<(u64, String, u64)> {
    reply.assert_status(StatusCode::OK);
    reply.body["acks"]
        .as_array()
        .unwrap_or_else(|| panic!("acks: {}", reply.body))
        .iter()
        .map(|a| (a["id"].as_u64().unwrap(), a["outcome"].as_str().unwrap().to_owned(), a["version"].as_u64().unwrap()))
        .collect()
}

async fn pull(c: &mut Client<'_>, since: u64, scope: Option<&str>, limit: Option<u32>) -> Reply {
    let mut path = format!("/api/sync/pull?schema=1&since={since}");
    if let Some(s) = scope {
        path.push_str(&format!("&scope={s}"));
    }
    if let Some(l) = limit {
        path.push_str(&format!("&limit={l}"));
    }
    c.get(&path).await
}

/// Everything a viewer's fresh device receives: (events, cursor, scope, raw bytes of every page).
async fn pull_all(c: &mut Client<'_>) -> (Vec<Value>, u64, String, Vec<u8>) {
    let (mut events, mut cursor, mut scope, mut bytes) = (Vec::new(), 0, None::<String>, Vec::new());
    loop {
        let r = pull(c, cursor, scope.as_deref(), None).await;
        r.assert_status(StatusCode::OK);
        bytes.extend_from_slice(&r.bytes);
        events.extend(r.body["events"].as_array().unwrap().iter().cloned());
        cursor = r.body["cursor"].as_u64().unwrap();
        scope = Some(r.body["scope"].as_str().unwrap().to_owned());
        if !r.body["more"].as_bool().unwrap() {
            return (events, cursor, scope.unwrap(), bytes);
        }
    }
}

/// The event for a cell, if pulled: the last one for that key.
fn cell<'e>(events: &'e [Value], person: &UserId, kind: &str, record: &str, field: &str) -> Option<&'e Value> {
    events.iter().rev().find(|e| {
        e["key"]["person"] == person.0.as_str()
            && e["key"]["kind"] == kind
            && e["key"]["record"] == record
            && e["key"]["field"] == field
    })
}

/// Rows in every sync table, and the version counter.
async fn sync_counts(db: &TestDb) -> [i64; 5] {
    [
        db.count("SELECT COUNT(*) FROM sync_cells").await,
        db.count("SELECT COUNT(*) FROM sync_events").await,
        db.count("SELECT COUNT(*) FROM sync_mutations").await,
        db.count("SELECT COUNT(*) FROM sync_head").await,
        db.count("SELECT version FROM sync_head").await,
    ]
}

async fn push_then_pull_names_authors_and_versions(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan_id = app.db.user("dylan").await.id;
    let mut dylan = app.signed_in("dylan").await;
    let r = push(
        &mut dylan,
        TABLET,
        vec![about(1, &dylan_id, 0, "my_hopes", "A garden of my own"), comment(2, &dylan_id, "c-1", "First week done")],
    )
    .await;
    assert_eq!(acks(&r), vec![(1, "applied".into(), 1), (2, "applied".into(), 2)]);

    let mut owen = app.signed_in("owen").await;
    let first = pull(&mut owen, 0, None, None).await;
    first.assert_status(StatusCode::OK);
    assert_eq!(first.body["schema"], 1);
    assert_eq!(first.body["cursor"], 2);
    assert_eq!(first.body["more"], false);
    assert_eq!(first.body["reset"], false);
    let events = first.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    let hopes = cell(events, &dylan_id, "about_me", "", "my_hopes").expect("the About me edit");
    assert_eq!(hopes["cell"]["value"], "A garden of my own");
    assert_eq!(hopes["cell"]["version"], 1);
    assert_eq!(hopes["cell"]["by"]["name"], "Dylan Evans");
    assert_eq!(hopes["cell"]["by"]["user"], dylan_id.0.as_str());
    assert!(hopes["cell"]["by"]["at_ms"].as_i64().unwrap() > 1_700_000_000_000, "server time, not device time");
    assert!(hopes["cell"].get("kept").is_none(), "no conflict");
    let c1 = cell(events, &dylan_id, "comment", "c-1", "text").expect("the comment");
    assert_eq!((c1["cell"]["value"].as_str(), c1["cell"]["version"].as_u64()), (Some("First week done"), Some(2)));

    // The key worker edits on top of what they saw; the next pull carries only that.
    let scope = first.body["scope"].as_str().unwrap().to_owned();
    let r = push(&mut owen, "owen-laptop-1", vec![about(1, &dylan_id, 1, "my_hopes", "A garden, and a dog")]).await;
    assert_eq!(acks(&r), vec![(1, "applied".into(), 3)]);
    let next = pull(&mut dylan, 2, None, None).await;
    assert_eq!(next.body["reset"], true, "a cursor with no scope starts again");
    let (events, cursor, dylan_scope, _) = pull_all(&mut dylan).await;
    assert_eq!(cursor, 3);
    let hopes = cell(&events, &dylan_id, "about_me", "", "my_hopes").unwrap();
    assert_eq!(
        (hopes["cell"]["value"].as_str(), hopes["cell"]["by"]["name"].as_str()),
        (Some("A garden, and a dog"), Some("Owen Price"))
    );
    let again = pull(&mut dylan, 3, Some(&dylan_scope), None).await;
    assert_eq!((again.body["events"].as_array().unwrap().len(), again.body["cursor"].as_u64()), (0, Some(3)));
    let owen_next = pull(&mut owen, 2, Some(&scope), None).await;
    assert_eq!(owen_next.body["reset"], false);
    assert_eq!(owen_next.body["events"].as_array().unwrap().len(), 1);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sync_mutations").await, 3, "the log keeps every accepted mutation");
    let body: String = sqlx::query_scalar("SELECT body FROM sync_mutations WHERE client_id = 'owen-laptop-1'")
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
    assert!(body.contains("A garden, and a dog"), "the log holds the mutation as sent: {body}");
}

async fn a_replayed_push_returns_the_same_acks_and_writes_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan_id = app.db.user("dylan").await.id;
    let mut dylan = app.signed_in("dylan").await;
    let batch = vec![about(1, &dylan_id, 0, "my_strengths", "Cooking"), comment(2, &dylan_id, "c-a", "Hello")];
    let first = acks(&push(&mut dylan, TABLET, batch.clone()).await);
    assert_eq!(first, vec![(1, "applied".into(), 1), (2, "applied".into(), 2)]);
    // The same value again (made without seeing the first) changes nothing.
    let same = vec![about(3, &dylan_id, 0, "my_strengths", "Cooking")];
    assert_eq!(acks(&push(&mut dylan, TABLET, same.clone()).await), vec![(3, "unchanged".into(), 1)]);
    let before = sync_counts(&app.db).await;
    assert_eq!(before, [2, 2, 3, 1, 2]);

    let replay = acks(&push(&mut dylan, TABLET, [batch.clone(), same.clone()].concat()).await);
    assert_eq!(
        replay,
        [first.clone(), vec![(3, "unchanged".into(), 1)]].concat(),
        "a replay gets the first answers again"
    );
    assert_eq!(sync_counts(&app.db).await, before, "a replay writes nothing");
    // A device changes a cell once per push (its outbox holds the next change until the first is answered).
    let again = push(
        &mut dylan,
        TABLET,
        vec![about(7, &dylan_id, 1, "my_strengths", "Gardening"), about(8, &dylan_id, 1, "my_strengths", "Reading")],
    )
    .await;
    again.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert_eq!(again.body["mutation_id"], 8);
    assert_eq!(sync_counts(&app.db).await, before, "refused whole: nothing written");

    // A replayed comment is not "record exists": it is the same mutation. Mixed with a new one, only that is new.
    let mixed =
        acks(&push(&mut dylan, TABLET, vec![batch[1].clone(), about(4, &dylan_id, 1, "my_strengths", "Baking")]).await);
    assert_eq!(mixed, vec![(2, "applied".into(), 2), (4, "applied".into(), 3)]);
    // The same id twice in one batch is one mutation.
    let twice = acks(
        &push(&mut dylan, TABLET, vec![comment(5, &dylan_id, "c-b", "Hi"), comment(5, &dylan_id, "c-b", "Hi")]).await,
    );
    assert_eq!(twice, vec![(5, "applied".into(), 4), (5, "applied".into(), 4)]);
    assert_eq!(sync_counts(&app.db).await, [3, 4, 5, 1, 4]);
    // The same ids from another device are that device's own mutations.
    let other =
        acks(&push(&mut dylan, "tablet-0002", vec![comment(2, &dylan_id, "c-c", "From the other tablet")]).await);
    assert_eq!(other, vec![(2, "applied".into(), 5)]);
    // A device's ids need not rise (the server skips the search for earlier answers only for ids above the
    // device's highest): a lower id it never sent is new, and a replay of it, mixed with ids above and below, gets
    // each answer as first given.
    let late = comment(1, &dylan_id, "c-late", "Sent late");
    assert_eq!(acks(&push(&mut dylan, "tablet-0002", vec![late.clone()]).await), vec![(1, "applied".into(), 6)]);
    let around = acks(
        &push(
            &mut dylan,
            "tablet-0002",
            vec![comment(9, &dylan_id, "c-9", "Above"), late, comment(2, &dylan_id, "c-c", "From the other tablet")],
        )
        .await,
    );
    assert_eq!(around, vec![(9, "applied".into(), 7), (1, "applied".into(), 6), (2, "applied".into(), 5)]);
    assert_eq!(sync_counts(&app.db).await, [6, 7, 8, 1, 7], "the replays wrote nothing");

    // An id reused by the same device for a *different* edit is refused, not answered as done (which would lose it),
    // whether the first use was in an earlier push or earlier in the same one; nothing is written.
    let counts = sync_counts(&app.db).await;
    let reused = push(&mut dylan, TABLET, vec![about(4, &dylan_id, 3, "my_strengths", "Painting")]).await;
    reused.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert_eq!(reused.body["mutation_id"], 4);
    let in_batch =
        push(&mut dylan, TABLET, vec![comment(6, &dylan_id, "c-d", "One"), comment(6, &dylan_id, "c-e", "Another")])
            .await;
    in_batch.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert_eq!(in_batch.body["mutation_id"], 6);
    assert_eq!(sync_counts(&app.db).await, counts);
}

async fn a_stale_edit_is_kept_aside_with_both_values_and_a_settle_clears_it(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan_id = app.db.user("dylan").await.id;
    let mut dylan = app.signed_in("dylan").await;
    let mut owen = app.signed_in("owen").await;
    assert_eq!(acks(&push(&mut dylan, TABLET, vec![about(1, &dylan_id, 0, "my_hopes", "Go home")]).await)[0].2, 1);
    // Both saw version 1; the key worker's edit arrives first.
    let r = push(&mut owen, "owen-laptop-1", vec![about(1, &dylan_id, 1, "my_hopes", "Go home by summer")]).await;
    assert_eq!(acks(&r), vec![(1, "applied".into(), 2)]);
    let r = push(&mut dylan, TABLET, vec![about(2, &dylan_id, 1, "my_hopes", "Go home and see my dog")]).await;
    assert_eq!(acks(&r), vec![(2, "kept_aside".into(), 3)]);

    let (events, _, _, _) = pull_all(&mut owen).await;
    let hopes = &cell(&events, &dylan_id, "about_me", "", "my_hopes").unwrap()["cell"];
    assert_eq!(hopes["value"], "Go home by summer", "the first to arrive stays current");
    assert_eq!(hopes["by"]["name"], "Owen Price");
    assert_eq!(hopes["version"], 3);
    let kept = hopes["kept"].as_array().expect("the conflict is on the cell");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["value"], "Go home and see my dog");
    assert_eq!(kept[0]["by"]["name"], "Dylan Evans");
    assert_eq!(kept[0]["base"], 1);
    let (dylans_view, _, _, _) = pull_all(&mut dylan).await;
    assert_eq!(cell(&dylans_view, &dylan_id, "about_me", "", "my_hopes").unwrap()["cell"], *hopes, "both see it");

    // Dylan settles it with a combined text, based on the version he now sees.
    let mut m = about(3, &dylan_id, 3, "my_hopes", "Go home by summer and see my dog");
    m["settles"] = json!(true);
    assert_eq!(acks(&push(&mut dylan, TABLET, vec![m]).await), vec![(3, "applied".into(), 4)]);
    let (events, _, _, _) = pull_all(&mut owen).await;
    let hopes = &cell(&events, &dylan_id, "about_me", "", "my_hopes").unwrap()["cell"];
    assert_eq!(hopes["value"], "Go home by summer and see my dog");
    assert!(hopes.get("kept").is_none(), "settled: {hopes}");
}

async fn bad_input_is_refused_with_a_reason_and_writes_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    let [dylan_id, tomos_id, alys_id] =
        [app.db.user("dylan").await.id, app.db.user("tomos").await.id, app.db.user("alys").await.id];
    let mut dylan = app.signed_in("dylan").await;
    acks(
        &push(
            &mut dylan,
            TABLET,
            vec![about(1, &dylan_id, 0, "my_hopes", "A garden"), comment(2, &dylan_id, "c-1", "Hi")],
        )
        .await,
    );
    let before = sync_counts(&app.db).await;
    assert_eq!(before, [2, 2, 2, 1, 2]);

    let raw = |body: String| {
        Request::post("/api/sync/push").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap()
    };
    let good = |mutations: Value| json!({ "schema": 1, "client": TABLET, "mutations": mutations });

    // Malformed JSON.
    let r = dylan.send(raw(r#"{"schema":1,"client":"tablet-0001","mutations":[{"id":3,"#.into())).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(r.body["message"].as_str().unwrap().contains("EOF"), "{}", r.body);
    // Not JSON at all, by content type.
    let r = dylan
        .send(
            Request::post("/api/sync/push").header(header::CONTENT_TYPE, "text/plain").body(Body::from("{}")).unwrap(),
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    // An oversized body.
    let huge = good(json!([about(3, &dylan_id, 1, "my_hopes", &"x".repeat(MAX_BODY_BYTES + 1024))])).to_string();
    assert!(huge.len() > 256 * 1024);
    dylan.send(raw(huge)).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Too many mutations in one push (a small body).
    let many: Vec<Value> =
        (0..=MAX_PUSH_MUTATIONS as u64).map(|i| comment(100 + i, &dylan_id, &format!("m-{i}"), "x")).collect();
    let r = dylan.post("/api/sync/push", good(json!(many))).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(r.body["message"].as_str().unwrap().contains("500"), "{}", r.body);
    // An unknown kind of mutation, and an unknown field.
    let mut unknown = about(3, &dylan_id, 1, "my_hopes", "x");
    unknown["change"] = json!({ "type": "delete_everything" });
    let r = dylan.post("/api/sync/push", good(json!([unknown]))).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(r.body["message"].as_str().unwrap().contains("unknown variant `delete_everything`"), "{}", r.body);
    let mut extra = about(3, &dylan_id, 1, "my_hopes", "x");
    extra["version"] = json!(99);
    let r = dylan.post("/api/sync/push", good(json!([extra]))).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(r.body["message"].as_str().unwrap().contains("unknown field `version`"), "{}", r.body);
    let r =
        dylan.post("/api/sync/push", json!({ "schema": 1, "client": TABLET, "mutations": [], "admin": true })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    // A wrong or missing schema version (whatever else is wrong with the body).
    for body in [
        json!({ "schema": 2, "client": TABLET, "mutations": [about(3, &dylan_id, 1, "my_hopes", "x")] }),
        json!({ "client": TABLET, "mutations": [] }),
        json!({ "schema": 0, "something": "else" }),
    ] {
        let r = dylan.post("/api/sync/push", body).await;
        r.assert_error(StatusCode::BAD_REQUEST, "schema_mismatch");
        assert!(r.body["message"].as_str().unwrap().contains("version 1"), "{}", r.body);
    }
    // A malformed client id.
    for client in ["short", "has spaces in it", &"x".repeat(65)] {
        let r = push(&mut dylan, client, vec![about(3, &dylan_id, 1, "my_hopes", "x")]).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    assert_eq!(sync_counts(&app.db).await, before, "nothing written by bodies refused whole");

    // Refusals of one mutation name it; each writes nothing.
    #[track_caller]
    fn refused(r: &Reply, status: StatusCode, code: &str, id: u64) {
        r.assert_error(status, code);
        assert_eq!(r.body["mutation_id"], id, "the refusal names the mutation: {}", r.body);
    }
    let long_name = "n".repeat(81);
    let r = push(&mut dylan, TABLET, vec![about(7, &dylan_id, 1, "preferred_name", &long_name)]).await;
    refused(&r, StatusCode::BAD_REQUEST, "invalid_input", 7);
    assert!(r.body["message"].as_str().unwrap().contains("preferred_name is longer than 80"), "{}", r.body);
    let r = push(&mut dylan, TABLET, vec![comment(8, &dylan_id, "../etc", "hi")]).await;
    refused(&r, StatusCode::BAD_REQUEST, "invalid_input", 8);

    // Another person's record: a key worker writing someone not on their caseload, and a person who does not exist
    // (answered exactly alike, so the answer reveals nothing).
    let mut owen = app.signed_in("owen").await;
    let not_mine = push(&mut owen, "owen-laptop-1", vec![about(9, &tomos_id, 0, "my_hopes", "x")]).await;
    refused(&not_mine, StatusCode::FORBIDDEN, "forbidden", 9);
    let nobody =
        push(&mut owen, "owen-laptop-1", vec![about(9, &UserId("no-such-person".into()), 0, "my_hopes", "x")]).await;
    refused(&nobody, StatusCode::FORBIDDEN, "forbidden", 9);
    assert_eq!(not_mine.body, nobody.body);
    let r = push(&mut dylan, TABLET, vec![comment(10, &tomos_id, "c-x", "hi tomos")]).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", 10);

    // A field the role may not touch: a carer, and staff who are not the key worker, writing "About me".
    let mut gareth = app.signed_in("gareth").await;
    let r = push(&mut gareth, "gareth-phone-1", vec![about(11, &dylan_id, 1, "my_hopes", "x")]).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", 11);
    let mut sara = app.signed_in("sara").await;
    let r = push(&mut sara, "sara-tablet-1", vec![about(12, &alys_id, 0, "my_strengths", "x")]).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", 12);

    // Removing a comment someone else wrote.
    let r = push(&mut owen, "owen-laptop-1", vec![remove_comment(13, &dylan_id, "c-1")]).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", 13);
    let r = push(&mut gareth, "gareth-phone-1", vec![remove_comment(14, &dylan_id, "c-1")]).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", 14);

    // Records named wrongly.
    let r = push(&mut owen, "owen-laptop-1", vec![comment(15, &dylan_id, "c-1", "Taking your id")]).await;
    refused(&r, StatusCode::CONFLICT, "record_exists", 15);
    let r = push(&mut dylan, TABLET, vec![remove_comment(16, &dylan_id, "c-never")]).await;
    refused(&r, StatusCode::CONFLICT, "record_missing", 16);

    // A batch whose first mutation is fine and second is refused: neither is written.
    let fine = about(17, &dylan_id, 1, "my_hopes", "A garden and a greenhouse");
    let r = push(&mut dylan, TABLET, vec![fine.clone(), about(18, &tomos_id, 0, "my_hopes", "x")]).await;
    refused(&r, StatusCode::FORBIDDEN, "forbidden", 18);
    let r = push(&mut dylan, TABLET, vec![fine.clone(), comment(19, &dylan_id, "c-1", "again")]).await;
    refused(&r, StatusCode::CONFLICT, "record_exists", 19);
    assert_eq!(sync_counts(&app.db).await, before, "nothing written by any refused push");

    // The refused batch left no trace: the fine mutation is new when sent again, not a replay.
    assert_eq!(acks(&push(&mut dylan, TABLET, vec![fine]).await), vec![(17, "applied".into(), 3)]);
    // And the person may still remove their own comment.
    assert_eq!(acks(&push(&mut dylan, TABLET, vec![remove_comment(20, &dylan_id, "c-1")]).await)[0].1, "applied");

    // Not signed in; no CSRF token.
    let mut stranger = app.client();
    stranger.post("/api/sync/push", good(json!([]))).await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    let r = dylan
        .send_raw(
            Request::post("/api/sync/push")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(good(json!([about(21, &dylan_id, 3, "my_hopes", "x")])).to_string()))
                .unwrap(),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(sync_counts(&app.db).await, [3, 4, 4, 1, 4]);
}

async fn bad_pull_queries_are_refused(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut dylan = app.signed_in("dylan").await;
    for (path, code) in [
        ("/api/sync/pull?schema=2&since=0", "schema_mismatch"),
        ("/api/sync/pull?since=0", "schema_mismatch"),
        ("/api/sync/pull?schema=one&since=0", "schema_mismatch"),
        ("/api/sync/pull?schema=1&since=0&limit=1001", "invalid_input"),
        ("/api/sync/pull?schema=1&since=0&limit=0", "invalid_input"),
        ("/api/sync/pull?schema=1&since=-4", "invalid_input"),
        ("/api/sync/pull?schema=1&since=abc", "invalid_input"),
        ("/api/sync/pull?schema=1", "invalid_input"),
        ("/api/sync/pull?schema=1&since=0&everything=1", "invalid_input"),
    ] {
        let r = dylan.get(path).await;
        r.assert_error(StatusCode::BAD_REQUEST, code);
    }
    dylan.get("/api/sync/pull?schema=1&since=0&limit=1000").await.assert_status(StatusCode::OK);
    app.client().get("/api/sync/pull?schema=1&since=0").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

/// Every demo person writes something recognisable on their own record and the key workers on their caseload.
async fn write_everyones_about_me(app: &TestApp) {
    for (name, client) in
        [("dylan", "dylan-tab-1"), ("alys", "alys-tab-1"), ("tomos", "tomos-tab-1"), ("nia", "nia-tab-1")]
    {
        let id = app.db.user(name).await.id;
        let mut c = app.signed_in(name).await;
        let secret = format!("SECRET-HOPES-OF-{}", name.to_uppercase());
        let r = push(
            &mut c,
            client,
            vec![
                about(1, &id, 0, "my_hopes", &secret),
                comment(2, &id, &format!("c-{name}"), &format!("COMMENT-OF-{}", name.to_uppercase())),
            ],
        )
        .await;
        acks(&r);
    }
    let sara_kw = app.db.user("tomos").await.id;
    let mut sara = app.signed_in("sara").await;
    acks(
        &push(&mut sara, "sara-tab-1", vec![about(1, &sara_kw, 0, "my_strengths", "SECRET-STRENGTHS-OF-TOMOS")]).await,
    );
}

async fn pulls_carry_only_what_the_viewer_may_see(db: TestDb) {
    let app = TestApp::demo(db).await;
    write_everyones_about_me(&app).await;
    // (viewer, whose data they may receive). Carers receive nothing before the person shares something with them
    // (what they receive once it is shared is in tests/consent.rs).
    let cases: [(&str, &[&str]); 7] = [
        ("dylan", &["DYLAN"]),
        ("tomos", &["TOMOS"]),
        ("gareth", &[]),
        ("helen", &[]),
        ("owen", &["DYLAN", "ALYS"]),
        ("sara", &["TOMOS", "NIA", "ALYS"]),
        ("rhian", &["DYLAN", "ALYS", "TOMOS", "NIA"]),
    ];
    let everyone = ["DYLAN", "ALYS", "TOMOS", "NIA"];
    for (viewer, allowed) in cases {
        let mut c = app.signed_in(viewer).await;
        let (events, _, _, bytes) = pull_all(&mut c).await;
        let text = String::from_utf8(bytes).unwrap();
        for who in everyone {
            let may = allowed.contains(&who);
            let hopes = format!("SECRET-HOPES-OF-{who}");
            let comment = format!("COMMENT-OF-{who}");
            assert_eq!(text.contains(&hopes), may, "{viewer} receiving {hopes}");
            assert_eq!(text.contains(&comment), may, "{viewer} receiving {comment}");
            let id = app.db.user(&who.to_lowercase()).await.id;
            assert_eq!(text.contains(&id.0), may, "{viewer} receiving anything about {who} (their id)");
        }
        assert_eq!(text.contains("SECRET-STRENGTHS-OF-TOMOS"), allowed.contains(&"TOMOS"), "{viewer}");
        for e in &events {
            assert!(e["cell"]["value"].is_string(), "{e}");
        }
    }
    // An admin sees no clinical record at all, and the cursor tells them nothing was written.
    let mut admin = app.signed_in("admin").await;
    let (events, cursor, _, _) = pull_all(&mut admin).await;
    assert!(events.is_empty());
    assert_eq!(cursor, 0, "the cursor reveals nothing the viewer may not see");
}

/// Many viewers pulling at once from the same cursor (a ward's devices on one notice) each receive exactly what
/// they receive pulling alone: identical pulls may share one read, but never with a viewer who may see other cells.
async fn pulls_made_at_the_same_moment_each_carry_their_own_viewers_cells(db: TestDb) {
    let app = TestApp::demo(db).await;
    write_everyones_about_me(&app).await;
    // Dylan shares his About me with his carer Gareth; Alys shares nothing with Helen.
    let (dylan, gareth) = (app.db.user("dylan").await.id, app.db.user("gareth").await.id);
    let share = json!({ "id": 3, "person": dylan.0, "base": 0, "made_at_ms": 1_700_000_000_000i64,
        "change": { "type": "share", "part": "about_me", "carer": gareth.0, "share": true, "review_by": null } });
    acks(&push(&mut app.signed_in("dylan").await, "dylan-tab-1", vec![share]).await);
    let viewers = ["dylan", "tomos", "alys", "nia", "owen", "sara", "rhian", "gareth", "helen", "admin"];
    let mut alone = std::collections::BTreeMap::new();
    let mut users = Vec::new();
    for v in viewers {
        let user = app.db.user(v).await;
        let page = app.db.store.pull(&user, 0, 50, None, &[]).await.unwrap();
        alone.insert(v, serde_json::to_string(&page).unwrap());
        users.push((v, user));
    }
    assert_ne!(alone["dylan"], alone["tomos"], "the viewers receive different cells");
    assert!(alone["rhian"].contains("SECRET-HOPES-OF-NIA") && !alone["dylan"].contains("SECRET-HOPES-OF-NIA"));
    assert!(alone["gareth"].contains("SECRET-HOPES-OF-DYLAN") && !alone["gareth"].contains("COMMENT-OF-DYLAN"));
    assert!(!alone["helen"].contains("SECRET-HOPES-OF-ALYS"));
    for _round in 0..5 {
        let mut pulls = tokio::task::JoinSet::new();
        for _copy in 0..4 {
            for (v, user) in &users {
                let (store, user, v) = (app.db.store.clone(), user.clone(), *v);
                pulls.spawn(async move { (v, store.pull(&user, 0, 50, None, &[]).await) });
            }
        }
        for (v, page) in pulls.join_all().await {
            let page = serde_json::to_string(&page.unwrap()).unwrap();
            assert_eq!(page, alone[v], "{v} pulling at the same time as others");
        }
    }
}

/// Put a cell straight into the log (as a future kind of staff-only data would be), bumping the counter.
async fn insert_cell_directly(db: &TestDb, person: &UserId, record: &str, audience: &str, text: &str) -> u64 {
    let version = db.count("SELECT version FROM sync_head").await as u64 + 1;
    let state = CellState {
        value: json!(text),
        version,
        by: Authorship { user: person.clone(), name: "Ward system".into(), at_ms: 1, role: None },
        kept: vec![],
    };
    let state = serde_json::to_string(&state).unwrap();
    let pool = db.store.pool();
    sqlx::query("INSERT INTO sync_events (version, person_id, kind, record_id, field, audience, state) VALUES ($1, $2, 'comment', $3, 'text', $4, $5)")
        .bind(version as i64).bind(&person.0).bind(record).bind(audience).bind(&state).execute(pool).await.unwrap();
    sqlx::query("INSERT INTO sync_cells (person_id, kind, record_id, field, audience, state, version) VALUES ($1, 'comment', $2, 'text', $3, $4, $5)")
        .bind(&person.0).bind(record).bind(audience).bind(&state).bind(version as i64).execute(pool).await.unwrap();
    sqlx::query("UPDATE sync_head SET version = $1 WHERE id = 1").bind(version as i64).execute(pool).await.unwrap();
    version
}

async fn staff_only_data_reaches_staff_only(db: TestDb) {
    let app = TestApp::demo(db).await;
    write_everyones_about_me(&app).await;
    let dylan_id = app.db.user("dylan").await.id;
    let version = insert_cell_directly(&app.db, &dylan_id, "risk-note", "staff_only", "STAFF-ONLY-NOTE").await;
    for (viewer, sees) in [("dylan", false), ("gareth", false), ("owen", true), ("rhian", true), ("sara", false)] {
        let mut c = app.signed_in(viewer).await;
        let (events, cursor, _, bytes) = pull_all(&mut c).await;
        assert_eq!(String::from_utf8(bytes).unwrap().contains("STAFF-ONLY-NOTE"), sees, "{viewer}");
        if sees {
            assert_eq!(cursor, version, "{viewer}'s cursor passes the row");
        } else {
            assert!(cursor < version, "{viewer}'s cursor must not tell them a hidden row was written");
        }
        assert_eq!(cell(&events, &dylan_id, "comment", "risk-note", "text").is_some(), sees, "{viewer}");
    }
    // A push still goes after it: the counter was honoured.
    let mut dylan = app.signed_in("dylan").await;
    let r = push(&mut dylan, "dylan-tab-1", vec![comment(3, &dylan_id, "c-after", "After")]).await;
    assert_eq!(acks(&r)[0].2, version + 1);
}

async fn a_care_team_change_resets_the_device_and_removes_the_person(db: TestDb) {
    let app = TestApp::demo(db).await;
    write_everyones_about_me(&app).await;
    let (dylan_id, gareth_id) = (app.db.user("dylan").await.id, app.db.user("gareth").await.id);
    let share = json!({ "id": 9, "person": dylan_id.0, "base": 0, "made_at_ms": 1_700_000_000_000i64,
        "change": { "type": "share", "part": "about_me", "carer": gareth_id.0, "share": true, "review_by": null } });
    acks(&push(&mut app.signed_in("dylan").await, "dylan-tab-1", vec![share]).await);
    let mut gareth = app.signed_in("gareth").await;
    let (events, cursor, scope, bytes) = pull_all(&mut gareth).await;
    assert!(!events.is_empty() && String::from_utf8(bytes).unwrap().contains("SECRET-HOPES-OF-DYLAN"));
    let same = pull(&mut gareth, cursor, Some(&scope), None).await;
    assert_eq!((same.body["reset"].as_bool(), same.body["scope"].as_str()), (Some(false), Some(scope.as_str())));

    assert!(app.db.store.unlink_care_team(&dylan_id, &gareth_id).await.unwrap());
    let after = pull(&mut gareth, cursor, Some(&scope), None).await;
    after.assert_status(StatusCode::OK);
    assert_eq!(after.body["reset"], true, "the device must drop its copy");
    assert_ne!(after.body["scope"], scope.as_str());
    assert_eq!(after.body["events"].as_array().unwrap().len(), 0);
    assert!(!String::from_utf8_lossy(&after.bytes).contains(&dylan_id.0));
    // New changes to Dylan's record no longer reach Gareth.
    let mut dylan = app.signed_in("dylan").await;
    acks(&push(&mut dylan, "dylan-tab-1", vec![about(3, &dylan_id, 0, "my_strengths", "LATER-NEWS")]).await);
    let new_scope = after.body["scope"].as_str().unwrap();
    let later = pull(&mut gareth, after.body["cursor"].as_u64().unwrap(), Some(new_scope), None).await;
    assert_eq!(later.body["reset"], false);
    assert!(!String::from_utf8_lossy(&later.bytes).contains("LATER-NEWS"));
    // And a gained person resets too: Gareth linked back sees what Dylan shares with him again.
    app.db.store.link_care_team(&dylan_id, &gareth_id, waymark_shared::Relation::Carer).await.unwrap();
    let back = pull(&mut gareth, later.body["cursor"].as_u64().unwrap(), Some(new_scope), None).await;
    assert_eq!(back.body["reset"], true);
    assert!(String::from_utf8_lossy(&back.bytes).contains("LATER-NEWS"));
}

async fn a_large_backlog_is_pulled_in_pages(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan_id = app.db.user("dylan").await.id;
    let mut dylan = app.signed_in("dylan").await;
    for batch in 0..3u64 {
        let ms: Vec<Value> = (0..400u64)
            .map(|i| comment(batch * 400 + i + 1, &dylan_id, &format!("c{}", batch * 400 + i), "n"))
            .collect();
        assert_eq!(acks(&push(&mut dylan, TABLET, ms).await).len(), 400);
    }
    let mut owen = app.signed_in("owen").await;
    let (mut cursor, mut scope, mut seen, mut pages) = (0u64, None::<String>, Vec::new(), Vec::new());
    loop {
        let r = pull(&mut owen, cursor, scope.as_deref(), Some(500)).await;
        r.assert_status(StatusCode::OK);
        let versions: Vec<u64> =
            r.body["events"].as_array().unwrap().iter().map(|e| e["cell"]["version"].as_u64().unwrap()).collect();
        let next = r.body["cursor"].as_u64().unwrap();
        assert!(next > cursor || versions.is_empty(), "cursors increase");
        pages.push((versions.len(), r.body["more"].as_bool().unwrap()));
        assert!(versions.iter().all(|v| *v > cursor && *v <= next));
        seen.extend(versions);
        cursor = next;
        scope = Some(r.body["scope"].as_str().unwrap().to_owned());
        if !r.body["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(pages, vec![(500, true), (500, true), (200, false)]);
    assert_eq!(seen, (1..=1200).collect::<Vec<u64>>(), "nothing missed, nothing twice, in order");
    assert_eq!(cursor, 1200);
    // The default page.
    let r = pull(&mut owen, 0, None, None).await;
    assert_eq!((r.body["events"].as_array().unwrap().len(), r.body["more"].as_bool()), (500, Some(true)));
}

async fn a_cell_edited_many_times_reaches_a_new_device_once_as_it_now_is(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan_id = app.db.user("dylan").await.id;
    let mut dylan = app.signed_in("dylan").await;
    for i in 0..50u64 {
        let r = push(&mut dylan, TABLET, vec![about(i + 1, &dylan_id, i, "my_hopes", &format!("draft {i}"))]).await;
        assert_eq!(acks(&r), vec![(i + 1, "applied".into(), i + 1)]);
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sync_events").await, 50, "the history is kept");
    let mut owen = app.signed_in("owen").await;
    let (events, cursor, _, _) = pull_all(&mut owen).await;
    assert_eq!(events.len(), 1, "one cell, sent once");
    assert_eq!(events[0]["cell"]["value"], "draft 49");
    assert_eq!(cursor, 50);
    // A device that had seen draft 10 gets only the newest state too.
    let r = pull(&mut owen, 10, None, None).await;
    assert_eq!(r.body["reset"], true, "no scope: starts again");
    let scope = r.body["scope"].as_str().unwrap().to_owned();
    let r = pull(&mut owen, 10, Some(&scope), None).await;
    assert_eq!(r.body["events"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["events"][0]["cell"]["value"], "draft 49");
}

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(600);

fn version_of(data: &str) -> u64 {
    serde_json::from_str::<Value>(data).unwrap()["version"].as_u64().unwrap()
}

async fn the_live_stream_tells_only_those_who_may_see(db: TestDb) {
    let app = TestApp::demo(db).await;
    let (dylan_id, alys_id) = (app.db.user("dylan").await.id, app.db.user("alys").await.id);
    let mut stranger = app.client();
    let r = stranger.open_stream("/api/sync/live").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let mut owen = app.signed_in("owen").await;
    let mut owen_live = owen.open_stream("/api/sync/live").await;
    assert_eq!(owen_live.status, StatusCode::OK);
    let content_type = owen_live.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap();
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    assert!(owen_live.headers.get(header::CONTENT_ENCODING).is_none(), "events must not be held in a gzip buffer");
    assert_eq!(owen_live.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let hello = owen_live.next_event(WAIT).await.expect("hello on connect");
    assert_eq!((hello.event.as_str(), hello.data.as_str(), hello.retry), ("hello", "{}", Some(2000)), "no counter");

    let mut sara = app.signed_in("sara").await;
    let mut sara_live = sara.open_stream("/api/sync/live").await;
    assert_eq!(sara_live.next_event(WAIT).await.unwrap().event, "hello");
    let mut tomos = app.signed_in("tomos").await;
    let mut tomos_live = tomos.open_stream("/api/sync/live").await;
    assert_eq!(tomos_live.next_event(WAIT).await.unwrap().event, "hello");

    let mut dylan = app.signed_in("dylan").await;
    acks(&push(&mut dylan, TABLET, vec![about(1, &dylan_id, 0, "my_hopes", "Live")]).await);
    let changed = owen_live.next_event(WAIT).await.expect("the key worker hears of it");
    assert_eq!((changed.event.as_str(), version_of(&changed.data)), ("changed", 1));
    assert_eq!(tomos_live.next_event(QUIET).await, None, "another service user hears nothing");

    // Sara is not in Dylan's team but is in Alys's: her next event is Alys's change, not Dylan's.
    let mut owen_push = app.signed_in("owen").await;
    acks(&push(&mut owen_push, "owen-laptop-1", vec![comment(1, &alys_id, "c-1", "For Alys")]).await);
    let sara_event = sara_live.next_event(WAIT).await.expect("sara hears of Alys");
    assert_eq!((sara_event.event.as_str(), version_of(&sara_event.data)), ("changed", 2));
    let owen_event = owen_live.next_event(WAIT).await.unwrap();
    assert_eq!(version_of(&owen_event.data), 2);
    assert_eq!(tomos_live.next_event(QUIET).await, None);
    // A refused push announces nothing.
    let r = push(&mut dylan, TABLET, vec![comment(2, &alys_id, "c-2", "not mine")]).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(owen_live.next_event(QUIET).await, None);
}

async fn the_watcher_announces_changes_made_through_another_instance(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan_id = app.db.user("dylan").await.id;
    // A second server instance on the same database, with its own hub and watcher.
    let other = TestApp::new(app.db.reopen().await);
    let watcher = live::spawn_watcher(other.state.live.clone(), other.db.store.clone());
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut owen = other.signed_in("owen").await;
    let mut owen_live = owen.open_stream("/api/sync/live").await;
    assert_eq!(owen_live.next_event(WAIT).await.unwrap().event, "hello");
    let mut dylan = app.signed_in("dylan").await;
    acks(&push(&mut dylan, TABLET, vec![about(1, &dylan_id, 0, "my_hopes", "Via the first instance")]).await);
    let changed = owen_live.next_event(WAIT).await.expect("the other instance's watcher announces it");
    assert_eq!((changed.event.as_str(), version_of(&changed.data)), ("changed", 1));
    watcher.abort();
}
