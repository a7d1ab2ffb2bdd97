//! Accounts and personal tokens, kept in the state database (`<data>/lore.db`) and shared by the running server
//! and the `lore user` / `lore token` commands. Nothing is cached: every lookup reads the database, and every
//! change is one transaction, so a token revoked from the command line fails on the server's next request.
//!
//! An e-mail address belongs to one account (compared trimmed and case-insensitively): commits are signed
//! with it and questions are owned by it, so two accounts sharing one would be one person to everyone else.
//! People choose their display name but not their e-mail, which admins set.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

use super::{Role, check_username, now, random_hex, sha256_hex};
use crate::state::{AccountRecord, StateStore, TokenRecord, Transaction};
use crate::{Error, Result};

/// Personal tokens start with this, so they are recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "lore_";
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Last-used times are for people: a minute is precise enough, and saves a write per request.
const TOKEN_USE_INTERVAL: i64 = 60;

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
    /// The interface language the person chose (a code of `i18n::UiLanguage`); `None`: their browser's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl User {
    /// The account a stored record describes; a role this Lore does not know is an error, not a guess.
    pub(crate) fn from_record(record: AccountRecord) -> Result<User> {
        let role = record.role.parse().map_err(|_| {
            Error::Database(format!("account {} has the unknown role {:?}", record.username, record.role))
        })?;
        Ok(User {
            username: record.username,
            name: record.name,
            email: record.email,
            role,
            groups: record.groups,
            password_hash: record.password_hash,
            disabled: record.disabled,
            session_epoch: record.session_epoch,
            created_at: record.created_at,
            language: record.language,
        })
    }

    /// The account as the state store keeps it.
    pub(crate) fn to_record(&self) -> AccountRecord {
        AccountRecord {
            username: self.username.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role.as_str().to_string(),
            groups: self.groups.clone(),
            password_hash: self.password_hash.clone(),
            disabled: self.disabled,
            session_epoch: self.session_epoch,
            created_at: self.created_at,
            language: self.language.clone(),
        }
    }
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

/// A token as lists show it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The account store.
pub struct Accounts {
    state: Arc<StateStore>,
}

impl Accounts {
    /// Opens the store in `data_dir`'s state database (created on first use; the JSON files of older versions
    /// are imported once, see [`super::open_state`]).
    pub fn open(data_dir: &Path) -> Result<Accounts> {
        Ok(Accounts::new(super::open_state(data_dir)?))
    }

    /// Opens the store in the state database at `location` (see [`super::open_state_at`]).
    pub fn open_at(data_dir: &Path, location: &crate::state::StateLocation) -> Result<Accounts> {
        Ok(Accounts::new(super::open_state_at(data_dir, location)?))
    }

    /// The store over an open state database.
    pub fn new(state: Arc<StateStore>) -> Accounts {
        Accounts { state }
    }

    /// Every account, by user name.
    pub fn users(&self) -> Result<Vec<User>> {
        self.state.accounts()?.into_iter().map(User::from_record).collect()
    }

    /// The account named `username`.
    pub fn user(&self, username: &str) -> Result<Option<User>> {
        self.state.account(username)?.map(User::from_record).transpose()
    }

    /// Adds an account; its user name and e-mail address must be free.
    pub fn add_user(&self, user: NewUser) -> Result<()> {
        check_username(&user.username)?;
        let person = crate::store::Person::checked(&user.name, &user.email)?;
        let password_hash = user.password.as_deref().map(hash_password).transpose()?;
        self.state.write(|tx| {
            if tx.account(&user.username)?.is_some() {
                return Err(Error::bad_input(format!("there is already an account named {}", user.username)));
            }
            check_email_free(tx, &person.email, &user.username)?;
            let account = User {
                username: user.username.clone(),
                name: person.name,
                email: person.email,
                role: user.role,
                groups: clean_groups(user.groups),
                password_hash,
                disabled: false,
                session_epoch: 0,
                created_at: now(),
                language: None,
            };
            tx.insert_account(&account.to_record())
        })
    }

    /// The account a trusted proxy names, created with `default_role` at first sight and kept up to date
    /// with the name and e-mail the proxy sends.
    pub fn proxy_user(&self, username: &str, name: &str, email: &str, default_role: Role) -> Result<User> {
        check_username(username)?;
        let name = if name.trim().is_empty() { username } else { name };
        let email = if email.trim().is_empty() { format!("{username}@localhost") } else { email.to_string() };
        let person = crate::store::Person::checked(name, &email)?;
        if let Some(user) = self.user(username)?.filter(|it| it.name == person.name && it.email == person.email) {
            return Ok(user);
        }
        self.state.write(|tx| {
            // The proxy vouches for the address, but an account created here may hold it already: refuse rather
            // than let two accounts sign as one person (an admin sorts it out).
            check_email_free(tx, &person.email, username)?;
            match tx.account(username)? {
                Some(record) => {
                    let mut user = User::from_record(record)?;
                    user.name = person.name;
                    user.email = person.email;
                    tx.update_account(&user.to_record())?;
                    Ok(user)
                }
                None => {
                    let user = User {
                        username: username.to_string(),
                        name: person.name,
                        email: person.email,
                        role: default_role,
                        groups: Vec::new(),
                        password_hash: None,
                        disabled: false,
                        session_epoch: 0,
                        language: None,
                        created_at: now(),
                    };
                    tx.insert_account(&user.to_record())?;
                    Ok(user)
                }
            }
        })
    }

    // Read-modify-write of one account in one transaction, so the server and the command line never lose
    // each other's changes.
    fn update_user(
        &self,
        username: &str,
        change: impl FnOnce(&Transaction<'_>, &mut User) -> Result<()>,
    ) -> Result<()> {
        self.state.write(|tx| {
            let mut user = User::from_record(tx.account(username)?.ok_or_else(|| no_account(username))?)?;
            change(tx, &mut user)?;
            tx.update_account(&user.to_record())?;
            Ok(())
        })
    }

    /// Sets a new password; every session of the account ends.
    pub fn set_password(&self, username: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        self.update_user(username, |_, user| {
            user.password_hash = Some(hash);
            user.session_epoch += 1;
            Ok(())
        })
    }

    /// Sets an account's role.
    pub fn set_role(&self, username: &str, role: Role) -> Result<()> {
        self.update_user(username, |_, user| {
            user.role = role;
            Ok(())
        })
    }

    /// Sets an account's groups (for folder rules).
    pub fn set_groups(&self, username: &str, groups: Vec<String>) -> Result<()> {
        self.update_user(username, |_, user| {
            user.groups = clean_groups(groups);
            Ok(())
        })
    }

    /// Sets the display name a person chose for themselves (the account page). A name another account has
    /// (case-insensitively) is refused, so commits cannot pass for someone else's at a glance; keeping one's
    /// current name is always fine.
    pub fn set_own_name(&self, username: &str, name: &str) -> Result<()> {
        let name = checked_name(name)?;
        self.update_user(username, |tx, user| {
            if user.name.trim().to_lowercase() != name.to_lowercase()
                && tx.account_holding_name(&name, username)?.is_some()
            {
                return Err(Error::Conflict(format!(
                    "another account is called {name}: choose a name people can tell apart"
                )));
            }
            user.name = name;
            Ok(())
        })
    }

    /// Sets the interface language a person chose for themselves; `None` follows their browser again.
    pub fn set_language(&self, username: &str, language: Option<crate::i18n::UiLanguage>) -> Result<()> {
        self.update_user(username, |_, user| {
            user.language = language.map(|it| it.code().to_string());
            Ok(())
        })
    }

    /// Sets an account's e-mail address (admins: the admin page and `lore user email`); it must be free.
    pub fn set_email(&self, username: &str, email: &str) -> Result<()> {
        let email = checked_email(email)?;
        self.update_user(username, |tx, user| {
            check_email_free(tx, &email, username)?;
            user.email = email;
            Ok(())
        })
    }

    /// Applies the admin page's form to an account in one write: name, e-mail, role, groups, disabled.
    pub fn edit(&self, username: &str, edit: AccountEdit) -> Result<()> {
        let name = edit.name.as_deref().map(checked_name).transpose()?;
        let email = edit.email.as_deref().map(checked_email).transpose()?;
        self.update_user(username, |tx, user| {
            if let Some(email) = &email {
                check_email_free(tx, email, username)?;
            }
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
        self.update_user(username, |_, user| {
            disable(user, disabled);
            Ok(())
        })
    }

    /// The account whose password this is; `None` for unknown users, wrong passwords and disabled
    /// accounts alike, after the same hashing work, so timing does not tell them apart.
    pub fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let user = self.user(username)?;
        let hash = user.as_ref().and_then(|it| it.password_hash.clone());
        let matches = verify_password(hash.as_deref().unwrap_or_else(|| dummy_hash()), password);
        Ok(user.filter(|it| matches && hash.is_some() && !it.disabled))
    }

    /// Creates a personal token; returns its id and the token, which is shown once and never stored.
    pub fn create_token(&self, username: &str, name: &str) -> Result<(String, String)> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
            return Err(Error::bad_input("a token needs a name of 1 to 100 characters (say where you use it)"));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_hex(20));
        let id = random_hex(6);
        self.state.write(|tx| {
            if tx.account(username)?.is_none() {
                return Err(no_account(username));
            }
            tx.insert_token(&TokenRecord {
                id: id.clone(),
                username: username.to_string(),
                name: name.to_string(),
                sha256: sha256_hex(&token),
                created_at: now(),
                last_used_at: None,
            })
        })?;
        Ok((id, token))
    }

    /// Revokes any account's token (admins, the command line).
    pub fn revoke_token(&self, id: &str) -> Result<()> {
        self.revoke_token_of(id, None)
    }

    /// Revokes a token; `username` limits it to that account's tokens (`None`: any, for admins).
    pub fn revoke_token_of(&self, id: &str, username: Option<&str>) -> Result<()> {
        self.state.write(|tx| match tx.token(id)? {
            Some(token) if username.is_none_or(|it| it == token.username) => tx.delete_token(id).map(drop),
            _ => Err(Error::NotFound(format!("no token {id}"))),
        })
    }

    /// Tokens of one account, or of all.
    pub fn tokens(&self, username: Option<&str>) -> Result<Vec<TokenInfo>> {
        let tokens = self.state.tokens(username)?;
        Ok(tokens
            .into_iter()
            .map(|token| TokenInfo {
                id: token.id,
                username: token.username,
                name: token.name,
                created_at: token.created_at,
                last_used_at: token.last_used_at,
            })
            .collect())
    }

    /// The enabled account a token belongs to, noting the use.
    pub fn user_for_token(&self, token: &str) -> Result<Option<User>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(record) = self.state.token_with_hash(&sha256_hex(token))? else { return Ok(None) };
        let Some(user) = self.user(&record.username)?.filter(|it| !it.disabled) else { return Ok(None) };
        let time = now();
        if record.last_used_at.is_none_or(|last| time - last >= TOKEN_USE_INTERVAL) {
            // Bookkeeping for people: a failure to note it must not refuse the request.
            if let Err(err) = self.state.note_token_used(&record.id, time, TOKEN_USE_INTERVAL) {
                tracing::warn!(error = %err, "recording when a token was last used failed");
            }
        }
        Ok(Some(user))
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
fn check_email_free(tx: &Transaction<'_>, email: &str, username: &str) -> Result<()> {
    // The holder goes unnamed: in proxy mode this refusal reaches the person logging in.
    match tx.account_holding_email(email, username)? {
        Some(_) => Err(Error::Conflict(format!("another account already has the e-mail address {email}"))),
        None => Ok(()),
    }
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
        assert_eq!(accounts.user("ann").unwrap().unwrap().groups, vec!["hr"]);
        assert!(accounts.verify_password("ann", "correct horse").unwrap().is_some());
        assert!(accounts.verify_password("ann", "wrong horse").unwrap().is_none());
        assert!(accounts.verify_password("nobody", "correct horse").unwrap().is_none());
        let (id, token) = accounts.create_token("ann", "laptop").unwrap();
        assert_eq!(accounts.user_for_token(&token).unwrap().unwrap().username, "ann");
        // Another handle on the same folder (the command line) sees the change at once.
        let other = Accounts::open(dir.path()).unwrap();
        other.revoke_token(&id).unwrap();
        assert!(accounts.user_for_token(&token).unwrap().is_none());
        accounts.set_disabled("ann", true).unwrap();
        assert!(accounts.verify_password("ann", "correct horse").unwrap().is_none());
        assert_eq!(accounts.user("ann").unwrap().unwrap().session_epoch, 1);
        for name in ["lore.db", "lore.db-wal"] {
            let stored =
                String::from_utf8_lossy(&std::fs::read(dir.path().join(name)).unwrap_or_default()).into_owned();
            assert!(!stored.contains("correct horse") && !stored.contains(&token), "{name} holds a secret");
        }
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
        assert_eq!(
            accounts.user("bob").unwrap().unwrap().email,
            "bob@example.com",
            "a refused change changed something"
        );
        // An account may keep (or re-case) its own address, and take a free one.
        accounts.set_email("ann", "Ann@example.com").unwrap();
        accounts.edit("bob", edit("robert@example.com")).unwrap();
        assert_eq!(accounts.user("bob").unwrap().unwrap().email, "robert@example.com");
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
        assert_eq!(accounts.user("bob").unwrap().unwrap().name, "Bob the Builder");
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
