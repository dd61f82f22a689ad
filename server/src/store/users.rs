//! Accounts, wards and care-team links.

use super::{Store, new_id, now_ms};
use sqlx::Row;
use waymark_shared::{Lang, Relation, Role, UserId};

/// A user as stored (with the password hash, which never leaves the server).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub language: Lang,
    pub easy_read: bool,
    pub ward_id: Option<String>,
    pub ward_name: Option<String>,
    /// The account may sign in (an administrator has not switched it off).
    pub active: bool,
    /// Signed in with a one-time password that must be changed before anything else.
    pub must_change_password: bool,
    /// Sessions signed in before this time (Unix ms) are over.
    pub sessions_after_ms: i64,
    /// Their identity at the hospital's identity provider, if linked.
    pub identity: Option<String>,
}

/// A user to create. `username` must already be normalised.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub ward_id: Option<&'a str>,
}

pub(super) const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.password_hash, u.language, u.easy_read, \
     u.ward_id, w.name AS ward_name, u.active, u.must_change_password, u.sessions_after_ms, u.identity";

pub(super) fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let language: String = row.try_get("language")?;
    Ok(UserRow {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role:?}").into()))?,
        password_hash: row.try_get("password_hash")?,
        language: Lang::parse(&language).unwrap_or_default(),
        easy_read: row.try_get::<i64, _>("easy_read")? != 0,
        ward_id: row.try_get("ward_id")?,
        ward_name: row.try_get("ward_name")?,
        active: row.try_get::<i64, _>("active")? != 0,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        sessions_after_ms: row.try_get("sessions_after_ms")?,
        identity: row.try_get("identity")?,
    })
}

impl Store {
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u LEFT JOIN wards w ON w.id = u.ward_id WHERE u.username = $1");
        let row = sqlx::query(&sql).bind(username).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn user_by_id(&self, id: &UserId) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u LEFT JOIN wards w ON w.id = u.ward_id WHERE u.id = $1");
        let row = sqlx::query(&sql).bind(&id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn set_language(&self, id: &UserId, lang: Lang) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(lang.code())
            .bind(&id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Turn easy read on or off on this person's account.
    pub async fn set_easy_read(&self, id: &UserId, on: bool) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET easy_read = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(&id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_ward(&self, name: &str) -> Result<String, sqlx::Error> {
        let id = new_id();
        sqlx::query("INSERT INTO wards (id, name) VALUES ($1, $2)").bind(&id).bind(name).execute(&self.pool).await?;
        Ok(id)
    }

    pub async fn create_user(&self, user: NewUser<'_>) -> Result<UserId, sqlx::Error> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, language, ward_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'en', $6, $7)",
        )
        .bind(&id)
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.role.as_str())
        .bind(user.password_hash)
        .bind(user.ward_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(UserId(id))
    }

    /// Put `member` in `person`'s care team. Refuses links that make no sense (a carer as key worker, a
    /// care team centred on someone who is not a service user).
    pub async fn link_care_team(
        &self,
        person: &UserId,
        member: &UserId,
        relation: Relation,
    ) -> Result<(), sqlx::Error> {
        let person_row = self.user_by_id(person).await?.ok_or(sqlx::Error::RowNotFound)?;
        let member_row = self.user_by_id(member).await?.ok_or(sqlx::Error::RowNotFound)?;
        if person_row.role != Role::ServiceUser || !relation.allowed_for(member_row.role) {
            return Err(sqlx::Error::Protocol(format!(
                "a {} cannot be linked as {} to a {}",
                member_row.role.as_str(),
                relation.as_str(),
                person_row.role.as_str()
            )));
        }
        self.record_access_change(member).await?;
        sqlx::query(
            "INSERT INTO care_team (person_id, member_id, relation) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id, member_id) DO UPDATE SET relation = excluded.relation",
        )
        .bind(&person.0)
        .bind(&member.0)
        .bind(relation.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Take `member` out of `person`'s care team. Returns whether there was such a link. What they may see
    /// changes with it: their devices are started again from nothing at their next pull.
    pub async fn unlink_care_team(&self, person: &UserId, member: &UserId) -> Result<bool, sqlx::Error> {
        // Noted first: an open live stream of theirs ends within a second, on every instance.
        self.record_access_change(member).await?;
        let done = sqlx::query("DELETE FROM care_team WHERE person_id = $1 AND member_id = $2")
            .bind(&person.0)
            .bind(&member.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn count_users(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await
    }
}
