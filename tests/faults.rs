//! The mock with faults on, and the runner's client against it: safe requests still get their
//! answer, a refused POST is not repeated, and the mock holds exactly what was created.

use serde_json::json;
use solaris_conformance::client::{ApiClient, Target};
use solaris_conformance::mock::{self, Faults, MockConfig};
use std::time::Duration;

fn person(n: usize) -> serde_json::Value {
    json!({
        "salutation": null, "first_name": "Fault", "last_name": "Tolerant",
        "address": {"line_1": "Hauptstraße", "line_2": "1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "mobile_number": "+4915100000001", "birth_date": format!("19{:02}-01-01", 40 + n),
        "birth_city": "Bonn", "birth_country": "DE", "nationality": "DE", "employment_status": "STUDENT",
        "tax_information": {"marital_status": "SINGLE"}, "fatca_relevant": false,
        "fatca_crs_confirmed_at": "2024-01-01T00:00:00Z", "terms_conditions_signed_at": "2024-01-01T00:00:00Z",
        "data_terms_signed_at": "2024-01-01T00:00:00Z", "own_economic_interest_signed_at": "2024-01-01T00:00:00Z"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_faults_safe_requests_get_through_and_nothing_is_duplicated_or_lost() {
    let faults: Faults = "latency=2ms,error-rate=0.3,seed=11"
        .parse()
        .expect("faults");
    let config = MockConfig {
        faults: Some(faults),
        ..MockConfig::default()
    };
    let served = mock::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock");
    let url = served.base_url();
    let target = Target {
        name: url.clone(),
        api_url: url.clone(),
        auth_url: url,
        client_id: "mock-client".into(),
        client_secret: "mock-secret".into(),
        simulation: true,
    };
    let client = ApiClient::new(target, Duration::from_secs(5)).expect("client");

    let mut created = Vec::new();
    let mut refused = 0;
    for n in 0..40 {
        let answer = client
            .send(reqwest::Method::POST, "/v1/persons", Some(&person(n)))
            .await
            .expect("an answer");
        match answer.status {
            201 => created.push(answer.body["id"].as_str().expect("id").to_string()),
            503 => {
                // The Solaris envelope, naming what happened.
                assert_eq!(
                    answer.body["errors"][0]["code"], "service_unavailable",
                    "{}",
                    answer.body
                );
                refused += 1;
            }
            other => panic!("unexpected HTTP {other}: {}", answer.body),
        }
    }
    assert!(
        refused > 0 && !created.is_empty(),
        "at a 30% rate some of 40 are refused: {refused} refused"
    );

    // Every safe request gets its answer through the faults.
    for id in &created {
        let answer = client
            .send(reqwest::Method::GET, &format!("/v1/persons/{id}"), None)
            .await
            .expect("an answer");
        assert_eq!(
            answer.status, 200,
            "GET {id} after retries: {}",
            answer.body
        );
    }
    // Exactly what was answered 201 exists: a refused POST created nothing, none was sent twice.
    let stats = client
        .send(reqwest::Method::GET, "/simulator/stats", None)
        .await
        .expect("stats");
    assert_eq!(
        stats.body["persons"],
        json!(created.len()),
        "{}",
        stats.body
    );
    served.shutdown().await;
}
