//! The page cache: finished page and folder views, shared by everyone who reads the wiki the same way, stored
//! compressed once and weighed in bytes against `cache_mb`.
//!
//! A shared copy holds nothing personal. Pages are rendered with [`ACCOUNT_SLOT`] where the header's personal
//! links go (name, logout form with the browser's CSRF token), and each response fills it in. A page's body
//! is not compressed again either: pages are rendered with [`BODY_SLOT`] where it goes, and the copy holds the
//! deflate piece the site's render cache keeps of it, shared, between the pieces of the page around it. A
//! copy is stored as deflate pieces that join into one gzip stream per response (with the visitor's links,
//! stored as they are, for visitors who are logged in; for the others their links are the same for all and
//! are part of the pieces), or whole as gzip when it has neither slot nor mark. A hit is a copy of bytes
//! either way; clients that do not accept gzip get it decoded. What many views hold alike (the head's links,
//! the site's header, the footer: between [`SAME_BEGIN`] and [`SAME_END`]) is compressed into pieces of its
//! own, kept once for every view that holds them (`SamePieces`).
//!
//! Pages are kept as gzip only, and browsers that accept brotli get the gzip too: brotli at a quality quick
//! enough for a view (4) made pages 1.3 % smaller (3,853 against 3,906 bytes over 200 pages of a 10,000-page
//! wiki) and held as much memory again as the gzip (the cache of that wiki: 113 MiB with both, 40 with gzip).
//! Theme files, compressed once at a high quality, are sent as brotli.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::encoding::{self, Accepted, DeflatePiece, Encoding, PieceRef};
use super::view::{ACCOUNT_SLOT, BODY_SLOT, SAME_BEGIN, SAME_END};
use crate::content::path::url_path;
use crate::i18n::UiLanguage;
use crate::metrics::CacheCounters;
use crate::site::ViewsChanged;
use crate::store::ObjectId;

/// Finished page and folder views by URL and by who may read what.
pub struct PageCache {
    // Swapped for an empty one when the site moves (see `serve_head`).
    entries: arc_swap::ArcSwap<Entries>,
    budget_bytes: u64,
    counters: CacheCounters,
    // Views compress for the cache one per core at a time, and views holding at most MAX_WAITING_BYTES of
    // HTML wait their turn. Each brotli encoder holds about a megabyte: when views came faster than they
    // compressed (a crawl of cold pages on a busy machine), compressions piled up on the blocking pool and
    // held 200 MiB. A view that finds the queue full is sent, and cached the next time it is asked for. (A
    // queue of 64 views filled within a crawl of one page at a time: a third of a 10,000-page wiki was never
    // cached by it, and "warm" views missed.)
    compressing: Arc<tokio::sync::Semaphore>,
    waiting_bytes: std::sync::atomic::AtomicUsize,
    /// The head the site serves, once known, and the views its moves changed (see `serve_head`).
    served: arc_swap::ArcSwap<Served>,
    /// Held while the head moves, and while a view is kept (so that none made at an older head stays).
    moving: std::sync::Mutex<()>,
    same: SamePieces,
}

/// The head the site serves, and which views its moves changed since the cache was last emptied.
#[derive(Default)]
struct Served {
    /// `None` until the site told of a head, and for an empty branch.
    head: Option<ObjectId>,
    /// Counts the moves; a view holds the count it was kept at.
    moves: u64,
    /// The URL paths (as `PageKey::new` takes them) of views a move changed, with the count of the last such
    /// move: a view kept before it is a miss.
    changed_at: std::collections::HashMap<Box<str>, u64>,
}

/// Views a series of moves may mark as changed before the cache is emptied instead: bounds `changed_at`.
const MAX_CHANGED_VIEWS: usize = 4096;

type Entries = quick_cache::sync::Cache<PageKey, Arc<CachedPage>, PageWeighter>;

/// The pieces of stretches that many views hold alike, by what they hold, for as long as a kept view holds
/// them: a new view's stretch that one of them holds takes that piece instead of a copy of its own. On the flat
/// 10,000-page wiki a page's view is about 3 KB compressed around its body, 1 KB of which every page shares.
/// Views weigh such a piece as nothing; it weighs here, against a share of the page cache's budget, and a
/// stretch that finds that share full is compressed for its view alone.
struct SamePieces {
    known: parking_lot::Mutex<KnownPieces>,
    budget_bytes: usize,
}

#[derive(Default)]
struct KnownPieces {
    // By the stretch's HTML, for pieces that end a stream ([1]) and those that do not ([0]).
    by_html: [std::collections::HashMap<Arc<str>, KnownPiece>; 2],
    // What the entries weigh, living or not.
    bytes: usize,
}

struct KnownPiece {
    stretch: std::sync::Weak<SameStretch>,
    // The entry's HTML and piece, and the bookkeeping of the map and the `Arc`.
    weight: usize,
}

/// A stretch of a view that many views hold alike, shared, or compressed for the view alone.
enum SameOrOwn {
    Same(Arc<SameStretch>),
    Own(DeflatePiece),
}

/// A stretch many views hold alike: its HTML, kept for clients that do not accept gzip (copied, not inflated),
/// and the piece it compresses to.
struct SameStretch {
    html: Arc<str>,
    piece: DeflatePiece,
}

/// The part of the page cache's budget that stretches many views hold alike may take.
const SAME_PIECES_SHARE: u64 = 16;

/// What an entry of `SamePieces` weighs besides its HTML and its piece: the map's slot, the piece's `Arc`.
const SAME_ENTRY_BYTES: usize = 96;

impl SamePieces {
    fn new(budget_bytes: usize) -> SamePieces {
        SamePieces { known: parking_lot::Mutex::default(), budget_bytes }
    }

    // The piece of a view that holds `html`: one kept views hold already, or a new one (`last` when it ends
    // the stream), shared when the budget has room, else the view's own.
    fn part(&self, html: &str, last: bool) -> SameOrOwn {
        let kind = usize::from(last);
        if let Some(stretch) = self.known.lock().living(kind, html) {
            return SameOrOwn::Same(stretch);
        }
        // Compressed unlocked; of two views that race, the second takes the first one's piece.
        let piece = view_piece(html, last);
        let mut known = self.known.lock();
        if let Some(first) = known.living(kind, html) {
            return SameOrOwn::Same(first);
        }
        let weight = html.len() + piece.weight() + SAME_ENTRY_BYTES;
        if known.bytes + weight > self.budget_bytes {
            known.forget_dead();
            if known.bytes + weight > self.budget_bytes {
                return SameOrOwn::Own(piece);
            }
        }
        let html: Arc<str> = html.into();
        let stretch = Arc::new(SameStretch { html: html.clone(), piece });
        known.bytes += weight;
        let entry = KnownPiece { stretch: Arc::downgrade(&stretch), weight };
        if let Some(dead) = known.by_html[kind].insert(html, entry) {
            known.bytes -= dead.weight;
        }
        SameOrOwn::Same(stretch)
    }

    fn bytes(&self) -> usize {
        self.known.lock().bytes
    }

    fn forget_dead(&self) {
        self.known.lock().forget_dead();
    }
}

impl KnownPieces {
    fn living(&self, kind: usize, html: &str) -> Option<Arc<SameStretch>> {
        self.by_html[kind].get(html).and_then(|it| it.stretch.upgrade())
    }

    fn forget_dead(&mut self) {
        let mut freed = 0;
        for by_html in &mut self.by_html {
            by_html.retain(|_, it| {
                let alive = it.stretch.strong_count() > 0;
                if !alive {
                    freed += it.weight;
                }
                alive
            });
        }
        self.bytes -= freed;
    }
}

/// The HTML that views waiting for a turn to compress for the cache may hold (see `PageCache::compressing`).
const MAX_WAITING_BYTES: usize = 16 << 20;

/// What a cached view depends on besides the wiki's content at `head`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    // The URL's path, the host in the clone URL and the reader's access class (`Access::fingerprint`: what
    // they may read and which actions they see), one after the other in one block, with where the first two
    // end. As three strings each key held two more blocks and 40 more bytes (1.6 MiB on the 38,000-page
    // tldr-like wiki with every page viewed, by heaptrack).
    url_host_access: Box<str>,
    url_end: u32,
    host_end: u32,
    /// Logged-in visitors see other header links than visitors who are not (Ask, the account links).
    pub logged_in: bool,
    /// The interface language the view is in: one language's page is never served to a reader of another.
    pub language: UiLanguage,
    /// Whether "last edited" and contributors were known when the view was made.
    pub changes_ready: bool,
}

/// What a view's key holds besides its URL, host and access class.
#[derive(Debug, Clone, Copy)]
pub struct KeyContext {
    pub logged_in: bool,
    pub language: UiLanguage,
    pub changes_ready: bool,
}

impl PageKey {
    /// The key of the view of `url` (its path, percent-decoded, without the leading `/`) for readers of access
    /// class `access` who reach the wiki at `host`.
    pub fn new(url: &str, host: &str, access: &str, context: KeyContext) -> PageKey {
        let KeyContext { logged_in, language, changes_ready } = context;
        // URLs, host names and access classes are far below 4 GiB; a longer one would only make a key that
        // never matches another.
        let end = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        PageKey {
            url_host_access: [url, host, access].concat().into_boxed_str(),
            url_end: end(url.len()),
            host_end: end(url.len() + host.len()),
            logged_in,
            language,
            changes_ready,
        }
    }

    fn url(&self) -> &str {
        &self.url_host_access[..self.url_end as usize]
    }
}

/// One cached view.
pub struct CachedPage {
    stored: Stored,
    /// Pages with formulas or diagrams need a Content-Security-Policy that allows inline styles.
    pub inline_styles: bool,
    /// When the view goes stale (Unix seconds): its relative times ("3 days ago") or review state change.
    pub fresh_until: i64,
    /// `Served::moves` when it was kept.
    kept_at: u64,
}

// The validator of a response is made from the CRC-32 and length of what it holds when it is sent: kept
// beside each view as a header value, it took about 80 bytes a view (0.8 MiB for 10,000 pages).
enum Stored {
    /// A page without slots: the same bytes for everyone who shares the copy, with their CRC-32 and length.
    Whole { gzip: Bytes, crc: u32, len: usize },
    /// A page around its body or the header's personal links; `known` is what the pieces hold (CRC-32 and
    /// length) when nothing is filled in per response.
    Pieces { view: ViewParts, known: Option<(u32, usize)> },
}

/// A view kept in pieces: its parts in order, and the pieces compressed for it alone, one after another in
/// one block. As pieces of their own, each in a block of its own, the parts took 40 bytes each instead of 24,
/// and the views of the 38,000-page tldr-like wiki 8.4 MiB more (heaptrack, every page viewed).
struct ViewParts {
    parts: Box<[Part]>,
    own: Box<[u8]>,
}

enum Part {
    /// HTML of this view, compressed for it: a stretch of its `own` block.
    Own(OwnPiece),
    /// The page's body as the site's render cache keeps it.
    Body(Arc<DeflatePiece>),
    /// A stretch many views hold alike, kept and weighed by `SamePieces`.
    Same(Arc<SameStretch>),
    /// The header's personal links of the visitor each response is for.
    Account,
}

// A part is kept for every stretch of every cached view.
const _: () = assert!(size_of::<Part>() <= 24);

/// Where a piece compressed for one view lies in the view's `own` block, and what it holds.
#[derive(Clone, Copy)]
struct OwnPiece {
    start: u32,
    end: u32,
    crc: u32,
    len: u32,
    reach: u16,
}

/// A rendered view: `shared_html` holds [`ACCOUNT_SLOT`] (or nothing personal at all) and, for pages,
/// [`BODY_SLOT`] where `body` goes; `personal` is what fills the account slot for the visitor it was rendered
/// for, `anonymous` what fills it for everyone who shares the copy when that is the same for all of them.
pub struct Rendered {
    pub shared_html: String,
    pub personal: String,
    pub anonymous: Option<String>,
    pub body: Option<SlotBody>,
}

/// What fills [`BODY_SLOT`]: a page's body as HTML, and as the render cache keeps it.
pub struct SlotBody {
    pub html: String,
    pub kept: Arc<DeflatePiece>,
}

/// A stretch of a rendered view: HTML (`same` when many views hold it alike), or one of the slots.
#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    Html { html: &'a str, same: bool },
    Account,
    Body,
}

impl Rendered {
    /// A view with its body in place of [`BODY_SLOT`], when `shared_html` holds the slot exactly once. A theme
    /// whose page shows `page.html` twice or not at all gets it filled in everywhere, and no body slot.
    pub fn with_body(mut self, body: SlotBody) -> Rendered {
        if self.shared_html.matches(BODY_SLOT).count() == 1 {
            self.body = Some(body);
        } else {
            self.shared_html = self.shared_html.replace(BODY_SLOT, &body.html);
        }
        self
    }

    /// The HTML it holds besides the body (which is compressed already), in bytes.
    fn bytes(&self) -> usize {
        self.shared_html.len() + self.personal.len() + self.anonymous.as_ref().map_or(0, String::len)
    }

    /// The page for the visitor it was rendered for.
    pub fn personal_html(&self) -> String {
        let body = self.body.as_ref().map_or("", |it| it.html.as_str());
        let mut res = String::with_capacity(self.shared_html.len() + self.personal.len() + body.len());
        for segment in segments(&self.shared_html, self.body.is_some()) {
            res.push_str(match segment {
                Segment::Html { html, .. } => html,
                Segment::Account => &self.personal,
                Segment::Body => body,
            });
        }
        res
    }
}

// A stretch of a view compressed as a piece of its stream, the `last` one ending it.
fn view_piece(html: &str, last: bool) -> DeflatePiece {
    view_piece_after(&[], html, last)
}

// A stretch of a view compressed as a piece of its stream after `before`.
fn view_piece_after(before: &[u8], html: &str, last: bool) -> DeflatePiece {
    if last {
        DeflatePiece::last_after(before, html.as_bytes())
    } else {
        DeflatePiece::middle_after(before, html.as_bytes())
    }
}

/// What every mark of a view begins with.
const MARK: &str = "<!--lore:";

// `html` cut at [`ACCOUNT_SLOT`], (when `with_body`) [`BODY_SLOT`], and the `same` marks, in order, without
// the marks and without empty stretches of HTML except the last, which is always HTML. One pass over `html`.
fn segments(html: &str, with_body: bool) -> Vec<Segment<'_>> {
    let mut res = Vec::with_capacity(9);
    let mut same = false;
    let (mut start, mut from) = (0, 0);
    while let Some(found) = html[from..].find(MARK) {
        let at = from + found;
        let tail = &html[at..];
        let (mark, next) = if tail.starts_with(ACCOUNT_SLOT) {
            (ACCOUNT_SLOT, Some(Segment::Account))
        } else if with_body && tail.starts_with(BODY_SLOT) {
            (BODY_SLOT, Some(Segment::Body))
        } else if tail.starts_with(SAME_BEGIN) || tail.starts_with(SAME_END) {
            let begin = tail.starts_with(SAME_BEGIN);
            (if begin { SAME_BEGIN } else { SAME_END }, None)
        } else {
            from = at + MARK.len();
            continue;
        };
        if at > start {
            res.push(Segment::Html { html: &html[start..at], same });
        }
        match next {
            Some(slot) => res.push(slot),
            None => same = mark == SAME_BEGIN,
        }
        start = at + mark.len();
        from = start;
    }
    res.push(Segment::Html { html: &html[start..], same });
    res
}

#[derive(Clone)]
pub struct PageWeighter;

impl quick_cache::Weighter<PageKey, Arc<CachedPage>> for PageWeighter {
    fn weight(&self, key: &PageKey, page: &Arc<CachedPage>) -> u64 {
        // A body counts whole although the render cache may hold the same piece: the budget bounds what the
        // page cache keeps alive in any case.
        let stored = match &page.stored {
            Stored::Whole { gzip, .. } => gzip.len(),
            Stored::Pieces { view, .. } => {
                let bodies: usize = view
                    .parts
                    .iter()
                    .map(|part| match part {
                        Part::Body(piece) => piece.weight(),
                        Part::Own(_) | Part::Same(_) | Part::Account => 0,
                    })
                    .sum();
                view.own.len() + bodies + view.parts.len() * size_of::<Part>()
            }
        };
        // The key, the entry and the cache's own bookkeeping.
        (stored + key.url_host_access.len() + 160) as u64
    }
}

impl PageCache {
    /// An empty cache holding up to `budget_bytes` of compressed views, its lookups counted in `counters`.
    pub fn new(budget_bytes: u64, counters: CacheCounters) -> PageCache {
        let slots = std::thread::available_parallelism().map_or(2, usize::from);
        let compressing = Arc::new(tokio::sync::Semaphore::new(slots));
        PageCache {
            entries: arc_swap::ArcSwap::from_pointee(empty_entries(budget_bytes)),
            budget_bytes,
            counters,
            compressing,
            waiting_bytes: std::sync::atomic::AtomicUsize::new(0),
            served: arc_swap::ArcSwap::from_pointee(Served::default()),
            moving: std::sync::Mutex::new(()),
            same: SamePieces::new(usize::try_from(budget_bytes / SAME_PIECES_SHARE).unwrap_or(usize::MAX)),
        }
    }

    /// A turn to compress `rendered` for the cache in, once one is free; `None` when the views waiting
    /// already hold too much HTML (see `compressing`).
    pub async fn compress_turn(&self, rendered: &Rendered) -> Option<tokio::sync::OwnedSemaphorePermit> {
        use std::sync::atomic::Ordering;
        let bytes = rendered.bytes();
        if self.waiting_bytes.fetch_add(bytes, Ordering::AcqRel) + bytes > MAX_WAITING_BYTES {
            self.waiting_bytes.fetch_sub(bytes, Ordering::AcqRel);
            return None;
        }
        let turn = self.compressing.clone().acquire_owned().await.ok();
        self.waiting_bytes.fetch_sub(bytes, Ordering::AcqRel);
        turn
    }

    /// A cached view for a reader of the site at `head`, still fresh at `now` (Unix seconds) and not changed
    /// by a move of the branch since it was kept; anything else counts as a miss. A reader of another head than
    /// the cache was last told of (the site moved a moment ago) misses too.
    pub fn get(&self, key: &PageKey, head: Option<ObjectId>, now: i64) -> Option<Arc<CachedPage>> {
        let served = self.served.load();
        let res = (served.head == head)
            .then(|| self.entries.load().get(key))
            .flatten()
            .filter(|it| now < it.fresh_until)
            .filter(|it| served.changed_at.get(key.url()).is_none_or(|changed| it.kept_at >= *changed));
        if res.is_some() {
            self.counters.hit()
        } else {
            self.counters.miss()
        }
        res
    }

    /// The site now serves `head`, and the moves since the head it served before changed `changed`: those
    /// views are misses from now on, the others stay. A change that may show in any view empties the cache.
    ///
    /// The cache is swapped for an empty one, and the old one dropped after: requests look views up in the new
    /// one meanwhile. Letting go of the tldr-like wiki's 38,000 views in place (`retain`) held the cache's
    /// shards while a save's redirect looked its page up (save p50 10.9 ms, against 7.7 with a few hundred
    /// views kept). Views of `head` made before the swap go too, and are made again when asked for. Views a
    /// move changed are left in place, a miss each, and replaced when asked for again (or evicted).
    pub fn serve_head(&self, head: Option<ObjectId>, changed: ViewsChanged) {
        let moving = self.moving.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = self.served.load_full();
        let moves = before.moves + 1;
        let changed_at = match changed {
            ViewsChanged::All => None,
            ViewsChanged::Only { pages, folders } => {
                let mut changed_at = before.changed_at.clone();
                // A page's view is looked up by its URL's path as `content` decodes it: `url_path`.
                for url in pages.iter().map(|page| url_path(page.as_str())).chain(folders.iter().map(String::as_str)) {
                    changed_at.insert(url.into(), moves);
                }
                Some(changed_at).filter(|it| it.len() <= MAX_CHANGED_VIEWS)
            }
        };
        if let Some(changed_at) = changed_at {
            self.served.store(Arc::new(Served { head, moves, changed_at }));
            return;
        }
        // Emptied before the new head is told: `get` reads the head first, and one that read the new head and
        // then the entries before the swap would serve a view the move changed.
        let older = self.entries.swap(Arc::new(empty_entries(self.budget_bytes)));
        self.served.store(Arc::new(Served { head, moves, changed_at: std::collections::HashMap::new() }));
        drop(moving);
        drop(older);
        // The stretches only those views held go with them.
        self.same.forget_dead();
    }

    /// Compresses a rendered view of the site at `head` and keeps it. Views with something personal outside
    /// the slot (a theme whose layout has no slot, seen by someone logged in) and views of a head the cache
    /// was not last told of (made while the site moved) are not kept.
    pub fn insert(
        &self,
        key: PageKey,
        head: Option<ObjectId>,
        rendered: &Rendered,
        inline_styles: bool,
        fresh_until: i64,
    ) {
        if self.served.load().head != head {
            return;
        }
        let has_account_slot = rendered.shared_html.contains(ACCOUNT_SLOT);
        if !has_account_slot && rendered.anonymous.is_none() {
            return;
        }
        // Everyone who shares a copy for visitors who are not logged in has the same links: part of the page.
        let filled;
        let html = match &rendered.anonymous {
            Some(anonymous) if has_account_slot => {
                filled = rendered.shared_html.replacen(ACCOUNT_SLOT, anonymous, 1);
                &filled
            }
            _ => &rendered.shared_html,
        };
        let segments = segments(html, rendered.body.is_some());
        let stored = match segments.as_slice() {
            [Segment::Html { html, .. }] => Stored::whole(html),
            _ => match Stored::pieces(segments, rendered.body.as_ref(), &self.same) {
                Some(stored) => stored,
                None => return,
            },
        };
        // Checked again, and kept, under the lock `serve_head` moves the head under: else a view compressed
        // meanwhile could be kept after the move, as if made after it.
        let _moving = self.moving.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let served = self.served.load();
        if served.head != head {
            return;
        }
        let page = CachedPage { stored, inline_styles, fresh_until, kept_at: served.moves };
        self.entries.load().insert(key, Arc::new(page));
    }

    /// The head the cache was last told the site serves.
    pub fn head(&self) -> Option<ObjectId> {
        self.served.load().head
    }

    /// The bytes the cache holds now, by its own weighing.
    pub fn weight(&self) -> u64 {
        self.entries.load().weight() + self.same.bytes() as u64
    }
}

/// An empty cache for views, of `budget_bytes` less the share of stretches many views hold alike.
fn empty_entries(budget_bytes: u64) -> Entries {
    // Pages compress to a few kilobytes: a first guess at the number of entries, which the cache adapts.
    let estimated_items = usize::try_from(budget_bytes / 4096).unwrap_or(usize::MAX).max(16);
    // Half the budget for pages read once (quick_cache keeps 3 % by default, for workloads that favour
    // frequency): readers go through a wiki's pages one by one, and with the default a crawl of a 10,000-page
    // wiki that fitted the budget twice over left a fifth of its pages uncached.
    let options = quick_cache::OptionsBuilder::new()
        .estimated_items_capacity(estimated_items)
        .weight_capacity((budget_bytes - budget_bytes / SAME_PIECES_SHARE).max(1))
        .hot_allocation(0.5)
        .build()
        .expect("the options are valid");
    quick_cache::sync::Cache::with_options(options, PageWeighter, Default::default(), Default::default())
}

impl Stored {
    fn whole(html: &str) -> Stored {
        let gzip = Bytes::from(encoding::gzip(html.as_bytes()));
        Stored::Whole { gzip, crc: crc32fast::hash(html.as_bytes()), len: html.len() }
    }

    // A view's `segments` compressed in pieces: the account slot left open, the body slot taken by `body`,
    // the stretches many views hold alike shared through `same`. The view's own pieces refer back to what
    // comes before them up to the account slot, which is the same in every response.
    // `None` for a view whose own pieces hold 4 GiB or more.
    fn pieces(segments: Vec<Segment<'_>>, body: Option<&SlotBody>, same: &SamePieces) -> Option<Stored> {
        let last = segments.len() - 1;
        let mut before = Vec::new();
        let mut parts = Vec::with_capacity(segments.len());
        let mut own = Vec::new();
        let mut keep_own = |piece: DeflatePiece| -> Option<Part> {
            let piece = piece.as_piece_ref();
            let start = u32::try_from(own.len()).ok()?;
            own.extend_from_slice(piece.deflated);
            let end = u32::try_from(own.len()).ok()?;
            let len = u32::try_from(piece.len).ok()?;
            Some(Part::Own(OwnPiece { start, end, crc: piece.crc, len, reach: piece.reach }))
        };
        for (i, segment) in segments.into_iter().enumerate() {
            // The last segment is always HTML: slots are cut out with what follows them.
            let (part, html) = match segment {
                Segment::Html { html, same: true } => match same.part(html, i == last) {
                    SameOrOwn::Same(stretch) => (Part::Same(stretch), html),
                    SameOrOwn::Own(piece) => (keep_own(piece)?, html),
                },
                Segment::Html { html, .. } => (keep_own(view_piece_after(&before, html, i == last))?, html),
                Segment::Account => (Part::Account, ""),
                Segment::Body => {
                    let body = body.expect("a body slot is cut only with a body");
                    (Part::Body(body.kept.clone()), body.html.as_str())
                }
            };
            if matches!(part, Part::Account) {
                before.clear();
            } else {
                // Only the last MAX_REACH bytes are ever referred to: of a long body, only its tail is copied.
                let html = &html.as_bytes()[html.len().saturating_sub(encoding::MAX_REACH)..];
                if before.len() + html.len() > 2 * encoding::MAX_REACH {
                    before.drain(..before.len().saturating_sub(encoding::MAX_REACH));
                }
                before.extend_from_slice(html);
            }
            parts.push(part);
        }
        let view = ViewParts { parts: parts.into_boxed_slice(), own: own.into_boxed_slice() };
        let known = if view.parts.iter().any(|it| matches!(it, Part::Account)) {
            None
        } else {
            Some(PieceRef::crc_of_all(&view.pieces(None)))
        };
        Some(Stored::Pieces { view, known })
    }
}

// A response's body, before it is needed: a gzip stream kept whole, or parts to join (with the visitor's
// links, as HTML and as a stored piece) into gzip or HTML.
enum Kept<'a> {
    Whole(&'a Bytes),
    Parts(&'a ViewParts, Option<(String, DeflatePiece)>, (u32, usize)),
}

impl ViewParts {
    // The pieces of a stream, `account` in the account slot.
    fn pieces<'a>(&'a self, account: Option<&'a DeflatePiece>) -> Vec<PieceRef<'a>> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Own(piece) => Some(self.own_piece(piece)),
                Part::Body(piece) => Some(piece.as_piece_ref()),
                Part::Same(stretch) => Some(stretch.piece.as_piece_ref()),
                Part::Account => account.map(DeflatePiece::as_piece_ref),
            })
            .collect()
    }

    fn own_piece(&self, piece: &OwnPiece) -> PieceRef<'_> {
        let OwnPiece { start, end, crc, len, reach } = *piece;
        PieceRef { deflated: &self.own[start as usize..end as usize], crc, len: len as usize, reach }
    }

    // The HTML the parts hold, `len` bytes with `account` in the account slot: what views many hold alike is
    // copied as it is kept, the rest inflated.
    fn html(&self, account: &str, len: usize) -> Vec<u8> {
        let mut res = Vec::with_capacity(len);
        for part in &self.parts {
            match part {
                Part::Own(piece) => self.own_piece(piece).inflate_into(&mut res),
                Part::Body(piece) => piece.inflate_into(&mut res),
                Part::Same(stretch) => res.extend_from_slice(stretch.html.as_bytes()),
                Part::Account => res.extend_from_slice(account.as_bytes()),
            }
        }
        res
    }
}

impl CachedPage {
    /// The response for a visitor whose header links are `personal()` (asked for only when the copy needs
    /// them): 304 when their `If-None-Match` names this version, else the body in the best encoding they
    /// accept.
    pub fn respond(&self, request: &HeaderMap, personal: impl FnOnce() -> String) -> Response {
        let encoding = Accepted::of(request).choose(false);
        // The validator first: a 304 joins no pieces.
        let (known, kept) = match &self.stored {
            Stored::Whole { gzip, crc, len } => ((*crc, *len), Kept::Whole(gzip)),
            Stored::Pieces { view, known: Some(known) } => (*known, Kept::Parts(view, None, *known)),
            Stored::Pieces { view, known: None } => {
                let personal = personal();
                let piece = DeflatePiece::stored(personal.as_bytes());
                let known = PieceRef::crc_of_all(&view.pieces(Some(&piece)));
                (known, Kept::Parts(view, Some((personal, piece)), known))
            }
        };
        let etag = etag(known);
        let mut res = if if_none_match(request, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body = match (kept, encoding) {
                (Kept::Whole(gzip), Encoding::Identity) => Bytes::from(encoding::gunzip(gzip)),
                (Kept::Whole(gzip), _) => gzip.clone(),
                // Pieces are never inflated into one stream first: what views hold alike is kept as HTML too.
                (Kept::Parts(view, account, (_, len)), Encoding::Identity) => {
                    Bytes::from(view.html(account.as_ref().map_or("", |it| it.0.as_str()), len))
                }
                (Kept::Parts(view, account, known), _) => {
                    Bytes::from(encoding::gzip_of_pieces_with(&view.pieces(account.as_ref().map(|it| &it.1)), known))
                }
            };
            let mut res = body.into_response();
            if let Some(value) = encoding.header_value() {
                res.headers_mut().insert(header::CONTENT_ENCODING, value);
            }
            res
        };
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        headers.insert(header::ETAG, etag);
        page_cache_headers(headers);
        res
    }
}

/// The caching headers of every page view: browsers keep it but ask again each time (an `If-None-Match`
/// answered with 304), shared caches never keep it (it may be for one reader's eyes only).
pub fn page_cache_headers(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding, Accept-Language, Cookie"));
}

/// Whether a request's `If-None-Match` names `etag` (weak comparison, as RFC 9110 says for GET).
pub fn if_none_match(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let wanted = etag.as_bytes().strip_prefix(b"W/").unwrap_or(etag.as_bytes());
    request.get_all(header::IF_NONE_MATCH).iter().filter_map(|it| it.to_str().ok()).any(|value| {
        value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.as_bytes().strip_prefix(b"W/").unwrap_or(tag.as_bytes()) == wanted)
    })
}

// A weak validator from the CRC-32 of a body and its length.
fn etag((crc, len): (u32, usize)) -> HeaderValue {
    HeaderValue::from_str(&format!("W/\"{crc:08x}-{len:x}\"")).expect("hex digits are valid header values")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: &str = "<header><!--lore:account--></header><article><!--lore:body--></article><footer>f</footer>";

    fn key(logged_in: bool) -> PageKey {
        key_of("/Deploys", logged_in)
    }

    fn key_of(url: &str, logged_in: bool) -> PageKey {
        let context = KeyContext { logged_in, language: UiLanguage::default(), changes_ready: true };
        PageKey::new(url, "wiki.example", "readers", context)
    }

    #[test]
    fn keys_differ_where_their_url_host_or_access_class_ends() {
        let context = KeyContext { logged_in: false, language: UiLanguage::default(), changes_ready: true };
        let key = |url, host, access| PageKey::new(url, host, access, context);
        assert_eq!(key("/a", "wiki", "readers"), key("/a", "wiki", "readers"));
        assert_ne!(key("/a", "wiki", "readers"), key("/aw", "iki", "readers"));
        assert_ne!(key("/a", "wiki", "readers"), key("/a", "wikir", "eaders"));
    }

    fn body(html: &str) -> SlotBody {
        SlotBody { html: html.into(), kept: Arc::new(DeflatePiece::middle(html.as_bytes())) }
    }

    fn rendered(anonymous: Option<&str>, body_html: &str) -> Rendered {
        Rendered {
            shared_html: LAYOUT.into(),
            personal: "<a>Ann</a>".into(),
            anonymous: anonymous.map(str::to_string),
            body: None,
        }
        .with_body(body(body_html))
    }

    // The body of `page`'s response to a request with `headers`, decoded, and its validator.
    fn read(page: &CachedPage, headers: &[(&'static str, &str)], personal: &str) -> (StatusCode, String, String) {
        let mut request = HeaderMap::new();
        for (name, value) in headers {
            request.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let res = page.respond(&request, || personal.to_string());
        let status = res.status();
        let gzipped = res.headers().get(header::CONTENT_ENCODING).is_some();
        let etag = res.headers()[header::ETAG].to_str().unwrap().to_string();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let bytes = runtime.block_on(axum::body::to_bytes(res.into_body(), usize::MAX)).unwrap();
        let bytes = if gzipped { encoding::gunzip(&bytes) } else { bytes.to_vec() };
        (status, String::from_utf8(bytes).unwrap(), etag)
    }

    #[test]
    fn a_kept_page_shares_the_render_caches_body_and_reads_back_whole() {
        let cache = PageCache::new(1 << 20, CacheCounters::default());
        let rendered = rendered(Some("<a>Log in</a>"), "<p>Deploys go out on Tuesdays.</p>");
        let kept_body = rendered.body.as_ref().unwrap().kept.clone();
        assert_eq!(
            rendered.personal_html(),
            "<header><a>Ann</a></header><article><p>Deploys go out on Tuesdays.</p></article><footer>f</footer>"
        );
        cache.insert(key(false), None, &rendered, false, i64::MAX);
        assert_eq!(Arc::strong_count(&kept_body), 3, "the kept page holds the body's piece, not a copy of it");
        let page = cache.get(&key(false), None, 0).expect("kept");
        let whole =
            "<header><a>Log in</a></header><article><p>Deploys go out on Tuesdays.</p></article><footer>f</footer>";
        let (status, gzip_html, etag) = read(&page, &[("accept-encoding", "gzip")], "unused");
        assert_eq!((status, gzip_html.as_str()), (StatusCode::OK, whole));
        let (_, plain_html, plain_etag) = read(&page, &[], "unused");
        assert_eq!((plain_html.as_str(), &plain_etag), (whole, &etag));
        let (status, _, _) = read(&page, &[("if-none-match", &etag)], "unused");
        assert_eq!(status, StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn a_move_misses_the_views_it_changed_and_keeps_the_others() {
        let head = |n: u8| Some(format!("{n:02x}").repeat(20).parse::<ObjectId>().unwrap());
        let page = |path: &str| crate::content::RepoPath::parse(path).unwrap();
        let cache = PageCache::new(1 << 20, CacheCounters::default());
        cache.serve_head(head(1), ViewsChanged::All);
        let view = || rendered(Some("<a>Log in</a>"), "<p>Body</p>");
        for url in ["team/Deploys", "team/Holidays", "Other", "team/"] {
            cache.insert(key_of(url, false), head(1), &view(), false, i64::MAX);
        }
        // A view made at another head than the one served is not kept; a reader of another head misses.
        cache.insert(key_of("Stale", false), head(9), &view(), false, i64::MAX);
        assert!(cache.get(&key_of("Stale", false), head(9), 0).is_none());
        assert!(cache.get(&key_of("Other", false), head(2), 0).is_none(), "the cache has not heard of head 2 yet");
        let changed = ViewsChanged::Only {
            pages: [page("team/Deploys.md")].into(),
            folders: [String::new(), "team/".to_string()].into(),
        };
        cache.serve_head(head(2), changed);
        assert!(cache.get(&key_of("team/Deploys", false), head(2), 0).is_none(), "changed");
        assert!(cache.get(&key_of("team/", false), head(2), 0).is_none(), "a folder of the changed page");
        assert!(cache.get(&key_of("team/Holidays", false), head(2), 0).is_some(), "unchanged");
        assert!(cache.get(&key_of("Other", false), head(2), 0).is_some());
        // Made again after the move, the changed view is kept.
        cache.insert(key_of("team/Deploys", false), head(2), &view(), false, i64::MAX);
        assert!(cache.get(&key_of("team/Deploys", false), head(2), 0).is_some());
        // A move that may change every view empties the cache, and so do more changed views than it tracks.
        cache.serve_head(head(3), ViewsChanged::All);
        assert!(cache.get(&key_of("team/Holidays", false), head(3), 0).is_none());
        cache.insert(key_of("Other", false), head(3), &view(), false, i64::MAX);
        let many = (0..=MAX_CHANGED_VIEWS).map(|i| page(&format!("p{i}.md"))).collect();
        cache.serve_head(head(4), ViewsChanged::Only { pages: many, folders: Default::default() });
        assert!(cache.get(&key_of("Other", false), head(4), 0).is_none(), "emptied");
    }

    #[test]
    fn a_views_own_pieces_refer_back_to_what_precedes_them_up_to_the_account_slot() {
        // After the body, the view's own stretch repeats it (as a page's table of contents repeats its headings);
        // before the account slot, its first stretch has nothing to refer back to.
        let body_html = "<h2>Rolling back a deploy of the billing service</h2>";
        let layout =
            format!("<header>{body_html}<!--lore:account--></header><article><!--lore:body--></article>{body_html}");
        let view = Rendered { shared_html: layout, personal: "<a>Ann</a>".into(), anonymous: None, body: None }
            .with_body(body(body_html));
        let cache = PageCache::new(1 << 20, CacheCounters::default());
        cache.insert(key(true), None, &view, false, i64::MAX);
        let page = cache.get(&key(true), None, 0).expect("kept");
        let Stored::Pieces { view, .. } = &page.stored else { panic!("kept in pieces") };
        let own: Vec<usize> = view
            .parts
            .iter()
            .filter_map(|it| match it {
                Part::Own(piece) => Some(view.own_piece(piece).deflated.len()),
                _ => None,
            })
            .collect();
        let alone = |html: &str, last: bool| view_piece(html, last).weight();
        assert_eq!(own[0], alone(&format!("<header>{body_html}"), false), "nothing before it");
        assert!(own[2] < alone(body_html, true), "the last piece copies the body: {own:?}");
        let whole = |who: &str| format!("<header>{body_html}{who}</header><article>{body_html}</article>{body_html}");
        for (headers, who) in [(&[("accept-encoding", "gzip")][..], "<a>Ann</a>"), (&[][..], "<a>Bob</a>")] {
            assert_eq!(read(&page, headers, who).1, whole(who));
        }
    }

    #[test]
    fn a_copy_for_visitors_who_are_logged_in_fills_each_ones_links() {
        let cache = PageCache::new(1 << 20, CacheCounters::default());
        cache.insert(key(true), None, &rendered(None, "<p>Body</p>"), false, i64::MAX);
        let page = cache.get(&key(true), None, 0).expect("kept");
        let (_, ann, ann_etag) = read(&page, &[("accept-encoding", "gzip")], "<a>Ann</a>");
        let (_, bob, bob_etag) = read(&page, &[], "<a>Bob</a>");
        assert_eq!(ann, "<header><a>Ann</a></header><article><p>Body</p></article><footer>f</footer>");
        assert_eq!(bob, "<header><a>Bob</a></header><article><p>Body</p></article><footer>f</footer>");
        assert_ne!(ann_etag, bob_etag, "validators differ with what each visitor gets");
    }

    #[test]
    fn a_theme_that_shows_the_body_twice_gets_it_filled_in_everywhere() {
        let twice = Rendered {
            shared_html: "<!--lore:body--><hr><!--lore:body-->".into(),
            personal: String::new(),
            anonymous: Some(String::new()),
            body: None,
        }
        .with_body(body("<p>B</p>"));
        assert!(twice.body.is_none());
        assert_eq!(twice.shared_html, "<p>B</p><hr><p>B</p>");
        let cache = PageCache::new(1 << 20, CacheCounters::default());
        cache.insert(key(false), None, &twice, false, i64::MAX);
        let (_, html, _) = read(&cache.get(&key(false), None, 0).expect("kept"), &[], "");
        assert_eq!(html, "<p>B</p><hr><p>B</p>");
    }

    #[test]
    fn slots_cut_a_view_in_order() {
        let html = |html| Segment::Html { html, same: false };
        assert_eq!(
            segments(LAYOUT, true),
            [
                html("<header>"),
                Segment::Account,
                html("</header><article>"),
                Segment::Body,
                html("</article><footer>f</footer>"),
            ]
        );
        assert_eq!(segments("<!--lore:body-->", false), [html("<!--lore:body-->")]);
        assert_eq!(
            segments("<!--lore:else--><!--lore:body-->", true),
            [html("<!--lore:else-->"), Segment::Body, html("")]
        );
    }

    const SHARING_LAYOUT: &str = "<!--lore:same--><head>links</head><!--lore:/same--><title>T</title>\
        <!--lore:same--><header><!--lore:account--></header><!--lore:/same--><article><!--lore:body--></article>\
        <!--lore:same--><footer>f</footer>";

    #[test]
    fn marks_cut_what_many_views_hold_alike_and_are_never_sent() {
        assert!([ACCOUNT_SLOT, BODY_SLOT, SAME_BEGIN, SAME_END].iter().all(|it| it.starts_with(MARK)));
        let (alike, own) = (|html| Segment::Html { html, same: true }, |html| Segment::Html { html, same: false });
        assert_eq!(
            segments(SHARING_LAYOUT, true),
            [
                alike("<head>links</head>"),
                own("<title>T</title>"),
                alike("<header>"),
                Segment::Account,
                alike("</header>"),
                own("<article>"),
                Segment::Body,
                own("</article>"),
                alike("<footer>f</footer>"),
            ]
        );
    }

    #[test]
    fn views_share_the_pieces_of_what_they_hold_alike() {
        let cache = PageCache::new(1 << 20, CacheCounters::default());
        let view = |title: &str, body_html: &str| {
            Rendered {
                shared_html: SHARING_LAYOUT.replace("<title>T", &format!("<title>{title}")),
                personal: "<a>Ann</a>".into(),
                anonymous: None,
                body: None,
            }
            .with_body(body(body_html))
        };
        let (deploys, holidays) = (view("Deploys", "<p>Tuesdays.</p>"), view("Holidays", "<p>Fridays.</p>"));
        assert_eq!(
            deploys.personal_html(),
            "<head>links</head><title>Deploys</title><header><a>Ann</a></header><article><p>Tuesdays.</p></article>\
             <footer>f</footer>"
        );
        let holidays_key = key_of("/Holidays", true);
        cache.insert(key(true), None, &deploys, false, i64::MAX);
        cache.insert(holidays_key.clone(), None, &holidays, false, i64::MAX);
        let (first, second) = (cache.get(&key(true), None, 0).unwrap(), cache.get(&holidays_key, None, 0).unwrap());
        let shared = |page: &CachedPage| -> Vec<*const DeflatePiece> {
            let Stored::Pieces { view, .. } = &page.stored else { panic!("kept in pieces") };
            view.parts
                .iter()
                .filter_map(|it| match it {
                    Part::Body(piece) => Some(Arc::as_ptr(piece)),
                    Part::Same(stretch) => Some(&raw const stretch.piece),
                    _ => None,
                })
                .collect()
        };
        let (first_shared, second_shared) = (shared(&first), shared(&second));
        // The head's links, the header's two stretches and the footer are the same pieces; the bodies differ.
        assert_eq!(first_shared.len(), 5);
        assert_eq!(first_shared.iter().filter(|it| second_shared.contains(it)).count(), 4);
        let (_, html, etag) = read(&second, &[("accept-encoding", "gzip")], "<a>Bob</a>");
        assert_eq!(
            html,
            "<head>links</head><title>Holidays</title><header><a>Bob</a></header><article><p>Fridays.</p></article>\
             <footer>f</footer>"
        );
        // Without gzip the shared stretches are copied as they are kept and the rest inflated: the same page.
        let (_, plain_html, plain_etag) = read(&second, &[], "<a>Bob</a>");
        assert_eq!((plain_html, plain_etag), (html, etag));
    }

    #[test]
    fn stretches_alike_weigh_against_their_share_and_dead_ones_are_forgotten() {
        let same = SamePieces::new(600);
        let footer = "<footer>".repeat(20);
        let SameOrOwn::Same(first) = same.part(&footer, true) else { panic!("shared while the share has room") };
        let SameOrOwn::Same(again) = same.part(&footer, true) else { panic!("shared again") };
        assert!(Arc::ptr_eq(&first, &again));
        let header = "<header>".repeat(40);
        assert!(matches!(same.part(&header, false), SameOrOwn::Own(_)), "the share is full");
        drop((first, again));
        assert!(matches!(same.part(&header, false), SameOrOwn::Same(_)), "the footer no one holds is forgotten");
        assert!(same.bytes() <= 600);
    }
}
