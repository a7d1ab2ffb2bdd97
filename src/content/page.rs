//! What Lore knows about a page without rendering it: title, front matter, outgoing wiki links.

use std::borrow::Cow;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use serde::Serialize;

use super::front_matter::{self, FrontMatter, FrontMatterProblem};
use super::path::RepoPath;

/// A page's metadata, computed once per blob and cached by blob id.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// Front matter `title`, else the first H1, else the file name.
    pub title: String,
    pub front_matter: FrontMatter,
    /// Problems to show above the page (invalid YAML, invalid UTF-8).
    pub warnings: Vec<String>,
    /// Targets of `[[wiki links]]` in the body, in order of appearance.
    pub wiki_targets: Vec<String>,
    /// Pages (and folders, ending in `/`) that relative Markdown links point to, as repository paths.
    pub page_links: Vec<String>,
    /// Whether the body has `$math$` or a ```` ```math ```` block (the page then loads KaTeX).
    pub has_math: bool,
    /// Whether the body has a ```` ```mermaid ```` block (the page then loads mermaid).
    pub has_mermaid: bool,
}

impl PageMeta {
    /// The bytes it holds on the heap, roughly: what caches weigh it by.
    pub fn heap_size(&self) -> usize {
        let texts = |list: &[String]| list.iter().map(|it| size_of::<String>() + it.len()).sum::<usize>();
        let front_matter = &self.front_matter;
        self.title.len()
            + texts(&self.warnings)
            + texts(&self.wiki_targets)
            + texts(&self.page_links)
            + front_matter.title.as_ref().map_or(0, String::len)
            + texts(&front_matter.tags)
            + texts(&front_matter.aliases)
            + texts(&front_matter.owners)
            + front_matter.extra.iter().map(|(key, value)| 64 + key.len() + yaml_size(value)).sum::<usize>()
    }
}

// The heap bytes of a YAML value, roughly.
fn yaml_size(value: &serde_yaml::Value) -> usize {
    use serde_yaml::Value;
    size_of::<Value>()
        + match value {
            Value::String(text) => text.len(),
            Value::Sequence(items) => items.iter().map(yaml_size).sum(),
            Value::Mapping(mapping) => mapping.iter().map(|(key, value)| yaml_size(key) + yaml_size(value)).sum(),
            Value::Tagged(tagged) => tagged.tag.to_string().len() + yaml_size(&tagged.value),
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        }
}

/// Decodes a blob as UTF-8, replacing invalid sequences and saying so.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(err) => {
            let line = bytes[..err.valid_up_to()].iter().filter(|it| **it == b'\n').count() + 1;
            let warning = format!(
                "this file is not valid UTF-8 (first bad byte on line {line}); it is shown with replacement characters"
            );
            (String::from_utf8_lossy(bytes), Some(warning))
        }
    }
}

/// The options every parse of a page body uses, so metadata and rendering agree.
pub fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_MATH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
}

/// Reads a page's metadata from its text.
pub fn read_meta(path: &RepoPath, text: &str) -> PageMeta {
    let doc = front_matter::split(text);
    let (front_matter, problems) = doc.yaml.map(front_matter::parse).unwrap_or_default();
    let warnings = problems.iter().map(describe_problem).collect();
    let scan = scan_body(path, doc.body);
    let title = front_matter
        .title
        .clone()
        .filter(|it| !it.trim().is_empty())
        .or(scan.first_h1)
        .unwrap_or_else(|| path.file_stem().to_string());
    PageMeta {
        title,
        front_matter,
        warnings,
        wiki_targets: scan.wiki_targets,
        page_links: scan.page_links,
        has_math: scan.has_math,
        has_mermaid: scan.has_mermaid,
    }
}

/// How a front matter problem reads above the page.
pub fn describe_problem(problem: &FrontMatterProblem) -> String {
    format!("line {}: {}", problem.line, problem.message)
}

#[derive(Default)]
struct BodyScan {
    first_h1: Option<String>,
    wiki_targets: Vec<String>,
    page_links: Vec<String>,
    has_math: bool,
    has_mermaid: bool,
}

fn scan_body(path: &RepoPath, body: &str) -> BodyScan {
    let mut res = BodyScan::default();
    let mut h1_text: Option<String> = None;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }) if res.first_h1.is_none() => {
                h1_text = Some(String::new())
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                if let Some(text) = h1_text.take() {
                    let text = text.trim().to_string();
                    if !text.is_empty() {
                        res.first_h1 = Some(text);
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(h1) = h1_text.as_mut() {
                    h1.push_str(&text);
                }
            }
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { .. }, dest_url, .. }) => {
                res.wiki_targets.push(dest_url.into_string())
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(target) = super::links::relative_target(path, &dest_url)
                    && (super::path::has_markdown_extension(&target) || target.ends_with('/'))
                {
                    res.page_links.push(target);
                }
            }
            Event::InlineMath(_) | Event::DisplayMath(_) => res.has_math = true,
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => match info.split([' ', ',', '{']).next() {
                Some("math") => res.has_math = true,
                Some("mermaid") => res.has_mermaid = true,
                _ => {}
            },
            _ => {}
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_title(path: &str, text: &str, expected: &str) {
        let meta = read_meta(&RepoPath::parse(path).unwrap(), text);
        assert_eq!(meta.title, expected);
    }

    #[test]
    fn title_from_front_matter_then_h1_then_file_name() {
        check_title("a.md", "---\ntitle: From YAML\n---\n# From H1\n", "From YAML");
        check_title("a.md", "Intro\n\n# From *H1*\n", "From H1");
        check_title("guide/vpn-access.md", "No heading here.\n", "vpn-access");
        check_title("a.md", "```\n# not a heading\n```\n", "a");
    }

    #[test]
    fn collects_wiki_link_targets() {
        let meta = read_meta(
            &RepoPath::parse("a.md").unwrap(),
            "See [[VPN Access]] and [[Setup|the setup]].\n\n`[[not a link]]`",
        );
        assert_eq!(meta.wiki_targets, ["VPN Access", "Setup"]);
    }

    #[test]
    fn invalid_utf8_is_decoded_with_a_warning() {
        let (text, warning) = decode(b"ok\n\xff bad");
        assert_eq!(text, "ok\n\u{fffd} bad");
        assert!(warning.unwrap().contains("line 2"));
    }

    #[test]
    fn invalid_front_matter_becomes_a_warning() {
        let meta = read_meta(&RepoPath::parse("a.md").unwrap(), "---\ntitle: [oops\n---\n# Still here\n");
        assert_eq!(meta.title, "Still here");
        assert_eq!(meta.warnings.len(), 1);
        assert!(meta.warnings[0].starts_with("line "), "{:?}", meta.warnings);
    }
}
