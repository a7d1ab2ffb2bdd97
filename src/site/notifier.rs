//! The notifier: reads the events of every new commit after a durable cursor (`notify_cursor` in the state
//! store), works out who should hear of each (followers of the page, its folders, tags, question and author;
//! people it mentions; the experts a new question should reach), and puts it in their inboxes. A commit's
//! deliveries go in transactions of at most 50, the last together with the cursor, and delivery is idempotent,
//! so after a crash at any moment a
//! restart delivers every event after the cursor exactly once. Nobody hears of what they may not read, or of
//! their own actions. Events are recorded in every mode (webhooks read them); inboxes need accounts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use globset::Glob;
use parking_lot::Mutex;

use super::Site;
use super::events::{EventKind, WikiEvent};
use crate::Result;
use crate::auth::{Auth, User};
use crate::content::mentions::Mention;
use crate::state::{EventRecord, FollowRecord, Transaction};
use crate::store::ObjectId;

/// The state-store key of the last commit whose events were delivered.
const CURSOR_KEY: &str = "notify_cursor";

/// Edits to one page by anyone within this many seconds gather into one inbox item.
const COALESCE_SECONDS: i64 = 600;

/// Commits read per round; a long push is worked through in rounds.
/// Inbox deliveries written per state transaction (see `notify_pending`).
const DELIVERIES_PER_TRANSACTION: usize = 50;

const COMMITS_PER_ROUND: usize = 200;

/// How often open questions are looked at for reminders, at most, in seconds (more often when
/// `unanswered_after` is short).
const UNANSWERED_EVERY_SECONDS: i64 = 60;

/// How often pages are looked at for review dates and departed owners while the branch stands still, in
/// seconds. A moved branch is looked at sooner, since it may have changed `people.yaml` or a review period.
const STEWARDS_EVERY_SECONDS: i64 = 600;

/// How soon after the last look a moved branch is looked at, in seconds: a look reads every page's front
/// matter, and at one per save it was a seventh of the CPU of a save storm on a 10,000-page wiki.
const STEWARDS_AFTER_CHANGE_SECONDS: i64 = 10;

/// The notifier's wake-up, whether it has caught up once, when it last looked for unanswered questions, and
/// when and at which head it last looked for pages due for review or left by their owners.
pub(super) struct Notifier {
    wakeup: Mutex<Option<mpsc::Sender<()>>>,
    caught_up: AtomicBool,
    last_unanswered_sweep: AtomicI64,
    last_stewards_sweep: Mutex<(i64, Option<ObjectId>)>,
}

impl Notifier {
    /// Not running yet.
    pub(super) fn new() -> Notifier {
        Notifier {
            wakeup: Mutex::new(None),
            caught_up: AtomicBool::new(false),
            last_unanswered_sweep: AtomicI64::new(0),
            last_stewards_sweep: Mutex::new((0, None)),
        }
    }
}

/// Who should hear of one event, and why.
struct Recipient {
    username: String,
    reason: String,
}

impl Site {
    /// Tells the notifier the branch moved.
    pub(super) fn wake_notifier(&self) {
        if let Some(wakeup) = self.notifier.wakeup.lock().as_ref() {
            let _ = wakeup.send(());
        }
    }

    /// Whether the notifier has delivered everything up to the head it last saw at least once.
    pub fn notifier_caught_up(&self) -> bool {
        self.notifier.caught_up.load(Ordering::Acquire)
    }

    /// Delivers the events of every commit since the cursor, now and whenever the branch moves (and every few
    /// seconds, so a question left unanswered is noticed). Runs until the site is dropped; call it on a thread
    /// of its own.
    /// `delivered` is called after a round that filled inboxes (delivery sends what it can at once).
    pub fn run_notifier(site: Arc<Site>, auth: Arc<Auth>, delivered: impl Fn()) {
        let (sender, receiver) = mpsc::channel();
        *site.notifier.wakeup.lock() = Some(sender);
        let weak = Arc::downgrade(&site);
        drop(site);
        loop {
            let Some(site) = weak.upgrade() else { return };
            match site.notify_pending(&auth) {
                Ok(n) => {
                    site.notifier.caught_up.store(true, Ordering::Release);
                    site.metrics.inbox_delivered(n);
                    if n > 0 {
                        delivered();
                    }
                }
                // The change index is still being built: wait for the next wake-up.
                Err(crate::Error::Unavailable(_)) => {}
                Err(err) => tracing::error!(error = %err, "delivering notifications failed"),
            }
            let now = chrono::Utc::now().timestamp();
            let every =
                (site.config.unanswered_after_seconds().unwrap_or(86_400) / 4).clamp(1, UNANSWERED_EVERY_SECONDS);
            if now - site.notifier.last_unanswered_sweep.load(Ordering::Acquire) >= every {
                site.notifier.last_unanswered_sweep.store(now, Ordering::Release);
                match site.remind_unanswered(&auth, now) {
                    Ok(n) if n > 0 => {
                        site.metrics.inbox_delivered(n);
                        delivered()
                    }
                    Ok(_) => {}
                    Err(err) => tracing::error!(error = %err, "reminding of unanswered questions failed"),
                }
            }
            let head = site.head();
            let (last_at, last_head) = *site.notifier.last_stewards_sweep.lock();
            let waited = now - last_at;
            let due =
                waited >= STEWARDS_EVERY_SECONDS || (head != last_head && waited >= STEWARDS_AFTER_CHANGE_SECONDS);
            if site.changes_ready() && due {
                *site.notifier.last_stewards_sweep.lock() = (now, head);
                match site.remind_stewards(&auth, now) {
                    Ok(n) if n > 0 => delivered(),
                    Ok(_) => {}
                    Err(err) => tracing::error!(error = %err, "reminding of reviews and departed owners failed"),
                }
            }
            drop(site);
            match receiver.recv_timeout(Duration::from_secs(1)) {
                Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
            while receiver.try_recv().is_ok() {}
        }
    }

    /// On a first start, records the head the server starts at as where the notifier begins. Its first round
    /// waits for the change index, and a first round that found no cursor began at the head it found then: a
    /// save made in between (a fresh wiki's first minutes) reached nobody.
    pub fn begin_notifying_at_head(&self, auth: &Auth) -> Result<()> {
        let Some(head) = self.head() else { return Ok(()) };
        auth.state.write(|tx| {
            if tx.meta(CURSOR_KEY)?.is_none() {
                tx.set_meta(CURSOR_KEY, &head.to_string())?;
            }
            Ok(())
        })
    }

    /// The last commit whose events are in the inboxes (`None` before the notifier's first round).
    pub fn notifier_cursor(&self, auth: &Auth) -> Result<Option<ObjectId>> {
        Ok(auth.state.meta(CURSOR_KEY)?.and_then(|it| it.parse::<ObjectId>().ok()))
    }

    /// Delivers the events of every commit after the cursor; returns how many inbox deliveries were made.
    pub fn notify_pending(self: &Arc<Site>, auth: &Auth) -> Result<usize> {
        let state = &auth.state;
        let mut delivered = 0;
        loop {
            let cursor = state.meta(CURSOR_KEY)?.and_then(|it| it.parse::<ObjectId>().ok());
            let batch = self.events_after(cursor, COMMITS_PER_ROUND)?;
            if let Some(head) = batch.restart_at {
                // A first start (or rewritten history): start from now, never from the beginning of time.
                state.write(|tx| tx.set_meta(CURSOR_KEY, &head.to_string()))?;
                return Ok(delivered);
            }
            if batch.commits.is_empty() {
                return Ok(delivered);
            }
            let people = People::load(auth)?;
            let folder_follows = state.follows_of_kind("folder")?;
            for (commit, events) in batch.commits {
                let mut routed = Vec::new();
                for event in &events {
                    routed.extend(self.route(auth, &people, &folder_follows, event)?);
                }
                // A commit's deliveries go in transactions of at most DELIVERIES_PER_TRANSACTION, so a save that
                // records its push waits for one of them, not for a thousand followers. Delivery is idempotent
                // per (event, recipient), so a crash between them redoes the commit without doubles; the cursor
                // moves in the last, with the automatic follows.
                let deliveries: Vec<(&EventRecord, &Recipient)> = routed
                    .iter()
                    .flat_map(|(record, recipients, _)| recipients.iter().map(move |it| (record, it)))
                    .collect();
                let (first, last) = deliveries.split_at(deliveries.len().saturating_sub(DELIVERIES_PER_TRANSACTION));
                for chunk in first.chunks(DELIVERIES_PER_TRANSACTION) {
                    delivered += state.write(|tx| deliver_all(tx, chunk))?;
                }
                delivered += state.write(|tx| {
                    let n = deliver_all(tx, last)?;
                    for (record, _, auto_follow) in &routed {
                        tx.insert_event(record)?;
                        if let Some((username, target)) = auto_follow {
                            auto_follow_in(tx, &people, username, record, target)?;
                        }
                    }
                    tx.set_meta(CURSOR_KEY, &commit.to_string())?;
                    Ok(n)
                })?;
            }
        }
    }

    /// Sends every question left unanswered for `unanswered_after` to everyone who follows its tags (and to its
    /// experts again when nobody does), once per question; returns how many deliveries were made.
    pub fn remind_unanswered(self: &Arc<Site>, auth: &Auth, now: i64) -> Result<usize> {
        let waited = self.config.unanswered_after_seconds()?;
        let reader = self.reader(&crate::auth::Access::unrestricted());
        let people = People::load(auth)?;
        let folder_follows = auth.state.follows_of_kind("folder")?;
        let mut delivered = 0;
        for question in reader.questions() {
            let open = question.status == crate::content::questions::Status::Open && question.n_answers == 0;
            if !open || question.last_activity == 0 || now - question.last_activity < waited {
                continue;
            }
            let Ok(path) = crate::content::RepoPath::parse(&question.path) else { continue };
            let asker = question.asked_by.as_deref().map(crate::content::stewardship::email_of).unwrap_or_default();
            let event = WikiEvent {
                commit: self.head().unwrap_or_else(question_commit_placeholder),
                kind: EventKind::QuestionForYou,
                path: path.clone(),
                title: question.title.clone(),
                url: question.url.clone(),
                actor: crate::store::Person {
                    name: question.asked_by.as_deref().and_then(|it| it.split(" <").next()).unwrap_or("someone").into(),
                    email: asker.clone(),
                },
                at: now,
                summary: format!("{}{}", crate::state::recorded::UNANSWERED, question.title),
                tags: question.tags.clone(),
                mentioned: None,
                related: None,
                answer_author: None,
            };
            let mut record = record_of(&event);
            // One reminder per question, whatever the head: the id names the question, not the commit.
            record.id = reminder_id(&question.path);
            record.commit_id = String::new();
            let mut recipients: Vec<Recipient> = Vec::new();
            let tags: Vec<String> = question.tags.iter().map(|it| it.to_lowercase()).collect();
            let mut candidates = auth.state.followers("tag", &tags)?;
            candidates.extend(folder_follows.iter().filter(|it| glob_matches(&it.target, path.as_str())).cloned());
            let muted: Vec<&str> = candidates.iter().filter(|it| it.muted).map(|it| it.username.as_str()).collect();
            let allowed = |user: &User| {
                !user.disabled
                    && user.email.trim().to_lowercase() != asker
                    && !muted.contains(&user.username.as_str())
                    && auth.access_of(user, &[]).can_read(path.as_str())
            };
            for follow in candidates.iter().filter(|it| !it.muted) {
                if let Some(user) = people.by_username(&follow.username).filter(|it| allowed(it))
                    && !recipients.iter().any(|it| it.username == user.username)
                {
                    let reason = format!("follow:{}:{}", follow.kind, follow.target);
                    recipients.push(Recipient { username: user.username.clone(), reason });
                }
            }
            if recipients.is_empty() {
                for email in self.experts_to_ask(&path, self.config.notify_experts) {
                    if let Some(user) = people.by_email(&email).filter(|it| allowed(it)) {
                        recipients.push(Recipient { username: user.username.clone(), reason: "expert".into() });
                    }
                }
            }
            delivered += auth.state.write(|tx| {
                tx.insert_event(&record)?;
                let mut n = 0;
                for recipient in &recipients {
                    n += usize::from(tx.deliver(&recipient.username, &record, &recipient.reason, 0)?.is_some());
                }
                Ok(n)
            })?;
        }
        Ok(delivered)
    }

    /// Tells the active owners and the followers of every page that fell due for review (`review_every`),
    /// once per page and due date; and the remaining owners, the page's followers and the followers of the
    /// person, of every page whose owner `people.yaml` lists as departed, once per page and owner. These come
    /// from the clock and the current head rather than from one commit, so they are swept: at once when the
    /// branch moves, else every few minutes. Returns how many deliveries were made.
    pub fn remind_stewards(self: &Arc<Site>, auth: &Auth, now: i64) -> Result<usize> {
        use crate::content::stewardship::{self, ReviewState};
        if !self.changes_ready() {
            return Ok(0);
        }
        let snapshot = self.snapshot();
        let statuses = self.people_statuses(&snapshot);
        let today = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default().date_naive();
        let people = People::load(auth)?;
        let folder_mutes: Vec<FollowRecord> =
            auth.state.follows_of_kind("folder")?.into_iter().filter(|it| it.muted).collect();
        // Read once per sweep: the sweep runs at every head change, over every page with owners or a review date.
        let mut page_follows: HashMap<String, Vec<FollowRecord>> = HashMap::new();
        for follow in auth.state.follows_of_kind("page")? {
            page_follows.entry(follow.target.clone()).or_default().push(follow);
        }
        let mut reminders: Vec<(EventRecord, Vec<Recipient>)> = Vec::new();
        for (path, meta) in snapshot.pages.iter() {
            let kind = crate::content::PageKind::of(path.as_str());
            if !super::is_searchable(path.as_str()) || kind == crate::content::PageKind::Answer {
                continue;
            }
            let steward = stewardship::stewardship(&meta.front_matter);
            if steward.owners.is_empty() && steward.review_every_days.is_none() {
                continue;
            }
            let status_of = |owner: &str| {
                statuses
                    .get(&stewardship::email_of(owner))
                    .or_else(|| statuses.get(&owner.trim().to_lowercase()))
                    .map(|it| it.status.clone())
            };
            let account_of = |owner: &str| {
                people.by_email(&stewardship::email_of(owner)).or_else(|| people.by_username(owner.trim()))
            };
            let active_owners: Vec<&User> =
                steward.owners.iter().filter(|it| status_of(it).is_none()).filter_map(|it| account_of(it)).collect();
            let follows: &[FollowRecord] = page_follows.get(path.as_str()).map_or(&[], Vec::as_slice);
            let muted = |user: &User| {
                follows.iter().any(|it| it.muted && it.username == user.username)
                    || folder_mutes
                        .iter()
                        .any(|it| it.username == user.username && glob_matches(&it.target, path.as_str()))
            };
            let allowed =
                |user: &User| !user.disabled && !muted(user) && auth.access_of(user, &[]).can_read(path.as_str());
            let recipients_of = |extra: &[FollowRecord]| {
                let mut res: Vec<Recipient> = Vec::new();
                let owners = active_owners.iter().map(|it| (*it, "owner".to_string()));
                let followers = follows.iter().chain(extra).filter(|it| !it.muted).filter_map(|follow| {
                    people
                        .by_username(&follow.username)
                        .map(|user| (user, format!("follow:{}:{}", follow.kind, follow.target)))
                });
                for (user, reason) in owners.chain(followers) {
                    if allowed(user) && !res.iter().any(|it| it.username == user.username) {
                        res.push(Recipient { username: user.username.clone(), reason });
                    }
                }
                res
            };
            let lore = crate::store::Person { name: "Lore".into(), email: String::new() };
            let last_edit = self.last_change(path.as_str()).and_then(|it| chrono::DateTime::from_timestamp(it.time, 0));
            if let ReviewState::NeedsReview { since } = stewardship::review_state(&steward, last_edit, today) {
                let record = sweep_record(
                    format!("review_due:{path}:{since}"),
                    EventKind::ReviewDue,
                    path,
                    &meta.title,
                    &lore,
                    now,
                    format!("{}{since}", crate::state::recorded::DUE_SINCE),
                    &meta.front_matter.tags,
                );
                reminders.push((record, recipients_of(&[])));
            }
            for owner in steward.owners.iter().filter(|it| status_of(it).as_deref() == Some("departed")) {
                let email = stewardship::email_of(owner);
                let name = statuses.get(&email).and_then(|it| it.name.clone()).unwrap_or_else(|| owner.trim().into());
                let person_follows = auth.state.followers("person", std::slice::from_ref(&email))?;
                let record = sweep_record(
                    format!("owner_departed:{path}:{email}"),
                    EventKind::OwnerDeparted,
                    path,
                    &meta.title,
                    &crate::store::Person { name: name.clone(), email: email.clone() },
                    now,
                    format!("{name}{}", crate::state::recorded::OWNER_LEFT),
                    &meta.front_matter.tags,
                );
                reminders.push((record, recipients_of(&person_follows)));
            }
        }
        if reminders.is_empty() {
            return Ok(0);
        }
        auth.state.write(|tx| {
            let mut n = 0;
            for (record, recipients) in &reminders {
                tx.insert_event(record)?;
                for recipient in recipients {
                    n += usize::from(tx.deliver(&recipient.username, record, &recipient.reason, 0)?.is_some());
                }
            }
            Ok(n)
        })
    }

    // The records one event becomes (the event, and for a new question the experts' own event), each with its
    // recipients, and what the actor auto-follows: (username, `kind:target`).
    #[allow(clippy::type_complexity)]
    fn route(
        self: &Arc<Site>,
        auth: &Auth,
        people: &People,
        folder_follows: &[FollowRecord],
        event: &WikiEvent,
    ) -> Result<Vec<(EventRecord, Vec<Recipient>, Option<(String, String)>)>> {
        let state = &auth.state;
        let actor = people.by_email(&event.actor.email);
        let record = record_of(event);
        let path = event.path.as_str();
        let question = event.related.as_ref().map(|it| it.as_str().to_string());
        // Follows and mutes that may concern this event, as (follow, reason).
        let mut candidates: Vec<(FollowRecord, String)> = Vec::new();
        let mut add = |follows: Vec<FollowRecord>| {
            for follow in follows {
                let reason = format!("follow:{}:{}", follow.kind, follow.target);
                candidates.push((follow, reason));
            }
        };
        let mut direct: Vec<Recipient> = Vec::new();
        match event.kind {
            EventKind::Mentioned => {
                let username = match &event.mentioned {
                    Some(Mention::Account(name)) => people.by_username(name).map(|it| it.username.clone()),
                    Some(Mention::Email(email)) => people.by_email(email).map(|it| it.username.clone()),
                    None => None,
                };
                direct.extend(username.map(|username| Recipient { username, reason: "mention".into() }));
            }
            EventKind::AnswerAccepted => {
                if let Some(author) = event.answer_author.as_deref().and_then(|it| people.by_email(it)) {
                    direct.push(Recipient { username: author.username.clone(), reason: "own".into() });
                }
                add(state.followers("question", &[path.to_string()])?);
            }
            _ => {}
        }
        if !matches!(event.kind, EventKind::Mentioned) {
            let mut pages = vec![path.to_string()];
            pages.extend(question.iter().cloned());
            if event.kind == EventKind::PageMoved {
                add(state.followers("page", &pages)?);
            } else if !matches!(event.kind, EventKind::AnswerPosted | EventKind::AnswerAccepted) {
                add(state.followers("page", &[path.to_string()])?);
            }
            if event.kind == EventKind::AnswerPosted {
                add(state.followers("question", &question.iter().cloned().collect::<Vec<_>>())?);
            }
            if event.kind == EventKind::QuestionAsked {
                add(state.followers("question", &[path.to_string()])?);
            }
            let tags: Vec<String> = event.tags.iter().map(|it| it.to_lowercase()).collect();
            add(state.followers("tag", &tags)?);
            add(state.followers("person", &[event.actor.email.to_lowercase()])?);
            let folder_path = question.as_deref().unwrap_or(path);
            add(folder_follows.iter().filter(|it| glob_matches(&it.target, folder_path)).cloned().collect());
        }
        // A mute anywhere that matches silences this event for that person, whatever else they follow.
        let muted: Vec<String> =
            candidates.iter().filter(|(it, _)| it.muted).map(|(it, _)| it.username.clone()).collect();
        let mut recipients: BTreeMap<String, String> = BTreeMap::new();
        for recipient in direct {
            recipients.entry(recipient.username).or_insert(recipient.reason);
        }
        for (follow, reason) in candidates.into_iter().filter(|(it, _)| !it.muted) {
            recipients.entry(follow.username).or_insert(reason);
        }
        let allowed = |username: &str| {
            let Some(user) = people.by_username(username) else { return false };
            !user.disabled
                && actor.is_none_or(|actor| actor.username != user.username)
                && !muted.iter().any(|it| it == username)
                && auth.access_of(user, &[]).can_read(path)
        };
        let recipients: Vec<Recipient> = recipients
            .into_iter()
            .filter(|(username, _)| allowed(username))
            .map(|(username, reason)| Recipient { username, reason })
            .collect();
        let auto_follow = actor.and_then(|actor| {
            let target = match event.kind {
                EventKind::PageCreated | EventKind::PageChanged | EventKind::PageMoved => format!("page:{path}"),
                EventKind::QuestionAsked => format!("question:{path}"),
                EventKind::AnswerPosted => format!("question:{}", question.clone()?),
                _ => return None,
            };
            Some((actor.username.clone(), target))
        });
        let mut res = vec![(record, recipients, auto_follow)];
        if event.kind == EventKind::QuestionAsked {
            // The people who know most about it hear of it as a question for them.
            let experts: Vec<Recipient> = self
                .experts_to_ask(&event.path, self.config.notify_experts)
                .into_iter()
                .filter_map(|email| people.by_email(&email))
                .filter(|user| allowed(&user.username))
                .map(|user| Recipient { username: user.username.clone(), reason: "expert".into() })
                .collect();
            if !experts.is_empty() {
                let mut ask = event.clone();
                ask.kind = EventKind::QuestionForYou;
                res.push((record_of(&ask), experts, None));
            }
        }
        Ok(res)
    }
}

// Accounts by user name and e-mail, read once per round.
struct People {
    users: Vec<User>,
    by_username: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
}

impl People {
    fn load(auth: &Auth) -> Result<People> {
        let users = auth.accounts.users()?;
        let by_username = users.iter().enumerate().map(|(i, it)| (it.username.to_lowercase(), i)).collect();
        let by_email = users.iter().enumerate().map(|(i, it)| (it.email.trim().to_lowercase(), i)).collect();
        Ok(People { users, by_username, by_email })
    }

    fn by_username(&self, username: &str) -> Option<&User> {
        self.by_username.get(&username.to_lowercase()).map(|it| &self.users[*it])
    }

    fn by_email(&self, email: &str) -> Option<&User> {
        self.by_email.get(&email.trim().to_lowercase()).map(|it| &self.users[*it])
    }
}

// The actor follows what they created, edited, asked or answered, unless they turned that off.
fn auto_follow_in(
    tx: &Transaction<'_>,
    people: &People,
    username: &str,
    record: &EventRecord,
    target: &str,
) -> Result<()> {
    if people.by_username(username).is_none() {
        return Ok(());
    }
    let Some((kind, target)) = target.split_once(':') else { return Ok(()) };
    if !tx.notification_settings(username)?.auto_follow {
        return Ok(());
    }
    let follow = FollowRecord {
        username: username.to_string(),
        kind: kind.to_string(),
        target: target.to_string(),
        muted: false,
        auto: true,
        since: record.at,
    };
    tx.follow(&follow)?;
    Ok(())
}

// Whether a folder follow's glob takes in `path`.
fn glob_matches(glob: &str, path: &str) -> bool {
    Glob::new(glob).is_ok_and(|glob| glob.compile_matcher().is_match(path))
}

// The event id of the one reminder a question gets.
fn reminder_id(path: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("unanswered:{path}").as_bytes());
    digest.iter().take(12).map(|it| format!("{it:02x}")).collect()
}

// A swept event (a review falling due, an owner leaving): its id names what it is about, not a commit, so it
// is recorded and delivered once however often the sweep runs.
#[allow(clippy::too_many_arguments)]
fn sweep_record(
    key: String,
    kind: EventKind,
    path: &crate::content::RepoPath,
    title: &str,
    actor: &crate::store::Person,
    at: i64,
    summary: String,
    tags: &[String],
) -> EventRecord {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    EventRecord {
        id: digest.iter().take(12).map(|it| format!("{it:02x}")).collect(),
        commit_id: String::new(),
        kind: kind.as_str().to_string(),
        path: path.as_str().to_string(),
        title: title.to_string(),
        url: path.url(),
        actor_name: actor.name.clone(),
        actor_email: actor.email.clone(),
        at,
        summary,
        tags: tags.to_vec(),
    }
}

// Reminders belong to no commit; an empty branch has no head to name either.
fn question_commit_placeholder() -> ObjectId {
    "0000000000000000000000000000000000000000".parse().expect("forty zeros are an object id")
}

fn record_of(event: &WikiEvent) -> EventRecord {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(event.key().as_bytes());
    EventRecord {
        id: digest.iter().take(12).map(|it| format!("{it:02x}")).collect(),
        commit_id: event.commit.to_string(),
        kind: event.kind.as_str().to_string(),
        path: event.path.as_str().to_string(),
        title: event.title.clone(),
        url: event.url.clone(),
        actor_name: event.actor.name.clone(),
        actor_email: event.actor.email.clone(),
        at: event.at,
        summary: event.summary.clone(),
        tags: event.tags.clone(),
    }
}

// Inserts each delivery's event (once) and delivers it; how many inbox deliveries were new.
fn deliver_all(tx: &Transaction<'_>, deliveries: &[(&EventRecord, &Recipient)]) -> Result<usize> {
    let mut n = 0;
    for (record, recipient) in deliveries {
        tx.insert_event(record)?;
        n += usize::from(tx.deliver(&recipient.username, record, &recipient.reason, COALESCE_SECONDS)?.is_some());
    }
    Ok(n)
}
