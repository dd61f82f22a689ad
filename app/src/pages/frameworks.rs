//! `/frameworks`: the framework editor (issue 14) for ward managers and administrators: write a framework or a new
//! version of one (areas and stages in English and Welsh, the scale, "more help?"), each problem shown beside its
//! field (from the first try to save, then as it is typed), a preview of the ladder and an empty chart, and retiring a version. Readings already made
//! keep drawing with the version they used.

use super::signed_in::SignedIn;
use crate::{
    client::{api, http::Failure},
    components::{chart::RadialChart, person_details::error_view},
    frameworks::use_frameworks,
    i18n::{t, use_i18n},
    session::use_auth,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use waymark_shared::{
    Msg, Role,
    api::{Me, SaveFrameworkRequest},
    framework_editor::{field_errors, id_from},
    i18n::fill,
    outcomes::{Area, AreaId, Framework, FrameworkId, Scale, Stage, Text, built_in},
};

#[component]
pub fn FrameworksPage() -> impl IntoView {
    view! {
        <SignedIn content=|me: Me| {
            if matches!(me.role, Role::WardManager | Role::Admin) {
                view! { <Editor/> }.into_any()
            } else {
                view! { <p class="error" role="alert">{t(Msg::ErrorNotFound)}</p> }.into_any()
            }
        }/>
    }
}

fn blank() -> Framework {
    let stage =
        |from, to, en: &str, cy: &str| Stage { from, to, label: Text::new(en, cy), description: Text::new("", "") };
    Framework {
        id: FrameworkId(String::new()),
        version: 1,
        name: Text::new("", ""),
        areas: vec![Area { id: AreaId(String::new()), label: Text::new("", ""), description: Text::new("", "") }],
        scale: Scale { min: 1, max: 10, stages: vec![stage(1, 5, "", ""), stage(6, 10, "", "")] },
        asks_more_help: true,
        retired: false,
    }
}

/// A text input bound to part of the draft, with its label and its problem (if any) beside it.
fn text_field(
    id: String,
    label: Msg,
    multiline: bool,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
    error: Signal<Option<Msg>>,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    let input = if multiline {
        view! {
            <textarea id=id.clone() class="field-input" rows="2" data-test=id.clone()
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=move || error.get().map(|_| described.clone())
                prop:value=get on:input=move |ev| set(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type="text" class="field-input" data-test=id.clone()
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=move || error.get().map(|_| described.clone())
                prop:value=get on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label class="field-label" for=id>{t(label)}</label>
            {input}
            {move || error.get().map(|m| view! { <p class="field-error" id=err_id.clone() data-test="field-error">{t(m)}</p> })}
        </div>
    }
}

#[component]
fn Editor() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let frameworks = use_frameworks();
    crate::a11y::page_title(t(Msg::FwTitle));
    let draft = RwSignal::new(blank());
    let is_new = RwSignal::new(true);
    let errors = Memo::new(move |_| draft.with(|d| field_errors(d, is_new.get())));
    let tried = RwSignal::new(false);
    // Problems show beside their fields once a save is tried, and then follow every key pressed.
    let shown = Memo::new(move |_| if tried.get() { errors.get() } else { Vec::new() });
    let error_of = move |field: String| {
        Signal::derive(move || shown.with(|e| e.iter().find(|(f, _)| *f == field).map(|(_, m)| *m)))
    };
    let areas = Memo::new(move |_| draft.with(|d| d.areas.len()));
    let stages = Memo::new(move |_| draft.with(|d| d.scale.stages.len()));
    let failure = RwSignal::new(None::<Failure>);
    let saved = RwSignal::new(None::<Framework>);
    let custom = Memo::new(move |_| {
        let built: Vec<FrameworkId> = built_in::all().into_iter().map(|f| f.id).collect();
        frameworks.all.with(|all| all.iter().filter(|f| !built.contains(&f.id)).cloned().collect::<Vec<_>>())
    });
    let start_from = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        saved.set(None);
        match frameworks.current(&FrameworkId(v.clone())).filter(|_| !v.is_empty()) {
            Some(f) => {
                draft.set(f);
                is_new.set(false);
            }
            None => {
                draft.set(blank());
                is_new.set(true);
            }
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if !errors.with(Vec::is_empty) {
            return;
        }
        let d = draft.get_untracked();
        let body = SaveFrameworkRequest {
            id: d.id,
            name: d.name,
            areas: d.areas,
            scale: d.scale,
            asks_more_help: d.asks_more_help,
        };
        spawn_local(async move {
            let token = match auth.csrf_token() {
                Some(t) => Some(t),
                None => auth.fresh_token().await,
            };
            let answer = match token {
                Some(token) => api::save_framework(&token, &body).await,
                None => Err(Failure::Network),
            };
            match answer {
                Ok(f) => {
                    failure.set(None);
                    tried.set(false);
                    saved.set(Some(f.clone()));
                    draft.set(f);
                    is_new.set(false);
                    frameworks.refresh();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let retire = move |id: FrameworkId, version: u32| {
        spawn_local(async move {
            let Some(token) = auth.csrf_token() else {
                return;
            };
            match api::retire_framework(&token, &id.0, version).await {
                Ok(()) => frameworks.refresh(),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <article class="frameworks-page" data-test="frameworks-page">
            <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
            <h1>{t(Msg::FwTitle)}</h1>
            <p class="intro">{t(Msg::FwIntro)}</p>
            <section class="panel">
                <h2>{t(Msg::FwVersions)}</h2>
                {move || custom.with(Vec::is_empty).then(|| view! { <p class="empty">{t(Msg::FwNone)}</p> })}
                <ul class="framework-versions" data-test="framework-versions">
                    <For each=move || custom.get() key=|f| (f.id.clone(), f.version, f.retired) let:f>
                        <li data-test="framework-version" data-id=f.id.0.clone() data-version=f.version.to_string()>
                            <span>{move || fill(Msg::FwVersionLine.text(i18n.lang.get()), &[("name", f.name.get(i18n.lang.get())), ("version", &f.version.to_string())])}</span>
                            {if f.retired {
                                view! { <span class="badge">{t(Msg::FwRetired)}</span> }.into_any()
                            } else {
                                let (id, version) = (f.id.clone(), f.version);
                                view! { <button type="button" class="button" data-test="framework-retire" on:click=move |_| retire(id.clone(), version)>{t(Msg::FwRetire)}</button> }.into_any()
                            }}
                        </li>
                    </For>
                </ul>
            </section>
            <form class="panel framework-form" data-test="framework-form" on:submit=save novalidate>
                <div class="field">
                    <label class="field-label" for="fw-start">{t(Msg::FwStartFrom)}</label>
                    <select id="fw-start" class="field-input" data-test="fw-start" on:change=start_from>
                        <option value="">{t(Msg::FwBlank)}</option>
                        {move || {
                            let lang = i18n.lang.get();
                            let mut ids: Vec<Framework> = Vec::new();
                            for f in custom.get() {
                                if !f.retired && !ids.iter().any(|k| k.id == f.id) {
                                    ids.push(frameworks.current(&f.id).unwrap_or(f));
                                }
                            }
                            ids.into_iter().map(|f| view! {
                                <option value=f.id.0.clone()>{fill(Msg::FwNewVersionOf.text(lang), &[("name", f.name.get(lang))])}</option>
                            }).collect_view()
                        }}
                    </select>
                </div>
                {text_field("fw-id".into(), Msg::FwId, false,
                    move || draft.with(|d| d.id.0.clone()),
                    move |v| draft.update(|d| d.id = FrameworkId(v.trim().to_owned())),
                    error_of("id".into()))}
                <div class="field-pair">
                    {text_field("fw-name-en".into(), Msg::FwNameEn, false,
                        move || draft.with(|d| d.name.en.clone()),
                        move |v| draft.update(|d| d.name.en = v),
                        Signal::derive(|| None))}
                    {text_field("fw-name-cy".into(), Msg::FwNameCy, false,
                        move || draft.with(|d| d.name.cy.clone()),
                        move |v| draft.update(|d| d.name.cy = v),
                        error_of("name".into()))}
                </div>
                <div class="field-pair">
                    <div class="field">
                        <label class="field-label" for="fw-min">{t(Msg::FwScaleMin)}</label>
                        <input id="fw-min" type="number" min="0" max="20" class="field-input" data-test="fw-min"
                            prop:value=move || draft.with(|d| d.scale.min.to_string())
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                                    draft.update(|d| d.scale.min = v);
                                }
                            }/>
                    </div>
                    <div class="field">
                        <label class="field-label" for="fw-max">{t(Msg::FwScaleMax)}</label>
                        <input id="fw-max" type="number" min="1" max="20" class="field-input" data-test="fw-max"
                            prop:value=move || draft.with(|d| d.scale.max.to_string())
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                                    draft.update(|d| d.scale.max = v);
                                }
                            }/>
                        {move || error_of("scale".into()).get().map(|m| view! { <p class="field-error" data-test="field-error">{t(m)}</p> })}
                    </div>
                </div>
                <label class="check">
                    <input type="checkbox" data-test="fw-more-help" prop:checked=move || draft.with(|d| d.asks_more_help)
                        on:change=move |ev| draft.update(|d| d.asks_more_help = event_target_checked(&ev))/>
                    <span>{t(Msg::FwMoreHelp)}</span>
                </label>
                <fieldset class="fw-group" data-test="fw-stages">
                    <legend>{t(Msg::FwStages)}</legend>
                    {move || error_of("stages".into()).get().map(|m| view! { <p class="field-error" data-test="field-error">{t(m)}</p> })}
                    {move || (0..stages.get()).map(|i| view! { <StageRow i=i draft=draft errors=shown/> }).collect_view()}
                    <button type="button" class="button" data-test="fw-add-stage" on:click=move |_| draft.update(|d| {
                        let from = d.scale.stages.last().map_or(d.scale.min, |s| s.to.saturating_add(1));
                        d.scale.stages.push(Stage { from, to: from, label: Text::new("", ""), description: Text::new("", "") });
                    })>{t(Msg::FwAddStage)}</button>
                </fieldset>
                <fieldset class="fw-group" data-test="fw-areas">
                    <legend>{t(Msg::FwAreas)}</legend>
                    {move || error_of("areas".into()).get().map(|m| view! { <p class="field-error" data-test="field-error">{t(m)}</p> })}
                    {move || (0..areas.get()).map(|i| view! { <AreaRow i=i draft=draft errors=shown/> }).collect_view()}
                    <button type="button" class="button" data-test="fw-add-area" on:click=move |_| draft.update(|d| {
                        d.areas.push(Area { id: AreaId(String::new()), label: Text::new("", ""), description: Text::new("", "") });
                    })>{t(Msg::FwAddArea)}</button>
                </fieldset>
                {move || (tried.get() && !errors.with(Vec::is_empty)).then(|| view! { <p class="error" role="alert" data-test="fw-fix-first">{t(Msg::FwFixFirst)}</p> })}
                {move || failure.get().map(error_view)}
                {move || saved.get().map(|f| view! {
                    <p class="note" role="status" data-test="fw-saved">{fill(Msg::FwSaved.text(i18n.lang.get()), &[("name", f.name.get(i18n.lang.get())), ("version", &f.version.to_string())])}</p>
                })}
                <button type="submit" class="button primary" data-test="fw-save">{t(Msg::FwSave)}</button>
            </form>
            <section class="panel fw-preview" data-test="fw-preview">
                <h2>{t(Msg::FwPreview)}</h2>
                {move || {
                    let lang = i18n.lang.get();
                    let d = draft.get();
                    let ok = errors.with(Vec::is_empty);
                    view! {
                        <ol class="ladder-preview" data-test="fw-ladder">
                            {d.scale.stages.iter().rev().map(|s| view! {
                                <li><strong>{format!("{}–{}", s.from, s.to)}</strong>" "{s.label.get(lang).to_owned()}</li>
                            }).collect_view()}
                        </ol>
                        {ok.then(|| view! { <RadialChart framework=d.clone() series=vec![] on_area=|_| {}/> })}
                    }
                }}
            </section>
        </article>
    }
}

#[component]
fn StageRow(i: usize, draft: RwSignal<Framework>, errors: Memo<Vec<(String, Msg)>>) -> impl IntoView {
    let err =
        move |f: String| Signal::derive(move || errors.with(|e| e.iter().find(|(k, _)| *k == f).map(|(_, m)| *m)));
    let num = move |id: String, label: Msg, get: fn(&Stage) -> u8, set: fn(&mut Stage, u8)| {
        view! {
            <div class="field narrow">
                <label class="field-label" for=id.clone()>{t(label)}</label>
                <input id=id.clone() type="number" min="0" max="20" class="field-input" data-test=id.clone()
                    prop:value=move || draft.with(|d| d.scale.stages.get(i).map(|s| get(s).to_string()).unwrap_or_default())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                            draft.update(|d| if let Some(s) = d.scale.stages.get_mut(i) { set(s, v) });
                        }
                    }/>
            </div>
        }
    };
    view! {
        <div class="fw-row" data-test="fw-stage">
            <h3>{move || fill(Msg::FwStage.text(use_i18n().lang.get()), &[("n", &(i + 1).to_string())])}</h3>
            <div class="field-pair">
                {num(format!("stage-{i}-from"), Msg::FwStageFrom, |s| s.from, |s, v| s.from = v)}
                {num(format!("stage-{i}-to"), Msg::FwStageTo, |s| s.to, |s, v| s.to = v)}
            </div>
            <div class="field-pair">
                {text_field(format!("stage-{i}-label-en"), Msg::FwLabelEn, false,
                    move || draft.with(|d| d.scale.stages.get(i).map(|s| s.label.en.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(s) = d.scale.stages.get_mut(i) { s.label.en = v }),
                    Signal::derive(|| None))}
                {text_field(format!("stage-{i}-label-cy"), Msg::FwLabelCy, false,
                    move || draft.with(|d| d.scale.stages.get(i).map(|s| s.label.cy.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(s) = d.scale.stages.get_mut(i) { s.label.cy = v }),
                    err(format!("stage.{i}.label")))}
            </div>
            <div class="field-pair">
                {text_field(format!("stage-{i}-description-en"), Msg::FwDescriptionEn, true,
                    move || draft.with(|d| d.scale.stages.get(i).map(|s| s.description.en.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(s) = d.scale.stages.get_mut(i) { s.description.en = v }),
                    Signal::derive(|| None))}
                {text_field(format!("stage-{i}-description-cy"), Msg::FwDescriptionCy, true,
                    move || draft.with(|d| d.scale.stages.get(i).map(|s| s.description.cy.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(s) = d.scale.stages.get_mut(i) { s.description.cy = v }),
                    err(format!("stage.{i}.description")))}
            </div>
            <button type="button" class="button" data-test="fw-remove-stage" on:click=move |_| draft.update(|d| { if i < d.scale.stages.len() { d.scale.stages.remove(i); } })>{t(Msg::FwRemove)}</button>
        </div>
    }
}

#[component]
fn AreaRow(i: usize, draft: RwSignal<Framework>, errors: Memo<Vec<(String, Msg)>>) -> impl IntoView {
    let err =
        move |f: String| Signal::derive(move || errors.with(|e| e.iter().find(|(k, _)| *k == f).map(|(_, m)| *m)));
    view! {
        <div class="fw-row" data-test="fw-area">
            <h3>{move || fill(Msg::FwArea.text(use_i18n().lang.get()), &[("n", &(i + 1).to_string())])}</h3>
            <div class="field-pair">
                {text_field(format!("area-{i}-label-en"), Msg::FwLabelEn, false,
                    move || draft.with(|d| d.areas.get(i).map(|a| a.label.en.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(a) = d.areas.get_mut(i) {
                        // A new area's id follows its English label until someone writes one.
                        if a.id.0.is_empty() || a.id.0 == id_from(&a.label.en) { a.id = AreaId(id_from(&v)); }
                        a.label.en = v;
                    }),
                    Signal::derive(|| None))}
                {text_field(format!("area-{i}-label-cy"), Msg::FwLabelCy, false,
                    move || draft.with(|d| d.areas.get(i).map(|a| a.label.cy.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(a) = d.areas.get_mut(i) { a.label.cy = v }),
                    err(format!("area.{i}.label")))}
            </div>
            {text_field(format!("area-{i}-id"), Msg::FwAreaId, false,
                move || draft.with(|d| d.areas.get(i).map(|a| a.id.0.clone()).unwrap_or_default()),
                move |v| draft.update(|d| if let Some(a) = d.areas.get_mut(i) { a.id = AreaId(v.trim().to_owned()) }),
                err(format!("area.{i}.id")))}
            <div class="field-pair">
                {text_field(format!("area-{i}-description-en"), Msg::FwDescriptionEn, true,
                    move || draft.with(|d| d.areas.get(i).map(|a| a.description.en.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(a) = d.areas.get_mut(i) { a.description.en = v }),
                    Signal::derive(|| None))}
                {text_field(format!("area-{i}-description-cy"), Msg::FwDescriptionCy, true,
                    move || draft.with(|d| d.areas.get(i).map(|a| a.description.cy.clone()).unwrap_or_default()),
                    move |v| draft.update(|d| if let Some(a) = d.areas.get_mut(i) { a.description.cy = v }),
                    err(format!("area.{i}.description")))}
            </div>
            <button type="button" class="button" data-test="fw-remove-area" on:click=move |_| draft.update(|d| { if i < d.areas.len() { d.areas.remove(i); } })>{t(Msg::FwRemove)}</button>
        </div>
    }
}
