//! `/people/:id/audit`: who looked at or changed the person's record, for their care team (issue 14).

use super::person::PersonRoute;
use crate::{components::record_audit::AuditTrailView, i18n::t, sync::use_sync};
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::{Msg, api::AuditPage};

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <PersonRoute content=|me, page| {
            let back = format!("/people/{}", page.person.id.0);
            let name = page.person.display_name.clone();
            let staff = me.role.is_staff();
            if staff {
                use_sync().opened(&page.person.id, AuditPage::AuditTrail);
            }
            view! {
                <A href=back attr:class="back-link">{name}</A>
                {if staff {
                    view! { <AuditTrailView page=page/> }.into_any()
                } else {
                    view! { <p class="error" role="alert">{t(Msg::ErrorNotFound)}</p> }.into_any()
                }}
            }
        }/>
    }
}
