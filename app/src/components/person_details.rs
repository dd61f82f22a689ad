//! A service user's page: who they are, their care team, their "About me" and its comments, and the way to their
//! tracker and plan. A carer sees only what the person shares with them: until something is shared, the person's
//! name, how to reach the ward and carers' support, in a calm plain sentence.

use crate::{
    client::http::Failure,
    components::{about_me::AboutMe, comments::Comments, sharing::SharingPanel},
    i18n::{t, t_fill},
    sync::use_facts,
};
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{
    Msg, Relation, Role,
    api::{Me, PersonPage},
    consent::{Action, SharedPart, may},
    i18n::relation_msg,
};

#[component]
pub fn PersonDetails(me: Me, page: PersonPage) -> impl IntoView {
    let facts = use_facts(&me, &page);
    let p = page.clone();
    let is_self = me.id == p.person.id;
    let is_carer = me.role == Role::Carer;
    let person_id = p.person.id.clone();
    let name = p.person.display_name.clone();
    let carers = page.carers();
    // What the person shares with this carer (empty for everyone else, who see the record as their role allows).
    let shared = Memo::new(move |_| facts.with(|f| f.shared.clone()));
    let sees = move |part: SharedPart| !is_carer || shared.with(|s| s.contains(&part));
    let sees_plan = move || !is_carer || shared.with(|s| s.iter().any(|p| matches!(p, SharedPart::Plan(_))));
    let nothing_shared = move || is_carer && shared.with(Vec::is_empty);
    let i18n = crate::i18n::use_i18n();
    let intro = {
        let name = name.clone();
        move || {
            let name = name.clone();
            match (is_self, is_carer, nothing_shared()) {
                (true, _, _) if i18n.easy_read.get() => t_fill(Msg::MyPageIntroEasy, vec![])(),
                (true, _, _) => t_fill(Msg::MyPageIntro, vec![])(),
                (_, true, true) => t_fill(Msg::CarerNothingShared, vec![("name", name)])(),
                (_, true, false) => t_fill(Msg::CarerSomeShared, vec![("name", name)])(),
                _ => t_fill(Msg::StaffPageIntro, vec![("name", name)])(),
            }
        }
    };
    let team_heading = if is_self { Msg::MyCareTeam } else { Msg::CareTeam };
    // A carer is never shown the person's other carers.
    let team: Vec<_> =
        p.care_team.into_iter().filter(|m| !is_carer || m.relation != Relation::Carer || m.id == me.id).collect();
    let person = StoredValue::new(person_id);
    let name = StoredValue::new(name);
    let my_name = StoredValue::new(me.display_name.clone());
    let has_carers = !carers.is_empty();
    let carers = StoredValue::new(carers);
    let team = StoredValue::new(team);
    let may_share = Memo::new(move |_| facts.with(|f| may(f, Action::Share)));
    // Staff's audit trail and downloads; for the person, who has looked at their record. Carers see neither.
    let staff_tools = me.role.is_staff() && !is_self;
    let own_views = is_self && me.role == Role::ServiceUser;
    crate::sync::use_sync().opened(&person.get_value(), waymark_shared::api::AuditPage::Person);
    // "My page: Dylan Evans" for Dylan; "Dylan Evans's page" for everyone else.
    crate::a11y::page_title(move || {
        let lang = i18n.lang.get();
        let n = name.get_value();
        if is_self {
            format!("{}: {n}", Msg::MyPage.text(lang))
        } else {
            waymark_shared::i18n::fill(Msg::TitlePersonPage.text(lang), &[("name", &n)])
        }
    });
    view! {
        <article class="person-page" data-test="person-page">
            <h1>{name.get_value()}</h1>
            {p.person.ward.map(|w| view! { <p class="person-ward">{t(Msg::Ward)}": "{w.name}</p> })}
            {(!is_carer && !p.stays.is_empty()).then(|| view! {
                <section class="panel stays" data-test="stays" aria-labelledby="stays-title">
                    <h2 id="stays-title">{t(Msg::StayTitle)}</h2>
                    <crate::pages::admin::StayList stays=p.stays.clone()/>
                    {waymark_shared::api::StayStep::discharged(&p.stays).then(|| view! { <p class="note">{t(Msg::StayDischargedNote)}</p> })}
                </section>
            })}
            <p class="intro" data-test="person-intro">{intro}</p>
            {move || (sees(SharedPart::Tracker) || sees_plan()).then(|| view! {
                <p class="page-actions">
                    {sees(SharedPart::Tracker).then(|| view! {
                        <A href=format!("/people/{}/tracker", person.get_value().0) attr:class="button primary tracker-link" attr:data-test="open-tracker">
                            {t(Msg::TrackerOpen)}
                        </A>
                    })}
                    {sees_plan().then(|| view! {
                        <A href=format!("/people/{}/plan", person.get_value().0) attr:class="button primary plan-link" attr:data-test="open-plan">
                            {t(Msg::PlanOpen)}
                        </A>
                    })}
                </p>
            })}
            {(!is_carer).then(|| view! { <crate::components::safety_plan::ReviewFlag person=person.get_value() calm=is_self/> })}
            {move || facts.with(|f| f.is_team_staff()).then(|| view! {
                <crate::components::invite::InviteCarer person=person.get_value() name=name.get_value()/>
            })}
            {move || sees(SharedPart::AboutMe).then(|| view! { <AboutMe person=person.get_value() facts=facts name=name.get_value()/> })}
            {move || sees(SharedPart::Comments).then(|| view! {
                <Comments person=person.get_value() name=name.get_value() facts=facts my_name=my_name.get_value() has_carers=has_carers/>
            })}
            {move || may_share.get().then(|| view! {
                <SharingPanel person=person.get_value() name=name.get_value() facts=facts carers=carers.get_value()
                    parts=vec![(SharedPart::AboutMe, Msg::AboutMe), (SharedPart::Comments, Msg::SharePartComments)]
                    title=Msg::SharingTitle hint=Msg::SharingHint test_id="sharing-about-me" carer_class="sharing-carer"/>
            })}
            {staff_tools.then(|| view! { <crate::components::record_audit::StaffRecordTools person=person.get_value()/> })}
            {own_views.then(|| view! { <crate::components::record_audit::RecordViewsPanel/> })}
            {is_carer.then(|| view! {
                <section class="panel carer-info" data-test="carer-info">
                    <h2>{t(Msg::PlanCarerInfo)}</h2>
                    <p>{t(Msg::PlanCarerInfoText)}</p>
                </section>
            })}
            {move || (!nothing_shared()).then(|| view! {
                <section class="panel" data-test="care-team-section">
                    <h2>{t(team_heading)}</h2>
                    <ul class="care-team" data-test="care-team">
                        {team
                            .get_value()
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <li>
                                        <span class="member-name">{m.display_name}</span>
                                        <span class="badge">{t(relation_msg(m.relation))}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            })}
        </article>
    }
}

pub fn error_view(e: Failure) -> impl IntoView {
    view! { <p class="error" role="alert">{t(e.message())}</p> }
}

/// The person's page, its code loaded when first shown (its own wasm chunk: the person's home page and
/// `/people/:id` share it, so a staff member's or carer's first load does not carry it).
#[leptos::lazy]
fn person_details_view(me: Me, page: PersonPage) -> AnyView {
    view! { <PersonDetails me=me page=page/> }.into_any()
}

/// [`PersonDetails`], loaded when first shown ("Loading…" until then).
#[component]
pub fn LazyPersonDetails(me: Me, page: PersonPage) -> impl IntoView {
    crate::components::later::later(move || person_details_view(me.clone(), page.clone()))
}
