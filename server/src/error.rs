//! The server's one error type, and how each case becomes an HTTP response.
//!
//! Causes of server-side failures are logged, never sent: the client gets a code and a plain message.

use crate::store::PushError;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use waymark_shared::{
    api::{ApiError, ErrorCode},
    sync::{Refusal, Rejection},
};

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
    /// A sync push carried more mutations than one push may.
    #[error("more than {max} mutations in one push")]
    TooManyMutations { max: usize },
    /// A sync request named another protocol version (or none); the message says which this server speaks.
    #[error("schema mismatch: {0}")]
    SchemaMismatch(String),
    /// A mutation tried to create a record whose id is taken.
    #[error("record exists")]
    RecordExists,
    /// A mutation referred to a record that does not exist.
    #[error("record missing")]
    RecordMissing,
    /// So many devices' versions of one thing wait to be settled that another is refused; names the record.
    #[error("too many versions waiting on {0}")]
    TooManyVersions(String),
    /// Someone else changed the same thing at the same moment, again and again; the message says what to do.
    #[error("conflict: {0}")]
    Conflict(String),
    /// One mutation of a sync push was refused, and the whole push with it: the answer names the mutation.
    #[error("mutation {mutation_id}: {source}")]
    ForMutation { mutation_id: u64, source: Box<AppError> },
    #[error("not signed in")]
    NotSignedIn,
    #[error("username or password not right")]
    BadCredentials,
    #[error("too many failed sign-ins")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many requests of one kind from one account (page views reported for the audit trail).
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("forbidden")]
    Forbidden,
    #[error("invitation not valid")]
    InvitationNotValid,
    #[error("username taken")]
    UsernameTaken,
    /// A carer chose a name that reads the same as someone's on the person's care team.
    #[error("name in use in the care team")]
    NameInUse,
    /// Signed in with a one-time password: nothing else until the person chooses their own.
    #[error("password change required")]
    PasswordChangeRequired,
    /// The account is switched off.
    #[error("account switched off")]
    AccountDeactivated,
    /// Staff tried to change a discharged person's record (read-only for staff).
    #[error("the person has been discharged")]
    Discharged,
    /// Another account is linked to that identity at the identity provider.
    #[error("identity taken")]
    IdentityTaken,
    /// Too much password hashing is under way or waiting: try again after `retry_after_secs`.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
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
            AppError::PayloadTooLarge | AppError::TooManyMutations { .. } => ErrorCode::PayloadTooLarge,
            AppError::SchemaMismatch(_) => ErrorCode::SchemaMismatch,
            AppError::RecordExists | AppError::Conflict(_) => ErrorCode::RecordExists,
            AppError::RecordMissing => ErrorCode::RecordMissing,
            AppError::TooManyVersions(_) => ErrorCode::TooManyVersions,
            AppError::ForMutation { source, .. } => source.code(),
            AppError::NotSignedIn => ErrorCode::NotSignedIn,
            AppError::BadCredentials => ErrorCode::BadCredentials,
            AppError::TooManyAttempts { .. } | AppError::TooManyRequests { .. } => ErrorCode::TooManyAttempts,
            AppError::Csrf => ErrorCode::CsrfRejected,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::InvitationNotValid => ErrorCode::InvitationNotValid,
            AppError::UsernameTaken => ErrorCode::UsernameTaken,
            AppError::NameInUse => ErrorCode::NameInUse,
            AppError::Busy { .. } => ErrorCode::Busy,
            AppError::PasswordChangeRequired => ErrorCode::PasswordChangeRequired,
            AppError::AccountDeactivated => ErrorCode::AccountDeactivated,
            AppError::Discharged => ErrorCode::Discharged,
            AppError::IdentityTaken => ErrorCode::IdentityTaken,
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::InvalidBody | ErrorCode::InvalidInput | ErrorCode::InvitationNotValid => StatusCode::BAD_REQUEST,
            ErrorCode::UsernameTaken | ErrorCode::NameInUse | ErrorCode::IdentityTaken | ErrorCode::Discharged => {
                StatusCode::CONFLICT
            }
            ErrorCode::PasswordChangeRequired | ErrorCode::AccountDeactivated => StatusCode::FORBIDDEN,
            ErrorCode::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::NotSignedIn | ErrorCode::BadCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::CsrfRejected | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::SchemaMismatch => StatusCode::BAD_REQUEST,
            ErrorCode::RecordExists | ErrorCode::RecordMissing | ErrorCode::TooManyVersions => StatusCode::CONFLICT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            AppError::InvalidBody(m) | AppError::InvalidInput(m) => m.clone(),
            AppError::PayloadTooLarge => "the request body is larger than the server accepts".into(),
            AppError::TooManyMutations { max } => format!("at most {max} mutations may be sent in one push"),
            AppError::SchemaMismatch(m) | AppError::Conflict(m) => m.clone(),
            AppError::RecordExists => "a record with this id already exists".into(),
            AppError::RecordMissing => "the record this change refers to does not exist".into(),
            AppError::TooManyVersions(record) => format!(
                "{record} already has {} versions waiting to be settled: settle them before sending another",
                waymark_shared::sync::decide::MAX_KEPT
            ),
            AppError::ForMutation { mutation_id, source } => {
                format!(
                    "mutation {mutation_id} was refused, and nothing in this push was saved: {}",
                    source.public_message()
                )
            }
            AppError::NotSignedIn => "sign in first".into(),
            AppError::BadCredentials => "the username or password is not right".into(),
            AppError::TooManyAttempts { .. } => {
                "too many failed sign-ins for this username or from this address; wait and try again".into()
            }
            AppError::TooManyRequests { .. } => "too many requests of this kind; wait and try again".into(),
            AppError::Csrf => "missing or wrong x-csrf-token header; fetch GET /api/session for a fresh token".into(),
            AppError::Forbidden => "you may not do this".into(),
            AppError::NotFound => "not found, or not yours to see".into(),
            AppError::InvitationNotValid => "the invitation code is not right, was used already, or has expired".into(),
            AppError::UsernameTaken => "that username is taken; choose another".into(),
            AppError::NameInUse => {
                "someone in this person's care team already has that name; add something that tells you apart".into()
            }
            AppError::Busy { .. } => "the server is busy; try again in a moment".into(),
            AppError::PasswordChangeRequired => {
                "this account signed in with a one-time password: choose a new one first (POST /api/me/password)".into()
            }
            AppError::AccountDeactivated => "this account is switched off; ask a Waymark administrator".into(),
            AppError::Discharged => {
                "this person has been discharged: staff may read their record but no longer change it".into()
            }
            AppError::IdentityTaken => "another account is already linked to that identity".into(),
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => {
                "something went wrong on the server".into()
            }
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
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs }
            | AppError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let mutation_id = match &self {
            AppError::ForMutation { mutation_id, .. } => Some(*mutation_id),
            _ => None,
        };
        let body = ApiError { code: self.code(), message: self.public_message(), retry_after_secs, mutation_id };
        let mut res = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl From<PushError> for AppError {
    fn from(e: PushError) -> AppError {
        match e {
            PushError::Database(e) => AppError::Database(e),
            PushError::Discharged { mutation_id } => {
                AppError::ForMutation { mutation_id, source: Box::new(AppError::Discharged) }
            }
            PushError::Refused(refused) => {
                let source = match refused.refusal {
                    Refusal::Invalid(m) => AppError::InvalidInput(m),
                    Refusal::Forbidden => AppError::Forbidden,
                    Refusal::Rejected(Rejection::RecordExists) => AppError::RecordExists,
                    Refusal::Rejected(Rejection::RecordMissing) => AppError::RecordMissing,
                    Refusal::Rejected(Rejection::TooManyKept { record }) => AppError::TooManyVersions(record),
                };
                AppError::ForMutation { mutation_id: refused.mutation_id, source: Box::new(source) }
            }
        }
    }
}
