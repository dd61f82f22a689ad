//! Administration's input rules, shared by the app (to show each problem beside its field as people type) and the
//! server (to refuse bad input, writing nothing).

use crate::api::{NewAccountRequest, StayKind};
use crate::i18n::Msg;
use crate::people::Role;
use crate::validation::{has_forbidden_chars, normalise_username};

/// Longest name of a person or a ward, in characters.
pub const NAME_MAX_CHARS: usize = 80;
/// Longest identity at the hospital's identity provider, in characters.
pub const IDENTITY_MAX_CHARS: usize = 200;
/// Shortest password someone chooses.
pub const NEW_PASSWORD_MIN_CHARS: usize = 10;
/// Longest search, in characters.
pub const SEARCH_MAX_CHARS: usize = 80;
/// Most accounts one search answers.
pub const SEARCH_MAX_RESULTS: usize = 50;
/// Most wards a hospital may have here (a bound on the stored list).
pub const MAX_WARDS: i64 = 500;

/// A field of an administration form, named on the wire (`field` of a refusal) and beside the input on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Username,
    DisplayName,
    Role,
    Ward,
    Identity,
    Date,
    WardName,
    NewPassword,
    NewPasswordAgain,
    CurrentPassword,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Username => "username",
            Field::DisplayName => "display_name",
            Field::Role => "role",
            Field::Ward => "ward",
            Field::Identity => "identity",
            Field::Date => "date",
            Field::WardName => "name",
            Field::NewPassword => "new_password",
            Field::NewPasswordAgain => "new_password_again",
            Field::CurrentPassword => "current_password",
        }
    }
}

/// The problems with a form: each field's first problem, in the form's order.
pub type Problems = Vec<(Field, Msg)>;

/// A person's or a ward's name: 1 to [`NAME_MAX_CHARS`] characters once trimmed, nothing hidden in it.
pub fn check_name(name: &str) -> bool {
    let n = name.trim();
    !n.is_empty() && n.chars().count() <= NAME_MAX_CHARS && !has_forbidden_chars(n) && !n.contains('\n')
}

/// An identity at the identity provider: the claim's value as it comes (no spaces around it), or nothing.
pub fn check_identity(identity: Option<&str>) -> bool {
    identity.is_none_or(|i| {
        !i.is_empty()
            && i.trim() == i
            && i.chars().count() <= IDENTITY_MAX_CHARS
            && !i.chars().any(char::is_control)
            && !has_forbidden_chars(i)
    })
}

/// The roles an administrator may give a new account: staff roles, peer support workers and service users.
/// (Carers make their own accounts with an invitation from the care team.)
pub fn may_create(role: Role) -> bool {
    role != Role::Carer
}

/// Only staff and peer support workers sign in through the identity provider; service users and carers keep
/// passwords.
pub fn may_link_identity(role: Role) -> bool {
    !matches!(role, Role::ServiceUser | Role::Carer)
}

/// What is wrong with a new account (empty when nothing is).
pub fn check_new_account(req: &NewAccountRequest) -> Problems {
    let mut out = Problems::new();
    if normalise_username(&req.username).is_err() {
        out.push((Field::Username, Msg::AdminErrUsername));
    }
    if !check_name(&req.display_name) {
        out.push((Field::DisplayName, Msg::AdminErrName));
    }
    match req.role {
        None => out.push((Field::Role, Msg::AdminErrRole)),
        Some(role) if !may_create(role) => out.push((Field::Role, Msg::AdminErrRole)),
        Some(role) => {
            // A service user is admitted to a ward as their account is made; staff on a ward work there.
            if role == Role::ServiceUser && req.ward.as_deref().is_none_or(str::is_empty) {
                out.push((Field::Ward, Msg::AdminErrWard));
            }
            if req.identity.is_some() && !may_link_identity(role) {
                out.push((Field::Identity, Msg::AdminErrIdentityRole));
            }
        }
    }
    if req.ward.as_deref().is_some_and(|w| w.is_empty() || w.len() > 64) {
        out.push((Field::Ward, Msg::AdminErrWard));
    }
    if !check_identity(req.identity.as_deref()) {
        out.push((Field::Identity, Msg::AdminErrIdentity));
    }
    out
}

/// What is wrong with a step of a stay: a date (`YYYY-MM-DD`, not after `today`), and a ward for an admission or a
/// move.
pub fn check_stay(kind: StayKind, ward: Option<&str>, date: &str, today: &str) -> Problems {
    let mut out = Problems::new();
    let needs_ward = kind != StayKind::Discharged;
    if needs_ward && ward.is_none_or(|w| w.is_empty() || w.len() > 64) {
        out.push((Field::Ward, Msg::AdminErrWard));
    }
    if !needs_ward && ward.is_some() {
        out.push((Field::Ward, Msg::AdminErrWard));
    }
    if !crate::tracker::is_date(date) {
        out.push((Field::Date, Msg::AdminErrDate));
    } else if date > today {
        out.push((Field::Date, Msg::AdminErrDateFuture));
    }
    out
}

/// What is wrong with a new password (typed twice).
pub fn check_new_password(current: &str, new: &str, again: &str) -> Problems {
    let mut out = Problems::new();
    if current.is_empty() {
        out.push((Field::CurrentPassword, Msg::PasswordCurrentMissing));
    }
    let chars = new.chars().count();
    if !(NEW_PASSWORD_MIN_CHARS..=crate::validation::PASSWORD_MAX).contains(&chars) {
        out.push((Field::NewPassword, Msg::PasswordTooShort));
    } else if new == current {
        out.push((Field::NewPassword, Msg::PasswordSameAsOld));
    }
    if new != again {
        out.push((Field::NewPasswordAgain, Msg::PasswordsDiffer));
    }
    out
}

/// The words of a search, lower-cased (at most five, each at most [`SEARCH_MAX_CHARS`] characters in all).
pub fn search_words(q: &str) -> Option<Vec<String>> {
    if q.chars().count() > SEARCH_MAX_CHARS || has_forbidden_chars(q) {
        return None;
    }
    Some(q.split_whitespace().take(5).map(str::to_lowercase).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Option<Role>) -> NewAccountRequest {
        NewAccountRequest {
            username: "ffion".into(),
            display_name: "Ffion Jenkins".into(),
            role,
            ward: Some("w1".into()),
            identity: None,
        }
    }

    #[test]
    fn a_good_account_has_no_problems() {
        assert!(check_new_account(&account(Some(Role::KeyWorker))).is_empty());
        assert!(check_new_account(&account(Some(Role::ServiceUser))).is_empty());
        assert!(check_new_account(&account(Some(Role::PeerSupport))).is_empty());
    }

    #[test]
    fn each_problem_is_named_by_its_field() {
        let bad = NewAccountRequest {
            username: "a b".into(),
            display_name: " ".into(),
            role: None,
            ward: None,
            identity: Some(" padded".into()),
        };
        let fields: Vec<Field> = check_new_account(&bad).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, [Field::Username, Field::DisplayName, Field::Role, Field::Identity]);
        let su = NewAccountRequest { ward: None, ..account(Some(Role::ServiceUser)) };
        assert_eq!(check_new_account(&su), [(Field::Ward, Msg::AdminErrWard)], "a service user is admitted to a ward");
        assert_eq!(check_new_account(&account(Some(Role::Carer)))[0].0, Field::Role, "carers join by invitation");
        let su_identity = NewAccountRequest { identity: Some("x".into()), ..account(Some(Role::ServiceUser)) };
        assert_eq!(check_new_account(&su_identity), [(Field::Identity, Msg::AdminErrIdentityRole)]);
        let long = NewAccountRequest { display_name: "x".repeat(81), ..account(Some(Role::Staff)) };
        assert_eq!(check_new_account(&long)[0].0, Field::DisplayName);
        let hidden = NewAccountRequest { display_name: "Owen\u{202E}".into(), ..account(Some(Role::Staff)) };
        assert_eq!(check_new_account(&hidden)[0].0, Field::DisplayName);
    }

    #[test]
    fn stays_need_a_date_not_in_the_future_and_a_ward_to_go_to() {
        let today = "2026-05-01";
        assert!(check_stay(StayKind::Admitted, Some("w"), "2026-05-01", today).is_empty());
        assert!(check_stay(StayKind::Discharged, None, "2026-04-01", today).is_empty());
        assert_eq!(check_stay(StayKind::Transferred, None, "2026-04-01", today)[0].0, Field::Ward);
        assert_eq!(check_stay(StayKind::Admitted, Some("w"), "soon", today)[0], (Field::Date, Msg::AdminErrDate));
        assert_eq!(
            check_stay(StayKind::Admitted, Some("w"), "2026-05-02", today)[0],
            (Field::Date, Msg::AdminErrDateFuture)
        );
    }

    #[test]
    fn new_passwords_are_long_enough_new_and_typed_twice() {
        assert!(check_new_password("one-time-1", "a garden by the sea", "a garden by the sea").is_empty());
        assert_eq!(check_new_password("x", "short", "short"), [(Field::NewPassword, Msg::PasswordTooShort)]);
        assert_eq!(check_new_password("same-as-old", "same-as-old", "same-as-old")[0].1, Msg::PasswordSameAsOld);
        assert_eq!(check_new_password("x", "long enough now", "long enough no")[0].0, Field::NewPasswordAgain);
        assert_eq!(check_new_password("", "long enough now", "long enough now")[0].0, Field::CurrentPassword);
    }

    #[test]
    fn searches_are_bounded() {
        assert_eq!(search_words("  Owen  PRICE ").unwrap(), ["owen", "price"]);
        assert!(search_words(&"x".repeat(81)).is_none());
        assert_eq!(search_words("a b c d e f g").unwrap().len(), 5);
    }
}
