//! The real server binary as a child process, and a tiny HTTP/1.1 client to speak to it over TCP.
//!
//! Used by the durability test and the sync bench (which includes this file by path). One request per
//! connection (`Connection: close`), bodies with `Content-Length`, responses with `Content-Length`, chunked
//! encoding or read to the end; the session cookie and CSRF token are kept like a browser keeps them.

#![allow(dead_code)]

use serde_json::Value;
use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// The server binary Cargo built for these tests.
pub const SERVER_BIN: &str = env!("CARGO_BIN_EXE_waymark-server");
pub const SESSION_COOKIE: &str = "waymark_session";
/// The signed-out CSRF cookie.
pub const CSRF_COOKIE: &str = "waymark_csrf";
pub const DEMO_PASSWORD: &str = "waymark-demo";

/// A running `waymark-server` process. Killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    /// The server's output so far (its log), for failure messages.
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Start the server on a port the kernel picks, over `database_url`, with the demo ward seeded into an empty
    /// database. Waits until it is listening.
    pub fn start(database_url: &str, dist: &std::path::Path) -> ServerProcess {
        Self::start_with(database_url, dist, &[])
    }

    pub fn start_with(database_url: &str, dist: &std::path::Path, extra_env: &[(&str, &str)]) -> ServerProcess {
        // `WAYMARK_BENCH_SERVER_BIN` measures another build (e.g. main's, for a benchmark's "before").
        let bin = std::env::var("WAYMARK_BENCH_SERVER_BIN").unwrap_or_else(|_| SERVER_BIN.to_owned());
        let mut cmd = Command::new(&bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WAYMARK_LISTEN", "127.0.0.1:0")
            .env("DATABASE_URL", database_url)
            .env("WAYMARK_DIST", dist)
            .env("WAYMARK_SEED_DEMO", "1")
            .env("RUST_LOG", std::env::var("WAYMARK_CHILD_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {bin}: {e}"));
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<SocketAddr>();
        // Read its output for as long as it runs (so the pipes never fill), and find the address it listens on.
        for stream in [
            Box::new(child.stdout.take().expect("piped stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped stderr")),
        ] {
            let (log, addr_tx) = (log.clone(), addr_tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let line = strip_ansi(&line);
                    if line.contains("Waymark is listening")
                        && let Some(addr) = line
                            .split_whitespace()
                            .find_map(|w| w.strip_prefix("address="))
                            .and_then(|a| a.parse().ok())
                    {
                        let _ = addr_tx.send(addr);
                    }
                    if std::env::var_os("WAYMARK_CHILD_LOG").is_some() {
                        eprintln!("server: {line}");
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let addr = match addr_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start listening; its output:\n{}", log.lock().unwrap().join("\n"));
            }
        };
        ServerProcess { child, addr, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no graceful shutdown, no flush, nothing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    pub fn client(&self) -> Http {
        Http::new(self.addr)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A temporary, empty folder to serve as `WAYMARK_DIST`.
pub fn empty_dist() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary dist folder");
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// One HTTP response.
#[derive(Debug)]
pub struct WireReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl WireReply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A browser-like client: keeps the session cookie and the CSRF token.
#[derive(Clone, Debug)]
pub struct Http {
    pub addr: SocketAddr,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// The signed-out CSRF cookie's value.
    pub csrf_cookie: Option<String>,
    /// Extra header lines sent with every request (e.g. `X-Forwarded-For: …`).
    pub extra_headers: Vec<(String, String)>,
}

impl Http {
    pub fn new(addr: SocketAddr) -> Http {
        Http { addr, cookie: None, csrf: None, csrf_cookie: None, extra_headers: Vec::new() }
    }

    /// Sign in as a demo account; returns the `user` object.
    pub async fn sign_in(&mut self, username: &str) -> std::io::Result<Value> {
        self.request("GET", "/api/session", None).await?;
        let body = serde_json::json!({ "username": username, "password": DEMO_PASSWORD }).to_string();
        let r = self.request("POST", "/api/session", Some(body.as_bytes())).await?;
        if r.status != 200 {
            return Err(std::io::Error::other(format!(
                "sign-in as {username}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )));
        }
        Ok(r.json()["user"].clone())
    }

    pub async fn get(&mut self, path: &str) -> std::io::Result<WireReply> {
        self.request("GET", path, None).await
    }

    pub async fn post_json(&mut self, path: &str, body: &Value) -> std::io::Result<WireReply> {
        self.request("POST", path, Some(body.to_string().as_bytes())).await
    }

    pub async fn request(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> std::io::Result<WireReply> {
        let mut stream = TcpStream::connect(self.addr).await?;
        stream.set_nodelay(true)?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        let mut cookies = Vec::new();
        if let Some(cookie) = &self.cookie {
            cookies.push(format!("{SESSION_COOKIE}={cookie}"));
        }
        if let Some(value) = &self.csrf_cookie {
            cookies.push(format!("{CSRF_COOKIE}={value}"));
        }
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {}\r\n", cookies.join("; ")));
        }
        for (k, v) in &self.extra_headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if method != "GET"
            && let Some(token) = &self.csrf
        {
            head.push_str(&format!("x-csrf-token: {token}\r\n"));
        }
        let body = body.unwrap_or_default();
        if method != "GET" {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        stream.write_all(&request).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        let reply = parse_response(&raw)?;
        self.remember(&reply);
        Ok(reply)
    }

    fn remember(&mut self, reply: &WireReply) {
        for (k, v) in &reply.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let kept = |rest: &str| {
                let value = rest.split(';').next().unwrap_or_default();
                (!value.is_empty() && !v.to_ascii_lowercase().contains("max-age=0")).then(|| value.to_owned())
            };
            if let Some(rest) = v.strip_prefix(&format!("{SESSION_COOKIE}=")) {
                self.cookie = kept(rest);
            } else if let Some(rest) = v.strip_prefix(&format!("{CSRF_COOKIE}=")) {
                self.csrf_cookie = kept(rest);
            }
        }
        if reply.header("content-type").is_some_and(|t| t.starts_with("application/json"))
            && let Some(token) = reply.json().get("csrf_token").and_then(Value::as_str)
        {
            self.csrf = Some(token.to_owned());
        }
    }
}

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn parse_response(raw: &[u8]) -> std::io::Result<WireReply> {
    let end =
        raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no end of headers (connection cut?)"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("headers are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 =
        status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad(status_line.to_owned()))?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))).collect();
    let rest = &raw[end + 4..];
    let find = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let body = if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        dechunk(rest)?
    } else if let Some(len) = find("content-length").and_then(|l| l.parse::<usize>().ok()) {
        if rest.len() < len {
            return Err(bad(format!("body cut short: {} of {len} bytes", rest.len())));
        }
        rest[..len].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(WireReply { status, headers, body })
}

fn dechunk(mut rest: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(|| bad("chunk size line"))?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| bad("chunk size"))?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
            .map_err(|_| bad("chunk size"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size + 2 {
            return Err(bad("chunk cut short"));
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
