//! Sign-in under abuse, and what a read costs, over loopback (not a timed test: it prints figures).
//!
//!     cargo bench -p waymark-server --bench auth_bench                                    # SQLite
//!     bash scripts/with-postgres.sh cargo bench -p waymark-server --bench auth_bench      # and PostgreSQL
//!     WAYMARK_BENCH_SERVER_BIN=/path/to/waymark-server cargo bench … --bench auth_bench    # another build's figures
//!
//! Bounded and loopback only: it starts its own server on 127.0.0.1 (and refuses any other address) and sends a
//! fixed number of requests.
//!
//! 1. **Bogus sign-ins**: three bursts of 128 simultaneous sign-ins with made-up usernames, each from its own
//!    address (the server trusts `X-Forwarded-For` here, as behind a proxy, so no per-address limit helps): the
//!    answers, the server's peak resident memory (VmHWM), and its resident memory just after and 5 s later.
//! 2. **Right sign-ins**: eight rounds of 16 simultaneous sign-ins with the right password (the demo accounts in
//!    turn): the answers, and the resident memory 5 s after.
//! 3. **Up-to-date pulls**: 4 devices signed in as Dylan, caught up, each makes 2,500 pulls that find nothing new, on
//!    kept-alive connections: pulls per second and the p50/p99 time of one pull; then 50 devices, 200 pulls each.
//! 4. **1,000 live streams**: one staff member's 1,000 open `/api/sync/live` streams (the per-person limit raised
//!    for the bench): the server's resident memory idle and with them open, and, for one comment Dylan writes, the
//!    time until each stream has its `changed` notice (p50/p95/max), after 30 s of quiet and back to back, and until
//!    each of the 1,000 devices holds the new value (its notice, then a pull on its own kept-alive connection, as
//!    the app does). Needs a file limit above ~4,200 (`ulimit -n`).

#[path = "../tests/common/postgres.rs"]
mod postgres;
#[path = "../tests/common/wire.rs"]
mod wire;

use serde_json::json;
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use wire::{Http, ServerProcess, empty_dist};

const BURST: usize = 128;
const BURSTS: usize = 3;
const RIGHT_ROUNDS: usize = 8;
const RIGHT_PER_ROUND: usize = 16;
const DEVICES: usize = 4;
const PULLS_PER_DEVICE: usize = 2_500;
const MANY_DEVICES: usize = 50;
const PULLS_PER_MANY: usize = 200;
const LIVE_STREAMS: usize = 1_000;
const USERS: [&str; 10] = ["owen", "sara", "rhian", "dylan", "alys", "tomos", "nia", "gareth", "helen", "admin"];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("WAYMARK_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()));
    if let Ok(bin) = std::env::var("WAYMARK_BENCH_SERVER_BIN") {
        println!("server binary: {bin}");
    }

    let sqlite_dir = tempfile::tempdir().expect("a temporary folder");
    let db = |name: &str| format!("sqlite://{}?mode=rwc", sqlite_dir.path().join(name).display());
    run("SQLite", [db("a.db"), db("b.db"), db("c.db")]).await;

    if let Some(admin_url) = postgres {
        let names = ["a", "b", "c"].map(|part| format!("waymark_authbench_{}_{part}", std::process::id()));
        let mut urls = Vec::new();
        for name in &names {
            urls.push(postgres::create_database(&admin_url, name).await);
        }
        run("PostgreSQL", [urls[0].clone(), urls[1].clone(), urls[2].clone()]).await;
        for name in &names {
            postgres::drop_database(&admin_url, name).await;
        }
    } else {
        println!("(PostgreSQL skipped: pass `-- --postgres URL` or run under scripts/with-postgres.sh)");
    }
}

async fn run(engine: &str, urls: [String; 3]) {
    println!("== {engine}");
    bogus_sign_ins(&urls[0]).await;
    right_sign_ins(&urls[1]).await;
    up_to_date_pulls(&urls[2], DEVICES, PULLS_PER_DEVICE).await;
    up_to_date_pulls(&urls[2], MANY_DEVICES, PULLS_PER_MANY).await;
    live_streams(&urls[2]).await;
}

fn start(url: &str) -> (ServerProcess, tempfile::TempDir) {
    let (dist_dir, dist) = empty_dist();
    let server = ServerProcess::start_with(url, &dist, &[("WAYMARK_CLIENT_IP_HEADER", "x-forwarded-for")]);
    assert!(server.addr.ip().is_loopback(), "the load goes to loopback only");
    (server, dist_dir)
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn tally(statuses: &[u16]) -> String {
    let mut by: BTreeMap<u16, usize> = BTreeMap::new();
    for s in statuses {
        *by.entry(*s).or_default() += 1;
    }
    by.iter().map(|(s, n)| format!("{n}×{s}")).collect::<Vec<_>>().join(" ")
}

async fn sign_in_once(addr: std::net::SocketAddr, from: String, username: String, password: String) -> u16 {
    let mut c = Http::new(addr);
    c.extra_headers.push(("X-Forwarded-For".into(), from));
    if c.get("/api/session").await.is_err() {
        return 0;
    }
    let body = json!({ "username": username, "password": password });
    c.post_json("/api/session", &body).await.map_or(0, |r| r.status)
}

async fn bogus_sign_ins(url: &str) {
    let (server, _dist) = start(url);
    let pid = server.pid();
    let idle = status_kib(pid, "VmRSS:");
    let started = Instant::now();
    let mut all = Vec::new();
    for burst in 0..BURSTS {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..BURST {
            let from = format!("198.51.{}.{}", 100 + burst, i + 1);
            tasks.spawn(sign_in_once(server.addr, from, format!("nobody-{burst}-{i}"), "a guess".into()));
        }
        let statuses = tasks.join_all().await;
        println!("  bogus burst {}: {BURST} simultaneous sign-ins answered {}", burst + 1, tally(&statuses));
        all.extend(statuses);
    }
    let took = started.elapsed();
    let (peak, after) = (status_kib(pid, "VmHWM:"), status_kib(pid, "VmRSS:"));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let later = status_kib(pid, "VmRSS:");
    println!(
        "  bogus sign-ins: {} in {:.1} s, answered {}; server memory: idle {}, peak {}, just after {}, 5 s later {}",
        all.len(),
        took.as_secs_f64(),
        tally(&all),
        mib(idle),
        mib(peak),
        mib(after),
        mib(later)
    );
}

async fn right_sign_ins(url: &str) {
    let (server, _dist) = start(url);
    let pid = server.pid();
    let idle = status_kib(pid, "VmRSS:");
    let mut all = Vec::new();
    let started = Instant::now();
    for round in 0..RIGHT_ROUNDS {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..RIGHT_PER_ROUND {
            let user = USERS[i % USERS.len()].to_owned();
            tasks.spawn(sign_in_once(
                server.addr,
                format!("192.0.2.{}", round * 16 + i + 1),
                user,
                wire::DEMO_PASSWORD.into(),
            ));
        }
        all.extend(tasks.join_all().await);
    }
    let took = started.elapsed();
    let peak = status_kib(pid, "VmHWM:");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let later = status_kib(pid, "VmRSS:");
    println!(
        "  right sign-ins: {RIGHT_ROUNDS} rounds of {RIGHT_PER_ROUND} at once in {:.1} s ({:.0} sign-ins/s), answered {}; \
         server memory: idle {}, peak {}, 5 s later {}",
        took.as_secs_f64(),
        all.len() as f64 / took.as_secs_f64(),
        tally(&all),
        mib(idle),
        mib(peak),
        mib(later)
    );
}

/// One kept-alive HTTP/1.1 connection with the session cookie: GET and read one response at a time.
struct KeptAlive {
    stream: TcpStream,
    cookie: String,
    buf: Vec<u8>,
}

impl KeptAlive {
    async fn get(&mut self, path: &str) -> (u16, Vec<u8>) {
        let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\n\r\n", self.cookie);
        self.stream.write_all(req.as_bytes()).await.expect("send");
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_string();
                let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
                let len: usize = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                    .and_then(|v| v.parse().ok())
                    .expect("pulls are answered with a Content-Length");
                while self.buf.len() < end + 4 + len {
                    self.read_more().await;
                }
                let body = self.buf[end + 4..end + 4 + len].to_vec();
                self.buf.drain(..end + 4 + len);
                return (status, body);
            }
            self.read_more().await;
        }
    }

    async fn read_more(&mut self) {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
    }
}

async fn up_to_date_pulls(url: &str, device_count: usize, pulls_per_device: usize) {
    let (server, _dist) = start(url);
    let mut devices = Vec::new();
    for _ in 0..device_count {
        let mut c = Http::new(server.addr);
        c.sign_in("dylan").await.expect("sign in as dylan");
        let r = c.get("/api/sync/pull?schema=1&since=0&limit=1000").await.expect("catch up");
        assert_eq!(r.status, 200);
        let page = r.json();
        assert_eq!(page["more"], false);
        let path = format!(
            "/api/sync/pull?schema=1&since={}&scope={}",
            page["cursor"].as_u64().unwrap(),
            page["scope"].as_str().unwrap()
        );
        let cookie = format!("{}={}", wire::SESSION_COOKIE, c.cookie.clone().expect("a session"));
        let stream = TcpStream::connect(server.addr).await.expect("connect");
        stream.set_nodelay(true).unwrap();
        devices.push((KeptAlive { stream, cookie, buf: Vec::new() }, path));
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (mut conn, path) in devices {
        tasks.spawn(async move {
            let mut times = Vec::with_capacity(pulls_per_device);
            for _ in 0..pulls_per_device {
                let t = Instant::now();
                let (status, body) = conn.get(&path).await;
                times.push(t.elapsed());
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            }
            times
        });
    }
    let mut times: Vec<Duration> = tasks.join_all().await.into_iter().flatten().collect();
    let took = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "  up-to-date pulls: {} by {device_count} devices in {:.2} s = {:.0} pulls/s; one pull p50 {:.2} ms, p99 {:.2} ms",
        times.len(),
        took.as_secs_f64(),
        times.len() as f64 / took.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    );
}

/// One of Owen's devices: its connection for pulls and how far it has pulled.
struct Device {
    pulls: KeptAlive,
    cursor: u64,
}

impl Device {
    /// Pull (as the app does on a notice) until the page holds `needle`.
    async fn pull_until(&mut self, scope: &str, needle: &str) {
        loop {
            let (status, body) =
                self.pulls.get(&format!("/api/sync/pull?schema=1&since={}&scope={scope}", self.cursor)).await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            let page: serde_json::Value = serde_json::from_slice(&body).expect("a page");
            self.cursor = page["cursor"].as_u64().expect("a cursor");
            if contains(&body, needle.as_bytes()) {
                return;
            }
        }
    }
}

/// p50, p95 and max of `times`, in milliseconds.
fn spread(times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e3;
    format!("p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms", at(0.50), at(0.95), at(1.0))
}

/// Open a live stream on its own connection and read up to its `hello`.
async fn open_live(addr: std::net::SocketAddr, cookie: &str) -> (TcpStream, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET /api/sync/live HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n");
    stream.write_all(req.as_bytes()).await.expect("send");
    let mut buf = Vec::new();
    while !contains(&buf, b"event: hello") {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the stream closed before its hello: {}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
    }
    (stream, Vec::new())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Read until a `changed` notice arrives; when it did, measured from `since`.
async fn until_changed(stream: &mut TcpStream, buf: &mut Vec<u8>, since: Instant) -> Duration {
    loop {
        if let Some(at) = buf.windows(14).position(|w| w == b"event: changed") {
            buf.drain(..at + 14);
            return since.elapsed();
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the stream closed");
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn live_streams(url: &str) {
    let (dist_dir, dist) = empty_dist();
    let server = ServerProcess::start_with(url, &dist, &[("WAYMARK_LIVE_STREAMS_PER_USER", &LIVE_STREAMS.to_string())]);
    assert!(server.addr.ip().is_loopback(), "the load goes to loopback only");
    let pid = server.pid();
    let mut owen = Http::new(server.addr);
    owen.sign_in("owen").await.expect("sign in as owen");
    let cookie = format!("{}={}", wire::SESSION_COOKIE, owen.cookie.clone().expect("a session"));
    let mut dylan = Http::new(server.addr);
    let dylan_id = dylan.sign_in("dylan").await.expect("sign in as dylan")["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = status_kib(pid, "VmRSS:");
    let started = Instant::now();
    // Owen's devices are caught up (the same cursor and scope on each), as a ward's tablets would be.
    let mut cursor = 0u64;
    let scope = loop {
        let r = owen.get(&format!("/api/sync/pull?schema=1&since={cursor}&limit=1000")).await.expect("catch up");
        assert_eq!(r.status, 200);
        let page = r.json();
        cursor = page["cursor"].as_u64().expect("a cursor");
        if page["more"] != true {
            break page["scope"].as_str().expect("a scope").to_owned();
        }
    };
    let mut streams = Vec::with_capacity(LIVE_STREAMS);
    for _ in 0..LIVE_STREAMS {
        let (stream, buf) = open_live(server.addr, &cookie).await;
        // Each device's own kept-alive connection for its pulls (a browser's other connection to the server).
        let pulls = TcpStream::connect(server.addr).await.expect("connect");
        pulls.set_nodelay(true).unwrap();
        let device = Device { pulls: KeptAlive { stream: pulls, cookie: cookie.clone(), buf: Vec::new() }, cursor };
        streams.push((stream, buf, device));
    }
    let opened = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let open = status_kib(pid, "VmRSS:");
    println!(
        "  {LIVE_STREAMS} live streams opened in {:.2} s; server memory idle {}, with them open {}",
        opened.as_secs_f64(),
        mib(idle),
        mib(open)
    );
    let mut edit = 0;
    for (what, quiet) in [("after 30 s of quiet", Duration::from_secs(30)), ("back to back", Duration::ZERO)] {
        for _ in 0..3 {
            tokio::time::sleep(quiet).await;
            edit += 1;
            let change =
                json!({ "type": "add_comment", "comment": format!("bench{edit}"), "text": format!("Comment {edit}") });
            let body = json!({ "schema": 1, "client": "bench-dylan-1", "mutations": [
                { "id": edit, "person": dylan_id, "base": 0, "made_at_ms": 1_700_000_000_000i64, "change": change }
            ] });
            let t = Instant::now();
            let needle = format!("Comment {edit}\"");
            let mut tasks = tokio::task::JoinSet::new();
            for (mut stream, mut buf, mut device) in streams.drain(..) {
                let (scope, needle) = (scope.clone(), needle.clone());
                tasks.spawn(async move {
                    let told = until_changed(&mut stream, &mut buf, t).await;
                    device.pull_until(&scope, &needle).await;
                    (stream, buf, device, told, t.elapsed())
                });
            }
            let r = dylan.post_json("/api/sync/push", &body).await.expect("push");
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            let (mut told, mut holding) = (Vec::with_capacity(LIVE_STREAMS), Vec::with_capacity(LIVE_STREAMS));
            for (stream, buf, device, notice, value) in tasks.join_all().await {
                streams.push((stream, buf, device));
                told.push(notice);
                holding.push(value);
            }
            println!("  an edit's notice, {what}: on all {} streams {}", told.len(), spread(&mut told));
            println!(
                "    and the new value on all {} devices (notice, then a pull) {}",
                holding.len(),
                spread(&mut holding)
            );
        }
    }
    println!("  server memory after, peak {}", mib(status_kib(pid, "VmHWM:")));
    drop(streams);
    drop(dist_dir);
}
