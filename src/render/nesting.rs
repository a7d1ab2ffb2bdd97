//! A cap on how deeply a page's HTML nests, applied to the Markdown events before they become HTML.
//!
//! The sanitiser's HTML parser (html5ever) looks through the open elements for many start tags, so a page
//! nested N deep costs time quadratic in N: 50,000 nested `<div>`s took 11 s. Past [`MAX_DEPTH`] open
//! elements, Markdown containers are left out (their text stays) and raw HTML is shown as text.
//!
//! Raw HTML is followed by a small tokenizer that errs towards counting too many open elements, never too
//! few: every start tag of an element that can hold content counts, wherever it appears (in a comment, an
//! attribute, a script); an end tag closes one only when it names the innermost element counted and appears
//! where the parser surely reads markup, not text. So the parser never holds many more open elements than
//! counted (it adds a few itself, such as a table's body and row).

use pulldown_cmark::{Event, Tag, TagEnd};

/// How many elements may be open at once: far more than any real page nests.
pub const MAX_DEPTH: usize = 128;

/// Markdown events with at most [`MAX_DEPTH`] elements open at once (plus a heading and a code block, which
/// are always kept: section numbers and code blocks depend on them).
pub struct NestingLimit<'a, I: Iterator<Item = Event<'a>>> {
    events: I,
    // One entry per open Markdown element.
    markdown: Vec<Open>,
    n_markdown_counted: usize,
    raw: RawHtml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Counted,
    // An HTML block's start and end produce no element of their own.
    Uncounted,
    Dropped,
}

impl<'a, I: Iterator<Item = Event<'a>>> NestingLimit<'a, I> {
    /// Wraps the events of one page.
    pub fn new(events: I) -> NestingLimit<'a, I> {
        NestingLimit { events, markdown: Vec::new(), n_markdown_counted: 0, raw: RawHtml::default() }
    }

    /// Whether no element is open, and raw HTML left nothing unfinished (a tag, a comment, a script).
    pub fn at_top_level(&self) -> bool {
        self.markdown.is_empty()
            && self.raw.open.is_empty()
            && self.raw.state == State::Data
            && !self.raw.end_tags_untrusted
    }

    fn depth(&self) -> usize {
        self.n_markdown_counted + self.raw.open.len()
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for NestingLimit<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            match self.events.next()? {
                Event::Start(tag) => {
                    let open = match tag {
                        Tag::HtmlBlock => Open::Uncounted,
                        Tag::Heading { .. } | Tag::CodeBlock(_) => Open::Counted,
                        _ if self.depth() < MAX_DEPTH => Open::Counted,
                        _ => Open::Dropped,
                    };
                    self.markdown.push(open);
                    match open {
                        Open::Counted => self.n_markdown_counted += 1,
                        Open::Uncounted => {}
                        Open::Dropped => continue,
                    }
                    return Some(Event::Start(tag));
                }
                Event::End(tag_end) => match self.markdown.pop() {
                    Some(Open::Dropped) if is_block(tag_end) => return Some(Event::SoftBreak),
                    Some(Open::Dropped) => continue,
                    Some(Open::Counted) => {
                        self.n_markdown_counted -= 1;
                        return Some(Event::End(tag_end));
                    }
                    Some(Open::Uncounted) | None => return Some(Event::End(tag_end)),
                },
                Event::Html(html) => {
                    let room = MAX_DEPTH.saturating_sub(self.n_markdown_counted);
                    return Some(if self.raw.read(&html, room) { Event::Html(html) } else { Event::Text(html) });
                }
                Event::InlineHtml(html) => {
                    let room = MAX_DEPTH.saturating_sub(self.n_markdown_counted);
                    return Some(if self.raw.read(&html, room) { Event::InlineHtml(html) } else { Event::Text(html) });
                }
                other => return Some(other),
            }
        }
    }
}

// Ends after which a dropped element's text must not run into the next word.
fn is_block(tag_end: TagEnd) -> bool {
    !matches!(
        tag_end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// An element name as the counter compares it: lowercase, up to 15 bytes. Longer names never match an end
/// tag, so such elements stay counted as open (counting too many is the safe side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Name([u8; 16]);

impl Name {
    const LONG: u8 = 0xff;

    fn new(raw: &[u8]) -> Name {
        let mut res = [0u8; 16];
        if raw.len() > 15 {
            res[15] = Name::LONG;
            return Name(res);
        }
        for (slot, byte) in res.iter_mut().zip(raw) {
            *slot = byte.to_ascii_lowercase();
        }
        Name(res)
    }

    fn matches(&self, other: &Name) -> bool {
        self.0[15] != Name::LONG && self == other
    }

    fn is(&self, name: &str) -> bool {
        self.0[15] != Name::LONG && &self.0[..name.len()] == name.as_bytes() && self.0[name.len()] == 0
    }

    fn is_void(&self) -> bool {
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source"]
            .iter()
            .chain(&["track", "wbr"])
            .any(|it| self.is(it))
    }

    // Elements whose content the parser reads as text up to their own end tag.
    fn holds_text(&self) -> bool {
        ["style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"].iter().any(|it| self.is(it))
    }
}

/// Where the tokenizer is between two fragments of raw HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Data,
    /// Inside a start tag (`end: false`) or an end tag, after its name.
    Tag {
        name: Name,
        end: bool,
        value: Value,
    },
    Comment,
    CData,
    /// `<!…>`, `<?…>`: up to the next `>`.
    Bogus,
    /// Inside `<style>`, `<textarea>` and the like, up to `</name`.
    Text(Name),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// Between attributes, or in an attribute's name.
    None,
    /// After `=`, before the value.
    Before,
    Double,
    Single,
    Unquoted,
}

/// The raw HTML elements counted as open, and where the tokenizer stands.
#[derive(Debug, Default)]
struct RawHtml {
    open: Vec<Name>,
    state: State,
    // After `<script>` or `<plaintext>`, whose ends the parser may find later than this tokenizer (script
    // has escape states), no end tag closes anything any more.
    end_tags_untrusted: bool,
}

impl RawHtml {
    /// Reads one fragment of raw HTML, unless that would open more than `room` elements: then the state is
    /// left as it was and the fragment is to be shown as text.
    fn read(&mut self, html: &str, room: usize) -> bool {
        let before = (self.open.len(), self.state, self.end_tags_untrusted);
        let mut lowest = self.open.len();
        // Elements this fragment closed below where it started, innermost first, to undo.
        let mut closed_below: Vec<Name> = Vec::new();
        let bytes = html.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            // Every start tag counts, whatever the state: the parser may read it as a tag where this tokenizer
            // reads text. So no step below moves past a `<` without stopping on it.
            if bytes[at] == b'<' && bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic) {
                let name = Name::new(tag_name(&bytes[at + 1..]));
                if !name.is_void() {
                    self.open.push(name);
                    if self.open.len() > room {
                        self.undo(before, lowest, closed_below);
                        return false;
                    }
                }
            }
            at = match self.state {
                State::Data => self.data(bytes, at),
                State::Tag { name, end, value } => {
                    let (next, state) = in_tag(bytes, at, value);
                    match state {
                        Some(value) => self.state = State::Tag { name, end, value },
                        None => {
                            self.state = State::Data;
                            if end {
                                if !self.end_tags_untrusted && self.open.last().is_some_and(|it| it.matches(&name)) {
                                    let closed = self.open.pop().expect("checked above");
                                    if self.open.len() < lowest {
                                        lowest = self.open.len();
                                        closed_below.push(closed);
                                    }
                                }
                            } else if name.is("script") || name.is("plaintext") {
                                self.end_tags_untrusted = true;
                            } else if name.holds_text() {
                                self.state = State::Text(name);
                            }
                        }
                    }
                    next
                }
                State::Comment => self.skip_past(bytes, at, b"-->"),
                State::CData => self.skip_past(bytes, at, b"]]>"),
                State::Bogus => self.skip_past(bytes, at, b">"),
                State::Text(name) => {
                    if bytes[at..].starts_with(b"</") && ends_text(&bytes[at + 2..], &name) {
                        self.state = State::Tag { name, end: true, value: Value::None };
                        at + 2 + tag_name(&bytes[at + 2..]).len()
                    } else {
                        next_tag_open(bytes, at)
                    }
                }
            };
        }
        true
    }

    // In text: what the `<` at `at` starts, or on to the next `<`.
    fn data(&mut self, bytes: &[u8], at: usize) -> usize {
        let rest = &bytes[at..];
        if rest[0] != b'<' {
            next_tag_open(bytes, at)
        } else if rest.starts_with(b"<!--") {
            self.state = State::Comment;
            at + 4
        } else if rest.starts_with(b"<![CDATA[") {
            self.state = State::CData;
            at + 9
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            self.state = State::Bogus;
            at + 2
        } else if rest.starts_with(b"</") {
            match rest.get(2) {
                Some(byte) if byte.is_ascii_alphabetic() => {
                    let name = tag_name(&rest[2..]);
                    self.state = State::Tag { name: Name::new(name), end: true, value: Value::None };
                    at + 2 + name.len()
                }
                Some(b'>') => at + 3,
                Some(_) => {
                    self.state = State::Bogus;
                    at + 2
                }
                None => bytes.len(),
            }
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let name = tag_name(&rest[1..]);
            self.state = State::Tag { name: Name::new(name), end: false, value: Value::None };
            at + 1 + name.len()
        } else {
            at + 1
        }
    }

    // Inside a comment or the like: past `end` back to text, or on to the next `<` if that comes first.
    fn skip_past(&mut self, bytes: &[u8], at: usize, end: &[u8]) -> usize {
        let next_open = next_tag_open(bytes, at);
        match find(&bytes[..next_open], at, end) {
            Some(found) => {
                self.state = State::Data;
                found + end.len()
            }
            None => next_open,
        }
    }

    fn undo(&mut self, before: (usize, State, bool), lowest: usize, closed_below: Vec<Name>) {
        self.open.truncate(lowest);
        self.open.extend(closed_below.into_iter().rev());
        debug_assert_eq!(self.open.len(), before.0);
        (self.state, self.end_tags_untrusted) = (before.1, before.2);
    }
}

// The name at the start of `bytes`: up to whitespace, `/` or `>`.
fn tag_name(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|it| it.is_ascii_whitespace() || *it == b'/' || *it == b'>').unwrap_or(bytes.len());
    &bytes[..end]
}

// Whether `</` followed by `rest` ends the text element `name`, as the parser decides it.
fn ends_text(rest: &[u8], name: &Name) -> bool {
    let candidate = tag_name(rest);
    rest.len() > candidate.len() && Name::new(candidate).matches(name)
}

// Walks a tag's attributes from `at`: where it stopped, and the state inside the tag, or `None` at its `>`.
fn in_tag(bytes: &[u8], start: usize, mut value: Value) -> (usize, Option<Value>) {
    let mut at = start;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'<' && at > start {
            break;
        }
        value = match value {
            Value::None | Value::Unquoted if byte == b'>' => return (at + 1, None),
            Value::None if byte == b'=' => Value::Before,
            Value::None => Value::None,
            Value::Before if byte == b'>' => return (at + 1, None),
            Value::Before if byte.is_ascii_whitespace() => Value::Before,
            Value::Before if byte == b'"' => Value::Double,
            Value::Before if byte == b'\'' => Value::Single,
            Value::Before => Value::Unquoted,
            Value::Double if byte == b'"' => Value::None,
            Value::Single if byte == b'\'' => Value::None,
            Value::Double | Value::Single => value,
            Value::Unquoted if byte.is_ascii_whitespace() => Value::None,
            Value::Unquoted => Value::Unquoted,
        };
        at += 1;
    }
    (at, Some(value))
}

// The next `<` after `at`, or the end.
fn next_tag_open(bytes: &[u8], at: usize) -> usize {
    bytes[at + 1..].iter().position(|it| *it == b'<').map_or(bytes.len(), |it| at + 1 + it)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|it| it == needle).map(|it| from + it)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    // How many elements the counter holds open after reading `fragments`, and which fragments it refused.
    #[track_caller]
    fn check(fragments: &[&str], expected_open: usize, expected_refused: &[usize]) {
        let mut raw = RawHtml::default();
        let refused: Vec<usize> = (0..fragments.len()).filter(|it| !raw.read(fragments[*it], 4)).collect();
        assert_eq!(raw.open.len(), expected_open, "open: {:?}", raw.open);
        assert_eq!(refused, expected_refused);
    }

    #[test]
    fn balanced_html_closes_what_it_opens() {
        check(&["<details><summary>More</summary>", "<kbd>Ctrl</kbd>", "</details>"], 0, &[]);
        check(&["<div class=\"a>b\" title='x'>", "<br><img src=x>", "</DIV >"], 0, &[]);
    }

    #[test]
    fn past_the_room_a_fragment_is_refused_and_changes_nothing() {
        check(&["<div><div>", "<div><div><div>", "<div>", "</div>"], 2, &[1]);
    }

    #[test]
    fn end_tags_in_text_close_nothing() {
        // Comments, attribute values, style text and script hide end tags from the parser.
        check(&["<div><!-- </div> -->"], 1, &[]);
        check(&["<div title=\"</div>\">"], 1, &[]);
        check(&["<div><style>", "</div>", "</style>"], 1, &[]);
        check(&["<div><script></script></div>"], 2, &[]);
        check(&["<div>", "<![CDATA[ > </div> ]]>"], 1, &[]);
    }

    #[test]
    fn misnested_end_tags_close_nothing() {
        check(&["<b><div></b>"], 2, &[]);
        check(&["<div></p>", "<div></p>"], 2, &[]);
    }

    #[test]
    fn start_tags_count_even_where_the_tokenizer_reads_text() {
        check(&["<!-- <div><div> -->"], 2, &[]);
        check(&["<div title=\"<b><b><b><b>\">"], 0, &[0]);
    }

    #[test]
    fn markdown_nesting_is_capped_and_keeps_text() {
        let markdown = format!("{}deep", ">".repeat(MAX_DEPTH * 2));
        let events: Vec<Event> = NestingLimit::new(Parser::new(&markdown)).collect();
        let opened = events.iter().filter(|it| matches!(it, Event::Start(_))).count();
        let closed = events.iter().filter(|it| matches!(it, Event::End(_))).count();
        assert_eq!((opened, closed), (MAX_DEPTH, MAX_DEPTH));
        assert!(events.iter().any(|it| matches!(it, Event::Text(text) if text.as_ref() == "deep")));
    }
}
