//! Picks up commits made outside Lore (a push over SSH, `git commit` in a non-bare repository, a fetch
//! from a mirror): watches the repository's refs and refreshes the site when they change.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::site::Site;
use crate::{Error, Result};

/// How long to wait for a burst of ref changes (a push writes several files) to settle.
const SETTLE: Duration = Duration::from_millis(25);

/// Starts watching; the returned watcher stops when dropped.
pub fn watch_refs(site: Arc<Site>) -> Result<notify::RecommendedWatcher> {
    let (sender, receiver) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.paths.iter().all(|it| it.extension().is_some_and(|ext| ext == "lock"))
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

fn watch_error(err: notify::Error) -> Error {
    Error::Repository(format!("watching the repository: {err}"))
}
