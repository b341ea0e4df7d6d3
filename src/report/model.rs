//! The results of one run as plain data: what every report writer reads.
//!
//! The runner fills a [`RunReport`] from cucumber's events; the console table, JUnit XML and
//! (later) HTML and Cucumber Messages writers only read it. Nothing here knows about cucumber.

use std::time::Duration;

/// How a scenario or a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Passed,
    Failed,
    /// Not run: an earlier step failed, or the scenario was filtered out.
    Skipped,
    /// Could not run on this target (e.g. a `@simulation` scenario against a real sandbox).
    NotApplicable,
}

impl Status {
    /// The lowercase word used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotApplicable => "not applicable",
        }
    }
}

/// One run of the suite against one target.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Where the run went: `mock (embedded)` or the API base URL.
    pub target: String,
    /// UTC start time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub started_at: String,
    pub duration: Duration,
    pub features: Vec<FeatureReport>,
}

#[derive(Debug, Clone, Default)]
pub struct FeatureReport {
    pub name: String,
    /// The feature file, relative to the working directory when possible.
    pub path: String,
    pub tags: Vec<String>,
    pub scenarios: Vec<ScenarioReport>,
}

#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// The scenario's name; for an outline, suffixed with the Examples row (see `example`).
    pub name: String,
    /// The line of the scenario, or of the Examples row for an outline.
    pub line: usize,
    /// Feature, rule and scenario tags, without `@`.
    pub tags: Vec<String>,
    /// The Rule the scenario sits in, if any.
    pub rule: Option<String>,
    pub status: Status,
    pub duration: Duration,
    pub steps: Vec<StepReport>,
    /// HTTP exchanges the scenario made, in order.
    pub exchanges: Vec<Exchange>,
    /// Why it was not applicable, when `status` is `NotApplicable`.
    pub reason: Option<String>,
}

impl ScenarioReport {
    /// The first failed step, if any.
    pub fn failed_step(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.status == Status::Failed)
    }
}

#[derive(Debug, Clone)]
pub struct StepReport {
    /// `Given`, `When`, `Then`, `And`, `But` or `*`, as written.
    pub keyword: String,
    pub text: String,
    pub line: usize,
    pub status: Status,
    pub duration: Duration,
    /// A data table, row by row.
    pub table: Option<Vec<Vec<String>>>,
    pub docstring: Option<String>,
    /// Why the step failed, in plain words (may span lines).
    pub error: Option<String>,
}

/// One HTTP request and its answer, as the runner saw it (secrets already redacted).
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// `None` when no answer came (connection refused, timeout).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub duration: Duration,
}

/// Counts over a set of scenarios.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_applicable: usize,
}

impl Counts {
    pub fn of<'a>(scenarios: impl IntoIterator<Item = &'a ScenarioReport>) -> Self {
        let mut c = Counts::default();
        for s in scenarios {
            match s.status {
                Status::Passed => c.passed += 1,
                Status::Failed => c.failed += 1,
                Status::Skipped => c.skipped += 1,
                Status::NotApplicable => c.not_applicable += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped + self.not_applicable
    }
}

impl RunReport {
    pub fn counts(&self) -> Counts {
        Counts::of(self.features.iter().flat_map(|f| &f.scenarios))
    }

    /// Features by path, scenarios by line: the order of the files, whatever the concurrency.
    pub fn sort(&mut self) {
        self.features.sort_by(|a, b| a.path.cmp(&b.path));
        for f in &mut self.features {
            f.scenarios.sort_by_key(|s| s.line);
        }
    }
}
