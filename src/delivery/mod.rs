//! Delivery: what the notifier put in people's inboxes goes out by e-mail (instant messages and daily or weekly
//! digests, through SMTP), and every event goes to the webhooks `lore.yaml` names. Reads the notifier's tables
//! in the state store and never changes them; its own state (what was mailed, digests, the webhook queue) is in
//! the same database.
//!
//! Rules kept here, whatever the notifier did: nobody gets mail about a path they cannot read now, nor about
//! their own actions, nor anything while disabled or without an address. Every message is claimed in the state
//! store before it is sent and marked sent once the server accepted it (`state::delivery`): nothing is lost
//! across a crash, and a message goes twice only if the process died between the server's acceptance and that
//! mark: at most the messages in flight at that moment, one per SMTP connection (`SENDERS`). The copy has the
//! same `Message-ID`, which mail clients use to show it once.
//!
//! The server runs two threads (`start`): e-mail (instant mail every few seconds or when woken, digests when
//! due) and webhooks (posts with retries). `lore digest` calls [`Delivery::send_due_digests`] directly.

mod claims;
mod compose;
pub use compose::{headline, summary, why};
mod digest;
mod mail;
mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use serde::Serialize;

use crate::auth::{Access, Auth, Role, User};
use crate::config::Config;
use crate::i18n::{Messages, Translator, UiLanguage};
use crate::metrics::{Metrics, SendOutcome};
use crate::state::{MailCandidate, Outcome, SettingsRecord, StateStore};
use crate::{Error, Result};

pub use digest::{DigestReport, Period};

/// How long a claim lasts before another process may take it over (renewed while its sender works).
const LEASE_SECONDS: i64 = 300;
/// E-mail and webhooks give up on a message this long after its event.
const GIVE_UP_SECONDS: i64 = 24 * 3600;
/// How often the threads look for work when nobody wakes them.
const TICK: Duration = Duration::from_secs(2);
/// How often the e-mail thread looks for due digests.
const DIGEST_EVERY: Duration = Duration::from_secs(60);
/// Messages claimed per round trip to the state store.
const BATCH: usize = 50;
/// SMTP connections sending at once (the transport's pool keeps as many open).
const SENDERS: usize = 8;
/// Events a tick looks at: this recent (by their time). Older ones, up to `GIVE_UP_SECONDS`, are looked at by a
/// full scan once every `FULL_SCAN_EVERY` (commits pushed long after they were made, a notifier catching up).
const RECENT_SECONDS: i64 = 3600;
const FULL_SCAN_EVERY: Duration = Duration::from_secs(60);
const MAIL_SCAN: usize = 0;
const WEBHOOK_SCAN: usize = 1;
/// The meta key holding when instant mail first ran: older inbox deliveries are never mailed.
const MAIL_SINCE_KEY: &str = "mail_since";

/// How often a person wants e-mail about one kind of thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Instant,
    Daily,
    Weekly,
    Off,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [Frequency::Instant, Frequency::Daily, Frequency::Weekly, Frequency::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Instant => "instant",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Off => "off",
        }
    }

    /// Reads a setting's value; `key` names the setting in the error.
    pub fn parse(key: &str, text: &str) -> Result<Frequency> {
        Frequency::ALL.into_iter().find(|it| it.as_str() == text).ok_or_else(|| {
            Error::bad_input(format!("{key}: unknown value {text:?}: use instant, daily, weekly or off"))
        })
    }
}

/// The two kinds of mail a person chooses a frequency for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Mentions and questions for them.
    ForMe,
    /// Things they follow.
    Following,
}

impl Stream {
    /// Which stream an inbox item belongs to, by why it reached the person and what happened.
    pub fn of(reason: &str, event_kind: &str) -> Stream {
        if matches!(reason, "mention" | "expert" | "owner" | "own")
            || matches!(event_kind, "question_for_you" | "mentioned")
        {
            Stream::ForMe
        } else {
            Stream::Following
        }
    }
}

/// A person's notification settings, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub email_for_me: Frequency,
    pub email_following: Frequency,
    pub auto_follow: bool,
}

impl Settings {
    /// The frequency of one stream.
    pub fn frequency(&self, stream: Stream) -> Frequency {
        match stream {
            Stream::ForMe => self.email_for_me,
            Stream::Following => self.email_following,
        }
    }

    fn from_record(record: &SettingsRecord) -> Settings {
        // A value this Lore does not know (written by hand or by a newer Lore) sends nothing rather than guessing.
        let read = |text: &str| Frequency::parse("", text).unwrap_or(Frequency::Off);
        Settings {
            email_for_me: read(&record.email_for_me),
            email_following: read(&record.email_following),
            auto_follow: record.auto_follow,
        }
    }

    fn to_record(self) -> SettingsRecord {
        SettingsRecord {
            email_for_me: self.email_for_me.as_str().to_string(),
            email_following: self.email_following.as_str().to_string(),
            auto_follow: self.auto_follow,
        }
    }
}

/// What a signed unsubscribe link turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unsubscribe {
    ForMe,
    Following,
    All,
}

impl Unsubscribe {
    pub fn as_str(self) -> &'static str {
        match self {
            Unsubscribe::ForMe => "for_me",
            Unsubscribe::Following => "following",
            Unsubscribe::All => "all",
        }
    }

    pub fn parse(text: &str) -> Result<Unsubscribe> {
        match text {
            "for_me" => Ok(Unsubscribe::ForMe),
            "following" => Ok(Unsubscribe::Following),
            "all" => Ok(Unsubscribe::All),
            _ => Err(Error::bad_input(format!("unknown mailing list {text:?}"))),
        }
    }

    /// The link's scope for a message about these streams.
    fn covering(streams: &[Stream]) -> Unsubscribe {
        match streams {
            [Stream::ForMe] => Unsubscribe::ForMe,
            [Stream::Following] => Unsubscribe::Following,
            _ => Unsubscribe::All,
        }
    }

    /// Settings with this scope turned off.
    pub fn apply(self, settings: Settings) -> Settings {
        let mut res = settings;
        if matches!(self, Unsubscribe::ForMe | Unsubscribe::All) {
            res.email_for_me = Frequency::Off;
        }
        if matches!(self, Unsubscribe::Following | Unsubscribe::All) {
            res.email_following = Frequency::Off;
        }
        res
    }
}

/// A webhook as the admin page shows it (never its URL's path or its secret).
#[derive(Debug, Clone, Serialize)]
pub struct WebhookSummary {
    pub id: String,
    pub name: String,
    pub host: String,
    pub format: &'static str,
    pub events: Vec<String>,
    pub paths: Vec<String>,
    pub tags: Vec<String>,
}

/// One webhook post, for the admin page.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDeliveryView {
    pub webhook: String,
    pub event_id: String,
    pub event: String,
    pub path: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// RFC 3339 times, UTC.
    pub created_at: String,
    pub updated_at: String,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
}

/// What the admin page says about delivery.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverySummary {
    /// `smtp://host:port` (never the login), when e-mail is configured.
    pub smtp: Option<String>,
    pub from: Option<String>,
    pub digest_hour: u32,
    pub webhooks: Vec<WebhookSummary>,
}

/// E-mail and webhook delivery for one data folder: a handle shared by the server's threads and handlers.
pub struct Delivery {
    state: Arc<StateStore>,
    auth: Arc<Auth>,
    site_url: String,
    site_title: String,
    // The words of e-mails and chat posts, and the language of people who chose none (the site's).
    messages: Arc<Messages>,
    site_language: UiLanguage,
    mailer: Option<mail::Mailer>,
    digest_hour: u32,
    webhooks: Vec<webhook::Webhook>,
    data_dir: std::path::PathBuf,
    owner: Mutex<Option<Arc<claims::Owner>>>,
    waker: Arc<Waker>,
    // When e-mail and webhooks last looked at every event of the last day (see `RECENT_SECONDS`).
    last_full_scan: [Mutex<Option<Instant>>; 2],
    // Where attempts to send are counted (the server's metrics; a registry nobody reads otherwise).
    metrics: Arc<Metrics>,
}

impl Delivery {
    /// Delivery as `config` sets it up, with links starting at `site_url`. Refuses settings that cannot work (a
    /// sender address that does not parse); the rest was checked when `lore.yaml` was read. E-mails speak each
    /// recipient's language (their account's, else the site's `language`), with the theme's `messages`.
    pub fn new(config: &Config, auth: Arc<Auth>, site_url: &str, messages: Arc<Messages>) -> Result<Delivery> {
        let mailer = config.mail.as_ref().map(mail::Mailer::new).transpose()?;
        let webhooks = config.webhooks.iter().map(webhook::Webhook::new).collect::<Result<Vec<_>>>()?;
        Ok(Delivery {
            state: auth.state.clone(),
            auth,
            site_url: site_url.trim_end_matches('/').to_string(),
            site_title: config.site_title.clone(),
            messages,
            site_language: config.interface_language(),
            digest_hour: config.mail.as_ref().map_or(8, |it| it.digest_hour.get()),
            mailer,
            webhooks,
            data_dir: config.data.clone(),
            owner: Mutex::new(None),
            waker: Arc::default(),
            last_full_scan: Default::default(),
            metrics: Arc::default(),
        })
    }

    /// The same delivery, counting its attempts to send in the server's `metrics`.
    pub fn counting_into(self, metrics: Arc<Metrics>) -> Delivery {
        Delivery { metrics, ..self }
    }

    /// Starts the e-mail thread (when `mail:` is set) and the webhook thread (when there are webhooks). Claims
    /// that a process which is gone left behind are released first, so its messages go out now.
    pub fn start(self: &Arc<Self>) -> Result<()> {
        let owner = self.owner()?;
        owner.release_dead(&self.state)?;
        if self.mailer.is_some() {
            self.state.write(|tx| {
                if tx.meta(MAIL_SINCE_KEY)?.is_none() {
                    tx.set_meta(MAIL_SINCE_KEY, &crate::auth::now().to_string())?;
                }
                Ok(())
            })?;
            let (delivery, waker) = (Arc::downgrade(self), self.waker.clone());
            std::thread::Builder::new().name("mail".into()).spawn(move || run_mail(&delivery, &waker))?;
        }
        if !self.webhooks.is_empty() {
            let now = crate::auth::now();
            self.state.write(|tx| {
                for hook in &self.webhooks {
                    let key = hook.since_key();
                    if tx.meta(&key)?.is_none() {
                        tx.set_meta(&key, &now.to_string())?;
                    }
                }
                Ok(())
            })?;
            let (delivery, waker) = (Arc::downgrade(self), self.waker.clone());
            std::thread::Builder::new().name("webhooks".into()).spawn(move || run_webhooks(&delivery, &waker))?;
        }
        Ok(())
    }

    /// Asks the threads to look for work now (the notifier calls it after filling inboxes).
    pub fn wake(&self) {
        self.waker.wake();
    }

    /// Whether e-mail is configured.
    pub fn mail_enabled(&self) -> bool {
        self.mailer.is_some()
    }

    /// A person's notification settings (the defaults until they change them).
    pub fn settings(&self, username: &str) -> Result<Settings> {
        Ok(Settings::from_record(&self.state.notification_settings(username)?))
    }

    /// Stores a person's notification settings.
    pub fn set_settings(&self, username: &str, settings: Settings) -> Result<()> {
        self.state.write(|tx| tx.set_notification_settings(username, &settings.to_record()))
    }

    /// The signed link that turns `scope` off for `username`, with no login.
    pub fn unsubscribe_url(&self, username: &str, scope: Unsubscribe) -> String {
        let signature = self.auth.sessions.sign_for("unsubscribe", &unsubscribe_message(username, scope));
        let user = percent_encoding::utf8_percent_encode(username, percent_encoding::NON_ALPHANUMERIC);
        format!("{}/-/unsubscribe?user={user}&list={}&sig={signature}", self.site_url, scope.as_str())
    }

    /// Checks an unsubscribe link's signature; `Forbidden` when it is not one Lore made.
    pub fn check_unsubscribe(&self, username: &str, scope: Unsubscribe, signature: &str) -> Result<()> {
        if self.auth.sessions.verify_for("unsubscribe", &unsubscribe_message(username, scope), signature) {
            Ok(())
        } else {
            Err(Error::Forbidden("this unsubscribe link is not valid: open it from the e-mail again".into()))
        }
    }

    /// Follows a signed unsubscribe link: turns its scope off. Returns the new settings.
    pub fn unsubscribe(&self, username: &str, scope: Unsubscribe, signature: &str) -> Result<Settings> {
        self.check_unsubscribe(username, scope, signature)?;
        if self.state.account(username)?.is_none() {
            return Err(Error::NotFound(format!("account {username}")));
        }
        let settings = scope.apply(self.settings(username)?);
        self.set_settings(username, settings)?;
        tracing::info!(user = username, list = scope.as_str(), "unsubscribed by link");
        Ok(settings)
    }

    /// What the admin page shows about e-mail and webhooks.
    pub fn summary(&self) -> DeliverySummary {
        DeliverySummary {
            smtp: self.mailer.as_ref().map(|it| it.server().to_string()),
            from: self.mailer.as_ref().map(|it| it.from().to_string()),
            digest_hour: self.digest_hour,
            webhooks: self.webhooks.iter().map(webhook::Webhook::summary).collect(),
        }
    }

    /// The most recent webhook posts, newest first.
    pub fn recent_webhook_deliveries(&self, limit: usize) -> Result<Vec<WebhookDeliveryView>> {
        let names: HashMap<&str, &str> = self.webhooks.iter().map(|it| (it.id(), it.name())).collect();
        let time = |at: i64| compose::rfc3339(at);
        Ok(self
            .state
            .recent_webhook_deliveries(limit)?
            .into_iter()
            .map(|it| WebhookDeliveryView {
                webhook: names.get(it.webhook_id.as_str()).map_or(it.webhook_id.clone(), |name| name.to_string()),
                next_attempt_at: (it.status == "pending").then(|| time(it.next_attempt_at)),
                delivered_at: it.delivered_at.map(time),
                created_at: time(it.created_at),
                updated_at: time(it.updated_at),
                event_id: it.event_id,
                event: it.event_kind,
                path: it.path,
                status: it.status,
                attempts: it.attempts,
                last_error: it.last_error,
            })
            .collect())
    }

    /// Sends every instant e-mail that is due now; returns how many the SMTP server accepted.
    pub fn send_instant_mail(&self) -> Result<usize> {
        let Some(mailer) = &self.mailer else { return Ok(0) };
        let owner = self.owner()?;
        let now = crate::auth::now();
        let mail_since = self.state.meta(MAIL_SINCE_KEY)?.and_then(|it| it.parse().ok()).unwrap_or(now);
        let since = mail_since.max(self.scan_start(MAIL_SCAN, now));
        let mut people = People::new(self);
        let n_sent = std::sync::atomic::AtomicUsize::new(0);
        loop {
            let candidates = self.state.mail_candidates(since, now, BATCH)?;
            let n_candidates = candidates.len();
            let mut claimed = Vec::new();
            self.state.write(|tx| {
                for candidate in candidates {
                    let wanted = people.wants_instant(&candidate)?;
                    let (username, event_id) = (&candidate.username, &candidate.event.id);
                    match wanted {
                        None => tx.skip_mail(username, event_id, now)?,
                        Some(person) => {
                            if tx.claim_mail(username, event_id, owner.id(), now + LEASE_SECONDS, now)? {
                                claimed.push((candidate, person));
                            }
                        }
                    }
                }
                Ok(())
            })?;
            // SMTP waits for an answer after every command, and a lone connection idles on the network between
            // them (`lettre` does not turn off Nagle's algorithm): a few connections in parallel keep it busy.
            let queue = Mutex::new(claimed.into_iter());
            let first_error: Mutex<Option<Error>> = Mutex::new(None);
            std::thread::scope(|scope| {
                for _ in 0..SENDERS {
                    scope.spawn(|| {
                        // The queue's lock is held only to take the next message, never while sending.
                        let next = || queue.lock().next();
                        while let Some((candidate, person)) = next() {
                            match self.send_one(mailer, &owner, &candidate, &person) {
                                Ok(true) => {
                                    n_sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                }
                                Ok(false) => {}
                                Err(err) => {
                                    first_error.lock().get_or_insert(err);
                                    return;
                                }
                            }
                        }
                    });
                }
            });
            if let Some(err) = first_error.into_inner() {
                return Err(err);
            }
            if n_candidates < BATCH {
                break;
            }
        }
        Ok(n_sent.into_inner())
    }

    // Sends one claimed message and records how it went; `Ok(true)` when the server accepted it.
    fn send_one(
        &self,
        mailer: &mail::Mailer,
        owner: &claims::Owner,
        candidate: &MailCandidate,
        person: &Person,
    ) -> Result<bool> {
        let stream = Stream::of(&candidate.reason, &candidate.event.kind);
        let unsubscribe = self.unsubscribe_url(&person.username, Unsubscribe::covering(&[stream]));
        let message = compose::instant(self.words(person.language), self.site(), person, candidate, &unsubscribe);
        let outcome = match mailer.send(&message) {
            Ok(()) => Outcome::Done,
            Err(err) => {
                let retry_at = crate::auth::now() + backoff(candidate.attempts);
                tracing::warn!(user = person.username, event = candidate.event.id, error = %err, "sending e-mail failed");
                if err.permanent || retry_at > candidate.event.at + GIVE_UP_SECONDS {
                    Outcome::Failed { error: err.message }
                } else {
                    Outcome::Retry { at: retry_at, error: err.message }
                }
            }
        };
        self.metrics.mail_attempt(send_outcome(&outcome));
        let finished = crate::auth::now();
        self.state.write(|tx| {
            tx.finish_mail(&candidate.username, &candidate.event.id, owner.id(), &outcome, finished)?;
            tx.renew_claims(owner.id(), finished + LEASE_SECONDS)
        })?;
        Ok(outcome == Outcome::Done)
    }

    /// Sends the digests that are due at this moment and were not sent yet (`lore digest`, and the server at
    /// `digest_hour`).
    pub fn send_due_digests(&self) -> Result<DigestReport> {
        let Some(mailer) = &self.mailer else {
            return Err(Error::bad_input("e-mail is not configured: add a mail: section to lore.yaml"));
        };
        let owner = self.owner()?;
        owner.release_dead(&self.state)?;
        digest::send_due(self, mailer, &owner, chrono::Utc::now())
    }

    /// Posts every webhook event that is due now; returns how many were delivered.
    pub fn post_webhooks(&self) -> Result<usize> {
        if self.webhooks.is_empty() {
            return Ok(0);
        }
        let owner = self.owner()?;
        webhook::post_due(self, &owner)
    }

    // Where a scan of events starts: a day back once a minute (and first), else an hour back.
    fn scan_start(&self, which: usize, now: i64) -> i64 {
        let mut last = self.last_full_scan[which].lock();
        if last.is_none_or(|it| it.elapsed() >= FULL_SCAN_EVERY) {
            *last = Some(Instant::now());
            now - GIVE_UP_SECONDS
        } else {
            now - RECENT_SECONDS
        }
    }

    // The words of a message to someone who reads `language`.
    fn words(&self, language: UiLanguage) -> Translator<'_> {
        self.messages.in_language(language)
    }

    fn site(&self) -> compose::Site<'_> {
        compose::Site { url: &self.site_url, title: &self.site_title }
    }

    // This process's claim identity, made (and its lock file taken) on first use.
    fn owner(&self) -> Result<Arc<claims::Owner>> {
        let mut owner = self.owner.lock();
        if let Some(owner) = owner.as_ref() {
            return Ok(owner.clone());
        }
        let made = Arc::new(claims::Owner::register(&self.data_dir)?);
        *owner = Some(made.clone());
        Ok(made)
    }

    // What every reader may read: webhooks without `paths` post only such events.
    fn everyone(&self) -> Access {
        Access::new(Some(Role::Reader), Vec::new(), true, self.auth.rules.clone())
    }
}

// How an attempt ended, as the metrics count it.
fn send_outcome(outcome: &Outcome) -> SendOutcome {
    match outcome {
        Outcome::Done => SendOutcome::Sent,
        Outcome::Retry { .. } => SendOutcome::Retry,
        Outcome::Failed { .. } => SendOutcome::Failed,
    }
}

// The e-mail thread: instant mail on every tick or wake, digests and the release of stopped processes' claims
// every minute. It ends when the server drops its `Delivery`.
fn run_mail(delivery: &Weak<Delivery>, waker: &Waker) {
    let mut seen = 0;
    let mut last_digest: Option<Instant> = None;
    let mut last_release = Instant::now();
    loop {
        let Some(delivery) = delivery.upgrade() else { return };
        if let Err(err) = delivery.send_instant_mail() {
            tracing::error!(error = %err, "sending instant e-mail failed");
        }
        if last_digest.is_none_or(|it| it.elapsed() >= DIGEST_EVERY) {
            last_digest = Some(Instant::now());
            match delivery.send_due_digests() {
                Ok(report) if report.n_sent + report.n_failed > 0 => {
                    tracing::info!(sent = report.n_sent, failed = report.n_failed, "digests")
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "sending digests failed"),
            }
        }
        if last_release.elapsed() >= DIGEST_EVERY {
            last_release = Instant::now();
            if let Err(err) = delivery.owner().and_then(|it| it.release_dead(&delivery.state)) {
                tracing::warn!(error = %err, "releasing the claims of stopped processes failed");
            }
        }
        drop(delivery);
        seen = waker.wait(seen, TICK);
    }
}

// The webhook thread: queues and posts on every tick or wake, until the server drops its `Delivery`.
fn run_webhooks(delivery: &Weak<Delivery>, waker: &Waker) {
    let mut seen = 0;
    loop {
        let Some(delivery) = delivery.upgrade() else { return };
        if let Err(err) = delivery.post_webhooks() {
            tracing::error!(error = %err, "posting webhooks failed");
        }
        drop(delivery);
        seen = waker.wait(seen, TICK);
    }
}

/// Someone mail may go to: an enabled account with an address, and what they may read.
pub(crate) struct Person {
    pub username: String,
    pub name: String,
    pub email: String,
    pub settings: Settings,
    pub access: Access,
    /// The language mail to them speaks: their account's choice, else the site's.
    pub language: UiLanguage,
}

impl Person {
    /// Whether an event may reach this person at all: they may read its path, and it is not their own doing.
    pub fn may_hear_of(&self, path: &str, actor_email: &str) -> bool {
        self.access.can_read(path) && !actor_email.trim().eq_ignore_ascii_case(self.email.trim())
    }
}

// The people one pass looks at, read once each.
struct People<'a> {
    delivery: &'a Delivery,
    known: HashMap<String, Option<Arc<Person>>>,
}

impl<'a> People<'a> {
    fn new(delivery: &'a Delivery) -> People<'a> {
        People { delivery, known: HashMap::new() }
    }

    fn get(&mut self, username: &str) -> Result<Option<Arc<Person>>> {
        if let Some(known) = self.known.get(username) {
            return Ok(known.clone());
        }
        let person = person(self.delivery, username)?.map(Arc::new);
        self.known.insert(username.to_string(), person.clone());
        Ok(person)
    }

    // The person, when this inbox delivery should be mailed to them at once.
    fn wants_instant(&mut self, candidate: &MailCandidate) -> Result<Option<Arc<Person>>> {
        let Some(person) = self.get(&candidate.username)? else { return Ok(None) };
        let stream = Stream::of(&candidate.reason, &candidate.event.kind);
        let wanted = person.settings.frequency(stream) == Frequency::Instant
            && person.may_hear_of(&candidate.event.path, &candidate.event.actor_email);
        Ok(wanted.then_some(person))
    }
}

/// The person behind an account, when mail may go to them.
pub(crate) fn person(delivery: &Delivery, username: &str) -> Result<Option<Person>> {
    let Some(record) = delivery.state.account(username)? else { return Ok(None) };
    let user = User::from_record(record)?;
    if user.disabled || !user.email.contains('@') {
        return Ok(None);
    }
    let settings = delivery.settings(username)?;
    Ok(Some(Person {
        access: delivery.auth.access_of(&user, &[]),
        language: user.language.as_deref().and_then(UiLanguage::parse).unwrap_or(delivery.site_language),
        username: user.username,
        name: user.name,
        email: user.email,
        settings,
    }))
}

fn unsubscribe_message(username: &str, scope: Unsubscribe) -> String {
    format!("{username}\n{}", scope.as_str())
}

/// How long to wait after the `attempts`-th failure: 5 s, doubling, at most an hour.
pub(crate) fn backoff(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    (5i64 << doublings).min(3600)
}

// Wakes the threads: a counter that moves on each `wake`, and a condition variable to wait on.
#[derive(Default)]
struct Waker {
    generation: Mutex<u64>,
    changed: Condvar,
}

impl Waker {
    fn wake(&self) {
        *self.generation.lock() += 1;
        self.changed.notify_all();
    }

    // Waits until woken after `seen` or until `timeout`; returns the generation seen now.
    fn wait(&self, seen: u64, timeout: Duration) -> u64 {
        let mut generation = self.generation.lock();
        if *generation == seen {
            self.changed.wait_for(&mut generation, timeout);
        }
        *generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_five_seconds_up_to_an_hour() {
        let delays: Vec<i64> = (0..12).map(backoff).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
        assert_eq!(backoff(1000), 3600);
    }

    #[test]
    fn streams_follow_the_reason_and_the_event() {
        assert_eq!(Stream::of("mention", "page_changed"), Stream::ForMe);
        assert_eq!(Stream::of("expert", "question_asked"), Stream::ForMe);
        assert_eq!(Stream::of("follow:tag:ops", "question_for_you"), Stream::ForMe);
        assert_eq!(Stream::of("follow:page:a.md", "page_changed"), Stream::Following);
    }

    #[test]
    fn unsubscribing_turns_off_only_its_scope() {
        let on = Settings { email_for_me: Frequency::Instant, email_following: Frequency::Daily, auto_follow: true };
        let following = Unsubscribe::Following.apply(on);
        assert_eq!((following.email_for_me, following.email_following), (Frequency::Instant, Frequency::Off));
        let all = Unsubscribe::All.apply(on);
        assert_eq!((all.email_for_me, all.email_following), (Frequency::Off, Frequency::Off));
        assert!(all.auto_follow);
    }

    #[test]
    fn frequencies_parse_and_name_the_setting_when_they_do_not() {
        assert_eq!(Frequency::parse("email_for_me", "weekly").unwrap(), Frequency::Weekly);
        let err = Frequency::parse("email_for_me", "hourly").unwrap_err().to_string();
        assert!(err.contains("email_for_me") && err.contains("hourly"), "{err}");
    }
}
