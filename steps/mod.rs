//! Gherkin-facing Rust: the [`Journey`] World and the step definitions, one file per domain
//! concept. Banking words in the steps; raw HTTP only in `http.rs`.
//!
//! This module is compiled into the binary and the feature test harness (so cucumber's step
//! registry is linked for sure), and reaches the API only through the runner's context.

mod accounts;
mod cards;
mod decoupled;
mod due_diligence;
mod http;
mod identification;
mod journeys;
mod kyc;
mod mobile;
mod params;
mod payouts;
mod persona;
mod persons;
mod tax;
mod time;
mod webhooks;

use serde_json::Value;
use solaris_conformance::report::model::Exchange;
use solaris_conformance::runner::{self, RunContext, ScenarioKey};
use std::sync::Arc;

/// Why a step failed, in plain words; cucumber shows its text.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure(s)
    }
}

pub type StepResult = Result<(), Failure>;

/// One customer's journey through the API: what the scenario created so far.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct Journey {
    ctx: Arc<RunContext>,
    key: Option<ScenarioKey>,
    /// The data the partner collected from the customer: the body of `POST /v1/persons`.
    pub customer: Value,
    pub person_id: Option<String>,
    pub mobile_number: Option<String>,
    pub identification_id: Option<String>,
    pub opening_request_id: Option<String>,
    pub account_id: Option<String>,
    pub card_id: Option<String>,
    /// Decoupled cards: credit record, application, snapshot, reference accounts, payouts.
    pub cards: decoupled::Cards,
    /// Where the latest answer is in `exchanges`, for `Then` steps about it: the answer `kept`
    /// for it, or else read again from its exchange when one asks (a copy of every answer
    /// would cost more than the few reads).
    pub last: Option<usize>,
    /// The latest answer (with where it is in `exchanges`), kept by the step that sent the
    /// request when it did not look at it ([`Journey::send`]).
    kept: Option<(usize, solaris_conformance::client::Response)>,
    /// What the latest request was, e.g. `POST /v1/persons`.
    pub last_call: String,
    /// The body the latest request sent.
    pub last_sent: Option<Value>,
    /// The expiry date of the ID document the customer was identified with.
    pub document_expires_on: Option<String>,
    /// The latest webhook a `Then` step matched.
    pub webhook: Option<solaris_conformance::client::receiver::Received>,
    exchanges: Vec<Exchange>,
    /// Customers generated so far in this scenario.
    personas_drawn: u64,
    /// When the scenario started, for its timeout.
    started: Option<std::time::Instant>,
    /// The run was interrupted before this attempt started: it sends nothing.
    held: bool,
}

impl Journey {
    fn new() -> Result<Self, Failure> {
        let ctx = runner::context()
            .ok_or_else(|| Failure("the scenario runs outside `solaris-conformance run`".into()))?;
        Ok(Journey {
            ctx,
            key: None,
            customer: Value::Null,
            person_id: None,
            mobile_number: None,
            identification_id: None,
            opening_request_id: None,
            account_id: None,
            card_id: None,
            cards: Default::default(),
            last: None,
            kept: None,
            last_call: String::new(),
            last_sent: None,
            webhook: None,
            document_expires_on: None,
            exchanges: Vec::new(),
            personas_drawn: 0,
            started: None,
            held: false,
        })
    }

    /// The person's id, or a failure saying the scenario skipped registration.
    pub fn person(&self) -> Result<String, Failure> {
        self.person_id
            .clone()
            .ok_or_else(|| Failure("no person is registered yet in this scenario: add a step that registers the customer".into()))
    }

    /// An id the scenario created earlier.
    pub fn need(&self, what: &str, value: &Option<String>) -> Result<String, Failure> {
        value
            .clone()
            .ok_or_else(|| Failure(format!("no {what} exists yet in this scenario")))
    }
}

impl Journey {
    /// Bytes for the scenario's next generated customer: from the run's seed, the scenario's
    /// identity and how many customers it drew before.
    pub fn persona_bytes(&mut self) -> [u8; 16] {
        let (feature, line) = self
            .key
            .as_ref()
            .map(|k| (k.feature.display().to_string(), k.line))
            .unwrap_or_default();
        self.personas_drawn += 1;
        persona::persona_bytes(self.ctx.seed, &feature, line, self.personas_drawn - 1)
    }
}

impl runner::Journey for Journey {
    fn begin(&mut self, key: ScenarioKey) {
        self.key = Some(key);
        self.started = Some(std::time::Instant::now());
    }

    fn finish(&mut self) -> Option<(ScenarioKey, Vec<Exchange>)> {
        let key = self.key.take()?;
        self.last = None;
        self.kept = None;
        Some((key, std::mem::take(&mut self.exchanges)))
    }

    fn hold(&mut self) {
        self.held = true;
    }

    fn held(&self) -> bool {
        self.held
    }
}
