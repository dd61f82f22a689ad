//! Configuration from the environment, with defaults that run Waymark on one machine with no set-up.

use std::{net::SocketAddr, path::PathBuf};

#[derive(Clone, Debug)]
pub struct Config {
    /// `WAYMARK_LISTEN` (default `127.0.0.1:3000`).
    pub listen_addr: SocketAddr,
    /// `DATABASE_URL` (default a SQLite file under `./data/`). `postgres://…` selects PostgreSQL.
    pub database_url: String,
    /// `WAYMARK_DIST` (default `./dist`): the built app.
    pub dist_dir: PathBuf,
    /// `WAYMARK_SECURE_COOKIES` (default false): mark the session cookie `Secure`; set it when served over https.
    pub secure_cookies: bool,
    /// `WAYMARK_SESSION_IDLE_MINUTES` (default 30): a session ends after this long without use (kept in
    /// seconds, so tests may set less than a minute).
    pub session_idle_secs: i64,
    /// `WAYMARK_SESSION_MAX_MINUTES` (default 720, 12 hours): a session ends this long after sign-in, however
    /// active it is (in seconds).
    pub session_max_secs: i64,
    /// `WAYMARK_HASH_CONCURRENCY` (default: the number of CPU cores, at most 8): at most this many password hashes
    /// run at once (each takes 19 MiB and one core for a moment).
    pub hash_concurrency: usize,
    /// `WAYMARK_HASH_QUEUE` (default 32): sign-ins that may wait for a turn to hash beyond those running; more are
    /// answered 503 with `Retry-After`.
    pub hash_queue: usize,
    /// `WAYMARK_CLIENT_IP_HEADER` (default none): the header a trusted reverse proxy puts the client's address in
    /// (`x-forwarded-for`: its last entry; `x-real-ip`). Unset, the address is the TCP peer's.
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// `WAYMARK_SIGN_IN_FAILURES_PER_ADDRESS` (default 30): failed sign-ins and joins from one client address in 15
    /// minutes before that address must wait 15 minutes.
    pub sign_in_failures_per_address: i64,
    /// `WAYMARK_PUBLIC_ORIGIN` (default none): the origin people reach Waymark at (`https://waymark.example.org`),
    /// which every state-changing request's `Origin` must equal. Unset, it is `http(s)://` + the `Host` header, https
    /// when `WAYMARK_SECURE_COOKIES` is on.
    pub public_origin: Option<String>,
    /// `WAYMARK_CSRF_SECRET` (default none): a secret of at least 32 characters for the signed-out CSRF tokens,
    /// shared by every instance. Unset, one is made once and kept in the database.
    pub csrf_secret: Option<String>,
    /// `WAYMARK_SEED_DEMO` (default false): on an empty database, create the fictional demo ward.
    pub seed_demo: bool,
    /// `WAYMARK_LIVE_STREAMS_PER_USER` (default 16): live streams one person may have open on one instance; another
    /// is refused (429) until one ends.
    pub live_streams_per_user: usize,
    /// Staff sign-in through the hospital's identity provider (`WAYMARK_OIDC_*`), when configured.
    pub oidc: Option<OidcConfig>,
}

/// The hospital's OpenID Connect identity provider: all of `WAYMARK_OIDC_ISSUER`, `WAYMARK_OIDC_CLIENT_ID`,
/// `WAYMARK_OIDC_CLIENT_SECRET` and `WAYMARK_OIDC_REDIRECT_URL`, or none; `WAYMARK_OIDC_ACCOUNT_CLAIM` (default
/// `sub`) names the claim whose value an administrator links to a staff account.
#[derive(Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends people back: this server's `/api/oidc/callback`, as people reach it.
    pub redirect_url: String,
    pub account_claim: String,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"(hidden)")
            .field("redirect_url", &self.redirect_url)
            .field("account_claim", &self.account_claim)
            .finish()
    }
}

fn read_oidc(get: &impl Fn(&str) -> Option<String>) -> Result<Option<OidcConfig>, ConfigError> {
    let value = |name: &'static str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let Some(issuer) = value("WAYMARK_OIDC_ISSUER") else {
        return Ok(None);
    };
    let url = |name: &'static str, v: String| {
        if v.starts_with("https://") || v.starts_with("http://") {
            Ok(v)
        } else {
            Err(ConfigError { name, value: v, reason: "expected an http(s):// URL" })
        }
    };
    let required = |name: &'static str| {
        value(name).ok_or(ConfigError {
            name,
            value: String::new(),
            reason: "must be set when WAYMARK_OIDC_ISSUER is (the identity provider needs all of them)",
        })
    };
    let issuer = url("WAYMARK_OIDC_ISSUER", issuer)?;
    let client_id = required("WAYMARK_OIDC_CLIENT_ID")?;
    let client_secret = required("WAYMARK_OIDC_CLIENT_SECRET")?;
    let redirect_url = url("WAYMARK_OIDC_REDIRECT_URL", required("WAYMARK_OIDC_REDIRECT_URL")?)?;
    let account_claim = value("WAYMARK_OIDC_ACCOUNT_CLAIM").unwrap_or_else(|| "sub".into());
    if account_claim.len() > 64 || !account_claim.chars().all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c)) {
        return Err(ConfigError {
            name: "WAYMARK_OIDC_ACCOUNT_CLAIM",
            value: account_claim,
            reason: "expected a claim name",
        });
    }
    Ok(Some(OidcConfig { issuer, client_id, client_secret, redirect_url, account_claim }))
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/waymark.db?mode=rwc";

#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}={value:?} is not valid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub reason: &'static str,
}

impl Config {
    /// Read the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Read the configuration through any lookup (so tests need not touch the process environment).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let listen_addr = parse(&get, "WAYMARK_LISTEN", "127.0.0.1:3000", "expected host:port, e.g. 127.0.0.1:3000")?;
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                name: "DATABASE_URL",
                value: database_url,
                reason: "expected sqlite:… or postgres://…",
            });
        }
        let dist_dir = PathBuf::from(get("WAYMARK_DIST").unwrap_or_else(|| "dist".to_owned()));
        let secure_cookies = parse_bool(&get, "WAYMARK_SECURE_COOKIES", false)?;
        let session_idle_secs =
            60 * at_least_one::<i64>(&get, "WAYMARK_SESSION_IDLE_MINUTES", "30", "expected a whole number of minutes")?;
        let session_max_secs =
            60 * at_least_one::<i64>(&get, "WAYMARK_SESSION_MAX_MINUTES", "720", "expected a whole number of minutes")?;
        // About one hash per core, but never more than 8 at once (8 × 19 MiB), however many cores there are.
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(8).to_string();
        let hash_concurrency = at_least_one(&get, "WAYMARK_HASH_CONCURRENCY", &cores, "expected a whole number")?;
        let hash_queue: usize = parse(&get, "WAYMARK_HASH_QUEUE", "32", "expected a whole number")?;
        let client_ip_header = match get("WAYMARK_CLIENT_IP_HEADER").map(|v| v.trim().to_ascii_lowercase()) {
            None => None,
            Some(v) if v.is_empty() => None,
            Some(v) => Some(axum::http::HeaderName::from_bytes(v.as_bytes()).map_err(|_| ConfigError {
                name: "WAYMARK_CLIENT_IP_HEADER",
                value: v.clone(),
                reason: "expected a header name, e.g. x-forwarded-for",
            })?),
        };
        let sign_in_failures_per_address =
            at_least_one(&get, "WAYMARK_SIGN_IN_FAILURES_PER_ADDRESS", "30", "expected a whole number")?;
        let public_origin = match get("WAYMARK_PUBLIC_ORIGIN").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => match crate::auth::csrf::Origin::parse(&v) {
                Some(origin) => Some(origin.to_string()),
                None => {
                    return Err(ConfigError {
                        name: "WAYMARK_PUBLIC_ORIGIN",
                        value: v,
                        reason: "expected scheme://host[:port], e.g. https://waymark.example.org",
                    });
                }
            },
        };
        let csrf_secret = match get("WAYMARK_CSRF_SECRET").filter(|v| !v.is_empty()) {
            Some(v) if v.chars().count() < 32 => {
                return Err(ConfigError {
                    name: "WAYMARK_CSRF_SECRET",
                    value: "(hidden)".into(),
                    reason: "must be at least 32 characters",
                });
            }
            other => other,
        };
        let seed_demo = parse_bool(&get, "WAYMARK_SEED_DEMO", false)?;
        let live_streams_per_user = at_least_one(
            &get,
            "WAYMARK_LIVE_STREAMS_PER_USER",
            &crate::live::MAX_STREAMS_PER_USER.to_string(),
            "expected a whole number",
        )?;
        let oidc = read_oidc(&get)?;
        Ok(Config {
            listen_addr,
            database_url,
            dist_dir,
            secure_cookies,
            session_idle_secs,
            session_max_secs,
            hash_concurrency,
            hash_queue,
            client_ip_header,
            sign_in_failures_per_address,
            public_origin,
            csrf_secret,
            seed_demo,
            live_streams_per_user,
            oidc,
        })
    }
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
    reason: &'static str,
) -> Result<T, ConfigError> {
    let value = get(name).unwrap_or_else(|| default.to_owned());
    value.trim().parse().map_err(|_| ConfigError { name, value, reason })
}

fn at_least_one<T: std::str::FromStr + PartialOrd + From<u8> + ToString>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
    reason: &'static str,
) -> Result<T, ConfigError> {
    let value: T = parse(get, name, default, reason)?;
    if value < T::from(1) {
        return Err(ConfigError { name, value: value.to_string(), reason: "must be at least 1" });
    }
    Ok(value)
}

fn parse_bool(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off" | "") => Ok(false),
        Some(value) => Err(ConfigError { name, value, reason: "expected true or false" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_on_sqlite_on_loopback() {
        let c = with(&[]).unwrap();
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert!(!c.secure_cookies && !c.seed_demo);
        assert_eq!(c.session_idle_secs, 30 * 60, "issue 11: idle sessions end after 30 minutes");
        assert_eq!(c.session_max_secs, 12 * 60 * 60, "and every session after 12 hours");
        assert!((1..=8).contains(&c.hash_concurrency));
        assert_eq!(c.hash_queue, 32);
        assert_eq!(c.client_ip_header, None, "no forwarded header is trusted unless configured");
        assert_eq!(c.public_origin, None);
    }

    #[test]
    fn limits_and_proxy_settings_are_read() {
        let c = with(&[
            ("WAYMARK_SESSION_IDLE_MINUTES", "5"),
            ("WAYMARK_SESSION_MAX_MINUTES", "60"),
            ("WAYMARK_HASH_CONCURRENCY", "3"),
            ("WAYMARK_HASH_QUEUE", "0"),
            ("WAYMARK_CLIENT_IP_HEADER", "X-Forwarded-For"),
            ("WAYMARK_PUBLIC_ORIGIN", "HTTPS://Waymark.Example.org:443"),
        ])
        .unwrap();
        assert_eq!((c.session_idle_secs, c.session_max_secs, c.hash_concurrency, c.hash_queue), (300, 3600, 3, 0));
        assert_eq!(c.client_ip_header.as_ref().map(|h| h.as_str()), Some("x-forwarded-for"));
        assert_eq!(c.public_origin.as_deref(), Some("https://waymark.example.org"), "the default port is implied");
        for (name, bad) in [
            ("WAYMARK_HASH_CONCURRENCY", "0"),
            ("WAYMARK_SESSION_MAX_MINUTES", "0"),
            ("WAYMARK_CLIENT_IP_HEADER", "not a header"),
            ("WAYMARK_PUBLIC_ORIGIN", "waymark.example.org"),
            ("WAYMARK_CSRF_SECRET", "short"),
        ] {
            assert_eq!(with(&[(name, bad)]).unwrap_err().name, name);
        }
    }

    #[test]
    fn the_identity_provider_is_all_or_nothing() {
        assert!(with(&[]).unwrap().oidc.is_none());
        let full = [
            ("WAYMARK_OIDC_ISSUER", "https://login.hospital.example"),
            ("WAYMARK_OIDC_CLIENT_ID", "waymark"),
            ("WAYMARK_OIDC_CLIENT_SECRET", "a secret"),
            ("WAYMARK_OIDC_REDIRECT_URL", "https://waymark.hospital.example/api/oidc/callback"),
        ];
        let c = with(&full).unwrap().oidc.unwrap();
        assert_eq!((c.account_claim.as_str(), c.client_id.as_str()), ("sub", "waymark"));
        assert!(!format!("{c:?}").contains("a secret"), "the secret is never printed");
        let e = with(&full[..3]).unwrap_err();
        assert_eq!(e.name, "WAYMARK_OIDC_REDIRECT_URL");
        let mut bad = full.to_vec();
        bad.push(("WAYMARK_OIDC_ACCOUNT_CLAIM", "not a claim!"));
        assert_eq!(with(&bad).unwrap_err().name, "WAYMARK_OIDC_ACCOUNT_CLAIM");
        let mut claim = full.to_vec();
        claim.push(("WAYMARK_OIDC_ACCOUNT_CLAIM", "preferred_username"));
        assert_eq!(with(&claim).unwrap().oidc.unwrap().account_claim, "preferred_username");
        assert_eq!(with(&[("WAYMARK_OIDC_ISSUER", "login.example")]).unwrap_err().name, "WAYMARK_OIDC_ISSUER");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = with(&[("WAYMARK_LISTEN", "nowhere")]).unwrap_err();
        assert_eq!(e.name, "WAYMARK_LISTEN");
        assert!(with(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(with(&[("WAYMARK_SEED_DEMO", "perhaps")]).is_err());
        assert!(with(&[("WAYMARK_SESSION_IDLE_MINUTES", "0")]).is_err());
        assert!(
            with(&[("DATABASE_URL", "postgres://u@h/db"), ("WAYMARK_SECURE_COOKIES", "true")]).unwrap().secure_cookies
        );
    }
}
