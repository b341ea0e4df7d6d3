//! The allocator setting `crate::memory` changes, in a process of its own: nothing else here
//! changes it first.

use solaris_conformance::memory;

#[test]
fn freed_memory_is_kept_a_second_until_the_runner_says_otherwise() {
    // mimalloc 3's default delay: a wrong option number reads another option's value.
    assert_eq!(memory::freed_memory_kept_ms(), 1000);
    memory::give_back_freed_memory_at_once();
    assert_eq!(memory::freed_memory_kept_ms(), 0);
}
