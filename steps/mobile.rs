//! The customer's mobile number: added, verified with an SMS code, deleted (a verified one
//! through a change request confirmed with a TAN).

use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// The latest change request of each person. The World's fields are shared by every step
/// file; a person belongs to exactly one scenario, so its id keys what the scenario asked for.
static CHANGE_REQUESTS: LazyLock<Mutex<HashMap<String, String>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn change_requests() -> std::sync::MutexGuard<'static, HashMap<String, String>> {
    CHANGE_REQUESTS.lock().unwrap_or_else(|e| e.into_inner())
}

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

async fn post_number(w: &mut Journey, action: &str, number: &str) -> StepResult {
    let id = w.person()?;
    let path = match action {
        "" => format!("/v1/persons/{id}/mobile_number"),
        action => format!("/v1/persons/{id}/mobile_number/{action}"),
    };
    w.send(Method::POST, &path, Some(json!({ "number": number })))
        .await?;
    Ok(())
}

#[when(expr = "the partner adds the mobile number {string}")]
async fn add_given_number(w: &mut Journey, number: String) -> StepResult {
    post_number(w, "", &number).await?;
    let answer = w.last_answer()?;
    if answer.status == 201 {
        w.mobile_number = answer
            .body
            .get("number")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    Ok(())
}

#[given(expr = "the partner added the mobile number {string}")]
async fn added_given_number(w: &mut Journey, number: String) -> StepResult {
    add_given_number(w, number).await?;
    let answer = w.last_answer()?;
    if answer.status == 201 {
        Ok(())
    } else {
        Err(Failure(format!(
            "adding the mobile number answered HTTP {}{}",
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

#[given(expr = "the partner sends a verification code to {string}")]
#[when(expr = "the partner sends a verification code to {string}")]
async fn authorize_given(w: &mut Journey, number: String) -> StepResult {
    post_number(w, "authorize", &number).await
}

#[given(expr = "the customer confirms the mobile number {string} with the code {string}")]
#[when(expr = "the customer confirms the mobile number {string} with the code {string}")]
async fn confirm_given(w: &mut Journey, number: String, code: String) -> StepResult {
    let id = w.person()?;
    let body = json!({ "number": number, "token": code });
    w.send(
        Method::POST,
        &format!("/v1/persons/{id}/mobile_number/confirm"),
        Some(body),
    )
    .await?;
    Ok(())
}

#[when("the partner looks up the customer's mobile number")]
async fn look_up(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    w.send(
        Method::GET,
        &format!("/v1/persons/{id}/mobile_number"),
        None,
    )
    .await?;
    Ok(())
}

#[then(expr = "the mobile number is stored as {string}, not yet verified")]
async fn stored_as(w: &mut Journey, number: String) -> StepResult {
    let id = w.person()?;
    let stored = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/mobile_number"),
            None,
            200,
        )
        .await?;
    let ok = stored.get("number") == Some(&json!(number))
        && stored.get("verified") == Some(&json!(false));
    if ok {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the unverified number {number}, the person has:\n{}",
            super::http::pretty(&stored)
        )))
    }
}

#[then("the customer has no mobile number")]
async fn has_none(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    w.expect(
        Method::GET,
        &format!("/v1/persons/{id}/mobile_number"),
        None,
        404,
    )
    .await?;
    Ok(())
}

#[when("the partner deletes the mobile number")]
async fn delete(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let body = w.mobile_number.clone().map(|n| json!({ "number": n }));
    let answer = w
        .call(
            Method::DELETE,
            &format!("/v1/persons/{id}/mobile_number"),
            body,
        )
        .await?;
    if let Some(request) = answer.body.get("id").and_then(Value::as_str)
        && request.ends_with("csc")
    {
        change_requests().insert(id, request.to_string());
    }
    Ok(())
}

#[then("the mobile number is deleted at once")]
async fn deleted_at_once(w: &mut Journey) -> StepResult {
    let answer = w.last_answer()?;
    if answer.status != 200 {
        return Err(Failure(format!(
            "expected HTTP 200 from {}, got {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )));
    }
    has_none(w).await
}

/// The change request the deletion of the customer's mobile number opened.
fn change_request(w: &Journey) -> Result<String, Failure> {
    let person = w.person()?;
    change_requests().get(&person).cloned().ok_or_else(|| {
        Failure(
            "no change request was opened in this scenario: delete a verified number first".into(),
        )
    })
}

fn change_request_status(w: &mut Journey, code: u16, status: &str) -> StepResult {
    let answer = w.last_answer()?;
    let got = answer.body.get("status").and_then(Value::as_str);
    if answer.status == code && got == Some(status) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected HTTP {code} with a change request in status {status} from {}, got HTTP {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

#[then(expr = "a change request awaits authorization")]
async fn awaits_authorization(w: &mut Journey) -> StepResult {
    change_request_status(w, 202, "AUTHORIZATION_REQUIRED")
}

#[given(expr = "the partner has the TAN sent for the change request by {string}")]
#[when(expr = "the partner has the TAN sent for the change request by {string}")]
async fn authorize_change(w: &mut Journey, delivery: String) -> StepResult {
    let id = change_request(w)?;
    w.send(
        Method::POST,
        &format!("/v1/change_requests/{id}/authorize"),
        Some(json!({ "delivery_method": delivery })),
    )
    .await?;
    Ok(())
}

#[then("the change request awaits confirmation")]
async fn awaits_confirmation(w: &mut Journey) -> StepResult {
    change_request_status(w, 201, "CONFIRMATION_REQUIRED")
}

#[given(expr = "the customer confirms the change request with the TAN {string}")]
#[when(expr = "the customer confirms the change request with the TAN {string}")]
async fn confirm_change(w: &mut Journey, tan: String) -> StepResult {
    let id = change_request(w)?;
    let person = w.person()?;
    w.send(
        Method::POST,
        &format!("/v1/change_requests/{id}/confirm"),
        Some(json!({ "person_id": person, "tan": tan })),
    )
    .await?;
    Ok(())
}

#[then("the change request is completed")]
async fn completed(w: &mut Journey) -> StepResult {
    change_request_status(w, 201, "COMPLETED")
}
