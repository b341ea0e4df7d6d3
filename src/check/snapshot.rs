//! Response snapshots in insta's `.snap` file format, so `cargo insta review` can accept them.
//!
//! `Then the response matches the snapshot "NAME"` compares the redacted response with
//! `<feature file's directory>/snapshots/NAME.snap`. [`check_snapshot`] is the entry point;
//! [`SnapshotMode`] says whether a missing or different snapshot may be written.
//!
//! The file is what insta writes: a YAML header (`source`, `expression`) between `---` lines,
//! then the pretty-printed JSON and a newline. Contents are compared the way insta compares
//! them: the header is ignored and trailing whitespace and CRLF line ends are normalised.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use super::redact::redact_volatile;

/// Lines of unchanged context around each change in a diff.
const DIFF_CONTEXT: usize = 2;
/// Diff lines shown before the rest is summarised.
const MAX_DIFF_LINES: usize = 60;
/// Above this many cells the diff skips the line alignment and shows a block replace.
const MAX_DIFF_CELLS: usize = 1_000_000;

/// What a check may write when the snapshot is missing or different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Never write anything: a missing or different snapshot fails (`CI=true`, `INSTA_UPDATE=no`).
    Ci,
    /// Write `NAME.snap.new` beside the snapshot and fail, for `cargo insta review` (the default).
    New,
    /// Write `NAME.snap` and pass (`INSTA_UPDATE=always`, `--update-snapshots`).
    Always,
}

impl SnapshotMode {
    /// The mode the environment asks for, with insta's variables: `INSTA_UPDATE=always` (or
    /// `1`, `force`) → [`Always`](Self::Always); `INSTA_UPDATE=no`, or `CI` set to `true` or
    /// `1` (any case) → [`Ci`](Self::Ci); otherwise [`New`](Self::New). A caller that offers
    /// `--update-snapshots` passes [`Always`](Self::Always) instead.
    pub fn from_env() -> SnapshotMode {
        let insta_update = std::env::var("INSTA_UPDATE").ok();
        let ci = std::env::var("CI").ok();
        SnapshotMode::from_vars(insta_update.as_deref(), ci.as_deref())
    }

    /// [`from_env`](Self::from_env) over given values of `INSTA_UPDATE` and `CI`.
    pub fn from_vars(insta_update: Option<&str>, ci: Option<&str>) -> SnapshotMode {
        let update = insta_update.map(|v| v.trim().to_ascii_lowercase());
        let ci = ci.is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("true") || v == "1"
        });
        match update.as_deref() {
            Some("always" | "1" | "force") => SnapshotMode::Always,
            Some("no") => SnapshotMode::Ci,
            _ if ci => SnapshotMode::Ci,
            _ => SnapshotMode::New,
        }
    }
}

/// How a passing snapshot check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// The snapshot exists and matches.
    Matched {
        /// The `.snap` file.
        path: PathBuf,
    },
    /// The snapshot was missing and has been written ([`SnapshotMode::Always`]).
    Created {
        /// The `.snap` file.
        path: PathBuf,
    },
    /// The snapshot differed and has been rewritten ([`SnapshotMode::Always`]).
    Updated {
        /// The `.snap` file.
        path: PathBuf,
    },
}

/// A snapshot check that failed.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotFailure {
    /// The snapshot name would not make a plain file name.
    #[error("snapshot name {name:?} is not allowed: use only letters, digits, `_` and `-`")]
    InvalidName {
        /// The name given.
        name: String,
    },
    /// There is no snapshot yet.
    #[error("{}", render_missing(path, pending.as_deref(), preview))]
    Missing {
        /// The `.snap` file that does not exist.
        path: PathBuf,
        /// The `.snap.new` written for review, if the mode allowed it.
        pending: Option<PathBuf>,
        /// The new contents, each line prefixed with `+`, capped.
        preview: String,
    },
    /// The snapshot exists and differs.
    #[error("{}", render_differs(path, pending.as_deref(), diff))]
    Differs {
        /// The `.snap` file.
        path: PathBuf,
        /// The `.snap.new` written for review, if the mode allowed it.
        pending: Option<PathBuf>,
        /// A line diff, `-` snapshot and `+` response, with context.
        diff: String,
    },
    /// The snapshot or its pending file could not be read or written.
    #[error("could not {action} snapshot file `{}`: {source}", path.display())]
    Io {
        /// What was being done: "read", "write", "remove".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

fn what_next(pending: Option<&Path>) -> String {
    match pending {
        Some(new) => format!(
            "  the response was written to `{}`: review it with `cargo insta review`, \
             or rerun with INSTA_UPDATE=always (or --update-snapshots) to accept it",
            new.display()
        ),
        None => "  nothing was written (CI=true or INSTA_UPDATE=no): rerun locally with \
                 INSTA_UPDATE=always (or --update-snapshots), review and commit the snapshot"
            .to_string(),
    }
}

fn render_missing(path: &Path, pending: Option<&Path>, preview: &str) -> String {
    format!(
        "snapshot `{}` is missing; the response was:\n{preview}\n{}",
        path.display(),
        what_next(pending)
    )
}

fn render_differs(path: &Path, pending: Option<&Path>, diff: &str) -> String {
    format!(
        "snapshot `{}` differs from the response (- snapshot, + response):\n{diff}\n{}",
        path.display(),
        what_next(pending)
    )
}

/// Where the snapshot `name` of `feature_file` lives: `<feature dir>/snapshots/<name>.snap`.
pub fn snapshot_path(feature_file: &Path, name: &str) -> PathBuf {
    let dir = feature_file.parent().unwrap_or(Path::new(""));
    dir.join("snapshots").join(format!("{name}.snap"))
}

/// Compares `value`, redacted with [`redact_volatile`], with the snapshot `name` of
/// `feature_file` and writes what `mode` allows.
///
/// `feature_file` should be relative to the project root (it is recorded as the snapshot's
/// `source`); `expression` says what was snapshotted, e.g. `POST /v1/persons → 201`. A match
/// removes a stale `NAME.snap.new`. Writes go to a temporary file in the same directory that is
/// then renamed, so a reader never sees half a snapshot.
pub fn check_snapshot(
    feature_file: &Path,
    name: &str,
    expression: &str,
    value: &Value,
    mode: SnapshotMode,
) -> Result<SnapshotOutcome, SnapshotFailure> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(SnapshotFailure::InvalidName {
            name: name.to_string(),
        });
    }
    let path = snapshot_path(feature_file, name);
    let pending_path = path.with_extension("snap.new");
    let mut redacted = redact_volatile(value);
    // Key order must not depend on serde_json's `preserve_order` feature or on the server.
    redacted.sort_all_objects();
    let contents = match serde_json::to_string_pretty(&redacted) {
        Ok(text) => text,
        Err(e) => unreachable!("a serde_json::Value always serialises: {e}"),
    };
    let source = source_of(feature_file);
    let file_text = render_snap(&source, expression, &contents);

    let old = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(SnapshotFailure::Io {
                action: "read",
                path,
                source,
            });
        }
    };
    let new_normalised = normalise(&contents);
    if let Some(old) = &old
        && normalise(&snap_contents(old)) == new_normalised
    {
        remove_if_present(&pending_path)?;
        return Ok(SnapshotOutcome::Matched { path });
    }

    match mode {
        SnapshotMode::Always => {
            write_atomically(&path, &file_text)?;
            remove_if_present(&pending_path)?;
            Ok(match old {
                Some(_) => SnapshotOutcome::Updated { path },
                None => SnapshotOutcome::Created { path },
            })
        }
        SnapshotMode::New | SnapshotMode::Ci => {
            let pending = if mode == SnapshotMode::New {
                write_atomically(&pending_path, &file_text)?;
                Some(pending_path)
            } else {
                None
            };
            Err(match old {
                None => SnapshotFailure::Missing {
                    path,
                    pending,
                    preview: preview(&new_normalised),
                },
                Some(old) => SnapshotFailure::Differs {
                    path,
                    pending,
                    diff: line_diff(&normalise(&snap_contents(&old)), &new_normalised),
                },
            })
        }
    }
}

/// The feature file as the snapshot's `source`: relative to the working directory when it lies
/// below it (so snapshots do not record where a checkout lives), with `/` separators.
fn source_of(feature_file: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .filter(|_| feature_file.is_absolute())
        .and_then(|cwd| feature_file.strip_prefix(cwd).ok().map(Path::to_path_buf));
    let path = relative.as_deref().unwrap_or(feature_file);
    path.to_string_lossy().replace('\\', "/")
}

/// A `.snap` file as insta writes it: YAML metadata between `---` lines, the contents, `\n`.
fn render_snap(source: &str, expression: &str, contents: &str) -> String {
    format!(
        "---\nsource: {}\nexpression: {}\n---\n{}\n",
        yaml_str(source),
        yaml_str(expression),
        contents.trim_end()
    )
}

/// The contents of a `.snap` file without its header, read the way insta reads it.
fn snap_contents(file: &str) -> String {
    let mut lines = file.lines();
    match lines.next() {
        // insta's format: a YAML header between two `---` lines.
        Some(first) if first.trim_end() == "---" => {
            for line in lines.by_ref() {
                if line.trim_end() == "---" {
                    break;
                }
            }
        }
        // insta's legacy format: `key: value` lines up to a blank line.
        Some(first) if !first.trim_end().is_empty() => {
            for line in lines.by_ref() {
                if line.trim_end().is_empty() {
                    break;
                }
            }
        }
        _ => {}
    }
    lines.collect::<Vec<_>>().join("\n")
}

/// What insta compares: trailing whitespace trimmed, CRLF read as LF.
fn normalise(contents: &str) -> String {
    contents.trim_end().replace("\r\n", "\n")
}

/// A scalar as insta's YAML emitter writes it: bare when safe, else double-quoted.
fn yaml_str(s: &str) -> String {
    if !yaml_needs_quotes(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < '\u{20}' || c == '\u{7f}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The quoting rule of insta's vendored YAML emitter (`need_quotes`).
fn yaml_needs_quotes(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@'])
        || s.contains(|c: char| {
            matches!(
                c,
                ':' | '{'
                    | '}'
                    | '['
                    | ']'
                    | ','
                    | '#'
                    | '`'
                    | '"'
                    | '\''
                    | '\\'
                    | '\t'
                    | '\n'
                    | '\r'
            ) || matches!(c, '\0'..='\x06' | '\x0e'..='\x1a' | '\x1c'..='\x1f')
        })
        || RESERVED.contains(&s)
        || s.starts_with('.')
        || s.starts_with("0x")
        || s.parse::<i64>().is_ok()
        || s.parse::<f64>().is_ok()
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename.
fn write_atomically(path: &Path, text: &str) -> Result<(), SnapshotFailure> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io_error = |source| SnapshotFailure::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    if !dir.as_os_str().is_empty() {
        fs::create_dir_all(dir).map_err(io_error)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{file_name}.{}.{unique}.tmp", std::process::id()));
    if let Err(e) = fs::write(&temp, text) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(e));
    }
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        io_error(e)
    })
}

fn remove_if_present(path: &Path) -> Result<(), SnapshotFailure> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SnapshotFailure::Io {
            action: "remove",
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The new contents as `+` lines, capped like a diff.
fn preview(contents: &str) -> String {
    let lines: Vec<String> = contents.lines().map(|l| format!("    +{l}")).collect();
    cap_lines(lines)
}

fn cap_lines(mut lines: Vec<String>) -> String {
    if lines.len() > MAX_DIFF_LINES {
        let more = lines.len() - MAX_DIFF_LINES;
        lines.truncate(MAX_DIFF_LINES);
        lines.push(format!(
            "    ... {more} more line{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    lines.join("\n")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit<'a> {
    Same(&'a str),
    Delete(&'a str),
    Insert(&'a str),
}

/// A compact line diff of `old` (`-`) against `new` (`+`) with [`DIFF_CONTEXT`] lines of
/// context and `@@ -line,count +line,count @@` hunk headers, capped at [`MAX_DIFF_LINES`].
fn line_diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let edits = diff_edits(&old, &new);

    let changed: Vec<usize> = edits
        .iter()
        .enumerate()
        .filter(|(_, e)| !matches!(e, Edit::Same(_)))
        .map(|(i, _)| i)
        .collect();
    // Group changes whose context would touch into hunks of edit indices [start, end).
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        let start = i.saturating_sub(DIFF_CONTEXT);
        let end = (i + 1 + DIFF_CONTEXT).min(edits.len());
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }

    // Line numbers (1-based) before each edit, on each side.
    let mut positions = Vec::with_capacity(edits.len());
    let (mut old_line, mut new_line) = (1, 1);
    for edit in &edits {
        positions.push((old_line, new_line));
        match edit {
            Edit::Same(_) => {
                old_line += 1;
                new_line += 1;
            }
            Edit::Delete(_) => old_line += 1,
            Edit::Insert(_) => new_line += 1,
        }
    }

    let mut lines = Vec::new();
    for (start, end) in hunks {
        let slice = &edits[start..end];
        let old_count = slice
            .iter()
            .filter(|e| !matches!(e, Edit::Insert(_)))
            .count();
        let new_count = slice
            .iter()
            .filter(|e| !matches!(e, Edit::Delete(_)))
            .count();
        let (old_start, new_start) = positions[start];
        lines.push(format!(
            "    @@ -{old_start},{old_count} +{new_start},{new_count} @@"
        ));
        for edit in slice {
            lines.push(match edit {
                Edit::Same(l) => format!("     {l}"),
                Edit::Delete(l) => format!("    -{l}"),
                Edit::Insert(l) => format!("    +{l}"),
            });
        }
    }
    cap_lines(lines)
}

/// The edits that turn `old` into `new`: common prefix and suffix first, then a longest
/// common subsequence of the middle (or, when that is too large, a block replace).
fn diff_edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];

    let mut edits: Vec<Edit<'a>> = old[..prefix].iter().map(|l| Edit::Same(l)).collect();
    if (a.len() + 1).saturating_mul(b.len() + 1) > MAX_DIFF_CELLS {
        edits.extend(a.iter().map(|l| Edit::Delete(l)));
        edits.extend(b.iter().map(|l| Edit::Insert(l)));
    } else {
        // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
        let width = b.len() + 1;
        let mut lcs = vec![0u32; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i * width + j] = if a[i] == b[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                edits.push(Edit::Same(a[i]));
                i += 1;
                j += 1;
            } else if j < b.len()
                && (i == a.len() || lcs[i * width + j + 1] > lcs[(i + 1) * width + j])
            {
                edits.push(Edit::Insert(b[j]));
                j += 1;
            } else {
                edits.push(Edit::Delete(a[i]));
                i += 1;
            }
        }
    }
    edits.extend(old[old.len() - suffix..].iter().map(|l| Edit::Same(l)));
    edits
}

impl fmt::Display for SnapshotMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SnapshotMode::Ci => "ci",
            SnapshotMode::New => "new",
            SnapshotMode::Always => "always",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixture {
        _dir: tempfile::TempDir,
        feature: PathBuf,
        snapshots: PathBuf,
    }

    fn fixture() -> Fixture {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("temp dir: {e}"),
        };
        let feature = dir.path().join("features/onboarding/german_retail.feature");
        let snapshots = dir.path().join("features/onboarding/snapshots");
        Fixture {
            _dir: dir,
            feature,
            snapshots,
        }
    }

    fn person(status: &str) -> Value {
        json!({
            "id": "84b3b4e6c7a4082cc73c5bd0e096ee88cper",
            "first_name": "Theresa",
            "last_name": "Klemm",
            "birth_date": "1985-12-14",
            "address": { "line_1": "Leopoldstraße", "city": "Berlin", "country": "DE" },
            "screening_progress": status,
            "created_at": "2024-05-02T10:00:00.000Z",
            "own_economic_interest_signed_at": null
        })
    }

    fn read(path: &Path) -> String {
        match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => panic!("read {}: {e}", path.display()),
        }
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = match fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    const EXPRESSION: &str = "POST /v1/persons → 201";

    #[test]
    fn always_writes_an_insta_style_snap() {
        let f = fixture();
        let outcome = check_snapshot(
            &f.feature,
            "person_created",
            EXPRESSION,
            &person("NOT_SCREENED"),
            SnapshotMode::Always,
        );
        let path = f.snapshots.join("person_created.snap");
        assert_eq!(
            outcome.ok(),
            Some(SnapshotOutcome::Created { path: path.clone() })
        );
        let expected_source = source_of(&f.feature);
        assert_eq!(
            read(&path),
            format!(
                "---\nsource: {expected_source}\nexpression: POST /v1/persons → 201\n---\n{{\n  \"address\": {{\n    \
                 \"city\": \"Berlin\",\n    \"country\": \"DE\",\n    \"line_1\": \"Leopoldstraße\"\n  }},\n  \
                 \"birth_date\": \"1985-12-14\",\n  \"created_at\": \"[timestamp]\",\n  \"first_name\": \"Theresa\",\n  \
                 \"id\": \"[id]\",\n  \"last_name\": \"Klemm\",\n  \"own_economic_interest_signed_at\": null,\n  \
                 \"screening_progress\": \"NOT_SCREENED\"\n}}\n"
            )
        );
        assert_eq!(
            files_in(&f.snapshots),
            ["person_created.snap"],
            "no temporary file is left behind"
        );
    }

    #[test]
    fn matching_snapshot_passes_and_removes_pending() {
        let f = fixture();
        let value = person("NOT_SCREENED");
        assert!(check_snapshot(&f.feature, "p", EXPRESSION, &value, SnapshotMode::Always).is_ok());
        fs::write(f.snapshots.join("p.snap.new"), "stale").ok();
        // Another run: new ids and timestamps are redacted away.
        let mut again = value.clone();
        again["id"] = json!("00000000000000000000000000000000cper");
        again["created_at"] = json!("2030-01-01T00:00:00Z");
        let outcome = check_snapshot(
            &f.feature,
            "p",
            "another expression",
            &again,
            SnapshotMode::Ci,
        );
        assert_eq!(
            outcome.ok(),
            Some(SnapshotOutcome::Matched {
                path: f.snapshots.join("p.snap")
            })
        );
        assert_eq!(files_in(&f.snapshots), ["p.snap"]);
    }

    #[test]
    fn comparison_ignores_header_trailing_whitespace_and_crlf() {
        let f = fixture();
        fs::create_dir_all(&f.snapshots).ok();
        let body =
            serde_json::to_string_pretty(&json!({ "a": 1, "b": [true] })).unwrap_or_default();
        let crlf = format!(
            "---\nsource: elsewhere\nassertion_line: 3\nexpression: x\n---\n{}\r\n\r\n  \n",
            body.replace('\n', "\r\n")
        );
        fs::write(f.snapshots.join("crlf.snap"), crlf).ok();
        let outcome = check_snapshot(
            &f.feature,
            "crlf",
            "x",
            &json!({ "b": [true], "a": 1 }),
            SnapshotMode::Ci,
        );
        assert!(
            matches!(outcome, Ok(SnapshotOutcome::Matched { .. })),
            "{outcome:?}"
        );
    }

    #[test]
    fn differs_shows_a_line_diff_and_writes_pending_in_new_mode() {
        let f = fixture();
        assert!(
            check_snapshot(
                &f.feature,
                "p",
                EXPRESSION,
                &person("NOT_SCREENED"),
                SnapshotMode::Always
            )
            .is_ok()
        );
        let before = read(&f.snapshots.join("p.snap"));
        let failure = match check_snapshot(
            &f.feature,
            "p",
            EXPRESSION,
            &person("SCREENED_ACCEPTED"),
            SnapshotMode::New,
        ) {
            Err(e) => e,
            Ok(o) => panic!("must differ, got {o:?}"),
        };
        let pending = f.snapshots.join("p.snap.new");
        let text = failure.to_string();
        let expected = format!(
            "snapshot `{}` differs from the response (- snapshot, + response):\n    \
             @@ -11,4 +11,4 @@\n       \"last_name\": \"Klemm\",\n       \"own_economic_interest_signed_at\": null,\n    \
             -  \"screening_progress\": \"NOT_SCREENED\"\n    \
             +  \"screening_progress\": \"SCREENED_ACCEPTED\"\n     }}\n  \
             the response was written to `{}`: review it with `cargo insta review`, \
             or rerun with INSTA_UPDATE=always (or --update-snapshots) to accept it",
            f.snapshots.join("p.snap").display(),
            pending.display()
        );
        assert_eq!(text, expected);
        assert_eq!(
            read(&f.snapshots.join("p.snap")),
            before,
            "the snapshot itself is untouched"
        );
        assert!(read(&pending).contains("\"screening_progress\": \"SCREENED_ACCEPTED\""));
        assert!(read(&pending).starts_with("---\nsource: "));
    }

    #[test]
    fn differs_in_ci_mode_writes_nothing() {
        let f = fixture();
        assert!(
            check_snapshot(
                &f.feature,
                "p",
                EXPRESSION,
                &person("NOT_SCREENED"),
                SnapshotMode::Always
            )
            .is_ok()
        );
        let failure = check_snapshot(
            &f.feature,
            "p",
            EXPRESSION,
            &person("POTENTIAL_MATCH"),
            SnapshotMode::Ci,
        );
        assert!(
            matches!(failure, Err(SnapshotFailure::Differs { pending: None, .. })),
            "{failure:?}"
        );
        assert_eq!(files_in(&f.snapshots), ["p.snap"]);
    }

    #[test]
    fn always_updates_a_different_snapshot() {
        let f = fixture();
        assert!(
            check_snapshot(
                &f.feature,
                "p",
                EXPRESSION,
                &person("NOT_SCREENED"),
                SnapshotMode::Always
            )
            .is_ok()
        );
        fs::write(f.snapshots.join("p.snap.new"), "pending").ok();
        let outcome = check_snapshot(
            &f.feature,
            "p",
            EXPRESSION,
            &person("SCREENED_ACCEPTED"),
            SnapshotMode::Always,
        );
        assert_eq!(
            outcome.ok(),
            Some(SnapshotOutcome::Updated {
                path: f.snapshots.join("p.snap")
            })
        );
        assert!(read(&f.snapshots.join("p.snap")).contains("SCREENED_ACCEPTED"));
        assert_eq!(files_in(&f.snapshots), ["p.snap"]);
    }

    #[test]
    fn missing_in_ci_mode_fails_and_writes_nothing() {
        let f = fixture();
        let failure = match check_snapshot(
            &f.feature,
            "p",
            EXPRESSION,
            &person("NOT_SCREENED"),
            SnapshotMode::Ci,
        ) {
            Err(e) => e,
            Ok(o) => panic!("must fail, got {o:?}"),
        };
        let text = failure.to_string();
        assert!(
            text.starts_with(&format!(
                "snapshot `{}` is missing",
                f.snapshots.join("p.snap").display()
            )),
            "{text}"
        );
        assert!(
            text.contains("    +  \"screening_progress\": \"NOT_SCREENED\""),
            "{text}"
        );
        assert!(text.ends_with("nothing was written (CI=true or INSTA_UPDATE=no): rerun locally with INSTA_UPDATE=always (or --update-snapshots), review and commit the snapshot"), "{text}");
        assert!(
            !f.snapshots.exists(),
            "CI mode must not even create the directory"
        );
    }

    #[test]
    fn missing_in_new_mode_writes_pending_and_fails() {
        let f = fixture();
        let failure = check_snapshot(
            &f.feature,
            "p",
            EXPRESSION,
            &person("NOT_SCREENED"),
            SnapshotMode::New,
        );
        let pending = f.snapshots.join("p.snap.new");
        assert!(
            matches!(&failure, Err(SnapshotFailure::Missing { pending: Some(p), .. }) if *p == pending),
            "{failure:?}"
        );
        assert_eq!(files_in(&f.snapshots), ["p.snap.new"]);
        // Accepting the pending file (what `cargo insta review` does) makes the check pass.
        fs::rename(&pending, f.snapshots.join("p.snap")).ok();
        let outcome = check_snapshot(
            &f.feature,
            "p",
            EXPRESSION,
            &person("NOT_SCREENED"),
            SnapshotMode::Ci,
        );
        assert!(
            matches!(outcome, Ok(SnapshotOutcome::Matched { .. })),
            "{outcome:?}"
        );
    }

    #[test]
    fn names_are_restricted() {
        let f = fixture();
        for bad in ["", "../escape", "a b", "x.snap", "ü"] {
            let failure = check_snapshot(
                &f.feature,
                bad,
                EXPRESSION,
                &json!({}),
                SnapshotMode::Always,
            );
            assert!(
                matches!(failure, Err(SnapshotFailure::InvalidName { .. })),
                "{bad:?}: {failure:?}"
            );
        }
        assert_eq!(
            SnapshotFailure::InvalidName { name: "a b".into() }.to_string(),
            "snapshot name \"a b\" is not allowed: use only letters, digits, `_` and `-`"
        );
        assert!(
            check_snapshot(
                &f.feature,
                "Person-created_2",
                EXPRESSION,
                &json!({}),
                SnapshotMode::Always
            )
            .is_ok()
        );
    }

    #[test]
    fn mode_from_environment_values() {
        use SnapshotMode::*;
        let cases = [
            (None, None, New),
            (Some("auto"), None, New),
            (Some("new"), None, New),
            (Some("always"), None, Always),
            (Some("ALWAYS"), Some("true"), Always),
            (Some("1"), None, Always),
            (Some("force"), None, Always),
            (Some("no"), None, Ci),
            (None, Some("true"), Ci),
            (None, Some("TRUE"), Ci),
            (None, Some("1"), Ci),
            (None, Some("false"), New),
            (None, Some("0"), New),
            (None, Some(""), New),
            (Some("new"), Some("1"), Ci),
        ];
        for (update, ci, expected) in cases {
            assert_eq!(
                SnapshotMode::from_vars(update, ci),
                expected,
                "INSTA_UPDATE={update:?} CI={ci:?}"
            );
        }
    }

    #[test]
    fn source_is_relative_to_the_working_directory() {
        let relative = Path::new("features/onboarding/x.feature");
        assert_eq!(source_of(relative), "features/onboarding/x.feature");
        if let Ok(cwd) = std::env::current_dir() {
            assert_eq!(
                source_of(&cwd.join(relative)),
                "features/onboarding/x.feature"
            );
        }
    }

    #[test]
    fn yaml_scalars_are_quoted_like_insta() {
        assert_eq!(
            yaml_str("features/onboarding/x.feature"),
            "features/onboarding/x.feature"
        );
        assert_eq!(yaml_str("POST /v1/persons → 201"), "POST /v1/persons → 201");
        assert_eq!(yaml_str("GET /v1/persons/{id}"), "\"GET /v1/persons/{id}\"");
        assert_eq!(yaml_str("a: \"b\"\n"), "\"a: \\\"b\\\"\\n\"");
        assert_eq!(yaml_str("true"), "\"true\"");
        assert_eq!(yaml_str("201"), "\"201\"");
        assert_eq!(yaml_str(""), "\"\"");
    }

    #[test]
    fn diff_aligns_lines_and_keeps_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk";
        assert_eq!(
            line_diff(old, new),
            "    @@ -1,4 +1,4 @@\n     a\n    -b\n    +B\n     c\n     d\n    @@ -9,2 +9,3 @@\n     i\n     j\n    +k"
        );
        assert_eq!(
            line_diff("x\ny", "y"),
            "    @@ -1,2 +1,1 @@\n    -x\n     y"
        );
        let long_old: String = (0..100).map(|i| format!("{i}\n")).collect();
        let long_new: String = (0..100).map(|i| format!("{}\n", i * 2)).collect();
        let diff = line_diff(&long_old, &long_new);
        assert_eq!(diff.lines().count(), MAX_DIFF_LINES + 1);
        assert!(diff.ends_with("more lines"), "{diff}");
    }

    // --- Compatibility with insta itself -------------------------------------------------------

    /// What was written is what insta reads: contents and metadata through `insta::Snapshot`,
    /// byte for byte through insta's own serialiser, and a passing `assert_snapshot!`.
    #[test]
    fn insta_reads_what_we_write() {
        let f = fixture();
        let value = person("NOT_SCREENED");
        assert!(
            check_snapshot(
                &f.feature,
                "insta_compat",
                EXPRESSION,
                &value,
                SnapshotMode::Always
            )
            .is_ok()
        );
        let path = f.snapshots.join("insta_compat.snap");
        let pretty = serde_json::to_string_pretty(&redact_volatile(&value)).unwrap_or_default();

        let snapshot = match insta::Snapshot::from_file(&path) {
            Ok(s) => s,
            Err(e) => panic!("insta cannot read our snapshot: {e}"),
        };
        assert_eq!(snapshot.metadata().expression(), Some(EXPRESSION));
        assert_eq!(
            snapshot.metadata().source(),
            Some(source_of(&f.feature).as_str())
        );
        assert_eq!(
            snapshot.as_text().map(ToString::to_string),
            Some(pretty.clone())
        );

        // insta's serialiser produces the same bytes from the same snapshot.
        let resaved = f.snapshots.join("resaved.snap");
        if let Err(e) = snapshot.save(&resaved) {
            panic!("insta cannot save: {e}");
        }
        assert_eq!(read(&resaved), read(&path));

        insta::with_settings!({ snapshot_path => &f.snapshots, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("insta_compat", pretty);
        });
        assert!(!f.snapshots.join("insta_compat.snap.new").exists());
    }

    /// What insta writes is what we read: a snapshot recorded by `assert_snapshot!` (as a
    /// pending `.snap.new`, or directly with INSTA_UPDATE=always) matches our check. In CI
    /// (where insta writes nothing) only the byte-level check of `insta_reads_what_we_write`
    /// covers this direction.
    #[test]
    fn we_read_what_insta_writes() {
        let f = fixture();
        let value = person("SCREENED_ACCEPTED");
        let pretty = serde_json::to_string_pretty(&redact_volatile(&value)).unwrap_or_default();
        let snapshots = f.snapshots.clone();
        let recorded = std::panic::catch_unwind(move || {
            insta::with_settings!({ snapshot_path => &snapshots, prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("recorded_by_insta", pretty);
            });
        });
        let snap = f.snapshots.join("recorded_by_insta.snap");
        let pending = f.snapshots.join("recorded_by_insta.snap.new");
        if pending.exists() {
            assert!(
                recorded.is_err(),
                "insta fails on a new snapshot unless told to accept it"
            );
            fs::rename(&pending, &snap).ok();
        }
        if !snap.exists() {
            eprintln!("insta wrote no snapshot here (CI or INSTA_UPDATE=no); skipping");
            return;
        }
        let outcome = check_snapshot(
            &f.feature,
            "recorded_by_insta",
            EXPRESSION,
            &value,
            SnapshotMode::Ci,
        );
        assert!(
            matches!(outcome, Ok(SnapshotOutcome::Matched { .. })),
            "{outcome:?}"
        );
    }
}
