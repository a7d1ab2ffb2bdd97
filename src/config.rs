//! Settings: `lore.yaml` read with serde_yaml, then overridden by command-line flags in `cli`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::language::LanguageRules;
use crate::{Error, Result};

/// Every setting of a Lore server. Unknown keys in `lore.yaml` are an error, so typos do not go unnoticed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Folder for Lore's own data: the seeded `wiki.git` and indexes.
    pub data: PathBuf,
    /// An existing git repository to serve instead of `<data>/wiki.git`.
    pub repo: Option<PathBuf>,
    /// Branch to serve; defaults to the repository's HEAD.
    pub branch: Option<String>,
    /// A theme folder whose files override the built-in theme file by file.
    pub theme: Option<PathBuf>,
    /// Site name shown in the header and the window title.
    pub site_title: String,
    /// Largest page (Markdown file) accepted or rendered, in bytes.
    pub max_page_bytes: u64,
    /// Largest uploaded file (and largest non-Markdown file in a push), in bytes.
    pub max_upload_bytes: u64,
    /// Memory for caches (rendered pages, finished page views stored compressed, page metadata, blame), in
    /// megabytes: one budget, shared out by `site::cache::CacheBudgets`.
    pub cache_mb: u64,
    /// Seconds a client has to send a request's headers (and an idle connection to start its next request).
    pub header_timeout_secs: u64,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
    /// The `lore` binary the installed git hooks run; defaults to the running binary.
    pub lore_binary: Option<PathBuf>,
    /// Who may read, edit and push (see docs/ACCOUNTS.md).
    pub auth: crate::auth::AuthConfig,
    /// How many of the people "Who knows about this?" ranks highest hear of a new question.
    pub notify_experts: usize,
    /// How long a question may wait for an answer before it goes to everyone who follows its tags (and to its
    /// experts again): a number and a unit, `90m`, `24h`, `2d`.
    pub unanswered_after: String,
    /// The site's language: pages whose language is neither declared nor detectable are in it, and search
    /// ranks it right after the reader's own languages.
    pub language: String,
    /// Folder rules: the language of the pages whose paths match, unless their front matter says otherwise.
    pub languages: Vec<LanguageRule>,
    /// Paths of pages that translate each other, such as `pages.{lang}/{rest}` and `pages/{rest}`: pages whose
    /// paths match with the same `{rest}` are translations (see `content::language`).
    pub translations: Vec<String>,
    /// The address people reach Lore at (`https://wiki.example.com`), for the links in e-mails and webhooks;
    /// `http://<listen>` when unset.
    pub public_url: Option<PublicUrl>,
    /// Sending e-mail (instant messages and digests) through SMTP; no e-mail without it (see
    /// docs/NOTIFICATIONS.md).
    pub mail: Option<MailConfig>,
    /// Where events are posted for chat and other tools.
    pub webhooks: Vec<WebhookConfig>,
    /// Addresses and networks that may read `/-/metrics` without logging in (admins may from anywhere):
    /// `127.0.0.1`, `10.0.0.0/8`, `::1`. Loopback only by default.
    pub metrics_allow: Vec<Network>,
    /// Hosts (`host` or `host:port`) whose players a page's `<iframe>` may show, over https, in a sandbox;
    /// pages' Content-Security-Policy allows frames from exactly these. Other frames show as a box with a link.
    pub embeds: Vec<String>,
    /// The people-state database: `postgres://user:password@host:port/database` for a PostgreSQL database
    /// that several Lore nodes share; unset for SQLite in `<data>/lore.db` (see docs/OPERATIONS.md).
    pub state: Option<crate::state::PostgresUrl>,
    /// Makes this server a replica of the primary at this address (`http://primary:8080`): it mirrors the
    /// primary's repository, serves every read itself and forwards every write to the primary (see
    /// docs/OPERATIONS.md). Needs `state` (the primary's database) and `cluster_token`.
    pub replica_of: Option<PrimaryUrl>,
    /// The secret primary and replicas share: replicas fetch the repository and follow its changes with it,
    /// and the primary trusts the client addresses a replica forwards. At least 32 characters.
    pub cluster_token: Option<ClusterToken>,
}

/// The address of a primary Lore: `http://host:port`, without a path (replicas reach it directly, on the
/// internal network).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PrimaryUrl {
    text: String,
    pub host: String,
    pub port: u16,
}

impl PrimaryUrl {
    /// Checks an address: `http://host[:port]` (port 80 by default), nothing after it.
    pub fn parse(text: &str) -> Result<PrimaryUrl> {
        let text = text.trim().trim_end_matches('/');
        let bad = |why: &str| Error::bad_input(format!("replica_of {text:?}: {why}"));
        let url = url::Url::parse(text).map_err(|err| bad(&err.to_string()))?;
        if url.scheme() != "http" {
            return Err(bad("use http://host:port, the primary's own address on the internal network"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(bad("give only http://host:port"));
        }
        let host = url.host_str().ok_or_else(|| bad("no host"))?.to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        Ok(PrimaryUrl { text: text.to_string(), host, port })
    }

    /// `http://host:port`, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl TryFrom<String> for PrimaryUrl {
    type Error = Error;

    fn try_from(text: String) -> Result<PrimaryUrl> {
        PrimaryUrl::parse(&text)
    }
}

impl From<PrimaryUrl> for String {
    fn from(url: PrimaryUrl) -> String {
        url.text
    }
}

/// The cluster's shared secret; never shown (`Debug` hides it).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClusterToken(String);

impl ClusterToken {
    /// Checks a token: at least 32 characters, printable ASCII without spaces (it travels in HTTP headers).
    pub fn parse(text: &str) -> Result<ClusterToken> {
        let text = text.trim();
        if text.len() < 32 || !text.bytes().all(|it| it.is_ascii_graphic()) {
            return Err(Error::bad_input(
                "cluster_token: use at least 32 printable characters without spaces, such as the output of \
                 `openssl rand -hex 32`",
            ));
        }
        Ok(ClusterToken(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ClusterToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterToken(…)")
    }
}

impl TryFrom<String> for ClusterToken {
    type Error = Error;

    fn try_from(text: String) -> Result<ClusterToken> {
        ClusterToken::parse(&text)
    }
}

impl From<ClusterToken> for String {
    fn from(token: ClusterToken) -> String {
        token.0
    }
}

/// The hosts whose players pages may embed unless `lore.yaml` says otherwise: YouTube's privacy-enhanced
/// player (YouTube addresses are embedded from it), Vimeo's and Loom's.
pub const DEFAULT_EMBED_HOSTS: [&str; 3] = ["www.youtube-nocookie.com", "player.vimeo.com", "www.loom.com"];

/// One folder rule of `languages:`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageRule {
    /// A glob of paths, e.g. `pages.de/**`.
    pub path: String,
    /// A language code, e.g. `de` or `pt-BR`.
    pub lang: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("lore-data"),
            repo: None,
            branch: None,
            theme: None,
            site_title: "Lore".to_string(),
            max_page_bytes: 5 * 1024 * 1024,
            max_upload_bytes: 25 * 1024 * 1024,
            cache_mb: 320,
            header_timeout_secs: 10,
            max_connections: 1024,
            lore_binary: None,
            auth: crate::auth::AuthConfig::default(),
            notify_experts: 3,
            unanswered_after: "24h".into(),
            language: "en".to_string(),
            languages: Vec::new(),
            translations: Vec::new(),
            public_url: None,
            mail: None,
            webhooks: Vec::new(),
            state: None,
            replica_of: None,
            cluster_token: None,
            metrics_allow: vec![Network::parse("127.0.0.0/8").expect("valid"), Network::parse("::1").expect("valid")],
            embeds: DEFAULT_EMBED_HOSTS.map(String::from).to_vec(),
        }
    }
}

impl Config {
    /// Reads a `lore.yaml` file; every key is optional.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)?;
        let config = Config::parse(&text).map_err(|err| Error::bad_input(format!("{}: {err}", path.display())))?;
        config.language_rules().map_err(|err| Error::bad_input(format!("{}: {err}", path.display())))?;
        config.check_embeds().map_err(|err| Error::bad_input(format!("{}: {err}", path.display())))?;
        Ok(config)
    }

    /// The interface language of readers whose account and browser name none Lore ships: the site's
    /// `language` when Lore's interface comes in it (`de-AT` → German), else English.
    pub fn interface_language(&self) -> crate::i18n::UiLanguage {
        crate::i18n::UiLanguage::nearest(&self.language).unwrap_or_default()
    }

    /// The language settings compiled; fails on a bad code, glob or pattern.
    pub fn language_rules(&self) -> Result<LanguageRules> {
        let folders: Vec<(String, String)> =
            self.languages.iter().map(|it| (it.path.clone(), it.lang.clone())).collect();
        LanguageRules::new(&self.language, &folders, &self.translations)
    }

    /// Parses the text of a `lore.yaml` file.
    pub fn parse(text: &str) -> Result<Config, serde_yaml::Error> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        serde_yaml::from_str(text)
    }

    /// The repository Lore serves: `--repo`, else the managed `<data>/wiki.git`.
    pub fn repo_path(&self) -> PathBuf {
        self.repo.clone().unwrap_or_else(|| self.data.join("wiki.git"))
    }

    /// `unanswered_after` in seconds; a bad value is refused at start.
    pub fn unanswered_after_seconds(&self) -> Result<i64> {
        parse_duration(&self.unanswered_after).ok_or_else(|| {
            Error::bad_input(format!(
                "unanswered_after: {:?} is not a duration such as 90m, 24h or 2d",
                self.unanswered_after
            ))
        })
    }

    /// Checks `embeds`: each entry a host name, with a port if need be, and not the host people reach Lore at
    /// (its pages in a frame that may run script with their own origin would no longer be sandboxed).
    pub fn check_embeds(&self) -> Result<()> {
        let own_host = self.public_url.as_ref().and_then(|it| url::Url::parse(it.as_str()).ok());
        let own_host = own_host.and_then(|it| it.host_str().map(str::to_ascii_lowercase));
        for host in &self.embeds {
            let parsed = url::Url::parse(&format!("https://{host}/")).ok();
            let (name, port) = host.split_once(':').unwrap_or((host, "1"));
            let is_host = !name.is_empty()
                && name.bytes().all(|it| it.is_ascii_alphanumeric() || it == b'.' || it == b'-')
                && port.parse::<u16>().is_ok_and(|it| it > 0)
                && parsed.as_ref().is_some_and(|it| format!("https://{}/", host.to_ascii_lowercase()) == it.as_str());
            if !is_host {
                return Err(Error::bad_input(format!(
                    "embeds: {host:?} is not a host name such as www.youtube-nocookie.com (no scheme, no path)"
                )));
            }
            if parsed.and_then(|it| it.host_str().map(str::to_string)) == own_host {
                return Err(Error::bad_input(format!("embeds: {host:?} is Lore's own host, which must not be framed")));
            }
        }
        Ok(())
    }

    /// Where the people state lives: the `state:` database, else `<data>/lore.db`.
    pub fn state_location(&self) -> crate::state::StateLocation {
        match &self.state {
            Some(url) => crate::state::StateLocation::Postgres(url.clone()),
            None => crate::state::StateLocation::Embedded,
        }
    }

    /// Whether this server is a replica (`replica_of`): it then never commits, and forwards writes.
    pub fn is_replica(&self) -> bool {
        self.replica_of.is_some()
    }

    /// Checks the settings of a cluster: a replica needs the cluster token and a shared state database, and
    /// mirrors into its own data folder (no `repo`).
    pub fn check_cluster(&self) -> Result<()> {
        if self.replica_of.is_none() {
            return Ok(());
        }
        if self.cluster_token.is_none() {
            return Err(Error::bad_input("replica_of needs cluster_token, the secret the primary has too"));
        }
        if self.state.is_none() {
            return Err(Error::bad_input(
                "replica_of needs state: postgres://…, the database the primary uses (accounts and sessions are shared)",
            ));
        }
        if self.repo.is_some() {
            return Err(Error::bad_input("a replica mirrors the primary into <data>/wiki.git: leave repo unset"));
        }
        Ok(())
    }

    /// Whether Lore manages (creates and seeds) the repository itself.
    pub fn manages_repo(&self) -> bool {
        self.repo.is_none()
    }

    /// The address links in e-mails and webhooks start with, without a trailing slash: `public_url`, else
    /// `http://` and the address this server listens on.
    pub fn site_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.as_str().to_string(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// The kinds of event Lore reads from commits, as webhooks' `events` name them.
pub const EVENT_KINDS: [&str; 11] = [
    "page_created",
    "page_changed",
    "page_deleted",
    "page_moved",
    "question_asked",
    "question_for_you",
    "answer_posted",
    "answer_accepted",
    "mentioned",
    "review_due",
    "owner_departed",
];

/// An `http(s)://` address with a host, without a trailing slash: where people reach Lore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicUrl(String);

impl PublicUrl {
    /// Checks an address: `http` or `https`, a host, no query or fragment.
    pub fn parse(text: &str) -> Result<PublicUrl> {
        let url = http_url("public_url", text)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::bad_input(format!("public_url {text:?}: no query or fragment, please")));
        }
        Ok(PublicUrl(text.trim().trim_end_matches('/').to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PublicUrl {
    type Error = Error;

    fn try_from(text: String) -> Result<PublicUrl> {
        PublicUrl::parse(&text)
    }
}

impl From<PublicUrl> for String {
    fn from(url: PublicUrl) -> String {
        url.0
    }
}

/// An address or a network (`10.0.0.0/8`, `fd00::/8`, or one address such as `192.0.2.7`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Network(ipnet::IpNet);

impl Network {
    /// Reads CIDR notation, or one address (a network of one).
    pub fn parse(text: &str) -> Result<Network> {
        let text = text.trim();
        let network = match text.parse::<ipnet::IpNet>() {
            Ok(network) => network,
            Err(_) => text
                .parse::<std::net::IpAddr>()
                .map(ipnet::IpNet::from)
                .map_err(|_| Error::bad_input(format!("{text:?} is not an address or network such as 10.0.0.0/8")))?,
        };
        Ok(Network(network.trunc()))
    }

    /// Whether `address` is in this network (an IPv4 address written as IPv6, `::ffff:10.0.0.1`, counts as IPv4).
    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        let address = match address {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, std::net::IpAddr::V4),
            v4 => v4,
        };
        self.0.contains(&address)
    }
}

impl TryFrom<String> for Network {
    type Error = Error;

    fn try_from(text: String) -> Result<Network> {
        Network::parse(&text)
    }
}

impl From<Network> for String {
    fn from(network: Network) -> String {
        network.0.to_string()
    }
}

/// The `mail:` section: an SMTP server to send through, and when digests go out.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// `smtp://host[:port]` (plain, for a relay on this machine or network; port 25), `smtp://host?tls=starttls`
    /// (STARTTLS required; port 587) or `smtps://host[:port]` (TLS from the start; port 465).
    pub smtp_url: SmtpUrl,
    /// The sender: `Lore <lore@example.com>` or `lore@example.com`.
    pub from: String,
    /// SMTP login, with `password`.
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The hour (0–23, UTC) at which daily and (on Mondays) weekly digests are due.
    #[serde(default)]
    pub digest_hour: DigestHour,
}

/// How Lore talks to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS: only for a relay on this machine or a trusted network.
    Plain,
    /// A plain connection upgraded with STARTTLS, which must succeed.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
}

/// A checked `smtp_url`: scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SmtpUrl {
    text: String,
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

impl SmtpUrl {
    /// Checks an SMTP address: `smtp://` or `smtps://`, a host, an optional port, `?tls=starttls` only with
    /// `smtp://`, and no credentials (they go in `mail.user` and `mail.password`).
    pub fn parse(text: &str) -> Result<SmtpUrl> {
        let bad = |why: &str| Error::bad_input(format!("mail.smtp_url {text:?}: {why}"));
        let url = url::Url::parse(text.trim()).map_err(|err| bad(&err.to_string()))?;
        let host = url.host_str().filter(|it| !it.is_empty()).ok_or_else(|| bad("no host"))?.to_string();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("put the login in mail.user and mail.password, not in the address"));
        }
        if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
            return Err(bad("an SMTP address has no path"));
        }
        let starttls = match url.query() {
            None | Some("") => false,
            Some("tls=starttls") => true,
            Some(_) => return Err(bad("the only option is ?tls=starttls")),
        };
        let (security, default_port) = match (url.scheme(), starttls) {
            ("smtp", false) => (SmtpSecurity::Plain, 25),
            ("smtp", true) => (SmtpSecurity::StartTls, 587),
            ("smtps", false) => (SmtpSecurity::Tls, 465),
            ("smtps", true) => return Err(bad("smtps:// is TLS already; ?tls=starttls goes with smtp://")),
            _ => return Err(bad("use smtp:// or smtps://")),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        Ok(SmtpUrl { text: text.trim().to_string(), host, port: url.port().unwrap_or(default_port), security })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl TryFrom<String> for SmtpUrl {
    type Error = Error;

    fn try_from(text: String) -> Result<SmtpUrl> {
        SmtpUrl::parse(&text)
    }
}

impl From<SmtpUrl> for String {
    fn from(url: SmtpUrl) -> String {
        url.text
    }
}

/// An hour of the day, 0 to 23 (UTC): when digests are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct DigestHour(u32);

impl DigestHour {
    pub fn new(hour: u32) -> Result<DigestHour> {
        if hour < 24 {
            Ok(DigestHour(hour))
        } else {
            Err(Error::bad_input(format!("mail.digest_hour {hour}: use an hour from 0 to 23 (UTC)")))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for DigestHour {
    fn default() -> DigestHour {
        DigestHour(8)
    }
}

impl TryFrom<u32> for DigestHour {
    type Error = Error;

    fn try_from(hour: u32) -> Result<DigestHour> {
        DigestHour::new(hour)
    }
}

impl From<DigestHour> for u32 {
    fn from(hour: DigestHour) -> u32 {
        hour.0
    }
}

/// One entry of `webhooks:`: where to post which events, in which format.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// A name for the admin page and logs (the URL's host when unset: chat webhook URLs hold secrets).
    #[serde(default)]
    pub name: Option<String>,
    /// Where to post: `http://` or `https://`.
    pub url: WebhookUrl,
    /// The event kinds to post (see [`EVENT_KINDS`]); all when empty.
    #[serde(default)]
    pub events: Vec<EventKindName>,
    /// Only events on paths these globs match (`eng/**`). Without it, only paths every reader may read; with
    /// it, whatever the globs match, hidden folders included: the admin chose them.
    #[serde(default)]
    pub paths: Vec<PathGlob>,
    /// Only events on pages carrying one of these tags (any of them).
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub format: WebhookFormat,
    /// Key for the `X-Lore-Signature-256` header (HMAC-SHA256 of the body); no header without it.
    #[serde(default)]
    pub secret: Option<String>,
}

/// What a webhook's body looks like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// The documented event body (docs/NOTIFICATIONS.md).
    #[default]
    Json,
    /// `{"text": …}`: the incoming-webhook message of Slack, Mattermost and Rocket.Chat.
    Slack,
}

/// A webhook's address: `http://` or `https://` with a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(text: &str) -> Result<WebhookUrl> {
        http_url("webhooks.url", text)?;
        Ok(WebhookUrl(text.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host (and port), for showing a webhook without the secrets its path may hold.
    pub fn host(&self) -> String {
        url::Url::parse(&self.0)
            .ok()
            .and_then(|it| {
                it.host_str().map(|host| it.port().map_or(host.to_string(), |port| format!("{host}:{port}")))
            })
            .unwrap_or_default()
    }
}

impl TryFrom<String> for WebhookUrl {
    type Error = Error;

    fn try_from(text: String) -> Result<WebhookUrl> {
        WebhookUrl::parse(&text)
    }
}

impl From<WebhookUrl> for String {
    fn from(url: WebhookUrl) -> String {
        url.0
    }
}

/// One of [`EVENT_KINDS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventKindName(String);

impl EventKindName {
    pub fn parse(text: &str) -> Result<EventKindName> {
        let kind = text.trim();
        if EVENT_KINDS.contains(&kind) {
            Ok(EventKindName(kind.to_string()))
        } else {
            Err(Error::bad_input(format!("webhooks.events: unknown event {text:?}; use {}", EVENT_KINDS.join(", "))))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EventKindName {
    type Error = Error;

    fn try_from(text: String) -> Result<EventKindName> {
        EventKindName::parse(&text)
    }
}

impl From<EventKindName> for String {
    fn from(kind: EventKindName) -> String {
        kind.0
    }
}

/// A path glob that parses (`eng/**`, `*.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PathGlob(String);

impl PathGlob {
    pub fn parse(text: &str) -> Result<PathGlob> {
        let pattern = text.trim().trim_start_matches('/');
        globset::Glob::new(pattern)
            .map_err(|err| Error::bad_input(format!("webhooks.paths: bad glob {text:?}: {err}")))?;
        Ok(PathGlob(pattern.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PathGlob {
    type Error = Error;

    fn try_from(text: String) -> Result<PathGlob> {
        PathGlob::parse(&text)
    }
}

impl From<PathGlob> for String {
    fn from(glob: PathGlob) -> String {
        glob.0
    }
}

// An absolute `http://` or `https://` address with a host.
fn http_url(key: &str, text: &str) -> Result<url::Url> {
    let bad = |why: String| Error::bad_input(format!("{key} {text:?}: {why}"));
    let url = url::Url::parse(text.trim()).map_err(|err| bad(err.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!("only http:// and https:// addresses are allowed, not {}://", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".into()));
    }
    Ok(url)
}

// `90m`, `24h`, `2d` (and `30s`) as seconds.
fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].trim().parse().ok().filter(|it| *it > 0)?;
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return None,
    };
    number.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_refused(yaml: &str, expected: &str) {
        let err = Config::parse(yaml).expect_err("the settings were accepted").to_string();
        assert!(err.contains(expected), "{err}");
    }

    #[test]
    fn metrics_allow_takes_addresses_and_networks() {
        let config = Config::parse("metrics_allow: [10.1.0.0/16, 192.0.2.7, 'fd00::/8']\n").unwrap();
        let allowed = |text: &str| config.metrics_allow.iter().any(|it| it.contains(text.parse().unwrap()));
        assert!(allowed("10.1.200.3"));
        assert!(allowed("::ffff:10.1.0.9"));
        assert!(allowed("192.0.2.7"));
        assert!(allowed("fd00::1"));
        assert!(!allowed("192.0.2.8"));
        assert!(!allowed("127.0.0.1"));
        let defaults = Config::default();
        assert!(defaults.metrics_allow.iter().any(|it| it.contains("127.0.0.1".parse().unwrap())));
        assert!(defaults.metrics_allow.iter().any(|it| it.contains("::1".parse().unwrap())));
        check_refused("metrics_allow: [10.0.0.0/33]\n", "not an address or network");
        check_refused("metrics_allow: [intranet]\n", "not an address or network");
    }

    #[test]
    fn embeds_are_host_names_and_default_to_three_players() {
        assert_eq!(Config::default().embeds, ["www.youtube-nocookie.com", "player.vimeo.com", "www.loom.com"]);
        let config = Config::parse("embeds: [video.example.com, 'media.example.com:8443']\n").unwrap();
        config.check_embeds().unwrap();
        assert!(Config::parse("embeds: []\n").unwrap().embeds.is_empty());
        for bad in ["https://x.example.com", "x.example.com/path", "", "a b", "user@x.example.com", "x.example.com:443"]
        {
            let config = Config { embeds: vec![bad.to_string()], ..Config::default() };
            assert!(config.check_embeds().is_err(), "{bad:?} was accepted");
        }
        let own = Config::parse("public_url: https://Wiki.Example.com\nembeds: [wiki.example.com]\n").unwrap();
        assert!(own.check_embeds().unwrap_err().to_string().contains("own host"));
    }

    #[test]
    fn mail_and_webhooks_parse() {
        let config = Config::parse(
            "public_url: https://wiki.example.com/\n\
             mail:\n  smtp_url: smtp://mail.example.com?tls=starttls\n  from: Lore <lore@example.com>\n  digest_hour: 7\n\
             webhooks:\n  - url: https://hooks.example.com/x\n    events: [question_asked]\n    paths: ['eng/**']\n    format: slack\n",
        )
        .unwrap();
        assert_eq!(config.site_url(), "https://wiki.example.com");
        let mail = config.mail.unwrap();
        assert_eq!((mail.smtp_url.port, mail.smtp_url.security), (587, SmtpSecurity::StartTls));
        assert_eq!(mail.digest_hour.get(), 7);
        assert_eq!(config.webhooks[0].format, WebhookFormat::Slack);
        assert_eq!(SmtpUrl::parse("smtps://mail.example.com").unwrap().port, 465);
        assert_eq!(SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap().security, SmtpSecurity::Plain);
    }

    #[test]
    fn bad_delivery_settings_are_refused_with_the_key_named() {
        check_refused("webhooks:\n  - url: ftp://example.com/x\n", "only http:// and https://");
        check_refused("webhooks:\n  - url: https://x.example.com\n    paths: ['eng/[']\n", "webhooks.paths");
        check_refused("webhooks:\n  - url: https://x.example.com\n    events: [page_eaten]\n", "unknown event");
        check_refused("webhooks:\n  - url: https://x.example.com\n    format: teams\n", "unknown variant");
        check_refused("mail:\n  smtp_url: http://mail.example.com\n  from: a@b.c\n", "use smtp:// or smtps://");
        check_refused("mail:\n  smtp_url: smtp://u:p@mail.example.com\n  from: a@b.c\n", "mail.user");
        check_refused("mail:\n  smtp_url: smtp://mail.example.com\n  from: a@b.c\n  digest_hour: 24\n", "0 to 23");
        check_refused("public_url: javascript:alert(1)\n", "only http:// and https://");
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("24h"), Some(86_400));
        assert_eq!(parse_duration("90m"), Some(5_400));
        assert_eq!(parse_duration(" 2d "), Some(172_800));
        for bad in ["", "h", "24", "-1h", "0h", "24x", "1.5h"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
