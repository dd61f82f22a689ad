//! Staff sign-in through the hospital's identity provider: `GET /api/sign-in/options`, `GET /api/oidc/start` and
//! `GET /api/oidc/callback` (see [`crate::auth::oidc`]). A refusal sends the browser to `/sign-in?sso=…`, where the
//! app says why in plain words: an ID token for another application, an expired one, an identity no account is
//! linked to, a switched-off account.

use crate::{
    auth::{
        oidc::{PENDING_COOKIE, PENDING_FOR},
        session_keys, session_life,
    },
    error::{AppError, AppResult},
    state::AppState,
    store::now_ms,
};
use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::{
    Session,
    cookie::{Cookie, SameSite},
};
use waymark_shared::{
    admin::may_link_identity,
    api::{SignInOptions, SsoRefusal},
};

/// `GET /api/sign-in/options`: may staff sign in through the identity provider here?
pub async fn options(State(state): State<AppState>) -> Json<SignInOptions> {
    Json(SignInOptions { identity_provider: state.auth.oidc.is_some() })
}

fn pending_cookie(value: &str, secure: bool, remove: bool) -> HeaderValue {
    let mut cookie = Cookie::build((PENDING_COOKIE, value.to_owned()))
        .http_only(true)
        // Lax: it must come back with the provider's redirect, a top-level navigation from another site.
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/api/oidc");
    cookie = if remove {
        cookie.max_age(time::Duration::ZERO)
    } else {
        cookie.max_age(time::Duration::seconds(PENDING_FOR.as_secs() as i64))
    };
    HeaderValue::from_str(&cookie.build().to_string()).expect("a cookie of base64 and hex is a valid header")
}

fn refused_to(state: &AppState, why: SsoRefusal) -> Response {
    let mut res = Redirect::to(&format!("/sign-in?sso={}", why.as_str())).into_response();
    res.headers_mut().append(header::SET_COOKIE, pending_cookie("", state.config.secure_cookies, true));
    res
}

/// `GET /api/oidc/start`: off to the identity provider (404 when none is configured).
pub async fn start(State(state): State<AppState>) -> AppResult<Response> {
    let oidc = state.auth.oidc.as_ref().ok_or(AppError::NotFound)?;
    let key = state.auth.csrf_key(&state.config, &state.store).await?;
    match oidc.start(key.secret(), now_ms()).await {
        Ok((url, cookie)) => {
            let mut res = Redirect::to(&url).into_response();
            res.headers_mut().append(header::SET_COOKIE, pending_cookie(&cookie, state.config.secure_cookies, false));
            Ok(res)
        }
        Err(e) => {
            tracing::error!(detail = %e.detail, "could not start a sign-in at the identity provider");
            Ok(refused_to(&state, e.why))
        }
    }
}

#[derive(Deserialize)]
pub struct Callback {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: Option<String>,
}

fn pending_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == PENDING_COOKIE)
        .map(|c| c.value().to_owned())
}

/// `GET /api/oidc/callback?code=…&state=…`: back from the identity provider. A verified ID token whose account claim
/// is linked to a switched-on staff account signs them in (a new session, as a password sign-in makes); anything else
/// is refused, saying why.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    query: Result<Query<Callback>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Response> {
    let Some(oidc) = state.auth.oidc.as_ref() else {
        return Err(AppError::NotFound);
    };
    let Ok(Query(q)) = query else {
        return Ok(refused_to(&state, SsoRefusal::Failed));
    };
    if let Some(error) = q.error {
        tracing::info!(error = %error.chars().take(100).collect::<String>(), "the identity provider answered an error");
        return Ok(refused_to(&state, SsoRefusal::Failed));
    }
    let key = state.auth.csrf_key(&state.config, &state.store).await?;
    let pending = pending_from(&headers);
    let identity = match oidc.finish(key.secret(), pending.as_deref(), &q.state, &q.code, now_ms()).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(why = e.why.as_str(), detail = %e.detail, "sign-in through the identity provider refused");
            return Ok(refused_to(&state, e.why));
        }
    };
    let user = state.store.user_by_identity(&identity).await?;
    let Some(user) = user.filter(|u| may_link_identity(u.role)) else {
        tracing::warn!("sign-in through the identity provider refused: no staff account is linked to that identity");
        return Ok(refused_to(&state, SsoRefusal::NotLinked));
    };
    if !user.active {
        tracing::warn!(user = %user.id, "sign-in through the identity provider refused: the account is switched off");
        return Ok(refused_to(&state, SsoRefusal::Deactivated));
    }
    session_life::start(&session, &state.config, &user.id).await?;
    session.insert(session_keys::VIA, session_keys::VIA_IDENTITY_PROVIDER).await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "signed in through the identity provider");
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(header::SET_COOKIE, pending_cookie("", state.config.secure_cookies, true));
    Ok(res)
}
