//! Home: what each person sees first. Staff see the people they work with; a service user sees their own page;
//! a carer sees the person they support; an administrator sees that clinical records are not theirs to see.

use super::{person::WithPerson, signed_in::SignedIn};
use crate::{
    client::api,
    components::{
        person_card::PersonCard,
        person_details::{LazyPersonDetails, error_view},
    },
    i18n::{t, t_fill},
    sync::use_sync,
};
use leptos::prelude::*;
use waymark_shared::{Msg, Role, api::Me};

#[component]
pub fn HomePage() -> impl IntoView {
    view! { <SignedIn content=home_for/> }
}

fn home_for(me: Me) -> AnyView {
    match me.role {
        Role::ServiceUser => view! {
            <p class="greeting">{t_fill(Msg::HelloName, vec![("name", me.display_name.clone())])}</p>
            <WithPerson id=me.id content=|me, page| view! { <LazyPersonDetails me=me page=page/> }/>
        }
        .into_any(),
        Role::Admin => super::admin::lazy_admin_home().into_any(),
        Role::Carer | Role::PeerSupport => view! { <PeopleSection heading=Msg::WhoYouSupport empty=Msg::NotLinkedYet/> }.into_any(),
        Role::WardManager => view! {
            <PeopleSection heading=Msg::WardPeople empty=Msg::CaseloadEmpty overview=Msg::WardOverview/>
            {me.ward.clone().map(|w| view! {
                <p class="page-actions">
                    <leptos_router::components::A href=format!("/admin/wards/{}", w.id) attr:class="button outline" attr:data-test="manage-ward">
                        {t(Msg::AdminManageWard)}
                    </leptos_router::components::A>
                </p>
            })}
        }
        .into_any(),
        Role::KeyWorker | Role::Staff => {
            view! { <PeopleSection heading=Msg::MyCaseload empty=Msg::CaseloadEmpty overview=Msg::CaseloadOverview/> }.into_any()
        }
    }
}

/// The people this viewer may open, as cards.
#[component]
fn PeopleSection(
    heading: Msg,
    empty: Msg,
    /// Staff: the way to the overview of these people (issue 14).
    #[prop(optional)]
    overview: Option<Msg>,
) -> impl IntoView {
    let sync = use_sync();
    let people = LocalResource::new(move || async move { sync.page(api::people()).await.map(|(list, _)| list) });
    crate::a11y::page_title(t(heading));
    view! {
        <h1>{t(heading)}</h1>
        {overview.map(|o| view! {
            <p class="page-actions">
                <leptos_router::components::A href="/overview" attr:class="button primary" attr:data-test="open-overview">{t(o)}</leptos_router::components::A>
            </p>
        })}
        {move || match people.get() {
            None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
            Some(Err(e)) => error_view(e).into_any(),
            Some(Ok(list)) if list.people.is_empty() => view! { <p class="empty">{t(empty)}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="people-list" data-test="people-list">
                    {list.people.into_iter().map(|p| view! { <PersonCard person=p/> }).collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}
