//! Who holds a claim, and whether they are still alive. Each process that sends (the server, `lore digest`)
//! registers an owner: a random id and a lock file `<data>/delivery/<id>.lock` that it holds locked for as long
//! as it runs. The operating system drops the lock when the process dies, even by `kill -9`, so a lock file
//! that another process can lock belongs to a process that is gone: its claims are released at once instead of
//! when their leases run out. Processes that cannot see each other's lock files still have the leases.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::Result;
use crate::state::StateStore;

const FOLDER: &str = "delivery";
const EXTENSION: &str = "lock";

/// This process's claim identity, alive while the value lives.
pub struct Owner {
    id: String,
    path: PathBuf,
    // Held locked until drop.
    _file: File,
}

impl Owner {
    /// Makes a new owner and takes its lock file.
    pub fn register(data_dir: &Path) -> Result<Owner> {
        let folder = data_dir.join(FOLDER);
        std::fs::create_dir_all(&folder)?;
        let id = crate::auth::random_hex(8);
        // Locked under a temporary name, then renamed: nobody ever sees the file unlocked and takes it for dead.
        let temporary = folder.join(format!("{id}.new"));
        let file = OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.lock()?;
        let path = folder.join(format!("{id}.{EXTENSION}"));
        std::fs::rename(&temporary, &path)?;
        Ok(Owner { id, path, _file: file })
    }

    /// The id claims carry.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Releases the claims of every owner whose process is gone, and forgets its lock file; returns how many
    /// claims were released.
    pub fn release_dead(&self, state: &StateStore) -> Result<usize> {
        let folder = self.path.parent().expect("a lock file is in the delivery folder").to_path_buf();
        let mut n = 0;
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            let Some(id) = dead_owner(&path, &self.id) else { continue };
            let released = state.write(|tx| tx.release_claims(&id))?;
            if released > 0 {
                tracing::info!(owner = id, claims = released, "released the claims of a stopped process");
            }
            n += released;
            let _ = std::fs::remove_file(&path);
        }
        Ok(n)
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

// The owner id of a lock file nobody holds (its process is gone), other than our own.
fn dead_owner(path: &Path, own: &str) -> Option<String> {
    if path.extension().and_then(|it| it.to_str()) != Some(EXTENSION) {
        return None;
    }
    let id = path.file_stem()?.to_str()?.to_string();
    if id == own {
        return None;
    }
    let file = OpenOptions::new().write(true).open(path).ok()?;
    // Locked by us means unlocked by everyone else: the holder is gone. Dropping `file` unlocks it again.
    file.try_lock().ok().map(|()| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_owner_is_not_taken_for_dead_and_a_dropped_one_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateStore::open(dir.path()).unwrap();
        let first = Owner::register(dir.path()).unwrap();
        let second = Owner::register(dir.path()).unwrap();
        assert_eq!(first.release_dead(&state).unwrap(), 0);
        assert!(second.path.exists(), "a live owner's lock file was removed");
        // A process killed without running drop leaves its file behind, unlocked: simulate with a copy.
        let stale = dir.path().join(FOLDER).join(format!("0123456789abcdef.{EXTENSION}"));
        std::fs::write(&stale, b"").unwrap();
        first.release_dead(&state).unwrap();
        assert!(!stale.exists(), "a dead owner's lock file stayed");
        assert!(second.path.exists());
    }
}
