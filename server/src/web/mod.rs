//! Serving the built app and the headers every response carries.

pub mod assets;
pub mod headers;
