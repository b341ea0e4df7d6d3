//! Webhooks as an outside partner meets them: a plain receiver of its own, the mock over a
//! real socket, subscriptions through the API, signatures checked by hand, retries counted
//! while the mock's clock moves.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use solaris_conformance::domain::events::signature;
use solaris_conformance::mock::{self, MockConfig};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Partner {
    got: Mutex<Vec<(HeaderMap, Bytes)>>,
    answer: Mutex<u16>,
}

async fn hook(State(p): State<Arc<Partner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    p.got.lock().expect("lock").push((headers, body));
    StatusCode::from_u16(*p.answer.lock().expect("lock")).unwrap_or(StatusCode::OK)
}

async fn partner() -> (Arc<Partner>, String) {
    let p = Arc::new(Partner {
        answer: Mutex::new(200),
        ..Default::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(Arc::clone(&p));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (p, url)
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn token(&self) -> String {
        let t: Value = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .basic_auth("mock-client", Some("mock-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        t["access_token"].as_str().expect("token").to_string()
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (u16, HeaderMap, Value) {
        // A fresh token each time: the clock moves by days in these tests.
        let token = self.token().await;
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("answer");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        (
            status,
            headers,
            res.json::<Value>().await.unwrap_or(Value::Null),
        )
    }
}

async fn wait_for(p: &Partner, count: usize) -> Vec<(HeaderMap, Bytes)> {
    for _ in 0..100 {
        let got = p.got.lock().expect("lock").clone();
        if got.len() >= count {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    p.got.lock().expect("lock").clone()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_deliveries_signatures_retries_and_410() {
    use reqwest::Method as M;
    let served = mock::start(MockConfig::default(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock");
    let api = Api {
        http: reqwest::Client::new(),
        base: served.base_url(),
    };
    let (p, url) = partner().await;

    // Subscribing: verified first, the secret shown once, one per event type.
    let (s, _, sub) = api
        .call(
            M::POST,
            "/v1/webhooks",
            json!({"event_type": "IDENTIFICATION", "url": url}),
        )
        .await;
    assert_eq!(s, 201, "{sub}");
    let secret = sub["secret"].as_str().expect("secret").to_string();
    let sub_id = sub["id"].as_str().expect("id").to_string();
    let verification = wait_for(&p, 1).await;
    assert_eq!(
        header(&verification[0].0, "solaris-webhook-event-type"),
        "WEBHOOK-SUBSCRIPTION"
    );
    assert!(verification[0].1.is_empty());
    p.got.lock().expect("lock").clear();
    let (s, _, shown) = api
        .call(M::GET, &format!("/v1/webhooks/{sub_id}"), Value::Null)
        .await;
    assert_eq!((s, &shown["secret"]), (200, &Value::Null));
    let (s, _, e) = api
        .call(
            M::POST,
            "/v1/webhooks",
            json!({"event_type": "IDENTIFICATION", "url": url}),
        )
        .await;
    assert_eq!(s, 400, "a second subscription to one event type: {e}");
    let (s, _, e) = api
        .call(
            M::POST,
            "/v1/webhooks",
            json!({"event_type": "PERSON_CHANGED", "url": "http://partner.example/hook"}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (400, Some("unsafe_webhook_url"))
    );
    let (s, headers, list) = api
        .call(M::GET, "/v1/webhooks?page[size]=1", Value::Null)
        .await;
    assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(header(&headers, "total"), "1");
    assert!(header(&headers, "link").contains("rel=\"first\""));

    // An event: the partner's endpoint fails, so the same delivery comes again as the clock moves.
    *p.answer.lock().expect("lock") = 503;
    let person = json!({
        "salutation": null, "first_name": "Mira", "last_name": "Vogel",
        "address": {"line_1": "Hauptstraße", "line_2": "1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "mobile_number": "+4915100000001", "birth_date": "1990-02-03", "birth_city": "Bonn", "birth_country": "DE",
        "nationality": "DE", "employment_status": "STUDENT", "tax_information": {"marital_status": "SINGLE"},
        "fatca_relevant": false, "fatca_crs_confirmed_at": "2024-01-01T00:00:00Z",
        "terms_conditions_signed_at": "2024-01-01T00:00:00Z", "data_terms_signed_at": "2024-01-01T00:00:00Z",
        "own_economic_interest_signed_at": "2024-01-01T00:00:00Z"
    });
    let (s, _, created) = api.call(M::POST, "/v1/persons", person).await;
    assert_eq!(s, 201, "{created}");
    let pid = created["id"].as_str().expect("id").to_string();
    let (_, _, ident) = api
        .call(
            M::POST,
            &format!("/v1/persons/{pid}/identifications"),
            json!({"method": "idnow", "language": "EN"}),
        )
        .await;
    let iid = ident["id"].as_str().expect("id").to_string();
    let (s, _, _) = api
        .call(
            M::PATCH,
            &format!("/v1/persons/{pid}/identifications/{iid}/request"),
            json!({}),
        )
        .await;
    assert_eq!(
        s, 200,
        "the call's answer does not depend on the failing receiver"
    );
    let first = wait_for(&p, 1).await;
    let (h, body) = &first[0];
    assert_eq!(header(h, "solaris-webhook-event-type"), "IDENTIFICATION");
    assert_eq!(header(h, "solaris-webhook-subscription-id"), sub_id);
    assert_eq!(header(h, "solaris-entity-id"), iid);
    assert_eq!(header(h, "solaris-webhook-attempt"), "1");
    assert_eq!(
        header(h, "solaris-webhook-signature"),
        signature(&secret, body),
        "signed over the exact bytes"
    );
    let payload: Value = serde_json::from_slice(body).expect("json");
    assert_eq!(payload["status"], json!("pending"));
    let webhook_id = header(h, "solaris-webhook-id").to_string();

    // No retry before its time; then attempts 2 and 3 with the same Solaris-Webhook-Id.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(p.got.lock().expect("lock").len(), 1);
    api.call(M::POST, "/simulator/clock/advance", json!({"seconds": 60}))
        .await;
    let got = wait_for(&p, 2).await;
    assert_eq!(header(&got[1].0, "solaris-webhook-attempt"), "2");
    assert_eq!(header(&got[1].0, "solaris-webhook-id"), webhook_id);
    api.call(M::POST, "/simulator/clock/advance", json!({"seconds": 120}))
        .await;
    let got = wait_for(&p, 3).await;
    assert_eq!(header(&got[2].0, "solaris-webhook-attempt"), "3");

    // 410 ends the subscription.
    *p.answer.lock().expect("lock") = 410;
    api.call(M::POST, "/simulator/clock/advance", json!({"seconds": 240}))
        .await;
    wait_for(&p, 4).await;
    let mut ended = false;
    for _ in 0..50 {
        let (_, _, list) = api.call(M::GET, "/v1/webhooks", Value::Null).await;
        if list.as_array().is_some_and(Vec::is_empty) {
            ended = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ended, "a 410 ends the subscription");
    api.call(M::POST, "/simulator/clock/advance", json!({"days": 1}))
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        p.got.lock().expect("lock").len(),
        4,
        "nothing more after the 410"
    );
    served.shutdown().await;
}
