//! The change index: for every path, the commits that touched it, built once from a walk of the branch
//! and extended incrementally as new commits arrive. Answers "last edited by" without a history walk.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Result;
use crate::store::{CommitInfo, ObjectId, Store};

/// Which commits changed which paths, oldest first.
#[derive(Debug, Default, Clone)]
pub struct ChangeIndex {
    commits: Vec<Arc<CommitInfo>>,
    by_path: HashMap<String, Vec<u32>>,
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

    /// The newest commit that changed `path`.
    pub fn last_change(&self, path: &str) -> Option<&Arc<CommitInfo>> {
        let newest = *self.by_path.get(path)?.last()?;
        self.commits.get(newest as usize)
    }

    /// The commits that changed `path`, newest first.
    pub fn changes_of(&self, path: &str) -> impl Iterator<Item = &Arc<CommitInfo>> {
        self.by_path.get(path).into_iter().flat_map(|it| it.iter().rev()).map(|it| &self.commits[*it as usize])
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
                self.by_path.entry(change.path.clone()).or_default().push(position);
            }
            self.commits.push(Arc::new(commit.info));
        }
        self.head = Some(new_head);
        Ok(n_new)
    }
}
