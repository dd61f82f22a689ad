//! Exports of a person's record: a FHIR R4 Bundle and CSV of readings; CSV of a whole ward's readings. Every export
//! is recorded in the audit trail before it is sent.
//!
//! Who may export: staff who may open the record (the care team, ward managers for their ward) get the staff export,
//! with the staff-only notes (marked so); the person gets their own record without them (their right to a copy);
//! carers get no export (403). A ward's CSV is for its ward manager only.

use super::{
    audit::{SignIn, record_read},
    people::visible_person,
};
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    export::{
        ExportContext, PersonRecord,
        csv::{Naming, ReadingsCsv},
        fhir, iso_date, load_record,
    },
    state::AppState,
    store::{PersonRow, UserRow, audit::NewEntry, now_ms},
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, Uri, header},
    response::{IntoResponse, Response},
};
use waymark_shared::{
    Role,
    api::{AuditAction, CsvExportQuery},
};

/// The staff export (`true`), the person's own (`false`), or none (carers: 403).
pub(crate) fn export_kind(viewer: &UserRow, person: &PersonRow) -> AppResult<bool> {
    if viewer.id == person.id && viewer.role == Role::ServiceUser {
        Ok(false)
    } else if viewer.role.is_staff() {
        Ok(true)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A file to save: its type and the name it is saved under.
pub(crate) fn download(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

fn csv_query(uri: &Uri) -> AppResult<CsvExportQuery> {
    Query::<CsvExportQuery>::try_from_uri(uri).map(|Query(q)| q).map_err(|e| AppError::InvalidInput(e.body_text()))
}

/// `GET /api/people/{id}/export/fhir`: the person's record as a FHIR R4 JSON Bundle (`application/fhir+json`).
pub async fn fhir_bundle(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let person = visible_person(&state, &viewer, id).await?;
    let staff = export_kind(&viewer, &person)?;
    let record = load_record(&state.store, &person.id, &person.display_name, staff).await?;
    let frameworks = state.store.frameworks().await?;
    let care_team = state.store.care_team(&person.id).await?;
    let now = now_ms();
    let detail = if staff { "staff" } else { "own" };
    record_read(&state, &viewer, &sign_in, &person.id, AuditAction::Exported, "fhir_bundle", Some(detail)).await?;
    let bundle = fhir::bundle(&record, &ExportContext { frameworks: &frameworks, care_team: &care_team, now_ms: now });
    let body = serde_json::to_vec(&bundle).map_err(|e| AppError::Internal(format!("FHIR bundle: {e}")))?;
    tracing::info!(by = %viewer.id, person = %person.id, staff, "FHIR export");
    Ok(download("application/fhir+json", format!("waymark-record-{}.fhir.json", iso_date(now)), body))
}

/// `GET /api/people/{id}/export/readings.csv?deidentified=`: the person's finished readings as CSV.
pub async fn person_csv(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    Path(id): Path<String>,
    uri: Uri,
) -> AppResult<Response> {
    let q = csv_query(&uri)?;
    let person = visible_person(&state, &viewer, id).await?;
    export_kind(&viewer, &person)?;
    // Readings hold nothing staff-only.
    let record = load_record(&state.store, &person.id, &person.display_name, false).await?;
    let frameworks = state.store.frameworks().await?;
    let key = if q.deidentified { Some(state.store.pseudonym_key().await?) } else { None };
    let detail = if q.deidentified { "deidentified" } else { "identified" };
    record_read(&state, &viewer, &sign_in, &person.id, AuditAction::Exported, "readings_csv", Some(detail)).await?;
    let mut csv = ReadingsCsv::new(key.as_deref().map_or(Naming::Identified, Naming::Deidentified), &frameworks);
    csv.add(&record);
    Ok(download("text/csv; charset=utf-8", format!("waymark-readings-{}.csv", iso_date(now_ms())), csv.finish()))
}

/// A ward manager's own ward (403 for anyone who is not a ward manager, 404 for another ward or none).
pub(crate) async fn managed_ward(state: &AppState, viewer: &UserRow, ward: &str) -> AppResult<String> {
    if viewer.role != Role::WardManager {
        return Err(AppError::Forbidden);
    }
    if viewer.ward_id.as_deref() != Some(ward) {
        return Err(AppError::NotFound);
    }
    state.store.ward_name(ward).await?.ok_or(AppError::NotFound)
}

/// Everyone on a ward, their records read through the domain views (without staff-only parts).
pub(crate) async fn ward_records(state: &AppState, ward: &str) -> AppResult<Vec<PersonRecord>> {
    let mut records = Vec::new();
    for p in state.store.ward_people(ward).await? {
        records.push(load_record(&state.store, &p.id, &p.display_name, false).await?);
    }
    Ok(records)
}

/// `GET /api/wards/{ward}/export/readings.csv?deidentified=`: every finished reading of everyone on the ward, for
/// its ward manager. Recorded in each person's audit trail.
pub async fn ward_csv(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: SignIn,
    Path(ward): Path<String>,
    uri: Uri,
) -> AppResult<Response> {
    let q = csv_query(&uri)?;
    managed_ward(&state, &viewer, &ward).await?;
    let records = ward_records(&state, &ward).await?;
    let frameworks = state.store.frameworks().await?;
    let key = if q.deidentified { Some(state.store.pseudonym_key().await?) } else { None };
    let detail = if q.deidentified { "deidentified" } else { "identified" };
    let entries: Vec<NewEntry> = records
        .iter()
        .map(|r| {
            NewEntry::by(&viewer, AuditAction::Exported, "ward_readings_csv")
                .person(&r.id)
                .ward(&ward)
                .detail(detail)
                .session(sign_in.as_deref())
                .coalesced()
        })
        .collect();
    state.store.audit(&entries).await?;
    let mut csv = ReadingsCsv::new(key.as_deref().map_or(Naming::Identified, Naming::Deidentified), &frameworks);
    for r in &records {
        csv.add(r);
    }
    tracing::info!(by = %viewer.id, %ward, people = records.len(), deidentified = q.deidentified, "ward CSV export");
    Ok(download("text/csv; charset=utf-8", format!("waymark-ward-readings-{}.csv", iso_date(now_ms())), csv.finish()))
}
