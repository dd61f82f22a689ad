//! Waymark's app: pages → components → local store / sync client. Client-side rendered, compiled to wasm32.

mod a11y;
mod app;
mod client;
mod components;
mod frameworks;
mod i18n;
mod local;
mod pages;
mod session;
mod sync;
mod util;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
