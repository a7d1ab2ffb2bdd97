//! How the server uses the C allocator: glibc's arenas limited, big blocks mapped on their own, and what is
//! freed handed back to the system now and then, and at once after the start's indexing.

// glibc gives threads that allocate at once arenas of their own (up to 8 per core) and returns little of them
// to the system: pages rendered and compressed on many blocking threads left a few hundred MiB behind on a
// 10,000-page wiki. A few arenas hold that down; but a thread keeps the arena it was given, and with two
// arenas on two cores both request workers sometimes shared one and waited on its lock (warm views: 23,600
// and 24,300 req/s in two runs of six, 41,000 in the others; glibc's lock was a fifth of the CPU). One arena
// per core and two more: all six runs at 40,600–42,500 req/s, with the same memory within noise.
// Blocks of 1 MiB and more get mappings of their own, returned to the system when freed. glibc starts at
// 128 KiB but raises the threshold to the size of each such block freed (up to 32 MiB), after which the big
// buffers of the start (index batches, history walks) and of saves landed in the arenas and left them
// fragmented: on the flat 10,000-page wiki RSS 40 s after the start was 217 MiB with the moving threshold and
// 141 MiB with 128 KiB, 285 against 222 MiB after 40 saves, the same after viewing every page. At 128 or
// 512 KiB building the change index took 30 s instead of 17 (its buffers of a few hundred KB were mapped
// afresh each time); at 1 MiB it took 18 s, and RSS 40 s after the start was 108–111 MiB.
/// Limits glibc to one arena per core and two more, and maps blocks of 1 MiB and more on their own; called
/// before the runtime starts its threads.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_malloc_arenas() {
    let arenas = std::thread::available_parallelism().map_or(2, usize::from) + 2;
    // SAFETY: called before the runtime starts its threads; mallopt only sets allocator parameters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, i32::try_from(arenas).unwrap_or(i32::MAX));
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}

/// Blocks at least this large are mapped on their own (see `limit_malloc_arenas`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD_BYTES: i32 = 1024 * 1024;

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_malloc_arenas() {}

// Indexing at start, rebuilds and bursts of first views free far more than the server keeps; glibc returns
// freed memory in the middle of its heap to the system only when asked. Asking twice a minute kept ~90 MiB
// fewer resident on a 10,000-page wiki; asking every 10 s returns what a burst of first views freed while
// the next load runs (viewing every page of that wiki: 144 MiB resident 3 s after, 149–157 with 30 s). An ask
// takes 0.4–3 ms at rest and up to 23 ms right after such a burst, holding one arena's lock at a time.
/// Starts a thread that hands freed memory back to the system every [`RETURN_INTERVAL`].
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_freed_memory_regularly() {
    let spawned = std::thread::Builder::new().name("trim".into()).spawn(|| {
        loop {
            std::thread::sleep(RETURN_INTERVAL);
            let started = std::time::Instant::now();
            return_freed_memory();
            tracing::debug!(took_us = started.elapsed().as_micros() as u64, "returned freed memory");
        }
    });
    if let Err(err) = spawned {
        tracing::warn!(error = %err, "not returning freed memory to the system");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_freed_memory_regularly() {}

/// How often freed memory is handed back (see `return_freed_memory_regularly`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const RETURN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// Hands the memory freed in the middle of the allocator's heaps back to the system now. The start's indexing
/// (page metadata, the change index, the search index with authors) frees far more than it keeps: called when
/// it is done, so that a server at rest after its start holds what it keeps, not what a later regular return
/// would have given back (the flat 10,000-page wiki: 169 or 235 MiB, by when the last one ran).
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}
