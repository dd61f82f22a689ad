//! Parts of a page whose code is loaded when first shown: a `#[leptos::lazy]` function puts a view in its own wasm
//! chunk (scripts/build-app.sh splits the app; the service worker keeps every chunk, so it all works offline after
//! one visit).

use crate::i18n::t;
use leptos::prelude::*;
use waymark_shared::Msg;

/// What `make` (a lazily loaded view) gives, and "Loading…" until its code is here.
pub fn later<F, Fut>(make: F) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = AnyView> + Send + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || Suspend::new(make())}
        </Suspense>
    }
}
