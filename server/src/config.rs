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
    /// `WAYMARK_SESSION_IDLE_MINUTES` (default 720): a session ends after this long without use.
    pub session_idle_minutes: i64,
    /// `WAYMARK_SEED_DEMO` (default false): on an empty database, create the fictional demo ward.
    pub seed_demo: bool,
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
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError { name: "DATABASE_URL", value: database_url, reason: "expected sqlite:… or postgres://…" });
        }
        let dist_dir = PathBuf::from(get("WAYMARK_DIST").unwrap_or_else(|| "dist".to_owned()));
        let secure_cookies = parse_bool(&get, "WAYMARK_SECURE_COOKIES", false)?;
        let session_idle_minutes: i64 = parse(&get, "WAYMARK_SESSION_IDLE_MINUTES", "720", "expected a whole number of minutes")?;
        if session_idle_minutes < 1 {
            return Err(ConfigError { name: "WAYMARK_SESSION_IDLE_MINUTES", value: session_idle_minutes.to_string(), reason: "must be at least 1" });
        }
        let seed_demo = parse_bool(&get, "WAYMARK_SEED_DEMO", false)?;
        Ok(Config { listen_addr, database_url, dist_dir, secure_cookies, session_idle_minutes, seed_demo })
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
        assert_eq!(c.session_idle_minutes, 720);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = with(&[("WAYMARK_LISTEN", "nowhere")]).unwrap_err();
        assert_eq!(e.name, "WAYMARK_LISTEN");
        assert!(with(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(with(&[("WAYMARK_SEED_DEMO", "perhaps")]).is_err());
        assert!(with(&[("WAYMARK_SESSION_IDLE_MINUTES", "0")]).is_err());
        assert!(with(&[("DATABASE_URL", "postgres://u@h/db"), ("WAYMARK_SECURE_COOKIES", "true")]).unwrap().secure_cookies);
    }
}
