//! "About me": the person's own words about themselves (preferred name, what matters, strengths, hopes), written
//! by the person and their key worker. One record per person, one cell per field.

use crate::consent::{Action, SharedPart, WriterFacts, may};
use crate::i18n::Msg;
use crate::people::UserId;
use crate::sync::change::{Audience, CellLookup, ChangeError, DomainChange, Effect, EffectMode};
use crate::sync::{CellKey, CellState, Kind, RecordId, check};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest "About me" answer, in characters.
pub const MAX_ABOUT_ME_CHARS: usize = 4000;
/// Longest preferred name, in characters.
pub const MAX_PREFERRED_NAME_CHARS: usize = 80;

named! {
    /// The parts of a person's "About me" page.
    pub enum AboutMeField {
        PreferredName = "preferred_name",
        WhatMattersToMe = "what_matters_to_me",
        MyStrengths = "my_strengths",
        MyHopes = "my_hopes",
    }
}

impl AboutMeField {
    pub fn max_chars(self) -> usize {
        match self {
            AboutMeField::PreferredName => MAX_PREFERRED_NAME_CHARS,
            _ => MAX_ABOUT_ME_CHARS,
        }
    }

    /// The field's name in the catalogue.
    pub fn label(self) -> Msg {
        match self {
            AboutMeField::PreferredName => Msg::PreferredName,
            AboutMeField::WhatMattersToMe => Msg::WhatMattersToMe,
            AboutMeField::MyStrengths => Msg::MyStrengths,
            AboutMeField::MyHopes => Msg::MyHopes,
        }
    }

    /// The cell holding this field of `person`'s page.
    pub fn key(self, person: &UserId) -> CellKey {
        CellKey::new(person, Kind::AboutMe, &RecordId::single(), self.as_str())
    }
}

/// The changes to "About me". On the wire: `{"type": "about_me", "field": "my_hopes", "text": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum AboutMeChange {
    /// Write one part of the page.
    AboutMe { field: AboutMeField, text: String },
}

impl DomainChange for AboutMeChange {
    const TYPES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    fn validate(&self) -> Result<(), ChangeError> {
        let AboutMeChange::AboutMe { field, text } = self;
        check::text(field.as_str(), text, field.max_chars(), false)
    }

    fn effect(&self, person: &UserId) -> Effect {
        let AboutMeChange::AboutMe { field, text } = self;
        Effect { key: field.key(person), value: Value::String(text.clone()), mode: EffectMode::Set }
    }

    fn may_write(&self, w: &WriterFacts, _required: Option<&CellState>) -> bool {
        may(w, Action::WriteAboutMe)
    }

    /// A part the person shares with each carer, or not.
    fn audience(&self) -> Audience {
        Audience::Shared(SharedPart::AboutMe)
    }

    fn decode(key: &CellKey, value: &Value, _cells: CellLookup<'_>) -> Option<Self> {
        (key.kind == Kind::AboutMe).then_some(())?;
        Some(AboutMeChange::AboutMe { field: AboutMeField::parse(&key.field)?, text: value.as_str()?.to_owned() })
    }

    fn words(&self) -> Option<&str> {
        let AboutMeChange::AboutMe { text, .. } = self;
        Some(text)
    }

    fn label(&self) -> Msg {
        let AboutMeChange::AboutMe { field, .. } = self;
        field.label()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::tests::writer;
    use crate::people::{Relation, Role};
    use crate::sync::Change;

    fn hopes(text: &str) -> AboutMeChange {
        AboutMeChange::AboutMe { field: AboutMeField::MyHopes, text: text.into() }
    }

    #[test]
    fn field_names_are_written_once_and_match_the_wire() {
        for f in AboutMeField::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), Value::String(f.as_str().into()));
            assert_eq!(AboutMeField::parse(f.as_str()), Some(f));
        }
        assert_eq!(AboutMeField::parse("risk"), None);
    }

    #[test]
    fn text_rules_are_checked() {
        let long = "a".repeat(MAX_PREFERRED_NAME_CHARS + 1);
        assert_eq!(
            AboutMeChange::AboutMe { field: AboutMeField::PreferredName, text: long }.validate(),
            Err(ChangeError::TooLong { field: "preferred_name", max: MAX_PREFERRED_NAME_CHARS })
        );
        assert!(hopes("").validate().is_ok() && hopes("line\nline").validate().is_ok());
        assert!(hopes("bell\u{7}").validate().is_err());
    }

    #[test]
    fn about_me_is_written_by_the_person_and_their_key_worker_only() {
        let c = Change::from(hopes("Cooking"));
        assert!(c.may_write(&writer(Role::ServiceUser, true, None), None));
        assert!(c.may_write(&writer(Role::KeyWorker, false, Some(Relation::KeyWorker)), None));
        assert!(!c.may_write(&writer(Role::Staff, false, Some(Relation::Staff)), None));
        assert!(!c.may_write(&writer(Role::Carer, false, Some(Relation::Carer)), None));
        assert!(!c.may_write(&writer(Role::WardManager, false, None), None));
        let stranger = WriterFacts { may_view: false, ..writer(Role::KeyWorker, false, Some(Relation::KeyWorker)) };
        assert!(!c.may_write(&stranger, None));
    }

    #[test]
    fn a_cell_decodes_to_the_change_that_writes_it() {
        let p = UserId("p".into());
        let c = hopes("A garden");
        let e = c.effect(&p);
        assert_eq!(AboutMeChange::decode(&e.key, &e.value, &|_| None), Some(c));
    }
}
