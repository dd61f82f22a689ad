//! Server-side session records for tower-sessions, in the same database as everything else.

use super::{
    Store, now_ms,
    users::{USER_COLUMNS, user_from_row},
};
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

/// Where a loaded session carries its user's account row, read in the same statement as the session (so a
/// request's session and account are one round trip, not two). Only in the request's copy: never stored.
pub const CARRIED_USER: &str = "waymark.user_row";

/// A record's data as stored: without the account row a load carried.
fn stored_data(record: &Record) -> session_store::Result<String> {
    let encode = |e: serde_json::Error| session_store::Error::Encode(e.to_string());
    if !record.data.contains_key(CARRIED_USER) {
        return serde_json::to_string(record).map_err(encode);
    }
    let mut record = record.clone();
    record.data.remove(CARRIED_USER);
    serde_json::to_string(&record).map_err(encode)
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

/// Session saves waiting to be written, and the lock that lets one batch be written at a time.
#[derive(Debug, Default)]
pub(super) struct SessionSaves {
    waiting: std::sync::Mutex<Vec<QueuedSave>>,
    writer: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct QueuedSave {
    id: String,
    data: String,
    expires_at: i64,
    user: Option<String>,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

impl SessionSaves {
    fn queue(&self, save: QueuedSave) {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).push(save);
    }

    /// Take the waiting saves that `pick` chooses, leaving the others.
    fn take(&self, pick: impl Fn(&QueuedSave) -> bool) -> Vec<QueuedSave> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let (taken, kept) = std::mem::take(&mut *waiting).into_iter().partition(pick);
        *waiting = kept;
        taken
    }
}

/// Rows per multi-row upsert of session saves.
const SAVES_PER_STATEMENT: usize = 100;

impl Store {
    /// Write `batch` in one transaction (a session saved twice in it: its last save), then answer every save.
    async fn write_saves(&self, batch: Vec<QueuedSave>) {
        let mut last: std::collections::HashMap<&str, &QueuedSave> = std::collections::HashMap::new();
        for save in &batch {
            last.insert(save.id.as_str(), save);
        }
        let rows: Vec<&QueuedSave> = last.into_values().collect();
        let result = async {
            let mut tx = self.pool.begin().await?;
            for chunk in rows.chunks(SAVES_PER_STATEMENT) {
                let values = (0..chunk.len())
                    .map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO sessions (id, data, expires_at, user_id) VALUES {values} \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
                     user_id = excluded.user_id"
                );
                let mut q = sqlx::query(&sql);
                for save in chunk {
                    q = q.bind(&save.id).bind(&save.data).bind(save.expires_at).bind(&save.user);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await
        }
        .await
        .map_err(|e: sqlx::Error| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, saves = batch.len(), "session saves could not be written");
        }
        for save in batch {
            let _ = save.done.send(result.clone());
        }
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let data = stored_data(record)?;
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

    /// Saves that arrive together are written together: each waits until its own is committed (so nothing changes
    /// for the request), but a burst — a quiet ward's devices all pulling on one notice, each pushing back its
    /// session's idle end — costs one transaction instead of one each (on SQLite, one fsync).
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = stored_data(record)?;
        let (done, answer) = tokio::sync::oneshot::channel();
        self.session_saves.queue(QueuedSave {
            id: record.id.to_string(),
            data,
            expires_at: record.expiry_date.unix_timestamp() * 1000,
            user: record_user(record),
            done,
        });
        // Written by a task of its own, so that a request dropped mid-write (a tablet losing the Wi-Fi) cannot
        // cancel the others' saves in the same batch.
        let store = self.clone();
        tokio::spawn(async move {
            let _writing = store.session_saves.writer.lock().await;
            let batch = store.session_saves.take(|_| true);
            if !batch.is_empty() {
                store.write_saves(batch).await;
            }
        });
        answer
            .await
            .map_err(|_| session_store::Error::Backend("the session save was dropped".into()))?
            .map_err(session_store::Error::Backend)
    }

    /// The session, carrying its user's account row as it is now (see [`CARRIED_USER`]).
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let sql = format!(
            "SELECT s.data, {USER_COLUMNS} FROM sessions s \
             LEFT JOIN users u ON u.id = s.user_id LEFT JOIN wards w ON w.id = u.ward_id \
             WHERE s.id = $1 AND s.expires_at > $2"
        );
        let row =
            sqlx::query(&sql).bind(id.to_string()).bind(now_ms()).fetch_optional(&self.pool).await.map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let mut record: Record =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        record.data.remove(CARRIED_USER);
        if row.try_get::<Option<String>, _>("id").map_err(backend)?.is_some() {
            let user = user_from_row(&row).map_err(backend)?;
            let user = serde_json::to_value(user).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            record.data.insert(CARRIED_USER.to_owned(), user);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        // A save of this session still waiting to be written is dropped: a session ended stays ended. (A task of
        // its own, like a save's, so that the request going away cannot stop it halfway.)
        let (store, id) = (self.clone(), id.to_string());
        tokio::spawn(async move {
            let _writing = store.session_saves.writer.lock().await;
            for dropped in store.session_saves.take(|q| q.id == id) {
                let _ = dropped.done.send(Ok(()));
            }
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(&id).execute(&store.pool).await.map_err(backend)
        })
        .await
        .map_err(|e| session_store::Error::Backend(format!("the session could not be deleted: {e}")))??;
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
