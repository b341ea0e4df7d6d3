//! The report people read: [`to_html`] renders a [`RunReport`] as one self-contained HTML page
//! (its own CSS and a little script inline, nothing fetched from the network) that opens from
//! disk in any browser.
//!
//! The page starts with the summary (counts, duration, target, a bar per feature), then lists
//! features → scenarios → steps in the Gherkin's own words, with tags, durations, data tables
//! and doc strings. A failed step shows its error (a schema violation or snapshot diff
//! highlighted) and the scenario's HTTP exchanges with headers and bodies; failed scenarios are
//! open, the others folded. Filters by status and tag and a text search work without a server.
//!
//! To stay light for a thousand scenarios, the page is plain server-rendered markup with native
//! `<details>`, no framework: bodies of HTTP exchanges are only written for scenarios that
//! failed or were retried (the others list method, URL, status and time), and each body is
//! capped at [`MAX_BODY`] bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::model::{
    Counts, Exchange, FeatureReport, RunReport, ScenarioReport, Status, StepReport,
};
use super::{ReportError, human_duration, url_path};

/// The most of one request or response body the page shows.
pub const MAX_BODY: usize = 16 * 1024;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Renders the whole run as one HTML document.
pub fn to_html(report: &RunReport) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_html(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Streams [`to_html`] to `out`, written scenario by scenario as the page is made, so a suite
/// of any size is never held whole in memory.
fn write_html(report: &RunReport, out: &mut dyn io::Write) -> io::Result<()> {
    const FLUSH_AT: usize = 64 * 1024;
    let mut written = Ok(());
    let mut flush = |html: &mut String| {
        if html.len() >= FLUSH_AT {
            if written.is_ok() {
                written = out.write_all(html.as_bytes());
            }
            html.clear();
        }
    };
    let counts = report.counts();
    let mut html = String::with_capacity(FLUSH_AT + 16 * 1024);
    let title = if counts.failed > 0 {
        format!(
            "{} failed, {} passed · Solaris conformance",
            counts.failed, counts.passed
        )
    } else {
        format!("{} passed · Solaris conformance", counts.passed)
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"solaris-conformance {}\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    );
    header(&mut html, report, &counts);
    summary(&mut html, report, &counts);
    controls(&mut html, report);
    html.push_str("<main id=\"features\">\n");
    for (i, feature) in report.features.iter().enumerate() {
        feature_section(&mut html, &mut flush, report, i, feature);
    }
    html.push_str(
        "<p id=\"nothing\" class=\"nothing\" hidden>No scenario matches these filters.</p>\n</main>\n",
    );
    let _ = write!(
        html,
        "<footer>Written by solaris-conformance {} from the run that started {}. \
         Secrets are redacted; the machine-readable reports sit beside this file: \
         <code>junit.xml</code>, <code>messages.ndjson</code>, <code>cucumber.json</code>.</footer>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&readable_time(&report.started_at)),
    );
    written?;
    out.write_all(html.as_bytes())
}

/// Writes [`to_html`] to `path` atomically.
pub fn write(report: &RunReport, path: &Path) -> Result<(), ReportError> {
    super::write_atomically_with(path, |out| {
        write_html(report, out)?;
        report.read_back()
    })
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    esc_into(&mut out, text);
    out
}

/// [`esc`], appended to `html`.
fn esc_into(html: &mut String, text: &str) {
    // Control characters (C0, DEL and C1, which UTF-8 writes as 0xC2 0x80..=0x9F) go, but
    // newlines and tabs stay.
    super::escape::replace_bytes_into(
        html,
        text,
        |b| {
            super::escape::is_markup(b)
                | matches!(b, 0x7f | 0xc2)
                | ((b < 0x20) & (b != b'\n') & (b != b'\t'))
        },
        |bytes, i| match bytes[i] {
            b if super::escape::is_markup(b) => super::escape::markup(b, "&#39;"),
            0xc2 if !matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => None,
            0xc2 => Some(("", 2)),
            _ => Some(("", 1)),
        },
    )
}

/// `2025-01-15T10:00:00.123Z` → `2025-01-15 10:00:00 UTC`.
fn readable_time(at: &str) -> String {
    // The runner's own timestamps (UTC, `Z`) are cut rather than parsed: a report with a
    // history shows several per scenario.
    if let Some(utc) = utc_seconds(at) {
        let mut readable = String::with_capacity(23);
        readable.push_str(&utc[..10]);
        readable.push(' ');
        readable.push_str(&utc[11..19]);
        readable.push_str(" UTC");
        return readable;
    }
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => at.to_owned(),
    }
}

/// `at` when it is `YYYY-MM-DDTHH:MM:SS`, optional fractions of a second and `Z`, a real date
/// and time; `None` for any other form, which is left to a full parse.
fn utc_seconds(at: &str) -> Option<&str> {
    let b = at.as_bytes();
    let fraction = b.get(19..)?.strip_suffix(b"Z")?;
    let fraction_ok = match fraction.split_first() {
        None => true,
        Some((dot, digits)) => {
            *dot == b'.' && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if !fraction_ok || separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    // Only digits are read as a number, so every cut falls between ASCII bytes.
    let number = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| at[from..to].parse::<u32>().ok())
            .flatten()
    };
    let date = chrono::NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 7)?, number(8, 10)?);
    let time = chrono::NaiveTime::from_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?);
    (date.is_some() && time.is_some()).then_some(at)
}

/// The CSS class of a status: `passed`, `failed`, `skipped`, `na`.
fn class(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
        Status::NotApplicable => "na",
    }
}

fn header(html: &mut String, report: &RunReport, counts: &Counts) {
    let (verdict_class, verdict) = if counts.failed > 0 {
        ("failed", format!("{} failed", counts.failed))
    } else if report.interrupted.is_some() {
        ("skipped", "stopped early".to_owned())
    } else if counts.total() == 0 {
        ("na", "nothing ran".to_owned())
    } else {
        ("passed", "all passed".to_owned())
    };
    // The customers can be made again: say how.
    let seeds = match report.seeds.as_slice() {
        [] => String::new(),
        [seed] => format!(
            " · customers from seed <b>{seed}</b> (the same customers again: \
             <code>--seed {seed}</code>)"
        ),
        many => format!(
            " · customers from seeds <b>{}</b> (one per shard; the same customers again: \
             <code>--seed</code> with the shard's seed)",
            many.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let stopped = match &report.interrupted {
        Some(note) => format!(" · <b>interrupted: {}</b>, the rest did not run", esc(note)),
        None => String::new(),
    };
    let _ = write!(
        html,
        "<header class=\"top\">\n<div>\n<h1>Solaris conformance report</h1>\n\
         <p class=\"meta\">Target <b>{}</b> · started {} · took {} · {} scenario{}{seeds}{stopped}</p>\n</div>\n\
         <div class=\"verdict {verdict_class}\">{}</div>\n</header>\n",
        esc(&report.target),
        esc(&readable_time(&report.started_at)),
        esc(&format!("{:.2} s", report.duration.as_secs_f64())),
        counts.total(),
        if counts.total() == 1 { "" } else { "s" },
        esc(&verdict),
    );
}

fn summary(html: &mut String, report: &RunReport, counts: &Counts) {
    html.push_str("<section class=\"summary\" aria-label=\"Summary\">\n<div class=\"tiles\">\n");
    for (status, label, n) in [
        ("passed", "passed", counts.passed),
        ("failed", "failed", counts.failed),
        ("skipped", "skipped", counts.skipped),
        ("na", "not applicable", counts.not_applicable),
        ("flaky", "flaky", counts.flaky),
    ] {
        let _ = writeln!(
            html,
            "<button type=\"button\" class=\"tile {status}\" data-only=\"{status}\" \
             title=\"Show only these\"><span class=\"n\">{n}</span>{label}</button>"
        );
    }
    html.push_str("</div>\n");
    if !report.features.is_empty() {
        html.push_str(
            "<table class=\"overview\">\n<thead><tr><th>Feature</th><th class=\"num\">Scenarios</th>\
             <th class=\"barcol\">Results</th><th class=\"num\">Duration</th></tr></thead>\n<tbody>\n",
        );
        for (i, feature) in report.features.iter().enumerate() {
            let c = feature.scenarios.counts();
            let duration = feature.scenarios.duration();
            let _ = write!(
                html,
                "<tr><td><a href=\"#f{i}\">{}</a></td><td class=\"num\">{}</td><td class=\"barcol\"><div class=\"bar\">",
                esc(&feature.name),
                c.total()
            );
            for (status, n) in [
                ("passed", c.passed),
                ("failed", c.failed),
                ("skipped", c.skipped),
                ("na", c.not_applicable),
            ] {
                if n > 0 {
                    let _ = write!(
                        html,
                        "<span class=\"{status}\" style=\"flex-grow:{n}\" title=\"{n} {}\"></span>",
                        if status == "na" {
                            "not applicable"
                        } else {
                            status
                        }
                    );
                }
            }
            let _ = writeln!(
                html,
                "</div></td><td class=\"num\">{}</td></tr>",
                human_duration(duration)
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</section>\n");
}

fn controls(html: &mut String, report: &RunReport) {
    let tags: BTreeSet<&str> = report
        .features
        .iter()
        .flat_map(|f| f.scenarios.briefs().flat_map(|s| s.tags.iter()))
        .map(String::as_str)
        .collect();
    html.push_str(
        "<nav class=\"controls\" aria-label=\"Filters\">\n\
         <input type=\"search\" id=\"search\" placeholder=\"Search scenarios, steps, errors  ( / )\" \
         aria-label=\"Search\">\n<span class=\"statuses\">\n",
    );
    for (status, label) in [
        ("passed", "passed"),
        ("failed", "failed"),
        ("skipped", "skipped"),
        ("na", "not applicable"),
    ] {
        let _ = writeln!(
            html,
            "<label class=\"chip {status}\"><input type=\"checkbox\" name=\"status\" value=\"{status}\" checked> {label}</label>"
        );
    }
    html.push_str(
        "<label class=\"chip flaky\"><input type=\"checkbox\" id=\"flaky-only\"> flaky only</label>\n</span>\n\
         <select id=\"tag\" aria-label=\"Tag\"><option value=\"\">every tag</option>\n",
    );
    for tag in tags {
        let _ = writeln!(html, "<option value=\"@{0}\">@{0}</option>", esc(tag));
    }
    html.push_str(
        "</select>\n<button type=\"button\" id=\"expand\">Open all</button>\
         <button type=\"button\" id=\"collapse\">Fold all</button>\n\
         <span id=\"shown\" class=\"shown\" aria-live=\"polite\"></span>\n</nav>\n",
    );
}

/// A feature and its scenarios; `flush` is handed the page after each scenario.
fn feature_section(
    html: &mut String,
    flush: &mut dyn FnMut(&mut String),
    report: &RunReport,
    index: usize,
    feature: &FeatureReport,
) {
    let _ = write!(
        html,
        "<section class=\"feature\" id=\"f{index}\">\n<h2><span class=\"kw\">Feature:</span> {} \
         <span class=\"path\">{}</span></h2>\n",
        esc(&feature.name),
        esc(&feature.path)
    );
    if !feature.tags.is_empty() {
        html.push_str("<p class=\"tags\">");
        for tag in &feature.tags {
            let _ = write!(html, "<span class=\"tag\">@{}</span>", esc(tag));
        }
        html.push_str("</p>\n");
    }
    for scenario in feature.scenarios.iter() {
        scenario_block(html, report, index, feature, &scenario);
        flush(html);
    }
    html.push_str("</section>\n");
}

fn scenario_block(
    html: &mut String,
    report: &RunReport,
    feature_index: usize,
    feature: &FeatureReport,
    scenario: &ScenarioReport,
) {
    let status = class(scenario.status);
    let tags: Vec<String> = scenario.tags.iter().map(|t| format!("@{t}")).collect();
    let open = if scenario.status == Status::Failed {
        " open"
    } else {
        ""
    };
    let flaky = if scenario.flaky.is_some() {
        " data-flaky=\"\""
    } else {
        ""
    };
    let _ = write!(
        html,
        "<details class=\"scenario {status}\" id=\"f{feature_index}-l{}\" data-status=\"{status}\" \
         data-tags=\"{}\"{flaky}{open}>\n<summary><span class=\"badge {status}\">{}</span>",
        scenario.line,
        esc(&tags.join(" ")),
        esc(scenario.status.as_str()),
    );
    if let Some(why) = scenario.flaky {
        let _ = write!(
            html,
            "<span class=\"badge flaky\" title=\"{}\">flaky</span>",
            esc(why.as_str())
        );
    }
    let _ = write!(html, "<span class=\"name\">{}</span>", esc(&scenario.name));
    for tag in &tags {
        let _ = write!(html, "<span class=\"tag\">{}</span>", esc(tag));
    }
    history(html, report, scenario);
    let _ = writeln!(
        html,
        "<span class=\"dur\">{}</span></summary>",
        human_duration(scenario.duration)
    );

    html.push_str("<div class=\"body\">\n");
    let mut where_ = format!("{}:{}", feature.path, scenario.line);
    if let Some(rule) = &scenario.rule {
        where_.push_str(&format!(" · Rule: {rule}"));
    }
    if scenario.attempts() > 1 {
        where_.push_str(&format!(" · {} attempts", scenario.attempts()));
    }
    let _ = writeln!(html, "<p class=\"where\">{}</p>", esc(&where_));
    if let Some(why) = scenario.flaky {
        let _ = writeln!(
            html,
            "<p class=\"note flaky\">Flaky: {}.</p>",
            esc(why.as_str())
        );
    }
    if let Some(reason) = &scenario.reason {
        let kind = if scenario.status == Status::NotApplicable {
            "Not applicable"
        } else {
            "Why"
        };
        let _ = writeln!(html, "<p class=\"note\">{kind}: {}</p>", esc(reason));
    }
    steps(html, report, &scenario.steps);

    let detailed = scenario.status == Status::Failed || !scenario.retried.is_empty();
    for (n, attempt) in scenario.retried.iter().enumerate() {
        let _ = writeln!(
            html,
            "<details class=\"attempt\"><summary>Attempt {} of {}: {} after {}</summary>",
            n + 1,
            scenario.attempts(),
            attempt.status.as_str(),
            human_duration(attempt.duration)
        );
        if let Some(reason) = &attempt.reason {
            let _ = writeln!(html, "<p class=\"note\">Why: {}</p>", esc(reason));
        }
        steps(html, report, &attempt.steps);
        exchanges(html, &attempt.exchanges, Detail::Full);
        html.push_str("</details>\n");
    }
    let detail = match (scenario.status, detailed) {
        (Status::Failed, _) => Detail::FullLastOpen,
        (_, true) => Detail::Full,
        (_, false) => Detail::Brief,
    };
    exchanges(html, &scenario.exchanges, detail);
    html.push_str("</div>\n</details>\n");
}

/// The scenario's last runs as small squares, oldest first, this run last.
fn history(html: &mut String, report: &RunReport, scenario: &ScenarioReport) {
    if scenario.history.is_empty() {
        return;
    }
    html.push_str("<span class=\"history\" title=\"Last runs, oldest first\">");
    for past in &scenario.history {
        let retried = if past.retried { ", after a retry" } else { "" };
        let _ = write!(
            html,
            "<i class=\"{}\" title=\"{}: {}{retried}\"></i>",
            class(past.status),
            esc(&readable_time(&past.started_at)),
            past.status.as_str()
        );
    }
    let _ = write!(
        html,
        "<i class=\"{} now\" title=\"this run ({}): {}\"></i></span>",
        class(scenario.status),
        esc(&readable_time(&report.started_at)),
        scenario.status.as_str()
    );
}

fn steps(html: &mut String, report: &RunReport, steps: &[StepReport]) {
    if steps.is_empty() {
        return;
    }
    html.push_str("<ol class=\"steps\">\n");
    let mut in_background = false;
    for step in steps {
        if step.background != in_background {
            in_background = step.background;
            if in_background {
                html.push_str("<li class=\"section\">Background</li>\n");
            }
        }
        let (status, icon) = if step.undefined() && step.status == Status::Failed {
            ("failed", "?")
        } else {
            match step.status {
                Status::Passed => ("passed", "✓"),
                Status::Failed => ("failed", "✗"),
                Status::Skipped => ("skipped", "–"),
                Status::NotApplicable => ("na", "–"),
            }
        };
        // Written piece by piece: a large run has tens of thousands of steps.
        let mut digits = itoa::Buffer::new();
        html.push_str("<li class=\"step ");
        html.push_str(status);
        html.push_str("\"><span class=\"icon\" aria-hidden=\"true\">");
        html.push_str(icon);
        html.push_str("</span><span class=\"text\" title=\"line ");
        html.push_str(digits.format(step.line));
        html.push_str(" · ");
        match step.matches.as_slice() {
            [] => html.push_str("no step definition matches"),
            [one] => {
                if let Some(d) = report.step_definitions.get(one.definition) {
                    esc_into(html, &d.file);
                    html.push(':');
                    html.push_str(digits.format(d.line));
                }
            }
            many => {
                html.push_str(digits.format(many.len()));
                html.push_str(" step definitions match");
            }
        }
        html.push_str("\"><span class=\"kw\">");
        esc_into(html, step.keyword.trim());
        html.push_str("</span> ");
        esc_into(html, &step.text);
        html.push_str("</span>");
        if step.status != Status::Skipped && step.status != Status::NotApplicable {
            html.push_str("<span class=\"dur\">");
            push_duration(html, step.duration);
            html.push_str("</span>");
        }
        if let Some(table) = &step.table {
            html.push_str("<table class=\"data\">");
            for row in table {
                html.push_str("<tr>");
                for cell in row {
                    let _ = write!(html, "<td>{}</td>", esc(cell));
                }
                html.push_str("</tr>");
            }
            html.push_str("</table>");
        }
        if let Some(doc) = &step.docstring {
            let _ = write!(html, "<pre class=\"doc\">{}</pre>", esc(doc));
        }
        if let Some(error) = &step.error {
            let _ = write!(html, "<pre class=\"error\">{}</pre>", error_markup(error));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n");
}

/// [`human_duration`], appended to `html` (under a second without formatting machinery).
fn push_duration(html: &mut String, d: std::time::Duration) {
    if d < std::time::Duration::from_secs(1) {
        html.push_str(itoa::Buffer::new().format(d.as_millis()));
        html.push_str(" ms");
    } else {
        html.push_str(&human_duration(d));
    }
}

/// An error with the parts people look for marked: the JSON pointer of a schema violation,
/// the lines a snapshot diff removes or adds.
fn error_markup(error: &str) -> String {
    let diff = error.contains("(- snapshot, + response)")
        || error.contains("is missing; the response was");
    let mut out = String::with_capacity(error.len() + 64);
    for (i, line) in error.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let class = if i == 0 {
            Some("headline")
        } else if trimmed.starts_with("at /") || trimmed.starts_with("at (root)") {
            Some("pointer")
        } else if diff && trimmed.starts_with("@@") {
            Some("hunk")
        } else if diff && trimmed.starts_with('+') {
            Some("ins")
        } else if diff && trimmed.starts_with('-') {
            Some("del")
        } else {
            None
        };
        match class {
            Some(c) => {
                let _ = write!(out, "<span class=\"{c}\">{}</span>", esc(line));
            }
            None => out.push_str(&esc(line)),
        }
    }
    out
}

/// How much of the exchanges a scenario shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Method, path, status and time.
    Brief,
    /// Headers and bodies too, folded.
    Full,
    /// Headers and bodies, the last exchange (most often the one the failed step is about)
    /// unfolded.
    FullLastOpen,
}

fn exchanges(html: &mut String, exchanges: &[Exchange], detail: Detail) {
    if exchanges.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        "<section class=\"exchanges\"><h4>HTTP exchanges ({})</h4>",
        exchanges.len()
    );
    if detail == Detail::Brief {
        // Method, path, status and time only: a passing scenario's exchanges are there to
        // show what it did, and a thousand of them must not weigh the page down.
        html.push_str("<ul class=\"brief\">\n");
        // Written piece by piece: a large run has tens of thousands of these lines.
        for e in exchanges {
            html.push_str("<li title=\"");
            esc_into(html, &e.url);
            html.push_str("\"><b>");
            esc_into(html, &e.method);
            html.push_str("</b> ");
            esc_into(html, url_path(&e.url));
            html.push_str(" <span class=\"code c");
            match e.status {
                Some(status) => {
                    let mut digits = itoa::Buffer::new();
                    html.push_str(digits.format(status / 100));
                    html.push_str("\">");
                    html.push_str(digits.format(status));
                }
                None => html.push_str("5\">no answer"),
            }
            html.push_str("</span> ");
            push_duration(html, e.duration);
            html.push_str("</li>\n");
        }
        html.push_str("</ul>\n</section>\n");
        return;
    }
    for (i, e) in exchanges.iter().enumerate() {
        let open = if detail == Detail::FullLastOpen && i + 1 == exchanges.len() {
            " open"
        } else {
            ""
        };
        let _ = write!(
            html,
            "<details class=\"exchange\"{open}><summary>{}</summary>\n<div class=\"http\">",
            exchange_line(e)
        );
        message(
            html,
            "Request",
            &e.request_headers,
            e.request_body.as_deref(),
        );
        let answer = match e.status {
            Some(status) => format!("Response {status}"),
            None => "No response".to_owned(),
        };
        message(
            html,
            &answer,
            &e.response_headers,
            e.response_body.as_deref(),
        );
        html.push_str("</div></details>\n");
    }
    html.push_str("</section>\n");
}

fn exchange_line(e: &Exchange) -> String {
    let status = match e.status {
        Some(s) => format!("<span class=\"code c{}\">{s}</span>", s / 100),
        None => "<span class=\"code c5\">no answer</span>".to_owned(),
    };
    format!(
        "<span class=\"method\">{}</span> <span class=\"url\">{}</span> {status} <span class=\"dur\">{}</span>",
        esc(&e.method),
        esc(&e.url),
        human_duration(e.duration)
    )
}

fn message(html: &mut String, title: &str, headers: &[(String, String)], body: Option<&str>) {
    let _ = write!(html, "<div class=\"msg\"><h5>{}</h5>", esc(title));
    if !headers.is_empty() {
        html.push_str("<table class=\"headers\">");
        for (name, value) in headers {
            let _ = write!(
                html,
                "<tr><th>{}</th><td>{}</td></tr>",
                esc(name),
                esc(value)
            );
        }
        html.push_str("</table>");
    }
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        let (shown, cut) = match body.char_indices().nth(MAX_BODY) {
            Some((i, _)) => (&body[..i], body.len() - i),
            None => (body, 0),
        };
        let _ = write!(html, "<pre class=\"body\">{}", esc(shown));
        if cut > 0 {
            let _ = write!(
                html,
                "\n<span class=\"cut\">… {cut} more bytes not shown</span>"
            );
        }
        html.push_str("</pre>");
    }
    html.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;
    use proptest::strategy::Strategy as _;

    /// The escaping rules one character at a time: what the byte-wise [`esc`] must match.
    fn esc_by_character(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                '\n' | '\t' => out.push(c),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn escaping_matches_the_rules_character_by_character(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<char>(),
                    proptest::sample::select(&['\u{0}', '\u{1f}', '\t', '\n', '\u{7f}', '\u{80}', '\u{9f}', '\u{a0}', '\u{c0}', '\u{100}', '&', '<', '>', '"', '\''][..]),
                ],
                0..80,
            ).prop_map(|chars| chars.into_iter().collect::<String>()),
        ) {
            proptest::prop_assert_eq!(esc(&text), esc_by_character(&text));
        }
    }

    #[test]
    fn escaping_replaces_markup_drops_control_characters_and_keeps_the_rest() {
        assert_eq!(
            esc("a<b>&\"c\" 'd'\n\tü€\u{7}\u{7f}\u{85}\u{a0}é"),
            "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39;\n\tü€\u{a0}é"
        );
        assert_eq!(esc(""), "");
        assert_eq!(esc("plain"), "plain");
    }

    #[test]
    fn a_steps_title_says_where_its_code_is_or_why_there_is_none() {
        let mut report = sample::run_report();
        report.step_definitions[0].file = "steps/a&b.rs".into();
        let Some(first) = report.features[0].scenarios.iter().next() else {
            panic!("the sample has a scenario");
        };
        let mut scenario = first.into_owned();
        let step = |matches: usize| StepReport {
            line: 40 + matches,
            matches: (0..matches)
                .map(|_| crate::report::model::StepMatch {
                    definition: 0,
                    arguments: Vec::new(),
                })
                .collect(),
            ..scenario.steps[0].clone()
        };
        scenario.steps = vec![step(0), step(1), step(2)];
        let line = report.step_definitions[0].line;
        report.features[0].scenarios = vec![scenario].into();
        let html = to_html(&report);
        assert!(
            html.contains("title=\"line 40 · no step definition matches\""),
            "{html}"
        );
        assert!(html.contains(&format!("title=\"line 41 · steps/a&amp;b.rs:{line}\"")));
        assert!(html.contains("title=\"line 42 · 2 step definitions match\""));
    }

    fn page() -> String {
        to_html(&sample::run_report())
    }

    #[test]
    fn the_page_is_self_contained() {
        let html = page();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.ends_with("</html>\n"));
        for remote in [
            "http-equiv",
            "<link",
            "src=\"http",
            "href=\"http",
            "@import",
            "url(",
        ] {
            assert!(!html.contains(remote), "{remote} in the page");
        }
        // The only URLs are the exchanges' own, shown as text.
        assert!(!html.contains("src="), "no external script or image");
    }

    #[test]
    fn the_summary_comes_first_with_counts_and_a_bar_per_feature() {
        let html = page();
        let summary = html.find("class=\"summary\"").unwrap();
        let first_feature = html.find("<section class=\"feature\"").unwrap();
        assert!(summary < first_feature);
        assert!(html.contains("<span class=\"n\">2</span>passed"));
        assert!(html.contains("<span class=\"n\">1</span>failed"));
        assert!(html.contains("<span class=\"n\">1</span>not applicable"));
        assert!(html.contains("<span class=\"n\">1</span>flaky"));
        assert!(html.contains("<div class=\"verdict failed\">1 failed</div>"));
        assert!(html.contains(
            "Target <b>mock (embedded)</b> · started 2025-01-15 10:00:00 UTC · took 3.40 s"
        ));
        assert!(html.contains(
            "<span class=\"passed\" style=\"flex-grow:2\" title=\"2 passed\"></span>\
             <span class=\"failed\" style=\"flex-grow:1\" title=\"1 failed\"></span>"
        ));
    }

    #[test]
    fn failed_scenarios_are_open_with_the_error_and_the_rest_folded() {
        let html = page();
        let failed = html
            .split("<details class=\"scenario failed\"")
            .nth(1)
            .expect("a failed scenario");
        let head = &failed[..failed.find('>').unwrap()];
        assert!(head.ends_with(" open"), "{head}");
        assert!(failed.contains(
            "<pre class=\"error\"><span class=\"headline\">response does not match schema `person.json`</span>\n\
             <span class=\"pointer\">at /address/country: &quot;Germany&quot; does not match &quot;^[A-Z]{2}$&quot;</span>"
        ));
        // Escaped, and the terminal escape character dropped.
        assert!(failed.contains("expected &lt;country&gt; &amp; &#39;ISO 3166&#39; code[0m"));
        let passed = html
            .split("<details class=\"scenario passed\"")
            .nth(1)
            .unwrap();
        assert!(!passed[..passed.find('>').unwrap()].contains(" open"));
    }

    #[test]
    fn steps_read_as_written_with_tables_and_where_their_code_is() {
        let html = page();
        assert!(html.contains(
            "<span class=\"text\" title=\"line 12 · steps/sample.rs:40\"><span class=\"kw\">Given</span> \
             a person with the name &quot;Jürgen&quot;</span><span class=\"dur\">40 ms</span>"
        ));
        assert!(html.contains(
            "<table class=\"data\"><tr><td>country</td><td>tin</td></tr><tr><td>US</td><td>123456789</td></tr></table>"
        ));
        assert!(html.contains("data-tags=\"@onboarding @cards\""));
        assert!(html.contains("<option value=\"@simulation\">@simulation</option>"));
    }

    #[test]
    fn a_flaky_scenario_shows_its_failed_attempt_with_full_exchanges() {
        let html = page();
        let flaky = html
            .split("<details class=\"scenario passed\"")
            .nth(1)
            .unwrap();
        let flaky = &flaky[..flaky.find("</details>\n</details>").unwrap_or(flaky.len())];
        assert!(flaky.contains("data-flaky"));
        assert!(
            flaky.contains("<span class=\"badge flaky\" title=\"passed on retry\">flaky</span>")
        );
        assert!(flaky.contains("<summary>Attempt 1 of 2: failed after 150 ms</summary>"));
        assert!(flaky.contains("<span class=\"code c5\">503</span>"));
        assert!(flaky.contains("<th>Authorization</th><td>Bearer [redacted]</td>"));
        assert!(flaky.contains(
            "<pre class=\"body\">{\n  &quot;first_name&quot;: &quot;Theresa&quot;\n}</pre>"
        ));
    }

    #[test]
    fn passing_scenarios_list_exchanges_without_bodies() {
        let mut report = sample::run_report();
        report.features[0].scenarios[0].retried.clear();
        report.features[0].scenarios[0].flaky = None;
        let html = to_html(&report);
        assert!(html.contains(
            "<ul class=\"brief\">\n<li title=\"http://127.0.0.1:8080/v1/persons\"><b>POST</b> \
             /v1/persons <span class=\"code c2\">201</span> 12 ms</li>"
        ));
        assert!(!html.contains("<pre class=\"body\">"));
    }

    #[test]
    fn a_utc_time_is_cut_as_a_full_parse_would_show_it() {
        let parsed = |at: &str| match chrono::DateTime::parse_from_rfc3339(at) {
            Ok(t) => t
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            Err(_) => at.to_owned(),
        };
        for at in [
            "2025-01-15T10:00:00.123Z",
            "2025-01-15T10:00:00Z",
            "2024-02-29T23:59:59.999999999Z",
            "2025-02-29T10:00:00Z",
            "2025-01-15T24:00:00Z",
            "2025-01-15T10:60:00Z",
            "2025-01-15T10:00:00.Z",
            "2025-01-15T10:00:00+02:00",
            "2025-01-15 10:00:00Z",
            "2025-1-15T10:00:00Z",
            "not a time",
            "",
            "2025-01-15T10:00:00.12ä4Z",
        ] {
            assert_eq!(readable_time(at), parsed(at), "{at}");
        }
        // A time with an offset is shown in UTC, as the label says.
        assert_eq!(
            readable_time("2025-01-15T10:00:00+02:00"),
            "2025-01-15 08:00:00 UTC"
        );
    }

    #[test]
    fn history_shows_the_last_runs_and_this_one() {
        let html = page();
        assert!(html.contains(
            "<span class=\"history\" title=\"Last runs, oldest first\">\
             <i class=\"passed\" title=\"2025-01-13 10:00:00 UTC: passed\"></i>\
             <i class=\"failed\" title=\"2025-01-14 10:00:00 UTC: failed\"></i>\
             <i class=\"failed now\" title=\"this run (2025-01-15 10:00:00 UTC): failed\"></i></span>"
        ));
    }

    #[test]
    fn snapshot_diffs_mark_removed_and_added_lines() {
        let markup = error_markup(
            "snapshot `a.snap` differs from the response (- snapshot, + response):\n    @@ -1,2 +1,2 @@\n    -\"x\": 1\n    +\"x\": 2\n     \"y\": 3",
        );
        assert!(markup.contains("<span class=\"hunk\">    @@ -1,2 +1,2 @@</span>"));
        assert!(markup.contains("<span class=\"del\">    -&quot;x&quot;: 1</span>"));
        assert!(markup.contains("<span class=\"ins\">    +&quot;x&quot;: 2</span>"));
        assert!(markup.ends_with("\n     &quot;y&quot;: 3"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let mut html = String::new();
        let body = "x".repeat(MAX_BODY + 10);
        message(&mut html, "Response 200", &[], Some(&body));
        assert!(html.contains("… 10 more bytes not shown"));
        assert!(html.len() < MAX_BODY + 200);
    }

    #[test]
    fn a_thousand_scenarios_stay_light() {
        let mut report = sample::run_report();
        let mut template = report.features[0].scenarios[0].clone();
        template.retried.clear();
        template.flaky = None;
        template.exchanges = vec![template.exchanges[0].clone(); 8];
        let feature = &mut report.features[0];
        feature.scenarios = (0..1000)
            .map(|i| ScenarioReport {
                name: format!("scenario {i}"),
                line: i,
                ..template.clone()
            })
            .collect();
        // One in ten failed, with its exchanges in full.
        for s in feature
            .scenarios
            .in_memory()
            .unwrap()
            .iter_mut()
            .step_by(10)
        {
            s.status = Status::Failed;
            s.retried.clear();
        }
        // Its speed is measured by bench/, not here.
        let html = to_html(&report);
        // About 2 KB a scenario with eight exchanges each, and the failed ones in full.
        assert!(html.len() < 3 * 1024 * 1024, "{} bytes", html.len());
        assert_eq!(html.matches("<details class=\"scenario").count(), 1002);
    }
}
