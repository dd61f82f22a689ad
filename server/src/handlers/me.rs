use super::json::ApiJson;
use crate::{auth::CurrentUser, error::AppResult, state::AppState};
use axum::{extract::State, http::StatusCode};
use waymark_shared::api::SetLanguageRequest;

/// `PUT /api/me/language`: remember the language this person uses.
pub async fn set_language(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<SetLanguageRequest>,
) -> AppResult<StatusCode> {
    state.store.set_language(&user.id, req.language).await?;
    Ok(StatusCode::NO_CONTENT)
}
