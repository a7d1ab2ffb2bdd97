//! Copies of the state database for backups: SQLite's online backup API, or `pg_dump` for a PostgreSQL
//! database, takes one consistent moment of the database while the servers and the command line keep writing,
//! and a restored copy is checked before use (`pg_restore` loads a dump into an empty database only).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{BUSY_TIMEOUT, FILE, PostgresUrl, StateStore, create_private};
use crate::{Error, Result};

/// Copies `<data_dir>/lore.db` to `dest` (a new file, readable only by its owner) as it is at one moment;
/// returns the copy's size in bytes. The copy is a single file (no write-ahead log beside it).
pub fn backup_database(data_dir: &Path, dest: &Path) -> Result<u64> {
    let source_path = data_dir.join(FILE);
    if !source_path.is_file() {
        return Err(Error::NotFound(format!("state database {}", source_path.display())));
    }
    let source = Connection::open_with_flags(&source_path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    source.busy_timeout(BUSY_TIMEOUT)?;
    create_private(dest)?;
    let mut copy = Connection::open(dest)?;
    {
        let backup = Backup::new(&source, &mut copy)?;
        // All pages in one step: a copy made in several steps starts over whenever another process writes
        // between them, which a busy server does all the time. One step holds a read snapshot of the WAL
        // database, which never stops a writer.
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => continue,
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => return Err(Error::Unavailable("the state database stayed locked; try the backup again".into())),
            }
        }
    }
    // The source's header says WAL; the copy goes back to a rollback journal so that it is one file.
    let _: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0))?;
    drop(copy);
    Ok(std::fs::metadata(dest)?.len())
}

/// Checks the state database of a data folder (one just restored): SQLite finds its file sound, and the
/// schema is one this Lore knows (brought up to date, as the next start would).
pub fn check_database(data_dir: &Path) -> Result<()> {
    let store = StateStore::open(data_dir)?;
    let verdict: String = store.run(|conn| conn.query_one("PRAGMA quick_check", &[], |row| row.get(0)))?;
    if verdict != "ok" {
        return Err(Error::Database(format!("{} is damaged: {verdict}", store.describe())));
    }
    Ok(())
}

/// Dumps the PostgreSQL state database at `url` into `dest` (a new file, readable only by its owner) with
/// `pg_dump`: its custom format, one consistent snapshot taken in a single transaction while the servers keep
/// writing. Returns the dump's size in bytes.
pub fn dump_postgres(url: &PostgresUrl, dest: &Path) -> Result<u64> {
    create_private(dest)?;
    let output = pg_command("pg_dump", url)
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(dest)
        .output()
        .map_err(|err| missing_tool("pg_dump", err))?;
    if !output.status.success() {
        return Err(Error::Database(format!(
            "pg_dump of {} failed: {}",
            url.redacted(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(std::fs::metadata(dest)?.len())
}

/// Loads a dump made by [`dump_postgres`] into the PostgreSQL database at `url`, which must hold no Lore state
/// yet (a restore never mixes into a live database), in one transaction with `pg_restore`; then checks that
/// this Lore can open it (a dump from a newer Lore is refused, as its database would be).
pub fn load_postgres(dump: &Path, url: &PostgresUrl) -> Result<()> {
    let output = pg_command("psql", url)
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", "SELECT to_regclass('lore_schema') IS NOT NULL"])
        .output()
        .map_err(|err| missing_tool("psql", err))?;
    if !output.status.success() {
        return Err(Error::Database(format!(
            "{} cannot be read: {}",
            url.redacted(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    if String::from_utf8_lossy(&output.stdout).trim() != "f" {
        return Err(Error::bad_input(format!(
            "{} already holds Lore's state: restore into a new, empty database (createdb) and point state: at it",
            url.redacted()
        )));
    }
    let output = pg_command("pg_restore", url)
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
        .arg(dump)
        .output()
        .map_err(|err| missing_tool("pg_restore", err))?;
    if !output.status.success() {
        return Err(Error::Database(format!(
            "pg_restore into {} failed (nothing was loaded): {}",
            url.redacted(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    StateStore::open_postgres(url)?;
    Ok(())
}

// A PostgreSQL client tool for the database at `url`: the URL goes on its command line without the password,
// which travels in `PGPASSWORD` (the process list shows command lines, not environments).
fn pg_command(tool: &str, url: &PostgresUrl) -> Command {
    let (without_password, password) = split_password(url.as_str());
    let mut command = Command::new(tool);
    command.arg(format!("--dbname={without_password}")).env_remove("PGSERVICE").stdin(Stdio::null());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command
}

// `postgres://ann:secret@db/lore` → (`postgres://ann@db/lore`, `secret`); a `password=` query pair counts too.
// Percent-decoded as libpq does (a `+` stays a plus).
fn split_password(text: &str) -> (String, Option<String>) {
    let decode = |it: &str| percent_encoding::percent_decode_str(it).decode_utf8_lossy().into_owned();
    let Ok(mut url) = url::Url::parse(text) else { return (text.to_string(), None) };
    let mut password = url.password().map(decode);
    let _ = url.set_password(None);
    if let Some(query) = url.query().map(str::to_string) {
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("password", value)) => password = Some(decode(value)),
                _ => kept.push(pair),
            }
        }
        url.set_query((!kept.is_empty()).then(|| kept.join("&")).as_deref());
    }
    (url.to_string(), password)
}

fn missing_tool(tool: &str, err: std::io::Error) -> Error {
    Error::Unavailable(format!(
        "{tool} could not run ({err}): install PostgreSQL's client tools (Debian: postgresql-client)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_command_line() {
        assert_eq!(
            split_password("postgres://ann:s%40cret@db:5432/lore"),
            ("postgres://ann@db:5432/lore".to_string(), Some("s@cret".to_string()))
        );
        assert_eq!(
            split_password("postgres://ann@db/lore?password=x+y&sslmode=disable"),
            ("postgres://ann@db/lore?sslmode=disable".to_string(), Some("x+y".to_string()))
        );
        assert_eq!(split_password("postgres://ann@db/lore"), ("postgres://ann@db/lore".to_string(), None));
    }
}
