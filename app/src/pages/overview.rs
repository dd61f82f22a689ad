//! `/overview`: the ward overview (issue 14) for a ward manager's ward and a member of staff's caseload. Worked out
//! from the records synced to this device ([`waymark_shared::review`]), so it opens offline too: each person's
//! latest finished reading, a small chart of distance travelled, and what needs a look; sorted and filtered by
//! each; a tap opens the person.

use super::signed_in::SignedIn;
use crate::{
    client::api,
    components::{person_details::error_view, written::date_words},
    i18n::{t, use_i18n},
    sync::use_sync,
    util::today,
};
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{
    Msg, Role,
    api::{Me, PersonSummary},
    i18n::fill,
    plan::view::{PLAN_KINDS, PlanView},
    review::{DEFAULT_READING_WEEKS, Filter, ReviewState, Signals, SortBy, arrange},
    tracker::view::{TRACKER_KINDS, TrackerView},
};

#[component]
pub fn OverviewPage() -> impl IntoView {
    view! {
        <SignedIn content=|me: Me| {
            if me.role.is_staff() {
                view! { <WardOverview me=me/> }.into_any()
            } else {
                view! { <p class="error" role="alert">{t(Msg::ErrorNotFound)}</p> }.into_any()
            }
        }/>
    }
}

fn sort_msg(s: SortBy) -> Msg {
    match s {
        SortBy::Name => Msg::SortName,
        SortBy::LatestReading => Msg::SortLatestReading,
        SortBy::Distance => Msg::SortDistance,
        SortBy::OverdueSteps => Msg::SortOverdueSteps,
        SortBy::Review => Msg::SortReview,
        SortBy::Conflicts => Msg::SortConflicts,
    }
}

fn filter_msg(f: Filter) -> Msg {
    match f {
        Filter::All => Msg::FilterAll,
        Filter::ReadingsDue => Msg::FilterReadingsDue,
        Filter::OverdueSteps => Msg::FilterOverdueSteps,
        Filter::Review => Msg::FilterReview,
        Filter::NeverAgreed => Msg::FilterNeverAgreed,
        Filter::Conflicts => Msg::FilterConflicts,
    }
}

/// Each person's signals from this device's copy of their records, following every pull and edit.
pub fn use_signals(people: Signal<Vec<PersonSummary>>, weeks: Signal<u32>) -> Memo<Vec<(PersonSummary, Signals)>> {
    let sync = use_sync();
    Memo::new(move |_| {
        let today = today();
        let weeks = weeks.get();
        people.with(|list| {
            sync.replica.with(|r| {
                sync.outbox.with(|o| {
                    list.iter()
                        .map(|p| {
                            let tracker = TrackerView::build(&o.overlay(r, &p.id, &TRACKER_KINDS));
                            let plan = PlanView::build(&o.overlay(r, &p.id, &PLAN_KINDS));
                            (p.clone(), Signals::build(&tracker, &plan, &today, weeks))
                        })
                        .collect()
                })
            })
        })
    })
}

#[component]
fn WardOverview(me: Me) -> impl IntoView {
    let sync = use_sync();
    let heading = if me.role == Role::WardManager { Msg::WardOverview } else { Msg::CaseloadOverview };
    crate::a11y::page_title(t(heading));
    let loaded = LocalResource::new(move || async move { sync.page(api::people()).await.map(|(list, _)| list) });
    let people = Signal::derive(move || match loaded.get() {
        Some(Ok(list)) => list.people,
        _ => Vec::new(),
    });
    let sort = RwSignal::new(SortBy::Name);
    let filter = RwSignal::new(Filter::All);
    let weeks = RwSignal::new(DEFAULT_READING_WEEKS);
    let signals = use_signals(people, weeks.into());
    let rows = Memo::new(move |_| {
        let mut rows = signals.get();
        arrange(&mut rows, |(p, s)| (p.display_name.as_str(), s), sort.get(), filter.get());
        rows
    });
    let i18n = use_i18n();
    let ward = me.ward.clone().filter(|_| me.role == Role::WardManager);
    view! {
        <article class="overview-page" data-test="overview-page">
            <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
            <h1>{t(heading)}</h1>
            <p class="intro">{t(Msg::OverviewIntro)}</p>
            <form class="panel filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label class="field-label" for="overview-sort">{t(Msg::OverviewSort)}</label>
                    <select id="overview-sort" class="field-input" data-test="overview-sort"
                        on:change=move |ev| sort.set(SortBy::parse(&event_target_value(&ev)).unwrap_or(SortBy::Name))>
                        {SortBy::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=move || sort.get() == s>{t(sort_msg(s))}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field-label" for="overview-filter">{t(Msg::OverviewShow)}</label>
                    <select id="overview-filter" class="field-input" data-test="overview-filter"
                        on:change=move |ev| filter.set(Filter::parse(&event_target_value(&ev)).unwrap_or(Filter::All))>
                        {Filter::ALL.into_iter().map(|f| view! { <option value=f.as_str() selected=move || filter.get() == f>{t(filter_msg(f))}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field-label" for="overview-weeks">{t(Msg::OverviewWeeks)}</label>
                    <input id="overview-weeks" class="field-input" type="number" min="1" max="104" data-test="overview-weeks"
                        prop:value=move || weeks.get().to_string()
                        on:change=move |ev| {
                            if let Ok(w) = event_target_value(&ev).parse::<u32>() {
                                weeks.set(w.clamp(1, 104));
                            }
                        }/>
                </div>
            </form>
            {ward.map(|w| {
                let all = api::ward_csv_url(&w.id, false);
                let anonymous = api::ward_csv_url(&w.id, true);
                view! {
                    <p class="page-actions">
                        <a class="button" href=all download="" data-test="export-ward-csv">{t(Msg::ExportWardCsv)}</a>
                        <a class="button" href=anonymous download="" data-test="export-ward-csv-deidentified">{t(Msg::ExportWardCsvNoNames)}</a>
                        <A href="/report" attr:class="button" attr:data-test="open-report">{t(Msg::ReportTitle)}</A>
                        <A href="/frameworks" attr:class="button" attr:data-test="open-frameworks">{t(Msg::FwOpen)}</A>
                    </p>
                }
            })}
            {move || match loaded.get() {
                None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                Some(Ok(_)) => view! {
                    <p class="hint" data-test="overview-count" aria-live="polite">{move || {
                        let lang = i18n.lang.get();
                        fill(Msg::OverviewCount.text(lang), &[("shown", &rows.with(Vec::len).to_string()), ("total", &signals.with(Vec::len).to_string())])
                    }}</p>
                    {move || rows.with(Vec::is_empty).then(|| view! { <p class="empty">{t(Msg::OverviewNobody)}</p> })}
                    <ul class="overview-list" data-test="overview-list">
                        <For each=move || rows.get() key=|(p, s)| (p.id.clone(), format!("{s:?}")) let:row>
                            <OverviewRow person=row.0 signals=row.1/>
                        </For>
                    </ul>
                }
                .into_any(),
            }}
        </article>
    }
}

/// One person on the overview: their name (a link to their page), the small chart, and the signals in words.
#[component]
fn OverviewRow(person: PersonSummary, signals: Signals) -> impl IntoView {
    let href = format!("/people/{}", person.id);
    let name = person.display_name.clone();
    let s = StoredValue::new(signals);
    view! {
        <li class="overview-row" data-test="overview-row" data-name=person.display_name.clone()>
            <A href=href attr:class="person-card overview-person" attr:data-test="overview-person">
                <span class="person-name">{name}</span>
                <DistanceSpark values=s.get_value().distance/>
                <SignalList signals=s.get_value()/>
            </A>
        </li>
    }
}

/// The signals in brief words (shared by the overview and the caseload cards).
#[component]
pub fn SignalList(
    signals: Signals,
    /// The caseload card's version: only what needs a look (the card shows the review flag itself).
    #[prop(optional)]
    brief: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let s = StoredValue::new(signals);
    move || {
        let lang = i18n.lang.get();
        let s = s.get_value();
        let mut out: Vec<(&'static str, &'static str, String)> = Vec::new();
        out.extend((!brief).then(|| match &s.latest_reading {
            Some(d) => ("latest", "", fill(Msg::SigLatestReading.text(lang), &[("date", &date_words(d, lang))])),
            None => ("latest", "", Msg::SigNoReading.text(lang).to_owned()),
        }));
        if s.readings_due {
            out.push(("reading-due", "due", Msg::SigReadingDue.text(lang).to_owned()));
        }
        if s.overdue_steps > 0 {
            out.push((
                "overdue-steps",
                "overdue",
                fill(Msg::SigOverdueSteps.text(lang), &[("count", &s.overdue_steps.to_string())]),
            ));
        }
        let review_date = s.review_by.as_deref().map(|d| date_words(d, lang)).unwrap_or_default();
        match s.review {
            _ if brief => {}
            ReviewState::Overdue => out.push((
                "review-overdue",
                "overdue",
                fill(Msg::SigReviewOverdue.text(lang), &[("date", &review_date)]),
            )),
            ReviewState::Due => {
                out.push(("review-due", "due", fill(Msg::SigReviewDue.text(lang), &[("date", &review_date)])))
            }
            ReviewState::NotDue => {}
        }
        if s.never_agreed {
            out.push(("never-agreed", "due", Msg::SigNeverAgreed.text(lang).to_owned()));
        }
        if s.conflicts > 0 {
            out.push(("conflicts", "due", fill(Msg::SigConflicts.text(lang), &[("count", &s.conflicts.to_string())])));
        }
        if !s.needs_a_look() && !brief {
            out.push(("all-clear", "calm", Msg::SigAllClear.text(lang).to_owned()));
        }
        view! {
            <span class="signals" data-test="signals">
                {out.into_iter().map(|(key, tone, text)| view! { <span class=format!("signal {tone}") data-signal=key>{text}</span> }).collect_view()}
            </span>
        }
    }
}

/// A small line chart of distance travelled at each finished reading (from the first), with its words for
/// screen readers.
#[component]
pub fn DistanceSpark(values: Vec<i32>) -> impl IntoView {
    let i18n = use_i18n();
    (values.len() > 1).then(|| {
        let (w, h, pad) = (120.0_f64, 36.0_f64, 4.0_f64);
        let lo = values.iter().copied().min().unwrap_or(0).min(0) as f64;
        let hi = values.iter().copied().max().unwrap_or(0).max(0) as f64;
        let span = (hi - lo).max(1.0);
        let n = values.len() as f64;
        let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / (n - 1.0);
        let y = |v: f64| pad + (h - 2.0 * pad) * (hi - v) / span;
        let points: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v as f64))).collect();
        let last = *values.last().unwrap_or(&0);
        let zero = y(0.0);
        let label = move || fill(Msg::SigDistance.text(i18n.lang.get()), &[("value", &format!("{last:+}"))]);
        view! {
            <svg class="spark" viewBox=format!("0 0 {w} {h}") width="120" height="36" role="img" aria-label=label data-test="distance-spark" data-last=last.to_string()>
                <line x1=pad y1=zero x2=w - pad y2=zero class="spark-zero"/>
                <polyline points=points.join(" ") class="spark-line" fill="none"/>
            </svg>
        }
    })
}
