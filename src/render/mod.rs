//! Markdown to safe HTML: pulldown-cmark events, rewritten for wiki links, relative links, heading
//! anchors and highlighted code, then sanitised. Pure: no IO. Callers cache the result by blob id.

pub mod diff;
pub mod embed;
pub mod highlight;
mod nesting;
pub mod sanitize;

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;

use crate::content::links::{self, WikiTarget};
use crate::content::mentions::{self, Mention};
use crate::content::page::markdown_options;
use crate::content::{RepoPath, slug};
use embed::{Embed, MediaKind};

/// A page body rendered to sanitised HTML, with its table of contents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderedBody {
    /// Sanitised HTML, safe to embed as is.
    pub html: String,
    pub toc: Vec<TocEntry>,
}

impl RenderedBody {
    /// The bytes it holds on the heap, roughly: what caches weigh it by.
    pub fn heap_size(&self) -> usize {
        self.html.len() + toc_heap_size(&self.toc)
    }
}

/// The bytes a table of contents holds on the heap, roughly.
pub fn toc_heap_size(toc: &[TocEntry]) -> usize {
    toc.iter().map(|it| size_of::<TocEntry>() + it.id.len() + it.text.len()).sum::<usize>()
}

/// A table of contents as caches keep it: every heading's id and text in one block, and per heading its level,
/// section and where its id and text end. As `TocEntry`s each heading took two blocks of its own and 64 bytes
/// besides: the render cache of the flat 10,000-page wiki held 5 MiB of tables of contents, 1.5 kept so.
#[derive(Debug, Clone)]
pub struct KeptToc(KeptTocForm);

#[derive(Debug, Clone)]
enum KeptTocForm {
    Compact {
        texts: Box<str>,
        headings: Box<[KeptHeading]>,
    },
    /// A table whose texts or sections go beyond 32 bits (a page far over any sensible `max_page_bytes`).
    AsItWas(Vec<TocEntry>),
}

#[derive(Debug, Clone)]
struct KeptHeading {
    level: u8,
    section: u32,
    id_end: u32,
    text_end: u32,
}

impl KeptToc {
    /// `toc`, kept compactly when its texts and sections fit 32 bits.
    pub fn keep(toc: Vec<TocEntry>) -> KeptToc {
        KeptToc(KeptToc::compact(&toc).unwrap_or(KeptTocForm::AsItWas(toc)))
    }

    fn compact(toc: &[TocEntry]) -> Option<KeptTocForm> {
        let mut texts = String::with_capacity(toc.iter().map(|it| it.id.len() + it.text.len()).sum());
        let mut headings = Vec::with_capacity(toc.len());
        for entry in toc {
            texts.push_str(&entry.id);
            let id_end = u32::try_from(texts.len()).ok()?;
            texts.push_str(&entry.text);
            let text_end = u32::try_from(texts.len()).ok()?;
            let section = u32::try_from(entry.section).ok()?;
            headings.push(KeptHeading { level: entry.level, section, id_end, text_end });
        }
        Some(KeptTocForm::Compact { texts: texts.into(), headings: headings.into() })
    }

    /// The table of contents it keeps.
    pub fn entries(&self) -> Vec<TocEntry> {
        let (texts, headings) = match &self.0 {
            KeptTocForm::Compact { texts, headings } => (texts, headings),
            KeptTocForm::AsItWas(entries) => return entries.clone(),
        };
        let mut start = 0;
        headings
            .iter()
            .map(|it| {
                let (id_end, text_end) = (it.id_end as usize, it.text_end as usize);
                let entry = TocEntry {
                    level: it.level,
                    id: texts[start..id_end].to_string(),
                    text: texts[id_end..text_end].to_string(),
                    section: it.section as usize,
                };
                start = text_end;
                entry
            })
            .collect()
    }

    /// The bytes it holds on the heap.
    pub fn heap_size(&self) -> usize {
        match &self.0 {
            KeptTocForm::Compact { texts, headings } => texts.len() + headings.len() * size_of::<KeptHeading>(),
            KeptTocForm::AsItWas(entries) => toc_heap_size(entries),
        }
    }
}

/// One heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
    /// The heading's section number, as `content::sections` counts them (what its edit link names).
    pub section: usize,
}

/// Renders a page body (front matter already split off). `resolve_wiki` says where a `[[target]]` points;
/// `embed_hosts` are the hosts whose players an `<iframe>` may show (`embeds` in `lore.yaml`).
/// A leading `# H1` equal to `title` is left out: the theme shows the title above the body already.
pub fn render_body(
    page_path: &RepoPath,
    title: &str,
    body: &str,
    resolve_wiki: &dyn Fn(&str) -> WikiTarget,
    embed_hosts: &[String],
) -> RenderedBody {
    // Code blocks and section-edit links are Lore's own markup, safe by construction: they are put in after
    // sanitising, in place of placeholder elements that carry a random marker page text cannot guess.
    // Cleaning thousands of highlighting spans was a fifth of a page's rendering time, and one edit link per
    // heading doubled the sanitiser's work on pages of many headings.
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).expect("the operating system provides randomness");
    let marker = format!("lore-mark-{:016x}-", u64::from_le_bytes(nonce));
    let mut renderer = Renderer {
        page_path,
        title,
        resolve_wiki,
        marker: &marker,
        n_headings: 0,
        out: Vec::new(),
        heading: None,
        toc: Vec::new(),
        heading_sections: Vec::new(),
        ids: HashMap::new(),
        wiki_link_depth: Vec::new(),
        schemes: BTreeSet::new(),
        embed_hosts,
        embeds: Vec::new(),
        html_block: None,
        inline_frame_fallback: None,
        media_images: Vec::new(),
        paragraph_start: None,
        media_link: None,
        closed_media_link: None,
    };
    let mut code: Option<(String, String)> = None;
    let mut blocks: Vec<(String, String)> = Vec::new();
    // Large pages are sanitised in parts, on several cores; a part starts where nothing is open, at a comment
    // holding the marker (the sanitiser drops comments). Each part is cleaned whole, so a cut anywhere is safe.
    let part_start = format!("<!--{marker}{PART}-->");
    let mut n_events_in_part = 0;
    let mut events = nesting::NestingLimit::new(Parser::new_ext(body, markdown_options()));
    while let Some(event) = events.next() {
        if let Some((language, text)) = code.as_mut() {
            match event {
                Event::Text(chunk) => text.push_str(&chunk),
                Event::End(TagEnd::CodeBlock) => {
                    let placeholder = format!("<p class=\"{marker}{CODE_BLOCK}{}\"></p>\n", blocks.len());
                    blocks.push((std::mem::take(language), std::mem::take(text)));
                    renderer.emit(Event::Html(placeholder.into()));
                    code = None;
                }
                _ => {}
            }
        } else {
            match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let language = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split([' ', ',', '{']).next().unwrap_or_default().to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((language, String::new()));
                }
                other => renderer.handle(other),
            }
        }
        n_events_in_part += 1;
        if n_events_in_part > EVENTS_PER_PART && code.is_none() && renderer.at_top_level() && events.at_top_level() {
            renderer.out.push(Event::Html(part_start.clone().into()));
            n_events_in_part = 0;
        }
    }
    renderer.flush_html_block();
    for held in renderer.inline_frame_fallback.take().into_iter().flatten() {
        renderer.handle(held);
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, std::mem::take(&mut renderer.out).into_iter());
    // Images load as they scroll into view; the sanitiser keeps `loading`.
    if html.contains("<img ") {
        html = html.replace("<img ", "<img loading=\"lazy\" ");
    }
    let html = alignment_as_classes(html);
    let generated = Generated {
        marker: &marker,
        code_blocks: highlight_blocks(&blocks),
        embeds: std::mem::take(&mut renderer.embeds),
        toc: &renderer.toc,
        heading_sections: &renderer.heading_sections,
        page_path,
    };
    let schemes = &renderer.schemes;
    let mut html =
        sanitize_in_parts(&html, &part_start, |part| generated.put_in(&sanitize::sanitize_with_schemes(part, schemes)));
    // Bodies are kept in the render cache, which weighs them by their length: the capacity a growing string
    // leaves spare held a third again as much (53 MiB for 10,000 pages).
    html.shrink_to_fit();
    let mut toc = renderer.toc;
    toc.shrink_to_fit();
    RenderedBody { html, toc }
}

/// The opening of the link the renderer adds to every heading to edit its section (user-interface chrome).
const SECTION_EDIT_LINK: &str = "<a class=\"section-edit\"";

/// Rendered HTML without the section-edit links in its headings: the content alone, for API clients.
/// One pass over the HTML; sanitised HTML holds the link's opening only as a real tag, and a link ends at its
/// first `</a>` (links do not nest).
pub fn without_section_edit_links(html: &str) -> String {
    let mut res = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(SECTION_EDIT_LINK) {
        let Some(end) = rest[start..].find("</a>").map(|it| start + it + "</a>".len()) else { break };
        // The renderer puts one space between the heading's text and its link.
        res.push_str(rest[..start].strip_suffix(' ').unwrap_or(&rest[..start]));
        rest = &rest[end..];
    }
    res.push_str(rest);
    res
}

// Placeholders: a code block is `<p class="{marker}c{index}"></p>`; a heading is `<h2 id="{marker}h{index}"`,
// whose real id and edit link (before the next `</h`) are put in afterwards, so the sanitiser cleans no extra
// element per heading (that was most of its work on a page of headings). The sanitiser writes `<` as `&lt;` in
// text and `"` as `&quot;` in attribute values, so a placeholder that page HTML swallowed (into a `title`,
// say) never matches in full, and is never replaced by markup there.
const CODE_BLOCK: char = 'c';
const HEADING: char = 'h';
// An `<iframe>` judged by `embed::Embed`: `<span class="{marker}e{index}"></span>`, phrasing content, so it may
// stand where the frame stood, in a paragraph or between blocks.
const EMBED: char = 'e';
// A part of a large page to sanitise on its own (see `sanitize_in_parts`).
const PART: char = 'p';
// How often a part may start, in events: a few hundred parts on the largest pages.
const EVENTS_PER_PART: usize = 4096;

struct Heading<'a> {
    level: u8,
    explicit_id: Option<String>,
    classes: Vec<String>,
    text: String,
    events: Vec<Event<'a>>,
}

struct Renderer<'r, 'a> {
    page_path: &'r RepoPath,
    title: &'r str,
    marker: &'r str,
    // Headings seen so far: section numbers, as `content::sections` counts them.
    n_headings: usize,
    resolve_wiki: &'r dyn Fn(&str) -> WikiTarget,
    out: Vec<Event<'a>>,
    heading: Option<Heading<'a>>,
    toc: Vec<TocEntry>,
    // The section number of each entry of `toc`, for its edit link.
    heading_sections: Vec<usize>,
    ids: HashMap<String, usize>,
    // One entry per open link: whether it is a wiki link, whose closing tag we write ourselves.
    wiki_link_depth: Vec<bool>,
    // URL schemes of Markdown links and images beyond the sanitiser's usual ones (`irc:`), none of them
    // dangerous: a link the writer made on purpose stays a link.
    schemes: BTreeSet<String>,
    // Hosts an `<iframe>` may show, and the frames (or boxes) judged so far, put in after sanitising.
    embed_hosts: &'r [String],
    embeds: Vec<String>,
    // The raw HTML of the HTML block being read: a frame's start tag may span its lines.
    html_block: Option<String>,
    // After a frame's start tag in a paragraph: the text since, dropped if `</iframe>` follows.
    inline_frame_fallback: Option<Vec<Event<'a>>>,
    // One entry per open image: the player it became, if it links to audio or video.
    media_images: Vec<Option<MediaKind>>,
    // Where in `out` the open paragraph (or list item) starts; a link to a recording alone in it becomes a player.
    paragraph_start: Option<usize>,
    // The link to a recording that opened the paragraph: where it starts in `out`, its player and address.
    media_link: Option<(usize, MediaKind, String)>,
    // That link once closed, with where it ends in `out`.
    closed_media_link: Option<(usize, usize, MediaKind, String)>,
}

impl<'a> Renderer<'_, 'a> {
    fn handle(&mut self, event: Event<'a>) {
        // A frame's fallback text, between its tags in a paragraph, is for browsers without frames: it is held
        // back, dropped at `</iframe>`, and put back when something else comes first (nothing written is lost).
        if let Some(held) = self.inline_frame_fallback.as_mut() {
            match &event {
                Event::InlineHtml(html) if html.get(..8).is_some_and(|it| it.eq_ignore_ascii_case("</iframe")) => {
                    self.inline_frame_fallback = None;
                    return;
                }
                Event::Text(_) | Event::SoftBreak => {
                    held.push(event);
                    return;
                }
                _ => {
                    for held in self.inline_frame_fallback.take().into_iter().flatten() {
                        self.handle(held);
                    }
                }
            }
        }
        match event {
            Event::Html(html) if self.html_block.is_some() => {
                self.html_block.as_mut().expect("checked above").push_str(&html);
                return;
            }
            Event::Start(Tag::HtmlBlock) => {
                self.flush_html_block();
                self.emit(Event::Start(Tag::HtmlBlock));
                self.html_block = Some(String::new());
                return;
            }
            _ => self.flush_html_block(),
        }
        match event {
            Event::Html(html) => {
                let html = self.with_embeds(html);
                self.emit(Event::Html(html));
            }
            Event::InlineHtml(html) => {
                let is_frame = html.get(..7).is_some_and(|it| it.eq_ignore_ascii_case("<iframe"));
                let html = self.with_embeds(html);
                // An inline tag is one event: its own replacement shows whether it was a frame's start tag.
                if is_frame && html.starts_with(&format!("<span class=\"{}", self.marker)) {
                    self.inline_frame_fallback = Some(Vec::new());
                }
                self.emit(Event::InlineHtml(html));
            }
            // A tight list's items hold their text without a paragraph.
            Event::Start(tag @ (Tag::Paragraph | Tag::Item)) => {
                self.emit(Event::Start(tag));
                self.paragraph_start = self.heading.is_none().then(|| self.out.len() - 1);
                (self.media_link, self.closed_media_link) = (None, None);
            }
            Event::End(tag_end @ (TagEnd::Paragraph | TagEnd::Item)) => {
                self.emit(Event::End(tag_end));
                self.link_alone_as_player();
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                self.heading = Some(Heading {
                    level: level as u8,
                    explicit_id: id.map(|it| it.into_string()),
                    classes: classes.into_iter().map(|it| it.into_string()).collect(),
                    text: String::new(),
                    events: Vec::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { .. }, dest_url, .. }) => {
                let (class, href) = match (self.resolve_wiki)(&dest_url) {
                    WikiTarget::Existing(url) => ("wikilink", url),
                    WikiTarget::Missing(url) => ("wikilink new", url),
                };
                let mut tag = format!("<a class=\"{class}\" href=\"");
                escape_href(&mut tag, &href).expect("writing to a String cannot fail");
                tag.push_str("\">");
                self.wiki_link_depth.push(true);
                self.emit(Event::InlineHtml(tag.into()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                // An e-mail autolink's destination is the bare address; the HTML writer adds `mailto:`.
                let dest_url = if link_type == LinkType::Email { dest_url } else { self.rewrite(dest_url) };
                let opens_paragraph = self.heading.is_none()
                    && self.wiki_link_depth.is_empty()
                    && self.paragraph_start.is_some_and(|it| it + 1 == self.out.len());
                if opens_paragraph && let Some(kind) = MediaKind::of_url(&dest_url) {
                    self.media_link = Some((self.out.len(), kind, dest_url.to_string()));
                }
                self.wiki_link_depth.push(false);
                self.emit(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            Event::End(TagEnd::Link) => {
                if self.wiki_link_depth.pop() == Some(true) {
                    self.emit(Event::InlineHtml("</a>".into()));
                } else {
                    self.emit(Event::End(TagEnd::Link));
                    if self.wiki_link_depth.is_empty()
                        && let Some((start, kind, url)) = self.media_link.take()
                    {
                        self.closed_media_link = Some((start, self.out.len() - 1, kind, url));
                    }
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = self.rewrite(dest_url);
                // A recording plays where it is shown; its label is the fallback link's text.
                let kind = MediaKind::of_url(&dest_url);
                self.media_images.push(kind);
                match kind {
                    Some(kind) => self.emit(Event::InlineHtml(kind.open(&dest_url).into())),
                    None => self.emit(Event::Start(Tag::Image { link_type, dest_url, title, id })),
                }
            }
            Event::End(TagEnd::Image) => match self.media_images.pop().flatten() {
                Some(kind) => self.emit(Event::InlineHtml(kind.close().into())),
                None => self.emit(Event::End(TagEnd::Image)),
            },
            other => {
                if let (Some(heading), Event::Text(text) | Event::Code(text)) = (self.heading.as_mut(), &other) {
                    heading.text.push_str(text);
                }
                match other {
                    // Mentions in prose link to the person (never in code spans, which are `Code`, or in links).
                    Event::Text(text) if self.wiki_link_depth.is_empty() && text.contains('@') => {
                        self.emit_with_mentions(text)
                    }
                    other => self.emit(other),
                }
            }
        }
    }

    // Emits text, each mention in it (`@ann`, `@ann@example.com`) a link to the person's page.
    fn emit_with_mentions(&mut self, text: CowStr<'a>) {
        let found = mentions::find_in_text(&text);
        if found.is_empty() {
            return self.emit(Event::Text(text));
        }
        let mut at = 0;
        for (range, mention) in found {
            if range.start > at {
                self.emit(Event::Text(text[at..range.start].to_string().into()));
            }
            let href = match &mention {
                Mention::Account(name) => format!("/-/people/@{name}"),
                Mention::Email(email) => format!("/-/people/{email}"),
            };
            let mut tag = String::from("<a class=\"mention\" href=\"");
            escape_href(&mut tag, &href).expect("writing to a String cannot fail");
            tag.push_str("\">");
            self.emit(Event::InlineHtml(tag.into()));
            self.emit(Event::Text(text[range.clone()].to_string().into()));
            self.emit(Event::InlineHtml("</a>".into()));
            at = range.end;
        }
        if at < text.len() {
            self.emit(Event::Text(text[at..].to_string().into()));
        }
    }

    // Whether nothing is open: no heading, no link, no HTML block being read.
    fn at_top_level(&self) -> bool {
        self.heading.is_none() && self.wiki_link_depth.is_empty() && self.html_block.is_none()
    }

    // Emits the HTML block read so far, its frames judged.
    fn flush_html_block(&mut self) {
        if let Some(html) = self.html_block.take()
            && !html.is_empty()
        {
            let html = self.with_embeds(html.into());
            self.emit(Event::Html(html));
        }
    }

    // Raw HTML with each `<iframe>` start tag replaced by a placeholder for its frame or box.
    fn with_embeds(&mut self, html: CowStr<'a>) -> CowStr<'a> {
        let (marker, embeds, hosts) = (self.marker, &mut self.embeds, self.embed_hosts);
        let replaced = embed::replace_iframes(&html, hosts, |judged: Embed| {
            embeds.push(judged.html());
            format!("<span class=\"{marker}{EMBED}{}\"></span>", embeds.len() - 1)
        });
        match replaced {
            Some(replaced) => replaced.into(),
            None => html,
        }
    }

    // At the end of a paragraph: when it held a link to a recording and nothing else, the link becomes the
    // player, with the link inside as its fallback.
    fn link_alone_as_player(&mut self) {
        let (paragraph_start, closed) = (self.paragraph_start.take(), self.closed_media_link.take());
        self.media_link = None;
        let (Some(paragraph_start), Some((start, end, kind, url))) = (paragraph_start, closed) else { return };
        // The paragraph's events: its start, the link's start, …, the link's end, the paragraph's end.
        if start == paragraph_start + 1 && end + 2 == self.out.len() {
            self.out[start] = Event::InlineHtml(kind.open(&url).into());
            self.out[end] = Event::InlineHtml(kind.close().into());
        }
    }

    fn emit(&mut self, event: Event<'a>) {
        match self.heading.as_mut() {
            Some(heading) => heading.events.push(event),
            None => self.out.push(event),
        }
    }

    fn rewrite(&mut self, dest: CowStr<'a>) -> CowStr<'a> {
        if let Some(scheme) = sanitize::scheme_of(&dest)
            && !sanitize::is_dangerous_scheme(&scheme)
        {
            self.schemes.insert(scheme);
        }
        match links::rewrite_relative(self.page_path, &dest) {
            Some(url) => url.into(),
            None => dest,
        }
    }

    fn finish_heading(&mut self) {
        let Some(heading) = self.heading.take() else { return };
        let text = heading.text.trim().to_string();
        self.n_headings += 1;
        if heading.level == 1 && self.out.is_empty() && self.toc.is_empty() && text == self.title.trim() {
            return;
        }
        let base = heading.explicit_id.unwrap_or_else(|| {
            let slug = slug(&text);
            if slug.is_empty() { "section".to_string() } else { slug }
        });
        // GitHub's rule for repeated headings: `setup`, `setup-1`, `setup-2`.
        let id = match self.ids.get_mut(&base) {
            Some(count) => {
                *count += 1;
                format!("{base}-{count}")
            }
            None => {
                self.ids.insert(base.clone(), 0);
                base
            }
        };
        // The id is put in after sanitising, with the edit link (see `Generated`).
        let mut open = format!("<h{} id=\"{}{HEADING}{}", heading.level, self.marker, self.toc.len());
        if !heading.classes.is_empty() {
            open.push_str("\" class=\"");
            escape_html(&mut open, &heading.classes.join(" ")).expect("writing to a String cannot fail");
        }
        open.push_str("\">");
        self.out.push(Event::Html(open.into()));
        self.out.extend(heading.events);
        self.out.push(Event::Html(format!("</h{}>\n", heading.level).into()));
        self.toc.push(TocEntry { level: heading.level, id, text, section: self.n_headings });
        self.heading_sections.push(self.n_headings);
    }
}

// Highlighting is most of a code-heavy page's rendering time, and blocks are independent: large pages
// spread them over the machine's cores.
fn highlight_blocks(blocks: &[(String, String)]) -> Vec<String> {
    const PARALLEL_ABOVE_BYTES: usize = 8 * 1024;
    let total: usize = blocks.iter().map(|it| it.1.len()).sum();
    let n_threads = std::thread::available_parallelism().map_or(1, |it| it.get()).min(blocks.len());
    if total < PARALLEL_ABOVE_BYTES || n_threads < 2 {
        return blocks.iter().map(|(language, code)| code_block_html(language, code)).collect();
    }
    // Deal blocks out largest first, each to the thread with the least code so far.
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|it| std::cmp::Reverse(blocks[*it].1.len()));
    let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); n_threads];
    for index in order {
        let lightest = shares.iter_mut().min_by_key(|it| it.0).expect("at least two threads");
        lightest.0 += blocks[index].1.len();
        lightest.1.push(index);
    }
    let mut res = vec![String::new(); blocks.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|(_, indices)| {
                scope.spawn(move || {
                    indices.iter().map(|it| (*it, code_block_html(&blocks[*it].0, &blocks[*it].1))).collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (index, html) in handle.join().expect("highlighting does not panic") {
                res[index] = html;
            }
        }
    });
    res
}

// Runs `clean` on a page's HTML, cut into as many parts as there are cores (at `part_start` marks, which
// `clean` must drop), in parallel, and joins the results: the sanitiser is most of a large page's rendering time.
fn sanitize_in_parts(html: &str, part_start: &str, clean: impl Fn(&str) -> String + Sync) -> String {
    const PARALLEL_ABOVE_BYTES: usize = 256 * 1024;
    let n_threads = std::thread::available_parallelism().map_or(1, |it| it.get());
    if html.len() < PARALLEL_ABOVE_BYTES || n_threads < 2 {
        return clean(html);
    }
    // Cut at the first mark past each `html.len() / n_threads` bytes.
    let mut parts = Vec::with_capacity(n_threads);
    let mut start = 0;
    for n in 1..n_threads {
        let mut target = (html.len() / n_threads * n).max(start + 1);
        while !html.is_char_boundary(target) {
            target += 1;
        }
        let Some(cut) = html.get(target..).and_then(|rest| rest.find(part_start)).map(|it| target + it) else {
            break;
        };
        parts.push(&html[start..cut]);
        start = cut;
    }
    parts.push(&html[start..]);
    if parts.len() < 2 {
        return clean(html);
    }
    let cleaned: Vec<String> = std::thread::scope(|scope| {
        let clean = &clean;
        let handles: Vec<_> = parts.iter().map(|part| scope.spawn(move || clean(part))).collect();
        handles.into_iter().map(|it| it.join().expect("sanitising does not panic")).collect()
    });
    cleaned.concat()
}

fn code_block_html(language: &str, code: &str) -> String {
    let mut res = String::with_capacity(code.len() * 2 + 64);
    // Formulas and diagrams are drawn in the browser by KaTeX and mermaid, from the escaped source.
    match language {
        "math" => {
            res.push_str("<div class=\"math math-display\">");
            escape_html(&mut res, code.trim_end()).expect("writing to a String cannot fail");
            res.push_str("</div>\n");
            return res;
        }
        "mermaid" => {
            res.push_str("<pre class=\"mermaid\">");
            escape_html(&mut res, code.trim_end()).expect("writing to a String cannot fail");
            res.push_str("</pre>\n");
            return res;
        }
        _ => {}
    }
    res.push_str("<pre class=\"code\"><code");
    if !language.is_empty() {
        res.push_str(" class=\"language-");
        escape_html(&mut res, language).expect("writing to a String cannot fail");
        res.push('"');
    }
    res.push('>');
    match (!language.is_empty()).then(|| highlight::highlight(code, language)).flatten() {
        Some(highlighted) => res.push_str(&highlighted),
        None => escape_html(&mut res, code).expect("writing to a String cannot fail"),
    }
    res.push_str("</code></pre>\n");
    res
}

/// Lore's own markup that skips the sanitiser, and the marker its placeholders carry.
struct Generated<'a> {
    marker: &'a str,
    code_blocks: Vec<String>,
    embeds: Vec<String>,
    toc: &'a [TocEntry],
    heading_sections: &'a [usize],
    page_path: &'a RepoPath,
}

impl Generated<'_> {
    // Replaces every placeholder that survived sanitising, in one pass over the page: replacing them one by
    // one rewrote the whole page once per code block.
    fn put_in(&self, html: &str) -> String {
        let mut edit_link_start = format!(" {SECTION_EDIT_LINK} title=\"Edit this section\" href=\"");
        let edit_url = format!("/-/edit/{}?section=", self.page_path.as_str());
        escape_href(&mut edit_link_start, &edit_url).expect("writing to a String cannot fail");
        let code_bytes: usize = self.code_blocks.iter().map(String::len).sum();
        let mut res = String::with_capacity(html.len() + code_bytes + self.toc.len() * 128);
        let class_needle = format!(" class=\"{}", self.marker);
        let id_needle = format!(" id=\"{}", self.marker);
        let (mut classes, mut ids) = (Occurrences::new(html, &class_needle), Occurrences::new(html, &id_needle));
        let mut at = 0;
        // The end of the heading whose placeholder was replaced last, and its section number.
        let mut open_heading: Option<(usize, usize)> = None;
        loop {
            let (next_class, next_id) = (classes.next_from(at), ids.next_from(at));
            let found = next_class.min(next_id);
            if let Some((end, section)) = open_heading.take_if(|(end, _)| *end < found) {
                res.push_str(&html[at..end]);
                res.push_str(&edit_link_start);
                res.push_str(&section.to_string());
                res.push_str("\" rel=\"noopener noreferrer\">edit</a>");
                at = end;
                continue;
            }
            if found == html.len() {
                break;
            }
            let needle_end = found + if found == next_id { id_needle.len() } else { class_needle.len() };
            let (before, after) = (&html[at..found], &html[needle_end..]);
            let digits =
                after.get(1..).map_or(0, |it| it.len() - it.trim_start_matches(|c: char| c.is_ascii_digit()).len());
            let index = after.get(1..1 + digits).and_then(|it| it.parse::<usize>().ok());
            let tail_start = needle_end + (1 + digits).min(after.len());
            let tail = &html[tail_start..];
            let in_heading_tag = before.len() >= 3 && {
                let tag = &before.as_bytes()[before.len() - 3..];
                tag.starts_with(b"<h") && tag[2].is_ascii_digit()
            };
            match (after.chars().next(), index) {
                (Some(CODE_BLOCK), Some(index))
                    if found == next_class && before.ends_with("<p") && tail.starts_with("\"></p>") =>
                {
                    res.push_str(&before[..before.len() - "<p".len()]);
                    res.push_str(self.code_blocks.get(index).map_or("", |it| it.trim_end()));
                    at = tail_start + "\"></p>".len();
                }
                (Some(EMBED), Some(index))
                    if found == next_class
                        && before.ends_with("<span")
                        && tail.starts_with("\"></span>")
                        && index < self.embeds.len() =>
                {
                    res.push_str(&before[..before.len() - "<span".len()]);
                    res.push_str(&self.embeds[index]);
                    at = tail_start + "\"></span>".len();
                }
                (Some(HEADING), Some(index))
                    if found == next_id && in_heading_tag && tail.starts_with('"') && index < self.toc.len() =>
                {
                    res.push_str(before);
                    res.push_str(" id=\"");
                    escape_html(&mut res, &self.toc[index].id).expect("writing to a String cannot fail");
                    at = tail_start;
                    // Headings do not nest once parsed: the next end tag of a heading closes this one.
                    open_heading = html[at..].find("</h").map(|it| (at + it, self.heading_sections[index]));
                }
                // Not one of our placeholders as the sanitiser writes them: leave it as it is.
                _ => {
                    res.push_str(&html[at..needle_end]);
                    at = needle_end;
                }
            }
        }
        res.push_str(&html[at..]);
        res
    }
}

/// The occurrences of a needle in a text, found lazily and in order.
struct Occurrences<'a> {
    text: &'a str,
    needle: &'a str,
    // The next occurrence found so far (the text's length when there is none), once searched.
    next: Option<usize>,
}

impl<'a> Occurrences<'a> {
    fn new(text: &'a str, needle: &'a str) -> Occurrences<'a> {
        Occurrences { text, needle, next: None }
    }

    // The first occurrence at or after `at`, or the text's length. Each part of the text is searched once.
    fn next_from(&mut self, at: usize) -> usize {
        match self.next {
            Some(next) if next >= at => next,
            _ => {
                let next = self.text[at..].find(self.needle).map_or(self.text.len(), |it| at + it);
                self.next = Some(next);
                next
            }
        }
    }
}

// pulldown-cmark aligns table cells with `style`, which the Content-Security-Policy forbids; use classes.
fn alignment_as_classes(html: String) -> String {
    if !html.contains("style=\"text-align: ") {
        return html;
    }
    let mut res = html;
    for align in ["left", "center", "right"] {
        res = res.replace(&format!("style=\"text-align: {align}\""), &format!("class=\"align-{align}\""));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(target: &str) -> WikiTarget {
        if target.eq_ignore_ascii_case("vpn access") {
            WikiTarget::Existing("/it/vpn-access".into())
        } else {
            WikiTarget::Missing(links::missing_page_url(target))
        }
    }

    fn render(markdown: &str) -> RenderedBody {
        let embeds = ["www.youtube-nocookie.com".to_string()];
        render_body(&RepoPath::parse("guide/page.md").unwrap(), "Page", markdown, &resolve, &embeds)
    }

    #[test]
    fn a_kept_table_of_contents_reads_back_as_it_was() {
        let toc = render("# Title\n\n## Déploiement\n\n### Étapes *une* à deux\n\n## \n\n## Rollback\n").toc;
        assert_eq!(toc.len(), 5, "{toc:?}");
        let kept = KeptToc::keep(toc.clone());
        assert!(matches!(kept.0, KeptTocForm::Compact { .. }));
        assert_eq!(kept.entries(), toc);
        assert!(kept.heap_size() < toc_heap_size(&toc));
        assert_eq!(KeptToc::keep(Vec::new()).entries(), Vec::new());
    }

    #[track_caller]
    fn check(markdown: &str, expected_fragments: &[&str]) {
        let html = render(markdown).html;
        for fragment in expected_fragments {
            assert!(html.contains(fragment), "expected {fragment:?} in:\n{html}");
        }
    }

    #[track_caller]
    fn check_absent(markdown: &str, forbidden: &[&str]) {
        let html = render(markdown).html;
        for fragment in forbidden {
            assert!(!html.contains(fragment), "did not expect {fragment:?} in:\n{html}");
        }
    }

    #[test]
    fn wiki_links_resolve_or_point_at_new_pages() {
        check(
            "See [[VPN Access]].",
            &["<a class=\"wikilink\" href=\"/it/vpn-access\" rel=\"noopener noreferrer\">VPN Access</a>"],
        );
        check("See [[vpn access|the VPN page]].", &["href=\"/it/vpn-access\"", ">the VPN page</a>"]);
        check("See [[Team Rota]].", &["<a class=\"wikilink new\" href=\"/Team-Rota\""]);
    }

    #[test]
    fn relative_links_and_images_are_rewritten() {
        check(
            "[up](../index.md) ![logo](img/logo.png) [ext](https://example.com/a.md)",
            &["href=\"/index\"", "src=\"/guide/img/logo.png\"", "href=\"https://example.com/a.md\""],
        );
    }

    #[test]
    fn headings_get_unique_anchors_and_a_toc() {
        let body = render("# Title\n## Setup\n## Setup\n### Custom {#my-id}\n");
        assert!(body.html.contains("<h2 id=\"setup\">Setup <a class=\"section-edit\""), "{}", body.html);
        assert!(body.html.contains("<h2 id=\"setup-1\">Setup <a"), "{}", body.html);
        assert!(body.html.contains("<h3 id=\"my-id\">Custom <a"), "{}", body.html);
        assert!(body.html.contains("href=\"/-/edit/guide/page.md?section=4\""), "{}", body.html);
        let ids: Vec<&str> = body.toc.iter().map(|it| it.id.as_str()).collect();
        assert_eq!(ids, ["title", "setup", "setup-1", "my-id"]);
    }

    #[test]
    fn leading_h1_equal_to_the_title_is_left_to_the_theme() {
        let body = render("# Page\n\nText\n\n# Page\n");
        assert_eq!(body.html.matches("<h1").count(), 1, "{}", body.html);
        assert!(body.html.starts_with("<p>Text</p>"), "{}", body.html);
        assert!(render("# Other\n").html.contains("<h1 id=\"other\">Other <a"));
        assert!(body.html.contains("section=2"), "the dropped H1 still counts as section 1: {}", body.html);
    }

    #[test]
    fn alerts_render_as_callouts() {
        check("> [!WARNING]\n> Mind the gap.", &["<blockquote class=\"markdown-alert-warning\">", "Mind the gap."]);
        check("> [!NOTE]\n> Hi", &["markdown-alert-note"]);
    }

    #[test]
    fn gfm_extensions() {
        check(
            "| a | b |\n|:--|--:|\n| 1 | 2 |",
            &["<table>", "<th class=\"align-left\">a</th>", "<td class=\"align-right\">2</td>"],
        );
        check("~~old~~", &["<del>old</del>"]);
        check(
            "- [x] done\n- [ ] todo",
            &["<input disabled=\"\" type=\"checkbox\" checked=\"\" aria-label=\"Task\">", "todo"],
        );
        check("Text[^1].\n\n[^1]: Note.", &["footnote-reference", "footnote-definition"]);
    }

    #[test]
    fn code_is_highlighted_on_the_server() {
        check(
            "```rust\nfn main() {}\n```",
            &["<pre class=\"code\"><code class=\"language-rust\">", "<span class=\"hl-"],
        );
        check("```nosuchlang\n<b>x</b>\n```", &["&lt;b&gt;x&lt;/b&gt;"]);
    }

    #[test]
    fn math_and_diagrams_keep_their_source_for_the_browser() {
        check("Inline $x^2$ and\n\n$$\\int f$$", &["<span class=\"math math-inline\">x^2</span>", "math-display"]);
        check("```math\na < b\n```", &["<div class=\"math math-display\">a &lt; b</div>"]);
        check("```mermaid\ngraph TD; A-->B\n```", &["<pre class=\"mermaid\">graph TD; A--&gt;B</pre>"]);
    }

    #[test]
    fn large_pages_highlight_in_parallel_and_keep_block_order() {
        let markdown: String = (0..12)
            .map(|i| format!("Block {i}\n\n```rust\nfn block_{i}() {{ {} }}\n```\n\n", "let x = 1; ".repeat(100)))
            .collect();
        let html = render(&markdown).html;
        let positions: Vec<usize> =
            (0..12).map(|i| html.find(&format!("block_{i}")).expect("every block is there")).collect();
        assert!(positions.windows(2).all(|it| it[0] < it[1]), "blocks out of order");
        assert_eq!(html.matches("<pre class=\"code\">").count(), 12);
        assert!(!html.contains("lore-mark-"), "a placeholder was left: {html}");
    }

    #[test]
    fn placeholders_swallowed_by_an_attribute_are_not_replaced_by_markup() {
        // The open `title='` takes the code block's and the heading's placeholders into its value: markup put
        // in there would end the attribute and make the rest of it live.
        let html = render("<div title='\n\n```rust\nx\n```\n\n## Heading\n\n<img src=x onerror=alert(1)> '>\n").html;
        assert!(!html.contains("<pre") && !html.contains("section-edit"), "{html}");
        assert_eq!(sanitize::sanitize(&html), html);
    }

    #[test]
    fn many_code_blocks_are_put_in_with_one_pass() {
        // 10,000 code blocks took 6.7 s: each was put in with a `replacen` over the whole page.
        let markdown: String = (0..10_000).map(|i| format!("```\nblock {i}\n```\n\n")).collect();
        let html = render(&markdown).html;
        assert_eq!(html.matches("<pre class=\"code\"><code>block ").count(), 10_000);
        assert!(html.find("block 0\n").expect("first block") < html.find("block 9999\n").expect("last block"));
    }

    #[test]
    fn many_headings_keep_their_ids_and_edit_links() {
        // Large pages are sanitised in parts; no heading may lose its id or edit link at a cut.
        let body = render(&(0..20_000).map(|i| format!("## Part {i}\n\nText {i}.\n\n")).collect::<String>());
        assert_eq!(body.toc.len(), 20_000);
        assert_eq!(body.html.matches("class=\"section-edit\"").count(), 20_000);
        assert!(body.html.contains("<h2 id=\"part-19999\">Part 19999 <a class=\"section-edit\""));
        assert!(body.html.contains("href=\"/-/edit/guide/page.md?section=20000\""));
        assert!(!body.html.contains("lore-mark-"));
    }

    #[test]
    fn deeply_nested_html_is_capped_before_sanitising() {
        // 50,000 nested `<div>`s took 11.3 s in the sanitiser's parser. Past the cap, raw HTML shows as text.
        let html = render(&"<div>\n\n".repeat(50_000)).html;
        assert_eq!(html.matches("<div>").count(), nesting::MAX_DEPTH, "kept divs");
        assert_eq!(html.matches("&lt;div&gt;").count(), 50_000 - nesting::MAX_DEPTH, "divs shown as text");
        // One line of them is one fragment, shown as text whole.
        let html = render(&"<div>".repeat(50_000)).html;
        assert_eq!(html.matches("<div>").count(), 0);
        // Markdown's own containers are capped too, and their text stays.
        let html = render(&format!("{}deep", ">".repeat(100_000))).html;
        assert_eq!(html.matches("<blockquote>").count(), nesting::MAX_DEPTH);
        assert!(html.contains("deep"));
    }

    #[test]
    fn large_pages_sanitised_in_parts_read_as_if_sanitised_whole() {
        let mark = "<!--lore-mark-0-p-->";
        let html: String = (0..5_000)
            .map(|i| format!("{mark}<h2 id=\"s{i}\">Part {i}</h2>\n<p>Text <a href=\"/x\">link</a> <b>bold</b></p>\n"))
            .collect();
        assert!(html.len() > 256 * 1024);
        assert_eq!(sanitize_in_parts(&html, mark, sanitize::sanitize), sanitize::sanitize(&html));
    }

    #[test]
    fn section_edit_links_can_be_left_out() {
        let html = render("## Setup\n\nText <a class=\"other\" href=\"/x\">x</a>\n\n### More\n").html;
        assert_eq!(
            without_section_edit_links(&html),
            "<h2 id=\"setup\">Setup</h2>\n<p>Text <a class=\"other\" href=\"/x\" rel=\"noopener noreferrer\">x</a></p>\n\
             <h3 id=\"more\">More</h3>\n"
        );
    }

    #[test]
    fn email_autolinks_stay_mailto_links() {
        check("Write to <techops@example.com>.", &["<a href=\"mailto:techops@example.com\""]);
        check_absent("Write to <techops@example.com>.", &["mailto:/"]);
    }

    #[test]
    fn autolinks_with_unusual_schemes_stay_links_unless_dangerous() {
        check("<irc://irc.example.com/lore>", &["<a href=\"irc://irc.example.com/lore\""]);
        check("<made-up-scheme://foo,bar>", &["<a href=\"made-up-scheme://foo,bar\""]);
        check("[x](ssh://git@example.com/repo)", &["href=\"ssh://git@example.com/repo\""]);
        check_absent(
            "<javascript:alert(1)> [x](vbscript:msgbox) ![y](data:image/svg+xml;base64,AAAA) [z](ms-msdt:/id)",
            &["href=\"javascript:", "vbscript:", "data:", "ms-msdt:"],
        );
        // Raw HTML with an unusual scheme is cleaned as before, unless a Markdown link made it known.
        check_absent("<a href=\"irc://x\">raw</a>", &["irc:"]);
    }

    #[test]
    fn mentions_link_to_people_outside_code() {
        check(
            "Thanks @ann and @bob@example.com.",
            &[
                "<a class=\"mention\" href=\"/-/people/@ann\" rel=\"noopener noreferrer\">@ann</a>",
                "<a class=\"mention\" href=\"/-/people/bob@example.com\" rel=\"noopener noreferrer\">@bob@example.com</a>",
            ],
        );
        check_absent("`@ann` and ann@example.com and [@ann](/x)", &["class=\"mention\""]);
    }

    #[test]
    fn images_load_lazily() {
        check("![a cat](cat.png)", &["<img loading=\"lazy\" src=\"/guide/cat.png\" alt=\"a cat\">"]);
    }

    #[test]
    fn recordings_play_inline_with_a_fallback_link() {
        check(
            "![Demo day](talks/demo.mp4)",
            &[
                "<p><video controls=\"\" preload=\"metadata\" src=\"/guide/talks/demo.mp4\"><a href=\"/guide/talks/demo.mp4\" \
               rel=\"noopener noreferrer\">Demo day</a></video></p>",
            ],
        );
        check(
            "[Weekly *sync*](sync.MP3)\n\n- [Standup](/standup.m4a)",
            &[
                "<p><audio controls=\"\" preload=\"metadata\" src=\"/guide/sync.MP3\"><a href=\"/guide/sync.MP3\" \
                 rel=\"noopener noreferrer\">Weekly <em>sync</em></a></audio></p>",
                "<li><audio controls=\"\" preload=\"metadata\" src=\"/standup.m4a\">",
            ],
        );
        // A link in a sentence stays a link; recordings elsewhere stay links and images.
        check_absent(
            "Listen to [the sync](sync.mp3) later.\n\n[a](a.ogg) [b](b.ogg)\n\n![x](https://cdn.example.com/x.mp4)\n\n# [T](t.mp4)",
            &["<audio", "<video"],
        );
        check("![x](https://cdn.example.com/x.mp4)", &["<img loading=\"lazy\" src=\"https://cdn.example.com/x.mp4\""]);
    }

    #[test]
    fn frames_from_allowed_hosts_are_sandboxed() {
        let html = render(
            "# Page\n\n<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" \
             title=\"Launch talk\" frameborder=\"0\" allow=\"autoplay; clipboard-write\" allowfullscreen></iframe>\n",
        )
        .html;
        assert_eq!(
            html,
            "<iframe class=\"embed\" src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\" title=\"Launch talk\" \
             sandbox=\"allow-scripts allow-same-origin allow-presentation\" allow=\"fullscreen\" allowfullscreen=\"\" \
             loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\"></iframe>\n"
        );
        // A start tag over several lines, in a paragraph, in a list.
        check(
            "<iframe\n  src=\"https://www.youtube-nocookie.com/embed/abc\"\n  title=\"Talk\">\n</iframe>\n\n\
             Inline <iframe src=\"https://youtu.be/xyz\">no frames,\nsorry</iframe> too.\n\n- <iframe src=\"https://youtu.be/li\"></iframe>\n",
            &[
                "<iframe class=\"embed\" src=\"https://www.youtube-nocookie.com/embed/abc\" title=\"Talk\"",
                "<p>Inline <iframe class=\"embed\" src=\"https://www.youtube-nocookie.com/embed/xyz\"",
                "<li><iframe class=\"embed\" src=\"https://www.youtube-nocookie.com/embed/li\"",
                "</iframe> too.</p>",
            ],
        );
        check_absent(
            "Inline <iframe src=\"https://youtu.be/xyz\">no frames,\nsorry</iframe> too.",
            &["no frames", "sorry"],
        );
        // Without a closing tag, the text after the frame in its paragraph is kept.
        check("A <iframe src=\"https://evil.example/\"> and **more**.", &[" and <strong>more</strong>."]);
    }

    #[test]
    fn other_frames_become_a_visible_box_with_a_link() {
        check(
            "<iframe src=\"https://docs.google.com/presentation/d/1/embed?a=1&amp;b=2\">Your browser cannot show frames</iframe>\n",
            &[
                "<span class=\"embed-blocked\" role=\"note\">Embedded content from <strong>docs.google.com</strong> is not \
               allowed here — <a href=\"https://docs.google.com/presentation/d/1/embed?a=1&amp;b=2\" \
               rel=\"noopener noreferrer\">open it</a></span>",
            ],
        );
        check_absent(
            "<iframe src=\"https://evil.example/\">Your browser cannot show frames</iframe>\n",
            &["<iframe", "Your browser"],
        );
        check("<iframe src=\"javascript:alert(1)\"></iframe>", &["Embedded content is not allowed here.</span>"]);
        check_absent("<iframe src=\"javascript:alert(1)\"></iframe>", &["javascript:", "<iframe"]);
    }

    #[test]
    fn frame_placeholders_swallowed_by_an_attribute_stay_text() {
        let html =
            render("<div title='\n\n<iframe src=\"https://www.youtube-nocookie.com/embed/abc\">\n\n'>x</div>\n").html;
        assert!(!html.contains("<iframe") && !html.contains("embed-blocked") && !html.contains("<span"), "{html}");
        assert_eq!(sanitize::sanitize(&html), html);
    }

    #[test]
    fn raw_html_is_sanitised() {
        check("<details><summary>More</summary>\n\n<kbd>Ctrl</kbd>\n\n</details>", &["<details>", "<kbd>Ctrl</kbd>"]);
        check_absent(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<iframe src=x></iframe>",
            &["<script", "onerror", "javascript:", "<iframe"],
        );
    }
}
