//! The authorship index: for every page, who wrote each line still standing (from the change index, one line
//! diff per new version), behind the people pages, "who knows about this" and the review radar.
//! `AuthorshipIndex` owns it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use parking_lot::RwLock;

use super::{Site, Snapshot, Text};
use crate::Result;
use crate::content::RepoPath;
use crate::render::diff;
use crate::store::{ObjectId, Person};

/// Who wrote the lines of one version of a page.
#[derive(Debug, Clone)]
pub struct Authorship {
    pub blob: ObjectId,
    /// Who wrote each line, as runs of consecutive lines by one author: a page has a few runs and many lines
    /// (one pointer per line held 16 MiB on a 38,000-page wiki). Authors, not commits, which are all that is
    /// read: the change index keeps one copy of each author for every page (commits it makes afresh for each
    /// request, so pages holding them held a copy of each commit).
    runs: Arc<[(u32, Arc<Person>)]>,
    /// Surviving lines per author (e-mail compared lowercased), most first.
    totals: Box<[(Arc<Person>, usize)]>,
}

impl Authorship {
    fn new(blob: ObjectId, lines: &[Arc<Person>]) -> Authorship {
        let mut runs: Vec<(u32, Arc<Person>)> = Vec::new();
        for author in lines {
            match runs.last_mut() {
                Some((n, last)) if Arc::ptr_eq(last, author) || last == author => *n += 1,
                _ => runs.push((1, author.clone())),
            }
        }
        let mut counts: HashMap<String, (Arc<Person>, usize)> = HashMap::new();
        for (n, author) in &runs {
            counts.entry(author.email.to_lowercase()).or_insert_with(|| (author.clone(), 0)).1 += *n as usize;
        }
        let mut totals: Vec<(String, Arc<Person>, usize)> =
            counts.into_iter().map(|(email, (author, n))| (email, author, n)).collect();
        totals.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Authorship { blob, runs: runs.into(), totals: totals.into_iter().map(|(_, author, n)| (author, n)).collect() }
    }

    /// Who wrote each line.
    fn line_authors(&self) -> Vec<Arc<Person>> {
        self.runs.iter().flat_map(|(n, author)| std::iter::repeat_n(author.clone(), *n as usize)).collect()
    }

    /// Surviving lines per author, most first: (e-mail lowercased, name, lines).
    pub fn totals(&self) -> impl Iterator<Item = (String, &str, usize)> {
        self.totals.iter().map(|(author, n)| (author.email.to_lowercase(), author.name.as_str(), *n))
    }

    /// The author with the most surviving lines: (e-mail lowercased, name).
    pub fn top_author(&self) -> Option<(String, &str)> {
        self.totals().next().map(|(email, name, _)| (email, name))
    }
}

/// Every page's authorship, once built.
pub(super) struct AuthorshipIndex {
    pub(super) entries: RwLock<HashMap<RepoPath, Authorship>>,
    pub(super) ready: AtomicBool,
}

impl AuthorshipIndex {
    /// Empty and not ready, until `Site::build_authorship`.
    pub(super) fn new() -> AuthorshipIndex {
        AuthorshipIndex { entries: RwLock::new(HashMap::new()), ready: AtomicBool::new(false) }
    }
}

impl Site {
    /// Builds the authorship index for every page from the change index. Slow on big histories: run it
    /// off the request path after `build_change_index`.
    pub fn build_authorship(&self) -> Result<()> {
        let started = Instant::now();
        let snapshot = self.snapshot();
        let mut index = HashMap::with_capacity(snapshot.pages.len());
        for path in snapshot.pages.keys() {
            if let Some(entry) = self.fresh_authorship(&snapshot, path)? {
                index.insert(path.clone(), entry);
            }
        }
        *self.authorship.entries.write() = index;
        self.authorship.ready.store(true, Ordering::Release);
        tracing::info!(
            n_pages = snapshot.pages.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "authorship indexed"
        );
        // Pages saved while the index was built.
        self.update_authorship(&snapshot.pages.keys().cloned().collect::<Vec<_>>())
    }

    /// Brings the authorship of `paths` up to the current snapshot: one diff per page when a single new
    /// version arrived, else a walk of the page's history.
    pub fn update_authorship(&self, paths: &[RepoPath]) -> Result<()> {
        if !self.authorship.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let snapshot = self.snapshot();
        for path in paths {
            let current = snapshot.file(path.as_str()).filter(|_| snapshot.pages.contains_key(path));
            let known = self.authorship.entries.read().get(path).cloned();
            let next = match (current, known) {
                (None, _) => None,
                (Some(blob), Some(known)) if known.blob == blob => continue,
                (Some(blob), Some(known)) => {
                    let history = self.history(path)?;
                    match history.first() {
                        // One new version on top of the known one (not a merge bringing a side branch's versions).
                        Some(newest)
                            if newest.blob == Some(blob)
                                && newest.previous_blob == Some(known.blob)
                                && history.get(1).and_then(|it| it.blob) == Some(known.blob) =>
                        {
                            match (self.text_of(Some(known.blob))?, self.text_of(Some(blob))?) {
                                (Some(Text::Lines(old)), Some(Text::Lines(new))) => Some(Authorship::new(
                                    blob,
                                    &diff::carry_lines(&old, &new, &known.line_authors(), &newest.commit.author),
                                )),
                                _ => None,
                            }
                        }
                        _ => self.fresh_authorship(&snapshot, path)?,
                    }
                }
                (Some(_), None) => self.fresh_authorship(&snapshot, path)?,
            };
            let mut index = self.authorship.entries.write();
            match next {
                Some(entry) => index.insert(path.clone(), entry),
                None => index.remove(path),
            };
        }
        Ok(())
    }

    pub(super) fn fresh_authorship(&self, snapshot: &Snapshot, path: &RepoPath) -> Result<Option<Authorship>> {
        let Some(blob) = snapshot.file(path.as_str()) else { return Ok(None) };
        let history = self.history(path)?;
        let mut lines: Vec<Arc<Person>> = Vec::new();
        let mut previous = String::new();
        for entry in history.iter().rev() {
            let Some(Text::Lines(text)) = self.text_of(entry.blob)? else {
                lines.clear();
                previous.clear();
                continue;
            };
            lines = diff::carry_lines(&previous, &text, &lines, &entry.commit.author);
            previous = text;
        }
        Ok(Some(Authorship::new(blob, &lines)))
    }

    /// The authorship of a page, when indexed.
    pub(super) fn authorship(&self, path: &RepoPath) -> Option<Authorship> {
        self.authorship.entries.read().get(path).cloned()
    }

    /// Whether the authorship index is built.
    pub fn authorship_ready(&self) -> bool {
        self.authorship.ready.load(Ordering::Acquire)
    }
}
