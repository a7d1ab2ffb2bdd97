//! What reaching people needs to remember: who follows what, their notification settings, the events read
//! from commits, and every person's inbox. Delivery is idempotent: an event reaches an inbox once, however
//! often the notifier replays a commit after a crash (`inbox_delivered`).

use super::db::{Row, params};

use super::{StateStore, Transaction};
use crate::Result;

/// One follow (or mute) of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowRecord {
    pub username: String,
    /// `page`, `folder`, `tag`, `question` or `person`.
    pub kind: String,
    /// A page or question path, a folder glob (`eng/**`), a tag (lowercased) or an e-mail (lowercased).
    pub target: String,
    /// Muted: nothing about the target reaches this person, even through a wider follow.
    pub muted: bool,
    /// Followed by Lore because the person created, edited, asked or answered it.
    pub auto: bool,
    pub since: i64,
}

/// How a person wants to hear, by e-mail, and whether Lore follows things for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRecord {
    /// `instant`, `daily`, `weekly` or `off`, for mentions and questions for them.
    pub email_for_me: String,
    /// The same, for things they follow.
    pub email_following: String,
    pub auto_follow: bool,
}

impl Default for SettingsRecord {
    fn default() -> SettingsRecord {
        SettingsRecord { email_for_me: "instant".into(), email_following: "daily".into(), auto_follow: true }
    }
}

/// Something that happened in the wiki, read from a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Stable for the same commit, kind and path (and mentioned person): replays find it again.
    pub id: String,
    pub commit_id: String,
    /// `page_created`, `page_changed`, `page_deleted`, `page_moved`, `question_asked`, `answer_posted`,
    /// `answer_accepted`, `mentioned`, `question_for_you`, …
    pub kind: String,
    pub path: String,
    pub title: String,
    pub url: String,
    pub actor_name: String,
    pub actor_email: String,
    pub at: i64,
    pub summary: String,
    pub tags: Vec<String>,
}

/// The sentences the notifier writes into event summaries itself. A summary is recorded once for every reader,
/// in English; `delivery::summary` finds these by the event's kind and says them in each reader's language.
pub mod recorded {
    /// `Moved from <old path>`, then `; ` and what changed when the move changed the page too.
    pub const MOVED_FROM: &str = "Moved from ";
    /// Before the lines a change removed, when it added none.
    pub const REMOVED: &str = "Removed: ";
    /// A change of the front matter alone.
    pub const FRONT_MATTER: &str = "Changed the front matter";
    pub const DELETED: &str = "Deleted";
    /// Before a question's title, when it goes out again unanswered.
    pub const UNANSWERED: &str = "Still unanswered: ";
    /// Before the date a page became due for review.
    pub const DUE_SINCE: &str = "Due for review since ";
    /// After the name of an owner who left.
    pub const OWNER_LEFT: &str = " has left: this page needs a new owner";
}

/// One item of a person's inbox: the newest event it stands for, and how many it gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRecord {
    pub id: String,
    pub event: EventRecord,
    /// Why it reached this person: `mention`, `expert`, `follow:<kind>:<target>`, `own`.
    pub reason: String,
    pub n_events: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub read_at: Option<i64>,
}

/// Where an inbox page starts: items updated before this (time, id).
pub type InboxCursor = (i64, String);

pub(super) const EVENT_COLUMNS: &str = "e.id, e.commit_id, e.kind, e.path, e.title, e.url, e.actor_name, e.actor_email, e.at, \
     e.summary, e.tags";

const FOLLOW_COLUMNS: &str = "username, kind, target, muted, auto, since";

impl StateStore {
    /// Everything `username` follows or muted, newest first.
    pub fn follows(&self, username: &str) -> Result<Vec<FollowRecord>> {
        self.run(|conn| {
            conn.query(
                &format!("SELECT {FOLLOW_COLUMNS} FROM follows WHERE username = ?1 ORDER BY since DESC, kind, target"),
                params![username],
                follow_from_row,
            )
        })
    }

    /// The follows (and mutes) of `kind` naming any of `targets`.
    pub fn followers(&self, kind: &str, targets: &[String]) -> Result<Vec<FollowRecord>> {
        self.run(|conn| {
            let mut res = Vec::new();
            for target in targets {
                res.extend(conn.query(
                    &format!("SELECT {FOLLOW_COLUMNS} FROM follows WHERE kind = ?1 AND target = ?2"),
                    params![kind, target],
                    follow_from_row,
                )?);
            }
            Ok(res)
        })
    }

    /// Every follow of a kind (folder globs are matched by the caller).
    pub fn follows_of_kind(&self, kind: &str) -> Result<Vec<FollowRecord>> {
        self.run(|conn| {
            conn.query(&format!("SELECT {FOLLOW_COLUMNS} FROM follows WHERE kind = ?1"), params![kind], follow_from_row)
        })
    }

    /// A person's notification settings (the defaults until they change them).
    pub fn notification_settings(&self, username: &str) -> Result<SettingsRecord> {
        self.run(|conn| settings(conn, username))
    }

    /// A page of a person's inbox, newest first: at most `limit` items updated before `before`, unread only
    /// when asked.
    pub fn inbox(
        &self,
        username: &str,
        unread_only: bool,
        limit: usize,
        before: Option<&InboxCursor>,
    ) -> Result<Vec<InboxRecord>> {
        let select = format!(
            "SELECT i.id, i.reason, i.n_events, i.created_at, i.updated_at, i.read_at, {EVENT_COLUMNS} \
             FROM inbox i JOIN events e ON e.id = i.event_id \
             WHERE i.username = ?1 AND (?2 = 0 OR i.read_at IS NULL)"
        );
        let order = "ORDER BY i.updated_at DESC, i.id DESC LIMIT ?3";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let unread_only = i64::from(unread_only);
        self.run(|conn| match before {
            Some((before_at, before_id)) => conn.query(
                &format!("{select} AND (i.updated_at, i.id) < (?4, ?5) {order}"),
                params![username, unread_only, limit, *before_at, before_id],
                inbox_from_row,
            ),
            None => conn.query(&format!("{select} {order}"), params![username, unread_only, limit], inbox_from_row),
        })
    }

    /// The commits of every event that reached a person's inbox, one entry per event, in no order (for checks
    /// that nothing was lost or delivered twice).
    pub fn delivered_commits(&self, username: &str) -> Result<Vec<String>> {
        self.run(|conn| {
            conn.query(
                "SELECT e.commit_id FROM inbox_delivered d JOIN events e ON e.id = d.event_id WHERE d.username = ?1",
                params![username],
                |row| row.get(0),
            )
        })
    }

    /// How many items of a person's inbox are unread.
    pub fn unread_count(&self, username: &str) -> Result<usize> {
        self.run(|conn| {
            let n: i64 = conn.query_one(
                "SELECT COUNT(*) FROM inbox WHERE username = ?1 AND read_at IS NULL",
                params![username],
                |row| row.get(0),
            )?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }
}

impl Transaction<'_> {
    /// Follows (or mutes) a target; `Ok(true)` when something changed. A follow made by hand is never turned
    /// back into an automatic one, and an automatic follow never overrides a mute.
    pub fn follow(&self, follow: &FollowRecord) -> Result<bool> {
        let existing: Option<(bool, bool)> = self.conn.query_opt(
            "SELECT muted, auto FROM follows WHERE username = ?1 AND kind = ?2 AND target = ?3",
            params![&follow.username, &follow.kind, &follow.target],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        match existing {
            Some(_) if follow.auto => Ok(false),
            Some((muted, auto)) if muted == follow.muted && !auto => Ok(false),
            Some(_) => {
                self.conn.execute(
                    "UPDATE follows SET muted = ?4, auto = ?5 WHERE username = ?1 AND kind = ?2 AND target = ?3",
                    params![&follow.username, &follow.kind, &follow.target, follow.muted, follow.auto],
                )?;
                Ok(true)
            }
            None => {
                self.conn.execute(
                    "INSERT INTO follows (username, kind, target, muted, auto, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![&follow.username, &follow.kind, &follow.target, follow.muted, follow.auto, follow.since],
                )?;
                Ok(true)
            }
        }
    }

    /// Stops following (or muting) a target; `Ok(true)` when there was such a follow.
    pub fn unfollow(&self, username: &str, kind: &str, target: &str) -> Result<bool> {
        let n = self.conn.execute(
            "DELETE FROM follows WHERE username = ?1 AND kind = ?2 AND target = ?3",
            params![username, kind, target],
        )?;
        Ok(n > 0)
    }

    /// A person's notification settings (the defaults until they change them).
    pub fn notification_settings(&self, username: &str) -> Result<SettingsRecord> {
        settings(self.conn, username)
    }

    /// Stores a person's notification settings.
    pub fn set_notification_settings(&self, username: &str, settings: &SettingsRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO notification_settings (username, email_for_me, email_following, auto_follow) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (username) DO UPDATE SET \
             email_for_me = excluded.email_for_me, email_following = excluded.email_following, \
             auto_follow = excluded.auto_follow",
            params![username, &settings.email_for_me, &settings.email_following, settings.auto_follow],
        )?;
        Ok(())
    }

    /// Records an event (once: a replayed commit finds it there).
    pub fn insert_event(&self, event: &EventRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO events (id, commit_id, kind, path, title, url, actor_name, actor_email, at, summary, tags) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO NOTHING",
            params![
                &event.id,
                &event.commit_id,
                &event.kind,
                &event.path,
                &event.title,
                &event.url,
                &event.actor_name,
                &event.actor_email,
                event.at,
                &event.summary,
                &event.tags.join("\n"),
            ],
        )?;
        Ok(())
    }

    /// Puts an event (already inserted) into a person's inbox, once. An unread item about the same kind of
    /// change to the same page from the last `coalesce_seconds` gathers it instead of a new item. Returns the
    /// inbox item's id when the event was new to this inbox.
    pub fn deliver(
        &self,
        username: &str,
        event: &EventRecord,
        reason: &str,
        coalesce_seconds: i64,
    ) -> Result<Option<String>> {
        let delivered: Option<String> = self.conn.query_opt(
            "SELECT inbox_id FROM inbox_delivered WHERE username = ?1 AND event_id = ?2",
            params![username, &event.id],
            |row| row.get(0),
        )?;
        if delivered.is_some() {
            return Ok(None);
        }
        let gathering: Option<String> = if coalesce_seconds > 0 {
            self.conn.query_opt(
                "SELECT i.id FROM inbox i JOIN events e ON e.id = i.event_id \
                 WHERE i.username = ?1 AND i.read_at IS NULL AND e.kind = ?2 AND e.path = ?3 \
                   AND i.updated_at >= ?4 ORDER BY i.updated_at DESC LIMIT 1",
                params![username, &event.kind, &event.path, event.at - coalesce_seconds],
                |row| row.get(0),
            )?
        } else {
            None
        };
        let id = match gathering {
            Some(id) => {
                self.conn.execute(
                    "UPDATE inbox SET event_id = ?2, n_events = n_events + 1, updated_at = ?3 WHERE id = ?1",
                    params![&id, &event.id, event.at],
                )?;
                id
            }
            None => {
                let id = inbox_id(username, &event.id);
                self.conn.execute(
                    "INSERT INTO inbox (id, username, event_id, reason, n_events, created_at, updated_at, read_at) \
                     VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, NULL)",
                    params![&id, username, &event.id, reason, event.at],
                )?;
                id
            }
        };
        self.conn.execute(
            "INSERT INTO inbox_delivered (username, event_id, inbox_id) VALUES (?1, ?2, ?3)",
            params![username, &event.id, &id],
        )?;
        Ok(Some(id))
    }

    /// Marks items of a person's inbox read (`None`: all of them); returns how many changed.
    pub fn mark_read(&self, username: &str, ids: Option<&[String]>, time: i64) -> Result<usize> {
        match ids {
            None => self.conn.execute(
                "UPDATE inbox SET read_at = ?2 WHERE username = ?1 AND read_at IS NULL",
                params![username, time],
            ),
            Some(ids) => {
                let mut n = 0;
                for id in ids {
                    n += self.conn.execute(
                        "UPDATE inbox SET read_at = ?3 WHERE username = ?1 AND id = ?2 AND read_at IS NULL",
                        params![username, id, time],
                    )?;
                }
                Ok(n)
            }
        }
    }
}

fn settings(conn: super::db::Conn<'_>, username: &str) -> Result<SettingsRecord> {
    Ok(conn
        .query_opt(
            "SELECT email_for_me, email_following, auto_follow FROM notification_settings WHERE username = ?1",
            params![username],
            |row| {
                Ok(SettingsRecord { email_for_me: row.get(0)?, email_following: row.get(1)?, auto_follow: row.get(2)? })
            },
        )?
        .unwrap_or_default())
}

fn inbox_from_row(row: &Row<'_>) -> Result<InboxRecord> {
    Ok(InboxRecord {
        id: row.get(0)?,
        reason: row.get(1)?,
        n_events: row.get(2)?,
        created_at: row.get(3)?,
        updated_at: row.get(4)?,
        read_at: row.get(5)?,
        event: event_from_row(row, 6)?,
    })
}

// A short id for a new inbox item, stable for its person and first event.
fn inbox_id(username: &str, event_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{username}\n{event_id}").as_bytes());
    digest.iter().take(8).map(|it| format!("{it:02x}")).collect()
}

fn follow_from_row(row: &Row<'_>) -> Result<FollowRecord> {
    Ok(FollowRecord {
        username: row.get(0)?,
        kind: row.get(1)?,
        target: row.get(2)?,
        muted: row.get(3)?,
        auto: row.get(4)?,
        since: row.get(5)?,
    })
}

pub(super) fn event_from_row(row: &Row<'_>, at: usize) -> Result<EventRecord> {
    let tags: String = row.get(at + 10)?;
    Ok(EventRecord {
        id: row.get(at)?,
        commit_id: row.get(at + 1)?,
        kind: row.get(at + 2)?,
        path: row.get(at + 3)?,
        title: row.get(at + 4)?,
        url: row.get(at + 5)?,
        actor_name: row.get(at + 6)?,
        actor_email: row.get(at + 7)?,
        at: row.get(at + 8)?,
        summary: row.get(at + 9)?,
        tags: tags.split('\n').filter(|it| !it.is_empty()).map(str::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AccountRecord;

    fn add_accounts(store: &StateStore, users: &[&str]) {
        for name in users {
            let account = AccountRecord {
                username: name.to_string(),
                name: name.to_string(),
                email: format!("{name}@example.com"),
                role: "editor".into(),
                groups: Vec::new(),
                password_hash: None,
                disabled: false,
                session_epoch: 0,
                created_at: 0,
                language: None,
            };
            store.write(|it| it.insert_account(&account)).unwrap();
        }
    }

    fn event(id: &str, kind: &str, path: &str, at: i64) -> EventRecord {
        EventRecord {
            id: id.into(),
            commit_id: format!("c-{id}"),
            kind: kind.into(),
            path: path.into(),
            title: "Rota".into(),
            url: "/team/rota".into(),
            actor_name: "Bob".into(),
            actor_email: "bob@example.com".into(),
            at,
            summary: "changed a line".into(),
            tags: vec!["ops".into()],
        }
    }

    crate::state::on_both_engines! {
        fn an_event_reaches_an_inbox_once_however_often_it_is_delivered(store) {
            add_accounts(store, &["ann"]);
            let first = event("e1", "question_asked", "questions/why.md", 100);
            store.write(|it| it.insert_event(&first)).unwrap();
            for _ in 0..3 {
                store.write(|it| it.insert_event(&first).and_then(|()| it.deliver("ann", &first, "follow", 600))).unwrap();
            }
            let items = store.inbox("ann", false, 10, None).unwrap();
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].event, first);
            assert_eq!(store.unread_count("ann").unwrap(), 1);
        }
    }

    crate::state::on_both_engines! {
        fn edits_to_one_page_within_the_window_gather_into_one_item(store) {
            add_accounts(store, &["ann"]);
            for (id, at) in [("e1", 100), ("e2", 400), ("e3", 900), ("e4", 2000)] {
                let it = event(id, "page_changed", "team/rota.md", at);
                store.write(|tx| tx.insert_event(&it).and_then(|()| tx.deliver("ann", &it, "follow", 600))).unwrap();
            }
            let items = store.inbox("ann", false, 10, None).unwrap();
            let seen: Vec<(String, i64)> = items.iter().map(|it| (it.event.id.clone(), it.n_events)).collect();
            assert_eq!(seen, [("e4".to_string(), 1), ("e3".to_string(), 3)]);
            store.write(|it| it.mark_read("ann", Some(&[items[0].id.clone()]), 3000)).unwrap();
            assert_eq!(store.unread_count("ann").unwrap(), 1);
            store.write(|it| it.mark_read("ann", None, 3000)).unwrap();
            assert_eq!(store.unread_count("ann").unwrap(), 0);
            assert_eq!(store.inbox("ann", true, 10, None).unwrap().len(), 0);
        }
    }

    crate::state::on_both_engines! {
        fn inbox_pages_continue_where_the_last_ended(store) {
            add_accounts(store, &["ann"]);
            for i in 0..5 {
                let it = event(&format!("e{i}"), "question_asked", &format!("questions/q{i}.md"), 100 + i);
                store.write(|tx| tx.insert_event(&it).and_then(|()| tx.deliver("ann", &it, "follow", 0))).unwrap();
            }
            let first = store.inbox("ann", false, 2, None).unwrap();
            let cursor = (first[1].updated_at, first[1].id.clone());
            let second = store.inbox("ann", false, 10, Some(&cursor)).unwrap();
            let ids: Vec<&str> = first.iter().chain(second.iter()).map(|it| it.event.id.as_str()).collect();
            assert_eq!(ids, ["e4", "e3", "e2", "e1", "e0"]);
        }
    }

    crate::state::on_both_engines! {
        fn automatic_follows_never_override_a_mute_or_a_follow_by_hand(store) {
            add_accounts(store, &["ann"]);
            let follow = |muted, auto| FollowRecord {
                username: "ann".into(),
                kind: "page".into(),
                target: "team/rota.md".into(),
                muted,
                auto,
                since: 1,
            };
            assert!(store.write(|it| it.follow(&follow(true, false))).unwrap());
            assert!(!store.write(|it| it.follow(&follow(false, true))).unwrap(), "an automatic follow unmuted");
            assert!(store.follows("ann").unwrap()[0].muted);
            assert!(store.write(|it| it.follow(&follow(false, false))).unwrap());
            assert_eq!(store.followers("page", &["team/rota.md".into()]).unwrap().len(), 1);
            assert!(store.write(|it| it.unfollow("ann", "page", "team/rota.md")).unwrap());
            assert!(store.follows("ann").unwrap().is_empty());
        }
    }
}
