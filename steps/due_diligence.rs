//! Customer due diligence, as Solaris decides it (`@simulation`: set through the simulator).

use super::{Journey, StepResult};
use cucumber::when;
use reqwest::Method;
use serde_json::json;

#[when(expr = "the customer's due diligence is set to {string}, {string} and {string}")]
async fn set(w: &mut Journey, screening: String, risk: String, vetting: String) -> StepResult {
    let id = w.person()?;
    let body = json!({
        "screening_progress": screening,
        "risk_classification_status": risk,
        "customer_vetting_status": vetting,
    });
    w.expect(
        Method::PATCH,
        &format!("/simulator/persons/{id}/due_diligence"),
        Some(body),
        200,
    )
    .await?;
    Ok(())
}
