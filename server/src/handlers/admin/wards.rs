//! Wards: the list (an administrator: all; a ward manager: their own), a new ward (administrators), and who is on
//! a ward (its manager, or an administrator).

use super::{Admin, AdminAction, Manager, audit, path_id};
use crate::{
    error::{AppError, AppResult},
    handlers::json::ApiJson,
    state::AppState,
    store::summary_of,
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use waymark_shared::{
    Role,
    admin::{self, MAX_WARDS},
    api::{NewWardRequest, WardInfo, WardList, WardRoster},
};

/// `GET /api/admin/wards`.
pub async fn list(State(state): State<AppState>, manager: Manager) -> AppResult<Json<WardList>> {
    let only = match manager.0.role {
        Role::Admin => None,
        _ => Some(manager.0.ward_id.clone().ok_or(AppError::Forbidden)?),
    };
    Ok(Json(WardList { wards: state.store.wards_with_counts(only.as_deref()).await? }))
}

/// `POST /api/admin/wards`: a new ward (names are unique).
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(req): ApiJson<NewWardRequest>,
) -> AppResult<(StatusCode, Json<WardInfo>)> {
    if !admin::check_name(&req.name) {
        return Err(AppError::InvalidInput(format!("name: 1 to {} characters", admin::NAME_MAX_CHARS)));
    }
    let name = req.name.trim();
    let Some(id) = state.store.add_ward(name, MAX_WARDS).await? else {
        return Err(AppError::Conflict(format!(
            "a ward called {name:?} exists already (or there are {MAX_WARDS} wards)"
        )));
    };
    audit(&state, &admin, AdminAction::WardCreated { ward: &id }).await;
    Ok((StatusCode::CREATED, Json(WardInfo { id, name: name.to_owned(), people: 0, staff: 0 })))
}

/// `GET /api/admin/wards/{id}`: the service users on the ward (with their key worker) and who works there.
pub async fn roster(
    State(state): State<AppState>,
    manager: Manager,
    Path(id): Path<String>,
) -> AppResult<Json<WardRoster>> {
    let id = path_id(&id)?;
    if !manager.manages(Some(id)) {
        return Err(AppError::Forbidden);
    }
    let ward = state.store.ward(id).await?.ok_or(AppError::NotFound)?;
    let (people, staff) = state.store.ward_roster(id).await?;
    Ok(Json(WardRoster { ward, people, staff: staff.iter().map(summary_of).collect() }))
}
