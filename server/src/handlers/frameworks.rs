//! Outcome frameworks: everyone signed in reads them (the app keeps a copy for offline use); ward managers and
//! admins save custom ones and new versions.

use super::json::ApiJson;
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    store::{SaveFrameworkError, UserRow},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use waymark_shared::{
    Role,
    api::{FrameworksResponse, SaveFrameworkRequest},
    outcomes::{Framework, FrameworkId},
};

impl From<SaveFrameworkError> for AppError {
    fn from(e: SaveFrameworkError) -> AppError {
        match e {
            SaveFrameworkError::Invalid(e) => AppError::InvalidInput(e.to_string()),
            SaveFrameworkError::BuiltIn(_) => AppError::InvalidInput(e.to_string()),
            SaveFrameworkError::Conflict => AppError::Conflict(e.to_string()),
            SaveFrameworkError::NotFound => AppError::NotFound,
            SaveFrameworkError::TooMany(_) => AppError::Conflict(e.to_string()),
            SaveFrameworkError::Database(e) => AppError::Database(e),
        }
    }
}

fn may_manage(user: &UserRow) -> AppResult<()> {
    if matches!(user.role, Role::WardManager | Role::Admin) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// `GET /api/frameworks`: every version, built in and custom.
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(_user): CurrentUser,
) -> AppResult<Json<FrameworksResponse>> {
    Ok(Json(FrameworksResponse { frameworks: state.store.frameworks().await? }))
}

/// `POST /api/frameworks`: save a custom framework as the next version of its id (201 with the saved framework and
/// its version). The earlier versions of that id are retired automatically, so new readings use the newest; readings
/// already made with an earlier version keep it. 400 for a framework that is not well formed or a built-in id,
/// 403 for anyone but a ward manager or admin, 409 if concurrent saves of the same id kept colliding.
pub async fn save(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<SaveFrameworkRequest>,
) -> AppResult<(StatusCode, Json<Framework>)> {
    may_manage(&user)?;
    let saved = state.store.save_framework(&user.id, req).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `POST /api/frameworks/{id}/{version}/retire`: no new readings may use this custom version (204); readings made
/// with it still check and draw. 400 for a built-in framework, 404 for a version that does not exist.
pub async fn retire(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, version)): Path<(String, u32)>,
) -> AppResult<StatusCode> {
    may_manage(&user)?;
    state.store.retire_framework(&FrameworkId(id), version).await?;
    Ok(StatusCode::NO_CONTENT)
}
