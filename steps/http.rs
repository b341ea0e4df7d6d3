//! The one place where steps speak HTTP: sending a request (every answer is checked against
//! its JSON Schema), expecting a status, and the generic `Then` steps about the last answer.

use super::{Failure, Journey, StepResult};
use cucumber::then;
use reqwest::Method;
use serde_json::Value;
use solaris_conformance::check::redact::redact_volatile;
use solaris_conformance::check::snapshot::check_snapshot;
use solaris_conformance::client::Response;
use std::time::{Duration, Instant};

/// How often a step polls while waiting for an asynchronous outcome.
const POLL_EVERY: Duration = Duration::from_millis(50);

impl Journey {
    /// Sends a request; the answer's body must match the schema of its endpoint and status.
    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Response, Failure> {
        let call = format!("{method} {path}");
        if self.held {
            return Err(Failure(format!(
                "not run: the run was interrupted before this scenario started ({call} not sent)"
            )));
        }
        self.last_sent = body;
        self.kept = None;
        // The scenario's time bounds every request: a hung target fails the step, not the run.
        let limit = self.ctx.scenario_timeout;
        let left = limit.saturating_sub(self.started.map(|s| s.elapsed()).unwrap_or_default());
        if left.is_zero() {
            return Err(Failure(format!(
                "the scenario ran past its {} s timeout (--scenario-timeout) before {call}",
                limit.as_secs()
            )));
        }
        let sent = self
            .ctx
            .client
            .send(method.clone(), path, self.last_sent.as_ref());
        let Ok(answer) = tokio::time::timeout(left, sent).await else {
            return Err(Failure(format!(
                "{call} was still waiting when the scenario reached its {} s timeout (--scenario-timeout)",
                limit.as_secs()
            )));
        };
        let mut response = answer.map_err(|e| Failure(format!("{call} got no answer: {e}")))?;
        // The exchange moves to the scenario's record, which every report reads it from.
        self.last = Some(self.exchanges.len());
        self.exchanges.push(std::mem::take(&mut response.exchange));
        self.last_call = call.clone();
        if let Some(why) = target_failed(&method, response.status, self.ctx.client.safe_retries()) {
            let detail = if response.not_json {
                format!(
                    ":\n{}",
                    truncate(response.body.as_str().unwrap_or_default(), 400)
                )
            } else {
                explain_error(&response.body)
            };
            return Err(Failure(format!(
                "{call} answered HTTP {}{detail}\n{why}",
                response.status
            )));
        }
        if response.not_json {
            return Err(Failure(format!(
                "{call} answered HTTP {} with a body that is not JSON:\n{}",
                response.status,
                truncate(response.body.as_str().unwrap_or_default(), 400)
            )));
        }
        let path_only = path.split('?').next().unwrap_or(path);
        self.ctx
            .schemas
            .check_response(method.as_str(), path_only, response.status, &response.body)
            .map_err(|e| Failure(e.to_string()))?;
        Ok(response)
    }

    /// Sends a request and expects `status`; anything else fails with what came back.
    pub async fn expect(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Result<Value, Failure> {
        let response = self.call(method, path, body).await?;
        if response.status == status {
            Ok(response.body)
        } else {
            Err(Failure(format!(
                "expected HTTP {status} from {}, got {}{}",
                self.last_call,
                response.status,
                explain_error(&response.body)
            )))
        }
    }

    /// Polls `GET path` until `done` says so, or fails after `within`.
    pub async fn wait_for(
        &mut self,
        path: &str,
        within: Duration,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value, Failure> {
        let deadline = Instant::now() + within;
        loop {
            let body = self.expect(Method::GET, path, None, 200).await?;
            if done(&body) {
                return Ok(body);
            }
            if Instant::now() >= deadline {
                return Err(Failure(format!(
                    "waited {} s for {what}, but GET {path} still shows:\n{}",
                    within.as_secs(),
                    pretty(&body)
                )));
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Sends the request, as [`Journey::call`] does, and keeps the answer for the `Then` steps
    /// about it ([`Journey::last_answer`]): for a `When` step that does not look at it.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(), Failure> {
        let answer = self.call(method, path, body).await?;
        self.keep(answer);
        Ok(())
    }

    /// Keeps `answer` for [`Journey::last_answer`], which then need not read it again from its
    /// exchange. `answer` must be what the latest [`Journey::call`] gave.
    pub fn keep(&mut self, answer: Response) {
        self.kept = self.last.map(|i| (i, answer));
    }

    /// The latest answer, or a failure saying there was none: the one kept for it, or else
    /// read again from its exchange.
    pub fn last_answer(&mut self) -> Result<Response, Failure> {
        let i = self
            .last
            .ok_or_else(|| Failure("no request has been sent yet in this scenario".into()))?;
        match self.kept.take() {
            Some((k, answer)) if k == i => Ok(answer),
            _ => self
                .exchanges
                .get(i)
                .map(Response::read)
                .ok_or_else(|| Failure("no request has been sent yet in this scenario".into())),
        }
    }
}

/// Why an answer ends the step whatever the step expects: no scenario expects a busy or failing
/// target, and a step that went on would fail later for a reason that is not the real one.
/// `None` for every other answer.
fn target_failed(method: &Method, status: u16, safe_retries: u32) -> Option<String> {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if solaris_conformance::client::transient(status) {
        Some(if safe {
            format!(
                "the target was busy or unavailable, also on {safe_retries} more tries (a target's `retries` in conformance.yaml)"
            )
        } else {
            format!(
                "the target was busy or unavailable; a {method} is not sent again, since it may have been carried out (--retries N runs a failed scenario again)"
            )
        })
    } else if status >= 500 {
        Some("the target failed with a server error".into())
    } else {
        None
    }
}

/// `/v1/persons/{id}` for `/v1/persons/84b3…cper`: ids change from run to run.
fn redact_ids(call: &str) -> String {
    call.split('/')
        .map(|segment| {
            let hex = segment
                .get(..32)
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            if hex { "{id}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Replaces every value the answer merely echoes from the request with `"[as sent]"`: the
/// scenario's generated customer differs on every run, and whether it is echoed is checked by
/// the scenario's own steps. What the snapshot keeps is what the API added or changed.
fn mark_as_sent(answer: &Value, sent: &Value) -> Value {
    match (answer, sent) {
        (Value::Object(a), Value::Object(s)) => Value::Object(
            a.iter()
                .map(|(k, v)| {
                    let marked = match s.get(k) {
                        Some(sent_v) if sent_v == v && !v.is_null() && !v.is_object() => {
                            Value::String("[as sent]".into())
                        }
                        Some(sent_v) => mark_as_sent(v, sent_v),
                        None => v.clone(),
                    };
                    (k.clone(), marked)
                })
                .collect(),
        ),
        _ => answer.clone(),
    }
}

/// `: code on field: detail` from a Solaris error envelope, for failure messages.
pub fn explain_error(body: &Value) -> String {
    match body.pointer("/errors/0") {
        Some(e) => {
            let field = e
                .pointer("/source/field")
                .and_then(Value::as_str)
                .map(|f| format!(" on `{f}`"))
                .unwrap_or_default();
            format!(
                ": {}{field}: {}",
                e.get("code").and_then(Value::as_str).unwrap_or("?"),
                e.get("detail").and_then(Value::as_str).unwrap_or("")
            )
        }
        None if body.is_null() => String::new(),
        None => format!(":\n{}", truncate(&pretty(body), 600)),
    }
}

pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// The Solaris error envelope's first error, checked against what the step expects.
fn refused_with(
    w: &mut Journey,
    status: Option<u16>,
    code: Option<&str>,
    field: Option<&str>,
) -> StepResult {
    let answer = w.last_answer()?;
    let got = answer.status;
    let ok_status = match status {
        Some(s) => got == s,
        None => (400..500).contains(&got),
    };
    let error = answer.body.pointer("/errors/0");
    let got_code = error.and_then(|e| e.get("code")).and_then(Value::as_str);
    let got_field = error
        .and_then(|e| e.pointer("/source/field"))
        .and_then(Value::as_str);
    if ok_status
        && code.is_none_or(|c| got_code == Some(c))
        && field.is_none_or(|f| got_field == Some(f))
    {
        return Ok(());
    }
    let mut wanted = match status {
        Some(s) => format!("HTTP {s}"),
        None => "a refusal (HTTP 4xx)".to_string(),
    };
    if let Some(c) = code {
        wanted.push_str(&format!(" with code `{c}`"));
    }
    if let Some(f) = field {
        wanted.push_str(&format!(" on field `{f}`"));
    }
    Err(Failure(format!(
        "expected {wanted} from {}, got HTTP {got}{}",
        w.last_call,
        explain_error(&answer.body)
    )))
}

#[then("the request is accepted")]
async fn accepted(w: &mut Journey) -> StepResult {
    let answer = w.last_answer()?;
    if (200..300).contains(&answer.status) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected {} to be accepted, got HTTP {}{}",
            w.last_call,
            answer.status,
            explain_error(&answer.body)
        )))
    }
}

#[then(expr = "the refusal reads {string}")]
async fn refusal_reads(w: &mut Journey, detail: String) -> StepResult {
    let answer = w.last_answer()?;
    let got = answer
        .body
        .pointer("/errors/0/detail")
        .and_then(Value::as_str);
    if got == Some(detail.as_str()) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the refusal to read `{detail}`, got HTTP {}{}",
            answer.status,
            explain_error(&answer.body)
        )))
    }
}

#[then("the request is refused")]
async fn refused(w: &mut Journey) -> StepResult {
    refused_with(w, None, None, None)
}

#[then(expr = "the request is refused with status {int} and code {string}")]
async fn refused_code(w: &mut Journey, status: u16, code: String) -> StepResult {
    refused_with(w, Some(status), Some(&code), None)
}

#[then(expr = "the request is refused with status {int} and code {string} on field {string}")]
async fn refused_field(w: &mut Journey, status: u16, code: String, field: String) -> StepResult {
    refused_with(w, Some(status), Some(&code), Some(&field))
}

#[then(expr = "the response matches the snapshot {string}")]
async fn matches_snapshot(w: &mut Journey, name: String) -> StepResult {
    let answer = w.last_answer()?;
    let feature = w
        .key
        .as_ref()
        .map(|k| k.feature.clone())
        .unwrap_or_default();
    let expression = format!("{} → {}", redact_ids(&w.last_call), answer.status);
    let sent = w.last_sent.clone().unwrap_or(Value::Null);
    let value = redact_volatile(&mark_as_sent(&answer.body, &sent));
    check_snapshot(&feature, &name, &expression, &value, w.ctx.snapshot_mode)
        .map(|_| ())
        .map_err(|e| Failure(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::target_failed;
    use reqwest::Method;

    #[test]
    fn a_busy_or_failing_target_ends_the_step_saying_whether_the_request_was_repeated() {
        let post = target_failed(&Method::POST, 503, 3).expect("a 503 ends the step");
        assert!(post.contains("a POST is not sent again"), "{post}");
        let get = target_failed(&Method::GET, 429, 3).expect("a 429 ends the step");
        assert!(get.contains("also on 3 more tries"), "{get}");
        let failed = target_failed(&Method::PATCH, 500, 3).expect("a 500 ends the step");
        assert!(failed.contains("server error"), "{failed}");
        for expected in [200, 201, 202, 400, 401, 404, 422] {
            assert_eq!(
                target_failed(&Method::POST, expected, 3),
                None,
                "{expected}"
            );
        }
    }
}
