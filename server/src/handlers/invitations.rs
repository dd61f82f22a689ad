//! Carers joining: the care team makes an invitation code for a person; the carer uses it once to make their own
//! account, linked to that person, and is signed in. What they then see is what the person shares with them.

use super::{json::ApiJson, people::team_person};
use crate::{
    auth::{ClientAddr, CurrentUser, session_life},
    error::{AppError, AppResult},
    handlers::session::{me_of, record_address_failure, refuse_if_address_locked, signed_in_response},
    state::AppState,
    store::{AcceptError, NewCarer, new_invitation_code, now_ms},
};
use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
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
///
/// Everything that can be checked without hashing is checked first (the input, the client address, the code, the
/// name, the username), so a wrong code costs no hash; then the password is hashed in the bounded pool, and the
/// account made in one transaction that checks all of it again.
pub async fn accept(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    session: Session,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AcceptInvitationRequest>,
) -> AppResult<Response> {
    let name = req.display_name.trim();
    if name.is_empty() || name.chars().count() > DISPLAY_NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(AppError::InvalidInput(format!("display_name must be 1 to {DISPLAY_NAME_MAX_CHARS} characters")));
    }
    let username = normalise_username(&req.username).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    check_password_input(&req.password).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    if req.password.chars().count() < NEW_PASSWORD_MIN_CHARS {
        return Err(AppError::InvalidInput(format!("password must be at least {NEW_PASSWORD_MIN_CHARS} characters")));
    }
    refuse_if_address_locked(&state, &address).await?;
    let now = now_ms();
    let code = normalise_invitation_code(&req.code);
    let person = match &code {
        Some(code) => state.store.invitation_person(code, now).await?,
        None => None,
    };
    let (Some(code), Some(person)) = (code, person) else {
        record_address_failure(&state, &address).await?;
        tracing::info!(%address, "join refused: invitation code not valid");
        return Err(AppError::InvitationNotValid);
    };
    if state.store.name_in_care_team(&person, name).await? {
        return Err(AppError::NameInUse);
    }
    if state.store.username_taken(&username).await? {
        return Err(AppError::UsernameTaken);
    }

    let hash = state.auth.hashing.admit()?.hash(req.password).await?;
    let carer = NewCarer { username: &username, display_name: name, password_hash: &hash };
    let (id, person) = state.store.accept_invitation(&code, carer, now_ms()).await.map_err(|e| match e {
        AcceptError::NotValid => AppError::InvitationNotValid,
        AcceptError::UsernameTaken => AppError::UsernameTaken,
        AcceptError::NameInUse => AppError::NameInUse,
        AcceptError::Database(e) => AppError::Database(e),
    })?;
    let user = state.store.user_by_id(&id).await?.ok_or_else(|| AppError::Internal("new carer vanished".into()))?;
    let csrf_token = session_life::start(&session, &state.config, &user.id).await?;
    tracing::info!(carer = %user.id, %person, "carer joined with an invitation");
    Ok(signed_in_response(&state, &headers, SessionInfo { user: Some(me_of(&user)), csrf_token }))
}
