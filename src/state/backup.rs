//! Copies of the state database for backups: SQLite's online backup API takes one consistent moment of the
//! database while the server and the command line keep writing, and a restored copy is checked before use.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{BUSY_TIMEOUT, FILE, StateStore, create_private};
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
