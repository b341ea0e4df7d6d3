//! Account opening requests and accounts.
//!
//! `POST /v1/accounts/opening_requests` answers `INITIATED`; a background task then decides,
//! with the onboarding readiness checklist of [`crate::domain::readiness`]: `COMPLETED` with a
//! `CHECKING_PERSONAL` account and a valid IBAN, or `REJECTED` with the first failed check as
//! `rejection_reason`. Accounts are read through `/v1/accounts/{id}` and
//! `/v1/persons/{id}/accounts`.

use super::body::{Json, JsonBody, not_in_list, req_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::{Store, new_id};
use super::{AppState, Shared};
use crate::domain::fatca::{self, FatcaInput};
use crate::domain::identification::IdentificationStatus;
use crate::domain::readiness::{self, Check, ReadinessInput};
use crate::domain::{iban, person};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/accounts/opening_requests",
            get(list_requests).post(create_request),
        )
        .route("/v1/accounts/opening_requests/{id}", get(show_request))
        .route("/v1/accounts/{account_id}", get(show_account))
        .route("/v1/persons/{person_id}/accounts", get(person_accounts))
        .route(
            "/v1/persons/{person_id}/accounts/{account_id}",
            get(person_account),
        )
}

const CUSTOMER_TYPES: &[&str] = &["Person", "Business"];
/// The German product is documented; the others follow its pattern for the other branches
/// (see docs/discrepancies.md).
const PRODUCTS: &[&str] = &[
    "CURRENT_ACCOUNT_CONSUMER_GERMANY",
    "CURRENT_ACCOUNT_CONSUMER_FRANCE",
    "CURRENT_ACCOUNT_CONSUMER_ITALY",
    "CURRENT_ACCOUNT_CONSUMER_SPAIN",
];
const ACCOUNT_TYPES: &[&str] = &["CHECKING_PERSONAL"];
/// Solaris's real bank identifier codes (ISO 9362; `XXX` is the head office), the `account_bic`
/// values the account opening request accepts (api-notes, AOR; `SOBKDEBBXXX` is in the
/// Decoupled Cards guide).
const BICS: &[&str] = &[
    "SOBKDEBBXXX",
    "SOBKDEB2XXX",
    "SOBKITM2XXX",
    "SOBKFRP2XXX",
    "SOBKESM2XXX",
];
const PURPOSES: &[&str] = &["primary"];
/// Solaris' German bank code, behind the IBANs it issues.
const SOLARIS_BANK_CODE: u32 = 11010100;

fn enum_field<'a>(m: &'a Map<String, Value>, field: &str, allowed: &[&str]) -> ApiResult<&'a str> {
    let v = req_str(m, field)?;
    if allowed.contains(&v) {
        Ok(v)
    } else {
        Err(not_in_list(field, allowed))
    }
}

async fn create_request(
    State(state): State<AppState>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let customer_id = req_str(input, "customer_id")?;
    let customer_type = enum_field(input, "customer_type", CUSTOMER_TYPES)?;
    if customer_type != "Person" {
        return Err(ApiError::invalid_model(
            "customer_type",
            "'Business' is documented but this mock plays retail onboarding only: use Person",
        ));
    }
    let product = enum_field(input, "product_name", PRODUCTS)?;
    let account_type = enum_field(input, "account_type", ACCOUNT_TYPES)?;
    let currency = enum_field(input, "account_currency", &["EUR"])?;
    let bic = enum_field(input, "account_bic", BICS)?;
    let purpose = enum_field(input, "account_purpose", PURPOSES)?;
    let now = timestamp(state.clock.now());
    let id = new_id("aorq");
    let resource = json!({
        "id": id,
        "customer_id": customer_id,
        "customer_type": customer_type,
        "status": "INITIATED",
        "product_name": product,
        "account_type": account_type,
        "account_purpose": purpose,
        "account_bic": bic,
        "account_currency": currency,
        "rejection_reason": null,
        "account_id": null,
        "iban": null,
        "created_at": now,
        "updated_at": now,
    });
    {
        let mut store = state.store();
        if !store.persons.contains_key(customer_id) {
            return Err(ApiError::invalid_model(
                "customer_id",
                format!("'{customer_id}' is not a known person"),
            ));
        }
        store.opening_requests.insert(
            id.clone(),
            resource.as_object().cloned().unwrap_or_default(),
        );
    }
    tokio::spawn(decide(Arc::clone(&state), id));
    Ok((StatusCode::CREATED, Json(resource)))
}

/// Decides an account opening request, as Solaris does after answering `INITIATED`.
async fn decide(state: AppState, id: String) {
    let now = state.clock.now();
    let today = now.date_naive();
    let mut store = state.store();
    let Some(request) = store.opening_requests.get(&id).cloned() else {
        return;
    };
    let person_id = request
        .get("customer_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let verdict = verdict(&store, &person_id, today);
    let mut request = request;
    request.insert("updated_at".into(), json!(timestamp(now)));
    match verdict {
        Err((code, details)) => {
            request.insert("status".into(), json!("REJECTED"));
            request.insert(
                "rejection_reason".into(),
                json!({ "failed_validation": code, "details": details }),
            );
        }
        Ok(()) => {
            let account = new_account(&state, &person_id, "CHECKING_PERSONAL", &request);
            request.insert("status".into(), json!("COMPLETED"));
            request.insert("account_id".into(), account["id"].clone());
            request.insert("iban".into(), account["iban"].clone());
            if let Some(account_id) = account["id"].as_str() {
                store.insert_account(account_id.to_string(), account);
            }
        }
    }
    let error = match request.get("rejection_reason") {
        Some(Value::Object(r)) => {
            json!({ "code": r.get("failed_validation"), "detail": r.get("details") })
        }
        _ => Value::Null,
    };
    let payload = json!({
        "account_opening_request_id": id,
        "customer_id": person_id,
        "status": request.get("status"),
        "account_id": request.get("account_id"),
        "updated_at": request.get("updated_at"),
        "error": error,
    });
    store.emit("ACCOUNT_OPENING_REQUEST", id.clone(), payload);
    store.opening_requests.insert(id, request);
    drop(store);
    state.engine.kick();
}

/// Why an account may not be opened for this person, as (failed_validation, details).
fn verdict(store: &Store, person_id: &str, today: NaiveDate) -> Result<(), (String, String)> {
    let Some(p) = store.persons.get(person_id) else {
        return Err((
            "existing_person".into(),
            format!("Person '{person_id}' does not exist."),
        ));
    };
    if store
        .accounts_of(person_id)
        .iter()
        .any(|a| a["type"] == json!("CHECKING_PERSONAL"))
    {
        return Err((
            "existing_customer".into(),
            "The person already has a current account.".into(),
        ));
    }
    let adult = p
        .get("birth_date")
        .and_then(Value::as_str)
        .and_then(person::parse_date)
        .is_some_and(|birth| person::age_on(birth, today) >= 18);
    if !adult {
        return Err((
            "consumer_age_over_18".into(),
            "The person has to be at least 18 years old.".into(),
        ));
    }
    let checks = checklist(store, person_id);
    match readiness::first_blocking(&checks) {
        Some(check) => Err((check.code.to_string(), readiness::rejection_detail(check))),
        None => Ok(()),
    }
}

/// The onboarding readiness checklist for a person, from what the mock holds.
pub(super) fn checklist(store: &Store, person_id: &str) -> Vec<Check> {
    let empty = Map::new();
    let p = store.persons.get(person_id).unwrap_or(&empty);
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let identifications = store.identifications_of(person_id);
    let statuses: Vec<IdentificationStatus> = identifications
        .iter()
        .filter_map(|i| IdentificationStatus::parse(i.status()))
        .collect();
    // The best outcome counts: a successful one, else one that allows banking, else the latest.
    let identification = statuses
        .iter()
        .copied()
        .find(|s| *s == IdentificationStatus::Successful)
        .or_else(|| statuses.iter().copied().find(|s| s.allows_banking()))
        .or_else(|| statuses.last().copied());
    let legitimation = identifications.iter().rev().find_map(|i| {
        i.resource
            .get("legitimation_country")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let mobile = store.mobile_numbers.get(person_id);
    let mobile_number = mobile
        .map(|m| m.number.clone())
        .or_else(|| text(p.get("mobile_number")));
    let address = p.get("address");
    let country = text(address.and_then(|a| a.get("country")));
    let line_1 = text(address.and_then(|a| a.get("line_1")));
    let line_2 = text(address.and_then(|a| a.get("line_2")));
    let nationality = text(p.get("nationality"));
    let birth_country = text(p.get("birth_country"));
    let verdict = fatca::screen(&FatcaInput {
        legitimation_country: legitimation.as_deref(),
        nationality: nationality.as_deref(),
        address_country: country.as_deref(),
        birth_country: birth_country.as_deref(),
        mobile_number: mobile_number.as_deref(),
        address_line_1: line_1.as_deref(),
        address_line_2: line_2.as_deref(),
    });
    let branch = p.get("branch").and_then(Value::as_str);
    let screening = text(p.get("screening_progress"));
    let risk = text(p.get("risk_classification_status"));
    let vetting = text(p.get("customer_vetting_status"));
    readiness::checklist(&ReadinessInput {
        identification,
        mobile_number_verified: mobile.map(|m| m.verified),
        has_primary_tax_identification: store
            .tins(person_id)
            .iter()
            .any(|t| t["primary"] == json!(true)),
        tax_identification_may_follow: matches!(branch, None | Some("DE")),
        fatca: &verdict,
        fatca_soft_resolved: false,
        screening_progress: screening.as_deref(),
        risk_classification_status: risk.as_deref(),
        customer_vetting_status: vetting.as_deref(),
    })
}

/// A new account with a valid Solaris IBAN and a zero balance.
pub(super) fn new_account(
    state: &Shared,
    person_id: &str,
    account_type: &str,
    request: &Map<String, Value>,
) -> Map<String, Value> {
    let id = new_id("cacc");
    let number = u64::from_str_radix(&id[..12], 16).unwrap_or(0) % 10_000_000_000;
    let zero = json!({ "value": 0, "unit": "cents", "currency": "EUR" });
    let bic = request
        .get("account_bic")
        .and_then(Value::as_str)
        .unwrap_or("SOBKDEBBXXX");
    json!({
        "id": id,
        "iban": iban::german(SOLARIS_BANK_CODE, number),
        "bic": bic,
        "type": account_type,
        "purpose": request.get("account_purpose").cloned().unwrap_or(json!("primary")),
        "currency": "EUR",
        "balance": zero,
        "available_balance": zero,
        "account_limit": zero,
        "locking_status": "NO_BLOCK",
        "locking_reasons": [],
        "status": "ACTIVE",
        "opened_at": timestamp(state.clock.now()),
        "person_id": person_id,
        "business_id": null,
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

async fn show_request(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    let r = store
        .opening_requests
        .get(&id)
        .ok_or_else(|| ApiError::model_not_found("AccountOpeningRequest", &id))?;
    Ok(Json::object(r))
}

async fn list_requests(State(state): State<AppState>) -> Json<Value> {
    let store = state.store();
    let mut list: Vec<&Map<String, Value>> = store.opening_requests.values().collect();
    list.sort_by_key(|r| {
        r.get("created_at")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    });
    Json(Value::Array(
        list.into_iter().map(|r| Value::Object(r.clone())).collect(),
    ))
}

async fn show_account(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    let a = store
        .accounts
        .get(&account_id)
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    Ok(Json::object(a))
}

async fn person_accounts(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let mut list = store.accounts_of(&person_id);
    list.sort_by_key(|a| {
        a.get("opened_at")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    });
    Ok(Json(Value::Array(
        list.into_iter().map(|a| Value::Object(a.clone())).collect(),
    )))
}

async fn person_account(
    State(state): State<AppState>,
    Path((person_id, account_id)): Path<(String, String)>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    let a = store
        .accounts
        .get(&account_id)
        .filter(|a| a["person_id"] == json!(person_id))
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    Ok(Json::object(a))
}
