//! "About me": four short answers in the person's own words, written by them and their key worker. Each field is
//! saved on this tablet when the writer leaves it (or presses Save), then synced. When two versions were written
//! at the same time, the people who may edit it choose one or write a combined version; others see it being settled.

use crate::{
    components::written::written_by,
    i18n::{t, use_i18n},
    sync::{
        model::{FieldView, Local, Version, about_field, combined},
        use_sync,
    },
};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::{
    Msg, UserId,
    about_me::{AboutMeChange, AboutMeField},
    consent::{Action, WriterFacts, may},
};

#[component]
pub fn AboutMe(
    person: UserId,
    facts: Memo<WriterFacts>,
    /// The person's name, as the page shows it.
    name: String,
) -> impl IntoView {
    let may_edit = facts.with_untracked(|f| may(f, Action::WriteAboutMe));
    let is_self = facts.with_untracked(|f| f.is_self);
    let i18n = crate::i18n::use_i18n();
    // "My own words" on the person's own page; their name everywhere else.
    let hint = move || {
        let msg = match (may_edit, is_self) {
            (true, true) => Msg::AboutMeEditableSelf,
            (true, false) => Msg::AboutMeEditableName,
            (false, _) => Msg::AboutMeReadOnlyName,
        };
        waymark_shared::i18n::fill(msg.text(i18n.lang.get()), &[("name", &name)])
    };
    view! {
        <section class="panel about-me" data-test="about-me" aria-labelledby="about-me-heading">
            <h2 id="about-me-heading">{t(Msg::AboutMe)}</h2>
            <p class="hint" data-test="about-me-hint">{hint}</p>
            {AboutMeField::ALL
                .iter()
                .map(|field| view! { <AboutField person=person.clone() field=*field may_edit=may_edit/> })
                .collect_view()}
        </section>
    }
}

#[component]
fn AboutField(person: UserId, field: AboutMeField, may_edit: bool) -> impl IntoView {
    let sync = use_sync();
    let person = StoredValue::new(person);
    let current: Memo<FieldView> = Memo::new(move |_| {
        sync.replica.with(|r| sync.outbox.with(|o| person.with_value(|p| about_field(r, o, p, field))))
    });
    let conflict = Memo::new(move |_| current.with(|c| c.conflict.clone()));
    let label = field.label();
    view! {
        <div class="about-field" data-test="about-me-field" data-field=field.as_str()>
            {move || match (conflict.get(), may_edit) {
                (Some(versions), true) => view! { <Settle person=person field=field versions=versions/> }.into_any(),
                (Some(versions), false) => view! { <BeingSettled field=field versions=versions/> }.into_any(),
                (None, true) => view! { <FieldEditor person=person field=field current=current/> }.into_any(),
                (None, false) => view! {
                    <h3 class="field-label">{t(label)}</h3>
                    {move || {
                        let text = current.with(|c| c.text.clone());
                        if text.trim().is_empty() {
                            view! { <p class="field-text empty">{t(Msg::NotWrittenYet)}</p> }.into_any()
                        } else {
                            view! { <p class="field-text">{text}</p> }.into_any()
                        }
                    }}
                }
                .into_any(),
            }}
        </div>
    }
}

/// The editor for one field: what is typed stays as typed (incoming changes wait) until it is saved.
#[component]
fn FieldEditor(person: StoredValue<UserId>, field: AboutMeField, current: Memo<FieldView>) -> impl IntoView {
    let sync = use_sync();
    let shown = Memo::new(move |_| current.with(|c| c.text.clone()));
    let dirty = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let touched = RwSignal::new(false);
    // While someone types, what is on screen is theirs; when they are not, it follows the record.
    let displayed = Memo::new(move |prev: Option<&String>| match (dirty.get(), prev) {
        (true, Some(prev)) => prev.clone(),
        _ => shown.get(),
    });

    let save = move || {
        if saving.get_untracked() || !dirty.get_untracked() {
            return;
        }
        let text = draft.get_untracked();
        if text == shown.get_untracked() {
            dirty.set(false);
            return;
        }
        saving.set(true);
        let saved = sync.edit(&person.get_value(), AboutMeChange::AboutMe { field, text });
        spawn_local(async move {
            // A failure is shown by the engine; what was typed stays in the box to try again.
            if saved.await.is_ok() {
                touched.set(true);
                dirty.set(false);
            }
            saving.set(false);
        });
    };
    let on_input = move |ev| {
        draft.set(event_target_value(&ev));
        dirty.set(true);
    };
    let status = move || {
        if saving.get() {
            return Some(("saving", Msg::Saving));
        }
        if dirty.get() {
            return None;
        }
        match current.with(|c| c.local) {
            Local::SavedHere => Some(("saved-here", Msg::SavedHere)),
            Local::Sent => Some(("synced", Msg::Synced)),
            Local::None => touched.get().then_some(("synced", Msg::Synced)),
        }
    };
    let input_id = format!("about-{}", field.as_str());
    let max = field.max_chars();
    let input = if field == AboutMeField::PreferredName {
        view! {
            <input
                id=input_id.clone()
                class="field-input"
                type="text"
                maxlength=max.to_string()
                autocomplete="off"
                prop:value=displayed
                on:input=on_input
                on:blur=move |_| save()
            />
        }
        .into_any()
    } else {
        view! {
            <textarea
                id=input_id.clone()
                class="field-input"
                rows="4"
                maxlength=max.to_string()
                prop:value=displayed
                on:input=on_input
                on:blur=move |_| save()
            ></textarea>
        }
        .into_any()
    };
    view! {
        <label class="field-label" for=input_id>{t(field.label())}</label>
        {input}
        <div class="field-footer">
            {move || {
                status()
                    .map(|(state, msg)| {
                        view! {
                            <span class="field-status" data-test="field-status" data-state=state role="status">
                                {t(msg)}
                            </span>
                        }
                    })
            }}
            <Show when=move || dirty.get() fallback=|| ()>
                <button type="button" class="button primary small" data-test="field-save" on:click=move |_| save()>
                    {t(Msg::Save)}
                </button>
            </Show>
        </div>
    }
}

fn version_text(v: &Version) -> AnyView {
    if v.text.trim().is_empty() {
        view! { <blockquote class="version-text empty">{t(Msg::EmptyVersion)}</blockquote> }.into_any()
    } else {
        view! { <blockquote class="version-text">{v.text.clone()}</blockquote> }.into_any()
    }
}

/// Choosing between versions written at the same time, or writing a combined one.
#[component]
fn Settle(person: StoredValue<UserId>, field: AboutMeField, versions: Vec<Version>) -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let combining = RwSignal::new(false);
    let combined_draft = RwSignal::new(combined(&versions));
    let settle = move |text: String| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let saved = sync.settle(&person.get_value(), AboutMeChange::AboutMe { field, text });
        spawn_local(async move {
            // A failure is shown by the engine.
            let _ = saved.await;
            busy.set(false);
        });
    };
    let choices = versions
        .iter()
        .map(|v| {
            let text = v.text.clone();
            let by = v.by.clone();
            view! {
                <li class="conflict-version" data-test="conflict-version">
                    {version_text(v)}
                    <p class="version-by">{move || written_by(&by, i18n.lang.get())}</p>
                    <button
                        type="button"
                        class="button primary"
                        data-test="conflict-choice"
                        disabled=move || busy.get()
                        on:click=move |_| settle(text.clone())
                    >
                        {t(Msg::KeepThisVersion)}
                    </button>
                </li>
            }
        })
        .collect_view();
    let combined_id = format!("combined-{}", field.as_str());
    view! {
        <div class="conflict" data-test="conflict" data-field=field.as_str() role="group" aria-labelledby=format!("conflict-{}", field.as_str())>
            <h3 class="field-label" id=format!("conflict-{}", field.as_str())>{t(field.label())}</h3>
            <p class="conflict-intro">{t(Msg::ConflictIntro)}</p>
            <ul class="conflict-versions">{choices}</ul>
            <Show
                when=move || combining.get()
                fallback=move || view! {
                    <button type="button" class="button outline" data-test="conflict-combine" on:click=move |_| combining.set(true)>
                        {t(Msg::WriteCombined)}
                    </button>
                }
            >
                <label class="field-label" for=combined_id.clone()>{t(Msg::WriteCombined)}</label>
                <textarea
                    id=combined_id.clone()
                    class="field-input"
                    data-test="conflict-combined"
                    rows="5"
                    prop:value=move || combined_draft.get()
                    on:input=move |ev| combined_draft.set(event_target_value(&ev))
                ></textarea>
                <div class="field-footer">
                    <button
                        type="button"
                        class="button primary"
                        data-test="conflict-save-combined"
                        disabled=move || busy.get()
                        on:click=move |_| settle(combined_draft.get_untracked())
                    >
                        {t(Msg::SaveCombined)}
                    </button>
                    <button type="button" class="button quiet" on:click=move |_| combining.set(false)>
                        {t(Msg::Cancel)}
                    </button>
                </div>
            </Show>
        </div>
    }
}

/// A conflict seen by someone who may not settle it.
#[component]
fn BeingSettled(field: AboutMeField, versions: Vec<Version>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="conflict read-only" data-test="conflict" data-field=field.as_str()>
            <h3 class="field-label">{t(field.label())}</h3>
            <p class="conflict-intro">{t(Msg::ConflictBeingSettled)}</p>
            <ul class="conflict-versions">
                {versions
                    .iter()
                    .map(|v| {
                        let by = v.by.clone();
                        view! {
                            <li class="conflict-version" data-test="conflict-version">
                                {version_text(v)}
                                <p class="version-by">{move || written_by(&by, i18n.lang.get())}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}
