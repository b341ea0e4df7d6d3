//! The partner's webhook endpoint, played by the runner: [`Receiver`] listens on 127.0.0.1,
//! records every delivery with its headers and exact body, verifies the
//! `Solaris-Webhook-Signature` with the subscription's secret, and answers as scenarios ask
//! (a scenario can make it fail, answer 410 or 422 for its own customer's webhooks).

use crate::domain::events::signature;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One delivery as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_type: String,
    pub webhook_id: String,
    pub subscription_id: String,
    pub entity_id: String,
    /// `Solaris-Webhook-Attempt`, if it was a number.
    pub attempt: Option<u32>,
    pub headers: Vec<(String, String)>,
    /// The exact body, as text.
    pub raw: String,
    /// The body as JSON (`Null` if it was not JSON).
    pub body: Value,
    /// `Some(true)` when the signature matches the subscription's secret; `None` when the
    /// receiver knows no secret for the subscription.
    pub signature_valid: Option<bool>,
    /// What the receiver answered.
    pub answered: u16,
}

impl Received {
    /// Whether the delivery is about something that carries `token` (a person id, say).
    pub fn mentions(&self, token: &str) -> bool {
        !token.is_empty() && (self.entity_id == token || self.raw.contains(token))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    arrived: tokio::sync::Notify,
    /// Subscription id → secret.
    secrets: Mutex<HashMap<String, String>>,
    /// Token → status to answer for deliveries that mention it.
    answers: Mutex<HashMap<String, u16>>,
}

/// A running receiver; stops when dropped.
#[derive(Debug)]
pub struct Receiver {
    addr: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let event_type = get("solaris-webhook-event-type");
    if event_type == "WEBHOOK-SUBSCRIPTION" {
        return StatusCode::OK; // the verification request
    }
    let raw = String::from_utf8_lossy(&body).into_owned();
    let subscription_id = get("solaris-webhook-subscription-id");
    let signature_valid = lock(&inner.secrets)
        .get(&subscription_id)
        .map(|secret| signature(secret, &body) == get("solaris-webhook-signature"));
    let mut received = Received {
        event_type,
        webhook_id: get("solaris-webhook-id"),
        subscription_id,
        entity_id: get("solaris-entity-id"),
        attempt: get("solaris-webhook-attempt").parse().ok(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    v.to_str().unwrap_or("[binary]").to_string(),
                )
            })
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw,
        signature_valid,
        answered: 200,
    };
    let answer = lock(&inner.answers)
        .iter()
        .find(|(token, _)| received.mentions(token))
        .map(|(_, s)| *s);
    received.answered = answer.unwrap_or(200);
    lock(&inner.received).push(received);
    inner.arrived.notify_waiters();
    StatusCode::from_u16(answer.unwrap_or(200)).unwrap_or(StatusCode::OK)
}

impl Receiver {
    /// Listens on `bind` (port 0 picks a free one).
    pub async fn start(bind: SocketAddr) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route("/webhooks", post(receive))
            .with_state(Arc::clone(&inner));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Receiver {
            addr,
            inner,
            shutdown: Some(tx),
        })
    }

    /// The local URL deliveries go to.
    pub fn local_url(&self) -> String {
        format!("http://{}/webhooks", self.addr)
    }

    pub fn remember_secret(&self, subscription_id: &str, secret: &str) {
        lock(&self.inner.secrets).insert(subscription_id.to_string(), secret.to_string());
    }

    /// From now on, deliveries that mention `token` are answered with `status`.
    pub fn answer_with(&self, token: &str, status: u16) {
        lock(&self.inner.answers).insert(token.to_string(), status);
    }

    /// Deliveries that mention `token` are answered 200 again.
    pub fn recover(&self, token: &str) {
        lock(&self.inner.answers).remove(token);
    }

    /// Every delivery so far that satisfies `matches`, in arrival order.
    pub fn received(&self, matches: impl Fn(&Received) -> bool) -> Vec<Received> {
        lock(&self.inner.received)
            .iter()
            .filter(|r| matches(r))
            .cloned()
            .collect()
    }

    /// Waits until `done` holds for the deliveries that satisfy `matches`, or `within` passes;
    /// returns those deliveries either way.
    pub async fn wait_until(
        &self,
        within: Duration,
        matches: impl Fn(&Received) -> bool,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let arrived = self.inner.arrived.notified();
            let now = self.received(&matches);
            if done(&now) || Instant::now() >= deadline {
                return now;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), arrived).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
