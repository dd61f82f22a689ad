//! Sign-in, sessions and joining under abuse (issue 12 items 2–5 and 7, issue 11's session lifetimes), through the
//! real router on SQLite and PostgreSQL; the memory bound through the real server binary.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{
    Client, Reply, TestApp, TestDb,
    wire::{Http, ServerProcess, empty_dist},
};
use futures_util::future::join_all;
use serde_json::{Value, json};
use std::time::Duration;
use waymark_server::{
    auth::{session_life::REFRESH_EVERY_MS, throttle},
    seed::DEMO_PASSWORD,
    store::now_ms,
};

on_both_engines!(
    simultaneous_bogus_sign_ins_hash_no_more_than_the_bound,
    right_passwords_are_never_refused_in_a_burst,
    a_wrong_invitation_code_costs_no_hash,
    sign_ins_and_joins_are_throttled_per_client_address,
    a_forwarded_header_counts_only_when_trusted,
    signed_out_requests_write_nothing,
    a_signed_out_session_left_from_before_does_not_block_sign_in,
    a_read_within_the_minute_writes_nothing,
    sessions_end_when_idle_and_after_their_lifetime,
    origins_must_match_in_scheme_host_and_port,
    a_carer_may_not_take_a_name_from_the_care_team,
    bogus_sign_ins_keep_the_server_small,
    guessed_usernames_do_not_pile_up,
);

fn xff(ip: &str) -> (&'static str, String) {
    ("x-forwarded-for", ip.to_owned())
}

/// A sign-in with these extra headers (the client's own cookie and token are added).
async fn sign_in_with(c: &mut Client<'_>, username: &str, password: &str, extra: &[(&str, String)]) -> Reply {
    let mut b = Request::post("/api/session").header(header::CONTENT_TYPE, "application/json");
    for (k, v) in extra {
        b = b.header(*k, v.as_str());
    }
    c.send(b.body(Body::from(json!({ "username": username, "password": password }).to_string())).unwrap()).await
}

async fn rows(db: &TestDb, table: &str) -> i64 {
    db.count(&format!("SELECT COUNT(*) FROM {table}")).await
}

/// Issue 12 item 2: 128 simultaneous sign-ins with made-up usernames, each from its own address (as a botnet
/// would), run at most `WAYMARK_HASH_CONCURRENCY` hashes at once; those beyond the short queue are told 503 with
/// Retry-After at once, and write nothing.
async fn simultaneous_bogus_sign_ins_hash_no_more_than_the_bound(db: TestDb) {
    db.seed_demo().await;
    let app = TestApp::with_config(db, |c| {
        c.hash_concurrency = 2;
        c.hash_queue = 6;
        c.client_ip_header = Some(header::HeaderName::from_static("x-forwarded-for"));
    });
    let mut clients: Vec<Client<'_>> = (0..128).map(|_| app.client()).collect();
    for c in &mut clients {
        c.csrf_token().await;
    }
    let replies = join_all(clients.iter_mut().enumerate().map(|(i, c)| {
        let extra = [xff(&format!("198.51.100.{}", i + 1))];
        async move { sign_in_with(c, &format!("nobody-{i}"), "a guess", &extra).await }
    }))
    .await;

    let hashing = &app.state.auth.hashing;
    assert_eq!(hashing.concurrency(), 2);
    assert!((1..=2).contains(&hashing.peak_running()), "at most two hashes at once, saw {}", hashing.peak_running());
    let checked = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert_eq!(
        checked + busy.len(),
        128,
        "only 401 and 503: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(!busy.is_empty(), "beyond the queue the server says it is busy");
    for r in &busy {
        r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "busy");
        let retry: u64 = r.header(header::RETRY_AFTER).expect("Retry-After").parse().unwrap();
        assert!((1..=10).contains(&retry));
        assert_eq!(r.body["retry_after_secs"], retry);
    }
    assert_eq!(hashing.started(), checked as u64, "one hash per answered guess, none for a refused one");
    // A refused try wrote nothing: failures are recorded only for the guesses that were checked.
    assert_eq!(rows(&app.db, "sign_in_failures").await, checked as i64);
    assert_eq!(rows(&app.db, "sign_in_failures_by_address").await, checked as i64);
    assert_eq!(rows(&app.db, "sessions").await, 0);

    // Afterwards the server answers as usual.
    let mut owen = app.client();
    owen.sign_in("owen", DEMO_PASSWORD).await.assert_status(StatusCode::OK);
}

/// Issue 12 item 3: simultaneous sign-ins with the right password all succeed, even mixed with wrong ones (as long
/// as those never reach the limit by themselves).
async fn right_passwords_are_never_refused_in_a_burst(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut clients: Vec<Client<'_>> = (0..20).map(|_| app.client()).collect();
    let replies = join_all(clients.iter_mut().map(|c| c.sign_in("owen", DEMO_PASSWORD))).await;
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "twenty right passwords at once: {statuses:?}");
    assert_eq!(app.db.store.sign_in_failures("owen").await.unwrap(), None);
    assert_eq!(rows(&app.db, "sign_in_failures").await, 0, "nothing is left under way");

    // Four wrong and sixteen right at once: the wrong ones are told so, every right one gets in.
    let wrong = throttle::MAX_FAILURES as usize - 1;
    let mut clients: Vec<Client<'_>> = (0..20).map(|_| app.client()).collect();
    let replies = join_all(clients.iter_mut().enumerate().map(|(i, c)| {
        let password = if i % 5 == 0 && i / 5 < wrong { format!("guess-{i}") } else { DEMO_PASSWORD.to_owned() };
        async move { (password == DEMO_PASSWORD, c.sign_in("sara", &password).await.status) }
    }))
    .await;
    for (right, status) in &replies {
        assert_eq!(*status, if *right { StatusCode::OK } else { StatusCode::UNAUTHORIZED }, "{replies:?}");
    }
    assert_eq!(replies.iter().filter(|(right, _)| !right).count(), wrong);

    // Once the username is locked, the right password is refused too (the lock came first).
    let mut c = app.client();
    for i in 0..throttle::MAX_FAILURES {
        c.sign_in("rhian", &format!("guess-{i}")).await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    c.sign_in("rhian", DEMO_PASSWORD).await.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

async fn invite(app: &TestApp, staff: &str, person: &str) -> String {
    let person = app.db.user(person).await.id;
    let r = app.signed_in(staff).await.post(&format!("/api/people/{}/invitations", person.0), json!({})).await;
    r.assert_status(StatusCode::CREATED);
    r.body["code"].as_str().unwrap().to_owned()
}

fn join_body(code: &str, name: &str, username: &str) -> Value {
    json!({ "code": code, "display_name": name, "username": username, "password": "a long password" })
}

/// Issue 12 item 2: the code is checked before the new password is hashed.
async fn a_wrong_invitation_code_costs_no_hash(db: TestDb) {
    let app = TestApp::demo(db).await;
    let code = invite(&app, "owen", "alys").await;
    let hashing = app.state.auth.hashing.clone();
    let started = hashing.started();
    let users = rows(&app.db, "users").await;
    let mut c = app.client();
    for wrong in ["AAAA-BBBB-CCCC", "not a code", ""] {
        c.post("/api/invitations/accept", join_body(wrong, "Ceri Hughes", "ceri"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invitation_not_valid");
    }
    // A taken username and a care-team name are refused before hashing too.
    c.post("/api/invitations/accept", join_body(&code, "Ceri Hughes", "gareth"))
        .await
        .assert_error(StatusCode::CONFLICT, "username_taken");
    c.post("/api/invitations/accept", join_body(&code, "Helen Hughes", "ceri"))
        .await
        .assert_error(StatusCode::CONFLICT, "name_in_use");
    assert_eq!(hashing.started(), started, "no hash for a join that cannot succeed");
    assert_eq!(rows(&app.db, "users").await, users);

    c.post("/api/invitations/accept", join_body(&code, "Ceri Hughes", "ceri")).await.assert_status(StatusCode::OK);
    assert_eq!(hashing.started(), started + 1);
    // Used once: the second use is refused without a hash.
    app.client()
        .post("/api/invitations/accept", join_body(&code, "Ceri Hughes", "ceri2"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invitation_not_valid");
    assert_eq!(hashing.started(), started + 1);
}

/// Issue 12 item 2: besides the per-username limit, failures from one client address (sign-ins with any username,
/// and joins with wrong codes) lock that address; other addresses carry on.
async fn sign_ins_and_joins_are_throttled_per_client_address(db: TestDb) {
    db.seed_demo().await;
    let app = TestApp::with_config(db, |c| {
        c.sign_in_failures_per_address = 6;
        c.client_ip_header = Some(header::HeaderName::from_static("x-real-ip"));
    });
    let code = invite(&app, "owen", "alys").await;
    let from = |ip: &str| [("x-real-ip", ip.to_owned())];
    let mut c = app.client();
    // Four made-up usernames and two wrong codes from one address: each username stays far below its own limit.
    for i in 0..4 {
        sign_in_with(&mut c, &format!("someone-{i}"), "a guess", &from("203.0.113.5"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    for _ in 0..2 {
        let req = Request::post("/api/invitations/accept")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-real-ip", "203.0.113.5")
            .body(Body::from(join_body("ZZZZ-ZZZZ-ZZZZ", "Ceri Hughes", "ceri").to_string()))
            .unwrap();
        c.send(req).await.assert_error(StatusCode::BAD_REQUEST, "invitation_not_valid");
    }
    let failures = app.db.store.address_failures("203.0.113.5").await.unwrap().expect("a record");
    assert!(failures.locked_until > now_ms(), "six failures lock the address");

    // Locked: even the right password, or a good code, is refused from there, with nothing hashed or written.
    let started = app.state.auth.hashing.started();
    let (users, sessions) = (rows(&app.db, "users").await, rows(&app.db, "sessions").await);
    let r = sign_in_with(&mut c, "owen", DEMO_PASSWORD, &from("203.0.113.5")).await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(r.header(header::RETRY_AFTER).is_some());
    let req = Request::post("/api/invitations/accept")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-real-ip", "203.0.113.5")
        .body(Body::from(join_body(&code, "Ceri Hughes", "ceri").to_string()))
        .unwrap();
    c.send(req).await.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert_eq!(app.state.auth.hashing.started(), started);
    assert_eq!((rows(&app.db, "users").await, rows(&app.db, "sessions").await), (users, sessions));
    assert_eq!(app.db.store.sign_in_failures("owen").await.unwrap(), None, "owen's own count is untouched");

    // Another address is not affected.
    let mut other = app.client();
    sign_in_with(&mut other, "owen", DEMO_PASSWORD, &from("203.0.113.6")).await.assert_status(StatusCode::OK);
}

/// Without `WAYMARK_CLIENT_IP_HEADER`, a forwarded header is the client's own say-so: the peer address counts.
async fn a_forwarded_header_counts_only_when_trusted(db: TestDb) {
    db.seed_demo().await;
    let app = TestApp::with_config(db, |c| c.sign_in_failures_per_address = 3);
    assert_eq!(app.state.config.client_ip_header, None);
    let mut c = app.client();
    c.peer = Some("192.0.2.44:51000".parse().unwrap());
    for i in 0..3 {
        // A fresh, made-up forwarded address each time does not escape the limit.
        sign_in_with(&mut c, &format!("someone-{i}"), "a guess", &[xff(&format!("198.51.100.{i}"))])
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    sign_in_with(&mut c, "owen", DEMO_PASSWORD, &[xff("198.51.100.200")])
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(app.db.store.address_failures("192.0.2.44").await.unwrap().is_some());
    assert_eq!(rows(&app.db, "sign_in_failures_by_address").await, 1, "only the peer address was counted");
    // Another peer signs in.
    let mut d = app.client();
    d.peer = Some("192.0.2.45:51000".parse().unwrap());
    d.sign_in("owen", DEMO_PASSWORD).await.assert_status(StatusCode::OK);
}

/// Issue 12 item 4: `GET /api/session` and any other signed-out request store nothing (3,000 of them); a sign-in
/// with the signed-out token still works, and that token is bound to its cookie.
async fn signed_out_requests_write_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    // The server reads (or makes, once) its CSRF key at start-up.
    app.state.auth.csrf_key(&app.state.config, &app.db.store).await.unwrap();
    let tables = ["sessions", "sign_in_failures", "sign_in_failures_by_address", "server_secrets", "users"];
    let counts = || async { join_all(tables.iter().map(|t| rows(&app.db, t))).await };
    let before = counts().await;
    assert_eq!(before[0], 0);

    for i in 0..3000 {
        let mut c = app.client();
        let r = c.get("/api/session").await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.body["user"], Value::Null);
        assert_eq!(r.body["csrf_token"].as_str().map(str::len), Some(64));
        assert!(r.session_set_cookie().is_none(), "no session cookie for a signed-out visitor");
        if i % 100 == 0 {
            // Other signed-out reads, and a made-up session cookie, write nothing either.
            c.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
            c.get("/api/sync/pull?schema=1&since=0").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
            Client::with_cookie(&app, "AAAAAAAAAAAAAAAAAAAAAA").get("/api/session").await.assert_status(StatusCode::OK);
        }
    }
    assert_eq!(counts().await, before, "3,000 signed-out visits wrote no row");

    // The signed-out token is bound to its cookie: the same token again, another browser's token is refused.
    let mut c = app.client();
    let first = c.get("/api/session").await;
    let set = first.set_cookie(common::CSRF_COOKIE).expect("a signed-out CSRF cookie").to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/api"] {
        assert!(set.contains(part), "{set}");
    }
    let again = c.get("/api/session").await;
    assert_eq!(again.body["csrf_token"], first.body["csrf_token"], "the same cookie, the same token");
    assert!(again.set_cookie(common::CSRF_COOKIE).is_none(), "a kept cookie is not set again");
    let mut other = app.client();
    let other_token = other.csrf_token().await;
    let theirs = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", other_token)
        .body(Body::from(json!({ "username": "owen", "password": DEMO_PASSWORD }).to_string()))
        .unwrap();
    c.send(theirs).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    // A forged cookie with no matching token is no good either.
    let mut forged = app.client();
    forged.csrf_cookie = Some("0".repeat(64));
    forged.csrf = Some("0".repeat(64));
    forged.sign_in("owen", DEMO_PASSWORD).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(counts().await, before, "refused sign-ins wrote nothing");

    // With its own token, the sign-in works, makes the one session and drops the signed-out cookie.
    let r = c.sign_in("owen", DEMO_PASSWORD).await;
    r.assert_status(StatusCode::OK);
    let removal = r.set_cookie(common::CSRF_COOKIE).expect("the signed-out cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(c.csrf_cookie, None);
    assert_eq!(rows(&app.db, "sessions").await, 1);
    c.put("/api/me/language", json!({ "language": "cy" })).await.assert_status(StatusCode::NO_CONTENT);
}

/// A browser may still hold a signed-out session made before this change (it held only a CSRF token): its token no
/// longer counts, and the signed-out token works alongside it.
async fn a_signed_out_session_left_from_before_does_not_block_sign_in(db: TestDb) {
    use tower_sessions::{
        SessionStore,
        session::{Id, Record},
    };
    let app = TestApp::demo(db).await;
    let mut record = Record {
        id: Id::default(),
        data: [("csrf".to_owned(), json!("an old token"))].into_iter().collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    app.db.store.create(&mut record).await.unwrap();
    let mut c = Client::with_cookie(&app, &record.id.to_string());
    let r = c.get("/api/session").await;
    assert_eq!(r.body["user"], Value::Null);
    assert_ne!(r.body["csrf_token"], "an old token");
    c.sign_in("owen", DEMO_PASSWORD).await.assert_status(StatusCode::OK);
    assert_ne!(c.cookie.as_deref(), Some(record.id.to_string().as_str()), "a new session id at sign-in");
    let mut old = Client::with_cookie(&app, &record.id.to_string());
    old.csrf = Some("an old token".into());
    old.sign_in("owen", DEMO_PASSWORD).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
}

async fn session_row(db: &TestDb, id: &str) -> (String, i64) {
    let row: (String, i64) = sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_one(db.store.pool())
        .await
        .expect("the session row");
    row
}

async fn set_expires_at(db: &TestDb, id: &str, at: i64) {
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(db.store.pool())
        .await
        .unwrap();
}

/// Issue 12 item 5: an up-to-date pull (or any read) within a minute of the last refresh writes nothing to the
/// session; after a minute, the next request pushes the idle end back once.
async fn a_read_within_the_minute_writes_nothing(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.signed_in("dylan").await;
    let id = c.cookie.clone().unwrap();
    // Catch up first, so the next pull is an up-to-date one.
    let r = c.get("/api/sync/pull?schema=1&since=0&limit=1000").await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["more"], false);
    let cursor = r.body["cursor"].as_u64().unwrap();
    let scope = r.body["scope"].as_str().unwrap().to_owned();

    // A mark the server would overwrite if it saved the session.
    let mark = now_ms() + 1_234_567;
    set_expires_at(&app.db, &id, mark).await;
    let before = session_row(&app.db, &id).await;
    for _ in 0..20 {
        let r = c.get(&format!("/api/sync/pull?schema=1&since={cursor}&scope={scope}")).await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.body["events"].as_array().map(Vec::len), Some(0), "up to date");
        assert!(r.session_set_cookie().is_none(), "nothing to tell the browser either");
    }
    c.get("/api/people").await.assert_status(StatusCode::OK);
    c.get("/api/session").await.assert_status(StatusCode::OK);
    assert_eq!(session_row(&app.db, &id).await, before, "reads within the minute wrote nothing");

    // A minute after the last refresh, one request pushes the idle end back (and renews the cookie).
    let seen = app.db.session_number(&id, "seen").await;
    app.db.set_session_number(&id, "seen", seen - REFRESH_EVERY_MS).await;
    let r = c.get(&format!("/api/sync/pull?schema=1&since={cursor}&scope={scope}")).await;
    r.assert_status(StatusCode::OK);
    let (_, expires_at) = session_row(&app.db, &id).await;
    let idle_ms = app.state.config.session_idle_secs * 1000;
    assert!((expires_at - (now_ms() + idle_ms)).abs() < 5_000, "pushed back to the idle time from now");
    let set = r.session_set_cookie().expect("the cookie is renewed with it");
    let max_age: i64 = set.split("Max-Age=").nth(1).and_then(|v| v.split(';').next()).unwrap().parse().unwrap();
    assert!((idle_ms / 1000 - 2..=idle_ms / 1000).contains(&max_age), "{set}");
    assert_eq!(c.cookie.as_deref(), Some(id.as_str()), "renewing keeps the session id");
    // And the next read within the minute writes nothing again.
    let after = session_row(&app.db, &id).await;
    c.get("/api/people").await.assert_status(StatusCode::OK);
    assert_eq!(session_row(&app.db, &id).await, after);
}

/// Issue 11: a session ends after 30 minutes unused (configurable), and 12 hours after sign-in however active.
async fn sessions_end_when_idle_and_after_their_lifetime(db: TestDb) {
    let app = TestApp::demo(db).await;
    assert_eq!((app.state.config.session_idle_secs, app.state.config.session_max_secs), (30 * 60, 720 * 60));
    let mut c = app.signed_in("owen").await;
    let id = c.cookie.clone().unwrap();
    let (_, expires_at) = session_row(&app.db, &id).await;
    assert!((expires_at - (now_ms() + 30 * 60_000)).abs() < 5_000, "a new session ends after 30 idle minutes");

    // Idle past its end: gone.
    set_expires_at(&app.db, &id, now_ms() - 1).await;
    c.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");

    // In use all along, but signed in nearly 12 hours ago: the idle end is pushed back only to the 12 hours.
    let mut c = app.signed_in("owen").await;
    let id = c.cookie.clone().unwrap();
    let since = now_ms() - 12 * 3_600_000 + 5 * 60_000;
    app.db.set_session_number(&id, "since", since).await;
    app.db.set_session_number(&id, "seen", 0).await;
    c.get("/api/people").await.assert_status(StatusCode::OK);
    let (_, expires_at) = session_row(&app.db, &id).await;
    assert!((expires_at - (since + 12 * 3_600_000)).abs() < 2_000, "never beyond 12 hours after sign-in");

    // Twelve hours after sign-in it ends, however recently it was used.
    app.db.set_session_number(&id, "since", now_ms() - 12 * 3_600_000).await;
    app.db.set_session_number(&id, "seen", now_ms()).await;
    set_expires_at(&app.db, &id, now_ms() + 20 * 60_000).await;
    let r = c.get("/api/people").await;
    r.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    assert!(r.session_set_cookie().is_some_and(|s| s.contains("Max-Age=0")), "the cookie is removed");
    assert_eq!(app.db.session_rows_with_id(&id).await, 0, "the session is gone from the server");
    let mut replay = Client::with_cookie(&app, &id);
    assert_eq!(replay.get("/api/session").await.body["user"], Value::Null);

    // Both are configurable.
    let db = app.db.reopen().await;
    let short = TestApp::with_config(db, |c| {
        c.session_idle_secs = 10 * 60;
        c.session_max_secs = 60 * 60;
    });
    let c = short.signed_in("sara").await;
    let (_, expires_at) = session_row(&short.db, c.cookie.as_deref().unwrap()).await;
    assert!((expires_at - (now_ms() + 10 * 60_000)).abs() < 5_000);
}

fn sign_in_request(token: &str, origin: &str, host: &str) -> Request<Body> {
    Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", token)
        .header(header::ORIGIN, origin)
        .header(header::HOST, host)
        .body(Body::from(json!({ "username": "owen", "password": DEMO_PASSWORD }).to_string()))
        .unwrap()
}

/// Issue 12 item 7: the `Origin` must be this server's in scheme, host and port, not only in host.
async fn origins_must_match_in_scheme_host_and_port(db: TestDb) {
    db.seed_demo().await;
    let db2 = db.reopen().await;
    let db3 = db.reopen().await;
    let plain = TestApp::new(db);
    let mut c = plain.client();
    let token = c.csrf_token().await;
    for origin in [
        "https://waymark.test",
        "http://waymark.test:8080",
        "http://waymark.test.evil.example",
        "null",
        "http://evil@waymark.test",
    ] {
        c.send_raw(sign_in_request(&token, origin, "waymark.test"))
            .await
            .assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    }
    c.send_raw(sign_in_request(&token, "https://waymark.test:3000", "waymark.test:3000"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(rows(&plain.db, "sessions").await, 0, "refusals write nothing");
    assert_eq!(plain.db.store.sign_in_failures("owen").await.unwrap(), None);
    c.send_raw(sign_in_request(&token, "http://WAYMARK.test:80", "waymark.test")).await.assert_status(StatusCode::OK);

    // Behind https (secure cookies), the origin is https.
    let secure = TestApp::with_config(db2, |c| c.secure_cookies = true);
    let mut c = secure.client();
    let token = c.csrf_token().await;
    c.send_raw(sign_in_request(&token, "http://waymark.test", "waymark.test"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    c.send_raw(sign_in_request(&token, "https://waymark.test", "waymark.test")).await.assert_status(StatusCode::OK);

    // A configured public origin wins over whatever Host a proxy passes on.
    let proxied = TestApp::with_config(db3, |c| c.public_origin = Some("https://waymark.example.org".into()));
    let mut c = proxied.client();
    let token = c.csrf_token().await;
    c.send_raw(sign_in_request(&token, "http://127.0.0.1:3000", "127.0.0.1:3000"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    c.send_raw(sign_in_request(&token, "https://waymark.example.org", "127.0.0.1:3000"))
        .await
        .assert_status(StatusCode::OK);
}

/// Issue 12 item 7: at `/join`, a carer cannot take the name of the person or of anyone on their care team (letter
/// case and spacing aside); the refusal is clear and writes nothing.
async fn a_carer_may_not_take_a_name_from_the_care_team(db: TestDb) {
    let app = TestApp::demo(db).await;
    let code = invite(&app, "owen", "dylan").await;
    let counts = || async {
        [
            rows(&app.db, "users").await,
            rows(&app.db, "care_team").await,
            rows(&app.db, "sessions").await,
            app.db.count("SELECT COUNT(*) FROM carer_invitations WHERE used_at_ms IS NULL").await,
        ]
    };
    let before = counts().await;
    let mut c = app.client();
    // Owen (his key worker), Dylan himself, Gareth (his carer): refused however it is typed.
    for name in ["Owen Price", "  owen   PRICE ", "Dylan Evans", "GARETH EVANS"] {
        let r = c.post("/api/invitations/accept", join_body(&code, name, "newcarer")).await;
        r.assert_error(StatusCode::CONFLICT, "name_in_use");
        assert!(r.body["message"].as_str().unwrap().contains("care team"), "{}", r.body);
        assert!(!r.body.to_string().contains("Owen"), "the answer does not list anyone's name");
    }
    assert_eq!(counts().await, before, "a refused name wrote nothing");
    // A name that only looks alike is fine.
    let r = c.post("/api/invitations/accept", join_body(&code, "Owen Pryce", "newcarer")).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.body["user"]["display_name"], "Owen Pryce");
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Issue 12 item 2, measured on the real server with its default settings: 128 simultaneous bogus sign-ins keep
/// its resident memory under 256 MB, and it returns near where it was once they are answered.
async fn bogus_sign_ins_keep_the_server_small(db: TestDb) {
    let (_dist_dir, dist) = empty_dist();
    // Each guess from its own address (trusting the header, as behind a proxy), so no address limit helps.
    let server = ServerProcess::start_with(&db.url, &dist, &[("WAYMARK_CLIENT_IP_HEADER", "x-forwarded-for")]);
    let mut owen = server.client();
    owen.sign_in("owen").await.expect("a first sign-in");
    let idle = rss_kib(server.pid(), "VmRSS:");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..128 {
        let addr = server.addr;
        tasks.spawn(async move {
            let mut c = Http::new(addr);
            c.extra_headers.push(("X-Forwarded-For".into(), format!("198.51.100.{}", i + 1)));
            c.get("/api/session").await.expect("a CSRF token");
            let body = json!({ "username": format!("nobody-{i}"), "password": "a guess" });
            c.post_json("/api/session", &body).await.expect("an answer").status
        });
    }
    let statuses = tokio::time::timeout(Duration::from_secs(120), tasks.join_all()).await.expect("all answered");
    let peak = rss_kib(server.pid(), "VmHWM:");
    let after = rss_kib(server.pid(), "VmRSS:");
    eprintln!("idle {idle} KiB, peak {peak} KiB, after {after} KiB; answers {statuses:?}");
    assert!(statuses.iter().all(|s| [401, 503].contains(s)), "{statuses:?}");
    assert!(peak < 256 * 1024, "peak resident memory {peak} KiB under 128 simultaneous bogus sign-ins");
    assert!(after < idle + 32 * 1024, "back near idle ({idle} KiB) after the burst: {after} KiB");
}

/// Every failed guess at a made-up username leaves a row; the hourly sweep removes those that no longer count, so
/// they do not pile up (10,000 guessed usernames, then nothing left once their window is over).
async fn guessed_usernames_do_not_pile_up(db: TestDb) {
    let s = &db.store;
    let now = now_ms();
    // Ten that still count (a failure in the current window)…
    for i in 0..10 {
        s.record_sign_in_failure(&format!("recent-{i}"), |r| throttle::after_failure(r, now)).await.unwrap();
    }
    // … and 10,000 guesses whose window is over (written in bulk: this is about the sweep).
    for batch in 0..20 {
        let values: Vec<String> =
            (0..500).map(|i| format!("('guess-{batch}-{i}', 1, {}, 0)", now - throttle::WINDOW_MS - 1 - i)).collect();
        let sql = format!(
            "INSERT INTO sign_in_failures (username, failures, window_started_at, locked_until) VALUES {}",
            values.join(", ")
        );
        sqlx::query(&sql).execute(s.pool()).await.unwrap();
    }
    s.record_address_failure("203.0.113.9", |r| throttle::after_address_failure(r, now - throttle::WINDOW_MS - 5, 30))
        .await
        .unwrap();
    s.record_address_failure("203.0.113.10", |r| throttle::after_address_failure(r, now, 1)).await.unwrap();
    assert_eq!(rows(&db, "sign_in_failures").await, 10_010);
    let removed = s.delete_stale_sign_in_failures(now, throttle::WINDOW_MS).await.unwrap();
    assert_eq!(removed, 10_001);
    assert_eq!(rows(&db, "sign_in_failures").await, 10, "the ten that still count are kept");
    assert!(s.address_failures("203.0.113.10").await.unwrap().is_some_and(|r| r.locked_until > now));
    assert_eq!(rows(&db, "sign_in_failures_by_address").await, 1);
}
