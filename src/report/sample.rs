//! A hand-built run the writers' tests share: one scenario of each status across two features,
//! with an error that needs escaping, names that need wrapping, a data table, a scenario that
//! passed on retry, an Examples row and the feature files' own text.

use std::time::Duration;

use super::model::{
    Attempt, Exchange, FeatureReport, Flaky, PastRun, RunReport, ScenarioReport, Status,
    StepArgument, StepDefinition, StepMatch, StepReport,
};

pub(crate) const FAILED_SCENARIO: &str = "Jürgen's card & \"Größe\" <limit> is refused";

pub(crate) const LONG_SCENARIO: &str = "A customer whose tax residency spans Germany, Italy and \
     the United States is screened for FATCA before the account opens";

pub(crate) const FAILED_ERROR: &str = "response does not match schema `person.json`\n\
     at /address/country: \"Germany\" does not match \"^[A-Z]{2}$\"\n\
     \n\
     expected <country> & 'ISO 3166' code\u{1b}[0m, got \u{7}\"Germany\"";

/// The error of the passed scenario's first, retried attempt.
pub(crate) const RETRIED_ERROR: &str = "expected HTTP 201 from POST /v1/persons, got 503";

pub(crate) const ONBOARDING_SOURCE: &str = "\
@onboarding
Feature: German retail onboarding
  A partner onboards a retail customer in Germany.

  @cards
  Scenario: A customer goes from consents to an active card
    Given the customer consents to the terms
    When the customer confirms the mobile number
    Then the card is active

  Scenario: Jürgen's card & \"Größe\" <limit> is refused
    Given a person with the name \"Jürgen\"
    When the person is posted
    Then the person is created
    And the card limit is 500 EUR

  # FATCA
  Scenario: A customer whose tax residency spans Germany, Italy and the United States is screened for FATCA before the account opens
    Given a US person
      | country | tin       |
      | US      | 123456789 |
";

pub(crate) const PAYOUTS_SOURCE: &str = "\
Feature: SEPA payouts

  @payouts
  Scenario: A payout is booked
    Given a SEPA payout of 10.00 EUR
  @simulation
  Scenario Outline: A returned payout is refunded
    Given a returned payout of <amount> EUR
    Examples:
      | amount |
      | 0.01   |
";

/// The step definitions of the sample, one per step text (the card limit captures a number).
fn definitions() -> Vec<StepDefinition> {
    let texts = [
        ("Given", "the customer consents to the terms"),
        ("When", "the customer confirms the mobile number"),
        ("Then", "the card is active"),
        ("Given", "a person with the name \"Jürgen\""),
        ("When", "the person is posted"),
        ("Then", "the person is created"),
        ("Then", "the card limit is (\\d+) EUR"),
        ("Given", "a US person"),
        ("Given", "a SEPA payout of 10.00 EUR"),
        ("Given", "a returned payout of ([0-9.]+) EUR"),
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, (keyword, pattern))| StepDefinition {
            keyword: (*keyword).to_owned(),
            pattern: format!("^{pattern}$"),
            file: "steps/sample.rs".to_owned(),
            line: 10 * (i + 1),
            column: 1,
        })
        .collect()
}

/// A step from its written form: `step("Then the card is active", 9, Status::Passed, 100)`,
/// matched by the sample's definition `definition`.
fn step(written: &str, line: usize, status: Status, ms: u64, definition: usize) -> StepReport {
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
        background: false,
        matches: vec![StepMatch {
            definition,
            arguments: Vec::new(),
        }],
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
        started: Duration::ZERO,
        retried: Vec::new(),
        flaky: None,
        history: Vec::new(),
    }
}

fn past(started_at: &str, status: Status) -> PastRun {
    PastRun {
        started_at: started_at.to_owned(),
        status,
        retried: false,
    }
}

pub(crate) fn run_report() -> RunReport {
    let exchange = Exchange {
        method: "POST".to_owned(),
        url: "http://127.0.0.1:8080/v1/persons".to_owned(),
        request_headers: vec![
            ("Authorization".to_owned(), "Bearer [redacted]".to_owned()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ],
        request_body: Some("{\n  \"first_name\": \"Theresa\"\n}".to_owned()),
        status: Some(201),
        response_headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        response_body: Some("{\n  \"id\": \"p-1\",\n  \"first_name\": \"Theresa\"\n}".to_owned()),
        duration: Duration::from_millis(12),
    };
    let passed_steps = vec![
        step(
            "Given the customer consents to the terms",
            7,
            Status::Passed,
            120,
            0,
        ),
        step(
            "When the customer confirms the mobile number",
            8,
            Status::Passed,
            90,
            1,
        ),
        step("Then the card is active", 9, Status::Passed, 100, 2),
    ];
    let first_attempt = Attempt {
        status: Status::Failed,
        started: Duration::from_millis(10),
        duration: Duration::from_millis(150),
        steps: vec![
            StepReport {
                error: Some(RETRIED_ERROR.to_owned()),
                ..step(
                    "Given the customer consents to the terms",
                    7,
                    Status::Failed,
                    150,
                    0,
                )
            },
            step(
                "When the customer confirms the mobile number",
                8,
                Status::Skipped,
                0,
                1,
            ),
            step("Then the card is active", 9, Status::Skipped, 0, 2),
        ],
        exchanges: vec![Exchange {
            status: Some(503),
            response_body: None,
            ..exchange.clone()
        }],
        reason: None,
    };
    let passed = ScenarioReport {
        tags: vec!["onboarding".to_owned(), "cards".to_owned()],
        steps: passed_steps,
        exchanges: vec![exchange],
        started: Duration::from_millis(200),
        retried: vec![first_attempt],
        flaky: Some(Flaky::PassedOnRetry),
        history: vec![
            past("2025-01-13T10:00:00.000Z", Status::Passed),
            past("2025-01-14T10:00:00.000Z", Status::Passed),
        ],
        ..scenario(
            "A customer goes from consents to an active card",
            6,
            Status::Passed,
            310,
        )
    };

    let failed = ScenarioReport {
        tags: vec!["onboarding".to_owned()],
        steps: vec![
            step(
                "Given a person with the name \"Jürgen\"",
                12,
                Status::Passed,
                40,
                3,
            ),
            step("When the person is posted", 13, Status::Passed, 800, 4),
            StepReport {
                error: Some(FAILED_ERROR.to_owned()),
                ..step("Then the person is created", 14, Status::Failed, 5, 5)
            },
            StepReport {
                matches: vec![StepMatch {
                    definition: 6,
                    arguments: vec![StepArgument {
                        start: 18,
                        value: "500".to_owned(),
                    }],
                }],
                ..step("And the card limit is 500 EUR", 15, Status::Skipped, 0, 6)
            },
        ],
        started: Duration::from_millis(20),
        history: vec![
            past("2025-01-13T10:00:00.000Z", Status::Passed),
            past("2025-01-14T10:00:00.000Z", Status::Failed),
        ],
        ..scenario(FAILED_SCENARIO, 11, Status::Failed, 1_870)
    };

    let long = ScenarioReport {
        tags: vec!["onboarding".to_owned()],
        steps: vec![StepReport {
            table: Some(vec![
                vec!["country".to_owned(), "tin".to_owned()],
                vec!["US".to_owned(), "123456789".to_owned()],
            ]),
            ..step("Given a US person", 19, Status::Passed, 30, 7)
        }],
        started: Duration::from_millis(30),
        ..scenario(LONG_SCENARIO, 18, Status::Passed, 40)
    };

    let skipped = ScenarioReport {
        tags: vec!["payouts".to_owned()],
        steps: vec![step(
            "Given a SEPA payout of 10.00 EUR",
            5,
            Status::Skipped,
            0,
            8,
        )],
        ..scenario("A payout is booked", 4, Status::Skipped, 0)
    };

    let not_applicable = ScenarioReport {
        tags: vec!["simulation".to_owned()],
        reason: Some("the target has no simulator".to_owned()),
        steps: vec![StepReport {
            matches: vec![StepMatch {
                definition: 9,
                arguments: vec![StepArgument {
                    start: 21,
                    value: "0.01".to_owned(),
                }],
            }],
            ..step(
                "Given a returned payout of 0.01 EUR",
                8,
                Status::Skipped,
                0,
                9,
            )
        }],
        ..scenario(
            "A returned payout is refunded -- Examples #1 (amount = 0.01)",
            11,
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
                scenarios: vec![passed, failed, long].into(),
                source: Some(ONBOARDING_SOURCE.to_owned()),
            },
            FeatureReport {
                name: "SEPA payouts".to_owned(),
                path: "./features/payouts/sepa.feature".to_owned(),
                tags: Vec::new(),
                scenarios: vec![skipped, not_applicable].into(),
                source: Some(PAYOUTS_SOURCE.to_owned()),
            },
        ],
        step_definitions: definitions(),
        seeds: Vec::new(),
        interrupted: None,
    }
}
