//! Tax identifications: the customer's TIN per country of tax residence, the primary one,
//! and the reasons for a missing TIN.

use super::params::JsonValue;
use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};

async fn record(w: &mut Journey, country: &str, number: &str) -> StepResult {
    record_body(
        w,
        json!({ "country": country, "number": number, "primary": true }),
    )
    .await
}

async fn record_body(w: &mut Journey, body: Value) -> StepResult {
    let id = w.person()?;
    w.send(
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

#[when(expr = "the partner records the tax identification {string} for {string} as primary")]
async fn record_primary(w: &mut Journey, number: String, country: String) -> StepResult {
    record(w, &country, &number).await
}

#[when(expr = "the partner records the tax identification {string} for {string} as secondary")]
async fn record_secondary(w: &mut Journey, number: String, country: String) -> StepResult {
    let body = json!({ "country": country, "number": number, "primary": false });
    record_body(w, body).await
}

#[given(expr = "the customer's tax identification {string} for {string} is recorded as primary")]
async fn recorded_primary_given(w: &mut Journey, number: String, country: String) -> StepResult {
    record(w, &country, &number).await?;
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

#[when(
    expr = "the partner records a primary tax identification for {string} with number {value}, reason {value} and description {value}"
)]
async fn record_without_number(
    w: &mut Journey,
    country: String,
    number: JsonValue,
    reason: JsonValue,
    description: JsonValue,
) -> StepResult {
    let body = json!({
        "country": country,
        "number": number.0,
        "primary": true,
        "reason_no_tin": reason.0,
        "reason_description": description.0,
    });
    record_body(w, body).await
}

#[when(
    expr = "the partner records the tax identification {string} for {string} with the type {value}"
)]
async fn record_typed(
    w: &mut Journey,
    number: String,
    country: String,
    tax_id_type: JsonValue,
) -> StepResult {
    let body = json!({
        "country": country,
        "number": number,
        "primary": true,
        "tax_id_type": tax_id_type.0,
    });
    record_body(w, body).await
}

async fn tax_identifications(w: &mut Journey) -> Result<Vec<Value>, Failure> {
    let id = w.person()?;
    let list = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/tax_identifications"),
            None,
            200,
        )
        .await?;
    Ok(list.as_array().cloned().unwrap_or_default())
}

#[then(expr = "the tax identification for {string} is the only primary one")]
async fn only_primary(w: &mut Journey, country: String) -> StepResult {
    let list = tax_identifications(w).await?;
    let primary: Vec<&Value> = list
        .iter()
        .filter(|t| t["primary"] == json!(true))
        .collect();
    match primary.as_slice() {
        [one] if one["country"] == json!(country) => Ok(()),
        _ => Err(Failure(format!(
            "expected exactly one primary tax identification, for {country}; the person has:\n{}",
            super::http::pretty(&Value::Array(list))
        ))),
    }
}

#[then(expr = "the customer has {int} tax identification(s)")]
async fn count(w: &mut Journey, expected: usize) -> StepResult {
    let list = tax_identifications(w).await?;
    if list.len() == expected {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected {expected} tax identifications, the person has:\n{}",
            super::http::pretty(&Value::Array(list))
        )))
    }
}

#[when(expr = "the partner changes the number of the tax identification for {string} to {value}")]
async fn change_number(w: &mut Journey, country: String, number: JsonValue) -> StepResult {
    let list = tax_identifications(w).await?;
    let tin = list
        .iter()
        .find(|t| t["country"] == json!(country))
        .and_then(|t| t["id"].as_str())
        .ok_or_else(|| {
            Failure(format!(
                "the customer has no tax identification for {country}"
            ))
        })?
        .to_string();
    let id = w.person()?;
    w.send(
        Method::PATCH,
        &format!("/v1/persons/{id}/tax_identifications/{tin}"),
        Some(json!({ "number": number.0 })),
    )
    .await?;
    Ok(())
}

#[then(
    expr = "the webhook is about the tax identification for {string} and its body names the customer"
)]
async fn webhook_about_tin(w: &mut Journey, country: String) -> StepResult {
    let (entity, body) = match &w.webhook {
        Some(received) => (received.entity_id.clone(), received.body.clone()),
        None => return Err(Failure("no webhook has been received yet".into())),
    };
    let person = w.person()?;
    let list = tax_identifications(w).await?;
    let tin = list
        .iter()
        .find(|t| t["country"] == json!(country))
        .and_then(|t| t["id"].as_str())
        .unwrap_or_default()
        .to_string();
    if entity == tin && body == json!({ "id": person }) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected Solaris-Entity-Id {tin} (the tax identification for {country}) and the body {{\"id\": \"{person}\"}}, got {entity} and {body}"
        )))
    }
}
