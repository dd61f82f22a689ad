//! The device-key endpoint (`POST /api/device-key`), through the real router on SQLite and PostgreSQL: a person
//! gets only their own key, the same one again on the same device and a different one on another device or for
//! another person; the ward's lock time comes with it; bad device ids are refused and write nothing; a person holds
//! keys for at most a fixed number of devices, however many are asked for.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{TestApp, TestDb};
use serde_json::{Value, json};
use waymark_server::handlers::device_keys::MAX_DEVICES_PER_USER;

on_both_engines!(
    a_person_gets_their_own_key_for_each_device,
    bad_device_ids_are_refused_and_write_nothing,
    a_person_holds_keys_for_a_bounded_number_of_devices,
);

const PATH: &str = "/api/device-key";

fn device(n: u32) -> String {
    format!("{n:032x}")
}

fn key_of(body: &Value) -> String {
    let key = body["key"].as_str().unwrap_or_else(|| panic!("no key in {body}")).to_owned();
    assert_eq!(key.len(), 64, "256 bits as hex: {key}");
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    key
}

async fn rows(app: &TestApp) -> i64 {
    app.db.count("SELECT COUNT(*) FROM device_keys").await
}

async fn a_person_gets_their_own_key_for_each_device(db: TestDb) {
    let app = TestApp::demo(db).await;
    let tablet = device(0xa11ce);

    // Nobody signed in: refused, nothing made.
    let mut anonymous = app.client();
    anonymous.post(PATH, json!({ "device": tablet })).await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    // Signed in, but without the session's CSRF token: refused, nothing made.
    let mut owen = app.signed_in("owen").await;
    let req = Request::post(PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "device": tablet }).to_string()))
        .unwrap();
    owen.send_raw(req).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(rows(&app).await, 0);

    // Owen's key for this tablet: made once, the same ever after (also in a new session), with the ward's lock time.
    let r = owen.post(PATH, json!({ "device": tablet })).await;
    r.assert_status(StatusCode::OK);
    let owens = key_of(&r.body);
    assert_eq!(r.body["lock_after_seconds"], 300);
    assert_eq!(key_of(&owen.post(PATH, json!({ "device": tablet })).await.body), owens);
    assert_eq!(key_of(&app.signed_in("owen").await.post(PATH, json!({ "device": tablet })).await.body), owens);
    assert_eq!(rows(&app).await, 1);

    // Another device of Owen's gets another key; another person on the same tablet gets their own, never Owen's.
    let owens_phone = key_of(&owen.post(PATH, json!({ "device": device(2) })).await.body);
    assert_ne!(owens_phone, owens);
    let mut dylan = app.signed_in("dylan").await;
    let dylans = key_of(&dylan.post(PATH, json!({ "device": tablet })).await.body);
    assert_ne!(dylans, owens);
    assert_ne!(dylans, owens_phone);
    assert_eq!(rows(&app).await, 3);
    let dylan_id = app.db.user("dylan").await.id;
    let stored: String = sqlx::query_scalar("SELECT data_key FROM device_keys WHERE user_id = $1")
        .bind(&dylan_id.0)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, dylans, "the key is kept for the person and device");

    // The lock time is the person's ward's; someone with no ward (the administrator) gets the default.
    sqlx::query("UPDATE wards SET lock_after_seconds = 7").execute(app.db.store.pool()).await.unwrap();
    assert_eq!(dylan.post(PATH, json!({ "device": tablet })).await.body["lock_after_seconds"], 7);
    assert_eq!(
        app.signed_in("admin").await.post(PATH, json!({ "device": tablet })).await.body["lock_after_seconds"],
        300
    );

    // After signing out, the old session gets nothing.
    let cookie = dylan.cookie.clone().unwrap();
    dylan.delete("/api/session").await.assert_status(StatusCode::NO_CONTENT);
    let mut old = common::Client::with_cookie(&app, &cookie);
    old.csrf = dylan.csrf.clone();
    let r = old.post(PATH, json!({ "device": tablet })).await;
    assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{}", r.status);
    assert!(r.body.get("key").is_none());
}

async fn bad_device_ids_are_refused_and_write_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut owen = app.signed_in("owen").await;
    let huge = "a".repeat(200 * 1024);
    let bad_ids = [
        json!(""),
        json!("abc"),
        json!(device(1).to_uppercase().replace('0', "A")),
        json!(&device(1)[1..]),
        json!(format!("{}0", device(1))),
        json!(format!("{}g", &device(1)[1..])),
        json!(format!("{}é", &device(1)[2..])),
        json!(format!("{}\u{0}", &device(1)[1..])),
        json!("../../../etc/passwd000000000000"),
        json!(huge),
    ];
    for id in &bad_ids {
        owen.post(PATH, json!({ "device": id })).await.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
    }
    for body in [json!({}), json!({ "device": 12 }), json!({ "device": device(1), "user": "dylan" })] {
        owen.post(PATH, body).await.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    }
    let too_big = json!({ "device": "a".repeat(300 * 1024) });
    owen.post(PATH, too_big).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(rows(&app).await, 0, "nothing written for any bad request");
    // A good one still works afterwards.
    key_of(&owen.post(PATH, json!({ "device": device(1) })).await.body);
    assert_eq!(rows(&app).await, 1);
}

async fn a_person_holds_keys_for_a_bounded_number_of_devices(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut sara = app.signed_in("sara").await;
    let started = std::time::Instant::now();
    let mut keys = std::collections::BTreeSet::new();
    // 10,000 asks from one person, each for a new device: only the first MAX_DEVICES_PER_USER get keys.
    for n in 0..10_000u32 {
        let r = sara.post(PATH, json!({ "device": device(n) })).await;
        if (n as usize) < MAX_DEVICES_PER_USER {
            r.assert_status(StatusCode::OK);
            keys.insert(key_of(&r.body));
        } else {
            r.assert_error(StatusCode::CONFLICT, "record_exists");
            assert!(r.body["message"].as_str().unwrap().contains("devices"), "{}", r.body);
        }
    }
    eprintln!("10,000 device-key requests took {:?}", started.elapsed());
    assert_eq!(keys.len(), MAX_DEVICES_PER_USER, "every device got its own key");
    assert_eq!(rows(&app).await, MAX_DEVICES_PER_USER as i64);
    // The devices she has keep working; other people are not affected by her limit.
    let again = key_of(&sara.post(PATH, json!({ "device": device(3) })).await.body);
    assert!(keys.contains(&again));
    key_of(&app.signed_in("owen").await.post(PATH, json!({ "device": device(10_001) })).await.body);
    assert_eq!(rows(&app).await, MAX_DEVICES_PER_USER as i64 + 1);

    // New devices asking at the same moment cannot slip past the limit together.
    sqlx::query("DELETE FROM device_keys").execute(app.db.store.pool()).await.unwrap();
    let sara_id = app.db.user("sara").await.id;
    let store = app.db.store.clone();
    let tasks: Vec<_> = (0..MAX_DEVICES_PER_USER as u32 + 15)
        .map(|n| {
            let (store, sara_id) = (store.clone(), sara_id.clone());
            tokio::spawn(async move {
                store.device_key(&sara_id, &device(20_000 + n), 1, MAX_DEVICES_PER_USER).await.is_ok()
            })
        })
        .collect();
    let mut granted = 0;
    for t in tasks {
        if t.await.unwrap() {
            granted += 1;
        }
    }
    assert_eq!(granted, MAX_DEVICES_PER_USER);
    assert_eq!(rows(&app).await, MAX_DEVICES_PER_USER as i64);
}
