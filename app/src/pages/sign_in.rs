use crate::{
    components::language_switch::{EasyReadSwitch, LanguageSwitch},
    i18n::t,
    session::use_auth,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::Redirect,
    hooks::{use_navigate, use_query_map},
};
use waymark_shared::Msg;

#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            // Signing in also opens the person's records (or asks them to choose a PIN for this tablet first).
            match auth.sign_in(username.get_untracked(), password.get_untracked()).await {
                Ok(_) => {
                    password.try_set(String::new());
                    navigate("/", Default::default());
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
            busy.try_set(false);
        });
    };

    // Staff may sign in through the hospital's identity provider when it is set up; a refusal from it comes back
    // here as `?sso=…`.
    let options = LocalResource::new(|| async { crate::client::api::sign_in_options().await.unwrap_or_default() });
    let query = use_query_map();
    let sso_refusal = query.with_untracked(|q| q.get("sso")).and_then(|s| waymark_shared::api::SsoRefusal::parse(&s));

    // Someone whose records are open has nothing to do here.
    let already_signed_in = move || auth.me().is_some();

    crate::a11y::page_title(t(Msg::SignIn));
    view! {
        <Show when=already_signed_in fallback=|| ()>
            <Redirect path="/"/>
        </Show>
        <main id="main" class="sign-in-page">
            <div class="sign-in-card">
                <div class="sign-in-brand">
                    <span class="brand-name">{t(Msg::AppName)}</span>
                    <span class="brand-tagline">{t(Msg::Tagline)}</span>
                </div>
                <div class="header-choices">
                    <LanguageSwitch/>
                    <EasyReadSwitch/>
                </div>
                <h1>{t(Msg::SignInTitle)}</h1>
                {move || auth.notice.get().map(|m| view! { <p class="notice" role="status" data-test="sign-in-notice">{t(m)}</p> })}
                <form on:submit=submit novalidate>
                    <label for="username">{t(Msg::Username)}</label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        prop:value=username
                        on:input=move |ev| username.set(event_target_value(&ev))
                    />
                    <label for="password">{t(Msg::Password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        prop:value=password
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    {move || error.get().map(|m| view! { <p class="error" role="alert">{t(m)}</p> })}
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || if busy.get() { t(Msg::SigningIn)() } else { t(Msg::SignIn)() }}
                    </button>
                </form>
                {sso_refusal.map(|r| view! { <p class="error" role="alert" data-test="sso-refusal">{t(r.message())}</p> })}
                {move || options.get().filter(|o| o.identity_provider).map(|_| view! {
                    <p class="sso-or">{t(Msg::AdminOr)}</p>
                    <a href=crate::client::api::OIDC_START rel="external" class="button outline sso-button" data-test="sign-in-hospital">
                        {t(Msg::SignInWithHospital)}
                    </a>
                })}
                <p class="join-link"><a href="/join" class="text-link" data-test="join-link">{t(Msg::JoinHaveCode)}</a></p>
            </div>
        </main>
    }
}
