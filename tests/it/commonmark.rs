//! The CommonMark spec examples, rendered by Lore's renderer. Lore adds things the spec does not know (heading
//! anchors, section-edit links, highlighted code, relative links resolved like a forge, the title H1 left to
//! the theme, `rel` on links, lazy images); those are taken out of the comparison, and everything else must
//! render as the spec says. The raw-HTML sections are left out: Lore sanitises raw HTML on purpose.
//!
//! `tests/fixtures/commonmark/spec.json` holds the examples of CommonMark 0.31.2 (see the README beside it).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, CharacterTokens, EndTag, NullCharacterToken, StartTag, TagToken, Token, TokenSink, TokenSinkResult,
    Tokenizer, TokenizerOpts,
};
use lore::content::RepoPath;
use lore::content::links::{self, WikiTarget};
use lore::content::page::markdown_options;
use pulldown_cmark::{Event, Parser, Tag};
use pulldown_cmark_escape::escape_href;
use serde::Deserialize;

/// Sections whose examples are raw HTML, which Lore's sanitiser changes by design.
const RAW_HTML_SECTIONS: [&str; 2] = ["HTML blocks", "Raw HTML"];

/// The elements HTML defines. A browser shows an element HTML does not define (`<bar>` in a paragraph) as its
/// content alone, which is what the sanitiser leaves of it; the comparison unwraps such elements on both sides.
const HTML_ELEMENTS: [&str; 112] = [
    "a",
    "abbr",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "mark",
    "menu",
    "meta",
    "meter",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "span",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// The share of examples that must pass, in percent.
const REQUIRED_PERCENT: usize = 99;

#[derive(Deserialize)]
struct Example {
    example: usize,
    section: String,
    markdown: String,
    html: String,
}

#[test]
fn commonmark_spec_examples_render_as_the_spec_says() {
    let examples: Vec<Example> =
        serde_json::from_str(include_str!("../fixtures/commonmark/spec.json")).expect("the fixture is valid JSON");
    assert_eq!(examples.len(), 652, "CommonMark 0.31.2 has 652 examples");
    let page = RepoPath::parse("page.md").unwrap();
    let mut n_checked = 0;
    let mut failures = Vec::new();
    for example in examples.iter().filter(|it| !RAW_HTML_SECTIONS.contains(&it.section.as_str())) {
        n_checked += 1;
        let rendered = render(&page, &example.markdown);
        let expected = normalize(&example.html, &resolved_links(&page, &example.markdown));
        let actual = normalize(&rendered, &HashMap::new());
        if expected != actual {
            failures.push(format!(
                "example {} ({}):\n  markdown: {:?}\n  expected: {expected:?}\n  actual:   {actual:?}",
                example.example, example.section, example.markdown
            ));
        }
    }
    let n_passed = n_checked - failures.len();
    println!("CommonMark: {n_passed} of {n_checked} examples pass");
    for failure in &failures {
        println!("{failure}");
    }
    assert_eq!(n_checked, 588, "the examples outside the raw-HTML sections");
    assert!(
        n_passed * 100 >= n_checked * REQUIRED_PERCENT,
        "only {n_passed} of {n_checked} CommonMark examples pass (at least {REQUIRED_PERCENT} % must):\n{}",
        failures.join("\n")
    );
}

// Renders with a title no heading has, so no H1 is left to the theme, and with every wiki link missing.
fn render(page: &RepoPath, markdown: &str) -> String {
    let resolve = |target: &str| WikiTarget::Missing(links::missing_page_url(target));
    let html = lore::render::render_body(page, "\u{1}no title", markdown, &resolve, &[]).html;
    lore::render::without_section_edit_links(&html)
}

// The destinations of the Markdown links and images in `markdown` as the spec writes them, each with the URL
// Lore resolves it to from `page` (`foo` → `/foo`). Raw HTML's links are not resolved, so only these are.
fn resolved_links(page: &RepoPath, markdown: &str) -> HashMap<String, String> {
    let mut res = HashMap::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event
            && let Some(url) = links::rewrite_relative(page, &dest_url)
        {
            let (mut as_written, mut resolved) = (String::new(), String::new());
            escape_href(&mut as_written, &dest_url).unwrap();
            escape_href(&mut resolved, &url).unwrap();
            res.insert(unescape(&as_written), unescape(&resolved));
        }
    }
    res
}

// HTML as a browser's parser builds it (unclosed tags closed, formatting reopened), written back one way:
// attributes sorted, character references decoded and text escaped alike, `<br />` as `<br>`, line breaks
// between tags dropped; without Lore's additions, and with the links in `resolved` replaced.
fn normalize(html: &str, resolved: &HashMap<String, String>) -> String {
    let seen = tokenize(html, Canonical::default());
    let names = seen.names.into_inner();
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags(names.tags.iter().map(String::as_str))
        .add_generic_attributes(names.attributes.iter().map(String::as_str))
        .url_schemes(names.schemes.iter().map(String::as_str).collect())
        .link_rel(None)
        .strip_comments(false);
    let parsed = builder.clean(html).to_string();
    let canonical = tokenize(&parsed, Canonical { resolved: Some(resolved.clone()), ..Canonical::default() });
    canonical.out.into_inner().replace(">\n<", "><")
}

fn tokenize(html: &str, sink: Canonical) -> Canonical {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink
}

/// Every tag, attribute and URL scheme a piece of HTML uses.
#[derive(Default)]
struct Names {
    tags: BTreeSet<String>,
    attributes: BTreeSet<String>,
    schemes: BTreeSet<String>,
}

#[derive(Default)]
struct Canonical {
    out: RefCell<String>,
    names: RefCell<Names>,
    // Inside `<code>`: highlighting spans are Lore's addition.
    in_code: RefCell<bool>,
    // Link targets to replace (the spec's relative links as Lore resolves them).
    resolved: Option<HashMap<String, String>>,
}

impl TokenSink for Canonical {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let mut out = self.out.borrow_mut();
        match token {
            CharacterTokens(text) => out.push_str(&escape(&text, false)),
            NullCharacterToken => out.push('\u{fffd}'),
            TagToken(tag) => {
                let name = tag.name.to_string();
                let mut names = self.names.borrow_mut();
                names.tags.insert(name.clone());
                for attr in &tag.attrs {
                    names.attributes.insert(attr.name.local.to_string());
                    if let Ok(url) = url::Url::parse(&attr.value) {
                        names.schemes.insert(url.scheme().to_string());
                    }
                }
                if name == "code" {
                    *self.in_code.borrow_mut() = tag.kind == StartTag;
                }
                if (name == "span" && *self.in_code.borrow()) || !HTML_ELEMENTS.contains(&name.as_str()) {
                    return TokenSinkResult::Continue;
                }
                match tag.kind {
                    StartTag => {
                        let mut attrs: Vec<(String, String)> = tag
                            .attrs
                            .iter()
                            .map(|it| (it.name.local.to_string(), it.value.to_string()))
                            .filter(|(attr, value)| !lore_addition(&name, attr, value))
                            .map(|(attr, value)| {
                                let replaced = self
                                    .resolved
                                    .as_ref()
                                    .filter(|_| attr == "href" || attr == "src")
                                    .and_then(|it| it.get(&value));
                                let value = replaced.cloned().unwrap_or(value);
                                (attr, value)
                            })
                            .collect();
                        attrs.sort();
                        out.push('<');
                        out.push_str(&name);
                        for (attr, value) in attrs {
                            out.push_str(&format!(" {attr}=\"{}\"", escape(&value, true)));
                        }
                        out.push('>');
                    }
                    EndTag => out.push_str(&format!("</{name}>")),
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

// Attributes only Lore adds: heading anchors, `rel` on links, lazy images, the highlighted code block's class.
fn lore_addition(element: &str, attr: &str, value: &str) -> bool {
    matches!((element, attr), ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", "id") | ("a", "rel") | ("img", "loading"))
        || (element == "pre" && attr == "class" && value == "code")
}

fn escape(text: &str, in_attribute: bool) -> String {
    let mut res = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => res.push_str("&amp;"),
            '<' => res.push_str("&lt;"),
            '>' => res.push_str("&gt;"),
            '"' if in_attribute => res.push_str("&quot;"),
            _ => res.push(ch),
        }
    }
    res
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}
