//! Password-check throttling (logins and the password-change form): attempts counted per user name and per
//! address in a sliding window. An attempt is counted as a failure *before* its password is checked and taken
//! back only when the password was right, so any number of simultaneous attempts cannot check more passwords
//! than the limit allows. Unknown user names are counted like real ones, so throttling does not reveal which
//! accounts exist.

use parking_lot::{Mutex, MutexGuard};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failed password checks allowed per user name in one window.
pub const PER_ACCOUNT: usize = 5;
/// Failed password checks allowed per address in one window.
pub const PER_ADDRESS: usize = 20;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

// Past this many names or addresses, windows that have passed are forgotten (a flood of made-up names).
const MAX_KEYS: usize = 100_000;

/// Counts of password checks per user name and per address.
#[derive(Default)]
pub struct Throttle {
    attempts: Mutex<Attempts>,
}

#[derive(Default)]
struct Attempts {
    by_account: HashMap<String, Vec<Mark>>,
    by_address: HashMap<IpAddr, Vec<Mark>>,
    next_id: u64,
}

/// One counted attempt: a failure, or a check still running (which counts as a failure until it succeeds).
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: Instant,
    id: u64,
    running: bool,
}

/// A password check that may go ahead, already counted as a failure; [`Attempt::succeeded`] takes it back.
/// Dropped without a verdict (the request was abandoned mid-check), it stays a failure.
#[must_use = "an attempt is settled with `succeeded` or `failed`"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    account: String,
    address: IpAddr,
    id: u64,
    settled: bool,
}

impl Throttle {
    /// Reserves one password check for this user name from this address, or `Err(wait)` while either has used
    /// up its window. The check and the reservation happen under one lock, so simultaneous attempts cannot all
    /// pass a check made before any of them was counted.
    pub fn begin(&self, username: &str, address: IpAddr) -> Result<Attempt<'_>, Duration> {
        let now = Instant::now();
        let account = username.to_lowercase();
        let mut attempts = self.lock();
        if attempts.by_account.len() > MAX_KEYS {
            attempts.by_account.retain(|_, marks| marks.iter().any(|it| now.duration_since(it.at) < WINDOW));
        }
        if attempts.by_address.len() > MAX_KEYS {
            attempts.by_address.retain(|_, marks| marks.iter().any(|it| now.duration_since(it.at) < WINDOW));
        }
        let account_wait = wait(attempts.by_account.get_mut(&account), PER_ACCOUNT, now);
        let address_wait = wait(attempts.by_address.get_mut(&address), PER_ADDRESS, now);
        if let Some(wait) = account_wait.max(address_wait) {
            return Err(wait);
        }
        let id = attempts.next_id;
        attempts.next_id += 1;
        let mark = Mark { at: now, id, running: true };
        attempts.by_account.entry(account.clone()).or_default().push(mark);
        attempts.by_address.entry(address).or_default().push(mark);
        Ok(Attempt { throttle: self, account, address, id, settled: false })
    }

    fn lock(&self) -> MutexGuard<'_, Attempts> {
        self.attempts.lock()
    }
}

impl Attempt<'_> {
    /// The password was right: this attempt no longer counts, and the account's earlier failures are cleared.
    /// The address keeps its other failures (one right guess must not reset a spray), and checks of the same
    /// account still running keep counting until they end.
    pub fn succeeded(mut self) {
        self.settled = true;
        let mut attempts = self.throttle.lock();
        if let Some(marks) = attempts.by_account.get_mut(&self.account) {
            marks.retain(|it| it.running && it.id != self.id);
        }
        if let Some(marks) = attempts.by_address.get_mut(&self.address) {
            marks.retain(|it| it.id != self.id);
        }
    }

    /// The password was wrong: the attempt stays counted.
    pub fn failed(mut self) {
        self.settle_as_failure();
    }

    fn settle_as_failure(&mut self) {
        self.settled = true;
        let mut guard = self.throttle.lock();
        let attempts = &mut *guard;
        let by_account = attempts.by_account.get_mut(&self.account).into_iter().flatten();
        let by_address = attempts.by_address.get_mut(&self.address).into_iter().flatten();
        for mark in by_account.chain(by_address).filter(|it| it.id == self.id) {
            mark.running = false;
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.settle_as_failure();
        }
    }
}

fn wait(marks: Option<&mut Vec<Mark>>, limit: usize, now: Instant) -> Option<Duration> {
    let marks = marks?;
    marks.retain(|it| now.duration_since(it.at) < WINDOW);
    if marks.len() < limit {
        return None;
    }
    let oldest = marks[marks.len() - limit].at;
    Some(WINDOW.saturating_sub(now.duration_since(oldest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> IpAddr {
        "127.0.0.1".parse().unwrap()
    }

    #[test]
    fn pauses_after_the_limit() {
        let throttle = Throttle::default();
        for _ in 0..PER_ACCOUNT {
            throttle.begin("Ann", here()).unwrap().failed();
        }
        assert!(throttle.begin("ann", here()).is_err());
        assert!(throttle.begin("bob", "10.0.0.1".parse().unwrap()).is_ok());
    }

    #[test]
    fn simultaneous_attempts_cannot_pass_the_limit_together() {
        let throttle = Throttle::default();
        // Checks that have begun and not yet ended count: the sixth is refused before any of them failed.
        let running: Vec<Attempt> = (0..PER_ACCOUNT).map(|_| throttle.begin("ann", here()).unwrap()).collect();
        assert!(throttle.begin("ann", here()).is_err(), "a sixth check began while five were running");
        drop(running);
        assert!(throttle.begin("ann", here()).is_err(), "abandoned checks count as failures");
    }

    #[test]
    fn simultaneous_attempts_from_one_address_cannot_pass_its_limit() {
        let throttle = Throttle::default();
        let running: Vec<Attempt> =
            (0..PER_ADDRESS).map(|n| throttle.begin(&format!("ghost-{n}"), here()).unwrap()).collect();
        assert!(throttle.begin("someone-else", here()).is_err());
        assert!(throttle.begin("someone-else", "10.0.0.1".parse().unwrap()).is_ok());
        drop(running);
    }

    #[test]
    fn a_success_takes_its_own_attempt_back_and_clears_the_accounts_failures() {
        let throttle = Throttle::default();
        for _ in 0..PER_ACCOUNT - 1 {
            throttle.begin("ann", here()).unwrap().failed();
        }
        let still_running = throttle.begin("ann", here()).unwrap();
        let right = throttle.begin("ann", "10.0.0.2".parse().unwrap());
        assert!(right.is_err(), "five attempts are counted, one of them still running");
        drop(right);
        still_running.succeeded();
        for _ in 0..PER_ACCOUNT {
            throttle.begin("ann", here()).unwrap().failed();
        }
        assert!(throttle.begin("ann", here()).is_err());
    }

    #[test]
    fn a_success_keeps_other_running_checks_counted() {
        let throttle = Throttle::default();
        let right = throttle.begin("ann", here()).unwrap();
        let others: Vec<Attempt> = (1..PER_ACCOUNT).map(|_| throttle.begin("ann", here()).unwrap()).collect();
        right.succeeded();
        // Four checks are still running: only one more may begin.
        let fifth = throttle.begin("ann", here()).unwrap();
        assert!(throttle.begin("ann", here()).is_err(), "a success made room beyond the running checks");
        fifth.failed();
        drop(others);
    }
}
