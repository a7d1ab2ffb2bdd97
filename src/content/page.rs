//! What Lore knows about a page without rendering it: title, front matter, outgoing wiki links.

use std::borrow::Cow;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};
use serde::Serialize;

use super::front_matter::{self, FrontMatter, FrontMatterProblem};
use super::links::{LinkKind, WrittenLink};
use super::path::RepoPath;

/// A page's metadata, computed once per blob and cached by blob id.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// Front matter `title`, else the first heading (of any level), else [`fallback_title`].
    pub title: String,
    pub front_matter: FrontMatter,
    /// Problems to show above the page (invalid YAML, invalid UTF-8).
    pub warnings: Vec<String>,
    /// Every wiki link, and every link and image that may point into the repository, in order of appearance
    /// (e-mail autolinks and links with a scheme left out): what `links::broken_links` checks, and what the
    /// link graph and wiki-link targets are read from. (Each page's metadata is kept for as long as its
    /// version is served: what can be read from these links is not kept beside them.)
    pub links: Box<[WrittenLink]>,
    /// Whether the body has `$math$` or a ```` ```math ```` block (the page then loads KaTeX).
    pub has_math: bool,
    /// Whether the body has a ```` ```mermaid ```` block (the page then loads mermaid).
    pub has_mermaid: bool,
}

impl PageMeta {
    /// Targets of `[[wiki links]]` in the body, in order of appearance.
    pub fn wiki_targets(&self) -> impl Iterator<Item = &str> {
        self.links.iter().filter(|it| it.kind == LinkKind::Wiki).map(|it| &*it.dest)
    }

    /// The bytes it holds on the heap, roughly: what caches weigh it by.
    pub fn heap_size(&self) -> usize {
        let texts = |list: &[String]| list.iter().map(|it| size_of::<String>() + it.len()).sum::<usize>();
        let front_matter = &self.front_matter;
        self.title.len()
            + texts(&self.warnings)
            + self.links.iter().map(|it| size_of::<WrittenLink>() + it.dest.len()).sum::<usize>()
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
    let body_line = text[..text.len() - doc.body.len()].matches('\n').count() + 1;
    let scan = scan_body(path, doc.body, body_line);
    let title = front_matter
        .title
        .clone()
        .filter(|it| !it.trim().is_empty())
        .or(scan.first_heading)
        .unwrap_or_else(|| fallback_title(path));
    PageMeta {
        title,
        front_matter,
        warnings,
        // Every page's metadata is kept for as long as the version is served: no spare room in its list.
        links: scan.links.into_boxed_slice(),
        has_math: scan.has_math,
        has_mermaid: scan.has_mermaid,
    }
}

/// The title of a page with neither a `title` nor a heading: its file name made readable
/// (`engineering_interview_process.md` → "Engineering interview process"), or for a folder's `index.md` or
/// `README.md` its folder's name ("Home" at the root).
pub fn fallback_title(path: &RepoPath) -> String {
    let name = if matches!(path.file_name(), "index.md" | "README.md") {
        match path.folder().trim_end_matches('/').rsplit('/').next() {
            Some(folder) if !folder.is_empty() => folder,
            _ => return "Home".to_string(),
        }
    } else {
        path.file_stem()
    };
    humanize(name)
}

// `_` and `-` become spaces, the first letter a capital: `vpn-access` → "Vpn access".
fn humanize(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let trimmed = spaced.trim();
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        // A name of only underscores and hyphens stays as it is.
        None => name.to_string(),
    }
}

/// How a front matter problem reads above the page.
pub fn describe_problem(problem: &FrontMatterProblem) -> String {
    format!("line {}: {}", problem.line, problem.message)
}

#[derive(Default)]
struct BodyScan {
    first_heading: Option<String>,
    links: Vec<WrittenLink>,
    has_math: bool,
    has_mermaid: bool,
}

// `first_line` is the line of the file the body starts on.
fn scan_body(path: &RepoPath, body: &str, first_line: usize) -> BodyScan {
    let mut res = BodyScan::default();
    let mut heading_text: Option<String> = None;
    // Lines are counted as links come, in order: (offset counted up to, line there).
    let mut counted = (0, first_line);
    let mut line_at = |offset: usize| {
        if offset < counted.0 {
            counted = (0, first_line);
        }
        counted.1 += body[counted.0..offset].matches('\n').count();
        counted.0 = offset;
        counted.1
    };
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let written = match &event {
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { .. }, dest_url, .. }) => {
                Some((LinkKind::Wiki, dest_url))
            }
            // An e-mail autolink's destination is the bare address, not a path.
            Event::Start(Tag::Link { link_type: LinkType::Email, .. }) => None,
            Event::Start(Tag::Link { dest_url, .. }) => Some((LinkKind::Link, dest_url)),
            Event::Start(Tag::Image { dest_url, .. }) => Some((LinkKind::Image, dest_url)),
            _ => None,
        };
        if let Some((kind, dest)) = written
            && (kind == LinkKind::Wiki || super::links::served_path(path, dest).is_some())
        {
            let line = u32::try_from(line_at(range.start)).unwrap_or(u32::MAX);
            res.links.push(WrittenLink { kind, dest: dest.as_ref().into(), line });
        }
        match event {
            Event::Start(Tag::Heading { .. }) if res.first_heading.is_none() => heading_text = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(text) = heading_text.take() {
                    let text = text.trim().to_string();
                    if !text.is_empty() {
                        res.first_heading = Some(text);
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = heading_text.as_mut() {
                    heading.push_str(&text);
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
    fn title_from_front_matter_then_first_heading_then_file_name() {
        check_title("a.md", "---\ntitle: From YAML\n---\n# From H1\n", "From YAML");
        check_title("a.md", "Intro\n\n# From *H1*\n", "From H1");
        check_title("guide/vpn-access.md", "No heading here.\n", "Vpn access");
        check_title("a.md", "```\n# not a heading\n```\n", "A");
    }

    #[test]
    fn a_page_starting_with_an_h2_takes_its_title_from_it() {
        check_title(
            "engineering_interview_process.md",
            "## Engineering interviews\n\n# Later H1\n",
            "Engineering interviews",
        );
    }

    #[test]
    fn titles_without_a_heading_are_humanised_file_names() {
        check_title("hiring/engineering_interview_process.md", "Text only.\n", "Engineering interview process");
        check_title("a/__.md", "Text only.\n", "__");
    }

    #[test]
    fn folder_index_pages_are_titled_after_their_folder() {
        check_title("engineering/on-call/index.md", "Text only.\n", "On call");
        check_title("team_handbook/README.md", "Text only.\n", "Team handbook");
        check_title("index.md", "Text only.\n", "Home");
        check_title("README.md", "", "Home");
        check_title("team/index.md", "# Team handbook\n", "Team handbook");
    }

    #[test]
    fn collects_wiki_link_targets() {
        let meta = read_meta(
            &RepoPath::parse("a.md").unwrap(),
            "See [[VPN Access]] and [[Setup|the setup]].\n\n`[[not a link]]`",
        );
        assert_eq!(meta.wiki_targets().collect::<Vec<_>>(), ["VPN Access", "Setup"]);
    }

    #[test]
    fn an_email_address_ending_in_md_is_no_link_to_a_page() {
        use crate::content::links::{LinkGraph, LinkResolver, LinkSource};
        // `.md` is Moldova's domain: the e-mail autolink once counted as a link to a missing page `ann@mail.md`.
        let path = RepoPath::parse("a.md").unwrap();
        let meta = read_meta(&path, "Write to <ann@mail.md>, see [[Setup]] and [b](b.md).\n");
        let resolver = LinkResolver::new([]);
        let graph = LinkGraph::build([LinkSource { path: &path, links: &meta.links }], &resolver, &|_| false);
        let wanted: Vec<&str> = graph.wanted().map(|it| it.0.as_str()).collect();
        assert_eq!(wanted, ["Setup", "b.md"]);
    }

    #[test]
    fn collects_links_with_their_lines() {
        let meta = read_meta(
            &RepoPath::parse("a/b.md").unwrap(),
            "---\ntitle: B\n---\n[[Wiki]] [x](x.md)\n\n![i](i.png) <ann@example.com> [w](https://example.com)\n\n[r](/r)",
        );
        let links: Vec<(LinkKind, &str, u32)> = meta.links.iter().map(|it| (it.kind, &*it.dest, it.line)).collect();
        assert_eq!(
            links,
            [
                (LinkKind::Wiki, "Wiki", 4),
                (LinkKind::Link, "x.md", 4),
                (LinkKind::Image, "i.png", 6),
                (LinkKind::Link, "/r", 8)
            ]
        );
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
