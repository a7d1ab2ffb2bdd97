//! Digests: once a day (or a week) at `digest_hour` (UTC; weekly ones on Mondays), each person whose setting
//! for a stream is `daily` (or `weekly`) gets one message with the unread inbox items of those streams that
//! arrived since their last digest. A digest is keyed by the date it is due, so running `lore digest` twice, or
//! alongside the server, sends it once; only the latest due digest is sent (a server that was down a week does
//! not send seven).

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};

use super::claims::Owner;
use super::mail::Mailer;
use super::{Delivery, Frequency, LEASE_SECONDS, Stream, Unsubscribe, compose};
use crate::Result;
use crate::state::{DigestKey, Outcome};

/// Items listed in one digest; the rest are counted and left to the inbox.
const MAX_ITEMS: usize = 50;
/// Items read from the inbox to build one digest.
const SCAN_ITEMS: usize = 500;

/// How often a digest goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Daily,
    Weekly,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
        }
    }

    fn frequency(self) -> Frequency {
        match self {
            Period::Daily => Frequency::Daily,
            Period::Weekly => Frequency::Weekly,
        }
    }

    fn length(self) -> Duration {
        match self {
            Period::Daily => Duration::days(1),
            Period::Weekly => Duration::days(7),
        }
    }

    /// The latest moment this period's digest was due at or before `now`, and its key (that day's date).
    pub fn last_due(self, now: DateTime<Utc>, hour: u32) -> (DateTime<Utc>, String) {
        let at_hour = NaiveTime::from_hms_opt(hour.min(23), 0, 0).expect("an hour below 24 is a time");
        let today = now.date_naive();
        let mut day = match self {
            Period::Daily => today,
            Period::Weekly => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
        };
        if day.and_time(at_hour).and_utc() > now {
            day -= self.length();
        }
        (day.and_time(at_hour).and_utc(), day.format("%Y-%m-%d").to_string())
    }
}

/// What one run of digests did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// Digests the SMTP server accepted.
    pub n_sent: usize,
    /// Digests due with nothing new in them (no message).
    pub n_empty: usize,
    /// Digests that failed (retried on the next run while due).
    pub n_failed: usize,
}

/// Sends every digest due at `now` that nobody sent yet.
pub(crate) fn send_due(
    delivery: &Delivery,
    mailer: &Mailer,
    owner: &Owner,
    now: DateTime<Utc>,
) -> Result<DigestReport> {
    let mut report = DigestReport::default();
    let accounts = delivery.state.accounts()?;
    for period in [Period::Daily, Period::Weekly] {
        let (due_at, period_key) = period.last_due(now, delivery.digest_hour);
        // One read finds who is done, so a run every minute costs a query, not a write per person.
        let settled: HashSet<String> =
            delivery.state.digests_settled(period.as_str(), &period_key, now.timestamp())?.into_iter().collect();
        for account in &accounts {
            if account.disabled || settled.contains(&account.username) {
                continue;
            }
            let Some(person) = super::person(delivery, &account.username)? else { continue };
            let streams: Vec<Stream> = [Stream::ForMe, Stream::Following]
                .into_iter()
                .filter(|it| person.settings.frequency(*it) == period.frequency())
                .collect();
            if streams.is_empty() {
                continue;
            }
            let key = DigestKey {
                username: person.username.clone(),
                period: period.as_str().to_string(),
                period_key: period_key.clone(),
            };
            let claimed_at = crate::auth::now();
            if !delivery.state.write(|tx| tx.claim_digest(&key, owner.id(), claimed_at + LEASE_SECONDS, claimed_at))? {
                continue;
            }
            let since = match delivery.state.digest_covered_until(&person.username, period.as_str())? {
                Some(covered) => covered,
                None => (due_at - period.length()).timestamp(),
            };
            let until = claimed_at;
            let items: Vec<_> = delivery
                .state
                .inbox(&person.username, true, SCAN_ITEMS, None)?
                .into_iter()
                .filter(|item| item.updated_at > since && item.updated_at <= until)
                .filter(|item| streams.contains(&Stream::of(&item.reason, &item.event.kind)))
                .filter(|item| person.may_hear_of(&item.event.path, &item.event.actor_email))
                .collect();
            let outcome = if items.is_empty() {
                report.n_empty += 1;
                Outcome::Done
            } else {
                let n_more = items.len().saturating_sub(MAX_ITEMS);
                let shown = &items[..items.len().min(MAX_ITEMS)];
                let unsubscribe = delivery.unsubscribe_url(&person.username, Unsubscribe::covering(&streams));
                let mail = compose::digest(
                    delivery.words(person.language),
                    delivery.site(),
                    &person,
                    (period.as_str(), &period_key),
                    shown,
                    n_more,
                    &unsubscribe,
                );
                match mailer.send(&mail) {
                    Ok(()) => {
                        report.n_sent += 1;
                        Outcome::Done
                    }
                    Err(err) => {
                        report.n_failed += 1;
                        tracing::warn!(user = person.username, period = period.as_str(), error = %err, "sending a digest failed");
                        let retry_at = crate::auth::now() + super::backoff(0).max(60);
                        if err.permanent {
                            Outcome::Failed { error: err.message }
                        } else {
                            Outcome::Retry { at: retry_at, error: err.message }
                        }
                    }
                }
            };
            if !items.is_empty() {
                delivery.metrics.mail_attempt(super::send_outcome(&outcome));
            }
            let finished = crate::auth::now();
            delivery.state.write(|tx| {
                tx.finish_digest(&key, owner.id(), &outcome, (until, items.len()), finished)?;
                tx.renew_claims(owner.id(), finished + LEASE_SECONDS)
            })?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[track_caller]
    fn check(period: Period, now: &str, expected: &str) {
        let (due, key) = period.last_due(at(now), 8);
        assert_eq!(format!("{key} {}", due.format("%H:%M")), expected);
    }

    #[test]
    fn a_daily_digest_is_due_from_its_hour_until_the_next_day() {
        check(Period::Daily, "2024-05-15T07:59:00Z", "2024-05-14 08:00");
        check(Period::Daily, "2024-05-15T08:00:00Z", "2024-05-15 08:00");
        check(Period::Daily, "2024-05-15T23:00:00Z", "2024-05-15 08:00");
    }

    #[test]
    fn a_weekly_digest_is_due_on_mondays() {
        // 2024-05-13 is a Monday.
        check(Period::Weekly, "2024-05-13T07:00:00Z", "2024-05-06 08:00");
        check(Period::Weekly, "2024-05-13T09:00:00Z", "2024-05-13 08:00");
        check(Period::Weekly, "2024-05-19T23:59:00Z", "2024-05-13 08:00");
    }
}
