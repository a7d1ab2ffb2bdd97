//! Repository paths: validated once at the edge, trusted everywhere after.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::{Error, Result};

/// Longest path Lore accepts, in bytes.
const MAX_PATH_BYTES: usize = 1024;

/// A file's path inside the repository tree.
///
/// Invariant: relative, `/`-separated, no empty, `.` or `..` segment, no backslash, no control
/// character, no segment that names `.git`, and the first segment does not start with `-` (reserved
/// for Lore's own URLs).
///
/// Shared, not copied: the snapshot's maps, the link resolver and graph, tags and caches each hold clones of
/// the same paths, which as strings of their own held 45 MiB of the 38,000-page tldr-like wiki's 263 at idle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RepoPath(Arc<str>);

impl RepoPath {
    /// Checks a raw, already percent-decoded path.
    pub fn parse(raw: &str) -> Result<RepoPath> {
        let invalid = |reason| Error::InvalidPath { path: raw.chars().take(200).collect(), reason };
        if raw.is_empty() {
            return Err(invalid("empty path"));
        }
        if raw.len() > MAX_PATH_BYTES {
            return Err(invalid("path too long"));
        }
        if raw.starts_with('/') {
            return Err(invalid("absolute path"));
        }
        // Never trimmed: a path is judged and acted on exactly as given, so ` hr/pay` can never be judged as
        // one path and served as another.
        if raw.starts_with(char::is_whitespace) || raw.ends_with(char::is_whitespace) {
            return Err(invalid("leading or trailing whitespace in path"));
        }
        if raw.contains('\\') {
            return Err(invalid("backslash in path"));
        }
        if raw.chars().any(char::is_control) {
            return Err(invalid("control character in path"));
        }
        if raw.starts_with('-') {
            return Err(invalid("paths starting with '-' are reserved"));
        }
        for segment in raw.split('/') {
            match segment {
                "" => return Err(invalid("empty path segment")),
                "." | ".." => return Err(invalid("relative path segment")),
                _ if names_git_dir(segment) => return Err(invalid("the .git folder is not content")),
                _ => {}
            }
        }
        Ok(RepoPath(raw.into()))
    }

    /// The page a user or client names: `a/b`, `/a/b/` or `a/b.md` all name `a/b.md`. Whitespace is not
    /// trimmed: a path with leading or trailing whitespace is refused.
    pub fn page(input: &str) -> Result<RepoPath> {
        let trimmed = input.trim_matches('/');
        if trimmed.starts_with(char::is_whitespace) || trimmed.ends_with(char::is_whitespace) {
            let path = input.chars().take(200).collect();
            return Err(Error::InvalidPath { path, reason: "leading or trailing whitespace in path" });
        }
        let has_extension = has_markdown_extension(trimmed);
        let with_extension = if has_extension { trimmed.to_string() } else { format!("{trimmed}.md") };
        let path = RepoPath::parse(&with_extension)?;
        // `a/.md` has no name. A name starting with a dot is a hidden file, which a page named without its
        // extension (`a/.hidden`) is not; named with it (`pages/common/..md`, as its URL says), it is a page.
        let name = path.page_name().rsplit('/').next().unwrap_or_default();
        if name.is_empty() || (!has_extension && name.starts_with('.')) {
            return Err(Error::InvalidPath { path: input.chars().take(200).collect(), reason: "a page needs a name" });
        }
        Ok(path)
    }

    /// The path as stored in git.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path, sharing this one's allocation.
    pub fn shared(&self) -> std::sync::Arc<str> {
        self.0.clone()
    }

    /// Whether this is a Markdown page.
    pub fn is_markdown(&self) -> bool {
        has_markdown_extension(&self.0)
    }

    /// The last segment, e.g. `b.md` for `a/b.md`.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().expect("split yields at least one item")
    }

    /// The file name without its extension, e.g. `b` for `a/b.md`.
    pub fn file_stem(&self) -> &str {
        let name = self.file_name();
        match name.rfind('.') {
            Some(dot) if dot > 0 => &name[..dot],
            _ => name,
        }
    }

    /// The folder holding this file, `""` at the root, else ending in `/`.
    pub fn folder(&self) -> &str {
        match self.0.rfind('/') {
            Some(slash) => &self.0[..=slash],
            None => "",
        }
    }

    /// The page path without `.md`: what the URL shows.
    pub fn page_name(&self) -> &str {
        self.0.strip_suffix(".md").or_else(|| self.0.strip_suffix(".markdown")).unwrap_or(&self.0)
    }

    /// The URL this file is served at: `/a/b` for `a/b.md`, `/img/a.png` for other files. A page whose name
    /// without `.md` would be a `.` or `..` segment, or nothing (`pages/common/..md`), keeps its extension:
    /// `/pages/common/.` would name the folder.
    pub fn url(&self) -> String {
        url_for(url_path(&self.0))
    }
}

impl fmt::Display for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Maps keyed by `RepoPath` can be searched with a plain `&str`: both order and hash like the inner string.
impl std::borrow::Borrow<str> for RepoPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Whether a file name has a Markdown extension.
pub fn has_markdown_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// The URL for a repository-relative path (no leading slash), percent-encoding each segment.
pub fn url_for(path: &str) -> String {
    let mut res = String::with_capacity(path.len() + 1);
    for segment in path.split('/') {
        res.push('/');
        res.extend(percent_encoding::utf8_percent_encode(segment, URL_SEGMENT));
    }
    res
}

/// The path a file's URL shows (see [`RepoPath::url`]): a page's path without `.md` (or `.markdown`, as
/// [`RepoPath::page_name`]), unless that leaves a last segment of `.`, `..` or nothing.
pub fn url_path(path: &str) -> &str {
    let without = path.strip_suffix(".md").or_else(|| path.strip_suffix(".markdown")).unwrap_or(path);
    match without.rsplit('/').next() {
        Some("" | "." | "..") => path,
        _ => without,
    }
}

/// Folds `a/./b/../c` into `a/c`; `None` when it climbs above the root.
pub fn normalize(path: &str) -> Option<String> {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    Some(segments.join("/"))
}

/// Why a file or folder name that a change introduces would break checkouts on Windows, or `None`. Device
/// names (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, in any case, with or without an extension)
/// cannot be created there, and a trailing dot or space is dropped, so `a.` and `a` become one file. Lore
/// serves such names from history; it only refuses to add new ones.
pub fn unportable_name(name: &str) -> Option<&'static str> {
    if name.ends_with(['.', ' ']) {
        return Some("a name ending in a dot or a space cannot be checked out on Windows");
    }
    // Windows ignores everything from the first dot, and spaces before it: `con.md` and `CON .txt` are `CON`.
    let stem = name.split('.').next().unwrap_or_default().trim_end_matches(' ').to_ascii_lowercase();
    let is_device = match stem.as_str() {
        "con" | "prn" | "aux" | "nul" | "conin$" | "conout$" => true,
        _ => ["com", "lpt"].iter().any(|prefix| {
            stem.strip_prefix(prefix).is_some_and(|digit| {
                matches!(digit, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
            })
        }),
    };
    is_device
        .then_some("a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9) cannot be checked out there")
}

// Windows and macOS treat `.GIT`, `.git.` and `.git ` as the same folder, so refuse them all.
fn names_git_dir(segment: &str) -> bool {
    segment.trim_end_matches(['.', ' ']).eq_ignore_ascii_case(".git")
}

/// Characters escaped in one URL path segment.
const URL_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/');

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_invalid(raw: &str) {
        assert!(RepoPath::parse(raw).is_err(), "{raw:?} should be refused");
    }

    #[test]
    fn accepts_plain_paths() {
        let path = RepoPath::parse("guide/markdown.md").unwrap();
        assert_eq!(path.url(), "/guide/markdown");
        assert_eq!(path.folder(), "guide/");
        assert_eq!(path.file_stem(), "markdown");
        assert!(path.is_markdown());
    }

    #[test]
    fn refuses_traversal_and_git() {
        for raw in [
            "../etc/passwd",
            "a/../../b",
            "a/./b",
            "/etc/passwd",
            "a\\b",
            ".git/config",
            "a/.GIT/x",
            ".git./x",
            "a\0b",
            "-/raw",
            "a//b",
            "",
        ] {
            check_invalid(raw);
        }
    }

    #[test]
    fn page_names() {
        assert_eq!(RepoPath::page("/a/b/").unwrap().as_str(), "a/b.md");
        assert_eq!(RepoPath::page("a/b.md").unwrap().as_str(), "a/b.md");
        for raw in
            ["", " ", "/", ".md", "a/.md", "a/.hidden", " hr/pay", "\thr/pay", "\u{a0}hr/pay", "hr/pay ", "hr/pay\n"]
        {
            assert!(RepoPath::page(raw).is_err(), "{raw:?} should be refused");
        }
    }

    #[test]
    fn windows_reserved_names_are_unportable() {
        for name in [
            "con",
            "CON",
            "con.md",
            "Con.tar.gz",
            "con .md",
            "aux",
            "nul.png",
            "prn",
            "COM1",
            "com9.md",
            "lpt1",
            "LPT9.txt",
        ] {
            assert!(unportable_name(name).is_some(), "{name:?} should be unportable");
        }
        for name in ["a.", "a ", "notes.md.", "folder "] {
            assert!(unportable_name(name).is_some(), "{name:?} should be unportable");
        }
        for name in ["console.md", "com10", "com0.md", "lpt", "auxiliary.md", "icon.png", "a.b", "nul-points.md", ".md"]
        {
            assert_eq!(unportable_name(name), None, "{name:?} is fine");
        }
    }

    #[test]
    fn pages_named_dot_dot_md_keep_their_extension_in_urls() {
        let url = |raw: &str| RepoPath::parse(raw).unwrap().url();
        assert_eq!(url("pages/common/..md"), "/pages/common/..md");
        assert_eq!(url("pages/common/...md"), "/pages/common/...md");
        assert_eq!(url("pages/common/.md"), "/pages/common/.md");
        assert_eq!(url("pages/common/.hidden.md"), "/pages/common/.hidden");
        assert_eq!(url("pages/common/ls.md"), "/pages/common/ls");
        assert_eq!(url("pages/Notes.MD"), "/pages/Notes.MD");
        assert_eq!(RepoPath::page("pages/common/..md").unwrap().as_str(), "pages/common/..md");
        assert!(RepoPath::page("pages/common/..").is_err(), "a traversal, not a page");
        assert!(RepoPath::page("pages/common/.").is_err());
    }

    #[test]
    fn url_escapes_segments() {
        assert_eq!(url_for("a b/c?d"), "/a%20b/c%3Fd");
    }

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../x"), None);
    }
}
