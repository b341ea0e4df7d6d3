//! Reads the patterns of the step definitions in `steps/` as they are written in their
//! attributes (`#[given(expr = "...")]`, `#[then("...")]`, `#[when(regex = "...")]`), with
//! the file and line cucumber records for each, into `$OUT_DIR/step_patterns.rs`.
//!
//! The runner uses them to know which definitions could match a run's step texts before it
//! compiles any pattern (`runner::dispatch`): compiling all of them was most of a run's start.
//! An attribute this reader does not understand is left out, and the runner compiles that
//! definition's pattern as before; a test holds every definition in `steps/` to be read.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=steps");
    let mut files: Vec<_> = std::fs::read_dir("steps")
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "rs"));
    files.sort();
    let mut table = String::from("&[\n");
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = format!(
            "steps/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        for (line, kind, text) in patterns(&source) {
            let _ = writeln!(
                table,
                "    ({name:?}, {line}, PatternKind::{kind:?}, {text:?}),"
            );
        }
    }
    table.push_str("]\n");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let written = Path::new(&out).join("step_patterns.rs");
    if std::fs::read_to_string(&written).ok().as_deref() != Some(table.as_str()) {
        std::fs::write(&written, table).expect("OUT_DIR is writable");
    }
}

/// How a pattern is written (the same names as the runner's `PatternKind`).
#[derive(Debug)]
enum Kind {
    Literal,
    Expression,
    Regex,
}

/// Every step attribute of `source` this reader understands: its line (1-based, the line of
/// `#[`, which is where cucumber's `line!()` points), its kind and its text.
fn patterns(source: &str) -> Vec<(usize, Kind, String)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for (i, line) in source.split_inclusive('\n').enumerate() {
        let start = offset + (line.len() - line.trim_start_matches([' ', '\t']).len());
        offset += line.len();
        let rest = &source[start..];
        let Some(arguments) = ["#[given(", "#[when(", "#[then("]
            .iter()
            .find_map(|opening| rest.strip_prefix(opening))
        else {
            continue;
        };
        if let Some((kind, text)) = attribute(arguments) {
            found.push((i + 1, kind, text));
        }
    }
    found
}

/// The pattern of an attribute whose arguments start `arguments`: a string literal, alone or
/// after `expr =` or `regex =`, then `)]`.
fn attribute(arguments: &str) -> Option<(Kind, String)> {
    let rest = arguments.trim_start();
    let (kind, rest) = if let Some(rest) = rest.strip_prefix("expr") {
        (
            Kind::Expression,
            rest.trim_start().strip_prefix('=')?.trim_start(),
        )
    } else if let Some(rest) = rest.strip_prefix("regex") {
        (
            Kind::Regex,
            rest.trim_start().strip_prefix('=')?.trim_start(),
        )
    } else {
        (Kind::Literal, rest)
    };
    let (text, rest) = string_literal(rest)?;
    rest.trim_start()
        .strip_prefix(')')?
        .trim_start()
        .strip_prefix(']')?;
    Some((kind, text))
}

/// A Rust string literal at the start of `s` (plain or raw), its value and what follows it;
/// `None` for an escape this reader does not know.
fn string_literal(s: &str) -> Option<(String, &str)> {
    if let Some(raw) = s.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let close = format!("\"{}", "#".repeat(hashes));
        let end = body.find(&close)?;
        return Some((body[..end].to_owned(), &body[end + close.len()..]));
    }
    let body = s.strip_prefix('"')?;
    let mut text = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((text, &body[i + 1..])),
            '\\' => match chars.next()?.1 {
                '\\' => text.push('\\'),
                '"' => text.push('"'),
                '\'' => text.push('\''),
                'n' => text.push('\n'),
                't' => text.push('\t'),
                'r' => text.push('\r'),
                '0' => text.push('\0'),
                _ => return None,
            },
            c => text.push(c),
        }
    }
    None
}
