//! Durability: the real server process, killed with SIGKILL in the middle of a stream of pushes, loses no
//! mutation it acknowledged, and the one in flight when it died is applied at most once when replayed.
//! On SQLite (a temporary file) and PostgreSQL (a fresh database, with `WAYMARK_TEST_POSTGRES_URL`).

mod common;

use common::{
    TestDb,
    wire::{Http, ServerProcess, empty_dist},
};
use serde_json::{Value, json};
use std::{collections::BTreeMap, time::Duration};

on_both_engines!(acknowledged_pushes_survive_sigkill);

const CLIENT: &str = "durable-tablet-1";
/// Acknowledged pushes to see before pulling the plug.
const ACKS_BEFORE_KILL: usize = 40;

fn push_body(person: &str, id: u64) -> Value {
    json!({ "schema": 1, "client": CLIENT, "mutations": [{
        "id": id, "person": person, "base": 0, "made_at_ms": 1_700_000_000_000i64,
        "change": { "type": "add_comment", "comment": format!("c-{id}"), "text": format!("durable {id}") }
    }]})
}

/// Pull everything the client may see: comment record id → (text, how many events carried it).
async fn pulled_comments(c: &mut Http) -> BTreeMap<String, (String, usize)> {
    let (mut cursor, mut scope, mut out) = (0u64, String::new(), BTreeMap::new());
    loop {
        let scope_param = if scope.is_empty() { String::new() } else { format!("&scope={scope}") };
        let r = c.get(&format!("/api/sync/pull?schema=1&since={cursor}&limit=1000{scope_param}")).await.unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let page = r.json();
        for e in page["events"].as_array().unwrap() {
            if e["key"]["kind"] == "comment" && e["key"]["field"] == "text" {
                let entry = out
                    .entry(e["key"]["record"].as_str().unwrap().to_owned())
                    .or_insert((e["cell"]["value"].as_str().unwrap().to_owned(), 0));
                entry.1 += 1;
            }
        }
        cursor = page["cursor"].as_u64().unwrap();
        scope = page["scope"].as_str().unwrap().to_owned();
        if !page["more"].as_bool().unwrap() {
            return out;
        }
    }
}

async fn acknowledged_pushes_survive_sigkill(db: TestDb) {
    tokio::time::timeout(Duration::from_secs(180), run(db)).await.expect("the durability test finished in time");
}

/// Pauses between the last counted acknowledgement and SIGKILL: each round the kill lands at another moment of
/// the request in flight (before it is read, while it commits, while the answer is written).
const KILL_DELAYS_US: [u64; 6] = [0, 1000, 2000, 3000, 5000, 8000];

async fn run(db: TestDb) {
    let (_dist_dir, dist) = empty_dist();
    let mut next_id = 1u64;
    let mut all_acked: BTreeMap<u64, Value> = BTreeMap::new();
    let mut person = String::new();
    let mut old_session: Option<Http> = None;
    for (round, delay_us) in KILL_DELAYS_US.into_iter().enumerate() {
        let mut server = ServerProcess::start(&db.url, &dist);
        if let Some(mut old) = old_session.take() {
            old.addr = server.addr;
            let me = old.get("/api/session").await.unwrap();
            assert_eq!(me.json()["user"]["username"], "dylan", "sessions are in the database and survive too");
        }
        let mut dylan = server.client();
        person = dylan.sign_in("dylan").await.unwrap()["id"].as_str().unwrap().to_owned();
        old_session = Some(dylan.clone());
        if round > 0 {
            let replayed = check_after_restart(&mut dylan, &person, &all_acked, next_id - 1).await;
            all_acked.insert(next_id - 1, replayed);
        }

        // Push single mutations back to back, reporting each acknowledgement, until the server stops answering.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, Value)>();
        let pusher = tokio::spawn({
            let (mut c, person, first) = (dylan.clone(), person.clone(), next_id);
            async move {
                for id in first.. {
                    match c.post_json("/api/sync/push", &push_body(&person, id)).await {
                        Ok(r) if r.status == 200 => {
                            let _ = tx.send((id, r.json()["acks"][0].clone()));
                        }
                        Ok(r) => panic!("push {id}: {} {}", r.status, String::from_utf8_lossy(&r.body)),
                        // The server died with this one in flight (or before it was sent).
                        Err(_) => return id,
                    }
                }
                unreachable!()
            }
        });
        let mut acked: BTreeMap<u64, Value> = BTreeMap::new();
        while acked.len() < ACKS_BEFORE_KILL {
            let (id, ack) = rx.recv().await.expect("the pusher is running");
            acked.insert(id, ack);
        }
        // (The pusher keeps going meanwhile: this is the test's own runtime yielding.)
        tokio::time::sleep(Duration::from_micros(delay_us)).await;
        server.kill();
        let in_flight = pusher.await.unwrap();
        while let Ok((id, ack)) = rx.try_recv() {
            acked.insert(id, ack);
        }
        assert_eq!(acked.len() as u64, in_flight - next_id, "every push before the one in flight was acknowledged");
        for (id, ack) in &acked {
            assert_eq!(ack["id"], *id);
            assert_eq!(ack["outcome"], "applied");
        }
        all_acked.extend(acked);
        next_id = in_flight + 1;
    }
    let server = ServerProcess::start(&db.url, &dist);
    let mut dylan = server.client();
    dylan.sign_in("dylan").await.unwrap();
    check_after_restart(&mut dylan, &person, &all_acked, next_id - 1).await;
}

/// After a restart: every acknowledged mutation is there exactly once; only the one in flight at the kill may
/// have landed unacknowledged; replaying it applies it exactly once; replaying an acknowledged one gives the same
/// answer.
async fn check_after_restart(dylan: &mut Http, person: &str, acked: &BTreeMap<u64, Value>, in_flight: u64) -> Value {
    let before_replay = pulled_comments(dylan).await;
    for id in acked.keys() {
        let (text, events) =
            before_replay.get(&format!("c-{id}")).unwrap_or_else(|| panic!("acknowledged mutation {id} was lost"));
        assert_eq!((text.as_str(), *events), (format!("durable {id}").as_str(), 1));
    }
    let landed = before_replay.contains_key(&format!("c-{in_flight}"));
    assert_eq!(before_replay.len(), acked.len() + usize::from(landed), "nothing else landed");

    let r = dylan.post_json("/api/sync/push", &push_body(person, in_flight)).await.unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let replayed = r.json()["acks"][0].clone();
    assert_eq!(replayed["outcome"], "applied", "a replay is answered as the first time, never record_exists");
    let (first_id, first_ack) = acked.iter().next().unwrap();
    let r = dylan.post_json("/api/sync/push", &push_body(person, *first_id)).await.unwrap();
    assert_eq!(r.json()["acks"][0], *first_ack, "a replay of an acknowledged mutation gets the same answer");

    let after = pulled_comments(dylan).await;
    assert_eq!(after.len(), acked.len() + 1);
    assert!(after.values().all(|(_, events)| *events == 1), "every mutation applied exactly once");
    assert_eq!(after[&format!("c-{in_flight}")].0, format!("durable {in_flight}"));
    eprintln!(
        "durability: {} acknowledged so far; in-flight {in_flight} had {}landed",
        acked.len(),
        if landed { "" } else { "not " }
    );
    replayed
}
