//! The customer's mobile number: added, verified with an SMS code.

use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};

fn customer_number(w: &Journey) -> Result<String, Failure> {
    w.customer
        .get("mobile_number")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Failure("the customer has no mobile number in their data".into()))
}

async fn add(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let number = customer_number(w)?;
    w.expect(
        Method::POST,
        &format!("/v1/persons/{id}/mobile_number"),
        Some(json!({ "number": number })),
        201,
    )
    .await?;
    w.mobile_number = Some(number);
    Ok(())
}

async fn send_code(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let number = w.need("mobile number", &w.mobile_number.clone())?;
    w.expect(
        Method::POST,
        &format!("/v1/persons/{id}/mobile_number/authorize"),
        Some(json!({ "number": number })),
        201,
    )
    .await?;
    Ok(())
}

async fn confirm(w: &mut Journey, code: &str) -> Result<u16, Failure> {
    let id = w.person()?;
    let number = w.need("mobile number", &w.mobile_number.clone())?;
    let body = json!({ "number": number, "token": code });
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/persons/{id}/mobile_number/confirm"),
            Some(body),
        )
        .await?;
    Ok(answer.status)
}

#[when("the partner adds the customer's mobile number")]
async fn add_number(w: &mut Journey) -> StepResult {
    add(w).await
}

#[when("the partner sends a verification code to the mobile number")]
async fn authorize(w: &mut Journey) -> StepResult {
    send_code(w).await
}

#[given("the partner added the customer's mobile number and sent a verification code")]
async fn added_and_sent(w: &mut Journey) -> StepResult {
    add(w).await?;
    send_code(w).await
}

#[given("the customer's mobile number is verified")]
async fn verified_already(w: &mut Journey) -> StepResult {
    add(w).await?;
    send_code(w).await?;
    match confirm(w, solaris_conformance::domain::mobile::SANDBOX_OTP).await? {
        201 => Ok(()),
        other => Err(Failure(format!(
            "confirming the mobile number with the sandbox code answered HTTP {other}"
        ))),
    }
}

#[when(expr = "the customer confirms the mobile number with the code {string}")]
async fn confirm_code(w: &mut Journey, code: String) -> StepResult {
    confirm(w, &code).await.map(|_| ())
}

async fn verified_state(w: &mut Journey) -> Result<bool, Failure> {
    let id = w.person()?;
    let mobile = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/mobile_number"),
            None,
            200,
        )
        .await?;
    Ok(mobile.get("verified") == Some(&Value::Bool(true)))
}

#[then("the mobile number is verified")]
async fn is_verified(w: &mut Journey) -> StepResult {
    if verified_state(w).await? {
        Ok(())
    } else {
        Err(Failure("the mobile number is not verified".into()))
    }
}

#[then("the mobile number is not verified")]
async fn is_not_verified(w: &mut Journey) -> StepResult {
    if verified_state(w).await? {
        Err(Failure(
            "the mobile number is verified, but should not be".into(),
        ))
    } else {
        Ok(())
    }
}
