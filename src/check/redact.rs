//! Redaction: [`redact_volatile`] replaces what changes from run to run (ids, timestamps, IBANs,
//! URLs, tokens) with placeholders so snapshots stay stable; [`redact_secrets`] keeps
//! credentials out of logs and reports.

use serde_json::{Map, Value};

/// Placeholder for ids (`id` and every `*_id`).
pub const ID: &str = "[id]";
/// Placeholder for timestamps (`*_at`, `creation_date`, any timestamp-shaped string).
pub const TIMESTAMP: &str = "[timestamp]";
/// Placeholder for IBANs.
pub const IBAN: &str = "[iban]";
/// Placeholder for URLs (`url`, `location`).
pub const URL: &str = "[url]";
/// Placeholder for provider and card references.
pub const REFERENCE: &str = "[reference]";
/// Placeholder for tokens and secrets.
pub const SECRET: &str = "[secret]";
/// Placeholder for masked card numbers.
pub const PAN: &str = "[pan]";
/// What [`redact_secrets`] puts in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// A copy of `value` with every volatile value replaced by a placeholder, recursively.
///
/// Keys decide first: `id` and `*_id` → `[id]`; `*_at`, `creation_date` → `[timestamp]`;
/// `iban` → `[iban]`; `url`, `location` → `[url]`; `reference` → `[reference]`;
/// `access_token`, `secret`, `wizard_session_key` → `[secret]`; `masked_pan` → `[pan]`. Then any
/// string shaped like a timestamp becomes `[timestamp]`. Plain dates (`birth_date`,
/// `expiration_date`) stay: they come from the scenario's data. Nulls stay null, so a snapshot
/// still shows that a field was null.
pub fn redact_volatile(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let redacted = match placeholder_for_key(key) {
                        Some(_) if v.is_null() => Value::Null,
                        Some(placeholder) if !v.is_object() && !v.is_array() => {
                            Value::from(placeholder)
                        }
                        _ => redact_volatile(v),
                    };
                    (key.clone(), redacted)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_volatile).collect()),
        Value::String(s) if looks_like_timestamp(s) => Value::from(TIMESTAMP),
        other => other.clone(),
    }
}

fn placeholder_for_key(key: &str) -> Option<&'static str> {
    match key {
        "id" => Some(ID),
        "iban" => Some(IBAN),
        "url" | "location" => Some(URL),
        "reference" => Some(REFERENCE),
        "access_token" | "secret" | "wizard_session_key" => Some(SECRET),
        "masked_pan" => Some(PAN),
        "created_at" | "updated_at" | "creation_date" | "completed_at" | "opened_at" => {
            Some(TIMESTAMP)
        }
        k if k.ends_with("_id") => Some(ID),
        k if k.ends_with("_at") => Some(TIMESTAMP),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM`, optional `:SS`, optional fraction, optional `Z` or `±HH:MM` / `±HHMM`.
/// A plain date is not a timestamp.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10)) {
        return false;
    }
    if !(at(10, b'T') || at(10, b't')) || !(digits(11..13) && at(13, b':') && digits(14..16)) {
        return false;
    }
    let mut i = 16;
    if at(i, b':') {
        if !digits(i + 1..i + 3) {
            return false;
        }
        i += 3;
        if at(i, b'.') {
            let fraction = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            if fraction == 0 {
                return false;
            }
            i += 1 + fraction;
        }
    }
    match &b[i..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => match rest {
            [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
            }
            _ => false,
        },
        _ => false,
    }
}

/// `text` with every non-empty secret replaced by `[redacted]`, and the credentials of any
/// `Bearer <token>` or `Basic <base64>` replaced too (`Bearer [redacted]`).
pub fn redact_secrets(text: &str, secrets: &[&str]) -> String {
    let mut sorted: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    // Longest first, so a secret that contains another is replaced whole.
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for secret in sorted {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    redact_authorization(&out)
}

/// Replaces the credentials after `Bearer` and `Basic` (any case, as a whole word).
fn redact_authorization(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let scheme_len = ["bearer", "basic"]
            .iter()
            .find(|scheme| {
                bytes
                    .get(i..i + scheme.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(scheme.as_bytes()))
            })
            .map(|scheme| scheme.len());
        if let (true, Some(len)) = (word_start, scheme_len) {
            let spaces = bytes[i + len..]
                .iter()
                .take_while(|c| **c == b' ' || **c == b'\t')
                .count();
            let token_start = i + len + spaces;
            let token = bytes[token_start..]
                .iter()
                .take_while(|c| is_token_byte(**c))
                .count();
            if spaces > 0 && token > 0 {
                out.push_str(&text[copied..token_start]);
                out.push_str(REDACTED);
                i = token_start + token;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Characters of an RFC 6750 bearer token (which include those of base64).
fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volatile_fields_get_placeholders() {
        let person = json!({
            "id": "84b3b4e6c7a4082cc73c5bd0e096ee88cper",
            "first_name": "Theresa",
            "birth_date": "1985-12-14",
            "terms_conditions_signed_at": "2022-01-01T00:00:00.000Z",
            "own_economic_interest_signed_at": null,
            "address": { "country": "DE" },
            "international_operativity_expectation": []
        });
        assert_eq!(
            redact_volatile(&person),
            json!({
                "id": "[id]",
                "first_name": "Theresa",
                "birth_date": "1985-12-14",
                "terms_conditions_signed_at": "[timestamp]",
                "own_economic_interest_signed_at": null,
                "address": { "country": "DE" },
                "international_operativity_expectation": []
            })
        );
    }

    #[test]
    fn every_documented_rule_applies() {
        let value = json!({
            "account_id": "cb752d28214bcfea4c285de600ad0105cacc",
            "customer_id": "84b3b4e6c7a4082cc73c5bd0e096ee88cper",
            "iban": "DE54110101002897397718",
            "url": "https://go.test.idnow.de/x",
            "location": "https://ui.example/?token=1",
            "reference": "TST-KCCEY",
            "access_token": "eyJ...",
            "secret": "f82c389fb187274227186b5a58781978",
            "wizard_session_key": "Hm7jUSC7XU2nQjPqJO8dl39eDkdjtOdCtywcmv3x",
            "representation": { "line_1": "THERESA/KLEMM", "masked_pan": "535544******1234" },
            "creation_date": "2024-05-02",
            "expiration_date": "2027-05-31",
            "completed_at": null,
            "opened_at": "2024-05-02T10:00:00Z",
            "expires_in": 3599,
            "balance": { "value": 0, "unit": "cents", "currency": "EUR" },
            "errors": [{ "id": "029f7bc9-a4dc-4512-b3ee-65d2eb089804", "detail": "at 2024-05-02T10:00:00Z" }],
            "now": "2024-05-02T10:00:00.123+00:00"
        });
        assert_eq!(
            redact_volatile(&value),
            json!({
                "account_id": "[id]",
                "customer_id": "[id]",
                "iban": "[iban]",
                "url": "[url]",
                "location": "[url]",
                "reference": "[reference]",
                "access_token": "[secret]",
                "secret": "[secret]",
                "wizard_session_key": "[secret]",
                "representation": { "line_1": "THERESA/KLEMM", "masked_pan": "[pan]" },
                "creation_date": "[timestamp]",
                "expiration_date": "2027-05-31",
                "completed_at": null,
                "opened_at": "[timestamp]",
                "expires_in": 3599,
                "balance": { "value": 0, "unit": "cents", "currency": "EUR" },
                "errors": [{ "id": "[id]", "detail": "at 2024-05-02T10:00:00Z" }],
                "now": "[timestamp]"
            })
        );
    }

    #[test]
    fn lists_and_nested_objects_are_redacted() {
        let value = json!([{ "id": "a", "rejection_reason": { "failed_validation": "x" }, "updated_at": "y" }]);
        assert_eq!(
            redact_volatile(&value),
            json!([{ "id": "[id]", "rejection_reason": { "failed_validation": "x" }, "updated_at": "[timestamp]" }])
        );
    }

    #[test]
    fn timestamp_shapes() {
        for yes in [
            "2021-09-14T18:18:28.000Z",
            "2020-04-25T12:50:33Z",
            "2021-12-22T15:05:33.634+00:00",
            "2022-04-21T13:59:52+0000",
            "2022-04-21T13:59",
            "2022-04-21T13:59:52",
        ] {
            assert!(looks_like_timestamp(yes), "{yes}");
        }
        for no in [
            "2022-04-21",
            "1985-12-14",
            "2022-04-21T13",
            "2022-04-21T13:59:52.Z",
            "2022-04-21T13:59:52+1",
            "x",
        ] {
            assert!(!looks_like_timestamp(no), "{no}");
        }
    }

    #[test]
    fn secrets_and_authorization_headers_are_redacted() {
        let text = "client mock-client/mock-secret; Authorization: Bearer eyJhbGciOi.x-y_z~+/=; \
                    authorization: basic bW9jay1jbGllbnQ6bW9jay1zZWNyZXQ=, Bearer\tabc";
        assert_eq!(
            redact_secrets(text, &["mock-secret", "", "mock-client"]),
            "client [redacted]/[redacted]; Authorization: Bearer [redacted]; \
             authorization: basic [redacted], Bearer\t[redacted]"
        );
    }

    #[test]
    fn authorization_words_need_a_token_and_a_word_boundary() {
        let text = "Basic checks, a Bearer, BearerToken abc, unbasic x, Bearer [redacted]";
        assert_eq!(
            redact_secrets(text, &[]),
            "Basic [redacted], a Bearer, BearerToken abc, unbasic x, Bearer [redacted]"
        );
    }

    #[test]
    fn overlapping_secrets_are_replaced_whole() {
        assert_eq!(
            redact_secrets("token abc123 and abc", &["abc", "abc123"]),
            "token [redacted] and [redacted]"
        );
    }
}
