//! "Read this to me": the browser's own speech reads words aloud in the language chosen, with a voice for that
//! language. Where the device has no such voice the button is not shown (a Welsh page is never read in an English
//! voice). One reading at a time: starting another, or tapping "Stop reading", stops the one going.
//!
//! (The plan's own; the tracker has a read-aloud button of its own being built at the same time: to be merged.)

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue, closure::Closure};
use leptos::web_sys::js_sys::{Array, Function, Reflect};
use waymark_shared::{Lang, Msg};

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let f = get(target, method)?.dyn_into::<Function>().ok()?;
    f.apply(target, &args.iter().cloned().collect::<Array>()).ok()
}

/// The browser's speech, if it has any.
fn synth() -> Option<JsValue> {
    get(&window().into(), "speechSynthesis")
}

/// The language tag an utterance is given.
fn tag(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en-GB",
        Lang::Cy => "cy-GB",
    }
}

/// Whether a voice's language tag (`en-GB`, `cy`, `en_US`) speaks `lang`.
pub fn voice_speaks(voice_lang: &str, lang: Lang) -> bool {
    let code = voice_lang.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    code == lang.code()
}

/// A voice of this device for the language: one for the UK first, then any.
fn voice_for(lang: Lang) -> Option<JsValue> {
    let voices = call(&synth()?, "getVoices", &[])?;
    let voices: Array = voices.dyn_into().ok()?;
    let lang_of = |v: &JsValue| get(v, "lang").and_then(|l| l.as_string()).unwrap_or_default();
    let speaking: Vec<JsValue> = voices.iter().filter(|v| voice_speaks(&lang_of(v), lang)).collect();
    speaking.iter().find(|v| lang_of(v).to_ascii_uppercase().ends_with("GB")).or(speaking.first()).cloned()
}

/// The device's voices, looked at again when the browser says they changed (they often arrive after the page).
fn use_voices() -> RwSignal<u32> {
    let changed = RwSignal::new(0u32);
    if let Some(s) = synth() {
        let cb = Closure::<dyn FnMut()>::new(move || {
            changed.try_update(|n| *n += 1);
        });
        let _ = call(&s, "addEventListener", &[JsValue::from_str("voiceschanged"), cb.as_ref().clone()]);
        cb.forget();
    }
    changed
}

/// A "Read this to me" button for the words `text` gives (in the language shown now). `label` is the button's
/// accessible name (it starts with the words on it).
#[component]
pub fn ReadAloudPlan(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] visible_label: Option<Msg>,
) -> impl IntoView {
    let i18n = use_i18n();
    let voices = use_voices();
    let available = Memo::new(move |_| {
        voices.track();
        voice_for(i18n.lang.get()).is_some()
    });
    let speaking = RwSignal::new(false);
    let read = move |_| {
        let Some(s) = synth() else { return };
        // One reading at a time. (Whether this one was reading is read first: cancelling may end it at once.)
        let was_speaking = speaking.get_untracked();
        let _ = call(&s, "cancel", &[]);
        if was_speaking {
            speaking.set(false);
            return;
        }
        let lang = i18n.lang.get_untracked();
        let Some(voice) = voice_for(lang) else { return };
        let Some(ctor) = get(&window().into(), "SpeechSynthesisUtterance").and_then(|c| c.dyn_into::<Function>().ok())
        else {
            return;
        };
        let Ok(utterance) = Reflect::construct(&ctor, &Array::of1(&JsValue::from_str(&text.get_untracked()))) else {
            return;
        };
        let _ = Reflect::set(&utterance, &"lang".into(), &JsValue::from_str(tag(lang)));
        let _ = Reflect::set(&utterance, &"voice".into(), &voice);
        let _ = Reflect::set(&utterance, &"rate".into(), &JsValue::from_f64(0.9));
        let done = Closure::<dyn FnMut()>::new(move || {
            speaking.try_set(false);
        });
        let _ = Reflect::set(&utterance, &"onend".into(), done.as_ref());
        let _ = Reflect::set(&utterance, &"onerror".into(), done.as_ref());
        done.forget();
        speaking.set(true);
        let _ = call(&s, "speak", &[utterance]);
    };
    let words = visible_label.unwrap_or(Msg::ReadAloud);
    view! {
        <Show when=move || available.get() fallback=|| ()>
            <button type="button" class="button read-aloud" data-test="read-aloud"
                aria-label=move || if speaking.get() { t(Msg::ReadAloudStop)().to_owned() } else { label.get() }
                data-speaking=move || speaking.get().to_string()
                on:click=read>
                <svg class="read-aloud-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                    <path d="M4 9h4l5-4v14l-5-4H4Z" fill="currentColor"/>
                    <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
                <span>{move || if speaking.get() { t(Msg::ReadAloudStop)() } else { t(words)() }}</span>
            </button>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voices_are_matched_by_their_language() {
        assert!(voice_speaks("cy-GB", Lang::Cy));
        assert!(voice_speaks("cy", Lang::Cy));
        assert!(voice_speaks("en_US", Lang::En));
        assert!(voice_speaks("EN-gb", Lang::En));
        assert!(!voice_speaks("en-GB", Lang::Cy));
        assert!(!voice_speaks("cs-CZ", Lang::Cy));
        assert!(!voice_speaks("", Lang::En));
    }
}
