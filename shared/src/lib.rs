//! Waymark's shared vocabulary: typed models, API payloads, access rules and the translation catalogue.
//!
//! Compiled for both the server (native) and the app (wasm32). Nothing here does I/O.

#[macro_use]
pub mod names;

pub mod about_me;
pub mod access;
pub mod admin;
pub mod api;
pub mod comments;
pub mod consent;
pub mod framework_editor;
pub mod i18n;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod outcomes;
pub mod people;
pub mod plan;
pub mod review;
pub mod sync;
pub mod tracker;
pub mod validation;

pub use i18n::{Lang, Msg};
pub use people::{Relation, Role, UserId};
