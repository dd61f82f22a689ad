//! The audit trail over HTTP: page opens reported by the app, a person's trail for their care team, and "who has
//! looked at my record" for the person. Carers never receive audit entries.

use super::{json::ApiJson, people::visible_person};
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    store::{
        UserRow,
        audit::{NewEntry, TrailFilter, session_ref},
        now_ms,
    },
};
use axum::{
    Json,
    extract::{FromRequestParts, Path, Query, State},
    http::{Uri, request::Parts},
};
use std::collections::BTreeSet;
use tower_sessions::Session;
use waymark_shared::{
    Role, UserId,
    api::{
        AuditAction, AuditQuery, AuditTrail, DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE, MAX_VIEW_AGE_MS,
        MAX_VIEW_CLOCK_AHEAD_MS, MAX_VIEWS_PER_HOUR, MAX_VIEWS_PER_REPORT, RecordViews, RecordViewsQuery,
        ReportViewsRequest, ReportViewsResponse,
    },
};

/// The sign-in a request comes from, as the audit trail names it (a reference derived from the session id, never
/// the id itself). `None` only for a session not saved yet.
pub struct SignIn(pub Option<String>);

impl FromRequestParts<AppState> for SignIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::Internal(format!("session layer missing: {msg}")))?;
        Ok(SignIn(session.id().map(|id| session_ref(&id.to_string()))))
    }
}

impl SignIn {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Record that `viewer` read `what` of `person`'s record, before answering with it (the same read from the same
/// sign-in within a minute is one entry).
pub async fn record_read(
    state: &AppState,
    viewer: &UserRow,
    sign_in: &SignIn,
    person: &UserId,
    action: AuditAction,
    what: &str,
    detail: Option<&str>,
) -> AppResult<()> {
    let mut entry = NewEntry::by(viewer, action, what).person(person).session(sign_in.as_deref());
    entry.detail = detail.map(str::to_owned);
    state.store.audit(&[entry.coalesced()]).await?;
    Ok(())
}

/// Record, once per sign-in on a device, each person whose cells a pull page sends (before it is sent).
pub async fn record_synced(
    state: &AppState,
    viewer: &UserRow,
    sign_in: &SignIn,
    page: &waymark_shared::sync::PullResponse,
) -> AppResult<()> {
    let people: BTreeSet<&UserId> = page.events.iter().map(|e| &e.key.person).collect();
    if people.is_empty() {
        return Ok(());
    }
    let people: Vec<UserId> = people.into_iter().cloned().collect();
    // Without a saved session (never for a signed-in request) each pull is its own sign-in.
    let reference = sign_in.0.clone().unwrap_or_else(|| format!("pull-{}", crate::store::new_id()));
    state.store.audit_synced(viewer, &reference, &people).await?;
    Ok(())
}

fn query<T: serde::de::DeserializeOwned>(uri: &Uri) -> AppResult<T> {
    Query::<T>::try_from_uri(uri).map(|Query(q)| q).map_err(|e| AppError::InvalidInput(e.body_text()))
}

fn page_size(limit: Option<u32>) -> AppResult<u32> {
    let limit = limit.unwrap_or(DEFAULT_AUDIT_PAGE);
    if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
        return Err(AppError::InvalidInput(format!("limit must be 1 to {MAX_AUDIT_PAGE}")));
    }
    Ok(limit)
}

/// `POST /api/audit/views`: page opens the app queued, possibly while offline. All or nothing for the shape (too
/// many, unknown page, a time in the future or older than 30 days: 400, nothing recorded); a view of a record the
/// viewer may not open now is not recorded and counted as such; a view sent before is recorded once.
pub async fn report_views(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    ApiJson(body): ApiJson<ReportViewsRequest>,
) -> AppResult<Json<ReportViewsResponse>> {
    if body.views.len() > MAX_VIEWS_PER_REPORT {
        return Err(AppError::InvalidInput(format!("at most {MAX_VIEWS_PER_REPORT} page views may be sent at once")));
    }
    let now = now_ms();
    for v in &body.views {
        if v.at_ms > now + MAX_VIEW_CLOCK_AHEAD_MS {
            return Err(AppError::InvalidInput("a page view's time is in the future: check the device's clock".into()));
        }
        if v.at_ms < now - MAX_VIEW_AGE_MS {
            return Err(AppError::InvalidInput(
                "a page view is older than 30 days: drop it rather than send it".into(),
            ));
        }
        if v.person.0.is_empty() || v.person.0.len() > 64 {
            return Err(AppError::InvalidInput("person must be a person's id".into()));
        }
    }
    if body.views.is_empty() {
        return Ok(Json(ReportViewsResponse::default()));
    }
    let visible: BTreeSet<UserId> = state.store.people_visible_to(&viewer).await?.into_iter().map(|p| p.id).collect();
    let (mine, others): (Vec<_>, Vec<_>) = body.views.iter().partition(|v| visible.contains(&v.person));
    let entries: Vec<NewEntry> = mine
        .iter()
        .map(|v| NewEntry {
            at_ms: v.at_ms,
            dedupe: Some(format!("opened:{}:{}:{}:{}", viewer.id.0, v.person.0, v.page.as_str(), v.at_ms)),
            ..NewEntry::by(&viewer, AuditAction::Opened, v.page.as_str()).person(&v.person).session(sign_in.as_deref())
        })
        .collect();
    let hour_ago = now - 60 * 60 * 1000;
    let recent = state.store.audit_opened_since(&viewer.id, hour_ago).await?;
    if recent + entries.len() as i64 > i64::from(MAX_VIEWS_PER_HOUR) {
        tracing::warn!(user = %viewer.id, recent, sent = entries.len(), "page views refused: over the hourly limit");
        return Err(AppError::TooManyRequests { retry_after_secs: 600 });
    }
    let recorded = state.store.audit(&entries).await?;
    Ok(Json(ReportViewsResponse {
        recorded: recorded as u32,
        already_recorded: (entries.len() - recorded) as u32,
        not_recorded: others.len() as u32,
    }))
}

/// `GET /api/people/{id}/audit?who=&what=&action=&from=&to=&before=&limit=`: who looked at or changed the person's
/// record, when, from which device; newest first. Staff who may open the record (their care team, and ward managers
/// for their ward); 403 for the person and carers, 404 for anyone who may not open the record. Reading it is itself
/// recorded.
pub async fn person_trail(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<Json<AuditTrail>> {
    let person = visible_person(&state, &viewer, id).await?;
    if !viewer.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let q: AuditQuery = query(&uri)?;
    let limit = page_size(q.limit)?;
    let day = |d: &Option<String>, what: &str| -> AppResult<Option<i64>> {
        d.as_deref()
            .map(|d| {
                crate::export::day_start_ms(d)
                    .ok_or_else(|| AppError::InvalidInput(format!("{what} must be a date written YYYY-MM-DD")))
            })
            .transpose()
    };
    let from = day(&q.from, "from")?;
    let to = day(&q.to, "to")?.map(|t| t + 24 * 60 * 60 * 1000);
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(AppError::InvalidInput("from must not be after to".into()));
    }
    if q.what.as_ref().is_some_and(|w| w.is_empty() || w.len() > 40) || q.who.as_ref().is_some_and(|w| w.0.len() > 64) {
        return Err(AppError::InvalidInput("who and what must be an id and a kind of record".into()));
    }
    record_read(&state, &viewer, &sign_in, &person.id, AuditAction::Viewed, "audit_trail", None).await?;
    let filter = TrailFilter::from_query(&q, from, to, limit);
    let (entries, more) = state.store.audit_trail(&person.id, &filter).await?;
    let next_before = if more { entries.last().map(|e| e.seq) } else { None };
    Ok(Json(AuditTrail { entries, next_before }))
}

/// `GET /api/me/record-views?before=&limit=`: for a service user, who has looked at their record (the names and
/// roles of staff and carers, what they looked at, when), newest first. Never the device, and never their own
/// looks. 403 for anyone else.
pub async fn my_record_views(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    uri: Uri,
) -> AppResult<Json<RecordViews>> {
    if viewer.role != Role::ServiceUser {
        return Err(AppError::Forbidden);
    }
    let q: RecordViewsQuery = query(&uri)?;
    let limit = page_size(q.limit)?;
    let (views, more) = state.store.record_views(&viewer.id, q.before, limit).await?;
    let next_before = if more { views.last().map(|v| v.seq) } else { None };
    Ok(Json(RecordViews { views, next_before }))
}
