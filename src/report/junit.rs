//! JUnit XML for CI: [`to_xml`] renders a [`RunReport`], [`write`] puts it on disk atomically.
//!
//! The shape follows the Jenkins xUnit plugin's `junit-10.xsd`, the schema pytest's writer
//! and most CI tools follow: one `<testsuite>` per feature, one `<testcase>` per scenario (per
//! Examples row). Failed scenarios hold a `<failure>`; skipped and not-applicable ones a
//! `<skipped>`. Retried attempts follow Surefire: a scenario that passed on retry holds one
//! `<flakyFailure>` per failed attempt, one that failed every time a `<rerunFailure>` per
//! earlier attempt. The schema types `timestamp` as a plain string, so the run's UTC start
//! keeps its `Z`.

use std::fmt::Write as _;
use std::io;
use std::path::Path;
use std::time::Duration;

use super::model::{Attempt, FeatureReport, RunReport, ScenarioReport, Status, StepReport};
use super::{ReportError, step_title};

/// The `type` of every `<failure>`: the runner only sees steps that failed.
const FAILURE_TYPE: &str = "StepFailed";

/// Renders the whole run as a JUnit XML document (UTF-8, ending with a newline).
pub fn to_xml(report: &RunReport) -> String {
    let mut out = Vec::new();
    let _ = write_xml(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`to_xml`] to `path` atomically: into `path.tmp` first, then renamed over `path`,
/// so a reader never sees half a file.
pub fn write(report: &RunReport, path: &Path) -> Result<(), ReportError> {
    super::write_atomically_with(path, |out| {
        write_xml(report, out)?;
        report.read_back()
    })
}

/// The document, written as it is made: one scenario's markup at a time.
fn write_xml(report: &RunReport, out: &mut dyn io::Write) -> io::Result<()> {
    let counts = report.counts();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"solaris-conformance\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
        counts.total(),
        counts.failed,
        seconds(report.duration),
    );
    for feature in &report.features {
        write_suite(&mut xml, report, feature, out)?;
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}

fn write_suite(
    xml: &mut String,
    report: &RunReport,
    feature: &FeatureReport,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let counts = feature.scenarios.counts();
    // The scenarios' own time; under concurrency it can exceed the run's wall-clock time.
    let duration = feature.scenarios.duration();
    let _ = write!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"",
        attr(&feature.name),
        counts.total(),
        counts.failed,
        counts.skipped + counts.not_applicable,
        seconds(duration),
    );
    if !report.started_at.is_empty() {
        let _ = write!(xml, " timestamp=\"{}\"", attr(&report.started_at));
    }
    let _ = writeln!(xml, " file=\"{}\">", attr(&feature.path));

    let _ = writeln!(
        xml,
        "    <properties>\n      <property name=\"target\" value=\"{}\"/>",
        attr(&report.target)
    );
    for seed in &report.seeds {
        let _ = writeln!(xml, "      <property name=\"seed\" value=\"{seed}\"/>");
    }
    if let Some(note) = &report.interrupted {
        let _ = writeln!(
            xml,
            "      <property name=\"interrupted\" value=\"{}\"/>",
            attr(note)
        );
    }
    xml.push_str("    </properties>\n");

    let classname = classname(&feature.path);
    for scenario in feature.scenarios.iter() {
        write_case(xml, feature, &classname, &scenario);
        out.write_all(xml.as_bytes())?;
        xml.clear();
    }
    xml.push_str("  </testsuite>\n");
    Ok(())
}

fn write_case(
    xml: &mut String,
    feature: &FeatureReport,
    classname: &str,
    scenario: &ScenarioReport,
) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&scenario.name),
        attr(classname),
        seconds(scenario.duration),
    );
    if scenario.status == Status::Passed && scenario.steps.is_empty() && scenario.retried.is_empty()
    {
        xml.push_str("/>\n");
        return;
    }
    xml.push_str(">\n");

    match scenario.status {
        Status::Passed => {
            for attempt in &scenario.retried {
                let (message, body) = attempt_failure(feature, scenario, attempt);
                let _ = writeln!(
                    xml,
                    "      <flakyFailure message=\"{}\" type=\"{FAILURE_TYPE}\">{}</flakyFailure>",
                    attr(&message),
                    text(&body)
                );
            }
        }
        Status::Failed => {
            let (message, body) = failure(feature, scenario);
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\" type=\"{FAILURE_TYPE}\">{}</failure>",
                attr(&message),
                text(&body)
            );
            for attempt in &scenario.retried {
                let (message, body) = attempt_failure(feature, scenario, attempt);
                let _ = writeln!(
                    xml,
                    "      <rerunFailure message=\"{}\" type=\"{FAILURE_TYPE}\">{}</rerunFailure>",
                    attr(&message),
                    text(&body)
                );
            }
        }
        Status::Skipped => {
            let reason = scenario.reason.as_deref().unwrap_or("skipped");
            let _ = writeln!(xml, "      <skipped message=\"{}\"/>", attr(reason));
        }
        Status::NotApplicable => {
            let reason = match &scenario.reason {
                Some(reason) => format!("not applicable: {reason}"),
                None => "not applicable on this target".to_owned(),
            };
            let _ = writeln!(xml, "      <skipped message=\"{}\"/>", attr(&reason));
        }
    }

    if !scenario.steps.is_empty() {
        let mut out = String::with_capacity(80 * scenario.steps.len());
        if let Some(flaky) = scenario.flaky.filter(|_| scenario.status == Status::Passed) {
            let _ = writeln!(
                out,
                "flaky: {} ({} attempts)",
                flaky.as_str(),
                scenario.attempts()
            );
        }
        // Each step as `{status:<7} {keyword} {text} (line {line})`, pushed piece by piece (a
        // scenario's steps are most of the file).
        for step in &scenario.steps {
            let status = step.status.as_str();
            out.push_str(status);
            for _ in status.len()..7 {
                out.push(' ');
            }
            out.push(' ');
            super::push_step_title(&mut out, step);
            out.push_str(" (line ");
            out.push_str(itoa::Buffer::new().format(step.line));
            out.push_str(")\n");
        }
        xml.push_str("      <system-out>");
        escape_into(xml, &out, false);
        xml.push_str("</system-out>\n");
    }
    xml.push_str("    </testcase>\n");
}

/// The failure's one-line message and its body: the failing step, where it is, the full error.
fn failure(feature: &FeatureReport, scenario: &ScenarioReport) -> (String, String) {
    failure_of(
        feature,
        scenario,
        scenario.failed_step(),
        scenario.reason.as_deref(),
    )
}

/// [`failure`] for an earlier attempt; the body says which attempt it was.
fn attempt_failure(
    feature: &FeatureReport,
    scenario: &ScenarioReport,
    attempt: &Attempt,
) -> (String, String) {
    let number = scenario
        .retried
        .iter()
        .position(|a| std::ptr::eq(a, attempt))
        .map_or(1, |i| i + 1);
    let (message, body) = failure_of(
        feature,
        scenario,
        attempt.failed_step(),
        attempt.reason.as_deref(),
    );
    (message, format!("attempt {number}: {body}"))
}

fn failure_of(
    feature: &FeatureReport,
    scenario: &ScenarioReport,
    step: Option<&StepReport>,
    reason: Option<&str>,
) -> (String, String) {
    let Some(step) = step else {
        let message = reason
            .and_then(|r| r.lines().next())
            .unwrap_or("scenario failed without a failed step")
            .to_owned();
        let body = format!(
            "Scenario: {}\n  --> {}:{}\n\n{}",
            scenario.name,
            feature.path,
            scenario.line,
            reason.unwrap_or(&message)
        );
        return (message, body);
    };
    let error = step
        .error
        .as_deref()
        .map(str::trim_end)
        .filter(|e| !e.trim().is_empty())
        .unwrap_or("step failed without a message");
    let message = error.lines().next().unwrap_or_default().trim().to_owned();
    let body = format!(
        "{}\n  --> {}:{}\n\n{error}",
        step_title(step),
        feature.path,
        step.line
    );
    (message, body)
}

/// `features/onboarding/german_retail.feature` → `features.onboarding.german_retail`.
fn classname(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let path = path.strip_suffix(".feature").unwrap_or(path);
    path.replace('/', ".")
}

/// Seconds with three decimals, the form `junit-10.xsd`'s `SUREFIRE_TIME` accepts.
fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// Escapes text for an attribute value. Line breaks and tabs become character references,
/// since a parser would otherwise normalise them to spaces.
fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes element text. Line breaks and tabs stay as they are; `\r` becomes a reference so
/// it survives line-end normalisation.
fn text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    escape_into(&mut out, s, in_attribute);
    out
}

/// [`escape`], appended to `out`.
fn escape_into(out: &mut String, s: &str, in_attribute: bool) {
    super::escape::replace_bytes_into(
        out,
        s,
        |b| {
            super::escape::is_markup(b)
                | matches!(b, b'\r' | 0xef)
                | ((b < 0x20) & (in_attribute | ((b != b'\n') & (b != b'\t'))))
        },
        |bytes, i| match bytes[i] {
            b if super::escape::is_markup(b) => super::escape::markup(b, "&apos;"),
            b'\r' => Some(("&#13;", 1)),
            b'\n' => Some(("&#10;", 1)),
            b'\t' => Some(("&#9;", 1)),
            // XML 1.0's `Char` production leaves out U+FFFE and U+FFFF (0xEF 0xBF 0xBE/0xBF),
            // and the C0 controls but tab, newline and carriage return. Not even a character
            // reference may carry them: they go.
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => Some(("", 3)),
            0xef => None,
            _ => Some(("", 1)),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, FAILED_SCENARIO};
    use super::*;

    use proptest::prelude::*;

    /// XML 1.0's `Char` production. Rust's `char` already excludes the surrogates.
    fn allowed_in_xml(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
            && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
    }

    /// The escaping rules one character at a time: what the byte-wise [`escape`] must match.
    fn escape_by_character(s: &str, in_attribute: bool) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                '\r' => out.push_str("&#13;"),
                '\n' if in_attribute => out.push_str("&#10;"),
                '\t' if in_attribute => out.push_str("&#9;"),
                c if allowed_in_xml(c) => out.push(c),
                _ => {}
            }
        }
        out
    }

    proptest! {
        #[test]
        fn escaping_matches_the_rules_character_by_character(
            s in proptest::collection::vec(
                prop_oneof![
                    any::<char>(),
                    proptest::sample::select(&['\u{0}', '\u{1f}', '\t', '\n', '\r', '&', '<', '>', '"', '\'', '\u{85}', '\u{fffd}', '\u{fffe}', '\u{ffff}', '\u{10000}'][..]),
                ],
                0..80,
            ).prop_map(|chars| chars.into_iter().collect::<String>()),
            in_attribute: bool,
        ) {
            prop_assert_eq!(escape(&s, in_attribute), escape_by_character(&s, in_attribute));
        }
    }

    #[test]
    fn escapes_markup_and_drops_characters_xml_forbids() {
        assert_eq!(
            text("a < b & \"c\" > 'd'\n\te\u{1b}[0m\u{7}\u{0}\u{FFFE}"),
            "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;\n\te[0m"
        );
        assert_eq!(attr("one\ntwo\tthree\r"), "one&#10;two&#9;three&#13;");
        assert_eq!(attr("Größe €  😀"), "Größe €  😀");
    }

    #[test]
    fn classname_is_the_feature_path_as_dots() {
        assert_eq!(
            classname("features/onboarding/german_retail.feature"),
            "features.onboarding.german_retail"
        );
        assert_eq!(
            classname("./features/payouts/sepa.feature"),
            "features.payouts.sepa"
        );
        assert_eq!(
            classname("features\\payouts\\sepa.feature"),
            "features.payouts.sepa"
        );
    }

    #[test]
    fn seconds_have_three_decimals() {
        assert_eq!(seconds(Duration::ZERO), "0.000");
        assert_eq!(seconds(Duration::from_millis(3_404)), "3.404");
        assert_eq!(seconds(Duration::from_micros(1_500)), "0.002");
    }

    #[test]
    fn suites_and_totals_count_scenarios() {
        let xml = to_xml(&sample::run_report());

        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
        assert!(xml.ends_with("</testsuites>\n"));
        assert!(xml.contains(
            "<testsuites name=\"solaris-conformance\" tests=\"5\" failures=\"1\" errors=\"0\" time=\"3.404\">"
        ));
        assert!(xml.contains(
            "<testsuite name=\"German retail onboarding\" tests=\"3\" failures=\"1\" errors=\"0\" \
             skipped=\"0\" time=\"2.220\" timestamp=\"2025-01-15T10:00:00.123Z\" \
             file=\"features/onboarding/german_retail.feature\">"
        ));
        assert!(xml.contains(
            "<testsuite name=\"SEPA payouts\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"2\" \
             time=\"0.000\""
        ));
        assert!(xml.contains("<property name=\"target\" value=\"mock (embedded)\"/>"));
    }

    #[test]
    fn a_failed_scenario_holds_the_failing_step_and_the_whole_error() {
        let xml = to_xml(&sample::run_report());

        let name = attr(FAILED_SCENARIO);
        assert_eq!(
            name,
            "Jürgen&apos;s card &amp; &quot;Größe&quot; &lt;limit&gt; is refused"
        );
        assert!(xml.contains(&format!(
            "<testcase name=\"{name}\" classname=\"features.onboarding.german_retail\" time=\"1.870\">"
        )));
        assert!(
            xml.contains(
                "<failure message=\"response does not match schema `person.json`\" type=\"StepFailed\">\
                 Then the person is created\n\
                 \x20 --&gt; features/onboarding/german_retail.feature:14\n\
                 \n\
                 response does not match schema `person.json`\n\
                 at /address/country: &quot;Germany&quot; does not match &quot;^[A-Z]{2}$&quot;\n\
                 \n\
                 expected &lt;country&gt; &amp; &apos;ISO 3166&apos; code[0m, got &quot;Germany&quot;\
                 </failure>"
            ),
            "{xml}"
        );
        assert!(xml.contains(
            "<system-out>passed  Given a person with the name &quot;Jürgen&quot; (line 12)\n\
             passed  When the person is posted (line 13)\n\
             failed  Then the person is created (line 14)\n\
             skipped And the card limit is 500 EUR (line 15)\n\
             </system-out>"
        ));
    }

    #[test]
    fn skipped_and_not_applicable_scenarios_say_why() {
        let xml = to_xml(&sample::run_report());

        assert!(xml.contains(
            "<testcase name=\"A payout is booked\" classname=\"features.payouts.sepa\" time=\"0.000\">\n\
             \x20     <skipped message=\"skipped\"/>"
        ));
        assert!(xml.contains(
            "<testcase name=\"A returned payout is refunded -- Examples #1 (amount = 0.01)\" \
             classname=\"features.payouts.sepa\" time=\"0.000\">\n\
             \x20     <skipped message=\"not applicable: the target has no simulator\"/>\n\
             \x20     <system-out>skipped Given a returned payout of 0.01 EUR (line 8)\n</system-out>\n\
             \x20   </testcase>"
        ));
    }

    #[test]
    fn no_forbidden_character_reaches_the_document() {
        let xml = to_xml(&sample::run_report());

        assert!(xml.chars().all(allowed_in_xml));
        assert_eq!(xml.matches("<testcase ").count(), 5);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert_eq!(xml.matches("<skipped ").count(), 2);
    }

    #[test]
    fn write_replaces_the_file_atomically_and_names_the_path_on_error() {
        let dir = std::env::temp_dir().join(format!("solaris-junit-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("junit.xml");
        std::fs::write(&path, "old").unwrap();

        write(&sample::run_report(), &path).expect("written");

        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            to_xml(&sample::run_report())
        );
        assert!(!dir.join("junit.xml.tmp").exists());

        let missing = dir.join("missing/junit.xml");
        let err = write(&sample::run_report(), &missing).unwrap_err();
        assert!(matches!(err, ReportError::Write { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("write the report `{}.tmp`", missing.display())
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_scenario_that_passed_on_retry_holds_a_flaky_failure_per_failed_attempt() {
        let xml = to_xml(&sample::run_report());

        assert!(
            xml.contains(
                "<testcase name=\"A customer goes from consents to an active card\" \
                 classname=\"features.onboarding.german_retail\" time=\"0.310\">\n\
                 \x20     <flakyFailure message=\"expected HTTP 201 from POST /v1/persons, got 503\" \
                 type=\"StepFailed\">attempt 1: Given the customer consents to the terms\n\
                 \x20 --&gt; features/onboarding/german_retail.feature:7\n\
                 \n\
                 expected HTTP 201 from POST /v1/persons, got 503</flakyFailure>\n\
                 \x20     <system-out>flaky: passed on retry (2 attempts)\n"
            ),
            "{xml}"
        );
    }

    #[test]
    fn a_scenario_that_failed_every_attempt_holds_a_rerun_failure_per_earlier_one() {
        let mut report = sample::run_report();
        let earlier = report.features[0].scenarios[0].retried[0].clone();
        report.features[0].scenarios[1].retried = vec![earlier.clone(), earlier];

        let xml = to_xml(&report);

        assert_eq!(xml.matches("<rerunFailure ").count(), 2, "{xml}");
        assert!(
            xml.contains(">attempt 2: Given the customer consents"),
            "{xml}"
        );
        assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    }
}
