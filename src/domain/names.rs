//! The sanitising rules Solaris applies to `first_name` and `last_name`: [`check`] answers the
//! first [`NameProblem`] found.
//!
//! The seeds say a name "must not be longer than 50 characters", "must not start with a
//! whitespace" and "must not include any symbols or emojis". Letters of any script count as
//! letters (accents included); space, hyphen, apostrophes and the period are the only other
//! characters allowed, since real names need them ("Jean-Luc", "O'Brien", "Jr.").
//!
//! [`check`]: crate::domain::names::check
//! [`NameProblem`]: crate::domain::names::NameProblem

/// The longest name Solaris accepts, counted in characters (Unicode scalar values).
pub const MAX_CHARS: usize = 50;

/// Why a name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Empty or only whitespace.
    Blank,
    /// More than [`MAX_CHARS`] characters.
    TooLong,
    /// Starts with a whitespace character.
    LeadingWhitespace,
    /// Holds a character that is neither a letter nor an allowed punctuation mark.
    Symbol(char),
}

impl NameProblem {
    /// The message in Rails style, as it follows the field name in an `invalid_model` detail
    /// (e.g. `last_name is too long (maximum is 50 characters)`).
    pub fn message(&self) -> String {
        match self {
            Self::Blank => "can't be blank".to_owned(),
            Self::TooLong => format!("is too long (maximum is {MAX_CHARS} characters)"),
            Self::LeadingWhitespace => "must not start with a whitespace".to_owned(),
            Self::Symbol(c) => format!("must not include symbols or emojis (found '{c}')"),
        }
    }
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Whether `c` is allowed inside a name.
///
/// Letters of any script (`char::is_alphabetic`), combining accents (for names typed in
/// decomposed form), the ASCII space, the hyphen, the apostrophes `'` and `’`, and the period.
pub fn is_allowed_char(c: char) -> bool {
    c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '-' | '\'' | '’' | '.')
}

/// The Unicode blocks of combining diacritical marks. Emoji joiners and variation selectors
/// are not among them, so they stay symbols.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Checks a `first_name` or `last_name`.
///
/// Order of the checks: blank, too long, leading whitespace, symbols; the first failing one
/// is reported. Length counts characters, not bytes: "Ōsaka" is 5.
pub fn check(value: &str) -> Result<(), NameProblem> {
    if value.trim().is_empty() {
        return Err(NameProblem::Blank);
    }
    if value.chars().count() > MAX_CHARS {
        return Err(NameProblem::TooLong);
    }
    if value.chars().next().is_some_and(char::is_whitespace) {
        return Err(NameProblem::LeadingWhitespace);
    }
    match value.chars().find(|&c| !is_allowed_char(c)) {
        Some(c) => Err(NameProblem::Symbol(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_follows_the_rule_table() {
        let fifty = "a".repeat(50);
        let fifty_one = "a".repeat(51);
        let fifty_umlauts = "ü".repeat(50);
        let rows: Vec<(&str, Result<(), NameProblem>)> = vec![
            ("Theresa", Ok(())),
            ("Klemm", Ok(())),
            ("Müller", Ok(())),
            ("Ōsaka", Ok(())),
            ("Zoë", Ok(())),
            ("Zoe\u{0308}", Ok(())),
            ("Jean-Luc", Ok(())),
            ("O'Brien", Ok(())),
            ("D’Angelo", Ok(())),
            ("Martin Luther King Jr.", Ok(())),
            ("María José", Ok(())),
            ("Ærøskøbing", Ok(())),
            ("Дмитрий", Ok(())),
            ("山田", Ok(())),
            ("Straße", Ok(())),
            (&fifty, Ok(())),
            (&fifty_umlauts, Ok(())),
            ("", Err(NameProblem::Blank)),
            ("   ", Err(NameProblem::Blank)),
            ("\t\n", Err(NameProblem::Blank)),
            (&fifty_one, Err(NameProblem::TooLong)),
            (" Theresa", Err(NameProblem::LeadingWhitespace)),
            ("\u{00A0}Theresa", Err(NameProblem::LeadingWhitespace)),
            ("Theresa2", Err(NameProblem::Symbol('2'))),
            ("Theresa 😀", Err(NameProblem::Symbol('😀'))),
            ("the@resa", Err(NameProblem::Symbol('@'))),
            ("#hashtag", Err(NameProblem::Symbol('#'))),
            ("Anna_Lena", Err(NameProblem::Symbol('_'))),
            ("Anna\tLena", Err(NameProblem::Symbol('\t'))),
            ("A\u{200D}B", Err(NameProblem::Symbol('\u{200D}'))),
        ];
        for (value, expected) in rows {
            assert_eq!(check(value), expected, "{value:?}");
        }
    }

    #[test]
    fn messages_read_like_rails() {
        let rows = [
            (NameProblem::Blank, "can't be blank"),
            (
                NameProblem::TooLong,
                "is too long (maximum is 50 characters)",
            ),
            (
                NameProblem::LeadingWhitespace,
                "must not start with a whitespace",
            ),
            (
                NameProblem::Symbol('😀'),
                "must not include symbols or emojis (found '😀')",
            ),
        ];
        for (problem, expected) in rows {
            assert_eq!(problem.message(), expected);
            assert_eq!(problem.to_string(), expected);
        }
    }

    proptest! {
        #[test]
        fn check_never_panics(s in any::<String>()) {
            let _ = check(&s);
        }

        #[test]
        fn plain_latin_names_pass(s in "[A-Z][a-z]{0,20}([ -][A-Z][a-z]{1,20})?") {
            prop_assert_eq!(check(&s), Ok(()));
        }
    }
}
