//! One step definition per step type for cucumber to find, standing for all of them.
//!
//! Cucumber looks a step up by asking every definition of its type, in turn, for its captures:
//! with some sixty definitions a type, that was a tenth of the runner's time. Here cucumber is
//! given, per type, one pattern that matches exactly the texts one of the definitions matches
//! (their union, capture groups made plain), and a function that finds the definitions in one
//! pass of a [`RegexSet`] and calls the one that matches with the captures cucumber would have
//! given it. An undefined step still matches nothing, so cucumber still reports it undefined; an
//! ambiguous one fails with the message cucumber gives.
//!
//! The union is only used when it agrees with the definitions on every step text of the run;
//! otherwise (or when it does not compile) cucumber gets the definitions themselves.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cucumber::codegen::{Regex, StepConstructor as _, WorldInventory, inventory};
use cucumber::step::{Collection, Context, Location, Step};
use futures::future::LocalBoxFuture;
use regex::RegexSet;

/// The definitions of one step type.
struct Definitions<W> {
    steps: Vec<(Regex, Location, Step<W>)>,
    set: RegexSet,
}

/// Per step type (Given, When, Then).
struct Table<W> {
    types: [Definitions<W>; 3],
}

/// The step collection for cucumber: the union per type when it can stand for the definitions
/// on every text of `texts` (each with its type: 0 Given, 1 When, 2 Then); else `None`, and
/// cucumber keeps its own.
pub fn collection<W: WorldInventory + 'static>(texts: &[(usize, &str)]) -> Option<Collection<W>> {
    let table = table::<W>()?;
    let mut collection = Collection::new();
    for (ty, definitions) in table.types.iter().enumerate() {
        if definitions.steps.is_empty() {
            continue;
        }
        let union = union(definitions.steps.iter().map(|(r, ..)| r.as_str()))?;
        let agrees = texts
            .iter()
            .filter(|(t, _)| *t == ty)
            .all(|(_, text)| union.is_match(text) == definitions.set.is_match(text));
        if !agrees {
            return None;
        }
        collection = match ty {
            0 => collection.given(None, union, dispatch::<W, 0>),
            1 => collection.when(None, union, dispatch::<W, 1>),
            _ => collection.then(None, union, dispatch::<W, 2>),
        };
    }
    Some(collection)
}

/// The definitions of `W`, read from the inventory once per World type.
fn table<W: WorldInventory + 'static>() -> Option<&'static Table<W>> {
    static TABLES: OnceLock<Mutex<HashMap<TypeId, &'static (dyn Any + Send + Sync)>>> =
        OnceLock::new();
    let tables = TABLES.get_or_init(Default::default);
    let mut tables = tables.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(table) = tables.get(&TypeId::of::<W>()) {
        return table.downcast_ref::<Table<W>>();
    }
    let mut found: [Vec<(Regex, Location, Step<W>)>; 3] = Default::default();
    for given in inventory::iter::<W::Given> {
        let (location, regex, step) = given.inner();
        found[0].push((regex(), location, step));
    }
    for when in inventory::iter::<W::When> {
        let (location, regex, step) = when.inner();
        found[1].push((regex(), location, step));
    }
    for then in inventory::iter::<W::Then> {
        let (location, regex, step) = then.inner();
        found[2].push((regex(), location, step));
    }
    let types = found.map(|steps| {
        let set = RegexSet::new(steps.iter().map(|(r, ..)| r.as_str()));
        (steps, set)
    });
    if types.iter().any(|(_, set)| set.is_err()) {
        return None;
    }
    let table: &'static Table<W> = Box::leak(Box::new(Table {
        types: types.map(|(steps, set)| Definitions {
            steps,
            set: set.unwrap_or_else(|_| RegexSet::empty()),
        }),
    }));
    tables.insert(TypeId::of::<W>(), table);
    Some(table)
}

/// Calls the definition of type `TY` whose pattern matches the step, with the captures cucumber
/// gives a step function: the whole match, then every group, each with its name if it has one.
fn dispatch<W: WorldInventory + 'static, const TY: usize>(
    world: &mut W,
    context: Context,
) -> LocalBoxFuture<'_, ()> {
    let Some(definitions) = table::<W>().map(|t| &t.types[TY]) else {
        // The union is only handed to cucumber once the table exists.
        return fail("the step definitions could not be read".to_owned());
    };
    let text = context.step.value.as_str();
    let mut found = definitions
        .set
        .matches(text)
        .into_iter()
        .filter_map(|i| definitions.steps.get(i))
        .filter_map(|(regex, location, step)| {
            let mut groups = regex.capture_locations();
            let whole = regex.captures_read(&mut groups, text)?;
            Some((regex, location, step, groups, whole.as_str().to_owned()))
        })
        .collect::<Vec<_>>();
    if found.len() > 1 {
        // As cucumber words an ambiguous step (`AmbiguousMatchError`), sorted as it sorts.
        let mut possible: Vec<(&str, &Location)> =
            found.iter().map(|(r, l, ..)| (r.as_str(), *l)).collect();
        possible.sort();
        let mut message =
            "more than one step definition matches this step: Possible matches:".to_owned();
        for (regex, location) in possible {
            message.push_str(&format!("\n{regex} --> {location}"));
        }
        return fail(message);
    }
    let Some((regex, _, step, groups, whole)) = found.pop() else {
        return fail("no step definition matches this step".to_owned());
    };
    let matches = regex
        .capture_names()
        .map(|name| name.map(str::to_owned))
        .zip(std::iter::once(whole).chain((1..groups.len()).map(|group| {
            groups
                .get(group)
                .map_or("", |(start, end)| &text[start..end])
                .to_owned()
        })))
        .collect();
    step(
        world,
        Context {
            step: context.step,
            matches,
        },
    )
}

/// A step that fails with `message`, as a step function's panic does (without the panic hook:
/// this is the runner's verdict, not a crash).
fn fail<'a>(message: String) -> LocalBoxFuture<'a, ()> {
    Box::pin(async move { std::panic::resume_unwind(Box::new(message)) })
}

/// `patterns` as one pattern matching what any of them matches, with their capture groups made
/// non-capturing (so that finding whether one matches costs no captures); `None` if it does
/// not compile.
fn union<'a>(patterns: impl Iterator<Item = &'a str>) -> Option<Regex> {
    let alternatives: Vec<String> = patterns
        .map(|p| format!("(?:{})", without_groups(p)))
        .collect();
    regex::RegexBuilder::new(&alternatives.join("|"))
        .size_limit(64 << 20)
        .build()
        .ok()
}

/// `pattern` with every capture group, named or not, made a plain group `(?:…)`; escapes and
/// character classes are left as they are.
fn without_groups(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '[' => {
                out.push(c);
                if class_depth == 0 {
                    // A `]` first in a class (after an optional `^`) is a literal.
                    if chars.peek() == Some(&'^') {
                        out.push('^');
                        chars.next();
                    }
                    if chars.peek() == Some(&']') {
                        out.push(']');
                        chars.next();
                    }
                }
                class_depth += 1;
            }
            ']' if class_depth > 0 => {
                out.push(c);
                class_depth -= 1;
            }
            '(' if class_depth == 0 => {
                if chars.peek() != Some(&'?') {
                    out.push_str("(?:");
                    continue;
                }
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("?P<") || (rest.starts_with("?<") && !rest.starts_with("?<=")) {
                    // A named group: its name goes.
                    for skipped in chars.by_ref() {
                        if skipped == '>' {
                            break;
                        }
                    }
                    out.push_str("(?:");
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_groups_become_plain_and_everything_else_stays() {
        for (pattern, plain) in [
            (r"^a (\d+) b$", r"^a (?:\d+) b$"),
            (r#"^the "([^"]*)" card$"#, r#"^the "(?:[^"]*)" card$"#),
            (r"^(?P<n>\d+) and (?<m>x)$", r"^(?:\d+) and (?:x)$"),
            (r"^(?:kept) (?i)case (?i:x)$", r"^(?:kept) (?i)case (?i:x)$"),
            (
                r"^\(literal\) [(]x[)] []a(] [^]b(]$",
                r"^\(literal\) [(]x[)] []a(] [^]b(]$",
            ),
            (r"^[[:alpha:](] (y)$", r"^[[:alpha:](] (?:y)$"),
        ] {
            assert_eq!(without_groups(pattern), plain, "{pattern}");
            let (a, b) = (
                Regex::new(pattern).unwrap(),
                Regex::new(&without_groups(pattern)).unwrap(),
            );
            assert_eq!(b.captures_len(), 1, "{pattern}");
            for text in [
                "a 12 b",
                "the \"x\" card",
                "7 and x",
                "kept CASE X",
                "(literal) ( a ]",
                "b ( y",
            ] {
                assert_eq!(a.is_match(text), b.is_match(text), "{pattern} on {text}");
            }
        }
    }

    #[test]
    fn the_union_matches_what_one_of_the_patterns_matches() {
        let patterns = [r"^a (\d+)$", r"^b (?P<word>\w+)$", r"^c$"];
        let union = union(patterns.iter().copied()).expect("compiles");
        for (text, expected) in [
            ("a 1", true),
            ("b word", true),
            ("c", true),
            ("a x", false),
            ("ca", false),
            ("a 1c", false),
        ] {
            assert_eq!(union.is_match(text), expected, "{text}");
        }
    }
}
