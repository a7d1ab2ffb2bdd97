//! The page cache: finished page and folder views, shared by everyone who reads the wiki the same way, stored
//! compressed once and weighed in bytes against `cache_mb`.
//!
//! A shared copy holds nothing personal. Pages are rendered with [`ACCOUNT_SLOT`] where the header's personal
//! links go (name, logout form with the browser's CSRF token), and each response fills it in. Copies for
//! visitors who are not logged in (whose links are the same for all) are stored whole, as gzip; the others as
//! two gzip pieces around the slot, joined with the visitor's links into one gzip stream per response. A hit is
//! a copy of bytes either way; clients that do not accept gzip get it decoded.
//!
//! Pages are kept as gzip only, and browsers that accept brotli get the gzip too: brotli at a quality quick
//! enough for a view (4) made pages 1.3 % smaller (3,853 against 3,906 bytes over 200 pages of a 10,000-page
//! wiki) and held as much memory again as the gzip (the cache of that wiki: 113 MiB with both, 40 with gzip).
//! Theme files, compressed once at a high quality, are sent as brotli.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::encoding::{self, Accepted, DeflatePiece, Encoding};
use super::view::ACCOUNT_SLOT;
use crate::i18n::UiLanguage;
use crate::metrics::CacheCounters;
use crate::store::ObjectId;

/// Finished page and folder views by URL and by who may read what.
pub struct PageCache {
    entries: quick_cache::sync::Cache<PageKey, Arc<CachedPage>, PageWeighter>,
    counters: CacheCounters,
    // Views compress for the cache one per core at a time, and views holding at most MAX_WAITING_BYTES of
    // HTML wait their turn. Each brotli encoder holds about a megabyte: when views came faster than they
    // compressed (a crawl of cold pages on a busy machine), compressions piled up on the blocking pool and
    // held 200 MiB. A view that finds the queue full is sent, and cached the next time it is asked for. (A
    // queue of 64 views filled within a crawl of one page at a time: a third of a 10,000-page wiki was never
    // cached by it, and "warm" views missed.)
    compressing: Arc<tokio::sync::Semaphore>,
    waiting_bytes: std::sync::atomic::AtomicUsize,
    /// The head the site serves, once known: views of any other are not kept (see `serve_head`).
    served_head: std::sync::Mutex<Option<ObjectId>>,
}

/// The HTML that views waiting for a turn to compress for the cache may hold (see `PageCache::compressing`).
const MAX_WAITING_BYTES: usize = 16 << 20;

/// What a cached view depends on besides the wiki's content at `head`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub url: String,
    /// The host in the clone URL.
    pub host: String,
    /// The reader's access class (`Access::fingerprint`): what they may read and which actions they see.
    pub access: String,
    /// Logged-in visitors see other header links than visitors who are not (Ask, the account links).
    pub logged_in: bool,
    /// The interface language the view is in: one language's page is never served to a reader of another.
    pub language: UiLanguage,
    pub head: Option<ObjectId>,
    /// Whether "last edited" and contributors were known when the view was made.
    pub changes_ready: bool,
}

/// One cached view.
pub struct CachedPage {
    stored: Stored,
    /// Pages with formulas or diagrams need a Content-Security-Policy that allows inline styles.
    pub inline_styles: bool,
    /// When the view goes stale (Unix seconds): its relative times ("3 days ago") or review state change.
    pub fresh_until: i64,
}

enum Stored {
    /// The same page for everyone who shares the copy.
    Whole { gzip: Bytes, etag: HeaderValue },
    /// The page around the header's personal links.
    Pieces { before: DeflatePiece, after: DeflatePiece },
}

/// A rendered view: `shared_html` holds [`ACCOUNT_SLOT`] (or nothing personal at all), `personal` is what
/// fills the slot for the visitor it was rendered for, `anonymous` what fills it for everyone who shares the
/// copy when that is the same for all of them.
pub struct Rendered {
    pub shared_html: String,
    pub personal: String,
    pub anonymous: Option<String>,
}

impl Rendered {
    /// The HTML it holds, in bytes.
    fn bytes(&self) -> usize {
        self.shared_html.len() + self.personal.len() + self.anonymous.as_ref().map_or(0, String::len)
    }

    /// The page for the visitor it was rendered for.
    pub fn personal_html(&self) -> String {
        match self.shared_html.split_once(ACCOUNT_SLOT) {
            Some((before, after)) => [before, &self.personal, after].concat(),
            None => self.shared_html.clone(),
        }
    }
}

#[derive(Clone)]
pub struct PageWeighter;

impl quick_cache::Weighter<PageKey, Arc<CachedPage>> for PageWeighter {
    fn weight(&self, key: &PageKey, page: &Arc<CachedPage>) -> u64 {
        let stored = match &page.stored {
            Stored::Whole { gzip, .. } => gzip.len(),
            Stored::Pieces { before, after } => before.weight() + after.weight(),
        };
        // The key, the entry and the cache's own bookkeeping.
        (stored + key.url.len() + key.host.len() + key.access.len() + 160) as u64
    }
}

impl PageCache {
    /// An empty cache holding up to `budget_bytes` of compressed views, its lookups counted in `counters`.
    pub fn new(budget_bytes: u64, counters: CacheCounters) -> PageCache {
        // Pages compress to a few kilobytes: a first guess at the number of entries, which the cache adapts.
        let estimated_items = usize::try_from(budget_bytes / 4096).unwrap_or(usize::MAX).max(16);
        // Half the budget for pages read once (quick_cache keeps 3 % by default, for workloads that favour
        // frequency): readers go through a wiki's pages one by one, and with the default a crawl of a
        // 10,000-page wiki that fitted the budget twice over left a fifth of its pages uncached.
        let options = quick_cache::OptionsBuilder::new()
            .estimated_items_capacity(estimated_items)
            .weight_capacity(budget_bytes.max(1))
            .hot_allocation(0.5)
            .build()
            .expect("the options are valid");
        let entries =
            quick_cache::sync::Cache::with_options(options, PageWeighter, Default::default(), Default::default());
        let slots = std::thread::available_parallelism().map_or(2, usize::from);
        let compressing = Arc::new(tokio::sync::Semaphore::new(slots));
        PageCache {
            entries,
            counters,
            compressing,
            waiting_bytes: std::sync::atomic::AtomicUsize::new(0),
            served_head: std::sync::Mutex::new(None),
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

    /// A cached view still fresh at `now` (Unix seconds); a stale one counts as a miss.
    pub fn get(&self, key: &PageKey, now: i64) -> Option<Arc<CachedPage>> {
        let res = self.entries.get(key).filter(|it| now < it.fresh_until);
        if res.is_some() {
            self.counters.hit()
        } else {
            self.counters.miss()
        }
        res
    }

    /// The site now serves `head`: views of other heads are dropped, and no longer kept. Every key holds the
    /// head its view was made at, so after a save no one asks for the views made before it; left to the
    /// cache's eviction, they held the budget's worth (RSS +65 MiB after 20 saves on the flat 10,000-page wiki).
    pub fn serve_head(&self, head: Option<ObjectId>) {
        *self.served_head.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = head;
        self.entries.retain(|key, _| key.head == head);
    }

    /// Compresses a rendered view and keeps it. Views with something personal outside the slot (a theme whose
    /// layout has no slot, seen by someone logged in) and views of a head the site no longer serves (made
    /// while it moved) are not kept.
    pub fn insert(&self, key: PageKey, rendered: &Rendered, inline_styles: bool, fresh_until: i64) {
        let served = *self.served_head.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if served.is_some() && served != key.head {
            return;
        }
        let stored = match (rendered.shared_html.split_once(ACCOUNT_SLOT), &rendered.anonymous) {
            (Some((before, after)), Some(anonymous)) => Stored::whole(&[before, anonymous, after].concat()),
            (None, Some(_)) => Stored::whole(&rendered.shared_html),
            (Some((before, after)), None) => Stored::Pieces {
                before: DeflatePiece::middle(before.as_bytes()),
                after: DeflatePiece::last(after.as_bytes()),
            },
            (None, None) => return,
        };
        self.entries.insert(key, Arc::new(CachedPage { stored, inline_styles, fresh_until }));
    }

    /// The bytes the cache holds now, by its own weighing.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }
}

impl Stored {
    fn whole(html: &str) -> Stored {
        let etag = etag(&[crc32fast::hash(html.as_bytes())], html.len());
        Stored::Whole { gzip: Bytes::from(encoding::gzip_to_keep(html.as_bytes())), etag }
    }
}

impl CachedPage {
    /// The response for a visitor whose header links are `personal()` (asked for only when the copy needs
    /// them): 304 when their `If-None-Match` names this version, else the body in the best encoding they
    /// accept.
    pub fn respond(&self, request: &HeaderMap, personal: impl FnOnce() -> String) -> Response {
        let accepted = Accepted::of(request);
        let (etag, encoding, body) = match &self.stored {
            Stored::Whole { gzip, etag } => {
                let encoding = accepted.choose(false);
                let body = match encoding {
                    Encoding::Identity => Bytes::from(encoding::gunzip(gzip)),
                    _ => gzip.clone(),
                };
                (etag.clone(), encoding, body)
            }
            Stored::Pieces { before, after } => {
                let personal = personal();
                let middle = DeflatePiece::stored(personal.as_bytes());
                let etag = etag(&[before.crc(), middle.crc(), after.crc()], personal.len());
                let gzip = encoding::gzip_of_pieces(&[before, &middle, after]);
                let encoding = accepted.choose(false);
                let body = match encoding {
                    Encoding::Identity => encoding::gunzip(&gzip),
                    _ => gzip,
                };
                (etag, encoding, Bytes::from(body))
            }
        };
        let mut res = if if_none_match(request, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
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

// A weak validator from CRCs of what a body is made of and its length.
fn etag(crcs: &[u32], len: usize) -> HeaderValue {
    let mut value = String::from("W/\"");
    for crc in crcs {
        value.push_str(&format!("{crc:08x}"));
    }
    value.push_str(&format!("-{len:x}\""));
    HeaderValue::from_str(&value).expect("hex digits are valid header values")
}
