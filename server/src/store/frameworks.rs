//! Custom outcome frameworks: each save is a new version of its id; the previous versions are retired (no new
//! readings), but stay, so readings made with them still check and draw.

use super::{Store, now_ms};
use sqlx::{Any, Executor, Row};
use waymark_shared::{
    UserId,
    api::SaveFrameworkRequest,
    outcomes::{Framework, FrameworkError, FrameworkId, built_in},
};

#[derive(Debug, thiserror::Error)]
pub enum SaveFrameworkError {
    #[error("{0}")]
    Invalid(#[from] FrameworkError),
    #[error("{0} is a built-in framework: it cannot be changed or retired (save a custom one under another id)")]
    BuiltIn(String),
    #[error("someone saved this framework at the same moment: try again")]
    Conflict,
    #[error("no such custom framework version")]
    NotFound,
    #[error(
        "this server already keeps {0} custom framework versions, the most it keeps (every device downloads them all)"
    )]
    TooMany(i64),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn parse(body: &str, retired: i64) -> Result<Framework, sqlx::Error> {
    let mut f: Framework =
        serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(format!("stored framework: {e}").into()))?;
    f.retired = retired != 0;
    Ok(f)
}

/// Every custom framework version, oldest first.
pub async fn custom_frameworks<'e, E: Executor<'e, Database = Any>>(db: E) -> Result<Vec<Framework>, sqlx::Error> {
    let rows = sqlx::query("SELECT body, retired FROM frameworks ORDER BY framework_id, version").fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let body: String = r.try_get("body")?;
            let retired: i64 = r.try_get("retired")?;
            parse(&body, retired)
        })
        .collect()
}

/// How many times a save races another save of the same id before it is answered as a conflict.
const SAVE_ATTEMPTS: usize = 5;

/// Did this statement lose a race with a concurrent save: another save took the version between our read and our
/// insert (the primary key refuses ours), or PostgreSQL broke a deadlock between two saves' row locks?
fn is_race(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(e) => e.is_unique_violation() || e.code().is_some_and(|c| c == "40P01" || c == "40001"),
        _ => false,
    }
}

fn is_built_in(id: &FrameworkId) -> bool {
    built_in::all().iter().any(|f| &f.id == id)
}

impl Store {
    /// Built-in and custom frameworks, every version.
    pub async fn frameworks(&self) -> Result<Vec<Framework>, sqlx::Error> {
        let mut all = built_in::all();
        all.extend(custom_frameworks(&self.pool).await?);
        Ok(all)
    }

    /// Save a custom framework as the next version of its id (1 for a new id), retiring the earlier versions: new
    /// readings use the newest version, while readings made with an earlier one still check and draw with it.
    /// Checked first: a framework that is not well formed, or that takes a built-in id, writes nothing.
    ///
    /// The version is chosen inside one transaction. Two saves of the same id at once (say through two server
    /// instances on PostgreSQL) cannot both take it: the primary key refuses the second, which is then tried again
    /// with the next number; only after [`SAVE_ATTEMPTS`] such races is it answered as a conflict.
    pub async fn save_framework(
        &self,
        by: &UserId,
        req: SaveFrameworkRequest,
    ) -> Result<Framework, SaveFrameworkError> {
        if is_built_in(&req.id) {
            return Err(SaveFrameworkError::BuiltIn(req.id.0));
        }
        let mut framework = Framework {
            id: req.id,
            version: 1,
            name: req.name,
            areas: req.areas,
            scale: req.scale,
            asks_more_help: req.asks_more_help,
            retired: false,
        };
        framework.validate()?;
        for attempt in 1..=SAVE_ATTEMPTS {
            let result = match self.insert_next_version(by, &mut framework).await {
                Err(SaveFrameworkError::Database(e)) if is_race(&e) => Err(SaveFrameworkError::Conflict),
                other => other,
            };
            match result {
                Err(SaveFrameworkError::Conflict) if attempt < SAVE_ATTEMPTS => {
                    tracing::debug!(framework = %framework.id.0, attempt, "framework version taken meanwhile; trying again");
                }
                Err(e) => return Err(e),
                Ok(()) => {
                    tracing::info!(framework = %framework.id.0, version = framework.version, by = %by, "saved a custom framework");
                    return Ok(framework);
                }
            }
        }
        Err(SaveFrameworkError::Conflict)
    }

    /// One attempt: retire the id's versions, number this one after the highest, insert it.
    async fn insert_next_version(&self, by: &UserId, framework: &mut Framework) -> Result<(), SaveFrameworkError> {
        let mut tx = self.pool.begin().await?;
        // A write first: on SQLite it takes the database's write lock (waiting up to busy_timeout) before anything is
        // read, so the read below cannot go stale; on PostgreSQL it waits for a concurrent save of the same id.
        sqlx::query("UPDATE frameworks SET retired = 1 WHERE framework_id = $1")
            .bind(&framework.id.0)
            .execute(&mut *tx)
            .await?;
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM frameworks").fetch_one(&mut *tx).await?;
        if kept >= waymark_shared::outcomes::MAX_CUSTOM_VERSIONS {
            return Err(SaveFrameworkError::TooMany(kept));
        }
        let previous: Option<i64> =
            sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM frameworks WHERE framework_id = $1")
                .bind(&framework.id.0)
                .fetch_one(&mut *tx)
                .await?;
        framework.version = u32::try_from(previous.unwrap_or(0) + 1).map_err(|_| {
            SaveFrameworkError::Database(sqlx::Error::Protocol("framework version out of range".into()))
        })?;
        let body = serde_json::to_string(&*framework).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO frameworks (framework_id, version, body, retired, created_by, created_at_ms) \
             VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .bind(&framework.id.0)
        .bind(i64::from(framework.version))
        .bind(&body)
        .bind(&by.0)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        // Again after the insert: on PostgreSQL the first update does not see a version a concurrent save committed
        // while this one waited for it; this statement (a fresh snapshot) does. Exactly the newest stays current.
        sqlx::query("UPDATE frameworks SET retired = 1 WHERE framework_id = $1 AND version < $2")
            .bind(&framework.id.0)
            .bind(i64::from(framework.version))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Retire one custom version: no new readings may use it.
    pub async fn retire_framework(&self, id: &FrameworkId, version: u32) -> Result<(), SaveFrameworkError> {
        if is_built_in(id) {
            return Err(SaveFrameworkError::BuiltIn(id.0.clone()));
        }
        let done = sqlx::query("UPDATE frameworks SET retired = 1 WHERE framework_id = $1 AND version = $2")
            .bind(&id.0)
            .bind(i64::from(version))
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 { Err(SaveFrameworkError::NotFound) } else { Ok(()) }
    }
}
