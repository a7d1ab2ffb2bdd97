//! Line diffs: structured hunks (for the API and templates), HTML, word-level highlights inside changed
//! lines, line counts, and carrying blame attribution from one version to the next.

use std::sync::Arc;

use pulldown_cmark_escape::escape_html;
use serde::Serialize;
use similar::{ChangeTag, DiffOp, TextDiff};

use crate::store::CommitInfo;

/// The largest passage pair [`sides_html`] marks word by word.
pub const MAX_MARKED_BYTES: usize = 16 * 1024;

/// How many unchanged lines to keep around each change by default.
pub const CONTEXT_LINES: usize = 3;

/// A run of changes with its context.
#[derive(Debug, Clone, Serialize)]
pub struct Hunk {
    pub old_start: usize,
    pub old_lines: usize,
    pub new_start: usize,
    pub new_lines: usize,
    pub lines: Vec<DiffLine>,
}

/// One line of a hunk.
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    /// `ctx`, `del` or `add`.
    pub kind: &'static str,
    pub old_line: Option<usize>,
    pub new_line: Option<usize>,
    /// The line's text in pieces; `changed` pieces are the words that differ from the paired line.
    pub segments: Vec<Segment>,
}

/// A piece of a line.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub text: String,
    pub changed: bool,
}

/// A row of the side-by-side view: the old line on the left, the new one on the right.
#[derive(Debug, Clone, Serialize)]
pub struct SplitRow {
    pub left: Option<DiffLine>,
    pub right: Option<DiffLine>,
}

/// The hunks from `old` to `new`, with `context` unchanged lines around changes (`None`: the whole file).
pub fn hunks(old: &str, new: &str, context: Option<usize>) -> Vec<Hunk> {
    let diff = TextDiff::configure().timeout(std::time::Duration::from_millis(500)).diff_lines(old, new);
    let groups: Vec<Vec<DiffOp>> = match context {
        Some(context) => diff.grouped_ops(context),
        None if diff.ops().iter().all(|it| matches!(it, DiffOp::Equal { .. })) => Vec::new(),
        None => vec![diff.ops().to_vec()],
    };
    let mut res = Vec::with_capacity(groups.len());
    for group in groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let mut hunk = Hunk {
            old_start: first.old_range().start + 1,
            old_lines: last.old_range().end - first.old_range().start,
            new_start: first.new_range().start + 1,
            new_lines: last.new_range().end - first.new_range().start,
            lines: Vec::new(),
        };
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => "ctx",
                    ChangeTag::Delete => "del",
                    ChangeTag::Insert => "add",
                };
                let segments = change
                    .iter_strings_lossy()
                    .map(|(changed, text)| Segment {
                        text: text.trim_end_matches(['\n', '\r']).to_string(),
                        changed: changed && kind != "ctx",
                    })
                    .filter(|it| !it.text.is_empty())
                    .collect();
                hunk.lines.push(DiffLine {
                    kind,
                    old_line: change.old_index().map(|it| it + 1),
                    new_line: change.new_index().map(|it| it + 1),
                    segments,
                });
            }
        }
        res.push(hunk);
    }
    res
}

/// A hunk's lines paired for the side-by-side view: deletions beside the additions that replaced them.
pub fn split_rows(hunk: &Hunk) -> Vec<SplitRow> {
    let mut res = Vec::new();
    let mut deleted: Vec<DiffLine> = Vec::new();
    let mut added: Vec<DiffLine> = Vec::new();
    let flush = |deleted: &mut Vec<DiffLine>, added: &mut Vec<DiffLine>, res: &mut Vec<SplitRow>| {
        let n = deleted.len().max(added.len());
        let mut deleted = deleted.drain(..);
        let mut added = added.drain(..);
        for _ in 0..n {
            res.push(SplitRow { left: deleted.next(), right: added.next() });
        }
    };
    for line in &hunk.lines {
        match line.kind {
            "del" => deleted.push(line.clone()),
            "add" => added.push(line.clone()),
            _ => {
                flush(&mut deleted, &mut added, &mut res);
                res.push(SplitRow { left: Some(line.clone()), right: Some(line.clone()) });
            }
        }
    }
    flush(&mut deleted, &mut added, &mut res);
    res
}

/// A unified diff from `old` to `new` as `<pre class="diff">` with one `<span class="diff-…">` per line
/// (`diff-hunk`, `diff-ctx`, `diff-del`, `diff-add`) and `<mark>` around the words that changed.
pub fn unified_html(old: &str, new: &str) -> String {
    let mut res = String::from("<pre class=\"diff\">");
    for hunk in hunks(old, new, Some(CONTEXT_LINES)) {
        res.push_str(&format!(
            "<span class=\"diff-hunk\">@@ -{},{} +{},{} @@</span>\n",
            hunk.old_start, hunk.old_lines, hunk.new_start, hunk.new_lines
        ));
        for line in &hunk.lines {
            let sign = match line.kind {
                "del" => '-',
                "add" => '+',
                _ => ' ',
            };
            res.push_str(&format!("<span class=\"diff-{}\">{sign}", line.kind));
            for segment in &line.segments {
                if segment.changed {
                    res.push_str("<mark>");
                }
                escape_html(&mut res, &segment.text).expect("writing to a String cannot fail");
                if segment.changed {
                    res.push_str("</mark>");
                }
            }
            res.push_str("</span>\n");
        }
    }
    res.push_str("</pre>");
    res
}

/// Two versions of a passage side by side, as two HTML fragments of lines (`<span class="diff-del">` on the
/// old side, `diff-add` on the new, `diff-ctx` for lines both have) with `<mark>` around the words that differ.
/// For the editor's conflict rows, which show their text and mine one above the other. Passages over
/// [`MAX_MARKED_BYTES`] together are shown as whole lines, without word marks, which cost the most.
pub fn sides_html(old: &str, new: &str) -> (String, String) {
    if old.len() + new.len() > MAX_MARKED_BYTES {
        let lines = |text: &str, kind: &str| {
            let mut res = String::with_capacity(text.len() + text.len() / 8);
            for line in text.lines() {
                res.push_str(&format!("<span class=\"diff-{kind}\">"));
                escape_html(&mut res, line).expect("writing to a String cannot fail");
                res.push_str("</span>");
            }
            res
        };
        return (lines(old, "del"), lines(new, "add"));
    }
    let (mut old_html, mut new_html) = (String::new(), String::new());
    for hunk in hunks(old, new, None) {
        for line in &hunk.lines {
            let targets: &mut [&mut String] = match line.kind {
                "del" => &mut [&mut old_html],
                "add" => &mut [&mut new_html],
                _ => &mut [&mut old_html, &mut new_html],
            };
            for res in targets.iter_mut() {
                res.push_str(&format!("<span class=\"diff-{}\">", line.kind));
                for segment in &line.segments {
                    if segment.changed {
                        res.push_str("<mark>");
                    }
                    escape_html(&mut **res, &segment.text).expect("writing to a String cannot fail");
                    if segment.changed {
                        res.push_str("</mark>");
                    }
                }
                // Block-level spans (see the theme): no newline between them, which a `<pre>` would show.
                res.push_str("</span>");
            }
        }
    }
    (old_html, new_html)
}

/// Lines added and removed from `old` to `new`.
pub fn line_stats(old: &str, new: &str) -> (usize, usize) {
    let diff = TextDiff::configure().timeout(std::time::Duration::from_millis(200)).diff_lines(old, new);
    let mut res = (0, 0);
    for op in diff.ops() {
        match *op {
            DiffOp::Insert { new_len, .. } => res.0 += new_len,
            DiffOp::Delete { old_len, .. } => res.1 += old_len,
            DiffOp::Replace { old_len, new_len, .. } => {
                res.0 += new_len;
                res.1 += old_len;
            }
            DiffOp::Equal { .. } => {}
        }
    }
    res
}

/// How many lines a text has.
pub fn line_count(text: &str) -> usize {
    text.lines().count()
}

/// A line of a page with the commit that last changed it.
#[derive(Debug, Clone)]
pub struct BlameLine {
    pub commit: Arc<CommitInfo>,
    pub text: String,
}

/// The attribution of `new`'s lines: lines unchanged from `old` keep `old_lines`' commits, the rest get `commit`.
pub fn carry_attribution(old: &str, new: &str, old_lines: &[BlameLine], commit: &Arc<CommitInfo>) -> Vec<BlameLine> {
    let old_commits: Vec<Arc<CommitInfo>> = old_lines.iter().map(|it| it.commit.clone()).collect();
    carry_lines(old, new, &old_commits, commit)
        .into_iter()
        .zip(new.lines())
        .map(|(commit, text)| BlameLine { commit, text: text.to_string() })
        .collect()
}

/// What `new`'s lines come from (their commits, or their authors): lines unchanged from `old` keep
/// `old_lines`' entries, the rest get `commit`. The compact form of `carry_attribution` that the authorship
/// index keeps.
pub fn carry_lines<T: Clone>(old: &str, new: &str, old_lines: &[T], commit: &T) -> Vec<T> {
    let diff = TextDiff::configure().timeout(std::time::Duration::from_millis(200)).diff_lines(old, new);
    let mut res: Vec<T> = vec![commit.clone(); new.lines().count()];
    for op in diff.ops() {
        if let DiffOp::Equal { old_index, new_index, len } = *op {
            for i in 0..len {
                if let (Some(old_line), Some(slot)) = (old_lines.get(old_index + i), res.get_mut(new_index + i)) {
                    *slot = old_line.clone();
                }
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CommitInfo, Person};

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

    #[test]
    fn counts_lines() {
        assert_eq!(line_stats("a\nb\nc\n", "a\nB\nc\nd\n"), (2, 1));
    }

    #[test]
    fn collapses_unchanged_stretches() {
        let old: String = (0..100).map(|it| format!("line {it}\n")).collect();
        let new = old.replace("line 50\n", "changed\n");
        let hunks = hunks(&old, &new, Some(3));
        assert_eq!(hunks.len(), 1);
        assert_eq!(hunks[0].lines.len(), 8);
        assert_eq!(hunks[0].old_start, 48);
        let rows = split_rows(&hunks[0]);
        assert_eq!(rows.len(), 7, "the changed line pairs with its replacement");
    }

    #[test]
    fn attribution_follows_unchanged_lines() {
        let commit = |name: &str| {
            Arc::new(CommitInfo {
                id: crate::store::hash_blob(name.as_bytes()),
                author: Arc::new(Person { name: name.into(), email: format!("{name}@example.com") }),
                time: 0,
                message: String::new(),
            })
        };
        let (ann, bob) = (commit("ann"), commit("bob"));
        let first = carry_attribution("", "a\nb\n", &[], &ann);
        let second = carry_attribution("a\nb\n", "a\nB\nc\n", &first, &bob);
        let names: Vec<&str> = second.iter().map(|it| it.commit.author.name.as_str()).collect();
        assert_eq!(names, ["ann", "bob", "bob"]);
    }
}
