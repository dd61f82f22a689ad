//! Request handlers: parse, check permission, call the store, answer.

pub mod admin;
pub mod audit;
pub mod device_keys;
pub mod export;
pub mod frameworks;
pub mod health;
pub mod invitations;
pub mod json;
pub mod me;
pub mod oidc;
pub mod people;
pub mod planning;
pub mod report;
pub mod session;
pub mod sync;
