//! Plain text of a page for the search index: Markdown syntax stripped, code kept, headings collected.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::page::markdown_options;

/// A page body as words: its headings and all of its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainText {
    pub headings: Vec<String>,
    pub text: String,
}

/// Extracts the text a reader sees (and the code they copy) from a Markdown body.
pub fn plain_text(body: &str) -> PlainText {
    let mut res = PlainText::default();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = heading.take() {
                    let text = text.trim().to_string();
                    if !text.is_empty() {
                        res.headings.push(text);
                    }
                }
                res.text.push('\n');
            }
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                if let Some(heading) = heading.as_mut() {
                    heading.push_str(&text);
                }
                res.text.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => res.text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock | TagEnd::BlockQuote(_),
            ) => res.text.push('\n'),
            Event::Html(html) | Event::InlineHtml(html) => res.text.push_str(&strip_tags(&html)),
            _ => {}
        }
    }
    res
}

// Keeps the text between tags of raw HTML (`<kbd>Ctrl</kbd>` → `Ctrl`).
fn strip_tags(html: &str) -> String {
    let mut res = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                res.push(' ');
            }
            _ if !in_tag => res.push(ch),
            _ => {}
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_syntax_and_keeps_code() {
        let plain = plain_text(
            "# Setup\n\nUse **VPN** and [[Access Page|access]].\n\n```sh\nsudo vpn-connect\n```\n\n<kbd>Ctrl</kbd>",
        );
        assert_eq!(plain.headings, ["Setup"]);
        assert!(plain.text.contains("Use VPN and access."), "{:?}", plain.text);
        assert!(plain.text.contains("sudo vpn-connect"));
        assert!(plain.text.contains("Ctrl"));
        assert!(!plain.text.contains("**") && !plain.text.contains('#'));
    }
}
