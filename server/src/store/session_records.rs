//! Server-side session records for tower-sessions, in the same database as everything else.

use super::{Store, now_ms};
use async_trait::async_trait;
use sqlx::Row;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Whose session a record is (the signed-in user's id it holds), kept in its own column so an administrator can
/// end a person's sessions.
fn record_user(record: &Record) -> Option<String> {
    record.data.get(crate::auth::session_keys::USER_ID).and_then(|v| v.as_str()).map(str::to_owned)
}

/// Whose session a stored record is, read from its JSON (for rows saved before the column was kept).
pub(super) fn session_user(data: &str) -> Option<String> {
    let record: Record = serde_json::from_str(data).ok()?;
    record_user(&record)
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let data = serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at, user_id) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date.unix_timestamp() * 1000)
            .bind(record_user(record))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default(); // a collision of 128 random bits: pick another
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at, user_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
             user_id = excluded.user_id",
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date.unix_timestamp() * 1000)
        .bind(record_user(record))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(now_ms())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let data: String = row.try_get("data").map_err(backend)?;
                serde_json::from_str(&data).map(Some).map_err(|e| session_store::Error::Decode(e.to_string()))
            }
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_ms())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl Store {
    /// The secret called `name`, made (32 random bytes, hex) by whichever instance asks first and kept in the
    /// database, so every instance signs and checks alike.
    pub async fn server_secret(&self, name: &str) -> Result<String, sqlx::Error> {
        let select = || sqlx::query_scalar::<_, String>("SELECT value FROM server_secrets WHERE name = $1").bind(name);
        if let Some(value) = select().fetch_optional(&self.pool).await? {
            return Ok(value);
        }
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(hex::encode(rand::random::<[u8; 32]>()))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        select().fetch_one(&self.pool).await
    }
}
