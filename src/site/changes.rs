//! The site's change log: the change index (`history::ChangeIndex`) as the branch's history currently reads,
//! kept current as commits arrive, and saved now and then so a restart catches up instead of walking all of
//! history again.
//!
//! Readers load the current index from an `ArcSwap` and never wait. An update (a save's one commit, a push's
//! several, the first build at start) extends a copy off to the side, which is cheap because the index's
//! collections are persistent, then swaps it in; saving writes an index nobody changes any more. So no lock is
//! held across a history walk or a file write: only updates take turns, among themselves.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use arc_swap::ArcSwap;
use parking_lot::Mutex;

use crate::history::ChangeIndex;
use crate::store::{CommitChanges, ObjectId, Store};
use crate::{Error, Result};

/// How many new commits make the change index worth saving again.
const SAVE_INDEX_EVERY_COMMITS: usize = 1_000;

/// The change index, current and persisted.
pub(super) struct ChangeLog {
    current: ArcSwap<ChangeIndex>,
    ready: AtomicBool,
    // Updates take turns (each extends the index the last one stored); readers never take it.
    updating: Mutex<()>,
    // How many commits the saved file holds.
    saved_commits: AtomicUsize,
    file: PathBuf,
}

impl ChangeLog {
    /// An empty log, not ready, persisted at `file`.
    pub(super) fn new(file: PathBuf) -> ChangeLog {
        ChangeLog {
            current: ArcSwap::from_pointee(ChangeIndex::default()),
            ready: AtomicBool::new(false),
            updating: Mutex::new(()),
            saved_commits: AtomicUsize::new(0),
            file,
        }
    }

    /// Whether the index has been built (until then, history and "last edited" facts are unknown).
    pub(super) fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The index as it is now. Cheap; never blocks.
    pub(super) fn index(&self) -> Arc<ChangeIndex> {
        self.current.load_full()
    }

    /// The index, or an error saying it is still being built.
    pub(super) fn ready_index(&self) -> Result<Arc<ChangeIndex>> {
        if self.is_ready() {
            Ok(self.index())
        } else {
            Err(Error::Unavailable("history is still being indexed; try again in a moment".into()))
        }
    }

    /// Loads the saved index and catches it up to `head`, or builds it with a walk of the whole history.
    /// Slow on big repositories: run it off the request path.
    pub(super) fn build(&self, store: &Store, head: Option<ObjectId>) -> Result<()> {
        let _turn = self.updating.lock();
        let Some(head) = head else {
            self.ready.store(true, Ordering::Release);
            return Ok(());
        };
        let started = Instant::now();
        let mut index = ChangeIndex::load(&self.file).unwrap_or_default();
        let n_loaded = index.n_commits();
        let mut last_report = Instant::now();
        let n_new = index.catch_up(store, head, |n_commits| {
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
        let index = Arc::new(index);
        self.current.store(index.clone());
        self.ready.store(true, Ordering::Release);
        if n_new > 0 {
            self.save_index(&index)?;
        } else {
            self.saved_commits.store(index.n_commits(), Ordering::Release);
        }
        Ok(())
    }

    /// Extends the index to `head`. `child` is `head`'s only parent with `head`'s changes, when the caller has
    /// read them already; the index takes them as they are if it stands at that parent. Does nothing until
    /// the index is built (the build catches up by itself).
    pub(super) fn catch_up(
        &self,
        store: &Store,
        head: Option<ObjectId>,
        child: Option<(ObjectId, CommitChanges)>,
    ) -> Result<()> {
        let (Some(head), true) = (head, self.is_ready()) else { return Ok(()) };
        let _turn = self.updating.lock();
        let mut index = ChangeIndex::clone(&self.current.load());
        let appended = match child {
            Some((parent, commit)) if commit.info.id == head => index.append_child(parent, commit),
            _ => false,
        };
        if !appended {
            index.catch_up(store, head, |_| {})?;
        }
        let index = Arc::new(index);
        self.current.store(index.clone());
        // A restart catches up from the saved head, so saving now and then is enough to keep starts fast.
        if index.n_commits() >= self.saved_commits.load(Ordering::Acquire) + SAVE_INDEX_EVERY_COMMITS {
            self.save_index(&index)?;
        }
        Ok(())
    }

    /// Saves the index if it has commits the saved copy lacks (on shutdown).
    pub(super) fn save(&self) -> Result<()> {
        let index = self.index();
        if self.is_ready() && index.n_commits() > self.saved_commits.load(Ordering::Acquire) {
            self.save_index(&index)?;
        }
        Ok(())
    }

    // Writes an index that no one changes any more (each update stores a new one), holding no lock.
    fn save_index(&self, index: &ChangeIndex) -> Result<()> {
        index.save(&self.file)?;
        self.saved_commits.store(index.n_commits(), Ordering::Release);
        Ok(())
    }
}
