//! Time on the mock's clock (`@simulation`): days, hours and minutes pass at once, and every
//! rule that falls due in between runs in order.

use super::{Journey, StepResult};
use cucumber::when;
use reqwest::Method;
use serde_json::json;

async fn pass(w: &mut Journey, seconds: i64) -> StepResult {
    w.expect(
        Method::POST,
        "/simulator/clock/advance",
        Some(json!({ "seconds": seconds })),
        200,
    )
    .await?;
    Ok(())
}

#[when(expr = "{int} day(s) pass(es)")]
async fn days_pass(w: &mut Journey, days: i64) -> StepResult {
    pass(w, days * 86_400).await
}

#[when(expr = "{int} hour(s) pass(es)")]
async fn hours_pass(w: &mut Journey, hours: i64) -> StepResult {
    pass(w, hours * 3_600).await
}

#[when(expr = "{int} minute(s) pass(es)")]
async fn minutes_pass(w: &mut Journey, minutes: i64) -> StepResult {
    pass(w, minutes * 60).await
}
