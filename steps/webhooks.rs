//! Webhooks the partner receives: waiting for them, checking their payload, headers and
//! signature, and making the partner's endpoint fail on purpose.
//!
//! A delivery is "for the customer" when it mentions the person or one of the resources the
//! scenario created for them (account, card, identification, credit record, SDD collection
//! application, account snapshot, payout): a `BOOKING` carries only the account's id, an
//! `ACCOUNT_SNAPSHOT` only the snapshot's.

use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::check::schema::webhook_schema;
use solaris_conformance::client::receiver::{Received, Receiver};
use std::time::Duration;

/// After the expected number of deliveries arrived, how long to watch for extra ones.
const SETTLE: Duration = Duration::from_millis(400);

impl Journey {
    fn receiver(&self) -> Result<&Receiver, Failure> {
        if let Some(problem) = &self.ctx.webhook_problem {
            return Err(Failure(problem.clone()));
        }
        self.ctx.receiver.as_ref().ok_or_else(|| {
            Failure(
                "no webhook receiver runs: no step of the selected features waits for a webhook"
                    .into(),
            )
        })
    }
}

/// The ids a webhook for this scenario's customer may mention: the person first.
fn customer_ids(w: &Journey) -> Vec<String> {
    let mut ids: Vec<String> = [
        &w.person_id,
        &w.account_id,
        &w.card_id,
        &w.identification_id,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    ids.extend(w.cards.ids());
    ids
}

/// `a.b` → `/a/b`.
fn pointer(path: &str) -> String {
    format!("/{}", path.replace('.', "/"))
}

fn describe(deliveries: &[Received]) -> String {
    if deliveries.is_empty() {
        return "none arrived".into();
    }
    deliveries
        .iter()
        .map(|d| {
            format!(
                "  attempt {:?} answered {}: {}",
                d.attempt.unwrap_or(0),
                d.answered,
                d.raw
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[expect(
    clippy::cmp_owned,
    reason = "numbers and booleans compare by their JSON text; Value == &str would never match them"
)]
fn field_is(body: &Value, path: &str, expected: &str) -> bool {
    match body.pointer(&pointer(path)) {
        Some(Value::String(s)) => s == expected,
        Some(Value::Null) => expected == "null",
        Some(other) => other.to_string() == expected,
        None => false,
    }
}

async fn receives(
    w: &mut Journey,
    seconds: u64,
    event: &str,
    field: Option<(&str, &str)>,
) -> StepResult {
    let person = w.person()?;
    let ids = customer_ids(w);
    let receiver = w.receiver()?;
    let matches = |d: &Received| d.event_type == event && ids.iter().any(|id| d.mentions(id));
    let accepted = |d: &Received| {
        (200..300).contains(&d.answered) && field.is_none_or(|(f, v)| field_is(&d.body, f, v))
    };
    let seen = receiver
        .wait_until(Duration::from_secs(seconds), matches, |all| {
            all.iter().any(accepted)
        })
        .await;
    let Some(delivery) = seen.iter().rev().find(|d| accepted(d)).cloned() else {
        let wanted = field
            .map(|(f, v)| format!(" whose {f} is {v}"))
            .unwrap_or_default();
        return Err(Failure(format!(
            "within {seconds} s the partner received no {event} webhook for person {person}{wanted}; the {event} webhooks that did arrive for them:\n{}",
            describe(&seen)
        )));
    };
    if let Some(schema) = webhook_schema(event)
        && let Err((violations, _)) = w.ctx.schemas.validate(schema, &delivery.body)
    {
        let lines: Vec<String> = violations
            .iter()
            .map(|v| format!("  at {}: {} ({})", v.pointer, v.message, v.keyword))
            .collect();
        return Err(Failure(format!(
            "the {event} webhook does not match schema `{schema}`:\n{}",
            lines.join("\n")
        )));
    }
    if delivery.signature_valid != Some(true) {
        return Err(Failure(format!(
            "the {event} webhook's Solaris-Webhook-Signature {:?} does not match HMAC-SHA256 of its body with the subscription's secret",
            delivery.header("solaris-webhook-signature")
        )));
    }
    w.webhook = Some(delivery);
    Ok(())
}

#[then(expr = "within {int} seconds the partner receives a(n) {word} webhook for the customer")]
async fn receives_any(w: &mut Journey, seconds: u64, event: String) -> StepResult {
    receives(w, seconds, &event, None).await
}

#[then(
    expr = "within {int} seconds the partner receives a(n) {word} webhook for the customer whose {string} is {string}"
)]
async fn receives_with(
    w: &mut Journey,
    seconds: u64,
    event: String,
    field: String,
    value: String,
) -> StepResult {
    receives(w, seconds, &event, Some((&field, &value))).await
}

fn last(w: &Journey) -> Result<&Received, Failure> {
    w.webhook
        .as_ref()
        .ok_or_else(|| Failure("no webhook has been received yet in this scenario".into()))
}

#[then("the webhook is signed with the subscription's secret")]
async fn signed(w: &mut Journey) -> StepResult {
    match last(w)?.signature_valid {
        Some(true) => Ok(()),
        Some(false) => Err(Failure(
            "the signature does not match the body and the subscription's secret".into(),
        )),
        None => Err(Failure(
            "the runner knows no secret for this webhook's subscription".into(),
        )),
    }
}

#[then(expr = "the webhook's {word} header is {string}")]
async fn header_is(w: &mut Journey, name: String, value: String) -> StepResult {
    let got = last(w)?.header(&name).map(str::to_string);
    if got.as_deref() == Some(value.as_str()) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the header {name}: {value}, got {got:?}"
        )))
    }
}

#[then(expr = "the webhook is about the {word}")]
async fn about(w: &mut Journey, what: String) -> StepResult {
    let expected = match what.as_str() {
        "person" | "customer" => w.person_id.clone(),
        "identification" => w.identification_id.clone(),
        "account" => w.account_id.clone(),
        "card" => w.card_id.clone(),
        other => {
            return Err(Failure(format!(
                "`{other}` is not person, identification, account or card"
            )));
        }
    };
    let got = last(w)?.entity_id.clone();
    if expected.as_deref() == Some(got.as_str()) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected Solaris-Entity-Id to be the {what}'s id {expected:?}, got {got:?}"
        )))
    }
}

#[given(expr = "the partner's webhook endpoint answers {int} to webhooks about the customer")]
async fn endpoint_answers(w: &mut Journey, status: u16) -> StepResult {
    let person = w.person()?;
    w.receiver()?.answer_with(&person, status);
    Ok(())
}

#[when("the partner's webhook endpoint recovers")]
async fn endpoint_recovers(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    w.receiver()?.recover(&person);
    Ok(())
}

async fn sent(
    w: &mut Journey,
    seconds: u64,
    event: &str,
    times: usize,
) -> Result<Vec<Received>, Failure> {
    let person = w.person()?;
    let ids = customer_ids(w);
    let receiver = w.receiver()?;
    let matches = |d: &Received| d.event_type == event && ids.iter().any(|id| d.mentions(id));
    let mut seen = receiver
        .wait_until(Duration::from_secs(seconds), matches, |all| {
            all.len() >= times
        })
        .await;
    if seen.len() == times {
        tokio::time::sleep(SETTLE).await;
        seen = receiver.received(matches);
    }
    if seen.len() == times {
        Ok(seen)
    } else {
        Err(Failure(format!(
            "expected the {event} webhook for person {person} to have been sent {times} time(s), it was sent {} time(s):\n{}",
            seen.len(),
            describe(&seen)
        )))
    }
}

#[then(
    expr = "within {int} seconds the partner's endpoint has been sent the {word} webhook for the customer {int} time(s)"
)]
async fn sent_times(w: &mut Journey, seconds: u64, event: String, times: usize) -> StepResult {
    let seen = sent(w, seconds, &event, times).await?;
    w.webhook = seen.last().cloned();
    Ok(())
}

#[then(
    expr = "the partner's endpoint has still been sent the {word} webhook for the customer {int} time(s)"
)]
async fn still_sent_times(w: &mut Journey, event: String, times: usize) -> StepResult {
    tokio::time::sleep(SETTLE).await;
    sent(w, 0, &event, times).await.map(|_| ())
}

#[then(
    expr = "every {word} webhook for the customer carried the same Solaris-Webhook-Id, with Solaris-Webhook-Attempt counting up from 1"
)]
async fn same_id_rising_attempts(w: &mut Journey, event: String) -> StepResult {
    let customer = customer_ids(w);
    w.person()?;
    let all = w
        .receiver()?
        .received(|d| d.event_type == event && customer.iter().any(|id| d.mentions(id)));
    let ids: std::collections::BTreeSet<&str> = all.iter().map(|d| d.webhook_id.as_str()).collect();
    let attempts: Vec<Option<u32>> = all.iter().map(|d| d.attempt).collect();
    let counting: Vec<Option<u32>> = (1..=all.len() as u32).map(Some).collect();
    if all.len() >= 2 && ids.len() == 1 && attempts == counting {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected one Solaris-Webhook-Id and attempts 1..{}, got ids {ids:?} and attempts {attempts:?}",
            all.len()
        )))
    }
}

#[then(expr = "within {int} seconds the subscription to {word} webhooks has ended")]
async fn subscription_ended(w: &mut Journey, seconds: u64, event: String) -> StepResult {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let list = w
            .expect(Method::GET, "/v1/webhooks?page[size]=100", None, 200)
            .await?;
        let active = list
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["event_type"] == json!(event));
        if !active {
            w.ctx
                .subscriptions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&event);
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(Failure(format!(
                "after {seconds} s the {event} subscription is still active"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[when(expr = "the partner subscribes to {word} webhooks again")]
async fn subscribe_again(w: &mut Journey, event: String) -> StepResult {
    let url = w.receiver()?.local_url();
    let created = w
        .expect(
            Method::POST,
            "/v1/webhooks",
            Some(json!({ "event_type": event, "url": url })),
            201,
        )
        .await?;
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let secret = created["secret"].as_str().unwrap_or_default();
    if secret.is_empty() {
        return Err(Failure(
            "a new subscription must show its secret once".into(),
        ));
    }
    w.receiver()?.remember_secret(&id, secret);
    w.ctx
        .subscriptions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(event, id);
    Ok(())
}
