pub mod home;
pub mod join;
pub mod lock;
pub mod not_found;
pub mod person;
pub mod plan;
pub mod sign_in;
mod signed_in;
pub mod tracker;
