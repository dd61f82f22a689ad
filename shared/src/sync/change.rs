//! The changes people can make, typed once: how each is checked, which cell it writes, and who may make it.
//!
//! To add a kind of data: add its [`Kind`], add its changes to [`Change`], and fill in the four `match`es below
//! (`validate`, `effect`, `may_write`, `audience`). The engine, the log, the transport and the device store
//! handle every change the same way.

use super::cell::{CellKey, CellState, Kind, RecordId};
use crate::people::{Relation, Role, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest "About me" answer, in characters.
pub const MAX_ABOUT_ME_CHARS: usize = 4000;
/// Longest preferred name, in characters.
pub const MAX_PREFERRED_NAME_CHARS: usize = 80;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The parts of a person's "About me" page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AboutMeField {
    PreferredName,
    WhatMattersToMe,
    MyStrengths,
    MyHopes,
}

impl AboutMeField {
    pub const ALL: [AboutMeField; 4] =
        [AboutMeField::PreferredName, AboutMeField::WhatMattersToMe, AboutMeField::MyStrengths, AboutMeField::MyHopes];

    pub fn as_str(self) -> &'static str {
        match self {
            AboutMeField::PreferredName => "preferred_name",
            AboutMeField::WhatMattersToMe => "what_matters_to_me",
            AboutMeField::MyStrengths => "my_strengths",
            AboutMeField::MyHopes => "my_hopes",
        }
    }

    pub fn parse(s: &str) -> Option<AboutMeField> {
        AboutMeField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn max_chars(self) -> usize {
        match self {
            AboutMeField::PreferredName => MAX_PREFERRED_NAME_CHARS,
            _ => MAX_ABOUT_ME_CHARS,
        }
    }
}

/// The field of a comment record holding its text.
pub const COMMENT_TEXT: &str = "text";
/// The field of a comment record saying it was removed (`true`) or restored (`false`).
pub const COMMENT_REMOVED: &str = "removed";

/// One change a person makes. On the wire: `{"type": "about_me", "field": "my_hopes", "text": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Write one part of the person's "About me" page.
    AboutMe { field: AboutMeField, text: String },
    /// Add a comment to the "About me" page. The id is made on the device.
    AddComment { comment: RecordId, text: String },
    /// Remove one's own comment (it stays in the record and can be restored).
    RemoveComment { comment: RecordId },
    /// Bring back a removed comment.
    RestoreComment { comment: RecordId },
}

/// Whether a change makes a new record or edits an existing cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EffectMode {
    /// Makes a new cell; never conflicts. Refused if the cell already exists.
    Create,
    /// Sets a cell's value, checked against the version the writer had seen.
    Set,
    /// Sets a cell's value on a record that must already exist (its `requires` cell).
    SetExisting { requires: CellKey },
}

/// The one cell a change writes, and the value it writes there.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    pub key: CellKey,
    pub value: Value,
    pub mode: EffectMode,
}

/// Who may receive a kind of data on their device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everyone who may open the person's record (the person, their care team, their ward manager).
    CareCircle,
    /// Staff only: never sent to a service user's or a carer's device.
    StaffOnly,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::CareCircle => "care_circle",
            Audience::StaffOnly => "staff_only",
        }
    }
}

/// The facts about a writer and the person whose record they are changing.
#[derive(Clone, Debug)]
pub struct WriterFacts {
    pub user: UserId,
    pub role: Role,
    /// The writer is the person the record belongs to.
    pub is_self: bool,
    /// The writer's place in the person's care team.
    pub relation: Option<Relation>,
    /// The writer may open the person's record at all ([`crate::access::may_view_person`]).
    pub may_view: bool,
}

/// Why a change was refused before it reached the record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("record id must be 1 to 64 letters, digits, '-' or '_'")]
    BadRecordId,
}

fn check_text(field: &'static str, text: &str, max: usize, required: bool) -> Result<(), ChangeError> {
    if text.chars().count() > max {
        return Err(ChangeError::TooLong { field, max });
    }
    if required && text.trim().is_empty() {
        return Err(ChangeError::Empty { field });
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ChangeError::ControlCharacters { field });
    }
    Ok(())
}

fn check_new_id(id: &RecordId) -> Result<(), ChangeError> {
    if id.0.is_empty() || !id.is_well_formed() { Err(ChangeError::BadRecordId) } else { Ok(()) }
}

impl Change {
    /// The shape rules: the same on the device (before an edit is saved) and on the server.
    pub fn validate(&self) -> Result<(), ChangeError> {
        match self {
            Change::AboutMe { field, text } => check_text(field.as_str(), text, field.max_chars(), false),
            Change::AddComment { comment, text } => {
                check_new_id(comment)?;
                check_text("comment", text, MAX_COMMENT_CHARS, true)
            }
            Change::RemoveComment { comment } | Change::RestoreComment { comment } => check_new_id(comment),
        }
    }

    /// The cell this change writes on `person`'s record, and the value.
    pub fn effect(&self, person: &UserId) -> Effect {
        match self {
            Change::AboutMe { field, text } => Effect {
                key: CellKey::new(person, Kind::AboutMe, &RecordId::single(), field.as_str()),
                value: Value::String(text.clone()),
                mode: EffectMode::Set,
            },
            Change::AddComment { comment, text } => Effect {
                key: CellKey::new(person, Kind::Comment, comment, COMMENT_TEXT),
                value: Value::String(text.clone()),
                mode: EffectMode::Create,
            },
            Change::RemoveComment { comment } | Change::RestoreComment { comment } => Effect {
                key: CellKey::new(person, Kind::Comment, comment, COMMENT_REMOVED),
                value: Value::Bool(matches!(self, Change::RemoveComment { .. })),
                mode: EffectMode::SetExisting { requires: CellKey::new(person, Kind::Comment, comment, COMMENT_TEXT) },
            },
        }
    }

    /// May this writer make this change? `required` is the record's `requires` cell, when the change has one.
    pub fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool {
        if !w.may_view {
            return false;
        }
        match self {
            // "About me" is written by the person and their key worker, together or apart.
            Change::AboutMe { .. } => {
                (w.is_self && w.role == Role::ServiceUser) || w.relation == Some(Relation::KeyWorker)
            }
            // Anyone who may open the record may comment on it.
            Change::AddComment { .. } => true,
            // Only the person who wrote a comment may remove or restore it.
            Change::RemoveComment { .. } | Change::RestoreComment { .. } => {
                required.is_some_and(|cell| cell.by.user == w.user)
            }
        }
    }

    /// Who receives the data this change writes.
    pub fn audience(&self) -> Audience {
        match self {
            Change::AboutMe { .. }
            | Change::AddComment { .. }
            | Change::RemoveComment { .. }
            | Change::RestoreComment { .. } => Audience::CareCircle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_changes_and_fields_are_refused_on_the_wire() {
        let ok: Change = serde_json::from_str(r#"{"type":"about_me","field":"my_hopes","text":"A garden"}"#).unwrap();
        assert_eq!(ok, Change::AboutMe { field: AboutMeField::MyHopes, text: "A garden".into() });
        let unknown = serde_json::from_str::<Change>(r#"{"type":"delete_everything"}"#).unwrap_err();
        assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
        assert!(serde_json::from_str::<Change>(r#"{"type":"about_me","field":"risk","text":"x"}"#).is_err());
        assert!(
            serde_json::from_str::<Change>(r#"{"type":"about_me","field":"my_hopes","text":"x","extra":1}"#).is_err()
        );
    }

    #[test]
    fn text_rules_are_checked() {
        let long = "a".repeat(MAX_PREFERRED_NAME_CHARS + 1);
        let e = Change::AboutMe { field: AboutMeField::PreferredName, text: long }.validate().unwrap_err();
        assert_eq!(e, ChangeError::TooLong { field: "preferred_name", max: MAX_PREFERRED_NAME_CHARS });
        assert!(Change::AboutMe { field: AboutMeField::MyHopes, text: String::new() }.validate().is_ok());
        assert!(Change::AboutMe { field: AboutMeField::MyHopes, text: "line\nline".into() }.validate().is_ok());
        assert!(Change::AboutMe { field: AboutMeField::MyHopes, text: "bell\u{7}".into() }.validate().is_err());
        let blank = Change::AddComment { comment: RecordId("c1".into()), text: "  ".into() };
        assert_eq!(blank.validate().unwrap_err(), ChangeError::Empty { field: "comment" });
        let bad_id = Change::AddComment { comment: RecordId("../x".into()), text: "hi".into() };
        assert_eq!(bad_id.validate().unwrap_err(), ChangeError::BadRecordId);
    }

    fn writer(role: Role, is_self: bool, relation: Option<Relation>) -> WriterFacts {
        WriterFacts { user: UserId("w".into()), role, is_self, relation, may_view: true }
    }

    #[test]
    fn about_me_is_written_by_the_person_and_their_key_worker_only() {
        let c = Change::AboutMe { field: AboutMeField::MyStrengths, text: "Cooking".into() };
        assert!(c.may_write(&writer(Role::ServiceUser, true, None), None));
        assert!(c.may_write(&writer(Role::KeyWorker, false, Some(Relation::KeyWorker)), None));
        assert!(!c.may_write(&writer(Role::Staff, false, Some(Relation::Staff)), None));
        assert!(!c.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
        assert!(!c.may_write(&writer(Role::WardManager, false, None), None));
        let stranger = WriterFacts { may_view: false, ..writer(Role::KeyWorker, false, Some(Relation::KeyWorker)) };
        assert!(!c.may_write(&stranger, None));
    }

    #[test]
    fn comments_are_open_to_the_care_circle_and_removed_only_by_their_writer() {
        let id = RecordId("c1".into());
        let add = Change::AddComment { comment: id.clone(), text: "Well done".into() };
        assert!(add.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
        let cell = CellState {
            value: Value::String("Well done".into()),
            version: 3,
            by: super::super::Authorship { user: UserId("w".into()), name: "W".into(), at_ms: 0 },
            kept: vec![],
        };
        let remove = Change::RemoveComment { comment: id };
        assert!(remove.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), Some(&cell)));
        let other = WriterFacts { user: UserId("x".into()), ..writer(Role::KeyWorker, false, Some(Relation::KeyWorker)) };
        assert!(!remove.may_write(&other, Some(&cell)));
        assert!(!remove.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
    }
}
