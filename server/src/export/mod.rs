//! Exports of a person's record (FHIR R4 and CSV) and the de-identified service report. Everything is read through
//! the domain modules: a person's cells are turned into readings, goals and the plan by `TrackerView::build` and
//! `PlanView::build`, and sharing decisions by the consent domain's decoder; nothing here reads a cell's fields.

pub mod csv;
pub mod fhir;
pub mod report;

use crate::store::Store;
use std::collections::BTreeMap;
use waymark_shared::{
    UserId,
    api::TeamMember,
    consent::ConsentChange,
    outcomes::Framework,
    plan::view::PlanView,
    sync::{Authorship, Change, Kind, ShownCell},
    tracker::{SharedPart, view::ReadingView, view::TrackerView},
};

/// Is this reading finished, so that it belongs in exports and reports? The one place the rule lives. Readings have
/// no draft state yet, so every reading counts; when drafts arrive, this is the line to change.
pub fn is_finished(reading: &ReadingView) -> bool {
    let _ = reading;
    true
}

/// One sharing decision: the person shares (or not) a part of their record with a carer, and who recorded it when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharingDecision {
    pub part: SharedPart,
    pub carer: UserId,
    pub share: bool,
    pub review_by: Option<String>,
    pub by: Option<Authorship>,
}

/// A person's record as exports and reports read it.
#[derive(Clone, Debug)]
pub struct PersonRecord {
    pub id: UserId,
    pub name: String,
    pub tracker: TrackerView,
    pub plan: PlanView,
    pub sharing: Vec<SharingDecision>,
    /// The staff-only parts are included (a staff export).
    pub staff_only: bool,
}

impl PersonRecord {
    /// Build from the person's cells through the domain views.
    pub fn build(
        id: UserId,
        name: String,
        cells: &BTreeMap<waymark_shared::sync::CellKey, ShownCell>,
        staff_only: bool,
    ) -> PersonRecord {
        let tracker = TrackerView::build(cells);
        let plan = PlanView::build(cells);
        let sharing = cells
            .iter()
            .filter(|(k, _)| k.kind == Kind::Sharing)
            .filter_map(|(k, c)| match Change::decode(k, &c.value, &|_| None) {
                Some(Change::Consent(ConsentChange::Share { part, carer, share, review_by })) => {
                    Some(SharingDecision { part, carer, share, review_by, by: c.by.clone() })
                }
                _ => None,
            })
            .collect();
        PersonRecord { id, name, tracker, plan, sharing, staff_only }
    }

    /// The finished readings, oldest first.
    pub fn finished_readings(&self) -> impl Iterator<Item = &ReadingView> {
        self.tracker.readings.iter().filter(|r| is_finished(r))
    }
}

/// Load one person's record (staff-only parts only for a staff export).
pub async fn load_record(
    store: &Store,
    id: &UserId,
    name: &str,
    staff_only: bool,
) -> Result<PersonRecord, sqlx::Error> {
    let cells = store.person_cells(id, staff_only).await?;
    Ok(PersonRecord::build(id.clone(), name.to_owned(), &cells, staff_only))
}

/// What an export needs besides the record: the framework versions readings name, and the care team's names.
pub struct ExportContext<'a> {
    pub frameworks: &'a [Framework],
    pub care_team: &'a [TeamMember],
    /// When the export was made (Unix ms).
    pub now_ms: i64,
}

/// Unix ms as an ISO 8601 instant in UTC (`2026-11-22T10:04:05.123Z`).
pub fn iso_instant(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&f).unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".into())
}

/// Unix ms as a calendar date in UTC (`2026-11-22`).
pub fn iso_date(ms: i64) -> String {
    iso_instant(ms)[..10].to_owned()
}

/// The first millisecond of a `YYYY-MM-DD` day in UTC, if it is a real date.
pub fn day_start_ms(date: &str) -> Option<i64> {
    if !waymark_shared::tracker::is_date(date) {
        return None;
    }
    let f = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, &f).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_are_iso_in_utc() {
        assert_eq!(iso_instant(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_instant(1_763_805_845_123), "2025-11-22T10:04:05.123Z");
        assert_eq!(iso_date(1_763_805_845_123), "2025-11-22");
        assert_eq!(day_start_ms("2025-11-22"), Some(1_763_769_600_000));
        assert_eq!(day_start_ms("2025-02-30"), None);
        assert_eq!(day_start_ms("yesterday"), None);
    }
}
