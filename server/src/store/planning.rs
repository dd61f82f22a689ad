//! Shared planning sessions: one running session per person at most, who joined it, who is there now and where
//! they are writing. The edits made in a session go through the sync log like any other.

use super::{Store, new_id};
use sqlx::Row;
use waymark_shared::{
    Role, UserId,
    api::{Editing, PRESENCE_WINDOW_MS, PlanningSession, SESSION_IDLE_MS},
};

/// Someone in a session now, with where they are writing (unfiltered: the handler decides what a viewer sees).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentRow {
    pub user: UserId,
    pub name: String,
    pub role: Role,
    pub editing: Option<Editing>,
}

/// What an "I am here" changed for the others in the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PresenceChange {
    /// Nothing: the same place, seen again.
    None,
    /// They joined, or came back after being away.
    Arrived,
    /// They moved where they are writing, from there.
    Moved { from: Option<Editing> },
}

impl Store {
    /// End `person`'s running session if nobody has been in it for [`SESSION_IDLE_MS`]: it ended when it was last
    /// used.
    async fn close_idle_session(&self, person: &UserId, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE planning_sessions SET ended_at_ms = last_seen_ms \
             WHERE person_id = $1 AND ended_at_ms IS NULL AND last_seen_ms < $2",
        )
        .bind(&person.0)
        .bind(now - SESSION_IDLE_MS)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The id of `person`'s running session, if one is running.
    pub async fn running_session(&self, person: &UserId, now: i64) -> Result<Option<String>, sqlx::Error> {
        self.close_idle_session(person, now).await?;
        sqlx::query_scalar("SELECT id FROM planning_sessions WHERE person_id = $1 AND ended_at_ms IS NULL")
            .bind(&person.0)
            .fetch_optional(&self.pool)
            .await
    }

    /// Start a session on `person`'s plan, or join the one already running (two people starting at once get
    /// the same session). The starter is in it.
    pub async fn start_session(&self, person: &UserId, by: &UserId, now: i64) -> Result<String, sqlx::Error> {
        if let Some(id) = self.running_session(person, now).await? {
            self.mark_present(&id, by, None, now).await?;
            return Ok(id);
        }
        let id = new_id();
        let inserted = sqlx::query(
            "INSERT INTO planning_sessions (id, person_id, started_by, started_at_ms, last_seen_ms) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&id)
        .bind(&person.0)
        .bind(&by.0)
        .bind(now)
        .execute(&self.pool)
        .await;
        let id = match inserted {
            Ok(_) => id,
            // Someone else's start won the one running slot: join theirs.
            Err(e) => match self.running_session(person, now).await? {
                Some(theirs) => theirs,
                None => return Err(e),
            },
        };
        self.mark_present(&id, by, None, now).await?;
        Ok(id)
    }

    /// End `person`'s running session. Returns whether one was running.
    pub async fn end_session(&self, person: &UserId, by: &UserId, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE planning_sessions SET ended_at_ms = $2, ended_by = $3 WHERE person_id = $1 AND ended_at_ms IS NULL",
        )
        .bind(&person.0)
        .bind(now)
        .bind(&by.0)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// "`user` is in session `id` now (writing at `editing`)". Says what the others in it would see change.
    pub async fn mark_present(
        &self,
        id: &str,
        user: &UserId,
        editing: Option<&Editing>,
        now: i64,
    ) -> Result<PresenceChange, sqlx::Error> {
        let before =
            sqlx::query("SELECT seen_at_ms, editing FROM planning_presence WHERE session_id = $1 AND user_id = $2")
                .bind(id)
                .bind(&user.0)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| -> Result<(i64, Option<Editing>), sqlx::Error> {
                    let editing: Option<String> = r.try_get("editing")?;
                    Ok((r.try_get("seen_at_ms")?, editing.and_then(|e| serde_json::from_str(&e).ok())))
                })
                .transpose()?;
        let change = match before {
            Some((seen, was)) if seen > now - PRESENCE_WINDOW_MS => {
                if was.as_ref() == editing {
                    PresenceChange::None
                } else {
                    PresenceChange::Moved { from: was }
                }
            }
            // New here, or back after being away: everyone sees them arrive.
            _ => PresenceChange::Arrived,
        };
        let editing = editing.map(|e| serde_json::to_string(e).expect("editing serialises"));
        sqlx::query(
            "INSERT INTO planning_presence (session_id, user_id, joined_at_ms, seen_at_ms, editing) VALUES ($1, $2, $3, $3, $4) \
             ON CONFLICT (session_id, user_id) DO UPDATE SET seen_at_ms = excluded.seen_at_ms, editing = excluded.editing",
        )
        .bind(id)
        .bind(&user.0)
        .bind(now)
        .bind(editing)
        .execute(&self.pool)
        .await?;
        sqlx::query("UPDATE planning_sessions SET last_seen_ms = $2 WHERE id = $1 AND last_seen_ms < $2")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(change)
    }

    /// `person`'s running session, or else their most recent one; and who is in it now.
    pub async fn session_state(
        &self,
        person: &UserId,
        now: i64,
    ) -> Result<(Option<PlanningSession>, Vec<PresentRow>), sqlx::Error> {
        self.close_idle_session(person, now).await?;
        let row = sqlx::query(
            "SELECT s.id, u.display_name, s.started_at_ms, s.ended_at_ms FROM planning_sessions s \
             JOIN users u ON u.id = s.started_by WHERE s.person_id = $1 ORDER BY s.started_at_ms DESC, s.id LIMIT 1",
        )
        .bind(&person.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok((None, vec![])) };
        let id: String = row.try_get("id")?;
        let ended_at_ms: Option<i64> = row.try_get("ended_at_ms")?;
        let rows = sqlx::query(
            "SELECT p.user_id, u.display_name, u.role, p.seen_at_ms, p.editing FROM planning_presence p \
             JOIN users u ON u.id = p.user_id WHERE p.session_id = $1 ORDER BY p.joined_at_ms, p.user_id",
        )
        .bind(&id)
        .fetch_all(&self.pool)
        .await?;
        let mut joined = Vec::new();
        let mut present = Vec::new();
        for r in rows {
            let name: String = r.try_get("display_name")?;
            joined.push(name.clone());
            let seen: i64 = r.try_get("seen_at_ms")?;
            if ended_at_ms.is_none() && seen > now - PRESENCE_WINDOW_MS {
                let role: String = r.try_get("role")?;
                let editing: Option<String> = r.try_get("editing")?;
                present.push(PresentRow {
                    user: UserId(r.try_get("user_id")?),
                    name,
                    role: Role::parse(&role)
                        .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role:?}").into()))?,
                    editing: editing.and_then(|e| serde_json::from_str(&e).ok()),
                });
            }
        }
        let session = PlanningSession {
            id,
            started_by: row.try_get("display_name")?,
            started_at_ms: row.try_get("started_at_ms")?,
            ended_at_ms,
            joined,
        };
        Ok((Some(session), present))
    }
}
