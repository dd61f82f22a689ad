//! Administration (issue 16): the administrator's home (search across accounts, make an account, wards), one
//! account (reset its password, switch it off and on, link it to the hospital sign-in), a ward's roster, and a
//! person's care team and stay (for administrators and the manager of the person's ward). Every action is checked
//! by the server; these pages only offer it. Each form shows its problems beside the field, found by the same rules
//! the server applies (`waymark_shared::admin`).

use super::signed_in::SignedIn;
use crate::{
    client::{api, http::Failure},
    components::{
        form::{field_error, invalid, place_failure},
        person_details::error_view,
    },
    i18n::{t, t_fill, use_i18n},
    session::use_auth,
    util::today,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};
use waymark_shared::{
    Lang, Msg, Relation, Role, UserId,
    admin::{self, Field, Problems},
    api::{
        AccountSummary, AdminPerson, Me, NewAccountRequest, NewWardRequest, OneTimePassword, SetIdentityRequest,
        StayKind, StayRequest, StayStep, WardInfo,
    },
    i18n::{date_in_words, fill, relation_msg, role_msg},
};

/// A dated step of a stay, in words ("Moved from Derwen Ward to Onnen Ward on 4 March 2026").
pub fn stay_words(step: &StayStep, lang: Lang) -> String {
    let date = date_in_words(&step.date, lang).unwrap_or_else(|| step.date.clone());
    let ward = step.ward.as_ref().map(|w| w.name.clone()).unwrap_or_default();
    let from = step.from_ward.as_ref().map(|w| w.name.clone()).unwrap_or_default();
    let msg = match step.kind {
        StayKind::Admitted => Msg::StayAdmitted,
        StayKind::Transferred => Msg::StayTransferred,
        StayKind::Discharged => Msg::StayDischarged,
    };
    fill(msg.text(lang), &[("ward", &ward), ("from", &from), ("date", &date)])
}

/// The dated steps of a person's stay, oldest first.
#[component]
pub fn StayList(stays: Vec<StayStep>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="stay-list" data-test="stay-list">
            {stays
                .into_iter()
                .map(|s| {
                    let kind = s.kind.as_str();
                    view! { <li data-kind=kind>{move || stay_words(&s, i18n.lang.get())}</li> }
                })
                .collect_view()}
        </ol>
    }
}

/// The session's CSRF token, or the network error to show.
fn token() -> Result<String, Failure> {
    use_auth().csrf_token().ok_or(Failure::Network)
}

fn status_msg(a: &AccountSummary) -> Msg {
    if !a.active {
        Msg::AdminStatusOff
    } else if a.must_change_password {
        Msg::AdminStatusFirstSignIn
    } else {
        Msg::AdminStatusActive
    }
}

/// Shown only to administrators (the server refuses everyone else; this says so kindly rather than failing).
fn only_for(me: &Me, roles: &[Role], content: impl FnOnce() -> AnyView) -> AnyView {
    if roles.contains(&me.role) {
        content()
    } else {
        view! { <p class="error" role="alert">{t(Msg::AdminNotForYou)}</p> }.into_any()
    }
}

// The administrator's home.

/// The administrator's home: search, a new account, wards.
/// The administrator's home, loaded when first shown (its own wasm chunk: nobody else's first load carries it).
pub fn lazy_admin_home() -> impl IntoView {
    crate::components::later::later(admin_home_view)
}

#[leptos::lazy]
fn admin_home_view() -> AnyView {
    view! { <AdminHome/> }.into_any()
}

#[component]
pub fn AdminHome() -> impl IntoView {
    crate::a11y::page_title(t(Msg::AdminTitle));
    view! {
        <h1>{t(Msg::AdminTitle)}</h1>
        <p class="intro">{t(Msg::AdminIntroTools)}</p>
        <div class="admin-grid">
            <AccountSearch/>
            <NewAccount/>
            <Wards/>
        </div>
    }
}

#[component]
fn AccountSearch() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let asked = RwSignal::new(None::<String>);
    let answer = LocalResource::new(move || {
        let q = asked.get();
        async move {
            match q {
                Some(q) => Some(api::admin_search(&q).await),
                None => None,
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        asked.set(Some(q.get_untracked().trim().to_owned()));
    };
    view! {
        <section class="panel admin-search" data-test="admin-search" aria-labelledby="admin-search-title">
            <h2 id="admin-search-title">{t(Msg::AdminSearchTitle)}</h2>
            <form class="admin-form inline" on:submit=submit role="search">
                <label for="admin-q">{t(Msg::AdminSearchLabel)}</label>
                <div class="inline-row">
                    <input id="admin-q" type="text" data-test="admin-q" maxlength="80" autocomplete="off"
                        prop:value=q on:input=move |ev| q.set(event_target_value(&ev))/>
                    <button type="submit" class="button primary" data-test="admin-search-submit">{t(Msg::AdminSearch)}</button>
                </div>
            </form>
            {move || match answer.get().flatten() {
                None => ().into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                Some(Ok(list)) if list.accounts.is_empty() => view! { <p class="empty" role="status">{t(Msg::AdminNoMatches)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="account-list" data-test="account-list">
                        {list.accounts.into_iter().map(|a| view! { <AccountRow account=a/> }).collect_view()}
                    </ul>
                    {list.more.then(|| view! { <p class="hint">{t(Msg::AdminMoreMatches)}</p> })}
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
fn AccountRow(account: AccountSummary) -> impl IntoView {
    let status = status_msg(&account);
    let AccountSummary { id, username, display_name, role, ward, active, .. } = account;
    let meta = format!("{username}{}", ward.map(|w| format!(" · {}", w.name)).unwrap_or_default());
    view! {
        <li class="account-row" data-test="account-row" data-username=username.clone()>
            <A href=format!("/admin/accounts/{}", id.0) attr:class="account-link">
                <span class="member-name">{display_name}</span>
                <span class="account-meta">{meta}" · "{t(role_msg(role))}</span>
            </A>
            <span class="badge" data-active=active.to_string()>{t(status)}</span>
        </li>
    }
}

/// The roles offered for a new account, in the order people think of them.
const NEW_ROLES: [Role; 6] =
    [Role::KeyWorker, Role::Staff, Role::WardManager, Role::PeerSupport, Role::Admin, Role::ServiceUser];

#[component]
fn NewAccount() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let ward = RwSignal::new(String::new());
    let identity = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::new());
    let error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<OneTimePassword>);
    let wards = LocalResource::new(|| async { api::admin_wards().await.map(|l| l.wards).unwrap_or_default() });
    let request = move || NewAccountRequest {
        username: username.get_untracked().trim().to_owned(),
        display_name: name.get_untracked(),
        role: Role::parse(&role.get_untracked()),
        ward: Some(ward.get_untracked()).filter(|w| !w.is_empty()),
        identity: Some(identity.get_untracked().trim().to_owned()).filter(|i| !i.is_empty()),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let req = request();
        let found = admin::check_new_account(&req);
        problems.set(found.clone());
        if !found.is_empty() {
            return;
        }
        let token = match token() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e.message())),
        };
        busy.set(true);
        spawn_local(async move {
            match api::admin_create_account(&token, &req).await {
                Ok(otp) => {
                    made.set(Some(otp));
                    for s in [username, name, role, ward, identity] {
                        s.set(String::new());
                    }
                }
                Err(e) => {
                    let fields = [
                        (Field::Username, Msg::AdminErrUsername),
                        (Field::DisplayName, Msg::AdminErrName),
                        (Field::Role, Msg::AdminErrRole),
                        (Field::Ward, Msg::AdminErrWard),
                        (Field::Identity, Msg::AdminErrIdentity),
                    ];
                    if let Some(m) = place_failure(&e, problems, &fields) {
                        error.set(Some(m));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="panel admin-new-account" data-test="new-account" aria-labelledby="new-account-title">
            <h2 id="new-account-title">{t(Msg::AdminNewAccount)}</h2>
            <p class="hint">{t(Msg::AdminNewAccountHint)}</p>
            {move || made.get().map(|otp| view! { <OneTimePasswordShown otp=otp created=true/> })}
            <form class="admin-form" on:submit=submit novalidate data-test="new-account-form">
                <label for="new-username">{t(Msg::Username)}</label>
                <input id="new-username" type="text" data-test="new-username" autocomplete="off" autocapitalize="none"
                    spellcheck="false" aria-describedby="new-username-error" aria-invalid=invalid(problems, Field::Username)
                    prop:value=username on:input=move |ev| username.set(event_target_value(&ev))/>
                {field_error(problems, Field::Username, "new-username")}
                <label for="new-name">{t(Msg::AdminFullName)}</label>
                <input id="new-name" type="text" data-test="new-name" autocomplete="off"
                    aria-describedby="new-name-error" aria-invalid=invalid(problems, Field::DisplayName)
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                {field_error(problems, Field::DisplayName, "new-name")}
                <label for="new-role">{t(Msg::AdminRole)}</label>
                <select id="new-role" data-test="new-role" aria-describedby="new-role-error"
                    aria-invalid=invalid(problems, Field::Role)
                    prop:value=role on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="">{t(Msg::AdminChooseRole)}</option>
                    {NEW_ROLES.iter().map(|r| view! { <option value=r.as_str()>{t(role_msg(*r))}</option> }).collect_view()}
                </select>
                {field_error(problems, Field::Role, "new-role")}
                <label for="new-ward">{t(Msg::Ward)}</label>
                <WardSelect id="new-ward" value=ward wards=wards problems=problems none=Msg::AdminNoWard/>
                {field_error(problems, Field::Ward, "new-ward")}
                <label for="new-identity">{t(Msg::AdminIdentity)}</label>
                <input id="new-identity" type="text" data-test="new-identity" autocomplete="off" autocapitalize="none"
                    spellcheck="false" aria-describedby="new-identity-hint new-identity-error"
                    aria-invalid=invalid(problems, Field::Identity)
                    prop:value=identity on:input=move |ev| identity.set(event_target_value(&ev))/>
                <p class="hint" id="new-identity-hint">{t(Msg::AdminIdentityHint)}</p>
                {field_error(problems, Field::Identity, "new-identity")}
                {move || error.get().map(|m| view! { <p class="error" role="alert">{t(m)}</p> })}
                <button type="submit" class="button primary" data-test="new-account-submit" disabled=move || busy.get()>
                    {t(Msg::AdminCreate)}
                </button>
            </form>
        </section>
    }
}

/// A choice of ward (the wards this viewer may see), with "no ward" or "choose a ward" first.
#[component]
fn WardSelect(
    id: &'static str,
    value: RwSignal<String>,
    wards: LocalResource<Vec<WardInfo>>,
    problems: RwSignal<Problems>,
    none: Msg,
) -> impl IntoView {
    view! {
        <select id=id data-test=id aria-describedby=format!("{id}-error") aria-invalid=invalid(problems, Field::Ward)
            prop:value=value on:change=move |ev| value.set(event_target_value(&ev))>
            <option value="">{t(none)}</option>
            {move || {
                let chosen = value.get_untracked();
                wards
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|w| {
                        let selected = w.id == chosen;
                        view! { <option value=w.id.clone() selected=selected>{w.name.clone()}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}

/// A one-time password, shown once, with what to do with it.
#[component]
fn OneTimePasswordShown(otp: OneTimePassword, created: bool) -> impl IntoView {
    let name = otp.account.display_name.clone();
    let id = otp.account.id.clone();
    view! {
        <div class="one-time-password" role="status" data-test="one-time-password-box">
            {created.then(|| view! { <p>{t_fill(Msg::AdminCreated, vec![("name", name.clone())])}</p> })}
            <p>{t_fill(Msg::AdminOneTimePassword, vec![("name", name.clone())])}</p>
            <p class="code" data-test="one-time-password">{otp.one_time_password.clone()}</p>
            <p class="hint">{t(Msg::AdminOneTimePasswordHint)}</p>
            {created.then(|| view! {
                <A href=format!("/admin/accounts/{}", id.0) attr:class="button outline" attr:data-test="open-new-account">
                    {t(Msg::AdminOpenAccount)}
                </A>
            })}
        </div>
    }
}

#[component]
fn Wards() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::new());
    let error = RwSignal::new(None::<Msg>);
    let wards = LocalResource::new(api::admin_wards);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let n = name.get_untracked();
        if !admin::check_name(&n) {
            return problems.set(vec![(Field::WardName, Msg::AdminErrName)]);
        }
        problems.set(vec![]);
        let token = match token() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e.message())),
        };
        spawn_local(async move {
            match api::admin_create_ward(&token, &NewWardRequest { name: n.trim().to_owned() }).await {
                Ok(_) => {
                    name.set(String::new());
                    wards.refetch();
                }
                Err(Failure::Api(e)) if e.code == waymark_shared::api::ErrorCode::RecordExists => {
                    problems.set(vec![(Field::WardName, Msg::AdminErrName)]);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="panel admin-wards" data-test="admin-wards" aria-labelledby="wards-title">
            <h2 id="wards-title">{t(Msg::AdminWards)}</h2>
            {move || match wards.get() {
                None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                Some(Ok(list)) => view! {
                    <ul class="ward-list" data-test="ward-list">
                        {list.wards.into_iter().map(|w| view! { <WardRow ward=w/> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <form class="admin-form" on:submit=submit novalidate data-test="new-ward-form">
                <label for="new-ward-name">{t(Msg::AdminWardName)}</label>
                <input id="new-ward-name" type="text" data-test="new-ward-name" autocomplete="off"
                    aria-describedby="new-ward-name-error" aria-invalid=invalid(problems, Field::WardName)
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                {field_error(problems, Field::WardName, "new-ward-name")}
                {move || error.get().map(|m| view! { <p class="error" role="alert">{t(m)}</p> })}
                <button type="submit" class="button outline" data-test="new-ward-submit">{t(Msg::AdminAddWard)}</button>
            </form>
        </section>
    }
}

#[component]
fn WardRow(ward: WardInfo) -> impl IntoView {
    let counts =
        t_fill(Msg::AdminWardCounts, vec![("people", ward.people.to_string()), ("staff", ward.staff.to_string())]);
    view! {
        <li class="ward-row" data-test="ward-row">
            <A href=format!("/admin/wards/{}", ward.id) attr:class="account-link">
                <span class="member-name">{ward.name.clone()}</span>
                <span class="account-meta">{counts}</span>
            </A>
        </li>
    }
}

// One account.

/// `/admin/accounts/:id`: one account and what an administrator may do with it.
#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <SignedIn content=move |me| {
            only_for(&me, &[Role::Admin], move || {
                let id = UserId(params.read_untracked().get("id").unwrap_or_default());
                view! { <AccountTools id=id/> }.into_any()
            })
        }/>
    }
}

#[component]
fn AccountTools(id: UserId) -> impl IntoView {
    let id = StoredValue::new(id);
    let detail = LocalResource::new(move || async move { api::admin_account(&id.get_value()).await });
    let otp = RwSignal::new(None::<OneTimePassword>);
    let error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let run = move |action: u8| {
        if busy.get_untracked() {
            return;
        }
        let token = match token() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e.message())),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let id = id.get_value();
            let done = match action {
                0 => api::admin_reset_password(&token, &id).await.map(|o| otp.set(Some(o))),
                1 => api::admin_switch(&token, &id, false).await.map(|_| ()),
                _ => api::admin_switch(&token, &id, true).await.map(|_| ()),
            };
            match done {
                Ok(()) => detail.refetch(),
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let i18n = use_i18n();
    view! {
        <A href="/" attr:class="back-link">{t(Msg::AdminBack)}</A>
        {move || match detail.get() {
            None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
            Some(Err(e)) => error_view(e).into_any(),
            Some(Ok(d)) => {
                let a = d.account.clone();
                let title = a.display_name.clone();
                crate::a11y::page_title(move || title.clone());
                let active = a.active;
                let service_user = a.role == Role::ServiceUser;
                let may_link = admin::may_link_identity(a.role);
                let person = a.id.clone();
                view! {
                    <h1>{a.display_name.clone()}</h1>
                    <dl class="account-facts" data-test="account-facts">
                        <dt>{t(Msg::Username)}</dt><dd>{a.username.clone()}</dd>
                        <dt>{t(Msg::AdminRole)}</dt><dd>{t(role_msg(a.role))}</dd>
                        <dt>{t(Msg::Ward)}</dt><dd>{a.ward.clone().map(|w| w.name).unwrap_or_else(|| Msg::AdminNoWard.text(i18n.lang.get_untracked()).to_owned())}</dd>
                        <dt>{t(Msg::AdminStatus)}</dt>
                        <dd data-test="account-status" data-active=active.to_string()>{t(status_msg(&a))}</dd>
                    </dl>
                    {move || otp.get().map(|o| view! {
                        <OneTimePasswordShown otp=o.clone() created=false/>
                        <p class="note">{t_fill(Msg::AdminResetDone, vec![("name", o.account.display_name.clone())])}</p>
                    })}
                    {move || error.get().map(|m| view! { <p class="error" role="alert">{t(m)}</p> })}
                    <section class="panel" aria-labelledby="account-actions">
                        <h2 id="account-actions">{t(Msg::AdminManage)}</h2>
                        <div class="admin-actions">
                            <button type="button" class="button outline" data-test="reset-password"
                                disabled=move || busy.get() on:click=move |_| run(0)>{t(Msg::AdminResetPassword)}</button>
                            {if active {
                                view! {
                                    <button type="button" class="button outline danger" data-test="deactivate"
                                        aria-describedby="deactivate-hint"
                                        disabled=move || busy.get() on:click=move |_| run(1)>{t(Msg::AdminDeactivate)}</button>
                                    <p class="hint" id="deactivate-hint">{t(Msg::AdminDeactivateHint)}</p>
                                }.into_any()
                            } else {
                                view! {
                                    <button type="button" class="button outline" data-test="reactivate"
                                        disabled=move || busy.get() on:click=move |_| run(2)>{t(Msg::AdminReactivate)}</button>
                                }.into_any()
                            }}
                            {service_user.then(|| view! {
                                <A href=format!("/admin/people/{}", person.0) attr:class="button primary" attr:data-test="manage-person">
                                    {t(Msg::AdminManage)}
                                </A>
                            })}
                        </div>
                    </section>
                    {may_link.then(|| view! { <IdentityForm id=a.id.clone() current=a.identity.clone().unwrap_or_default()/> })}
                    {(!d.linked_to.is_empty()).then(|| view! {
                        <section class="panel" aria-labelledby="linked-to">
                            <h2 id="linked-to">{t(Msg::AdminLinkedTo)}</h2>
                            <ul class="care-team">
                                {d.linked_to.iter().map(|l| view! {
                                    <li><span class="member-name">{l.display_name.clone()}</span>
                                        <span class="badge">{t(relation_msg(l.relation))}</span></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                    {(!d.stays.is_empty()).then(|| view! {
                        <section class="panel" aria-labelledby="account-stays">
                            <h2 id="account-stays">{t(Msg::AdminStays)}</h2>
                            <StayList stays=d.stays.clone()/>
                        </section>
                    })}
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn IdentityForm(id: UserId, current: String) -> impl IntoView {
    let value = RwSignal::new(current);
    let problems = RwSignal::new(Problems::new());
    let error = RwSignal::new(None::<Msg>);
    let saved = RwSignal::new(false);
    let id = StoredValue::new(id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        error.set(None);
        let v = value.get_untracked().trim().to_owned();
        let identity = Some(v).filter(|v| !v.is_empty());
        if !admin::check_identity(identity.as_deref()) {
            return problems.set(vec![(Field::Identity, Msg::AdminErrIdentity)]);
        }
        problems.set(vec![]);
        let token = match token() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e.message())),
        };
        spawn_local(async move {
            match api::admin_set_identity(&token, &id.get_value(), &SetIdentityRequest { identity }).await {
                Ok(_) => saved.set(true),
                Err(e) => {
                    if let Some(m) = place_failure(&e, problems, &[(Field::Identity, Msg::AdminErrIdentity)]) {
                        error.set(Some(m));
                    }
                }
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="identity-title">
            <h2 id="identity-title">{t(Msg::AdminLinkIdentity)}</h2>
            <form class="admin-form" on:submit=submit novalidate data-test="identity-form">
                <label for="identity">{t(Msg::AdminIdentity)}</label>
                <input id="identity" type="text" data-test="identity" autocomplete="off" autocapitalize="none"
                    spellcheck="false" aria-describedby="identity-hint identity-error"
                    aria-invalid=invalid(problems, Field::Identity)
                    prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="hint" id="identity-hint">{t(Msg::AdminIdentityHint)}</p>
                {field_error(problems, Field::Identity, "identity")}
                {move || error.get().map(|m| view! { <p class="error" role="alert">{t(m)}</p> })}
                {move || saved.get().then(|| view! { <p class="note" role="status" data-test="identity-saved">{t(Msg::AdminSaved)}</p> })}
                <button type="submit" class="button outline" data-test="identity-save">{t(Msg::AdminSave)}</button>
            </form>
        </section>
    }
}

// A ward.

/// `/admin/wards/:id`: who is on the ward (its manager, or an administrator).
#[component]
pub fn WardPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <SignedIn content=move |me| {
            only_for(&me, &[Role::Admin, Role::WardManager], move || {
                let id = params.read_untracked().get("id").unwrap_or_default();
                view! { <WardRosterView id=id/> }.into_any()
            })
        }/>
    }
}

#[component]
fn WardRosterView(id: String) -> impl IntoView {
    let roster = LocalResource::new(move || {
        let id = id.clone();
        async move { api::admin_ward(&id).await }
    });
    view! {
        <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
        {move || match roster.get() {
            None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
            Some(Err(e)) => error_view(e).into_any(),
            Some(Ok(r)) => {
                let title = r.ward.name.clone();
                crate::a11y::page_title(move || title.clone());
                view! {
                    <h1>{r.ward.name.clone()}</h1>
                    <section class="panel" aria-labelledby="ward-people">
                        <h2 id="ward-people">{t(Msg::AdminPeopleOnWard)}</h2>
                        {if r.people.is_empty() {
                            view! { <p class="empty">{t(Msg::AdminNobodyYet)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="account-list" data-test="ward-people">
                                    {r.people.into_iter().map(|p| {
                                        let kw = match p.key_worker.clone() {
                                            Some(n) => t_fill(Msg::AdminKeyWorkerIs, vec![("name", n)]).into_any(),
                                            None => t(Msg::AdminNoKeyWorker).into_any(),
                                        };
                                        view! {
                                            <li class="account-row" data-test="ward-person">
                                                <A href=format!("/admin/people/{}", p.id.0) attr:class="account-link">
                                                    <span class="member-name">{p.display_name.clone()}</span>
                                                    <span class="account-meta">{kw}</span>
                                                </A>
                                                {p.discharged.then(|| view! { <span class="badge">{t(Msg::AdminDischarge)}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                    <section class="panel" aria-labelledby="ward-staff">
                        <h2 id="ward-staff">{t(Msg::AdminStaffOnWard)}</h2>
                        <ul class="care-team" data-test="ward-staff">
                            {r.staff.into_iter().map(|s| view! {
                                <li><span class="member-name">{s.display_name.clone()}</span>
                                    <span class="badge">{t(role_msg(s.role))}</span></li>
                            }).collect_view()}
                        </ul>
                    </section>
                }
                .into_any()
            }
        }}
    }
}

// A person's care team and stay.

/// `/admin/people/:id`: a service user's care team and stay (their ward's manager, or an administrator).
#[component]
pub fn ManagePersonPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <SignedIn content=move |me| {
            only_for(&me, &[Role::Admin, Role::WardManager], move || {
                let id = UserId(params.read_untracked().get("id").unwrap_or_default());
                view! { <ManagePerson id=id/> }.into_any()
            })
        }/>
    }
}

#[component]
fn ManagePerson(id: UserId) -> impl IntoView {
    let id = StoredValue::new(id);
    let loaded = RwSignal::new(None::<Result<AdminPerson, Failure>>);
    let load = move || {
        spawn_local(async move {
            let answer = api::admin_person(&id.get_value()).await;
            loaded.set(Some(answer));
        })
    };
    load();
    view! {
        <A href="/" attr:class="back-link">{t(Msg::BackHome)}</A>
        {move || match loaded.get() {
            None => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
            Some(Err(e)) => error_view(e).into_any(),
            Some(Ok(p)) => view! { <ManagePersonLoaded page=p loaded=loaded/> }.into_any(),
        }}
    }
}

#[component]
fn ManagePersonLoaded(page: AdminPerson, loaded: RwSignal<Option<Result<AdminPerson, Failure>>>) -> impl IntoView {
    let person = StoredValue::new(page.person.id.clone());
    let title = page.person.display_name.clone();
    crate::a11y::page_title(move || title.clone());
    let error = RwSignal::new(None::<Msg>);
    let team_action = move |member: UserId, relation: Option<Relation>| {
        let token = match token() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e.message())),
        };
        error.set(None);
        spawn_local(async move {
            match api::admin_care_team(&token, &person.get_value(), &member, relation).await {
                Ok(p) => loaded.set(Some(Ok(p))),
                Err(Failure::Api(e)) if e.code == waymark_shared::api::ErrorCode::InvalidInput => {
                    error.set(Some(Msg::AdminErrTeam))
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let on_ward = page.person.ward.is_some() && !StayStep::discharged(&page.stays);
    let team = page.care_team.clone();
    view! {
        <h1>{page.person.display_name.clone()}</h1>
        {page.person.ward.clone().map(|w| view! { <p class="person-ward">{t(Msg::Ward)}": "{w.name}</p> })}
        {move || error.get().map(|m| view! { <p class="error" role="alert" data-test="team-error">{t(m)}</p> })}
        <section class="panel" aria-labelledby="team-title" data-test="admin-care-team">
            <h2 id="team-title">{t(Msg::CareTeam)}</h2>
            {team.is_empty().then(|| view! { <p class="empty" data-test="team-empty">{t(Msg::AdminNobodyYet)}</p> })}
            <ul class="care-team">
                {team.into_iter().map(|m| {
                    let member = m.id.clone();
                    view! {
                        <li data-test="team-member" data-relation=m.relation.as_str()>
                            <span class="member-name">{m.display_name.clone()}</span>
                            <span class="badge">{t(relation_msg(m.relation))}</span>
                            <button type="button" class="button quiet small" data-test="remove-member"
                                aria-label=move || format!("{}: {}", t(Msg::AdminRemove)(), m.display_name)
                                on:click=move |_| team_action(member.clone(), None)>{t(Msg::AdminRemove)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="hint">{t(Msg::AdminTeamChangeNote)}</p>
            <AddToTeam candidates=page.candidates.clone() on_add=team_action/>
        </section>
        <section class="panel" aria-labelledby="stays-title" data-test="admin-stays">
            <h2 id="stays-title">{t(Msg::AdminStays)}</h2>
            <StayList stays=page.stays.clone()/>
            {if on_ward {
                view! {
                    <StayForm person=person.get_value() kind=StayKind::Transferred loaded=loaded/>
                    <StayForm person=person.get_value() kind=StayKind::Discharged loaded=loaded/>
                }.into_any()
            } else {
                view! { <StayForm person=person.get_value() kind=StayKind::Admitted loaded=loaded/> }.into_any()
            }}
        </section>
    }
}

/// The places on a care team an account may hold (staff: key worker or care-team staff; peer support workers).
fn places_for(role: Role) -> Vec<Relation> {
    [Relation::KeyWorker, Relation::Staff, Relation::PeerSupport].into_iter().filter(|r| r.allowed_for(role)).collect()
}

#[component]
fn AddToTeam<F>(candidates: Vec<AccountSummary>, on_add: F) -> impl IntoView
where
    F: Fn(UserId, Option<Relation>) + Copy + 'static,
{
    let who = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::new());
    let candidates = StoredValue::new(candidates);
    let role_of = move |id: &str| candidates.with_value(|c| c.iter().find(|a| a.id.0 == id).map(|a| a.role));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = who.get_untracked();
        let relation = Relation::parse(&place.get_untracked());
        let mut found = Problems::new();
        match role_of(&id) {
            None => found.push((Field::Username, Msg::AdminChoosePerson)),
            Some(role) => {
                if !relation.is_some_and(|r| r.allowed_for(role)) {
                    found.push((Field::Role, Msg::AdminErrTeam));
                }
            }
        }
        problems.set(found.clone());
        if found.is_empty() {
            on_add(UserId(id), relation);
        }
    };
    view! {
        <form class="admin-form" on:submit=submit novalidate data-test="add-to-team">
            <h3>{t(Msg::AdminAddToTeam)}</h3>
            <label for="team-who">{t(Msg::AdminWho)}</label>
            <select id="team-who" data-test="team-who" aria-describedby="team-who-error" aria-invalid=invalid(problems, Field::Username)
                prop:value=who on:change=move |ev| {
                    who.set(event_target_value(&ev));
                    // Offer the first place this account may hold.
                    let first = role_of(&who.get_untracked()).and_then(|r| places_for(r).first().copied());
                    place.set(first.map(|r| r.as_str().to_owned()).unwrap_or_default());
                }>
                <option value="">{t(Msg::AdminChoosePerson)}</option>
                {candidates.get_value().into_iter().map(|a| {
                    let label = move || format!("{} ({})", a.display_name, t(role_msg(a.role))());
                    view! { <option value=a.id.0.clone()>{label}</option> }
                }).collect_view()}
            </select>
            {field_error(problems, Field::Username, "team-who")}
            <label for="team-as">{t(Msg::AdminAs)}</label>
            <select id="team-as" data-test="team-as" aria-describedby="team-as-error" aria-invalid=invalid(problems, Field::Role)
                prop:value=place on:change=move |ev| place.set(event_target_value(&ev))>
                <option value="">{t(Msg::AdminChooseRole)}</option>
                {[Relation::KeyWorker, Relation::Staff, Relation::PeerSupport].into_iter().map(|r| {
                    view! { <option value=r.as_str()>{t(relation_msg(r))}</option> }
                }).collect_view()}
            </select>
            {field_error(problems, Field::Role, "team-as")}
            <button type="submit" class="button outline" data-test="team-add">{t(Msg::AdminAdd)}</button>
        </form>
    }
}

#[component]
fn StayForm(person: UserId, kind: StayKind, loaded: RwSignal<Option<Result<AdminPerson, Failure>>>) -> impl IntoView {
    let ward = RwSignal::new(String::new());
    let date = RwSignal::new(today());
    let problems = RwSignal::new(Problems::new());
    let error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let person = StoredValue::new(person);
    let needs_ward = kind != StayKind::Discharged;
    let wards = LocalResource::new(move || async move {
        if needs_ward { api::admin_wards().await.map(|l| l.wards).unwrap_or_default() } else { vec![] }
    });
    let (title, prefix) = match kind {
        StayKind::Admitted => (Msg::AdminAdmit, "admit"),
        StayKind::Transferred => (Msg::AdminTransfer, "transfer"),
        StayKind::Discharged => (Msg::AdminDischarge, "discharge"),
    };
    let ward_id: &'static str = match kind {
        StayKind::Admitted => "admit-ward",
        StayKind::Transferred => "transfer-ward",
        StayKind::Discharged => "discharge-ward",
    };
    let date_id: &'static str = match kind {
        StayKind::Admitted => "admit-date",
        StayKind::Transferred => "transfer-date",
        StayKind::Discharged => "discharge-date",
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let w = Some(ward.get_untracked()).filter(|w| needs_ward && !w.is_empty());
        let d = date.get_untracked();
        let found = admin::check_stay(kind, w.as_deref(), &d, &today());
        problems.set(found.clone());
        if !found.is_empty() {
            return;
        }
        let token = match token() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e.message())),
        };
        busy.set(true);
        spawn_local(async move {
            match api::admin_stay(&token, &person.get_value(), kind, &StayRequest { ward: w, date: d }).await {
                Ok(p) => loaded.set(Some(Ok(p))),
                Err(e) => {
                    let fields = [(Field::Ward, Msg::AdminErrStay), (Field::Date, Msg::AdminErrDate)];
                    if let Some(m) = place_failure(&e, problems, &fields) {
                        error.set(Some(m));
                    }
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="admin-form stay-form" on:submit=submit novalidate data-test=format!("{prefix}-form")>
            <h3>{t(title)}</h3>
            {(kind == StayKind::Discharged).then(|| view! { <p class="hint">{t(Msg::AdminDischargeHint)}</p> })}
            {needs_ward.then(|| view! {
                <label for=ward_id>{t(Msg::Ward)}</label>
                <WardSelect id=ward_id value=ward wards=wards problems=problems none=Msg::AdminChooseWard/>
                {field_error(problems, Field::Ward, ward_id)}
            })}
            <label for=date_id>{t(Msg::AdminDate)}</label>
            <input id=date_id type="date" data-test=date_id max=today() aria-describedby=format!("{date_id}-error")
                aria-invalid=invalid(problems, Field::Date)
                prop:value=date on:input=move |ev| date.set(event_target_value(&ev))/>
            {field_error(problems, Field::Date, date_id)}
            {(!needs_ward).then(|| field_error(problems, Field::Ward, ward_id))}
            {move || error.get().map(|m| view! { <p class="error" role="alert">{t(m)}</p> })}
            <button type="submit" class="button primary" data-test=format!("{prefix}-submit") disabled=move || busy.get()>
                {t(title)}
            </button>
        </form>
    }
}
