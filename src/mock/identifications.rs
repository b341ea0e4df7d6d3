//! Person identifications with IDnow: create, request (gives the link and reference), get,
//! list, supported documents and IDnow attempts.
//!
//! Status moves follow [`crate::domain::identification::IdentificationStatus`]; the link is
//! valid 14 days on the mock's clock, and an identification whose link ran out reads as
//! `expired` from then on.

use super::AppState;
use super::body::{Json, JsonBody, not_in_list, opt_str, req_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::{Identification, Store, new_id};
use crate::domain::identification::{IdentificationStatus, URL_VALIDITY_DAYS};
use crate::domain::person;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/persons/{person_id}/identifications",
            get(list).post(create),
        )
        .route("/v1/persons/{person_id}/identifications/{id}", get(show))
        .route(
            "/v1/persons/{person_id}/identifications/{id}/request",
            patch(request),
        )
        .route(
            "/v1/persons/{person_id}/identifications/{id}/supported_documents",
            get(supported_documents),
        )
        .route(
            "/v1/persons/{person_id}/identifications/{id}/idnow_attempts",
            get(attempts),
        )
}

/// Every method the API documents.
const METHODS: &[&str] = &[
    "bank",
    "bank_id",
    "bank_plus",
    "fourthline",
    "idnow",
    "idnow_autoident",
    "idnow_custom",
    "manual",
    "postident",
];
/// The methods this mock plays.
const SIMULATED_METHODS: &[&str] = &["idnow", "idnow_autoident"];
const LANGUAGES: &[&str] = &["DE", "EN"];
const PROOF_OF_ADDRESS_TYPES: &[&str] = &[
    "BANK_ACCOUNT_STATEMENT",
    "CERTIFICATE_OF_REGISTRATION",
    "ELECTRICITY_BILL",
    "GAS_BILL",
    "HEATING_BILL",
    "INTERNET_BILL",
    "TELEPHONE_BILL",
    "WATER_BILL",
];
/// A proof of address must be less than this many months old.
const PROOF_OF_ADDRESS_MONTHS: u32 = 6;

async fn create(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let method = req_str(input, "method")?;
    if !METHODS.contains(&method) {
        return Err(not_in_list("method", METHODS));
    }
    if !SIMULATED_METHODS.contains(&method) {
        return Err(ApiError::invalid_model(
            "method",
            format!(
                "'{method}' is documented but this mock plays IDnow only: use idnow or idnow_autoident"
            ),
        ));
    }
    let language = req_str(input, "language")?;
    if !LANGUAGES.contains(&language) {
        return Err(not_in_list("language", LANGUAGES));
    }
    let proof_type = opt_str(input, "proof_of_address_type")?;
    if let Some(t) = proof_type
        && !PROOF_OF_ADDRESS_TYPES.contains(&t)
    {
        return Err(not_in_list("proof_of_address_type", PROOF_OF_ADDRESS_TYPES));
    }
    let issued_at = opt_str(input, "proof_of_address_issued_at")?;
    let today = state.clock.today();
    match (proof_type, issued_at) {
        (Some(_), None) => {
            return Err(ApiError::invalid_model(
                "proof_of_address_issued_at",
                "can't be blank when a proof_of_address_type is given",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid_model(
                "proof_of_address_type",
                "can't be blank when a proof_of_address_issued_at is given",
            ));
        }
        (Some(_), Some(date)) => {
            let issued = person::parse_date(date).ok_or_else(|| {
                ApiError::invalid_model(
                    "proof_of_address_issued_at",
                    "must be a date in the form YYYY-MM-DD",
                )
            })?;
            let oldest = today
                .checked_sub_months(chrono::Months::new(PROOF_OF_ADDRESS_MONTHS))
                .unwrap_or(today);
            if issued > today || issued <= oldest {
                return Err(ApiError::invalid_model(
                    "proof_of_address_issued_at",
                    format!(
                        "must be less than {PROOF_OF_ADDRESS_MONTHS} months old (after {oldest}) and not in the future"
                    ),
                ));
            }
        }
        (None, None) => {}
    }
    let now = timestamp(state.clock.now());
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let id = new_id("cidt");
    let resource = json!({
        "id": id,
        "person_id": person_id,
        "reference": null,
        "url": null,
        "status": IdentificationStatus::Created.as_str(),
        "completed_at": null,
        "method": method,
        "language": language,
        "proof_of_address_type": proof_type,
        "proof_of_address_issued_at": issued_at,
        "legitimation_country": null,
        "failure_reason": null,
        "created_at": now,
    });
    let resource = resource.as_object().cloned().unwrap_or_default();
    store.insert_identification(
        id,
        Identification {
            person_id,
            resource: resource.clone(),
            url_expires_at: None,
            attempts: Vec::new(),
        },
    );
    Ok((StatusCode::CREATED, Json(Value::Object(resource))))
}

/// The identification of this person. (Link expiry has already run: the timeline runs before
/// every request.)
pub(super) fn current<'a>(
    store: &'a mut Store,
    person_id: &str,
    id: &str,
) -> ApiResult<&'a mut Identification> {
    store
        .identifications
        .get_mut(id)
        .filter(|i| i.person_id == person_id)
        .ok_or_else(|| ApiError::model_not_found("Identification", id))
}

/// A link that is past its 14 days turns the identification `expired`.
/// True if it did.
pub(super) fn expire_if_due(ident: &mut Identification, now: DateTime<Utc>) -> bool {
    let status = IdentificationStatus::parse(ident.status());
    if let (Some(status), Some(expires)) = (status, ident.url_expires_at)
        && now >= expires
        && status.url_reusable()
        && let Ok(next) = status.apply(IdentificationStatus::Expired)
    {
        ident.resource.insert("status".into(), json!(next.as_str()));
        ident
            .resource
            .insert("completed_at".into(), json!(timestamp(expires)));
        return true;
    }
    false
}

/// Triggers IDnow: status `pending` with the web `url` and the SDK `reference`.
async fn request(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Bytes>> {
    body.object()?;
    let now = state.clock.now();
    let mut store = state.store();
    let ident = current(&mut store, &person_id, &id)?;
    let status =
        IdentificationStatus::parse(ident.status()).unwrap_or(IdentificationStatus::Created);
    if status == IdentificationStatus::Created {
        let reference = reference_token();
        ident.resource.insert("reference".into(), json!(reference));
        ident.resource.insert(
            "url".into(),
            json!(format!(
                "https://go.test.idnow.de/solarisbankvideoidentsandbox/identifications/{reference}"
            )),
        );
        ident.resource.insert(
            "status".into(),
            json!(IdentificationStatus::Pending.as_str()),
        );
        ident.url_expires_at = Some(now + chrono::Duration::days(URL_VALIDITY_DAYS));
        let payload = Value::Object(ident.resource.clone());
        let answer = Json::value(&payload);
        store.emit("IDENTIFICATION", id.clone(), payload);
        return Ok(answer);
    } else if !status.url_reusable() {
        return Err(ApiError::validation(format!(
            "the identification is {}; {}",
            status.as_str(),
            if status.needs_new_identification() {
                "create a new identification"
            } else {
                "it cannot be requested again"
            }
        )));
    }
    Ok(Json::object(&ident.resource))
}

/// `TST-` and five uppercase letters, like the sandbox's references.
fn reference_token() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let letters: String = bytes
        .iter()
        .take(5)
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    format!("TST-{letters}")
}

fn include_documents(query: Option<String>) -> bool {
    query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair == "include_documents=true")
}

fn with_documents(ident: &Identification) -> Value {
    let mut resource = ident.resource.clone();
    let documents = if ident.status() == "successful" || ident.status() == "pending_successful" {
        let id = ident
            .resource
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let doc = |n: usize, name: &str, content_type: &str, kind: &str, size: u64| {
            json!({
                "id": format!("{}{n}cdoc", &id.get(..31).unwrap_or(id)),
                "name": name,
                "content_type": content_type,
                "document_type": kind,
                "size": size,
            })
        };
        vec![
            doc(
                1,
                "id_document_front.jpg",
                "image/jpeg",
                "ID_DOCUMENT",
                183_412,
            ),
            doc(2, "face.jpg", "image/jpeg", "PICTURE", 94_310),
            doc(3, "kyc_report.pdf", "application/pdf", "KYC_REPORT", 48_226),
        ]
    } else {
        Vec::new()
    };
    resource.insert("documents".into(), Value::Array(documents));
    Value::Object(resource)
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Bytes>> {
    let mut store = state.store();
    let ident = current(&mut store, &person_id, &id)?;
    if include_documents(query) {
        Ok(Json::value(&with_documents(ident)))
    } else {
        Ok(Json::object(&ident.resource))
    }
}

async fn list(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    for ident in store
        .identifications
        .values_mut()
        .filter(|i| i.person_id == person_id)
    {
        expire_if_due(ident, now);
    }
    let list: Vec<Value> = store
        .identifications_of(&person_id)
        .iter()
        .map(|i| Value::Object(i.resource.clone()))
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn supported_documents(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    current(&mut store, &person_id, &id)?;
    Ok(Json(json!([
        { "type": "PASSPORT", "issuing_countries": ["AT", "BE", "CH", "DE", "ES", "FR", "GB", "IT", "NL", "PL", "PT"] },
        { "type": "IDCARD", "issuing_countries": ["AT", "BE", "DE", "ES", "FR", "IT", "NL", "PL", "PT"] },
    ])))
}

async fn attempts(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let ident = current(&mut store, &person_id, &id)?;
    Ok(Json(Value::Array(ident.attempts.clone())))
}

/// Records an outcome reached through the simulator. Returns the updated resource.
pub(super) fn record_outcome(
    ident: &mut Identification,
    to: IdentificationStatus,
    legitimation_country: Option<String>,
    now: DateTime<Utc>,
) -> Result<Map<String, Value>, ApiError> {
    let from = IdentificationStatus::parse(ident.status()).unwrap_or(IdentificationStatus::Created);
    let next = from
        .apply(to)
        .map_err(|e| ApiError::validation(e.to_string()))?;
    ident.resource.insert("status".into(), json!(next.as_str()));
    if matches!(
        next,
        IdentificationStatus::Aborted
            | IdentificationStatus::Canceled
            | IdentificationStatus::Failed
    ) {
        ident.attempts.push(json!({
            "status": next.as_str(),
            "reason": match next {
                IdentificationStatus::Aborted => "the customer left the video call",
                IdentificationStatus::Canceled => "the IDnow agent canceled the call",
                _ => null_reason(),
            },
            "created_at": timestamp(now),
        }));
    }
    if next.is_final() || next == IdentificationStatus::PendingSuccessful {
        ident
            .resource
            .insert("completed_at".into(), json!(timestamp(now)));
    }
    if next.allows_banking() {
        ident
            .resource
            .insert("legitimation_country".into(), json!(legitimation_country));
    }
    Ok(ident.resource.clone())
}

/// IDnow discloses no reason for `failed`.
fn null_reason() -> &'static str {
    "not disclosed"
}
