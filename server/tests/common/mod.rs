//! Test harness shared by the integration tests: a fresh database on either engine, the app router around it,
//! and a small cookie-carrying client that speaks to the router in-process.
//!
//! PostgreSQL tests need `WAYMARK_TEST_POSTGRES_URL` (a superuser URL; each test creates its own database).
//! `scripts/with-postgres.sh cargo test -p waymark-server` starts a throwaway cluster and sets it.

#![allow(dead_code)]

pub mod changes;
pub mod postgres;
pub mod wire;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;
use tower::ServiceExt;
use waymark_server::{
    config::Config,
    routes::{self, SESSION_COOKIE},
    seed,
    state::AppState,
    store::{Engine, Store, UserRow},
};
use waymark_shared::api::CSRF_HEADER;

pub const POSTGRES_URL_VAR: &str = "WAYMARK_TEST_POSTGRES_URL";
/// The signed-out CSRF cookie (a browser keeps it; the harness must too).
pub const CSRF_COOKIE: &str = "waymark_csrf";

/// A fresh, migrated database that lives as long as this value.
pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with (to open it again).
    pub url: String,
    /// Keeps a SQLite file's folder alive.
    _dir: Option<TempDir>,
}

impl TestDb {
    /// A new SQLite database in a temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("waymark-test.db").display());
        let store = Store::connect(&url).await.expect("open a SQLite test database");
        assert_eq!(store.engine(), Engine::Sqlite);
        TestDb { store, url, _dir: Some(dir) }
    }

    /// A new PostgreSQL database on the server named by `WAYMARK_TEST_POSTGRES_URL`, or `None` (with a notice)
    /// when that is not set. Under CI (`CI` set) a missing URL is an error, so PostgreSQL is never skipped silently.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
                    panic!("PostgreSQL tests need {POSTGRES_URL_VAR}; run them through scripts/with-postgres.sh");
                }
                eprintln!(
                    "skipping a PostgreSQL test: {POSTGRES_URL_VAR} is not set \
                     (run `scripts/with-postgres.sh cargo test -p waymark-server` to include them)"
                );
                return None;
            }
        };
        let name = format!("waymark_test_{}", hex::encode(rand::random::<[u8; 8]>()));
        let url = postgres::create_database(&admin_url, &name).await;
        let store = Store::connect(&url).await.expect("open the PostgreSQL test database");
        assert_eq!(store.engine(), Engine::Postgres);
        Some(TestDb { store, url, _dir: None })
    }

    pub fn engine(&self) -> Engine {
        self.store.engine()
    }

    /// The same database through a second pool (as a second server instance would open it). The first value
    /// keeps any temporary folder alive.
    pub async fn reopen(&self) -> TestDb {
        let store = Store::connect(&self.url).await.expect("reopen the test database");
        TestDb { store, url: self.url.clone(), _dir: None }
    }

    /// Seed the fictional demo ward (one Argon2 hash for all ten accounts).
    pub async fn seed_demo(&self) {
        assert!(seed::seed_demo_ward(&self.store).await.expect("seed the demo ward"), "the database was not empty");
    }

    pub async fn user(&self, username: &str) -> UserRow {
        self.store
            .user_by_username(username)
            .await
            .expect("look up a user")
            .unwrap_or_else(|| panic!("no user {username:?}"))
    }

    /// `SELECT COUNT(*) …` (any query returning one BIGINT).
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(self.store.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Set a whole-number value in a stored session's data (`"seen"`, `"since"`: the server's clocks), as if time had
    /// passed. The record is edited as text: its id is a 128-bit number that a JSON value would round.
    pub async fn set_session_number(&self, id: &str, key: &str, value: i64) {
        let data: String = sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_one(self.store.pool())
            .await
            .expect("the session row");
        let field = format!("\"{key}\":");
        let start = data.find(&field).unwrap_or_else(|| panic!("no {key} in the session {data}")) + field.len();
        let end = start + data[start..].find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(data.len() - start);
        let edited = format!("{}{value}{}", &data[..start], &data[end..]);
        sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
            .bind(edited)
            .bind(id)
            .execute(self.store.pool())
            .await
            .expect("edit the session");
    }

    /// A whole-number value in a stored session's data.
    pub async fn session_number(&self, id: &str, key: &str) -> i64 {
        let data: String = sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_one(self.store.pool())
            .await
            .expect("the session row");
        let field = format!("\"{key}\":");
        let start = data.find(&field).unwrap_or_else(|| panic!("no {key} in the session {data}")) + field.len();
        data[start..].split(|c: char| !(c.is_ascii_digit() || c == '-')).next().unwrap().parse().unwrap()
    }

    /// How many session rows have this id.
    pub async fn session_rows_with_id(&self, id: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_one(self.store.pool())
            .await
            .expect("count sessions")
    }
}

/// Generate, for each `async fn name(db: TestDb)`, a module `name` with the tests `sqlite` and `postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::common::TestDb::sqlite().await).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(db) = $crate::common::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            }
        )+
    };
}

/// The whole app (API, headers, built-app serving) over a test database, with an empty temporary `dist` folder
/// that tests may fill.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
    /// The state behind the router (its live hub, for the watcher).
    pub state: AppState,
    dist: TempDir,
}

impl TestApp {
    pub fn new(db: TestDb) -> TestApp {
        TestApp::with_config(db, |_| {})
    }

    /// The app with the default configuration changed by `change`.
    pub fn with_config(db: TestDb, change: impl FnOnce(&mut Config)) -> TestApp {
        let dist = tempfile::tempdir().expect("create a temporary dist folder");
        let mut config = Config::from_lookup(|_| None).expect("the default configuration is valid");
        change(&mut config);
        config.dist_dir = dist.path().to_path_buf();
        config.database_url = db.url.clone();
        let state = AppState::new(db.store.clone(), config);
        TestApp { router: routes::router(state.clone()), db, dist, state }
    }

    /// A new app over a new database with the demo ward in it.
    pub async fn demo(db: TestDb) -> TestApp {
        db.seed_demo().await;
        TestApp::new(db)
    }

    pub fn dist(&self) -> &Path {
        self.dist.path()
    }

    pub fn client(&self) -> Client<'_> {
        Client { app: self, cookie: None, csrf: None, csrf_cookie: None, peer: None }
    }

    /// Sign in as a demo account (password `waymark-demo`).
    pub async fn signed_in(&self, username: &str) -> Client<'_> {
        let mut c = self.client();
        c.sign_in(username, seed::DEMO_PASSWORD).await.assert_status(StatusCode::OK);
        c
    }
}

/// One response, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as JSON, or `Value::Null` when it is empty or not JSON.
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", String::from_utf8_lossy(&self.bytes));
        self
    }

    /// Assert an error answer: its status and the `code` in its JSON body.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> &Self {
        self.assert_status(status);
        assert_eq!(self.body["code"], code, "unexpected error body: {}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error needs a message: {}",
            self.body
        );
        self
    }

    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `waymark_session` Set-Cookie line, if the response set or removed the cookie.
    pub fn session_set_cookie(&self) -> Option<&str> {
        self.set_cookie(SESSION_COOKIE)
    }

    /// The Set-Cookie line for the cookie `name`, if the response set or removed it.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
    }
}

/// A browser-like client: keeps the session cookie, fetches and sends the CSRF token.
pub struct Client<'a> {
    app: &'a TestApp,
    /// The `waymark_session` cookie's value.
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// The signed-out CSRF cookie's value (`waymark_csrf`), kept like the browser keeps it.
    pub csrf_cookie: Option<String>,
    /// The TCP peer address the request seems to come from (none in-process unless set).
    pub peer: Option<std::net::SocketAddr>,
}

impl<'a> Client<'a> {
    /// A client that presents this session cookie (e.g. one kept from before a sign-out).
    pub fn with_cookie(app: &'a TestApp, cookie: &str) -> Client<'a> {
        Client { app, cookie: Some(cookie.to_owned()), csrf: None, csrf_cookie: None, peer: None }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn post(&mut self, path: &str, json: Value) -> Reply {
        self.send_json(Method::POST, path, json).await
    }

    pub async fn put(&mut self, path: &str, json: Value) -> Reply {
        self.send_json(Method::PUT, path, json).await
    }

    pub async fn delete(&mut self, path: &str) -> Reply {
        self.send(Request::delete(path).body(Body::empty()).unwrap()).await
    }

    pub async fn send_json(&mut self, method: Method, path: &str, json: Value) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Reply {
        self.post("/api/session", serde_json::json!({ "username": username, "password": password })).await
    }

    /// Make sure the session has a CSRF token (as the app does with `GET /api/session`) and return it.
    pub async fn csrf_token(&mut self) -> String {
        if self.csrf.is_none() {
            let r = self.send_raw(Request::get("/api/session").body(Body::empty()).unwrap()).await;
            r.assert_status(StatusCode::OK);
        }
        self.csrf.clone().expect("GET /api/session hands out a CSRF token")
    }

    /// Send a request with the session cookie and, when it changes state, the CSRF token.
    pub async fn send(&mut self, mut req: Request<Body>) -> Reply {
        if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
            && !req.headers().contains_key(CSRF_HEADER)
        {
            let token = self.csrf_token().await;
            req.headers_mut().insert(CSRF_HEADER, HeaderValue::from_str(&token).unwrap());
        }
        self.send_raw(req).await
    }

    /// Send a request with the session cookie only: no CSRF token is added.
    pub async fn send_raw(&mut self, mut req: Request<Body>) -> Reply {
        let mut cookies = Vec::new();
        if let Some(cookie) = &self.cookie {
            cookies.push(format!("{SESSION_COOKIE}={cookie}"));
        }
        if let Some(value) = &self.csrf_cookie {
            cookies.push(format!("{CSRF_COOKIE}={value}"));
        }
        if !cookies.is_empty() && !req.headers().contains_key(header::COOKIE) {
            req.headers_mut().insert(header::COOKIE, HeaderValue::from_str(&cookies.join("; ")).unwrap());
        }
        if let Some(peer) = self.peer {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let is_api = req.uri().path().starts_with("/api/");
        let res = self.app.router.clone().oneshot(req).await.expect("the router never fails");
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.expect("read the response body").to_bytes().to_vec();
        let reply = Reply {
            status: parts.status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers: parts.headers,
            bytes,
        };
        if is_api {
            assert_api_headers(&reply);
        }
        if let Some(set) = reply.session_set_cookie() {
            let value = set[SESSION_COOKIE.len() + 1..].split(';').next().unwrap_or_default();
            let removed = value.is_empty() || set.to_ascii_lowercase().contains("max-age=0");
            self.cookie = (!removed).then(|| value.to_owned());
            if removed {
                self.csrf = None;
            }
        }
        if let Some(set) = reply.set_cookie(CSRF_COOKIE) {
            let value = set[CSRF_COOKIE.len() + 1..].split(';').next().unwrap_or_default();
            let removed = value.is_empty() || set.to_ascii_lowercase().contains("max-age=0");
            self.csrf_cookie = (!removed).then(|| value.to_owned());
        }
        if let Some(token) = reply.body.get("csrf_token").and_then(Value::as_str) {
            self.csrf = Some(token.to_owned());
        }
        reply
    }
}

/// What every API response must carry, whatever its status: no caching anywhere, and no framing.
#[track_caller]
pub fn assert_api_headers(reply: &Reply) {
    assert_eq!(
        reply.header(header::CACHE_CONTROL),
        Some("no-store"),
        "API responses must not be cached ({})",
        reply.status
    );
    let csp = reply.header(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "API responses need a CSP forbidding framing, got {csp:?}");
}

/// An open `text/event-stream` response, read event by event.
pub struct EventStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Body,
    buf: String,
}

/// One server-sent event: its name (`message` if none was given) and data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
    pub retry: Option<u64>,
}

impl EventStream {
    /// Did the server end the stream within `wait`? (Events and keep-alives meanwhile are read and dropped.)
    pub async fn ended_within(&mut self, wait: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next event within `wait`, or `None` if none came (keep-alive comments are skipped).
    pub async fn next_event(&mut self, wait: std::time::Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = SseEvent { event: "message".into(), data: String::new(), retry: None };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().to_owned();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.trim());
                        any = true;
                    } else if let Some(v) = line.strip_prefix("retry:") {
                        event.retry = v.trim().parse().ok();
                    }
                }
                if any {
                    return Some(event);
                }
                continue;
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame()).await.ok()??.ok()?;
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}

impl Client<'_> {
    /// Open a streaming GET (with the session cookie and `Accept-Encoding: gzip`, as a browser sends it).
    pub async fn open_stream(&mut self, path: &str) -> EventStream {
        let mut req = Request::get(path).header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
        if let Some(cookie) = &self.cookie {
            req.headers_mut()
                .insert(header::COOKIE, HeaderValue::from_str(&format!("{SESSION_COOKIE}={cookie}")).unwrap());
        }
        let res = self.app.router.clone().oneshot(req).await.expect("the router never fails");
        let (parts, body) = res.into_parts();
        EventStream { status: parts.status, headers: parts.headers, body, buf: String::new() }
    }
}
