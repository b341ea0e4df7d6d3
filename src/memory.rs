//! The binary's allocator is mimalloc (`src/main.rs`). It keeps the memory a thread frees for
//! a second before it gives it back to the system: while scenarios run, the next requests
//! reuse it, which is part of what makes a run fast. Once the last scenario is done, little
//! reuses it: the reports are written by threads of their own, on pages of their own. From then
//! on, freed memory goes back at once (5,000 journeys: 31 MiB at the peak instead of 34, and
//! the run itself no slower).
//!
//! Without mimalloc as the global allocator (the library's tests), these settings change an
//! allocator nothing uses.

use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t};

/// `mi_option_purge_delay` of mimalloc 3's `mimalloc.h`, the version the `libmimalloc-sys` of
/// `Cargo.lock` builds; its Rust declarations do not name this option. `tests/memory.rs`
/// checks that this is the option whose default is a delay of 1,000 ms.
const PURGE_DELAY: mi_option_t = 15;

/// From now on, memory freed goes back to the system at once instead of a second later.
pub fn give_back_freed_memory_at_once() {
    // SAFETY: sets one integer option, which mimalloc reads each time it considers giving
    // memory back; a thread that reads it as it changes sees the old delay or the new one.
    unsafe { mi_option_set(PURGE_DELAY, 0) }
}

/// How long freed memory is kept before it goes back to the system, in milliseconds.
pub fn freed_memory_kept_ms() -> std::ffi::c_long {
    // SAFETY: reads one integer option.
    unsafe { mi_option_get(PURGE_DELAY) }
}
