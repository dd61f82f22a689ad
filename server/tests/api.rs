//! The HTTP API end to end (in-process, through the real router and layers), on SQLite and PostgreSQL.

mod common;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use common::{Client, TestApp, TestDb};
use serde_json::{Value, json};
use waymark_server::{auth::throttle, routes::MAX_BODY_BYTES, seed::DEMO_PASSWORD, store::now_ms};
use waymark_shared::Lang;

on_both_engines!(
    sign_in_succeeds_with_a_fresh_session,
    wrong_password_and_unknown_user_look_the_same,
    repeated_failures_throttle_sign_in,
    a_burst_of_simultaneous_guesses_gets_no_more_than_the_limit,
    no_session_is_not_signed_in,
    expired_session_is_not_signed_in,
    activity_keeps_a_session_alive,
    sign_out_ends_the_session,
    csrf_is_required_for_every_change,
    people_follow_roles_and_care_teams,
    bad_bodies_are_clear_client_errors,
    language_can_be_changed,
    easy_read_is_kept_on_the_account,
    health_and_unknown_api_routes,
);

fn names(reply: &common::Reply) -> Vec<&str> {
    reply.body["people"]
        .as_array()
        .unwrap_or_else(|| panic!("a people list: {}", reply.body))
        .iter()
        .map(|p| p["display_name"].as_str().unwrap())
        .collect()
}

async fn signed_in_username(c: &mut Client<'_>) -> Option<String> {
    let r = c.get("/api/session").await;
    r.assert_status(StatusCode::OK);
    r.body["user"]["username"].as_str().map(str::to_owned)
}

async fn sign_in_succeeds_with_a_fresh_session(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.client();
    let before = c.get("/api/session").await;
    before.assert_status(StatusCode::OK);
    assert_eq!(before.body["user"], Value::Null, "nobody is signed in yet");
    assert_eq!(c.cookie, None, "a signed-out visitor gets no session (the CSRF token is bound to another cookie)");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sessions").await, 0);
    let pre_token = before.body["csrf_token"].as_str().unwrap().to_owned();
    // A session id planted in the browser before sign-in (a well-formed one nobody has).
    let pre_cookie = "AAAAAAAAAAAAAAAAAAAAAA".to_owned();
    c.cookie = Some(pre_cookie.clone());

    // Usernames are case- and space-insensitive.
    let r = c.sign_in("  Owen ", DEMO_PASSWORD).await;
    r.assert_status(StatusCode::OK);
    let set_cookie = r.session_set_cookie().expect("sign-in sets the session cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain-http default config: {set_cookie}");
    let cookie = c.cookie.clone().unwrap();
    assert_ne!(cookie, pre_cookie, "sign-in must give a new session id");

    let user = &r.body["user"];
    assert_eq!(user["username"], "owen");
    assert_eq!(user["display_name"], "Owen Price");
    assert_eq!(user["role"], "key_worker");
    assert_eq!(user["language"], "en");
    assert_eq!(user["easy_read"], false);
    assert_eq!(user["ward"]["name"], waymark_server::seed::DEMO_WARD);
    assert_eq!(user["id"], app.db.user("owen").await.id.0.as_str());
    let token = r.body["csrf_token"].as_str().expect("a CSRF token");
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|ch| ch.is_ascii_hexdigit()));
    assert_ne!(token, pre_token, "sign-in hands out a new CSRF token");
    assert!(!r.body.to_string().contains("argon2"), "the password hash never leaves the server");

    // The planted pre-sign-in id is worth nothing now; the new one is the session.
    assert_eq!(app.db.session_rows_with_id(&pre_cookie).await, 0);
    assert_eq!(app.db.session_rows_with_id(&cookie).await, 1);
    let mut planted = Client::with_cookie(&app, &pre_cookie);
    assert_eq!(signed_in_username(&mut planted).await, None);
    planted.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");

    let now = c.get("/api/session").await;
    assert_eq!(now.body["user"]["username"], "owen");
    assert_eq!(now.body["csrf_token"], token, "the session keeps its token");
    c.get("/api/people").await.assert_status(StatusCode::OK);
    assert_eq!(app.db.store.sign_in_failures("owen").await.unwrap(), None);
}

async fn wrong_password_and_unknown_user_look_the_same(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.client();
    c.csrf_token().await;
    let wrong = c.sign_in("owen", "not-the-password").await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let unknown = c.sign_in("nobody-here", "not-the-password").await;
    unknown.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    assert_eq!(wrong.body, unknown.body, "the answer must not reveal which usernames exist");
    assert_eq!(c.cookie, None, "a failed sign-in makes no session");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(signed_in_username(&mut c).await, None);
    // Both count towards throttling.
    assert_eq!(app.db.store.sign_in_failures("owen").await.unwrap().map(|r| r.failures), Some(1));
    assert_eq!(app.db.store.sign_in_failures("nobody-here").await.unwrap().map(|r| r.failures), Some(1));
}

async fn repeated_failures_throttle_sign_in(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.client();
    for attempt in 1..=throttle::MAX_FAILURES {
        let r = c.sign_in("owen", &format!("guess-{attempt}")).await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let record = app.db.store.sign_in_failures("owen").await.unwrap().expect("failures are recorded");
    assert!(record.locked_until > now_ms(), "five failures lock the username");

    // Even the right password is refused while locked.
    let r = c.sign_in("owen", DEMO_PASSWORD).await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let retry_after: u64 = r.header(header::RETRY_AFTER).expect("a Retry-After header").parse().expect("whole seconds");
    assert!((1..=(throttle::LOCK_MS / 1000) as u64).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(r.body["retry_after_secs"], retry_after);
    assert_eq!(signed_in_username(&mut c).await, None, "a throttled sign-in signs nobody in");
    assert_eq!(
        app.db.store.sign_in_failures("owen").await.unwrap(),
        Some(record),
        "a refused try while locked changes nothing"
    );

    // Throttling is per username.
    let mut other = app.client();
    other.sign_in("alys", DEMO_PASSWORD).await.assert_status(StatusCode::OK);

    // A success before the limit clears the count, so the next failures start again from zero.
    let mut s = app.client();
    for _ in 1..throttle::MAX_FAILURES {
        s.sign_in("sara", "nope").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    s.sign_in("sara", DEMO_PASSWORD).await.assert_status(StatusCode::OK);
    assert_eq!(app.db.store.sign_in_failures("sara").await.unwrap(), None);
    let mut s2 = app.client();
    s2.sign_in("sara", "nope").await.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    s2.sign_in("sara", DEMO_PASSWORD).await.assert_status(StatusCode::OK);
}

async fn a_burst_of_simultaneous_guesses_gets_no_more_than_the_limit(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c: Vec<Client<'_>> = (0..8).map(|_| app.client()).collect();
    let [c1, c2, c3, c4, c5, c6, c7, c8] = &mut c[..] else { unreachable!() };
    // Each attempt is counted before its password is checked, so all eight cannot be checked at once.
    let replies = tokio::join!(
        c1.sign_in("owen", "guess-1"),
        c2.sign_in("owen", "guess-2"),
        c3.sign_in("owen", "guess-3"),
        c4.sign_in("owen", "guess-4"),
        c5.sign_in("owen", "guess-5"),
        c6.sign_in("owen", "guess-6"),
        c7.sign_in("owen", "guess-7"),
        c8.sign_in("owen", "guess-8"),
    );
    let statuses = [
        replies.0.status,
        replies.1.status,
        replies.2.status,
        replies.3.status,
        replies.4.status,
        replies.5.status,
        replies.6.status,
        replies.7.status,
    ];
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(
        (checked, refused),
        (throttle::MAX_FAILURES as usize, 8 - throttle::MAX_FAILURES as usize),
        "{statuses:?}"
    );
}

async fn no_session_is_not_signed_in(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.client();
    c.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    let dylan = app.db.user("dylan").await;
    c.get(&format!("/api/people/{}", dylan.id)).await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    // A made-up cookie is no better.
    let mut forged = Client::with_cookie(&app, "AAAAAAAAAAAAAAAAAAAAAA");
    forged.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    let mut garbage = Client::with_cookie(&app, "not-a-session-id");
    garbage.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    // An anonymous session (holding only a CSRF token) cannot change anything that needs a user.
    c.put("/api/me/language", json!({ "language": "cy" }))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

async fn expired_session_is_not_signed_in(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.signed_in("owen").await;
    c.get("/api/people").await.assert_status(StatusCode::OK);
    let cookie = c.cookie.clone().unwrap();
    let updated = sqlx::query("UPDATE sessions SET expires_at = 0").execute(app.db.store.pool()).await.unwrap();
    assert_eq!(updated.rows_affected(), 1);

    let r = c.get("/api/people").await;
    r.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    assert_eq!(c.cookie, None, "the dead cookie is removed");
    let mut again = Client::with_cookie(&app, &cookie);
    assert_eq!(signed_in_username(&mut again).await, None);
}

/// `WAYMARK_SESSION_IDLE_MINUTES` is an idle timeout: using the session pushes its end back.
async fn activity_keeps_a_session_alive(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.signed_in("owen").await;
    let id = c.cookie.clone().unwrap();
    let expires_at = || async {
        sqlx::query_scalar::<_, i64>("SELECT expires_at FROM sessions WHERE id = $1")
            .bind(id.clone())
            .fetch_one(app.db.store.pool())
            .await
            .unwrap()
    };
    let idle_ms = app_idle_minutes() * 60_000;
    assert!(expires_at().await > now_ms() + idle_ms - 60_000, "a new session lasts the idle time");

    // Nearly idle for the whole time: one more minute to go, and last pushed back longer ago than a minute (the idle
    // end is written at most once a minute).
    app.db.set_session_number(&id, "seen", now_ms() - 2 * waymark_server::auth::session_life::REFRESH_EVERY_MS).await;
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(now_ms() + 60_000)
        .bind(id.clone())
        .execute(app.db.store.pool())
        .await
        .unwrap();
    let r = c.get("/api/people").await;
    r.assert_status(StatusCode::OK);
    assert!(expires_at().await > now_ms() + idle_ms - 60_000, "using the session restarts the idle clock");
    let set_cookie = r.session_set_cookie().expect("the browser's cookie is renewed too");
    let max_age: i64 = set_cookie.split("Max-Age=").nth(1).and_then(|v| v.split(';').next()).unwrap().parse().unwrap();
    assert!((idle_ms / 1000 - 2..=idle_ms / 1000).contains(&max_age), "the idle time: {set_cookie}");
    assert_eq!(c.cookie.as_deref(), Some(id.as_str()), "renewing keeps the session id");
}

fn app_idle_minutes() -> i64 {
    waymark_server::config::Config::from_lookup(|_| None).unwrap().session_idle_secs / 60
}

async fn sign_out_ends_the_session(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.signed_in("rhian").await;
    c.get("/api/people").await.assert_status(StatusCode::OK);
    let cookie = c.cookie.clone().unwrap();
    assert_eq!(app.db.session_rows_with_id(&cookie).await, 1);

    let r = c.delete("/api/session").await;
    r.assert_status(StatusCode::NO_CONTENT);
    assert!(r.bytes.is_empty());
    let removal = r.session_set_cookie().expect("sign-out removes the cookie");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(c.cookie, None);
    assert_eq!(app.db.session_rows_with_id(&cookie).await, 0, "the session is gone from the server");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sessions").await, 0);

    // Replaying the old cookie gets nothing.
    let mut replay = Client::with_cookie(&app, &cookie);
    replay.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    assert_eq!(signed_in_username(&mut replay).await, None);
    c.get("/api/people").await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

fn sign_in_request(token: Option<&str>, extra: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::post("/api/session").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header("x-csrf-token", t);
    }
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Body::from(json!({ "username": "owen", "password": DEMO_PASSWORD }).to_string())).unwrap()
}

async fn csrf_is_required_for_every_change(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.client();
    let token = c.csrf_token().await;
    let sessions_before = app.db.count("SELECT COUNT(*) FROM sessions").await;

    let refused = [
        ("no token", sign_in_request(None, &[])),
        ("a wrong token", sign_in_request(Some(&"0".repeat(64)), &[])),
        ("an empty token", sign_in_request(Some(""), &[])),
        (
            "a cross-site Origin",
            sign_in_request(Some(&token), &[("origin", "https://evil.example"), ("host", "waymark.test")]),
        ),
        ("an Origin with no Host", sign_in_request(Some(&token), &[("origin", "https://waymark.test")])),
        ("Sec-Fetch-Site: cross-site", sign_in_request(Some(&token), &[("sec-fetch-site", "cross-site")])),
    ];
    for (what, req) in refused {
        let r = c.send_raw(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "sign-in with {what}");
        assert_eq!(r.body["code"], "csrf_rejected", "sign-in with {what}");
    }
    // Nothing was written: nobody signed in, no new session, no failure counted, the token unchanged.
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sessions").await, sessions_before);
    assert_eq!(app.db.store.sign_in_failures("owen").await.unwrap(), None);
    assert_eq!(signed_in_username(&mut c).await, None);
    assert_eq!(c.csrf.as_deref(), Some(token.as_str()));

    // A token from another session is no good either.
    let mut other = app.client();
    let other_token = other.csrf_token().await;
    assert_ne!(other_token, token);
    c.send_raw(sign_in_request(Some(&other_token), &[])).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    // Without any session, a token cannot match.
    let mut bare = app.client();
    bare.send_raw(sign_in_request(Some(&token), &[])).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");

    // The same request from the same origin, with the right token, works.
    let ok = c
        .send_raw(sign_in_request(
            Some(&token),
            &[("origin", "http://waymark.test"), ("host", "waymark.test"), ("sec-fetch-site", "same-origin")],
        ))
        .await;
    ok.assert_status(StatusCode::OK);

    // Signed in, changes still need the (new) token.
    let owen = app.db.user("owen").await;
    let put = |t: Option<&str>| {
        let mut b = Request::put("/api/me/language").header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = t {
            b = b.header("x-csrf-token", t);
        }
        b.body(Body::from(r#"{"language":"cy"}"#)).unwrap()
    };
    c.send_raw(put(None)).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    c.send_raw(put(Some(&token))).await.assert_error(StatusCode::FORBIDDEN, "csrf_rejected"); // the pre-sign-in token
    assert_eq!(app.db.user("owen").await.language, Lang::En, "a refused change writes nothing");
    let del = c.send_raw(Request::delete("/api/session").body(Body::empty()).unwrap()).await;
    del.assert_error(StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(signed_in_username(&mut c).await.as_deref(), Some("owen"), "a refused sign-out signs nobody out");

    // Reading needs no token; with the token from sign-in, the change goes through.
    let read = Request::get(format!("/api/people/{}", app.db.user("dylan").await.id)).body(Body::empty()).unwrap();
    c.send_raw(read).await.assert_status(StatusCode::OK);
    c.put("/api/me/language", json!({ "language": "cy" })).await.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(app.db.store.user_by_id(&owen.id).await.unwrap().unwrap().language, Lang::Cy);
}

async fn people_follow_roles_and_care_teams(db: TestDb) {
    let app = TestApp::demo(db).await;
    let id = |name: &'static str| {
        let db = &app.db;
        async move { db.user(name).await.id.0 }
    };
    let (dylan, alys, tomos, owen_id) = (id("dylan").await, id("alys").await, id("tomos").await, id("owen").await);

    // A key worker: exactly their caseload.
    let mut owen = app.signed_in("owen").await;
    let list = owen.get("/api/people").await;
    list.assert_status(StatusCode::OK);
    assert_eq!(names(&list), ["Alys Hughes", "Dylan Evans"]);
    assert!(list.body["people"].as_array().unwrap().iter().all(|p| p["my_relation"] == "key_worker"));
    let page = owen.get(&format!("/api/people/{dylan}")).await;
    page.assert_status(StatusCode::OK);
    assert_eq!(page.body["person"]["display_name"], "Dylan Evans");
    assert_eq!(page.body["person"]["my_relation"], "key_worker");
    let team: Vec<(&str, &str)> = page.body["care_team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["display_name"].as_str().unwrap(), m["relation"].as_str().unwrap()))
        .collect();
    assert_eq!(team, [("Owen Price", "key_worker"), ("Gareth Evans", "carer")]);
    // Someone on another caseload looks exactly like someone who does not exist.
    let other = owen.get(&format!("/api/people/{tomos}")).await;
    other.assert_error(StatusCode::NOT_FOUND, "not_found");
    let missing = owen.get("/api/people/0123456789abcdef0123456789abcdef").await;
    assert_eq!(other.body, missing.body);

    // A service user: only themselves.
    let mut d = app.signed_in("dylan").await;
    let list = d.get("/api/people").await;
    assert_eq!(names(&list), ["Dylan Evans"]);
    assert_eq!(list.body["people"][0]["my_relation"], Value::Null);
    d.get(&format!("/api/people/{dylan}")).await.assert_status(StatusCode::OK);
    d.get(&format!("/api/people/{alys}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // A carer: the person they support, nobody else.
    let mut g = app.signed_in("gareth").await;
    let list = g.get("/api/people").await;
    assert_eq!(names(&list), ["Dylan Evans"]);
    assert_eq!(list.body["people"][0]["my_relation"], "carer");
    g.get(&format!("/api/people/{dylan}")).await.assert_status(StatusCode::OK);
    g.get(&format!("/api/people/{alys}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // A ward manager: everyone on the ward; staff accounts are not person pages.
    let mut r = app.signed_in("rhian").await;
    let list = r.get("/api/people").await;
    assert_eq!(names(&list), ["Alys Hughes", "Dylan Evans", "Nia Carter", "Tomos Reed"]);
    assert_eq!(list.body["people"][0]["ward"]["name"], waymark_server::seed::DEMO_WARD);
    r.get(&format!("/api/people/{tomos}")).await.assert_status(StatusCode::OK);
    r.get(&format!("/api/people/{owen_id}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // An admin: no clinical records at all.
    let mut a = app.signed_in("admin").await;
    let list = a.get("/api/people").await;
    list.assert_status(StatusCode::OK);
    assert!(names(&list).is_empty());
    a.get(&format!("/api/people/{dylan}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

async fn bad_bodies_are_clear_client_errors(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.client();
    let raw = |body: String, content_type: &str| {
        Request::post("/api/session").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap()
    };

    let r = c.send(raw(r#"{"username":"#.into(), "application/json")).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains("JSON") && msg.contains("EOF while parsing"), "{msg}");

    let r = c.send(raw(r#"{"username":"owen"}"#.into(), "application/json")).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(r.body["message"].as_str().unwrap().contains("missing field `password`"), "{}", r.body);

    let r = c.post("/api/session", json!({ "username": "owen", "password": DEMO_PASSWORD, "role": "admin" })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(r.body["message"].as_str().unwrap().contains("unknown field `role`"), "{}", r.body);

    let r = c.post("/api/session", json!({ "username": 7, "password": DEMO_PASSWORD })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");

    let good = json!({ "username": "owen", "password": DEMO_PASSWORD }).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let r = c.send(raw(good.clone(), content_type)).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
        assert!(r.body["message"].as_str().unwrap().contains("Content-Type: application/json"), "{}", r.body);
    }
    let no_type = Request::post("/api/session").body(Body::from(good.clone())).unwrap();
    c.send(no_type).await.assert_error(StatusCode::BAD_REQUEST, "invalid_body");

    let huge = json!({ "username": "owen", "password": "p".repeat(MAX_BODY_BYTES + 1) }).to_string();
    c.send(raw(huge, "application/json")).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    for (body, field) in [
        (json!({ "username": "", "password": DEMO_PASSWORD }), "username must not be empty"),
        (json!({ "username": "   ", "password": DEMO_PASSWORD }), "username must not be empty"),
        (json!({ "username": "owen price", "password": DEMO_PASSWORD }), "username may contain only"),
        (json!({ "username": "owen", "password": "" }), "password must not be empty"),
        (json!({ "username": "owen", "password": "p".repeat(257) }), "password must be at most"),
    ] {
        let r = c.post("/api/session", body).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_input");
        assert!(r.body["message"].as_str().unwrap().contains(field), "{}", r.body);
    }

    // None of it signed anyone in or counted as a failed sign-in.
    assert_eq!(signed_in_username(&mut c).await, None);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sign_in_failures").await, 0);
    c.send(raw(good, "application/json; charset=utf-8")).await.assert_status(StatusCode::OK);
}

/// Easy read is saved on the account through the language endpoint (alone or with the language), comes back in the
/// session, and is the signed-in person's own: bad values are refused and write nothing; 10,000 saves leave one
/// value and no new rows.
async fn easy_read_is_kept_on_the_account(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.signed_in("dylan").await;
    assert_eq!(c.get("/api/session").await.body["user"]["easy_read"], false, "off until chosen");
    c.put("/api/me/language", json!({ "easy_read": true })).await.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(c.get("/api/session").await.body["user"]["easy_read"], true);
    assert!(app.db.user("dylan").await.easy_read);
    assert_eq!(app.db.user("dylan").await.language, Lang::En, "easy read alone leaves the language");
    assert!(!app.db.user("alys").await.easy_read, "only the signed-in person changes");

    // Both at once.
    c.put("/api/me/language", json!({ "language": "cy", "easy_read": false }))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let me = app.db.user("dylan").await;
    assert_eq!((me.language, me.easy_read), (Lang::Cy, false));

    let users = app.db.count("SELECT COUNT(*) FROM users").await;
    for bad in [
        json!({ "easy_read": "yes" }),
        json!({ "easy_read": 1 }),
        json!({ "easy_read": null }),
        json!({ "easy": true }),
    ] {
        c.put("/api/me/language", bad).await.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    }
    let me = app.db.user("dylan").await;
    assert_eq!((me.language, me.easy_read), (Lang::Cy, false), "refused changes wrote nothing");

    // Kept for the next sign-in.
    c.put("/api/me/language", json!({ "easy_read": true })).await.assert_status(StatusCode::NO_CONTENT);
    let mut later = app.signed_in("dylan").await;
    assert_eq!(later.get("/api/session").await.body["user"]["easy_read"], true);

    // Abuse: 10,000 saves in a row change one value and add no rows.
    for i in 0..10_000 {
        later.put("/api/me/language", json!({ "easy_read": i % 2 == 1 })).await.assert_status(StatusCode::NO_CONTENT);
    }
    assert!(app.db.user("dylan").await.easy_read);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users").await, users);
}

async fn language_can_be_changed(db: TestDb) {
    let app = TestApp::demo(db).await;
    let mut c = app.signed_in("alys").await;
    let r = c.put("/api/me/language", json!({ "language": "cy" })).await;
    r.assert_status(StatusCode::NO_CONTENT);
    assert!(r.bytes.is_empty());
    let s = c.get("/api/session").await;
    assert_eq!(s.body["user"]["language"], "cy");
    assert_eq!(app.db.user("alys").await.language, Lang::Cy);
    assert_eq!(app.db.user("dylan").await.language, Lang::En, "only the signed-in person changes");

    for bad in
        [json!({ "language": "fr" }), json!({ "language": "CY" }), json!({}), json!({ "language": "en", "x": 1 })]
    {
        c.put("/api/me/language", bad).await.assert_error(StatusCode::BAD_REQUEST, "invalid_body");
    }
    assert_eq!(app.db.user("alys").await.language, Lang::Cy, "refused changes wrote nothing");
    assert_eq!(c.get("/api/session").await.body["user"]["language"], "cy");

    // The choice comes back at the next sign-in.
    let mut later = app.signed_in("alys").await;
    assert_eq!(later.get("/api/session").await.body["user"]["language"], "cy");
    c.put("/api/me/language", json!({ "language": "en" })).await.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(app.db.user("alys").await.language, Lang::En);
}

async fn health_and_unknown_api_routes(db: TestDb) {
    let app = TestApp::new(db);
    let mut c = app.client();
    let h = c.get("/healthz").await;
    h.assert_status(StatusCode::OK);
    assert_eq!(h.body, json!({ "status": "ok" }));
    assert!(h.header(header::CONTENT_SECURITY_POLICY).unwrap().contains("frame-ancestors 'none'"));

    for path in ["/api", "/api/", "/api/nope", "/api/people/a/b", "/api/session/extra", "/api/people/"] {
        let r = c.get(path).await;
        r.assert_error(StatusCode::NOT_FOUND, "not_found");
        assert!(r.header(header::CONTENT_TYPE).unwrap().starts_with("application/json"), "{path}");
    }
    // A method the route does not have is refused, still with the API headers.
    let r = c.send_raw(Request::builder().method(Method::PATCH).uri("/api/people").body(Body::empty()).unwrap()).await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

/// The built app (engine-independent, so SQLite only).
#[tokio::test]
async fn built_app_is_served_with_the_right_caching() {
    let app = TestApp::new(TestDb::sqlite().await);
    let dist = app.dist();
    let index = "<!doctype html><html lang=\"en\"><title>Waymark</title><script type=module src=\"/assets/app-abc123.js\"></script></html>";
    // The .gz files only need to be distinguishable here: the server passes them on untouched.
    let index_gz: &[u8] = b"\x1f\x8b gzipped index";
    let js = "export default function start() {}";
    let js_gz: &[u8] = b"\x1f\x8b gzipped js";
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::write(dist.join("index.html.gz"), index_gz).unwrap();
    std::fs::write(dist.join("assets/app-abc123.js"), js).unwrap();
    std::fs::write(dist.join("assets/app-abc123.js.gz"), js_gz).unwrap();

    let mut c = app.client();
    let get = |path: &str, gzip: bool| {
        let mut b = Request::get(path);
        if gzip {
            b = b.header(header::ACCEPT_ENCODING, "gzip, deflate, br");
        }
        b.body(Body::empty()).unwrap()
    };
    let security = |r: &common::Reply| {
        let csp = r.header(header::CONTENT_SECURITY_POLICY).expect("a CSP on every response");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
        assert_eq!(r.header(header::REFERRER_POLICY), Some("no-referrer"));
        assert_eq!(r.header(header::X_FRAME_OPTIONS), Some("DENY"));
        assert_eq!(r.header(header::STRICT_TRANSPORT_SECURITY), None, "no HSTS over plain http");
    };

    // Every app route gets the shell, revalidated on each load.
    for path in ["/some/app/route", "/", "/people/123"] {
        let r = c.send_raw(get(path, false)).await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.bytes, index.as_bytes(), "{path}");
        assert!(r.header(header::CONTENT_TYPE).unwrap().starts_with("text/html"), "{path}");
        assert_eq!(r.header(header::CACHE_CONTROL), Some("no-cache"), "{path}");
        assert_eq!(r.header(header::CONTENT_ENCODING), None);
        security(&r);
    }
    let r = c.send_raw(get("/some/app/route", true)).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(r.bytes, index_gz);
    assert!(r.header(header::CONTENT_TYPE).unwrap().starts_with("text/html"));
    assert_eq!(r.header(header::CACHE_CONTROL), Some("no-cache"));

    // Hashed assets are cached for a year.
    let r = c.send_raw(get("/assets/app-abc123.js", false)).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.bytes, js.as_bytes());
    assert!(r.header(header::CONTENT_TYPE).unwrap().contains("javascript"), "{:?}", r.header(header::CONTENT_TYPE));
    assert_eq!(r.header(header::CACHE_CONTROL), Some("public, max-age=31536000, immutable"));
    assert_eq!(r.header(header::CONTENT_ENCODING), None);
    security(&r);
    let r = c.send_raw(get("/assets/app-abc123.js", true)).await;
    r.assert_status(StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(r.bytes, js_gz);
    assert!(r.header(header::CONTENT_TYPE).unwrap().contains("javascript"));
    assert_eq!(r.header(header::CACHE_CONTROL), Some("public, max-age=31536000, immutable"));

    // A missing asset is a 404 that nobody may cache (it may exist after the next deploy), never the shell.
    for path in ["/assets/app-000000.js", "/assets/", "/assets/nested/missing.wasm"] {
        let r = c.send_raw(get(path, true)).await;
        r.assert_status(StatusCode::NOT_FOUND);
        let cache = r.header(header::CACHE_CONTROL).unwrap_or_default();
        assert!(!cache.contains("immutable") && !cache.contains("max-age"), "{path}: {cache}");
        assert_ne!(r.bytes, index.as_bytes(), "{path}");
        security(&r);
    }
    // No escaping the dist folder.
    std::fs::write(dist.parent().unwrap().join("secret.txt"), "secret").ok();
    let r = c.send_raw(get("/assets/..%2f..%2fsecret.txt", false)).await;
    assert!(!String::from_utf8_lossy(&r.bytes).contains("secret"), "{}", r.status);
}
