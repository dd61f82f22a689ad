//! The audit trail on screen (issue 14): the care team's viewer of who looked at or changed a person's record,
//! "who has looked at my record" for the person, and staff's download buttons. Carers never see any of it.

use crate::{
    client::{api, http::Failure},
    components::{person_details::error_view, written::when},
    i18n::{t, use_i18n},
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Msg, UserId,
    api::{AuditAction, AuditEntry, AuditQuery, PersonPage, RecordView},
    i18n::{fill, role_msg},
    review::group_views,
};

/// The words for what someone did.
pub fn action_msg(a: AuditAction) -> Msg {
    match a {
        AuditAction::Changed => Msg::ActChanged,
        AuditAction::Viewed => Msg::ActViewed,
        AuditAction::Synced => Msg::ActSynced,
        AuditAction::Opened => Msg::ActOpened,
        AuditAction::Exported => Msg::ActExported,
        AuditAction::Reported => Msg::ActReported,
    }
}

/// The kinds of record and page the viewer may filter by.
const WHAT_CHOICES: [&str; 14] = [
    "person_page",
    "about_me",
    "comment",
    "tracker",
    "reading",
    "goal",
    "step",
    "plan",
    "plan_item",
    "plan_print",
    "sharing",
    "audit_trail",
    "fhir_bundle",
    "readings_csv",
];

/// A kind of record or page in words (the raw name where there are none).
pub fn what_msg(what: &str) -> Option<Msg> {
    Some(match what {
        "about_me" => Msg::WhatAboutMe,
        "comment" | "comments" => Msg::WhatComment,
        "reading" => Msg::WhatReading,
        "goal" | "goals" => Msg::WhatGoal,
        "step" => Msg::WhatStep,
        "plan_item" => Msg::WhatPlanItem,
        "plan" => Msg::WhatPlan,
        "sharing" => Msg::WhatSharing,
        "person" | "person_page" => Msg::WhatPersonPage,
        "tracker" => Msg::WhatTracker,
        "plan_print" => Msg::WhatPlanPrint,
        "audit_trail" => Msg::WhatAuditTrail,
        "record" => Msg::WhatRecord,
        "fhir_bundle" => Msg::WhatFhir,
        "readings_csv" => Msg::WhatCsv,
        _ => return None,
    })
}

/// Staff's way to the trail and the downloads, on the person's page.
#[component]
pub fn StaffRecordTools(person: UserId) -> impl IntoView {
    let audit = format!("/people/{}/audit", person.0);
    let fhir = api::fhir_export_url(&person);
    let csv = api::person_csv_url(&person);
    view! {
        <section class="panel record-tools" data-test="record-tools">
            <h2>{t(Msg::ExportTitle)}</h2>
            <p class="hint">{t(Msg::ExportHint)}</p>
            <p class="page-actions">
                <a class="button" href=fhir download="" data-test="export-fhir">{t(Msg::ExportFhir)}</a>
                <a class="button" href=csv download="" data-test="export-csv">{t(Msg::ExportCsv)}</a>
            </p>
        </section>
        <section class="panel record-tools" data-test="record-audit">
            <h2>{t(Msg::AuditOpen)}</h2>
            <p class="page-actions">
                <leptos_router::components::A href=audit attr:class="button" attr:data-test="open-audit">{t(Msg::AuditOpenButton)}</leptos_router::components::A>
            </p>
        </section>
    }
}

/// The care team's viewer: newest first, filtered by who, what they did, and dates; older entries on request.
#[component]
pub fn AuditTrailView(page: PersonPage) -> impl IntoView {
    let i18n = use_i18n();
    let person = StoredValue::new(page.person.id.clone());
    let name = page.person.display_name.clone();
    let team = StoredValue::new(page.care_team.clone());
    let who = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<u64>);
    let failure = RwSignal::new(None::<Failure>);
    let loaded = RwSignal::new(false);
    let query = move |before: Option<u64>| AuditQuery {
        who: Some(who.get_untracked()).filter(|w| !w.is_empty()).map(UserId),
        action: AuditAction::parse(&action.get_untracked()),
        what: Some(what.get_untracked()).filter(|w| !w.is_empty()),
        from: Some(from.get_untracked()).filter(|d| !d.is_empty()),
        to: Some(to.get_untracked()).filter(|d| !d.is_empty()),
        before,
        ..AuditQuery::default()
    };
    let load = move |before: Option<u64>| {
        let q = query(before);
        spawn_local(async move {
            match api::audit_trail(&person.get_value(), &q).await {
                Ok(trail) => {
                    failure.set(None);
                    if before.is_some() {
                        entries.update(|e| e.extend(trail.entries));
                    } else {
                        entries.set(trail.entries);
                    }
                    next.set(trail.next_before);
                    loaded.set(true);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    load(None);
    {
        let name = name.clone();
        crate::a11y::page_title(move || fill(Msg::AuditTitle.text(i18n.lang.get()), &[("name", &name)]));
    }
    let title = {
        let name = name.clone();
        move || fill(Msg::AuditTitle.text(i18n.lang.get()), &[("name", &name)])
    };
    let intro = move || fill(Msg::AuditIntro.text(i18n.lang.get()), &[("name", &name)]);
    view! {
        <article class="audit-page" data-test="audit-page">
            <h1>{title}</h1>
            <p class="intro">{intro}</p>
            <form class="panel filters" data-test="audit-filters" on:submit=move |ev| { ev.prevent_default(); load(None); }>
                <div class="field">
                    <label class="field-label" for="audit-who">{t(Msg::AuditWho)}</label>
                    <select id="audit-who" class="field-input" data-test="audit-who" on:change=move |ev| who.set(event_target_value(&ev))>
                        <option value="">{t(Msg::AuditAnyone)}</option>
                        {team.get_value().into_iter().map(|m| view! { <option value=m.id.0.clone()>{m.display_name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field-label" for="audit-action">{t(Msg::AuditAction)}</label>
                    <select id="audit-action" class="field-input" data-test="audit-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">{t(Msg::AuditAnything)}</option>
                        {AuditAction::ALL.into_iter().map(|a| view! { <option value=a.as_str()>{t(action_msg(a))}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field-label" for="audit-what">{t(Msg::AuditWhatFilter)}</label>
                    <select id="audit-what" class="field-input" data-test="audit-what" on:change=move |ev| what.set(event_target_value(&ev))>
                        <option value="">{t(Msg::AuditAnything)}</option>
                        {WHAT_CHOICES.into_iter().filter_map(|w| what_msg(w).map(|m| view! { <option value=w>{t(m)}</option> })).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field-label" for="audit-from">{t(Msg::AuditFrom)}</label>
                    <input id="audit-from" type="date" class="field-input" data-test="audit-from" on:change=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field-label" for="audit-to">{t(Msg::AuditTo)}</label>
                    <input id="audit-to" type="date" class="field-input" data-test="audit-to" on:change=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="button primary" data-test="audit-apply">{t(Msg::AuditApply)}</button>
            </form>
            {move || failure.get().map(error_view)}
            {move || (loaded.get() && entries.with(Vec::is_empty)).then(|| view! { <p class="empty" data-test="audit-empty">{t(Msg::AuditEmpty)}</p> })}
            <div class="table-wrap">
                <table class="audit-table" data-test="audit-table">
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::AuditWhen)}</th>
                            <th scope="col">{t(Msg::AuditWho)}</th>
                            <th scope="col">{t(Msg::AuditAction)}</th>
                            <th scope="col">{t(Msg::AuditWhat)}</th>
                            <th scope="col">{t(Msg::AuditDevice)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || entries.get() key=|e| e.seq let:e>
                            <tr data-test="audit-entry" data-action=e.action.as_str() data-what=e.what.clone()>
                                <td>{move || when(e.at_ms, i18n.lang.get())}</td>
                                <td>{e.who.name.clone()}" ("{t(role_msg(e.who.role))}")"</td>
                                <td>{t(action_msg(e.action))}</td>
                                <td>{let w = e.what.clone(); move || what_msg(&w).map_or_else(|| w.clone(), |m| m.text(i18n.lang.get()).to_owned())}</td>
                                <td class="device">{e.client.clone().or(e.sign_in.clone()).map(|d| d.chars().take(16).collect::<String>()).unwrap_or_default()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            {move || next.get().map(|n| view! {
                <button type="button" class="button" data-test="audit-more" on:click=move |_| load(Some(n))>{t(Msg::AuditMore)}</button>
            })}
        </article>
    }
}

/// A moment's day on this device's calendar.
fn day_of(at_ms: i64) -> String {
    let d = leptos::web_sys::js_sys::Date::new(&leptos::wasm_bindgen::JsValue::from_f64(at_ms as f64));
    format!("{}-{}-{}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// For the person themselves: who has looked at their record, in plain words (never the device).
#[component]
pub fn RecordViewsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let views = RwSignal::new(Vec::<RecordView>::new());
    let next = RwSignal::new(None::<u64>);
    let loaded = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let load = move |before: Option<u64>| {
        spawn_local(async move {
            match api::record_views(before).await {
                Ok(page) => {
                    failure.set(None);
                    views.update(|v| v.extend(page.views));
                    next.set(page.next_before);
                    loaded.set(true);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    load(None);
    view! {
        <section class="panel record-views" data-test="record-views">
            <h2>{t(Msg::RecordViewsTitle)}</h2>
            <p class="hint">{t(Msg::RecordViewsIntro)}</p>
            {move || failure.get().map(error_view)}
            {move || (loaded.get() && views.with(Vec::is_empty)).then(|| view! { <p class="empty">{t(Msg::RecordViewsEmpty)}</p> })}
            <ul class="record-view-list">
                <For each=move || views.with(|v| group_views(v, day_of)) key=|g| (g.seq, g.count) let:v>
                    <li data-test="record-view">
                        <span>{move || {
                            let lang = i18n.lang.get();
                            let msg = match v.action {
                                AuditAction::Exported => Msg::RecordViewDownloaded,
                                AuditAction::Synced => Msg::RecordViewCopied,
                                _ => Msg::RecordViewLooked,
                            };
                            let mut line = fill(msg.text(lang), &[("name", &v.name), ("role", role_msg(v.role).text(lang))]);
                            if v.count > 1 {
                                line.push(' ');
                                line.push_str(&fill(Msg::RecordViewTimes.text(lang), &[("count", &v.count.to_string())]));
                            }
                            line
                        }}</span>
                        <span class="when">{move || when(v.at_ms, i18n.lang.get())}</span>
                    </li>
                </For>
            </ul>
            {move || next.get().map(|n| view! {
                <button type="button" class="button" data-test="record-views-more" on:click=move |_| load(Some(n))>{t(Msg::RecordViewsMore)}</button>
            })}
        </section>
    }
}
