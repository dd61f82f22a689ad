use crate::{
    client::http::{self, Failure},
    i18n::{t, t_fill},
    session::use_auth,
};
use leptos::prelude::*;
use waymark_shared::{
    Msg, Role, UserId,
    api::PersonPage,
    i18n::relation_msg,
};

/// A service user's page: who they are and their care team. Later features (readings, goals, safety plan)
/// hang off this page.
#[component]
pub fn PersonDetails(id: UserId) -> impl IntoView {
    let auth = use_auth();
    let url = format!("/api/people/{id}");
    let page = LocalResource::new(move || {
        let url = url.clone();
        async move { http::get::<PersonPage>(&url).await }
    });
    move || match page.get() {
        None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
        Some(Err(e)) => error_view(e).into_any(),
        Some(Ok(p)) => {
            let viewer_role = auth.me().map(|m| m.role);
            let is_self = auth.me().is_some_and(|m| m.id == p.person.id);
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
                    <p class="intro">{intro}</p>
                    <section class="panel">
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
