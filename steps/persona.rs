//! Generated test customers, one per market: German (branch null), French, Italian and
//! Spanish (branch FR, IT, ES), each with exactly the data points its country asks for
//! (Appendix II of the Decoupled Cards guide) and every consent timestamp. Each scenario gets
//! a person nobody else has (a made-up middle name, a birth date and a mobile number drawn at
//! random), so the sandbox's rule against more than 1000 identical persons is never tripped
//! and no real personal data is used.

use super::params::Market;
use serde_json::{Map, Value, json};

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
#[cfg(test)]
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
#[cfg(test)]
pub fn german_customer(consented_at: &str) -> Value {
    german_customer_from(consented_at, entropy())
}

fn german_customer_from(consented_at: &str, r: [u8; 16]) -> Value {
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

/// The customer of `market` who agreed to every legal screen at `consented_at`.
#[cfg(test)]
pub fn customer(market: Market, consented_at: &str) -> Value {
    customer_from(market, consented_at, entropy())
}

/// The same, drawn from `bytes`: the same bytes give the same customer (see
/// [`persona_bytes`]).
pub fn customer_from(market: Market, consented_at: &str, bytes: [u8; 16]) -> Value {
    match market {
        Market::German => german_customer_from(consented_at, bytes),
        Market::French => french_customer_from(consented_at, bytes),
        Market::Italian => italian_customer_from(consented_at, bytes),
        Market::Spanish => spanish_customer_from(consented_at, bytes),
    }
}

/// Sixteen bytes for the `draw`-th persona of a scenario, from the run's seed and the
/// scenario's identity (feature file and line): the same seed gives the same customers, so a
/// failure can be replayed with `--seed`. FNV-1a then SplitMix64, written out so the result
/// does not change with the Rust version.
pub fn persona_bytes(seed: u64, feature: &str, line: usize, draw: u64) -> [u8; 16] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in feature
        .bytes()
        .chain(line.to_le_bytes())
        .chain(draw.to_le_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut state = seed ^ h;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (a, b) = (next(), next());
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&a.to_le_bytes());
    out[8..].copy_from_slice(&b.to_le_bytes());
    out
}

/// What makes a persona unique: a made-up middle name, a birth date, a pick from the lists.
struct Draw {
    bytes: [u8; 16],
}

impl Draw {
    fn pick<'a, T>(&self, index: usize, list: &'a [T]) -> &'a T {
        &list[usize::from(self.bytes[index]) % list.len()]
    }

    fn middle_name(&self) -> String {
        invented_name(&self.bytes[1..5])
    }

    fn birth_date(&self) -> String {
        let year = 1960 + u32::from(self.bytes[7]) % 40;
        let month = 1 + u32::from(self.bytes[8]) % 12;
        let day = 1 + u32::from(self.bytes[9]) % 28;
        format!("{year}-{month:02}-{day:02}")
    }

    fn email(&self, first: &str) -> String {
        format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            self.middle_name().to_lowercase()
        )
    }
}

/// The four consents of the legal screens and the FATCA self-declaration.
fn consents(person: &mut Map<String, Value>, at: &str) {
    for field in [
        "fatca_crs_confirmed_at",
        "terms_conditions_signed_at",
        "data_terms_signed_at",
        "own_economic_interest_signed_at",
    ] {
        person.insert(field.into(), json!(at));
    }
    person.insert("fatca_relevant".into(), json!(false));
}

fn with_consents(person: Value, at: &str) -> Value {
    let mut map = person.as_object().cloned().unwrap_or_default();
    consents(&mut map, at);
    Value::Object(map)
}

/// A French retail customer of the FR branch, employed, born in France (with the INSEE
/// département of birth as `birth_post_code`; `birth_province` is for lending products only
/// and left out).
fn french_customer_from(consented_at: &str, bytes: [u8; 16]) -> Value {
    const PEOPLE: &[(&str, &str)] = &[("MS", "Camille"), ("MR", "Hugo"), ("MS", "Léa")];
    const BIRTH: &[(&str, &str)] = &[("Lyon", "69"), ("Ajaccio", "2A"), ("Lille", "59")];
    let d = Draw { bytes };
    let (salutation, first) = *d.pick(0, PEOPLE);
    let last = *d.pick(5, &["Dubois", "Lefèvre", "Moreau"]);
    let (city, departement) = *d.pick(6, BIRTH);
    with_consents(
        json!({
            "salutation": salutation,
            "first_name": format!("{first} {}", d.middle_name()),
            "last_name": last,
            "branch": "FR",
            "address": {
                "line_1": "Rue de Rivoli", "line_2": "12", "postal_code": "75001",
                "city": "Paris", "country": "FR",
            },
            "contact_address": {
                "line_1": "Rue Oberkampf", "line_2": "8", "postal_code": "75011",
                "city": "Paris", "country": "FR",
            },
            "email": d.email(first),
            "birth_name": last,
            "birth_date": d.birth_date(),
            "birth_city": city,
            "birth_country": "FR",
            "birth_post_code": departement,
            "nationality": "FR",
            "employment_status": "EMPLOYED",
            "nace_code": "62.01",
            "work_country": "FR",
            "job_title": "Ingénieure logiciel",
            "socioprofessional_category": "EMPLOYEES",
            "purpose_of_account_opening": "DAILY_EXPENSES",
            "main_income_source": "SALARY_INCOME_OR_OWN_BUSINESS",
            "annual_income_range": "RANGE_2",
            "tax_information": { "tax_assessment": "NONE" },
        }),
        consented_at,
    )
}

/// An Italian retail customer of the IT branch, employed in Italy, born in Italy.
fn italian_customer_from(consented_at: &str, bytes: [u8; 16]) -> Value {
    const PEOPLE: &[(&str, &str)] = &[("MS", "Giulia"), ("MR", "Luca"), ("MS", "Chiara")];
    const BIRTH: &[(&str, &str)] = &[("Milano", "MI"), ("Roma", "RM"), ("Napoli", "NA")];
    let d = Draw { bytes };
    let (salutation, first) = *d.pick(0, PEOPLE);
    let (city, province) = *d.pick(6, BIRTH);
    with_consents(
        json!({
            "salutation": salutation,
            "first_name": format!("{first} {}", d.middle_name()),
            "last_name": *d.pick(5, &["Rossi", "Bianchi", "D'Angelo"]),
            "branch": "IT",
            "address": {
                "line_1": "Via Roma", "line_2": "12", "postal_code": "20121",
                "city": "Milano", "country": "IT",
            },
            "contact_address": {
                "line_1": "Via Po", "line_2": "3", "postal_code": "10123",
                "city": "Torino", "country": "IT",
            },
            "email": d.email(first),
            "birth_date": d.birth_date(),
            "birth_city": city,
            "birth_country": "IT",
            "birth_province": province,
            "nationality": "IT",
            "employment_status": "EMPLOYED",
            "nace_code": "62.0",
            "work_country": "IT",
            "work_province": "MI",
            "purpose_of_account_opening": "SALARY_OR_PENSION_ACCREDITATION",
            "main_income_source": "SALARY_INCOME_OR_OWN_BUSINESS",
            "annual_income_range": "RANGE_3",
            "self_declared_as_pep": false,
        }),
        consented_at,
    )
}

/// A Spanish retail customer of the ES branch, employed in Spain, born in Spain (province
/// codes 01-52), with both surnames.
fn spanish_customer_from(consented_at: &str, bytes: [u8; 16]) -> Value {
    const PEOPLE: &[(&str, &str)] = &[("MS", "Lucía"), ("MR", "Javier"), ("MS", "Marta")];
    const BIRTH: &[(&str, &str)] = &[("Sevilla", "41"), ("Madrid", "28"), ("Valencia", "46")];
    let d = Draw { bytes };
    let (salutation, first) = *d.pick(0, PEOPLE);
    let (city, province) = *d.pick(6, BIRTH);
    with_consents(
        json!({
            "salutation": salutation,
            "first_name": format!("{first} {}", d.middle_name()),
            "last_name": *d.pick(5, &["García López", "Fernández Ruiz", "Núñez Ortega"]),
            "branch": "ES",
            "address": {
                "line_1": "Calle Mayor", "line_2": "5", "postal_code": "28013",
                "city": "Madrid", "country": "ES",
            },
            "email": d.email(first),
            "birth_date": d.birth_date(),
            "birth_city": city,
            "birth_country": "ES",
            "birth_province": province,
            "nationality": "ES",
            "employment_status": "EMPLOYED",
            "work_country": "ES",
            "work_province": "28",
            "purpose_of_account_opening": "SAVINGS",
            "main_income_source": "SALARY_INCOME_OR_OWN_BUSINESS",
            "annual_income_range": "RANGE_2",
        }),
        consented_at,
    )
}

/// Sets a dotted path (`address.country`) in a JSON object, creating objects on the way.
pub fn set_path(value: &mut Value, path: &str, new: Value) {
    let mut node = value;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Some(map) = node.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            map.insert(part.to_string(), new);
            return;
        }
        node = map.entry(part.to_string()).or_insert(Value::Null);
    }
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
    fn the_same_seed_and_scenario_give_the_same_customer_and_others_differ() {
        let at = "2024-01-01T00:00:00Z";
        let a = customer_from(
            Market::Italian,
            at,
            persona_bytes(7, "features/x.feature", 12, 0),
        );
        let b = customer_from(
            Market::Italian,
            at,
            persona_bytes(7, "features/x.feature", 12, 0),
        );
        assert_eq!(a, b);
        for other in [
            persona_bytes(8, "features/x.feature", 12, 0),
            persona_bytes(7, "features/x.feature", 13, 0),
            persona_bytes(7, "features/y.feature", 12, 0),
            persona_bytes(7, "features/x.feature", 12, 1),
        ] {
            assert_ne!(persona_bytes(7, "features/x.feature", 12, 0), other);
        }
        // Fixed: the bytes for a seed never change between versions of the runner (value
        // computed independently from the algorithm's description).
        assert_eq!(
            persona_bytes(1, "f", 1, 0),
            [
                52, 53, 49, 131, 250, 99, 95, 169, 223, 111, 38, 171, 252, 14, 20, 249
            ]
        );
    }

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
    fn every_market_draws_unique_customers_that_pass_the_name_rules() {
        for market in [
            Market::German,
            Market::French,
            Market::Italian,
            Market::Spanish,
        ] {
            let people: Vec<Value> = (0..50)
                .map(|_| customer(market, "2024-01-01T00:00:00Z"))
                .collect();
            for p in &people {
                for field in ["first_name", "last_name", "birth_name"] {
                    if let Some(name) = p[field].as_str() {
                        assert!(names::check(name).is_ok(), "{market:?} {field} {name:?}");
                    }
                }
            }
            let identities: std::collections::HashSet<String> = people
                .iter()
                .map(|p| {
                    ["first_name", "last_name", "birth_city", "birth_date"]
                        .map(|k| p[k].to_string())
                        .join("|")
                })
                .collect();
            assert_eq!(identities.len(), people.len(), "{market:?}: no two alike");
        }
    }

    #[test]
    fn setting_a_nested_path_creates_what_is_missing() {
        let mut v = json!({"address": {"city": "Berlin"}});
        set_path(&mut v, "address.country", json!("IT"));
        set_path(&mut v, "tax_information.marital_status", json!("SINGLE"));
        set_path(&mut v, "salutation", Value::Null);
        assert_eq!(
            v,
            json!({
                "address": {"city": "Berlin", "country": "IT"},
                "tax_information": {"marital_status": "SINGLE"},
                "salutation": null,
            })
        );
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
