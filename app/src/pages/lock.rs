//! The lock screens shown instead of the pages while a person's records are closed: choosing a PIN at the first
//! sign-in on a tablet, asking for it (at start, or after the tablet locked itself), and saying why records cannot
//! be opened. They show the person's own name and nothing else of anyone's: no record, no other name.

use crate::{
    components::language_switch::LanguageSwitch,
    i18n::{t, t_fill},
    session::{Screen, use_auth},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;
use waymark_shared::{Msg, api::Me};

/// After the records closed for good (signed out, or too many wrong PINs): the sign-in page, with or without a
/// network.
fn to_sign_in() -> impl Fn() + Clone + 'static {
    let auth = use_auth();
    let navigate = use_navigate();
    move || {
        if auth.me_untracked().is_none() && auth.screen.get_untracked() == Screen::Pages {
            navigate("/sign-in", Default::default());
        }
    }
}

#[component]
pub fn LockScreen() -> impl IntoView {
    let auth = use_auth();
    view! {
        <main id="main" class="sign-in-page lock-page" data-test="lock-screen">
            <div class="sign-in-card">
                <div class="sign-in-brand">
                    <span class="brand-name">{t(Msg::AppName)}</span>
                    <span class="brand-tagline">{t(Msg::Tagline)}</span>
                </div>
                <LanguageSwitch/>
                {move || match auth.screen.get() {
                    Screen::AskPin { me, idle } => view! { <AskPin me idle/> }.into_any(),
                    Screen::ChoosePin { me } => view! { <ChoosePin me/> }.into_any(),
                    Screen::CannotOpen { me, why } => view! { <CannotOpen me why/> }.into_any(),
                    Screen::ChangePassword { me } => view! { <ChangePassword me/> }.into_any(),
                    Screen::Opening | Screen::Pages => {
                        view! { <p class="loading" data-test="lock-opening">{t(Msg::OpeningRecords)}</p> }.into_any()
                    }
                }}
            </div>
        </main>
    }
}

/// A PIN box: digits only, hidden as typed, the phone or tablet's number pad.
#[component]
fn PinBox(id: &'static str, test: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <input
            id=id
            data-test=test
            class="pin-input"
            type="password"
            inputmode="numeric"
            pattern="[0-9]*"
            autocomplete="off"
            maxlength="12"
            required
            prop:value=value
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}

fn error_line(error: RwSignal<Option<Msg>>) -> impl IntoView {
    move || error.get().map(|m| view! { <p class="error" role="alert" data-test="pin-error">{t(m)}</p> })
}

/// "I'm someone else" (or "Sign out"): sign this person out; their records stay locked here if any edit waits.
fn leave_button(label: Msg) -> impl IntoView {
    let auth = use_auth();
    let busy = RwSignal::new(false);
    let to_sign_in = to_sign_in();
    view! {
        <button
            type="button"
            class="button quiet"
            data-test="someone-else"
            disabled=move || busy.get()
            on:click=move |_| {
                busy.set(true);
                let to_sign_in = to_sign_in.clone();
                spawn_local(async move {
                    auth.someone_else().await;
                    to_sign_in();
                });
            }
        >
            {t(label)}
        </button>
    }
}

#[component]
fn AskPin(me: Me, idle: bool) -> impl IntoView {
    let auth = use_auth();
    let pin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);
    let to_sign_in = to_sign_in();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let to_sign_in = to_sign_in.clone();
        spawn_local(async move {
            let result = auth.unlock(pin.get_untracked()).await;
            to_sign_in();
            pin.try_set(String::new());
            if let Err(m) = result {
                error.try_set(Some(m));
            }
            busy.try_set(false);
        });
    };
    crate::a11y::screen_title(t_fill(Msg::LockedFor, vec![("name", me.display_name.clone())]));
    view! {
        <h1 data-test="lock-name">{t_fill(Msg::LockedFor, vec![("name", me.display_name.clone())])}</h1>
        {idle.then(|| view! { <p class="intro" data-test="lock-idle">{t(Msg::LockIdle)}</p> })}
        <form on:submit=submit novalidate data-test="pin-form" data-mode="unlock">
            <label for="pin">{t(Msg::PinEnter)}</label>
            <PinBox id="pin" test="pin-input" value=pin/>
            {error_line(error)}
            <button type="submit" class="button primary" data-test="pin-submit" disabled=move || busy.get()>
                {move || if busy.get() { t(Msg::PinOpening)() } else { t(Msg::PinOpen)() }}
            </button>
        </form>
        {leave_button(Msg::SomeoneElse)}
    }
}

#[component]
fn ChoosePin(me: Me) -> impl IntoView {
    let auth = use_auth();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Msg>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if let Err(m) = auth.choose_pin(pin.get_untracked(), again.get_untracked()).await {
                again.try_set(String::new());
                error.try_set(Some(m));
            }
            busy.try_set(false);
        });
    };
    crate::a11y::screen_title(t(Msg::ChoosePinTitle));
    view! {
        <h1>{t(Msg::ChoosePinTitle)}</h1>
        <p class="greeting">{t_fill(Msg::HelloName, vec![("name", me.display_name.clone())])}</p>
        <p class="intro">{t(Msg::ChoosePinIntro)}</p>
        <form on:submit=submit novalidate data-test="pin-form" data-mode="choose">
            <label for="pin">{t(Msg::PinLabel)}</label>
            <PinBox id="pin" test="pin-input" value=pin/>
            <label for="pin-again">{t(Msg::PinAgain)}</label>
            <PinBox id="pin-again" test="pin-again" value=again/>
            {error_line(error)}
            <button type="submit" class="button primary" data-test="pin-submit" disabled=move || busy.get()>
                {t(Msg::PinSave)}
            </button>
        </form>
        {leave_button(Msg::SignOut)}
    }
}

#[component]
fn CannotOpen(me: Me, why: Msg) -> impl IntoView {
    let auth = use_auth();
    crate::a11y::screen_title(t_fill(Msg::LockedFor, vec![("name", me.display_name.clone())]));
    view! {
        <h1 data-test="lock-name">{t_fill(Msg::LockedFor, vec![("name", me.display_name.clone())])}</h1>
        <p class="error" role="alert" data-test="lock-why">{t(why)}</p>
        <button type="button" class="button primary" data-test="lock-retry" on:click=move |_| auth.refresh()>
            {t(Msg::TryAgain)}
        </button>
        {leave_button(Msg::SomeoneElse)}
    }
}

/// Signed in with a one-time password: choose a password of their own (typed twice) before anything else opens.
#[component]
fn ChangePassword(me: Me) -> impl IntoView {
    use crate::components::form::{field_error, invalid, place_failure};
    use waymark_shared::admin::{Field, Problems, check_new_password};
    let auth = use_auth();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problems = RwSignal::new(Problems::new());
    let error = RwSignal::new(None::<Msg>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let found = check_new_password(&current.get_untracked(), &new.get_untracked(), &again.get_untracked());
        problems.set(found.clone());
        if !found.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            if let Err(e) = auth.change_password(current.get_untracked(), new.get_untracked()).await {
                let fields = [
                    (Field::NewPassword, Msg::PasswordTooShort),
                    (Field::CurrentPassword, Msg::PasswordCurrentMissing),
                ];
                if let Some(m) = place_failure(&e, problems, &fields) {
                    error.try_set(Some(m));
                }
            }
            busy.try_set(false);
        });
    };
    crate::a11y::screen_title(t(Msg::ChangePasswordTitle));
    view! {
        <h1>{t(Msg::ChangePasswordTitle)}</h1>
        <p class="greeting">{t_fill(Msg::HelloName, vec![("name", me.display_name.clone())])}</p>
        <p class="intro">{t(Msg::ChangePasswordIntro)}</p>
        <form on:submit=submit novalidate data-test="change-password-form">
            <label for="current-password">{t(Msg::PasswordCurrent)}</label>
            <input id="current-password" type="password" autocomplete="current-password" data-test="current-password"
                aria-describedby="current-password-error" aria-invalid=invalid(problems, Field::CurrentPassword)
                prop:value=current on:input=move |ev| current.set(event_target_value(&ev))/>
            {field_error(problems, Field::CurrentPassword, "current-password")}
            <label for="new-password">{t(Msg::PasswordNew)}</label>
            <input id="new-password" type="password" autocomplete="new-password" data-test="new-password"
                aria-describedby="new-password-error" aria-invalid=invalid(problems, Field::NewPassword)
                prop:value=new on:input=move |ev| new.set(event_target_value(&ev))/>
            {field_error(problems, Field::NewPassword, "new-password")}
            <label for="new-password-again">{t(Msg::PasswordNewAgain)}</label>
            <input id="new-password-again" type="password" autocomplete="new-password" data-test="new-password-again"
                aria-describedby="new-password-again-error" aria-invalid=invalid(problems, Field::NewPasswordAgain)
                prop:value=again on:input=move |ev| again.set(event_target_value(&ev))/>
            {field_error(problems, Field::NewPasswordAgain, "new-password-again")}
            {error_line(error)}
            <button type="submit" class="button primary" data-test="change-password-submit" disabled=move || busy.get()>
                {t(Msg::PasswordSave)}
            </button>
        </form>
        {leave_button(Msg::SignOut)}
    }
}
