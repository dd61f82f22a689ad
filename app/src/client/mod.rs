//! Talking to the server: [`api`] names every address and its types; [`http`] carries them.

pub mod api;
pub mod http;
