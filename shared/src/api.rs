//! Request and response bodies of the HTTP API, and its machine-readable error reasons.

use crate::i18n::{Lang, Msg};
use crate::people::{Relation, Role, UserId};
use serde::{Deserialize, Serialize};

/// The header that carries the session's CSRF token on every state-changing request.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `POST /api/session`
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in person, as the app needs to know them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub language: Lang,
    /// Easy read chosen on the account (short sentences, larger text, pictures). Missing in a copy saved on a device
    /// before it was kept: off.
    #[serde(default)]
    pub easy_read: bool,
    pub ward: Option<WardSummary>,
    /// Signed in with a one-time password: the app asks for a new password before anything else (and the server
    /// refuses everything else until then).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_change_password: bool,
}

/// `GET /api/session`, and the answer to a sign-in: who (if anyone) is signed in, and the CSRF token to send back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub user: Option<Me>,
    pub csrf_token: String,
}

/// `PUT /api/me/language`: the language, easy read, or both (at least one).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetLanguageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Lang>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easy_read: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WardSummary {
    pub id: String,
    pub name: String,
}

/// `GET /api/frameworks` — every outcome framework version (built in and custom, retired ones too, so old
/// readings still draw). The app keeps a copy on the device for offline use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworksResponse {
    pub frameworks: Vec<crate::outcomes::Framework>,
}

/// `POST /api/frameworks` — a ward manager or admin saves a custom framework. The server gives it the next version
/// number of its id (1 for a new id); built-in ids are refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveFrameworkRequest {
    pub id: crate::outcomes::FrameworkId,
    pub name: crate::outcomes::Text,
    pub areas: Vec<crate::outcomes::Area>,
    pub scale: crate::outcomes::Scale,
    pub asks_more_help: bool,
}

/// One service user in a list (a caseload, or the person a carer supports).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSummary {
    pub id: UserId,
    pub display_name: String,
    pub ward: Option<WardSummary>,
    /// The viewer's own place in this person's care team, if any.
    pub my_relation: Option<Relation>,
}

/// `GET /api/people` — the people the viewer may open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeopleList {
    pub people: Vec<PersonSummary>,
}

/// A member of a service user's care team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub id: UserId,
    pub display_name: String,
    pub role: Role,
    pub relation: Relation,
}

/// `GET /api/people/{id}` — one service user's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonPage {
    pub person: PersonSummary,
    pub care_team: Vec<TeamMember>,
    /// Admission, moves between wards and discharge, oldest first (see [`StayStep`]).
    #[serde(default)]
    pub stays: Vec<StayStep>,
}

impl PersonPage {
    /// The person's carers and peer support workers (id and name), in care-team order: those the person may share
    /// parts of the record with.
    pub fn carers(&self) -> Vec<(UserId, String)> {
        self.care_team
            .iter()
            .filter(|m| m.relation.is_supporter())
            .map(|m| (m.id.clone(), m.display_name.clone()))
            .collect()
    }
}

/// Why a request failed, for machines. The app shows the matching catalogue message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body was not valid JSON of the expected shape (including a missing or unknown field).
    InvalidBody,
    /// The body was valid JSON but a value broke a rule.
    InvalidInput,
    PayloadTooLarge,
    NotSignedIn,
    BadCredentials,
    TooManyAttempts,
    /// The CSRF token was missing or wrong.
    CsrfRejected,
    Forbidden,
    NotFound,
    /// A sync request named a protocol version this server does not speak: the app must update.
    SchemaMismatch,
    /// A mutation tried to create a record whose id is already taken.
    RecordExists,
    /// A mutation referred to a record that does not exist.
    RecordMissing,
    /// Too many devices' versions of one thing wait to be settled; settle them first.
    TooManyVersions,
    /// An invitation code that is not right, was used already, or has expired.
    InvitationNotValid,
    /// A new account asked for a username someone already has.
    UsernameTaken,
    Internal,
    /// Too many sign-ins are being checked at once: try again after `retry_after_secs` (HTTP 503).
    Busy,
    /// A new carer chose a name that reads the same as someone's on the person's care team.
    NameInUse,
    /// Signed in with a one-time password: choose a new password first (`POST /api/me/password`).
    PasswordChangeRequired,
    /// The account is switched off: no sign-in.
    AccountDeactivated,
    /// The person has been discharged: their record is read-only for staff.
    Discharged,
    /// Another account is already linked to this identity at the hospital's identity provider.
    IdentityTaken,
}

impl ErrorCode {
    /// The catalogue message to show a person for this error.
    pub fn message(self) -> Msg {
        match self {
            ErrorCode::InvalidBody | ErrorCode::InvalidInput => Msg::ErrorInvalidInput,
            ErrorCode::PayloadTooLarge => Msg::ErrorTooLarge,
            ErrorCode::NotSignedIn => Msg::ErrorNotSignedIn,
            ErrorCode::BadCredentials => Msg::ErrorBadCredentials,
            ErrorCode::TooManyAttempts => Msg::ErrorTooManyAttempts,
            ErrorCode::CsrfRejected => Msg::ErrorSessionExpired,
            ErrorCode::Forbidden | ErrorCode::NotFound => Msg::ErrorNotFound,
            ErrorCode::SchemaMismatch => Msg::ErrorUpdateApp,
            ErrorCode::RecordExists | ErrorCode::RecordMissing => Msg::ErrorInvalidInput,
            ErrorCode::TooManyVersions => Msg::ErrorTooManyVersions,
            ErrorCode::InvitationNotValid => Msg::JoinCodeNotValid,
            ErrorCode::UsernameTaken => Msg::JoinUsernameTaken,
            ErrorCode::Internal => Msg::ErrorServer,
            ErrorCode::Busy => Msg::ErrorBusy,
            ErrorCode::NameInUse => Msg::JoinNameInUse,
            ErrorCode::PasswordChangeRequired => Msg::ErrorPasswordChangeRequired,
            ErrorCode::AccountDeactivated => Msg::ErrorAccountDeactivated,
            ErrorCode::Discharged => Msg::ErrorDischarged,
            ErrorCode::IdentityTaken => Msg::AdminErrIdentityTaken,
        }
    }
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    /// A clear English explanation for developers and logs; people see the translated catalogue message.
    pub message: String,
    /// For `too_many_attempts` and `busy`: seconds until another try is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// For a refused sync push: the id of the mutation that was refused (the whole push was refused with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation_id: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_rejects_unknown_fields_and_requires_both() {
        let ok: SignInRequest = serde_json::from_str(r#"{"username":"a","password":"b"}"#).unwrap();
        assert_eq!(ok.username, "a");
        let missing = serde_json::from_str::<SignInRequest>(r#"{"username":"a"}"#).unwrap_err();
        assert!(missing.to_string().contains("missing field `password`"), "{missing}");
        assert!(serde_json::from_str::<SignInRequest>(r#"{"username":"a","password":"b","role":"admin"}"#).is_err());
    }

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        let e = ApiError {
            code: ErrorCode::TooManyAttempts,
            message: "wait".into(),
            retry_after_secs: Some(30),
            mutation_id: None,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "too_many_attempts");
        assert_eq!(json["retry_after_secs"], 30);
        let e2 = ApiError { retry_after_secs: None, ..e };
        assert!(serde_json::to_value(&e2).unwrap().get("retry_after_secs").is_none());
    }
}

/// Where someone in a planning session is writing: an item of a section, or a new item (`item: None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Editing {
    pub section: crate::plan::PlanSection,
    #[serde(default)]
    pub item: Option<crate::sync::RecordId>,
}

/// `POST /api/people/{id}/session/presence`: "I am here (and writing there)". Sent every few seconds while the
/// plan is open, and at once when someone starts or stops writing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    #[serde(default)]
    pub editing: Option<Editing>,
}

/// A shared planning session on one person's plan, started by a member of their care team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningSession {
    pub id: String,
    pub started_by: String,
    pub started_at_ms: i64,
    /// When it ended (explicitly, or by timing out after everyone left): `None` while it runs.
    pub ended_at_ms: Option<i64>,
    /// Everyone who joined, in the order they joined.
    pub joined: Vec<String>,
}

/// Someone in the session now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Present {
    pub user: UserId,
    pub name: String,
    pub role: Role,
    /// Where they are writing, when the viewer may see that section.
    pub editing: Option<Editing>,
}

/// The current (or most recent) planning session of a person's plan, and who is there now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionState {
    pub session: Option<PlanningSession>,
    pub present: Vec<Present>,
}

/// How long a session waits with nobody in it before it ends by itself.
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// Someone not heard from for this long has left the session.
pub const PRESENCE_WINDOW_MS: i64 = 15 * 1000;
/// How often an open plan says "I am here".
pub const PRESENCE_EVERY_MS: u32 = 4000;

/// `POST /api/people/{id}/invitations`: a code a carer uses once to make their account, linked to the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// Twelve letters and digits in groups of four (`K7QD-M2XH-9PWA`); case and dashes do not matter when typed.
    pub code: String,
    /// The app's link that opens the "join" page with the code filled in.
    pub link: String,
    pub expires_at_ms: i64,
}

/// `POST /api/invitations/accept`: make a carer account with an invitation code (and sign in).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub code: String,
    pub display_name: String,
    pub username: String,
    pub password: String,
}

/// How long an invitation code stays usable.
pub const INVITATION_VALID_MS: i64 = 14 * 24 * 60 * 60 * 1000;
/// The letters an invitation code is made of: no 0/O, 1/I/L or U, so it reads aloud and copies by hand well.
pub const INVITATION_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";

/// An invitation code as typed (any case, spaces or dashes) in its one canonical form, or `None` if it cannot be
/// one.
pub fn normalise_invitation_code(typed: &str) -> Option<String> {
    let code: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == 12 && code.bytes().all(|b| INVITATION_ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod invitation_tests {
    use super::*;

    #[test]
    fn invitation_codes_are_read_forgivingly() {
        assert_eq!(normalise_invitation_code("k7qd-m2xh-9pwa").as_deref(), Some("K7QDM2XH9PWA"));
        assert_eq!(normalise_invitation_code(" K7QD M2XH 9PWA ").as_deref(), Some("K7QDM2XH9PWA"));
        assert_eq!(normalise_invitation_code("K7QD-M2XH-9PW"), None, "too short");
        assert_eq!(normalise_invitation_code("K7QD-M2XH-9PWO"), None, "O is not in the alphabet");
        assert_eq!(normalise_invitation_code(""), None);
    }
}

/// `POST /api/device-key`: this device's id (made on the device: [`DEVICE_ID_HEX_CHARS`] lowercase hex digits).
/// The answer is the signed-in person's data key for this device, made on first asking and the same ever after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeviceKeyRequest {
    pub device: String,
}

/// The answer to [`DeviceKeyRequest`]: the key (256 bits, hex) the device encrypts this person's records under, and
/// how long the device may sit unused before it locks (set per ward).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceKey {
    pub key: String,
    pub lock_after_seconds: u32,
}

/// A device id is 128 random bits as lowercase hex.
pub const DEVICE_ID_HEX_CHARS: usize = 32;
/// How long a device may sit unused before it locks, unless the person's ward sets another time.
pub const DEFAULT_LOCK_AFTER_SECONDS: u32 = 300;

/// Is this a well-formed device id?
pub fn is_device_id(id: &str) -> bool {
    id.len() == DEVICE_ID_HEX_CHARS && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ---- Audit trail, export and the service report (issue 14). ----

named! {
    /// What someone did with a person's record, as the audit trail keeps it (never the content itself).
    pub enum AuditAction {
        /// Changed something (a sync push that was stored).
        Changed = "changed",
        /// Read the person's page from the server (`GET /api/people/{id}`), or their audit trail.
        Viewed = "viewed",
        /// Their device received the person's record through sync (once per sign-in on a device).
        Synced = "synced",
        /// Opened a page of the person's record in the app (reported by the app, even when it was offline).
        Opened = "opened",
        /// Downloaded an export of the person's record (FHIR or CSV).
        Exported = "exported",
        /// Downloaded a de-identified service report for a ward.
        Reported = "reported",
    }
}

named! {
    /// A page of a person's record whose opening the app reports to `POST /api/audit/views`.
    pub enum AuditPage {
        Person = "person",
        AboutMe = "about_me",
        Comments = "comments",
        Tracker = "tracker",
        Reading = "reading",
        Goals = "goals",
        Plan = "plan",
        PlanPrint = "plan_print",
        AuditTrail = "audit_trail",
    }
}

/// One page open, as the app queued it (on the device's clock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PageView {
    /// Whose record.
    pub person: UserId,
    pub page: AuditPage,
    /// When it was opened (Unix ms, the device's clock).
    pub at_ms: i64,
}

/// `POST /api/audit/views`: page opens the app queued (while offline too), sent in batches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportViewsRequest {
    /// At most [`MAX_VIEWS_PER_REPORT`].
    pub views: Vec<PageView>,
}

/// The answer to `POST /api/audit/views`. Every view sent is dealt with: the app may clear its queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportViewsResponse {
    /// Added to the audit trail now.
    pub recorded: u32,
    /// Sent before (the same person, page, time and viewer): nothing added.
    pub already_recorded: u32,
    /// About a record the viewer may not open (now): not recorded.
    pub not_recorded: u32,
}

/// Most page opens in one `POST /api/audit/views`.
pub const MAX_VIEWS_PER_REPORT: usize = 200;
/// Most page opens the server records for one person's account per hour (more answer 429 with Retry-After).
pub const MAX_VIEWS_PER_HOUR: u32 = 2000;
/// A page open older than this is refused (the app drops older ones from its queue rather than send them).
pub const MAX_VIEW_AGE_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A page open may be this far ahead of the server's clock (tablet clocks drift); further ahead is refused.
pub const MAX_VIEW_CLOCK_AHEAD_MS: i64 = 5 * 60 * 1000;

/// Who did something, with their name and role as they were then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditActor {
    pub id: UserId,
    pub name: String,
    pub role: Role,
}

/// One entry of a person's audit trail, for their care team (`GET /api/people/{id}/audit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its number in the server-wide chain (newer entries have higher numbers).
    pub seq: u64,
    /// When it happened (Unix ms; for a page open, the device's clock).
    pub at_ms: i64,
    /// When the server recorded it (Unix ms).
    pub recorded_ms: i64,
    pub who: AuditActor,
    pub action: AuditAction,
    /// The kind of record or page: a kind of cell for a change (`reading`, `goal`, `plan_item`, `about_me`, …), an
    /// [`AuditPage`] for a page open, `person_page`, `audit_trail`, `record`, `fhir_bundle`, `readings_csv`, ….
    pub what: String,
    /// Which record (an opaque id), where there is one.
    pub record: Option<String>,
    /// For a change: its type and outcome (`rate:applied`); for an export: its form (`deidentified`).
    pub detail: Option<String>,
    /// The device's sync id (for changes), where known.
    pub client: Option<String>,
    /// A reference to the sign-in it came from (the same for every entry of one sign-in on one device).
    pub sign_in: Option<String>,
}

/// `GET /api/people/{id}/audit`: newest first, a page at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditTrail {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` at the end.
    pub next_before: Option<u64>,
}

/// The filters of `GET /api/people/{id}/audit` (query string). Dates are `YYYY-MM-DD`, whole days in UTC,
/// inclusive.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only what this person did (their user id).
    #[serde(default)]
    pub who: Option<UserId>,
    /// Only this kind of record or page.
    #[serde(default)]
    pub what: Option<String>,
    #[serde(default)]
    pub action: Option<AuditAction>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Entries numbered below this (the `next_before` of the page before).
    #[serde(default)]
    pub before: Option<u64>,
    /// 1 to [`MAX_AUDIT_PAGE`]; [`DEFAULT_AUDIT_PAGE`] when not given.
    #[serde(default)]
    pub limit: Option<u32>,
}

pub const DEFAULT_AUDIT_PAGE: u32 = 50;
pub const MAX_AUDIT_PAGE: u32 = 200;

/// One time someone looked at the person's record, as the person is told it (`GET /api/me/record-views`): the name
/// and role of the member of staff or carer, what they looked at and when. Never the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordView {
    /// Its number (pass the last one's as `before` for older ones).
    pub seq: u64,
    pub at_ms: i64,
    pub name: String,
    pub role: Role,
    /// `viewed`, `opened`, `synced` or `exported`.
    pub action: AuditAction,
    /// What they looked at (an [`AuditPage`], `person_page`, `record`, `fhir_bundle`, `readings_csv`, …).
    pub what: String,
}

/// `GET /api/me/record-views?before=&limit=`: who has looked at my record, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordViews {
    pub views: Vec<RecordView>,
    pub next_before: Option<u64>,
}

/// The query of `GET /api/me/record-views`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct RecordViewsQuery {
    #[serde(default)]
    pub before: Option<u64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The query of the CSV exports: `?deidentified=true` leaves out names and free text and names each person by a
/// stable pseudonym instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CsvExportQuery {
    #[serde(default)]
    pub deidentified: bool,
}

/// The period of a service report (query string): `YYYY-MM-DD`, inclusive, at most [`MAX_REPORT_DAYS`] long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
}

/// Longest period of one service report.
pub const MAX_REPORT_DAYS: i64 = 3 * 366;
/// The fewest people a figure of a service report may rest on; below it the figure is withheld.
pub const MIN_REPORT_PEOPLE: u32 = 5;

/// One figure of a de-identified report: shown with the number of people behind it, or withheld because it rests
/// on fewer than [`MIN_REPORT_PEOPLE`] people (the number itself is then never sent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Figure {
    Shown {
        value: f64,
        /// How many people the figure rests on.
        people: u32,
    },
    #[serde(rename = "fewer_than_5")]
    FewerThan5,
}

/// Distance travelled in one area of one framework over the period: from each person's first reading in it to
/// their latest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaDistance {
    pub area: crate::outcomes::AreaId,
    pub label: crate::outcomes::Text,
    pub mean: Figure,
    pub median: Figure,
}

/// The distance travelled per area of one framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkDistances {
    pub framework: crate::outcomes::FrameworkId,
    pub name: crate::outcomes::Text,
    pub areas: Vec<AreaDistance>,
}

/// `GET /api/wards/{ward}/report?from=&to=`: a de-identified service report for one ward and period. Ward managers
/// only, for their own ward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceReport {
    pub ward: WardSummary,
    pub from: String,
    pub to: String,
    /// People on the ward with at least one reading dated in the period.
    pub people_with_readings: Figure,
    pub distance: Vec<FrameworkDistances>,
    /// Of the people on the ward with a safety plan, the share whose plan is agreed as it stands (0 to 1).
    pub plans_agreed: Figure,
    /// Of the plans with a review date, the share not overdue at the end of the period (0 to 1).
    pub plans_reviewed_on_time: Figure,
}

// Administration (issue 16): accounts, wards, care teams, admission, transfer and discharge, first passwords and
// staff sign-in through the hospital's identity provider. Every `/api/admin/…` route is for administrators (and, for
// their own ward's care teams and stays, ward managers); see `crate::admin` for the input rules.

named! {
    /// A step of a service user's stay on the wards.
    pub enum StayKind {
        Admitted = "admitted",
        Transferred = "transferred",
        Discharged = "discharged",
    }
}

/// One dated step of a person's stay: admitted to a ward, moved from one ward to another, discharged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StayStep {
    pub kind: StayKind,
    /// The ward admitted or moved to (for a discharge: the ward left).
    pub ward: Option<WardSummary>,
    /// For a move: the ward left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_ward: Option<WardSummary>,
    /// When it took effect (`YYYY-MM-DD`).
    pub date: String,
    /// Who recorded it, by name.
    pub recorded_by: String,
}

impl StayStep {
    /// Has the person been discharged (their last step is a discharge)?
    pub fn discharged(stays: &[StayStep]) -> bool {
        stays.last().is_some_and(|s| s.kind == StayKind::Discharged)
    }
}

/// `POST /api/admin/accounts`: a staff account (key worker, other staff, ward manager, administrator, peer support
/// worker) or a service user's account. The server makes a one-time password and answers it once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    pub username: String,
    pub display_name: String,
    pub role: Option<Role>,
    /// The ward (staff: where they work; a service user: the ward they are admitted to, today).
    #[serde(default)]
    pub ward: Option<String>,
    /// Staff: their identity at the hospital's identity provider (the configured claim's value).
    #[serde(default)]
    pub identity: Option<String>,
}

/// An account as administrators see it (no password, no clinical record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub ward: Option<WardSummary>,
    pub active: bool,
    /// Still on a one-time password.
    pub must_change_password: bool,
    /// Linked identity at the hospital's identity provider.
    pub identity: Option<String>,
}

/// `GET /api/admin/accounts?q=…`: accounts whose name or username holds the words searched for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
    /// More matched than were sent: search for something narrower.
    pub more: bool,
}

/// The answer to making an account or resetting its password: the one-time password, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OneTimePassword {
    pub account: AccountSummary,
    pub one_time_password: String,
}

/// A person whose care team an account is on (an account's caseload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadEntry {
    pub person: UserId,
    pub display_name: String,
    pub relation: Relation,
}

/// `GET /api/admin/accounts/{id}`: one account, with its care team (a service user's) or the people it is linked
/// to (everyone else's), and a service user's stays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDetail {
    pub account: AccountSummary,
    pub care_team: Vec<TeamMember>,
    pub linked_to: Vec<CaseloadEntry>,
    pub stays: Vec<StayStep>,
}

/// `PUT /api/admin/accounts/{id}/identity`: link a staff account to their identity at the hospital's identity
/// provider (`None` unlinks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetIdentityRequest {
    pub identity: Option<String>,
}

/// `POST /api/admin/wards`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWardRequest {
    pub name: String,
}

/// A ward with how many people and staff are on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WardInfo {
    pub id: String,
    pub name: String,
    pub people: u32,
    pub staff: u32,
}

/// `GET /api/admin/wards`: every ward (an administrator), or their own (a ward manager).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WardList {
    pub wards: Vec<WardInfo>,
}

/// A service user on a ward's roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterPerson {
    pub id: UserId,
    pub display_name: String,
    pub discharged: bool,
    /// Their key worker's name.
    pub key_worker: Option<String>,
}

/// `GET /api/admin/wards/{id}`: who is on the ward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WardRoster {
    pub ward: WardSummary,
    pub people: Vec<RosterPerson>,
    pub staff: Vec<AccountSummary>,
}

/// `GET /api/admin/people/{id}`: a service user's care team and stays, as their ward's manager or an administrator
/// manages them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPerson {
    pub person: AccountSummary,
    pub care_team: Vec<TeamMember>,
    pub stays: Vec<StayStep>,
    /// Accounts that may join the care team (staff of the person's ward, and every carer and peer support worker
    /// not on it yet), for the form.
    pub candidates: Vec<AccountSummary>,
}

/// `PUT /api/admin/people/{id}/care-team/{member}`: put someone on the person's care team in this place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CareTeamRequest {
    pub relation: Relation,
}

/// `POST /api/admin/people/{id}/admit` and `…/transfer` (a ward), `…/discharge` (no ward): dated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StayRequest {
    #[serde(default)]
    pub ward: Option<String>,
    pub date: String,
}

/// `POST /api/me/password`: choose a new password (required after signing in with a one-time password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `GET /api/sign-in/options`: how people may sign in here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInOptions {
    /// Staff may sign in through the hospital's identity provider (`GET /api/oidc/start`).
    pub identity_provider: bool,
}

named! {
    /// Why a sign-in through the hospital's identity provider was refused (`/sign-in?sso=…`).
    pub enum SsoRefusal {
        WrongAudience = "wrong_audience",
        Expired = "expired",
        NotLinked = "not_linked",
        Deactivated = "deactivated",
        Failed = "failed",
    }
}

impl SsoRefusal {
    pub fn message(self) -> Msg {
        match self {
            SsoRefusal::WrongAudience => Msg::SsoWrongAudience,
            SsoRefusal::Expired => Msg::SsoExpired,
            SsoRefusal::NotLinked => Msg::SsoNotLinked,
            SsoRefusal::Deactivated => Msg::ErrorAccountDeactivated,
            SsoRefusal::Failed => Msg::SsoFailed,
        }
    }
}
