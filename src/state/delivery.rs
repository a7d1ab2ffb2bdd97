//! What delivery remembers: which inbox deliveries were mailed, which digests went out, and the webhook
//! queue. It reads the notifier's tables (`events`, `inbox`, `inbox_delivered`) and never changes them.
//!
//! Every message is claimed before it is sent: a row in `sending` with the claiming process (`owner`) and a
//! lease. The sender marks it `sent` (or `delivered`) as soon as the server accepted it; a claim whose lease
//! ran out, or whose owner is gone (see `release_claims`), is claimed again. So nothing is lost across a crash,
//! and a message is sent twice only when the process died between the server's acceptance and that mark.

use super::db::params;
use super::notify::{EVENT_COLUMNS, EventRecord, event_from_row};
use super::{StateStore, Transaction};
use crate::Result;

/// An inbox delivery (one person, one event) that e-mail has not finished with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailCandidate {
    pub username: String,
    /// Why the event reached the person's inbox (the inbox item's reason).
    pub reason: String,
    /// Attempts so far (0 for a delivery e-mail has not looked at yet).
    pub attempts: i64,
    pub event: EventRecord,
}

/// An event waiting in a webhook's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDue {
    pub webhook_id: String,
    pub attempts: i64,
    pub created_at: i64,
    pub event: EventRecord,
}

/// One row of a webhook's history, for the admin page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDeliveryRecord {
    pub webhook_id: String,
    pub event_id: String,
    pub event_kind: String,
    pub path: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub delivered_at: Option<i64>,
}

/// How an attempt to send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted it.
    Done,
    /// It failed; try again at this time.
    Retry { at: i64, error: String },
    /// It failed for good.
    Failed { error: String },
}

/// One person's digest for one period: `daily` or `weekly`, keyed by the date it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestKey {
    pub username: String,
    pub period: String,
    pub period_key: String,
}

impl StateStore {
    /// Inbox deliveries of events at or after `since` that e-mail has not decided on yet, or whose claim or
    /// retry time ran out before `now`: oldest first, at most `limit`.
    pub fn mail_candidates(&self, since: i64, now: i64, limit: usize) -> Result<Vec<MailCandidate>> {
        let sql = format!(
            "SELECT d.username, i.reason, COALESCE(m.attempts, 0), {EVENT_COLUMNS} \
             FROM events e \
             JOIN inbox_delivered d ON d.event_id = e.id \
             JOIN inbox i ON i.id = d.inbox_id \
             LEFT JOIN mail_sent m ON m.username = d.username AND m.event_id = d.event_id \
             WHERE e.at >= ?1 AND (m.status IS NULL OR (m.status IN ('sending', 'retry') AND m.lease_until < ?2)) \
             ORDER BY e.at, e.id, d.username LIMIT ?3"
        );
        self.run(|conn| {
            conn.query(&sql, params![since, now, sql_limit(limit)], |row| {
                Ok(MailCandidate {
                    username: row.get(0)?,
                    reason: row.get(1)?,
                    attempts: row.get(2)?,
                    event: event_from_row(row, 3)?,
                })
            })
        })
    }

    /// Until when the last digest of `period` (`daily`, `weekly`) that went out, or found nothing, covered a
    /// person's inbox.
    pub fn digest_covered_until(&self, username: &str, period: &str) -> Result<Option<i64>> {
        self.run(|conn| {
            conn.query_one(
                "SELECT MAX(covered_until) FROM digests_sent \
                 WHERE username = ?1 AND period = ?2 AND status IN ('sent', 'empty')",
                params![username, period],
                |row| row.get(0),
            )
        })
    }

    /// The people whose digest for one period key needs nothing now: sent, found empty, failed for good, or
    /// claimed by a live sender (or waiting for its retry time).
    pub fn digests_settled(&self, period: &str, period_key: &str, now: i64) -> Result<Vec<String>> {
        self.run(|conn| {
            conn.query(
                "SELECT username FROM digests_sent WHERE period = ?1 AND period_key = ?2 \
                 AND (status IN ('sent', 'empty', 'failed') OR lease_until >= ?3)",
                params![period, period_key, now],
                |row| row.get(0),
            )
        })
    }

    /// How many digests of one period key went out (for tests and reports).
    pub fn digests_sent(&self, period: &str, period_key: &str) -> Result<usize> {
        self.run(|conn| {
            let n: i64 = conn.query_one(
                "SELECT COUNT(*) FROM digests_sent WHERE period = ?1 AND period_key = ?2 AND status = 'sent'",
                params![period, period_key],
                |row| row.get(0),
            )?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// Events at or after `since` that a webhook has not decided on yet: oldest first, at most `limit`.
    pub fn webhook_candidates(&self, webhook_id: &str, since: i64, limit: usize) -> Result<Vec<EventRecord>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.at >= ?2 AND NOT EXISTS \
             (SELECT 1 FROM webhook_deliveries w WHERE w.webhook_id = ?1 AND w.event_id = e.id) \
             ORDER BY e.at, e.id LIMIT ?3"
        );
        self.run(|conn| conn.query(&sql, params![webhook_id, since, sql_limit(limit)], |row| event_from_row(row, 0)))
    }

    /// Webhook posts due at `now` and not claimed by anyone: oldest first, at most `limit`.
    pub fn webhooks_due(&self, now: i64, limit: usize) -> Result<Vec<WebhookDue>> {
        let sql = format!(
            "SELECT w.webhook_id, w.attempts, w.created_at, {EVENT_COLUMNS} \
             FROM webhook_deliveries w JOIN events e ON e.id = w.event_id \
             WHERE w.status = 'pending' AND w.next_attempt_at <= ?1 AND w.lease_until < ?1 \
             ORDER BY w.next_attempt_at, w.created_at, w.event_id LIMIT ?2"
        );
        self.run(|conn| {
            conn.query(&sql, params![now, sql_limit(limit)], |row| {
                Ok(WebhookDue {
                    webhook_id: row.get(0)?,
                    attempts: row.get(1)?,
                    created_at: row.get(2)?,
                    event: event_from_row(row, 3)?,
                })
            })
        })
    }

    /// The most recently changed webhook posts (events a webhook's filters skipped left out), newest first.
    pub fn recent_webhook_deliveries(&self, limit: usize) -> Result<Vec<WebhookDeliveryRecord>> {
        self.run(|conn| {
            conn.query(
                "SELECT w.webhook_id, w.event_id, e.kind, e.path, w.status, w.attempts, w.next_attempt_at, \
                 w.last_error, w.created_at, w.updated_at, w.delivered_at \
                 FROM webhook_deliveries w JOIN events e ON e.id = w.event_id \
                 WHERE w.status <> 'skipped' ORDER BY w.updated_at DESC, w.event_id LIMIT ?1",
                params![sql_limit(limit)],
                |row| {
                    Ok(WebhookDeliveryRecord {
                        webhook_id: row.get(0)?,
                        event_id: row.get(1)?,
                        event_kind: row.get(2)?,
                        path: row.get(3)?,
                        status: row.get(4)?,
                        attempts: row.get(5)?,
                        next_attempt_at: row.get(6)?,
                        last_error: row.get(7)?,
                        created_at: row.get(8)?,
                        updated_at: row.get(9)?,
                        delivered_at: row.get(10)?,
                    })
                },
            )
        })
    }

    /// How many e-mails are claimed and in flight, or waiting to be tried again (for metrics).
    pub fn mail_queue_depth(&self) -> Result<u64> {
        self.run(|conn| {
            let n: i64 =
                conn.query_one("SELECT COUNT(*) FROM mail_sent WHERE status IN ('sending', 'retry')", &[], |row| {
                    row.get(0)
                })?;
            Ok(super::from_sql_int(n))
        })
    }

    /// How many webhook posts wait to be sent, due now or later (for metrics).
    pub fn webhook_queue_depth(&self) -> Result<u64> {
        self.run(|conn| {
            let n: i64 =
                conn.query_one("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'", &[], |row| {
                    row.get(0)
                })?;
            Ok(super::from_sql_int(n))
        })
    }

    /// The owners that hold claims now (to find those whose process is gone).
    pub fn claim_owners(&self) -> Result<Vec<String>> {
        self.run(|conn| {
            conn.query(
                "SELECT owner FROM mail_sent WHERE owner IS NOT NULL AND status = 'sending' \
                 UNION SELECT owner FROM digests_sent WHERE owner IS NOT NULL AND status = 'sending' \
                 UNION SELECT owner FROM webhook_deliveries WHERE owner IS NOT NULL AND status = 'pending'",
                params![],
                |row| row.get(0),
            )
        })
    }
}

impl Transaction<'_> {
    /// Records that e-mail leaves an inbox delivery to the inbox and digests (the person does not want it
    /// instantly); does nothing when it was decided already.
    pub fn skip_mail(&self, username: &str, event_id: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO mail_sent (username, event_id, status, owner, lease_until, attempts, last_error, updated_at) \
             VALUES (?1, ?2, 'skipped', NULL, 0, 0, NULL, ?3) ON CONFLICT (username, event_id) DO NOTHING",
            params![username, event_id, now],
        )?;
        Ok(())
    }

    /// Claims an inbox delivery for sending by `owner` until `lease_until`; `Ok(false)` when it was decided, or
    /// someone else holds a live claim.
    pub fn claim_mail(&self, username: &str, event_id: &str, owner: &str, lease_until: i64, now: i64) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT INTO mail_sent (username, event_id, status, owner, lease_until, attempts, last_error, updated_at) \
             VALUES (?1, ?2, 'sending', ?3, ?4, 0, NULL, ?5) \
             ON CONFLICT (username, event_id) DO UPDATE SET status = 'sending', owner = excluded.owner, \
               lease_until = excluded.lease_until, updated_at = excluded.updated_at \
             WHERE mail_sent.status IN ('sending', 'retry') AND mail_sent.lease_until < ?5",
            params![username, event_id, owner, lease_until, now],
        )?;
        Ok(n == 1)
    }

    /// Records how sending a claimed message ended; `Ok(false)` when `owner` no longer held the claim.
    pub fn finish_mail(
        &self,
        username: &str,
        event_id: &str,
        owner: &str,
        outcome: &Outcome,
        now: i64,
    ) -> Result<bool> {
        let (status, lease_until, error) = outcome_columns(outcome, "sent");
        let n = self.conn.execute(
            "UPDATE mail_sent SET status = ?4, owner = NULL, lease_until = ?5, attempts = attempts + 1, \
             last_error = ?6, updated_at = ?7 \
             WHERE username = ?1 AND event_id = ?2 AND owner = ?3 AND status = 'sending'",
            params![username, event_id, owner, status, lease_until, error, now],
        )?;
        Ok(n == 1)
    }

    /// Claims one person's digest for one period (`daily` or `weekly`, keyed by its date) for `owner`;
    /// `Ok(false)` when it went out already, or someone else holds a live claim.
    pub fn claim_digest(&self, key: &DigestKey, owner: &str, lease_until: i64, now: i64) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT INTO digests_sent (username, period, period_key, status, owner, lease_until, covered_until, \
               n_items, last_error, updated_at) \
             VALUES (?1, ?2, ?3, 'sending', ?4, ?5, 0, 0, NULL, ?6) \
             ON CONFLICT (username, period, period_key) DO UPDATE SET status = 'sending', owner = excluded.owner, \
               lease_until = excluded.lease_until, updated_at = excluded.updated_at \
             WHERE digests_sent.status IN ('sending', 'retry') AND digests_sent.lease_until < ?6",
            params![&key.username, &key.period, &key.period_key, owner, lease_until, now],
        )?;
        Ok(n == 1)
    }

    /// Records how a claimed digest ended: `Done` with the items it held (none: nothing was sent) and the time
    /// up to which it covered the inbox.
    pub fn finish_digest(
        &self,
        key: &DigestKey,
        owner: &str,
        outcome: &Outcome,
        covered: (i64, usize),
        now: i64,
    ) -> Result<bool> {
        let (covered_until, n_items) = covered;
        let done = if n_items == 0 { "empty" } else { "sent" };
        let (status, lease_until, error) = outcome_columns(outcome, done);
        let n = self.conn.execute(
            "UPDATE digests_sent SET status = ?5, owner = NULL, lease_until = ?6, covered_until = ?7, \
             n_items = ?8, last_error = ?9, updated_at = ?10 \
             WHERE username = ?1 AND period = ?2 AND period_key = ?3 AND owner = ?4 AND status = 'sending'",
            params![
                &key.username,
                &key.period,
                &key.period_key,
                owner,
                status,
                lease_until,
                covered_until,
                super::to_sql_int(n_items as u64),
                error,
                now,
            ],
        )?;
        Ok(n == 1)
    }

    /// Puts an event in a webhook's queue (`wanted`) or records that its filters skip it; once per event.
    pub fn enqueue_webhook(&self, webhook_id: &str, event_id: &str, wanted: bool, now: i64) -> Result<()> {
        let status = if wanted { "pending" } else { "skipped" };
        self.conn.execute(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, status, attempts, next_attempt_at, owner, \
               lease_until, last_error, created_at, updated_at, delivered_at) \
             VALUES (?1, ?2, ?3, 0, ?4, NULL, 0, NULL, ?4, ?4, NULL) \
             ON CONFLICT (webhook_id, event_id) DO NOTHING",
            params![webhook_id, event_id, status, now],
        )?;
        Ok(())
    }

    /// Claims a due webhook post for `owner` until `lease_until`; `Ok(false)` when someone else has it.
    pub fn claim_webhook(
        &self,
        webhook_id: &str,
        event_id: &str,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE webhook_deliveries SET owner = ?3, lease_until = ?4 \
             WHERE webhook_id = ?1 AND event_id = ?2 AND status = 'pending' AND next_attempt_at <= ?5 \
               AND lease_until < ?5",
            params![webhook_id, event_id, owner, lease_until, now],
        )?;
        Ok(n == 1)
    }

    /// Records how a claimed webhook post ended.
    pub fn finish_webhook(
        &self,
        webhook_id: &str,
        event_id: &str,
        owner: &str,
        outcome: &Outcome,
        now: i64,
    ) -> Result<bool> {
        let (status, next_attempt_at, error) = match outcome {
            Outcome::Done => ("delivered", now, None),
            Outcome::Retry { at, error } => ("pending", *at, Some(error.as_str())),
            Outcome::Failed { error } => ("failed", now, Some(error.as_str())),
        };
        let delivered_at = (status == "delivered").then_some(now);
        let n = self.conn.execute(
            "UPDATE webhook_deliveries SET status = ?4, owner = NULL, lease_until = 0, next_attempt_at = ?5, \
             attempts = attempts + 1, last_error = ?6, updated_at = ?7, delivered_at = ?8 \
             WHERE webhook_id = ?1 AND event_id = ?2 AND owner = ?3",
            params![webhook_id, event_id, owner, status, next_attempt_at, error, now, delivered_at],
        )?;
        Ok(n == 1)
    }

    /// Extends every claim `owner` holds to `lease_until` (a live sender working through a batch).
    pub fn renew_claims(&self, owner: &str, lease_until: i64) -> Result<()> {
        for sql in [
            "UPDATE mail_sent SET lease_until = ?2 WHERE owner = ?1 AND status = 'sending'",
            "UPDATE digests_sent SET lease_until = ?2 WHERE owner = ?1 AND status = 'sending'",
            "UPDATE webhook_deliveries SET lease_until = ?2 WHERE owner = ?1 AND status = 'pending'",
        ] {
            self.conn.execute(sql, params![owner, lease_until])?;
        }
        Ok(())
    }

    /// Ends every claim `owner` holds at once (its process is gone), so others may claim them now instead of
    /// when the leases run out; returns how many there were.
    pub fn release_claims(&self, owner: &str) -> Result<usize> {
        let mut n = 0;
        for sql in [
            "UPDATE mail_sent SET owner = NULL, lease_until = 0 WHERE owner = ?1 AND status = 'sending'",
            "UPDATE digests_sent SET owner = NULL, lease_until = 0 WHERE owner = ?1 AND status = 'sending'",
            "UPDATE webhook_deliveries SET owner = NULL, lease_until = 0 WHERE owner = ?1 AND status = 'pending'",
        ] {
            n += self.conn.execute(sql, params![owner])?;
        }
        Ok(n)
    }
}

// The status, lease (the retry time) and error an outcome leaves.
fn outcome_columns<'a>(outcome: &'a Outcome, done: &'static str) -> (&'static str, i64, Option<&'a str>) {
    match outcome {
        Outcome::Done => (done, 0, None),
        Outcome::Retry { at, error } => ("retry", *at, Some(error.as_str())),
        Outcome::Failed { error } => ("failed", 0, Some(error.as_str())),
    }
}

fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AccountRecord;

    fn add_delivery(store: &StateStore) -> EventRecord {
        let account = AccountRecord {
            username: "ann".into(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            role: "editor".into(),
            groups: Vec::new(),
            password_hash: None,
            disabled: false,
            session_epoch: 0,
            created_at: 0,
            language: None,
        };
        let event = EventRecord {
            id: "e1".into(),
            commit_id: "c1".into(),
            kind: "mentioned".into(),
            path: "a.md".into(),
            title: "A".into(),
            url: "/a".into(),
            actor_name: "Bob".into(),
            actor_email: "bob@example.com".into(),
            at: 1000,
            summary: String::new(),
            tags: Vec::new(),
        };
        store
            .write(|tx| {
                tx.insert_account(&account)?;
                tx.insert_event(&event)?;
                tx.deliver("ann", &event, "mention", 0).map(drop)
            })
            .unwrap();
        event
    }

    fn listed(store: &StateStore, now: i64) -> usize {
        store.mail_candidates(0, now, 10).unwrap().len()
    }

    crate::state::on_both_engines! {
        fn a_claimed_mail_is_hidden_until_its_retry_time_and_gone_once_sent(store) {
            let event = add_delivery(store);
            assert_eq!(listed(store, 1000), 1);
            assert!(store.write(|tx| tx.claim_mail("ann", &event.id, "a", 1300, 1000)).unwrap());
            assert!(!store.write(|tx| tx.claim_mail("ann", &event.id, "b", 1300, 1000)).unwrap(), "claimed twice");
            assert_eq!(listed(store, 1100), 0);
            let retry = Outcome::Retry { at: 1200, error: "421".into() };
            assert!(store.write(|tx| tx.finish_mail("ann", &event.id, "a", &retry, 1100)).unwrap());
            assert_eq!(listed(store, 1150), 0);
            let again = store.mail_candidates(0, 1201, 10).unwrap();
            assert_eq!(again[0].attempts, 1);
            assert!(store.write(|tx| tx.claim_mail("ann", &event.id, "b", 1500, 1201)).unwrap());
            assert!(
                !store.write(|tx| tx.finish_mail("ann", &event.id, "a", &Outcome::Done, 1202)).unwrap(),
                "a stale owner"
            );
            assert!(store.write(|tx| tx.finish_mail("ann", &event.id, "b", &Outcome::Done, 1202)).unwrap());
            assert_eq!(listed(store, 99_999), 0);
        }
    }

    crate::state::on_both_engines! {
        fn a_dead_owners_claims_are_free_at_once_after_release(store) {
            let event = add_delivery(store);
            assert!(store.write(|tx| tx.claim_mail("ann", &event.id, "dead", 5000, 1000)).unwrap());
            assert_eq!(store.claim_owners().unwrap(), ["dead"]);
            assert_eq!(listed(store, 1001), 0);
            assert_eq!(store.write(|tx| tx.release_claims("dead")).unwrap(), 1);
            assert_eq!(listed(store, 1001), 1);
        }
    }

    crate::state::on_both_engines! {
        fn a_digest_is_claimed_once_and_covers_until_its_claim(store) {
            add_delivery(store);
            let key = DigestKey { username: "ann".into(), period: "daily".into(), period_key: "2024-05-13".into() };
            assert!(store.write(|tx| tx.claim_digest(&key, "a", 2000, 1000)).unwrap());
            assert!(!store.write(|tx| tx.claim_digest(&key, "b", 2000, 1000)).unwrap());
            store.write(|tx| tx.finish_digest(&key, "a", &Outcome::Done, (1000, 3), 1001)).unwrap();
            assert!(!store.write(|tx| tx.claim_digest(&key, "b", 99_999, 50_000)).unwrap(), "sent twice");
            assert_eq!(store.digest_covered_until("ann", "daily").unwrap(), Some(1000));
            assert_eq!(store.digests_sent("daily", "2024-05-13").unwrap(), 1);
        }
    }

    crate::state::on_both_engines! {
        fn webhook_events_are_queued_once_and_retried_when_due(store) {
            let event = add_delivery(store);
            assert_eq!(store.webhook_candidates("w", 0, 10).unwrap().len(), 1);
            store.write(|tx| tx.enqueue_webhook("w", &event.id, true, 1000)).unwrap();
            store.write(|tx| tx.enqueue_webhook("w", &event.id, false, 1000)).unwrap();
            assert!(store.webhook_candidates("w", 0, 10).unwrap().is_empty());
            assert_eq!(store.webhooks_due(1000, 10).unwrap().len(), 1);
            assert!(store.write(|tx| tx.claim_webhook("w", &event.id, "a", 1300, 1000)).unwrap());
            assert!(store.webhooks_due(1000, 10).unwrap().is_empty());
            let retry = Outcome::Retry { at: 1010, error: "HTTP 500".into() };
            store.write(|tx| tx.finish_webhook("w", &event.id, "a", &retry, 1001)).unwrap();
            assert!(store.webhooks_due(1005, 10).unwrap().is_empty());
            assert_eq!(store.webhooks_due(1010, 10).unwrap()[0].attempts, 1);
            let recent = store.recent_webhook_deliveries(10).unwrap();
            assert_eq!((recent[0].status.as_str(), recent[0].last_error.as_deref()), ("pending", Some("HTTP 500")));
        }
    }
}
