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
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
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

    /// Use an invitation: in one transaction, the code is marked used, the carer account made and linked to the
    /// person. Nothing is written if any step fails.
    pub async fn accept_invitation(&self, code: &str, carer: NewCarer<'_>, now: i64) -> Result<(UserId, UserId), AcceptError> {
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
