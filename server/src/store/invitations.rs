//! Carer invitations: a code given by the care team that makes one carer account, linked to the person, once.

use super::{Store, new_id};
use sha2::{Digest, Sha256};
use sqlx::Row;
use waymark_shared::{Relation, Role, UserId, api::INVITATION_ALPHABET};

/// A fresh invitation code: twelve letters of [`INVITATION_ALPHABET`] (about 59 bits), canonical form.
pub fn new_invitation_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..12).map(|_| INVITATION_ALPHABET[rng.gen_range(0..INVITATION_ALPHABET.len())] as char).collect()
}

/// What is stored of a code: its SHA-256, so the table cannot be used to join as someone's carer.
pub fn invitation_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Why an invitation could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error("the invitation code is not valid, was already used, or has expired")]
    NotValid,
    #[error("that username is taken")]
    UsernameTaken,
    #[error("someone in the person's care team has that name")]
    NameInUse,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A display name as people read it: letter case and spacing ignored ("  owen   PRICE" reads as "Owen Price").
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The carer account an invitation makes.
pub struct NewCarer<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

impl Store {
    pub async fn create_invitation(
        &self,
        person: &UserId,
        by: &UserId,
        code: &str,
        now: i64,
        expires_at_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO carer_invitations (code_hash, person_id, created_by, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(invitation_hash(code))
        .bind(&person.0)
        .bind(&by.0)
        .bind(now)
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The person an unused, unexpired invitation code is for (a read: nothing is written).
    pub async fn invitation_person(&self, code: &str, now: i64) -> Result<Option<UserId>, sqlx::Error> {
        let person: Option<String> = sqlx::query_scalar(
            "SELECT person_id FROM carer_invitations WHERE code_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2",
        )
        .bind(invitation_hash(code))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(person.map(UserId))
    }

    /// Whether `name` reads the same as the name of the person or of anyone on their care team.
    pub async fn name_in_care_team(&self, person: &UserId, name: &str) -> Result<bool, sqlx::Error> {
        name_in_care_team(&self.pool, person, name).await
    }

    /// Whether a username is taken (a read).
    pub async fn username_taken(&self, username: &str) -> Result<bool, sqlx::Error> {
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(taken.is_some())
    }

    /// Use an invitation: in one transaction, the code is marked used, the carer account made and linked to the
    /// person. Nothing is written if any step fails.
    pub async fn accept_invitation(
        &self,
        code: &str,
        carer: NewCarer<'_>,
        now: i64,
    ) -> Result<(UserId, UserId), AcceptError> {
        let hash = invitation_hash(code);
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT person_id FROM carer_invitations WHERE code_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2",
        )
        .bind(&hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Err(AcceptError::NotValid) };
        let person = UserId(row.try_get("person_id")?);
        if name_in_care_team(&mut *tx, &person, carer.display_name).await? {
            return Err(AcceptError::NameInUse);
        }
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(carer.username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AcceptError::UsernameTaken);
        }
        let id = UserId(new_id());
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, language, ward_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'en', NULL, $6)",
        )
        .bind(&id.0)
        .bind(carer.username)
        .bind(carer.display_name)
        .bind(Role::Carer.as_str())
        .bind(carer.password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            // Someone took the username in the meantime.
            sqlx::Error::Database(d) if d.is_unique_violation() => AcceptError::UsernameTaken,
            _ => AcceptError::Database(e),
        })?;
        sqlx::query("INSERT INTO care_team (person_id, member_id, relation) VALUES ($1, $2, $3)")
            .bind(&person.0)
            .bind(&id.0)
            .bind(Relation::Carer.as_str())
            .execute(&mut *tx)
            .await?;
        let used = sqlx::query(
            "UPDATE carer_invitations SET used_at_ms = $2, used_by = $3 WHERE code_hash = $1 AND used_at_ms IS NULL",
        )
        .bind(&hash)
        .bind(now)
        .bind(&id.0)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            // Used by someone else at the same moment.
            return Err(AcceptError::NotValid);
        }
        tx.commit().await?;
        Ok((id, person))
    }
}

async fn name_in_care_team<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    person: &UserId,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT display_name FROM users WHERE id = $1 \
         OR id IN (SELECT member_id FROM care_team WHERE person_id = $1)",
    )
    .bind(&person.0)
    .fetch_all(db)
    .await?;
    let key = name_key(name);
    Ok(names.iter().any(|n| name_key(n) == key))
}
