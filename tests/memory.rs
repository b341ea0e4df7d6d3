//! The allocator setting `solaris_conformance::memory` changes, in a process of its own:
//! nothing else here changes it first.

use solaris_conformance::memory;

#[test]
fn freed_memory_goes_back_at_once_until_the_setting_is_dropped() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some()
        || std::env::var_os("MIMALLOC_RESET_DELAY").is_some()
    {
        // The delay is the environment's, and the runner leaves it so.
        let before = memory::freed_memory_kept_ms();
        drop(memory::give_back_freed_memory_at_once());
        assert_eq!(memory::freed_memory_kept_ms(), before);
        return;
    }
    // mimalloc 3's default delay: a wrong option number reads another option's value.
    assert_eq!(memory::freed_memory_kept_ms(), 1000);
    let at_once = memory::give_back_freed_memory_at_once();
    assert_eq!(memory::freed_memory_kept_ms(), 0);
    drop(at_once);
    assert_eq!(memory::freed_memory_kept_ms(), 1000);
}
