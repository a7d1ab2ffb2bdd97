//! The page tree, one level (folder) at a time: its entries in order (folders first by name, then pages by
//! title), kept sorted in a cache per reader's view and folder, and brought up to date with the files that
//! changed since (a diff of two snapshots, which share all but what changed), so a save in a folder of 10,000
//! pages costs a few insertions, not a sort. The sidebar shows a window of each level around the way to the
//! current page ([`TREE_WINDOW`]); the tree API pages through a level.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;

use super::view::folder_title;
use crate::content::path::{url_for, url_path};
use crate::site::{Reader, Snapshot};

/// How many entries of each level the sidebar shows around the way to the current page; "N more" buttons
/// load the rest from the tree API, so a page in a folder of 10,000 pages stays small.
pub const TREE_WINDOW: usize = 25;

/// Levels changed in more entries than this since the cached copy are sorted afresh.
const MAX_INCREMENTAL_CHANGES: usize = 2_000;

/// One level of the sidebar's page tree: a window of its entries, and what is left out before and after it.
#[derive(Serialize, Default)]
pub struct TreeLevelView {
    pub entries: Vec<TreeView>,
    pub more_before: Option<TreeMore>,
    pub more_after: Option<TreeMore>,
    /// Whether one of its entries is the open folder on the way to the current page: then all of the level
    /// but that folder's entries is the same for every page below the folder.
    pub holds_way: bool,
}

/// A node of the sidebar's page tree; folders off the current path are closed and load when opened.
#[derive(Serialize)]
pub struct TreeView {
    pub title: String,
    pub url: String,
    pub path: String,
    pub is_folder: bool,
    pub open: bool,
    pub current: bool,
    pub children: TreeLevelView,
}

/// Entries of a level the sidebar leaves out: `count` of them from position `offset` (a page of the tree API).
#[derive(Serialize)]
pub struct TreeMore {
    /// The folder (`""` for the root, else ending in `/`).
    pub path: String,
    pub folder_title: String,
    pub offset: usize,
    pub count: usize,
}

/// One entry of a level, as the tree API lists it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub name: String,
    pub path: String,
    pub title: String,
    pub url: String,
    pub is_folder: bool,
}

/// Sorted levels by reader's view and folder, each with the snapshot it was made from.
pub struct TreeCache(quick_cache::sync::Cache<(String, String), Arc<CachedLevel>, LevelWeighter>);

pub struct CachedLevel {
    snapshot: Arc<Snapshot>,
    level: Level,
}

/// A level in order.
#[derive(Clone, Default)]
struct Level {
    entries: Vec<Arc<LevelEntry>>,
}

/// One entry of a level: what the order and the sidebar need, its name and URL following from its path. (With
/// them, and the title lowercased for the order, each as a string of its own, entries held 11 MiB on the
/// 38,000-page tldr-like wiki.)
struct LevelEntry {
    /// A page's path, sharing the snapshot's allocation, or a subfolder's, ending in `/`.
    path: Arc<str>,
    title: Box<str>,
    is_folder: bool,
}

impl LevelEntry {
    /// The file or folder name.
    fn name(&self) -> &str {
        self.path.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
    }

    fn url(&self) -> String {
        if self.is_folder { url_for(self.path.trim_end_matches('/')) + "/" } else { url_for(url_path(&self.path)) }
    }

    fn tree_entry(&self) -> TreeEntry {
        TreeEntry {
            name: self.name().to_string(),
            path: self.path.to_string(),
            title: self.title.to_string(),
            url: self.url(),
            is_folder: self.is_folder,
        }
    }
}

#[derive(Clone)]
pub struct LevelWeighter;

impl quick_cache::Weighter<(String, String), Arc<CachedLevel>> for LevelWeighter {
    fn weight(&self, key: &(String, String), cached: &Arc<CachedLevel>) -> u64 {
        let entries: usize = cached
            .level
            .entries
            .iter()
            // The path counts although a page's is the snapshot's: an older level keeps it alive.
            .map(|it| it.path.len() + it.title.len() + size_of::<LevelEntry>() + 40)
            .sum();
        (entries + key.0.len() + key.1.len() + 64) as u64
    }
}

impl TreeCache {
    /// An empty cache holding up to `budget_bytes` of levels.
    pub fn new(budget_bytes: u64) -> TreeCache {
        TreeCache(quick_cache::sync::Cache::with_weighter(256, budget_bytes.max(1), LevelWeighter))
    }

    /// The bytes the cache holds now, by its own weighing.
    pub fn weight(&self) -> u64 {
        self.0.weight()
    }

    /// The page tree for a page at `path`: a window of the root level around the way to the page, and each
    /// folder on the way opened the same way.
    pub fn tree_for(&self, reader: &Reader, path: &str) -> TreeLevelView {
        self.window(reader, path, "")
    }

    /// `limit` entries of the level of `folder` (`""` for the root, else ending in `/`) from position
    /// `offset`, in the sidebar's order, and how many it has in all.
    pub fn page(&self, reader: &Reader, folder: &str, offset: usize, limit: usize) -> (Vec<TreeEntry>, usize) {
        let cached = self.level(reader, folder);
        let level = &cached.level;
        let start = offset.min(level.entries.len());
        let end = start.saturating_add(limit).min(level.entries.len());
        (level.entries[start..end].iter().map(|it| it.tree_entry()).collect(), level.entries.len())
    }

    fn window(&self, reader: &Reader, path: &str, folder: &str) -> TreeLevelView {
        let snapshot = reader.snapshot();
        let cached = self.level(reader, folder);
        let level = &cached.level;
        let n_entries = level.entries.len();
        let (start, end) = match level.position_of_way_to(snapshot, path, folder) {
            Some(rank) => {
                let end = (rank.saturating_sub(TREE_WINDOW / 2) + TREE_WINDOW).min(n_entries);
                (end.saturating_sub(TREE_WINDOW), end)
            }
            None => (0, TREE_WINDOW.min(n_entries)),
        };
        let folder_title = || if folder.is_empty() { "Home".to_string() } else { folder_title(snapshot, folder) };
        let more = |offset: usize, count: usize| {
            (count > 0).then(|| TreeMore { path: folder.to_string(), folder_title: folder_title(), offset, count })
        };
        let more_before = more(0, start);
        let more_after = more(end, n_entries - end);
        let entries = level.entries[start..end]
            .iter()
            .map(|it| {
                let open = it.is_folder && path.starts_with(&*it.path);
                TreeView {
                    children: if open { self.window(reader, path, &it.path) } else { TreeLevelView::default() },
                    current: !it.is_folder && &*it.path == path,
                    title: it.title.to_string(),
                    url: it.url(),
                    path: it.path.to_string(),
                    is_folder: it.is_folder,
                    open,
                }
            })
            .collect::<Vec<_>>();
        let holds_way = entries.iter().any(|it| !it.children.entries.is_empty());
        TreeLevelView { entries, more_before, more_after, holds_way }
    }

    // The level of `folder` as `reader` sees it: cached, brought up to date, or sorted afresh. Shared, not
    // copied: a folder of 10,000 pages is 10,000 entries, and copying them for every view was a tenth of a
    // warm view's time on the flat wiki (perf).
    fn level(&self, reader: &Reader, folder: &str) -> Arc<CachedLevel> {
        let snapshot = reader.snapshot();
        let view = if reader.access().sees_everything() { String::new() } else { reader.access().fingerprint() };
        let key = (view, folder.to_string());
        let cached = self.0.get(&key);
        if let Some(cached) = cached.as_ref()
            && Arc::ptr_eq(&cached.snapshot, snapshot)
        {
            return cached.clone();
        }
        let level = cached
            .and_then(|it| it.level.updated(&it.snapshot, snapshot, folder))
            .unwrap_or_else(|| Level::build(snapshot, folder));
        let fresh = Arc::new(CachedLevel { snapshot: snapshot.clone(), level });
        self.0.insert(key, fresh.clone());
        fresh
    }
}

impl Level {
    fn build(snapshot: &Snapshot, folder: &str) -> Level {
        let mut entries: Vec<Arc<LevelEntry>> = Vec::new();
        let mut from = folder.to_string();
        // Subfolders are skipped over with one map lookup each, so the root of a deep wiki costs its own
        // entries, not every file below it.
        loop {
            let mut next_from = None;
            for (file, _) in snapshot.files.range::<_, str>((Bound::Included(from.as_str()), Bound::Unbounded)) {
                let Some(rest) = file.strip_prefix(folder) else { break };
                match rest.split_once('/') {
                    Some((name, _)) => {
                        entries.extend(folder_entry(snapshot, folder, name));
                        // '0' follows '/': the first path after everything in this subfolder.
                        next_from = Some(format!("{folder}{name}0"));
                        break;
                    }
                    None => entries.extend(page_entry(snapshot, file)),
                }
            }
            match next_from {
                Some(next) => from = next,
                None => break,
            }
        }
        // The order's keys made once per entry, not twice per comparison.
        entries.sort_by_cached_key(|it| order_key(it));
        Level { entries }
    }

    // The level after the changes between `old` and `new` (snapshots of the same reader's view), or `None`
    // when so much changed that sorting afresh is quicker.
    fn updated(&self, old: &Snapshot, new: &Snapshot, folder: &str) -> Option<Level> {
        let mut pages = BTreeSet::new();
        let mut subfolders = BTreeSet::new();
        for (n_changes, change) in old.files.diff(&new.files).enumerate() {
            if n_changes >= MAX_INCREMENTAL_CHANGES {
                return None;
            }
            let path = match change {
                imbl::ordmap::DiffItem::Add(path, _) | imbl::ordmap::DiffItem::Remove(path, _) => path,
                imbl::ordmap::DiffItem::Update { new: (path, _), .. } => path,
            };
            let Some(rest) = path.strip_prefix(folder) else { continue };
            match rest.split_once('/') {
                // A file in a subfolder may come, go, or retitle it (its index page).
                Some((name, _)) => subfolders.insert(format!("{folder}{name}/")),
                None => pages.insert(path.clone()),
            };
        }
        if pages.is_empty() && subfolders.is_empty() {
            return Some(self.clone());
        }
        let mut entries = self.entries.clone();
        entries.retain(|it| !pages.contains(&*it.path) && !subfolders.contains(&*it.path));
        let added = pages.iter().filter_map(|path| page_entry(new, path)).chain(subfolders.iter().filter_map(|path| {
            let name = &path[folder.len()..path.len() - 1];
            new.is_folder(path).then(|| folder_entry(new, folder, name)).flatten()
        }));
        for entry in added {
            let at = entries.partition_point(|it| order(it, &entry) == Ordering::Less);
            entries.insert(at, entry);
        }
        Some(Level { entries })
    }

    // Where the entry on the way to `path` (the page itself, or the folder holding it) stands in the level.
    fn position_of_way_to(&self, snapshot: &Snapshot, path: &str, folder: &str) -> Option<usize> {
        let rest = path.strip_prefix(folder)?;
        let probe = match rest.split_once('/') {
            Some((name, _)) => folder_entry(snapshot, folder, name)?,
            None => page_entry(snapshot, path)?,
        };
        let at = self.entries.partition_point(|it| order(it, &probe) == Ordering::Less);
        (self.entries.get(at)?.path == probe.path).then_some(at)
    }
}

// The order of a level: folders first by name, then pages by title (case aside), then by path.
fn order(a: &LevelEntry, b: &LevelEntry) -> Ordering {
    b.is_folder.cmp(&a.is_folder).then_with(|| {
        if a.is_folder {
            a.name().cmp(b.name())
        } else {
            lowercase(&a.title).cmp(lowercase(&b.title)).then_with(|| a.path.cmp(&b.path))
        }
    })
}

// What `order` compares, made once: for sorting a whole level.
fn order_key(entry: &LevelEntry) -> (bool, String, Arc<str>) {
    let name = if entry.is_folder { entry.name().to_string() } else { lowercase(&entry.title).collect() };
    (!entry.is_folder, name, entry.path.clone())
}

// A title as the order compares it: lowercase, made as it is compared.
fn lowercase(title: &str) -> impl Iterator<Item = char> + '_ {
    title.chars().flat_map(char::to_lowercase)
}

// The entry of the page at `path`, unless it is not a page or is not part of the navigation (`_` files).
fn page_entry(snapshot: &Snapshot, path: &str) -> Option<Arc<LevelEntry>> {
    let (page, meta) = snapshot.pages.get_key_value(path)?;
    let name = page.file_name();
    if name.starts_with('_') {
        return None;
    }
    Some(Arc::new(LevelEntry { path: page.shared(), title: meta.title.as_str().into(), is_folder: false }))
}

// The entry of a subfolder, unless it is not part of the navigation (`_`, `.` and `-` folders).
fn folder_entry(snapshot: &Snapshot, folder: &str, name: &str) -> Option<Arc<LevelEntry>> {
    if name.starts_with(['_', '.', '-']) {
        return None;
    }
    let path = format!("{folder}{name}/");
    let title = folder_title(snapshot, &path);
    Some(Arc::new(LevelEntry { path: path.into(), title: title.into(), is_folder: true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str, path: &str, is_folder: bool) -> LevelEntry {
        LevelEntry { path: path.into(), title: title.into(), is_folder }
    }

    #[test]
    fn folders_come_first_then_pages_by_title_then_path() {
        let mut entries = [
            entry("beta", "b.md", false),
            entry("Alpha", "z.md", false),
            entry("zoo", "zoo/", true),
            entry("alpha", "a.md", false),
            entry("ant", "ant/", true),
        ];
        let expected = ["ant/", "zoo/", "a.md", "z.md", "b.md"];
        entries.sort_by(order);
        assert_eq!(entries.iter().map(|it| &*it.path).collect::<Vec<_>>(), expected);
        // Sorting a whole level by its keys gives the same order.
        entries.reverse();
        entries.sort_by_cached_key(order_key);
        assert_eq!(entries.iter().map(|it| &*it.path).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn entries_know_their_name_and_address_from_their_path() {
        let page = entry("Deploy", "ops/how to deploy.md", false).tree_entry();
        assert_eq!((page.name.as_str(), page.url.as_str()), ("how to deploy.md", "/ops/how%20to%20deploy"));
        let folder = entry("Ops", "ops/run books/", true).tree_entry();
        assert_eq!((folder.name.as_str(), folder.url.as_str()), ("run books", "/ops/run%20books/"));
        assert_eq!((folder.path.as_str(), folder.title.as_str(), folder.is_folder), ("ops/run books/", "Ops", true));
    }
}
