//! Login sessions, by the SHA-256 of their id (the id itself lives only in the browser's cookie).

use super::db::{Row, params};
use super::{StateStore, Transaction, from_sql_int, to_sql_int};
use crate::Result;

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hex SHA-256 of the session id.
    pub id_sha256: String,
    pub username: String,
    /// The account's session epoch when the session began.
    pub epoch: u64,
    pub created_at: i64,
    pub expires_at: i64,
}

impl StateStore {
    /// The session whose id hashes to `id_sha256`, if it has not expired by `now`.
    pub fn session(&self, id_sha256: &str, now: i64) -> Result<Option<SessionRecord>> {
        self.run(|conn| {
            conn.query_opt(
                "SELECT id_sha256, username, epoch, created_at, expires_at FROM sessions \
                 WHERE id_sha256 = ?1 AND expires_at > ?2",
                params![id_sha256, now],
                session_from_row,
            )
        })
    }

    /// How many sessions are live at `now`.
    pub fn count_sessions(&self, now: i64) -> Result<usize> {
        self.run(|conn| {
            let count: i64 =
                conn.query_one("SELECT COUNT(*) FROM sessions WHERE expires_at > ?1", params![now], |row| row.get(0))?;
            Ok(usize::try_from(count).unwrap_or(0))
        })
    }

    /// Ends the session whose id hashes to `id_sha256`; `false` when there was none.
    pub fn delete_session(&self, id_sha256: &str) -> Result<bool> {
        self.run_write(|conn| Ok(conn.execute("DELETE FROM sessions WHERE id_sha256 = ?1", params![id_sha256])? > 0))
    }
}

impl Transaction<'_> {
    /// Adds a session; its account must exist.
    pub fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sessions (id_sha256, username, epoch, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                &session.id_sha256,
                &session.username,
                to_sql_int(session.epoch),
                session.created_at,
                session.expires_at,
            ],
        )?;
        Ok(())
    }

    /// Forgets the sessions that expired by `now`.
    pub fn delete_expired_sessions(&self, now: i64) -> Result<usize> {
        self.conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])
    }
}

fn session_from_row(row: &Row<'_>) -> Result<SessionRecord> {
    Ok(SessionRecord {
        id_sha256: row.get(0)?,
        username: row.get(1)?,
        epoch: from_sql_int(row.get(2)?),
        created_at: row.get(3)?,
        expires_at: row.get(4)?,
    })
}
