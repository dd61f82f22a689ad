//! The tracker at a glance: the radial chart (first and latest reading, and one the person picks), an area's trend
//! when it is chosen, the same numbers as a table, and the goals.

use crate::{
    components::reading::{Naming, reading_title},
    components::{
        chart::{AreaTrend, ChartSeries, RadialChart, ReadingsTable, SeriesStyle},
        goal_list::Goals,
    },
    frameworks::use_frameworks,
    i18n::{t, use_i18n},
    sync::tracker::use_tracker,
};
use leptos::{prelude::*, wasm_bindgen::JsCast, web_sys};
use waymark_shared::{
    Msg, UserId,
    outcomes::{AreaId, FrameworkId, built_in},
    sync::{RecordId, WriterFacts},
    tracker::view::ReadingView,
};

/// The series to draw: the first and the latest reading with values, and the picked one if it is neither.
pub fn chart_series(readings: &[&ReadingView], picked: Option<&RecordId>) -> Vec<ChartSeries> {
    let rated: Vec<&ReadingView> = readings.iter().copied().filter(|r| !r.chart_values().is_empty()).collect();
    let series = |r: &ReadingView, style| ChartSeries {
        reading: r.id.clone(),
        date: r.date.clone(),
        values: r.chart_values(),
        style,
    };
    let mut out = Vec::new();
    if let (Some(first), Some(latest)) = (rated.first(), rated.last()) {
        if rated.len() > 1 {
            out.push(series(first, SeriesStyle::First));
        }
        if let Some(p) =
            picked.and_then(|p| rated.iter().find(|r| &r.id == p)).filter(|p| p.id != first.id && p.id != latest.id)
        {
            out.push(series(p, SeriesStyle::Picked));
        }
        out.push(series(latest, SeriesStyle::Latest));
    }
    out
}

#[component]
pub fn TrackerOverview(
    person: UserId,
    framework: Memo<FrameworkId>,
    facts: Memo<WriterFacts>,
    /// How the person is named ("I" and "me" on their own screens).
    naming: Naming,
) -> impl IntoView {
    let i18n = use_i18n();
    let tracker = use_tracker(person.clone());
    let frameworks = use_frameworks();
    let picked = RwSignal::new(None::<RecordId>);
    let area = RwSignal::new(None::<AreaId>);
    let show_table = RwSignal::new(false);
    let readings =
        Memo::new(move |_| framework.with(|f| tracker.with(|t| t.finished_of(f).cloned().collect::<Vec<_>>())));
    // Drawn with the latest reading's version; an older reading draws the areas it shares with it.
    let drawn_with = Memo::new(move |_| {
        let id = framework.get();
        let latest = readings.with(|r| r.last().map(|r| r.version));
        latest
            .and_then(|v| frameworks.version(&id, v))
            .or_else(|| frameworks.current(&id))
            .unwrap_or_else(built_in::waymark_ladder)
    });
    let series = Memo::new(move |_| {
        readings.with(|rs| picked.with(|p| chart_series(&rs.iter().collect::<Vec<_>>(), p.as_ref())))
    });
    let distance = Memo::new(move |_| framework.with(|f| tracker.with(|t| t.distance(f))));
    // Choosing an area shows its trend and brings it into view (below the chart, often off screen on a tablet).
    let on_area = Callback::new(move |a: AreaId| {
        area.set(Some(a));
        request_animation_frame(|| {
            if let Some(el) = document().query_selector("[data-test=area-trend-figure]").ok().flatten() {
                el.scroll_into_view_with_bool(true);
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    });
    let naming = StoredValue::new(naming);
    let current = Memo::new(move |_| frameworks.current(&framework.get()).unwrap_or_else(|| drawn_with.get()));
    let person = StoredValue::new(person);

    view! {
        <section class="panel tracker-chart" data-test="tracker-chart">
            {move || {
                if series.with(Vec::is_empty) {
                    return view! { <p class="hint">{t(Msg::TrackerNoReadings)}</p> }.into_any();
                }
                let f = drawn_with.get();
                let s = series.get();
                view! {
                    <div class="chart-tools">
                        <label class="field-label" for="compare-pick">{t(Msg::TrackerCompareWith)}</label>
                        <select id="compare-pick" data-test="compare-pick"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                picked.set((!v.is_empty()).then_some(RecordId(v)));
                            }>
                            <option value="">{t(Msg::TrackerCompareNone)}</option>
                            {readings.get().into_iter().filter(|r| !r.chart_values().is_empty()).map(|r| {
                                let selected = picked.with_untracked(|p| p.as_ref() == Some(&r.id));
                                let date = r.date.clone();
                                view! { <option value=r.id.0.clone() selected=selected>{move || reading_title(&date, i18n.lang.get())}</option> }
                            }).collect_view()}
                        </select>
                        <button type="button" class="button outline" data-test="toggle-table"
                            aria-pressed=move || show_table.get().to_string()
                            on:click=move |_| show_table.update(|v| *v = !*v)>
                            {move || t(if show_table.get() { Msg::TrackerShowChart } else { Msg::TrackerShowTable })()}
                        </button>
                    </div>
                    {if show_table.get() {
                        view! { <ReadingsTable framework=f.clone() series=s distance=distance.get()/> }.into_any()
                    } else {
                        view! {
                            <RadialChart framework=f.clone() series=s on_area=on_area/>
                            <p class="hint">{move || if i18n.easy_read.get() { Msg::TrackerTapAreaEasy } else { Msg::TrackerTapArea }.text(i18n.lang.get())}</p>
                        }
                        .into_any()
                    }}
                    {move || area.get().map(|a| {
                        let points: Vec<(String, u8)> = readings.with(|rs| {
                            rs.iter().filter_map(|r| r.areas.get(&a).and_then(|x| x.chart_value()).map(|v| (r.date.clone(), v))).collect()
                        });
                        view! { <AreaTrend framework=drawn_with.get() area=a points=points/> }
                    })}
                }
                .into_any()
            }}
        </section>
        {move || view! { <Goals person=person.get_value() facts=facts framework=current.get() naming=naming.get_value()/> }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use waymark_shared::tracker::{Rater, view::AreaReading};

    fn reading(id: &str, date: &str, value: Option<u8>) -> ReadingView {
        let mut areas = BTreeMap::new();
        if let Some(v) = value {
            let mut a = AreaReading::default();
            a.values.insert(Rater::Agreed, v);
            areas.insert(AreaId("a".into()), a);
        }
        ReadingView {
            id: RecordId(id.into()),
            framework: FrameworkId("f".into()),
            version: 1,
            date: date.into(),
            present: vec![],
            areas,
            started_by: None,
            finished: Some(waymark_shared::tracker::view::FinishedReading { missing: vec![], by: None }),
            discarded: false,
            waiting: false,
        }
    }

    #[test]
    fn the_chart_shows_first_and_latest_rated_readings_and_the_picked_one() {
        let rs = [
            reading("r1", "2026-01-01", Some(3)),
            reading("r2", "2026-02-01", Some(5)),
            reading("r3", "2026-03-01", Some(7)),
            reading("r4", "2026-04-01", None),
        ];
        let refs: Vec<&ReadingView> = rs.iter().collect();
        let styles = |s: Vec<ChartSeries>| s.into_iter().map(|c| (c.reading.0, c.style)).collect::<Vec<_>>();
        assert_eq!(
            styles(chart_series(&refs, None)),
            [("r1".into(), SeriesStyle::First), ("r3".into(), SeriesStyle::Latest)],
            "an empty reading is not the latest"
        );
        assert_eq!(styles(chart_series(&refs, Some(&RecordId("r2".into()))))[1], ("r2".into(), SeriesStyle::Picked));
        assert_eq!(chart_series(&refs, Some(&RecordId("r3".into()))).len(), 2, "picking the latest adds nothing");
        assert_eq!(styles(chart_series(&refs[..1], None)), [("r1".into(), SeriesStyle::Latest)]);
        assert!(chart_series(&refs[3..], None).is_empty());
    }
}
