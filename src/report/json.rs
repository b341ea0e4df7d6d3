//! JSON written by hand, byte for byte as serde_json writes it, for what is written once per
//! scenario, step or exchange of a run: serde escapes every key a byte at a time and goes
//! through a call per field, which was most of the time these writers took.
//!
//! `run.json` is [`write_run`]; Cucumber Messages and Cucumber JSON write theirs with the
//! helpers of [`crate::json`]. Tests hold each to serde's own output for any texts.

use std::io;
use std::time::Duration;

use crate::json::{FLUSH_AT, write_list, write_str, write_strs, write_uint};

use super::model::{
    Attempt, Exchange, FeatureReport, Flaky, PastRun, RunReport, ScenarioReport, Status, StepReport,
};

/// `report` as `run.json`: what `serde_json::to_writer(out, report)` writes, with each
/// scenario (read back one at a time when it was spilled) written by hand.
///
/// `Err` when a spilled scenario cannot be read back, in this writer or in another one that
/// reads the same spill file (its failure is kept on the file): the file is then not put in
/// place, as with every report.
pub(crate) fn write_run(report: &RunReport, out: &mut impl io::Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(FLUSH_AT);
    buf.extend_from_slice(b"{\"target\":");
    write_str(&mut buf, &report.target);
    buf.extend_from_slice(b",\"started_at\":");
    write_str(&mut buf, &report.started_at);
    buf.extend_from_slice(b",\"duration\":");
    write_duration(&mut buf, report.duration);
    buf.extend_from_slice(b",\"features\":[");
    for (i, feature) in report.features.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write_feature(&mut buf, feature, out)?;
    }
    buf.extend_from_slice(b"],\"step_definitions\":");
    serde_json::to_writer(&mut buf, &report.step_definitions).map_err(io::Error::other)?;
    buf.extend_from_slice(b",\"seeds\":");
    write_list(&mut buf, &report.seeds, |out, seed| write_uint(out, *seed));
    if let Some(interrupted) = &report.interrupted {
        buf.extend_from_slice(b",\"interrupted\":");
        write_str(&mut buf, interrupted);
    }
    buf.push(b'}');
    // A spilled scenario that could not be read back ended its feature's list early.
    report.read_back()?;
    out.write_all(&buf)
}

/// A feature, its scenarios handed to `out` as they are written (a large run's do not fit
/// in one buffer).
fn write_feature(
    buf: &mut Vec<u8>,
    feature: &FeatureReport,
    out: &mut impl io::Write,
) -> io::Result<()> {
    buf.extend_from_slice(b"{\"name\":");
    write_str(buf, &feature.name);
    buf.extend_from_slice(b",\"path\":");
    write_str(buf, &feature.path);
    buf.extend_from_slice(b",\"tags\":");
    write_strs(buf, &feature.tags);
    buf.extend_from_slice(b",\"scenarios\":[");
    for (i, scenario) in feature.scenarios.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write_scenario(buf, &scenario);
        if buf.len() >= FLUSH_AT {
            out.write_all(buf)?;
            buf.clear();
        }
    }
    buf.extend_from_slice(b"],\"source\":");
    write_opt_str(buf, feature.source.as_deref());
    buf.push(b'}');
    Ok(())
}

fn write_scenario(out: &mut Vec<u8>, s: &ScenarioReport) {
    out.extend_from_slice(b"{\"name\":");
    write_str(out, &s.name);
    out.extend_from_slice(b",\"line\":");
    write_uint(out, s.line as u64);
    out.extend_from_slice(b",\"tags\":");
    write_strs(out, &s.tags);
    out.extend_from_slice(b",\"rule\":");
    write_opt_str(out, s.rule.as_deref());
    out.extend_from_slice(b",\"status\":");
    write_status(out, s.status);
    out.extend_from_slice(b",\"duration\":");
    write_duration(out, s.duration);
    out.extend_from_slice(b",\"steps\":");
    write_steps(out, &s.steps);
    out.extend_from_slice(b",\"exchanges\":");
    write_exchanges(out, &s.exchanges);
    out.extend_from_slice(b",\"reason\":");
    write_opt_str(out, s.reason.as_deref());
    out.extend_from_slice(b",\"started\":");
    write_duration(out, s.started);
    out.extend_from_slice(b",\"retried\":");
    write_list(out, s.retried.iter(), |out, attempt| {
        write_attempt(out, attempt);
    });
    out.extend_from_slice(b",\"flaky\":");
    match s.flaky {
        None => out.extend_from_slice(b"null"),
        Some(Flaky::PassedOnRetry) => out.extend_from_slice(b"\"PassedOnRetry\""),
        Some(Flaky::FlipsBetweenRuns) => out.extend_from_slice(b"\"FlipsBetweenRuns\""),
    }
    out.extend_from_slice(b",\"history\":");
    write_list(out, s.history.iter(), |out, past| {
        write_past(out, past);
    });
    out.push(b'}');
}

fn write_attempt(out: &mut Vec<u8>, a: &Attempt) {
    out.extend_from_slice(b"{\"status\":");
    write_status(out, a.status);
    out.extend_from_slice(b",\"started\":");
    write_duration(out, a.started);
    out.extend_from_slice(b",\"duration\":");
    write_duration(out, a.duration);
    out.extend_from_slice(b",\"steps\":");
    write_steps(out, &a.steps);
    out.extend_from_slice(b",\"exchanges\":");
    write_exchanges(out, &a.exchanges);
    out.extend_from_slice(b",\"reason\":");
    write_opt_str(out, a.reason.as_deref());
    out.push(b'}');
}

fn write_past(out: &mut Vec<u8>, p: &PastRun) {
    out.extend_from_slice(b"{\"started_at\":");
    write_str(out, &p.started_at);
    out.extend_from_slice(b",\"status\":");
    write_status(out, p.status);
    out.extend_from_slice(b",\"retried\":");
    write_bool(out, p.retried);
    out.push(b'}');
}

fn write_steps(out: &mut Vec<u8>, steps: &[StepReport]) {
    write_list(out, steps.iter(), |out, step| {
        write_step(out, step);
    });
}

fn write_step(out: &mut Vec<u8>, s: &StepReport) {
    out.extend_from_slice(b"{\"keyword\":");
    write_str(out, &s.keyword);
    out.extend_from_slice(b",\"text\":");
    write_str(out, &s.text);
    out.extend_from_slice(b",\"line\":");
    write_uint(out, s.line as u64);
    out.extend_from_slice(b",\"status\":");
    write_status(out, s.status);
    out.extend_from_slice(b",\"duration\":");
    write_duration(out, s.duration);
    out.extend_from_slice(b",\"table\":");
    match &s.table {
        None => out.extend_from_slice(b"null"),
        Some(rows) => {
            write_list(out, rows.iter(), |out, row| {
                write_strs(out, row);
            });
        }
    }
    out.extend_from_slice(b",\"docstring\":");
    write_opt_str(out, s.docstring.as_deref());
    out.extend_from_slice(b",\"error\":");
    write_opt_str(out, s.error.as_deref());
    out.extend_from_slice(b",\"background\":");
    write_bool(out, s.background);
    out.extend_from_slice(b",\"matches\":");
    write_list(out, s.matches.iter(), |out, m| {
        out.extend_from_slice(b"{\"definition\":");
        write_uint(out, m.definition as u64);
        out.extend_from_slice(b",\"arguments\":");
        write_list(out, m.arguments.iter(), |out, argument| {
            out.extend_from_slice(b"{\"start\":");
            write_uint(out, argument.start as u64);
            out.extend_from_slice(b",\"value\":");
            write_str(out, &argument.value);
            out.push(b'}');
        });
        out.push(b'}');
    });
    out.push(b'}');
}

fn write_exchanges(out: &mut Vec<u8>, exchanges: &[Exchange]) {
    write_list(out, exchanges.iter(), |out, e| {
        out.extend_from_slice(b"{\"method\":");
        write_str(out, &e.method);
        out.extend_from_slice(b",\"url\":");
        write_str(out, &e.url);
        out.extend_from_slice(b",\"request_headers\":");
        write_headers(out, &e.request_headers);
        out.extend_from_slice(b",\"request_body\":");
        write_opt_str(out, e.request_body.as_deref());
        out.extend_from_slice(b",\"status\":");
        match e.status {
            None => out.extend_from_slice(b"null"),
            Some(status) => write_uint(out, u64::from(status)),
        }
        out.extend_from_slice(b",\"response_headers\":");
        write_headers(out, &e.response_headers);
        out.extend_from_slice(b",\"response_body\":");
        write_opt_str(out, e.response_body.as_deref());
        out.extend_from_slice(b",\"duration\":");
        write_duration(out, e.duration);
        out.push(b'}');
    });
}

fn write_headers(out: &mut Vec<u8>, headers: &[(String, String)]) {
    write_list(out, headers.iter(), |out, (name, value)| {
        out.push(b'[');
        write_str(out, name);
        out.push(b',');
        write_str(out, value);
        out.push(b']');
    });
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.extend_from_slice(b"null"),
        Some(s) => write_str(out, s),
    }
}

fn write_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// As serde writes a `Duration`: `{"secs":…,"nanos":…}`.
fn write_duration(out: &mut Vec<u8>, d: Duration) {
    out.extend_from_slice(b"{\"secs\":");
    write_uint(out, d.as_secs());
    out.extend_from_slice(b",\"nanos\":");
    write_uint(out, u64::from(d.subsec_nanos()));
    out.push(b'}');
}

/// As serde writes the variant's name.
fn write_status(out: &mut Vec<u8>, status: Status) {
    out.extend_from_slice(match status {
        Status::Passed => b"\"Passed\"",
        Status::Failed => b"\"Failed\"",
        Status::Skipped => b"\"Skipped\"",
        Status::NotApplicable => b"\"NotApplicable\"",
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::collection::vec;
    use proptest::option::of;
    use proptest::prelude::*;

    use super::*;
    use crate::report::model::{Scenarios, StepArgument, StepMatch, Stored, Summary};
    use crate::report::sample;
    use crate::report::spill::SpillWriter;

    fn text() -> impl Strategy<Value = String> {
        crate::json::any_text()
    }

    fn duration() -> impl Strategy<Value = Duration> {
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n))
    }

    fn status() -> impl Strategy<Value = Status> {
        prop_oneof![
            Just(Status::Passed),
            Just(Status::Failed),
            Just(Status::Skipped),
            Just(Status::NotApplicable),
        ]
    }

    fn step() -> impl Strategy<Value = StepReport> {
        (
            (text(), text(), any::<usize>(), status(), duration()),
            (
                of(vec(vec(text(), 0..3), 0..3)),
                of(text()),
                of(text()),
                any::<bool>(),
            ),
            vec(
                (
                    any::<usize>(),
                    vec(
                        (any::<usize>(), text())
                            .prop_map(|(start, value)| StepArgument { start, value }),
                        0..3,
                    ),
                )
                    .prop_map(|(definition, arguments)| StepMatch {
                        definition,
                        arguments,
                    }),
                0..3,
            ),
        )
            .prop_map(
                |(
                    (keyword, text, line, status, duration),
                    (table, docstring, error, background),
                    matches,
                )| StepReport {
                    keyword,
                    text,
                    line,
                    status,
                    duration,
                    table,
                    docstring,
                    error,
                    background,
                    matches,
                },
            )
    }

    fn exchange() -> impl Strategy<Value = Exchange> {
        (
            (text(), text(), vec((text(), text()), 0..3), of(text())),
            (
                of(any::<u16>()),
                vec((text(), text()), 0..3),
                of(text()),
                duration(),
            ),
        )
            .prop_map(
                |(
                    (method, url, request_headers, request_body),
                    (status, response_headers, response_body, duration),
                )| Exchange {
                    method,
                    url,
                    request_headers,
                    request_body,
                    status,
                    response_headers,
                    response_body,
                    duration,
                },
            )
    }

    fn attempt() -> impl Strategy<Value = Attempt> {
        (
            status(),
            duration(),
            duration(),
            vec(step(), 0..2),
            vec(exchange(), 0..2),
            of(text()),
        )
            .prop_map(
                |(status, started, duration, steps, exchanges, reason)| Attempt {
                    status,
                    started,
                    duration,
                    steps,
                    exchanges,
                    reason,
                },
            )
    }

    fn scenario() -> impl Strategy<Value = ScenarioReport> {
        (
            (
                text(),
                any::<usize>(),
                vec(text(), 0..3),
                of(text()),
                status(),
            ),
            (
                duration(),
                vec(step(), 0..3),
                vec(exchange(), 0..3),
                of(text()),
            ),
            (
                duration(),
                vec(attempt(), 0..2),
                of(prop_oneof![
                    Just(Flaky::PassedOnRetry),
                    Just(Flaky::FlipsBetweenRuns)
                ]),
                vec(
                    (text(), status(), any::<bool>()).prop_map(|(started_at, status, retried)| {
                        PastRun {
                            started_at,
                            status,
                            retried,
                        }
                    }),
                    0..3,
                ),
            ),
        )
            .prop_map(
                |(
                    (name, line, tags, rule, status),
                    (duration, steps, exchanges, reason),
                    (started, retried, flaky, history),
                )| ScenarioReport {
                    name,
                    line,
                    tags,
                    rule,
                    status,
                    duration,
                    steps,
                    exchanges,
                    reason,
                    started,
                    retried,
                    flaky,
                    history,
                },
            )
    }

    fn written(report: &RunReport) -> String {
        let mut out = Vec::new();
        write_run(report, &mut out).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    fn serde(report: &RunReport) -> String {
        serde_json::to_string(report).expect("serialised")
    }

    proptest! {
        /// A scenario written by hand is the bytes serde_json writes for it, whatever its
        /// texts hold and whichever of its parts are empty or missing.
        #[test]
        fn a_hand_written_scenario_is_what_serde_writes(scenario in scenario()) {
            let mut out = Vec::new();
            write_scenario(&mut out, &scenario);
            prop_assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&scenario).unwrap()
            );
        }
    }

    #[test]
    fn the_sample_run_is_written_as_serde_writes_it() {
        let mut report = sample::run_report();
        assert_eq!(written(&report), serde(&report));
        report.interrupted = Some("stopped after 2 of 9 scenarios".into());
        report.seeds = vec![1, 424242];
        report.features[0].source = None;
        assert_eq!(written(&report), serde(&report));
        // And it reads back as the same run.
        let back: RunReport = serde_json::from_str(&written(&report)).expect("parses");
        assert_eq!(serde(&back), serde(&report));
    }

    #[test]
    fn spilled_scenarios_are_read_back_into_run_json() {
        let report = sample::run_report();
        let mut spilled = report.clone();
        for feature in &mut spilled.features {
            let mut writer = SpillWriter::create().expect("spill file");
            let briefs = feature
                .scenarios
                .iter()
                .map(|s| Stored::OnDisk(Summary::of(&s), writer.push(&s).expect("written")))
                .collect();
            feature.scenarios = Scenarios::spilled(Arc::new(writer.finish()), briefs);
        }
        assert!(spilled.features.iter().all(|f| f.scenarios.on_disk()));
        assert_eq!(written(&spilled), serde(&report));
    }

    #[test]
    fn a_spilled_scenario_that_cannot_be_read_back_fails_the_file() {
        let mut report = sample::run_report();
        let feature = &mut report.features[0];
        let mut writer = SpillWriter::create().expect("spill file");
        let mut briefs: Vec<_> = feature
            .scenarios
            .iter()
            .map(|s| Stored::OnDisk(Summary::of(&s), writer.push(&s).expect("written")))
            .collect();
        // The last one points into the middle of a record.
        if let Some(Stored::OnDisk(_, entry)) = briefs.last_mut() {
            entry.offset += 3;
        }
        feature.scenarios = Scenarios::spilled(Arc::new(writer.finish()), briefs);
        let error = write_run(&report, &mut Vec::new()).expect_err("a scenario is missing");
        assert!(
            error.to_string().contains("read the scenario spill file"),
            "{error}"
        );
    }
}
