//! The words of e-mails and chat messages: subject lines that say what happened, plain-text and HTML bodies
//! (every value escaped), absolute links. No IO.

use std::fmt::Write;

use super::{Person, Stream};
use crate::i18n::{Arg, Translator};
use crate::state::recorded;
use crate::state::{EventRecord, InboxRecord, MailCandidate};

/// The site links point at.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// Without a trailing slash.
    pub url: &'a str,
    pub title: &'a str,
}

/// One e-mail, ready for the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Stable for the same message (person and event, or person and digest): a copy sent again after a crash
    /// has the same `Message-ID`.
    pub key: String,
    pub unsubscribe_url: String,
}

/// One sentence saying who did what, in `words`' language: `Ann Author changed “Rota”`.
pub fn headline(words: Translator<'_>, event: &EventRecord) -> String {
    let actor = match event.actor_name.trim() {
        "" => words.say("event-someone", &[]),
        name => name.to_string(),
    };
    let id = match event.kind.as_str() {
        "page_created" => "event-page-created",
        "page_changed" => "event-page-changed",
        "page_deleted" => "event-page-deleted",
        "page_moved" => "event-page-moved",
        "question_asked" => "event-question-asked",
        "question_for_you" => "event-question-for-you",
        "answer_posted" => "event-answer-posted",
        "answer_accepted" => "event-answer-accepted",
        "mentioned" => "event-mentioned",
        "review_due" => "event-review-due",
        "owner_departed" => "event-owner-departed",
        _ => "event-other",
    };
    words.say(
        id,
        &[("actor", Arg::text(actor)), ("title", Arg::text(event.title.trim())), ("kind", Arg::text(&event.kind))],
    )
}

/// What an event's summary says, in `words`' language. The notifier records summaries when it sees the
/// commit, once for every reader, so the few sentences it writes itself are recorded in English and put
/// into the reader's language here (by the event's kind, so a page's own words are never taken for them);
/// the page's lines they quote stay as written.
pub fn summary(words: Translator<'_>, event: &EventRecord) -> String {
    let summary = event.summary.trim();
    let say = |id: &str, name: &str, value: &str| words.say(id, &[(name, Arg::text(value.trim()))]);
    let changed = |lines: &str| match lines {
        recorded::FRONT_MATTER => words.say("event-summary-front-matter", &[]),
        _ => match lines.strip_prefix(recorded::REMOVED) {
            Some(removed) => say("event-summary-removed", "lines", removed),
            None => lines.to_string(),
        },
    };
    match event.kind.as_str() {
        "page_changed" => changed(summary),
        "page_deleted" if summary == recorded::DELETED => words.say("event-summary-deleted", &[]),
        "page_moved" => match summary.strip_prefix(recorded::MOVED_FROM) {
            Some(rest) => match rest.split_once("; ") {
                Some((from, lines)) => format!("{}; {}", say("event-summary-moved", "from", from), changed(lines)),
                None => say("event-summary-moved", "from", rest),
            },
            None => summary.to_string(),
        },
        "question_for_you" => match summary.strip_prefix(recorded::UNANSWERED) {
            Some(title) => say("event-summary-unanswered", "title", title),
            None => summary.to_string(),
        },
        "review_due" => match summary.strip_prefix(recorded::DUE_SINCE) {
            Some(since) => say("event-summary-review-since", "since", since),
            None => summary.to_string(),
        },
        "owner_departed" => match summary.strip_suffix(recorded::OWNER_LEFT) {
            Some(name) => say("event-summary-owner-left", "name", name),
            None => summary.to_string(),
        },
        _ => summary.to_string(),
    }
}

/// An event's link, absolute.
pub fn event_url(site: Site<'_>, event: &EventRecord) -> String {
    absolute(site, &event.url)
}

/// A link on the site, absolute (links that are absolute already stay).
pub fn absolute(site: Site<'_>, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_string()
    } else if url.starts_with('/') {
        format!("{}{url}", site.url)
    } else {
        format!("{}/{url}", site.url)
    }
}

/// The e-mail for one inbox delivery sent at once, in `words`' language (the recipient's).
pub fn instant(
    words: Translator<'_>,
    site: Site<'_>,
    person: &Person,
    candidate: &MailCandidate,
    unsubscribe_url: &str,
) -> Mail {
    let event = &candidate.event;
    let headline = headline(words, event);
    let url = event_url(site, event);
    let why = why(words, &candidate.reason, &event.kind);
    let settings_url = absolute(site, "/-/account/notifications");
    let mut text = format!("{headline}\n\n");
    let summary = summary(words, event);
    if !summary.is_empty() {
        let _ = write!(text, "{summary}\n\n");
    }
    let _ = write!(text, "{}\n\n", words.say("mail-open-it", &[("url", Arg::text(&url))]));
    text_footer(&mut text, words, site, &why, &settings_url, unsubscribe_url);
    let mut html = html_start(words, &headline);
    let _ = write!(html, "<p><strong>{}</strong></p>", escape(&headline));
    if !summary.is_empty() {
        let _ = write!(html, "<blockquote>{}</blockquote>", escape(&summary));
    }
    let open = words.say("mail-open-in", &[("site", Arg::text(site.title))]);
    let _ = write!(html, "<p><a href=\"{}\">{}</a></p>", escape(&url), escape(&open));
    html_footer(&mut html, words, site, &why, &settings_url, unsubscribe_url);
    Mail {
        to_name: person.name.clone(),
        to_email: person.email.clone(),
        subject: format!("[{}] {headline}", site.title),
        text,
        html,
        key: message_key(&[&person.username, &event.id]),
        unsubscribe_url: unsubscribe_url.to_string(),
    }
}

/// A digest of inbox items in `words`' language: `period_name` is `daily` or `weekly`, `key` the digest's
/// date; `n_more` items did not fit.
pub fn digest(
    words: Translator<'_>,
    site: Site<'_>,
    person: &Person,
    (period_name, key): (&str, &str),
    items: &[InboxRecord],
    n_more: usize,
    unsubscribe_url: &str,
) -> Mail {
    let n = items.len() + n_more;
    let digest_args = [("period", Arg::text(period_name)), ("site", Arg::text(site.title)), ("n", Arg::count(n))];
    let subject = format!("[{}] {}", site.title, words.say("digest-subject", &digest_args));
    let intro = words.say("digest-intro", &digest_args);
    let inbox_url = absolute(site, "/-/inbox");
    let settings_url = absolute(site, "/-/account/notifications");
    let mut text = format!("{intro}\n\n");
    let mut html = html_start(words, &subject);
    let _ = write!(html, "<p>{}</p><ul>", escape(&intro));
    for item in items {
        let event = &item.event;
        let headline = headline(words, event);
        let more = if item.n_events > 1 {
            format!(" {}", words.say("digest-times", &[("n", Arg::count(item.n_events))]))
        } else {
            String::new()
        };
        let url = event_url(site, event);
        let _ = writeln!(text, "* {headline}{more}\n  {url}");
        let _ = write!(html, "<li><a href=\"{}\">{}</a>{}", escape(&url), escape(&headline), escape(&more));
        let summary = summary(words, event);
        if !summary.is_empty() {
            let _ = writeln!(text, "  {summary}");
            let _ = write!(html, "<br><small>{}</small>", escape(&summary));
        }
        html.push_str("</li>");
        text.push('\n');
    }
    html.push_str("</ul>");
    let inbox_link = if n_more > 0 {
        words.say("digest-more", &[("n", Arg::count(n_more))])
    } else {
        words.say("digest-inbox", &[])
    };
    let _ = write!(text, "{inbox_link}: {inbox_url}\n\n");
    let _ = write!(html, "<p><a href=\"{}\">{}</a></p>", escape(&inbox_url), escape(&inbox_link));
    let why = words.say("why-digest", &digest_args);
    text_footer(&mut text, words, site, &why, &settings_url, unsubscribe_url);
    html_footer(&mut html, words, site, &why, &settings_url, unsubscribe_url);
    Mail {
        to_name: person.name.clone(),
        to_email: person.email.clone(),
        subject,
        text,
        html,
        key: message_key(&[&person.username, period_name, key]),
        unsubscribe_url: unsubscribe_url.to_string(),
    }
}

/// A time as RFC 3339, UTC.
pub fn rfc3339(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Text made safe for HTML, in elements and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for it in text.chars() {
        match it {
            '&' => res.push_str("&amp;"),
            '<' => res.push_str("&lt;"),
            '>' => res.push_str("&gt;"),
            '"' => res.push_str("&quot;"),
            '\'' => res.push_str("&#39;"),
            other => res.push(other),
        }
    }
    res
}

/// Why a delivery reached the person, in `words`' language: "you were mentioned". E-mails put it into
/// "You get this because …" (`mail-why`), the inbox shows it alone.
pub fn why(words: Translator<'_>, reason: &str, event_kind: &str) -> String {
    let id = if reason == "mention" || event_kind == "mentioned" {
        "why-mentioned"
    } else if reason == "owner" {
        "why-owner"
    } else if reason == "own" {
        "why-own-answer"
    } else if reason == "expert" || event_kind == "question_for_you" {
        "why-expert"
    } else if let Some(rest) = reason.strip_prefix("follow:") {
        let (kind, target) = rest.split_once(':').unwrap_or((rest, ""));
        return words.say("why-follow", &[("kind", Arg::text(kind)), ("target", Arg::text(target))]);
    } else {
        match Stream::of(reason, event_kind) {
            Stream::ForMe => "why-for-me",
            Stream::Following => "why-following",
        }
    };
    words.say(id, &[])
}

fn html_start(words: Translator<'_>, title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family: sans-serif; line-height: 1.5\">",
        words.language().code(),
        escape(title)
    )
}

fn text_footer(
    text: &mut String,
    words: Translator<'_>,
    site: Site<'_>,
    why: &str,
    settings_url: &str,
    unsubscribe_url: &str,
) {
    let _ = write!(
        text,
        "-- \n{}\n{}: {settings_url}\n{}: {unsubscribe_url}\n",
        words.say("mail-why", &[("why", Arg::text(why))]),
        words.say("mail-settings", &[("site", Arg::text(site.title))]),
        words.say("mail-unsubscribe", &[]),
    );
}

fn html_footer(
    html: &mut String,
    words: Translator<'_>,
    site: Site<'_>,
    why: &str,
    settings_url: &str,
    unsubscribe_url: &str,
) {
    let _ = write!(
        html,
        "<hr><p style=\"color: #666; font-size: small\">{} \
         <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></p></body></html>",
        escape(&words.say("mail-why", &[("why", Arg::text(why))])),
        escape(settings_url),
        escape(&words.say("mail-settings", &[("site", Arg::text(site.title))])),
        escape(unsubscribe_url),
        escape(&words.say("mail-unsubscribe", &[])),
    );
}

// A short hex digest of the parts, for message ids.
fn message_key(parts: &[&str]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(parts.join("\n").as_bytes());
    digest.iter().take(12).map(|it| format!("{it:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Access;
    use crate::i18n::{Messages, UiLanguage};

    fn event(kind: &str, title: &str) -> EventRecord {
        EventRecord {
            id: "e1".into(),
            commit_id: "c1".into(),
            kind: kind.into(),
            path: "team/rota.md".into(),
            title: title.into(),
            url: "/team/rota".into(),
            actor_name: "Bob <b>".into(),
            actor_email: "bob@example.com".into(),
            at: 0,
            summary: "moved <Monday> & Tuesday".into(),
            tags: Vec::new(),
        }
    }

    fn person() -> Person {
        Person {
            username: "ann".into(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            settings: crate::delivery::Settings {
                email_for_me: crate::delivery::Frequency::Instant,
                email_following: crate::delivery::Frequency::Daily,
                auto_follow: true,
            },
            access: Access::unrestricted(),
            language: UiLanguage::En,
        }
    }

    fn messages() -> Messages {
        Messages::load(None).expect("the default theme's messages load")
    }

    #[track_caller]
    fn check(kind: &str, expected: &str) {
        assert_eq!(headline(messages().in_language(UiLanguage::En), &event(kind, "Rota")), expected);
    }

    #[test]
    fn headlines_say_what_happened() {
        check("page_changed", "Bob <b> changed \u{201c}Rota\u{201d}");
        check("mentioned", "Bob <b> mentioned you in \u{201c}Rota\u{201d}");
        check("question_for_you", "You may know the answer: Bob <b> asked \u{201c}Rota\u{201d}");
        check("review_due", "\u{201c}Rota\u{201d} is due for review");
    }

    #[test]
    fn headlines_and_reasons_speak_the_recipients_language() {
        let messages = messages();
        let german = messages.in_language(UiLanguage::De);
        assert_eq!(headline(german, &event("page_changed", "Rota")), "Bob <b> hat \u{201e}Rota\u{201c} geändert");
        assert_eq!(why(german, "mention", "mentioned"), "du wurdest erwähnt");
        assert_eq!(why(german, "follow:tag:ops", "page_changed"), "du folgst dem Schlagwort ops");
        let japanese = messages.in_language(UiLanguage::Ja);
        assert!(headline(japanese, &event("page_changed", "Rota")).contains("「Rota」"));
    }

    #[test]
    fn the_notifiers_own_summaries_speak_the_readers_language_and_a_pages_words_stay() {
        let messages = messages();
        let german = messages.in_language(UiLanguage::De);
        let said = |kind: &str, recorded: &str| {
            let mut event = event(kind, "Rota");
            event.summary = recorded.into();
            summary(german, &event)
        };
        assert_eq!(said("page_moved", "Moved from ops/rota.md"), "Verschoben von ops/rota.md");
        assert_eq!(
            said("page_moved", "Moved from ops/rota.md; Removed: old line"),
            "Verschoben von ops/rota.md; Entfernt: old line"
        );
        assert_eq!(said("page_changed", "Changed the front matter"), "Front Matter geändert");
        assert_eq!(said("page_deleted", "Deleted"), "Gelöscht");
        assert_eq!(said("question_for_you", "Still unanswered: Who runs CI?"), "Noch unbeantwortet: Who runs CI?");
        assert_eq!(said("review_due", "Due for review since 2026-01-01"), "Prüfung fällig seit 2026-01-01");
        assert!(said("owner_departed", "Ann has left: this page needs a new owner").starts_with("Ann ist nicht mehr"));
        // A page's own words are quoted as written, even when they look like Lore's.
        assert_eq!(said("page_changed", "Deleted the old rota"), "Deleted the old rota");
        assert_eq!(said("answer_posted", "Still unanswered: no"), "Still unanswered: no");
    }

    #[test]
    fn instant_mail_escapes_html_and_links_absolutely() {
        let site = Site { url: "https://wiki.example.com", title: "Lore" };
        let candidate = MailCandidate {
            username: "ann".into(),
            reason: "mention".into(),
            attempts: 0,
            event: event("mentioned", "A <i>"),
        };
        let messages = messages();
        let mail = instant(
            messages.in_language(UiLanguage::En),
            site,
            &person(),
            &candidate,
            "https://wiki.example.com/-/unsubscribe?x",
        );
        assert!(mail.subject.starts_with("[Lore] Bob <b> mentioned you"), "{}", mail.subject);
        assert!(mail.text.contains("https://wiki.example.com/team/rota"), "{}", mail.text);
        assert!(mail.text.contains("moved <Monday> & Tuesday"), "{}", mail.text);
        assert!(mail.html.contains("Bob &lt;b&gt;") && !mail.html.contains("<b>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;Monday&gt; &amp; Tuesday"), "{}", mail.html);
        assert!(mail.text.contains("because you were mentioned"), "{}", mail.text);
    }
}
