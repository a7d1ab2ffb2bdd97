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
}

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
        }
    }
}

impl Config {
    /// Reads a `lore.yaml` file; every key is optional.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)?;
        let config = Config::parse(&text).map_err(|err| Error::bad_input(format!("{}: {err}", path.display())))?;
        config.language_rules().map_err(|err| Error::bad_input(format!("{}: {err}", path.display())))?;
        Ok(config)
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

    /// Whether Lore manages (creates and seeds) the repository itself.
    pub fn manages_repo(&self) -> bool {
        self.repo.is_none()
    }
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
