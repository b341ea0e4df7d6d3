//! KYC and due diligence: what an IDnow outcome allows next, FATCA indicia in the customer's
//! data, and each check of the readiness checklist on its own.

use super::persona::set_path;
use super::{Failure, Journey, StepResult};
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::domain::mobile::SANDBOX_OTP;

#[when(expr = "the customer moves to an address in {string}")]
async fn moves_to(w: &mut Journey, country: String) -> StepResult {
    let id = w.person()?;
    let body = json!({ "address": { "line_1": "1600 Main Street", "line_2": "Apt 4", "postal_code": "00802", "city": "Springfield", "country": country } });
    w.send(Method::PATCH, &format!("/v1/persons/{id}"), Some(body))
        .await?;
    Ok(())
}

#[when("the customer gives a physical address")]
async fn physical_address(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let body = json!({ "address": { "line_1": "Leopoldstraße", "line_2": "96", "postal_code": "13347", "city": "Berlin", "country": "DE" } });
    w.expect(Method::PATCH, &format!("/v1/persons/{id}"), Some(body), 200)
        .await?;
    Ok(())
}

#[when(expr = "the customer replaces the mobile number with {string}")]
async fn replace_mobile(w: &mut Journey, number: String) -> StepResult {
    let id = w.person()?;
    let old = w.need("mobile number", &w.mobile_number.clone())?;
    let base = format!("/v1/persons/{id}/mobile_number");
    // A verified number goes through a change request confirmed with the SMS code.
    let request = w
        .expect(Method::DELETE, &base, Some(json!({ "number": old })), 202)
        .await?;
    let cr = request
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let authorize = json!({ "delivery_method": "mobile_number", "person_id": id });
    w.expect(
        Method::POST,
        &format!("/v1/change_requests/{cr}/authorize"),
        Some(authorize),
        201,
    )
    .await?;
    let confirm = json!({ "person_id": id, "tan": SANDBOX_OTP });
    w.expect(
        Method::POST,
        &format!("/v1/change_requests/{cr}/confirm"),
        Some(confirm),
        201,
    )
    .await?;
    w.expect(Method::POST, &base, Some(json!({ "number": number })), 201)
        .await?;
    w.expect(
        Method::POST,
        &format!("{base}/authorize"),
        Some(json!({ "number": number })),
        201,
    )
    .await?;
    w.expect(
        Method::POST,
        &format!("{base}/confirm"),
        Some(json!({ "number": number, "token": SANDBOX_OTP })),
        201,
    )
    .await?;
    w.mobile_number = Some(number);
    Ok(())
}

#[when(expr = "IDnow reports the identification as {string} with a passport from {string}")]
async fn outcome_with_passport(w: &mut Journey, status: String, country: String) -> StepResult {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let path = format!("/simulator/persons/{id}/identifications/{ident}/outcome");
    w.expect(
        Method::POST,
        &path,
        Some(json!({ "status": status, "legitimation_country": country })),
        200,
    )
    .await?;
    Ok(())
}

#[then(expr = "the onboarding readiness check {string} is {word}")]
async fn check_is(w: &mut Journey, name: String, state: String) -> StepResult {
    let checks = super::accounts::checklist(w).await?;
    let check = checks
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(&name))
        .ok_or_else(|| Failure(format!("there is no check named `{name}`")))?;
    if check.state.as_str().eq_ignore_ascii_case(&state) {
        Ok(())
    } else {
        Err(Failure(format!(
            "`{}` is {}, expected {state}: {}",
            check.name,
            check.state.as_str(),
            check.reason
        )))
    }
}

/// Situations in which exactly one check of the readiness checklist is not green.
const SITUATIONS: &[&str] = &[
    "the customer was never identified",
    "the identification is still pending",
    "the provider is still reviewing a failed-looking identification",
    "there is no mobile number",
    "the mobile number was never verified",
    "the mobile number is a US number",
    "the only address is a PO box",
    "the screening found a potential match",
    "the screening declined the customer",
    "the risk classification is still open",
    "the risk was rejected",
    "the vetting found a potential match",
    "the vetting rejected the customer",
];

#[given(expr = "the customer is ready to open an account, except that {string}")]
async fn ready_except(w: &mut Journey, situation: String) -> StepResult {
    use super::journeys::{Setup, prepare};
    let cdd = |screening: &str, risk: &str, vetting: &str| json!({ "screening_progress": screening, "risk_classification_status": risk, "customer_vetting_status": vetting });
    let mut setup = Setup::READY;
    let mut set_cdd = None;
    match situation.as_str() {
        "the customer was never identified" => setup.identification = None,
        "the identification is still pending" => setup.identification = Some(""),
        "the provider is still reviewing a failed-looking identification" => {
            setup.identification = Some("pending_failed")
        }
        "there is no mobile number" => setup.mobile_verified = None,
        "the mobile number was never verified" => setup.mobile_verified = Some(false),
        "the mobile number is a US number" => {
            set_path(&mut w.customer, "mobile_number", json!("+15550101"))
        }
        "the only address is a PO box" => set_path(
            &mut w.customer,
            "address.line_1",
            json!("Postfach 12 34 56"),
        ),
        "the screening found a potential match" => {
            set_cdd = Some(cdd("POTENTIAL_MATCH", "NORMAL_RISK", "NO_MATCH"))
        }
        "the screening declined the customer" => {
            set_cdd = Some(cdd("SCREENED_DECLINED", "NORMAL_RISK", "NO_MATCH"))
        }
        "the risk classification is still open" => {
            set_cdd = Some(cdd("SCREENED_ACCEPTED", "POTENTIAL_RISK", "NO_MATCH"))
        }
        "the risk was rejected" => {
            set_cdd = Some(cdd("SCREENED_ACCEPTED", "RISK_REJECTED", "NO_MATCH"))
        }
        "the vetting found a potential match" => {
            set_cdd = Some(cdd("SCREENED_ACCEPTED", "NORMAL_RISK", "POTENTIAL_MATCH"))
        }
        "the vetting rejected the customer" => {
            set_cdd = Some(cdd("SCREENED_ACCEPTED", "NORMAL_RISK", "RISK_REJECTED"))
        }
        other => {
            return Err(Failure(format!(
                "unknown situation `{other}`; known ones: {}",
                SITUATIONS.join("; ")
            )));
        }
    }
    prepare(w, setup).await?;
    if let Some(body) = set_cdd {
        let id = w.person()?;
        w.expect(
            Method::PATCH,
            &format!("/simulator/persons/{id}/due_diligence"),
            Some(body),
            200,
        )
        .await?;
    }
    Ok(())
}

#[then("the customer can retry with the same link")]
async fn same_link(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let before = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/identifications/{ident}"),
            None,
            200,
        )
        .await?;
    let again = super::identification::request_again(w).await?;
    if again.status == 200
        && again.body.get("url") == before.get("url")
        && before.get("url").is_some_and(Value::is_string)
    {
        Ok(())
    } else {
        Err(Failure(format!(
            "requesting again should give the same link; got HTTP {} with {}",
            again.status, again.body
        )))
    }
}

#[then("the partner must start a new identification")]
async fn must_start_new(w: &mut Journey) -> StepResult {
    let again = super::identification::request_again(w).await?;
    if !(400..500).contains(&again.status) {
        return Err(Failure(format!(
            "requesting the old identification again answered HTTP {}, expected a refusal",
            again.status
        )));
    }
    let id = w.person()?;
    let body = json!({ "method": "idnow", "language": "DE" });
    w.expect(
        Method::POST,
        &format!("/v1/persons/{id}/identifications"),
        Some(body),
        201,
    )
    .await?;
    Ok(())
}

async fn report_outcome(w: &mut Journey, status: &str) -> Result<u16, Failure> {
    Ok(super::identification::report(w, status).await?.status)
}

#[then("the identification is final")]
async fn is_final(w: &mut Journey) -> StepResult {
    for status in ["pending_failed", "aborted", "failed", "successful"] {
        if report_outcome(w, status).await? == 200 {
            return Err(Failure(format!(
                "a final identification still moved to {status}"
            )));
        }
    }
    Ok(())
}

#[then("the provider's review can still end it as successful")]
async fn review_can_succeed(w: &mut Journey) -> StepResult {
    match report_outcome(w, "successful").await? {
        200 => Ok(()),
        other => Err(Failure(format!(
            "the review could not end as successful: HTTP {other}"
        ))),
    }
}

#[then(expr = "the IDnow attempts list {int} call(s) that did not succeed")]
async fn attempts(w: &mut Journey, count: usize) -> StepResult {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let list = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/identifications/{ident}/idnow_attempts"),
            None,
            200,
        )
        .await?;
    let got = list.as_array().map_or(0, Vec::len);
    if got == count {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected {count} attempts, the list has {got}:\n{list}"
        )))
    }
}

#[then(
    expr = "the identification shows the documents of the video call and the legitimation country {string}"
)]
async fn documents(w: &mut Journey, country: String) -> StepResult {
    let id = w.person()?;
    let ident = w.need("identification", &w.identification_id.clone())?;
    let path = format!("/v1/persons/{id}/identifications/{ident}?include_documents=true");
    let body = w.expect(Method::GET, &path, None, 200).await?;
    let has_id_document = body
        .get("documents")
        .and_then(Value::as_array)
        .is_some_and(|d| {
            d.iter()
                .any(|doc| doc["document_type"] == json!("ID_DOCUMENT"))
        });
    let legitimation = body.get("legitimation_country").and_then(Value::as_str);
    if has_id_document && legitimation == Some(country.as_str()) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected an ID_DOCUMENT and legitimation_country {country}, got:\n{}",
            super::http::pretty(&body)
        )))
    }
}
