//! Mobile number rules: [`sanitize`] removes what Solaris removes, [`is_e164`] checks the
//! format, and [`is_us`] spots the +1 country calling code that FATCA treats as a soft
//! indicium. The sandbox's static number and OTP are [`SANDBOX_NUMBER`] and [`SANDBOX_OTP`].
//!
//! [`sanitize`]: crate::domain::mobile::sanitize
//! [`is_e164`]: crate::domain::mobile::is_e164
//! [`is_us`]: crate::domain::mobile::is_us
//! [`SANDBOX_NUMBER`]: crate::domain::mobile::SANDBOX_NUMBER
//! [`SANDBOX_OTP`]: crate::domain::mobile::SANDBOX_OTP

/// The static sandbox mobile number of the seeds. It has the country calling code +1, so it
/// is also a soft FATCA indicium (see [`crate::domain::fatca`]).
pub const SANDBOX_NUMBER: &str = "+15550101";

/// The static sandbox SMS OTP of the seeds.
pub const SANDBOX_OTP: &str = "212212";

/// The number as Solaris stores it: spaces, dashes, underscores and slashes removed, nothing
/// else changed (the documented sanitising). Only the ASCII space counts as a space here.
pub fn sanitize(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '/'))
        .collect()
}

/// Whether `number` is in E.164 form: `+`, then 7 to 15 ASCII digits, the first not 0.
///
/// E.164 allows up to 15 digits; the lower bound of 7 admits the sandbox number `+15550101`.
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Whether `number` has the country calling code +1 (the North American Numbering Plan,
/// which the seed calls "US mobile numbers").
///
/// The number is sanitised first, and the international prefix `00` counts as `+`, so that
/// a FATCA screen does not miss `+1 555 0101` or `001 555 0101`. Canadian and Caribbean
/// numbers share +1 and are flagged too, as the seed's rule does.
pub fn is_us(number: &str) -> bool {
    let clean = sanitize(number.trim());
    let rest = clean.strip_prefix('+').or_else(|| clean.strip_prefix("00"));
    rest.is_some_and(|digits| {
        digits.starts_with('1') && digits.len() > 1 && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sanitize_removes_only_the_documented_characters() {
        let rows = [
            ("+49 30 1234567", "+49301234567"),
            ("+49-30-1234567", "+49301234567"),
            ("+49_30/1234567", "+49301234567"),
            ("+49 (30) 1234567", "+49(30)1234567"),
            ("+49.30.1234567", "+49.30.1234567"),
            ("\t+4930", "\t+4930"),
            ("", ""),
        ];
        for (raw, expected) in rows {
            assert_eq!(sanitize(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn is_e164_follows_the_rule_table() {
        let rows = [
            (SANDBOX_NUMBER, true),
            ("+49301234567", true),
            ("+1234567", true),
            ("+123456789012345", true),
            ("+123456", false),
            ("+1234567890123456", false),
            ("+0301234567", false),
            ("49301234567", false),
            ("+49 301234567", false),
            ("+4930123456a", false),
            ("+", false),
            ("", false),
            ("+４９301234567", false),
        ];
        for (number, expected) in rows {
            assert_eq!(is_e164(number), expected, "{number:?}");
        }
    }

    #[test]
    fn is_us_follows_the_rule_table() {
        let rows = [
            (SANDBOX_NUMBER, true),
            ("+1 555 0101", true),
            ("001-555-0101", true),
            ("+12025550143", true),
            ("+49301234567", false),
            ("+41791234567", false),
            ("1555010", false),
            ("+1", false),
            ("", false),
            ("+1abc", false),
        ];
        for (number, expected) in rows {
            assert_eq!(is_us(number), expected, "{number:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let clean = sanitize(&s);
            prop_assert!(!clean.contains([' ', '-', '_', '/']));
            let _ = is_e164(&s);
            let _ = is_us(&s);
        }
    }
}
