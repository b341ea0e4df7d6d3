//! Scenario reports kept on disk, one compact binary record each (postcard: reading one back
//! costs a fraction of parsing it as JSON), so that a run's memory does not grow with its
//! suite: once the run holds [`HELD`] bytes of them, each scenario that finishes is handed to a
//! thread that writes it here, and the run keeps only where it is and its summary. The file is
//! not written again when the run ends: its scenarios are read back one at a time, once for
//! all the report writers ([`super::feed`]), and redacted by the run's policy as they are.
//!
//! A spill file is a temporary file only its owner may read (its records hold bodies before
//! redaction), with a random name, removed when the last handle to it goes; a
//! killed run leaves it in the system's temporary folder as
//! `solaris-conformance-spill-*.bin`. Each scenario is written at once, unbuffered: when the
//! disk fills up, what was written stays readable and the rest is held in memory.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

use tempfile::NamedTempFile;

use super::history;
use super::model::{FeatureReport, RunReport, ScenarioReport, Scenarios, Stored, Summary};
use crate::check::redact::Redactor;

/// Where one scenario's record is in a spill file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub offset: u64,
    pub len: u32,
    /// Its place among the report's scenarios on disk, in report order (the order in which
    /// [`super::feed`] hands them out); as written, until the run puts them in report order.
    pub seq: u32,
}

/// A spill file being written.
pub struct SpillWriter {
    file: NamedTempFile,
    offset: u64,
    written: u32,
    line: Vec<u8>,
}

impl SpillWriter {
    /// A new, empty spill file in the system's temporary folder.
    pub fn create() -> io::Result<Self> {
        let file = tempfile::Builder::new()
            .prefix("solaris-conformance-spill-")
            .suffix(".bin")
            .tempfile()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "create a scenario spill file in `{}`: {e}",
                        std::env::temp_dir().display()
                    ),
                )
            })?;
        Ok(SpillWriter {
            file,
            offset: 0,
            written: 0,
            line: Vec::new(),
        })
    }

    /// Appends `scenario` and says where it went. After an error the file holds every
    /// scenario pushed before, readable; it is not written to again.
    pub fn push(&mut self, scenario: &ScenarioReport) -> io::Result<Entry> {
        self.line.clear();
        self.line = postcard::to_extend(scenario, std::mem::take(&mut self.line))
            .map_err(io::Error::other)?;
        let len = u32::try_from(self.line.len()).map_err(io::Error::other)?;
        self.file
            .as_file_mut()
            .write_all(&self.line)
            .map_err(|e| at(&self.file, "write", e))?;
        let entry = Entry {
            offset: self.offset,
            len,
            seq: self.written,
        };
        self.offset += u64::from(len);
        self.written += 1;
        Ok(entry)
    }

    /// Everything written, ready to be read back.
    pub fn finish(self) -> SpillFile {
        SpillFile {
            file: self.file,
            failed: Mutex::new(None),
            policy: None,
        }
    }
}

/// A finished spill file: scenarios are read back by [`Entry`], in any order.
#[derive(Debug)]
pub struct SpillFile {
    file: NamedTempFile,
    /// The first read that failed after the file was handed to the writers (see
    /// [`SpillFile::check`]).
    failed: Mutex<Option<String>>,
    /// What each scenario read back is redacted by: the run's secrets policy, which learns
    /// secrets until the run ends, after some scenarios were written here.
    policy: Option<Redactor>,
}

impl SpillFile {
    /// Each scenario read back by [`SpillFile::scenario`] is redacted by `policy`.
    fn redacted_by(mut self, policy: &Redactor) -> Self {
        self.policy = Some(policy.clone());
        self
    }

    /// The scenario at `entry` as the reports show it: redacted by the run's policy, with the
    /// history and flakiness of its `summary`.
    pub fn scenario(
        &self,
        reader: &mut SpillReader<'_>,
        summary: &Summary,
        entry: Entry,
    ) -> io::Result<ScenarioReport> {
        let mut scenario = reader.read(entry)?;
        if let Some(policy) = &self.policy {
            super::redact_scenario(&mut scenario, policy);
        }
        scenario.history.clone_from(&summary.history);
        scenario.flaky = summary.flaky;
        Ok(scenario)
    }

    /// A reader for scenarios of this file.
    pub fn reader(&self) -> io::Result<SpillReader<'_>> {
        let file = self.file.reopen().map_err(|e| at(&self.file, "open", e))?;
        Ok(SpillReader {
            spill: self,
            input: BufReader::with_capacity(1 << 16, file),
            position: 0,
            buffer: Vec::new(),
        })
    }

    /// Notes a failed read for [`SpillFile::check`]: writers that cannot return an error mid
    /// stream end their stream early and the report is refused before it is put in place.
    pub fn fail(&self, error: &io::Error) {
        let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        failed.get_or_insert_with(|| error.to_string());
    }

    /// `Err` when a read of this file failed.
    pub fn check(&self) -> io::Result<()> {
        match &*self.failed.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(error) => Err(io::Error::other(error.clone())),
            None => Ok(()),
        }
    }
}

/// Reads scenarios back from a [`SpillFile`]; reading them in file order reads the file once,
/// and nearly in order (as a run's scenarios finish) nearly once.
pub struct SpillReader<'a> {
    spill: &'a SpillFile,
    input: BufReader<File>,
    position: u64,
    buffer: Vec<u8>,
}

impl SpillReader<'_> {
    /// The scenario at `entry`.
    pub fn read(&mut self, entry: Entry) -> io::Result<ScenarioReport> {
        let file = &self.spill.file;
        if entry.offset != self.position {
            // Within what is buffered, the buffer is kept.
            let by = i64::try_from(entry.offset).map_err(io::Error::other)?
                - i64::try_from(self.position).map_err(io::Error::other)?;
            self.input
                .seek_relative(by)
                .map_err(|e| at(file, "read", e))?;
        }
        self.buffer.resize(entry.len as usize, 0);
        self.input
            .read_exact(&mut self.buffer)
            .map_err(|e| at(file, "read", e))?;
        self.position = entry.offset + u64::from(entry.len);
        postcard::from_bytes(&self.buffer).map_err(|e| at(file, "read", io::Error::other(e)))
    }
}

/// How many bytes of finished scenarios' records (as [`weight`] estimates them) a run holds in
/// memory before it writes the rest to a spill file: about 100 passing onboarding journeys
/// (each weighs nearly 10 KB), so that a small suite never touches the disk and a large one
/// holds no more than a small one. The ones held stay in memory until the reports are written.
/// A spilled one is read back once for every writer ([`super::feed`]) and redacted then: with
/// every scenario spilled, 1,000 journeys take 2% more instructions than holding them all
/// (callgrind, December 2026: 3.75 G against 3.67 G). Until December 2026 every writer read
/// each one back itself, and the end of the run read and wrote each one again, which cost 10%:
/// a run held 8 MB (about 850 journeys) to spare most of that, and its memory grew with the
/// suite up to there.
pub const HELD: usize = 1 << 20;

/// A run's scenario reports as they finish: [`HELD`] bytes of them in memory, the ones after
/// that each handed to a thread that writes them to a spill file (held in memory too when no
/// spill file can be made or written), until [`Gathered::finish`] puts them into the report in
/// order: the held ones where they are, the spilled ones where they were written.
pub struct Gathered {
    /// How many more are held before spilling starts.
    room: usize,
    spiller: Option<Spiller>,
    /// Per feature (by its index in the report), where each scenario is.
    pending: Vec<Vec<Pending>>,
    /// The tags of the last summary, which the next one shares when its tags are the same.
    tags: Option<Arc<[String]>>,
}

enum Pending {
    /// The n-th handed to the spiller, and what the reports need of it without reading it
    /// back.
    Spilled(usize, Box<Summary>),
    Kept(Box<ScenarioReport>),
}

/// Where the spiller put each scenario it was handed (in that order): an entry of its file, or
/// the scenario itself when the file could not be written (it and the ones after it).
type Spilled = Vec<Result<Entry, Box<ScenarioReport>>>;

/// The thread that writes spilled scenarios, so that the thread driving the run does not: a
/// large run's spilling was about 2% of that thread's time, which is the run's bottleneck.
struct Spiller {
    send: std::sync::mpsc::SyncSender<Box<ScenarioReport>>,
    thread: std::thread::JoinHandle<(SpillFile, Spilled)>,
    handed: usize,
}

impl Spiller {
    /// Up to this many scenarios wait for the thread (about 9 KB each).
    const WAITING: usize = 64;

    /// A thread writing into `writer`; `None` when no thread can be started.
    fn start(mut writer: SpillWriter) -> Option<Self> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Box<ScenarioReport>>(Self::WAITING);
        let thread = std::thread::Builder::new()
            .name("spill".into())
            .spawn(move || {
                let mut spilled: Spilled = Vec::new();
                let mut failed = false;
                for scenario in receive {
                    // After a failed write the file is not written to again; what is in it
                    // stays readable.
                    // A write that panics (a bug) counts as a failed one: the scenarios are kept
                    // in memory rather than lost with the thread.
                    let placed = match failed {
                        false => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            writer.push(&scenario)
                        }))
                        .map_or(Err(()), |written| written.map_err(|_| ()))
                        .map_err(|()| failed = true),
                        true => Err(()),
                    };
                    spilled.push(placed.map_err(|()| scenario));
                }
                (writer.finish(), spilled)
            })
            .ok()?;
        Some(Spiller {
            send,
            thread,
            handed: 0,
        })
    }

    /// Hands `scenario` over and says which it was; gives it back if the thread is gone.
    fn hand(&mut self, scenario: Box<ScenarioReport>) -> Result<usize, Box<ScenarioReport>> {
        self.send.send(scenario).map_err(|e| e.0)?;
        self.handed += 1;
        Ok(self.handed - 1)
    }

    /// Waits for the thread to write what it was handed.
    fn finish(self) -> io::Result<(SpillFile, Spilled)> {
        drop(self.send);
        self.thread
            .join()
            .map_err(|_| io::Error::other("the thread writing the spill file stopped unexpectedly"))
    }
}

impl Default for Gathered {
    fn default() -> Self {
        Self::new()
    }
}

impl Gathered {
    /// Nothing gathered yet; [`HELD`] bytes of scenarios are held in memory, the rest spilled.
    pub fn new() -> Self {
        Self::holding(HELD)
    }

    /// Nothing gathered yet; `held` bytes of scenarios (as [`weight`] estimates them) are held
    /// in memory, the rest spilled.
    pub fn holding(held: usize) -> Self {
        Gathered {
            room: held,
            spiller: None,
            pending: Vec::new(),
            tags: None,
        }
    }

    /// Keeps `scenario` of the report's feature number `feature`.
    pub fn push(&mut self, feature: usize, scenario: ScenarioReport) {
        if self.pending.len() <= feature {
            self.pending.resize_with(feature + 1, Vec::new);
        }
        let weight = weight(&scenario);
        if weight <= self.room {
            self.room -= weight;
            self.pending[feature].push(Pending::Kept(Box::new(scenario)));
            return;
        }
        self.room = 0;
        if self.spiller.is_none() {
            // The first to spill; without a spill file (or a thread to write it), every
            // scenario stays in memory.
            self.spiller = SpillWriter::create().ok().and_then(Spiller::start);
            if self.spiller.is_none() {
                self.room = usize::MAX;
            }
        }
        let summary = Box::new(Summary::sharing(&scenario, &mut self.tags));
        let kept = match self.spiller.as_mut() {
            Some(spiller) => match spiller.hand(Box::new(scenario)) {
                Ok(n) => Pending::Spilled(n, summary),
                Err(scenario) => Pending::Kept(scenario),
            },
            None => Pending::Kept(Box::new(scenario)),
        };
        self.pending[feature].push(kept);
    }

    /// Puts the scenarios into `report` (whose features are the ones they were pushed for, in
    /// that order): features by path, scenarios by line, each redacted by `policy` (which has
    /// learnt the run's secrets) and given its history from `past`. The held ones are redacted
    /// here and stay in memory. The spilled ones stay where they were written during the run,
    /// and are redacted as they are read back: here only their summaries are, so that nothing
    /// is read back and written again.
    ///
    /// `Err` only when the thread writing them stopped without saying where they are.
    pub fn finish(
        mut self,
        report: &mut RunReport,
        policy: &Redactor,
        past: &mut history::Past,
    ) -> io::Result<()> {
        let (file, spilled) = match self.spiller.take() {
            Some(spiller) => {
                let (file, spilled) = spiller.finish()?;
                (Some(Arc::new(file.redacted_by(policy))), spilled)
            }
            None => (None, Vec::new()),
        };
        let mut spilled: Vec<Option<_>> = spilled.into_iter().map(Some).collect();
        // Where each one is: held in memory (during the run, or because the spill file could
        // not take it), or on disk. Each feature's list is made at its size: it is kept for as
        // long as the report (a large feature's list was 1 MB with room to grow into).
        let mut stored: Vec<Vec<Stored>> = Vec::with_capacity(self.pending.len());
        for pending in self.pending {
            let mut places = Vec::with_capacity(pending.len());
            for p in pending {
                places.push(match p {
                    Pending::Kept(scenario) => Stored::Held(scenario),
                    Pending::Spilled(n, summary) => match spilled.get_mut(n).and_then(Option::take)
                    {
                        Some(Ok(entry)) => Stored::OnDisk(*summary, entry),
                        Some(Err(scenario)) => Stored::Held(scenario),
                        None => {
                            return Err(io::Error::other(
                                "a spilled scenario has no place in the spill file",
                            ));
                        }
                    },
                });
            }
            stored.push(places);
        }
        drop(spilled);
        let mut held: Vec<&mut ScenarioReport> = stored
            .iter_mut()
            .flatten()
            .filter_map(|s| match s {
                Stored::Held(scenario) => Some(&mut **scenario),
                Stored::OnDisk(..) => None,
            })
            .collect();
        redact_on_two_threads(&mut held, policy);
        stored.resize_with(report.features.len(), Vec::new);
        let mut features: Vec<(FeatureReport, Vec<Stored>)> = std::mem::take(&mut report.features)
            .into_iter()
            .zip(stored)
            .collect();
        features.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        // The spilled ones are numbered in report order, the order the feed hands them out.
        let mut seq = 0;
        for (mut feature, mut stored) in features {
            stored.sort_by_key(Stored::line);
            for s in &mut stored {
                match s {
                    Stored::Held(scenario) => past.annotate(&feature.path, scenario),
                    Stored::OnDisk(summary, entry) => {
                        entry.seq = seq;
                        seq += 1;
                        super::redact_summary(summary, policy);
                        past.annotate_summary(&feature.path, summary);
                    }
                }
            }
            feature.scenarios = Scenarios::stored(file.as_ref(), stored);
            report.features.push(feature);
        }
        Ok(())
    }
}

/// Redacts `scenarios` by `policy` on two threads: redaction of what a run held was most of
/// putting its scenarios in order, which nothing else runs beside.
fn redact_on_two_threads(scenarios: &mut [&mut ScenarioReport], policy: &Redactor) {
    let redact = |half: &mut [&mut ScenarioReport]| {
        for scenario in half {
            super::redact_scenario(scenario, policy);
        }
    };
    let middle = scenarios.len() / 2;
    let (first, second) = scenarios.split_at_mut(middle);
    let first_done = std::thread::scope(|scope| {
        let beside = std::thread::Builder::new()
            .name("redact".into())
            .spawn_scoped(scope, || redact(first));
        redact(second);
        // A panic there is a bug, raised here as it would have been on this thread.
        beside
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            })
            .is_ok()
    });
    if !first_done {
        // No thread could be started: this one does the rest.
        redact(first);
    }
}

/// About how many bytes `scenario`'s record takes (in memory and as a spill line): its texts
/// and bodies, and a fixed share per step, exchange and attempt.
pub fn weight(scenario: &ScenarioReport) -> usize {
    fn steps(steps: &[super::StepReport]) -> usize {
        steps
            .iter()
            .map(|s| {
                200 + s.keyword.len()
                    + s.text.len()
                    + s.error.as_ref().map_or(0, String::len)
                    + s.docstring.as_ref().map_or(0, String::len)
                    + s.table
                        .iter()
                        .flatten()
                        .flatten()
                        .map(|c| c.len() + 24)
                        .sum::<usize>()
                    + s.matches
                        .iter()
                        .flat_map(|m| &m.arguments)
                        .map(|a| a.value.len() + 48)
                        .sum::<usize>()
            })
            .sum()
    }
    fn exchanges(exchanges: &[super::Exchange]) -> usize {
        exchanges
            .iter()
            .map(|e| {
                200 + e.method.len()
                    + e.url.len()
                    + e.request_body.as_ref().map_or(0, String::len)
                    + e.response_body.as_ref().map_or(0, String::len)
                    + e.request_headers
                        .iter()
                        .chain(&e.response_headers)
                        .map(|(n, v)| n.len() + v.len() + 48)
                        .sum::<usize>()
            })
            .sum()
    }
    let attempts: usize = scenario
        .retried
        .iter()
        .map(|a| 100 + steps(&a.steps) + exchanges(&a.exchanges))
        .sum();
    300 + scenario.name.len()
        + scenario.tags.iter().map(|t| t.len() + 24).sum::<usize>()
        + steps(&scenario.steps)
        + exchanges(&scenario.exchanges)
        + attempts
}

fn at(file: &NamedTempFile, what: &str, e: io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!(
            "{what} the scenario spill file `{}`: {e}",
            file.path().display()
        ),
    )
}

/// `report`'s scenarios gathered with nothing held, so that every one is spilled, and put in
/// order by `policy` and `past`: the report they end in (for tests).
#[cfg(test)]
pub(crate) fn spill_all(
    report: &RunReport,
    policy: &Redactor,
    past: &mut history::Past,
) -> RunReport {
    let mut spilled = report.clone();
    for feature in &mut spilled.features {
        feature.scenarios = Vec::new().into();
    }
    let mut gathered = Gathered::holding(0);
    for (i, feature) in report.features.iter().enumerate() {
        for scenario in feature.scenarios.iter() {
            gathered.push(i, scenario.into_owned());
        }
    }
    gathered
        .finish(&mut spilled, policy, past)
        .expect("the spill file is read back");
    spilled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn scenarios_come_back_as_they_went_in_in_any_order_and_the_file_goes_with_the_last_handle() {
        let report = sample::run_report();
        let scenarios: Vec<ScenarioReport> = report
            .features
            .iter()
            .flat_map(|f| f.scenarios.iter())
            .map(crate::report::model::Seen::into_owned)
            .collect();
        let mut writer = SpillWriter::create().unwrap();
        let entries: Vec<Entry> = scenarios.iter().map(|s| writer.push(s).unwrap()).collect();
        let spill = writer.finish();
        let path = spill.file.path().to_path_buf();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only its owner reads it: {mode:o}");
        }
        let mut reader = spill.reader().unwrap();
        for &i in &[2, 0, 4, 1, 3] {
            let back = reader.read(entries[i]).unwrap();
            assert_eq!(
                serde_json::to_string(&back).unwrap(),
                serde_json::to_string(&scenarios[i]).unwrap()
            );
        }
        let bad = Entry {
            offset: entries[4].offset + 3,
            len: entries[4].len,
            seq: entries[4].seq,
        };
        let error = reader.read(bad).unwrap_err().to_string();
        assert!(error.contains("read the scenario spill file"), "{error}");
        spill.fail(&io::Error::other(error));
        assert!(spill.check().is_err());
        drop(reader);
        assert!(path.exists());
        drop(spill);
        assert!(!path.exists());
    }

    /// The sample run's scenarios, each with a secret in its first step, gathered holding
    /// `held` bytes (last first when `reversed`, as a concurrent run may finish them) and put
    /// in order by a policy that knows the secret: the report they end in, and the sample.
    fn gathered_with_a_secret(held: usize, reversed: bool) -> (RunReport, RunReport) {
        let report = sample::run_report();
        let mut skeleton = report.clone();
        for feature in &mut skeleton.features {
            feature.scenarios = Vec::new().into();
        }
        let mut scenarios: Vec<(usize, ScenarioReport)> = report
            .features
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.scenarios.iter().map(move |s| (i, s.into_owned())))
            .collect();
        if reversed {
            scenarios.reverse();
        }
        let mut gathered = Gathered::holding(held);
        for (i, mut scenario) in scenarios {
            scenario.steps[0].text.push_str(" with s3cr3t-token");
            gathered.push(i, scenario);
        }
        let policy = Redactor::new(["s3cr3t-token"], Vec::new());
        let mut past = history::Past::default();
        gathered.finish(&mut skeleton, &policy, &mut past).unwrap();
        (skeleton, report)
    }

    #[test]
    fn spilled_scenarios_are_redacted_and_given_their_history_as_they_are_read_back() {
        // A secret in every name, learnt by the policy only when the run ends; two earlier
        // runs in which every scenario passed, then failed.
        let policy = Redactor::new(["s3cr3t-token"], Vec::new());
        let report = sample::run_report();
        let mut named = report.clone();
        for feature in &mut named.features {
            for scenario in feature.scenarios.in_memory().unwrap() {
                scenario.name.push_str(" s3cr3t-token");
            }
        }
        let mut expected = crate::report::redact(named.clone(), &policy);
        expected.sort();
        let records: Vec<history::RunRecord> = ["passed", "failed"]
            .into_iter()
            .enumerate()
            .map(|(day, status)| {
                let mut record = history::record(&expected);
                record.started_at = format!("2026-01-0{}T00:00:00.000Z", day + 1);
                for scenario in record.features.iter_mut().flat_map(|f| &mut f.scenarios) {
                    scenario.status = status.to_owned();
                }
                record
            })
            .collect();
        // The same scenarios in memory, annotated by the run's history as a report read back
        // from run.json is.
        let past = history::Past::of(&records, &expected.target, &expected.started_at);
        history::annotate(&mut expected, past);

        let mut past = history::Past::of(&records, &named.target, &named.started_at);
        let skeleton = spill_all(&named, &policy, &mut past);

        let mut flips = 0;
        for (got, want) in skeleton.features.iter().zip(&expected.features) {
            assert!(got.scenarios.on_disk());
            let briefs = |f: &FeatureReport| -> Vec<(String, Option<super::super::Flaky>)> {
                f.scenarios
                    .briefs()
                    .map(|b| (b.name.to_owned(), b.flaky))
                    .collect()
            };
            assert_eq!(briefs(got), briefs(want));
            let read: Vec<_> = got.scenarios.iter().collect();
            assert_eq!(read.len(), want.scenarios.len());
            for (got, want) in read.iter().zip(want.scenarios.iter()) {
                assert!(got.name.ends_with(" [redacted]"), "{}", got.name);
                assert_eq!(got.history.len(), 2);
                flips += usize::from(got.flaky == Some(super::super::Flaky::FlipsBetweenRuns));
                assert_eq!(
                    serde_json::to_string(&**got).unwrap(),
                    serde_json::to_string(&*want).unwrap()
                );
            }
        }
        assert!(flips > 0, "some passed again: they flip");
        skeleton.read_back().unwrap();
    }

    #[test]
    fn gathered_scenarios_come_out_by_path_and_line_redacted_and_on_disk() {
        // Pushed last first; nothing held in memory.
        let (skeleton, report) = gathered_with_a_secret(0, true);

        let mut expected = report;
        expected.sort();
        let lines = |r: &RunReport| -> Vec<(String, usize)> {
            r.features
                .iter()
                .flat_map(|f| f.scenarios.briefs().map(|b| (f.path.clone(), b.line)))
                .collect()
        };
        assert_eq!(lines(&skeleton), lines(&expected));
        for feature in &skeleton.features {
            assert!(feature.scenarios.on_disk());
            for scenario in feature.scenarios.iter() {
                assert!(scenario.steps[0].text.ends_with(" with [redacted]"));
            }
        }
        skeleton.read_back().unwrap();
    }

    #[test]
    fn waiting_summaries_with_the_same_tags_share_one_list() {
        let mut gathered = Gathered::holding(0);
        let base = sample::run_report().features[0]
            .scenarios
            .iter()
            .next()
            .unwrap()
            .into_owned();
        for (line, tags) in [(10, ["@a", "@b"]), (11, ["@a", "@b"]), (12, ["@a", "@c"])] {
            let mut scenario = base.clone();
            scenario.line = line;
            scenario.tags = tags.iter().map(|t| (*t).to_owned()).collect();
            gathered.push(0, scenario);
        }
        let tags: Vec<&Arc<[String]>> = gathered.pending[0]
            .iter()
            .map(|p| match p {
                Pending::Spilled(_, summary) => &summary.tags,
                Pending::Kept(_) => panic!("nothing is held"),
            })
            .collect();
        assert_eq!(**tags[0], ["@a", "@b"]);
        assert!(Arc::ptr_eq(tags[0], tags[1]));
        assert_eq!(**tags[2], ["@a", "@c"]);
        assert!(!Arc::ptr_eq(tags[1], tags[2]));
    }

    #[test]
    fn a_suite_within_what_is_held_stays_in_memory() {
        let report = sample::run_report();
        let mut skeleton = report.clone();
        let mut gathered = Gathered::new();
        for (i, feature) in report.features.iter().enumerate() {
            skeleton.features[i].scenarios = Vec::new().into();
            for scenario in feature.scenarios.iter() {
                gathered.push(i, scenario.into_owned());
            }
        }
        let policy = Redactor::new(Vec::<String>::new(), Vec::new());
        let mut past = history::Past::default();
        gathered.finish(&mut skeleton, &policy, &mut past).unwrap();
        assert!(skeleton.features.iter().all(|f| !f.scenarios.on_disk()));
        assert_eq!(skeleton.counts(), report.counts());
    }

    #[test]
    fn held_scenarios_are_redacted_like_spilled_ones() {
        // Held ones are redacted on two threads, the rest as they are read back: every one,
        // with a secret in its first step, comes out without it.
        for held in [usize::MAX, 20_000, 0] {
            let (skeleton, report) = gathered_with_a_secret(held, false);
            let mut seen = 0;
            for feature in &skeleton.features {
                for scenario in feature.scenarios.iter() {
                    assert!(
                        scenario.steps[0].text.ends_with(" with [redacted]"),
                        "{held}"
                    );
                    seen += 1;
                }
            }
            assert_eq!(seen, report.counts().total(), "{held}");
        }
    }

    #[test]
    fn scenarios_held_during_the_run_stay_in_memory_beside_the_spilled_ones_in_line_order() {
        // Room for the first scenario pushed only: its feature then has one scenario in
        // memory and the others on disk, and reads as the whole sample, redacted, in order.
        let first = &sample::run_report().features[0].scenarios[0];
        let room = weight(first) + 64;
        let (skeleton, report) = gathered_with_a_secret(room, false);
        let policy = Redactor::new(["s3cr3t-token"], Vec::new());
        let mut expected = report;
        expected.sort();
        let mut held = 0;
        let mut read_back = 0;
        for (feature, want) in skeleton.features.iter().zip(&expected.features) {
            let got: Vec<_> = feature.scenarios.iter().collect();
            assert_eq!(got.len(), want.scenarios.len(), "{}", feature.path);
            for (got, want) in got.iter().zip(want.scenarios.iter()) {
                match got.held() {
                    true => held += 1,
                    false => read_back += 1,
                }
                // As the run gathered it: the secret in its first step, redacted by the
                // run's policy, with no earlier runs.
                let mut want = want.into_owned();
                want.steps[0].text.push_str(" with s3cr3t-token");
                crate::report::redact_scenario(&mut want, &policy);
                want.history = Vec::new();
                assert_eq!(
                    serde_json::to_string(&**got).unwrap(),
                    serde_json::to_string(&want).unwrap()
                );
            }
        }
        assert_eq!(held, 1, "only the first fits in what is held");
        assert!(read_back > 1);
        // The first pushed is the first of the German feature: it is held there, beside the
        // feature's other scenarios on disk.
        let german = skeleton
            .features
            .iter()
            .find(|f| f.path.ends_with("german_retail.feature"))
            .unwrap();
        assert!(german.scenarios.on_disk());
        let borrowed = german
            .scenarios
            .iter()
            .filter(crate::report::model::Seen::held)
            .count();
        assert_eq!((borrowed, german.scenarios.len() > 1), (1, true));
        // A run done with its reports lets go of the file and keeps the held one.
        let mut done = german.scenarios.clone();
        done.let_go_of_disk();
        assert!(!done.on_disk());
        let names: Vec<String> = done.iter().map(|s| s.name.clone()).collect();
        assert_eq!(names, std::slice::from_ref(&first.name));
        assert_eq!(skeleton.counts(), expected.counts());
        skeleton.read_back().unwrap();
    }

    #[test]
    fn a_scenario_weighs_about_what_its_spilled_line_takes() {
        for feature in &sample::run_report().features {
            for scenario in feature.scenarios.iter() {
                let line = serde_json::to_vec(&*scenario).unwrap().len();
                let weight = weight(&scenario);
                assert!(
                    weight >= line / 2 && weight <= line * 2,
                    "{}: weight {weight}, line {line}",
                    scenario.name
                );
            }
        }
    }
}
