//! The allow-list sanitiser every piece of rendered HTML passes through before anyone sees it.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Cleans HTML with Lore's allow-list: the raw HTML a wiki needs (`<details>`, `<kbd>`, `<sup>`, tables,
/// images, task-list checkboxes, heading anchors, highlighting classes) survives; script, event handlers,
/// `javascript:` and `data:` URLs, iframes, forms, `<base>`, `<meta>` and `style` never do.
pub fn sanitize(html: &str) -> String {
    builder().clean(html).to_string()
}

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut res = ammonia::Builder::default();
        res.add_tags(["input", "section"])
            .add_generic_attributes(["class"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("img", ["loading", "width", "height"])
            .add_tag_attributes("ol", ["start"])
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
        for tag in
            ["h1", "h2", "h3", "h4", "h5", "h6", "a", "div", "li", "sup", "section", "span", "dt", "table", "details"]
        {
            res.add_tag_attributes(tag, ["id"]);
        }
        // A Markdown task list is the only input a page may hold: a checkbox that cannot be changed.
        res.set_tag_attribute_value("input", "type", "checkbox").set_tag_attribute_value("input", "disabled", "");
        res
    })
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
            "<input type=\"checkbox\" checked=\"\" disabled=\"\">",
        );
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
    fn removes_frames_forms_base_meta_and_style() {
        check(
            "<iframe src=\"https://evil\"></iframe><form action=\"/x\"><input type=\"text\" name=\"q\"></form>",
            "<input type=\"checkbox\" disabled=\"\">",
        );
        check("<base href=\"https://evil/\"><meta http-equiv=\"refresh\" content=\"0\"><style>body{}</style>ok", "ok");
        check("<p style=\"color:red\">x</p>", "<p>x</p>");
    }
}
