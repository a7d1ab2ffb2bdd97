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
    /// The `lore` binary the installed git hooks run; defaults to the running binary.
    pub lore_binary: Option<PathBuf>,
    /// Who may read, edit and push (see docs/ACCOUNTS.md).
    pub auth: crate::auth::AuthConfig,
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
            lore_binary: None,
            auth: crate::auth::AuthConfig::default(),
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

    /// Whether Lore manages (creates and seeds) the repository itself.
    pub fn manages_repo(&self) -> bool {
        self.repo.is_none()
    }
}
