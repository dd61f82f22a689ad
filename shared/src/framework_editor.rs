//! The framework editor's checks (issue 14): every problem with a framework being written, each named by the field
//! it belongs to, so the editor shows each beside its field (the server's [`Framework::validate`] stops at the
//! first). Pure; the app calls [`field_errors`] as the person types.

use crate::{
    Msg,
    outcomes::{Framework, MAX_AREAS, MAX_DESCRIPTION_CHARS, MAX_LABEL_CHARS, MAX_STAGES, Text, built_in},
};
use std::collections::BTreeSet;

/// A field of the editor: `id`, `name`, `scale`, `stages`, `areas`, `area.{i}.id`, `area.{i}.label`,
/// `area.{i}.description`, `stage.{i}.label`, `stage.{i}.description`.
pub type Field = String;

fn id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn text_error(t: &Text, max: usize) -> Option<Msg> {
    if t.en.trim().is_empty() || t.cy.trim().is_empty() {
        Some(Msg::FwErrText)
    } else if crate::validation::has_forbidden_chars(&t.en) || crate::validation::has_forbidden_chars(&t.cy) {
        Some(Msg::FwErrBadText)
    } else if t.en.chars().count() > max || t.cy.chars().count() > max {
        Some(Msg::FwErrTooLong)
    } else {
        None
    }
}

/// Every problem with `f`, in the order of the form. `new`: a new framework (its id must not be a built-in one).
pub fn field_errors(f: &Framework, new: bool) -> Vec<(Field, Msg)> {
    let mut out = Vec::new();
    if !id_ok(&f.id.0) {
        out.push(("id".to_owned(), Msg::FwErrId));
    } else if new && built_in::all().iter().any(|b| b.id == f.id) {
        out.push(("id".to_owned(), Msg::FwErrBuiltIn));
    }
    if let Some(m) = text_error(&f.name, MAX_LABEL_CHARS) {
        out.push(("name".to_owned(), m));
    }
    let (min, max) = (f.scale.min, f.scale.max);
    if min >= max {
        out.push(("scale".to_owned(), Msg::FwErrScale));
    } else {
        let mut next = min;
        let mut covers = !f.scale.stages.is_empty();
        for s in &f.scale.stages {
            if s.from != next || s.to < s.from || s.to > max {
                covers = false;
                break;
            }
            next = s.to.saturating_add(1);
        }
        if !covers || next != max.saturating_add(1) || f.scale.stages.len() > MAX_STAGES {
            out.push(("stages".to_owned(), Msg::FwErrStages));
        }
    }
    for (i, s) in f.scale.stages.iter().enumerate() {
        if let Some(m) = text_error(&s.label, MAX_LABEL_CHARS) {
            out.push((format!("stage.{i}.label"), m));
        }
        if let Some(m) = text_error(&s.description, MAX_DESCRIPTION_CHARS) {
            out.push((format!("stage.{i}.description"), m));
        }
    }
    if f.areas.is_empty() || f.areas.len() > MAX_AREAS {
        out.push(("areas".to_owned(), Msg::FwErrAreas));
    }
    let mut seen = BTreeSet::new();
    for (i, a) in f.areas.iter().enumerate() {
        if !id_ok(&a.id.0) {
            out.push((format!("area.{i}.id"), Msg::FwErrId));
        } else if !seen.insert(&a.id) {
            out.push((format!("area.{i}.id"), Msg::FwErrDuplicateArea));
        }
        if let Some(m) = text_error(&a.label, MAX_LABEL_CHARS) {
            out.push((format!("area.{i}.label"), m));
        }
        if let Some(m) = text_error(&a.description, MAX_DESCRIPTION_CHARS) {
            out.push((format!("area.{i}.description"), m));
        }
    }
    out
}

/// The id of an area from its English label ("Keeping well" → `keeping_well`), for a new area.
pub fn id_from(label: &str) -> String {
    let mut id = String::new();
    for c in label.trim().to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('_') && !id.is_empty() {
            id.push('_');
        }
    }
    id.trim_end_matches('_').chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcomes::{Area, AreaId, FrameworkId, Scale, Stage};

    fn framework() -> Framework {
        Framework {
            id: FrameworkId("daily_living".into()),
            version: 1,
            name: Text::new("Daily living", "Byw bob dydd"),
            areas: vec![Area {
                id: AreaId("cooking".into()),
                label: Text::new("Cooking", "Coginio"),
                description: Text::new("Making meals", "Gwneud prydau bwyd"),
            }],
            scale: Scale {
                min: 1,
                max: 4,
                stages: vec![
                    Stage {
                        from: 1,
                        to: 2,
                        label: Text::new("Starting", "Dechrau"),
                        description: Text::new("Early days", "Dyddiau cynnar"),
                    },
                    Stage {
                        from: 3,
                        to: 4,
                        label: Text::new("Managing", "Ymdopi"),
                        description: Text::new("On my own", "Ar fy mhen fy hun"),
                    },
                ],
            },
            asks_more_help: true,
            retired: false,
        }
    }

    #[test]
    fn a_well_formed_framework_has_no_errors_and_passes_the_servers_check() {
        let f = framework();
        assert_eq!(field_errors(&f, true), vec![]);
        f.validate().unwrap();
    }

    #[test]
    fn each_problem_is_named_by_its_field_and_the_server_refuses_it_too() {
        let mut f = framework();
        f.id = FrameworkId("Daily Living".into());
        f.areas[0].label.cy.clear();
        f.areas.push(f.areas[0].clone());
        f.scale.stages[1].from = 4;
        let errors = field_errors(&f, true);
        assert_eq!(
            errors,
            vec![
                ("id".to_owned(), Msg::FwErrId),
                ("stages".to_owned(), Msg::FwErrStages),
                ("area.0.label".to_owned(), Msg::FwErrText),
                ("area.1.id".to_owned(), Msg::FwErrDuplicateArea),
                ("area.1.label".to_owned(), Msg::FwErrText),
            ]
        );
        assert!(f.validate().is_err());
        let mut g = framework();
        g.id = built_in::waymark_ladder().id;
        assert_eq!(field_errors(&g, true), vec![("id".to_owned(), Msg::FwErrBuiltIn)]);
        g.scale.min = 5;
        assert!(field_errors(&g, false).contains(&("scale".to_owned(), Msg::FwErrScale)));
        g.areas.clear();
        assert!(field_errors(&g, false).contains(&("areas".to_owned(), Msg::FwErrAreas)));
    }

    #[test]
    fn area_ids_come_from_their_labels() {
        assert_eq!(id_from("Keeping well & safe"), "keeping_well_safe");
        assert_eq!(id_from("  Money  "), "money");
    }
}
