//! The wire format of changes does not move under a tablet's feet: a batch of every kind of change, recorded as
//! JSON from the build before changes were grouped by domain (tests/fixtures/wave1_push.json), is still understood
//! and applied, byte for byte the same changes. A tablet holding edits made offline on an older build must be able
//! to sync them after the server is upgraded; a change to the wire format comes with a `SCHEMA_VERSION` step and a
//! new fixture beside this one.

mod common;

use axum::http::StatusCode;
use common::{TestApp, TestDb, changes::counts};
use serde_json::{Value, json};
use waymark_shared::sync::{Change, Mutation, PushRequest, SCHEMA_VERSION};

on_both_engines!(a_batch_of_every_change_kind_recorded_from_the_previous_build_is_applied);

const WAVE1: &str = include_str!("fixtures/wave1_push.json");

/// The recorded push with the fictional placeholders replaced by the demo ward's real ids.
fn recorded(dylan: &str, gareth: &str) -> Value {
    let text = WAVE1.replace("\"PERSON\"", &format!("\"{dylan}\"")).replace("\"u-gareth\"", &format!("\"{gareth}\""));
    serde_json::from_str(&text).expect("the fixture is JSON")
}

async fn a_batch_of_every_change_kind_recorded_from_the_previous_build_is_applied(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let push = recorded(&dylan.0, &gareth.0);
    assert_eq!(push["schema"], SCHEMA_VERSION, "the schema has not moved; if it has, record a new fixture");

    // Every change parses as it was sent, and serialises back to the same JSON: nothing was renamed or dropped.
    let typed: PushRequest = serde_json::from_value(push.clone()).expect("today's server reads yesterday's push");
    let kinds: std::collections::BTreeSet<String> = push["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["change"]["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds.len(), 28, "one of every kind of change there was");
    let today: std::collections::BTreeSet<String> = Change::types().map(str::to_owned).collect();
    assert!(kinds.is_subset(&today), "no kind of change has gone: {:?}", kinds.difference(&today).collect::<Vec<_>>());
    for (m, raw) in typed.mutations.iter().zip(push["mutations"].as_array().unwrap()) {
        assert_eq!(&serde_json::to_value(m).unwrap(), raw, "round trip of {}", raw["change"]["type"]);
    }

    // Applied through the real push: what Dylan may make from his tablet, then what only his care team may.
    let staff_only = ["plan_setting", "capacity"];
    let (mine, theirs): (Vec<Mutation>, Vec<Mutation>) = typed
        .mutations
        .into_iter()
        .partition(|m| !staff_only.contains(&serde_json::to_value(&m.change).unwrap()["type"].as_str().unwrap()));
    for (who, client, batch) in [("dylan", &typed.client.0, mine), ("owen", &"tablet-owen-wave1".to_owned(), theirs)] {
        let before = counts(&app.db).await;
        let mut c = app.signed_in(who).await;
        let n = batch.len();
        // As the tablet's outbox sends them: in order, one change per cell per push.
        let mut acks = Vec::new();
        for m in &batch {
            let r =
                c.post("/api/sync/push", json!({ "schema": SCHEMA_VERSION, "client": client, "mutations": [m] })).await;
            r.assert_status(StatusCode::OK);
            acks.extend(r.body["acks"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(acks.len(), n);
        // Each was recorded on base 0, as a tablet that had seen nothing would: applied, unless an earlier change of
        // the same batch had already written its cell (restoring the comment just removed, new words for the goal
        // just added), which is then kept aside for people to settle. Never refused, never lost.
        let mut written = std::collections::HashSet::new();
        for (m, a) in batch.iter().zip(&acks) {
            let key = m.change.effect(&m.person).key;
            let expected = if written.contains(&key) { "kept_aside" } else { "applied" };
            assert_eq!(a["outcome"], expected, "{who}: {:?}: {a}", m.change);
            written.insert(key);
        }
        assert_eq!(counts(&app.db).await[2], before[2] + n as i64, "every mutation logged");
    }
}
