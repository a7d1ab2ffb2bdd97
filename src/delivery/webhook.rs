//! Webhooks: the only file that uses `ureq`. Every event goes through each webhook's filters (kinds, path
//! globs, tags) once and is queued or skipped; queued posts are claimed, sent with short timeouts and retried
//! with back-off (5 s, doubling, at most an hour apart) for 24 hours, then marked failed.
//!
//! A webhook without `paths` posts only events on paths every reader may read; one with `paths` posts what
//! they match, hidden folders included: an admin chose them, and `lore.yaml` is the admin's.

use std::time::Duration;

use globset::{GlobSet, GlobSetBuilder};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::claims::Owner;
use super::{Delivery, GIVE_UP_SECONDS, LEASE_SECONDS, WebhookSummary, compose};
use crate::auth::Access;
use crate::config::{WebhookConfig, WebhookFormat};
use crate::i18n::Translator;
use crate::state::{EventRecord, Outcome};
use crate::{Error, Result};

/// How long one post may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Events looked at, and posts claimed, per round trip to the state store.
const BATCH: usize = 100;
/// The signature header: `sha256=<hex HMAC-SHA256 of the body with the webhook's secret>`.
pub const SIGNATURE_HEADER: &str = "X-Lore-Signature-256";

/// One configured webhook, compiled.
pub struct Webhook {
    id: String,
    name: String,
    config: WebhookConfig,
    paths: Option<GlobSet>,
    tags: Vec<String>,
}

impl Webhook {
    /// Compiles a webhook's filters; its id is stable for its URL and format.
    pub fn new(config: &WebhookConfig) -> Result<Webhook> {
        let paths = if config.paths.is_empty() {
            None
        } else {
            let mut builder = GlobSetBuilder::new();
            for glob in &config.paths {
                let glob = globset::Glob::new(glob.as_str())
                    .map_err(|err| Error::bad_input(format!("webhooks.paths: bad glob {:?}: {err}", glob.as_str())))?;
                builder.add(glob);
            }
            Some(builder.build().map_err(|err| Error::bad_input(format!("webhooks.paths: {err}")))?)
        };
        let format = format_name(config.format);
        let id = {
            use sha2::Digest;
            let digest = Sha256::digest(format!("{}\n{format}", config.url.as_str()).as_bytes());
            digest.iter().take(6).map(|it| format!("{it:02x}")).collect()
        };
        let name = config.name.clone().filter(|it| !it.trim().is_empty()).unwrap_or_else(|| config.url.host());
        Ok(Webhook {
            id,
            name,
            paths,
            tags: config.tags.iter().map(|it| it.trim().to_lowercase()).collect(),
            config: config.clone(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state-store key holding when this webhook was first seen: older events are never posted to it.
    pub fn since_key(&self) -> String {
        format!("webhook_since:{}", self.id)
    }

    pub fn summary(&self) -> WebhookSummary {
        WebhookSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            host: self.config.url.host(),
            format: format_name(self.config.format),
            events: self.config.events.iter().map(|it| it.as_str().to_string()).collect(),
            paths: self.config.paths.iter().map(|it| it.as_str().to_string()).collect(),
            tags: self.tags.clone(),
        }
    }

    /// Whether this webhook posts an event.
    pub fn wants(&self, event: &EventRecord, everyone: &Access) -> bool {
        let kind_ok = self.config.events.is_empty() || self.config.events.iter().any(|it| it.as_str() == event.kind);
        let path_ok = match &self.paths {
            Some(paths) => paths.is_match(&event.path),
            None => everyone.can_read(&event.path),
        };
        let tags_ok = self.tags.is_empty() || event.tags.iter().any(|tag| self.tags.contains(&tag.to_lowercase()));
        kind_ok && path_ok && tags_ok
    }

    /// The body posted for an event; a chat message speaks `words`' language (the site's).
    pub fn body(&self, words: Translator<'_>, site: compose::Site<'_>, event: &EventRecord) -> Vec<u8> {
        let url = compose::event_url(site, event);
        match self.config.format {
            WebhookFormat::Json => {
                let body = JsonBody {
                    id: &event.id,
                    event: &event.kind,
                    title: &event.title,
                    path: &event.path,
                    url: &url,
                    actor: Actor { name: &event.actor_name, email: &event.actor_email },
                    at: compose::rfc3339(event.at),
                    summary: &event.summary,
                    tags: &event.tags,
                    commit: &event.commit_id,
                    site: SiteBody { title: site.title, url: site.url },
                };
                serde_json::to_vec(&body).expect("a JSON body serialises")
            }
            WebhookFormat::Slack => {
                let mut text = format!("<{}|{}>", slack_escape(&url), slack_escape(&compose::headline(words, event)));
                if !event.summary.trim().is_empty() {
                    text.push_str("\n> ");
                    text.push_str(&slack_escape(event.summary.trim()).replace('\n', "\n> "));
                }
                serde_json::to_vec(&serde_json::json!({ "text": text })).expect("a JSON body serialises")
            }
        }
    }

    /// `sha256=<hex>` of the body under the webhook's secret, when it has one.
    pub fn signature(&self, body: &[u8]) -> Option<String> {
        let secret = self.config.secret.as_deref()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
        mac.update(body);
        Some(format!("sha256={}", crate::auth::hex(&mac.finalize().into_bytes())))
    }

    // Posts once; `Err` with what went wrong for anything but a 2xx answer.
    fn post(&self, agent: &ureq::Agent, event: &EventRecord, body: &[u8]) -> std::result::Result<(), String> {
        let mut request = agent
            .post(self.config.url.as_str())
            .header("Content-Type", "application/json")
            .header("X-Lore-Event", &event.kind)
            .header("X-Lore-Delivery", &event.id);
        if let Some(signature) = self.signature(body) {
            request = request.header(SIGNATURE_HEADER, &signature);
        }
        match request.send(body) {
            Ok(res) if res.status().is_success() => Ok(()),
            Ok(res) => Err(format!("HTTP {}", res.status())),
            Err(err) => Err(err.to_string()),
        }
    }
}

/// The `json` format's body (docs/NOTIFICATIONS.md).
#[derive(Serialize)]
struct JsonBody<'a> {
    id: &'a str,
    event: &'a str,
    title: &'a str,
    path: &'a str,
    url: &'a str,
    actor: Actor<'a>,
    at: String,
    summary: &'a str,
    tags: &'a [String],
    commit: &'a str,
    site: SiteBody<'a>,
}

#[derive(Serialize)]
struct Actor<'a> {
    name: &'a str,
    email: &'a str,
}

#[derive(Serialize)]
struct SiteBody<'a> {
    title: &'a str,
    url: &'a str,
}

/// Queues new events for every webhook, then posts what is due; returns how many posts were delivered.
pub(crate) fn post_due(delivery: &Delivery, owner: &Owner) -> Result<usize> {
    let now = crate::auth::now();
    let everyone = delivery.everyone();
    let scan_start = delivery.scan_start(super::WEBHOOK_SCAN, now);
    for hook in &delivery.webhooks {
        let first_seen = delivery.state.meta(&hook.since_key())?.and_then(|it| it.parse().ok()).unwrap_or(now);
        let since = first_seen.max(scan_start);
        loop {
            let events = delivery.state.webhook_candidates(&hook.id, since, BATCH)?;
            delivery.state.write(|tx| {
                for event in &events {
                    tx.enqueue_webhook(&hook.id, &event.id, hook.wants(event, &everyone), now)?;
                }
                Ok(())
            })?;
            if events.len() < BATCH {
                break;
            }
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(format!("Lore/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut n_delivered = 0;
    loop {
        let now = crate::auth::now();
        let due = delivery.state.webhooks_due(now, BATCH)?;
        let n_due = due.len();
        let mut claimed = Vec::new();
        delivery.state.write(|tx| {
            for it in due {
                if tx.claim_webhook(&it.webhook_id, &it.event.id, owner.id(), now + LEASE_SECONDS, now)? {
                    claimed.push(it);
                }
            }
            Ok(())
        })?;
        for it in claimed {
            let outcome = match delivery.webhooks.iter().find(|hook| hook.id == it.webhook_id) {
                // A webhook removed from lore.yaml: its queue stays until it comes back or runs out of time.
                None => continue,
                Some(hook) => {
                    let body = hook.body(delivery.words(delivery.site_language), delivery.site(), &it.event);
                    match hook.post(&agent, &it.event, &body) {
                        Ok(()) => {
                            n_delivered += 1;
                            Outcome::Done
                        }
                        Err(error) => {
                            let retry_at = crate::auth::now() + super::backoff(it.attempts);
                            tracing::warn!(webhook = hook.name, event = it.event.id, error, "a webhook post failed");
                            if retry_at > it.created_at + GIVE_UP_SECONDS {
                                Outcome::Failed { error }
                            } else {
                                Outcome::Retry { at: retry_at, error }
                            }
                        }
                    }
                }
            };
            delivery.metrics.webhook_attempt(super::send_outcome(&outcome));
            let finished = crate::auth::now();
            delivery.state.write(|tx| {
                tx.finish_webhook(&it.webhook_id, &it.event.id, owner.id(), &outcome, finished)?;
                tx.renew_claims(owner.id(), finished + LEASE_SECONDS)
            })?;
        }
        if n_due < BATCH {
            break;
        }
    }
    Ok(n_delivered)
}

fn format_name(format: WebhookFormat) -> &'static str {
    match format {
        WebhookFormat::Json => "json",
        WebhookFormat::Slack => "slack",
    }
}

// Slack's message text treats `&`, `<` and `>` as markup.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{EventKindName, PathGlob, WebhookUrl};
    use crate::i18n::{Messages, UiLanguage};

    fn hook(events: &[&str], paths: &[&str], tags: &[&str], format: WebhookFormat) -> Webhook {
        Webhook::new(&WebhookConfig {
            name: None,
            url: WebhookUrl::parse("https://hooks.example.com/T000/secret").unwrap(),
            events: events.iter().map(|it| EventKindName::parse(it).unwrap()).collect(),
            paths: paths.iter().map(|it| PathGlob::parse(it).unwrap()).collect(),
            tags: tags.iter().map(|it| it.to_string()).collect(),
            format,
            secret: Some("s3cret".into()),
        })
        .unwrap()
    }

    fn event(kind: &str, path: &str, tags: &[&str]) -> EventRecord {
        EventRecord {
            id: "e1".into(),
            commit_id: "c1".into(),
            kind: kind.into(),
            path: path.into(),
            title: "Pay <bands>".into(),
            url: "/hr/pay".into(),
            actor_name: "Bob".into(),
            actor_email: "bob@example.com".into(),
            at: 0,
            summary: "a & b".into(),
            tags: tags.iter().map(|it| it.to_string()).collect(),
        }
    }

    fn hr_hidden() -> Access {
        let rules = crate::auth::Rules::compile(&[crate::auth::FolderRule {
            path: "hr/**".into(),
            read: Some(vec!["hr".into()]),
            edit: None,
        }])
        .unwrap();
        Access::new(Some(crate::auth::Role::Reader), Vec::new(), true, std::sync::Arc::new(rules))
    }

    #[test]
    fn filters_by_kind_path_and_tag_and_keeps_hidden_paths_out_unless_chosen() {
        let everyone = hr_hidden();
        let all = hook(&[], &[], &[], WebhookFormat::Json);
        assert!(all.wants(&event("page_changed", "eng/a.md", &[]), &everyone));
        assert!(!all.wants(&event("page_changed", "hr/pay.md", &[]), &everyone), "a hidden path leaked");
        let hr = hook(&["page_changed"], &["hr/**"], &[], WebhookFormat::Json);
        assert!(hr.wants(&event("page_changed", "hr/pay.md", &[]), &everyone));
        assert!(!hr.wants(&event("page_created", "hr/pay.md", &[]), &everyone));
        assert!(!hr.wants(&event("page_changed", "eng/a.md", &[]), &everyone));
        let ops = hook(&[], &[], &["Ops"], WebhookFormat::Json);
        assert!(ops.wants(&event("page_changed", "eng/a.md", &["ops"]), &everyone));
        assert!(!ops.wants(&event("page_changed", "eng/a.md", &["dev"]), &everyone));
    }

    #[test]
    fn bodies_are_signed_and_slack_text_is_escaped() {
        let site = compose::Site { url: "https://wiki.example.com", title: "Lore" };
        let messages = Messages::load(None).unwrap();
        let json = hook(&[], &[], &[], WebhookFormat::Json);
        let body = json.body(messages.in_language(UiLanguage::En), site, &event("page_changed", "hr/pay.md", &["ops"]));
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["event"], "page_changed");
        assert_eq!(value["url"], "https://wiki.example.com/hr/pay");
        assert_eq!(value["actor"]["email"], "bob@example.com");
        let signature = json.signature(&body).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(&body);
        assert_eq!(signature, format!("sha256={}", crate::auth::hex(&mac.finalize().into_bytes())));
        let slack = hook(&[], &[], &[], WebhookFormat::Slack);
        let value: serde_json::Value = serde_json::from_slice(&slack.body(
            messages.in_language(UiLanguage::En),
            site,
            &event("page_changed", "a.md", &[]),
        ))
        .unwrap();
        let text = value["text"].as_str().unwrap();
        assert!(text.starts_with("<https://wiki.example.com/hr/pay|Bob changed"), "{text}");
        assert!(text.contains("&lt;bands&gt;") && text.contains("a &amp; b"), "{text}");
        assert_eq!(value.as_object().unwrap().len(), 1);
    }
}
