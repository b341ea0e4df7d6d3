//! Wires cucumber: reads the feature files (reporting syntax errors with file and line),
//! starts the target, authenticates, runs the scenarios through the World defined in
//! `steps/`, collects every event into a [`RunReport`] (the [`Collector`] writer: attempts of
//! retried scenarios, step definitions and arguments, progress on the terminal) and writes the
//! reports through one redaction policy.
//!
//! The main entry is [`run`]; it returns one of the [`exit`] codes and never panics on bad
//! input. Step definitions are compiled into the binary and the test harness (not into this
//! library), so `run` is generic over their World.

use crate::check::redact::{self, JsonPath, Redactor};
use crate::check::schema::SchemaRegistry;
use crate::check::snapshot::SnapshotMode;
use crate::client::receiver::Receiver;
use crate::client::{ApiClient, ClientError, Target};
use crate::mock::{self, MockConfig};
use crate::report::console::{self, Progress, ProgressMode};
use crate::report::model::{
    Attempt, Exchange, FeatureReport, Flaky, RunReport, ScenarioReport, Status, StepArgument,
    StepDefinition, StepMatch, StepReport,
};
use crate::report::spill::Gathered;
use cucumber::codegen::WorldInventory;
use cucumber::event::{self, Cucumber as CucumberEvent, RetryableScenario};
use cucumber::tag::Ext as _;
use cucumber::{Event, World, cli, parser, writer};
use futures::FutureExt as _;
use std::collections::HashMap;
use std::fmt::Debug;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

mod dispatch;
mod pattern;

/// The exit codes of `solaris-conformance run`, as `--help` and the README document them.
pub mod exit {
    /// Every scenario passed (or was not applicable to the target).
    pub const OK: i32 = 0;
    /// At least one scenario failed.
    pub const FAILED: i32 = 1;
    /// A usage, configuration or feature-file error; nothing was run.
    pub const USAGE: i32 = 2;
    /// The target could not be used: unreachable, or it refused the credentials.
    pub const UNREACHABLE: i32 = 3;
    /// The run was stopped early (Ctrl-C or SIGTERM), as shells report an interrupted command.
    pub const INTERRUPTED: i32 = 130;

    /// What a finished run (or merged shards) exits with: [`INTERRUPTED`] when it (or a shard)
    /// was stopped early, for the rest did not run; else [`FAILED`] when a scenario failed.
    pub fn of(report: &crate::report::RunReport) -> i32 {
        if report.interrupted.is_some() {
            INTERRUPTED
        } else if report.counts().failed > 0 {
            FAILED
        } else {
            OK
        }
    }
}

/// Cucumber's own flags (`--tags`, `--name`, `--concurrency`, `--fail-fast`, `--retry`…),
/// merged into `run`.
pub type CucumberOpts = cli::Opts<cli::Empty, cucumber::runner::basic::Cli, cli::Empty, cli::Empty>;

/// Where a run goes.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// The embedded mock on 127.0.0.1:0, started to accept these credentials, which the runner
    /// then uses through the full OAuth2 flow.
    Mock {
        client_id: String,
        client_secret: String,
        /// Delays and 503s on purpose, for resilience runs.
        faults: Option<mock::Faults>,
    },
    /// A real API.
    Remote(Target),
}

/// Everything a run needs.
#[derive(Debug)]
pub struct RunConfig {
    /// Feature files or folders; empty means `features/`.
    pub paths: Vec<PathBuf>,
    pub target: TargetChoice,
    pub report_dir: PathBuf,
    pub snapshot_mode: SnapshotMode,
    pub cucumber: CucumberOpts,
    pub request_timeout: Duration,
    /// How often a safe request is sent again after 429/502/503/504 or no answer.
    pub request_retries: u32,
    /// How long one scenario may take, all its steps together.
    pub scenario_timeout: Duration,
    pub webhooks: WebhookOptions,
    /// Seed of the generated customers; `None` draws one (printed, to replay with `--seed`).
    pub seed: Option<u64>,
    /// Run only this part of the suite.
    pub shard: Option<Shard>,
    pub reports: ReportOptions,
    /// Raised to stop the run early; the reports then hold what ran.
    pub interrupt: Interrupt,
}

/// What the reports hide and how the terminal shows progress.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// JSON paths whose values every report hides (`--redact`), on top of what is always
    /// hidden (credentials, tokens, webhook secrets and signatures).
    pub redact: Vec<JsonPath>,
    /// A progress bar or plain lines.
    pub progress: ProgressMode,
    /// Which reports to write (`run.json` and the history record always are).
    pub formats: Vec<crate::report::Format>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            redact: Vec::new(),
            progress: ProgressMode::detect(),
            formats: crate::report::Format::ALL.to_vec(),
        }
    }
}

/// Where the runner's webhook receiver listens, and how the target reaches it.
#[derive(Debug, Clone, Default)]
pub struct WebhookOptions {
    /// Local port of the receiver (0 picks a free one).
    pub port: u16,
    /// The URL the target should deliver to, when it is not the receiver's local URL (a remote
    /// sandbox needs a public HTTPS URL that forwards to the receiver's port).
    pub public_url: Option<String>,
    /// Delete a subscription the target holds for an event the run needs even when it
    /// delivers elsewhere (`--replace-subscriptions`); one to the run's own URL always is.
    pub replace: bool,
}

/// One scenario's identity within a run: the feature file and the scenario's (or Examples
/// row's) line.
///
/// Compared and hashed by the path's bytes: every key of a run is made from the path cucumber
/// read the feature from, and hashing a `Path` goes through its components (several times
/// dearer, on every event of every step).
#[derive(Debug, Clone)]
pub struct ScenarioKey {
    pub feature: PathBuf,
    pub line: usize,
}

impl PartialEq for ScenarioKey {
    fn eq(&self, other: &Self) -> bool {
        self.line == other.line
            && self.feature.as_os_str().as_encoded_bytes()
                == other.feature.as_os_str().as_encoded_bytes()
    }
}

impl Eq for ScenarioKey {}

impl std::hash::Hash for ScenarioKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.line.hash(state);
        self.feature.as_os_str().as_encoded_bytes().hash(state);
    }
}

/// What every World of a run shares: one client, one compiled schema registry.
#[derive(Debug)]
pub struct RunContext {
    pub client: ApiClient,
    pub schemas: SchemaRegistry,
    pub snapshot_mode: SnapshotMode,
    /// How long one scenario may take, all its steps together.
    pub scenario_timeout: Duration,
    /// Distinguishes this run's generated customers from other runs' (sandbox rule on
    /// identical persons).
    pub run_id: String,
    /// Seed of the generated customers: the same seed gives the same customers.
    pub seed: u64,
    /// The partner's webhook endpoint, played by the runner.
    pub receiver: Option<Receiver>,
    /// Why webhook steps cannot work on this run, if they cannot.
    pub webhook_problem: Option<String>,
    /// Event type → id of the subscription the runner made for this run.
    pub subscriptions: Mutex<HashMap<String, String>>,
    /// Per scenario, the exchanges of each attempt not yet collected, oldest first, and
    /// whether the attempt was held back because the run was interrupted before it started.
    exchanges: Mutex<foldhash::HashMap<ScenarioKey, std::collections::VecDeque<Handed>>>,
    /// Raised when the run is asked to stop: attempts that start after it send nothing.
    pub interrupt: Interrupt,
}

/// What an attempt hands over when it ends: its exchanges, and whether it was held back.
type Handed = (Vec<Exchange>, bool);

impl RunContext {
    /// A World hands its scenario's HTTP exchanges over when an attempt ends (once per
    /// attempt, even with none). They queue up: a retry can end before the collector has seen
    /// the attempt before it end.
    pub fn store_exchanges(&self, key: ScenarioKey, exchanges: Vec<Exchange>) {
        self.store_attempt(key, exchanges, false);
    }

    /// [`RunContext::store_exchanges`], saying whether the attempt was held back (it started
    /// after the run was interrupted, and sent nothing).
    fn store_attempt(&self, key: ScenarioKey, exchanges: Vec<Exchange>, held: bool) {
        self.exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .push_back((exchanges, held));
    }

    /// The exchanges of the oldest attempt of `key` not yet collected.
    #[cfg(test)]
    fn take_exchanges(&self, key: &ScenarioKey) -> Vec<Exchange> {
        self.take_attempt(key).0
    }

    /// The exchanges of the oldest attempt of `key` not yet collected, and whether it was
    /// held back.
    fn take_attempt(&self, key: &ScenarioKey) -> (Vec<Exchange>, bool) {
        let mut all = self.exchanges.lock().unwrap_or_else(|e| e.into_inner());
        let Some(queue) = all.get_mut(key) else {
            return (Vec::new(), false);
        };
        let oldest = queue.pop_front().unwrap_or_default();
        if queue.is_empty() {
            all.remove(key);
        }
        oldest
    }
}

static CONTEXT: RwLock<Option<Arc<RunContext>>> = RwLock::new(None);
/// One run at a time per process: the context is process-wide because cucumber builds
/// Worlds without arguments.
static RUN_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The running suite's context, for `World::new`.
pub fn context() -> Option<Arc<RunContext>> {
    CONTEXT.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn set_context(ctx: Option<Arc<RunContext>>) {
    *CONTEXT.write().unwrap_or_else(|e| e.into_inner()) = ctx;
}

/// What the runner needs from the World of `steps/`.
pub trait Journey: World + Debug + WorldInventory {
    /// Called before the first step, with the scenario's identity.
    fn begin(&mut self, key: ScenarioKey);
    /// Called after the last step: the identity and the HTTP exchanges made.
    fn finish(&mut self) -> Option<(ScenarioKey, Vec<Exchange>)>;
    /// Called after [`Journey::begin`] when the run was interrupted before this attempt
    /// started: its steps must send nothing (the attempt is left out of the reports).
    fn hold(&mut self) {}
    /// Whether [`Journey::hold`] was called for this attempt.
    fn held(&self) -> bool {
        false
    }
}

/// While alive, panics raised by failing steps (how cucumber reports a step's error) print
/// nothing: the runner reports them in its own words. Any other panic still prints.
struct QuietStepPanics;

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

impl QuietStepPanics {
    fn install() -> Self {
        let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        std::panic::set_hook(Box::new(move |info| {
            let from_steps = info.location().is_some_and(|l| {
                let file = l.file().replace('\\', "/");
                file.starts_with("steps/") || file.contains("/steps/")
            });
            if !from_steps {
                previous(info);
            }
        }));
        QuietStepPanics
    }
}

impl Drop for QuietStepPanics {
    fn drop(&mut self) {
        // Back to the default hook (which the test harness or the binary started with).
        let _ = std::panic::take_hook();
    }
}

/// A feature file that could not be read or parsed, as a compiler-style error.
fn feature_error(path: &Path, err: &gherkin::ParseFileError) -> String {
    match err {
        gherkin::ParseFileError::Reading { source, .. } => {
            format!(
                "error: cannot read feature file: {source}\n  --> {}",
                path.display()
            )
        }
        gherkin::ParseFileError::Parsing { source, error, .. } => {
            let content = std::fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<&str> = content.lines().collect();
            // gherkin keeps the position private; its message reads "Error at LINE:COL: {..}".
            let (mut line, mut col, expected) = parse_position(&source.to_string());
            let mut what = format!("expected one of: {expected}");
            match error {
                Some(gherkin::EnvError::UnknownKeyword(word)) => {
                    if let Some(i) = lines
                        .iter()
                        .position(|l| l.trim_start().starts_with(word.as_str()))
                    {
                        line = i + 1;
                        col = lines[i].len() - lines[i].trim_start().len() + 1;
                    }
                    what = format!(
                        "`{word}` is not a Gherkin keyword; a step starts with Given, When, Then, And, But or *"
                    );
                }
                Some(gherkin::EnvError::InconsistentCellCount(_)) => {
                    if let Some(i) = ragged_table_row(&lines) {
                        line = i + 1;
                        col = lines[i].len() - lines[i].trim_start().len() + 1;
                    }
                    what = "this table row has a different number of cells than the rows above it"
                        .into();
                }
                Some(other) => what = other.to_string(),
                None => {}
            }
            // The parser often stops at the end of the file; point at the last real line.
            let last = lines
                .iter()
                .rposition(|l| !l.trim().is_empty())
                .map_or(1, |i| i + 1);
            if line > last {
                line = last;
                col = 1;
            }
            if expected.is_empty() && error.is_none() {
                what = "a Feature, Rule, Background, Scenario, Examples, step or table was expected here".into();
            }
            let line_text = lines
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or_default();
            format!(
                "error: feature file does not parse as Gherkin\n  --> {}:{line}:{col}\n   |\n{line:>3}| {line_text}\n   |\n   = {what}",
                path.display()
            )
        }
    }
}

/// The first table row whose cell count differs from the row above it.
fn ragged_table_row(lines: &[&str]) -> Option<usize> {
    let mut previous: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.starts_with('|') {
            let cells = t.matches('|').count();
            if previous.is_some_and(|p| p != cells) {
                return Some(i);
            }
            previous = Some(cells);
        } else {
            previous = None;
        }
    }
    None
}

fn parse_position(text: &str) -> (usize, usize, String) {
    let rest = text.strip_prefix("Error at ").unwrap_or(text);
    let (pos, expected) = rest.split_once(": ").unwrap_or((rest, ""));
    let (line, col) = pos.split_once(':').unwrap_or((pos, "1"));
    let mut tokens: Vec<&str> = expected
        .trim_matches(|c| c == '{' || c == '}')
        .split(", ")
        .map(|t| t.trim_matches('"'))
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .collect();
    tokens.sort_unstable();
    (
        line.parse().unwrap_or(1),
        col.parse().unwrap_or(1),
        tokens.join(", "),
    )
}

/// Every `.feature` file under the given paths, sorted; an error names a missing path.
pub fn feature_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let defaults = [PathBuf::from("features")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            collect(path, &mut files)
                .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
        } else {
            return Err(format!(
                "error: no feature file or folder at {}\n  = the runner looks for *.feature files; run it from the project folder or name the files",
                path.display()
            ));
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(format!(
            "error: no *.feature file found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads and parses every feature; all errors are gathered. Outlines stay as they are
/// written (a run expands them a row at a time, see [`each_scenario`]), but every row is
/// checked here, so that a placeholder naming no column is an error before the run.
pub fn parse_features(files: &[PathBuf]) -> Result<Vec<gherkin::Feature>, Vec<String>> {
    let mut features = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match gherkin::Feature::parse_path(file, gherkin::GherkinEnv::default()) {
            Ok(f) => match check_outlines(&f) {
                Ok(()) => features.push(f),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(feature_error(file, &e)),
        }
    }
    if errors.is_empty() {
        Ok(features)
    } else {
        Err(errors)
    }
}

/// Refuses an outline placeholder that names no column of its Examples, as expanding the
/// outline would (see [`next_scenario`]): whether one does depends on the header only, so the
/// first row of each Examples block is expanded.
fn check_outlines(feature: &gherkin::Feature) -> Result<(), String> {
    let path = feature.path.as_deref();
    let outlines = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| &r.scenarios));
    for outline in outlines {
        for examples in &outline.examples {
            if let Some(table) = examples.table.as_ref().filter(|t| t.rows.len() > 1) {
                expand_row(outline, examples, table, 0, path)?;
            }
        }
    }
    Ok(())
}

/// Expands every Scenario Outline of `feature` into one scenario per Examples row, in place
/// (see [`next_scenario`]).
#[cfg(test)]
fn expand_outlines(feature: &mut gherkin::Feature) -> Result<(), String> {
    let mut own = Vec::new();
    let mut rules: Vec<Vec<gherkin::Scenario>> = vec![Vec::new(); feature.rules.len()];
    let mut at = Cursor::default();
    while let Some(next) = next_scenario(feature, &mut at) {
        match next? {
            (None, scenario) => own.push(scenario),
            (Some(rule), scenario) => rules[rule].push(scenario),
        }
    }
    feature.scenarios = own;
    for (rule, scenarios) in feature.rules.iter_mut().zip(rules) {
        rule.scenarios = scenarios;
    }
    Ok(())
}

/// Every scenario of `feature` as the run sees it, with its rule: outlines expanded one
/// Examples row at a time, so that a suite is never held expanded.
fn each_scenario(
    feature: &gherkin::Feature,
    each: &mut dyn FnMut(Option<&gherkin::Rule>, gherkin::Scenario),
) -> Result<(), String> {
    let mut at = Cursor::default();
    while let Some(next) = next_scenario(feature, &mut at) {
        let (rule, scenario) = next?;
        each(rule.and_then(|r| feature.rules.get(r)), scenario);
    }
    Ok(())
}

/// Where a walk through a feature's scenarios is: in the feature's own list (`part` 0) or in
/// rule `part - 1`, at which scenario, and for an outline at which Examples block and row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    part: usize,
    scenario: usize,
    examples: usize,
    row: usize,
}

/// The scenario of `feature` at `at`, with the index of its rule, and `at` moved past it;
/// `None` after the last. An outline gives one scenario per Examples row, as cucumber's
/// `expand_examples` makes it (name, steps, doc strings and tables with the row's values, the
/// row's line, the Examples tags, the header and that one row as its Examples); a placeholder
/// that names no column is refused with where it is, as a compiler-style error.
///
/// Cucumber clones the outline whole, every Examples table included, once per row: an
/// outline of N rows costs N² in time and memory. Here each row copies the outline without
/// its tables.
fn next_scenario(
    feature: &gherkin::Feature,
    at: &mut Cursor,
) -> Option<Result<(Option<usize>, gherkin::Scenario), String>> {
    loop {
        let (rule, scenarios) = match at.part {
            0 => (None, &feature.scenarios),
            part => (Some(part - 1), &feature.rules.get(part - 1)?.scenarios),
        };
        let Some(scenario) = scenarios.get(at.scenario) else {
            *at = Cursor {
                part: at.part + 1,
                ..Cursor::default()
            };
            continue;
        };
        if scenario.examples.is_empty() {
            at.scenario += 1;
            return Some(Ok((rule, scenario.clone())));
        }
        let Some(examples) = scenario.examples.get(at.examples) else {
            at.scenario += 1;
            at.examples = 0;
            at.row = 0;
            continue;
        };
        // An Examples block without a table, or with a header only, expands to nothing.
        let Some(table) = examples
            .table
            .as_ref()
            .filter(|t| at.row + 1 < t.rows.len())
        else {
            at.examples += 1;
            at.row = 0;
            continue;
        };
        let n = at.row;
        at.row += 1;
        let path = feature.path.as_deref();
        return Some(expand_row(scenario, examples, table, n, path).map(|one| (rule, one)));
    }
}

/// Row `n` (0-based, after the header) of `table`, an Examples block of `outline`, as a
/// scenario of its own.
fn expand_row(
    outline: &gherkin::Scenario,
    examples: &gherkin::Examples,
    table: &gherkin::Table,
    n: usize,
    path: Option<&Path>,
) -> Result<gherkin::Scenario, String> {
    let header = &table.rows[0];
    let row = &table.rows[n + 1];
    let mut one = gherkin::Scenario {
        keyword: outline.keyword.clone(),
        name: outline.name.clone(),
        description: outline.description.clone(),
        steps: outline.steps.clone(),
        examples: Vec::new(),
        tags: outline.tags.clone(),
        span: outline.span,
        position: examples.position,
    };
    one.position.line += n + 2;
    one.tags.extend(examples.tags.iter().cloned());
    let fill = |text: &mut String, at: gherkin::LineCol| {
        fill_placeholders(text, header, row).map_err(|name| {
            let columns: Vec<String> = header.iter().map(|h| format!("<{h}>")).collect();
            format!(
                "error: the placeholder <{name}> names no column of its Examples (they are {})\n  --> {}:{}:{}",
                columns.join(", "),
                path.map(|p| p.display().to_string()).unwrap_or_default(),
                at.line,
                at.col
            )
        })
    };
    let at = one.position;
    fill(&mut one.name, at)?;
    for step in &mut one.steps {
        let at = step.position;
        fill(&mut step.value, at)?;
        if let Some(doc) = step.docstring.as_mut() {
            fill(doc, at)?;
        }
        for cell in step.table.iter_mut().flat_map(|t| &mut t.rows).flatten() {
            fill(cell, at)?;
        }
    }
    one.examples = vec![gherkin::Examples {
        keyword: examples.keyword.clone(),
        name: examples.name.clone(),
        description: examples.description.clone(),
        table: Some(gherkin::Table {
            rows: vec![header.clone(), row.clone()],
            span: table.span,
            position: table.position,
        }),
        tags: examples.tags.clone(),
        span: examples.span,
        position: examples.position,
    }];
    Ok(one)
}

/// Replaces each `<name>` in `text` by the row's value under the header `name`; `Err(name)`
/// for a placeholder no column is named after. Placeholders are cucumber's: no space right
/// inside the brackets, no line break within.
fn fill_placeholders(text: &mut String, header: &[String], row: &[String]) -> Result<(), String> {
    static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"<([^>\s](?:[^>\s]?|[^>\t\n\r\v\f]*[^>\s]))>")
            .expect("the placeholder pattern compiles")
    });
    if !text.contains('<') {
        return Ok(());
    }
    let mut missing = None;
    let filled = PLACEHOLDER.replace_all(text, |cap: &regex::Captures<'_>| {
        let name = &cap[1];
        match header.iter().zip(row).find(|(h, _)| *h == name) {
            Some((_, value)) => value.clone(),
            None => {
                missing.get_or_insert_with(|| name.to_owned());
                String::new()
            }
        }
    });
    if let std::borrow::Cow::Owned(filled) = filled {
        *text = filled;
    }
    missing.map_or(Ok(()), Err)
}

/// The step definitions compiled into the binary, to say which ones match a step (and what
/// they capture) for every step, run or not.
#[derive(Debug, Default)]
pub struct StepIndex {
    /// The definitions as the reports name them (see [`StepIndex::definitions`]).
    definitions: Arc<OnceLock<Vec<StepDefinition>>>,
    /// Each definition's step type and pattern, sorted by file and line.
    order: Vec<(usize, &'static pattern::Pattern)>,
    /// Per step type (Given, When, Then): each definition's pattern and index.
    by_type: [Vec<(&'static pattern::Pattern, usize)>; 3],
    /// What was found for each step text already looked up (a suite repeats its steps): up to
    /// [`REMEMBERED`] texts.
    found: Mutex<foldhash::HashMap<(usize, String), Vec<StepMatch>>>,
}

/// `order`'s definitions as the reports name them.
fn named(order: &[(usize, &'static pattern::Pattern)]) -> Vec<StepDefinition> {
    order
        .iter()
        .map(|&(ty, pattern)| StepDefinition {
            keyword: ["Given", "When", "Then"][ty].to_string(),
            pattern: pattern.source(),
            file: pattern.location.path.to_string(),
            line: pattern.location.line as usize,
            column: pattern.location.column as usize,
        })
        .collect()
}

/// How many step texts a step lookup remembers what it found for: a suite's distinct step
/// texts, unless every one of thousands of scenarios has its own.
pub(crate) const REMEMBERED: usize = 10_000;

impl StepIndex {
    /// The definitions registered for the World `W`, sorted by file and line: the step
    /// lookup's (see `dispatch::definitions`), each pattern compiled once for both, when a
    /// step text first needs it (or to be named, when the build did not read it).
    pub fn of<W: WorldInventory + 'static>() -> Self {
        Self::of_patterns(dispatch::definitions::<W>())
    }

    /// The index of `types`, each step type's patterns.
    fn of_patterns(types: [Vec<&'static pattern::Pattern>; 3]) -> Self {
        let mut all: Vec<(cucumber::step::Location, usize, usize)> = Vec::new();
        for (ty, patterns) in types.iter().enumerate() {
            all.extend(
                patterns
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.location, ty, i)),
            );
        }
        all.sort_by_key(|(location, ty, _)| (*location, *ty));
        let mut index = StepIndex::default();
        let mut by_type: [Vec<Option<(&'static pattern::Pattern, usize)>>; 3] =
            std::array::from_fn(|ty| vec![None; types[ty].len()]);
        for (_, ty, i) in all {
            let pattern = types[ty][i];
            by_type[ty][i] = Some((pattern, index.order.len()));
            index.order.push((ty, pattern));
        }
        index.by_type = by_type.map(|v| v.into_iter().flatten().collect());
        // Naming every definition by its regex (expanded from the pattern as written) takes a
        // few milliseconds that a run's start would wait for: a thread does it meanwhile, and
        // the reports, which need it at the end, find it done.
        let (names, order) = (Arc::clone(&index.definitions), index.order.clone());
        let _ = std::thread::Builder::new()
            .name("step-names".into())
            .spawn(move || {
                names.get_or_init(|| named(&order));
            });
        index
    }

    /// Every definition as the reports name it, sorted by file and line (the order a step
    /// match's `definition` counts in).
    pub fn definitions(&self) -> &[StepDefinition] {
        self.definitions.get_or_init(|| named(&self.order))
    }

    /// The definitions matching `step`, as cucumber looks for them (by the step's type), with
    /// their outermost capture groups.
    fn matches(&self, step: &gherkin::Step) -> Vec<StepMatch> {
        let ty = match step.ty {
            gherkin::StepType::Given => 0,
            gherkin::StepType::When => 1,
            gherkin::StepType::Then => 2,
        };
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        let key = (ty, step.value.clone());
        if let Some(matches) = found.get(&key) {
            return matches.clone();
        }
        let matches = self.look_up(ty, &step.value);
        if found.len() < REMEMBERED {
            found.insert(key, matches.clone());
        }
        matches
    }

    /// The definitions of step type `ty` matching `text`.
    fn look_up(&self, ty: usize, text: &str) -> Vec<StepMatch> {
        self.by_type[ty]
            .iter()
            .filter(|(pattern, _)| pattern.may_match(text))
            .filter_map(|(pattern, definition)| {
                let regex = pattern.regex();
                let mut locations = regex.capture_locations();
                regex.captures_read(&mut locations, text)?;
                let mut arguments: Vec<StepArgument> = Vec::new();
                let mut outer_end = 0;
                for group in 1..locations.len() {
                    let Some((start, end)) = locations.get(group) else {
                        continue;
                    };
                    // Groups nested in an argument (inside `{string}`, say) are part of it.
                    if !arguments.is_empty() && start < outer_end {
                        continue;
                    }
                    outer_end = end;
                    arguments.push(StepArgument {
                        start,
                        value: text[start..end].to_string(),
                    });
                }
                Some(StepMatch {
                    definition: *definition,
                    arguments,
                })
            })
            .collect()
    }
}

/// The steps to hand cucumber: one definition per step type standing for all of them, made
/// for the step texts of the scenarios of `features` that `selection` keeps (see
/// `runner::dispatch`); `None` keeps cucumber's own lookup.
pub fn step_lookup<W: WorldInventory + 'static>(
    features: &[gherkin::Feature],
    selection: &Selection,
) -> Option<cucumber::step::Collection<W>> {
    lookup_of::<W>(&survey(features, selection).texts)
}

/// Checks what the run's start relies on to compile only the step patterns it needs (see
/// `runner::pattern`): the build read the pattern of every definition in `steps/`, the regex
/// the reports name each by is the one cucumber compiles, and no step text of `features`
/// matches a definition that its literal words rule out. The number of step texts checked, or
/// what is wrong.
#[doc(hidden)]
pub fn check_step_patterns<W: WorldInventory + 'static>(
    features: &[gherkin::Feature],
) -> Result<usize, Vec<String>> {
    let texts = survey(features, &Selection::default()).texts;
    let types = dispatch::definitions::<W>();
    let mut problems = Vec::new();
    for pattern in types.iter().flatten() {
        let path = pattern.location.path.replace('\\', "/");
        if (path.starts_with("steps/") || path.contains("/steps/")) && !pattern.is_written() {
            problems.push(format!(
                "{}: the build did not read this step's pattern (build.rs)",
                pattern.location
            ));
        }
        match pattern.written_source() {
            Some(named) if named != pattern.regex().as_str() => problems.push(format!(
                "{}: reports would name it {named:?}, cucumber compiles {:?}",
                pattern.location,
                pattern.regex().as_str()
            )),
            None if pattern.is_written() => problems.push(format!(
                "{}: its regex cannot be made without compiling it (a parameter type the \
                 build did not read: #[param(name = ..., regex = ...)] in steps/)",
                pattern.location
            )),
            _ => {}
        }
    }
    for (ty, text) in &texts {
        for pattern in &types[*ty] {
            if !pattern.may_match(text) && pattern.regex().is_match(text) {
                problems.push(format!(
                    "{}: matches {text:?}, which its literal words rule out",
                    pattern.location
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(texts.len())
    } else {
        Err(problems)
    }
}

fn lookup_of<W: WorldInventory + 'static>(
    texts: &[(usize, String)],
) -> Option<cucumber::step::Collection<W>> {
    let texts: Vec<(usize, &str)> = texts.iter().map(|(ty, t)| (*ty, t.as_str())).collect();
    dispatch::collection::<W>(&texts)
}

/// What `selection` keeps of a suite, found in one pass over it (outlines expanded a row at a
/// time).
struct Survey {
    /// Every distinct step text of the scenarios kept, with its type (0 Given, 1 When, 2
    /// Then).
    texts: Vec<(usize, String)>,
    /// How many scenarios are kept.
    scenarios: usize,
}

fn survey(features: &[gherkin::Feature], selection: &Selection) -> Survey {
    let mut scenarios = 0;
    let mut texts: [std::collections::HashSet<String>; 3] = Default::default();
    let mut add = |steps: &mut dyn Iterator<Item = &gherkin::Step>| {
        for step in steps {
            let ty = match step.ty {
                gherkin::StepType::Given => 0,
                gherkin::StepType::When => 1,
                gherkin::StepType::Then => 2,
            };
            if !texts[ty].contains(step.value.as_str()) {
                texts[ty].insert(step.value.clone());
            }
        }
    };
    for f in features {
        add(&mut f
            .background
            .iter()
            .chain(f.rules.iter().filter_map(|r| r.background.as_ref()))
            .flat_map(|b| &b.steps));
        // Checked when the features were read.
        let _ = each_scenario(f, &mut |rule, scenario| {
            if selection.keeps(f, rule, &scenario) {
                scenarios += 1;
                add(&mut scenario.steps.iter());
            }
        });
    }
    Survey {
        texts: texts
            .into_iter()
            .enumerate()
            .flat_map(|(ty, texts)| texts.into_iter().map(move |text| (ty, text)))
            .collect(),
        scenarios,
    }
}

/// Which scenarios of the suite a run hands to cucumber: its shard's, that `--tags` and
/// `--name` select, and not those that need the simulation controls on a target without them
/// (those are reported as not applicable).
#[derive(Default)]
pub struct Selection {
    /// This shard's scenarios, by feature path and scenario name (`--shard`).
    shard: Option<std::collections::HashSet<(String, String)>>,
    /// Scenarios tagged `@simulation` are set aside.
    without_simulation: bool,
    name: Option<regex::Regex>,
    tags: Option<gherkin::tagexpr::TagOperation>,
}

impl Selection {
    /// In this run's shard.
    fn in_shard(&self, feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> bool {
        self.shard
            .as_ref()
            .is_none_or(|mine| mine.contains(&(feature_path(feature), display_name(scenario))))
    }

    /// Chosen by `--name` (which, as in cucumber, wins over `--tags`) or `--tags`.
    fn chosen(
        &self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
    ) -> bool {
        match (&self.name, &self.tags) {
            (Some(re), _) => re.is_match(&scenario.name),
            (None, Some(t)) => t.eval(all_tags(feature, rule, scenario).iter()),
            (None, None) => true,
        }
    }

    /// Set aside: in the shard and chosen, but the target cannot run it.
    fn sets_aside(
        &self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
    ) -> bool {
        self.without_simulation
            && has_tag(feature, rule, scenario, "simulation")
            && self.in_shard(feature, scenario)
            && self.chosen(feature, rule, scenario)
    }

    /// Handed to cucumber.
    fn keeps(
        &self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
    ) -> bool {
        self.in_shard(feature, scenario)
            && self.chosen(feature, rule, scenario)
            && !(self.without_simulation && has_tag(feature, rule, scenario, "simulation"))
    }
}

/// Hands the features to cucumber, a few scenarios at a time: cucumber keeps what it is
/// given (each scenario cloned into its queue, each feature until its last scenario ends), so
/// a suite of thousands is handed over as the run gets through it, its outlines expanded a
/// row at a time. A chunk is up to [`CHUNK`] scenarios of one feature (same path, its
/// Background, and its rule's header when they sit in a rule) that `selection` keeps. With
/// `feed`, the next chunk goes only when fewer than `feed.ahead` scenarios wait to start;
/// without it (`--fail-fast`, which stops starting scenarios: a feed waiting for them would
/// wait for ever), one chunk after the other. `@serial` scenarios go first, all at once:
/// cucumber runs them alone, before the others, only when it has them at the start.
struct Prepared {
    feed: Option<Arc<Feed>>,
    selection: Arc<Selection>,
    interrupt: Interrupt,
}

/// A request to stop a run early (Ctrl-C, or the SIGTERM a CI system sends when a job is
/// cancelled): no further scenario is handed to cucumber, the ones already handed over finish
/// (bounded by the scenario timeout), and the reports hold what ran, saying it was stopped.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<InterruptState>);

#[derive(Debug, Default)]
struct InterruptState {
    raised: std::sync::atomic::AtomicBool,
    /// The feed, waiting for scenarios to start.
    waiting: futures::task::AtomicWaker,
}

impl Interrupt {
    /// Asks the run to stop.
    pub fn raise(&self) {
        self.0
            .raised
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.waiting.wake();
    }

    pub fn raised(&self) -> bool {
        self.0.raised.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// How many scenarios of a feature cucumber is given at once.
const CHUNK: usize = 32;

/// The scenarios handed to cucumber and those it has started (counted by the `before` hook).
#[derive(Default)]
struct Feed {
    started: std::sync::atomic::AtomicUsize,
    /// Scenarios handed over but not started that is enough to keep every slot busy.
    ahead: usize,
    /// The feed, waiting for scenarios to start.
    waiting: futures::task::AtomicWaker,
}

impl Feed {
    fn new(concurrency: usize) -> Self {
        Feed {
            ahead: (4 * concurrency).max(2 * CHUNK),
            ..Feed::default()
        }
    }

    /// A scenario started: room for more.
    fn started(&self) {
        self.started
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.waiting.wake();
    }
}

impl parser::Parser<Vec<gherkin::Feature>> for Prepared {
    type Cli = cli::Empty;
    type Output = Feeding;

    fn parse(self, input: Vec<gherkin::Feature>, _: cli::Empty) -> Self::Output {
        let mut serial = std::collections::VecDeque::new();
        for feature in input.iter().filter(|f| mentions_serial(f)) {
            let mut alone = feature_header(feature);
            let mut rules: Vec<usize> = Vec::new();
            // Checked when the features were read.
            let _ = each_scenario(feature, &mut |rule, scenario| {
                if !has_tag(feature, rule, &scenario, "serial")
                    || !self.selection.keeps(feature, rule, &scenario)
                {
                    return;
                }
                let Some(rule) = rule else {
                    alone.scenarios.push(scenario);
                    return;
                };
                let at = rule.position.line;
                match rules.iter().position(|r| *r == at) {
                    Some(i) => alone.rules[i].scenarios.push(scenario),
                    None => {
                        rules.push(at);
                        alone.rules.push(rule_header(rule, vec![scenario]));
                    }
                }
            });
            if scenario_count(&alone) > 0 {
                serial.push_back(alone);
            }
        }
        Feeding {
            serial,
            features: input.into(),
            at: Cursor::default(),
            selection: self.selection,
            handed: 0,
            feed: self.feed,
            interrupt: self.interrupt,
        }
    }
}

/// Whether `@serial` is among the tags of `feature`, its rules, scenarios or Examples.
fn mentions_serial(feature: &gherkin::Feature) -> bool {
    let serial = |tags: &[String]| tags.iter().any(|t| t == "serial");
    let scenarios = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| &r.scenarios));
    serial(&feature.tags)
        || feature.rules.iter().any(|r| serial(&r.tags))
        || scenarios
            .into_iter()
            .any(|s| serial(&s.tags) || s.examples.iter().any(|e| serial(&e.tags)))
}

/// The stream of [`Prepared`]: what is left to hand over, and how many scenarios went.
struct Feeding {
    /// The `@serial` scenarios, handed over first.
    serial: std::collections::VecDeque<gherkin::Feature>,
    /// The features whose scenarios are not all handed over yet, as written.
    features: std::collections::VecDeque<gherkin::Feature>,
    /// Where the first of `features` is.
    at: Cursor,
    selection: Arc<Selection>,
    handed: usize,
    feed: Option<Arc<Feed>>,
    interrupt: Interrupt,
}

impl futures::Stream for Feeding {
    type Item = parser::Result<gherkin::Feature>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::sync::atomic::Ordering;
        use std::task::Poll;
        let this = &mut *self;
        if this.interrupt.raised() {
            return Poll::Ready(None);
        }
        if let Some(alone) = this.serial.pop_front() {
            this.handed += scenario_count(&alone);
            return Poll::Ready(Some(Ok(alone)));
        }
        if let Some(feed) = &this.feed {
            let waiting = |handed: usize| handed - feed.started.load(Ordering::SeqCst).min(handed);
            if waiting(this.handed) >= feed.ahead {
                feed.waiting.register(cx.waker());
                this.interrupt.0.waiting.register(cx.waker());
                // A start between the check and the registration woke no one: look again.
                if this.interrupt.raised() {
                    return Poll::Ready(None);
                }
                if waiting(this.handed) >= feed.ahead {
                    return Poll::Pending;
                }
            }
        }
        while let Some(feature) = this.features.front() {
            let chunk = next_chunk(feature, &mut this.at, &this.selection);
            let count = scenario_count(&chunk);
            if count > 0 {
                this.handed += count;
                return Poll::Ready(Some(Ok(chunk)));
            }
            this.features.pop_front();
            this.at = Cursor::default();
        }
        Poll::Ready(None)
    }
}

/// The next [`CHUNK`] scenarios of `feature` from `at` that `selection` keeps and that are not
/// `@serial`, all from the feature's own list or all from one rule, as a feature of their own
/// (without scenarios at the end of the feature); `at` is moved past them.
fn next_chunk(
    feature: &gherkin::Feature,
    at: &mut Cursor,
    selection: &Selection,
) -> gherkin::Feature {
    let mut chunk = feature_header(feature);
    let mut part = None;
    let mut count = 0;
    while count < CHUNK {
        let before = *at;
        let Some(next) = next_scenario(feature, at) else {
            break;
        };
        // Every row was checked when the features were read.
        let Ok((rule, scenario)) = next else {
            continue;
        };
        let in_rule = rule.and_then(|r| feature.rules.get(r));
        if has_tag(feature, in_rule, &scenario, "serial")
            || !selection.keeps(feature, in_rule, &scenario)
        {
            continue;
        }
        match part {
            None => {
                part = Some(rule);
                if let Some(r) = in_rule {
                    chunk.rules.push(rule_header(r, Vec::new()));
                }
            }
            // The next part of the feature goes in the next chunk.
            Some(p) if p != rule => {
                *at = before;
                break;
            }
            Some(_) => {}
        }
        match chunk.rules.first_mut() {
            Some(r) => r.scenarios.push(scenario),
            None => chunk.scenarios.push(scenario),
        }
        count += 1;
    }
    chunk
}

/// `feature` without its scenarios and rules.
fn feature_header(feature: &gherkin::Feature) -> gherkin::Feature {
    gherkin::Feature {
        keyword: feature.keyword.clone(),
        name: feature.name.clone(),
        description: feature.description.clone(),
        background: feature.background.clone(),
        scenarios: Vec::new(),
        rules: Vec::new(),
        tags: feature.tags.clone(),
        span: feature.span,
        position: feature.position,
        path: feature.path.clone(),
    }
}

/// `rule` with `scenarios` instead of its own.
fn rule_header(rule: &gherkin::Rule, scenarios: Vec<gherkin::Scenario>) -> gherkin::Rule {
    gherkin::Rule {
        keyword: rule.keyword.clone(),
        name: rule.name.clone(),
        description: rule.description.clone(),
        background: rule.background.clone(),
        scenarios,
        tags: rule.tags.clone(),
        span: rule.span,
        position: rule.position,
    }
}

/// How many scenarios `feature` has, its rules' included.
fn scenario_count(feature: &gherkin::Feature) -> usize {
    feature.scenarios.len()
        + feature
            .rules
            .iter()
            .map(|r| r.scenarios.len())
            .sum::<usize>()
}

fn has_tag(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    tag: &str,
) -> bool {
    feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&scenario.tags)
        .any(|t| t == tag)
}

fn all_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    let mut tags: Vec<String> = feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&scenario.tags)
        .cloned()
        .collect();
    tags.dedup();
    tags
}

/// How many worker threads the runtime of a run has: one per core but one. Cucumber drives
/// the scenarios, their steps and the reports' collector on the thread that started the run
/// (its run is one future, not a task), so that thread keeps a core busy; the workers serve
/// the connections and the embedded mock. With a worker on every core as well, three threads
/// took turns on two cores: 1,000 journeys took about 10% longer.
pub fn runtime_workers() -> usize {
    workers_for(std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn workers_for(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

/// Scenarios at once when neither `--concurrency` nor the configuration says: four per core
/// (scenarios mostly wait on HTTP), at least 4, at most 32.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 4)
        .clamp(4, 32)
}

/// The event types the features' webhook steps name.
fn webhook_events(features: &[gherkin::Feature]) -> Vec<&'static str> {
    let mut events = Vec::new();
    let mut add = |steps: &mut dyn Iterator<Item = &gherkin::Step>| {
        for step in steps.filter(|s| s.value.contains("webhook")) {
            events.extend(crate::domain::events::named_in(&step.value));
        }
    };
    for f in features {
        add(&mut f.background.iter().flat_map(|b| &b.steps));
        let scenarios = f
            .scenarios
            .iter()
            .chain(f.rules.iter().flat_map(|r| &r.scenarios));
        let mentions = |s: &&gherkin::Scenario| {
            s.steps.iter().any(|step| step.value.contains("webhook"))
                || s.examples
                    .iter()
                    .flat_map(|e| e.table.iter().flat_map(|t| &t.rows))
                    .flatten()
                    .any(|cell| cell.contains("webhook"))
        };
        for scenario in scenarios.filter(mentions) {
            // An outline's rows may name the event: each is expanded.
            let rows = gherkin::Feature {
                scenarios: vec![scenario.clone()],
                ..feature_header(f)
            };
            // Checked when the features were read.
            let _ = each_scenario(&rows, &mut |_, s| add(&mut s.steps.iter()));
        }
    }
    events.sort_unstable();
    events.dedup();
    events
}

/// Starts the receiver and subscribes it; what cannot be done becomes the reason webhook
/// steps fail, not the end of the run.
async fn prepare_webhooks(
    client: &ApiClient,
    target: &Target,
    options: &WebhookOptions,
    needed: &[&'static str],
) -> (Option<Receiver>, Option<String>, HashMap<String, String>) {
    let mut subscriptions = HashMap::new();
    if needed.is_empty() {
        return (None, None, subscriptions);
    }
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| target.api_url.starts_with(p));
    if options.public_url.is_none() && !loopback {
        let problem = format!(
            "webhook scenarios need a public URL for the runner's receiver on {}: pass --webhook-url (forwarding to --webhook-port)",
            target.name
        );
        return (None, Some(problem), subscriptions);
    }
    let bind = std::net::SocketAddr::from(([127, 0, 0, 1], options.port));
    let receiver = match Receiver::start(bind).await {
        Ok(r) => r,
        Err(e) => {
            return (
                None,
                Some(format!("the webhook receiver cannot listen on {bind}: {e}")),
                subscriptions,
            );
        }
    };
    let url = options
        .public_url
        .clone()
        .unwrap_or_else(|| receiver.local_url());
    let mut problems = Vec::new();
    for event in needed {
        match crate::client::subscriptions::subscribe(client, event, &url, options.replace).await {
            Ok(made) => {
                if let Some((old, to)) = &made.replaced {
                    println!(
                        "webhooks: deleted the subscription {old} that {} held for {event} (to {to}) and subscribed this run's receiver",
                        target.name
                    );
                }
                receiver.remember_secret(&made.id, &made.secret);
                subscriptions.insert((*event).to_string(), made.id);
            }
            Err(problem) => problems.push(problem),
        }
    }
    let problem = (!problems.is_empty()).then(|| problems.join("; "));
    (Some(receiver), problem, subscriptions)
}

/// Runs the suite and writes the reports; returns an [`exit`] code.
pub async fn run<W: Journey>(config: RunConfig) -> i32 {
    let _one_at_a_time = RUN_LOCK.lock().await;
    let started = Instant::now();
    let started_at = crate::mock::timestamp(chrono::Utc::now());
    dispatch::prepare::<W>();

    let files = match feature_files(&config.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let features = match parse_features(&files) {
        Ok(f) => f,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}\n");
            }
            return exit::USAGE;
        }
    };
    let schemas = match SchemaRegistry::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: the built-in JSON Schemas do not compile: {e}");
            return exit::USAGE;
        }
    };

    // The target: the embedded mock, or a remote API.
    let (target, _mock) = match &config.target {
        TargetChoice::Mock {
            client_id,
            client_secret,
            faults,
        } => {
            let bind = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            let mock_config = MockConfig {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                faults: faults.clone(),
            };
            match mock::start(mock_config, bind).await {
                Ok(m) => {
                    let url = m.base_url();
                    let target = Target {
                        name: "mock (embedded)".into(),
                        api_url: url.clone(),
                        auth_url: url,
                        client_id: client_id.clone(),
                        client_secret: client_secret.clone(),
                        simulation: true,
                    };
                    (target, Some(m))
                }
                Err(e) => {
                    eprintln!("error: could not start the embedded mock on 127.0.0.1: {e}");
                    return exit::UNREACHABLE;
                }
            }
        }
        TargetChoice::Remote(t) => (t.clone(), None),
    };
    let client = match ApiClient::new(target.clone(), config.request_timeout)
        .map(|c| c.with_safe_retries(config.request_retries))
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    // Authenticate before the first scenario: a dead target ends the run in one line.
    if let Err(e) = client.token().await {
        let code = match e {
            ClientError::Setup(_) => exit::USAGE,
            _ => exit::UNREACHABLE,
        };
        eprintln!(
            "error: target {} cannot be used: {e}\n  = {}",
            target.name,
            e.hint()
        );
        return code;
    }

    // A remote target offers the simulation controls if it answers them (another mock does).
    let mut target = target;
    if !target.simulation {
        target.simulation = client
            .send(reqwest::Method::GET, "/simulator/clock", None)
            .await
            .is_ok_and(|r| r.status == 200);
    }
    let client = client.with_simulation(target.simulation);

    // Webhooks: a receiver, subscribed to the event types the scenarios wait for.
    let needed = webhook_events(&features);
    let (receiver, webhook_problem, subscriptions) =
        prepare_webhooks(&client, &target, &config.webhooks, &needed).await;

    // One secrets policy for everything the run shows or writes; snapshots use it as well.
    let policy = Redactor::new(
        [target.client_secret.clone()],
        config.reports.redact.clone(),
    );
    redact::set_active(Some(Arc::new(policy.clone())));

    let seed = config.seed.unwrap_or_else(|| {
        let bytes = uuid::Uuid::new_v4().into_bytes();
        u64::from_le_bytes(bytes[..8].try_into().unwrap_or([0; 8])) >> 16
    });
    println!("customers: seed {seed} (replay the same customers with --seed {seed})");
    let ctx = Arc::new(RunContext {
        client,
        schemas,
        snapshot_mode: config.snapshot_mode,
        scenario_timeout: config.scenario_timeout,
        run_id: uuid::Uuid::new_v4().simple().to_string(),
        seed,
        receiver,
        webhook_problem,
        subscriptions: Mutex::new(subscriptions),
        exchanges: Mutex::default(),
        interrupt: config.interrupt.clone(),
    });
    set_context(Some(Arc::clone(&ctx)));

    // Scenarios the target cannot run are reported, not run. They are taken out of the
    // features before cucumber sees them: its `--tags` and `--name` filters replace the filter
    // passed to `filter_run` rather than add to it.
    let mut selection = Selection {
        shard: None,
        without_simulation: !target.simulation,
        name: config.cucumber.re_filter.clone(),
        tags: config.cucumber.tags_filter.clone(),
    };
    if let Some(shard) = config.shard {
        let mine = shard_of(&features, shard, &config.report_dir);
        println!(
            "shard {}/{}: {} scenarios",
            shard.index,
            shard.count,
            mine.len()
        );
        selection.shard = Some(mine);
    }
    // Scenarios the target cannot run are reported, not run (with their feature's and rule's
    // headers: the report needs no more of them).
    let mut not_applicable = Vec::new();
    if selection.without_simulation {
        for f in &features {
            // Checked when the features were read.
            let _ = each_scenario(f, &mut |rule, s| {
                if selection.sets_aside(f, rule, &s) {
                    not_applicable.push((
                        feature_header(f),
                        rule.map(|r| rule_header(r, Vec::new())),
                        s,
                    ));
                }
            });
        }
    }
    let selection = Arc::new(selection);
    let mut cucumber_cli = config.cucumber;
    cucumber_cli.re_filter = None;
    cucumber_cli.tags_filter = None;

    let concurrency = cucumber_cli.runner.concurrency;
    let index = Arc::new(StepIndex::of::<W>());
    let survey = survey(&features, &selection);
    let steps = lookup_of::<W>(&survey.texts);
    let mut collector = Collector::new(
        Arc::clone(&ctx),
        Arc::clone(&index),
        started,
        Progress::new(config.reports.progress).redacting(policy.clone()),
        policy.clone(),
    );
    // Cucumber counts the scenarios when it has been handed the last of them, at the end.
    let selected = survey.scenarios;
    collector.progress.set_total(selected);
    let feed = (!cucumber_cli.runner.fail_fast)
        .then(|| Arc::new(Feed::new(concurrency.unwrap_or_else(default_concurrency))));
    let started_one = feed.clone();
    let stopping = config.interrupt.clone();
    // Cucumber's own collection of the steps (`W::cucumber`) would compile every definition's
    // pattern; the run's lookup compiles only those its texts may match.
    let cucumber = match steps {
        Some(steps) => cucumber::Cucumber::<W, _, PathBuf, _, _, _>::new().steps(steps),
        None => W::cucumber::<PathBuf>(),
    };
    let cucumber = cucumber
        .with_parser::<Prepared, Vec<gherkin::Feature>>(Prepared {
            feed,
            selection: Arc::clone(&selection),
            interrupt: config.interrupt.clone(),
        })
        .with_writer(collector)
        .max_concurrent_scenarios(concurrency.or(Some(default_concurrency())))
        .before(move |feature, _rule, scenario, world: &mut W| {
            if let Some(feed) = &started_one {
                feed.started();
            }
            let key = ScenarioKey {
                feature: feature.path.clone().unwrap_or_default(),
                line: scenario.position.line,
            };
            let stopping = stopping.raised();
            async move {
                world.begin(key);
                if stopping {
                    world.hold();
                }
            }
            .boxed_local()
        })
        .after(
            move |feature, _rule, scenario, _finished, world: Option<&mut W>| {
                // One hand-over per attempt, even without a World, so attempts stay in step.
                let key = ScenarioKey {
                    feature: feature.path.clone().unwrap_or_default(),
                    line: scenario.position.line,
                };
                let held = world.as_ref().is_some_and(|w| w.held());
                let exchanges = world
                    .and_then(|w| w.finish())
                    .map(|(_, exchanges)| exchanges)
                    .unwrap_or_default();
                if let Some(ctx) = context() {
                    ctx.store_attempt(key, exchanges, held);
                }
                async {}.boxed_local()
            },
        )
        .with_cli(cucumber_cli);
    let quiet = QuietStepPanics::install();
    let mut collector = cucumber.run(features).await;
    collector.progress.clear();
    drop(quiet);
    set_context(None);
    redact::set_active(None);
    // The run's subscriptions go with it.
    let made: Vec<(String, String)> = ctx
        .subscriptions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(event, id)| (event.clone(), id.clone()))
        .collect();
    for (event, id) in made {
        if let Err(e) = crate::client::subscriptions::unsubscribe(&ctx.client, &id).await {
            eprintln!(
                "warning: the webhook subscription {id} ({event}) on {} could not be deleted ({e}); delete it (DELETE /v1/webhooks/{id}), or the next subscription to {event} is refused",
                target.name
            );
        }
    }

    // The scenarios are done: what the reports free is not reused by them (crate::memory).
    let _giving_back = crate::memory::give_back_freed_memory_at_once();
    let policy = collector.policy.clone();
    let (mut features, mut gathered) = collector.into_parts();
    for (f, rule, s) in not_applicable {
        let (feature, scenario) =
            report_not_applicable(&mut features, &f, rule.as_ref(), &s, &target.name, &index);
        gathered.push(feature, scenario);
    }
    let mut report = RunReport {
        target: target.name.clone(),
        started_at,
        duration: started.elapsed(),
        features,
        step_definitions: index.definitions().to_vec(),
        seeds: vec![seed],
        interrupted: None,
    };
    crate::report::redact_run(&mut report, &policy);
    let mut past =
        crate::report::history::Past::load(&config.report_dir, &report.target, &report.started_at);
    if let Err(e) = gathered.finish(&mut report, &policy, &mut past) {
        eprintln!("error: failed to keep the scenarios' results for the reports: {e}");
        return exit::USAGE;
    }

    let counts = report.counts();
    let total = counts.total();
    let ran = total - counts.not_applicable;
    // A signal that came after the last scenario stopped nothing.
    if config.interrupt.raised() && ran < selected {
        report.interrupted = Some(format!("stopped after {ran} of {selected} scenarios"));
    }
    let code = finish(
        &report,
        &config.report_dir,
        &config.reports.formats,
        config.shard,
        total,
    );
    // The spill file goes now (its last handle removes it): the process may end before the
    // thread below is done. The rest of a large run's records take a while to free, and the
    // process need not wait for that.
    for feature in &mut report.features {
        feature.scenarios.let_go_of_disk();
    }
    let _ = std::thread::Builder::new()
        .name("free-report".into())
        .spawn(move || drop(report));
    code
}

/// Prints the run's summary, writes its reports and says how the run ends (its exit code).
fn finish(
    report: &RunReport,
    report_dir: &Path,
    formats: &[crate::report::Format],
    shard: Option<Shard>,
    total: usize,
) -> i32 {
    let failures = console::failure_details(report);
    if !failures.is_empty() {
        println!("\n{failures}");
    }
    println!("{}", console::summary(report));
    let _ = std::io::stdout().flush();
    match crate::report::write_formats(report, report_dir, formats) {
        Ok(paths) => {
            let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            println!("reports: {}", list.join(", "));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    if let Some(note) = &report.interrupted {
        eprintln!(
            "interrupted: the run was {note}; the reports hold those, and the rest did not run"
        );
        return exit::of(report);
    }
    if total == 0 {
        if let Some(shard) = shard {
            println!(
                "shard {}/{} has no scenario to run",
                shard.index, shard.count
            );
            return exit::OK;
        }
        eprintln!("error: no scenario matched: check the paths, --tags and --name");
        return exit::USAGE;
    }
    exit::of(report)
}

/// A `@simulation` scenario's report on a target without the simulation controls, and the
/// index of its feature in `features`.
fn report_not_applicable(
    features: &mut Vec<FeatureReport>,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    target: &str,
    index: &StepIndex,
) -> (usize, ScenarioReport) {
    let mut s = scenario_report(feature, rule, scenario, index);
    s.status = Status::NotApplicable;
    s.reason = Some(format!(
        "needs the simulation controls (@simulation), which {target} does not offer"
    ));
    (report_feature(features, feature), s)
}

/// The scenario's name in every report: for an Examples row, with the row's values.
fn display_name(scenario: &gherkin::Scenario) -> String {
    let mut name = scenario.name.clone();
    if let Some(table) = scenario.examples.first().and_then(|e| e.table.as_ref())
        && let [header, row] = table.rows.as_slice()
    {
        let pairs: Vec<String> = header
            .iter()
            .zip(row)
            .map(|(h, v)| format!("{h}: {v}"))
            .collect();
        name = format!("{name} ({})", pairs.join(", "));
    }
    name
}

/// `--shard K/N`: this machine runs the K-th of N parts of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 1.
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not K/N, e.g. 2/4"))?;
        let (index, count): (usize, usize) = (
            k.trim()
                .parse()
                .map_err(|_| format!("`{k}` in `{s}` is not a whole number"))?,
            n.trim()
                .parse()
                .map_err(|_| format!("`{n}` in `{s}` is not a whole number"))?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(format!("`{s}`: K must be from 1 to N, and N at least 1"));
        }
        Ok(Shard { index, count })
    }
}

/// Which shard (from 1) each scenario, by (feature path, name), belongs to. With recorded
/// durations the split is balanced: the longest scenarios first, each to the part with the least
/// time so far (scenarios without a record count as the median). Without, a stable hash of the
/// scenario's identity decides. Every machine computes the same split from the same history.
pub fn assign_shards(
    scenarios: &[(String, String)],
    count: usize,
    durations: &HashMap<(String, String), u64>,
) -> HashMap<(String, String), usize> {
    // FNV-1a, then mixed (SplitMix64's finaliser): FNV's low bits alone follow the parity of
    // the bytes, so the rows of an outline, whose number appears twice in their names, all fell
    // in one of two shards.
    let fnv = |text: &str| {
        let mut z = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let known: Vec<u64> = scenarios
        .iter()
        .filter_map(|k| durations.get(k).copied())
        .collect();
    if known.is_empty() {
        return scenarios
            .iter()
            .map(|k| {
                (
                    k.clone(),
                    (fnv(&format!("{}\n{}", k.0, k.1)) % count as u64) as usize + 1,
                )
            })
            .collect();
    }
    let mut sorted = known.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let mut order: Vec<(u64, &(String, String))> = scenarios
        .iter()
        .map(|k| (durations.get(k).copied().unwrap_or(median), k))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut load = vec![0u64; count];
    let mut out = HashMap::new();
    for (ms, key) in order {
        let (lightest, _) = load
            .iter()
            .enumerate()
            .min_by_key(|(i, l)| (**l, *i))
            .unwrap_or((0, &0));
        load[lightest] += ms.max(1);
        out.insert(key.clone(), lightest + 1);
    }
    out
}

/// Keeps only this shard's scenarios.
/// The scenarios of `shard`, by feature path and scenario name.
fn shard_of(
    features: &[gherkin::Feature],
    shard: Shard,
    report_dir: &Path,
) -> std::collections::HashSet<(String, String)> {
    let mut keys = Vec::new();
    for f in features {
        let path = feature_path(f);
        // Checked when the features were read.
        let _ = each_scenario(f, &mut |_, s| keys.push((path.clone(), display_name(&s))));
    }
    let mut durations = HashMap::new();
    for record in crate::report::history::records(crate::report::history::record_files(report_dir))
    {
        for f in record.features {
            for s in f.scenarios {
                durations.insert((f.path.clone(), s.name), s.ms);
            }
        }
    }
    let assigned = assign_shards(&keys, shard.count, &durations);
    keys.into_iter()
        .filter(|key| assigned.get(key) == Some(&shard.index))
        .collect()
}

fn feature_path(feature: &gherkin::Feature) -> String {
    let path = feature.path.clone().unwrap_or_default();
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative.unwrap_or(path).display().to_string()
}

/// The index of `feature`'s report in `features`, added when it is not there yet.
fn report_feature(features: &mut Vec<FeatureReport>, feature: &gherkin::Feature) -> usize {
    let path = feature_path(feature);
    match features.iter().position(|f| f.path == path) {
        Some(i) => i,
        None => {
            // The text as read, for the writers that quote the Gherkin itself.
            let source = feature
                .path
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok());
            features.push(FeatureReport {
                name: feature.name.clone(),
                path,
                tags: feature.tags.clone(),
                scenarios: Default::default(),
                source,
            });
            features.len() - 1
        }
    }
}

/// A scenario's report before it runs: every step pending as skipped, with the step
/// definitions that match it.
fn scenario_report(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    index: &StepIndex,
) -> ScenarioReport {
    let background = feature
        .background
        .iter()
        .chain(rule.and_then(|r| r.background.as_ref()))
        .flat_map(|b| b.steps.iter().map(|s| (true, s)));
    let steps = background
        .chain(scenario.steps.iter().map(|s| (false, s)))
        .map(|(background, step)| StepReport {
            keyword: step.keyword.trim().to_string(),
            text: step.value.clone(),
            line: step.position.line,
            status: Status::Skipped,
            duration: Duration::ZERO,
            table: step.table.as_ref().map(|t| t.rows.clone()),
            docstring: step.docstring.clone(),
            error: None,
            background,
            matches: index.matches(step),
        })
        .collect();
    let name = display_name(scenario);
    let mut tags: Vec<String> = Vec::new();
    for tag in all_tags(feature, rule, scenario) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    ScenarioReport {
        name,
        line: scenario.position.line,
        tags,
        rule: rule.map(|r| r.name.clone()),
        status: Status::Skipped,
        duration: Duration::ZERO,
        steps,
        exchanges: Vec::new(),
        reason: None,
        started: Duration::ZERO,
        retried: Vec::new(),
        flaky: None,
        history: Vec::new(),
    }
}

/// Why a step failed, in plain words.
fn step_error(err: &event::StepError) -> String {
    match err {
        event::StepError::Panic(info) => {
            if let Some(s) = info.downcast_ref::<String>() {
                s.clone()
            } else if let Some(s) = info.downcast_ref::<&str>() {
                (*s).to_string()
            } else {
                "the step panicked".to_string()
            }
        }
        event::StepError::NotFound => "no step definition matches this step".to_string(),
        event::StepError::AmbiguousMatch(e) => {
            format!("more than one step definition matches this step: {e}")
        }
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "a hook failed".to_string()
    }
}

struct Running {
    report: ScenarioReport,
    feature: Arc<gherkin::Feature>,
    started: Instant,
    step_started: Instant,
    /// A step or hook failed in a way cucumber retries (an undefined step is not retried).
    retryable: bool,
}

/// Collects cucumber's events into a [`RunReport`] and shows the progress.
///
/// A failed attempt of a scenario that cucumber will run again (`--retries`, `--retry`, a
/// `@retry` tag) is kept as an [`Attempt`]; the scenario's report is its last attempt, marked
/// [`Flaky::PassedOnRetry`] when that one passed.
pub struct Collector {
    ctx: Arc<RunContext>,
    index: Arc<StepIndex>,
    /// When the run started: attempts' start times are measured from it.
    run_started: Instant,
    /// The features met so far, without their scenarios: those are in `gathered`.
    features: Vec<FeatureReport>,
    gathered: Gathered,
    running: foldhash::HashMap<ScenarioKey, Running>,
    /// Failed attempts of scenarios that run again, oldest first.
    retried: foldhash::HashMap<ScenarioKey, Vec<Attempt>>,
    progress: Progress,
    /// The run's secrets policy, taught the secrets of every exchange as its scenario finishes
    /// (a passing scenario's bodies are let go of then, see `Exchange::keep_brief`), so that
    /// they are redacted wherever else they appear.
    policy: Redactor,
}

impl Collector {
    fn new(
        ctx: Arc<RunContext>,
        index: Arc<StepIndex>,
        run_started: Instant,
        progress: Progress,
        policy: Redactor,
    ) -> Self {
        Collector {
            ctx,
            index,
            run_started,
            features: Vec::new(),
            gathered: Gathered::new(),
            running: foldhash::HashMap::default(),
            retried: foldhash::HashMap::default(),
            progress,
            policy,
        }
    }

    /// The report of what was collected, put in order as a run does (for tests).
    #[cfg(test)]
    fn into_report(self, target: String, started_at: String) -> RunReport {
        let policy = self.policy.clone();
        let (features, gathered) = self.into_parts();
        let mut report = RunReport {
            target,
            started_at,
            features,
            ..RunReport::default()
        };
        let mut past = crate::report::history::Past::default();
        gathered
            .finish(&mut report, &policy, &mut past)
            .expect("the scenarios are gathered");
        report
    }

    /// The features seen (without scenarios) and their gathered scenarios.
    fn into_parts(self) -> (Vec<FeatureReport>, Gathered) {
        (self.features, self.gathered)
    }

    fn scenario_event<W>(
        &mut self,
        feature: &Arc<gherkin::Feature>,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        event: event::Scenario<W>,
        retries: Option<event::Retries>,
    ) {
        let key = ScenarioKey {
            feature: feature.path.clone().unwrap_or_default(),
            line: scenario.position.line,
        };
        let now = Instant::now();
        match event {
            event::Scenario::Started => {
                let mut report = scenario_report(feature, rule, scenario, &self.index);
                report.started = now.duration_since(self.run_started);
                self.running.insert(
                    key,
                    Running {
                        report,
                        feature: Arc::clone(feature),
                        started: now,
                        step_started: now,
                        retryable: false,
                    },
                );
            }
            event::Scenario::Background(step, ev) | event::Scenario::Step(step, ev) => {
                let Some(run) = self.running.get_mut(&key) else {
                    return;
                };
                let Some(report) = run
                    .report
                    .steps
                    .iter_mut()
                    .find(|s| s.line == step.position.line)
                else {
                    return;
                };
                match ev {
                    event::Step::Started => run.step_started = now,
                    event::Step::Passed(..) => {
                        report.status = Status::Passed;
                        report.duration = now - run.step_started;
                    }
                    event::Step::Skipped => {
                        report.status = Status::Failed;
                        report.duration = now - run.step_started;
                        report.error = Some(
                            "no step definition matches this step (undefined step); check its wording against the steps the runner knows".into(),
                        );
                    }
                    event::Step::Failed(_, _, _, err) => {
                        report.status = Status::Failed;
                        report.duration = now - run.step_started;
                        report.error = Some(step_error(&err));
                        run.retryable = true;
                    }
                }
            }
            event::Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                let Some(run) = self.running.get_mut(&key) else {
                    return;
                };
                run.retryable = true;
                let when = match kind {
                    event::HookType::Before => "before",
                    event::HookType::After => "after",
                };
                let text = format!("the {when}-scenario hook failed: {}", panic_text(&info));
                run.report.reason = Some(text.clone());
                if let Some(step) = run
                    .report
                    .steps
                    .iter_mut()
                    .find(|s| s.status != Status::Passed)
                {
                    step.status = Status::Failed;
                    step.error = Some(text);
                }
            }
            event::Scenario::Hook(..) | event::Scenario::Log(_) => {}
            event::Scenario::Finished => {
                let Some(mut run) = self.running.remove(&key) else {
                    return;
                };
                let failed = run.report.steps.iter().any(|s| s.status == Status::Failed)
                    || run.report.reason.is_some();
                run.report.status = if failed {
                    Status::Failed
                } else {
                    Status::Passed
                };
                run.report.duration = now - run.started;
                let (exchanges, held) = self.ctx.take_attempt(&key);
                run.report.exchanges = exchanges;
                if held {
                    // Started after the run was interrupted: it sent nothing and is left out,
                    // unless an earlier attempt ran; that one is then the scenario's result.
                    let mut attempts = self.retried.remove(&key).unwrap_or_default();
                    let Some(last) = attempts.pop() else {
                        return;
                    };
                    run.report.restore_attempt(last);
                    self.retried.insert(key.clone(), attempts);
                }
                let index = report_feature(&mut self.features, &run.feature);
                let feature = &self.features[index];

                // Cucumber runs a failed scenario again while it has retries left.
                if !held && failed && run.retryable && retries.is_some_and(|r| r.left > 0) {
                    let attempts = self.retried.entry(key).or_default();
                    let error = run
                        .report
                        .failed_step()
                        .and_then(|s| s.error.clone())
                        .or_else(|| run.report.reason.clone())
                        .unwrap_or_default();
                    attempts.push(run.report.take_attempt());
                    self.progress
                        .retrying(feature, &run.report.name, attempts.len(), &error);
                    return;
                }
                run.report.retried = self.retried.remove(&key).unwrap_or_default();
                if run.report.status == Status::Passed && !run.report.retried.is_empty() {
                    run.report.flaky = Some(Flaky::PassedOnRetry);
                }
                crate::report::learn_scenario(&mut self.policy, &run.report);
                if run.report.status == Status::Passed && run.report.retried.is_empty() {
                    // Every report shows a clean pass's exchanges as one line each, so their
                    // headers and bodies go now.
                    for exchange in &mut run.report.exchanges {
                        exchange.keep_brief();
                    }
                }
                self.progress.finished(feature, &run.report);
                // The report goes to disk: memory stays flat as the suite grows.
                self.gathered.push(index, run.report);
            }
        }
    }
}

impl<W: 'static> cucumber::Writer<W> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<CucumberEvent<W>>>,
        _: &Self::Cli,
    ) {
        let Ok(event) = event else { return };
        match event.value {
            CucumberEvent::ParsingFinished { scenarios, .. } => {
                self.progress.set_total(scenarios);
            }
            CucumberEvent::Feature(feature, ev) => {
                let feature: Arc<gherkin::Feature> = feature.into();
                match ev {
                    event::Feature::Started => {
                        report_feature(&mut self.features, &feature);
                    }
                    event::Feature::Scenario(s, RetryableScenario { event, retries }) => {
                        self.scenario_event(&feature, None, &s, event, retries);
                    }
                    event::Feature::Rule(
                        r,
                        event::Rule::Scenario(s, RetryableScenario { event, retries }),
                    ) => {
                        self.scenario_event(&feature, Some(&r), &s, event, retries);
                    }
                    event::Feature::Rule(..) | event::Feature::Finished => {}
                }
            }
            CucumberEvent::Started | CucumberEvent::Finished => {}
        }
    }
}

impl writer::Normalized for Collector {}

#[cfg(test)]
mod tests {
    use cucumber::codegen::Regex;

    #[test]
    fn the_webhooks_a_suite_waits_for_are_found_in_backgrounds_scenarios_and_outline_rows() {
        let feature = gherkin::Feature::parse(
            "Feature: F\n  Background:\n    Given the partner receives a BOOKING webhook\n\n  Scenario: plain\n    Then the partner receives a PERSON_CHANGED webhook\n\n  Scenario Outline: rows\n    Then the partner receives a <event> webhook\n\n    Examples:\n      | event |\n      | IDENTIFICATION |\n\n  Scenario Outline: named in a row\n    Then <what> arrives\n\n    Examples:\n      | what |\n      | a CARD_LIFECYCLE_EVENT webhook |\n\n  Scenario: none\n    Then the ACCOUNT_BLOCK is not mentioned with the w-word\n",
            gherkin::GherkinEnv::default(),
        )
        .expect("parses");
        assert_eq!(
            super::webhook_events(&[feature]),
            [
                "BOOKING",
                "CARD_LIFECYCLE_EVENT",
                "IDENTIFICATION",
                "PERSON_CHANGED"
            ]
        );
    }

    #[test]
    fn a_large_feature_is_handed_to_cucumber_in_chunks_as_scenarios_start_serial_ones_first() {
        use futures::Stream as _;
        use std::task::{Context, Poll};
        let mut text = String::from(
            "Feature: F\n  Background:\n    Given a background\n\n  Scenario: alone 1\n    Given one\n",
        );
        for i in 0..150 {
            let tag = if i == 70 { "  @serial\n" } else { "" };
            text.push_str(&format!("{tag}  Scenario: s{i}\n    Given one\n"));
        }
        text.push_str("  @serial\n  Rule: R\n    Scenario: r1\n      Given one\n");
        text.push_str("    Scenario: r2\n      Given one\n");
        let mut feature =
            gherkin::Feature::parse(&text, gherkin::GherkinEnv::default()).expect("parses");
        feature.path = Some("f.feature".into());
        let feed = std::sync::Arc::new(super::Feed::new(16));
        let parser = super::Prepared {
            feed: Some(feed.clone()),
            selection: Default::default(),
            interrupt: Default::default(),
        };
        let mut stream = std::pin::pin!(parser::Parser::parse(parser, vec![feature], cli::Empty));
        let mut context = Context::from_waker(futures::task::noop_waker_ref());
        let mut names: Vec<String> = Vec::new();
        let mut chunks = Vec::new();
        loop {
            match stream.as_mut().poll_next(&mut context) {
                Poll::Ready(Some(Ok(chunk))) => {
                    assert_eq!(chunk.path.as_deref(), Some(Path::new("f.feature")));
                    assert!(chunk.background.is_some(), "each chunk has the Background");
                    let here: Vec<String> = chunk
                        .scenarios
                        .iter()
                        .chain(chunk.rules.iter().flat_map(|r| &r.scenarios))
                        .map(|s| s.name.clone())
                        .collect();
                    chunks.push(here.len());
                    names.extend(here);
                }
                Poll::Ready(Some(Err(e))) => panic!("{e}"),
                Poll::Ready(None) => break,
                Poll::Pending => {
                    let waiting =
                        names.len() - feed.started.load(std::sync::atomic::Ordering::SeqCst);
                    assert!(waiting >= feed.ahead, "waits only with enough handed over");
                    assert!(waiting < feed.ahead + super::CHUNK);
                    // Cucumber starts the scenarios handed over so far.
                    for _ in 0..waiting {
                        feed.started();
                    }
                }
            }
        }
        assert_eq!(names[..3], ["s70", "r1", "r2"], "the @serial ones first");
        let rest: Vec<String> = std::iter::once("alone 1".to_string())
            .chain((0..150).filter(|i| *i != 70).map(|i| format!("s{i}")))
            .collect();
        assert_eq!(names[3..], rest, "then the others, in order, each once");
        assert!(chunks[1..].iter().all(|n| *n <= super::CHUNK), "{chunks:?}");
        assert!(chunks.len() > 150 / super::CHUNK, "{chunks:?}");
    }

    #[test]
    fn an_interrupted_run_hands_cucumber_nothing_more_and_wakes_the_waiting_feed() {
        use futures::Stream as _;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::task::{Context, Poll};
        struct Count(AtomicUsize);
        impl futures::task::ArcWake for Count {
            fn wake_by_ref(arc_self: &Arc<Self>) {
                arc_self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let mut text = String::from("Feature: F\n");
        for i in 0..200 {
            text.push_str(&format!("  Scenario: s{i}\n    Given one\n"));
        }
        let feature =
            gherkin::Feature::parse(&text, gherkin::GherkinEnv::default()).expect("parses");
        let feed = Arc::new(super::Feed::new(1));
        let interrupt = super::Interrupt::default();
        let parser = super::Prepared {
            feed: Some(feed),
            selection: Default::default(),
            interrupt: interrupt.clone(),
        };
        let mut stream = std::pin::pin!(parser::Parser::parse(parser, vec![feature], cli::Empty));
        let woken = Arc::new(Count(AtomicUsize::new(0)));
        let waker = futures::task::waker(Arc::clone(&woken));
        let mut context = Context::from_waker(&waker);
        let mut handed = 0;
        // No scenario starts: the feed hands over what keeps the slots busy, then waits.
        while let Poll::Ready(Some(Ok(chunk))) = stream.as_mut().poll_next(&mut context) {
            handed += chunk.scenarios.len();
        }
        assert!(
            handed > 0 && handed < 200,
            "{handed} handed over before waiting"
        );
        interrupt.raise();
        assert!(
            woken.0.load(Ordering::SeqCst) > 0,
            "the waiting feed is woken"
        );
        assert!(matches!(
            stream.as_mut().poll_next(&mut context),
            Poll::Ready(None)
        ));
    }

    #[test]
    fn a_run_leaves_one_core_to_the_thread_that_drives_the_scenarios() {
        assert_eq!(workers_for(1), 1);
        assert_eq!(workers_for(2), 1);
        assert_eq!(workers_for(8), 7);
        assert_eq!(workers_for(0), 1);
    }

    #[test]
    fn shards_split_the_suite_stably_and_completely() {
        let keys: Vec<(String, String)> = (0..100)
            .map(|i| ("features/a.feature".to_string(), format!("scenario {i}")))
            .collect();
        let first = super::assign_shards(&keys, 4, &HashMap::new());
        let again = super::assign_shards(&keys, 4, &HashMap::new());
        assert_eq!(first, again, "the same split on every machine");
        assert_eq!(first.len(), 100, "every scenario in exactly one shard");
        for shard in 1..=4 {
            let n = first.values().filter(|s| **s == shard).count();
            assert!(n > 10, "shard {shard} has {n} of 100");
        }
        // An outline's rows, whose number appears twice in their names, spread too.
        let rows: Vec<(String, String)> = (1..=200)
            .map(|n| {
                (
                    "bench/j.feature".to_string(),
                    format!("Journey {n} (n: {n})"),
                )
            })
            .collect();
        for count in [2, 4] {
            let split = super::assign_shards(&rows, count, &HashMap::new());
            for shard in 1..=count {
                let n = split.values().filter(|s| **s == shard).count();
                assert!(
                    n > 200 / count / 2,
                    "shard {shard}/{count} has {n} of 200 rows"
                );
            }
        }
        assert!("0/4".parse::<super::Shard>().is_err());
        assert!("5/4".parse::<super::Shard>().is_err());
        assert_eq!(
            "2/4".parse::<super::Shard>(),
            Ok(super::Shard { index: 2, count: 4 })
        );
    }

    #[test]
    fn recorded_durations_balance_the_shards() {
        let keys: Vec<(String, String)> =
            (0..9).map(|i| ("f".to_string(), format!("s{i}"))).collect();
        // One long scenario and eight short ones: the long one gets a shard to itself.
        let mut durations = HashMap::new();
        durations.insert(keys[0].clone(), 8000);
        for k in &keys[1..] {
            durations.insert(k.clone(), 1000);
        }
        let split = super::assign_shards(&keys, 2, &durations);
        let long_shard = split[&keys[0]];
        let others: Vec<usize> = keys[1..].iter().map(|k| split[k]).collect();
        assert!(others.iter().all(|s| *s != long_shard), "{split:?}");
    }

    use super::*;

    const OUTLINES: &str = "\
Feature: Outlines
  Rule: branches
    Scenario Outline: <branch> customer
      Given a <branch> customer

      @first
      Examples: one
        | branch |
        | DE     |
        | FR     |
        | IT     |

      Examples: two
        | branch |
        | ES     |

  Scenario Outline: plain <n>
    Given step <n>
      \"\"\"
      amount <n> of <n>
      \"\"\"
    Then a table
      | count | <n>  |
      | <n>   | <n > |

    Examples:
      | n |
      | 1 |
      | 2 |

  Scenario: no outline <n>
    Given step <n>
";

    #[test]
    fn outlines_expand_as_cucumber_expands_them_keeping_one_row_each() {
        use cucumber::feature::Ext as _;
        let parse =
            || gherkin::Feature::parse(OUTLINES, gherkin::GherkinEnv::default()).expect("parses");
        let expected = parse().expand_examples().expect("expands");
        let mut got = parse();
        expand_outlines(&mut got).expect("expands");
        assert_eq!(got, expected);
        // Name, line, tags, first step, Examples rows.
        type Seen = (String, usize, Vec<String>, String, Vec<Vec<String>>);
        let seen = |f: &gherkin::Feature| -> Vec<Seen> {
            f.scenarios
                .iter()
                .chain(f.rules.iter().flat_map(|r| &r.scenarios))
                .map(|s| {
                    let rows = s.examples.first().and_then(|e| e.table.as_ref());
                    let rows = rows.map(|t| t.rows.clone());
                    (
                        s.name.clone(),
                        s.position.line,
                        s.tags.clone(),
                        s.steps[0].value.clone(),
                        rows.unwrap_or_default(),
                    )
                })
                .collect()
        };
        assert_eq!(seen(&got), seen(&expected));
        let lines: Vec<usize> = seen(&got).iter().map(|s| s.1).collect();
        assert_eq!(lines, [9, 10, 11, 15, 28, 29, 31]);
        for s in got.rules[0]
            .scenarios
            .iter()
            .filter(|s| !s.examples.is_empty())
        {
            let rows = &s.examples[0].table.as_ref().expect("a table").rows;
            assert!(rows.capacity() <= 2, "one row kept, not the whole table");
        }
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_where_it_is() {
        let mut feature = gherkin::Feature::parse(
            "Feature: F\n  Scenario Outline: O\n    Given a <branch> customer\n\n    Examples:\n      | country |\n      | DE      |\n",
            gherkin::GherkinEnv::default(),
        )
        .expect("parses");
        let error = expand_outlines(&mut feature).expect_err("no column named branch");
        assert_eq!(
            error,
            "error: the placeholder <branch> names no column of its Examples (they are <country>)\n  --> :3:5"
        );
    }

    const RETRIED: &str = "\
Feature: Retries
  Scenario: flaky on the sandbox
    Given the customer consents
    Then the card is active
";

    fn context() -> Arc<RunContext> {
        let target = Target {
            name: "test".into(),
            api_url: "http://127.0.0.1:9".into(),
            auth_url: "http://127.0.0.1:9".into(),
            client_id: "id".into(),
            client_secret: "secret".into(),
            simulation: false,
        };
        Arc::new(RunContext {
            client: ApiClient::new(target, Duration::from_secs(1)).expect("a client"),
            schemas: SchemaRegistry::load().expect("the schemas compile"),
            snapshot_mode: SnapshotMode::Ci,
            scenario_timeout: Duration::from_secs(300),
            run_id: "test".into(),
            seed: 1,
            receiver: None,
            webhook_problem: None,
            subscriptions: Mutex::default(),
            exchanges: Mutex::default(),
            interrupt: Interrupt::default(),
        })
    }

    /// Plays one attempt of the feature's only scenario into `collector`: each step passes,
    /// fails with a message, or is undefined (`None`).
    fn attempt(
        collector: &mut Collector,
        feature: &Arc<gherkin::Feature>,
        outcomes: &[Option<Result<(), &str>>],
        retries: Option<event::Retries>,
    ) {
        let scenario = &feature.scenarios[0];
        let ev = |e| (e, retries);
        let captures = Regex::new("x").expect("a regex");
        let (started, r) = ev(event::Scenario::<()>::Started);
        collector.scenario_event(feature, None, scenario, started, r);
        for (step, outcome) in scenario.steps.iter().zip(outcomes) {
            let source = cucumber::event::Source::new(step.clone());
            let run = |collector: &mut Collector, e| {
                collector.scenario_event::<()>(
                    feature,
                    None,
                    scenario,
                    event::Scenario::Step(source.clone(), e),
                    retries,
                );
            };
            run(collector, event::Step::Started);
            match outcome {
                Some(Ok(())) => {
                    run(
                        collector,
                        event::Step::Passed(captures.capture_locations(), None),
                    );
                }
                Some(Err(message)) => {
                    let info: event::Info = Arc::new(message.to_string());
                    run(
                        collector,
                        event::Step::Failed(None, None, None, event::StepError::Panic(info)),
                    );
                }
                None => run(collector, event::Step::Skipped),
            }
        }
        // What the `after` hook does: hand the attempt's exchanges over.
        let key = ScenarioKey {
            feature: feature.path.clone().unwrap_or_default(),
            line: scenario.position.line,
        };
        collector.ctx.store_exchanges(
            key,
            vec![Exchange {
                method: "POST".into(),
                url: "http://127.0.0.1:9/v1/webhooks".into(),
                request_headers: vec![("content-type".into(), "application/json".into())],
                request_body: Some(r#"{"event_type":"PERSON_CHANGED"}"#.into()),
                status: Some(503),
                response_body: Some(r#"{"secret":"whsec-in-a-body"}"#.into()),
                ..Exchange::default()
            }],
        );
        collector.scenario_event::<()>(feature, None, scenario, event::Scenario::Finished, retries);
    }

    /// Plays an attempt that started after the run was interrupted: its first step fails
    /// without sending anything, and the `after` hook says it was held back.
    fn held_attempt(
        collector: &mut Collector,
        feature: &Arc<gherkin::Feature>,
        retries: Option<event::Retries>,
    ) {
        let scenario = &feature.scenarios[0];
        collector.scenario_event::<()>(feature, None, scenario, event::Scenario::Started, retries);
        let source = cucumber::event::Source::new(scenario.steps[0].clone());
        let info: event::Info = Arc::new("not run: the run was interrupted".to_string());
        collector.scenario_event::<()>(
            feature,
            None,
            scenario,
            event::Scenario::Step(
                source,
                event::Step::Failed(None, None, None, event::StepError::Panic(info)),
            ),
            retries,
        );
        let key = ScenarioKey {
            feature: feature.path.clone().unwrap_or_default(),
            line: scenario.position.line,
        };
        collector.ctx.store_attempt(key, Vec::new(), true);
        collector.scenario_event::<()>(feature, None, scenario, event::Scenario::Finished, retries);
    }

    #[test]
    fn attempts_held_back_by_an_interruption_are_left_out_and_an_earlier_attempt_stands() {
        // Held back before it ever ran, then again on cucumber's retry: not in the reports.
        let (mut collector, feature) = collector_and_feature();
        held_attempt(&mut collector, &feature, retries(0, 1));
        held_attempt(&mut collector, &feature, retries(1, 0));
        let report = collector.into_report("test".into(), String::new());
        assert_eq!(report.counts().total(), 0, "a scenario that never ran");

        // Failed, then its retry was held back: the failed attempt is the scenario's result.
        let (mut collector, feature) = collector_and_feature();
        first_attempt_fails(&mut collector, &feature);
        held_attempt(&mut collector, &feature, retries(1, 0));
        let report = collector.into_report("test".into(), String::new());
        let scenario = &report.features[0].scenarios[0];
        assert_eq!(report.counts().total(), 1);
        assert_eq!(scenario.status, Status::Failed);
        assert_eq!(scenario.steps[0].error.as_deref(), Some("got 503"));
        assert_eq!(scenario.attempts(), 1, "the held attempt is not one");
        assert_eq!(
            scenario.exchanges.len(),
            1,
            "the failed attempt's exchanges"
        );
    }

    fn collector_and_feature() -> (Collector, Arc<gherkin::Feature>) {
        let mut feature = gherkin::Feature::parse(RETRIED, gherkin::GherkinEnv::default())
            .expect("the feature parses");
        feature.path = Some(PathBuf::from("features/retries.feature"));
        let mut collector = Collector::new(
            context(),
            Arc::new(StepIndex::default()),
            Instant::now(),
            Progress::new(ProgressMode::Lines),
            Redactor::new(Vec::<String>::new(), Vec::new()),
        );
        // Every scenario through the spill file, as a large suite's go.
        collector.gathered = Gathered::holding(0);
        (collector, Arc::new(feature))
    }

    /// The scenario's first attempt, with one retry left: its first step fails ("got 503").
    fn first_attempt_fails(collector: &mut Collector, feature: &Arc<gherkin::Feature>) {
        attempt(
            collector,
            feature,
            &[Some(Err("got 503")), None],
            retries(0, 1),
        );
    }

    fn retries(current: usize, left: usize) -> Option<event::Retries> {
        Some(event::Retries { current, left })
    }

    #[test]
    fn a_scenario_that_passes_on_retry_is_flaky_and_keeps_its_failed_attempt() {
        let (mut collector, feature) = collector_and_feature();

        first_attempt_fails(&mut collector, &feature);
        attempt(
            &mut collector,
            &feature,
            &[Some(Ok(())), Some(Ok(()))],
            retries(1, 0),
        );

        let report = collector.into_report("test".into(), String::new());
        let scenario = &report.features[0].scenarios[0];
        assert_eq!(
            report.features[0].scenarios.len(),
            1,
            "one scenario, two attempts"
        );
        assert_eq!(scenario.status, Status::Passed);
        assert_eq!(scenario.flaky, Some(Flaky::PassedOnRetry));
        assert_eq!(scenario.attempts(), 2);
        let first = &scenario.retried[0];
        assert_eq!(first.status, Status::Failed);
        assert_eq!(first.steps[0].error.as_deref(), Some("got 503"));
        assert_eq!(
            first.exchanges.len(),
            1,
            "each attempt keeps its own exchanges"
        );
        assert_eq!(scenario.exchanges.len(), 1);
        assert!(scenario.started >= first.started);
        assert_eq!(report.counts().flaky, 1);
    }

    #[test]
    fn a_clean_pass_keeps_its_exchanges_brief_and_their_secrets_known() {
        let (mut collector, feature) = collector_and_feature();
        attempt(
            &mut collector,
            &feature,
            &[Some(Ok(())), Some(Ok(()))],
            None,
        );
        let policy = collector.policy.clone();
        let report = collector.into_report("test".into(), String::new());
        let exchange = &report.features[0].scenarios[0].exchanges[0];
        assert_eq!(
            (exchange.method.as_str(), exchange.status),
            ("POST", Some(503)),
            "what the report shows of a passing scenario's exchange stays"
        );
        assert!(exchange.request_headers.is_empty() && exchange.response_headers.is_empty());
        assert_eq!(
            (&exchange.request_body, &exchange.response_body),
            (&None, &None)
        );
        assert!(
            !policy
                .text("the secret was whsec-in-a-body")
                .contains("whsec-in-a-body"),
            "a secret from a body let go of is still redacted elsewhere"
        );
    }

    #[test]
    fn a_failed_scenario_keeps_its_exchanges_whole() {
        let (mut collector, feature) = collector_and_feature();
        attempt(
            &mut collector,
            &feature,
            &[Some(Err("got 503")), None],
            None,
        );
        let report = collector.into_report("test".into(), String::new());
        let exchange = &report.features[0].scenarios[0].exchanges[0];
        assert_eq!(exchange.request_headers.len(), 1);
        assert!(exchange.request_body.is_some() && exchange.response_body.is_some());
    }

    #[test]
    fn a_scenario_that_fails_every_attempt_fails_with_its_earlier_attempts() {
        let (mut collector, feature) = collector_and_feature();

        attempt(
            &mut collector,
            &feature,
            &[Some(Err("one")), None],
            retries(0, 2),
        );
        attempt(
            &mut collector,
            &feature,
            &[Some(Err("two")), None],
            retries(1, 1),
        );
        attempt(
            &mut collector,
            &feature,
            &[Some(Ok(())), Some(Err("three"))],
            retries(2, 0),
        );

        let report = collector.into_report("test".into(), String::new());
        let scenario = &report.features[0].scenarios[0];
        assert_eq!(scenario.status, Status::Failed);
        assert_eq!(scenario.flaky, None);
        assert_eq!(scenario.retried.len(), 2);
        assert_eq!(scenario.retried[1].steps[0].error.as_deref(), Some("two"));
        assert_eq!(
            scenario.failed_step().unwrap().error.as_deref(),
            Some("three")
        );
    }

    #[test]
    fn each_attempt_keeps_its_exchanges_when_the_retry_ends_before_the_first_is_collected() {
        let ctx = context();
        let key = ScenarioKey {
            feature: PathBuf::from("features/retries.feature"),
            line: 2,
        };
        let exchange = |status| Exchange {
            status: Some(status),
            ..Exchange::default()
        };
        ctx.store_exchanges(key.clone(), vec![exchange(503)]);
        ctx.store_exchanges(key.clone(), vec![exchange(201), exchange(200)]);

        assert_eq!(ctx.take_exchanges(&key)[0].status, Some(503));
        assert_eq!(ctx.take_exchanges(&key).len(), 2);
        assert!(ctx.take_exchanges(&key).is_empty());
    }

    #[test]
    fn an_undefined_step_is_not_waited_for_as_a_retry() {
        // Cucumber does not retry a scenario with an undefined step, retries left or not.
        let (mut collector, feature) = collector_and_feature();

        attempt(&mut collector, &feature, &[None, None], retries(0, 3));

        let report = collector.into_report("test".into(), String::new());
        let scenario = &report.features[0].scenarios[0];
        assert_eq!(scenario.status, Status::Failed);
        assert!(scenario.retried.is_empty());
        assert!(
            scenario.steps[0]
                .error
                .as_deref()
                .unwrap()
                .contains("no step definition matches")
        );
    }

    #[test]
    fn step_matches_name_the_definitions_and_their_outermost_arguments() {
        let at = |line| cucumber::step::Location {
            path: "steps/x.rs",
            line,
            column: 1,
        };
        let patterns: Vec<&'static pattern::Pattern> = vec![
            Box::leak(Box::new(pattern::Pattern::new(0, at(1), || {
                Regex::new(r#"^a person named "((?:[^"\\]|\\.)*)" aged (\d+)$"#).expect("a regex")
            }))),
            Box::leak(Box::new(pattern::Pattern::new(0, at(2), || {
                Regex::new(r"^a person named (.*)$").expect("a regex")
            }))),
        ];
        let index = StepIndex::of_patterns([patterns, Vec::new(), Vec::new()]);
        assert_eq!(index.definitions()[1].pattern, r"^a person named (.*)$");
        let feature = gherkin::Feature::parse(
            "Feature: F\n  Scenario: S\n    Given a person named \"Jürgen\" aged 42\n    When nothing matches\n",
            gherkin::GherkinEnv::default(),
        )
        .expect("parses");
        let steps = &feature.scenarios[0].steps;

        let ambiguous = index.matches(&steps[0]);
        assert_eq!(ambiguous.len(), 2);
        assert_eq!(
            ambiguous[0].arguments,
            [
                StepArgument {
                    start: 16,
                    value: "Jürgen".into()
                },
                StepArgument {
                    start: 30,
                    value: "42".into()
                },
            ]
        );
        assert!(
            index.matches(&steps[1]).is_empty(),
            "When steps look among When definitions"
        );
    }

    #[test]
    fn gherkin_error_position_is_read_from_its_message() {
        let (line, col, expected) = parse_position(r#"Error at 7:3: {"Scenario", "Given"}"#);
        assert_eq!((line, col), (7, 3));
        assert_eq!(expected, "Given, Scenario");
    }
}
