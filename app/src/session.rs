//! Who is signed in on this device, and the CSRF token the server expects back.
//!
//! The signed-in person (`Me`, no health data) is remembered on the device, so that with no network the app starts
//! signed in, in offline mode: the local store works and sync waits for the network. Signing out forgets it.

use crate::{
    client::{api, http::Failure},
    i18n::I18n,
};
use gloo_storage::{LocalStorage, Storage};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Lang,
    api::{AcceptInvitationRequest, ErrorCode, Me, SessionInfo, SetLanguageRequest, SignInRequest},
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

/// Where the signed-in person is remembered (their account summary only; never health data).
const REMEMBERED_ME: &str = "waymark.me";

/// Set when someone signed out with no network: the server session must still be ended, at the next chance,
/// before anyone else uses this tablet online.
const SIGN_OUT_PENDING: &str = "waymark.sign_out_pending";

fn remembered() -> Option<Me> {
    LocalStorage::get::<Me>(REMEMBERED_ME).ok()
}

#[derive(Clone, Copy)]
pub struct Auth {
    pub state: RwSignal<AuthState>,
    i18n: I18n,
    /// A language picked on the sign-in page: it wins over the account's saved one, and is saved to it.
    picked_before_sign_in: RwSignal<Option<Lang>>,
    /// Bumped by every sign-in and sign-out, so the answer to a question asked before it (a slow `GET
    /// /api/session` from start-up) cannot overwrite what the sign-in or sign-out said.
    epoch: StoredValue<u64>,
}

impl Auth {
    pub fn start(i18n: I18n) -> Auth {
        let auth = Auth { state: RwSignal::new(AuthState::Checking), i18n, picked_before_sign_in: RwSignal::new(None), epoch: StoredValue::new(0) };
        auth.refresh();
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
                            return;
                        }
                    }
                    LocalStorage::delete(SIGN_OUT_PENDING);
                    self.refresh();
                }
                Ok(info) => self.accept(info),
                Err(Failure::Network) => match remembered() {
                    Some(me) => self.state.set(AuthState::Offline(me)),
                    None => self.state.set(AuthState::Unreachable),
                },
                Err(_) => self.state.set(AuthState::Unreachable),
            }
        });
    }

    /// Ask the server again for the session's CSRF token (after coming back online, or when one was refused).
    /// `None` if the server can't be reached or the session has ended (then the sign-in page shows).
    pub async fn fresh_token(self) -> Option<String> {
        let info = api::session().await.ok()?;
        let token = info.csrf_token.clone();
        let signed_in = info.user.is_some();
        self.accept(info);
        signed_in.then_some(token)
    }

    fn accept(self, mut info: SessionInfo) {
        let mut save = None;
        if let Some(me) = info.user.as_mut() {
            match self.picked_before_sign_in.get_untracked() {
                Some(lang) if lang != me.language => {
                    me.language = lang;
                    save = Some(lang);
                }
                _ => self.i18n.set(me.language),
            }
            self.picked_before_sign_in.set(None);
        }
        match &info.user {
            Some(me) => {
                let _ = LocalStorage::set(REMEMBERED_ME, me);
            }
            None => LocalStorage::delete(REMEMBERED_ME),
        }
        self.state.set(AuthState::Known(info));
        self.save_language(save);
    }

    pub fn me(self) -> Option<Me> {
        self.state.with(me_of)
    }

    pub fn me_untracked(self) -> Option<Me> {
        self.state.with_untracked(me_of)
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

    /// POST something that signs in. The CSRF token is asked for first when it is not known yet, and asked for
    /// again once if the one used was replaced meanwhile.
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
            crate::sync::timer::sleep(std::time::Duration::from_millis(50)).await;
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
        self.accept(info);
        Ok(me)
    }

    pub async fn sign_out(self) {
        let token = self.csrf_token().unwrap_or_default();
        let ended = match self.state.get_untracked() {
            AuthState::Known(_) => api::sign_out(&token).await,
            _ => Err(Failure::Network),
        };
        if matches!(ended, Err(Failure::Network)) {
            let _ = LocalStorage::set(SIGN_OUT_PENDING, true);
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
                self.save_language(Some(lang));
            }
            _ => self.picked_before_sign_in.set(Some(lang)),
        }
    }

    fn save_language(self, lang: Option<Lang>) {
        let (Some(lang), Some(token)) = (lang, self.csrf_token()) else { return };
        spawn_local(async move {
            let body = SetLanguageRequest { language: lang };
            if let Err(e) = api::set_language(&token, &body).await {
                leptos::logging::warn!("could not save the language choice: {e:?}");
            }
        });
    }
}

fn me_of(state: &AuthState) -> Option<Me> {
    match state {
        AuthState::Known(SessionInfo { user, .. }) => user.clone(),
        AuthState::Offline(me) => Some(me.clone()),
        AuthState::Checking | AuthState::Unreachable => None,
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
