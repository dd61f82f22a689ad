//! `/join?code=…`: a carer makes their account with the invitation code the care team gave them.

use crate::{
    components::language_switch::{EasyReadSwitch, LanguageSwitch},
    i18n::t,
    session::use_auth,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};
use waymark_shared::{Msg, api::AcceptInvitationRequest};

#[component]
pub fn JoinPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code").unwrap_or_default()));
    let name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if password.get_untracked().chars().count() < 10 {
            error.set(Some(Msg::JoinPasswordHint));
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let request = AcceptInvitationRequest {
            code: code.get_untracked(),
            display_name: name.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match auth.join(request).await {
                Ok(_) => {
                    password.set(String::new());
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let field = move |id: &'static str, label: Msg, kind: &'static str, auto: &'static str, value: RwSignal<String>| {
        view! {
            <label for=id>{t(label)}</label>
            <input id=id name=id type=kind autocomplete=auto required autocapitalize="none" spellcheck="false"
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
        }
    };
    crate::a11y::page_title(t(Msg::JoinTitle));
    view! {
        <main id="main" class="sign-in-page">
            <div class="sign-in-card" data-test="join-page">
                <div class="sign-in-brand">
                    <span class="brand-name">{t(Msg::AppName)}</span>
                    <span class="brand-tagline">{t(Msg::Tagline)}</span>
                </div>
                <div class="header-choices">
                    <LanguageSwitch/>
                    <EasyReadSwitch/>
                </div>
                <h1>{t(Msg::JoinTitle)}</h1>
                <p class="intro">{t(Msg::JoinIntro)}</p>
                <form on:submit=submit novalidate>
                    {field("code", Msg::InviteCode, "text", "off", code)}
                    {field("display-name", Msg::JoinName, "text", "name", name)}
                    {field("username", Msg::Username, "text", "username", username)}
                    {field("password", Msg::Password, "password", "new-password", password)}
                    <p class="hint">{t(Msg::JoinPasswordHint)}</p>
                    {move || error.get().map(|m| view! { <p class="error" role="alert" data-test="join-error">{t(m)}</p> })}
                    <button type="submit" class="button primary" disabled=move || busy.get()>{t(Msg::JoinSubmit)}</button>
                </form>
            </div>
        </main>
    }
}
