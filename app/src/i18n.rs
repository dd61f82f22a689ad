//! The app's language: chosen by the person, remembered on this device and (once signed in) on their account.
//! All text comes from the shared catalogue (`waymark_shared::i18n`).

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use waymark_shared::{Lang, Msg};

const STORAGE_KEY: &str = "waymark.lang";
const EASY_READ_KEY: &str = "waymark.easy_read";

#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
    /// Easy read: short sentences, larger text, a simple picture beside each plan section and area. Chosen by the
    /// person and remembered like the language.
    pub easy_read: RwSignal<bool>,
}

impl I18n {
    /// Start in the language last used on this device, else the browser's, else English.
    pub fn start() -> I18n {
        let stored = LocalStorage::get::<String>(STORAGE_KEY).ok().and_then(|c| Lang::parse(&c));
        let browser = window().navigator().language().filter(|l| l.starts_with("cy")).map(|_| Lang::Cy);
        let easy_read = LocalStorage::get::<bool>(EASY_READ_KEY).unwrap_or(false);
        I18n { lang: RwSignal::new(stored.or(browser).unwrap_or_default()), easy_read: RwSignal::new(easy_read) }
    }

    /// Turn easy read on or off on this device (the caller also saves it to the account when signed in).
    pub fn set_easy_read(self, on: bool) {
        let _ = LocalStorage::set(EASY_READ_KEY, on);
        self.easy_read.set(on);
    }

    /// Switch language on this device (the caller also saves it to the account when signed in).
    pub fn set(self, lang: Lang) {
        let _ = LocalStorage::set(STORAGE_KEY, lang.code());
        self.lang.set(lang);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A message that follows the current language.
pub fn t(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_i18n().lang;
    move || msg.text(lang.get())
}

/// A message with `{placeholders}` filled, following the current language.
pub fn t_fill(msg: Msg, args: Vec<(&'static str, String)>) -> impl Fn() -> String + Send + Sync + 'static {
    let lang = use_i18n().lang;
    move || {
        let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        waymark_shared::i18n::fill(msg.text(lang.get()), &pairs)
    }
}

/// Keep `<html lang>` right, so screen readers pronounce Welsh as Welsh.
pub fn keep_document_language_in_step(i18n: I18n) {
    Effect::new(move |_| {
        let code = i18n.lang.get().code();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
    });
}

/// How an author is named: "Gareth Evans, carer"; a carer's cells from another carer come with no name ("another
/// carer"); what was written before roles were kept shows the name alone.
pub fn author_text(name: &str, role: Option<waymark_shared::Role>, lang: Lang) -> String {
    match role {
        Some(waymark_shared::Role::Carer) if name.is_empty() => Msg::AnotherCarer.text(lang).to_owned(),
        Some(role) => {
            let role = waymark_shared::i18n::role_msg(role).text(lang).to_lowercase();
            format!("{name}, {role}")
        }
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::Role;

    #[test]
    fn authors_are_named_with_their_role_and_other_carers_are_not_named() {
        assert_eq!(author_text("Gareth Evans", Some(Role::Carer), Lang::En), "Gareth Evans, carer");
        assert_eq!(author_text("Gareth Evans", Some(Role::Carer), Lang::Cy), "Gareth Evans, gofalwr");
        assert_eq!(author_text("Owen Price", Some(Role::KeyWorker), Lang::En), "Owen Price, key worker");
        assert_eq!(author_text("", Some(Role::Carer), Lang::En), "another carer");
        assert_eq!(author_text("", Some(Role::Carer), Lang::Cy), "gofalwr arall");
        assert_eq!(author_text("Owen Price", None, Lang::En), "Owen Price");
    }
}
