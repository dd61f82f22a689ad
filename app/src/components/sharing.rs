//! What the person shares with each carer, part by part (About me, comments, sections of the plan), with a date by
//! which they want to look at those choices again. The person decides; while staff record that they cannot decide
//! for now, their care team decides in their best interests. Nothing reaches a carer until it is shared.

use crate::{
    components::written::date_words,
    i18n::{t, t_fill, use_i18n},
    sync::use_sync,
    util::today,
};
use leptos::prelude::*;
use std::collections::BTreeMap;
use waymark_shared::{
    Msg, UserId,
    consent::{Action, ConsentChange, SharedPart, Sharing, WriterFacts, may, sharing_key},
    i18n::fill,
};

/// What the person decided about each part for each carer, as this device shows it (its own edits at once).
fn use_sharing(
    person: UserId,
    carers: Vec<UserId>,
    parts: Vec<SharedPart>,
) -> Memo<BTreeMap<(SharedPart, UserId), Sharing>> {
    let sync = use_sync();
    Memo::new(move |_| {
        sync.replica.with(|r| {
            sync.outbox.with(|o| {
                let mut out = BTreeMap::new();
                for carer in &carers {
                    for part in &parts {
                        let shown = o.shown(r, &sharing_key(&person, *part, carer));
                        if let Some(s) = shown.and_then(|v| serde_json::from_value::<Sharing>(v.clone()).ok()) {
                            out.insert((*part, carer.clone()), s);
                        }
                    }
                }
                out
            })
        })
    })
}

/// The easy-read words of a hint, where it has them.
fn easy_words(hint: Msg, easy: bool) -> Msg {
    match (hint, easy) {
        (Msg::PlanSharingHint, true) => Msg::PlanSharingHintEasy,
        (Msg::SharingHint, true) => Msg::SharingHintEasy,
        (m, _) => m,
    }
}

/// One panel of sharing choices: a fieldset per carer with a box per part and the date to look again.
#[component]
pub fn SharingPanel(
    person: UserId,
    /// The person's name, as the page shows it.
    name: String,
    facts: Memo<WriterFacts>,
    carers: Vec<(UserId, String)>,
    /// Each part, with its name on screen.
    parts: Vec<(SharedPart, Msg)>,
    title: Msg,
    hint: Msg,
    test_id: &'static str,
    /// The class of each carer's fieldset.
    carer_class: &'static str,
) -> impl IntoView {
    let sync = use_sync();
    let i18n = use_i18n();
    let sharing = use_sharing(
        person.clone(),
        carers.iter().map(|(c, _)| c.clone()).collect(),
        parts.iter().map(|(p, _)| *p).collect(),
    );
    let person = StoredValue::new(person);
    let part_list = StoredValue::new(parts.iter().map(|(p, _)| *p).collect::<Vec<_>>());
    let may_share = Memo::new(move |_| facts.with(|f| may(f, Action::Share)));
    let best_interests = move || facts.with(|f| f.lacks_capacity && !f.is_person());
    let name = StoredValue::new(name);
    view! {
        <section class="panel sharing" data-test=test_id>
            <h2>{t(title)}</h2>
            <p class="hint">{move || easy_words(hint, i18n.easy_read.get()).text(i18n.lang.get())}</p>
            {move || best_interests().then(|| view! {
                <p class="note" data-test="best-interests">{t_fill(Msg::CapacityBestInterests, vec![("name", name.get_value())])}</p>
            })}
            {carers.is_empty().then(|| view! { <p class="hint">{t(Msg::TrackerNoCarers)}</p> })}
            {carers.into_iter().map(|(carer, carer_name)| {
                let heading = carer_name.clone();
                let due_name = carer_name.clone();
                let c = StoredValue::new(carer.clone());
                let shares = move |part: SharedPart| sharing.with(|s| s.get(&(part, c.get_value())).is_some_and(|x| x.share));
                // The date by which the person wants to look again at what this carer sees (the earliest set).
                let review = Memo::new(move |_| sharing.with(|s| {
                    part_list.with_value(|parts| parts.iter()
                        .filter_map(|p| s.get(&(*p, c.get_value())).and_then(|x| x.review_by.clone()))
                        .min())
                }));
                // The date goes with the parts shared now (which includes a tick made a moment ago: edits show at
                // once), each kept shared; with nothing shared, with every part, kept unshared. (Writing "not shared"
                // on a part another tablet may have just shared would take that choice back.)
                let set_review = move |date: Option<String>| {
                    let carer = c.get_value();
                    let parts = part_list.get_value();
                    let shared: Vec<SharedPart> = parts.iter().copied().filter(|p| shares(*p)).collect();
                    let (parts, share) = if shared.is_empty() { (parts, false) } else { (shared, true) };
                    for part in parts {
                        let change = ConsentChange::Share { part, carer: carer.clone(), share, review_by: date.clone() };
                        sync.edit_soon(&person.get_value(), change);
                    }
                };
                let review_id = format!("share-review-{}-{}", test_id, carer.0);
                view! {
                    <fieldset class=carer_class data-carer=carer.0.clone()>
                        <legend>{move || fill(Msg::PlanShareWith.text(i18n.lang.get()), &[("name", &heading)])}</legend>
                        {move || review.get().filter(|d| d.as_str() < today().as_str()).map(|d| {
                            // A calm reminder for the person; the red flag is for staff.
                            let class = if facts.with_untracked(|f| f.is_person()) { "flag calm" } else { "flag overdue" };
                            let due_name = due_name.clone();
                            view! {
                                <p class=class data-test="share-review-due">
                                    {move || {
                                        let lang = i18n.lang.get();
                                        fill(Msg::PlanShareReviewDue.text(lang), &[("name", &due_name), ("date", &date_words(&d, lang))])
                                    }}
                                </p>
                            }
                        })}
                        <label class="field-label" for=review_id.clone()>{t(Msg::PlanShareReviewBy)}</label>
                        <input id=review_id type="date" data-test="share-review" data-carer=carer.0.clone()
                            disabled=move || !may_share.get()
                            prop:value=move || review.get().unwrap_or_default()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                set_review((!v.is_empty()).then_some(v));
                            }/>
                        {parts.iter().map(|(part, label)| {
                            let part = *part;
                            let section = match part {
                                SharedPart::Plan(s) => Some(s.as_str()),
                                _ => None,
                            };
                            view! {
                                <label class="check">
                                    <input type="checkbox"
                                        data-test=if section.is_some() { "share-section" } else { "share-part" }
                                        data-carer=c.get_value().0 data-section=section data-part=part.as_str()
                                        disabled=move || !may_share.get()
                                        prop:checked=move || shares(part)
                                        on:change=move |ev| {
                                            let share = event_target_checked(&ev);
                                            let review_by = review.get_untracked();
                                            let change = ConsentChange::Share { part, carer: c.get_value(), share, review_by };
                                            sync.edit_soon(&person.get_value(), change);
                                        }/>
                                    <span>{t(*label)}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view()}
        </section>
    }
}
