//! What every handler can reach.

use crate::{auth::Auth, config::Config, live::Live, store::Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Tells connected devices when data they may see has changed.
    pub live: Live,
    /// The bound on password hashing, sign-in turns and the CSRF key.
    pub auth: Arc<Auth>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        let auth = Arc::new(Auth::new(&config));
        let live = Live::with_streams_per_user(config.live_streams_per_user);
        AppState { store, config: Arc::new(config), live, auth }
    }
}
