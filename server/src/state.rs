//! What every handler can reach.

use crate::{config::Config, live::Live, store::Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Tells connected devices when data they may see has changed.
    pub live: Live,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState { store, config: Arc::new(config), live: Live::new() }
    }
}
