//! Mobile numbers: one per person, created, authorized with an SMS OTP and confirmed with it;
//! deleting a verified number needs a change request confirmed with the OTP.
//!
//! Routes: `/v1/persons/{id}/mobile_number` (POST, GET, DELETE), `.../authorize`,
//! `.../confirm`, and `/v1/change_requests/{id}/authorize` and `/confirm`. Creating a number
//! raises `PERSON_MOBILE_NUMBER_CREATED` (body `{}`, entity the person); deleting one, directly
//! or through its confirmed change request, raises `PERSON_MOBILE_NUMBER_DELETED` (body
//! `{"id": "…cmno"}`, entity the person).

use super::AppState;
use super::body::{Json, JsonBody, opt_str, req_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::{ChangeAction, ChangeRequest, MobileNumber, Store, new_id};
use crate::domain::mobile;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/{person_id}/mobile_number",
            post(create).get(show).delete(remove),
        )
        .route(
            "/v1/persons/{person_id}/mobile_number/authorize",
            post(authorize),
        )
        .route(
            "/v1/persons/{person_id}/mobile_number/confirm",
            post(confirm),
        )
        .route("/v1/change_requests/{id}/authorize", post(authorize_change))
        .route("/v1/change_requests/{id}/confirm", post(confirm_change))
}

const DELIVERY_METHODS: &[&str] = &["mobile_number", "device_signing", "static"];

fn person_exists(store: &Store, person_id: &str) -> ApiResult<()> {
    if store.persons.contains_key(person_id) {
        Ok(())
    } else {
        Err(ApiError::model_not_found("Person", person_id))
    }
}

fn no_mobile_number(person_id: &str) -> ApiError {
    ApiError::none_yet(format!(
        "Person '{person_id}' has no mobile number; create one first."
    ))
}

/// The `number` of a body, sanitised (spaces, dashes, underscores and slashes removed), and
/// checked to be E.164.
fn number_from(input: &Map<String, Value>) -> ApiResult<String> {
    let number = mobile::sanitize(req_str(input, "number")?);
    if mobile::is_e164(&number) {
        Ok(number)
    } else {
        Err(ApiError::invalid_model(
            "number",
            "must be a phone number in E.164 format, e.g. +4915112345678",
        ))
    }
}

async fn create(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let created = add_number(&mut state.store(), &person_id, input)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Adds the person's one mobile number, unverified.
fn add_number(store: &mut Store, person_id: &str, input: &Map<String, Value>) -> ApiResult<Value> {
    person_exists(store, person_id)?;
    let number = number_from(input)?;
    if store.mobile_numbers.contains_key(person_id) {
        return Err(ApiError::invalid_model(
            "number",
            "cannot be added: the person already has a mobile number (one per person); delete it first",
        ));
    }
    let created = MobileNumber {
        id: new_id("cmno"),
        number,
        verified: false,
        otp_pending: false,
    };
    let json = created.to_json();
    store.mobile_numbers.insert(person_id.to_string(), created);
    store.emit("PERSON_MOBILE_NUMBER_CREATED", person_id, json!({}));
    Ok(json)
}

async fn show(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    person_exists(&store, &person_id)?;
    let m = store
        .mobile_numbers
        .get(&person_id)
        .ok_or_else(|| no_mobile_number(&person_id))?;
    Ok(Json(m.to_json()))
}

/// The stored number, which must be the one the body names. A person without a number gets
/// 404 whatever the body says.
fn stored_matching<'a>(
    store: &'a mut Store,
    person_id: &str,
    input: &Map<String, Value>,
) -> ApiResult<&'a mut MobileNumber> {
    person_exists(store, person_id)?;
    let m = store
        .mobile_numbers
        .get_mut(person_id)
        .ok_or_else(|| no_mobile_number(person_id))?;
    let number = number_from(input)?;
    if m.number != number {
        return Err(ApiError::invalid_model(
            "number",
            "is not the person's mobile number: only the stored number can be authorized and confirmed",
        ));
    }
    Ok(m)
}

async fn authorize(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let mut store = state.store();
    let m = stored_matching(&mut store, &person_id, input)?;
    if m.verified {
        return Err(ApiError::invalid_model(
            "number",
            "is already verified; no SMS OTP is sent",
        ));
    }
    m.otp_pending = true;
    Ok((StatusCode::CREATED, Json(m.to_json())))
}

async fn confirm(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let mut store = state.store();
    let m = stored_matching(&mut store, &person_id, input)?;
    let token = req_str(input, "token")?;
    if m.verified {
        return Err(ApiError::invalid_model(
            "token",
            "has already been used: the mobile number is verified",
        ));
    }
    if !m.otp_pending {
        return Err(ApiError::invalid_model(
            "token",
            "was never sent: authorize the mobile number first (POST .../mobile_number/authorize)",
        ));
    }
    if token != mobile::SANDBOX_OTP {
        return Err(ApiError::invalid_model(
            "token",
            "is not the SMS OTP sent to this number",
        ));
    }
    m.otp_pending = false;
    m.verified = true;
    Ok((StatusCode::CREATED, Json(m.to_json())))
}

/// An unverified number goes at once (200); a verified one needs a change request (202).
async fn remove(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let now = timestamp(state.clock.now());
    let (status, json) = remove_number(&mut state.store(), &person_id, input, now)?;
    Ok((status, Json(json)))
}

fn remove_number(
    store: &mut Store,
    person_id: &str,
    input: &Map<String, Value>,
    now: String,
) -> ApiResult<(StatusCode, Value)> {
    person_exists(store, person_id)?;
    let m = store
        .mobile_numbers
        .get(person_id)
        .ok_or_else(|| no_mobile_number(person_id))?;
    if let Some(n) = opt_str(input, "number")?.map(mobile::sanitize)
        && n != m.number
    {
        return Err(ApiError::invalid_model(
            "number",
            "is not the person's mobile number",
        ));
    }
    if !m.verified {
        let json = m.to_json();
        let id = m.id.clone();
        store.mobile_numbers.remove(person_id);
        store.emit(
            "PERSON_MOBILE_NUMBER_DELETED",
            person_id,
            json!({ "id": id }),
        );
        return Ok((StatusCode::OK, json));
    }
    let request = ChangeRequest {
        id: new_id("csc"),
        person_id: person_id.to_string(),
        status: "AUTHORIZATION_REQUIRED",
        updated_at: now,
        action: ChangeAction::DeleteMobileNumber {
            person_id: person_id.to_string(),
        },
    };
    let json = request.to_json();
    store.change_requests.insert(request.id.clone(), request);
    Ok((StatusCode::ACCEPTED, json))
}

async fn authorize_change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let now = timestamp(state.clock.now());
    let mut store = state.store();
    let cr = store
        .change_requests
        .get_mut(&id)
        .ok_or_else(|| ApiError::model_not_found("ChangeRequest", &id))?;
    let method = req_str(input, "delivery_method")?;
    if !DELIVERY_METHODS.contains(&method) {
        return Err(super::body::not_in_list(
            "delivery_method",
            DELIVERY_METHODS,
        ));
    }
    if cr.status != "AUTHORIZATION_REQUIRED" {
        return Err(ApiError::validation(format!(
            "the change request is {}, not AUTHORIZATION_REQUIRED",
            cr.status
        )));
    }
    cr.status = "CONFIRMATION_REQUIRED";
    cr.updated_at = now;
    Ok((StatusCode::CREATED, Json(cr.to_json())))
}

async fn confirm_change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let now = timestamp(state.clock.now());
    let answer = complete_change(&mut state.store(), &id, input, now)?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Confirms a change request with the TAN and carries out what it guards.
fn complete_change(
    store: &mut Store,
    id: &str,
    input: &Map<String, Value>,
    now: String,
) -> ApiResult<Value> {
    let cr = store
        .change_requests
        .get_mut(id)
        .ok_or_else(|| ApiError::model_not_found("ChangeRequest", id))?;
    let tan = req_str(input, "tan")?;
    match cr.status {
        "CONFIRMATION_REQUIRED" => {}
        "AUTHORIZATION_REQUIRED" => {
            return Err(ApiError::invalid_model(
                "tan",
                format!(
                    "was never sent: authorize the change request first (POST /v1/change_requests/{id}/authorize)"
                ),
            ));
        }
        status => {
            return Err(ApiError::invalid_model(
                "tan",
                format!("has already been used: the change request is {status}"),
            ));
        }
    }
    if let Some(p) = opt_str(input, "person_id")?
        && p != cr.person_id
    {
        return Err(ApiError::invalid_model(
            "person_id",
            "is not the person this change request belongs to",
        ));
    }
    if tan != mobile::SANDBOX_OTP {
        return Err(ApiError::invalid_model(
            "tan",
            "is not the TAN sent for this change request",
        ));
    }
    cr.status = "COMPLETED";
    cr.updated_at = now.clone();
    let action = cr.action.clone();
    let (code, response_body) = match action {
        ChangeAction::DeleteMobileNumber { person_id } => {
            // Only the verified number the request was made for; a newer unverified one stays.
            match store.mobile_numbers.get(&person_id) {
                Some(m) if m.verified => {
                    let json = m.to_json();
                    let mobile_id = m.id.clone();
                    store.mobile_numbers.remove(&person_id);
                    store.emit(
                        "PERSON_MOBILE_NUMBER_DELETED",
                        person_id.as_str(),
                        json!({ "id": mobile_id }),
                    );
                    (200, json)
                }
                _ => (404, no_mobile_number(&person_id).body()),
            }
        }
        ChangeAction::Payout { payout_id } => super::payouts::confirmed(store, &payout_id, &now),
    };
    Ok(json!({
        "id": id,
        "status": "COMPLETED",
        "updated_at": now,
        "response_code": code,
        "response_body": response_body,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: &str = "84b3b4e6c7a4082cc73c5bd0e096ee88cper";
    const NOW: &str = "2024-06-01T00:00:00.000Z";

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn store_with_person() -> Store {
        let mut store = Store::default();
        store.persons.insert(PERSON.into(), Map::new());
        store
    }

    #[test]
    fn creating_a_number_raises_person_mobile_number_created() {
        let mut store = store_with_person();
        let created = add_number(
            &mut store,
            PERSON,
            &object(json!({"number": "+49 151 2345-6789"})),
        );
        assert_eq!(
            created.as_ref().map(|m| m["number"].clone()).ok(),
            Some(json!("+4915123456789"))
        );
        let refused = add_number(
            &mut store,
            PERSON,
            &object(json!({"number": "+4915199999999"})),
        );
        assert!(refused.is_err(), "one per person");
        assert_eq!(store.outbox.len(), 1);
        let event = &store.outbox[0];
        assert_eq!(
            (event.event_type, event.entity_id.as_str(), &event.payload),
            ("PERSON_MOBILE_NUMBER_CREATED", PERSON, &json!({}))
        );
    }

    #[test]
    fn deleting_an_unverified_number_raises_person_mobile_number_deleted() {
        let mut store = store_with_person();
        let created = add_number(&mut store, PERSON, &object(json!({"number": "+15550101"})));
        let id = created.map(|m| m["id"].clone()).unwrap_or_default();
        store.outbox.clear();
        let deleted = remove_number(&mut store, PERSON, &Map::new(), NOW.into());
        assert_eq!(deleted.map(|(s, _)| s.as_u16()).ok(), Some(200));
        assert!(!store.mobile_numbers.contains_key(PERSON));
        assert_eq!(store.outbox.len(), 1);
        let event = &store.outbox[0];
        assert_eq!(
            (event.event_type, event.entity_id.as_str(), &event.payload),
            ("PERSON_MOBILE_NUMBER_DELETED", PERSON, &json!({ "id": id }))
        );
    }

    #[test]
    fn a_verified_number_goes_only_when_its_change_request_is_confirmed() {
        let mut store = store_with_person();
        let created = add_number(&mut store, PERSON, &object(json!({"number": "+15550101"})));
        let id = created.map(|m| m["id"].clone()).unwrap_or_default();
        if let Some(m) = store.mobile_numbers.get_mut(PERSON) {
            m.verified = true;
        }
        store.outbox.clear();
        let requested = remove_number(&mut store, PERSON, &Map::new(), NOW.into());
        let (status, cr) = requested.unwrap_or((StatusCode::OK, Value::Null));
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(cr["status"], json!("AUTHORIZATION_REQUIRED"));
        let cr_id = cr["id"].as_str().unwrap_or_default().to_string();
        assert!(store.outbox.is_empty(), "nothing is deleted yet");

        let tan = object(json!({"tan": "212212", "person_id": PERSON}));
        let early = complete_change(&mut store, &cr_id, &tan, NOW.into());
        assert_eq!(
            early.err().and_then(|e| e.source).map(|s| s.0).as_deref(),
            Some("tan"),
            "confirming before authorizing is refused"
        );
        if let Some(cr) = store.change_requests.get_mut(&cr_id) {
            cr.status = "CONFIRMATION_REQUIRED";
        }
        let wrong = complete_change(
            &mut store,
            &cr_id,
            &object(json!({"tan": "111111"})),
            NOW.into(),
        );
        assert!(wrong.is_err());
        assert!(store.outbox.is_empty());

        let done = complete_change(&mut store, &cr_id, &tan, NOW.into()).unwrap_or_default();
        assert_eq!(done["status"], json!("COMPLETED"));
        assert_eq!(done["response_code"], json!(200));
        assert!(!store.mobile_numbers.contains_key(PERSON));
        assert_eq!(store.outbox.len(), 1);
        let event = &store.outbox[0];
        assert_eq!(
            (event.event_type, event.entity_id.as_str(), &event.payload),
            ("PERSON_MOBILE_NUMBER_DELETED", PERSON, &json!({ "id": id }))
        );
        let again = complete_change(&mut store, &cr_id, &tan, NOW.into());
        assert!(again.is_err(), "a TAN is used once");
    }
}
