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
        return Err(AppError::InvalidBody(
            "give language, easy_read or both".into(),
        ));
    }
    if let Some(language) = req.language {
        state.store.set_language(&user.id, language).await?;
    }
    if let Some(on) = req.easy_read {
        state.store.set_easy_read(&user.id, on).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
