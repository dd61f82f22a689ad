//! The sign-in throttling policy: after too many failures for one username in a window, refuse tries for a while.
//! Pure functions over a [`FailureRecord`]; the store keeps the record.

use crate::store::FailureRecord;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// If sign-in is locked for this record at `now`, how many seconds remain.
pub fn locked_for_secs(record: Option<FailureRecord>, now: i64) -> Option<u64> {
    let r = record?;
    (r.locked_until > now).then(|| ((r.locked_until - now + 999) / 1000) as u64)
}

/// The record after one more failure at `now`.
pub fn after_failure(record: Option<FailureRecord>, now: i64) -> FailureRecord {
    let mut r = match record {
        Some(r) if now - r.window_started_at <= WINDOW_MS => r,
        _ => FailureRecord { failures: 0, window_started_at: now, locked_until: 0 },
    };
    r.failures += 1;
    if r.failures >= MAX_FAILURES {
        r.locked_until = now + LOCK_MS;
        // After the lock, start counting afresh.
        r.failures = 0;
        r.window_started_at = now + LOCK_MS;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_in_a_window_locks() {
        let mut r = None;
        for i in 1..MAX_FAILURES {
            r = Some(after_failure(r, 1_000 * i));
            assert_eq!(locked_for_secs(r, 1_000 * i), None);
        }
        r = Some(after_failure(r, 10_000));
        assert_eq!(locked_for_secs(r, 10_000), Some((LOCK_MS / 1000) as u64));
        assert_eq!(locked_for_secs(r, 10_000 + LOCK_MS), None, "the lock ends");
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let mut r = None;
        for i in 0..10 {
            r = Some(after_failure(r, i * (WINDOW_MS / 2 + 1)));
            assert_eq!(locked_for_secs(r, i * (WINDOW_MS / 2 + 1)), None);
        }
    }
}
