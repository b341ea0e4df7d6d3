//! Card rules: the embossing lines (`line_1`, `line_2`) checked by [`check_line`] and built by
//! [`transliterate`] and [`name_line`], the sandbox's instant-activation marker, and the
//! [`CardStatus`] values.
//!
//! [`check_line`]: crate::domain::card::check_line
//! [`transliterate`]: crate::domain::card::transliterate
//! [`name_line`]: crate::domain::card::name_line
//! [`CardStatus`]: crate::domain::card::CardStatus

use std::fmt;

/// On Sandbox, a `line_1` containing this string makes the card activatable at once.
pub const INSTANT_ACTIVATION_MARKER: &str = "WITHSTATICTOKEN";

/// Activation is blocked for this many hours after the card is created.
pub const ACTIVATION_DELAY_HOURS: i64 = 24;

/// The longest embossing line, in characters.
pub const MAX_LINE_CHARS: usize = 21;

/// Whether a card with this `line_1` may be activated at once (Sandbox only).
pub fn instant_activation(line_1: &str) -> bool {
    line_1.contains(INSTANT_ACTIVATION_MARKER)
}

/// Why an embossing line is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardLineProblem {
    /// More than [`MAX_LINE_CHARS`] characters (not counting the sandbox marker).
    TooLong,
    /// A character outside `A-Z 0-9 space - / .`.
    Charset(char),
    /// Empty or only spaces.
    Blank,
}

impl CardLineProblem {
    /// The message, to follow the field name in an `invalid_model` detail.
    pub fn message(&self) -> String {
        match self {
            Self::TooLong => format!("is too long (maximum is {MAX_LINE_CHARS} characters)"),
            Self::Charset(c) => format!(
                "must only contain the characters A-Z, 0-9, space, '-', '/' and '.' (found '{c}')"
            ),
            Self::Blank => "can't be blank".to_owned(),
        }
    }
}

impl fmt::Display for CardLineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Whether `c` may appear on a card line: `A-Z 0-9 space - / .`.
pub fn is_line_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '-' | '/' | '.')
}

/// The line as it will be embossed: without the first sandbox marker and one space next to it
/// (the one after it, or else the one before it).
fn without_marker(line: &str) -> String {
    let Some(start) = line.find(INSTANT_ACTIVATION_MARKER) else {
        return line.to_owned();
    };
    let end = start + INSTANT_ACTIVATION_MARKER.len();
    let (before, after) = (
        line.get(..start).unwrap_or_default(),
        line.get(end..).unwrap_or_default(),
    );
    let (before, after) = match after.strip_prefix(' ') {
        Some(after) => (before, after),
        None => (before.strip_suffix(' ').unwrap_or(before), after),
    };
    format!("{before}{after}")
}

/// Checks a `line_1` or `line_2`.
///
/// Rules: not blank; only `A-Z 0-9 space - / .`; at most 21 characters. The length is counted
/// after removing the sandbox marker `WITHSTATICTOKEN` and one adjacent space, because the
/// documented sandbox example `MICHAEL WITHSTATICTOKEN/MUSTERMANN` (34 characters) itself
/// exceeds 21 characters; without the marker it is `MICHAEL/MUSTERMANN` (18). Checked in the
/// order blank, charset, length.
pub fn check_line(line: &str) -> Result<(), CardLineProblem> {
    if line.trim_matches(' ').is_empty() {
        return Err(CardLineProblem::Blank);
    }
    if let Some(c) = line.chars().find(|&c| !is_line_char(c)) {
        return Err(CardLineProblem::Charset(c));
    }
    if without_marker(line).chars().count() > MAX_LINE_CHARS {
        return Err(CardLineProblem::TooLong);
    }
    Ok(())
}

/// The uppercase, card-safe spelling of a letter that has no place in `A-Z`, if known.
fn spelled(c: char) -> Option<&'static str> {
    let s = match c {
        'Ä' | 'Æ' => "AE",
        'Å' => "AA",
        'Ö' | 'Ø' | 'Œ' => "OE",
        'Ü' => "UE",
        'ß' | 'ẞ' => "SS",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ā' | 'Ă' | 'Ą' => "A",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'Ď' | 'Đ' | 'Ð' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'Ĥ' | 'Ħ' => "H",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'Ĵ' => "J",
        'Ķ' => "K",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "S",
        'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
        'Þ' => "TH",
        'Ù' | 'Ú' | 'Û' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'Ŵ' => "W",
        'Ý' | 'Ÿ' | 'Ŷ' => "Y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    };
    Some(s)
}

/// A person's name in card-line form: uppercased, with accents transliterated (Ä→AE, Ö→OE,
/// Ü→UE, ß→SS, É→E, Ñ→N, …). Letters the seed does not name follow the machine-readable
/// passport convention (ICAO 9303): Å→AA, Ø→OE, Æ→AE, Þ→TH.
///
/// Whitespace runs become one space and the ends are trimmed. Characters that cannot be put on
/// a card and have no transliteration (apostrophes, combining accents, other scripts, emoji)
/// are dropped, so the result passes the charset rule of [`check_line`] but may still be too
/// long.
pub fn transliterate(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        for u in c.to_uppercase() {
            if is_line_char(u) {
                out.push(u);
            } else if let Some(s) = spelled(u) {
                out.push_str(s);
            }
        }
    }
    let trimmed_len = out.trim_end_matches(' ').len();
    out.truncate(trimmed_len);
    out
}

/// The documented form of a name line: `FIRST/LAST`, both parts transliterated. The result
/// is not shortened; check it with [`check_line`].
pub fn name_line(first_name: &str, last_name: &str) -> String {
    format!("{}/{}", transliterate(first_name), transliterate(last_name))
}

/// The status of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardStatus {
    /// Active and usable.
    Active,
    /// Solaris blocked the activation.
    ActivationBlockedBySolaris,
    /// Blocked by the customer; can be unblocked.
    Blocked,
    /// Blocked by Solaris.
    BlockedBySolaris,
    /// Closed.
    Closed,
    /// Closed by Solaris.
    ClosedBySolaris,
    /// Reported as counterfeit.
    CounterfeitCard,
    /// Closed for fraud.
    Fraud,
    /// Issued but not activated yet.
    Inactive,
    /// Reported lost.
    Lost,
    /// Reported as never received.
    NeverReceived,
    /// Being produced.
    Processing,
    /// Reported stolen.
    Stolen,
}

impl CardStatus {
    /// Every value, in the API reference's (alphabetical) order.
    pub const ALL: [Self; 13] = [
        Self::Active,
        Self::ActivationBlockedBySolaris,
        Self::Blocked,
        Self::BlockedBySolaris,
        Self::Closed,
        Self::ClosedBySolaris,
        Self::CounterfeitCard,
        Self::Fraud,
        Self::Inactive,
        Self::Lost,
        Self::NeverReceived,
        Self::Processing,
        Self::Stolen,
    ];

    /// The API value, e.g. `ACTIVATION_BLOCKED_BY_SOLARIS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::ActivationBlockedBySolaris => "ACTIVATION_BLOCKED_BY_SOLARIS",
            Self::Blocked => "BLOCKED",
            Self::BlockedBySolaris => "BLOCKED_BY_SOLARIS",
            Self::Closed => "CLOSED",
            Self::ClosedBySolaris => "CLOSED_BY_SOLARIS",
            Self::CounterfeitCard => "COUNTERFEIT_CARD",
            Self::Fraud => "FRAUD",
            Self::Inactive => "INACTIVE",
            Self::Lost => "LOST",
            Self::NeverReceived => "NEVER_RECEIVED",
            Self::Processing => "PROCESSING",
            Self::Stolen => "STOLEN",
        }
    }

    /// The status for an API value (exact, uppercase match).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

impl fmt::Display for CardStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_line_follows_the_rule_table() {
        let rows = [
            ("MICHAEL WITHSTATICTOKEN/MUSTERMANN", Ok(())),
            ("MICHAEL/MUSTERMANN", Ok(())),
            ("TEST COMPANY GMBH", Ok(())),
            ("THERESA/KLEMM-MUELLER", Ok(())),
            ("ST. JOHN/O 2", Ok(())),
            ("ABCDEFGHIJKLMNOPQRSTU", Ok(())),
            ("WITHSTATICTOKEN ABCDEFGHIJKLMNOPQRSTU", Ok(())),
            ("ABCDEFGHIJKLMNOPQRSTU WITHSTATICTOKEN", Ok(())),
            ("ABCDEFGHIJKLMNOPQRSTUV", Err(CardLineProblem::TooLong)),
            (
                "MICHAEL WITHSTATICTOKEN/MUSTERMANNSTRASSE",
                Err(CardLineProblem::TooLong),
            ),
            ("WITHSTATICTOKEN WITHSTATICTOKEN", Ok(())),
            ("WITHSTATICTOKENWITHSTATICTOKEN", Ok(())),
            ("Michael/Mustermann", Err(CardLineProblem::Charset('i'))),
            ("MÜLLER", Err(CardLineProblem::Charset('Ü'))),
            ("O'BRIEN", Err(CardLineProblem::Charset('\''))),
            ("A_B", Err(CardLineProblem::Charset('_'))),
            ("", Err(CardLineProblem::Blank)),
            ("   ", Err(CardLineProblem::Blank)),
        ];
        for (line, expected) in rows {
            assert_eq!(check_line(line), expected, "{line:?}");
        }
    }

    #[test]
    fn instant_activation_needs_the_marker() {
        let rows = [
            ("MICHAEL WITHSTATICTOKEN/MUSTERMANN", true),
            ("WITHSTATICTOKEN", true),
            ("MICHAEL/MUSTERMANN", false),
            ("withstatictoken", false),
            ("", false),
        ];
        for (line, expected) in rows {
            assert_eq!(instant_activation(line), expected, "{line:?}");
        }
    }

    #[test]
    fn transliterate_follows_the_rule_table() {
        let rows = [
            ("Müller", "MUELLER"),
            ("Öztürk", "OEZTUERK"),
            ("Straße", "STRASSE"),
            ("Ärger", "AERGER"),
            ("José", "JOSE"),
            ("Éloïse", "ELOISE"),
            ("Peña", "PENA"),
            ("Łukasz Żółć", "LUKASZ ZOLC"),
            ("O'Brien", "OBRIEN"),
            ("Jean-Luc", "JEAN-LUC"),
            ("  Anna   Lena  ", "ANNA LENA"),
            ("Zoe\u{0308}", "ZOE"),
            ("Ærø", "AEROE"),
            ("Ångström", "AANGSTROEM"),
            ("山田", ""),
            ("", ""),
        ];
        for (name, expected) in rows {
            assert_eq!(transliterate(name), expected, "{name:?}");
        }
        assert_eq!(name_line("Theresa", "Klemm"), "THERESA/KLEMM");
        assert_eq!(name_line("Jürgen", "Groß"), "JUERGEN/GROSS");
    }

    #[test]
    fn card_statuses_round_trip() {
        for status in CardStatus::ALL {
            assert_eq!(CardStatus::parse(status.as_str()), Some(status));
            assert_eq!(status.to_string(), status.as_str());
        }
        assert_eq!(CardStatus::parse("active"), None);
        assert_eq!(CardStatus::parse(""), None);
    }

    #[test]
    fn messages() {
        assert_eq!(
            CardLineProblem::TooLong.message(),
            "is too long (maximum is 21 characters)"
        );
        assert_eq!(CardLineProblem::Blank.to_string(), "can't be blank");
        assert_eq!(
            CardLineProblem::Charset('Ü').message(),
            "must only contain the characters A-Z, 0-9, space, '-', '/' and '.' (found 'Ü')"
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = check_line(&s);
            let _ = instant_activation(&s);
            let line = transliterate(&s);
            prop_assert!(line.chars().all(is_line_char), "{:?}", line);
        }
    }
}
