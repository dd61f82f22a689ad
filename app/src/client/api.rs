//! Waymark's API, typed: every URL the app uses and the request and answer of each. Nothing else in the app names
//! an `/api/…` address or calls [`super::http`]; pages and components call these.

use super::http::{self, Failure, Method};
use std::marker::PhantomData;
use waymark_shared::{
    Relation, UserId,
    api::{
        AcceptInvitationRequest, AccountDetail, AccountList, AccountSummary, AdminPerson, CareTeamRequest,
        ChangePasswordRequest, DeviceKey, DeviceKeyRequest, FrameworksResponse, Invitation, NewAccountRequest,
        NewWardRequest, OneTimePassword, PeopleList, PersonPage, PresenceRequest, SessionInfo, SessionState,
        SetIdentityRequest, SetLanguageRequest, SignInOptions, SignInRequest, StayKind, StayRequest, WardInfo,
        WardList, WardRoster,
    },
    api::{
        AuditQuery, AuditTrail, RecordViews, ReportViewsRequest, ReportViewsResponse, SaveFrameworkRequest,
        ServiceReport,
    },
    sync::{PullQuery, PullResponse, PushRequest, PushResponse},
};

/// The live channel (server-sent events: `hello` when it opens, `changed` when something the viewer may see
/// changed).
pub const LIVE: &str = "/api/sync/live";

/// A page the app keeps on the device, so it opens offline too: where it comes from, and the key it is kept under
/// (see `SyncEngine::page`).
pub struct KeptPage<T> {
    pub url: String,
    pub key: String,
    answer: PhantomData<fn() -> T>,
}

impl<T> KeptPage<T> {
    fn new(url: String, key: String) -> KeptPage<T> {
        KeptPage { url, key, answer: PhantomData }
    }
}

/// `GET /api/people`: the people this viewer may open.
pub fn people() -> KeptPage<PeopleList> {
    KeptPage::new("/api/people".into(), "people".into())
}

/// `GET /api/people/{id}`: one person's page.
pub fn person(id: &UserId) -> KeptPage<PersonPage> {
    KeptPage::new(format!("/api/people/{id}"), format!("person:{id}"))
}

/// Fetch a kept page from the server (the caller keeps the copy).
pub async fn fetch<T: serde::de::DeserializeOwned>(page: &KeptPage<T>) -> Result<T, Failure> {
    http::get::<T>(&page.url).await
}

// Sessions and accounts.

/// `GET /api/session`: who is signed in here, and the CSRF token.
pub async fn session() -> Result<SessionInfo, Failure> {
    http::get("/api/session").await
}

/// `POST /api/session`: sign in.
pub async fn sign_in(token: &str, body: &SignInRequest) -> Result<SessionInfo, Failure> {
    http::send(Method::POST, "/api/session", token, Some(body)).await
}

/// `DELETE /api/session`: sign out.
pub async fn sign_out(token: &str) -> Result<(), Failure> {
    http::send::<(), ()>(Method::DELETE, "/api/session", token, None).await
}

/// `POST /api/invitations/accept`: make a carer's account with an invitation code, and sign in with it.
pub async fn accept_invitation(token: &str, body: &AcceptInvitationRequest) -> Result<SessionInfo, Failure> {
    http::send(Method::POST, "/api/invitations/accept", token, Some(body)).await
}

/// `PUT /api/me/language`: keep the language choice on the account.
pub async fn set_language(token: &str, body: &SetLanguageRequest) -> Result<(), Failure> {
    http::send::<_, ()>(Method::PUT, "/api/me/language", token, Some(body)).await
}

/// `POST /api/device-key`: the signed-in person's data key for this device (and their ward's lock time).
pub async fn device_key(token: &str, body: &DeviceKeyRequest) -> Result<DeviceKey, Failure> {
    http::send(Method::POST, "/api/device-key", token, Some(body)).await
}

/// `POST /api/people/{id}/invitations`: a one-time code for a new carer of this person.
pub async fn invite_carer(token: &str, person: &UserId) -> Result<Invitation, Failure> {
    let url = format!("/api/people/{person}/invitations");
    http::send(Method::POST, &url, token, Some(&serde_json::json!({}))).await
}

// Outcome frameworks.

/// `GET /api/frameworks`: every framework a reading may use (built-in and the ward's own, every version).
pub async fn frameworks() -> Result<FrameworksResponse, Failure> {
    http::get("/api/frameworks").await
}

/// `POST /api/frameworks`: save a custom framework as the next version of its id (ward managers and admins).
pub async fn save_framework(
    token: &str,
    body: &SaveFrameworkRequest,
) -> Result<waymark_shared::outcomes::Framework, Failure> {
    http::send(Method::POST, "/api/frameworks", token, Some(body)).await
}

/// `POST /api/frameworks/{id}/{version}/retire`: no new readings may use this custom version.
pub async fn retire_framework(token: &str, id: &str, version: u32) -> Result<(), Failure> {
    let url = format!("/api/frameworks/{}/{version}/retire", encode(id));
    http::send(Method::POST, &url, token, Some(&serde_json::json!({}))).await
}

// Planning sessions.

/// What to do with a person's planning session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanningAction {
    Start,
    End,
}

/// `POST /api/people/{id}/session/presence`: "I am here (writing there)"; answers who else is.
pub async fn planning_presence(token: &str, person: &UserId, body: &PresenceRequest) -> Result<SessionState, Failure> {
    let url = format!("/api/people/{person}/session/presence");
    http::send(Method::POST, &url, token, Some(body)).await
}

/// `POST /api/people/{id}/session` (start) or `…/session/end`.
pub async fn planning(token: &str, person: &UserId, action: PlanningAction) -> Result<SessionState, Failure> {
    let url = match action {
        PlanningAction::Start => format!("/api/people/{person}/session"),
        PlanningAction::End => format!("/api/people/{person}/session/end"),
    };
    http::send(Method::POST, &url, token, Some(&serde_json::json!({}))).await
}

// The audit trail, export and the service report (issue 14).

/// `POST /api/audit/views`: page opens queued on this device (sent after each push).
pub async fn report_views(token: &str, body: &ReportViewsRequest) -> Result<ReportViewsResponse, Failure> {
    http::send(Method::POST, "/api/audit/views", token, Some(body)).await
}

/// The address of `GET /api/people/{id}/audit` with its filters.
pub fn audit_url(person: &UserId, q: &AuditQuery) -> String {
    let mut url =
        format!("/api/people/{person}/audit?limit={}", q.limit.unwrap_or(waymark_shared::api::DEFAULT_AUDIT_PAGE));
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            url.push_str(&format!("&{k}={}", encode(&v)));
        }
    };
    add("who", q.who.as_ref().map(|w| w.0.clone()));
    add("what", q.what.clone());
    add("action", q.action.map(|a| a.as_str().to_owned()));
    add("from", q.from.clone());
    add("to", q.to.clone());
    add("before", q.before.map(|b| b.to_string()));
    url
}

/// `GET /api/people/{id}/audit`: who looked at or changed the person's record (staff on their care team).
pub async fn audit_trail(person: &UserId, q: &AuditQuery) -> Result<AuditTrail, Failure> {
    http::get(&audit_url(person, q)).await
}

/// `GET /api/me/record-views`: who has looked at my record (for a service user).
pub async fn record_views(before: Option<u64>) -> Result<RecordViews, Failure> {
    match before {
        Some(b) => http::get(&format!("/api/me/record-views?before={b}")).await,
        None => http::get("/api/me/record-views").await,
    }
}

/// `GET /api/people/{id}/export/fhir`: the person's record as a FHIR R4 bundle (a download link).
pub fn fhir_export_url(person: &UserId) -> String {
    format!("/api/people/{person}/export/fhir")
}

/// `GET /api/people/{id}/export/readings.csv`: the person's finished readings (a download link).
pub fn person_csv_url(person: &UserId) -> String {
    format!("/api/people/{person}/export/readings.csv")
}

/// `GET /api/wards/{ward}/export/readings.csv?deidentified=`: every reading on the ward (a download link).
pub fn ward_csv_url(ward: &str, deidentified: bool) -> String {
    format!("/api/wards/{}/export/readings.csv?deidentified={deidentified}", encode(ward))
}

/// `GET /api/wards/{ward}/report?from=&to=`: the de-identified service report.
pub async fn service_report(ward: &str, from: &str, to: &str) -> Result<ServiceReport, Failure> {
    http::get(&format!("/api/wards/{}/report?from={}&to={}", encode(ward), encode(from), encode(to))).await
}

/// `GET /api/wards/{ward}/report.csv?from=&to=`: the same report as CSV (a download link).
pub fn service_report_csv_url(ward: &str, from: &str, to: &str) -> String {
    format!("/api/wards/{}/report.csv?from={}&to={}", encode(ward), encode(from), encode(to))
}

// Sync.

/// `POST /api/sync/push`: edits made on this device.
pub async fn push(token: &str, body: &PushRequest) -> Result<PushResponse, Failure> {
    http::send(Method::POST, "/api/sync/push", token, Some(body)).await
}

/// The address of a pull.
pub fn pull_url(q: &PullQuery) -> String {
    let mut url = format!("/api/sync/pull?schema={}&since={}", q.schema, q.since);
    if let Some(limit) = q.limit {
        url.push_str(&format!("&limit={limit}"));
    }
    if let Some(scope) = &q.scope {
        url.push_str(&format!("&scope={}", encode(scope)));
    }
    if let Some(acked) = q.acked.as_deref().filter(|a| !a.is_empty()) {
        url.push_str(&format!("&acked={}", encode(acked)));
    }
    url
}

/// `GET /api/sync/pull`: what changed after the device's cursor, that this viewer may see.
pub async fn pull(q: &PullQuery) -> Result<PullResponse, Failure> {
    http::get(&pull_url(q)).await
}

/// Percent-encodes what a query value may not hold as it is.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// Administration (issue 16).

/// `GET /api/sign-in/options`: whether staff may sign in through the hospital's identity provider.
pub async fn sign_in_options() -> Result<SignInOptions, Failure> {
    http::get("/api/sign-in/options").await
}

/// Where the browser goes to sign in through the hospital's identity provider.
pub const OIDC_START: &str = "/api/oidc/start";

/// `POST /api/me/password`: choose a new password (after a one-time one).
pub async fn change_password(token: &str, body: &ChangePasswordRequest) -> Result<SessionInfo, Failure> {
    http::send(Method::POST, "/api/me/password", token, Some(body)).await
}

/// `GET /api/admin/accounts?q=…`.
pub async fn admin_search(q: &str) -> Result<AccountList, Failure> {
    http::get(&format!("/api/admin/accounts?q={}", encode(q))).await
}

/// `POST /api/admin/accounts`.
pub async fn admin_create_account(token: &str, body: &NewAccountRequest) -> Result<OneTimePassword, Failure> {
    http::send(Method::POST, "/api/admin/accounts", token, Some(body)).await
}

/// `GET /api/admin/accounts/{id}`.
pub async fn admin_account(id: &UserId) -> Result<AccountDetail, Failure> {
    http::get(&format!("/api/admin/accounts/{}", encode(&id.0))).await
}

/// `POST /api/admin/accounts/{id}/password`.
pub async fn admin_reset_password(token: &str, id: &UserId) -> Result<OneTimePassword, Failure> {
    let url = format!("/api/admin/accounts/{}/password", encode(&id.0));
    http::send(Method::POST, &url, token, Some(&serde_json::json!({}))).await
}

/// `POST /api/admin/accounts/{id}/deactivate` (`on` false) or `…/reactivate` (`on` true).
pub async fn admin_switch(token: &str, id: &UserId, on: bool) -> Result<AccountSummary, Failure> {
    let what = if on { "reactivate" } else { "deactivate" };
    let url = format!("/api/admin/accounts/{}/{what}", encode(&id.0));
    http::send(Method::POST, &url, token, Some(&serde_json::json!({}))).await
}

/// `PUT /api/admin/accounts/{id}/identity`.
pub async fn admin_set_identity(
    token: &str,
    id: &UserId,
    body: &SetIdentityRequest,
) -> Result<AccountSummary, Failure> {
    let url = format!("/api/admin/accounts/{}/identity", encode(&id.0));
    http::send(Method::PUT, &url, token, Some(body)).await
}

/// `GET /api/admin/wards`.
pub async fn admin_wards() -> Result<WardList, Failure> {
    http::get("/api/admin/wards").await
}

/// `POST /api/admin/wards`.
pub async fn admin_create_ward(token: &str, body: &NewWardRequest) -> Result<WardInfo, Failure> {
    http::send(Method::POST, "/api/admin/wards", token, Some(body)).await
}

/// `GET /api/admin/wards/{id}`.
pub async fn admin_ward(id: &str) -> Result<WardRoster, Failure> {
    http::get(&format!("/api/admin/wards/{}", encode(id))).await
}

/// `GET /api/admin/people/{id}`.
pub async fn admin_person(id: &UserId) -> Result<AdminPerson, Failure> {
    http::get(&format!("/api/admin/people/{}", encode(&id.0))).await
}

/// `PUT /api/admin/people/{id}/care-team/{member}` (`Some` relation) or `DELETE` it (`None`).
pub async fn admin_care_team(
    token: &str,
    person: &UserId,
    member: &UserId,
    relation: Option<Relation>,
) -> Result<AdminPerson, Failure> {
    let url = format!("/api/admin/people/{}/care-team/{}", encode(&person.0), encode(&member.0));
    match relation {
        Some(relation) => http::send(Method::PUT, &url, token, Some(&CareTeamRequest { relation })).await,
        None => http::send::<(), _>(Method::DELETE, &url, token, None).await,
    }
}

/// `POST /api/admin/people/{id}/admit`, `…/transfer` or `…/discharge`.
pub async fn admin_stay(
    token: &str,
    person: &UserId,
    kind: StayKind,
    body: &StayRequest,
) -> Result<AdminPerson, Failure> {
    let what = match kind {
        StayKind::Admitted => "admit",
        StayKind::Transferred => "transfer",
        StayKind::Discharged => "discharge",
    };
    let url = format!("/api/admin/people/{}/{what}", encode(&person.0));
    http::send(Method::POST, &url, token, Some(body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_names_its_cursor_scope_and_the_acknowledged_versions() {
        let q = PullQuery {
            schema: 1,
            since: 42,
            limit: Some(500),
            scope: Some("v1:abc=".into()),
            acked: Some("43,47".into()),
        };
        assert_eq!(pull_url(&q), "/api/sync/pull?schema=1&since=42&limit=500&scope=v1%3Aabc%3D&acked=43%2C47");
        let first = PullQuery { schema: 1, since: 0, limit: None, scope: None, acked: Some(String::new()) };
        assert_eq!(pull_url(&first), "/api/sync/pull?schema=1&since=0");
    }

    #[test]
    fn pages_kept_on_the_device_have_one_key_each() {
        let alys = UserId("u-alys".into());
        assert_eq!(person(&alys).url, "/api/people/u-alys");
        assert_eq!(person(&alys).key, "person:u-alys");
        assert_eq!(people().key, "people");
    }

    #[test]
    fn the_audit_trail_address_carries_only_the_filters_given() {
        let alys = UserId("u-alys".into());
        assert_eq!(audit_url(&alys, &AuditQuery::default()), "/api/people/u-alys/audit?limit=50");
        let q = AuditQuery {
            action: Some(waymark_shared::api::AuditAction::Exported),
            from: Some("2026-11-01".into()),
            what: Some(String::new()),
            before: Some(9),
            ..AuditQuery::default()
        };
        assert_eq!(audit_url(&alys, &q), "/api/people/u-alys/audit?limit=50&action=exported&from=2026-11-01&before=9");
    }
}
