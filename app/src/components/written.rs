//! "Gareth Evans, carer, 10:42": who wrote something, in what role, and when, in the reader's language.

use leptos::wasm_bindgen::JsValue;
use leptos::web_sys::js_sys::{Date, Object, Reflect};
use waymark_shared::{Lang, sync::Authorship};

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// The time (today) or the day and time (earlier) of a Unix-ms moment, on this device's clock.
pub fn when(at_ms: i64, lang: Lang) -> String {
    let locale = match lang {
        Lang::En => "en-GB",
        Lang::Cy => "cy-GB",
    };
    let date = Date::new(&JsValue::from_f64(at_ms as f64));
    let now = Date::new_0();
    let time: String = date
        .to_locale_time_string_with_options(
            locale,
            &options(&[("hour", "2-digit"), ("minute", "2-digit")]),
        )
        .into();
    let same_day = date.get_full_year() == now.get_full_year()
        && date.get_month() == now.get_month()
        && date.get_date() == now.get_date();
    if same_day {
        time
    } else {
        let day: String = date
            .to_locale_date_string(locale, &options(&[("day", "numeric"), ("month", "short")]))
            .into();
        format!("{day} {time}")
    }
}

/// "Gareth Evans, carer"; "another carer" where a carer is not given another carer's name.
pub fn author(by: &Authorship, lang: Lang) -> String {
    crate::i18n::author_text(&by.name, by.role, lang)
}

/// "Gareth Evans, carer, 10:42".
pub fn written_by(by: &Authorship, lang: Lang) -> String {
    format!("{}, {}", author(by, lang), when(by.at_ms, lang))
}
