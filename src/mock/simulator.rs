//! The simulation controls of `mock-contract.md`, outside `/v1`: reset, the clock, IDnow
//! outcomes and due-diligence statuses. The sandbox has none of these; scenarios that use
//! them are tagged `@simulation`.

use super::AppState;
use super::body::{Json, JsonBody, opt_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::identifications::{current, record_outcome};
use crate::domain::due_diligence::{
    CustomerVettingStatus, RiskClassificationStatus, ScreeningProgress,
};
use crate::domain::identification::IdentificationStatus;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/simulator/reset", post(reset))
        .route("/simulator/clock", get(clock))
        .route("/simulator/stats", get(stats))
        .route("/simulator/clock/advance", post(advance))
        .route(
            "/simulator/persons/{person_id}/identifications/{id}/outcome",
            post(outcome),
        )
        .route(
            "/simulator/persons/{person_id}/due_diligence",
            patch(due_diligence),
        )
}

/// Every resource and the clock back to the start. Issued tokens stay valid, so a client
/// that resets does not have to authenticate again.
async fn reset(State(state): State<AppState>) -> StatusCode {
    let mut store = state.store();
    let tokens = std::mem::take(&mut store.tokens);
    *store = Default::default();
    store.tokens = tokens;
    state.clock.reset();
    StatusCode::NO_CONTENT
}

/// How many of each resource the mock holds: for checking that nothing was duplicated or lost
/// (e.g. under `--faults`).
async fn stats(State(state): State<AppState>) -> Json<Value> {
    let store = state.store();
    Json(json!({
        "persons": store.persons.len(),
        "mobile_numbers": store.mobile_numbers.len(),
        "tax_identifications": store.tax_identifications.values().map(Vec::len).sum::<usize>(),
        "identifications": store.identifications.len(),
        "account_opening_requests": store.opening_requests.len(),
        "accounts": store.accounts.len(),
        "cards": store.cards.len(),
        "webhook_subscriptions": store.subscriptions.len(),
        "webhook_deliveries_pending": store.deliveries.len(),
    }))
}

async fn clock(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "now": timestamp(state.clock.now()) }))
}

async fn advance(State(state): State<AppState>, body: JsonBody) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let mut total = chrono::Duration::zero();
    for (field, unit) in [("days", 86_400i64), ("hours", 3_600), ("seconds", 1)] {
        match input.get(field) {
            None | Some(Value::Null) => {}
            Some(v) => {
                let n = v
                    .as_i64()
                    .filter(|n| (0..=36_500 * 86_400 / unit).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid_model(
                            field,
                            "must be a whole number from 0 up to 100 years",
                        )
                    })?;
                total += chrono::Duration::seconds(n * unit);
            }
        }
    }
    if let Some(unknown) = input
        .keys()
        .find(|k| !["days", "hours", "seconds"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid_model(
            unknown,
            "is not a clock unit; use days, hours or seconds",
        ));
    }
    state.clock.advance(total);
    let now = state.clock.now();
    super::timeline::run_due(&mut state.store(), now);
    state.engine.kick();
    Ok(Json(json!({ "now": timestamp(state.clock.now()) })))
}

async fn outcome(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let wanted = opt_str(input, "status")?
        .ok_or_else(|| ApiError::invalid_model("status", "can't be blank"))?;
    let to = IdentificationStatus::parse(wanted)
        .filter(|s| *s != IdentificationStatus::Created && *s != IdentificationStatus::Pending)
        .ok_or_else(|| {
            ApiError::invalid_model(
                "status",
                "is not an IDnow outcome [successful, pending_successful, pending_failed, failed, aborted, canceled, expired]",
            )
        })?;
    let legitimation = opt_str(input, "legitimation_country")?.map(str::to_string);
    if let Some(c) = &legitimation
        && !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ApiError::invalid_model(
            "legitimation_country",
            "must be an ISO 3166-1 alpha-2 country code",
        ));
    }
    let document_expires_on = match opt_str(input, "document_expires_on")? {
        Some(d) => Some(crate::domain::person::parse_date(d).ok_or_else(|| {
            ApiError::invalid_model(
                "document_expires_on",
                "must be a date in the form YYYY-MM-DD",
            )
        })?),
        None => None,
    };
    let now = state.clock.now();
    let mut store = state.store();
    let nationality = store
        .persons
        .get(&person_id)
        .and_then(|p| p.get("nationality"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let ident = current(&mut store, &person_id, &id)?;
    let from = IdentificationStatus::parse(ident.status());
    let resource = record_outcome(ident, to, legitimation.or(nationality), now)?;
    if to.allows_banking()
        && let Some(p) = store.persons.get_mut(&person_id)
    {
        // The ID document's validity: what the video call showed, else five years.
        let valid_until = document_expires_on.unwrap_or_else(|| {
            now.date_naive()
                .checked_add_months(chrono::Months::new(60))
                .unwrap_or(now.date_naive())
        });
        p.insert(
            "legitimation_valid_until".into(),
            json!(valid_until.to_string()),
        );
    }
    if from == Some(IdentificationStatus::PendingSuccessful)
        && matches!(
            to,
            IdentificationStatus::Failed | IdentificationStatus::Canceled
        )
    {
        // Banking started on pending_successful; the review said no: the accounts are blocked.
        let accounts: Vec<String> = store
            .accounts
            .iter()
            .filter(|(_, a)| a.get("person_id") == Some(&json!(person_id)))
            .map(|(id, _)| id.clone())
            .collect();
        for account_id in accounts {
            super::timeline::set_block(
                &mut store,
                &account_id,
                super::timeline::IDENTIFICATION_FAILED,
                true,
                now,
            );
        }
    }
    store.emit(
        "IDENTIFICATION",
        id.clone(),
        Value::Object(resource.clone()),
    );
    if to.allows_banking()
        && !store
            .cdd_set_by_simulator
            .get(&person_id)
            .copied()
            .unwrap_or(false)
        && let Some(p) = store.persons.get_mut(&person_id)
    {
        p.insert(
            "screening_progress".into(),
            json!(ScreeningProgress::ScreenedAccepted.as_str()),
        );
        p.insert(
            "risk_classification_status".into(),
            json!(RiskClassificationStatus::NormalRisk.as_str()),
        );
        p.insert(
            "customer_vetting_status".into(),
            json!(CustomerVettingStatus::NoMatch.as_str()),
        );
        store.emit("PERSON_CHANGED", person_id.clone(), json!({}));
    }
    Ok(Json(Value::Object(resource)))
}

async fn due_diligence(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let mut changes = Vec::new();
    for (field, value) in input {
        let text = value
            .as_str()
            .ok_or_else(|| ApiError::type_error(field, "a string"))?;
        let allowed: Vec<&str> = match field.as_str() {
            "screening_progress" => ScreeningProgress::ALL.iter().map(|s| s.as_str()).collect(),
            "risk_classification_status" => RiskClassificationStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
            "customer_vetting_status" => CustomerVettingStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
            _ => {
                return Err(ApiError::invalid_model(
                    field,
                    "is not a due-diligence status; use screening_progress, risk_classification_status or customer_vetting_status",
                ));
            }
        };
        if !allowed.contains(&text) {
            return Err(super::body::not_in_list(field, &allowed));
        }
        changes.push((field.clone(), text.to_string()));
    }
    let mut store = state.store();
    let person = store
        .persons
        .get_mut(&person_id)
        .ok_or_else(|| ApiError::model_not_found("Person", &person_id))?;
    for (field, value) in changes {
        person.insert(field, json!(value));
    }
    let json = Value::Object(person.clone());
    store.cdd_set_by_simulator.insert(person_id.clone(), true);
    store.emit("PERSON_CHANGED", person_id, json!({}));
    Ok(Json(json))
}
