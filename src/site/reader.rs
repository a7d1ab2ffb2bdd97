//! One person's view of the wiki. [`Site::reader`] hands out a [`Reader`] for an [`Access`]; every read the
//! web layer makes is a method on it, and each sees only what that access may read: pages, lists, links,
//! search, suggestions, experts, people, review, history, diffs, blame, commits and changes. A page the
//! reader may not read is the same `NotFound` as a page that does not exist, so nothing here can be forgotten
//! by a handler: there is no unfiltered data to forget it on.
//!
//! Commits that also changed hidden files keep their author but lose their message (it may describe the
//! hidden change); commits that changed only hidden files are shown, where a page's diff needs them as an
//! end point, without author or message.

use std::sync::Arc;

use serde::Serialize;

use super::{Deletion, PageHealth, PageSource, PageView, Site, Snapshot, Text};
use crate::auth::Access;
use crate::content::language::Language;
use crate::content::questions::QuestionInfo;
use crate::content::{PageMeta, RepoPath};
use crate::history::{ChangeFilter, HistoryEntry, RecentChange};
use crate::render::RenderedBody;
use crate::render::diff::{self, BlameLine, Hunk, SplitRow};
use crate::search::{SearchQuery, SearchResults, Suggestion};
use crate::store::{CommitInfo, ObjectId, Person};
use crate::{Error, Result};

use super::{AnswerEntry, Expert, PersonSummary, QuestionSummary, ReviewItem, Upkeep, UpkeepList};

/// What a restricted reader sees instead of the message of a commit that also changed files they may not read.
pub const HIDDEN_MESSAGE: &str = "(This commit also changed pages you cannot read; its message is not shown.)";

/// Lines of diff shown at most; beyond that the diff says it was cut.
const MAX_DIFF_LINES: usize = 5_000;

/// What one reader may see of one snapshot: the snapshot without the files they may not read (and without
/// their names in the link resolver), and those files, which search leaves out inside its query.
#[derive(Clone)]
pub(super) struct Visible {
    pub snapshot: Arc<Snapshot>,
    pub hidden: Arc<Vec<String>>,
}

/// The wiki as one person may read it.
#[derive(Clone)]
pub struct Reader {
    site: Arc<Site>,
    access: Access,
    visible: Visible,
}

/// A page that translates another.
#[derive(Debug, Clone, Serialize)]
pub struct PageTranslation {
    pub path: RepoPath,
    pub url: String,
    pub title: String,
    /// Its language: declared (front matter, folder rule or translation pattern), else the site's.
    pub language: Option<Language>,
    /// The language's name in that language ("Deutsch"), else the page's title.
    pub name: String,
}

/// A page's history entry with the lines it added and removed.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub entry: HistoryEntry,
    pub added: usize,
    pub removed: usize,
}

/// Why a diff shows no lines, or not all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiffNote {
    /// Only the first `max_lines` lines are shown.
    Long { max_lines: usize },
    /// One side is not text.
    Binary,
    /// One side is too large to diff.
    TooLarge,
}

/// One file's changes between two versions, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct FileDiff {
    pub path: String,
    pub old_path: Option<String>,
    pub status: &'static str,
    /// Why no lines (or not all) are shown, if so; the web says it in the reader's language.
    pub note: Option<DiffNote>,
    pub hunks: Vec<Hunk>,
    pub rows: Vec<Vec<SplitRow>>,
    pub truncated: bool,
}

/// A page's diff between two commits.
#[derive(Debug, Clone)]
pub struct PageDiff {
    pub from: Arc<CommitInfo>,
    pub to: Arc<CommitInfo>,
    pub file: FileDiff,
}

/// A whole commit: what it says and every file it changed that the reader may read.
#[derive(Debug, Clone)]
pub struct CommitDetail {
    pub info: Arc<CommitInfo>,
    pub parent: Option<ObjectId>,
    pub files: Vec<FileDiff>,
}

impl Site {
    /// The wiki as someone with `access` may read it.
    pub fn reader(self: &Arc<Site>, access: &Access) -> Reader {
        let snapshot = self.snapshot();
        let visible = if access.sees_everything() {
            Visible { snapshot, hidden: Arc::default() }
        } else {
            let key = (snapshot.head, access.fingerprint());
            let build = || {
                let hidden: Vec<String> =
                    snapshot.files.keys().filter(|path| !access.can_read(path)).cloned().collect();
                let visible = Arc::new(snapshot.visible_to(&hidden));
                Ok::<_, std::convert::Infallible>(Visible { snapshot: visible, hidden: Arc::new(hidden) })
            };
            match self.snapshots.visible_cache.get_or_insert_with(&key, build) {
                Ok(visible) => visible,
                Err(never) => match never {},
            }
        };
        Reader { site: self.clone(), access: access.clone(), visible }
    }
}

impl Reader {
    /// Whose eyes these are.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The branch as this reader sees it: files, pages, tags, links and wiki-link names they may read.
    pub fn snapshot(&self) -> &Arc<Snapshot> {
        &self.visible.snapshot
    }

    /// The site's settings.
    pub fn config(&self) -> &crate::config::Config {
        &self.site.config
    }

    /// Whether this reader may read the file at `path`.
    pub fn can_read(&self, path: &str) -> bool {
        self.access.can_read(path)
    }

    /// Whether the change index is built (history, "last edited", people).
    pub fn changes_ready(&self) -> bool {
        self.site.changes_ready()
    }

    fn require(&self, path: &RepoPath) -> Result<()> {
        if self.can_read(path.as_str()) { Ok(()) } else { Err(Error::NotFound(path.to_string())) }
    }

    /// A page ready to show (wiki links resolved among the pages this reader may read).
    pub fn page_view(&self, path: &RepoPath) -> Result<Option<PageView>> {
        let Some(mut view) = self.site.page_view(self.snapshot(), path)? else { return Ok(None) };
        view.last_change = view.last_change.map(|it| self.commit_info(&it));
        Ok(Some(view))
    }

    /// A page's Markdown source.
    pub fn page_source(&self, path: &RepoPath) -> Result<Option<PageSource>> {
        self.site.page_source(self.snapshot(), path)
    }

    /// The text of a version of a page this reader may read, named by its blob (where a section edit or a
    /// merge started from). A blob that was never a version of this page is refused.
    pub fn version_text(&self, path: &RepoPath, blob: ObjectId) -> Result<String> {
        self.require(path)?;
        if !self.site.is_version_of(path, blob)? {
            return Err(Error::bad_input(format!("{blob} is not a version of {path}")));
        }
        Ok(String::from_utf8_lossy(&self.site.store.read_blob(blob)?).into_owned())
    }

    /// The blob of a file this reader may read.
    pub fn file(&self, path: &str) -> Option<ObjectId> {
        self.snapshot().file(path)
    }

    /// The content of a file this reader may read.
    pub fn read_file(&self, path: &RepoPath) -> Result<Vec<u8>> {
        let blob = self.file(path.as_str()).ok_or_else(|| Error::NotFound(path.to_string()))?;
        self.site.store.read_blob(blob)
    }

    /// The newest commit that changed a page this reader may read.
    pub fn last_change(&self, path: &str) -> Option<Arc<CommitInfo>> {
        if !self.can_read(path) {
            return None;
        }
        self.site.last_change(path).map(|it| self.commit_info(&it))
    }

    /// If a page this reader may read was deleted: who deleted it, and the last commit that still had it.
    pub fn deletion(&self, path: &RepoPath) -> Option<Deletion> {
        self.require(path).ok()?;
        if self.moved_to(path).is_some() {
            return None;
        }
        let deletion = self.site.deletion(path.as_str())?;
        Some(Deletion {
            deleted_by: self.commit_info(&deletion.deleted_by),
            last_version: self.commit_info(&deletion.last_version),
        })
    }

    /// Where a page moved away from `path` lives now, when this reader may read both addresses.
    pub fn moved_to(&self, path: &RepoPath) -> Option<RepoPath> {
        self.require(path).ok()?;
        self.site.moved_to(path).filter(|it| self.snapshot().pages.contains_key(it))
    }

    /// A page's health: contributors, incoming links, owners and review state.
    pub fn health(&self, path: &RepoPath) -> Option<PageHealth> {
        self.site.health(self.snapshot(), path)
    }

    /// The page as it was in `revision`, rendered against today's pages, or `None` if it did not exist then.
    pub fn page_view_at(&self, path: &RepoPath, revision: &str) -> Result<Option<PageView>> {
        self.require(path)?;
        let commit = self.site.store.resolve_commit(revision)?;
        let Some((path_then, _)) = self.site.version_at(path, commit)? else { return Ok(None) };
        // A page that lived in a folder this reader may not read was not theirs to read then.
        if !self.can_read(path_then.as_str()) {
            return Ok(None);
        }
        let Some(mut view) = self.site.page_view_at(self.snapshot(), path, commit)? else { return Ok(None) };
        view.last_change = view.last_change.map(|it| self.commit_info(&it));
        Ok(Some(view))
    }

    /// A page's history, newest first, following moves, but not back into folders this reader may not
    /// read. Fails while the change index is being built.
    pub fn history(&self, path: &RepoPath) -> Result<Vec<HistoryEntry>> {
        self.require(path)?;
        let mut history = self.site.history(path)?;
        if let Some(hidden) = history.iter().position(|it| !self.can_read(&it.path)) {
            history.truncate(hidden);
            if let Some(oldest) = history.last_mut() {
                oldest.previous_blob = None;
            }
        }
        for entry in &mut history {
            entry.commit = self.commit_info(&entry.commit);
        }
        Ok(history)
    }

    /// A page of a page's history (`offset`, `limit`) with line counts, and the number of entries in all.
    pub fn history_rows(&self, path: &RepoPath, offset: usize, limit: usize) -> Result<(Vec<HistoryRow>, usize)> {
        let history = self.history(path)?;
        if history.is_empty() {
            return Err(Error::NotFound(format!("no history for {path}")));
        }
        let total = history.len();
        let mut rows = Vec::new();
        for entry in history.into_iter().skip(offset).take(limit) {
            let (added, removed) = self.site.line_stats(entry.previous_blob, entry.blob)?;
            rows.push(HistoryRow { entry, added, removed });
        }
        Ok((rows, total))
    }

    /// What changed in a page between two revisions: `to` defaults to its newest version, `from` to the
    /// version before `to` in its history.
    pub fn diff(&self, path: &RepoPath, from: Option<&str>, to: Option<&str>, collapse: bool) -> Result<PageDiff> {
        let history = self.history(path)?;
        if history.is_empty() {
            return Err(Error::NotFound(format!("no history for {path}")));
        }
        let store = &self.site.store;
        let to_commit = match to.filter(|it| !it.is_empty()) {
            Some(revision) => store.resolve_commit(revision)?,
            None => history[0].commit.id,
        };
        let to_blob = self.version_in(path, &history, to_commit)?;
        let from_commit = match from.filter(|it| !it.is_empty()) {
            Some(revision) => store.resolve_commit(revision)?,
            None => {
                let position = history.iter().position(|it| it.commit.id == to_commit);
                match position.map(|it| (&history[it], history.get(it + 1))) {
                    // The version before, unless `to` is a merge that brought a side branch's version: its change
                    // is against its first parent, as in the history's line counts.
                    Some((entry, Some(next))) if entry.previous_blob == next.blob => next.commit.id,
                    _ => store.first_parent(to_commit)?.unwrap_or(to_commit),
                }
            }
        };
        let from_blob = self.version_in(path, &history, from_commit).unwrap_or(None);
        if from_blob.is_none() && to_blob.is_none() {
            return Err(Error::NotFound(format!("{path} did not exist in either revision")));
        }
        let file = self.file_diff(path.as_str(), None, from_blob, to_blob, collapse)?;
        let from = self.commit_info(&Arc::new(store.commit_info(from_commit)?));
        let to = self.commit_info(&Arc::new(store.commit_info(to_commit)?));
        Ok(PageDiff { from, to, file })
    }

    // The page's blob in `commit`: at its path then (one of the paths of its readable history), even if it
    // has moved since.
    fn version_in(&self, path: &RepoPath, history: &[HistoryEntry], commit: ObjectId) -> Result<Option<ObjectId>> {
        let store = &self.site.store;
        if let Some(blob) = store.blob_at(commit, path.as_str())? {
            return Ok(Some(blob));
        }
        for entry in history {
            if entry.path != path.as_str()
                && let Some(blob) = store.blob_at(commit, &entry.path)?
            {
                return Ok(Some(blob));
            }
        }
        Ok(None)
    }

    /// A whole commit, with every file it changed that this reader may read. A commit that changed only
    /// files they may not read is refused as not found.
    pub fn commit(&self, revision: &str) -> Result<CommitDetail> {
        let store = &self.site.store;
        let commit = store.resolve_commit(revision)?;
        let info = Arc::new(store.commit_info(commit)?);
        let parent = store.first_parent(commit)?;
        let changes = store.commit_changes(commit)?;
        let n_changes = changes.len();
        let mut files = Vec::new();
        for change in changes.into_iter().filter(|it| self.can_read(&it.path)) {
            // A move out of a hidden folder shows as an added file: the old name is not the reader's to see.
            let was_moved = change.renamed_from.is_some();
            let old_path = change.renamed_from.filter(|it| self.can_read(it));
            let old_blob = if was_moved && old_path.is_none() { None } else { change.old_blob };
            files.push(self.file_diff(&change.path, old_path, old_blob, change.blob, true)?);
        }
        // A move shows once, as the new path; the delete half of it is implied.
        let renamed: Vec<String> = files.iter().filter_map(|it| it.old_path.clone()).collect();
        files.retain(|it| !(it.status == "deleted" && renamed.contains(&it.path)));
        if n_changes > 0 && files.is_empty() {
            return Err(Error::NotFound(format!("commit {}", commit.short())));
        }
        Ok(CommitDetail { info: self.commit_info(&info), parent, files })
    }

    fn file_diff(
        &self,
        path: &str,
        old_path: Option<String>,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        collapse: bool,
    ) -> Result<FileDiff> {
        let status = match (old, new) {
            (None, Some(_)) => "added",
            (Some(_), None) => "deleted",
            _ if old_path.is_some() => "moved",
            _ => "modified",
        };
        let mut res = FileDiff {
            path: path.to_string(),
            old_path,
            status,
            note: None,
            hunks: Vec::new(),
            rows: Vec::new(),
            truncated: false,
        };
        let old_text = self.site.text_of(old)?;
        let new_text = self.site.text_of(new)?;
        let as_lines = |text: &Option<Text>| match text {
            None => Some(String::new()),
            Some(Text::Lines(lines)) => Some(lines.clone()),
            Some(_) => None,
        };
        match (as_lines(&old_text), as_lines(&new_text)) {
            (Some(old), Some(new)) => {
                let mut hunks = diff::hunks(&old, &new, collapse.then_some(diff::CONTEXT_LINES));
                let mut n_lines = 0;
                hunks.retain_mut(|hunk| {
                    if n_lines >= MAX_DIFF_LINES {
                        res.truncated = true;
                        return false;
                    }
                    n_lines += hunk.lines.len();
                    if n_lines > MAX_DIFF_LINES {
                        hunk.lines.truncate(hunk.lines.len() - (n_lines - MAX_DIFF_LINES));
                        res.truncated = true;
                    }
                    true
                });
                if res.truncated {
                    res.note = Some(DiffNote::Long { max_lines: MAX_DIFF_LINES });
                }
                res.rows = hunks.iter().map(diff::split_rows).collect();
                res.hunks = hunks;
            }
            _ => {
                let binary = matches!(old_text, Some(Text::Binary)) || matches!(new_text, Some(Text::Binary));
                res.note = Some(if binary { DiffNote::Binary } else { DiffNote::TooLarge });
            }
        }
        Ok(res)
    }

    /// Who last changed each line of a page, following its history (and moves) in the change index.
    pub fn blame(&self, path: &RepoPath) -> Result<Vec<BlameLine>> {
        self.require(path)?;
        let lines = self.site.blame(self.snapshot(), path)?;
        Ok(lines.iter().map(|it| BlameLine { commit: self.commit_info(&it.commit), text: it.text.clone() }).collect())
    }

    /// Recent commits this reader may see, newest first, without the files they may not read.
    pub fn recent_changes(&self, filter: &ChangeFilter, offset: usize, limit: usize) -> Result<Vec<RecentChange>> {
        let mut filter = filter.clone();
        if !self.access.sees_everything() {
            filter.reader = Some(self.access.clone());
        }
        let mut changes = self.site.recent_changes(&filter, offset, limit)?;
        for change in &mut changes {
            change.commit = self.commit_info(&change.commit);
        }
        Ok(changes)
    }

    /// A commit as this reader may see it: as it is when it changed only files they may read; without its
    /// message when it also changed others; without author and message when it changed only others.
    pub fn commit_info(&self, info: &Arc<CommitInfo>) -> Arc<CommitInfo> {
        if self.access.sees_everything() {
            return info.clone();
        }
        let (any_visible, any_hidden) = self.site.commit_visibility(info.id, &|path| self.can_read(path));
        match (any_visible, any_hidden) {
            (_, false) => info.clone(),
            (true, true) => Arc::new(CommitInfo { message: HIDDEN_MESSAGE.into(), ..(**info).clone() }),
            (false, true) => Arc::new(CommitInfo {
                id: info.id,
                author: Arc::new(Person { name: "someone".into(), email: String::new() }),
                time: info.time,
                message: HIDDEN_MESSAGE.into(),
            }),
        }
    }

    /// Runs a search, leaving out inside the query the pages this reader may not read (so totals and facets
    /// leave them out too).
    pub fn search(&self, query: &SearchQuery, limit: usize, offset: usize) -> Result<SearchResults> {
        let mut query = query.clone();
        query.excluded_paths = self.visible.hidden.to_vec();
        // After the reader's own languages, the site's: a German reader sees German pages, then the originals.
        let default = self.site.languages.default_language().as_str();
        if !query.preferred_languages.iter().any(|it| it == default) {
            query.preferred_languages.push(default.to_string());
        }
        self.site.search(&query, limit, offset)
    }

    /// The language the page at `path` declares (front matter, folder rule or translation pattern).
    pub fn language_of(&self, path: &RepoPath) -> Option<Language> {
        let entry = self.snapshot().pages.get(path)?;
        self.site.languages.declared(path.as_str(), entry.meta.front_matter.lang.as_deref())
    }

    /// The pages this reader may read that translate the page at `path` (by front matter `translations:`,
    /// followed from page to page, and by the translation patterns of `lore.yaml`), sorted by language.
    pub fn translations(&self, path: &RepoPath) -> Vec<PageTranslation> {
        let snapshot = self.snapshot();
        let rules = &self.site.languages;
        // A page that declares no language is taken to be in the site's.
        let declared = |path: &RepoPath| {
            let entry = snapshot.pages.get(path)?;
            let declared = rules.declared(path.as_str(), entry.meta.front_matter.lang.as_deref());
            Some(declared.unwrap_or_else(|| rules.default_language().clone()))
        };
        let mut found: Vec<(RepoPath, Option<Language>)> = Vec::new();
        let children = |folder: &str| snapshot.children(folder);
        for candidate in rules.translation_candidates(path.as_str(), &children) {
            if let Ok(candidate_path) = RepoPath::parse(&candidate.path)
                && snapshot.pages.contains_key(&candidate_path)
            {
                let language = candidate.language.or_else(|| declared(&candidate_path));
                found.push((candidate_path, language));
            }
        }
        // Front matter links, followed from page to page (a few hops): translations usually list the original,
        // and the original lists them all.
        let mut queue = vec![path.clone()];
        let mut seen = vec![path.clone()];
        while let Some(current) = queue.pop() {
            let Some(entry) = snapshot.pages.get(&current) else { continue };
            for listed in &entry.meta.front_matter.translations {
                let raw = listed.trim().trim_start_matches('/');
                let with_md = if raw.ends_with(".md") { raw.to_string() } else { format!("{raw}.md") };
                let Ok(listed_path) = RepoPath::parse(&with_md) else { continue };
                if seen.contains(&listed_path) || !snapshot.pages.contains_key(&listed_path) || seen.len() > 64 {
                    continue;
                }
                seen.push(listed_path.clone());
                queue.push(listed_path.clone());
                let language = declared(&listed_path);
                found.push((listed_path, language));
            }
        }
        found.retain(|(it, _)| it != path);
        found.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        found.dedup_by(|a, b| a.0 == b.0);
        found
            .into_iter()
            .map(|(path, language)| {
                let title = snapshot.pages.get(&path).map(|it| it.meta.title.clone()).unwrap_or_default();
                let name = language.as_ref().map_or_else(|| title.clone(), Language::native_name);
                PageTranslation { url: path.url(), path, language, name, title }
            })
            .collect()
    }

    /// Pages and questions this reader may read that look like the question `text` (the ask form's duplicate
    /// hints), most similar first.
    pub fn similar(&self, text: &str, limit: usize) -> Result<SearchResults> {
        let mut query = SearchQuery::similar_to(text);
        query.excluded_paths = self.visible.hidden.to_vec();
        self.site.similar(&query, limit)
    }

    /// Search-box suggestions for what has been typed so far, among the pages this reader may read.
    pub fn suggest(&self, typed: &str, limit: usize) -> Result<Vec<Suggestion>> {
        self.site.suggest(typed, limit, &|path| self.can_read(path))
    }

    /// Who knows about a topic, judged only by what this reader may read.
    pub fn experts(&self, query: &str, limit: usize) -> Result<Vec<Expert>> {
        self.site.experts_excluding(self, query, limit, None)
    }

    /// Experts for a question this reader may read.
    pub fn experts_for_question(&self, question: &RepoPath, limit: usize) -> Result<Vec<Expert>> {
        let title = self.snapshot().pages.get(question).map(|it| it.title.clone()).unwrap_or_default();
        self.site.experts_excluding(self, &title, limit, Some(question))
    }

    /// People who committed to what this reader may read, found by part of their name or e-mail (for
    /// mentions in the editor).
    pub fn people_matching(&self, query: &str, limit: usize) -> Vec<Person> {
        self.site.people_matching(self, query, limit)
    }

    /// Everyone who has committed to what this reader may read, with what they know there.
    pub fn people(&self) -> Result<Vec<PersonSummary>> {
        self.site.people(self)
    }

    /// One person's summary, counting only what this reader may read.
    pub fn person(&self, email: &str) -> Result<Option<PersonSummary>> {
        Ok(self.site.person_summaries(self)?.remove(&email.trim().to_lowercase()))
    }

    /// Every page and question this reader may read that needs attention.
    pub fn review_items(&self) -> Result<Vec<ReviewItem>> {
        self.site.review_items(self.snapshot())
    }

    /// Owners and last touches over the pages this reader may read (what the review radar sums up), with the
    /// pages `list` names.
    pub fn upkeep(&self, list: UpkeepList) -> Result<Upkeep> {
        self.site.upkeep(self.snapshot(), list)
    }

    /// Everything a person owned or mostly wrote, among the pages this reader may read.
    pub fn orphaned_by(&self, email: &str) -> Result<Vec<ReviewItem>> {
        self.site.orphaned_by(self.snapshot(), email)
    }

    /// The people `people.yaml` lists as departed: (e-mail, name), sorted.
    pub fn departed_people(&self) -> Vec<(String, String)> {
        let mut res: Vec<(String, String)> = self
            .site
            .people_statuses(self.snapshot())
            .into_values()
            .filter(|it| it.status == "departed")
            .map(|it| (it.email.clone(), it.name.clone().unwrap_or_else(|| it.email.clone())))
            .collect();
        res.sort();
        res.dedup();
        res
    }

    /// Every question this reader may read, newest activity first.
    pub fn questions(&self) -> Vec<QuestionSummary> {
        self.site.questions(self.snapshot())
    }

    /// How many questions this reader may read wait for an answer.
    pub fn open_questions(&self) -> usize {
        self.site.open_questions(self.snapshot())
    }

    /// A question's answers that this reader may read: accepted first, then oldest first.
    pub fn answers(&self, slug: &str, info: &QuestionInfo) -> Vec<AnswerEntry> {
        let mut answers = self.site.answers(self.snapshot(), slug, info);
        for answer in &mut answers {
            answer.last_change = answer.last_change.as_ref().map(|it| self.commit_info(it));
        }
        answers
    }

    /// The page a promotion of a question starts from.
    pub fn promoted_text(&self, slug: &str) -> Result<String> {
        self.site.promoted_text(self.snapshot(), slug)
    }

    /// The page templates in `_templates/` this reader may read: (file name without `.md`, title).
    pub fn templates(&self) -> Vec<(String, String)> {
        self.site.templates(self.snapshot())
    }

    /// Renders Markdown that is not stored (previews), its wiki links resolved among the pages this reader
    /// may read.
    pub fn render_preview(&self, path: &RepoPath, markdown: &str) -> (Arc<PageMeta>, RenderedBody) {
        self.site.render_preview(self.snapshot(), path, markdown)
    }
}
