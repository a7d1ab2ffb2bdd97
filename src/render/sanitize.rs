//! The allow-list sanitiser every piece of rendered HTML passes through before anyone sees it.

use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

/// The accessible name of a task-list checkbox.
pub const TASK_LABEL: &str = "Task";

/// URL schemes links and images may always use.
const SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Cleans HTML with Lore's allow-list: the raw HTML a wiki needs (`<details>`, `<kbd>`, `<sup>`, tables,
/// images, task-list checkboxes, heading anchors, highlighting classes, players for audio and video) survives;
/// script, event handlers, `javascript:` and `data:` URLs, iframes, forms, `<base>`, `<meta>` and `style`
/// never do. (Embedded players the `embeds` allow-list admits are the renderer's own markup, put in after.)
pub fn sanitize(html: &str) -> String {
    builder().clean(html).to_string()
}

/// Cleans HTML as [`sanitize`] does, also letting through links that use the URL `schemes` (`irc`,
/// `made-up-scheme`, …), which the caller found in Markdown links and checked with [`is_dangerous_scheme`].
pub fn sanitize_with_schemes(html: &str, schemes: &BTreeSet<String>) -> String {
    if schemes.is_empty() {
        return sanitize(html);
    }
    // Rare (a page linking with an unusual scheme), so a builder of its own is cheaper than a shared, locked one.
    let mut res = ammonia::Builder::default();
    configure(&mut res);
    res.add_url_schemes(schemes.iter().map(String::as_str));
    res.clean(html).to_string()
}

/// The scheme of a link's destination as the sanitiser judges it (lowercase, after the URL parser has removed
/// the tabs and line breaks a browser ignores), or `None` for a relative link.
pub fn scheme_of(dest: &str) -> Option<String> {
    url::Url::parse(dest).ok().map(|it| it.scheme().to_string())
}

/// Whether links with this (lowercase) scheme may run code, read local files, or start programs on the
/// reader's machine: `javascript:`, `vbscript:`, `data:`, `file:`, `blob:` and the like, and Windows' protocol
/// handlers (`ms-…:`, `search-ms:`). Markdown links with any other scheme stay links.
pub fn is_dangerous_scheme(scheme: &str) -> bool {
    const DANGEROUS: [&str; 13] = [
        "javascript",
        "vbscript",
        "livescript",
        "data",
        "file",
        "blob",
        "filesystem",
        "about",
        "view-source",
        "jar",
        "intent",
        "search",
        "search-ms",
    ];
    DANGEROUS.contains(&scheme) || scheme.starts_with("ms-")
}

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut res = ammonia::Builder::default();
        configure(&mut res);
        res
    })
}

fn configure(builder: &mut ammonia::Builder<'_>) {
    builder
        .add_tags(["input", "section", "video", "audio"])
        .add_generic_attributes(["class"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("img", ["loading", "width", "height"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("video", ["src", "controls", "preload"])
        .add_tag_attributes("audio", ["src", "controls", "preload"])
        .url_schemes(HashSet::from(SCHEMES));
    for tag in
        ["h1", "h2", "h3", "h4", "h5", "h6", "a", "div", "li", "sup", "section", "span", "dt", "table", "details"]
    {
        builder.add_tag_attributes(tag, ["id"]);
    }
    // A Markdown task list is the only input a page may hold: a checkbox that cannot be changed, named for
    // screen readers ("Task, checkbox, checked"), since an unnamed form control is announced as nothing at all.
    builder
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .set_tag_attribute_value("input", "aria-label", TASK_LABEL);
    // A player always shows its controls and loads only what it needs to show its length until played: no
    // autoplay, no hidden players, no megabytes fetched for a page view.
    for player in ["video", "audio"] {
        builder.set_tag_attribute_value(player, "controls", "").set_tag_attribute_value(player, "preload", "metadata");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(sanitize(input), expected);
    }

    #[test]
    fn keeps_what_a_wiki_needs() {
        check(
            "<details><summary>More</summary><kbd>Ctrl</kbd>x<sup>2</sup></details>",
            "<details><summary>More</summary><kbd>Ctrl</kbd>x<sup>2</sup></details>",
        );
        check("<h2 id=\"setup\">Setup</h2>", "<h2 id=\"setup\">Setup</h2>");
        check(
            "<pre class=\"code\"><code class=\"language-rust\"><span class=\"hl-source\">x</span></code></pre>",
            "<pre class=\"code\"><code class=\"language-rust\"><span class=\"hl-source\">x</span></code></pre>",
        );
        check(
            "<input type=\"checkbox\" checked=\"\" disabled=\"\">",
            "<input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"Task\">",
        );
    }

    #[test]
    fn players_keep_only_their_source_and_controls() {
        check(
            "<video controls=\"\" preload=\"metadata\" src=\"/a.mp4\"><a href=\"/a.mp4\">a</a></video>",
            "<video controls=\"\" preload=\"metadata\" src=\"/a.mp4\"><a href=\"/a.mp4\" rel=\"noopener noreferrer\">a</a></video>",
        );
        // Attributes the sanitiser adds come in the order of its hash map, which changes from run to run.
        let either = |html: &str, attributes: &str| {
            let cleaned = sanitize(html);
            let swapped =
                attributes.replace("controls=\"\" preload=\"metadata\"", "preload=\"metadata\" controls=\"\"");
            assert!(cleaned.contains(attributes) || cleaned.contains(&swapped), "{cleaned}");
            cleaned
        };
        let cleaned = either(
            "<audio src=\"javascript:alert(1)\" autoplay loop onplay=\"x()\" preload=\"auto\"><source src=\"/b.mp3\"></audio>",
            "controls=\"\" preload=\"metadata\"",
        );
        assert_eq!(cleaned.len(), "<audio controls=\"\" preload=\"metadata\"></audio>".len(), "{cleaned}");
        let cleaned = either(
            "<video poster=\"/p.png\" muted hidden src=\"/v.webm\"></video>",
            "controls=\"\" preload=\"metadata\"",
        );
        assert!(cleaned.starts_with("<video src=\"/v.webm\" ") && cleaned.ends_with("\"></video>"), "{cleaned}");
        assert!(!cleaned.contains("poster") && !cleaned.contains("muted") && !cleaned.contains("hidden"), "{cleaned}");
    }

    #[test]
    fn removes_script_and_handlers() {
        check("<script>alert(1)</script><p onclick=\"x()\">hi</p>", "<p>hi</p>");
        check("<img src=\"x.png\" onerror=\"alert(1)\">", "<img src=\"x.png\">");
        check("<svg><script>alert(1)</script></svg>", "");
    }

    #[test]
    fn content_cannot_plant_the_edit_shortcut_target() {
        // Lore's scripts find their own elements by `data-lore-shortcut`; content keeps classes, never data.
        check(
            "<div class=\"page-actions\" data-lore-shortcut=\"edit\"><a class=\"button\" href=\"/-/edit/evil\" \
             data-lore-shortcut=\"edit\" data-x=\"1\">Edit</a></div>",
            "<div class=\"page-actions\"><a class=\"button\" href=\"/-/edit/evil\" rel=\"noopener noreferrer\">Edit</a></div>",
        );
    }

    #[test]
    fn removes_dangerous_urls() {
        check("<a href=\"javascript:alert(1)\">x</a>", "<a rel=\"noopener noreferrer\">x</a>");
        check("<img src=\"data:image/svg+xml;base64,AAAA\">", "<img>");
    }

    #[test]
    fn unusual_schemes_pass_only_when_the_renderer_lets_them() {
        let html = "<a href=\"irc://irc.example.com/lore\">chat</a>";
        check(html, "<a rel=\"noopener noreferrer\">chat</a>");
        let schemes = BTreeSet::from(["irc".to_string()]);
        assert_eq!(
            sanitize_with_schemes(html, &schemes),
            "<a href=\"irc://irc.example.com/lore\" rel=\"noopener noreferrer\">chat</a>"
        );
        assert_eq!(scheme_of("MADE-UP-Scheme://x").as_deref(), Some("made-up-scheme"));
        assert_eq!(scheme_of("java\tscript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(scheme_of("../a.md"), None);
        for scheme in ["javascript", "vbscript", "data", "file", "ms-msdt", "search-ms"] {
            assert!(is_dangerous_scheme(scheme), "{scheme}");
        }
        for scheme in ["irc", "made-up-scheme", "a+b+c", "localhost", "ssh"] {
            assert!(!is_dangerous_scheme(scheme), "{scheme}");
        }
    }

    #[test]
    fn removes_frames_forms_base_meta_and_style() {
        // The sanitiser sets the forced attributes in hash-map order: compare them as a set.
        let cleaned = sanitize(
            "<iframe src=\"https://evil\"></iframe><form action=\"/x\"><input type=\"text\" name=\"q\"></form>",
        );
        let mut attributes: Vec<&str> =
            cleaned.trim_start_matches("<input ").trim_end_matches('>').split(' ').collect();
        attributes.sort_unstable();
        assert!(cleaned.starts_with("<input ") && cleaned.ends_with('>'), "{cleaned}");
        assert_eq!(attributes, ["aria-label=\"Task\"", "disabled=\"\"", "type=\"checkbox\""], "{cleaned}");
        check("<base href=\"https://evil/\"><meta http-equiv=\"refresh\" content=\"0\"><style>body{}</style>ok", "ok");
        check("<p style=\"color:red\">x</p>", "<p>x</p>");
    }
}
