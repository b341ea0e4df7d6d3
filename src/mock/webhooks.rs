//! Webhooks: subscriptions (`POST/GET/DELETE /v1/webhooks`) and the [`Engine`] that delivers
//! the events resources raise.
//!
//! A subscription is verified first (an empty POST with `Solaris-Webhook-Event-Type:
//! WEBHOOK-SUBSCRIPTION`), its secret shown once. Deliveries leave from a background task, so
//! the call that caused an event never waits for a receiver. Each carries the headers of the
//! mock contract and `Solaris-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. A
//! receiver answering anything but 2xx, 410 or 422 gets the same delivery (same
//! `Solaris-Webhook-Id`) again with exponential backoff on the mock's clock, for up to five
//! days; 410 ends the subscription; 422 ends that delivery.

use super::body::{Json, JsonBody, not_in_list, req_str};
use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::{Delivery, Subscription};
use super::{AppState, Shared, timeline};
use crate::domain::events::{EVENT_TYPES, signature};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// First retry one minute after a failed attempt, then doubling.
const FIRST_RETRY: Duration = Duration::minutes(1);
/// No retry is scheduled later than this after the first attempt.
const GIVE_UP_AFTER: Duration = Duration::days(5);
/// How long a receiver has to answer (Solaris allows 30 s; the mock is less patient).
const RECEIVER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webhooks", get(list).post(subscribe))
        .route("/v1/webhooks/{id}", get(show).delete(unsubscribe))
}

/// `https://` anywhere; plain `http://` only for loopback receivers (contract).
fn check_url(url: &str) -> ApiResult<()> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ApiError::invalid_model("url", format!("is not a URL: {e}")))?;
    let loopback = matches!(
        parsed.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "unsafe_webhook_url",
            title: "Unsafe Webhook URL",
            detail: format!(
                "{url} is not an HTTPS URL (plain http is only accepted for loopback receivers)"
            ),
            source: Some(("url".into(), "must use https".into())),
        }),
    }
}

async fn subscribe(
    State(state): State<AppState>,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input = body.object()?;
    let event_type = req_str(input, "event_type")?.to_string();
    if !EVENT_TYPES.contains(&event_type.as_str()) {
        return Err(not_in_list("event_type", EVENT_TYPES));
    }
    let url = req_str(input, "url")?.to_string();
    check_url(&url)?;
    if state
        .store()
        .subscriptions
        .iter()
        .any(|s| s.event_type == event_type)
    {
        return Err(ApiError::invalid_model(
            "event_type",
            "already has a subscription (one per event type): delete it first",
        ));
    }
    // Verification: the URL must answer 2xx to an empty POST.
    let verified = state
        .http
        .post(&url)
        .header("Solaris-Webhook-Event-Type", "WEBHOOK-SUBSCRIPTION")
        .timeout(RECEIVER_TIMEOUT)
        .send()
        .await;
    match verified {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => {
            return Err(invalid_webhook_url(
                &url,
                &format!("it answered HTTP {}", r.status().as_u16()),
            ));
        }
        Err(e) => {
            return Err(invalid_webhook_url(
                &url,
                &format!("it could not be reached ({e})"),
            ));
        }
    }
    let subscription = Subscription {
        id: uuid::Uuid::new_v4().simple().to_string(),
        event_type,
        url,
        secret: uuid::Uuid::new_v4().simple().to_string(),
        created_at: timestamp(state.clock.now()),
    };
    let mut store = state.store();
    if store
        .subscriptions
        .iter()
        .any(|s| s.event_type == subscription.event_type)
    {
        return Err(ApiError::invalid_model(
            "event_type",
            "already has a subscription (one per event type): delete it first",
        ));
    }
    let mut shown = subscription.to_json();
    shown["secret"] = json!(subscription.secret);
    store.subscriptions.push(subscription);
    Ok((StatusCode::CREATED, Json(shown)))
}

fn invalid_webhook_url(url: &str, why: &str) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_webhook_url",
        title: "Invalid Webhook URL",
        detail: format!("the verification request to {url} failed: {why}; it must answer 200"),
        source: Some((
            "url".into(),
            "did not answer the verification request with 200".into(),
        )),
    }
}

async fn show(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let store = state.store();
    let s = store
        .subscriptions
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::model_not_found("WebhookSubscription", &id))?;
    Ok(Json(s.to_json()))
}

/// Deleting a subscription drops its pending deliveries, as Solaris documents.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut store = state.store();
    let before = store.subscriptions.len();
    store.subscriptions.retain(|s| s.id != id);
    if store.subscriptions.len() == before {
        return Err(ApiError::model_not_found("WebhookSubscription", &id));
    }
    store.deliveries.retain(|d| d.subscription_id != id);
    Ok(StatusCode::NO_CONTENT)
}

/// The paged list: `page[number]` (from 1) and `page[size]` (default 10), with `Total`,
/// `Per-Page` and `Link` headers.
async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> ApiResult<impl IntoResponse> {
    let (number, size) = paging(query.as_deref().unwrap_or(""))?;
    let store = state.store();
    let total = store.subscriptions.len();
    let page: Vec<Value> = store
        .subscriptions
        .iter()
        .skip((number - 1) * size)
        .take(size)
        .map(Subscription::to_json)
        .collect();
    let last = total.div_ceil(size).max(1);
    let link = |n: usize, rel: &str| {
        format!("</v1/webhooks?page[number]={n}&page[size]={size}>; rel=\"{rel}\"")
    };
    let mut links = vec![link(1, "first"), link(last, "last")];
    if number < last {
        links.push(link(number + 1, "next"));
    }
    if number > 1 {
        links.push(link(number - 1, "prev"));
    }
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("Total", total.to_string()),
        ("Per-Page", size.to_string()),
        ("Link", links.join(", ")),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    Ok((headers, Json(Value::Array(page))))
}

fn paging(query: &str) -> ApiResult<(usize, usize)> {
    let mut number = 1;
    let mut size = 10;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = key.replace("%5B", "[").replace("%5D", "]");
        let parsed = |field: &str| {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| ApiError {
                    status: StatusCode::BAD_REQUEST,
                    code: "build_pagination_headers_failure",
                    title: "Failed to build pagination headers.",
                    detail: format!("{field} must be a whole number from 1 to 1000"),
                    source: Some((
                        field.to_string(),
                        "must be a whole number from 1 to 1000".into(),
                    )),
                })
        };
        match key.as_str() {
            "page[number]" => number = parsed("page[number]")?,
            "page[size]" => size = parsed("page[size]")?,
            _ => {}
        }
    }
    Ok((number, size))
}

/// The background task that delivers webhooks and runs the time rules.
#[derive(Debug, Default)]
pub struct Engine {
    kick: tokio::sync::Notify,
}

impl Engine {
    /// Wakes the engine (after a request changed something, or the clock moved).
    pub fn kick(&self) {
        self.kick.notify_one();
    }
}

/// Starts the engine for this mock; it stops when the mock's state is dropped.
pub fn spawn(state: &AppState) -> tokio::task::JoinHandle<()> {
    let weak = std::sync::Arc::downgrade(state);
    tokio::spawn(async move {
        loop {
            let Some(state) = weak.upgrade() else { return };
            run_due(&state).await;
            let engine = &state.engine;
            tokio::select! {
                () = engine.kick.notified() => {}
                () = tokio::time::sleep(std::time::Duration::from_millis(25)) => {}
            }
        }
    })
}

/// What happened to one attempt.
enum Outcome {
    Delivered,
    Gone,
    Rejected,
    Failed,
}

/// Runs every time rule and delivery that is due, earliest first.
pub async fn run_due(state: &Shared) {
    loop {
        let now = state.clock.now();
        let next = {
            let mut store = state.store();
            if state.timeline_turn() {
                timeline::run_due(&mut store, now);
            }
            fan_out(&mut store, now);
            take_earliest_due(&mut store, now)
        };
        let Some((delivery, url, secret)) = next else {
            return;
        };
        let outcome = attempt(state, &delivery, &url, &secret).await;
        let mut store = state.store();
        match outcome {
            Outcome::Delivered | Outcome::Rejected => {}
            Outcome::Gone => {
                store
                    .subscriptions
                    .retain(|s| s.id != delivery.subscription_id);
                store
                    .deliveries
                    .retain(|d| d.subscription_id != delivery.subscription_id);
            }
            Outcome::Failed => {
                let wait =
                    FIRST_RETRY * 2i32.saturating_pow(delivery.attempt.saturating_sub(1).min(20));
                let due_at = delivery.due_at + wait;
                if due_at <= delivery.first_at + GIVE_UP_AFTER
                    && store
                        .subscriptions
                        .iter()
                        .any(|s| s.id == delivery.subscription_id)
                {
                    store.deliveries.push(Delivery {
                        attempt: delivery.attempt + 1,
                        due_at,
                        ..delivery
                    });
                }
            }
        }
    }
}

/// Every raised event becomes one delivery per subscription to its type.
fn fan_out(store: &mut super::store::Store, now: DateTime<Utc>) {
    let events = std::mem::take(&mut store.outbox);
    for event in events {
        let at = event.occurred_at.unwrap_or(now);
        let subscriptions: Vec<String> = store
            .subscriptions
            .iter()
            .filter(|s| s.event_type == event.event_type)
            .map(|s| s.id.clone())
            .collect();
        if subscriptions.is_empty() {
            continue;
        }
        let body = serde_json::to_vec(&event.payload).unwrap_or_default();
        for subscription_id in subscriptions {
            store.deliveries.push(Delivery {
                webhook_id: uuid::Uuid::new_v4().to_string(),
                subscription_id,
                event_type: event.event_type,
                entity_id: event.entity_id.clone(),
                body: body.clone(),
                attempt: 1,
                first_at: at,
                due_at: at,
            });
        }
    }
}

fn take_earliest_due(
    store: &mut super::store::Store,
    now: DateTime<Utc>,
) -> Option<(Delivery, String, String)> {
    let index = store
        .deliveries
        .iter()
        .enumerate()
        .filter(|(_, d)| d.due_at <= now)
        .min_by_key(|(_, d)| d.due_at)
        .map(|(i, _)| i)?;
    let delivery = store.deliveries.remove(index);
    let subscription = store
        .subscriptions
        .iter()
        .find(|s| s.id == delivery.subscription_id)?;
    let (url, secret) = (subscription.url.clone(), subscription.secret.clone());
    Some((delivery, url, secret))
}

async fn attempt(state: &Shared, delivery: &Delivery, url: &str, secret: &str) -> Outcome {
    let sent = state
        .http
        .post(url)
        .timeout(RECEIVER_TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Solaris-Webhook-Id", &delivery.webhook_id)
        .header("Solaris-Webhook-Subscription-Id", &delivery.subscription_id)
        .header("Solaris-Webhook-Event-Type", delivery.event_type)
        .header("Solaris-Entity-Id", &delivery.entity_id)
        .header("Solaris-Webhook-Attempt", delivery.attempt.to_string())
        .header(
            "Solaris-Webhook-Signature",
            signature(secret, &delivery.body),
        )
        .body(delivery.body.clone())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Outcome::Delivered,
        Ok(r) if r.status().as_u16() == 410 => Outcome::Gone,
        Ok(r) if r.status().as_u16() == 422 => Outcome::Rejected,
        _ => Outcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(check_url("https://partner.example/hooks").is_ok());
        assert!(check_url("http://127.0.0.1:8080/hooks").is_ok());
        assert!(check_url("http://localhost/hooks").is_ok());
        assert_eq!(
            check_url("http://partner.example/hooks").map_err(|e| e.code),
            Err("unsafe_webhook_url")
        );
        assert_eq!(
            check_url("not a url").map_err(|e| e.code),
            Err("invalid_model")
        );
    }

    #[test]
    fn paging_reads_json_api_parameters() {
        assert_eq!(paging("").ok(), Some((1, 10)));
        assert_eq!(paging("page[number]=2&page[size]=5").ok(), Some((2, 5)));
        assert_eq!(paging("page%5Bsize%5D=3").ok(), Some((1, 3)));
        assert!(paging("page[size]=0").is_err());
    }
}
