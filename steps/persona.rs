//! Generated test customers. Each scenario gets a person nobody else has (a made-up middle
//! name, a birth date and a mobile number drawn at random), so the sandbox's rule against
//! more than 1000 identical persons is never tripped and no real personal data is used.

use serde_json::{Value, json};

const FIRST_NAMES: &[(&str, &str)] = &[
    ("MS", "Theresa"),
    ("MR", "Jonas"),
    ("MS", "Lena"),
    ("MR", "Felix"),
    ("MS", "Jürgen"),
];
const LAST_NAMES: &[&str] = &["Klemm", "Müller", "Schröder", "Becker", "Wagner"];
const CITIES: &[&str] = &["Berlin", "Hamburg", "München", "Köln", "Leipzig"];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "te", "vin", "so", "len", "da", "ri", "no", "be", "ta", "fel", "ma",
    "zu",
];

/// Random bytes, enough for one persona.
fn entropy() -> [u8; 16] {
    uuid::Uuid::new_v4().into_bytes()
}

/// A made-up given name from random syllables: letters only, capitalised.
fn invented_name(bytes: &[u8]) -> String {
    let word: String = bytes
        .iter()
        .map(|b| SYLLABLES[usize::from(*b) % SYLLABLES.len()])
        .collect();
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or(word)
}

/// A German retail customer who agreed to every legal screen, as the body of `POST /v1/persons`.
pub fn german_customer(consented_at: &str) -> Value {
    let r = entropy();
    let (salutation, first) = FIRST_NAMES[usize::from(r[0]) % FIRST_NAMES.len()];
    let first_name = format!("{first} {}", invented_name(&r[1..5]));
    let last_name = LAST_NAMES[usize::from(r[5]) % LAST_NAMES.len()];
    let city = CITIES[usize::from(r[6]) % CITIES.len()];
    let year = 1960 + u32::from(r[7]) % 40;
    let month = 1 + u32::from(r[8]) % 12;
    let day = 1 + u32::from(r[9]) % 28;
    let mobile = format!(
        "+49151{:08}",
        u32::from_be_bytes([r[10], r[11], r[12], r[13]]) % 100_000_000
    );
    json!({
        "salutation": salutation,
        "first_name": first_name,
        "last_name": last_name,
        "address": {
            "line_1": "Leopoldstraße",
            "line_2": "96",
            "postal_code": "13347",
            "city": "Berlin",
            "country": "DE",
            "state": "BE",
        },
        "email": format!("{}.{}@example.com", first.to_lowercase(), invented_name(&r[1..5]).to_lowercase()),
        "mobile_number": mobile,
        "birth_date": format!("{year}-{month:02}-{day:02}"),
        "birth_city": city,
        "birth_country": "DE",
        "nationality": "DE",
        "employment_status": "EMPLOYED",
        "tax_information": { "tax_assessment": "SEPARATE", "marital_status": "MARRIED" },
        "fatca_relevant": false,
        "fatca_crs_confirmed_at": consented_at,
        "terms_conditions_signed_at": consented_at,
        "data_terms_signed_at": consented_at,
        "own_economic_interest_signed_at": consented_at,
    })
}

/// Removes a dotted path (`address.line_1`) from a JSON object; true if it was there.
pub fn remove_path(value: &mut Value, path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return false;
    };
    let mut node = value;
    for part in parts {
        match node.get_mut(part) {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.as_object_mut()
        .is_some_and(|m| m.remove(last).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use solaris_conformance::domain::names;

    #[test]
    fn generated_names_pass_the_name_rules_and_differ() {
        let a = german_customer("2024-01-01T00:00:00Z");
        let b = german_customer("2024-01-01T00:00:00Z");
        for v in [&a, &b] {
            for field in ["first_name", "last_name"] {
                let name = v[field].as_str().unwrap_or_default();
                assert!(
                    names::check(name).is_ok(),
                    "{field} {name:?} breaks the name rules"
                );
            }
        }
        assert_ne!(a["first_name"], b["first_name"]);
    }

    #[test]
    fn removing_a_nested_path_leaves_the_rest() {
        let mut v = german_customer("2024-01-01T00:00:00Z");
        assert!(remove_path(&mut v, "address.line_1"));
        assert!(v["address"].get("line_1").is_none());
        assert!(v["address"].get("city").is_some());
        assert!(!remove_path(&mut v, "address.nothing"));
    }
}
