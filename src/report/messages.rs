//! Cucumber Messages: [`to_ndjson`] renders a [`RunReport`] as the newline-delimited JSON
//! stream the Cucumber ecosystem reads (`@cucumber/html-formatter`, Allure, ReportPortal).
//!
//! The stream holds, in order: `meta`; per feature its `source`, `gherkinDocument` and one
//! `pickle` per scenario that ran (per Examples row); a `stepDefinition` per step definition;
//! `testRunStarted`; a `testCase` per pickle; then for each attempt of each test case
//! `testCaseStarted`, per step `testStepStarted`, a failed attempt's HTTP exchanges as
//! `attachment`s (on its failed step), `testStepFinished`, and `testCaseFinished`
//! (`willBeRetried` on every attempt but the last); finally `testRunFinished`.
//!
//! Timestamps come from the run's start plus each attempt's start and its steps' durations.
//! A not-applicable scenario is a test case whose steps are all `SKIPPED`, the first saying why.
//! Steps no definition matches are `UNDEFINED`, steps several match are `AMBIGUOUS`.

use std::borrow::Cow;
use std::io;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::document::{self, Ids, Pickle};
use super::model::{
    Attempt, Exchange, FeatureReport, RunReport, ScenarioReport, Status, StepReport,
};
use super::{ReportError, transcript, url_path};
use crate::json::{write_list, write_str, write_strs, write_uint};

/// The version of the Cucumber Messages protocol the stream follows (and is tested against).
pub const PROTOCOL_VERSION: &str = "34.2.1";

/// What `meta` says about where the run happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub os: String,
    pub cpu: String,
    /// The CI system, from its environment variables: `{ name, url?, buildNumber?, git? }`.
    pub ci: Option<Value>,
}

impl Meta {
    /// This machine, and the CI system if the environment names one.
    pub fn current() -> Self {
        Meta {
            os: std::env::consts::OS.to_owned(),
            cpu: std::env::consts::ARCH.to_owned(),
            ci: ci_from(|name| std::env::var(name).ok().filter(|v| !v.is_empty())),
        }
    }
}

/// The CI product named by the environment, as `meta.ci` describes it. Only variables that
/// carry no credentials are read.
fn ci_from(var: impl Fn(&str) -> Option<String>) -> Option<Value> {
    let with = |mut ci: serde_json::Map<String, Value>, key: &str, value: Option<String>| {
        if let Some(v) = value {
            ci.insert(key.to_owned(), Value::String(v));
        }
        ci
    };
    if var("GITHUB_ACTIONS").is_some() {
        let server = var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_owned());
        let repository = var("GITHUB_REPOSITORY");
        let mut ci = serde_json::Map::new();
        ci.insert("name".into(), "GitHub Actions".into());
        let url = repository
            .as_ref()
            .zip(var("GITHUB_RUN_ID"))
            .map(|(r, id)| format!("{server}/{r}/actions/runs/{id}"));
        let mut ci = with(ci, "url", url);
        ci = with(ci, "buildNumber", var("GITHUB_RUN_NUMBER"));
        if let (Some(r), Some(sha)) = (repository, var("GITHUB_SHA")) {
            let mut git = json!({ "remote": format!("{server}/{r}.git"), "revision": sha });
            if let Some(branch) = var("GITHUB_REF_NAME") {
                git["branch"] = branch.into();
            }
            ci.insert("git".into(), git);
        }
        return Some(Value::Object(ci));
    }
    if var("GITLAB_CI").is_some() {
        let mut ci = serde_json::Map::new();
        ci.insert("name".into(), "GitLab".into());
        let ci = with(ci, "url", var("CI_PIPELINE_URL"));
        return Some(Value::Object(with(
            ci,
            "buildNumber",
            var("CI_PIPELINE_IID"),
        )));
    }
    if var("JENKINS_URL").is_some() {
        let mut ci = serde_json::Map::new();
        ci.insert("name".into(), "Jenkins".into());
        let ci = with(ci, "url", var("BUILD_URL"));
        return Some(Value::Object(with(ci, "buildNumber", var("BUILD_NUMBER"))));
    }
    None
}

/// The whole run as Cucumber Messages, one JSON object per line (ending with a newline).
pub fn to_ndjson(report: &RunReport) -> String {
    to_ndjson_with(report, &Meta::current())
}

/// [`to_ndjson`] with the `meta` given, for tests that need the same bytes on every machine.
pub fn to_ndjson_with(report: &RunReport, meta: &Meta) -> String {
    to_ndjson_keeping(report, meta, KEPT_PICKLES, true)
}

/// [`to_ndjson_with`], keeping up to `room` pickles from the first pass, in one pass over the
/// scenarios or two.
fn to_ndjson_keeping(report: &RunReport, meta: &Meta, room: usize, one_pass: bool) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_ndjson_keeping(report, meta, &mut out, room, one_pass);
    String::from_utf8(out).unwrap_or_default()
}

/// Streams [`to_ndjson_with`] to `out`, a few messages at a time, so a suite of any size is
/// never held whole in memory.
fn write_ndjson(report: &RunReport, meta: &Meta, out: &mut dyn io::Write) -> io::Result<()> {
    write_ndjson_keeping(report, meta, out, KEPT_PICKLES, true)
}

/// [`write_ndjson`], keeping up to `room` pickles of the first pass for the test cases,
/// rather than making them again from the Gherkin (see [`KEPT_PICKLES`]). With `one_pass`,
/// the test cases and their execution are written in one pass over the scenarios (the
/// execution into a temporary file first); without it, or without a temporary file, in two.
fn write_ndjson_keeping(
    report: &RunReport,
    meta: &Meta,
    out: &mut dyn io::Write,
    mut room: usize,
    one_pass: bool,
) -> io::Result<()> {
    let mut out = Stream::new(out);
    let mut ids = Ids::default();

    let mut product = json!({
        "protocolVersion": PROTOCOL_VERSION,
        "implementation": { "name": "solaris-conformance", "version": env!("CARGO_PKG_VERSION") },
        "runtime": { "name": "Rust (cucumber-rs)", "version": "0.23" },
        "os": { "name": meta.os },
        "cpu": { "name": meta.cpu },
    });
    if let Some(ci) = &meta.ci {
        product["ci"] = ci.clone();
    }
    out.push("meta", product);

    // Sources, documents and the pickles of the scenarios that are in the report. The ids at
    // the start of each document are kept: the pickles are made again, with the same ids, for
    // the test cases and their execution below, so that no pass holds every scenario.
    let mut documents: Vec<(&FeatureReport, &str, Ids, Option<Vec<Pickle>>)> = Vec::new();
    let mut case_ids = 0;
    for feature in &report.features {
        let Some(source) = &feature.source else {
            // The file could not be read again: its scenarios cannot be described.
            continue;
        };
        let uri = feature.path.trim_start_matches("./");
        out.push(
            "source",
            json!({ "uri": uri, "data": source, "mediaType": "text/x.cucumber.gherkin+plain" }),
        );
        let at = ids.clone();
        let doc = document::parse(uri, source, &mut ids);
        out.push("gherkinDocument", &doc);
        let mut lines = feature.scenarios.briefs().map(|b| b.line).peekable();
        // Only the pickles of the report's scenarios are kept (the others make no test case),
        // and a feature with more scenarios than there is room for keeps none: its pickles are
        // made again, one at a time, for each pass after this one.
        let mut kept = (feature.scenarios.len() <= room).then(Vec::new);
        document::for_each_pickle(&doc, &mut ids, &mut |pickle| {
            if next_with_line(&mut lines, |l| *l, pickle.runner_line).is_some() {
                // Its test case takes an id, and one per step.
                case_ids += 1 + pickle.steps.len();
                out.push_written("pickle", &pickle);
                if let Some(kept) = kept.as_mut() {
                    kept.push(slim(pickle));
                }
            }
        });
        // At most one pickle per report line was kept: no more than the feature's scenarios.
        let taken = kept.as_ref().map_or(0, Vec::len);
        debug_assert!(taken <= room, "{taken} pickles kept with room for {room}");
        room -= taken.min(room);
        documents.push((feature, source, at, kept));
    }
    let cases = |each: &mut dyn FnMut(&Pickle, &ScenarioReport)| {
        for (feature, source, at, kept) in &documents {
            if let Some(pickles) = kept {
                let mut scenarios = feature.scenarios.iter().peekable();
                for pickle in pickles {
                    if let Some(scenario) =
                        next_with_line(&mut scenarios, |s| s.line, pickle.runner_line)
                    {
                        each(pickle, &scenario);
                    }
                }
                continue;
            }
            let uri = feature.path.trim_start_matches("./");
            let mut replay = at.clone();
            let doc = document::parse(uri, source, &mut replay);
            let mut scenarios = feature.scenarios.iter().peekable();
            document::for_each_pickle(&doc, &mut replay, &mut |pickle| {
                if let Some(scenario) =
                    next_with_line(&mut scenarios, |s| s.line, pickle.runner_line)
                {
                    each(&slim(pickle), &scenario);
                }
            });
        }
    };

    let definition_ids: Vec<String> = report
        .step_definitions
        .iter()
        .map(|d| {
            let id = ids.next_id();
            out.push(
                "stepDefinition",
                json!({
                    "id": id,
                    "pattern": { "source": d.pattern, "type": "REGULAR_EXPRESSION" },
                    "sourceReference": {
                        "uri": d.file,
                        "location": { "line": d.line, "column": d.column },
                    },
                }),
            );
            id
        })
        .collect();

    let epoch = run_epoch(&report.started_at);
    let run_id = ids.next_id();
    out.push(
        "testRunStarted",
        json!({ "id": run_id, "timestamp": timestamp(epoch) }),
    );

    // Test cases first, then their execution.
    let test_case =
        |out: &mut Stream<'_>, ids: &mut Ids, pickle: &Pickle, scenario: &ScenarioReport| {
            let case_id = ids.next_id();
            let steps: Vec<(String, Option<&StepReport>)> = pickle
                .steps
                .iter()
                .map(|ps| {
                    (
                        ids.next_id(),
                        scenario.steps.iter().find(|s| s.line == ps.line),
                    )
                })
                .collect();
            let test_steps: Vec<TestStep<'_>> = pickle
                .steps
                .iter()
                .zip(&steps)
                .map(|(ps, (id, step))| {
                    let matches = step.map(|s| s.matches.as_slice()).unwrap_or_default();
                    let text = step.map_or(ps.text.as_str(), |s| s.text.as_str());
                    TestStep {
                        id,
                        pickle_step_id: &ps.id,
                        step_definition_ids: matches
                            .iter()
                            .filter_map(|m| definition_ids.get(m.definition).map(String::as_str))
                            .collect(),
                        step_match_arguments_lists: matches
                            .iter()
                            .filter(|m| m.definition < definition_ids.len())
                            .map(|m| ArgumentList {
                                step_match_arguments: m
                                    .arguments
                                    .iter()
                                    .map(|a| Argument {
                                        group: Group {
                                            start: utf16_offset(text, a.start),
                                            value: &a.value,
                                        },
                                    })
                                    .collect(),
                            })
                            .collect(),
                    }
                })
                .collect();
            out.push_written(
                "testCase",
                &TestCase {
                    id: &case_id,
                    pickle_id: &pickle.id,
                    test_run_started_id: &run_id,
                    test_steps,
                },
            );
            (
                case_id,
                steps.into_iter().map(|(id, _)| id).collect::<Vec<String>>(),
            )
        };
    let execution = |out: &mut Stream<'_>,
                     ids: &mut Ids,
                     (case_id, step_ids): (&str, &[String]),
                     pickle: &Pickle,
                     scenario: &ScenarioReport| {
        let attempts = scenario.retried.iter().map(Run::from).chain([Run {
            status: scenario.status,
            started: scenario.started,
            steps: &scenario.steps,
            exchanges: &scenario.exchanges,
            reason: scenario.reason.as_deref(),
        }]);
        let last = scenario.retried.len();
        for (n, attempt) in attempts.enumerate() {
            let started_id = ids.next_id();
            let mut at = epoch + attempt.started;
            out.push_written(
                "testCaseStarted",
                &TestCaseStarted {
                    attempt: n,
                    id: &started_id,
                    test_case_id: case_id,
                    timestamp: timestamp(at),
                },
            );
            let holder = attachment_step(&attempt, pickle);
            for (i, (ps, step_id)) in pickle.steps.iter().zip(step_ids).enumerate() {
                let step = attempt.steps.iter().find(|s| s.line == ps.line);
                out.push_written(
                    "testStepStarted",
                    &TestStepStarted {
                        test_case_started_id: &started_id,
                        test_step_id: step_id,
                        timestamp: timestamp(at),
                    },
                );
                if holder == Some(i) {
                    for exchange in attempt.exchanges {
                        out.push(
                            "attachment",
                            attachment(exchange, &started_id, step_id, timestamp(at)),
                        );
                    }
                }
                let duration = step.map_or(Duration::ZERO, |s| s.duration);
                at += duration;
                let message = step_message(step, &attempt, i);
                let exception = message
                    .as_deref()
                    .filter(|_| step.is_some_and(|s| s.status == Status::Failed && !s.undefined()))
                    .map(|m| Exception {
                        message: m.lines().next().unwrap_or_default(),
                        kind: "StepFailed",
                    });
                out.push_written(
                    "testStepFinished",
                    &TestStepFinished {
                        test_case_started_id: &started_id,
                        test_step_id: step_id,
                        test_step_result: StepResult {
                            duration: timestamp(duration),
                            exception,
                            message: message.as_deref(),
                            status: step_status(step, attempt.status),
                        },
                        timestamp: timestamp(at),
                    },
                );
            }
            out.push_written(
                "testCaseFinished",
                &TestCaseFinished {
                    test_case_started_id: &started_id,
                    timestamp: timestamp(at),
                    will_be_retried: n < last,
                },
            );
        }
    };
    // The execution's ids follow those of every test case.
    let mut executed = ids.clone();
    executed.skip(case_ids);
    let executed_from = executed.clone();
    let later = if one_pass {
        tempfile::tempfile().ok()
    } else {
        None
    };
    match later {
        // One pass: each scenario makes its test case here and its execution into a file of
        // its own, added after the last test case, so that each is read once.
        Some(file) => {
            let mut file = io::BufWriter::with_capacity(1 << 16, file);
            let mut later = Stream::new(&mut file);
            cases(&mut |pickle, scenario| {
                let case = test_case(&mut out, &mut ids, pickle, scenario);
                execution(
                    &mut later,
                    &mut executed,
                    (&case.0, &case.1),
                    pickle,
                    scenario,
                );
            });
            let in_temp = |e: io::Error| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "the test cases' execution, in a temporary file in `{}`: {e}",
                        std::env::temp_dir().display()
                    ),
                )
            };
            later.finish().map_err(in_temp)?;
            let mut file = file.into_inner().map_err(|e| in_temp(e.into_error()))?;
            io::Seek::rewind(&mut file).map_err(in_temp)?;
            out.append(&mut file)?;
        }
        // Without a file, two passes: the execution's test case and step ids are handed out
        // again, in the same order, from where the test cases' start.
        None => {
            let mut planned = ids.clone();
            cases(&mut |pickle, scenario| {
                test_case(&mut out, &mut ids, pickle, scenario);
            });
            cases(&mut |pickle, scenario| {
                let case_id = planned.next_id();
                let step_ids: Vec<String> =
                    pickle.steps.iter().map(|_| planned.next_id()).collect();
                execution(
                    &mut out,
                    &mut executed,
                    (&case_id, &step_ids),
                    pickle,
                    scenario,
                );
            });
        }
    }
    // Unless a scenario could not be read back (the file is then refused).
    debug_assert!(
        ids == executed_from || report.read_back().is_err(),
        "the test cases took the ids counted for them"
    );

    out.push("testRunFinished", {
        let mut finished = json!({
            "testRunStartedId": run_id,
            "timestamp": timestamp(epoch + report.duration),
            "success": report.counts().failed == 0 && report.interrupted.is_none(),
        });
        // The schema's `message`: why the run did not end as a whole run does.
        if let Some(note) = &report.interrupted {
            finished["message"] = json!(format!("interrupted: {note}"));
        }
        finished
    });
    out.finish()
}

/// The item of `items` (ascending by `line_of`) on `line`, passing over those before it; the
/// last one when several are (shards merged twice: the later one counts); `None` when there is
/// none (the next one is further on, or there are no more).
fn next_with_line<I: Iterator>(
    items: &mut std::iter::Peekable<I>,
    line_of: impl Fn(&I::Item) -> usize,
    line: usize,
) -> Option<I::Item> {
    while items.peek().is_some_and(|i| line_of(i) < line) {
        items.next();
    }
    let mut found = None;
    while let Some(item) = items.next_if(|i| line_of(i) == line) {
        found = Some(item);
    }
    found
}

/// Writes [`to_ndjson`] to `path` atomically.
pub fn write(report: &RunReport, path: &Path) -> Result<(), ReportError> {
    let meta = Meta::current();
    super::write_atomically_with(path, |out| {
        write_ndjson(report, &meta, out)?;
        report.read_back()
    })
}

/// Messages on their way out: gathered into a small buffer, written when it fills. The first
/// write error is kept and answered by [`Stream::finish`].
struct Stream<'w> {
    buffer: Vec<u8>,
    out: &'w mut dyn io::Write,
    error: Option<io::Error>,
}

impl<'w> Stream<'w> {
    const FLUSH_AT: usize = 64 * 1024;

    fn new(out: &'w mut dyn io::Write) -> Self {
        Stream {
            buffer: Vec::with_capacity(Self::FLUSH_AT + 4096),
            out,
            error: None,
        }
    }

    /// Adds `{"kind":message}` and a newline. A large message (the document of a feature with
    /// thousands of Examples rows is megabytes) goes out as it is written, never whole in
    /// memory.
    fn push(&mut self, kind: &str, message: impl serde::Serialize) {
        self.buffer.push(b'{');
        // `Flushing` never fails (a failed output is kept by `flush` and answered by
        // `finish`): serialising fails only for a map with non-string keys, and none is sent.
        let _ = serde_json::to_writer(&mut self.buffer, kind);
        self.buffer.push(b':');
        let _ = serde_json::to_writer(Flushing(self), &message);
        self.buffer.extend_from_slice(b"}\n");
        if self.buffer.len() >= Self::FLUSH_AT {
            self.flush();
        }
    }

    /// [`Stream::push`] for a message that writes its own JSON.
    fn push_written(&mut self, kind: &str, message: &impl Written) {
        self.buffer.extend_from_slice(b"{\"");
        self.buffer.extend_from_slice(kind.as_bytes());
        self.buffer.extend_from_slice(b"\":");
        message.write(&mut self.buffer);
        self.buffer.extend_from_slice(b"}\n");
        if self.buffer.len() >= Self::FLUSH_AT {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(&self.buffer)
        {
            self.error = Some(e);
        }
        self.buffer.clear();
        // A message written whole that was far larger than the rest (a pickle with a long doc
        // string) leaves the buffer as it was rather than that large.
        self.buffer.shrink_to(Self::FLUSH_AT + 4096);
    }

    /// Adds everything `from` holds after what was pushed so far.
    fn append(&mut self, from: &mut dyn io::Read) -> io::Result<()> {
        self.flush();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        io::copy(from, self.out).map(drop)
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush();
        self.error.map_or(Ok(()), Err)
    }
}

/// Writes into a [`Stream`], flushing it each time its buffer is full.
struct Flushing<'s, 'w>(&'s mut Stream<'w>);

impl io::Write for Flushing<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.buffer.extend_from_slice(bytes);
        if self.0.buffer.len() >= Stream::FLUSH_AT {
            self.0.flush();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How many pickles (as [`slim`] leaves them, about 3 KB each for an onboarding journey) the
/// writer keeps from its first pass for its test cases; the pickles of a feature that does not
/// fit in what is left are made again from its Gherkin. Keeping them saves a run of 1,000
/// journeys about 1% of its instructions (41 M, December 2026) but holds 3.4 MB, so a large
/// suite keeps none: its memory stays what a small one's is.
const KEPT_PICKLES: usize = 200;

/// What the test cases still need of a pickle once it is written: its id, and its steps' ids,
/// lines and texts. The rest goes, so a large suite's pickles weigh little until the end.
fn slim(mut pickle: Pickle) -> Pickle {
    pickle.name = String::new();
    pickle.uri = String::new();
    pickle.tags = Vec::new();
    pickle.ast_node_ids = Vec::new();
    for step in &mut pickle.steps {
        step.ast_node_ids = Vec::new();
        step.argument = None;
        step.keyword = String::new();
    }
    pickle
}

fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// One attempt of a scenario, the counted one or an earlier one.
struct Run<'a> {
    status: Status,
    started: Duration,
    steps: &'a [StepReport],
    exchanges: &'a [Exchange],
    reason: Option<&'a str>,
}

impl<'a> From<&'a Attempt> for Run<'a> {
    fn from(a: &'a Attempt) -> Self {
        Run {
            status: a.status,
            started: a.started,
            steps: &a.steps,
            exchanges: &a.exchanges,
            reason: a.reason.as_deref(),
        }
    }
}

/// The index (among the pickle's steps) of the step the exchanges are attached to: the failed
/// one, or else the last that ran. Only failed attempts carry their exchanges: they are what a
/// reader needs to see why, and a suite's worth of passing exchanges would swell the stream
/// (and every HTML page made from it) many times over.
fn attachment_step(run: &Run<'_>, pickle: &Pickle) -> Option<usize> {
    if run.exchanges.is_empty() || run.status != Status::Failed {
        return None;
    }
    let status_at = |i: usize| {
        run.steps
            .iter()
            .find(|s| s.line == pickle.steps[i].line)
            .map(|s| s.status)
    };
    let indices = 0..pickle.steps.len();
    indices
        .clone()
        .find(|&i| status_at(i) == Some(Status::Failed))
        .or_else(|| {
            indices
                .rev()
                .find(|&i| status_at(i) == Some(Status::Passed))
        })
        .or(Some(0).filter(|_| !pickle.steps.is_empty()))
}

fn step_status(step: Option<&StepReport>, scenario: Status) -> &'static str {
    let Some(step) = step else {
        return "SKIPPED";
    };
    if step.undefined() {
        return "UNDEFINED";
    }
    if step.matches.len() > 1 {
        return "AMBIGUOUS";
    }
    match (scenario, step.status) {
        (Status::NotApplicable, _) => "SKIPPED",
        (_, Status::Passed) => "PASSED",
        (_, Status::Failed) => "FAILED",
        (_, Status::Skipped | Status::NotApplicable) => "SKIPPED",
    }
}

fn step_message<'a>(
    step: Option<&'a StepReport>,
    run: &Run<'_>,
    index: usize,
) -> Option<Cow<'a, str>> {
    if run.status == Status::NotApplicable && index == 0 {
        return Some(Cow::Owned(format!(
            "not applicable: {}",
            run.reason.unwrap_or("this target cannot run it")
        )));
    }
    let step = step?;
    if step.undefined() {
        return None;
    }
    step.error.as_deref().map(Cow::Borrowed)
}

fn attachment(exchange: &Exchange, started_id: &str, step_id: &str, at: Timestamp) -> Value {
    let path = url_path(&exchange.url);
    let status = exchange
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    json!({
        "body": transcript(exchange),
        "contentEncoding": "IDENTITY",
        "mediaType": "text/plain",
        "fileName": format!("{} {path} {status}", exchange.method),
        "testCaseStartedId": started_id,
        "testStepId": step_id,
        "timestamp": to_value(&at),
    })
}

/// The run's start as a duration since the Unix epoch (zero when it cannot be read).
fn run_epoch(started_at: &str) -> Duration {
    chrono::DateTime::parse_from_rfc3339(started_at)
        .ok()
        .and_then(|t| {
            let nanos = t.timestamp_nanos_opt()?;
            u64::try_from(nanos).ok().map(Duration::from_nanos)
        })
        .unwrap_or_default()
}

/// A timestamp (since the Unix epoch) or a duration, as the protocol writes both.
fn timestamp(d: Duration) -> Timestamp {
    Timestamp {
        nanos: d.subsec_nanos(),
        seconds: d.as_secs(),
    }
}

// The messages written once per pickle, test case or step (all but a few lines of a run),
// each writing its own JSON (see `Written`). Fields are in alphabetical order, the
// order `serde_json::Value` writes its keys in, so these and the messages built as values read
// alike. In tests they are serialised by serde too, to check the two write the same bytes.

/// A message that writes its JSON itself, byte for byte as serde_json writes its fields:
/// serde escaped every key and id a byte at a time, which was most of this writer's time.
trait Written {
    fn write(&self, out: &mut Vec<u8>);
}

impl Written for Timestamp {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"nanos\":");
        write_uint(out, u64::from(self.nanos));
        out.extend_from_slice(b",\"seconds\":");
        write_uint(out, self.seconds);
        out.push(b'}');
    }
}

impl Written for TestCaseStarted<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"attempt\":");
        write_uint(out, self.attempt as u64);
        out.extend_from_slice(b",\"id\":");
        write_str(out, self.id);
        out.extend_from_slice(b",\"testCaseId\":");
        write_str(out, self.test_case_id);
        out.extend_from_slice(b",\"timestamp\":");
        self.timestamp.write(out);
        out.push(b'}');
    }
}

/// The opening a step's two messages share: `{"testCaseStartedId":…,"testStepId":…`.
fn write_step_ids(out: &mut Vec<u8>, test_case_started_id: &str, test_step_id: &str) {
    out.extend_from_slice(b"{\"testCaseStartedId\":");
    write_str(out, test_case_started_id);
    out.extend_from_slice(b",\"testStepId\":");
    write_str(out, test_step_id);
}

impl Written for TestStepStarted<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        write_step_ids(out, self.test_case_started_id, self.test_step_id);
        out.extend_from_slice(b",\"timestamp\":");
        self.timestamp.write(out);
        out.push(b'}');
    }
}

impl Written for TestStepFinished<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        write_step_ids(out, self.test_case_started_id, self.test_step_id);
        let result = &self.test_step_result;
        out.extend_from_slice(b",\"testStepResult\":{\"duration\":");
        result.duration.write(out);
        if let Some(exception) = &result.exception {
            out.extend_from_slice(b",\"exception\":{\"message\":");
            write_str(out, exception.message);
            out.extend_from_slice(b",\"type\":");
            write_str(out, exception.kind);
            out.push(b'}');
        }
        if let Some(message) = result.message {
            out.extend_from_slice(b",\"message\":");
            write_str(out, message);
        }
        out.extend_from_slice(b",\"status\":");
        write_str(out, result.status);
        out.extend_from_slice(b"},\"timestamp\":");
        self.timestamp.write(out);
        out.push(b'}');
    }
}

impl Written for TestCaseFinished<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"testCaseStartedId\":");
        write_str(out, self.test_case_started_id);
        out.extend_from_slice(b",\"timestamp\":");
        self.timestamp.write(out);
        out.extend_from_slice(b",\"willBeRetried\":");
        out.extend_from_slice(if self.will_be_retried {
            b"true"
        } else {
            b"false"
        });
        out.push(b'}');
    }
}

impl Written for Pickle {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"astNodeIds\":");
        write_strs(out, &self.ast_node_ids);
        out.extend_from_slice(b",\"id\":");
        write_str(out, &self.id);
        out.extend_from_slice(b",\"language\":");
        write_str(out, &self.language);
        out.extend_from_slice(b",\"location\":{\"column\":");
        write_uint(out, self.location.column as u64);
        out.extend_from_slice(b",\"line\":");
        write_uint(out, self.location.line as u64);
        out.extend_from_slice(b"},\"name\":");
        write_str(out, &self.name);
        out.extend_from_slice(b",\"steps\":");
        write_list(out, self.steps.iter(), |out, step| {
            out.push(b'{');
            if let Some(argument) = &step.argument {
                out.extend_from_slice(b"\"argument\":{");
                if let Some(table) = &argument.data_table {
                    out.extend_from_slice(b"\"dataTable\":{\"rows\":");
                    write_list(out, table.rows.iter(), |out, row| {
                        out.extend_from_slice(b"{\"cells\":");
                        write_list(out, row.cells.iter(), |out, cell| {
                            out.extend_from_slice(b"{\"value\":");
                            write_str(out, &cell.value);
                            out.push(b'}');
                        });
                        out.push(b'}');
                    });
                    out.push(b'}');
                }
                if let Some(doc) = &argument.doc_string {
                    if argument.data_table.is_some() {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"\"docString\":{\"content\":");
                    write_str(out, &doc.content);
                    if let Some(media_type) = &doc.media_type {
                        out.extend_from_slice(b",\"mediaType\":");
                        write_str(out, media_type);
                    }
                    out.push(b'}');
                }
                out.extend_from_slice(b"},");
            }
            out.extend_from_slice(b"\"astNodeIds\":");
            write_strs(out, &step.ast_node_ids);
            out.extend_from_slice(b",\"id\":");
            write_str(out, &step.id);
            out.extend_from_slice(b",\"text\":");
            write_str(out, &step.text);
            out.extend_from_slice(b",\"type\":");
            write_str(out, step.kind);
            out.push(b'}');
        });
        out.extend_from_slice(b",\"tags\":");
        write_list(out, self.tags.iter(), |out, tag| {
            out.extend_from_slice(b"{\"astNodeId\":");
            write_str(out, &tag.ast_node_id);
            out.extend_from_slice(b",\"name\":");
            write_str(out, &tag.name);
            out.push(b'}');
        });
        out.extend_from_slice(b",\"uri\":");
        write_str(out, &self.uri);
        out.push(b'}');
    }
}

impl Written for TestCase<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        write_str(out, self.id);
        out.extend_from_slice(b",\"pickleId\":");
        write_str(out, self.pickle_id);
        out.extend_from_slice(b",\"testRunStartedId\":");
        write_str(out, self.test_run_started_id);
        out.extend_from_slice(b",\"testSteps\":");
        write_list(out, self.test_steps.iter(), |out, step| {
            out.extend_from_slice(b"{\"id\":");
            write_str(out, step.id);
            out.extend_from_slice(b",\"pickleStepId\":");
            write_str(out, step.pickle_step_id);
            out.extend_from_slice(b",\"stepDefinitionIds\":");
            write_strs(out, &step.step_definition_ids);
            out.extend_from_slice(b",\"stepMatchArgumentsLists\":");
            write_list(out, step.step_match_arguments_lists.iter(), |out, list| {
                out.extend_from_slice(b"{\"stepMatchArguments\":");
                write_list(out, list.step_match_arguments.iter(), |out, argument| {
                    out.extend_from_slice(b"{\"group\":{\"start\":");
                    write_uint(out, argument.group.start as u64);
                    out.extend_from_slice(b",\"value\":");
                    write_str(out, argument.group.value);
                    out.extend_from_slice(b"}}");
                });
                out.push(b'}');
            });
            out.push(b'}');
        });
        out.push(b'}');
    }
}

#[derive(serde::Serialize)]
struct Timestamp {
    nanos: u32,
    seconds: u64,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct TestCase<'a> {
    id: &'a str,
    pickle_id: &'a str,
    test_run_started_id: &'a str,
    test_steps: Vec<TestStep<'a>>,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct TestStep<'a> {
    id: &'a str,
    pickle_step_id: &'a str,
    step_definition_ids: Vec<&'a str>,
    step_match_arguments_lists: Vec<ArgumentList<'a>>,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct ArgumentList<'a> {
    step_match_arguments: Vec<Argument<'a>>,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Argument<'a> {
    group: Group<'a>,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Group<'a> {
    start: usize,
    value: &'a str,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct TestCaseStarted<'a> {
    attempt: usize,
    id: &'a str,
    test_case_id: &'a str,
    timestamp: Timestamp,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct TestStepStarted<'a> {
    test_case_started_id: &'a str,
    test_step_id: &'a str,
    timestamp: Timestamp,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct TestStepFinished<'a> {
    test_case_started_id: &'a str,
    test_step_id: &'a str,
    test_step_result: StepResult<'a>,
    timestamp: Timestamp,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct StepResult<'a> {
    duration: Timestamp,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    exception: Option<Exception<'a>>,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    message: Option<&'a str>,
    status: &'static str,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Exception<'a> {
    message: &'a str,
    #[cfg_attr(test, serde(rename = "type"))]
    kind: &'static str,
}

#[cfg_attr(test, derive(serde::Serialize))]
#[cfg_attr(test, serde(rename_all = "camelCase"))]
struct TestCaseFinished<'a> {
    test_case_started_id: &'a str,
    timestamp: Timestamp,
    will_be_retried: bool,
}

/// A byte offset in `text` as the UTF-16 index JavaScript readers use.
fn utf16_offset(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .map_or(byte, |head| head.chars().map(char::len_utf16).sum())
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn meta() -> Meta {
        Meta {
            os: "linux".to_owned(),
            cpu: "x86_64".to_owned(),
            ci: None,
        }
    }

    fn lines(report: &RunReport) -> Vec<Value> {
        to_ndjson_with(report, &meta())
            .lines()
            .map(|l| serde_json::from_str(l).expect("every line is JSON"))
            .collect()
    }

    fn kind(envelope: &Value) -> &str {
        envelope
            .as_object()
            .and_then(|o| o.keys().next())
            .map(String::as_str)
            .unwrap_or_default()
    }

    fn pickle_strategy() -> impl proptest::strategy::Strategy<Value = Pickle> {
        use document::{
            PickleDocString, PickleStep, PickleStepArgument, PickleTable, PickleTableCell,
            PickleTableRow, PickleTag,
        };
        use proptest::prelude::*;
        let text = crate::json::any_text;
        let texts = move || proptest::collection::vec(text(), 0..3);
        let argument = (
            proptest::option::of(proptest::collection::vec(texts(), 0..3)),
            proptest::option::of((text(), proptest::option::of(text()))),
        )
            .prop_map(|(table, doc)| PickleStepArgument {
                data_table: table.map(|rows| PickleTable {
                    rows: rows
                        .into_iter()
                        .map(|cells| PickleTableRow {
                            cells: cells
                                .into_iter()
                                .map(|value| PickleTableCell { value })
                                .collect(),
                        })
                        .collect(),
                }),
                doc_string: doc.map(|(content, media_type)| PickleDocString {
                    content,
                    media_type,
                }),
            });
        let step = (
            proptest::option::of(argument),
            texts(),
            text(),
            text(),
            prop_oneof![Just("Context"), Just("Action"), Just("Outcome")],
        )
            .prop_map(|(argument, ast_node_ids, id, text, kind)| PickleStep {
                argument,
                ast_node_ids,
                id,
                text,
                kind,
                line: 0,
                keyword: String::new(),
                background: false,
            });
        (
            (texts(), text(), text(), any::<(usize, usize)>()),
            (
                text(),
                proptest::collection::vec(step, 0..3),
                proptest::collection::vec((text(), text()), 0..3),
                text(),
            ),
        )
            .prop_map(
                |((ast_node_ids, id, language, (column, line)), (name, steps, tags, uri))| Pickle {
                    ast_node_ids,
                    id,
                    language,
                    location: document::Location { column, line },
                    name,
                    steps,
                    tags: tags
                        .into_iter()
                        .map(|(ast_node_id, name)| PickleTag { ast_node_id, name })
                        .collect(),
                    uri,
                    runner_line: 0,
                    keyword: String::new(),
                },
            )
    }

    proptest::proptest! {
        /// A pickle and a test case written by hand are the bytes serde_json writes for them,
        /// whatever their texts hold and whichever of their optional parts are there.
        #[test]
        fn hand_written_pickles_and_test_cases_are_what_serde_writes(
            pickle in pickle_strategy(),
            words in proptest::collection::vec(proptest::prelude::any::<String>(), 1..6),
            shape in proptest::collection::vec((0usize..3, 0usize..3, 0usize..4), 0..4),
        ) {
            let mut out = Vec::new();
            pickle.write(&mut out);
            proptest::prop_assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&pickle).unwrap()
            );
            let word = |i: usize| words[i % words.len()].as_str();
            let case = TestCase {
                id: word(0),
                pickle_id: word(1),
                test_run_started_id: word(2),
                test_steps: shape
                    .iter()
                    .enumerate()
                    .map(|(i, &(definitions, lists, arguments))| TestStep {
                        id: word(i),
                        pickle_step_id: word(i + 1),
                        step_definition_ids: (0..definitions).map(|d| word(i + d)).collect(),
                        step_match_arguments_lists: (0..lists)
                            .map(|l| ArgumentList {
                                step_match_arguments: (0..arguments)
                                    .map(|a| Argument {
                                        group: Group { start: a * 7 + l, value: word(a + l) },
                                    })
                                    .collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            };
            let mut out = Vec::new();
            case.write(&mut out);
            proptest::prop_assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&case).unwrap()
            );
        }
    }

    proptest::proptest! {
        /// The messages written by hand are the bytes serde_json writes for them, whatever
        /// their texts hold (quotes, backslashes, control characters, any Unicode).
        #[test]
        fn hand_written_messages_are_what_serde_writes(
            started in proptest::prelude::any::<String>(),
            step in proptest::prelude::any::<String>(),
            message in proptest::option::of(proptest::prelude::any::<String>()),
            failed in proptest::prelude::any::<bool>(),
            attempt in 0usize..5,
            seconds in proptest::prelude::any::<u64>(),
            nanos in 0u32..1_000_000_000,
            retried in proptest::prelude::any::<bool>(),
        ) {
            let at = || Timestamp { nanos, seconds };
            let same = |written: &dyn Fn(&mut Vec<u8>), serde: Vec<u8>| {
                let mut out = Vec::new();
                written(&mut out);
                assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(serde).unwrap());
            };
            let m = TestCaseStarted { attempt, id: &started, test_case_id: &step, timestamp: at() };
            same(&|o| m.write(o), serde_json::to_vec(&m).unwrap());
            let m = TestStepStarted { test_case_started_id: &started, test_step_id: &step, timestamp: at() };
            same(&|o| m.write(o), serde_json::to_vec(&m).unwrap());
            let m = TestStepFinished {
                test_case_started_id: &started,
                test_step_id: &step,
                test_step_result: StepResult {
                    duration: at(),
                    exception: message
                        .as_deref()
                        .filter(|_| failed)
                        .map(|m| Exception { message: m, kind: "StepFailed" }),
                    message: message.as_deref(),
                    status: if failed { "FAILED" } else { "PASSED" },
                },
                timestamp: at(),
            };
            same(&|o| m.write(o), serde_json::to_vec(&m).unwrap());
            let m = TestCaseFinished { test_case_started_id: &started, timestamp: at(), will_be_retried: retried };
            same(&|o| m.write(o), serde_json::to_vec(&m).unwrap());
        }
    }

    /// Takes up to `room` bytes, then fails; records what it took and its largest write.
    struct Recording {
        bytes: Vec<u8>,
        largest: usize,
        writes: usize,
        room: usize,
    }

    impl Recording {
        fn with_room(room: usize) -> Self {
            Recording {
                bytes: Vec::new(),
                largest: 0,
                writes: 0,
                room,
            }
        }
    }

    impl io::Write for Recording {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            if bytes.len() > self.room {
                return Err(io::Error::other("the disk is full"));
            }
            self.room -= bytes.len();
            self.largest = self.largest.max(bytes.len());
            self.bytes.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A message of several megabytes.
    fn many_rows() -> Vec<String> {
        (0..100_000).map(|n| format!("row {n}")).collect()
    }

    #[test]
    fn a_large_message_goes_out_as_it_is_written() {
        let rows = many_rows();
        let mut out = Recording::with_room(usize::MAX);
        let mut stream = Stream::new(&mut out);
        stream.push("small", "first");
        stream.push("large", &rows);
        stream.push("small", "last");
        stream.finish().unwrap();
        let large = serde_json::to_string(&rows).unwrap();
        assert!(large.len() > 10 * Stream::FLUSH_AT);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            format!("{{\"small\":\"first\"}}\n{{\"large\":{large}}}\n{{\"small\":\"last\"}}\n")
        );
        assert!(
            out.largest < 2 * Stream::FLUSH_AT,
            "a write of {}",
            out.largest
        );
    }

    #[test]
    fn an_output_that_fails_within_a_large_message_is_answered_at_the_end() {
        let rows = many_rows();
        let mut out = Recording::with_room(3 * Stream::FLUSH_AT);
        let mut stream = Stream::new(&mut out);
        stream.push("large", &rows);
        stream.push("small", "after");
        let error = stream.finish().unwrap_err();
        assert_eq!(error.to_string(), "the disk is full");
        // Each write is a little over FLUSH_AT: the third fails, and nothing more is tried.
        assert_eq!(out.writes, 3);
    }

    #[test]
    fn the_sample_run_matches_its_golden_stream() {
        insta::assert_snapshot!(to_ndjson_with(&sample::run_report(), &meta()));
    }

    #[test]
    fn pickles_made_again_and_two_passes_give_the_stream_the_kept_ones_in_one_pass_give() {
        // With no room, every feature's pickles are made again for the test cases; with room
        // for some, a feature larger than what is left keeps none, and one with more pickles
        // than scenarios in the report keeps only its scenarios' pickles.
        // The same in one pass over the scenarios as in two.
        let same_at_every_room = |report: &RunReport, case: &str| {
            let all = to_ndjson_keeping(report, &meta(), usize::MAX, true);
            for (room, one_pass) in (0..8).flat_map(|r| [(r, true), (r, false)]) {
                assert!(
                    to_ndjson_keeping(report, &meta(), room, one_pass) == all,
                    "kept {room}, one pass {one_pass}: {case}"
                );
            }
        };
        let mut report = sample::run_report();
        same_at_every_room(&report, "the sample");
        // A feature whose report lacks one of its scenarios: more pickles than scenarios.
        let first = report.features[0].scenarios.in_memory().unwrap();
        assert!(first.len() > 1);
        first.remove(0);
        same_at_every_room(&report, "a scenario left out");
        // Two scenarios on one line (shards merged twice): one pickle serves both.
        let first = report.features[0].scenarios.in_memory().unwrap();
        let again = first[0].clone();
        first.insert(1, again);
        same_at_every_room(&report, "a line twice");
    }

    #[test]
    fn a_scenario_merged_twice_is_described_once_by_its_later_copy() {
        let mut later = sample::run_report().features[0].scenarios[0].clone();
        later.status = Status::Failed;
        later.retried.clear();
        for step in &mut later.steps {
            step.status = Status::Failed;
        }
        let mut merged = sample::run_report();
        merged.features[0]
            .scenarios
            .in_memory()
            .unwrap()
            .push(later.clone());
        merged.sort();
        let mut only_later = sample::run_report();
        only_later.features[0].scenarios[0] = later;
        only_later.sort();
        let (merged, only_later) = (lines(&merged), lines(&only_later));
        assert_eq!(
            merged.iter().filter(|e| kind(e) == "testCase").count(),
            5,
            "one test case a pickle"
        );
        let execution = |all: &[Value]| -> Vec<Value> {
            all.iter()
                .filter(|e| kind(e).starts_with("test") || kind(e) == "attachment")
                .cloned()
                .collect()
        };
        assert_eq!(execution(&merged), execution(&only_later));
    }

    #[test]
    fn envelopes_come_in_protocol_order() {
        let all = lines(&sample::run_report());
        let kinds: Vec<&str> = all.iter().map(kind).collect();

        assert_eq!(kinds[0], "meta");
        assert_eq!(&kinds[1..3], ["source", "gherkinDocument"]);
        assert_eq!(kinds.last(), Some(&"testRunFinished"));
        let first_case = kinds.iter().position(|k| *k == "testCase").unwrap();
        let run_started = kinds.iter().position(|k| *k == "testRunStarted").unwrap();
        let first_started = kinds.iter().position(|k| *k == "testCaseStarted").unwrap();
        assert!(run_started < first_case && first_case < first_started);
        // Five scenarios, one of them retried once.
        assert_eq!(kinds.iter().filter(|k| **k == "pickle").count(), 5);
        assert_eq!(kinds.iter().filter(|k| **k == "testCase").count(), 5);
        assert_eq!(kinds.iter().filter(|k| **k == "testCaseStarted").count(), 6);
        assert_eq!(kinds.iter().filter(|k| **k == "stepDefinition").count(), 10);
    }

    #[test]
    fn a_retried_attempt_says_it_will_be_retried_and_counts_attempts() {
        let all = lines(&sample::run_report());
        let started: Vec<&Value> = all
            .iter()
            .filter_map(|e| e.get("testCaseStarted"))
            .collect();
        let finished: Vec<&Value> = all
            .iter()
            .filter_map(|e| e.get("testCaseFinished"))
            .collect();

        assert_eq!(started[0]["attempt"], 0);
        assert_eq!(started[1]["attempt"], 1);
        assert_eq!(started[0]["testCaseId"], started[1]["testCaseId"]);
        assert_eq!(finished[0]["willBeRetried"], true);
        assert!(finished[1..].iter().all(|f| f["willBeRetried"] == false));
    }

    #[test]
    fn results_say_why_and_exchanges_ride_on_the_step_that_failed() {
        let all = lines(&sample::run_report());
        let results: Vec<&Value> = all
            .iter()
            .filter_map(|e| e.get("testStepFinished"))
            .map(|f| &f["testStepResult"])
            .collect();
        let statuses: Vec<&str> = results
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                "FAILED", "SKIPPED", "SKIPPED", // attempt 1 of the flaky scenario
                "PASSED", "PASSED", "PASSED", // attempt 2
                "PASSED", "PASSED", "FAILED", "SKIPPED", // the failed scenario
                "PASSED",  // the long one
                "SKIPPED", // the skipped one
                "SKIPPED", // not applicable
            ]
        );
        assert_eq!(results[8]["message"], sample::FAILED_ERROR);
        assert_eq!(
            results[8]["exception"]["message"],
            "response does not match schema `person.json`"
        );
        assert_eq!(
            results[12]["message"],
            "not applicable: the target has no simulator"
        );

        // Only the failed attempt of the flaky scenario carries its exchange.
        let attachments: Vec<&Value> = all.iter().filter_map(|e| e.get("attachment")).collect();
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0]["fileName"], "POST /v1/persons 503");
        assert!(
            attachments[0]["body"]
                .as_str()
                .unwrap()
                .starts_with("POST http://127.0.0.1:8080/v1/persons → 503 (12 ms)\n\n> Authorization: Bearer [redacted]"),
            "{}",
            attachments[0]["body"]
        );
        let failed_step = all
            .iter()
            .position(|e| e.get("attachment").is_some())
            .unwrap();
        assert!(all[failed_step - 1].get("testStepStarted").is_some());
        assert_eq!(
            all[failed_step + 1]["testStepFinished"]["testStepResult"]["status"],
            "FAILED"
        );
    }

    #[test]
    fn arguments_point_into_the_step_text_in_utf16_units() {
        assert_eq!(utf16_offset("a 😀 b", "a 😀 ".len()), 5);
        let all = lines(&sample::run_report());
        let cases: Vec<&Value> = all.iter().filter_map(|e| e.get("testCase")).collect();
        let limit =
            &cases[1]["testSteps"][3]["stepMatchArgumentsLists"][0]["stepMatchArguments"][0];
        assert_eq!(limit["group"], json!({ "start": 18, "value": "500" }));
    }

    #[test]
    fn the_ci_system_is_named_from_its_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(ci_from(env(&[])), None);
        assert_eq!(
            ci_from(env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_REPOSITORY", "bank/conformance"),
                ("GITHUB_RUN_ID", "42"),
                ("GITHUB_RUN_NUMBER", "7"),
                ("GITHUB_SHA", "abc"),
            ])),
            Some(json!({
                "name": "GitHub Actions",
                "url": "https://github.com/bank/conformance/actions/runs/42",
                "buildNumber": "7",
                "git": { "remote": "https://github.com/bank/conformance.git", "revision": "abc" },
            }))
        );
        assert_eq!(
            ci_from(env(&[("JENKINS_URL", "http://ci"), ("BUILD_NUMBER", "3")])),
            Some(json!({ "name": "Jenkins", "buildNumber": "3" }))
        );
    }
}
