//! Links between pages: resolving `[[wiki links]]` by name and rewriting relative Markdown links to URLs.

use std::collections::BTreeSet;

use serde::Serialize;
use smallvec::SmallVec;

use super::path::{self, RepoPath};

/// Where a wiki link points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WikiTarget {
    /// An existing page, at this URL (with the link's `#fragment`, if any).
    Existing(String),
    /// No such page: the URL it would have, to create it.
    Missing(String),
}

/// Finds pages by the names writers use in `[[wiki links]]`: path, file name, title or alias.
///
/// Each name keeps every page it fits, in path order, and the first one wins a clash, so the result does not
/// depend on the order pages were added in. The maps are persistent: a clone shares them, and adding or
/// removing a page copies only what it touches. They are B-trees, as are the link graph's: imbl's hash maps
/// give every node room for 32 entries; on a 38,000-page wiki B-trees kept the server 22 MiB smaller at
/// idle, and the first index was searchable in 43 s instead of 73–82.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkResolver {
    by_path: imbl::OrdMap<String, PagesNamed>,
    by_file_name: imbl::OrdMap<String, PagesNamed>,
    by_title: imbl::OrdMap<String, PagesNamed>,
}

/// The pages one name fits, in path order: almost always one, kept inline (a vector's smallest allocation holds
/// four, and on a 38,000-page wiki the resolver's one-page lists held 11 MiB).
type PagesNamed = SmallVec<[RepoPath; 1]>;

impl LinkResolver {
    /// Builds the resolver from every page with its title and aliases.
    pub fn new<'a>(pages: impl IntoIterator<Item = (&'a RepoPath, &'a str, &'a [String])>) -> LinkResolver {
        let mut res = LinkResolver::default();
        for (page_path, title, aliases) in pages {
            res.insert(page_path, title, aliases);
        }
        res
    }

    /// Adds a page under its path, file name, `title` and `aliases`. Returns those names as `link_key`s.
    pub fn insert(&mut self, page_path: &RepoPath, title: &str, aliases: &[String]) -> Vec<String> {
        let names = page_names(page_path, title, aliases);
        for (kind, key) in &names {
            let pages = self.map_mut(*kind).entry(key.clone()).or_default();
            if let Err(at) = pages.binary_search(page_path) {
                pages.insert(at, page_path.clone());
            }
        }
        names.into_iter().map(|(_, key)| key).collect()
    }

    /// Removes a page added with these names. Returns those names as `link_key`s.
    pub fn remove(&mut self, page_path: &RepoPath, title: &str, aliases: &[String]) -> Vec<String> {
        let names = page_names(page_path, title, aliases);
        for (kind, key) in &names {
            let map = self.map_mut(*kind);
            if let Some(pages) = map.get_mut(key) {
                pages.retain(|it| it != page_path);
                if pages.is_empty() {
                    map.remove(key);
                }
            }
        }
        names.into_iter().map(|(_, key)| key).collect()
    }

    /// The page a wiki link names: an exact path first, then a file name, then a title.
    pub fn find(&self, name: &str) -> Option<&RepoPath> {
        self.find_key(&link_key(name.trim_start_matches('/')))
    }

    /// The page whose path or alias is `name` (not matching titles): where an old URL now lives.
    pub fn find_by_path(&self, name: &str) -> Option<&RepoPath> {
        first(&self.by_path, &link_key(name.trim_start_matches('/')))
    }

    /// Where `[[target]]` points, keeping a `#fragment`.
    pub fn resolve(&self, target: &str) -> WikiTarget {
        let (name, fragment) = match target.split_once('#') {
            Some((name, fragment)) => (name, Some(fragment)),
            None => (target, None),
        };
        let with_fragment = |url: String| match fragment {
            Some(fragment) if !fragment.is_empty() => format!("{url}#{}", crate::content::slug(fragment)),
            _ => url,
        };
        if name.trim().is_empty() {
            return WikiTarget::Existing(with_fragment(String::new()));
        }
        match self.find(name) {
            Some(page_path) => WikiTarget::Existing(with_fragment(page_path.url())),
            None => WikiTarget::Missing(missing_page_url(name)),
        }
    }
}

impl LinkResolver {
    // What `find` answers for a name whose `link_key` is `key`.
    fn find_key(&self, key: &str) -> Option<&RepoPath> {
        first(&self.by_path, key).or_else(|| first(&self.by_file_name, key)).or_else(|| first(&self.by_title, key))
    }

    fn map_mut(&mut self, kind: NameKind) -> &mut imbl::OrdMap<String, PagesNamed> {
        match kind {
            NameKind::Path => &mut self.by_path,
            NameKind::FileName => &mut self.by_file_name,
            NameKind::Title => &mut self.by_title,
        }
    }
}

// Which of the resolver's maps a name belongs in.
#[derive(Debug, Clone, Copy)]
enum NameKind {
    Path,
    FileName,
    Title,
}

// Every name a page is found by, as a `link_key`, with the map it belongs in. Aliases count as paths.
// A name the page has in a map `find` searches first is left out of the later ones, where it would never be
// looked up: a page's title is mostly its file name, and at the root its path too (on the flat 10,000-page
// wiki two of every page's three entries; 150 bytes each).
fn page_names(page_path: &RepoPath, title: &str, aliases: &[String]) -> Vec<(NameKind, String)> {
    let mut res = vec![(NameKind::Path, link_key(page_path.page_name()))];
    res.extend(aliases.iter().map(|alias| (NameKind::Path, link_key(alias.trim_start_matches('/')))));
    for (kind, key) in [(NameKind::FileName, link_key(page_path.file_stem())), (NameKind::Title, link_key(title))] {
        if !res.iter().any(|(_, it)| *it == key) {
            res.push((kind, key));
        }
    }
    res
}

fn first<'a>(map: &'a imbl::OrdMap<String, PagesNamed>, key: &str) -> Option<&'a RepoPath> {
    map.get(key).and_then(|pages| pages.first())
}

/// The key names are compared by: case-insensitive, spaces, hyphens and underscores equal, no `.md`.
pub fn link_key(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_suffix(".md").unwrap_or(name);
    let mut res = String::with_capacity(name.len());
    let mut pending_space = false;
    for ch in name.chars() {
        if ch == ' ' || ch == '-' || ch == '_' {
            pending_space = !res.is_empty();
            continue;
        }
        if pending_space {
            res.push(' ');
            pending_space = false;
        }
        res.extend(ch.to_lowercase());
    }
    res
}

/// The URL a missing page would have: `[[Team Rota]]` → `/Team-Rota`.
pub fn missing_page_url(name: &str) -> String {
    let cleaned: String = name.trim().trim_start_matches('/').split_whitespace().collect::<Vec<_>>().join("-");
    match path::normalize(&cleaned) {
        Some(normalized) if !normalized.is_empty() => {
            path::url_for(normalized.strip_suffix(".md").unwrap_or(&normalized))
        }
        _ => "/".to_string(),
    }
}

/// Rewrites a relative link or image source found in `page_path` so it works from the page's URL,
/// the way a git forge resolves it. Absolute URLs, `/rooted` paths and `#anchors` stay as they are (`None`).
pub fn rewrite_relative(page_path: &RepoPath, dest: &str) -> Option<String> {
    if dest.is_empty() || dest.starts_with('/') || dest.starts_with('#') || has_scheme(dest) {
        return None;
    }
    let split_at = dest.find(['?', '#']).unwrap_or(dest.len());
    let (target, suffix) = dest.split_at(split_at);
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8().ok()?;
    let joined = format!("{}{}", page_path.folder(), decoded);
    let trailing_slash = joined.ends_with('/');
    let normalized = path::normalize(&joined)?;
    if normalized.is_empty() {
        return Some(format!("/{suffix}"));
    }
    // A page's URL leaves out `.md`, unless its name is then `.` or `..` (`pages/common/..md`).
    let target_path = if path::has_markdown_extension(&normalized) {
        let without = &normalized[..normalized.rfind('.').expect("has an extension")];
        match without.rsplit('/').next() {
            Some("" | "." | "..") => normalized.as_str(),
            _ => without,
        }
    } else {
        normalized.as_str()
    };
    let slash = if trailing_slash { "/" } else { "" };
    Some(format!("{}{slash}{suffix}", path::url_for(target_path)))
}

/// The repository path a relative link points to (`../b.md` from `a/x.md` → `b.md`; a folder keeps its
/// trailing `/`); `None` for absolute URLs, anchors and links that climb above the root.
pub fn relative_target(page_path: &RepoPath, dest: &str) -> Option<String> {
    if dest.is_empty() || dest.starts_with('/') || dest.starts_with('#') || has_scheme(dest) {
        return None;
    }
    let target = &dest[..dest.find(['?', '#']).unwrap_or(dest.len())];
    if target.is_empty() {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8().ok()?;
    let joined = format!("{}{}", page_path.folder(), decoded);
    let normalized = path::normalize(&joined)?;
    Some(if joined.ends_with('/') && !normalized.is_empty() { format!("{normalized}/") } else { normalized })
}

/// What a page's link is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// `[[Name]]`: found by path, file name, title or alias.
    Wiki,
    /// `[text](dest)`, `<dest>`.
    Link,
    /// `![alt](src)`.
    Image,
}

/// A link as a page writes it: kind, destination as written, and line in the file (front matter counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenLink {
    pub kind: LinkKind,
    pub dest: Box<str>,
    pub line: u32,
}

/// A link that leads nowhere: the link, and what it looked for (the wiki link's name, or the repository path
/// its URL serves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink<'a> {
    pub link: &'a WrittenLink,
    pub target: String,
}

/// The links of `page` that lead nowhere: wiki links `resolver` cannot find, and links and images to paths in
/// the repository (relative, `../x`, `/rooted`, with or without `.md`) where Lore serves nothing. `exists(p)`
/// says whether the file `p` exists, or for a `p` ending in `/`, whether that folder holds any file. The one
/// checker behind `lore check` and the web's broken-link reports, so they agree.
pub fn broken_links<'a>(
    page: &RepoPath,
    links: &'a [WrittenLink],
    resolver: &LinkResolver,
    exists: &dyn Fn(&str) -> bool,
) -> Vec<BrokenLink<'a>> {
    let mut res = Vec::new();
    for link in links {
        match link.kind {
            LinkKind::Wiki => {
                let name = link.dest.split('#').next().unwrap_or_default().trim();
                if !name.is_empty() && resolver.find(name).is_none() {
                    res.push(BrokenLink { link, target: name.to_string() });
                }
            }
            LinkKind::Link | LinkKind::Image => {
                if let Some(target) = served_path(page, &link.dest)
                    && !leads_somewhere(&target, exists)
                {
                    res.push(BrokenLink { link, target });
                }
            }
        }
    }
    res
}

/// The repository path a link's URL asks Lore for, as written in `page` (relative, or rooted at the wiki's root),
/// without query and fragment; a folder keeps its trailing `/`. `None` for what is not a path in the repository:
/// other sites and schemes, anchors, Lore's own `/-/` addresses, and relative links that climb above the root.
pub fn served_path(page: &RepoPath, dest: &str) -> Option<String> {
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") || has_scheme(dest) {
        return None;
    }
    let target = &dest[..dest.find(['?', '#']).unwrap_or(dest.len())];
    if target.is_empty() {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8().ok()?;
    let joined = match decoded.strip_prefix('/') {
        Some(rooted) => {
            let first = rooted.split('/').next().unwrap_or_default();
            if first == "-" || first == "wiki.git" {
                return None;
            }
            rooted.to_string()
        }
        None => format!("{}{}", page.folder(), decoded),
    };
    let normalized = path::normalize(&joined)?;
    Some(if joined.ends_with('/') && !normalized.is_empty() { format!("{normalized}/") } else { normalized })
}

// Whether Lore serves something at a link's repository path, as its URL scheme does (see `web::pages`): the
// root, a file, a page named without `.md`, or a folder (`a/b/` also redirects to the page `a/b.md`).
fn leads_somewhere(target: &str, exists: &dyn Fn(&str) -> bool) -> bool {
    match target.strip_suffix('/') {
        _ if target.is_empty() => true,
        Some(folder) => exists(target) || exists(&format!("{folder}.md")),
        None => exists(target) || exists(&format!("{target}.md")) || exists(&format!("{target}/")),
    }
}

// `mailto:x`, `https://x`, `javascript:x`: a scheme is letters before a colon that comes before any slash.
fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty() && scheme.chars().all(|it| it.is_ascii_alphanumeric() || "+-.".contains(it))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> LinkResolver {
        let pages = [
            (RepoPath::parse("it/vpn-access.md").unwrap(), "Getting VPN access".to_string(), vec![]),
            (
                RepoPath::parse("guide/markdown.md").unwrap(),
                "Markdown guide".to_string(),
                vec!["old/markdown-help".to_string()],
            ),
        ];
        LinkResolver::new(pages.iter().map(|(p, t, a)| (p, t.as_str(), a.as_slice())))
    }

    #[track_caller]
    fn check_wiki(target: &str, expected: WikiTarget) {
        assert_eq!(resolver().resolve(target), expected);
    }

    #[test]
    fn wiki_links_match_path_file_name_title_and_alias() {
        check_wiki("it/vpn-access", WikiTarget::Existing("/it/vpn-access".into()));
        check_wiki("VPN Access", WikiTarget::Existing("/it/vpn-access".into()));
        check_wiki("getting vpn-ACCESS", WikiTarget::Existing("/it/vpn-access".into()));
        check_wiki("Markdown Guide#Tables", WikiTarget::Existing("/guide/markdown#tables".into()));
        check_wiki("old/markdown help", WikiTarget::Existing("/guide/markdown".into()));
    }

    #[test]
    fn a_name_two_pages_share_finds_the_first_in_path_order() {
        let (a, b) = (RepoPath::parse("a/setup.md").unwrap(), RepoPath::parse("b/setup.md").unwrap());
        let mut resolver = LinkResolver::default();
        resolver.insert(&b, "Setup", &[]);
        resolver.insert(&a, "Setup", &[]);
        assert_eq!(resolver.find("setup"), Some(&a));
        resolver.remove(&a, "Setup", &[]);
        assert_eq!(resolver.find("setup"), Some(&b));
        resolver.remove(&b, "Setup", &[]);
        assert_eq!(resolver.find("setup"), None);
    }

    #[test]
    fn a_name_is_kept_in_the_first_map_that_has_it_and_paths_beat_file_names_beat_titles() {
        let root = RepoPath::parse("setup.md").unwrap();
        let (named, titled) = (RepoPath::parse("b/setup.md").unwrap(), RepoPath::parse("c/guide.md").unwrap());
        let mut resolver = LinkResolver::default();
        resolver.insert(&titled, "Setup", &[]);
        resolver.insert(&named, "Other", &[]);
        let names = resolver.insert(&root, "Setup", &[]);
        assert_eq!(names, ["setup"], "the root page's path, file name and title are one name");
        // The root page is found by its path; its file name and title are not kept again.
        assert_eq!(resolver.by_file_name.get("setup").map(|it| it.to_vec()), Some(vec![named.clone()]));
        assert_eq!(resolver.by_title.get("setup").map(|it| it.to_vec()), Some(vec![titled.clone()]));
        assert_eq!(resolver.find("Setup"), Some(&root));
        assert_eq!(resolver.remove(&root, "Setup", &[]), ["setup"]);
        assert_eq!(resolver.find("Setup"), Some(&named), "a file name before a title");
        resolver.remove(&named, "Other", &[]);
        assert_eq!(resolver.find("Setup"), Some(&titled));
    }

    #[test]
    fn missing_wiki_links_point_at_the_would_be_url() {
        check_wiki("Team Rota", WikiTarget::Missing("/Team-Rota".into()));
        check_wiki("../../etc/passwd", WikiTarget::Missing("/".into()));
    }

    #[track_caller]
    fn check_relative(page: &str, dest: &str, expected: Option<&str>) {
        let page = RepoPath::parse(page).unwrap();
        assert_eq!(rewrite_relative(&page, dest).as_deref(), expected);
    }

    #[test]
    fn relative_links_resolve_like_a_forge() {
        check_relative("a/b.md", "../other.md", Some("/other"));
        check_relative("a/b.md", "c.md#part", Some("/a/c#part"));
        check_relative("a/b.md", "img/a.png", Some("/a/img/a.png"));
        check_relative("a/b.md", "./sub/", Some("/a/sub/"));
        check_relative("a/b.md", "my%20page.md", Some("/a/my%20page"));
        check_relative("b.md", "../../x.md", None);
        check_relative("pages/common/ls.md", "..md", Some("/pages/common/..md"));
        check_relative("pages/common/ls.md", "./...md", Some("/pages/common/...md"));
    }

    #[track_caller]
    fn check_broken(page: &str, links: &[(LinkKind, &str)], expected: &[&str]) {
        let files = ["docs/b.md", "docs/img/ok.png", "docs/sub/x.md", "index.md", "pages/common/..md"];
        let exists = |path: &str| match path.strip_suffix('/') {
            Some(_) => files.iter().any(|it| it.starts_with(path)),
            None => files.contains(&path),
        };
        let links: Vec<WrittenLink> =
            links.iter().map(|(kind, dest)| WrittenLink { kind: *kind, dest: (*dest).into(), line: 1 }).collect();
        let broken = broken_links(&RepoPath::parse(page).unwrap(), &links, &resolver(), &exists);
        let targets: Vec<&str> = broken.iter().map(|it| it.target.as_str()).collect();
        assert_eq!(targets, expected);
    }

    #[test]
    fn broken_links_of_every_kind() {
        use LinkKind::*;
        check_broken(
            "docs/a.md",
            &[
                (Link, "gone.md"),
                (Link, "gone"),
                (Link, "../nowhere"),
                (Link, "/rooted/missing"),
                (Image, "img/missing.png"),
                (Wiki, "Nowhere#part"),
                (Link, "%EC%8B%9C%EA%B0%84"),
                (Link, "시간"),
            ],
            &[
                "docs/gone.md",
                "docs/gone",
                "nowhere",
                "rooted/missing",
                "docs/img/missing.png",
                "Nowhere",
                "docs/시간",
                "docs/시간",
            ],
        );
    }

    #[test]
    fn links_that_lead_somewhere_are_not_broken() {
        use LinkKind::*;
        check_broken(
            "docs/a.md",
            &[
                (Link, "b"),
                (Link, "b.md#part"),
                (Link, "./b?x=1"),
                (Image, "img/ok.png"),
                (Link, "sub/"),
                (Link, "sub"),
                (Link, "../docs/"),
                (Link, "/"),
                (Link, "/docs/b"),
                (Link, "/-/tags"),
                (Link, "https://example.com/gone.md"),
                (Link, "mailto:ann@example.com"),
                (Link, "#anchor"),
                (Link, "//example.com/x"),
                (Link, "../../above-the-root.md"),
                (Wiki, "VPN Access"),
                (Wiki, "#local"),
                (Link, "../pages/common/..md"),
            ],
            &[],
        );
    }

    #[test]
    fn absolute_links_are_left_alone() {
        check_relative("a/b.md", "https://example.com/x.md", None);
        check_relative("a/b.md", "/rooted", None);
        check_relative("a/b.md", "#anchor", None);
        check_relative("a/b.md", "mailto:ann@example.com", None);
        check_relative("a/b.md", "javascript:alert(1)", None);
    }
}

/// Where a link from one page goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkEnd {
    Page(RepoPath),
    /// A page that does not exist (a "wanted page"): the name or path the link used.
    Missing(String),
}

/// Who links to whom: outgoing links per page, the reverse, and links to pages that do not exist.
///
/// The maps are persistent: a clone shares them, and changing one page copies only what it touches.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkGraph {
    outgoing: imbl::OrdMap<RepoPath, Box<[LinkEnd]>>,
    incoming: imbl::OrdMap<RepoPath, PathSet>,
    wanted: imbl::OrdMap<String, PathSet>,
    // The names in `wanted` by the `link_key`s the resolver would look them up under, so that a page taking
    // a name finds the links that wanted it.
    wanted_by_key: imbl::OrdMap<String, Vec<String>>,
}

/// Pages in path order: the pages linking to one page, or to one missing name. Most such sets hold a page or
/// two and are kept inline; large ones are persistent B-trees, so that a change copies only what it touches.
/// (A B-tree for every set gave each a 16-entry node: 15 MiB on a 38,000-page wiki.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSet {
    Few(SmallVec<[RepoPath; 2]>),
    Many(imbl::OrdSet<RepoPath>),
}

impl Default for PathSet {
    fn default() -> PathSet {
        PathSet::Few(SmallVec::new())
    }
}

/// The size at which a `PathSet` becomes a B-tree: past it, a copy of the inline list costs more than a
/// B-tree's path.
const FEW_PATHS: usize = 32;

impl PathSet {
    pub fn len(&self) -> usize {
        match self {
            PathSet::Few(paths) => paths.len(),
            PathSet::Many(paths) => paths.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> PathSetIter<'_> {
        match self {
            PathSet::Few(paths) => PathSetIter::Few(paths.iter()),
            PathSet::Many(paths) => PathSetIter::Many(paths.iter()),
        }
    }

    fn insert(&mut self, path: RepoPath) {
        match self {
            PathSet::Few(paths) => {
                if let Err(at) = paths.binary_search(&path) {
                    if paths.len() < FEW_PATHS {
                        paths.insert(at, path);
                    } else {
                        let mut many: imbl::OrdSet<RepoPath> = paths.drain(..).collect();
                        many.insert(path);
                        *self = PathSet::Many(many);
                    }
                }
            }
            PathSet::Many(paths) => {
                paths.insert(path);
            }
        }
    }

    fn remove(&mut self, path: &RepoPath) {
        match self {
            PathSet::Few(paths) => {
                if let Ok(at) = paths.binary_search(path) {
                    paths.remove(at);
                }
            }
            PathSet::Many(paths) => {
                paths.remove(path);
            }
        }
    }
}

/// The pages of a [`PathSet`], in path order.
pub enum PathSetIter<'a> {
    Few(std::slice::Iter<'a, RepoPath>),
    Many(imbl::ordset::Iter<'a, RepoPath, imbl::shared_ptr::DefaultSharedPtr>),
}

impl<'a> Iterator for PathSetIter<'a> {
    type Item = &'a RepoPath;

    fn next(&mut self) -> Option<&'a RepoPath> {
        match self {
            PathSetIter::Few(it) => it.next(),
            PathSetIter::Many(it) => it.next(),
        }
    }
}

impl<'a> IntoIterator for &'a PathSet {
    type Item = &'a RepoPath;
    type IntoIter = PathSetIter<'a>;

    fn into_iter(self) -> PathSetIter<'a> {
        self.iter()
    }
}

/// A page as the link graph needs it: its path and its links as written (`PageMeta::links`).
pub struct LinkSource<'a> {
    pub path: &'a RepoPath,
    pub links: &'a [WrittenLink],
}

impl LinkGraph {
    /// The graph of every page's links.
    pub fn build<'a>(
        sources: impl IntoIterator<Item = LinkSource<'a>>,
        resolver: &LinkResolver,
        exists: &dyn Fn(&str) -> bool,
    ) -> LinkGraph {
        let mut res = LinkGraph::default();
        for source in sources {
            res.set(source.path, outgoing(&source, resolver, exists));
        }
        res
    }

    /// Replaces `path`'s links (`None`: the page is gone).
    pub fn set_page(
        &mut self,
        path: &RepoPath,
        source: Option<LinkSource<'_>>,
        resolver: &LinkResolver,
        exists: &dyn Fn(&str) -> bool,
    ) {
        self.remove(path);
        if let Some(source) = source {
            self.set(path, outgoing(&source, resolver, exists));
        }
    }

    /// The pages linking to `path`.
    pub fn incoming(&self, path: &RepoPath) -> impl Iterator<Item = &RepoPath> {
        self.incoming.get(path).into_iter().flatten()
    }

    /// How many pages link to `path`.
    pub fn n_incoming(&self, path: &RepoPath) -> usize {
        self.incoming.get(path).map_or(0, |it| it.len())
    }

    /// The page's links, in order of appearance (duplicates removed).
    pub fn outgoing(&self, path: &RepoPath) -> &[LinkEnd] {
        self.outgoing.get(path).map_or(&[], |it| it)
    }

    /// Links to pages that do not exist: each missing name with the pages that link to it.
    pub fn wanted(&self) -> impl Iterator<Item = (&String, &PathSet)> {
        self.wanted.iter()
    }

    /// The pages whose links may point elsewhere after a change from resolver `before` to `after` that
    /// touched the names `keys` (`link_key`s), and in which the pages `appeared_or_gone` were added or
    /// removed (the pages that changed themselves are the caller's to add). `None` when a folder's index
    /// page came or went: links to folders are not tracked, so every page's links must be resolved again.
    pub fn pages_to_relink<'a>(
        &self,
        before: &LinkResolver,
        after: &LinkResolver,
        keys: impl IntoIterator<Item = &'a str>,
        appeared_or_gone: &[RepoPath],
    ) -> Option<BTreeSet<RepoPath>> {
        if appeared_or_gone.iter().any(|it| FOLDER_INDEX_PAGES.contains(&it.file_name())) {
            return None;
        }
        let mut res = BTreeSet::new();
        for key in keys {
            let was = before.find_key(key);
            if was == after.find_key(key) {
                continue;
            }
            match was {
                // A page's links to itself are left out of the graph, so its own links are looked at too.
                Some(page) => {
                    res.insert(page.clone());
                    res.extend(self.incoming(page).cloned());
                }
                None => {
                    for name in self.wanted_by_key.get(key).into_iter().flatten() {
                        res.extend(self.wanted.get(name).into_iter().flatten().cloned());
                    }
                }
            }
        }
        // Relative links find pages by path: those to a page that is gone, or to one that did not exist.
        for page in appeared_or_gone {
            res.extend(self.incoming(page).cloned());
            res.extend(self.wanted.get(page.as_str()).into_iter().flatten().cloned());
        }
        Some(res)
    }

    fn set(&mut self, path: &RepoPath, links: Box<[LinkEnd]>) {
        for link in &links {
            match link {
                LinkEnd::Page(target) => {
                    self.incoming.entry(target.clone()).or_default().insert(path.clone());
                }
                LinkEnd::Missing(name) => {
                    let linking = self.wanted.entry(name.clone()).or_default();
                    if linking.is_empty() {
                        for key in wanted_keys(name) {
                            let names = self.wanted_by_key.entry(key).or_default();
                            if let Err(at) = names.binary_search(name) {
                                names.insert(at, name.clone());
                            }
                        }
                    }
                    linking.insert(path.clone());
                }
            }
        }
        self.outgoing.insert(path.clone(), links);
    }

    fn remove(&mut self, path: &RepoPath) {
        for link in self.outgoing.remove(path).unwrap_or_default() {
            let emptied = match &link {
                LinkEnd::Page(target) => self.incoming.get_mut(target).map(|it| {
                    it.remove(path);
                    it.is_empty()
                }),
                LinkEnd::Missing(name) => self.wanted.get_mut(name).map(|it| {
                    it.remove(path);
                    it.is_empty()
                }),
            };
            if emptied == Some(true) {
                match link {
                    LinkEnd::Page(target) => {
                        self.incoming.remove(&target);
                    }
                    LinkEnd::Missing(name) => {
                        self.wanted.remove(&name);
                        for key in wanted_keys(&name) {
                            if let Some(names) = self.wanted_by_key.get_mut(&key) {
                                names.retain(|it| it != &name);
                                if names.is_empty() {
                                    self.wanted_by_key.remove(&key);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

// The keys a missing name may have been looked up under. The graph keeps the name trimmed, and `find` keys
// the untrimmed one without its leading slashes: for ` /a` that is `/a`, for `/a` it is `a`.
fn wanted_keys(name: &str) -> Vec<String> {
    let mut res = vec![link_key(name.trim_start_matches('/')), link_key(name)];
    res.dedup();
    res
}

// The pages a relative link to a folder leads to, the first that exists.
pub(crate) const FOLDER_INDEX_PAGES: [&str; 2] = ["index.md", "README.md"];

// Wiki links are found by name; relative links to pages (`.md`) and folders (`/`) by path.
fn outgoing(source: &LinkSource<'_>, resolver: &LinkResolver, exists: &dyn Fn(&str) -> bool) -> Box<[LinkEnd]> {
    let mut res: Vec<LinkEnd> = Vec::new();
    for link in source.links.iter().filter(|it| it.kind == LinkKind::Wiki) {
        let name = link.dest.split('#').next().unwrap_or_default();
        if name.trim().is_empty() {
            continue;
        }
        res.push(match resolver.find(name) {
            Some(page) => LinkEnd::Page(page.clone()),
            None => LinkEnd::Missing(name.trim().to_string()),
        });
    }
    let page_links = source.links.iter().filter(|it| it.kind == LinkKind::Link);
    let targets = page_links.filter_map(|it| relative_target(source.path, &it.dest));
    for target in targets.filter(|it| path::has_markdown_extension(it) || it.ends_with('/')) {
        let page = if let Some(folder) = target.strip_suffix('/') {
            FOLDER_INDEX_PAGES.iter().map(|it| format!("{folder}/{it}")).find(|it| exists(it))
        } else {
            exists(&target).then(|| target.clone())
        };
        match page.and_then(|it| RepoPath::parse(&it).ok()) {
            Some(page) => res.push(LinkEnd::Page(page)),
            // A link to a folder without an index page is fine: the folder shows as a listing.
            None if target.ends_with('/') => {}
            None => res.push(LinkEnd::Missing(target)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    res.retain(|it| it != &LinkEnd::Page(source.path.clone()) && seen.insert(it.clone()));
    res.into_boxed_slice()
}

#[cfg(test)]
mod graph_tests {
    use super::*;

    #[test]
    fn path_sets_keep_path_order_inline_and_as_b_trees() {
        let path = |i: usize| RepoPath::parse(&format!("p/{i:03}.md")).expect("a path");
        let mut set = PathSet::default();
        // Inserted out of order and twice, past the inline size and back.
        for i in (0..FEW_PATHS * 2).rev().chain(0..FEW_PATHS * 2) {
            set.insert(path(i));
        }
        assert!(matches!(set, PathSet::Many(_)));
        assert_eq!(set.iter().cloned().collect::<Vec<_>>(), (0..FEW_PATHS * 2).map(path).collect::<Vec<_>>());
        for i in (0..FEW_PATHS * 2).step_by(2) {
            set.remove(&path(i));
        }
        assert_eq!(set.len(), FEW_PATHS);
        assert_eq!(set.iter().next(), Some(&path(1)));
        let mut few = PathSet::default();
        for i in [5, 1, 3, 1] {
            few.insert(path(i));
        }
        few.remove(&path(3));
        few.remove(&path(4));
        assert!(matches!(few, PathSet::Few(_)));
        assert_eq!((&few).into_iter().cloned().collect::<Vec<_>>(), [path(1), path(5)]);
        few.remove(&path(1));
        few.remove(&path(5));
        assert!(few.is_empty());
    }

    #[test]
    fn incoming_outgoing_and_wanted() {
        let a = RepoPath::parse("a.md").unwrap();
        let b = RepoPath::parse("b.md").unwrap();
        let resolver = LinkResolver::new([(&a, "A", &[][..]), (&b, "B", &[][..])]);
        let exists = |path: &str| path == "a.md" || path == "b.md";
        let a_links = written(&a, &["B", "Nowhere"], &["b.md"]);
        let graph = LinkGraph::build([LinkSource { path: &a, links: &a_links }], &resolver, &exists);
        assert_eq!(graph.incoming(&b).collect::<Vec<_>>(), [&a]);
        assert_eq!(graph.outgoing(&a), [LinkEnd::Page(b.clone()), LinkEnd::Missing("Nowhere".into())]);
        assert_eq!(graph.wanted().map(|it| it.0.as_str()).collect::<Vec<_>>(), ["Nowhere"]);
        let mut graph = graph;
        graph.set_page(&a, None, &resolver, &exists);
        assert_eq!(graph.n_incoming(&b), 0);
        assert_eq!(graph.wanted().count(), 0);
    }

    // The links of a page at `page` with wiki links to `wiki_targets`, and relative links to the repository
    // paths `page_links` (written relative to the page's folder).
    fn written(page: &RepoPath, wiki_targets: &[&str], page_links: &[&str]) -> Vec<WrittenLink> {
        let up = "../".repeat(page.as_str().matches('/').count());
        let link = |kind, dest: String| WrittenLink { kind, dest: dest.into(), line: 1 };
        let wiki = wiki_targets.iter().map(|it| link(LinkKind::Wiki, it.to_string()));
        wiki.chain(page_links.iter().map(|it| link(LinkKind::Link, format!("{up}{it}")))).collect()
    }

    /// A page as these tests write it: title, aliases, and links.
    #[derive(Debug, Clone)]
    struct TestPage {
        title: String,
        aliases: Vec<String>,
        links: Vec<WrittenLink>,
    }

    type Pages = std::collections::BTreeMap<RepoPath, TestPage>;

    fn sources(pages: &Pages) -> impl Iterator<Item = LinkSource<'_>> {
        pages.iter().map(|(path, page)| LinkSource { path, links: &page.links })
    }

    fn full(pages: &Pages) -> (LinkResolver, LinkGraph) {
        let resolver = LinkResolver::new(pages.iter().map(|(path, it)| (path, it.title.as_str(), &it.aliases[..])));
        let exists = |path: &str| pages.keys().any(|it| it.as_str() == path);
        let graph = LinkGraph::build(sources(pages), &resolver, &exists);
        (resolver, graph)
    }

    // What a refresh does when the pages `changed` went from `before` to `after`: the resolver takes their
    // new names, and only they and the pages `pages_to_relink` names are linked again.
    fn incremental(before: &Pages, after: &Pages, changed: &[RepoPath]) -> (LinkResolver, LinkGraph) {
        let (old_resolver, old_graph) = full(before);
        let mut resolver = old_resolver.clone();
        let mut keys = BTreeSet::new();
        let mut appeared_or_gone = Vec::new();
        for path in changed {
            if let Some(old) = before.get(path) {
                keys.extend(resolver.remove(path, &old.title, &old.aliases));
            }
            if let Some(new) = after.get(path) {
                keys.extend(resolver.insert(path, &new.title, &new.aliases));
            }
            if before.contains_key(path) != after.contains_key(path) {
                appeared_or_gone.push(path.clone());
            }
        }
        let relink =
            old_graph.pages_to_relink(&old_resolver, &resolver, keys.iter().map(String::as_str), &appeared_or_gone);
        let Some(mut relink) = relink else { return full(after) };
        relink.extend(changed.iter().cloned());
        let exists = |path: &str| after.keys().any(|it| it.as_str() == path);
        let mut graph = old_graph;
        for path in &relink {
            let page = after.get(path);
            let source = page.map(|it| LinkSource { path, links: &it.links });
            graph.set_page(path, source, &resolver, &exists);
        }
        (resolver, graph)
    }

    #[test]
    fn relinking_only_the_pages_a_change_affects_equals_a_full_build() {
        let paths = ["a.md", "b.md", "Alpha.md", "x/a.md", "x/b.md", "x/index.md", "y/README.md", "y/c.md"];
        let names = ["a", "A", " /a", "/a", "/x/a", "x/a.md", "Alpha", "beta", "Team Rota", "team-rota", "c", "x/b"];
        let links = ["a.md", "x/a.md", "x/", "y/", "b.md", "y/c.md", "x/index.md", "Alpha.md"];
        let mut seed = 3_u64;
        let mut pick = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let page = |path: &RepoPath, pick: &mut dyn FnMut(usize) -> usize| TestPage {
            title: names[pick(names.len())].trim().to_string(),
            aliases: (0..pick(3)).map(|_| names[pick(names.len())].trim().to_string()).collect(),
            links: written(
                path,
                &(0..pick(4)).map(|_| names[pick(names.len())]).collect::<Vec<_>>(),
                &(0..pick(3)).map(|_| links[pick(links.len())]).collect::<Vec<_>>(),
            ),
        };
        let mut pages = Pages::new();
        for round in 0..3_000 {
            let before = pages.clone();
            let changed: Vec<RepoPath> =
                (0..1 + pick(2)).map(|_| RepoPath::parse(paths[pick(paths.len())]).unwrap()).collect();
            for path in &changed {
                match pick(3) {
                    0 => {
                        pages.remove(path);
                    }
                    _ => {
                        pages.insert(path.clone(), page(path, &mut pick));
                    }
                }
            }
            assert_eq!(incremental(&before, &pages, &changed), full(&pages), "round {round}: {before:?} → {pages:?}");
        }
    }
}
