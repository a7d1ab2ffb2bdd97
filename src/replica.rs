//! A replica's side of a cluster: keeps `<data>/wiki.git` a mirror of the primary's repository and the site
//! serving it current.
//!
//! The replica learns of new commits at once from the primary's event stream (`/-/api/cluster/events`,
//! server-sent events naming each new head) and from the answers to the writes it forwards (`X-Lore-Head`).
//! A small change comes with its event (and with the answer to a write this replica forwarded): the objects
//! its commits added, read once for every replica, which the replica writes as one pack through libgit2's
//! indexer (every object hashed), checks that nothing the commits changed is missing, and moves its
//! branch forward by compare-and-swap (`store::pack`). Otherwise it pulls the new head in one request and no
//! process: the primary answers `/-/api/cluster/pack` with the pack of the new commits (built in memory),
//! written through libgit2's indexer (every object hashed and checked). Anything
//! else, and any pull that fails, goes through `git fetch` of every branch over smart HTTP from the primary's
//! `/wiki.git`, with the cluster token as a bearer token (given to git in its environment, not on its command
//! line, so the process list does not show it): at the start, when the event stream (re)connects, every few
//! seconds while it is down and every half minute while it is up (in case an event was missed). After each
//! pull or fetch the site refreshes: indexes, caches and search follow as they do after any push.
//!
//! Nothing here commits: a replica's site refuses commits (`site::commits`), and the web layer forwards every
//! write to the primary (`web::forward`), counting them here. [`Replica::status`] tells how far behind the
//! replica is (commits and seconds) and how many writes it forwarded, for the admin, monitoring and
//! `/-/metrics`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use parking_lot::{Condvar, Mutex};
use serde::Serialize;

use crate::config::{ClusterToken, Config, PrimaryUrl};
use crate::site::Site;
use crate::store::{ObjectBundle, ObjectId, PackUpdate, Store};
use crate::{Error, Result};

/// The primary's event stream, relative to its address.
pub const EVENTS_PATH: &str = "/-/api/cluster/events";

/// How often the primary's event stream sends a comment when nothing happens; a replica that hears nothing
/// for three times as long reconnects.
pub const EVENTS_KEEPALIVE: Duration = Duration::from_secs(10);

/// How often a replica fetches while the event stream is down.
const FETCH_EVERY_DISCONNECTED: Duration = Duration::from_secs(3);

/// How often a replica fetches while the event stream is up (in case an event was missed).
const FETCH_EVERY_CONNECTED: Duration = Duration::from_secs(30);

/// How long connecting to the primary may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How many pulls go by between two checks whether the mirror's packs need packing together (`git gc --auto`,
/// which does so past 50 packs).
const HOUSEKEEPING_EVERY: u64 = 20;

/// The most commits a replica pulls in one pack; a replica further behind fetches with git.
pub const MAX_PACK_COMMITS: usize = 200;

/// The largest pack a replica pulls in one request; larger changes come with `git fetch`, which streams.
pub const MAX_PACK_BYTES: usize = 8 << 20;

/// What a replica tells about itself: how far behind the primary it is, and what it forwarded.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicationStatus {
    /// The primary's address.
    pub primary: String,
    /// Whether the primary's event stream is connected now.
    pub events_connected: bool,
    /// The newest head the primary announced (or a fetch brought).
    pub primary_head: Option<String>,
    /// The head this replica serves.
    pub served_head: Option<String>,
    /// Commits the primary has that this replica does not serve yet (at least 1 while behind, when the
    /// missing commits are not fetched yet).
    pub lag_commits: u64,
    /// Seconds since the primary announced a head this replica does not serve yet (0 when caught up).
    pub lag_seconds: f64,
    /// Writes (requests and pushes) forwarded to the primary, and those that failed because it was not reached.
    pub forwarded_writes: u64,
    pub failed_forwards: u64,
    /// Fetches from the primary (`git fetch`), and those that failed.
    pub fetches: u64,
    pub failed_fetches: u64,
    /// New heads pulled as one pack, and pulls that failed (a `git fetch` followed each).
    pub pulls: u64,
    pub failed_pulls: u64,
    /// Why the last fetch failed, when it did.
    pub last_fetch_error: Option<String>,
}

/// A running replica: the mirror's fetcher, the event listener, and the counts.
pub struct Replica {
    site: Arc<Site>,
    primary: PrimaryUrl,
    token: ClusterToken,
    /// The mirror, for pulls.
    mirror: Store,
    progress: Mutex<Progress>,
    /// Held while the mirror takes new commits and the site follows (by the fetcher, or by a forwarded write
    /// that brought its own): one at a time, so that neither finds the other's branch move a race.
    applying: Mutex<()>,
    /// Packs written into the mirror since git last checked whether to pack them together.
    packs_since_housekeeping: AtomicU64,
    /// Whether git's housekeeping is running in the mirror now.
    housekeeping_busy: Arc<AtomicBool>,
    /// Set when git's housekeeping finished: the mirror's idle handles still map the packs it replaced.
    housekept: Arc<AtomicBool>,
    /// What the fetcher is asked to do; it waits on `fetch_wanted`.
    wanted: Mutex<Wanted>,
    fetch_wanted: Condvar,
    events_connected: AtomicBool,
    forwarded_writes: AtomicU64,
    failed_forwards: AtomicU64,
    fetches: AtomicU64,
    failed_fetches: AtomicU64,
    pulls: AtomicU64,
    failed_pulls: AtomicU64,
}

/// Work for the fetcher thread.
#[derive(Default)]
struct Wanted {
    /// Pull the announced head as a pack.
    pull: bool,
    /// Fetch every branch with git.
    fetch: bool,
    /// The objects of a change that came with an event, to apply before asking for a pack.
    offered: Option<Offered>,
}

/// The objects of the commits from `have` to `head`, as the primary sent them.
struct Offered {
    have: ObjectId,
    head: ObjectId,
    objects: ObjectBundle,
}

#[derive(Default)]
struct Progress {
    /// The newest head the primary announced.
    announced: Option<ObjectId>,
    /// Since when this replica has not served `announced`.
    behind_since: Option<Instant>,
    last_fetch_error: Option<String>,
}

impl Replica {
    /// Makes `<data>/wiki.git` a mirror of the primary's repository on a replica's first start (a bare
    /// repository with the primary's branches and HEAD); does nothing when the mirror exists. Fails when the
    /// primary cannot be reached then: a replica with nothing to serve would only confuse.
    ///
    /// First it checks that the primary uses the same state database (`state_id`, this node's database's id):
    /// a replica on another database would forward writes by people the primary does not know. A primary that
    /// cannot be reached is not checked when the mirror exists (the replica serves what it has).
    pub fn prepare_mirror(config: &Config, state_id: &str) -> Result<()> {
        let (Some(primary), Some(token)) = (&config.replica_of, &config.cluster_token) else { return Ok(()) };
        let mirror = config.repo_path();
        match primary_state_id(primary, token) {
            Ok(found) if found == state_id => {}
            Ok(found) => {
                return Err(Error::bad_input(format!(
                    "the primary {} uses another state database (id {found}, this node's is {state_id}): give every \
                     node the same state: URL",
                    primary.as_str()
                )));
            }
            Err(err) if mirror.exists() => {
                tracing::warn!(error = %err, "the primary is not reachable; serving the mirror as it is");
            }
            Err(err) => return Err(err),
        }
        if mirror.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&config.data)?;
        let partial = config.data.join("wiki.git.partial");
        if partial.exists() {
            std::fs::remove_dir_all(&partial)?;
        }
        tracing::info!(primary = primary.as_str(), "mirroring the primary's repository");
        run_git(None, &["init", "--quiet", "--bare", &partial.display().to_string()], None)?;
        fetch(&partial, primary, token)?;
        let remote = repository_url(primary);
        let advertised = run_git(Some(&partial), &["ls-remote", "--symref", &remote, "HEAD"], Some(token))?;
        // `ref: refs/heads/main<TAB>HEAD`: the primary's default branch becomes the mirror's.
        if let Some(branch) = advertised.lines().find_map(|it| it.strip_prefix("ref: ")?.split('\t').next()) {
            run_git(Some(&partial), &["symbolic-ref", "HEAD", branch], None)?;
        }
        std::fs::rename(&partial, &mirror)?;
        Ok(())
    }

    /// Starts following the primary: the event listener and the fetcher, each on a thread of its own.
    pub fn start(site: Arc<Site>) -> Result<Arc<Replica>> {
        let config = &site.config;
        let (Some(primary), Some(token)) = (config.replica_of.clone(), config.cluster_token.clone()) else {
            return Err(Error::bad_input("replica_of and cluster_token are both needed"));
        };
        let mirror = Store::open(site.git_dir(), Some(site.branch_ref()))?;
        let replica = Arc::new(Replica {
            site,
            primary,
            token,
            mirror,
            progress: Mutex::new(Progress::default()),
            applying: Mutex::new(()),
            packs_since_housekeeping: AtomicU64::new(0),
            housekeeping_busy: Arc::new(AtomicBool::new(false)),
            housekept: Arc::new(AtomicBool::new(false)),
            wanted: Mutex::new(Wanted { pull: false, fetch: true, offered: None }),
            fetch_wanted: Condvar::new(),
            events_connected: AtomicBool::new(false),
            forwarded_writes: AtomicU64::new(0),
            failed_forwards: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
            failed_fetches: AtomicU64::new(0),
            pulls: AtomicU64::new(0),
            failed_pulls: AtomicU64::new(0),
        });
        let fetcher = replica.clone();
        std::thread::Builder::new().name("replica-fetch".into()).spawn(move || fetcher.run_fetcher())?;
        let listener = replica.clone();
        std::thread::Builder::new().name("replica-events".into()).spawn(move || listener.run_listener())?;
        Ok(replica)
    }

    /// The primary's address.
    pub fn primary(&self) -> &PrimaryUrl {
        &self.primary
    }

    /// The cluster token, for requests to the primary.
    pub fn token(&self) -> &ClusterToken {
        &self.token
    }

    /// How far behind the primary this replica is, and what it forwarded.
    pub fn status(&self) -> ReplicationStatus {
        let served = self.site.head();
        let progress = self.progress.lock();
        let announced = progress.announced.or(served);
        let behind = progress.behind_since.filter(|_| announced.is_some_and(|it| !self.site.serves(it)));
        let lag_commits = match (behind, announced) {
            (Some(_), Some(announced)) => {
                self.site.commits_between(served, announced).map_or(1, |it| it.len().max(1) as u64)
            }
            _ => 0,
        };
        ReplicationStatus {
            primary: self.primary.as_str().to_string(),
            events_connected: self.events_connected.load(Ordering::Relaxed),
            primary_head: announced.map(|it| it.to_string()),
            served_head: served.map(|it| it.to_string()),
            lag_commits,
            lag_seconds: behind.map_or(0.0, |it| it.elapsed().as_secs_f64()),
            forwarded_writes: self.forwarded_writes.load(Ordering::Relaxed),
            failed_forwards: self.failed_forwards.load(Ordering::Relaxed),
            fetches: self.fetches.load(Ordering::Relaxed),
            failed_fetches: self.failed_fetches.load(Ordering::Relaxed),
            pulls: self.pulls.load(Ordering::Relaxed),
            failed_pulls: self.failed_pulls.load(Ordering::Relaxed),
            last_fetch_error: progress.last_fetch_error.clone(),
        }
    }

    /// Notes that the primary's head is `head` (from its event stream, or from the answer to a forwarded
    /// write) and pulls it at once unless it is served already.
    pub fn announce(&self, head: ObjectId) {
        if self.site.serves(head) {
            return;
        }
        {
            let mut progress = self.progress.lock();
            progress.announced = Some(head);
            progress.behind_since.get_or_insert_with(Instant::now);
        }
        self.wanted.lock().pull = true;
        self.fetch_wanted.notify_one();
    }

    /// Like [`Replica::announce`], with the objects of the commits from `have` to `head` that the primary sent
    /// along (in its event stream): applied without asking the primary again.
    pub fn announce_with_objects(&self, have: ObjectId, head: ObjectId, objects: ObjectBundle) {
        if self.site.serves(head) {
            return;
        }
        self.wanted.lock().offered = Some(Offered { have, head, objects });
        self.announce(head);
    }

    /// Applies the objects of the commits from `have` to `head` that came with the answer to a forwarded write,
    /// here and now (blocking), so the writer reads their write as soon as the answer is in; whether the site
    /// serves `head` afterwards (when not, the caller announces it and waits for the fetcher).
    pub fn apply_now(&self, have: ObjectId, head: ObjectId, objects: &ObjectBundle) -> bool {
        let started = Instant::now();
        let _one_at_a_time = self.applying.lock();
        if self.site.serves(head) {
            tracing::debug!(waited_ms = started.elapsed().as_secs_f64() * 1e3, "a forwarded write's commit came first");
            return true;
        }
        // The mirror may have moved past `have` since the request left (an event brought a commit made
        // meanwhile): the objects from `have` hold those from any later commit of the same line.
        let Some(mirror_head) = self.mirror.head().ok().flatten() else { return false };
        if mirror_head != have && !self.mirror.is_ancestor(have, mirror_head).unwrap_or(false) {
            return false;
        }
        let applying = Instant::now();
        let applied = self.mirror.apply_objects(objects, mirror_head, head);
        tracing::debug!(
            waited_ms = (applying - started).as_secs_f64() * 1e3,
            apply_ms = applying.elapsed().as_secs_f64() * 1e3,
            "applied a forwarded write's objects"
        );
        match applied {
            Ok(PackUpdate::Moved) => {}
            Ok(PackUpdate::Raced) => return false,
            Err(err) => {
                tracing::info!(error = %err, "the objects sent with a write did not apply");
                return false;
            }
        }
        self.pulls.fetch_add(1, Ordering::Relaxed);
        self.refresh_after_pull(head)
    }

    /// Whether the primary's event stream is connected now.
    pub fn events_connected(&self) -> bool {
        self.events_connected.load(Ordering::Relaxed)
    }

    /// Asks for a fetch of every branch now (after a forwarded push, which may have moved any of them).
    pub fn want_fetch(&self) {
        self.wanted.lock().fetch = true;
        self.fetch_wanted.notify_one();
    }

    /// Counts a write forwarded to the primary: `reached` when the primary answered.
    pub fn count_forwarded(&self, reached: bool) {
        if reached {
            self.forwarded_writes.fetch_add(1, Ordering::Relaxed);
        } else {
            self.failed_forwards.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn run_fetcher(&self) {
        loop {
            let (pull, mut fetch, offered) = {
                let mut wanted = self.wanted.lock();
                if !wanted.pull && !wanted.fetch {
                    let every = if self.events_connected.load(Ordering::Relaxed) {
                        FETCH_EVERY_CONNECTED
                    } else {
                        FETCH_EVERY_DISCONNECTED
                    };
                    if self.fetch_wanted.wait_for(&mut wanted, every).timed_out() {
                        wanted.fetch = true;
                    }
                }
                (std::mem::take(&mut wanted.pull), std::mem::take(&mut wanted.fetch), wanted.offered.take())
            };
            if pull && !self.pull_and_refresh(offered) {
                fetch = true;
            }
            if fetch {
                self.fetch_and_refresh();
            }
            self.housekeeping();
        }
    }

    // Pulls the announced head as one pack; whether the site serves it now (a `git fetch` must follow if not).
    fn pull_and_refresh(&self, offered: Option<Offered>) -> bool {
        let _one_at_a_time = self.applying.lock();
        let Some(want) = self.progress.lock().announced else { return true };
        if self.site.serves(want) {
            return true;
        }
        self.pulls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let pulled = self.pull(want, offered);
        let pull_took = started.elapsed();
        match pulled {
            Ok(PackUpdate::Moved) => {}
            Ok(PackUpdate::Raced) => {
                self.failed_pulls.fetch_add(1, Ordering::Relaxed);
                tracing::debug!("the mirror's branch moved during a pull; fetching");
                return false;
            }
            Err(err) => {
                self.failed_pulls.fetch_add(1, Ordering::Relaxed);
                tracing::info!(error = %err, "pulling the primary's new head failed; fetching with git instead");
                return false;
            }
        }
        let served = self.refresh_after_pull(want);
        tracing::debug!(
            pull_ms = pull_took.as_secs_f64() * 1e3,
            refresh_ms = (started.elapsed() - pull_took).as_secs_f64() * 1e3,
            "pulled"
        );
        served
    }

    // After the mirror's branch moved to `want`: the site follows, and the lag is over when nothing newer was
    // announced. Whether the site serves `want`.
    fn refresh_after_pull(&self, want: ObjectId) -> bool {
        if let Err(err) = self.site.refresh() {
            tracing::error!(error = %err, "refreshing after a pull failed");
        }
        self.packs_since_housekeeping.fetch_add(1, Ordering::Relaxed);
        let mut progress = self.progress.lock();
        if progress.announced.is_none_or(|it| self.site.serves(it)) {
            progress.behind_since = None;
        }
        self.site.serves(want)
    }

    // Each pull leaves a small pack: git's own housekeeping packs them together once there are many (it
    // decides for itself whether there is anything to do). On a thread of its own, one run at a time: packing
    // everything together takes a while, and the fetcher must not wait for it (nor a forwarded write for the
    // fetcher).
    fn housekeeping(&self) {
        if self.housekept.swap(false, Ordering::AcqRel) {
            // The packs git merged and deleted stay mapped, and on disk, while a handle has them open.
            self.mirror.close_idle_handles();
        }
        if self.packs_since_housekeeping.load(Ordering::Relaxed) < HOUSEKEEPING_EVERY
            || self.housekeeping_busy.swap(true, Ordering::AcqRel)
        {
            return;
        }
        self.packs_since_housekeeping.store(0, Ordering::Relaxed);
        let (site, busy, housekept) = (self.site.clone(), self.housekeeping_busy.clone(), self.housekept.clone());
        let spawned = std::thread::Builder::new().name("mirror-gc".into()).spawn(move || {
            crate::priority::become_background();
            if let Err(err) = site.housekeep() {
                tracing::warn!(error = %err, "git gc --auto in the mirror failed");
            }
            housekept.store(true, Ordering::Release);
            busy.store(false, Ordering::Release);
        });
        if let Err(err) = spawned {
            tracing::warn!(error = %err, "no thread for git gc --auto in the mirror");
            self.housekeeping_busy.store(false, Ordering::Release);
        }
    }

    // The objects the primary offered when they lead from the mirror's head to `want`, else
    // `GET /-/api/cluster/pack` for `want` with the mirror's head as what it has; written into the mirror.
    fn pull(&self, want: ObjectId, offered: Option<Offered>) -> Result<PackUpdate> {
        let have = self.mirror.head()?;
        if let Some(offered) = offered.filter(|it| Some(it.have) == have && it.head == want) {
            match self.mirror.apply_objects(&offered.objects, offered.have, want) {
                Ok(update) => return Ok(update),
                Err(err) => tracing::info!(error = %err, "the objects sent with an event did not apply; pulling"),
            }
        }
        let mut path = format!("/-/api/cluster/pack?want={want}");
        if let Some(have) = have {
            path.push_str(&format!("&have={have}"));
        }
        let reader = request(&self.primary, &self.token, &path)?;
        let mut pack = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(reader, MAX_PACK_BYTES as u64 + 1), &mut pack)
            .map_err(|err| Error::Unavailable(format!("reading a pack from the primary: {err}")))?;
        if pack.len() > MAX_PACK_BYTES {
            return Err(Error::Unavailable("the primary sent a pack over the limit".into()));
        }
        self.mirror.apply_pack(&pack, have, want)
    }

    fn fetch_and_refresh(&self) {
        let _one_at_a_time = self.applying.lock();
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let waited = self.progress.lock().behind_since.map(|it| it.elapsed());
        let started = Instant::now();
        let fetched = fetch(self.site.git_dir(), &self.primary, &self.token);
        let fetch_took = started.elapsed();
        if let Err(err) = &fetched {
            self.failed_fetches.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %err, primary = self.primary.as_str(), "fetching from the primary failed");
        }
        if let Err(err) = self.site.refresh() {
            tracing::error!(error = %err, "refreshing after a fetch failed");
        }
        tracing::debug!(
            since_announced_ms = waited.map(|it| it.as_secs_f64() * 1e3),
            fetch_ms = fetch_took.as_secs_f64() * 1e3,
            refresh_ms = (started.elapsed() - fetch_took).as_secs_f64() * 1e3,
            "fetched"
        );
        let mut progress = self.progress.lock();
        progress.last_fetch_error = fetched.err().map(|it| it.to_string());
        // What the fetch brought is the primary's head as of the fetch: a head announced before it is served now.
        let served = self.site.head();
        if progress.announced.is_none_or(|it| self.site.serves(it)) {
            progress.announced = served;
            progress.behind_since = None;
        }
    }

    fn run_listener(&self) {
        loop {
            let res = self.listen();
            self.events_connected.store(false, Ordering::Relaxed);
            if let Err(err) = res {
                tracing::debug!(error = %err, "the primary's event stream ended");
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    // One connection to the primary's event stream, read until it ends.
    fn listen(&self) -> Result<()> {
        let mut reader = request(&self.primary, &self.token, EVENTS_PATH)?;
        let unreachable = |err: std::io::Error| Error::Unavailable(format!("the primary's event stream: {err}"));
        let (mut line, mut event) = (String::new(), String::new());
        self.events_connected.store(true, Ordering::Relaxed);
        tracing::info!(primary = self.primary.as_str(), "following the primary's changes");
        // Connected: whatever was missed while disconnected comes with the next fetch.
        self.want_fetch();
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(unreachable)? == 0 {
                return Ok(());
            }
            let line = line.trim_end();
            if line.is_empty() {
                // An event ends with an empty line; the next one names its own kind.
                event.clear();
            } else if let Some(kind) = line.strip_prefix("event:") {
                event = kind.trim().to_string();
            } else if let Some(data) = line.strip_prefix("data:") {
                match event.as_str() {
                    "objects" => self.take_event_objects(data.trim()),
                    _ => {
                        if let Ok(head) = data.trim().parse::<ObjectId>() {
                            self.announce(head);
                        }
                    }
                }
            }
        }
    }

    // An `objects` event's data, `<from> <to> <base64 bundle>`: offered to the fetcher, which applies it when
    // the mirror is at `from` (and pulls otherwise).
    fn take_event_objects(&self, data: &str) {
        let mut fields = data.split(' ');
        let (Some(from), Some(to), Some(objects)) = (fields.next(), fields.next(), fields.next()) else { return };
        let (Ok(from), Ok(to)) = (from.parse::<ObjectId>(), to.parse::<ObjectId>()) else { return };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(objects)
            .map_err(|err| Error::bad_input(err.to_string()))
            .and_then(|it| ObjectBundle::from_bytes(&it));
        match decoded {
            Ok(objects) => self.announce_with_objects(from, to, objects),
            Err(err) => tracing::info!(error = %err, "the primary's event carried objects that do not decode"),
        }
    }

    /// The head of this replica's mirror (what it has; ahead of what the site serves for a moment after a
    /// pull or fetch).
    pub fn mirror_head(&self) -> Option<ObjectId> {
        self.mirror.head().ok().flatten()
    }
}

// The state database id the primary reports (`/-/api/cluster/status`).
fn primary_state_id(primary: &PrimaryUrl, token: &ClusterToken) -> Result<String> {
    let mut reader = request(primary, token, "/-/api/cluster/status")?;
    let mut body = String::new();
    std::io::Read::read_to_string(&mut reader, &mut body)
        .map_err(|err| Error::Unavailable(format!("reading the primary's status: {err}")))?;
    let json: serde_json::Value = serde_json::from_str(&body)
        .map_err(|err| Error::Unavailable(format!("the primary's status is not JSON: {err}")))?;
    json.get("state_id")
        .and_then(|it| it.as_str())
        .map(str::to_string)
        .ok_or_else(|| Error::Unavailable("the primary's status has no state_id".into()))
}

// `GET path` on the primary with the cluster token, over HTTP/1.0 (the answer runs until the connection
// closes, with no chunks to decode): the reader after the headers, when the answer is 200.
fn request(primary: &PrimaryUrl, token: &ClusterToken, path: &str) -> Result<BufReader<TcpStream>> {
    let unreachable = |err: std::io::Error| Error::Unavailable(format!("the primary {}: {err}", primary.as_str()));
    let address = (primary.host.as_str(), primary.port)
        .to_socket_addrs()
        .map_err(unreachable)?
        .next()
        .ok_or_else(|| Error::Unavailable(format!("{} has no address", primary.host)))?;
    let mut stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT).map_err(unreachable)?;
    stream.set_read_timeout(Some(EVENTS_KEEPALIVE * 3)).map_err(unreachable)?;
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {}:{}\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream, application/json\r\n\r\n",
        primary.host,
        primary.port,
        token.as_str()
    );
    stream.write_all(request.as_bytes()).map_err(unreachable)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(unreachable)?;
    if line.split_whitespace().nth(1) != Some("200") {
        return Err(Error::Unavailable(format!("the primary answered {path} with {}", line.trim())));
    }
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(unreachable)? == 0 || line.trim().is_empty() {
            return Ok(reader);
        }
    }
}

/// The primary's repository: `http://host:port/wiki.git`.
fn repository_url(primary: &PrimaryUrl) -> String {
    format!("{}/wiki.git", primary.as_str())
}

// Brings every branch of the primary into the mirror, exactly (branches it deleted go too).
fn fetch(git_dir: &Path, primary: &PrimaryUrl, token: &ClusterToken) -> Result<()> {
    let remote = repository_url(primary);
    run_git(
        Some(git_dir),
        &["fetch", "--quiet", "--no-tags", "--prune", "--no-write-fetch-head", &remote, "+refs/heads/*:refs/heads/*"],
        Some(token),
    )
    .map(drop)
}

// Runs git, isolated from the user's configuration; with a token, every HTTP request carries it.
fn run_git(git_dir: Option<&Path>, args: &[&str], token: Option<&ClusterToken>) -> Result<String> {
    let mut command = Command::new("git");
    if let Some(git_dir) = git_dir {
        command.arg("--git-dir").arg(git_dir);
    }
    command
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        // A primary that stops answering mid-fetch: give up after 20 s below 1 KB/s, and try again.
        .env("GIT_HTTP_LOW_SPEED_LIMIT", "1000")
        .env("GIT_HTTP_LOW_SPEED_TIME", "20");
    // Protocol version 0: one request for the refs and one for the pack, each one `git http-backend` on the
    // primary, where version 2 makes three; a fetch of one commit took 123 ms instead of 179 ms (p50, on the
    // busy benchmark machine), a fetch that brings nothing 31 ms instead of 155 ms.
    command.env("GIT_CONFIG_COUNT", "1").env("GIT_CONFIG_KEY_0", "protocol.version").env("GIT_CONFIG_VALUE_0", "0");
    if let Some(token) = token {
        command
            .env("GIT_CONFIG_COUNT", "2")
            .env("GIT_CONFIG_KEY_1", "http.extraHeader")
            .env("GIT_CONFIG_VALUE_1", format!("Authorization: Bearer {}", token.as_str()));
    }
    let output = command.output().map_err(|err| Error::Unavailable(format!("git could not run: {err}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Unavailable(format!("git {}: {}", args[0], stderr.trim())));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
