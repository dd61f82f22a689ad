//! Carers joining: the care team makes an invitation code for a person; the carer uses it once to make their own
//! account, linked to that person, and is signed in. What they then see is what the person shares with them.

use super::{json::ApiJson, people::team_person};
use crate::{
    auth::{CurrentUser, new_token, password, session_keys},
    error::{AppError, AppResult},
    handlers::session::me_of,
    state::AppState,
    store::{AcceptError, NewCarer, new_invitation_code, now_ms},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use tower_sessions::Session;
use waymark_shared::{
    api::{AcceptInvitationRequest, INVITATION_VALID_MS, Invitation, SessionInfo, normalise_invitation_code},
    validation::{check_password_input, normalise_username},
};

/// Shortest password for a new account.
pub const NEW_PASSWORD_MIN_CHARS: usize = 10;
/// Longest display name.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;

/// `POST /api/people/{id}/invitations`: a new code for a carer of this person. Staff on the care team only.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<Invitation>)> {
    let person = team_person(&state, &viewer, id).await?;
    let code = new_invitation_code();
    let now = now_ms();
    let expires_at_ms = now + INVITATION_VALID_MS;
    state.store.create_invitation(&person.id, &viewer.id, &code, now, expires_at_ms).await?;
    tracing::info!(person = %person.id, by = %viewer.id, "carer invitation made");
    let shown = format!("{}-{}-{}", &code[0..4], &code[4..8], &code[8..12]);
    Ok((StatusCode::CREATED, Json(Invitation { link: format!("/join?code={shown}"), code: shown, expires_at_ms })))
}

/// `POST /api/invitations/accept`: make the carer's account with a code, and sign them in.
pub async fn accept(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<AcceptInvitationRequest>,
) -> AppResult<Json<SessionInfo>> {
    let code = normalise_invitation_code(&req.code).ok_or(AppError::InvitationNotValid)?;
    let name = req.display_name.trim();
    if name.is_empty() || name.chars().count() > DISPLAY_NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::InvalidInput(format!("display_name must be 1 to {DISPLAY_NAME_MAX_CHARS} characters")));
    }
    let username = normalise_username(&req.username).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    check_password_input(&req.password).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    if req.password.chars().count() < NEW_PASSWORD_MIN_CHARS {
        return Err(AppError::InvalidInput(format!("password must be at least {NEW_PASSWORD_MIN_CHARS} characters")));
    }
    let hash = password::hash(req.password).await?;
    let carer = NewCarer { username: &username, display_name: name, password_hash: &hash };
    let (id, person) = state.store.accept_invitation(&code, carer, now_ms()).await.map_err(|e| match e {
        AcceptError::NotValid => AppError::InvitationNotValid,
        AcceptError::UsernameTaken => AppError::UsernameTaken,
        AcceptError::Database(e) => AppError::Database(e),
    })?;
    let user = state.store.user_by_id(&id).await?.ok_or_else(|| AppError::Internal("new carer vanished".into()))?;
    session.cycle_id().await?;
    session.insert(session_keys::USER_ID, &user.id.0).await?;
    let csrf_token = new_token();
    session.insert(session_keys::CSRF_TOKEN, &csrf_token).await?;
    tracing::info!(carer = %user.id, %person, "carer joined with an invitation");
    Ok(Json(SessionInfo { user: Some(me_of(&user)), csrf_token }))
}
