//! The webhook event types the two guides name, [`EVENT_TYPES`], and the webhook [`signature`], shared by the mock (which
//! accepts subscriptions to them) and the runner (which subscribes to those its scenarios use).

/// Every event type of the seeds, sorted.
pub const EVENT_TYPES: &[&str] = &[
    "ACCOUNT_BLOCK",
    "ACCOUNT_CLOSURE",
    "ACCOUNT_CLOSURE_REQUEST",
    "ACCOUNT_OPENING_REQUEST",
    "ACCOUNT_SNAPSHOT",
    "BOOKING",
    "CARD_AUTHORIZATION",
    "CARD_AUTHORIZATION_DECLINE_V2",
    "CARD_AUTHORIZATION_RESOLUTION",
    "CARD_FRAUD_CASE_PENDING",
    "CARD_FRAUD_CASE_TIMEOUT",
    "CARD_LIFECYCLE_EVENT",
    "IDENTIFICATION",
    "PERSON_CHANGED",
    "PERSON_CREDIT_RECORD",
    "PERSON_DELETED",
    "PERSON_MOBILE_NUMBER_CREATED",
    "PERSON_MOBILE_NUMBER_DELETED",
    "PERSON_SEIZURE_CREATED",
    "PERSON_SEIZURE_DELETED",
    "PERSON_SEIZURE_FULFILLED",
    "PERSON_SEIZURE_UPDATED",
    "PERSON_TAX_IDENTIFICATION_CHANGED",
    "POSTBOX_ITEM_CREATED",
    "POTENTIAL_ACCOUNT_BLOCKING",
    "SCA_CHALLENGE",
    "SDD_COLLECTION_APPLICATION",
];

/// The `Solaris-Webhook-Signature` of a body: `sha256=<lowercase hex HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    // HMAC takes keys of any length, so this never fails.
    let Ok(mut mac) = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The event types named in a text (a step, say): whole uppercase words from [`EVENT_TYPES`].
pub fn named_in(text: &str) -> Vec<&'static str> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
        .collect();
    EVENT_TYPES
        .iter()
        .copied()
        .filter(|e| words.contains(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_lowercase_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn event_types_are_sorted_and_unique() {
        let mut sorted = EVENT_TYPES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, EVENT_TYPES);
    }

    #[test]
    fn named_in_finds_whole_words_only() {
        assert_eq!(
            named_in("the partner receives an IDENTIFICATION webhook"),
            vec!["IDENTIFICATION"]
        );
        assert_eq!(
            named_in("a PERSON_CHANGED or ACCOUNT_BLOCK webhook"),
            vec!["ACCOUNT_BLOCK", "PERSON_CHANGED"]
        );
        assert!(named_in("IDENTIFICATIONS and identification").is_empty());
    }
}
