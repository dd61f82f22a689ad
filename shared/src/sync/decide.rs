//! The server's decision for one mutation, given the cell as it stands. Pure: the server supplies the cells from
//! its store inside a transaction and writes back what this returns; the simulated-network tests run the same code.

use super::cell::{Authorship, CellState, KeptValue};
use super::change::{Effect, EffectMode};

/// What became of a mutation that was allowed.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// The value replaced the cell's value. The new cell state carries the new version.
    Applied(CellState),
    /// The writer had not seen the latest value and would have changed it: their value was kept aside on the cell
    /// for people to settle. The new cell state carries the new version.
    KeptAside(CellState),
    /// The cell already held this value; nothing changed. Carries the cell's current version.
    Unchanged(u64),
}

/// Why a mutation could not be applied at all (it names a record wrongly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("a record with this id already exists")]
    RecordExists,
    #[error("the record this change refers to does not exist")]
    RecordMissing,
}

/// Decide what a mutation does to its cell.
///
/// - `current`: the cell now (`None` if never written); `required`: the record's `requires` cell, if the effect
///   has one; `base`: the cell version the writer had seen (0 = none); `settles`: the writer chose this value to
///   settle the cell's conflict; `next_version`: the version this change gets if it changes anything.
///
/// The rules: a new record never conflicts. An edit based on the current version replaces the value (and, if it
/// settles, clears the values kept aside). An edit based on an older version that would change the value is kept
/// aside — never dropped, never silently winning. An edit that matches the current value changes nothing.
pub fn decide(
    current: Option<&CellState>,
    required: Option<&CellState>,
    effect: &Effect,
    base: u64,
    settles: bool,
    by: Authorship,
    next_version: u64,
) -> Result<Decision, Rejection> {
    match &effect.mode {
        EffectMode::Create => {
            if current.is_some() {
                return Err(Rejection::RecordExists);
            }
            return Ok(Decision::Applied(CellState {
                value: effect.value.clone(),
                version: next_version,
                by,
                kept: vec![],
            }));
        }
        EffectMode::SetExisting { .. } if required.is_none() => {
            return Err(Rejection::RecordMissing);
        }
        EffectMode::SetExisting { .. } | EffectMode::Set => {}
    }
    let current_version = current.map_or(0, |c| c.version);
    let Some(cell) = current else {
        // Never written: nobody else's value can be lost, whatever the base.
        return Ok(Decision::Applied(CellState {
            value: effect.value.clone(),
            version: next_version,
            by,
            kept: vec![],
        }));
    };
    if base == current_version {
        if cell.value == effect.value && !(settles && cell.in_conflict()) {
            return Ok(Decision::Unchanged(current_version));
        }
        let kept = if settles { vec![] } else { cell.kept.clone() };
        return Ok(Decision::Applied(CellState {
            value: effect.value.clone(),
            version: next_version,
            by,
            kept,
        }));
    }
    if cell.value == effect.value {
        return Ok(Decision::Unchanged(current_version));
    }
    let mut kept = cell.kept.clone();
    kept.push(KeptValue {
        value: effect.value.clone(),
        by,
        base,
    });
    Ok(Decision::KeptAside(CellState {
        kept,
        version: next_version,
        ..cell.clone()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::UserId;
    use crate::sync::{AboutMeField, Change, RecordId};
    use serde_json::json;

    fn by(who: &str, at_ms: i64) -> Authorship {
        Authorship {
            user: UserId(who.into()),
            name: who.to_uppercase(),
            at_ms,
        }
    }

    fn hopes(text: &str) -> Effect {
        Change::AboutMe {
            field: AboutMeField::MyHopes,
            text: text.into(),
        }
        .effect(&UserId("p".into()))
    }

    #[test]
    fn a_first_write_applies_and_a_current_edit_replaces() {
        let Decision::Applied(c1) =
            decide(None, None, &hopes("a"), 0, false, by("sam", 1), 5).unwrap()
        else {
            panic!()
        };
        assert_eq!((c1.value.clone(), c1.version), (json!("a"), 5));
        let Decision::Applied(c2) =
            decide(Some(&c1), None, &hopes("b"), 5, false, by("kw", 2), 9).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (c2.value, c2.version, c2.by.user.0.as_str()),
            (json!("b"), 9, "kw")
        );
    }

    #[test]
    fn a_stale_edit_is_kept_aside_with_its_author_and_a_settle_clears_it() {
        let c1 = CellState {
            value: json!("theirs"),
            version: 7,
            by: by("kw", 1),
            kept: vec![],
        };
        let Decision::KeptAside(c2) =
            decide(Some(&c1), None, &hopes("mine"), 3, false, by("sam", 2), 8).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            c2.value,
            json!("theirs"),
            "the first value to arrive stays current"
        );
        assert_eq!(c2.version, 8);
        assert_eq!(
            c2.kept,
            vec![KeptValue {
                value: json!("mine"),
                by: by("sam", 2),
                base: 3
            }]
        );
        // An edit at the current version that does not settle leaves the conflict open.
        let Decision::Applied(c3) =
            decide(Some(&c2), None, &hopes("third"), 8, false, by("kw", 3), 9).unwrap()
        else {
            panic!()
        };
        assert_eq!(c3.kept.len(), 1);
        // A settle based on what the settler saw clears it; a stale settle is itself kept aside.
        let stale = decide(Some(&c3), None, &hopes("both"), 8, true, by("sam", 4), 10).unwrap();
        assert!(matches!(stale, Decision::KeptAside(ref c) if c.kept.len() == 2));
        let Decision::Applied(c4) =
            decide(Some(&c3), None, &hopes("both"), 9, true, by("sam", 4), 10).unwrap()
        else {
            panic!()
        };
        assert!(c4.kept.is_empty());
        assert_eq!(c4.value, json!("both"));
    }

    #[test]
    fn settling_on_the_current_value_still_clears_the_conflict() {
        let c = CellState {
            value: json!("x"),
            version: 4,
            by: by("kw", 1),
            kept: vec![KeptValue {
                value: json!("y"),
                by: by("sam", 1),
                base: 1,
            }],
        };
        let Decision::Applied(after) =
            decide(Some(&c), None, &hopes("x"), 4, true, by("sam", 2), 5).unwrap()
        else {
            panic!()
        };
        assert!(after.kept.is_empty());
    }

    #[test]
    fn an_edit_that_matches_changes_nothing() {
        let c = CellState {
            value: json!("same"),
            version: 4,
            by: by("kw", 1),
            kept: vec![],
        };
        assert_eq!(
            decide(Some(&c), None, &hopes("same"), 1, false, by("sam", 2), 5).unwrap(),
            Decision::Unchanged(4)
        );
        assert_eq!(
            decide(Some(&c), None, &hopes("same"), 4, false, by("sam", 2), 5).unwrap(),
            Decision::Unchanged(4)
        );
    }

    #[test]
    fn records_are_created_once_and_edited_only_when_they_exist() {
        let person = UserId("p".into());
        let add = Change::AddComment {
            comment: RecordId("c1".into()),
            text: "hi".into(),
        }
        .effect(&person);
        let Decision::Applied(text) = decide(None, None, &add, 0, false, by("sam", 1), 1).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            decide(Some(&text), None, &add, 0, false, by("kw", 1), 2),
            Err(Rejection::RecordExists)
        );
        let remove = Change::RemoveComment {
            comment: RecordId("c2".into()),
        }
        .effect(&person);
        assert_eq!(
            decide(None, None, &remove, 0, false, by("sam", 1), 2),
            Err(Rejection::RecordMissing)
        );
        assert!(matches!(
            decide(None, Some(&text), &remove, 0, false, by("sam", 1), 2),
            Ok(Decision::Applied(_))
        ));
    }
}
