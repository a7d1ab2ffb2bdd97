//! Login throttling: failed attempts counted per user name and per address in a sliding window. Unknown
//! user names are counted like real ones, so throttling does not reveal which accounts exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per user name in one window.
pub const PER_ACCOUNT: usize = 5;
/// Failed logins allowed per address in one window.
pub const PER_ADDRESS: usize = 20;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    by_account: HashMap<String, Vec<Instant>>,
    by_address: HashMap<IpAddr, Vec<Instant>>,
}

impl Throttle {
    /// `Some(wait)` when logins for this user name or from this address are paused.
    pub fn blocked(&self, username: &str, address: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|it| it.into_inner());
        let account = wait(failures.by_account.get_mut(&username.to_lowercase()), PER_ACCOUNT, now);
        let address = wait(failures.by_address.get_mut(&address), PER_ADDRESS, now);
        account.max(address)
    }

    pub fn failed(&self, username: &str, address: IpAddr) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|it| it.into_inner());
        // Bound memory under a flood of made-up names: forget windows that have passed.
        if failures.by_account.len() > 100_000 {
            failures.by_account.retain(|_, times| times.iter().any(|it| now.duration_since(*it) < WINDOW));
        }
        failures.by_account.entry(username.to_lowercase()).or_default().push(now);
        failures.by_address.entry(address).or_default().push(now);
    }

    /// A good login clears the account's count (not the address's: one right guess must not reset a spray).
    pub fn succeeded(&self, username: &str) {
        self.failures.lock().unwrap_or_else(|it| it.into_inner()).by_account.remove(&username.to_lowercase());
    }
}

fn wait(times: Option<&mut Vec<Instant>>, limit: usize, now: Instant) -> Option<Duration> {
    let times = times?;
    times.retain(|it| now.duration_since(*it) < WINDOW);
    if times.len() < limit {
        return None;
    }
    let oldest = times[times.len() - limit];
    Some(WINDOW.saturating_sub(now.duration_since(oldest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_after_the_limit() {
        let throttle = Throttle::default();
        let here: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..PER_ACCOUNT {
            assert!(throttle.blocked("Ann", here).is_none());
            throttle.failed("ann", here);
        }
        assert!(throttle.blocked("ann", here).is_some());
        assert!(throttle.blocked("bob", "10.0.0.1".parse().unwrap()).is_none());
    }
}
