//! The binary as a user meets it: exit codes, messages and reports for good and broken input.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_solaris-conformance");

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("SOLARIS_CLIENT_ID")
        .env_remove("SOLARIS_CLIENT_SECRET")
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

/// `reports/run.json` of a run in `dir`.
fn run_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("reports/run.json")).expect("run.json"))
        .expect("run.json is JSON")
}

fn write_feature(dir: &Path, name: &str, body: &str) {
    std::fs::create_dir_all(dir.join("features")).expect("features folder");
    std::fs::write(dir.join("features").join(name), body).expect("feature written");
}

/// A temporary folder with `features/any.feature`: one scenario whose one step sends nothing.
fn one_scenario_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "any.feature",
        "Feature: Any\n\n  Scenario: one\n    Given a German retail customer who agreed to every legal screen\n",
    );
    dir
}

/// A mock served by the binary; killed when dropped.
struct ServedMock {
    child: Child,
    url: String,
}

impl ServedMock {
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// A served mock with extra `mock` arguments (e.g. `--faults`).
    fn start_with(extra: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["mock", "--port", "0"])
            .args(extra)
            .env_remove("SOLARIS_CLIENT_ID")
            .env_remove("SOLARIS_CLIENT_SECRET")
            .stdout(Stdio::piped())
            .spawn()
            .expect("mock starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("a first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the `listening on` line")
            .to_string();
        ServedMock { child, url }
    }
}

impl Drop for ServedMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_feature_file_with_a_syntax_error_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "broken.feature",
        "Feature: Broken\n\n  Scenario: half\n    Given something\n    Thne a typo\n",
    );
    let out = run_in(dir.path(), &["run"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("broken.feature:5"), "{all}");
    assert!(all.contains("`Thne` is not a Gherkin keyword"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn a_ragged_table_exits_2_pointing_at_the_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "table.feature",
        "Feature: Tables\n\n  Scenario: ragged\n    Given a table\n      | a | b |\n      | 1 |\n",
    );
    let out = run_in(dir.path(), &["run"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("table.feature:6"), "{all}");
}

#[test]
fn an_outline_placeholder_without_a_column_exits_2_pointing_at_the_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "outline.feature",
        "Feature: Outlines\n\n  Scenario Outline: a <country> customer\n    Given a customer from <branch>\n\n    Examples:\n      | country |\n      | DE      |\n",
    );
    let out = run_in(dir.path(), &["run"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(
            "error: the placeholder <branch> names no column of its Examples (they are <country>)"
        ),
        "{all}"
    );
    assert!(all.contains("outline.feature:4:5"), "{all}");
}

#[test]
fn a_missing_feature_path_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["run", "no/such/features"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no feature file or folder at no/such/features"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_unreachable_target_exits_3_with_one_clear_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "any.feature",
        "Feature: Any\n\n  Scenario: one\n    Then the request is refused\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            "http://127.0.0.1:9",
            "--client-id",
            "x",
            "--client-secret",
            "y",
            "--timeout",
            "5",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(
        all.contains("could not reach http://127.0.0.1:9/oauth2/token"),
        "{all}"
    );
}

#[test]
fn a_remote_target_without_credentials_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["run", "--target", "sandbox"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("SOLARIS_CLIENT_ID"), "{}", text(&out));
}

#[test]
fn a_wrong_client_secret_exits_3_and_never_prints_the_secret() {
    let mock = ServedMock::start();
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "any.feature",
        "Feature: Any\n\n  Scenario: one\n    Then the request is refused\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            &mock.url,
            "--client-id",
            "mock-client",
            "--client-secret",
            "not-the-secret-42",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("refused the client credentials"), "{all}");
    assert!(!all.contains("not-the-secret-42"), "{all}");
}

#[test]
fn a_failing_and_an_undefined_step_exit_1_with_file_and_line() {
    let mock = ServedMock::start();
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "failing.feature",
        "Feature: Failing\n\n  Scenario: nothing was sent\n    Then the request is refused\n\n  Scenario: undefined\n    Given a step nobody wrote\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            &mock.url,
            "--client-id",
            "mock-client",
            "--client-secret",
            "mock-secret",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("failing.feature:4"), "{all}");
    assert!(all.contains("no request has been sent yet"), "{all}");
    assert!(all.contains("failing.feature:7"), "{all}");
    assert!(all.contains("no step definition matches"), "{all}");
    assert!(all.contains("0 passed, 2 failed"), "{all}");
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit.xml");
    assert_eq!(junit.matches("<failure").count(), 2, "{junit}");
}

#[test]
fn a_tag_filter_that_matches_nothing_exits_2() {
    let mock = ServedMock::start();
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "tagged.feature",
        "Feature: Tagged\n\n  @simulation\n  Scenario: one\n    Then the request is refused\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            &mock.url,
            "--client-id",
            "mock-client",
            "--client-secret",
            "mock-secret",
            "--tags",
            "@nothing",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no scenario matched"), "{}", text(&out));
}

#[test]
fn the_mock_prints_its_listening_line_and_answers_the_token_endpoint() {
    let mock = ServedMock::start();
    assert!(mock.url.starts_with("http://127.0.0.1:"), "{}", mock.url);
    let port: u16 = mock
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port");
    assert_ne!(port, 0);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["run", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            "ftp://example.com",
            "--client-id",
            "a",
            "--client-secret",
            "b",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn a_configuration_with_an_unknown_key_exits_2_naming_file_and_line() {
    let dir = one_scenario_project();
    std::fs::write(
        dir.path().join("conformance.yaml"),
        "run:\n  concurrency: 2\n  colour: blue\n",
    )
    .expect("config");
    let out = run_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("conformance.yaml:3:"), "{}", text(&out));
    assert!(text(&out).contains("colour"), "{}", text(&out));
}

#[test]
fn a_named_target_takes_its_credentials_from_the_variables_it_names() {
    let mock = ServedMock::start();
    let dir = one_scenario_project();
    let yaml = format!(
        "target: local\ntargets:\n  local:\n    api_url: {}\n    client_id_env: MY_ID\n    client_secret_env: MY_SECRET\nrun:\n  report_dir: out\n",
        mock.url
    );
    std::fs::write(dir.path().join("conformance.yaml"), yaml).expect("config");
    // The variables are not set: a clear usage error naming the variable.
    let out = run_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("MY_ID"), "{}", text(&out));
    // Set, the run goes to the named target and writes where the file says.
    let out = Command::new(BIN)
        .arg("run")
        .current_dir(dir.path())
        .env_remove("SOLARIS_CLIENT_ID")
        .env_remove("SOLARIS_CLIENT_SECRET")
        .env("MY_ID", "mock-client")
        .env("MY_SECRET", "mock-secret")
        .env("CI", "true")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("target: {}", mock.url)),
        "{}",
        text(&out)
    );
    assert!(dir.path().join("out/junit.xml").exists());
}

#[test]
fn a_bad_fault_spec_exits_2() {
    let out = Command::new(BIN)
        .args(["mock", "--faults", "error-rate=2"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("between 0 and 1"), "{}", text(&out));
}

#[test]
fn a_slow_mock_gives_the_same_verdicts() {
    let mock = ServedMock::start_with(&["--faults", "latency=5ms"]);
    let url = mock.url.clone();
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features/onboarding");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(
        dir.path(),
        &[
            "run",
            features,
            "--target",
            &url,
            "--client-id",
            "mock-client",
            "--client-secret",
            "mock-secret",
        ],
    );
    drop(mock);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn shards_run_every_scenario_once_and_merge_into_one_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features/onboarding");
    let mut total = 0;
    for k in 1..=3 {
        let out_dir = format!("s{k}");
        let out = run_in(
            dir.path(),
            &[
                "run",
                features,
                "--shard",
                &format!("{k}/3"),
                "--report-dir",
                &out_dir,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let junit = std::fs::read_to_string(dir.path().join(&out_dir).join("junit.xml"))
            .unwrap_or_default();
        total += junit.matches("<testcase").count();
    }
    assert_eq!(total, 23, "the onboarding feature has 23 scenarios");
    let out = run_in(
        dir.path(),
        &["report", "merge", "s1", "s2", "s3", "--out", "all"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("23 passed, 0 failed"), "{}", text(&out));
    let merged = std::fs::read_to_string(dir.path().join("all/junit.xml")).expect("merged junit");
    assert_eq!(merged.matches("<testcase").count(), 23);
    // `--report-dir`, as `run` names it, says where the merged report goes too.
    let out = run_in(
        dir.path(),
        &[
            "report",
            "merge",
            "s1",
            "s2",
            "s3",
            "--report-dir",
            "joined",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        dir.path().join("joined/junit.xml").is_file(),
        "{}",
        text(&out)
    );
    // A folder without a run is a clear usage error.
    let out = run_in(dir.path(), &["report", "merge", "nowhere"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("nowhere/run.json"), "{}", text(&out));
}

#[test]
fn a_scenario_that_outlives_its_timeout_fails_saying_so() {
    let mock = ServedMock::start_with(&["--faults", "latency=3s"]);
    let url = mock.url.clone();
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "slow.feature",
        "Feature: Slow\n\n  Scenario: one\n    Given a German retail customer who agreed to every legal screen\n    When the partner registers the customer as a person\n",
    );
    let started = std::time::Instant::now();
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            &url,
            "--client-id",
            "mock-client",
            "--client-secret",
            "mock-secret",
            "--scenario-timeout",
            "1",
        ],
    );
    drop(mock);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("reached its 1 s timeout"), "{all}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "the scenario was cut at 1 s"
    );
}

#[test]
fn the_configuration_chooses_the_report_formats_and_what_they_hide() {
    let dir = one_scenario_project();
    std::fs::write(
        dir.path().join("conformance.yaml"),
        "run:\n  formats: [junit]\n  redact: [first_name]\n",
    )
    .expect("config");
    let out = run_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reports = dir.path().join("reports");
    assert!(reports.join("junit.xml").exists());
    assert!(
        reports.join("run.json").exists(),
        "run.json is always written"
    );
    assert!(
        !reports.join("index.html").exists(),
        "only the chosen formats"
    );
    std::fs::write(
        dir.path().join("conformance.yaml"),
        "run:\n  formats: [pdf]\n",
    )
    .expect("config");
    let out = run_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("`pdf` is not a report format"),
        "{}",
        text(&out)
    );
}

/// A target with an OAuth2 server and nothing else, like a sandbox without the simulation
/// controls: tokens for anyone, 404 for everything else. Serves until the test ends.
fn bare_target() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let (status, body) = if request.starts_with(b"POST /oauth2/token") {
                (
                    "200 OK",
                    r#"{"access_token":"t","token_type":"bearer","expires_in":3600}"#,
                )
            } else {
                (
                    "404 Not Found",
                    r#"{"errors":[{"id":"x","status":404,"code":"not_found","title":"Not Found","detail":"no such route"}]}"#,
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn simulation_scenarios_on_a_target_without_the_controls_are_not_applicable_with_the_reason() {
    let url = bare_target();
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "sandbox.feature",
        "Feature: Sandbox\n\n  Scenario: runs anywhere\n    Given a German retail customer who agreed to every legal screen\n\n  @simulation\n  Scenario Outline: moves the clock <n>\n    Given a German retail customer who agreed to every legal screen\n\n    Examples:\n      | n |\n      | 1 |\n      | 2 |\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "run",
            "--target",
            &url,
            "--client-id",
            "someone",
            "--client-secret",
            "anything",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("1 passed, 0 failed, 2 not applicable"),
        "{all}"
    );
    let run = run_json(dir.path());
    let mut scenarios: Vec<(String, String, String)> = run["features"][0]["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
                s["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    scenarios.sort();
    let reason = format!("needs the simulation controls (@simulation), which {url} does not offer");
    assert_eq!(
        scenarios,
        [
            (
                "moves the clock 1 (n: 1)".into(),
                "NotApplicable".into(),
                reason.clone()
            ),
            (
                "moves the clock 2 (n: 2)".into(),
                "NotApplicable".into(),
                reason
            ),
            ("runs anywhere".into(), "Passed".into(), String::new()),
        ]
    );
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit.xml");
    assert_eq!(junit.matches("<skipped").count(), 2, "{junit}");
}

/// Ctrl-C (SIGINT) in the middle of a run: no further scenario starts, the ones under way
/// finish, every report is written with what ran and says the run was stopped, and the exit
/// code is 130.
#[cfg(unix)]
#[test]
fn an_interrupted_run_writes_what_ran_says_so_and_exits_130() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows: String = (1..=5000).map(|n| format!("      | {n} |\n")).collect();
    write_feature(
        dir.path(),
        "many.feature",
        &format!(
            "Feature: Many\n\n  Scenario Outline: registers customer <n>\n    Given a German retail customer who agreed to every legal screen\n    When the partner registers the customer as a person\n    Then the person is registered\n\n    Examples:\n      | n |\n{rows}"
        ),
    );
    let mut child = Command::new(BIN)
        .arg("run")
        .current_dir(dir.path())
        .env_remove("SOLARIS_CLIENT_ID")
        .env_remove("SOLARIS_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    // Once the first scenario has finished, the run is under way.
    while !line.trim_start().starts_with("ok ") {
        line.clear();
        assert!(
            out.read_line(&mut line).expect("stdout") > 0,
            "the run ended before a scenario finished"
        );
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).expect("stdout");
    let output = child.wait_with_output().expect("the run ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}\n{rest}");
    assert!(
        stderr.contains("interrupted: the run was stopped after"),
        "{stderr}"
    );
    let run = run_json(dir.path());
    let ran = run["features"][0]["scenarios"]
        .as_array()
        .expect("scenarios")
        .len();
    assert!(ran > 0 && ran < 5000, "{ran} scenarios ran");
    // Those queued when the signal came sent nothing and are left out, not failed.
    let failed: Vec<&serde_json::Value> = run["features"][0]["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["status"] != "Passed")
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(
        run["interrupted"],
        format!("stopped after {ran} of 5000 scenarios"),
        "{rest}"
    );
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit.xml");
    assert!(junit.contains("<property name=\"interrupted\""), "{junit}");
    assert_eq!(junit.matches("<testcase").count(), ran);
    let html = std::fs::read_to_string(dir.path().join("reports/index.html")).expect("html");
    assert!(html.contains("stopped early"));
}

/// A subscription to an event the run needs, held for another URL (another run's, or one a
/// killed run left on a shared mock), is left alone and named; a target whose profile says
/// `replace_subscriptions: true` takes it over.
#[test]
fn a_subscription_held_elsewhere_is_taken_over_only_when_the_target_says_so() {
    use solaris_conformance::client::receiver::Receiver;
    use solaris_conformance::client::{ApiClient, Target, subscriptions};

    let mock = ServedMock::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let held = runtime.block_on(async {
        let elsewhere = Receiver::start("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("receiver");
        let target = Target {
            name: mock.url.clone(),
            api_url: mock.url.clone(),
            auth_url: mock.url.clone(),
            client_id: "mock-client".into(),
            client_secret: "mock-secret".into(),
            simulation: true,
        };
        let client = ApiClient::new(target, std::time::Duration::from_secs(5)).expect("client");
        subscriptions::subscribe(&client, "IDENTIFICATION", &elsewhere.local_url(), false)
            .await
            .expect("held elsewhere")
            .id
    });
    let dir = tempfile::tempdir().expect("temp dir");
    write_feature(
        dir.path(),
        "webhook.feature",
        "Feature: A webhook\n\n  Background:\n    Given a German retail customer who agreed to every legal screen\n    And the customer is registered as a person\n\n  Scenario: The identification is announced\n    When the partner starts a video identification with IDnow in \"DE\"\n    And the partner requests the video identification\n    Then within 5 seconds the partner receives an IDENTIFICATION webhook for the customer whose \"status\" is \"pending\"\n",
    );
    let config = |replace: bool| {
        format!(
            "target: shared\ntargets:\n  shared:\n    api_url: {}\n    client_id_env: MY_ID\n    client_secret_env: MY_SECRET\n    replace_subscriptions: {replace}\n",
            mock.url
        )
    };
    let run = || {
        Command::new(BIN)
            .args(["run", "--report-dir", "out"])
            .current_dir(dir.path())
            .env("MY_ID", "mock-client")
            .env("MY_SECRET", "mock-secret")
            .env("CI", "true")
            .output()
            .expect("runs")
    };

    std::fs::write(dir.path().join("conformance.yaml"), config(false)).expect("config");
    let out = run();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    for part in [held.as_str(), "--replace-subscriptions"] {
        assert!(text(&out).contains(part), "{part} in: {}", text(&out));
    }

    std::fs::write(dir.path().join("conformance.yaml"), config(true)).expect("config");
    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("webhooks: deleted the subscription {held}")),
        "{}",
        text(&out)
    );
}
