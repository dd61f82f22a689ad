//! The de-identified service report for a ward and period (JSON, and CSV to download). Ward managers only, for
//! their own ward. Each download is recorded in the audit trail (against the ward: it names nobody).

use super::{
    audit::SignIn,
    export::{download, managed_ward, ward_records},
};
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    export::{day_start_ms, iso_date, report},
    state::AppState,
    store::{UserRow, audit::NewEntry, now_ms},
};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::Uri,
    response::Response,
};
use waymark_shared::api::{AuditAction, MAX_REPORT_DAYS, ReportQuery, ServiceReport, WardSummary};

async fn build(
    state: &AppState,
    viewer: &UserRow,
    sign_in: &SignIn,
    ward: String,
    uri: &Uri,
    form: &str,
) -> AppResult<ServiceReport> {
    let q: ReportQuery =
        Query::<ReportQuery>::try_from_uri(uri).map(|Query(q)| q).map_err(|e| AppError::InvalidInput(e.body_text()))?;
    let (Some(from), Some(to)) = (day_start_ms(&q.from), day_start_ms(&q.to)) else {
        return Err(AppError::InvalidInput("from and to must be dates written YYYY-MM-DD".into()));
    };
    if from > to {
        return Err(AppError::InvalidInput("from must not be after to".into()));
    }
    if (to - from) / (24 * 60 * 60 * 1000) >= MAX_REPORT_DAYS {
        return Err(AppError::InvalidInput(format!("a report covers at most {MAX_REPORT_DAYS} days")));
    }
    let name = managed_ward(state, viewer, &ward).await?;
    let records = ward_records(state, &ward).await?;
    let frameworks = state.store.frameworks().await?;
    let entry = NewEntry::by(viewer, AuditAction::Reported, "service_report")
        .ward(&ward)
        .detail(format!("{form}:{}..{}", q.from, q.to))
        .session(sign_in.as_deref())
        .coalesced();
    state.store.audit(&[entry]).await?;
    let today = iso_date(now_ms());
    Ok(report::service_report(WardSummary { id: ward, name }, &q.from, &q.to, &today, &records, &frameworks))
}

/// `GET /api/wards/{ward}/report?from=YYYY-MM-DD&to=YYYY-MM-DD`
pub async fn report_json(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    Path(ward): Path<String>,
    uri: Uri,
) -> AppResult<Json<ServiceReport>> {
    Ok(Json(build(&state, &viewer, &sign_in, ward, &uri, "json").await?))
}

/// `GET /api/wards/{ward}/report.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`
pub async fn report_csv(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    Path(ward): Path<String>,
    uri: Uri,
) -> AppResult<Response> {
    let r = build(&state, &viewer, &sign_in, ward, &uri, "csv").await?;
    let filename = format!("waymark-service-report-{}-{}.csv", r.from, r.to);
    Ok(download("text/csv; charset=utf-8", filename, report::report_csv(&r)))
}
