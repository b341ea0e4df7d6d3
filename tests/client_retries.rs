//! The client against a flaky server: safe requests are sent again after 503 (honouring
//! Retry-After), a POST never is, and a 401 brings a fresh token once.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::json;
use solaris_conformance::client::{ApiClient, Target};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counts {
    tokens: AtomicUsize,
    gets: AtomicUsize,
    posts: AtomicUsize,
}

async fn flaky_server() -> (String, Arc<Counts>) {
    let counts = Arc::new(Counts::default());
    let (c1, c2, c3) = (
        Arc::clone(&counts),
        Arc::clone(&counts),
        Arc::clone(&counts),
    );
    let app = Router::new()
        .route(
            "/oauth2/token",
            post(move || {
                let n = c1.tokens.fetch_add(1, Ordering::SeqCst);
                async move { axum::Json(json!({"access_token": format!("t{n}"), "expires_in": 3599, "scope": "partners", "token_type": "bearer"})) }
            }),
        )
        .route(
            "/v1/thing",
            get(move |headers: HeaderMap| {
                let n = c2.gets.fetch_add(1, Ordering::SeqCst);
                let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                async move {
                    match n {
                        // First token is refused once: the client fetches a new one.
                        0 => (StatusCode::UNAUTHORIZED, HeaderMap::new(), "{}").into_response(),
                        1 | 2 => {
                            let mut h = HeaderMap::new();
                            h.insert("retry-after", "1".parse().expect("header"));
                            (StatusCode::SERVICE_UNAVAILABLE, h, "{}").into_response()
                        }
                        _ => (StatusCode::OK, HeaderMap::new(), format!("{{\"token\": \"{bearer}\"}}")).into_response(),
                    }
                }
            })
            .post(move || {
                c3.posts.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::SERVICE_UNAVAILABLE, "{}").into_response() }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, counts)
}

fn client(url: &str) -> ApiClient {
    let target = Target {
        name: url.into(),
        api_url: url.into(),
        auth_url: url.into(),
        client_id: "id".into(),
        client_secret: "secret".into(),
        simulation: false,
    };
    ApiClient::new(target, Duration::from_secs(5)).expect("client")
}

#[tokio::test]
async fn a_get_is_retried_after_503_and_a_401_renews_the_token_once() {
    let (url, counts) = flaky_server().await;
    let api = client(&url);
    let started = Instant::now();
    let answer = api
        .send(reqwest::Method::GET, "/v1/thing", None)
        .await
        .expect("an answer");
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body["token"],
        json!("Bearer t1"),
        "the second token was used after the 401"
    );
    assert_eq!(counts.gets.load(Ordering::SeqCst), 4);
    assert_eq!(counts.tokens.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After: 1 was honoured twice"
    );
}

#[tokio::test]
async fn a_post_is_never_sent_twice() {
    let (url, counts) = flaky_server().await;
    let api = client(&url);
    let answer = api
        .send(reqwest::Method::POST, "/v1/thing", Some(&json!({})))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 503);
    assert_eq!(counts.posts.load(Ordering::SeqCst), 1);
}
