//! Sign in, see who is signed in, sign out.

use super::json::ApiJson;
use crate::{
    auth::{new_token, password, session_keys, throttle},
    error::{AppError, AppResult},
    state::AppState,
    store::{UserRow, now_ms},
};
use axum::{Json, extract::State, http::StatusCode};
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
        ward: match (&user.ward_id, &user.ward_name) {
            (Some(id), Some(name)) => Some(WardSummary { id: id.clone(), name: name.clone() }),
            _ => None,
        },
    }
}

async fn csrf_token(session: &Session) -> AppResult<String> {
    if let Some(token) = session.get::<String>(session_keys::CSRF_TOKEN).await? {
        return Ok(token);
    }
    let token = new_token();
    session.insert(session_keys::CSRF_TOKEN, &token).await?;
    Ok(token)
}

/// `GET /api/session`: who is signed in (if anyone), and a CSRF token for the next state-changing request.
pub async fn current(State(state): State<AppState>, session: Session) -> AppResult<Json<SessionInfo>> {
    let csrf_token = csrf_token(&session).await?;
    let user = match session.get::<String>(session_keys::USER_ID).await? {
        Some(id) => state.store.user_by_id(&waymark_shared::UserId(id)).await?,
        None => None,
    };
    Ok(Json(SessionInfo { user: user.as_ref().map(me_of), csrf_token }))
}

/// `POST /api/session`: sign in.
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<SignInRequest>,
) -> AppResult<Json<SessionInfo>> {
    let username = normalise_username(&req.username).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    check_password_input(&req.password).map_err(|e| AppError::InvalidInput(e.to_string()))?;

    // Count this attempt as a failure *before* checking the password, in one transaction with the lock check, so a
    // burst of simultaneous guesses cannot all slip in before any of them is counted. Success clears the count.
    let now = now_ms();
    let mut locked = None;
    let record = state
        .store
        .record_sign_in_failure(&username, |r| match (throttle::locked_for_secs(r, now), r) {
            (Some(secs), Some(r)) => {
                locked = Some(secs);
                r
            }
            _ => throttle::after_failure(r, now),
        })
        .await?;
    if let Some(retry_after_secs) = locked {
        tracing::warn!(%username, "sign-in refused: throttled");
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }

    let user = state.store.user_by_username(&username).await?;
    let ok = password::verify(req.password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(%username, locked = record.locked_until > now, "sign-in failed");
        return Err(AppError::BadCredentials);
    };

    state.store.clear_sign_in_failures(&username).await?;
    // A new session id at sign-in, so an id planted before sign-in is worth nothing after it.
    session.cycle_id().await?;
    session.insert(session_keys::USER_ID, &user.id.0).await?;
    let csrf_token = new_token();
    session.insert(session_keys::CSRF_TOKEN, &csrf_token).await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "signed in");
    Ok(Json(SessionInfo { user: Some(me_of(&user)), csrf_token }))
}

/// `DELETE /api/session`: sign out, ending the session on the server.
pub async fn sign_out(session: Session) -> AppResult<StatusCode> {
    session.flush().await?;
    Ok(StatusCode::NO_CONTENT)
}
