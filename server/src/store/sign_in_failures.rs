//! Failed sign-in counts per username, kept in the database so every server instance throttles alike.

use super::Store;
use sqlx::Row;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailureRecord {
    pub failures: i64,
    pub window_started_at: i64,
    pub locked_until: i64,
}

impl Store {
    pub async fn sign_in_failures(&self, username: &str) -> Result<Option<FailureRecord>, sqlx::Error> {
        let row = sqlx::query("SELECT failures, window_started_at, locked_until FROM sign_in_failures WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(FailureRecord {
                failures: r.try_get("failures")?,
                window_started_at: r.try_get("window_started_at")?,
                locked_until: r.try_get("locked_until")?,
            })
        })
        .transpose()
    }

    /// Record one more failure, computing the new record with `next` from the current one, atomically.
    pub async fn record_sign_in_failure(
        &self,
        username: &str,
        next: impl FnOnce(Option<FailureRecord>) -> FailureRecord,
    ) -> Result<FailureRecord, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        // Claim the row first, so two concurrent failures cannot both read the old count.
        sqlx::query(
            "INSERT INTO sign_in_failures (username, failures, window_started_at, locked_until) VALUES ($1, 0, 0, 0) \
             ON CONFLICT (username) DO UPDATE SET failures = sign_in_failures.failures",
        )
        .bind(username)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT failures, window_started_at, locked_until FROM sign_in_failures WHERE username = $1")
            .bind(username)
            .fetch_one(&mut *tx)
            .await?;
        let current = FailureRecord {
            failures: row.try_get("failures")?,
            window_started_at: row.try_get("window_started_at")?,
            locked_until: row.try_get("locked_until")?,
        };
        let updated = next((current.failures > 0 || current.locked_until > 0).then_some(current));
        sqlx::query("UPDATE sign_in_failures SET failures = $1, window_started_at = $2, locked_until = $3 WHERE username = $4")
            .bind(updated.failures)
            .bind(updated.window_started_at)
            .bind(updated.locked_until)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn clear_sign_in_failures(&self, username: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sign_in_failures WHERE username = $1").bind(username).execute(&self.pool).await?;
        Ok(())
    }
}
