//! The results of one run as plain data: what every report writer reads.
//!
//! The runner fills a [`RunReport`] from cucumber's events; the console, JUnit XML, Cucumber
//! JSON, Cucumber Messages and HTML writers only read it. Nothing here knows about cucumber.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::spill::{Entry, SpillFile, SpillReader};

/// How a scenario or a step ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
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
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RunReport {
    /// Where the run went: `mock (embedded)` or the API base URL.
    pub target: String,
    /// UTC start time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub started_at: String,
    pub duration: Duration,
    pub features: Vec<FeatureReport>,
    /// Every step definition the runner knew, in a stable order; steps point into it.
    pub step_definitions: Vec<StepDefinition>,
    /// The seed the run's test customers were made from (`--seed N` makes them again): one
    /// for a run; for shards joined by `report merge`, each distinct seed in shard order.
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// Why the run holds fewer scenarios than were selected, when it was stopped early
    /// (Ctrl-C or SIGTERM), e.g. `stopped after 312 of 1000 scenarios`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FeatureReport {
    pub name: String,
    /// The feature file, relative to the working directory when possible.
    pub path: String,
    pub tags: Vec<String>,
    pub scenarios: Scenarios,
    /// The feature file's text as it was read, for writers that quote the Gherkin itself
    /// (Cucumber Messages, Cucumber JSON). `None` when the file could not be read again.
    pub source: Option<String>,
}

/// A step definition: the pattern it matches and where its code is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepDefinition {
    /// `Given`, `When` or `Then`.
    pub keyword: String,
    /// The regular expression the step text must match.
    pub pattern: String,
    /// The source file of the step function, as the compiler names it (`steps/persons.rs`).
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// When the counted (last) attempt started, from the start of the run.
    pub started: Duration,
    /// Earlier attempts that failed and were run again (`--retries`), oldest first. Empty when
    /// the first attempt is the one counted.
    pub retried: Vec<Attempt>,
    /// Why the scenario counts as flaky, if it does.
    pub flaky: Option<Flaky>,
    /// The scenario's outcome in earlier runs against the same target, oldest first (from
    /// `reports/history/`); this run is not in it.
    pub history: Vec<PastRun>,
}

impl ScenarioReport {
    /// This attempt's outcome, moved out for the record of a scenario cucumber runs again.
    pub fn take_attempt(&mut self) -> Attempt {
        Attempt {
            status: self.status,
            started: self.started,
            duration: self.duration,
            steps: std::mem::take(&mut self.steps),
            exchanges: std::mem::take(&mut self.exchanges),
            reason: self.reason.take(),
        }
    }

    /// An earlier attempt's outcome as the scenario's own (its later attempt did not run).
    pub fn restore_attempt(&mut self, attempt: Attempt) {
        self.status = attempt.status;
        self.started = attempt.started;
        self.duration = attempt.duration;
        self.steps = attempt.steps;
        self.exchanges = attempt.exchanges;
        self.reason = attempt.reason;
    }

    /// The first failed step, if any.
    pub fn failed_step(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.status == Status::Failed)
    }

    /// How many times the scenario ran: 1, plus one per retry.
    pub fn attempts(&self) -> usize {
        self.retried.len() + 1
    }
}

/// One earlier, failed attempt of a scenario that was then run again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Attempt {
    pub status: Status,
    /// From the start of the run.
    pub started: Duration,
    pub duration: Duration,
    pub steps: Vec<StepReport>,
    pub exchanges: Vec<Exchange>,
    /// Why the attempt failed outside its steps (a hook), if it did.
    pub reason: Option<String>,
}

impl Attempt {
    /// The first failed step, if any.
    pub fn failed_step(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.status == Status::Failed)
    }
}

/// Why a scenario that passed is not a clean pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Flaky {
    /// It failed, was run again (`--retries`) and passed.
    PassedOnRetry,
    /// Its outcome went back and forth between passed and failed over the recent runs.
    FlipsBetweenRuns,
}

impl Flaky {
    /// Why, in a few words, for every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Flaky::PassedOnRetry => "passed on retry",
            Flaky::FlipsBetweenRuns => "flips between passed and failed across runs",
        }
    }
}

/// A scenario's outcome in an earlier run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PastRun {
    /// The run's UTC start, as in [`RunReport::started_at`].
    pub started_at: String,
    pub status: Status,
    /// Whether that run had to retry it.
    pub retried: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// The step comes from a Background (the feature's or the rule's).
    pub background: bool,
    /// The step definitions whose pattern matches the text: none for an undefined step, more
    /// than one for an ambiguous one.
    pub matches: Vec<StepMatch>,
}

impl StepReport {
    /// No step definition matches the text.
    pub fn undefined(&self) -> bool {
        self.matches.is_empty()
    }
}

/// A step definition that matches a step, and what it captured.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepMatch {
    /// Index into [`RunReport::step_definitions`].
    pub definition: usize,
    pub arguments: Vec<StepArgument>,
}

/// One captured argument of a step: where it starts in the step text and what it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepArgument {
    /// Byte offset in [`StepReport::text`].
    pub start: usize,
    pub value: String,
}

/// One HTTP request and its answer, as the runner saw it (secrets already redacted).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
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

impl Exchange {
    /// Lets go of the headers and bodies, keeping what a passing scenario's report shows of
    /// an exchange: method, URL, status and time.
    pub fn keep_brief(&mut self) {
        self.request_headers = Vec::new();
        self.response_headers = Vec::new();
        self.request_body = None;
        self.response_body = None;
    }
}

/// Counts over a set of scenarios.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_applicable: usize,
    /// Passed, but flaky: a part of `passed`, not added to the total.
    pub flaky: usize,
}

impl Counts {
    pub fn of<'a>(scenarios: impl IntoIterator<Item = Brief<'a>>) -> Self {
        let mut c = Counts::default();
        for s in scenarios {
            if s.status == Status::Passed && s.flaky.is_some() {
                c.flaky += 1;
            }
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
        Counts::of(self.features.iter().flat_map(|f| f.scenarios.briefs()))
    }

    /// Features by path, scenarios by line: the order of the files, whatever the concurrency.
    pub fn sort(&mut self) {
        self.features.sort_by(|a, b| a.path.cmp(&b.path));
        for f in &mut self.features {
            f.scenarios.sort_by_line();
        }
    }

    /// `Err` when a scenario kept on disk could not be read back while a report was written
    /// (that report is then incomplete and must not be put in place).
    pub fn read_back(&self) -> io::Result<()> {
        for feature in &self.features {
            if let Store::Spilled { file, .. } = &feature.scenarios.0 {
                file.check()?;
            }
        }
        Ok(())
    }
}

/// A feature's scenarios in report order: in memory, or (in a run) some on disk, in a spill
/// file (see [`super::spill`]), read back one at a time by [`Scenarios::iter`] so that writing
/// the reports of a large suite does not hold it whole.
#[derive(Debug, Clone, Default)]
pub struct Scenarios(Store);

#[derive(Debug, Clone)]
enum Store {
    Kept(Vec<ScenarioReport>),
    /// In report order: the ones on disk in `file` (in the order they finished; their
    /// [`Entry::seq`] numbers them in report order), the others in memory.
    Spilled {
        file: Arc<SpillFile>,
        scenarios: Vec<Stored>,
        /// Every scenario read back, once something indexes them (tests do).
        read: std::sync::OnceLock<Vec<ScenarioReport>>,
    },
}

/// One scenario of a feature that has some on disk.
#[derive(Debug, Clone)]
pub(crate) enum Stored {
    /// Written into the feature's spill file, with its summary.
    OnDisk(Summary, Entry),
    /// In memory (a scenario held during the run stays there: reading it back would cost
    /// every writer a decoding).
    Held(Box<ScenarioReport>),
}

impl Stored {
    /// The line of its scenario in the feature file.
    pub(crate) fn line(&self) -> usize {
        match self {
            Stored::OnDisk(summary, _) => summary.line,
            Stored::Held(scenario) => scenario.line,
        }
    }

    fn brief(&self) -> Brief<'_> {
        match self {
            Stored::OnDisk(summary, _) => summary.brief(),
            Stored::Held(scenario) => Brief::of(scenario),
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::Kept(Vec::new())
    }
}

/// What a spilled scenario's [`Brief`] is made of.
#[derive(Debug, Clone)]
pub struct Summary {
    pub name: String,
    pub line: usize,
    /// Shared with the summary made before it when that one has the same tags (an outline's
    /// examples, finished one after another).
    pub tags: Arc<[String]>,
    pub status: Status,
    pub flaky: Option<Flaky>,
    pub duration: Duration,
    pub retries: usize,
    /// Its outcome in earlier runs, as [`ScenarioReport::history`].
    pub history: Vec<PastRun>,
}

impl Summary {
    /// The summary of `s` with tags of its own (the tests' way to make one).
    #[cfg(test)]
    pub(crate) fn of(s: &ScenarioReport) -> Self {
        Self::sharing(s, &mut None)
    }

    /// The summary of `s`, whose tags are `last`'s when they are the same; else they become
    /// `last`. The examples of a large outline, finished one after another, share one list of
    /// tags instead of a copy each.
    pub fn sharing(s: &ScenarioReport, last: &mut Option<Arc<[String]>>) -> Self {
        let tags = match last {
            Some(tags) if **tags == *s.tags => Arc::clone(tags),
            _ => Arc::clone(last.insert(s.tags.as_slice().into())),
        };
        Summary {
            name: s.name.clone(),
            line: s.line,
            tags,
            status: s.status,
            flaky: s.flaky,
            duration: s.duration,
            retries: s.retried.len(),
            history: s.history.clone(),
        }
    }

    fn brief(&self) -> Brief<'_> {
        Brief {
            name: &self.name,
            line: self.line,
            tags: &self.tags,
            status: self.status,
            flaky: self.flaky,
            duration: self.duration,
            retries: self.retries,
        }
    }
}

/// What the summaries, counts and tables of the reports need of a scenario: available without
/// reading a spilled scenario back.
#[derive(Debug, Clone, Copy)]
pub struct Brief<'a> {
    pub name: &'a str,
    pub line: usize,
    pub tags: &'a [String],
    pub status: Status,
    pub flaky: Option<Flaky>,
    pub duration: Duration,
    /// How many failed attempts were run again.
    pub retries: usize,
}

impl<'a> Brief<'a> {
    pub fn of(s: &'a ScenarioReport) -> Self {
        Brief {
            name: &s.name,
            line: s.line,
            tags: &s.tags,
            status: s.status,
            flaky: s.flaky,
            duration: s.duration,
            retries: s.retried.len(),
        }
    }
}

impl Scenarios {
    /// Scenarios in report order, the ones on disk in `file`.
    pub(crate) fn spilled(file: Arc<SpillFile>, scenarios: Vec<Stored>) -> Self {
        Scenarios(Store::Spilled {
            file,
            scenarios,
            read: std::sync::OnceLock::new(),
        })
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Store::Kept(v) => v.len(),
            Store::Spilled { scenarios, .. } => scenarios.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether some are kept on disk (read back one at a time) rather than in memory.
    pub fn on_disk(&self) -> bool {
        match &self.0 {
            Store::Kept(_) => false,
            Store::Spilled { scenarios, .. } => {
                scenarios.iter().any(|s| matches!(s, Stored::OnDisk(..)))
            }
        }
    }

    /// Every scenario's [`Brief`], in order, without reading any back.
    pub fn briefs(&self) -> impl Iterator<Item = Brief<'_>> {
        let (kept, spilled) = match &self.0 {
            Store::Kept(v) => (v.as_slice(), &[][..]),
            Store::Spilled { scenarios, .. } => (&[][..], scenarios.as_slice()),
        };
        kept.iter()
            .map(Brief::of)
            .chain(spilled.iter().map(Stored::brief))
    }

    pub fn counts(&self) -> Counts {
        Counts::of(self.briefs())
    }

    /// The scenarios' own time added up (under concurrency it can exceed the run's).
    pub fn duration(&self) -> Duration {
        self.briefs().map(|b| b.duration).sum()
    }

    /// The spill file and where each scenario is, when some are on disk.
    pub(crate) fn places(&self) -> Option<(&SpillFile, &[Stored])> {
        match &self.0 {
            Store::Kept(_) => None,
            Store::Spilled {
                file, scenarios, ..
            } => Some((&**file, scenarios)),
        }
    }

    /// Scenarios in report order: on disk in `file` when some are and there is a file,
    /// otherwise the ones held (those on disk are let go of).
    pub(crate) fn stored(file: Option<&Arc<SpillFile>>, scenarios: Vec<Stored>) -> Self {
        match file {
            Some(file) if scenarios.iter().any(|s| matches!(s, Stored::OnDisk(..))) => {
                Self::spilled(Arc::clone(file), scenarios)
            }
            _ => scenarios
                .into_iter()
                .filter_map(|s| match s {
                    Stored::Held(scenario) => Some(*scenario),
                    Stored::OnDisk(..) => None,
                })
                .collect(),
        }
    }

    /// Every scenario, in order.
    pub fn iter(&self) -> Iter<'_> {
        self.select(|_| true)
    }

    /// The scenarios whose brief `keep` accepts, in order; only those are read back.
    ///
    /// A scenario that cannot be read back ends the iteration early; the failure is kept for
    /// [`RunReport::read_back`].
    pub fn select<'a>(&'a self, keep: impl Fn(&Brief<'_>) -> bool + 'a) -> Iter<'a> {
        Iter(match &self.0 {
            Store::Kept(v) => Walk::Kept(
                v.iter()
                    .filter(|s| keep(&Brief::of(s)))
                    .collect::<Vec<_>>()
                    .into_iter(),
            ),
            // Picked as they come, rather than listed first: a list per writer of a large
            // feature was a part of what its reports held.
            Store::Spilled {
                file, scenarios, ..
            } => Walk::Spilled {
                file,
                reader: None,
                entries: scenarios.iter(),
                keep: Box::new(keep),
            },
        })
    }

    /// The scenarios, held in memory: read back first if they were spilled (for merging and
    /// tests, not for a run's writers). When one cannot be read back they stay on disk, and the
    /// failure is kept for [`RunReport::read_back`] too.
    pub fn in_memory(&mut self) -> io::Result<&mut Vec<ScenarioReport>> {
        if let Store::Spilled { file, .. } = &self.0 {
            let file = Arc::clone(file);
            let kept: Vec<ScenarioReport> = self.iter().map(Seen::into_owned).collect();
            file.check()?;
            self.0 = Store::Kept(kept);
        }
        match &mut self.0 {
            Store::Kept(v) => Ok(v),
            Store::Spilled { .. } => Err(io::Error::other("the scenarios are still on disk")),
        }
    }

    /// Lets go of the ones on disk and of their file (the last handle to it removes it),
    /// keeping the ones in memory: for a run that is done with its reports.
    pub fn let_go_of_disk(&mut self) {
        if let Store::Spilled { scenarios, .. } = &mut self.0 {
            *self = Self::stored(None, std::mem::take(scenarios));
        }
    }

    /// By line; scenarios on disk are put in order when a run ends ([`super::spill::Gathered`]).
    pub fn sort_by_line(&mut self) {
        if let Store::Kept(v) = &mut self.0 {
            v.sort_by_key(|s| s.line);
        }
    }
}

impl From<Vec<ScenarioReport>> for Scenarios {
    fn from(v: Vec<ScenarioReport>) -> Self {
        Scenarios(Store::Kept(v))
    }
}

impl FromIterator<ScenarioReport> for Scenarios {
    fn from_iter<I: IntoIterator<Item = ScenarioReport>>(iter: I) -> Self {
        Scenarios(Store::Kept(iter.into_iter().collect()))
    }
}

/// Indexing spilled scenarios reads them all back into memory: for tests (an index past the
/// ones that could be read panics), not for writers.
impl std::ops::Index<usize> for Scenarios {
    type Output = ScenarioReport;

    fn index(&self, i: usize) -> &ScenarioReport {
        match &self.0 {
            Store::Kept(v) => &v[i],
            Store::Spilled { read, .. } => {
                &read.get_or_init(|| self.iter().map(Seen::into_owned).collect())[i]
            }
        }
    }
}

/// Indexing reads spilled scenarios back into memory: for tests (it panics if they cannot be
/// read), not for writers.
impl std::ops::IndexMut<usize> for Scenarios {
    fn index_mut(&mut self, i: usize) -> &mut ScenarioReport {
        match self.in_memory() {
            Ok(v) => &mut v[i],
            Err(e) => panic!("spilled scenarios could not be read back: {e}"),
        }
    }
}

/// The scenarios of [`Scenarios::iter`] and [`Scenarios::select`].
pub struct Iter<'a>(Walk<'a>);

enum Walk<'a> {
    Kept(std::vec::IntoIter<&'a ScenarioReport>),
    Spilled {
        file: &'a SpillFile,
        /// Opened when a scenario is not found in this thread's queue ([`super::feed`]).
        reader: Option<SpillReader<'a>>,
        entries: std::slice::Iter<'a, Stored>,
        keep: Box<dyn Fn(&Brief<'_>) -> bool + 'a>,
    },
}

/// A scenario of [`Iter`]: in memory, read back by the iterator, or read back once for every
/// writer ([`super::feed`]).
#[derive(Debug)]
pub enum Seen<'a> {
    Held(&'a ScenarioReport),
    Read(Box<ScenarioReport>),
    Shared(Arc<ScenarioReport>),
}

impl Seen<'_> {
    /// The scenario, as a value of its own.
    pub fn into_owned(self) -> ScenarioReport {
        match self {
            Seen::Held(s) => s.clone(),
            Seen::Read(s) => *s,
            Seen::Shared(s) => Arc::unwrap_or_clone(s),
        }
    }

    /// Whether it was in memory rather than read back (what the tests look at).
    #[cfg(test)]
    pub(crate) fn held(&self) -> bool {
        matches!(self, Seen::Held(_))
    }
}

impl std::ops::Deref for Seen<'_> {
    type Target = ScenarioReport;

    fn deref(&self) -> &ScenarioReport {
        match self {
            Seen::Held(s) => s,
            Seen::Read(s) => s,
            Seen::Shared(s) => s,
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Seen<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Walk::Kept(v) => v.next().map(Seen::Held),
            Walk::Spilled {
                file,
                reader,
                entries,
                keep,
            } => {
                let (summary, entry) = match entries.find(|s| keep(&s.brief()))? {
                    Stored::OnDisk(summary, entry) => (summary, *entry),
                    Stored::Held(scenario) => return Some(Seen::Held(scenario)),
                };
                if let Some(shared) = super::feed::take(file, entry) {
                    return Some(Seen::Shared(shared));
                }
                let read = match reader {
                    Some(reader) => file.scenario(reader, summary, entry),
                    None => file
                        .reader()
                        .and_then(|r| file.scenario(reader.insert(r), summary, entry)),
                };
                match read {
                    Ok(s) => Some(Seen::Read(Box::new(s))),
                    Err(e) => {
                        file.fail(&e);
                        entries.by_ref().for_each(drop);
                        None
                    }
                }
            }
        }
    }
}

impl serde::Serialize for Scenarios {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        match &self.0 {
            Store::Kept(v) => v.serialize(serializer),
            Store::Spilled {
                file, scenarios, ..
            } => {
                let mut seq = serializer.serialize_seq(Some(scenarios.len()))?;
                let mut reader = file.reader().map_err(S::Error::custom)?;
                for stored in scenarios {
                    match stored {
                        Stored::OnDisk(summary, entry) => {
                            let scenario = file
                                .scenario(&mut reader, summary, *entry)
                                .map_err(S::Error::custom)?;
                            seq.serialize_element(&scenario)?;
                        }
                        Stored::Held(scenario) => seq.serialize_element(&**scenario)?,
                    }
                }
                seq.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Scenarios {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<ScenarioReport>::deserialize(deserializer).map(Scenarios::from)
    }
}
