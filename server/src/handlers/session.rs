//! Sign in, see who is signed in, sign out.

use super::json::ApiJson;
use crate::{
    auth::{
        ClientAddr, csrf, current_user,
        password::Admission,
        session_keys, session_life,
        throttle::{self, CHECK_UNDER_WAY_MS},
    },
    error::{AppError, AppResult},
    state::AppState,
    store::{FailureRecord, UserRow, now_ms},
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use std::time::Duration;
use tower_sessions::Session;
use waymark_shared::{
    api::{Me, SessionInfo, SignInRequest, WardSummary},
    validation::{check_password_input, normalise_username},
};

pub fn me_of(user: &UserRow) -> Me {
    Me {
        id: user.id.clone(),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        language: user.language,
        easy_read: user.easy_read,
        ward: match (&user.ward_id, &user.ward_name) {
            (Some(id), Some(name)) => Some(WardSummary { id: id.clone(), name: name.clone() }),
            _ => None,
        },
        must_change_password: user.must_change_password,
    }
}

/// `GET /api/session`: who is signed in (if anyone), and a CSRF token for the next state-changing request.
/// Signed out, this writes nothing: the token is bound to a cookie (set here when missing) and stored nowhere.
pub async fn current(State(state): State<AppState>, session: Session, headers: HeaderMap) -> AppResult<Response> {
    // (A session whose account is gone, switched off or whose sessions were ended is ended here.)
    if let Some(user) = current_user::session_user(&state, &session).await? {
        let csrf_token = match session.get::<String>(session_keys::CSRF_TOKEN).await? {
            Some(token) => token,
            None => {
                let token = crate::auth::new_token();
                session.insert(session_keys::CSRF_TOKEN, &token).await?;
                token
            }
        };
        let mut me = me_of(&user);
        me.must_change_password = current_user::must_change_password(&user, &session).await?;
        return Ok(Json(SessionInfo { user: Some(me), csrf_token }).into_response());
    }
    let (nonce, fresh) = match csrf::signed_out_nonce(&headers) {
        Some(nonce) => (nonce, false),
        None => (csrf::new_nonce(), true),
    };
    let csrf_token = state.auth.csrf_key(&state.config, &state.store).await?.token_for(&nonce);
    let mut res = Json(SessionInfo { user: None, csrf_token }).into_response();
    if fresh {
        res.headers_mut().append(header::SET_COOKIE, csrf::signed_out_cookie(&nonce, state.config.secure_cookies));
    }
    Ok(res)
}

/// `POST /api/session`: sign in.
///
/// In order: the input is checked; a place to hash is taken (or 503 at once); the client address must not be
/// locked; the username must not be locked and gets its turn (waiting while its failures plus the checks under way
/// reach the limit); then the password is checked, and the outcome recorded.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    session: Session,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SignInRequest>,
) -> AppResult<Response> {
    let username = normalise_username(&req.username).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    check_password_input(&req.password).map_err(|e| AppError::InvalidInput(e.to_string()))?;

    let admission = state.auth.hashing.admit()?;
    refuse_if_address_locked(&state, &address).await?;
    let check = wait_for_turn(&state, &username, &admission).await?;

    let user = match state.store.user_by_username(&username).await {
        Ok(user) => user,
        Err(e) => {
            check.end(&state, Outcome::Abandoned).await;
            return Err(e.into());
        }
    };
    let ok = match admission.verify(req.password, user.as_ref().map(|u| u.password_hash.clone())).await {
        Ok(ok) => ok,
        Err(e) => {
            check.end(&state, Outcome::Abandoned).await;
            return Err(e);
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        check.end(&state, Outcome::Failed).await;
        record_address_failure(&state, &address).await?;
        tracing::info!(%username, %address, "sign-in failed");
        return Err(AppError::BadCredentials);
    };
    check.end(&state, Outcome::Succeeded).await;
    if !user.active {
        tracing::info!(user = %user.id, "sign-in refused: the account is switched off");
        return Err(AppError::AccountDeactivated);
    }

    let csrf_token = session_life::start(&session, &state.config, &user.id).await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "signed in");
    Ok(signed_in_response(&state, &headers, SessionInfo { user: Some(me_of(&user)), csrf_token }))
}

/// The answer to a sign-in (or a join): who is signed in now, and the signed-out cookie removed.
pub fn signed_in_response(state: &AppState, headers: &HeaderMap, info: SessionInfo) -> Response {
    let mut res = Json(info).into_response();
    if csrf::signed_out_nonce(headers).is_some() {
        res.headers_mut().append(header::SET_COOKIE, csrf::remove_signed_out_cookie(state.config.secure_cookies));
    }
    res
}

/// 429 when too many sign-ins or joins failed from this client address lately.
pub async fn refuse_if_address_locked(state: &AppState, address: &str) -> AppResult<()> {
    let record = state.store.address_failures(address).await?;
    if let Some(retry_after_secs) = throttle::locked_for_secs(record, now_ms()) {
        tracing::warn!(%address, "sign-in refused: this client address is throttled");
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }
    Ok(())
}

/// Count a failed sign-in or join against the client address.
pub async fn record_address_failure(state: &AppState, address: &str) -> AppResult<()> {
    let now = now_ms();
    let max = state.config.sign_in_failures_per_address;
    state.store.record_address_failure(address, |r| throttle::after_address_failure(r, now, max)).await?;
    Ok(())
}

/// Wait until a password check for `username` may start (see [`throttle::may_check`]) and start it; 429 when the
/// username is locked, 503 when the turn does not come before the admission's deadline.
async fn wait_for_turn(state: &AppState, username: &str, admission: &Admission) -> AppResult<CheckUnderWay> {
    loop {
        // Ask to be told of the next check that ends before looking, so that one ending meanwhile is not missed.
        let ended = state.auth.check_ended.notified();
        let now = now_ms();
        let (record, started) = state
            .store
            .start_sign_in_check(username, now, CHECK_UNDER_WAY_MS, |r, under_way| {
                throttle::may_check(r, under_way, now)
            })
            .await?;
        if started {
            return Ok(CheckUnderWay { username: Some(username.to_owned()), state: state.clone() });
        }
        if let Some(retry_after_secs) = throttle::locked_for_secs(record, now) {
            tracing::warn!(%username, "sign-in refused: throttled");
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
        // Checks under way for this username (here, or on another instance: so look again now and then).
        let wait = tokio::time::timeout(Duration::from_millis(250), ended);
        if tokio::time::timeout_at(admission.deadline, wait).await.is_err() {
            tracing::warn!(%username, "sign-in refused: waited too long for a turn");
            return Err(AppError::Busy { retry_after_secs: crate::auth::password::BUSY_RETRY_AFTER_SECS });
        }
    }
}

enum Outcome {
    Succeeded,
    Failed,
    /// Nothing was learnt about the password (an error on the way).
    Abandoned,
}

/// A password check under way for a username. Ended with [`CheckUnderWay::end`]; if the request is dropped first (the
/// client went away), it is ended as abandoned in the background.
struct CheckUnderWay {
    username: Option<String>,
    state: AppState,
}

impl CheckUnderWay {
    async fn end(mut self, state: &AppState, outcome: Outcome) {
        let Some(username) = self.username.take() else { return };
        end_check(state, &username, outcome).await;
    }
}

impl Drop for CheckUnderWay {
    fn drop(&mut self) {
        if let Some(username) = self.username.take() {
            let state = self.state.clone();
            tokio::spawn(async move { end_check(&state, &username, Outcome::Abandoned).await });
        }
    }
}

async fn end_check(state: &AppState, username: &str, outcome: Outcome) {
    let now = now_ms();
    let next = move |r: Option<FailureRecord>| match outcome {
        Outcome::Succeeded => None,
        Outcome::Failed => Some(throttle::after_failure(r, now)),
        Outcome::Abandoned => r,
    };
    if let Err(e) = state.store.end_sign_in_check(username, next).await {
        tracing::error!(error = %e, %username, "could not record the end of a password check");
    }
    state.auth.check_ended.notify_waiters();
}

/// `DELETE /api/session`: sign out, ending the session on the server.
pub async fn sign_out(State(state): State<AppState>, session: Session) -> AppResult<StatusCode> {
    // Live streams of this session end at once here, and within a second on other instances.
    if let Some(id) = session.id() {
        let id = id.to_string();
        state.store.record_session_end(&id).await?;
        state.live.end_session(&crate::store::session_hash(&id));
    }
    session.flush().await?;
    Ok(StatusCode::NO_CONTENT)
}
