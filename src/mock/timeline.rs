//! The time rules of the seeds, run off the mock's clock in time order: whatever fell due
//! between the last run and now happens in the order it would have happened, each raising its
//! webhook with the moment it happened.
//!
//! Rules: an IDnow link expires 14 days after it was requested (`IDENTIFICATION`); a German
//! account opened without a tax identification is debit-blocked with `MISSING_TAX_INFORMATION`
//! 90 days after opening, and unblocked once one is recorded (`ACCOUNT_BLOCK`); for Italian and
//! Spanish customers an expiring ID document brings `POTENTIAL_ACCOUNT_BLOCKING` notices 30
//! days before its expiry and every 30 days after, and a block 90 days after it
//! (`IDENTIFICATION_DOCUMENT_EXPIRED`), lifted by a new successful identification. Card activation
//! and token expiry are checked against the clock where they are used.

use super::clock::timestamp;
use super::identifications::expire_if_due;
use super::store::Store;
use crate::domain::identification::IdentificationStatus;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

/// A German account has this long to receive its tax identification.
pub const TAX_INFORMATION_GRACE: Duration = Duration::days(90);
pub const MISSING_TAX_INFORMATION: &str = "MISSING_TAX_INFORMATION";
pub const IDENTIFICATION_FAILED: &str = "IDENTIFICATION_FAILED";
pub const IDENTIFICATION_DOCUMENT_EXPIRED: &str = "IDENTIFICATION_DOCUMENT_EXPIRED";
/// Days, relative to the ID document's expiry, on which Italian and Spanish customers get a
/// `POTENTIAL_ACCOUNT_BLOCKING` notice: 30 days before, then every 30 days until the block.
const EXPIRY_NOTICE_DAYS: [i64; 4] = [-30, 0, 30, 60];
/// Days after the ID document's expiry when the account is blocked.
const EXPIRY_BLOCK_DAYS: i64 = 90;

enum Rule {
    ExpireIdentification(String),
    BlockForMissingTax(String),
    UnblockTaxReceived(String),
    /// Person, the document's expiry date, the notice's offset in days.
    ExpiryNotice(String, NaiveDate, i64),
    BlockExpiredDocument(String),
    UnblockNewDocument(String),
    /// Decoupled cards: scoring, expiries, payouts, the daily SDD settlement.
    Decoupled(super::decoupled::Due),
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or_default()
}

/// Accounts of a person, by id.
fn accounts_of(store: &Store, person_id: &str) -> Vec<String> {
    let mut ids = store.account_ids_of(person_id).to_vec();
    ids.sort();
    ids
}

fn blocked_for(store: &Store, account_id: &str, reason: &str) -> bool {
    store
        .accounts
        .get(account_id)
        .and_then(|a| a.get("locking_reasons"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x == reason))
}

/// Italy and Spain keep valid ID documents on file: notices before and after the expiry, a
/// block 90 days after it, lifted once a new identification brings a valid document.
fn document_expiry_rules(store: &Store, now: DateTime<Utc>, due: &mut Vec<(DateTime<Utc>, Rule)>) {
    for person_id in &store.index.watched.persons {
        let Some(person) = store.persons.get(person_id) else {
            continue;
        };
        let Some(expiry) = person
            .get("legitimation_valid_until")
            .and_then(Value::as_str)
            .and_then(crate::domain::person::parse_date)
        else {
            continue;
        };
        let accounts = accounts_of(store, person_id);
        if accounts.is_empty() {
            continue;
        }
        let sent = store.expiry_notices.get(person_id);
        for offset in EXPIRY_NOTICE_DAYS {
            let at = midnight(expiry) + Duration::days(offset);
            let already = sent.is_some_and(|s| s.contains(&(expiry, offset)));
            if at <= now && !already {
                due.push((at, Rule::ExpiryNotice(person_id.clone(), expiry, offset)));
            }
        }
        let block_at = midnight(expiry) + Duration::days(EXPIRY_BLOCK_DAYS);
        let blocked = accounts
            .iter()
            .all(|a| blocked_for(store, a, IDENTIFICATION_DOCUMENT_EXPIRED));
        let any_blocked = accounts
            .iter()
            .any(|a| blocked_for(store, a, IDENTIFICATION_DOCUMENT_EXPIRED));
        if block_at <= now && !blocked {
            due.push((block_at, Rule::BlockExpiredDocument(person_id.clone())));
        } else if block_at > now && any_blocked {
            due.push((now, Rule::UnblockNewDocument(person_id.clone())));
        }
    }
}

fn parse(ts: Option<&Value>) -> Option<DateTime<Utc>> {
    ts.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// Runs every rule due at or before `now`, earliest first.
///
/// Only the resources a rule may still act on are looked at (`Store::index.watched`); those no
/// rule can ever act on again are dropped from it here, so a run costs what is pending, not
/// what the store holds.
pub fn run_due(store: &mut Store, now: DateTime<Utc>) {
    let mut due: Vec<(DateTime<Utc>, Rule)> = Vec::new();
    let mut settled: Vec<String> = Vec::new();
    for id in &store.index.watched.identifications {
        let Some(ident) = store.identifications.get(id) else {
            settled.push(id.clone());
            continue;
        };
        if IdentificationStatus::parse(ident.status()).is_some_and(IdentificationStatus::is_final) {
            settled.push(id.clone());
        } else if let Some(expires) = ident.url_expires_at
            && expires <= now
            && matches!(ident.status(), "pending" | "aborted" | "canceled")
        {
            due.push((expires, Rule::ExpireIdentification(id.clone())));
        }
    }
    for id in settled.drain(..) {
        store.index.watched.identifications.remove(&id);
    }
    for id in &store.index.watched.accounts {
        let Some(account) = store.accounts.get(id) else {
            settled.push(id.clone());
            continue;
        };
        let person_id = account
            .get("person_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let german = store
            .persons
            .get(person_id)
            .is_some_and(|p| matches!(p.get("branch").and_then(Value::as_str), None | Some("DE")));
        let has_tin = !store.tins(person_id).is_empty();
        let blocked = account
            .get("locking_reasons")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == MISSING_TAX_INFORMATION));
        match (blocked, has_tin) {
            // Tax identifications are never deleted: nothing can block this account again.
            (false, true) => settled.push(id.clone()),
            (false, false) if german => {
                if let Some(opened) = parse(account.get("opened_at")) {
                    let deadline = opened + TAX_INFORMATION_GRACE;
                    if deadline <= now {
                        due.push((deadline, Rule::BlockForMissingTax(id.clone())));
                    }
                }
            }
            (true, true) => due.push((now, Rule::UnblockTaxReceived(id.clone()))),
            _ => {}
        }
    }
    for id in settled.drain(..) {
        store.index.watched.accounts.remove(&id);
    }
    document_expiry_rules(store, now, &mut due);
    for (at, rule) in super::decoupled::due(store, now) {
        due.push((at, Rule::Decoupled(rule)));
    }
    due.sort_by_key(|(at, _)| *at);
    for (at, rule) in due {
        match rule {
            Rule::ExpireIdentification(id) => {
                let Some(ident) = store.identifications.get_mut(&id) else {
                    continue;
                };
                if expire_if_due(ident, at) {
                    let payload = Value::Object(ident.resource.clone());
                    store.emit_at("IDENTIFICATION", id, payload, at);
                }
            }
            Rule::BlockForMissingTax(id) => {
                set_block(store, &id, MISSING_TAX_INFORMATION, true, at)
            }
            Rule::UnblockTaxReceived(id) => {
                set_block(store, &id, MISSING_TAX_INFORMATION, false, at)
            }
            Rule::ExpiryNotice(person_id, expiry, offset) => {
                let blocking_date = expiry + Duration::days(EXPIRY_BLOCK_DAYS);
                let payload = json!({
                    "blocking_date": blocking_date.to_string(),
                    "reason": IDENTIFICATION_DOCUMENT_EXPIRED,
                });
                store
                    .expiry_notices
                    .entry(person_id.clone())
                    .or_default()
                    .push((expiry, offset));
                store.emit_at("POTENTIAL_ACCOUNT_BLOCKING", person_id, payload, at);
            }
            Rule::BlockExpiredDocument(person_id) => {
                for account in accounts_of(store, &person_id) {
                    set_block(store, &account, IDENTIFICATION_DOCUMENT_EXPIRED, true, at);
                }
            }
            Rule::UnblockNewDocument(person_id) => {
                for account in accounts_of(store, &person_id) {
                    set_block(store, &account, IDENTIFICATION_DOCUMENT_EXPIRED, false, at);
                }
            }
            Rule::Decoupled(rule) => super::decoupled::apply(store, rule, at),
        }
    }
}

/// Adds or removes one locking reason; the locking status follows from the reasons left
/// (none: `NO_BLOCK`; only missing tax information: `DEBIT_BLOCK`; anything else: `BLOCK`).
/// Raises `ACCOUNT_BLOCK` when the status changes.
pub fn set_block(
    store: &mut Store,
    account_id: &str,
    reason: &str,
    block: bool,
    at: DateTime<Utc>,
) {
    let Some(account) = store.accounts.get_mut(account_id) else {
        return;
    };
    let mut reasons: Vec<Value> = account
        .get("locking_reasons")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let before = account.get("locking_status").cloned();
    reasons.retain(|r| r != reason);
    if block {
        reasons.push(json!(reason));
    }
    let status = match reasons.as_slice() {
        [] => "NO_BLOCK",
        [only] if only == MISSING_TAX_INFORMATION => "DEBIT_BLOCK",
        _ => "BLOCK",
    };
    account.insert("locking_reasons".into(), Value::Array(reasons));
    account.insert("locking_status".into(), json!(status));
    if before == Some(json!(status)) {
        return;
    }
    let payload = json!({
        "account_id": account_id,
        "person_id": account.get("person_id"),
        "business_id": null,
        "iban": account.get("iban"),
        "locking_status": status,
        "updated_at": timestamp(at),
    });
    store.emit_at("ACCOUNT_BLOCK", account_id, payload, at);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_italian_account(expiry: &str) -> Store {
        let mut store = Store::default();
        let person = json!({ "branch": "IT", "legitimation_valid_until": expiry });
        store.insert_person(
            "p1cper".into(),
            person.as_object().cloned().unwrap_or_default(),
        );
        let account = json!({ "person_id": "p1cper", "type": "CHECKING_PERSONAL", "iban": "IT00", "locking_status": "NO_BLOCK", "locking_reasons": [] });
        store.insert_account(
            "a1cacc".into(),
            account.as_object().cloned().unwrap_or_default(),
        );
        store
    }

    fn at(date: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{date}T12:00:00Z"))
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn notices(store: &Store) -> Vec<String> {
        store
            .outbox
            .iter()
            .filter(|e| e.event_type == "POTENTIAL_ACCOUNT_BLOCKING")
            .map(|e| {
                e.occurred_at
                    .map(|t| t.date_naive().to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn an_expiring_document_brings_notices_then_a_block_then_lifts_with_a_new_document() {
        let mut store = store_with_italian_account("2030-03-31");
        run_due(&mut store, at("2030-02-28"));
        assert!(notices(&store).is_empty(), "nothing before day -30");
        run_due(&mut store, at("2030-03-01"));
        assert_eq!(notices(&store), vec!["2030-03-01"]);
        run_due(&mut store, at("2030-06-28"));
        assert_eq!(
            notices(&store),
            vec!["2030-03-01", "2030-03-31", "2030-04-30", "2030-05-30"]
        );
        assert_eq!(
            store.accounts["a1cacc"]["locking_status"],
            json!("NO_BLOCK")
        );
        run_due(&mut store, at("2030-06-29"));
        assert_eq!(store.accounts["a1cacc"]["locking_status"], json!("BLOCK"));
        assert_eq!(
            store.outbox.last().map(|e| e.event_type),
            Some("ACCOUNT_BLOCK")
        );
        run_due(&mut store, at("2030-07-30"));
        assert_eq!(notices(&store).len(), 4, "no notice after the block");
        store
            .persons
            .get_mut("p1cper")
            .map(|p| p.insert("legitimation_valid_until".into(), json!("2035-01-01")));
        run_due(&mut store, at("2030-07-31"));
        assert_eq!(
            store.accounts["a1cacc"]["locking_status"],
            json!("NO_BLOCK")
        );
    }

    /// A German current account of `person`, opened on `opened`, with or without a TIN.
    fn german_account(store: &mut Store, n: usize, opened: &str, tin: bool) -> String {
        let person = format!("p{n}cper");
        let account = format!("a{n}cacc");
        store.insert_person(person.clone(), serde_json::Map::new());
        let resource = json!({ "person_id": person, "type": "CHECKING_PERSONAL", "iban": "DE00",
            "locking_status": "NO_BLOCK", "locking_reasons": [], "opened_at": format!("{opened}T12:00:00Z") });
        store.insert_account(
            account.clone(),
            resource.as_object().cloned().unwrap_or_default(),
        );
        if tin {
            store.tax_identifications.insert(
                person,
                vec![json!({ "number": "48954371207", "country": "DE" })],
            );
        }
        account
    }

    #[test]
    fn settled_resources_leave_the_watch_and_pending_ones_still_fall_due() {
        let mut store = Store::default();
        for n in 0..1000 {
            german_account(&mut store, n, "2030-01-01", true);
        }
        let late = german_account(&mut store, 1000, "2030-01-01", false);
        run_due(&mut store, at("2030-01-02"));
        assert_eq!(
            store.index.watched.accounts.iter().collect::<Vec<_>>(),
            [&late],
            "accounts with a tax identification can never be blocked for it: not looked at again"
        );
        run_due(&mut store, at("2030-04-02"));
        let status = |s: &Store| s.accounts[&late]["locking_status"].clone();
        assert_eq!(
            status(&store),
            json!("DEBIT_BLOCK"),
            "90 days without a TIN"
        );
        store
            .tax_identifications
            .insert("p1000cper".into(), vec![json!({ "number": "48954371207" })]);
        run_due(&mut store, at("2030-04-03"));
        assert_eq!(
            status(&store),
            json!("NO_BLOCK"),
            "lifted once the TIN is recorded"
        );
        run_due(&mut store, at("2030-04-04"));
        assert!(store.index.watched.accounts.is_empty());
    }
}
