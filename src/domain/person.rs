//! Person data rules: the mandatory data points for German retail customers
//! ([`DE_MANDATORY`]), the fields `PATCH /v1/persons/{id}` may change ([`UPDATABLE`]), the
//! documented enums, and parsing of the consent timestamps ([`parse_utc_timestamp`]) and dates
//! ([`parse_date`]).
//!
//! [`DE_MANDATORY`]: crate::domain::person::DE_MANDATORY
//! [`UPDATABLE`]: crate::domain::person::UPDATABLE
//! [`parse_utc_timestamp`]: crate::domain::person::parse_utc_timestamp
//! [`parse_date`]: crate::domain::person::parse_date

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};

/// The mandatory data points for retail customers in Germany, as dotted paths, in the order of
/// the Digital Banking guide ("Mandatory data points for retail customers in Germany").
///
/// `salutation` is mandatory too but handled apart, in [`DE_NULLABLE_MANDATORY`]: the key must
/// be present and `null` means gender-neutral. The seeds disagree at the edges: the Decoupled
/// Cards guide also lists `tax_information.tax_assessment` (and `iban` for Bankident only),
/// while its Appendix II for Germany lists `work_country` and `tax_assessment` but neither
/// `data_terms_signed_at` nor `marital_status`. This list follows the Digital Banking guide.
pub const DE_MANDATORY: &[&str] = &[
    "first_name",
    "last_name",
    "address.line_1",
    "address.line_2",
    "address.postal_code",
    "address.city",
    "address.country",
    "mobile_number",
    "birth_date",
    "birth_city",
    "birth_country",
    "nationality",
    "employment_status",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "terms_conditions_signed_at",
    "data_terms_signed_at",
    "own_economic_interest_signed_at",
    "tax_information.marital_status",
];

/// Mandatory keys whose value may be `null`: `salutation` (`MR`, `MS`, or `null` for
/// gender-neutral).
pub const DE_NULLABLE_MANDATORY: &[&str] = &["salutation"];

/// The top-level fields `PATCH /v1/persons/{id}` may update, in the seeds' order. Any other
/// field "can only be updated via Customer Support". `address` and `contact_address` take the
/// keys in [`UPDATABLE_ADDRESS`], `tax_information` those in [`UPDATABLE_TAX_INFORMATION`].
pub const UPDATABLE: &[&str] = &[
    "title",
    "salutation",
    "address",
    "contact_address",
    "employment_status",
    "job_title",
    "email",
    "tax_information",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "business_purpose",
    "industry",
    "industry_key",
    "own_economic_interest_signed_at",
    "aml_confirmed_on",
    "expected_monthly_revenue_cents",
    "vat_number",
    "website_social_media",
    "business_trading_name",
    "nace_code",
    "business_address_line_1",
    "business_address_line_2",
    "business_postal_code",
    "business_city",
    "business_country",
    "annual_income_range",
    "data_terms_signed_at",
    "branch",
    "birth_province",
    "birth_post_code",
    "socioprofessional_category",
    "purpose_of_account_opening",
    "main_income_source",
    "work_country",
    "work_province",
    "self_declared_as_pep",
    "international_operativity_expectation",
    "registration_number",
];

/// The keys of `address` and `contact_address` that a PATCH may update.
pub const UPDATABLE_ADDRESS: &[&str] = &[
    "line_1",
    "line_2",
    "postal_code",
    "city",
    "state",
    "country",
];

/// The keys of `tax_information` that a PATCH may update.
pub const UPDATABLE_TAX_INFORMATION: &[&str] = &["tax_assessment", "marital_status"];

/// `employment_status` values for Germany (12).
pub const EMPLOYMENT_STATUS: &[&str] = &[
    "EMPLOYED",
    "UNEMPLOYED",
    "PUBLIC_SECTOR_EMPLOYEE",
    "PROFESSIONAL_SOLDIER",
    "FREELANCER",
    "HOUSEWORK",
    "APPRENTICE",
    "MANAGEMENT",
    "RETIRED",
    "STUDENT",
    "SELF_EMPLOYED",
    "MILITARY_OR_COMMUNITY_SERVICE",
];

/// `employment_status` values for France (Appendix II).
pub const EMPLOYMENT_STATUS_FR: &[&str] = &[
    "EMPLOYED",
    "SELF_EMPLOYED",
    "UNEMPLOYED",
    "RETIRED",
    "STUDENT",
];

/// `employment_status` values for Italy ("the only possible values for Italy", Appendix II).
pub const EMPLOYMENT_STATUS_IT: &[&str] = &[
    "EMPLOYED",
    "SELF_EMPLOYED",
    "STUDENT",
    "RETIRED",
    "UNEMPLOYED",
];

/// `salutation` values; `null` (gender-neutral) is allowed in Germany only.
pub const SALUTATIONS: &[&str] = &["MR", "MS"];

/// `tax_information.marital_status` values.
///
/// The seeds only ever show `MARRIED`; this list follows the Solaris API reference.
pub const MARITAL_STATUS: &[&str] = &[
    "SINGLE",
    "MARRIED",
    "DIVORCED",
    "WIDOWED",
    "SEPARATED",
    "REGISTERED_PARTNERSHIP",
    "UNKNOWN",
];

/// `tax_information.tax_assessment` values (single or shared account).
pub const TAX_ASSESSMENT: &[&str] = &["NONE", "SEPARATE", "JOINT"];

/// `annual_income_range` values (Appendix I).
pub const ANNUAL_INCOME_RANGE: &[&str] = &[
    "RANGE_1", "RANGE_2", "RANGE_3", "RANGE_4", "RANGE_5", "RANGE_6", "RANGE_7",
];

/// A consent timestamp, checked and normalised.
///
/// Accepts RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or
/// `+00:00`. Answers it as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form Solaris echoes (fractions
/// beyond milliseconds are cut). Any other offset, a space instead of `T`, or garbage gives
/// `None`.
pub fn parse_utc_timestamp(s: &str) -> Option<String> {
    let utc_suffix = s.ends_with('Z') || s.ends_with("+00:00");
    if !utc_suffix || s.as_bytes().get(10) != Some(&b'T') || !is_plain_date(s.get(..10)?) {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(s).ok()?;
    if parsed.offset().local_minus_utc() != 0 {
        return None;
    }
    Some(
        parsed
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

/// Whether `s` has the shape `YYYY-MM-DD` (digits and dashes only).
fn is_plain_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// A calendar date in the strict form `YYYY-MM-DD`; anything else, or a date that does not
/// exist, gives `None`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if !is_plain_date(s) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Age in whole years on `today` for someone born on `birth`; 0 if `today` is before `birth`.
///
/// Someone born on 29 February turns a year older on 1 March in common years.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    if today <= birth {
        return 0;
    }
    let years = today.year() - birth.year();
    let had_birthday = (today.month(), today.day()) >= (birth.month(), birth.day());
    let whole = if had_birthday { years } else { years - 1 };
    u32::try_from(whole).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn timestamps_follow_the_rule_table() {
        let rows = [
            ("2022-01-01T00:00:00Z", Some("2022-01-01T00:00:00.000Z")),
            ("2021-09-14T18:18:28.000Z", Some("2021-09-14T18:18:28.000Z")),
            (
                "2021-12-22T15:05:33.634+00:00",
                Some("2021-12-22T15:05:33.634Z"),
            ),
            (
                "2022-04-21T13:59:52+00:00",
                Some("2022-04-21T13:59:52.000Z"),
            ),
            ("2022-04-21T13:59:52.1Z", Some("2022-04-21T13:59:52.100Z")),
            (
                "2022-04-21T13:59:52.123456789Z",
                Some("2022-04-21T13:59:52.123Z"),
            ),
            ("2022-04-21T13:59:52+01:00", None),
            ("2022-04-21T13:59:52-00:00", None),
            ("2022-04-21T13:59:52", None),
            ("2022-04-21 13:59:52Z", None),
            ("2022-04-21t13:59:52Z", None),
            ("2022-04-21", None),
            ("2022-02-30T00:00:00Z", None),
            ("2022-04-21T25:00:00Z", None),
            ("+2022-04-21T13:59:52Z", None),
            ("yesterday", None),
            ("", None),
            ("Z", None),
            ("２022-04-21T13:59:52Z", None),
        ];
        for (input, expected) in rows {
            assert_eq!(parse_utc_timestamp(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn dates_follow_the_rule_table() {
        let rows = [
            ("1985-12-14", Some(date(1985, 12, 14))),
            ("2000-02-29", Some(date(2000, 2, 29))),
            ("1900-02-29", None),
            ("1985-13-01", None),
            ("1985-1-14", None),
            ("85-12-14", None),
            ("1985/12/14", None),
            ("1985-12-14T00:00:00Z", None),
            (" 1985-12-14", None),
            ("+1985-12-1", None),
            ("", None),
            ("1985-12-1٤", None),
        ];
        for (input, expected) in rows {
            assert_eq!(parse_date(input), expected, "{input:?}");
        }
    }

    #[test]
    fn age_follows_the_rule_table() {
        let rows = [
            (date(1985, 12, 14), date(2024, 12, 13), 38),
            (date(1985, 12, 14), date(2024, 12, 14), 39),
            (date(2006, 6, 1), date(2024, 5, 31), 17),
            (date(2006, 6, 1), date(2024, 6, 1), 18),
            (date(2004, 2, 29), date(2022, 2, 28), 17),
            (date(2004, 2, 29), date(2022, 3, 1), 18),
            (date(2004, 2, 29), date(2024, 2, 29), 20),
            (date(2024, 1, 1), date(2024, 1, 1), 0),
            (date(2025, 1, 1), date(2024, 1, 1), 0),
        ];
        for (birth, today, expected) in rows {
            assert_eq!(age_on(birth, today), expected, "{birth} on {today}");
        }
    }

    #[test]
    fn the_lists_have_the_documented_sizes() {
        assert_eq!(DE_MANDATORY.len(), 19);
        assert_eq!(UPDATABLE.len(), 38);
        assert_eq!(EMPLOYMENT_STATUS.len(), 12);
        assert!(!UPDATABLE.contains(&"terms_conditions_signed_at"));
        assert!(!UPDATABLE.contains(&"first_name"));
        for list in [DE_MANDATORY, UPDATABLE, EMPLOYMENT_STATUS, MARITAL_STATUS] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "no duplicates");
        }
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in any::<String>()) {
            let _ = parse_utc_timestamp(&s);
            let _ = parse_date(&s);
        }

        #[test]
        fn normalised_timestamps_parse_again(
            secs in 0i64..4_102_444_800, millis in 0u32..1000,
        ) {
            let input = format!(
                "{}Z",
                DateTime::from_timestamp(secs, millis * 1_000_000)
                    .unwrap_or_default()
                    .format("%Y-%m-%dT%H:%M:%S%.3f")
            );
            let normal = parse_utc_timestamp(&input);
            prop_assert_eq!(normal.as_deref(), Some(input.as_str()));
        }

        #[test]
        fn age_never_panics(a in -300_000i32..300_000, b in -300_000i32..300_000) {
            let birth = NaiveDate::from_num_days_from_ce_opt(a).unwrap_or_default();
            let today = NaiveDate::from_num_days_from_ce_opt(b).unwrap_or_default();
            let _ = age_on(birth, today);
        }
    }
}
