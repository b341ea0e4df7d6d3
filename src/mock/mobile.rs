//! Mobile numbers: one per person, created, authorized with an SMS OTP and confirmed with it;
//! deleting a verified number needs a change request confirmed with the OTP.
//!
//! Routes: `/v1/persons/{id}/mobile_number` (POST, GET, DELETE), `.../authorize`,
//! `.../confirm`, and `/v1/change_requests/{id}/authorize` and `/confirm`.

use super::AppState;
use super::body::{JsonBody, opt_str, req_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::{ChangeAction, ChangeRequest, MobileNumber, Store, new_id};
use crate::domain::mobile;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

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

/// The number from a body, sanitised, and checked to be E.164.
fn number_from(body: &JsonBody) -> ApiResult<String> {
    let number = mobile::sanitize(req_str(body.object()?, "number")?);
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
    let number = number_from(&body)?;
    let mut store = state.store();
    person_exists(&store, &person_id)?;
    if store.mobile_numbers.contains_key(&person_id) {
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
    store.mobile_numbers.insert(person_id, created);
    Ok((StatusCode::CREATED, Json(json)))
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

/// The stored number, which must be the one the body names.
fn stored_matching<'a>(
    store: &'a mut Store,
    person_id: &str,
    number: &str,
) -> ApiResult<&'a mut MobileNumber> {
    person_exists(store, person_id)?;
    let m = store
        .mobile_numbers
        .get_mut(person_id)
        .ok_or_else(|| no_mobile_number(person_id))?;
    if m.number != number {
        return Err(ApiError::invalid_model(
            "number",
            format!("does not match the person's mobile number ({})", m.number),
        ));
    }
    Ok(m)
}

async fn authorize(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let number = number_from(&body)?;
    let mut store = state.store();
    let m = stored_matching(&mut store, &person_id, &number)?;
    if m.verified {
        return Err(ApiError::validation(
            "the mobile number is already verified",
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
    let number = number_from(&body)?;
    let token = req_str(body.object()?, "token")?.to_string();
    let mut store = state.store();
    let m = stored_matching(&mut store, &person_id, &number)?;
    if !m.otp_pending {
        return Err(ApiError::validation(
            "no SMS OTP is pending for this mobile number: authorize it first (POST .../mobile_number/authorize)",
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
    let requested = opt_str(body.object()?, "number")?.map(mobile::sanitize);
    let now = timestamp(state.clock.now());
    let mut store = state.store();
    person_exists(&store, &person_id)?;
    let m = store
        .mobile_numbers
        .get(&person_id)
        .ok_or_else(|| no_mobile_number(&person_id))?;
    if let Some(n) = requested
        && n != m.number
    {
        return Err(ApiError::invalid_model(
            "number",
            "does not match the person's mobile number",
        ));
    }
    if !m.verified {
        let json = m.to_json();
        store.mobile_numbers.remove(&person_id);
        return Ok((StatusCode::OK, Json(json)));
    }
    let request = ChangeRequest {
        id: new_id("csc"),
        person_id: person_id.clone(),
        status: "AUTHORIZATION_REQUIRED",
        updated_at: now,
        action: ChangeAction::DeleteMobileNumber { person_id },
    };
    let json = request.to_json();
    store.change_requests.insert(request.id.clone(), request);
    Ok((StatusCode::ACCEPTED, Json(json)))
}

async fn authorize_change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let method = req_str(input, "delivery_method")?;
    if !["mobile_number", "device_signing", "static"].contains(&method) {
        return Err(super::body::not_in_list(
            "delivery_method",
            &["mobile_number", "device_signing", "static"],
        ));
    }
    let now = timestamp(state.clock.now());
    let mut store = state.store();
    let cr = store
        .change_requests
        .get_mut(&id)
        .ok_or_else(|| ApiError::model_not_found("ChangeRequest", &id))?;
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
    let tan = req_str(input, "tan")?.to_string();
    let person = opt_str(input, "person_id")?.map(str::to_string);
    let now = timestamp(state.clock.now());
    let mut store = state.store();
    let cr = store
        .change_requests
        .get_mut(&id)
        .ok_or_else(|| ApiError::model_not_found("ChangeRequest", &id))?;
    if cr.status != "CONFIRMATION_REQUIRED" {
        return Err(ApiError::validation(format!(
            "the change request is {}; authorize it first (POST /v1/change_requests/{id}/authorize)",
            cr.status
        )));
    }
    if let Some(p) = person
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
            match store.mobile_numbers.remove(&person_id) {
                Some(m) => (200, m.to_json()),
                None => (404, no_mobile_number(&person_id).body()),
            }
        }
        ChangeAction::Payout { payout_id } => super::payouts::confirmed(store, &payout_id, &now),
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": id,
            "status": "COMPLETED",
            "updated_at": now,
            "response_code": code,
            "response_body": response_body,
        })),
    ))
}
