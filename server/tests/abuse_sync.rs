//! The sync push under abuse, on SQLite and PostgreSQL: what a hostile signed-in person can make the database store
//! is bounded. The security probe's storage amplification (7 × 500 stale "About me" edits from one device grew the
//! database by 893 MB, because every stale value was appended to the cell and every event row stored the whole cell)
//! now grows it by less than 1 MB; a device keeps at most one value aside per cell (its newest), a cell at most eight
//! (beyond that a further device's stale edit is refused, naming the record, writing nothing); event rows hold the
//! change, not the cell.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, TestDb,
    changes::{counts, mutation, push},
};
use serde_json::{Value, json};
use sqlx::Row;
use waymark_server::store::Engine;
use waymark_shared::{UserId, sync::CellState};

on_both_engines!(
    the_amplification_probe_grows_the_database_by_less_than_a_megabyte_and_stale_edits_only_linearly,
    a_device_keeps_one_version_aside_per_cell_and_a_cell_at_most_eight,
);

const FIELDS: [&str; 4] = ["preferred_name", "what_matters_to_me", "my_strengths", "my_hopes"];

/// The database's size on disk, in bytes (SQLite after a checkpoint of its write-ahead log).
async fn database_bytes(db: &TestDb) -> i64 {
    let pool = db.store.pool();
    match db.engine() {
        Engine::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();
            let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(pool).await.unwrap();
            let size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(pool).await.unwrap();
            pages * size
        }
        Engine::Postgres => {
            sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(pool).await.unwrap()
        }
    }
}

fn about(id: u64, person: &UserId, base: u64, field: &str, text: &str) -> Value {
    let mut m = mutation(id, person, json!({ "type": "about_me", "field": field, "text": text }));
    m["base"] = json!(base);
    m
}

/// A text of about seventy characters (a preferred name may have eighty), different each time.
fn words(i: u64) -> String {
    format!("Stale version {i:08}: more time in the garden, less on the ward")
}

async fn the_amplification_probe_grows_the_database_by_less_than_a_megabyte_and_stale_edits_only_linearly(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    let first: Vec<Value> =
        FIELDS.iter().enumerate().map(|(i, f)| about(i as u64 + 1, &dylan, 0, f, "Owen's version")).collect();
    push(&mut owen, "tablet-owen-0001", first).await.assert_status(StatusCode::OK);
    let before = database_bytes(&app.db).await;

    // The probe: a service user pushes 7 × 500 stale "About me" edits (based on nothing seen) from one device.
    let mut dylan_c = app.signed_in("dylan").await;
    let mut id = 0;
    let mut refused = 0;
    for _ in 0..7 {
        let batch: Vec<Value> = (0..500)
            .map(|i| {
                id += 1;
                about(id, &dylan, 0, FIELDS[i % 4], &words(id))
            })
            .collect();
        let r = push(&mut dylan_c, "tablet-probe-0001", batch).await;
        if r.status == StatusCode::OK {
            assert!(r.body["acks"].as_array().unwrap().iter().all(|a| a["outcome"] == "kept_aside"));
        } else {
            r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
            refused += 1;
        }
    }
    assert_eq!(refused, 7, "a push changes each cell once: five hundred edits of four fields are refused whole");
    let after_probe = database_bytes(&app.db).await;
    assert!(after_probe - before < 1024 * 1024, "the probe grew the database by {} bytes", after_probe - before);
    // The same again as the outbox would send it, four fields a push: 3,500 stale edits in 875 pushes.
    for _ in 0..875 {
        let batch: Vec<Value> = FIELDS
            .iter()
            .map(|f| {
                id += 1;
                about(id, &dylan, 0, f, &words(id))
            })
            .collect();
        let r = push(&mut dylan_c, "tablet-probe-0001", batch).await;
        r.assert_status(StatusCode::OK);
    }
    // Each cell keeps one version of that device's, its newest, beside the current value.
    for field in FIELDS {
        let state: String =
            sqlx::query("SELECT state FROM sync_cells WHERE person_id = $1 AND kind = 'about_me' AND field = $2")
                .bind(&dylan.0)
                .bind(field)
                .fetch_one(app.db.store.pool())
                .await
                .unwrap()
                .get("state");
        let cell: CellState = serde_json::from_str(&state).unwrap();
        assert_eq!(cell.value, "Owen's version");
        assert_eq!(cell.kept.len(), 1, "{field}: one version per device");
        assert!(state.len() < 1024, "{field}: {} bytes", state.len());
    }
    let longest_event: i64 = app.db.count("SELECT MAX(LENGTH(state)) FROM sync_events").await;
    assert!(longest_event < 600, "an event holds the change, not the cell: {longest_event} bytes");
    let grown = database_bytes(&app.db).await - after_probe;
    eprintln!(
        "the probe grew the database by {} bytes; 3,500 stale edits sent four a push, {grown}",
        after_probe - before
    );
    // Each accepted stale edit is logged (who changed what, when, from which device) with its event and its audit
    // entry (about 400 bytes with its index on PostgreSQL): a bounded amount per edit, never the whole cell (about 200
    // bytes of JSON an edit; PostgreSQL stores rows less tightly than SQLite).
    assert!(grown < 3_500 * 2_000, "{grown} bytes");
}

async fn a_device_keeps_one_version_aside_per_cell_and_a_cell_at_most_eight(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    push(&mut owen, "tablet-owen-0001", vec![about(1, &dylan, 0, "my_hopes", "Current")])
        .await
        .assert_status(StatusCode::OK);
    let before = database_bytes(&app.db).await;
    // Eight devices each keep a version aside.
    let mut dylan_c = app.signed_in("dylan").await;
    for d in 1..=8 {
        let r =
            push(&mut dylan_c, &format!("tablet-{d:04}-dylan"), vec![about(1, &dylan, 0, "my_hopes", &words(d))]).await;
        assert_eq!(r.body["acks"][0]["outcome"], "kept_aside");
    }
    // A ninth is refused, naming the record, and nothing is written.
    let rows = counts(&app.db).await;
    let r = push(&mut dylan_c, "tablet-0009-dylan", vec![about(1, &dylan, 0, "my_hopes", "One too many")]).await;
    r.assert_error(StatusCode::CONFLICT, "too_many_versions");
    assert_eq!(r.body["mutation_id"], 1);
    assert!(r.body["message"].as_str().unwrap().contains("about_me my_hopes"), "{}", r.body);
    assert_eq!(counts(&app.db).await, rows);
    // One of the eight may still replace its own; once someone settles the cell, new versions are welcome again.
    let r = push(&mut dylan_c, "tablet-0003-dylan", vec![about(2, &dylan, 0, "my_hopes", "Newer from device 3")]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "kept_aside");
    let head = r.body["acks"][0]["version"].as_u64().unwrap();
    let mut settle = about(3, &dylan, head, "my_hopes", "Settled together");
    settle["settles"] = json!(true);
    let r = push(&mut dylan_c, "tablet-0003-dylan", vec![settle]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "applied");
    let r = push(&mut dylan_c, "tablet-0009-dylan", vec![about(1, &dylan, 0, "my_hopes", "One too many")]).await;
    assert_eq!(r.body["acks"][0]["outcome"], "kept_aside");
    assert!(database_bytes(&app.db).await - before < 256 * 1024);
}
