//! Decoupled cards: the credit record, the SDD collection application and its scoring, account
//! snapshots, the internal account and its limit, reference accounts with SEPA mandates, card
//! purchases, top-ups and the daily SEPA Direct Debit. One journey `Given` ("the customer has a
//! decoupled card with a limit of …") brings a customer to an active card for the servicing
//! scenarios. Amounts are `{money}`: `1,000.00 EUR`, `-79.50 EUR`, read into integer cents.

use super::{Failure, Journey, StepResult};
use cucumber::gherkin::Step;
use cucumber::{Parameter, given, then, when};
use reqwest::Method;
use serde_json::{Value, json};
use solaris_conformance::domain::ledger::{cents_from_decimal, euros};
use solaris_conformance::domain::mandate;
use solaris_conformance::domain::mobile::SANDBOX_OTP;
use std::str::FromStr;
use std::time::Duration;

/// An amount in euros as the bank writes it, `1,234.50 EUR`, in integer cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "money", regex = r"-?\d{1,3}(?:,\d{3})*(?:\.\d{2})? EUR")]
pub struct Money(pub i64);

impl FromStr for Money {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let number = s.trim_end_matches(" EUR").replace(',', "");
        cents_from_decimal(&number)
            .map(Money)
            .ok_or_else(|| format!("`{s}` is not an amount like 1,234.50 EUR"))
    }
}

/// `{"value": cents, "unit": "cents", "currency": "EUR"}`.
pub fn money(cents: i64) -> Value {
    json!({ "value": cents, "unit": "cents", "currency": "EUR" })
}

/// `cents` of a money object.
pub fn cents(v: &Value) -> Option<i64> {
    v.get("value").and_then(Value::as_i64)
}

/// What a decoupled card scenario created so far.
#[derive(Debug, Default)]
pub struct Cards {
    pub credit_record_id: Option<String>,
    pub application_id: Option<String>,
    pub snapshot_id: Option<String>,
    /// Oldest first; the last is the active one.
    pub reference_accounts: Vec<String>,
    /// The change request of the latest payout asked for.
    pub payout_request: Option<String>,
    pub payout_id: Option<String>,
}

impl Cards {
    /// Ids a webhook about this customer may carry.
    pub fn ids(&self) -> Vec<String> {
        [
            &self.credit_record_id,
            &self.application_id,
            &self.snapshot_id,
            &self.payout_id,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }
}

fn id_of(v: &Value) -> Option<String> {
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

fn status_of(v: &Value) -> &str {
    v.get("status").and_then(Value::as_str).unwrap_or_default()
}

impl Journey {
    fn application_path(&self) -> Result<String, Failure> {
        let person = self.person()?;
        let id = self.need("SDD collection application", &self.cards.application_id)?;
        Ok(format!(
            "/v1/persons/{person}/sdd_collection_applications/{id}"
        ))
    }

    async fn account_json(&mut self) -> Result<Value, Failure> {
        let person = self.person()?;
        let account = self.need("account", &self.account_id.clone())?;
        self.expect(
            Method::GET,
            &format!("/v1/persons/{person}/accounts/{account}"),
            None,
            200,
        )
        .await
    }

    fn active_reference(&self) -> Result<String, Failure> {
        self.cards
            .reference_accounts
            .last()
            .cloned()
            .ok_or_else(|| Failure("no reference account exists yet in this scenario".into()))
    }
}

// Credit records and the application.

async fn solaris_credit_record(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    let record = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/credit_records"),
            Some(json!({ "source": "solarisBank", "file": null })),
            201,
        )
        .await?;
    w.cards.credit_record_id = id_of(&record);
    Ok(())
}

#[given("the partner requested the customer's credit record from Solaris")]
#[when("the partner requests the customer's credit record from Solaris")]
async fn credit_record(w: &mut Journey) -> StepResult {
    solaris_credit_record(w).await
}

#[given(
    expr = "the customer's credit record shows a score of {float} % and {int} negative entries"
)]
async fn partner_credit_record(w: &mut Journey, score: f64, entries: u32) -> StepResult {
    use base64::Engine;
    let person = w.person()?;
    let file = json!({ "score": score, "negative_entries": entries }).to_string();
    let body = json!({
        "source": "partner",
        "file": base64::engine::general_purpose::STANDARD.encode(file),
    });
    let record = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/credit_records"),
            Some(body),
            201,
        )
        .await?;
    w.cards.credit_record_id = id_of(&record);
    Ok(())
}

#[then(expr = "the credit record is {string}")]
async fn credit_record_is(w: &mut Journey, status: String) -> StepResult {
    let person = w.person()?;
    let id = w.need("credit record", &w.cards.credit_record_id.clone())?;
    let record = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{person}/credit_records/{id}"),
            None,
            200,
        )
        .await?;
    if status_of(&record) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the credit record to be {status}, it is {}",
            status_of(&record)
        )))
    }
}

async fn apply(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    let record = w.need("credit record", &w.cards.credit_record_id.clone())?;
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/persons/{person}/sdd_collection_applications"),
            Some(json!({ "credit_record_id": record })),
        )
        .await?;
    if answer.status == 201 {
        w.cards.application_id = id_of(&answer.body);
    }
    Ok(())
}

#[when("the partner applies for a decoupled card with the credit record")]
async fn applies(w: &mut Journey) -> StepResult {
    apply(w).await
}

async fn wait_application(
    w: &mut Journey,
    seconds: u64,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Result<Value, Failure> {
    let path = w.application_path()?;
    w.wait_for(&path, Duration::from_secs(seconds), what, done)
        .await
}

#[given("the customer applied for a decoupled card")]
async fn applied(w: &mut Journey) -> StepResult {
    if w.cards.credit_record_id.is_none() {
        solaris_credit_record(w).await?;
    }
    apply(w).await?;
    w.need(
        "SDD collection application",
        &w.cards.application_id.clone(),
    )?;
    wait_application(w, 5, "the initial scoring", |a| {
        status_of(a) != "initial_scoring_pending"
    })
    .await?;
    Ok(())
}

/// What the answer to the latest call shows, before the scorer moves on.
#[then(expr = "the answer shows the application {string}")]
async fn answer_shows(w: &mut Journey, status: String) -> StepResult {
    let answer = w.last_answer()?;
    if (200..300).contains(&answer.status) && status_of(&answer.body) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected {} to answer the application in status {status}, got HTTP {}{}",
            w.last_call,
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

#[then(expr = "the application is {string}")]
async fn application_is(w: &mut Journey, status: String) -> StepResult {
    let path = w.application_path()?;
    let app = w.expect(Method::GET, &path, None, 200).await?;
    if status_of(&app) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the application to be {status}:\n{}",
            super::http::pretty(&app)
        )))
    }
}

#[then(expr = "within {int} seconds the application is {string}")]
async fn application_becomes(w: &mut Journey, seconds: u64, status: String) -> StepResult {
    wait_application(
        w,
        seconds,
        &format!("the application to be {status}"),
        |a| status_of(a) == status,
    )
    .await
    .map(|_| ())
}

#[then(expr = "within {int} seconds the application is {string} with the decision {string}")]
async fn application_decided(
    w: &mut Journey,
    seconds: u64,
    status: String,
    decision: String,
) -> StepResult {
    let what = format!("the application to be {status} with the decision {decision}");
    wait_application(w, seconds, &what, |a| {
        status_of(a) == status && a.get("decision") == Some(&json!(decision))
    })
    .await
    .map(|_| ())
}

#[then(expr = "within {int} seconds the application is {string} with a limit of {money}")]
async fn application_offers(
    w: &mut Journey,
    seconds: u64,
    status: String,
    limit: Money,
) -> StepResult {
    let what = format!(
        "the application to be {status} with a limit of {}",
        euros(limit.0)
    );
    let app = wait_application(w, seconds, &what, |a| {
        !matches!(
            status_of(a),
            "initial_scoring_pending" | "account_snapshot_verification_pending"
        )
    })
    .await?;
    let got = app.get("limit").and_then(cents);
    if status_of(&app) == status && got == Some(limit.0) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected {what}, got:\n{}",
            super::http::pretty(&app)
        )))
    }
}

#[then(expr = "within {int} seconds the application is rejected because of {string}")]
async fn application_rejected(w: &mut Journey, seconds: u64, reason: String) -> StepResult {
    let app = wait_application(w, seconds, "the application to be decided", |a| {
        matches!(
            status_of(a),
            "rejected" | "offered" | "account_snapshot_pending"
        )
    })
    .await?;
    let reasons = app.get("rejection_reasons").cloned().unwrap_or_default();
    if status_of(&app) == "rejected"
        && app.get("decision") == Some(&json!("REJECTED"))
        && reasons
            .as_array()
            .is_some_and(|r| r.contains(&json!(reason)))
    {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the application to be rejected because of {reason}, got:\n{}",
            super::http::pretty(&app)
        )))
    }
}

// Account snapshots.

/// Three months of the same salary, rent and loan repayment, in the guide's PARTNER format.
fn three_months(salary: i64, rent: i64, loan: i64, balance: i64) -> Value {
    let eur = |cents: i64| json!(format!("{}.{:02}", cents / 100, (cents % 100).abs()));
    let mut turnovers = Vec::new();
    for (month, day) in [("01", "01"), ("02", "01"), ("03", "01")] {
        turnovers.push(json!({
            "amount": eur(salary), "booking_date": format!("2024-{month}-{day}"),
            "counter_holder": "Salary company", "purpose": ["LOHN / GEHALT"], "tags": []
        }));
        if rent > 0 {
            turnovers.push(json!({
                "amount": eur(-rent), "booking_date": format!("2024-{month}-03"),
                "counter_holder": "Landlord", "purpose": ["MIETE"], "tags": []
            }));
        }
        if loan > 0 {
            turnovers.push(json!({
                "amount": eur(-loan), "booking_date": format!("2024-{month}-15"),
                "counter_holder": "Consumer loan", "purpose": ["RATE"], "tags": ["repayment"]
            }));
        }
    }
    json!({
        "account": { "holder": "Customer", "iban": "DE89370400440532013000", "joint_account": false },
        "balance": { "balance": eur(balance), "currency": "EUR", "date": "2024-03-31", "limit": 0 },
        "date": "2024-03-31",
        "days": 90,
        "turnovers": turnovers,
    })
}

#[when(
    expr = "the customer shares three months of their bank account: a salary of {money}, rent of {money}, loan repayments of {money} and a balance of {money}"
)]
async fn partner_snapshot(
    w: &mut Journey,
    salary: Money,
    rent: Money,
    loan: Money,
    balance: Money,
) -> StepResult {
    let person = w.person()?;
    let body = json!({
        "source": "PARTNER",
        "snapshot_data": three_months(salary.0, rent.0, loan.0, balance.0),
    });
    let snapshot = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/account_snapshots"),
            Some(body),
            201,
        )
        .await?;
    w.cards.snapshot_id = id_of(&snapshot);
    Ok(())
}

#[when(expr = "the partner starts an account snapshot through {string}")]
async fn provider_snapshot(w: &mut Journey, source: String) -> StepResult {
    let person = w.person()?;
    let snapshot = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/account_snapshots"),
            Some(json!({ "source": source })),
            201,
        )
        .await?;
    w.cards.snapshot_id = id_of(&snapshot);
    Ok(())
}

#[given(expr = "the customer's current account received {int} transfers of {money}")]
async fn current_account_income(w: &mut Journey, times: u32, amount: Money) -> StepResult {
    let account = w.need("account", &w.account_id.clone())?;
    for _ in 0..times {
        w.expect(
            Method::POST,
            &format!("/simulator/accounts/{account}/top_ups"),
            Some(json!({ "amount": money(amount.0) })),
            201,
        )
        .await?;
    }
    Ok(())
}

#[when("the partner takes an account snapshot of the customer's current account at Solaris")]
async fn solaris_snapshot(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    let account = w.need("account", &w.account_id.clone())?;
    let snapshot = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/account_snapshots"),
            Some(json!({ "source": "SOLARISBANK", "account_id": account })),
            201,
        )
        .await?;
    w.cards.snapshot_id = id_of(&snapshot);
    Ok(())
}

async fn snapshot(w: &mut Journey) -> Result<Value, Failure> {
    let person = w.person()?;
    let id = w.need("account snapshot", &w.cards.snapshot_id.clone())?;
    w.expect(
        Method::GET,
        &format!("/v1/persons/{person}/account_snapshots/{id}"),
        None,
        200,
    )
    .await
}

#[then(expr = "the account snapshot is {string}")]
async fn snapshot_is(w: &mut Journey, status: String) -> StepResult {
    let shown = snapshot(w).await?;
    if status_of(&shown) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the account snapshot to be {status}:\n{}",
            super::http::pretty(&shown)
        )))
    }
}

#[then(expr = "the account snapshot is {string} and gives the customer a {string}")]
async fn snapshot_hands_over(w: &mut Journey, status: String, field: String) -> StepResult {
    let shown = snapshot(w).await?;
    let handle = shown
        .get(&field)
        .and_then(Value::as_str)
        .unwrap_or_default();
    if status_of(&shown) == status && !handle.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected a {status} account snapshot with a {field}:\n{}",
            super::http::pretty(&shown)
        )))
    }
}

#[when(expr = "the customer logs in to their bank, which shows a monthly salary of {money}")]
async fn bank_login(w: &mut Journey, salary: Money) -> StepResult {
    let person = w.person()?;
    let id = w.need("account snapshot", &w.cards.snapshot_id.clone())?;
    w.expect(
        Method::POST,
        &format!("/simulator/persons/{person}/account_snapshots/{id}/outcome"),
        Some(json!({ "status": "available", "snapshot_data": three_months(salary.0, 0, 0, 0) })),
        200,
    )
    .await?;
    Ok(())
}

#[when("the customer's bank login fails")]
async fn bank_login_fails(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    let id = w.need("account snapshot", &w.cards.snapshot_id.clone())?;
    w.expect(
        Method::POST,
        &format!("/simulator/persons/{person}/account_snapshots/{id}/outcome"),
        Some(json!({ "status": "failed" })),
        200,
    )
    .await?;
    Ok(())
}

#[when("the partner links the account snapshot to the application")]
async fn link_snapshot(w: &mut Journey) -> StepResult {
    let path = w.application_path()?;
    let id = w.need("account snapshot", &w.cards.snapshot_id.clone())?;
    w.expect(
        Method::PUT,
        &format!("{path}/account_snapshot"),
        Some(json!({ "account_snapshot_id": id })),
        200,
    )
    .await?;
    Ok(())
}

// The internal account and its limit.

#[when("the partner opens the internal decoupled card account for the customer")]
async fn open_internal_account(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/persons/{person}/accounts"),
            Some(json!({ "type": "DECOUPLED_CARD_PERSONAL" })),
        )
        .await?;
    if answer.status == 201 {
        w.account_id = id_of(&answer.body);
    }
    Ok(())
}

#[when("the partner links the internal account to the application")]
async fn link_account(w: &mut Journey) -> StepResult {
    let path = w.application_path()?;
    let account = w.need("account", &w.account_id.clone())?;
    w.send(
        Method::PUT,
        &format!("{path}/account"),
        Some(json!({ "account_id": account })),
    )
    .await?;
    Ok(())
}

#[then(expr = "the account's balance is {money} with a limit of {money}")]
async fn balance_and_limit(w: &mut Journey, balance: Money, limit: Money) -> StepResult {
    let account = w.account_json().await?;
    let got = (
        account.get("balance").and_then(cents),
        account.get("account_limit").and_then(cents),
        account.get("available_balance").and_then(cents),
    );
    let want = (Some(balance.0), Some(limit.0), Some(balance.0 + limit.0));
    if got == want {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected balance {}, limit {} and available balance {}; the account shows balance {:?}, limit {:?}, available {:?} (cents)",
            euros(balance.0),
            euros(limit.0),
            euros(balance.0 + limit.0),
            got.0,
            got.1,
            got.2
        )))
    }
}

#[then(expr = "the available balance is {money}")]
async fn available(w: &mut Journey, amount: Money) -> StepResult {
    let account = w.account_json().await?;
    let got = account.get("available_balance").and_then(cents);
    if got == Some(amount.0) {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected an available balance of {}, the account shows {got:?} cents",
            euros(amount.0)
        )))
    }
}

fn limits_path(w: &Journey) -> Result<String, Failure> {
    let person = w.person()?;
    let account = w.need("account", &w.account_id)?;
    Ok(format!(
        "/v1/persons/{person}/accounts/{account}/sdd_collection_limits"
    ))
}

#[when(expr = "the customer asks for a limit of {money}")]
async fn ask_limit(w: &mut Journey, limit: Money) -> StepResult {
    let path = limits_path(w)?;
    let body = json!({ "limit": money(limit.0), "limit_type": "CUSTOMER_REQUEST", "comment": "Customer request" });
    w.send(Method::POST, &path, Some(body)).await?;
    Ok(())
}

#[when(expr = "the partner sends the limit as the plain number {int}, \"in EURO\"")]
async fn ask_limit_in_euros(w: &mut Journey, limit: i64) -> StepResult {
    let path = limits_path(w)?;
    let body = json!({ "limit": limit, "limit_type": "CUSTOMER_REQUEST" });
    w.send(Method::POST, &path, Some(body)).await?;
    Ok(())
}

#[when("the customer disables the limit")]
async fn disable_limit(w: &mut Journey) -> StepResult {
    let path = limits_path(w)?;
    w.send(
        Method::DELETE,
        &path,
        Some(json!({ "limit_type": "CUSTOMER_REQUEST" })),
    )
    .await?;
    Ok(())
}

// Reference accounts.

async fn sign_mandate(w: &mut Journey, number: String, iban: String) -> StepResult {
    let person = w.person()?;
    let account = w.need("account", &w.account_id.clone())?;
    let name = format!(
        "{} {}",
        w.customer["first_name"].as_str().unwrap_or("Max"),
        w.customer["last_name"].as_str().unwrap_or("Mustermann")
    );
    let body = json!({
        "name": name,
        "iban": iban,
        "mandate_number": number,
        "mandate_signature_date": "2024-01-15",
    });
    let answer = w
        .call(
            Method::POST,
            &format!("/v1/persons/{person}/accounts/{account}/reference_accounts"),
            Some(body),
        )
        .await?;
    if answer.status == 201
        && let Some(id) = id_of(&answer.body)
    {
        w.cards.reference_accounts.push(id);
    }
    Ok(())
}

/// A fresh mandate number with the guide's creditor prefix.
fn new_mandate_number() -> String {
    mandate::mandate_number(
        mandate::DEFAULT_CREDITOR_PREFIX,
        &uuid::Uuid::new_v4().simple().to_string(),
    )
}

#[given(expr = "the customer signed a SEPA mandate for the reference account {string}")]
#[when(expr = "the customer signs a SEPA mandate for the reference account {string}")]
async fn signs_mandate(w: &mut Journey, iban: String) -> StepResult {
    sign_mandate(w, new_mandate_number(), iban).await
}

#[when(
    expr = "the customer signs a SEPA mandate numbered {string} for the reference account {string}"
)]
async fn signs_numbered_mandate(w: &mut Journey, number: String, iban: String) -> StepResult {
    sign_mandate(w, number, iban).await
}

async fn reference_status(w: &mut Journey, id: String, status: &str) -> StepResult {
    let person = w.person()?;
    let account = w.need("account", &w.account_id.clone())?;
    let shown = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{person}/accounts/{account}/reference_accounts/{id}"),
            None,
            200,
        )
        .await?;
    if status_of(&shown) == status {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected the reference account to be {status}:\n{}",
            super::http::pretty(&shown)
        )))
    }
}

#[then(expr = "the reference account is {string}")]
async fn reference_is(w: &mut Journey, status: String) -> StepResult {
    let id = w.active_reference()?;
    reference_status(w, id, &status).await
}

#[then(expr = "the previous reference account is {string}")]
async fn previous_reference_is(w: &mut Journey, status: String) -> StepResult {
    let list = &w.cards.reference_accounts;
    let id = list
        .len()
        .checked_sub(2)
        .and_then(|i| list.get(i))
        .cloned()
        .ok_or_else(|| Failure("there is no previous reference account".into()))?;
    reference_status(w, id, &status).await
}

#[then(expr = "the customer has {int} reference account(s), the last one {string}")]
async fn reference_list(w: &mut Journey, count: usize, status: String) -> StepResult {
    let person = w.person()?;
    let account = w.need("account", &w.account_id.clone())?;
    let list = w
        .expect(
            Method::GET,
            &format!("/v1/persons/{person}/accounts/{account}/reference_accounts"),
            None,
            200,
        )
        .await?;
    let items = list.as_array().cloned().unwrap_or_default();
    let active = items.iter().filter(|r| status_of(r) == "ACTIVE").count();
    if items.len() == count && items.last().map(status_of) == Some(status.as_str()) && active == 1 {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected {count} reference accounts, exactly one ACTIVE, the last {status}:\n{}",
            super::http::pretty(&list)
        )))
    }
}

/// What the mock moved to and from the active reference account (the other bank's side).
async fn outside(w: &mut Journey) -> Result<Vec<Value>, Failure> {
    let id = w.active_reference()?;
    let list = w
        .expect(
            Method::GET,
            &format!("/simulator/reference_accounts/{id}/bookings"),
            None,
            200,
        )
        .await?;
    Ok(list.as_array().cloned().unwrap_or_default())
}

async fn reference_moved(w: &mut Journey, kind: &str, amount: i64) -> StepResult {
    let list = outside(w).await?;
    let found = list.iter().any(|b| {
        b.get("booking_type") == Some(&json!(kind))
            && b.get("amount").and_then(cents) == Some(amount)
    });
    if found {
        Ok(())
    } else {
        Err(Failure(format!(
            "expected a {kind} of {} on the reference account; it shows:\n{}",
            euros(amount),
            super::http::pretty(&Value::Array(list))
        )))
    }
}

#[then(expr = "the reference account was debited {money} by SEPA Direct Debit")]
async fn reference_debited(w: &mut Journey, amount: Money) -> StepResult {
    reference_moved(w, "SEPA_DIRECT_DEBIT", -amount.0).await
}

#[then(expr = "the reference account was credited {money} by the payout")]
async fn reference_credited(w: &mut Journey, amount: Money) -> StepResult {
    reference_moved(w, "SEPA_CREDIT_TRANSFER", amount.0).await
}

// Money moving: the card, top-ups, bookings.

async fn pay(w: &mut Journey, amount: i64, merchant: &str) -> StepResult {
    let card = w.need("card", &w.card_id.clone())?;
    w.send(
        Method::POST,
        &format!("/simulator/cards/{card}/purchases"),
        Some(json!({ "amount": money(amount), "merchant": merchant })),
    )
    .await?;
    Ok(())
}

#[when(expr = "the customer pays {money} with the card at {string}")]
async fn pays_at(w: &mut Journey, amount: Money, merchant: String) -> StepResult {
    pay(w, amount.0, &merchant).await
}

#[when(expr = "the customer pays {money} with the card")]
async fn pays(w: &mut Journey, amount: Money) -> StepResult {
    pay(w, amount.0, "Card merchant").await
}

#[given(expr = "the customer paid {money} with the card")]
async fn paid(w: &mut Journey, amount: Money) -> StepResult {
    pay(w, amount.0, "Card merchant").await?;
    let answer = w.last_answer()?;
    if answer.status == 201 {
        Ok(())
    } else {
        Err(Failure(format!(
            "the purchase of {} was refused with HTTP {}{}",
            euros(amount.0),
            answer.status,
            super::http::explain_error(&answer.body)
        )))
    }
}

#[given(expr = "the customer topped up {money} from the reference account")]
#[when(expr = "the customer tops up {money} from the reference account")]
async fn tops_up(w: &mut Journey, amount: Money) -> StepResult {
    let account = w.need("account", &w.account_id.clone())?;
    w.expect(
        Method::POST,
        &format!("/simulator/accounts/{account}/top_ups"),
        Some(json!({ "amount": money(amount.0) })),
        201,
    )
    .await?;
    Ok(())
}

#[then("the account shows the bookings")]
async fn bookings(w: &mut Journey, step: &Step) -> StepResult {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| Failure("this step needs a table | booking type | amount |".into()))?;
    let mut want = Vec::new();
    for row in table.rows.iter().skip(1) {
        let (Some(kind), Some(amount)) = (row.first(), row.get(1)) else {
            return Err(Failure(
                "each row needs a booking type and an amount".into(),
            ));
        };
        let amount = Money::from_str(amount.trim()).map_err(Failure)?;
        want.push((kind.trim().to_string(), amount.0));
    }
    let account = w.need("account", &w.account_id.clone())?;
    let list = w
        .expect(
            Method::GET,
            &format!("/v1/accounts/{account}/bookings?page[size]=100"),
            None,
            200,
        )
        .await?;
    let got: Vec<(String, i64)> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            (
                b.get("booking_type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                b.get("amount").and_then(cents).unwrap_or_default(),
            )
        })
        .collect();
    if got == want {
        Ok(())
    } else {
        let show = |rows: &[(String, i64)]| {
            rows.iter()
                .map(|(k, a)| format!("  {k:20} {}", euros(*a)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        Err(Failure(format!(
            "expected the bookings\n{}\nthe account shows\n{}",
            show(&want),
            show(&got)
        )))
    }
}

// The whole journey, for servicing scenarios.

/// Registered, mobile verified, tax id recorded (the registration steps, in one go).
async fn registered(w: &mut Journey) -> StepResult {
    if w.person_id.is_some() {
        return Ok(());
    }
    let customer = w.customer.clone();
    let person = w
        .expect(Method::POST, "/v1/persons", Some(customer.clone()), 201)
        .await?;
    let id = id_of(&person).ok_or_else(|| Failure("the new person has no id".into()))?;
    w.person_id = Some(id.clone());
    let number = json!({ "number": customer.get("mobile_number").cloned().unwrap_or(Value::Null) });
    let base = format!("/v1/persons/{id}/mobile_number");
    w.expect(Method::POST, &base, Some(number.clone()), 201)
        .await?;
    w.expect(
        Method::POST,
        &format!("{base}/authorize"),
        Some(number.clone()),
        201,
    )
    .await?;
    let mut confirm = number;
    confirm["token"] = json!(SANDBOX_OTP);
    w.expect(Method::POST, &format!("{base}/confirm"), Some(confirm), 201)
        .await?;
    let tin = json!({ "country": "DE", "number": "48954371207", "primary": true });
    w.expect(
        Method::POST,
        &format!("/v1/persons/{id}/tax_identifications"),
        Some(tin),
        201,
    )
    .await?;
    Ok(())
}

/// Identified by video, with the outcome set through the simulator.
async fn identified(w: &mut Journey) -> StepResult {
    let person = w.person()?;
    let ident = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/identifications"),
            Some(json!({ "method": "idnow", "language": "DE" })),
            201,
        )
        .await?;
    let id = id_of(&ident).ok_or_else(|| Failure("the identification has no id".into()))?;
    w.expect(
        Method::PATCH,
        &format!("/v1/persons/{person}/identifications/{id}/request"),
        Some(json!({})),
        200,
    )
    .await?;
    w.expect(
        Method::POST,
        &format!("/simulator/persons/{person}/identifications/{id}/outcome"),
        Some(json!({ "status": "successful" })),
        200,
    )
    .await?;
    w.identification_id = Some(id);
    Ok(())
}

#[given("the customer has been identified by video")]
async fn has_been_identified(w: &mut Journey) -> StepResult {
    identified(w).await
}

#[given(expr = "the customer has a decoupled card with a limit of {money}")]
async fn has_decoupled_card(w: &mut Journey, limit: Money) -> StepResult {
    // A salary of twice the limit, nothing else: the scorer offers exactly the limit.
    registered(w).await?;
    solaris_credit_record(w).await?;
    applied(w).await?;
    partner_snapshot(w, Money(2 * limit.0), Money(0), Money(0), Money(0)).await?;
    link_snapshot(w).await?;
    application_offers(w, 5, "offered".into(), limit).await?;
    identified(w).await?;
    open_internal_account(w).await?;
    w.need("internal account", &w.account_id.clone())?;
    link_account(w).await?;
    application_is(w, "overdraft_created".into()).await?;
    sign_mandate(w, new_mandate_number(), "DE89370400440532013000".into()).await?;
    w.active_reference()?;
    let person = w.person()?;
    let account = w.need("account", &w.account_id.clone())?;
    let first = w.customer["first_name"].as_str().unwrap_or("MAX");
    let first = solaris_conformance::domain::card::transliterate(
        first.split_whitespace().next().unwrap_or("MAX"),
    );
    let card = w
        .expect(
            Method::POST,
            &format!("/v1/persons/{person}/accounts/{account}/cards"),
            Some(json!({
                "line_1": format!("{first} {}/CARD", solaris_conformance::domain::card::INSTANT_ACTIVATION_MARKER),
                "type": "VIRTUAL_VISA_DEBIT",
            })),
            201,
        )
        .await?;
    let card = id_of(&card).ok_or_else(|| Failure("the card has no id".into()))?;
    w.wait_for(
        &format!("/v1/cards/{card}"),
        Duration::from_secs(10),
        "the card to be INACTIVE",
        |c| status_of(c) == "INACTIVE",
    )
    .await?;
    w.expect(
        Method::POST,
        &format!("/v1/cards/{card}/activate"),
        Some(json!({})),
        200,
    )
    .await?;
    w.card_id = Some(card);
    Ok(())
}
