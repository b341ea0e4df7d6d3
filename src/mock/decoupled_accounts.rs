//! The internal account of a decoupled card (Decoupled Cards, Step 8) and its SDD collection
//! limit (servicing).
//!
//! - `POST /v1/persons/{id}/accounts` `{"type": "DECOUPLED_CARD_PERSONAL"}`, the legacy
//!   synchronous account creation the guide still uses, answers 201 with the account (zero
//!   balance, zero limit until the SDD collection application is linked). Only after the
//!   customer passed the onboarding checklist (identification, due diligence, …), as Step 7
//!   requires.
//! - `POST /v1/persons/{id}/accounts/{id}/sdd_collection_limits` (`CUSTOMER_REQUEST`) sets a
//!   limit from EUR 100 up to the one the scorer granted; `DELETE` with the `limit_type`
//!   disables it. `account_limit` and `available_balance` follow at once. The limit is a money
//!   object in cents, as the guide's example shows (its text says "in EURO"; a bare number is
//!   refused with a message saying so). Both paths also answer without `/v1`, as the guide
//!   writes them.

use super::AppState;
use super::accounts::{checklist, new_account};
use super::body::{Json, JsonBody, not_in_list, opt_str, req_str};
use super::decoupled::{DECOUPLED_ACCOUNT, cents_of, decoupled_account_of, set_money};
use super::error::{ApiError, ApiResult};
use super::store::Store;
use crate::domain::ledger::{self, money};
use crate::domain::readiness;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    let mut router = Router::new().route("/v1/persons/{person_id}/accounts", post(create));
    for base in ["/v1/persons", "/persons"] {
        router = router.route(
            &format!("{base}/{{person_id}}/accounts/{{account_id}}/sdd_collection_limits"),
            post(set_limit).delete(disable_limit),
        );
    }
    router
}

const LIMIT_TYPES: &[&str] = &["CUSTOMER_REQUEST"];

async fn create(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let kind = req_str(input, "type")?;
    if kind != DECOUPLED_ACCOUNT {
        return Err(not_in_list("type", &[DECOUPLED_ACCOUNT]));
    }
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let checks = checklist(&store, &person_id);
    if let Some(check) = readiness::first_blocking(&checks) {
        return Err(ApiError::validation(format!(
            "no internal account before the customer is onboarded: {}",
            readiness::rejection_detail(check)
        )));
    }
    let mut request = Map::new();
    request.insert("account_bic".into(), json!("SOBKDEBBXXX"));
    request.insert("account_purpose".into(), Value::Null);
    let account = new_account(&state, &person_id, DECOUPLED_ACCOUNT, &request);
    let id = account
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    store.insert_account(id, account.clone());
    Ok((StatusCode::CREATED, Json(Value::Object(account))))
}

fn limit_type(input: &Map<String, Value>) -> ApiResult<&str> {
    let kind = req_str(input, "limit_type")?;
    if LIMIT_TYPES.contains(&kind) {
        Ok(kind)
    } else {
        Err(not_in_list("limit_type", LIMIT_TYPES))
    }
}

fn requested_limit(input: &Map<String, Value>) -> ApiResult<i64> {
    match input.get("limit") {
        None | Some(Value::Null) => Err(ApiError::invalid_model("limit", "can't be blank")),
        Some(Value::Number(_)) => Err(ApiError::type_error(
            "limit",
            "a money object {\"value\": <integer cents>, \"unit\": \"cents\", \"currency\": \"EUR\"}: the guide's text says \"in EURO\", its example and every other amount are cents",
        )),
        Some(v) => ledger::cents(v).map_err(|p| ApiError::invalid_model("limit", p.message())),
    }
}

fn granted(store: &Store, account_id: &str) -> ApiResult<i64> {
    store
        .decoupled
        .granted
        .get(account_id)
        .copied()
        .ok_or_else(|| {
            ApiError::validation(
                "no credit limit was granted to this account yet: link it to an offered SDD collection application first",
            )
        })
}

async fn set_limit(
    State(state): State<AppState>,
    Path((person_id, account_id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let kind = limit_type(input)?.to_string();
    let requested = requested_limit(input)?;
    let comment = opt_str(input, "comment")?.map(str::to_string);
    let mut store = state.store();
    let account = decoupled_account_of(&store, &person_id, &account_id)?;
    let granted = granted(&store, &account_id)?;
    let balance = cents_of(account, "balance");
    let limit = ledger::customer_limit(requested, granted, balance)
        .map_err(|p| ApiError::invalid_model("limit", p.to_string()))?;
    if let Some(account) = store.accounts.get_mut(&account_id) {
        set_money(account, balance, limit);
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "comment": comment, "limit": money(limit), "limit_type": kind })),
    ))
}

async fn disable_limit(
    State(state): State<AppState>,
    Path((person_id, account_id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let kind = limit_type(input)?.to_string();
    let mut store = state.store();
    let account = decoupled_account_of(&store, &person_id, &account_id)?;
    granted(&store, &account_id)?;
    let balance = cents_of(account, "balance");
    let limit = ledger::disable_limit(balance).map_err(|p| {
        ApiError::validation(format!(
            "the limit cannot be disabled while the balance is negative: it {p}"
        ))
    })?;
    if let Some(account) = store.accounts.get_mut(&account_id) {
        set_money(account, balance, limit);
    }
    Ok(Json(
        json!({ "comment": null, "limit": money(limit), "limit_type": kind }),
    ))
}
