//! Staff sign-in through the hospital's identity provider: OpenID Connect, the authorization code flow with PKCE
//! (the `openidconnect` crate does the protocol and checks the ID token: signature, issuer, audience, expiry,
//! nonce).
//!
//! Nothing is stored while someone is away at the provider: the state, nonce and PKCE verifier travel in a short-lived
//! cookie signed with the server's key (`SameSite=Lax`, so it comes back with the provider's redirect, HttpOnly,
//! for `/api/oidc` only), so however many sign-ins are started nothing fills up. The claim named by
//! `WAYMARK_OIDC_ACCOUNT_CLAIM` is read from the verified ID token and must be linked to a switched-on staff
//! account by an administrator.

use crate::{config::OidcConfig, error::AppError};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tokio::sync::Mutex;
use waymark_shared::api::SsoRefusal;

/// The cookie that carries a sign-in under way at the provider.
pub const PENDING_COOKIE: &str = "waymark_oidc";
/// How long someone may take at the provider.
pub const PENDING_FOR: Duration = Duration::from_secs(10 * 60);
/// How long the provider's metadata and keys are kept before they are fetched again.
const METADATA_FOR: Duration = Duration::from_secs(60 * 60);
/// Longest cookie value accepted (ours are about 400 characters).
const MAX_COOKIE_CHARS: usize = 2048;

/// A sign-in under way at the provider.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    /// When it stops being good (Unix ms).
    until_ms: i64,
}

/// Never prints the state, nonce or verifier.
impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("until_ms", &self.until_ms).finish_non_exhaustive()
    }
}

/// The identity provider as this server uses it: its configuration, its metadata (fetched when first needed, and
/// again hourly or when a token is signed with a key it does not know), and an HTTP client that follows no
/// redirects.
pub struct Oidc {
    pub config: OidcConfig,
    http: openidconnect::reqwest::Client,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

/// Why a sign-in through the provider failed, for the log (people are told [`SsoRefusal`]).
#[derive(Debug)]
pub struct Refused {
    pub why: SsoRefusal,
    pub detail: String,
}

fn refused(why: SsoRefusal, detail: impl std::fmt::Display) -> Refused {
    Refused { why, detail: detail.to_string() }
}

fn sign(key: &[u8], payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"waymark oidc pending v1\0");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Oidc, AppError> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider's answer send us anywhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AppError::Internal(format!("identity provider HTTP client: {e}")))?;
        Ok(Oidc { config, http, metadata: Mutex::new(None) })
    }

    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, Refused> {
        let mut kept = self.metadata.lock().await;
        if let Some((at, m)) = kept.as_ref()
            && !fresh
            && at.elapsed() < METADATA_FOR
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| refused(SsoRefusal::Failed, e))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| refused(SsoRefusal::Failed, format!("discovery: {e}")))?;
        *kept = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(
        &self,
        m: CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Refused,
    > {
        let redirect =
            RedirectUrl::new(self.config.redirect_url.clone()).map_err(|e| refused(SsoRefusal::Failed, e))?;
        Ok(CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Start a sign-in: the provider's address to send the browser to, and the value of the pending cookie.
    pub async fn start(&self, key: &[u8], now_ms: i64) -> Result<(String, String), Refused> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            until_ms: now_ms + PENDING_FOR.as_millis() as i64,
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&pending).map_err(|e| refused(SsoRefusal::Failed, e))?);
        let cookie = format!("{payload}.{}", sign(key, &payload));
        Ok((url.to_string(), cookie))
    }

    /// Finish a sign-in: check the pending cookie and the state, exchange the code (with the PKCE verifier), verify
    /// the ID token and answer the value of the account claim.
    pub async fn finish(
        &self,
        key: &[u8],
        cookie: Option<&str>,
        state: &str,
        code: &str,
        now_ms: i64,
    ) -> Result<String, Refused> {
        let pending = read_pending(key, cookie, now_ms)?;
        if !bool::from(pending.state.as_bytes().ct_eq(state.as_bytes())) {
            return Err(refused(SsoRefusal::Failed, "the state does not match this browser's sign-in"));
        }
        if code.is_empty() || code.len() > 2048 {
            return Err(refused(SsoRefusal::Failed, "no authorization code"));
        }
        let client = self.client(self.metadata(false).await?)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| refused(SsoRefusal::Failed, e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| refused(SsoRefusal::Failed, format!("token exchange: {e}")))?;
        let id_token = tokens.id_token().ok_or_else(|| refused(SsoRefusal::Failed, "no ID token"))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verified = {
            let verifier = client.id_token_verifier();
            match id_token.claims(&verifier, &nonce) {
                Err(ClaimsVerificationError::SignatureVerification(_)) => None,
                other => Some(other.map(|_| ()).map_err(classify)),
            }
        };
        // A signature by a key we do not know yet: the provider may have rotated its keys. Fetch them again, once.
        let client = match verified {
            Some(result) => {
                result?;
                client
            }
            None => {
                let client = self.client(self.metadata(true).await?)?;
                id_token.claims(&client.id_token_verifier(), &nonce).map_err(classify)?;
                client
            }
        };
        let claims = id_token.claims(&client.id_token_verifier(), &nonce).map_err(classify)?;
        if let Some(expected) = claims.access_token_hash() {
            let verifier = client.id_token_verifier();
            let alg = id_token.signing_alg().map_err(|e| refused(SsoRefusal::Failed, e))?;
            let key = id_token.signing_key(&verifier).map_err(|e| refused(SsoRefusal::Failed, e))?;
            let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
                .map_err(|e| refused(SsoRefusal::Failed, e))?;
            if actual != *expected {
                return Err(refused(SsoRefusal::Failed, "the access token does not match the ID token"));
            }
        }
        // The claim, read from the payload whose signature was just verified (any claim, standard or not).
        let jwt = id_token.to_string();
        let payload = jwt.split('.').nth(1).ok_or_else(|| refused(SsoRefusal::Failed, "not a signed JWT"))?;
        let payload: serde_json::Value = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| refused(SsoRefusal::Failed, "the ID token's claims are not JSON"))?;
        match payload.get(&self.config.account_claim) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(refused(
                SsoRefusal::NotLinked,
                format!("the ID token has no {:?} claim to name an account", self.config.account_claim),
            )),
        }
    }
}

fn classify(e: ClaimsVerificationError) -> Refused {
    match e {
        ClaimsVerificationError::Expired(m) => refused(SsoRefusal::Expired, format!("expired ID token: {m}")),
        ClaimsVerificationError::InvalidAudience(m) => {
            refused(SsoRefusal::WrongAudience, format!("ID token for another audience: {m}"))
        }
        other => refused(SsoRefusal::Failed, format!("ID token refused: {other}")),
    }
}

fn read_pending(key: &[u8], cookie: Option<&str>, now_ms: i64) -> Result<Pending, Refused> {
    let cookie = cookie.ok_or_else(|| refused(SsoRefusal::Failed, "no sign-in under way in this browser"))?;
    if cookie.len() > MAX_COOKIE_CHARS {
        return Err(refused(SsoRefusal::Failed, "pending cookie too long"));
    }
    let (payload, mac) =
        cookie.split_once('.').ok_or_else(|| refused(SsoRefusal::Failed, "malformed pending cookie"))?;
    if !bool::from(sign(key, payload).as_bytes().ct_eq(mac.as_bytes())) {
        return Err(refused(SsoRefusal::Failed, "the pending cookie was not made here"));
    }
    let pending: Pending = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| refused(SsoRefusal::Failed, "unreadable pending cookie"))?;
    if now_ms > pending.until_ms {
        return Err(refused(SsoRefusal::Expired, "the sign-in was started too long ago"));
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending_cookie(key: &[u8], until_ms: i64) -> String {
        let p = Pending { state: "s".into(), nonce: "n".into(), verifier: "v".into(), until_ms };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap());
        format!("{payload}.{}", sign(key, &payload))
    }

    #[test]
    fn the_pending_cookie_is_ours_and_short_lived() {
        let key = b"the server's key";
        let good = pending_cookie(key, 1_000);
        assert_eq!(read_pending(key, Some(&good), 999).unwrap().state, "s");
        assert_eq!(read_pending(key, Some(&good), 1_001).unwrap_err().why, SsoRefusal::Expired);
        assert_eq!(read_pending(b"another key", Some(&good), 0).unwrap_err().why, SsoRefusal::Failed);
        let (payload, _) = good.split_once('.').unwrap();
        let forged = format!("{payload}.{}", "0".repeat(64));
        assert_eq!(read_pending(key, Some(&forged), 0).unwrap_err().why, SsoRefusal::Failed);
        assert!(read_pending(key, None, 0).is_err());
        assert!(read_pending(key, Some(&"x".repeat(5000)), 0).is_err());
    }
}
