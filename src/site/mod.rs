//! The live wiki: a snapshot of the served branch (files, pages, link resolver), caches keyed by blob id,
//! the change index, and the operations handlers call. Refreshes itself when the branch moves.
//!
//! Readers take an `Arc<Snapshot>` and never hold a lock while they work; only `refresh` builds snapshots,
//! one at a time, each from the previous one plus the diff between their commits.

pub mod cache;
mod people;
mod questions;
mod reader;
mod writer;

pub use people::{Authorship, Expert, PageHealth, PageShare, PersonSummary, Reason, ReviewItem};
pub use questions::{AnswerEntry, QuestionSummary, answer_path, question_path};
pub use reader::{CommitDetail, FileDiff, HIDDEN_MESSAGE, HistoryRow, PageDiff, Reader};
pub use writer::Writer;

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::time::Instant;

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::content::links::WikiTarget;
use crate::content::links::{LinkGraph, LinkSource};
use crate::content::page::{self, PageMeta};
use crate::content::text::plain_text;
use crate::content::{LinkResolver, RepoPath, front_matter, path};
use crate::history::{ChangeFilter, ChangeIndex, HistoryEntry, RecentChange};
use crate::render::diff::{self, BlameLine};
use crate::render::{self, RenderedBody};
use crate::search::{self, SearchDocument, SearchIndex, SearchQuery, SearchResults, Suggestion};
use crate::store::{self, CommitAttempt, CommitChanges, CommitInfo, FileChange, FileEdit, ObjectId, Person, Store};
use crate::{Error, Result, hooks, starter};
use cache::{ByteCache, CacheBudgets};

/// The branch as of one commit: every file, and every page's metadata.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The commit this snapshot shows; `None` for an empty branch.
    pub head: Option<ObjectId>,
    // Persistent maps: the next snapshot shares everything but what changed, so a save copies a few nodes,
    // not ten thousand entries.
    /// Every regular file, by path.
    pub files: imbl::OrdMap<String, ObjectId>,
    /// Every Markdown page, by path.
    pub pages: imbl::OrdMap<RepoPath, Arc<PageMeta>>,
    /// Finds pages by the names wiki links use.
    pub resolver: Arc<LinkResolver>,
    /// Who links to whom.
    pub links: LinkGraph,
    /// Pages by tag (lowercased).
    pub tags: imbl::OrdMap<String, imbl::OrdSet<RepoPath>>,
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
}

/// A page ready to show: its metadata, rendered body and last change.
#[derive(Debug, Clone)]
pub struct PageView {
    pub path: RepoPath,
    pub blob: ObjectId,
    pub meta: Arc<PageMeta>,
    pub body: Arc<RenderedBody>,
    pub last_change: Option<Arc<CommitInfo>>,
}

/// A page's source: its text (decoded lossily if it is not UTF-8) and metadata.
#[derive(Debug, Clone)]
pub struct PageSource {
    pub path: RepoPath,
    pub blob: ObjectId,
    pub text: String,
    pub meta: Arc<PageMeta>,
}

/// A deleted page: the commit that deleted it and the newest commit that still has it.
#[derive(Debug, Clone)]
pub struct Deletion {
    pub deleted_by: Arc<CommitInfo>,
    pub last_version: Arc<CommitInfo>,
}

/// An edit of one page, as the browser or the API sends it.
#[derive(Debug, Clone)]
pub struct PageEdit {
    pub path: RepoPath,
    pub markdown: String,
    pub message: Option<String>,
    /// The blob the edit started from (`If-Match`); required when the page exists.
    pub base_blob: Option<ObjectId>,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    /// A new commit holds the edit. `merged_with` names whose concurrent changes were merged in.
    Saved { commit: ObjectId, blob: ObjectId, created: bool, merged_with: Option<Person> },
    /// The text equals what is stored; no commit was made.
    Unchanged { commit: ObjectId, blob: ObjectId },
    /// The page changed since the edit started and the changes overlap: nothing was committed.
    Conflict { yours: String, theirs: String, base: String, theirs_blob: ObjectId },
}

/// The wiki being served.
pub struct Site {
    pub config: Config,
    store: Store,
    current: ArcSwap<Snapshot>,
    changes: RwLock<ChangeIndex>,
    changes_ready: AtomicBool,
    meta_cache: ByteCache<(ObjectId, String), Arc<PageMeta>>,
    line_stats_cache: ByteCache<(Option<ObjectId>, Option<ObjectId>), (usize, usize)>,
    blame_cache: ByteCache<(RepoPath, ObjectId), Arc<Vec<BlameLine>>>,
    saved_commits: AtomicUsize,
    render_cache: ByteCache<RenderKey, Arc<RenderedBody>>,
    refresh_lock: Mutex<()>,
    write_lock: Mutex<()>,
    authorship: RwLock<HashMap<RepoPath, Authorship>>,
    authorship_ready: AtomicBool,
    search: SearchIndex,
    search_ready: AtomicBool,
    // Wakes the search indexer thread when the branch moves.
    search_wakeup: Mutex<Option<mpsc::Sender<()>>>,
    // What readers whom folder rules restrict may see, by head and access (see `Site::reader`).
    visible_cache: quick_cache::sync::Cache<(Option<ObjectId>, String), reader::Visible>,
}

/// What a planned commit does: commit these edits, or stop with a value.
enum Attempt<R> {
    Commit { edits: Vec<FileEdit>, message: String },
    Stop(R),
}

/// How `commit_retrying` ended.
enum Committed<R> {
    Commit(ObjectId),
    /// The edits changed nothing; the head stays at this commit.
    Unchanged(ObjectId),
    Stopped(R),
}

impl<R> Committed<R> {
    /// The commit the branch points at after the operation.
    fn commit_id(self) -> Result<ObjectId> {
        match self {
            Committed::Commit(id) | Committed::Unchanged(id) => Ok(id),
            Committed::Stopped(_) => Err(Error::Repository("the operation stopped without committing".into())),
        }
    }
}

// A rendered body depends on the blob, the page's folder (relative links) and where its wiki links point.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RenderKey {
    blob: ObjectId,
    path: RepoPath,
    wiki_targets_hash: u64,
}

// Rendered bodies, weighed by their HTML and table of contents: one page of 250,000 headings is 53 MB.
fn render_cache(budget: u64) -> ByteCache<RenderKey, Arc<RenderedBody>> {
    ByteCache::new(budget, 32 * 1024, |key, body| key.path.as_str().len() + body.heap_size())
}

/// How many new commits make the change index worth saving again.
const SAVE_INDEX_EVERY_COMMITS: usize = 1_000;

/// Files larger than this are not diffed line by line.
pub const MAX_DIFF_BYTES: u64 = 2 * 1024 * 1024;

/// A file's content as diffs see it.
#[derive(Debug, Clone)]
pub enum Text {
    Lines(String),
    Binary,
    TooLarge,
}

/// How many times a save rebuilds on a moved head before giving up.
const MAX_SAVE_ATTEMPTS: usize = 32;

impl Site {
    /// Opens the configured repository, creating and seeding `<data>/wiki.git` on first run.
    pub fn open(config: Config) -> Result<Site> {
        std::fs::create_dir_all(&config.data)?;
        let repo_path = config.repo_path();
        let store = if config.manages_repo() && !repo_path.exists() {
            tracing::info!(path = %repo_path.display(), "creating the wiki repository with the starter content");
            Store::create_seeded(&repo_path, &starter::files(), "Create the wiki with Lore's starter content")?
        } else {
            Store::open(&repo_path, config.branch.as_deref())?
        };
        if store.branch_is_checked_out().unwrap_or(false) {
            // Like pushing into a checked-out branch: Lore never touches the working tree, so that tree's
            // index goes stale when pages are saved; committing there from the stale index undoes saves.
            tracing::warn!(
                "serving the branch checked out in {}: browser saves move it under that working tree, whose index then \
                 looks like it undoes them; to edit in the browser and commit there too, serve a bare clone instead",
                store.git_dir().display()
            );
        }
        if let Err(err) = hooks::install(store.git_dir(), &config, store.branch_ref()) {
            // Serving still works; only pushes go unchecked until the hooks can be installed.
            tracing::error!(error = %err, "could not install the git hooks");
        }
        let config_data = config.data.clone();
        let budgets = CacheBudgets::split(config.cache_mb);
        let site = Site {
            config,
            store,
            current: ArcSwap::from_pointee(Snapshot::default()),
            changes: RwLock::new(ChangeIndex::default()),
            changes_ready: AtomicBool::new(false),
            meta_cache: ByteCache::new(budgets.meta, 1024, |key, meta| key.1.len() + meta.heap_size()),
            line_stats_cache: ByteCache::new(budgets.line_stats, 64, |_, _| 0),
            blame_cache: ByteCache::new(budgets.blame, 64 * 1024, |key, lines| {
                key.0.as_str().len() + lines.iter().map(|it| size_of::<BlameLine>() + it.text.len()).sum::<usize>()
            }),
            saved_commits: AtomicUsize::new(0),
            render_cache: render_cache(budgets.render),
            refresh_lock: Mutex::new(()),
            write_lock: Mutex::new(()),
            authorship: RwLock::new(HashMap::new()),
            authorship_ready: AtomicBool::new(false),
            search: SearchIndex::open(&search::index_dir(&config_data))?,
            search_ready: AtomicBool::new(false),
            search_wakeup: Mutex::new(None),
            visible_cache: quick_cache::sync::Cache::new(32),
        };
        site.refresh()?;
        Ok(site)
    }

    /// The served repository's git folder, for the git transport and the admin page.
    pub fn git_dir(&self) -> &std::path::Path {
        self.store.git_dir()
    }

    /// The served branch, as a full ref name.
    pub fn branch_ref(&self) -> &str {
        self.store.branch_ref()
    }

    /// The commits a push brought: reachable from `new` but not from `old`.
    pub fn commits_between(&self, old: Option<ObjectId>, new: ObjectId) -> Result<Vec<ObjectId>> {
        self.store.commits_between(old, new)
    }

    /// The current snapshot, unfiltered: only for the site's own work. Everything else reads through a
    /// [`Reader`]. Cheap; never blocks.
    fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// How many pages the branch holds (for the admin's health view).
    pub fn n_pages(&self) -> usize {
        self.current.load().pages.len()
    }

    /// How many files the branch holds.
    pub fn n_files(&self) -> usize {
        self.current.load().files.len()
    }

    /// The commit the site serves; `None` for an empty branch.
    pub fn head(&self) -> Option<ObjectId> {
        self.current.load().head
    }

    /// Whether the change index has been built (until then, "last edited" facts are unknown).
    pub fn changes_ready(&self) -> bool {
        self.changes_ready.load(Ordering::Acquire)
    }

    /// Builds the change index from the whole history. Slow on big repositories: run it off the request path.
    pub fn build_change_index(&self) -> Result<()> {
        let Some(head) = self.snapshot().head else {
            self.changes_ready.store(true, Ordering::Release);
            return Ok(());
        };
        let started = Instant::now();
        let index_file = self.change_index_file();
        let mut index = ChangeIndex::load(&index_file).unwrap_or_default();
        let n_loaded = index.n_commits();
        let mut last_report = Instant::now();
        let n_new = index.catch_up(&self.store, head, |n_commits| {
            if last_report.elapsed().as_secs() >= 2 {
                let per_second = n_commits as f64 / started.elapsed().as_secs_f64();
                tracing::info!(n_commits, per_second = per_second as u64, "indexing history");
                last_report = Instant::now();
            }
        })?;
        tracing::info!(
            n_loaded,
            n_new,
            n_commits = index.n_commits(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "history indexed"
        );
        if n_new > 0 {
            index.save(&index_file)?;
        }
        self.saved_commits.store(index.n_commits(), Ordering::Release);
        *self.changes.write().expect("change index lock is never poisoned") = index;
        self.changes_ready.store(true, Ordering::Release);
        // The branch may have moved while the walk ran.
        self.catch_up_changes(self.snapshot().head, None)
    }

    /// Brings the snapshot (and the change index, once built) up to the branch's current head.
    /// Returns whether anything changed.
    pub fn refresh(&self) -> Result<bool> {
        let _one_builder = self.refresh_lock.lock().expect("refresh lock is never poisoned");
        let old = self.snapshot();
        let head = self.store.head()?;
        if head == old.head {
            return Ok(false);
        }
        // When the branch moved by one ordinary commit (every save through Lore, a push of one commit), that
        // commit's diff against its parent is both the snapshot's diff and the change index's walk: read it once.
        let child = match (old.head, head) {
            (Some(old_head), Some(head)) => self.store.child_changes(old_head, head)?.map(|it| (old_head, it)),
            _ => None,
        };
        let (next, changed_pages) =
            self.next_snapshot(&old, head, child.as_ref().map(|(_, commit)| commit.changes.as_slice()))?;
        self.current.store(Arc::new(next));
        self.catch_up_changes(head, child)?;
        self.update_authorship(&changed_pages)?;
        self.wake_search_indexer();
        Ok(true)
    }

    /// Tells the search indexer there is work: the branch moved, or the history index is ready.
    pub fn wake_search_indexer(&self) {
        if let Some(wakeup) = self.search_wakeup.lock().expect("search wakeup lock is never poisoned").as_ref() {
            // The indexer may have stopped; searches then keep using the index as it is.
            let _ = wakeup.send(());
        }
    }

    /// Whether search has caught up with the branch at least once since start: every page is searchable.
    pub fn search_ready(&self) -> bool {
        self.search_ready.load(Ordering::Acquire)
    }

    /// Whether search is ready and its documents also carry authors and last updates (from history).
    pub fn search_complete(&self) -> bool {
        self.search_ready() && self.search.indexed_with_history()
    }

    /// Runs a search.
    fn search(&self, query: &SearchQuery, limit: usize, offset: usize) -> Result<SearchResults> {
        self.search.search(query, limit, offset)
    }

    /// Search-box suggestions for what has been typed so far.
    fn suggest(&self, typed: &str, limit: usize, may_show: &dyn Fn(&str) -> bool) -> Result<Vec<Suggestion>> {
        self.search.suggest(typed, limit, may_show)
    }

    /// Keeps the search index caught up with the branch: now, then whenever `refresh` says the branch moved
    /// or the history index becomes ready. Runs until the site is dropped; call it on a thread of its own.
    pub fn run_search_indexer(site: Arc<Site>) {
        let (sender, receiver) = mpsc::channel();
        *site.search_wakeup.lock().expect("search wakeup lock is never poisoned") = Some(sender);
        // Hold the site only while working: when the server drops it, the sender goes with it and the
        // loop ends.
        let weak = Arc::downgrade(&site);
        drop(site);
        loop {
            let Some(site) = weak.upgrade() else { return };
            if let Err(err) = site.sync_search(|_, _| {}) {
                tracing::error!(error = %err, "updating the search index failed");
            }
            site.search_ready.store(true, Ordering::Release);
            drop(site);
            if receiver.recv().is_err() {
                return;
            }
            // Saves that landed while the last update ran are indexed together in one commit; an idle
            // indexer starts at once (waiting to batch would only delay a lone save).
            while receiver.try_recv().is_ok() {}
        }
    }

    /// Brings the search index to the current head: only changed files when it knows where it was, else a
    /// full rebuild. `progress(done, total)` reports a rebuild's progress.
    pub fn sync_search(&self, mut progress: impl FnMut(usize, usize)) -> Result<()> {
        let snapshot = self.snapshot();
        let Some(head) = snapshot.head else { return Ok(()) };
        // Read before the documents are built: they carry history only if it was ready by then.
        let with_history = self.changes_ready();
        if with_history && !self.search.indexed_with_history() {
            // Indexed before history was ready (or never): build it whole, with authors and last updates.
            return self.rebuild_search(&mut progress);
        }
        let indexed = self.search.indexed_head();
        if indexed.as_deref() == Some(head.to_string().as_str()) {
            return Ok(());
        }
        let known = indexed.and_then(|it| it.parse::<ObjectId>().ok()).filter(|it| self.store.commit_info(*it).is_ok());
        let Some(known) = known else { return self.rebuild_search(&mut progress) };
        let started = Instant::now();
        let mut paths = std::collections::BTreeSet::new();
        for change in self.store.diff_commits(known, head)? {
            if let Some(question) = question_of_answer(&change.path) {
                paths.insert(question);
            }
            paths.insert(change.path);
        }
        let documents = paths
            .iter()
            .filter_map(|path| RepoPath::parse(path).ok())
            .filter(|path| is_searchable(path.as_str()))
            .filter_map(|path| snapshot.pages.get(&path).map(|meta| (path.clone(), meta.clone())))
            .filter_map(|(path, meta)| {
                self.search_document(&snapshot, &path, &meta)
                    .map_err(|err| tracing::warn!(%path, error = %err, "not indexed"))
                    .ok()
            })
            .collect();
        let paths: Vec<String> = paths.into_iter().collect();
        self.search.apply(&paths, documents, &head.to_string(), with_history)?;
        tracing::debug!(
            n_paths = paths.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index caught up"
        );
        Ok(())
    }

    /// Rebuilds the search index from every page of the current snapshot.
    pub fn rebuild_search(&self, progress: &mut impl FnMut(usize, usize)) -> Result<()> {
        let snapshot = self.snapshot();
        let Some(head) = snapshot.head else { return Ok(()) };
        let started = Instant::now();
        let with_history = self.changes_ready();
        let total = snapshot.pages.keys().filter(|it| is_searchable(it.as_str())).count();
        let mut done = 0;
        let mut last_report = Instant::now();
        let documents =
            snapshot.pages.iter().filter(|(path, _)| is_searchable(path.as_str())).filter_map(|(path, meta)| {
                done += 1;
                progress(done, total);
                if last_report.elapsed().as_secs() >= 2 {
                    tracing::info!(done, total, "indexing pages for search");
                    last_report = Instant::now();
                }
                self.search_document(&snapshot, path, meta)
                    .map_err(|err| tracing::warn!(%path, error = %err, "not indexed"))
                    .ok()
            });
        let n = self.search.rebuild(documents, &head.to_string(), with_history)?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        tracing::info!(n_documents = n, elapsed_ms, with_history, "search index built");
        Ok(())
    }

    /// The commit the search index reflects, once it is built.
    pub fn search_indexed_head(&self) -> Option<String> {
        self.search.indexed_head()
    }

    /// Size of the search index on disk, in bytes.
    pub fn search_index_bytes(&self) -> u64 {
        self.search.size_on_disk(&search::index_dir(&self.config.data))
    }

    fn search_document(&self, snapshot: &Snapshot, path: &RepoPath, meta: &PageMeta) -> Result<SearchDocument> {
        let blob = snapshot.file(path.as_str()).ok_or_else(|| Error::NotFound(path.to_string()))?;
        let text = match self.text_of(Some(blob))? {
            Some(Text::Lines(text)) => text,
            _ => String::new(),
        };
        let plain = plain_text(front_matter::split(&text).body);
        let kind = page_kind(path.as_str());
        let (history, last) = if self.changes_ready() {
            let index = self.changes.read().expect("change index lock is never poisoned");
            let history = index.history(path.as_str());
            let last = history.first().map(|it| it.commit.clone());
            (history, last)
        } else {
            (Vec::new(), None)
        };
        let mut authors: Vec<String> =
            history.iter().map(|it| format!("{} {}", it.commit.author.name, it.commit.author.email)).collect();
        authors.sort();
        authors.dedup();
        let accepted_answer = match (kind, meta.front_matter.extra.get("accepted").and_then(|it| it.as_str())) {
            ("question", Some(answer_id)) => {
                let answer_path = format!("{}/{answer_id}.md", path.page_name());
                match self.text_of(snapshot.file(&answer_path))? {
                    Some(Text::Lines(answer)) => Some(plain_text(front_matter::split(&answer).body).text),
                    _ => None,
                }
            }
            _ => None,
        };
        let (url, title) = match kind {
            "answer" => {
                let question = question_of_answer(path.as_str()).unwrap_or_default();
                let question_title = RepoPath::parse(&question)
                    .ok()
                    .and_then(|it| snapshot.pages.get(&it).map(|meta| meta.title.clone()));
                let url = format!("{}#answer-{}", path::url_for(question.trim_end_matches(".md")), path.file_stem());
                (url, format!("Answer: {}", question_title.unwrap_or_else(|| meta.title.clone())))
            }
            _ => (path.url(), meta.title.clone()),
        };
        Ok(SearchDocument {
            path: path.as_str().to_string(),
            url,
            title,
            headings: plain.headings,
            body: plain.text,
            tags: meta.front_matter.tags.clone(),
            kind,
            authors,
            updated_at: last.as_ref().map_or(0, |it| it.time),
            updated_by: last.map(|it| it.author.name.clone()).unwrap_or_default(),
            accepted_answer,
        })
    }

    /// The newest commit that changed `path`, when the change index knows it.
    fn last_change(&self, path: &str) -> Option<Arc<CommitInfo>> {
        self.changes.read().expect("change index lock is never poisoned").last_change(path).map(|it| it.commit)
    }

    /// If `path` was deleted: who deleted it, and the last commit that still had it (to restore from).
    fn deletion(&self, path: &str) -> Option<Deletion> {
        if RepoPath::parse(path).ok().and_then(|it| self.moved_to(&it)).is_some() {
            return None;
        }
        let history = self.changes.read().expect("change index lock is never poisoned").history(path);
        let mut changes = history.into_iter();
        let deleted = changes.next().filter(|it| it.blob.is_none())?;
        let last_version = changes.find(|it| it.blob.is_some())?;
        Some(Deletion { deleted_by: deleted.commit, last_version: last_version.commit })
    }

    /// A page ready to show, or `None` if the snapshot has no such page.
    fn page_view(&self, snapshot: &Snapshot, path: &RepoPath) -> Result<Option<PageView>> {
        let Some(meta) = snapshot.pages.get(path).cloned() else { return Ok(None) };
        let blob = snapshot.file(path.as_str()).expect("every page is a file of its snapshot");
        let body = self.render_cached(snapshot, path, blob, &meta)?;
        Ok(Some(PageView { path: path.clone(), blob, meta, body, last_change: self.last_change(path.as_str()) }))
    }

    fn render_cached(
        &self,
        snapshot: &Snapshot,
        path: &RepoPath,
        blob: ObjectId,
        meta: &PageMeta,
    ) -> Result<Arc<RenderedBody>> {
        let targets: Vec<WikiTarget> = meta.wiki_targets.iter().map(|it| snapshot.resolver.resolve(it)).collect();
        let key = RenderKey { blob, path: path.clone(), wiki_targets_hash: hash_of(&targets) };
        self.render_cache.get_or_insert_with(&key, || -> Result<Arc<RenderedBody>> {
            if self.store.blob_size(blob)? > self.config.max_page_bytes {
                return Ok(Arc::new(too_large_body(path, self.config.max_page_bytes)));
            }
            let bytes = self.store.read_blob(blob)?;
            let (text, _) = page::decode(&bytes);
            let doc = front_matter::split(&text);
            let resolver = &snapshot.resolver;
            Ok(Arc::new(render::render_body(path, &meta.title, doc.body, &|target| resolver.resolve(target))))
        })
    }

    /// A page's Markdown source.
    fn page_source(&self, snapshot: &Snapshot, path: &RepoPath) -> Result<Option<PageSource>> {
        let Some(meta) = snapshot.pages.get(path).cloned() else { return Ok(None) };
        let blob = snapshot.file(path.as_str()).expect("every page is a file of its snapshot");
        let bytes = self.store.read_blob(blob)?;
        let text = page::decode(&bytes).0.into_owned();
        Ok(Some(PageSource { path: path.clone(), blob, text, meta }))
    }

    /// Renders Markdown that is not stored (previews), against a snapshot's pages.
    fn render_preview(&self, snapshot: &Snapshot, path: &RepoPath, markdown: &str) -> (Arc<PageMeta>, RenderedBody) {
        let meta = Arc::new(page::read_meta(path, markdown));
        let doc = front_matter::split(markdown);
        let body = render::render_body(path, &meta.title, doc.body, &|target| snapshot.resolver.resolve(target));
        (meta, body)
    }

    /// Saves a page in one commit on the branch, merging with changes made since the edit started.
    fn save_page(&self, edit: &PageEdit, author: &Person) -> Result<SaveOutcome> {
        let size = edit.markdown.len() as u64;
        if size > self.config.max_page_bytes {
            return Err(Error::TooLarge { what: "the page", size, limit: self.config.max_page_bytes });
        }
        let mut created = false;
        let mut merged_with = None;
        let mut new_blob = None;
        let committed = self.commit_retrying(author, |head| {
            let current_blob = self.blob_at(head, &edit.path)?;
            created = current_blob.is_none();
            if created {
                self.check_new_names(head, &edit.path)?;
            }
            merged_with = None;
            let content: Vec<u8> = match (current_blob, edit.base_blob) {
                (None, _) => edit.markdown.clone().into_bytes(),
                (Some(_), None) => return Err(Error::PreconditionRequired),
                (Some(current), Some(base)) if current == base => edit.markdown.clone().into_bytes(),
                (Some(current), Some(base)) => {
                    // The base is echoed back in a conflict: it must be a version of this very page, or any
                    // blob id would read any file.
                    if !self.is_version_of(&edit.path, base)? {
                        return Err(Error::bad_input(format!(
                            "If-Match names {base}, which is not a version of {}",
                            edit.path
                        )));
                    }
                    let base_text = self.store.read_blob(base)?;
                    let theirs = self.store.read_blob(current)?;
                    let merge = store::merge_text(&base_text, edit.markdown.as_bytes(), &theirs);
                    if !merge.clean {
                        return Ok(Attempt::Stop(SaveOutcome::Conflict {
                            yours: edit.markdown.clone(),
                            theirs: String::from_utf8_lossy(&theirs).into_owned(),
                            base: String::from_utf8_lossy(&base_text).into_owned(),
                            theirs_blob: current,
                        }));
                    }
                    merged_with =
                        Some(self.last_change(edit.path.as_str()).map_or_else(Person::lore, |it| it.author.clone()));
                    merge.content
                }
            };
            new_blob = Some(store::hash_blob(&content));
            let message = edit.message.clone().filter(|it| !it.trim().is_empty()).unwrap_or_else(|| {
                let title = page::read_meta(&edit.path, &String::from_utf8_lossy(&content)).title;
                if created { format!("Create {title}") } else { format!("Update {title}") }
            });
            Ok(Attempt::Commit {
                edits: vec![FileEdit::Write { path: edit.path.as_str().to_string(), content }],
                message,
            })
        })?;
        let blob = || new_blob.expect("a commit attempt computed the blob");
        Ok(match committed {
            Committed::Commit(commit) => SaveOutcome::Saved { commit, blob: blob(), created, merged_with },
            Committed::Unchanged(commit) => SaveOutcome::Unchanged { commit, blob: blob() },
            Committed::Stopped(outcome) => outcome,
        })
    }

    /// Deletes a page in one commit. `base_blob` must name the current version.
    fn delete_page(
        &self,
        path: &RepoPath,
        base_blob: ObjectId,
        author: &Person,
        message: Option<String>,
    ) -> Result<ObjectId> {
        let committed = self.commit_retrying(author, |head| {
            let current = self.blob_at(head, path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
            if current != base_blob {
                return Err(Error::PreconditionFailed);
            }
            let title = self.title_of(current, path)?;
            let message =
                message.clone().filter(|it| !it.trim().is_empty()).unwrap_or_else(|| format!("Delete {title}"));
            Ok(Attempt::<()>::Commit { edits: vec![FileEdit::Delete { path: path.as_str().to_string() }], message })
        })?;
        committed.commit_id()
    }

    /// Moves a page in one commit, recording the old name in its `aliases` so old URLs and wiki links keep
    /// working. `base_blob`, when given, must name the current version.
    fn move_page(
        &self,
        from: &RepoPath,
        to: &RepoPath,
        base_blob: Option<ObjectId>,
        author: &Person,
    ) -> Result<ObjectId> {
        if !to.is_markdown() {
            return Err(Error::bad_input("the new path must end in .md"));
        }
        if from == to {
            return Err(Error::bad_input("the page is already at that path"));
        }
        let committed = self.commit_retrying(author, |head| {
            let current = self.blob_at(head, from)?.ok_or_else(|| Error::NotFound(from.to_string()))?;
            if base_blob.is_some_and(|base| base != current) {
                return Err(Error::PreconditionFailed);
            }
            if self.blob_at(head, to)?.is_some() {
                return Err(Error::bad_input(format!("a page already exists at {to}")));
            }
            self.check_new_names(head, to)?;
            let text = String::from_utf8_lossy(&self.store.read_blob(current)?).into_owned();
            let moved = front_matter::with_alias(&text, from.page_name())
                .map_err(|err| Error::bad_input(format!("cannot record the old name: {err}")))?;
            let title = page::read_meta(to, &moved).title;
            let edits = vec![
                FileEdit::Delete { path: from.as_str().to_string() },
                FileEdit::Write { path: to.as_str().to_string(), content: moved.into_bytes() },
            ];
            Ok(Attempt::<()>::Commit { edits, message: format!("Move {title} to {}", to.page_name()) })
        })?;
        committed.commit_id()
    }

    /// Brings back the version of a page from `commit` as a new commit (history is never rewritten).
    fn restore_page(&self, path: &RepoPath, commit: ObjectId, author: &Person) -> Result<ObjectId> {
        let (_, old_blob) = self
            .version_at(path, commit)?
            .ok_or_else(|| Error::bad_input(format!("{path} did not exist in commit {}", commit.short())))?;
        let content = self.store.read_blob(old_blob)?;
        let title = self.title_of(old_blob, path)?;
        let committed = self.commit_retrying(author, |_head| {
            let message = format!("Restore {title} to version {}", commit.short());
            Ok(Attempt::<()>::Commit {
                edits: vec![FileEdit::Write { path: path.as_str().to_string(), content: content.clone() }],
                message,
            })
        })?;
        committed.commit_id()
    }

    /// Stores an uploaded file in the page's folder in one commit, never replacing an existing file: a taken
    /// name gets `-2`, `-3`, … before its extension; `may_write` judges the chosen path. Returns where it
    /// was stored.
    fn upload(
        &self,
        page: &RepoPath,
        file_name: &str,
        content: Vec<u8>,
        author: &Person,
        may_write: &dyn Fn(&RepoPath) -> Result<()>,
    ) -> Result<RepoPath> {
        let size = content.len() as u64;
        if size > self.config.max_upload_bytes {
            return Err(Error::TooLarge { what: "the upload", size, limit: self.config.max_upload_bytes });
        }
        let (stem, extension) = match file_name.rfind('.') {
            Some(dot) if dot > 0 => (&file_name[..dot], &file_name[dot..]),
            _ => (file_name, ""),
        };
        let mut stored = None;
        self.commit_retrying(author, |head| {
            let mut n = 1;
            let target = loop {
                let candidate = if n == 1 {
                    format!("{}{file_name}", page.folder())
                } else {
                    format!("{}{stem}-{n}{extension}", page.folder())
                };
                let candidate = RepoPath::parse(&candidate)?;
                if self.blob_at(head, &candidate)?.is_none()
                    && !self.snapshot().is_folder(&format!("{candidate}/"))
                    && !self.has_case_twin(head, &candidate)?
                {
                    break candidate;
                }
                n += 1;
            };
            may_write(&target)?;
            self.check_new_names(head, &target)?;
            let message = format!("Upload {}", target.file_name());
            let edits = vec![FileEdit::Write { path: target.as_str().to_string(), content: content.clone() }];
            stored = Some(target);
            Ok(Attempt::<()>::Commit { edits, message })
        })?;
        Ok(stored.expect("a commit attempt chose the path"))
    }

    // Refuses names a write would add to the tree that break checkouts on Windows or macOS, as pushes are
    // refused (`check::check_folder`): reserved device names, a trailing dot or space, or a name beside one
    // that differs from it only in letter case. Segments `head` already holds are history: never judged.
    fn check_new_names(&self, head: Option<ObjectId>, path: &RepoPath) -> Result<()> {
        let fit = self.store.path_fit(head, path.as_str())?;
        for segment in path.as_str().split('/').skip(fit.n_existing) {
            if let Some(reason) = path::unportable_name(segment) {
                return Err(Error::InvalidPath { path: path.to_string(), reason });
            }
        }
        match fit.case_twin {
            Some(twin) => Err(Error::bad_input(format!(
                "{path} differs from {twin} only in letter case; checkouts on macOS and Windows would clash"
            ))),
            None => Ok(()),
        }
    }

    // Whether a new file's own name (not a folder on its way) differs only in letter case from a file or folder
    // beside it: a name to skip, like a taken one, where Lore picks the name itself.
    fn has_case_twin(&self, head: Option<ObjectId>, path: &RepoPath) -> Result<bool> {
        let fit = self.store.path_fit(head, path.as_str())?;
        Ok(fit.case_twin.is_some() && fit.n_existing + 1 == path.as_str().split('/').count())
    }

    /// The page templates in a snapshot's `_templates/` folder: (file name without `.md`, title).
    fn templates(&self, snapshot: &Snapshot) -> Vec<(String, String)> {
        snapshot
            .pages
            .iter()
            .filter(|(path, _)| path.folder() == "_templates/")
            .map(|(path, meta)| {
                let title =
                    if meta.title.trim().is_empty() { path.file_stem().to_string() } else { meta.title.clone() };
                (path.file_stem().to_string(), title)
            })
            .collect()
    }

    fn title_of(&self, blob: ObjectId, path: &RepoPath) -> Result<String> {
        Ok(self.meta(path, blob)?.title.clone())
    }

    fn blob_at(&self, head: Option<ObjectId>, path: &RepoPath) -> Result<Option<ObjectId>> {
        match head {
            Some(head) => self.store.blob_at(head, path.as_str()),
            None => Ok(None),
        }
    }

    // Reads the head, plans a commit on it, and commits with compare-and-swap; on a lost race, plans again
    // on the new head. `plan` may stop early with a value instead of committing.
    fn commit_retrying<R>(
        &self,
        author: &Person,
        mut plan: impl FnMut(Option<ObjectId>) -> Result<Attempt<R>>,
    ) -> Result<Committed<R>> {
        for attempt in 0..MAX_SAVE_ATTEMPTS {
            // Writers in this process take turns, so they never race for the ref's lock file; the
            // compare-and-swap still guards against writers outside (git push, git commit).
            let _one_writer = self.write_lock.lock().expect("write lock is never poisoned");
            if attempt > 0 {
                // Someone outside holds or moved the ref: give them a moment.
                std::thread::sleep(std::time::Duration::from_millis((attempt as u64).min(20)));
            }
            let head = self.store.head()?;
            let (edits, message) = match plan(head)? {
                Attempt::Commit { edits, message } => (edits, message),
                Attempt::Stop(value) => return Ok(Committed::Stopped(value)),
            };
            match self.store.commit(head, &edits, author, &message)? {
                CommitAttempt::Committed(commit) => {
                    self.refresh()?;
                    return Ok(Committed::Commit(commit));
                }
                CommitAttempt::Unchanged => {
                    return Ok(Committed::Unchanged(head.expect("an unchanged commit has a parent")));
                }
                CommitAttempt::HeadMoved => continue,
            }
        }
        Err(Error::Contention { attempts: MAX_SAVE_ATTEMPTS })
    }

    // Extends the change index to `head`. `child` is `head`'s only parent with `head`'s changes, when the
    // caller has read them already; the index takes them as they are if it stands at that parent.
    fn catch_up_changes(&self, head: Option<ObjectId>, child: Option<(ObjectId, CommitChanges)>) -> Result<()> {
        let (Some(head), true) = (head, self.changes_ready()) else { return Ok(()) };
        let mut index = self.changes.write().expect("change index lock is never poisoned");
        let appended = match child {
            Some((parent, commit)) if commit.info.id == head => index.append_child(parent, commit),
            _ => false,
        };
        if !appended {
            index.catch_up(&self.store, head, |_| {})?;
        }
        // A restart catches up from the saved head, so saving now and then is enough to keep starts fast.
        if index.n_commits() >= self.saved_commits.load(Ordering::Acquire) + SAVE_INDEX_EVERY_COMMITS {
            index.save(&self.change_index_file())?;
            self.saved_commits.store(index.n_commits(), Ordering::Release);
        }
        Ok(())
    }

    /// Saves the change index if it has commits the saved copy lacks (on shutdown).
    pub fn save_change_index(&self) -> Result<()> {
        let index = self.changes.read().expect("change index lock is never poisoned");
        if self.changes_ready() && index.n_commits() > self.saved_commits.load(Ordering::Acquire) {
            index.save(&self.change_index_file())?;
            self.saved_commits.store(index.n_commits(), Ordering::Release);
        }
        Ok(())
    }

    fn change_index_file(&self) -> std::path::PathBuf {
        self.config.data.join("index").join("changes.bin")
    }

    /// A page's history, newest first, following moves. Fails while the change index is being built.
    fn history(&self, path: &RepoPath) -> Result<Vec<HistoryEntry>> {
        self.require_changes()?;
        Ok(self.changes.read().expect("change index lock is never poisoned").history(path.as_str()))
    }

    /// Recent commits, newest first.
    fn recent_changes(&self, filter: &ChangeFilter, offset: usize, limit: usize) -> Result<Vec<RecentChange>> {
        self.require_changes()?;
        Ok(self.changes.read().expect("change index lock is never poisoned").recent(filter, offset, limit))
    }

    /// Lines added and removed between two versions of a file (either may be absent). Cached by blob ids.
    fn line_stats(&self, old: Option<ObjectId>, new: Option<ObjectId>) -> Result<(usize, usize)> {
        self.line_stats_cache.get_or_insert_with(&(old, new), || {
            let old_text = self.text_of(old)?;
            let new_text = self.text_of(new)?;
            match (old_text, new_text) {
                (Some(Text::Lines(old)), Some(Text::Lines(new))) => Ok(diff::line_stats(&old, &new)),
                (None, Some(Text::Lines(new))) => Ok((diff::line_count(&new), 0)),
                (Some(Text::Lines(old)), None) => Ok((0, diff::line_count(&old))),
                _ => Ok((0, 0)),
            }
        })
    }

    /// The page as it was in `commit`, rendered against today's pages, or `None` if it did not exist then.
    fn page_view_at(&self, snapshot: &Snapshot, path: &RepoPath, commit: ObjectId) -> Result<Option<PageView>> {
        let Some((path_then, blob)) = self.version_at(path, commit)? else { return Ok(None) };
        let path = &path_then;
        let meta = self.meta(path, blob)?;
        let body = self.render_cached(snapshot, path, blob, &meta)?;
        let info = Arc::new(self.store.commit_info(commit)?);
        Ok(Some(PageView { path: path.clone(), blob, meta, body, last_change: Some(info) }))
    }

    /// The page's path and blob in `commit`: at `path`, or where it lived then if it has moved since.
    fn version_at(&self, path: &RepoPath, commit: ObjectId) -> Result<Option<(RepoPath, ObjectId)>> {
        if let Some(blob) = self.store.blob_at(commit, path.as_str())? {
            return Ok(Some((path.clone(), blob)));
        }
        if !self.changes_ready() {
            return Ok(None);
        }
        let history = self.changes.read().expect("change index lock is never poisoned").history(path.as_str());
        let mut tried = std::collections::HashSet::new();
        for entry in history {
            if entry.path != path.as_str()
                && tried.insert(entry.path.clone())
                && let Some(blob) = self.store.blob_at(commit, &entry.path)?
            {
                return Ok(RepoPath::parse(&entry.path).ok().map(|it| (it, blob)));
            }
        }
        Ok(None)
    }

    /// Whether `commit` changed any file `visible` accepts, and any it does not: (any visible, any hidden).
    fn commit_visibility(&self, commit: ObjectId, visible: &dyn Fn(&str) -> bool) -> (bool, bool) {
        let judge = |paths: &mut dyn Iterator<Item = &str>| {
            paths.fold((false, false), |(seen, hidden), path| {
                let shown = visible(path);
                (seen || shown, hidden || !shown)
            })
        };
        if let Some(paths) =
            self.changes.read().expect("change index lock is never poisoned").commit_paths(commit).map(|it| {
                let paths: Vec<String> = it.map(str::to_string).collect();
                paths
            })
        {
            return judge(&mut paths.iter().map(String::as_str));
        }
        // Not on the branch (yet): ask the repository. A commit that cannot be read shows nothing.
        match self.store.commit_changes(commit) {
            Ok(changes) => judge(&mut changes.iter().map(|it| it.path.as_str())),
            Err(_) => (false, true),
        }
    }

    /// Whether `blob` is a version `path` had at some commit (following moves), from the change index.
    fn is_version_of(&self, path: &RepoPath, blob: ObjectId) -> Result<bool> {
        self.require_changes()?;
        let index = self.changes.read().expect("change index lock is never poisoned");
        Ok(index.history(path.as_str()).iter().any(|it| it.blob == Some(blob)))
    }

    /// Where a page that was moved away from `path` (by Lore or `git mv`) lives now.
    fn moved_to(&self, path: &RepoPath) -> Option<RepoPath> {
        if !self.changes_ready() {
            return None;
        }
        let snapshot = self.snapshot();
        let index = self.changes.read().expect("change index lock is never poisoned");
        let mut current = path.as_str().to_string();
        for _hop in 0..100 {
            let next = index.renamed_to(&current)?;
            if let Ok(found) = RepoPath::parse(&next)
                && snapshot.pages.contains_key(&found)
            {
                return Some(found);
            }
            current = next;
        }
        None
    }

    /// Who last changed each line of the page, following its history (and moves) in the change index.
    fn blame(&self, snapshot: &Snapshot, path: &RepoPath) -> Result<Arc<Vec<BlameLine>>> {
        let blob = snapshot.file(path.as_str()).ok_or_else(|| Error::NotFound(path.to_string()))?;
        self.require_changes()?;
        self.blame_cache.get_or_insert_with(&(path.clone(), blob), || {
            let history = self.history(path)?;
            // Oldest version first: each version keeps the attribution of lines it did not change.
            let versions: Vec<&HistoryEntry> = history.iter().rev().collect();
            let mut lines: Vec<BlameLine> = Vec::new();
            let mut previous_text = String::new();
            for entry in versions {
                let Some(Text::Lines(text)) = self.text_of(entry.blob)? else {
                    lines.clear();
                    previous_text.clear();
                    continue;
                };
                lines = diff::carry_attribution(&previous_text, &text, &lines, &entry.commit);
                previous_text = text;
            }
            Ok(Arc::new(lines))
        })
    }

    fn require_changes(&self) -> Result<()> {
        if self.changes_ready() {
            Ok(())
        } else {
            Err(Error::Unavailable("history is still being indexed; try again in a moment".into()))
        }
    }

    fn text_of(&self, blob: Option<ObjectId>) -> Result<Option<Text>> {
        let Some(blob) = blob else { return Ok(None) };
        if self.store.blob_size(blob)? > MAX_DIFF_BYTES {
            return Ok(Some(Text::TooLarge));
        }
        let bytes = self.store.read_blob(blob)?;
        if bytes.iter().take(8_000).any(|it| *it == 0) {
            return Ok(Some(Text::Binary));
        }
        Ok(Some(Text::Lines(page::decode(&bytes).0.into_owned())))
    }

    // The next snapshot, and the pages that changed since `old`. `known_changes`, when given, are the files
    // that differ between `old.head` and `head` (read by the caller); otherwise they are read here.
    fn next_snapshot(
        &self,
        old: &Snapshot,
        head: Option<ObjectId>,
        known_changes: Option<&[FileChange]>,
    ) -> Result<(Snapshot, Vec<RepoPath>)> {
        let Some(head) = head else { return Ok((Snapshot::default(), old.pages.keys().cloned().collect())) };
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
            let Ok(page_path) = RepoPath::parse(&path) else { continue };
            if !page_path.is_markdown() {
                continue;
            }
            let new_meta = blob.map(|blob| self.meta(&page_path, blob)).transpose()?;
            changed_pages.push(page_path.clone());
            let old_meta = match &new_meta {
                Some(meta) => pages.insert(page_path.clone(), meta.clone()),
                None => pages.remove(&page_path),
            };
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
        let snapshot = Snapshot { head: Some(head), files, pages, resolver, links, tags };
        Ok((snapshot, changed_pages))
    }

    fn meta(&self, path: &RepoPath, blob: ObjectId) -> Result<Arc<PageMeta>> {
        // Metadata depends on the path only through the file-name fallback for the title.
        let key = (blob, path.file_stem().to_string());
        self.meta_cache.get_or_insert_with(&key, || {
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
        })
    }
}

fn link_source<'a>(path: &'a RepoPath, meta: &'a PageMeta) -> LinkSource<'a> {
    LinkSource { path, wiki_targets: &meta.wiki_targets, page_links: &meta.page_links }
}

/// What a file is: `questions/<slug>.md` is a question, `questions/<slug>/<id>.md` an answer, the rest pages.
pub fn page_kind(path: &str) -> &'static str {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["questions", _] => "question",
        ["questions", _, _] => "answer",
        _ => "page",
    }
}

/// Whether a page belongs in search results: not templates, sidebars and other `_`-prefixed files.
pub fn is_searchable(path: &str) -> bool {
    !path.split('/').any(|it| it.starts_with('_'))
}

/// The question file an answer file belongs to.
pub fn question_of_answer(path: &str) -> Option<String> {
    match page_kind(path) {
        "answer" => Some(format!("{}.md", &path[..path.rfind('/').expect("answers are in a folder")])),
        _ => None,
    }
}

fn too_large_body(path: &RepoPath, limit: u64) -> RenderedBody {
    let html = format!(
        "<p>This page is larger than the limit of {limit} bytes, so it is not rendered. <a href=\"/-/raw/{}\">View its source</a>.</p>",
        path.as_str()
    );
    RenderedBody { html: render::sanitize::sanitize(&html), toc: Vec::new() }
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_page_larger_than_its_share_of_cache_mb_is_not_kept() {
        // 14 pages of 250,000 headings (53 MB of HTML each) held 3.76 GB when the cache counted entries.
        let budget = CacheBudgets::split(16).render;
        let cache = render_cache(budget);
        let path = RepoPath::parse("huge.md").expect("a valid path");
        let markdown: String = (0..40_000).map(|i| format!("## h{i}\n")).collect();
        let key = |n: u64| {
            let blob: ObjectId = format!("{n:040x}").parse().expect("a valid object id");
            RenderKey { blob, path: path.clone(), wiki_targets_hash: 0 }
        };
        let render = || Ok::<_, Error>(Arc::new(render::render_body(&path, "", &markdown, &|_| unreachable!())));
        let body = cache.get_or_insert_with(&key(1), render).expect("rendered");
        assert!(body.heap_size() as u64 > budget / 8, "{} bytes is not large enough", body.heap_size());
        assert!(cache.get(&key(1)).is_none(), "a body over an eighth of the budget was kept");
        assert_eq!(cache.weight(), 0);
        // Ordinary pages are kept, within the budget.
        for n in 2..200 {
            let small = Arc::new(render::render_body(&path, "", "# Small\n\nText.\n", &|_| unreachable!()));
            cache.insert(key(n), small);
        }
        assert!(cache.get(&key(199)).is_some());
        assert!(cache.weight() <= budget);
    }
}
