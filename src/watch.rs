//! Picks up commits made outside Lore (a push over SSH, `git commit` in a non-bare repository, a fetch
//! from a mirror): watches the repository's refs and refreshes the site when they change.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::site::Site;
use crate::{Error, Result};

/// How long to wait for a burst of ref changes (a push writes several files) to settle.
const SETTLE: Duration = Duration::from_millis(25);

/// Starts watching; the returned watcher stops when dropped.
pub fn watch_refs(site: Arc<Site>) -> Result<notify::RecommendedWatcher> {
    let (sender, receiver) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && is_ref_change(&event)
        {
            let _ = sender.send(());
        }
    })
    .map_err(watch_error)?;
    let git_dir = site.git_dir().to_path_buf();
    // Loose refs live under refs/; `git gc` and some servers move them into packed-refs at the top.
    watcher.watch(&git_dir.join("refs"), RecursiveMode::Recursive).map_err(watch_error)?;
    watcher.watch(&git_dir, RecursiveMode::NonRecursive).map_err(watch_error)?;
    std::thread::Builder::new().name("ref-watcher".into()).spawn(move || {
        while receiver.recv().is_ok() {
            std::thread::sleep(SETTLE);
            while receiver.try_recv().is_ok() {}
            match site.refresh() {
                // The refresh after a save of this server's own can come second to this one: its ref moved first.
                Ok(true) if site.serves_own_write() => tracing::debug!("followed a write of this server's own"),
                Ok(true) => tracing::info!("picked up a change made outside Lore"),
                Ok(false) => {}
                Err(err) => tracing::error!(error = %err, "refreshing after a ref change failed"),
            }
        }
    })?;
    Ok(watcher)
}

// Whether an event in the watched folders may have moved a ref. Not a lock file, and not a file opened:
// notify reports opens too, and the refresh an event starts opens the branch's ref file, so each refresh
// started the next one, 40 times a second for as long as the server ran after its first save (each holding
// the repository handles busy, so that their caches were never freed).
fn is_ref_change(event: &notify::Event) -> bool {
    let written = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    written && !event.paths.iter().all(|it| it.extension().is_some_and(|ext| ext == "lock"))
}

fn watch_error(err: notify::Error) -> Error {
    Error::Repository(format!("watching the repository: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // What the operating system reports for a ref file read, and for one written as git writes it (a lock
    // file renamed over it), through a real watcher.
    #[test]
    fn reading_a_ref_is_no_change_and_writing_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let refs = dir.path().join("refs");
        std::fs::create_dir(&refs).unwrap();
        let branch = refs.join("main");
        std::fs::write(&branch, "a\n").unwrap();
        let (sender, receiver) = mpsc::channel::<bool>();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                let _ = sender.send(is_ref_change(&event));
            }
        })
        .unwrap();
        watcher.watch(&refs, RecursiveMode::Recursive).unwrap();
        let events = |receiver: &mpsc::Receiver<bool>| -> Vec<bool> {
            let mut res = Vec::new();
            while let Ok(it) = receiver.recv_timeout(Duration::from_millis(300)) {
                res.push(it);
            }
            res
        };
        assert_eq!(std::fs::read_to_string(&branch).unwrap(), "a\n");
        let read = events(&receiver);
        assert!(!read.is_empty(), "the watcher reports opens: this test reads what it says of them");
        assert!(read.iter().all(|it| !it), "reading the ref counted as a change: {read:?}");
        let lock = refs.join("main.lock");
        std::fs::write(&lock, "b\n").unwrap();
        std::fs::rename(&lock, &branch).unwrap();
        let written = events(&receiver);
        assert!(written.iter().any(|it| *it), "writing the ref was not seen: {written:?}");
    }
}
