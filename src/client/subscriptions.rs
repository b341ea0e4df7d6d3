//! The run's webhook subscriptions on a target that may be busy or lose answers: made once,
//! never by a blind second POST, and deleted again.

use super::{ApiClient, ClientError, Response};

/// A subscription the run made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    pub id: String,
    pub secret: String,
    /// The subscription to the same event that was deleted to make room for this one (one per
    /// event type): its id and URL.
    pub replaced: Option<(String, String)>,
}

/// Subscribes `url` to `event`.
///
/// A busy or unavailable target (429, 502, 503, 504) or a lost answer leaves it unknown whether
/// the subscription was made, so the POST is never simply sent again: the client first looks
/// for it (`GET /v1/webhooks`), deletes it if it is there (its secret was shown only in the
/// lost answer), and only then subscribes again, up to the client's safe retries.
///
/// A target holds one subscription per event type. When the subscription is refused and the
/// target holds one for `event` already, it is deleted and the subscription made again if it
/// delivers to `url` itself (a run that was killed left it: what it delivers comes to this
/// run's receiver anyway), or for any URL when `replace_any` is set (`--replace-subscriptions`).
/// Otherwise the refusal names the subscription held, its URL and how to delete it.
pub async fn subscribe(
    client: &ApiClient,
    event: &str,
    url: &str,
    replace_any: bool,
) -> Result<Subscribed, String> {
    use reqwest::Method;
    let body = serde_json::json!({ "event_type": event, "url": url });
    let detail = |r: &Response| super::error_detail(&r.body).unwrap_or("").to_string();
    let mut unclear = None;
    let mut replaced = None;
    let mut tries = 0;
    while tries <= client.safe_retries() {
        let attempt = tries;
        tries += 1;
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
                return Ok(Subscribed {
                    id: field("id"),
                    secret: field("secret"),
                    replaced,
                });
            }
            Ok(r) if super::transient(r.status) => {
                unclear = Some(format!("answered HTTP {}: {}", r.status, detail(&r)));
            }
            Ok(r) => {
                let refused = format!(
                    "subscribing to {event} at {url} answered HTTP {}: {}",
                    r.status,
                    detail(&r)
                );
                // Room is made once; a refusal after that is the answer.
                if replaced.is_some() || !(400..500).contains(&r.status) {
                    return Err(format!("{refused}{}", deleted(&replaced)));
                }
                replaced = Some(make_room(client, event, url, replace_any, &refused).await?);
                // Making room is not one of the attempts.
                tries -= 1;
            }
            Err(e @ ClientError::Unreachable { .. }) => unclear = Some(e.to_string()),
            Err(e) => {
                return Err(format!(
                    "subscribing to {event} failed: {e}{}",
                    deleted(&replaced)
                ));
            }
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
        "subscribing to {event} at {url} {}, after {} attempts{left}{}",
        unclear.unwrap_or_default(),
        client.safe_retries() + 1,
        deleted(&replaced)
    ))
}

/// After the subscription to `event` at `url` was `refused`: deletes the subscription the
/// target holds for `event`, when it delivers to `url` itself or `replace_any` is set, and
/// gives its id and URL; otherwise the refusal, with what is held and how to delete it.
async fn make_room(
    client: &ApiClient,
    event: &str,
    url: &str,
    replace_any: bool,
    refused: &str,
) -> Result<(String, String), String> {
    match held_for(client, event).await {
        Ok(Some((id, held_url))) if held_url == url || replace_any => {
            match unsubscribe(client, &id).await {
                Ok(()) => Ok((id, held_url)),
                Err(e) => Err(format!(
                    "{refused}; the subscription {id} the target holds for {event} (to {held_url}) could not be deleted ({e})"
                )),
            }
        }
        Ok(Some((id, held_url))) => Err(format!(
            "{refused}; the target already holds the subscription {id} for {event}, to {held_url} (one per event type): if no other run is using it, delete it (DELETE /v1/webhooks/{id}) or run with --replace-subscriptions"
        )),
        Ok(None) | Err(()) => Err(refused.to_string()),
    }
}

/// What an error says when room was made for the subscription before it failed: the
/// subscription that was deleted is gone.
fn deleted(replaced: &Option<(String, String)>) -> String {
    match replaced {
        Some((id, url)) => format!(
            "; the subscription {id} that was held for this event (to {url}) had been deleted to make room"
        ),
        None => String::new(),
    }
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
    Ok(find(client, event, Some(url)).await?.map(|(id, _)| id))
}

/// The id and URL of the subscription the target holds for `event` (one per event type), if
/// any; `Err` when the list cannot be read.
pub async fn held_for(client: &ApiClient, event: &str) -> Result<Option<(String, String)>, ()> {
    find(client, event, None).await
}

/// The id and URL of a subscription to `event` (to `url` when given), looked for on every page
/// of the target's list.
async fn find(
    client: &ApiClient,
    event: &str,
    url: Option<&str>,
) -> Result<Option<(String, String)>, ()> {
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
        let text = |s: &serde_json::Value, name: &str| {
            s.get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let found = list.iter().find(|s| {
            text(s, "event_type").as_deref() == Some(event)
                && url.is_none_or(|url| text(s, "url").as_deref() == Some(url))
        });
        if let Some(s) = found {
            return Ok(text(s, "id").zip(text(s, "url")));
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
