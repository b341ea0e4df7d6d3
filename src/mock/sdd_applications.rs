//! SDD collection applications (Decoupled Cards, Steps 5, 6 and 8) under
//! `/v1/persons/{id}/sdd_collection_applications`: create (needs an available credit record;
//! starts the scorer), get, list with `filter[status]`, link an account snapshot, link the
//! internal account.
//!
//! The statuses follow [`ApplicationStatus`]: the answer to the creation is
//! `initial_scoring_pending`; the initial scoring and the verification run right after, as
//! time rules (`decoupled.rs`), so a client sees each status in order, and each change raises
//! `SDD_COLLECTION_APPLICATION` with the application. The seed writes these paths without
//! `/v1`; the API reference with it. The mock answers both.

use super::AppState;
use super::body::{Json, JsonBody, req_str};
use super::decoupled::{
    Application, DECOUPLED_ACCOUNT, cents_of, move_application, query_of, set_money, stamp, text,
};
use super::error::{ApiError, ApiResult};
use super::store::Store;
use crate::domain::sdd_application::ApplicationStatus;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, put};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for base in ["/v1/persons", "/persons"] {
        router = router
            .route(
                &format!("{base}/{{person_id}}/sdd_collection_applications"),
                get(list).post(create),
            )
            .route(
                &format!("{base}/{{person_id}}/sdd_collection_applications/{{id}}"),
                get(show),
            )
            .route(
                &format!(
                    "{base}/{{person_id}}/sdd_collection_applications/{{id}}/account_snapshot"
                ),
                put(link_snapshot),
            )
            .route(
                &format!("{base}/{{person_id}}/sdd_collection_applications/{{id}}/account"),
                put(link_account),
            );
    }
    router
}

async fn create(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let credit_record_id = req_str(input, "credit_record_id")?;
    let now = state.clock.now();
    let mut store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let record = store
        .decoupled
        .credit_records
        .get(credit_record_id)
        .filter(|r| text(&r.resource, "person_id") == person_id)
        .ok_or_else(|| {
            ApiError::invalid_model(
                "credit_record_id",
                "is not a credit record of this person: create one first (POST /v1/persons/{person_id}/credit_records)",
            )
        })?;
    if text(&record.resource, "status") != "available" {
        return Err(ApiError::invalid_model(
            "credit_record_id",
            "is expired: create a new credit record",
        ));
    }
    let credit = record.facts;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let resource = json!({
        "id": id,
        "person_id": person_id,
        "credit_record_id": credit_record_id,
        "sdd_collection_id": null,
        "account_snapshot_id": null,
        "status": ApplicationStatus::InitialScoringPending.as_str(),
        "decision": null,
        "limit": null,
        "rejection_reasons": [],
        "created_at": stamp(now),
    });
    store.decoupled.applications.insert(
        id.clone(),
        Application {
            resource: resource.as_object().cloned().unwrap_or_default(),
            created: now,
            credit,
            account_id: None,
        },
    );
    store.emit("SDD_COLLECTION_APPLICATION", id, resource.clone());
    Ok((StatusCode::CREATED, Json(resource)))
}

fn owned<'a>(store: &'a Store, person_id: &str, id: &str) -> ApiResult<&'a Application> {
    if !store.persons.contains_key(person_id) {
        return Err(ApiError::model_not_found("Person", person_id));
    }
    store
        .decoupled
        .applications
        .get(id)
        .filter(|a| a.person_id() == person_id)
        .ok_or_else(|| ApiError::model_not_found("SddCollectionApplication", id))
}

async fn show(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    Ok(Json(Value::Object(
        owned(&store, &person_id, &id)?.resource.clone(),
    )))
}

async fn list(
    State(state): State<AppState>,
    Path(person_id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<(HeaderMap, Json<Value>)> {
    let query = query_of(query.as_deref())?;
    let wanted = query.filter("status");
    if let Some(s) = wanted
        && ApplicationStatus::parse(s).is_none()
    {
        let all: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
        return Err(super::body::not_in_list("filter[status]", &all));
    }
    let store = state.store();
    if !store.persons.contains_key(&person_id) {
        return Err(ApiError::model_not_found("Person", &person_id));
    }
    let mut apps: Vec<&Application> = store
        .decoupled
        .applications
        .values()
        .filter(|a| a.person_id() == person_id)
        .filter(|a| wanted.is_none_or(|s| a.status().as_str() == s))
        .collect();
    apps.sort_by_key(|a| (a.created, text(&a.resource, "id").to_string()));
    let items = apps
        .into_iter()
        .map(|a| Value::Object(a.resource.clone()))
        .collect();
    let (headers, page) = query.page(
        &format!("/v1/persons/{person_id}/sdd_collection_applications"),
        items,
    );
    Ok((headers, Json(page)))
}

fn wrong_status(app: &Application, needed: ApplicationStatus, what: &str) -> ApiError {
    ApiError::validation(format!(
        "the SDD collection application is {}; {what} only at {needed}",
        app.status()
    ))
}

/// Step 6: the snapshot is attached; the verification follows once it is available.
async fn link_snapshot(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let snapshot_id = req_str(input, "account_snapshot_id")?.to_string();
    let now = state.clock.now();
    let mut store = state.store();
    let app = owned(&store, &person_id, &id)?;
    if app.status() != ApplicationStatus::AccountSnapshotPending {
        return Err(wrong_status(
            app,
            ApplicationStatus::AccountSnapshotPending,
            "an account snapshot can be linked",
        ));
    }
    let snapshot = store
        .decoupled
        .snapshots
        .get(&snapshot_id)
        .filter(|s| s.person_id == person_id)
        .ok_or_else(|| {
            ApiError::invalid_model(
                "account_snapshot_id",
                "is not an account snapshot of this person",
            )
        })?;
    if !matches!(snapshot.status(), "pending" | "available") {
        return Err(ApiError::invalid_model(
            "account_snapshot_id",
            format!("is {}: create a new account snapshot", snapshot.status()),
        ));
    }
    let linked = move_application(
        &mut store,
        &id,
        ApplicationStatus::AccountSnapshotVerificationPending,
        now,
        |r| {
            r.insert("account_snapshot_id".into(), json!(snapshot_id));
        },
    )
    .ok_or_else(|| ApiError::validation("the application cannot take a snapshot now"))?;
    Ok(Json(linked))
}

/// Step 8: the offered limit goes onto the internal account.
async fn link_account(
    State(state): State<AppState>,
    Path((person_id, id)): Path<(String, String)>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let input = body.object()?;
    let account_id = req_str(input, "account_id")?.to_string();
    let now = state.clock.now();
    let mut store = state.store();
    let app = owned(&store, &person_id, &id)?;
    if app.status() != ApplicationStatus::Offered {
        return Err(wrong_status(
            app,
            ApplicationStatus::Offered,
            "the internal account can be linked",
        ));
    }
    let limit = cents_of(&app.resource, "limit");
    let account = store
        .accounts
        .get(&account_id)
        .filter(|a| text(a, "person_id") == person_id)
        .ok_or_else(|| ApiError::invalid_model("account_id", "is not an account of this person"))?;
    if text(account, "type") != DECOUPLED_ACCOUNT {
        return Err(ApiError::invalid_model(
            "account_id",
            format!(
                "is a {} account; link the internal {DECOUPLED_ACCOUNT} account",
                text(account, "type")
            ),
        ));
    }
    if store
        .decoupled
        .applications
        .values()
        .any(|a| a.account_id.as_deref() == Some(account_id.as_str()))
    {
        return Err(ApiError::invalid_model(
            "account_id",
            "is already linked to another SDD collection application",
        ));
    }
    let balance = cents_of(account, "balance");
    if let Some(account) = store.accounts.get_mut(&account_id) {
        set_money(account, balance, limit);
    }
    store.decoupled.granted.insert(account_id.clone(), limit);
    if let Some(app) = store.decoupled.applications.get_mut(&id) {
        app.account_id = Some(account_id);
    }
    let linked = move_application(
        &mut store,
        &id,
        ApplicationStatus::OverdraftCreated,
        now,
        |_| {},
    )
    .ok_or_else(|| ApiError::validation("the application cannot take an account now"))?;
    Ok(Json(linked))
}
