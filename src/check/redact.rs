//! Redaction, in one place for every output.
//!
//! [`Redactor`] is the run's secrets policy: the client secret, bearer and basic credentials,
//! `Authorization` and signature headers, webhook secrets and `sha256=` signatures always, and
//! the JSON paths the user names (`--redact`) on request. The report writers (console, HTML,
//! JUnit, Cucumber Messages and JSON) all read a report that went through it once, and
//! [`redact_volatile`], which snapshots go through, applies the [`active`] policy too.
//!
//! [`redact_volatile`] also replaces what changes from run to run (ids, timestamps, IBANs, URLs,
//! tokens) with placeholders so snapshots stay stable; [`redact_secrets`] is the policy's text
//! rule on its own, for a list of known secrets.

use regex::Regex;
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock, RwLock};

/// Placeholder for ids (`id` and every `*_id`).
pub const ID: &str = "[id]";
/// Placeholder for timestamps (`*_at`, `creation_date`, any timestamp-shaped string).
pub const TIMESTAMP: &str = "[timestamp]";
/// Placeholder for IBANs.
pub const IBAN: &str = "[iban]";
/// Placeholder for URLs (`url`, `location`).
pub const URL: &str = "[url]";
/// Placeholder for provider and card references.
pub const REFERENCE: &str = "[reference]";
/// Placeholder for tokens and secrets.
pub const SECRET: &str = "[secret]";
/// Placeholder for masked card numbers.
pub const PAN: &str = "[pan]";
/// What [`redact_secrets`] puts in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// A copy of `value` with every volatile value replaced by a placeholder, recursively.
///
/// Keys decide first: `id` and `*_id` → `[id]`; `*_at`, `creation_date` → `[timestamp]`;
/// `iban` → `[iban]`; `url`, `location` → `[url]`; `reference` → `[reference]`;
/// `access_token`, `secret`, `wizard_session_key` → `[secret]`; `masked_pan` → `[pan]`. Then any
/// string shaped like a timestamp becomes `[timestamp]`. Plain dates (`birth_date`,
/// `expiration_date`) stay: they come from the scenario's data. Nulls stay null, so a snapshot
/// still shows that a field was null.
///
/// When a run's [`Redactor`] is [`active`], its JSON paths and secrets apply too (values that are
/// already a placeholder, like `[as sent]`, stay as they are, so snapshots keep matching).
pub fn redact_volatile(value: &Value) -> Value {
    let volatile = volatile(value);
    match active() {
        Some(policy) => policy.json_keeping_placeholders(&volatile),
        None => volatile,
    }
}

fn volatile(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let redacted = match placeholder_for_key(key) {
                        Some(_) if v.is_null() => Value::Null,
                        Some(placeholder) if !v.is_object() && !v.is_array() => {
                            Value::from(placeholder)
                        }
                        _ => volatile(v),
                    };
                    (key.clone(), redacted)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(volatile).collect()),
        Value::String(s) if looks_like_timestamp(s) => Value::from(TIMESTAMP),
        other => other.clone(),
    }
}

fn placeholder_for_key(key: &str) -> Option<&'static str> {
    match key {
        "id" => Some(ID),
        "iban" => Some(IBAN),
        "url" | "location" => Some(URL),
        "reference" => Some(REFERENCE),
        "wizard_session_key" => Some(SECRET),
        k if is_secret_key(k) => Some(SECRET),
        "masked_pan" => Some(PAN),
        "created_at" | "updated_at" | "creation_date" | "completed_at" | "opened_at" => {
            Some(TIMESTAMP)
        }
        k if k.ends_with("_id") => Some(ID),
        k if k.ends_with("_at") => Some(TIMESTAMP),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM`, optional `:SS`, optional fraction, optional `Z` or `±HH:MM` / `±HHMM`.
/// A plain date is not a timestamp.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10)) {
        return false;
    }
    if !(at(10, b'T') || at(10, b't')) || !(digits(11..13) && at(13, b':') && digits(14..16)) {
        return false;
    }
    let mut i = 16;
    if at(i, b':') {
        if !digits(i + 1..i + 3) {
            return false;
        }
        i += 3;
        if at(i, b'.') {
            let fraction = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            if fraction == 0 {
                return false;
            }
            i += 1 + fraction;
        }
    }
    match &b[i..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => match rest {
            [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
            }
            _ => false,
        },
        _ => false,
    }
}

/// `text` with every non-empty secret replaced by `[redacted]`, and the credentials of any
/// `Bearer <token>` or `Basic <base64>` replaced too (`Bearer [redacted]`).
pub fn redact_secrets(text: &str, secrets: &[&str]) -> String {
    let mut sorted: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    // Longest first, so a secret that contains another is replaced whole.
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for secret in sorted {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    redact_authorization(&out)
}

/// Whether a JSON key (or form field) holds a secret: `secret`, `client_secret`,
/// `access_token`, `refresh_token`, `id_token`, `password`, `api_key`, `signature`, and any key
/// ending in `_secret` or `_token`. Case does not matter.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    matches!(
        key.as_str(),
        "secret" | "password" | "api_key" | "apikey" | "signature" | "token"
    ) || key.ends_with("_secret")
        || key.ends_with("_token")
}

/// Whether a JSON text may hold a key that [`is_secret_key`] names: every such key ends with
/// one of its words, so its closing quote and colon follow one of them. A word inside a value
/// (a sandbox card's `WITHSTATICTOKEN` name line) is not followed by a colon, and the body is
/// not parsed for nothing.
fn may_hold_a_secret_key(json: &str) -> bool {
    static KEY_ENDS: OnceLock<Option<Regex>> = OnceLock::new();
    KEY_ENDS
        .get_or_init(|| Regex::new(r#"(?i)(?:secret|password|api_?key|signature|token)"\s*:"#).ok())
        .as_ref()
        // Without the regex (it always compiles), every body is looked at.
        .is_none_or(|ends| ends.is_match(json))
}

/// Whether an HTTP header's value is a secret: credentials, cookies and webhook signatures.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "set-cookie"
            | "x-api-key"
            | "solaris-webhook-signature"
    ) || name.ends_with("-signature")
        || name.ends_with("-secret")
}

/// A JSON path the user asked to redact, such as `birth_date`, `address.line_1` or
/// `tax_identifications.*.number`: dot-separated keys, `*` for any one key. It matches at any
/// depth, and array items are looked into, so `first_name` hides every first name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    segments: Vec<Option<String>>,
}

/// A `--redact` path that is not a dot-separated list of keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redact the JSON path `{path}`: {why}")]
pub struct InvalidPath {
    pub path: String,
    pub why: &'static str,
}

impl JsonPath {
    /// Parses `a.b.c`; a leading `$.` or `/` is allowed (`$.address.line_1`, `/birth_date`).
    pub fn parse(text: &str) -> Result<Self, InvalidPath> {
        let trimmed = text.trim();
        let bare = trimmed
            .strip_prefix("$.")
            .or_else(|| trimmed.strip_prefix('/'))
            .unwrap_or(trimmed);
        let separator = if trimmed.starts_with('/') { '/' } else { '.' };
        let invalid = |why| InvalidPath {
            path: text.to_string(),
            why,
        };
        if bare.is_empty() {
            return Err(invalid("the path is empty"));
        }
        let segments = bare
            .split(separator)
            .map(|segment| match segment {
                "" => Err(invalid("a key between two dots is empty")),
                "*" => Ok(None),
                key => Ok(Some(key.to_string())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JsonPath {
            text: trimmed.to_string(),
            segments,
        })
    }

    /// The path as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the keys leading to a value (outermost first) end with this path.
    fn matches(&self, keys: &[&str]) -> bool {
        keys.len() >= self.segments.len()
            && keys[keys.len() - self.segments.len()..]
                .iter()
                .zip(&self.segments)
                .all(|(key, segment)| segment.as_deref().is_none_or(|s| s == *key))
    }

    /// The last key, when it is not `*`: what the value is called in free text.
    fn last_key(&self) -> Option<&str> {
        self.segments.last().and_then(Option::as_deref)
    }
}

/// Values shorter than this, found at a configured path, are not hunted down in free text: a
/// country code like `DE` would otherwise blank out every "DE" in an error message.
const MIN_LEARNED_LEN: usize = 3;

/// The secrets policy of a run (see the module docs). Cheap to clone; build it once per run,
/// [`learn`](Redactor::learn_json) the secrets the API handed out, then apply it to everything
/// written.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Exact strings removed from any text: the client secret, webhook secrets, tokens.
    secrets: Vec<String>,
    /// Values found at the configured paths, removed from free text too.
    learned: Vec<String>,
    paths: Vec<JsonPath>,
    /// `secrets` and `learned` as one search (longest first), built on first use: a suite's
    /// worth of learned names and dates is searched for in every string of every report.
    matcher: OnceLock<Option<Regex>>,
}

impl Redactor {
    /// A policy that removes `secrets` (empty ones are ignored) and the values at `paths`.
    pub fn new<S: Into<String>>(
        secrets: impl IntoIterator<Item = S>,
        paths: Vec<JsonPath>,
    ) -> Self {
        let mut policy = Redactor {
            paths,
            ..Redactor::default()
        };
        for secret in secrets {
            policy.add_secret(secret.into());
        }
        policy
    }

    /// The configured paths.
    pub fn paths(&self) -> &[JsonPath] {
        &self.paths
    }

    /// Removes `secret` from every text from now on.
    pub fn add_secret(&mut self, secret: String) {
        if !secret.is_empty() && !self.secrets.contains(&secret) {
            self.secrets.push(secret);
            self.matcher = OnceLock::new();
        }
    }

    /// Remembers the secrets in a JSON value (every string under a secret key, such as the
    /// `secret` of a new webhook subscription) and the values at the configured paths, so they
    /// are removed from free text too (an error message quoting a body, say).
    pub fn learn_json(&mut self, value: &Value) {
        let mut found = Vec::new();
        let mut keys = Vec::new();
        self.collect(value, &mut keys, &mut found);
        for (secret, value) in found {
            if secret {
                self.add_secret(value);
            } else if value.chars().count() >= MIN_LEARNED_LEN && !self.learned.contains(&value) {
                self.learned.push(value);
                self.matcher = OnceLock::new();
            }
        }
    }

    /// [`learn_json`](Redactor::learn_json) for a body that may or may not be JSON.
    pub fn learn_body(&mut self, body: &str) {
        // Without configured paths only the values of secret keys are learnt: a body with
        // no such key is not parsed.
        if self.paths.is_empty() && !may_hold_a_secret_key(body) {
            return;
        }
        if let Ok(value) = serde_json::from_str::<Value>(body) {
            self.learn_json(&value);
        }
    }

    fn collect<'a>(
        &self,
        value: &'a Value,
        keys: &mut Vec<&'a str>,
        found: &mut Vec<(bool, String)>,
    ) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    keys.push(key);
                    if is_secret_key(key) {
                        scalars(v, &mut |s| found.push((true, s)));
                    } else if self.paths.iter().any(|p| p.matches(keys)) {
                        scalars(v, &mut |s| found.push((false, s)));
                    } else {
                        self.collect(v, keys, found);
                    }
                    keys.pop();
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.collect(item, keys, found);
                }
            }
            _ => {}
        }
    }

    /// `text` with every known secret and learned value replaced by `[redacted]`, and the
    /// credentials of `Bearer`/`Basic`, `sha256=` signatures, `"secret": "…"` and
    /// `secret=…` pairs (for every secret key, and the configured paths' last keys) too.
    pub fn text(&self, text: &str) -> String {
        self.redacted(text).unwrap_or_else(|| text.to_owned())
    }

    /// [`text`](Redactor::text) when it may differ from `text`; `None` when it leaves `text`
    /// as it is, told cheaply (most texts of a run), so that the caller keeps what it has
    /// rather than a copy.
    pub fn redacted(&self, text: &str) -> Option<String> {
        if self.plain(text) {
            return None;
        }
        let out = match self.matcher() {
            Some(known) => known.replace_all(text, REDACTED).into_owned(),
            None => text.to_string(),
        };
        let out = redact_authorization(&out);
        let out = redact_signatures(&out);
        let extra: Vec<&str> = self.paths.iter().filter_map(JsonPath::last_key).collect();
        let out = redact_quoted_pairs(&out, &extra);
        Some(redact_form_pairs(&out))
    }

    /// Whether [`text`](Redactor::text) leaves `text` as it is, told cheaply: no known secret
    /// or learned value in it, no `=` (of `sha256=` or `key=value`), no quote and colon (of
    /// `"key": "value"`) and no `Bearer` or `Basic` word. Most step texts and messages are.
    fn plain(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let scheme = || {
            bytes.iter().enumerate().any(|(i, b)| {
                b.eq_ignore_ascii_case(&b'b')
                    && ["bearer", "basic"].iter().any(|word| {
                        bytes
                            .get(i..i + word.len())
                            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
                    })
            })
        };
        let marked = text.contains('=') || (text.contains('"') && text.contains(':')) || scheme();
        !marked && self.matcher().is_none_or(|known| !known.is_match(text))
    }

    /// One search for every known secret and learned value, longest first so that a secret
    /// containing another is replaced whole.
    fn matcher(&self) -> Option<&Regex> {
        self.matcher
            .get_or_init(|| {
                let mut all: Vec<&String> = self.secrets.iter().chain(&self.learned).collect();
                if all.is_empty() {
                    return None;
                }
                all.sort_by_key(|s| std::cmp::Reverse(s.len()));
                let pattern = all
                    .iter()
                    .map(|s| regex::escape(s))
                    .collect::<Vec<_>>()
                    .join("|");
                regex::RegexBuilder::new(&pattern)
                    .size_limit(256 << 20)
                    .build()
                    .ok()
            })
            .as_ref()
    }

    /// A copy of `value` with secret keys and configured paths set to `[redacted]` and every
    /// other string passed through [`text`](Redactor::text).
    pub fn json(&self, value: &Value) -> Value {
        self.json_at(value, &mut Vec::new(), false)
    }

    /// Like [`json`](Redactor::json), but a value that is already a placeholder (`[id]`,
    /// `[as sent]`) stays, so snapshots taken without the policy keep matching.
    pub fn json_keeping_placeholders(&self, value: &Value) -> Value {
        self.json_at(value, &mut Vec::new(), true)
    }

    fn json_at<'a>(&self, value: &'a Value, keys: &mut Vec<&'a str>, keep: bool) -> Value {
        let placeholder = |v: &Value| {
            keep && v
                .as_str()
                .is_some_and(|s| s.len() > 2 && s.starts_with('[') && s.ends_with(']'))
        };
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(key, v)| {
                        keys.push(key);
                        let hide = is_secret_key(key) || self.paths.iter().any(|p| p.matches(keys));
                        let redacted = if v.is_null() || placeholder(v) {
                            v.clone()
                        } else if hide {
                            hide_scalars(v)
                        } else {
                            self.json_at(v, keys, keep)
                        };
                        keys.pop();
                        (key.clone(), redacted)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.json_at(item, keys, keep))
                    .collect(),
            ),
            Value::String(s) if !placeholder(value) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }

    /// A request or response body: JSON is redacted as JSON and pretty-printed again, anything
    /// else as text.
    pub fn body(&self, body: &str) -> String {
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value.is_object() || value.is_array() => {
                serde_json::to_string_pretty(&self.json(&value)).unwrap_or_default()
            }
            _ => self.text(body),
        }
    }

    /// A header's value: secret headers lose it whole, except for the scheme of an
    /// `Authorization` (`Bearer [redacted]`).
    pub fn header(&self, name: &str, value: &str) -> String {
        if !is_secret_header(name) {
            return self.text(value);
        }
        match value.split_once(' ') {
            Some((scheme, _))
                if scheme.eq_ignore_ascii_case("bearer")
                    || scheme.eq_ignore_ascii_case("basic") =>
            {
                format!("{scheme} {REDACTED}")
            }
            _ => REDACTED.to_string(),
        }
    }
}

/// Calls `found` with every string (and number) in `value`.
fn scalars(value: &Value, found: &mut impl FnMut(String)) {
    match value {
        Value::String(s) => found(s.clone()),
        Value::Number(n) => found(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| scalars(v, found)),
        Value::Object(map) => map.values().for_each(|v| scalars(v, found)),
        _ => {}
    }
}

/// `[redacted]` in place of every string and number, keeping the shape (and nulls, booleans).
fn hide_scalars(value: &Value) -> Value {
    match value {
        Value::String(_) | Value::Number(_) => Value::from(REDACTED),
        Value::Array(items) => Value::Array(items.iter().map(hide_scalars).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), hide_scalars(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

static ACTIVE: RwLock<Option<Arc<Redactor>>> = RwLock::new(None);

/// Makes `policy` the one [`redact_volatile`] applies (the runner does this for the length of
/// a run; `None` ends it).
pub fn set_active(policy: Option<Arc<Redactor>>) {
    *ACTIVE.write().unwrap_or_else(|e| e.into_inner()) = policy;
}

/// The policy of the running suite, if any.
pub fn active() -> Option<Arc<Redactor>> {
    ACTIVE.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// `sha256=<hex>` (the `Solaris-Webhook-Signature` form) → `sha256=[redacted]`.
fn redact_signatures(text: &str) -> String {
    const PREFIX: &str = "sha256=";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(PREFIX) {
        let start = from + found + PREFIX.len();
        let hex = text.as_bytes()[start..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if hex >= 16 {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = start + hex;
        }
        from = start + hex;
    }
    out.push_str(&text[copied..]);
    out
}

/// `"key": "value"` in free text (a body quoted in an error message), for every secret key and
/// the `extra` keys: the value becomes `[redacted]`.
fn redact_quoted_pairs(text: &str, extra: &[&str]) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        // A quoted key: up to the next quote.
        let Some(len) = text[i + 1..].find('"') else {
            break;
        };
        let key = &text[i + 1..i + 1 + len];
        let after_key = i + 2 + len;
        let mut j = after_key;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let is_pair = bytes.get(j) == Some(&b':');
        if !(is_pair && (is_secret_key(key) || extra.contains(&key))) {
            i = after_key;
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) != Some(&b'"') {
            i = j;
            continue;
        }
        // The value: up to the closing quote that is not escaped.
        let value_start = j + 1;
        let mut k = value_start;
        while k < bytes.len() && bytes[k] != b'"' {
            k += if bytes[k] == b'\\' { 2 } else { 1 };
        }
        let value_end = k.min(bytes.len());
        if &text[value_start..value_end] != REDACTED {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
        }
        i = value_end + 1;
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// `secret=value` in a form body or a query string, for every secret key.
fn redact_form_pairs(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(found) = text[i..].find('=') {
        let eq = i + found;
        let key_start = text[..eq]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let key = &text[key_start..eq];
        let value_len = bytes[eq + 1..]
            .iter()
            .take_while(|b| {
                !matches!(b, b'&' | b'"' | b'\'' | b',' | b';') && !b.is_ascii_whitespace()
            })
            .count();
        if !key.is_empty()
            && is_secret_key(key)
            && value_len > 0
            && &text[eq + 1..eq + 1 + value_len] != REDACTED
        {
            out.push_str(&text[copied..eq + 1]);
            out.push_str(REDACTED);
            copied = eq + 1 + value_len;
        }
        i = eq + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces the credentials after `Bearer` and `Basic` (any case, as a whole word).
fn redact_authorization(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let scheme_len = ["bearer", "basic"]
            .iter()
            .find(|scheme| {
                bytes
                    .get(i..i + scheme.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(scheme.as_bytes()))
            })
            .map(|scheme| scheme.len());
        if let (true, Some(len)) = (word_start, scheme_len) {
            let spaces = bytes[i + len..]
                .iter()
                .take_while(|c| **c == b' ' || **c == b'\t')
                .count();
            let token_start = i + len + spaces;
            let token = bytes[token_start..]
                .iter()
                .take_while(|c| is_token_byte(**c))
                .count();
            if spaces > 0 && token > 0 {
                out.push_str(&text[copied..token_start]);
                out.push_str(REDACTED);
                i = token_start + token;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Characters of an RFC 6750 bearer token (which include those of base64).
fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volatile_fields_get_placeholders() {
        let person = json!({
            "id": "84b3b4e6c7a4082cc73c5bd0e096ee88cper",
            "first_name": "Theresa",
            "birth_date": "1985-12-14",
            "terms_conditions_signed_at": "2022-01-01T00:00:00.000Z",
            "own_economic_interest_signed_at": null,
            "address": { "country": "DE" },
            "international_operativity_expectation": []
        });
        assert_eq!(
            redact_volatile(&person),
            json!({
                "id": "[id]",
                "first_name": "Theresa",
                "birth_date": "1985-12-14",
                "terms_conditions_signed_at": "[timestamp]",
                "own_economic_interest_signed_at": null,
                "address": { "country": "DE" },
                "international_operativity_expectation": []
            })
        );
    }

    #[test]
    fn every_documented_rule_applies() {
        let value = json!({
            "account_id": "cb752d28214bcfea4c285de600ad0105cacc",
            "customer_id": "84b3b4e6c7a4082cc73c5bd0e096ee88cper",
            "iban": "DE54110101002897397718",
            "url": "https://go.test.idnow.de/x",
            "location": "https://ui.example/?token=1",
            "reference": "TST-KCCEY",
            "access_token": "eyJ...",
            "secret": "f82c389fb187274227186b5a58781978",
            "wizard_session_key": "Hm7jUSC7XU2nQjPqJO8dl39eDkdjtOdCtywcmv3x",
            "representation": { "line_1": "THERESA/KLEMM", "masked_pan": "535544******1234" },
            "creation_date": "2024-05-02",
            "expiration_date": "2027-05-31",
            "completed_at": null,
            "opened_at": "2024-05-02T10:00:00Z",
            "expires_in": 3599,
            "balance": { "value": 0, "unit": "cents", "currency": "EUR" },
            "errors": [{ "id": "029f7bc9-a4dc-4512-b3ee-65d2eb089804", "detail": "at 2024-05-02T10:00:00Z" }],
            "now": "2024-05-02T10:00:00.123+00:00"
        });
        assert_eq!(
            redact_volatile(&value),
            json!({
                "account_id": "[id]",
                "customer_id": "[id]",
                "iban": "[iban]",
                "url": "[url]",
                "location": "[url]",
                "reference": "[reference]",
                "access_token": "[secret]",
                "secret": "[secret]",
                "wizard_session_key": "[secret]",
                "representation": { "line_1": "THERESA/KLEMM", "masked_pan": "[pan]" },
                "creation_date": "[timestamp]",
                "expiration_date": "2027-05-31",
                "completed_at": null,
                "opened_at": "[timestamp]",
                "expires_in": 3599,
                "balance": { "value": 0, "unit": "cents", "currency": "EUR" },
                "errors": [{ "id": "[id]", "detail": "at 2024-05-02T10:00:00Z" }],
                "now": "[timestamp]"
            })
        );
    }

    #[test]
    fn lists_and_nested_objects_are_redacted() {
        let value = json!([{ "id": "a", "rejection_reason": { "failed_validation": "x" }, "updated_at": "y" }]);
        assert_eq!(
            redact_volatile(&value),
            json!([{ "id": "[id]", "rejection_reason": { "failed_validation": "x" }, "updated_at": "[timestamp]" }])
        );
    }

    #[test]
    fn timestamp_shapes() {
        for yes in [
            "2021-09-14T18:18:28.000Z",
            "2020-04-25T12:50:33Z",
            "2021-12-22T15:05:33.634+00:00",
            "2022-04-21T13:59:52+0000",
            "2022-04-21T13:59",
            "2022-04-21T13:59:52",
        ] {
            assert!(looks_like_timestamp(yes), "{yes}");
        }
        for no in [
            "2022-04-21",
            "1985-12-14",
            "2022-04-21T13",
            "2022-04-21T13:59:52.Z",
            "2022-04-21T13:59:52+1",
            "x",
        ] {
            assert!(!looks_like_timestamp(no), "{no}");
        }
    }

    #[test]
    fn secrets_and_authorization_headers_are_redacted() {
        let text = "client mock-client/mock-secret; Authorization: Bearer eyJhbGciOi.x-y_z~+/=; \
                    authorization: basic bW9jay1jbGllbnQ6bW9jay1zZWNyZXQ=, Bearer\tabc";
        assert_eq!(
            redact_secrets(text, &["mock-secret", "", "mock-client"]),
            "client [redacted]/[redacted]; Authorization: Bearer [redacted]; \
             authorization: basic [redacted], Bearer\t[redacted]"
        );
    }

    #[test]
    fn authorization_words_need_a_token_and_a_word_boundary() {
        let text = "Basic checks, a Bearer, BearerToken abc, unbasic x, Bearer [redacted]";
        assert_eq!(
            redact_secrets(text, &[]),
            "Basic [redacted], a Bearer, BearerToken abc, unbasic x, Bearer [redacted]"
        );
    }

    #[test]
    fn overlapping_secrets_are_replaced_whole() {
        assert_eq!(
            redact_secrets("token abc123 and abc", &["abc", "abc123"]),
            "token [redacted] and [redacted]"
        );
    }

    fn policy(paths: &[&str]) -> Redactor {
        let paths = paths
            .iter()
            .map(|p| JsonPath::parse(p).expect("a valid path"))
            .collect();
        Redactor::new(["client-secret-42"], paths)
    }

    #[test]
    fn the_policy_removes_secrets_tokens_signatures_and_secret_pairs_from_text() {
        let text = "secret client-secret-42; Authorization: Bearer eyJ.abc; \
                    Solaris-Webhook-Signature: Some(\"sha256=0123456789abcdef0123456789abcdef\"); \
                    body {\"secret\": \"f82c389fb187\", \"event_type\": \"PERSON_CHANGED\"}; \
                    form grant_type=client_credentials&client_secret=abc&access_token=xyz";
        assert_eq!(
            policy(&[]).text(text),
            "secret [redacted]; Authorization: Bearer [redacted]; \
             Solaris-Webhook-Signature: Some(\"sha256=[redacted]\"); \
             body {\"secret\": \"[redacted]\", \"event_type\": \"PERSON_CHANGED\"}; \
             form grant_type=client_credentials&client_secret=[redacted]&access_token=[redacted]"
        );
    }

    #[test]
    fn text_that_holds_no_secret_is_left_alone() {
        let text = "expected HTTP 201 from POST /v1/persons, got 400: \"secret\" is a word; sha256=short; a=b";
        assert_eq!(policy(&["first_name"]).text(text), text);
    }

    #[test]
    fn json_hides_secret_keys_and_configured_paths_at_any_depth() {
        let body = json!({
            "id": "w-1",
            "secret": "f82c389fb187",
            "first_name": "Theresa",
            "address": { "line_1": "Hauptstr. 1", "country": "DE" },
            "people": [{ "first_name": "Jonas", "birth_date": "1985-12-14" }],
            "tax_identifications": [{ "number": "48954371207", "country": "DE" }],
            "note": "Bearer abc and client-secret-42",
            "nothing": null
        });
        let redacted = policy(&[
            "first_name",
            "address.line_1",
            "tax_identifications.*.number",
            "$.birth_date",
        ])
        .json(&body);
        assert_eq!(
            redacted,
            json!({
                "id": "w-1",
                "secret": "[redacted]",
                "first_name": "[redacted]",
                "address": { "line_1": "[redacted]", "country": "DE" },
                "people": [{ "first_name": "[redacted]", "birth_date": "[redacted]" }],
                "tax_identifications": [{ "number": "48954371207", "country": "DE" }],
                "note": "Bearer [redacted] and [redacted]",
                "nothing": null
            })
        );
        // `*` stands for one key; array items are looked into without a segment.
        let by_index = policy(&["tax_identifications.number"]).json(&body);
        assert_eq!(by_index["tax_identifications"][0]["number"], "[redacted]");
    }

    #[test]
    fn learned_secrets_and_path_values_leave_free_text_too() {
        let mut p = policy(&["birth_date", "address.country"]);
        p.learn_body(r#"{"id": "w-1", "secret": "f82c389fb187", "birth_date": "1985-12-14", "address": {"country": "DE"}}"#);
        assert_eq!(
            p.text("delivery signed with f82c389fb187 for a person born 1985-12-14 in DE"),
            "delivery signed with [redacted] for a person born [redacted] in DE",
            "values shorter than three characters are only hidden inside JSON"
        );
    }

    #[test]
    fn secret_keys_are_learnt_from_bodies_without_configured_paths() {
        let mut p = policy(&[]);
        p.learn_body(r#"{"id": "p-1", "first_name": "Kalomira"}"#);
        p.learn_body(r#"{"data": {"Webhook_TOKEN": "tok-5b1e9a", "API_KEY": "k-77aa10"}}"#);
        assert_eq!(
            p.text("Kalomira used tok-5b1e9a and k-77aa10"),
            "Kalomira used [redacted] and [redacted]"
        );
    }

    #[test]
    fn only_a_body_with_a_secret_key_is_parsed_for_one() {
        for body in [
            r#"{"number": "+4915100000001", "token": "212212"}"#,
            "{\n  \"Webhook_TOKEN\" : \"tok-5b1e9a\"\n}",
            r#"{"data":{"client_secret":"s-1","API_KEY":"k-2"}}"#,
            r#"{"signature":"sha256=ab"}"#,
        ] {
            assert!(may_hold_a_secret_key(body), "{body}");
        }
        for body in [
            r#"{"line_1": "LENA WITHSTATICTOKEN/WAGNER", "type": "MASTERCARD_DEBIT"}"#,
            r#"{"note": "the token", "tokens": 3, "secretary": "Ana"}"#,
            "not json, but a password",
        ] {
            assert!(!may_hold_a_secret_key(body), "{body}");
        }
        // Every key `is_secret_key` names passes the filter.
        for key in [
            "secret",
            "Password",
            "api_key",
            "APIKEY",
            "signature",
            "token",
            "x_secret",
            "refresh_token",
        ] {
            assert!(is_secret_key(key));
            assert!(
                may_hold_a_secret_key(&format!(r#"{{"{key}": "v"}}"#)),
                "{key}"
            );
        }
    }

    #[test]
    fn thousands_of_learned_values_are_hidden_quickly() {
        // A suite's worth of customers: every name is looked for in every string written.
        let mut p = policy(&["first_name"]);
        for i in 0..3000 {
            p.learn_json(&json!({ "first_name": format!("Kalomira{i:04}") }));
        }
        let started = std::time::Instant::now();
        for i in 0..20_000 {
            let text = format!("expected HTTP 201 for Kalomira{:04}, got 400", i % 3000);
            assert_eq!(p.text(&text), "expected HTTP 201 for [redacted], got 400");
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn headers_keep_only_the_scheme_of_credentials() {
        let p = policy(&[]);
        assert_eq!(
            p.header("Authorization", "Bearer eyJ.abc"),
            "Bearer [redacted]"
        );
        assert_eq!(
            p.header("authorization", "Basic bW9jaw=="),
            "Basic [redacted]"
        );
        assert_eq!(
            p.header("Solaris-Webhook-Signature", "sha256=00ff"),
            "[redacted]"
        );
        assert_eq!(p.header("Cookie", "session=1"), "[redacted]");
        assert_eq!(
            p.header("Content-Type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn bodies_are_redacted_as_json_when_they_are_json() {
        let p = policy(&[]);
        assert_eq!(
            p.body(r#"{"secret":"abc","id":"1"}"#),
            "{\n  \"id\": \"1\",\n  \"secret\": \"[redacted]\"\n}"
        );
        assert_eq!(p.body("token=abc&x=1"), "token=[redacted]&x=1");
    }

    #[test]
    fn paths_parse_or_say_what_is_wrong() {
        assert_eq!(
            JsonPath::parse("$.address.line_1").unwrap().as_str(),
            "$.address.line_1"
        );
        assert!(
            JsonPath::parse("/address/line_1")
                .unwrap()
                .matches(&["address", "line_1"])
        );
        let err = JsonPath::parse("address..line_1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "redact the JSON path `address..line_1`: a key between two dots is empty"
        );
        assert!(JsonPath::parse(" ").is_err());
    }

    #[test]
    fn the_active_policy_applies_to_snapshots_but_keeps_placeholders() {
        // A key no other test uses: the policy is process-wide while it is active.
        set_active(Some(Arc::new(policy(&["zz_policy_test_key"]))));
        let redacted = redact_volatile(&json!({
            "zz_policy_test_key": "Theresa",
            "other": { "zz_policy_test_key": "[as sent]" },
            "client_secret": "abc"
        }));
        set_active(None);
        assert_eq!(
            redacted,
            json!({
                "zz_policy_test_key": "[redacted]",
                "other": { "zz_policy_test_key": "[as sent]" },
                "client_secret": "[secret]"
            })
        );
    }
}
