//! The git hooks Lore installs into the repository it serves, and what they run: `lore hook pre-receive`
//! validates pushes, `lore hook post-receive` tells the running server the branch moved.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;

use crate::check::{self, Limits, Problem, Severity};
use crate::config::Config;
use crate::store::{ObjectId, Store};
use crate::{Error, Result};

/// Marks hook files Lore wrote, so it may rewrite them and never a repository's own.
const MARKER: &str = "# Installed by Lore";

const PRE_RECEIVE: &str = include_str!("../hooks/pre-receive");
const POST_RECEIVE: &str = include_str!("../hooks/post-receive");

/// Writes (or refreshes) Lore's hooks into the repository's `hooks/` folder. A hook of the same name that
/// Lore did not write is kept as `<name>.local`, which Lore's hook runs after its own checks.
pub fn install(git_dir: &Path, config: &Config, branch_ref: &str) -> Result<()> {
    let binary = match &config.lore_binary {
        Some(path) => path.clone(),
        None => std::env::current_exe()?,
    };
    let hooks_dir = git_dir.join("hooks");
    std::fs::create_dir_all(&hooks_dir)?;
    for (name, template) in [("pre-receive", PRE_RECEIVE), ("post-receive", POST_RECEIVE)] {
        let script = template
            .replace("@LORE_BINARY@", &binary.to_string_lossy())
            .replace("@BRANCH@", branch_ref)
            .replace("@MAX_PAGE_BYTES@", &config.max_page_bytes.to_string())
            .replace("@MAX_FILE_BYTES@", &config.max_upload_bytes.to_string());
        let hook = hooks_dir.join(name);
        if let Ok(existing) = std::fs::read_to_string(&hook) {
            if existing == script {
                continue;
            }
            if !existing.contains(MARKER) {
                let local = hooks_dir.join(format!("{name}.local"));
                if local.exists() {
                    return Err(Error::Repository(format!(
                        "{} and {} both exist; merge them into {name}.local so Lore can install its hook",
                        hook.display(),
                        local.display()
                    )));
                }
                std::fs::rename(&hook, &local)?;
                tracing::info!(hook = %local.display(), "kept the repository's own hook; Lore's hook runs it");
            }
        }
        let temporary = hooks_dir.join(format!("{name}.lore-tmp"));
        std::fs::write(&temporary, script)?;
        make_executable(&temporary)?;
        std::fs::rename(&temporary, &hook)?;
    }
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// One line of a pre- or post-receive hook's input: a ref moving from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
    pub name: String,
}

/// Reads `<old> <new> <ref>` lines; the all-zero id means "none".
pub fn read_updates(input: impl BufRead) -> Result<Vec<RefUpdate>> {
    let mut res = Vec::new();
    for line in input.lines() {
        let line = line?;
        let mut parts = line.split_whitespace();
        let (Some(old), Some(new), Some(name)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let parse = |id: &str| -> Result<Option<ObjectId>> {
            if id.bytes().all(|it| it == b'0') { Ok(None) } else { id.parse().map(Some) }
        };
        res.push(RefUpdate { old: parse(old)?, new: parse(new)?, name: name.to_string() });
    }
    Ok(res)
}

/// Checks a push: the served branch is neither deleted nor rewritten, every folder any new commit adds or
/// changes passes `check::check_folder` (well-formed trees, portable new names), and every file it adds or
/// changes passes `check::check_file`. Returns the problems (empty: accept).
pub fn check_push(store: &Store, updates: &[RefUpdate], branch_ref: &str, limits: Limits) -> Result<Vec<Problem>> {
    let mut res = Vec::new();
    let refusal =
        |message: String| Problem { path: branch_ref.to_string(), line: None, severity: Severity::Error, message };
    let mut checked_blobs = HashSet::new();
    let mut checked_trees = HashSet::new();
    // Only commits the repository does not hold yet are checked: history already accepted stays accepted
    // (a tag or a new branch does not re-check old files against today's rules).
    let existing = store.ref_tips()?;
    for update in updates {
        let Some(new) = update.new else {
            if update.name == branch_ref {
                res.push(refusal("deleting the wiki's branch is not allowed".into()));
            }
            continue;
        };
        if update.name == branch_ref
            && let Some(old) = update.old
            && !store.is_ancestor(old, new)?
        {
            res.push(refusal(
                "this push rewrites the wiki's history (non-fast-forward): run `git pull`, then push again".into(),
            ));
            continue;
        }
        let mut known = existing.clone();
        known.extend(update.old);
        // The trees themselves first, as git stores them: a diff only sees paths, so it cannot tell `a/b.md`
        // the folder from one entry named `a/b.md`, and it shows a name held twice once.
        for commit in store.new_commits(new, &known)? {
            for folder in store.changed_folders(commit, &mut checked_trees)? {
                for mut problem in check::check_folder(&folder) {
                    problem.message = format!("{} (in commit {})", problem.message, commit.short());
                    res.push(problem);
                }
            }
        }
        for commit in store.walk_changes_hiding(new, &known, |_| {})? {
            for change in commit.changes {
                let Some(blob) = change.blob else { continue };
                if !checked_blobs.insert((change.path.clone(), blob)) {
                    continue;
                }
                let size = store.blob_size(blob)?;
                let limit = limits.max_page_bytes.max(limits.max_file_bytes);
                if size > limit {
                    res.push(Problem {
                        path: change.path.clone(),
                        line: None,
                        severity: Severity::Error,
                        message: format!(
                            "file is {size} bytes, over the limit of {limit} bytes (in commit {})",
                            commit.info.id.short()
                        ),
                    });
                    continue;
                }
                let content = store.read_blob(blob)?;
                for mut problem in check::check_file(&change.path, &content, limits) {
                    problem.message = format!("{} (in commit {})", problem.message, commit.info.id.short());
                    res.push(problem);
                }
            }
        }
    }
    res.dedup();
    Ok(res)
}

/// Tells a running Lore (at `LORE_NOTIFY_URL`, set when the push came through Lore's HTTP) that the branch
/// moved, passing on the hook's input and, for the push log, the account that pushed (`LORE_PUSHER`, vouched
/// for by `LORE_HOOK_SECRET`). Failures are ignored: the server's file watcher notices the push as well.
pub fn notify_server(updates: &str) {
    let Ok(url) = std::env::var("LORE_NOTIFY_URL") else { return };
    let pusher = std::env::var("LORE_PUSHER").unwrap_or_default();
    let secret = std::env::var("LORE_HOOK_SECRET").unwrap_or_default();
    let is_header_safe = |it: &str| it.bytes().all(|b| b.is_ascii_graphic());
    let identity = if !pusher.is_empty() && is_header_safe(&pusher) && is_header_safe(&secret) {
        format!("X-Lore-Pusher: {pusher}\r\nX-Lore-Hook-Secret: {secret}\r\n")
    } else {
        String::new()
    };
    let Some(rest) = url.strip_prefix("http://") else { return };
    let (authority, path) =
        rest.split_once('/').map_or((rest, "/".to_string()), |(host, path)| (host, format!("/{path}")));
    let Ok(addresses) = std::net::ToSocketAddrs::to_socket_addrs(authority) else { return };
    for address in addresses {
        if let Ok(mut stream) = std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2)) {
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let request = format!(
                "POST {path} HTTP/1.1\r\nHost: {authority}\r\n{identity}Content-Length: {}\r\nConnection: close\r\n\r\n{updates}",
                updates.len()
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut answer = [0u8; 64];
                let _ = std::io::Read::read(&mut stream, &mut answer);
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ref_updates() {
        let input =
            "0000000000000000000000000000000000000000 ce013625030ba8dba906f756967f9e9ca394464a refs/heads/main\n";
        let updates = read_updates(input.as_bytes()).unwrap();
        assert_eq!(updates[0].old, None);
        assert_eq!(updates[0].new.unwrap().to_string(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(updates[0].name, "refs/heads/main");
    }
}
