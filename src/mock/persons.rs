//! Persons: `POST /v1/persons`, `GET` and `PATCH /v1/persons/{id}`.
//!
//! The rules live in [`crate::domain::person`]: which branch's data points apply, residency,
//! salutation, birth and work provinces, the updatable fields and the FREELANCER /
//! SELF_EMPLOYED rule. This file reads the JSON, asks the rules, stores and answers. One
//! validator per field ([`normalise_field`]) serves both create and update, and one check of
//! the whole person ([`check_person`]) runs after both, so a value the mock refuses on create
//! it also refuses on update. Every successful update raises `PERSON_CHANGED`.

use super::AppState;
use super::body::{Json, JsonBody, not_in_list, opt_str};
use super::error::{ApiError, ApiResult};
use super::store::{Store, new_id};
use crate::domain::person::{self, Branch, Facts, Refusal};
use crate::domain::{due_diligence, mobile, names};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::NaiveDate;
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

/// The keys an address shows, null until set.
const ADDRESS_KEYS: &[&str] = &[
    "line_1",
    "line_2",
    "postal_code",
    "city",
    "country",
    "state",
];

fn refused(r: Refusal) -> ApiError {
    ApiError::invalid_model(&r.field, r.message)
}

async fn create(
    State(state): State<AppState>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Bytes>)> {
    let person = build_person(body.object()?, state.clock.today())?;
    // Written before it is stored: the store keeps the person itself, not a copy.
    let answer = Json::object(&person);
    register(&mut state.store(), person)?;
    Ok((StatusCode::CREATED, answer))
}

/// A new person from the body of `POST /v1/persons`, checked against every rule of its branch.
fn build_person(input: &Map<String, Value>, today: NaiveDate) -> ApiResult<Map<String, Value>> {
    let branch_field = opt_str(input, "branch")?;
    let branch = Branch::of(branch_field).map_err(refused)?;
    let mut person = template();
    for (key, value) in input {
        if person.contains_key(key) && !READ_ONLY.contains(&key.as_str()) {
            let normalised = normalise_field(today, branch, key, value)?;
            person.insert(key.clone(), normalised);
        }
    }
    complete_nested(&mut person);
    let salutation = input.get("salutation").map(Value::as_str);
    check_person(branch_field, branch, salutation, &person)?;
    person.insert("id".into(), json!(new_id("cper")));
    Ok(person)
}

/// Stores a new person and says its id, unless the sandbox already holds too many identical
/// ones.
fn register(store: &mut Store, person: Map<String, Value>) -> ApiResult<String> {
    // Counted per identity as persons are stored, so registering stays constant-time however
    // many persons the mock holds.
    let key = person::identity_key(&person);
    let identical = store.identities.get(&key).copied().unwrap_or(0);
    if identical >= person::IDENTICAL_PERSONS_LIMIT {
        return Err(ApiError::validation(format!(
            "more than {} persons share this first_name, last_name, birth_city and birth_date; \
             use unique test data on the sandbox",
            person::IDENTICAL_PERSONS_LIMIT
        )));
    }
    let id = person
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    store.insert_person(id.clone(), person);
    *store.identities.entry(key).or_default() += 1;
    Ok(id)
}

/// The rules that look at the whole person, after each field passed its own check: the
/// residency the branch allows, the salutation, the mandatory data points (always and
/// conditionally), then the rules that tie fields together. `salutation` is `None` when the
/// key is absent, `Some(None)` when null.
fn check_person(
    branch_field: Option<&str>,
    branch: Branch,
    salutation: Option<Option<&str>>,
    person: &Map<String, Value>,
) -> ApiResult<()> {
    let residency = person
        .get("address")
        .and_then(|a| a.get("country"))
        .and_then(Value::as_str);
    if let Some(country) = residency {
        person::check_residency(branch_field, country).map_err(refused)?;
    }
    person::check_salutation(branch, salutation).map_err(refused)?;
    let facts = Facts::of(person);
    let conditional = person::conditionally_mandatory(branch, &facts);
    let mandatory = branch.mandatory().iter().copied().chain(conditional);
    if let Some(path) = person::first_missing(mandatory, person) {
        return Err(ApiError::invalid_model(&path, "can't be blank"));
    }
    person::check_cross_field(branch, &facts).map_err(refused)
}

async fn show(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
) -> ApiResult<Json<Bytes>> {
    let store = state.store();
    let person = store
        .persons
        .get(&person_id)
        .ok_or_else(|| ApiError::model_not_found("Person", &person_id))?;
    Ok(Json::object(person))
}

async fn update(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let today = state.clock.today();
    let updated = apply_patch(&mut state.store(), &person_id, input, today)?;
    Ok(Json(Value::Object(updated)))
}

/// `PATCH /v1/persons/{id}`: only the documented updatable fields, each checked as on create,
/// the FREELANCER / SELF_EMPLOYED rule, `aml_confirmed_on` only today or tomorrow; then the
/// updated person must still pass every rule of its (possibly new) branch. Raises
/// `PERSON_CHANGED` (body `{}`, entity the person) when it succeeds.
fn apply_patch(
    store: &mut Store,
    person_id: &str,
    input: &Map<String, Value>,
    today: NaiveDate,
) -> ApiResult<Map<String, Value>> {
    let current = store
        .persons
        .get(person_id)
        .ok_or_else(|| ApiError::model_not_found("Person", person_id))?;
    if let Some(field) = input
        .keys()
        .find(|k| !person::UPDATABLE.contains(&k.as_str()))
    {
        return Err(ApiError::invalid_model(
            field,
            "cannot be updated through the API; only Customer Support can change it",
        ));
    }
    let branch_field = if input.contains_key("branch") {
        opt_str(input, "branch")?.map(str::to_string)
    } else {
        current
            .get("branch")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let branch = Branch::of(branch_field.as_deref()).map_err(refused)?;
    let mut merged = current.clone();
    for (key, value) in input {
        let normalised = if key == "aml_confirmed_on" {
            aml_confirmed_on(value, today)?
        } else {
            normalise_field(today, branch, key, value)?
        };
        match (merged.get_mut(key), normalised) {
            // Nested objects take only the sub-fields sent.
            (Some(Value::Object(old)), Value::Object(new)) => old.extend(new),
            (_, value) => {
                merged.insert(key.clone(), value);
            }
        }
    }
    complete_nested(&mut merged);
    let status = current.get("employment_status").and_then(Value::as_str);
    person::check_self_employed_switch(status, input).map_err(refused)?;
    let salutation = Some(merged.get("salutation").and_then(Value::as_str));
    check_person(branch_field.as_deref(), branch, salutation, &merged)?;
    store.insert_person(person_id.to_string(), merged.clone());
    store.emit("PERSON_CHANGED", person_id, json!({}));
    Ok(merged)
}

/// `aml_confirmed_on` may only be today or tomorrow on the mock's clock.
fn aml_confirmed_on(value: &Value, today: NaiveDate) -> ApiResult<Value> {
    let text = value
        .as_str()
        .ok_or_else(|| ApiError::type_error("aml_confirmed_on", "a date string"))?;
    let date = person::parse_date(text).ok_or_else(|| {
        ApiError::invalid_model("aml_confirmed_on", "must be a date in the form YYYY-MM-DD")
    })?;
    if person::aml_confirmed_on_allowed(date, today) {
        Ok(json!(text))
    } else {
        Err(ApiError::invalid_model(
            "aml_confirmed_on",
            format!("must be today ({today}) or tomorrow"),
        ))
    }
}

/// Addresses show all their keys and `tax_information` both of its, null until set.
fn complete_nested(person: &mut Map<String, Value>) {
    let fill = |value: Option<&mut Value>, keys: &[&str]| {
        if let Some(Value::Object(m)) = value {
            for key in keys {
                m.entry(*key).or_insert(Value::Null);
            }
        }
    };
    fill(person.get_mut("address"), ADDRESS_KEYS);
    fill(person.get_mut("contact_address"), ADDRESS_KEYS);
    fill(
        person.get_mut("tax_information"),
        person::UPDATABLE_TAX_INFORMATION,
    );
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
fn normalise_field(
    today: NaiveDate,
    branch: Branch,
    field: &str,
    value: &Value,
) -> ApiResult<Value> {
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
            if date > today {
                return Err(ApiError::invalid_model(field, "must not be in the future"));
            }
            Ok(json!(text))
        }
        "birth_country" | "nationality" | "work_country" | "business_country" => {
            country(field, value)
        }
        "employment_status" => enumerated(field, value, branch.employment_statuses()),
        "socioprofessional_category" => {
            enumerated(field, value, person::SOCIOPROFESSIONAL_CATEGORY)
        }
        "purpose_of_account_opening" => {
            enumerated(field, value, person::PURPOSE_OF_ACCOUNT_OPENING)
        }
        "main_income_source" => enumerated(field, value, person::MAIN_INCOME_SOURCE),
        "annual_income_range" => enumerated(field, value, person::ANNUAL_INCOME_RANGE),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or_default()
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn german() -> Map<String, Value> {
        object(json!({
            "salutation": null, "first_name": "Theresa", "last_name": "Klemm",
            "address": {"line_1": "Leopoldstraße", "line_2": "96", "postal_code": "13347", "city": "Berlin", "country": "DE"},
            "mobile_number": "+49 151 2345-6789", "birth_date": "1985-12-14", "birth_city": "Berlin",
            "birth_country": "DE", "nationality": "DE", "employment_status": "EMPLOYED",
            "tax_information": {"marital_status": "MARRIED"}, "fatca_relevant": false,
            "fatca_crs_confirmed_at": "2022-01-01T00:00:00Z", "terms_conditions_signed_at": "2022-01-01T00:00:00Z",
            "data_terms_signed_at": "2022-01-01T00:00:00Z", "own_economic_interest_signed_at": "2022-01-01T00:00:00Z"
        }))
    }

    fn italian() -> Map<String, Value> {
        object(json!({
            "salutation": "MS", "first_name": "Giulia", "last_name": "Rossi", "branch": "IT",
            "address": {"line_1": "Via Roma 12", "postal_code": "20121", "city": "Milano", "country": "IT"},
            "contact_address": {"line_1": "Via Po 3", "postal_code": "10123", "city": "Torino", "country": "IT"},
            "email": "giulia@example.com", "birth_date": "1990-03-02", "birth_city": "Milano",
            "birth_country": "IT", "birth_province": "MI", "nationality": "IT",
            "employment_status": "RETIRED", "purpose_of_account_opening": "SAVINGS",
            "main_income_source": "PENSION", "annual_income_range": "RANGE_2", "fatca_relevant": false,
            "fatca_crs_confirmed_at": "2022-01-01T00:00:00Z", "self_declared_as_pep": false,
            "terms_conditions_signed_at": "2022-01-01T00:00:00Z",
            "own_economic_interest_signed_at": "2022-01-01T00:00:00Z"
        }))
    }

    fn field_of(result: ApiResult<impl std::fmt::Debug>) -> Option<String> {
        result.err().and_then(|e| e.source).map(|(field, _)| field)
    }

    #[test]
    fn a_successful_update_raises_person_changed_and_a_refused_one_does_not() {
        let mut store = Store::default();
        let created = build_person(&german(), today()).and_then(|p| register(&mut store, p));
        let id = created.unwrap_or_default();
        let refused = apply_patch(
            &mut store,
            &id,
            &object(json!({"first_name": "Anna"})),
            today(),
        );
        assert_eq!(field_of(refused), Some("first_name".into()));
        assert!(store.outbox.is_empty());

        let updated = apply_patch(
            &mut store,
            &id,
            &object(json!({"address": {"city": "Potsdam"}})),
            today(),
        );
        let updated = updated.unwrap_or_default();
        assert_eq!(updated["address"]["city"], json!("Potsdam"));
        assert_eq!(updated["address"]["line_1"], json!("Leopoldstraße"));
        assert_eq!(store.outbox.len(), 1);
        let event = &store.outbox[0];
        assert_eq!(event.event_type, "PERSON_CHANGED");
        assert_eq!(event.entity_id, id);
        assert_eq!(event.payload, json!({}));
    }

    #[test]
    fn an_update_is_checked_against_the_persons_branch() {
        let mut store = Store::default();
        let created = build_person(&italian(), today()).and_then(|p| register(&mut store, p));
        let id = created.unwrap_or_default();
        let rows = [
            (json!({"salutation": null}), Some("salutation")),
            (
                json!({"employment_status": "HOUSEWORK"}),
                Some("employment_status"),
            ),
            (json!({"birth_province": "EE"}), Some("birth_province")),
            (json!({"address": {"country": "DE"}}), Some("country")),
            (json!({"work_country": "IT"}), Some("work_province")),
            (json!({"work_country": "IT", "work_province": "TO"}), None),
            (json!({"aml_confirmed_on": "2024-06-01"}), None),
            (json!({"aml_confirmed_on": "2024-06-02"}), None),
            (
                json!({"aml_confirmed_on": "2024-06-03"}),
                Some("aml_confirmed_on"),
            ),
            (
                json!({"aml_confirmed_on": "2024-05-31"}),
                Some("aml_confirmed_on"),
            ),
        ];
        for (patch, expected) in rows {
            let got = apply_patch(&mut store, &id, &object(patch.clone()), today());
            assert_eq!(field_of(got).as_deref(), expected, "{patch}");
        }
    }

    #[test]
    fn each_branch_asks_for_its_own_data_points() {
        assert!(build_person(&italian(), today()).is_ok());
        let mut without_branch = italian();
        without_branch.remove("branch");
        assert_eq!(
            field_of(build_person(&without_branch, today())),
            Some("country".into()),
            "an Italian residency is not allowed for branch null"
        );
        let mut no_pep = italian();
        no_pep.remove("self_declared_as_pep");
        assert_eq!(
            field_of(build_person(&no_pep, today())),
            Some("self_declared_as_pep".into())
        );
        let mut german_in_france = german();
        german_in_france.insert("branch".into(), json!("FR"));
        assert_eq!(
            field_of(build_person(&german_in_france, today())),
            Some("country".into())
        );
        let person = build_person(&italian(), today()).unwrap_or_default();
        assert_eq!(
            person["address"]["line_2"],
            Value::Null,
            "every address key shows"
        );
        assert_eq!(person["contact_address"]["state"], Value::Null);
    }

    #[test]
    fn the_1001st_identical_person_is_refused() {
        let mut store = Store::default();
        for _ in 0..person::IDENTICAL_PERSONS_LIMIT {
            let person = build_person(&german(), today()).and_then(|p| register(&mut store, p));
            assert!(person.is_ok());
        }
        let refused = build_person(&german(), today()).and_then(|p| register(&mut store, p));
        assert_eq!(
            refused.err().map(|e| (e.status.as_u16(), e.code)),
            Some((400, "validation_error"))
        );
        let mut other = german();
        other.insert("birth_date".into(), json!("1985-12-15"));
        let different = build_person(&other, today()).and_then(|p| register(&mut store, p));
        assert!(different.is_ok(), "another birth date is another person");
    }
}
