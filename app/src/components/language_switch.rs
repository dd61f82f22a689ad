use crate::{i18n::{t, use_i18n}, session::use_auth};
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
