//! Every change the site makes: one commit built on the head that was read, published with a compare-and-swap
//! move of the branch (`commit_retrying`), rebuilt on the new head when someone outside moved it first.
//! Writers inside this process take turns. Only `Writer` calls these, after checking who may change what.

use std::sync::Arc;

use parking_lot::Mutex;

use super::Site;
use crate::auth::PushLog;
use crate::content::page;
use crate::content::{RepoPath, front_matter, path};
use crate::store::{self, CommitAttempt, FileEdit, ObjectId, Person};
use crate::{Error, Result};

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

/// What a restore did: its commit, and the commit whose version of the page an undo brings back (none when
/// the page was not there before, or nothing changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restored {
    pub commit: ObjectId,
    pub previous: Option<ObjectId>,
}

/// What a planned commit does: commit these edits, or stop with a value.
pub(super) enum Attempt<R> {
    Commit { edits: Vec<FileEdit>, message: String },
    Stop(R),
}

/// How `commit_retrying` ended.
pub(super) enum Committed<R> {
    Commit(ObjectId),
    /// The edits changed nothing; the head stays at this commit.
    Unchanged(ObjectId),
    Stopped(R),
}

impl<R> Committed<R> {
    /// The commit the branch points at after the operation.
    pub(super) fn commit_id(self) -> Result<ObjectId> {
        match self {
            Committed::Commit(id) | Committed::Unchanged(id) => Ok(id),
            Committed::Stopped(_) => Err(Error::Repository("the operation stopped without committing".into())),
        }
    }
}

/// How many times a save rebuilds on a moved head before giving up.
const MAX_SAVE_ATTEMPTS: usize = 32;

/// Who a commit is by: the person its author line names, and the account that acted, whose name is recorded
/// beside the commit (in the push log) so that every commit made through Lore names its account.
#[derive(Clone)]
pub struct Committer {
    pub person: Person,
    pub account: Option<(Arc<PushLog>, String)>,
}

// Write functions read the author's name and e-mail for the texts they write (`asked_by`, `verified.by`).
impl std::ops::Deref for Committer {
    type Target = Person;

    fn deref(&self) -> &Person {
        &self.person
    }
}

/// The turn-taking of writers in this process (see `commit_retrying`).
pub(super) struct Commits {
    pub(super) turn: Mutex<()>,
}

impl Commits {
    /// No writer yet.
    pub(super) fn new() -> Commits {
        Commits { turn: Mutex::new(()) }
    }
}

impl Site {
    /// Saves a page in one commit on the branch, merging with changes made since the edit started.
    pub(super) fn save_page(&self, edit: &PageEdit, author: &Committer) -> Result<SaveOutcome> {
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
                    // blob id would read any file. An id the repository does not hold is refused at once;
                    // one it holds is judged by the page's history.
                    if self.store.blob_size(base).is_err() || !self.is_version_of(&edit.path, base)? {
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
                    merged_with = Some(
                        self.last_change(edit.path.as_str()).map_or_else(Person::lore, |it| Person::clone(&it.author)),
                    );
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
    pub(super) fn delete_page(
        &self,
        path: &RepoPath,
        base_blob: ObjectId,
        author: &Committer,
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
    pub(super) fn move_page(
        &self,
        from: &RepoPath,
        to: &RepoPath,
        base_blob: Option<ObjectId>,
        author: &Committer,
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
    pub(super) fn restore_page(&self, path: &RepoPath, commit: ObjectId, author: &Committer) -> Result<Restored> {
        let (_, old_blob) = self
            .version_at(path, commit)?
            .ok_or_else(|| Error::bad_input(format!("{path} did not exist in commit {}", commit.short())))?;
        let content = self.store.read_blob(old_blob)?;
        let title = self.title_of(old_blob, path)?;
        let mut previous = None;
        let committed = self.commit_retrying(author, |head| {
            // The head the restore builds on holds the version an undo brings back, if the page was there.
            previous = match head {
                Some(head) if self.blob_at(Some(head), path)?.is_some() => Some(head),
                _ => None,
            };
            let message = format!("Restore {title} to version {}", commit.short());
            Ok(Attempt::<()>::Commit {
                edits: vec![FileEdit::Write { path: path.as_str().to_string(), content: content.clone() }],
                message,
            })
        })?;
        Ok(match committed {
            Committed::Commit(commit) => Restored { commit, previous },
            // Restoring what the page already says changes nothing, so there is nothing to undo.
            other => Restored { commit: other.commit_id()?, previous: None },
        })
    }

    /// Stores an uploaded file in the page's folder in one commit, never replacing an existing file: a taken
    /// name gets `-2`, `-3`, … before its extension; `may_write` judges the chosen path. Returns where it
    /// was stored.
    pub(super) fn upload(
        &self,
        page: &RepoPath,
        file_name: &str,
        content: Vec<u8>,
        author: &Committer,
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
    pub(super) fn check_new_names(&self, head: Option<ObjectId>, path: &RepoPath) -> Result<()> {
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
    pub(super) fn has_case_twin(&self, head: Option<ObjectId>, path: &RepoPath) -> Result<bool> {
        let fit = self.store.path_fit(head, path.as_str())?;
        Ok(fit.case_twin.is_some() && fit.n_existing + 1 == path.as_str().split('/').count())
    }

    pub(super) fn title_of(&self, blob: ObjectId, path: &RepoPath) -> Result<String> {
        Ok(self.meta(path, blob)?.title.clone())
    }

    pub(super) fn blob_at(&self, head: Option<ObjectId>, path: &RepoPath) -> Result<Option<ObjectId>> {
        let Some(head) = head else { return Ok(None) };
        // The current snapshot holds every regular file of its head: asking git would read the folders on the
        // way again, and a flat wiki's one folder of 10,000 pages is a 400 KB tree inflated at every save.
        let snapshot = self.snapshots.current.load();
        if snapshot.head == Some(head) {
            return Ok(snapshot.file(path.as_str()));
        }
        self.store.blob_at(head, path.as_str())
    }

    // Reads the head, plans a commit on it, and commits with compare-and-swap; on a lost race, plans again
    // on the new head. `plan` may stop early with a value instead of committing.
    pub(super) fn commit_retrying<R>(
        &self,
        author: &Committer,
        mut plan: impl FnMut(Option<ObjectId>) -> Result<Attempt<R>>,
    ) -> Result<Committed<R>> {
        // A replica's repository is a mirror: a commit there would be overwritten by the next fetch. Writes
        // reach a replica's site only if forwarding missed one; refusing them keeps the mirror exact.
        if self.config.is_replica() {
            return Err(Error::Unavailable("this server is a replica: changes are made on the primary".into()));
        }
        for attempt in 0..MAX_SAVE_ATTEMPTS {
            // Writers in this process take turns, so they never race for the ref's lock file; the
            // compare-and-swap still guards against writers outside (git push, git commit).
            let _one_writer = self.commits.turn.lock();
            if attempt > 0 {
                // Someone outside holds or moved the ref: give them a moment.
                std::thread::sleep(std::time::Duration::from_millis((attempt as u64).min(20)));
            }
            let head = self.store.head()?;
            let (edits, message) = match plan(head)? {
                Attempt::Commit { edits, message } => (edits, message),
                Attempt::Stop(value) => return Ok(Committed::Stopped(value)),
            };
            match self.store.commit(head, &edits, &author.person, &message)? {
                CommitAttempt::Committed(commit) => {
                    if let Some((log, account)) = &author.account
                        && let Err(err) = log.record(account, vec![commit])
                    {
                        // The commit stands; only the note of who made it is missing.
                        tracing::error!(error = %err, %commit, account, "could not record the commit's account");
                    }
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
}
