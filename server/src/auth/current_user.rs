//! The `CurrentUser` extractor: the signed-in user, or a 401.

use super::session_keys;
use crate::{error::AppError, state::AppState, store::UserRow};
use axum::{extract::FromRequestParts, http::request::Parts};
use tower_sessions::Session;
use waymark_shared::UserId;

/// The signed-in user behind this request.
pub struct CurrentUser(pub UserRow);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(format!("session layer missing: {msg}")))?;
        let Some(id) = session.get::<String>(session_keys::USER_ID).await? else {
            return Err(AppError::NotSignedIn);
        };
        match state.store.user_by_id(&UserId(id)).await? {
            Some(user) => Ok(CurrentUser(user)),
            // The account is gone: end the session rather than keep a dangling one.
            None => {
                session.flush().await?;
                Err(AppError::NotSignedIn)
            }
        }
    }
}
