//! SEPA Direct Debit mandates of decoupled cards: the mandate number rule of the Decoupled
//! Cards guide (Step 9) in [`check_mandate_number`], and the creditor prefix it starts with.
//!
//! "The mandate_number must contain 35 characters, and the first 6 must be RCIAIR. The remaining
//! 29 may only contain the following: [A-Z], [a-z], [0-9]." The prefix is Solaris' and may
//! differ per partner setup, so the mock takes it from its configuration
//! ([`DEFAULT_CREDITOR_PREFIX`] unless told otherwise, see [`check_creditor_prefix`]).

use std::fmt;

/// The prefix the guide names.
pub const DEFAULT_CREDITOR_PREFIX: &str = "RCIAIR";
/// A mandate number is exactly this long.
pub const MANDATE_NUMBER_CHARS: usize = 35;

fn is_mandate_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Why a mandate number is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MandateProblem {
    /// Not exactly 35 characters.
    Length(usize),
    /// A character outside `[A-Za-z0-9]`.
    Charset(char),
    /// Does not start with the creditor prefix.
    Prefix(String),
}

impl fmt::Display for MandateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(n) => write!(
                f,
                "must be exactly {MANDATE_NUMBER_CHARS} characters long (it has {n})"
            ),
            Self::Charset(c) => write!(
                f,
                "may only contain the characters A-Z, a-z and 0-9 (found '{c}')"
            ),
            Self::Prefix(prefix) => write!(f, "must start with the creditor prefix {prefix}"),
        }
    }
}

/// Checks a mandate number against the rule of Step 9 with this creditor prefix.
pub fn check_mandate_number(number: &str, prefix: &str) -> Result<(), MandateProblem> {
    if let Some(c) = number.chars().find(|c| !is_mandate_char(*c)) {
        return Err(MandateProblem::Charset(c));
    }
    let length = number.chars().count();
    if length != MANDATE_NUMBER_CHARS {
        return Err(MandateProblem::Length(length));
    }
    if !number.starts_with(prefix) {
        return Err(MandateProblem::Prefix(prefix.to_string()));
    }
    Ok(())
}

/// A creditor prefix must leave room for a unique part: 1 to 34 characters of `[A-Za-z0-9]`.
pub fn check_creditor_prefix(prefix: &str) -> Result<(), String> {
    let length = prefix.chars().count();
    if !(1..MANDATE_NUMBER_CHARS).contains(&length) || !prefix.chars().all(is_mandate_char) {
        return Err(format!(
            "the creditor prefix {prefix:?} must be 1 to {} characters of A-Z, a-z and 0-9",
            MANDATE_NUMBER_CHARS - 1
        ));
    }
    Ok(())
}

/// A fresh mandate number for this prefix, from 32 hex characters of entropy (what a partner
/// generates before showing the mandate to the customer).
pub fn mandate_number(prefix: &str, entropy_hex: &str) -> String {
    let room = MANDATE_NUMBER_CHARS.saturating_sub(prefix.len());
    let mut tail: String = entropy_hex
        .chars()
        .filter(|c| is_mandate_char(*c))
        .take(room)
        .collect();
    while tail.len() < room {
        tail.push('0');
    }
    format!("{prefix}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mandate_numbers_follow_step_9() {
        let ok = "RCIAIR7D226d32882d11Eb8DcD0242Ae2F4";
        assert_eq!(ok.len(), 35);
        assert_eq!(check_mandate_number(ok, DEFAULT_CREDITOR_PREFIX), Ok(()));
        let rows: &[(&str, MandateProblem)] = &[
            // The guide's own example, without the prefix it requires.
            (
                "SAMPAY7D226d32882d11Eb8DcD0242Ae2F4",
                MandateProblem::Prefix("RCIAIR".into()),
            ),
            (
                "RCIAIR7D226d32882d11Eb8DcD0242Ae2F",
                MandateProblem::Length(34),
            ),
            (
                "RCIAIR7D226d32882d11Eb8DcD0242Ae2F45",
                MandateProblem::Length(36),
            ),
            (
                "RCIAIR7D226d32882d11Eb8DcD0242Ae2F-",
                MandateProblem::Charset('-'),
            ),
            (
                "RCIAIR7D226d32882d11Eb8DcD0242Ae2Fä",
                MandateProblem::Charset('ä'),
            ),
            (
                "rciair7D226d32882d11Eb8DcD0242Ae2F4",
                MandateProblem::Prefix("RCIAIR".into()),
            ),
        ];
        for (number, problem) in rows {
            assert_eq!(
                check_mandate_number(number, DEFAULT_CREDITOR_PREFIX).as_ref(),
                Err(problem),
                "{number}"
            );
        }
    }

    #[test]
    fn another_prefix_moves_the_rule_with_it() {
        let number = "SAMPAY7D226d32882d11Eb8DcD0242Ae2F4";
        assert_eq!(check_mandate_number(number, "SAMPAY"), Ok(()));
        assert!(check_creditor_prefix("SAMPAY").is_ok());
        assert!(check_creditor_prefix("").is_err());
        assert!(check_creditor_prefix("RCI-AIR").is_err());
        assert!(check_creditor_prefix(&"A".repeat(35)).is_err());
    }

    #[test]
    fn generated_numbers_pass_the_rule() {
        let hex = "0123456789abcdef0123456789abcdef";
        for prefix in ["RCIAIR", "X", "SAMPAY"] {
            let number = mandate_number(prefix, hex);
            assert_eq!(check_mandate_number(&number, prefix), Ok(()), "{number}");
        }
        assert_eq!(mandate_number("RCIAIR", "ab").len(), 35);
    }
}
