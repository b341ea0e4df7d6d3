//! The floor for the benchmark: the German onboarding journey's HTTP requests, sent by a bare
//! reqwest loop against the same embedded mock, with no cucumber, schemas or reports.
//! The same requests as `bench/gen.sh`'s journey makes through the runner (16 plus polling).
//!
//! Usage: `bare_journeys N CONCURRENCY`; prints `wall <seconds>`.

use reqwest::{Client, Method};
use serde_json::{Value, json};
use solaris_conformance::mock::{self, MockConfig};
use std::sync::Arc;
use std::time::Instant;

/// The runner's allocator, so that the floor differs from the runner only by the runner's
/// work (the mock in this process allocates the same either way).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Api {
    http: Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        match req.send().await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(e) => {
                eprintln!("request failed: {e}");
                Value::Null
            }
        }
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

async fn journey(api: &Api, n: usize) {
    let person = json!({
        "salutation": "MS", "first_name": format!("Bench Nr{}", "a".repeat(n % 7 + 1)), "last_name": "Klemm",
        "address": {"line_1": "Leopoldstraße", "line_2": "96", "postal_code": "13347", "city": "Berlin", "country": "DE"},
        "mobile_number": format!("+49151{:08}", n), "birth_date": format!("19{:02}-0{}-1{}", 50 + n % 49, n % 9 + 1, n % 9),
        "birth_city": "Berlin", "birth_country": "DE", "nationality": "DE", "employment_status": "EMPLOYED",
        "tax_information": {"marital_status": "MARRIED"}, "fatca_relevant": false,
        "fatca_crs_confirmed_at": "2024-01-01T00:00:00Z", "terms_conditions_signed_at": "2024-01-01T00:00:00Z",
        "data_terms_signed_at": "2024-01-01T00:00:00Z", "own_economic_interest_signed_at": "2024-01-01T00:00:00Z"
    });
    let number = person["mobile_number"].clone();
    let pid = id(&api.call(Method::POST, "/v1/persons", Some(person)).await);
    api.call(Method::GET, &format!("/v1/persons/{pid}"), None)
        .await;
    let base = format!("/v1/persons/{pid}/mobile_number");
    api.call(Method::POST, &base, Some(json!({"number": number})))
        .await;
    api.call(
        Method::POST,
        &format!("{base}/authorize"),
        Some(json!({"number": number})),
    )
    .await;
    api.call(
        Method::POST,
        &format!("{base}/confirm"),
        Some(json!({"number": number, "token": "212212"})),
    )
    .await;
    api.call(Method::GET, &base, None).await;
    let tin = json!({"country": "DE", "number": "48954371207", "primary": true});
    api.call(
        Method::POST,
        &format!("/v1/persons/{pid}/tax_identifications"),
        Some(tin),
    )
    .await;
    let ident = json!({"method": "idnow", "language": "DE"});
    let iid = id(&api
        .call(
            Method::POST,
            &format!("/v1/persons/{pid}/identifications"),
            Some(ident),
        )
        .await);
    api.call(
        Method::PATCH,
        &format!("/v1/persons/{pid}/identifications/{iid}/request"),
        Some(json!({})),
    )
    .await;
    let outcome = format!("/simulator/persons/{pid}/identifications/{iid}/outcome");
    api.call(
        Method::POST,
        &outcome,
        Some(json!({"status": "successful"})),
    )
    .await;
    let aor = json!({"customer_id": pid, "customer_type": "Person", "product_name": "CURRENT_ACCOUNT_CONSUMER_GERMANY",
        "account_type": "CHECKING_PERSONAL", "account_currency": "EUR", "account_bic": "SOBKDEB2XXX", "account_purpose": "primary"});
    let rid = id(&api
        .call(Method::POST, "/v1/accounts/opening_requests", Some(aor))
        .await);
    let account = loop {
        let r = api
            .call(
                Method::GET,
                &format!("/v1/accounts/opening_requests/{rid}"),
                None,
            )
            .await;
        if r["status"] != json!("INITIATED") {
            break r["account_id"].as_str().unwrap_or_default().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let card = json!({"line_1": "BENCH WITHSTATICTOKEN/KLEMM", "type": "MASTERCARD_DEBIT"});
    let cid = id(&api
        .call(
            Method::POST,
            &format!("/v1/persons/{pid}/accounts/{account}/cards"),
            Some(card),
        )
        .await);
    loop {
        let c = api
            .call(Method::GET, &format!("/v1/cards/{cid}"), None)
            .await;
        if c["status"] != json!("PROCESSING") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    api.call(
        Method::POST,
        &format!("/v1/cards/{cid}/activate"),
        Some(json!({})),
    )
    .await;
    api.call(Method::GET, &format!("/v1/cards/{cid}"), None)
        .await;
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let started = Instant::now();
    let served = match mock::start(
        MockConfig::default(),
        "127.0.0.1:0".parse().expect("an address"),
    )
    .await
    {
        Ok(m) => m,
        Err(e) => {
            eprintln!("cannot start the mock: {e}");
            std::process::exit(2);
        }
    };
    let http = Client::new();
    let token: Value = match http
        .post(format!("{}/oauth2/token", served.base_url()))
        .basic_auth("mock-client", Some("mock-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
    {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(e) => {
            eprintln!("no token: {e}");
            std::process::exit(3);
        }
    };
    let api = Arc::new(Api {
        http,
        base: served.base_url(),
        token: token["access_token"].as_str().unwrap_or_default().into(),
    });
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (api, next) = (Arc::clone(&api), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    journey(&api, i).await;
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    println!("wall {:.3}", started.elapsed().as_secs_f64());
}
