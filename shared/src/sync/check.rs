//! The shape rules every domain's changes share: text, record ids, dates and lists.

use super::cell::RecordId;
use super::change::ChangeError;
use crate::tracker::is_date;

/// Text people write: at most `max` characters, not blank when `required`, and none of the characters no text may
/// hold ([`crate::validation::is_forbidden_char`]: controls but line breaks and tabs, and direction overrides).
pub fn text(field: &'static str, text: &str, max: usize, required: bool) -> Result<(), ChangeError> {
    if text.chars().count() > max {
        return Err(ChangeError::TooLong { field, max });
    }
    if required && text.trim().is_empty() {
        return Err(ChangeError::Empty { field });
    }
    if crate::validation::has_forbidden_chars(text) {
        return Err(ChangeError::ControlCharacters { field });
    }
    Ok(())
}

/// A record id made on a device: 1 to 64 of `A-Z a-z 0-9 - _`.
pub fn record_id(id: &RecordId) -> Result<(), ChangeError> {
    if id.0.is_empty() || !id.is_well_formed() { Err(ChangeError::BadRecordId) } else { Ok(()) }
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(field: &'static str, d: &str) -> Result<(), ChangeError> {
    if is_date(d) { Ok(()) } else { Err(ChangeError::BadDate { field }) }
}

/// An optional calendar date.
pub fn maybe_date(field: &'static str, d: Option<&str>) -> Result<(), ChangeError> {
    d.map_or(Ok(()), |d| date(field, d))
}

/// A list with no repeats and at most `max` things.
pub fn unique<T: Ord>(field: &'static str, items: &[T], max: usize) -> Result<(), ChangeError> {
    let distinct: std::collections::BTreeSet<&T> = items.iter().collect();
    if distinct.len() != items.len() || items.len() > max { Err(ChangeError::BadList { field }) } else { Ok(()) }
}

/// The value as JSON (every value a change writes serialises).
pub fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("change values serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(text("f", "abc", 2, false), Err(ChangeError::TooLong { field: "f", max: 2 }));
        assert_eq!(text("f", "  ", 9, true), Err(ChangeError::Empty { field: "f" }));
        assert!(text("f", "", 9, false).is_ok());
        assert!(text("f", "line\nline\tx", 20, true).is_ok());
        assert_eq!(text("f", "bell\u{7}", 20, true), Err(ChangeError::ControlCharacters { field: "f" }));
        assert_eq!(text("f", "gpj.exe\u{202E}", 20, true), Err(ChangeError::ControlCharacters { field: "f" }));
        assert_eq!(record_id(&RecordId("../x".into())), Err(ChangeError::BadRecordId));
        assert_eq!(record_id(&RecordId(String::new())), Err(ChangeError::BadRecordId));
        assert!(unique("l", &[1, 2], 2).is_ok());
        assert!(unique("l", &[1, 1], 5).is_err() && unique("l", &[1, 2, 3], 2).is_err());
    }
}
