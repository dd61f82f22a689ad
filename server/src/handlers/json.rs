//! `ApiJson` and `JsonBytes`: JSON body extractors whose failures are clear, machine-readable 4xx answers.

use crate::error::AppError;
use axum::{
    Json,
    body::Bytes,
    extract::{FromRequest, Request, rejection::JsonRejection},
    http::{HeaderMap, StatusCode, header},
};
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(explain(rejection)),
        }
    }
}

fn explain(rejection: JsonRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge;
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            AppError::InvalidBody("expected a JSON body with Content-Type: application/json".into())
        }
        other => AppError::InvalidBody(other.body_text()),
    }
}

/// A JSON request body as raw bytes, for handlers that read it more than once (a sync push reads its schema
/// version before its shape). Checks the content type and the size limit the way [`ApiJson`] does.
pub struct JsonBytes(pub Bytes);

impl<S> FromRequest<S> for JsonBytes
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers()) {
            return Err(AppError::InvalidBody("expected a JSON body with Content-Type: application/json".into()));
        }
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(JsonBytes(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(rejection) => Err(AppError::InvalidBody(rejection.body_text())),
        }
    }
}

/// `application/json`, or any `…+json` type, with or without parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parse a JSON body into `T`; a failure is a 400 `invalid_body` saying what serde found wrong, and where.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError::InvalidBody(format!("the JSON body is not valid: {e}")))
}
