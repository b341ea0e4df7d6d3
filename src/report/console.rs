//! What the terminal shows: a progress line per scenario ([`scenario_line`]), the closing
//! [`summary`] tables and compiler-like blocks for each failure ([`failure_details`]).
//!
//! Everything is plain text without colour codes, so it reads the same in a CI log. Functions
//! return their text without a trailing newline; the caller prints it with `println!`.

use std::time::Duration;

use tabled::Table;
use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::peaker::Priority;
use tabled::settings::style::HorizontalLine;
use tabled::settings::themes::Theme;
use tabled::settings::{Alignment, Style, Width};

use super::model::{Counts, FeatureReport, RunReport, ScenarioReport, Status};
use super::{human_duration, step_title};

/// No summary table grows wider than this many columns; long names wrap instead.
pub const MAX_WIDTH: usize = 120;

/// The column the `-->` location points at when the step's own column is unknown: the usual
/// indent of a step under a scenario.
const STEP_COLUMN: usize = 5;

/// The closing summary: a table of every scenario grouped by feature, a table of counts per
/// feature, then one line of totals such as
/// `12 passed, 1 failed in 3.40 s (target: mock (embedded))`.
pub fn summary(report: &RunReport) -> String {
    let mut parts = Vec::with_capacity(3);
    if report.features.iter().any(|f| !f.scenarios.is_empty()) {
        parts.push(scenario_table(report).to_string());
    }
    if !report.features.is_empty() {
        parts.push(feature_table(report).to_string());
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
        for scenario in &feature.scenarios {
            if scenario.status == Status::Failed {
                blocks.push(failure_block(feature, scenario));
            }
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
    let trailer = match (&scenario.status, &scenario.reason) {
        (Status::NotApplicable, Some(reason)) => reason.clone(),
        _ => human_duration(scenario.duration),
    };
    format!(
        "  {marker:<4} {} › {} ({trailer})",
        feature.name, scenario.name
    )
}

fn scenario_table(report: &RunReport) -> Table {
    let mut builder = Builder::default();
    builder.push_record(["Feature", "Scenario", "Status", "Duration"]);

    // Row 0 is the header; a separator goes above the first row of every later feature.
    let mut group_starts = Vec::new();
    let mut row = 1;
    for feature in report.features.iter().filter(|f| !f.scenarios.is_empty()) {
        if row > 1 {
            group_starts.push(row);
        }
        for (i, scenario) in feature.scenarios.iter().enumerate() {
            let feature_cell = if i == 0 { feature.name.as_str() } else { "" };
            builder.push_record([
                feature_cell,
                &scenario.name,
                scenario.status.as_str(),
                &human_duration(scenario.duration),
            ]);
            row += 1;
        }
    }

    let mut theme = Theme::from_style(Style::rounded());
    for row in group_starts {
        theme.insert_horizontal_line(row, HorizontalLine::inherit(Style::modern()));
    }

    let mut table = builder.build();
    table
        .with(theme)
        .modify(Columns::one(3), Alignment::right());
    fit_width(&mut table);
    table
}

fn feature_table(report: &RunReport) -> Table {
    let mut builder = Builder::default();
    builder.push_record(["Feature", "Passed", "Failed", "Skipped", "N/A", "Duration"]);
    for feature in &report.features {
        let counts = Counts::of(&feature.scenarios);
        let duration: Duration = feature.scenarios.iter().map(|s| s.duration).sum();
        builder.push_record([
            feature.name.clone(),
            counts.passed.to_string(),
            counts.failed.to_string(),
            counts.skipped.to_string(),
            counts.not_applicable.to_string(),
            human_duration(duration),
        ]);
    }

    let mut table = builder.build();
    table
        .with(Style::rounded())
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
    let mut line = format!("{} passed, {} failed", c.passed, c.failed);
    if c.skipped > 0 {
        line.push_str(&format!(", {} skipped", c.skipped));
    }
    if c.not_applicable > 0 {
        line.push_str(&format!(", {} not applicable", c.not_applicable));
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
    // Control characters (escape sequences, bells) from an API answer stay out of the terminal.
    let error: Option<String> = error.map(|e| {
        e.chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
            .collect()
    });
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
                "2 passed, 1 failed, 1 skipped, 1 not applicable in 3.40 s (target: mock (embedded))"
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
            Some("2 passed, 1 failed in 3.40 s (target: mock (embedded))")
        );
    }

    #[test]
    fn summary_lists_every_scenario_with_status_and_duration() {
        let out = summary(&sample::run_report());
        let row = |needle: &str| {
            out.lines()
                .find(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("no row with {needle:?} in\n{out}"))
                .to_owned()
        };

        let passed = row("A customer goes from consents to an active card");
        assert!(
            passed.starts_with("│ German retail onboarding │"),
            "{passed}"
        );
        assert!(passed.contains("│ passed "), "{passed}");
        assert!(passed.ends_with("│   310 ms │"), "{passed}");

        let failed = row(FAILED_SCENARIO);
        assert!(failed.contains("│ failed "), "{failed}");
        assert!(failed.ends_with("│   1.87 s │"), "{failed}");

        let skipped = row("A payout is booked");
        assert!(skipped.starts_with("│ SEPA payouts "), "{skipped}");
        assert!(skipped.contains("│ skipped "), "{skipped}");

        let na = row("A returned payout is refunded");
        assert!(na.contains("│ not applicable │"), "{na}");

        // The second feature starts a new group under a separator line.
        let lines: Vec<&str> = out.lines().collect();
        let sepa = lines
            .iter()
            .position(|l| l.starts_with("│ SEPA payouts "))
            .unwrap();
        assert!(lines[sepa - 1].starts_with('├'), "{}", lines[sepa - 1]);
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
                "", "Feature", "Passed", "Failed", "Skipped", "N/A", "Duration", ""
            ]
        );

        let counts = |feature: &str| -> Vec<String> {
            out.lines()
                .rfind(|l| l.starts_with(&format!("│ {feature} ")))
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
                "2.22 s",
                ""
            ]
        );
        assert_eq!(
            counts("SEPA payouts"),
            ["", "SEPA payouts", "0", "0", "1", "1", "0 ms", ""]
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
        report.features[1].scenarios.push(hook_failure);

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
            "  ok   German retail onboarding › A customer goes from consents to an active card (310 ms)"
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
}
