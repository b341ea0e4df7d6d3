//! A step definition's pattern as its attribute writes it, read by the build script
//! (`build.rs`) from `steps/`, and the literal words any text it matches must have.
//!
//! Compiling a definition's pattern (a cucumber expression turned into a regex with its
//! `{string}` and `{int}` groups) takes about half a millisecond, and a run has over a hundred:
//! compiling them all was most of the runner's start. A run compiles only the definitions
//! whose literal words its step texts have ([`Pattern::may_match`]); a definition the build
//! did not read is always compiled.

use std::sync::OnceLock;

use cucumber::codegen::Regex;
use cucumber::step::Location;

/// How a step attribute writes its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// `#[then("the person is registered")]`: the text itself, word for word.
    Literal,
    /// `#[given(expr = "the customer's {string} is {value}")]`: a cucumber expression.
    Expression,
    /// `#[when(regex = "^...$")]`: a regular expression.
    #[allow(
        dead_code,
        reason = "no step in steps/ is written so yet; build.rs reads one"
    )]
    Regex,
}

/// Every step attribute in `steps/`: file, line of its `#[`, kind and pattern.
const WRITTEN: &[(&str, u32, PatternKind, &str)] =
    include!(concat!(env!("OUT_DIR"), "/step_patterns.rs"));

/// A step definition's pattern: compiled when first needed.
pub struct Pattern {
    pub location: Location,
    /// As its attribute writes it, when the build read it.
    written: Option<(PatternKind, &'static str)>,
    /// The literal parts a text it matches has; `None` when any text may match.
    parts: Option<Parts>,
    compile: fn() -> Regex,
    regex: OnceLock<Regex>,
}

impl Pattern {
    /// The pattern of the definition at `location`, which `compile` compiles (cucumber's).
    pub fn new(location: Location, compile: fn() -> Regex) -> Self {
        let written = WRITTEN
            .iter()
            .find(|(file, line, ..)| *line == location.line && ends_with_file(location.path, file))
            .map(|(_, _, kind, text)| (*kind, *text));
        let parts = written.and_then(|(kind, text)| Parts::of(kind, text));
        Pattern {
            location,
            written,
            parts,
            compile,
            regex: OnceLock::new(),
        }
    }

    /// Whether the build read this definition's pattern.
    pub fn is_written(&self) -> bool {
        self.written.is_some()
    }

    /// False when `text` cannot match this pattern (it lacks a literal part); true when it
    /// may.
    pub fn may_match(&self, text: &str) -> bool {
        self.parts.as_ref().is_none_or(|parts| parts.found_in(text))
    }

    /// The compiled pattern, compiled on first use.
    pub fn regex(&self) -> &Regex {
        self.regex.get_or_init(self.compile)
    }

    /// Whether the pattern is compiled already.
    pub fn is_compiled(&self) -> bool {
        self.regex.get().is_some()
    }

    /// The pattern as reports name it, and whether it is a cucumber expression (else a
    /// regular expression): an expression as written, a literal as the regex cucumber makes
    /// of it, anything else as compiled.
    pub fn source(&self) -> (String, bool) {
        match self.written {
            Some((PatternKind::Expression, text)) => (text.to_owned(), true),
            Some((PatternKind::Literal, text)) => (format!("^{}$", regex::escape(text)), false),
            _ => (self.regex().as_str().to_owned(), false),
        }
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pattern")
            .field("location", &self.location)
            .field("written", &self.written)
            .field("compiled", &self.is_compiled())
            .finish()
    }
}

/// `path` (as `file!()` gives it, e.g. `src/../steps/kyc.rs`) names `file` (`steps/kyc.rs`).
fn ends_with_file(path: &str, file: &str) -> bool {
    path.strip_suffix(file)
        .is_some_and(|head| head.is_empty() || head.ends_with('/') || head.ends_with('\\'))
}

/// The literal parts of a pattern, in order: a text it matches starts with `start`, ends with
/// `end`, and has each of `middle` in between, in order. A pattern with no gap (a literal) is
/// all `start`, with `exact` set.
#[derive(Debug, PartialEq, Eq)]
struct Parts {
    start: String,
    middle: Vec<String>,
    end: String,
    exact: bool,
}

impl Parts {
    /// The parts of a pattern of `kind` written `text`; `None` for a regular expression
    /// (whose literal parts this does not look for).
    fn of(kind: PatternKind, text: &str) -> Option<Parts> {
        match kind {
            PatternKind::Literal => Some(Parts {
                start: text.to_owned(),
                middle: Vec::new(),
                end: String::new(),
                exact: true,
            }),
            PatternKind::Expression => Some(expression_parts(text)),
            PatternKind::Regex => None,
        }
    }

    fn found_in(&self, text: &str) -> bool {
        if self.exact {
            return text == self.start;
        }
        let Some(rest) = text.strip_prefix(self.start.as_str()) else {
            return false;
        };
        let Some(mut rest) = rest.strip_suffix(self.end.as_str()) else {
            return false;
        };
        for part in &self.middle {
            let Some(at) = rest.find(part.as_str()) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
        true
    }
}

/// The literal parts of a cucumber expression: its text outside parameters (`{int}`),
/// optional text (`(s)`) and words with alternatives (`call/calls`), each of which a
/// matching text has word for word (escapes, `\(`, stand for their character).
fn expression_parts(expression: &str) -> Parts {
    /// How the expression writes a character.
    #[derive(Clone, Copy, PartialEq)]
    enum Written {
        Plain,
        /// After a backslash: the character itself.
        Escaped,
        /// `{`, `}`, `(`, `)` or `/`.
        Syntax,
    }
    let mut chars: Vec<(char, Written)> = Vec::new();
    let mut escaped = false;
    for c in expression.chars() {
        if escaped {
            chars.push((c, Written::Escaped));
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if matches!(c, '{' | '}' | '(' | ')' | '/') {
            chars.push((c, Written::Syntax));
        } else {
            chars.push((c, Written::Plain));
        }
    }
    if escaped {
        // A lone backslash at the end: not read as anything.
        chars.push(('\\', Written::Syntax));
    }
    // Each character's literal value, or `None` where a match may have anything (or
    // nothing): parameters and optional text with their brackets, ...
    let mut literal: Vec<Option<char>> = Vec::with_capacity(chars.len());
    let mut depth = 0usize;
    for &(c, written) in &chars {
        let syntax = written == Written::Syntax;
        if syntax && matches!(c, '{' | '(') {
            depth += 1;
        } else if syntax && matches!(c, '}' | ')') {
            depth = depth.saturating_sub(1);
        }
        literal.push((depth == 0 && !syntax).then_some(c));
    }
    // ... and a word (between whitespace) with an alternative in it.
    let mut word_start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || (chars[i].1 == Written::Plain && chars[i].0.is_whitespace()) {
            if chars[word_start..i].contains(&('/', Written::Syntax)) {
                literal[word_start..i].fill(None);
            }
            word_start = i + 1;
        }
    }
    let mut runs: Vec<String> = Vec::new();
    let mut in_run = false;
    for l in &literal {
        match (l, runs.last_mut()) {
            (Some(c), Some(run)) if in_run => run.push(*c),
            (Some(c), _) => runs.push(c.to_string()),
            (None, _) => {}
        }
        in_run = l.is_some();
    }
    let anchored_start = literal.first().is_none_or(Option::is_some);
    let anchored_end = literal.last().is_none_or(Option::is_some);
    if runs.len() <= 1 && anchored_start && anchored_end {
        // No gap: the text itself.
        return Parts {
            start: runs.pop().unwrap_or_default(),
            middle: Vec::new(),
            end: String::new(),
            exact: true,
        };
    }
    let end = if anchored_end {
        runs.pop().unwrap_or_default()
    } else {
        String::new()
    };
    let start = if anchored_start && !runs.is_empty() {
        runs.remove(0)
    } else {
        String::new()
    };
    Parts {
        start,
        middle: runs,
        end,
        exact: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(start: &str, middle: &[&str], end: &str) -> Parts {
        Parts {
            start: start.into(),
            middle: middle.iter().map(|m| m.to_string()).collect(),
            end: end.into(),
            exact: false,
        }
    }

    #[test]
    fn an_expression_keeps_the_words_outside_parameters_optionals_and_alternatives() {
        assert_eq!(
            expression_parts("the customer's {string} is {value}"),
            parts("the customer's ", &[" is "], "")
        );
        assert_eq!(
            expression_parts("the IDnow attempts list {int} call(s) that did not succeed"),
            parts(
                "the IDnow attempts list ",
                &[" call"],
                " that did not succeed"
            )
        );
        assert_eq!(
            expression_parts("{int} persons identical to the customer are already registered"),
            parts(
                "",
                &[],
                " persons identical to the customer are already registered"
            )
        );
        assert_eq!(
            expression_parts("the card is active/inactive now"),
            parts("the card is ", &[], " now")
        );
        assert_eq!(
            expression_parts("a call(s)/calls to {word}"),
            parts("a ", &[" to "], "")
        );
        assert_eq!(
            expression_parts(r"costs \(about\) {int} EUR"),
            parts("costs (about) ", &[], " EUR")
        );
        assert_eq!(
            expression_parts(r"a \/ b"),
            Parts {
                start: "a / b".into(),
                middle: vec![],
                end: String::new(),
                exact: true
            }
        );
    }

    #[test]
    fn a_text_must_have_every_literal_part_in_order() {
        let p = expression_parts("the customer's {string} is {value}");
        assert!(p.found_in(r#"the customer's "first_name" is "Ada""#));
        assert!(!p.found_in(r#"the customer's "first_name" was "Ada""#));
        assert!(!p.found_in(r#"the partner's "first_name" is "Ada""#));
        let p = expression_parts("{int} is {int} or {int}");
        assert!(p.found_in("1 is 2 or 3"));
        assert!(!p.found_in("1 or 2 is 3"));
        // The start and the end may not overlap.
        let p = expression_parts("ab{word}ba");
        assert!(!p.found_in("aba"));
        assert!(p.found_in("abba"));
        assert!(
            Parts::of(PatternKind::Literal, "the person is registered")
                .is_some_and(|p| p.found_in("the person is registered")
                    && !p.found_in("the person is registered twice"))
        );
        assert!(Parts::of(PatternKind::Regex, "^a$").is_none());
    }

    #[test]
    fn a_location_names_a_file_by_its_whole_name() {
        assert!(ends_with_file("src/../steps/kyc.rs", "steps/kyc.rs"));
        assert!(ends_with_file("steps/kyc.rs", "steps/kyc.rs"));
        assert!(!ends_with_file("src/../mysteps/kyc.rs", "steps/kyc.rs"));
    }
}
