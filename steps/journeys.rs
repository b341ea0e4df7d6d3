//! Whole journeys as one `Given`, for scenarios about what comes after them: a customer who is
//! already onboarded with a current account (`@simulation`: the identification outcome is set
//! through the simulator).

use super::{Failure, Journey, StepResult};
use cucumber::given;
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::domain::mobile::SANDBOX_OTP;
use std::time::Duration;

fn id_of(v: &Value) -> Option<String> {
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

/// How far a customer got before the scenario starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Setup<'a> {
    /// `None`: no mobile number; `Some(false)`: added, never verified.
    pub mobile_verified: Option<bool>,
    pub tin: bool,
    /// `None`: no identification; `Some("")`: requested, no outcome; else the IDnow outcome.
    pub identification: Option<&'a str>,
}

impl Setup<'_> {
    /// Everything done: verified mobile number, German TIN, successful identification.
    pub const READY: Setup<'static> = Setup {
        mobile_verified: Some(true),
        tin: true,
        identification: Some("successful"),
    };
}

/// Brings the customer as far as `setup` says.
pub(super) async fn prepare(w: &mut Journey, setup: Setup<'_>) -> StepResult {
    let customer = w.customer.clone();
    let person = w
        .expect(Method::POST, "/v1/persons", Some(customer.clone()), 201)
        .await?;
    let id = id_of(&person).ok_or_else(|| Failure("the new person has no id".into()))?;
    w.person_id = Some(id.clone());
    if let Some(verified) = setup.mobile_verified {
        let number = customer
            .get("mobile_number")
            .cloned()
            .unwrap_or(Value::Null);
        let base = format!("/v1/persons/{id}/mobile_number");
        w.expect(Method::POST, &base, Some(json!({ "number": number })), 201)
            .await?;
        if verified {
            w.expect(
                Method::POST,
                &format!("{base}/authorize"),
                Some(json!({ "number": number })),
                201,
            )
            .await?;
            let confirm = json!({ "number": number, "token": SANDBOX_OTP });
            w.expect(Method::POST, &format!("{base}/confirm"), Some(confirm), 201)
                .await?;
        }
        w.mobile_number = number.as_str().map(str::to_string);
    }
    if setup.tin {
        let tin = json!({ "country": "DE", "number": "48954371207", "primary": true });
        w.expect(
            Method::POST,
            &format!("/v1/persons/{id}/tax_identifications"),
            Some(tin),
            201,
        )
        .await?;
    }
    if let Some(outcome) = setup.identification {
        requested_identification(w).await?;
        if !outcome.is_empty() {
            let ident_id = w.need("identification", &w.identification_id.clone())?;
            let path = format!("/simulator/persons/{id}/identifications/{ident_id}/outcome");
            w.expect(Method::POST, &path, Some(json!({ "status": outcome })), 200)
                .await?;
        }
    }
    Ok(())
}

/// An IDnow identification created and requested for the registered person.
pub(super) async fn requested_identification(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let body = json!({ "method": "idnow", "language": "DE" });
    let ident = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{id}/identifications"),
            Some(body),
            201,
        )
        .await?;
    let ident_id =
        id_of(&ident).ok_or_else(|| Failure("the new identification has no id".into()))?;
    w.expect(
        Method::PATCH,
        &format!("/v1/persons/{id}/identifications/{ident_id}/request"),
        Some(json!({})),
        200,
    )
    .await?;
    w.identification_id = Some(ident_id);
    Ok(())
}

/// Asks for a current account and waits for it.
pub(super) async fn open_account(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let request = json!({
        "customer_id": id,
        "customer_type": "Person",
        "product_name": "CURRENT_ACCOUNT_CONSUMER_GERMANY",
        "account_type": "CHECKING_PERSONAL",
        "account_currency": "EUR",
        "account_bic": "SOBKDEB2XXX",
        "account_purpose": "primary",
    });
    let created = w
        .expect(
            Method::POST,
            "/v1/accounts/opening_requests",
            Some(request),
            201,
        )
        .await?;
    let request_id =
        id_of(&created).ok_or_else(|| Failure("the account opening request has no id".into()))?;
    let path = format!("/v1/accounts/opening_requests/{request_id}");
    let done = w
        .wait_for(
            &path,
            Duration::from_secs(10),
            "the account opening request to be decided",
            |r| {
                matches!(
                    r.get("status").and_then(Value::as_str),
                    Some("COMPLETED" | "REJECTED")
                )
            },
        )
        .await?;
    if done.get("status").and_then(Value::as_str) != Some("COMPLETED") {
        return Err(Failure(format!(
            "the account opening request was rejected:\n{}",
            super::http::pretty(&done)
        )));
    }
    w.opening_request_id = Some(request_id);
    w.account_id = done
        .get("account_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(())
}

#[given("the customer has been onboarded with a current account")]
async fn onboarded(w: &mut Journey) -> StepResult {
    prepare(w, Setup::READY).await?;
    open_account(w).await
}

#[given("the customer has been onboarded with a current account, without a tax identification")]
async fn onboarded_without_tin(w: &mut Journey) -> StepResult {
    prepare(
        w,
        Setup {
            tin: false,
            ..Setup::READY
        },
    )
    .await?;
    open_account(w).await
}

#[given(expr = "the customer has been onboarded with a current account, identified as {string}")]
async fn onboarded_identified_as(w: &mut Journey, outcome: String) -> StepResult {
    prepare(
        w,
        Setup {
            identification: Some(&outcome),
            ..Setup::READY
        },
    )
    .await?;
    open_account(w).await
}

#[given("the customer is ready to open an account")]
async fn ready_to_open(w: &mut Journey) -> StepResult {
    prepare(w, Setup::READY).await
}

#[given("the partner started and requested a video identification")]
async fn started_and_requested(w: &mut Journey) -> StepResult {
    requested_identification(w).await
}
