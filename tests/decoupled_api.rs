//! The decoupled card resources of the mock, as a partner's client meets them: the whole journey
//! in-process through `app(..).oneshot(..)` (every answer checked against its JSON Schema), and
//! concurrent payouts and purchases on one account over a real socket, where the balance must
//! never go below what the rules allow.

use axum::body::Body;
use axum::http::{Request, header};
use base64::Engine;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use solaris_conformance::check::schema::SchemaRegistry;
use solaris_conformance::domain::mandate;
use solaris_conformance::mock::{self, MockConfig};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// How the test reaches the mock.
enum Via {
    App(axum::Router),
    Socket { base: String, http: reqwest::Client },
}

/// A partner's client: a bearer token (renewed after a 401, as the clock moves days) and a
/// schema check of every answer outside `/simulator`.
struct Api {
    via: Via,
    token: Mutex<String>,
    schemas: SchemaRegistry,
}

impl Api {
    async fn new(via: Via) -> Api {
        let api = Api {
            via,
            token: Mutex::new(String::new()),
            schemas: SchemaRegistry::load().expect("the schemas load"),
        };
        api.renew().await;
        api
    }

    async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        auth: String,
    ) -> (u16, Value) {
        match &self.via {
            Via::App(app) => {
                let mut req = Request::builder()
                    .method(method)
                    .uri(path)
                    .header(header::AUTHORIZATION, auth);
                let body = match body {
                    Some(b) => {
                        req = req.header(header::CONTENT_TYPE, "application/json");
                        Body::from(b.to_string())
                    }
                    None => Body::empty(),
                };
                let res = app
                    .clone()
                    .oneshot(req.body(body).expect("a request"))
                    .await
                    .expect("the router answers");
                let status = res.status().as_u16();
                let bytes = res.into_body().collect().await.expect("a body").to_bytes();
                (
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                )
            }
            Via::Socket { base, http } => {
                let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
                let mut req = http
                    .request(method, format!("{base}{path}"))
                    .header("Authorization", auth);
                if let Some(b) = body {
                    req = req.json(b);
                }
                let res = req.send().await.expect("an answer");
                let status = res.status().as_u16();
                (status, res.json().await.unwrap_or(Value::Null))
            }
        }
    }

    async fn renew(&self) {
        let basic = base64::engine::general_purpose::STANDARD.encode("mock-client:mock-secret");
        let (status, body) = match &self.via {
            Via::App(app) => {
                let req = Request::post("/oauth2/token")
                    .header(header::AUTHORIZATION, format!("Basic {basic}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("grant_type=client_credentials&scope=partners"))
                    .expect("a request");
                let res = app.clone().oneshot(req).await.expect("an answer");
                let status = res.status().as_u16();
                let bytes = res.into_body().collect().await.expect("a body").to_bytes();
                (
                    status,
                    serde_json::from_slice::<Value>(&bytes).unwrap_or_default(),
                )
            }
            Via::Socket { base, http } => {
                let res = http
                    .post(format!("{base}/oauth2/token"))
                    .basic_auth("mock-client", Some("mock-secret"))
                    .form(&[("grant_type", "client_credentials"), ("scope", "partners")])
                    .send()
                    .await
                    .expect("an answer");
                (res.status().as_u16(), res.json().await.unwrap_or_default())
            }
        };
        assert_eq!(status, 200, "{body}");
        *self.token.lock().expect("the token") =
            body["access_token"].as_str().expect("a token").to_string();
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let bearer = format!("Bearer {}", self.token.lock().expect("the token"));
        let mut answer = self.raw(method, path, body.as_ref(), bearer).await;
        if answer.0 == 401 {
            self.renew().await;
            let bearer = format!("Bearer {}", self.token.lock().expect("the token"));
            answer = self.raw(method, path, body.as_ref(), bearer).await;
        }
        if let Err(e) = self
            .schemas
            .check_response(method, path, answer.0, &answer.1)
        {
            panic!("{method} {path} → {}: {e}\n{}", answer.0, answer.1);
        }
        answer
    }

    /// Expects `status`; answers the body.
    async fn ok(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        let (got, answer) = self.call(method, path, body).await;
        assert_eq!(got, status, "{method} {path}: {answer}");
        answer
    }

    async fn get(&self, path: &str) -> Value {
        self.ok("GET", path, None, 200).await
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

fn eur(cents: i64) -> Value {
    json!({ "value": cents, "unit": "cents", "currency": "EUR" })
}

fn mandate_number() -> String {
    mandate_number_with(mandate::DEFAULT_CREDITOR_PREFIX)
}

fn mandate_number_with(prefix: &str) -> String {
    mandate::mandate_number(prefix, &uuid::Uuid::new_v4().simple().to_string())
}

/// Three months of a salary and a rent, in the guide's PARTNER format.
fn snapshot_data(salary: i64, rent: i64, balance: &str) -> Value {
    let mut turnovers = Vec::new();
    for month in ["01", "02", "03"] {
        turnovers.push(
            json!({ "amount": salary, "booking_date": format!("2024-{month}-01"), "tags": [] }),
        );
        turnovers.push(
            json!({ "amount": -rent, "booking_date": format!("2024-{month}-02"), "tags": [] }),
        );
    }
    json!({
        "account": { "holder": "Lena Klemm", "iban": "DE89370400440532013000" },
        "balance": { "balance": balance.parse::<f64>().expect("a number"), "currency": "EUR" },
        "days": 90,
        "turnovers": turnovers,
    })
}

/// Registered, mobile verified, tax id recorded, identified with IDnow (simulator).
async fn onboarded_person(api: &Api, first: &str) -> String {
    let person = json!({
        "salutation": "MS", "first_name": first, "last_name": "Klemm",
        "address": {"line_1": "Leopoldstraße", "line_2": "96", "postal_code": "13347", "city": "Berlin", "country": "DE"},
        "mobile_number": "+4915123456789", "birth_date": "1985-12-14", "birth_city": "Berlin",
        "birth_country": "DE", "nationality": "DE", "employment_status": "EMPLOYED",
        "tax_information": {"tax_assessment": "SEPARATE", "marital_status": "MARRIED"}, "fatca_relevant": false,
        "fatca_crs_confirmed_at": "2022-01-01T00:00:00Z", "terms_conditions_signed_at": "2022-01-01T00:00:00Z",
        "data_terms_signed_at": "2022-01-01T00:00:00Z", "own_economic_interest_signed_at": "2022-01-01T00:00:00Z"
    });
    let pid = id(&api.ok("POST", "/v1/persons", Some(person), 201).await);
    let number = json!({"number": "+4915123456789"});
    let base = format!("/v1/persons/{pid}/mobile_number");
    api.ok("POST", &base, Some(number.clone()), 201).await;
    api.ok("POST", &format!("{base}/authorize"), Some(number), 201)
        .await;
    let confirm = json!({"number": "+4915123456789", "token": "212212"});
    api.ok("POST", &format!("{base}/confirm"), Some(confirm), 201)
        .await;
    let tin = json!({"country": "DE", "number": "48954371207", "primary": true});
    api.ok(
        "POST",
        &format!("/v1/persons/{pid}/tax_identifications"),
        Some(tin),
        201,
    )
    .await;
    let ident = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/identifications"),
            Some(json!({"method": "idnow", "language": "DE"})),
            201,
        )
        .await;
    let iid = id(&ident);
    api.ok(
        "PATCH",
        &format!("/v1/persons/{pid}/identifications/{iid}/request"),
        Some(json!({})),
        200,
    )
    .await;
    api.ok(
        "POST",
        &format!("/simulator/persons/{pid}/identifications/{iid}/outcome"),
        Some(json!({"status": "successful"})),
        200,
    )
    .await;
    pid
}

/// Polls the application until it leaves `status`.
async fn application_after(api: &Api, path: &str, status: &str) -> Value {
    for _ in 0..200 {
        let app = api.get(path).await;
        if app["status"] != json!(status) {
            return app;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{path} stayed {status}");
}

/// A customer with an offered limit on the internal account, an active reference account and
/// an active card: (person, account, reference account, card).
async fn decoupled_customer(
    api: &Api,
    first: &str,
    prefix: &str,
) -> (String, String, String, String) {
    let pid = onboarded_person(api, first).await;
    let record = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/credit_records"),
            Some(json!({"source": "solarisBank", "file": null})),
            201,
        )
        .await;
    let apps = format!("/v1/persons/{pid}/sdd_collection_applications");
    let app = api
        .ok(
            "POST",
            &apps,
            Some(json!({"credit_record_id": id(&record)})),
            201,
        )
        .await;
    let path = format!("{apps}/{}", id(&app));
    application_after(api, &path, "initial_scoring_pending").await;
    let snapshot = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/account_snapshots"),
            Some(
                json!({"source": "PARTNER", "snapshot_data": snapshot_data(1_500, 700, "250.00")}),
            ),
            201,
        )
        .await;
    api.ok(
        "PUT",
        &format!("{path}/account_snapshot"),
        Some(json!({"account_snapshot_id": id(&snapshot)})),
        200,
    )
    .await;
    let offered = application_after(api, &path, "account_snapshot_verification_pending").await;
    assert_eq!(offered["status"], json!("offered"), "{offered}");
    let account = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/accounts"),
            Some(json!({"type": "DECOUPLED_CARD_PERSONAL"})),
            201,
        )
        .await;
    let aid = id(&account);
    api.ok(
        "PUT",
        &format!("{path}/account"),
        Some(json!({"account_id": aid})),
        200,
    )
    .await;
    let reference = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/accounts/{aid}/reference_accounts"),
            Some(
                json!({"name": format!("{first} Klemm"), "iban": "DE89370400440532013000",
                "mandate_number": mandate_number_with(prefix), "mandate_signature_date": "2024-01-15"}),
            ),
            201,
        )
        .await;
    let card = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/accounts/{aid}/cards"),
            Some(json!({"line_1": "LENA WITHSTATICTOKEN/KLEMM", "type": "VISA_DEBIT"})),
            201,
        )
        .await;
    let cid = id(&card);
    for _ in 0..200 {
        if api.get(&format!("/v1/cards/{cid}")).await["status"] == json!("INACTIVE") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    api.ok(
        "POST",
        &format!("/v1/cards/{cid}/activate"),
        Some(json!({})),
        200,
    )
    .await;
    (pid, aid, id(&reference), cid)
}

fn cents(v: &Value) -> i64 {
    v["value"].as_i64().expect("cents")
}

async fn account(api: &Api, pid: &str, aid: &str) -> Value {
    api.get(&format!("/v1/persons/{pid}/accounts/{aid}")).await
}

/// Authorizes and confirms a change request with the sandbox TAN; answers the confirmation.
async fn confirm(api: &Api, pid: &str, change_request: &Value) -> (u16, Value) {
    let cr = id(change_request);
    let (s, a) = api
        .call(
            "POST",
            &format!("/v1/change_requests/{cr}/authorize"),
            Some(json!({"delivery_method": "mobile_number"})),
        )
        .await;
    if s != 201 {
        return (s, a);
    }
    api.call(
        "POST",
        &format!("/v1/change_requests/{cr}/confirm"),
        Some(json!({"person_id": pid, "tan": "212212"})),
    )
    .await
}

#[tokio::test]
async fn the_decoupled_card_journey_from_scoring_to_settlement_and_payouts() {
    let api = Api::new(Via::App(mock::app(mock::state(MockConfig::default())))).await;
    let pid = onboarded_person(&api, "Lena").await;

    // Step 4 and 5: a credit record, then the application and its statuses in order.
    let apps = format!("/v1/persons/{pid}/sdd_collection_applications");
    let (s, e) = api
        .call("POST", &apps, Some(json!({"credit_record_id": "nope"})))
        .await;
    assert_eq!(
        (s, &e["errors"][0]["source"]["field"]),
        (400, &json!("credit_record_id"))
    );
    let (s, e) = api
        .call(
            "POST",
            &format!("/v1/persons/{pid}/credit_records"),
            Some(json!({"source": "partner", "file": "not base64!"})),
        )
        .await;
    assert_eq!(
        (s, &e["errors"][0]["source"]["field"]),
        (400, &json!("file"))
    );
    let record = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/credit_records"),
            Some(json!({"source": "solarisBank", "file": null})),
            201,
        )
        .await;
    assert_eq!(record["status"], json!("available"));
    let created = api
        .ok(
            "POST",
            &apps,
            Some(json!({"credit_record_id": id(&record)})),
            201,
        )
        .await;
    assert_eq!(created["status"], json!("initial_scoring_pending"));
    assert_eq!(created["decision"], Value::Null);
    let path = format!("{apps}/{}", id(&created));
    let app = application_after(&api, &path, "initial_scoring_pending").await;
    assert_eq!(
        (&app["status"], &app["decision"]),
        (&json!("account_snapshot_pending"), &json!("OFFERED"))
    );
    let listed = api
        .get(&format!("{apps}?filter[status]=account_snapshot_pending"))
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let none = api.get(&format!("{apps}?filter[status]=offered")).await;
    assert_eq!(none, json!([]));
    // The guide writes the path without /v1; the mock answers both.
    let bearer = format!("Bearer {}", api.token.lock().expect("the token"));
    let (s, same) = api
        .raw("GET", &path.replacen("/v1", "", 1), None, bearer)
        .await;
    assert_eq!((s, &same["id"]), (200, &created["id"]));

    // Step 6: a FIN_TECH_SYSTEMS snapshot stays pending until the customer's bank login.
    let fts = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/account_snapshots"),
            Some(json!({"source": "FIN_TECH_SYSTEMS"})),
            201,
        )
        .await;
    assert_eq!(fts["status"], json!("pending"));
    assert_eq!(fts["wizard_session_key"].as_str().map(str::len), Some(40));
    api.ok(
        "PUT",
        &format!("{path}/account_snapshot"),
        Some(json!({"account_snapshot_id": id(&fts)})),
        200,
    )
    .await;
    let waiting = api.get(&path).await;
    assert_eq!(
        waiting["status"],
        json!("account_snapshot_verification_pending")
    );
    api.ok(
        "POST",
        &format!(
            "/simulator/persons/{pid}/account_snapshots/{}/outcome",
            id(&fts)
        ),
        Some(json!({"status": "available", "snapshot_data": snapshot_data(1_500, 700, "250.00")})),
        200,
    )
    .await;
    let offered = application_after(&api, &path, "account_snapshot_verification_pending").await;
    assert_eq!(offered["status"], json!("offered"), "{offered}");
    assert_eq!(
        offered["limit"],
        eur(40_000),
        "free 800 EUR a month → 400 EUR"
    );

    // Step 8: the internal account, linked; the limit is attached.
    let account_json = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/accounts"),
            Some(json!({"type": "DECOUPLED_CARD_PERSONAL"})),
            201,
        )
        .await;
    assert_eq!(account_json["account_limit"], eur(0));
    let aid = id(&account_json);
    let linked = api
        .ok(
            "PUT",
            &format!("{path}/account"),
            Some(json!({"account_id": aid})),
            200,
        )
        .await;
    assert_eq!(linked["status"], json!("overdraft_created"));
    let a = account(&api, &pid, &aid).await;
    assert_eq!(
        (cents(&a["account_limit"]), cents(&a["available_balance"])),
        (40_000, 40_000)
    );

    // Step 9: reference accounts; the guide's own example lacks the RCIAIR prefix.
    let refs = format!("/v1/persons/{pid}/accounts/{aid}/reference_accounts");
    let (s, e) = api
        .call(
            "POST",
            &refs,
            Some(json!({"name": "Max Mustermann", "iban": "DE32110101001000000029",
                "mandate_number": "SAMPAY7D226d32882d11Eb8DcD0242Ae2F4", "mandate_signature_date": "2016-04-20"})),
        )
        .await;
    assert_eq!(
        (s, &e["errors"][0]["source"]["field"]),
        (400, &json!("mandate_number")),
        "{e}"
    );
    let old = api
        .ok(
            "POST",
            &refs,
            Some(
                json!({"name": "Lena Klemm", "iban": "DE89370400440532013000",
                "mandate_number": mandate_number(), "mandate_signature_date": "2024-01-15"}),
            ),
            201,
        )
        .await;
    let new = api
        .ok(
            "POST",
            &refs,
            Some(
                json!({"name": "Lena Klemm", "iban": "DE02120300000000202051",
                "mandate_number": mandate_number(), "mandate_signature_date": "2024-02-01"}),
            ),
            201,
        )
        .await;
    let statuses: Vec<Value> = api
        .get(&refs)
        .await
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("INACTIVE"), json!("ACTIVE")]);

    // Step 10 and a purchase on the limit, settled by the daily SDD.
    let card = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/accounts/{aid}/cards"),
            Some(json!({"line_1": "LENA WITHSTATICTOKEN/KLEMM", "type": "VIRTUAL_VISA_DEBIT"})),
            201,
        )
        .await;
    let cid = id(&card);
    let (s, _) = api
        .call(
            "POST",
            &format!("/simulator/cards/{cid}/purchases"),
            Some(json!({"amount": eur(100)})),
        )
        .await;
    assert_eq!(s, 400, "a card that is not active cannot pay");
    for _ in 0..200 {
        if api.get(&format!("/v1/cards/{cid}")).await["status"] == json!("INACTIVE") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    api.ok(
        "POST",
        &format!("/v1/cards/{cid}/activate"),
        Some(json!({})),
        200,
    )
    .await;
    let purchases = format!("/simulator/cards/{cid}/purchases");
    api.ok(
        "POST",
        &purchases,
        Some(json!({"amount": eur(30_000), "merchant": "Bike shop"})),
        201,
    )
    .await;
    let (s, e) = api
        .call("POST", &purchases, Some(json!({"amount": eur(10_001)})))
        .await;
    assert_eq!(
        (s, &e["errors"][0]["source"]["field"]),
        (400, &json!("amount"))
    );
    let a = account(&api, &pid, &aid).await;
    assert_eq!(
        (cents(&a["balance"]), cents(&a["available_balance"])),
        (-30_000, 10_000)
    );
    api.ok(
        "POST",
        "/simulator/clock/advance",
        Some(json!({"days": 1})),
        200,
    )
    .await;
    let a = account(&api, &pid, &aid).await;
    assert_eq!(cents(&a["balance"]), 0, "{a}");
    let bookings = api.get(&format!("/v1/accounts/{aid}/bookings")).await;
    let kinds: Vec<(Value, i64)> = bookings
        .as_array()
        .expect("a list")
        .iter()
        .map(|b| (b["booking_type"].clone(), cents(&b["amount"])))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (json!("CARD_TRANSACTION"), -30_000),
            (json!("SEPA_DIRECT_DEBIT"), 30_000)
        ]
    );
    let outside = api
        .get(&format!(
            "/simulator/reference_accounts/{}/bookings",
            id(&new)
        ))
        .await;
    assert_eq!(cents(&outside[0]["amount"]), -30_000, "{outside}");
    let days_later = api.get(&format!("/v1/accounts/{aid}/bookings")).await;
    api.ok(
        "POST",
        "/simulator/clock/advance",
        Some(json!({"days": 3})),
        200,
    )
    .await;
    assert_eq!(
        api.get(&format!("/v1/accounts/{aid}/bookings")).await,
        days_later,
        "nothing more to settle"
    );

    // Payouts: only the positive balance, only to the active reference account.
    api.ok(
        "POST",
        &format!("/simulator/accounts/{aid}/top_ups"),
        Some(json!({"amount": eur(10_000)})),
        201,
    )
    .await;
    let payout = |to: &str, reference: &str, amount: i64| {
        (
            format!("{refs}/{to}/payouts"),
            json!({"reference": reference, "amount": eur(amount), "description": "Back home"}),
        )
    };
    let (p, b) = payout(&id(&new), "too-much", 10_001);
    let (s, e) = api.call("POST", &p, Some(b)).await;
    assert_eq!(
        (s, &e["errors"][0]["source"]["field"]),
        (400, &json!("amount"))
    );
    let (p, b) = payout(&id(&old), "old-ref", 1_000);
    let (s, _) = api.call("POST", &p, Some(b)).await;
    assert_eq!(s, 400, "the inactive reference account gets no payout");
    let (p, b) = payout(&id(&new), "payout-1", 6_000);
    let cr = api.ok("POST", &p, Some(b.clone()), 202).await;
    assert_eq!(cr["status"], json!("AUTHORIZATION_REQUIRED"));
    let again = api.ok("POST", &p, Some(b.clone()), 202).await;
    assert_eq!(
        id(&again),
        id(&cr),
        "a repeat before confirmation is the same request"
    );
    let (s, done) = confirm(&api, &pid, &cr).await;
    assert_eq!(s, 201, "{done}");
    assert_eq!(
        (&done["response_code"], &done["response_body"]["status"]),
        (&json!(201), &json!("ACCEPTED"))
    );
    let payout_id = id(&done["response_body"]);
    let shown = api
        .get(&format!(
            "/v1/persons/{pid}/accounts/{aid}/reference_account_payouts/{payout_id}"
        ))
        .await;
    assert_eq!(shown["status"], json!("EXECUTED"), "{shown}");
    let repeat = api.ok("POST", &p, Some(b), 200).await;
    assert_eq!(
        (id(&repeat), &repeat["status"]),
        (payout_id, &json!("EXECUTED"))
    );
    let a = account(&api, &pid, &aid).await;
    assert_eq!(cents(&a["balance"]), 4_000);

    // The SDD collection limit: lower, not above the grant, not a bare number, then disabled.
    let limits = format!("/v1/persons/{pid}/accounts/{aid}/sdd_collection_limits");
    let set = api
        .ok(
            "POST",
            &limits,
            Some(json!({"limit": eur(20_000), "limit_type": "CUSTOMER_REQUEST"})),
            201,
        )
        .await;
    assert_eq!(set["limit"], eur(20_000));
    let a = account(&api, &pid, &aid).await;
    assert_eq!(
        (cents(&a["account_limit"]), cents(&a["available_balance"])),
        (20_000, 24_000)
    );
    let (s, _) = api
        .call(
            "POST",
            &limits,
            Some(json!({"limit": eur(40_001), "limit_type": "CUSTOMER_REQUEST"})),
        )
        .await;
    assert_eq!(s, 400);
    let (s, e) = api
        .call(
            "POST",
            &limits,
            Some(json!({"limit": 200, "limit_type": "CUSTOMER_REQUEST"})),
        )
        .await;
    assert_eq!((s, &e["errors"][0]["code"]), (400, &json!("type_error")));
    api.ok(
        "DELETE",
        &limits,
        Some(json!({"limit_type": "CUSTOMER_REQUEST"})),
        200,
    )
    .await;
    let a = account(&api, &pid, &aid).await;
    assert_eq!(
        (cents(&a["account_limit"]), cents(&a["available_balance"])),
        (0, 4_000)
    );
    let (s, _) = api
        .call("POST", &purchases, Some(json!({"amount": eur(4_001)})))
        .await;
    assert_eq!(s, 400, "without a limit only the balance can be spent");
}

#[tokio::test]
async fn a_rejected_credit_record_ends_the_application_at_the_initial_scoring() {
    let api = Api::new(Via::App(mock::app(mock::state(MockConfig::default())))).await;
    let pid = onboarded_person(&api, "Jonas").await;
    let file = base64::engine::general_purpose::STANDARD
        .encode(r#"{"score": 97.5, "negative_entries": 1}"#);
    let record = api
        .ok(
            "POST",
            &format!("/v1/persons/{pid}/credit_records"),
            Some(json!({"source": "partner", "file": file})),
            201,
        )
        .await;
    let apps = format!("/v1/persons/{pid}/sdd_collection_applications");
    let app = api
        .ok(
            "POST",
            &apps,
            Some(json!({"credit_record_id": id(&record)})),
            201,
        )
        .await;
    let path = format!("{apps}/{}", id(&app));
    let done = application_after(&api, &path, "initial_scoring_pending").await;
    assert_eq!(
        (
            &done["status"],
            &done["decision"],
            &done["rejection_reasons"]
        ),
        (
            &json!("rejected"),
            &json!("REJECTED"),
            &json!(["probability_of_default"])
        )
    );
    api.ok(
        "POST",
        "/simulator/clock/advance",
        Some(json!({"days": 30})),
        200,
    )
    .await;
    let expired = api
        .get(&format!("/v1/persons/{pid}/credit_records/{}", id(&record)))
        .await;
    assert_eq!(expired["status"], json!("expired"));
    let (s, _) = api
        .call(
            "POST",
            &apps,
            Some(json!({"credit_record_id": id(&record)})),
        )
        .await;
    assert_eq!(s, 400, "an expired credit record starts no application");
}

/// Many payouts and purchases at once on one account: each payout is checked and executed
/// under the store's lock, so the balance never goes below zero through a payout, never below
/// minus the limit through a purchase, and always equals the sum of its bookings.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_payouts_and_purchases_never_take_the_balance_below_the_rules() {
    let served = mock::start(MockConfig::default(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("the mock starts");
    let api = Arc::new(
        Api::new(Via::Socket {
            base: served.base_url(),
            http: reqwest::Client::new(),
        })
        .await,
    );
    let (pid, aid, rid, cid) =
        decoupled_customer(&api, "Felix", mandate::DEFAULT_CREDITOR_PREFIX).await;
    api.ok(
        "POST",
        &format!("/simulator/accounts/{aid}/top_ups"),
        Some(json!({"amount": eur(10_000)})),
        201,
    )
    .await;
    let limit = cents(&account(&api, &pid, &aid).await["account_limit"]);
    assert_eq!(limit, 40_000);

    // 12 payouts of 30 EUR (100 EUR cover three) and 12 purchases of 45 EUR, all at once;
    // every payout is also sent twice with its reference.
    let mut tasks = Vec::new();
    for n in 0..12 {
        let payer = Arc::clone(&api);
        let (pid, aid, rid) = (pid.clone(), aid.clone(), rid.clone());
        tasks.push(tokio::spawn(async move {
            let path = format!("/v1/persons/{pid}/accounts/{aid}/reference_accounts/{rid}/payouts");
            let body = json!({"reference": format!("race-{n}"), "amount": eur(3_000)});
            let (s, cr) = payer.call("POST", &path, Some(body.clone())).await;
            let (s2, cr2) = payer.call("POST", &path, Some(body)).await;
            if s != 202 {
                return None;
            }
            assert!(s2 == 202 || s2 == 200, "{cr2}");
            if s2 == 202 {
                assert_eq!(
                    cr2["id"], cr["id"],
                    "a repeated reference is the same request"
                );
            }
            let (s, done) = confirm(&payer, &pid, &cr).await;
            assert_eq!(s, 201, "{done}");
            Some(id(&done["response_body"]))
        }));
        let shopper = Arc::clone(&api);
        let cid = cid.clone();
        tasks.push(tokio::spawn(async move {
            let (s, b) = shopper
                .call(
                    "POST",
                    &format!("/simulator/cards/{cid}/purchases"),
                    Some(json!({"amount": eur(4_500), "merchant": format!("Shop {n}")})),
                )
                .await;
            assert!(s == 201 || s == 400, "{b}");
            None
        }));
    }
    let mut payouts = Vec::new();
    for task in tasks {
        if let Some(p) = task.await.expect("the task ends") {
            payouts.push(p);
        }
    }
    // Let the time rules execute every accepted payout.
    let mut final_statuses = Vec::new();
    for payout in &payouts {
        let path = format!("/v1/persons/{pid}/accounts/{aid}/reference_account_payouts/{payout}");
        let mut shown = api.get(&path).await;
        for _ in 0..200 {
            if shown["status"] != json!("ACCEPTED") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            shown = api.get(&path).await;
        }
        final_statuses.push(shown["status"].as_str().unwrap_or_default().to_string());
    }
    assert!(
        final_statuses
            .iter()
            .all(|s| s == "EXECUTED" || s == "DECLINED"),
        "{final_statuses:?}"
    );

    // Replay the bookings in order: payouts never leave the balance below zero, purchases
    // never below minus the limit, and the account's balance is their sum.
    let bookings = api
        .get(&format!("/v1/accounts/{aid}/bookings?page[size]=1000"))
        .await;
    let mut balance = 0i64;
    let mut executed = 0;
    for b in bookings.as_array().expect("a list") {
        balance += cents(&b["amount"]);
        match b["booking_type"].as_str() {
            Some("SEPA_CREDIT_TRANSFER") if cents(&b["amount"]) < 0 => {
                executed += 1;
                assert!(balance >= 0, "a payout drew on the credit limit: {balance}");
            }
            Some("CARD_TRANSACTION") => {
                assert!(
                    balance >= -limit,
                    "a purchase went beyond the limit: {balance}"
                );
            }
            _ => {}
        }
    }
    assert_eq!(
        executed,
        final_statuses.iter().filter(|s| *s == "EXECUTED").count()
    );
    assert!(
        executed <= 3,
        "100 EUR cover at most three payouts of 30 EUR"
    );
    let a = account(&api, &pid, &aid).await;
    assert_eq!(cents(&a["balance"]), balance);
    assert!(balance >= -limit);
    assert_eq!(cents(&a["available_balance"]), balance + limit);
    served.shutdown().await;
}

/// `SOLARIS_MOCK_CREDITOR_PREFIX` moves the mandate rule to another prefix: with `SAMPAY` the
/// guide's own example passes and `RCIAIR` numbers do not; an invalid prefix stops the mock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_creditor_prefix_is_configured_when_the_mock_starts() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_solaris-conformance");
    let refused = Command::new(bin)
        .args(["mock", "--port", "0"])
        .env("SOLARIS_MOCK_CREDITOR_PREFIX", "RCI-AIR")
        .output()
        .expect("the mock runs");
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("SOLARIS_MOCK_CREDITOR_PREFIX"), "{stderr}");

    /// Stops the mock this test started, also when an assertion fails.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Running(
        Command::new(bin)
            .args(["mock", "--port", "0"])
            .env("SOLARIS_MOCK_CREDITOR_PREFIX", "SAMPAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the mock starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("the reader ends")
    .expect("a line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the listening line")
        .to_string();
    let api = Api::new(Via::Socket {
        base,
        http: reqwest::Client::new(),
    })
    .await;
    let (pid, aid, _, _) = decoupled_customer(&api, "Lena", "SAMPAY").await;
    let refs = format!("/v1/persons/{pid}/accounts/{aid}/reference_accounts");
    let example = json!({"name": "Max Mustermann", "iban": "DE32110101001000000029",
        "mandate_number": "SAMPAY7D226d32882d11Eb8DcD0242Ae2F4", "mandate_signature_date": "2016-04-20"});
    let (s, body) = api.call("POST", &refs, Some(example)).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["status"], json!("ACTIVE"));
    let rciair = json!({"name": "Max Mustermann", "iban": "DE32110101001000000029",
        "mandate_number": mandate_number(), "mandate_signature_date": "2016-04-20"});
    let (s, _) = api.call("POST", &refs, Some(rciair)).await;
    assert_eq!(s, 400, "with another prefix, RCIAIR numbers are refused");
    drop(child);
}
