//! Who may read, edit and push: auth settings, roles, folder rules, and the stores behind them (accounts and
//! tokens, sessions and the push log in the state database; login throttling in memory). Knows nothing about
//! HTTP: `web::auth` maps requests to an [`Access`] and asks it.

pub mod accounts;
mod legacy;
pub mod pushlog;
pub mod sessions;
pub mod throttle;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::state::{StateLocation, StateStore};
use crate::{Error, Result};

pub use accounts::{AccountEdit, Accounts, NewUser, TokenInfo, User};
pub use pushlog::PushLog;
pub use sessions::KEY_FILE as SECRET_KEY_FILE;

/// What an account may do, in increasing order of power.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything the folder rules allow, asks questions, clones.
    Reader,
    /// Also edits pages, answers questions, pushes.
    Editor,
    /// Also manages accounts; never limited by folder rules.
    Admin,
}

impl Role {
    /// The role's name as written in settings and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(text: &str) -> Result<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(Error::bad_input(format!("unknown role {text:?}: use reader, editor or admin"))),
        }
    }
}

/// How Lore learns who is there.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Anyone may read and edit; the browser says who it is.
    #[default]
    Open,
    /// Accounts with passwords in the data folder.
    Local,
    /// An authenticating proxy in front of Lore names the user in request headers.
    Proxy,
}

impl AuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Open => "open",
            AuthMode::Local => "local",
            AuthMode::Proxy => "proxy",
        }
    }
}

/// The `auth:` section of `lore.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub mode: AuthMode,
    /// In local and proxy mode: may people who are not logged in read?
    pub anonymous_read: bool,
    /// Serve open mode on a non-loopback address (everyone who can reach it may edit).
    pub allow_open: bool,
    /// The role of accounts created at first sight (proxy mode) or without `--role`.
    pub default_role: Role,
    /// How long a login lasts.
    pub session_hours: u32,
    /// Addresses (`10.0.0.5`, `10.0.0.0/8`) whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<String>,
    pub proxy: ProxyConfig,
    /// Folder rules; the first whose `path` matches a file decides.
    pub rules: Vec<FolderRule>,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            mode: AuthMode::Open,
            anonymous_read: true,
            allow_open: false,
            default_role: Role::Editor,
            session_hours: 14 * 24,
            trusted_proxies: Vec::new(),
            proxy: ProxyConfig::default(),
            rules: Vec::new(),
        }
    }
}

/// Which request headers carry the user in proxy mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxyConfig {
    pub user_header: String,
    pub email_header: String,
    pub name_header: String,
    /// Comma-separated group names.
    pub groups_header: String,
    /// Groups whose members get at least this role.
    pub group_roles: BTreeMap<String, Role>,
}

impl Default for ProxyConfig {
    fn default() -> ProxyConfig {
        ProxyConfig {
            user_header: "X-Forwarded-User".into(),
            email_header: "X-Forwarded-Email".into(),
            name_header: "X-Forwarded-Preferred-Username".into(),
            groups_header: "X-Forwarded-Groups".into(),
            group_roles: BTreeMap::new(),
        }
    }
}

/// Who may read or edit the files a glob matches. `None` leaves that to the role.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FolderRule {
    pub path: String,
    pub read: Option<Vec<String>>,
    pub edit: Option<Vec<String>>,
}

/// The folder rules, compiled once at start.
#[derive(Debug, Default)]
pub struct Rules {
    rules: Vec<(GlobMatcher, FolderRule)>,
}

impl Rules {
    pub fn compile(rules: &[FolderRule]) -> Result<Rules> {
        let mut compiled = Vec::new();
        for rule in rules {
            let pattern = rule.path.trim_start_matches('/');
            let glob = Glob::new(pattern)
                .map_err(|err| Error::bad_input(format!("auth.rules: bad path pattern {:?}: {err}", rule.path)))?;
            compiled.push((glob.compile_matcher(), rule.clone()));
        }
        Ok(Rules { rules: compiled })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    fn deciding(&self, path: &str) -> Option<&FolderRule> {
        self.rules.iter().find(|(glob, _)| glob.is_match(path)).map(|(_, rule)| rule)
    }

    /// Whether some file could be closed to readers outside a group (so a clone is not for everyone).
    fn restricts_reading(&self) -> bool {
        self.rules.iter().any(|(_, rule)| rule.read.is_some())
    }
}

/// Parsed `trusted_proxies`.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<(IpAddr, u8)>,
}

impl TrustedProxies {
    pub fn parse(entries: &[String]) -> Result<TrustedProxies> {
        let mut networks = Vec::new();
        for entry in entries {
            let (address, prefix) = match entry.split_once('/') {
                Some((address, prefix)) => (address, Some(prefix)),
                None => (entry.as_str(), None),
            };
            let bad = || Error::bad_input(format!("auth.trusted_proxies: {entry:?} is not an address or network"));
            let address: IpAddr = address.trim().parse().map_err(|_| bad())?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                Some(prefix) => prefix.trim().parse::<u8>().ok().filter(|it| *it <= max).ok_or_else(bad)?,
                None => max,
            };
            networks.push((address, prefix));
        }
        Ok(TrustedProxies { networks })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        self.networks.iter().any(|(network, prefix)| match (network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
                u32::from(*network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
                u128::from(*network) & mask == u128::from(address) & mask
            }
            _ => false,
        })
    }
}

/// Someone's standing: a role (none when anonymous) and groups, with the rules they are judged by.
#[derive(Debug, Clone)]
pub struct Access {
    /// `None` for anonymous visitors.
    pub role: Option<Role>,
    pub groups: Vec<String>,
    /// Whether this visitor may read at all (anonymous visitors only with `anonymous_read`).
    pub may_read: bool,
    /// A replica of this wiki: it reads every file (to mirror them) and changes none.
    replica: bool,
    rules: Arc<Rules>,
}

impl Access {
    pub fn new(role: Option<Role>, groups: Vec<String>, may_read: bool, rules: Arc<Rules>) -> Access {
        Access { role, groups, may_read, replica: false, rules }
    }

    /// A replica of this wiki (authenticated with the cluster token): reads every file, whatever the folder
    /// rules say, and may change nothing.
    pub fn replica(rules: Arc<Rules>) -> Access {
        Access { role: None, groups: Vec::new(), may_read: true, replica: true, rules }
    }

    /// Whether this is a replica's standing ([`Access::replica`]).
    pub fn is_replica(&self) -> bool {
        self.replica
    }

    /// Someone no rule limits: an admin's standing, for Lore's own tools (`lore reindex`, tests) that act on
    /// the whole wiki.
    pub fn unrestricted() -> Access {
        Access::new(Some(Role::Admin), Vec::new(), true, Arc::new(Rules::default()))
    }

    /// Open mode: everyone edits, rules still apply to everyone.
    pub fn everyone(rules: Arc<Rules>) -> Access {
        Access::new(Some(Role::Editor), Vec::new(), true, rules)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }

    /// A key that is equal for two visitors exactly when the rules let them read the same files: what views
    /// filtered for a reader are cached by.
    pub fn fingerprint(&self) -> String {
        let mut groups: Vec<String> = self.groups.iter().map(|it| it.to_lowercase()).collect();
        groups.sort();
        format!("{:?}|{}|{}|{}", self.role, self.may_read, self.replica, groups.join(","))
    }

    pub fn at_least(&self, role: Role) -> bool {
        self.role.is_some_and(|it| it >= role)
    }

    /// True when no folder rule can ever hide anything from this visitor: lists need no filtering.
    pub fn sees_everything(&self) -> bool {
        self.may_read && (self.is_admin() || self.replica || self.rules.is_empty() || !self.rules.restricts_reading())
    }

    fn in_any(&self, groups: &[String]) -> bool {
        groups.iter().any(|group| self.groups.iter().any(|it| it.eq_ignore_ascii_case(group)))
    }

    /// May this visitor read the file at `path` (a repository path such as `hr/pay.md`)?
    pub fn can_read(&self, path: &str) -> bool {
        if !self.may_read {
            return false;
        }
        if self.is_admin() || self.replica || self.rules.is_empty() {
            return true;
        }
        match self.rules.deciding(path).and_then(|rule| rule.read.as_deref()) {
            Some(groups) => self.in_any(groups),
            None => true,
        }
    }

    /// May this visitor change the file at `path`?
    pub fn can_edit(&self, path: &str) -> bool {
        if !self.at_least(Role::Editor) || !self.can_read(path) {
            return false;
        }
        if self.is_admin() {
            return true;
        }
        match self.rules.deciding(path).and_then(|rule| rule.edit.as_deref()) {
            Some(groups) => self.in_any(groups),
            None => true,
        }
    }

    /// May this visitor read every file there could be (a git clone carries all of them)?
    pub fn can_read_everything(&self) -> bool {
        self.may_read
            && (self.is_admin()
                || self.replica
                || self.rules.rules.iter().all(|(_, rule)| rule.read.as_deref().is_none_or(|it| self.in_any(it))))
    }

    /// May this visitor change every file there could be (a push may touch any)?
    pub fn can_edit_everything(&self) -> bool {
        self.at_least(Role::Editor)
            && self.can_read_everything()
            && (self.is_admin()
                || self.rules.rules.iter().all(|(_, rule)| rule.edit.as_deref().is_none_or(|it| self.in_any(it))))
    }
}

/// Everything the server needs to decide who is there and what they may do.
pub struct Auth {
    pub config: AuthConfig,
    pub rules: Arc<Rules>,
    pub trusted_proxies: TrustedProxies,
    pub accounts: Accounts,
    pub sessions: sessions::Sessions,
    pub throttle: throttle::Throttle,
    pub push_log: Arc<pushlog::PushLog>,
    /// The people-state database the stores above sit on (follows and inboxes keep their state here too).
    pub state: Arc<StateStore>,
    /// Given to the git hooks Lore runs, so only they can tell the server who pushed.
    pub hook_secret: String,
}

impl Auth {
    /// Loads the settings' rules and the stores in `data_dir` (one state database, see [`open_state`]).
    pub fn open(config: &AuthConfig, data_dir: &Path) -> Result<Auth> {
        Auth::open_at(config, data_dir, &StateLocation::Embedded)
    }

    /// Loads the settings' rules and the stores, with the state database at `location`.
    pub fn open_at(config: &AuthConfig, data_dir: &Path, location: &StateLocation) -> Result<Auth> {
        let rules = Arc::new(Rules::compile(&config.rules)?);
        let trusted_proxies = TrustedProxies::parse(&config.trusted_proxies)?;
        let state = open_state_at(data_dir, location)?;
        Ok(Auth {
            config: config.clone(),
            rules,
            trusted_proxies,
            accounts: Accounts::new(state.clone()),
            sessions: sessions::Sessions::open(state.clone(), data_dir)?,
            throttle: throttle::Throttle::default(),
            push_log: Arc::new(pushlog::PushLog::new(state.clone())),
            state,
            hook_secret: random_hex(16),
        })
    }

    /// What an account may do: its role raised by the roles its groups map to (proxy mode), and its groups.
    pub fn access_of(&self, user: &User, extra_groups: &[String]) -> Access {
        let mut groups = user.groups.clone();
        groups.extend(extra_groups.iter().cloned());
        let mapped = groups.iter().filter_map(|group| self.config.proxy.group_roles.get(group)).max().copied();
        let role = mapped.map_or(user.role, |it| it.max(user.role));
        Access::new(Some(role), groups, true, self.rules.clone())
    }

    /// What someone who is not logged in may do.
    pub fn anonymous(&self) -> Access {
        match self.config.mode {
            AuthMode::Open => Access::everyone(self.rules.clone()),
            _ => Access::new(None, Vec::new(), self.config.anonymous_read, self.rules.clone()),
        }
    }
}

/// Opens the state database in `data_dir` (created on the first start) and, the first time, imports the
/// account, session and push-log files an older Lore kept there, keeping them renamed to `<name>.migrated`.
pub fn open_state(data_dir: &Path) -> Result<Arc<StateStore>> {
    open_state_at(data_dir, &StateLocation::Embedded)
}

/// Opens the state database at `location` (see [`open_state`]; the old files are read from `data_dir`).
pub fn open_state_at(data_dir: &Path, location: &StateLocation) -> Result<Arc<StateStore>> {
    let state = StateStore::open_at(data_dir, location)?;
    legacy::import(&state, data_dir)?;
    Ok(Arc::new(state))
}

/// Checks a user name: what people type at login and what git allows in a path-free identifier.
pub fn check_username(username: &str) -> Result<()> {
    let ok = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|it| it.is_ascii_alphanumeric() || matches!(it, '.' | '_' | '-' | '@'))
        && !username.starts_with(['-', '.']);
    if ok {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "user name {username:?}: use 1 to 64 letters, digits, '.', '_', '-' or '@', not starting with '-' or '.'"
        )))
    }
}

/// Hex of random bytes: session ids, tokens, salts.
pub(crate) fn random_hex(n_bytes: usize) -> String {
    let mut bytes = vec![0u8; n_bytes];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex(&bytes)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// SHA-256 of a secret, in hex: what the stores keep instead of tokens and session ids.
pub(crate) fn sha256_hex(secret: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(secret.as_bytes()))
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Arc<Rules> {
        Arc::new(
            Rules::compile(&[
                FolderRule { path: "hr/**".into(), read: Some(vec!["hr".into()]), edit: None },
                FolderRule { path: "policies/**".into(), read: None, edit: Some(vec!["legal".into()]) },
            ])
            .unwrap(),
        )
    }

    #[test]
    fn first_matching_rule_decides() {
        let reader = Access::new(Some(Role::Reader), vec![], true, rules());
        assert!(!reader.can_read("hr/pay.md"));
        assert!(reader.can_read("hr.md"));
        assert!(reader.can_read("policies/travel.md"));
        assert!(!reader.can_edit("guide.md"));
        let editor = Access::new(Some(Role::Editor), vec!["HR".into()], true, rules());
        assert!(editor.can_read("hr/pay.md"));
        assert!(editor.can_edit("hr/pay.md"));
        assert!(!editor.can_edit("policies/travel.md"));
        assert!(editor.can_read_everything());
        assert!(!editor.can_edit_everything());
        let admin = Access::new(Some(Role::Admin), vec![], true, rules());
        assert!(admin.can_edit("policies/travel.md") && admin.can_edit_everything());
        let anonymous = Access::new(None, vec![], false, rules());
        assert!(!anonymous.can_read("guide.md"));
    }

    #[test]
    fn trusted_networks() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8".into(), "127.0.0.1".into(), "::1".into()]).unwrap();
        assert!(trusted.contains("10.2.3.4".parse().unwrap()));
        assert!(trusted.contains("127.0.0.1".parse().unwrap()));
        assert!(!trusted.contains("127.0.0.2".parse().unwrap()));
        assert!(trusted.contains("::1".parse().unwrap()));
        assert!(trusted.contains("::ffff:10.1.1.1".parse().unwrap()));
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
    }
}
