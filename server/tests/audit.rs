//! The audit trail, on SQLite and PostgreSQL: what is recorded (pushes, pulls once per sign-in, person pages, page
//! opens the app reports, exports), who may read it (the care team; the person in plain terms; carers never), and
//! that the hash chain names the first entry edited or deleted behind the server's back — through the store and
//! through `waymark-server audit verify`.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, TestDb,
    changes::{mutation, push},
};
use serde_json::{Value, json};
use sqlx::Row;
use waymark_server::store::{
    audit::{AuditRow, Verified},
    now_ms,
};
use waymark_shared::UserId;

on_both_engines!(
    stored_pushes_are_audited_in_their_transaction_and_replays_and_refusals_add_nothing,
    pulls_are_recorded_once_per_sign_in_and_person_not_per_poll,
    person_pages_and_exports_are_recorded_with_a_reference_to_the_sign_in,
    the_care_team_reads_a_filtered_paged_trail_and_carers_and_the_person_never_do,
    the_person_is_told_who_looked_at_their_record_in_plain_terms,
    page_opens_reported_by_the_app_are_checked_bounded_and_recorded_once,
    verify_names_the_first_entry_edited_or_deleted_behind_the_servers_back,
    ten_thousand_reads_of_a_page_are_one_entry_a_minute,
);

/// Every audit entry, oldest first, as `(actor username, action, what, person username, detail)`.
async fn entries(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    type Row = (String, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.username, a.action, a.what, p.username, a.detail FROM audit_log a \
         JOIN users u ON u.id = a.actor_id LEFT JOIN users p ON p.id = a.person_id ORDER BY a.seq",
    )
    .fetch_all(app.db.store.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(a, b, c, d, e)| (a, b, c, d.unwrap_or_default(), e.unwrap_or_default())).collect()
}

async fn audit_rows(app: &TestApp) -> i64 {
    app.db.count("SELECT COUNT(*) FROM audit_log").await
}

fn about(id: u64, person: &UserId, text: &str) -> Value {
    mutation(id, person, json!({ "type": "about_me", "field": "my_hopes", "text": text }))
}

async fn stored_pushes_are_audited_in_their_transaction_and_replays_and_refusals_add_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    let before = audit_rows(&app).await;
    let batch = vec![
        about(1, &dylan, "A garden of my own"),
        mutation(2, &dylan, json!({ "type": "add_comment", "comment": "c1", "text": "Good walk today" })),
    ];
    push(&mut owen, "tablet-owen-0001", batch.clone()).await.assert_status(StatusCode::OK);
    let after = entries(&app).await;
    assert_eq!(after.len() as i64, before + 2, "one entry per stored mutation");
    let new = &after[before as usize..];
    assert_eq!(new[0], ("owen".into(), "changed".into(), "about_me".into(), "dylan".into(), "about_me:applied".into()));
    assert_eq!(new[1].2, "comment");
    assert_eq!(new[1].4, "add_comment:applied");
    let (client, record): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT client_id, record_id FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_one(app.db.store.pool())
            .await
            .unwrap();
    assert_eq!(client.as_deref(), Some("tablet-owen-0001"), "which device");
    assert_eq!(record.as_deref(), Some("c1"), "which record");
    // Never the content.
    let dump: Vec<(String,)> =
        sqlx::query_as("SELECT COALESCE(what, '') || COALESCE(detail, '') || COALESCE(record_id, '') FROM audit_log")
            .fetch_all(app.db.store.pool())
            .await
            .unwrap();
    assert!(dump.iter().all(|(s,)| !s.contains("garden") && !s.contains("walk")), "{dump:?}");

    // A replay of the same push is answered again and records nothing.
    push(&mut owen, "tablet-owen-0001", batch).await.assert_status(StatusCode::OK);
    assert_eq!(audit_rows(&app).await, before + 2);
    // A refused push (a carer may not write About me) stores nothing, audit entries included.
    let mut gareth = app.signed_in("gareth").await;
    push(&mut gareth, "phone-gareth-0001", vec![about(1, &dylan, "x")])
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(audit_rows(&app).await, before + 2);
    assert!(matches!(app.db.store.audit_verify().await.unwrap(), Verified::Intact { .. }));
}

async fn pull_everything(c: &mut common::Client<'_>) {
    common::changes::pull_all(c, 0, None).await;
}

async fn pulls_are_recorded_once_per_sign_in_and_person_not_per_poll(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let alys = app.db.user("alys").await.id;
    let mut owen = app.signed_in("owen").await;
    push(&mut owen, "tablet-owen-0001", vec![about(1, &dylan, "Hope"), about(2, &alys, "Home")])
        .await
        .assert_status(StatusCode::OK);
    let synced = |e: &Vec<(String, String, String, String, String)>| {
        e.iter().filter(|x| x.1 == "synced").map(|x| (x.0.clone(), x.3.clone())).collect::<Vec<_>>()
    };
    // The key worker's tablet polls ten times: one entry per person whose record it received.
    for _ in 0..10 {
        pull_everything(&mut owen).await;
    }
    let mut s = synced(&entries(&app).await);
    s.sort();
    assert_eq!(s, [("owen".to_owned(), "alys".to_owned()), ("owen".into(), "dylan".into())]);
    // Sara (Alys's team) receives Alys's record only; Dylan's own device his own.
    let mut sara = app.signed_in("sara").await;
    pull_everything(&mut sara).await;
    pull_everything(&mut sara).await;
    let mut dylan_device = app.signed_in("dylan").await;
    pull_everything(&mut dylan_device).await;
    let s = synced(&entries(&app).await);
    assert_eq!(s.len(), 4, "{s:?}");
    assert!(s.contains(&("sara".into(), "alys".into())) && s.contains(&("dylan".into(), "dylan".into())));
    // A new sign-in on the key worker's tablet is a new entry when the record reaches it again.
    let mut owen_again = app.signed_in("owen").await;
    pull_everything(&mut owen_again).await;
    assert_eq!(synced(&entries(&app).await).len(), 6);
    // A carer the person shares nothing with receives nothing, and nothing is recorded for them.
    let mut gareth = app.signed_in("gareth").await;
    pull_everything(&mut gareth).await;
    assert!(synced(&entries(&app).await).iter().all(|(who, _)| who != "gareth"));
    assert!(matches!(app.db.store.audit_verify().await.unwrap(), Verified::Intact { .. }));
}

async fn person_pages_and_exports_are_recorded_with_a_reference_to_the_sign_in(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    owen.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    owen.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    owen.get(&format!("/api/people/{}/export/fhir", dylan.0)).await.assert_status(StatusCode::OK);
    owen.get(&format!("/api/people/{}/export/readings.csv?deidentified=true", dylan.0))
        .await
        .assert_status(StatusCode::OK);
    let mut owen_tablet_2 = app.signed_in("owen").await;
    owen_tablet_2.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    let rows: Vec<(String, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT action, what, detail, session_ref FROM audit_log ORDER BY seq")
            .fetch_all(app.db.store.pool())
            .await
            .unwrap();
    let kinds: Vec<(&str, &str, Option<&str>)> =
        rows.iter().map(|(a, w, d, _)| (a.as_str(), w.as_str(), d.as_deref())).collect();
    assert_eq!(
        kinds,
        [
            ("viewed", "person_page", None),
            ("exported", "fhir_bundle", Some("staff")),
            ("exported", "readings_csv", Some("deidentified")),
            ("viewed", "person_page", None),
        ]
    );
    let refs: Vec<&str> = rows.iter().map(|r| r.3.as_deref().expect("a sign-in reference")).collect();
    assert!(refs[..3].iter().all(|r| *r == refs[0]), "one sign-in, one reference: {refs:?}");
    assert_ne!(refs[3], refs[0], "another sign-in, another reference");
    for (c, r) in [(&owen, refs[0]), (&owen_tablet_2, refs[3])] {
        let cookie = c.cookie.clone().unwrap();
        assert!(!cookie.contains(r) && !r.contains(&cookie), "the reference is not the session id");
    }
    // Someone who may not open the record is refused, and nothing is recorded for them.
    let before = audit_rows(&app).await;
    let mut sara = app.signed_in("sara").await;
    sara.get(&format!("/api/people/{}", dylan.0)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    sara.get(&format!("/api/people/{}/export/fhir", dylan.0)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(audit_rows(&app).await, before);
}

async fn trail(c: &mut common::Client<'_>, person: &UserId, query: &str) -> common::Reply {
    c.get(&format!("/api/people/{}/audit{query}", person.0)).await
}

async fn the_care_team_reads_a_filtered_paged_trail_and_carers_and_the_person_never_do(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let owen_id = app.db.user("owen").await.id;
    let mut owen = app.signed_in("owen").await;
    for i in 0..5 {
        push(&mut owen, "tablet-owen-0001", vec![about(i + 1, &dylan, &format!("Version {i}"))])
            .await
            .assert_status(StatusCode::OK);
    }
    let mut gareth = app.signed_in("gareth").await;
    gareth.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);

    // The ward manager reads it: newest first, each with who, what and from which device.
    let mut rhian = app.signed_in("rhian").await;
    let r = trail(&mut rhian, &dylan, "").await;
    r.assert_status(StatusCode::OK);
    let e = r.body["entries"].as_array().unwrap();
    assert_eq!(e[0]["action"], "viewed");
    assert_eq!(e[0]["what"], "audit_trail", "reading the trail is itself recorded");
    assert_eq!(e[0]["who"]["name"], "Rhian Morgan");
    assert_eq!(e[1]["who"]["name"], "Gareth Evans");
    assert_eq!(e[1]["who"]["role"], "carer");
    assert_eq!(e[2]["what"], "about_me");
    assert_eq!(e[2]["client"], "tablet-owen-0001");
    assert!(e[1]["sign_in"].as_str().is_some_and(|s| s.len() == 16));
    assert!(!r.body.to_string().contains("Version"), "never the content");

    // Filters: by who, by kind, by action, by date range; paging.
    let by_owen = trail(&mut rhian, &dylan, &format!("?who={}", owen_id.0)).await;
    let n = by_owen.body["entries"].as_array().unwrap().len();
    assert_eq!(n, 5);
    assert!(by_owen.body["entries"].as_array().unwrap().iter().all(|x| x["who"]["id"] == owen_id.0.as_str()));
    let changes = trail(&mut rhian, &dylan, "?what=about_me&action=changed").await;
    assert_eq!(changes.body["entries"].as_array().unwrap().len(), 5);
    let page1 = trail(&mut rhian, &dylan, "?action=changed&limit=2").await;
    assert_eq!(page1.body["entries"].as_array().unwrap().len(), 2);
    let next = page1.body["next_before"].as_u64().expect("more pages");
    let page2 = trail(&mut rhian, &dylan, &format!("?action=changed&limit=2&before={next}")).await;
    let seqs: Vec<u64> = page1.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2.body["entries"].as_array().unwrap())
        .map(|x| x["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first, no overlap: {seqs:?}");
    let page3 = trail(&mut rhian, &dylan, &format!("?action=changed&limit=2&before={}", seqs[3])).await;
    assert_eq!(page3.body["entries"].as_array().unwrap().len(), 1);
    assert!(page3.body["next_before"].is_null(), "the last page");
    let today = waymark_server::export::iso_date(now_ms());
    let today_only = trail(&mut rhian, &dylan, &format!("?action=changed&from={today}&to={today}")).await;
    assert_eq!(today_only.body["entries"].as_array().unwrap().len(), 5);
    let long_ago = trail(&mut rhian, &dylan, "?from=2001-01-01&to=2001-12-31").await;
    assert_eq!(long_ago.body["entries"].as_array().unwrap().len(), 0);
    for bad in [
        "?limit=0",
        "?limit=201",
        "?from=yesterday",
        "?from=2026-02-30",
        "?from=2026-03-02&to=2026-03-01",
        "?action=deleted",
        "?colour=red",
    ] {
        trail(&mut rhian, &dylan, bad).await.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    // The largest page is bounded.
    let big = trail(&mut rhian, &dylan, "?limit=200").await;
    assert!(big.body["entries"].as_array().unwrap().len() <= 200);

    // Carers never receive audit entries; nor does the person here (they have their own plain view); staff who may
    // not open the record do not learn it exists.
    let before = audit_rows(&app).await;
    let r = trail(&mut gareth, &dylan, "").await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(!String::from_utf8_lossy(&r.bytes).contains("Owen"));
    let mut dylan_c = app.signed_in("dylan").await;
    trail(&mut dylan_c, &dylan, "").await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let mut sara = app.signed_in("sara").await;
    trail(&mut sara, &dylan, "").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let mut admin = app.signed_in("admin").await;
    trail(&mut admin, &dylan, "").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(audit_rows(&app).await, before, "refused reads record nothing");
    // The key worker may read it too.
    trail(&mut owen, &dylan, "").await.assert_status(StatusCode::OK);
}

async fn the_person_is_told_who_looked_at_their_record_in_plain_terms(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    owen.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    owen.get(&format!("/api/people/{}/export/fhir", dylan.0)).await.assert_status(StatusCode::OK);
    let mut gareth = app.signed_in("gareth").await;
    gareth.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    push(&mut owen, "tablet-owen-0001", vec![about(1, &dylan, "Hope")]).await.assert_status(StatusCode::OK);
    let mut me = app.signed_in("dylan").await;
    me.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);

    let r = me.get("/api/me/record-views").await;
    r.assert_status(StatusCode::OK);
    let views = r.body["views"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str, &str)> = views
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap(),
                v["role"].as_str().unwrap(),
                v["action"].as_str().unwrap(),
                v["what"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Gareth Evans", "carer", "viewed", "person_page"),
            ("Owen Price", "key_worker", "exported", "fhir_bundle"),
            ("Owen Price", "key_worker", "viewed", "person_page"),
        ]
    );
    // Plain terms: no devices, sign-ins or ids; not their own looks; not changes.
    let text = String::from_utf8_lossy(&r.bytes);
    for hidden in ["client", "sign_in", "tablet-owen", "Dylan Evans", "changed", "\"id\""] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    let page = me.get("/api/me/record-views?limit=1").await;
    assert_eq!(page.body["views"].as_array().unwrap().len(), 1);
    let next = page.body["next_before"].as_u64().unwrap();
    let older = me.get(&format!("/api/me/record-views?limit=2&before={next}")).await;
    assert_eq!(older.body["views"][0]["what"], "fhir_bundle");
    me.get("/api/me/record-views?limit=999").await.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    // Only service users have a record to ask about.
    for who in ["owen", "gareth", "rhian", "admin"] {
        let mut c = app.signed_in(who).await;
        c.get("/api/me/record-views").await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    app.client().get("/api/me/record-views").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

fn view(person: &UserId, page: &str, at_ms: i64) -> Value {
    json!({ "person": person.0, "page": page, "at_ms": at_ms })
}

async fn page_opens_reported_by_the_app_are_checked_bounded_and_recorded_once(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let tomos = app.db.user("tomos").await.id;
    let mut owen = app.signed_in("owen").await;
    let now = now_ms();
    let yesterday = now - 24 * 60 * 60 * 1000;
    let r = owen
        .post("/api/audit/views", json!({ "views": [view(&dylan, "plan", yesterday), view(&dylan, "tracker", now), view(&tomos, "plan", now)] }))
        .await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body, json!({ "recorded": 2, "already_recorded": 0, "not_recorded": 1 }));
    let opened: Vec<(String, i64)> =
        sqlx::query_as("SELECT what, at_ms FROM audit_log WHERE action = 'opened' ORDER BY seq")
            .fetch_all(app.db.store.pool())
            .await
            .unwrap();
    assert_eq!(opened, [("plan".to_owned(), yesterday), ("tracker".to_owned(), now)], "when it was opened, not sent");
    // Sent again (the answer was lost on the way): recorded once.
    let again = owen.post("/api/audit/views", json!({ "views": [view(&dylan, "plan", yesterday)] })).await;
    assert_eq!(again.body, json!({ "recorded": 0, "already_recorded": 1, "not_recorded": 0 }));

    // Bad input: a clear error, and nothing written.
    let before = audit_rows(&app).await;
    let too_many: Vec<Value> = (0..201).map(|i| view(&dylan, "plan", now - i)).collect();
    for (body, code) in [
        (json!({ "views": too_many }), "invalid_input"),
        (json!({ "views": [view(&dylan, "plan", now + 60 * 60 * 1000)] }), "invalid_input"),
        (json!({ "views": [view(&dylan, "plan", now - 31 * 24 * 60 * 60 * 1000)] }), "invalid_input"),
        (json!({ "views": [view(&dylan, "plan", now), view(&dylan, "diary", now)] }), "invalid_body"),
        (json!({ "views": [{ "person": dylan.0, "page": "plan", "at_ms": now, "note": "x" }] }), "invalid_body"),
        (json!({ "views": [view(&UserId("x".repeat(65)), "plan", now)] }), "invalid_input"),
    ] {
        owen.post("/api/audit/views", body).await.assert_error(StatusCode::BAD_REQUEST, code);
    }
    assert_eq!(audit_rows(&app).await, before);

    // Abuse: 10,000 requests with the largest batch. An account records at most MAX_VIEWS_PER_HOUR page opens an hour;
    // beyond that every request is refused (429, with Retry-After) and writes nothing.
    let limit = waymark_shared::api::MAX_VIEWS_PER_HOUR as i64;
    let already = app.db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'opened'").await;
    let mut refused = 0;
    for round in 0..10_000i64 {
        let batch: Vec<Value> = (0..200).map(|i| view(&dylan, "person", now - round * 200 - i)).collect();
        let r = owen.post("/api/audit/views", json!({ "views": batch })).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
            assert!(r.header("retry-after").is_some());
            refused += 1;
        } else {
            r.assert_status(StatusCode::OK);
        }
    }
    assert_eq!(refused, 10_000 - 9, "every request past the limit is refused");
    let opened = app.db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'opened'").await;
    assert!(opened <= limit, "{opened} page opens recorded in an hour (at most {limit})");
    assert!(opened >= limit - 200 + already.min(200), "the limit is not reached early: {opened}");
    // Another account is not held back by it.
    let mut rhian = app.signed_in("rhian").await;
    rhian.post("/api/audit/views", json!({ "views": [view(&dylan, "plan", now)] })).await.assert_status(StatusCode::OK);
    // Carers report what they open too (it is part of "who looked"), of the person they support only.
    let mut gareth = app.signed_in("gareth").await;
    let r = gareth
        .post("/api/audit/views", json!({ "views": [view(&dylan, "plan", now), view(&tomos, "plan", now)] }))
        .await;
    assert_eq!(r.body, json!({ "recorded": 1, "already_recorded": 0, "not_recorded": 1 }));
    assert!(matches!(app.db.store.audit_verify().await.unwrap(), Verified::Intact { .. }));
}

/// The stored entry `seq` (what its hash covers) and its stored hash.
async fn stored_row(app: &TestApp, seq: i64) -> (AuditRow, String) {
    let r =
        sqlx::query("SELECT * FROM audit_log WHERE seq = $1").bind(seq).fetch_one(app.db.store.pool()).await.unwrap();
    let row = AuditRow {
        seq: r.get("seq"),
        prev_hash: r.get("prev_hash"),
        at_ms: r.get("at_ms"),
        recorded_ms: r.get("recorded_ms"),
        actor_id: r.get("actor_id"),
        actor_name: r.get("actor_name"),
        actor_role: r.get("actor_role"),
        person_id: r.get("person_id"),
        ward_id: r.get("ward_id"),
        action: r.get("action"),
        what: r.get("what"),
        record_id: r.get("record_id"),
        detail: r.get("detail"),
        client_id: r.get("client_id"),
        session_ref: r.get("session_ref"),
        dedupe: r.get("dedupe"),
    };
    assert_eq!(row.hash(), r.get::<String, _>("hash"), "the test recomputes hashes as the server does");
    (row, r.get("hash"))
}

/// `waymark-server audit verify` over this database: its exit code and what it printed.
fn verify_command(db: &TestDb) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_waymark-server"))
        .args(["audit", "verify"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run waymark-server audit verify");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn verify_names_the_first_entry_edited_or_deleted_behind_the_servers_back(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    // Twelve entries: a person page read (the same read again within a minute is the same entry) and eleven changes.
    owen.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    owen.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    for i in 0..11 {
        push(&mut owen, "tablet-owen-0001", vec![about(i + 1, &dylan, &format!("v{i}"))])
            .await
            .assert_status(StatusCode::OK);
    }
    assert_eq!(audit_rows(&app).await, 12);
    let Verified::Intact { entries: 12, head } = app.db.store.audit_verify().await.unwrap() else { panic!("intact") };
    let (code, out) = verify_command(&app.db);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact: 12 entries") && out.contains(&head), "{out}");
    let pool = app.db.store.pool();
    let exec = |sql: &'static str| async move { sqlx::query(sql).execute(pool).await.unwrap() };

    // Someone changes who did something.
    exec("UPDATE audit_log SET actor_name = 'Somebody Else' WHERE seq = 5").await;
    assert_eq!(
        app.db.store.audit_verify().await.unwrap(),
        Verified::Broken { seq: 5, reason: "entry 5 does not match its hash (it was changed)".into() }
    );
    let (code, out) = verify_command(&app.db);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BROKEN at entry 5"), "{out}");
    exec("UPDATE audit_log SET actor_name = 'Owen Price' WHERE seq = 5").await;
    assert!(
        matches!(app.db.store.audit_verify().await.unwrap(), Verified::Intact { .. }),
        "put back, it is whole again"
    );

    // Someone changes an entry and writes its hash again, as the server would have: the next entry no longer
    // follows it.
    let (mut row, original) = stored_row(&app, 3).await;
    row.at_ms -= 86_400_000;
    sqlx::query("UPDATE audit_log SET at_ms = $1, hash = $2 WHERE seq = 3")
        .bind(row.at_ms)
        .bind(row.hash())
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        app.db.store.audit_verify().await.unwrap(),
        Verified::Broken { seq: 4, reason: "entry 4 does not follow entry 3 (its previous hash differs)".into() }
    );
    sqlx::query("UPDATE audit_log SET at_ms = $1, hash = $2 WHERE seq = 3")
        .bind(row.at_ms + 86_400_000)
        .bind(&original)
        .execute(pool)
        .await
        .unwrap();
    assert!(matches!(app.db.store.audit_verify().await.unwrap(), Verified::Intact { .. }));

    // Someone deletes the newest entry: the chain's end no longer matches the head the server recorded.
    exec("DELETE FROM audit_log WHERE seq = 12").await;
    assert_eq!(
        app.db.store.audit_verify().await.unwrap(),
        Verified::Broken { seq: 12, reason: "entries 12 to 12 are missing (deleted from the end)".into() }
    );

    // Someone deletes an entry in the middle.
    exec("DELETE FROM audit_log WHERE seq = 7").await;
    assert_eq!(
        app.db.store.audit_verify().await.unwrap(),
        Verified::Broken { seq: 7, reason: "entry 7 is missing (deleted)".into() }
    );
    let (code, out) = verify_command(&app.db);
    assert_eq!(code, 1);
    assert!(out.contains("BROKEN at entry 7") && out.contains("missing"), "{out}");
}

async fn ten_thousand_reads_of_a_page_are_one_entry_a_minute(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    let started = std::time::Instant::now();
    for _ in 0..10_000 {
        owen.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    }
    let minutes = started.elapsed().as_secs() / 60;
    let rows = audit_rows(&app).await;
    assert!(rows >= 1 && rows as u64 <= minutes + 2, "{rows} entries for 10,000 reads over {minutes} minutes");
    // Another sign-in reading the same page is another entry.
    let mut again = app.signed_in("owen").await;
    again.get(&format!("/api/people/{}", dylan.0)).await.assert_status(StatusCode::OK);
    assert_eq!(audit_rows(&app).await, rows + 1);
    assert!(matches!(app.db.store.audit_verify().await.unwrap(), Verified::Intact { .. }));
}
