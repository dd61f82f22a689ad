//! The de-identified service report, on SQLite and PostgreSQL: figures resting on fewer than five people are
//! "fewer than 5" and never the number (JSON and CSV), the figures that are shown are right, only the ward's manager
//! may have it, and each download is audited.

mod common;
#[path = "common/records.rs"]
mod records;

use axum::http::StatusCode;
use common::{TestApp, TestDb};
use serde_json::{Value, json};
use waymark_shared::{outcomes::built_in, plan::Signer, sync::Change};

on_both_engines!(figures_resting_on_fewer_than_five_people_are_withheld_and_the_rest_are_right);

const PERIOD: &str = "from=2025-01-01&to=2025-12-31";

fn area_figures<'a>(report: &'a Value, area: &str) -> &'a Value {
    report["distance"][0]["areas"].as_array().unwrap().iter().find(|a| a["area"] == area).unwrap()
}

async fn figures_resting_on_fewer_than_five_people_are_withheld_and_the_rest_are_right(db: TestDb) {
    let app = TestApp::demo(db).await;
    let store = &app.db.store;
    let owen = app.db.user("owen").await;
    let alys = app.db.user("alys").await;
    let ward = app.db.user("rhian").await.ward_id.unwrap();
    let ladder = built_in::waymark_ladder();
    let a = |i: usize| ladder.areas[i].id.0.as_str();
    let path = format!("/api/wards/{ward}/report?{PERIOD}");
    let mut rhian = app.signed_in("rhian").await;

    // One person with readings: nothing may be given.
    let mut changes = records::reading("alys-1", "2025-02-01", &[(a(9), 3)]);
    changes.extend(records::reading("alys-2", "2025-09-01", &[(a(9), 5)]));
    records::push_changes(store, &owen, "report-owen-alys", &alys.id, changes).await;
    let r = rhian.get(&path).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["people_with_readings"], json!({ "status": "fewer_than_5" }), "never the number");
    assert_eq!(area_figures(&r.body, a(9))["mean"], json!({ "status": "fewer_than_5" }));
    assert_eq!(r.body["plans_agreed"], json!({ "status": "fewer_than_5" }));
    assert!(!r.body.to_string().contains("\"people\""), "no count behind a withheld figure: {}", r.body);

    // Five more people: enough for some figures, not for all.
    let deltas = [1u8, 2, 3, 4, 6];
    for (i, delta) in deltas.iter().enumerate() {
        let p =
            records::new_person(store, &format!("person{i}"), &format!("Fictional Person {i}"), &ward, &owen.id).await;
        // A reading before the period does not count (it would change every distance).
        let mut changes = records::reading(&format!("p{i}-0"), "2024-06-01", &[(a(0), 1)]);
        let mut first = vec![(a(0), 3)];
        let mut latest = vec![(a(0), 3 + delta)];
        if i < 4 {
            // Only four people rated this area twice.
            first.push((a(1), 5));
            latest.push((a(1), 6));
        }
        changes.extend(records::reading(&format!("p{i}-1"), "2025-01-10", &first));
        changes.extend(records::reading(&format!("p{i}-2"), "2025-06-10", &latest));
        // A plan, agreed by both; the review date passed for one of them.
        changes.push(Change::Plan(waymark_shared::plan::PlanChange::AddPlanItem {
            item: waymark_shared::sync::RecordId(format!("p{i}-item")),
            section: waymark_shared::plan::PlanSection::ICanDo,
            text: "Walk in the garden".into(),
        }));
        changes.push(Change::Plan(waymark_shared::plan::PlanChange::PlanReview {
            review_by: Some(if i == 4 { "2025-03-01" } else { "2031-01-01" }.into()),
        }));
        records::push_changes(store, &owen, &format!("report-owen-{i}"), &p.id, changes).await;
        records::push_changes(
            store,
            &owen,
            &format!("report-owen-sign-{i}"),
            &p.id,
            records::signature(Signer::KeyWorker),
        )
        .await;
        records::push_changes(store, &p, &format!("report-person-{i}"), &p.id, records::signature(Signer::Person))
            .await;
    }
    // (A new sign-in, so this download is its own entry: the same read within a minute from one sign-in is one.)
    let mut rhian = app.signed_in("rhian").await;
    let r = rhian.get(&path).await;
    r.assert_status(StatusCode::OK);
    let b = &r.body;
    assert_eq!(b["ward"]["name"], "Derwen Ward (demo)");
    assert_eq!(b["people_with_readings"], json!({ "status": "shown", "value": 6.0, "people": 6 }));
    let wellbeing = area_figures(b, a(0));
    assert_eq!(wellbeing["mean"], json!({ "status": "shown", "value": 3.2, "people": 5 }), "(1+2+3+4+6)/5");
    assert_eq!(wellbeing["median"], json!({ "status": "shown", "value": 3.0, "people": 5 }));
    assert_eq!(wellbeing["label"]["en"], "Mental wellbeing");
    assert_eq!(area_figures(b, a(1))["mean"], json!({ "status": "fewer_than_5" }), "four people");
    assert_eq!(area_figures(b, a(1))["median"], json!({ "status": "fewer_than_5" }));
    assert_eq!(area_figures(b, a(9))["mean"], json!({ "status": "fewer_than_5" }), "one person");
    assert_eq!(b["plans_agreed"], json!({ "status": "shown", "value": 1.0, "people": 5 }));
    assert_eq!(b["plans_reviewed_on_time"], json!({ "status": "fewer_than_5" }), "it would single out the one overdue");

    // The CSV says the same, with "fewer than 5" where a figure is withheld and no count beside it.
    let csv = rhian.get(&format!("/api/wards/{ward}/report.csv?{PERIOD}")).await;
    csv.assert_status(StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let rows: Vec<Vec<String>> = text.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows[0], ["ward", "from", "to", "measure", "framework", "area", "statistic", "value", "people"]);
    let find = |measure: &str, area: &str, stat: &str| {
        rows.iter()
            .find(|r| r[3] == measure && r[5] == area && r[6] == stat)
            .unwrap_or_else(|| panic!("{measure} {area} {stat}"))
            .clone()
    };
    assert_eq!(find("people_with_readings", "", "count")[7..], ["6", "6"]);
    assert_eq!(find("distance_travelled", a(0), "mean")[7..], ["3.2", "5"]);
    assert_eq!(find("distance_travelled", a(1), "mean")[7..], ["fewer than 5", ""]);
    assert_eq!(find("distance_travelled", a(1), "median")[7..], ["fewer than 5", ""]);
    assert_eq!(find("plans_reviewed_on_time", "", "share")[7..], ["fewer than 5", ""]);
    for name in ["Alys", "Fictional Person", "Dylan"] {
        assert!(!text.contains(name) && !b.to_string().contains(name), "de-identified: {name}");
    }

    // Only the ward's manager; a clear error for a wrong period; nothing recorded for a refusal.
    let before = app.db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reported'").await;
    assert_eq!(before, 3, "three downloads");
    for who in ["owen", "dylan", "gareth", "admin"] {
        let mut c = app.signed_in(who).await;
        c.get(&path).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    rhian.get(&format!("/api/wards/elsewhere/report?{PERIOD}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    for bad in [
        "from=2025-12-31&to=2025-01-01",
        "from=2025-02-30&to=2025-12-31",
        "from=2025-01-01",
        "from=2021-01-01&to=2025-12-31",
        "from=2025-01-01&to=2025-12-31&ward=x",
    ] {
        rhian
            .get(&format!("/api/wards/{ward}/report?{bad}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    // The longest period accepted.
    rhian.get(&format!("/api/wards/{ward}/report?from=2023-01-01&to=2025-12-31")).await.assert_status(StatusCode::OK);
    let reported: Vec<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT person_id, ward_id, detail FROM audit_log WHERE action = 'reported' ORDER BY seq")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(reported.len(), 4);
    assert!(reported.iter().all(|(p, w, _)| p.is_none() && w.as_deref() == Some(ward.as_str())), "it names nobody");
    assert_eq!(reported[2].2.as_deref(), Some("csv:2025-01-01..2025-12-31"));
}
