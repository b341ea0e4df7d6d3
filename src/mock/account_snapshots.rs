//! Account snapshots (Decoupled Cards, Step 6): `POST` and `GET
//! /v1/persons/{id}/account_snapshots` from the four sources, and the simulator's control for
//! the customer's bank login.
//!
//! - `FIN_TECH_SYSTEMS` answers a `wizard_session_key`, `FINREACH` a `location` to redirect the
//!   customer to; both are `pending` until the customer has logged in to their bank, which on
//!   the mock is `POST /simulator/persons/{person_id}/account_snapshots/{id}/outcome`
//!   (`{"status": "available", "snapshot_data": {...}}` or `{"status": "failed"}`).
//! - `PARTNER` carries `snapshot_data` in the guide's format and is `available` at once.
//! - `SOLARISBANK` reads an account of the person at Solaris (its balance and the bookings of
//!   the last 90 days) and is `available` at once.
//!
//! Each status a snapshot takes raises `ACCOUNT_SNAPSHOT`, enveloped as the webhook catalog
//! shows it: `{"entity_uuid", "event_type", "payload"}`. An available snapshot expires after 30
//! days.

use super::AppState;
use super::body::{Json, JsonBody, not_in_list, opt_str, req_str};
use super::decoupled::{SNAPSHOT_VALIDITY, Snapshot, account_of, cents_of, stamp, text};
use super::error::{ApiError, ApiResult};
use super::store::{Store, new_id};
use crate::domain::iban;
use crate::domain::scoring::{self, SnapshotFacts, Turnover, snapshot_facts};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/persons/{person_id}/account_snapshots", post(create))
        .route("/v1/persons/{person_id}/account_snapshots/{id}", get(show))
        .route(
            "/simulator/persons/{person_id}/account_snapshots/{id}/outcome",
            post(outcome),
        )
}

const SOURCES: &[&str] = &["FIN_TECH_SYSTEMS", "FINREACH", "PARTNER", "SOLARISBANK"];
const OUTCOMES: &[&str] = &["available", "failed"];

/// The webhook body: the snapshot inside the envelope the catalog documents.
pub fn webhook_payload(snapshot: &Snapshot) -> Value {
    let r = &snapshot.resource;
    json!({
        "entity_uuid": r.get("id"),
        "event_type": "ACCOUNT_SNAPSHOT",
        "payload": {
            "id": r.get("id"),
            "status": r.get("status"),
            "provider": r.get("provider"),
            "wizard_session_key": r.get("wizard_session_key"),
            "status_description": r.get("status_description"),
            "location": r.get("location"),
            "iban": r.get("iban"),
            "account_id": r.get("account_id"),
        }
    })
}

fn checked_iban(value: Option<&str>, field: &str) -> ApiResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(i) if iban::is_valid(i) => Ok(Some(i.to_string())),
        Some(_) => Err(ApiError::invalid_model(
            field,
            "is not a valid IBAN (the mod-97 check fails)",
        )),
    }
}

/// The data of a snapshot, or an `invalid_model` pointing into `snapshot_data`.
fn facts_of(data: &Value) -> ApiResult<SnapshotFacts> {
    snapshot_facts(data).map_err(|p| {
        let field = format!("snapshot_data{}", p.pointer.replace('/', "."));
        ApiError::invalid_model(&field, p.message)
    })
}

/// What Solaris knows of one of its own accounts: the balance and the last 90 days of bookings.
fn solaris_facts(store: &Store, account_id: &str, now: DateTime<Utc>) -> SnapshotFacts {
    let since = now - Duration::days(scoring::DEFAULT_SNAPSHOT_DAYS);
    let turnovers = store
        .decoupled
        .bookings
        .iter()
        .filter(|b| text(b, "account_id") == account_id)
        .filter(|b| {
            DateTime::parse_from_rfc3339(text(b, "recorded_at"))
                .is_ok_and(|t| t.with_timezone(&Utc) >= since)
        })
        .map(|b| Turnover {
            amount: cents_of(b, "amount"),
            repayment: false,
        })
        .collect();
    let balance = store
        .accounts
        .get(account_id)
        .map(|a| cents_of(a, "balance"))
        .unwrap_or(0);
    SnapshotFacts {
        days: scoring::DEFAULT_SNAPSHOT_DAYS,
        balance,
        turnovers,
    }
}

fn token(chars: usize) -> String {
    let mut out = String::new();
    while out.len() < chars {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(chars);
    out
}

async fn create(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let source = req_str(input, "source")?;
    if !SOURCES.contains(&source) {
        return Err(not_in_list("source", SOURCES));
    }
    let now = state.clock.now();
    let id = new_id("snap");
    let mut resource = json!({
        "id": id,
        "status": "pending",
        "provider": source,
        "wizard_session_key": null,
        "location": null,
        "iban": null,
        "account_id": null,
        "status_description": null,
        "created_at": stamp(now),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let mut facts = None;
    match source {
        "FIN_TECH_SYSTEMS" => {
            let iban = checked_iban(opt_str(input, "iban")?, "iban")?;
            resource.insert("iban".into(), json!(iban));
            resource.insert("wizard_session_key".into(), json!(token(40)));
        }
        "FINREACH" => {
            resource.insert(
                "location".into(),
                json!(format!(
                    "https://ui.solaris-i.prod.finleap.cloud?token={}",
                    token(32)
                )),
            );
        }
        "PARTNER" => {
            let data = input
                .get("snapshot_data")
                .filter(|d| !d.is_null())
                .ok_or_else(|| {
                    ApiError::invalid_model(
                        "snapshot_data",
                        "can't be blank when the source is PARTNER",
                    )
                })?;
            facts = Some(facts_of(data)?);
            let iban = checked_iban(
                data.pointer("/account/iban")
                    .and_then(Value::as_str)
                    .filter(|i| !i.is_empty()),
                "snapshot_data.account.iban",
            )?;
            resource.insert("iban".into(), json!(iban));
        }
        _ => {
            let account_id = req_str(input, "account_id")?;
            let account = account_of(&store, &person_id, account_id).map_err(|_| {
                ApiError::invalid_model("account_id", "is not an account of this person")
            })?;
            resource.insert(
                "iban".into(),
                account.get("iban").cloned().unwrap_or_default(),
            );
            resource.insert("account_id".into(), json!(account_id));
            facts = Some(solaris_facts(&store, account_id, now));
        }
    }
    let expires_at = facts.as_ref().map(|_| now + SNAPSHOT_VALIDITY);
    if facts.is_some() {
        resource.insert("status".into(), json!("available"));
    }
    let snapshot = Snapshot {
        person_id,
        resource: resource.clone(),
        facts,
        expires_at,
    };
    let payload = webhook_payload(&snapshot);
    store.decoupled.snapshots.insert(id.clone(), snapshot);
    store.emit("ACCOUNT_SNAPSHOT", id, payload);
    Ok((StatusCode::CREATED, Json(Value::Object(resource))))
}

fn owned<'a>(store: &'a mut Store, person_id: &str, id: &str) -> ApiResult<&'a mut Snapshot> {
    store
        .decoupled
        .snapshots
        .get_mut(id)
        .filter(|s| s.person_id == person_id)
        .ok_or_else(|| ApiError::model_not_found("AccountSnapshot", id))
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Bytes>> {
    let mut store = state.store();
    let snapshot = owned(&mut store, &person_id, &id)?;
    Ok(Json::object(&snapshot.resource))
}

/// What the customer's bank login produces when the simulator is not told: three months of a
/// EUR 2,500 salary and EUR 900 rent, and EUR 1,200 on the account (an offer of EUR 800).
fn default_data() -> Value {
    let mut turnovers = Vec::new();
    for month in ["2024-01", "2024-02", "2024-03"] {
        turnovers.push(json!({ "amount": 2500, "booking_date": format!("{month}-01"), "purpose": ["SALARY"], "tags": [] }));
        turnovers.push(json!({ "amount": -900, "booking_date": format!("{month}-03"), "purpose": ["RENT"], "tags": [] }));
    }
    json!({ "balance": { "balance": 1200, "currency": "EUR" }, "days": 90, "turnovers": turnovers })
}

/// The customer finished (or failed) the bank login of a `FIN_TECH_SYSTEMS` or `FINREACH`
/// snapshot.
async fn outcome(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let status = req_str(input, "status")?;
    if !OUTCOMES.contains(&status) {
        return Err(not_in_list("status", OUTCOMES));
    }
    let facts = match (status, input.get("snapshot_data")) {
        ("available", None | Some(Value::Null)) => Some(facts_of(&default_data())?),
        ("available", Some(data)) => Some(facts_of(data)?),
        _ => None,
    };
    let now = state.clock.now();
    let mut store = state.store();
    let snapshot = owned(&mut store, &person_id, &id)?;
    if snapshot.status() != "pending" {
        return Err(ApiError::validation(format!(
            "the account snapshot is {}; only a pending one waits for the customer's bank login",
            snapshot.status()
        )));
    }
    snapshot.resource.insert("status".into(), json!(status));
    if status == "failed" {
        snapshot.resource.insert(
            "status_description".into(),
            json!("the customer's bank login did not complete"),
        );
    } else {
        snapshot.expires_at = Some(now + SNAPSHOT_VALIDITY);
    }
    snapshot.facts = facts;
    let answer = Value::Object(snapshot.resource.clone());
    let payload = webhook_payload(snapshot);
    store.emit("ACCOUNT_SNAPSHOT", id, payload);
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::{CreditFacts, Verdict, verify};
    use serde_json::Map;

    #[test]
    fn the_default_bank_login_offers_800() {
        let facts = snapshot_facts(&default_data()).expect("the default data reads");
        assert_eq!(
            verify(&CreditFacts::default(), &facts),
            Verdict::Offered { limit: 80_000 }
        );
    }

    #[test]
    fn the_webhook_is_enveloped() {
        let mut resource = Map::new();
        resource.insert("id".into(), json!("abcsnap"));
        resource.insert("status".into(), json!("pending"));
        let payload = webhook_payload(&Snapshot {
            person_id: "p".into(),
            resource,
            facts: None,
            expires_at: None,
        });
        assert_eq!(payload["entity_uuid"], json!("abcsnap"));
        assert_eq!(payload["payload"]["status"], json!("pending"));
    }
}
