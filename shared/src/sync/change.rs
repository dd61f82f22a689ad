//! What a change is, for the engine: the trait every domain's changes implement, the one cell a change writes, who
//! receives it, and the registry of domains (the one place a new kind of data is registered).
//!
//! Each kind of data lives in its own domain module (`about_me`, `comments`, `tracker`, `plan`, `consent`), which
//! owns its changes: their shape rules, the cell each writes and how a cell decodes back into the change that
//! writes it, who may make it and who receives it. The engine (the push decision, the outbox, the replica, the
//! server's store) handles every change through [`DomainChange`] and never names a domain.
//!
//! To add a kind of data: write its domain module (a change enum implementing [`DomainChange`]) and add one line to
//! [`domains!`] below, naming the enum and the kinds of cell it writes; then its screens and catalogue strings.

use super::cell::{CellKey, CellState};
use crate::consent::WriterFacts;
use crate::i18n::Msg;
use crate::outcomes::{Framework, FrameworkError};
use crate::people::UserId;
use crate::tracker::SharedPart;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether a change makes a new record or edits an existing cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EffectMode {
    /// Makes a new cell; never conflicts. Refused if the cell already exists.
    Create,
    /// Sets a cell's value, checked against the version the writer had seen.
    Set,
    /// Sets a cell's value on a record that must already exist (its `requires` cell, the record's first cell).
    SetExisting { requires: CellKey },
    /// Sets a cell's value whatever version the writer had seen: a change that only ever narrows what people
    /// receive (a withdrawal of consent, a record that the person cannot decide for now) applies at once and is
    /// never kept aside. Anything the cell had kept aside stays for people to settle.
    Narrow,
}

/// The one cell a change writes, and the value it writes there.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    pub key: CellKey,
    pub value: Value,
    pub mode: EffectMode,
}

/// Who may receive a cell on their device. Stored beside every cell; the server's pull sends a viewer only the
/// audiences they are in ([`crate::consent::Reach`]). Nothing reaches a carer unless the person shares it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Staff only: never sent to a service user's or a carer's device.
    StaffOnly,
    /// The care team: the person and staff who may open the record; never a carer.
    CareTeam,
    /// The care team, and a carer only if the person shares this part with them.
    Shared(SharedPart),
    /// The care team and one carer (what the person decided about sharing with that carer).
    TeamAndCarer(UserId),
}

/// How [`Audience::TeamAndCarer`] is stored: this and the carer's id.
const TEAM_AND_CARER: &str = "shared_carer:";

impl Audience {
    /// How the audience is stored (the table allows `staff_only` and any `shared_…`).
    pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Audience::StaffOnly => "staff_only".into(),
            // Stored like a part shared with no carer.
            Audience::CareTeam => "shared_no_carers".into(),
            Audience::Shared(part) => part.audience_str().into(),
            Audience::TeamAndCarer(carer) => format!("{TEAM_AND_CARER}{}", carer.0).into(),
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "staff_only" => Some(Audience::StaffOnly),
            "shared_no_carers" => Some(Audience::CareTeam),
            _ => match s.strip_prefix(TEAM_AND_CARER) {
                Some(carer) if !carer.is_empty() => Some(Audience::TeamAndCarer(UserId(carer.to_owned()))),
                _ => SharedPart::ALL.into_iter().find(|p| p.audience_str() == s).map(Audience::Shared),
            },
        }
    }
}

/// Why a change was refused before it reached the record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} contains control characters or characters that change the direction of text")]
    ControlCharacters { field: &'static str },
    #[error("record id must be 1 to 64 letters, digits, '-' or '_'")]
    BadRecordId,
    #[error("{field} must be a date written YYYY-MM-DD")]
    BadDate { field: &'static str },
    #[error("{field} lists the same thing twice or too many things")]
    BadList { field: &'static str },
    #[error("{0}")]
    Framework(#[from] FrameworkError),
    #[error("the framework {0} is not known")]
    UnknownFramework(String),
    #[error("a plan version is numbered from 1")]
    BadVersion,
}

/// Reads a cell's value by key: what [`DomainChange::decode`] uses to find a record's other cells (a plan item's
/// section, say).
pub type CellLookup<'a> = &'a dyn Fn(&CellKey) -> Option<Value>;

/// One domain's changes: everything the engine needs to know about them, in one place.
pub trait DomainChange: Sized {
    /// The `type` each change of this domain has on the wire (derived from the enum by `strum`, and tested against
    /// the serde names).
    const TYPES: &'static [&'static str];

    /// The shape rules: the same on the device (before an edit is saved) and on the server.
    fn validate(&self) -> Result<(), ChangeError>;

    /// The cell this change writes on `person`'s record, and the value.
    fn effect(&self, person: &UserId) -> Effect;

    /// May this writer make this change? `required` is the record's first cell, when the change has one. Only
    /// called for a writer who may open the person's record at all.
    fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool;

    /// May this writer make this change over the cell as it stands (`current`)? For the rules that depend on what
    /// is being replaced (a review date moved later, say); by default the same as [`DomainChange::may_write`].
    fn may_write_over(&self, w: &WriterFacts, required: Option<&CellState>, current: Option<&CellState>) -> bool {
        let _ = current;
        self.may_write(w, required)
    }

    /// Who receives the cell this change writes.
    fn audience(&self) -> Audience;

    /// Does [`DomainChange::check_with`] need the frameworks? (The server reads them only then.)
    fn needs_frameworks(&self) -> bool {
        false
    }

    /// The checks that need the frameworks and the record's first cell.
    fn check_with(&self, _required: Option<&CellState>, _frameworks: &[Framework]) -> Result<(), ChangeError> {
        Ok(())
    }

    /// The change that writes `value` into the cell at `key`, if that cell is this domain's: what settling a
    /// conflict by choosing a value sends, and how views read cells back. `cells` finds the record's other cells.
    fn decode(key: &CellKey, value: &Value, cells: CellLookup<'_>) -> Option<Self>;

    /// The words the change carries, if it carries any (shown when an edit was refused).
    fn words(&self) -> Option<&str> {
        None
    }

    /// What the change is, in the person's words (shown when an edit was refused).
    fn label(&self) -> Msg;
}

/// Registers the domains: generates [`Change`] (one variant per domain, flat on the wire:
/// `{"type": "about_me", "field": "my_hopes", "text": "…"}`), its dispatch to each domain, and [`Kind`] (every kind
/// of cell, named by the domain that writes it).
macro_rules! domains {
    ($( $domain:ident($ty:ty) => [$( $kind:ident = $kind_name:literal ),+ $(,)?] ),+ $(,)?) => {
        /// One change a person makes, of one domain.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Change {
            $( $domain($ty), )+
        }

        $(
            impl From<$ty> for Change {
                fn from(c: $ty) -> Change {
                    Change::$domain(c)
                }
            }
        )+

        impl Change {
            /// Every `type` a change may have on the wire.
            pub fn types() -> impl Iterator<Item = &'static str> {
                std::iter::empty()$( .chain(<$ty as DomainChange>::TYPES.iter().copied()) )+
            }

            pub fn validate(&self) -> Result<(), ChangeError> {
                match self { $( Change::$domain(c) => c.validate(), )+ }
            }

            pub fn effect(&self, person: &UserId) -> Effect {
                match self { $( Change::$domain(c) => c.effect(person), )+ }
            }

            /// Does this change only ever narrow what people receive (so it applies whatever its base)?
            pub fn narrows(&self) -> bool {
                matches!(self.effect(&UserId(String::new())).mode, EffectMode::Narrow)
            }

            /// May this writer make this change? Never for a writer who may not open the record.
            pub fn may_write(&self, w: &WriterFacts, required: Option<&CellState>) -> bool {
                w.may_view && match self { $( Change::$domain(c) => c.may_write(w, required), )+ }
            }

            /// May this writer make this change over the cell as it stands? (What the server checks.)
            pub fn may_write_over(
                &self,
                w: &WriterFacts,
                required: Option<&CellState>,
                current: Option<&CellState>,
            ) -> bool {
                w.may_view && match self { $( Change::$domain(c) => c.may_write_over(w, required, current), )+ }
            }

            pub fn audience(&self) -> Audience {
                match self { $( Change::$domain(c) => c.audience(), )+ }
            }

            pub fn needs_frameworks(&self) -> bool {
                match self { $( Change::$domain(c) => c.needs_frameworks(), )+ }
            }

            pub fn check_with(
                &self,
                required: Option<&CellState>,
                frameworks: &[Framework],
            ) -> Result<(), ChangeError> {
                match self { $( Change::$domain(c) => c.check_with(required, frameworks), )+ }
            }

            /// The change that writes `value` into the cell at `key` (see [`DomainChange::decode`]).
            pub fn decode(key: &CellKey, value: &Value, cells: CellLookup<'_>) -> Option<Change> {
                $(
                    if let Some(c) = <$ty as DomainChange>::decode(key, value, cells) {
                        return Some(Change::$domain(c));
                    }
                )+
                None
            }

            pub fn words(&self) -> Option<&str> {
                match self { $( Change::$domain(c) => c.words(), )+ }
            }

            pub fn label(&self) -> Msg {
                match self { $( Change::$domain(c) => c.label(), )+ }
            }
        }

        impl Serialize for Change {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( Change::$domain(c) => c.serialize(s), )+ }
            }
        }

        impl<'de> Deserialize<'de> for Change {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Change, D::Error> {
                use serde::de::Error;
                let value = Value::deserialize(d)?;
                let ty = value
                    .get("type")
                    .and_then(Value::as_str)
                    .ok_or_else(|| D::Error::missing_field("type"))?;
                $(
                    if <$ty as DomainChange>::TYPES.contains(&ty) {
                        return serde_json::from_value::<$ty>(value).map(Change::$domain).map_err(D::Error::custom);
                    }
                )+
                Err(D::Error::custom(format_args!("unknown variant `{ty}`")))
            }
        }

        /// The kinds of cell the engine stores, each written by one domain.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $( $( $kind, )+ )+
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$( $( Kind::$kind, )+ )+];

            pub fn as_str(self) -> &'static str {
                match self { $( $( Kind::$kind => $kind_name, )+ )+ }
            }

            pub fn parse(s: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.as_str() == s)
            }
        }
    };
}

domains! {
    AboutMe(crate::about_me::AboutMeChange) => [AboutMe = "about_me"],
    Comment(crate::comments::CommentChange) => [Comment = "comment"],
    Tracker(crate::tracker::TrackerChange) => [Reading = "reading", Goal = "goal", Step = "step"],
    Plan(crate::plan::PlanChange) => [PlanItem = "plan_item", Plan = "plan"],
    Consent(crate::consent::ConsentChange) => [Sharing = "sharing"],
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let s = String::deserialize(d)?;
        Kind::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown kind {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::about_me::{AboutMeChange, AboutMeField};

    #[test]
    fn unknown_changes_and_fields_are_refused_on_the_wire() {
        let ok: Change = serde_json::from_str(r#"{"type":"about_me","field":"my_hopes","text":"A garden"}"#).unwrap();
        assert_eq!(
            ok,
            Change::AboutMe(AboutMeChange::AboutMe { field: AboutMeField::MyHopes, text: "A garden".into() })
        );
        let unknown = serde_json::from_str::<Change>(r#"{"type":"delete_everything"}"#).unwrap_err();
        assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
        assert!(serde_json::from_str::<Change>(r#"{"field":"my_hopes","text":"x"}"#).is_err());
        assert!(serde_json::from_str::<Change>(r#"{"type":"about_me","field":"risk","text":"x"}"#).is_err());
        assert!(
            serde_json::from_str::<Change>(r#"{"type":"about_me","field":"my_hopes","text":"x","extra":1}"#).is_err()
        );
    }

    #[test]
    fn every_wire_type_belongs_to_one_domain_and_every_kind_has_one_name() {
        let types: Vec<&str> = Change::types().collect();
        let distinct: std::collections::BTreeSet<&str> = types.iter().copied().collect();
        assert_eq!(types.len(), distinct.len(), "a type is claimed by two domains: {types:?}");
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        assert_eq!(Kind::parse("risk"), None);
    }

    #[test]
    fn audiences_round_trip_through_storage() {
        let mut all = vec![Audience::StaffOnly, Audience::CareTeam, Audience::TeamAndCarer(UserId("u-1".into()))];
        all.extend(SharedPart::ALL.into_iter().map(Audience::Shared));
        for a in all {
            assert_eq!(Audience::parse(&a.as_str()), Some(a.clone()), "{a:?}");
            assert!(a.as_str() == "staff_only" || a.as_str().starts_with("shared_"), "the table's rule: {a:?}");
        }
        for nobody in ["everyone", "care_circle", "shared_carer:"] {
            assert_eq!(Audience::parse(nobody), None);
        }
    }
}
