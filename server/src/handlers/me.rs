use super::json::ApiJson;
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use waymark_shared::api::SetLanguageRequest;

/// `PUT /api/me/language`: remember the language this person uses, and whether they read in easy read.
pub async fn set_language(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<SetLanguageRequest>,
) -> AppResult<StatusCode> {
    if req.language.is_none() && req.easy_read.is_none() {
        return Err(AppError::InvalidBody("give language, easy_read or both".into()));
    }
    if let Some(language) = req.language {
        state.store.set_language(&user.id, language).await?;
    }
    if let Some(on) = req.easy_read {
        state.store.set_easy_read(&user.id, on).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/me/password`: choose a new password (the one thing a session on a one-time password may do). The
/// current password is checked like a sign-in's (hashing bounded); the new one must be new, at least 10
/// characters, typed twice in the app. Every other session of the account ends; this one carries on under a new id.
pub async fn change_password(
    State(state): State<AppState>,
    crate::auth::SignedIn(user, session): crate::auth::SignedIn,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<waymark_shared::api::ChangePasswordRequest>,
) -> crate::error::AppResult<axum::response::Response> {
    use crate::{
        auth::session_life,
        error::AppError,
        handlers::session::{me_of, signed_in_response},
    };
    use waymark_shared::{admin, api::SessionInfo, validation::check_password_input};
    check_password_input(&req.current_password)
        .map_err(|e| AppError::InvalidInput(format!("current_password: {e}")))?;
    // The app checks the second typing; here the same rule with the new password typed once.
    super::admin::refuse(admin::check_new_password(&req.current_password, &req.new_password, &req.new_password))?;
    let ok = state.auth.hashing.admit()?.verify(req.current_password, Some(user.password_hash.clone())).await?;
    if !ok {
        tracing::info!(user = %user.id, "password change refused: the current password is not right");
        return Err(AppError::BadCredentials);
    }
    let hash = state.auth.hashing.admit()?.hash(req.new_password).await?;
    let keep = session.id().map(|id| id.to_string()).unwrap_or_default();
    let touched = state.store.change_password(&user.id, &hash, &keep).await?;
    for h in &touched.ended_sessions {
        state.live.end_session(h);
    }
    let csrf_token = session_life::start(&session, &state.config, &user.id).await?;
    let user = state.store.user_by_id(&user.id).await?.ok_or(AppError::NotSignedIn)?;
    tracing::info!(user = %user.id, "password changed");
    Ok(signed_in_response(&state, &headers, SessionInfo { user: Some(me_of(&user)), csrf_token }))
}
