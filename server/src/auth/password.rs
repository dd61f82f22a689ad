//! Password hashing with Argon2id at OWASP's recommended parameters, off the async threads and bounded.
//!
//! Each hash takes 19 MiB and a core for a moment, so nothing may start them without limit: every hash a request
//! asks for goes through the [`Hasher`], which runs at most `WAYMARK_HASH_CONCURRENCY` at once and lets at most
//! `WAYMARK_HASH_QUEUE` more wait (briefly) for a turn. Beyond that, or after waiting [`MAX_WAIT`], the answer is
//! 503 with `Retry-After`. The 19 MiB go back to the system after each hash (see [`crate::tune_allocator`]).

use crate::error::AppError;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::{
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Instant,
};

/// OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB of memory, 2 iterations, 1 degree of parallelism.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The longest a sign-in waits for its turn (to check a password for its username, then to hash) before the server
/// answers that it is busy.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// What a busy answer tells the client to wait before trying again.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// Hash a password (blocking). Requests go through a [`Hasher`]; this is for start-up work such as seeding.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

/// Check a password against a stored PHC hash string (blocking).
pub fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Verify against `stored`, or, when there is no such user, against a dummy hash so that the answer takes the same
/// time either way and does not reveal which usernames exist (blocking).
fn verify_or_dummy_blocking(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(hash) => verify_blocking(password, hash),
        None => {
            static DUMMY: OnceLock<String> = OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_blocking("not a real password").unwrap_or_default());
            verify_blocking(password, dummy);
            false
        }
    }
}

/// Hash at start-up (seeding), off the async threads but outside the request bound.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
}

/// The bound on password hashing: how many run at once, and how many may wait.
pub struct Hasher {
    turns: Arc<Semaphore>,
    concurrency: usize,
    /// Requests admitted (waiting or hashing) and the most allowed.
    admitted: AtomicUsize,
    max_admitted: usize,
    /// Hashes running now, the most ever seen running at once, and how many have started.
    running: AtomicUsize,
    peak_running: AtomicUsize,
    started: AtomicU64,
}

impl Hasher {
    pub fn new(concurrency: usize, queue: usize) -> Hasher {
        let concurrency = concurrency.max(1);
        Hasher {
            turns: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            admitted: AtomicUsize::new(0),
            max_admitted: concurrency + queue,
            running: AtomicUsize::new(0),
            peak_running: AtomicUsize::new(0),
            started: AtomicU64::new(0),
        }
    }

    /// How many hashes may run at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The most hashes that have ever run at the same moment.
    pub fn peak_running(&self) -> usize {
        self.peak_running.load(Ordering::SeqCst)
    }

    /// How many hashes (and verifications) have started since the server started.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    /// Take a place in the line for one hash, or be told at once that the server is busy. Nothing is written
    /// before this, so a refused request costs nothing. The place is held until the hash has finished (even when
    /// the client goes away meanwhile) or the [`Admission`] is dropped unused.
    pub fn admit(self: &Arc<Self>) -> Result<Admission, AppError> {
        let mut now = self.admitted.load(Ordering::SeqCst);
        loop {
            if now >= self.max_admitted {
                tracing::warn!(admitted = now, "password hashing is busy: request refused");
                return Err(AppError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS });
            }
            match self.admitted.compare_exchange(now, now + 1, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return Ok(Admission { hasher: self.clone(), deadline: Instant::now() + MAX_WAIT }),
                Err(actual) => now = actual,
            }
        }
    }
}

/// A place in the line for one hash.
pub struct Admission {
    hasher: Arc<Hasher>,
    /// When waiting (for a turn to check this username's password, then for a hashing turn) must end.
    pub deadline: Instant,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.hasher.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Admission {
    /// Check a password against `stored` (or a dummy hash when there is no such user).
    pub async fn verify(self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.run(move || Ok(verify_or_dummy_blocking(&password, stored.as_deref()))).await
    }

    /// Hash a new password.
    pub async fn hash(self, password: String) -> Result<String, AppError> {
        self.run(move || hash_blocking(&password)).await
    }

    async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let permit: OwnedSemaphorePermit =
            match tokio::time::timeout_at(self.deadline, self.hasher.turns.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(_)) => return Err(AppError::Internal("the hashing semaphore closed".into())),
                Err(_) => {
                    tracing::warn!("password hashing is busy: waited too long for a turn");
                    return Err(AppError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS });
                }
            };
        // The permit and the place in the line go with the work, so they are held until the hash has finished
        // even if this request is dropped meanwhile.
        tokio::task::spawn_blocking(move || {
            let hasher = self.hasher.clone();
            let running = hasher.running.fetch_add(1, Ordering::SeqCst) + 1;
            hasher.peak_running.fetch_max(running, Ordering::SeqCst);
            hasher.started.fetch_add(1, Ordering::SeqCst);
            let out = work();
            hasher.running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            drop(self);
            out
        })
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_blocking("lighthouse by the sea").unwrap();
        let b = hash_blocking("lighthouse by the sea").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_blocking("lighthouse by the sea", &a));
        assert!(!verify_blocking("lighthouse by the bay", &a));
        assert!(!verify_blocking("anything", "not a hash"));
    }

    #[tokio::test]
    async fn admission_is_bounded_and_released() {
        let h = Arc::new(Hasher::new(1, 2));
        let a = h.admit().unwrap();
        let b = h.admit().unwrap();
        let c = h.admit().unwrap();
        assert!(
            matches!(h.admit(), Err(AppError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS })),
            "one running and two waiting at most"
        );
        drop(a);
        let d = h.admit().expect("a place freed by a dropped admission");
        assert!(d.verify("x".into(), None).await.is_ok_and(|ok| !ok), "no such user: never true");
        assert_eq!((h.started(), h.peak_running()), (1, 1));
        assert!(h.admit().is_ok(), "the place is given back after the hash");
        drop((b, c));
        assert_eq!(h.admitted.load(Ordering::SeqCst), 0);
    }
}
