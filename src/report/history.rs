//! Run history: every run leaves a compact [`RunRecord`] in `reports/history/` ([`append`]);
//! [`annotate`] reads the earlier ones back into a report: each scenario's last runs, and
//! whether its outcome flips between runs (flaky).
//!
//! A record is one small JSON file per run, named after the run's start
//! (`run-20250115T100000123Z.json`), holding per feature file each scenario's name, status,
//! duration and retries. Only runs against the same target are compared. The newest [`KEEP`]
//! records are kept; older ones are removed when a run appends its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ReportError;
use super::model::{Flaky, PastRun, RunReport, ScenarioReport, Status, Summary};

/// The folder under the report directory.
pub const DIR: &str = "history";

/// How many run records the folder keeps.
pub const KEEP: usize = 30;

/// How many runs (this one included) count for a scenario's history and flakiness.
pub const WINDOW: usize = 10;

/// Format version of a record; records of another version are ignored.
const VERSION: u32 = 1;

/// One run, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub version: u32,
    /// UTC start, as in [`RunReport::started_at`].
    pub started_at: String,
    pub target: String,
    pub duration_ms: u64,
    pub features: Vec<FeatureRecord>,
}

/// The scenarios of one feature file in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureRecord {
    /// The feature file, as the report names it (without a leading `./`).
    pub path: String,
    pub scenarios: Vec<ScenarioRecord>,
}

/// One scenario's outcome in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// The scenario's name (for an Examples row, with the row's values).
    pub name: String,
    /// `passed`, `failed`, `skipped` or `not applicable`.
    pub status: String,
    pub ms: u64,
    /// How many times it was retried in that run.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What identifies a scenario across runs: its feature file and its name. Lines move when a
/// feature is edited; names rarely do.
fn key(feature: &str, name: &str) -> (String, String) {
    (feature.trim_start_matches("./").to_owned(), name.to_owned())
}

fn status_of(word: &str) -> Option<Status> {
    [
        Status::Passed,
        Status::Failed,
        Status::Skipped,
        Status::NotApplicable,
    ]
    .into_iter()
    .find(|s| s.as_str() == word)
}

/// The record of `report`.
pub fn record(report: &RunReport) -> RunRecord {
    RunRecord {
        version: VERSION,
        started_at: report.started_at.clone(),
        target: report.target.clone(),
        duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
        features: report
            .features
            .iter()
            .map(|f| FeatureRecord {
                path: f.path.trim_start_matches("./").to_owned(),
                scenarios: f
                    .scenarios
                    .briefs()
                    .map(|s| ScenarioRecord {
                        name: s.name.to_owned(),
                        status: s.status.as_str().to_owned(),
                        ms: u64::try_from(s.duration.as_millis()).unwrap_or(u64::MAX),
                        retries: s.retries,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The records in `<dir>/history/`, oldest first (the tests' way to see them all).
#[cfg(test)]
pub(crate) fn load(report_dir: &Path) -> Vec<RunRecord> {
    records(record_files(report_dir)).collect()
}

/// The records in `files`, one read at a time: a run of a large suite keeps 30 of them. Files
/// that cannot be read or are not records of this version are skipped: history is a help,
/// never a reason to fail a run.
pub fn records(files: impl IntoIterator<Item = PathBuf>) -> impl Iterator<Item = RunRecord> {
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| serde_json::from_str::<RunRecord>(&text).ok())
        .filter(|r| r.version == VERSION)
}

/// The record files in `<dir>/history/`, oldest first (their names are their runs' starts).
pub fn record_files(report_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(report_dir.join(DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_record_file(p))
        .collect();
    files.sort();
    files
}

fn is_record_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("run-") && n.ends_with(".json"))
}

/// Fills each scenario's [`history`](super::ScenarioReport::history) from the `past` runs
/// against the same target (the last [`WINDOW`] − 1 of them, see [`Past::load`]), and marks it
/// [`Flaky::FlipsBetweenRuns`] when, over those runs and this one, its outcome changed between
/// passed and failed at least twice (passed, failed, passed, say). A single change is a
/// regression or a fix, not flakiness. A scenario that passed on retry stays
/// [`Flaky::PassedOnRetry`].
pub fn annotate(report: &mut RunReport, mut past: Past) {
    for feature in &mut report.features {
        // A run's scenarios on disk were given their history as the run ended (by their
        // summaries); one that cannot be read back fails when it is written
        // (`RunReport::read_back`).
        let Ok(scenarios) = feature.scenarios.in_memory() else {
            continue;
        };
        for scenario in scenarios {
            past.annotate(&feature.path, scenario);
        }
    }
}

/// The earlier runs that count for a run's scenarios, by scenario: [`annotate`] one scenario
/// at a time. The default has none.
#[derive(Default)]
pub struct Past {
    by_key: HashMap<(String, String), Vec<PastRun>>,
}

impl Past {
    /// The `past` runs (oldest first) against `target` that count for the run started at
    /// `started_at` (the tests' way to pick them from records in memory).
    #[cfg(test)]
    pub(crate) fn of(past: &[RunRecord], target: &str, started_at: &str) -> Self {
        Self::newest_first(past.iter().rev(), target, started_at)
    }

    /// The records in `<report_dir>/history/` against `target` that count for the run started
    /// at `started_at`, read newest first, one at a time, until enough of them count: a large
    /// suite's 30 records are never all held.
    pub fn load(report_dir: &Path, target: &str, started_at: &str) -> Self {
        let files = record_files(report_dir).into_iter().rev();
        Self::newest_first(records(files), target, started_at)
    }

    /// The first [`WINDOW`] − 1 of `runs` (newest first) against `target`, leaving out the run
    /// started at `started_at`; each scenario's runs oldest first.
    fn newest_first<R: std::borrow::Borrow<RunRecord>>(
        runs: impl Iterator<Item = R>,
        target: &str,
        started_at: &str,
    ) -> Self {
        let mut by_key: HashMap<(String, String), Vec<PastRun>> = HashMap::new();
        let mut counted = 0;
        for run in runs {
            if counted == WINDOW - 1 {
                break;
            }
            let run = run.borrow();
            if run.target != target || run.started_at == started_at {
                continue;
            }
            counted += 1;
            // Backwards, so that reversing every list at the end puts the runs oldest first
            // and a run's scenarios of the same name in their order.
            for (path, s) in run
                .features
                .iter()
                .rev()
                .flat_map(|f| f.scenarios.iter().rev().map(move |s| (&f.path, s)))
            {
                let Some(status) = status_of(&s.status) else {
                    continue;
                };
                by_key.entry(key(path, &s.name)).or_default().push(PastRun {
                    started_at: run.started_at.clone(),
                    status,
                    retried: s.retries > 0,
                });
            }
        }
        for runs in by_key.values_mut() {
            runs.reverse();
        }
        Past { by_key }
    }

    /// Fills `scenario`'s history (of the feature file at `feature`) and flakiness: see
    /// [`annotate`].
    pub fn annotate(&mut self, feature: &str, scenario: &mut ScenarioReport) {
        let (history, flaky) = self.take(feature, &scenario.name, scenario.status, scenario.flaky);
        scenario.history = history;
        scenario.flaky = flaky;
    }

    /// [`Past::annotate`] for a scenario kept on disk, by its summary.
    pub fn annotate_summary(&mut self, feature: &str, summary: &mut Summary) {
        let (history, flaky) = self.take(feature, &summary.name, summary.status, summary.flaky);
        summary.history = history;
        summary.flaky = flaky;
    }

    /// The history and flakiness of the scenario `name` of the feature file at `feature`,
    /// which ended `status` in this run and is `flaky` so far.
    fn take(
        &mut self,
        feature: &str,
        name: &str,
        status: Status,
        flaky: Option<Flaky>,
    ) -> (Vec<PastRun>, Option<Flaky>) {
        let history = self.by_key.remove(&key(feature, name)).unwrap_or_default();
        let outcomes = history
            .iter()
            .map(|p| p.status)
            .chain(std::iter::once(status))
            .filter(|s| matches!(s, Status::Passed | Status::Failed));
        let mut changes = 0;
        let mut previous = None;
        for outcome in outcomes {
            if previous.is_some_and(|p| p != outcome) {
                changes += 1;
            }
            previous = Some(outcome);
        }
        let flaky = match flaky {
            None if changes >= 2 => Some(Flaky::FlipsBetweenRuns),
            flaky => flaky,
        };
        (history, flaky)
    }
}

/// Writes the record of `report` into `<dir>/history/` (created if needed) and removes the
/// oldest records beyond [`KEEP`]. Returns the file written.
pub fn append(report: &RunReport, report_dir: &Path) -> Result<PathBuf, ReportError> {
    let dir = report_dir.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|source| ReportError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let stamp: String = report
        .started_at
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let stamp = if stamp.is_empty() {
        "unknown".to_owned()
    } else {
        stamp
    };
    let mut path = dir.join(format!("run-{stamp}.json"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("run-{stamp}-{n}.json"));
        n += 1;
    }
    let json = serde_json::to_string(&record(report)).unwrap_or_default();
    super::write_atomically(&path, json.as_bytes())?;
    prune(&dir);
    Ok(path)
}

/// Removes the oldest record files beyond [`KEEP`]; what cannot be removed stays.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_record_file(p))
        .collect();
    if files.len() <= KEEP {
        return;
    }
    files.sort();
    for old in &files[..files.len() - KEEP] {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// [`annotate`] from records in memory.
    fn annotate_records(report: &mut RunReport, records: &[RunRecord]) {
        let past = Past::of(records, &report.target, &report.started_at);
        annotate(report, past);
    }

    fn run(started_at: &str, statuses: &[(&str, Status)]) -> RunRecord {
        RunRecord {
            version: VERSION,
            started_at: started_at.to_owned(),
            target: "mock (embedded)".to_owned(),
            duration_ms: 1,
            features: vec![FeatureRecord {
                path: "features/onboarding/german_retail.feature".to_owned(),
                scenarios: statuses
                    .iter()
                    .map(|(name, status)| ScenarioRecord {
                        name: (*name).to_owned(),
                        status: status.as_str().to_owned(),
                        ms: 1,
                        retries: 0,
                    })
                    .collect(),
            }],
        }
    }

    const LONG: &str = sample::LONG_SCENARIO;

    #[test]
    fn a_scenario_that_flips_twice_is_flaky_and_one_change_is_not() {
        let mut report = sample::run_report();
        let failed = sample::FAILED_SCENARIO;
        // The long scenario: passed, failed, now passed → two changes.
        // The failed one: passed, passed, now failed → one change (a regression).
        let past = vec![
            run(
                "2025-01-13T10:00:00.000Z",
                &[(LONG, Status::Passed), (failed, Status::Passed)],
            ),
            run(
                "2025-01-14T10:00:00.000Z",
                &[(LONG, Status::Failed), (failed, Status::Passed)],
            ),
        ];

        annotate_records(&mut report, &past);

        let scenarios = &report.features[0].scenarios;
        assert_eq!(scenarios[2].flaky, Some(Flaky::FlipsBetweenRuns));
        assert_eq!(
            scenarios[2]
                .history
                .iter()
                .map(|p| p.status)
                .collect::<Vec<_>>(),
            [Status::Passed, Status::Failed]
        );
        assert_eq!(scenarios[1].flaky, None);
        assert_eq!(scenarios[1].history.len(), 2);
        // Passed on retry stays the reason, whatever the history says.
        assert_eq!(scenarios[0].flaky, Some(Flaky::PassedOnRetry));
        assert!(scenarios[0].history.is_empty());
        assert_eq!(report.counts().flaky, 2);
    }

    #[test]
    fn only_runs_against_the_same_target_and_the_last_window_count() {
        let mut report = sample::run_report();
        let mut other = run("2025-01-10T10:00:00.000Z", &[(LONG, Status::Failed)]);
        other.target = "https://api.solaris-sandbox.de".to_owned();
        let mut past = vec![other];
        for day in 0..20 {
            past.push(run(
                &format!("2025-02-{:02}T10:00:00.000Z", day + 1),
                &[(LONG, Status::Passed)],
            ));
        }

        annotate_records(&mut report, &past);

        let history = &report.features[0].scenarios[2].history;
        assert_eq!(history.len(), WINDOW - 1);
        assert_eq!(
            history.last().unwrap().started_at,
            "2025-02-20T10:00:00.000Z"
        );
        assert_eq!(report.features[0].scenarios[2].flaky, None);
    }

    #[test]
    fn records_round_trip_through_the_folder_and_the_oldest_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let mut report = sample::run_report();
        let first = append(&report, dir.path()).expect("appended");
        assert_eq!(
            first.file_name().unwrap().to_str().unwrap(),
            "run-20250115T100000123Z.json"
        );
        // The same start again does not overwrite.
        let second = append(&report, dir.path()).expect("appended");
        assert_ne!(first, second);

        let loaded = load(dir.path());
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[0], record(&report));
        assert_eq!(loaded[0].features[0].scenarios[0].retries, 1);
        assert_eq!(loaded[0].features[1].path, "features/payouts/sepa.feature");

        // Noise in the folder is ignored; the oldest go beyond KEEP.
        std::fs::write(dir.path().join(DIR).join("notes.txt"), "hello").unwrap();
        std::fs::write(dir.path().join(DIR).join("run-0.json"), "not json").unwrap();
        for i in 0..KEEP {
            report.started_at = format!("2026-01-01T00:00:{i:02}.000Z");
            append(&report, dir.path()).unwrap();
        }
        let files = std::fs::read_dir(dir.path().join(DIR)).unwrap().count();
        assert_eq!(files, KEEP + 1, "KEEP records and the unrelated file");
        assert!(dir.path().join(DIR).join("notes.txt").exists());
        assert_eq!(load(dir.path()).len(), KEEP);
    }

    #[test]
    fn reading_the_folder_newest_first_gives_the_history_of_all_its_records() {
        // More runs than count, two targets, the run itself among them, an unreadable file,
        // and a name twice in a run with different outcomes: the history read newest first,
        // one record at a time, is the one made of every record at once.
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(DIR);
        std::fs::create_dir_all(&folder).unwrap();
        let now = "2025-03-01T10:00:00.000Z";
        let statuses = [Status::Passed, Status::Failed, Status::Skipped];
        for day in 0..14 {
            let at = format!("2025-02-{:02}T10:00:00.000Z", day + 1);
            let mut record = run(
                &at,
                &[
                    (LONG, statuses[day % 3]),
                    (sample::FAILED_SCENARIO, statuses[(day + 1) % 2]),
                    (sample::FAILED_SCENARIO, statuses[day % 2]),
                ],
            );
            if day % 4 == 1 && day != 13 {
                record.target = "https://api.solaris-sandbox.de".to_owned();
            }
            if day == 13 {
                record.started_at = now.to_owned();
            }
            let name = format!("run-202502{:02}T100000000Z.json", day + 1);
            std::fs::write(folder.join(name), serde_json::to_string(&record).unwrap()).unwrap();
        }
        std::fs::write(folder.join("run-20250215T100000000Z.json"), "{ torn").unwrap();

        let target = "mock (embedded)";
        let annotated = |mut past: Past| -> Vec<(Vec<PastRun>, Option<Flaky>)> {
            let report = sample::run_report();
            report.features[0]
                .scenarios
                .iter()
                .map(|s| {
                    let mut s = s.into_owned();
                    s.flaky = None;
                    past.annotate("features/onboarding/german_retail.feature", &mut s);
                    (s.history, s.flaky)
                })
                .collect()
        };
        let all = annotated(Past::of(&load(dir.path()), target, now));
        let read = annotated(Past::load(dir.path(), target, now));
        assert_eq!(read, all);
        // The last WINDOW − 1 days against the mock (not the run's own), oldest first, the
        // twice-named scenario's two outcomes in their order within each.
        let days: Vec<usize> = (0..13).filter(|day| day % 4 != 1).collect();
        let days = &days[days.len() - (WINDOW - 1)..];
        let twice: Vec<(String, Status)> = days
            .iter()
            .flat_map(|&day| {
                let at = format!("2025-02-{:02}T10:00:00.000Z", day + 1);
                [
                    (at.clone(), statuses[(day + 1) % 2]),
                    (at, statuses[day % 2]),
                ]
            })
            .collect();
        let seen: Vec<(String, Status)> = all[1]
            .0
            .iter()
            .map(|p| (p.started_at.clone(), p.status))
            .collect();
        assert_eq!(seen, twice);
        assert_eq!(all[2].0.len(), WINDOW - 1);
    }

    #[test]
    fn a_missing_folder_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("nowhere")).is_empty());
    }
}
