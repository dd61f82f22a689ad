//! The recovery tracker's charts, drawn as SVG by the app itself (no chart library): the radial chart of up to a
//! few readings, one area's trend over time, and the same numbers as a table. The geometry is in [`geometry`]
//! (pure, host-tested and benchmarked), the words in [`text`]; this file only turns them into views.
//!
//! Series are told apart by colour *and* line pattern (first: dashed, latest: solid, picked: dotted), so the chart
//! still reads in greyscale print and for people who do not see colours apart. The drawing is one `role="img"` SVG
//! with a summary and a full description; the area labels are buttons laid over it in a second SVG with the same
//! view box (a `role="img"` hides what is inside it from screen readers). On phones the labels give way to
//! numbered badges and a numbered list of area buttons under the chart.

pub mod geometry;
pub mod text;

pub use geometry::{ChartSeries, SeriesStyle};

use crate::{components::area_icon::AreaIcon, i18n::use_i18n};
use geometry::{Anchor, RingKind, TREND_PHONE_H, TREND_PHONE_W, Trend, fmt, radial, trend, trend_in, view_box};
use leptos::{ev, prelude::*};
use text::{
    area_name, long_date, radial_description, radial_summary, series_name, show_date, signed, trend_summary,
    value_with_stage,
};
use waymark_shared::{
    Msg,
    i18n::fill,
    outcomes::{AreaId, Distance, Framework},
};

/// The point's size: the latest reading's points are the largest.
fn point_radius(style: SeriesStyle) -> &'static str {
    match style {
        SeriesStyle::First => "5.5",
        SeriesStyle::Latest => "6.5",
        SeriesStyle::Picked => "5",
    }
}

fn series_class(style: SeriesStyle) -> String {
    format!("series-{}", style.as_str())
}

/// A short sample of a series' line and point, for the legend and the table's headings.
fn swatch(style: SeriesStyle) -> impl IntoView {
    view! {
        <svg class=format!("chart-swatch {}", series_class(style)) viewBox="0 0 44 14" aria-hidden="true" focusable="false">
            <path class="series-line" d="M2 7L42 7"/>
            <circle class="series-point" cx="22" cy="7" r=point_radius(style)/>
        </svg>
    }
}

/// Enter or Space on a `role="button"` does what a click does.
fn is_activation(ev: &ev::KeyboardEvent) -> bool {
    matches!(ev.key().as_str(), "Enter" | " " | "Spacebar")
}

/// The radial chart of the readings in `series`, drawn with `framework`'s areas and scale (the latest reading's
/// version). Readings made with older versions draw the areas they share by id; an area they lack is a gap, not a
/// zero. Choosing an area's label calls `on_area`.
#[component]
pub fn RadialChart(
    framework: Framework,
    series: Vec<ChartSeries>,
    #[prop(into)] on_area: Callback<AreaId>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let lang = i18n.lang.get();
        let easy = i18n.easy_read.get();
        let f = &framework;
        let g = radial(f, &series, |id| area_name(f, id, lang));
        let date = |d: &str| long_date(d, lang);
        let summary = radial_summary(f, &series, lang, date);
        let description = radial_description(f, &series, lang, date);
        let vb = view_box(&g.view);
        let summary_label = summary.clone();

        let bands = g
            .bands
            .iter()
            .map(|b| {
                let class = if b.shaded { "radial-band shaded" } else { "radial-band" };
                view! { <circle class=class cx="0" cy="0" r=fmt(b.r)/> }
            })
            .collect_view();
        let rings = g
            .rings
            .iter()
            .map(|r| {
                let class = match r.kind {
                    RingKind::Edge => "radial-ring edge",
                    RingKind::Boundary => "radial-ring",
                };
                view! { <circle class=class cx="0" cy="0" r=fmt(r.r)/> }
            })
            .collect_view();
        let spokes = g
            .spokes
            .iter()
            .map(|p| view! { <line class="radial-spoke" x1="0" y1="0" x2=fmt(p.x) y2=fmt(p.y)/> })
            .collect_view();
        let scale_labels = g
            .scale_labels
            .iter()
            .map(|l| {
                view! {
                    <text class="radial-scale-label" x=fmt(l.at.x) y=fmt(l.at.y) dy="0.35em" text-anchor="middle">
                        {l.value.to_string()}
                    </text>
                }
            })
            .collect_view();
        let badges = g
            .labels
            .iter()
            .map(|l| {
                view! {
                    <circle class="radial-badge" cx=fmt(l.badge.x) cy=fmt(l.badge.y) r=fmt(geometry::BADGE_R)/>
                    <text class="radial-badge-number" x=fmt(l.badge.x) y=fmt(l.badge.y) dy="0.35em" text-anchor="middle">
                        {l.number.to_string()}
                    </text>
                }
            })
            .collect_view();
        let drawn = g
            .series
            .iter()
            .map(|s| {
                let line_class = if s.closed { "series-line closed" } else { "series-line" };
                let points = s
                    .points
                    .iter()
                    .map(|p| {
                        let tip = format!("{}: {}", area_name(f, &p.area, lang), value_with_stage(f, p.value, lang));
                        view! {
                            <circle
                                class="series-point"
                                data-test="chart-point"
                                data-area=p.area.0.clone()
                                data-value=p.value.to_string()
                                cx=fmt(p.at.x)
                                cy=fmt(p.at.y)
                                r=point_radius(s.style)
                            >
                                <title>{tip}</title>
                            </circle>
                        }
                    })
                    .collect_view();
                view! {
                    <g
                        class=format!("radial-series {}", series_class(s.style))
                        data-test="chart-series"
                        data-style=s.style.as_str()
                        data-reading=s.reading.0.clone()
                    >
                        <path class=line_class d=s.d.clone()/>
                        {points}
                    </g>
                }
            })
            .collect_view();
        let labels = g
            .labels
            .iter()
            .map(|l| {
                let name = area_name(f, &l.area, lang);
                let button_name = fill(Msg::ChartAreaButton.text(lang), &[("area", &name)]);
                let (on_click, on_key) = (l.area.clone(), l.area.clone());
                let x = fmt(l.x);
                let lines = l
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(i, (s, y))| {
                        let gap = (i > 0).then_some(" ");
                        view! { {gap}<tspan x=x.clone() y=fmt(*y)>{s.clone()}</tspan> }
                    })
                    .collect_view();
                let anchor = l.anchor.as_str();
                view! {
                    <g
                        class="radial-area"
                        role="button"
                        tabindex="0"
                        data-test="chart-area"
                        data-area=l.area.0.clone()
                        aria-label=button_name
                        on:click=move |_| on_area.run(on_click.clone())
                        on:keydown=move |ev: ev::KeyboardEvent| {
                            if is_activation(&ev) {
                                ev.prevent_default();
                                on_area.run(on_key.clone());
                            }
                        }
                    >
                        <title>{name}</title>
                        <rect
                            class="radial-area-hit"
                            x=fmt(l.hit.x)
                            y=fmt(l.hit.y)
                            width=fmt(l.hit.w)
                            height=fmt(l.hit.h)
                            rx="8"
                        />
                        <text class="radial-area-label" text-anchor=anchor>{lines}</text>
                    </g>
                }
            })
            .collect_view();
        let legend = g
            .series
            .iter()
            .map(|s| {
                let given = &series[s.index];
                view! {
                    <li class=series_class(s.style) data-test="chart-legend-item" data-style=s.style.as_str()>
                        {swatch(s.style)}
                        <span>{series_name(s.style, &date(&given.date), lang)}</span>
                    </li>
                }
            })
            .collect_view();
        let key = g
            .labels
            .iter()
            .map(|l| {
                let id = l.area.clone();
                view! {
                    <li>
                        <button
                            type="button"
                            class="radial-key-button"
                            data-test="chart-area-key"
                            data-area=l.area.0.clone()
                            on:click=move |_| on_area.run(id.clone())
                        >
                            <span class="radial-key-number" aria-hidden="true">{l.number.to_string()}</span>
                            {easy.then(|| view! { <AreaIcon area=l.area.clone()/> })}
                            <span>{area_name(f, &l.area, lang)}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();

        view! {
            <figure class="radial-chart" class:easy-read=easy data-areas=g.labels.len().to_string()>
                <div class="radial-frame">
                    <svg
                        class="radial-drawing"
                        data-test="radial-chart"
                        role="img"
                        aria-label=summary_label
                        viewBox=vb.clone()
                        preserveAspectRatio="xMidYMid meet"
                    >
                        <title>{summary}</title>
                        <desc>{description}</desc>
                        <g class="radial-grid">{bands} {rings} {spokes}</g>
                        <g class="radial-badges">{badges}</g>
                        <g class="radial-scale">{scale_labels}</g>
                        {drawn}
                    </svg>
                    <svg
                        class="radial-labels"
                        role="group"
                        aria-label=Msg::ChartAreas.text(lang)
                        viewBox=vb
                        preserveAspectRatio="xMidYMid meet"
                    >
                        {labels}
                    </svg>
                </div>
                <figcaption class="chart-legend-wrap">
                    <span class="chart-legend-title">{Msg::ChartKey.text(lang)}</span>
                    <ul class="chart-legend" data-test="chart-legend">{legend}</ul>
                </figcaption>
                <ol class="radial-key" aria-label=Msg::ChartAreas.text(lang)>{key}</ol>
            </figure>
        }
    }
}

/// One area's values over time (all readings of the framework that rated it, oldest first), on a small line chart
/// with the scale's stages as bands. Drawn twice: wide for tablets and narrow for phones (CSS shows one), so on a
/// phone its numbers, stage words and dates are written at a size people can read.
#[component]
pub fn AreaTrend(framework: Framework, area: AreaId, points: Vec<(String, u8)>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let lang = i18n.lang.get();
        let f = &framework;
        let name = area_name(f, &area, lang);
        let title = fill(Msg::ChartTrendTitle.text(lang), &[("area", &name)]);
        let values: Vec<u8> = points.iter().map(|p| p.1).collect();
        let long: Vec<String> = points.iter().map(|p| long_date(&p.0, lang)).collect();
        let short: Vec<String> = points.iter().map(|p| show_date(&p.0, lang)).collect();
        let summary = trend_summary(&long, lang);
        let mut description = summary.clone();
        for (d, v) in long.iter().zip(&values) {
            description.push_str(&format!(" {d}: {}.", value_with_stage(f, *v, lang)));
        }
        let trend_label = format!("{title}. {summary}");
        let empty = values.is_empty().then(|| view! { <p class="hint">{Msg::ChartTrendNone.text(lang)}</p> });
        let wide = trend(f, &values);
        let phone = trend_in(f, &values, TREND_PHONE_W, TREND_PHONE_H);
        let drawing = |g: Trend, class: &'static str, test: &'static str, point_test: &'static str| {
            let plot = g.plot;
            let bands = g
                .bands
                .iter()
                .map(|b| {
                    let stage = &f.scale.stages[b.stage];
                    let class = if b.shaded { "trend-band shaded" } else { "trend-band" };
                    let label = (b.h >= 14.0).then(|| {
                        view! {
                            <text class="trend-stage-label" x=fmt(plot.x + plot.w - 6.0) y=fmt(b.y + b.h / 2.0) dy="0.35em" text-anchor="end">
                                {stage.label.get(lang).to_owned()}
                            </text>
                        }
                    });
                    view! {
                        <rect class=class x=fmt(plot.x) y=fmt(b.y) width=fmt(plot.w) height=fmt(b.h)/>
                        {label}
                    }
                })
                .collect_view();
            let ticks = g
                .ticks
                .iter()
                .map(|(v, y)| {
                    let class = if *v == f.scale.min || *v == f.scale.max { "trend-tick" } else { "trend-tick minor" };
                    view! {
                        <text class=class x=fmt(plot.x - 8.0) y=fmt(*y) dy="0.35em" text-anchor="end">{v.to_string()}</text>
                    }
                })
                .collect_view();
            let dots = g
                .points
                .iter()
                .map(|p| {
                    let tip = format!("{}: {}", long[p.index], value_with_stage(f, p.value, lang));
                    view! {
                        <circle
                            class="trend-point"
                            data-test=point_test
                            data-value=p.value.to_string()
                            data-date=points[p.index].0.clone()
                            cx=fmt(p.at.x)
                            cy=fmt(p.at.y)
                            r="5.5"
                        >
                            <title>{tip}</title>
                        </circle>
                    }
                })
                .collect_view();
            let date_labels = g
                .dates
                .iter()
                .map(|(i, x, anchor)| {
                    let class = if *anchor == Anchor::Middle && g.points.len() > 1 {
                        "trend-date middle"
                    } else {
                        "trend-date"
                    };
                    view! {
                        <text class=class x=fmt(*x) y=fmt(plot.y + plot.h + 22.0) text-anchor=anchor.as_str()>
                            {short[*i].clone()}
                        </text>
                    }
                })
                .collect_view();
            view! {
                <svg
                    class=format!("area-trend {class}")
                    data-test=test
                    data-area=area.0.clone()
                    role="img"
                    aria-label=trend_label.clone()
                    viewBox=view_box(&g.view)
                    preserveAspectRatio="xMidYMid meet"
                >
                    <title>{title.clone()}</title>
                    <desc>{description.clone()}</desc>
                    {bands}
                    {ticks}
                    <line class="trend-axis" x1=fmt(plot.x) y1=fmt(plot.y + plot.h) x2=fmt(plot.x + plot.w) y2=fmt(plot.y + plot.h)/>
                    <path class="trend-line" d=g.d.clone()/>
                    {dots}
                    {date_labels}
                </svg>
            }
        };
        view! {
            <figure class="area-trend-figure" data-test="area-trend-figure" data-area=area.0.clone() tabindex="-1">
                <figcaption class="area-trend-title">{title.clone()}</figcaption>
                {drawing(wide, "wide", "area-trend", "trend-point")}
                {drawing(phone, "phone", "area-trend-phone", "trend-point-phone")}
                {empty}
            </figure>
        }
    }
}

/// The same numbers as the chart: a row per area, a column per series, and (given `distance`) the distance
/// travelled from the first reading to the latest per area and overall.
#[component]
pub fn ReadingsTable(framework: Framework, series: Vec<ChartSeries>, distance: Option<Distance>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let lang = i18n.lang.get();
        let f = &framework;
        let heads = series
            .iter()
            .map(|s| {
                view! {
                    <th scope="col" class=series_class(s.style) data-style=s.style.as_str() data-reading=s.reading.0.clone()>
                        {swatch(s.style)}
                        {series_name(s.style, &long_date(&s.date, lang), lang)}
                    </th>
                }
            })
            .collect_view();
        let no_distance = move || {
            view! {
                <span aria-hidden="true">"—"</span>
                <span class="chart-sr-only">{Msg::ChartNoDistance.text(lang)}</span>
            }
        };
        let rows = f
            .areas
            .iter()
            .map(|a| {
                let cells = series
                    .iter()
                    .map(|s| {
                        let value = s.values.get(&a.id).copied();
                        let shown = match value {
                            Some(v) => {
                                let stage = f.stage_for(v).map(|st| st.label.get(lang).to_owned());
                                view! {
                                    <span class="table-number">{v.to_string()}</span>
                                    {stage.map(|st| view! { <span class="table-stage">{st}</span> })}
                                }
                                .into_any()
                            }
                            None => view! { <span class="table-not-rated">{Msg::ChartNotRated.text(lang)}</span> }.into_any(),
                        };
                        view! {
                            <td
                                data-test="table-value"
                                data-area=a.id.0.clone()
                                data-reading=s.reading.0.clone()
                                data-value=value.map(|v| v.to_string())
                            >
                                {shown}
                            </td>
                        }
                    })
                    .collect_view();
                let dist = distance.as_ref().map(|d| {
                    let v = d.per_area.get(&a.id).copied();
                    view! {
                        <td class="table-distance" data-test="distance" data-area=a.id.0.clone() data-value=v.map(|v| v.to_string())>
                            {match v {
                                Some(v) => signed(i32::from(v)).into_any(),
                                None => no_distance().into_any(),
                            }}
                        </td>
                    }
                });
                view! {
                    <tr data-area=a.id.0.clone()>
                        <th scope="row">{a.label.get(lang).to_owned()}</th>
                        {cells}
                        {dist}
                    </tr>
                }
            })
            .collect_view();
        let overall = distance.as_ref().map(|d| {
            let blanks = series.iter().map(|_| view! { <td></td> }).collect_view();
            view! {
                <tfoot>
                    <tr>
                        <th scope="row">{Msg::ChartOverall.text(lang)}</th>
                        {blanks}
                        <td class="table-distance" data-test="distance" data-area="overall" data-value=d.overall.to_string()>
                            {signed(d.overall)}
                        </td>
                    </tr>
                </tfoot>
            }
        });
        let distance_head = distance.is_some().then(|| view! { <th scope="col">{Msg::ChartDistance.text(lang)}</th> });
        // The title sits outside the part that scrolls sideways on a phone, and names both.
        let title_id = format!("readings-table-{}", f.id.0);
        let (region_by, table_by) = (title_id.clone(), title_id.clone());
        view! {
            <div class="readings-table-block">
                <p class="readings-table-title" id=title_id>
                    {fill(Msg::ChartTableCaption.text(lang), &[("framework", f.name.get(lang))])}
                </p>
                <div class="readings-table-wrap" role="region" tabindex="0" aria-labelledby=region_by>
                <table class="readings-table" data-test="readings-table" aria-labelledby=table_by>
                    <thead>
                        <tr>
                            <th scope="col">{Msg::ChartArea.text(lang)}</th>
                            {heads}
                            {distance_head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    {overall}
                </table>
                </div>
            </div>
        }
    }
}
