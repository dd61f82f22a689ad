use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{
    Msg,
    api::PersonSummary,
    i18n::relation_msg,
};

/// One person in a list, as a large touch target that opens their page.
#[component]
pub fn PersonCard(person: PersonSummary) -> impl IntoView {
    let href = format!("/people/{}", person.id);
    let ward = person.ward.map(|w| w.name);
    let relation = person.my_relation.map(relation_msg);
    let id = person.id.clone();
    view! {
        <li>
            <A href=href attr:class="person-card" attr:data-test="person-card">
                <span class="person-name">{person.display_name}</span>
                <span class="person-meta">
                    {ward.map(|w| view! { <span>{t(Msg::Ward)}": "{w}</span> })}
                    {relation.map(|r| view! { <span class="badge">{t(r)}</span> })}
                </span>
                <crate::components::safety_plan::ReviewFlag person=id/>
            </A>
        </li>
    }
}
