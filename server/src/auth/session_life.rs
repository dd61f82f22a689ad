//! How long a session lives, and when that is written down.
//!
//! - Only signing in makes a session: a signed-out visitor has no session row (see [`super::csrf`] for how a
//!   sign-in is still protected).
//! - A session ends after `WAYMARK_SESSION_IDLE_MINUTES` without use (default 30), and
//!   `WAYMARK_SESSION_MAX_MINUTES` after sign-in (default 12 hours) however active it is.
//! - Use pushes the idle end back, but at most once every [`REFRESH_EVERY_MS`] per session: other requests (an
//!   up-to-date pull, any read) write nothing. So the idle end is between the idle time and a minute less.

use super::session_keys;
use crate::{
    config::Config,
    error::AppError,
    routes::SESSION_COOKIE,
    state::AppState,
    store::{Store, now_ms},
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;
use tower_sessions::{Expiry, Session, SessionManagerLayer, cookie::SameSite};
use waymark_shared::UserId;

/// A session's idle expiry is pushed back at most this often.
pub const REFRESH_EVERY_MS: i64 = 60_000;

/// The session layer: server-side sessions in the database, an HttpOnly, SameSite=Strict cookie, saved only when
/// something in the session changed (never merely because it was used).
pub fn layer(store: Store, config: &Config) -> SessionManagerLayer<Store> {
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(config.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(config.session_idle_secs)))
}

/// Make this session the signed-in session of `user`: a new id (an id planted before sign-in is worth nothing
/// after it), a new CSRF token, and the clocks started. Returns the token.
pub async fn start(session: &Session, config: &Config, user: &UserId) -> Result<String, AppError> {
    if session.id().is_some() {
        session.cycle_id().await?;
    }
    session.clear().await;
    let now = now_ms();
    session.insert(session_keys::USER_ID, &user.0).await?;
    let token = super::new_token();
    session.insert(session_keys::CSRF_TOKEN, &token).await?;
    session.insert(session_keys::SIGNED_IN_AT, now).await?;
    push_back(session, config, now, now).await?;
    Ok(token)
}

/// Before every API request: end a session past its lifetime, and push back the idle end of one not pushed back
/// within the last minute.
pub async fn keep_alive(State(state): State<AppState>, session: Session, request: Request, next: Next) -> Response {
    if let Err(e) = check(&state.config, &session).await {
        return e.into_response();
    }
    next.run(request).await
}

async fn check(config: &Config, session: &Session) -> Result<(), AppError> {
    if session.id().is_none() {
        return Ok(()); // no session cookie: nothing to load
    }
    if session.get::<String>(session_keys::USER_ID).await?.is_none() {
        return Ok(());
    }
    let now = now_ms();
    let Some(since) = session.get::<i64>(session_keys::SIGNED_IN_AT).await? else {
        // A session made before lifetimes were kept: its clock starts now.
        session.insert(session_keys::SIGNED_IN_AT, now).await?;
        return push_back(session, config, now, now).await;
    };
    if now >= since + config.session_max_secs * 1000 {
        tracing::info!("session ended: its lifetime is over");
        session.flush().await?;
        return Ok(());
    }
    let refreshed = session.get::<i64>(session_keys::REFRESHED_AT).await?.unwrap_or(0);
    if now - refreshed >= REFRESH_EVERY_MS {
        push_back(session, config, since, now).await?;
    }
    Ok(())
}

/// Set the session to end after the idle time from `now`, or at the end of its lifetime if that comes first.
async fn push_back(session: &Session, config: &Config, since: i64, now: i64) -> Result<(), AppError> {
    let end_ms = (now + config.session_idle_secs * 1000).min(since + config.session_max_secs * 1000);
    let end = OffsetDateTime::from_unix_timestamp_nanos(i128::from(end_ms) * 1_000_000)
        .map_err(|e| AppError::Internal(format!("session end out of range: {e}")))?;
    session.insert(session_keys::REFRESHED_AT, now).await?;
    session.set_expiry(Some(Expiry::AtDateTime(end)));
    Ok(())
}
