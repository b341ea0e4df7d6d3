//! Customer due diligence (CDD): the three person statuses [`ScreeningProgress`],
//! [`RiskClassificationStatus`] and [`CustomerVettingStatus`], and which values are green
//! (onboarding may go on), red (the customer is refused) or yellow (anything else: wait).
//!
//! The green sets are the seed's readiness checklist; the value lists follow the Solaris
//! onboarding guide as quoted in the API notes (§7). The common behaviour is the trait
//! [`CddStatus`], which the readiness checklist uses.
//!
//! [`ScreeningProgress`]: crate::domain::due_diligence::ScreeningProgress
//! [`RiskClassificationStatus`]: crate::domain::due_diligence::RiskClassificationStatus
//! [`CustomerVettingStatus`]: crate::domain::due_diligence::CustomerVettingStatus
//! [`CddStatus`]: crate::domain::due_diligence::CddStatus

use std::fmt;

/// What the three CDD status enums share.
pub trait CddStatus: Copy + fmt::Display + 'static {
    /// The person field that holds the status, e.g. `screening_progress`.
    const FIELD: &'static str;
    /// Every value, in the documented order.
    const VALUES: &'static [Self];
    /// The API value.
    fn api_str(self) -> &'static str;
    /// Whether the value lets onboarding go on.
    fn green(self) -> bool;
    /// Whether the value refuses the customer.
    fn red(self) -> bool;
    /// The value for an API string (exact match).
    fn from_api(s: &str) -> Option<Self> {
        Self::VALUES.iter().copied().find(|v| v.api_str() == s)
    }
    /// The green values, joined as a sentence: `A, B or C`.
    fn green_list() -> String {
        let green: Vec<&str> = Self::VALUES
            .iter()
            .filter(|v| v.green())
            .map(|v| v.api_str())
            .collect();
        match green.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            Some((last, _)) => (*last).to_owned(),
            None => String::new(),
        }
    }
}

/// The three statuses of a new person: `NOT_SCREENED`, `NOT_SCORED` and `NOT_VETTED`.
pub fn initial() -> (
    ScreeningProgress,
    RiskClassificationStatus,
    CustomerVettingStatus,
) {
    (
        ScreeningProgress::initial(),
        RiskClassificationStatus::initial(),
        CustomerVettingStatus::initial(),
    )
}

macro_rules! cdd_common {
    ($name:ident, $field:literal) => {
        impl $name {
            /// The value for an API string (exact, uppercase match).
            pub fn parse(s: &str) -> Option<Self> {
                <Self as CddStatus>::from_api(s)
            }

            /// Whether the value is neither green nor red: the customer has to wait.
            pub fn is_yellow(self) -> bool {
                !self.is_green() && !self.is_red()
            }
        }

        impl CddStatus for $name {
            const FIELD: &'static str = $field;
            const VALUES: &'static [Self] = &Self::ALL;
            fn api_str(self) -> &'static str {
                self.as_str()
            }
            fn green(self) -> bool {
                self.is_green()
            }
            fn red(self) -> bool {
                self.is_red()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// `screening_progress`: sanctions and PEP screening of the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreeningProgress {
    /// Not screened yet; the value of a new person.
    NotScreened,
    /// A possible hit that Solaris is looking into.
    PotentialMatch,
    /// Screened and accepted (green).
    ScreenedAccepted,
    /// Screened and declined (red).
    ScreenedDeclined,
}

impl ScreeningProgress {
    /// Every value.
    pub const ALL: [Self; 4] = [
        Self::NotScreened,
        Self::PotentialMatch,
        Self::ScreenedAccepted,
        Self::ScreenedDeclined,
    ];

    /// The value of a new person: `NOT_SCREENED`.
    pub fn initial() -> Self {
        Self::NotScreened
    }

    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotScreened => "NOT_SCREENED",
            Self::PotentialMatch => "POTENTIAL_MATCH",
            Self::ScreenedAccepted => "SCREENED_ACCEPTED",
            Self::ScreenedDeclined => "SCREENED_DECLINED",
        }
    }

    /// Green: `SCREENED_ACCEPTED`.
    pub fn is_green(self) -> bool {
        self == Self::ScreenedAccepted
    }

    /// Red: `SCREENED_DECLINED`.
    pub fn is_red(self) -> bool {
        self == Self::ScreenedDeclined
    }
}

cdd_common!(ScreeningProgress, "screening_progress");

/// `risk_classification_status`: the person's money-laundering risk score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RiskClassificationStatus {
    /// Not scored yet; the value of a new person.
    NotScored,
    /// A possible risk under review.
    PotentialRisk,
    /// Normal risk (green).
    NormalRisk,
    /// Solaris asked the customer for information.
    InformationRequested,
    /// The customer answered.
    InformationReceived,
    /// The risk was accepted (green).
    RiskAccepted,
    /// The risk was rejected (red).
    RiskRejected,
    /// The customer did not answer (red).
    CustomerUnresponsive,
    /// No scoring needed (green).
    ScoringNotRequired,
}

impl RiskClassificationStatus {
    /// Every value.
    pub const ALL: [Self; 9] = [
        Self::NotScored,
        Self::PotentialRisk,
        Self::NormalRisk,
        Self::InformationRequested,
        Self::InformationReceived,
        Self::RiskAccepted,
        Self::RiskRejected,
        Self::CustomerUnresponsive,
        Self::ScoringNotRequired,
    ];

    /// The value of a new person: `NOT_SCORED`.
    pub fn initial() -> Self {
        Self::NotScored
    }

    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotScored => "NOT_SCORED",
            Self::PotentialRisk => "POTENTIAL_RISK",
            Self::NormalRisk => "NORMAL_RISK",
            Self::InformationRequested => "INFORMATION_REQUESTED",
            Self::InformationReceived => "INFORMATION_RECEIVED",
            Self::RiskAccepted => "RISK_ACCEPTED",
            Self::RiskRejected => "RISK_REJECTED",
            Self::CustomerUnresponsive => "CUSTOMER_UNRESPONSIVE",
            Self::ScoringNotRequired => "SCORING_NOT_REQUIRED",
        }
    }

    /// Green: `NORMAL_RISK`, `RISK_ACCEPTED` or `SCORING_NOT_REQUIRED`.
    pub fn is_green(self) -> bool {
        matches!(
            self,
            Self::NormalRisk | Self::RiskAccepted | Self::ScoringNotRequired
        )
    }

    /// Red: `RISK_REJECTED` or `CUSTOMER_UNRESPONSIVE`.
    pub fn is_red(self) -> bool {
        matches!(self, Self::RiskRejected | Self::CustomerUnresponsive)
    }
}

cdd_common!(RiskClassificationStatus, "risk_classification_status");

/// `customer_vetting_status`: the vetting of the person against adverse information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerVettingStatus {
    /// Not vetted yet; the value of a new person.
    NotVetted,
    /// No match (green).
    NoMatch,
    /// A possible match under review.
    PotentialMatch,
    /// Solaris asked the customer for information.
    InformationRequested,
    /// The customer answered.
    InformationReceived,
    /// The risk was accepted (green).
    RiskAccepted,
    /// The risk was rejected (red).
    RiskRejected,
    /// The customer did not answer (red).
    CustomerUnresponsive,
    /// No vetting needed (green).
    VettingNotRequired,
}

impl CustomerVettingStatus {
    /// Every value.
    pub const ALL: [Self; 9] = [
        Self::NotVetted,
        Self::NoMatch,
        Self::PotentialMatch,
        Self::InformationRequested,
        Self::InformationReceived,
        Self::RiskAccepted,
        Self::RiskRejected,
        Self::CustomerUnresponsive,
        Self::VettingNotRequired,
    ];

    /// The value of a new person: `NOT_VETTED`.
    pub fn initial() -> Self {
        Self::NotVetted
    }

    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotVetted => "NOT_VETTED",
            Self::NoMatch => "NO_MATCH",
            Self::PotentialMatch => "POTENTIAL_MATCH",
            Self::InformationRequested => "INFORMATION_REQUESTED",
            Self::InformationReceived => "INFORMATION_RECEIVED",
            Self::RiskAccepted => "RISK_ACCEPTED",
            Self::RiskRejected => "RISK_REJECTED",
            Self::CustomerUnresponsive => "CUSTOMER_UNRESPONSIVE",
            Self::VettingNotRequired => "VETTING_NOT_REQUIRED",
        }
    }

    /// Green: `NO_MATCH`, `RISK_ACCEPTED` or `VETTING_NOT_REQUIRED`.
    pub fn is_green(self) -> bool {
        matches!(
            self,
            Self::NoMatch | Self::RiskAccepted | Self::VettingNotRequired
        )
    }

    /// Red: `RISK_REJECTED` or `CUSTOMER_UNRESPONSIVE`.
    pub fn is_red(self) -> bool {
        matches!(self, Self::RiskRejected | Self::CustomerUnresponsive)
    }
}

cdd_common!(CustomerVettingStatus, "customer_vetting_status");

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every value of `T` against rows of (API value, colour) and the round trip.
    fn assert_colours<T: CddStatus + fmt::Debug + PartialEq>(rows: &[(&str, char)]) {
        assert_eq!(
            rows.len(),
            T::VALUES.len(),
            "{}: every value has a row",
            T::FIELD
        );
        for (&value, &(text, colour)) in T::VALUES.iter().zip(rows) {
            assert_eq!(value.api_str(), text);
            assert_eq!(T::from_api(text), Some(value));
            assert_eq!(value.to_string(), text);
            let actual = match (value.green(), value.red()) {
                (true, false) => 'G',
                (false, true) => 'R',
                (false, false) => 'Y',
                (true, true) => '!',
            };
            assert_eq!(actual, colour, "{}: {text}", T::FIELD);
        }
        for bad in ["", "green", "screened_accepted", " NO_MATCH"] {
            assert_eq!(T::from_api(bad), None, "{}: {bad:?}", T::FIELD);
        }
    }

    #[test]
    fn screening_progress_colours() {
        assert_colours::<ScreeningProgress>(&[
            ("NOT_SCREENED", 'Y'),
            ("POTENTIAL_MATCH", 'Y'),
            ("SCREENED_ACCEPTED", 'G'),
            ("SCREENED_DECLINED", 'R'),
        ]);
        assert_eq!(ScreeningProgress::initial().as_str(), "NOT_SCREENED");
        assert!(ScreeningProgress::PotentialMatch.is_yellow());
    }

    #[test]
    fn risk_classification_colours() {
        assert_colours::<RiskClassificationStatus>(&[
            ("NOT_SCORED", 'Y'),
            ("POTENTIAL_RISK", 'Y'),
            ("NORMAL_RISK", 'G'),
            ("INFORMATION_REQUESTED", 'Y'),
            ("INFORMATION_RECEIVED", 'Y'),
            ("RISK_ACCEPTED", 'G'),
            ("RISK_REJECTED", 'R'),
            ("CUSTOMER_UNRESPONSIVE", 'R'),
            ("SCORING_NOT_REQUIRED", 'G'),
        ]);
        assert_eq!(RiskClassificationStatus::initial().as_str(), "NOT_SCORED");
    }

    #[test]
    fn customer_vetting_colours() {
        assert_colours::<CustomerVettingStatus>(&[
            ("NOT_VETTED", 'Y'),
            ("NO_MATCH", 'G'),
            ("POTENTIAL_MATCH", 'Y'),
            ("INFORMATION_REQUESTED", 'Y'),
            ("INFORMATION_RECEIVED", 'Y'),
            ("RISK_ACCEPTED", 'G'),
            ("RISK_REJECTED", 'R'),
            ("CUSTOMER_UNRESPONSIVE", 'R'),
            ("VETTING_NOT_REQUIRED", 'G'),
        ]);
        assert_eq!(CustomerVettingStatus::initial().as_str(), "NOT_VETTED");
        let (screening, risk, vetting) = initial();
        assert_eq!(
            [screening.as_str(), risk.as_str(), vetting.as_str()],
            ["NOT_SCREENED", "NOT_SCORED", "NOT_VETTED"]
        );
        assert_eq!(
            CustomerVettingStatus::parse("NO_MATCH"),
            Some(CustomerVettingStatus::NoMatch)
        );
    }

    #[test]
    fn green_lists_read_as_sentences() {
        assert_eq!(ScreeningProgress::green_list(), "SCREENED_ACCEPTED");
        assert_eq!(
            RiskClassificationStatus::green_list(),
            "NORMAL_RISK, RISK_ACCEPTED or SCORING_NOT_REQUIRED"
        );
        assert_eq!(
            CustomerVettingStatus::green_list(),
            "NO_MATCH, RISK_ACCEPTED or VETTING_NOT_REQUIRED"
        );
    }
}
