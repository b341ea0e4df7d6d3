//! Reads the patterns of the step definitions in `steps/` as they are written in their
//! attributes (`#[given(expr = "...")]`, `#[then("...")]`, `#[when(regex = "...")]`), with
//! the file, line and column cucumber records for each, into `$OUT_DIR/step_patterns.rs`,
//! and the custom parameter types their expressions use (`#[param(name = "market", regex =
//! "...")]`) into `$OUT_DIR/step_parameters.rs`.
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
    let mut parameters = String::from("&[\n");
    let mut types: Vec<(String, String)> = Vec::new();
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = format!(
            "steps/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        for (ty, line, column, kind, text) in patterns(&source) {
            let _ = writeln!(
                table,
                "    ({name:?}, {ty}, {line}, {column}, PatternKind::{kind:?}, {text:?}),"
            );
        }
        types.extend(parameter_types(&source));
    }
    for (parameter, regex) in &types {
        // Cucumber gives the built-in names their own regex whatever a type says, and a name
        // two types give is told apart by the step function's argument: such a name is left
        // out, and the steps using it are compiled to be named.
        let named = types.iter().filter(|(other, _)| other == parameter).count();
        if named == 1 && !["int", "float", "word", "string", ""].contains(&parameter.as_str()) {
            let _ = writeln!(parameters, "    ({parameter:?}, {regex:?}),");
        }
    }
    table.push_str("]\n");
    parameters.push_str("]\n");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    for (file, text) in [
        ("step_patterns.rs", table),
        ("step_parameters.rs", parameters),
    ] {
        let written = Path::new(&out).join(file);
        if std::fs::read_to_string(&written).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&written, text).expect("OUT_DIR is writable");
        }
    }
}

/// The `name` and `regex` of every `#[param(...)]` attribute of `source` (a custom parameter
/// type of cucumber expressions) this reader understands.
fn parameter_types(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    // At the start of a line only, as `patterns` reads steps: not in a comment.
    for (_, _, from_line) in line_starts(source) {
        let Some(mut rest) = from_line.strip_prefix("#[param(") else {
            continue;
        };
        let (mut name, mut regex) = (None, None);
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(')') {
                if after.trim_start().starts_with(']')
                    && let (Some(name), Some(regex)) = (name.take(), regex.take())
                {
                    found.push((name, regex));
                }
                break;
            }
            let key_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let (key, after) = rest.split_at(key_end);
            let Some(value) = after.trim_start().strip_prefix('=') else {
                break;
            };
            let Some((text, after)) = string_literal(value.trim_start()) else {
                break;
            };
            match key {
                "name" => name = Some(text),
                "regex" => regex = Some(text),
                _ => {}
            }
            rest = after.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
    }
    found
}

/// How a pattern is written (the same names as the runner's `PatternKind`).
#[derive(Debug)]
enum Kind {
    Literal,
    Expression,
    Regex,
}

/// Every step attribute that starts a line of `source` and that this reader understands: its
/// step type (0 Given, 1 When, 2 Then), line and column (1-based, of its `#`, which is where
/// cucumber's `line!()` and `column!()` point), kind and text.
fn patterns(source: &str) -> Vec<(usize, usize, usize, Kind, String)> {
    let mut found = Vec::new();
    for (line, column, rest) in line_starts(source) {
        let Some((ty, arguments)) = ["#[given(", "#[when(", "#[then("]
            .iter()
            .enumerate()
            .find_map(|(ty, opening)| Some((ty, rest.strip_prefix(opening)?)))
        else {
            continue;
        };
        if let Some((kind, text)) = attribute(arguments) {
            found.push((ty, line, column, kind, text));
        }
    }
    found
}

/// Where each line of `source` starts after its indentation: the line and column (1-based,
/// columns in characters as `column!()` counts them) and the rest of `source` from there.
fn line_starts(source: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut offset = 0;
    source
        .split_inclusive('\n')
        .enumerate()
        .map(move |(i, line)| {
            let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            let start = offset + indent.len();
            offset += line.len();
            (i + 1, indent.chars().count() + 1, &source[start..])
        })
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
