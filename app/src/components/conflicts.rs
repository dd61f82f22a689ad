//! Values saved at the same time on two devices, side by side with who wrote each: whoever may, keeps one. Used by
//! goals and steps and by the safety plan (readings have their own, per area).

use crate::{
    components::written::written_by,
    i18n::{t, use_i18n},
    sync::use_sync,
};
use leptos::prelude::*;
use serde_json::Value;
use waymark_shared::{
    Msg, UserId,
    sync::{CellKey, Change},
    tracker::view::Conflict,
};

/// `settle` gives the change that keeps a value in a cell, or `None` when this viewer may not make it (then the
/// values are shown without a choice).
#[component]
pub fn ConflictChoices(
    person: StoredValue<UserId>,
    #[prop(into)] conflicts: Signal<Vec<Conflict>>,
    settle: Callback<(CellKey, Value), Option<Change>>,
    test_id: &'static str,
    /// Words naming where each conflict is ("In “What I can do”, item 2: …"); without it, one general line.
    #[prop(optional)]
    describe: Option<Callback<CellKey, String>>,
) -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    move || {
        let list = conflicts.get();
        (!list.is_empty()).then(|| {
            let lang = i18n.lang.get_untracked();
            view! {
                <div class="conflicts" data-test=test_id>
                    {describe.is_none().then(|| view! { <p><strong>{t(Msg::ReadingConflict)}</strong></p> })}
                    {list.into_iter().map(|c| {
                        let heading = describe.map(|d| d.run(c.key.clone()));
                        let options: Vec<(Value, String)> = std::iter::once((c.current.clone(), c.by.as_ref().map(|b| written_by(b, lang)).unwrap_or_default()))
                            .chain(c.kept.iter().map(|k| (k.value.clone(), written_by(&k.by, lang))))
                            .collect();
                        view! {
                            {heading.map(|h| view! { <p class="conflict-where" data-test="conflict-where"><strong>{h}</strong></p> })}
                            <ul class="conflict" data-test="conflict">
                                {options.into_iter().map(|(value, who)| {
                                    let change = settle.run((c.key.clone(), value.clone()));
                                    let shown = match &value { Value::String(s) => s.clone(), v => v.to_string() };
                                    view! {
                                        <li>
                                            <span class="conflict-value">{shown}</span>" "<span class="hint">{who}</span>
                                            {change.map(|change| view! {
                                                <button type="button" class="button primary small" data-test="conflict-choice"
                                                    on:click=move |_| {
                                                        let saved = sync.settle(&person.get_value(), change.clone());
                                                        // A failure is shown by the engine.
                                                        leptos::task::spawn_local(async move { let _ = saved.await; });
                                                    }>{t(Msg::ReadingKeepThis)}</button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    }).collect_view()}
                </div>
            }
        })
    }
}
