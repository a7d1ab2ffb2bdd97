//! The change index: every commit of the branch with the files it changed, and for every path the
//! commits that touched it (following renames). Built once by a walk of the branch, persisted in the data
//! folder, and extended incrementally as commits arrive, so no request ever walks history.

use std::path::Path;
use std::sync::Arc;

use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::store::{CommitChanges, CommitInfo, ObjectId, Person, Store};

/// Bumped whenever the persisted layout changes; an index of another version is rebuilt.
// 2: each change keeps the blob before it (merges are counted against their first parent).
// 3: commits keep their author as a number in a list of authors.
const FORMAT_VERSION: u32 = 3;

/// Which commits changed which paths, oldest first.
///
/// Its collections are persistent (imbl): a clone shares them and costs next to nothing, so the site extends a
/// copy of the index off to the side while requests keep reading the one they have (see `site::changes`).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ChangeIndex {
    version: u32,
    /// The head commit the index reflects.
    head: Option<ObjectId>,
    commits: Vector<IndexedCommit>,
    /// Every author once: a wiki's commits come from far fewer people.
    authors: Vector<Arc<Person>>,
    // Each path once, shared by `paths` and `path_ids`: as a string in each, the 38,000-page tldr-like wiki's
    // change index held 3.4 MiB more.
    paths: Vector<Arc<str>>,
    // One list per path, shared between versions of the index until a commit touches the path. A plain vector
    // behind an `Arc`, not an `imbl::Vector`: imbl gives every list a 64-entry chunk (~3.8 KiB), which on a
    // 38,000-page wiki whose pages changed once or twice was 275 MiB of the server's memory.
    by_path: Vector<Arc<Vec<PathChange>>>,
    // B-trees, not imbl's hash maps, whose nodes have room for 32 entries each: on a 38,000-page wiki the
    // paths' hash map held 15 MiB.
    #[serde(skip)]
    path_ids: OrdMap<Arc<str>, u32>,
    #[serde(skip)]
    commit_ids: OrdMap<ObjectId, u32>,
    #[serde(skip)]
    author_ids: OrdMap<Arc<Person>, u32>,
}

// What the index keeps of a commit: its author as a number in `authors`, everything in one entry of the
// vector. As an `Arc<CommitInfo>` with the author's name and e-mail in blocks of their own, each commit took
// about 300 bytes; the nested 10,000-page wiki's 20,200 commits held 3 MiB more.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexedCommit {
    id: ObjectId,
    /// Author time, seconds since the Unix epoch.
    time: i64,
    author: u32,
    message: Box<str>,
    paths: PathIds,
}

/// The paths a commit changed, by number: most commits change one, kept without a block of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum PathIds {
    One(u32),
    Many(Box<[u32]>),
}

impl PathIds {
    fn new(ids: Vec<u32>) -> PathIds {
        match ids[..] {
            [one] => PathIds::One(one),
            _ => PathIds::Many(ids.into()),
        }
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            PathIds::One(one) => std::slice::from_ref(one),
            PathIds::Many(many) => many,
        }
    }
}

/// One commit's change to one path.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct PathChange {
    commit: u32,
    blob: Option<ObjectId>,
    // The file's blob in the commit's first parent (at `renamed_from` for a move).
    old_blob: Option<ObjectId>,
    renamed_from: Option<u32>,
}

/// One entry of a page's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub commit: Arc<CommitInfo>,
    /// The path the page had in this commit (differs from today's after a move).
    pub path: String,
    /// The page's blob after the commit; `None` when the commit deleted it.
    pub blob: Option<ObjectId>,
    /// The page's blob before the commit, in its first parent: for a merge, the version on the branch merged
    /// into, not the side branch's newest one. `None` when the commit created it.
    pub previous_blob: Option<ObjectId>,
}

/// One commit's change to one file, as the change index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChangeEntry {
    pub path: String,
    /// The file's blob after the commit; `None` when the commit deleted it.
    pub blob: Option<ObjectId>,
    /// The file's blob in the commit's first parent (at `renamed_from` for a move).
    pub old_blob: Option<ObjectId>,
    /// Where the file was before, when the commit moved it.
    pub renamed_from: Option<String>,
}

/// A commit in the recent-changes list, with the paths it touched.
#[derive(Debug, Clone)]
pub struct RecentChange {
    pub commit: Arc<CommitInfo>,
    pub paths: Vec<String>,
}

/// Which recent changes to list.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    /// Part of the author's name or e-mail, case-insensitive.
    pub author: Option<String>,
    /// A folder (with trailing `/`) at least one changed path must be in.
    pub folder: Option<String>,
    /// Only commits touching one of these paths.
    pub paths: Option<Vec<String>>,
    /// Whose eyes: paths this reader may not see are left out, and commits that touch only those.
    pub reader: Option<crate::auth::Access>,
}

impl ChangeIndex {
    /// The head commit this index has caught up to.
    pub fn head(&self) -> Option<ObjectId> {
        self.head
    }

    /// How many commits are indexed.
    pub fn n_commits(&self) -> usize {
        self.commits.len()
    }

    /// Where `commit` stands in the index, oldest first (0 for the first commit indexed).
    pub fn position(&self, commit: ObjectId) -> Option<usize> {
        self.commit_ids.get(&commit).map(|it| *it as usize)
    }

    /// The newest change to `path` (not following renames).
    pub fn last_change(&self, path: &str) -> Option<HistoryEntry> {
        let id = *self.path_ids.get(path)?;
        let change = self.by_path[id as usize].last()?;
        Some(self.entry(id, change))
    }

    /// The page's history, newest first, following it back through moves.
    pub fn history(&self, path: &str) -> Vec<HistoryEntry> {
        let mut res: Vec<HistoryEntry> = Vec::new();
        let Some(&start) = self.path_ids.get(path) else { return res };
        let mut current = start;
        let mut before = u32::MAX;
        // A rename chain can only go back in time, so it ends; the bound guards against corrupt data.
        for _hop in 0..1_000 {
            let mut next = None;
            for change in self.by_path[current as usize].iter().rev().filter(|it| it.commit < before) {
                res.push(self.entry(current, change));
                if let Some(old) = change.renamed_from {
                    next = Some((old, change.commit));
                    break;
                }
            }
            match next {
                Some((old, at)) => (current, before) = (old, at),
                None => break,
            }
        }
        res
    }

    /// The commits after `cursor`, oldest first, each with its file changes, at most `limit`; `None` when
    /// `cursor` is not in the index (history was rewritten, or it names another branch's commit).
    pub fn commits_after(
        &self,
        cursor: ObjectId,
        limit: usize,
    ) -> Option<Vec<(Arc<CommitInfo>, Vec<FileChangeEntry>)>> {
        let position = *self.commit_ids.get(&cursor)? as usize;
        let res = self
            .commits
            .iter()
            .enumerate()
            .skip(position + 1)
            .take(limit)
            .map(|(at, commit)| {
                let changes = commit
                    .paths
                    .as_slice()
                    .iter()
                    .filter_map(|id| {
                        let change = self.by_path[*id as usize].iter().rev().find(|it| it.commit as usize == at)?;
                        Some(FileChangeEntry {
                            path: self.paths[*id as usize].to_string(),
                            blob: change.blob,
                            old_blob: change.old_blob,
                            renamed_from: change.renamed_from.map(|it| self.paths[it as usize].to_string()),
                        })
                    })
                    .collect();
                (self.info(commit), changes)
            })
            .collect();
        Some(res)
    }

    /// The paths `commit` changed, when it is indexed.
    pub fn commit_paths(&self, commit: ObjectId) -> Option<impl Iterator<Item = &str>> {
        let position = *self.commit_ids.get(&commit)?;
        Some(self.commits[position as usize].paths.as_slice().iter().map(|it| &*self.paths[*it as usize]))
    }

    /// Every commit author: (e-mail lowercased, name, number of commits, time of the newest commit).
    pub fn authors(&self) -> Vec<(String, String, usize, i64)> {
        self.authors_of(|_| true)
    }

    /// The authors of the commits that changed at least one path `visible` accepts, counting only those
    /// commits (as [`ChangeIndex::authors`]): what a reader whom folder rules restrict may learn of people.
    pub fn authors_of(&self, visible: impl Fn(&str) -> bool) -> Vec<(String, String, usize, i64)> {
        // Counted per author first (commits, newest time, position of the last commit), then merged by e-mail
        // with the name of the author's latest commit.
        let mut counts: Vec<(usize, i64, usize)> = vec![(0, 0, 0); self.authors.len()];
        for (position, commit) in self.commits.iter().enumerate() {
            let paths = commit.paths.as_slice();
            if !paths.is_empty() && !paths.iter().any(|it| visible(&self.paths[*it as usize])) {
                continue;
            }
            let count = &mut counts[commit.author as usize];
            *count = (count.0 + 1, count.1.max(commit.time), position);
        }
        let mut res: std::collections::HashMap<String, (String, usize, i64, usize)> = std::collections::HashMap::new();
        for (author, (n, newest, last)) in self.authors.iter().zip(counts).filter(|it| it.1.0 > 0) {
            let entry = res.entry(author.email.to_lowercase()).or_insert_with(|| (author.name.clone(), 0, 0, last));
            if last >= entry.3 {
                entry.0.clone_from(&author.name);
                entry.3 = last;
            }
            entry.1 += n;
            entry.2 = entry.2.max(newest);
        }
        res.into_iter().map(|(email, (name, n, newest, _))| (email, name, n, newest)).collect()
    }

    /// The path a file moved to, when its newest change is the delete half of a rename.
    pub fn renamed_to(&self, path: &str) -> Option<String> {
        let id = *self.path_ids.get(path)?;
        let last = self.by_path[id as usize].last().filter(|it| it.blob.is_none())?;
        let commit = &self.commits[last.commit as usize];
        commit.paths.as_slice().iter().find_map(|other| {
            let change = self.by_path[*other as usize].iter().rev().find(|it| it.commit == last.commit)?;
            (change.renamed_from == Some(id)).then(|| self.paths[*other as usize].to_string())
        })
    }

    /// Commits newest first that pass `filter`, skipping `offset`, at most `limit`.
    pub fn recent(&self, filter: &ChangeFilter, offset: usize, limit: usize) -> Vec<RecentChange> {
        // Which authors the filter names, decided once for each author, not for each commit.
        let named: Option<Vec<bool>> = filter.author.as_ref().map(|it| {
            let wanted = it.to_lowercase();
            self.authors
                .iter()
                .map(|person| {
                    person.name.to_lowercase().contains(&wanted) || person.email.to_lowercase().contains(&wanted)
                })
                .collect()
        });
        let wanted_paths: Option<Vec<u32>> = filter
            .paths
            .as_ref()
            .map(|paths| paths.iter().filter_map(|it| self.path_ids.get(it.as_str()).copied()).collect());
        self.commits
            .iter()
            .rev()
            .filter(|commit| named.as_ref().is_none_or(|named| named[commit.author as usize]))
            .filter(|commit| {
                filter.folder.as_ref().is_none_or(|folder| {
                    commit.paths.as_slice().iter().any(|it| self.paths[*it as usize].starts_with(folder))
                })
            })
            .filter(|commit| {
                wanted_paths.as_ref().is_none_or(|wanted| commit.paths.as_slice().iter().any(|it| wanted.contains(it)))
            })
            .filter_map(|commit| {
                let paths: Vec<String> = commit
                    .paths
                    .as_slice()
                    .iter()
                    .map(|it| &self.paths[*it as usize])
                    .filter(|path| filter.reader.as_ref().is_none_or(|reader| reader.can_read(path)))
                    .map(|path| path.to_string())
                    .collect();
                (!paths.is_empty() || commit.paths.as_slice().is_empty())
                    .then(|| RecentChange { commit: self.info(commit), paths })
            })
            .skip(offset)
            .take(limit)
            .collect()
    }

    /// Adds the commits between the indexed head and `new_head`. Rebuilds from scratch when `new_head` does
    /// not descend from the indexed head (history was rewritten outside Lore).
    pub fn catch_up(&mut self, store: &Store, new_head: ObjectId, progress: impl FnMut(usize)) -> Result<usize> {
        if self.head == Some(new_head) {
            return Ok(0);
        }
        if let Some(old_head) = self.head
            && !store.is_ancestor(old_head, new_head)?
        {
            *self = ChangeIndex::default();
        }
        self.version = FORMAT_VERSION;
        let mut walked = store.walk_changes(new_head, self.head, progress)?;
        let n_new = walked.len();
        // The walk is newest first; the index appends oldest first so `last()` is the newest change.
        walked.reverse();
        let first_new = self.commits.len();
        for commit in walked {
            self.push(commit);
        }
        if n_new > 1 {
            self.trim_lists_since(first_new);
        }
        self.head = Some(new_head);
        Ok(n_new)
    }

    /// Adds `commit`, whose only parent is `parent`, with its changes already read (by `Store::child_changes`,
    /// so exactly what `catch_up` would walk). Returns `false`, changing nothing, when the index is not at
    /// `parent`; `catch_up` then does the work.
    pub fn append_child(&mut self, parent: ObjectId, commit: CommitChanges) -> bool {
        if self.head != Some(parent) {
            return false;
        }
        self.head = Some(commit.info.id);
        self.push(commit);
        true
    }

    /// Writes the index to `file` (atomically: a temporary file renamed into place).
    pub fn save(&self, file: &Path) -> Result<()> {
        let bytes = postcard::to_stdvec(self)
            .map_err(|err| crate::Error::Repository(format!("encoding the change index: {err}")))?;
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let temporary = file.with_extension("tmp");
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, file)?;
        Ok(())
    }

    /// Reads an index written by `save`; `None` when it is missing, unreadable or of another version.
    pub fn load(file: &Path) -> Option<ChangeIndex> {
        let bytes = std::fs::read(file).ok()?;
        let mut index: ChangeIndex = postcard::from_bytes(&bytes).ok()?;
        if index.version != FORMAT_VERSION || index.by_path.len() != index.paths.len() {
            return None;
        }
        index.path_ids = index.paths.iter().enumerate().map(|(id, path)| (path.clone(), id as u32)).collect();
        index.commit_ids = index.commits.iter().enumerate().map(|(id, it)| (it.id, id as u32)).collect();
        index.author_ids = index.authors.iter().enumerate().map(|(id, it)| (it.clone(), id as u32)).collect();
        Some(index)
    }

    fn push(&mut self, commit: CommitChanges) {
        let position = u32::try_from(self.commits.len()).expect("fewer than 4 billion commits");
        let mut paths = Vec::with_capacity(commit.changes.len());
        for change in &commit.changes {
            let id = self.intern(&change.path);
            let renamed_from = change.renamed_from.as_deref().map(|it| self.intern(it));
            Arc::make_mut(&mut self.by_path[id as usize]).push(PathChange {
                commit: position,
                blob: change.blob,
                old_blob: change.old_blob,
                renamed_from,
            });
            paths.push(id);
        }
        let CommitInfo { id, author, time, message } = commit.info;
        let author = self.author_id(author);
        self.commit_ids.insert(id, position);
        self.commits.push_back(IndexedCommit { id, time, author, message: message.into(), paths: PathIds::new(paths) });
    }

    fn author_id(&mut self, author: Arc<Person>) -> u32 {
        if let Some(id) = self.author_ids.get(&author) {
            return *id;
        }
        let id = u32::try_from(self.authors.len()).expect("fewer than 4 billion authors");
        self.authors.push_back(author.clone());
        self.author_ids.insert(author, id);
        id
    }

    // A commit as requests read it.
    fn info(&self, commit: &IndexedCommit) -> Arc<CommitInfo> {
        Arc::new(CommitInfo {
            id: commit.id,
            author: self.authors[commit.author as usize].clone(),
            time: commit.time,
            message: commit.message.to_string(),
        })
    }

    // Gives back the spare room of the per-path lists the commits from position `first` on extended: a list
    // grows four entries at a time, and most paths change once or twice, so after a first index of a
    // 38,000-page wiki the spare room was 17 MiB. Only those lists: the others are shared with the index
    // requests read, and walking every path would copy the whole vector of lists for a push of two commits.
    fn trim_lists_since(&mut self, first: usize) {
        let touched: std::collections::BTreeSet<u32> =
            self.commits.iter().skip(first).flat_map(|it| it.paths.as_slice().iter().copied()).collect();
        for id in touched {
            if let Some(list) = Arc::get_mut(&mut self.by_path[id as usize]) {
                list.shrink_to_fit();
            }
        }
    }

    fn intern(&mut self, path: &str) -> u32 {
        if let Some(id) = self.path_ids.get(path) {
            return *id;
        }
        let id = u32::try_from(self.paths.len()).expect("fewer than 4 billion paths");
        let path: Arc<str> = path.into();
        self.paths.push_back(path.clone());
        self.by_path.push_back(Arc::new(Vec::new()));
        self.path_ids.insert(path, id);
        id
    }

    fn entry(&self, path: u32, change: &PathChange) -> HistoryEntry {
        HistoryEntry {
            commit: self.info(&self.commits[change.commit as usize]),
            path: self.paths[path as usize].to_string(),
            blob: change.blob,
            previous_blob: change.old_blob,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FileChange;

    // An object id of 40 times the hex digit `digit`.
    fn id(digit: char) -> ObjectId {
        digit.to_string().repeat(40).parse().unwrap()
    }

    // A commit by `name` at `time` changing `paths` (created), its id made of `digit`.
    fn commit(digit: char, name: &str, time: i64, paths: &[&str]) -> CommitChanges {
        CommitChanges {
            info: CommitInfo {
                id: id(digit),
                author: Arc::new(Person { name: name.into(), email: format!("{}@example.com", name.to_lowercase()) }),
                time,
                message: format!("Change {digit}\n\nby {name}"),
            },
            changes: paths
                .iter()
                .map(|path| FileChange {
                    path: (*path).into(),
                    blob: Some(id('f')),
                    old_blob: None,
                    renamed_from: None,
                })
                .collect(),
        }
    }

    #[test]
    fn authors_are_kept_once_and_commits_read_back_whole_after_a_save() {
        // As `catch_up` makes it.
        let mut index = ChangeIndex { version: FORMAT_VERSION, ..ChangeIndex::default() };
        index.push(commit('1', "Ann", 100, &["a.md"]));
        index.push(commit('2', "Bo", 200, &["a.md", "b.md"]));
        index.push(commit('3', "Ann", 300, &["b.md"]));
        index.push(commit('4', "Ann", 400, &[]));
        assert_eq!(index.authors.len(), 2, "three commits by Ann, one by Bo: two authors");
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("changes.bin");
        index.save(&file).unwrap();
        let read = ChangeIndex::load(&file).unwrap();
        for index in [&index, &read] {
            let history = index.history("a.md");
            let names: Vec<&str> = history.iter().map(|it| it.commit.author.name.as_str()).collect();
            assert_eq!(names, ["Bo", "Ann"]);
            assert_eq!(history[0].commit.message, "Change 2\n\nby Bo");
            assert_eq!(history[0].commit.time, 200);
            let recent = index.recent(&ChangeFilter { author: Some("ann@".into()), ..Default::default() }, 0, 10);
            let paths: Vec<Vec<String>> = recent.iter().map(|it| it.paths.clone()).collect();
            assert_eq!(paths, [vec![], vec!["b.md".to_string()], vec!["a.md".to_string()]]);
            let mut authors = index.authors();
            authors.sort();
            assert_eq!(
                authors,
                [("ann@example.com".into(), "Ann".into(), 3, 400), ("bo@example.com".into(), "Bo".into(), 1, 200)]
            );
            let after = index.commits_after(id('1'), 1).unwrap();
            assert_eq!(after[0].0.author.name, "Bo");
            assert_eq!(after[0].1.iter().map(|it| it.path.as_str()).collect::<Vec<_>>(), ["a.md", "b.md"]);
        }
        // A commit by an author the loaded index already knows adds no author, and the commits handed out share
        // the index's one copy of each author.
        let mut read = read;
        read.push(commit('5', "Bo", 500, &["c.md"]));
        assert_eq!(read.authors.len(), 2);
        let bo = read.recent(&ChangeFilter { author: Some("bo".into()), ..Default::default() }, 0, 10);
        assert_eq!(bo.len(), 2);
        assert!(Arc::ptr_eq(&bo[0].commit.author, &bo[1].commit.author));
        assert!(Arc::ptr_eq(&bo[0].commit.author, &read.history("a.md")[0].commit.author));
    }

    #[test]
    fn an_author_who_changed_their_name_is_listed_once_under_the_newest() {
        let mut index = ChangeIndex::default();
        let mut renamed = commit('2', "Ann", 200, &["b.md"]);
        renamed.info.author = Arc::new(Person { name: "Ann Lee".into(), email: "ANN@example.com".into() });
        index.push(commit('1', "Ann", 100, &["a.md"]));
        index.push(renamed);
        index.push(commit('3', "Bo", 300, &["b.md"]));
        let mut authors = index.authors();
        authors.sort();
        assert_eq!(
            authors,
            [("ann@example.com".into(), "Ann Lee".into(), 2, 200), ("bo@example.com".into(), "Bo".into(), 1, 300)]
        );
        // Only the commits a reader may see count.
        let visible = index.authors_of(|path| path == "a.md");
        assert_eq!(visible, [("ann@example.com".into(), "Ann".into(), 1, 100)]);
    }
}
