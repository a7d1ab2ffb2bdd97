//! Line diffs as HTML: changed lines marked, word-level changes highlighted, unchanged stretches trimmed
//! to a few lines of context.

use pulldown_cmark_escape::escape_html;
use similar::{ChangeTag, TextDiff};

/// How many unchanged lines to keep around each change.
const CONTEXT_LINES: usize = 3;

/// A unified diff from `old` to `new` as `<pre class="diff">` with one `<span class="diff-…">` per line
/// (`diff-hunk`, `diff-ctx`, `diff-del`, `diff-add`) and `<mark>` around the words that changed.
pub fn unified_html(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut res = String::from("<pre class=\"diff\">");
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let (first, last) = (group.first().expect("groups are not empty"), group.last().expect("groups are not empty"));
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        res.push_str(&format!(
            "<span class=\"diff-hunk\">@@ -{},{} +{},{} @@</span>\n",
            old_range.start + 1,
            old_range.len(),
            new_range.start + 1,
            new_range.len()
        ));
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let (class, sign) = match change.tag() {
                    ChangeTag::Equal => ("diff-ctx", ' '),
                    ChangeTag::Delete => ("diff-del", '-'),
                    ChangeTag::Insert => ("diff-add", '+'),
                };
                res.push_str(&format!("<span class=\"{class}\">{sign}"));
                for (emphasized, text) in change.iter_strings_lossy() {
                    let text = text.trim_end_matches('\n');
                    if emphasized && change.tag() != ChangeTag::Equal {
                        res.push_str("<mark>");
                        escape_html(&mut res, text).expect("writing to a String cannot fail");
                        res.push_str("</mark>");
                    } else {
                        escape_html(&mut res, text).expect("writing to a String cannot fail");
                    }
                }
                res.push_str("</span>\n");
            }
        }
    }
    res.push_str("</pre>");
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_lines_and_words() {
        let html = unified_html("a\nold word\nc\n", "a\nnew word\nc\n");
        assert!(html.contains("<span class=\"diff-del\">-<mark>old</mark> word</span>"), "{html}");
        assert!(html.contains("<span class=\"diff-add\">+<mark>new</mark> word</span>"), "{html}");
        assert!(html.contains("<span class=\"diff-ctx\"> a</span>"), "{html}");
    }

    #[test]
    fn escapes_html() {
        assert!(unified_html("", "<script>\n").contains("&lt;script&gt;"));
    }
}
