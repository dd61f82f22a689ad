//! `/people/:id/plan`: the personal safety plan, written together, and
//! `/people/:id/plan/print`: the person's own copy to print (no network needed).

use super::person::PersonRoute;
use crate::{
    components::{
        plan_icons::SectionIcon,
        planning_session::{SessionBar, provide_session},
        read_aloud::ReadAloud,
        safety_plan::{
            CapacityPanel, PlanAgreementPanel, PlanConflicts, PlanCtx, PlanDetails, PlanSectionPanel, SettingContacts,
            agreed_sentence, section_title,
        },
        sharing::SharingPanel,
    },
    i18n::{t, t_fill, use_i18n},
    sync::{plan::use_plan, use_facts, use_sync},
};
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{
    Msg, Relation, Role,
    api::{Me, PersonPage},
    consent::{Action, may},
    i18n::fill,
    plan::{
        PlanSection,
        view::{Agreement, PlanView},
    },
    tracker::SharedPart,
};

/// The key worker's name, from the person's care team.
fn key_worker(page: &PersonPage) -> Option<String> {
    page.care_team.iter().find(|m| m.relation == Relation::KeyWorker).map(|m| m.display_name.clone())
}

/// The sections this viewer is shown: everything for staff; all but the staff-only notes for the person; for a
/// carer, what the person shares with them (the rest never reaches their device).
fn visible_sections(me: &Me, plan: &PlanView) -> Vec<PlanSection> {
    PlanSection::ALL
        .into_iter()
        .filter(|s| match me.role {
            r if r.is_staff() => true,
            Role::Carer => !s.is_staff_only() && plan.shares_with(SharedPart::Plan(*s), &me.id),
            _ => !s.is_staff_only(),
        })
        .collect()
}

#[component]
pub fn PlanPage() -> impl IntoView {
    view! { <PersonRoute content=|me, page| view! { <Plan me=me page=page/> }/> }
}

fn plan_ctx(me: &Me, page: &PersonPage) -> PlanCtx {
    let person = page.person.id.clone();
    let plan = use_plan(person.clone());
    let facts = use_facts(me, page);
    PlanCtx {
        sync: use_sync(),
        person: StoredValue::new(person),
        name: StoredValue::new(page.person.display_name.clone()),
        facts,
        plan,
        error: RwSignal::new(None),
    }
}

#[component]
fn Plan(me: Me, page: PersonPage) -> impl IntoView {
    let ctx = plan_ctx(&me, &page);
    let session = provide_session(ctx);
    let person = page.person.id.clone();
    ctx.sync.opened(&person, waymark_shared::api::AuditPage::Plan);
    let name = page.person.display_name.clone();
    let kw = key_worker(&page);
    let carers = page.carers();
    let is_carer = me.role == Role::Carer;
    let me_sv = StoredValue::new(me.clone());
    let sections = Memo::new(move |_| ctx.plan.with(|p| visible_sections(&me_sv.get_value(), p)));
    let all_shared = move || sections.with(|s| s.len() == PlanSection::SHAREABLE.len());
    let name_for_note = name.clone();
    let i18n = use_i18n();
    let is_self = me.id == person;
    {
        let name = name.clone();
        crate::a11y::page_title(move || format!("{}: {name}", Msg::PlanTitle.text(i18n.lang.get())));
    }
    let back = {
        let name = name.clone();
        move || {
            let lang = i18n.lang.get();
            if is_self {
                Msg::BackToMyPage.text(lang).to_owned()
            } else {
                fill(Msg::BackToNamePage.text(lang), &[("name", &name)])
            }
        }
    };
    view! {
        <A href=format!("/people/{}", person.0) attr:class="back-link">{back}</A>
        <article class="plan-page" data-test="plan-page">
            <h1>{name.clone()}": "{t(Msg::PlanTitle)}</h1>
            <p class="intro">{move || if i18n.easy_read.get() { t(Msg::PlanIntroEasy)() } else { t(Msg::PlanIntro)() }}</p>
            <p class="page-actions">
                <A href=format!("/people/{}/plan/print", person.0) attr:class="button outline" attr:data-test="plan-print-link">
                    {t(Msg::PlanPrint)}
                </A>
            </p>
            {move || (is_carer && !all_shared()).then(|| view! {
                <p class="note" data-test="plan-not-shared">{t_fill(Msg::PlanNotSharedRest, vec![("name", name_for_note.clone())])}</p>
            })}
            <SessionBar ctx=ctx session=session/>
            <PlanConflicts ctx=ctx/>
            {move || ctx.error.get().map(|m| view! { <p class="field-error" role="alert" data-test="plan-error">{t(m)}</p> })}
            <PlanDetails ctx=ctx/>
            {move || {
                let kw = kw.clone();
                sections.get().into_iter().map(|section| {
                    let extra = (section == PlanSection::Contacts).then(|| {
                        let kw = kw.clone();
                        (move || view! { <SettingContacts setting=ctx.plan.with(|p| p.setting) key_worker=kw.clone()/> }).into_any()
                    });
                    match extra {
                        Some(extra) => view! { <PlanSectionPanel ctx=ctx section=section extra=extra/> }.into_any(),
                        None => view! { <PlanSectionPanel ctx=ctx section=section/> }.into_any(),
                    }
                }).collect_view()
            }}
            // The agreement is the care team's record (never sent to a carer).
            {(!is_carer).then(|| view! { <PlanAgreementPanel ctx=ctx name=name.clone()/> })}
            {is_carer.then(|| view! {
                <section class="panel carer-info" data-test="carer-info">
                    <h2>{t(Msg::PlanCarerInfo)}</h2>
                    <p>{t(Msg::PlanCarerInfoText)}</p>
                </section>
            })}
            {move || ctx.facts.with(|f| may(f, Action::Share)).then(|| {
                let parts = PlanSection::SHAREABLE.into_iter().map(|s| (SharedPart::Plan(s), section_title(s, false))).collect::<Vec<_>>();
                view! {
                    <SharingPanel person=ctx.person.get_value() name=ctx.name.get_value() facts=ctx.facts carers=carers.clone()
                        parts=parts title=Msg::PlanSharing hint=Msg::PlanSharingHint test_id="plan-sharing" carer_class="plan-sharing-carer"/>
                }
            })}
            {move || ctx.facts.with(|f| f.is_team_staff()).then(|| view! { <CapacityPanel ctx=ctx/> })}
        </article>
    }
}

/// Words to be read aloud, one after another, each ending as a sentence so the voice pauses between them.
pub fn spoken_text(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| if p.ends_with(['.', '!', '?', ':']) { p.to_owned() } else { format!("{p}.") })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn PlanPrintPage() -> impl IntoView {
    view! { <PersonRoute content=|me, page| view! { <PrintablePlan me=me page=page/> }/> }
}

/// The person's own copy: large type, plain words, an easy-read choice; never the staff-only notes.
#[component]
fn PrintablePlan(me: Me, page: PersonPage) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = plan_ctx(&me, &page);
    let person = page.person.id.clone();
    ctx.sync.opened(&person, waymark_shared::api::AuditPage::PlanPrint);
    let name = page.person.display_name.clone();
    let kw = key_worker(&page);
    let easy = i18n.easy_read;
    let is_self = me.id == person;
    {
        let name = name.clone();
        crate::a11y::page_title(move || format!("{}: {name}", Msg::TitlePrintPlan.text(i18n.lang.get())));
    }
    let me_sv = StoredValue::new(me.clone());
    let title = {
        let name = name.clone();
        move || {
            if is_self {
                t(Msg::PlanPrintTitle)().to_owned()
            } else {
                fill(Msg::PlanPrintFor.text(i18n.lang.get()), &[("name", &name)])
            }
        }
    };
    let status = {
        let name = name.clone();
        move || {
            let lang = i18n.lang.get();
            match ctx.plan.with(|p| p.agreement()) {
                Agreement::Agreed { version, person, key_worker, changed_since: false } => {
                    agreed_sentence(version, &person, &key_worker, is_self, &name, lang)
                }
                _ => Msg::PlanPrintDraft.text(lang).to_owned(),
            }
        }
    };
    // The whole copy, read aloud: its title, where the agreement stands, then each section and its items.
    let spoken = {
        let title = title.clone();
        let status = status.clone();
        let me = me_sv;
        Signal::derive(move || {
            let lang = i18n.lang.get();
            let easy = easy.get();
            let plan = ctx.plan.get();
            let mut parts = vec![title(), status()];
            for section in visible_sections(&me.get_value(), &plan).into_iter().filter(|s| !s.is_staff_only()) {
                parts.push(section_title(section, easy).text(lang).to_owned());
                let items: Vec<String> = plan.section(section).map(|i| i.text.clone()).collect();
                if items.is_empty() {
                    parts.push(Msg::PlanPrintEmpty.text(lang).to_owned());
                }
                parts.extend(items);
            }
            spoken_text(&parts)
        })
    };
    let read_label = Signal::derive(move || t(Msg::ReadAloudPlan)().to_owned());
    view! {
        <div class="print-controls no-print">
            <A href=format!("/people/{}/plan", person.0) attr:class="back-link">{t(Msg::PlanBackToPlan)}</A>
            <ReadAloud text=spoken label=read_label words=Msg::ReadAloudPlan/>
            <button type="button" class="button primary" data-test="plan-print-now"
                on:click=move |_| { let _ = window().print(); }>{t(Msg::PlanPrintNow)}</button>
        </div>
        <article class="plan-print" class:easy-read=move || easy.get() data-test="plan-print">
            <h1>{title}</h1>
            <p class="plan-print-status" data-test="plan-print-status">{status}</p>
            {move || {
                let easy = easy.get();
                let kw = kw.clone();
                let plan = ctx.plan.get();
                visible_sections(&me_sv.get_value(), &plan).into_iter().filter(|s| !s.is_staff_only()).map(|section| {
                    let items: Vec<String> = plan.section(section).map(|i| i.text.clone()).collect();
                    view! {
                        <section class="plan-print-section" data-test="plan-print-section" data-section=section.as_str()>
                            <h2>{easy.then(|| view! { <SectionIcon section=section/> })}<span>{t(section_title(section, easy))}</span></h2>
                            {if items.is_empty() {
                                view! { <p class="hint">{t(Msg::PlanPrintEmpty)}</p> }.into_any()
                            } else {
                                view! { <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }.into_any()
                            }}
                            {(section == PlanSection::Contacts).then(|| view! { <SettingContacts setting=plan.setting key_worker=kw.clone()/> })}
                        </section>
                    }
                }).collect_view()
            }}
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::spoken_text;

    #[test]
    fn spoken_words_pause_between_parts() {
        let parts =
            ["What I can do".to_owned(), "Go for a walk".to_owned(), " ".to_owned(), "Phone my sister.".to_owned()];
        assert_eq!(spoken_text(&parts), "What I can do. Go for a walk. Phone my sister.");
    }
}
