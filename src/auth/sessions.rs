//! Login sessions. The browser holds `<id>.<signature>`: a random 256-bit id signed with HMAC-SHA256 under a
//! key in `<data>/secret.key`, so forged or mangled cookies are refused before any lookup. Lore keeps only the
//! SHA-256 of each id (`<data>/sessions.json`, so logins survive a restart and a leaked file cannot be
//! replayed), with the account's session epoch: a password change or disabling raises the epoch and ends
//! every older session.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::accounts::write_private;
use super::{hex, now, random_hex, sha256_hex};
use crate::{Error, Result};

const KEY_FILE: &str = "secret.key";
const FILE: &str = "sessions.json";

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
    path: PathBuf,
    by_hash: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    pub fn open(data_dir: &Path) -> Result<Sessions> {
        std::fs::create_dir_all(data_dir)?;
        let key_path = data_dir.join(KEY_FILE);
        let key = match std::fs::read_to_string(&key_path) {
            Ok(text) if text.trim().len() >= 64 => text.trim().to_string(),
            _ => {
                let key = random_hex(32);
                write_private(&key_path, key.as_bytes())?;
                key
            }
        };
        let path = data_dir.join(FILE);
        let mut by_hash: HashMap<String, Session> =
            std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        let time = now();
        by_hash.retain(|_, session| session.expires_at > time);
        Ok(Sessions { key: key.into_bytes(), path, by_hash: Mutex::new(by_hash) })
    }

    fn sign(&self, id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        hex(&mac.finalize().into_bytes())
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

    /// Starts a session; returns the cookie value.
    pub fn create(&self, username: &str, epoch: u64, hours: u32) -> Result<String> {
        let id = random_hex(32);
        let created_at = now();
        let session = Session {
            username: username.to_string(),
            epoch,
            created_at,
            expires_at: created_at + i64::from(hours.max(1)) * 3600,
        };
        let mut sessions = self.lock();
        sessions.retain(|_, it| it.expires_at > created_at);
        sessions.insert(sha256_hex(&id), session);
        self.persist(&sessions)?;
        Ok(format!("{id}.{}", self.sign(&id)))
    }

    /// The live session a cookie names.
    pub fn get(&self, cookie: &str) -> Option<Session> {
        let id = self.verified_id(cookie)?;
        let session = self.lock().get(&sha256_hex(id)).cloned()?;
        (session.expires_at > now()).then_some(session)
    }

    /// Ends the session a cookie names (logout).
    pub fn end(&self, cookie: &str) -> Result<()> {
        let Some(id) = self.verified_id(cookie) else { return Ok(()) };
        let mut sessions = self.lock();
        if sessions.remove(&sha256_hex(id)).is_some() {
            self.persist(&sessions)?;
        }
        Ok(())
    }

    /// How many sessions are live (for the admin page).
    pub fn count(&self) -> usize {
        let time = now();
        self.lock().values().filter(|it| it.expires_at > time).count()
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, HashMap<String, Session>> {
        self.by_hash.lock()
    }

    fn persist(&self, sessions: &HashMap<String, Session>) -> Result<()> {
        let bytes = serde_json::to_vec(sessions).map_err(|err| Error::Repository(err.to_string()))?;
        let temporary = self.path.with_extension("json.tmp");
        write_private(&temporary, &bytes)?;
        std::fs::rename(&temporary, &self.path)?;
        Ok(())
    }
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

    #[test]
    fn sessions_are_signed_and_end() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = Sessions::open(dir.path()).unwrap();
        let cookie = sessions.create("ann", 3, 1).unwrap();
        assert_eq!(sessions.get(&cookie).unwrap().epoch, 3);
        // A restart keeps the session; the store holds only hashes.
        let reopened = Sessions::open(dir.path()).unwrap();
        assert_eq!(reopened.get(&cookie).unwrap().username, "ann");
        let (id, _) = cookie.split_once('.').unwrap();
        assert!(!std::fs::read_to_string(dir.path().join(FILE)).unwrap().contains(id));
        let forged = format!("{id}.{}", "0".repeat(64));
        assert!(sessions.get(&forged).is_none());
        assert!(sessions.get("garbage").is_none());
        sessions.end(&cookie).unwrap();
        assert!(sessions.get(&cookie).is_none());
    }

    #[test]
    fn expired_sessions_stop_working_and_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = Sessions::open(dir.path()).unwrap();
        let cookie = sessions.create("ann", 0, 1).unwrap();
        for session in sessions.lock().values_mut() {
            session.expires_at = now() - 1;
        }
        assert!(sessions.get(&cookie).is_none(), "an expired session still works");
        sessions.persist(&sessions.lock()).unwrap();
        assert_eq!(Sessions::open(dir.path()).unwrap().count(), 0, "expired sessions are dropped on load");
    }
}
