//! Throwaway PostgreSQL databases, for the tests (through `common`) and the benches (which include this file by
//! path).

#![allow(dead_code)]

use sqlx::{Connection, Executor};

/// `url` with its database name replaced by `name` (query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A new, empty database `name` on the server of `admin_url` (an old one of that name is dropped first); its URL.
pub async fn create_database(admin_url: &str, name: &str) -> String {
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to PostgreSQL at {admin_url}: {e}"));
    admin.execute(format!("DROP DATABASE IF EXISTS {name}").as_str()).await.expect("drop an old database");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a database");
    let _ = admin.close().await;
    with_database(admin_url, name)
}

/// Drop the database `name`, closing its connections (best effort: a bench's leftovers are not an error).
pub async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await {
        let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        let _ = admin.close().await;
    }
}
