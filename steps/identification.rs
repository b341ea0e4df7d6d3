//! Video identification with IDnow: created, requested, and its outcome (simulated on the mock).

use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};

#[when(expr = "the partner starts a video identification with IDnow in {string}")]
async fn start(w: &mut Journey, language: String) -> StepResult {
    let id = w.person()?;
    let body = json!({ "method": "idnow", "language": language });
    let ident = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{id}/identifications"),
            Some(body),
            201,
        )
        .await?;
    if ident.get("status").and_then(Value::as_str) != Some("created") {
        return Err(Failure(format!(
            "a new identification should be `created`, got:\n{}",
            super::http::pretty(&ident)
        )));
    }
    w.identification_id = ident.get("id").and_then(Value::as_str).map(str::to_string);
    Ok(())
}

#[when("the partner requests the video identification")]
async fn request(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    w.expect(
        Method::PATCH,
        &format!("/v1/persons/{id}/identifications/{ident}/request"),
        Some(json!({})),
        200,
    )
    .await?;
    Ok(())
}

#[then("the identification is pending with a link and a reference for the customer")]
async fn pending(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let body = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/identifications/{ident}"),
            None,
            200,
        )
        .await?;
    let status = body.get("status").and_then(Value::as_str);
    let url = body.get("url").and_then(Value::as_str).unwrap_or_default();
    let reference = body
        .get("reference")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if status == Some("pending") && url.starts_with("https://") && !reference.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected status pending with an https url and a reference, got:\n{}",
            super::http::pretty(&body)
        )))
    }
}

/// IDnow reports `status` through the simulator; the answer is for the caller to judge.
pub(super) async fn report(
    w: &mut Journey,
    status: &str,
) -> Result<solaris_conformance::client::Response, Failure> {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let path = format!("/simulator/persons/{id}/identifications/{ident}/outcome");
    w.call(Method::POST, &path, Some(json!({ "status": status })))
        .await
}

/// As a precondition the outcome must be accepted.
#[given(expr = "IDnow reports the identification as {string}")]
async fn outcome_given(w: &mut Journey, status: String) -> StepResult {
    let answer = report(w, &status).await?;
    if answer.status == 200 {
        Ok(())
    } else {
        Err(Failure(format!(
            "IDnow's outcome {status} was refused: HTTP {}{}",
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

/// As an action the answer is for the next steps to judge (a refused move, say).
#[when(expr = "IDnow reports the identification as {string}")]
async fn outcome(w: &mut Journey, status: String) -> StepResult {
    report(w, &status).await.map(|_| ())
}

async fn identification_status(w: &mut Journey) -> Result<String, Failure> {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let body = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/identifications/{ident}"),
            None,
            200,
        )
        .await?;
    Ok(body
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("without a status")
        .to_string())
}

#[then(expr = "the identification is {string}")]
async fn status_is(w: &mut Journey, expected: String) -> StepResult {
    let got = identification_status(w).await?;
    if got == expected {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the identification to be {expected}, it is {got}"
        )))
    }
}

#[then("the video identification cannot be requested again")]
async fn cannot_request_again(w: &mut Journey) -> StepResult {
    let answer = request_again(w).await?;
    if (400..500).contains(&answer.status) {
        Ok(())
    } else {
        Err(Failure(format!(
            "requesting the identification again answered HTTP {}, expected a refusal",
            answer.status
        )))
    }
}

/// Requests the scenario's identification once more.
pub(super) async fn request_again(
    w: &mut Journey,
) -> Result<solaris_conformance::client::Response, Failure> {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    w.call(
        Method::PATCH,
        &format!("/v1/persons/{id}/identifications/{ident}/request"),
        Some(json!({})),
    )
    .await
}

/// `none`, or a proof-of-address type issued `days` ago on the mock's clock.
#[when(
    expr = "the partner starts an identification by {string} in {string} with proof of address {string} issued {int} days ago"
)]
async fn start_with(
    w: &mut Journey,
    method: String,
    language: String,
    proof: String,
    days: i64,
) -> StepResult {
    let id = w.person()?;
    let mut body = json!({ "method": method, "language": language });
    if proof != "none" {
        let clock = w.expect(Method::GET, "/simulator/clock", None, 200).await?;
        let today = clock
            .get("now")
            .and_then(Value::as_str)
            .and_then(|n| {
                solaris_conformance::domain::person::parse_date(n.get(..10).unwrap_or_default())
            })
            .ok_or_else(|| Failure("the mock's clock gave no date".into()))?;
        body["proof_of_address_type"] = json!(proof);
        body["proof_of_address_issued_at"] =
            json!((today - chrono::Duration::days(days)).to_string());
    }
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/persons/{id}/identifications"),
            Some(body),
        )
        .await?;
    if answer.status == 201 {
        w.identification_id = answer
            .body
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    Ok(())
}
