//! The sign-in throttling policy: after too many failures for one username (or from one client address) in a
//! window, refuse tries for a while. Pure functions over a [`FailureRecord`]; the store keeps the record.
//!
//! A password is checked only while the username's failures plus the checks under way for it stay below
//! [`MAX_FAILURES`]: a burst of simultaneous guesses cannot get more checks than a burst of one-by-one guesses.
//! Tries beyond that wait for the checks under way, and go on if those succeed (a success clears the count), so a
//! right password is refused only when the username was locked by failures made before it.

use crate::store::FailureRecord;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// A check under way is forgotten after this long (a server that stopped mid-check must not block the username).
pub const CHECK_UNDER_WAY_MS: i64 = 30 * 1000;

/// May one more password check for this username start now, with `under_way` checks already running?
pub fn may_check(record: Option<FailureRecord>, under_way: i64, now: i64) -> bool {
    let failures = match record {
        Some(r) if r.locked_until > now => return false,
        Some(r) if now - r.window_started_at <= WINDOW_MS => r.failures,
        _ => 0,
    };
    failures + under_way < MAX_FAILURES
}

/// The record after one more failure from a client address at `now`, locking it after `max` in a window.
pub fn after_address_failure(record: Option<FailureRecord>, now: i64, max: i64) -> FailureRecord {
    let mut r = match record {
        Some(r) if now - r.window_started_at <= WINDOW_MS => r,
        Some(r) => FailureRecord { failures: 0, window_started_at: now, locked_until: r.locked_until },
        None => FailureRecord { failures: 0, window_started_at: now, locked_until: 0 },
    };
    r.failures += 1;
    if r.failures >= max {
        r.locked_until = now + LOCK_MS;
        r.failures = 0;
        r.window_started_at = now + LOCK_MS;
    }
    r
}

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
    fn checks_under_way_count_towards_the_limit_until_they_end() {
        assert!(may_check(None, 0, 0));
        assert!(may_check(None, MAX_FAILURES - 1, 0));
        assert!(!may_check(None, MAX_FAILURES, 0), "five checks under way: the sixth waits");
        let two = FailureRecord { failures: 2, window_started_at: 0, locked_until: 0 };
        assert!(may_check(Some(two), 2, 1_000));
        assert!(!may_check(Some(two), 3, 1_000));
        assert!(may_check(Some(two), 3, WINDOW_MS + 1), "old failures no longer count");
        let locked = FailureRecord { failures: 0, window_started_at: 0, locked_until: 5_000 };
        assert!(!may_check(Some(locked), 0, 4_999));
        assert!(may_check(Some(locked), 0, 5_000));
    }

    #[test]
    fn an_address_locks_after_its_own_limit() {
        let mut r = None;
        for i in 1..30 {
            r = Some(after_address_failure(r, i, 30));
            assert_eq!(locked_for_secs(r, i), None);
        }
        r = Some(after_address_failure(r, 30, 30));
        assert_eq!(locked_for_secs(r, 30), Some((LOCK_MS / 1000) as u64));
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
