//! Scenario reports kept on disk, one JSON line each, so that a run's memory does not grow
//! with its suite: the runner writes each scenario here when it finishes and keeps only where
//! it is; the report writers read them back one at a time.
//!
//! A spill file lives in the system's temporary folder and is removed when the last handle to
//! it goes (a killed run leaves it behind, named `solaris-conformance-spill-<pid>-<n>.ndjson`).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::sync::Arc;

use super::history;
use super::model::{FeatureReport, RunReport, ScenarioReport, Scenarios, Summary};
use crate::check::redact::Redactor;

/// Where one scenario's line is in a spill file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub offset: u64,
    pub len: u32,
}

/// A spill file being written.
pub struct SpillWriter {
    out: BufWriter<File>,
    path: Removed,
    offset: u64,
}

impl SpillWriter {
    /// A new, empty spill file in the system's temporary folder.
    pub fn create() -> io::Result<Self> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "solaris-conformance-spill-{}-{}.ndjson",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::create(&path).map_err(|e| at(&path, "create", e))?;
        Ok(SpillWriter {
            out: BufWriter::with_capacity(1 << 16, file),
            path: Removed(path),
            offset: 0,
        })
    }

    /// Appends `scenario` and says where it went.
    pub fn push(&mut self, scenario: &ScenarioReport) -> io::Result<Entry> {
        let mut line = serde_json::to_vec(scenario).map_err(io::Error::other)?;
        line.push(b'\n');
        self.out
            .write_all(&line)
            .map_err(|e| at(&self.path.0, "write", e))?;
        let entry = Entry {
            offset: self.offset,
            len: u32::try_from(line.len()).map_err(io::Error::other)?,
        };
        self.offset += line.len() as u64;
        Ok(entry)
    }

    /// Where the next scenario will go.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Everything written, ready to be read back.
    pub fn finish(mut self) -> io::Result<SpillFile> {
        self.out.flush().map_err(|e| at(&self.path.0, "write", e))?;
        Ok(SpillFile {
            path: self.path,
            failed: Mutex::new(None),
        })
    }
}

/// A finished spill file: scenarios are read back by [`Entry`], in any order.
#[derive(Debug)]
pub struct SpillFile {
    path: Removed,
    /// The first read that failed after the file was handed to the writers (see
    /// [`SpillFile::check`]).
    failed: Mutex<Option<String>>,
}

impl SpillFile {
    /// A reader for scenarios of this file.
    pub fn reader(&self) -> io::Result<SpillReader<'_>> {
        let file = File::open(&self.path.0).map_err(|e| at(&self.path.0, "open", e))?;
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

/// Reads scenarios back from a [`SpillFile`]; reading them in file order reads the file once.
pub struct SpillReader<'a> {
    spill: &'a SpillFile,
    input: BufReader<File>,
    position: u64,
    buffer: Vec<u8>,
}

impl SpillReader<'_> {
    /// The scenario at `entry`.
    pub fn read(&mut self, entry: Entry) -> io::Result<ScenarioReport> {
        let path = &self.spill.path.0;
        if entry.offset != self.position {
            self.input
                .seek(SeekFrom::Start(entry.offset))
                .map_err(|e| at(path, "read", e))?;
        }
        self.buffer.resize(entry.len as usize, 0);
        self.input
            .read_exact(&mut self.buffer)
            .map_err(|e| at(path, "read", e))?;
        self.position = entry.offset + u64::from(entry.len);
        serde_json::from_slice(&self.buffer).map_err(|e| at(path, "read", io::Error::other(e)))
    }
}

/// A run's scenario reports as they finish, each written to a spill file at once (held in
/// memory only when no spill file can be made), until [`Gathered::finish`] puts them into the
/// report in order.
pub struct Gathered {
    writer: Option<SpillWriter>,
    /// The spill file as it was when a write failed (the scenarios before it are there).
    finished: Option<io::Result<SpillFile>>,
    /// Per feature (by its index in the report), each scenario's line and where it is.
    pending: Vec<Vec<(usize, Pending)>>,
}

enum Pending {
    Spilled(Entry),
    Kept(Box<ScenarioReport>),
}

impl Default for Gathered {
    fn default() -> Self {
        Self::new()
    }
}

impl Gathered {
    pub fn new() -> Self {
        Gathered {
            writer: SpillWriter::create().ok(),
            finished: None,
            pending: Vec::new(),
        }
    }

    /// Keeps `scenario` of the report's feature number `feature`.
    pub fn push(&mut self, feature: usize, scenario: ScenarioReport) {
        if self.pending.len() <= feature {
            self.pending.resize_with(feature + 1, Vec::new);
        }
        let line = scenario.line;
        let kept = match self.writer.as_mut().map(|w| w.push(&scenario)) {
            Some(Ok(entry)) => Pending::Spilled(entry),
            Some(Err(_)) => {
                // What is already in the file stays readable; this scenario and the ones
                // after it are held in memory.
                self.finished = self.writer.take().map(SpillWriter::finish);
                Pending::Kept(Box::new(scenario))
            }
            None => Pending::Kept(Box::new(scenario)),
        };
        self.pending[feature].push((line, kept));
    }

    /// Puts the scenarios into `report` (whose features are the ones they were pushed for, in
    /// that order): features by path, scenarios by line, each redacted by `policy` (which has
    /// learnt the run's secrets) and given its history from `past`. They go into a new spill
    /// file in that order, and the writers read them back from it one at a time.
    pub fn finish(
        mut self,
        report: &mut RunReport,
        policy: &Redactor,
        past: &mut history::Past,
    ) -> io::Result<()> {
        let raw = match (self.writer.take(), self.finished.take()) {
            (Some(writer), _) => Some(writer.finish()?),
            (None, Some(finished)) => Some(finished?),
            (None, None) => None,
        };
        let mut reader = raw.as_ref().map(SpillFile::reader).transpose()?;
        let mut out = SpillWriter::create().ok();
        self.pending.resize_with(report.features.len(), Vec::new);
        let mut features: Vec<(FeatureReport, Vec<(usize, Pending)>)> =
            std::mem::take(&mut report.features)
                .into_iter()
                .zip(self.pending)
                .collect();
        features.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        let mut placed = Vec::with_capacity(features.len());
        let mut spilled = Vec::with_capacity(features.len());
        for (feature, mut pending) in features {
            pending.sort_by_key(|(line, _)| *line);
            let mut kept = Vec::new();
            let mut briefs = Vec::new();
            for (_, p) in pending {
                let mut scenario = match (p, reader.as_mut()) {
                    (Pending::Kept(s), _) => *s,
                    (Pending::Spilled(entry), Some(reader)) => reader.read(entry)?,
                    (Pending::Spilled(_), None) => {
                        return Err(io::Error::other("a spilled scenario has no spill file"));
                    }
                };
                super::redact_scenario(&mut scenario, policy);
                past.annotate(&feature.path, &mut scenario);
                match out.as_mut() {
                    Some(out) => briefs.push((Summary::of(&scenario), out.push(&scenario)?)),
                    None => kept.push(scenario),
                }
            }
            placed.push((feature, kept));
            spilled.push(briefs);
        }
        let file = out.map(SpillWriter::finish).transpose()?.map(Arc::new);
        for ((mut feature, kept), briefs) in placed.into_iter().zip(spilled) {
            feature.scenarios = match &file {
                Some(file) => Scenarios::spilled(Arc::clone(file), briefs),
                None => kept.into(),
            };
            report.features.push(feature);
        }
        Ok(())
    }
}

/// A path whose file is removed when this is dropped.
#[derive(Debug)]
struct Removed(PathBuf);

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn at(path: &Path, what: &str, e: io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!("{what} the scenario spill file `{}`: {e}", path.display()),
    )
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
            .map(std::borrow::Cow::into_owned)
            .collect();
        let mut writer = SpillWriter::create().unwrap();
        let entries: Vec<Entry> = scenarios.iter().map(|s| writer.push(s).unwrap()).collect();
        let spill = writer.finish().unwrap();
        let path = spill.path.0.clone();
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
}
