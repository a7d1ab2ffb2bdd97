//! The branch as of one commit (`Snapshot`): every file, every page's metadata, tags, the wiki-link resolver
//! and the link graph, built from the previous snapshot plus the files that differ. `Snapshots` owns the
//! current one (readers load it without waiting), the metadata cache it is built from, and the filtered copies
//! readers whom folder rules restrict are given.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;

use super::cache::ByteCache;
use super::views_changed::{ViewsChanged, ViewsChangedBuilder};
use super::{Site, reader};
use crate::Result;
use crate::content::LinkResolver;
use crate::content::RepoPath;
use crate::content::links::{self, LinkGraph, LinkKind, LinkSource};
use crate::content::page::{self, PageMeta};
use crate::metrics::CacheCounters;
use crate::store::{FileChange, ObjectId};

/// The current snapshot and what building it needs.
pub(super) struct Snapshots {
    pub(super) current: ArcSwap<Snapshot>,
    // Refreshes build snapshots one at a time, each from the one before.
    pub(super) refresh_lock: Mutex<()>,
    // Page metadata by blob and path: besides the title fallback (the file or folder name), the targets of
    // relative links, and which links lead into the repository, depend on the page's folder.
    pub(super) meta_cache: ByteCache<(ObjectId, RepoPath), Arc<PageMeta>>,
    // What readers whom folder rules restrict may see, by head and access (see `Site::reader`).
    pub(super) visible_cache: quick_cache::sync::Cache<(Option<ObjectId>, String), reader::Visible>,
}

impl Snapshots {
    /// An empty branch, until the first refresh; page metadata cached within `meta_budget` bytes, its lookups
    /// counted in `counters`.
    pub(super) fn new(meta_budget: u64, counters: CacheCounters) -> Snapshots {
        Snapshots {
            current: ArcSwap::from_pointee(Snapshot::default()),
            refresh_lock: Mutex::new(()),
            meta_cache: ByteCache::new(meta_budget, 1024, |key: &(ObjectId, RepoPath), meta: &Arc<PageMeta>| {
                key.1.as_str().len() + meta.heap_size()
            })
            .counted(counters),
            visible_cache: quick_cache::sync::Cache::new(32),
        }
    }
}

/// The branch as of one commit: every file, and every page's metadata.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The commit this snapshot shows; `None` for an empty branch.
    pub head: Option<ObjectId>,
    // Persistent maps: the next snapshot shares everything but what changed, so a save copies a few nodes,
    // not ten thousand entries.
    /// Every regular file, by path.
    pub files: imbl::OrdMap<String, ObjectId>,
    /// Every Markdown page, by path: its blob and metadata.
    pub pages: imbl::OrdMap<RepoPath, PageEntry>,
    /// Finds pages by the names wiki links use.
    pub resolver: Arc<LinkResolver>,
    /// Who links to whom.
    pub links: LinkGraph,
    /// Pages by tag (lowercased).
    pub tags: imbl::OrdMap<String, imbl::OrdSet<RepoPath>>,
}

/// A page of a snapshot: the blob it is at and what was read from it. (Every page is a file of its snapshot;
/// holding the blob here means nobody looks it up again and expects it to be there.)
#[derive(Debug, Clone)]
pub struct PageEntry {
    pub blob: ObjectId,
    pub meta: Arc<PageMeta>,
}

// Pages are read mostly for their metadata: `entry.title` reads as well as `entry.meta.title`.
impl std::ops::Deref for PageEntry {
    type Target = PageMeta;

    fn deref(&self) -> &PageMeta {
        &self.meta
    }
}

impl Snapshot {
    /// The snapshot as someone who may not read `hidden` sees it: those files are gone from the file and
    /// page lists, tags, the link graph and the wiki-link resolver, so lists, backlinks, reports and rendered
    /// links built from it never show them (a link to a hidden page reads as a link to a missing one).
    pub fn visible_to(&self, hidden: &[String]) -> Snapshot {
        let mut res = Snapshot {
            head: self.head,
            files: self.files.clone(),
            pages: self.pages.clone(),
            resolver: self.resolver.clone(),
            links: self.links.clone(),
            tags: self.tags.clone(),
        };
        let mut resolver = (*self.resolver).clone();
        let mut relink = BTreeSet::new();
        for path in hidden {
            res.files.remove(path);
            if let Ok(page) = RepoPath::parse(path)
                && let Some(meta) = res.pages.remove(&page)
            {
                for tag in &meta.front_matter.tags {
                    let key = tag.to_lowercase();
                    if let Some(pages) = res.tags.get_mut(&key) {
                        pages.remove(&page);
                        if pages.is_empty() {
                            res.tags.remove(&key);
                        }
                    }
                }
                resolver.remove(&page, &meta.title, &meta.front_matter.aliases);
                relink.extend(self.links.incoming(&page).cloned());
                res.links.set_page(&page, None, &self.resolver, &|_| false);
            }
        }
        res.resolver = Arc::new(resolver);
        // Visible pages that linked to hidden ones now link to nothing there (or to a visible page of the name).
        let files = res.files.clone();
        let exists = |path: &str| files.contains_key(path);
        for page in relink.iter().filter(|it| res.pages.contains_key(*it)) {
            let meta = res.pages.get(page).cloned().expect("filtered above");
            res.links.set_page(page, Some(link_source(page, &meta)), &res.resolver, &exists);
        }
        res
    }

    /// The links of the page at `path` that lead nowhere in this snapshot (`links::broken_links`, the checker
    /// `lore check` uses), in order of appearance.
    pub fn broken_links_of(&self, path: &RepoPath) -> Vec<BrokenLink> {
        let Some(meta) = self.pages.get(path) else { return Vec::new() };
        let exists =
            |file: &str| if file.ends_with('/') { self.is_folder(file) } else { self.files.contains_key(file) };
        links::broken_links(path, &meta.links, &self.resolver, &exists)
            .into_iter()
            .map(|it| BrokenLink {
                page: path.clone(),
                kind: it.link.kind,
                dest: it.link.dest.to_string(),
                line: it.link.line as usize,
                target: it.target,
            })
            .collect()
    }

    /// Every link of every page in this snapshot that leads nowhere, pages in path order.
    pub fn broken_links(&self) -> Vec<BrokenLink> {
        self.pages.keys().flat_map(|path| self.broken_links_of(path)).collect()
    }

    /// The blob of the file at `path`.
    pub fn file(&self, path: &str) -> Option<ObjectId> {
        self.files.get(path).copied()
    }

    /// Whether any file lives under `folder` (given with its trailing `/`; `""` is the root).
    pub fn is_folder(&self, folder: &str) -> bool {
        folder.is_empty()
            || self
                .files
                .range::<_, str>((Bound::Included(folder), Bound::Unbounded))
                .next()
                .is_some_and(|(path, _)| path.starts_with(folder))
    }

    /// The files under `folder` (with trailing `/`), recursively, in path order.
    pub fn files_under<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = (&'a String, &'a ObjectId)> + 'a {
        self.files
            .range::<_, str>((Bound::Included(folder), Bound::Unbounded))
            .take_while(move |(path, _)| path.starts_with(folder))
    }

    /// The names of the files and folders directly inside `folder` (with trailing `/`; `""` is the root), in
    /// path order. Skips over each subfolder's files, so it costs one lookup per name, not one per file.
    pub fn children(&self, folder: &str) -> Vec<String> {
        let mut res = Vec::new();
        let mut from = Bound::Included(folder.to_string());
        while let Some((path, _)) = self.files.range::<_, String>((from.clone(), Bound::Unbounded)).next() {
            let Some(rest) = path.strip_prefix(folder) else { break };
            match rest.split_once('/') {
                Some((name, _)) => {
                    // Every path under `name/` sorts before `name0`, as '/' comes right before '0'.
                    from = Bound::Included(format!("{folder}{name}0"));
                    res.push(name.to_string());
                }
                None => {
                    from = Bound::Excluded(path.clone());
                    res.push(rest.to_string());
                }
            }
        }
        res
    }
}

/// A link in a page that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page the link is in.
    pub page: RepoPath,
    pub kind: LinkKind,
    /// The destination as written.
    pub dest: String,
    /// The line of the page's file it is on.
    pub line: usize,
    /// What it looked for: the wiki link's name, or the repository path its URL asks for.
    pub target: String,
}

impl Site {
    /// The current snapshot, unfiltered: only for the site's own work. Everything else reads through a
    /// [`Reader`]. Cheap; never blocks.
    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshots.current.load_full()
    }

    // The next snapshot, and the pages that changed since `old`. `known_changes`, when given, are the files
    // that differ between `old.head` and `head` (read by the caller); otherwise they are read here.
    pub(super) fn next_snapshot(
        &self,
        old: &Snapshot,
        head: Option<ObjectId>,
        known_changes: Option<&[FileChange]>,
    ) -> Result<(Snapshot, Vec<RepoPath>, ViewsChanged)> {
        let Some(head) = head else {
            return Ok((Snapshot::default(), old.pages.keys().cloned().collect(), ViewsChanged::All));
        };
        let changes: Vec<(String, Option<ObjectId>)> = match (known_changes, old.head) {
            (Some(changes), _) => changes.iter().map(|it| (it.path.clone(), it.blob)).collect(),
            (None, Some(old_head)) => {
                self.store.diff_commits(old_head, head)?.into_iter().map(|it| (it.path, it.blob)).collect()
            }
            (None, None) => self.store.tree_files(head)?.into_iter().map(|it| (it.path, Some(it.blob))).collect(),
        };
        let mut files = old.files.clone();
        let mut pages = old.pages.clone();
        let mut tags = old.tags.clone();
        let mut resolver = old.resolver.clone();
        let mut changed_pages = Vec::new();
        // The names (`link_key`s) pages took or gave up, and the pages that appeared or went: what decides
        // which other pages' links may now point elsewhere.
        let mut changed_names = BTreeSet::new();
        let mut appeared_or_gone = Vec::new();
        let mut views_changed = ViewsChangedBuilder::new(old.head.is_some());
        for (path, blob) in changes {
            match blob {
                Some(blob) => {
                    files.insert(path.clone(), blob);
                }
                None => {
                    files.remove(&path);
                }
            }
            // Paths Lore refuses to serve stay in `files` for completeness but never become pages.
            let Ok(page_path) = RepoPath::parse(&path) else {
                views_changed.other_file();
                continue;
            };
            if !page_path.is_markdown() {
                views_changed.other_file();
                continue;
            }
            // The first snapshot reads every page once, and holds what it read: kept in the metadata cache too,
            // every page's entry held its key and slot there for nothing (6 MiB on the tldr-like wiki).
            let read =
                |blob| if old.head.is_none() { self.read_meta(&page_path, blob) } else { self.meta(&page_path, blob) };
            let new_meta = blob.map(|blob| read(blob).map(|meta| PageEntry { blob, meta })).transpose()?;
            changed_pages.push(page_path.clone());
            let old_meta = match &new_meta {
                Some(entry) => pages.insert(page_path.clone(), entry.clone()),
                None => pages.remove(&page_path),
            };
            views_changed.page(
                &page_path,
                old_meta.as_ref().map(|it| &*it.meta),
                new_meta.as_ref().map(|it| &*it.meta),
            );
            for tag in old_meta.iter().flat_map(|it| it.front_matter.tags.iter()) {
                if let Some(tagged) = tags.get_mut(&tag.to_lowercase()) {
                    tagged.remove(&page_path);
                    if tagged.is_empty() {
                        tags.remove(&tag.to_lowercase());
                    }
                }
            }
            for tag in new_meta.iter().flat_map(|it| it.front_matter.tags.iter()) {
                tags.entry(tag.to_lowercase()).or_default().insert(page_path.clone());
            }
            let same_names = match (&old_meta, &new_meta) {
                (Some(old), Some(new)) => {
                    old.title == new.title && old.front_matter.aliases == new.front_matter.aliases
                }
                _ => false,
            };
            if !same_names {
                let resolver = Arc::make_mut(&mut resolver);
                if let Some(old) = &old_meta {
                    changed_names.extend(resolver.remove(&page_path, &old.title, &old.front_matter.aliases));
                }
                if let Some(new) = &new_meta {
                    changed_names.extend(resolver.insert(&page_path, &new.title, &new.front_matter.aliases));
                }
            }
            if old_meta.is_some() != new_meta.is_some() {
                appeared_or_gone.push(page_path);
            }
        }
        let exists = |path: &str| files.contains_key(path);
        // Besides the changed pages, only pages whose links lead to a name or path that changed hands are
        // resolved again.
        let relink = match old.head {
            Some(_) => old.links.pages_to_relink(
                &old.resolver,
                &resolver,
                changed_names.iter().map(String::as_str),
                &appeared_or_gone,
            ),
            None => None,
        };
        views_changed.relinked(relink.as_ref());
        let links = match relink {
            Some(mut relink) => {
                relink.extend(changed_pages.iter().cloned());
                let mut graph = old.links.clone();
                for path in &relink {
                    graph.set_page(path, pages.get(path).map(|meta| link_source(path, meta)), &resolver, &exists);
                }
                graph
            }
            None => LinkGraph::build(pages.iter().map(|(path, meta)| link_source(path, meta)), &resolver, &exists),
        };
        let views_changed = views_changed.build(&old.links, &links);
        let snapshot = Snapshot { head: Some(head), files, pages, resolver, links, tags };
        Ok((snapshot, changed_pages, views_changed))
    }

    /// The metadata of the page `path` as blob `blob` holds it: the served snapshot's when it holds that blob
    /// there, else from the metadata cache (older versions, pages that just changed).
    pub(super) fn meta(&self, path: &RepoPath, blob: ObjectId) -> Result<Arc<PageMeta>> {
        if let Some(entry) = self.snapshot().pages.get(path).filter(|it| it.blob == blob) {
            return Ok(entry.meta.clone());
        }
        // Not by blob alone: one text copied into two folders links to a different page from each.
        let key = (blob, path.clone());
        self.snapshots.meta_cache.get_or_insert_with(&key, || self.read_meta(path, blob))
    }

    // The metadata of `path` as `blob` holds it, read and parsed.
    fn read_meta(&self, path: &RepoPath, blob: ObjectId) -> Result<Arc<PageMeta>> {
        if self.store.blob_size(blob)? > self.config.max_page_bytes {
            let mut meta = page::read_meta(path, "");
            meta.warnings.push(format!(
                "this page is larger than the limit of {} bytes and is not rendered",
                self.config.max_page_bytes
            ));
            return Ok(Arc::new(meta));
        }
        let bytes = self.store.read_blob(blob)?;
        let (text, decode_warning) = page::decode(&bytes);
        let mut meta = page::read_meta(path, &text);
        meta.warnings.extend(decode_warning);
        Ok(Arc::new(meta))
    }
}

pub(super) fn link_source<'a>(path: &'a RepoPath, meta: &'a PageMeta) -> LinkSource<'a> {
    LinkSource { path, links: &meta.links }
}
