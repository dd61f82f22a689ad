//! The de-identified service report for one ward and period, computed from each person's record as the domain views
//! build it. No figure resting on fewer than [`MIN_REPORT_PEOPLE`] people is ever given: it is "fewer than 5".
//!
//! - **People with readings**: people on the ward with at least one finished reading dated in the period.
//! - **Distance travelled per area** (per framework): for each person with two or more finished readings of the
//!   framework in the period, their latest value minus their first (the agreed value, or the person's own where
//!   nothing was agreed, as the chart draws it), over the areas rated in both; the mean and the median per area, each
//!   with the number of people behind it.
//! - **Plans agreed**: of the people with a safety plan, the share whose plan is agreed as it stands (both signed
//!   the same version, nothing changed since). As the plans stand when the report is made.
//! - **Plans reviewed on time**: of the plans with a review date, the share not overdue at the end of the period (or
//!   today, if the period runs on past it).
//!
//! A share is also withheld when the people it counts, or the people it leaves out, are 1 to 4: "all but one"
//! would otherwise single someone out.

use super::PersonRecord;
use std::collections::BTreeMap;
use waymark_shared::{
    api::{AreaDistance, Figure, FrameworkDistances, MIN_REPORT_PEOPLE, ServiceReport, WardSummary},
    outcomes::{AreaId, Framework, FrameworkId, distance_travelled},
    plan::view::Agreement,
};

/// A figure resting on `people` people: shown only when they are at least [`MIN_REPORT_PEOPLE`].
pub fn figure(value: f64, people: usize) -> Figure {
    if people < MIN_REPORT_PEOPLE as usize {
        Figure::FewerThan5
    } else {
        Figure::Shown { value, people: people as u32 }
    }
}

/// `part` of `whole` as a share, withheld when `whole`, `part` or `whole - part` would single out a group of 1 to 4.
pub fn share(part: usize, whole: usize) -> Figure {
    let small = |n: usize| (1..MIN_REPORT_PEOPLE as usize).contains(&n);
    if whole < MIN_REPORT_PEOPLE as usize || small(part) || small(whole - part) {
        Figure::FewerThan5
    } else {
        Figure::Shown { value: round(part as f64 / whole as f64), people: whole as u32 }
    }
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn median(values: &mut [i16]) -> f64 {
    values.sort_unstable();
    let n = values.len();
    if n % 2 == 1 { f64::from(values[n / 2]) } else { (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0 }
}

/// The report over `people` (everyone on the ward), for readings dated `from..=to`; `today` decides whether a review
/// date at the end of a period still running has passed.
pub fn service_report(
    ward: WardSummary,
    from: &str,
    to: &str,
    today: &str,
    people: &[PersonRecord],
    frameworks: &[Framework],
) -> ServiceReport {
    let in_period = |date: &str| from <= date && date <= to;
    let mut with_readings = 0;
    // framework → area → each person's distance.
    let mut distances: BTreeMap<FrameworkId, BTreeMap<AreaId, Vec<i16>>> = BTreeMap::new();
    let (mut with_plan, mut agreed, mut with_review, mut on_time) = (0, 0, 0, 0);
    let end = if to < today { to } else { today };
    for p in people {
        let readings: Vec<_> = p.finished_readings().filter(|r| in_period(&r.date)).collect();
        if !readings.is_empty() {
            with_readings += 1;
        }
        let mut by_framework: BTreeMap<&FrameworkId, Vec<_>> = BTreeMap::new();
        for r in readings.iter().filter(|r| !r.chart_values().is_empty()) {
            by_framework.entry(&r.framework).or_default().push(*r);
        }
        for (framework, rs) in by_framework {
            // Oldest first already (the view sorts by date).
            let (Some(first), Some(latest)) = (rs.first(), rs.last()) else {
                continue;
            };
            if rs.len() < 2 {
                continue;
            }
            let d = distance_travelled(&first.chart_values(), &latest.chart_values());
            let areas = distances.entry(framework.clone()).or_default();
            for (area, delta) in d.per_area {
                areas.entry(area).or_default().push(delta);
            }
        }
        let plan = &p.plan;
        if !plan.items.is_empty() || !plan.signatures.is_empty() {
            with_plan += 1;
            if matches!(plan.agreement(), Agreement::Agreed { changed_since: false, .. }) {
                agreed += 1;
            }
        }
        if plan.review_by.is_some() {
            with_review += 1;
            if !plan.review_overdue(end) {
                on_time += 1;
            }
        }
    }
    let distance = distances
        .into_iter()
        .map(|(framework, areas)| {
            let newest = frameworks.iter().filter(|f| f.id == framework).max_by_key(|f| f.version);
            let name = newest
                .map(|f| f.name.clone())
                .unwrap_or_else(|| waymark_shared::outcomes::Text::new(&framework.0, &framework.0));
            // Areas in the framework's own order; any it no longer has after them.
            let order = |a: &AreaId| newest.and_then(|f| f.areas.iter().position(|x| &x.id == a)).unwrap_or(usize::MAX);
            let mut areas: Vec<(AreaId, Vec<i16>)> = areas.into_iter().collect();
            areas.sort_by_key(|(a, _)| (order(a), a.clone()));
            let areas = areas
                .into_iter()
                .map(|(area, mut values)| {
                    let n = values.len();
                    let mean = values.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
                    let label = newest
                        .and_then(|f| f.area(&area))
                        .map(|a| a.label.clone())
                        .unwrap_or_else(|| waymark_shared::outcomes::Text::new(&area.0, &area.0));
                    AreaDistance { label, mean: figure(round(mean), n), median: figure(median(&mut values), n), area }
                })
                .collect();
            FrameworkDistances { framework, name, areas }
        })
        .collect();
    ServiceReport {
        ward,
        from: from.to_owned(),
        to: to.to_owned(),
        people_with_readings: figure(with_readings as f64, with_readings),
        distance,
        plans_agreed: share(agreed, with_plan),
        plans_reviewed_on_time: share(on_time, with_review),
    }
}

/// The report as CSV: `measure,framework,area,statistic,value,people`, "fewer than 5" where a figure is withheld.
pub fn report_csv(r: &ServiceReport) -> Vec<u8> {
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = out.write_record(["ward", "from", "to", "measure", "framework", "area", "statistic", "value", "people"]);
    let mut row = |measure: &str, framework: &str, area: &str, statistic: &str, f: &Figure| {
        let (value, people) = match f {
            Figure::Shown { value, people } => (value.to_string(), people.to_string()),
            Figure::FewerThan5 => ("fewer than 5".to_owned(), String::new()),
        };
        let _ = out.write_record([&r.ward.name, &r.from, &r.to, measure, framework, area, statistic, &value, &people]);
    };
    row("people_with_readings", "", "", "count", &r.people_with_readings);
    for f in &r.distance {
        for a in &f.areas {
            row("distance_travelled", &f.framework.0, &a.area.0, "mean", &a.mean);
            row("distance_travelled", &f.framework.0, &a.area.0, "median", &a.median);
        }
    }
    row("plans_agreed", "", "", "share", &r.plans_agreed);
    row("plans_reviewed_on_time", "", "", "share", &r.plans_reviewed_on_time);
    out.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_resting_on_fewer_than_five_people_are_withheld() {
        assert_eq!(figure(3.0, 4), Figure::FewerThan5);
        assert_eq!(figure(3.0, 0), Figure::FewerThan5);
        assert_eq!(figure(3.0, 5), Figure::Shown { value: 3.0, people: 5 });
        assert_eq!(share(3, 4), Figure::FewerThan5, "too few people behind it");
        assert_eq!(share(9, 10), Figure::FewerThan5, "it would single out the one left out");
        assert_eq!(share(2, 10), Figure::FewerThan5, "it would single out two people");
        assert_eq!(share(0, 10), Figure::Shown { value: 0.0, people: 10 });
        assert_eq!(share(10, 10), Figure::Shown { value: 1.0, people: 10 });
        assert_eq!(share(5, 10), Figure::Shown { value: 0.5, people: 10 });
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3, 1, 2]), 2.0);
        assert_eq!(median(&mut [4, 1, 2, 3]), 2.5);
    }
}
