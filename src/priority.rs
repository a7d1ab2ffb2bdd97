//! Background work (indexing, warming caches, packing a replica's mirror) runs at a lower CPU priority than
//! the threads that answer requests: on a busy machine it takes the time requests leave, not the other way
//! round. On two cores serving a primary and a replica, the search indexers' commits alone took a quarter of
//! the CPU during a burst of writes, and the writes' tails waited behind them.

/// How much nicer than request threads background threads are (Linux's `nice`, 0–19): at 5 a busy
/// background thread gets about a third of what a busy request thread gets of a shared core.
#[cfg(target_os = "linux")]
const BACKGROUND_NICENESS: libc::c_int = 5;

/// Lowers the calling thread's CPU priority to that of background work. Threads and processes it starts
/// afterwards inherit the lower priority; it cannot be raised again without privileges.
pub fn become_background() {
    #[cfg(target_os = "linux")]
    {
        // On Linux the nice value belongs to each thread, and a thread id names one thread to setpriority.
        // SAFETY: gettid reads this thread's id; setpriority only changes this thread's scheduling priority.
        let failed = unsafe {
            let thread = libc::id_t::try_from(libc::gettid()).unwrap_or(0);
            libc::setpriority(libc::PRIO_PROCESS, thread, BACKGROUND_NICENESS) != 0
        };
        if failed {
            tracing::debug!(error = %std::io::Error::last_os_error(), "background work keeps the usual priority");
        }
    }
}
