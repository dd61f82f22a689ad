//! What ends open live streams: sessions that ended and people whose access changed, kept for an hour so every
//! server instance's watcher sees them.

use super::{Store, now_ms};
use sha2::{Digest, Sha256};
use sqlx::Row;
use waymark_shared::UserId;

/// How long endings are kept for the watchers (far longer than the second they need).
const KEEP_MS: i64 = 60 * 60 * 1000;

/// The form a session id is kept in here: its SHA-256, hex.
pub fn session_hash(session_id: &str) -> String {
    hex::encode(Sha256::digest(session_id.as_bytes()))
}

impl Store {
    /// Note that this session ended (signed out, or found expired).
    pub async fn record_session_end(&self, session_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO session_ends (session_hash, ended_at_ms) VALUES ($1, $2) \
             ON CONFLICT (session_hash) DO UPDATE SET ended_at_ms = excluded.ended_at_ms",
        )
        .bind(session_hash(session_id))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        self.notify_endings().await
    }

    /// Tell every instance's listener (PostgreSQL) to look at the endings now rather than at its next tick.
    async fn notify_endings(&self) -> Result<(), sqlx::Error> {
        self.notify(crate::live::ENDINGS_CHANNEL, "").await
    }

    /// Notify every instance's listener on `channel` (PostgreSQL; with SQLite there is one instance, told directly).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
        if self.engine == super::Engine::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Note that what `user` may see changed.
    pub async fn record_access_change(&self, user: &UserId) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO access_changes (user_id, changed_at_ms) VALUES ($1, $2)")
            .bind(&user.0)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        self.notify_endings().await
    }

    /// Sessions that ended and people whose access changed at or after `since_ms`.
    pub async fn endings_since(&self, since_ms: i64) -> Result<(Vec<String>, Vec<(UserId, i64)>), sqlx::Error> {
        let sessions = sqlx::query("SELECT session_hash FROM session_ends WHERE ended_at_ms >= $1")
            .bind(since_ms)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("session_hash"))
            .collect::<Result<_, _>>()?;
        let users = sqlx::query("SELECT user_id, changed_at_ms FROM access_changes WHERE changed_at_ms >= $1")
            .bind(since_ms)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((UserId(r.try_get("user_id")?), r.try_get::<i64, _>("changed_at_ms")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((sessions, users))
    }

    /// Forget endings older than an hour.
    pub async fn sweep_endings(&self) -> Result<(), sqlx::Error> {
        let before = now_ms() - KEEP_MS;
        sqlx::query("DELETE FROM session_ends WHERE ended_at_ms < $1").bind(before).execute(&self.pool).await?;
        sqlx::query("DELETE FROM access_changes WHERE changed_at_ms < $1").bind(before).execute(&self.pool).await?;
        Ok(())
    }
}
