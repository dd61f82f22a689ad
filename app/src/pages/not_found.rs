use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::components::A;
use waymark_shared::Msg;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::a11y::page_title(t(Msg::TitleNotFound));
    view! {
        <main id="main" class="page">
            <h1>{t(Msg::PageNotFound)}</h1>
            <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
        </main>
    }
}
