//! The change index: for every path, the commits that touched it, built once from a walk of the branch
//! and extended incrementally as new commits arrive. Answers "last edited by" without a history walk.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Result;
use crate::store::{CommitInfo, ObjectId, Store};

/// One commit's change to one path: the commit's position in the index and the blob it left there.
#[derive(Debug, Clone, Copy)]
struct PathChange {
    commit: u32,
    blob: Option<ObjectId>,
}

/// A change to one path, as the index reports it.
#[derive(Debug, Clone)]
pub struct Change {
    pub commit: Arc<CommitInfo>,
    /// The file's blob after the commit; `None` when the commit deleted it.
    pub blob: Option<ObjectId>,
}

/// Which commits changed which paths, oldest first.
#[derive(Debug, Default, Clone)]
pub struct ChangeIndex {
    commits: Vec<Arc<CommitInfo>>,
    by_path: HashMap<String, Vec<PathChange>>,
    /// The head commit the index reflects.
    head: Option<ObjectId>,
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

    /// The newest change to `path`.
    pub fn last_change(&self, path: &str) -> Option<Change> {
        self.changes_of(path).next()
    }

    /// The changes to `path`, newest first.
    pub fn changes_of(&self, path: &str) -> impl Iterator<Item = Change> + '_ {
        self.by_path
            .get(path)
            .into_iter()
            .flat_map(|it| it.iter().rev())
            .map(|it| Change { commit: self.commits[it.commit as usize].clone(), blob: it.blob })
    }

    /// Adds the commits between the indexed head and `new_head`. When `new_head` does not descend from
    /// the indexed head (history was rewritten outside Lore), the walk simply covers what is new.
    pub fn catch_up(&mut self, store: &Store, new_head: ObjectId, progress: impl FnMut(usize)) -> Result<usize> {
        if self.head == Some(new_head) {
            return Ok(0);
        }
        let mut walked = store.walk_changes(new_head, self.head, progress)?;
        let n_new = walked.len();
        // The walk is newest first; the index appends oldest first so `last()` is the newest change.
        walked.reverse();
        for commit in walked {
            let position = u32::try_from(self.commits.len()).expect("fewer than 4 billion commits");
            for change in &commit.changes {
                let entry = PathChange { commit: position, blob: change.blob };
                self.by_path.entry(change.path.clone()).or_default().push(entry);
            }
            self.commits.push(Arc::new(commit.info));
        }
        self.head = Some(new_head);
        Ok(n_new)
    }
}
