//! Persons: `POST /v1/persons`, `GET` and `PATCH /v1/persons/{id}`.
//!
//! One validator per field ([`normalise_field`]) serves both create and update, so a value the
//! mock refuses on create it also refuses on update. Mandatory data points come from
//! [`crate::domain::person`].

use super::body::{JsonBody, not_in_list, opt_str};
use super::error::{ApiError, ApiResult};
use super::store::new_id;
use super::{AppState, Shared};
use crate::domain::{due_diligence, mobile, names, person};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/persons", post(create))
        .route("/v1/persons/{person_id}", get(show).patch(update))
}

/// Fields the partner cannot set: Solaris fills them.
const READ_ONLY: &[&str] = &[
    "id",
    "screening_progress",
    "risk_classification_status",
    "customer_vetting_status",
    "flagged_by_compliance",
    "aml_follow_up_date",
    "aml_confirmed_on",
    "legitimation_valid_until",
];

/// The sandbox refuses more than this many persons with the same name, birth city and date.
const IDENTICAL_PERSONS_LIMIT: usize = 1000;

/// Branch → the residency countries it allows. The seed's example shows branch "null"
/// allowing DE and FR.
fn allowed_residency(branch: Option<&str>) -> &'static [&'static str] {
    match branch {
        None => &["DE", "FR"],
        Some("DE") => &["DE"],
        Some("FR") => &["FR"],
        Some("IT") => &["IT"],
        Some("ES") => &["ES"],
        Some(_) => &[],
    }
}

async fn create(
    State(state): State<AppState>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let mut person = template();
    for (key, value) in input {
        if person.contains_key(key) && !READ_ONLY.contains(&key.as_str()) {
            let normalised = normalise_field(&state, key, value)?;
            person.insert(key.clone(), normalised);
        }
    }
    check_mandatory(input)?;
    let branch = opt_str(input, "branch")?;
    if let Some(b) = branch
        && !["DE", "FR", "IT", "ES"].contains(&b)
    {
        return Err(not_in_list("branch", &["DE", "FR", "IT", "ES"]));
    }
    let country = person["address"]["country"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let allowed = allowed_residency(branch);
    if !allowed.contains(&country.as_str()) {
        let list = allowed
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let branch_name = branch.unwrap_or("null");
        return Err(ApiError::invalid_model(
            "country",
            format!(
                "Residency Country is not allowed for this branch,allowed residency country values for branch \"{branch_name}\" are [{list}]"
            ),
        ));
    }
    let id = new_id("cper");
    person.insert("id".into(), json!(id));
    let mut store = state.store();
    let same = |p: &Map<String, Value>| {
        ["first_name", "last_name", "birth_city", "birth_date"]
            .iter()
            .all(|k| p.get(*k) == person.get(*k))
    };
    if store.persons.values().filter(|p| same(p)).count() >= IDENTICAL_PERSONS_LIMIT {
        return Err(ApiError::validation(format!(
            "more than {IDENTICAL_PERSONS_LIMIT} persons share this first_name, last_name, birth_city and birth_date; use unique test data on the sandbox"
        )));
    }
    store.persons.insert(id, person.clone());
    Ok((StatusCode::CREATED, Json(Value::Object(person))))
}

async fn show(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let person = store
        .persons
        .get(&person_id)
        .ok_or_else(|| ApiError::model_not_found("Person", &person_id))?;
    Ok(Json(Value::Object(person.clone())))
}

async fn update(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    if !state.store().persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let mut changes = Map::new();
    for (key, value) in input {
        if !person::UPDATABLE.contains(&key.as_str()) {
            return Err(ApiError::invalid_model(
                key,
                "cannot be updated through the API; only Customer Support can change it",
            ));
        }
        let normalised = if key == "aml_confirmed_on" {
            aml_confirmed_on(&state, value)?
        } else {
            normalise_field(&state, key, value)?
        };
        changes.insert(key.clone(), normalised);
    }
    check_self_employment_rule(input)?;
    let mut store = state.store();
    let person = store
        .persons
        .get_mut(&person_id)
        .ok_or_else(|| ApiError::model_not_found("Person", &person_id))?;
    for (key, value) in changes {
        match (person.get_mut(&key), value) {
            // Nested objects take only the sub-fields sent.
            (Some(Value::Object(old)), Value::Object(new)) => old.extend(new),
            (_, value) => {
                person.insert(key, value);
            }
        }
    }
    Ok(Json(Value::Object(person.clone())))
}

/// Switching to FREELANCER or SELF_EMPLOYED needs a `nace_code`, or `industry` and
/// `industry_key` set to null, in the same request.
fn check_self_employment_rule(input: &Map<String, Value>) -> ApiResult<()> {
    let status = input.get("employment_status").and_then(Value::as_str);
    if !matches!(status, Some("FREELANCER" | "SELF_EMPLOYED")) {
        return Ok(());
    }
    let nace = input
        .get("nace_code")
        .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
    let industry_nulled = matches!(input.get("industry"), Some(Value::Null))
        && matches!(input.get("industry_key"), Some(Value::Null));
    if nace || industry_nulled {
        Ok(())
    } else {
        Err(ApiError::invalid_model(
            "employment_status",
            "FREELANCER and SELF_EMPLOYED need a nace_code, or industry and industry_key set to null, in the same request",
        ))
    }
}

/// `aml_confirmed_on` may only be today or tomorrow on the mock's clock.
fn aml_confirmed_on(state: &Shared, value: &Value) -> ApiResult<Value> {
    let text = value
        .as_str()
        .ok_or_else(|| ApiError::type_error("aml_confirmed_on", "a date string"))?;
    let date = person::parse_date(text).ok_or_else(|| {
        ApiError::invalid_model("aml_confirmed_on", "must be a date in the form YYYY-MM-DD")
    })?;
    let today = state.clock.today();
    if date == today || Some(date) == today.succ_opt() {
        Ok(json!(text))
    } else {
        Err(ApiError::invalid_model(
            "aml_confirmed_on",
            format!("must be today ({today}) or tomorrow"),
        ))
    }
}

/// Every mandatory data point for a German retail customer, in the seed's order.
fn check_mandatory(input: &Map<String, Value>) -> ApiResult<()> {
    for path in person::DE_MANDATORY {
        let mut value = Some(&Value::Object(input.clone()));
        for part in path.split('.') {
            value = value.and_then(|v| v.get(part));
        }
        let present = match value {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        };
        if !present {
            return Err(ApiError::invalid_model(path, "can't be blank"));
        }
    }
    if !input.contains_key("salutation") {
        return Err(ApiError::invalid_model(
            "salutation",
            "must be given: MR, MS, or null for gender-neutral",
        ));
    }
    Ok(())
}

fn string<'a>(field: &str, value: &'a Value) -> ApiResult<&'a str> {
    value
        .as_str()
        .ok_or_else(|| ApiError::type_error(field, "a string"))
}

fn country(field: &str, value: &Value) -> ApiResult<Value> {
    let code = string(field, value)?;
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(json!(code))
    } else {
        Err(ApiError::invalid_model(
            field,
            "must be an ISO 3166-1 alpha-2 country code, e.g. DE",
        ))
    }
}

fn enumerated(field: &str, value: &Value, allowed: &[&str]) -> ApiResult<Value> {
    let v = string(field, value)?;
    if allowed.contains(&v) {
        Ok(json!(v))
    } else {
        Err(not_in_list(field, allowed))
    }
}

/// Checks one field's value and returns it as the API will show it (timestamps with
/// milliseconds, numbers sanitised). `null` is accepted for any field; mandatory ones are
/// checked separately.
fn normalise_field(state: &Shared, field: &str, value: &Value) -> ApiResult<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    match field {
        "salutation" => enumerated(field, value, person::SALUTATIONS),
        "first_name" | "last_name" | "birth_name" => {
            let name = string(field, value)?;
            names::check(name).map_err(|p| ApiError::invalid_model(field, p.message()))?;
            Ok(json!(name))
        }
        "address" | "contact_address" => address(field, value),
        "mobile_number" => {
            let number = mobile::sanitize(string(field, value)?);
            if mobile::is_e164(&number) {
                Ok(json!(number))
            } else {
                Err(ApiError::invalid_model(
                    field,
                    "must be a phone number in E.164 format, e.g. +4915112345678",
                ))
            }
        }
        "birth_date" => {
            let text = string(field, value)?;
            let date = person::parse_date(text).ok_or_else(|| {
                ApiError::invalid_model(field, "must be a date in the form YYYY-MM-DD")
            })?;
            if date > state.clock.today() {
                return Err(ApiError::invalid_model(field, "must not be in the future"));
            }
            Ok(json!(text))
        }
        "birth_country" | "nationality" | "work_country" | "business_country" => {
            country(field, value)
        }
        "employment_status" => enumerated(field, value, person::EMPLOYMENT_STATUS),
        "fatca_relevant" | "self_declared_as_pep" => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(ApiError::type_error(field, "a boolean")),
        },
        f if f.ends_with("_signed_at") || f == "fatca_crs_confirmed_at" => {
            let text = string(field, value)?;
            person::parse_utc_timestamp(text)
                .map(Value::String)
                .ok_or_else(|| {
                    ApiError::invalid_model(
                        field,
                        "must be a UTC timestamp, e.g. 2023-10-27T10:00:00Z",
                    )
                })
        }
        "tax_information" => {
            let m = value
                .as_object()
                .ok_or_else(|| ApiError::type_error(field, "an object"))?;
            let mut out = Map::new();
            for (k, v) in m {
                let path = format!("tax_information.{k}");
                let allowed = match k.as_str() {
                    "marital_status" => person::MARITAL_STATUS,
                    "tax_assessment" => person::TAX_ASSESSMENT,
                    _ => {
                        return Err(ApiError::invalid_model(
                            &path,
                            "is not a tax_information field",
                        ));
                    }
                };
                let v = if v.is_null() {
                    Value::Null
                } else {
                    enumerated(&path, v, allowed)?
                };
                out.insert(k.clone(), v);
            }
            Ok(Value::Object(out))
        }
        "international_operativity_expectation" => match value {
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(value.clone()),
            _ => Err(ApiError::type_error(field, "an array of strings")),
        },
        "expected_monthly_revenue_cents" => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            _ => Err(ApiError::type_error(field, "an integer number of cents")),
        },
        _ => {
            // Free-text fields: strings only.
            string(field, value)?;
            Ok(value.clone())
        }
    }
}

fn address(field: &str, value: &Value) -> ApiResult<Value> {
    let m = value
        .as_object()
        .ok_or_else(|| ApiError::type_error(field, "an object"))?;
    let mut out = Map::new();
    for (k, v) in m {
        let path = format!("{field}.{k}");
        let v = match (k.as_str(), v) {
            (_, Value::Null) => Value::Null,
            ("country", v) => country(&path, v)?,
            ("line_1" | "line_2" | "postal_code" | "city" | "state", Value::String(_)) => v.clone(),
            ("line_1" | "line_2" | "postal_code" | "city" | "state", _) => {
                return Err(ApiError::type_error(&path, "a string"));
            }
            _ => return Err(ApiError::invalid_model(&path, "is not an address field")),
        };
        out.insert(k.clone(), v);
    }
    Ok(Value::Object(out))
}

/// The person resource with every field the API shows, all null until set.
fn template() -> Map<String, Value> {
    let (screening, risk, vetting) = due_diligence::initial();
    let mut m = Map::new();
    for key in [
        "id",
        "salutation",
        "title",
        "first_name",
        "last_name",
        "address",
        "contact_address",
        "email",
        "mobile_number",
        "birth_name",
        "birth_date",
        "birth_city",
        "birth_country",
        "nationality",
        "employment_status",
        "job_title",
        "tax_information",
        "fatca_relevant",
        "fatca_crs_confirmed_at",
        "business_purpose",
        "industry",
        "industry_key",
        "terms_conditions_signed_at",
        "own_economic_interest_signed_at",
        "aml_follow_up_date",
        "aml_confirmed_on",
        "expected_monthly_revenue_cents",
        "vat_number",
        "website_social_media",
        "business_trading_name",
        "nace_code",
        "business_address_line_1",
        "business_address_line_2",
        "business_postal_code",
        "business_city",
        "business_country",
        "business_state",
        "annual_income_range",
        "data_terms_signed_at",
        "branch",
        "birth_province",
        "birth_post_code",
        "socioprofessional_category",
        "purpose_of_account_opening",
        "main_income_source",
        "work_country",
        "work_province",
        "self_declared_as_pep",
        "registration_number",
        "legitimation_valid_until",
    ] {
        m.insert(key.into(), Value::Null);
    }
    m.insert("flagged_by_compliance".into(), json!(false));
    m.insert("international_operativity_expectation".into(), json!([]));
    m.insert("screening_progress".into(), json!(screening.as_str()));
    m.insert("risk_classification_status".into(), json!(risk.as_str()));
    m.insert("customer_vetting_status".into(), json!(vetting.as_str()));
    m
}
