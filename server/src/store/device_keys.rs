//! Data keys per person and device: the key a device encrypts that person's records under. Made here on first
//! asking (256 random bits), kept, and handed to the same person on the same device again at each online sign-in,
//! so a device that lost its wrapped copy (five wrong PINs) opens the records again. A person holds keys for at
//! most a fixed number of devices, so nobody can fill the table.

use super::Store;
use sqlx::Row;
use waymark_shared::{UserId, api::DEFAULT_LOCK_AFTER_SECONDS};

/// Why no key was handed over.
#[derive(Debug, thiserror::Error)]
pub enum DeviceKeyError {
    /// This person already has keys for `max` other devices.
    #[error("keys for {max} devices already")]
    TooManyDevices { max: usize },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A fresh data key: 256 random bits from the OS's CSPRNG, as hex.
fn new_data_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

impl Store {
    /// This person's key for this device: the one made before, or a new one if they have fewer than `max_devices`.
    /// `device` must already be checked to be well formed.
    pub async fn device_key(
        &self,
        user: &UserId,
        device: &str,
        now: i64,
        max_devices: usize,
    ) -> Result<String, DeviceKeyError> {
        if let Some(key) = self.existing_device_key(user, device, now).await? {
            return Ok(key);
        }
        let mut tx = self.pool.begin().await?;
        // Take the person's row first, so two first requests from new devices at once cannot both slip under the
        // limit: on PostgreSQL the second waits here for the first's commit; on SQLite this takes the write lock.
        sqlx::query("UPDATE users SET language = language WHERE id = $1").bind(&user.0).execute(&mut *tx).await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT data_key FROM device_keys WHERE user_id = $1 AND device_id = $2")
                .bind(&user.0)
                .bind(device)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(key) = existing {
            tx.commit().await?;
            return Ok(key);
        }
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_keys WHERE user_id = $1")
            .bind(&user.0)
            .fetch_one(&mut *tx)
            .await?;
        if held >= max_devices as i64 {
            return Err(DeviceKeyError::TooManyDevices { max: max_devices });
        }
        let key = new_data_key();
        sqlx::query(
            "INSERT INTO device_keys (user_id, device_id, data_key, created_at_ms, handed_at_ms) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&user.0)
        .bind(device)
        .bind(&key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(key)
    }

    async fn existing_device_key(&self, user: &UserId, device: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("SELECT data_key FROM device_keys WHERE user_id = $1 AND device_id = $2")
            .bind(&user.0)
            .bind(device)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        sqlx::query("UPDATE device_keys SET handed_at_ms = $3 WHERE user_id = $1 AND device_id = $2")
            .bind(&user.0)
            .bind(device)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(Some(row.try_get("data_key")?))
    }

    /// How long this person's devices may sit unused before they lock: their ward's setting, or the default.
    pub async fn lock_after_seconds(&self, user: &UserId) -> Result<u32, sqlx::Error> {
        let seconds: Option<i64> = sqlx::query_scalar(
            "SELECT w.lock_after_seconds FROM users u JOIN wards w ON w.id = u.ward_id WHERE u.id = $1",
        )
        .bind(&user.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(seconds.map_or(DEFAULT_LOCK_AFTER_SECONDS, |s| s.clamp(1, i64::from(u32::MAX)) as u32))
    }
}
