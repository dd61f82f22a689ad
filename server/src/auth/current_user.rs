//! The `CurrentUser` extractor: the signed-in user, or a 401 (403 while a one-time password waits to be changed).

use super::session_keys;
use crate::{
    error::AppError,
    state::AppState,
    store::{CARRIED_USER, UserRow},
};
use axum::{extract::FromRequestParts, http::request::Parts};
use tower_sessions::Session;
use waymark_shared::UserId;

/// The signed-in user behind this request, who has chosen their own password.
pub struct CurrentUser(pub UserRow);

/// The signed-in user behind this request, even one still on a one-time password (for choosing a new one).
pub struct SignedIn(pub UserRow, pub Session);

/// The user of this session, if it is still good: the account exists and is switched on, and the session began
/// after the account's sessions were last ended (a password reset, a switch-off). Otherwise the session ends here
/// (whatever a request under way might have saved of it) and the answer is `None`.
pub async fn session_user(state: &AppState, session: &Session) -> Result<Option<UserRow>, AppError> {
    let Some(id) = session.get::<String>(session_keys::USER_ID).await? else {
        return Ok(None);
    };
    let since = session.get::<i64>(session_keys::SIGNED_IN_AT).await?.unwrap_or(i64::MAX);
    // The account as read with the session at the start of this request (one round trip for both), else now.
    let carried = session.get::<UserRow>(CARRIED_USER).await.ok().flatten().filter(|u| u.id.0 == id);
    let user = match carried {
        Some(user) => Some(user),
        None => state.store.user_by_id(&UserId(id)).await?,
    };
    match user {
        Some(user) if user.active && since >= user.sessions_after_ms => Ok(Some(user)),
        // The account is gone, switched off, or its sessions were ended: end this one rather than keep it.
        _ => {
            session.flush().await?;
            Ok(None)
        }
    }
}

/// Must this session's user choose a new password before anything else? (Not when they signed in through the
/// hospital's identity provider: the one-time password played no part.)
pub async fn must_change_password(user: &UserRow, session: &Session) -> Result<bool, AppError> {
    Ok(user.must_change_password
        && session.get::<String>(session_keys::VIA).await?.as_deref() != Some(session_keys::VIA_IDENTITY_PROVIDER))
}

async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Session, AppError> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, msg)| AppError::Internal(format!("session layer missing: {msg}")))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session_of(parts, state).await?;
        let user = session_user(state, &session).await?.ok_or(AppError::NotSignedIn)?;
        if must_change_password(&user, &session).await? {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(CurrentUser(user))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session_of(parts, state).await?;
        let user = session_user(state, &session).await?.ok_or(AppError::NotSignedIn)?;
        Ok(SignedIn(user, session))
    }
}
