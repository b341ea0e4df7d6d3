//! Debit cards: created under an account (`PROCESSING`, then `INACTIVE`), activated by the
//! customer once the 24-hour block has passed, or at once on the sandbox when `line_1`
//! carries `WITHSTATICTOKEN`.

use super::AppState;
use super::body::{Json, JsonBody, not_in_list, opt_str, req_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::Card;
use crate::domain::card::{self, ACTIVATION_DELAY_HOURS, CardStatus};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Datelike;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/{person_id}/accounts/{account_id}/cards",
            post(create),
        )
        .route("/v1/accounts/{account_id}/cards", get(list))
        .route("/v1/cards/{card_id}", get(show))
        .route("/v1/cards/{card_id}/activate", post(activate))
}

const CARD_TYPES: &[&str] = &[
    "MASTERCARD_DEBIT",
    "MASTERCARD_BUSINESS_DEBIT",
    "VIRTUAL_MASTERCARD_DEBIT",
    "VIRTUAL_MASTERCARD_BUSINESS_DEBIT",
    "VIRTUAL_MASTERCARD_FREELANCE_DEBIT",
    "VISA_DEBIT",
    "VISA_BUSINESS_DEBIT",
    "VIRTUAL_VISA_DEBIT",
    "VIRTUAL_VISA_BUSINESS_DEBIT",
    "VIRTUAL_VISA_FREELANCE_DEBIT",
    "VISA_CREDIT",
    "VIRTUAL_VISA_CREDIT",
    "VISA_BUSINESS_CREDIT",
    "VIRTUAL_VISA_BUSINESS_CREDIT",
];

fn line(input: &Map<String, Value>, field: &str, required: bool) -> ApiResult<Option<String>> {
    let value = if required {
        Some(req_str(input, field)?)
    } else {
        opt_str(input, field)?
    };
    match value {
        Some(v) => {
            card::check_line(v).map_err(|p| ApiError::invalid_model(field, p.message()))?;
            Ok(Some(v.to_string()))
        }
        None => Ok(None),
    }
}

async fn create(
    State(state): State<AppState>,
    Path((person_id, account_id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let line_1 = line(input, "line_1", true)?.unwrap_or_default();
    let line_2 = line(input, "line_2", false)?;
    let card_type = req_str(input, "type")?;
    if !CARD_TYPES.contains(&card_type) {
        return Err(not_in_list("type", CARD_TYPES));
    }
    let reference = opt_str(input, "reference")?.map(str::to_string);
    let now = state.clock.now();
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let account = store
        .accounts
        .get(&account_id)
        .filter(|a| a["person_id"] == json!(person_id))
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    if account["locking_status"] != json!("NO_BLOCK") {
        return Err(ApiError::unauthorized_action(format!(
            "cards cannot be issued on an account whose locking_status is {}",
            account["locking_status"]
        )));
    }
    if let Some(r) = &reference
        && store.card_reference_taken(r)
    {
        return Err(ApiError::invalid_model(
            "reference",
            "has already been taken: a card reference must be unique",
        ));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let last_four = u32::from_str_radix(&id[..4], 16).unwrap_or(0) % 10_000;
    let expiry = now.date_naive().with_day(1).unwrap_or(now.date_naive());
    let expiry_year = expiry.year() + 3;
    let expiration = chrono::NaiveDate::from_ymd_opt(expiry_year, expiry.month(), 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(expiry);
    let resource = json!({
        "id": id,
        "status": CardStatus::Processing.as_str(),
        "type": card_type,
        "reference": reference,
        "person_id": person_id,
        "account_id": account_id,
        "business_id": null,
        "sia_account_number": null,
        "new_card_ordered": false,
        "creation_date": now.date_naive().to_string(),
        "expiration_date": expiration.to_string(),
        "representation": {
            "line_1": line_1,
            "line_2": line_2,
            "masked_pan": format!("535544******{last_four:04}"),
            "formatted_expiration_date": format!("{:02}/{:02}", expiration.month(), expiration.year() % 100),
        },
    });
    let resource = resource.as_object().cloned().unwrap_or_default();
    let activatable_from = if card::instant_activation(&line_1) {
        now
    } else {
        now + chrono::Duration::hours(ACTIVATION_DELAY_HOURS)
    };
    store.insert_card(
        id.clone(),
        Card {
            resource: resource.clone(),
            activatable_from,
        },
    );
    drop(store);
    tokio::spawn(produced(Arc::clone(&state), id));
    Ok((StatusCode::CREATED, Json(Value::Object(resource))))
}

/// The card leaves production: `PROCESSING` → `INACTIVE`.
async fn produced(state: AppState, card_id: String) {
    let mut store = state.store();
    let Some(card) = store.cards.get_mut(&card_id) else {
        return;
    };
    if card.resource.get("status") != Some(&json!(CardStatus::Processing.as_str())) {
        return;
    }
    card.resource
        .insert("status".into(), json!(CardStatus::Inactive.as_str()));
    let payload = Value::Object(card.resource.clone());
    store.emit("CARD_LIFECYCLE_EVENT", card_id, payload);
    drop(store);
    state.engine.kick();
}

async fn show(
    State(state): State<AppState>,
    Path(card_id): Path<String>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    let card = store
        .cards
        .get(&card_id)
        .ok_or_else(|| ApiError::model_not_found("Card", &card_id))?;
    Ok(Json::object(&card.resource))
}

async fn list(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    if !store.accounts.contains_key(&account_id) {
        return Err(ApiError::model_not_found("Account", &account_id));
    }
    let mut cards = store.cards_of(&account_id);
    cards.sort_by_key(|c| c.activatable_from);
    Ok(Json(Value::Array(
        cards
            .into_iter()
            .map(|c| Value::Object(c.resource.clone()))
            .collect(),
    )))
}

async fn activate(
    State(state): State<AppState>,
    Path(card_id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let last_four = opt_str(input, "pan_last_4_digit")?.map(str::to_string);
    let expiry = opt_str(input, "expiry_date")?.map(str::to_string);
    let now = state.clock.now();
    let mut store = state.store();
    let card = store
        .cards
        .get(&card_id)
        .ok_or_else(|| ApiError::model_not_found("Card", &card_id))?;
    let account_id = card
        .resource
        .get("account_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let blocked = store
        .accounts
        .get(account_id)
        .is_some_and(|a| a["locking_status"] != json!("NO_BLOCK"));
    if blocked {
        return Err(ApiError::unauthorized_action(
            "the card's account is blocked; a card on it cannot be activated",
        ));
    }
    let status = card
        .resource
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if status != CardStatus::Inactive.as_str() {
        return Err(ApiError::validation(format!(
            "the card is {status}; only an INACTIVE card can be activated"
        )));
    }
    if now < card.activatable_from {
        return Err(ApiError::unauthorized_action(format!(
            "card activation is blocked until {} ({ACTIVATION_DELAY_HOURS} hours after creation); on the sandbox, put {} in line_1 to activate at once",
            timestamp(card.activatable_from),
            card::INSTANT_ACTIVATION_MARKER
        )));
    }
    let representation = &card.resource["representation"];
    if let Some(four) = last_four {
        let pan = representation["masked_pan"].as_str().unwrap_or_default();
        if !pan.ends_with(&four) || four.len() != 4 {
            return Err(ApiError::invalid_model(
                "pan_last_4_digit",
                "does not match the card",
            ));
        }
    }
    if let Some(e) = expiry
        && representation["formatted_expiration_date"] != json!(e)
    {
        return Err(ApiError::invalid_model(
            "expiry_date",
            "does not match the card (MM/YY)",
        ));
    }
    let card = store
        .cards
        .get_mut(&card_id)
        .ok_or_else(|| ApiError::model_not_found("Card", &card_id))?;
    card.resource
        .insert("status".into(), json!(CardStatus::Active.as_str()));
    let payload = Value::Object(card.resource.clone());
    store.emit("CARD_LIFECYCLE_EVENT", card_id, payload.clone());
    Ok(Json(payload))
}
