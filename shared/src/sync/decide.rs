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

/// Why a mutation could not be applied at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("a record with this id already exists")]
    RecordExists,
    #[error("the record this change refers to does not exist")]
    RecordMissing,
    /// So many devices' versions already wait to be settled on this cell that another is refused (what one
    /// hostile device could otherwise grow without bound).
    #[error("{record} already has {MAX_KEPT} versions waiting to be settled; settle them first")]
    TooManyKept { record: String },
}

/// Most values a cell keeps aside (one per device) before a further device's stale edit is refused.
pub const MAX_KEPT: usize = 8;

/// One edit as the decision needs it: who made it, on which device, against which version.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit<'a> {
    /// The cell version the writer had seen (0 = none).
    pub base: u64,
    /// The writer chose this value to settle the cell's conflict.
    pub settles: bool,
    pub by: Authorship,
    /// The device it came from.
    pub device: &'a str,
}

/// Decide what a mutation does to its cell.
///
/// - `current`: the cell now (`None` if never written); `required`: the record's `requires` cell, if the effect
///   has one; `next_version`: the version this change gets if it changes anything.
///
/// The rules: a new record never conflicts. An edit based on the current version replaces the value (and, if it
/// settles, clears the values kept aside). An edit based on an older version that would change the value is kept
/// aside — never dropped, never silently winning — one per device (a device's newer stale edit replaces its
/// earlier kept one), at most [`MAX_KEPT`] per cell. A change that only narrows what people receive applies
/// whatever its base. An edit that matches the current value changes nothing.
pub fn decide(
    current: Option<&CellState>,
    required: Option<&CellState>,
    effect: &Effect,
    edit: &Edit<'_>,
    next_version: u64,
) -> Result<Decision, Rejection> {
    let applied = |kept: Vec<KeptValue>| {
        Decision::Applied(CellState { value: effect.value.clone(), version: next_version, by: edit.by.clone(), kept })
    };
    match &effect.mode {
        EffectMode::Create => {
            if current.is_some() {
                return Err(Rejection::RecordExists);
            }
            return Ok(applied(vec![]));
        }
        EffectMode::SetExisting { .. } if required.is_none() => {
            return Err(Rejection::RecordMissing);
        }
        EffectMode::SetExisting { .. } | EffectMode::Set | EffectMode::Narrow => {}
    }
    // Never written: nobody else's value can be lost, whatever the base.
    let Some(cell) = current else { return Ok(applied(vec![])) };
    let current_version = cell.version;
    if edit.base == current_version || effect.mode == EffectMode::Narrow {
        if cell.value == effect.value && !(edit.settles && cell.in_conflict()) {
            return Ok(Decision::Unchanged(current_version));
        }
        let settles = edit.settles && edit.base == current_version;
        return Ok(applied(if settles { vec![] } else { cell.kept.clone() }));
    }
    if cell.value == effect.value {
        return Ok(Decision::Unchanged(current_version));
    }
    let mut kept: Vec<KeptValue> =
        cell.kept.iter().filter(|k| k.device.as_deref() != Some(edit.device)).cloned().collect();
    if kept.len() >= MAX_KEPT {
        let record = format!("{} {} {}", effect.key.kind.as_str(), effect.key.record, effect.key.field);
        return Err(Rejection::TooManyKept { record: record.trim().replace("  ", " ") });
    }
    kept.push(KeptValue {
        value: effect.value.clone(),
        by: edit.by.clone(),
        base: edit.base,
        device: Some(edit.device.to_owned()),
    });
    Ok(Decision::KeptAside(CellState { kept, version: next_version, ..cell.clone() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::about_me::{AboutMeChange, AboutMeField};
    use crate::comments::CommentChange;
    use crate::people::UserId;
    use crate::sync::RecordId;
    use crate::sync::change::DomainChange;
    use serde_json::json;

    fn by(who: &str, at_ms: i64) -> Authorship {
        Authorship { user: UserId(who.into()), name: who.to_uppercase(), at_ms, role: None }
    }

    /// Decide an edit made on the writer's one device.
    fn d(
        current: Option<&CellState>,
        required: Option<&CellState>,
        effect: &Effect,
        base: u64,
        settles: bool,
        by: Authorship,
        next_version: u64,
    ) -> Result<Decision, Rejection> {
        let device = by.user.0.clone();
        decide(current, required, effect, &Edit { base, settles, by, device: &device }, next_version)
    }

    fn hopes(text: &str) -> Effect {
        AboutMeChange::AboutMe { field: AboutMeField::MyHopes, text: text.into() }.effect(&UserId("p".into()))
    }

    #[test]
    fn a_first_write_applies_and_a_current_edit_replaces() {
        let Decision::Applied(c1) = d(None, None, &hopes("a"), 0, false, by("sam", 1), 5).unwrap() else { panic!() };
        assert_eq!((c1.value.clone(), c1.version), (json!("a"), 5));
        let Decision::Applied(c2) = d(Some(&c1), None, &hopes("b"), 5, false, by("kw", 2), 9).unwrap() else {
            panic!()
        };
        assert_eq!((c2.value, c2.version, c2.by.user.0.as_str()), (json!("b"), 9, "kw"));
    }

    #[test]
    fn a_stale_edit_is_kept_aside_with_its_author_and_a_settle_clears_it() {
        let c1 = CellState { value: json!("theirs"), version: 7, by: by("kw", 1), kept: vec![] };
        let Decision::KeptAside(c2) = d(Some(&c1), None, &hopes("mine"), 3, false, by("sam", 2), 8).unwrap() else {
            panic!()
        };
        assert_eq!(c2.value, json!("theirs"), "the first value to arrive stays current");
        assert_eq!(c2.version, 8);
        assert_eq!(
            c2.kept,
            vec![KeptValue { value: json!("mine"), by: by("sam", 2), base: 3, device: Some("sam".into()) }]
        );
        // An edit at the current version that does not settle leaves the conflict open.
        let Decision::Applied(c3) = d(Some(&c2), None, &hopes("third"), 8, false, by("kw", 3), 9).unwrap() else {
            panic!()
        };
        assert_eq!(c3.kept.len(), 1);
        // A settle based on what the settler saw clears it; a stale settle is itself kept aside.
        let stale = d(Some(&c3), None, &hopes("both"), 8, true, by("ann", 4), 10).unwrap();
        assert!(matches!(stale, Decision::KeptAside(ref c) if c.kept.len() == 2));
        // The same device's stale settle replaces the value it had kept aside.
        let again = d(Some(&c3), None, &hopes("both"), 8, true, by("sam", 4), 10).unwrap();
        assert!(matches!(again, Decision::KeptAside(ref c) if c.kept.len() == 1 && c.kept[0].value == json!("both")));
        let Decision::Applied(c4) = d(Some(&c3), None, &hopes("both"), 9, true, by("sam", 4), 10).unwrap() else {
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
            kept: vec![KeptValue { value: json!("y"), by: by("sam", 1), base: 1, device: Some("sam".into()) }],
        };
        let Decision::Applied(after) = d(Some(&c), None, &hopes("x"), 4, true, by("sam", 2), 5).unwrap() else {
            panic!()
        };
        assert!(after.kept.is_empty());
    }

    #[test]
    fn an_edit_that_matches_changes_nothing() {
        let c = CellState { value: json!("same"), version: 4, by: by("kw", 1), kept: vec![] };
        assert_eq!(d(Some(&c), None, &hopes("same"), 1, false, by("sam", 2), 5).unwrap(), Decision::Unchanged(4));
        assert_eq!(d(Some(&c), None, &hopes("same"), 4, false, by("sam", 2), 5).unwrap(), Decision::Unchanged(4));
    }

    #[test]
    fn records_are_created_once_and_edited_only_when_they_exist() {
        let person = UserId("p".into());
        let add = CommentChange::AddComment {
            comment: RecordId("c1".into()),
            text: "hi".into(),
            audience: Default::default(),
        }
        .effect(&person);
        let Decision::Applied(text) = d(None, None, &add, 0, false, by("sam", 1), 1).unwrap() else { panic!() };
        assert_eq!(d(Some(&text), None, &add, 0, false, by("kw", 1), 2), Err(Rejection::RecordExists));
        let remove = CommentChange::RemoveComment { comment: RecordId("c2".into()) }.effect(&person);
        assert_eq!(d(None, None, &remove, 0, false, by("sam", 1), 2), Err(Rejection::RecordMissing));
        assert!(matches!(d(None, Some(&text), &remove, 0, false, by("sam", 1), 2), Ok(Decision::Applied(_))));
    }

    #[test]
    fn a_device_keeps_one_value_aside_per_cell_and_a_cell_keeps_at_most_eight() {
        let mut cell = CellState { value: json!("current"), version: 50, by: by("kw", 1), kept: vec![] };
        // One device sends stale edit after stale edit: only its newest is kept.
        for i in 0..500 {
            let Decision::KeptAside(next) =
                d(Some(&cell), None, &hopes(&format!("v{i}")), 1, false, by("sam", i), 51 + i as u64).unwrap()
            else {
                panic!()
            };
            cell = next;
        }
        assert_eq!(cell.kept.len(), 1);
        assert_eq!(cell.kept[0].value, json!("v499"));
        // Eight devices' versions wait; a ninth device's is refused, naming the record.
        for n in 1..MAX_KEPT {
            let Decision::KeptAside(next) =
                d(Some(&cell), None, &hopes("x"), 1, false, by(&format!("dev{n}"), 1), 600 + n as u64).unwrap()
            else {
                panic!()
            };
            cell = next;
        }
        assert_eq!(cell.kept.len(), MAX_KEPT);
        let refused = d(Some(&cell), None, &hopes("y"), 1, false, by("dev-nine", 1), 700).unwrap_err();
        assert_eq!(refused, Rejection::TooManyKept { record: "about_me my_hopes".into() });
        assert!(refused.to_string().contains("about_me my_hopes"));
        // A device already waiting may still replace its own.
        assert!(matches!(d(Some(&cell), None, &hopes("z"), 1, false, by("dev3", 1), 700), Ok(Decision::KeptAside(_))));
    }

    #[test]
    fn a_narrowing_change_applies_whatever_its_base_and_leaves_kept_values_to_settle() {
        let narrow = Effect { mode: EffectMode::Narrow, ..hopes("no") };
        let cell = CellState {
            value: json!("yes"),
            version: 9,
            by: by("kw", 1),
            kept: vec![KeptValue { value: json!("maybe"), by: by("kw2", 1), base: 2, device: Some("kw2".into()) }],
        };
        let Decision::Applied(after) = d(Some(&cell), None, &narrow, 3, false, by("sam", 2), 10).unwrap() else {
            panic!("a stale withdrawal must apply")
        };
        assert_eq!((after.value, after.kept.len()), (json!("no"), 1));
        assert_eq!(
            d(Some(&cell), None, &Effect { value: json!("yes"), ..narrow }, 3, false, by("sam", 2), 10),
            Ok(Decision::Unchanged(9))
        );
    }
}
