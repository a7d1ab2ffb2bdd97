//! The files older versions of Lore kept in the data folder (`accounts.json`, `token-usage.json`,
//! `sessions.json`, `pushlog.jsonl`), imported into the state database on the first start that finds them.
//!
//! Nothing is lost: every account with its password hash, groups and session epoch, every token's hash and
//! last use, every live session and every push-log line arrive unchanged, so old passwords, tokens and login
//! cookies keep working. The import is one transaction that also records that it happened; only after it
//! commits are the files renamed to `<name>.migrated` (kept, not deleted). A crash before the commit leaves
//! nothing imported and the files in place; a crash after it leaves files that the next start renames without
//! importing them again.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::accounts::User;
use super::now;
use crate::state::{SessionRecord, StateStore, TokenRecord, Transaction};
use crate::store::ObjectId;
use crate::{Error, Result};

const ACCOUNTS_FILE: &str = "accounts.json";
const TOKEN_USAGE_FILE: &str = "token-usage.json";
const SESSIONS_FILE: &str = "sessions.json";
const PUSH_LOG_FILE: &str = "pushlog.jsonl";
/// Every file an older Lore kept, in the order they are imported.
const FILES: [&str; 4] = [ACCOUNTS_FILE, TOKEN_USAGE_FILE, SESSIONS_FILE, PUSH_LOG_FILE];
/// What older versions left beside those files and nothing reads any more.
const LEFTOVERS: [&str; 4] = ["accounts.lock", "accounts.json.tmp", "token-usage.json.tmp", "sessions.json.tmp"];
/// The state database's note that the files were imported (its value: when).
const IMPORTED: &str = "imported_json_files";
/// What a migrated file is renamed to: `<name>.migrated`.
pub const MIGRATED_SUFFIX: &str = ".migrated";

/// `accounts.json` as older versions wrote it.
#[derive(Debug, Default, Deserialize)]
struct AccountsFile {
    #[serde(default)]
    users: BTreeMap<String, User>,
    #[serde(default)]
    tokens: BTreeMap<String, TokenEntry>,
}

#[derive(Debug, Deserialize)]
struct TokenEntry {
    username: String,
    name: String,
    sha256: String,
    created_at: i64,
}

/// One line of `pushlog.jsonl`.
#[derive(Debug, Deserialize)]
struct PushEntry {
    time: i64,
    username: String,
    commits: Vec<ObjectId>,
}

/// A session of `sessions.json`, keyed there by the SHA-256 of its id.
#[derive(Debug, Deserialize)]
struct SessionEntry {
    username: String,
    epoch: u64,
    created_at: i64,
    expires_at: i64,
}

/// Everything read from the old files, ready to be written in one transaction.
#[derive(Debug, Default)]
struct OldFiles {
    accounts: AccountsFile,
    token_usage: BTreeMap<String, i64>,
    sessions: BTreeMap<String, SessionEntry>,
    pushes: Vec<PushEntry>,
}

/// Imports the old files in `data_dir` into `state` once, then renames them; does nothing when there are none.
pub(crate) fn import(state: &StateStore, data_dir: &Path) -> Result<()> {
    let present: Vec<&str> = FILES.into_iter().filter(|name| data_dir.join(name).exists()).collect();
    if present.is_empty() {
        return Ok(());
    }
    let imported = if state.meta(IMPORTED)?.is_some() {
        false
    } else {
        // Read before the transaction starts: it holds the write lock, which must stay short.
        let old = OldFiles::read(data_dir)?;
        let imported = state.write(|tx| {
            // Another process (the command line and the server starting together) may have won the race.
            if tx.meta(IMPORTED)?.is_some() {
                return Ok(false);
            }
            old.write_into(tx)?;
            tx.set_meta(IMPORTED, &now().to_string())?;
            Ok(true)
        });
        let imported = imported.map_err(|err| {
            Error::Database(format!(
                "importing the account files of an older Lore from {} failed; nothing was imported and the files \
                 are left as they are: {err}",
                data_dir.display()
            ))
        })?;
        if imported {
            tracing::info!(
                accounts = old.accounts.users.len(),
                tokens = old.accounts.tokens.len(),
                sessions = old.sessions.len(),
                pushes = old.pushes.len(),
                "imported the account files of an older Lore into {}",
                state.describe()
            );
        }
        imported
    };
    if !imported {
        tracing::info!("the account files in {} were imported before; renaming them now", data_dir.display());
    }
    for name in present {
        let from = data_dir.join(name);
        let to = data_dir.join(format!("{name}{MIGRATED_SUFFIX}"));
        match std::fs::rename(&from, &to) {
            Ok(()) => {}
            // Another process renamed it first.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err.into()),
        }
    }
    for name in LEFTOVERS {
        let _ = std::fs::remove_file(data_dir.join(name));
    }
    Ok(())
}

impl OldFiles {
    fn read(data_dir: &Path) -> Result<OldFiles> {
        let accounts = match std::fs::read(data_dir.join(ACCOUNTS_FILE)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| {
                Error::Repository(format!("{} is damaged: {err}", data_dir.join(ACCOUNTS_FILE).display()))
            })?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => AccountsFile::default(),
            Err(err) => return Err(err.into()),
        };
        // Older versions read these two leniently (a damaged file counted as empty), and so does the import.
        let token_usage = read_lenient(&data_dir.join(TOKEN_USAGE_FILE));
        let sessions = read_lenient(&data_dir.join(SESSIONS_FILE));
        let mut pushes = Vec::new();
        if let Ok(file) = std::fs::File::open(data_dir.join(PUSH_LOG_FILE)) {
            // A line cut short by a crash is skipped, as older versions did.
            for line in std::io::BufReader::new(file).lines().map_while(std::io::Result::ok) {
                match serde_json::from_str::<PushEntry>(&line) {
                    Ok(entry) => pushes.push(entry),
                    Err(err) => tracing::warn!(error = %err, "skipping a damaged line of {PUSH_LOG_FILE}"),
                }
            }
        }
        Ok(OldFiles { accounts, token_usage, sessions, pushes })
    }

    fn write_into(&self, tx: &Transaction<'_>) -> Result<()> {
        for user in self.accounts.users.values() {
            tx.insert_account(&user.to_record())?;
        }
        for (id, token) in &self.accounts.tokens {
            // A token or session of an account that is gone never worked; the database would refuse it.
            if !self.accounts.users.contains_key(&token.username) {
                tracing::warn!(id, username = token.username, "skipping a token of an account that does not exist");
                continue;
            }
            tx.insert_token(&TokenRecord {
                id: id.clone(),
                username: token.username.clone(),
                name: token.name.clone(),
                sha256: token.sha256.clone(),
                created_at: token.created_at,
                last_used_at: self.token_usage.get(id).copied(),
            })?;
        }
        let time = now();
        for (id_sha256, session) in &self.sessions {
            if session.expires_at <= time || !self.accounts.users.contains_key(&session.username) {
                continue;
            }
            tx.insert_session(&SessionRecord {
                id_sha256: id_sha256.clone(),
                username: session.username.clone(),
                epoch: session.epoch,
                created_at: session.created_at,
                expires_at: session.expires_at,
            })?;
        }
        for push in &self.pushes {
            let commits: Vec<String> = push.commits.iter().map(ObjectId::to_string).collect();
            tx.record_push(&push.username, push.time, &commits)?;
        }
        Ok(())
    }
}

fn read_lenient<T: serde::de::DeserializeOwned + Default>(path: &Path) -> T {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::warn!(error = %err, "{} is damaged; importing nothing from it", path.display());
            T::default()
        }),
        Err(_) => T::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn user(username: &str) -> User {
        User {
            username: username.into(),
            name: username.into(),
            email: format!("{username}@example.com"),
            role: Role::Editor,
            groups: Vec::new(),
            password_hash: None,
            disabled: false,
            session_epoch: 0,
            created_at: 0,
            language: None,
        }
    }

    #[test]
    fn an_import_that_fails_halfway_leaves_nothing_and_the_files_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateStore::open(dir.path()).unwrap();
        // The database already knows an account the file holds too: the second insert fails.
        state.write(|tx| tx.insert_account(&user("bob").to_record())).unwrap();
        let file = serde_json::json!({"users": {"ann": user("ann"), "bob": user("bob")}});
        std::fs::write(dir.path().join(ACCOUNTS_FILE), file.to_string()).unwrap();
        std::fs::write(dir.path().join(PUSH_LOG_FILE), "").unwrap();
        let err = import(&state, dir.path()).unwrap_err();
        assert!(err.to_string().contains("nothing was imported"), "{err}");
        assert_eq!(state.account("ann").unwrap(), None, "half an import was committed");
        assert_eq!(state.meta(IMPORTED).unwrap(), None);
        for name in [ACCOUNTS_FILE, PUSH_LOG_FILE] {
            assert!(dir.path().join(name).exists(), "{name} was renamed after a failed import");
        }
    }

    #[test]
    fn the_command_line_and_the_server_starting_together_import_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = serde_json::json!({"users": {"ann": user("ann"), "bob": user("bob")}});
        std::fs::write(dir.path().join(ACCOUNTS_FILE), file.to_string()).unwrap();
        let barrier = std::sync::Barrier::new(3);
        std::thread::scope(|scope| {
            let opened: Vec<_> = (0..3)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        crate::auth::open_state(dir.path()).map(drop)
                    })
                })
                .collect();
            for it in opened {
                it.join().unwrap().unwrap();
            }
        });
        let state = StateStore::open(dir.path()).unwrap();
        assert_eq!(state.accounts().unwrap().len(), 2);
        assert!(!dir.path().join(ACCOUNTS_FILE).exists());
        assert!(dir.path().join(format!("{ACCOUNTS_FILE}{MIGRATED_SUFFIX}")).exists());
    }

    #[test]
    fn a_data_folder_without_old_files_imports_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateStore::open(dir.path()).unwrap();
        import(&state, dir.path()).unwrap();
        assert_eq!(state.meta(IMPORTED).unwrap(), None);
        assert!(state.accounts().unwrap().is_empty());
    }
}
