//! The headers a raw repository file is served with (`/img/a.png`, `/-/raw/a/b.md`), chosen so that nothing
//! anyone committed can run as script on Lore's origin: pages allow `script-src 'self'`, so a script served
//! from the wiki's own origin would be one a page (or an injection) could load.

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
