//! What every page does for people using a screen reader, a keyboard or a switch: a title naming the page (and the
//! person it is about), and, after each move to another page (not on the first load) or once the lock screen has
//! gone, the focus on the page's main heading so the reader starts there.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::hooks::use_location;
use std::cell::RefCell;

const APP: &str = "Waymark";

thread_local! {
    /// The path whose page set its own title (other pages get their main heading as the title).
    static TITLED: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn current_path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// "Safety plan: Dylan Evans – Waymark". The words follow the language (the closure reads it).
pub fn page_title<S: AsRef<str>>(title: impl Fn() -> S + 'static) {
    // The router's path (the address bar may show a move a moment later).
    let location = use_location();
    let path = location.pathname.get_untracked();
    Effect::new(move |_| {
        let words = title().as_ref().to_owned();
        // A page left behind keeps no say over the next one's title.
        if location.pathname.get_untracked() != path {
            return;
        }
        TITLED.with(|t| *t.borrow_mut() = Some(path.clone()));
        document().set_title(&full_title(&words));
    });
}

/// The title of a screen that stands in front of the pages (the lock screen): when it goes, the page under it
/// has its own title again, and the focus goes to its main heading (the PIN form that had it is gone), so a screen
/// reader says where the person is and the Tab key goes on from there.
pub fn screen_title<S: AsRef<str>>(title: impl Fn() -> S + 'static) {
    page_title(title);
    on_cleanup(|| {
        TITLED.with(|t| *t.borrow_mut() = None);
        settle_page(current_path(), true, 0);
    });
}

/// The title as the browser shows it.
pub fn full_title(words: &str) -> String {
    if words.is_empty() { APP.to_owned() } else { format!("{words} – {APP}") }
}

/// The page's main heading, once it is on the page.
fn main_heading() -> Option<leptos::web_sys::HtmlElement> {
    document()
        .query_selector("main h1, .lock-screen h1, .sign-in-page h1")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
}

/// Nothing the person chose has the focus (it is on the page itself, or on a link that went with the old page).
fn focus_is_free() -> bool {
    match document().active_element() {
        None => true,
        Some(el) => !el.is_connected() || el.tag_name().eq_ignore_ascii_case("body"),
    }
}

/// Watch the route: after a move to another page, wait for its main heading (data may still be loading), then
/// put the focus on it, and give a page that set no title of its own its heading as the title.
#[component]
pub fn FollowNavigation() -> impl IntoView {
    let location = use_location();
    let first = StoredValue::new(true);
    Effect::new(move |_| {
        let path = location.pathname.get();
        let move_focus = !first.get_value();
        first.set_value(false);
        settle_page(path, move_focus, 0);
    });
    // Nothing to draw: it only watches.
    ""
}

fn settle_page(path: String, move_focus: bool, tries: u32) {
    watch_heading(path, move_focus, tries, None, 0);
}

/// Wait for the new page's heading (for up to about 15 s: a page read from the network on a slow ward connection),
/// then keep an eye on it for a couple of seconds more: the old page's heading can still be there for a moment when
/// the route changes, and is then replaced.
fn watch_heading(
    path: String,
    move_focus: bool,
    tries: u32,
    seen: Option<leptos::web_sys::HtmlElement>,
    watch_until: u32,
) {
    if tries > 300 {
        return;
    }
    let next = path.clone();
    let again = move |seen: Option<leptos::web_sys::HtmlElement>, watch_until: u32| {
        let path = next.clone();
        set_timeout(
            move || watch_heading(path, move_focus, tries + 1, seen, watch_until),
            std::time::Duration::from_millis(50),
        );
    };
    if current_path() != path {
        // The router may tell of the move a moment before the address bar shows it: wait for it briefly; after that,
        // another move has happened and this page is no longer the one to settle.
        if tries < 10 && seen.is_none() {
            again(None, 0);
        }
        return;
    }
    if let Some(h) = &seen
        && h.is_connected()
    {
        // Still the page's heading: watch it a little longer, then stop. The focus may only now be free (the link
        // tapped to come here was still on the page when the heading first showed).
        if move_focus && focus_is_free() {
            focus_heading(h);
        }
        if tries < watch_until {
            again(seen, watch_until);
        }
        return;
    }
    // Not a "Loading…" placeholder: a heading with words.
    let heading = main_heading().filter(|h| !h.text_content().unwrap_or_default().trim().is_empty());
    let Some(heading) = heading else {
        again(None, 0);
        return;
    };
    if TITLED.with(|t| t.borrow().as_deref() != Some(path.as_str())) {
        let words = heading.text_content().unwrap_or_default();
        document().set_title(&full_title(words.split_whitespace().collect::<Vec<_>>().join(" ").as_str()));
    }
    if move_focus && focus_is_free() {
        focus_heading(&heading);
    }
    again(Some(heading), tries + 40);
}

fn focus_heading(heading: &leptos::web_sys::HtmlElement) {
    if !heading.has_attribute("tabindex") {
        let _ = heading.set_attribute("tabindex", "-1");
    }
    let _ = heading.focus();
}

#[cfg(test)]
mod tests {
    use super::full_title;

    #[test]
    fn titles_end_with_the_app_name() {
        assert_eq!(full_title("Safety plan: Dylan Evans"), "Safety plan: Dylan Evans – Waymark");
        assert_eq!(full_title(""), "Waymark");
    }
}
