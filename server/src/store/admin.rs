//! Administration: accounts (made, switched off and on, passwords reset, identities linked), their sessions ended,
//! wards and their rosters, and each step of a service user's stay (admitted, moved, discharged).

use super::{Engine, Store, UserRow, new_id, now_ms, users::USER_COLUMNS, users::user_from_row};
use sqlx::{Any, Row, Transaction};
use waymark_shared::{
    Relation, Role, UserId,
    api::{AccountSummary, CaseloadEntry, RosterPerson, StayKind, StayStep, WardInfo, WardSummary},
};

/// The role CHECK of `users` as it is now (0001 listed six roles; peer support workers are the seventh).
const ROLE_CHECK: &str = "'service_user', 'key_worker', 'staff', 'ward_manager', 'carer', 'admin', 'peer_support'";

/// Give `users.role`'s CHECK the roles added since 0001, once, on each engine in its own way (neither changes a
/// CHECK in place portably, and every table refers to `users`). Run at every start; does nothing once done.
pub(super) async fn widen_role_check(pool: &sqlx::AnyPool, engine: Engine) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    match engine {
        Engine::Postgres => {
            sqlx::query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await?;
            let defs: Vec<String> = sqlx::query_scalar(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
                 WHERE t.relname = 'users' AND c.contype = 'c' AND c.conname = 'users_role_check'",
            )
            .fetch_all(&mut *tx)
            .await?;
            if defs.iter().any(|d| d.contains("peer_support")) {
                return tx.commit().await;
            }
            sqlx::query("ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check").execute(&mut *tx).await?;
            sqlx::query(&format!("ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ({ROLE_CHECK}))"))
                .execute(&mut *tx)
                .await?;
        }
        Engine::Sqlite => {
            // Take the write lock first, so two instances starting at once do this one after the other.
            sqlx::query("UPDATE users SET id = id WHERE 1 = 0").execute(&mut *tx).await?;
            let table: String =
                sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'users'")
                    .fetch_one(&mut *tx)
                    .await?;
            if table.contains("peer_support") {
                return tx.commit().await;
            }
            let old = "'carer', 'admin')";
            if !table.contains(old) {
                return Err(sqlx::Error::Protocol(format!(
                    "unexpected users table, cannot widen its role CHECK: {table}"
                )));
            }
            let widened = table.replacen(old, "'carer', 'admin', 'peer_support')", 1);
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'users' AND sql IS NOT NULL",
            )
            .fetch_all(&mut *tx)
            .await?;
            // SQLite's way of changing a table's constraints: a copy, the table made again, the rows put back. The
            // other tables' foreign keys are checked at commit, by which time every row is back.
            for sql in [
                "PRAGMA defer_foreign_keys = ON",
                "CREATE TABLE users_widening AS SELECT * FROM users",
                "DROP TABLE users",
            ] {
                sqlx::query(sql).execute(&mut *tx).await?;
            }
            sqlx::query(&widened).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO users SELECT * FROM users_widening").execute(&mut *tx).await?;
            sqlx::query("DROP TABLE users_widening").execute(&mut *tx).await?;
            for sql in indexes {
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
        }
    }
    tx.commit().await?;
    tracing::info!("users may now be peer support workers");
    Ok(())
}

/// An account to make.
pub struct NewAccount<'a> {
    /// Already normalised.
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub ward_id: Option<&'a str>,
    pub identity: Option<&'a str>,
    /// For a service user on a ward: the date of their admission, and who recorded it.
    pub admitted: Option<(&'a str, &'a UserId)>,
}

/// Why an account was not made or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("username taken")]
    UsernameTaken,
    #[error("identity taken")]
    IdentityTaken,
    #[error("no such ward")]
    NoSuchWard,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Why a step of a stay was refused.
#[derive(Debug, thiserror::Error)]
pub enum StayError {
    #[error("{0}")]
    DoesNotFit(&'static str),
    #[error("no such ward")]
    NoSuchWard,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a change of access touched: whose sessions ended (by the hash of their id) and whose access changed.
#[derive(Debug, Default)]
pub struct Touched {
    pub ended_sessions: Vec<String>,
    pub access_changed: Vec<UserId>,
}

pub fn summary_of(u: &UserRow) -> AccountSummary {
    AccountSummary {
        id: u.id.clone(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        ward: match (&u.ward_id, &u.ward_name) {
            (Some(id), Some(name)) => Some(WardSummary { id: id.clone(), name: name.clone() }),
            _ => None,
        },
        active: u.active,
        must_change_password: u.must_change_password,
        identity: u.identity.clone(),
    }
}

/// `%word%` for LIKE, with LIKE's own characters taken literally (`ESCAPE '\'`).
fn like_pattern(word: &str) -> String {
    let mut out = String::from("%");
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

impl Store {
    /// Accounts whose name or username holds every word (lower-case), by name; at most `limit`, and whether more
    /// matched.
    pub async fn search_accounts(&self, words: &[String], limit: usize) -> Result<(Vec<UserRow>, bool), sqlx::Error> {
        let mut sql = format!("SELECT {USER_COLUMNS} FROM users u LEFT JOIN wards w ON w.id = u.ward_id WHERE 1 = 1");
        for i in 0..words.len() {
            let n = i + 1;
            sql.push_str(&format!(
                " AND (LOWER(u.display_name) LIKE ${n} ESCAPE '\\' OR LOWER(u.username) LIKE ${n} ESCAPE '\\')"
            ));
        }
        sql.push_str(&format!(" ORDER BY u.display_name, u.id LIMIT {}", limit + 1));
        let mut q = sqlx::query(&sql);
        for w in words {
            q = q.bind(like_pattern(w));
        }
        let rows = q.fetch_all(&self.pool).await?;
        let more = rows.len() > limit;
        let users = rows.iter().take(limit).map(user_from_row).collect::<Result<Vec<_>, _>>()?;
        Ok((users, more))
    }

    /// Make an account (and, for a service user on a ward, record their admission), in one transaction.
    pub async fn create_account(&self, a: NewAccount<'_>) -> Result<UserId, AccountError> {
        let mut tx = self.pool.begin().await?;
        // A write first (the ward's row, which also says whether it exists): on SQLite a transaction that read
        // before its first write is refused at once, with no wait, when another write landed in between (seen with
        // a burst of new accounts); a write first waits its turn (busy_timeout). On PostgreSQL it holds the ward.
        if let Some(ward) = a.ward_id
            && sqlx::query("UPDATE wards SET name = name WHERE id = $1")
                .bind(ward)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 0
        {
            return Err(AccountError::NoSuchWard);
        }
        let id = new_id();
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, language, ward_id, created_at, \
             must_change_password, identity) VALUES ($1, $2, $3, $4, $5, 'en', $6, $7, 1, $8)",
        )
        .bind(&id)
        .bind(a.username)
        .bind(a.display_name)
        .bind(a.role.as_str())
        .bind(a.password_hash)
        .bind(a.ward_id)
        .bind(now)
        .bind(a.identity)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if is_unique_violation(&e) {
                // Which one: ask (the transaction is done for on PostgreSQL, so outside it).
                drop(tx);
                let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                    .bind(a.username)
                    .fetch_optional(&self.pool)
                    .await?;
                return Err(if taken.is_some() { AccountError::UsernameTaken } else { AccountError::IdentityTaken });
            }
            return Err(e.into());
        }
        if let (Some(ward), Some((date, by))) = (a.ward_id, a.admitted) {
            insert_stay(&mut tx, &UserId(id.clone()), StayKind::Admitted, Some(ward), None, date, by, now).await?;
        }
        tx.commit().await?;
        Ok(UserId(id))
    }

    /// Reset a password to a one-time one: every session of the account ends (their rows deleted, their live
    /// streams told), and the data keys handed to its devices are withdrawn (each device must be opened again
    /// online).
    pub async fn reset_password(&self, user: &UserId, password_hash: &str) -> Result<Touched, sqlx::Error> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 1, sessions_after_ms = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now)
        .bind(&user.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM device_keys WHERE user_id = $1").bind(&user.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Touched { ended_sessions: self.end_sessions_of(user, None).await?, access_changed: vec![] })
    }

    /// The person chose their own password: it replaces the one-time one, and every other session of theirs ends.
    pub async fn change_password(
        &self,
        user: &UserId,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<Touched, sqlx::Error> {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0, sessions_after_ms = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now_ms())
        .bind(&user.0)
        .execute(&self.pool)
        .await?;
        Ok(Touched { ended_sessions: self.end_sessions_of(user, Some(keep_session)).await?, access_changed: vec![] })
    }

    /// Switch an account off (its sessions end, it cannot sign in; nothing of anyone's record is deleted) or on.
    pub async fn set_active(&self, user: &UserId, active: bool) -> Result<Touched, sqlx::Error> {
        let now = now_ms();
        if active {
            sqlx::query("UPDATE users SET active = 1 WHERE id = $1").bind(&user.0).execute(&self.pool).await?;
            return Ok(Touched::default());
        }
        sqlx::query("UPDATE users SET active = 0, sessions_after_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(&user.0)
            .execute(&self.pool)
            .await?;
        let ended_sessions = self.end_sessions_of(user, None).await?;
        self.record_access_change(user).await?;
        Ok(Touched { ended_sessions, access_changed: vec![user.clone()] })
    }

    /// Link an account to its identity at the hospital's identity provider (or unlink it).
    pub async fn set_identity(&self, user: &UserId, identity: Option<&str>) -> Result<(), AccountError> {
        let done = sqlx::query("UPDATE users SET identity = $1 WHERE id = $2")
            .bind(identity)
            .bind(&user.0)
            .execute(&self.pool)
            .await;
        match done {
            Err(e) if is_unique_violation(&e) => Err(AccountError::IdentityTaken),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    /// The account linked to this identity.
    pub async fn user_by_identity(&self, identity: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u LEFT JOIN wards w ON w.id = u.ward_id WHERE u.identity = $1");
        let row = sqlx::query(&sql).bind(identity).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// End every session of `user` (but `except`, a session id): the rows are deleted and each ending recorded, so
    /// open live streams end on every instance within a second. Returns the ended sessions' hashes (for this
    /// instance's streams, at once).
    pub async fn end_sessions_of(&self, user: &UserId, except: Option<&str>) -> Result<Vec<String>, sqlx::Error> {
        // Sessions saved before their rows named their user are found by what they hold.
        let rows = sqlx::query("SELECT id, user_id, data FROM sessions WHERE user_id = $1 OR user_id IS NULL")
            .bind(&user.0)
            .fetch_all(&self.pool)
            .await?;
        let mut ended = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            if Some(id.as_str()) == except {
                continue;
            }
            let owner: Option<String> = row.try_get("user_id")?;
            let owner = match owner {
                Some(o) => Some(o),
                None => {
                    let data: String = row.try_get("data")?;
                    super::session_records::session_user(&data)
                }
            };
            if owner.as_deref() != Some(user.0.as_str()) {
                continue;
            }
            self.record_session_end(&id).await?;
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(&id).execute(&self.pool).await?;
            ended.push(super::session_hash(&id));
        }
        Ok(ended)
    }

    /// The people whose care team `user` is on, by name.
    pub async fn linked_to(&self, user: &UserId) -> Result<Vec<CaseloadEntry>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, ct.relation FROM care_team ct JOIN users u ON u.id = ct.person_id \
             WHERE ct.member_id = $1 ORDER BY u.display_name, u.id",
        )
        .bind(&user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let relation: String = r.try_get("relation")?;
                Ok(CaseloadEntry {
                    person: UserId(r.try_get("id")?),
                    display_name: r.try_get("display_name")?,
                    relation: Relation::parse(&relation)
                        .ok_or_else(|| sqlx::Error::Decode(format!("relation {relation:?}").into()))?,
                })
            })
            .collect()
    }

    /// The sharing cells of `person`'s record: key, current value and version.
    pub async fn sharing_cells_of(
        &self,
        person: &UserId,
    ) -> Result<Vec<(waymark_shared::sync::CellKey, serde_json::Value, u64)>, sqlx::Error> {
        use waymark_shared::sync::{CellKey, CellState, Kind, RecordId};
        let rows = sqlx::query("SELECT record_id, field, state FROM sync_cells WHERE person_id = $1 AND kind = $2")
            .bind(&person.0)
            .bind(Kind::Sharing.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                let cell: CellState = serde_json::from_str(&state)
                    .map_err(|e| sqlx::Error::Decode(format!("stored cell: {e}").into()))?;
                let key = CellKey {
                    person: person.clone(),
                    kind: Kind::Sharing,
                    record: RecordId(r.try_get("record_id")?),
                    field: r.try_get("field")?,
                };
                Ok((key, cell.value, cell.version))
            })
            .collect()
    }

    // Wards.

    /// Make a ward; `None` if one of that name exists (or there are too many).
    pub async fn add_ward(&self, name: &str, max_wards: i64) -> Result<Option<String>, sqlx::Error> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wards").fetch_one(&self.pool).await?;
        if count >= max_wards {
            return Ok(None);
        }
        match self.create_ward(name).await {
            Ok(id) => Ok(Some(id)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn ward(&self, id: &str) -> Result<Option<WardSummary>, sqlx::Error> {
        let row = sqlx::query("SELECT id, name FROM wards WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| Ok(WardSummary { id: r.try_get("id")?, name: r.try_get("name")? })).transpose()
    }

    /// Wards (all, or just `only`) with how many service users (on the ward now, discharged or not) and staff are
    /// on each.
    pub async fn wards_with_counts(&self, only: Option<&str>) -> Result<Vec<WardInfo>, sqlx::Error> {
        let sql = format!(
            "SELECT w.id, w.name, \
             (SELECT COUNT(*) FROM users p WHERE p.ward_id = w.id AND p.role = 'service_user' \
                AND p.discharged_at_ms IS NULL) AS people, \
             (SELECT COUNT(*) FROM users s WHERE s.ward_id = w.id AND s.role <> 'service_user') AS staff \
             FROM wards w {} ORDER BY w.name",
            if only.is_some() { "WHERE w.id = $1" } else { "" }
        );
        let mut q = sqlx::query(&sql);
        if let Some(ward) = only {
            q = q.bind(ward);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(WardInfo {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    people: u32::try_from(r.try_get::<i64, _>("people")?).unwrap_or(u32::MAX),
                    staff: u32::try_from(r.try_get::<i64, _>("staff")?).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// The service users on a ward (with their key worker) and the accounts working there.
    pub async fn ward_roster(&self, ward: &str) -> Result<(Vec<RosterPerson>, Vec<UserRow>), sqlx::Error> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, u.discharged_at_ms, \
             (SELECT k.display_name FROM care_team ct JOIN users k ON k.id = ct.member_id \
                WHERE ct.person_id = u.id AND ct.relation = 'key_worker' ORDER BY k.display_name LIMIT 1) AS key_worker \
             FROM users u WHERE u.ward_id = $1 AND u.role = 'service_user' ORDER BY u.display_name, u.id",
        )
        .bind(ward)
        .fetch_all(&self.pool)
        .await?;
        let people = rows
            .iter()
            .map(|r| {
                Ok(RosterPerson {
                    id: UserId(r.try_get("id")?),
                    display_name: r.try_get("display_name")?,
                    discharged: r.try_get::<Option<i64>, _>("discharged_at_ms")?.is_some(),
                    key_worker: r.try_get("key_worker")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN wards w ON w.id = u.ward_id \
             WHERE u.ward_id = $1 AND u.role <> 'service_user' ORDER BY u.display_name, u.id"
        );
        let staff = sqlx::query(&sql).bind(ward).fetch_all(&self.pool).await?;
        Ok((people, staff.iter().map(user_from_row).collect::<Result<_, _>>()?))
    }

    /// Accounts that may join a care team on `ward`: its staff, and every peer support worker (switched-on accounts
    /// only), at most `limit`.
    pub async fn team_candidates(&self, ward: Option<&str>, limit: usize) -> Result<Vec<UserRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN wards w ON w.id = u.ward_id WHERE u.active = 1 AND \
             ((u.role IN ('key_worker', 'staff', 'ward_manager') AND u.ward_id = $1) OR u.role = 'peer_support') \
             ORDER BY u.display_name, u.id LIMIT {limit}"
        );
        let rows = sqlx::query(&sql).bind(ward).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    // Stays.

    /// Each step of the person's stay, oldest first.
    pub async fn stays_of(&self, person: &UserId) -> Result<Vec<StayStep>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT s.kind, s.on_date, s.ward_id, w.name AS ward_name, s.from_ward_id, f.name AS from_name, \
             r.display_name AS recorded_by FROM stays s \
             LEFT JOIN wards w ON w.id = s.ward_id LEFT JOIN wards f ON f.id = s.from_ward_id \
             JOIN users r ON r.id = s.recorded_by \
             WHERE s.person_id = $1 ORDER BY s.recorded_at_ms, s.id",
        )
        .bind(&person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let ward = |id: &str, name: &str| -> Result<Option<WardSummary>, sqlx::Error> {
                    Ok(match (r.try_get::<Option<String>, _>(id)?, r.try_get::<Option<String>, _>(name)?) {
                        (Some(id), Some(name)) => Some(WardSummary { id, name }),
                        _ => None,
                    })
                };
                Ok(StayStep {
                    kind: StayKind::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("stay {kind:?}").into()))?,
                    ward: ward("ward_id", "ward_name")?,
                    from_ward: ward("from_ward_id", "from_name")?,
                    date: r.try_get("on_date")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            })
            .collect()
    }

    /// Is the person discharged (their record read-only for staff)?
    pub async fn discharged(&self, person: &UserId) -> Result<bool, sqlx::Error> {
        let at: Option<Option<i64>> = sqlx::query_scalar("SELECT discharged_at_ms FROM users WHERE id = $1")
            .bind(&person.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(at.flatten().is_some())
    }

    /// Record a step of the person's stay, dated `date`, by `by`, and move them: admitted to `ward` (when on no
    /// ward, or discharged), moved to `ward` from the ward they are on (the old ward's staff leave their care team:
    /// what they could see of the person goes from their devices at the next pull), or discharged from theirs.
    pub async fn record_stay(
        &self,
        person: &UserId,
        kind: StayKind,
        ward: Option<&str>,
        date: &str,
        by: &UserId,
    ) -> Result<Touched, StayError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        // The person's row first: two steps recorded at once take turns.
        sqlx::query("UPDATE users SET ward_id = ward_id WHERE id = $1").bind(&person.0).execute(&mut *tx).await?;
        let row = sqlx::query("SELECT ward_id, discharged_at_ms FROM users WHERE id = $1 AND role = 'service_user'")
            .bind(&person.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StayError::DoesNotFit("not a service user"))?;
        let current: Option<String> = row.try_get("ward_id")?;
        let discharged = row.try_get::<Option<i64>, _>("discharged_at_ms")?.is_some();
        if let Some(w) = ward
            && !ward_exists(&mut tx, w).await?
        {
            return Err(StayError::NoSuchWard);
        }
        let mut touched = Touched::default();
        // Everyone working on the wards concerned may see the person differently now (ward managers see their ward).
        let mut wards_concerned: Vec<String> = current.iter().cloned().collect();
        match kind {
            StayKind::Admitted => {
                if current.is_some() && !discharged {
                    return Err(StayError::DoesNotFit("the person is on a ward already: move them instead"));
                }
                sqlx::query("UPDATE users SET ward_id = $1, discharged_at_ms = NULL WHERE id = $2")
                    .bind(ward)
                    .bind(&person.0)
                    .execute(&mut *tx)
                    .await?;
                insert_stay(&mut tx, person, kind, ward, None, date, by, now).await?;
            }
            StayKind::Transferred => {
                let Some(from) = current.clone().filter(|_| !discharged) else {
                    return Err(StayError::DoesNotFit("the person is not on a ward: admit them instead"));
                };
                if ward == Some(from.as_str()) {
                    return Err(StayError::DoesNotFit("the person is on that ward already"));
                }
                // The old ward's staff leave the care team (carers and peer support workers stay).
                let leaving: Vec<String> = sqlx::query_scalar(
                    "SELECT ct.member_id FROM care_team ct JOIN users m ON m.id = ct.member_id \
                     WHERE ct.person_id = $1 AND ct.relation IN ('key_worker', 'staff') AND m.ward_id = $2",
                )
                .bind(&person.0)
                .bind(&from)
                .fetch_all(&mut *tx)
                .await?;
                for member in &leaving {
                    sqlx::query("DELETE FROM care_team WHERE person_id = $1 AND member_id = $2")
                        .bind(&person.0)
                        .bind(member)
                        .execute(&mut *tx)
                        .await?;
                    touched.access_changed.push(UserId(member.clone()));
                }
                sqlx::query("UPDATE users SET ward_id = $1 WHERE id = $2")
                    .bind(ward)
                    .bind(&person.0)
                    .execute(&mut *tx)
                    .await?;
                insert_stay(&mut tx, person, kind, ward, Some(&from), date, by, now).await?;
            }
            StayKind::Discharged => {
                let Some(from) = current.clone().filter(|_| !discharged) else {
                    return Err(StayError::DoesNotFit("the person is not on a ward"));
                };
                sqlx::query("UPDATE users SET discharged_at_ms = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&person.0)
                    .execute(&mut *tx)
                    .await?;
                insert_stay(&mut tx, person, kind, Some(&from), None, date, by, now).await?;
            }
        }
        wards_concerned.extend(ward.map(str::to_owned));
        for w in wards_concerned {
            let on_ward: Vec<String> =
                sqlx::query_scalar("SELECT id FROM users WHERE ward_id = $1 AND role = 'ward_manager'")
                    .bind(&w)
                    .fetch_all(&mut *tx)
                    .await?;
            touched.access_changed.extend(on_ward.into_iter().map(UserId));
        }
        tx.commit().await?;
        touched.access_changed.sort();
        touched.access_changed.dedup();
        for user in &touched.access_changed {
            self.record_access_change(user).await?;
        }
        Ok(touched)
    }
}

/// Refuse staff changes to the record of someone discharged (read-only for staff). A change that only narrows what
/// carers see (a withdrawal of sharing, a record that the person cannot decide for now) still applies: protecting
/// the person's privacy never waits.
pub(super) async fn refuse_staff_on_discharged(
    tx: &mut Transaction<'_, Any>,
    fresh: &[waymark_shared::sync::Mutation],
) -> Result<(), super::PushError> {
    use waymark_shared::sync::EffectMode;
    let people = waymark_shared::sync::push::people_named(fresh);
    let mut discharged = std::collections::BTreeSet::new();
    for person in people {
        let at: Option<Option<i64>> = sqlx::query_scalar("SELECT discharged_at_ms FROM users WHERE id = $1")
            .bind(&person.0)
            .fetch_optional(&mut **tx)
            .await?;
        if at.flatten().is_some() {
            discharged.insert(person);
        }
    }
    if let Some(m) = fresh
        .iter()
        .find(|m| discharged.contains(&m.person) && !matches!(m.change.effect(&m.person).mode, EffectMode::Narrow))
    {
        return Err(super::PushError::Discharged { mutation_id: m.id });
    }
    Ok(())
}

async fn ward_exists(tx: &mut Transaction<'_, Any>, ward: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM wards WHERE id = $1").bind(ward).fetch_optional(&mut **tx).await?;
    Ok(found.is_some())
}

#[allow(clippy::too_many_arguments)]
async fn insert_stay(
    tx: &mut Transaction<'_, Any>,
    person: &UserId,
    kind: StayKind,
    ward: Option<&str>,
    from: Option<&str>,
    date: &str,
    by: &UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stays (id, person_id, kind, ward_id, from_ward_id, on_date, recorded_at_ms, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(&person.0)
    .bind(kind.as_str())
    .bind(ward)
    .bind(from)
    .bind(date)
    .bind(now)
    .bind(&by.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
