//! The charts' words, pure: dates as the reader writes them, series names, the summaries screen readers hear,
//! signed distances.

use super::geometry::{ChartSeries, SeriesStyle};
use waymark_shared::{
    Lang, Msg,
    i18n::fill,
    outcomes::{AreaId, Framework},
};

/// A reading's date ("2026-11-02") as people write it: "2 Nov 2026", "2 Tach 2026". Anything else is shown as is.
pub fn show_date(iso: &str, lang: Lang) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    let parsed = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            y.parse::<u16>().ok().zip(m.parse::<usize>().ok()).zip(d.parse::<u8>().ok())
        }
        _ => None,
    };
    let month = |m: usize| Msg::ChartMonths.text(lang).split(' ').nth(m.wrapping_sub(1));
    match parsed {
        Some(((y, m), d)) if (1..=31).contains(&d) => match month(m) {
            Some(name) => format!("{d} {name} {y}"),
            None => iso.to_owned(),
        },
        _ => iso.to_owned(),
    }
}

/// A reading's date in words, as people say it: "2 November 2026", "2 Tachwedd 2026". Anything else as it is.
pub fn long_date(iso: &str, lang: Lang) -> String {
    waymark_shared::i18n::date_in_words(iso, lang).unwrap_or_else(|| iso.to_owned())
}

pub fn series_msg(style: SeriesStyle) -> Msg {
    match style {
        SeriesStyle::First => Msg::ChartFirstReading,
        SeriesStyle::Latest => Msg::ChartLatestReading,
        SeriesStyle::Picked => Msg::ChartPickedReading,
    }
}

/// "Latest reading (2 Nov 2026)".
pub fn series_name(style: SeriesStyle, date: &str, lang: Lang) -> String {
    fill(series_msg(style).text(lang), &[("date", date)])
}

/// An area's label in the reader's language (its id if this version does not have it).
pub fn area_name(framework: &Framework, area: &AreaId, lang: Lang) -> String {
    framework.area(area).map_or_else(|| area.0.clone(), |a| a.label.get(lang).to_owned())
}

/// "3", "(Open to support)" where the value has a stage.
pub fn value_with_stage(framework: &Framework, value: u8, lang: Lang) -> String {
    match framework.stage_for(value) {
        Some(s) => format!("{value} ({})", s.label.get(lang)),
        None => value.to_string(),
    }
}

/// The chart's accessible name: the framework and the readings it shows.
pub fn radial_summary(
    framework: &Framework,
    series: &[ChartSeries],
    lang: Lang,
    date: impl Fn(&str) -> String,
) -> String {
    let names: Vec<String> = series.iter().map(|s| series_name(s.style, &date(&s.date), lang)).collect();
    fill(Msg::ChartSummary.text(lang), &[("framework", framework.name.get(lang)), ("readings", &names.join(", "))])
}

/// The chart's long description: how to read it, then every value of every series, area by area.
pub fn radial_description(
    framework: &Framework,
    series: &[ChartSeries],
    lang: Lang,
    date: impl Fn(&str) -> String,
) -> String {
    let (min, max) = (framework.scale.min.to_string(), framework.scale.max.to_string());
    let mut out = fill(Msg::ChartHowToRead.text(lang), &[("min", &min), ("max", &max)]);
    for s in series {
        let values: Vec<String> = framework
            .areas
            .iter()
            .map(|a| {
                let v = s.values.get(&a.id).map_or_else(|| Msg::ChartNotRated.text(lang).to_owned(), |v| v.to_string());
                format!("{}: {v}", a.label.get(lang))
            })
            .collect();
        out.push(' ');
        out.push_str(&series_name(s.style, &date(&s.date), lang));
        out.push_str(": ");
        out.push_str(&values.join("; "));
        out.push('.');
    }
    out
}

/// The trend's summary: how many readings, from when to when (or that there are none).
pub fn trend_summary(dates: &[String], lang: Lang) -> String {
    match (dates.first(), dates.last()) {
        (Some(first), Some(_)) if dates.len() == 1 => fill(Msg::ChartTrendSummaryOne.text(lang), &[("first", first)]),
        (Some(first), Some(last)) => fill(
            Msg::ChartTrendSummary.text(lang),
            &[("count", &dates.len().to_string()), ("first", first), ("last", last)],
        ),
        _ => Msg::ChartTrendNone.text(lang).to_owned(),
    }
}

/// A distance with its sign: "+3", "−2" (a true minus sign), "0".
pub fn signed(d: i32) -> String {
    match d {
        d if d > 0 => format!("+{d}"),
        d if d < 0 => format!("\u{2212}{}", d.unsigned_abs()),
        _ => "0".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::{outcomes::built_in, sync::RecordId};

    fn s(style: SeriesStyle, date: &str, values: &[(&str, u8)]) -> ChartSeries {
        ChartSeries {
            reading: RecordId(date.into()),
            date: date.into(),
            values: values.iter().map(|(a, v)| (AreaId((*a).into()), *v)).collect(),
            style,
        }
    }

    #[test]
    fn the_summary_names_each_series_and_its_date_in_the_readers_language() {
        let f = built_in::waymark_ladder();
        let series = [s(SeriesStyle::First, "2026-01-05", &[]), s(SeriesStyle::Latest, "2026-06-01", &[])];
        let en = radial_summary(&f, &series, Lang::En, |d| format!("<{d}>"));
        assert_eq!(
            en,
            "Chart of Waymark recovery ladder: First reading (<2026-01-05>), Latest reading (<2026-06-01>)."
        );
        let cy = radial_summary(&f, &series, Lang::Cy, str::to_owned);
        assert!(cy.contains("Ysgol adferiad Waymark") && cy.contains("Darlleniad diweddaraf (2026-06-01)"), "{cy}");
    }

    #[test]
    fn the_description_reads_out_every_value_and_says_which_were_not_rated() {
        let f = built_in::care_and_treatment_plan();
        let first = &f.areas[0];
        let series = [s(SeriesStyle::Picked, "2026-03-01", &[(first.id.0.as_str(), 4)])];
        let d = radial_description(&f, &series, Lang::En, str::to_owned);
        assert!(d.starts_with("Each area is a spoke of the wheel, from 1 near the centre to 5 at the edge."), "{d}");
        assert!(d.contains(&format!("Reading you picked (2026-03-01): {}: 4;", first.label.en)), "{d}");
        assert_eq!(d.matches("Not rated").count(), f.areas.len() - 1);
        let cy = radial_description(&f, &series, Lang::Cy, str::to_owned);
        assert_eq!(cy.matches("Heb ei sgorio").count(), f.areas.len() - 1);
    }

    #[test]
    fn dates_are_written_in_the_readers_language() {
        assert_eq!(show_date("2026-11-02", Lang::En), "2 Nov 2026");
        assert_eq!(show_date("2026-11-02", Lang::Cy), "2 Tach 2026");
        assert_eq!(show_date("2027-02-28", Lang::Cy), "28 Chwef 2027");
        for bad in ["2026-13-01", "2026-00-10", "yesterday", "2026-1-1", ""] {
            assert_eq!(show_date(bad, Lang::En), bad);
        }
        for lang in [Lang::En, Lang::Cy] {
            assert_eq!(Msg::ChartMonths.text(lang).split(' ').count(), 12);
        }
    }

    #[test]
    fn distances_carry_their_sign_and_values_their_stage() {
        assert_eq!(signed(3), "+3");
        assert_eq!(signed(-2), "\u{2212}2");
        assert_eq!(signed(0), "0");
        let f = built_in::waymark_ladder();
        assert_eq!(value_with_stage(&f, 3, Lang::En), "3 (Open to support)");
        assert_eq!(area_name(&f, &AreaId("gone".into()), Lang::En), "gone");
        assert_eq!(trend_summary(&["a".into(), "b".into(), "c".into()], Lang::Cy), "3 darlleniad, o a i c.");
        assert_eq!(trend_summary(&[], Lang::En), "Not rated in any reading yet.");
        assert_eq!(trend_summary(&["3 March 2026".into()], Lang::En), "1 reading, on 3 March 2026.");
        assert_eq!(long_date("2026-11-03", Lang::Cy), "3 Tachwedd 2026");
        assert_eq!(long_date("soon", Lang::En), "soon");
    }
}
