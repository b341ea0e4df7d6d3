//! Payouts to the reference account (Decoupled Cards, "Issue payouts to reference account"):
//! `POST /v1/persons/{id}/accounts/{id}/reference_accounts/{id}/payouts` and `GET
//! /v1/persons/{id}/accounts/{id}/reference_account_payouts/{id}`.
//!
//! A payout is strong-customer-authenticated: the POST answers 202 with a change request
//! (`AUTHORIZATION_REQUIRED`), which the partner authorizes and confirms with the TAN
//! (`/v1/change_requests/{id}/authorize`, `/confirm`). The confirmation creates the payout,
//! `ACCEPTED`, as its `response_body`; right after, it is `EXECUTED` (a `SEPA_CREDIT_TRANSFER`
//! booking and a `BOOKING` webhook) if the positive balance still covers it, else `DECLINED`.
//! Checked at both moments, under the store's lock: only the active reference account of the
//! account, only from a positive balance, never from the credit limit.
//!
//! `reference` is the idempotency key per account: a repeat answers the first payout (200), or
//! its change request while that is not confirmed yet (202), whatever else the repeat says.

use super::AppState;
use super::body::{Json, JsonBody, opt_str, req_str};
use super::clock::timestamp;
use super::decoupled::{
    Payout, PendingPayout, cents_of, debits_allowed, decoupled_account_of, stamp, text,
};
use super::error::{ApiError, ApiResult};
use super::ledger::{Counterparty, Entry, book};
use super::store::{ChangeAction, ChangeRequest, Store, new_id};
use crate::domain::ledger::{self, money};
use crate::domain::payout::PayoutStatus;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/{person_id}/accounts/{account_id}/reference_accounts/{reference_account_id}/payouts",
            post(create),
        )
        .route(
            "/v1/persons/{person_id}/accounts/{account_id}/reference_account_payouts/{id}",
            get(show),
        )
}

/// The longest `reference`, `end_to_end_id` and `description` accepted.
const MAX_TEXT_CHARS: usize = 140;

fn short_text<'a>(
    input: &'a serde_json::Map<String, Value>,
    field: &str,
) -> ApiResult<Option<&'a str>> {
    let value = opt_str(input, field)?;
    if value.is_some_and(|v| v.chars().count() > MAX_TEXT_CHARS) {
        return Err(ApiError::invalid_model(
            field,
            format!("is too long (maximum is {MAX_TEXT_CHARS} characters)"),
        ));
    }
    Ok(value)
}

async fn create(
    State(state): State<AppState>,
    Path((person_id, account_id, reference_account_id)): Path<(String, String, String)>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Bytes>)> {
    let input = body.object()?;
    let reference = req_str(input, "reference")?;
    short_text(input, "reference")?;
    let end_to_end_id = short_text(input, "end_to_end_id")?.map(str::to_string);
    let description = short_text(input, "description")?.map(str::to_string);
    let amount = input
        .get("amount")
        .ok_or_else(|| ApiError::invalid_model("amount", "can't be blank"))
        .and_then(|v| {
            ledger::positive_cents(v).map_err(|p| ApiError::invalid_model("amount", p.message()))
        })?;
    let now = state.clock.now();
    let mut store = state.store();
    let account = decoupled_account_of(&store, &person_id, &account_id)?;
    let balance = cents_of(account, "balance");
    let debits = debits_allowed(account);
    let locking = text(account, "locking_status").to_string();
    let target = store
        .decoupled
        .reference_accounts
        .get(&reference_account_id)
        .filter(|r| r.account_id == account_id)
        .ok_or_else(|| ApiError::model_not_found("ReferenceAccount", &reference_account_id))?;
    let active = target.is_active();
    // The idempotency key: the first payout with this reference on this account answers.
    if let Some(first) = store
        .decoupled
        .payouts
        .values()
        .find(|p| p.account_id == account_id && text(&p.resource, "reference") == reference)
    {
        return Ok((StatusCode::OK, Json::object(&first.resource)));
    }
    if let Some(waiting) = store
        .decoupled
        .pending_payouts
        .values()
        .find(|p| p.account_id == account_id && p.reference == reference)
        && let Some(cr) = store.change_requests.get(&waiting.change_request_id)
    {
        return Ok((StatusCode::ACCEPTED, Json::value(&cr.to_json())));
    }
    if !active {
        return Err(ApiError::validation(format!(
            "reference account {reference_account_id} is INACTIVE: payouts only go to the account's active reference account"
        )));
    }
    if !debits {
        return Err(ApiError::validation(format!(
            "the account is {locking}: no payout can leave it"
        )));
    }
    ledger::payout_allowed(balance, amount)
        .map_err(|refusal| ApiError::invalid_model("amount", refusal.to_string()))?;
    let payout_id = uuid::Uuid::new_v4().simple().to_string();
    let request = ChangeRequest {
        id: new_id("csc"),
        person_id: person_id.clone(),
        status: "AUTHORIZATION_REQUIRED",
        updated_at: timestamp(now),
        action: ChangeAction::Payout {
            payout_id: payout_id.clone(),
        },
    };
    let answer = request.to_json();
    store.decoupled.pending_payouts.insert(
        payout_id.clone(),
        PendingPayout {
            id: payout_id,
            change_request_id: request.id.clone(),
            person_id,
            account_id,
            reference_account_id,
            reference: reference.to_string(),
            end_to_end_id,
            description,
            amount,
        },
    );
    store.change_requests.insert(request.id.clone(), request);
    Ok((StatusCode::ACCEPTED, Json::value(&answer)))
}

/// The change request of a payout was confirmed (at `now`): the payout exists, `ACCEPTED`, and
/// is executed by the next run of the time rules. Answers what the change request reports as
/// `response_code` and `response_body`. Takes the store however the change-request handler
/// holds it (the lock's guard or a reference to the store).
pub fn confirmed(
    mut store: impl std::ops::DerefMut<Target = Store>,
    payout_id: &str,
    now: &str,
) -> (u16, Value) {
    let Some(pending) = store.decoupled.pending_payouts.remove(payout_id) else {
        return (
            404,
            ApiError::model_not_found("ReferenceAccountPayout", payout_id).body(),
        );
    };
    let accepted_at = DateTime::parse_from_rfc3339(now)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now());
    let resource = json!({
        "id": pending.id,
        "reference": pending.reference,
        "status": PayoutStatus::Accepted.as_str(),
        "amount": money(pending.amount),
        "end_to_end_id": pending.end_to_end_id,
        "reference_account_id": pending.reference_account_id,
        "description": pending.description,
        "created_at": stamp(accepted_at),
    });
    store.decoupled.payouts.insert(
        pending.id.clone(),
        Payout {
            resource: resource.as_object().cloned().unwrap_or_default(),
            person_id: pending.person_id,
            account_id: pending.account_id,
            accepted_at,
        },
    );
    (201, resource)
}

/// Executes an accepted payout, or declines it when the account can no longer pay it.
pub fn execute(store: &mut Store, id: &str, at: DateTime<Utc>) {
    let Some(payout) = store.decoupled.payouts.get(id) else {
        return;
    };
    if payout.status() != PayoutStatus::Accepted {
        return;
    }
    let account_id = payout.account_id.clone();
    let amount = cents_of(&payout.resource, "amount");
    let reference = text(&payout.resource, "reference").to_string();
    let end_to_end_id = payout
        .resource
        .get("end_to_end_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let description = payout
        .resource
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| "Payout to the reference account".into());
    let target = store
        .decoupled
        .reference_accounts
        .get(text(&payout.resource, "reference_account_id"))
        .filter(|r| r.is_active() && r.account_id == account_id)
        .map(Counterparty::reference);
    let allowed = store.accounts.get(&account_id).is_some_and(|a| {
        debits_allowed(a) && ledger::payout_allowed(cents_of(a, "balance"), amount).is_ok()
    });
    let status = match target {
        Some(counterparty) if allowed => {
            let entry = Entry {
                booking_type: "SEPA_CREDIT_TRANSFER",
                amount: -amount,
                description,
                counterparty,
                end_to_end_id,
                reference: Some(reference),
                transaction_id: Some(id.to_string()),
                creditor_identifier: None,
            };
            book(store, &account_id, entry, at);
            PayoutStatus::Executed
        }
        _ => PayoutStatus::Declined,
    };
    if let Some(payout) = store.decoupled.payouts.get_mut(id)
        && let Ok(status) = payout.status().apply(status)
    {
        payout
            .resource
            .insert("status".into(), json!(status.as_str()));
    }
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, account_id, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    super::decoupled::account_of(&store, &person_id, &account_id)?;
    let payout = store
        .decoupled
        .payouts
        .get(&id)
        .filter(|p| p.account_id == account_id && p.person_id == person_id)
        .ok_or_else(|| ApiError::model_not_found("ReferenceAccountPayout", &id))?;
    Ok(Json::object(&payout.resource))
}
