//! Input rules shared by the app (to help people as they type) and the server (to refuse bad input).

use thiserror::Error;

pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MAX: usize = 256;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum InputError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} must be at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} may contain only letters, digits, '.', '-' and '_'")]
    BadCharacters { field: &'static str },
}

/// Characters no text people write may hold: control characters (but line breaks and tabs) and the invisible
/// controls that reorder how text is shown (U+202A–U+202E, U+2066–U+2069), with which a name or a note can be made
/// to read as something else on another person's screen. The one rule for every text field.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Does this text hold a character no text may hold ([`is_forbidden_char`])?
pub fn has_forbidden_chars(text: &str) -> bool {
    text.chars().any(is_forbidden_char)
}

/// Usernames are short, case-insensitive and plain: letters, digits, `.`, `-`, `_`.
/// Returns the canonical (trimmed, lower-case) form.
pub fn normalise_username(raw: &str) -> Result<String, InputError> {
    let u = raw.trim().to_lowercase();
    if u.is_empty() {
        return Err(InputError::Empty { field: "username" });
    }
    if u.chars().count() > USERNAME_MAX {
        return Err(InputError::TooLong { field: "username", max: USERNAME_MAX });
    }
    if !u.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Err(InputError::BadCharacters { field: "username" });
    }
    Ok(u)
}

/// A password offered at sign-in: present, and not absurdly long (hashing a huge input is a cheap attack).
pub fn check_password_input(pw: &str) -> Result<(), InputError> {
    if pw.is_empty() {
        return Err(InputError::Empty { field: "password" });
    }
    if pw.chars().count() > PASSWORD_MAX {
        return Err(InputError::TooLong { field: "password", max: PASSWORD_MAX });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_may_not_hold_controls_or_direction_overrides() {
        for bad in ["bell\u{7}", "nul\u{0}", "evil\u{202E}txt.exe", "isolate\u{2066}x\u{2069}", "esc\u{1b}[31m"] {
            assert!(has_forbidden_chars(bad), "{bad:?}");
        }
        for good in ["Line one\nline two\tindented", "Ŵyn a'r ddôl", "émigré — “quoted”", "بسم"] {
            assert!(!has_forbidden_chars(good), "{good:?}");
        }
    }

    #[test]
    fn usernames_are_trimmed_and_lower_cased() {
        assert_eq!(normalise_username("  Owen.Price ").unwrap(), "owen.price");
    }

    #[test]
    fn bad_usernames_get_a_clear_reason() {
        assert_eq!(normalise_username("  "), Err(InputError::Empty { field: "username" }));
        assert_eq!(normalise_username("a b"), Err(InputError::BadCharacters { field: "username" }));
        assert_eq!(normalise_username(&"x".repeat(65)), Err(InputError::TooLong { field: "username", max: 64 }));
        assert_eq!(
            normalise_username("a b").unwrap_err().to_string(),
            "username may contain only letters, digits, '.', '-' and '_'"
        );
    }

    #[test]
    fn passwords_must_be_present_and_bounded() {
        assert!(check_password_input("correct horse").is_ok());
        assert_eq!(check_password_input(""), Err(InputError::Empty { field: "password" }));
        assert!(check_password_input(&"p".repeat(257)).is_err());
    }
}
