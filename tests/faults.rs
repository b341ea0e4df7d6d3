//! The mock with faults on, and the runner's client against it: safe requests still get their
//! answer, a refused POST is not repeated, the mock holds exactly what was created, and the
//! run's webhook subscriptions are made once through refusals and lost answers.

use serde_json::json;
use solaris_conformance::client::receiver::Receiver;
use solaris_conformance::client::{ApiClient, Target, subscriptions};
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

/// A mock served with `faults`, and the runner's client for it.
async fn faulty_mock(faults: Faults) -> (mock::RunningMock, ApiClient) {
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
    (served, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_faults_safe_requests_get_through_and_nothing_is_duplicated_or_lost() {
    let faults: Faults = "latency=2ms,error-rate=0.3,seed=11"
        .parse()
        .expect("faults");
    let (served, client) = faulty_mock(faults).await;

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

/// Against a mock that refuses 40% of `/v1` requests with 503: a subscription is made once
/// or not at all (never twice, never left behind by a failed attempt), and it is deleted
/// through the same faults.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_subscription_through_faults_is_made_once_and_deleted() {
    let (made, after_a_failure) = subscriptions_through("error-rate=0.4", 0.4).await;
    assert!(
        made >= 3,
        "at a 40% refusal rate most subscriptions get through: {made} of 6"
    );
    assert!(
        after_a_failure > 0,
        "some subscription was made after its first POST was refused"
    );
}

/// Against a mock that handles requests but loses half their answers (504): a subscription
/// made by a POST whose answer was lost is found and deleted before the next POST, so one
/// subscription is left, the one whose id and secret the runner holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_whose_answer_was_lost_is_found_and_replaced_not_doubled() {
    let (made, after_a_failure) = subscriptions_through("lost-rate=0.5", 0.5).await;
    assert!(made >= 2, "{made} of 6 subscriptions made");
    assert!(
        after_a_failure > 0,
        "some subscription was made after its first POST's answer was lost"
    );
}

/// Subscribes through a mock with `faults` (plus a seed from 1 to 6, one mock each) and
/// checks what the mock holds after each; returns how many subscriptions were made, and how
/// many of those after the first POST failed (the first `/v1` request draws below `rate`).
async fn subscriptions_through(faults: &str, rate: f64) -> (usize, usize) {
    let mut made = 0;
    let mut made_after_a_failure = 0;
    for seed in 1..=6 {
        let faults: Faults = format!("{faults},seed={seed}").parse().expect("faults");
        // The first `/v1` request is the first POST: does it meet the fault?
        let first_failed = faults.draw(0) < rate;
        let (_served, client) = faulty_mock(faults).await;
        let receiver = Receiver::start("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("receiver");
        // What the mock holds, through `/simulator` (which has no faults).
        let held = || async {
            let stats = client
                .send(reqwest::Method::GET, "/simulator/stats", None)
                .await
                .expect("stats");
            stats.body["webhook_subscriptions"]
                .as_u64()
                .expect("a count")
        };
        let to = receiver.local_url();
        match subscriptions::subscribe(&client, "IDENTIFICATION", &to, false).await {
            Ok(subscriptions::Subscribed { id, secret, .. }) => {
                made += 1;
                made_after_a_failure += usize::from(first_failed);
                assert!(!id.is_empty() && !secret.is_empty(), "seed {seed}");
                assert_eq!(held().await, 1, "seed {seed}: exactly one subscription");
                assert_eq!(
                    subscriptions::made_before(&client, "IDENTIFICATION", &to).await,
                    Ok(Some(id.clone())),
                    "seed {seed}: the one held is the one the runner knows"
                );
                match subscriptions::unsubscribe(&client, &id).await {
                    Ok(()) => assert_eq!(held().await, 0, "seed {seed}: deleted"),
                    Err(e) => assert!(e.contains("50"), "seed {seed}: {e}"),
                }
            }
            Err(problem) => {
                assert!(problem.contains("after 4 attempts"), "{problem}");
                assert_eq!(held().await, 0, "seed {seed}: nothing left behind");
            }
        }
    }
    (made, made_after_a_failure)
}

/// A run that was killed leaves its subscriptions on the target, which holds one per event
/// type. The next run replaces one that delivers to its own URL (a fixed `--webhook-url`),
/// refuses one that delivers elsewhere with the id, URL and how to delete it, and takes that
/// one over too with `--replace-subscriptions`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_left_by_a_killed_run_is_replaced_when_it_delivers_to_this_run() {
    let (_served, client) = faulty_mock("seed=1".parse().expect("no faults")).await;
    let ours = Receiver::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("receiver");
    let elsewhere = Receiver::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("receiver");
    let (ours, elsewhere) = (ours.local_url(), elsewhere.local_url());
    let subscribe = |url: String, replace_any: bool| {
        let client = &client;
        async move { subscriptions::subscribe(client, "IDENTIFICATION", &url, replace_any).await }
    };
    let held = || async {
        subscriptions::held_for(&client, "IDENTIFICATION")
            .await
            .expect("the list is read")
    };

    // Left by a killed run with the same receiver URL: replaced.
    let left = subscribe(ours.clone(), false).await.expect("first run");
    assert_eq!(left.replaced, None);
    let next = subscribe(ours.clone(), false).await.expect("next run");
    assert_eq!(next.replaced, Some((left.id.clone(), ours.clone())));
    assert_ne!(next.id, left.id);
    assert_eq!(held().await, Some((next.id.clone(), ours.clone())));

    // Held for another URL: refused, named, and left alone.
    let refused = subscribe(elsewhere.clone(), false)
        .await
        .expect_err("another URL's subscription is not taken over");
    for part in [
        next.id.as_str(),
        ours.as_str(),
        "one per event type",
        "--replace-subscriptions",
    ] {
        assert!(refused.contains(part), "{part} in: {refused}");
    }
    assert_eq!(held().await, Some((next.id.clone(), ours.clone())));

    // Taken over when asked to.
    let taken = subscribe(elsewhere.clone(), true)
        .await
        .expect("taken over");
    assert_eq!(taken.replaced, Some((next.id, ours)));
    assert_eq!(held().await, Some((taken.id.clone(), elsewhere)));

    // Taken over for a receiver the target cannot reach: the refusal says what was deleted.
    let unreachable = subscribe("http://127.0.0.1:9/webhooks".into(), true)
        .await
        .expect_err("a receiver nobody answers at is refused");
    assert!(
        unreachable.contains(&taken.id) && unreachable.contains("deleted to make room"),
        "{unreachable}"
    );
    assert_eq!(held().await, None);
}
