//! A hand-built run the writers' tests share: one scenario of each status across two features,
//! with an error that needs escaping and names that need wrapping.

use std::time::Duration;

use super::model::{Exchange, FeatureReport, RunReport, ScenarioReport, Status, StepReport};

pub(crate) const FAILED_SCENARIO: &str = "Jürgen's card & \"Größe\" <limit> is refused";

pub(crate) const LONG_SCENARIO: &str = "A customer whose tax residency spans Germany, Italy and \
     the United States is screened for FATCA before the account opens";

pub(crate) const FAILED_ERROR: &str = "response does not match schema `person.json`\n\
     at /address/country: \"Germany\" does not match \"^[A-Z]{2}$\"\n\
     \n\
     expected <country> & 'ISO 3166' code\u{1b}[0m, got \u{7}\"Germany\"";

/// A step from its written form: `step("Then the card is active", 9, Status::Passed, 100)`.
fn step(written: &str, line: usize, status: Status, ms: u64) -> StepReport {
    let (keyword, text) = written.split_once(' ').expect("keyword and text");
    StepReport {
        // As cucumber hands it over, with the trailing space.
        keyword: format!("{keyword} "),
        text: text.to_owned(),
        line,
        status,
        duration: Duration::from_millis(ms),
        table: None,
        docstring: None,
        error: None,
    }
}

fn scenario(name: &str, line: usize, status: Status, ms: u64) -> ScenarioReport {
    ScenarioReport {
        name: name.to_owned(),
        line,
        tags: Vec::new(),
        rule: None,
        status,
        duration: Duration::from_millis(ms),
        steps: Vec::new(),
        exchanges: Vec::new(),
        reason: None,
    }
}

pub(crate) fn run_report() -> RunReport {
    let passed = ScenarioReport {
        steps: vec![
            step(
                "Given the customer consents to the terms",
                7,
                Status::Passed,
                120,
            ),
            step(
                "When the customer confirms the mobile number",
                8,
                Status::Passed,
                90,
            ),
            step("Then the card is active", 9, Status::Passed, 100),
        ],
        exchanges: vec![Exchange {
            method: "POST".to_owned(),
            url: "http://127.0.0.1:8080/v1/persons".to_owned(),
            status: Some(201),
            ..Exchange::default()
        }],
        ..scenario(
            "A customer goes from consents to an active card",
            6,
            Status::Passed,
            310,
        )
    };

    let failed = ScenarioReport {
        steps: vec![
            step(
                "Given a person with the name \"Jürgen\"",
                12,
                Status::Passed,
                40,
            ),
            step("When the person is posted", 13, Status::Passed, 800),
            StepReport {
                error: Some(FAILED_ERROR.to_owned()),
                ..step("Then the person is created", 14, Status::Failed, 5)
            },
            step("And the card limit is 500 EUR", 15, Status::Skipped, 0),
        ],
        ..scenario(FAILED_SCENARIO, 11, Status::Failed, 1_870)
    };

    let long = ScenarioReport {
        steps: vec![step("Given a US person", 20, Status::Passed, 30)],
        ..scenario(LONG_SCENARIO, 19, Status::Passed, 40)
    };

    let skipped = ScenarioReport {
        steps: vec![step(
            "Given a SEPA payout of 10.00 EUR",
            5,
            Status::Skipped,
            0,
        )],
        ..scenario("A payout is booked", 4, Status::Skipped, 0)
    };

    let not_applicable = ScenarioReport {
        tags: vec!["simulation".to_owned()],
        reason: Some("the target has no simulator".to_owned()),
        ..scenario(
            "A returned payout is refunded -- Examples #1 (amount = 0.01)",
            9,
            Status::NotApplicable,
            0,
        )
    };

    RunReport {
        target: "mock (embedded)".to_owned(),
        started_at: "2025-01-15T10:00:00.123Z".to_owned(),
        duration: Duration::from_millis(3_404),
        features: vec![
            FeatureReport {
                name: "German retail onboarding".to_owned(),
                path: "features/onboarding/german_retail.feature".to_owned(),
                tags: vec!["onboarding".to_owned()],
                scenarios: vec![passed, failed, long],
            },
            FeatureReport {
                name: "SEPA payouts".to_owned(),
                path: "./features/payouts/sepa.feature".to_owned(),
                tags: Vec::new(),
                scenarios: vec![skipped, not_applicable],
            },
        ],
    }
}
