//! Atom 1.0 feeds: the one writer behind recent changes, questions, answers and the review radar.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use crate::i18n::UiLanguage;

/// One entry of a feed.
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub link: String,
    /// RFC 3339.
    pub updated: String,
    pub author_name: String,
    pub author_email: Option<String>,
    pub summary: String,
}

/// A feed as an `application/atom+xml` response whose own words (titles, summaries) are in `language`, the
/// requester's (feed readers rarely send `Accept-Language`, so mostly the site's). `updated` is the newest
/// entry's (or the epoch).
pub fn atom(language: UiLanguage, title: &str, self_url: &str, alternate: &str, entries: &[FeedEntry]) -> Response {
    let updated = entries.iter().map(|it| it.updated.clone()).max().unwrap_or_else(|| rfc3339(0));
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        language.code()
    );
    xml.push_str(&format!("  <title>{}</title>\n  <id>{}</id>\n", xml_escape(title), xml_escape(self_url)));
    xml.push_str(&format!("  <link rel=\"self\" href=\"{}\"/>\n", xml_escape(self_url)));
    xml.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml_escape(alternate)));
    xml.push_str(&format!(
        "  <updated>{}</updated>\n  <author><name>Lore</name></author>\n  <generator>Lore</generator>\n",
        xml_escape(&updated)
    ));
    for entry in entries {
        xml.push_str("  <entry>\n");
        xml.push_str(&format!(
            "    <title>{}</title>\n    <id>{}</id>\n",
            xml_escape(&entry.title),
            xml_escape(&entry.id)
        ));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&entry.link)
        ));
        xml.push_str(&format!("    <updated>{}</updated>\n", xml_escape(&entry.updated)));
        let email =
            entry.author_email.as_deref().map(|it| format!("<email>{}</email>", xml_escape(it))).unwrap_or_default();
        xml.push_str(&format!("    <author><name>{}</name>{email}</author>\n", xml_escape(&entry.author_name)));
        xml.push_str(&format!("    <summary type=\"text\">{}</summary>\n  </entry>\n", xml_escape(&entry.summary)));
    }
    xml.push_str("</feed>\n");
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"), (header::VARY, "Accept-Language")], xml)
        .into_response()
}

/// A Unix time as RFC 3339, as Atom wants it.
pub fn rfc3339(time: i64) -> String {
    DateTime::<Utc>::from_timestamp(time, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 cannot hold.
pub fn xml_escape(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => res.push_str("&amp;"),
            '<' => res.push_str("&lt;"),
            '>' => res.push_str("&gt;"),
            '"' => res.push_str("&quot;"),
            '\'' => res.push_str("&apos;"),
            '\t' | '\n' | '\r' => res.push(ch),
            ch if ch.is_control() => {}
            ch => res.push(ch),
        }
    }
    res
}
