//! The reports as their three readers meet them: a person in a browser (`index.html`), the CI
//! system (`junit.xml`, checked against `junit-10.xsd` with xmllint) and the Cucumber ecosystem
//! (`messages.ndjson`, checked against the `@cucumber/messages` JSON Schema, rendered through
//! `@cucumber/html-formatter` and compared with the Cucumber Compatibility Kit; `cucumber.json`).
//! A run with a known client secret, a webhook secret and signatures passing by is searched for
//! them in every file it wrote.
//!
//! The npm tools live in `tests/fixtures/reports/npm/node_modules` (`.ci/run` installs them).
//! Without them the checks that need them print a note and are skipped, unless
//! `SOLARIS_REPORT_TOOLS=required` (as in CI), which makes their absence a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use cucumber::given;
use serde_json::Value;
use solaris_conformance::check::snapshot::SnapshotMode;
use solaris_conformance::client::Target;
use solaris_conformance::mock::MockConfig;
use solaris_conformance::report::document::{self, Ids};
use solaris_conformance::report::messages::{self, Meta};
use solaris_conformance::report::{
    Attempt, Exchange, FeatureReport, RunReport, ScenarioReport, Status, StepDefinition, StepMatch,
    StepReport,
};
use solaris_conformance::runner::{self, CucumberOpts, RunConfig, ScenarioKey, TargetChoice};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_solaris-conformance");

/// The client secret the runs below use; no report may show it.
const SECRET: &str = "Kn0wn-client-SECRET-4242";

const SECRETS_FEATURE: &str = "\
Feature: Secrets stay out of the reports
  A run that fails where secrets pass by: a new webhook subscription's secret, a webhook's
  signature, a step that names the client secret, and customers' names.

  Scenario: A new subscription shows its secret once
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person
    And the partner's webhook endpoint answers 410 to webhooks about the customer
    When the customer's due diligence is set to \"SCREENED_ACCEPTED\", \"NORMAL_RISK\" and \"NO_MATCH\"
    Then within 5 seconds the subscription to PERSON_CHANGED webhooks has ended
    When the partner subscribes to PERSON_CHANGED webhooks again
    Then the request is refused

  Scenario: A webhook's signature is compared with a wrong one
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person
    When the partner starts a video identification with IDnow in \"DE\"
    And the partner requests the video identification
    Then within 5 seconds the partner receives an IDENTIFICATION webhook for the customer whose \"status\" is \"pending\"
    And the webhook's Solaris-Webhook-Signature header is \"sha256=0000\"

  Scenario: A step names the client secret
    Given the client secret Kn0wn-client-SECRET-4242 is used by mistake

  Scenario: A customer is registered
    Given a German retail customer who agreed to every legal screen
    When the partner registers the customer as a person
    Then the person is registered
";

fn tools_required() -> bool {
    std::env::var("SOLARIS_REPORT_TOOLS").is_ok_and(|v| v == "required")
}

/// Says why a check is skipped, or fails when the tools are required.
fn unavailable(what: &str) {
    assert!(
        !tools_required(),
        "{what} is not available, and SOLARIS_REPORT_TOOLS=required: run .ci/run, or \
         `npm ci --prefix tests/fixtures/reports/npm` and install xmllint (libxml2-utils)"
    );
    eprintln!("note: {what} is not available; skipping that check (see tests/reports.rs)");
}

/// The folder with the npm tools, when they are installed.
fn npm_tools() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports/npm");
    let installed = dir.join("node_modules/@cucumber/messages/messages.schema.json");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed.is_file() && node {
        Some(dir)
    } else {
        unavailable("node with the npm tools in tests/fixtures/reports/npm/node_modules");
        None
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("SOLARIS_CLIENT_ID")
        .env_remove("SOLARIS_CLIENT_SECRET")
        .env_remove("SOLARIS_REDACT")
        .env_remove("CUCUMBER_FILTER_TAGS")
        .env("CI", "true")
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every place in `text` where a value follows `"key": "` (in JSON, JSON inside a JSON
/// string, or HTML-escaped JSON), and that value's first characters.
fn values_after(text: &str, key: &str) -> Vec<String> {
    let unescaped = text.replace("\\\"", "\"").replace("&quot;", "\"");
    let mut found = Vec::new();
    for pattern in [format!("\"{key}\": \""), format!("\"{key}\":\"")] {
        let mut rest = unescaped.as_str();
        while let Some(i) = rest.find(&pattern) {
            rest = &rest[i + pattern.len()..];
            found.push(rest.chars().take(10).collect());
        }
    }
    found
}

/// The leaks a report may have, with the text around each.
fn leaks(text: &str) -> Vec<String> {
    let mut leaks = Vec::new();
    let mut around = |i: usize, what: &str| {
        let start = text[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
        let end = text[i..]
            .char_indices()
            .nth(60)
            .map_or(text.len(), |(j, _)| i + j);
        leaks.push(format!("{what}: …{}…", &text[start..end]));
    };
    if let Some(i) = text.find(SECRET) {
        around(i, "the client secret");
    }
    for (i, _) in text.match_indices("Bearer ") {
        if !text[i + 7..].starts_with("[redacted]") {
            around(i, "a bearer token");
        }
    }
    for (i, _) in text.match_indices("sha256=") {
        let hex = text[i + 7..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        if hex >= 16 {
            around(i, "a signature");
        }
    }
    for key in ["secret", "first_name", "birth_date", "access_token"] {
        for value in values_after(text, key) {
            if !value.starts_with("[redacted]") && !value.starts_with("[secret]") {
                leaks.push(format!("a `{key}` value: {value}…"));
            }
        }
    }
    leaks
}

fn xmllint_validates(file: &Path) {
    let xsd = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/junit/junit-10.xsd"),
        PathBuf::from("/work/shared/junit/junit-10.xsd"),
    ]
    .into_iter()
    .find(|p| p.is_file());
    let xmllint = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let Some(xsd) = xsd.filter(|_| xmllint) else {
        unavailable("xmllint with junit-10.xsd");
        return;
    };
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .output()
        .expect("xmllint runs");
    assert!(
        out.status.success(),
        "xmllint refused {}: {}",
        file.display(),
        text(&out)
    );
}

/// Validates every line of a Cucumber Messages stream against the `@cucumber/messages` JSON
/// Schema; returns the envelopes.
fn validate_messages(ndjson: &str, tools: Option<&Path>) -> Vec<Value> {
    let envelopes: Vec<Value> = ndjson
        .lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {} is not JSON: {e}", i + 1))
        })
        .collect();
    for (i, envelope) in envelopes.iter().enumerate() {
        let keys = envelope.as_object().map_or(0, |o| o.len());
        assert_eq!(keys, 1, "line {} holds one message: {envelope}", i + 1);
    }
    let Some(tools) = tools else {
        return envelopes;
    };
    let validator = messages_schema(tools);
    for (i, envelope) in envelopes.iter().enumerate() {
        let errors = schema_errors(&validator, envelope);
        assert!(
            errors.is_empty(),
            "line {} breaks the Messages schema:\n{}\n{}",
            i + 1,
            errors.join("\n"),
            envelope
        );
    }
    envelopes
}

/// The `@cucumber/messages` JSON Schema (one schema for every envelope), compiled.
fn messages_schema(tools: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read(
        &tools.join("node_modules/@cucumber/messages/messages.schema.json"),
    ))
    .expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the Messages schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, envelope: &Value) -> Vec<String> {
    validator
        .iter_errors(envelope)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

/// Renders a stream through the official HTML formatter; returns the page.
fn render_with_formatter(tools: &Path, ndjson: &Path, out: &Path) -> String {
    let result = Command::new("node")
        .arg(tools.join("render.mjs"))
        .arg(ndjson)
        .arg(out)
        .current_dir(tools)
        .output()
        .expect("node runs");
    assert!(
        result.status.success(),
        "@cucumber/html-formatter could not render {}: {}",
        ndjson.display(),
        text(&result)
    );
    read(out)
}

fn kind(envelope: &Value) -> &str {
    envelope
        .as_object()
        .and_then(|o| o.keys().next())
        .map_or("", String::as_str)
}

#[test]
fn every_report_of_a_failing_run_is_valid_and_shows_no_secret() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("features")).unwrap();
    std::fs::write(dir.path().join("features/secrets.feature"), SECRETS_FEATURE).unwrap();

    let out = run_in(
        dir.path(),
        &[
            "run",
            "--client-secret",
            SECRET,
            "--redact",
            "first_name,birth_date",
            "--retries",
            "1",
            "--report-dir",
            "out/reports",
        ],
    );
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");

    // The console: plain lines (not a terminal), retries, the summary tables, no secret.
    assert!(
        !console.contains('\u{1b}'),
        "no colour when not a terminal:\n{console}"
    );
    assert!(console.contains("  retry Secrets stay out of the reports › A new subscription shows its secret once (attempt 1 failed: "), "{console}");
    assert!(
        console.contains("  ok   Secrets stay out of the reports › A customer is registered"),
        "{console}"
    );
    assert!(console.contains("Slowest scenarios:"), "{console}");
    assert!(
        console.contains("│ Secrets stay out of the reports │      1 │      3 │"),
        "{console}"
    );
    assert!(console.contains("1 passed, 3 failed in "), "{console}");
    assert!(
        console.contains("Given the client secret [redacted] is used by mistake"),
        "{console}"
    );
    assert_eq!(
        leaks(&console),
        Vec::<String>::new(),
        "the console shows a secret"
    );

    let reports = dir.path().join("out/reports");
    let files = files_under(&reports);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&reports).unwrap().display().to_string())
        .collect();
    for expected in [
        "cucumber.json",
        "index.html",
        "junit.xml",
        "messages.ndjson",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected} in {names:?}"
        );
    }
    let records: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("history/run-") && n.ends_with(".json"))
        .collect();
    assert_eq!(records.len(), 1, "one history record: {names:?}");

    // Nothing secret in any file.
    for file in &files {
        assert_eq!(
            leaks(&read(file)),
            Vec::<String>::new(),
            "{} shows a secret",
            file.display()
        );
    }
    // The secrets were there to hide: the redaction markers prove it.
    let html = read(&reports.join("index.html"));
    assert!(
        html.contains("&quot;secret&quot;: &quot;[redacted]&quot;"),
        "the subscription's secret"
    );
    assert!(
        html.contains("sha256=[redacted]"),
        "the webhook's signature"
    );
    assert!(
        html.contains("&quot;first_name&quot;: &quot;[redacted]&quot;"),
        "a configured path"
    );
    assert!(html.contains("<th>Authorization</th><td>Bearer [redacted]</td>"));

    // JUnit: valid against the common XSD, one testcase per scenario, retries as reruns.
    let junit_path = reports.join("junit.xml");
    xmllint_validates(&junit_path);
    let junit = read(&junit_path);
    assert_eq!(junit.matches("<testcase ").count(), 4, "{junit}");
    assert_eq!(junit.matches("<failure ").count(), 3, "{junit}");
    assert_eq!(junit.matches("<rerunFailure ").count(), 2, "{junit}");

    // HTML: failed scenarios open, with their exchanges in full; the passing one folded.
    assert_eq!(
        html.matches("<details class=\"scenario failed\"").count(),
        3
    );
    for failed in html.split("<details class=\"scenario failed\"").skip(1) {
        assert!(failed[..failed.find('>').unwrap()].ends_with(" open"));
    }
    assert!(html.contains("<summary>Attempt 1 of 2: failed after "));
    assert!(
        html.contains("<details class=\"exchange\"><summary><span class=\"method\">POST</span>")
    );
    assert_eq!(
        html.matches("<details class=\"exchange\" open>").count(),
        2,
        "the last exchange of each failed scenario that sent requests is unfolded"
    );
    assert!(
        html.contains("<ul class=\"brief\">"),
        "the passing scenario lists its exchanges"
    );

    // Cucumber Messages: valid, with every kind the issue names, and the retry told.
    let tools = npm_tools();
    let ndjson_path = reports.join("messages.ndjson");
    let envelopes = validate_messages(&read(&ndjson_path), tools.as_deref());
    let kinds: std::collections::BTreeSet<&str> = envelopes.iter().map(kind).collect();
    for expected in [
        "meta",
        "source",
        "gherkinDocument",
        "pickle",
        "stepDefinition",
        "testRunStarted",
        "testCase",
        "testCaseStarted",
        "testStepStarted",
        "testStepFinished",
        "attachment",
        "testCaseFinished",
        "testRunFinished",
    ] {
        assert!(kinds.contains(expected), "no {expected} in messages.ndjson");
    }
    let retried = envelopes
        .iter()
        .filter(|e| e["testCaseFinished"]["willBeRetried"] == true)
        .count();
    assert_eq!(retried, 2, "two failing scenarios ran twice");
    let undefined = envelopes
        .iter()
        .filter(|e| e["testStepFinished"]["testStepResult"]["status"] == "UNDEFINED")
        .count();
    assert_eq!(undefined, 1);
    if let Some(tools) = &tools {
        let page = render_with_formatter(tools, &ndjson_path, &dir.path().join("formatter.html"));
        assert!(page.contains("Secrets stay out of the reports"));
        assert!(!page.contains(SECRET));
    }

    // Cucumber JSON: one feature, four scenarios, the undefined step as cucumber says it.
    let json: Value = serde_json::from_str(&read(&reports.join("cucumber.json"))).expect("JSON");
    assert_eq!(json[0]["elements"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        json[0]["elements"][2]["steps"][0]["result"]["status"],
        "undefined"
    );
}

#[test]
fn a_scenario_that_flips_between_runs_is_flaky_and_shows_its_last_runs() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("features")).unwrap();
    let feature = |last_step: &str| {
        format!(
            "Feature: Flips\n\n  Scenario: Sometimes it works\n    Given a German retail customer who agreed to every legal screen\n    {last_step}\n"
        )
    };
    let passing = feature("When the partner registers the customer as a person");
    let failing = feature("Then the request is refused");
    let mut codes = Vec::new();
    let mut last = None;
    for version in [&passing, &failing, &passing] {
        std::fs::write(dir.path().join("features/flips.feature"), version).unwrap();
        let out = run_in(dir.path(), &["run", "--client-secret", SECRET]);
        codes.push(out.status.code());
        last = Some(out);
        // Runs a millisecond apart still get their own record.
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = last.expect("three runs");
    let console = text(&out);
    assert_eq!(codes, [Some(0), Some(1), Some(0)], "{console}");

    assert!(
        console.contains("Flaky scenarios:\n  Flips › Sometimes it works (flips between passed and failed across runs)"),
        "{console}"
    );
    assert!(
        console.contains("1 passed (1 flaky), 0 failed"),
        "{console}"
    );
    let reports = dir.path().join("reports");
    assert_eq!(files_under(&reports.join("history")).len(), 3);
    let html = read(&reports.join("index.html"));
    assert!(
        html.contains("data-flaky=\"\""),
        "the scenario is marked flaky"
    );
    assert!(html.contains(
        "<span class=\"badge flaky\" title=\"flips between passed and failed across runs\">flaky</span>"
    ));
    let history = html
        .split("<span class=\"history\"")
        .nth(1)
        .expect("the scenario's last runs");
    let history = &history[..history.find("</span>").unwrap()];
    let squares: Vec<&str> = history
        .split("<i class=\"")
        .skip(1)
        .map(|i| &i[..i.find('"').unwrap()])
        .collect();
    assert_eq!(squares, ["passed", "failed", "passed now"]);
    let junit = read(&reports.join("junit.xml"));
    assert!(
        junit.contains("flaky: flips between passed and failed across runs"),
        "{junit}"
    );
}

/// A World of its own for the retry test: steps whose outcome depends on the attempt.
#[derive(Debug, Default, cucumber::World)]
struct Retried {
    key: Option<ScenarioKey>,
}

/// How many times the flaky step has run.
static FLAKY_RUNS: AtomicUsize = AtomicUsize::new(0);

impl runner::Journey for Retried {
    fn begin(&mut self, key: ScenarioKey) {
        self.key = Some(key);
    }

    fn finish(&mut self) -> Option<(ScenarioKey, Vec<Exchange>)> {
        // Each attempt hands over one exchange, numbered, to see that attempts keep their own.
        let exchange = Exchange {
            method: "GET".into(),
            url: format!(
                "http://127.0.0.1/v1/attempt/{}",
                FLAKY_RUNS.load(Ordering::SeqCst)
            ),
            status: Some(200),
            ..Exchange::default()
        };
        Some((self.key.take()?, vec![exchange]))
    }
}

#[given("a step that fails the first time")]
fn fails_the_first_time(_: &mut Retried) -> Result<(), String> {
    if FLAKY_RUNS.fetch_add(1, Ordering::SeqCst) == 0 {
        Err("the sandbox answered 503 this time".into())
    } else {
        Ok(())
    }
}

#[given("a step that always fails")]
fn always_fails(_: &mut Retried) -> Result<(), String> {
    Err("expected HTTP 201, got 400".into())
}

#[given("a step that passes")]
fn passes(_: &mut Retried) {}

#[given(regex = r"^an amount of (?P<cents>\d+) cents in (EUR|USD), written (\d+\.\d\d) (EUR|USD)$")]
fn an_amount(
    _: &mut Retried,
    cents: String,
    currency: String,
    written: String,
    written_currency: String,
) -> Result<(), String> {
    let cents: u64 = cents.parse().map_err(|e| format!("{e}"))?;
    let shown = format!("{}.{:02}", cents / 100, cents % 100);
    if shown == written && currency == written_currency {
        Ok(())
    } else {
        Err(format!(
            "{shown} {currency} is not {written} {written_currency}"
        ))
    }
}

#[given(regex = r"^a step (?:that is )?written twice$")]
fn written_twice(_: &mut Retried) {}

#[given("a step that is written twice")]
fn written_twice_again(_: &mut Retried) {}

/// Runs `feature` (the text of one feature file) with `Retried` steps, cucumber's `--retry 2`,
/// against a mock of its own; returns the exit code, the folder (kept while it lives) and the
/// report folder in it.
async fn run_retried(feature: &str) -> (i32, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("retried.feature");
    std::fs::write(&path, feature).unwrap();
    let feature = path;
    let reports = dir.path().join("reports");
    let mut cucumber = CucumberOpts::default();
    cucumber.runner.retry = Some(2);
    // A mock of our own, reached like any API.
    let defaults = MockConfig::default();
    let mock = solaris_conformance::mock::start(defaults.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("the mock starts");
    let config = RunConfig {
        paths: vec![feature],
        target: TargetChoice::Remote(Target {
            name: mock.base_url(),
            api_url: mock.base_url(),
            auth_url: mock.base_url(),
            client_id: defaults.client_id,
            client_secret: defaults.client_secret,
            simulation: false,
        }),
        report_dir: reports.clone(),
        snapshot_mode: SnapshotMode::Ci,
        cucumber,
        request_timeout: Duration::from_secs(10),
        scenario_timeout: std::time::Duration::from_secs(300),
        request_retries: 3,
        webhooks: Default::default(),
        reports: Default::default(),
        seed: None,
        shard: None,
        interrupt: Default::default(),
    };

    let code = runner::run::<Retried>(config).await;
    mock.shutdown().await;
    (code, dir, reports)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_are_found_with_their_captures_and_ambiguous_or_undefined_ones_fail_as_cucumber_says()
{
    let (code, _dir, reports) = run_retried(
        "Feature: Lookup\n\n  Scenario: Captures reach the step\n    Given an amount of 1250 cents in EUR, written 12.50 EUR\n    And an amount of 7 cents in USD, written 0.07 USD\n\n  Scenario: Ambiguous\n    Given a step that is written twice\n\n  Scenario: Undefined\n    Given a step nobody wrote\n",
    )
    .await;
    assert_eq!(code, runner::exit::FAILED);
    let junit = read(&reports.join("junit.xml"));
    let case = |name: &str| -> String {
        let case = junit
            .split(&format!("<testcase name=\"{name}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("the testcase {name} in {junit}"));
        case[..case.find("</testcase>").unwrap_or(case.len())].to_owned()
    };
    let captures = case("Captures reach the step");
    assert!(!captures.contains("<failure"), "{captures}");
    let ambiguous = case("Ambiguous");
    assert!(
        ambiguous.contains("more than one step definition matches this step: Possible matches:"),
        "{ambiguous}"
    );
    assert!(ambiguous.contains("^a step (?:that is )?written twice$ --&gt; tests/reports.rs:"));
    assert!(ambiguous.contains("^a step that is written twice$ --&gt; tests/reports.rs:"));
    assert_eq!(
        ambiguous.matches("<rerunFailure ").count(),
        2,
        "retried as a failure"
    );
    let undefined = case("Undefined");
    assert!(
        undefined.contains("no step definition matches this step (undefined step)"),
        "{undefined}"
    );
    assert!(
        !undefined.contains("<rerunFailure "),
        "an undefined step is not run again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_on_retry_is_reported_as_flaky_not_as_a_clean_pass() {
    let (code, _dir, reports) = run_retried(
        "Feature: Retried\n\n  Scenario: Passes on the second attempt\n    Given a step that fails the first time\n    And a step that passes\n\n  Scenario: Fails every time\n    Given a step that always fails\n\n  Scenario: Passes at once\n    Given a step that passes\n",
    )
    .await;
    assert_eq!(code, runner::exit::FAILED, "one scenario fails every time");
    let junit = read(&reports.join("junit.xml"));
    let flaky = junit
        .split("<testcase name=\"Passes on the second attempt\"")
        .nth(1)
        .expect("the flaky scenario's testcase");
    let flaky = &flaky[..flaky.find("</testcase>").unwrap()];
    assert!(!flaky.contains("<failure"), "{flaky}");
    assert_eq!(flaky.matches("<flakyFailure ").count(), 1, "{flaky}");
    assert!(
        flaky.contains("the sandbox answered 503 this time"),
        "{flaky}"
    );
    assert_eq!(junit.matches("<rerunFailure ").count(), 2, "{junit}");

    let html = read(&reports.join("index.html"));
    assert!(
        html.contains("<span class=\"n\">1</span>flaky"),
        "the summary counts it"
    );
    assert!(html.contains("<span class=\"badge flaky\" title=\"passed on retry\">flaky</span>"));
    assert!(html.contains("<summary>Attempt 1 of 2: failed after "));
    assert!(html.contains("<summary>Attempt 2 of 3: failed after "));
    assert!(
        html.contains("/v1/attempt/1"),
        "the failed attempt's own exchange"
    );

    let envelopes = validate_messages(
        &read(&reports.join("messages.ndjson")),
        npm_tools().as_deref(),
    );
    let started: Vec<u64> = envelopes
        .iter()
        .filter_map(|e| e["testCaseStarted"]["attempt"].as_u64())
        .collect();
    assert_eq!(
        started,
        [0, 1, 0, 1, 2, 0],
        "attempts, test case by test case"
    );
    let retried: Vec<bool> = envelopes
        .iter()
        .filter_map(|e| e["testCaseFinished"]["willBeRetried"].as_bool())
        .collect();
    assert_eq!(retried, [true, false, true, true, false, false]);
    assert_eq!(
        envelopes.last().unwrap()["testRunFinished"]["success"],
        false
    );
}

#[test]
fn retries_and_cucumbers_retry_are_one_setting() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = run_in(dir.path(), &["run", "--retries", "1", "--retry", "2"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("error: --retries 1 and --retry 2 disagree"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_messages_schema_check_refuses_a_broken_message() {
    let Some(tools) = npm_tools() else { return };
    let broken = [
        r#"{"testStepFinished":{"testCaseStartedId":"1","testStepId":"2","timestamp":{"seconds":0,"nanos":0},"testStepResult":{"status":"MAYBE","duration":{"seconds":0,"nanos":0}}}}"#,
        r#"{"testCaseFinished":{"testCaseStartedId":"1","timestamp":{"seconds":0,"nanos":0}}}"#,
        r#"{"pickle":{"id":"1"}}"#,
    ];
    let validator = messages_schema(&tools);
    for line in broken {
        let envelope: Value = serde_json::from_str(line).unwrap();
        assert!(
            !schema_errors(&validator, &envelope).is_empty(),
            "the schema check let through {line}"
        );
    }
}

// --- The Cucumber Compatibility Kit -----------------------------------------------------------

/// One sample of the kit: its feature files (uri → text) and its expected messages.
struct Sample {
    name: String,
    /// The command-line arguments the kit ran the sample with.
    arguments: String,
    sources: Vec<(String, String)>,
    messages: Vec<Value>,
}

fn samples(tools: &Path) -> Vec<Sample> {
    let root = tools.join("node_modules/@cucumber/compatibility-kit/features");
    let mut samples = Vec::new();
    for dir in files_under(&root)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
    {
        let messages: Vec<Value> = read(dir)
            .lines()
            .map(|l| serde_json::from_str(l).expect("the kit's messages are JSON"))
            .collect();
        let sources: Vec<(String, String)> = messages
            .iter()
            .filter_map(|m| m.get("source"))
            .filter(|s| s["mediaType"] == "text/x.cucumber.gherkin+plain")
            .map(|s| {
                (
                    s["uri"].as_str().unwrap_or_default().to_owned(),
                    s["data"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let name = dir.file_stem().unwrap().to_string_lossy().into_owned();
        let arguments =
            std::fs::read_to_string(dir.with_file_name(format!("{name}.arguments.txt")))
                .unwrap_or_default();
        samples.push(Sample {
            name,
            arguments,
            sources,
            messages,
        });
    }
    assert!(samples.len() > 20, "the kit has its samples");
    samples
}

fn is_id_key(key: &str) -> bool {
    key == "id" || key.ends_with("Id") || key.ends_with("Ids")
}

/// The messages with every id replaced by its order of first appearance (keys visited in
/// sorted order), so two streams that differ only in how they number things compare equal.
fn renumber(messages: &[Value]) -> Vec<Value> {
    fn walk(v: &Value, key: Option<&str>, ids: &mut HashMap<String, String>) -> Value {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), walk(&map[k], Some(k), ids)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, key, ids)).collect()),
            Value::String(s) if key.is_some_and(is_id_key) => {
                let next = format!("#{}", ids.len());
                Value::String(ids.entry(s.clone()).or_insert(next).clone())
            }
            other => other.clone(),
        }
    }
    let mut ids = HashMap::new();
    messages.iter().map(|m| walk(m, None, &mut ids)).collect()
}

#[test]
fn gherkin_documents_and_pickles_match_the_compatibility_kit() {
    let Some(tools) = npm_tools() else { return };
    let mut compared = 0;
    for sample in samples(&tools) {
        for (uri, source) in &sample.sources {
            let expected: Vec<Value> = sample
                .messages
                .iter()
                .filter(|m| {
                    m["gherkinDocument"]["uri"] == uri.as_str()
                        || m["pickle"]["uri"] == uri.as_str()
                })
                .cloned()
                .collect();
            let mut ids = Ids::default();
            let doc = document::parse(uri, source, &mut ids);
            let pickles = document::pickles(&doc, &mut ids);
            let mut ours = vec![serde_json::json!({ "gherkinDocument": doc })];
            ours.extend(pickles.iter().map(|p| serde_json::json!({ "pickle": p })));
            let (ours, expected) = (renumber(&ours), renumber(&expected));
            for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
                assert_eq!(a, b, "{} ({uri}): message {i} differs", sample.name);
            }
            assert_eq!(
                ours.len(),
                expected.len(),
                "{} ({uri}): pickles",
                sample.name
            );
            compared += 1;
        }
    }
    assert!(compared > 30, "only {compared} feature files compared");
}

/// Whether the runner can take part in a sample: no hooks (the runner's are not Gherkin's),
/// no pending steps or parameter types it does not have, no parse errors, no options it does
/// not have (`--order reverse`, `--error`).
fn applies(sample: &Sample) -> bool {
    !sample.sources.is_empty()
        && !sample.arguments.contains("--order")
        && !sample.arguments.contains("--error")
        && sample.messages.iter().all(|m| {
            let k = kind(m);
            !matches!(
                k,
                "hook" | "testRunHookStarted" | "undefinedParameterType" | "parseError"
            ) && m["testStepFinished"]["testStepResult"]["status"] != "PENDING"
                && m["testRunFinished"].get("exception").is_none()
        })
}

/// The report a runner with the kit's step definitions would have collected: built from the
/// kit's own results, so the runner's writer can be compared with the kit's stream.
fn report_from(sample: &Sample) -> RunReport {
    let by = |kind: &str| -> Vec<&Value> {
        sample.messages.iter().filter_map(|m| m.get(kind)).collect()
    };
    let definitions: Vec<&Value> = by("stepDefinition");
    let definition_index: HashMap<&str, usize> = definitions
        .iter()
        .enumerate()
        .map(|(i, d)| (d["id"].as_str().unwrap_or_default(), i))
        .collect();
    let pickles: HashMap<&str, &Value> = by("pickle")
        .into_iter()
        .map(|p| (p["id"].as_str().unwrap_or_default(), p))
        .collect();
    let starts: Vec<&Value> = by("testCaseStarted");
    let results: HashMap<(&str, &str), &Value> = by("testStepFinished")
        .into_iter()
        .map(|f| {
            (
                (
                    f["testCaseStartedId"].as_str().unwrap_or_default(),
                    f["testStepId"].as_str().unwrap_or_default(),
                ),
                &f["testStepResult"],
            )
        })
        .collect();

    let mut features: Vec<FeatureReport> = Vec::new();
    let mut ours = HashMap::new();
    for (uri, source) in &sample.sources {
        let mut ids = Ids::default();
        let doc = document::parse(uri, source, &mut ids);
        for p in document::pickles(&doc, &mut ids) {
            ours.insert((uri.clone(), p.location.line), p);
        }
        features.push(FeatureReport {
            name: doc
                .feature
                .as_ref()
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            path: uri.clone(),
            source: Some(source.clone()),
            ..FeatureReport::default()
        });
    }

    for case in by("testCase") {
        let pickle = pickles[case["pickleId"].as_str().unwrap_or_default()];
        let uri = pickle["uri"].as_str().unwrap_or_default().to_owned();
        let line = pickle["location"]["line"].as_u64().unwrap_or_default() as usize;
        let our = &ours[&(uri.clone(), line)];
        let attempts: Vec<&Value> = starts
            .iter()
            .copied()
            .filter(|s| s["testCaseId"] == case["id"])
            .collect();
        let mut runs: Vec<(Status, Vec<StepReport>)> = Vec::new();
        for attempt in &attempts {
            let started = attempt["id"].as_str().unwrap_or_default();
            let mut status = Status::Passed;
            let mut steps = Vec::new();
            for test_step in case["testSteps"].as_array().into_iter().flatten() {
                let Some(pickle_step) = test_step["pickleStepId"].as_str() else {
                    continue;
                };
                let index = pickle["steps"]
                    .as_array()
                    .and_then(|s| s.iter().position(|p| p["id"] == pickle_step))
                    .expect("the pickle step");
                let ps = &our.steps[index];
                let result = results[&(started, test_step["id"].as_str().unwrap_or_default())];
                let step_status = match result["status"].as_str().unwrap_or_default() {
                    "PASSED" => Status::Passed,
                    "SKIPPED" => Status::Skipped,
                    _ => Status::Failed,
                };
                if step_status == Status::Failed {
                    status = Status::Failed;
                } else if step_status == Status::Skipped && status == Status::Passed {
                    status = Status::Skipped;
                }
                let matches = test_step["stepDefinitionIds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|id| StepMatch {
                        definition: definition_index[id.as_str().unwrap_or_default()],
                        arguments: Vec::new(),
                    })
                    .collect();
                steps.push(StepReport {
                    keyword: ps.keyword.clone(),
                    text: ps.text.clone(),
                    line: ps.line,
                    status: step_status,
                    duration: Duration::ZERO,
                    table: None,
                    docstring: None,
                    error: result["message"].as_str().map(str::to_owned),
                    background: ps.background,
                    matches,
                });
            }
            runs.push((status, steps));
        }
        let (status, steps) = runs.pop().expect("at least one attempt");
        let feature = features
            .iter_mut()
            .find(|f| f.path == uri)
            .expect("its feature");
        feature.scenarios.in_memory().unwrap().push(ScenarioReport {
            name: our.name.clone(),
            line: our.runner_line,
            tags: Vec::new(),
            rule: None,
            status,
            duration: Duration::ZERO,
            steps,
            exchanges: Vec::new(),
            reason: None,
            started: Duration::ZERO,
            retried: runs
                .into_iter()
                .map(|(status, steps)| Attempt {
                    status,
                    started: Duration::ZERO,
                    duration: Duration::ZERO,
                    steps,
                    exchanges: Vec::new(),
                    reason: None,
                })
                .collect(),
            flaky: None,
            history: Vec::new(),
        });
    }
    RunReport {
        target: "compatibility kit".into(),
        started_at: "1970-01-01T00:00:00.000Z".into(),
        features,
        step_definitions: definitions
            .iter()
            .map(|d| StepDefinition {
                keyword: "Given".into(),
                pattern: d["pattern"]["source"].as_str().unwrap_or_default().into(),
                file: d["sourceReference"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                line: d["sourceReference"]["location"]["line"]
                    .as_u64()
                    .unwrap_or(1) as usize,
                column: 1,
            })
            .collect(),
        ..RunReport::default()
    }
}

/// What a stream says about execution, without ids, times and texts: which pickle each test
/// case runs and which definitions match its steps, then per attempt the steps' statuses and
/// whether it will be retried, and the run's success.
fn skeleton(messages: &[Value]) -> Vec<String> {
    let mut pickle_index = HashMap::new();
    let mut step_index = HashMap::new();
    let mut test_steps = HashMap::new();
    let mut case_pickle = HashMap::new();
    let mut started_case = HashMap::new();
    let mut out = Vec::new();
    for m in messages {
        match kind(m) {
            "pickle" => {
                let p = &m["pickle"];
                pickle_index.insert(p["id"].to_string(), pickle_index.len());
                for (i, s) in p["steps"].as_array().into_iter().flatten().enumerate() {
                    step_index.insert(s["id"].to_string(), i);
                }
            }
            "testCase" => {
                let c = &m["testCase"];
                let pickle = pickle_index[&c["pickleId"].to_string()];
                case_pickle.insert(c["id"].to_string(), pickle);
                let steps: Vec<String> = c["testSteps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| s.get("pickleStepId").is_some())
                    .map(|s| {
                        test_steps.insert(
                            s["id"].to_string(),
                            step_index[&s["pickleStepId"].to_string()],
                        );
                        format!(
                            "step {} ({} definitions)",
                            step_index[&s["pickleStepId"].to_string()],
                            s["stepDefinitionIds"].as_array().map_or(0, Vec::len)
                        )
                    })
                    .collect();
                out.push(format!("case of pickle {pickle}: {}", steps.join(", ")));
            }
            "testCaseStarted" => {
                let s = &m["testCaseStarted"];
                let pickle = case_pickle[&s["testCaseId"].to_string()];
                started_case.insert(s["id"].to_string(), pickle);
                out.push(format!("pickle {pickle} attempt {}", s["attempt"]));
            }
            "testStepFinished" => {
                let f = &m["testStepFinished"];
                if let Some(step) = test_steps.get(&f["testStepId"].to_string()) {
                    out.push(format!("  step {step}: {}", f["testStepResult"]["status"]));
                }
            }
            "testCaseFinished" => {
                out.push(format!(
                    "  retried: {}",
                    m["testCaseFinished"]["willBeRetried"]
                ));
            }
            "testRunFinished" => {
                out.push(format!("success: {}", m["testRunFinished"]["success"]));
            }
            _ => {}
        }
    }
    out
}

#[test]
fn execution_messages_match_the_compatibility_kit_where_the_runner_applies() {
    let Some(tools) = npm_tools() else { return };
    let meta = Meta {
        os: "linux".into(),
        cpu: "x86_64".into(),
        ci: None,
    };
    let mut compared = Vec::new();
    for sample in samples(&tools).iter().filter(|s| applies(s)) {
        let ndjson = messages::to_ndjson_with(&report_from(sample), &meta);
        let ours = validate_messages(&ndjson, Some(&tools));
        assert_eq!(
            skeleton(&ours),
            skeleton(&sample.messages),
            "{}: the execution messages differ",
            sample.name
        );
        compared.push(sample.name.clone());
    }
    eprintln!("compared with the kit: {}", compared.join(", "));
    for expected in [
        "minimal",
        "retry",
        "examples-tables",
        "rules",
        "data-tables",
        "undefined",
    ] {
        assert!(
            compared.iter().any(|c| c == expected),
            "{expected} was not compared: {compared:?}"
        );
    }
}
