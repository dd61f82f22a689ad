//! Talking to the server.

pub mod http;
