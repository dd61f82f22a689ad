pub mod about_me;
pub mod app_header;
pub mod comments;
pub mod language_switch;
pub mod person_card;
pub mod person_details;
pub mod sync_status;
pub mod written;
