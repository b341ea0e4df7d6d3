//! IBAN rules: [`is_valid`] checks an IBAN the way ISO 13616 does (country, length, mod-97),
//! and [`german`] builds a valid German IBAN for the mock's generated accounts.
//!
//! Only the electronic form is accepted: uppercase letters and digits, no spaces.
//!
//! [`is_valid`]: crate::domain::iban::is_valid
//! [`german`]: crate::domain::iban::german

/// The IBAN length for a country code, where this module knows it; `None` means "any length
/// from 15 to 34", the bounds ISO 13616 allows.
pub fn country_length(country: &str) -> Option<usize> {
    match country {
        "DE" => Some(22),
        "FR" | "IT" => Some(27),
        "ES" => Some(24),
        _ => None,
    }
}

/// Whether `iban` is a well-formed IBAN whose check digits are right.
///
/// Rules: uppercase ASCII letters and digits only (no spaces); a 2-letter country code; 2 check
/// digits; length 22 for DE, 27 for FR and IT, 24 for ES, otherwise 15 to 34; and the ISO 13616
/// mod-97 remainder of the rearranged number equals 1.
pub fn is_valid(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !bytes
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let (Some(country), Some(check)) = (iban.get(..2), iban.get(2..4)) else {
        return false;
    };
    if !country.bytes().all(|b| b.is_ascii_uppercase())
        || !check.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let length_ok = match country_length(country) {
        Some(len) => bytes.len() == len,
        None => (15..=34).contains(&bytes.len()),
    };
    length_ok && mod97(bytes.iter().skip(4).chain(bytes.iter().take(4))) == Some(1)
}

/// ISO 7064 MOD 97-10 over alphanumeric characters (A=10 … Z=35); `None` on any other byte.
fn mod97<'a>(bytes: impl Iterator<Item = &'a u8>) -> Option<u32> {
    let mut rem: u32 = 0;
    for &b in bytes {
        rem = match b {
            b'0'..=b'9' => (rem * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(rem)
}

/// The two check digits for `country` and `bban`, or `None` if either holds anything but
/// uppercase ASCII letters and digits or the country is not two letters.
pub fn check_digits(country: &str, bban: &str) -> Option<String> {
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let tail = [country.as_bytes(), b"00"].concat();
    let rem = mod97(bban.as_bytes().iter().chain(tail.iter()))?;
    Some(format!("{:02}", 98 - rem))
}

/// A valid German IBAN for a bank code (Bankleitzahl) and an account number.
///
/// The bank code is zero-padded to 8 digits and the account number to 10. Values too large for
/// those widths keep only their low-order 8 (or 10) digits, so the function is total.
pub fn german(bank_code: u32, account_number: u64) -> String {
    let bban = format!(
        "{:08}{:010}",
        bank_code % 100_000_000,
        account_number % 10_000_000_000
    );
    // The BBAN is all digits, so `check_digits` cannot refuse it; "00" keeps the function total.
    let check = check_digits("DE", &bban).unwrap_or_else(|| "00".to_owned());
    format!("DE{check}{bban}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn is_valid_follows_the_rule_table() {
        let rows: &[(&str, bool)] = &[
            // The IBANs printed in the two seed guides; each passes mod-97.
            ("DE43110101005555555555", true),
            ("DE32110101001000000029", true),
            ("DE92370601930002130041", true),
            ("DE89500105177323343587", true),
            ("DE54110101002897397718", true),
            // Well-known examples of other countries.
            ("FR1420041010050500013M02606", true),
            ("IT60X0542811101000000123456", true),
            ("ES9121000418450200051332", true),
            ("GB82WEST12345698765432", true),
            ("NO9386011117947", true),
            // One digit changed, two digits swapped, wrong check digits.
            ("DE43110101005555555556", false),
            ("DE34110101005555555555", false),
            ("DE00110101005555555555", false),
            // Wrong length for the country.
            ("DE4311010100555555555", false),
            ("DE431101010055555555550", false),
            ("ES91210004184502000513", false),
            // Form: spaces, lowercase, missing country, letters as check digits, empty.
            ("DE43 1101 0100 5555 5555 55", false),
            ("de43110101005555555555", false),
            ("4311010100555555555555", false),
            ("DEXX110101005555555555", false),
            ("", false),
            ("D", false),
            ("DE4", false),
            ("DE43ÄÖ0101005555555555", false),
            // Other countries: length outside 15..=34.
            ("NO93860111179", false),
        ];
        for (iban, expected) in rows {
            assert_eq!(is_valid(iban), *expected, "{iban}");
        }
    }

    #[test]
    fn german_builds_the_seed_ibans() {
        let rows: &[(u32, u64, &str)] = &[
            (11010100, 5555555555, "DE43110101005555555555"),
            (11010100, 1000000029, "DE32110101001000000029"),
            (37060193, 2130041, "DE92370601930002130041"),
            (50010517, 7323343587, "DE89500105177323343587"),
            (0, 0, "DE36000000000000000000"),
        ];
        for (blz, account, expected) in rows {
            assert_eq!(german(*blz, *account), *expected);
        }
    }

    #[test]
    fn check_digits_refuses_bad_input() {
        assert_eq!(check_digits("de", "123"), None);
        assert_eq!(check_digits("DEU", "123"), None);
        assert_eq!(check_digits("DE", "12 3"), None);
        assert_eq!(
            check_digits("DE", "110101005555555555").as_deref(),
            Some("43")
        );
    }

    proptest! {
        #[test]
        fn german_is_always_valid(blz in any::<u32>(), account in any::<u64>()) {
            let iban = german(blz, account);
            prop_assert_eq!(iban.len(), 22);
            prop_assert!(is_valid(&iban), "{}", iban);
        }

        #[test]
        fn is_valid_never_panics(s in any::<String>()) {
            let _ = is_valid(&s);
        }
    }
}
