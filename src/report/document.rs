//! A feature file as the Cucumber Messages protocol describes it: [`parse`] reads its text into
//! a [`GherkinDocument`] with a location for every keyword, tag, table row and cell, and
//! [`pickles`] compiles its scenarios (one per Examples row for an outline) the way every
//! Cucumber implementation does.
//!
//! The runner has already parsed the file with the `gherkin` crate, which reports syntax
//! errors; this reader adds what that crate leaves out (tag and cell locations, comments,
//! doc string delimiters, verbatim descriptions) and is lenient: it never fails. English
//! keywords only, like the rest of the runner.

use serde::Serialize;

/// Hands out the ids every message shares: `"0"`, `"1"`, … in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ids(usize);

impl Ids {
    /// Passes over the next `n` ids, as if they had been handed out.
    pub fn skip(&mut self, n: usize) {
        self.0 += n;
    }

    pub fn next_id(&mut self) -> String {
        let id = itoa::Buffer::new().format(self.0).to_owned();
        self.0 += 1;
        id
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub column: usize,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GherkinDocument {
    pub comments: Vec<Comment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<Feature>,
    pub uri: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub location: Location,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub id: String,
    pub location: Location,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Feature {
    pub children: Vec<FeatureChild>,
    pub description: String,
    pub keyword: String,
    pub language: String,
    pub location: Location,
    pub name: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FeatureChild {
    Background(Background),
    Scenario(Scenario),
    Rule(Rule),
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub children: Vec<RuleChild>,
    pub description: String,
    pub id: String,
    pub keyword: String,
    pub location: Location,
    pub name: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleChild {
    Background(Background),
    Scenario(Scenario),
}

#[derive(Debug, Clone, Serialize)]
pub struct Background {
    pub description: String,
    pub id: String,
    pub keyword: String,
    pub location: Location,
    pub name: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub description: String,
    pub examples: Vec<Examples>,
    pub id: String,
    pub keyword: String,
    pub location: Location,
    pub name: String,
    pub steps: Vec<Step>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Examples {
    pub description: String,
    pub id: String,
    pub keyword: String,
    pub location: Location,
    pub name: String,
    pub table_body: Vec<TableRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_header: Option<TableRow>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_table: Option<DataTable>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_string: Option<DocString>,
    pub id: String,
    /// With its trailing space: `"Given "`.
    pub keyword: String,
    pub keyword_type: &'static str,
    pub location: Location,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocString {
    pub content: String,
    pub delimiter: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataTable {
    pub location: Location,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRow {
    pub cells: Vec<TableCell>,
    pub id: String,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCell {
    pub location: Location,
    pub value: String,
}

/// A scenario ready to run: one per scenario, one per Examples row of an outline. Here, as in
/// every document type above, the fields are in the order of their names as written: a
/// message is the same whether it is written from the struct or from its `serde_json::Value`
/// (which sorts them). The Cucumber Messages writer writes a pickle by hand
/// (`impl Written for Pickle` in `messages.rs`), byte for byte as serde writes this struct: a
/// field added here or to the pickle types below is added there too (its property test fails
/// until it is).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pickle {
    pub ast_node_ids: Vec<String>,
    pub id: String,
    pub language: String,
    pub location: Location,
    pub name: String,
    pub steps: Vec<PickleStep>,
    pub tags: Vec<PickleTag>,
    pub uri: String,
    /// The line cucumber-rs gives this scenario: the scenario's own line, or for the `n`th
    /// (0-based) row of an Examples block, the block's line + n + 2. The runner's reports use
    /// it to name a scenario.
    #[serde(skip)]
    pub runner_line: usize,
    /// The keyword of the scenario (`Scenario`, `Scenario Outline`, …).
    #[serde(skip)]
    pub keyword: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleStep {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument: Option<PickleStepArgument>,
    pub ast_node_ids: Vec<String>,
    pub id: String,
    pub text: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The line of the step in the feature file.
    #[serde(skip)]
    pub line: usize,
    /// With its trailing space, as written.
    #[serde(skip)]
    pub keyword: String,
    /// The step comes from a Background.
    #[serde(skip)]
    pub background: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleStepArgument {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_table: Option<PickleTable>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_string: Option<PickleDocString>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleDocString {
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PickleTable {
    pub rows: Vec<PickleTableRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PickleTableRow {
    pub cells: Vec<PickleTableCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PickleTableCell {
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickleTag {
    pub ast_node_id: String,
    pub name: String,
}

const FEATURE: &[&str] = &["Feature", "Business Need", "Ability"];
const RULE: &[&str] = &["Rule"];
const BACKGROUND: &[&str] = &["Background"];
const SCENARIO: &[&str] = &[
    "Scenario Outline",
    "Scenario Template",
    "Scenario",
    "Example",
];
const EXAMPLES: &[&str] = &["Examples", "Scenarios"];
const STEP: &[(&str, &str)] = &[
    ("Given ", "Context"),
    ("When ", "Action"),
    ("Then ", "Outcome"),
    ("And ", "Conjunction"),
    ("But ", "Conjunction"),
    ("* ", "Unknown"),
];

/// Characters a table cell is trimmed of (not the line feed an escaped `\n` makes).
const CELL_SPACE: &[char] = &[' ', '\t', '\u{b}', '\u{c}', '\r', '\u{85}', '\u{a0}'];

/// Where parsed nodes go next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    None,
    Feature,
    Rule,
    Background,
    Scenario,
    Examples,
}

struct OpenDocString {
    delimiter: &'static str,
    indent: usize,
    location: Location,
    media_type: Option<String>,
    lines: Vec<String>,
}

struct Parser<'a> {
    ids: &'a mut Ids,
    feature: Option<Feature>,
    comments: Vec<Comment>,
    language: String,
    tags: Vec<Tag>,
    container: Container,
    /// Description lines of the node just opened, while they may still come.
    description: Option<Vec<String>>,
    doc_string: Option<OpenDocString>,
}

/// Reads `source` (the text of the feature file at `uri`).
pub fn parse(uri: &str, source: &str, ids: &mut Ids) -> GherkinDocument {
    let mut parser = Parser {
        ids,
        feature: None,
        comments: Vec::new(),
        language: "en".to_owned(),
        tags: Vec::new(),
        container: Container::None,
        description: None,
        doc_string: None,
    };
    for (i, line) in source.lines().enumerate() {
        parser.line(i + 1, line);
    }
    parser.close_doc_string();
    parser.end_description();
    if let Some(feature) = parser.feature.as_mut() {
        for child in &mut feature.children {
            match child {
                FeatureChild::Scenario(scenario) => trim(scenario),
                FeatureChild::Rule(rule) => {
                    for child in &mut rule.children {
                        if let RuleChild::Scenario(scenario) = child {
                            trim(scenario);
                        }
                    }
                }
                FeatureChild::Background(_) => {}
            }
        }
    }
    GherkinDocument {
        uri: uri.to_owned(),
        feature: parser.feature,
        comments: parser.comments,
    }
}

/// An outline's Examples rows are the bulk of a large document (5,000 rows are over a
/// megabyte): their list keeps no spare room once the file is read.
fn trim(scenario: &mut Scenario) {
    for examples in &mut scenario.examples {
        exact(&mut examples.table_body);
    }
}

/// Moves `list` into an allocation of its length. `shrink_to_fit` is not enough: the binary's
/// allocator (mimalloc) keeps a block that shrinks by less than half, and a list grown by
/// doubling never has more than half spare.
fn exact<T>(list: &mut Vec<T>) {
    if list.capacity() > list.len() {
        let mut moved = Vec::with_capacity(list.len());
        moved.append(list);
        *list = moved;
    }
}

fn indent_of(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// The text after `keyword` and its colon, when `trimmed` is such a header line.
fn header<'k>(trimmed: &str, keywords: &[&'k str]) -> Option<(&'k str, String)> {
    keywords.iter().find_map(|k| {
        let rest = trimmed.strip_prefix(k)?.strip_prefix(':')?;
        Some((*k, rest.trim().to_owned()))
    })
}

impl Parser<'_> {
    fn line(&mut self, number: usize, raw: &str) {
        if self.doc_string.is_some() {
            self.doc_string_line(raw);
            return;
        }
        let trimmed = raw.trim();
        let column = indent_of(raw) + 1;
        let location = Location {
            line: number,
            column,
        };
        if trimmed.is_empty() {
            if let Some(lines) = self.description.as_mut().filter(|l| !l.is_empty()) {
                lines.push(raw.to_owned());
            }
            return;
        }
        if trimmed.starts_with('#') {
            if self.feature.is_none()
                && let Some(language) = trimmed
                    .trim_start_matches('#')
                    .trim()
                    .strip_prefix("language:")
            {
                self.language = language.trim().to_owned();
            }
            self.end_description();
            self.comments.push(Comment {
                location: Location {
                    line: number,
                    column: 1,
                },
                text: raw.to_owned(),
            });
            return;
        }
        if trimmed.starts_with('@') {
            self.end_description();
            self.tag_line(number, raw);
            return;
        }
        if self.header_line(trimmed, location) {
            return;
        }
        let in_steps = matches!(self.container, Container::Background | Container::Scenario);
        if let Some((keyword, kind)) = STEP.iter().find(|(k, _)| trimmed.starts_with(k))
            && in_steps
        {
            self.end_description();
            let text = trimmed[keyword.len()..].trim().to_owned();
            let step = Step {
                id: self.ids.next_id(),
                location,
                keyword: (*keyword).to_owned(),
                keyword_type: kind,
                text,
                doc_string: None,
                data_table: None,
            };
            if let Some(steps) = self.steps() {
                steps.push(step);
            }
            return;
        }
        if self.description.is_some() {
            let ends = match self.container {
                Container::Examples => trimmed.starts_with('|'),
                _ => false,
            };
            if !ends {
                if let Some(lines) = self.description.as_mut() {
                    lines.push(raw.to_owned());
                }
                return;
            }
            self.end_description();
        }
        if trimmed.starts_with('|') {
            self.table_row(number, raw);
            return;
        }
        for delimiter in ["\"\"\"", "```"] {
            if let Some(rest) = trimmed.strip_prefix(delimiter) {
                let media_type = Some(rest.trim().to_owned()).filter(|m| !m.is_empty());
                self.doc_string = Some(OpenDocString {
                    delimiter,
                    indent: column - 1,
                    location,
                    media_type,
                    lines: Vec::new(),
                });
                return;
            }
        }
        // Anything else would be a syntax error, which the runner has already reported.
    }

    /// Opens a Feature, Rule, Background, Scenario or Examples; `false` when the line is none.
    fn header_line(&mut self, trimmed: &str, location: Location) -> bool {
        if let Some((keyword, name)) = header(trimmed, FEATURE) {
            self.end_description();
            self.feature = Some(Feature {
                location,
                tags: std::mem::take(&mut self.tags),
                language: self.language.clone(),
                keyword: keyword.to_owned(),
                name,
                description: String::new(),
                children: Vec::new(),
            });
            self.open(Container::Feature);
            return true;
        }
        if self.feature.is_none() {
            return false;
        }
        if let Some((keyword, name)) = header(trimmed, RULE) {
            self.end_description();
            let rule = Rule {
                id: self.ids.next_id(),
                location,
                tags: std::mem::take(&mut self.tags),
                keyword: keyword.to_owned(),
                name,
                description: String::new(),
                children: Vec::new(),
            };
            if let Some(feature) = self.feature.as_mut() {
                feature.children.push(FeatureChild::Rule(rule));
            }
            self.open(Container::Rule);
            return true;
        }
        if let Some((keyword, name)) = header(trimmed, BACKGROUND) {
            self.end_description();
            let background = Background {
                id: self.ids.next_id(),
                location,
                keyword: keyword.to_owned(),
                name,
                description: String::new(),
                steps: Vec::new(),
            };
            self.tags.clear();
            self.push_child(
                FeatureChild::Background(background.clone()),
                RuleChild::Background(background),
            );
            self.open(Container::Background);
            return true;
        }
        if let Some((keyword, name)) = header(trimmed, SCENARIO) {
            self.end_description();
            let scenario = Scenario {
                id: self.ids.next_id(),
                location,
                tags: std::mem::take(&mut self.tags),
                keyword: keyword.to_owned(),
                name,
                description: String::new(),
                steps: Vec::new(),
                examples: Vec::new(),
            };
            self.push_child(
                FeatureChild::Scenario(scenario.clone()),
                RuleChild::Scenario(scenario),
            );
            self.open(Container::Scenario);
            return true;
        }
        if let Some((keyword, name)) = header(trimmed, EXAMPLES) {
            self.end_description();
            let examples = Examples {
                id: self.ids.next_id(),
                location,
                tags: std::mem::take(&mut self.tags),
                keyword: keyword.to_owned(),
                name,
                description: String::new(),
                table_header: None,
                table_body: Vec::new(),
            };
            if let Some(scenario) = self.scenario() {
                scenario.examples.push(examples);
            }
            self.open(Container::Examples);
            return true;
        }
        false
    }

    fn open(&mut self, container: Container) {
        self.container = container;
        self.description = Some(Vec::new());
    }

    /// Adds a Background or Scenario to the open Rule, or else to the Feature.
    fn push_child(&mut self, to_feature: FeatureChild, to_rule: RuleChild) {
        let Some(feature) = self.feature.as_mut() else {
            return;
        };
        // Once a Rule has begun, everything that follows belongs to a rule.
        if let Some(FeatureChild::Rule(rule)) = feature.children.last_mut() {
            rule.children.push(to_rule);
        } else {
            feature.children.push(to_feature);
        }
    }

    fn tag_line(&mut self, number: usize, raw: &str) {
        let indent = indent_of(raw);
        let trimmed = raw.trim_start();
        // A comment may follow the tags: ` #` starts it.
        let uncommented = trimmed
            .find(" #")
            .or_else(|| trimmed.find("\t#"))
            .map_or(trimmed, |i| &trimmed[..i]);
        let mut column = indent + 1;
        for (i, item) in uncommented.split('@').enumerate() {
            if i == 0 {
                // Whatever stands before the first `@` (nothing, on a tag line).
                continue;
            }
            let name = item.trim_end();
            if !name.is_empty() {
                self.tags.push(Tag {
                    location: Location {
                        line: number,
                        column,
                    },
                    name: format!("@{name}"),
                    id: self.ids.next_id(),
                });
            }
            column += item.chars().count() + 1;
        }
    }

    fn table_row(&mut self, number: usize, raw: &str) {
        let indent = indent_of(raw);
        let row = TableRow {
            id: self.ids.next_id(),
            location: Location {
                line: number,
                column: indent + 1,
            },
            cells: cells(number, indent, raw.trim_start()),
        };
        match self.container {
            Container::Examples => {
                if let Some(examples) = self.scenario().and_then(|s| s.examples.last_mut()) {
                    if examples.table_header.is_none() {
                        examples.table_header = Some(row);
                    } else {
                        examples.table_body.push(row);
                    }
                }
            }
            Container::Background | Container::Scenario => {
                if let Some(step) = self.steps().and_then(|s| s.last_mut()) {
                    step.data_table
                        .get_or_insert_with(|| DataTable {
                            location: row.location,
                            rows: Vec::new(),
                        })
                        .rows
                        .push(row);
                }
            }
            _ => {}
        }
    }

    fn doc_string_line(&mut self, raw: &str) {
        let Some(open) = self.doc_string.as_mut() else {
            return;
        };
        if raw.trim_start().starts_with(open.delimiter) {
            self.close_doc_string();
            return;
        }
        let indent = indent_of(raw);
        let text: String = if indent >= open.indent {
            raw.chars().skip(open.indent).collect()
        } else {
            raw.trim_start().to_owned()
        };
        let escaped = match open.delimiter {
            "```" => "\\`\\`\\`",
            _ => "\\\"\\\"\\\"",
        };
        open.lines.push(text.replace(escaped, open.delimiter));
    }

    fn close_doc_string(&mut self) {
        let Some(open) = self.doc_string.take() else {
            return;
        };
        let doc_string = DocString {
            location: open.location,
            media_type: open.media_type,
            content: open.lines.join("\n"),
            delimiter: open.delimiter.to_owned(),
        };
        if let Some(step) = self.steps().and_then(|s| s.last_mut()) {
            step.doc_string = Some(doc_string);
        }
    }

    /// The description collected so far goes to the node it belongs to.
    fn end_description(&mut self) {
        let Some(mut lines) = self.description.take() else {
            return;
        };
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let text = lines.join("\n");
        let container = self.container;
        let Some(feature) = self.feature.as_mut() else {
            return;
        };
        match container {
            Container::Feature => feature.description = text,
            Container::Rule => {
                if let Some(FeatureChild::Rule(rule)) = feature.children.last_mut() {
                    rule.description = text;
                }
            }
            Container::Background => {
                if let Some(background) = self.background() {
                    background.description = text;
                }
            }
            Container::Scenario => {
                if let Some(scenario) = self.scenario() {
                    scenario.description = text;
                }
            }
            Container::Examples => {
                if let Some(examples) = self.scenario().and_then(|s| s.examples.last_mut()) {
                    examples.description = text;
                }
            }
            Container::None => {}
        }
    }

    /// The last child of the feature, or of its last rule when that is where we are.
    fn last_child(&mut self) -> Option<LastChild<'_>> {
        let feature = self.feature.as_mut()?;
        match feature.children.last_mut()? {
            FeatureChild::Rule(rule) => match rule.children.last_mut()? {
                RuleChild::Background(b) => Some(LastChild::Background(b)),
                RuleChild::Scenario(s) => Some(LastChild::Scenario(s)),
            },
            FeatureChild::Background(b) => Some(LastChild::Background(b)),
            FeatureChild::Scenario(s) => Some(LastChild::Scenario(s)),
        }
    }

    fn scenario(&mut self) -> Option<&mut Scenario> {
        match self.last_child()? {
            LastChild::Scenario(s) => Some(s),
            LastChild::Background(_) => None,
        }
    }

    fn background(&mut self) -> Option<&mut Background> {
        match self.last_child()? {
            LastChild::Background(b) => Some(b),
            LastChild::Scenario(_) => None,
        }
    }

    fn steps(&mut self) -> Option<&mut Vec<Step>> {
        match self.last_child()? {
            LastChild::Background(b) => Some(&mut b.steps),
            LastChild::Scenario(s) => Some(&mut s.steps),
        }
    }
}

enum LastChild<'a> {
    Background(&'a mut Background),
    Scenario(&'a mut Scenario),
}

/// The cells of a table row (`trimmed` starts at its first `|`): escapes `\|`, `\\` and `\n`
/// resolved, each cell trimmed, located at its first character.
fn cells(line: usize, indent: usize, trimmed: &str) -> Vec<TableCell> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut first = true;
    // 1-based column (within the trimmed text) of the character after the last `|`.
    let mut start = 1;
    let mut chars = trimmed.chars().peekable();
    let mut col = 0;
    while let Some(c) = chars.next() {
        col += 1;
        match c {
            '|' => {
                if first {
                    first = false;
                } else {
                    let left = cell.trim_start_matches(CELL_SPACE);
                    let lead = cell.chars().count() - left.chars().count();
                    cells.push(TableCell {
                        location: Location {
                            line,
                            column: indent + start + lead,
                        },
                        value: left.trim_end_matches(CELL_SPACE).to_owned(),
                    });
                }
                cell.clear();
                start = col + 1;
            }
            '\\' => {
                col += 1;
                match chars.next() {
                    Some('n') => cell.push('\n'),
                    Some(escaped @ ('|' | '\\')) => cell.push(escaped),
                    Some(other) => {
                        cell.push('\\');
                        cell.push(other);
                    }
                    None => cell.push('\\'),
                }
            }
            c => cell.push(c),
        }
    }
    // Kept for as long as the document: no spare room.
    exact(&mut cells);
    cells
}

/// The pickles of `document`, in the order of the file.
pub fn pickles(document: &GherkinDocument, ids: &mut Ids) -> Vec<Pickle> {
    let mut all = Vec::new();
    for_each_pickle(document, ids, &mut |p| all.push(p));
    all
}

/// [`pickles`] handed over one at a time, so a writer need not hold a large outline's all at
/// once.
pub fn for_each_pickle(document: &GherkinDocument, ids: &mut Ids, out: &mut dyn FnMut(Pickle)) {
    let Some(feature) = &document.feature else {
        return;
    };
    let mut background: Vec<&Step> = Vec::new();
    for child in &feature.children {
        match child {
            FeatureChild::Background(b) => background.extend(&b.steps),
            FeatureChild::Scenario(s) => {
                compile(document, feature, &feature.tags, &background, s, ids, out);
            }
            FeatureChild::Rule(rule) => {
                let mut rule_background = background.clone();
                let tags: Vec<Tag> = feature.tags.iter().chain(&rule.tags).cloned().collect();
                for child in &rule.children {
                    match child {
                        RuleChild::Background(b) => rule_background.extend(&b.steps),
                        RuleChild::Scenario(s) => {
                            compile(document, feature, &tags, &rule_background, s, ids, out);
                        }
                    }
                }
            }
        }
    }
}

fn compile(
    document: &GherkinDocument,
    feature: &Feature,
    inherited: &[Tag],
    background: &[&Step],
    scenario: &Scenario,
    ids: &mut Ids,
    out: &mut dyn FnMut(Pickle),
) {
    let pickle_tags = |tags: &[&Tag]| -> Vec<PickleTag> {
        tags.iter()
            .map(|t| PickleTag {
                name: t.name.clone(),
                ast_node_id: t.id.clone(),
            })
            .collect()
    };
    // A scenario without steps runs no Background steps either.
    let all_steps: Vec<&Step> = if scenario.steps.is_empty() {
        Vec::new()
    } else {
        background.iter().copied().chain(&scenario.steps).collect()
    };
    if scenario.examples.is_empty() {
        let steps = pickle_steps(&all_steps, background.len(), None, ids);
        let tags: Vec<&Tag> = inherited.iter().chain(&scenario.tags).collect();
        out(Pickle {
            id: ids.next_id(),
            uri: document.uri.clone(),
            location: scenario.location,
            name: scenario.name.clone(),
            language: feature.language.clone(),
            steps,
            tags: pickle_tags(&tags),
            ast_node_ids: vec![scenario.id.clone()],
            runner_line: scenario.location.line,
            keyword: scenario.keyword.clone(),
        });
        return;
    }
    for examples in &scenario.examples {
        let Some(header) = &examples.table_header else {
            continue;
        };
        for (n, row) in examples.table_body.iter().enumerate() {
            let values = Values { header, row };
            let steps = pickle_steps(&all_steps, background.len(), Some(&values), ids);
            let tags: Vec<&Tag> = inherited
                .iter()
                .chain(&scenario.tags)
                .chain(&examples.tags)
                .collect();
            out(Pickle {
                id: ids.next_id(),
                uri: document.uri.clone(),
                location: row.location,
                name: values.interpolate(&scenario.name),
                language: feature.language.clone(),
                steps,
                tags: pickle_tags(&tags),
                ast_node_ids: vec![scenario.id.clone(), row.id.clone()],
                runner_line: examples.location.line + n + 2,
                keyword: scenario.keyword.clone(),
            });
        }
    }
}

/// One Examples row with its header, for `<placeholder>`s.
struct Values<'a> {
    header: &'a TableRow,
    row: &'a TableRow,
}

impl Values<'_> {
    fn interpolate(&self, text: &str) -> String {
        if !text.contains('<') {
            return text.to_owned();
        }
        let mut out = text.to_owned();
        for (name, value) in self.header.cells.iter().zip(&self.row.cells) {
            out = out.replace(&format!("<{}>", name.value), &value.value);
        }
        out
    }
}

fn pickle_steps(
    steps: &[&Step],
    // The first this many of `steps` are the Background's.
    background_steps: usize,
    values: Option<&Values<'_>>,
    ids: &mut Ids,
) -> Vec<PickleStep> {
    let mut last_kind = "Unknown";
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let background = i < background_steps;
            // Background steps are not interpolated: they are not part of the outline.
            let values = values.filter(|_| !background);
            let text = |t: &str| values.map_or_else(|| t.to_owned(), |v| v.interpolate(t));
            let kind = match step.keyword_type {
                "Conjunction" => last_kind,
                other => other,
            };
            last_kind = kind;
            let argument = if let Some(doc) = &step.doc_string {
                Some(PickleStepArgument {
                    doc_string: Some(PickleDocString {
                        media_type: doc.media_type.as_deref().map(text),
                        content: text(&doc.content),
                    }),
                    data_table: None,
                })
            } else {
                step.data_table.as_ref().map(|table| PickleStepArgument {
                    doc_string: None,
                    data_table: Some(PickleTable {
                        rows: table
                            .rows
                            .iter()
                            .map(|r| PickleTableRow {
                                cells: r
                                    .cells
                                    .iter()
                                    .map(|c| PickleTableCell {
                                        value: text(&c.value),
                                    })
                                    .collect(),
                            })
                            .collect(),
                    }),
                })
            };
            let mut ast_node_ids = Vec::with_capacity(2);
            ast_node_ids.push(step.id.clone());
            if let Some(v) = values {
                ast_node_ids.push(v.row.id.clone());
            }
            PickleStep {
                ast_node_ids,
                id: ids.next_id(),
                kind,
                text: text(&step.text),
                argument,
                line: step.location.line,
                keyword: step.keyword.clone(),
                background,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OUTLINE: &str = "\
# a comment
@tagged @two
Feature: Outlines
  A description
    with an indented line

  Background:
    Given a base

  @rows
  Scenario Outline: Eating <n> cukes
    Given there are <n> cukes
      | have | <n> |
    Then I say:
      \"\"\"text/plain
      ate <n>
        \\\"\\\"\\\" escaped
      \"\"\"

    @first
    Examples: some
      | n  |
      | 12 |
      | 5  |

  Rule: A rule
    Background:
      * a rule base

    Scenario: in the rule
      When it runs
      And again
      But not <n>
";

    #[test]
    fn the_document_locates_tags_rows_cells_and_doc_strings() {
        let doc = parse("features/o.feature", OUTLINE, &mut Ids::default());
        let value = serde_json::to_value(&doc).unwrap();

        assert_eq!(
            value["comments"],
            json!([{ "location": { "line": 1, "column": 1 }, "text": "# a comment" }])
        );
        let feature = &value["feature"];
        assert_eq!(
            feature["tags"][1]["location"],
            json!({ "line": 2, "column": 9 })
        );
        assert_eq!(feature["tags"][1]["name"], "@two");
        assert_eq!(
            feature["description"],
            "  A description\n    with an indented line"
        );
        let outline = &feature["children"][1]["scenario"];
        assert_eq!(outline["keyword"], "Scenario Outline");
        assert_eq!(outline["name"], "Eating <n> cukes");
        assert_eq!(outline["location"], json!({ "line": 11, "column": 3 }));
        let step = &outline["steps"][0];
        assert_eq!(step["keyword"], "Given ");
        assert_eq!(step["keywordType"], "Context");
        assert_eq!(
            step["dataTable"]["location"],
            json!({ "line": 13, "column": 7 })
        );
        assert_eq!(
            step["dataTable"]["rows"][0]["cells"][1],
            json!({ "location": { "line": 13, "column": 16 }, "value": "<n>" })
        );
        let doc_string = &outline["steps"][1]["docString"];
        assert_eq!(doc_string["mediaType"], "text/plain");
        assert_eq!(doc_string["content"], "ate <n>\n  \"\"\" escaped");
        assert_eq!(doc_string["delimiter"], "\"\"\"");
        let examples = &outline["examples"][0];
        assert_eq!(examples["tags"][0]["name"], "@first");
        assert_eq!(examples["tableHeader"]["cells"][0]["value"], "n");
        assert_eq!(examples["tableBody"][1]["cells"][0]["value"], "5");
        let rule = &feature["children"][2]["rule"];
        assert_eq!(
            rule["children"][0]["background"]["steps"][0]["keyword"],
            "* "
        );
        assert_eq!(
            rule["children"][1]["scenario"]["steps"][2]["keywordType"],
            "Conjunction"
        );
    }

    #[test]
    fn a_large_outline_keeps_its_rows_without_spare_room() {
        let mut source = String::from(
            "Feature: F\n  Scenario Outline: O <n>\n    Given <n> and <m>\n    Examples:\n      | n | m |\n",
        );
        for n in 0..1000 {
            source.push_str(&format!("      | {n} | x{n} |\n"));
        }
        let doc = parse("f.feature", &source, &mut Ids::default());
        let Some(FeatureChild::Scenario(outline)) = doc.feature.as_ref().map(|f| &f.children[0])
        else {
            panic!("an outline");
        };
        let body = &outline.examples[0].table_body;
        assert_eq!(body.len(), 1000);
        assert_eq!(body.capacity(), body.len());
        assert!(
            body.iter()
                .all(|row| row.cells.capacity() == 2 && row.cells.len() == 2)
        );
        assert_eq!(body[999].cells[1].value, "x999");
    }

    #[test]
    fn pickles_expand_rows_and_inherit_backgrounds_and_tags() {
        let mut ids = Ids::default();
        let doc = parse("features/o.feature", OUTLINE, &mut ids);
        let pickles = pickles(&doc, &mut ids);

        assert_eq!(pickles.len(), 3);
        let first = &pickles[0];
        assert_eq!(first.name, "Eating 12 cukes");
        assert_eq!(first.runner_line, 21 + 2);
        assert_eq!(first.location.line, 23);
        assert_eq!(
            first
                .tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["@tagged", "@two", "@rows", "@first"]
        );
        let texts: Vec<&str> = first.steps.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["a base", "there are 12 cukes", "I say:"]);
        assert!(first.steps[0].background);
        assert_eq!(first.steps[0].ast_node_ids.len(), 1);
        assert_eq!(first.steps[1].ast_node_ids.len(), 2);
        let table = serde_json::to_value(&first.steps[1].argument).unwrap();
        assert_eq!(table["dataTable"]["rows"][0]["cells"][1]["value"], "12");
        let doc_string = serde_json::to_value(&first.steps[2].argument).unwrap();
        assert_eq!(
            doc_string["docString"]["content"],
            "ate 12\n  \"\"\" escaped"
        );
        assert_eq!(pickles[1].runner_line, 24);

        let rule = &pickles[2];
        assert_eq!(rule.name, "in the rule");
        let kinds: Vec<&str> = rule.steps.iter().map(|s| s.kind).collect();
        // Feature background, rule background, then When / And / But.
        assert_eq!(kinds, ["Context", "Unknown", "Action", "Action", "Action"]);
        assert_eq!(
            rule.steps[4].text, "not <n>",
            "no interpolation outside outlines"
        );
    }

    #[test]
    fn escaped_pipes_and_empty_cells_keep_their_columns() {
        let cells = cells(3, 4, "| a \\| b |  | \\n\\\\x |");
        let values: Vec<(&str, usize)> = cells
            .iter()
            .map(|c| (c.value.as_str(), c.location.column))
            .collect();
        assert_eq!(values, [("a | b", 7), ("", 17), ("\n\\x", 19)]);
    }
}
