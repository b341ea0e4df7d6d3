//! The onboarding readiness checklist and the account opening request.
//!
//! The checklist is worked out the way a partner must: from the person, mobile number, tax
//! identifications and identifications the API shows, through
//! [`solaris_conformance::domain::readiness`].

use super::{Failure, Journey, StepResult};
use cucumber::gherkin::Step;
use cucumber::{then, when};
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::domain::fatca::{self, FatcaInput};
use solaris_conformance::domain::iban;
use solaris_conformance::domain::identification::IdentificationStatus;
use solaris_conformance::domain::readiness::{self, Check, ReadinessInput};
use std::time::Duration;

pub(super) async fn checklist(w: &mut Journey) -> Result<Vec<Check>, Failure> {
    let id = w.person()?;
    let person = w
        .expect(Method::GET, &format!("/v1/persons/{id}"), None, 200)
        .await?;
    let mobile = w
        .call(
            Method::GET,
            &format!("/v1/persons/{id}/mobile_number"),
            None,
        )
        .await?;
    let mobile = (mobile.status == 200).then_some(mobile.body);
    let tins = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/tax_identifications"),
            None,
            200,
        )
        .await?;
    let idents = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/identifications"),
            None,
            200,
        )
        .await?;
    let idents: Vec<Value> = idents.as_array().cloned().unwrap_or_default();
    let statuses: Vec<IdentificationStatus> = idents
        .iter()
        .filter_map(|i| {
            i.get("status")
                .and_then(Value::as_str)
                .and_then(IdentificationStatus::parse)
        })
        .collect();
    let identification = statuses
        .iter()
        .copied()
        .find(|s| *s == IdentificationStatus::Successful)
        .or_else(|| statuses.iter().copied().find(|s| s.allows_banking()))
        .or_else(|| statuses.last().copied());
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let legitimation = idents
        .iter()
        .rev()
        .find_map(|i| text(i, "/legitimation_country"));
    let mobile_number = mobile
        .as_ref()
        .and_then(|m| text(m, "/number"))
        .or_else(|| text(&person, "/mobile_number"));
    let (nationality, country, birth_country) = (
        text(&person, "/nationality"),
        text(&person, "/address/country"),
        text(&person, "/birth_country"),
    );
    let (line_1, line_2) = (
        text(&person, "/address/line_1"),
        text(&person, "/address/line_2"),
    );
    let verdict = fatca::screen(&FatcaInput {
        legitimation_country: legitimation.as_deref(),
        nationality: nationality.as_deref(),
        address_country: country.as_deref(),
        birth_country: birth_country.as_deref(),
        mobile_number: mobile_number.as_deref(),
        address_line_1: line_1.as_deref(),
        address_line_2: line_2.as_deref(),
    });
    let (screening, risk, vetting) = (
        text(&person, "/screening_progress"),
        text(&person, "/risk_classification_status"),
        text(&person, "/customer_vetting_status"),
    );
    let branch = text(&person, "/branch");
    Ok(readiness::checklist(&ReadinessInput {
        identification,
        mobile_number_verified: mobile
            .as_ref()
            .map(|m| m.get("verified") == Some(&Value::Bool(true))),
        has_primary_tax_identification: tins
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["primary"] == json!(true)),
        tax_identification_may_follow: matches!(branch.as_deref(), None | Some("DE")),
        fatca: &verdict,
        fatca_soft_resolved: false,
        screening_progress: screening.as_deref(),
        risk_classification_status: risk.as_deref(),
        customer_vetting_status: vetting.as_deref(),
    }))
}

fn render(checks: &[Check]) -> String {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    checks
        .iter()
        .map(|c| format!("  {:width$}  {:6}  {}", c.name, c.state.as_str(), c.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

#[then("the onboarding readiness checklist reads")]
async fn checklist_reads(w: &mut Journey, step: &Step) -> StepResult {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| Failure("this step needs a table | check | state |".into()))?;
    let checks = checklist(w).await?;
    let mut problems = Vec::new();
    for row in table.rows.iter().skip(1) {
        let (Some(name), Some(state)) = (row.first(), row.get(1)) else {
            return Err(Failure("each row needs a check and a state".into()));
        };
        match checks
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
        {
            None => problems.push(format!(
                "there is no check named `{name}`; the checks are: {}",
                checks.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
            )),
            Some(c) if !c.state.as_str().eq_ignore_ascii_case(state.trim()) => {
                problems.push(format!(
                    "`{}` is {}, expected {state}: {}",
                    c.name,
                    c.state.as_str(),
                    c.reason
                ));
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "{}\nthe whole checklist:\n{}",
            problems.join("\n"),
            render(&checks)
        )))
    }
}

#[when("the partner asks to open a current account for the customer")]
async fn open_account(w: &mut Journey) -> StepResult {
    let id = w.person()?;
    let body = json!({
        "customer_id": id,
        "customer_type": "Person",
        "product_name": "CURRENT_ACCOUNT_CONSUMER_GERMANY",
        "account_type": "CHECKING_PERSONAL",
        "account_currency": "EUR",
        "account_bic": "SOBKDEB2XXX",
        "account_purpose": "primary",
    });
    let request = w
        .expect(
            Method::POST,
            "/v1/accounts/opening_requests",
            Some(body),
            201,
        )
        .await?;
    w.opening_request_id = request
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(())
}

async fn decided(w: &mut Journey, seconds: u64) -> Result<Value, Failure> {
    let id = w.need("account opening request", &w.opening_request_id.clone())?;
    let path = format!("/v1/accounts/opening_requests/{id}");
    w.wait_for(
        &path,
        Duration::from_secs(seconds),
        "the account opening request to be decided",
        |r| {
            matches!(
                r.get("status").and_then(Value::as_str),
                Some("COMPLETED" | "REJECTED")
            )
        },
    )
    .await
}

#[then(expr = "the account is opened within {int} seconds")]
async fn opened(w: &mut Journey, seconds: u64) -> StepResult {
    let request = decided(w, seconds).await?;
    if request.get("status").and_then(Value::as_str) != Some("COMPLETED") {
        return Err(Failure(format!(
            "the account opening request was rejected:\n{}",
            super::http::pretty(&request)
        )));
    }
    w.account_id = request
        .get("account_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(())
}

#[then(expr = "the account opening request is rejected within {int} seconds because of {string}")]
async fn rejected(w: &mut Journey, seconds: u64, reason: String) -> StepResult {
    let request = decided(w, seconds).await?;
    let status = request.get("status").and_then(Value::as_str);
    let failed = request
        .pointer("/rejection_reason/failed_validation")
        .and_then(Value::as_str);
    if status == Some("REJECTED") && failed == Some(reason.as_str()) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected REJECTED because of `{reason}`, got:\n{}",
            super::http::pretty(&request)
        )))
    }
}

#[then(expr = "the account is a {string} account with a valid IBAN")]
async fn account_type(w: &mut Journey, kind: String) -> StepResult {
    let id = w.person()?;
    let account_id = w.need("account", &w.account_id.clone())?;
    let account = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{id}/accounts/{account_id}"),
            None,
            200,
        )
        .await?;
    let got = account
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let number = account
        .get("iban")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if got != kind {
        return Err(Failure(format!("expected a {kind} account, got {got}")));
    }
    if !iban::is_valid(number) {
        return Err(Failure(format!(
            "the account's IBAN {number:?} fails the mod-97 check"
        )));
    }
    Ok(())
}

async fn account(w: &mut Journey) -> Result<Value, Failure> {
    let id = w.person()?;
    let account_id = w.need("account", &w.account_id.clone())?;
    w.expect(
        Method::GET,
        &format!("/v1/persons/{id}/accounts/{account_id}"),
        None,
        200,
    )
    .await
}

/// The account's locking status must be `status`, with `reason` among its reasons (or no
/// reason at all when `reason` is `None`).
async fn expect_lock(w: &mut Journey, status: &str, reason: Option<&str>) -> StepResult {
    let account = account(w).await?;
    let got = account
        .get("locking_status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let reasons = account
        .get("locking_reasons")
        .cloned()
        .unwrap_or(Value::Null);
    let list = reasons.as_array().cloned().unwrap_or_default();
    let reasons_ok = match reason {
        Some(r) => list.contains(&json!(r)),
        None => list.is_empty(),
    };
    if got == status && reasons_ok {
        Ok(())
    } else {
        let wanted = reason
            .map(|r| format!(" because of {r}"))
            .unwrap_or_else(|| " without reasons".into());
        Err(Failure(format!(
            "expected {status}{wanted}, the account is {got} with reasons {reasons}"
        )))
    }
}

#[then("the account is not blocked")]
async fn not_blocked(w: &mut Journey) -> StepResult {
    expect_lock(w, "NO_BLOCK", None).await
}

#[then(expr = "the account is debit-blocked because of {string}")]
async fn debit_blocked(w: &mut Journey, reason: String) -> StepResult {
    expect_lock(w, "DEBIT_BLOCK", Some(&reason)).await
}

#[then(expr = "the account is blocked because of {string}")]
async fn blocked(w: &mut Journey, reason: String) -> StepResult {
    expect_lock(w, "BLOCK", Some(&reason)).await
}
