//! Storage: one portable schema and one set of queries, run on SQLite (the default) or PostgreSQL.
//!
//! All SQL here uses `$n` placeholders, `BIGINT` and `TEXT`, and `ON CONFLICT … DO …`, which both engines accept.

pub(crate) mod admin;
pub mod audit;
mod device_keys;
pub(crate) mod export;
pub(crate) mod frameworks;
mod invitations;
mod live_endings;
mod people;
mod planning;
mod session_records;
mod shared_reads;
mod sign_in_failures;
mod sync;
mod users;

pub use admin::{AccountError, NewAccount, StayError, Touched, summary_of};
pub use device_keys::DeviceKeyError;
pub use frameworks::SaveFrameworkError;
pub use invitations::{AcceptError, NewCarer, new_invitation_code};
pub use live_endings::session_hash;
pub use people::PersonRow;
pub use planning::{PresenceChange, PresentRow};
pub use session_records::CARRIED_USER;
pub use sign_in_failures::FailureRecord;
pub use sync::{PushError, Pushed, SyncScope};
pub use users::{NewUser, UserRow};

use sqlx::{AnyPool, Executor, any::AnyPoolOptions};
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database behind Waymark. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    session_saves: std::sync::Arc<session_records::SessionSaves>,
    /// Pulls' cell reads under way, shared by identical pulls.
    cell_reads: std::sync::Arc<shared_reads::SharedReads<Vec<sync::PulledCell>>>,
    /// "Synced" audit entries known to be in the trail.
    known_synced: std::sync::Arc<audit::KnownSynced>,
}

impl Store {
    /// Connect, creating a SQLite file's folder if needed, and apply any pending migrations.
    pub async fn connect(url: &str) -> Result<Store, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") { Engine::Sqlite } else { Engine::Postgres };
        if engine == Engine::Sqlite {
            create_sqlite_folder(url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL lets readers carry on while one writer commits; FULL sync so an acknowledged
                        // write survives a crash of the machine, not only of the process.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        admin::widen_role_check(&pool, engine).await?;
        Ok(Store {
            pool,
            engine,
            session_saves: Default::default(),
            cell_reads: Default::default(),
            known_synced: Default::default(),
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Is the database answering?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn create_sqlite_folder(url: &str) -> Result<(), sqlx::Error> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Now, in Unix milliseconds (the unit of every stored time).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// A fresh random id (128 bits, hex).
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}
