//! The search feed: keeps the tantivy index (`search::SearchIndex`) caught up with the branch from a thread of
//! its own, and builds each page's search document (text, headings, tags, authors, last update) from the
//! snapshot and the change index. `SearchFeed` owns the index and the indexer's state.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{Site, Snapshot, Text};
use crate::content::questions::question_of_answer;
use crate::content::text::plain_text;
use crate::content::{PageKind, PageMeta, RepoPath, front_matter, path};
use crate::search::{self, SearchDocument, SearchIndex, SearchQuery, SearchResults, Suggestion};
use crate::store::ObjectId;
use crate::{Error, Result};

/// The least time between two updates of the search index while writes keep coming.
const BURST_INTERVAL: Duration = Duration::from_millis(50);

/// While writes keep coming, the time between two updates of the search index is at least this many times
/// what the last update took: the indexer then holds a core for at most a fifth of the time.
const BURST_SPACING: u32 = 4;

/// The most time between two updates of the search index while writes keep coming.
const BURST_INTERVAL_MAX: Duration = Duration::from_millis(500);

/// The search index and its indexer's state.
pub(super) struct SearchFeed {
    pub(super) index: SearchIndex,
    // Whether the index has caught up with the branch at least once since start.
    pub(super) ready: AtomicBool,
    // Wakes the indexer thread when the branch moves.
    pub(super) wakeup: Mutex<Option<mpsc::Sender<()>>>,
    // Held by the indexer while it updates the index; a stopping server takes it to wait for the update's commit.
    busy: Mutex<()>,
    stopping: AtomicBool,
}

impl SearchFeed {
    /// Opens the index in `<data>/index/search`.
    pub(super) fn open(data: &std::path::Path) -> Result<SearchFeed> {
        Ok(SearchFeed {
            index: SearchIndex::open(&search::index_dir(data))?,
            ready: AtomicBool::new(false),
            wakeup: Mutex::new(None),
            busy: Mutex::new(()),
            stopping: AtomicBool::new(false),
        })
    }
}

impl Site {
    /// Tells the search indexer there is work: the branch moved, or the history index is ready.
    pub fn wake_search_indexer(&self) {
        if let Some(wakeup) = self.search.wakeup.lock().as_ref() {
            // The indexer may have stopped; searches then keep using the index as it is.
            let _ = wakeup.send(());
        }
    }

    /// Whether search has caught up with the branch at least once since start: every page is searchable.
    pub fn search_ready(&self) -> bool {
        self.search.ready.load(Ordering::Acquire)
    }

    /// Whether search is ready and its documents also carry authors and last updates (from history).
    pub fn search_complete(&self) -> bool {
        self.search_ready() && self.search.index.indexed_with_history()
    }

    /// Runs a search.
    pub(super) fn search(&self, query: &SearchQuery, limit: usize, offset: usize) -> Result<SearchResults> {
        self.search.index.search(query, limit, offset)
    }

    /// Pages and questions like a question being asked.
    pub(super) fn similar(&self, query: &SearchQuery, limit: usize) -> Result<SearchResults> {
        self.search.index.similar(query, limit)
    }

    /// Search-box suggestions for what has been typed so far.
    pub(super) fn suggest(
        &self,
        typed: &str,
        limit: usize,
        may_show: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Suggestion>> {
        self.search.index.suggest(typed, limit, may_show)
    }

    /// Keeps the search index caught up with the branch: now, then whenever `refresh` says the branch moved
    /// or the history index becomes ready. Runs until the site is dropped; call it on a thread of its own.
    pub fn run_search_indexer(site: Arc<Site>) {
        crate::priority::become_background();
        let (sender, receiver) = mpsc::channel();
        *site.search.wakeup.lock() = Some(sender);
        // Hold the site only while working: when the server drops it, the sender goes with it and the
        // loop ends.
        let weak = Arc::downgrade(&site);
        drop(site);
        loop {
            let Some(site) = weak.upgrade() else { return };
            let started = Instant::now();
            {
                let _busy = site.search.busy.lock();
                if site.search.stopping.load(Ordering::Acquire) {
                    return;
                }
                if let Err(err) = site.sync_search(|_, _| {}) {
                    tracing::error!(error = %err, "updating the search index failed");
                }
            }
            site.search.ready.store(true, Ordering::Release);
            drop(site);
            let updated = Instant::now();
            let interval = burst_interval(updated - started);
            if receiver.recv().is_err() {
                return;
            }
            // A lone save is indexed at once. Under a burst of writes the index is updated at most every
            // `interval`, with everything that landed meanwhile: each commit of tantivy costs the same tens of
            // milliseconds of CPU however few pages it holds (a new segment's term table of 2^19 entries is
            // zeroed, walked and written, and its files made), which the nodes serving the burst's requests
            // need more.
            if let Some(rest) = interval.checked_sub(updated.elapsed()) {
                std::thread::sleep(rest);
            }
            while receiver.try_recv().is_ok() {}
        }
    }

    /// Stops the search indexer: an update under way finishes and commits (waiting up to `wait`), and none
    /// starts after. Returns whether the index was idle within `wait`. For a stopping server.
    pub fn stop_search_indexer(&self, wait: std::time::Duration) -> bool {
        self.search.stopping.store(true, Ordering::Release);
        // Without its sender the indexer's wait ends, and it returns.
        self.search.wakeup.lock().take();
        self.search.busy.try_lock_for(wait).is_some()
    }

    /// Brings the search index to the current head: only changed files when it knows where it was, else a
    /// full rebuild. `progress(done, total)` reports a rebuild's progress.
    pub fn sync_search(&self, mut progress: impl FnMut(usize, usize)) -> Result<()> {
        let snapshot = self.snapshot();
        let Some(head) = snapshot.head else { return Ok(()) };
        // Read before the documents are built: they carry history only if it was ready by then.
        let with_history = self.changes_ready();
        if with_history && !self.search.index.indexed_with_history() {
            // Indexed before history was ready (or never): build it whole, with authors and last updates.
            return self.rebuild_search(&mut progress);
        }
        let indexed = self.search.index.indexed_head();
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
        self.search.index.apply(&paths, documents, &head.to_string(), with_history)?;
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
        let n = self.search.index.rebuild(documents, &head.to_string(), with_history)?;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        tracing::info!(n_documents = n, elapsed_ms, with_history, "search index built");
        // A rebuild read every page (see `Store::close_idle_handles`), and freed far more than the index keeps.
        self.store.close_idle_handles();
        crate::memory::return_freed_memory();
        Ok(())
    }

    /// The commit the search index reflects, once it is built.
    pub fn search_indexed_head(&self) -> Option<String> {
        self.search.index.indexed_head()
    }

    /// Size of the search index on disk, in bytes.
    pub fn search_index_bytes(&self) -> u64 {
        self.search.index.size_on_disk(&search::index_dir(&self.config.data))
    }

    pub(super) fn search_document(
        &self,
        snapshot: &Snapshot,
        path: &RepoPath,
        meta: &PageMeta,
    ) -> Result<SearchDocument> {
        let blob = snapshot.file(path.as_str()).ok_or_else(|| Error::NotFound(path.to_string()))?;
        let text = match self.text_of(Some(blob))? {
            Some(Text::Lines(text)) => text,
            _ => String::new(),
        };
        let plain = plain_text(front_matter::split(&text).body);
        let kind = PageKind::of(path.as_str());
        let (history, last) = if self.changes_ready() {
            let index = self.changes.index();
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
            (PageKind::Question, Some(answer_id)) => {
                let answer_path = format!("{}/{answer_id}.md", path.page_name());
                match self.text_of(snapshot.file(&answer_path))? {
                    Some(Text::Lines(answer)) => Some(plain_text(front_matter::split(&answer).body).text),
                    _ => None,
                }
            }
            _ => None,
        };
        let (url, title) = match kind {
            PageKind::Answer => {
                let question = question_of_answer(path.as_str()).unwrap_or_default();
                let question_title = RepoPath::parse(&question)
                    .ok()
                    .and_then(|it| snapshot.pages.get(&it).map(|meta| meta.title.clone()));
                let url = format!("{}#answer-{}", path::url_for(question.trim_end_matches(".md")), path.file_stem());
                (url, format!("Answer: {}", question_title.unwrap_or_else(|| meta.title.clone())))
            }
            _ => (path.url(), meta.title.clone()),
        };
        let lang = self.languages.language_of(path.as_str(), meta.front_matter.lang.as_deref(), &plain.text);
        Ok(SearchDocument {
            path: path.as_str().to_string(),
            url,
            title,
            headings: plain.headings,
            body: plain.text,
            tags: meta.front_matter.tags.clone(),
            kind: kind.as_str(),
            authors,
            updated_at: last.as_ref().map_or(0, |it| it.time),
            updated_by: last.map(|it| it.author.name.clone()).unwrap_or_default(),
            accepted_answer,
            lang: lang.as_str().to_string(),
        })
    }
}

/// Whether a page belongs in search results: not templates, sidebars and other `_`-prefixed files.
pub fn is_searchable(path: &str) -> bool {
    !path.split('/').any(|it| it.starts_with('_'))
}

// The least time from one update of the search index to the next while writes keep coming, after an update
// that took `took`.
fn burst_interval(took: Duration) -> Duration {
    (took * BURST_SPACING).clamp(BURST_INTERVAL, BURST_INTERVAL_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_under_a_burst_are_spaced_by_what_the_last_took_within_bounds() {
        assert_eq!(burst_interval(Duration::from_millis(2)), BURST_INTERVAL);
        assert_eq!(burst_interval(Duration::from_millis(50)), Duration::from_millis(200));
        assert_eq!(burst_interval(Duration::from_secs(4)), BURST_INTERVAL_MAX);
    }
}
