//! Administration (issue 16), through the real router on SQLite and PostgreSQL: who may do each administration
//! action (an administrator; a ward manager only for their own ward's care teams and stays; everyone else refused
//! with nothing written); switching an account off ends its sessions and live streams and refuses its pulls; a move
//! to another ward moves who receives the person's record (checked on the raw pull bytes); a password reset ends
//! sessions and withdraws device keys; a one-time password must be changed first; a peer support worker receives
//! only what the person shares with them; bad input is refused clearly and writes nothing; searches and the ward
//! list are bounded.

mod common;

use axum::http::StatusCode;
use common::{
    Client, Reply, TestApp, TestDb,
    changes::{mutation, pull_all, push},
};
use serde_json::{Value, json};
use std::time::Duration;
use waymark_server::live;
use waymark_shared::UserId;

on_both_engines!(
    account_and_ward_actions_are_for_administrators_only,
    ward_managers_manage_care_teams_and_stays_on_their_own_ward_only,
    switching_an_account_off_ends_its_sessions_and_streams_and_refuses_its_pulls,
    a_move_to_another_ward_moves_who_receives_the_record,
    a_password_reset_ends_sessions_and_withdraws_device_keys,
    a_one_time_password_must_be_changed_at_first_sign_in,
    a_peer_support_worker_receives_only_what_the_person_shares_with_them,
    discharge_keeps_the_record_and_ends_what_was_shared_with_carers,
    bad_input_is_refused_clearly_and_writes_nothing,
    searches_and_the_ward_list_are_bounded,
    a_burst_of_new_accounts_hashes_no_more_than_the_bound,
);

const WAIT: Duration = Duration::from_secs(5);
const ONE_SECOND: Duration = Duration::from_millis(1_000);

/// Rows of everything administration writes.
async fn admin_rows(db: &TestDb) -> [i64; 6] {
    [
        db.count("SELECT COUNT(*) FROM users").await,
        db.count("SELECT COUNT(*) FROM wards").await,
        db.count("SELECT COUNT(*) FROM care_team").await,
        db.count("SELECT COUNT(*) FROM stays").await,
        db.count("SELECT COUNT(*) FROM users WHERE active = 1").await,
        db.count("SELECT COUNT(*) FROM users WHERE identity IS NOT NULL").await,
    ]
}

async fn password_hash(db: &TestDb, username: &str) -> String {
    db.user(username).await.password_hash
}

/// Make an account as the administrator; returns its id and one-time password.
async fn create(admin: &mut Client<'_>, body: Value) -> (UserId, String) {
    let r = admin.post("/api/admin/accounts", body).await;
    r.assert_status(StatusCode::CREATED);
    let id = UserId(r.body["account"]["id"].as_str().unwrap().to_owned());
    (id, r.body["one_time_password"].as_str().unwrap().to_owned())
}

async fn new_ward(admin: &mut Client<'_>, name: &str) -> String {
    let r = admin.post("/api/admin/wards", json!({ "name": name })).await;
    r.assert_status(StatusCode::CREATED);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn demo_ward(db: &TestDb) -> String {
    db.user("owen").await.ward_id.unwrap()
}

/// Sign in with a one-time password and choose `new` (as the first sign-in requires).
async fn first_sign_in<'a>(app: &'a TestApp, username: &str, one_time: &str, new: &str) -> Client<'a> {
    let mut c = app.client();
    c.sign_in(username, one_time).await.assert_status(StatusCode::OK);
    c.post("/api/me/password", json!({ "current_password": one_time, "new_password": new }))
        .await
        .assert_status(StatusCode::OK);
    c
}

#[track_caller]
fn refused(r: &Reply, who: &str, what: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {what} must be refused: {}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.body["code"], "forbidden", "{who}: {what}: {}", r.body);
}

async fn account_and_ward_actions_are_for_administrators_only(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut admin = app.signed_in("admin").await;
    let (peer, peer_pw) = create(
        &mut admin,
        json!({ "username": "peer1", "display_name": "Ceri Bowen", "role": "peer_support", "ward": null }),
    )
    .await;
    let _ = first_sign_in(&app, "peer1", &peer_pw, "a long new password").await;
    let owen = app.db.user("owen").await.id;
    let ward = demo_ward(&app.db).await;
    let actions: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/admin/accounts?q=owen".into(), None),
        ("GET", format!("/api/admin/accounts/{}", owen.0), None),
        (
            "POST",
            "/api/admin/accounts".into(),
            Some(json!({ "username": "intruder", "display_name": "Not Allowed", "role": "admin", "ward": null })),
        ),
        ("POST", format!("/api/admin/accounts/{}/password", owen.0), Some(json!({}))),
        ("POST", format!("/api/admin/accounts/{}/deactivate", owen.0), Some(json!({}))),
        ("POST", format!("/api/admin/accounts/{}/reactivate", owen.0), Some(json!({}))),
        ("PUT", format!("/api/admin/accounts/{}/identity", owen.0), Some(json!({ "identity": "owen@hospital" }))),
        ("POST", "/api/admin/wards".into(), Some(json!({ "name": "Not Allowed Ward" }))),
    ];
    let owen_hash = password_hash(&app.db, "owen").await;
    // Every other role, ward managers included, is refused each of these, and nothing is written.
    for who in ["dylan", "owen", "sara", "rhian", "gareth", "peer1"] {
        let mut c = if who == "peer1" {
            let mut c = app.client();
            c.sign_in("peer1", "a long new password").await.assert_status(StatusCode::OK);
            c
        } else {
            app.signed_in(who).await
        };
        for (method, path, body) in &actions {
            let before = admin_rows(&app.db).await;
            let r = match (*method, body) {
                ("GET", _) => c.get(path).await,
                ("POST", Some(b)) => c.post(path, b.clone()).await,
                (_, Some(b)) => c.put(path, b.clone()).await,
                _ => unreachable!(),
            };
            refused(&r, who, &format!("{method} {path}"));
            assert!(r.body.get("one_time_password").is_none() && r.body.get("accounts").is_none());
            assert_eq!(admin_rows(&app.db).await, before, "{who}: {method} {path} wrote nothing");
        }
        assert_eq!(password_hash(&app.db, "owen").await, owen_hash, "{who} reset nobody's password");
        // The ward and people routes are for administrators and ward managers only.
        if who != "rhian" {
            let dylan = app.db.user("dylan").await.id;
            refused(&c.get("/api/admin/wards").await, who, "the ward list");
            refused(&c.get(&format!("/api/admin/wards/{ward}")).await, who, "the ward roster");
            refused(&c.get(&format!("/api/admin/people/{}", dylan.0)).await, who, "a person's care team");
            let before = admin_rows(&app.db).await;
            let r = c
                .put(
                    &format!("/api/admin/people/{}/care-team/{}", dylan.0, peer.0),
                    json!({ "relation": "peer_support" }),
                )
                .await;
            refused(&r, who, "a care-team link");
            let r = c.post(&format!("/api/admin/people/{}/discharge", dylan.0), json!({ "date": "2026-01-01" })).await;
            refused(&r, who, "a discharge");
            assert_eq!(admin_rows(&app.db).await, before, "{who}: refused care-team and stay changes wrote nothing");
        }
    }
    // Not signed in: 401, nothing written.
    let before = admin_rows(&app.db).await;
    let mut nobody = app.client();
    nobody.get("/api/admin/accounts").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    nobody
        .post("/api/admin/wards", json!({ "name": "Anonymous Ward" }))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    assert_eq!(admin_rows(&app.db).await, before);

    // The administrator may do each of them.
    let r = admin.get("/api/admin/accounts?q=price").await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["accounts"][0]["username"], "owen");
    assert!(r.bytes.windows(13).all(|w| w != b"password_hash"), "no password hash is ever sent");
    admin.get(&format!("/api/admin/accounts/{}", owen.0)).await.assert_status(StatusCode::OK);
    let (_, _) = create(
        &mut admin,
        json!({ "username": "bethan", "display_name": "Bethan Rees", "role": "key_worker", "ward": ward }),
    )
    .await;
    admin.post(&format!("/api/admin/accounts/{}/password", owen.0), json!({})).await.assert_status(StatusCode::OK);
    assert_ne!(password_hash(&app.db, "owen").await, owen_hash);
    let r = admin.post(&format!("/api/admin/accounts/{}/deactivate", owen.0), json!({})).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["active"], false);
    let r = admin.post(&format!("/api/admin/accounts/{}/reactivate", owen.0), json!({})).await;
    assert_eq!(r.body["active"], true);
    let r =
        admin.put(&format!("/api/admin/accounts/{}/identity", owen.0), json!({ "identity": "owen@hospital" })).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["identity"], "owen@hospital");
    new_ward(&mut admin, "Onnen Ward").await;
    let r = admin.get("/api/admin/wards").await;
    assert_eq!(r.body["wards"].as_array().unwrap().len(), 2, "{}", r.body);
    // An administrator cannot switch their own account off (nobody would be left to switch it on).
    let me = app.db.user("admin").await.id;
    admin
        .post(&format!("/api/admin/accounts/{}/deactivate", me.0), json!({}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert!(app.db.user("admin").await.active);
}

async fn ward_managers_manage_care_teams_and_stays_on_their_own_ward_only(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut admin = app.signed_in("admin").await;
    let demo = demo_ward(&app.db).await;
    let onnen = new_ward(&mut admin, "Onnen Ward").await;
    let (elsewhere, _) = create(
        &mut admin,
        json!({ "username": "morgan", "display_name": "Morgan Jones", "role": "service_user", "ward": onnen }),
    )
    .await;
    let (onnen_kw, _) = create(
        &mut admin,
        json!({ "username": "iolo", "display_name": "Iolo Watkins", "role": "key_worker", "ward": onnen }),
    )
    .await;
    let dylan = app.db.user("dylan").await.id;
    let sara = app.db.user("sara").await.id;
    let mut rhian = app.signed_in("rhian").await;

    // Their own ward: the list holds it alone; its roster; its people's care teams.
    let r = rhian.get("/api/admin/wards").await;
    r.assert_status(StatusCode::OK);
    let wards: Vec<&str> = r.body["wards"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(wards, [demo.as_str()], "a ward manager's list holds their own ward only");
    rhian.get(&format!("/api/admin/wards/{demo}")).await.assert_status(StatusCode::OK);
    let r = rhian.get(&format!("/api/admin/people/{}", dylan.0)).await;
    r.assert_status(StatusCode::OK);
    let r = rhian
        .put(&format!("/api/admin/people/{}/care-team/{}", dylan.0, sara.0), json!({ "relation": "key_worker" }))
        .await;
    r.assert_status(StatusCode::OK);
    let team = r.body["care_team"].as_array().unwrap();
    let relation_of = |name: &str| team.iter().find(|m| m["display_name"] == name).map(|m| m["relation"].clone());
    assert_eq!(relation_of("Sara Lloyd"), Some(json!("key_worker")));
    assert_eq!(relation_of("Owen Price"), Some(json!("staff")), "the key worker before becomes care-team staff");
    // Someone from another ward cannot take a staff place on this ward's care team.
    let before = admin_rows(&app.db).await;
    rhian
        .put(&format!("/api/admin/people/{}/care-team/{}", dylan.0, onnen_kw.0), json!({ "relation": "staff" }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert_eq!(admin_rows(&app.db).await, before);
    let r = rhian.delete(&format!("/api/admin/people/{}/care-team/{}", dylan.0, sara.0)).await;
    r.assert_status(StatusCode::OK);

    // Another ward: refused every time, nothing written.
    let before = admin_rows(&app.db).await;
    refused(&rhian.get(&format!("/api/admin/wards/{onnen}")).await, "rhian", "another ward's roster");
    refused(&rhian.get(&format!("/api/admin/people/{}", elsewhere.0)).await, "rhian", "another ward's person");
    let r = rhian
        .put(
            &format!("/api/admin/people/{}/care-team/{}", elsewhere.0, onnen_kw.0),
            json!({ "relation": "key_worker" }),
        )
        .await;
    refused(&r, "rhian", "another ward's care team");
    refused(
        &rhian.delete(&format!("/api/admin/people/{}/care-team/{}", elsewhere.0, onnen_kw.0)).await,
        "rhian",
        "unlink",
    );
    let r = rhian.post(&format!("/api/admin/people/{}/discharge", elsewhere.0), json!({ "date": "2026-01-01" })).await;
    refused(&r, "rhian", "discharging another ward's person");
    let r = rhian
        .post(&format!("/api/admin/people/{}/transfer", elsewhere.0), json!({ "ward": demo, "date": "2026-01-01" }))
        .await;
    refused(&r, "rhian", "moving another ward's person");
    assert_eq!(admin_rows(&app.db).await, before, "refused ward-manager actions wrote nothing");

    // Their own person may be moved away; then they are another ward's, and no longer theirs to manage.
    let r = rhian
        .post(&format!("/api/admin/people/{}/transfer", dylan.0), json!({ "ward": onnen, "date": "2026-01-02" }))
        .await;
    r.assert_status(StatusCode::CREATED);
    let steps = r.body["stays"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["kind"], "transferred");
    assert_eq!(steps.last().unwrap()["date"], "2026-01-02");
    refused(&rhian.get(&format!("/api/admin/people/{}", dylan.0)).await, "rhian", "a person moved off her ward");
    // The administrator may act on any ward.
    admin.get(&format!("/api/admin/people/{}", elsewhere.0)).await.assert_status(StatusCode::OK);
    admin
        .put(
            &format!("/api/admin/people/{}/care-team/{}", elsewhere.0, onnen_kw.0),
            json!({ "relation": "key_worker" }),
        )
        .await
        .assert_status(StatusCode::OK);
}

async fn switching_an_account_off_ends_its_sessions_and_streams_and_refuses_its_pulls(db: TestDb) {
    let app = TestApp::demo(db).await;
    let watcher = live::spawn_watcher(app.state.live.clone(), app.db.store.clone());
    let dylan = app.db.user("dylan").await.id;
    let owen_id = app.db.user("owen").await.id;
    let mut owen = app.signed_in("owen").await;
    push(
        &mut owen,
        "tablet-owen-0001",
        vec![mutation(1, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "MARK-KEPT" }))],
    )
    .await
    .assert_status(StatusCode::OK);
    let mut stream = owen.open_stream("/api/sync/live").await;
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "hello");
    let mut sara = app.signed_in("sara").await;
    let mut saras = sara.open_stream("/api/sync/live").await;
    assert_eq!(saras.next_event(WAIT).await.unwrap().event, "hello");
    let cells = app.db.count("SELECT COUNT(*) FROM sync_cells").await;

    let mut admin = app.signed_in("admin").await;
    admin.post(&format!("/api/admin/accounts/{}/deactivate", owen_id.0), json!({})).await.assert_status(StatusCode::OK);
    assert!(stream.ended_within(ONE_SECOND).await, "the live stream ends within a second");
    assert!(!saras.ended_within(Duration::from_millis(500)).await, "other people's streams go on");
    let r = owen.get("/api/sync/pull?schema=1&since=0").await;
    assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "pull refused: {}", r.status);
    assert!(r.body.get("changes").is_none() && !String::from_utf8_lossy(&r.bytes).contains("MARK-KEPT"));
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM sessions WHERE user_id = '{}'", owen_id.0)).await, 0);
    let mut again = app.client();
    again
        .sign_in("owen", waymark_server::seed::DEMO_PASSWORD)
        .await
        .assert_error(StatusCode::FORBIDDEN, "account_deactivated");
    assert!(again.get("/api/sync/pull?schema=1&since=0").await.status == StatusCode::UNAUTHORIZED);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sync_cells").await, cells, "nobody's record is deleted");
    // Still on Dylan's care team; Dylan's record keeps what Owen wrote.
    let (bytes, ..) = pull_all(&mut app.signed_in("dylan").await, 0, None).await;
    assert!(bytes.contains("MARK-KEPT"));

    // Switched back on: Owen signs in and pulls again.
    admin.post(&format!("/api/admin/accounts/{}/reactivate", owen_id.0), json!({})).await.assert_status(StatusCode::OK);
    let mut back = app.signed_in("owen").await;
    let (bytes, ..) = pull_all(&mut back, 0, None).await;
    assert!(bytes.contains("MARK-KEPT"));
    watcher.abort();
}

async fn a_move_to_another_ward_moves_who_receives_the_record(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut admin = app.signed_in("admin").await;
    let onnen = new_ward(&mut admin, "Onnen Ward").await;
    let (iolo, iolo_pw) = create(
        &mut admin,
        json!({ "username": "iolo", "display_name": "Iolo Watkins", "role": "key_worker", "ward": onnen }),
    )
    .await;
    let (_, manager_pw) = create(
        &mut admin,
        json!({ "username": "eluned", "display_name": "Eluned Pryce", "role": "ward_manager", "ward": onnen }),
    )
    .await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    let mark = json!({ "type": "about_me", "field": "my_hopes", "text": "MARK-DYLAN-HOPES" });
    push(&mut owen, "tablet-owen-0001", vec![mutation(1, &dylan, mark)]).await.assert_status(StatusCode::OK);
    let mut iolo_c = first_sign_in(&app, "iolo", &iolo_pw, "a long new password").await;
    let mut rhian = app.signed_in("rhian").await;

    // Before: Owen (key worker) and Rhian (the ward's manager) receive Dylan's record; Iolo does not.
    let (owens, owen_cursor, owen_scope, _) = pull_all(&mut owen, 0, None).await;
    assert!(owens.contains("MARK-DYLAN-HOPES") && owens.contains(&dylan.0));
    let (rhians, rhian_cursor, rhian_scope, _) = pull_all(&mut rhian, 0, None).await;
    assert!(rhians.contains("MARK-DYLAN-HOPES"));
    let (iolos, iolo_cursor, iolo_scope, _) = pull_all(&mut iolo_c, 0, None).await;
    assert!(!iolos.contains("MARK-DYLAN-HOPES") && !iolos.contains(&dylan.0));

    // The administrator moves Dylan to Onnen Ward and makes Iolo his key worker.
    let r = admin
        .post(&format!("/api/admin/people/{}/transfer", dylan.0), json!({ "ward": onnen, "date": "2026-03-04" }))
        .await;
    r.assert_status(StatusCode::CREATED);
    let team: Vec<&str> =
        r.body["care_team"].as_array().unwrap().iter().map(|m| m["display_name"].as_str().unwrap()).collect();
    assert!(!team.contains(&"Owen Price"), "the old ward's staff leave the care team: {team:?}");
    assert!(team.contains(&"Gareth Evans"), "his carer stays: {team:?}");
    admin
        .put(&format!("/api/admin/people/{}/care-team/{}", dylan.0, iolo.0), json!({ "relation": "key_worker" }))
        .await
        .assert_status(StatusCode::OK);

    // After: the old ward's staff no longer receive him, from where they were or from the start; the new ward's do.
    for (c, cursor, scope, who) in
        [(&mut owen, owen_cursor, owen_scope, "owen"), (&mut rhian, rhian_cursor, rhian_scope, "rhian")]
    {
        let (bytes, _, _, reset) = pull_all(c, cursor, Some(&scope)).await;
        assert!(reset, "{who}'s device starts again: what it may see has changed");
        assert!(!bytes.contains("MARK-DYLAN-HOPES") && !bytes.contains(&dylan.0), "{who} no longer receives Dylan");
        let (fresh, ..) = pull_all(c, 0, None).await;
        assert!(!fresh.contains("MARK-DYLAN-HOPES") && !fresh.contains(&dylan.0), "{who}, from the start");
        let r = c.get(&format!("/api/people/{}", dylan.0)).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{who}: {}", r.status);
    }
    let (bytes, _, _, reset) = pull_all(&mut iolo_c, iolo_cursor, Some(&iolo_scope)).await;
    assert!(reset && bytes.contains("MARK-DYLAN-HOPES"), "the new key worker receives him");
    let mut eluned = first_sign_in(&app, "eluned", &manager_pw, "a long new password").await;
    let (bytes, ..) = pull_all(&mut eluned, 0, None).await;
    assert!(bytes.contains("MARK-DYLAN-HOPES"), "the new ward's manager receives him");
    // The person's page shows each dated step.
    let r = iolo_c.get(&format!("/api/people/{}", dylan.0)).await;
    r.assert_status(StatusCode::OK);
    let last = r.body["stays"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["date"].as_str()), (Some("transferred"), Some("2026-03-04")));
    assert_eq!(last["ward"]["name"], "Onnen Ward");
    assert_eq!(last["recorded_by"], "Demo Administrator");
    // Moving him to the ward he is on is refused and writes nothing.
    let before = admin_rows(&app.db).await;
    admin
        .post(&format!("/api/admin/people/{}/transfer", dylan.0), json!({ "ward": onnen, "date": "2026-03-05" }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert_eq!(admin_rows(&app.db).await, before);
}

async fn a_password_reset_ends_sessions_and_withdraws_device_keys(db: TestDb) {
    let app = TestApp::demo(db).await;
    let owen_id = app.db.user("owen").await.id;
    let mut owen = app.signed_in("owen").await;
    let mut tablet = app.signed_in("owen").await;
    for (c, d) in [(&mut owen, 1u32), (&mut tablet, 2)] {
        c.post("/api/device-key", json!({ "device": format!("{d:032x}") })).await.assert_status(StatusCode::OK);
    }
    let mut stream = tablet.open_stream("/api/sync/live").await;
    assert_eq!(stream.next_event(WAIT).await.unwrap().event, "hello");
    let key_rows = format!("SELECT COUNT(*) FROM device_keys WHERE user_id = '{}'", owen_id.0);
    assert_eq!(app.db.count(&key_rows).await, 2);
    let sara_keys =
        app.signed_in("sara").await.post("/api/device-key", json!({ "device": format!("{:032x}", 3) })).await;
    sara_keys.assert_status(StatusCode::OK);

    let mut admin = app.signed_in("admin").await;
    let r = admin.post(&format!("/api/admin/accounts/{}/password", owen_id.0), json!({})).await;
    r.assert_status(StatusCode::OK);
    let one_time = r.body["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(one_time.len(), 14, "three groups of four: {one_time}");
    assert_eq!(r.body["account"]["must_change_password"], true);

    assert!(stream.ended_within(ONE_SECOND).await, "the live stream ends");
    for c in [&mut owen, &mut tablet] {
        c.get("/api/sync/pull?schema=1&since=0").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    }
    assert_eq!(app.db.count(&key_rows).await, 0, "the device keys handed out for Owen are withdrawn");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM device_keys").await, 1, "Sara's key stays");
    app.client()
        .sign_in("owen", waymark_server::seed::DEMO_PASSWORD)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    // The one-time password works once, and must be changed before anything else.
    let mut c = app.client();
    c.sign_in("owen", &one_time).await.assert_status(StatusCode::OK);
    c.get("/api/sync/pull?schema=1&since=0").await.assert_error(StatusCode::FORBIDDEN, "password_change_required");
}

async fn a_one_time_password_must_be_changed_at_first_sign_in(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut admin = app.signed_in("admin").await;
    let ward = demo_ward(&app.db).await;
    let (_, one_time) = create(
        &mut admin,
        json!({ "username": "bethan", "display_name": "Bethan Rees", "role": "key_worker", "ward": ward }),
    )
    .await;
    let mut c = app.client();
    let r = c.sign_in("bethan", &one_time).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["user"]["must_change_password"], true, "{}", r.body);
    assert_eq!(c.get("/api/session").await.body["user"]["must_change_password"], true);
    // Nothing else until it is changed.
    c.get("/api/sync/pull?schema=1&since=0").await.assert_error(StatusCode::FORBIDDEN, "password_change_required");
    c.post("/api/device-key", json!({ "device": format!("{:032x}", 9) }))
        .await
        .assert_error(StatusCode::FORBIDDEN, "password_change_required");
    let hash = password_hash(&app.db, "bethan").await;
    // Wrong current password, too short, the same again: refused, nothing changed.
    c.post("/api/me/password", json!({ "current_password": "wrong-wrong", "new_password": "a long new password" }))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let r = c.post("/api/me/password", json!({ "current_password": one_time, "new_password": "short" })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert!(r.body["message"].as_str().unwrap().contains("new_password"), "names the field: {}", r.body);
    c.post("/api/me/password", json!({ "current_password": one_time, "new_password": one_time }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    c.post("/api/me/password", json!({ "current_password": one_time, "new_password": "x", "extra": 1 }))
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(password_hash(&app.db, "bethan").await, hash, "refusals changed nothing");
    assert!(app.db.user("bethan").await.must_change_password);
    // Changed: the session goes on, everything opens, and the one-time password no longer works.
    let r = c
        .post("/api/me/password", json!({ "current_password": one_time, "new_password": "a garden by the sea" }))
        .await;
    r.assert_status(StatusCode::OK);
    assert!(r.body["user"].get("must_change_password").is_none(), "no longer asked: {}", r.body);
    c.get("/api/sync/pull?schema=1&since=0").await.assert_status(StatusCode::OK);
    assert!(!app.db.user("bethan").await.must_change_password);
    app.client().sign_in("bethan", &one_time).await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    app.client().sign_in("bethan", "a garden by the sea").await.assert_status(StatusCode::OK);
}

async fn a_peer_support_worker_receives_only_what_the_person_shares_with_them(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut admin = app.signed_in("admin").await;
    let (peer, pw) = create(
        &mut admin,
        json!({ "username": "ceri", "display_name": "Ceri Bowen", "role": "peer_support", "ward": null }),
    )
    .await;
    let dylan = app.db.user("dylan").await.id;
    let mut owen = app.signed_in("owen").await;
    let record = vec![
        mutation(1, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "MARK-ABOUT-ME" })),
        mutation(2, &dylan, json!({ "type": "add_comment", "comment": "c-team", "text": "MARK-TEAM-COMMENT" })),
        mutation(
            3,
            &dylan,
            json!({ "type": "add_plan_item", "item": "p1", "section": "triggers", "text": "MARK-TRIGGER" }),
        ),
        mutation(
            4,
            &dylan,
            json!({ "type": "add_plan_item", "item": "p2", "section": "staff_only", "text": "MARK-STAFF-ONLY" }),
        ),
        mutation(
            5,
            &dylan,
            json!({ "type": "add_plan_item", "item": "p3", "section": "people_places", "text": "MARK-PLACES" }),
        ),
    ];
    push(&mut owen, "tablet-owen-0001", record).await.assert_status(StatusCode::OK);
    let marks = ["MARK-ABOUT-ME", "MARK-TEAM-COMMENT", "MARK-TRIGGER", "MARK-STAFF-ONLY", "MARK-PLACES"];
    let held = |bytes: &str| marks.iter().copied().filter(|m| bytes.contains(m)).collect::<Vec<_>>();

    let mut ceri = first_sign_in(&app, "ceri", &pw, "a long new password").await;
    let (bytes, ..) = pull_all(&mut ceri, 0, None).await;
    assert!(held(&bytes).is_empty() && !bytes.contains(&dylan.0), "not linked: nothing of Dylan");
    // Linked by the care team (Rhian, the ward's manager): still nothing until Dylan shares.
    let r = app
        .signed_in("rhian")
        .await
        .put(&format!("/api/admin/people/{}/care-team/{}", dylan.0, peer.0), json!({ "relation": "peer_support" }))
        .await;
    r.assert_status(StatusCode::OK);
    assert!(r.body["care_team"].as_array().unwrap().iter().any(|m| m["relation"] == "peer_support"));
    let (bytes, cursor, scope, _) = pull_all(&mut ceri, 0, None).await;
    assert_eq!(held(&bytes), Vec::<&str>::new(), "linked but nothing shared");
    // Dylan shares his About me and "people and places that help" with Ceri: exactly those arrive.
    let mut dylan_c = app.signed_in("dylan").await;
    let shares = vec![
        mutation(
            1,
            &dylan,
            json!({ "type": "share", "part": "about_me", "carer": peer.0, "share": true, "review_by": null }),
        ),
        mutation(
            2,
            &dylan,
            json!({ "type": "share", "part": "plan_people_places", "carer": peer.0, "share": true, "review_by": null }),
        ),
    ];
    push(&mut dylan_c, "tablet-dylan-0001", shares).await.assert_status(StatusCode::OK);
    let (bytes, ..) = pull_all(&mut ceri, cursor, Some(&scope)).await;
    assert_eq!(held(&bytes), ["MARK-ABOUT-ME", "MARK-PLACES"]);
    let (bytes, ..) = pull_all(&mut ceri, 0, None).await;
    assert_eq!(held(&bytes), ["MARK-ABOUT-ME", "MARK-PLACES"], "from the start too");
    assert!(!bytes.contains("Gareth"), "nor the person's carers");
    // Ceri adds to "people and places that help", which is shared with them; not to triggers, which is not.
    let r = push(&mut ceri, "phone-ceri-0001", vec![mutation(1, &dylan, json!({ "type": "add_plan_item", "item": "p9", "section": "people_places", "text": "Peer group on Tuesdays" }))]).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["acks"][0]["outcome"], "applied", "{}", r.body);
    let r = push(
        &mut ceri,
        "phone-ceri-0001",
        vec![mutation(
            2,
            &dylan,
            json!({ "type": "add_plan_item", "item": "p8", "section": "triggers", "text": "Not theirs" }),
        )],
    )
    .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
}

async fn discharge_keeps_the_record_and_ends_what_was_shared_with_carers(db: TestDb) {
    let app = TestApp::demo(db).await;
    let dylan = app.db.user("dylan").await.id;
    let gareth = app.db.user("gareth").await.id;
    let mut dylan_c = app.signed_in("dylan").await;
    let writes = vec![
        mutation(1, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "MARK-ABOUT-ME" })),
        mutation(
            2,
            &dylan,
            json!({ "type": "share", "part": "about_me", "carer": gareth.0, "share": true, "review_by": null }),
        ),
    ];
    push(&mut dylan_c, "tablet-dylan-0001", writes).await.assert_status(StatusCode::OK);
    let mut gareth_c = app.signed_in("gareth").await;
    assert!(pull_all(&mut gareth_c, 0, None).await.0.contains("MARK-ABOUT-ME"));

    let mut rhian = app.signed_in("rhian").await;
    let r = rhian.post(&format!("/api/admin/people/{}/discharge", dylan.0), json!({ "date": "2026-02-01" })).await;
    r.assert_status(StatusCode::CREATED);
    assert_eq!(r.body["stays"].as_array().unwrap().last().unwrap()["kind"], "discharged");
    // The carer's sharing ends; the person keeps their own copy.
    assert!(!pull_all(&mut gareth_c, 0, None).await.0.contains("MARK-ABOUT-ME"), "shared no more after discharge");
    assert!(pull_all(&mut dylan_c, 0, None).await.0.contains("MARK-ABOUT-ME"), "the person keeps their record");
    // Staff read but no longer write.
    let mut owen = app.signed_in("owen").await;
    assert!(pull_all(&mut owen, 0, None).await.0.contains("MARK-ABOUT-ME"), "staff may still read");
    let r = push(
        &mut owen,
        "tablet-owen-0001",
        vec![mutation(9, &dylan, json!({ "type": "about_me", "field": "my_hopes", "text": "After" }))],
    )
    .await;
    assert!(r.status.is_client_error(), "staff write no more after discharge: {}", r.status);
    // Discharged twice: refused.
    let before = admin_rows(&app.db).await;
    rhian
        .post(&format!("/api/admin/people/{}/discharge", dylan.0), json!({ "date": "2026-02-02" }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    assert_eq!(admin_rows(&app.db).await, before);
}

async fn bad_input_is_refused_clearly_and_writes_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut admin = app.signed_in("admin").await;
    let ward = demo_ward(&app.db).await;
    let dylan = app.db.user("dylan").await.id;
    let owen = app.db.user("owen").await.id;
    let good = json!({ "username": "bethan", "display_name": "Bethan Rees", "role": "key_worker", "ward": ward });
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (with("username", json!("two words")), StatusCode::BAD_REQUEST, "invalid_input", "username"),
        (with("display_name", json!("   ")), StatusCode::BAD_REQUEST, "invalid_input", "display_name"),
        (with("display_name", json!("x".repeat(81))), StatusCode::BAD_REQUEST, "invalid_input", "display_name"),
        (with("display_name", json!("Owen\u{202E}")), StatusCode::BAD_REQUEST, "invalid_input", "display_name"),
        (with("role", json!(null)), StatusCode::BAD_REQUEST, "invalid_input", "role"),
        (with("role", json!("carer")), StatusCode::BAD_REQUEST, "invalid_input", "role"),
        (with("role", json!("wizard")), StatusCode::BAD_REQUEST, "invalid_body", ""),
        (with("ward", json!("no-such-ward")), StatusCode::BAD_REQUEST, "invalid_input", "ward"),
        (with("identity", json!(" padded")), StatusCode::BAD_REQUEST, "invalid_input", "identity"),
        (with("identity", json!("x".repeat(201))), StatusCode::BAD_REQUEST, "invalid_input", "identity"),
        (with("username", json!("owen")), StatusCode::CONFLICT, "username_taken", ""),
        (with("extra", json!(1)), StatusCode::BAD_REQUEST, "invalid_body", ""),
        (
            json!({ "username": "morgan", "display_name": "Morgan Jones", "role": "service_user", "ward": null }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "ward",
        ),
        (
            json!({ "username": "morgan", "display_name": "Morgan Jones", "role": "service_user", "ward": ward, "identity": "m@x" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "identity",
        ),
    ];
    for (body, status, code, field) in cases {
        let before = admin_rows(&app.db).await;
        let r = admin.post("/api/admin/accounts", body.clone()).await;
        r.assert_error(status, code);
        assert!(r.body["message"].as_str().unwrap().contains(field), "{body}: the message names {field}: {}", r.body);
        assert!(r.body.get("one_time_password").is_none());
        assert_eq!(admin_rows(&app.db).await, before, "{body} wrote nothing");
    }
    // An identity already linked to someone else.
    admin
        .put(&format!("/api/admin/accounts/{}/identity", owen.0), json!({ "identity": "o.price" }))
        .await
        .assert_status(StatusCode::OK);
    let before = admin_rows(&app.db).await;
    admin
        .post("/api/admin/accounts", with("identity", json!("o.price")))
        .await
        .assert_error(StatusCode::CONFLICT, "identity_taken");
    admin
        .put(&format!("/api/admin/accounts/{}/identity", dylan.0), json!({ "identity": "dylan" }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    let sara = app.db.user("sara").await.id;
    admin
        .put(&format!("/api/admin/accounts/{}/identity", sara.0), json!({ "identity": "o.price" }))
        .await
        .assert_error(StatusCode::CONFLICT, "identity_taken");
    // Wards: a name needed, at most 80 characters, not twice.
    for name in [json!(""), json!("x".repeat(81)), json!("Line\nbreak")] {
        admin
            .post("/api/admin/wards", json!({ "name": name }))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    admin
        .post("/api/admin/wards", json!({ "name": "Derwen Ward (demo)" }))
        .await
        .assert_error(StatusCode::CONFLICT, "record_exists");
    // Stays: a real date not in the future, a ward that exists, a step that fits.
    let stay = |kind: &str| format!("/api/admin/people/{}/{kind}", dylan.0);
    let next_year = format!("{}-01-01", waymark_server::handlers::admin::today()[..4].parse::<u32>().unwrap() + 1);
    for (kind, body, field) in [
        ("transfer", json!({ "ward": ward, "date": "soon" }), "date"),
        ("transfer", json!({ "ward": ward, "date": next_year }), "date: The date cannot be in the future"),
        ("transfer", json!({ "date": "2026-01-01" }), "ward"),
        ("transfer", json!({ "ward": "no-such-ward", "date": "2026-01-01" }), "ward"),
        ("discharge", json!({ "ward": ward, "date": "2026-01-01" }), "ward"),
        ("admit", json!({ "ward": ward, "date": "2026-01-01" }), "ward"),
    ] {
        let r = admin.post(&stay(kind), body.clone()).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
        assert!(r.body["message"].as_str().unwrap().contains(field), "{kind} {body}: names {field}: {}", r.body);
    }
    // Care teams: a carer cannot be a key worker; nobody unknown.
    let gareth = app.db.user("gareth").await.id;
    admin
        .put(&format!("/api/admin/people/{}/care-team/{}", dylan.0, gareth.0), json!({ "relation": "key_worker" }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    admin
        .put(&format!("/api/admin/people/{}/care-team/{}", dylan.0, "0".repeat(32)), json!({ "relation": "staff" }))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    admin
        .get(&format!("/api/admin/accounts/{}", "x".repeat(65)))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(admin_rows(&app.db).await, before, "none of these wrote anything");
}

async fn searches_and_the_ward_list_are_bounded(db: TestDb) {
    let app = TestApp::demo(db).await;
    let ward = demo_ward(&app.db).await;
    // 10,000 accounts (written straight to the store: making them one by one would hash 10,000 passwords).
    let hash = password_hash(&app.db, "owen").await;
    let mut tx = app.db.store.pool().begin().await.unwrap();
    for i in 0..10_000 {
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, language, ward_id, created_at, \
             must_change_password) VALUES ($1, $2, $3, 'staff', $4, 'en', $5, 0, 0)",
        )
        .bind(format!("{i:032x}"))
        .bind(format!("bulk{i}"))
        .bind(format!("Bulk Person {i}"))
        .bind(&hash)
        .bind(&ward)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut admin = app.signed_in("admin").await;
    // Every search answers at most 50 accounts, and says when there were more.
    let r = admin.get("/api/admin/accounts?q=").await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["accounts"].as_array().unwrap().len(), 50);
    assert_eq!(r.body["more"], true);
    assert!(r.bytes.len() < 64 * 1024, "an answer stays small: {} bytes", r.bytes.len());
    let r = admin.get("/api/admin/accounts?q=person%209999").await;
    let names: Vec<&str> =
        r.body["accounts"].as_array().unwrap().iter().map(|a| a["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bulk Person 9999"]);
    assert_eq!(r.body["more"], false);
    // A wildcard searched for is a character, not a wildcard.
    assert_eq!(admin.get("/api/admin/accounts?q=%25").await.body["accounts"].as_array().unwrap().len(), 0);
    // The longest search accepted (80 characters, more than five words) and one longer.
    let longest = "ab ".repeat(26) + "ab";
    assert_eq!(longest.chars().count(), 80);
    admin.get(&format!("/api/admin/accounts?q={}", longest.replace(' ', "+"))).await.assert_status(StatusCode::OK);
    admin
        .get(&format!("/api/admin/accounts?q={}", "a".repeat(81)))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    // Many searches in a row write nothing and keep answering.
    let before = admin_rows(&app.db).await;
    let sessions = app.db.count("SELECT COUNT(*) FROM sessions").await;
    for i in 0..200 {
        admin.get(&format!("/api/admin/accounts?q=bulk{i}")).await.assert_status(StatusCode::OK);
    }
    assert_eq!(admin_rows(&app.db).await, before);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sessions").await, sessions);
    // The ward list is bounded: 500 wards at most, the 501st refused and not written.
    let wards = app.db.count("SELECT COUNT(*) FROM wards").await;
    let mut tx = app.db.store.pool().begin().await.unwrap();
    for i in wards..waymark_shared::admin::MAX_WARDS {
        sqlx::query("INSERT INTO wards (id, name) VALUES ($1, $2)")
            .bind(format!("ward-{i}"))
            .bind(format!("Ward {i}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    admin
        .post("/api/admin/wards", json!({ "name": "One Too Many" }))
        .await
        .assert_error(StatusCode::CONFLICT, "record_exists");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM wards").await, waymark_shared::admin::MAX_WARDS);
    // The largest accepted account request, and a body over the limit refused before it is read.
    let r = admin
        .post(
            "/api/admin/accounts",
            json!({
                "username": "u".repeat(waymark_shared::validation::USERNAME_MAX),
                "display_name": "n".repeat(waymark_shared::admin::NAME_MAX_CHARS),
                "role": "staff",
                "ward": ward,
                "identity": "i".repeat(waymark_shared::admin::IDENTITY_MAX_CHARS)
            }),
        )
        .await;
    r.assert_status(StatusCode::CREATED);
    let users = app.db.count("SELECT COUNT(*) FROM users").await;
    let r = admin
        .post(
            "/api/admin/accounts",
            json!({ "username": "big", "display_name": "x".repeat(2_000_000), "role": "staff" }),
        )
        .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users").await, users);
}

async fn a_burst_of_new_accounts_hashes_no_more_than_the_bound(db: TestDb) {
    db.seed_demo().await;
    // One hash at a time and two waiting: more than that at once are told the server is busy, and write nothing.
    let app = TestApp::with_config(db, |c| {
        c.hash_concurrency = 1;
        c.hash_queue = 2;
    });
    let mut admin = app.signed_in("admin").await;
    let token = admin.csrf_token().await;
    let cookie = admin.cookie.clone().unwrap();
    let ward = demo_ward(&app.db).await;
    let users = app.db.count("SELECT COUNT(*) FROM users").await;
    let mut clients: Vec<Client<'_>> = (0..40)
        .map(|_| {
            let mut c = Client::with_cookie(&app, &cookie);
            c.csrf = Some(token.clone());
            c
        })
        .collect();
    let ward = &ward;
    let replies = futures_util::future::join_all(clients.iter_mut().enumerate().map(|(i, c)| async move {
        let body = json!({ "username": format!("burst{i}"), "display_name": format!("Burst Person {i}"), "role": "staff", "ward": ward });
        c.post("/api/admin/accounts", body).await
    }))
    .await;
    let made = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let busy = replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).count();
    assert_eq!(made + busy, 40, "only 201 and 503: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(made >= 1 && busy >= 1, "some made, the rest told to wait: {made} made, {busy} busy");
    for r in replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE) {
        r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "busy");
        assert!(r.header(axum::http::header::RETRY_AFTER).is_some());
    }
    assert_eq!(app.state.auth.hashing.peak_running(), 1, "never more than one hash at once");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users").await, users + made as i64, "a refused one wrote nothing");
    // Afterwards accounts are made as usual.
    create(&mut admin, json!({ "username": "after", "display_name": "After Burst", "role": "staff", "ward": ward }))
        .await;
}
