//! Sync helpers for the permission and consent tests: push changes as a device would, check that a refusal wrote
//! nothing, and pull everything a viewer's device would receive (as the bytes sent).

use super::{Client, Reply, TestApp, TestDb};
use axum::http::StatusCode;
use serde_json::{Value, json};
use waymark_shared::UserId;

/// One mutation of `change` on `person`'s record, based on nothing seen.
pub fn mutation(id: u64, person: &UserId, change: Value) -> Value {
    json!({ "id": id, "person": person.0, "base": 0, "made_at_ms": 1_700_000_000_000i64, "change": change })
}

pub async fn push(c: &mut Client<'_>, client: &str, mutations: Vec<Value>) -> Reply {
    c.post("/api/sync/push", json!({ "schema": 1, "client": client, "mutations": mutations })).await
}

/// Rows of everything a push writes: cells, events, the mutation log, and the version counter.
pub async fn counts(db: &TestDb) -> [i64; 4] {
    [
        db.count("SELECT COUNT(*) FROM sync_cells").await,
        db.count("SELECT COUNT(*) FROM sync_events").await,
        db.count("SELECT COUNT(*) FROM sync_mutations").await,
        db.count("SELECT version FROM sync_head").await,
    ]
}

/// Push one change as `who` and say whether it was applied; a refusal must be a 403 that wrote nothing.
pub async fn try_change(app: &TestApp, who: &str, id: u64, person: &UserId, change: Value) -> bool {
    let before = counts(&app.db).await;
    let mut c = app.signed_in(who).await;
    let r = push(&mut c, &format!("tablet-{who}-0001"), vec![mutation(id, person, change.clone())]).await;
    if r.status == StatusCode::OK {
        // Allowed (permission is checked before the value is decided): applied, kept aside for people to settle (an
        // edit made without seeing the latest value), or unchanged (the same value again).
        let outcome = r.body["acks"][0]["outcome"].as_str().unwrap_or_default().to_owned();
        assert!(["applied", "kept_aside", "unchanged"].contains(&outcome.as_str()), "{who}: {change}: {}", r.body);
        true
    } else {
        r.assert_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(r.body["mutation_id"], id, "the refusal names the mutation");
        assert_eq!(counts(&app.db).await, before, "{who}: a refused {change} wrote nothing");
        false
    }
}

/// Pull every page from `since` (with the device's scope, if it has one): the bytes sent, the new cursor and scope,
/// and whether the server told the device to start again.
pub async fn pull_all(c: &mut Client<'_>, since: u64, scope: Option<&str>) -> (String, u64, String, bool) {
    let (mut bytes, mut cursor, mut scope, mut reset) = (Vec::new(), since, scope.map(str::to_owned), false);
    loop {
        let mut path = format!("/api/sync/pull?schema=1&since={cursor}");
        if let Some(s) = &scope {
            path.push_str(&format!("&scope={s}"));
        }
        let r = c.get(&path).await;
        r.assert_status(StatusCode::OK);
        bytes.extend_from_slice(&r.bytes);
        reset |= r.body["reset"].as_bool().unwrap();
        cursor = r.body["cursor"].as_u64().unwrap();
        scope = Some(r.body["scope"].as_str().unwrap().to_owned());
        if !r.body["more"].as_bool().unwrap() {
            return (String::from_utf8(bytes).unwrap(), cursor, scope.unwrap(), reset);
        }
    }
}

/// Everything a fresh device of `who` would hold, as a replica.
pub async fn replica_of(app: &TestApp, who: &str) -> waymark_shared::sync::Replica {
    let mut c = app.signed_in(who).await;
    let mut replica = waymark_shared::sync::Replica::default();
    loop {
        let since = replica.cursor;
        let r = c.get(&format!("/api/sync/pull?schema=1&since={since}")).await;
        r.assert_status(StatusCode::OK);
        let page: waymark_shared::sync::PullResponse = serde_json::from_slice(&r.bytes).unwrap();
        replica.apply_pull(since, &page).unwrap();
        if !page.more {
            return replica;
        }
    }
}
