//! Packs between two nodes of a cluster, without a `git` process: the primary builds, in memory with
//! libgit2's pack builder, the pack of the commits a replica lacks (`want`, hiding what it has), and the
//! replica writes it into its object database through libgit2's indexer, which hashes and checks every object
//! and the pack's checksum, then moves its branch forward only, by compare-and-swap. `git fetch` remains the
//! way for anything this does not cover (first starts, other branches, a history that did not move forward).

use std::io::Write;

use git2::Repository;

use super::{ObjectId, Store};
use crate::{Error, Result};

/// The objects a line of ordinary commits added, as they are (each one's kind and content): what a node
/// that has the first commit's parent lacks to serve the last. Cheaper to make than a pack for the few
/// objects of a save (no walk of the receiver's folders, no search for deltas, nothing compressed); the
/// receiver writes them as one pack of whole objects, which libgit2's indexer hashes and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectBundle {
    objects: Vec<(git2::ObjectType, Vec<u8>)>,
}

// An object's kind in a bundle's bytes.
const BUNDLE_KINDS: [(u8, git2::ObjectType); 3] =
    [(1, git2::ObjectType::Commit), (2, git2::ObjectType::Tree), (3, git2::ObjectType::Blob)];

impl ObjectBundle {
    /// The bundle as bytes: per object, its kind (one byte), its length (four, big-endian) and its content.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.objects.iter().map(|(_, data)| data.len() + 5).sum());
        for (kind, data) in &self.objects {
            let code = BUNDLE_KINDS.iter().find(|(_, it)| it == kind).map_or(0, |(code, _)| *code);
            bytes.push(code);
            bytes.extend_from_slice(&(data.len() as u32).to_be_bytes());
            bytes.extend_from_slice(data);
        }
        bytes
    }

    /// Reads [`ObjectBundle::to_bytes`]; an unknown kind or a length past the end is an error.
    pub fn from_bytes(mut bytes: &[u8]) -> Result<ObjectBundle> {
        let damaged = || Error::bad_input("a damaged object bundle");
        let mut objects = Vec::new();
        while let Some((&code, rest)) = bytes.split_first() {
            let kind = BUNDLE_KINDS.iter().find(|(it, _)| *it == code).map(|(_, kind)| *kind).ok_or_else(damaged)?;
            let (length, rest) = rest.split_first_chunk::<4>().ok_or_else(damaged)?;
            let length = u32::from_be_bytes(*length) as usize;
            if rest.len() < length {
                return Err(damaged());
            }
            let (data, rest) = rest.split_at(length);
            objects.push((kind, data.to_vec()));
            bytes = rest;
        }
        Ok(ObjectBundle { objects })
    }

    /// How many objects it holds.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The objects as a pack in git's format (version 2, each object whole, deflated fast): written through
    /// libgit2's indexer it becomes two files, where loose objects would be a file each (new files are what
    /// costs on a busy ext4 volume: perf showed a replica's applies mostly in its inode allocator).
    fn to_pack(&self) -> Vec<u8> {
        use sha1::Digest;
        let mut pack = Vec::with_capacity(self.objects.iter().map(|(_, data)| data.len() / 2 + 16).sum::<usize>() + 32);
        pack.extend_from_slice(b"PACK");
        pack.extend_from_slice(&2u32.to_be_bytes());
        pack.extend_from_slice(&(self.objects.len() as u32).to_be_bytes());
        for (kind, data) in &self.objects {
            let code: usize = match kind {
                git2::ObjectType::Commit => 1,
                git2::ObjectType::Tree => 2,
                git2::ObjectType::Blob => 3,
                _ => 4,
            };
            // The type and size: 3 bits of type and the size's 4 lowest bits, then 7 bits a byte, each byte but
            // the last with its high bit set.
            let mut size = data.len() >> 4;
            let mut byte = (code << 4 | (data.len() & 0x0f)) as u8;
            while size > 0 {
                pack.push(byte | 0x80);
                byte = (size & 0x7f) as u8;
                size >>= 7;
            }
            pack.push(byte);
            let mut deflate = flate2::write::ZlibEncoder::new(&mut pack, flate2::Compression::fast());
            deflate.write_all(data).expect("writing to memory");
            deflate.finish().expect("writing to memory");
        }
        let checksum = sha1::Sha1::digest(&pack);
        pack.extend_from_slice(&checksum);
        pack
    }
}

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
            let commits: Vec<git2::Oid> =
                walk_between(repo, &known, want)?.take(max_commits + 1).collect::<std::result::Result<_, _>>()?;
            if commits.len() > max_commits {
                return Ok(None);
            }
            let mut builder = repo.packbuilder()?;
            builder.set_threads(1);
            let mut inserted = Ok(());
            let line = changes_of_children(repo, &commits, &known, &mut |id, _| {
                if inserted.is_ok() {
                    inserted = builder.insert_object(id, None);
                }
            })?;
            inserted?;
            if !line {
                builder.insert_walk(&mut walk_between(repo, &known, want)?)?;
            }
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

    /// The objects the commits from `from` to `to` added, when they are a line of at most `max_commits`
    /// ordinary commits (one parent each) starting at `from`, and their contents at most `max_bytes`: `None`
    /// otherwise (the caller sends a pack, or nothing).
    pub fn objects_between(
        &self,
        from: ObjectId,
        to: ObjectId,
        max_commits: usize,
        max_bytes: usize,
    ) -> Result<Option<ObjectBundle>> {
        self.with_repo(|repo| {
            let commits: Vec<git2::Oid> =
                walk_between(repo, &[from], to)?.take(max_commits + 1).collect::<std::result::Result<_, _>>()?;
            if commits.is_empty() || commits.len() > max_commits {
                return Ok(None);
            }
            let mut ids = Vec::new();
            if !changes_of_children(repo, &commits, &[from], &mut |id, _| ids.push(id))? {
                return Ok(None);
            }
            let odb = repo.odb()?;
            let (mut objects, mut bytes) = (Vec::with_capacity(ids.len()), 0);
            for id in ids {
                let object = odb.read(id)?;
                bytes += object.len();
                if bytes > max_bytes {
                    return Ok(None);
                }
                objects.push((object.kind(), object.data().to_vec()));
            }
            Ok(Some(ObjectBundle { objects }))
        })
    }

    /// Writes the objects of `bundle` (as one pack, through libgit2's indexer, which hashes every object),
    /// checks that with them the repository holds everything `new` changed against its ancestor `old` (the
    /// bundle of [`Store::objects_between`] from `old` to `new`), then moves the served branch from `old` to
    /// `new` as [`Store::apply_pack`] does.
    pub fn apply_objects(&self, bundle: &ObjectBundle, old: ObjectId, new: ObjectId) -> Result<PackUpdate> {
        let pack = bundle.to_pack();
        self.with_repo(|repo| {
            let odb = repo.odb()?;
            let mut writer = odb.packwriter()?;
            writer.write_all(&pack).map_err(|err| Error::Git(format!("writing a pack: {err}")))?;
            writer.commit()?;
            // Every object the commits changed must be here now: a bundle that lacks one is refused before the
            // branch points at a history the repository cannot read.
            let commits: Vec<git2::Oid> = walk_between(repo, &[old], new)?.collect::<std::result::Result<_, _>>()?;
            let mut missing = None;
            let line = changes_of_children(repo, &commits, &[old], &mut |id, _| {
                if missing.is_none() && !odb.exists(id) {
                    missing = Some(id);
                }
            })?;
            if !line {
                return Err(Error::Repository(format!("{new} is not a line of ordinary commits from {old}")));
            }
            if let Some(id) = missing {
                return Err(Error::Repository(format!("the objects for {new} lack {id}")));
            }
            self.note_move(move_branch(repo, self.branch_ref(), Some(old), new), new)
        })
    }

    // Notes where the branch went when `update` moved it.
    fn note_move(&self, update: Result<PackUpdate>, new: ObjectId) -> Result<PackUpdate> {
        if let Ok(PackUpdate::Moved) = update {
            self.note_moved_to(new);
        }
        update
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
            self.note_move(move_branch(repo, self.branch_ref(), old, new), new)
        })
    }
}

// When every one of `commits` has one parent, itself one of `commits` or one of `haves` (a line of ordinary
// commits, every save and most pushes), visits each commit with only the trees and blobs it changed against
// its parent: what a repository that has the parent lacks. libgit2's `insert_walk` would mark every tree of the
// hidden parents first, reading the whole wiki's folders for a one-line save. `false`, visiting nothing, for
// anything else (merges, a parent the asker may lack).
fn changes_of_children(
    repo: &Repository,
    commits: &[git2::Oid],
    haves: &[ObjectId],
    visit: &mut impl FnMut(git2::Oid, git2::ObjectType),
) -> Result<bool> {
    let mut pairs = Vec::with_capacity(commits.len());
    for id in commits {
        let commit = repo.find_commit(*id)?;
        if commit.parent_count() != 1 {
            return Ok(false);
        }
        let parent = commit.parent_id(0)?;
        if !commits.contains(&parent) && !haves.iter().any(|it| it.0 == parent) {
            return Ok(false);
        }
        pairs.push((commit.tree()?, commit.parent(0)?.tree()?));
    }
    for (id, (tree, parent_tree)) in commits.iter().zip(&pairs) {
        visit(*id, git2::ObjectType::Commit);
        changed_trees(repo, tree, Some(parent_tree), visit)?;
    }
    Ok(true)
}

// Visits `tree` and, recursively, every entry of it that `old` (the same folder one commit earlier) does not
// hold with the same id. Links to other repositories (submodule commits) are not objects of this one.
fn changed_trees(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    old: Option<&git2::Tree<'_>>,
    visit: &mut impl FnMut(git2::Oid, git2::ObjectType),
) -> Result<()> {
    visit(tree.id(), git2::ObjectType::Tree);
    for entry in tree.iter() {
        let before = old.and_then(|it| it.get_name_bytes(entry.name_bytes()));
        if before.as_ref().is_some_and(|it| it.id() == entry.id()) {
            continue;
        }
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                let old_tree = match before.filter(|it| it.kind() == Some(git2::ObjectType::Tree)) {
                    Some(it) => Some(repo.find_tree(it.id())?),
                    None => None,
                };
                changed_trees(repo, &repo.find_tree(entry.id())?, old_tree.as_ref(), visit)?;
            }
            Some(git2::ObjectType::Blob) => visit(entry.id(), git2::ObjectType::Blob),
            _ => {}
        }
    }
    Ok(())
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

    #[test]
    fn packs_of_saves_carry_only_the_changed_folders_and_files_and_merges_still_arrive_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (primary, mirror) = pair(dir.path());
        let first = primary.head().unwrap().unwrap();
        mirror.apply_pack(&primary.pack_between(&[], first, 100, 1 << 20).unwrap().unwrap(), None, first).unwrap();
        let mut head = first;
        for i in 0..200 {
            head =
                save(&primary, &format!("big/folder/page-{i}.md"), &format!("# Page {i}\n\n{}\n", "text ".repeat(50)));
        }
        let pack = primary.pack_between(&[first], head, 1000, 8 << 20).unwrap().unwrap();
        assert_eq!(mirror.apply_pack(&pack, Some(first), head).unwrap(), PackUpdate::Moved);

        // A line of saves: a changed page in a deep folder, a new folder, a deleted page.
        let before = head;
        save(&primary, "big/folder/page-7.md", "# Seven, changed\n");
        save(&primary, "new/place/note.md", "# Note\n");
        let edits = [FileEdit::Delete { path: "big/folder/page-8.md".into() }];
        let CommitAttempt::Committed(after) =
            primary.commit(primary.head().unwrap(), &edits, &Person::lore(), "delete").unwrap()
        else {
            panic!("not committed")
        };
        let pack = primary.pack_between(&[before], after, 100, 1 << 20).unwrap().unwrap();
        let objects = count_objects(&pack);
        // 3 commits; roots 3, big/ 2, big/folder/ 2, new/ 1, new/place/ 1; 2 blobs: 14 objects, not the 200 pages.
        assert_eq!(objects, 14, "the pack holds only what the saves changed");
        assert_eq!(mirror.apply_pack(&pack, Some(before), after).unwrap(), PackUpdate::Moved);
        let files = mirror.tree_files(after).unwrap();
        assert_eq!(files.len(), 201, "every page is readable in the mirror: {}", files.len());
        mirror
            .with_repo(|repo| {
                let mut count = 0;
                repo.find_commit(after.0)?.tree()?.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
                    assert!(repo.find_object(entry.id(), None).is_ok(), "{:?} is missing", entry.name());
                    count += 1;
                    git2::TreeWalkResult::Ok
                })?;
                assert!(count > 200);
                Ok(())
            })
            .unwrap();

        // A merge: built by walking, so the side branch's commits arrive too.
        let side = primary
            .with_repo(|repo| {
                let base = repo.find_commit(after.0)?;
                let blob = repo.blob(b"# Side\n")?;
                let mut builder = repo.treebuilder(Some(&base.tree()?))?;
                builder.insert("side.md", blob, 0o100644)?;
                let tree = repo.find_tree(builder.write()?)?;
                let sig = git2::Signature::now("Side", "side@example.com")?;
                let side = repo.commit(None, &sig, &sig, "side", &tree, &[&base])?;
                let side = repo.find_commit(side)?;
                let merge = repo.commit(None, &sig, &sig, "merge", &tree, &[&base, &side])?;
                Ok(ObjectId(merge))
            })
            .unwrap();
        let pack = primary.pack_between(&[after], side, 100, 1 << 20).unwrap().unwrap();
        mirror
            .with_repo(|repo| {
                let odb = repo.odb()?;
                let mut writer = odb.packwriter()?;
                writer.write_all(&pack).unwrap();
                writer.commit()?;
                let merge = repo.find_commit(side.0)?;
                assert!(repo.find_commit(merge.parent_id(1)?).is_ok(), "the merged side's commit came along");
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_bundle_of_the_objects_a_save_added_moves_a_mirror_and_a_bundle_lacking_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (primary, mirror) = pair(dir.path());
        let first = primary.head().unwrap().unwrap();
        mirror.apply_pack(&primary.pack_between(&[], first, 100, 1 << 20).unwrap().unwrap(), None, first).unwrap();
        for i in 0..50 {
            save(&primary, &format!("docs/deep/page-{i}.md"), &format!("# Page {i}\n"));
        }
        let before = primary.head().unwrap().unwrap();
        mirror
            .apply_pack(&primary.pack_between(&[first], before, 100, 1 << 20).unwrap().unwrap(), Some(first), before)
            .unwrap();

        save(&primary, "docs/deep/page-3.md", "# Three, changed\n");
        let after = save(&primary, "docs/other.md", "# Other\n");
        let bundle = primary.objects_between(before, after, 8, 1 << 20).unwrap().expect("a line of two saves");
        // 2 commits, 2 roots, docs/ twice, docs/deep/ once, 2 blobs.
        assert_eq!(bundle.len(), 9);
        let bundle = ObjectBundle::from_bytes(&bundle.to_bytes()).unwrap();

        // One blob short: refused, and the branch stays.
        let mut short = bundle.clone();
        let blob = short.objects.iter().position(|(kind, _)| *kind == git2::ObjectType::Blob).unwrap();
        short.objects.remove(blob);
        let other = tempfile::tempdir().unwrap();
        let (_, fresh) = pair(other.path());
        fresh.apply_pack(&primary.pack_between(&[], before, 100, 1 << 20).unwrap().unwrap(), None, before).unwrap();
        assert!(fresh.apply_objects(&short, before, after).is_err(), "a bundle lacking a blob is refused");
        assert_eq!(fresh.head().unwrap(), Some(before));

        assert_eq!(mirror.apply_objects(&bundle, before, after).unwrap(), PackUpdate::Moved);
        assert_eq!(mirror.head().unwrap(), Some(after));
        let changed = mirror.blob_at(after, "docs/deep/page-3.md").unwrap();
        assert_eq!(changed, primary.blob_at(after, "docs/deep/page-3.md").unwrap());
        assert!(changed.is_some());
        // Not where the caller thinks: nothing moves.
        let third = save(&primary, "x.md", "# X\n");
        let bundle = primary.objects_between(after, third, 8, 1 << 20).unwrap().unwrap();
        assert_eq!(mirror.apply_objects(&bundle, before, third).unwrap(), PackUpdate::Raced);
        assert_eq!(mirror.head().unwrap(), Some(after));

        // Damaged bytes, too many commits, too many bytes.
        let bytes = bundle.to_bytes();
        assert!(ObjectBundle::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(ObjectBundle::from_bytes(&[9, 0, 0, 0, 0]).is_err());
        assert_eq!(primary.objects_between(before, third, 2, 1 << 20).unwrap(), None);
        assert_eq!(primary.objects_between(after, third, 8, 10).unwrap(), None);
    }

    fn count_objects(pack: &[u8]) -> u32 {
        u32::from_be_bytes(pack[8..12].try_into().unwrap())
    }
}
