//! Signing in and staying signed in: password hashing, throttling, sessions and CSRF defence.

pub mod client_addr;
pub mod csrf;
pub mod current_user;
pub mod oidc;
pub mod password;
pub mod session_life;
pub mod throttle;

pub use client_addr::ClientAddr;
pub use current_user::{CurrentUser, SignedIn};

use crate::{config::Config, error::AppError, store::Store};
use std::sync::Arc;
use tokio::sync::{Notify, OnceCell};

/// Keys of the values Waymark keeps in a server-side session.
pub mod session_keys {
    /// The signed-in user's id.
    pub const USER_ID: &str = "uid";
    /// The token the app must echo in the `x-csrf-token` header.
    pub const CSRF_TOKEN: &str = "csrf";
    /// When the user signed in (Unix ms): the session ends a fixed time after, however active.
    pub const SIGNED_IN_AT: &str = "since";
    /// When the session's idle expiry was last pushed back (Unix ms).
    pub const REFRESHED_AT: &str = "seen";
    /// How the user signed in: [`VIA_IDENTITY_PROVIDER`], or missing for a password.
    pub const VIA: &str = "via";
    pub const VIA_IDENTITY_PROVIDER: &str = "oidc";
}

/// A fresh unguessable token (256 bits, hex).
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What signing in shares across requests: the bound on password hashing, a wake-up for sign-ins waiting for their
/// turn, and the key that signs signed-out CSRF tokens.
pub struct Auth {
    pub hashing: Arc<password::Hasher>,
    /// Told whenever a password check ends on this instance, so sign-ins waiting for one go on at once.
    pub check_ended: Notify,
    csrf_key: OnceCell<csrf::CsrfKey>,
    /// The hospital's identity provider, when configured.
    pub oidc: Option<oidc::Oidc>,
}

impl Auth {
    pub fn new(config: &Config) -> Auth {
        Auth {
            hashing: Arc::new(password::Hasher::new(config.hash_concurrency, config.hash_queue)),
            check_ended: Notify::new(),
            csrf_key: OnceCell::new(),
            oidc: config.oidc.clone().and_then(|c| match oidc::Oidc::new(c) {
                Ok(o) => Some(o),
                Err(e) => {
                    tracing::error!(error = %e, "staff sign-in through the identity provider is not available");
                    None
                }
            }),
        }
    }

    /// The key for signed-out CSRF tokens: from `WAYMARK_CSRF_SECRET`, or made once and kept in the database (read
    /// once per process; the server asks at start-up, so signed-out requests never write it).
    pub async fn csrf_key(&self, config: &Config, store: &Store) -> Result<&csrf::CsrfKey, AppError> {
        self.csrf_key
            .get_or_try_init(|| async {
                let secret = match &config.csrf_secret {
                    Some(secret) => secret.clone(),
                    None => store.server_secret("csrf_hmac").await?,
                };
                Ok::<_, AppError>(csrf::CsrfKey::new(secret.as_bytes()))
            })
            .await
    }
}
