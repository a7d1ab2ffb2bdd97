//! Caches bounded by bytes: `cache_mb` of `lore.yaml` split among the site's caches and the web layer's page
//! cache, each entry weighed by the bytes it holds. Counting entries was no bound: one page of 250,000
//! headings renders to 53 MB of HTML, and 14 such pages held 3.76 GB.

use std::hash::Hash;

use quick_cache::sync::{Cache, DefaultLifecycle};
use quick_cache::{DefaultHashBuilder, OptionsBuilder, Weighter};

use crate::metrics::CacheCounters;

/// How `cache_mb` is shared among the caches, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheBudgets {
    /// Rendered page bodies (HTML and table of contents).
    pub render: u64,
    /// Whole page views, as the web layer sends them.
    pub pages: u64,
    /// Page metadata (title, front matter, links), by blob.
    pub meta: u64,
    /// Line attribution of pages.
    pub blame: u64,
    /// Lines added and removed between two versions of a file.
    pub line_stats: u64,
}

impl CacheBudgets {
    /// Splits `cache_mb` megabytes: 18/32 for page views, 6/32 for rendered bodies, the rest for metadata,
    /// blame and line counts. Page views are what a hit sends: with a quarter (80 MiB by default) a wiki of
    /// 10,000 pages in folders (84 MB of views) did not fit, and a twentieth of warm views missed, each costing
    /// as much CPU as twenty hits. Views hold their bodies (shared with the render cache, weighed by both), so
    /// the render cache only has to keep bodies across a move of the branch, which drops every view. (On the
    /// 38,000-page tldr-like wiki both still fill: views 180 MiB, bodies 60; warm random views ran at 12,279
    /// req/s against 8,355 with 160 and 80.)
    pub fn split(cache_mb: u64) -> CacheBudgets {
        let total = cache_mb.saturating_mul(1024 * 1024);
        let share = |thirty_seconds: u64| total / 32 * thirty_seconds;
        CacheBudgets { render: share(6), pages: share(18), meta: share(4), blame: share(3), line_stats: share(1) }
    }
}

/// Weighs an entry by a function of its key and value (bytes, roughly).
pub struct WeighWith<K, V>(fn(&K, &V) -> usize);

impl<K, V> Clone for WeighWith<K, V> {
    fn clone(&self) -> Self {
        WeighWith(self.0)
    }
}

impl<K, V> Weighter<K, V> for WeighWith<K, V> {
    fn weight(&self, key: &K, value: &V) -> u64 {
        // The entry's own slot counts too, so that empty values are not free.
        (self.0(key, value) + size_of::<K>() + size_of::<V>()) as u64
    }
}

/// How many parts a cache is split into. quick_cache never keeps an entry heavier than one part, so an entry
/// over an eighth of the budget is computed for whoever asked and not kept.
const SHARDS: usize = 8;

/// A cache holding at most `budget` bytes of entries, as its weighing function counts them. Entries heavier
/// than an eighth of the budget are not kept. Lookups count as hits or misses in its [`CacheCounters`].
pub struct ByteCache<K, V> {
    entries: Cache<K, V, WeighWith<K, V>, DefaultHashBuilder, DefaultLifecycle<K, V>>,
    counters: CacheCounters,
}

impl<K: Eq + Hash + Clone, V: Clone> ByteCache<K, V> {
    /// An empty cache of `budget` bytes whose entries weigh `weigh(key, value)` bytes each, typically about
    /// `typical_entry` (which sizes the cache's tables).
    pub fn new(budget: u64, typical_entry: u64, weigh: fn(&K, &V) -> usize) -> ByteCache<K, V> {
        // quick_cache merges parts that would hold fewer than 32 entries; keep all eight.
        let n_entries = (budget / typical_entry.max(1)).max(32 * SHARDS as u64);
        let options = OptionsBuilder::new()
            .estimated_items_capacity(usize::try_from(n_entries).unwrap_or(usize::MAX))
            .weight_capacity(budget)
            .shards(SHARDS)
            .build()
            .expect("the cache options are complete");
        let entries =
            Cache::with_options(options, WeighWith(weigh), DefaultHashBuilder::default(), DefaultLifecycle::default());
        ByteCache { entries, counters: CacheCounters::default() }
    }

    /// The same cache, counting its lookups in `counters` (one of the metrics' caches).
    pub fn counted(self, counters: CacheCounters) -> ByteCache<K, V> {
        ByteCache { counters, ..self }
    }

    /// The value for `key`, computed by `with` on a miss (once, however many callers wait for it).
    pub fn get_or_insert_with<E>(&self, key: &K, with: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        let mut computed = false;
        let res = self.entries.get_or_insert_with(key, || {
            computed = true;
            with()
        });
        if computed {
            self.counters.miss()
        } else {
            self.counters.hit()
        }
        res
    }

    /// The value for `key`, if cached.
    pub fn get(&self, key: &K) -> Option<V> {
        let res = self.entries.get(key);
        if res.is_some() {
            self.counters.hit()
        } else {
            self.counters.miss()
        }
        res
    }

    /// Keeps `value` for `key`, unless it is too heavy to keep.
    pub fn insert(&self, key: K, value: V) {
        self.entries.insert(key, value);
    }

    /// The bytes held, as the entries are weighed.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_cache(budget: u64) -> ByteCache<u32, String> {
        ByteCache::new(budget, 1024, |_, text| text.len())
    }

    #[test]
    fn holds_no_more_bytes_than_its_budget() {
        let cache = text_cache(1024 * 1024);
        for key in 0..1000 {
            cache.insert(key, "x".repeat(10_000));
        }
        assert!(cache.weight() <= 1024 * 1024, "{} bytes held", cache.weight());
        assert!(cache.len() < 1000 && !cache.is_empty());
    }

    #[test]
    fn an_entry_over_an_eighth_of_the_budget_is_not_kept() {
        let cache = text_cache(1024 * 1024);
        let big = cache.get_or_insert_with(&1, || Ok::<_, ()>("x".repeat(1024 * 1024 / 8 + 1))).expect("computed");
        assert_eq!(big.len(), 1024 * 1024 / 8 + 1, "the caller still gets the value");
        assert_eq!(cache.get(&1), None);
        cache.insert(2, "x".repeat(1024 * 1024 / 16));
        assert!(cache.get(&2).is_some());
    }

    #[test]
    fn budgets_share_cache_mb() {
        let budgets = CacheBudgets::split(256);
        let sum = budgets.render + budgets.pages + budgets.meta + budgets.blame + budgets.line_stats;
        assert_eq!(sum, 256 * 1024 * 1024);
        assert_eq!(budgets.pages, 144 * 1024 * 1024);
    }
}
