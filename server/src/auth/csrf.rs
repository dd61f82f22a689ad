//! CSRF defence for every state-changing request.
//!
//! Three checks, all required for POST/PUT/PATCH/DELETE under `/api`:
//! 1. the browser did not label it cross-site (`Sec-Fetch-Site`), and any `Origin` names this host;
//! 2. the session holds a CSRF token (handed out by `GET /api/session`);
//! 3. the request echoes that token in the `x-csrf-token` header (compared in constant time).
//!
//! The session cookie is also `SameSite=Strict`, so a cross-site request carries no session at all.

use super::session_keys;
use crate::error::AppError;
use subtle::ConstantTimeEq;
use axum::{
    extract::Request,
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;
use waymark_shared::api::CSRF_HEADER;

pub async fn require_csrf_token(session: Session, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    match check(&session, request.headers()).await {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn check(session: &Session, headers: &HeaderMap) -> Result<(), AppError> {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(AppError::Csrf);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let origin_host = origin.to_str().unwrap_or_default().split("://").nth(1).unwrap_or_default();
        if host.is_empty() || origin_host != host {
            return Err(AppError::Csrf);
        }
    }
    let expected: Option<String> = session.get(session_keys::CSRF_TOKEN).await?;
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match (expected, given) {
        (Some(expected), Some(given)) if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}
