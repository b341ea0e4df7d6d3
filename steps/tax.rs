//! Tax identifications: the customer's TIN per country of tax residence.

use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};

async fn record(w: &mut Journey, country: &str, number: &str) -> StepResult {
    let id = w.person()?;
    let body = json!({ "country": country, "number": number, "primary": true });
    w.call(
        Method::POST,
        &format!("/v1/persons/{id}/tax_identifications"),
        Some(body),
    )
    .await?;
    Ok(())
}

#[when(expr = "the partner records the German tax identification number {string} as primary")]
async fn record_german(w: &mut Journey, number: String) -> StepResult {
    record(w, "DE", &number).await
}

#[given(expr = "the customer's German tax identification number {string} is recorded")]
async fn german_recorded(w: &mut Journey, number: String) -> StepResult {
    record(w, "DE", &number).await?;
    let answer = w.last_answer()?;
    if answer.status == 201 {
        Ok(())
    } else {
        Err(Failure(format!(
            "recording the TIN answered HTTP {}{}",
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

#[then("the tax identification is recorded as primary")]
async fn recorded_primary(w: &mut Journey) -> StepResult {
    let answer = w.last_answer()?;
    if answer.status != 201 {
        return Err(Failure(format!(
            "expected HTTP 201 from {}, got {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )));
    }
    let tin_id = answer
        .body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let id = w.person()?;
    let list = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/tax_identifications"),
            None,
            200,
        )
        .await?;
    let primary: Vec<&Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["primary"] == json!(true))
        .collect();
    match primary.as_slice() {
        [one] if one["id"] == json!(tin_id) => Ok(()),
        _ => Err(Failure(format!(
            "expected exactly one primary tax identification ({tin_id}), the person has:\n{}",
            super::http::pretty(&list)
        ))),
    }
}
