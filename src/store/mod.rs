//! Git storage: the only module that talks to `git2`.
//!
//! Reads blobs and trees straight from the object database at a commit (no working tree is ever
//! needed or touched), walks history, and commits edits by building trees in the object database and
//! moving the branch with compare-and-swap. Knows nothing about Markdown or HTTP.

mod bundle;

pub use bundle::{GitProgress, bundle_refs, create_bundle, housekeep, restore_bundle};

use parking_lot::Mutex;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use git2::{
    ErrorCode, FileMode, ObjectType, Oid, Repository, RepositoryInitOptions, Signature, Sort, TreeWalkMode,
    TreeWalkResult,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result};

mod merge;
mod pack;
mod trees;

pub use pack::{ObjectBundle, PackUpdate};

pub use merge::{MergeRun, merge_byte_runs, merge_runs, mine_text};

// libgit2's errors become the crate's here, so that only this module knows git2.
impl From<git2::Error> for Error {
    fn from(err: git2::Error) -> Error {
        Error::Git(err.message().to_string())
    }
}

/// A git object id (commit, tree or blob). Keeps `git2` types out of the layers above.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(Oid);

impl ObjectId {
    /// The first seven hex digits, as git shows them.
    pub fn short(&self) -> String {
        let mut res = self.0.to_string();
        res.truncate(7);
        res
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.0)
    }
}

impl FromStr for ObjectId {
    type Err = Error;

    /// Parses a full 40-digit hex id.
    fn from_str(text: &str) -> Result<ObjectId> {
        if text.len() != 40 || !text.bytes().all(|it| it.is_ascii_hexdigit()) {
            return Err(Error::bad_input(format!("not an object id: {:?}", text.chars().take(64).collect::<String>())));
        }
        Ok(ObjectId(Oid::from_str(text)?))
    }
}

// Hex in JSON; 20 raw bytes in Lore's binary index files.
impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(&self.0)
        } else {
            serializer.serialize_bytes(self.0.as_bytes())
        }
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<ObjectId, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            text.parse().map_err(serde::de::Error::custom)
        } else {
            let bytes = <Vec<u8>>::deserialize(deserializer)?;
            Oid::from_bytes(&bytes).map(ObjectId).map_err(serde::de::Error::custom)
        }
    }
}

/// A commit author.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    /// The identity Lore commits under when no person is involved (seeding the starter content).
    pub fn lore() -> Person {
        Person { name: "Lore".into(), email: "lore@localhost".into() }
    }

    /// A person from untrusted input: git cannot store `<`, `>` or line breaks in names and e-mails.
    pub fn checked(name: &str, email: &str) -> Result<Person> {
        let name = name.trim().to_string();
        let email = email.trim().to_string();
        let bad =
            |it: &str| it.is_empty() || it.len() > 200 || it.contains(['<', '>']) || it.chars().any(char::is_control);
        if bad(&name) {
            return Err(Error::bad_input("author name must be 1 to 200 characters without <, > or line breaks"));
        }
        if bad(&email) || !email.contains('@') {
            return Err(Error::bad_input("author email must look like name@example.com"));
        }
        Ok(Person { name, email })
    }
}

/// The facts about a commit that pages and history show.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: ObjectId,
    /// Shared: the change index keeps each author once, and the commits it hands out point to that copy.
    pub author: Arc<Person>,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// The whole commit message.
    pub message: String,
}

/// A file in a tree: its path and blob id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub blob: ObjectId,
}

/// One file's change between two trees; `blob` is `None` when the file was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub blob: Option<ObjectId>,
    /// The file's blob before the change; `None` when the change created it.
    pub old_blob: Option<ObjectId>,
    /// Where the file was before, when the change moved it (renames are detected in history walks and
    /// `child_changes`, not in `diff_commits`).
    pub renamed_from: Option<String>,
}

/// A commit with the files it changed against its first parent.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    pub info: CommitInfo,
    pub changes: Vec<FileChange>,
}

/// A folder whose tree object a commit added or changed against its first parent, with every entry that tree
/// object holds, as stored (duplicates and all): what a push brings, for validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFolder {
    /// The folder's path: `""` for the root, else ending in `/` (names that are not UTF-8 shown lossily).
    pub path: String,
    pub entries: Vec<FolderEntry>,
}

/// One entry of a folder's tree object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// The name as stored: git requires neither UTF-8 nor that it be a single path segment.
    pub name: Vec<u8>,
    /// Whether the first parent's folder at this path held no entry of this name.
    pub is_new: bool,
}

/// How a path fits into a commit's tree (see [`Store::path_fit`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PathFit {
    /// How many of the path's leading segments the tree holds, spelled exactly so.
    pub n_existing: usize,
    /// The path of an entry beside the first missing segment whose name differs from it only in letter case.
    pub case_twin: Option<String>,
}

/// One change to make in a commit.
#[derive(Debug, Clone)]
pub enum FileEdit {
    /// Create or replace the file at `path`.
    Write { path: String, content: Vec<u8> },
    /// Remove the file at `path`.
    Delete { path: String },
}

/// What happened to an attempted commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitAttempt {
    /// The branch now points at this new commit.
    Committed(ObjectId),
    /// The edits change nothing; no commit was made.
    Unchanged,
    /// The branch no longer points at the parent the commit was built on; nothing changed.
    HeadMoved,
}

/// A git repository and the branch Lore serves from it.
pub struct Store {
    repo_path: PathBuf,
    branch_ref: String,
    // `git2::Repository` is `Send` but not `Sync`: keep a few open handles and lend them out.
    pool: Mutex<HandlePool>,
    // The top folders the last commits wrote, as stored: the refresh after a save diffs them, and the next save
    // changes the last one, without libgit2 reading them back (see `trees::diff_stored`).
    written_trees: Mutex<std::collections::VecDeque<(Oid, Arc<[u8]>)>>,
    // The commit this process last moved the branch to (a save, or a replica's pull): a refresh that finds the
    // branch there follows this server's own write, not a change made outside it.
    moved_to: Mutex<Option<ObjectId>>,
}

/// The open repository handles nobody is using, and when one was last lent out or given back.
struct HandlePool {
    handles: Vec<Repository>,
    last_used: std::time::Instant,
}

impl HandlePool {
    fn of(repo: Repository) -> Mutex<HandlePool> {
        Mutex::new(HandlePool { handles: vec![repo], last_used: std::time::Instant::now() })
    }
}

/// How many top folders written by saves `Store` keeps (the last one and its parent).
const KEPT_WRITTEN_TREES: usize = 2;

/// The most libgit2 keeps of parsed objects (its default is 256 MiB). It checks the total but evicts from the
/// repository handle that is adding, so handles that walked history keep their share; 16 MiB instead of 32
/// kept 25 MiB fewer resident on the flat 10,000-page wiki at the same save time.
const GIT_OBJECT_CACHE_BYTES: isize = 16 * 1024 * 1024;

/// libgit2 maps packs in windows of this size (its default, 1 GiB, maps a whole pack at once) …
const PACK_WINDOW_BYTES: usize = 16 * 1024 * 1024;

/// … and unmaps the least recently used windows beyond this total (its default: 8 GiB). Every page of a pack
/// read since its window was mapped counts in the server's resident size: after viewing every page of the flat
/// 10,000-page wiki 73 MiB of its 145 MiB pack was resident, with these limits under 5 MiB, at the same view,
/// save and start times (`benches/page_views.py`). (Limiting the total alone, with whole-pack windows, made every
/// blob read map the pack anew: four times slower.) At 64 MiB the tldr-like wiki's 57 MB pack stayed mapped
/// whole after every page was viewed, until the idle handles were closed: 58–84 MiB file-backed, against 35 at
/// 32 MiB, with first views and cold views as fast.
const PACK_MAPPED_BYTES: usize = 32 * 1024 * 1024;

/// The largest folder (tree object) libgit2 keeps parsed: a folder of about 50,000 pages.
const GIT_CACHED_TREE_BYTES: usize = 2 * 1024 * 1024;

impl Store {
    /// Opens an existing repository (bare or not). `branch` defaults to the one HEAD names.
    pub fn open(repo_path: &Path, branch: Option<&str>) -> Result<Store> {
        // libgit2 re-hashes every object it reads with collision-detecting SHA-1; on a history walk that is
        // most of the time (a 20,000-commit index took 52 s instead of about 20). Lore reads objects from a
        // repository it trusts; `git fsck` remains the integrity check.
        static TRUST_OBJECTS: std::sync::Once = std::sync::Once::new();
        TRUST_OBJECTS.call_once(|| {
            git2::opts::strict_hash_verification(false);
            // libgit2 keeps up to 256 MiB of parsed objects for as long as the server runs. Lore caches what
            // it needs itself (snapshots, the change index), and blobs are never in that cache.
            // Its cache skips trees over 4 KiB, so the 10,000-entry folder of a flat wiki (400 KB) was read,
            // inflated and parsed again by every save, refresh and index update (several times per save).
            // SAFETY: set once, before any repository is opened by this process.
            let limits = unsafe {
                git2::opts::set_cache_max_size(GIT_OBJECT_CACHE_BYTES)
                    .and_then(|()| git2::opts::set_cache_object_limit(ObjectType::Tree, GIT_CACHED_TREE_BYTES))
            };
            if let Err(err) = limits {
                tracing::warn!(error = %err, "could not limit libgit2's caches");
            }
            // SAFETY: as above.
            let windows = unsafe {
                git2::opts::set_mwindow_size(PACK_WINDOW_BYTES)
                    .and_then(|()| git2::opts::set_mwindow_mapped_limit(PACK_MAPPED_BYTES))
            };
            if let Err(err) = windows {
                tracing::warn!(error = %err, "could not limit libgit2's pack mappings");
            }
        });
        let repo = Repository::open(repo_path)
            .map_err(|err| Error::Repository(format!("cannot open {}: {}", repo_path.display(), err.message())))?;
        let branch_ref = match branch {
            Some(name) if name.starts_with("refs/") => name.to_string(),
            Some(name) => format!("refs/heads/{name}"),
            None => {
                let head = repo.find_reference("HEAD")?;
                head.symbolic_target().ok().flatten().map(str::to_string).ok_or_else(|| {
                    Error::Repository("HEAD is detached; name the branch to serve with --branch".into())
                })?
            }
        };
        git2::Reference::is_valid_name(&branch_ref)
            .then_some(())
            .ok_or_else(|| Error::Repository(format!("invalid branch name {branch_ref:?}")))?;
        let repo_path = repo.path().to_path_buf();
        Ok(Store {
            repo_path,
            branch_ref,
            pool: HandlePool::of(repo),
            written_trees: Mutex::default(),
            moved_to: Mutex::default(),
        })
    }

    /// Opens the repository a git hook runs in, from git's environment (`GIT_DIR`, and the quarantine
    /// object directories of a push that is not accepted yet).
    pub fn open_from_env(branch_ref: &str) -> Result<Store> {
        let repo = Repository::open_from_env()?;
        let repo_path = repo.path().to_path_buf();
        Ok(Store {
            repo_path,
            branch_ref: branch_ref.to_string(),
            pool: HandlePool::of(repo),
            written_trees: Mutex::default(),
            moved_to: Mutex::default(),
        })
    }

    /// Creates a bare repository on branch `main` holding `files` as its first commit.
    pub fn create_seeded(repo_path: &Path, files: &[(String, Vec<u8>)], message: &str) -> Result<Store> {
        let mut options = RepositoryInitOptions::new();
        options.bare(true).initial_head("main").mkdir(true).no_reinit(true);
        Repository::init_opts(repo_path, &options)?;
        let store = Store::open(repo_path, Some("main"))?;
        let edits: Vec<FileEdit> = files
            .iter()
            .map(|(path, content)| FileEdit::Write { path: path.clone(), content: content.clone() })
            .collect();
        match store.commit(None, &edits, &Person::lore(), message)? {
            CommitAttempt::Committed(_) | CommitAttempt::Unchanged => Ok(store),
            CommitAttempt::HeadMoved => Err(Error::Repository("the new repository changed while seeding it".into())),
        }
    }

    /// The repository's git directory.
    pub fn git_dir(&self) -> &Path {
        &self.repo_path
    }

    /// The full name of the served branch, e.g. `refs/heads/main`.
    pub fn branch_ref(&self) -> &str {
        &self.branch_ref
    }

    /// The commit the branch points at, or `None` for a branch with no commits yet.
    pub fn head(&self) -> Result<Option<ObjectId>> {
        self.with_repo(|repo| match repo.refname_to_id(&self.branch_ref) {
            Ok(oid) => Ok(Some(ObjectId(oid))),
            Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
            Err(err) => Err(err.into()),
        })
    }

    /// Whether this process itself last moved the branch to `commit` (see `moved_to`).
    pub fn moved_here(&self, commit: ObjectId) -> bool {
        *self.moved_to.lock() == Some(commit)
    }

    pub(crate) fn note_moved_to(&self, commit: ObjectId) {
        *self.moved_to.lock() = Some(commit);
    }

    /// Every regular file in the commit's tree. Symbolic links and submodules are not content and are skipped.
    pub fn tree_files(&self, commit: ObjectId) -> Result<Vec<TreeFile>> {
        self.with_repo(|repo| {
            let tree = repo.find_commit(commit.0)?.tree()?;
            let mut res = Vec::new();
            tree.walk(TreeWalkMode::PreOrder, |folder, entry| {
                if entry.kind() == Some(ObjectType::Blob)
                    && is_regular_file(entry.filemode())
                    && let Ok(name) = entry.name()
                {
                    res.push(TreeFile { path: format!("{folder}{name}"), blob: ObjectId(entry.id()) });
                }
                TreeWalkResult::Ok
            })?;
            Ok(res)
        })
    }

    /// The files that differ between two commits' trees. A move shows as a delete and an add.
    pub fn diff_commits(&self, old: ObjectId, new: ObjectId) -> Result<Vec<FileChange>> {
        self.with_repo(|repo| {
            let old_tree = repo.find_commit(old.0)?.tree()?;
            let new_tree = repo.find_commit(new.0)?.tree()?;
            diff_trees(repo, Some(&old_tree), &new_tree, Renames::Ignore)
        })
    }

    /// The commits reachable from `new` but not from `known`, newest first, each with its changed files.
    pub fn walk_changes(
        &self,
        new: ObjectId,
        known: Option<ObjectId>,
        progress: impl FnMut(usize),
    ) -> Result<Vec<CommitChanges>> {
        self.walk_changes_hiding(new, known.as_slice(), progress)
    }

    /// The ids of the commits reachable from `new` but not from `old`: what a push brought.
    pub fn commits_between(&self, old: Option<ObjectId>, new: ObjectId) -> Result<Vec<ObjectId>> {
        self.with_repo(|repo| {
            let mut walk = repo.revwalk()?;
            walk.push(new.0)?;
            if let Some(old) = old {
                walk.hide(old.0)?;
            }
            walk.map(|it| Ok(ObjectId(it?))).collect()
        })
    }

    /// How many commits are reachable from `new` but not from `old` (all of `new`'s history when `old` is
    /// `None` or unknown), counted up to `limit`: a bounded walk, for metrics.
    pub fn count_commits_between(&self, old: Option<ObjectId>, new: ObjectId, limit: usize) -> Result<usize> {
        self.with_repo(|repo| {
            let mut walk = repo.revwalk()?;
            walk.push(new.0)?;
            if let Some(old) = old {
                // A commit this repository lacks (rewritten history) hides nothing.
                let _ = walk.hide(old.0);
            }
            let mut n = 0;
            for commit in walk.take(limit) {
                commit?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// The commits reachable from `new` but from none of `known`, newest first, with their changed files.
    pub fn walk_changes_hiding(
        &self,
        new: ObjectId,
        known: &[ObjectId],
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<CommitChanges>> {
        self.with_repo(|repo| {
            let mut walk = repo.revwalk()?;
            walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
            walk.push(new.0)?;
            for known in known {
                walk.hide(known.0)?;
            }
            let mut res = Vec::new();
            for oid in walk {
                let commit = repo.find_commit(oid?)?;
                res.push(CommitChanges { info: commit_info(&commit), changes: changes_against_parent(repo, &commit)? });
                progress(res.len());
            }
            Ok(res)
        })
    }

    /// `commit` with its changed files, as `walk_changes` would find it, when its only parent is `parent` (the
    /// branch moved by one ordinary commit); `None` for any other commit. Its diff is then at once the diff
    /// between the two heads and the whole walk between them.
    pub fn child_changes(&self, parent: ObjectId, commit: ObjectId) -> Result<Option<CommitChanges>> {
        self.with_repo(|repo| {
            let commit = repo.find_commit(commit.0)?;
            if commit.parent_count() != 1 || commit.parent_id(0)? != parent.0 {
                return Ok(None);
            }
            let tree = commit.tree_id();
            let parent_tree = repo.find_commit(parent.0)?.tree_id();
            let (old_stored, new_stored) = (self.written_tree(parent_tree), self.written_tree(tree));
            let changes =
                match trees::diff_stored(repo, (parent_tree, old_stored.as_deref()), (tree, new_stored.as_deref()))? {
                    Some(changes) => changes,
                    None => libgit2_changes_against_parent(repo, &commit)?,
                };
            Ok(Some(CommitChanges { info: commit_info(&commit), changes }))
        })
    }

    /// The commits every branch and tag points at (what a repository already holds).
    pub fn ref_tips(&self) -> Result<Vec<ObjectId>> {
        self.with_repo(|repo| {
            let mut res = Vec::new();
            for reference in repo.references()? {
                if let Ok(commit) = reference?.peel_to_commit() {
                    res.push(ObjectId(commit.id()));
                }
            }
            Ok(res)
        })
    }

    /// The commits reachable from `new` but from none of `known`: what a push brings.
    pub fn new_commits(&self, new: ObjectId, known: &[ObjectId]) -> Result<Vec<ObjectId>> {
        self.with_repo(|repo| {
            let mut walk = repo.revwalk()?;
            walk.push(new.0)?;
            for known in known {
                walk.hide(known.0)?;
            }
            walk.map(|it| Ok(ObjectId(it?))).collect()
        })
    }

    /// The folders `commit` added or changed against its first parent (every folder, for a root commit), each
    /// with its tree object's entries as stored. A (new tree, old tree) pair already in `visited` is skipped,
    /// and each one walked is added: a push reads each changed tree once, however many commits or paths share
    /// it (a tree naming one subtree many times cannot make the walk explode).
    pub fn changed_folders(
        &self,
        commit: ObjectId,
        visited: &mut HashSet<(ObjectId, Option<ObjectId>)>,
    ) -> Result<Vec<ChangedFolder>> {
        self.with_repo(|repo| {
            let commit = repo.find_commit(commit.0)?;
            let old_root = match commit.parent(0) {
                Ok(parent) => Some(parent.tree_id()),
                Err(_) => None,
            };
            let mut res = Vec::new();
            // An explicit stack, not recursion: a pushed tree may nest deeper than the hook's stack.
            let mut pending: Vec<(Vec<u8>, Oid, Option<Oid>)> = vec![(Vec::new(), commit.tree_id(), old_root)];
            while let Some((prefix, new_id, old_id)) = pending.pop() {
                if Some(new_id) == old_id || !visited.insert((ObjectId(new_id), old_id.map(ObjectId))) {
                    continue;
                }
                let new_tree = repo.find_tree(new_id)?;
                let old_tree = old_id.map(|it| repo.find_tree(it)).transpose()?;
                // By name, not by libgit2's lookup: its binary search assumes a well-formed tree.
                let old_entries: HashMap<Vec<u8>, (Oid, bool)> = old_tree
                    .iter()
                    .flat_map(|tree| tree.iter())
                    .map(|entry| (entry.name_bytes().to_vec(), (entry.id(), is_folder(&entry))))
                    .collect();
                let mut entries = Vec::with_capacity(new_tree.len());
                for entry in new_tree.iter() {
                    let before = old_entries.get(entry.name_bytes());
                    entries.push(FolderEntry { name: entry.name_bytes().to_vec(), is_new: before.is_none() });
                    if is_folder(&entry) {
                        let old_subtree = before.filter(|(_, was_folder)| *was_folder).map(|(id, _)| *id);
                        pending.push(([&prefix[..], entry.name_bytes(), b"/"].concat(), entry.id(), old_subtree));
                    }
                }
                res.push(ChangedFolder { path: String::from_utf8_lossy(&prefix).into_owned(), entries });
            }
            Ok(res)
        })
    }

    /// How `path` fits into `commit`'s tree (an empty tree for `None`): how many leading segments exist as
    /// spelled, and an entry beside the first missing one that differs from it only in letter case.
    pub fn path_fit(&self, commit: Option<ObjectId>, path: &str) -> Result<PathFit> {
        let Some(commit) = commit else { return Ok(PathFit::default()) };
        self.with_repo(|repo| {
            let mut tree = repo.find_commit(commit.0)?.tree()?;
            let mut prefix = String::new();
            let segments: Vec<&str> = path.split('/').collect();
            for (i, segment) in segments.iter().enumerate() {
                let lower = segment.to_lowercase();
                let next = match tree.get_name(segment) {
                    Some(entry) if i + 1 < segments.len() && is_folder(&entry) => repo.find_tree(entry.id())?,
                    Some(_) => return Ok(PathFit { n_existing: i + 1, case_twin: None }),
                    None => {
                        let twin = tree
                            .iter()
                            .filter_map(|entry| entry.name().ok().map(str::to_string))
                            .find(|name| name.to_lowercase() == lower);
                        return Ok(PathFit { n_existing: i, case_twin: twin.map(|name| format!("{prefix}{name}")) });
                    }
                };
                prefix.push_str(segment);
                prefix.push('/');
                tree = next;
            }
            Ok(PathFit { n_existing: segments.len(), case_twin: None })
        })
    }

    /// Whether the served branch is checked out in a working tree (a non-bare repository).
    pub fn branch_is_checked_out(&self) -> Result<bool> {
        self.with_repo(|repo| {
            let head = repo.find_reference("HEAD")?;
            Ok(repo.workdir().is_some() && head.symbolic_target().ok().flatten() == Some(self.branch_ref.as_str()))
        })
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        self.with_repo(|repo| Ok(repo.graph_descendant_of(descendant.0, ancestor.0)?))
    }

    /// The commit's first parent, if it has one.
    pub fn first_parent(&self, commit: ObjectId) -> Result<Option<ObjectId>> {
        self.with_repo(|repo| Ok(repo.find_commit(commit.0)?.parent_id(0).ok().map(ObjectId)))
    }

    /// The files a commit changed against its first parent (renames detected).
    pub fn commit_changes(&self, commit: ObjectId) -> Result<Vec<FileChange>> {
        self.with_repo(|repo| changes_against_parent(repo, &repo.find_commit(commit.0)?))
    }

    /// The facts about one commit.
    pub fn commit_info(&self, commit: ObjectId) -> Result<CommitInfo> {
        self.with_repo(|repo| Ok(commit_info(&repo.find_commit(commit.0)?)))
    }

    /// The commit a user-given revision names: a full or abbreviated (4+ digits) hex commit id.
    /// Other revision syntax (`HEAD~2`, `@{...}`) is refused so requests cannot probe refs.
    pub fn resolve_commit(&self, revision: &str) -> Result<ObjectId> {
        let revision = revision.trim();
        if !(4..=40).contains(&revision.len()) || !revision.bytes().all(|it| it.is_ascii_hexdigit()) {
            return Err(Error::bad_input("a revision must be a commit id (4 to 40 hex digits)"));
        }
        self.with_repo(|repo| {
            let object = repo.revparse_single(revision).map_err(|err| match err.code() {
                ErrorCode::NotFound | ErrorCode::Ambiguous | ErrorCode::InvalidSpec => {
                    Error::NotFound(format!("no commit {revision} in this repository"))
                }
                _ => err.into(),
            })?;
            let commit = object.peel_to_commit().map_err(|_| Error::NotFound(format!("{revision} is not a commit")))?;
            Ok(ObjectId(commit.id()))
        })
    }

    /// A blob's content.
    pub fn read_blob(&self, blob: ObjectId) -> Result<Vec<u8>> {
        self.with_repo(|repo| Ok(repo.find_blob(blob.0)?.content().to_vec()))
    }

    /// A blob's size in bytes, read from its header without loading it.
    pub fn blob_size(&self, blob: ObjectId) -> Result<u64> {
        self.with_repo(|repo| Ok(repo.odb()?.read_header(blob.0)?.0 as u64))
    }

    /// The blob at `path` in a commit's tree, if that path is a regular file there.
    pub fn blob_at(&self, commit: ObjectId, path: &str) -> Result<Option<ObjectId>> {
        self.with_repo(|repo| {
            let tree = repo.find_commit(commit.0)?.tree()?;
            match tree.get_path(Path::new(path)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Blob) && is_regular_file(entry.filemode()) => {
                    Ok(Some(ObjectId(entry.id())))
                }
                Ok(_) => Ok(None),
                Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
                Err(err) => Err(err.into()),
            }
        })
    }

    /// Writes a blob into the object database (without committing it) and returns its id.
    pub fn write_blob(&self, content: &[u8]) -> Result<ObjectId> {
        self.with_repo(|repo| Ok(ObjectId(repo.blob(content)?)))
    }

    /// Builds a commit of `edits` on top of `parent` and moves the branch to it only if the branch still
    /// points at `parent` (compare-and-swap). `parent == None` means the branch must not exist yet.
    pub fn commit(
        &self,
        parent: Option<ObjectId>,
        edits: &[FileEdit],
        author: &Person,
        message: &str,
    ) -> Result<CommitAttempt> {
        self.with_repo(|repo| {
            let parent_commit = parent.map(|it| repo.find_commit(it.0)).transpose()?;
            let base_tree = parent_commit.as_ref().map(git2::Commit::tree_id);
            let mut changes = Vec::with_capacity(edits.len());
            for edit in edits {
                match edit {
                    FileEdit::Write { path, content } => changes.push((path.as_str(), Some(repo.blob(content)?))),
                    FileEdit::Delete { path } => changes.push((path.as_str(), None)),
                }
            }
            let base_stored = base_tree.and_then(|it| self.written_tree(it));
            let base = base_tree.map(|it| (it, base_stored.as_deref()));
            let (tree_id, written) = trees::update_tree(repo, &repo.path().join("objects"), base, &changes)?;
            if Some(tree_id) == base_tree {
                return Ok(CommitAttempt::Unchanged);
            }
            if let Some(written) = written {
                let mut kept = self.written_trees.lock();
                if kept.len() == KEPT_WRITTEN_TREES {
                    kept.pop_front();
                }
                kept.push_back((tree_id, written.into()));
            }
            let signature = Signature::now(&author.name, &author.email)?;
            let parents: Vec<Oid> = parent_commit.iter().map(git2::Commit::id).collect();
            let commit_id = write_commit(repo, tree_id, &parents, &signature, message)?;
            let log_message = format!("lore: {}", message.lines().next().unwrap_or_default());
            let moved = match parent {
                Some(parent) => repo.reference_matching(&self.branch_ref, commit_id, true, parent.0, &log_message),
                None => repo.reference(&self.branch_ref, commit_id, false, &log_message),
            };
            match moved {
                Ok(_) => {
                    self.note_moved_to(ObjectId(commit_id));
                    Ok(CommitAttempt::Committed(ObjectId(commit_id)))
                }
                // Another writer moved (or is moving) the branch: the caller rebuilds on the new head.
                Err(err)
                    if matches!(
                        err.code(),
                        ErrorCode::Modified | ErrorCode::Locked | ErrorCode::Exists | ErrorCode::NotFound
                    ) =>
                {
                    Ok(CommitAttempt::HeadMoved)
                }
                Err(err) => Err(err.into()),
            }
        })
    }

    // A top folder a save wrote, as stored, if it is one of the last.
    fn written_tree(&self, id: Oid) -> Option<Arc<[u8]>> {
        self.written_trees.lock().iter().find(|(kept, _)| *kept == id).map(|(_, stored)| stored.clone())
    }

    /// Closes the repository handles nobody is using; the next read opens one anew (a fraction of a
    /// millisecond). For after a read of everything: a walk of the whole history (the change index's first
    /// build) or of every page (a search rebuild) leaves the handles it used holding their share of libgit2's
    /// object cache and delta-base caches full of old folders, and libgit2 keeps every pack mapped while any
    /// handle has it open, so the pages the walk read stayed in the server's resident size: on the flat
    /// 10,000-page wiki, 30 MiB of caches and 145 MiB of pack. Handles in use are kept when they come back.
    pub fn close_idle_handles(&self) {
        self.close_handles_idle_for(std::time::Duration::ZERO);
    }

    /// Closes the repository handles nobody is using if none was lent out or given back for `idle`; says
    /// whether it closed any. A burst of reads (first views of many pages, a run of saves) fills the handles'
    /// caches, the delta bases above all (up to 16 MiB per pack, and a fixed size in libgit2): closed once the
    /// burst is over, their memory is free again within seconds.
    pub fn close_handles_idle_for(&self, idle: std::time::Duration) -> bool {
        let handles = {
            let mut pool = self.pool.lock();
            if pool.handles.is_empty() || pool.last_used.elapsed() < idle {
                return false;
            }
            std::mem::take(&mut pool.handles)
        };
        drop(handles);
        true
    }

    fn with_repo<T>(&self, work: impl FnOnce(&Repository) -> Result<T>) -> Result<T> {
        let pooled = {
            let mut pool = self.pool.lock();
            pool.last_used = std::time::Instant::now();
            pool.handles.pop()
        };
        let repo = match pooled {
            Some(repo) => repo,
            None => Repository::open_bare(&self.repo_path).or_else(|_| Repository::open(&self.repo_path))?,
        };
        let res = work(&repo);
        let mut pool = self.pool.lock();
        pool.last_used = std::time::Instant::now();
        if pool.handles.len() < MAX_POOLED_REPOSITORIES {
            pool.handles.push(repo);
        }
        res
    }
}

// Writes the commit object that `git_commit_create` writes, from the tree's id alone: libgit2's own takes the
// tree parsed, and reading back the tree just written was a tenth of a save in a 10,000-page folder (400 KB
// to inflate and parse).
fn write_commit(repo: &Repository, tree: Oid, parents: &[Oid], signature: &Signature, message: &str) -> Result<Oid> {
    let mut person = Vec::with_capacity(128);
    person.extend_from_slice(signature.name_bytes());
    person.extend_from_slice(b" <");
    person.extend_from_slice(signature.email_bytes());
    let when = signature.when();
    let offset = when.offset_minutes().unsigned_abs();
    let sign = if when.offset_minutes() < 0 { '-' } else { '+' };
    person.extend_from_slice(format!("> {} {sign}{:02}{:02}", when.seconds(), offset / 60, offset % 60).as_bytes());
    let mut object = Vec::with_capacity(256 + message.len());
    object.extend_from_slice(format!("tree {tree}\n").as_bytes());
    for parent in parents {
        object.extend_from_slice(format!("parent {parent}\n").as_bytes());
    }
    for role in ["author ", "committer "] {
        object.extend_from_slice(role.as_bytes());
        object.extend_from_slice(&person);
        object.push(b'\n');
    }
    object.push(b'\n');
    object.extend_from_slice(message.as_bytes());
    Ok(repo.odb()?.write(ObjectType::Commit, &object)?)
}

/// The id git gives `content` as a blob, computed without touching any repository.
pub fn hash_blob(content: &[u8]) -> ObjectId {
    ObjectId(Oid::hash_object(ObjectType::Blob, content).expect("hashing a blob in memory cannot fail"))
}

/// The result of a three-way merge of one file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMerge {
    /// Whether the merge had no conflicts.
    pub clean: bool,
    /// The merged text (with conflict markers when not clean).
    pub content: Vec<u8>,
}

/// A three-way merge of one file's text, line by line as git does it: the changes from `base` to `ours`
/// and to `theirs`, combined; overlapping or touching changes give conflict markers and `clean: false`.
///
/// libgit2's `git_merge_file` (1.9) fails outright on some ordinary conflicts ("no error", -1), and diffy's
/// merge takes time that grows with the square of a page whose every line changed, so this is Lore's own
/// ([`merge_byte_runs`]), with a deadline on its diffs.
pub fn merge_text(base: &[u8], ours: &[u8], theirs: &[u8]) -> TextMerge {
    let mut res = TextMerge { clean: true, content: Vec::with_capacity(ours.len().max(theirs.len())) };
    for run in merge_byte_runs(base, ours, theirs) {
        match run {
            MergeRun::Agreed(text) => res.content.extend(text),
            MergeRun::Conflict { mine, theirs, .. } => {
                res.clean = false;
                for (marker, text) in [("<<<<<<< ours\n", mine), ("=======\n", theirs)] {
                    res.content.extend(marker.as_bytes());
                    res.content.extend(&text);
                    if !text.is_empty() && !text.ends_with(b"\n") {
                        res.content.push(b'\n');
                    }
                }
                res.content.extend(b">>>>>>> theirs\n");
            }
        }
    }
    res
}

const MAX_POOLED_REPOSITORIES: usize = 16;

fn is_regular_file(mode: i32) -> bool {
    mode == i32::from(FileMode::Blob) || mode == i32::from(FileMode::BlobExecutable)
}

// By mode, as git decides what a checkout makes of an entry.
fn is_folder(entry: &git2::TreeEntry<'_>) -> bool {
    entry.filemode() == i32::from(FileMode::Tree)
}

fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    let author = commit.author();
    CommitInfo {
        id: ObjectId(commit.id()),
        author: Arc::new(Person {
            name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        }),
        time: author.when().seconds(),
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
    }
}

// The files a commit changed against its first parent (everything, for a root commit), renames detected.
fn changes_against_parent(repo: &Repository, commit: &git2::Commit<'_>) -> Result<Vec<FileChange>> {
    // Most commits change files in folders both sides have: a walk of the two folders as stored answers those
    // without libgit2 parsing either.
    if let Ok(parent) = commit.parent(0)
        && let Some(changes) = trees::diff_stored(repo, (parent.tree_id(), None), (commit.tree_id(), None))?
    {
        return Ok(changes);
    }
    libgit2_changes_against_parent(repo, commit)
}

// A commit's changes against its first parent by libgit2's diff, which also finds moves.
fn libgit2_changes_against_parent(repo: &Repository, commit: &git2::Commit<'_>) -> Result<Vec<FileChange>> {
    let parent_tree = match commit.parent(0) {
        Ok(parent) => Some(parent.tree()?),
        Err(_) => None,
    };
    diff_trees(repo, parent_tree.as_ref(), &commit.tree()?, Renames::Detect)
}

/// Top folders with more entries than this are diffed by libgit2 alone (see `diff_trees`).
const FLAT_TREE_ENTRIES: usize = 2_000;

/// Whether history walks look for moved files (costs a similarity check on commits that add and delete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renames {
    Detect,
    Ignore,
}

fn diff_trees(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    renames: Renames,
) -> Result<Vec<FileChange>> {
    // libgit2 compares two trees file by file and reads every subtree of both, even the identical ones (a save
    // in a 10,000-page wiki read and inflated all its folders twice). Only subtrees whose ids differ can hold
    // changes, so the diff is limited to the paths where the trees differ, found by descending only into those.
    let mut options = git2::DiffOptions::new();
    // A flat wiki (thousands of pages in the top folder) has few folders to skip, and walking its big top
    // folder first only doubles the work: libgit2's own diff is faster there.
    if let Some(old) = old.filter(|old| old.len().max(new.len()) <= FLAT_TREE_ENTRIES) {
        let mut differing = Vec::new();
        let n_skipped = differing_paths(repo, old, new, b"", &mut differing)?;
        if differing.is_empty() {
            return Ok(Vec::new());
        }
        // Literal paths, not patterns: libgit2 then walks only these. When no identical folder was skipped
        // (a flat wiki), a list of paths saves libgit2 nothing and only costs it matching.
        if n_skipped > 0 {
            options.disable_pathspec_match(true);
            for path in differing {
                options.pathspec(path);
            }
        }
    }
    file_changes(repo.diff_tree_to_tree(old, Some(new), Some(&mut options))?, renames)
}

// Collects the paths (below `prefix`) where `old` and `new` differ: entries on one side only, or whose id or
// mode differ; where both sides hold a subtree, the paths inside it instead. Identical subtrees are skipped
// without being read (the answer counts them). Both trees are walked side by side in git's order, like `git diff-tree` does: looking
// each entry up by name instead costs a binary search and an allocation per entry, which on a flat 10,000-page
// folder made history walks three times slower than libgit2's whole diff.
fn differing_paths(
    repo: &Repository,
    old: &git2::Tree<'_>,
    new: &git2::Tree<'_>,
    prefix: &[u8],
    res: &mut Vec<Vec<u8>>,
) -> Result<usize> {
    let is_tree = |entry: &git2::TreeEntry<'_>| entry.kind() == Some(ObjectType::Tree);
    let mut n_skipped = 0;
    // A folder is named with its trailing slash: it then sorts where git walks it (`a.md` < `a/` < `a0`), which
    // libgit2's walk over a list of paths relies on.
    let path = |entry: &git2::TreeEntry<'_>| {
        let slash: &[u8] = if is_tree(entry) { b"/" } else { b"" };
        [prefix, entry.name_bytes(), slash].concat()
    };
    let mut olds = old.iter().peekable();
    let mut news = new.iter().peekable();
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => return Ok(n_skipped),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(before), Some(after)) => {
                git_entry_order(before.name_bytes(), is_tree(before), after.name_bytes(), is_tree(after))
            }
        };
        match order {
            // Only in the old tree (a file that became a folder, or the reverse, is one of each).
            Ordering::Less => res.push(path(&olds.next().expect("peeked"))),
            Ordering::Greater => res.push(path(&news.next().expect("peeked"))),
            Ordering::Equal => {
                let (before, after) = (olds.next().expect("peeked"), news.next().expect("peeked"));
                if before.id() == after.id() && before.filemode() == after.filemode() {
                    n_skipped += usize::from(is_tree(&after));
                    continue;
                }
                if is_tree(&before) && is_tree(&after) {
                    let (old_subtree, new_subtree) = (repo.find_tree(before.id())?, repo.find_tree(after.id())?);
                    let inside = [prefix, after.name_bytes(), b"/"].concat();
                    n_skipped += differing_paths(repo, &old_subtree, &new_subtree, &inside, res)?;
                } else {
                    res.push(path(&after));
                }
            }
        }
    }
}

// git's order of tree entries: by name, a folder compared as if its name ended in `/`.
fn git_entry_order(a: &[u8], a_is_tree: bool, b: &[u8], b_is_tree: bool) -> Ordering {
    let common = a.len().min(b.len());
    a[..common].cmp(&b[..common]).then_with(|| {
        let next = |name: &[u8], is_tree: bool| match name.get(common) {
            Some(byte) => u16::from(*byte),
            None if is_tree => u16::from(b'/'),
            None => 0,
        };
        next(a, a_is_tree).cmp(&next(b, b_is_tree))
    })
}

// The changes of a libgit2 diff, one per file; a rename becomes the delete of the old path and the add of the
// new one, which names the old.
fn file_changes(mut diff: git2::Diff<'_>, renames: Renames) -> Result<Vec<FileChange>> {
    if renames == Renames::Detect {
        let deltas = || diff.deltas();
        let adds = deltas().any(|it| it.status() == git2::Delta::Added);
        let deletes = deltas().any(|it| it.status() == git2::Delta::Deleted);
        if adds && deletes {
            // Lore's own moves edit the front matter (aliases), so exact-match renames are not enough.
            diff.find_similar(Some(git2::DiffFindOptions::new().renames(true).rename_threshold(50)))?;
        }
    }
    let mut res = Vec::with_capacity(diff.deltas().len());
    let file_id = |file: &git2::DiffFile<'_>| {
        (!file.id().is_zero() && is_regular_file(i32::from(file.mode()))).then(|| ObjectId(file.id()))
    };
    for delta in diff.deltas() {
        let (new_file, old_file) = (delta.new_file(), delta.old_file());
        let new_path = new_file.path().and_then(Path::to_str);
        let old_path = old_file.path().and_then(Path::to_str);
        if delta.status() == git2::Delta::Renamed {
            let (Some(new_path), Some(old_path)) = (new_path, old_path) else { continue };
            res.push(FileChange {
                path: old_path.to_string(),
                blob: None,
                old_blob: file_id(&old_file),
                renamed_from: None,
            });
            res.push(FileChange {
                path: new_path.to_string(),
                blob: file_id(&new_file),
                old_blob: file_id(&old_file),
                renamed_from: Some(old_path.to_string()),
            });
            continue;
        }
        if let Some(path) = new_path.or(old_path) {
            res.push(FileChange {
                path: path.to_string(),
                blob: file_id(&new_file),
                old_blob: file_id(&old_file),
                renamed_from: None,
            });
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn housekeeping_packs_a_repositorys_many_loose_objects_and_it_still_reads() {
        let folder = tempfile::tempdir().unwrap();
        let files: Vec<(String, Vec<u8>)> =
            (0..2_500).map(|i| (format!("p{i}.md"), format!("# Page {i}\n").into_bytes())).collect();
        let store = Store::create_seeded(&folder.path().join("repo.git"), &files, "Many pages").unwrap();
        let loose = || {
            let objects = store.git_dir().join("objects");
            let folders = std::fs::read_dir(&objects).unwrap().flatten();
            let fanned = folders.filter(|it| it.file_name().len() == 2).map(|it| it.path());
            fanned.map(|it| std::fs::read_dir(it).unwrap().count()).sum::<usize>()
        };
        assert!(loose() > 2_000, "{} loose objects", loose());
        housekeep(store.git_dir()).unwrap();
        // Only the empty folder the first commit was built from stays loose: git keeps recent unreachable
        // objects for two weeks.
        assert!(loose() <= 1, "{} objects stay loose", loose());
        let head = store.head().unwrap().unwrap();
        let blob = store.blob_at(head, "p7.md").unwrap().unwrap();
        assert_eq!(store.read_blob(blob).unwrap(), b"# Page 7\n");
        // Below git's threshold it only counts.
        housekeep(store.git_dir()).unwrap();
    }

    // A new repository whose first commit, `message`, holds one page `a.md`; the folder holds it.
    fn store_of_one_page(message: &str) -> (tempfile::TempDir, Store) {
        let folder = tempfile::tempdir().unwrap();
        let files = vec![("a.md".to_string(), b"# A\n".to_vec())];
        let store = Store::create_seeded(&folder.path().join("repo.git"), &files, message).unwrap();
        (folder, store)
    }

    #[test]
    fn handles_close_only_once_no_read_used_one_for_the_idle_time() {
        use std::time::Duration;
        let (_folder, store) = store_of_one_page("One page");
        let head = store.head().unwrap().unwrap();
        let pooled = || store.pool.lock().handles.len();
        assert_eq!(pooled(), 1);
        assert!(!store.close_handles_idle_for(Duration::from_secs(3_600)), "a read just used it");
        assert_eq!(pooled(), 1);
        std::thread::sleep(Duration::from_millis(30));
        assert!(store.close_handles_idle_for(Duration::from_millis(20)));
        assert_eq!(pooled(), 0);
        assert!(!store.close_handles_idle_for(Duration::ZERO), "none left to close");
        // The next read opens a handle anew, and gives it back to the pool.
        let blob = store.blob_at(head, "a.md").unwrap().unwrap();
        assert_eq!(store.read_blob(blob).unwrap(), b"# A\n");
        assert_eq!(pooled(), 1);
        assert!(!store.close_handles_idle_for(Duration::from_secs(3_600)));
    }

    #[test]
    fn the_store_knows_a_head_it_moved_from_one_moved_outside_it() {
        let (_folder, store) = store_of_one_page("First");
        let first = store.head().unwrap().unwrap();
        let edit = |content: &[u8]| vec![FileEdit::Write { path: "a.md".into(), content: content.to_vec() }];
        let CommitAttempt::Committed(saved) =
            store.commit(Some(first), &edit(b"# A2\n"), &Person::lore(), "Save").unwrap()
        else {
            panic!("the save commits");
        };
        assert!(store.moved_here(saved));
        // Another process (a push over SSH, `git commit`) moves the branch on.
        let outside = Store::open(store.git_dir(), None).unwrap();
        let CommitAttempt::Committed(pushed) =
            outside.commit(Some(saved), &edit(b"# A3\n"), &Person::lore(), "Outside").unwrap()
        else {
            panic!("the outside commit commits");
        };
        assert_eq!(store.head().unwrap(), Some(pushed));
        assert!(!store.moved_here(pushed));
    }

    #[test]
    fn a_bundle_holds_every_ref_and_leaves_nothing_else_behind() {
        let (folder, store) = store_of_one_page("One page");
        let head = store.head().unwrap().unwrap();
        let repo = Repository::open(store.git_dir()).unwrap();
        repo.reference("refs/heads/other", head.0, false, "a second branch").unwrap();
        let backup = folder.path().join("backup");
        std::fs::create_dir(&backup).unwrap();
        let bundle = backup.join("wiki.bundle");
        create_bundle(store.git_dir(), &bundle, GitProgress::Quiet).unwrap();
        // The still copy of the refs that git bundled from is gone.
        let left: Vec<_> = std::fs::read_dir(&backup).unwrap().flatten().map(|it| it.file_name()).collect();
        assert_eq!(left, [std::ffi::OsString::from("wiki.bundle")]);
        let mut refs = bundle_refs(&bundle).unwrap();
        refs.sort_by(|a, b| a.0.cmp(&b.0));
        let names: Vec<&str> = refs.iter().map(|it| it.0.as_str()).collect();
        assert_eq!(names, ["HEAD", "refs/heads/main", "refs/heads/other"]);
        assert!(refs.iter().all(|it| it.1 == head));
        let restored = folder.path().join("restored.git");
        restore_bundle(&bundle, &restored, "refs/heads/main", GitProgress::Quiet).unwrap();
        let restored = Store::open(&restored, Some("main")).unwrap();
        let blob = restored.blob_at(head, "a.md").unwrap().unwrap();
        assert_eq!(restored.read_blob(blob).unwrap(), b"# A\n");
    }

    #[test]
    fn commits_are_written_byte_for_byte_as_libgit2_writes_them() {
        let folder = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(folder.path()).unwrap();
        let tree = repo.find_tree(repo.treebuilder(None).unwrap().write().unwrap()).unwrap();
        let root = repo
            .commit(
                None,
                &Signature::now("Ann", "ann@example.com").unwrap(),
                &Signature::now("Ann", "ann@example.com").unwrap(),
                "Root\n",
                &tree,
                &[],
            )
            .unwrap();
        for (offset, message) in [(0, "Plain\n"), (330, "East of Greenwich"), (-480, "Múltiplas linhas\n\nCorpo.\n")] {
            let signature =
                Signature::new("Zoë Example", "zoe@example.com", &git2::Time::new(1_765_000_000, offset)).unwrap();
            for parents in [&[][..], &[root][..]] {
                let ours = write_commit(&repo, tree.id(), parents, &signature, message).unwrap();
                let parent_commits: Vec<git2::Commit> =
                    parents.iter().map(|it| repo.find_commit(*it).unwrap()).collect();
                let theirs = repo.commit(
                    None,
                    &signature,
                    &signature,
                    message,
                    &tree,
                    &parent_commits.iter().collect::<Vec<_>>(),
                );
                assert_eq!(ours, theirs.unwrap(), "offset {offset}, message {message:?}");
            }
        }
    }

    #[test]
    fn merges_changes_to_different_lines() {
        let merged = merge_text(b"a\nb\nc\n", b"A\nb\nc\n", b"a\nb\nC\n");
        assert!(merged.clean);
        assert_eq!(merged.content, b"A\nb\nC\n");
    }

    #[test]
    fn conflicting_changes_are_not_clean() {
        let merged = merge_text(b"a\nb\nc\n", b"a\nours\nc\n", b"a\ntheirs\nc\n");
        assert!(!merged.clean);
        assert!(String::from_utf8_lossy(&merged.content).contains("ours"));
    }

    #[test]
    fn one_sided_change_merges() {
        let merged = merge_text(b"base", b"base", b"theirs");
        assert!(merged.clean);
        assert_eq!(merged.content, b"theirs");
    }

    #[test]
    fn a_diff_limited_to_the_differing_subtrees_equals_the_whole_diff() {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::create_seeded(&folder.path().join("repo.git"), &[], "Empty").unwrap();
        // Names that sort differently as files and as folders (`a.md` < `a/` < `a0`), that look like patterns,
        // that nest, and that change from file to folder.
        let paths = [
            "a.md",
            "a/x.md",
            "a/y.md",
            "a/b/c.md",
            "a0.md",
            "a-b.md",
            "b/x.md",
            "b/y.md",
            "c/d/e/f.md",
            "c/d/g.md",
            "sp ace.md",
            "x[1].md",
            "*.md",
            "t",
            "t/u.md",
            "w[1]/z.md",
            "w?/z.md",
            "w*/z.md",
            "a-b/c.md",
        ];
        let texts = ["one\ntwo\nthree\nfour\n", "one\ntwo\nthree\nfive\n", "other\n", ""];
        let mut seed = 5_u64;
        let mut pick = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut head = store.head().unwrap();
        let mut files: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for round in 0..300 {
            let mut edits = Vec::new();
            let mut next_files = files.clone();
            let mut edited = std::collections::BTreeSet::new();
            for _ in 0..1 + pick(4) {
                let path = paths[pick(paths.len())].to_string();
                // One update per path and commit; a path and a folder above it are not both edited either.
                if edited.iter().any(|it: &String| {
                    it == &path || it.starts_with(&format!("{path}/")) || path.starts_with(&format!("{it}/"))
                }) {
                    continue;
                }
                edited.insert(path.clone());
                if pick(3) == 0 {
                    if next_files.remove(&path) {
                        edits.push(FileEdit::Delete { path });
                    }
                } else {
                    // A file where a folder is (or the other way round) replaces it.
                    let clashing: Vec<String> = next_files
                        .iter()
                        .filter(|it| it.starts_with(&format!("{path}/")) || path.starts_with(&format!("{it}/")))
                        .cloned()
                        .collect();
                    // libgit2 cannot replace a folder by a file (or the reverse) in one update: the clashing
                    // files go in this commit, the new one comes in a later round.
                    if !clashing.is_empty() {
                        for other in clashing {
                            edited.insert(other.clone());
                            next_files.remove(&other);
                            edits.push(FileEdit::Delete { path: other });
                        }
                        continue;
                    }
                    next_files.insert(path.clone());
                    edits.push(FileEdit::Write { path, content: texts[pick(texts.len())].as_bytes().to_vec() });
                }
            }
            let attempt = store.commit(head, &edits, &Person::lore(), "edit").unwrap();
            files = next_files;
            let CommitAttempt::Committed(commit) = attempt else { continue };
            store
                .with_repo(|repo| {
                    let old_tree = repo.find_commit(head.expect("seeded").0)?.tree()?;
                    check_diff(repo, &old_tree, &repo.find_commit(commit.0)?.tree()?, &format!("{round}: {edits:?}"));
                    Ok(())
                })
                .unwrap();
            head = Some(commit);
        }
        // A file that becomes a folder, and one that becomes a symbolic link, in one commit (and back).
        store
            .with_repo(|repo| {
                let blob = |text: &str| repo.blob(text.as_bytes());
                let mut folder = repo.treebuilder(None)?;
                folder.insert("u.md", blob("u")?, 0o100644)?;
                let folder = folder.write()?;
                let mut before = repo.treebuilder(None)?;
                before.insert("t", blob("t")?, 0o100644)?;
                before.insert("t.md", blob("t.md")?, 0o100644)?;
                before.insert("link", blob("target")?, 0o100644)?;
                let before = repo.find_tree(before.write()?)?;
                let mut after = repo.treebuilder(Some(&before))?;
                after.insert("t", folder, 0o040000)?;
                after.insert("link", blob("target")?, 0o120000)?;
                let after = repo.find_tree(after.write()?)?;
                check_diff(repo, &before, &after, "file to folder");
                check_diff(repo, &after, &before, "folder to file");
                Ok(())
            })
            .unwrap();
    }

    #[track_caller]
    fn check_diff(repo: &Repository, old: &git2::Tree<'_>, new: &git2::Tree<'_>, what: &str) {
        for renames in [Renames::Ignore, Renames::Detect] {
            let whole = file_changes(repo.diff_tree_to_tree(Some(old), Some(new), None).unwrap(), renames).unwrap();
            assert_eq!(diff_trees(repo, Some(old), new, renames).unwrap(), whole, "{what}, {renames:?}");
        }
    }

    #[test]
    fn hash_blob_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(hash_blob(b"hello\n").to_string(), "ce013625030ba8dba906f756967f9e9ca394464a");
    }
}
