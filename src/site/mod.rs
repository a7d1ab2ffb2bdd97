//! The live wiki: its parts (snapshots, change log, authorship, search feed, commits; one file each) and the
//! caches of rendered views keyed by blob id, tied together by `refresh` when the branch moves. Nothing
//! outside this module reads or writes it directly: the web layer goes through a `Reader` or a `Writer`.
//!
//! Readers take an `Arc<Snapshot>` and never hold a lock while they work; only `refresh` builds snapshots,
//! one at a time, each from the previous one plus the diff between their commits.

mod authorship;
pub mod cache;
mod changes;
mod commits;
mod events;
mod people;
mod questions;
mod notifier;
mod reader;
mod search_feed;
mod snapshot;
mod views_changed;
mod writer;

pub use authorship::Authorship;
pub use commits::{PageEdit, Restored, SaveOutcome};
pub use people::{Expert, PageHealth, PageShare, PersonSummary, Reason, ReviewItem, Upkeep, UpkeepList};
pub use questions::{AnswerEntry, QuestionSummary, answer_path, question_path};
pub use reader::{CommitDetail, DiffNote, FileDiff, HIDDEN_MESSAGE, HistoryRow, PageDiff, PageTranslation, Reader};
pub use views_changed::ViewsChanged;
pub use writer::Writer;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use authorship::AuthorshipIndex;
use changes::ChangeLog;
use commits::Commits;
pub use events::EventKind;
use notifier::Notifier;
use search_feed::SearchFeed;
pub use search_feed::is_searchable;
use snapshot::Snapshots;
pub use snapshot::{BrokenLink, PageEntry, Snapshot};

use crate::config::Config;
use crate::content::language::LanguageRules;
use crate::content::links::WikiTarget;
use crate::content::page::{self, PageMeta};
use crate::content::{RepoPath, front_matter};
use crate::deflate::DeflatePiece;
use crate::history::{ChangeFilter, HistoryEntry, RecentChange};
use crate::metrics::{IndexLags, Metrics};
use crate::render::diff::{self, BlameLine};
use crate::render::{self, RenderedBody};
use crate::store::{CommitInfo, ObjectBundle, ObjectId, Store};
use crate::{Error, Result, hooks, starter};
use cache::{ByteCache, CacheBudgets};

/// A page ready to show: its metadata, rendered body and last change.
#[derive(Debug, Clone)]
pub struct PageView {
    pub path: RepoPath,
    pub blob: ObjectId,
    pub meta: Arc<PageMeta>,
    pub body: Arc<RenderedBody>,
    /// The body's HTML as the render cache keeps it, compressed: page views made of it share these bytes
    /// instead of compressing a copy of their own.
    pub kept_html: Arc<DeflatePiece>,
    pub last_change: Option<Arc<CommitInfo>>,
}

/// What the site's caches hold, in bytes (`Site::cache_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct SiteCacheBytes {
    pub render: u64,
    pub meta: u64,
    pub blame: u64,
    pub line_stats: u64,
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

/// The wiki being served.
///
/// It is made of parts that each own their state: the snapshots (`snapshot.rs`), the change log
/// (`changes.rs`), the authorship index (`authorship.rs`), the search feed (`search_feed.rs`) and the commit
/// queue (`commits.rs`); this file holds the caches of rendered views and ties the parts together on refresh.
pub struct Site {
    pub config: Config,
    /// `config`'s language settings, compiled.
    languages: LanguageRules,
    store: Store,
    snapshots: Snapshots,
    changes: ChangeLog,
    authorship: AuthorshipIndex,
    search: SearchFeed,
    commits: Commits,
    notifier: Notifier,
    metrics: Arc<Metrics>,
    line_stats_cache: ByteCache<(Option<ObjectId>, Option<ObjectId>), (usize, usize)>,
    blame_cache: ByteCache<(RepoPath, ObjectId), Arc<Vec<BlameLine>>>,
    render_cache: ByteCache<RenderKey, Arc<KeptBody>>,
    /// The commit the site serves, for those who wait for a change (replicas, the cluster's event stream).
    head_watch: tokio::sync::watch::Sender<Option<ObjectId>>,
    /// What the last moves of the branch changed, for caches of views.
    views_changed: views_changed::ViewsChangedLog,
}

// A rendered body depends on the blob, the page's folder (relative links) and where its wiki links point.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RenderKey {
    blob: ObjectId,
    path: RepoPath,
    wiki_targets_hash: u64,
}

// Rendered bodies, weighed by their compressed HTML and table of contents: one page of 250,000 headings is
// 53 MB of HTML.
fn render_cache(budget: u64) -> ByteCache<RenderKey, Arc<KeptBody>> {
    ByteCache::new(budget, 8 * 1024, |key, body| key.path.as_str().len() + body.heap_size())
}

/// A rendered body as the render cache keeps it: its HTML as a deflate piece, which the page views made of it
/// share (the web layer joins it with the rest of the page into one gzip stream). The render cache serves the
/// views the page cache misses (after each move of the branch, every view of the wiki), where inflating a body
/// is nothing beside the template. Kept apart from the views (as LZ4 before), bodies held the wiki's text a
/// second time: on the flat 10,000-page wiki 23 MiB beside the views' 40.
struct KeptBody {
    html: Arc<DeflatePiece>,
    toc: render::KeptToc,
}

impl KeptBody {
    fn keep(body: RenderedBody) -> KeptBody {
        KeptBody { html: Arc::new(DeflatePiece::middle(body.html.as_bytes())), toc: render::KeptToc::keep(body.toc) }
    }

    fn body(&self) -> Result<RenderedBody> {
        let html = String::from_utf8(self.html.inflate()).map_err(|_| {
            Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, "a cached rendered body is damaged"))
        })?;
        Ok(RenderedBody { html, toc: self.toc.entries() })
    }

    fn heap_size(&self) -> usize {
        self.html.weight() + self.toc.heap_size()
    }
}

/// Index lags are counted up to this many commits (a walk of the repository, when the change index cannot say).
pub const LAG_COUNT_LIMIT: usize = 1_000;

/// Files larger than this are not diffed line by line.
pub const MAX_DIFF_BYTES: u64 = 2 * 1024 * 1024;

/// A file's content as diffs see it.
#[derive(Debug, Clone)]
pub enum Text {
    Lines(String),
    Binary,
    TooLarge,
}

impl Site {
    /// Opens the configured repository, creating and seeding `<data>/wiki.git` on first run.
    pub fn open(config: Config) -> Result<Site> {
        config.unanswered_after_seconds()?;
        config.check_embeds()?;
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
        let languages = config.language_rules()?;
        let metrics = Arc::new(Metrics::new());
        let site = Site {
            config,
            languages,
            store,
            snapshots: Snapshots::new(budgets.meta, metrics.cache("meta")),
            changes: ChangeLog::new(config_data.join("index").join("changes.bin")),
            authorship: AuthorshipIndex::new(),
            search: SearchFeed::open(&config_data)?,
            commits: Commits::new(),
            notifier: Notifier::new(),
            line_stats_cache: ByteCache::new(budgets.line_stats, 64, |_, _| 0).counted(metrics.cache("line_stats")),
            blame_cache: ByteCache::new(
                budgets.blame,
                64 * 1024,
                |key: &(RepoPath, ObjectId), lines: &Arc<Vec<BlameLine>>| {
                    key.0.as_str().len() + lines.iter().map(|it| size_of::<BlameLine>() + it.text.len()).sum::<usize>()
                },
            )
            .counted(metrics.cache("blame")),
            render_cache: render_cache(budgets.render).counted(metrics.cache("render")),
            metrics,
            head_watch: tokio::sync::watch::Sender::new(None),
            views_changed: views_changed::ViewsChangedLog::default(),
        };
        site.refresh()?;
        Ok(site)
    }

    /// The server's metrics, which the site's caches and threads count into.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
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

    /// The pack of what a replica that has `haves` lacks to reach `want` (see [`Store::pack_between`]); `None`
    /// when over `max_commits` commits or `max_bytes`.
    pub fn pack_between(
        &self,
        haves: &[ObjectId],
        want: ObjectId,
        max_commits: usize,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>> {
        self.store.pack_between(haves, want, max_commits, max_bytes)
    }

    /// The objects the line of ordinary commits from `from` to `to` added (see [`Store::objects_between`]);
    /// `None` for anything else, or when over `max_commits` commits or `max_bytes`.
    pub fn objects_between(
        &self,
        from: ObjectId,
        to: ObjectId,
        max_commits: usize,
        max_bytes: usize,
    ) -> Result<Option<ObjectBundle>> {
        self.store.objects_between(from, to, max_commits, max_bytes)
    }

    /// How many pages the branch holds (for the admin's health view).
    pub fn n_pages(&self) -> usize {
        self.snapshots.current.load().pages.len()
    }

    /// How many files the branch holds.
    pub fn n_files(&self) -> usize {
        self.snapshots.current.load().files.len()
    }

    /// Which page views the moves of the branch from `from` to `to` may have changed (every view when those
    /// moves are not among the last ones).
    pub fn views_changed_between(&self, from: Option<ObjectId>, to: Option<ObjectId>) -> ViewsChanged {
        self.views_changed.between(from, to)
    }

    /// Tells of every new head the site serves (the current one first).
    pub fn watch_head(&self) -> tokio::sync::watch::Receiver<Option<ObjectId>> {
        self.head_watch.subscribe()
    }

    /// Closes the repository handles no read is using if none was used for `idle`
    /// (`Store::close_handles_idle_for`): each holds caches of its own that a burst of reads fills. Says
    /// whether it closed any.
    pub fn close_repository_handles_idle_for(&self, idle: std::time::Duration) -> bool {
        self.store.close_handles_idle_for(idle)
    }

    /// Git's housekeeping on the repository (`store::housekeep`); for a background thread.
    pub fn housekeep(&self) -> Result<()> {
        crate::store::housekeep(self.git_dir())?;
        // Packs that git merged and deleted stay mapped, and on disk, while a handle has them open.
        self.store.close_idle_handles();
        Ok(())
    }

    /// Whether the site serves `commit` already: it is the head, or in the head's history.
    pub fn serves(&self, commit: ObjectId) -> bool {
        match self.head() {
            Some(head) => head == commit || self.store.is_ancestor(commit, head).unwrap_or(false),
            None => false,
        }
    }

    /// The commit the site serves; `None` for an empty branch.
    pub fn head(&self) -> Option<ObjectId> {
        self.snapshots.current.load().head
    }

    /// Whether the head served now is where this server itself last moved the branch (a save through it, a
    /// replica's pull), not a commit made outside it.
    pub fn serves_own_write(&self) -> bool {
        self.head().is_some_and(|it| self.store.moved_here(it))
    }

    /// What the site's caches hold, by their own weighing (bytes): rendered bodies, page metadata, blame and
    /// line counts.
    pub fn cache_bytes(&self) -> SiteCacheBytes {
        SiteCacheBytes {
            render: self.render_cache.weight(),
            meta: self.snapshots.meta_cache.weight(),
            blame: self.blame_cache.weight(),
            line_stats: self.line_stats_cache.weight(),
        }
    }

    /// Whether the change index has been built (until then, "last edited" facts are unknown).
    pub fn changes_ready(&self) -> bool {
        self.changes.is_ready()
    }

    /// The newest commit the change index holds: a moment after each move of the branch it is still the one
    /// before (the index catches up after the snapshot), and who changed a page last is not known yet.
    pub fn changes_head(&self) -> Option<ObjectId> {
        self.changes.index().head()
    }

    /// How many commits the search index, the change index and the notifier are behind the head (each
    /// counted up to [`LAG_COUNT_LIMIT`]). Cheap when they are caught up, which is nearly always.
    pub fn index_lags(&self, auth: &crate::auth::Auth) -> Result<IndexLags> {
        let changes = self.changes.index();
        let search_head = self.search_indexed_head().and_then(|it| it.parse::<ObjectId>().ok());
        Ok(IndexLags {
            search: self.commits_behind(search_head, &changes)?,
            changes: self.commits_behind(changes.head(), &changes)?,
            notifier: self.commits_behind(self.notifier_cursor(auth)?, &changes)?,
        })
    }

    // How many commits of the head `from` lacks: from the change index's positions when it holds both, else
    // by a bounded walk of the repository.
    fn commits_behind(&self, from: Option<ObjectId>, changes: &crate::history::ChangeIndex) -> Result<u64> {
        let Some(head) = self.head() else { return Ok(0) };
        if from == Some(head) {
            return Ok(0);
        }
        if let Some((from_at, head_at)) = from.and_then(|it| changes.position(it)).zip(changes.position(head)) {
            return Ok(head_at.saturating_sub(from_at) as u64);
        }
        Ok(self.store.count_commits_between(from, head, LAG_COUNT_LIMIT)? as u64)
    }

    /// Builds the change index from the whole history. Slow on big repositories: run it off the request path.
    pub fn build_change_index(&self) -> Result<()> {
        self.changes.build(&self.store, self.head())?;
        // The branch may have moved while the walk ran.
        self.changes.catch_up(&self.store, self.head(), None)?;
        // The walk read every commit's folders (see `Store::close_idle_handles`).
        self.store.close_idle_handles();
        Ok(())
    }

    /// Brings the snapshot (and the change index, once built) up to the branch's current head.
    /// Returns whether anything changed.
    pub fn refresh(&self) -> Result<bool> {
        let _one_builder = self.snapshots.refresh_lock.lock();
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
        let (next, changed_pages, views_changed) =
            self.next_snapshot(&old, head, child.as_ref().map(|(_, commit)| commit.changes.as_slice()))?;
        self.snapshots.current.store(Arc::new(next));
        self.views_changed.moved(head, views_changed);
        self.head_watch.send_replace(head);
        self.changes.catch_up(&self.store, head, child)?;
        self.update_authorship(&changed_pages)?;
        self.wake_search_indexer();
        self.wake_notifier();
        Ok(true)
    }

    /// The newest commit that changed `path`, when the change index knows it.
    fn last_change(&self, path: &str) -> Option<Arc<CommitInfo>> {
        self.changes.index().last_change(path).map(|it| it.commit)
    }

    /// If `path` was deleted: who deleted it, and the last commit that still had it (to restore from).
    fn deletion(&self, path: &str) -> Option<Deletion> {
        if RepoPath::parse(path).ok().and_then(|it| self.moved_to(&it)).is_some() {
            return None;
        }
        let history = self.changes.index().history(path);
        let mut changes = history.into_iter();
        let deleted = changes.next().filter(|it| it.blob.is_none())?;
        let last_version = changes.find(|it| it.blob.is_some())?;
        Some(Deletion { deleted_by: deleted.commit, last_version: last_version.commit })
    }

    /// A page ready to show, or `None` if the snapshot has no such page.
    fn page_view(&self, snapshot: &Snapshot, path: &RepoPath) -> Result<Option<PageView>> {
        let Some(PageEntry { blob, meta }) = snapshot.pages.get(path).cloned() else { return Ok(None) };
        let (body, kept_html) = self.render_cached(snapshot, path, blob, &meta)?;
        let last_change = self.last_change(path.as_str());
        Ok(Some(PageView { path: path.clone(), blob, meta, body, kept_html, last_change }))
    }

    fn render_cached(
        &self,
        snapshot: &Snapshot,
        path: &RepoPath,
        blob: ObjectId,
        meta: &PageMeta,
    ) -> Result<(Arc<RenderedBody>, Arc<DeflatePiece>)> {
        let targets: Vec<WikiTarget> = meta.wiki_targets().map(|it| snapshot.resolver.resolve(it)).collect();
        let key = RenderKey { blob, path: path.clone(), wiki_targets_hash: hash_of(&targets) };
        let kept = self.render_cache.get_or_insert_with(&key, || -> Result<Arc<KeptBody>> {
            if self.store.blob_size(blob)? > self.config.max_page_bytes {
                return Ok(Arc::new(KeptBody::keep(too_large_body(path, self.config.max_page_bytes))));
            }
            let bytes = self.store.read_blob(blob)?;
            let (text, _) = page::decode(&bytes);
            let doc = front_matter::split(&text);
            let resolver = &snapshot.resolver;
            let embeds = &self.config.embeds;
            let body = render::render_body(path, &meta.title, doc.body, &|target| resolver.resolve(target), embeds);
            Ok(Arc::new(KeptBody::keep(body)))
        })?;
        Ok((Arc::new(kept.body()?), kept.html.clone()))
    }

    /// A page's Markdown source.
    fn page_source(&self, snapshot: &Snapshot, path: &RepoPath) -> Result<Option<PageSource>> {
        let Some(PageEntry { blob, meta }) = snapshot.pages.get(path).cloned() else { return Ok(None) };
        let bytes = self.store.read_blob(blob)?;
        let text = page::decode(&bytes).0.into_owned();
        Ok(Some(PageSource { path: path.clone(), blob, text, meta }))
    }

    /// Renders Markdown that is not stored (previews), against a snapshot's pages.
    fn render_preview(&self, snapshot: &Snapshot, path: &RepoPath, markdown: &str) -> (Arc<PageMeta>, RenderedBody) {
        let meta = Arc::new(page::read_meta(path, markdown));
        let doc = front_matter::split(markdown);
        let resolve = |target: &str| snapshot.resolver.resolve(target);
        let body = render::render_body(path, &meta.title, doc.body, &resolve, &self.config.embeds);
        (meta, body)
    }

    /// The page templates in a snapshot's `_templates/` folder: (file name without `.md`, title).
    fn templates(&self, snapshot: &Snapshot) -> Vec<(String, String)> {
        snapshot
            .pages
            .iter()
            .filter(|(path, _)| path.folder() == "_templates/")
            .map(|(path, meta)| {
                // A template's heading is the page's first section ("Status"), not its name: without a title
                // of its own it is named by its file ("Decision record").
                let title = meta
                    .front_matter
                    .title
                    .clone()
                    .filter(|it| !it.trim().is_empty())
                    .unwrap_or_else(|| crate::content::page::fallback_title(path));
                (path.file_stem().to_string(), title)
            })
            .collect()
    }

    /// Saves the change index if it has commits the saved copy lacks (on shutdown).
    pub fn save_change_index(&self) -> Result<()> {
        self.changes.save()
    }

    /// A page's history, newest first, following moves. Fails while the change index is being built.
    fn history(&self, path: &RepoPath) -> Result<Vec<HistoryEntry>> {
        Ok(self.changes.ready_index()?.history(path.as_str()))
    }

    /// Recent commits, newest first.
    fn recent_changes(&self, filter: &ChangeFilter, offset: usize, limit: usize) -> Result<Vec<RecentChange>> {
        Ok(self.changes.ready_index()?.recent(filter, offset, limit))
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
        let (body, kept_html) = self.render_cached(snapshot, path, blob, &meta)?;
        let info = Arc::new(self.store.commit_info(commit)?);
        Ok(Some(PageView { path: path.clone(), blob, meta, body, kept_html, last_change: Some(info) }))
    }

    /// The page's path and blob in `commit`: at `path`, or where it lived then if it has moved since.
    fn version_at(&self, path: &RepoPath, commit: ObjectId) -> Result<Option<(RepoPath, ObjectId)>> {
        if let Some(blob) = self.store.blob_at(commit, path.as_str())? {
            return Ok(Some((path.clone(), blob)));
        }
        if !self.changes_ready() {
            return Ok(None);
        }
        let history = self.changes.index().history(path.as_str());
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
        if let Some(paths) = self.changes.index().commit_paths(commit).map(|it| {
            let paths: Vec<String> = it.map(str::to_string).collect();
            paths
        }) {
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
        let index = self.changes.index();
        Ok(index.history(path.as_str()).iter().any(|it| it.blob == Some(blob)))
    }

    /// Where a page that was moved away from `path` (by Lore or `git mv`) lives now.
    fn moved_to(&self, path: &RepoPath) -> Option<RepoPath> {
        if !self.changes_ready() {
            return None;
        }
        let snapshot = self.snapshot();
        let index = self.changes.index();
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
        self.changes.ready_index().map(|_| ())
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
        let render = || {
            let body = render::render_body(&path, "", &markdown, &|_| unreachable!(), &[]);
            Ok::<_, Error>(Arc::new(KeptBody::keep(body)))
        };
        let body = cache.get_or_insert_with(&key(1), render).expect("rendered");
        assert!(body.heap_size() as u64 > budget / 8, "{} bytes is not large enough", body.heap_size());
        assert!(cache.get(&key(1)).is_none(), "a body over an eighth of the budget was kept");
        assert_eq!(cache.weight(), 0);
        // Ordinary pages are kept, within the budget.
        for n in 2..200 {
            let small = render::render_body(&path, "", "# Small\n\nText.\n", &|_| unreachable!(), &[]);
            cache.insert(key(n), Arc::new(KeptBody::keep(small)));
        }
        let kept = cache.get(&key(199)).expect("a small page is kept");
        let small = render::render_body(&path, "", "# Small\n\nText.\n", &|_| unreachable!(), &[]);
        assert_eq!(kept.body().expect("decompressed").html, small.html, "the kept body is the body");
        assert!(cache.weight() <= budget);
    }
}
