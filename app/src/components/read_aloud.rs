//! "Read this to me": a button that reads the given text aloud in the language the app is in, with the browser's
//! speech synthesis. It is shown only where this device has a voice for that language (many have no Welsh voice, and
//! a Welsh page is never read in an English one; a device with none at all shows nothing), and it becomes "Stop
//! reading" while it speaks. One reading at a time: starting another stops the one going.
//!
//! Use: `<ReadAloud text=Signal::derive(move || ...)/>`; optionally `label` (the accessible name, which starts with
//! the words on the button), `words` (the words on it) and `test` (its `data-test`, `read-aloud` by default). The
//! text is read as it is when the button is pressed. Used by each area of a reading, each plan section and the
//! printable plan.

use crate::i18n::use_i18n;
use leptos::{
    prelude::*,
    wasm_bindgen::{JsCast, JsValue, closure::Closure},
    web_sys::{SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice, js_sys::Reflect},
};
use std::sync::OnceLock;
use waymark_shared::{Lang, Msg};

/// The browser's speech synthesis, if it has one.
fn synthesis() -> Option<SpeechSynthesis> {
    let w = window();
    let has = Reflect::get(&w, &JsValue::from_str("speechSynthesis")).ok()?;
    if has.is_undefined() || has.is_null() {
        return None;
    }
    Some(has.unchecked_into())
}

/// The language codes a voice must start with to read `lang`.
pub fn voice_prefix(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Cy => "cy",
    }
}

/// Does a voice's BCP 47 tag ("cy-GB", "en_GB", "EN-us") speak `lang`?
pub fn speaks(voice_lang: &str, lang: Lang) -> bool {
    let tag = voice_lang.to_ascii_lowercase();
    let prefix = voice_prefix(lang);
    tag == prefix || tag.starts_with(&format!("{prefix}-")) || tag.starts_with(&format!("{prefix}_"))
}

/// The tag an utterance is marked with.
fn utterance_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en-GB",
        Lang::Cy => "cy-GB",
    }
}

/// A voice of this device for `lang`: a British one first where there are several.
fn voice_for(lang: Lang) -> Option<SpeechSynthesisVoice> {
    let voices = synthesis()?.get_voices();
    let all: Vec<SpeechSynthesisVoice> = voices.iter().map(|v| v.unchecked_into::<SpeechSynthesisVoice>()).collect();
    let wanted = utterance_lang(lang).to_ascii_lowercase();
    all.iter()
        .find(|v| v.lang().to_ascii_lowercase().replace('_', "-") == wanted)
        .or_else(|| all.iter().find(|v| speaks(&v.lang(), lang)))
        .cloned()
}

/// Bumped whenever the browser says its list of voices changed (voices often arrive after the page starts).
fn voices_changed() -> ArcRwSignal<u32> {
    static TICK: OnceLock<ArcRwSignal<u32>> = OnceLock::new();
    TICK.get_or_init(|| {
        let tick = ArcRwSignal::new(0u32);
        if let Some(s) = synthesis() {
            let t = tick.clone();
            let on_change = Closure::<dyn Fn()>::new(move || t.update(|n| *n = n.wrapping_add(1)));
            let _ = s.add_event_listener_with_callback("voiceschanged", on_change.as_ref().unchecked_ref());
            // Listens for the life of the page.
            on_change.forget();
        }
        tick
    })
    .clone()
}

#[component]
pub fn ReadAloud(
    /// What to read, in the app's current language.
    #[prop(into)]
    text: Signal<String>,
    /// The button's accessible name while it is not reading (it starts with the words on it): "Read this to me"
    /// names which part. Without it the words on the button name it.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
    /// The words on the button ("Read this to me" unless given).
    #[prop(optional)]
    words: Option<Msg>,
    /// The button's `data-test`.
    #[prop(optional)]
    test: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tick = voices_changed();
    let available = Memo::new(move |_| {
        tick.track();
        voice_for(i18n.lang.get()).is_some()
    });
    let speaking = RwSignal::new(false);
    let test = test.unwrap_or("read-aloud");
    let words = words.unwrap_or(Msg::ReadAloud);
    let name = move || match label {
        Some(_) if speaking.get() => Some(Msg::ReadAloudStop.text(i18n.lang.get()).to_owned()),
        Some(label) => Some(label.get()),
        None => None,
    };
    let toggle = move |_| {
        let Some(s) = synthesis() else { return };
        // One voice at a time: whatever else was reading stops. (Whether this one was reading is read first:
        // cancelling may end it at once.)
        let was_speaking = speaking.get_untracked();
        s.cancel();
        if was_speaking {
            speaking.set(false);
            return;
        }
        let lang = i18n.lang.get_untracked();
        let Ok(u) = SpeechSynthesisUtterance::new_with_text(&text.get_untracked()) else { return };
        u.set_lang(utterance_lang(lang));
        // A little slower than the voice's own pace.
        u.set_rate(0.9);
        if let Some(v) = voice_for(lang) {
            u.set_voice(Some(&v));
        }
        let done = Closure::<dyn Fn()>::new(move || speaking.set(false));
        u.set_onend(Some(done.as_ref().unchecked_ref()));
        u.set_onerror(Some(done.as_ref().unchecked_ref()));
        // Kept for as long as the utterance may call it.
        done.forget();
        speaking.set(true);
        s.speak(&u);
    };
    view! {
        <Show when=move || available.get() fallback=|| ()>
            <button type="button" class="button outline read-aloud" data-test=test
                data-speaking=move || speaking.get().to_string()
                aria-pressed=move || speaking.get().to_string()
                aria-label=name
                on:click=toggle>
                <svg class="read-aloud-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                    <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor"/>
                    <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
                <span>{move || if speaking.get() { Msg::ReadAloudStop } else { words }.text(i18n.lang.get())}</span>
            </button>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voices_are_matched_by_their_language_tag() {
        assert!(speaks("cy-GB", Lang::Cy));
        assert!(speaks("CY", Lang::Cy));
        assert!(speaks("en_GB", Lang::En));
        assert!(speaks("en-US", Lang::En));
        assert!(!speaks("cs-CZ", Lang::Cy), "Czech is not Welsh");
        assert!(!speaks("eng", Lang::En));
        assert!(!speaks("en-GB", Lang::Cy));
    }
}
