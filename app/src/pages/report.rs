//! `/report`: the de-identified service report for a ward manager's ward (issue 14): a period, the figures (any
//! resting on fewer than 5 people said as "fewer than 5", never the number), SVG bar charts, print and CSV.

use super::signed_in::SignedIn;
use crate::{
    client::{api, http::Failure},
    components::person_details::error_view,
    i18n::{t, use_i18n},
    util::today,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use waymark_shared::{
    Lang, Msg, Role,
    api::{Figure, Me, ServiceReport},
    i18n::fill,
    review::add_days,
};

#[component]
pub fn ReportPage() -> impl IntoView {
    view! {
        <SignedIn content=|me: Me| match (me.role, me.ward.clone()) {
            (Role::WardManager, Some(w)) => view! { <Report ward=w.id/> }.into_any(),
            (Role::WardManager, None) => view! { <p class="error" role="alert">{t(Msg::ReportNoWard)}</p> }.into_any(),
            _ => view! { <p class="error" role="alert">{t(Msg::ErrorNotFound)}</p> }.into_any(),
        }/>
    }
}

/// A figure in words: "fewer than 5", "12 (7 people)", or a share as a percentage.
fn figure_text(f: &Figure, share: bool, lang: Lang) -> String {
    match f {
        Figure::FewerThan5 => Msg::FewerThan5.text(lang).to_owned(),
        Figure::Shown { value, people } => {
            let value = if share {
                format!("{:.0}%", value * 100.0)
            } else if value.fract() == 0.0 {
                format!("{value:.0}")
            } else {
                format!("{value:.1}")
            };
            fill(Msg::ReportFigurePeople.text(lang), &[("value", &value), ("people", &people.to_string())])
        }
    }
}

#[component]
fn Report(ward: String) -> impl IntoView {
    let i18n = use_i18n();
    crate::a11y::page_title(t(Msg::ReportTitle));
    let end = today();
    let start = add_days(&end, -90).unwrap_or_else(|| end.clone());
    let from = RwSignal::new(start);
    let to = RwSignal::new(end);
    let report = RwSignal::new(None::<ServiceReport>);
    let failure = RwSignal::new(None::<Failure>);
    let bad_period = RwSignal::new(false);
    let ward = StoredValue::new(ward);
    let load = move || {
        let (f, t) = (from.get_untracked(), to.get_untracked());
        bad_period.set(f > t);
        if f > t {
            return;
        }
        spawn_local(async move {
            match api::service_report(&ward.get_value(), &f, &t).await {
                Ok(r) => {
                    failure.set(None);
                    report.set(Some(r));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    load();
    let csv = move || api::service_report_csv_url(&ward.get_value(), &from.get(), &to.get());
    view! {
        <article class="report-page" data-test="report-page">
            <A href="/overview" attr:class="back-link no-print">{t(Msg::WardOverview)}</A>
            <h1>{t(Msg::ReportTitle)}</h1>
            <p class="intro">{t(Msg::ReportIntro)}</p>
            <form class="panel filters no-print" data-test="report-period" on:submit=move |ev| { ev.prevent_default(); load(); }>
                <div class="field">
                    <label class="field-label" for="report-from">{t(Msg::AuditFrom)}</label>
                    <input id="report-from" type="date" class="field-input" data-test="report-from" prop:value=move || from.get()
                        on:change=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field-label" for="report-to">{t(Msg::AuditTo)}</label>
                    <input id="report-to" type="date" class="field-input" data-test="report-to" prop:value=move || to.get()
                        on:change=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="button primary" data-test="report-show">{t(Msg::ReportShow)}</button>
            </form>
            {move || bad_period.get().then(|| view! { <p class="error" role="alert">{t(Msg::ReportBadPeriod)}</p> })}
            {move || failure.get().map(error_view)}
            <p class="page-actions no-print">
                <button type="button" class="button" data-test="report-print" on:click=move |_| { let _ = window().print(); }>{t(Msg::ReportPrint)}</button>
                <a class="button" href=csv download="" data-test="report-csv">{t(Msg::ReportCsv)}</a>
            </p>
            {move || report.get().map(|r| {
                let lang = i18n.lang.get();
                let people = figure_text(&r.people_with_readings, false, lang);
                let agreed = figure_text(&r.plans_agreed, true, lang);
                let on_time = figure_text(&r.plans_reviewed_on_time, true, lang);
                view! {
                    <section class="panel" data-test="report-figures">
                        <h2>{r.ward.name.clone()}": "{r.from.clone()}" – "{r.to.clone()}</h2>
                        <dl class="figures">
                            <div><dt>{Msg::ReportPeople.text(lang)}</dt><dd data-test="figure-people">{people}</dd></div>
                            <div><dt>{Msg::ReportAgreed.text(lang)}</dt><dd data-test="figure-agreed">{agreed}</dd></div>
                            <div><dt>{Msg::ReportOnTime.text(lang)}</dt><dd data-test="figure-on-time">{on_time}</dd></div>
                        </dl>
                        <Bars share=true rows=vec![(Msg::ReportAgreed.text(lang).to_owned(), r.plans_agreed.clone()), (Msg::ReportOnTime.text(lang).to_owned(), r.plans_reviewed_on_time.clone())]/>
                    </section>
                    {r.distance.into_iter().map(|fw| {
                        let title = fill(Msg::ReportDistance.text(lang), &[("framework", fw.name.get(lang))]);
                        let bars: Vec<(String, Figure)> = fw.areas.iter().map(|a| (a.label.get(lang).to_owned(), a.mean.clone())).collect();
                        view! {
                            <section class="panel" data-test="report-distance">
                                <h2>{title}</h2>
                                <div class="table-wrap">
                                    <table class="report-table">
                                        <thead><tr>
                                            <th scope="col">{Msg::ReportArea.text(lang)}</th>
                                            <th scope="col">{Msg::ReportMean.text(lang)}</th>
                                            <th scope="col">{Msg::ReportMedian.text(lang)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {fw.areas.into_iter().map(|a| view! {
                                                <tr data-test="report-area">
                                                    <th scope="row">{a.label.get(lang).to_owned()}</th>
                                                    <td>{figure_text(&a.mean, false, lang)}</td>
                                                    <td>{figure_text(&a.median, false, lang)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Bars share=false rows=bars/>
                            </section>
                        }
                    }).collect_view()}
                }
            })}
        </article>
    }
}

/// Horizontal bars, each labelled above its bar: shares (0 to 1) or values scaled to the largest; a withheld figure
/// draws no bar and says "fewer than 5".
#[component]
fn Bars(rows: Vec<(String, Figure)>, share: bool) -> impl IntoView {
    let lang = use_i18n().lang.get_untracked();
    let row_h = 46.0;
    let h = row_h * rows.len() as f64 + 4.0;
    let largest = rows
        .iter()
        .filter_map(|(_, f)| match f {
            Figure::Shown { value, .. } => Some(value.abs()),
            Figure::FewerThan5 => None,
        })
        .fold(if share { 1.0 } else { 0.0 }, f64::max)
        .max(f64::EPSILON);
    let summary: Vec<String> = rows.iter().map(|(l, f)| format!("{l}: {}", figure_text(f, share, lang))).collect();
    view! {
        <svg class="report-bars" viewBox=format!("0 0 400 {h}") role="img" aria-label=summary.join("; ") data-test="report-chart">
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, (label, f))| {
                    let y = 2.0 + row_h * i as f64;
                    let (width, words) = match &f {
                        Figure::Shown { value, .. } => {
                            let words = if share { format!("{:.0}%", value * 100.0) } else { format!("{value:+.1}") };
                            (260.0 * (value.abs() / largest).clamp(0.0, 1.0), words)
                        }
                        Figure::FewerThan5 => (0.0, Msg::FewerThan5.text(lang).to_owned()),
                    };
                    view! {
                        <text x="0" y=y + 15.0 class="bar-label">{label}</text>
                        {(width > 0.0).then(|| view! { <rect x="0" y=y + 21.0 width=width.max(1.0) height="16" class="bar"/> })}
                        <text x=width + 6.0 y=y + 34.0 class="bar-value">{words}</text>
                    }
                })
                .collect_view()}
        </svg>
    }
}
