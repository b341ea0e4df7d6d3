//! Report writers: they turn one run's [`RunReport`] into what people and CI read.
//!
//! [`console`] renders the progress lines, the summary tables and the compiler-like failure
//! blocks; [`junit`] writes JUnit XML valid against the Jenkins xUnit `junit-10.xsd`.
//! [`write_all`] writes every file report into one directory.

pub mod console;
pub mod junit;
pub mod model;

#[cfg(test)]
mod sample;

use std::io;
use std::path::{Path, PathBuf};

pub use model::{Counts, Exchange, FeatureReport, RunReport, ScenarioReport, Status, StepReport};

/// Why a report could not be written. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("create the report directory `{}`", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("write the report `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("move the report `{}` into place at `{}`", from.display(), to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Creates `dir` if needed and writes every file report into it (today: `junit.xml`).
///
/// Returns the paths written, in the order they were written.
pub fn write_all(report: &RunReport, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;

    let junit_path = dir.join("junit.xml");
    junit::write(report, &junit_path)?;

    Ok(vec![junit_path])
}

/// A human duration: whole milliseconds under a second, seconds with two decimals above.
pub(crate) fn human_duration(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// A step as the feature file reads it: `Then the person is created`.
///
/// Keywords may arrive with their trailing space (`"Then "`), so it is trimmed first.
pub(crate) fn step_title(step: &StepReport) -> String {
    format!("{} {}", step.keyword.trim(), step.text)
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "solaris-report-{name}-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos()
            ));
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The shared JUnit schema: beside the repository in the workspace layout, or at its
    /// fixed place on the build machine (which also serves scratch crates elsewhere).
    fn junit_xsd() -> Option<PathBuf> {
        [
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/junit/junit-10.xsd"),
            PathBuf::from("/work/shared/junit/junit-10.xsd"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    }

    fn xmllint_available() -> bool {
        Command::new("xmllint")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn human_duration_switches_to_seconds_at_one_second() {
        assert_eq!(human_duration(Duration::ZERO), "0 ms");
        assert_eq!(human_duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(human_duration(Duration::from_millis(999)), "999 ms");
        assert_eq!(human_duration(Duration::from_millis(1000)), "1.00 s");
        assert_eq!(human_duration(Duration::from_millis(3404)), "3.40 s");
    }

    #[test]
    fn write_all_creates_the_directory_and_writes_junit() {
        let tmp = TempDir::new("write-all");
        let dir = tmp.0.join("nested/reports");
        let report = sample::run_report();

        let written = write_all(&report, &dir).expect("reports are written");

        assert_eq!(written, vec![dir.join("junit.xml")]);
        let on_disk = std::fs::read_to_string(&written[0]).expect("junit.xml is readable");
        assert_eq!(on_disk, junit::to_xml(&report));
        assert!(
            !dir.join("junit.xml.tmp").exists(),
            "the temporary file is renamed away"
        );
    }

    #[test]
    fn write_all_reports_the_directory_it_could_not_create() {
        let tmp = TempDir::new("not-a-dir");
        std::fs::create_dir_all(&tmp.0).unwrap();
        let file = tmp.0.join("a-file");
        std::fs::write(&file, "").unwrap();

        let err = write_all(&sample::run_report(), &file.join("reports")).unwrap_err();

        assert!(matches!(err, ReportError::CreateDir { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "create the report directory `{}`",
                file.join("reports").display()
            )
        );
    }

    /// Writes `report` with [`write_all`] and validates the XML with `xmllint` against
    /// `junit-10.xsd`. Skips, with a note, only when xmllint or the schema is missing.
    fn assert_validates(report: &RunReport, name: &str) {
        if !xmllint_available() {
            eprintln!("note: xmllint is not on PATH; skipping the JUnit schema validation");
            return;
        }
        let Some(xsd) = junit_xsd() else {
            eprintln!("note: junit-10.xsd not found; skipping the JUnit schema validation");
            return;
        };
        let tmp = TempDir::new(name);
        let written = write_all(report, &tmp.0).expect("reports are written");

        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&written[0])
            .output()
            .expect("xmllint runs");

        assert!(
            out.status.success(),
            "xmllint refused {} ({}): {}{}",
            written[0].display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn junit_xml_validates_against_junit_10_xsd() {
        assert_validates(&sample::run_report(), "xsd");
    }

    #[test]
    fn an_empty_run_still_validates() {
        assert_validates(&RunReport::default(), "xsd-empty");
    }
}
