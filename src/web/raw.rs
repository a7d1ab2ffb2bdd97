//! The headers a raw repository file is served with (`/img/a.png`, `/-/raw/a/b.md`), chosen so that nothing
//! anyone committed can run as script on Lore's origin: pages allow `script-src 'self'`, so a script served
//! from the wiki's own origin would be one a page (or an injection) could load. And which bytes of it a
//! request asks for (`Range`), so that audio and video can seek.

use std::ops::RangeInclusive;

use axum::http::{HeaderMap, HeaderValue, header};

/// How one raw file is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawServing {
    /// The `Content-Type`.
    pub content_type: String,
    /// Whether the browser must save the file instead of showing it (`Content-Disposition: attachment`).
    pub attachment: bool,
    /// Whether the file is shown inside a Content-Security-Policy sandbox (no script, an opaque origin).
    pub sandboxed: bool,
}

/// The CSP for files a browser could run script from if it rendered them: no script, an opaque origin.
const SANDBOX: &str = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

impl RawServing {
    /// Decides how the file at `path` is served; `as_text` serves it as plain text whatever it is.
    pub fn of(path: &str, as_text: bool) -> RawServing {
        let plain_text = || "text/plain; charset=utf-8".to_string();
        if as_text {
            return RawServing { content_type: plain_text(), attachment: false, sandboxed: false };
        }
        let guessed = mime_guess::from_path(path).first_or_octet_stream().essence_str().to_ascii_lowercase();
        // With `nosniff` (set on every answer) a browser runs `<script src>`, workers and modules only from
        // JavaScript types, and WebAssembly only from `application/wasm`: plain text runs nowhere.
        if is_script(path, &guessed) {
            return RawServing { content_type: plain_text(), attachment: true, sandboxed: true };
        }
        if is_markup(&guessed) {
            // SVG stays inline so pages can show it as an image; the sandbox keeps its script from running.
            let attachment = guessed != "image/svg+xml";
            return RawServing { content_type: guessed, attachment, sandboxed: true };
        }
        RawServing { content_type: guessed, attachment: false, sandboxed: false }
    }

    /// Sets `Content-Type` and, where needed, `Content-Disposition` and the sandbox CSP.
    pub fn apply(&self, headers: &mut HeaderMap) {
        if self.sandboxed {
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SANDBOX));
        }
        if self.attachment {
            headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&self.content_type).expect("mime types are valid header values"),
        );
    }
}

/// What a request's `Range` header asks of a file, as RFC 9110 lets a server answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByteRange {
    /// The whole file, 200: no `Range`, one Lore ignores (another unit, bad syntax, several ranges), or an
    /// `If-Range` that names another version.
    Whole,
    /// These bytes, 206 with `Content-Range`.
    Part(RangeInclusive<u64>),
    /// Nothing the file holds, 416 with `Content-Range: bytes */<length>`.
    Unsatisfiable,
}

impl ByteRange {
    /// The range a request asks for of a file of `len` bytes whose strong validator is `etag` (`"<blob>"`).
    /// Only a single range is served; a request for several gets the whole file, which RFC 9110 allows.
    pub fn of(request: &HeaderMap, etag: &str, len: u64) -> ByteRange {
        let mut ranges = request.get_all(header::RANGE).iter();
        let (Some(range), None) = (ranges.next(), ranges.next()) else { return ByteRange::Whole };
        // `If-Range` with anything but this version's entity tag (another tag, a weak one, a date: Lore sends
        // no `Last-Modified`) means the client's copy is stale: it gets the whole new file.
        if let Some(if_range) = request.get(header::IF_RANGE)
            && if_range.to_str().ok().map(str::trim) != Some(etag)
        {
            return ByteRange::Whole;
        }
        let Ok(range) = range.to_str() else { return ByteRange::Whole };
        match parse_single_range(range) {
            Some(Spec::FromTo(first, last)) if first < len => ByteRange::Part(first..=last.min(len - 1)),
            Some(Spec::From(first)) if first < len => ByteRange::Part(first..=len - 1),
            Some(Spec::Suffix(n)) if n > 0 && len > 0 => ByteRange::Part(len - n.min(len)..=len - 1),
            Some(_) => ByteRange::Unsatisfiable,
            None => ByteRange::Whole,
        }
    }
}

// One range of a `Range: bytes=…` header.
enum Spec {
    FromTo(u64, u64),
    From(u64),
    Suffix(u64),
}

// Parses `bytes=<first>-<last>`, `bytes=<first>-` or `bytes=-<suffix length>`: exactly one range, digits only
// (numbers too large for u64 saturate, which reads right: past any file's end). `None` for anything else,
// which the caller ignores.
fn parse_single_range(header: &str) -> Option<Spec> {
    let (unit, ranges) = header.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return None;
    }
    let mut specs = ranges.split(',').map(str::trim).filter(|it| !it.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else { return None };
    let (first, last) = spec.split_once('-')?;
    let number = |text: &str| -> Option<u64> {
        let text = text.trim();
        let digits_only = !text.is_empty() && text.bytes().all(|it| it.is_ascii_digit());
        digits_only
            .then(|| text.bytes().fold(0u64, |n, digit| n.saturating_mul(10).saturating_add(u64::from(digit - b'0'))))
    };
    match (first.trim().is_empty(), last.trim().is_empty()) {
        (true, false) => Some(Spec::Suffix(number(last)?)),
        (false, true) => Some(Spec::From(number(first)?)),
        (false, false) => {
            let (first, last) = (number(first)?, number(last)?);
            (first <= last).then_some(Spec::FromTo(first, last))
        }
        (true, true) => None,
    }
}

// Extensions browsers or servers treat as script even where `mime_guess` knows no type for them.
const SCRIPT_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsm", "jsx", "es", "ecma", "wasm", "vbs"];

// Whether a file could run as script if served with its own type: by extension, or by any type a browser
// treats as JavaScript (the WHATWG list spells many; all contain one of these words) or WebAssembly.
fn is_script(path: &str, content_type: &str) -> bool {
    let extension = path.rsplit_once('.').map(|(_, it)| it.to_ascii_lowercase()).unwrap_or_default();
    let subtype = content_type.split_once('/').map_or(content_type, |(_, it)| it);
    SCRIPT_EXTENSIONS.contains(&extension.as_str())
        || matches!(subtype, "wasm" | "node")
        || ["javascript", "ecmascript", "jscript", "livescript", "vbscript"].iter().any(|it| subtype.contains(it))
}

// HTML, and XML of any kind (SVG, XHTML, feeds, XSLT): rendered as a document, each can hold script.
fn is_markup(content_type: &str) -> bool {
    content_type == "text/html" || content_type.ends_with("/xml") || content_type.ends_with("+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(path: &str, content_type: &str, attachment: bool, sandboxed: bool) {
        let expected = RawServing { content_type: content_type.to_string(), attachment, sandboxed };
        assert_eq!(RawServing::of(path, false), expected, "{path}");
    }

    #[test]
    fn uploaded_scripts_are_served_as_attached_plain_text() {
        for path in ["a/x.js", "X.JS", "x.mjs", "x.cjs", "x.jsx", "x.es", "x.wasm", "x.vbs", "x.jsm"] {
            check(path, "text/plain; charset=utf-8", true, true);
        }
    }

    #[test]
    fn markup_is_sandboxed_and_svg_stays_inline() {
        check("x.html", "text/html", true, true);
        check("x.xhtml", "application/xhtml+xml", true, true);
        check("x.xml", "text/xml", true, true);
        check("x.xslt", "text/xml", true, true);
        check("x.atom", "application/atom+xml", true, true);
        check("x.rss", "application/rss+xml", true, true);
        check("x.svg", "image/svg+xml", false, true);
    }

    #[track_caller]
    fn check_range(range: &str, if_range: Option<&str>, len: u64, expected: ByteRange) {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        if let Some(if_range) = if_range {
            headers.insert(header::IF_RANGE, HeaderValue::from_str(if_range).unwrap());
        }
        assert_eq!(ByteRange::of(&headers, "\"abc\"", len), expected, "{range:?} of {len} bytes");
    }

    #[test]
    fn single_ranges_are_served() {
        use ByteRange::*;
        check_range("bytes=0-499", None, 1000, Part(0..=499));
        check_range("bytes=500-", None, 1000, Part(500..=999));
        check_range("bytes=-200", None, 1000, Part(800..=999));
        check_range("bytes=-5000", None, 1000, Part(0..=999));
        check_range("bytes=900-5000", None, 1000, Part(900..=999));
        check_range("bytes=999-999", None, 1000, Part(999..=999));
        check_range(" Bytes = 1 - 2 ", None, 1000, Part(1..=2));
        check_range("bytes=0-99999999999999999999999", None, 10, Part(0..=9));
        check_range("bytes=0-1,", None, 10, Part(0..=1));
    }

    #[test]
    fn ranges_past_the_end_are_unsatisfiable() {
        use ByteRange::*;
        check_range("bytes=1000-", None, 1000, Unsatisfiable);
        check_range("bytes=1000-2000", None, 1000, Unsatisfiable);
        check_range("bytes=99999999999999999999999-", None, 1000, Unsatisfiable);
        check_range("bytes=-0", None, 1000, Unsatisfiable);
        check_range("bytes=0-", None, 0, Unsatisfiable);
        check_range("bytes=-1", None, 0, Unsatisfiable);
    }

    #[test]
    fn odd_range_headers_get_the_whole_file() {
        use ByteRange::*;
        for range in [
            "",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=1-2-3",
            "bytes=+1-2",
            "bytes=0x1-2",
            "items=0-1",
            "bytes=0-1,3-4",
            "bytes=0-1, 1-2",
            "bytes=--1",
            "bytes=1.5-2",
            "bytes=\u{0660}-1",
        ] {
            check_range(range, None, 1000, Whole);
        }
    }

    #[test]
    fn if_range_serves_a_part_of_this_version_only() {
        use ByteRange::*;
        check_range("bytes=0-1", Some("\"abc\""), 10, Part(0..=1));
        check_range("bytes=0-1", Some("\"old\""), 10, Whole);
        check_range("bytes=0-1", Some("W/\"abc\""), 10, Whole);
        check_range("bytes=0-1", Some("Wed, 21 Oct 2015 07:28:00 GMT"), 10, Whole);
        check_range("bytes=50-", Some("\"old\""), 10, Whole);
    }

    #[test]
    fn ordinary_files_keep_their_type() {
        check("x.png", "image/png", false, false);
        check("x.json", "application/json", false, false);
        check("x.pdf", "application/pdf", false, false);
        check("x.anx", "application/annodex", false, false);
        check("x", "application/octet-stream", false, false);
        assert_eq!(RawServing::of("x.js", true).content_type, "text/plain; charset=utf-8");
        assert!(!RawServing::of("a/b.md", true).attachment);
    }
}
