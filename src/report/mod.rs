//! Report writers: they turn one run's [`RunReport`] into what people and CI read.
//!
//! [`console`] renders the progress, the summary tables and the compiler-like failure blocks;
//! [`html`] the self-contained `index.html`; [`junit`] JUnit XML valid against the Jenkins xUnit
//! `junit-10.xsd`; [`messages`] Cucumber Messages (`messages.ndjson`); [`cucumber_json`] legacy
//! Cucumber JSON; [`history`] keeps a compact record of each run in `history/`.
//!
//! Every writer reads the same report, redacted by one secrets policy for every output: a run
//! redacts each scenario it holds (`redact_scenario`) as [`spill::Gathered`] puts it in order,
//! each one on disk as it is read back, and what it says outside its scenarios with
//! `redact_run`. The scenarios a run holds past [`spill::HELD`] bytes stay on disk ([`spill`]);
//! while the writers run side by side, each is read back once for all of them ([`feed`]).
//! [`write_all`] writes every file report into one directory.

pub mod console;
pub mod cucumber_json;
pub mod document;
mod escape;
mod feed;
pub mod history;
pub mod html;
mod json;
pub mod junit;
pub mod messages;
pub mod model;
pub mod spill;

#[cfg(test)]
mod sample;

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crate::check::redact::Redactor;

pub use model::{
    Attempt, Counts, Exchange, FeatureReport, Flaky, PastRun, RunReport, ScenarioReport, Status,
    StepArgument, StepDefinition, StepMatch, StepReport,
};

/// Why a report could not be written. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("create the report directory `{}`", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("write the report `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("read the run `{}` ({source}); it is written by `solaris-conformance run` into its report folder", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("move the report `{}` into place at `{}`", from.display(), to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The file names [`write_all`] uses inside the report directory.
pub const JUNIT: &str = "junit.xml";
pub const MESSAGES: &str = "messages.ndjson";
pub const CUCUMBER_JSON: &str = "cucumber.json";
pub const HTML: &str = "index.html";
/// The whole run as data, for `report merge`.
pub const RUN: &str = "run.json";

/// Creates `dir` if needed and writes every file report into it: `junit.xml`,
/// `cucumber.json`, `messages.ndjson`, `index.html`, `run.json`, and this run's record in
/// `history/`.
///
/// Returns the paths written, in that order.
pub fn write_all(report: &RunReport, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_formats(report, dir, &Format::ALL)
}

/// A report a run can write; `run.json` and the history record are always written (merging and
/// flakiness need them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Junit,
    Html,
    Messages,
    CucumberJson,
}

impl Format {
    /// In the order they are listed when written.
    pub const ALL: [Format; 4] = [
        Format::Junit,
        Format::CucumberJson,
        Format::Messages,
        Format::Html,
    ];
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "junit" => Ok(Format::Junit),
            "html" => Ok(Format::Html),
            "messages" => Ok(Format::Messages),
            "cucumber-json" => Ok(Format::CucumberJson),
            other => Err(format!(
                "`{other}` is not a report format; use junit, html, messages or cucumber-json"
            )),
        }
    }
}

/// Writes the chosen `formats` (and always `run.json` and the history record).
pub fn write_formats(
    report: &RunReport,
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let chosen: Vec<Format> = Format::ALL
        .into_iter()
        .filter(|f| formats.contains(f))
        .collect();
    // The files are written side by side (they only read the report), the largest first.
    // `None` stands for run.json.
    let mut jobs: Vec<Option<Format>> = chosen.iter().copied().map(Some).chain([None]).collect();
    jobs.sort_by_key(|job| match job {
        Some(Format::Messages) => 0,
        None => 1,
        Some(Format::Html) => 2,
        Some(Format::CucumberJson) => 3,
        Some(Format::Junit) => 4,
    });
    let path_of = |job: Option<Format>| match job {
        Some(Format::Junit) => dir.join(JUNIT),
        Some(Format::CucumberJson) => dir.join(CUCUMBER_JSON),
        Some(Format::Messages) => dir.join(MESSAGES),
        Some(Format::Html) => dir.join(HTML),
        None => dir.join(RUN),
    };
    let write = |job: Option<Format>, path: &Path| match job {
        Some(Format::Junit) => junit::write(report, path),
        Some(Format::CucumberJson) => cucumber_json::write(report, path),
        Some(Format::Messages) => messages::write(report, path),
        Some(Format::Html) => html::write(report, path),
        None => write_atomically_with(path, |out| json::write_run(report, out)),
    };
    let results: Vec<std::sync::OnceLock<Result<(), ReportError>>> =
        jobs.iter().map(|_| std::sync::OnceLock::new()).collect();
    let run_job = |i: usize| {
        let job = jobs[i];
        let path = path_of(job);
        // A writer that panics (a bug) loses its own file only: it is reported as not
        // written, and the others are written.
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(job, &path)))
            .unwrap_or_else(|_| {
                Err(ReportError::Write {
                    path: path.clone(),
                    source: io::Error::other("its writer stopped unexpectedly"),
                })
            });
        let _ = results[i].set(written);
    };
    if report.features.iter().any(|f| f.scenarios.on_disk()) {
        write_beside_a_feed(report, jobs.len(), &run_job);
    } else {
        write_on_each_core(jobs.len(), &run_job);
    }
    let mut outcome: Vec<(Option<Format>, Result<(), ReportError>)> = jobs
        .into_iter()
        .zip(results)
        .map(|(job, result)| {
            let result = result.into_inner().unwrap_or_else(|| {
                Err(ReportError::Write {
                    path: path_of(job),
                    source: io::Error::other("its writer did not run"),
                })
            });
            (job, result)
        })
        .collect();
    // Returned in the order of `Format::ALL`, then run.json.
    outcome.sort_by_key(|(job, _)| {
        job.and_then(|f| chosen.iter().position(|c| *c == f))
            .unwrap_or(usize::MAX)
    });
    let mut written = Vec::new();
    for (job, result) in outcome {
        result?;
        written.push(path_of(job));
    }
    written.push(history::append(report, dir)?);
    Ok(written)
}

/// Runs the jobs `0..jobs` on a thread per core, each thread taking the next one still to run:
/// with every scenario in memory, a thread per file made each one's allocator pages resident at
/// once (some 15 MiB more at 5,000 journeys) for no time gained on this many cores.
fn write_on_each_core(jobs: usize, run_job: &(dyn Fn(usize) + Sync)) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= jobs {
                return;
            }
            run_job(i);
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs);
    std::thread::scope(|scope| {
        // Without another thread, this one writes them all.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("report".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        work();
        for helper in helpers {
            let _ = helper.join();
        }
    });
}

/// Runs the jobs `0..jobs` side by side, a thread each, while this thread reads the report's
/// spilled scenarios back once for all of them ([`feed`]); a job that gets no thread runs here
/// after, reading them back itself. The writers must run at once to share each reading; that
/// costs their threads' allocator pages (less than the 1 to 7 MB a run then no longer holds),
/// and saved each writer reading every spilled scenario back itself.
fn write_beside_a_feed(report: &RunReport, jobs: usize, run_job: &(dyn Fn(usize) + Sync)) {
    let (feed, subscriptions) = feed::Feed::new(jobs);
    std::thread::scope(|scope| {
        let mut left = Vec::new();
        let mut writers = Vec::new();
        for (i, subscription) in subscriptions.into_iter().enumerate() {
            // When the thread cannot start, its subscription goes with it: the feed does not
            // wait for it.
            match std::thread::Builder::new()
                .name("report".into())
                .spawn_scoped(scope, move || subscription.serve(|| run_job(i)))
            {
                Ok(writer) => writers.push(writer),
                Err(_) => left.push(i),
            }
        }
        feed.run(report);
        for i in left {
            run_job(i);
        }
        for writer in writers {
            let _ = writer.join();
        }
    });
}

/// Writes `bytes` to `path` atomically: into `path.tmp` first, then renamed over `path`, so a
/// reader never sees half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_atomically_with(path, |out| io::Write::write_all(out, bytes))
}

/// [`write_atomically`] for a writer that streams its output rather than holding it whole.
///
/// The writer is given the buffered file itself rather than a `dyn Write`, so that a writer
/// that writes many small pieces has each one copied into the buffer in place instead of
/// through a call it cannot see into.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> Result<(), ReportError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    let tmp = PathBuf::from(name);
    let written = std::fs::File::create(&tmp).and_then(|file| {
        let mut out = io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        out.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_data()
    });
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(ReportError::Write { path: tmp, source });
    }
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        ReportError::Rename {
            from: tmp,
            to: path.to_path_buf(),
            source,
        }
    })
}

/// `report` with `policy` applied to everything a writer may show: exchanges (URLs, headers,
/// bodies), errors, reasons, step texts, tables and doc strings, names, in every attempt.
///
/// The policy first learns the secrets the exchanges carry (the `secret` of a new webhook
/// subscription, the values at its JSON paths), so they are removed from error messages too.
#[cfg(test)]
pub fn redact(mut report: RunReport, policy: &Redactor) -> RunReport {
    let mut policy = policy.clone();
    for scenario in report.features.iter().flat_map(|f| f.scenarios.iter()) {
        learn_scenario(&mut policy, &scenario);
    }
    redact_run(&mut report, &policy);
    for feature in &mut report.features {
        // One that cannot be read back fails when it is written (`RunReport::read_back`).
        let Ok(scenarios) = feature.scenarios.in_memory() else {
            continue;
        };
        for scenario in scenarios {
            redact_scenario(scenario, &policy);
        }
    }
    report
}

/// Teaches `policy` the secrets of every exchange of `scenario`, in every attempt.
pub(crate) fn learn_scenario(policy: &mut Redactor, scenario: &ScenarioReport) {
    let attempts = scenario.retried.iter().flat_map(|a| &a.exchanges);
    for exchange in scenario.exchanges.iter().chain(attempts) {
        learn_secrets(policy, exchange);
    }
}

/// Redaction of what a run says outside its scenarios: the target, feature names, the
/// Gherkin sources.
pub(crate) fn redact_run(report: &mut RunReport, policy: &Redactor) {
    let text = |t: &mut String| *t = policy.text(t);
    text(&mut report.target);
    for feature in &mut report.features {
        text(&mut feature.name);
        // The Gherkin itself is quoted by Cucumber Messages; a secret written into a step
        // leaves it too (columns after it on that line shift, which is the lesser harm).
        if let Some(source) = feature.source.as_mut() {
            text(source);
        }
    }
}

/// Redaction of what a spilled scenario's summary shows (its name), as [`redact_scenario`]
/// redacts the scenario when it is read back.
pub(crate) fn redact_summary(summary: &mut model::Summary, policy: &Redactor) {
    if let Some(name) = policy.redacted(&summary.name) {
        summary.name = name;
    }
}

/// Redaction of one scenario (everything a writer may show of it, in every attempt), with a
/// `policy` that has already learnt the run's secrets.
pub(crate) fn redact_scenario(scenario: &mut ScenarioReport, policy: &Redactor) {
    // A text redaction leaves as it is stays where it is (most of them): no copy.
    let text = |t: &mut String| {
        if let Some(redacted) = policy.redacted(t) {
            *t = redacted;
        }
    };
    let steps = |steps: &mut Vec<StepReport>| {
        for step in steps {
            if let Some(said) = policy.redacted(&step.text) {
                for arguments in step.matches.iter_mut().map(|m| &mut m.arguments) {
                    redact_arguments(&step.text, &said, arguments, policy);
                }
                step.text = said;
            }
            if let Some(error) = step.error.as_mut() {
                text(error);
            }
            if let Some(doc) = step.docstring.as_mut() {
                text(doc);
            }
            for cell in step.table.iter_mut().flatten().flatten() {
                text(cell);
            }
        }
    };
    let exchanges = |exchanges: &mut Vec<Exchange>| {
        for e in exchanges {
            text(&mut e.url);
            for (name, value) in e.request_headers.iter_mut().chain(&mut e.response_headers) {
                *value = policy.header(name, value);
            }
            for body in [&mut e.request_body, &mut e.response_body]
                .into_iter()
                .flatten()
            {
                *body = policy.body(body);
            }
        }
    };
    text(&mut scenario.name);
    if let Some(reason) = scenario.reason.as_mut() {
        text(reason);
    }
    steps(&mut scenario.steps);
    exchanges(&mut scenario.exchanges);
    for attempt in &mut scenario.retried {
        if let Some(reason) = attempt.reason.as_mut() {
            text(reason);
        }
        steps(&mut attempt.steps);
        exchanges(&mut attempt.exchanges);
    }
}

/// A step's captured arguments as its redacted text `said` shows them: a secret captured
/// from the step is redacted in the argument too, and each argument's start moves with what
/// redaction changed before it, so that it still points at its value in `said`.
fn redact_arguments(text: &str, said: &str, arguments: &mut [StepArgument], policy: &Redactor) {
    if text == said {
        return;
    }
    let mut from = 0;
    for argument in arguments {
        let value = policy.text(&argument.value);
        let before = text.get(..argument.start).map(|t| policy.text(t).len());
        let start = before
            .filter(|&at| at >= from && said.get(at..).is_some_and(|s| s.starts_with(&value)))
            .or_else(|| said.get(from..)?.find(&value).map(|at| from + at))
            .unwrap_or(from.min(said.len()));
        from = start + value.len();
        argument.start = start;
        argument.value = value;
    }
}

/// Teaches `policy` the secrets an exchange's bodies carry (see [`Redactor::learn_body`]).
pub(crate) fn learn_secrets(policy: &mut Redactor, exchange: &Exchange) {
    for body in [&exchange.request_body, &exchange.response_body]
        .into_iter()
        .flatten()
    {
        policy.learn_body(body);
    }
}

/// `http://127.0.0.1:8080/v1/persons?x=1` → `/v1/persons?x=1`: what a scenario asked for,
/// without the target's address.
pub(crate) fn url_path(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

/// An HTTP exchange as plain text: the request line with status and time, then the request's
/// headers (`>`) and body, then the response's (`<`).
pub(crate) fn transcript(e: &Exchange) -> String {
    let status = e
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let mut out = format!(
        "{} {} → {status} ({})\n",
        e.method,
        e.url,
        human_duration(e.duration)
    );
    for (prefix, headers, body) in [
        (">", &e.request_headers, &e.request_body),
        ("<", &e.response_headers, &e.response_body),
    ] {
        out.push('\n');
        for (name, value) in headers {
            let _ = writeln!(out, "{prefix} {name}: {value}");
        }
        if let Some(body) = body.as_deref().filter(|b| !b.is_empty()) {
            let _ = writeln!(out, "\n{body}");
        }
    }
    out
}

/// A human duration: whole milliseconds under a second, seconds with two decimals above.
pub(crate) fn human_duration(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// A step as the feature file reads it: `Then the person is created`.
///
/// Keywords may arrive with their trailing space (`"Then "`), so it is trimmed first.
pub(crate) fn step_title(step: &StepReport) -> String {
    let mut title = String::with_capacity(step.keyword.len() + step.text.len() + 1);
    push_step_title(&mut title, step);
    title
}

/// [`step_title`], appended to `out`.
pub(crate) fn push_step_title(out: &mut String, step: &StepReport) {
    out.push_str(step.keyword.trim());
    out.push(' ');
    out.push_str(&step.text);
}

/// Reads the `run.json` a run wrote into `dir`.
pub fn read_run(dir: &Path) -> Result<RunReport, ReportError> {
    let path = dir.join(RUN);
    let bytes = std::fs::read(&path).map_err(|source| ReportError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ReportError::Read {
        path,
        source: io::Error::other(e),
    })
}

/// The shards of one run as one report: features joined by path (scenarios in file order), the
/// earliest start, the longest shard's duration (the shards ran side by side).
pub fn merge(shards: Vec<RunReport>) -> RunReport {
    let mut merged = RunReport::default();
    for shard in shards {
        if merged.started_at.is_empty()
            || (!shard.started_at.is_empty() && shard.started_at < merged.started_at)
        {
            merged.started_at = shard.started_at.clone();
        }
        if merged.target.is_empty() {
            merged.target = shard.target.clone();
        } else if merged.target != shard.target && !merged.target.contains(&shard.target) {
            merged.target = format!("{}, {}", merged.target, shard.target);
        }
        merged.duration = merged.duration.max(shard.duration);
        if merged.step_definitions.is_empty() {
            merged.step_definitions = shard.step_definitions;
        }
        if let Some(note) = shard.interrupted {
            merged.interrupted = Some(match merged.interrupted.take() {
                Some(before) => format!("{before}; {note}"),
                None => note,
            });
        }
        for seed in shard.seeds {
            if !merged.seeds.contains(&seed) {
                merged.seeds.push(seed);
            }
        }
        for feature in shard.features {
            match merged.features.iter_mut().find(|f| f.path == feature.path) {
                Some(f) => {
                    let more = feature.scenarios.iter().map(model::Seen::into_owned);
                    // Shards are read from run.json, into memory: nothing to read back here.
                    if let Ok(scenarios) = f.scenarios.in_memory() {
                        scenarios.extend(more);
                    }
                }
                None => merged.features.push(feature),
            }
        }
    }
    merged.sort();
    merged
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "solaris-report-{name}-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos()
            ));
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The shared JUnit schema: beside the repository in the workspace layout, or at its
    /// fixed place on the build machine (which also serves scratch crates elsewhere).
    fn junit_xsd() -> Option<PathBuf> {
        [
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/junit/junit-10.xsd"),
            PathBuf::from("/work/shared/junit/junit-10.xsd"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    }

    fn xmllint_available() -> bool {
        Command::new("xmllint")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn human_duration_switches_to_seconds_at_one_second() {
        assert_eq!(human_duration(Duration::ZERO), "0 ms");
        assert_eq!(human_duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(human_duration(Duration::from_millis(999)), "999 ms");
        assert_eq!(human_duration(Duration::from_millis(1000)), "1.00 s");
        assert_eq!(human_duration(Duration::from_millis(3404)), "3.40 s");
    }

    #[test]
    fn write_all_creates_the_directory_and_writes_every_report() {
        let tmp = TempDir::new("write-all");
        let dir = tmp.0.join("nested/reports");
        let report = sample::run_report();

        let written = write_all(&report, &dir).expect("reports are written");

        assert_eq!(
            written[..4],
            [
                dir.join("junit.xml"),
                dir.join("cucumber.json"),
                dir.join("messages.ndjson"),
                dir.join("index.html")
            ]
        );
        // The run's history record comes last.
        assert_eq!(
            written.last(),
            Some(&dir.join("history").join("run-20250115T100000123Z.json"))
        );
        let on_disk = std::fs::read_to_string(&written[0]).expect("junit.xml is readable");
        assert_eq!(on_disk, junit::to_xml(&report));
        assert_eq!(
            std::fs::read_to_string(&written[1]).unwrap(),
            cucumber_json::to_json(&report)
        );
        assert_eq!(
            std::fs::read_to_string(&written[3]).unwrap(),
            html::to_html(&report)
        );
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files are renamed away");
    }

    /// The client keeps bodies as sent and received; the reports show JSON indented because
    /// redaction writes it so, with or without configured paths.
    #[test]
    fn redaction_shows_compact_json_bodies_indented_and_leaves_text_as_it_is() {
        let mut report = sample::run_report();
        report.features[0].scenarios[1].exchanges = vec![Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1/v1/persons".into(),
            request_body: Some(r#"{"first_name":"Theresa","tags":[1,2]}"#.into()),
            status: Some(502),
            response_body: Some("Bad Gateway".into()),
            ..Exchange::default()
        }];

        let redacted = redact(report, &Redactor::new(Vec::<String>::new(), Vec::new()));

        let e = &redacted.features[0].scenarios[1].exchanges[0];
        assert_eq!(
            e.request_body.as_deref(),
            Some("{\n  \"first_name\": \"Theresa\",\n  \"tags\": [\n    1,\n    2\n  ]\n}")
        );
        assert_eq!(e.response_body.as_deref(), Some("Bad Gateway"));
    }

    #[test]
    fn redaction_reaches_every_field_a_writer_shows() {
        let mut report = sample::run_report();
        if let Some(source) = report.features[0].source.as_mut() {
            source.push_str(
                "\n  Scenario: mentions s3cr3t-client\n    Given the secret s3cr3t-client\n",
            );
        }
        let scenario = &mut report.features[0].scenarios[1];
        scenario.steps[1].text = "the client secret s3cr3t-client is sent".into();
        let argument = |start: usize, value: &str| StepArgument {
            start,
            value: value.into(),
        };
        scenario.steps[1].matches = vec![StepMatch {
            definition: 0,
            arguments: vec![argument(18, "s3cr3t-client"), argument(35, "sent")],
        }];
        scenario.steps[2].error = Some(
            "the webhook secret f82c389fb187aa was shown; signature sha256=00112233445566778899aabbccddeeff".into(),
        );
        scenario.reason = Some("client s3cr3t-client refused".into());
        scenario.exchanges = vec![Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1/v1/webhooks?access_token=abc".into(),
            request_headers: vec![("Authorization".into(), "Bearer eyJ.raw".into())],
            request_body: Some(r#"{"first_name": "Theresa"}"#.into()),
            status: Some(201),
            response_headers: vec![("Solaris-Webhook-Signature".into(), "sha256=00ff".into())],
            response_body: Some(r#"{"id": "w-1", "secret": "f82c389fb187aa"}"#.into()),
            duration: std::time::Duration::from_millis(3),
        }];
        let policy = Redactor::new(
            ["s3cr3t-client"],
            vec![crate::check::redact::JsonPath::parse("first_name").unwrap()],
        );

        let redacted = redact(report, &policy);

        let scenario = &redacted.features[0].scenarios[1];
        let step = &scenario.steps[1];
        assert_eq!(step.text, "the client secret [redacted] is sent");
        assert_eq!(
            step.matches[0].arguments,
            [argument(18, "[redacted]"), argument(32, "sent")],
            "a captured secret is redacted and the arguments after it still point at their values"
        );
        assert_eq!(
            scenario.steps[2].error.as_deref(),
            Some("the webhook secret [redacted] was shown; signature sha256=[redacted]")
        );
        assert_eq!(
            scenario.reason.as_deref(),
            Some("client [redacted] refused")
        );
        let e = &scenario.exchanges[0];
        assert_eq!(
            e.url,
            "http://127.0.0.1/v1/webhooks?access_token=[redacted]"
        );
        assert_eq!(e.request_headers[0].1, "Bearer [redacted]");
        assert_eq!(e.response_headers[0].1, "[redacted]");
        assert_eq!(
            e.request_body.as_deref(),
            Some("{\n  \"first_name\": \"[redacted]\"\n}")
        );
        assert!(
            e.response_body
                .as_deref()
                .unwrap()
                .contains("\"secret\": \"[redacted]\"")
        );
        for written in [
            junit::to_xml(&redacted),
            html::to_html(&redacted),
            cucumber_json::to_json(&redacted),
            messages::to_ndjson(&redacted),
            console::failure_details(&redacted),
        ] {
            for secret in [
                "f82c389fb187aa",
                "s3cr3t-client",
                "eyJ.raw",
                "Theresa",
                "00112233",
            ] {
                assert!(!written.contains(secret), "{secret} in\n{written}");
            }
        }
    }

    #[test]
    fn a_report_that_cannot_be_written_is_named_and_the_others_are_written_whole() {
        let tmp = TempDir::new("one-unwritable");
        let dir = tmp.0.join("reports");
        // Where messages.ndjson is written first, a folder stands.
        std::fs::create_dir_all(dir.join("messages.ndjson.tmp")).unwrap();
        let report = sample::run_report();

        let err = write_all(&report, &dir).unwrap_err();

        assert!(
            matches!(&err, ReportError::Write { path, .. } if path.ends_with("messages.ndjson.tmp")),
            "{err:?}"
        );
        assert!(!dir.join("messages.ndjson").exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml is written"),
            junit::to_xml(&report)
        );
        for name in ["cucumber.json", "index.html", "run.json"] {
            assert!(dir.join(name).is_file(), "{name} is written");
            assert!(
                !dir.join(format!("{name}.tmp")).exists(),
                "{name}.tmp is gone"
            );
        }
    }

    #[test]
    fn write_all_reports_the_directory_it_could_not_create() {
        let tmp = TempDir::new("not-a-dir");
        std::fs::create_dir_all(&tmp.0).unwrap();
        let file = tmp.0.join("a-file");
        std::fs::write(&file, "").unwrap();

        let err = write_all(&sample::run_report(), &file.join("reports")).unwrap_err();

        assert!(matches!(err, ReportError::CreateDir { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "create the report directory `{}`",
                file.join("reports").display()
            )
        );
    }

    /// Writes `report` with [`write_all`] and validates the XML with `xmllint` against
    /// `junit-10.xsd`. Skips, with a note, only when xmllint or the schema is missing.
    fn assert_validates(report: &RunReport, name: &str) {
        if !xmllint_available() {
            eprintln!("note: xmllint is not on PATH; skipping the JUnit schema validation");
            return;
        }
        let Some(xsd) = junit_xsd() else {
            eprintln!("note: junit-10.xsd not found; skipping the JUnit schema validation");
            return;
        };
        let tmp = TempDir::new(name);
        let written = write_all(report, &tmp.0).expect("reports are written");

        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&written[0])
            .output()
            .expect("xmllint runs");

        assert!(
            out.status.success(),
            "xmllint refused {} ({}): {}{}",
            written[0].display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn junit_xml_validates_against_junit_10_xsd() {
        assert_validates(&sample::run_report(), "xsd");
    }

    #[test]
    fn an_empty_run_still_validates() {
        assert_validates(&RunReport::default(), "xsd-empty");
    }

    #[test]
    fn the_seed_is_in_the_reports_and_merged_shards_keep_each_one() {
        let with_seed = |seed| RunReport {
            seeds: vec![seed],
            ..sample::run_report()
        };
        let report = with_seed(424242);
        assert_validates(&report, "xsd-seed");
        assert!(junit::to_xml(&report).contains("<property name=\"seed\" value=\"424242\"/>"));
        assert!(html::to_html(&report).contains("<code>--seed 424242</code>"));
        let run: RunReport =
            serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
        assert_eq!(run.seeds, [424242], "run.json keeps it for report merge");

        let merged = merge(vec![with_seed(1), with_seed(2), with_seed(1)]);
        assert_eq!(merged.seeds, [1, 2]);
        assert!(html::to_html(&merged).contains("customers from seeds <b>1, 2</b>"));
        // A run.json written before the seed was recorded still reads.
        let old: RunReport = serde_json::from_str(
            r#"{"target":"t","started_at":"","duration":{"secs":0,"nanos":0},"features":[],"step_definitions":[]}"#,
        )
        .unwrap();
        assert!(old.seeds.is_empty());
    }
}
