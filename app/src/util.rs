//! Small helpers the features share: today's date, random ids, and the words for an edit that was not saved.

use crate::sync::RecordError;
use leptos::prelude::window;
use waymark_shared::{Lang, Msg, i18n::fill, sync::ChangeError};

/// Today on this device's calendar, `YYYY-MM-DD`.
pub fn today() -> String {
    let d = leptos::web_sys::js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Now on this device's clock, Unix ms.
pub fn now_ms() -> i64 {
    leptos::web_sys::js_sys::Date::now() as i64
}

/// `n` random bytes from the browser's CSPRNG, as lower-case hex: device ids and record ids.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    let filled = window().crypto().and_then(|c| c.get_random_values_with_u8_array(&mut bytes).map(|_| ()));
    if filled.is_err() {
        for b in &mut bytes {
            *b = (leptos::web_sys::js_sys::Math::random() * 256.0) as u8;
        }
    }
    hex(&bytes)
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why an edit was not saved, as a catalogue message (and the limit it names, for "too long").
pub fn record_error(e: &RecordError) -> (Msg, Option<usize>) {
    match e {
        RecordError::Invalid(ChangeError::TooLong { max, .. }) => (Msg::TooLong, Some(*max)),
        RecordError::Invalid(_) => (Msg::ErrorInvalidInput, None),
        RecordError::NotSaved => (Msg::SaveFailed, None),
    }
}

/// The same, in the reader's language.
pub fn record_error_text(e: &RecordError, lang: Lang) -> String {
    let (msg, max) = record_error(e);
    fill(msg.text(lang), &[("max", &max.unwrap_or_default().to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn every_failure_has_words_in_both_languages() {
        for e in [
            RecordError::Invalid(ChangeError::TooLong { field: "x", max: 80 }),
            RecordError::Invalid(ChangeError::Empty { field: "x" }),
            RecordError::Invalid(ChangeError::BadRecordId),
            RecordError::NotSaved,
        ] {
            for lang in [Lang::En, Lang::Cy] {
                let text = record_error_text(&e, lang);
                assert!(!text.is_empty() && !text.contains('{'), "{e:?} in {lang:?}: {text}");
            }
        }
        assert!(
            record_error_text(&RecordError::Invalid(ChangeError::TooLong { field: "x", max: 80 }), Lang::En)
                .contains("80")
        );
    }
}
