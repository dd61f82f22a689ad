//! Accounts: search, make (with a one-time password), look at, reset a password, switch off and on, link to the
//! hospital's identity provider. Administrators only.

use super::{Admin, AdminAction, audit, path_id, refuse, today};
use crate::{
    error::{AppError, AppResult},
    handlers::json::ApiJson,
    state::AppState,
    store::{AccountError, NewAccount, UserRow, summary_of},
};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use waymark_shared::{
    Role, UserId,
    admin::{self, Field, SEARCH_MAX_RESULTS},
    api::{
        AccountDetail, AccountList, AccountSummary, INVITATION_ALPHABET, NewAccountRequest, OneTimePassword,
        SetIdentityRequest,
    },
    validation::normalise_username,
};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /api/admin/accounts?q=…`: accounts whose name or username holds every word searched for (all, by name,
/// with no words), at most 50.
pub async fn search(
    State(state): State<AppState>,
    Admin(_admin): Admin,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<AccountList>> {
    let Query(query) = query.map_err(|e| AppError::InvalidInput(e.body_text()))?;
    let words = admin::search_words(&query.q)
        .ok_or_else(|| AppError::InvalidInput(format!("q must be at most {} characters", admin::SEARCH_MAX_CHARS)))?;
    let (users, more) = state.store.search_accounts(&words, SEARCH_MAX_RESULTS).await?;
    Ok(Json(AccountList { accounts: users.iter().map(summary_of).collect(), more }))
}

/// A one-time password: twelve letters and digits that read aloud and copy by hand well, in three groups of four.
fn one_time_password() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let chars: Vec<char> =
        (0..12).map(|_| INVITATION_ALPHABET[rng.gen_range(0..INVITATION_ALPHABET.len())] as char).collect();
    let group = |i: usize| chars[i * 4..i * 4 + 4].iter().collect::<String>();
    format!("{}-{}-{}", group(0), group(1), group(2))
}

fn account_error(e: AccountError) -> AppError {
    match e {
        AccountError::UsernameTaken => AppError::UsernameTaken,
        AccountError::IdentityTaken => AppError::IdentityTaken,
        AccountError::NoSuchWard => AppError::InvalidInput(format!("{}: no such ward", Field::Ward.as_str())),
        AccountError::Database(e) => AppError::Database(e),
    }
}

/// `POST /api/admin/accounts`: make a staff or service-user account with a one-time password (answered once). A
/// service user is admitted to their ward today.
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(req): ApiJson<NewAccountRequest>,
) -> AppResult<(StatusCode, Json<OneTimePassword>)> {
    refuse(admin::check_new_account(&req))?;
    let role = req.role.ok_or_else(|| AppError::InvalidInput("role: missing".into()))?;
    let username = normalise_username(&req.username).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    let display_name = req.display_name.trim();
    let ward = req.ward.as_deref().filter(|w| !w.is_empty());
    if let Some(w) = ward
        && state.store.ward(w).await?.is_none()
    {
        return Err(AppError::InvalidInput(format!("{}: no such ward", Field::Ward.as_str())));
    }
    if state.store.user_by_username(&username).await?.is_some() {
        return Err(AppError::UsernameTaken);
    }
    if let Some(identity) = req.identity.as_deref()
        && state.store.user_by_identity(identity).await?.is_some()
    {
        return Err(AppError::IdentityTaken);
    }
    let password = one_time_password();
    let hash = state.auth.hashing.admit()?.hash(password.clone()).await?;
    let today = today();
    let id = state
        .store
        .create_account(NewAccount {
            username: &username,
            display_name,
            role,
            password_hash: &hash,
            ward_id: ward,
            identity: req.identity.as_deref(),
            admitted: (role == Role::ServiceUser).then_some((today.as_str(), &admin.id)),
        })
        .await
        .map_err(account_error)?;
    audit(&state, &admin, AdminAction::AccountCreated { account: &id, role }).await;
    let account = account_row(&state, &id).await?;
    Ok((StatusCode::CREATED, Json(OneTimePassword { account: summary_of(&account), one_time_password: password })))
}

async fn account_row(state: &AppState, id: &UserId) -> AppResult<UserRow> {
    state.store.user_by_id(id).await?.ok_or(AppError::NotFound)
}

async fn account_of(state: &AppState, id: &str) -> AppResult<UserRow> {
    account_row(state, &UserId(path_id(id)?.to_owned())).await
}

/// `GET /api/admin/accounts/{id}`: one account, who it is linked to, and a service user's care team and stays.
pub async fn show(
    State(state): State<AppState>,
    Admin(_admin): Admin,
    Path(id): Path<String>,
) -> AppResult<Json<AccountDetail>> {
    let account = account_of(&state, &id).await?;
    let (care_team, stays) = if account.role == Role::ServiceUser {
        (state.store.care_team(&account.id).await?, state.store.stays_of(&account.id).await?)
    } else {
        (vec![], vec![])
    };
    let linked_to = state.store.linked_to(&account.id).await?;
    Ok(Json(AccountDetail { account: summary_of(&account), care_team, linked_to, stays }))
}

/// `POST /api/admin/accounts/{id}/password`: a new one-time password (answered once). Every session of the account
/// ends (live streams too, within a second), and the data keys handed to its devices are withdrawn.
pub async fn reset_password(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> AppResult<Json<OneTimePassword>> {
    let account = account_of(&state, &id).await?;
    let password = one_time_password();
    let hash = state.auth.hashing.admit()?.hash(password.clone()).await?;
    let touched = state.store.reset_password(&account.id, &hash).await?;
    for hash in &touched.ended_sessions {
        state.live.end_session(hash);
    }
    audit(&state, &admin, AdminAction::PasswordReset { account: &account.id }).await;
    let account = account_row(&state, &account.id).await?;
    Ok(Json(OneTimePassword { account: summary_of(&account), one_time_password: password }))
}

/// `POST /api/admin/accounts/{id}/deactivate`: switch the account off. It cannot sign in; its sessions end and its
/// live streams close within a second; its pulls are refused. Nothing of anyone's record is deleted.
pub async fn deactivate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> AppResult<Json<AccountSummary>> {
    let account = account_of(&state, &id).await?;
    if account.id == admin.id {
        return Err(AppError::InvalidInput("an administrator cannot switch their own account off".into()));
    }
    let touched = state.store.set_active(&account.id, false).await?;
    for hash in &touched.ended_sessions {
        state.live.end_session(hash);
    }
    audit(&state, &admin, AdminAction::AccountSwitchedOff { account: &account.id }).await;
    Ok(Json(summary_of(&account_row(&state, &account.id).await?)))
}

/// `POST /api/admin/accounts/{id}/reactivate`: switch the account back on.
pub async fn reactivate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> AppResult<Json<AccountSummary>> {
    let account = account_of(&state, &id).await?;
    state.store.set_active(&account.id, true).await?;
    audit(&state, &admin, AdminAction::AccountSwitchedOn { account: &account.id }).await;
    Ok(Json(summary_of(&account_row(&state, &account.id).await?)))
}

/// `PUT /api/admin/accounts/{id}/identity`: link a staff account to its identity at the hospital's identity provider
/// (`null` unlinks). Service users and carers keep passwords.
pub async fn set_identity(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SetIdentityRequest>,
) -> AppResult<Json<AccountSummary>> {
    let account = account_of(&state, &id).await?;
    if !admin::check_identity(req.identity.as_deref()) {
        return Err(AppError::InvalidInput(format!(
            "identity: at most {} characters, with no spaces at either end",
            admin::IDENTITY_MAX_CHARS
        )));
    }
    if req.identity.is_some() && !admin::may_link_identity(account.role) {
        return Err(AppError::InvalidInput("identity: only staff sign in through the identity provider".into()));
    }
    state.store.set_identity(&account.id, req.identity.as_deref()).await.map_err(account_error)?;
    audit(&state, &admin, AdminAction::IdentityLinked { account: &account.id, linked: req.identity.is_some() }).await;
    Ok(Json(summary_of(&account_row(&state, &account.id).await?)))
}
