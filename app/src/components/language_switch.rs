use crate::{
    i18n::{t, use_i18n},
    session::use_auth,
};
use leptos::prelude::*;
use waymark_shared::{Lang, Msg};

/// English / Cymraeg, each named in its own language. Remembered on the device and on the account.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <div class="language-switch" role="group" aria-label=t(Msg::Language)>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            lang=lang.code()
                            data-lang=lang.code()
                            aria-pressed=move || (i18n.lang.get() == lang).to_string()
                            on:click=move |_| auth.choose_language(lang)
                        >
                            {lang.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Easy read on or off: short sentences, larger text, a picture beside each plan section. Beside the language
/// switch, remembered on the device and on the account like the language.
#[component]
pub fn EasyReadSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <button
            type="button"
            class="easy-read-switch"
            data-test="easy-read-switch"
            aria-pressed=move || i18n.easy_read.get().to_string()
            on:click=move |_| auth.choose_easy_read(!i18n.easy_read.get_untracked())
        >
            <svg class="easy-read-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                <path d="M3 5.5C6 4 9 4 12 6c3-2 6-2 9-.5V19c-3-1.5-6-1.5-9 .5-3-2-6-2-9-.5Z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>
                <path d="M12 6v13.5" stroke="currentColor" stroke-width="2"/>
            </svg>
            <span>{t(Msg::PlanEasyRead)}</span>
        </button>
    }
}
