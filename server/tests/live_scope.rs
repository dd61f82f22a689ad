//! Live streams say no more than their viewer may pull, and end when they should, on SQLite and PostgreSQL: a
//! hidden write reaches no stream that may not pull it; a stream ends within a second of its session being signed
//! out (on another instance too), of its session running out, and of its viewer losing access to a person; changes
//! and planning sessions' changes cross instances by notification.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, TestDb,
    changes::{mutation, push},
};
use serde_json::json;
use std::time::Duration;
use waymark_server::live;

on_both_engines!(
    a_hidden_write_reaches_no_stream_that_may_not_pull_it,
    a_stream_ends_within_a_second_of_sign_out_on_every_instance,
    a_stream_ends_when_its_session_runs_out,
    a_stream_ends_within_a_second_of_its_viewer_losing_access,
    on_postgresql_a_change_and_a_sign_out_cross_instances_by_notification,
    one_person_holds_a_bounded_number_of_live_streams,
);

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(700);
const ONE_SECOND: Duration = Duration::from_millis(1_000);

async fn a_hidden_write_reaches_no_stream_that_may_not_pull_it(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let (mut dylan_c, mut gareth_c, mut owen) =
        (app.signed_in("dylan").await, app.signed_in("gareth").await, app.signed_in("owen").await);
    // Gareth may pull Dylan's About me.
    let share = json!({ "type": "share", "part": "about_me", "carer": gareth.0, "share": true, "review_by": null });
    push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(1, &dylan, share)]).await.assert_status(StatusCode::OK);
    let mut streams = Vec::new();
    for c in [&mut dylan_c, &mut gareth_c, &mut owen] {
        let mut s = c.open_stream("/api/sync/live").await;
        let hello = s.next_event(WAIT).await.expect("hello");
        assert_eq!((hello.event.as_str(), hello.data.as_str()), ("hello", "{}"), "the hello tells no counter");
        streams.push(s);
    }
    // A staff-only note and a comment for the care team: only Owen hears; Dylan hears of the comment only.
    let risk = json!({ "type": "add_plan_item", "item": "r1", "section": "staff_only", "text": "Risk note" });
    push(&mut owen, "tablet-owen-0001", vec![mutation(1, &dylan, risk)]).await.assert_status(StatusCode::OK);
    assert_eq!(streams[2].next_event(WAIT).await.unwrap().event, "changed");
    assert_eq!(streams[0].next_event(QUIET).await, None, "the person hears nothing of a staff-only note");
    assert_eq!(streams[1].next_event(QUIET).await, None, "nor does the carer");
    let comment = json!({ "type": "add_comment", "comment": "c1", "text": "Team comment" });
    push(&mut owen, "tablet-owen-0001", vec![mutation(2, &dylan, comment)]).await.assert_status(StatusCode::OK);
    assert_eq!(streams[0].next_event(WAIT).await.unwrap().event, "changed");
    assert_eq!(streams[1].next_event(QUIET).await, None, "a care-team comment is not for the carer");
    // What is shared with Gareth reaches him.
    let hopes = json!({ "type": "about_me", "field": "my_hopes", "text": "A garden" });
    push(&mut owen, "tablet-owen-0001", vec![mutation(3, &dylan, hopes)]).await.assert_status(StatusCode::OK);
    assert_eq!(streams[1].next_event(WAIT).await.unwrap().event, "changed");
    // Withdrawn: he hears of the withdrawal (it is his to pull), then of nothing more.
    let withdraw = json!({ "type": "share", "part": "about_me", "carer": gareth.0, "share": false, "review_by": null });
    push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(2, &dylan, withdraw)]).await.assert_status(StatusCode::OK);
    assert_eq!(streams[1].next_event(WAIT).await.unwrap().event, "changed");
    let hopes = json!({ "type": "about_me", "field": "my_hopes", "text": "A garden and a dog" });
    push(&mut owen, "tablet-owen-0001", vec![mutation(4, &dylan, hopes)]).await.assert_status(StatusCode::OK);
    assert_eq!(streams[1].next_event(QUIET).await, None, "no longer shared: no longer told");
}

async fn a_stream_ends_within_a_second_of_sign_out_on_every_instance(db: TestDb) {
    let app = TestApp::demo(db).await;
    // A second instance on the same database, with its own hub and watcher.
    let other = TestApp::new(app.db.reopen().await);
    let watcher = live::spawn_watcher(other.state.live.clone(), other.db.store.clone());
    let mut here = app.signed_in("owen").await;
    let mut stream_here = here.open_stream("/api/sync/live").await;
    assert_eq!(stream_here.next_event(WAIT).await.unwrap().event, "hello");
    // The same session, its stream open on the other instance.
    let cookie = here.cookie.clone().unwrap();
    let mut there = common::Client::with_cookie(&other, &cookie);
    let mut stream_there = there.open_stream("/api/sync/live").await;
    assert_eq!(stream_there.next_event(WAIT).await.unwrap().event, "hello");
    let mut someone_else = app.signed_in("sara").await;
    let mut other_stream = someone_else.open_stream("/api/sync/live").await;
    assert_eq!(other_stream.next_event(WAIT).await.unwrap().event, "hello");

    here.delete("/api/session").await.assert_status(StatusCode::NO_CONTENT);
    assert!(stream_here.ended_within(ONE_SECOND).await, "the stream on this instance ends at once");
    assert!(
        stream_there.ended_within(ONE_SECOND + Duration::from_millis(1_200)).await,
        "and on the other within a second"
    );
    assert!(!other_stream.ended_within(QUIET).await, "another session's stream goes on");
    watcher.abort();
}

async fn a_stream_ends_when_its_session_runs_out(db: TestDb) {
    // Sessions that end after two seconds without use (the setting is in minutes; tests may use less).
    let app = TestApp::with_config(db, |c| c.session_idle_secs = 2);
    app.db.seed_demo().await;
    let mut owen = app.signed_in("owen").await;
    let mut stream = owen.open_stream("/api/sync/live").await;
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "hello");
    assert!(!stream.ended_within(Duration::from_millis(1_000)).await, "not yet");
    assert!(stream.ended_within(Duration::from_millis(2_500)).await, "ends when the session does");
    owen.get("/api/sync/live").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

async fn a_stream_ends_within_a_second_of_its_viewer_losing_access(db: TestDb) {
    let app = TestApp::demo(db).await;
    let watcher = live::spawn_watcher(app.state.live.clone(), app.db.store.clone());
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let mut gareth_c = app.signed_in("gareth").await;
    let mut stream = gareth_c.open_stream("/api/sync/live").await;
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "hello");
    let mut helen = app.signed_in("helen").await;
    let mut helens = helen.open_stream("/api/sync/live").await;
    assert_eq!(helens.next_event(WAIT).await.unwrap().event, "hello");
    assert!(app.db.store.unlink_care_team(&dylan, &gareth).await.unwrap());
    assert!(stream.ended_within(ONE_SECOND + Duration::from_millis(1_200)).await, "unlinked: his stream ends");
    assert!(!helens.ended_within(QUIET).await, "Helen keeps hers");
    watcher.abort();
}

async fn on_postgresql_a_change_and_a_sign_out_cross_instances_by_notification(db: TestDb) {
    if db.engine() != waymark_server::store::Engine::Postgres {
        return; // SQLite is one process's file: one instance, and the watcher covers the rest.
    }
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    // A second instance listening for notifications, with no watcher: only LISTEN/NOTIFY can tell it.
    let other = TestApp::new(app.db.reopen().await);
    let listener = live::spawn_pg_listener(other.state.live.clone(), other.db.store.clone(), other.db.url.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut owen = other.signed_in("owen").await;
    let mut stream = owen.open_stream("/api/sync/live").await;
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "hello");
    let mut dylan_c = app.signed_in("dylan").await;
    let started = std::time::Instant::now();
    let hopes = json!({ "type": "about_me", "field": "my_hopes", "text": "Through the other instance" });
    push(&mut dylan_c, "tablet-dylan-0001", vec![mutation(1, &dylan, hopes)]).await.assert_status(StatusCode::OK);
    let changed = stream.next_event(Duration::from_millis(900)).await.expect("told within a second, with no watcher");
    assert_eq!(changed.event, "changed");
    eprintln!("a change crossed instances in {} ms", started.elapsed().as_millis());
    // A planning session started through the first instance: the open plan on the second hears of it at once.
    let mut owen_here = app.signed_in("owen").await;
    let started = std::time::Instant::now();
    owen_here.post(&format!("/api/people/{}/session", dylan.0), json!({})).await.assert_status(StatusCode::OK);
    let planning = stream.next_event(Duration::from_millis(900)).await.expect("the session's start crossed");
    assert_eq!((planning.event.as_str(), planning.data), ("planning", format!("{{\"person\":\"{}\"}}", dylan.0)));
    eprintln!("a planning session's start crossed instances in {} ms", started.elapsed().as_millis());
    // Signing out through the first instance ends the stream on the second.
    let cookie = owen.cookie.clone().unwrap();
    let mut same = common::Client::with_cookie(&app, &cookie);
    same.csrf_token().await;
    same.delete("/api/session").await.assert_status(StatusCode::NO_CONTENT);
    assert!(stream.ended_within(Duration::from_millis(900)).await, "the sign-out crossed too");
    listener.abort();
}

/// A hostile signed-in person opening live streams without end holds no more than [`live::MAX_STREAMS_PER_USER`]
/// (each is a connection and a task on the server): the next is refused with 429 and a time to wait, others are not
/// held back, and when one of theirs ends another may open.
async fn one_person_holds_a_bounded_number_of_live_streams(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut owen = app.signed_in("owen").await;
    let mut open = Vec::new();
    for _ in 0..live::MAX_STREAMS_PER_USER {
        let mut s = owen.open_stream("/api/sync/live").await;
        assert_eq!(s.status, StatusCode::OK);
        assert_eq!(s.next_event(WAIT).await.unwrap().event, "hello");
        open.push(s);
    }
    for _ in 0..1_000 {
        let refused = owen.open_stream("/api/sync/live").await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers["retry-after"], "5");
    }
    let mut sara = app.signed_in("sara").await;
    assert_eq!(sara.open_stream("/api/sync/live").await.status, StatusCode::OK, "others are not held back");
    drop(open.pop());
    let mut again = owen.open_stream("/api/sync/live").await;
    assert_eq!(again.status, StatusCode::OK, "one ended: another may open");
    assert_eq!(again.next_event(WAIT).await.unwrap().event, "hello");
    assert_eq!(owen.open_stream("/api/sync/live").await.status, StatusCode::TOO_MANY_REQUESTS);
}
