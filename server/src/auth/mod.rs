//! Signing in and staying signed in: password hashing, throttling, sessions and CSRF defence.

pub mod csrf;
pub mod current_user;
pub mod password;
pub mod throttle;

pub use current_user::CurrentUser;

/// Keys of the values Waymark keeps in a server-side session.
pub mod session_keys {
    /// The signed-in user's id.
    pub const USER_ID: &str = "uid";
    /// The token the app must echo in the `x-csrf-token` header.
    pub const CSRF_TOKEN: &str = "csrf";
}

/// A fresh unguessable token (256 bits, hex).
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}
