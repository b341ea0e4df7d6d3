//! The time rules of the seeds, run off the mock's clock in time order: whatever fell due
//! between the last run and now happens in the order it would have happened, each raising its
//! webhook with the moment it happened.
//!
//! Rules: an IDnow link expires 14 days after it was requested (`IDENTIFICATION`); a German
//! account opened without a tax identification is debit-blocked with `MISSING_TAX_INFORMATION`
//! 90 days after opening, and unblocked once one is recorded (`ACCOUNT_BLOCK`). Card activation
//! and token expiry are checked against the clock where they are used.

use super::clock::timestamp;
use super::identifications::expire_if_due;
use super::store::Store;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// A German account has this long to receive its tax identification.
pub const TAX_INFORMATION_GRACE: Duration = Duration::days(90);
pub const MISSING_TAX_INFORMATION: &str = "MISSING_TAX_INFORMATION";

enum Rule {
    ExpireIdentification(String),
    BlockForMissingTax(String),
    UnblockTaxReceived(String),
}

fn parse(ts: Option<&Value>) -> Option<DateTime<Utc>> {
    ts.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// Runs every rule due at or before `now`, earliest first.
pub fn run_due(store: &mut Store, now: DateTime<Utc>) {
    let mut due: Vec<(DateTime<Utc>, Rule)> = Vec::new();
    for (id, ident) in &store.identifications {
        if let Some(expires) = ident.url_expires_at
            && expires <= now
            && matches!(ident.status(), "pending" | "aborted" | "canceled")
        {
            due.push((expires, Rule::ExpireIdentification(id.clone())));
        }
    }
    for (id, account) in &store.accounts {
        if account.get("type") != Some(&json!("CHECKING_PERSONAL")) {
            continue;
        }
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
            Rule::BlockForMissingTax(id) => set_tax_block(store, &id, true, at),
            Rule::UnblockTaxReceived(id) => set_tax_block(store, &id, false, at),
        }
    }
}

fn set_tax_block(store: &mut Store, account_id: &str, block: bool, at: DateTime<Utc>) {
    let Some(account) = store.accounts.get_mut(account_id) else {
        return;
    };
    let mut reasons: Vec<Value> = account
        .get("locking_reasons")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    reasons.retain(|r| r != MISSING_TAX_INFORMATION);
    if block {
        reasons.push(json!(MISSING_TAX_INFORMATION));
    }
    let status = if reasons.is_empty() {
        "NO_BLOCK"
    } else {
        "DEBIT_BLOCK"
    };
    account.insert("locking_reasons".into(), Value::Array(reasons));
    account.insert("locking_status".into(), json!(status));
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
