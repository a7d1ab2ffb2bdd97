//! Mentions: `@ann` names an account, `@ann@example.com` an e-mail address. They count in a page's prose only:
//! never inside code, links or HTML blocks, and never in the middle of a word (`ann@example.com` is an
//! address, not a mention). Found in one pass over the text.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::page::markdown_options;

/// Someone a page mentions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mention {
    /// `@ann`: an account name, lowercased.
    Account(String),
    /// `@ann@example.com`: an e-mail address, lowercased.
    Email(String),
}

/// Longest account name or e-mail address taken as a mention, in bytes.
const MAX_MENTION_BYTES: usize = 254;

/// The mentions in a Markdown body, in order of first appearance, each once.
pub fn mentions(body: &str) -> Vec<Mention> {
    let mut res: Vec<Mention> = Vec::new();
    let mut in_code_or_link = 0usize;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. }) => in_code_or_link += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image) => {
                in_code_or_link = in_code_or_link.saturating_sub(1)
            }
            Event::Text(text) if in_code_or_link == 0 => {
                for (_, mention) in find_in_text(&text) {
                    if !res.contains(&mention) {
                        res.push(mention);
                    }
                }
            }
            _ => {}
        }
    }
    res
}

/// The mentions in a run of plain text (already outside code and links), with where each is in `text`: for
/// the renderer, which links them.
pub fn find_in_text(text: &str) -> Vec<(Range<usize>, Mention)> {
    let bytes = text.as_bytes();
    let mut res = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find('@') {
        let start = at + found;
        at = start + 1;
        // A mention starts a word: `ann@example.com` and `x@y` are addresses, not mentions.
        let starts_word = start == 0 || !is_name_byte(bytes[start - 1]) && bytes[start - 1] != b'@';
        if !starts_word {
            continue;
        }
        let name_end = scan(bytes, start + 1, is_name_byte);
        let name = trim_trailing_punctuation(&text[start + 1..name_end]);
        if name.is_empty() || !name.as_bytes()[0].is_ascii_alphanumeric() {
            continue;
        }
        let mut end = start + 1 + name.len();
        let mut mention = Mention::Account(name.to_ascii_lowercase());
        // `@ann@example.com`: an address follows the name.
        if end == name_end && bytes.get(end) == Some(&b'@') {
            let domain_end = scan(bytes, end + 1, is_domain_byte);
            let domain = trim_trailing_punctuation(&text[end + 1..domain_end]);
            if domain.contains('.') && !domain.starts_with('.') && !domain.starts_with('-') {
                mention = Mention::Email(format!("{name}@{domain}").to_ascii_lowercase());
                end = end + 1 + domain.len();
            }
        }
        if end - start - 1 > MAX_MENTION_BYTES {
            at = end;
            continue;
        }
        res.push((start..end, mention));
        at = end;
    }
    res
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b'+')
}

fn is_domain_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-')
}

// The end of the run of bytes from `from` that `accept` accepts.
fn scan(bytes: &[u8], from: usize, accept: fn(u8) -> bool) -> usize {
    let mut end = from;
    while end < bytes.len() && accept(bytes[end]) {
        end += 1;
    }
    end
}

// `@ann.` at the end of a sentence names `ann`.
fn trim_trailing_punctuation(name: &str) -> &str {
    name.trim_end_matches(['.', '-', '+'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(body: &str, expected: &[&str]) {
        let found: Vec<String> = mentions(body)
            .into_iter()
            .map(|it| match it {
                Mention::Account(name) => format!("@{name}"),
                Mention::Email(email) => format!("<{email}>"),
            })
            .collect();
        assert_eq!(found, expected, "in {body:?}");
    }

    #[test]
    fn account_names_and_addresses() {
        check("Thanks @ann, and @Bob.", &["@ann", "@bob"]);
        check("Ask @ann@example.com about it.", &["<ann@example.com>"]);
        check("@carol: see above. @carol again.", &["@carol"]);
        check("(@dave) [@erin]", &["@dave", "@erin"]);
    }

    #[test]
    fn addresses_and_words_are_not_mentions() {
        check("Write to ann@example.com or x@y.", &[]);
        check("Costs 5@ per item, and @ alone, and @@ann.", &[]);
        check("@-flag and @.hidden are not names.", &[]);
    }

    #[test]
    fn code_links_and_html_blocks_are_not_prose() {
        check("`@ann` and\n\n```\n@bob\n```\n", &[]);
        check("[see](https://example.com/@carol) and <https://example.com/@dave>", &[]);
        check("<div>\n@erin\n</div>\n\nand @frank", &["@frank"]);
    }

    #[test]
    fn a_name_keeps_its_inner_punctuation() {
        check("Hi @ann.lee-smith.", &["@ann.lee-smith"]);
        check("Hi @ann@mail.example.org.", &["<ann@mail.example.org>"]);
        check("Hi @ann@localhost", &["@ann"]);
    }

    #[test]
    fn positions_point_at_the_mention() {
        let text = "Hi @ann and @bob@example.com!";
        let found: Vec<&str> = find_in_text(text).into_iter().map(|(range, _)| &text[range]).collect();
        assert_eq!(found, ["@ann", "@bob@example.com"]);
    }
}
