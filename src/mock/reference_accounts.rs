//! Reference accounts with their SEPA Direct Debit mandate (Decoupled Cards, Step 9 and
//! "Change the reference account"): `POST` and `GET
//! /v1/persons/{id}/accounts/{id}/reference_accounts`, and `GET .../{id}`.
//!
//! A reference account needs a `name`, a valid `iban`, a unique `mandate_number` of 35
//! characters `[A-Za-z0-9]` starting with the creditor prefix (`RCIAIR` unless the mock was
//! started with another, see [`crate::mock::creditor_prefix_from_env`]) and a
//! `mandate_signature_date` that is not in the future. A new one is `ACTIVE` and makes the
//! previous one `INACTIVE`.
//!
//! The reference account itself is at another bank. What the mock moved to and from it (SDD
//! settlements, top-ups, payouts) is shown by `GET /simulator/reference_accounts/{id}/bookings`.

use super::AppState;
use super::body::{Json, JsonBody, req_str};
use super::decoupled::{ReferenceAccount, account_of, decoupled_account_of, stamp, text};
use super::error::{ApiError, ApiResult};
use crate::domain::{iban, mandate, person};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/{person_id}/accounts/{account_id}/reference_accounts",
            get(list).post(create),
        )
        .route(
            "/v1/persons/{person_id}/accounts/{account_id}/reference_accounts/{id}",
            get(show),
        )
        .route(
            "/simulator/reference_accounts/{id}/bookings",
            get(outside_bookings),
        )
}

/// The longest account holder name accepted (SEPA allows 70 characters).
const MAX_NAME_CHARS: usize = 70;

async fn create(
    State(state): State<AppState>,
    Path((person_id, account_id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let name = req_str(input, "name")?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid_model(
            "name",
            format!("is too long (maximum is {MAX_NAME_CHARS} characters)"),
        ));
    }
    let number = req_str(input, "iban")?;
    if !iban::is_valid(number) {
        return Err(ApiError::invalid_model(
            "iban",
            "is not a valid IBAN (the mod-97 check fails)",
        ));
    }
    let mandate_number = req_str(input, "mandate_number")?;
    mandate::check_mandate_number(mandate_number, &state.creditor_prefix)
        .map_err(|p| ApiError::invalid_model("mandate_number", p.to_string()))?;
    let signed = req_str(input, "mandate_signature_date")?;
    let signed_on = person::parse_date(signed).ok_or_else(|| {
        ApiError::invalid_model(
            "mandate_signature_date",
            "must be a date in the form YYYY-MM-DD",
        )
    })?;
    let now = state.clock.now();
    if signed_on > now.date_naive() {
        return Err(ApiError::invalid_model(
            "mandate_signature_date",
            "is in the future: the customer signs the mandate before it is stored",
        ));
    }
    let mut store = state.store();
    decoupled_account_of(&store, &person_id, &account_id)?;
    if store
        .decoupled
        .reference_accounts
        .values()
        .any(|r| text(&r.resource, "mandate_number") == mandate_number)
    {
        return Err(ApiError::invalid_model(
            "mandate_number",
            "has already been taken: every SDD mandate needs its own number",
        ));
    }
    for previous in store.decoupled.reference_accounts.values_mut() {
        if previous.account_id == account_id && previous.is_active() {
            previous.resource.insert("status".into(), json!("INACTIVE"));
        }
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let resource = json!({
        "id": id,
        "status": "ACTIVE",
        "name": name,
        "iban": number,
        "mandate_number": mandate_number,
        "mandate_signature_date": signed_on.to_string(),
        "created_at": stamp(now),
    });
    store.decoupled.reference_accounts.insert(
        id,
        ReferenceAccount {
            resource: resource.as_object().cloned().unwrap_or_default(),
            account_id,
            created: now,
        },
    );
    Ok((StatusCode::CREATED, Json(resource)))
}

async fn list(
    State(state): State<AppState>,
    Path((person_id, account_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    account_of(&store, &person_id, &account_id)?;
    let mut list: Vec<&ReferenceAccount> = store
        .decoupled
        .reference_accounts
        .values()
        .filter(|r| r.account_id == account_id)
        .collect();
    list.sort_by_key(|r| (r.created, text(&r.resource, "id").to_string()));
    Ok(Json(Value::Array(
        list.into_iter()
            .map(|r| Value::Object(r.resource.clone()))
            .collect(),
    )))
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, account_id, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    account_of(&store, &person_id, &account_id)?;
    let r = store
        .decoupled
        .reference_accounts
        .get(&id)
        .filter(|r| r.account_id == account_id)
        .ok_or_else(|| ApiError::model_not_found("ReferenceAccount", &id))?;
    Ok(Json::object(&r.resource))
}

/// The other bank's side: what the mock debited from and credited to this reference account.
async fn outside_bookings(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    if !store.decoupled.reference_accounts.contains_key(&id) {
        return Err(ApiError::model_not_found("ReferenceAccount", &id));
    }
    Ok(Json(Value::Array(
        store
            .decoupled
            .bookings
            .iter()
            .filter(|b| text(b, "reference_account_id") == id)
            .map(|b| Value::Object(b.clone()))
            .collect(),
    )))
}
