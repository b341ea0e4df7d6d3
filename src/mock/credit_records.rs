//! Person credit records (Decoupled Cards, Step 4): `POST` and `GET
//! /v1/persons/{id}/credit_records`, from the source `solarisBank` or `partner` (a base64
//! `file`). A record is `available` for 30 days on the mock's clock, then `expired`, which
//! raises `PERSON_CREDIT_RECORD`. What the scorer reads from a partner's file is in
//! `docs/scoring.md`.

use super::AppState;
use super::body::{Json, JsonBody, not_in_list, opt_str, req_str};
use super::decoupled::{CREDIT_RECORD_VALIDITY, CreditRecord, stamp};
use super::error::{ApiError, ApiResult};
use super::store::new_id;
use crate::domain::scoring::{CreditFacts, credit_facts_from_file};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/persons/{person_id}/credit_records", post(create))
        .route("/v1/persons/{person_id}/credit_records/{id}", get(show))
}

const SOURCES: &[&str] = &["solarisBank", "partner"];

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
    let facts = if source == "partner" {
        let file = opt_str(input, "file")?
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| {
                ApiError::invalid_model("file", "can't be blank when the source is partner")
            })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(file.trim())
            .map_err(|_| ApiError::invalid_model("file", "must be the file, base64-encoded"))?;
        credit_facts_from_file(&bytes).map_err(|why| ApiError::invalid_model("file", why))?
    } else {
        CreditFacts::default()
    };
    let now = state.clock.now();
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let id = new_id("ccrd");
    let resource = json!({
        "id": id,
        "person_id": person_id,
        "status": "available",
        "created_at": stamp(now),
    });
    let resource = resource.as_object().cloned().unwrap_or_default();
    store.decoupled.credit_records.insert(
        id,
        CreditRecord {
            resource: resource.clone(),
            facts,
            expires_at: now + CREDIT_RECORD_VALIDITY,
        },
    );
    Ok((StatusCode::CREATED, Json(Value::Object(resource))))
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    let record = store
        .decoupled
        .credit_records
        .get(&id)
        .filter(|r| r.resource.get("person_id") == Some(&json!(person_id)))
        .ok_or_else(|| ApiError::model_not_found("CreditRecord", &id))?;
    Ok(Json::object(&record.resource))
}
