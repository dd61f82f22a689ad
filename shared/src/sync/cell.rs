//! Cells: the smallest unit of shared data, and what the server knows about each one.

pub use super::change::Kind;
use crate::people::{Role, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A record's id, made on the device that creates the record (so creating works offline).
/// 1 to 64 characters of `A-Z a-z 0-9 - _`; the empty id names a kind's single record per person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct RecordId(pub String);

impl RecordId {
    /// The single record of a kind that has one per person (such as "About me").
    pub fn single() -> RecordId {
        RecordId(String::new())
    }

    pub fn is_well_formed(&self) -> bool {
        self.0.len() <= 64 && self.0.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a cell lives: whose record, which kind of data, which record, which field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellKey {
    pub person: UserId,
    pub kind: Kind,
    pub record: RecordId,
    pub field: String,
}

impl CellKey {
    pub fn new(person: &UserId, kind: Kind, record: &RecordId, field: &str) -> CellKey {
        CellKey { person: person.clone(), kind, record: record.clone(), field: field.to_owned() }
    }
}

/// Who wrote something, and when (server time, Unix ms, for values the server accepted; device time for
/// edits still waiting).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Authorship {
    pub user: UserId,
    /// The writer's name as it was when they wrote, so the record reads correctly later.
    pub name: String,
    pub at_ms: i64,
    /// The writer's role when they wrote ("Gareth Evans, carer"); missing on what was written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// A value someone wrote that arrived after the cell had moved on: kept, shown, and waiting to be settled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeptValue {
    pub value: serde_json::Value,
    pub by: Authorship,
    /// The cell version the writer had seen.
    pub base: u64,
    /// The device it came from: a cell keeps at most one value per device (the newest). Only the server has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

/// A cell as the server holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellState {
    pub value: serde_json::Value,
    /// The version of the last change to this cell (a new value, or a value kept aside). Edits name it as their base.
    pub version: u64,
    /// Who wrote the current value.
    pub by: Authorship,
    /// Values that conflicted with the current one, oldest first. Empty when nothing needs settling.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<KeptValue>,
}

impl CellState {
    /// Does this cell have conflicting values waiting for someone to settle them?
    pub fn in_conflict(&self) -> bool {
        !self.kept.is_empty()
    }
}
