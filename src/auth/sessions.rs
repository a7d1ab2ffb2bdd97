//! Login sessions. The browser holds `<id>.<signature>`: a random 256-bit id signed with HMAC-SHA256 under a
//! key in `<data>/secret.key` (or, when several nodes share a PostgreSQL state database, under the key kept
//! in it, so that every node accepts every node's cookies), so forged or mangled cookies are refused before any
//! lookup. Lore keeps only the
//! SHA-256 of each id, in the state database (so logins survive a restart and a leaked database cannot be
//! replayed), with the account's session epoch: a password change or disabling raises the epoch and ends
//! every older session.

use std::path::Path;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{hex, now, random_hex, sha256_hex};
use crate::Result;
use crate::state::{SessionRecord, StateStore};

/// The file in the data folder holding the key that signs sessions and unsubscribe links.
pub const KEY_FILE: &str = "secret.key";

/// Where a shared state database keeps the session key.
const SHARED_KEY: &str = "session_key";

/// One login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub username: String,
    /// The account's session epoch when the session began.
    pub epoch: u64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The session store.
pub struct Sessions {
    key: Vec<u8>,
    state: Arc<StateStore>,
}

impl Sessions {
    /// The sessions in `state`, signed with the key in `<data_dir>/secret.key` (made on first use). With a
    /// shared state database the key is the one kept there; the first node to start puts its own file's key
    /// there (so a single node moving to PostgreSQL keeps its sessions), or a new one.
    pub fn open(state: Arc<StateStore>, data_dir: &Path) -> Result<Sessions> {
        std::fs::create_dir_all(data_dir)?;
        let key_path = data_dir.join(KEY_FILE);
        let file_key = match std::fs::read_to_string(&key_path) {
            Ok(text) if text.trim().len() >= 64 => Some(text.trim().to_string()),
            _ => None,
        };
        let key = if state.is_shared() {
            state.write(|tx| match tx.meta(SHARED_KEY)? {
                Some(key) => Ok(key),
                None => {
                    let key = file_key.clone().unwrap_or_else(|| random_hex(32));
                    tx.set_meta(SHARED_KEY, &key)?;
                    Ok(key)
                }
            })?
        } else {
            match file_key {
                Some(key) => key,
                None => {
                    let key = random_hex(32);
                    write_private(&key_path, key.as_bytes())?;
                    key
                }
            }
        };
        Ok(Sessions { key: key.into_bytes(), state })
    }

    fn sign(&self, id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Signs `message` for one `purpose` (such as `unsubscribe`) with the same key as sessions, in hex: links
    /// that must work without a login. The purpose keeps one kind of signature from passing for another.
    pub fn sign_for(&self, purpose: &str, message: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Whether `signature` (hex) is what [`Sessions::sign_for`] gives for this purpose and message.
    pub fn verify_for(&self, purpose: &str, message: &str, signature: &str) -> bool {
        let Some(signature) = decode_hex(signature) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        mac.verify_slice(&signature).is_ok()
    }

    // The id, when the cookie's signature is right.
    fn verified_id<'a>(&self, cookie: &'a str) -> Option<&'a str> {
        let (id, signature) = cookie.split_once('.')?;
        if id.len() != 64 || signature.len() != 64 {
            return None;
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        let signature = decode_hex(signature)?;
        mac.verify_slice(&signature).ok().map(|()| id)
    }

    /// Starts a session for an existing account; returns the cookie value.
    pub fn create(&self, username: &str, epoch: u64, hours: u32) -> Result<String> {
        let id = random_hex(32);
        let created_at = now();
        let session = SessionRecord {
            id_sha256: sha256_hex(&id),
            username: username.to_string(),
            epoch,
            created_at,
            expires_at: created_at + i64::from(hours.max(1)) * 3600,
        };
        self.state.write(|tx| {
            // Logins are rare next to requests: a good moment to forget the sessions that ran out.
            tx.delete_expired_sessions(created_at)?;
            tx.insert_session(&session)
        })?;
        Ok(format!("{id}.{}", self.sign(&id)))
    }

    /// The live session a cookie names.
    pub fn get(&self, cookie: &str) -> Result<Option<Session>> {
        let Some(id) = self.verified_id(cookie) else { return Ok(None) };
        let record = self.state.session(&sha256_hex(id), now())?;
        Ok(record.map(|it| Session {
            username: it.username,
            epoch: it.epoch,
            created_at: it.created_at,
            expires_at: it.expires_at,
        }))
    }

    /// Ends the session a cookie names (logout).
    pub fn end(&self, cookie: &str) -> Result<()> {
        let Some(id) = self.verified_id(cookie) else { return Ok(()) };
        self.state.delete_session(&sha256_hex(id))?;
        Ok(())
    }

    /// How many sessions are live (for the admin page).
    pub fn count(&self) -> Result<usize> {
        self.state.count_sessions(now())
    }
}

/// Writes a file only its owner can read (the session key).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|at| text.get(at..at + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AccountRecord;

    // Sessions belong to accounts: the database refuses one for nobody.
    fn store_with_ann(dir: &Path) -> Arc<StateStore> {
        let state = Arc::new(StateStore::open(dir).unwrap());
        let ann = AccountRecord {
            username: "ann".into(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            role: "editor".into(),
            groups: Vec::new(),
            password_hash: None,
            disabled: false,
            session_epoch: 3,
            created_at: 0,
            language: None,
        };
        state.write(|it| it.insert_account(&ann)).unwrap();
        state
    }

    #[test]
    fn sessions_are_signed_and_end() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = Sessions::open(store_with_ann(dir.path()), dir.path()).unwrap();
        let cookie = sessions.create("ann", 3, 1).unwrap();
        assert_eq!(sessions.get(&cookie).unwrap().unwrap().epoch, 3);
        // A restart keeps the session; the store holds only hashes.
        let reopened = Sessions::open(Arc::new(StateStore::open(dir.path()).unwrap()), dir.path()).unwrap();
        assert_eq!(reopened.get(&cookie).unwrap().unwrap().username, "ann");
        let (id, _) = cookie.split_once('.').unwrap();
        for name in ["lore.db", "lore.db-wal"] {
            let stored = std::fs::read(dir.path().join(name)).unwrap_or_default();
            assert!(!String::from_utf8_lossy(&stored).contains(id), "{name} holds a session id");
        }
        let forged = format!("{id}.{}", "0".repeat(64));
        assert!(sessions.get(&forged).unwrap().is_none());
        assert!(sessions.get("garbage").unwrap().is_none());
        sessions.end(&cookie).unwrap();
        assert!(sessions.get(&cookie).unwrap().is_none());
    }

    #[test]
    fn expired_sessions_stop_working_and_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let state = store_with_ann(dir.path());
        let sessions = Sessions::open(state.clone(), dir.path()).unwrap();
        let (id, _) =
            sessions.create("ann", 0, 1).unwrap().split_once('.').map(|(a, b)| (a.to_string(), b.to_string())).unwrap();
        let expired = SessionRecord {
            id_sha256: sha256_hex(&"e".repeat(64)),
            username: "ann".into(),
            epoch: 0,
            created_at: now() - 7200,
            expires_at: now() - 1,
        };
        state.write(|it| it.insert_session(&expired)).unwrap();
        let cookie = format!("{}.{}", "e".repeat(64), sessions.sign(&"e".repeat(64)));
        assert!(sessions.get(&cookie).unwrap().is_none(), "an expired session still works");
        assert_eq!(sessions.count().unwrap(), 1);
        sessions.create("ann", 0, 1).unwrap();
        assert!(state.session(&expired.id_sha256, 0).unwrap().is_none(), "an expired session was kept");
        assert!(state.session(&sha256_hex(&id), now()).unwrap().is_some(), "a live session was dropped");
    }
}
