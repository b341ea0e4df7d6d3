//! The binary's allocator is mimalloc (`src/main.rs`). It keeps the memory a thread frees for
//! a second before it gives it back to the system: while scenarios run, the next requests
//! reuse it, which is part of what makes a run fast. Once the last scenario is done, little
//! reuses it: the reports are written by threads of their own, on pages of their own. From then
//! on, freed memory goes back at once (bench/README.md has the numbers).
//!
//! Without mimalloc as the global allocator (the library's tests), these settings change an
//! allocator nothing uses.

use std::ffi::c_long;

use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t, mi_option_use_numa_nodes};

/// `mi_option_purge_delay` of `mimalloc.h` (the option before `mi_option_use_numa_nodes`, in
/// mimalloc 2 and 3 alike); libmimalloc-sys's Rust declarations do not name it.
/// `tests/memory.rs` checks that it reads mimalloc 3's default delay of 1,000 ms.
const PURGE_DELAY: mi_option_t = 15;
const _: () = assert!(PURGE_DELAY == mi_option_use_numa_nodes - 1);

/// The variables mimalloc reads the delay from when the process starts.
const SET_BY: [&str; 2] = ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"];

/// Until it is dropped, memory freed goes back to the system at once.
#[must_use = "the delay comes back when this is dropped"]
pub struct GivingBackAtOnce {
    before: Option<c_long>,
}

/// Until the answer is dropped, memory freed goes back to the system at once instead of a
/// second later. A delay set in the environment (`MIMALLOC_PURGE_DELAY`) is left as it is.
pub fn give_back_freed_memory_at_once() -> GivingBackAtOnce {
    if SET_BY.iter().any(|name| std::env::var_os(name).is_some()) {
        return GivingBackAtOnce { before: None };
    }
    let before = freed_memory_kept_ms();
    set(0);
    GivingBackAtOnce {
        before: Some(before),
    }
}

impl Drop for GivingBackAtOnce {
    fn drop(&mut self) {
        if let Some(before) = self.before {
            set(before);
        }
    }
}

/// How long freed memory is kept before it goes back to the system, in milliseconds.
pub fn freed_memory_kept_ms() -> c_long {
    // SAFETY: reads one option; see `set` for the threads that may write it meanwhile.
    unsafe { mi_option_get(PURGE_DELAY) }
}

fn set(delay_ms: c_long) {
    // SAFETY: mimalloc's options are plain `long`s, and libmimalloc-sys calls setting one not
    // thread safe: other threads of the run (the runtime's workers, the embedded mock) read
    // this one when they give memory back. Every option is initialised when the process
    // loads, so this is only an aligned `long` written while others may read it: a race in
    // C's terms, which we accept as harmless on the targets we build (a reader sees the old
    // delay or the new one).
    unsafe { mi_option_set(PURGE_DELAY, delay_ms) }
}
