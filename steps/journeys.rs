//! Whole journeys as one `Given`, for scenarios about what comes after them: a customer who is
//! already onboarded with a current account (`@simulation`: the identification outcome is set
//! through the simulator).

use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
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
    /// The ID document's expiry the video call shows (`YYYY-MM-DD`); `None`: the mock's default.
    pub document_expires_on: Option<&'a str>,
}

impl Setup<'_> {
    /// Everything done: verified mobile number, a TIN, successful identification.
    pub const READY: Setup<'static> = Setup {
        mobile_verified: Some(true),
        tin: true,
        identification: Some("successful"),
        document_expires_on: None,
    };
}

/// What depends on the customer's branch: a valid TIN of the country, the current-account
/// product and the branch's BIC.
struct Branch {
    country: &'static str,
    tin: &'static str,
    product: &'static str,
    bic: &'static str,
}

fn branch_of(customer: &Value) -> Branch {
    match customer.get("branch").and_then(Value::as_str) {
        Some("IT") => Branch {
            country: "IT",
            tin: "SSSNNN31B28X000C",
            product: "CURRENT_ACCOUNT_CONSUMER_ITALY",
            bic: "SOBKITM2XXX",
        },
        Some("ES") => Branch {
            country: "ES",
            tin: "12345678Z",
            product: "CURRENT_ACCOUNT_CONSUMER_SPAIN",
            bic: "SOBKESM2XXX",
        },
        Some("FR") => Branch {
            country: "FR",
            tin: "3023217600053",
            product: "CURRENT_ACCOUNT_CONSUMER_FRANCE",
            bic: "SOBKFRP2XXX",
        },
        _ => Branch {
            country: "DE",
            tin: "48954371207",
            product: "CURRENT_ACCOUNT_CONSUMER_GERMANY",
            bic: "SOBKDEB2XXX",
        },
    }
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
        // Not every country asks for the number on the person; the resource always needs one.
        let number = customer.get("mobile_number").cloned().unwrap_or_else(|| {
            let digits = u32::from_be_bytes(
                uuid::Uuid::new_v4().as_bytes()[..4]
                    .try_into()
                    .unwrap_or([0; 4]),
            );
            json!(format!("+49151{:08}", digits % 100_000_000))
        });
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
        let branch = branch_of(&customer);
        let tin = json!({ "country": branch.country, "number": branch.tin, "primary": true });
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
            let mut body = json!({ "status": outcome });
            if let Some(expiry) = setup.document_expires_on {
                body["document_expires_on"] = json!(expiry);
            }
            w.expect(Method::POST, &path, Some(body), 200).await?;
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
    let branch = branch_of(&w.customer);
    let request = json!({
        "customer_id": id,
        "customer_type": "Person",
        "product_name": branch.product,
        "account_type": "CHECKING_PERSONAL",
        "account_currency": "EUR",
        "account_bic": branch.bic,
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

/// The mock's today plus `days`, as `YYYY-MM-DD`.
async fn mock_day(w: &mut Journey, days: i64) -> Result<String, Failure> {
    let clock = w.expect(Method::GET, "/simulator/clock", None, 200).await?;
    let now = clock.get("now").and_then(Value::as_str).unwrap_or_default();
    let today = solaris_conformance::domain::person::parse_date(now.get(..10).unwrap_or_default())
        .ok_or_else(|| Failure(format!("the mock's clock reads {now:?}, not a timestamp")))?;
    Ok((today + chrono::Duration::days(days)).to_string())
}

#[given(
    expr = "the customer has been onboarded with a current account, identified with an ID document that expires in {int} days"
)]
async fn onboarded_with_expiring_document(w: &mut Journey, days: i64) -> StepResult {
    let expiry = mock_day(w, days).await?;
    prepare(
        w,
        Setup {
            document_expires_on: Some(&expiry),
            ..Setup::READY
        },
    )
    .await?;
    w.document_expires_on = Some(expiry);
    open_account(w).await
}

#[when(expr = "the customer identifies again with an ID document that expires in {int} years")]
async fn identifies_again(w: &mut Journey, years: i64) -> StepResult {
    let expiry = mock_day(w, years * 365).await?;
    requested_identification(w).await?;
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let path = format!("/simulator/persons/{id}/identifications/{ident}/outcome");
    let body = json!({ "status": "successful", "document_expires_on": expiry });
    w.expect(Method::POST, &path, Some(body), 200).await?;
    w.document_expires_on = Some(expiry);
    Ok(())
}

#[then(expr = "the webhook says the account will be blocked {int} days after the document expires")]
async fn blocking_date(w: &mut Journey, days: i64) -> StepResult {
    let expiry = w.need("ID document expiry", &w.document_expires_on.clone())?;
    let expected = solaris_conformance::domain::person::parse_date(&expiry)
        .map(|d| (d + chrono::Duration::days(days)).to_string())
        .unwrap_or_default();
    let got = w
        .webhook
        .as_ref()
        .and_then(|d| d.body.get("blocking_date"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if got.as_deref() == Some(expected.as_str()) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected blocking_date {expected} (expiry {expiry} + {days} days), got {got:?}"
        )))
    }
}
