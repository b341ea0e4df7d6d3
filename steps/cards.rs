//! Debit cards: ordered for the account, activated by the customer.

use super::{Failure, Journey, StepResult};
use cucumber::{then, when};
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::domain::card;
use std::time::Duration;

/// The name line for the card: `FIRST /LAST`, at most 21 characters, with the sandbox marker
/// for instant activation when asked.
fn name_line(customer: &Value, with_marker: bool) -> String {
    let first = customer
        .get("first_name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let first = card::transliterate(first.split_whitespace().next().unwrap_or_default());
    let last = card::transliterate(
        customer
            .get("last_name")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    );
    let room = 21usize.saturating_sub(first.len() + 2);
    let last: String = last.chars().take(room).collect();
    if with_marker {
        format!("{first} {}/{last}", card::INSTANT_ACTIVATION_MARKER)
    } else {
        format!("{first} /{last}")
    }
}

async fn order_card(w: &mut Journey, kind: &str, instant: bool) -> StepResult {
    let id = w.person()?;
    let account_id = w.need("account", &w.account_id.clone())?;
    let body = json!({
        "line_1": name_line(&w.customer, instant),
        "type": kind,
        "reference": uuid::Uuid::new_v4().simple().to_string(),
    });
    let path = format!("/v1/persons/{id}/accounts/{account_id}/cards");
    let created = w.expect(Method::POST, &path, Some(body), 201).await?;
    w.card_id = created
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(())
}

#[when(
    expr = "the partner orders a {string} card for the account, with instant activation on the sandbox"
)]
async fn order_instant(w: &mut Journey, kind: String) -> StepResult {
    order_card(w, &kind, true).await
}

#[when(expr = "the partner orders a {string} card for the account")]
async fn order(w: &mut Journey, kind: String) -> StepResult {
    order_card(w, &kind, false).await
}

#[then(expr = "the card is ready for activation within {int} seconds")]
async fn ready(w: &mut Journey, seconds: u64) -> StepResult {
    let card_id = w.need("card", &w.card_id.clone())?;
    w.wait_for(
        &format!("/v1/cards/{card_id}"),
        Duration::from_secs(seconds),
        "the card to be INACTIVE",
        |c| c.get("status").and_then(Value::as_str) == Some("INACTIVE"),
    )
    .await?;
    Ok(())
}

#[when("the customer activates the card")]
async fn activate(w: &mut Journey) -> StepResult {
    let card_id = w.need("card", &w.card_id.clone())?;
    w.send(
        Method::POST,
        &format!("/v1/cards/{card_id}/activate"),
        Some(json!({})),
    )
    .await?;
    Ok(())
}

#[then("the card is active")]
async fn active(w: &mut Journey) -> StepResult {
    let card_id = w.need("card", &w.card_id.clone())?;
    let card = w
        .expect(Method::GET, &format!("/v1/cards/{card_id}"), None, 200)
        .await?;
    match card.get("status").and_then(Value::as_str) {
        Some("ACTIVE") => Ok(()),
        other => Err(Failure(format!(
            "expected the card to be ACTIVE, it is {}",
            other.unwrap_or("without a status")
        ))),
    }
}
