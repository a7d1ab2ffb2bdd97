//! Operational metrics: one registry per server, read at `/-/metrics` in the Prometheus text format. The only
//! module that uses `prometheus_client`; the rest of Lore calls the plain methods here.
//!
//! Every label has a bounded set of values: routes are the router's templates (`/-/history/{*path}`), never
//! raw paths; caches, outcomes and status codes are Lore's own few names. Counters are atomics (a request costs
//! a few atomic additions and one histogram observation); gauges that describe the wiki (index lag, queue
//! depth) are set by the scrape itself, just before encoding, so nothing polls in the background.
//!
//! Replication (a replica following a primary) reports through [`Metrics::set_replication_lag`] and
//! [`Metrics::forwarded_write`]; on a primary those metrics stay registered at zero.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The `Content-Type` of what [`Metrics::encode`] writes: Prometheus' text format, version 0.0.4.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Upper bounds of the request-latency buckets, in seconds: from half a millisecond (a cached page) to ten
/// seconds (a clone of a large wiki). Histograms are most of a scrape: ten buckets (not fourteen) made it a
/// fifth smaller and faster to encode.
const LATENCY_BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5, 10.0];

/// The caches whose hits and misses are counted.
pub const CACHES: [&str; 5] = ["page", "render", "meta", "blame", "line_stats"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
    method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ForwardLabels {
    via: &'static str,
}

/// How a forwarded write came: a browser form, the JSON API, or a `git push`.
const FORWARDED_VIA: [&str; 3] = ["form", "api", "git"];

// Which of `FORWARDED_VIA` a route template belongs to.
fn forwarded_via(route: &str) -> &'static str {
    if route.starts_with("/-/api/") {
        "api"
    } else if route.starts_with("/wiki.git") {
        "git"
    } else {
        "form"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct VersionLabels {
    version: &'static str,
}

/// How an attempt to send an e-mail or post a webhook ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The server accepted it.
    Sent,
    /// It failed and will be tried again.
    Retry,
    /// It failed for good.
    Failed,
}

impl SendOutcome {
    fn label(self) -> &'static str {
        match self {
            SendOutcome::Sent => "sent",
            SendOutcome::Retry => "retry",
            SendOutcome::Failed => "failed",
        }
    }
}

/// How far the wiki's indexes and the notifier are behind the branch's head, in commits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexLags {
    pub search: u64,
    pub changes: u64,
    pub notifier: u64,
}

/// What waits in the delivery queues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepths {
    /// E-mails claimed and in flight, or waiting to be tried again.
    pub mail: u64,
    /// Webhook posts waiting (due now or later).
    pub webhooks: u64,
}

/// The server's metrics: the registry and a handle on every family.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<RouteLabels, Histogram>,
    open_connections: Gauge,
    connections: Counter,
    requests_in_flight: Gauge,
    cache_hits: Family<CacheLabels, Counter>,
    cache_misses: Family<CacheLabels, Counter>,
    search_lag: Gauge,
    changes_lag: Gauge,
    notifier_lag: Gauge,
    inbox_deliveries: Counter,
    mail_queue: Gauge,
    webhook_queue: Gauge,
    mail_sent: Family<OutcomeLabels, Counter>,
    webhook_posts: Family<OutcomeLabels, Counter>,
    forwarded_writes: Family<ForwardLabels, Counter>,
    replication_lag_commits: Gauge,
    replication_lag_seconds: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Every family registered, every value zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("lore");
        let build_info = Family::<VersionLabels, Gauge>::default();
        build_info.get_or_create(&VersionLabels { version: env!("CARGO_PKG_VERSION") }).set(1);
        registry.register("build_info", "The running Lore's version (always 1)", build_info);
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route template, method and status code",
            requests.clone(),
        );
        let request_seconds = Family::<RouteLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(LATENCY_BUCKETS)) as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer's headers, by route template and method",
            request_seconds.clone(),
        );
        let open_connections = Gauge::default();
        registry.register("http_open_connections", "Connections open now", open_connections.clone());
        let connections = Counter::default();
        registry.register("http_connections", "Connections accepted", connections.clone());
        let requests_in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "Requests being answered now (read up to their body, routed, not answered yet)",
            requests_in_flight.clone(),
        );
        let cache_hits = Family::<CacheLabels, Counter>::default();
        let cache_misses = Family::<CacheLabels, Counter>::default();
        for cache in CACHES {
            // Every cache shows from the first scrape, at zero.
            cache_hits.get_or_create_owned(&CacheLabels { cache });
            cache_misses.get_or_create_owned(&CacheLabels { cache });
        }
        registry.register("cache_hits", "Lookups a cache answered", cache_hits.clone());
        registry.register(
            "cache_misses",
            "Lookups a cache could not answer (the value was computed)",
            cache_misses.clone(),
        );
        let search_lag = Gauge::default();
        registry.register(
            "search_index_lag_commits",
            "Commits on the branch the search index does not reflect yet",
            search_lag.clone(),
        );
        let changes_lag = Gauge::default();
        registry.register(
            "change_index_lag_commits",
            "Commits on the branch the change index (history) does not hold yet",
            changes_lag.clone(),
        );
        let notifier_lag = Gauge::default();
        registry.register(
            "notifier_lag_commits",
            "Commits whose events the notifier has not put in inboxes yet",
            notifier_lag.clone(),
        );
        let inbox_deliveries = Counter::default();
        registry.register("inbox_deliveries", "Events put in people's inboxes", inbox_deliveries.clone());
        let mail_queue = Gauge::default();
        registry.register("mail_queue_depth", "E-mails in flight or waiting to be tried again", mail_queue.clone());
        let webhook_queue = Gauge::default();
        registry.register("webhook_queue_depth", "Webhook posts waiting to be sent", webhook_queue.clone());
        let mail_sent = Family::<OutcomeLabels, Counter>::default();
        let webhook_posts = Family::<OutcomeLabels, Counter>::default();
        for outcome in [SendOutcome::Sent, SendOutcome::Retry, SendOutcome::Failed] {
            mail_sent.get_or_create_owned(&OutcomeLabels { outcome: outcome.label() });
            webhook_posts.get_or_create_owned(&OutcomeLabels { outcome: outcome.label() });
        }
        registry.register("mail_attempts", "Attempts to send an e-mail, by outcome", mail_sent.clone());
        registry.register("webhook_attempts", "Attempts to post to a webhook, by outcome", webhook_posts.clone());
        let forwarded_writes = Family::<ForwardLabels, Counter>::default();
        for via in FORWARDED_VIA {
            forwarded_writes.get_or_create_owned(&ForwardLabels { via });
        }
        registry.register(
            "forwarded_writes",
            "Writes a replica forwarded to the primary: from forms, the API or git pushes (0 on a primary)",
            forwarded_writes.clone(),
        );
        let replication_lag_commits = Gauge::default();
        registry.register(
            "replication_lag_commits",
            "Commits the primary has that this replica has not fetched (0 on a primary)",
            replication_lag_commits.clone(),
        );
        let replication_lag_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "replication_lag_seconds",
            "Seconds since the primary announced a head this replica does not serve yet (0 when caught up, and on a primary)",
            replication_lag_seconds.clone(),
        );
        Metrics {
            registry,
            requests,
            request_seconds,
            open_connections,
            connections,
            requests_in_flight,
            cache_hits,
            cache_misses,
            search_lag,
            changes_lag,
            notifier_lag,
            inbox_deliveries,
            mail_queue,
            webhook_queue,
            mail_sent,
            webhook_posts,
            forwarded_writes,
            replication_lag_commits,
            replication_lag_seconds,
        }
    }

    /// Counts one answered request. `route` is the router's template (`/-/history/{*path}`), never the path.
    pub fn request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let method = bounded_method(method);
        let route = route_label(route);
        self.request_seconds.get_or_create(&RouteLabels { route, method }).observe(elapsed.as_secs_f64());
        self.requests.get_or_create(&RequestLabels { route, method, status }).inc();
    }

    /// Counts an accepted connection as open until the returned guard is dropped.
    pub fn connection_opened(&self) -> Held {
        self.connections.inc();
        self.open_connections.inc();
        Held(self.open_connections.clone())
    }

    /// Counts a request as being answered until the returned guard is dropped.
    pub fn request_started(&self) -> Held {
        self.requests_in_flight.inc();
        Held(self.requests_in_flight.clone())
    }

    /// The hit and miss counters of one of [`CACHES`].
    pub fn cache(&self, cache: &'static str) -> CacheCounters {
        debug_assert!(CACHES.contains(&cache), "{cache} is not one of the counted caches");
        CacheCounters {
            hits: self.cache_hits.get_or_create_owned(&CacheLabels { cache }),
            misses: self.cache_misses.get_or_create_owned(&CacheLabels { cache }),
        }
    }

    /// Sets how far the indexes and the notifier are behind the head (the scrape does, before encoding).
    pub fn set_index_lags(&self, lags: IndexLags) {
        self.search_lag.set(gauge_value(lags.search));
        self.changes_lag.set(gauge_value(lags.changes));
        self.notifier_lag.set(gauge_value(lags.notifier));
    }

    /// Sets what waits in the delivery queues (the scrape does, before encoding).
    pub fn set_queue_depths(&self, depths: QueueDepths) {
        self.mail_queue.set(gauge_value(depths.mail));
        self.webhook_queue.set(gauge_value(depths.webhooks));
    }

    /// Counts events put in inboxes.
    pub fn inbox_delivered(&self, n: usize) {
        self.inbox_deliveries.inc_by(n as u64);
    }

    /// Counts one attempt to send an e-mail.
    pub fn mail_attempt(&self, outcome: SendOutcome) {
        self.mail_sent.get_or_create(&OutcomeLabels { outcome: outcome.label() }).inc();
    }

    /// Counts one attempt to post to a webhook.
    pub fn webhook_attempt(&self, outcome: SendOutcome) {
        self.webhook_posts.get_or_create(&OutcomeLabels { outcome: outcome.label() }).inc();
    }

    /// Counts a write a replica forwarded to the primary. `route` is the router's template (or the path: only
    /// its start is read), counted as a form, API or git write.
    pub fn forwarded_write(&self, route: &str) {
        self.forwarded_writes.get_or_create(&ForwardLabels { via: forwarded_via(route) }).inc();
    }

    /// Sets how far this replica is behind its primary: in commits, and the age in seconds of the oldest commit
    /// it lacks. A primary leaves both at zero.
    pub fn set_replication_lag(&self, commits: u64, seconds: f64) {
        self.replication_lag_commits.set(gauge_value(commits));
        self.replication_lag_seconds.set(if seconds.is_finite() { seconds.max(0.0) } else { 0.0 });
    }

    /// Every metric in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut res = String::with_capacity(16 * 1024);
        prometheus_text::encode(&mut res, &self.registry).expect("writing to a String cannot fail");
        res
    }
}

/// An open connection or a request being answered, counted in its gauge until dropped.
pub struct Held(Gauge);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The hit and miss counters of one cache. The default counts into counters nobody reads.
#[derive(Debug, Clone, Default)]
pub struct CacheCounters {
    hits: Counter,
    misses: Counter,
}

impl CacheCounters {
    /// Counts a lookup the cache answered.
    pub fn hit(&self) {
        self.hits.inc();
    }

    /// Counts a lookup the cache could not answer.
    pub fn miss(&self) {
        self.misses.inc();
    }
}

// Route templates are the router's own few dozen: each is kept once for the process's life, so that counting a
// request makes no label strings.
fn route_label(route: &str) -> &'static str {
    static ROUTES: std::sync::RwLock<BTreeSet<&'static str>> = std::sync::RwLock::new(BTreeSet::new());
    if let Some(kept) = ROUTES.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(route) {
        return kept;
    }
    let mut routes = ROUTES.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(kept) = routes.get(route) {
        return kept;
    }
    let kept: &'static str = Box::leak(route.into());
    routes.insert(kept);
    kept
}

// Methods outside the usual few share one label value, so a client inventing methods adds no series.
fn bounded_method(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        _ => "other",
    }
}

fn gauge_value(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_registry_shows_every_family_at_zero() {
        let text = Metrics::new().encode();
        for line in [
            "lore_build_info{version=\"",
            "lore_http_open_connections 0",
            "lore_http_requests_in_flight 0",
            "lore_cache_hits_total{cache=\"page\"} 0",
            "lore_cache_misses_total{cache=\"render\"} 0",
            "lore_search_index_lag_commits 0",
            "lore_change_index_lag_commits 0",
            "lore_notifier_lag_commits 0",
            "lore_inbox_deliveries_total 0",
            "lore_mail_queue_depth 0",
            "lore_webhook_queue_depth 0",
            "lore_mail_attempts_total{outcome=\"sent\"} 0",
            "lore_replication_lag_commits 0",
            "lore_replication_lag_seconds 0",
            "lore_forwarded_writes_total{via=\"git\"} 0",
        ] {
            assert!(text.contains(line), "no {line:?} in\n{text}");
        }
    }

    #[test]
    fn requests_are_counted_by_route_template_and_bounded_method() {
        let metrics = Metrics::new();
        metrics.request("/-/history/{*path}", "GET", 200, Duration::from_millis(3));
        metrics.request("/-/history/{*path}", "BREW", 404, Duration::from_millis(3));
        let text = metrics.encode();
        assert!(
            text.contains("lore_http_requests_total{route=\"/-/history/{*path}\",method=\"GET\",status=\"200\"} 1")
        );
        assert!(text.contains("method=\"other\",status=\"404\"} 1"), "{text}");
        assert!(text.contains(
            "lore_http_request_duration_seconds_bucket{route=\"/-/history/{*path}\",method=\"GET\",le=\"0.005\"} 1"
        ));
    }

    #[test]
    fn replication_lag_and_forwarded_writes_are_reported() {
        let metrics = Metrics::new();
        metrics.set_replication_lag(3, 1.5);
        metrics.forwarded_write("/-/api/pages/{*path}");
        metrics.forwarded_write("/wiki.git/{*rest}");
        metrics.forwarded_write("/-/edit/{*path}");
        let text = metrics.encode();
        assert!(text.contains("lore_replication_lag_commits 3"));
        assert!(text.contains("lore_replication_lag_seconds 1.5"));
        for via in ["api", "git", "form"] {
            assert!(text.contains(&format!("lore_forwarded_writes_total{{via=\"{via}\"}} 1")), "{text}");
        }
    }

    #[test]
    fn open_connections_go_down_when_closed() {
        let metrics = Metrics::new();
        let first = metrics.connection_opened();
        let _second = metrics.connection_opened();
        drop(first);
        let text = metrics.encode();
        assert!(text.contains("lore_http_open_connections 1"));
        assert!(text.contains("lore_http_connections_total 2"));
        let request = metrics.request_started();
        assert!(metrics.encode().contains("lore_http_requests_in_flight 1"));
        drop(request);
        assert!(metrics.encode().contains("lore_http_requests_in_flight 0"));
    }
}
