//! Person tax identifications: create, list, get, update.
//!
//! Rules of both seeds: one per country; the first must be primary; a new primary demotes the
//! old one; a missing number needs `reason_no_tin`; `reason_description` goes only with
//! `OTHER`; `tax_id_type` only for Spain. Number validity per country is
//! [`crate::domain::tin::check`].
//!
//! Every tax identification created or changed (including one a new primary demotes) raises
//! `PERSON_TAX_IDENTIFICATION_CHANGED` with the tax identification as entity and the person's
//! id as body (`{"id": "…cper"}`).

use super::AppState;
use super::body::{Json, JsonBody, not_in_list, opt_bool, opt_str};
use super::error::{ApiError, ApiResult};
use super::store::{Store, new_id};
use crate::domain::tin;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
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
    let tin = validated(body.object()?)?;
    let created = insert_tin(&mut state.store(), &person_id, tin)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Adds a checked tax identification to the person's list.
fn insert_tin(store: &mut Store, person_id: &str, mut tin: Map<String, Value>) -> ApiResult<Value> {
    if !store.persons.contains_key(person_id) {
        return Err(ApiError::model_not_found("Person", person_id));
    }
    let list = store
        .tax_identifications
        .entry(person_id.to_string())
        .or_default();
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
    let demoted = if primary {
        demote_all(list)
    } else {
        Vec::new()
    };
    let id = new_id("ctin");
    tin.insert("id".into(), json!(id));
    let value = Value::Object(tin);
    list.push(value.clone());
    for changed in demoted.iter().chain([&id]) {
        store.emit(
            "PERSON_TAX_IDENTIFICATION_CHANGED",
            changed.as_str(),
            json!({ "id": person_id }),
        );
    }
    Ok(value)
}

/// Sets `primary` to false on every tax identification of `list` that had it; their ids.
fn demote_all(list: &mut [Value]) -> Vec<String> {
    let mut demoted = Vec::new();
    for other in list.iter_mut() {
        if other["primary"] == json!(true) {
            other["primary"] = json!(false);
            demoted.push(other["id"].as_str().unwrap_or_default().to_string());
        }
    }
    demoted
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
    let updated = update_tin(&mut state.store(), &person_id, &id, changes)?;
    Ok(Json(updated))
}

/// Applies changes to one tax identification; the whole record is checked again.
fn update_tin(
    store: &mut Store,
    person_id: &str,
    id: &str,
    changes: &Map<String, Value>,
) -> ApiResult<Value> {
    let list = store
        .tax_identifications
        .get_mut(person_id)
        .ok_or_else(|| ApiError::model_not_found("PersonTaxIdentification", id))?;
    let index = list
        .iter()
        .position(|t| t["id"] == json!(id))
        .ok_or_else(|| ApiError::model_not_found("PersonTaxIdentification", id))?;
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
    let mut changed = if primary && list[index]["primary"] != json!(true) {
        demote_all(list)
    } else {
        Vec::new()
    };
    updated.insert("id".into(), json!(id));
    list[index] = Value::Object(updated);
    let answer = list[index].clone();
    changed.push(id.to_string());
    for tin_id in changed {
        store.emit(
            "PERSON_TAX_IDENTIFICATION_CHANGED",
            tin_id,
            json!({ "id": person_id }),
        );
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: &str = "84b3b4e6c7a4082cc73c5bd0e096ee88cper";

    fn tin(country: &str, number: &str, primary: bool) -> Map<String, Value> {
        let input = json!({"country": country, "number": number, "primary": primary});
        validated(input.as_object().unwrap_or(&Map::new())).unwrap_or_default()
    }

    fn events(store: &Store) -> Vec<(&'static str, String, Value)> {
        store
            .outbox
            .iter()
            .map(|e| (e.event_type, e.entity_id.clone(), e.payload.clone()))
            .collect()
    }

    #[test]
    fn creating_and_changing_a_tin_raises_person_tax_identification_changed() {
        let mut store = Store::default();
        store.persons.insert(PERSON.into(), Map::new());
        let changed = |id: &str| {
            (
                "PERSON_TAX_IDENTIFICATION_CHANGED",
                id.to_string(),
                json!({ "id": PERSON }),
            )
        };

        let de = insert_tin(&mut store, PERSON, tin("DE", "48954371207", true)).unwrap_or_default();
        let de_id = de["id"].as_str().unwrap_or_default().to_string();
        assert!(de_id.ends_with("ctin"));
        assert_eq!(events(&store), vec![changed(&de_id)]);

        store.outbox.clear();
        let fr =
            insert_tin(&mut store, PERSON, tin("FR", "3023217600053", true)).unwrap_or_default();
        let fr_id = fr["id"].as_str().unwrap_or_default().to_string();
        assert_eq!(
            events(&store),
            vec![changed(&de_id), changed(&fr_id)],
            "the demoted primary changed too"
        );
        assert_eq!(store.tins(PERSON)[0]["primary"], json!(false));

        store.outbox.clear();
        let refused = insert_tin(&mut store, PERSON, tin("DE", "86095742719", false));
        assert!(refused.is_err(), "one per country");
        let changes = json!({"number": "86095742719"});
        let updated = update_tin(
            &mut store,
            PERSON,
            &de_id,
            changes.as_object().unwrap_or(&Map::new()),
        );
        assert_eq!(
            updated.map(|t| t["number"].clone()).ok(),
            Some(json!("86095742719"))
        );
        assert_eq!(events(&store), vec![changed(&de_id)]);
    }

    #[test]
    fn the_first_tin_must_be_primary() {
        let mut store = Store::default();
        store.persons.insert(PERSON.into(), Map::new());
        let refused = insert_tin(&mut store, PERSON, tin("DE", "48954371207", false));
        assert_eq!(
            refused.err().and_then(|e| e.source).map(|s| s.0).as_deref(),
            Some("primary")
        );
        assert!(store.outbox.is_empty());
    }
}
