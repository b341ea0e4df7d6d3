//! What the terminal shows: [`Progress`] while the suite runs (a bar on a terminal, a line per
//! scenario otherwise, see [`ProgressMode`]), then the closing [`summary`] tables and
//! compiler-like blocks for each failure ([`failure_details`]).
//!
//! Everything but the bar is plain text without colour codes, so it reads the same in a CI
//! log. Functions return their text without a trailing newline; the caller prints it with
//! `println!`.

use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant};

use tabled::Table;
use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::peaker::Priority;
use tabled::settings::style::HorizontalLine;
use tabled::settings::themes::Theme;
use tabled::settings::{Alignment, Style, Width};

use super::model::{Brief, Counts, FeatureReport, RunReport, ScenarioReport, Status};
use super::{human_duration, step_title};
use crate::check::redact::Redactor;

/// No summary table grows wider than this many columns; long names wrap instead.
pub const MAX_WIDTH: usize = 120;

/// The column the `-->` location points at when the step's own column is unknown: the usual
/// indent of a step under a scenario.
const STEP_COLUMN: usize = 5;

/// How many of the slowest scenarios the summary lists.
pub const SLOWEST: usize = 5;

/// The closing summary: a table of counts per feature, the [`SLOWEST`] scenarios, the flaky
/// ones, then one line of totals such as
/// `12 passed, 1 failed in 3.40 s (target: mock (embedded))`.
pub fn summary(report: &RunReport) -> String {
    let mut parts = Vec::with_capacity(4);
    if !report.features.is_empty() {
        parts.push(feature_table(report).to_string());
    }
    if report.features.iter().any(|f| !f.scenarios.is_empty()) {
        parts.push(format!("Slowest scenarios:\n{}", slowest_table(report)));
    }
    let flaky: Vec<String> = report
        .features
        .iter()
        .flat_map(|f| f.scenarios.briefs().map(move |s| (f, s)))
        .filter_map(|(f, s)| {
            let why = s.flaky?;
            let now = match s.status {
                Status::Passed => String::new(),
                other => format!("{} this time; ", other.as_str()),
            };
            Some(format!("  {} › {} ({now}{})", f.name, s.name, why.as_str()))
        })
        .collect();
    if !flaky.is_empty() {
        parts.push(format!("Flaky scenarios:\n{}", flaky.join("\n")));
    }
    parts.push(totals_line(report));
    parts.join("\n\n")
}

/// One block per failed scenario, pointing into the feature file like a compiler error:
///
/// ```text
/// error: response does not match schema `person.json`
///   --> features/onboarding/german_retail.feature:14:5
///    | Then the person is created
///    |   at /address/country: "Germany" does not match "^[A-Z]{2}$"
/// ```
///
/// Blocks are separated by a blank line; the result is empty when nothing failed.
pub fn failure_details(report: &RunReport) -> String {
    let mut blocks = Vec::new();
    for feature in &report.features {
        for scenario in feature.scenarios.select(|s| s.status == Status::Failed) {
            blocks.push(failure_block(feature, &scenario));
        }
    }
    blocks.join("\n\n")
}

/// The progress line printed as a scenario finishes, e.g.
/// `  ok   German retail onboarding › A customer goes from consents to an active card (310 ms)`.
///
/// A not-applicable scenario shows why instead of its (empty) duration when the reason is known.
pub fn scenario_line(feature: &FeatureReport, scenario: &ScenarioReport) -> String {
    let marker = match scenario.status {
        Status::Passed => "ok",
        Status::Failed => "FAIL",
        Status::Skipped => "skip",
        Status::NotApplicable => "n/a",
    };
    let mut trailer = match (&scenario.status, &scenario.reason) {
        (Status::NotApplicable, Some(reason)) => reason.clone(),
        _ => human_duration(scenario.duration),
    };
    if scenario.status == Status::Passed && !scenario.retried.is_empty() {
        trailer.push_str(&format!(
            ", flaky: passed on attempt {}",
            scenario.attempts()
        ));
    }
    format!(
        "  {marker:<4} {} › {} ({trailer})",
        feature.name, scenario.name
    )
}

/// The line printed when an attempt failed and the scenario will run again, e.g.
/// `  retry German retail onboarding › A customer … (attempt 1 failed: expected HTTP 201 …)`.
pub fn retry_line(feature: &FeatureReport, scenario: &str, attempt: usize, error: &str) -> String {
    let first = error.lines().next().unwrap_or_default().trim();
    let why = if first.is_empty() {
        "failed".to_owned()
    } else {
        format!("failed: {}", printable(first))
    };
    format!(
        "  retry {} › {scenario} (attempt {attempt} {why})",
        feature.name
    )
}

/// Control characters (escape sequences, bells) from an API answer stay out of the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

fn slowest_table(report: &RunReport) -> Table {
    let mut ran: Vec<(&FeatureReport, Brief<'_>)> = report
        .features
        .iter()
        .flat_map(|f| f.scenarios.briefs().map(move |s| (f, s)))
        .filter(|(_, s)| matches!(s.status, Status::Passed | Status::Failed))
        .collect();
    ran.sort_by_key(|(_, s)| std::cmp::Reverse(s.duration));

    let mut builder = Builder::default();
    builder.push_record(["Feature", "Scenario", "Status", "Duration"]);
    for (feature, scenario) in ran.into_iter().take(SLOWEST) {
        builder.push_record([
            feature.name.as_str(),
            scenario.name,
            scenario.status.as_str(),
            &human_duration(scenario.duration),
        ]);
    }

    let mut table = builder.build();
    table
        .with(Style::rounded())
        .modify(Columns::one(3), Alignment::right());
    fit_width(&mut table);
    table
}

fn feature_table(report: &RunReport) -> Table {
    let mut builder = Builder::default();
    builder.push_record([
        "Feature", "Passed", "Failed", "Skipped", "N/A", "Flaky", "Duration",
    ]);
    let mut totals = Counts::default();
    for feature in &report.features {
        let counts = feature.scenarios.counts();
        let duration = feature.scenarios.duration();
        totals.passed += counts.passed;
        totals.failed += counts.failed;
        totals.skipped += counts.skipped;
        totals.not_applicable += counts.not_applicable;
        totals.flaky += counts.flaky;
        builder.push_record([
            feature.name.clone(),
            counts.passed.to_string(),
            counts.failed.to_string(),
            counts.skipped.to_string(),
            counts.not_applicable.to_string(),
            counts.flaky.to_string(),
            human_duration(duration),
        ]);
    }
    let group_start = report.features.len() + 1;
    if report.features.len() > 1 {
        builder.push_record([
            "All features".to_owned(),
            totals.passed.to_string(),
            totals.failed.to_string(),
            totals.skipped.to_string(),
            totals.not_applicable.to_string(),
            totals.flaky.to_string(),
            format!("{:.2} s", report.duration.as_secs_f64()),
        ]);
    }

    let mut theme = Theme::from_style(Style::rounded());
    if report.features.len() > 1 {
        theme.insert_horizontal_line(group_start, HorizontalLine::inherit(Style::modern()));
    }
    let mut table = builder.build();
    table
        .with(theme)
        .modify(Columns::new(1..), Alignment::right());
    fit_width(&mut table);
    table
}

/// Wraps the widest column, at word boundaries where it can, until the table fits.
fn fit_width(table: &mut Table) {
    table.with(
        Width::wrap(MAX_WIDTH)
            .keep_words(true)
            .priority(Priority::max(true)),
    );
}

fn totals_line(report: &RunReport) -> String {
    let c = report.counts();
    let mut line = format!("{} passed", c.passed);
    if c.flaky > 0 {
        line.push_str(&format!(" ({} flaky)", c.flaky));
    }
    line.push_str(&format!(", {} failed", c.failed));
    if c.skipped > 0 {
        line.push_str(&format!(", {} skipped", c.skipped));
    }
    if c.not_applicable > 0 {
        line.push_str(&format!(", {} not applicable", c.not_applicable));
    }
    if let Some(note) = &report.interrupted {
        line.push_str(&format!(" (interrupted: {note})"));
    }
    line.push_str(&format!(
        " in {:.2} s (target: {})",
        report.duration.as_secs_f64(),
        report.target
    ));
    line
}

fn failure_block(feature: &FeatureReport, scenario: &ScenarioReport) -> String {
    // A scenario can fail without a failed step (a hook, a panic outside the steps): then
    // point at the scenario itself.
    let (line, title, error) = match scenario.failed_step() {
        Some(step) => (step.line, step_title(step), step.error.as_deref()),
        None => (scenario.line, format!("Scenario: {}", scenario.name), None),
    };
    let error: Option<String> = error.map(printable);
    let error = error
        .as_deref()
        .map(str::trim_end)
        .filter(|e| !e.is_empty());
    let mut lines = error.unwrap_or("step failed without a message").lines();
    let headline = lines.next().unwrap_or_default();

    let mut block = format!(
        "error: {headline}\n  --> {}:{line}:{STEP_COLUMN}\n   | {title}",
        feature.path
    );
    for rest in lines {
        if rest.trim().is_empty() {
            block.push_str("\n   |");
        } else {
            block.push_str("\n   |   ");
            block.push_str(rest);
        }
    }
    block
}

/// How [`Progress`] shows a running suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// One bar, redrawn in place, with failures printed above it: for a terminal.
    Bar,
    /// One plain line per finished scenario: for CI logs, pipes and `NO_COLOR`.
    Lines,
}

impl ProgressMode {
    /// A bar when standard output is a terminal, plain lines when it is not, when `NO_COLOR`
    /// is set (to anything but the empty string) or when `TERM` is `dumb`.
    pub fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        if std::io::stdout().is_terminal() && !no_color && !dumb {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        }
    }
}

/// Width of the bar itself, in characters.
const BAR_WIDTH: usize = 24;

/// The running suite on the terminal: [`finished`](Progress::finished) and
/// [`retrying`](Progress::retrying) as scenarios end, [`clear`](Progress::clear) before the
/// summary.
#[derive(Debug)]
pub struct Progress {
    mode: ProgressMode,
    total: Option<usize>,
    done: usize,
    failed: usize,
    started: Instant,
    /// Whether the bar is on screen (and must be wiped before a line is printed).
    drawn: bool,
    /// What every line passes through: the run's secrets policy.
    policy: Redactor,
}

impl Progress {
    pub fn new(mode: ProgressMode) -> Self {
        Progress {
            mode,
            total: None,
            done: 0,
            failed: 0,
            started: Instant::now(),
            drawn: false,
            policy: Redactor::default(),
        }
    }

    /// Lines are printed through `policy` (a failing step's error may quote a secret).
    pub fn redacting(mut self, policy: Redactor) -> Self {
        self.policy = policy;
        self
    }

    /// How many scenarios will finish, once cucumber knows.
    pub fn set_total(&mut self, total: usize) {
        self.total = Some(total);
        self.draw(None);
    }

    /// A scenario finished for good (after its last attempt).
    pub fn finished(&mut self, feature: &FeatureReport, scenario: &ScenarioReport) {
        self.done += 1;
        if scenario.status == Status::Failed {
            self.failed += 1;
        }
        let line = self.policy.text(&scenario_line(feature, scenario));
        match self.mode {
            ProgressMode::Lines => println!("{line}"),
            ProgressMode::Bar => {
                if scenario.status == Status::Failed || scenario.flaky.is_some() {
                    self.print_above(&line);
                }
                let last = self
                    .policy
                    .text(&format!("{} › {}", feature.name, scenario.name));
                self.draw(Some(&last));
            }
        }
    }

    /// An attempt failed and the scenario will run again.
    pub fn retrying(
        &mut self,
        feature: &FeatureReport,
        scenario: &str,
        attempt: usize,
        error: &str,
    ) {
        let line = self
            .policy
            .text(&retry_line(feature, scenario, attempt, error));
        match self.mode {
            ProgressMode::Lines => println!("{line}"),
            ProgressMode::Bar => {
                self.print_above(&line);
                self.draw(None);
            }
        }
    }

    /// Wipes the bar, so what follows starts on a clean line.
    pub fn clear(&mut self) {
        if self.drawn {
            print!("\r\x1b[2K");
            let _ = std::io::stdout().flush();
            self.drawn = false;
        }
    }

    fn print_above(&mut self, line: &str) {
        self.clear();
        println!("{line}");
    }

    fn draw(&mut self, last: Option<&str>) {
        if self.mode != ProgressMode::Bar {
            return;
        }
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(100);
        let bar = progress_bar(self.done, self.total, self.failed, self.started.elapsed());
        let room = columns.saturating_sub(bar.visible_len + 1);
        let last: String = last
            .map(|l| printable(l).chars().take(room).collect())
            .unwrap_or_default();
        print!("\r\x1b[2K{} {last}", bar.text);
        let _ = std::io::stdout().flush();
        self.drawn = true;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

struct Bar {
    text: String,
    visible_len: usize,
}

/// `[██████░░░░] 12/40 · 1 failed · 3 s`, green (red once something failed).
fn progress_bar(done: usize, total: Option<usize>, failed: usize, elapsed: Duration) -> Bar {
    let filled = match total {
        Some(t) if t > 0 => (done.min(t) * BAR_WIDTH) / t,
        _ => 0,
    };
    let colour = if failed > 0 { "31" } else { "32" };
    let count = match total {
        Some(t) => format!("{done}/{t}"),
        None => done.to_string(),
    };
    let failed_text = if failed > 0 {
        format!(" · {failed} failed")
    } else {
        String::new()
    };
    let tail = format!("] {count}{failed_text} · {} s", elapsed.as_secs());
    let text = format!(
        "[\x1b[{colour}m{}\x1b[0m{}{tail}",
        "█".repeat(filled),
        "░".repeat(BAR_WIDTH - filled),
    );
    Bar {
        visible_len: 1 + BAR_WIDTH + tail.chars().count(),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, FAILED_SCENARIO, LONG_SCENARIO};
    use super::*;

    #[test]
    fn summary_ends_with_the_totals_line() {
        let out = summary(&sample::run_report());

        assert_eq!(
            out.lines().last(),
            Some(
                "2 passed (1 flaky), 1 failed, 1 skipped, 1 not applicable in 3.40 s (target: mock (embedded))"
            )
        );
    }

    #[test]
    fn totals_line_leaves_out_zero_skipped_and_not_applicable() {
        let mut report = sample::run_report();
        report.features.truncate(1);

        let out = summary(&report);

        assert_eq!(
            out.lines().last(),
            Some("2 passed (1 flaky), 1 failed in 3.40 s (target: mock (embedded))")
        );
    }

    #[test]
    fn summary_lists_the_slowest_scenarios_that_ran() {
        let out = summary(&sample::run_report());
        let start = out.find("Slowest scenarios:").expect("a slowest table");
        let rows: Vec<&str> = out[start..]
            .lines()
            .filter(|l| l.starts_with("│ ") && !l.contains("Duration"))
            .take_while(|l| !l.contains("Passed"))
            .collect();

        // Longest first; skipped and not-applicable scenarios did not run.
        assert!(rows[0].contains(FAILED_SCENARIO), "{out}");
        assert!(rows[0].contains("│ failed "), "{}", rows[0]);
        assert!(rows[0].ends_with("│   1.87 s │"), "{}", rows[0]);
        assert!(
            rows[1].contains("A customer goes from consents to an active card"),
            "{out}"
        );
        assert!(rows[1].ends_with("│   310 ms │"), "{}", rows[1]);
        assert!(!out.contains("A payout is booked"), "{out}");
        assert!(!out.contains("A returned payout is refunded"), "{out}");
    }

    #[test]
    fn summary_names_the_flaky_scenarios_and_why() {
        let out = summary(&sample::run_report());

        assert!(
            out.contains(
                "Flaky scenarios:\n  German retail onboarding › A customer goes from consents to an active card (passed on retry)"
            ),
            "{out}"
        );
    }

    #[test]
    fn the_slowest_table_stops_at_five() {
        let mut report = sample::run_report();
        let mut template = report.features[0].scenarios[0].clone();
        template.flaky = None;
        report.features[0].scenarios = (0..12)
            .map(|i| ScenarioReport {
                name: format!("scenario {i}"),
                duration: Duration::from_millis(i * 10),
                ..template.clone()
            })
            .collect();

        let out = summary(&report);
        let start = out.find("Slowest scenarios:").unwrap();
        let listed = out[start..].matches("│ scenario ").count();
        assert_eq!(listed, SLOWEST, "{out}");
        assert!(out.contains("scenario 11"), "{out}");
        assert!(!out.contains("scenario 6 "), "{out}");
    }

    #[test]
    fn summary_counts_each_feature() {
        let out = summary(&sample::run_report());

        let header = out
            .lines()
            .find(|l| l.contains("Passed"))
            .expect("a feature table");
        let cells: Vec<&str> = header.split('│').map(str::trim).collect();
        assert_eq!(
            cells,
            [
                "", "Feature", "Passed", "Failed", "Skipped", "N/A", "Flaky", "Duration", ""
            ]
        );

        let counts = |feature: &str| -> Vec<String> {
            out.lines()
                .find(|l| l.starts_with(&format!("│ {feature} ")))
                .expect("a feature row")
                .split('│')
                .map(|c| c.trim().to_owned())
                .collect()
        };
        assert_eq!(
            counts("German retail onboarding"),
            [
                "",
                "German retail onboarding",
                "2",
                "1",
                "0",
                "0",
                "1",
                "2.22 s",
                ""
            ]
        );
        assert_eq!(
            counts("SEPA payouts"),
            ["", "SEPA payouts", "0", "0", "1", "1", "0", "0 ms", ""]
        );
        assert_eq!(
            counts("All features"),
            ["", "All features", "2", "1", "1", "1", "1", "3.40 s", ""]
        );
    }

    #[test]
    fn summary_fits_in_120_columns_by_wrapping_long_names() {
        let out = summary(&sample::run_report());

        for line in out.lines() {
            assert!(
                line.chars().count() <= MAX_WIDTH,
                "{} columns: {line}",
                line.chars().count()
            );
        }
        // The long name is wrapped, not dropped: every word is still there.
        let text: String = out.replace('│', " ");
        for word in LONG_SCENARIO.split_whitespace() {
            assert!(text.contains(word), "{word:?} missing from\n{out}");
        }
        assert!(
            !out.lines().any(|l| l.contains(LONG_SCENARIO)),
            "the long name should wrap"
        );
    }

    #[test]
    fn summary_has_no_colour_codes() {
        let out = summary(&sample::run_report());

        assert!(!out.contains('\u{1b}'));
        assert!(out.starts_with('╭'), "{out}");
    }

    #[test]
    fn summary_of_an_empty_run_is_just_the_totals() {
        let report = RunReport {
            target: "https://sandbox.example".to_owned(),
            ..RunReport::default()
        };

        assert_eq!(
            summary(&report),
            "0 passed, 0 failed in 0.00 s (target: https://sandbox.example)"
        );
    }

    #[test]
    fn failure_details_read_like_a_compiler_error() {
        let out = failure_details(&sample::run_report());

        assert_eq!(
            out,
            "error: response does not match schema `person.json`\n\
             \x20 --> features/onboarding/german_retail.feature:14:5\n\
             \x20  | Then the person is created\n\
             \x20  |   at /address/country: \"Germany\" does not match \"^[A-Z]{2}$\"\n\
             \x20  |\n\
             \x20  |   expected <country> & 'ISO 3166' code[0m, got \"Germany\""
        );
    }

    #[test]
    fn failure_details_separate_blocks_and_point_at_a_scenario_without_failed_step() {
        let mut report = sample::run_report();
        let mut hook_failure = report.features[0].scenarios[0].clone();
        hook_failure.name = "A hook fails".to_owned();
        hook_failure.line = 30;
        hook_failure.status = Status::Failed;
        report.features[1]
            .scenarios
            .in_memory()
            .unwrap()
            .push(hook_failure);

        let out = failure_details(&report);

        let blocks: Vec<&str> = out.split("\n\n").collect();
        assert_eq!(blocks.len(), 2, "{out}");
        assert_eq!(
            blocks[1],
            "error: step failed without a message\n\
             \x20 --> ./features/payouts/sepa.feature:30:5\n\
             \x20  | Scenario: A hook fails"
        );
    }

    #[test]
    fn failure_details_are_empty_when_nothing_failed() {
        let mut report = sample::run_report();
        report.features.remove(0);

        assert_eq!(failure_details(&report), "");
    }

    #[test]
    fn scenario_lines_mark_each_status() {
        let report = sample::run_report();
        let [onboarding, payouts] = &report.features[..] else {
            panic!("two features")
        };

        assert_eq!(
            scenario_line(onboarding, &onboarding.scenarios[0]),
            "  ok   German retail onboarding › A customer goes from consents to an active card \
             (310 ms, flaky: passed on attempt 2)"
        );
        assert_eq!(
            scenario_line(onboarding, &onboarding.scenarios[1]),
            format!("  FAIL German retail onboarding › {FAILED_SCENARIO} (1.87 s)")
        );
        assert_eq!(
            scenario_line(payouts, &payouts.scenarios[0]),
            "  skip SEPA payouts › A payout is booked (0 ms)"
        );
        assert_eq!(
            scenario_line(payouts, &payouts.scenarios[1]),
            "  n/a  SEPA payouts › A returned payout is refunded -- Examples #1 (amount = 0.01) \
             (the target has no simulator)"
        );
    }

    #[test]
    fn a_retry_line_names_the_attempt_and_the_first_line_of_the_error() {
        let report = sample::run_report();
        assert_eq!(
            retry_line(
                &report.features[0],
                "A customer goes from consents to an active card",
                1,
                "expected HTTP 201\u{1b}[0m, got 503\n  --> somewhere"
            ),
            "  retry German retail onboarding › A customer goes from consents to an active card \
             (attempt 1 failed: expected HTTP 201[0m, got 503)"
        );
    }

    #[test]
    fn the_progress_bar_fills_with_the_share_done() {
        let bar = progress_bar(10, Some(40), 0, Duration::from_secs(3));
        assert_eq!(
            bar.text,
            format!(
                "[\x1b[32m{}\x1b[0m{}] 10/40 · 3 s",
                "█".repeat(6),
                "░".repeat(18)
            )
        );
        assert_eq!(bar.visible_len, 1 + 24 + "] 10/40 · 3 s".chars().count());

        let failing = progress_bar(40, Some(40), 2, Duration::ZERO);
        assert!(failing.text.starts_with("[\x1b[31m"), "{}", failing.text);
        assert!(
            failing.text.ends_with("] 40/40 · 2 failed · 0 s"),
            "{}",
            failing.text
        );

        let unknown = progress_bar(3, None, 0, Duration::ZERO);
        assert!(unknown.text.ends_with("] 3 · 0 s"), "{}", unknown.text);
    }
}
