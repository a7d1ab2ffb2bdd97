//! The schema, as numbered migrations run at start (rusqlite_migration, which keeps the number in SQLite's
//! `user_version`). A migration, once released, never changes: a new one is appended. A database whose number
//! is higher than this binary's last migration was written by a newer Lore, and is refused.
//!
//! Portable SQL only: TEXT, BIGINT and BOOLEAN columns, plain indexes, foreign keys; nothing that needs
//! SQLite to read it.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{M, Migrations, SchemaVersion};

use crate::{Error, Result};

const MIGRATIONS: &[M<'static>] = &[
    // 1: accounts, groups, tokens, sessions and the push log move out of the JSON files.
    M::up(
        "CREATE TABLE state_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE accounts (
            username TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            email TEXT NOT NULL,
            email_key TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT,
            disabled BOOLEAN NOT NULL,
            session_epoch BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX accounts_by_email_key ON accounts (email_key);
        CREATE INDEX accounts_by_name_key ON accounts (name_key);
        CREATE TABLE account_groups (
            username TEXT NOT NULL REFERENCES accounts (username),
            group_name TEXT NOT NULL,
            PRIMARY KEY (username, group_name)
        );
        CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES accounts (username),
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL,
            last_used_at BIGINT
        );
        CREATE INDEX tokens_by_username ON tokens (username);
        CREATE TABLE sessions (
            id_sha256 TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES accounts (username),
            epoch BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX sessions_by_expiry ON sessions (expires_at);
        CREATE TABLE pushed_commits (
            commit_id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            pushed_at BIGINT NOT NULL
        );",
    ),
    // 2: follows, notification settings, the events read from commits, and inboxes.
    M::up(
        "CREATE TABLE follows (
            username TEXT NOT NULL REFERENCES accounts (username),
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            muted BOOLEAN NOT NULL,
            auto BOOLEAN NOT NULL,
            since BIGINT NOT NULL,
            PRIMARY KEY (username, kind, target)
        );
        CREATE INDEX follows_by_target ON follows (kind, target);
        CREATE TABLE notification_settings (
            username TEXT PRIMARY KEY REFERENCES accounts (username),
            email_for_me TEXT NOT NULL,
            email_following TEXT NOT NULL,
            auto_follow BOOLEAN NOT NULL
        );
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            commit_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            actor_email TEXT NOT NULL,
            at BIGINT NOT NULL,
            summary TEXT NOT NULL,
            tags TEXT NOT NULL
        );
        CREATE INDEX events_by_at ON events (at);
        CREATE TABLE inbox (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES accounts (username),
            event_id TEXT NOT NULL REFERENCES events (id),
            reason TEXT NOT NULL,
            n_events BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            read_at BIGINT
        );
        CREATE INDEX inbox_by_user ON inbox (username, updated_at);
        CREATE TABLE inbox_delivered (
            username TEXT NOT NULL,
            event_id TEXT NOT NULL,
            inbox_id TEXT NOT NULL,
            PRIMARY KEY (username, event_id)
        );",
    ),
    // 3: delivery: which inbox deliveries were mailed, which digests went out, and the webhook queue. A row is
    // claimed (`owner`, `lease_until`) before its message is sent and marked when the server accepted it.
    M::up(
        "CREATE INDEX inbox_delivered_by_event ON inbox_delivered (event_id);
        CREATE TABLE mail_sent (
            username TEXT NOT NULL,
            event_id TEXT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT,
            lease_until BIGINT NOT NULL,
            attempts BIGINT NOT NULL,
            last_error TEXT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (username, event_id)
        );
        CREATE INDEX mail_sent_by_status ON mail_sent (status, lease_until);
        CREATE INDEX mail_sent_by_owner ON mail_sent (owner);
        CREATE TABLE digests_sent (
            username TEXT NOT NULL,
            period TEXT NOT NULL,
            period_key TEXT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT,
            lease_until BIGINT NOT NULL,
            covered_until BIGINT NOT NULL,
            n_items BIGINT NOT NULL,
            last_error TEXT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (username, period, period_key)
        );
        CREATE INDEX digests_sent_by_owner ON digests_sent (owner);
        CREATE TABLE webhook_deliveries (
            webhook_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            owner TEXT,
            lease_until BIGINT NOT NULL,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            delivered_at BIGINT,
            PRIMARY KEY (webhook_id, event_id)
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
        CREATE INDEX webhook_deliveries_by_update ON webhook_deliveries (updated_at);
        CREATE INDEX webhook_deliveries_by_owner ON webhook_deliveries (owner);",
    ),
    // 4: the interface language each person chose (a language code; NULL: the browser's).
    M::up("ALTER TABLE accounts ADD COLUMN language TEXT;"),
];

/// The highest schema version this binary knows.
pub fn known_version() -> usize {
    MIGRATIONS.len()
}

/// Brings the database to the newest schema, or refuses one that a newer Lore wrote.
pub fn migrate(connection: &mut Connection, path: &Path) -> Result<()> {
    let migrations = Migrations::from_slice(MIGRATIONS);
    // The write lock is taken before a migration reads anything, so two processes starting at once take turns.
    connection.set_transaction_behavior(TransactionBehavior::Immediate);
    let res = (|| {
        check_not_newer(&migrations, connection, path)?;
        match migrations.to_latest(connection) {
            Ok(()) => Ok(()),
            // rusqlite_migration reads the version before it takes the lock: a process that started at the
            // same moment may have migrated in between, and this attempt then failed on tables that exist.
            Err(err) if current(&migrations, connection, path)? == known_version() => {
                tracing::debug!(error = %err, "another process migrated the state database first");
                Ok(())
            }
            Err(err) => Err(migration_error(err, path)),
        }
    })();
    connection.set_transaction_behavior(TransactionBehavior::Deferred);
    res?;
    check_not_newer(&migrations, connection, path)
}

fn check_not_newer(migrations: &Migrations<'_>, connection: &Connection, path: &Path) -> Result<()> {
    match migrations.current_version(connection).map_err(|err| migration_error(err, path))? {
        SchemaVersion::Outside(found) => {
            Err(Error::NewerDatabase { path: path.display().to_string(), found: found.get(), known: known_version() })
        }
        SchemaVersion::NoneSet | SchemaVersion::Inside(_) => Ok(()),
    }
}

fn current(migrations: &Migrations<'_>, connection: &Connection, path: &Path) -> Result<usize> {
    let version = migrations.current_version(connection).map_err(|err| migration_error(err, path))?;
    Ok(usize::from(&version))
}

// A database error keeps its kind (busy stays retryable); anything else is a migration that cannot run.
fn migration_error(err: rusqlite_migration::Error, path: &Path) -> Error {
    match err {
        rusqlite_migration::Error::RusqliteError { err, .. } => match Error::from(err) {
            Error::Database(message) => Error::Database(format!("migrating {}: {message}", path.display())),
            other => other,
        },
        other => Error::Database(format!("migrating {}: {other}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }

    #[test]
    fn a_database_from_a_newer_lore_is_refused_and_both_versions_named() {
        let dir = tempfile::tempdir().unwrap();
        drop(crate::state::StateStore::open(dir.path()).unwrap());
        let path = dir.path().join(crate::state::FILE);
        let newer = known_version() + 1;
        Connection::open(&path).unwrap().pragma_update(None, "user_version", newer as i64).unwrap();
        let Err(err) = crate::state::StateStore::open(dir.path()) else { panic!("a newer database was opened") };
        let message = err.to_string();
        assert!(matches!(err, Error::NewerDatabase { .. }), "{err:?}");
        assert!(message.contains(&format!("version {newer}")), "{message}");
        assert!(message.contains(&format!("{}", known_version())), "{message}");
        assert!(message.contains("upgrade"), "{message}");
    }

    #[test]
    fn processes_starting_together_on_a_new_database_all_open_it() {
        let dir = tempfile::tempdir().unwrap();
        let barrier = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            let opened: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        crate::state::StateStore::open(dir.path()).map(drop)
                    })
                })
                .collect();
            for it in opened {
                it.join().unwrap().unwrap();
            }
        });
    }

    #[test]
    fn opening_twice_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        drop(crate::state::StateStore::open(dir.path()).unwrap());
        let store = crate::state::StateStore::open(dir.path()).unwrap();
        let version: i64 = store.run(|it| it.query_row("PRAGMA user_version", [], |row| row.get(0))).unwrap();
        assert_eq!(version, known_version() as i64);
    }
}
