//! Decoupled cards: the state the resources of the Decoupled Cards guide share, [`Decoupled`]
//! (one field of the [`Store`]), the helpers they use on accounts and money, and their time
//! rules ([`due`] and [`apply`], run by `timeline::run_due` in time order with every other rule).
//!
//! The time rules: the initial scoring right after an SDD collection application is created;
//! the verification once a linked account snapshot is available (or back to
//! `account_snapshot_pending` if it failed); credit records and available snapshots expire
//! after 30 days; an accepted payout is executed or declined at once; and every day at 22:00
//! UTC on the mock's clock, the SEPA Direct Debit settles each negative decoupled-card balance
//! from the active reference account.
//!
//! The resources live in their own files: `credit_records.rs`, `account_snapshots.rs`,
//! `sdd_applications.rs`, `decoupled_accounts.rs` (the internal account and its SDD limits),
//! `reference_accounts.rs`, `ledger.rs` (bookings, card purchases, top-ups) and `payouts.rs`.

use super::clock::timestamp;
use super::error::{ApiError, ApiResult};
use super::store::Store;
use crate::domain::ledger::{self, money};
use crate::domain::payout::PayoutStatus;
use crate::domain::scoring::{self, CreditFacts, SnapshotFacts, Verdict};
use crate::domain::sdd_application::ApplicationStatus;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The internal account type of a decoupled card.
pub const DECOUPLED_ACCOUNT: &str = "DECOUPLED_CARD_PERSONAL";
/// Credit records stay `available` this long.
pub const CREDIT_RECORD_VALIDITY: Duration = Duration::days(30);
/// Account snapshots stay `available` this long.
pub const SNAPSHOT_VALIDITY: Duration = Duration::days(30);
/// The daily SDD settlement runs at this time of day (UTC, on the mock's clock).
pub fn settlement_time() -> NaiveTime {
    NaiveTime::from_hms_opt(22, 0, 0).unwrap_or(NaiveTime::MIN)
}

#[derive(Debug, Default)]
pub struct Decoupled {
    pub credit_records: HashMap<String, CreditRecord>,
    pub applications: HashMap<String, Application>,
    pub snapshots: HashMap<String, Snapshot>,
    pub reference_accounts: HashMap<String, ReferenceAccount>,
    /// Internal account id → the limit the scorer granted (the most a customer may ask for).
    pub granted: HashMap<String, i64>,
    /// Every booking, oldest first: internal accounts (`account_id`) and, mirrored, the
    /// reference accounts outside Solaris (`reference_account_id`).
    pub bookings: Vec<Map<String, Value>>,
    /// Payout id → a payout waiting for its change request.
    pub pending_payouts: HashMap<String, PendingPayout>,
    pub payouts: HashMap<String, Payout>,
    /// The latest daily settlement instant already run.
    pub settled_through: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct CreditRecord {
    pub resource: Map<String, Value>,
    pub facts: CreditFacts,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub resource: Map<String, Value>,
    pub created: DateTime<Utc>,
    /// What the credit record said when the application was created.
    pub credit: CreditFacts,
    /// The internal account linked at `overdraft_created`.
    pub account_id: Option<String>,
}

impl Application {
    pub fn status(&self) -> ApplicationStatus {
        self.resource
            .get("status")
            .and_then(Value::as_str)
            .and_then(ApplicationStatus::parse)
            .unwrap_or(ApplicationStatus::InitialScoringPending)
    }

    pub fn person_id(&self) -> &str {
        text(&self.resource, "person_id")
    }
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub person_id: String,
    pub resource: Map<String, Value>,
    /// What the scorer reads, once the snapshot is available.
    pub facts: Option<SnapshotFacts>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Snapshot {
    pub fn status(&self) -> &str {
        text(&self.resource, "status")
    }
}

#[derive(Debug, Clone)]
pub struct ReferenceAccount {
    pub resource: Map<String, Value>,
    pub account_id: String,
    pub created: DateTime<Utc>,
}

impl ReferenceAccount {
    pub fn is_active(&self) -> bool {
        text(&self.resource, "status") == "ACTIVE"
    }
}

/// A payout the partner asked for, waiting for its change request to be confirmed.
#[derive(Debug, Clone)]
pub struct PendingPayout {
    pub id: String,
    pub change_request_id: String,
    pub person_id: String,
    pub account_id: String,
    pub reference_account_id: String,
    pub reference: String,
    pub end_to_end_id: Option<String>,
    pub description: Option<String>,
    pub amount: i64,
}

#[derive(Debug, Clone)]
pub struct Payout {
    pub resource: Map<String, Value>,
    pub person_id: String,
    pub account_id: String,
    pub accepted_at: DateTime<Utc>,
}

impl Payout {
    pub fn status(&self) -> PayoutStatus {
        PayoutStatus::parse(text(&self.resource, "status")).unwrap_or(PayoutStatus::Accepted)
    }
}

pub use super::store::text;

/// The `value` of a money field of a resource, in cents (0 when absent).
pub fn cents_of(m: &Map<String, Value>, field: &str) -> i64 {
    m.get(field)
        .and_then(|v| v.get("value"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// An account of this person, or 404.
pub fn account_of<'a>(
    store: &'a Store,
    person_id: &str,
    account_id: &str,
) -> ApiResult<&'a Map<String, Value>> {
    if !store.persons.contains_key(person_id) {
        return Err(ApiError::model_not_found("Person", person_id));
    }
    store
        .accounts
        .get(account_id)
        .filter(|a| text(a, "person_id") == person_id)
        .ok_or_else(|| ApiError::model_not_found("Account", account_id))
}

/// An account of this person that is a decoupled card's internal account, or why not.
pub fn decoupled_account_of<'a>(
    store: &'a Store,
    person_id: &str,
    account_id: &str,
) -> ApiResult<&'a Map<String, Value>> {
    let account = account_of(store, person_id, account_id)?;
    if text(account, "type") != DECOUPLED_ACCOUNT {
        return Err(ApiError::validation(format!(
            "account {account_id} is a {} account; this is only possible on the internal {DECOUPLED_ACCOUNT} account of a decoupled card",
            text(account, "type")
        )));
    }
    Ok(account)
}

/// Money may leave the account (no `DEBIT_BLOCK` or `BLOCK`).
pub fn debits_allowed(account: &Map<String, Value>) -> bool {
    matches!(text(account, "locking_status"), "NO_BLOCK" | "CREDIT_BLOCK")
}

/// Money may arrive on the account (no `CREDIT_BLOCK` or `BLOCK`).
pub fn credits_allowed(account: &Map<String, Value>) -> bool {
    matches!(text(account, "locking_status"), "NO_BLOCK" | "DEBIT_BLOCK")
}

/// Sets balance and limit; `available_balance` follows (balance plus limit).
pub fn set_money(account: &mut Map<String, Value>, balance: i64, limit: i64) {
    account.insert("balance".into(), money(balance));
    account.insert("account_limit".into(), money(limit));
    account.insert(
        "available_balance".into(),
        money(ledger::available(balance, limit)),
    );
}

/// The active reference account of an internal account, if any.
pub fn active_reference<'a>(store: &'a Store, account_id: &str) -> Option<&'a ReferenceAccount> {
    store
        .decoupled
        .reference_accounts
        .values()
        .find(|r| r.account_id == account_id && r.is_active())
}

/// What the time rules have to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    InitialScoring(String),
    Verification(String),
    SnapshotFailed(String),
    ExpireCreditRecord(String),
    ExpireSnapshot(String),
    ExecutePayout(String),
    /// The daily SDD settlement at this instant.
    Settle,
}

/// The next daily settlement instant strictly after `after`.
fn next_settlement(after: DateTime<Utc>) -> DateTime<Utc> {
    let today = after.date_naive().and_time(settlement_time()).and_utc();
    if today > after {
        today
    } else {
        today + Duration::days(1)
    }
}

/// Every decoupled-card rule due at or before `now`, with when it fell due.
pub fn due(store: &Store, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, Due)> {
    let d = &store.decoupled;
    let mut out = Vec::new();
    for (id, app) in &d.applications {
        match app.status() {
            ApplicationStatus::InitialScoringPending => {
                out.push((app.created.min(now), Due::InitialScoring(id.clone())));
            }
            ApplicationStatus::AccountSnapshotVerificationPending => {
                let snapshot = d
                    .snapshots
                    .get(text(&app.resource, "account_snapshot_id"))
                    .map(Snapshot::status);
                match snapshot {
                    Some("available") => out.push((now, Due::Verification(id.clone()))),
                    Some("failed" | "expired") | None => {
                        out.push((now, Due::SnapshotFailed(id.clone())));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for (id, record) in &d.credit_records {
        if text(&record.resource, "status") == "available" && record.expires_at <= now {
            out.push((record.expires_at, Due::ExpireCreditRecord(id.clone())));
        }
    }
    for (id, snapshot) in &d.snapshots {
        if let Some(at) = snapshot.expires_at
            && snapshot.status() == "available"
            && at <= now
        {
            out.push((at, Due::ExpireSnapshot(id.clone())));
        }
    }
    for (id, payout) in &d.payouts {
        if payout.status() == PayoutStatus::Accepted {
            out.push((payout.accepted_at.min(now), Due::ExecutePayout(id.clone())));
        }
    }
    // Between two settlement instants balances only change by requests (which happen at now)
    // or by the rules above, none of which makes a balance negative: the first instant settles,
    // the last one records how far the settlement has run.
    let start = d.settled_through.or_else(|| {
        d.bookings
            .first()
            .and_then(|b| b.get("recorded_at"))
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc) - Duration::nanoseconds(1))
    });
    if let Some(start) = start {
        let first = next_settlement(start);
        if first <= now {
            out.push((first, Due::Settle));
            // The first instant after a day ago is the latest one at or before now.
            let last = next_settlement(now - Duration::days(1));
            if last > first {
                out.push((last, Due::Settle));
            }
        }
    }
    out
}

/// Carries out one due rule, as at `at`.
pub fn apply(store: &mut Store, due: Due, at: DateTime<Utc>) {
    match due {
        Due::InitialScoring(id) => initial_scoring(store, &id, at),
        Due::Verification(id) => verification(store, &id, at),
        Due::SnapshotFailed(id) => snapshot_failed(store, &id, at),
        Due::ExpireCreditRecord(id) => {
            if let Some(record) = store.decoupled.credit_records.get_mut(&id) {
                record.resource.insert("status".into(), json!("expired"));
                let payload = Value::Object(record.resource.clone());
                store.emit_at("PERSON_CREDIT_RECORD", id, payload, at);
            }
        }
        Due::ExpireSnapshot(id) => {
            if let Some(snapshot) = store.decoupled.snapshots.get_mut(&id) {
                snapshot.resource.insert("status".into(), json!("expired"));
                snapshot.resource.insert(
                    "status_description".into(),
                    json!("the snapshot is older than 30 days; create a new one"),
                );
                let payload = super::account_snapshots::webhook_payload(snapshot);
                store.emit_at("ACCOUNT_SNAPSHOT", id, payload, at);
            }
        }
        Due::ExecutePayout(id) => super::payouts::execute(store, &id, at),
        Due::Settle => {
            super::ledger::settle(store, at);
            store.decoupled.settled_through = Some(at);
        }
    }
}

/// Moves an application to `to` and raises `SDD_COLLECTION_APPLICATION`; a refused move is
/// left undone (the rules only ask for allowed ones).
pub fn move_application(
    store: &mut Store,
    id: &str,
    to: ApplicationStatus,
    at: DateTime<Utc>,
    change: impl FnOnce(&mut Map<String, Value>),
) -> Option<Value> {
    let app = store.decoupled.applications.get_mut(id)?;
    let to = app.status().apply(to).ok()?;
    app.resource.insert("status".into(), json!(to.as_str()));
    app.resource
        .insert("decision".into(), json!(to.decision().map(|d| d.as_str())));
    change(&mut app.resource);
    let payload = Value::Object(app.resource.clone());
    store.emit_at("SDD_COLLECTION_APPLICATION", id, payload.clone(), at);
    Some(payload)
}

fn initial_scoring(store: &mut Store, id: &str, at: DateTime<Utc>) {
    let Some(app) = store.decoupled.applications.get(id) else {
        return;
    };
    match scoring::initial_scoring(&app.credit) {
        Ok(()) => move_application(
            store,
            id,
            ApplicationStatus::AccountSnapshotPending,
            at,
            |_| {},
        ),
        Err(reason) => move_application(store, id, ApplicationStatus::Rejected, at, |r| {
            r.insert("rejection_reasons".into(), json!([reason.as_str()]));
        }),
    };
}

fn verification(store: &mut Store, id: &str, at: DateTime<Utc>) {
    let Some(app) = store.decoupled.applications.get(id) else {
        return;
    };
    let facts = store
        .decoupled
        .snapshots
        .get(text(&app.resource, "account_snapshot_id"))
        .and_then(|s| s.facts.clone())
        .unwrap_or(SnapshotFacts {
            days: scoring::DEFAULT_SNAPSHOT_DAYS,
            balance: 0,
            turnovers: Vec::new(),
        });
    match scoring::verify(&app.credit, &facts) {
        Verdict::Offered { limit } => {
            move_application(store, id, ApplicationStatus::Offered, at, |r| {
                r.insert("limit".into(), money(limit));
            })
        }
        Verdict::Rejected(reason) => {
            move_application(store, id, ApplicationStatus::Rejected, at, |r| {
                r.insert("rejection_reasons".into(), json!([reason.as_str()]));
            })
        }
    };
}

fn snapshot_failed(store: &mut Store, id: &str, at: DateTime<Utc>) {
    move_application(
        store,
        id,
        ApplicationStatus::AccountSnapshotPending,
        at,
        |r| {
            r.insert("account_snapshot_id".into(), Value::Null);
        },
    );
}

/// The query's filters (`filter[status]=x` → `("status", "x")`) and page (`page[number]` from
/// 1, `page[size]` default 10, both at most 1000), or a `build_pagination_headers_failure`.
pub fn query_of(query: Option<&str>) -> ApiResult<Query> {
    let mut q = Query {
        filters: Vec::new(),
        number: 1,
        size: 10,
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = key.replace("%5B", "[").replace("%5D", "]");
        let page = |field: &str| {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| ApiError {
                    status: axum::http::StatusCode::BAD_REQUEST,
                    code: "build_pagination_headers_failure",
                    title: "Failed to build pagination headers.",
                    detail: format!("{field} must be a whole number from 1 to 1000"),
                    source: Some((
                        field.to_string(),
                        "must be a whole number from 1 to 1000".into(),
                    )),
                })
        };
        match key.as_str() {
            "page[number]" => q.number = page("page[number]")?,
            "page[size]" => q.size = page("page[size]")?,
            k => {
                if let Some(field) = k.strip_prefix("filter[").and_then(|f| f.strip_suffix(']')) {
                    q.filters.push((field.to_string(), value.to_string()));
                }
            }
        }
    }
    Ok(q)
}

/// A list request's filters and page.
#[derive(Debug, Clone)]
pub struct Query {
    pub filters: Vec<(String, String)>,
    pub number: usize,
    pub size: usize,
}

impl Query {
    /// The value of `filter[field]`, if given.
    pub fn filter(&self, field: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }

    /// One page of `items` as a bare JSON array, with `Total`, `Per-Page` and `Link` headers.
    pub fn page(&self, path: &str, items: Vec<Value>) -> (axum::http::HeaderMap, Value) {
        let total = items.len();
        let page: Vec<Value> = items
            .into_iter()
            .skip((self.number - 1) * self.size)
            .take(self.size)
            .collect();
        let last = total.div_ceil(self.size).max(1);
        let size = self.size;
        let link = |n: usize, rel: &str| {
            format!("<{path}?page[number]={n}&page[size]={size}>; rel=\"{rel}\"")
        };
        let mut links = vec![link(1, "first"), link(last, "last")];
        if self.number < last {
            links.push(link(self.number + 1, "next"));
        }
        if self.number > 1 {
            links.push(link(self.number - 1, "prev"));
        }
        let mut headers = axum::http::HeaderMap::new();
        for (name, value) in [
            ("Total", total.to_string()),
            ("Per-Page", size.to_string()),
            ("Link", links.join(", ")),
        ] {
            if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        (headers, Value::Array(page))
    }
}

/// `timestamp(at)`, for resources.
pub fn stamp(at: DateTime<Utc>) -> Value {
    json!(timestamp(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a timestamp")
            .with_timezone(&Utc)
    }

    #[test]
    fn settlement_runs_daily_at_22_utc() {
        assert_eq!(
            next_settlement(at("2024-03-01T10:00:00Z")),
            at("2024-03-01T22:00:00Z")
        );
        assert_eq!(
            next_settlement(at("2024-03-01T22:00:00Z")),
            at("2024-03-02T22:00:00Z")
        );
        assert_eq!(
            next_settlement(at("2024-03-01T23:30:00Z")),
            at("2024-03-02T22:00:00Z")
        );
    }

    #[test]
    fn days_passing_give_one_settlement_that_acts_and_one_that_records() {
        let mut store = Store::default();
        let mut booking = Map::new();
        booking.insert("recorded_at".into(), json!("2024-03-01T10:00:00.000Z"));
        store.decoupled.bookings.push(booking);
        let now = at("2024-03-04T10:00:00Z");
        let settles: Vec<DateTime<Utc>> = due(&store, now)
            .into_iter()
            .filter(|(_, d)| *d == Due::Settle)
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            settles,
            vec![at("2024-03-01T22:00:00Z"), at("2024-03-03T22:00:00Z")]
        );
        store.decoupled.settled_through = Some(at("2024-03-03T22:00:00Z"));
        assert!(due(&store, now).is_empty());
        assert_eq!(due(&store, at("2024-03-04T22:00:00Z")).len(), 1);
    }
}
