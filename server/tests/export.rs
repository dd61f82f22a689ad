//! Exports, on SQLite and PostgreSQL: who may export what (a carer or the person gets no staff export), what a FHIR
//! bundle holds (read through the domain views), CSV of readings per person and per ward with the de-identified
//! option, and that every download is audited.

mod common;
#[path = "common/records.rs"]
mod records;

use axum::http::StatusCode;
use common::{TestApp, TestDb};
use serde_json::Value;
use waymark_server::seed;

on_both_engines!(
    fhir_exports_follow_who_may_see_what,
    a_fhir_bundle_holds_every_kind_of_data_as_the_domain_views_read_it,
    csv_of_readings_per_person_and_per_ward_identified_or_not,
);

/// The full demo: Dylan's tracker (three readings, a goal with two steps, shared with his dad) and safety plan
/// (with one staff-only note, three sections shared).
async fn full_demo(db: TestDb) -> TestApp {
    assert!(seed::seed_demo(&db.store).await.unwrap());
    TestApp::new(db)
}

const STAFF_NOTE: &str = "do not discuss the index offence";

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
}

async fn fhir_exports_follow_who_may_see_what(db: TestDb) {
    let app = full_demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let path = format!("/api/people/{}/export/fhir", dylan.0);

    // Staff on the care team, and the ward manager: the staff export, staff-only notes included and marked.
    for who in ["owen", "rhian"] {
        let mut c = app.signed_in(who).await;
        let r = c.get(&path).await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.header("content-type"), Some("application/fhir+json"));
        assert!(r.header("content-disposition").is_some_and(|d| d.starts_with("attachment;")));
        let text = String::from_utf8_lossy(&r.bytes);
        assert!(text.contains(STAFF_NOTE), "{who}: the staff export holds the staff-only note");
        let plan = resources(&r.body, "CarePlan")[0];
        assert_eq!(plan["meta"]["security"][0]["code"], "R", "labelled restricted");
        let staff_only: Vec<&Value> = plan["activity"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["detail"]["code"]["coding"][0]["code"] == "staff_only")
            .collect();
        assert_eq!(staff_only.len(), 1);
        assert!(staff_only[0]["detail"]["description"].as_str().unwrap().contains(STAFF_NOTE));
    }

    // The person: their own record, without the staff-only notes (checked on the bytes).
    let mut me = app.signed_in("dylan").await;
    let r = me.get(&path).await;
    r.assert_status(StatusCode::OK);
    let text = String::from_utf8_lossy(&r.bytes);
    assert!(!text.contains(STAFF_NOTE) && !text.contains("staff_only") && !text.contains("restricted"), "{text}");
    assert!(text.contains("Woodwork") || text.contains("woodwork"), "the rest of the plan is there");
    assert_eq!(resources(&r.body, "QuestionnaireResponse").len(), 3);

    // A carer gets no export at all (what is shared with them is on their device); nor does anyone who may not
    // open the record, who learns nothing about it.
    let mut gareth = app.signed_in("gareth").await;
    let r = gareth.get(&path).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(!String::from_utf8_lossy(&r.bytes).contains("Dylan"));
    gareth
        .get(&format!("/api/people/{}/export/readings.csv", dylan.0))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    for who in ["sara", "admin", "tomos"] {
        let mut c = app.signed_in(who).await;
        c.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    app.client().get(&path).await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");

    // Each export was audited, with which kind it was.
    let exports: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT actor_name, detail FROM audit_log WHERE action = 'exported' ORDER BY seq")
            .fetch_all(app.db.store.pool())
            .await
            .unwrap();
    assert_eq!(
        exports,
        [
            ("Owen Price".to_owned(), Some("staff".to_owned())),
            ("Rhian Morgan".into(), Some("staff".into())),
            ("Dylan Evans".into(), Some("own".into())),
        ]
    );
}

async fn a_fhir_bundle_holds_every_kind_of_data_as_the_domain_views_read_it(db: TestDb) {
    let app = full_demo(db).await;
    let dylan = app.db.user("dylan").await;
    let gareth = app.db.user("gareth").await;
    let mut owen = app.signed_in("owen").await;
    let r = owen.get(&format!("/api/people/{}/export/fhir", dylan.id.0)).await;
    let b = &r.body;
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert!(b["timestamp"].as_str().unwrap().ends_with('Z'));
    let patient = resources(b, "Patient")[0];
    assert_eq!(patient["identifier"][0]["value"], dylan.id.0.as_str());
    assert_eq!(patient["name"][0]["text"], "Dylan Evans");
    assert_eq!(patient.as_object().unwrap().len(), 5, "minimal: type, id, identifier, active, name");

    let questionnaires = resources(b, "Questionnaire");
    assert_eq!(questionnaires.len(), 1, "one framework version used");
    assert_eq!(questionnaires[0]["url"], "urn:waymark:framework:waymark_ladder");
    assert_eq!(questionnaires[0]["item"].as_array().unwrap().len(), 11, "who was there, and ten areas");
    let responses = resources(b, "QuestionnaireResponse");
    assert_eq!(responses.len(), 3);
    assert!(responses.iter().all(|q| q["status"] == "completed"));
    let dates: Vec<&str> = responses.iter().map(|q| q["authored"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-05-12", "2026-08-11", "2026-11-03"]);
    // The latest reading keeps both views where they differed, and why.
    let latest = responses[2]["item"].as_array().unwrap().iter().find(|i| i["linkId"] == "mental_wellbeing").unwrap();
    let answers: Vec<(&str, &Value)> =
        latest["item"].as_array().unwrap().iter().map(|i| (i["linkId"].as_str().unwrap(), &i["answer"][0])).collect();
    assert!(answers.contains(&("mental_wellbeing.person", &serde_json::json!({ "valueInteger": 7 }))));
    assert!(answers.contains(&("mental_wellbeing.staff", &serde_json::json!({ "valueInteger": 5 }))));
    assert!(
        answers
            .iter()
            .any(|(l, a)| *l == "mental_wellbeing.reason" && a["valueString"].as_str().unwrap().contains("woodwork"))
    );

    let observations = resources(b, "Observation");
    assert_eq!(observations.len(), 30, "one per agreed area value");
    let o = observations
        .iter()
        .find(|o| o["effectiveDateTime"] == "2026-11-03" && o["code"]["coding"][0]["code"] == "mental_wellbeing")
        .unwrap();
    assert_eq!(o["valueInteger"], 6);
    let qr_url =
        b["entry"].as_array().unwrap().iter().find(|e| e["resource"]["authored"] == "2026-11-03").unwrap()["fullUrl"]
            .clone();
    assert_eq!(o["derivedFrom"][0]["reference"], qr_url, "derived from its reading");

    let goals = resources(b, "Goal");
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0]["lifecycleStatus"], "active");
    assert_eq!(goals[0]["achievementStatus"]["coding"][0]["code"], "in-progress");
    assert_eq!(goals[0]["description"]["text"], "Cook a Sunday dinner for my dad when he visits");
    assert_eq!(goals[0]["note"].as_array().unwrap().len(), 3, "the going-well answer and two steps");

    let plan = resources(b, "CarePlan")[0];
    assert_eq!(plan["status"], "active", "version 1 was agreed");
    assert_eq!(plan["period"]["end"], "2026-11-20", "the review date");
    let sections: Vec<&str> = plan["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["detail"]["code"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(sections.len(), 16);
    let mut sorted = sections.clone();
    sorted.sort_by_key(|s| waymark_shared::plan::PlanSection::ALL.iter().position(|x| x.as_str() == *s));
    assert_eq!(sections, sorted, "grouped by section, in the plan's order");

    let consents = resources(b, "Consent");
    assert_eq!(consents.len(), 1, "one carer");
    let c = consents[0];
    assert_eq!(c["status"], "active");
    assert_eq!(c["provision"]["actor"][0]["reference"]["display"], "Gareth Evans");
    assert_eq!(c["provision"]["actor"][0]["reference"]["identifier"]["value"], gareth.id.0.as_str());
    let mut parts: Vec<(&str, &str)> = c["provision"]["provision"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"][0]["coding"][0]["code"].as_str().unwrap(), p["type"].as_str().unwrap()))
        .collect();
    parts.sort();
    assert_eq!(
        parts,
        [
            ("plan_carer_can_do", "permit"),
            ("plan_contacts", "permit"),
            ("plan_reasons_for_hope", "permit"),
            ("tracker", "permit")
        ]
    );

    // Every resource is named once, and every reference inside the bundle resolves within it.
    let urls: std::collections::BTreeSet<&str> =
        b["entry"].as_array().unwrap().iter().map(|e| e["fullUrl"].as_str().unwrap()).collect();
    assert_eq!(urls.len(), b["entry"].as_array().unwrap().len());
    let text = r.body.to_string();
    for reference in text.split("\"reference\":\"").skip(1).map(|s| s.split('"').next().unwrap()) {
        assert!(urls.contains(reference), "{reference} does not resolve");
    }

    // A second export names every resource the same (so a receiving system can update rather than duplicate).
    let again = owen.get(&format!("/api/people/{}/export/fhir", dylan.id.0)).await;
    let again_urls: std::collections::BTreeSet<String> =
        again.body["entry"].as_array().unwrap().iter().map(|e| e["fullUrl"].as_str().unwrap().to_owned()).collect();
    assert_eq!(again_urls.iter().map(String::as_str).collect::<std::collections::BTreeSet<_>>(), urls);
}

async fn csv_of_readings_per_person_and_per_ward_identified_or_not(db: TestDb) {
    let app = full_demo(db).await;
    let dylan = app.db.user("dylan").await;
    let alys = app.db.user("alys").await;
    let owen_row = app.db.user("owen").await;
    // Alys's readings include words a spreadsheet would run as a formula.
    let mut alys_changes = records::reading("alys-r1", "2025-02-03", &[("mental_wellbeing", 4), ("hope_and_trust", 6)]);
    alys_changes.push(waymark_shared::sync::Change::Tracker(waymark_shared::tracker::TrackerChange::AreaNote {
        reading: waymark_shared::sync::RecordId("alys-r1".into()),
        area: waymark_shared::outcomes::AreaId("mental_wellbeing".into()),
        text: "=HYPERLINK(\"http://example.invalid\")".into(),
    }));
    records::push_changes(&app.db.store, &owen_row, "csv-test-owen", &alys.id, alys_changes).await;

    let mut owen = app.signed_in("owen").await;
    let r = owen.get(&format!("/api/people/{}/export/readings.csv", dylan.id.0)).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(r.bytes.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "person_id,person_name,reading_date,framework,framework_version,area,area_label,person_view,staff_view,\
         carer_view,agreed,more_help,note,why_views_differ"
    );
    assert_eq!(lines.len(), 1 + 30, "a row per area of each of three readings");
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!((row[1], row[2], row[3]), ("Dylan Evans", "2026-05-12", "waymark_ladder"));
    assert!(text.contains("Dylan feels much steadier"), "the reason is in the identified CSV");

    // De-identified: no names, no free text, a stable pseudonym.
    let de = owen.get(&format!("/api/people/{}/export/readings.csv?deidentified=true", dylan.id.0)).await;
    let de_text = String::from_utf8(de.bytes.clone()).unwrap();
    assert!(de_text.starts_with("pseudonym,reading_date,framework,"));
    for hidden in ["Dylan", &dylan.id.0, "woodwork", "note"] {
        assert!(!de_text.contains(hidden), "{hidden} in the de-identified CSV");
    }
    let pseudonym = de_text.lines().nth(1).unwrap().split(',').next().unwrap().to_owned();
    assert!(pseudonym.starts_with("P-"));
    let de_again = owen.get(&format!("/api/people/{}/export/readings.csv?deidentified=true", dylan.id.0)).await;
    assert_eq!(de_again.bytes, de.bytes, "the same pseudonym every time");
    owen.get(&format!("/api/people/{}/export/readings.csv?deidentified=maybe", dylan.id.0))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");

    // The ward: its manager only; everyone's readings, each person under their own pseudonym.
    let ward = app.db.user("rhian").await.ward_id.unwrap();
    let path = format!("/api/wards/{ward}/export/readings.csv");
    let mut rhian = app.signed_in("rhian").await;
    let all = rhian.get(&path).await;
    all.assert_status(StatusCode::OK);
    let all_text = String::from_utf8(all.bytes.clone()).unwrap();
    assert_eq!(all_text.lines().count(), 1 + 30 + 2);
    assert!(all_text.contains("Alys Hughes") && all_text.contains("Dylan Evans"));
    assert!(all_text.contains("\"'=HYPERLINK"), "a formula is written as text: {all_text}");
    let de_ward = rhian.get(&format!("{path}?deidentified=true")).await;
    let de_ward_text = String::from_utf8(de_ward.bytes.clone()).unwrap();
    let pseudonyms: std::collections::BTreeSet<&str> =
        de_ward_text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(pseudonyms.len(), 2);
    assert!(pseudonyms.contains(pseudonym.as_str()), "the same pseudonym in the ward export");
    assert!(!de_ward_text.contains("Alys") && !de_ward_text.contains("HYPERLINK"));
    for who in ["owen", "dylan", "gareth", "admin"] {
        let mut c = app.signed_in(who).await;
        c.get(&path).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    rhian.get("/api/wards/another-ward/export/readings.csv").await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // The ward export is in each person's trail.
    let ward_entries: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT person_id, detail FROM audit_log WHERE what = 'ward_readings_csv' ORDER BY seq")
            .fetch_all(app.db.store.pool())
            .await
            .unwrap();
    assert_eq!(ward_entries.len(), 8, "four people, twice");
    assert!(
        ward_entries
            .iter()
            .any(|(p, d)| p.as_deref() == Some(dylan.id.0.as_str()) && d.as_deref() == Some("deidentified"))
    );
}
