//! Administration: accounts, wards, care teams, and admissions, moves and discharges.
//!
//! Every route here is server-checked: accounts and wards are for administrators; a person's care team and stay are
//! for administrators and the manager of the ward the person is on. Everyone else is answered 403 (not signed in:
//! 401). Each action that changes something goes through [`audit`], the one place the audit trail will record it.

pub mod accounts;
pub mod people;
pub mod wards;

use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    store::UserRow,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use waymark_shared::{Role, UserId, admin::Problems};

/// The signed-in administrator (403 for every other role).
pub struct Admin(pub UserRow);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.role != Role::Admin {
            tracing::warn!(user = %user.id, role = user.role.as_str(), "refused an administration route");
            return Err(AppError::Forbidden);
        }
        Ok(Admin(user))
    }
}

/// An administrator or a ward manager (403 for every other role); which wards a manager may act on is checked by
/// each handler.
pub struct Manager(pub UserRow);

impl FromRequestParts<AppState> for Manager {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if !matches!(user.role, Role::Admin | Role::WardManager) {
            tracing::warn!(user = %user.id, role = user.role.as_str(), "refused a ward administration route");
            return Err(AppError::Forbidden);
        }
        Ok(Manager(user))
    }
}

impl Manager {
    /// May this user manage what happens on `ward`? An administrator: any ward; a ward manager: their own.
    pub fn manages(&self, ward: Option<&str>) -> bool {
        self.0.role == Role::Admin || (ward.is_some() && self.0.ward_id.as_deref() == ward)
    }
}

/// Refuse a form with problems: 400, naming each field and what is wrong (in English; the app shows the catalogue
/// message beside each field, found by the same rules).
pub fn refuse(problems: Problems) -> AppResult<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems
        .iter()
        .map(|(field, msg)| format!("{}: {}", field.as_str(), msg.text(waymark_shared::Lang::En)))
        .collect();
    Err(AppError::InvalidInput(list.join("; ")))
}

/// What an administration action did, for the audit trail.
#[derive(Clone, Debug)]
pub enum AdminAction<'a> {
    AccountCreated { account: &'a UserId, role: Role },
    PasswordReset { account: &'a UserId },
    AccountSwitchedOff { account: &'a UserId },
    AccountSwitchedOn { account: &'a UserId },
    IdentityLinked { account: &'a UserId, linked: bool },
    WardCreated { ward: &'a str },
    CareTeamLinked { person: &'a UserId, member: &'a UserId, relation: waymark_shared::Relation },
    CareTeamUnlinked { person: &'a UserId, member: &'a UserId },
    Stay { person: &'a UserId, kind: waymark_shared::api::StayKind, ward: Option<&'a str> },
}

/// THE AUDIT HOOK: every administration action that changed something calls this once, after it is stored. The
/// audit trail (on its own branch) appends an entry here — actor, action, whose account or record, the ward — in
/// place of the log line.
pub async fn audit(_state: &AppState, actor: &UserRow, action: AdminAction<'_>) {
    tracing::info!(actor = %actor.id, role = actor.role.as_str(), ?action, "administration");
}

/// The latest date a dated step may name: today wherever the hospital is (UTC + 14 hours at most).
pub fn latest_date() -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::hours(14)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// An id from a path: at most 64 characters (ours are 32 hex digits), or 404.
pub fn path_id(id: &str) -> AppResult<&str> {
    if id.is_empty() || id.len() > 64 {
        return Err(AppError::NotFound);
    }
    Ok(id)
}
