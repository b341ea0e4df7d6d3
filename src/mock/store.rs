//! The mock's state, [`Store`]: every resource the sandbox double holds, behind one lock.
//!
//! Handlers take the lock, change what they must and let go before any await, so a request
//! sees and leaves a consistent state. Resources are kept as the JSON the API shows, plus the
//! few private facts the mock needs (who owns what, when a link expires).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A new id: 32 lowercase hex characters plus the resource's suffix.
pub fn new_id(suffix: &str) -> String {
    format!("{}{suffix}", uuid::Uuid::new_v4().simple())
}

#[derive(Debug, Default)]
pub struct Store {
    /// Access token → expiry on the mock's clock.
    pub tokens: HashMap<String, DateTime<Utc>>,
    /// Person id → the person resource as the API shows it.
    pub persons: HashMap<String, Map<String, Value>>,
    /// How many persons share each identity (`domain::person::identity_key`), for the
    /// sandbox's limit on identical persons.
    pub identities: HashMap<String, usize>,
    /// Person id → whether the CDD statuses were set through the simulator.
    pub cdd_set_by_simulator: HashMap<String, bool>,
    /// Person id → the person's one mobile number.
    pub mobile_numbers: HashMap<String, MobileNumber>,
    /// Person id → tax identifications in creation order.
    pub tax_identifications: HashMap<String, Vec<Value>>,
    /// Identification id → identification.
    pub identifications: HashMap<String, Identification>,
    pub change_requests: HashMap<String, ChangeRequest>,
    /// Account opening request id → the request as the API shows it.
    pub opening_requests: HashMap<String, Map<String, Value>>,
    /// Account id → the account as the API shows it.
    pub accounts: HashMap<String, Map<String, Value>>,
    pub cards: HashMap<String, Card>,
    /// Webhook events raised and not yet handed to the delivery engine.
    pub outbox: Vec<OutboxEvent>,
    /// Webhook subscriptions, oldest first.
    pub subscriptions: Vec<Subscription>,
    /// Deliveries waiting for their (next) attempt.
    pub deliveries: Vec<Delivery>,
    /// Decoupled cards: credit records, SDD applications, snapshots, reference accounts,
    /// bookings and payouts.
    pub decoupled: super::decoupled::Decoupled,
    /// Person id → ID-document expiry notices sent, as (document expiry, day offset).
    pub expiry_notices: HashMap<String, Vec<(chrono::NaiveDate, i64)>>,
    /// Who owns what, and what a time rule may still act on. Kept by the `insert_*` methods:
    /// persons, accounts, identifications and cards go in through them, never straight into
    /// their maps.
    pub index: Index,
}

/// Indexes beside the maps, so that neither a request nor a time rule walks every resource:
/// the mock's cost per request stays flat as the store grows.
#[derive(Debug, Default)]
pub struct Index {
    /// Person id → the person's account ids, oldest first.
    accounts: HashMap<String, Vec<String>>,
    /// Person id → the person's identification ids, oldest first.
    identifications: HashMap<String, Vec<String>>,
    /// Account id → the account's card ids, oldest first.
    cards: HashMap<String, Vec<String>>,
    /// Card references in use: a reference names one card only.
    card_references: HashSet<String>,
    /// Resources a time rule may still act on (see `timeline`), in a stable order. The timeline
    /// drops an entry once no rule can ever act on it again.
    pub watched: Watched,
}

#[derive(Debug, Default)]
pub struct Watched {
    /// Identifications whose link may still expire (not yet successful, failed or expired).
    pub identifications: BTreeSet<String>,
    /// Current accounts whose missing-tax-information rule may still fire.
    pub accounts: BTreeSet<String>,
    /// Italian and Spanish persons, whose ID documents must stay valid.
    pub persons: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub event_type: String,
    pub url: String,
    pub secret: String,
    pub created_at: String,
}

impl Subscription {
    /// As the API shows it after creation: the secret is never shown again.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "event_type": self.event_type,
            "url": self.url,
            "secret": null,
            "created_at": self.created_at,
        })
    }
}

/// One event on its way to one subscription.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `Solaris-Webhook-Id`: the same on every attempt, so receivers can spot duplicates.
    pub webhook_id: String,
    pub subscription_id: String,
    pub event_type: &'static str,
    pub entity_id: String,
    /// The exact bytes sent (and signed).
    pub body: Vec<u8>,
    /// 1 on the first attempt.
    pub attempt: u32,
    pub first_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// A webhook event as a resource raised it: which event, about which entity, with what body.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub event_type: &'static str,
    /// Sent as `Solaris-Entity-Id`.
    pub entity_id: String,
    pub payload: Value,
    /// When it happened on the mock's clock, if not now (a time rule that fell due earlier).
    pub occurred_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct MobileNumber {
    pub id: String,
    pub number: String,
    pub verified: bool,
    /// An OTP was sent and not yet used.
    pub otp_pending: bool,
}

impl MobileNumber {
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "id": self.id, "number": self.number, "verified": self.verified })
    }
}

#[derive(Debug, Clone)]
pub struct Identification {
    pub person_id: String,
    /// The resource as the API shows it.
    pub resource: Map<String, Value>,
    /// When the IDnow link stops working, once requested.
    pub url_expires_at: Option<DateTime<Utc>>,
    /// Failed and aborted attempts, for `idnow_attempts`.
    pub attempts: Vec<Value>,
}

impl Identification {
    pub fn status(&self) -> &str {
        self.resource
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("created")
    }
}

/// What a change request will do once confirmed.
#[derive(Debug, Clone)]
pub enum ChangeAction {
    DeleteMobileNumber {
        person_id: String,
    },
    /// A payout to the reference account, created once confirmed.
    Payout {
        payout_id: String,
    },
}

#[derive(Debug, Clone)]
pub struct ChangeRequest {
    pub id: String,
    pub person_id: String,
    pub status: &'static str,
    pub updated_at: String,
    pub action: ChangeAction,
}

impl ChangeRequest {
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "status": self.status,
            "updated_at": self.updated_at,
            "url": format!("/v1/change_requests/{}", self.id),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Card {
    pub resource: Map<String, Value>,
    /// When activation is first allowed (24 hours after creation, unless the sandbox marker).
    pub activatable_from: DateTime<Utc>,
}

impl Store {
    /// Raises a webhook event; delivery happens in the background, after the answer.
    pub fn emit(&mut self, event_type: &'static str, entity_id: impl Into<String>, payload: Value) {
        self.outbox.push(OutboxEvent {
            event_type,
            entity_id: entity_id.into(),
            payload,
            occurred_at: None,
        });
    }

    /// Raises a webhook event that happened at `at` on the mock's clock.
    pub fn emit_at(
        &mut self,
        event_type: &'static str,
        entity_id: impl Into<String>,
        payload: Value,
        at: DateTime<Utc>,
    ) {
        self.outbox.push(OutboxEvent {
            event_type,
            entity_id: entity_id.into(),
            payload,
            occurred_at: Some(at),
        });
    }

    /// The tax identifications of a person.
    pub fn tins(&self, person_id: &str) -> &[Value] {
        self.tax_identifications
            .get(person_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The identifications of a person, oldest first.
    pub fn identifications_of(&self, person_id: &str) -> Vec<&Identification> {
        let mut list: Vec<&Identification> = self
            .index
            .identifications
            .get(person_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.identifications.get(id))
            .collect();
        list.sort_by(|a, b| created(&a.resource).cmp(created(&b.resource)));
        list
    }

    /// The ids of a person's accounts, oldest first.
    pub fn account_ids_of(&self, person_id: &str) -> &[String] {
        self.index
            .accounts
            .get(person_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A person's accounts, oldest first.
    pub fn accounts_of(&self, person_id: &str) -> Vec<&Map<String, Value>> {
        self.account_ids_of(person_id)
            .iter()
            .filter_map(|id| self.accounts.get(id))
            .collect()
    }

    /// An account's cards, oldest first.
    pub fn cards_of(&self, account_id: &str) -> Vec<&Card> {
        self.index
            .cards
            .get(account_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.cards.get(id))
            .collect()
    }

    /// Whether a card already carries this reference.
    pub fn card_reference_taken(&self, reference: &str) -> bool {
        self.index.card_references.contains(reference)
    }

    /// Stores a new or changed person.
    pub fn insert_person(&mut self, id: String, person: Map<String, Value>) {
        let watched = &mut self.index.watched.persons;
        if matches!(
            person.get("branch").and_then(Value::as_str),
            Some("IT" | "ES")
        ) {
            watched.insert(id.clone());
        } else {
            watched.remove(&id);
        }
        self.persons.insert(id, person);
    }

    /// Stores a new or changed account.
    pub fn insert_account(&mut self, id: String, account: Map<String, Value>) {
        let person_id = text(&account, "person_id").to_string();
        let current = text(&account, "type") == "CHECKING_PERSONAL";
        if self.accounts.insert(id.clone(), account).is_none() {
            if current {
                self.index.watched.accounts.insert(id.clone());
            }
            self.index.accounts.entry(person_id).or_default().push(id);
        }
    }

    /// Stores a new identification.
    pub fn insert_identification(&mut self, id: String, identification: Identification) {
        let person_id = identification.person_id.clone();
        if self
            .identifications
            .insert(id.clone(), identification)
            .is_none()
        {
            self.index.watched.identifications.insert(id.clone());
            self.index
                .identifications
                .entry(person_id)
                .or_default()
                .push(id);
        }
    }

    /// Stores a new card.
    pub fn insert_card(&mut self, id: String, card: Card) {
        let account_id = text(&card.resource, "account_id").to_string();
        let reference = card.resource.get("reference").and_then(Value::as_str);
        if let Some(reference) = reference {
            self.index.card_references.insert(reference.to_string());
        }
        if self.cards.insert(id.clone(), card).is_none() {
            self.index.cards.entry(account_id).or_default().push(id);
        }
    }
}

/// A text field of a resource (empty when absent or not text).
pub fn text<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn created(m: &Map<String, Value>) -> &str {
    m.get("created_at").and_then(Value::as_str).unwrap_or("")
}
