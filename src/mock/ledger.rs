//! Money moving on decoupled card accounts: [`book`] (every booking goes through it),
//! `GET /v1/accounts/{id}/bookings`, the daily SDD [`settle`]ment, and the simulator's card
//! purchases and top-ups of the mock contract:
//!
//! - `POST /simulator/cards/{card_id}/purchases` `{"amount", "merchant"}`: a negative
//!   `CARD_TRANSACTION` booking on the card's account; refused with 400 when it needs more than
//!   the balance plus the limit.
//! - `POST /simulator/accounts/{account_id}/top_ups` `{"amount"}`: the customer transfers money
//!   in from the reference account, a positive `SEPA_CREDIT_TRANSFER` booking.
//!
//! Each booking on an account raises `BOOKING` with the booking and its `account_id`. What
//! leaves or reaches the reference account is mirrored as a booking of that reference account
//! (the other bank's side), so both sides of every SDD, top-up and payout can be checked.
//! Balances are integer cents and only change here, under the store's lock, after the rules
//! of [`crate::domain::ledger`] allowed the move.

use super::AppState;
use super::body::{Json, JsonBody, opt_str};
use super::decoupled::{
    DECOUPLED_ACCOUNT, ReferenceAccount, active_reference, cents_of, credits_allowed,
    debits_allowed, query_of, set_money, stamp, text,
};
use super::error::{ApiError, ApiResult};
use super::store::{Store, new_id};
use crate::domain::card::CardStatus;
use crate::domain::ledger::{self, money};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/accounts/{account_id}/bookings", get(list))
        .route("/simulator/cards/{card_id}/purchases", post(purchase))
        .route("/simulator/accounts/{account_id}/top_ups", post(top_up))
}

/// Solaris' real BIC (from the Decoupled Cards guide), for the internal side of bookings.
const SOLARIS_BIC: &str = "SOBKDEBBXXX";
/// The creditor identifier on Solaris' SEPA Direct Debits (illustrative, mod-97 valid form).
const CREDITOR_IDENTIFIER: &str = "DE98ZZZ09999999999";

/// Who is on the other side of a booking.
#[derive(Debug, Clone, Default)]
pub struct Counterparty {
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub name: String,
    /// Mirror the booking on this reference account.
    pub reference_account_id: Option<String>,
}

impl Counterparty {
    pub fn reference(r: &ReferenceAccount) -> Self {
        Counterparty {
            iban: Some(text(&r.resource, "iban").to_string()),
            bic: None,
            name: text(&r.resource, "name").to_string(),
            reference_account_id: Some(text(&r.resource, "id").to_string()),
        }
    }
}

/// One movement on an internal account.
#[derive(Debug, Clone)]
pub struct Entry {
    pub booking_type: &'static str,
    /// Signed, as the account sees it: negative leaves it.
    pub amount: i64,
    pub description: String,
    pub counterparty: Counterparty,
    pub end_to_end_id: Option<String>,
    pub reference: Option<String>,
    pub transaction_id: Option<String>,
    pub creditor_identifier: Option<&'static str>,
}

fn holder_name(store: &Store, account: &Map<String, Value>) -> String {
    store
        .persons
        .get(text(account, "person_id"))
        .map(|p| format!("{} {}", text(p, "first_name"), text(p, "last_name")))
        .unwrap_or_default()
}

/// Books `entry` on the account as at `at`: the balance moves, the booking (and its mirror on
/// the reference account) is recorded, `BOOKING` is raised. The caller has checked the move.
pub fn book(store: &mut Store, account_id: &str, entry: Entry, at: DateTime<Utc>) -> Option<Value> {
    let account = store.accounts.get(account_id)?;
    let holder = holder_name(store, account);
    let own_iban = text(account, "iban").to_string();
    let balance = cents_of(account, "balance") + entry.amount;
    let limit = cents_of(account, "account_limit");
    let date = at.date_naive().to_string();
    let c = &entry.counterparty;
    let (sender, recipient) = if entry.amount >= 0 {
        (
            (c.iban.clone(), c.bic.clone(), c.name.clone()),
            (
                Some(own_iban.clone()),
                Some(SOLARIS_BIC.to_string()),
                holder.clone(),
            ),
        )
    } else {
        (
            (
                Some(own_iban.clone()),
                Some(SOLARIS_BIC.to_string()),
                holder.clone(),
            ),
            (c.iban.clone(), c.bic.clone(), c.name.clone()),
        )
    };
    let id = new_id("cboo");
    let booking = json!({
        "id": id,
        "account_id": account_id,
        "creation_date": date,
        "booking_date": date,
        "valuta_date": date,
        "booking_type": entry.booking_type,
        "amount": money(entry.amount),
        "description": entry.description,
        "recipient_iban": recipient.0,
        "recipient_bic": recipient.1,
        "recipient_name": recipient.2,
        "sender_iban": sender.0,
        "sender_bic": sender.1,
        "sender_name": sender.2,
        "end_to_end_id": entry.end_to_end_id,
        "reference": entry.reference,
        "transaction_id": entry.transaction_id,
        "creditor_identifier": entry.creditor_identifier,
        "recorded_at": stamp(at),
    });
    let booking = booking.as_object().cloned().unwrap_or_default();
    if let Some(account) = store.accounts.get_mut(account_id) {
        set_money(account, balance, limit);
    }
    if let Some(reference_account_id) = &c.reference_account_id {
        let mut mirror = booking.clone();
        mirror.remove("account_id");
        mirror.insert("id".into(), json!(new_id("cboo")));
        mirror.insert("reference_account_id".into(), json!(reference_account_id));
        mirror.insert("amount".into(), money(-entry.amount));
        store.decoupled.bookings.push(mirror);
    }
    store.decoupled.bookings.push(booking.clone());
    let payload = Value::Object(booking);
    store.emit_at("BOOKING", id, payload.clone(), at);
    Some(payload)
}

/// The daily SEPA Direct Debit: every decoupled card account with a negative balance and an
/// active reference account is brought back to zero from it.
pub fn settle(store: &mut Store, at: DateTime<Utc>) {
    let mut owing: Vec<(String, i64)> = store
        .accounts
        .iter()
        .filter(|(_, a)| text(a, "type") == DECOUPLED_ACCOUNT)
        .filter_map(|(id, a)| ledger::settlement(cents_of(a, "balance")).map(|x| (id.clone(), x)))
        .collect();
    owing.sort();
    for (account_id, amount) in owing {
        let Some(reference) = active_reference(store, &account_id) else {
            continue;
        };
        let counterparty = Counterparty::reference(reference);
        let mandate = text(&reference.resource, "mandate_number").to_string();
        let entry = Entry {
            booking_type: "SEPA_DIRECT_DEBIT",
            amount,
            description: format!("Decoupled card settlement, mandate {mandate}"),
            counterparty,
            end_to_end_id: Some(uuid::Uuid::new_v4().simple().to_string()),
            reference: None,
            transaction_id: Some(new_id("ctrx")),
            creditor_identifier: Some(CREDITOR_IDENTIFIER),
        };
        book(store, &account_id, entry, at);
    }
}

async fn list(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<(HeaderMap, Json<Value>)> {
    let query = query_of(query.as_deref())?;
    let kind = query.filter("booking_type").map(str::to_string);
    let store = state.store();
    if !store.accounts.contains_key(&account_id) {
        return Err(ApiError::model_not_found("Account", &account_id));
    }
    let items: Vec<Value> = store
        .decoupled
        .bookings
        .iter()
        .filter(|b| text(b, "account_id") == account_id)
        .filter(|b| kind.as_deref().is_none_or(|k| text(b, "booking_type") == k))
        .map(|b| Value::Object(b.clone()))
        .collect();
    let (headers, page) = query.page(&format!("/v1/accounts/{account_id}/bookings"), items);
    Ok((headers, Json(page)))
}

fn amount_of(input: &Map<String, Value>) -> ApiResult<i64> {
    let value = input
        .get("amount")
        .ok_or_else(|| ApiError::invalid_model("amount", "can't be blank"))?;
    ledger::positive_cents(value).map_err(|p| ApiError::invalid_model("amount", p.message()))
}

async fn purchase(
    State(state): State<AppState>,
    Path(card_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let amount = amount_of(input)?;
    let merchant = opt_str(input, "merchant")?
        .filter(|m| !m.trim().is_empty())
        .unwrap_or("Card merchant")
        .to_string();
    let now = state.clock.now();
    let mut store = state.store();
    let card = store
        .cards
        .get(&card_id)
        .ok_or_else(|| ApiError::model_not_found("Card", &card_id))?;
    let status = text(&card.resource, "status");
    if status != CardStatus::Active.as_str() {
        return Err(ApiError::validation(format!(
            "the card is {status}; only an ACTIVE card can pay"
        )));
    }
    let account_id = text(&card.resource, "account_id").to_string();
    let account = store
        .accounts
        .get(&account_id)
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    if !debits_allowed(account) {
        return Err(ApiError::validation(format!(
            "the card's account is {}: no payment can leave it",
            text(account, "locking_status")
        )));
    }
    ledger::purchase_allowed(
        cents_of(account, "balance"),
        cents_of(account, "account_limit"),
        amount,
    )
    .map_err(|refusal| ApiError::invalid_model("amount", format!("{refusal}: declined")))?;
    let entry = Entry {
        booking_type: "CARD_TRANSACTION",
        amount: -amount,
        description: merchant.clone(),
        counterparty: Counterparty {
            name: merchant,
            ..Counterparty::default()
        },
        end_to_end_id: None,
        reference: None,
        transaction_id: Some(uuid::Uuid::new_v4().simple().to_string()),
        creditor_identifier: None,
    };
    let booking = book(&mut store, &account_id, entry, now)
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    Ok((StatusCode::CREATED, Json(booking)))
}

async fn top_up(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let amount = amount_of(input)?;
    let now = state.clock.now();
    let mut store = state.store();
    let account = store
        .accounts
        .get(&account_id)
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    if !credits_allowed(account) {
        return Err(ApiError::validation(format!(
            "the account is {}: no money can arrive on it",
            text(account, "locking_status")
        )));
    }
    let decoupled = text(account, "type") == DECOUPLED_ACCOUNT;
    let counterparty = match active_reference(&store, &account_id) {
        Some(r) => Counterparty::reference(r),
        None if decoupled => {
            return Err(ApiError::validation(
                "the account has no active reference account to transfer money in from",
            ));
        }
        None => Counterparty {
            name: holder_name(&store, account),
            ..Counterparty::default()
        },
    };
    let entry = Entry {
        booking_type: "SEPA_CREDIT_TRANSFER",
        amount,
        description: "Top-up from the reference account".into(),
        counterparty,
        end_to_end_id: Some(uuid::Uuid::new_v4().simple().to_string()),
        reference: None,
        transaction_id: None,
        creditor_identifier: None,
    };
    let booking = book(&mut store, &account_id, entry, now)
        .ok_or_else(|| ApiError::model_not_found("Account", &account_id))?;
    Ok((StatusCode::CREATED, Json(booking)))
}
