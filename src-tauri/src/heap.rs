//! Gives the allocator's free memory back to the system after a burst of work.
//!
//! A catch-up sync parses thousands of events and invitees; when it ends, glibc keeps the freed
//! memory in its per-thread arenas, where it counts in the process's resident memory for as long
//! as the app runs (measured for issue 16: about 10 of the main process's 100 MiB after the
//! start's sync of 5,000 meetings). `malloc_trim(0)` returns every wholly free page of every
//! arena. It costs a walk of the free lists, a few ms at most, so it runs after bursts only.

/// Returns the heap's free pages to the system (glibc on Linux; elsewhere nothing to do).
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes each arena's lock itself and only releases free chunks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    /// This process's anonymous resident memory, in KiB.
    fn rss_anon_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .expect("status")
            .lines()
            .find_map(|l| l.strip_prefix("RssAnon:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("RssAnon")
    }

    /// The adversary is fragmentation: a thread allocates 128 MiB in small blocks and frees all
    /// but one block in every 256 KiB, so no arena's top can shrink on its own and the freed
    /// memory stays resident until it is released.
    #[test]
    fn freed_memory_that_glibc_keeps_is_given_back() {
        const BLOCK: usize = 4096;
        const BLOCKS: usize = 128 * 1024 * 1024 / BLOCK;
        const KEEP_EVERY: usize = 256 * 1024 / BLOCK;
        let kept = std::thread::spawn(|| {
            let mut blocks: Vec<Box<[u8]>> = (0..BLOCKS)
                .map(|i| vec![(i % 251) as u8; BLOCK - 64].into_boxed_slice())
                .collect();
            let mut kept = Vec::new();
            for (i, b) in blocks.drain(..).enumerate() {
                if i % KEEP_EVERY == 0 {
                    kept.push(b);
                }
            }
            kept
        })
        .join()
        .expect("thread");
        let before = rss_anon_kib();
        super::release_free();
        let after = rss_anon_kib();
        // 127.5 of the 128 MiB were freed; at least half of it must leave the resident set
        // (other tests of this process allocate meanwhile).
        assert!(
            before.saturating_sub(after) >= 64 * 1024,
            "resident anonymous memory went from {before} KiB to {after} KiB"
        );
        drop(kept);
    }
}
