//! Permits for CPU-heavy work a request starts (previews): a few at a time. A render cannot be interrupted
//! once it runs, so a client that sends work and disconnects would otherwise leave it running; with permits,
//! such clients pile up waiting requests (dropped with them), never running renders.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Error, Result};

/// A fixed number of permits, and how long a request waits for one before it gets 503.
pub struct WorkPermits {
    semaphore: Arc<Semaphore>,
    wait: Duration,
}

impl WorkPermits {
    /// `n` permits (at least one), each waited for up to `wait`.
    pub fn new(n: usize, wait: Duration) -> WorkPermits {
        WorkPermits { semaphore: Arc::new(Semaphore::new(n.max(1))), wait }
    }

    /// A permit, held until dropped: move it into the blocking task that does the work. Waits up to the
    /// configured time; a request dropped while waiting (its client went away) leaves the queue.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit> {
        match tokio::time::timeout(self.wait, self.semaphore.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(Error::Unavailable("the server is busy rendering previews; try again".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_over_the_permits_waits_then_gets_busy() {
        let permits = WorkPermits::new(2, Duration::from_millis(50));
        let first = permits.acquire().await.expect("a free permit");
        let _second = permits.acquire().await.expect("a free permit");
        assert!(matches!(permits.acquire().await, Err(Error::Unavailable(_))), "a third ran at once");
        // A permit frees when the work holding it ends, and a waiting request takes it.
        let waiting = permits.acquire();
        drop(first);
        assert!(waiting.await.is_ok());
    }

    #[tokio::test]
    async fn a_request_that_goes_away_while_waiting_takes_no_permit() {
        let permits = WorkPermits::new(1, Duration::from_secs(60));
        let held = permits.acquire().await.expect("a free permit");
        // The client disconnects: axum drops the handler's future while it waits.
        assert!(tokio::time::timeout(Duration::from_millis(20), permits.acquire()).await.is_err());
        drop(held);
        assert_eq!(permits.semaphore.available_permits(), 1);
    }
}
