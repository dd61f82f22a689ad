use crate::{
    client::http::Failure,
    components::{about_me::AboutMe, comments::Comments},
    i18n::{t, t_fill},
    session::use_auth,
    sync::use_sync,
};
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{
    Msg, Role, UserId,
    api::PersonPage,
    i18n::relation_msg,
    sync::WriterFacts,
};

/// A service user's page: who they are, their care team, their "About me" and its comments. Later features
/// (readings, goals, safety plan) hang off this page. Opened online, it is kept on the device so it opens offline.
#[component]
pub fn PersonDetails(id: UserId) -> impl IntoView {
    let auth = use_auth();
    let sync = use_sync();
    let url = format!("/api/people/{id}");
    let key = format!("person:{id}");
    let page = LocalResource::new(move || {
        let (url, key) = (url.clone(), key.clone());
        async move { sync.page::<PersonPage>(&url, key).await }
    });
    move || match page.get() {
        None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
        Some(Err(e)) => error_view(e).into_any(),
        Some(Ok((p, from_device))) => {
            let Some(me) = auth.me_untracked() else { return ().into_any() };
            let viewer_role = Some(me.role);
            let is_self = me.id == p.person.id;
            let facts = WriterFacts {
                user: me.id.clone(),
                role: me.role,
                is_self,
                relation: p.person.my_relation,
                may_view: true,
                // What the person shares with a carer is known from the tracker's sharing cells.
                shared: vec![],
                lacks_capacity: false,
            };
            let person_id = p.person.id.clone();
            let name = p.person.display_name.clone();
            let intro = match (is_self, viewer_role) {
                (true, _) => t_fill(Msg::MyPageIntro, vec![]),
                (false, Some(Role::Carer)) => t_fill(Msg::CarerPageIntro, vec![("name", name.clone())]),
                _ => t_fill(Msg::StaffPageIntro, vec![("name", name.clone())]),
            };
            let team_heading = if is_self { Msg::MyCareTeam } else { Msg::CareTeam };
            view! {
                <article class="person-page" data-test="person-page">
                    <h1>{name}</h1>
                    {p.person.ward.map(|w| view! { <p class="person-ward">{t(Msg::Ward)}": "{w.name}</p> })}
                    {from_device.then(|| view! { <p class="note" data-test="offline-copy">{t(Msg::OfflineCopy)}</p> })}
                    <p class="intro">{intro}</p>
                    <p>
                        <A href=format!("/people/{}/tracker", person_id.0) attr:class="button primary tracker-link" attr:data-test="open-tracker">
                            {t(Msg::TrackerOpen)}
                        </A>
                        " "
                        <A href=format!("/people/{}/plan", person_id.0) attr:class="button primary plan-link" attr:data-test="open-plan">
                            {t(Msg::PlanOpen)}
                        </A>
                    </p>
                    <crate::components::safety_plan::ReviewFlag person=person_id.clone()/>
                    {facts.is_team_staff().then(|| view! {
                        <crate::components::invite::InviteCarer person=person_id.clone() name=p.person.display_name.clone()/>
                    })}
                    <AboutMe person=person_id.clone() facts=facts.clone()/>
                    <Comments person=person_id facts=facts my_name=me.display_name.clone()/>
                    <section class="panel" data-test="care-team-section">
                        <h2>{t(team_heading)}</h2>
                        <ul class="care-team" data-test="care-team">
                            {p.care_team
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
                </article>
            }
            .into_any()
        }
    }
}

pub fn error_view(e: Failure) -> impl IntoView {
    view! { <p class="error" role="alert">{t(e.message())}</p> }
}
