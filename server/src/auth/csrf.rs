//! CSRF defence for every state-changing request.
//!
//! Three checks, all required for POST/PUT/PATCH/DELETE under `/api`:
//! 1. the browser did not label it cross-site (`Sec-Fetch-Site`), and any `Origin` is exactly this server's origin
//!    (scheme, host and port);
//! 2. the request carries a token in the `x-csrf-token` header (compared in constant time) that is
//! 3. the signed-in session's token, or, with no session, the token bound to the signed-out cookie.
//!
//! Signed-out tokens are stored nowhere: `GET /api/session` sets a random `waymark_csrf` cookie (HttpOnly,
//! SameSite=Strict) and answers HMAC-SHA256(server key, cookie); a sign-in must send that token with that cookie. So
//! a look at the sign-in page writes nothing, and any instance sharing the key checks alike. The session cookie is
//! also `SameSite=Strict`, so a cross-site request carries no session at all.

use super::session_keys;
use crate::{error::AppError, state::AppState};
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, Uri, header, uri::Authority},
    middleware::Next,
    response::{IntoResponse, Response},
};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;
use tower_sessions::{Session, cookie::Cookie, cookie::SameSite};
use waymark_shared::api::CSRF_HEADER;

/// The cookie that binds a signed-out CSRF token to one browser.
pub const SIGNED_OUT_COOKIE: &str = "waymark_csrf";

pub async fn require_csrf_token(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    match check(&state, &session, request.headers(), request.uri()).await {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, session: &Session, headers: &HeaderMap, uri: &Uri) -> Result<(), AppError> {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(AppError::Csrf);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let given = origin.to_str().ok().and_then(Origin::parse);
        let expected = expected_origin(state, headers, uri);
        if given.is_none() || given != expected {
            tracing::debug!(origin = ?origin, expected = ?expected.map(|o| o.to_string()), "origin refused");
            return Err(AppError::Csrf);
        }
    }
    // Signed in, the session's own token; otherwise the signed-out one (a session without a user is left over from
    // before sessions were made only at sign-in, and its token no longer counts).
    let signed_in = session.get::<String>(session_keys::USER_ID).await?.is_some();
    let session_token = if signed_in { session.get::<String>(session_keys::CSRF_TOKEN).await? } else { None };
    let expected = match session_token {
        Some(token) => token,
        None => match signed_out_nonce(headers) {
            Some(nonce) => state.auth.csrf_key(&state.config, &state.store).await?.token_for(&nonce),
            None => return Err(AppError::Csrf),
        },
    };
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match given {
        Some(given) if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

/// This server's origin: `WAYMARK_PUBLIC_ORIGIN`, or the `Host` the request was sent to, over https when cookies are
/// marked `Secure` (the server is then behind https) and http otherwise.
fn expected_origin(state: &AppState, headers: &HeaderMap, uri: &Uri) -> Option<Origin> {
    if let Some(public) = &state.config.public_origin {
        return Origin::parse(public);
    }
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    let host = match headers.get(header::HOST) {
        Some(h) => h.to_str().ok()?.parse::<Authority>().ok()?,
        None => uri.authority()?.clone(),
    };
    Origin::from_parts(scheme, &host)
}

/// A web origin: scheme, host and port (the scheme's default when none is written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    scheme: &'static str,
    host: String,
    port: u16,
}

impl Origin {
    /// `scheme://host[:port]` (an `Origin` header, or a configured origin; a trailing `/` is allowed). Anything else
    /// (`null`, a path, a user name, another scheme) is not an origin.
    pub fn parse(s: &str) -> Option<Origin> {
        let uri: Uri = s.trim().parse().ok()?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return None;
        }
        let scheme = match uri.scheme_str()?.to_ascii_lowercase().as_str() {
            "http" => "http",
            "https" => "https",
            _ => return None,
        };
        Origin::from_parts(scheme, uri.authority()?)
    }

    fn from_parts(scheme: &'static str, authority: &Authority) -> Option<Origin> {
        if authority.as_str().contains('@') || authority.host().is_empty() {
            return None;
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        Some(Origin {
            scheme,
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().unwrap_or(default_port),
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default_port = if self.scheme == "https" { 443 } else { 80 };
        write!(f, "{}://{}", self.scheme, self.host)?;
        if self.port != default_port {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// The key that signs signed-out CSRF tokens.
pub struct CsrfKey(Vec<u8>);

impl CsrfKey {
    pub fn new(secret: &[u8]) -> CsrfKey {
        CsrfKey(secret.to_vec())
    }

    /// The key itself (it also signs the cookie of a sign-in under way at the identity provider, under another
    /// label).
    pub fn secret(&self) -> &[u8] {
        &self.0
    }

    /// The token for a signed-out cookie's value.
    pub fn token_for(&self, nonce: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"waymark signed-out csrf v1\0");
        mac.update(nonce.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The signed-out cookie's value, if the request has a well-formed one.
pub fn signed_out_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SIGNED_OUT_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A fresh value for the signed-out cookie.
pub fn new_nonce() -> String {
    super::new_token()
}

/// `Set-Cookie` for the signed-out cookie: a browser-session cookie for the API only.
pub fn signed_out_cookie(nonce: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((SIGNED_OUT_COOKIE, nonce.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/api")
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("a cookie of hex is a valid header")
}

/// `Set-Cookie` that removes the signed-out cookie (once signed in, the session's own token is used).
pub fn remove_signed_out_cookie(secure: bool) -> HeaderValue {
    let cookie = Cookie::build((SIGNED_OUT_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/api")
        .max_age(time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("a removal cookie is a valid header")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let o = |s: &str| Origin::parse(s);
        assert_eq!(o("http://Waymark.test"), o("http://waymark.test:80"));
        assert_eq!(o("https://waymark.test/"), o("https://waymark.test:443"));
        assert_ne!(o("http://waymark.test"), o("https://waymark.test"));
        assert_ne!(o("http://waymark.test"), o("http://waymark.test:8080"));
        assert_ne!(o("http://waymark.test"), o("http://waymark.test.evil.example"));
        assert_eq!(o("http://[::1]:3000").unwrap().to_string(), "http://[::1]:3000");
        for bad in ["null", "waymark.test", "ftp://waymark.test", "http://a@waymark.test", "http://waymark.test/x", ""]
        {
            assert_eq!(o(bad), None, "{bad}");
        }
    }

    #[test]
    fn signed_out_tokens_are_bound_to_the_cookie_and_the_key() {
        let k = CsrfKey::new(b"a secret of at least thirty-two characters");
        let (a, b) = (new_nonce(), new_nonce());
        assert_eq!(k.token_for(&a), k.token_for(&a));
        assert_ne!(k.token_for(&a), k.token_for(&b));
        assert_ne!(k.token_for(&a), CsrfKey::new(b"another secret, thirty-two characters").token_for(&a));
        assert_eq!(k.token_for(&a).len(), 64);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("x=1; {SIGNED_OUT_COOKIE}={a}")).unwrap());
        assert_eq!(signed_out_nonce(&h), Some(a));
        h.insert(header::COOKIE, HeaderValue::from_static("waymark_csrf=short"));
        assert_eq!(signed_out_nonce(&h), None);
    }
}
