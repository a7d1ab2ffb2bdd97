//! The two engines the state store runs on, and the little the rest of `state` needs from them: one
//! statement with parameters, the rows it returns, transactions and a pool of open connections.
//!
//! - SQLite (`rusqlite`): the embedded default, `<data>/lore.db`.
//! - PostgreSQL (`tokio-postgres`): one database that several Lore nodes share (`state: postgres://…`).
//!
//! SQL is written once, portably, with SQLite's numbered placeholders (`?1`); PostgreSQL gets them as `$1`. A
//! parameter is a [`Param`] (text, integer, boolean or null) that each engine binds as the column's own type,
//! and a row is read with [`Row::get`] into `String`, `i64`, `bool` or their `Option`s, which both engines
//! convert alike.
//!
//! Why `tokio-postgres` and not the blocking `postgres` crate or `sqlx`: the state store is synchronous and
//! is called from async handlers as well as from threads. The `postgres` crate drives its connection with a
//! runtime of its own per call, which tokio forbids inside a runtime's worker; `sqlx` is async throughout and
//! compiles much more. Here each connection's socket is driven by one small runtime thread of the store's own
//! (`postgres`), and a call waits for its answer by parking the calling thread, exactly as a SQLite call
//! blocks it on the file: no tokio context is needed by the caller, and none is disturbed.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::{Error, Result};

/// A statement parameter: what the portable SQL binds.
#[derive(Debug, Clone, Copy)]
pub(super) enum Param<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    Null,
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Param<'a> {
        Param::Text(value)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(value: &'a String) -> Param<'a> {
        Param::Text(value)
    }
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

impl From<bool> for Param<'_> {
    fn from(value: bool) -> Self {
        Param::Bool(value)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Param::Null, Param::Int)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Param<'a> {
        value.map_or(Param::Null, Param::Text)
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(value: &'a Option<String>) -> Param<'a> {
        value.as_deref().map_or(Param::Null, Param::Text)
    }
}

/// The parameters of one statement: `params![username, time]`.
macro_rules! params {
    ($($param:expr),* $(,)?) => {
        &[$($crate::state::db::Param::from($param)),*] as &[$crate::state::db::Param<'_>]
    };
}
pub(super) use params;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Param::Int(value) => ToSqlOutput::Owned(Value::Integer(value)),
            Param::Bool(value) => ToSqlOutput::Owned(Value::Integer(i64::from(value))),
            Param::Null => ToSqlOutput::Owned(Value::Null),
        })
    }
}

// PostgreSQL types each parameter from where it stands (`?2 = 0` makes an `int4`); a parameter is encoded as
// whatever type the server chose, when its value fits.
impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Text(text) => text.to_sql(ty, out),
            Param::Int(value) => match *ty {
                Type::INT8 => value.to_sql(ty, out),
                Type::INT4 => i32::try_from(value)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(value)?.to_sql(ty, out),
                Type::BOOL => (value != 0).to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound as {ty}").into()),
            },
            Param::Bool(value) => match *ty {
                Type::BOOL => value.to_sql(ty, out),
                Type::INT8 => i64::from(value).to_sql(ty, out),
                Type::INT4 => i32::from(value).to_sql(ty, out),
                Type::INT2 => i16::from(value).to_sql(ty, out),
                _ => Err(format!("a boolean cannot be bound as {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column type both engines read alike: `String`, `i64`, `bool` and their `Option`s.
pub(super) trait Column: rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a> {}

impl<T> Column for T where T: rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a> {}

/// One row of a result.
pub(super) enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r tokio_postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0).
    pub fn get<T: Column>(&self, index: usize) -> Result<T> {
        match self {
            Row::Sqlite(row) => Ok(row.get(index)?),
            Row::Postgres(row) => row.try_get(index).map_err(postgres_error),
        }
    }
}

/// An open connection of either engine, on loan: statements run on it one at a time.
#[derive(Clone, Copy)]
pub(super) enum Conn<'c> {
    Sqlite(&'c rusqlite::Connection),
    Postgres(&'c PgConnection),
}

impl Conn<'_> {
    /// Runs a statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize> {
        match self {
            Conn::Sqlite(connection) => {
                Ok(connection.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))?)
            }
            Conn::Postgres(connection) => {
                let statement = connection.statement(sql)?;
                let n = connection.wait(connection.client.execute(&statement, &pg_params(params)))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Every row a query returns, each read by `read`.
    pub fn query<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut read: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Conn::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(params))?;
                let mut res = Vec::new();
                while let Some(row) = rows.next()? {
                    res.push(read(&Row::Sqlite(row))?);
                }
                Ok(res)
            }
            Conn::Postgres(connection) => {
                let statement = connection.statement(sql)?;
                let rows = connection.wait(connection.client.query(&statement, &pg_params(params)))?;
                rows.iter().map(|row| read(&Row::Postgres(row))).collect()
            }
        }
    }

    /// The first row a query returns, read by `read`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        read: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut read = Some(read);
        let mut rows = self.query(sql, params, |row| match read.take() {
            Some(read) => read(row).map(Some),
            None => Ok(None),
        })?;
        Ok(if rows.is_empty() { None } else { rows.swap_remove(0) })
    }

    /// The one row a query returns (an aggregate), read by `read`.
    pub fn query_one<T>(&self, sql: &str, params: &[Param<'_>], read: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.query_opt(sql, params, read)?.ok_or_else(|| Error::Database(format!("no row from {sql}")))
    }
}

fn pg_params<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|it| it as &(dyn ToSql + Sync)).collect()
}

// ---- PostgreSQL ----

/// How long a PostgreSQL statement may run (or wait for a lock) before it is cancelled and the request gets
/// a 503 instead of hanging.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting to PostgreSQL may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection; the store has a few dozen distinct ones.
const MAX_STATEMENTS: usize = 256;

/// One PostgreSQL connection, with its prepared statements by SQL text.
pub(super) struct PgConnection {
    client: tokio_postgres::Client,
    statements: Mutex<HashMap<String, tokio_postgres::Statement>>,
    broken: AtomicBool,
}

impl PgConnection {
    /// Opens a connection; its socket is driven by the store's runtime thread.
    pub fn connect(config: &tokio_postgres::Config) -> Result<PgConnection> {
        let mut config = config.clone();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.keepalives_idle(Duration::from_secs(30));
        let handle = runtime().spawn(async move {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(error = %err, "a PostgreSQL connection ended");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        });
        let client = match block_on(handle) {
            Ok(res) => res.map_err(postgres_error)?,
            Err(err) => return Err(Error::Unavailable(format!("connecting to the state database: {err}"))),
        };
        let connection =
            PgConnection { client, statements: Mutex::new(HashMap::new()), broken: AtomicBool::new(false) };
        let timeout = STATEMENT_TIMEOUT.as_millis();
        connection.batch(&format!("SET statement_timeout = {timeout}; SET lock_timeout = {timeout}"))?;
        Ok(connection)
    }

    /// Runs SQL text of one or more statements without parameters (migrations, `BEGIN`, `COMMIT`).
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.wait(self.client.batch_execute(sql))
    }

    /// Whether the connection is not worth keeping: the server closed it, or it was left in a state nobody
    /// could clean up.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed) || self.client.is_closed()
    }

    /// Marks the connection as not worth keeping.
    pub fn mark_broken(&self) {
        self.broken.store(true, Ordering::Relaxed);
    }

    fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement> {
        if let Some(statement) = self.statements.lock().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.wait(self.client.prepare(&numbered_placeholders(sql)))?;
        let mut statements = self.statements.lock();
        if statements.len() >= MAX_STATEMENTS {
            statements.clear();
        }
        statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn wait<T>(&self, future: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>) -> Result<T> {
        block_on(future).map_err(postgres_error)
    }
}

/// What PostgreSQL's errors mean to Lore: a server that is gone or busy is worth a retry (503), anything
/// else is a database error.
pub(super) fn postgres_error(err: tokio_postgres::Error) -> Error {
    use tokio_postgres::error::SqlState;
    let code = err.code().cloned();
    // No SQL state at all: the connection itself failed (refused, reset, timed out, closed).
    let retryable = err.is_closed()
        || std::error::Error::source(&err).is_some_and(|source| source.is::<std::io::Error>())
        || match &code {
            Some(code) => {
                code.code().starts_with("08")
                    || [
                        SqlState::QUERY_CANCELED,
                        SqlState::LOCK_NOT_AVAILABLE,
                        SqlState::T_R_SERIALIZATION_FAILURE,
                        SqlState::T_R_DEADLOCK_DETECTED,
                        SqlState::ADMIN_SHUTDOWN,
                        SqlState::CANNOT_CONNECT_NOW,
                        SqlState::TOO_MANY_CONNECTIONS,
                    ]
                    .contains(code)
            }
            None => err.to_string().contains("timeout") || err.to_string().contains("connect"),
        };
    let detail = match err.as_db_error() {
        Some(db) => db.message().to_string(),
        None => err.to_string(),
    };
    if retryable {
        tracing::warn!(error = %detail, "the state database is unavailable");
        Error::Unavailable("the state database is unavailable; try again".into())
    } else {
        Error::Database(detail)
    }
}

// `?12` → `$12`, outside quoted strings and identifiers.
fn numbered_placeholders(sql: &str) -> String {
    let mut res = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for it in sql.chars() {
        match quote {
            Some(open) if it == open => quote = None,
            Some(_) => {}
            None if it == '\'' || it == '"' => quote = Some(it),
            None if it == '?' => {
                res.push('$');
                continue;
            }
            None => {}
        }
        res.push(it);
    }
    res
}

// The runtime whose one thread drives every PostgreSQL connection's socket. It lives as long as the process:
// a runtime may not be dropped inside another's worker, and connections outlive any one caller.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("postgres")
            .enable_all()
            .build()
            .expect("the operating system lets a process start a thread")
    })
}

// Waits for a future on the calling thread, parking it until the future's waker says there is progress. The
// futures waited for here (a client's requests and their answers) only exchange messages with the connection
// task on the store's runtime, so they need no runtime of their own.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(res) => return res,
            Poll::Pending => std::thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(sql: &str, expected: &str) {
        assert_eq!(numbered_placeholders(sql), expected);
    }

    #[test]
    fn placeholders_are_numbered_the_postgres_way_outside_quotes() {
        check("SELECT a FROM t WHERE b = ?1 AND c < ?12", "SELECT a FROM t WHERE b = $1 AND c < $12");
        check("SELECT '?1', \"?2\" FROM t WHERE x = ?3", "SELECT '?1', \"?2\" FROM t WHERE x = $3");
        check("WHERE s IN ('sending', 'retry') AND l < ?2", "WHERE s IN ('sending', 'retry') AND l < $2");
    }
}
