//! The root: shared state (language, session, sync) and the routes.

use crate::{
    frameworks::Frameworks,
    i18n::{self, I18n},
    pages::{
        admin::{AccountPage, ManagePersonPage, WardPage},
        audit::AuditPage,
        frameworks::FrameworksPage,
        home::HomePage,
        join::JoinPage,
        lock::LockScreen,
        not_found::NotFoundPage,
        overview::OverviewPage,
        person::PersonPage,
        plan::{PlanPage, PlanPrintPage},
        report::ReportPage,
        sign_in::SignInPage,
        tracker::{ReadingPage, TrackerPage},
    },
    session::{Auth, Screen},
    sync::SyncEngine,
};
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::start();
    provide_context(i18n);
    let auth = Auth::start(i18n);
    provide_context(auth);
    provide_context(SyncEngine::start(auth));
    let frameworks = Frameworks::start();
    provide_context(frameworks);
    // Fetch the frameworks whenever someone is signed in online (a new session, or back online after a start
    // without a network); until then the device's copy serves.
    Effect::new(move |_| {
        if let crate::session::AuthState::Known(info) = auth.state.get()
            && info.user.is_some()
        {
            frameworks.refresh();
        }
    });
    i18n::keep_document_language_in_step(i18n);
    // Easy read makes the text larger everywhere (and pages show their easy-read words and pictures).
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.class_list().toggle_with_force("easy-read", i18n.easy_read.get());
        }
    });
    // While a person's records are closed (the PIN is asked for, the tablet locked itself, a PIN is being chosen),
    // a lock screen stands instead of the pages: nothing of theirs, or anyone else's, is on the page.
    let pages = Memo::new(move |_| auth.screen.with(|s| matches!(s, Screen::Pages)));

    view! {
        <Router>
            <a class="skip-link" href="#main">{i18n::t(waymark_shared::Msg::SkipToContent)}</a>
            <crate::a11y::FollowNavigation/>
            <Show when=move || pages.get() fallback=|| view! { <LockScreen/> }>
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/join") view=JoinPage/>
                    <Route path=path!("/people/:id") view=PersonPage/>
                    <Route path=path!("/people/:id/tracker") view=TrackerPage/>
                    <Route path=path!("/people/:id/plan") view=PlanPage/>
                    <Route path=path!("/people/:id/plan/print") view=PlanPrintPage/>
                    <Route path=path!("/people/:id/tracker/readings/:reading") view=ReadingPage/>
                    <Route path=path!("/people/:id/audit") view=AuditPage/>
                    <Route path=path!("/overview") view=OverviewPage/>
                    <Route path=path!("/report") view=ReportPage/>
                    <Route path=path!("/frameworks") view=FrameworksPage/>
                    <Route path=path!("/admin/accounts/:id") view=AccountPage/>
                    <Route path=path!("/admin/wards/:id") view=WardPage/>
                    <Route path=path!("/admin/people/:id") view=ManagePersonPage/>
                </Routes>
            </Show>
        </Router>
    }
}
