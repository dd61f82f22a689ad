//! Comments on a person's page: a thread anyone on the record may add to; removing is reversible and only by the
//! writer. One record per comment: its text (written once) and whether it is removed.

use crate::consent::{Action, SharedPart, WriterFacts, may};
use crate::i18n::Msg;
use crate::people::UserId;
use crate::sync::change::{Audience, CellLookup, ChangeError, DomainChange, Effect, EffectMode};
use crate::sync::{CellKey, CellState, Kind, RecordId, check};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The field of a comment record holding its text.
pub const COMMENT_TEXT: &str = "text";
/// The field of a comment record saying it was removed (`true`) or restored (`false`).
pub const COMMENT_REMOVED: &str = "removed";

/// Who a comment is for, chosen when it is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommentAudience {
    /// The person and staff on their care team (what a comment is unless its writer says otherwise).
    #[default]
    CareTeam,
    /// Also the carers the person shares comments with.
    Shared,
}

impl CommentAudience {
    fn is_care_team(&self) -> bool {
        *self == CommentAudience::CareTeam
    }
}

/// The changes to comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum CommentChange {
    /// Add a comment. The id is made on the device. A comment sent without an audience (as earlier versions of
    /// the app sent them) is for the care team.
    AddComment {
        comment: RecordId,
        text: String,
        #[serde(default, skip_serializing_if = "CommentAudience::is_care_team")]
        audience: CommentAudience,
    },
    /// Remove one's own comment (it stays in the record and can be restored).
    RemoveComment { comment: RecordId },
    /// Bring back a removed comment.
    RestoreComment { comment: RecordId },
}

impl CommentChange {
    fn id(&self) -> &RecordId {
        match self {
            CommentChange::AddComment { comment, .. }
            | CommentChange::RemoveComment { comment }
            | CommentChange::RestoreComment { comment } => comment,
        }
    }
}

/// The cell holding a comment's text.
pub fn text_key(person: &UserId, comment: &RecordId) -> CellKey {
    CellKey::new(person, Kind::Comment, comment, COMMENT_TEXT)
}

/// The cell saying whether a comment is removed.
pub fn removed_key(person: &UserId, comment: &RecordId) -> CellKey {
    CellKey::new(person, Kind::Comment, comment, COMMENT_REMOVED)
}

impl DomainChange for CommentChange {
    const TYPES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    fn validate(&self) -> Result<(), ChangeError> {
        check::record_id(self.id())?;
        match self {
            CommentChange::AddComment { text, .. } => check::text("comment", text, MAX_COMMENT_CHARS, true),
            _ => Ok(()),
        }
    }

    fn effect(&self, person: &UserId) -> Effect {
        match self {
            CommentChange::AddComment { comment, text, .. } => {
                Effect { key: text_key(person, comment), value: Value::String(text.clone()), mode: EffectMode::Create }
            }
            CommentChange::RemoveComment { comment } | CommentChange::RestoreComment { comment } => Effect {
                key: removed_key(person, comment),
                value: Value::Bool(matches!(self, CommentChange::RemoveComment { .. })),
                mode: EffectMode::SetExisting { requires: text_key(person, comment) },
            },
        }
    }

    fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool {
        match self {
            CommentChange::AddComment { audience, .. } => {
                may(w, Action::Comment { shared: *audience == CommentAudience::Shared })
            }
            // Only the person who wrote a comment may remove or restore it.
            _ => required.is_some_and(|cell| may(w, Action::ChangeOwn { author: &cell.by.user })),
        }
    }

    /// A new comment's audience; removing and restoring one keeps it (a record's cells go where its first went).
    fn audience(&self) -> Audience {
        match self {
            CommentChange::AddComment { audience: CommentAudience::Shared, .. } => {
                Audience::Shared(SharedPart::Comments)
            }
            _ => Audience::CareTeam,
        }
    }

    fn decode(key: &CellKey, value: &Value, _cells: CellLookup<'_>) -> Option<Self> {
        (key.kind == Kind::Comment).then_some(())?;
        let comment = key.record.clone();
        match key.field.as_str() {
            // The audience is not in the cell (it is where the cell is stored); a comment's text is written once and
            // never settled, so reading it back as the care team's loses nothing.
            COMMENT_TEXT => Some(CommentChange::AddComment {
                comment,
                text: value.as_str()?.to_owned(),
                audience: CommentAudience::CareTeam,
            }),
            COMMENT_REMOVED => Some(if value.as_bool()? {
                CommentChange::RemoveComment { comment }
            } else {
                CommentChange::RestoreComment { comment }
            }),
            _ => None,
        }
    }

    fn words(&self) -> Option<&str> {
        match self {
            CommentChange::AddComment { text, .. } => Some(text),
            _ => None,
        }
    }

    fn label(&self) -> Msg {
        match self {
            CommentChange::AddComment { .. } => Msg::AttentionComment,
            _ => Msg::AttentionRemoval,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::tests::writer;
    use crate::people::{Relation, Role};
    use crate::sync::{Authorship, Change};

    #[test]
    fn blank_comments_and_bad_ids_are_refused() {
        let blank = CommentChange::AddComment {
            comment: RecordId("c1".into()),
            text: "  ".into(),
            audience: CommentAudience::CareTeam,
        };
        assert_eq!(blank.validate().unwrap_err(), ChangeError::Empty { field: "comment" });
        let bad_id = CommentChange::AddComment {
            comment: RecordId("../x".into()),
            text: "hi".into(),
            audience: CommentAudience::CareTeam,
        };
        assert_eq!(bad_id.validate().unwrap_err(), ChangeError::BadRecordId);
    }

    #[test]
    fn comments_are_removed_only_by_their_writer() {
        let id = RecordId("c1".into());
        let add = Change::from(CommentChange::AddComment {
            comment: id.clone(),
            text: "Well done".into(),
            audience: CommentAudience::CareTeam,
        });
        assert!(add.may_write(&writer(Role::KeyWorker, false, Some(Relation::KeyWorker)), None));
        let cell = CellState {
            value: Value::String("Well done".into()),
            version: 3,
            by: Authorship { user: UserId("w".into()), name: "W".into(), at_ms: 0, role: None },
            kept: vec![],
        };
        let remove = Change::from(CommentChange::RemoveComment { comment: id });
        assert!(remove.may_write(&writer(Role::ServiceUser, true, None), Some(&cell)));
        let other =
            WriterFacts { user: UserId("x".into()), ..writer(Role::KeyWorker, false, Some(Relation::KeyWorker)) };
        assert!(!remove.may_write(&other, Some(&cell)));
        assert!(!remove.may_write(&writer(Role::ServiceUser, true, None), None));
    }

    #[test]
    fn cells_decode_to_the_change_that_writes_them() {
        let p = UserId("p".into());
        let id = RecordId("c1".into());
        for c in [
            CommentChange::AddComment { comment: id.clone(), text: "Hi".into(), audience: CommentAudience::CareTeam },
            CommentChange::RemoveComment { comment: id.clone() },
            CommentChange::RestoreComment { comment: id.clone() },
        ] {
            let e = c.effect(&p);
            assert_eq!(CommentChange::decode(&e.key, &e.value, &|_| None), Some(c));
        }
    }

    #[test]
    fn a_carer_comments_only_where_comments_are_shared_with_them_and_then_for_those_it_is_shared_with() {
        let add = |audience| {
            Change::from(CommentChange::AddComment { comment: RecordId("c".into()), text: "Hi".into(), audience })
        };
        let carer = writer(Role::Carer, false, Some(Relation::Carer));
        let sharing = WriterFacts { shared: vec![SharedPart::Comments], ..carer.clone() };
        assert!(!add(CommentAudience::Shared).may_write(&carer, None), "nothing before consent");
        assert!(add(CommentAudience::Shared).may_write(&sharing, None));
        assert!(!add(CommentAudience::CareTeam).may_write(&sharing, None), "it would not reach the carer");
        assert!(add(CommentAudience::CareTeam).may_write(&writer(Role::ServiceUser, true, None), None));
        assert_eq!(add(CommentAudience::CareTeam).audience(), Audience::CareTeam);
        assert_eq!(add(CommentAudience::Shared).audience(), Audience::Shared(SharedPart::Comments));
        // Earlier apps sent no audience: those comments are for the care team, and read back byte for byte.
        let old = r#"{"type":"add_comment","comment":"c1","text":"Well done"}"#;
        let c: Change = serde_json::from_str(old).unwrap();
        assert_eq!(c.audience(), Audience::CareTeam);
        assert_eq!(serde_json::to_string(&c).unwrap(), old);
    }
}
