//! The run's webhook subscriptions on a target that may be busy or lose answers: made once,
//! never by a blind second POST, and deleted again.

use super::{ApiClient, ClientError, Response};

/// Subscribes `url` to `event`; returns the subscription's id and secret.
///
/// A busy or unavailable target (429, 502, 503, 504) or a lost answer leaves it unknown whether
/// the subscription was made, so the POST is never simply sent again: the client first looks
/// for it (`GET /v1/webhooks`), deletes it if it is there (its secret was shown only in the
/// lost answer), and only then subscribes again, up to the client's safe retries.
pub async fn subscribe(
    client: &ApiClient,
    event: &str,
    url: &str,
) -> Result<(String, String), String> {
    use reqwest::Method;
    let body = serde_json::json!({ "event_type": event, "url": url });
    let detail = |r: &Response| super::error_detail(&r.body).unwrap_or("").to_string();
    let mut unclear = None;
    for attempt in 0..=client.safe_retries() {
        if unclear.is_some() {
            tokio::time::sleep(super::backoff(attempt)).await;
            match made_before(client, event, url).await {
                Ok(Some(id)) => {
                    if unsubscribe(client, &id).await.is_err() {
                        continue;
                    }
                }
                Ok(None) => {}
                // Still cannot tell: look again after the next wait.
                Err(()) => continue,
            }
        }
        match client.send(Method::POST, "/v1/webhooks", Some(&body)).await {
            Ok(r) if r.status == 201 => {
                let field = |name: &str| {
                    r.body
                        .get(name)
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                return Ok((field("id"), field("secret")));
            }
            Ok(r) if super::transient(r.status) => {
                unclear = Some(format!("answered HTTP {}: {}", r.status, detail(&r)));
            }
            Ok(r) => {
                return Err(format!(
                    "subscribing to {event} at {url} answered HTTP {}: {}",
                    r.status,
                    detail(&r)
                ));
            }
            Err(e @ ClientError::Unreachable { .. }) => unclear = Some(e.to_string()),
            Err(e) => return Err(format!("subscribing to {event} failed: {e}")),
        }
    }
    // The last attempt's answer may have been lost too: leave nothing behind.
    let left = match made_before(client, event, url).await {
        Ok(Some(id)) => match unsubscribe(client, &id).await {
            Ok(()) => String::new(),
            Err(e) => format!(
                "; the subscription {id} it may have made could not be deleted ({e}): delete it (DELETE /v1/webhooks/{id}), or the next subscription to {event} is refused"
            ),
        },
        Ok(None) => String::new(),
        Err(()) => format!(
            "; whether a subscription was made could not be read (GET /v1/webhooks): check that none to {url} is left"
        ),
    };
    Err(format!(
        "subscribing to {event} at {url} {}, after {} attempts{left}",
        unclear.unwrap_or_default(),
        client.safe_retries() + 1
    ))
}

/// Deletes the subscription `id`. A DELETE is idempotent (one that already happened leaves a 404),
/// so it is sent again after a busy or unavailable target or a lost answer, up to the client's
/// safe retries.
pub async fn unsubscribe(client: &ApiClient, id: &str) -> Result<(), String> {
    let path = format!("/v1/webhooks/{id}");
    let mut last = String::new();
    for attempt in 0..=client.safe_retries() {
        if attempt > 0 {
            tokio::time::sleep(super::backoff(attempt)).await;
        }
        match client.send(reqwest::Method::DELETE, &path, None).await {
            Ok(r) if r.status < 300 || r.status == 404 => return Ok(()),
            Ok(r) if super::transient(r.status) => {
                last = format!("HTTP {}", r.status);
            }
            Ok(r) => return Err(format!("HTTP {}", r.status)),
            Err(e @ ClientError::Unreachable { .. }) => last = e.to_string(),
            Err(e) => return Err(e.to_string()),
        }
    }
    Err(last)
}

/// The id of `event`'s subscription to `url`, if the target holds one; `Err` when the list
/// cannot be read.
pub async fn made_before(client: &ApiClient, event: &str, url: &str) -> Result<Option<String>, ()> {
    let mut page_size = None;
    let mut previous: Option<Vec<serde_json::Value>> = None;
    for page in 1..=20 {
        let path = format!("/v1/webhooks?page[number]={page}&page[size]=100");
        let r = client
            .send(reqwest::Method::GET, &path, None)
            .await
            .map_err(|_| ())?;
        let Some(list) = r.body.as_array().filter(|_| r.status == 200) else {
            return Err(());
        };
        let found = list.iter().find(|s| {
            s.get("event_type").and_then(serde_json::Value::as_str) == Some(event)
                && s.get("url").and_then(serde_json::Value::as_str) == Some(url)
        });
        if let Some(s) = found {
            return Ok(s
                .get("id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string));
        }
        // A target may serve fewer than asked for per page: the last page is the first
        // shorter one.
        // The same page again: the target does not page this list, and it was all read.
        if list.is_empty()
            || page_size.is_some_and(|full| list.len() < full)
            || previous.as_ref() == Some(list)
        {
            return Ok(None);
        }
        page_size.get_or_insert(list.len());
        previous = Some(list.clone());
    }
    Ok(None)
}
