//! Registering the customer as a person: the consents, the mandatory data points, due diligence.

use super::persona::{german_customer, remove_path};
use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::Value;

#[given("a German retail customer who agreed to every legal screen")]
async fn german_customer_consented(w: &mut Journey) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    w.customer = german_customer(&now);
}

#[when("the partner registers the customer as a person")]
async fn register(w: &mut Journey) -> StepResult {
    let body = w.customer.clone();
    let answer = w.call(Method::POST, "/v1/persons", Some(body)).await?;
    if answer.status == 201 {
        w.person_id = answer
            .body
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    Ok(())
}

#[given("the customer is registered as a person")]
async fn registered(w: &mut Journey) -> StepResult {
    let body = w.customer.clone();
    let person = w
        .expect(Method::POST, "/v1/persons", Some(body), 201)
        .await?;
    w.person_id = person.get("id").and_then(Value::as_str).map(str::to_string);
    Ok(())
}

#[when(expr = "the partner registers the customer as a person without {string}")]
async fn register_without(w: &mut Journey, data_point: String) -> StepResult {
    let mut body = w.customer.clone();
    if !remove_path(&mut body, &data_point) {
        return Err(Failure(format!(
            "the generated customer has no data point `{data_point}` to leave out"
        )));
    }
    w.call(Method::POST, "/v1/persons", Some(body)).await?;
    Ok(())
}

#[then("the person is registered")]
async fn is_registered(w: &mut Journey) -> StepResult {
    let answer = w.last_answer()?;
    if answer.status != 201 {
        return Err(Failure(format!(
            "expected HTTP 201 from {}, got {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )));
    }
    let person = answer.body.clone();
    let id = w.person()?;
    // What the partner sent comes back as sent (timestamps with milliseconds).
    for field in [
        "first_name",
        "last_name",
        "birth_date",
        "birth_city",
        "nationality",
        "employment_status",
    ] {
        if person.get(field) != w.customer.get(field) {
            return Err(Failure(format!(
                "the person {id} shows {field} = {}, but the partner sent {}",
                person.get(field).unwrap_or(&Value::Null),
                w.customer.get(field).unwrap_or(&Value::Null)
            )));
        }
    }
    let fetched = w
        .expect(Method::GET, &format!("/v1/persons/{id}"), None, 200)
        .await?;
    if fetched != person {
        return Err(Failure(format!(
            "GET /v1/persons/{id} differs from what the create answered"
        )));
    }
    Ok(())
}

#[then(expr = "the person's due diligence reads {string}, {string} and {string}")]
async fn due_diligence(
    w: &mut Journey,
    screening: String,
    risk: String,
    vetting: String,
) -> StepResult {
    let id = w.person()?;
    let person = w
        .expect(Method::GET, &format!("/v1/persons/{id}"), None, 200)
        .await?;
    for (field, want) in [
        ("screening_progress", screening),
        ("risk_classification_status", risk),
        ("customer_vetting_status", vetting),
    ] {
        let got = person.get(field).and_then(Value::as_str).unwrap_or("null");
        if got != want {
            return Err(Failure(format!("expected {field} to be {want}, got {got}")));
        }
    }
    Ok(())
}
