//! The parts of the safety plan page: a section with its items (who wrote each, when), the setting and review
//! date, the agreement, the person's sharing choices, and conflicts to settle.

use crate::{
    components::{
        conflicts::ConflictChoices,
        plan_icons::SectionIcon,
        planning_session::use_session,
        read_aloud::ReadAloud,
        written::{date_words, written_by},
    },
    i18n::{t, t_fill, use_i18n},
    sync::SyncEngine,
    util::{random_hex, today},
};
use leptos::prelude::*;
use waymark_shared::{
    Lang, Msg, UserId,
    api::Editing,
    consent::{Action, ConsentChange, WriterFacts, may},
    i18n::fill,
    plan::{
        CRISIS_LINES, PlanChange, PlanSection, Setting, Signer,
        change::moves_later,
        view::{Agreement, ItemView, PlanView},
    },
    sync::{CellKey, Change, RecordId},
};

/// A section's title: the plan's own words, or the easy-read ones.
pub fn section_title(s: PlanSection, easy: bool) -> Msg {
    match (s, easy) {
        (PlanSection::Triggers, false) => Msg::PlanSecTriggers,
        (PlanSection::WarningSigns, false) => Msg::PlanSecWarningSigns,
        (PlanSection::Escalation, false) => Msg::PlanSecEscalation,
        (PlanSection::ICanDo, false) => Msg::PlanSecICanDo,
        (PlanSection::StaffCanDo, false) => Msg::PlanSecStaffCanDo,
        (PlanSection::CarerCanDo, false) => Msg::PlanSecCarerCanDo,
        (PlanSection::PeoplePlaces, false) => Msg::PlanSecPeoplePlaces,
        (PlanSection::ReasonsForHope, false) => Msg::PlanSecReasonsForHope,
        (PlanSection::SaferSurroundings, false) => Msg::PlanSecSaferSurroundings,
        (PlanSection::Contacts, false) => Msg::PlanSecContacts,
        (PlanSection::Triggers, true) => Msg::PlanEasyTriggers,
        (PlanSection::WarningSigns, true) => Msg::PlanEasyWarningSigns,
        (PlanSection::Escalation, true) => Msg::PlanEasyEscalation,
        (PlanSection::ICanDo, true) => Msg::PlanEasyICanDo,
        (PlanSection::StaffCanDo, true) => Msg::PlanEasyStaffCanDo,
        (PlanSection::CarerCanDo, true) => Msg::PlanEasyCarerCanDo,
        (PlanSection::PeoplePlaces, true) => Msg::PlanEasyPeoplePlaces,
        (PlanSection::ReasonsForHope, true) => Msg::PlanEasyReasonsForHope,
        (PlanSection::SaferSurroundings, true) => Msg::PlanEasySaferSurroundings,
        (PlanSection::Contacts, true) => Msg::PlanEasyContacts,
        (PlanSection::StaffOnly, _) => Msg::PlanSecStaffOnly,
    }
}

pub fn setting_msg(s: Setting) -> Msg {
    match s {
        Setting::Ward => Msg::PlanSettingWard,
        Setting::Leave => Msg::PlanSettingLeave,
        Setting::Community => Msg::PlanSettingCommunity,
    }
}

/// What everyone working on the plan shares: whose it is, who is writing, and the plan as this device has it.
#[derive(Clone, Copy)]
pub struct PlanCtx {
    pub sync: SyncEngine,
    pub person: StoredValue<UserId>,
    /// The person's name, as the page shows it.
    pub name: StoredValue<String>,
    pub facts: Memo<WriterFacts>,
    pub plan: Memo<PlanView>,
    pub error: RwSignal<Option<Msg>>,
}

impl PlanCtx {
    /// Make an edit to the plan: it shows at once; a failure is shown by the engine.
    fn edit(self, change: impl Into<Change>) {
        self.error.set(None);
        self.sync.edit_soon(&self.person.get_value(), change);
    }
}

/// One section: its items, and a box to add one for those who may.
#[component]
pub fn PlanSectionPanel(ctx: PlanCtx, section: PlanSection, #[prop(optional)] extra: Option<AnyView>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let may_add = Memo::new(move |_| ctx.facts.with(|f| may(f, Action::AddToPlan(section))));
    let items = Memo::new(move |_| ctx.plan.with(|p| p.section(section).cloned().collect::<Vec<_>>()));
    let removed = Memo::new(move |_| ctx.plan.with(|p| p.removed(section).cloned().collect::<Vec<_>>()));
    let draft = RwSignal::new(String::new());
    let add = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        ctx.edit(PlanChange::AddPlanItem { item: RecordId(random_hex(8)), section, text: text.trim().to_owned() });
        draft.set(String::new());
    };
    let input_id = format!("plan-new-{}", section.as_str());
    let class = if section.is_staff_only() { "panel plan-section staff-only" } else { "panel plan-section" };
    // What "Read this to me" reads: the section's title and its items.
    let spoken = Signal::derive(move || {
        let lang = i18n.lang.get();
        let mut parts = vec![section_title(section, i18n.easy_read.get()).text(lang).to_owned()];
        let list = items.get();
        if list.is_empty() {
            parts.push(Msg::PlanNoItems.text(lang).to_owned());
        }
        parts.extend(list.into_iter().map(|i| i.text));
        crate::pages::plan::spoken_text(&parts)
    });
    let read_label = Signal::derive(move || {
        let lang = i18n.lang.get();
        fill(Msg::ReadAloudSection.text(lang), &[("section", section_title(section, i18n.easy_read.get()).text(lang))])
    });
    view! {
        <section class=class data-test="plan-section" data-section=section.as_str()>
            <div class="plan-section-head">
                <h2>
                    {move || i18n.easy_read.get().then(|| view! { <SectionIcon section=section/> })}
                    <span>{move || section_title(section, i18n.easy_read.get()).text(i18n.lang.get())}</span>
                </h2>
                <ReadAloud text=spoken label=read_label/>
            </div>
            {section.is_staff_only().then(|| view! {
                <p class="note staff-only-note" data-test="staff-only-hint">
                    {move || fill(Msg::PlanStaffOnlyHint.text(i18n.lang.get()), &[("name", &ctx.name.get_value())])}
                </p>
            })}
            {extra}
            {move || {
                let list = items.get();
                if list.is_empty() {
                    return view! { <p class="hint">{t(Msg::PlanNoItems)}</p> }.into_any();
                }
                view! {
                    <ul class="plan-items">
                        {list.into_iter().map(|item| view! { <PlanItemRow ctx=ctx item=item/> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            {move || {
                let gone = removed.get();
                (!gone.is_empty()).then(|| view! {
                    <details class="plan-removed">
                        <summary>{t_fill(Msg::PlanTakenOut, vec![("count", gone.len().to_string())])}</summary>
                        <ul class="plan-items">
                            {gone.into_iter().map(|item| view! { <PlanItemRow ctx=ctx item=item/> }).collect_view()}
                        </ul>
                    </details>
                })
            }}
            <Show when=move || may_add.get() fallback=|| ()>
                <div class="plan-add">
                    <label class="field-label" for=input_id.clone()>{t(Msg::PlanNewItem)}</label>
                    {move || {
                        let names = session.map(|s| s.others_at(section, None)).unwrap_or_default();
                        (!names.is_empty()).then(|| view! {
                            <p class="editing-badge" data-test="writing-here">{t_fill(Msg::SessionIsWriting, vec![("name", names.join(", "))])}</p>
                        })
                    }}
                    <textarea id=input_id.clone() class="field-input" rows="2" data-test="plan-add-input" data-section=section.as_str()
                        on:focus=move |_| if let Some(s) = session { s.writing(Some(Editing { section, item: None })) }
                        on:blur=move |_| if let Some(s) = session { s.writing(None) }
                        prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && !ev.shift_key() {
                                ev.prevent_default();
                                add();
                            }
                        }></textarea>
                    <button type="button" class="button primary" data-test="plan-add" data-section=section.as_str()
                        on:click=move |_| add()>{t(Msg::PlanAdd)}</button>
                </div>
            </Show>
        </section>
    }
}

/// One item: its words, who wrote and changed it, and (for those who may) change / take out / put back.
#[component]
fn PlanItemRow(ctx: PlanCtx, item: ItemView) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let here = Editing { section: item.section, item: Some(item.id.clone()) };
    let write_here = move |on: bool| {
        if let Some(s) = session {
            s.writing(on.then(|| here.clone()));
        }
    };
    let may_edit = ctx.facts.with_untracked(|f| ctx.plan.with_untracked(|p| p.may_edit(&item, f)));
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(item.text.clone());
    let (id, section, removed) = (item.id.clone(), item.section, item.removed);
    let id2 = id.clone();
    let (start_edit, cancel_edit, stop_on_save) = (write_here.clone(), write_here.clone(), write_here);
    let save = move || {
        let text = draft.get_untracked();
        if !text.trim().is_empty() {
            ctx.edit(PlanChange::PlanItemText { item: id.clone(), section, text: text.trim().to_owned() });
        }
        editing.set(false);
        stop_on_save(false);
    };
    let added = item.added_by.clone();
    let changed = item.changed_by.clone();
    let by = move || {
        let lang = i18n.lang.get();
        let mut s = match &added {
            Some(a) => fill(Msg::PlanAddedBy.text(lang), &[("who", &written_by(a, lang))]),
            None => Msg::WaitingToSync.text(lang).to_owned(),
        };
        if let Some(c) = &changed {
            s.push_str("; ");
            s.push_str(&fill(Msg::PlanChangedBy.text(lang), &[("who", &written_by(c, lang))]));
        }
        s
    };
    let text = item.text.clone();
    let item_id = item.id.clone();
    let others = move || session.map(|s| s.others_at(section, Some(&item_id))).unwrap_or_default();
    view! {
        <li class="plan-item" data-test="plan-item" data-item=item.id.0.clone() data-waiting=item.waiting.to_string()>
            {move || {
                let names = others();
                (!names.is_empty()).then(|| view! {
                    <p class="editing-badge" data-test="editing-badge">{t_fill(Msg::SessionIsChanging, vec![("name", names.join(", "))])}</p>
                })
            }}
            <Show when=move || editing.get() fallback=move || view! {
                <p class="plan-item-text" data-test="plan-item-text">{text.clone()}</p>
            }>
                <textarea class="field-input" rows="2" data-test="plan-item-input" aria-label=move || t(Msg::PlanEdit)()
                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            </Show>
            <p class="plan-item-by hint" data-test="plan-item-by">{by}</p>
            {may_edit.then(|| {
                let save = save.clone();
                let id2 = id2.clone();
                view! {
                    <div class="plan-item-actions">
                        <Show when=move || editing.get() fallback=move || view! {
                            {(!removed).then(|| view! {
                                <button type="button" class="button small" data-test="plan-item-edit" on:click={
                                    let start_edit = start_edit.clone();
                                    move |_| { editing.set(true); start_edit(true); }
                                }>{t(Msg::PlanEdit)}</button>
                            })}
                        }>
                            {
                                let save = save.clone();
                                view! {
                                    <button type="button" class="button primary small" data-test="plan-item-save" on:click=move |_| save()>{t(Msg::PlanSave)}</button>
                                    <button type="button" class="button small" on:click={
                                        let cancel_edit = cancel_edit.clone();
                                        move |_| { editing.set(false); cancel_edit(false); }
                                    }>{t(Msg::PlanCancel)}</button>
                                }
                            }
                        </Show>
                        {
                            let id3 = id2.clone();
                            view! {
                                <button type="button" class="button small quiet" data-test=if removed { "plan-item-restore" } else { "plan-item-remove" }
                                    on:click=move |_| ctx.edit(PlanChange::RemovePlanItem { item: id3.clone(), section, removed: !removed })>
                                    {t(if removed { Msg::PlanPutBack } else { Msg::PlanRemove })}
                                </button>
                            }
                        }
                    </div>
                }
            })}
        </li>
    }
}

/// What "who to contact" adds for the setting: staff and the key worker on the ward, crisis lines away from it.
#[component]
pub fn SettingContacts(setting: Setting, key_worker: Option<String>) -> impl IntoView {
    if setting.away_from_ward() {
        view! {
            <div class="plan-contacts" data-test="crisis-lines">
                <p><strong>{t(Msg::PlanCrisisLines)}</strong></p>
                <ul>
                    {CRISIS_LINES.iter().map(|l| view! { <li><span>{l.name}</span>": "<span class="phone">{l.number}</span></li> }).collect_view()}
                </ul>
                <p>{t(Msg::PlanEmergency)}</p>
            </div>
        }
        .into_any()
    } else {
        let msg = match key_worker {
            Some(name) => t_fill(Msg::PlanContactsWard, vec![("name", name)]),
            None => t_fill(Msg::PlanContactsWardStaff, vec![]),
        };
        view! { <p class="plan-contacts" data-test="ward-contacts">{msg}</p> }.into_any()
    }
}

/// Where the person is now, and when the plan is looked at again: the care team sets the setting and may move the
/// review later; the person may ask for an earlier review. Who set the date, and when, is shown.
#[component]
pub fn PlanDetails(ctx: PlanCtx) -> impl IntoView {
    let i18n = use_i18n();
    let may_setting = Memo::new(move |_| ctx.facts.with(|f| may(f, Action::SetSetting)));
    let may_later = Memo::new(move |_| ctx.facts.with(|f| may(f, Action::SetReview { later: true })));
    let may_earlier = Memo::new(move |_| ctx.facts.with(|f| may(f, Action::SetReview { later: false })));
    let setting = Memo::new(move |_| ctx.plan.with(|p| p.setting));
    let review = Memo::new(move |_| ctx.plan.with(|p| p.review_by.clone()));
    let set_by = Memo::new(move |_| ctx.plan.with(|p| p.review_set_by.clone()));
    let overdue = Memo::new(move |_| ctx.plan.with(|p| p.review_overdue(&today())));
    // The review date is the care team's record: a carer is not sent it.
    let is_carer = ctx.facts.with_untracked(|f| f.role == waymark_shared::Role::Carer);
    // Someone who may only bring the review forward picks a date up to the one set now.
    let latest = move || (!may_later.get()).then(|| review.get()).flatten();
    // "Where I am now" is the person's own words; everyone else reads their name.
    let is_person = ctx.facts.with_untracked(|f| f.is_person());
    let is_staff = ctx.facts.with_untracked(|f| f.role.is_staff());
    let setting_label = move || {
        let lang = i18n.lang.get();
        if is_person {
            Msg::PlanSetting.text(lang).to_owned()
        } else {
            fill(Msg::PlanSettingOther.text(lang), &[("name", &ctx.name.get_value())])
        }
    };
    view! {
        <section class="panel plan-details" data-test="plan-details">
            <div class="plan-detail">
                <label class="field-label" for="plan-setting" data-test="plan-setting-label">{setting_label}</label>
                <select id="plan-setting" data-test="plan-setting" disabled=move || !may_setting.get()
                    on:change=move |ev| {
                        if let Some(setting) = Setting::parse(&event_target_value(&ev)) {
                            ctx.edit(PlanChange::PlanSetting { setting });
                        }
                    }>
                    {Setting::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || setting.get() == s>{t(setting_msg(s))}</option>
                    }).collect_view()}
                </select>
                {move || (!may_setting.get()).then(|| view! { <p class="hint" data-test="plan-setting-hint">{t(Msg::PlanSettingStaffOnly)}</p> })}
            </div>
            {(!is_carer).then(|| view! {
            <div class="plan-detail">
                <label class="field-label" for="plan-review">{t(Msg::PlanReviewBy)}</label>
                <input id="plan-review" type="date" data-test="plan-review-date"
                    disabled=move || !may_later.get() && !may_earlier.get()
                    min=move || (!may_later.get()).then(today)
                    max=latest
                    prop:value=move || review.get().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let review_by = (!v.is_empty()).then_some(v);
                        if review_by == review.get_untracked() {
                            return;
                        }
                        let later = moves_later(review.get_untracked().as_deref(), review_by.as_deref());
                        if ctx.facts.with_untracked(|f| may(f, Action::SetReview { later })) {
                            ctx.edit(PlanChange::PlanReview { review_by });
                        } else {
                            // Put the picker back to the date set now, and say why.
                            ctx.error.set(Some(Msg::PlanReviewNotLater));
                            if let Some(input) = ev.target().and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlInputElement>(t).ok()) {
                                input.set_value(&review.get_untracked().unwrap_or_default());
                            }
                        }
                    }/>
                {move || (may_earlier.get() && !may_later.get()).then(|| view! {
                    <p class="hint" data-test="plan-review-hint">{t(Msg::PlanReviewEarlierOnly)}</p>
                })}
                {move || review.get().map(|date| {
                    let lang = i18n.lang.get();
                    let who = match set_by.get() {
                        Some(by) => fill(Msg::PlanReviewSetBy.text(lang), &[("who", &written_by(&by, lang))]),
                        None => Msg::WaitingToSync.text(lang).to_owned(),
                    };
                    let words = fill(Msg::PlanReviewByDate.text(lang), &[("date", &date_words(&date, lang))]);
                    view! {
                        <p class="review-words" data-test="plan-review-words">{words}</p>
                        <p class="hint" data-test="plan-review-by">{who}</p>
                    }
                })}
            </div>
            })}
            // Staff see the red flag; the person sees a calm reminder.
            {move || overdue.get().then(|| {
                let lang = i18n.lang.get();
                let date = date_words(&review.get().unwrap_or_default(), lang);
                if is_staff {
                    view! {
                        <p class="flag overdue" role="status" data-test="plan-review-overdue">
                            {fill(Msg::PlanReviewOverdue.text(lang), &[("date", &date)])}
                        </p>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="flag calm" role="status" data-test="plan-review-time">
                            {fill(Msg::PlanReviewTime.text(lang), &[("date", &date)])}
                        </p>
                    }
                    .into_any()
                }
            })}
        </section>
    }
}

/// What changed in the plan the person sees after `since` (Unix ms): additions, new words and items taken out,
/// in the order they were written, each as (what happened, section, the item's words).
pub fn changes_since(plan: &PlanView, since: i64) -> Vec<(Msg, PlanSection, String)> {
    let after = |by: &Option<waymark_shared::sync::Authorship>| by.as_ref().is_none_or(|b| b.at_ms > since);
    let mut out: Vec<(i64, Msg, PlanSection, String)> = Vec::new();
    for item in plan.items.iter().filter(|i| !i.section.is_staff_only()) {
        let at = |by: &Option<waymark_shared::sync::Authorship>| by.as_ref().map_or(i64::MAX, |b| b.at_ms);
        let added_after = after(&item.added_by);
        if item.removed {
            // Something added and taken out again since is no change at all.
            if !added_after && item.removed_by.is_some() && after(&item.removed_by) {
                out.push((at(&item.removed_by), Msg::PlanChangeTookOut, item.section, item.text.clone()));
            }
            continue;
        }
        if added_after {
            out.push((at(&item.added_by), Msg::PlanChangeAdded, item.section, item.text.clone()));
        } else if item.changed_by.is_some() && after(&item.changed_by) {
            out.push((at(&item.changed_by), Msg::PlanChangeChanged, item.section, item.text.clone()));
        } else if item.removed_by.is_some() && after(&item.removed_by) {
            // Taken out and put back since: its words are in the plan again.
            out.push((at(&item.removed_by), Msg::PlanChangeAdded, item.section, item.text.clone()));
        }
    }
    out.sort_by_key(|(at, ..)| *at);
    out.into_iter().map(|(_, m, s, t)| (m, s, t)).collect()
}

/// When the agreed version was agreed: the later of the two signatures (Unix ms).
/// "Version 1 agreed: by me on 11 August 2026 and by my key worker on 11 August 2026." (or with the person's name
/// for anyone else), on the plan and on its printable copy.
pub fn agreed_sentence(version: u32, person: &str, key_worker: &str, is_self: bool, name: &str, lang: Lang) -> String {
    fill(
        (if is_self { Msg::PlanAgreedSelf } else { Msg::PlanAgreed }).text(lang),
        &[
            ("version", &version.to_string()),
            ("name", name),
            ("person", &date_words(person, lang)),
            ("key_worker", &date_words(key_worker, lang)),
        ],
    )
}

fn agreed_at(plan: &PlanView) -> i64 {
    plan.signatures.values().filter_map(|s| s.by.as_ref().map(|b| b.at_ms)).max().unwrap_or(i64::MAX)
}

/// Where the agreement stands, and a button for whoever may sign now. When the plan changed after a version was
/// agreed, it says this is a new version, not agreed yet, and lists what changed.
#[component]
pub fn PlanAgreementPanel(ctx: PlanCtx, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let name = StoredValue::new(name);
    let is_self = ctx.facts.with_untracked(|f| f.is_person());
    // The one signature this writer may give, and the version it would be.
    let to_sign = Memo::new(move |_| {
        ctx.facts.with(|f| {
            Signer::ALL.into_iter().find_map(|signer| {
                if !may(f, Action::SignPlan(signer)) {
                    return None;
                }
                ctx.plan.with(|p| p.version_to_sign(signer)).map(|v| (signer, v))
            })
        })
    });
    let status = move || {
        let lang = i18n.lang.get();
        let n = name.get_value();
        match ctx.plan.with(|p| p.agreement()) {
            Agreement::NotYet => Msg::PlanNotAgreed.text(lang).to_owned(),
            Agreement::Waiting { signed, version } => {
                let msg = match (signed, is_self) {
                    (Signer::Person, true) => Msg::PlanWaitingKeyWorkerSelf,
                    (Signer::Person, false) => Msg::PlanWaitingKeyWorker,
                    (Signer::KeyWorker, true) => Msg::PlanWaitingPersonSelf,
                    (Signer::KeyWorker, false) => Msg::PlanWaitingPerson,
                };
                fill(msg.text(lang), &[("version", &version.to_string()), ("name", &n)])
            }
            Agreement::Agreed { version, person, key_worker, changed_since } => {
                let mut s = agreed_sentence(version, &person, &key_worker, is_self, &n, lang);
                if changed_since {
                    s.push(' ');
                    s.push_str(&fill(Msg::PlanNowVersion.text(lang), &[("version", &(version + 1).to_string())]));
                }
                s
            }
        }
    };
    let changes = Memo::new(move |_| {
        ctx.plan.with(|p| match p.agreement() {
            Agreement::Agreed { version, changed_since: true, .. } => Some((version, changes_since(p, agreed_at(p)))),
            _ => None,
        })
    });
    view! {
        <section class="panel plan-agreement" data-test="plan-agreement">
            <h2>{t(Msg::PlanAgreement)}</h2>
            <p data-test="plan-agreement-status">{status}</p>
            {move || changes.get().filter(|(_, list)| !list.is_empty()).map(|(version, list)| {
                let lang = i18n.lang.get();
                view! {
                    <h3>{fill(Msg::PlanChangesSince.text(lang), &[("version", &version.to_string())])}</h3>
                    <ul class="plan-changes" data-test="plan-changes">
                        {list.into_iter().map(|(msg, section, text)| view! {
                            <li>{fill(msg.text(lang), &[("section", section_title(section, i18n.easy_read.get()).text(lang)), ("text", &text)])}</li>
                        }).collect_view()}
                    </ul>
                }
            })}
            {move || to_sign.get().map(|(signer, version)| {
                let label = match signer {
                    Signer::Person => Msg::PlanSignPerson,
                    Signer::KeyWorker => Msg::PlanSignKeyWorker,
                };
                view! {
                    <button type="button" class="button primary" data-test="plan-sign" data-signer=signer.as_str()
                        on:click=move |_| ctx.edit(PlanChange::AgreePlan { signer, version, date: today() })>
                        {t_fill(label, vec![("version", version.to_string())])}
                    </button>
                }
            })}
        </section>
    }
}

/// Values saved at the same time on two devices: shown side by side for someone to choose.
#[component]
pub fn PlanConflicts(ctx: PlanCtx) -> impl IntoView {
    let conflicts = Signal::derive(move || ctx.plan.with(|p| p.conflicts.clone()));
    let settle = Callback::new(move |(key, value): (CellKey, serde_json::Value)| {
        let change = ctx.sync.decode(&key, &value)?;
        ctx.facts.with_untracked(|f| ctx.sync.may_make(f, &ctx.person.get_value(), &change)).then_some(change)
    });
    // Name where each one is: the section and the item's place in it, or the detail of the plan.
    let i18n = use_i18n();
    let describe = Callback::new(move |key: CellKey| {
        let lang = i18n.lang.get_untracked();
        ctx.plan.with_untracked(|p| match p.item(&key.record) {
            Some(item) if key.kind == waymark_shared::sync::Kind::PlanItem => {
                let n = p
                    .items
                    .iter()
                    .filter(|i| i.section == item.section && (!i.removed || i.id == item.id))
                    .position(|i| i.id == item.id)
                    .map_or(1, |n| n + 1);
                fill(
                    Msg::PlanConflictItem.text(lang),
                    &[("section", section_title(item.section, false).text(lang)), ("n", &n.to_string())],
                )
            }
            _ => {
                let what = match key.field.as_str() {
                    waymark_shared::plan::fields::SETTING => Msg::PlanSetting,
                    waymark_shared::plan::fields::REVIEW_BY => Msg::PlanReviewBy,
                    f if f == waymark_shared::plan::fields::CAPACITY => Msg::CapacityTitle,
                    _ => Msg::PlanAgreement,
                };
                fill(Msg::PlanConflictDetail.text(lang), &[("what", what.text(lang))])
            }
        })
    });
    view! { <ConflictChoices person=ctx.person conflicts=conflicts settle=settle test_id="plan-conflicts" describe=describe/> }
}

/// "Safety plan review overdue" (red, for staff), where the person's name or card shows; on the person's own page
/// (`calm`) a quiet "time to look at my safety plan again". Nothing when the review is not due.
#[component]
pub fn ReviewFlag(person: UserId, #[prop(optional)] calm: bool) -> impl IntoView {
    let plan = crate::sync::plan::use_plan(person);
    let overdue = Memo::new(move |_| plan.with(|p| p.review_overdue(&today())));
    move || {
        overdue.get().then(|| {
            if calm {
                view! { <p class="flag calm" data-test="review-time">{t(Msg::PlanReviewTimeFlag)}</p> }.into_any()
            } else {
                view! { <p class="flag overdue" data-test="review-overdue">{t(Msg::PlanReviewDue)}</p> }.into_any()
            }
        })
    }
}

/// Staff record whether the person can, for now, decide what carers see (and why not). While they cannot, the
/// care team decides in their best interests; the record is never sent to a carer.
#[component]
pub fn CapacityPanel(ctx: PlanCtx) -> impl IntoView {
    let i18n = use_i18n();
    let current = Memo::new(move |_| ctx.plan.with(|p| p.capacity.clone()));
    let lacks = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    // The form starts from what is recorded, and follows it when a record arrives from another device.
    Effect::new(move |_| {
        if let Some((c, _)) = current.get() {
            lacks.set(c.lacks);
            reason.set(c.reason);
        }
    });
    let save = move |_| {
        ctx.edit(ConsentChange::Capacity {
            lacks: lacks.get_untracked(),
            reason: reason.get_untracked().trim().to_owned(),
        });
    };
    view! {
        <section class="panel capacity" data-test="capacity-panel">
            <h2>{t(Msg::CapacityTitle)}</h2>
            <p class="hint">{move || fill(Msg::CapacityHintName.text(i18n.lang.get()), &[("name", &ctx.name.get_value())])}</p>
            {move || current.get().map(|(c, by)| {
                let lang = i18n.lang.get();
                let who = by.map(|b| written_by(&b, lang)).unwrap_or_default();
                let text = if c.lacks {
                    fill(Msg::CapacityRecordedLacks.text(lang), &[("name", &ctx.name.get_value()), ("reason", &c.reason), ("who", &who)])
                } else {
                    fill(Msg::CapacityRecordedCan.text(lang), &[("name", &ctx.name.get_value()), ("who", &who)])
                };
                view! { <p data-test="capacity-status">{text}</p> }
            })}
            <label class="check">
                <input type="checkbox" data-test="capacity-lacks" prop:checked=move || lacks.get()
                    on:change=move |ev| lacks.set(event_target_checked(&ev))/>
                <span>{move || fill(Msg::CapacityLacks.text(i18n.lang.get()), &[("name", &ctx.name.get_value())])}</span>
            </label>
            <label class="field-label" for="capacity-reason">{t(Msg::CapacityReason)}</label>
            <textarea id="capacity-reason" class="field-input" rows="2" data-test="capacity-reason"
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <button type="button" class="button primary" data-test="capacity-save" on:click=save>{t(Msg::PlanSave)}</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::sync::Authorship;

    fn by(at_ms: i64) -> Option<Authorship> {
        Some(Authorship { user: UserId("u".into()), name: "Owen Price".into(), role: None, at_ms })
    }

    fn item(id: &str, section: PlanSection, text: &str, added: i64) -> ItemView {
        ItemView {
            id: RecordId(id.into()),
            section,
            text: text.into(),
            added_by: by(added),
            changed_by: None,
            removed: false,
            removed_by: None,
            waiting: false,
        }
    }

    #[test]
    fn what_changed_since_the_agreement_is_listed_in_order() {
        let mut plan = PlanView::default();
        let mut changed = item("b", PlanSection::ICanDo, "Walk twice a day", 100);
        changed.changed_by = by(300);
        let mut gone = item("c", PlanSection::Triggers, "Loud music", 100);
        (gone.removed, gone.removed_by) = (true, by(400));
        let mut came_and_went = item("d", PlanSection::Triggers, "Crowds", 250);
        (came_and_went.removed, came_and_went.removed_by) = (true, by(260));
        plan.items = vec![
            item("a", PlanSection::ICanDo, "Phone my sister", 100),
            changed,
            gone,
            came_and_went,
            item("e", PlanSection::ReasonsForHope, "My dog", 200),
            item("f", PlanSection::StaffOnly, "A staff-only note", 210),
            ItemView { added_by: None, waiting: true, ..item("g", PlanSection::ICanDo, "Not sent yet", 0) },
        ];
        let list = changes_since(&plan, 150);
        assert_eq!(
            list,
            vec![
                (Msg::PlanChangeAdded, PlanSection::ReasonsForHope, "My dog".to_owned()),
                (Msg::PlanChangeChanged, PlanSection::ICanDo, "Walk twice a day".to_owned()),
                (Msg::PlanChangeTookOut, PlanSection::Triggers, "Loud music".to_owned()),
                (Msg::PlanChangeAdded, PlanSection::ICanDo, "Not sent yet".to_owned()),
            ]
        );
        assert!(changes_since(&plan, 1_000).iter().all(|(_, _, t)| t == "Not sent yet"));
    }
}
