//! Plain text of a page for the search index: Markdown syntax stripped, code kept, headings collected.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::page::markdown_options;

/// A page body as words: its headings and all of its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainText {
    pub headings: Vec<String>,
    pub text: String,
}

/// Extracts the text a reader sees (and the code they copy) from a Markdown body. Blocks (paragraphs,
/// headings, list items, table cells, quotes, code) and line breaks separate words, so the last word of one
/// block never runs into the first of the next.
pub fn plain_text(body: &str) -> PlainText {
    let mut res = PlainText::default();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                separate(&mut res.text);
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = heading.take() {
                    let text = text.trim().to_string();
                    if !text.is_empty() {
                        res.headings.push(text);
                    }
                }
                separate(&mut res.text);
            }
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                if let Some(heading) = heading.as_mut() {
                    heading.push_str(&text);
                }
                res.text.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(heading) = heading.as_mut() {
                    heading.push(' ');
                }
                res.text.push(' ');
            }
            Event::Start(tag) if is_block(&tag) => separate(&mut res.text),
            Event::End(tag) if is_block_end(&tag) => separate(&mut res.text),
            Event::Html(html) | Event::InlineHtml(html) => res.text.push_str(&strip_tags(&html)),
            _ => {}
        }
    }
    res
}

// Ends the text so far with a line break, unless it ends with white space already.
fn separate(text: &mut String) {
    if !text.is_empty() && !text.ends_with(char::is_whitespace) {
        text.push('\n');
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
    )
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

    #[track_caller]
    fn check(markdown: &str, expected_text: &str) {
        let text = plain_text(markdown).text;
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words.join(" "), expected_text, "{text:?}");
    }

    #[test]
    fn nested_list_items_are_not_glued_together() {
        check("- [Travel](travel.md)\n  - [Navan](navan.md)\n  - Expenses\n", "Travel Navan Expenses");
        check("- Things to do include:\n  - Set your PTO\n", "Things to do include: Set your PTO");
    }

    #[test]
    fn blocks_and_line_breaks_separate_words() {
        check("# Title\nText\n\nMore", "Title Text More");
        check("| a | b |\n|---|---|\n| c | d |\n", "a b c d");
        check("> quoted\n\nafter", "quoted after");
        check("line one  \nline two\\\nthree", "line one line two three");
        check("Term[^1]\n\n[^1]: Note", "Term Note");
    }

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
