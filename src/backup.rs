//! Backups of a data folder (`lore backup DEST`) and restores from them (`lore restore SRC --data DIR`).
//!
//! A backup is a folder: `wiki.bundle` (a git bundle of every ref of the served repository), `lore.db` (the
//! state database, copied with SQLite's online backup API) or `state.pgdump` (a PostgreSQL state database,
//! dumped with `pg_dump`), `secret.key` (signs sessions and unsubscribe
//! links), `lore.yaml` (the settings, when a file was used) and `manifest.json` (format and Lore version, when,
//! the served branch and its head commit, and each file's size and SHA-256). It is written beside its final
//! place and renamed into it at the end, so a backup folder is whole or absent. Nothing is locked: the
//! server and the command line keep working while it runs.
//!
//! Order, for a restore that is coherent: the state database is copied first, then the bundle's refs are
//! fixed. Refs only move forward (Lore never rewrites the served branch), so every commit the database names
//! (the notifier's cursor, inbox events, the push log) is in the bundle; the commits saved in between are in
//! the bundle without their events, and the restored server's notifier delivers them at its first start, as
//! after any restart. The other order would restore inboxes naming changes that history lacks. The head
//! recorded in the manifest is read from the bundle itself, so it is always in it.
//!
//! The state database is matched on its kind: SQLite is copied with the online backup API; a PostgreSQL state
//! is dumped with `pg_dump` at the same step (one snapshot), and restored with `pg_restore` into an empty
//! database that `lore restore --state` names (never into one that holds Lore's state already).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::store::{self, GitProgress, Store};
use crate::{Error, Result, auth, state};

/// The manifest's file name in a backup folder.
pub const MANIFEST: &str = "manifest.json";

/// The manifest format this Lore writes and reads.
pub const FORMAT: u32 = 1;

const BUNDLE: &str = "wiki.bundle";
const SETTINGS: &str = "lore.yaml";

/// What a backup holds: written last, read first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format ([`FORMAT`]).
    pub format: u32,
    /// The version of the Lore that wrote the backup.
    pub lore_version: String,
    /// When the backup was made (RFC 3339, UTC).
    pub created: String,
    /// The served branch, as a full ref name.
    pub branch: String,
    /// The branch's head commit in the bundle.
    pub head: String,
    /// Where the state lived: `sqlite` or `postgres`.
    pub state: String,
    pub files: Vec<ManifestFile>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub bytes: u64,
    /// SHA-256 of the content, in hex.
    pub sha256: String,
}

/// Where the people state lives, and so how a backup copies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StateKind {
    /// `<data>/lore.db`, copied with SQLite's online backup API.
    Sqlite,
    /// A PostgreSQL database (`state: postgres://…`), dumped with `pg_dump`.
    Postgres,
}

/// The file a PostgreSQL state is dumped into (`pg_dump`'s custom format).
const PG_DUMP: &str = "state.pgdump";

impl StateKind {
    fn of(config: &Config) -> StateKind {
        match config.state_location() {
            state::StateLocation::Embedded => StateKind::Sqlite,
            state::StateLocation::Postgres(_) => StateKind::Postgres,
        }
    }

    fn name(self) -> &'static str {
        match self {
            StateKind::Sqlite => "sqlite",
            StateKind::Postgres => "postgres",
        }
    }

    /// The state's file name in a backup.
    fn file_name(self) -> &'static str {
        match self {
            StateKind::Sqlite => state::FILE,
            StateKind::Postgres => PG_DUMP,
        }
    }

    /// Copies the state as it is now into `dest`; returns the bytes written.
    fn back_up(self, config: &Config, dest: &Path) -> Result<u64> {
        match (self, config.state_location()) {
            (StateKind::Postgres, state::StateLocation::Postgres(url)) => state::dump_postgres(&url, dest),
            _ => state::backup_database(&config.data, dest),
        }
    }

    /// Puts a backed-up state into the data folder `data_dir` (SQLite) or the database `target`
    /// (PostgreSQL), checked.
    fn restore(self, backed_up: &Path, data_dir: &Path, target: Option<&state::PostgresUrl>) -> Result<()> {
        self.check_target(target)?;
        match target {
            None => {
                copy_private(backed_up, &data_dir.join(state::FILE))?;
                state::check_database(data_dir)
            }
            Some(url) => state::load_postgres(backed_up, url),
        }
    }

    // Whether `target` fits this kind: checked before anything is written.
    fn check_target(self, target: Option<&state::PostgresUrl>) -> Result<()> {
        match (self, target) {
            (StateKind::Sqlite, None) | (StateKind::Postgres, Some(_)) => Ok(()),
            (StateKind::Sqlite, Some(_)) => Err(Error::bad_input(
                "this backup's state is an SQLite database (lore.db): leave out --state, it goes into the data folder",
            )),
            (StateKind::Postgres, None) => Err(Error::bad_input(
                "this backup's state is a PostgreSQL dump: give --state postgres://… naming a new, empty database to \
                 load it into",
            )),
        }
    }

    fn parse(name: &str) -> Result<StateKind> {
        match name {
            "sqlite" => Ok(StateKind::Sqlite),
            "postgres" => Ok(StateKind::Postgres),
            other => Err(Error::bad_input(format!("this Lore cannot restore a state of kind {other:?}"))),
        }
    }
}

/// Writes a backup of the data folder `config` names (and of `settings_file`, when the settings came from
/// one) into the new folder `dest`. `say` hears each step as a line for people; git shows its own progress
/// when `git_progress` says so.
pub fn create(
    config: &Config,
    settings_file: Option<&Path>,
    dest: &Path,
    git_progress: GitProgress,
    say: &mut dyn FnMut(&str),
) -> Result<Manifest> {
    let dest = &std::path::absolute(dest)?;
    refuse_non_empty(dest, "backup folder")?;
    let store = Store::open(&config.repo_path(), config.branch.as_deref())?;
    let branch = store.branch_ref().to_string();
    let kind = StateKind::of(config);
    let partial = partial_folder(dest)?;
    let res = (|| {
        let mut files = Vec::new();
        say(&format!("[1/4] State database ({})…", kind.name()));
        let state_file = partial.join(kind.file_name());
        let bytes = kind.back_up(config, &state_file)?;
        say(&format!("      {} copied ({})", size(bytes), kind.file_name()));
        files.push(describe(&state_file)?);

        say(&format!("[2/4] Wiki: every ref of {}…", store.git_dir().display()));
        let bundle = partial.join(BUNDLE);
        store::create_bundle(store.git_dir(), &bundle, git_progress)?;
        make_private(&bundle)?;
        let head = store::bundle_refs(&bundle)?
            .into_iter()
            .find(|(name, _)| *name == branch)
            .map(|(_, id)| id)
            .ok_or_else(|| Error::Repository(format!("the branch {branch} has no commits to back up")))?;
        let bundled = describe(&bundle)?;
        say(&format!("      {}, {branch} at {} ({BUNDLE})", size(bundled.bytes), head.short()));
        files.push(bundled);

        say("[3/4] Secret key…");
        let key = config.data.join(auth::SECRET_KEY_FILE);
        if key.is_file() {
            let copy = partial.join(auth::SECRET_KEY_FILE);
            copy_private(&key, &copy)?;
            files.push(describe(&copy)?);
            say(&format!("      copied ({})", auth::SECRET_KEY_FILE));
        } else if kind == StateKind::Postgres {
            say("      kept in the shared state database (in its dump): skipped");
        } else {
            say("      none yet (made at the first start): skipped");
        }

        say("[4/4] Settings…");
        match settings_file {
            Some(path) => {
                let copy = partial.join(SETTINGS);
                copy_private(path, &copy)?;
                files.push(describe(&copy)?);
                say(&format!("      {} copied ({SETTINGS})", path.display()));
            }
            None => say("      no settings file (defaults and flags): skipped"),
        }

        let manifest = Manifest {
            format: FORMAT,
            lore_version: env!("CARGO_PKG_VERSION").to_string(),
            created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            branch: branch.clone(),
            head: head.to_string(),
            state: kind.name().to_string(),
            files,
        };
        let text = serde_json::to_string_pretty(&manifest).map_err(|err| Error::bad_input(err.to_string()))?;
        write_private(&partial.join(MANIFEST), format!("{text}\n").as_bytes())?;
        sync_folder(&partial)?;
        std::fs::rename(&partial, dest)?;
        say(&format!("Checksums in {}.", dest.join(MANIFEST).display()));
        Ok(manifest)
    })();
    if res.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    res
}

/// Builds a working data folder `data_dir` (new, or empty) from the backup in `src`: checks every file
/// against the manifest first, then unbundles the repository into `<data_dir>/wiki.git` and puts the state,
/// the secret key and the settings (`<data_dir>/lore.yaml`) beside it. A PostgreSQL state goes into the
/// database `state` names, which must be empty; an SQLite state takes no `state`.
pub fn restore(
    src: &Path,
    data_dir: &Path,
    state: Option<&state::PostgresUrl>,
    git_progress: GitProgress,
    say: &mut dyn FnMut(&str),
) -> Result<Manifest> {
    let (src, data_dir) = (&std::path::absolute(src)?, &std::path::absolute(data_dir)?);
    let manifest = read_manifest(src)?;
    let kind = StateKind::parse(&manifest.state)?;
    kind.check_target(state)?;
    refuse_non_empty(data_dir, "data folder")?;
    say(&format!(
        "Backup of {} (Lore {}), {} at {}.",
        manifest.created,
        manifest.lore_version,
        manifest.branch,
        &manifest.head[..manifest.head.len().min(7)]
    ));
    say(&format!("[1/4] Checking {} files against the manifest…", manifest.files.len()));
    for file in &manifest.files {
        let found = describe(&src.join(&file.name))?;
        if found.bytes != file.bytes || found.sha256 != file.sha256 {
            return Err(Error::bad_input(format!(
                "{} does not match the manifest ({} bytes, SHA-256 {}; the manifest says {} bytes, {}): the backup \
                 is damaged",
                file.name, found.bytes, found.sha256, file.bytes, file.sha256
            )));
        }
        say(&format!("      {} ok ({})", file.name, size(file.bytes)));
    }
    let has = |name: &str| manifest.files.iter().any(|it| it.name == name);
    for required in [BUNDLE, kind.file_name()] {
        if !has(required) {
            return Err(Error::bad_input(format!("the backup has no {required}")));
        }
    }
    let partial = partial_folder(data_dir)?;
    let res = (|| {
        say("[2/4] Wiki: unbundling every ref into wiki.git…");
        let git_dir = partial.join("wiki.git");
        store::restore_bundle(&src.join(BUNDLE), &git_dir, &manifest.branch, git_progress)?;
        let head = Store::open(&git_dir, Some(&manifest.branch))?.head()?.map(|it| it.to_string());
        if head.as_deref() != Some(manifest.head.as_str()) {
            return Err(Error::Repository(format!(
                "{} is at {} after unbundling, not at the manifest's {}",
                manifest.branch,
                head.unwrap_or_else(|| "nothing".into()),
                manifest.head
            )));
        }
        say(&format!("      {} at {}", manifest.branch, &manifest.head[..7]));
        say("[3/4] State database…");
        kind.restore(&src.join(kind.file_name()), &partial, state)?;
        say("      checked");
        say("[4/4] Secret key and settings…");
        for name in [auth::SECRET_KEY_FILE, SETTINGS] {
            if has(name) {
                copy_private(&src.join(name), &partial.join(name))?;
                say(&format!("      {name}"));
            }
        }
        sync_folder(&partial)?;
        if data_dir.exists() {
            // An empty folder: the rename takes its place.
            std::fs::remove_dir(data_dir)?;
        }
        std::fs::rename(&partial, data_dir)?;
        Ok(())
    })();
    if res.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    res?;
    Ok(manifest)
}

/// Reads a backup's manifest; refuses a format this Lore does not know and file names that are not plain.
pub fn read_manifest(src: &Path) -> Result<Manifest> {
    let path = src.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|err| {
        Error::bad_input(format!("{} cannot be read ({err}): is {} a Lore backup?", path.display(), src.display()))
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|err| Error::bad_input(format!("{}: not a Lore backup manifest ({err})", path.display())))?;
    if manifest.format != FORMAT {
        return Err(Error::bad_input(format!(
            "the backup's manifest has format {}, but this Lore reads format {FORMAT}: restore it with the Lore that \
             wrote it ({})",
            manifest.format, manifest.lore_version
        )));
    }
    for file in &manifest.files {
        let plain = !file.name.is_empty()
            && file.name != MANIFEST
            && !file.name.starts_with('.')
            && !file.name.contains(['/', '\\']);
        if !plain {
            return Err(Error::bad_input(format!("the manifest names an unexpected file {:?}", file.name)));
        }
    }
    if manifest.head.len() != 40 || !manifest.head.bytes().all(|it| it.is_ascii_hexdigit()) {
        return Err(Error::bad_input(format!("the manifest's head {:?} is not a commit id", manifest.head)));
    }
    Ok(manifest)
}

// A folder that does not exist, or an empty one, is fine to fill.
fn refuse_non_empty(folder: &Path, what: &str) -> Result<()> {
    match std::fs::read_dir(folder).map(|mut it| it.next().is_none()) {
        Ok(false) => Err(Error::bad_input(format!("the {what} {} is not empty: name a new folder", folder.display()))),
        Ok(true) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err.into()),
    }
}

// A new private folder beside `final_place`, renamed into it once complete.
fn partial_folder(final_place: &Path) -> Result<PathBuf> {
    let name = final_place
        .file_name()
        .ok_or_else(|| Error::bad_input(format!("{} names no folder", final_place.display())))?;
    let partial = final_place.with_file_name(format!(".{}.partial-{}", name.to_string_lossy(), std::process::id()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&partial)?;
    Ok(partial)
}

// Backups hold password hashes and the secret key: only their owner reads them.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = create_private(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

// A new file only its owner may read (a backup never overwrites one).
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    Ok(options.open(path)?)
}

// Git writes files readable by everyone; a bundle holds every folder, those folder rules hide too.
fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}

fn copy_private(from: &Path, to: &Path) -> Result<()> {
    let mut source = std::fs::File::open(from)?;
    let mut copy = create_private(to)?;
    std::io::copy(&mut source, &mut copy)?;
    copy.sync_all()?;
    Ok(())
}

// The files' contents reach the disk before the folder is renamed into place.
fn sync_folder(folder: &Path) -> Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::File::open(entry.path())?.sync_all()?;
        }
    }
    Ok(())
}

// A file's name, size and SHA-256, read in one pass.
fn describe(path: &Path) -> Result<ManifestFile> {
    let mut file = std::fs::File::open(path)
        .map_err(|err| Error::bad_input(format!("{} cannot be read: {err}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    let sha256 = hasher.finalize().iter().map(|it| format!("{it:02x}")).collect();
    let name = path.file_name().map(|it| it.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(ManifestFile { name, bytes, sha256 })
}

// Sizes for people: bytes, KB, MB, GB.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(999), "999 bytes");
        assert_eq!(size(1_500), "1.5 KB");
        assert_eq!(size(12_300_000), "12.3 MB");
    }

    #[test]
    fn a_manifest_naming_files_outside_the_backup_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = |name: &str, format: u32| {
            serde_json::json!({
                "format": format, "lore_version": "0.1.0", "created": "2025-01-01T00:00:00Z",
                "branch": "refs/heads/main", "head": "0".repeat(40), "state": "sqlite",
                "files": [{"name": name, "bytes": 1, "sha256": "00"}],
            })
            .to_string()
        };
        std::fs::write(dir.path().join(MANIFEST), manifest("../secret.key", FORMAT)).unwrap();
        assert!(read_manifest(dir.path()).unwrap_err().to_string().contains("unexpected file"));
        std::fs::write(dir.path().join(MANIFEST), manifest("lore.db", FORMAT + 1)).unwrap();
        assert!(read_manifest(dir.path()).unwrap_err().to_string().contains("format 2"));
        std::fs::write(dir.path().join(MANIFEST), manifest("lore.db", FORMAT)).unwrap();
        assert_eq!(read_manifest(dir.path()).unwrap().files[0].name, "lore.db");
    }
}
