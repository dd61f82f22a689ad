//! The OpenAPI 3.1 document of the HTTP API, served at `GET /api/openapi.json`. Every route of `routes.rs` is
//! described here (a test compares the two), with its request and response bodies generated from the very types
//! the handlers use (`waymark_shared::api`, the sync protocol, the domain changes: `utoipa::ToSchema`).
//!
//! Each `#[utoipa::path]` below documents the handler named in its doc line; the functions themselves are never
//! called. To add a route: add it to `routes.rs`, add its entry here, and list it in [`ApiDoc`].

#![allow(dead_code)]

use axum::Json;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
};
use waymark_shared::{
    api::{
        AcceptInvitationRequest, ApiError, AuditQuery, AuditTrail, CsvExportQuery, DeviceKey, DeviceKeyRequest,
        FrameworksResponse, Invitation, PeopleList, PersonPage, PresenceRequest, RecordViews, RecordViewsQuery,
        ReportQuery, ReportViewsRequest, ReportViewsResponse, SaveFrameworkRequest, ServiceReport, SessionInfo,
        SessionState, SetLanguageRequest, SignInRequest,
    },
    api::{
        AccountDetail, AccountList, AccountSummary, AdminPerson, CareTeamRequest, ChangePasswordRequest,
        NewAccountRequest, NewWardRequest, OneTimePassword, SetIdentityRequest, SignInOptions, StayRequest, WardInfo,
        WardList, WardRoster,
    },
    outcomes::Framework,
    sync::{PullQuery, PullResponse, PushRequest, PushResponse},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Waymark",
        description = "Waymark's HTTP API: sign-in, people and care teams, outcome frameworks, planning sessions, \
                       carer invitations, offline-first sync, the audit trail, exports and the service report. \
                       Signed-in requests carry the session cookie; every state-changing request also carries the \
                       session's CSRF token in `x-csrf-token` (from `GET /api/session`). Errors are `ApiError`.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        healthz,
        openapi_json,
        session_current,
        session_sign_in,
        session_sign_out,
        me_language,
        frameworks_list,
        frameworks_save,
        frameworks_retire,
        people_list,
        people_show,
        planning_show,
        planning_start,
        planning_presence,
        planning_end,
        invitations_create,
        invitations_accept,
        audit_views,
        audit_trail,
        audit_record_views,
        export_fhir,
        export_person_csv,
        export_ward_csv,
        report_json,
        report_csv,
        sync_push,
        sync_pull,
        sync_live,
        device_key,
        admin_accounts_search,
        admin_accounts_create,
        admin_accounts_show,
        admin_accounts_password,
        admin_accounts_deactivate,
        admin_accounts_reactivate,
        admin_accounts_identity,
        admin_wards_list,
        admin_wards_create,
        admin_wards_roster,
        admin_people_show,
        admin_care_team_link,
        admin_care_team_unlink,
        admin_admit,
        admin_transfer,
        admin_discharge,
        me_password,
        sign_in_options,
        oidc_start,
        oidc_callback,
    ),
    components(schemas(ApiError)),
    modifiers(&Security),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "people", description = "People and their care teams"),
        (name = "frameworks", description = "Outcome frameworks"),
        (name = "planning", description = "Planning sessions on a safety plan"),
        (name = "invitations", description = "Carers joining by invitation"),
        (name = "sync", description = "Offline-first sync"),
        (name = "audit", description = "Who looked at or changed a record"),
        (name = "export", description = "FHIR R4 and CSV exports"),
        (name = "report", description = "The de-identified service report"),
        (name = "admin", description = "Administration: accounts, wards, care teams, admission, moves and discharge"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::routes::SESSION_COOKIE,
                "The session cookie set at sign-in (HttpOnly, SameSite=Strict).",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                waymark_shared::api::CSRF_HEADER,
                "The session's CSRF token, on every POST, PUT and DELETE.",
            ))),
        );
    }
}

/// The document, built once.
pub fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises"))
}

/// `GET /api/openapi.json`: this document (no sign-in needed: it describes the API, not anyone's data).
pub async fn serve() -> Json<&'static serde_json::Value> {
    Json(document())
}

// ---- One entry per route. ----

/// The process is up and the database answers.
#[utoipa::path(get, path = "/healthz", tag = "session",
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = serde_json::Value), (status = 500, body = ApiError)))]
fn healthz() {}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "session",
    responses((status = 200, description = "The OpenAPI document", body = serde_json::Value)))]
fn openapi_json() {}

/// Who is signed in (if anyone), and a CSRF token for the next state-changing request.
#[utoipa::path(get, path = "/api/session", tag = "session", responses((status = 200, body = SessionInfo)))]
fn session_current() {}

/// Sign in (a new session id; five failures in 15 minutes lock the username for 15 minutes).
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = SignInRequest,
    responses((status = 200, body = SessionInfo), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 429, body = ApiError)))]
fn session_sign_in() {}

/// Sign out, ending the session on the server.
#[utoipa::path(delete, path = "/api/session", tag = "session", responses((status = 204, description = "Signed out")))]
fn session_sign_out() {}

/// Remember the language this person uses.
#[utoipa::path(put, path = "/api/me/language", tag = "people", request_body = SetLanguageRequest,
    responses((status = 204, description = "Saved"), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
fn me_language() {}

/// Every outcome framework version, built in and custom (retired ones too).
#[utoipa::path(get, path = "/api/frameworks", tag = "frameworks",
    responses((status = 200, body = FrameworksResponse), (status = 401, body = ApiError)))]
fn frameworks_list() {}

/// Save a custom framework as the next version of its id (ward managers and admins).
#[utoipa::path(post, path = "/api/frameworks", tag = "frameworks", request_body = SaveFrameworkRequest,
    responses((status = 201, body = Framework), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError)))]
fn frameworks_save() {}

/// No new readings may use this custom version.
#[utoipa::path(post, path = "/api/frameworks/{id}/{version}/retire", tag = "frameworks",
    params(("id" = String, Path, description = "The framework's id"), ("version" = u32, Path)),
    responses((status = 204, description = "Retired"), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn frameworks_retire() {}

/// Everyone the viewer may open.
#[utoipa::path(get, path = "/api/people", tag = "people", responses((status = 200, body = PeopleList)))]
fn people_list() {}

/// One person's page (recorded in their audit trail).
#[utoipa::path(get, path = "/api/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonPage), (status = 404, body = ApiError)))]
fn people_show() {}

/// The running (or most recent) planning session and who is in it.
#[utoipa::path(get, path = "/api/people/{id}/session", tag = "planning", params(("id" = String, Path)),
    responses((status = 200, body = SessionState), (status = 404, body = ApiError)))]
fn planning_show() {}

/// Start a planning session, or join the one running (the care team).
#[utoipa::path(post, path = "/api/people/{id}/session", tag = "planning", params(("id" = String, Path)),
    responses((status = 200, body = SessionState), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn planning_start() {}

/// "I am here, writing there".
#[utoipa::path(post, path = "/api/people/{id}/session/presence", tag = "planning", params(("id" = String, Path)),
    request_body = PresenceRequest,
    responses((status = 200, body = SessionState), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
fn planning_presence() {}

/// End the running planning session (the care team).
#[utoipa::path(post, path = "/api/people/{id}/session/end", tag = "planning", params(("id" = String, Path)),
    responses((status = 200, body = SessionState), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn planning_end() {}

/// A one-time code for a carer of this person (staff on the care team).
#[utoipa::path(post, path = "/api/people/{id}/invitations", tag = "invitations", params(("id" = String, Path)),
    responses((status = 201, body = Invitation), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn invitations_create() {}

/// Make a carer's account with an invitation code, and sign in.
#[utoipa::path(post, path = "/api/invitations/accept", tag = "invitations", request_body = AcceptInvitationRequest,
    responses((status = 200, body = SessionInfo), (status = 400, body = ApiError), (status = 409, body = ApiError)))]
fn invitations_accept() {}

/// Page opens the app queued (offline too), sent in batches of at most 200; at most 2,000 recorded per account per
/// hour (then 429 with Retry-After). Times in the future or older than 30 days: 400, nothing recorded.
#[utoipa::path(post, path = "/api/audit/views", tag = "audit", request_body = ReportViewsRequest,
    responses((status = 200, body = ReportViewsResponse), (status = 400, body = ApiError),
              (status = 429, body = ApiError)))]
fn audit_views() {}

/// Who looked at or changed the person's record, newest first, filtered and paged (staff who may open the record;
/// 403 for the person and carers).
#[utoipa::path(get, path = "/api/people/{id}/audit", tag = "audit", params(("id" = String, Path), AuditQuery),
    responses((status = 200, body = AuditTrail), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn audit_trail() {}

/// For a service user: who has looked at their record, in plain terms (403 for anyone else).
#[utoipa::path(get, path = "/api/me/record-views", tag = "audit", params(RecordViewsQuery),
    responses((status = 200, body = RecordViews), (status = 400, body = ApiError), (status = 403, body = ApiError)))]
fn audit_record_views() {}

/// The person's record as a FHIR R4 (4.0.1) Bundle: staff get the staff export (staff-only notes marked), the
/// person their own without them; carers 403.
#[utoipa::path(get, path = "/api/people/{id}/export/fhir", tag = "export", params(("id" = String, Path)),
    responses((status = 200, description = "A FHIR R4 Bundle (type collection)", content_type = "application/fhir+json",
               body = serde_json::Value),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn export_fhir() {}

/// The person's finished readings as CSV (identified, or de-identified with `?deidentified=true`).
#[utoipa::path(get, path = "/api/people/{id}/export/readings.csv", tag = "export",
    params(("id" = String, Path), CsvExportQuery),
    responses((status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn export_person_csv() {}

/// Every finished reading on a ward as CSV (its ward manager only).
#[utoipa::path(get, path = "/api/wards/{ward}/export/readings.csv", tag = "export",
    params(("ward" = String, Path), CsvExportQuery),
    responses((status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn export_ward_csv() {}

/// The de-identified service report for a ward and period (its ward manager only).
#[utoipa::path(get, path = "/api/wards/{ward}/report", tag = "report", params(("ward" = String, Path), ReportQuery),
    responses((status = 200, body = ServiceReport), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn report_json() {}

/// The same report as CSV.
#[utoipa::path(get, path = "/api/wards/{ward}/report.csv", tag = "report", params(("ward" = String, Path), ReportQuery),
    responses((status = 200, description = "measure, framework, area, statistic, value, people", content_type = "text/csv",
               body = String),
              (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn report_csv() {}

/// Decide a device's batch of mutations, all or nothing.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError), (status = 413, body = ApiError)))]
fn sync_push() {}

/// The cells the viewer may see that changed after their cursor.
#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 400, body = ApiError)))]
fn sync_pull() {}

/// Server-sent events: `hello`, then `changed` with `{"version": N}` when something the viewer may pull changed.
#[utoipa::path(get, path = "/api/sync/live", tag = "sync",
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream", body = String)))]
fn sync_live() {}

/// This device's data key for the signed-in person (made on first asking, the same ever after), with their ward's
/// lock time. At most 20 devices per person.
#[utoipa::path(post, path = "/api/device-key", tag = "session", request_body = DeviceKeyRequest,
    responses((status = 200, body = DeviceKey), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 409, body = ApiError)))]
fn device_key() {}

// Administration (issue 16): administrators; a person's care team and stay also their ward's manager.

/// Accounts whose name or username holds every word searched for (at most 50; `more` when there were more).
#[utoipa::path(get, path = "/api/admin/accounts", tag = "admin",
    params(("q" = Option<String>, Query, description = "Words to search for (at most 80 characters)")),
    responses((status = 200, body = AccountList), (status = 400, body = ApiError), (status = 403, body = ApiError)))]
fn admin_accounts_search() {}

/// Make a staff or service-user account; its one-time password is answered once.
#[utoipa::path(post, path = "/api/admin/accounts", tag = "admin", request_body = NewAccountRequest,
    responses((status = 201, body = OneTimePassword), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError)))]
fn admin_accounts_create() {}

/// One account, its care team or caseload, and a service user's stays.
#[utoipa::path(get, path = "/api/admin/accounts/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AccountDetail), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn admin_accounts_show() {}

/// A new one-time password: every session ends and the account's device keys are withdrawn.
#[utoipa::path(post, path = "/api/admin/accounts/{id}/password", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = OneTimePassword), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn admin_accounts_password() {}

/// Switch the account off: no sign-in, its sessions and live streams end, its pulls are refused.
#[utoipa::path(post, path = "/api/admin/accounts/{id}/deactivate", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AccountSummary), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn admin_accounts_deactivate() {}

/// Switch the account back on.
#[utoipa::path(post, path = "/api/admin/accounts/{id}/reactivate", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AccountSummary), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn admin_accounts_reactivate() {}

/// Link a staff account to its identity at the hospital's identity provider (`null` unlinks).
#[utoipa::path(put, path = "/api/admin/accounts/{id}/identity", tag = "admin", params(("id" = String, Path)),
    request_body = SetIdentityRequest,
    responses((status = 200, body = AccountSummary), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError), (status = 409, body = ApiError)))]
fn admin_accounts_identity() {}

/// Every ward (an administrator) or their own (a ward manager).
#[utoipa::path(get, path = "/api/admin/wards", tag = "admin",
    responses((status = 200, body = WardList), (status = 403, body = ApiError)))]
fn admin_wards_list() {}

/// A new ward (names are unique; 500 wards at most).
#[utoipa::path(post, path = "/api/admin/wards", tag = "admin", request_body = NewWardRequest,
    responses((status = 201, body = WardInfo), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError)))]
fn admin_wards_create() {}

/// Who is on a ward.
#[utoipa::path(get, path = "/api/admin/wards/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = WardRoster), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn admin_wards_roster() {}

/// A service user's care team and stays, and who may join the care team.
#[utoipa::path(get, path = "/api/admin/people/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AdminPerson), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn admin_people_show() {}

/// Put someone on the person's care team in this place (what they see changes at their next pull).
#[utoipa::path(put, path = "/api/admin/people/{id}/care-team/{member}", tag = "admin",
    params(("id" = String, Path), ("member" = String, Path)), request_body = CareTeamRequest,
    responses((status = 200, body = AdminPerson), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn admin_care_team_link() {}

/// Take someone off the person's care team.
#[utoipa::path(delete, path = "/api/admin/people/{id}/care-team/{member}", tag = "admin",
    params(("id" = String, Path), ("member" = String, Path)),
    responses((status = 200, body = AdminPerson), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
fn admin_care_team_unlink() {}

/// Admit the person to a ward, dated.
#[utoipa::path(post, path = "/api/admin/people/{id}/admit", tag = "admin", params(("id" = String, Path)),
    request_body = StayRequest,
    responses((status = 201, body = AdminPerson), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn admin_admit() {}

/// Move the person to another ward, dated (the old ward's staff leave the care team).
#[utoipa::path(post, path = "/api/admin/people/{id}/transfer", tag = "admin", params(("id" = String, Path)),
    request_body = StayRequest,
    responses((status = 201, body = AdminPerson), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn admin_transfer() {}

/// Discharge the person, dated (read-only for staff; sharing with carers and peer support ends).
#[utoipa::path(post, path = "/api/admin/people/{id}/discharge", tag = "admin", params(("id" = String, Path)),
    request_body = StayRequest,
    responses((status = 201, body = AdminPerson), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
fn admin_discharge() {}

/// Choose a new password (required after a one-time one); the person's other sessions end.
#[utoipa::path(post, path = "/api/me/password", tag = "session", request_body = ChangePasswordRequest,
    responses((status = 200, body = SessionInfo), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
fn me_password() {}

/// How people may sign in here (whether the hospital's identity provider is set up).
#[utoipa::path(get, path = "/api/sign-in/options", tag = "session", responses((status = 200, body = SignInOptions)))]
fn sign_in_options() {}

/// Off to the hospital's identity provider (authorization code with PKCE); 404 when none is set up.
#[utoipa::path(get, path = "/api/oidc/start", tag = "session",
    responses((status = 303, description = "To the identity provider"), (status = 404, body = ApiError)))]
fn oidc_start() {}

/// Back from the identity provider: signed in and sent to `/`, or sent to `/sign-in?sso=…` saying why not.
#[utoipa::path(get, path = "/api/oidc/callback", tag = "session",
    params(("code" = Option<String>, Query), ("state" = Option<String>, Query)),
    responses((status = 303, description = "To the app, signed in, or to the sign-in page with the reason")))]
fn oidc_callback() {}
