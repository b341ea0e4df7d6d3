//! The mock alone under load: person creation from C concurrent connections for S seconds.
//! Prints requests per second and latency percentiles.
//!
//! Usage: `mock_load CONNECTIONS SECONDS`.

use serde_json::{Value, json};
use solaris_conformance::mock::{self, MockConfig};
use std::time::{Duration, Instant};

/// The allocator the binary's mock (`solaris-conformance mock`) runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
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
    let base = served.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap_or_default();
    let token: Value = match http
        .post(format!("{base}/oauth2/token"))
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
    let token = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let until = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|c| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = 0usize;
                while Instant::now() < until {
                    i += 1;
                    let person = json!({
                        "salutation": null, "first_name": "Load", "last_name": "Test",
                        "address": {"line_1": "A", "line_2": "1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
                        "mobile_number": "+4915100000000", "birth_date": format!("19{:02}-{:02}-{:02}", 40 + i % 59, 1 + (i / 59) % 12, 1 + (c + i / 708) % 28),
                        "birth_city": format!("City{}", "x".repeat(c % 5 + 1)), "birth_country": "DE", "nationality": "DE",
                        "employment_status": "EMPLOYED", "tax_information": {"marital_status": "SINGLE"}, "fatca_relevant": false,
                        "fatca_crs_confirmed_at": "2024-01-01T00:00:00Z", "terms_conditions_signed_at": "2024-01-01T00:00:00Z",
                        "data_terms_signed_at": "2024-01-01T00:00:00Z", "own_economic_interest_signed_at": "2024-01-01T00:00:00Z"
                    });
                    let started = Instant::now();
                    let ok = http
                        .post(format!("{base}/v1/persons"))
                        .bearer_auth(&token)
                        .json(&person)
                        .send()
                        .await
                        .map(|r| r.status().as_u16() == 201)
                        .unwrap_or(false);
                    if ok {
                        latencies.push(started.elapsed());
                    }
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap_or_default());
    }
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "mock alone, POST /v1/persons, {connections} connections, {seconds} s: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms ({} created)",
        all.len() as f64 / seconds as f64,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        all.len()
    );
}
