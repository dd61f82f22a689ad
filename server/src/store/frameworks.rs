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
    #[error("{0} is a built-in framework: save a custom one under another id")]
    BuiltIn(String),
    #[error("someone saved this framework at the same moment: try again")]
    Conflict,
    #[error("no such custom framework version")]
    NotFound,
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

    /// Save a custom framework as the next version of its id (1 for a new id), retiring the earlier versions.
    /// Checked first: a framework that is not well formed writes nothing.
    pub async fn save_framework(&self, by: &UserId, req: SaveFrameworkRequest) -> Result<Framework, SaveFrameworkError> {
        if is_built_in(&req.id) {
            return Err(SaveFrameworkError::BuiltIn(req.id.0));
        }
        let mut tx = self.pool.begin().await?;
        let previous: Option<i64> = sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM frameworks WHERE framework_id = $1")
            .bind(&req.id.0)
            .fetch_one(&mut *tx)
            .await?;
        let version = u32::try_from(previous.unwrap_or(0) + 1).map_err(|_| SaveFrameworkError::Conflict)?;
        let framework = Framework {
            id: req.id,
            version,
            name: req.name,
            areas: req.areas,
            scale: req.scale,
            asks_more_help: req.asks_more_help,
            retired: false,
        };
        framework.validate()?;
        let body = serde_json::to_string(&framework).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("UPDATE frameworks SET retired = 1 WHERE framework_id = $1")
            .bind(&framework.id.0)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO frameworks (framework_id, version, body, retired, created_by, created_at_ms) \
             VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .bind(&framework.id.0)
        .bind(i64::from(version))
        .bind(&body)
        .bind(&by.0)
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // Two saves of the same id at once (two instances): the primary key refuses the second.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(SaveFrameworkError::Conflict),
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        tracing::info!(framework = %framework.id.0, version, by = %by, "saved a custom framework");
        Ok(framework)
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
