//! People state: accounts, their groups and personal tokens, login sessions and the push log, in the database
//! `<data>/lore.db` beside the repository. The only module that talks to `rusqlite`, and the only place SQL
//! lives: the layers above call typed methods and never see a connection or a query.
//!
//! SQLite is the embedded default: created on the first start, no set-up. The server and the `lore user` /
//! `lore token` commands open the same file at once, so it runs in WAL mode (readers never wait for the
//! writer) with a busy timeout, and every transaction is short. Nothing is cached in memory: every lookup
//! reads the database, so a token revoked from the command line fails on the server's next request.
//!
//! The SQL is kept portable (plain types, parameters, `ON CONFLICT … DO NOTHING`), so another engine can
//! stand behind the same methods. The schema is versioned (`schema.rs`); a database written by a newer Lore
//! is refused with both versions named, never opened and half understood.

mod accounts;
mod backup;
mod delivery;
mod notify;
mod pushes;
mod schema;
mod sessions;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::{Error, Result};

pub use accounts::{AccountRecord, TokenRecord};
pub use backup::{backup_database, check_database};
pub use delivery::{DigestKey, MailCandidate, Outcome, WebhookDeliveryRecord, WebhookDue};
pub use notify::{EventRecord, FollowRecord, InboxCursor, InboxRecord, SettingsRecord};
pub use sessions::SessionRecord;

/// The database's file name inside the data folder.
pub const FILE: &str = "lore.db";

/// How long a statement waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections kept open between uses; more are opened when many requests read at once.
const MAX_IDLE_CONNECTIONS: usize = 8;

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Error {
        match err.sqlite_error_code() {
            // Another process held the write lock past the busy timeout: worth a retry, not a bug.
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                Error::Unavailable("the state database is busy; try again".into())
            }
            _ => Error::Database(err.to_string()),
        }
    }
}

/// The people-state database: a handle shared by every request, holding a few open connections.
pub struct StateStore {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    // Writers of this process queue here instead of on SQLite's lock: SQLite's busy handler sleeps 1, 2, 5,
    // 10… ms between tries, so a save that met the notifier's transaction waited ~15 ms longer than the
    // transaction itself. Other processes (the CLI) still meet the busy timeout.
    writing: Mutex<()>,
}

impl StateStore {
    /// Opens (or creates) `<data_dir>/lore.db` and brings its schema up to date; refuses a database whose
    /// schema is newer than this binary knows.
    pub fn open(data_dir: &Path) -> Result<StateStore> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(FILE);
        create_private(&path)?;
        let store = StateStore { path, idle: Mutex::new(Vec::new()), writing: Mutex::new(()) };
        let mut connection = store.connect()?;
        // Switching to WAL, and reading a database another process is creating, can answer "busy" at once
        // instead of waiting out the busy timeout: the start-up steps are retried for as long instead.
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match prepare(&mut connection, &store.path) {
                Err(Error::Unavailable(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                res => break res?,
            }
        }
        store.idle.lock().push(connection);
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `change` in one write transaction: committed when it returns `Ok`, rolled back otherwise. The
    /// write lock is taken at the start, so what `change` reads stays true until the commit.
    pub fn write<T>(&self, change: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut connection = self.connection()?;
        let _writing = self.writing.lock();
        let transaction = Transaction { inner: connection.transaction_with_behavior(TransactionBehavior::Immediate)? };
        let res = change(&transaction)?;
        transaction.inner.commit()?;
        Ok(res)
    }

    /// Writes everything in the write-ahead log into the database file, so the file alone holds the state
    /// (a stopping server does; so does a backup's copy).
    pub fn checkpoint(&self) -> Result<()> {
        self.run(|connection| connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))
    }

    /// A value the store keeps about itself (such as when old files were imported), by key.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.run(|connection| meta(connection, key))
    }

    // One statement outside a transaction (a read, or a single write that commits alone): each sees the
    // newest commit of any process.
    fn run<T>(&self, query: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let connection = self.connection()?;
        Ok(query(&connection)?)
    }

    // One write statement that commits alone, queued behind this process's other writers (see `writing`).
    fn run_write<T>(&self, statement: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let connection = self.connection()?;
        let _writing = self.writing.lock();
        Ok(statement(&connection)?)
    }

    fn connection(&self) -> Result<Pooled<'_>> {
        let idle = self.idle.lock().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.connect()?,
        };
        Ok(Pooled { store: self, connection: Some(connection) })
    }

    fn connect(&self) -> Result<Connection> {
        // No URI flag: a data folder named `file:…` is a folder, not a URI.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(64);
        // Per connection in SQLite: without it, REFERENCES clauses are only documentation.
        connection.execute_batch("PRAGMA foreign_keys = ON")?;
        Ok(connection)
    }
}

// WAL mode, then the newest schema.
fn prepare(connection: &mut Connection, path: &Path) -> Result<()> {
    // WAL is a property of the file: set once, every later connection (and process) uses it.
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "the state database could not switch to WAL mode; readers may wait for writers");
    }
    schema::migrate(connection, path)
}

/// One write transaction (see [`StateStore::write`]); its methods read and change the state.
pub struct Transaction<'a> {
    inner: rusqlite::Transaction<'a>,
}

impl Transaction<'_> {
    /// A value the store keeps about itself, by key.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(meta(&self.inner, key)?)
    }

    /// Sets a value the store keeps about itself.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.inner
            .prepare_cached(
                "INSERT INTO state_meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute((key, value))?;
        Ok(())
    }
}

fn meta(connection: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    connection
        .prepare_cached("SELECT value FROM state_meta WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()
}

/// A connection on loan from the store's idle list; goes back when dropped.
struct Pooled<'a> {
    store: &'a StateStore,
    connection: Option<Connection>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.connection.as_ref().expect("a loaned connection is present until dropped")
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.connection.as_mut().expect("a loaned connection is present until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let mut idle = self.store.idle.lock();
        if idle.len() < MAX_IDLE_CONNECTIONS {
            idle.push(connection);
        }
    }
}

// The database holds password hashes: only its owner may read it. SQLite gives its WAL and shared-memory
// files the same permissions as the database, so creating this one private is enough.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err.into()),
    }
}

// SQL integers are signed 64-bit; counters and epochs never come near the limit.
fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn from_sql_int(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_is_created_private_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        let mode: String = store.run(|it| it.query_row("PRAGMA journal_mode", [], |row| row.get(0))).unwrap();
        assert_eq!(mode, "wal");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "lore.db is readable by others: {mode:o}");
        }
    }

    #[test]
    fn meta_values_are_set_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        assert_eq!(store.meta("imported").unwrap(), None);
        store.write(|it| it.set_meta("imported", "1")).unwrap();
        store.write(|it| it.set_meta("imported", "2")).unwrap();
        assert_eq!(store.meta("imported").unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn a_failed_change_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        let failed: Result<()> = store.write(|it| {
            it.set_meta("half", "done")?;
            Err(Error::bad_input("changed my mind"))
        });
        assert!(failed.is_err());
        assert_eq!(store.meta("half").unwrap(), None);
    }
}
