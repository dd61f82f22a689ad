//! Failed sign-in counts per username and per client address, and the password checks under way per username,
//! kept in the database so every server instance throttles alike.

use super::Store;
use sqlx::{Row, any::AnyRow};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailureRecord {
    pub failures: i64,
    pub window_started_at: i64,
    pub locked_until: i64,
}

impl FailureRecord {
    fn is_empty(&self) -> bool {
        self.failures == 0 && self.window_started_at == 0 && self.locked_until == 0
    }
}

fn record_of(r: &AnyRow) -> Result<FailureRecord, sqlx::Error> {
    Ok(FailureRecord {
        failures: r.try_get("failures")?,
        window_started_at: r.try_get("window_started_at")?,
        locked_until: r.try_get("locked_until")?,
    })
}

/// A username's record and the checks under way for it (those not yet forgotten at `now`).
fn with_pending(r: &AnyRow, now: i64) -> Result<(FailureRecord, i64), sqlx::Error> {
    let pending: i64 = r.try_get("pending")?;
    let pending_until: i64 = r.try_get("pending_until")?;
    Ok((record_of(r)?, if pending_until > now { pending.max(0) } else { 0 }))
}

fn some(r: FailureRecord) -> Option<FailureRecord> {
    (r.failures > 0 || r.locked_until > 0).then_some(r)
}

impl Store {
    pub async fn sign_in_failures(&self, username: &str) -> Result<Option<FailureRecord>, sqlx::Error> {
        let row =
            sqlx::query("SELECT failures, window_started_at, locked_until FROM sign_in_failures WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| record_of(&r)).transpose()?.filter(|r| !r.is_empty()))
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
        let row =
            sqlx::query("SELECT failures, window_started_at, locked_until FROM sign_in_failures WHERE username = $1")
                .bind(username)
                .fetch_one(&mut *tx)
                .await?;
        let current = record_of(&row)?;
        let updated = next(some(current));
        sqlx::query(
            "UPDATE sign_in_failures SET failures = $1, window_started_at = $2, locked_until = $3 WHERE username = $4",
        )
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

    /// Start a password check for `username` if `may_start(record, checks under way)` says so, counting it as under
    /// way until [`Store::end_sign_in_check`] (or until `now + forget_after_ms`). Answers the record seen and whether
    /// the check may start. Nothing is written when it may not.
    pub async fn start_sign_in_check(
        &self,
        username: &str,
        now: i64,
        forget_after_ms: i64,
        may_start: impl Fn(Option<FailureRecord>, i64) -> bool,
    ) -> Result<(Option<FailureRecord>, bool), sqlx::Error> {
        const SELECT: &str = "SELECT failures, window_started_at, locked_until, pending, pending_until FROM sign_in_failures WHERE username = $1";
        // Look first without writing: a username that is locked, or busy with checks, is answered from a read.
        let seen = sqlx::query(SELECT).bind(username).fetch_optional(&self.pool).await?;
        let (record, under_way) = match &seen {
            Some(r) => with_pending(r, now)?,
            None => (FailureRecord::default(), 0),
        };
        if !may_start(some(record), under_way) {
            return Ok((some(record), false));
        }
        let mut tx = self.pool.begin().await?;
        // Claim the row (it is locked until commit), then decide again on what is there now.
        sqlx::query(
            "INSERT INTO sign_in_failures (username, failures, window_started_at, locked_until, pending, pending_until) \
             VALUES ($1, 0, 0, 0, 0, 0) ON CONFLICT (username) DO UPDATE SET pending = sign_in_failures.pending",
        )
        .bind(username)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(SELECT).bind(username).fetch_one(&mut *tx).await?;
        let (record, under_way) = with_pending(&row, now)?;
        if !may_start(some(record), under_way) {
            tx.rollback().await?;
            return Ok((some(record), false));
        }
        sqlx::query("UPDATE sign_in_failures SET pending = $1, pending_until = $2 WHERE username = $3")
            .bind(under_way + 1)
            .bind(now + forget_after_ms)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((some(record), true))
    }

    /// End a check started with [`Store::start_sign_in_check`]: it is no longer under way, and the record becomes
    /// `next(record)` (`None` clears the failures). A row left with nothing in it is removed.
    pub async fn end_sign_in_check(
        &self,
        username: &str,
        next: impl FnOnce(Option<FailureRecord>) -> Option<FailureRecord>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE sign_in_failures SET pending = sign_in_failures.pending WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "SELECT failures, window_started_at, locked_until, pending FROM sign_in_failures WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        let (current, pending) = match &row {
            Some(r) => (some(record_of(r)?), r.try_get::<i64, _>("pending")?),
            None => (None, 0),
        };
        let pending = (pending - 1).max(0);
        let updated = next(current).unwrap_or_default();
        if pending == 0 && updated.is_empty() {
            sqlx::query("DELETE FROM sign_in_failures WHERE username = $1").bind(username).execute(&mut *tx).await?;
        } else {
            sqlx::query(
                "INSERT INTO sign_in_failures (username, failures, window_started_at, locked_until, pending, pending_until) \
                 VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, \
                 window_started_at = excluded.window_started_at, locked_until = excluded.locked_until, pending = excluded.pending",
            )
            .bind(username)
            .bind(updated.failures)
            .bind(updated.window_started_at)
            .bind(updated.locked_until)
            .bind(pending)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The failure record of a client address.
    pub async fn address_failures(&self, address: &str) -> Result<Option<FailureRecord>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT failures, window_started_at, locked_until FROM sign_in_failures_by_address WHERE address = $1",
        )
        .bind(address)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| record_of(&r)).transpose()?.and_then(some))
    }

    /// Record one more failure from a client address, computing the new record with `next`, atomically.
    pub async fn record_address_failure(
        &self,
        address: &str,
        next: impl FnOnce(Option<FailureRecord>) -> FailureRecord,
    ) -> Result<FailureRecord, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sign_in_failures_by_address (address, failures, window_started_at, locked_until) \
             VALUES ($1, 0, 0, 0) ON CONFLICT (address) DO UPDATE SET failures = sign_in_failures_by_address.failures",
        )
        .bind(address)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT failures, window_started_at, locked_until FROM sign_in_failures_by_address WHERE address = $1",
        )
        .bind(address)
        .fetch_one(&mut *tx)
        .await?;
        let updated = next(some(record_of(&row)?));
        sqlx::query(
            "UPDATE sign_in_failures_by_address SET failures = $1, window_started_at = $2, locked_until = $3 \
             WHERE address = $4",
        )
        .bind(updated.failures)
        .bind(updated.window_started_at)
        .bind(updated.locked_until)
        .bind(address)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Forget failure records that no longer count at `now` (windows of `window_ms` over, locks ended, no check under
    /// way), so guessed usernames and passing addresses do not pile up.
    pub async fn delete_stale_sign_in_failures(&self, now: i64, window_ms: i64) -> Result<u64, sqlx::Error> {
        let users = sqlx::query(
            "DELETE FROM sign_in_failures WHERE locked_until <= $1 AND window_started_at <= $2 AND pending_until <= $1",
        )
        .bind(now)
        .bind(now - window_ms)
        .execute(&self.pool)
        .await?;
        let addresses =
            sqlx::query("DELETE FROM sign_in_failures_by_address WHERE locked_until <= $1 AND window_started_at <= $2")
                .bind(now)
                .bind(now - window_ms)
                .execute(&self.pool)
                .await?;
        Ok(users.rows_affected() + addresses.rows_affected())
    }
}
