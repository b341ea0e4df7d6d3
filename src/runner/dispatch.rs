//! One step definition per step type for cucumber to find, standing for all of them.
//!
//! Cucumber looks a step up by asking every definition of its type, in turn, for its captures,
//! for every step it runs: with some forty definitions a type, that was a tenth of the
//! runner's time. Here each distinct step text of the run is looked up once, before the run,
//! and cucumber is given, per type, one pattern: the texts some definition matches, word for
//! word. A text it matches goes to a function that calls the definition found for it with the
//! captures cucumber would have given it. An undefined step matches nothing, so cucumber still
//! reports it undefined; an ambiguous one fails with the message cucumber gives.
//!
//! The lookup asks each definition's own regex, which the step needs for its captures anyway,
//! but only those whose literal words the text has (`pattern::Pattern::may_match`): a regex
//! is compiled when a text first needs it, and those the run's texts need are compiled
//! together before it starts, on a thread per core. One `RegexSet` of a type's patterns would
//! find the candidates in one pass, but compiling the three sets took a quarter of the
//! runner's start and 11 MiB of its memory, for a lookup made once per distinct text.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use cucumber::codegen::{Regex, StepConstructor as _, WorldInventory, inventory};
use cucumber::step::{Collection, Context, Location, Step};
use futures::future::LocalBoxFuture;

use super::pattern::Pattern;

/// The definitions of one step type.
struct Definitions<W> {
    steps: Vec<(Pattern, Step<W>)>,
}

/// Per step type (Given, When, Then).
struct Table<W> {
    types: [Definitions<W>; 3],
    /// What each step text was found to be, per type: the run's texts are looked up before
    /// it starts (up to `REMEMBERED` of them), any other text when it is met.
    found: Mutex<[foldhash::HashMap<String, Found>; 3]>,
}

/// A step text's definition and the captures to call it with, or why it cannot run.
#[derive(Clone)]
enum Found {
    Step(usize, Vec<(Option<String>, String)>),
    Fails(String),
}

/// The step collection for cucumber, made for the step texts of a run (each with its type: 0
/// Given, 1 When, 2 Then); `None` when the texts' pattern does not compile (a size limit),
/// and cucumber keeps its own lookup.
pub fn collection<W: WorldInventory + 'static>(texts: &[(usize, &str)]) -> Option<Collection<W>> {
    let table = table::<W>();
    compile_for(table, texts);
    let mut collection = Collection::new();
    let mut remembered = table.found.lock().unwrap_or_else(|e| e.into_inner());
    for (ty, definitions) in table.types.iter().enumerate() {
        let mut defined: Vec<&str> = Vec::new();
        for (_, text) in texts.iter().filter(|(t, _)| *t == ty) {
            // A text no definition matches is left to cucumber, which reports it undefined.
            let Some(found) = find(definitions, text) else {
                continue;
            };
            defined.push(text);
            if remembered.iter().map(|r| r.len()).sum::<usize>() < crate::runner::REMEMBERED {
                remembered[ty].insert((*text).to_owned(), found);
            }
        }
        if defined.is_empty() {
            continue;
        }
        let union = union(&defined)?;
        collection = match ty {
            0 => collection.given(None, union, dispatch::<W, 0>),
            1 => collection.when(None, union, dispatch::<W, 1>),
            _ => collection.then(None, union, dispatch::<W, 2>),
        };
    }
    Some(collection)
}

/// Each step type's definitions' patterns, sorted by where their code is, each compiled once
/// (when first needed) and shared with the runner's step index.
pub fn definitions<W: WorldInventory + 'static>() -> [Vec<&'static Pattern>; 3] {
    let table = table::<W>();
    std::array::from_fn(|ty| table.types[ty].steps.iter().map(|(p, _)| p).collect())
}

/// Compiles, on a thread per core (up to four), the patterns that may match one of `texts`
/// (each with its step type) and are not compiled yet. Each pattern takes about half a
/// millisecond; a run's texts need a few of them or most.
fn compile_for<W>(table: &Table<W>, texts: &[(usize, &str)]) {
    let needed: Vec<&Pattern> = table
        .types
        .iter()
        .enumerate()
        .flat_map(|(ty, definitions)| {
            definitions
                .steps
                .iter()
                .map(move |(p, _)| (ty, p))
                .filter(|(ty, p)| {
                    !p.is_compiled() && texts.iter().any(|(t, text)| t == ty && p.may_match(text))
                })
        })
        .map(|(_, p)| p)
        .collect();
    let next = AtomicUsize::new(0);
    let compile = || {
        while let Some(pattern) = needed.get(next.fetch_add(1, Ordering::Relaxed)) {
            pattern.regex();
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get().min(4))
        .min(needed.len());
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(compile)).collect();
        compile();
        // A pattern that does not compile panics in cucumber's code, as it would without
        // threads.
        for helper in helpers {
            if let Err(panic) = helper.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// Starts reading `W`'s definitions on a thread of their own, while the run does the rest of
/// its start (features, schemas, the target); whoever needs them first waits for them.
pub fn prepare<W: WorldInventory + 'static>() {
    let _reading = std::thread::Builder::new()
        .name("step-definitions".into())
        .spawn(|| {
            table::<W>();
        });
}

/// The definitions of `W`, read from the inventory once per World type.
fn table<W: WorldInventory + 'static>() -> &'static Table<W> {
    static TABLES: OnceLock<Mutex<HashMap<TypeId, &'static (dyn Any + Send + Sync)>>> =
        OnceLock::new();
    let tables = TABLES.get_or_init(Default::default);
    let mut tables = tables.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(table) = tables
        .get(&TypeId::of::<W>())
        .and_then(|t| t.downcast_ref::<Table<W>>())
    {
        return table;
    }
    // A pattern is compiled when a step text first needs it (see `compile_for`).
    let mut types: [Definitions<W>; 3] = std::array::from_fn(|_| Definitions { steps: Vec::new() });
    for given in inventory::iter::<W::Given> {
        let (location, regex, step) = given.inner();
        types[0]
            .steps
            .push((Pattern::new(0, location, regex), step));
    }
    for when in inventory::iter::<W::When> {
        let (location, regex, step) = when.inner();
        types[1]
            .steps
            .push((Pattern::new(1, location, regex), step));
    }
    for then in inventory::iter::<W::Then> {
        let (location, regex, step) = then.inner();
        types[2]
            .steps
            .push((Pattern::new(2, location, regex), step));
    }
    for definitions in &mut types {
        // By where their code is, as the runner's step index lists them.
        definitions.steps.sort_by_key(|(p, _)| p.location);
    }
    let table: &'static Table<W> = Box::leak(Box::new(Table {
        types,
        found: Mutex::default(),
    }));
    tables.insert(TypeId::of::<W>(), table);
    table
}

/// Calls the definition of type `TY` whose pattern matches the step, with the captures cucumber
/// gives a step function: the whole match, then every group, each with its name if it has one.
fn dispatch<W: WorldInventory + 'static, const TY: usize>(
    world: &mut W,
    context: Context,
) -> LocalBoxFuture<'_, ()> {
    let table = table::<W>();
    let text = context.step.value.as_str();
    let remembered = {
        let found = table.found.lock().unwrap_or_else(|e| e.into_inner());
        found[TY].get(text).cloned()
    };
    let found = remembered.unwrap_or_else(|| {
        let found = find(&table.types[TY], text)
            .unwrap_or_else(|| Found::Fails("no step definition matches this step".to_owned()));
        let mut remembered = table.found.lock().unwrap_or_else(|e| e.into_inner());
        if remembered.iter().map(|r| r.len()).sum::<usize>() < crate::runner::REMEMBERED {
            remembered[TY].insert(text.to_owned(), found.clone());
        }
        found
    });
    match found {
        Found::Step(i, matches) => (table.types[TY].steps[i].1)(
            world,
            Context {
                step: context.step,
                matches,
            },
        ),
        Found::Fails(message) => fail(message),
    }
}

/// The definition among `definitions` whose pattern matches `text`, with its captures (or why
/// it cannot run: more than one matches); `None` when none matches.
fn find<W>(definitions: &Definitions<W>, text: &str) -> Option<Found> {
    let mut found = definitions
        .steps
        .iter()
        .enumerate()
        .filter(|(_, (pattern, _))| pattern.may_match(text))
        .filter_map(|(i, (pattern, _))| {
            let regex = pattern.regex();
            let mut groups = regex.capture_locations();
            let whole = regex.captures_read(&mut groups, text)?;
            Some((
                i,
                regex,
                &pattern.location,
                groups,
                whole.as_str().to_owned(),
            ))
        })
        .collect::<Vec<_>>();
    if found.len() > 1 {
        // As cucumber words an ambiguous step (`AmbiguousMatchError`), sorted as it sorts.
        let mut possible: Vec<(&str, &Location)> =
            found.iter().map(|(_, r, l, ..)| (r.as_str(), *l)).collect();
        possible.sort();
        let mut message =
            "more than one step definition matches this step: Possible matches:".to_owned();
        for (regex, location) in possible {
            message.push_str(&format!("\n{regex} --> {location}"));
        }
        return Some(Found::Fails(message));
    }
    let (i, regex, _, groups, whole) = found.pop()?;
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
    Some(Found::Step(i, matches))
}

/// A step that fails with `message`, as a step function's panic does (without the panic hook:
/// this is the runner's verdict, not a crash).
fn fail<'a>(message: String) -> LocalBoxFuture<'a, ()> {
    Box::pin(async move { std::panic::resume_unwind(Box::new(message)) })
}

/// A pattern matching exactly the `texts`, word for word; `None` if it does not compile.
fn union(texts: &[&str]) -> Option<Regex> {
    let words: Vec<String> = texts.iter().map(|t| regex::escape(t)).collect();
    regex::RegexBuilder::new(&format!("^(?:{})$", words.join("|")))
        .size_limit(256 << 20)
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_union_matches_its_texts_word_for_word_and_nothing_else() {
        let texts = ["a (1) costs 2.50 EUR", "b [x]*?", "c"];
        let union = union(&texts).expect("compiles");
        for text in texts {
            assert!(union.is_match(text), "{text}");
        }
        for text in [
            "a (1) costs 2x50 EUR",
            "b [x]",
            "c ",
            "cc",
            " a (1) costs 2.50 EUR",
        ] {
            assert!(!union.is_match(text), "{text}");
        }
    }
}
