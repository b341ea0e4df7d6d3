//! A step definition's pattern as its attribute writes it, read by the build script
//! (`build.rs`) from `steps/`, and the literal words any text it matches must have.
//!
//! Compiling a definition's pattern (a cucumber expression turned into a regex with its
//! `{string}` and `{int}` groups) takes about half a millisecond, and a run has over a hundred:
//! compiling them all was most of the runner's start. A run compiles only the definitions
//! whose literal words its step texts have ([`Pattern::may_match`]); a definition the build
//! did not read is always compiled. The reports name every definition by the regex cucumber
//! makes of its pattern, which cucumber's own expression parser gives without compiling it.

use std::collections::HashMap;
use std::sync::OnceLock;

use cucumber::codegen::Regex;
use cucumber::step::Location;
use cucumber_expressions::expand::IntoRegexCharIter as _;
use cucumber_expressions::{Expression, SingleExpression};

/// How a step attribute writes its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// `#[then("the person is registered")]`: the text itself, word for word.
    Literal,
    /// `#[given(expr = "the customer's {string} is {value}")]`: a cucumber expression.
    Expression,
    /// `#[when(regex = "^...$")]`: a regular expression.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "no step in steps/ is written so yet; build.rs reads one"
        )
    )]
    Regex,
}

/// Every step attribute in `steps/`: file, step type (0 Given, 1 When, 2 Then), line and
/// column of its `#`, kind and pattern.
const WRITTEN: &[(&str, usize, u32, u32, PatternKind, &str)] =
    include!(concat!(env!("OUT_DIR"), "/step_patterns.rs"));

/// The custom parameter types in `steps/` (`{market}`): name and regex.
const PARAMETERS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/step_parameters.rs"));

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
    /// The pattern of the definition of step type `ty` (0 Given, 1 When, 2 Then) at
    /// `location`, which `compile` compiles (cucumber's).
    pub fn new(ty: usize, location: Location, compile: fn() -> Regex) -> Self {
        let written = WRITTEN
            .iter()
            .find(|(file, t, line, column, ..)| {
                (*t, *line, *column) == (ty, location.line, location.column)
                    && ends_with_file(location.path, file)
            })
            .map(|(.., kind, text)| (*kind, *text));
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

    /// The regex cucumber makes of the pattern, as the reports name it: made from the
    /// pattern as written, without compiling it, when the build read it; else compiled.
    pub fn source(&self) -> String {
        self.written_source()
            .unwrap_or_else(|| self.regex().as_str().to_owned())
    }

    /// [`Pattern::source`] made from the pattern as written; `None` when the build did not
    /// read it, or it uses a parameter type the build did not read.
    pub fn written_source(&self) -> Option<String> {
        match self.written? {
            (PatternKind::Expression, text) => expand(text),
            (PatternKind::Literal, text) => Some(format!("^{}$", regex::escape(text))),
            (PatternKind::Regex, text) => Some(text.to_owned()),
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
            PatternKind::Literal => Some(Parts::exactly(text.to_owned())),
            PatternKind::Expression => expression_parts(text),
            PatternKind::Regex => None,
        }
    }

    /// The parts of a pattern that matches `text` alone.
    fn exactly(text: String) -> Parts {
        Parts {
            start: text,
            middle: Vec::new(),
            end: String::new(),
            exact: true,
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

/// The regex cucumber makes of `expression` (with the custom parameter types of `steps/`), as
/// its expression parser expands it; `None` when it names another parameter type, or one
/// whose regex's groups cannot be renamed.
fn expand(expression: &str) -> Option<String> {
    let parameters: HashMap<&str, &str> = PARAMETERS.iter().copied().collect();
    Expression::parse(expression)
        .ok()?
        .with_parameters(&parameters)
        .into_regex_char_iter()
        .collect::<Result<String, _>>()
        .ok()
}

/// The literal parts of a cucumber expression, as cucumber's parser reads it: its text and
/// whitespace (each escaped character for itself), between parameters (`{int}`), optional
/// text (`(s)`) and alternatives (`call/calls`), which may match anything or nothing. `None`
/// when it does not parse.
fn expression_parts(expression: &str) -> Option<Parts> {
    let parsed = Expression::parse(expression).ok()?;
    // Literal runs, with `None` for a gap between them.
    let mut pieces: Vec<Option<String>> = Vec::new();
    for single in parsed.0 {
        match single {
            SingleExpression::Text(text) | SingleExpression::Whitespaces(text) => {
                let mut chars = text.chars();
                let mut literal = String::new();
                while let Some(c) = chars.next() {
                    // As cucumber expands it: a backslash stands for the character after it.
                    literal.extend(if c == '\\' { chars.next() } else { Some(c) });
                }
                match pieces.last_mut() {
                    Some(Some(run)) => run.push_str(&literal),
                    _ => pieces.push(Some(literal)),
                }
            }
            SingleExpression::Alternation(_)
            | SingleExpression::Optional(_)
            | SingleExpression::Parameter(_) => pieces.push(None),
        }
    }
    let anchored_start = pieces.first().is_none_or(Option::is_some);
    let anchored_end = pieces.last().is_none_or(Option::is_some);
    let mut runs: Vec<String> = pieces.into_iter().flatten().collect();
    if runs.len() <= 1 && anchored_start && anchored_end {
        // No gap: the text itself.
        return Some(Parts::exactly(runs.pop().unwrap_or_default()));
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
    Some(Parts {
        start,
        middle: runs,
        end,
        exact: false,
    })
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
        let of = |e| expression_parts(e).expect("parses");
        assert_eq!(
            of("the customer's {string} is {value}"),
            parts("the customer's ", &[" is "], "")
        );
        assert_eq!(
            of("the IDnow attempts list {int} call(s) that did not succeed"),
            parts(
                "the IDnow attempts list ",
                &[" call"],
                " that did not succeed"
            )
        );
        assert_eq!(
            of("{int} persons identical to the customer are already registered"),
            parts(
                "",
                &[],
                " persons identical to the customer are already registered"
            )
        );
        assert_eq!(
            of("the card is active/inactive now"),
            parts("the card is ", &[], " now")
        );
        assert_eq!(of("a call(s)/calls to {word}"), parts("a ", &[" to "], ""));
        assert_eq!(
            of(r"costs \(about\) {int} EUR"),
            parts("costs (about) ", &[], " EUR")
        );
        assert_eq!(of(r"a \/ b"), Parts::exactly("a / b".into()));
    }

    /// Every text cucumber's regex for an expression matches has the expression's literal
    /// parts; some texts it does not match are ruled out.
    #[test]
    fn literal_parts_never_rule_out_a_text_the_expression_matches() {
        let cases: &[(&str, &[&str])] = &[
            ("x(a}b)y", &["xy", "xa}by", "xb"]),
            ("x(a b)/c y", &["c y", "x a b y", "x y", "xy"]),
            ("c/x(a b)y", &["c", "xa by", "xy", "x"]),
            ("x\ty/z", &["z", "x\ty", "x\tz"]),
            ("x\u{a0}y/z w", &["z w", "x\u{a0}y w", "x w"]),
            (r"a \{b\} {int}", &["a {b} 3", "a b 3", "a {b} x"]),
            (r"back\\slash {word}", &["back\\slash x", "backslash x"]),
            (
                "{int} call(s) made",
                &["1 call made", "2 calls made", "1 made"],
            ),
            ("{}", &["", "anything"]),
            ("", &["", "x"]),
            (
                "{string} and/or {string}",
                &[r#""a" and "b""#, r#""a" or "b""#, r#""a" nor "b""#],
            ),
            (
                r"the \({word}\) end",
                &["the (x) end", "the x end", "the () end"],
            ),
        ];
        let mut ruled_out = 0;
        for (expression, texts) in cases {
            let regex = Expression::regex(*expression).expect("a valid expression");
            let parts = expression_parts(expression).expect("parses");
            for text in *texts {
                if regex.is_match(text) {
                    assert!(
                        parts.found_in(text),
                        "{expression:?} matches {text:?}: {parts:?}"
                    );
                } else if !parts.found_in(text) {
                    ruled_out += 1;
                }
            }
        }
        assert!(ruled_out >= 6, "only {ruled_out} texts ruled out");
    }

    #[test]
    fn an_expression_expands_as_cucumber_expands_it() {
        for expression in [
            "the customer's {string} is {int}",
            "{word} call(s)/calls",
            r"a \(b\)",
        ] {
            assert_eq!(
                expand(expression),
                Some(
                    Expression::regex(expression)
                        .expect("valid")
                        .as_str()
                        .to_owned()
                )
            );
        }
        assert_eq!(expand("a {nowhere}"), None);
    }

    #[test]
    fn a_text_must_have_every_literal_part_in_order() {
        let of = |e| expression_parts(e).expect("parses");
        let p = of("the customer's {string} is {value}");
        assert!(p.found_in(r#"the customer's "first_name" is "Ada""#));
        assert!(!p.found_in(r#"the customer's "first_name" was "Ada""#));
        assert!(!p.found_in(r#"the partner's "first_name" is "Ada""#));
        let p = of("{int} is {int} or {int}");
        assert!(p.found_in("1 is 2 or 3"));
        assert!(!p.found_in("1 or 2 is 3"));
        // The start and the end may not overlap.
        let p = of("ab{word}ba");
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
