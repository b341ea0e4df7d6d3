//! The seed's "Onboarding readiness checklist": [`checklist`] turns what is known about a person
//! into seven [`Check`]s, each green, yellow or red. "Any yellow or red status will block
//! onboarding"; [`first_blocking`] names the first such check and [`rejection_detail`] the
//! error detail an account opening request would carry.
//!
//! [`checklist`]: crate::domain::readiness::checklist
//! [`Check`]: crate::domain::readiness::Check
//! [`first_blocking`]: crate::domain::readiness::first_blocking
//! [`rejection_detail`]: crate::domain::readiness::rejection_detail

use crate::domain::due_diligence::{
    CddStatus, CustomerVettingStatus, RiskClassificationStatus, ScreeningProgress,
};
use crate::domain::fatca::FatcaVerdict;
use crate::domain::identification::IdentificationStatus;

/// The colour of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    /// The condition holds.
    Green,
    /// Not yet: something is pending or needs the customer's action.
    Yellow,
    /// The condition fails or the data is missing.
    Red,
}

impl CheckState {
    /// `green`, `yellow` or `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }
}

impl std::fmt::Display for CheckState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the checklist needs to know about a person.
#[derive(Debug, Clone, Copy)]
pub struct ReadinessInput<'a> {
    /// The status of the person's latest identification; `None` if there is none.
    pub identification: Option<IdentificationStatus>,
    /// Whether the mobile number is verified; `None` if the person has no mobile number.
    pub mobile_number_verified: Option<bool>,
    /// Whether a primary tax identification exists.
    pub has_primary_tax_identification: bool,
    /// Whether the tax identification may follow later: in the DE branch it may be provided
    /// within 90 days of account opening.
    pub tax_identification_may_follow: bool,
    /// The FATCA screen of the person.
    pub fatca: &'a FatcaVerdict,
    /// Whether the customer resolved soft FATCA indicia (non-US number and physical address).
    pub fatca_soft_resolved: bool,
    /// `person.screening_progress` as the API gave it.
    pub screening_progress: Option<&'a str>,
    /// `person.risk_classification_status` as the API gave it.
    pub risk_classification_status: Option<&'a str>,
    /// `person.customer_vetting_status` as the API gave it.
    pub customer_vetting_status: Option<&'a str>,
}

/// One row of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The seed's name of the check, e.g. "Customer vetting".
    pub name: &'static str,
    /// A stable code, e.g. `green_person_vetting` (the code Solaris uses for that rejection).
    pub code: &'static str,
    /// The colour.
    pub state: CheckState,
    /// Why, in a short plain sentence naming the actual value.
    pub reason: String,
}

impl Check {
    fn new(name: &'static str, code: &'static str, state: CheckState, reason: String) -> Self {
        Self {
            name,
            code,
            state,
            reason,
        }
    }
}

/// The seven checks, in the seed's order: KYC identification, mobile number, tax
/// identification, FATCA screening, customer screening, risk classification, customer vetting.
pub fn checklist(input: &ReadinessInput) -> Vec<Check> {
    vec![
        identification_check(input.identification),
        mobile_check(input.mobile_number_verified),
        tax_check(
            input.has_primary_tax_identification,
            input.tax_identification_may_follow,
        ),
        fatca_check(input.fatca, input.fatca_soft_resolved),
        cdd_check::<ScreeningProgress>(
            "Customer screening",
            "green_person_screening",
            input.screening_progress,
        ),
        cdd_check::<RiskClassificationStatus>(
            "Risk classification",
            "green_risk_classification",
            input.risk_classification_status,
        ),
        cdd_check::<CustomerVettingStatus>(
            "Customer vetting",
            "green_person_vetting",
            input.customer_vetting_status,
        ),
    ]
}

fn identification_check(status: Option<IdentificationStatus>) -> Check {
    use IdentificationStatus as S;
    let (state, reason) = match status {
        None => (CheckState::Red, "no identification".to_owned()),
        Some(S::Successful) => (CheckState::Green, "identification is successful".to_owned()),
        Some(S::PendingSuccessful) => (
            CheckState::Green,
            "identification is pending_successful: the provider is still reviewing it, and the \
             account will be blocked if it ends failed or canceled"
                .to_owned(),
        ),
        Some(status @ (S::Failed | S::Expired)) => (
            CheckState::Red,
            format!("identification is {status}; a new identification is needed"),
        ),
        Some(status) => (
            CheckState::Yellow,
            format!("identification is {status}; must be successful"),
        ),
    };
    Check::new(
        "KYC identification",
        "successful_identification",
        state,
        reason,
    )
}

fn mobile_check(verified: Option<bool>) -> Check {
    let (state, reason) = match verified {
        Some(true) => (CheckState::Green, "mobile number is verified"),
        Some(false) => (
            CheckState::Yellow,
            "mobile number is not verified; must be confirmed with the SMS OTP",
        ),
        None => (CheckState::Red, "no mobile number"),
    };
    Check::new(
        "Mobile number",
        "verified_mobile_number",
        state,
        reason.to_owned(),
    )
}

fn tax_check(has_primary: bool, may_follow: bool) -> Check {
    let (state, reason) = match (has_primary, may_follow) {
        (true, _) => (CheckState::Green, "a primary tax identification exists"),
        (false, true) => (
            CheckState::Green,
            "no primary tax identification yet; it may be provided within 90 days of account \
             opening (DE branch)",
        ),
        (false, false) => (CheckState::Red, "no primary tax identification"),
    };
    Check::new(
        "Tax identification",
        "primary_tax_identification",
        state,
        reason.to_owned(),
    )
}

fn fatca_check(verdict: &FatcaVerdict, soft_resolved: bool) -> Check {
    let fields = |verdict: &FatcaVerdict| {
        verdict
            .indicia()
            .iter()
            .map(|i| format!("{} {}", i.field, i.value))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (state, reason) = match verdict {
        FatcaVerdict::Clear => (CheckState::Green, "no FATCA indicia".to_owned()),
        FatcaVerdict::Clarify(_) if soft_resolved => (
            CheckState::Green,
            format!(
                "soft FATCA indicia resolved by the customer: {}",
                fields(verdict)
            ),
        ),
        FatcaVerdict::Clarify(_) => (
            CheckState::Yellow,
            format!(
                "soft FATCA indicia to clarify: {}; the customer must give a non-US mobile \
                 number and a physical address",
                fields(verdict)
            ),
        ),
        FatcaVerdict::Reject(_) => (
            CheckState::Red,
            format!("hard FATCA indicia: {}", fields(verdict)),
        ),
    };
    Check::new("FATCA screening", "no_fatca_indicia", state, reason)
}

fn cdd_check<T: CddStatus>(name: &'static str, code: &'static str, value: Option<&str>) -> Check {
    let field = T::FIELD;
    let (state, reason) = match value {
        None => (CheckState::Red, format!("{field} is unknown")),
        Some(text) => match T::from_api(text) {
            Some(status) if status.green() => (CheckState::Green, format!("{field} is {text}")),
            Some(status) if status.red() => (
                CheckState::Red,
                format!("{field} is {text}; the customer cannot be onboarded"),
            ),
            Some(_) => (
                CheckState::Yellow,
                format!("{field} is {text}; must be {}", T::green_list()),
            ),
            // Not a documented value: not green, and nothing says it is final, so it waits.
            None => (
                CheckState::Yellow,
                format!(
                    "{field} is {text:?}, which is not a documented value; must be {}",
                    T::green_list()
                ),
            ),
        },
    };
    Check::new(name, code, state, reason)
}

/// The first check that is not green: the one that blocks onboarding, if any.
pub fn first_blocking(checks: &[Check]) -> Option<&Check> {
    checks.iter().find(|c| c.state != CheckState::Green)
}

/// The error detail for an account opening refused by `check`.
///
/// Only the vetting sentence is documented ("CustomerVettingStatus for person has to be
/// 'green' to open an account.", the `ACCOUNT_OPENING_REQUEST` webhook example); the others
/// follow its pattern.
pub fn rejection_detail(check: &Check) -> String {
    let (subject, required) = match check.code {
        "successful_identification" => ("Identification", "successful"),
        "verified_mobile_number" => ("MobileNumber", "verified"),
        "primary_tax_identification" => ("TaxIdentification", "primary"),
        "no_fatca_indicia" => ("FatcaScreening", "green"),
        "green_person_screening" => ("ScreeningProgress", "green"),
        "green_risk_classification" => ("RiskClassificationStatus", "green"),
        "green_person_vetting" => ("CustomerVettingStatus", "green"),
        _ => (check.name, "green"),
    };
    format!("{subject} for person has to be '{required}' to open an account.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fatca::{self, FatcaInput};

    fn all_green(fatca: &FatcaVerdict) -> ReadinessInput<'_> {
        ReadinessInput {
            identification: Some(IdentificationStatus::Successful),
            mobile_number_verified: Some(true),
            has_primary_tax_identification: true,
            tax_identification_may_follow: false,
            fatca,
            fatca_soft_resolved: false,
            screening_progress: Some("SCREENED_ACCEPTED"),
            risk_classification_status: Some("NORMAL_RISK"),
            customer_vetting_status: Some("NO_MATCH"),
        }
    }

    /// The colours of the seven checks as a string, e.g. `GGGGGGG`.
    fn colours(checks: &[Check]) -> String {
        checks
            .iter()
            .map(|c| match c.state {
                CheckState::Green => 'G',
                CheckState::Yellow => 'Y',
                CheckState::Red => 'R',
            })
            .collect()
    }

    #[test]
    fn names_codes_and_order_follow_the_seed() {
        let clear = FatcaVerdict::Clear;
        let checks = checklist(&all_green(&clear));
        let names: Vec<(&str, &str)> = checks.iter().map(|c| (c.name, c.code)).collect();
        assert_eq!(
            names,
            [
                ("KYC identification", "successful_identification"),
                ("Mobile number", "verified_mobile_number"),
                ("Tax identification", "primary_tax_identification"),
                ("FATCA screening", "no_fatca_indicia"),
                ("Customer screening", "green_person_screening"),
                ("Risk classification", "green_risk_classification"),
                ("Customer vetting", "green_person_vetting"),
            ]
        );
        assert_eq!(colours(&checks), "GGGGGGG");
        assert_eq!(first_blocking(&checks), None);
    }

    #[test]
    fn states_follow_the_rule_table() {
        use IdentificationStatus as S;
        let clear = FatcaVerdict::Clear;
        let sandbox_mobile = fatca::screen(&FatcaInput {
            mobile_number: Some("+15550101"),
            ..FatcaInput::default()
        });
        let us_citizen = fatca::screen(&FatcaInput {
            nationality: Some("US"),
            ..FatcaInput::default()
        });
        let base = all_green(&clear);
        let rows: Vec<(ReadinessInput, &str)> = vec![
            (
                ReadinessInput {
                    identification: None,
                    ..base
                },
                "RGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::PendingSuccessful),
                    ..base
                },
                "GGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::Pending),
                    ..base
                },
                "YGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::Created),
                    ..base
                },
                "YGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::PendingFailed),
                    ..base
                },
                "YGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::Aborted),
                    ..base
                },
                "YGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::Canceled),
                    ..base
                },
                "YGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::Failed),
                    ..base
                },
                "RGGGGGG",
            ),
            (
                ReadinessInput {
                    identification: Some(S::Expired),
                    ..base
                },
                "RGGGGGG",
            ),
            (
                ReadinessInput {
                    mobile_number_verified: Some(false),
                    ..base
                },
                "GYGGGGG",
            ),
            (
                ReadinessInput {
                    mobile_number_verified: None,
                    ..base
                },
                "GRGGGGG",
            ),
            (
                ReadinessInput {
                    has_primary_tax_identification: false,
                    ..base
                },
                "GGRGGGG",
            ),
            (
                ReadinessInput {
                    has_primary_tax_identification: false,
                    tax_identification_may_follow: true,
                    ..base
                },
                "GGGGGGG",
            ),
            (
                ReadinessInput {
                    fatca: &sandbox_mobile,
                    ..base
                },
                "GGGYGGG",
            ),
            (
                ReadinessInput {
                    fatca: &sandbox_mobile,
                    fatca_soft_resolved: true,
                    ..base
                },
                "GGGGGGG",
            ),
            (
                ReadinessInput {
                    fatca: &us_citizen,
                    ..base
                },
                "GGGRGGG",
            ),
            (
                ReadinessInput {
                    fatca: &us_citizen,
                    fatca_soft_resolved: true,
                    ..base
                },
                "GGGRGGG",
            ),
            (
                ReadinessInput {
                    screening_progress: Some("NOT_SCREENED"),
                    ..base
                },
                "GGGGYGG",
            ),
            (
                ReadinessInput {
                    screening_progress: Some("SCREENED_DECLINED"),
                    ..base
                },
                "GGGGRGG",
            ),
            (
                ReadinessInput {
                    screening_progress: None,
                    ..base
                },
                "GGGGRGG",
            ),
            (
                ReadinessInput {
                    screening_progress: Some("bogus"),
                    ..base
                },
                "GGGGYGG",
            ),
            (
                ReadinessInput {
                    risk_classification_status: Some("RISK_ACCEPTED"),
                    ..base
                },
                "GGGGGGG",
            ),
            (
                ReadinessInput {
                    risk_classification_status: Some("SCORING_NOT_REQUIRED"),
                    ..base
                },
                "GGGGGGG",
            ),
            (
                ReadinessInput {
                    risk_classification_status: Some("POTENTIAL_RISK"),
                    ..base
                },
                "GGGGGYG",
            ),
            (
                ReadinessInput {
                    risk_classification_status: Some("CUSTOMER_UNRESPONSIVE"),
                    ..base
                },
                "GGGGGRG",
            ),
            (
                ReadinessInput {
                    risk_classification_status: None,
                    ..base
                },
                "GGGGGRG",
            ),
            (
                ReadinessInput {
                    customer_vetting_status: Some("VETTING_NOT_REQUIRED"),
                    ..base
                },
                "GGGGGGG",
            ),
            (
                ReadinessInput {
                    customer_vetting_status: Some("POTENTIAL_MATCH"),
                    ..base
                },
                "GGGGGGY",
            ),
            (
                ReadinessInput {
                    customer_vetting_status: Some("RISK_REJECTED"),
                    ..base
                },
                "GGGGGGR",
            ),
            (
                ReadinessInput {
                    customer_vetting_status: None,
                    ..base
                },
                "GGGGGGR",
            ),
        ];
        for (input, expected) in rows {
            assert_eq!(colours(&checklist(&input)), expected, "{input:?}");
        }
    }

    #[test]
    fn reasons_name_the_actual_value() {
        let clear = FatcaVerdict::Clear;
        let input = ReadinessInput {
            identification: Some(IdentificationStatus::PendingSuccessful),
            has_primary_tax_identification: false,
            tax_identification_may_follow: true,
            customer_vetting_status: Some("POTENTIAL_MATCH"),
            screening_progress: None,
            ..all_green(&clear)
        };
        let checks = checklist(&input);
        let reasons: Vec<&str> = checks.iter().map(|c| c.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "identification is pending_successful: the provider is still reviewing it, and \
                 the account will be blocked if it ends failed or canceled",
                "mobile number is verified",
                "no primary tax identification yet; it may be provided within 90 days of \
                 account opening (DE branch)",
                "no FATCA indicia",
                "screening_progress is unknown",
                "risk_classification_status is NORMAL_RISK",
                "customer_vetting_status is POTENTIAL_MATCH; must be NO_MATCH, RISK_ACCEPTED or \
                 VETTING_NOT_REQUIRED",
            ]
        );
        let blocking = first_blocking(&checks).map(|c| c.code);
        assert_eq!(blocking, Some("green_person_screening"));
    }

    #[test]
    fn rejection_details() {
        let clear = FatcaVerdict::Clear;
        let checks = checklist(&all_green(&clear));
        let details: Vec<String> = checks.iter().map(rejection_detail).collect();
        assert_eq!(
            details,
            [
                "Identification for person has to be 'successful' to open an account.",
                "MobileNumber for person has to be 'verified' to open an account.",
                "TaxIdentification for person has to be 'primary' to open an account.",
                "FatcaScreening for person has to be 'green' to open an account.",
                "ScreeningProgress for person has to be 'green' to open an account.",
                "RiskClassificationStatus for person has to be 'green' to open an account.",
                "CustomerVettingStatus for person has to be 'green' to open an account.",
            ]
        );
        assert_eq!(CheckState::Yellow.as_str(), "yellow");
        assert_eq!(CheckState::Red.to_string(), "red");
    }
}
