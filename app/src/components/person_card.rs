use crate::{
    i18n::t,
    pages::overview::{SignalList, use_signals},
    session::use_auth,
};
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{Msg, api::PersonSummary, i18n::relation_msg};

/// One person in a list, as a large touch target that opens their page.
#[component]
pub fn PersonCard(person: PersonSummary) -> impl IntoView {
    let href = format!("/people/{}", person.id);
    let one = vec![person.clone()];
    let ward = person.ward.map(|w| w.name);
    let relation = person.my_relation.map(relation_msg);
    let id = person.id.clone();
    // Staff see what needs a look, in brief, worked out from the records on this device.
    let staff = use_auth().me_untracked().is_some_and(|me| me.role.is_staff());
    let signals = use_signals(
        Signal::derive(move || one.clone()),
        Signal::derive(|| waymark_shared::review::DEFAULT_READING_WEEKS),
    );
    view! {
        <li>
            <A href=href attr:class="person-card" attr:data-test="person-card">
                <span class="person-name">{person.display_name}</span>
                <span class="person-meta">
                    {ward.map(|w| view! { <span>{t(Msg::Ward)}": "{w}</span> })}
                    {relation.map(|r| view! { <span class="badge">{t(r)}</span> })}
                </span>
                <crate::components::safety_plan::ReviewFlag person=id/>
                {move || staff.then(|| signals.with(|s| s.first().map(|(_, s)| s.clone())).map(|s| view! { <SignalList signals=s brief=true/> }))}
            </A>
        </li>
    }
}
