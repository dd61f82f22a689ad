//! Sync throughput, end to end over loopback (not a timed test: it prints figures).
//!
//!     cargo bench -p waymark-server --bench sync_bench                      # SQLite (a temporary file)
//!     cargo bench -p waymark-server --bench sync_bench -- --postgres URL    # PostgreSQL (a fresh database)
//!
//! Without `--postgres`, `WAYMARK_TEST_POSTGRES_URL` (as set by `scripts/with-postgres.sh`) adds a PostgreSQL run.
//! It starts the real server binary, signs in as Owen (key worker) and Dylan, pushes 10,000 "About me" edits and
//! comments on Dylan's record from Owen's device in batches of 500, pulls them all on Dylan's device, and prints
//! the total time, mutations per second and the server's peak memory (VmHWM).
//!
//! `WAYMARK_BENCH_ROUNDS=7` runs seven rounds (each on a fresh server and database) and prints the median;
//! `WAYMARK_BENCH_RECORDS=distinct` makes the 10,000 edits 10,000 new comments of 100–200 bytes each (no edit
//! replaces another, so all 10,000 are pulled): the records `scripts/bench-sync-vs-pouchdb.sh` also gives PouchDB.

#[path = "../tests/common/postgres.rs"]
mod postgres;
#[path = "../tests/common/wire.rs"]
mod wire;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wire::{Http, ServerProcess, empty_dist};

const MUTATIONS: u64 = 10_000;
const BATCH: u64 = 500;
const FIELDS: [&str; 4] = ["preferred_name", "what_matters_to_me", "my_strengths", "my_hopes"];

struct Figures {
    push: Duration,
    pull: Duration,
    pulled: usize,
    peak_kib: Option<u64>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("WAYMARK_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()));

    let rounds: usize = std::env::var("WAYMARK_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let distinct = std::env::var("WAYMARK_BENCH_RECORDS").is_ok_and(|r| r == "distinct");

    let mut totals = Vec::new();
    for _ in 0..rounds {
        let sqlite_dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}?mode=rwc", sqlite_dir.path().join("bench.db").display());
        totals.push(report("SQLite", run(&url, distinct).await));
    }
    median("SQLite", totals);

    if let Some(admin_url) = postgres {
        let mut totals = Vec::new();
        for _ in 0..rounds {
            let name = format!("waymark_bench_{}", std::process::id());
            let url = postgres::create_database(&admin_url, &name).await;
            totals.push(report("PostgreSQL", run(&url, distinct).await));
            postgres::drop_database(&admin_url, &name).await;
        }
        median("PostgreSQL", totals);
    } else {
        println!("(PostgreSQL skipped: pass `-- --postgres URL` or run under scripts/with-postgres.sh)");
    }
}

/// The median end to end of the rounds, in a line `scripts/bench-sync-vs-pouchdb.sh` reads.
fn median(engine: &str, mut totals: Vec<Duration>) {
    totals.sort();
    let m = totals[totals.len() / 2];
    println!("median end to end over {} rounds: {engine} {:.1} ms", totals.len(), m.as_secs_f64() * 1e3);
}

fn report(engine: &str, f: Figures) -> Duration {
    let total = f.push + f.pull;
    println!(
        "{engine:>10}: {MUTATIONS} mutations pushed in {:.0} ms ({} batches of {BATCH}), {} events pulled in {:.0} ms; \
         total {:.0} ms = {:.0} mutations/s end to end; server peak memory {}",
        f.push.as_secs_f64() * 1e3,
        MUTATIONS / BATCH,
        f.pulled,
        f.pull.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        MUTATIONS as f64 / total.as_secs_f64(),
        f.peak_kib.map_or("unknown".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
    );
    total
}

async fn run(url: &str, distinct: bool) -> Figures {
    let (_dist_dir, dist) = empty_dist();
    let server = ServerProcess::start(url, &dist);
    let mut owen = server.client();
    owen.sign_in("owen").await.expect("sign in as owen");
    let mut dylan = server.client();
    let dylan_id = dylan.sign_in("dylan").await.expect("sign in as dylan")["id"].as_str().unwrap().to_owned();

    // Build every batch first, so the clock measures the server and the wire, not JSON building.
    // Each batch edits each "About me" field once (based on the version the previous batch's ack gave it) and adds
    // comments; the bases of later batches are filled in as acks come back.
    let batches: Vec<Vec<Value>> = (0..MUTATIONS / BATCH)
        .map(|b| {
            (0..BATCH)
                .map(|i| {
                    let id = b * BATCH + i + 1;
                    let change = match FIELDS.get(i as usize).filter(|_| !distinct) {
                        _ if distinct => json!({ "type": "add_comment", "comment": format!("c{id}"), "text": record_text(id) }),
                        Some(field) => json!({ "type": "about_me", "field": field, "text": format!("Edit {id} of {field}") }),
                        None => json!({ "type": "add_comment", "comment": format!("c{id}"), "text": format!("Comment number {id}, with a little text in it") }),
                    };
                    json!({ "id": id, "person": dylan_id, "base": 0, "made_at_ms": 1_700_000_000_000i64, "change": change })
                })
                .collect()
        })
        .collect();

    let started = Instant::now();
    let mut bases = [0u64; 4];
    let mut pushed = 0usize;
    for mut batch in batches {
        for (i, base) in bases.iter().enumerate().filter(|_| !distinct) {
            batch[i]["base"] = json!(base);
        }
        let body = json!({ "schema": 1, "client": "bench-owen-1", "mutations": batch });
        let r = owen.post_json("/api/sync/push", &body).await.expect("push");
        assert_eq!(r.status, 200, "push: {}", String::from_utf8_lossy(&r.body));
        let acks = r.json()["acks"].as_array().cloned().unwrap_or_default();
        assert_eq!(acks.len(), BATCH as usize);
        assert!(acks.iter().all(|a| a["outcome"] == "applied"), "every edit applied");
        for (i, base) in bases.iter_mut().enumerate().filter(|_| !distinct) {
            *base = acks[i]["version"].as_u64().unwrap();
        }
        pushed += acks.len();
    }
    let push = started.elapsed();
    let bases_used = if distinct { 0 } else { FIELDS.len() as u64 };
    assert_eq!(pushed as u64, MUTATIONS);

    let pulled_at = Instant::now();
    let pulled = pull_all(&mut dylan).await;
    let pull = pulled_at.elapsed();
    // Pulls are a compacted log: each "About me" field, edited once per batch, arrives once as it now is; every
    // comment is its own cell.
    let fields = bases_used;
    let cells = MUTATIONS - fields * (MUTATIONS / BATCH) + fields;
    // (The demo ward's own cells about the person come too.)
    assert!(pulled as u64 >= cells, "every cell written reaches the other device: {pulled} of {cells}");
    Figures { push, pull, pulled, peak_kib: server.peak_memory_kib() }
}

/// A record of 100 to 200 bytes (the same text the PouchDB side writes: bench/pouchdb/sync.bench.mjs).
fn record_text(id: u64) -> String {
    let len = 100 + (id % 101) as usize;
    let mut text = format!("Record {id}: ");
    while text.len() < len {
        text.push_str("a few words about the day ");
    }
    text.truncate(len);
    text
}

async fn pull_all(c: &mut Http) -> usize {
    let (mut cursor, mut scope, mut n) = (0u64, String::new(), 0usize);
    loop {
        let scope_param = if scope.is_empty() { String::new() } else { format!("&scope={scope}") };
        let r = c.get(&format!("/api/sync/pull?schema=1&since={cursor}&limit=1000{scope_param}")).await.expect("pull");
        assert_eq!(r.status, 200, "pull: {}", String::from_utf8_lossy(&r.body));
        let page = r.json();
        n += page["events"].as_array().map_or(0, Vec::len);
        cursor = page["cursor"].as_u64().unwrap();
        scope = page["scope"].as_str().unwrap().to_owned();
        if !page["more"].as_bool().unwrap() {
            return n;
        }
    }
}
