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
    Lazy, LazyRoute,
    components::{Route, Router, Routes},
    lazy_route, path,
};

/// A page whose code is loaded when someone first opens it (its own wasm chunk; scripts/build-app.sh splits the
/// app and the service worker keeps every chunk, so the whole app still works offline after one visit). The sign-in,
/// join, home and lock screens stay in the first load.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    PersonRoute => PersonPage,
    TrackerRoute => TrackerPage,
    ReadingRoute => ReadingPage,
    PlanRoute => PlanPage,
    PlanPrintRoute => PlanPrintPage,
    AuditRoute => AuditPage,
    OverviewRoute => OverviewPage,
    ReportRoute => ReportPage,
    FrameworksRoute => FrameworksPage,
    AccountRoute => AccountPage,
    WardRoute => WardPage,
    ManagePersonRoute => ManagePersonPage,
}

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
    // A part of the app that could not be fetched (scripts/build-app.sh's loader tried three times): the page stays
    // as it was, and this says so and offers to load Waymark again.
    let part_failed = RwSignal::new(false);
    let _ = window_event_listener_untyped("waymark-chunk-failed", move |_| part_failed.set(true));

    view! {
        <Router>
            <a class="skip-link" href="#main">{i18n::t(waymark_shared::Msg::SkipToContent)}</a>
            <crate::a11y::FollowNavigation/>
            <Show when=move || part_failed.get()>
                <div class="part-not-loaded" role="alert" data-test="part-not-loaded">
                    <p>{i18n::t(waymark_shared::Msg::PartNotLoaded)}</p>
                    <button type="button" class="button primary" on:click=move |_| {
                        let _ = window().location().reload();
                    }>{i18n::t(waymark_shared::Msg::LoadWaymarkAgain)}</button>
                </div>
            </Show>
            <Show when=move || pages.get() fallback=|| view! { <LockScreen/> }>
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/join") view=JoinPage/>
                    <Route path=path!("/people/:id") view={Lazy::<PersonRoute>::new()}/>
                    <Route path=path!("/people/:id/tracker") view={Lazy::<TrackerRoute>::new()}/>
                    <Route path=path!("/people/:id/plan") view={Lazy::<PlanRoute>::new()}/>
                    <Route path=path!("/people/:id/plan/print") view={Lazy::<PlanPrintRoute>::new()}/>
                    <Route path=path!("/people/:id/tracker/readings/:reading") view={Lazy::<ReadingRoute>::new()}/>
                    <Route path=path!("/people/:id/audit") view={Lazy::<AuditRoute>::new()}/>
                    <Route path=path!("/overview") view={Lazy::<OverviewRoute>::new()}/>
                    <Route path=path!("/report") view={Lazy::<ReportRoute>::new()}/>
                    <Route path=path!("/frameworks") view={Lazy::<FrameworksRoute>::new()}/>
                    <Route path=path!("/admin/accounts/:id") view={Lazy::<AccountRoute>::new()}/>
                    <Route path=path!("/admin/wards/:id") view={Lazy::<WardRoute>::new()}/>
                    <Route path=path!("/admin/people/:id") view={Lazy::<ManagePersonRoute>::new()}/>
                </Routes>
            </Show>
        </Router>
    }
}
