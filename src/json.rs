//! JSON written by hand, byte for byte as serde_json writes it, for what is written many times
//! a run: the mock's answers and the reports' per-scenario records. serde_json escapes a
//! string a byte at a time and goes through a call per field; most strings here need no
//! escaping at all and are copied whole. Tests hold every function to serde's own bytes.

use serde_json::{Map, Value};

/// `s` as a JSON string: copied whole when nothing in it needs escaping (ids, statuses, most
/// names), else escaped by serde_json.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    if needs_escaping(s.as_bytes()) {
        // Serialising a string into memory cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether any byte of `bytes` is one JSON escapes (a control character, `"` or `\`). Looked
/// at 32 bytes at a time without branches, so that the compiler checks them side by side.
fn needs_escaping(bytes: &[u8]) -> bool {
    bytes.chunks(32).any(|run| {
        run.iter().fold(false, |any, &b| {
            any | (b < 0x20) | (b == b'"') | (b == b'\\')
        })
    })
}

pub fn write_uint(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

pub fn write_int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `strs` as a JSON array of strings.
pub fn write_strs(out: &mut Vec<u8>, strs: impl IntoIterator<Item = impl AsRef<str>>) {
    write_list(out, strs, |out, s| {
        write_str(out, s.as_ref());
    });
}

/// `items` as a JSON array, each written by `each`.
pub fn write_list<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

/// How much a streaming writer gathers before it hands it to the file.
pub const FLUSH_AT: usize = 1 << 16;

/// `value` as `serde_json::to_writer` writes it (compact, keys in the map's order).
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                write_uint(out, u);
            } else if let Some(i) = n.as_i64() {
                write_int(out, i);
            } else {
                // A float: serde_json's own shortest form.
                let _ = serde_json::to_writer(&mut *out, n);
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            write_list(out, items.iter(), |out, item| {
                write_value(out, item);
            });
        }
        Value::Object(map) => write_object(out, map),
    }
}

/// An object's entries as [`write_value`] writes them.
pub fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, item);
    }
    out.push(b'}');
}

/// [`write_value`] into a new buffer.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    write_value(&mut out, value);
    out
}

/// Texts for the property tests of the writers that write JSON or markup by hand.
#[cfg(test)]
pub(crate) fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    // Any Unicode, and texts made of what JSON escapes and of what it leaves as it is though
    // it looks special (DEL, the C1 controls, U+2028), long enough to cross a 32-byte run.
    prop_oneof![
        any::<String>(),
        "[a-z \"\\\\/\n\t\u{0}-\u{1f}\u{7f}\u{80}-\u{9f}\u{2028}é€😀]{0,80}",
    ]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Number;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        any_text()
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((text(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        /// Any JSON value written by hand is the bytes serde_json writes for it.
        #[test]
        fn a_hand_written_value_is_what_serde_writes(value in value()) {
            prop_assert_eq!(
                String::from_utf8(to_vec(&value)).unwrap(),
                serde_json::to_string(&value).unwrap()
            );
        }

        #[test]
        fn a_hand_written_string_is_what_serde_writes(s in text()) {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }
}
