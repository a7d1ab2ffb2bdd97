//! Accounts and personal tokens in `<data>/accounts.json`, shared by the running server and the `lore user` /
//! `lore token` commands. Every change is read-modify-write under a file lock, written to a temporary file
//! and renamed into place; readers see the newest file because they reload it when its modification time
//! changes, so a token revoked from the command line stops working at once.
//!
//! An e-mail address belongs to one account (compared trimmed and case-insensitively): commits are signed
//! with it and questions are owned by it, so two accounts sharing one would be one person to everyone else.
//! People choose their display name but not their e-mail, which admins set.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use std::time::SystemTime;

use arc_swap::ArcSwap;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

use super::{Role, check_username, now, random_hex, sha256_hex};
use crate::{Error, Result};

const FILE: &str = "accounts.json";
const LOCK_FILE: &str = "accounts.lock";
const USAGE_FILE: &str = "token-usage.json";
/// Personal tokens start with this, so they are recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "lore_";
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// One account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default)]
    pub disabled: bool,
    /// Raised on password change and disabling: sessions made under an older epoch are void.
    #[serde(default)]
    pub session_epoch: u64,
    pub created_at: i64,
}

/// What the admin page's form changes on an account; `None` leaves the name or e-mail as it is.
#[derive(Debug, Clone)]
pub struct AccountEdit {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub groups: Vec<String>,
    pub disabled: bool,
}

/// A new account, from the command line or the admin page.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub groups: Vec<String>,
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    username: String,
    name: String,
    /// SHA-256 of the token: the token itself is shown once and never stored.
    sha256: String,
    created_at: i64,
}

/// A token as lists show it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Data {
    #[serde(default)]
    users: BTreeMap<String, User>,
    #[serde(default)]
    tokens: BTreeMap<String, TokenRecord>,
    #[serde(skip)]
    token_by_hash: HashMap<String, String>,
}

impl Data {
    fn index(mut self) -> Data {
        self.token_by_hash = self.tokens.iter().map(|(id, token)| (token.sha256.clone(), id.clone())).collect();
        self
    }
}

/// Tells versions of the file apart: every write renames a new file into place (a new inode), and the
/// modification time alone can repeat within one timestamp tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let metadata = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileStamp { modified: metadata.modified().ok(), len: metadata.len(), inode })
    }
}

/// The account store.
pub struct Accounts {
    dir: PathBuf,
    data: ArcSwap<Data>,
    /// Which version of the file the current `data` came from.
    loaded: Mutex<Option<FileStamp>>,
    /// When each token was last used; written to its own file now and then (only the server writes it).
    usage: Mutex<BTreeMap<String, i64>>,
}

impl Accounts {
    /// Opens the store in `data_dir` (an empty store when the file does not exist yet).
    pub fn open(data_dir: &Path) -> Result<Accounts> {
        std::fs::create_dir_all(data_dir)?;
        let usage = std::fs::read(data_dir.join(USAGE_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        let accounts = Accounts {
            dir: data_dir.to_path_buf(),
            data: ArcSwap::from_pointee(Data::default()),
            loaded: Mutex::new(None),
            usage: Mutex::new(usage),
        };
        accounts.reload_if_changed()?;
        Ok(accounts)
    }

    fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    fn read_file(&self) -> Result<(Data, Option<FileStamp>)> {
        let path = self.path();
        // Stamped before reading: a write racing the read leaves a newer stamp, so the next check reloads.
        let modified = FileStamp::of(&path);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let data: Data = serde_json::from_slice(&bytes)
                    .map_err(|err| Error::Repository(format!("{} is damaged: {err}", path.display())))?;
                Ok((data.index(), modified))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok((Data::default(), None)),
            Err(err) => Err(err.into()),
        }
    }

    // One `stat` per call: cheap enough for every request that carries credentials.
    fn reload_if_changed(&self) -> Result<()> {
        let modified = FileStamp::of(&self.path());
        let mut loaded = self.loaded.lock();
        if modified.is_some() && *loaded == modified {
            return Ok(());
        }
        let (data, modified) = self.read_file()?;
        self.data.store(Arc::new(data));
        *loaded = modified;
        Ok(())
    }

    fn current(&self) -> Arc<Data> {
        if let Err(err) = self.reload_if_changed() {
            tracing::error!(error = %err, "reloading accounts failed; using the accounts loaded before");
        }
        self.data.load_full()
    }

    // Read-modify-write under the lock file, so the server and the command line never lose each other's changes.
    fn modify<T>(&self, change: impl FnOnce(&mut Data) -> Result<T>) -> Result<T> {
        let lock = File::create(self.dir.join(LOCK_FILE))?;
        lock.lock()?;
        let (mut data, _) = self.read_file()?;
        let res = change(&mut data)?;
        let bytes = serde_json::to_vec_pretty(&data).map_err(|err| Error::Repository(err.to_string()))?;
        let temporary = self.dir.join(format!("{FILE}.tmp"));
        write_private(&temporary, &bytes)?;
        std::fs::rename(&temporary, self.path())?;
        let modified = FileStamp::of(&self.path());
        let mut loaded = self.loaded.lock();
        self.data.store(Arc::new(data.index()));
        *loaded = modified;
        drop(lock);
        Ok(res)
    }

    /// Every account, by user name.
    pub fn users(&self) -> Vec<User> {
        self.current().users.values().cloned().collect()
    }

    pub fn user(&self, username: &str) -> Option<User> {
        self.current().users.get(username).cloned()
    }

    /// The user without reloading the file (for hot paths that reloaded already).
    fn user_loaded(&self, username: &str) -> Option<User> {
        self.data.load().users.get(username).cloned()
    }

    /// Adds an account; its user name and e-mail address must be free.
    pub fn add_user(&self, user: NewUser) -> Result<()> {
        check_username(&user.username)?;
        let person = crate::store::Person::checked(&user.name, &user.email)?;
        let password_hash = user.password.as_deref().map(hash_password).transpose()?;
        self.modify(|data| {
            if data.users.contains_key(&user.username) {
                return Err(Error::bad_input(format!("there is already an account named {}", user.username)));
            }
            check_email_free(data, &person.email, &user.username)?;
            data.users.insert(
                user.username.clone(),
                User {
                    username: user.username.clone(),
                    name: person.name,
                    email: person.email,
                    role: user.role,
                    groups: clean_groups(user.groups),
                    password_hash,
                    disabled: false,
                    session_epoch: 0,
                    created_at: now(),
                },
            );
            Ok(())
        })
    }

    /// The account a trusted proxy names, created with `default_role` at first sight and kept up to date
    /// with the name and e-mail the proxy sends.
    pub fn proxy_user(&self, username: &str, name: &str, email: &str, default_role: Role) -> Result<User> {
        check_username(username)?;
        let name = if name.trim().is_empty() { username } else { name };
        let email = if email.trim().is_empty() { format!("{username}@localhost") } else { email.to_string() };
        let person = crate::store::Person::checked(name, &email)?;
        if let Some(user) = self.user(username).filter(|it| it.name == person.name && it.email == person.email) {
            return Ok(user);
        }
        self.modify(|data| {
            // The proxy vouches for the address, but an account created here may hold it already: refuse rather
            // than let two accounts sign as one person (an admin sorts it out).
            check_email_free(data, &person.email, username)?;
            let user = data.users.entry(username.to_string()).or_insert_with(|| User {
                username: username.to_string(),
                name: person.name.clone(),
                email: person.email.clone(),
                role: default_role,
                groups: Vec::new(),
                password_hash: None,
                disabled: false,
                session_epoch: 0,
                created_at: now(),
            });
            user.name = person.name;
            user.email = person.email;
            Ok(user.clone())
        })
    }

    fn update_user(&self, username: &str, change: impl FnOnce(&mut User) -> Result<()>) -> Result<()> {
        self.modify(|data| {
            let user = data.users.get_mut(username).ok_or_else(|| no_account(username))?;
            change(user)
        })
    }

    /// Sets a new password; every session of the account ends.
    pub fn set_password(&self, username: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        self.update_user(username, |user| {
            user.password_hash = Some(hash);
            user.session_epoch += 1;
            Ok(())
        })
    }

    pub fn set_role(&self, username: &str, role: Role) -> Result<()> {
        self.update_user(username, |user| {
            user.role = role;
            Ok(())
        })
    }

    pub fn set_groups(&self, username: &str, groups: Vec<String>) -> Result<()> {
        self.update_user(username, |user| {
            user.groups = clean_groups(groups);
            Ok(())
        })
    }

    /// Sets the display name a person chose for themselves (the account page). A name another account has
    /// (case-insensitively) is refused, so commits cannot pass for someone else's at a glance; keeping one's
    /// current name is always fine.
    pub fn set_own_name(&self, username: &str, name: &str) -> Result<()> {
        let name = checked_name(name)?;
        self.modify(|data| {
            let current = data.users.get(username).ok_or_else(|| no_account(username))?;
            let wanted = name.to_lowercase();
            if current.name.trim().to_lowercase() != wanted {
                let taken =
                    data.users.values().any(|it| it.username != username && it.name.trim().to_lowercase() == wanted);
                if taken {
                    return Err(Error::Conflict(format!(
                        "another account is called {name}: choose a name people can tell apart"
                    )));
                }
            }
            let user = data.users.get_mut(username).ok_or_else(|| no_account(username))?;
            user.name = name;
            Ok(())
        })
    }

    /// Sets an account's e-mail address (admins: the admin page and `lore user email`); it must be free.
    pub fn set_email(&self, username: &str, email: &str) -> Result<()> {
        let email = checked_email(email)?;
        self.modify(|data| {
            check_email_free(data, &email, username)?;
            let user = data.users.get_mut(username).ok_or_else(|| no_account(username))?;
            user.email = email;
            Ok(())
        })
    }

    /// Applies the admin page's form to an account in one write: name, e-mail, role, groups, disabled.
    pub fn edit(&self, username: &str, edit: AccountEdit) -> Result<()> {
        let name = edit.name.as_deref().map(checked_name).transpose()?;
        let email = edit.email.as_deref().map(checked_email).transpose()?;
        self.modify(|data| {
            if let Some(email) = &email {
                check_email_free(data, email, username)?;
            }
            let user = data.users.get_mut(username).ok_or_else(|| no_account(username))?;
            if let Some(name) = name {
                user.name = name;
            }
            if let Some(email) = email {
                user.email = email;
            }
            user.role = edit.role;
            user.groups = clean_groups(edit.groups);
            disable(user, edit.disabled);
            Ok(())
        })
    }

    /// Disables (or enables) an account; disabling ends its sessions, and its tokens fail while disabled.
    pub fn set_disabled(&self, username: &str, disabled: bool) -> Result<()> {
        self.update_user(username, |user| {
            disable(user, disabled);
            Ok(())
        })
    }

    /// The account whose password this is; `None` for unknown users, wrong passwords and disabled
    /// accounts alike, after the same hashing work, so timing does not tell them apart.
    pub fn verify_password(&self, username: &str, password: &str) -> Option<User> {
        let user = self.user(username);
        let hash = user.as_ref().and_then(|it| it.password_hash.clone());
        let matches = verify_password(hash.as_deref().unwrap_or_else(|| dummy_hash()), password);
        user.filter(|it| matches && hash.is_some() && !it.disabled)
    }

    /// Creates a personal token; returns its id and the token, which is shown once and never stored.
    pub fn create_token(&self, username: &str, name: &str) -> Result<(String, String)> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
            return Err(Error::bad_input("a token needs a name of 1 to 100 characters (say where you use it)"));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_hex(20));
        let id = random_hex(6);
        self.modify(|data| {
            if !data.users.contains_key(username) {
                return Err(Error::NotFound(format!("no account named {username}")));
            }
            data.tokens.insert(
                id.clone(),
                TokenRecord {
                    username: username.to_string(),
                    name: name.to_string(),
                    sha256: sha256_hex(&token),
                    created_at: now(),
                },
            );
            Ok(())
        })?;
        Ok((id, token))
    }

    /// Revokes a token; `username` limits it to that account's tokens (`None`: any, for admins).
    pub fn revoke_token(&self, id: &str) -> Result<()> {
        self.revoke_token_of(id, None)
    }

    pub fn revoke_token_of(&self, id: &str, username: Option<&str>) -> Result<()> {
        self.modify(|data| match data.tokens.get(id) {
            Some(token) if username.is_none_or(|it| it == token.username) => {
                data.tokens.remove(id);
                Ok(())
            }
            _ => Err(Error::NotFound(format!("no token {id}"))),
        })
    }

    /// Tokens of one account, or of all.
    pub fn tokens(&self, username: Option<&str>) -> Vec<TokenInfo> {
        let usage = self.usage.lock().clone();
        self.current()
            .tokens
            .iter()
            .filter(|(_, token)| username.is_none_or(|it| it == token.username))
            .map(|(id, token)| TokenInfo {
                id: id.clone(),
                username: token.username.clone(),
                name: token.name.clone(),
                created_at: token.created_at,
                last_used_at: usage.get(id).copied(),
            })
            .collect()
    }

    /// The enabled account a token belongs to, noting the use.
    pub fn user_for_token(&self, token: &str) -> Option<User> {
        if !token.starts_with(TOKEN_PREFIX) {
            return None;
        }
        let data = self.current();
        let id = data.token_by_hash.get(&sha256_hex(token))?;
        let user = self.user_loaded(&data.tokens.get(id)?.username).filter(|it| !it.disabled)?;
        self.note_use(id);
        Some(user)
    }

    // Last-used times are for people (a minute is precise enough), so the file is written at most once a
    // minute per token.
    fn note_use(&self, id: &str) {
        let time = now();
        let mut usage = self.usage.lock();
        if usage.get(id).is_some_and(|last| time - last < 60) {
            return;
        }
        usage.insert(id.to_string(), time);
        let bytes = serde_json::to_vec(&*usage).unwrap_or_default();
        drop(usage);
        let temporary = self.dir.join(format!("{USAGE_FILE}.tmp"));
        let written = write_private(&temporary, &bytes).and_then(|()| {
            std::fs::rename(&temporary, self.dir.join(USAGE_FILE))?;
            Ok(())
        });
        if let Err(err) = written {
            tracing::warn!(error = %err, "recording when a token was last used failed");
        }
    }
}

fn no_account(username: &str) -> Error {
    Error::NotFound(format!("no account named {username}"))
}

// Names and e-mails end up in commits: the same checks as any author.
fn checked_name(name: &str) -> Result<String> {
    Ok(crate::store::Person::checked(name, "checked@localhost")?.name)
}

fn checked_email(email: &str) -> Result<String> {
    Ok(crate::store::Person::checked("checked", email)?.email)
}

// Refuses an address another account than `username` holds. Addresses compare trimmed and case-insensitively:
// git keeps what it is given, but people (and question ownership) read `Ann@X` and `ann@x` as one.
fn check_email_free(data: &Data, email: &str, username: &str) -> Result<()> {
    let wanted = email.trim().to_lowercase();
    let taken = data.users.values().any(|it| it.username != username && it.email.trim().to_lowercase() == wanted);
    // The holder goes unnamed: in proxy mode this refusal reaches the person logging in.
    if taken { Err(Error::Conflict(format!("another account already has the e-mail address {email}"))) } else { Ok(()) }
}

// Disabling ends the account's sessions (a raised epoch voids them); enabling again does not revive them.
fn disable(user: &mut User, disabled: bool) {
    if disabled && !user.disabled {
        user.session_epoch += 1;
    }
    user.disabled = disabled;
}

fn clean_groups(groups: Vec<String>) -> Vec<String> {
    let mut groups: Vec<String> =
        groups.into_iter().map(|it| it.trim().to_string()).filter(|it| !it.is_empty()).collect();
    groups.sort();
    groups.dedup();
    groups
}

/// An argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::bad_input(format!("a password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    if password.len() > 1024 {
        return Err(Error::bad_input("a password may have at most 1024 bytes"));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system provides randomness");
    let salt = SaltString::encode_b64(&salt).map_err(|err| Error::Repository(err.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|it| it.to_string())
        .map_err(|err| Error::Repository(format!("hashing a password: {err}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    if password.len() > 1024 {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

// What unknown user names are checked against, so they cost the same time as real ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_hex(16)).expect("hashing a random password works"))
}

/// Writes a file only its owner can read (account data, keys, sessions).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> NewUser {
        NewUser {
            username: "ann".into(),
            name: "Ann Author".into(),
            email: "ann@example.com".into(),
            role: Role::Editor,
            groups: vec!["hr".into(), " ".into()],
            password: Some("correct horse".into()),
        }
    }

    #[test]
    fn passwords_and_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        accounts.add_user(ann()).unwrap();
        assert!(accounts.add_user(ann()).is_err(), "user names are unique");
        assert_eq!(accounts.user("ann").unwrap().groups, vec!["hr"]);
        assert!(accounts.verify_password("ann", "correct horse").is_some());
        assert!(accounts.verify_password("ann", "wrong horse").is_none());
        assert!(accounts.verify_password("nobody", "correct horse").is_none());
        let (id, token) = accounts.create_token("ann", "laptop").unwrap();
        assert_eq!(accounts.user_for_token(&token).unwrap().username, "ann");
        // Another handle on the same folder (the command line) sees the change at once.
        let other = Accounts::open(dir.path()).unwrap();
        other.revoke_token(&id).unwrap();
        assert!(accounts.user_for_token(&token).is_none());
        accounts.set_disabled("ann", true).unwrap();
        assert!(accounts.verify_password("ann", "correct horse").is_none());
        assert_eq!(accounts.user("ann").unwrap().session_epoch, 1);
        let stored = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!stored.contains("correct horse") && !stored.contains(&token));
    }

    fn bob() -> NewUser {
        NewUser { username: "bob".into(), name: "Bob Builder".into(), email: "bob@example.com".into(), ..ann() }
    }

    fn edit(email: &str) -> AccountEdit {
        AccountEdit { name: None, email: Some(email.into()), role: Role::Editor, groups: Vec::new(), disabled: false }
    }

    #[test]
    fn two_accounts_could_share_one_email() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        accounts.add_user(ann()).unwrap();
        let twin = NewUser { email: " ANN@example.com ".into(), ..bob() };
        assert!(matches!(accounts.add_user(twin), Err(Error::Conflict(_))), "add with Ann's address");
        accounts.add_user(bob()).unwrap();
        assert!(matches!(accounts.set_email("bob", "Ann@Example.com"), Err(Error::Conflict(_))), "set_email");
        assert!(matches!(accounts.edit("bob", edit("ann@example.com ")), Err(Error::Conflict(_))), "admin edit");
        let proxied = accounts.proxy_user("carl", "Carl", "ann@example.com", Role::Reader);
        assert!(matches!(proxied, Err(Error::Conflict(_))), "a proxy naming Ann's address for someone else");
        assert_eq!(accounts.user("bob").unwrap().email, "bob@example.com", "a refused change changed something");
        // An account may keep (or re-case) its own address, and take a free one.
        accounts.set_email("ann", "Ann@example.com").unwrap();
        accounts.edit("bob", edit("robert@example.com")).unwrap();
        assert_eq!(accounts.user("bob").unwrap().email, "robert@example.com");
        accounts.set_email("ann", "bob@example.com").unwrap();
    }

    #[test]
    fn a_person_could_take_another_accounts_display_name() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        accounts.add_user(ann()).unwrap();
        accounts.add_user(bob()).unwrap();
        for name in ["Ann Author", " ann author "] {
            assert!(matches!(accounts.set_own_name("bob", name), Err(Error::Conflict(_))), "{name:?}");
        }
        accounts.set_own_name("bob", "Bob the Builder").unwrap();
        assert_eq!(accounts.user("bob").unwrap().name, "Bob the Builder");
        // Namesakes an admin made may keep their names.
        let namesake = AccountEdit { name: Some("Ann Author".into()), ..edit("bob@example.com") };
        accounts.edit("bob", namesake).unwrap();
        accounts.set_own_name("bob", "Ann Author").unwrap();
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(hash_password("short").is_err());
    }
}
