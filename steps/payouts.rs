//! Payouts of a decoupled card account's positive balance to the reference account: asked for,
//! confirmed by the customer with the TAN of the change request, then executed or declined.

use super::decoupled::{Money, cents, money};
use super::{Failure, Journey, StepResult};
use cucumber::{then, when};
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::domain::ledger::euros;
use std::time::Duration;

fn status_of(v: &Value) -> &str {
    v.get("status").and_then(Value::as_str).unwrap_or_default()
}

async fn ask_payout(w: &mut Journey, to: String, amount: i64, reference: &str) -> StepResult {
    let person = w.person()?;
    let account = w.need("account", &w.account_id.clone())?;
    let body = json!({
        "reference": reference,
        "end_to_end_id": uuid::Uuid::new_v4().simple().to_string(),
        "amount": money(amount),
        "description": "Back to the reference account",
    });
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/persons/{person}/accounts/{account}/reference_accounts/{to}/payouts"),
            Some(body),
        )
        .await?;
    if answer.status == 202 {
        w.cards.payout_request = answer
            .body
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    Ok(())
}

#[when(
    expr = "the partner asks to pay out {money} to the reference account with the reference {string}"
)]
async fn pay_out(w: &mut Journey, amount: Money, reference: String) -> StepResult {
    let to = w
        .cards
        .reference_accounts
        .last()
        .cloned()
        .ok_or_else(|| Failure("no reference account exists yet in this scenario".into()))?;
    ask_payout(w, to, amount.0, &reference).await
}

#[when(
    expr = "the partner asks to pay out {money} to the previous reference account with the reference {string}"
)]
async fn pay_out_previous(w: &mut Journey, amount: Money, reference: String) -> StepResult {
    let list = &w.cards.reference_accounts;
    let to = list
        .len()
        .checked_sub(2)
        .and_then(|i| list.get(i))
        .cloned()
        .ok_or_else(|| Failure("there is no previous reference account".into()))?;
    ask_payout(w, to, amount.0, &reference).await
}

#[then("the payout waits for the customer's confirmation")]
async fn waits(w: &mut Journey) -> StepResult {
    let answer = w.last_answer()?;
    if answer.status == 202 && status_of(&answer.body) == "AUTHORIZATION_REQUIRED" {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected HTTP 202 with a change request awaiting authorization from {}, got HTTP {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

#[when(expr = "the customer confirms the payout with the TAN {string}")]
async fn confirm(w: &mut Journey, tan: String) -> StepResult {
    let person = w.person()?;
    let request = w.need("payout change request", &w.cards.payout_request.clone())?;
    w.expect(
        Method::POST,
        &format!("/v1/change_requests/{request}/authorize"),
        Some(json!({ "delivery_method": "mobile_number" })),
        201,
    )
    .await?;
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/change_requests/{request}/confirm"),
            Some(json!({ "person_id": person, "tan": tan })),
        )
        .await?;
    if answer.status == 201 {
        w.cards.payout_id = answer
            .body
            .pointer("/response_body/id")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    Ok(())
}

#[then(expr = "the payout is {string}")]
async fn payout_is(w: &mut Journey, status: String) -> StepResult {
    let answer = w.last_answer()?;
    let payout = answer.body.get("response_body").unwrap_or(&answer.body);
    if answer.status == 201 && status_of(&answer.body) == "COMPLETED" && status_of(payout) == status
    {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the confirmed change request to answer a {status} payout, got HTTP {}:\n{}",
            answer.status,
            super::http::pretty(&answer.body)
        )))
    }
}

fn payout_path(w: &Journey) -> Result<String, Failure> {
    let person = w.person()?;
    let account = w.need("account", &w.account_id)?;
    let id = w.need("payout", &w.cards.payout_id)?;
    Ok(format!(
        "/v1/persons/{person}/accounts/{account}/reference_account_payouts/{id}"
    ))
}

#[then(expr = "within {int} seconds the payout is {string}")]
async fn payout_becomes(w: &mut Journey, seconds: u64, status: String) -> StepResult {
    let path = payout_path(w)?;
    let shown = w
        .wait_for(
            &path,
            Duration::from_secs(seconds),
            "the payout to be executed or declined",
            |p| status_of(p) != "ACCEPTED",
        )
        .await?;
    if status_of(&shown) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the payout to be {status}:\n{}",
            super::http::pretty(&shown)
        )))
    }
}

#[then(expr = "the answer is the first payout: {money}, {string}")]
async fn first_payout(w: &mut Journey, amount: Money, status: String) -> StepResult {
    let first = w.need("payout", &w.cards.payout_id.clone())?;
    let answer = w.last_answer()?;
    let body = &answer.body;
    let same = body.get("id").and_then(Value::as_str) == Some(first.as_str());
    let got = body.get("amount").and_then(cents);
    if answer.status == 200 && same && got == Some(amount.0) && status_of(body) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected HTTP 200 with the first payout {first} ({}, {status}), got HTTP {}:\n{}",
            euros(amount.0),
            answer.status,
            super::http::pretty(body)
        )))
    }
}
