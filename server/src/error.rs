//! The server's one error type, and how each case becomes an HTTP response.
//!
//! Causes of server-side failures are logged, never sent: the client gets a code and a plain message.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use waymark_shared::api::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body was not JSON of the expected shape; the message says what was wrong.
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    /// A value broke a rule; the message says which.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("not signed in")]
    NotSignedIn,
    #[error("username or password not right")]
    BadCredentials,
    #[error("too many failed sign-ins")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("session error: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::InvalidBody(_) => ErrorCode::InvalidBody,
            AppError::InvalidInput(_) => ErrorCode::InvalidInput,
            AppError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            AppError::NotSignedIn => ErrorCode::NotSignedIn,
            AppError::BadCredentials => ErrorCode::BadCredentials,
            AppError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            AppError::Csrf => ErrorCode::CsrfRejected,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::InvalidBody | ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::NotSignedIn | ErrorCode::BadCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::CsrfRejected | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::SchemaMismatch => StatusCode::BAD_REQUEST,
            ErrorCode::RecordExists | ErrorCode::RecordMissing => StatusCode::CONFLICT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            AppError::InvalidBody(m) | AppError::InvalidInput(m) => m.clone(),
            AppError::PayloadTooLarge => "the request body is larger than the server accepts".into(),
            AppError::NotSignedIn => "sign in first".into(),
            AppError::BadCredentials => "the username or password is not right".into(),
            AppError::TooManyAttempts { .. } => "too many failed sign-ins for this username; wait and try again".into(),
            AppError::Csrf => "missing or wrong x-csrf-token header; fetch GET /api/session for a fresh token".into(),
            AppError::Forbidden => "you may not do this".into(),
            AppError::NotFound => "not found, or not yours to see".into(),
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => "something went wrong on the server".into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        let retry_after_secs = match &self {
            AppError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let body = ApiError { code: self.code(), message: self.public_message(), retry_after_secs, mutation_id: None };
        let mut res = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
