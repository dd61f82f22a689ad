//! "Invite a carer": staff on the care team make a one-time code (and link) for a carer to make their account.

use crate::{
    client::api,
    i18n::{t, t_fill},
    session::use_auth,
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{Msg, UserId, api::Invitation};

fn date_of(ms: i64) -> String {
    let d = leptos::web_sys::js_sys::Date::new(&leptos::wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

#[component]
pub fn InviteCarer(person: UserId, name: String) -> impl IntoView {
    let auth = use_auth();
    let i18n = crate::i18n::use_i18n();
    let made = RwSignal::new(None::<Invitation>);
    let error = RwSignal::new(None::<Msg>);
    let person = StoredValue::new(person);
    let invite = move |_| {
        let Some(token) = auth.csrf_token() else {
            error.set(Some(Msg::ErrorNetwork));
            return;
        };
        spawn_local(async move {
            match api::invite_carer(&token, &person.get_value()).await {
                Ok(i) => {
                    error.set(None);
                    made.set(Some(i));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="panel invite" data-test="invite">
            <h2>{t(Msg::InviteCarer)}</h2>
            <p class="hint">{t_fill(Msg::InviteHint, vec![("name", name)])}</p>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{t(m)}</p> })}
            {move || match made.get() {
                Some(i) => {
                    let origin = window().location().origin().unwrap_or_default();
                    view! {
                        <dl class="invite-code">
                            <dt>{t(Msg::InviteCode)}</dt>
                            <dd class="code" data-test="invite-code">{i.code.clone()}</dd>
                            <dt>{t(Msg::InviteLink)}</dt>
                            <dd data-test="invite-link">{format!("{origin}{}", i.link)}</dd>
                        </dl>
                        <p class="hint">{move || {
                            let lang = i18n.lang.get();
                            waymark_shared::i18n::fill(Msg::InviteExpires.text(lang), &[("date", &crate::components::written::date_words(&date_of(i.expires_at_ms), lang))])
                        }}</p>
                    }
                    .into_any()
                }
                None => view! {
                    <button type="button" class="button" data-test="invite-carer" on:click=invite>{t(Msg::InviteCarer)}</button>
                }
                .into_any(),
            }}
        </section>
    }
}
