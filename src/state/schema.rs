//! The schema, as numbered migrations run at start. A migration, once released, never changes: a new one is
//! appended. A database whose number is higher than this binary's last migration was written by a newer Lore,
//! and is refused.
//!
//! The same migrations run on both engines. SQLite keeps the number in its `user_version` (through
//! rusqlite_migration), and takes turns with other processes under its write lock; PostgreSQL keeps it in
//! the table `lore_schema`, and processes starting at once (several nodes) take turns under an advisory lock,
//! each migrating in one transaction (PostgreSQL's DDL is transactional: a failed migration leaves nothing).
//!
//! Portable SQL only: TEXT, BIGINT and BOOLEAN columns, plain indexes, foreign keys; nothing that needs
//! one engine to read it.

use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{M, Migrations, SchemaVersion};

use super::db::{PgConnection, params};
use crate::{Error, Result};

const MIGRATIONS: &[&str] = &[
    // 1: accounts, groups, tokens, sessions and the push log move out of the JSON files.
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
    // 2: follows, notification settings, the events read from commits, and inboxes.
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
    // 3: delivery: which inbox deliveries were mailed, which digests went out, and the webhook queue. A row is
    // claimed (`owner`, `lease_until`) before its message is sent and marked when the server accepted it.
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
    // 4: an inbox page is read in index order: items of one push share `updated_at`, and ordering them by id
    // sorted every item of the person (3.4 ms for 10,000 on SQLite, against 0.05 ms from the index). The
    // unread count is answered from an index too.
    "CREATE INDEX inbox_by_user_time ON inbox (username, updated_at, id);
    DROP INDEX inbox_by_user;
    CREATE INDEX inbox_unread_by_user ON inbox (username, read_at);",
    // 5: the interface language each person chose (a language code; NULL: the browser's).
    "ALTER TABLE accounts ADD COLUMN language TEXT;",
];

/// The advisory lock PostgreSQL migrations take (another than the write lock, which no migration needs).
const MIGRATION_LOCK: i64 = 0x4c6f_7265_0002;

/// The highest schema version this binary knows.
pub fn known_version() -> usize {
    MIGRATIONS.len()
}

fn sqlite_migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|it| M::up(it)).collect())
}

/// Brings an SQLite database to the newest schema, or refuses one that a newer Lore wrote.
pub fn migrate(connection: &mut Connection, name: &str) -> Result<()> {
    let migrations = sqlite_migrations();
    // The write lock is taken before a migration reads anything, so two processes starting at once take turns.
    connection.set_transaction_behavior(TransactionBehavior::Immediate);
    let res = (|| {
        check_not_newer(&migrations, connection, name)?;
        match migrations.to_latest(connection) {
            Ok(()) => Ok(()),
            // rusqlite_migration reads the version before it takes the lock: a process that started at the
            // same moment may have migrated in between, and this attempt then failed on tables that exist.
            Err(err) if current(&migrations, connection, name)? == known_version() => {
                tracing::debug!(error = %err, "another process migrated the state database first");
                Ok(())
            }
            Err(err) => Err(migration_error(err, name)),
        }
    })();
    connection.set_transaction_behavior(TransactionBehavior::Deferred);
    res?;
    check_not_newer(&migrations, connection, name)
}

/// Brings a PostgreSQL database to the newest schema, or refuses one that a newer Lore wrote.
pub fn migrate_postgres(connection: &PgConnection, name: &str) -> Result<()> {
    connection.batch(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK}); \
         CREATE TABLE IF NOT EXISTS lore_schema (version BIGINT NOT NULL)"
    ))?;
    let res = (|| {
        let conn = super::db::Conn::Postgres(connection);
        let found: Option<i64> =
            conn.query_opt("SELECT MAX(version) FROM lore_schema", params![], |row| row.get(0))?.flatten();
        let found = usize::try_from(found.unwrap_or(0)).unwrap_or(0);
        if found > known_version() {
            return Err(Error::NewerDatabase { path: name.to_string(), found, known: known_version() });
        }
        for (number, sql) in MIGRATIONS.iter().enumerate().skip(found) {
            tracing::info!(version = number + 1, "migrating the state database");
            connection.batch(sql).map_err(|err| match err {
                Error::Database(message) => {
                    Error::Database(format!("migrating {name} to version {}: {message}", number + 1))
                }
                other => other,
            })?;
        }
        if found < known_version() {
            conn.execute("DELETE FROM lore_schema", params![])?;
            conn.execute("INSERT INTO lore_schema (version) VALUES (?1)", params![known_version() as i64])?;
        }
        Ok(())
    })();
    match res {
        Ok(()) => connection.batch("COMMIT"),
        Err(err) => {
            if connection.batch("ROLLBACK").is_err() {
                connection.mark_broken();
            }
            Err(err)
        }
    }
}

fn check_not_newer(migrations: &Migrations<'_>, connection: &Connection, name: &str) -> Result<()> {
    match migrations.current_version(connection).map_err(|err| migration_error(err, name))? {
        SchemaVersion::Outside(found) => {
            Err(Error::NewerDatabase { path: name.to_string(), found: found.get(), known: known_version() })
        }
        SchemaVersion::NoneSet | SchemaVersion::Inside(_) => Ok(()),
    }
}

fn current(migrations: &Migrations<'_>, connection: &Connection, name: &str) -> Result<usize> {
    let version = migrations.current_version(connection).map_err(|err| migration_error(err, name))?;
    Ok(usize::from(&version))
}

// A database error keeps its kind (busy stays retryable); anything else is a migration that cannot run.
fn migration_error(err: rusqlite_migration::Error, name: &str) -> Error {
    match err {
        rusqlite_migration::Error::RusqliteError { err, .. } => match Error::from(err) {
            Error::Database(message) => Error::Database(format!("migrating {name}: {message}")),
            other => other,
        },
        other => Error::Database(format!("migrating {name}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PostgresUrl, StateStore};

    // A database of either engine that tests open again and again, as processes and restarts do.
    enum Database {
        Sqlite(tempfile::TempDir),
        Postgres(PostgresUrl),
    }

    impl Database {
        fn sqlite() -> Database {
            Database::Sqlite(tempfile::tempdir().unwrap())
        }

        fn postgres() -> Database {
            Database::Postgres(PostgresUrl::parse(&crate::state::test_postgres::database_url()).unwrap())
        }

        fn open(&self) -> Result<StateStore> {
            match self {
                Database::Sqlite(dir) => StateStore::open(dir.path()),
                Database::Postgres(url) => StateStore::open_postgres(url),
            }
        }

        // What a newer Lore's migration leaves.
        fn set_version(&self, store: &StateStore, version: i64) {
            let sql = match self {
                Database::Sqlite(_) => format!("PRAGMA user_version = {version}"),
                Database::Postgres(_) => format!("UPDATE lore_schema SET version = {version}"),
            };
            store.run(|conn| conn.execute(&sql, params![])).unwrap();
        }

        fn version(&self, store: &StateStore) -> i64 {
            let sql = match self {
                Database::Sqlite(_) => "PRAGMA user_version",
                Database::Postgres(_) => "SELECT version FROM lore_schema",
            };
            store.run(|conn| conn.query_one(sql, params![], |row| row.get(0))).unwrap()
        }
    }

    #[test]
    fn migrations_are_valid() {
        sqlite_migrations().validate().unwrap();
    }

    fn check_a_newer_database_is_refused(database: Database) {
        let store = database.open().unwrap();
        let newer = known_version() + 1;
        database.set_version(&store, newer as i64);
        drop(store);
        let Err(err) = database.open() else { panic!("a newer database was opened") };
        let message = err.to_string();
        assert!(matches!(err, Error::NewerDatabase { .. }), "{err:?}");
        assert!(message.contains(&format!("version {newer}")), "{message}");
        assert!(message.contains(&format!("{}", known_version())), "{message}");
        assert!(message.contains("upgrade"), "{message}");
        assert!(!message.contains("password"), "{message}");
    }

    #[test]
    fn a_database_from_a_newer_lore_is_refused_and_both_versions_named_sqlite() {
        check_a_newer_database_is_refused(Database::sqlite());
    }

    #[test]
    fn a_database_from_a_newer_lore_is_refused_and_both_versions_named_postgres() {
        check_a_newer_database_is_refused(Database::postgres());
    }

    fn check_processes_starting_together_all_open_it(database: Database) {
        let barrier = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            let opened: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        database.open().map(drop)
                    })
                })
                .collect();
            for it in opened {
                it.join().unwrap().unwrap();
            }
        });
        let store = database.open().unwrap();
        assert_eq!(database.version(&store), known_version() as i64);
    }

    #[test]
    fn processes_starting_together_on_a_new_database_all_open_it_sqlite() {
        check_processes_starting_together_all_open_it(Database::sqlite());
    }

    #[test]
    fn processes_starting_together_on_a_new_database_all_open_it_postgres() {
        check_processes_starting_together_all_open_it(Database::postgres());
    }

    fn check_opening_twice_migrates_once(database: Database) {
        let store = database.open().unwrap();
        store.write(|it| it.set_meta("kept", "yes")).unwrap();
        drop(store);
        let store = database.open().unwrap();
        assert_eq!(database.version(&store), known_version() as i64);
        assert_eq!(store.meta("kept").unwrap().as_deref(), Some("yes"));
    }

    #[test]
    fn opening_twice_migrates_once_sqlite() {
        check_opening_twice_migrates_once(Database::sqlite());
    }

    #[test]
    fn opening_twice_migrates_once_postgres() {
        check_opening_twice_migrates_once(Database::postgres());
    }
}
