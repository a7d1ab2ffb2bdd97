//! Packs between two nodes of a cluster, without a `git` process: the primary builds, in memory with
//! libgit2's pack builder, the pack of the commits a replica lacks (`want`, hiding what it has), and the
//! replica writes it into its object database through libgit2's indexer, which hashes and checks every object
//! and the pack's checksum, then moves its branch forward only, by compare-and-swap. `git fetch` remains the
//! way for anything this does not cover (first starts, other branches, a history that did not move forward).

use std::io::Write;

use git2::Repository;

use super::{ObjectId, Store};
use crate::{Error, Result};

/// How a branch update from a pack ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackUpdate {
    /// The branch moved from the expected commit to the new one.
    Moved,
    /// The branch was not at the expected commit any more (someone else moved it): nothing changed.
    Raced,
}

impl Store {
    /// The pack of every object reachable from `want` and not from `haves` (commits this repository does not
    /// know are ignored: the pack is then larger, never wrong). `None` when it would hold more than
    /// `max_commits` commits or more than `max_bytes` (the caller falls back to git's own transfer, which
    /// streams): the commits are counted before anything is built, so a far-behind asker costs little.
    pub fn pack_between(
        &self,
        haves: &[ObjectId],
        want: ObjectId,
        max_commits: usize,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>> {
        self.with_repo(|repo| {
            if let Err(err) = repo.find_commit(want.0) {
                return Err(match err.code() {
                    git2::ErrorCode::NotFound => Error::NotFound(format!("commit {want}")),
                    _ => err.into(),
                });
            }
            let known: Vec<ObjectId> = haves.iter().copied().filter(|it| repo.find_commit(it.0).is_ok()).collect();
            if walk_between(repo, &known, want)?.take(max_commits + 1).count() > max_commits {
                return Ok(None);
            }
            let mut walk = walk_between(repo, &known, want)?;
            let mut builder = repo.packbuilder()?;
            builder.set_threads(1);
            builder.insert_walk(&mut walk)?;
            let mut pack = Vec::new();
            let mut too_large = false;
            let written = builder.foreach(|chunk| {
                if pack.len() + chunk.len() > max_bytes {
                    too_large = true;
                    return false;
                }
                pack.extend_from_slice(chunk);
                true
            });
            match written {
                _ if too_large => Ok(None),
                Ok(()) => Ok(Some(pack)),
                Err(err) => Err(err.into()),
            }
        })
    }

    /// Writes `pack` into the object database (indexed: every object is hashed and checked, and so is the
    /// pack's checksum), then moves the served branch from `old` to `new`: only forward (`new` must descend from
    /// `old`), and only if the branch is still at `old`. The pack must hold `new` and whatever of its history
    /// the repository lacks.
    pub fn apply_pack(&self, pack: &[u8], old: Option<ObjectId>, new: ObjectId) -> Result<PackUpdate> {
        self.with_repo(|repo| {
            let odb = repo.odb()?;
            let mut writer = odb.packwriter()?;
            writer.write_all(pack).map_err(|err| Error::Git(format!("writing a pack: {err}")))?;
            writer.commit()?;
            // The pack's objects are in now; the new head and its tree must be among what the repository has.
            let commit = repo.find_commit(new.0)?;
            commit.tree()?;
            move_branch(repo, self.branch_ref(), old, new)
        })
    }
}

// The commits reachable from `want` and not from `haves`.
fn walk_between<'r>(repo: &'r Repository, haves: &[ObjectId], want: ObjectId) -> Result<git2::Revwalk<'r>> {
    let mut walk = repo.revwalk()?;
    walk.push(want.0)?;
    for have in haves {
        walk.hide(have.0)?;
    }
    Ok(walk)
}

fn move_branch(repo: &Repository, branch_ref: &str, old: Option<ObjectId>, new: ObjectId) -> Result<PackUpdate> {
    let message = "lore: fast-forward from the primary";
    match old {
        Some(old) => {
            if old != new && !repo.graph_descendant_of(new.0, old.0)? {
                return Err(Error::Repository(format!("{new} does not descend from {old}: not a fast-forward")));
            }
            match repo.reference_matching(branch_ref, new.0, true, old.0, message) {
                Ok(_) => Ok(PackUpdate::Moved),
                Err(err) if is_race(&err) => Ok(PackUpdate::Raced),
                Err(err) => Err(err.into()),
            }
        }
        None => match repo.reference(branch_ref, new.0, false, message) {
            Ok(_) => Ok(PackUpdate::Moved),
            Err(err) if is_race(&err) || err.code() == git2::ErrorCode::Exists => Ok(PackUpdate::Raced),
            Err(err) => Err(err.into()),
        },
    }
}

// The reference was not at the expected value, or another writer held its lock.
fn is_race(err: &git2::Error) -> bool {
    matches!(err.code(), git2::ErrorCode::Modified | git2::ErrorCode::Locked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CommitAttempt, FileEdit, Person};

    fn save(store: &Store, path: &str, content: &str) -> ObjectId {
        let edits = [FileEdit::Write { path: path.into(), content: content.as_bytes().to_vec() }];
        match store.commit(store.head().unwrap(), &edits, &Person::lore(), "save").unwrap() {
            CommitAttempt::Committed(id) => id,
            other => panic!("not committed: {other:?}"),
        }
    }

    // A primary with one commit, and an empty bare mirror of it.
    fn pair(dir: &std::path::Path) -> (Store, Store) {
        let primary =
            Store::create_seeded(&dir.join("primary.git"), &[("Home.md".into(), b"# Home\n".to_vec())], "seed")
                .unwrap();
        Repository::init_bare(dir.join("mirror.git")).unwrap();
        let mirror = Store::open(&dir.join("mirror.git"), Some("main")).unwrap();
        (primary, mirror)
    }

    #[test]
    fn a_mirror_follows_the_primary_with_packs_of_only_the_new_commits() {
        let dir = tempfile::tempdir().unwrap();
        let (primary, mirror) = pair(dir.path());
        let first = primary.head().unwrap().unwrap();
        let whole = primary.pack_between(&[], first, 100, 1 << 20).unwrap().expect("a small pack");
        assert_eq!(mirror.apply_pack(&whole, None, first).unwrap(), PackUpdate::Moved);
        assert_eq!(mirror.head().unwrap(), Some(first));

        save(&primary, "a.md", "# A\n");
        let second = save(&primary, "b.md", &"big line\n".repeat(10_000));
        let pack = primary.pack_between(&[first], second, 100, 1 << 20).unwrap().expect("a small pack");
        assert!(pack.len() < whole.len() + 2048, "the pack carries only what is new ({} bytes)", pack.len());
        assert_eq!(mirror.apply_pack(&pack, Some(first), second).unwrap(), PackUpdate::Moved);
        assert_eq!(mirror.head().unwrap(), Some(second));
        assert_eq!(mirror.tree_files(second).unwrap().len(), 3);
        // Over the limit: no pack (the caller fetches with git instead).
        let third = save(&primary, "c.md", &"another line\n".repeat(100_000));
        assert_eq!(primary.pack_between(&[second], third, 100, 1024).unwrap(), None);
        // Over the commit limit: nothing is built.
        assert_eq!(primary.pack_between(&[first], third, 1, 1 << 20).unwrap(), None);
        assert!(primary.pack_between(&[second], third, 1, 1 << 20).unwrap().is_some());
    }

    #[test]
    fn damaged_packs_backward_moves_and_races_leave_the_branch_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (primary, mirror) = pair(dir.path());
        let first = primary.head().unwrap().unwrap();
        mirror.apply_pack(&primary.pack_between(&[], first, 100, 1 << 20).unwrap().unwrap(), None, first).unwrap();
        let second = save(&primary, "a.md", "# A\n");
        let mut pack = primary.pack_between(&[first], second, 100, 1 << 20).unwrap().unwrap();
        let middle = pack.len() / 2;
        pack[middle] ^= 0xff;
        assert!(mirror.apply_pack(&pack, Some(first), second).is_err(), "a damaged pack is refused");
        assert_eq!(mirror.head().unwrap(), Some(first));

        let pack = primary.pack_between(&[first], second, 100, 1 << 20).unwrap().unwrap();
        // The branch is not where the caller thinks: nothing moves.
        assert_eq!(mirror.apply_pack(&pack, Some(second), second).unwrap(), PackUpdate::Raced);
        assert_eq!(mirror.head().unwrap(), Some(first));
        assert_eq!(mirror.apply_pack(&pack, Some(first), second).unwrap(), PackUpdate::Moved);
        // Backwards is not a fast-forward.
        assert!(mirror.apply_pack(&pack, Some(second), first).is_err());
        assert_eq!(mirror.head().unwrap(), Some(second));
    }
}
