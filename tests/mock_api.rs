//! The mock's routes, in-process through `app(..).oneshot(..)`, plus one walk through the whole
//! German onboarding over a real socket with a plain HTTP client.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use solaris_conformance::mock::{self, MockConfig};
use tower::ServiceExt;

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.expect("the router answers");
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let bytes = res.into_body().collect().await.expect("a body").to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(content_type.as_deref(), Some("application/json"));
    }
    (status, body)
}

async fn token(app: &axum::Router) -> String {
    let basic = base64::engine::general_purpose::STANDARD.encode("mock-client:mock-secret");
    let req = Request::post("/oauth2/token")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=client_credentials&scope=partners"))
        .expect("request");
    let (status, body) = send(app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], json!(3599));
    body["access_token"].as_str().expect("a token").to_string()
}

fn authed(method: &str, uri: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn assert_envelope(body: &Value, status: u16, code: &str) {
    let e = &body["errors"][0];
    assert_eq!(e["status"], json!(status), "{body}");
    assert_eq!(e["code"], json!(code), "{body}");
    for key in ["id", "title", "detail"] {
        assert!(e[key].is_string(), "{key} missing in {body}");
    }
}

#[tokio::test]
async fn bad_input_gets_the_error_envelope_never_a_5xx() {
    let app = mock::app(mock::state(MockConfig::default()));
    let t = token(&app).await;
    let cases: Vec<(Request<Body>, u16, &str)> = vec![
        (
            authed("POST", "/v1/persons", &t, "{not json"),
            400,
            "invalid_json",
        ),
        (
            authed("POST", "/v1/persons", &t, "[1,2]"),
            400,
            "type_error",
        ),
        (
            authed("POST", "/v1/persons", &t, r#"{"first_name": 7}"#),
            400,
            "type_error",
        ),
        (authed("GET", "/v1/nowhere", &t, ""), 404, "not_found"),
        (
            authed("DELETE", "/v1/persons", &t, ""),
            405,
            "method_not_allowed",
        ),
        (
            authed("GET", "/v1/persons/0000cper", &t, ""),
            404,
            "model_not_found",
        ),
        (
            authed("GET", "/v1/persons/x", "wrong-token", ""),
            401,
            "invalid_token",
        ),
        (
            Request::get("/v1/persons/x")
                .body(Body::empty())
                .expect("request"),
            401,
            "token_required",
        ),
        (
            authed("POST", "/simulator/clock/advance", &t, r#"{"days": -1}"#),
            400,
            "invalid_model",
        ),
    ];
    for (req, status, code) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let (got, body) = send(&app, req).await;
        assert_eq!(got.as_u16(), status, "{what}: {body}");
        assert_envelope(&body, status, code);
    }
}

#[tokio::test]
async fn wrong_client_credentials_get_401_in_the_envelope() {
    let app = mock::app(mock::state(MockConfig::default()));
    let basic = base64::engine::general_purpose::STANDARD.encode("mock-client:wrong");
    let req = Request::post("/oauth2/token")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::from("grant_type=client_credentials"))
        .expect("request");
    let (status, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_envelope(&body, 401, "invalid_client");
}

#[tokio::test]
async fn tokens_expire_after_an_hour_of_the_mock_clock() {
    let app = mock::app(mock::state(MockConfig::default()));
    let t = token(&app).await;
    let (status, _) = send(
        &app,
        authed(
            "POST",
            "/simulator/clock/advance",
            &t,
            r#"{"seconds": 3601}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(&app, authed("GET", "/simulator/clock", &t, "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_envelope(&body, 401, "invalid_token");
}

fn german_person(first: &str) -> Value {
    json!({
        "salutation": "MS", "first_name": first, "last_name": "Klemm",
        "address": {"line_1": "Leopoldstraße", "line_2": "96", "postal_code": "13347", "city": "Berlin", "country": "DE"},
        "mobile_number": "+49 151 2345-6789", "birth_date": "1985-12-14", "birth_city": "Berlin",
        "birth_country": "DE", "nationality": "DE", "employment_status": "EMPLOYED",
        "tax_information": {"marital_status": "MARRIED"}, "fatca_relevant": false,
        "fatca_crs_confirmed_at": "2022-01-01T00:00:00Z", "terms_conditions_signed_at": "2022-01-01T00:00:00Z",
        "data_terms_signed_at": "2022-01-01T00:00:00Z", "own_economic_interest_signed_at": "2022-01-01T00:00:00+00:00"
    })
}

#[tokio::test]
async fn a_person_is_created_with_consents_echoed_in_milliseconds_and_patched_within_the_rules() {
    let app = mock::app(mock::state(MockConfig::default()));
    let t = token(&app).await;
    let (status, p) = send(
        &app,
        authed(
            "POST",
            "/v1/persons",
            &t,
            &german_person("Theresa").to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert!(
        p["id"]
            .as_str()
            .is_some_and(|id| id.len() == 36 && id.ends_with("cper")),
        "{p}"
    );
    assert_eq!(
        p["terms_conditions_signed_at"],
        json!("2022-01-01T00:00:00.000Z")
    );
    assert_eq!(
        p["own_economic_interest_signed_at"],
        json!("2022-01-01T00:00:00.000Z")
    );
    assert_eq!(p["mobile_number"], json!("+4915123456789"));
    assert_eq!(p["screening_progress"], json!("NOT_SCREENED"));
    let id = p["id"].as_str().expect("id");

    let (status, body) = send(
        &app,
        authed(
            "PATCH",
            &format!("/v1/persons/{id}"),
            &t,
            r#"{"birth_date": "1990-01-01"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["source"]["field"], json!("birth_date"));

    let (status, body) = send(
        &app,
        authed(
            "PATCH",
            &format!("/v1/persons/{id}"),
            &t,
            r#"{"employment_status": "FREELANCER"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["errors"][0]["source"]["field"],
        json!("employment_status")
    );

    let ok = r#"{"employment_status": "FREELANCER", "industry": null, "industry_key": null, "address": {"city": "Potsdam"}}"#;
    let (status, body) = send(&app, authed("PATCH", &format!("/v1/persons/{id}"), &t, ok)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["address"]["city"], json!("Potsdam"));
    assert_eq!(body["address"]["line_1"], json!("Leopoldstraße"));

    let (status, body) = send(
        &app,
        authed(
            "PATCH",
            &format!("/v1/persons/{id}"),
            &t,
            r#"{"aml_confirmed_on": "2001-01-01"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn a_residency_the_branch_does_not_allow_is_refused_listing_the_allowed_countries() {
    let app = mock::app(mock::state(MockConfig::default()));
    let t = token(&app).await;
    let mut p = german_person("Jonas");
    p["address"]["country"] = json!("IT");
    let (status, body) = send(&app, authed("POST", "/v1/persons", &t, &p.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["source"]["field"], json!("country"));
    let detail = body["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(r#"are ["DE", "FR"]"#), "{detail}");
}

/// The whole German onboarding over a real socket, with reqwest as any client would do it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_german_onboarding_over_a_real_socket() {
    let served = mock::start(MockConfig::default(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock starts");
    let base = served.base_url();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth("mock-client", Some("mock-secret"))
        .form(&[("grant_type", "client_credentials"), ("scope", "partners")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let bearer = token["access_token"].as_str().expect("token").to_string();
    let call = |method: reqwest::Method, path: String, body: Value| {
        let req = http
            .request(method, format!("{base}{path}"))
            .bearer_auth(&bearer)
            .json(&body);
        async move {
            let res = req.send().await.expect("answer");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    use reqwest::Method as M;
    let (s, p) = call(M::POST, "/v1/persons".into(), german_person("Lena")).await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().expect("id").to_string();
    let number = json!({"number": "+4915123456789"});
    assert_eq!(
        call(
            M::POST,
            format!("/v1/persons/{id}/mobile_number"),
            number.clone()
        )
        .await
        .0,
        201
    );
    let (s, m) = call(
        M::POST,
        format!("/v1/persons/{id}/mobile_number/confirm"),
        json!({"number": "+4915123456789", "token": "212212"}),
    )
    .await;
    assert_eq!(s, 400, "confirm before authorize must be refused: {m}");
    assert_eq!(
        call(
            M::POST,
            format!("/v1/persons/{id}/mobile_number/authorize"),
            number
        )
        .await
        .0,
        201
    );
    let (s, m) = call(
        M::POST,
        format!("/v1/persons/{id}/mobile_number/confirm"),
        json!({"number": "+4915123456789", "token": "212212"}),
    )
    .await;
    assert_eq!((s, &m["verified"]), (201, &json!(true)), "{m}");
    let (s, tin) = call(
        M::POST,
        format!("/v1/persons/{id}/tax_identifications"),
        json!({"country": "DE", "number": "48954371207", "primary": true}),
    )
    .await;
    assert_eq!(s, 201, "{tin}");
    let (s, ident) = call(
        M::POST,
        format!("/v1/persons/{id}/identifications"),
        json!({"method": "idnow", "language": "DE"}),
    )
    .await;
    assert_eq!(s, 201, "{ident}");
    let iid = ident["id"].as_str().expect("id").to_string();
    let (s, ident) = call(
        M::PATCH,
        format!("/v1/persons/{id}/identifications/{iid}/request"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, ident["status"].as_str()),
        (200, Some("pending")),
        "{ident}"
    );
    let (s, ident) = call(
        M::POST,
        format!("/simulator/persons/{id}/identifications/{iid}/outcome"),
        json!({"status": "successful"}),
    )
    .await;
    assert_eq!(
        (s, ident["legitimation_country"].as_str()),
        (200, Some("DE")),
        "{ident}"
    );
    let aor = json!({"customer_id": id, "customer_type": "Person", "product_name": "CURRENT_ACCOUNT_CONSUMER_GERMANY",
        "account_type": "CHECKING_PERSONAL", "account_currency": "EUR", "account_bic": "SOBKDEB2XXX", "account_purpose": "primary"});
    let (s, r) = call(M::POST, "/v1/accounts/opening_requests".into(), aor).await;
    assert_eq!((s, r["status"].as_str()), (201, Some("INITIATED")), "{r}");
    let rid = r["id"].as_str().expect("id").to_string();
    let mut request = Value::Null;
    for _ in 0..100 {
        request = call(
            M::GET,
            format!("/v1/accounts/opening_requests/{rid}"),
            Value::Null,
        )
        .await
        .1;
        if request["status"] != json!("INITIATED") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(request["status"], json!("COMPLETED"), "{request}");
    let account_id = request["account_id"].as_str().expect("account").to_string();
    let iban = request["iban"].as_str().expect("iban");
    assert!(solaris_conformance::domain::iban::is_valid(iban), "{iban}");
    let card = json!({"line_1": "LENA /KLEMM", "type": "MASTERCARD_DEBIT"});
    let (s, c) = call(
        M::POST,
        format!("/v1/persons/{id}/accounts/{account_id}/cards"),
        card,
    )
    .await;
    assert_eq!(s, 201, "{c}");
    let cid = c["id"].as_str().expect("id").to_string();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let (s, e) = call(M::POST, format!("/v1/cards/{cid}/activate"), json!({})).await;
    assert_eq!(s, 403, "activation within 24 hours must be refused: {e}");
    assert_eq!(
        call(
            M::POST,
            "/simulator/clock/advance".into(),
            json!({"hours": 24})
        )
        .await
        .0,
        200
    );
    // The hour-old token expired on the mock's clock; a new one activates the card.
    let (s, _) = call(M::GET, format!("/v1/cards/{cid}"), Value::Null).await;
    assert_eq!(
        s, 401,
        "the hour-old token must be expired on the mock clock"
    );
    let fresh: Value = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth("mock-client", Some("mock-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let fresh = fresh["access_token"].as_str().expect("token").to_string();
    let res = http
        .post(format!("{base}/v1/cards/{cid}/activate"))
        .bearer_auth(&fresh)
        .json(&json!({}))
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status().as_u16(), 200);
    let card: Value = res.json().await.expect("json");
    assert_eq!(card["status"], json!("ACTIVE"), "{card}");
    served.shutdown().await;
}
