pub mod app_header;
pub mod language_switch;
pub mod person_card;
pub mod person_details;
