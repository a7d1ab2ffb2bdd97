//! Recordings and embedded players. A Markdown image (or a link alone in its paragraph) of an audio or video
//! file in the wiki becomes a player; an `<iframe>` in a page's raw HTML becomes a sandboxed frame when its
//! host is on the `embeds` allow-list of `lore.yaml`, and otherwise a visible box that links to what it showed.
//! Pure: no IO. Every scan is one pass over its input.

use pulldown_cmark_escape::{escape_href, escape_html};

/// The permissions an embedded player's sandbox grants: its own scripts and origin (it is on another host,
/// so that origin is not Lore's) and presenting, nothing else (no forms, pop-ups, top navigation).
pub const EMBED_SANDBOX: &str = "allow-scripts allow-same-origin allow-presentation";

/// What a file plays as, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Video,
    Audio,
}

impl MediaKind {
    /// The kind of player for a link's destination: a path on this wiki (starting with one `/`, as the
    /// renderer rewrites relative links) ending in a video or audio extension. Files elsewhere stay links: the
    /// Content-Security-Policy lets pages play media from Lore only.
    pub fn of_url(url: &str) -> Option<MediaKind> {
        if !url.starts_with('/') || url.starts_with("//") || url.starts_with("/\\") {
            return None;
        }
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let (_, extension) = path.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "mp4" | "m4v" | "webm" | "ogv" => Some(MediaKind::Video),
            "mp3" | "m4a" | "ogg" | "oga" | "opus" | "wav" | "flac" => Some(MediaKind::Audio),
            _ => None,
        }
    }

    /// The player's opening markup, up to and including the opening of its fallback link (which the caller
    /// fills with the label and closes with [`MediaKind::close`]).
    pub fn open(self, url: &str) -> String {
        let mut href = String::with_capacity(url.len() + 8);
        escape_href(&mut href, url).expect("writing to a String cannot fail");
        let tag = self.tag();
        format!("<{tag} controls=\"\" preload=\"metadata\" src=\"{href}\"><a href=\"{href}\">")
    }

    /// The player's closing markup.
    pub fn close(self) -> &'static str {
        match self {
            MediaKind::Video => "</a></video>",
            MediaKind::Audio => "</a></audio>",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }
}

/// What an `<iframe>` of a page becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Embed {
    /// A player from an allowed host, at this `https` address, with a title for screen readers.
    Allowed { src: String, title: String },
    /// Not allowed: a box naming the host (`None` for a frame of this wiki or of no address) and linking to
    /// the address when it is one a link may have.
    Blocked { host: Option<String>, href: Option<String> },
}

impl Embed {
    /// Judges a frame by its `src` and `title` attributes (as written, character references and all) against
    /// the allowed hosts (`host` or `host:port`, any case).
    pub fn judge(src: Option<&str>, title: Option<&str>, allowed_hosts: &[String]) -> Embed {
        let Some(src) = src.map(decode_character_references) else {
            return Embed::Blocked { host: None, href: None };
        };
        let src = src.trim();
        let Ok(url) = url::Url::parse(src) else {
            // A path on this wiki may be linked to; anything else unparsable may not.
            let on_this_wiki = src.starts_with('/') && !src.starts_with("//") && !src.starts_with("/\\");
            return Embed::Blocked { host: None, href: on_this_wiki.then(|| src.to_string()) };
        };
        if !matches!(url.scheme(), "https" | "http") {
            return Embed::Blocked { host: None, href: None };
        }
        let host = host_with_port(&url);
        let is_allowed = |host: &str| allowed_hosts.iter().any(|it| it.eq_ignore_ascii_case(host));
        let src = match youtube_embed(&url) {
            // YouTube plays in a frame only in its embed form, from the privacy-enhanced host when it is allowed.
            Some(embed_path) => ["www.youtube-nocookie.com", "www.youtube.com"]
                .into_iter()
                .find(|it| is_allowed(it))
                .map(|it| format!("https://{it}{embed_path}")),
            None if is_youtube(&host) => None,
            None => (url.scheme() == "https" && is_allowed(&host)).then(|| url.to_string()),
        };
        match src {
            Some(src) => {
                let title = title.map(decode_character_references).map(|it| it.trim().to_string());
                let title = title.filter(|it| !it.is_empty()).unwrap_or_else(|| format!("Embedded player from {host}"));
                Embed::Allowed { src, title }
            }
            None => Embed::Blocked { host: Some(host), href: Some(url.to_string()) },
        }
    }

    /// The frame or the box, as HTML that needs no sanitising (every value escaped here).
    pub fn html(&self) -> String {
        let mut res = String::with_capacity(256);
        match self {
            Embed::Allowed { src, title } => {
                res.push_str("<iframe class=\"embed\" src=\"");
                escape_href(&mut res, src).expect("writing to a String cannot fail");
                res.push_str("\" title=\"");
                escape_html(&mut res, title).expect("writing to a String cannot fail");
                res.push_str("\" sandbox=\"");
                res.push_str(EMBED_SANDBOX);
                // Players need to know which site embeds them (YouTube refuses to play without it): the
                // origin only, never the page's address.
                res.push_str(
                    "\" allow=\"fullscreen\" allowfullscreen=\"\" loading=\"lazy\" \
                     referrerpolicy=\"strict-origin-when-cross-origin\"></iframe>",
                );
            }
            Embed::Blocked { host, href } => {
                res.push_str("<span class=\"embed-blocked\" role=\"note\">Embedded content");
                match host {
                    Some(host) => {
                        res.push_str(" from <strong>");
                        escape_html(&mut res, host).expect("writing to a String cannot fail");
                        res.push_str("</strong>");
                    }
                    None if href.is_some() => res.push_str(" from this wiki"),
                    None => {}
                }
                res.push_str(" is not allowed here");
                match href {
                    Some(href) => {
                        res.push_str(" — <a href=\"");
                        escape_href(&mut res, href).expect("writing to a String cannot fail");
                        res.push_str("\" rel=\"noopener noreferrer\">open it</a>");
                    }
                    None => res.push('.'),
                }
                res.push_str("</span>");
            }
        }
        res
    }
}

/// Replaces every `<iframe …>` start tag in a piece of raw HTML with what `placeholder` makes of its
/// judgement, and drops what follows up to its `</iframe>` (fallback text) when that is in the same piece.
/// `None` when the piece holds no frame. One pass: each byte is looked at a bounded number of times.
pub fn replace_iframes(
    html: &str,
    allowed_hosts: &[String],
    mut placeholder: impl FnMut(Embed) -> String,
) -> Option<String> {
    let mut found = find_ascii_case_insensitive(html, "<iframe", 0)?;
    let mut res = String::with_capacity(html.len() + 64);
    let mut at = 0;
    // The next `</iframe` at or after `at`, once searched (`at` only grows, so each byte is searched once).
    let mut next_close: Option<Option<usize>> = None;
    loop {
        let after_name = found + "<iframe".len();
        // `<iframes>` is another element; a start tag's name ends at space, `/` or `>`.
        let is_start_tag =
            html[after_name..].starts_with(|it: char| it.is_ascii_whitespace() || it == '/' || it == '>');
        if is_start_tag {
            let tag = StartTag::parse(html, after_name);
            res.push_str(&html[at..found]);
            let embed = Embed::judge(tag.attribute("src"), tag.attribute("title"), allowed_hosts);
            res.push_str(&placeholder(embed));
            at = tag.end;
            let close = match next_close {
                Some(Some(close)) if close >= at => Some(close),
                Some(None) => None,
                _ => find_ascii_case_insensitive(html, "</iframe", at),
            };
            next_close = Some(close);
            if let Some(close) = close {
                // Between the tags is fallback text for browsers without frames: nobody should see it.
                if let Some(gt) = html[close..].find('>') {
                    at = close + gt + 1;
                }
            }
        } else {
            res.push_str(&html[at..after_name]);
            at = after_name;
        }
        match find_ascii_case_insensitive(html, "<iframe", at) {
            Some(next) => found = next,
            None => break,
        }
    }
    res.push_str(&html[at..]);
    Some(res)
}

// A start tag's attributes, read as an HTML tokenizer reads them (names lowercase, values as written).
struct StartTag<'a> {
    attributes: Vec<(String, &'a str)>,
    // Just past the tag's `>`, or the end of the input.
    end: usize,
}

impl<'a> StartTag<'a> {
    // Reads attributes from `start` (just past the tag name) to the tag's end.
    fn parse(html: &'a str, start: usize) -> StartTag<'a> {
        let bytes = html.as_bytes();
        let mut attributes = Vec::new();
        let mut i = start;
        let skip_space = |mut i: usize| {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            i
        };
        loop {
            i = skip_space(i);
            if i >= bytes.len() {
                return StartTag { attributes, end: bytes.len() };
            }
            if bytes[i] == b'>' {
                return StartTag { attributes, end: i + 1 };
            }
            let name_start = i;
            i += 1;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] != b'=' {
                attributes.push((name, ""));
                continue;
            }
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (value, next) = match bytes.get(j) {
                Some(quote @ (b'"' | b'\'')) => match html[j + 1..].find(*quote as char) {
                    Some(len) => (&html[j + 1..j + 1 + len], j + 2 + len),
                    None => (&html[j + 1..], bytes.len()),
                },
                _ => {
                    let mut k = j;
                    while k < bytes.len() && !bytes[k].is_ascii_whitespace() && bytes[k] != b'>' {
                        k += 1;
                    }
                    (&html[j..k], k)
                }
            };
            attributes.push((name, value));
            i = next;
        }
    }

    // The first attribute of this name, as HTML keeps the first of repeated ones.
    fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes.iter().find(|(it, _)| it == name).map(|(_, value)| *value)
    }
}

// The first occurrence of an ASCII `needle` in `haystack` at or after `from`, ignoring ASCII case.
fn find_ascii_case_insensitive(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let (bytes, needle) = (haystack.as_bytes(), needle.as_bytes());
    let first = needle[0].to_ascii_lowercase();
    let mut i = from;
    while i + needle.len() <= bytes.len() {
        let offset = bytes[i..].iter().position(|it| it.to_ascii_lowercase() == first)?;
        i += offset;
        if i + needle.len() <= bytes.len() && bytes[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

// The character references an attribute value commonly holds (`&amp;` in a query string, numeric ones),
// decoded; others stay as written.
fn decode_character_references(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut res = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        res.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semicolon) = rest[..rest.len().min(12)].find(';') else {
            res.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semicolon];
        let decoded = match name {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "lt" => Some('<'),
            "gt" => Some('>'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(ch) => {
                res.push(ch);
                rest = &rest[semicolon + 1..];
            }
            None => {
                res.push('&');
                rest = &rest[1..];
            }
        }
    }
    res.push_str(rest);
    res
}

fn host_with_port(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

fn is_youtube(host: &str) -> bool {
    matches!(
        host,
        "youtube.com"
            | "www.youtube.com"
            | "m.youtube.com"
            | "youtu.be"
            | "youtube-nocookie.com"
            | "www.youtube-nocookie.com"
    )
}

// A YouTube address as the path and query of its embed form (`/embed/<id>?start=30`): embed addresses keep
// their query; watch pages (`/watch?v=`, `youtu.be/<id>`, `/shorts/<id>`) become embeds starting where
// their `t=` said. `None` for other addresses, and for hosts that are not YouTube's.
fn youtube_embed(url: &url::Url) -> Option<String> {
    let host = host_with_port(url);
    if !is_youtube(&host) {
        return None;
    }
    let is_id = |id: &str| {
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|it| it.is_ascii_alphanumeric() || it == b'-' || it == b'_')
    };
    let path = url.path();
    if let Some(id) = path.strip_prefix("/embed/") {
        return is_id(id).then(|| match url.query() {
            Some(query) => format!("/embed/{id}?{query}"),
            None => format!("/embed/{id}"),
        });
    }
    let id = if host == "youtu.be" {
        path.strip_prefix('/').map(str::to_string)
    } else if path == "/watch" {
        url.query_pairs().find(|(key, _)| key == "v").map(|(_, value)| value.into_owned())
    } else {
        path.strip_prefix("/shorts/").or_else(|| path.strip_prefix("/live/")).map(str::to_string)
    }?;
    if !is_id(&id) {
        return None;
    }
    let start = url.query_pairs().find(|(key, _)| key == "t" || key == "start").and_then(|(_, value)| {
        let seconds = value.trim_end_matches('s');
        seconds.parse::<u32>().ok()
    });
    Some(match start {
        Some(start) => format!("/embed/{id}?start={start}"),
        None => format!("/embed/{id}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<String> {
        ["www.youtube-nocookie.com", "player.vimeo.com", "www.loom.com"].map(String::from).to_vec()
    }

    #[track_caller]
    fn check_allowed(src: &str, expected_src: &str) {
        match Embed::judge(Some(src), None, &defaults()) {
            Embed::Allowed { src, .. } => assert_eq!(src, expected_src),
            other => panic!("{src} was not allowed: {other:?}"),
        }
    }

    #[track_caller]
    fn check_blocked(src: Option<&str>, host: Option<&str>, href: Option<&str>) {
        let expected = Embed::Blocked { host: host.map(str::to_string), href: href.map(str::to_string) };
        assert_eq!(Embed::judge(src, None, &defaults()), expected, "{src:?}");
    }

    #[test]
    fn media_files_on_the_wiki_get_players() {
        assert_eq!(MediaKind::of_url("/talks/demo.MP4"), Some(MediaKind::Video));
        assert_eq!(MediaKind::of_url("/talks/demo.webm#t=10"), Some(MediaKind::Video));
        assert_eq!(MediaKind::of_url("/a/b.mp3?x=1"), Some(MediaKind::Audio));
        for audio in ["/x.m4a", "/x.ogg", "/x.wav", "/x.opus", "/x.flac"] {
            assert_eq!(MediaKind::of_url(audio), Some(MediaKind::Audio), "{audio}");
        }
        for other in
            ["/x.png", "https://cdn.example.com/x.mp4", "//cdn.example.com/x.mp4", "/\\evil/x.mp4", "x", "/mp4"]
        {
            assert_eq!(MediaKind::of_url(other), None, "{other}");
        }
        assert_eq!(
            MediaKind::Video.open("/a b/x\".mp4"),
            "<video controls=\"\" preload=\"metadata\" src=\"/a%20b/x%22.mp4\"><a href=\"/a%20b/x%22.mp4\">"
        );
    }

    #[test]
    fn frames_from_allowed_hosts_are_kept_over_https_only() {
        check_allowed(
            "https://player.vimeo.com/video/76979871?h=8272103f6e",
            "https://player.vimeo.com/video/76979871?h=8272103f6e",
        );
        check_allowed("https://WWW.LOOM.COM/embed/abc", "https://www.loom.com/embed/abc");
        check_blocked(
            Some("http://player.vimeo.com/video/1"),
            Some("player.vimeo.com"),
            Some("http://player.vimeo.com/video/1"),
        );
        check_blocked(Some("https://evil.example/x"), Some("evil.example"), Some("https://evil.example/x"));
        check_blocked(
            Some("https://player.vimeo.com:8443/x"),
            Some("player.vimeo.com:8443"),
            Some("https://player.vimeo.com:8443/x"),
        );
        check_blocked(Some("javascript:alert(1)"), None, None);
        check_blocked(Some("data:text/html,hi"), None, None);
        check_blocked(None, None, None);
        check_blocked(Some("/other/page"), None, Some("/other/page"));
        check_blocked(Some("//evil.example/x"), None, None);
    }

    #[test]
    fn youtube_plays_in_its_embed_form_from_the_privacy_enhanced_host() {
        check_allowed(
            "https://www.youtube.com/embed/dQw4w9WgXcQ?start=5",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=5",
        );
        check_allowed(
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=42s",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42",
        );
        check_allowed("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ");
        check_allowed(
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        );
        check_blocked(
            Some("https://www.youtube.com/channel/UC123"),
            Some("www.youtube.com"),
            Some("https://www.youtube.com/channel/UC123"),
        );
        check_blocked(
            Some("https://www.youtube-nocookie.com/watch?v=<script>"),
            Some("www.youtube-nocookie.com"),
            Some("https://www.youtube-nocookie.com/watch?v=%3Cscript%3E"),
        );
        // Without the privacy-enhanced host on the list, YouTube plays only from a host that is.
        let only_youtube = vec!["www.youtube.com".to_string()];
        let judged = Embed::judge(Some("https://youtu.be/abc"), None, &only_youtube);
        assert_eq!(
            judged,
            Embed::Allowed {
                src: "https://www.youtube.com/embed/abc".into(),
                title: "Embedded player from youtu.be".into()
            }
        );
        assert!(matches!(Embed::judge(Some("https://youtu.be/abc"), None, &[]), Embed::Blocked { .. }));
    }

    #[test]
    fn frames_become_escaped_markup() {
        let allowed =
            Embed::judge(Some("https://www.loom.com/embed/a?x=1&amp;y=\"2\""), Some("Demo &amp; <b>"), &defaults());
        assert_eq!(
            allowed.html(),
            "<iframe class=\"embed\" src=\"https://www.loom.com/embed/a?x=1&amp;y=%222%22\" title=\"Demo &amp; &lt;b&gt;\" \
             sandbox=\"allow-scripts allow-same-origin allow-presentation\" allow=\"fullscreen\" allowfullscreen=\"\" \
             loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\"></iframe>"
        );
        let blocked = Embed::judge(Some("https://evil.example/a?b=\"><script>"), None, &defaults());
        assert_eq!(
            blocked.html(),
            "<span class=\"embed-blocked\" role=\"note\">Embedded content from <strong>evil.example</strong> is not allowed \
             here — <a href=\"https://evil.example/a?b=%22%3E%3Cscript%3E\" rel=\"noopener noreferrer\">open it</a></span>"
        );
        assert_eq!(
            Embed::Blocked { host: None, href: None }.html(),
            "<span class=\"embed-blocked\" role=\"note\">Embedded content is not allowed here.</span>"
        );
    }

    #[track_caller]
    fn check_replaced(html: &str, expected: Option<&str>) {
        let replaced = replace_iframes(html, &defaults(), |embed| match embed {
            Embed::Allowed { src, .. } => format!("[ok {src}]"),
            Embed::Blocked { host, .. } => format!("[no {}]", host.unwrap_or_default()),
        });
        assert_eq!(replaced.as_deref(), expected, "{html}");
    }

    #[test]
    fn iframes_in_raw_html_are_found_in_any_spelling() {
        check_replaced("<p>no frames</p>", None);
        check_replaced("<iframes>", Some("<iframes>"));
        check_replaced(
            "<IFRAME\nwidth=560 SRC='https://player.vimeo.com/video/1' allowfullscreen>fallback</iframe >after",
            Some("[ok https://player.vimeo.com/video/1]after"),
        );
        check_replaced(
            "a<iframe src=\"https://evil.example/\"></iframe>b<iframe src=https://www.loom.com/embed/x/>c",
            Some("a[no evil.example]b[ok https://www.loom.com/embed/x/]c"),
        );
        check_replaced("<iframe src=\"https://evil.example/\" title=\">\">x", Some("[no evil.example]x"));
        check_replaced("<iframe src=\"https://evil.example/", Some("[no evil.example]"));
        check_replaced("<iframe", Some("<iframe"));
        check_replaced("<iframe>", Some("[no ]"));
    }

    #[test]
    fn many_frames_are_replaced_in_linear_time() {
        let html = "<iframe src=\"https://evil.example/\">".repeat(20_000) + &"<i".repeat(100_000);
        let started = std::time::Instant::now();
        let replaced = replace_iframes(&html, &defaults(), |_| String::from("x")).expect("frames found");
        assert!(replaced.starts_with(&"x".repeat(20_000)));
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    }
}
