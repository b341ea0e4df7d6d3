//! Legacy Cucumber JSON, the format Jenkins' Cucumber Reports plugin and its kin read:
//! [`to_json`] renders a [`RunReport`] as an array of features, each with its scenarios as
//! `elements` (a `background` element before each scenario that has Background steps).
//!
//! Statuses are `passed`, `failed`, `skipped` and `undefined`; a not-applicable scenario's
//! steps are `skipped`, an ambiguous step `failed`. Durations are in nanoseconds. Only the
//! counted attempt of a retried scenario appears: the format has no notion of retries.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use std::io;

use super::ReportError;
use super::document::{self, FeatureChild, Ids, Pickle, RuleChild};
use super::model::{FeatureReport, Iter, RunReport, ScenarioReport, Status, StepReport};
use crate::json::{FLUSH_AT, write_list, write_str, write_strs, write_uint};

/// The whole run as Cucumber JSON, ending with a newline.
///
/// Compact: the tools that read Cucumber JSON parse it, and indentation doubled the file (8 MB
/// for 1,000 journeys instead of 4) and its writing time, in the run's last stretch.
pub fn to_json(report: &RunReport) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_to(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`to_json`] to `path` atomically.
pub fn write(report: &RunReport, path: &Path) -> Result<(), ReportError> {
    super::write_atomically_with(path, |out| {
        write_to(report, out)?;
        report.read_back()
    })
}

/// Streams [`to_json`] to `out`, one scenario at a time: a suite of any size costs the
/// memory of one scenario's JSON, not of the whole document.
///
/// The JSON is written by hand, byte for byte as serde_json writes the typed values below
/// (a test holds the two to the same bytes): serde went through a call per field and escaped
/// every key a byte at a time.
fn write_to(report: &RunReport, out: &mut impl io::Write) -> io::Result<()> {
    // Each step definition's `file:line`, made once rather than for every step.
    let locations: Vec<String> = report
        .step_definitions
        .iter()
        .map(|d| format!("{}:{}", d.file, d.line))
        .collect();
    // The run's start, read once rather than for every scenario.
    let started = chrono::DateTime::parse_from_rfc3339(&report.started_at).ok();
    let context = Context {
        started,
        locations: &locations,
    };
    let mut buf = Vec::with_capacity(FLUSH_AT);
    buf.push(b'[');
    for (i, feature) in report.features.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write_feature(&mut buf, &context, feature, out)?;
    }
    buf.extend_from_slice(b"]\n");
    out.write_all(&buf)
}

/// What every element of the file needs of the run.
struct Context<'a> {
    started: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// `file:line` of each step definition, by index.
    locations: &'a [String],
}

/// A feature, its elements made from one scenario at a time (read back, if it was spilled,
/// just before it is written) and handed to `out` as the buffer fills.
///
/// The feature file's pickles are made alongside, one at a time, and each scenario is written
/// as its pickle comes (both go in line order): a large outline's pickles are never all held.
fn write_feature(
    buf: &mut Vec<u8>,
    context: &Context<'_>,
    feature: &FeatureReport,
    out: &mut impl io::Write,
) -> io::Result<()> {
    // The ids the document and its pickles are given are not written here.
    let mut ids = Ids::default();
    let parsed = feature
        .source
        .as_ref()
        .map(|source| document::parse(&feature.path, source, &mut ids));
    let written = parsed.as_ref().and_then(Written::of);
    let id = slug(&feature.name);
    let (keyword, description, line, tags) = match &written {
        Some(w) => (
            w.keyword.as_str(),
            w.description.as_str(),
            w.line,
            w.tags
                .iter()
                .map(|(name, line)| Tag {
                    line: *line,
                    name: Cow::Borrowed(name),
                })
                .collect(),
        ),
        None => ("Feature", "", 1, unwritten_tags(&feature.tags)),
    };
    // Keys in alphabetical order, as a `serde_json::Value` writes them.
    buf.extend_from_slice(b"{\"description\":");
    write_str(buf, description);
    buf.extend_from_slice(b",\"elements\":[");
    let mut sink = Elements {
        context,
        id: &id,
        tag_lines: written.as_ref().map(|w| &w.tag_lines),
        first: true,
        buf,
        out,
    };
    let mut scenarios = feature.scenarios.iter().peekable();
    if let (Some(doc), Some(w)) = (&parsed, &written) {
        if feature.scenarios.briefs().is_sorted_by_key(|b| b.line) {
            // The first write that fails ends the feature; the pickles after it are not used.
            let mut failed = None;
            document::for_each_pickle(doc, &mut ids, &mut |pickle| {
                if failed.is_none() {
                    failed = sink.meet(&mut scenarios, pickle, w).err();
                }
            });
            if let Some(e) = failed {
                return Err(e);
            }
        } else {
            // Out of line order (a report put together by hand): the pickles of its lines are
            // gathered first.
            let lines: HashSet<usize> = feature.scenarios.briefs().map(|b| b.line).collect();
            let mut pickles = HashMap::new();
            document::for_each_pickle(doc, &mut ids, &mut |pickle| {
                if lines.contains(&pickle.runner_line) {
                    pickles.insert(pickle.runner_line, w.scenario(pickle));
                }
            });
            for s in scenarios.by_ref() {
                sink.write(&s, pickles.get(&s.line))?;
            }
        }
    }
    for s in scenarios {
        sink.write(&s, None)?;
    }
    let buf = sink.buf;
    buf.extend_from_slice(b"],\"id\":");
    write_str(buf, &id);
    buf.extend_from_slice(b",\"keyword\":");
    write_str(buf, keyword);
    buf.extend_from_slice(b",\"line\":");
    write_uint(buf, line as u64);
    buf.extend_from_slice(b",\"name\":");
    write_str(buf, &feature.name);
    buf.extend_from_slice(b",\"tags\":");
    write_tags(buf, &tags);
    buf.extend_from_slice(b",\"uri\":");
    write_str(buf, feature.path.trim_start_matches("./"));
    buf.push(b'}');
    Ok(())
}

/// Writes a feature's elements into its buffer, handing the buffer to `out` as it fills.
struct Elements<'a, 'b, W: io::Write> {
    context: &'a Context<'a>,
    /// The feature's id.
    id: &'a str,
    /// The written line of each tag, by its id in the feature file.
    tag_lines: Option<&'a HashMap<String, usize>>,
    first: bool,
    buf: &'b mut Vec<u8>,
    out: &'b mut W,
}

impl<W: io::Write> Elements<'_, '_, W> {
    /// Writes the scenarios before `pickle` (in line order) without one, then the ones it is
    /// the pickle of.
    fn meet(
        &mut self,
        scenarios: &mut std::iter::Peekable<Iter<'_>>,
        pickle: Pickle,
        written: &Written,
    ) -> io::Result<()> {
        let line = pickle.runner_line;
        while let Some(s) = scenarios.next_if(|s| s.line < line) {
            self.write(&s, None)?;
        }
        if scenarios.peek().is_some_and(|s| s.line == line) {
            let this = written.scenario(pickle);
            while let Some(s) = scenarios.next_if(|s| s.line == line) {
                self.write(&s, Some(&this))?;
            }
        }
        Ok(())
    }

    /// Writes `scenario`'s elements, with what the feature file says of it when its pickle
    /// is known.
    fn write(
        &mut self,
        scenario: &ScenarioReport,
        pickle: Option<&WrittenScenario>,
    ) -> io::Result<()> {
        for element in elements(self.context, pickle, self.tag_lines, self.id, scenario) {
            if !self.first {
                self.buf.push(b',');
            }
            self.first = false;
            element.write(self.buf);
        }
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

/// `German retail onboarding` → `german-retail-onboarding`.
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A scenario as the feature file writes it: its pickle, its description, and for an
/// Examples row the block's name and the row's number.
type WrittenScenario = (Pickle, String, Option<(String, usize)>);

/// What the feature file says beyond the report: keywords, descriptions, tag lines.
struct Written {
    keyword: String,
    description: String,
    line: usize,
    /// The feature's tags, with the line each is written on.
    tags: Vec<(String, usize)>,
    /// Each scenario's description and Examples blocks (line and name), by its id.
    scenarios: HashMap<String, (String, Vec<(usize, String)>)>,
    tag_lines: HashMap<String, usize>,
}

impl Written {
    fn of(doc: &document::GherkinDocument) -> Option<Written> {
        let parsed = doc.feature.as_ref()?;
        let mut tag_lines = HashMap::new();
        let mut scenario_info: HashMap<String, (String, Vec<(usize, String)>)> = HashMap::new();
        let mut scenarios = Vec::new();
        for child in &parsed.children {
            match child {
                FeatureChild::Scenario(s) => scenarios.push(s),
                FeatureChild::Rule(r) => {
                    for t in &r.tags {
                        tag_lines.insert(t.id.clone(), t.location.line);
                    }
                    for c in &r.children {
                        if let RuleChild::Scenario(s) = c {
                            scenarios.push(s);
                        }
                    }
                }
                FeatureChild::Background(_) => {}
            }
        }
        for t in &parsed.tags {
            tag_lines.insert(t.id.clone(), t.location.line);
        }
        for s in scenarios {
            for t in s.tags.iter().chain(s.examples.iter().flat_map(|e| &e.tags)) {
                tag_lines.insert(t.id.clone(), t.location.line);
            }
            // An Examples block without a name is named by its keyword.
            let examples = s
                .examples
                .iter()
                .map(|e| {
                    let name = if e.name.is_empty() {
                        &e.keyword
                    } else {
                        &e.name
                    };
                    (e.location.line, name.clone())
                })
                .collect();
            scenario_info.insert(s.id.clone(), (s.description.clone(), examples));
        }
        Some(Written {
            keyword: parsed.keyword.clone(),
            description: parsed.description.clone(),
            line: parsed.location.line,
            tags: parsed
                .tags
                .iter()
                .map(|t| (t.name.clone(), t.location.line))
                .collect(),
            scenarios: scenario_info,
            tag_lines,
        })
    }

    /// What the file says of the scenario `p` is a pickle of.
    fn scenario(&self, mut p: Pickle) -> WrittenScenario {
        let (description, examples) = p
            .ast_node_ids
            .first()
            .and_then(|id| self.scenarios.get(id))
            .map(|(d, e)| (d.as_str(), e.as_slice()))
            .unwrap_or_default();
        // For an Examples row: the block it sits in (the last one above it) and its number.
        let row = (p.ast_node_ids.len() > 1)
            .then(|| {
                examples
                    .iter()
                    .rev()
                    .find(|(line, _)| *line < p.location.line)
                    .map(|(line, name)| (name.clone(), p.runner_line - line))
            })
            .flatten();
        // Elements are written from the report's steps: the pickle's are not needed (and on
        // the out-of-order path a feature's pickles are held until it is written).
        p.steps = Vec::new();
        p.ast_node_ids = Vec::new();
        let description = description.to_owned();
        (p, description, row)
    }
}

/// A scenario's elements: its Background (when it has Background steps), then itself.
fn elements<'a>(
    context: &Context<'a>,
    pickle: Option<&'a WrittenScenario>,
    tag_lines: Option<&HashMap<String, usize>>,
    id: &str,
    scenario: &'a ScenarioReport,
) -> Vec<Element<'a>> {
    let locations = context.locations;
    let mut elements = Vec::with_capacity(2);
    let background: Vec<&StepReport> = scenario.steps.iter().filter(|s| s.background).collect();
    if !background.is_empty() {
        let first = background.first().map_or(0, |s| s.line);
        elements.push(Element {
            description: "",
            id: None,
            keyword: "Background",
            line: first.saturating_sub(1),
            name: "",
            start_timestamp: None,
            steps: background
                .iter()
                .map(|s| step(locations, scenario, s))
                .collect(),
            tags: None,
            kind: "background",
        });
    }
    let (keyword, description, element_id) = match pickle {
        Some((p, description, row)) => {
            let mut element_id = format!("{id};{}", slug(&p.name));
            if let Some((examples, n)) = row {
                element_id = format!("{id};{};{};{n}", slug(&p.name), slug(examples));
            }
            (p.keyword.as_str(), description.as_str(), element_id)
        }
        None => ("Scenario", "", format!("{id};{}", slug(&scenario.name))),
    };
    let tags: Vec<Tag<'a>> = match (pickle, tag_lines) {
        (Some((p, ..)), Some(tag_lines)) => p
            .tags
            .iter()
            .map(|t| Tag {
                line: tag_lines.get(&t.ast_node_id).copied().unwrap_or(0),
                name: Cow::Borrowed(&t.name),
            })
            .collect(),
        _ => unwritten_tags(&scenario.tags),
    };
    elements.push(Element {
        description,
        id: Some(element_id),
        keyword,
        line: scenario.line,
        name: &scenario.name,
        start_timestamp: start_timestamp(context.started, scenario),
        steps: scenario
            .steps
            .iter()
            .filter(|s| !s.background)
            .map(|s| step(locations, scenario, s))
            .collect(),
        tags: Some(tags),
        kind: "scenario",
    });
    elements
}

// An element and its steps, as typed values written by hand (`Element::write`), fields in
// alphabetical order as a parsed `serde_json::Value` would write its keys, with the fields
// serde would leave out left out. In tests they are serialised by serde too, to check that the
// two write the same bytes.

#[cfg_attr(test, derive(serde::Serialize))]
struct Element<'a> {
    description: &'a str,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    id: Option<String>,
    keyword: &'a str,
    line: usize,
    name: &'a str,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    start_timestamp: Option<String>,
    steps: Vec<Step<'a>>,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    tags: Option<Vec<Tag<'a>>>,
    #[cfg_attr(test, serde(rename = "type"))]
    kind: &'static str,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Tag<'a> {
    line: usize,
    name: Cow<'a, str>,
}

/// Tags known only from the report (the feature file could not be read again): no line.
fn unwritten_tags(tags: &[String]) -> Vec<Tag<'static>> {
    tags.iter()
        .map(|t| Tag {
            line: 0,
            name: Cow::Owned(format!("@{t}")),
        })
        .collect()
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Step<'a> {
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    doc_string: Option<DocString<'a>>,
    keyword: Cow<'a, str>,
    line: usize,
    #[cfg_attr(test, serde(rename = "match"))]
    matched: Match<'a>,
    name: &'a str,
    result: StepResult<'a>,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    rows: Option<Vec<Row<'a>>>,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct DocString<'a> {
    content_type: &'static str,
    line: usize,
    value: &'a str,
}

/// The step definition that matched: empty (`{}`) for an undefined or ambiguous step.
#[cfg_attr(test, derive(serde::Serialize))]
struct Match<'a> {
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    arguments: Option<Vec<Argument<'a>>>,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    location: Option<&'a str>,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Argument<'a> {
    offset: usize,
    val: &'a str,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct StepResult<'a> {
    duration: u64,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    error_message: Option<&'a str>,
    status: &'static str,
}

#[cfg_attr(test, derive(serde::Serialize))]
struct Row<'a> {
    cells: &'a [String],
}

// What the file holds of each scenario, written by hand in the order of the fields above
// (the order serde writes them in, with the same fields left out).

impl Element<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"description\":");
        write_str(out, self.description);
        if let Some(id) = &self.id {
            out.extend_from_slice(b",\"id\":");
            write_str(out, id);
        }
        out.extend_from_slice(b",\"keyword\":");
        write_str(out, self.keyword);
        out.extend_from_slice(b",\"line\":");
        write_uint(out, self.line as u64);
        out.extend_from_slice(b",\"name\":");
        write_str(out, self.name);
        if let Some(at) = &self.start_timestamp {
            out.extend_from_slice(b",\"start_timestamp\":");
            write_str(out, at);
        }
        out.extend_from_slice(b",\"steps\":");
        write_list(out, self.steps.iter(), |out, step| {
            step.write(out);
        });
        if let Some(tags) = &self.tags {
            out.extend_from_slice(b",\"tags\":");
            write_tags(out, tags);
        }
        out.extend_from_slice(b",\"type\":");
        write_str(out, self.kind);
        out.push(b'}');
    }
}

fn write_tags(out: &mut Vec<u8>, tags: &[Tag<'_>]) {
    write_list(out, tags.iter(), |out, tag| {
        out.extend_from_slice(b"{\"line\":");
        write_uint(out, tag.line as u64);
        out.extend_from_slice(b",\"name\":");
        write_str(out, &tag.name);
        out.push(b'}');
    });
}

impl Step<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        if let Some(doc) = &self.doc_string {
            out.extend_from_slice(b"\"doc_string\":{\"content_type\":");
            write_str(out, doc.content_type);
            out.extend_from_slice(b",\"line\":");
            write_uint(out, doc.line as u64);
            out.extend_from_slice(b",\"value\":");
            write_str(out, doc.value);
            out.extend_from_slice(b"},");
        }
        out.extend_from_slice(b"\"keyword\":");
        write_str(out, &self.keyword);
        out.extend_from_slice(b",\"line\":");
        write_uint(out, self.line as u64);
        out.extend_from_slice(b",\"match\":{");
        if let Some(arguments) = &self.matched.arguments {
            out.extend_from_slice(b"\"arguments\":");
            write_list(out, arguments.iter(), |out, argument| {
                out.extend_from_slice(b"{\"offset\":");
                write_uint(out, argument.offset as u64);
                out.extend_from_slice(b",\"val\":");
                write_str(out, argument.val);
                out.push(b'}');
            });
        }
        if let Some(location) = self.matched.location {
            if self.matched.arguments.is_some() {
                out.push(b',');
            }
            out.extend_from_slice(b"\"location\":");
            write_str(out, location);
        }
        out.extend_from_slice(b"},\"name\":");
        write_str(out, self.name);
        out.extend_from_slice(b",\"result\":{\"duration\":");
        write_uint(out, self.result.duration);
        if let Some(message) = self.result.error_message {
            out.extend_from_slice(b",\"error_message\":");
            write_str(out, message);
        }
        out.extend_from_slice(b",\"status\":");
        write_str(out, self.result.status);
        out.push(b'}');
        if let Some(rows) = &self.rows {
            out.extend_from_slice(b",\"rows\":");
            write_list(out, rows.iter(), |out, row| {
                out.extend_from_slice(b"{\"cells\":");
                write_strs(out, row.cells);
                out.push(b'}');
            });
        }
        out.push(b'}');
    }
}

fn start_timestamp(
    started: Option<chrono::DateTime<chrono::FixedOffset>>,
    scenario: &ScenarioReport,
) -> Option<String> {
    let at = started? + chrono::Duration::from_std(scenario.started).ok()?;
    Some(
        at.with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
    )
}

fn step<'a>(locations: &'a [String], scenario: &ScenarioReport, step: &'a StepReport) -> Step<'a> {
    let status = if step.undefined() {
        "undefined"
    } else if step.matches.len() > 1 {
        "failed"
    } else {
        match (scenario.status, step.status) {
            (Status::NotApplicable, _) => "skipped",
            (_, Status::Passed) => "passed",
            (_, Status::Failed) => "failed",
            (_, Status::Skipped | Status::NotApplicable) => "skipped",
        }
    };
    let matched = match step.matches.as_slice() {
        [only] => locations.get(only.definition).map(|location| Match {
            arguments: Some(
                only.arguments
                    .iter()
                    .map(|a| Argument {
                        offset: a.start,
                        val: &a.value,
                    })
                    .collect(),
            ),
            location: Some(location),
        }),
        _ => None,
    };
    Step {
        doc_string: step.docstring.as_deref().map(|value| DocString {
            content_type: "",
            line: step.line + 1,
            value,
        }),
        // As Gherkin gives it ("When "), unless it needs trimming.
        keyword: match step.keyword.strip_suffix(' ') {
            Some(word) if word.trim() == word && !word.is_empty() => Cow::Borrowed(&step.keyword),
            _ => Cow::Owned(format!("{} ", step.keyword.trim())),
        },
        line: step.line,
        matched: matched.unwrap_or(Match {
            arguments: None,
            location: None,
        }),
        name: &step.text,
        result: StepResult {
            duration: u64::try_from(step.duration.as_nanos()).unwrap_or(u64::MAX),
            error_message: step.error.as_deref().filter(|_| status != "undefined"),
            status,
        },
        rows: step
            .table
            .as_ref()
            .map(|table| table.iter().map(|row| Row { cells: row }).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;
    use serde_json::{Value, json};

    /// The texts of an element, owned, for the property test to lend out.
    #[derive(Debug)]
    struct Texts {
        words: Vec<String>,
        cells: Vec<String>,
        /// Which optional parts are there.
        parts: [bool; 8],
        numbers: [usize; 4],
        nanos: u64,
    }

    impl Texts {
        fn word(&self, i: usize) -> &str {
            &self.words[i % self.words.len()]
        }

        fn element(&self) -> Element<'_> {
            let [id, at, tags, doc, arguments, location, error, rows] = self.parts;
            let step = |n: usize| Step {
                doc_string: doc.then(|| DocString {
                    content_type: "",
                    line: n + 1,
                    value: self.word(n + 1),
                }),
                keyword: Cow::Borrowed(self.word(n + 2)),
                line: n,
                matched: Match {
                    arguments: arguments.then(|| {
                        (0..n % 3)
                            .map(|i| Argument {
                                offset: i,
                                val: self.word(i + 3),
                            })
                            .collect()
                    }),
                    location: location.then(|| self.word(n + 4)),
                },
                name: self.word(n + 5),
                result: StepResult {
                    duration: self.nanos,
                    error_message: error.then(|| self.word(n + 6)),
                    status: "failed",
                },
                rows: rows.then(|| {
                    vec![
                        Row { cells: &self.cells },
                        Row {
                            cells: &self.cells[..self.cells.len() / 2],
                        },
                    ]
                }),
            };
            Element {
                description: self.word(0),
                id: id.then(|| self.word(7).to_owned()),
                keyword: self.word(8),
                line: self.numbers[0],
                name: self.word(9),
                start_timestamp: at.then(|| self.word(10).to_owned()),
                steps: self.numbers[1..].iter().map(|&n| step(n)).collect(),
                tags: tags.then(|| {
                    self.words
                        .iter()
                        .take(self.numbers[3] % 4)
                        .map(|w| Tag {
                            line: w.len(),
                            name: Cow::Borrowed(w),
                        })
                        .collect()
                }),
                kind: "scenario",
            }
        }
    }

    proptest::proptest! {
        /// An element written by hand is the bytes serde_json writes for its typed value,
        /// whatever its texts hold and whichever of its optional parts are there.
        #[test]
        fn a_hand_written_element_is_what_serde_writes(
            words in proptest::collection::vec(crate::json::any_text(), 1..12),
            cells in proptest::collection::vec(crate::json::any_text(), 0..4),
            parts in proptest::prelude::any::<[bool; 8]>(),
            numbers in proptest::prelude::any::<[usize; 4]>(),
            nanos in proptest::prelude::any::<u64>(),
        ) {
            let texts = Texts { words, cells, parts, numbers: numbers.map(|n| n % 1000), nanos };
            let element = texts.element();
            let mut out = Vec::new();
            element.write(&mut out);
            proptest::prop_assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&element).unwrap()
            );
        }
    }

    #[test]
    fn the_sample_run_matches_its_golden_file() {
        let written = to_json(&sample::run_report());
        assert!(
            written.ends_with("]\n") && written.lines().count() == 1,
            "compact, one line"
        );
        // Indented here, for a golden file a reviewer can read. Keys are written in the order
        // a parsed value keeps them (sorted), so this is the written document, laid out.
        let value: Value = serde_json::from_str(&written).expect("JSON");
        assert_eq!(serde_json::to_string(&value).expect("JSON") + "\n", written);
        insta::assert_snapshot!(serde_json::to_string_pretty(&value).expect("JSON"));
    }

    #[test]
    fn ids_are_slugs_and_outline_rows_name_their_examples() {
        let value: Value = serde_json::from_str(&to_json(&sample::run_report())).unwrap();
        assert_eq!(value[0]["id"], "german-retail-onboarding");
        assert_eq!(value[0]["keyword"], "Feature");
        assert_eq!(
            value[0]["description"],
            "  A partner onboards a retail customer in Germany."
        );
        assert_eq!(
            value[0]["tags"],
            json!([{ "name": "@onboarding", "line": 1 }])
        );
        let first = &value[0]["elements"][0];
        assert_eq!(
            first["id"],
            "german-retail-onboarding;a-customer-goes-from-consents-to-an-active-card"
        );
        assert_eq!(
            first["tags"],
            json!([{ "name": "@onboarding", "line": 1 }, { "name": "@cards", "line": 5 }])
        );
        assert_eq!(first["start_timestamp"], "2025-01-15T10:00:00.323Z");
        let outline = &value[1]["elements"][1];
        assert_eq!(outline["keyword"], "Scenario Outline");
        assert_eq!(
            outline["id"],
            "sepa-payouts;a-returned-payout-is-refunded;examples;2"
        );
        assert_eq!(outline["steps"][0]["result"]["status"], "skipped");
    }

    #[test]
    fn scenarios_out_of_line_order_still_meet_their_pickles() {
        // In line order, each scenario is written as its pickle is made; out of order (a
        // report put together by hand), the pickles of its lines are gathered first. Either
        // way each element is the same.
        let sorted = sample::run_report();
        let mut reversed = sorted.clone();
        for feature in &mut reversed.features {
            let mut scenarios = feature.scenarios.in_memory().unwrap().clone();
            scenarios.reverse();
            feature.scenarios = scenarios.into();
        }
        let sorted: Value = serde_json::from_str(&to_json(&sorted)).unwrap();
        let reversed: Value = serde_json::from_str(&to_json(&reversed)).unwrap();
        let by_line = |v: &Value| -> Vec<Vec<(u64, String)>> {
            let features = v.as_array().unwrap();
            features
                .iter()
                .map(|f| {
                    let mut elements: Vec<(u64, String)> = f["elements"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| (e["line"].as_u64().unwrap(), e.to_string()))
                        .collect();
                    elements.sort();
                    elements
                })
                .collect()
        };
        let multi = sorted
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["elements"].as_array().unwrap().len() > 1);
        assert!(multi, "a feature with more than one element, to reverse");
        assert_ne!(sorted, reversed, "written in the report's order");
        assert_eq!(by_line(&sorted), by_line(&reversed));
        // The outline's rows keep the ids their Examples block gives them.
        assert!(
            reversed
                .to_string()
                .contains("sepa-payouts;a-returned-payout-is-refunded;examples;2")
        );
    }

    #[test]
    fn steps_carry_results_tables_and_where_their_code_is() {
        let value: Value = serde_json::from_str(&to_json(&sample::run_report())).unwrap();
        let failed = &value[0]["elements"][1]["steps"];
        assert_eq!(failed[2]["result"]["status"], "failed");
        assert_eq!(failed[2]["result"]["error_message"], sample::FAILED_ERROR);
        assert_eq!(failed[2]["result"]["duration"], 5_000_000);
        assert_eq!(failed[2]["match"]["location"], "steps/sample.rs:60");
        assert_eq!(failed[3]["keyword"], "And ");
        assert_eq!(
            failed[3]["match"]["arguments"],
            json!([{ "val": "500", "offset": 18 }])
        );
        let long = &value[0]["elements"][2]["steps"][0];
        assert_eq!(
            long["rows"],
            json!([{ "cells": ["country", "tin"] }, { "cells": ["US", "123456789"] }])
        );
    }

    #[test]
    fn undefined_steps_and_backgrounds_read_as_cucumber_writes_them() {
        let mut report = sample::run_report();
        let scenario = &mut report.features[0].scenarios[1];
        scenario.steps[0].background = true;
        scenario.steps[1].matches.clear();

        let value: Value = serde_json::from_str(&to_json(&report)).unwrap();
        let elements = value[0]["elements"].as_array().unwrap();
        assert_eq!(elements[1]["type"], "background");
        assert_eq!(elements[1]["steps"].as_array().unwrap().len(), 1);
        assert_eq!(elements[2]["type"], "scenario");
        assert_eq!(elements[2]["steps"][0]["result"]["status"], "undefined");
        assert_eq!(elements[2]["steps"][0]["match"], json!({}));
    }
}
