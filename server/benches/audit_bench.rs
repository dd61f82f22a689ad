//! The audit trail and exports at scale (not a timed test: it prints figures).
//!
//!     cargo bench -p waymark-server --bench audit_bench                      # SQLite (a temporary file)
//!     bash scripts/with-postgres.sh cargo bench -p waymark-server --bench audit_bench   # and PostgreSQL
//!
//! 1. Appends 1,000,000 audit entries (10,000 per transaction, each chained as the server chains them), then checks
//!    the whole chain twice: in-process (`Store::audit_verify`) and with the real `waymark-server audit verify`.
//! 2. Writes five years of monthly readings for one person (60 readings of the ten-area ladder with three views and
//!    the agreed value, notes; goals with steps; a plan with every section) through the sync push, then times the FHIR
//!    export as the handler makes it (read the cells, build the views, build the Bundle, serialise it), 20 times.

#[path = "../tests/common/postgres.rs"]
mod postgres;
#[path = "../tests/common/records.rs"]
mod records;

use std::time::{Duration, Instant};
use waymark_server::{
    export::{ExportContext, fhir, load_record},
    seed,
    store::{
        Store,
        audit::{NewEntry, Verified},
        now_ms,
    },
};
use waymark_shared::{Role, UserId, api::AuditAction, plan::Signer};

const ENTRIES: usize = 1_000_000;
const PER_TRANSACTION: usize = 10_000;
const EXPORTS: usize = 20;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("WAYMARK_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()));
    let entries =
        args.iter().position(|a| a == "--entries").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(ENTRIES);

    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    run("SQLite", &url, entries).await;
    if let Some(admin_url) = postgres {
        let name = format!("waymark_audit_bench_{}", std::process::id());
        let url = postgres::create_database(&admin_url, &name).await;
        run("PostgreSQL", &url, entries).await;
        postgres::drop_database(&admin_url, &name).await;
    } else {
        println!("(PostgreSQL skipped: pass `-- --postgres URL` or run under scripts/with-postgres.sh)");
    }
}

async fn run(engine: &str, url: &str, entries: usize) {
    let store = Store::connect(url).await.expect("open the bench database");
    assert!(seed::seed_demo_ward(&store).await.expect("seed the demo ward"));
    let fill = fill(&store, entries).await;
    let started = Instant::now();
    let verified = store.audit_verify().await.expect("verify");
    let in_process = started.elapsed();
    assert!(matches!(verified, Verified::Intact { entries: n, .. } if n as usize >= entries), "{verified:?}");
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_waymark-server"))
        .args(["audit", "verify"])
        .env_clear()
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run waymark-server audit verify");
    let command = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    println!(
        "{engine:>10}: appended {entries} audit entries in {:.1} s; verify {:.2} s in process, {:.2} s as \
         `waymark-server audit verify` ({})",
        fill.as_secs_f64(),
        in_process.as_secs_f64(),
        command.as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).trim()
    );
    export(engine, &store).await;
    store.close().await;
}

/// Append `n` realistic entries: a mix of changes (with a device), page reads and syncs (with a sign-in).
async fn fill(store: &Store, n: usize) -> Duration {
    let people: Vec<UserId> = (0..40).map(|i| UserId(format!("{:032x}", 0xabc000 + i))).collect();
    let staff: Vec<(UserId, &str)> =
        (0..12).map(|i| (UserId(format!("{:032x}", 0xdef000 + i)), "Fictional Member Of Staff")).collect();
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let batch: Vec<NewEntry> = (done..(done + PER_TRANSACTION).min(n))
            .map(|i| {
                let (actor, name) = &staff[i % staff.len()];
                let change = i % 3 == 0;
                NewEntry {
                    at_ms: now_ms(),
                    actor: actor.clone(),
                    actor_name: (*name).to_owned(),
                    actor_role: Role::KeyWorker,
                    person: Some(people[i % people.len()].clone()),
                    ward: None,
                    action: if change { AuditAction::Changed } else { AuditAction::Viewed },
                    what: if change { "reading".into() } else { "person_page".into() },
                    record: change.then(|| format!("r-{i:08}")),
                    detail: change.then(|| "rate:applied".into()),
                    client: change.then(|| "tablet-ward-0001".into()),
                    session_ref: (!change).then(|| "0123456789abcdef".into()),
                    dedupe: None,
                }
            })
            .collect();
        done += store.audit(&batch).await.expect("append");
    }
    started.elapsed()
}

async fn export(engine: &str, store: &Store) {
    let owen = store.user_by_username("owen").await.unwrap().unwrap();
    let alys = store.user_by_username("alys").await.unwrap().unwrap();
    let helen = store.user_by_username("helen").await.unwrap().unwrap();
    records::push_changes(store, &owen, "bench-owen-1", &alys.id, records::monthly_readings("alys", 0, 60)).await;
    records::push_changes(store, &owen, "bench-owen-2", &alys.id, records::goals_and_plan("alys")).await;
    records::push_changes(store, &owen, "bench-owen-3", &alys.id, records::signature(Signer::KeyWorker)).await;
    records::push_changes(store, &alys, "bench-alys-1", &alys.id, records::signature(Signer::Person)).await;
    records::push_changes(store, &alys, "bench-alys-2", &alys.id, records::sharing(&helen.id)).await;
    let frameworks = store.frameworks().await.unwrap();
    let care_team = store.care_team(&alys.id).await.unwrap();
    let mut times = Vec::new();
    let mut bytes = 0;
    let mut resources = 0;
    for _ in 0..EXPORTS {
        let started = Instant::now();
        let record = load_record(store, &alys.id, &alys.display_name, true).await.unwrap();
        let bundle =
            fhir::bundle(&record, &ExportContext { frameworks: &frameworks, care_team: &care_team, now_ms: now_ms() });
        let body = serde_json::to_vec(&bundle).unwrap();
        times.push(started.elapsed());
        bytes = body.len();
        resources = bundle.entry.len();
    }
    times.sort();
    println!(
        "{engine:>10}: FHIR export of 5 years of monthly readings ({resources} resources, {} KiB): median {:.0} ms, \
         slowest {:.0} ms ({EXPORTS} runs)",
        bytes / 1024,
        times[EXPORTS / 2].as_secs_f64() * 1e3,
        times[EXPORTS - 1].as_secs_f64() * 1e3
    );
}
