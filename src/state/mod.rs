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
pub(crate) mod db;
mod backup;
mod delivery;
mod notify;
mod pushes;
mod schema;
mod sessions;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};
use db::{Conn, PgConnection, params};

pub use accounts::{AccountRecord, TokenRecord};
pub use backup::{backup_database, check_database, dump_postgres, load_postgres};
pub use delivery::{DigestKey, MailCandidate, Outcome, WebhookDeliveryRecord, WebhookDue};
pub use notify::{EventRecord, FollowRecord, InboxCursor, InboxRecord, SettingsRecord, recorded};
pub use sessions::SessionRecord;

/// Where the database keeps its id.
const ID_KEY: &str = "database_id";

/// The database's file name inside the data folder.
pub const FILE: &str = "lore.db";

/// How long a statement waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections kept open between uses; more are opened when many requests read at once.
const MAX_IDLE_CONNECTIONS: usize = 8;

/// Connections one process holds open to PostgreSQL at most (its server allows 100 by default, shared by
/// every node); a request that finds them all busy waits up to [`BUSY_TIMEOUT`] for one.
const MAX_POSTGRES_CONNECTIONS: usize = 16;

/// The advisory lock every PostgreSQL write transaction takes at its start (SQLite's write lock, shared by
/// every node): what a change reads stays true until it commits.
const WRITE_LOCK: i64 = 0x4c6f_7265_0001;

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

/// Where the people state lives: SQLite in the data folder (the default), or a PostgreSQL database that
/// several Lore nodes share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StateLocation {
    /// `<data>/lore.db`.
    #[default]
    Embedded,
    Postgres(PostgresUrl),
}

/// A PostgreSQL connection URL, `postgres://user:password@host:port/database`, checked when read. Shown
/// (in logs, errors, `Debug`) without its password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// Checks a URL: `postgres://` or `postgresql://`, and parameters PostgreSQL's client understands.
    pub fn parse(text: &str) -> Result<PostgresUrl> {
        let text = text.trim();
        let bad = |why: String| Error::bad_input(format!("state: {why}"));
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Err(bad("use a postgres://user:password@host:port/database URL, or leave it out for SQLite \
                 in <data>/lore.db"
                .into()));
        }
        text.parse::<tokio_postgres::Config>().map_err(|err| bad(format!("{}: {err}", redact(text))))?;
        Ok(PostgresUrl(text.to_string()))
    }

    /// The URL without its password, for messages.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// The URL as written, password included (for the child processes that need it, such as `pg_dump`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn client_config(&self) -> tokio_postgres::Config {
        let mut config: tokio_postgres::Config = self.0.parse().expect("checked when the URL was read");
        if config.get_application_name().is_none() {
            config.application_name("lore");
        }
        config
    }
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresUrl({})", self.redacted())
    }
}

impl TryFrom<String> for PostgresUrl {
    type Error = Error;

    fn try_from(text: String) -> Result<PostgresUrl> {
        PostgresUrl::parse(&text)
    }
}

impl From<PostgresUrl> for String {
    fn from(url: PostgresUrl) -> String {
        url.0
    }
}

// `postgres://ann:secret@db/lore` → `postgres://ann@db/lore`; a password in the query goes too.
fn redact(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else { return "(a PostgreSQL URL)".into() };
    let _ = url.set_password(None);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(key, value)| {
            let value = if key == "password" { "…".to_string() } else { value.into_owned() };
            (key.into_owned(), value)
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The people-state database: a handle shared by every request, holding a few open connections.
pub struct StateStore {
    backend: Backend,
    pool: Mutex<Pool>,
    freed: Condvar,
    // SQLite writers of this process queue here instead of on SQLite's lock: SQLite's busy handler sleeps 1,
    // 2, 5, 10… ms between tries, so a save that met the notifier's transaction waited ~15 ms longer than the
    // transaction itself. Other processes (the CLI) still meet the busy timeout; PostgreSQL writers wait on
    // its advisory lock, which wakes them at once.
    writing: Mutex<()>,
}

enum Backend {
    Sqlite { path: PathBuf },
    Postgres { url: PostgresUrl, config: Box<tokio_postgres::Config> },
}

struct Pool {
    idle: Vec<Open>,
    /// Connections open now, idle or on loan.
    n_open: usize,
}

/// An open connection of the store's engine.
enum Open {
    Sqlite(Connection),
    Postgres(PgConnection),
}

impl Open {
    fn conn(&self) -> Conn<'_> {
        match self {
            Open::Sqlite(connection) => Conn::Sqlite(connection),
            Open::Postgres(connection) => Conn::Postgres(connection),
        }
    }
}

impl StateStore {
    /// Opens (or creates) `<data_dir>/lore.db` and brings its schema up to date; refuses a database whose
    /// schema is newer than this binary knows.
    pub fn open(data_dir: &Path) -> Result<StateStore> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(FILE);
        create_private(&path)?;
        let store = StateStore::new(Backend::Sqlite { path });
        let mut connection = store.connection()?;
        let Open::Sqlite(sqlite) = connection.open.as_mut().expect("a loaned connection is present") else {
            unreachable!("an SQLite store opens SQLite connections")
        };
        // Switching to WAL, and reading a database another process is creating, can answer "busy" at once
        // instead of waiting out the busy timeout: the start-up steps are retried for as long instead.
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match prepare(sqlite, &store.describe()) {
                Err(Error::Unavailable(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                res => break res?,
            }
        }
        drop(connection);
        store.name_itself()?;
        Ok(store)
    }

    /// Connects to a PostgreSQL database and brings its schema up to date (one process at a time, under an
    /// advisory lock); refuses a database whose schema is newer than this binary knows.
    pub fn open_postgres(url: &PostgresUrl) -> Result<StateStore> {
        let store = StateStore::new(Backend::Postgres { url: url.clone(), config: Box::new(url.client_config()) });
        let connection = store.connection()?;
        let Some(Open::Postgres(postgres)) = connection.open.as_ref() else {
            unreachable!("a PostgreSQL store opens PostgreSQL connections")
        };
        schema::migrate_postgres(postgres, &store.describe())?;
        drop(connection);
        store.name_itself()?;
        Ok(store)
    }

    /// Opens the store at `location`: `<data_dir>/lore.db`, or the PostgreSQL database named.
    pub fn open_at(data_dir: &Path, location: &StateLocation) -> Result<StateStore> {
        match location {
            StateLocation::Embedded => StateStore::open(data_dir),
            StateLocation::Postgres(url) => StateStore::open_postgres(url),
        }
    }

    fn new(backend: Backend) -> StateStore {
        StateStore {
            backend,
            pool: Mutex::new(Pool { idle: Vec::new(), n_open: 0 }),
            freed: Condvar::new(),
            writing: Mutex::new(()),
        }
    }

    /// A random id the database was given when it was created: nodes that share a database see the same id
    /// (a replica checks it is the primary's).
    pub fn id(&self) -> Result<String> {
        Ok(self.meta(ID_KEY)?.unwrap_or_default())
    }

    // Gives a new database its id (once: the first process to get there wins).
    fn name_itself(&self) -> Result<()> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|err| Error::Database(format!("no randomness for the id: {err}")))?;
        let id: String = bytes.iter().map(|it| format!("{it:02x}")).collect();
        self.run(|conn| {
            conn.execute(
                "INSERT INTO state_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![ID_KEY, &id],
            )
        })?;
        Ok(())
    }

    /// The database, for messages: the SQLite file, or the PostgreSQL URL without its password.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Sqlite { path } => path.display().to_string(),
            Backend::Postgres { url, .. } => url.redacted(),
        }
    }

    /// Whether other Lore processes on other machines share this database (PostgreSQL): what they must
    /// agree on, such as the key that signs session cookies, is then kept in it.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// Runs `change` in one write transaction: committed when it returns `Ok`, rolled back otherwise. The
    /// write lock is taken at the start, so what `change` reads stays true until the commit.
    pub fn write<T>(&self, change: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut connection = self.connection()?;
        match connection.open.as_mut().expect("a loaned connection is present") {
            Open::Sqlite(sqlite) => {
                let _writing = self.writing.lock();
                let transaction = sqlite.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let res = change(&Transaction { conn: Conn::Sqlite(&transaction) })?;
                transaction.commit()?;
                Ok(res)
            }
            Open::Postgres(postgres) => {
                // Rolled back unless it commits (a lock that timed out, `change` failing or panicking), so the
                // connection goes back to the pool clean.
                let mut guard = RollbackGuard { connection: postgres, done: false };
                postgres.batch(&format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"))?;
                let res = change(&Transaction { conn: Conn::Postgres(postgres) })?;
                postgres.batch("COMMIT")?;
                guard.done = true;
                Ok(res)
            }
        }
    }

    /// Writes everything in the write-ahead log into the database file, so the file alone holds the state
    /// (a stopping server does; so does a backup's copy).
    pub fn checkpoint(&self) -> Result<()> {
        let connection = self.connection()?;
        match connection.open.as_ref().expect("a loaned connection is present") {
            Open::Sqlite(sqlite) => Ok(sqlite.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?),
            // PostgreSQL keeps its own log and its own checkpoints.
            Open::Postgres(_) => Ok(()),
        }
    }

    /// A value the store keeps about itself (such as when old files were imported), by key.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.run(|conn| meta(conn, key))
    }

    // One statement outside a transaction (a read, or a single write that commits alone): each sees the
    // newest commit of any process.
    fn run<T>(&self, query: impl FnOnce(Conn<'_>) -> Result<T>) -> Result<T> {
        let connection = self.connection()?;
        query(connection.open.as_ref().expect("a loaned connection is present").conn())
    }

    // One write statement that commits alone; on SQLite, queued behind this process's other writers (see
    // `writing`).
    fn run_write<T>(&self, statement: impl FnOnce(Conn<'_>) -> Result<T>) -> Result<T> {
        let connection = self.connection()?;
        let open = connection.open.as_ref().expect("a loaned connection is present");
        let _writing = matches!(open, Open::Sqlite(_)).then(|| self.writing.lock());
        statement(open.conn())
    }

    fn connection(&self) -> Result<Pooled<'_>> {
        let max_open = match self.backend {
            Backend::Sqlite { .. } => usize::MAX,
            Backend::Postgres { .. } => MAX_POSTGRES_CONNECTIONS,
        };
        let deadline = Instant::now() + BUSY_TIMEOUT;
        let mut pool = self.pool.lock();
        loop {
            if let Some(open) = pool.idle.pop() {
                return Ok(Pooled { store: self, open: Some(open) });
            }
            if pool.n_open < max_open {
                pool.n_open += 1;
                break;
            }
            if self.freed.wait_until(&mut pool, deadline).timed_out() {
                return Err(Error::Unavailable("every connection to the state database is busy; try again".into()));
            }
        }
        drop(pool);
        match self.connect() {
            Ok(open) => Ok(Pooled { store: self, open: Some(open) }),
            Err(err) => {
                self.pool.lock().n_open -= 1;
                self.freed.notify_one();
                Err(err)
            }
        }
    }

    fn connect(&self) -> Result<Open> {
        match &self.backend {
            Backend::Sqlite { path } => {
                // No URI flag: a data folder named `file:…` is a folder, not a URI.
                let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let connection = Connection::open_with_flags(path, flags)?;
                connection.busy_timeout(BUSY_TIMEOUT)?;
                connection.set_prepared_statement_cache_capacity(64);
                // Per connection in SQLite: without it, REFERENCES clauses are only documentation.
                connection.execute_batch("PRAGMA foreign_keys = ON")?;
                Ok(Open::Sqlite(connection))
            }
            Backend::Postgres { config, .. } => Ok(Open::Postgres(PgConnection::connect(config)?)),
        }
    }
}

// Rolls back a PostgreSQL transaction that did not commit.
struct RollbackGuard<'a> {
    connection: &'a PgConnection,
    done: bool,
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if !self.done
            && let Err(err) = self.connection.batch("ROLLBACK")
        {
            tracing::warn!(error = %err, "rolling back a state transaction failed; closing its connection");
            self.connection.mark_broken();
        }
    }
}

// WAL mode, then the newest schema.
fn prepare(connection: &mut Connection, name: &str) -> Result<()> {
    // WAL is a property of the file: set once, every later connection (and process) uses it.
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "the state database could not switch to WAL mode; readers may wait for writers");
    }
    schema::migrate(connection, name)
}

/// One write transaction (see [`StateStore::write`]); its methods read and change the state.
pub struct Transaction<'a> {
    conn: Conn<'a>,
}

impl Transaction<'_> {
    /// A value the store keeps about itself, by key.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        meta(self.conn, key)
    }

    /// Sets a value the store keeps about itself.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO state_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn meta(conn: Conn<'_>, key: &str) -> Result<Option<String>> {
    conn.query_opt("SELECT value FROM state_meta WHERE key = ?1", params![key], |row| row.get(0))
}

/// A connection on loan from the store's pool; goes back when dropped.
struct Pooled<'a> {
    store: &'a StateStore,
    open: Option<Open>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(open) = self.open.take() else { return };
        let broken = matches!(&open, Open::Postgres(connection) if connection.is_broken());
        let mut pool = self.store.pool.lock();
        if !broken && pool.idle.len() < MAX_IDLE_CONNECTIONS {
            pool.idle.push(open);
        } else {
            pool.n_open -= 1;
        }
        drop(pool);
        self.store.freed.notify_one();
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

/// The PostgreSQL server the unit tests start (shared with the integration tests' helpers).
#[cfg(test)]
#[path = "../../tests/common/postgres.rs"]
pub(crate) mod test_postgres;

/// Runs each test on a fresh store of each engine: `fn name(store) { … }` becomes the tests `name::sqlite` and
/// `name::postgres`, with `store: &StateStore` in scope.
#[cfg(test)]
macro_rules! on_both_engines {
    ($(fn $name:ident($store:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($store: &$crate::state::StateStore) $body

            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                run(&$crate::state::StateStore::open(dir.path()).unwrap());
            }

            #[test]
            fn postgres() {
                let url = $crate::state::PostgresUrl::parse(&$crate::state::test_postgres::database_url()).unwrap();
                run(&$crate::state::StateStore::open_postgres(&url).unwrap());
            }
        }
    )*};
}
#[cfg(test)]
pub(crate) use on_both_engines;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_is_created_private_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        let mode: String =
            store.run(|conn| conn.query_one("PRAGMA journal_mode", params![], |row| row.get(0))).unwrap();
        assert_eq!(mode, "wal");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "lore.db is readable by others: {mode:o}");
        }
    }

    #[test]
    fn a_postgres_url_is_shown_without_its_password() {
        let url = PostgresUrl::parse("postgres://ann:s3cret@db.example.com:5433/lore?password=again").unwrap();
        assert_eq!(url.redacted(), "postgres://ann@db.example.com:5433/lore?password=%E2%80%A6");
        assert!(!format!("{url:?}").contains("s3cret"));
        for bad in ["mysql://db/lore", "lore.db", "postgres://db/lore?sslmode=bogus"] {
            let err = PostgresUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains("state:"), "{err}");
        }
    }

    on_both_engines! {
        fn meta_values_are_set_and_replaced(store) {
            assert_eq!(store.meta("imported").unwrap(), None);
            store.write(|it| it.set_meta("imported", "1")).unwrap();
            store.write(|it| it.set_meta("imported", "2")).unwrap();
            assert_eq!(store.meta("imported").unwrap().as_deref(), Some("2"));
        }

        fn a_failed_change_leaves_nothing_behind(store) {
            let failed: Result<()> = store.write(|it| {
                it.set_meta("half", "done")?;
                Err(Error::bad_input("changed my mind"))
            });
            assert!(failed.is_err());
            assert_eq!(store.meta("half").unwrap(), None);
            store.write(|it| it.set_meta("after", "ok")).unwrap();
            assert_eq!(store.meta("after").unwrap().as_deref(), Some("ok"), "the connection came back unusable");
        }

        fn a_panicking_change_leaves_nothing_behind_and_the_store_keeps_working(store) {
            let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.write(|it| -> Result<()> {
                    it.set_meta("half", "done")?;
                    panic!("a bug in the middle of a change");
                })
            }));
            assert!(panicked.is_err());
            for _ in 0..(MAX_IDLE_CONNECTIONS + 1) {
                assert_eq!(store.meta("half").unwrap(), None);
            }
            store.write(|it| it.set_meta("after", "ok")).unwrap();
        }

        fn changes_from_many_threads_take_turns_and_none_is_lost(store) {
            store.write(|it| it.set_meta("counter", "0")).unwrap();
            std::thread::scope(|scope| {
                for _ in 0..4 {
                    scope.spawn(|| {
                        for _ in 0..10 {
                            store
                                .write(|it| {
                                    let n: u32 = it.meta("counter")?.unwrap_or_default().parse().unwrap();
                                    it.set_meta("counter", &(n + 1).to_string())
                                })
                                .unwrap();
                        }
                    });
                }
            });
            assert_eq!(store.meta("counter").unwrap().as_deref(), Some("40"));
        }
    }
}
