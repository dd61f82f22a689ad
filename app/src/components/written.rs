//! "Gareth Evans, carer, 10:42": who wrote something, in what role, and when, in the reader's language.

use leptos::wasm_bindgen::JsValue;
use leptos::web_sys::js_sys::Date;
use waymark_shared::{Lang, i18n::date_in_words, sync::Authorship};

/// The time (today) or the day in words and the time (earlier) of a Unix-ms moment, on this device's clock:
/// "10:42", "3 November, 10:42", "3 Tachwedd 2025, 10:42" (the year only when it is not this year).
pub fn when(at_ms: i64, lang: Lang) -> String {
    let date = Date::new(&JsValue::from_f64(at_ms as f64));
    let now = Date::new_0();
    let day = (date.get_full_year(), date.get_month() + 1, date.get_date());
    let today = (now.get_full_year(), now.get_month() + 1, now.get_date());
    moment_in_words(day, (date.get_hours(), date.get_minutes()), today, lang)
}

/// [`when`] for a given day and time, seen on `today` (year, month 1–12, day).
pub fn moment_in_words(day: (u32, u32, u32), time: (u32, u32), today: (u32, u32, u32), lang: Lang) -> String {
    let clock = format!("{:02}:{:02}", time.0, time.1);
    if day == today {
        return clock;
    }
    let iso = format!("{:04}-{:02}-{:02}", day.0, day.1, day.2);
    let words = date_in_words(&iso, lang).unwrap_or(iso);
    let words =
        if day.0 == today.0 { words.rsplit_once(' ').map_or(words.clone(), |(d, _)| d.to_owned()) } else { words };
    format!("{words}, {clock}")
}

/// A `YYYY-MM-DD` date in words ("3 November 2026"), or as it is when it is not a date.
pub fn date_words(date: &str, lang: Lang) -> String {
    date_in_words(date, lang).unwrap_or_else(|| date.to_owned())
}

/// "Gareth Evans, carer"; "another carer" where a carer is not given another carer's name.
pub fn author(by: &Authorship, lang: Lang) -> String {
    crate::i18n::author_text(&by.name, by.role, lang)
}

/// "Gareth Evans, carer, 10:42".
pub fn written_by(by: &Authorship, lang: Lang) -> String {
    format!("{}, {}", author(by, lang), when(by.at_ms, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_said_in_words() {
        let today = (2026, 11, 28);
        assert_eq!(moment_in_words((2026, 11, 28), (9, 5), today, Lang::En), "09:05");
        assert_eq!(moment_in_words((2026, 11, 3), (10, 42), today, Lang::En), "3 November, 10:42");
        assert_eq!(moment_in_words((2026, 11, 3), (10, 42), today, Lang::Cy), "3 Tachwedd, 10:42");
        assert_eq!(moment_in_words((2025, 8, 14), (16, 0), today, Lang::Cy), "14 Awst 2025, 16:00");
        assert_eq!(date_words("2026-11-03", Lang::Cy), "3 Tachwedd 2026");
        assert_eq!(date_words("", Lang::En), "");
    }
}
