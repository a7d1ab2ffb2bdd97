//! The words of e-mails and chat messages: subject lines that say what happened, plain-text and HTML bodies
//! (every value escaped), absolute links. No IO.

use std::fmt::Write;

use super::{Person, Stream};
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

/// One sentence saying who did what: `Ann Author changed "Rota"`.
pub fn headline(event: &EventRecord) -> String {
    let actor = if event.actor_name.trim().is_empty() { "Someone" } else { event.actor_name.trim() };
    let title = quoted(&event.title);
    match event.kind.as_str() {
        "page_created" => format!("{actor} created {title}"),
        "page_changed" => format!("{actor} changed {title}"),
        "page_deleted" => format!("{actor} deleted {title}"),
        "page_moved" => format!("{actor} moved {title}"),
        "question_asked" => format!("{actor} asked {title}"),
        "question_for_you" => format!("You may know the answer: {actor} asked {title}"),
        "answer_posted" => format!("{actor} answered {title}"),
        "answer_accepted" => format!("{actor} accepted an answer to {title}"),
        "mentioned" => format!("{actor} mentioned you in {title}"),
        "review_due" => format!("{title} is due for review"),
        "owner_departed" => format!("{title} needs a new owner"),
        other => format!("{actor}: {other} {title}"),
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

/// The e-mail for one inbox delivery sent at once.
pub fn instant(site: Site<'_>, person: &Person, candidate: &MailCandidate, unsubscribe_url: &str) -> Mail {
    let event = &candidate.event;
    let headline = headline(event);
    let url = event_url(site, event);
    let why = why(&candidate.reason, &event.kind);
    let settings_url = absolute(site, "/-/account/notifications");
    let mut text = format!("{headline}.\n\n");
    if !event.summary.trim().is_empty() {
        let _ = write!(text, "{}\n\n", event.summary.trim());
    }
    let _ = write!(
        text,
        "Open it: {url}\n\n-- \nYou get this because {why}.\nChange how {} e-mails you: {settings_url}\nUnsubscribe: {unsubscribe_url}\n",
        site.title
    );
    let mut html = html_start(&headline);
    let _ = write!(html, "<p><strong>{}</strong>.</p>", escape(&headline));
    if !event.summary.trim().is_empty() {
        let _ = write!(html, "<blockquote>{}</blockquote>", escape(event.summary.trim()));
    }
    let _ = write!(html, "<p><a href=\"{}\">Open it in {}</a></p>", escape(&url), escape(site.title));
    html_footer(&mut html, site, &why, &settings_url, unsubscribe_url);
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

/// A digest of inbox items: `period_name` is `daily` or `weekly`, `key` the digest's date; `n_more` items did
/// not fit.
pub fn digest(
    site: Site<'_>,
    person: &Person,
    (period_name, key): (&str, &str),
    items: &[InboxRecord],
    n_more: usize,
    unsubscribe_url: &str,
) -> Mail {
    let n = items.len() + n_more;
    let things = if n == 1 { "1 update".to_string() } else { format!("{n} updates") };
    let subject = format!("[{}] Your {period_name} digest: {things}", site.title);
    let inbox_url = absolute(site, "/-/inbox");
    let settings_url = absolute(site, "/-/account/notifications");
    let mut text = format!("Your {period_name} digest from {}: {things}.\n\n", site.title);
    let mut html = html_start(&subject);
    let _ = write!(html, "<p>Your {period_name} digest from {}: {things}.</p><ul>", escape(site.title));
    for item in items {
        let event = &item.event;
        let headline = headline(event);
        let more = if item.n_events > 1 { format!(" ({} times)", item.n_events) } else { String::new() };
        let url = event_url(site, event);
        let _ = writeln!(text, "* {headline}{more}\n  {url}");
        let _ = write!(html, "<li><a href=\"{}\">{}</a>{}", escape(&url), escape(&headline), escape(&more));
        if !event.summary.trim().is_empty() {
            let _ = writeln!(text, "  {}", event.summary.trim());
            let _ = write!(html, "<br><small>{}</small>", escape(event.summary.trim()));
        }
        html.push_str("</li>");
        text.push('\n');
    }
    html.push_str("</ul>");
    if n_more > 0 {
        let _ = write!(text, "…and {n_more} more in your inbox: {inbox_url}\n\n");
        let _ = write!(html, "<p><a href=\"{}\">…and {n_more} more in your inbox</a></p>", escape(&inbox_url));
    } else {
        let _ = write!(text, "Your inbox: {inbox_url}\n\n");
        let _ = write!(html, "<p><a href=\"{}\">Your inbox</a></p>", escape(&inbox_url));
    }
    let why = format!("you chose a {period_name} digest");
    let _ = write!(
        text,
        "-- \nYou get this because {why}.\nChange how {} e-mails you: {settings_url}\nUnsubscribe: {unsubscribe_url}\n",
        site.title
    );
    html_footer(&mut html, site, &why, &settings_url, unsubscribe_url);
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

/// Why a delivery reached the person, as the end of "You get this because …".
pub fn why(reason: &str, event_kind: &str) -> String {
    if reason == "mention" || event_kind == "mentioned" {
        return "you were mentioned".into();
    }
    if reason == "owner" {
        return "you own the page".into();
    }
    if reason == "own" {
        return "it is your answer".into();
    }
    if reason == "expert" || event_kind == "question_for_you" {
        return "the wiki thinks you may know the answer".into();
    }
    if let Some(rest) = reason.strip_prefix("follow:") {
        let (kind, target) = rest.split_once(':').unwrap_or((rest, ""));
        return format!("you follow the {kind} {target}").trim_end().to_string();
    }
    match Stream::of(reason, event_kind) {
        Stream::ForMe => "it concerns you".into(),
        Stream::Following => "it concerns something you follow".into(),
    }
}

fn quoted(title: &str) -> String {
    format!("\u{201c}{}\u{201d}", title.trim())
}

fn html_start(title: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family: sans-serif; line-height: 1.5\">",
        escape(title)
    )
}

fn html_footer(html: &mut String, site: Site<'_>, why: &str, settings_url: &str, unsubscribe_url: &str) {
    let _ = write!(
        html,
        "<hr><p style=\"color: #666; font-size: small\">You get this because {}. \
         <a href=\"{}\">Change how {} e-mails you</a> · <a href=\"{}\">Unsubscribe</a></p></body></html>",
        escape(why),
        escape(settings_url),
        escape(site.title),
        escape(unsubscribe_url)
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
        }
    }

    #[track_caller]
    fn check(kind: &str, expected: &str) {
        assert_eq!(headline(&event(kind, "Rota")), expected);
    }

    #[test]
    fn headlines_say_what_happened() {
        check("page_changed", "Bob <b> changed \u{201c}Rota\u{201d}");
        check("mentioned", "Bob <b> mentioned you in \u{201c}Rota\u{201d}");
        check("question_for_you", "You may know the answer: Bob <b> asked \u{201c}Rota\u{201d}");
        check("review_due", "\u{201c}Rota\u{201d} is due for review");
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
        let mail = instant(site, &person(), &candidate, "https://wiki.example.com/-/unsubscribe?x");
        assert!(mail.subject.starts_with("[Lore] Bob <b> mentioned you"), "{}", mail.subject);
        assert!(mail.text.contains("https://wiki.example.com/team/rota"), "{}", mail.text);
        assert!(mail.text.contains("moved <Monday> & Tuesday"), "{}", mail.text);
        assert!(mail.html.contains("Bob &lt;b&gt;") && !mail.html.contains("<b>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;Monday&gt; &amp; Tuesday"), "{}", mail.html);
        assert!(mail.text.contains("because you were mentioned"), "{}", mail.text);
    }
}
