//! Who is signed in on this device, the CSRF token the server expects back, and whether their records are open.
//!
//! The signed-in person (`Me`, no health data) is remembered on the device, so that with no network the app starts
//! as them, in offline mode. Their records on the device are encrypted ([`crate::local`]); they open only with
//! their data key, which this module gets from the server at an online sign-in, or from the device's copy wrapped by
//! their PIN. Until then, and whenever the device locks, [`Auth::me`] is `None` and [`Auth::screen`] says which lock
//! screen to show instead of the pages. Signing out forgets the person.

use crate::{
    client::{
        api,
        http::{self, Failure},
    },
    i18n::I18n,
    local::{self, keys},
};
use gloo_storage::{LocalStorage, Storage};
use leptos::{prelude::*, task::spawn_local, wasm_bindgen::JsCast};
use std::time::Duration;
use waymark_shared::{
    Lang, Msg, UserId,
    api::{
        AcceptInvitationRequest, DEFAULT_LOCK_AFTER_SECONDS, DeviceKeyRequest, ErrorCode, Me, SessionInfo,
        SetLanguageRequest, SignInRequest,
    },
};

#[derive(Clone, Debug, PartialEq)]
pub enum AuthState {
    /// Asking the server who we are.
    Checking,
    /// The server answered.
    Known(SessionInfo),
    /// The server could not be reached, and nobody is remembered on this device.
    Unreachable,
    /// The server could not be reached; this person signed in here before. Edits are saved here and wait.
    Offline(Me),
}

/// What the app shows: its pages, or a lock screen in front of them (no record and no other person's name shows).
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    /// The pages: the signed-in person's records are open, or nobody is signed in (the sign-in page).
    Pages,
    /// Finding out who this device is for, or opening their records.
    Opening,
    /// This person's PIN opens their records: at start (`idle` false), or after the device locked itself.
    AskPin { me: Me, idle: bool },
    /// First sign-in on this device: the person chooses the PIN that will open their records here.
    ChoosePin { me: Me },
    /// This person's records cannot be opened here now; `why` says what to do.
    CannotOpen { me: Me, why: Msg },
    /// Signed in with a one-time password: they choose their own before anything else.
    ChangePassword { me: Me },
}

/// Where the signed-in person is remembered (their account summary only; never health data). The only name kept
/// in localStorage: the lock screen's own person.
const REMEMBERED_ME: &str = "waymark.me";

/// Set when someone signed out with no network: the server session must still be ended, at the next chance,
/// before anyone else uses this tablet online.
const SIGN_OUT_PENDING: &str = "waymark.sign_out_pending";

/// How often the idle lock looks at the clock.
const IDLE_CHECK: Duration = Duration::from_secs(1);

fn remembered() -> Option<Me> {
    LocalStorage::get::<Me>(REMEMBERED_ME).ok()
}

fn now_ms() -> f64 {
    leptos::web_sys::js_sys::Date::now()
}

#[derive(Clone, Copy)]
pub struct Auth {
    pub state: RwSignal<AuthState>,
    /// What to show: the pages or a lock screen.
    pub screen: RwSignal<Screen>,
    /// Whose records are open on this device (their data key is in memory).
    open: RwSignal<Option<UserId>>,
    /// Said on the sign-in page: why the person's records were closed (the session ended, too many wrong PINs).
    pub notice: RwSignal<Option<Msg>>,
    i18n: I18n,
    /// A language picked on the sign-in page: it wins over the account's saved one, and is saved to it.
    picked_before_sign_in: RwSignal<Option<Lang>>,
    /// Easy read turned on or off on the sign-in page: like the language, it wins and is saved to the account.
    easy_before_sign_in: RwSignal<Option<bool>>,
    /// Bumped by every sign-in and sign-out, so the answer to a question asked before it (a slow `GET
    /// /api/session` from start-up) cannot overwrite what the sign-in or sign-out said.
    epoch: StoredValue<u64>,
    /// Seconds without a touch or a key before the device locks (the person's ward's setting).
    lock_after: StoredValue<u32>,
    /// When the person last touched the screen or typed (ms since the epoch).
    last_active: StoredValue<f64>,
}

impl Auth {
    pub fn start(i18n: I18n) -> Auth {
        let auth = Auth {
            state: RwSignal::new(AuthState::Checking),
            screen: RwSignal::new(Screen::Opening),
            open: RwSignal::new(None),
            notice: RwSignal::new(None),
            i18n,
            picked_before_sign_in: RwSignal::new(None),
            easy_before_sign_in: RwSignal::new(None),
            epoch: StoredValue::new(0),
            lock_after: StoredValue::new(DEFAULT_LOCK_AFTER_SECONDS),
            last_active: StoredValue::new(now_ms()),
        };
        // Someone who set a PIN here is asked for it at once, online or not: a reload never skips the lock.
        spawn_local(async move {
            match remembered() {
                Some(me) if keys::has_pin(&me.id).await => auth.screen.set(Screen::AskPin { me, idle: false }),
                Some(_) => {} // the session's answer decides (the server hands the key over, or sign in again)
                None => auth.screen.set(Screen::Pages),
            }
            auth.refresh();
        });
        // A request refused because the session ended on the server: find out, and close the records if so.
        http::on_not_signed_in(move || auth.refresh());
        auth.watch_idle();
        auth
    }

    /// Ask the server who is signed in.
    pub fn refresh(self) {
        let asked_at = self.epoch.get_value();
        spawn_local(async move {
            let answer = api::session().await;
            if self.epoch.get_value() != asked_at {
                return; // someone signed in or out meanwhile: their answer is newer
            }
            match answer {
                Ok(info) if LocalStorage::get::<bool>(SIGN_OUT_PENDING).unwrap_or(false) => {
                    // A sign-out made offline: finish it now, then ask again who (nobody) is signed in.
                    if info.user.is_some() {
                        let ended = api::sign_out(&info.csrf_token).await;
                        if matches!(ended, Err(Failure::Network)) {
                            self.state.set(AuthState::Unreachable);
                            self.settle();
                            return;
                        }
                    }
                    LocalStorage::delete(SIGN_OUT_PENDING);
                    self.refresh();
                }
                Ok(info) => {
                    self.before_closing(&info).await;
                    if self.epoch.get_value() != asked_at {
                        return;
                    }
                    self.accept(info);
                    self.settle();
                }
                Err(Failure::Network) => {
                    match remembered() {
                        Some(me) => self.state.set(AuthState::Offline(me)),
                        None => self.state.set(AuthState::Unreachable),
                    }
                    self.settle();
                }
                Err(_) => {
                    if self.me_untracked().is_some() {
                        leave_pages().await;
                    }
                    self.state.set(AuthState::Unreachable);
                    self.settle();
                }
            }
        });
    }

    /// Ask the server again for the session's CSRF token (after coming back online, or when one was refused).
    /// `None` if the server can't be reached or the session has ended (then the records close and the sign-in
    /// page shows).
    pub async fn fresh_token(self) -> Option<String> {
        let info = api::session().await.ok()?;
        let token = info.csrf_token.clone();
        let signed_in = info.user.is_some();
        self.before_closing(&info).await;
        self.accept(info);
        self.settle();
        signed_in.then_some(token)
    }

    fn accept(self, mut info: SessionInfo) {
        let mut save = SetLanguageRequest::default();
        if let Some(me) = info.user.as_mut() {
            match self.picked_before_sign_in.get_untracked() {
                Some(lang) if lang != me.language => {
                    me.language = lang;
                    save.language = Some(lang);
                }
                _ => self.i18n.set(me.language),
            }
            self.picked_before_sign_in.set(None);
            match self.easy_before_sign_in.get_untracked() {
                Some(on) if on != me.easy_read => {
                    me.easy_read = on;
                    save.easy_read = Some(on);
                }
                _ => self.i18n.set_easy_read(me.easy_read),
            }
            self.easy_before_sign_in.set(None);
        }
        match &info.user {
            Some(me) => {
                let _ = LocalStorage::set(REMEMBERED_ME, me);
            }
            None => LocalStorage::delete(REMEMBERED_ME),
        }
        self.state.set(AuthState::Known(info));
        self.save_choices(save);
    }

    /// If this answer will close the open records (the session ended, or is someone else's), first let the page
    /// save what is being typed.
    async fn before_closing(self, info: &SessionInfo) {
        if let Some(me) = self.me_untracked()
            && info.user.as_ref().map(|u| &u.id) != Some(&me.id)
        {
            leave_pages().await;
        }
    }

    /// After an answer about the session (not a sign-in): decide what the device shows.
    fn settle(self) {
        let open = self.open.get_untracked();
        let screen = self.screen.get_untracked();
        match self.state.get_untracked() {
            AuthState::Known(SessionInfo { user: Some(me), .. }) => {
                if open.as_ref() == Some(&me.id) {
                    return;
                }
                match screen {
                    // The PIN is still wanted (a reload, or the idle lock), whatever the session says.
                    Screen::AskPin { me: ref asked, .. }
                    | Screen::ChoosePin { me: ref asked }
                    | Screen::ChangePassword { me: ref asked }
                        if asked.id == me.id => {}
                    _ => {
                        self.close_records();
                        spawn_local(self.hand_over(me, false));
                    }
                }
            }
            AuthState::Known(SessionInfo { user: None, .. }) => {
                // The session ended on the server (or nobody was signed in): the records close.
                let someone = open.is_some() || !matches!(screen, Screen::Pages | Screen::Opening);
                self.close_records();
                self.screen.set(Screen::Pages);
                if someone && self.notice.get_untracked().is_none() {
                    self.notice.set(Some(Msg::LockSessionEnded));
                }
            }
            AuthState::Offline(me) => {
                if open.as_ref() == Some(&me.id) || matches!(screen, Screen::AskPin { .. }) {
                    return;
                }
                self.close_records();
                self.screen.set(Screen::CannotOpen { me, why: Msg::LockNeedsNetwork });
            }
            AuthState::Unreachable => {
                if !matches!(screen, Screen::AskPin { .. }) {
                    self.close_records();
                    self.screen.set(Screen::Pages);
                }
            }
            AuthState::Checking => {}
        }
    }

    /// Get this person's data key from the server and open their records (asking them to choose a PIN first if
    /// this device has none for them). `quietly`: the page asking (sign-in) stays until then.
    async fn hand_over(self, me: Me, quietly: bool) {
        if me.must_change_password {
            return self.screen.set(Screen::ChangePassword { me });
        }
        if !quietly {
            self.screen.set(Screen::Opening);
        }
        let token = self.csrf_token().unwrap_or_default();
        let answer = match keys::device_id().await {
            Ok(device) => api::device_key(&token, &DeviceKeyRequest { device }).await,
            Err(e) => {
                leptos::logging::error!("this device's keys could not be read: {e}");
                Err(Failure::Unexpected)
            }
        };
        if self.state.with_untracked(|s| me_of(s).map(|m| m.id)) != Some(me.id.clone()) {
            return; // someone else signed in meanwhile
        }
        let key = match answer {
            Ok(key) => key,
            Err(Failure::Api(e)) if e.code == ErrorCode::NotSignedIn => return self.refresh(),
            Err(Failure::Api(e)) if e.code == ErrorCode::RecordExists => {
                return self.screen.set(Screen::CannotOpen { me, why: Msg::LockTooManyDevices });
            }
            Err(Failure::Network) if keys::has_pin(&me.id).await => {
                return self.screen.set(Screen::AskPin { me, idle: false });
            }
            Err(Failure::Network) => return self.screen.set(Screen::CannotOpen { me, why: Msg::LockNeedsNetwork }),
            Err(e) => {
                leptos::logging::warn!("the device key was not handed over: {e:?}");
                return self.screen.set(Screen::CannotOpen { me, why: Msg::LockCannotOpen });
            }
        };
        let Some(raw) = unhex(&key.key) else {
            return self.screen.set(Screen::CannotOpen { me, why: Msg::LockCannotOpen });
        };
        self.lock_after.set_value(key.lock_after_seconds);
        if keys::has_pin(&me.id).await {
            keys::set_lock_after(&me.id, key.lock_after_seconds).await;
            match keys::open_with(&me.id, &raw).await {
                Ok(()) => self.opened(me.id),
                Err(e) => {
                    leptos::logging::error!("the data key could not be used: {e}");
                    self.screen.set(Screen::CannotOpen { me, why: Msg::LockCannotOpen });
                }
            }
        } else {
            keys::hold_new(&me.id, raw);
            self.screen.set(Screen::ChoosePin { me });
        }
    }

    /// The person's records are open: show the pages.
    fn opened(self, user: UserId) {
        self.last_active.set_value(now_ms());
        self.notice.set(None);
        self.open.set(Some(user));
        self.screen.set(Screen::Pages);
    }

    /// Forget the data key: the records close (the sync engine closes the store when [`Auth::me`] becomes `None`).
    fn close_records(self) {
        keys::forget();
        if self.open.get_untracked().is_some() {
            self.open.set(None);
        }
    }

    /// The person chose their PIN (typed twice). `Err` says what is wrong with it.
    pub async fn choose_pin(self, pin: String, again: String) -> Result<(), Msg> {
        let Screen::ChoosePin { me } = self.screen.get_untracked() else { return Ok(()) };
        keys::check_new_pin(&pin, &again).map_err(|problem| match problem {
            keys::PinProblem::Shape => Msg::PinShape,
            keys::PinProblem::TooEasy => Msg::PinTooEasy,
            keys::PinProblem::Different => Msg::PinDifferent,
        })?;
        match keys::choose_pin(&me.id, &pin, self.lock_after.get_value()).await {
            Ok(()) => {
                self.opened(me.id);
                Ok(())
            }
            Err(e) => {
                leptos::logging::error!("the PIN could not be saved: {e}");
                Err(Msg::LockCannotOpen)
            }
        }
    }

    /// Open the records with the PIN. `Err` says why not (a wrong PIN and how many tries are left).
    pub async fn unlock(self, pin: String) -> Result<(), Msg> {
        let Screen::AskPin { me, idle } = self.screen.get_untracked() else { return Ok(()) };
        match keys::unlock(&me.id, &pin).await {
            Ok(lock_after) => {
                self.lock_after.set_value(lock_after);
                self.opened(me.id);
                if idle {
                    // Is the session still there after the pause? If it ended, the records close again.
                    self.refresh();
                }
                Ok(())
            }
            Err(keys::Unlock::Wrong { left: 1 }) => Err(Msg::PinWrongLastTry),
            Err(keys::Unlock::Wrong { .. }) => Err(Msg::PinWrong),
            Err(keys::Unlock::TooMany) => {
                self.end_session(false).await;
                self.notice.set(Some(Msg::LockTooManyTries));
                Ok(())
            }
            Err(keys::Unlock::NoPin) => {
                match self.state.get_untracked() {
                    AuthState::Known(SessionInfo { user: Some(m), .. }) if m.id == me.id => {
                        spawn_local(self.hand_over(m, false));
                    }
                    _ => self.screen.set(Screen::CannotOpen { me, why: Msg::LockNeedsNetwork }),
                }
                Ok(())
            }
            Err(keys::Unlock::Failed(e)) => {
                leptos::logging::error!("the PIN could not be checked: {e}");
                Err(Msg::LockCannotOpen)
            }
        }
    }

    /// Lock the device now: what is being typed is saved, the records close and the PIN is asked for.
    pub fn lock(self) {
        if self.me_untracked().is_none() {
            return;
        }
        spawn_local(async move {
            leave_pages().await;
            let Some(me) = self.me_untracked() else { return };
            self.close_records();
            self.screen.set(Screen::AskPin { me, idle: true });
        });
    }

    /// Lock after the ward's time with no touch and no key pressed.
    fn watch_idle(self) {
        let active = move || self.last_active.set_value(now_ms());
        for name in ["pointerdown", "keydown", "input", "wheel", "touchstart"] {
            let _ = window_event_listener_untyped(name, move |_| active());
        }
        let check = move || {
            let idle_ms = now_ms() - self.last_active.get_value();
            if self.open.get_untracked().is_some() && idle_ms >= f64::from(self.lock_after.get_value()) * 1000.0 {
                self.lock();
            }
        };
        set_interval(check, IDLE_CHECK);
        // Coming back to a tablet whose screen was off: look at once, before anything shows.
        let _ = window_event_listener_untyped("visibilitychange", move |_| check());
    }

    /// "Someone else": the person at the lock screen is signed out. Their store stays (encrypted) if anything in it
    /// waits to sync; otherwise it is deleted, as at any sign-out.
    pub async fn someone_else(self) {
        let me = match self.screen.get_untracked() {
            Screen::AskPin { me, .. } | Screen::ChoosePin { me } | Screen::CannotOpen { me, .. } => Some(me),
            _ => self.state.with_untracked(me_of),
        };
        // Their store is closed while the lock screen shows: count what waits in it (no key needed), and delete it
        // before the sign-in page shows if nothing does.
        if let Some(me) = me
            && matches!(local::waiting(&me.id).await, Ok(0))
            && let Err(e) = local::delete(&me.id).await
        {
            leptos::logging::warn!("could not remove this person's data from the tablet: {e}");
        }
        self.end_session(true).await;
    }

    pub fn me(self) -> Option<Me> {
        let open = self.open.get();
        self.state.with(me_of).filter(|me| open.as_ref() == Some(&me.id))
    }

    pub fn me_untracked(self) -> Option<Me> {
        let open = self.open.get_untracked();
        self.state.with_untracked(me_of).filter(|me| open.as_ref() == Some(&me.id))
    }

    pub fn csrf_token(self) -> Option<String> {
        match self.state.get_untracked() {
            AuthState::Known(info) => Some(info.csrf_token),
            _ => None,
        }
    }

    /// Sign in. Works even when the start-up question "who is signed in?" has not been answered yet (a slow
    /// network, a busy tablet): see [`Auth::signing_in`].
    pub async fn sign_in(self, username: String, password: String) -> Result<Me, Failure> {
        let body = SignInRequest { username, password };
        self.signing_in(move |token| {
            let body = body.clone();
            async move { api::sign_in(&token, &body).await }
        })
        .await
    }

    /// Make a carer account with an invitation code, and sign in with it.
    pub async fn join(self, request: AcceptInvitationRequest) -> Result<Me, Failure> {
        self.signing_in(move |token| {
            let request = request.clone();
            async move { api::accept_invitation(&token, &request).await }
        })
        .await
    }

    /// POST something that signs in, then get the person's data key for this device. The CSRF token is asked for
    /// first when it is not known yet, and asked for again once if the one used was replaced meanwhile.
    async fn signing_in<F, Fut>(self, send: F) -> Result<Me, Failure>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<SessionInfo, Failure>>,
    {
        // The start-up question is still out (a slow network): wait for its answer rather than ask again, so the
        // two answers cannot hand the browser two different anonymous sessions.
        for _ in 0..200 {
            if !matches!(self.state.get_untracked(), AuthState::Checking) {
                break;
            }
            crate::sync::timer::sleep(Duration::from_millis(50)).await;
        }
        let mut token = match self.csrf_token() {
            Some(token) => token,
            None => api::session().await?.csrf_token,
        };
        let mut tries = 0;
        let info: SessionInfo = loop {
            tries += 1;
            match send(token.clone()).await {
                Err(Failure::Api(e)) if e.code == ErrorCode::CsrfRejected && tries < 3 => {
                    token = api::session().await?.csrf_token;
                }
                other => break other?,
            }
        };
        let me = info.user.clone().ok_or(Failure::Unexpected)?;
        self.epoch.update_value(|e| *e += 1);
        self.close_records();
        self.notice.set(None);
        self.accept(info);
        self.hand_over(me.clone(), true).await;
        Ok(me)
    }

    /// Replace a one-time password with the person's own, then open their records.
    pub async fn change_password(self, current_password: String, new_password: String) -> Result<(), Failure> {
        let token = self.csrf_token().unwrap_or_default();
        let body = waymark_shared::api::ChangePasswordRequest { current_password, new_password };
        let info = api::change_password(&token, &body).await?;
        let me = info.user.clone().ok_or(Failure::Unexpected)?;
        self.accept(info);
        self.hand_over(me, false).await;
        Ok(())
    }

    pub async fn sign_out(self) {
        self.end_session(true).await;
    }

    /// Close the records, forget the person on this device and end their server session (at the next chance, if
    /// there is no network now). With `forget_notice`, nothing is said on the sign-in page.
    async fn end_session(self, forget_notice: bool) {
        let token = self.csrf_token().unwrap_or_default();
        // The server session ends first, so that nothing shown afterwards (the sign-in page) can still use it.
        let ended = match self.state.get_untracked() {
            AuthState::Known(SessionInfo { user: Some(_), .. }) => api::sign_out(&token).await,
            _ => Err(Failure::Network),
        };
        if matches!(ended, Err(Failure::Network)) {
            let _ = LocalStorage::set(SIGN_OUT_PENDING, true);
        }
        self.close_records();
        self.screen.set(Screen::Pages);
        if forget_notice {
            self.notice.set(None);
        }
        LocalStorage::delete(REMEMBERED_ME);
        self.epoch.update_value(|e| *e += 1);
        self.state.set(AuthState::Checking);
        self.refresh();
    }

    /// Change language here and, when signed in, on the account.
    pub fn choose_language(self, lang: Lang) {
        self.i18n.set(lang);
        match self.state.get_untracked() {
            AuthState::Known(mut info) if info.user.is_some() => {
                if let Some(me) = info.user.as_mut() {
                    me.language = lang;
                }
                self.state.set(AuthState::Known(info));
                self.save_choices(SetLanguageRequest { language: Some(lang), easy_read: None });
            }
            _ => self.picked_before_sign_in.set(Some(lang)),
        }
    }

    /// Easy read on or off: on this device at once, and on the account when signed in (like the language).
    pub fn choose_easy_read(self, on: bool) {
        self.i18n.set_easy_read(on);
        match self.state.get_untracked() {
            AuthState::Known(mut info) if info.user.is_some() => {
                if let Some(me) = info.user.as_mut() {
                    me.easy_read = on;
                }
                self.state.set(AuthState::Known(info));
                self.save_choices(SetLanguageRequest { language: None, easy_read: Some(on) });
            }
            _ => self.easy_before_sign_in.set(Some(on)),
        }
    }

    fn save_choices(self, body: SetLanguageRequest) {
        if body.language.is_none() && body.easy_read.is_none() {
            return;
        }
        let Some(token) = self.csrf_token() else { return };
        spawn_local(async move {
            if let Err(e) = api::set_language(&token, &body).await {
                leptos::logging::warn!("could not save the language or easy-read choice: {e:?}");
            }
        });
    }
}

/// Before the pages are taken away: take the focus from whatever has it, so a field being typed in saves itself
/// while it is still on the page, and wait for that (and every other) local write to finish.
async fn leave_pages() {
    if let Some(active) = document().active_element()
        && let Ok(blur) = leptos::web_sys::js_sys::Reflect::get(&active, &"blur".into())
        && let Ok(blur) = blur.dyn_into::<leptos::web_sys::js_sys::Function>()
    {
        let _ = blur.call0(&active);
    }
    // The field's save starts in a task of its own: let it begin before waiting for the writes.
    crate::sync::timer::sleep(Duration::ZERO).await;
    local::writes_settled().await;
}

fn me_of(state: &AuthState) -> Option<Me> {
    match state {
        AuthState::Known(SessionInfo { user, .. }) => user.clone(),
        AuthState::Offline(me) => Some(me.clone()),
        AuthState::Checking | AuthState::Unreachable => None,
    }
}

/// Bytes from lowercase or uppercase hex.
fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
