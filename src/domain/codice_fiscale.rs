//! The Italian codice fiscale, the Italian person TIN: [`is_valid`] checks its structure, the
//! birth day against the month, and the control character computed by [`control_character`].
//!
//! Tables 1 to 5 of Appendix III of the Decoupled Cards guide are encoded below. The guide's
//! own example `RSSMRA99D20F205R` passes. The sandbox test value `SSSNNN31B28X000C` does
//! **not**: its first 15 characters give the control character `M`, not `C`; the TIN rules
//! accept it only through [`crate::domain::tin::SANDBOX_TEST_VALUES`].
//!
//! [`is_valid`]: crate::domain::codice_fiscale::is_valid
//! [`control_character`]: crate::domain::codice_fiscale::control_character

/// Table 4: the month letters, January to December.
pub const MONTH_LETTERS: &str = "ABCDEHLMPRST";

/// Table 5: the omocodia letters that replace the digits 0 to 9 when two persons would share a
/// code.
pub const OMOCODIA_LETTERS: &str = "LMNPQRSTUV";

/// Table 2: values of the characters at odd positions (1-based), for `0`..=`9` then `A`..=`Z`.
const ODD_DIGITS: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
const ODD_LETTERS: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// The 1-based positions that hold digits, which omocodia may replace by letters.
const NUMERIC_POSITIONS: [usize; 7] = [7, 8, 10, 11, 13, 14, 15];

/// Table 1 (even positions): `0`..=`9` are worth 0..=9 and `A`..=`Z` 0..=25.
fn even_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        _ => None,
    }
}

/// Table 2 (odd positions).
fn odd_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => ODD_DIGITS.get(usize::from(c - b'0')).copied(),
        b'A'..=b'Z' => ODD_LETTERS.get(usize::from(c - b'A')).copied(),
        _ => None,
    }
}

/// The control character (position 16) for the first 15 characters of a codice fiscale.
///
/// Lowercase letters are uppercased. Returns `None` unless `first15` is exactly 15 ASCII
/// letters or digits; it does not check the structure of the code (see [`is_valid`]).
pub fn control_character(first15: &str) -> Option<char> {
    if first15.len() != 15 {
        return None;
    }
    let mut sum = 0;
    for (index, byte) in first15.bytes().enumerate() {
        let c = byte.to_ascii_uppercase();
        // Position 1 (index 0) is odd.
        sum += if index % 2 == 0 {
            odd_value(c)?
        } else {
            even_value(c)?
        };
    }
    // Table 3: the remainder 0..=25 is the letter A..=Z.
    let rem = u8::try_from(sum % 26).ok()?;
    Some(char::from(b'A' + rem))
}

/// The digit a character stands for in a numeric position: itself, or its omocodia letter.
fn numeric_value(c: u8) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(u32::from(c - b'0'));
    }
    let index = OMOCODIA_LETTERS.bytes().position(|l| l == c)?;
    u32::try_from(index).ok()
}

/// The month (1..=12) a Table 4 letter stands for.
fn month(c: u8) -> Option<u32> {
    let index = MONTH_LETTERS.bytes().position(|l| l == c)?;
    u32::try_from(index + 1).ok()
}

/// Whether `code` is a valid codice fiscale.
///
/// Rules: 16 ASCII characters (lowercase is uppercased); positions 1-6 letters; 7-8 the birth
/// year as digits or omocodia letters; 9 a month letter from `ABCDEHLMPRST`; 10-11 the day,
/// 01-31 for men or 41-71 for women, as digits or omocodia letters; 12 a letter; 13-15 digits
/// or omocodia letters; 16 the control character. The day must exist in the month; 29 February
/// is allowed because the two-digit year cannot tell a leap year.
pub fn is_valid(code: &str) -> bool {
    if code.len() != 16 || !code.is_ascii() {
        return false;
    }
    let upper = code.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let at = |position: usize| position.checked_sub(1).and_then(|i| bytes.get(i)).copied();

    let letters_ok = [1, 2, 3, 4, 5, 6, 12]
        .iter()
        .all(|&p| at(p).is_some_and(|c| c.is_ascii_uppercase()));
    let numerics_ok = NUMERIC_POSITIONS
        .iter()
        .all(|&p| at(p).and_then(numeric_value).is_some());
    if !letters_ok || !numerics_ok {
        return false;
    }
    let Some(month) = at(9).and_then(month) else {
        return false;
    };
    let (Some(tens), Some(units)) = (
        at(10).and_then(numeric_value),
        at(11).and_then(numeric_value),
    ) else {
        return false;
    };
    if !day_fits_month(tens * 10 + units, month) {
        return false;
    }
    let control = upper
        .get(..15)
        .and_then(control_character)
        .and_then(|c| u8::try_from(c).ok());
    control.is_some() && control == at(16)
}

/// Whether the encoded day (1-31 for men, 41-71 for women) exists in `month`.
fn day_fits_month(encoded: u32, month: u32) -> bool {
    let day = match encoded {
        1..=31 => encoded,
        41..=71 => encoded - 40,
        _ => return false,
    };
    let last = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= last
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn is_valid_follows_the_rule_table() {
        let rows: &[(&str, bool, &str)] = &[
            ("RSSMRA99D20F205R", true, "the example of Appendix III"),
            (
                "RSSMRA99D60F205V",
                true,
                "the same person, female: day 20 + 40",
            ),
            (
                "RSSMRA99D20F20RM",
                true,
                "omocodia: position 15 digit 5 written as R",
            ),
            (
                "RSSMRA99D20F2LRX",
                true,
                "omocodia: positions 14 and 15 replaced",
            ),
            ("BNCGLI80A41H501C", true, "female, 1 January"),
            ("VRDLCU85M30L219Y", true, "male, 30 August"),
            ("RSSMRA99B29F205E", true, "29 February is allowed"),
            ("rssmra99d20f205r", true, "lowercase is uppercased"),
            ("RSSMRA99D20F205S", false, "wrong control character"),
            ("RSSMRA99F20F205R", false, "F is not a month letter"),
            ("RSSMRA99D32F205R", false, "day 32"),
            ("RSSMRA99D00F205R", false, "day 0"),
            ("RSSMRA99D72F205R", false, "female day 72"),
            ("RSSMRA99B30F205R", false, "30 February"),
            ("RSSMRA99D31F205R", false, "31 April"),
            ("RSSMRA99D71F205R", false, "female 31 April"),
            ("RSSMRA99D20F205", false, "15 characters"),
            ("RSSMRA99D20F205RR", false, "17 characters"),
            ("", false, "empty"),
            ("RSSMRÀ99D20F205R", false, "non-ASCII letter"),
            ("RSSMRA9ÄD20F205", false, "non-ASCII, 16 bytes"),
            ("RSSMR199D20F205R", false, "digit in the surname part"),
            ("RSSMRA9AD20F205R", false, "A is not an omocodia letter"),
            ("RSSMRA99D20120SR", false, "digit at position 12"),
            (
                "SSSNNN31B28X000C",
                false,
                "the sandbox test value fails its control character",
            ),
        ];
        for (code, expected, why) in rows {
            assert_eq!(is_valid(code), *expected, "{code}: {why}");
        }
    }

    #[test]
    fn control_character_of_the_seed_example() {
        // R S S M R A 9 9 D 2 0 F 2 0 5, positions 1..=15.
        // Odd positions 1,3,…,15 = R,S,R,9,D,0,2,5 (Table 2): 8+12+8+21+7+1+5+13 = 75.
        // Even positions 2,4,…,14 = S,M,A,9,2,F,0 (Table 1): 18+12+0+9+2+5+0 = 46.
        // 75 + 46 = 121; 121 % 26 = 17 -> R (Table 3), the printed control character.
        assert_eq!(control_character("RSSMRA99D20F205"), Some('R'));
        // The sandbox value: odd S,S,N,3,B,8,0,0 -> 12+12+20+7+0+19+1+1 = 72;
        // even S,N,N,1,2,X,0 -> 18+13+13+1+2+23+0 = 70; 142 % 26 = 12 -> M, not C.
        assert_eq!(control_character("SSSNNN31B28X000"), Some('M'));
        assert_eq!(control_character("rssmra99d20f205"), Some('R'));
        assert_eq!(control_character("RSSMRA99D20F20"), None);
        assert_eq!(control_character("RSSMRA99D20F20-"), None);
        assert_eq!(control_character("RSSMRA99D20F2é"), None);
    }

    proptest! {
        #[test]
        fn is_valid_never_panics(s in any::<String>()) {
            let _ = is_valid(&s);
            let _ = control_character(&s);
        }

        #[test]
        fn a_computed_control_character_is_accepted(
            surname in "[A-Z]{6}", year in 0u32..100, month in 0usize..12, day in 1u32..29,
            female in any::<bool>(), place in "[A-Z][0-9]{3}",
        ) {
            let month_letter = MONTH_LETTERS.chars().nth(month).unwrap_or('A');
            let day = if female { day + 40 } else { day };
            let first15 = format!("{surname}{year:02}{month_letter}{day:02}{place}");
            let control = control_character(&first15);
            prop_assert!(control.is_some());
            let code = format!("{first15}{}", control.unwrap_or('?'));
            prop_assert!(is_valid(&code), "{}", code);
        }
    }
}
