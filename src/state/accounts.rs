//! Accounts with their groups, and personal tokens (stored as their SHA-256, never the secret).

use std::collections::HashMap;

use super::db::{Conn, Row, params};
use super::{StateStore, Transaction, from_sql_int, to_sql_int};
use crate::Result;

/// An account as stored. What the fields mean (roles, epochs) is the business of `auth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub username: String,
    pub name: String,
    pub email: String,
    /// The role's name (`reader`, `editor`, `admin`).
    pub role: String,
    /// Sorted, without duplicates.
    pub groups: Vec<String>,
    /// An argon2id PHC string; `None` for accounts that log in only through a proxy or with tokens.
    pub password_hash: Option<String>,
    pub disabled: bool,
    /// Sessions begun under another epoch are void.
    pub session_epoch: u64,
    /// Seconds since the epoch.
    pub created_at: i64,
    /// The interface language the person chose (a code of `i18n::UiLanguage`); `None`: their browser's.
    pub language: Option<String>,
}

/// A personal token as stored: its SHA-256, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: String,
    pub username: String,
    pub name: String,
    /// Hex SHA-256 of the token.
    pub sha256: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl StateStore {
    /// The account named `username`.
    pub fn account(&self, username: &str) -> Result<Option<AccountRecord>> {
        self.run(|conn| account(conn, username))
    }

    /// Every account, by user name.
    pub fn accounts(&self) -> Result<Vec<AccountRecord>> {
        self.run(accounts)
    }

    /// The tokens of one account, or of all, oldest first.
    pub fn tokens(&self, username: Option<&str>) -> Result<Vec<TokenRecord>> {
        self.run(|conn| tokens(conn, username))
    }

    /// The token whose SHA-256 is `sha256`.
    pub fn token_with_hash(&self, sha256: &str) -> Result<Option<TokenRecord>> {
        self.run(|conn| {
            conn.query_opt(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE sha256 = ?1"),
                params![sha256],
                token_from_row,
            )
        })
    }

    /// Records that token `id` was used at `time`, unless a use at or after `time - interval` is recorded
    /// already (last-used times are for people: a write per request would only add contention).
    pub fn note_token_used(&self, id: &str, time: i64, interval: i64) -> Result<()> {
        self.run_write(|conn| {
            conn.execute(
                "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?3)",
                params![id, time, time - interval],
            )
            .map(drop)
        })
    }
}

impl Transaction<'_> {
    /// The account named `username`.
    pub fn account(&self, username: &str) -> Result<Option<AccountRecord>> {
        account(self.conn, username)
    }

    /// Every account, by user name.
    pub fn accounts(&self) -> Result<Vec<AccountRecord>> {
        accounts(self.conn)
    }

    /// The user name of an account other than `except` whose e-mail address is `email`, compared trimmed and
    /// ignoring case.
    pub fn account_holding_email(&self, email: &str, except: &str) -> Result<Option<String>> {
        self.conn.query_opt(
            "SELECT username FROM accounts WHERE email_key = ?1 AND username <> ?2",
            params![&fold(email), except],
            |row| row.get(0),
        )
    }

    /// The user name of an account other than `except` whose display name is `name`, compared trimmed and
    /// ignoring case.
    pub fn account_holding_name(&self, name: &str, except: &str) -> Result<Option<String>> {
        self.conn.query_opt(
            "SELECT username FROM accounts WHERE name_key = ?1 AND username <> ?2",
            params![&fold(name), except],
            |row| row.get(0),
        )
    }

    /// Adds an account; its user name must be free.
    pub fn insert_account(&self, account: &AccountRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO accounts (username, name, name_key, email, email_key, role, password_hash, disabled, \
             session_epoch, created_at, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                &account.username,
                &account.name,
                &fold(&account.name),
                &account.email,
                &fold(&account.email),
                &account.role,
                &account.password_hash,
                account.disabled,
                to_sql_int(account.session_epoch),
                account.created_at,
                &account.language,
            ],
        )?;
        self.insert_groups(account)
    }

    /// Stores every field of an existing account (found by user name); `false` when there is none.
    pub fn update_account(&self, account: &AccountRecord) -> Result<bool> {
        let updated = self.conn.execute(
            "UPDATE accounts SET name = ?2, name_key = ?3, email = ?4, email_key = ?5, role = ?6, \
             password_hash = ?7, disabled = ?8, session_epoch = ?9, created_at = ?10, language = ?11 \
             WHERE username = ?1",
            params![
                &account.username,
                &account.name,
                &fold(&account.name),
                &account.email,
                &fold(&account.email),
                &account.role,
                &account.password_hash,
                account.disabled,
                to_sql_int(account.session_epoch),
                account.created_at,
                &account.language,
            ],
        )?;
        if updated == 0 {
            return Ok(false);
        }
        self.conn.execute("DELETE FROM account_groups WHERE username = ?1", params![&account.username])?;
        self.insert_groups(account)?;
        Ok(true)
    }

    fn insert_groups(&self, account: &AccountRecord) -> Result<()> {
        for group in &account.groups {
            self.conn.execute(
                "INSERT INTO account_groups (username, group_name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![&account.username, group],
            )?;
        }
        Ok(())
    }

    /// Adds a token; its account must exist.
    pub fn insert_token(&self, token: &TokenRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO tokens (id, username, name, sha256, created_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![&token.id, &token.username, &token.name, &token.sha256, token.created_at, token.last_used_at],
        )?;
        Ok(())
    }

    /// The token with this id.
    pub fn token(&self, id: &str) -> Result<Option<TokenRecord>> {
        self.conn.query_opt(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1"), params![id], token_from_row)
    }

    /// Deletes a token; `false` when there was none.
    pub fn delete_token(&self, id: &str) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM tokens WHERE id = ?1", params![id])? > 0)
    }
}

// How names and e-mail addresses are compared: people read `Ann@X ` and `ann@x` as one.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

const ACCOUNT_COLUMNS: &str =
    "username, name, email, role, password_hash, disabled, session_epoch, created_at, language";

fn account_from_row(row: &Row<'_>) -> Result<AccountRecord> {
    Ok(AccountRecord {
        username: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        role: row.get(3)?,
        groups: Vec::new(),
        password_hash: row.get(4)?,
        disabled: row.get(5)?,
        session_epoch: from_sql_int(row.get(6)?),
        created_at: row.get(7)?,
        language: row.get(8)?,
    })
}

fn account(conn: Conn<'_>, username: &str) -> Result<Option<AccountRecord>> {
    let Some(mut account) = conn.query_opt(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = ?1"),
        params![username],
        account_from_row,
    )?
    else {
        return Ok(None);
    };
    account.groups =
        conn.query("SELECT group_name FROM account_groups WHERE username = ?1", params![username], |row| row.get(0))?;
    account.groups.sort();
    Ok(Some(account))
}

// Sorted here rather than in SQL, so the order does not depend on the database's collation.
fn accounts(conn: Conn<'_>) -> Result<Vec<AccountRecord>> {
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    let pairs = conn.query("SELECT username, group_name FROM account_groups", params![], |row| {
        Ok((row.get::<String>(0)?, row.get::<String>(1)?))
    })?;
    for (username, group) in pairs {
        groups.entry(username).or_default().push(group);
    }
    let mut res = conn.query(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"), params![], account_from_row)?;
    for account in &mut res {
        account.groups = groups.remove(&account.username).unwrap_or_default();
        account.groups.sort();
    }
    res.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(res)
}

const TOKEN_COLUMNS: &str = "id, username, name, sha256, created_at, last_used_at";

fn token_from_row(row: &Row<'_>) -> Result<TokenRecord> {
    Ok(TokenRecord {
        id: row.get(0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        sha256: row.get(3)?,
        created_at: row.get(4)?,
        last_used_at: row.get(5)?,
    })
}

fn tokens(conn: Conn<'_>, username: Option<&str>) -> Result<Vec<TokenRecord>> {
    let mut res = match username {
        Some(username) => conn.query(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE username = ?1"),
            params![username],
            token_from_row,
        )?,
        None => conn.query(&format!("SELECT {TOKEN_COLUMNS} FROM tokens"), params![], token_from_row)?,
    };
    res.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> AccountRecord {
        AccountRecord {
            username: "ann".into(),
            name: "Ann Author".into(),
            email: "Ann@Example.com".into(),
            role: "editor".into(),
            groups: vec!["hr".into(), "legal".into()],
            password_hash: Some("$argon2id$...".into()),
            disabled: false,
            session_epoch: 2,
            created_at: 1_700_000_000,
            language: None,
        }
    }

    crate::state::on_both_engines! {
        fn accounts_round_trip_with_their_groups(store) {
            store.write(|it| it.insert_account(&ann())).unwrap();
            assert_eq!(store.account("ann").unwrap(), Some(ann()));
            let changed = AccountRecord { groups: vec!["ops".into()], disabled: true, session_epoch: 3, ..ann() };
            assert!(store.write(|it| it.update_account(&changed)).unwrap());
            assert_eq!(store.accounts().unwrap(), vec![changed]);
            let nobody = AccountRecord { username: "nobody".into(), ..ann() };
            assert!(!store.write(|it| it.update_account(&nobody)).unwrap());
        }
    }

    crate::state::on_both_engines! {
        fn names_and_addresses_are_found_trimmed_and_ignoring_case(store) {
            store.write(|it| it.insert_account(&ann())).unwrap();
            store
                .write(|it| {
                    assert_eq!(it.account_holding_email(" ann@example.COM ", "bob")?.as_deref(), Some("ann"));
                    assert_eq!(it.account_holding_email("ann@example.com", "ann")?, None, "one's own address");
                    assert_eq!(it.account_holding_name("ANN AUTHOR", "bob")?.as_deref(), Some("ann"));
                    Ok(())
                })
                .unwrap();
        }
    }

    crate::state::on_both_engines! {
        fn tokens_are_found_by_hash_and_note_their_use_now_and_then(store) {
            let token = TokenRecord {
                id: "abc".into(),
                username: "ann".into(),
                name: "laptop".into(),
                sha256: "f00d".into(),
                created_at: 10,
                last_used_at: None,
            };
            let orphan = store.write(|it| it.insert_token(&token));
            assert!(orphan.is_err(), "a token without an account was stored");
            store.write(|it| it.insert_account(&ann())).unwrap();
            store.write(|it| it.insert_token(&token)).unwrap();
            assert_eq!(store.token_with_hash("f00d").unwrap().unwrap().id, "abc");
            store.note_token_used("abc", 100, 60).unwrap();
            store.note_token_used("abc", 130, 60).unwrap();
            assert_eq!(store.tokens(Some("ann")).unwrap()[0].last_used_at, Some(100), "noted again within a minute");
            store.note_token_used("abc", 170, 60).unwrap();
            assert_eq!(store.tokens(None).unwrap()[0].last_used_at, Some(170));
            assert!(store.write(|it| it.delete_token("abc")).unwrap());
            assert_eq!(store.token_with_hash("f00d").unwrap(), None);
        }
    }
}
