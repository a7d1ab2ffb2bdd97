//! What Lore asks of the `git` command line, which libgit2 lacks. Git bundles, for backups: one file holding
//! every ref of a repository and the objects they reach, written and read with `git bundle` and `git fetch`,
//! which also checks every object it unpacks. And git's own housekeeping (`git gc --auto`).

use std::path::Path;
use std::process::{Command, Stdio};

use super::ObjectId;
use crate::{Error, Result};

/// Whether git prints its own progress (to the inherited standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitProgress {
    Shown,
    Quiet,
}

/// Writes a bundle of every ref of the repository at `git_dir` to `bundle`: each ref as it was when read, and
/// the objects they reach, however the repository moves on meanwhile.
pub fn create_bundle(git_dir: &Path, bundle: &Path, progress: GitProgress) -> Result<()> {
    // `git bundle create --all` reads the refs, then reads each again to name it in the bundle, and leaves out,
    // with a warning, a ref that moved in between: a save during a backup left the branch out, and with only one
    // branch git refused to write an "empty bundle". So git bundles a still copy of the refs: a repository of
    // their own beside the bundle, borrowing the objects (`objects/info/alternates`), removed afterwards.
    let still = bundle.with_extension("refs.git");
    let _ = std::fs::remove_dir_all(&still);
    let res = bundle_still_refs(git_dir, &still, bundle, progress);
    let _ = std::fs::remove_dir_all(&still);
    res
}

fn bundle_still_refs(git_dir: &Path, still: &Path, bundle: &Path, progress: GitProgress) -> Result<()> {
    let mut list = git(git_dir);
    // Sorted by name, as a packed-refs file wants them.
    list.args(["for-each-ref", "--format=%(objectname) %(refname)"]);
    let refs = output_of(list, "git for-each-ref")?;
    std::fs::create_dir_all(still.join("objects").join("info"))?;
    std::fs::create_dir_all(still.join("refs"))?;
    let objects = std::fs::canonicalize(git_dir.join("objects"))?;
    std::fs::write(still.join("objects").join("info").join("alternates"), format!("{}\n", objects.display()))?;
    std::fs::write(still.join("packed-refs"), refs)?;
    std::fs::copy(git_dir.join("HEAD"), still.join("HEAD"))?;
    let mut command = git(still);
    command.args(["bundle", "create"]);
    command.arg(match progress {
        GitProgress::Shown => "--progress",
        GitProgress::Quiet => "--quiet",
    });
    command.arg(bundle).arg("--all");
    run(command, progress, "git bundle create")
}

/// The refs a bundle holds, with the commits they point at (`HEAD` included when it was bundled).
pub fn bundle_refs(bundle: &Path) -> Result<Vec<(String, ObjectId)>> {
    // `list-heads` needs no repository, but git wants a folder to start in: the bundle's own.
    let folder = bundle.parent().filter(|it| !it.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut command = Command::new("git");
    command.current_dir(folder).arg("bundle").arg("list-heads").arg(bundle);
    let output = command.stdin(Stdio::null()).output().map_err(|err| git_missing(&err))?;
    if !output.status.success() {
        return Err(Error::Repository(format!(
            "git bundle list-heads {}: {}",
            bundle.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let mut refs = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Some((id, name)) = line.split_once(' ') else { continue };
        refs.push((name.to_string(), id.parse()?));
    }
    Ok(refs)
}

/// Makes a new bare repository at `git_dir` holding every ref of `bundle`, with `HEAD` on `branch_ref`.
pub fn restore_bundle(bundle: &Path, git_dir: &Path, branch_ref: &str, progress: GitProgress) -> Result<()> {
    let mut init = Command::new("git");
    init.args(["init", "--quiet", "--bare"]).arg(git_dir);
    run(init, GitProgress::Quiet, "git init")?;
    let mut fetch = git(git_dir);
    fetch.arg("fetch");
    fetch.arg(match progress {
        GitProgress::Shown => "--progress",
        GitProgress::Quiet => "--quiet",
    });
    // Every ref as it was, tags and notes too; `HEAD` is set below rather than fetched.
    fetch.arg(bundle).arg("+refs/*:refs/*");
    run(fetch, progress, "git fetch from the bundle")?;
    let mut head = git(git_dir);
    head.args(["symbolic-ref", "HEAD", branch_ref]);
    run(head, GitProgress::Quiet, "git symbolic-ref HEAD")
}

/// Git's own housekeeping, `git gc --auto`: once there are many loose objects or many packs, it packs them
/// together and removes what is packed; otherwise it only counts and returns. Every commit leaves a few
/// loose objects, and in a flat wiki one of them is its whole folder (400 KB at 10,000 pages): git's
/// threshold of 6,700 would let 2,000 saves take a gigabyte, so a server's repository is packed from 1,000
/// (a pack of the loose objects alone, quick; all packs together past 50 of them). Safe beside readers and
/// writers (git's own locking, and nothing recent is pruned). Runs in the foreground of the calling thread,
/// which should be a background one.
pub fn housekeep(git_dir: &Path) -> Result<()> {
    let mut gc = git(git_dir);
    gc.args(["-c", "gc.autoDetach=false", "-c", "gc.auto=1000", "gc", "--auto", "--quiet"]);
    run(gc, GitProgress::Quiet, "git gc --auto")
}

// `git` on the repository at `git_dir`, whatever the current folder and the environment's GIT_DIR say.
fn git(git_dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("--git-dir")
        .arg(git_dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null());
    command
}

// Runs a git command; its standard error goes to ours when progress is shown, else into the error message.
fn run(mut command: Command, progress: GitProgress, what: &str) -> Result<()> {
    command.stdout(Stdio::null());
    if progress == GitProgress::Shown {
        command.stderr(Stdio::inherit());
        let status = command.status().map_err(|err| git_missing(&err))?;
        return if status.success() { Ok(()) } else { Err(Error::Repository(format!("{what} failed ({status})"))) };
    }
    let output = command.stderr(Stdio::piped()).output().map_err(|err| git_missing(&err))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Error::Repository(format!("{what} failed: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}

// Runs a git command and returns what it printed.
fn output_of(mut command: Command, what: &str) -> Result<Vec<u8>> {
    let output = command.stderr(Stdio::piped()).output().map_err(|err| git_missing(&err))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(Error::Repository(format!("{what} failed: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}

fn git_missing(err: &std::io::Error) -> Error {
    Error::Repository(format!("cannot run git ({err}); backups need the git command line"))
}
