//! Outcome frameworks as versioned data: the areas of life a person and their key worker look at together, the
//! scale they rate each area on, and the stages of that scale in plain words. Pure: validation, stage lookup and
//! "distance travelled" between two readings. (Issue 4 builds readings, charts and goals on this.)

pub mod built_in;

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Text in both of Waymark's languages. Framework content is data, so it carries its own translations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub en: String,
    pub cy: String,
}

impl Text {
    pub fn new(en: &str, cy: &str) -> Text {
        Text { en: en.to_owned(), cy: cy.to_owned() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Cy => &self.cy,
        }
    }
}

/// A framework's id (stable across its versions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct FrameworkId(pub String);

/// An area's id within a framework (stable across versions, so readings compare over time).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct AreaId(pub String);

/// One area of life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Area {
    pub id: AreaId,
    pub label: Text,
    pub description: Text,
}

/// A named range of the scale, e.g. 3–4 "Open to support".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stage {
    pub from: u8,
    pub to: u8,
    pub label: Text,
    pub description: Text,
}

/// The scale every area is rated on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scale {
    pub min: u8,
    pub max: u8,
    /// Stages in order, covering `min..=max` exactly once.
    pub stages: Vec<Stage>,
}

/// One version of a framework. A reading keeps the version it used, so old readings still mean what they meant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Framework {
    pub id: FrameworkId,
    pub version: u32,
    pub name: Text,
    pub areas: Vec<Area>,
    pub scale: Scale,
    /// Ask, per area, "would you like more help with this?".
    pub asks_more_help: bool,
    /// No new readings may use this version.
    pub retired: bool,
}

/// Why a framework (or a reading against one) is not right. Each names what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    #[error("a framework needs at least one area")]
    NoAreas,
    #[error("area id {0:?} is used twice")]
    DuplicateArea(String),
    #[error("ids must be 1 to 40 lower-case letters, digits or '_': {0:?}")]
    BadId(String),
    #[error("{0} needs text in English and in Welsh")]
    MissingText(String),
    #[error("{0} contains control characters or characters that change the direction of text")]
    BadText(String),
    #[error("{what} is longer than {max} characters")]
    TextTooLong { what: String, max: usize },
    #[error("a framework may have at most {max} areas and {max_stages} stages")]
    TooLarge { max: usize, max_stages: usize },
    #[error("a framework may take at most {0} bytes")]
    TooManyBytes(usize),
    #[error("the scale must run from a lower to a higher number (got {min} to {max})")]
    BadScale { min: u8, max: u8 },
    #[error("the stages must cover {min} to {max} in order, without gaps or overlaps")]
    StagesDoNotCover { min: u8, max: u8 },
    #[error("the reading is for {got}, not this framework ({expected})")]
    WrongFramework { expected: String, got: String },
    #[error("version {0} of this framework is retired: use the current version")]
    Retired(u32),
    #[error("{0:?} is not an area of this framework")]
    UnknownArea(String),
    #[error("{value} for {area:?} is outside the scale {min} to {max}")]
    OutOfScale { area: String, value: u8, min: u8, max: u8 },
}

fn check_id(id: &str) -> Result<(), FrameworkError> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok { Ok(()) } else { Err(FrameworkError::BadId(id.to_owned())) }
}

/// Most areas a framework may have (the built-in ones have at most eleven).
pub const MAX_AREAS: usize = 30;
/// Most stages on a scale.
pub const MAX_STAGES: usize = 12;
/// Longest name or label, in characters.
pub const MAX_LABEL_CHARS: usize = 120;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 600;
/// Largest framework, as JSON (every device downloads every version).
pub const MAX_FRAMEWORK_BYTES: usize = 64 * 1024;
/// Most custom framework versions a server keeps (every device downloads them all, retired ones too, so that old
/// readings still draw).
pub const MAX_CUSTOM_VERSIONS: i64 = 50;

fn check_text(what: &str, t: &Text) -> Result<(), FrameworkError> {
    check_sized(what, t, if what.ends_with("description") { MAX_DESCRIPTION_CHARS } else { MAX_LABEL_CHARS })
}

fn check_sized(what: &str, t: &Text, max: usize) -> Result<(), FrameworkError> {
    if t.en.trim().is_empty() || t.cy.trim().is_empty() {
        return Err(FrameworkError::MissingText(what.to_owned()));
    }
    if crate::validation::has_forbidden_chars(&t.en) || crate::validation::has_forbidden_chars(&t.cy) {
        return Err(FrameworkError::BadText(what.to_owned()));
    }
    if t.en.chars().count() > max || t.cy.chars().count() > max {
        return Err(FrameworkError::TextTooLong { what: what.to_owned(), max });
    }
    Ok(())
}

impl Framework {
    /// Is this framework well formed? (Checked for the built-in ones in tests, and for custom ones when saved.)
    pub fn validate(&self) -> Result<(), FrameworkError> {
        check_id(&self.id.0)?;
        check_text("the framework's name", &self.name)?;
        if self.areas.is_empty() {
            return Err(FrameworkError::NoAreas);
        }
        if self.areas.len() > MAX_AREAS || self.scale.stages.len() > MAX_STAGES {
            return Err(FrameworkError::TooLarge { max: MAX_AREAS, max_stages: MAX_STAGES });
        }
        if serde_json::to_vec(self).map_or(usize::MAX, |v| v.len()) > MAX_FRAMEWORK_BYTES {
            return Err(FrameworkError::TooManyBytes(MAX_FRAMEWORK_BYTES));
        }
        let mut seen = BTreeSet::new();
        for area in &self.areas {
            check_id(&area.id.0)?;
            if !seen.insert(&area.id) {
                return Err(FrameworkError::DuplicateArea(area.id.0.clone()));
            }
            check_text(&format!("area {:?}", area.id.0), &area.label)?;
            check_text(&format!("area {:?}'s description", area.id.0), &area.description)?;
        }
        let Scale { min, max, stages } = &self.scale;
        if min >= max {
            return Err(FrameworkError::BadScale { min: *min, max: *max });
        }
        let mut next = *min;
        for stage in stages {
            if stage.from != next || stage.to < stage.from || stage.to > *max {
                return Err(FrameworkError::StagesDoNotCover { min: *min, max: *max });
            }
            check_text(&format!("stage {}–{}", stage.from, stage.to), &stage.label)?;
            check_text(&format!("stage {}–{}'s description", stage.from, stage.to), &stage.description)?;
            next = stage.to.saturating_add(1);
        }
        if stages.is_empty() || stages.last().is_some_and(|s| s.to != *max) {
            return Err(FrameworkError::StagesDoNotCover { min: *min, max: *max });
        }
        Ok(())
    }

    /// The stage a value falls in (`None` outside the scale).
    pub fn stage_for(&self, value: u8) -> Option<&Stage> {
        self.scale.stages.iter().find(|s| (s.from..=s.to).contains(&value))
    }

    pub fn area(&self, id: &AreaId) -> Option<&Area> {
        self.areas.iter().find(|a| &a.id == id)
    }

    /// Check a new reading's values against this version: its id and version, known areas, values on the scale.
    pub fn check_values(
        &self,
        framework: &FrameworkId,
        version: u32,
        values: &BTreeMap<AreaId, u8>,
    ) -> Result<(), FrameworkError> {
        if framework != &self.id || version != self.version {
            return Err(FrameworkError::WrongFramework {
                expected: format!("{} v{}", self.id.0, self.version),
                got: format!("{} v{}", framework.0, version),
            });
        }
        if self.retired {
            return Err(FrameworkError::Retired(self.version));
        }
        for (area, value) in values {
            if self.area(area).is_none() {
                return Err(FrameworkError::UnknownArea(area.0.clone()));
            }
            if !(self.scale.min..=self.scale.max).contains(value) {
                return Err(FrameworkError::OutOfScale {
                    area: area.0.clone(),
                    value: *value,
                    min: self.scale.min,
                    max: self.scale.max,
                });
            }
        }
        Ok(())
    }
}

/// How far a person has come between two readings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Distance {
    /// Per area rated in both readings: latest minus first (positive is further along).
    pub per_area: BTreeMap<AreaId, i16>,
    /// The sum over those areas.
    pub overall: i32,
}

/// Distance travelled from `first` to `latest`, over the areas rated in both (an area skipped in either is left
/// out rather than counted as zero).
pub fn distance_travelled(first: &BTreeMap<AreaId, u8>, latest: &BTreeMap<AreaId, u8>) -> Distance {
    let per_area: BTreeMap<AreaId, i16> = latest
        .iter()
        .filter_map(|(area, now)| first.get(area).map(|then| (area.clone(), i16::from(*now) - i16::from(*then))))
        .collect();
    let overall = per_area.values().map(|d| i32::from(*d)).sum();
    Distance { per_area, overall }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, u8)]) -> BTreeMap<AreaId, u8> {
        pairs.iter().map(|(a, v)| (AreaId((*a).to_owned()), *v)).collect()
    }

    #[test]
    fn stages_are_looked_up_by_value() {
        let f = built_in::waymark_ladder();
        assert_eq!(f.stage_for(1).map(|s| (s.from, s.to)), Some((1, 2)));
        assert_eq!(f.stage_for(6).map(|s| (s.from, s.to)), Some((5, 6)));
        assert_eq!(f.stage_for(10).map(|s| (s.from, s.to)), Some((9, 10)));
        assert!(f.stage_for(0).is_none() && f.stage_for(11).is_none());
    }

    #[test]
    fn readings_are_checked_against_the_version_they_use() {
        let f = built_in::waymark_ladder();
        let ok = values(&[("mental_wellbeing", 4), ("hope_and_trust", 10)]);
        assert_eq!(f.check_values(&f.id, f.version, &ok), Ok(()));
        assert_eq!(
            f.check_values(&f.id, f.version, &values(&[("mental_wellbeing", 11)])),
            Err(FrameworkError::OutOfScale { area: "mental_wellbeing".into(), value: 11, min: 1, max: 10 })
        );
        assert_eq!(
            f.check_values(&f.id, f.version, &values(&[("star_signs", 3)])),
            Err(FrameworkError::UnknownArea("star_signs".into()))
        );
        assert!(matches!(f.check_values(&f.id, f.version + 1, &ok), Err(FrameworkError::WrongFramework { .. })));
        let retired = Framework { retired: true, ..f.clone() };
        assert_eq!(retired.check_values(&f.id, f.version, &ok), Err(FrameworkError::Retired(f.version)));
    }

    #[test]
    fn malformed_frameworks_say_what_is_wrong() {
        let f = built_in::waymark_ladder();
        let mut gap = f.clone();
        gap.scale.stages.remove(2);
        assert_eq!(gap.validate(), Err(FrameworkError::StagesDoNotCover { min: 1, max: 10 }));
        let mut short = f.clone();
        short.scale.stages.pop();
        assert_eq!(short.validate(), Err(FrameworkError::StagesDoNotCover { min: 1, max: 10 }));
        let mut twice = f.clone();
        twice.areas.push(twice.areas[0].clone());
        assert_eq!(twice.validate(), Err(FrameworkError::DuplicateArea("mental_wellbeing".into())));
        let mut untranslated = f.clone();
        untranslated.areas[1].label.cy.clear();
        assert!(matches!(untranslated.validate(), Err(FrameworkError::MissingText(_))));
        let mut upside_down = f.clone();
        upside_down.scale.min = 10;
        upside_down.scale.max = 1;
        assert_eq!(upside_down.validate(), Err(FrameworkError::BadScale { min: 10, max: 1 }));
        let mut bad_id = f;
        bad_id.areas[0].id = AreaId("Mental Wellbeing".into());
        assert!(matches!(bad_id.validate(), Err(FrameworkError::BadId(_))));
    }

    #[test]
    fn distance_travelled_counts_only_areas_rated_both_times() {
        let first = values(&[("a", 2), ("b", 5), ("c", 7)]);
        let latest = values(&[("a", 6), ("b", 4), ("d", 9)]);
        let d = distance_travelled(&first, &latest);
        assert_eq!(d.per_area, [(AreaId("a".into()), 4), (AreaId("b".into()), -1)].into_iter().collect());
        assert_eq!(d.overall, 3);
        assert_eq!(distance_travelled(&first, &first).overall, 0);
    }
}
