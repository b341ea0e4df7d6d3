//! Person tax identifications: create, list, get, update.
//!
//! Rules of both seeds: one per country; the first must be primary; a new primary demotes the
//! old one; a missing number needs `reason_no_tin`; `reason_description` goes only with
//! `OTHER`; `tax_id_type` only for Spain. Number validity per country is
//! [`crate::domain::tin::check`].

use super::AppState;
use super::body::{JsonBody, not_in_list, opt_bool, opt_str};
use super::error::{ApiError, ApiResult};
use super::store::new_id;
use crate::domain::tin;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/{person_id}/tax_identifications",
            get(list).post(create),
        )
        .route(
            "/v1/persons/{person_id}/tax_identifications/{id}",
            get(show).patch(update),
        )
}

const REASONS_NO_TIN: &[&str] = &["NOT_ASSIGNED_YET", "NOT_ASSIGNED_BY_COUNTRY", "OTHER"];
const TAX_ID_TYPES: &[&str] = &["NIE", "NIF"];

/// A tax identification as the API shows it, checked field by field.
fn validated(input: &Map<String, Value>) -> ApiResult<Map<String, Value>> {
    let country = opt_str(input, "country")?
        .ok_or_else(|| ApiError::invalid_model("country", "can't be blank"))?;
    if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(ApiError::invalid_model(
            "country",
            "must be an ISO 3166-1 alpha-2 country code, e.g. DE",
        ));
    }
    let primary = opt_bool(input, "primary")?
        .ok_or_else(|| ApiError::invalid_model("primary", "can't be blank"))?;
    let number = opt_str(input, "number")?;
    let reason = opt_str(input, "reason_no_tin")?;
    let description = opt_str(input, "reason_description")?;
    let tax_id_type = opt_str(input, "tax_id_type")?;
    match (number, reason) {
        (Some(n), _) => {
            tin::check(country, n).map_err(|e| ApiError::invalid_model("number", e.message()))?;
            if reason.is_some() {
                return Err(ApiError::invalid_model(
                    "reason_no_tin",
                    "must be empty when a number is given",
                ));
            }
        }
        (None, None) => {
            return Err(ApiError::invalid_model(
                "reason_no_tin",
                format!(
                    "can't be blank when number is null; use one of [{}]",
                    REASONS_NO_TIN.join(", ")
                ),
            ));
        }
        (None, Some(r)) if !REASONS_NO_TIN.contains(&r) => {
            return Err(not_in_list("reason_no_tin", REASONS_NO_TIN));
        }
        (None, Some(_)) => {}
    }
    match (reason, description) {
        (Some("OTHER"), None) => {
            return Err(ApiError::invalid_model(
                "reason_description",
                "can't be blank when reason_no_tin is OTHER",
            ));
        }
        (r, Some(_)) if r != Some("OTHER") => {
            return Err(ApiError::invalid_model(
                "reason_description",
                "is only allowed when reason_no_tin is OTHER",
            ));
        }
        _ => {}
    }
    if let Some(t) = tax_id_type {
        if country != "ES" {
            return Err(ApiError::invalid_model(
                "tax_id_type",
                "is only allowed for Spain (country ES)",
            ));
        }
        if !TAX_ID_TYPES.contains(&t) {
            return Err(not_in_list("tax_id_type", TAX_ID_TYPES));
        }
    }
    let mut out = Map::new();
    out.insert("country".into(), json!(country));
    out.insert("number".into(), json!(number));
    out.insert("primary".into(), json!(primary));
    out.insert("reason_no_tin".into(), json!(reason));
    out.insert("reason_description".into(), json!(description));
    if country == "ES" {
        out.insert("tax_id_type".into(), json!(tax_id_type));
    }
    Ok(out)
}

async fn create(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut tin = validated(body.object()?)?;
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let list = store.tax_identifications.entry(person_id).or_default();
    let primary = tin["primary"] == json!(true);
    if list.is_empty() && !primary {
        return Err(ApiError::invalid_model(
            "primary",
            "must be true for the person's first tax identification",
        ));
    }
    if list.iter().any(|t| t["country"] == tin["country"]) {
        return Err(ApiError::invalid_model(
            "country",
            "has already been taken: a person may only have one tax identification per country",
        ));
    }
    if primary {
        for other in list.iter_mut() {
            other["primary"] = json!(false);
        }
    }
    let id = new_id("ctin");
    tin.insert("id".into(), json!(id));
    let value = Value::Object(tin);
    list.push(value.clone());
    Ok((StatusCode::CREATED, Json(value)))
}

async fn list(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    Ok(Json(Value::Array(store.tins(&person_id).to_vec())))
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    store
        .tins(&person_id)
        .iter()
        .find(|t| t["id"] == json!(id))
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::model_not_found("PersonTaxIdentification", &id))
}

async fn update(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let changes = body.object()?;
    let mut store = state.store();
    let list = store
        .tax_identifications
        .get_mut(&person_id)
        .ok_or_else(|| ApiError::model_not_found("PersonTaxIdentification", &id))?;
    let index = list
        .iter()
        .position(|t| t["id"] == json!(id))
        .ok_or_else(|| ApiError::model_not_found("PersonTaxIdentification", &id))?;
    let mut merged = list[index].as_object().cloned().unwrap_or_default();
    for (k, v) in changes {
        if k == "id" {
            continue;
        }
        merged.insert(k.clone(), v.clone());
    }
    // Clearing the number clears nothing else implicitly: the whole record is re-checked.
    let mut updated = validated(&merged)?;
    if list
        .iter()
        .enumerate()
        .any(|(i, t)| i != index && t["country"] == updated["country"])
    {
        return Err(ApiError::invalid_model(
            "country",
            "has already been taken: a person may only have one tax identification per country",
        ));
    }
    let primary = updated["primary"] == json!(true);
    if !primary && list[index]["primary"] == json!(true) {
        return Err(ApiError::invalid_model(
            "primary",
            "cannot be set to false here: make another tax identification primary instead",
        ));
    }
    if primary {
        for other in list.iter_mut() {
            other["primary"] = json!(false);
        }
    }
    updated.insert("id".into(), json!(id));
    list[index] = Value::Object(updated);
    Ok(Json(list[index].clone()))
}
