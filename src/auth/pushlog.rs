//! Who pushed which commit. A push keeps git's own author lines (someone may push a colleague's commits), so
//! Lore records the account that pushed each commit in `<data>/pushlog.jsonl`, one line per push, and history
//! shows "pushed by".

use parking_lot::RwLock;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::now;
use crate::Result;
use crate::store::ObjectId;

const FILE: &str = "pushlog.jsonl";

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    time: i64,
    username: String,
    commits: Vec<ObjectId>,
}

pub struct PushLog {
    path: PathBuf,
    pusher_by_commit: RwLock<HashMap<ObjectId, String>>,
}

impl PushLog {
    pub fn open(data_dir: &Path) -> Result<PushLog> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(FILE);
        let mut pusher_by_commit = HashMap::new();
        if let Ok(file) = std::fs::File::open(&path) {
            // A line cut short by a crash is skipped, not fatal.
            for line in std::io::BufReader::new(file).lines().map_while(std::io::Result::ok) {
                if let Ok(entry) = serde_json::from_str::<Entry>(&line) {
                    for commit in entry.commits {
                        pusher_by_commit.insert(commit, entry.username.clone());
                    }
                }
            }
        }
        Ok(PushLog { path, pusher_by_commit: RwLock::new(pusher_by_commit) })
    }

    /// Records that `username` pushed `commits`.
    pub fn record(&self, username: &str, commits: Vec<ObjectId>) -> Result<()> {
        if commits.is_empty() {
            return Ok(());
        }
        let entry = Entry { time: now(), username: username.to_string(), commits };
        let mut line = serde_json::to_string(&entry).map_err(|err| crate::Error::Repository(err.to_string()))?;
        line.push('\n');
        let mut pushers = self.pusher_by_commit.write();
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
        file.write_all(line.as_bytes())?;
        for commit in entry.commits {
            pushers.entry(commit).or_insert_with(|| username.to_string());
        }
        Ok(())
    }

    /// The account that pushed a commit, if it came by an authenticated push.
    pub fn pusher(&self, commit: ObjectId) -> Option<String> {
        self.pusher_by_commit.read().get(&commit).cloned()
    }
}
