//! Validation of a wiki's files, shared by `lore check` (run in a writer's clone or CI) and the
//! pre-receive hook (run on every push). Pure: callers read the files.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::Bound;

use crate::content::links::{self, LinkKind, LinkResolver};
use crate::content::page;
use crate::content::{RepoPath, front_matter, path};
use crate::store::ChangedFolder;

/// How bad a problem is: errors fail `lore check` and reject pushes; warnings are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, printed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // A path may hold control characters (that is one of the problems); never send them to a terminal raw.
        let path: String = self
            .path
            .chars()
            .map(|it| if it.is_control() { it.escape_debug().to_string() } else { it.to_string() })
            .collect();
        match self.line {
            Some(line) => write!(f, "{path}:{line}: {level}: {}", self.message),
            None => write!(f, "{path}: {level}: {}", self.message),
        }
    }
}

/// Size limits files must keep.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_page_bytes: u64,
    pub max_file_bytes: u64,
}

/// Problems of one file on its own: a path Lore refuses to serve, a size over the limit, invalid UTF-8
/// or invalid front matter in a Markdown file.
pub fn check_file(file_path: &str, content: &[u8], limits: Limits) -> Vec<Problem> {
    let mut res = Vec::new();
    let problem =
        |line, message: String| Problem { path: file_path.to_string(), line, severity: Severity::Error, message };
    let repo_path = match RepoPath::parse(file_path) {
        Ok(it) => it,
        Err(err) => {
            res.push(problem(None, err.to_string()));
            return res;
        }
    };
    let limit = if repo_path.is_markdown() { limits.max_page_bytes } else { limits.max_file_bytes };
    if content.len() as u64 > limit {
        res.push(problem(None, format!("file is {} bytes, over the limit of {limit} bytes", content.len())));
        return res;
    }
    if !repo_path.is_markdown() {
        return res;
    }
    let text = match std::str::from_utf8(content) {
        Ok(text) => text,
        Err(err) => {
            let line = content[..err.valid_up_to()].iter().filter(|it| **it == b'\n').count() + 1;
            res.push(problem(Some(line), "invalid UTF-8 in a Markdown file".into()));
            return res;
        }
    };
    if let Some(yaml) = front_matter::split(text).yaml {
        for found in front_matter::parse(yaml).1 {
            res.push(problem(Some(found.line), found.message));
        }
    }
    res
}

/// Problems of one folder a push adds or changes, read from its tree object as git stores it: names no
/// checkout can hold (empty, holding a slash, twice in one folder; `git fsck` calls such a tree malformed),
/// and names the push introduces that Lore cannot serve (not UTF-8) or that break checkouts on Windows and
/// macOS (reserved on Windows, or differing from a neighbour only in letter case). Names already in the
/// folder before are not judged again: history that holds them stays servable.
pub fn check_folder(folder: &ChangedFolder) -> Vec<Problem> {
    let mut res = Vec::new();
    let mut problem = |name: &[u8], message: String| {
        let path = format!("{}{}", folder.path, String::from_utf8_lossy(name));
        res.push(Problem { path, line: None, severity: Severity::Error, message });
    };
    let mut seen = HashSet::new();
    let mut by_lowercase: HashMap<String, Vec<&[u8]>> = HashMap::new();
    for entry in &folder.entries {
        if entry.name.is_empty() {
            problem(&entry.name, "an entry with an empty name (a malformed tree git fsck refuses)".into());
        } else if entry.name.contains(&b'/') {
            problem(
                &entry.name,
                "one entry whose name holds a slash, not a folder (a malformed tree git fsck refuses)".into(),
            );
        }
        if !seen.insert(&entry.name[..]) {
            problem(&entry.name, "two entries with this name in one folder (a malformed tree git fsck refuses)".into());
            continue;
        }
        by_lowercase.entry(String::from_utf8_lossy(&entry.name).to_lowercase()).or_default().push(&entry.name);
    }
    for entry in folder.entries.iter().filter(|it| it.is_new && !it.name.is_empty()) {
        let Ok(name) = std::str::from_utf8(&entry.name) else {
            problem(&entry.name, "the name is not valid UTF-8, so Lore cannot serve it".into());
            continue;
        };
        if let Some(reason) = path::unportable_name(name) {
            problem(&entry.name, reason.into());
        }
        // A pair of new names is reported once, on the later one.
        let twin = by_lowercase[&name.to_lowercase()].iter().find(|other| {
            **other != entry.name.as_slice()
                && (!folder.entries.iter().any(|it| it.is_new && it.name == **other) || **other < entry.name.as_slice())
        });
        if let Some(twin) = twin {
            let message = format!(
                "differs from {}{} only in letter case; checkouts on macOS and Windows would clash",
                folder.path,
                String::from_utf8_lossy(twin)
            );
            problem(&entry.name, message);
        }
    }
    res
}

/// Problems across a whole tree: each file's own, plus links that lead nowhere (`links::broken_links`, the
/// checker the web's reports use too), wiki links to missing pages, pages sharing a title, names reserved on Windows, and files or folders that differ only in
/// letter case.
pub fn check_tree(files: &BTreeMap<String, Vec<u8>>, limits: Limits) -> Vec<Problem> {
    let mut res: Vec<Problem> = files.iter().flat_map(|(path, content)| check_file(path, content, limits)).collect();
    // Every file and folder (`a/`), so that `Docs/` beside `docs/` is found once, not once per file inside.
    let mut names = BTreeSet::new();
    for path in files.keys() {
        names.extend(path.match_indices('/').map(|(slash, _)| &path[..=slash]));
        names.insert(path.as_str());
    }
    let mut by_lowercase: HashMap<String, &str> = HashMap::new();
    for name in names {
        let (folder, last) = split_last(name);
        if let Some(reason) = path::unportable_name(last.trim_end_matches('/')) {
            // A folder's problem is reported on the folder, not on each file in it.
            res.push(Problem { path: name.to_string(), line: None, severity: Severity::Error, message: reason.into() });
        }
        match by_lowercase.insert(name.trim_end_matches('/').to_lowercase(), name) {
            // Names in folders that clash already are not reported again.
            Some(other) if split_last(other).0 == folder => res.push(Problem {
                path: name.to_string(),
                line: None,
                severity: Severity::Error,
                message: format!(
                    "path differs from {other} only in letter case; checkouts on macOS and Windows would clash"
                ),
            }),
            _ => {}
        }
    }
    let pages: Vec<(RepoPath, page::PageMeta)> = files
        .iter()
        .filter_map(|(path, content)| {
            let repo_path = RepoPath::parse(path).ok().filter(|it| it.is_markdown())?;
            let meta = page::read_meta(&repo_path, std::str::from_utf8(content).ok()?);
            Some((repo_path, meta))
        })
        .collect();
    let resolver = LinkResolver::new(
        pages.iter().map(|(path, meta)| (path, meta.title.as_str(), meta.front_matter.aliases.as_slice())),
    );
    let mut titles: HashMap<String, &RepoPath> = HashMap::new();
    for (page_path, meta) in &pages {
        if let Some(other) = titles.insert(meta.title.to_lowercase(), page_path) {
            res.push(Problem {
                path: page_path.to_string(),
                line: None,
                severity: Severity::Warning,
                message: format!(
                    "same title as {other} (\"{}\"): wiki links by title find only one of them",
                    meta.title
                ),
            });
        }
        res.extend(link_problems(page_path, meta, &resolver, files));
    }
    res.sort_by(|a, b| (&a.path, a.line, a.severity).cmp(&(&b.path, b.line, b.severity)));
    res
}

// `a/b/` → (`a/`, `b/`), `a/c.md` → (`a/`, `c.md`).
fn split_last(name: &str) -> (&str, &str) {
    let end = name.trim_end_matches('/').rfind('/').map_or(0, |slash| slash + 1);
    (&name[..end], &name[end..])
}

fn link_problems(
    page_path: &RepoPath,
    meta: &page::PageMeta,
    resolver: &LinkResolver,
    files: &BTreeMap<String, Vec<u8>>,
) -> Vec<Problem> {
    let exists = |path: &str| match path.strip_suffix('/') {
        Some(_) => files
            .range::<str, _>((Bound::Included(path), Bound::Unbounded))
            .next()
            .is_some_and(|it| it.0.starts_with(path)),
        None => files.contains_key(path),
    };
    let mut res = Vec::new();
    for broken in links::broken_links(page_path, &meta.links, resolver, &exists) {
        let link = broken.link;
        let (severity, message) = match link.kind {
            LinkKind::Wiki => {
                (Severity::Warning, format!("wiki link [[{}]] points to a page that does not exist yet", link.dest))
            }
            LinkKind::Link | LinkKind::Image => {
                (Severity::Error, format!("link to {} points to {}, which does not exist", link.dest, broken.target))
            }
        };
        res.push(Problem { path: page_path.to_string(), line: Some(link.line as usize), severity, message });
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_page_bytes: 1_000, max_file_bytes: 2_000 };

    fn tree(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files.iter().map(|(path, text)| (path.to_string(), text.as_bytes().to_vec())).collect()
    }

    #[track_caller]
    fn check(files: &[(&str, &str)], expected: &[&str]) {
        let found: Vec<String> = check_tree(&tree(files), LIMITS).iter().map(ToString::to_string).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn clean_tree() {
        check(&[("a.md", "# A\n[b](b.md) [[B]] ![x](img/x.png)"), ("b.md", "# B\n"), ("img/x.png", "png")], &[]);
    }

    #[test]
    fn broken_links_without_md_above_rooted_and_images_are_reported() {
        check(
            &[
                ("docs/a.md", "# A\n\n[a](gone) [b](../nowhere)\n[c](/rooted/x) ![d](img/missing.png) [ok](b)\n"),
                ("docs/b.md", "# B\n\n[t](시간) [home](/) [tags](/-/tags) [self](/docs/a)\n"),
            ],
            &[
                "docs/a.md:3: error: link to gone points to docs/gone, which does not exist",
                "docs/a.md:3: error: link to ../nowhere points to nowhere, which does not exist",
                "docs/a.md:4: error: link to /rooted/x points to rooted/x, which does not exist",
                "docs/a.md:4: error: link to img/missing.png points to docs/img/missing.png, which does not exist",
                "docs/b.md:3: error: link to 시간 points to docs/시간, which does not exist",
            ],
        );
    }

    #[test]
    fn email_autolinks_are_not_broken_links() {
        check(&[("content/team/a.md", "# A\n\nWrite to <techops@sourcegraph.com>.\n")], &[]);
    }

    #[test]
    fn front_matter_and_utf8() {
        let problems = check_file("a.md", b"---\ntitle: [\n---\n", LIMITS);
        assert_eq!(problems[0].line, Some(3));
        let problems = check_file("a.md", b"ok\n\xff", LIMITS);
        assert_eq!(problems[0].to_string(), "a.md:2: error: invalid UTF-8 in a Markdown file");
    }

    #[test]
    fn deeply_nested_front_matter_is_a_problem_not_a_minute_of_parsing() {
        // `lore check` and the pre-receive hook read front matter through the same bounded path as the server.
        let limits = Limits { max_page_bytes: 1_000_000, max_file_bytes: 1_000_000 };
        let text = format!("---\nx: {}\n---\n# Deep\n", "[".repeat(60_000));
        let problems = check_file("deep.md", text.as_bytes(), limits);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("levels deep; ignored"), "{problems:?}");
        let in_tree = check_tree(&tree(&[("deep.md", &text)]), limits);
        assert!(in_tree.iter().all(|it| it.message.contains("levels deep; ignored")), "{in_tree:?}");
    }

    #[test]
    fn paths_and_sizes() {
        assert!(!check_file("-/x.md", b"", LIMITS).is_empty());
        assert!(!check_file(".git/config", b"", LIMITS).is_empty());
        assert!(!check_file("big.md", &[b'a'; 1_001], LIMITS).is_empty());
        assert!(check_file("big.png", &[b'a'; 1_001], LIMITS).is_empty());
    }

    #[test]
    fn windows_names_and_folder_case_clashes_in_a_clone() {
        check(
            &[("CON.md", "# C\n"), ("Docs/a.md", "# A\n"), ("docs/b.md", "# B\n"), ("lpt1/x.md", "# X\n")],
            &[
                "CON.md: error: a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9) cannot be checked out there",
                "docs/: error: path differs from Docs/ only in letter case; checkouts on macOS and Windows would clash",
                "lpt1/: error: a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9) cannot be checked out there",
            ],
        );
    }

    #[track_caller]
    fn check_entries(entries: &[(&[u8], bool)], expected: &[&str]) {
        let folder = ChangedFolder {
            path: "f/".into(),
            entries: entries
                .iter()
                .map(|(name, is_new)| crate::store::FolderEntry { name: name.to_vec(), is_new: *is_new })
                .collect(),
        };
        let found: Vec<String> = check_folder(&folder).iter().map(ToString::to_string).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn malformed_trees_are_refused_whoever_added_the_names() {
        check_entries(
            &[(b"a.md", false), (b"a.md", false), (b"x/y.md", false), (b"", false)],
            &[
                "f/a.md: error: two entries with this name in one folder (a malformed tree git fsck refuses)",
                "f/x/y.md: error: one entry whose name holds a slash, not a folder (a malformed tree git fsck refuses)",
                "f/: error: an entry with an empty name (a malformed tree git fsck refuses)",
            ],
        );
    }

    #[test]
    fn only_new_names_must_be_portable() {
        // Old names stay, however unportable; new ones are judged, a new pair reported once.
        check_entries(&[(b"CON.md", false), (b"README.md", false), (b"Readme.md", false)], &[]);
        check_entries(
            &[(b"README.md", false), (b"Readme.md", true), (b"aux", true), (b"b.md", true), (b"B.md", true)],
            &[
                "f/Readme.md: error: differs from f/README.md only in letter case; checkouts on macOS and Windows would clash",
                "f/aux: error: a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9) cannot be checked out there",
                "f/b.md: error: differs from f/B.md only in letter case; checkouts on macOS and Windows would clash",
            ],
        );
        check_entries(
            &[(b"\xff.md", true)],
            &["f/\u{fffd}.md: error: the name is not valid UTF-8, so Lore cannot serve it"],
        );
    }

    #[test]
    fn links_titles_and_case() {
        check(
            &[("a.md", "# Same\n\nSee [gone](gone.md).\n\n[[Nowhere]]\n"), ("B.md", "# Same\n"), ("b.md", "# Other\n")],
            &[
                "a.md: warning: same title as B.md (\"Same\"): wiki links by title find only one of them",
                "a.md:3: error: link to gone.md points to gone.md, which does not exist",
                "a.md:5: warning: wiki link [[Nowhere]] points to a page that does not exist yet",
                "b.md: error: path differs from B.md only in letter case; checkouts on macOS and Windows would clash",
            ],
        );
    }
}
