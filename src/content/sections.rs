//! Sections of a page: a heading and everything up to the next heading of the same or a higher level.
//! Numbered in document order from 1, the same numbering the renderer uses for its "edit section" links.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::front_matter;
use super::page::markdown_options;

/// One section's place in the page's full text (front matter included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub number: usize,
    pub level: u8,
    pub range: Range<usize>,
}

/// Every section of a page, in document order.
pub fn sections(text: &str) -> Vec<Section> {
    let body = front_matter::split(text).body;
    let body_start = text.len() - body.len();
    let mut headings: Vec<(u8, usize)> = Vec::new();
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        if let Event::Start(Tag::Heading { level, .. }) = event {
            headings.push((level as u8, body_start + range.start));
        }
    }
    let mut res = Vec::with_capacity(headings.len());
    for (i, (level, start)) in headings.iter().enumerate() {
        let end = headings[i + 1..].iter().find(|(next_level, _)| next_level <= level).map_or(text.len(), |it| it.1);
        res.push(Section { number: i + 1, level: *level, range: *start..end });
    }
    res
}

/// The text of section `number`.
pub fn section_text(text: &str, number: usize) -> Option<&str> {
    let section = sections(text).into_iter().find(|it| it.number == number)?;
    Some(&text[section.range])
}

/// The page with section `number` replaced by `replacement`.
pub fn replace_section(text: &str, number: usize, replacement: &str) -> Option<String> {
    let section = sections(text).into_iter().find(|it| it.number == number)?;
    let mut res = String::with_capacity(text.len() + replacement.len());
    res.push_str(&text[..section.range.start]);
    res.push_str(replacement);
    // Keep the next section on its own line even when the edited one lost its final newline.
    if section.range.end < text.len() && !replacement.ends_with('\n') {
        res.push('\n');
    }
    res.push_str(&text[section.range.end..]);
    Some(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: T\n---\n# Top\nintro\n## A\na text\n### A1\ndeep\n## B\nb text\n";

    #[test]
    fn sections_run_to_the_next_heading_of_the_same_level() {
        assert_eq!(section_text(PAGE, 1), Some("# Top\nintro\n## A\na text\n### A1\ndeep\n## B\nb text\n"));
        assert_eq!(section_text(PAGE, 2), Some("## A\na text\n### A1\ndeep\n"));
        assert_eq!(section_text(PAGE, 3), Some("### A1\ndeep\n"));
        assert_eq!(section_text(PAGE, 4), Some("## B\nb text\n"));
        assert_eq!(section_text(PAGE, 5), None);
    }

    #[test]
    fn replacing_a_section_keeps_the_rest() {
        let res = replace_section(PAGE, 2, "## A\nnew a").unwrap();
        assert_eq!(res, "---\ntitle: T\n---\n# Top\nintro\n## A\nnew a\n## B\nb text\n");
    }

    #[test]
    fn code_fences_are_not_headings() {
        assert_eq!(sections("```\n# no\n```\n## yes\n").len(), 1);
    }
}
