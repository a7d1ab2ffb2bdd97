//! HTTP: the axum router, shared state, security headers and the server's lifecycle.
//! The only module that knows axum. Handlers are thin: they parse, call `Site`, and fill view structs.

mod admin;
mod api;
mod auth;
mod cluster;
mod connections;
mod csrf;
mod edit;
mod encoding;
mod error;
mod feed;
mod forward;
mod git;
mod history;
mod inbox;
mod metrics;
mod navigate;
mod page_cache;
mod notifications;
mod pages;
mod paths;
mod people;
mod permits;
mod query;
mod questions;
mod raw;
mod search;
mod tree;
mod view;
mod viewer;
mod webapp;

use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

use crate::auth::{Auth, AuthMode};
use crate::config::Config;
use crate::delivery::Delivery;
use crate::metrics::Metrics;
use crate::replica::Replica;
use crate::site::Site;
use crate::site::cache::CacheBudgets;
use crate::theme::Theme;
use crate::{Error, Result};

pub use error::{ApiError, PageError};
pub use viewer::Viewer;

/// The Content-Security-Policies of the pages Lore renders: no inline script, no plugins, no framing by others,
/// and frames (embedded players) only from the hosts `embeds` in `lore.yaml` names, over https.
pub struct PagePolicies {
    /// Every page's policy.
    pub plain: HeaderValue,
    /// The policy of pages with formulas or diagrams: the same, but KaTeX's and mermaid's inline styles allowed.
    pub with_drawings: HeaderValue,
}

impl PagePolicies {
    /// The policies for a wiki whose pages may embed players from `embed_hosts` (checked host names).
    pub fn new(embed_hosts: &[String]) -> PagePolicies {
        let frame_src = if embed_hosts.is_empty() {
            "'none'".to_string()
        } else {
            embed_hosts.iter().map(|it| format!("https://{}", it.to_ascii_lowercase())).collect::<Vec<_>>().join(" ")
        };
        let policy = |style_src: &str, font_src: &str| {
            let text = format!(
                "default-src 'self'; script-src 'self'; style-src {style_src}; img-src 'self' data: https:; \
                 {font_src}frame-src {frame_src}; object-src 'none'; base-uri 'none'; form-action 'self'; \
                 frame-ancestors 'self'"
            );
            HeaderValue::from_str(&text).expect("checked host names are valid header values")
        };
        PagePolicies {
            plain: policy("'self'", ""),
            with_drawings: policy("'self' 'unsafe-inline'", "font-src 'self' data:; "),
        }
    }
}

/// What every handler shares: one allocation behind an `Arc`. axum clones the state for every middleware and
/// extractor of every request; cloned field by field (17 reference counts, bumped and dropped on both cores'
/// shared cache lines) that was a sixth of a cached page view's time (perf, one page under wrk).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct SharedState {
    pub site: Arc<Site>,
    /// Where this server listens (with the real port when bound to port 0).
    pub local_addr: SocketAddr,
    pub theme: Arc<Theme>,
    pub page_cache: Arc<page_cache::PageCache>,
    pub static_cache: Arc<pages::StaticCache>,
    pub tree_cache: Arc<tree::TreeCache>,
    pub auth: Arc<Auth>,
    /// Previews rendering at once: one per core, so that hostile clients cannot pile up renders.
    pub preview_permits: Arc<permits::WorkPermits>,
    /// E-mail and webhooks; `wake` it when inboxes or events change.
    pub delivery: Arc<Delivery>,
    /// On a replica: following the primary, and how far behind it is ([`Replica::status`]).
    pub replica: Option<Arc<Replica>>,
    /// On a replica: what forwards writes to the primary.
    forwarder: Option<Arc<forward::Forwarder>>,
    /// Becomes `true` when the server stops.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// What `/-/metrics` shows; requests, connections and caches count into it.
    pub metrics: Arc<Metrics>,
    /// The Content-Security-Policies of pages.
    pub policies: Arc<PagePolicies>,
    /// On a primary: the objects of the last change, read once for every replica's event stream.
    pub event_objects: Arc<forward::EventObjects>,
}

/// How long a preview waits for a free core before it is answered 503.
const PREVIEW_WAIT: Duration = Duration::from_secs(5);

/// A bound, ready-to-run server.
pub struct Server {
    site: Arc<Site>,
    auth: Arc<Auth>,
    // Kept alive for as long as the server runs.
    _watcher: Option<notify::RecommendedWatcher>,
    /// Told when the server stops, so that answers that never end by themselves (the cluster's event stream)
    /// end and let it stop.
    stopping: tokio::sync::watch::Sender<bool>,
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
}

impl Server {
    /// Opens (or creates) the wiki, loads the theme and binds the listening socket.
    pub async fn bind(config: Config) -> Result<Server> {
        let theme_dir = config.theme.clone();
        let listen = config.listen;
        if config.auth.mode == AuthMode::Open && !listen.ip().is_loopback() && !config.auth.allow_open {
            return Err(Error::bad_input(format!(
                "refusing to serve open mode on {listen}: everyone who can reach it could edit the wiki. \
                 Set auth.mode to local or proxy in lore.yaml, listen on 127.0.0.1, or pass --allow-open"
            )));
        }
        config.check_cluster()?;
        let auth = Arc::new(Auth::open_at(&config.auth, &config.data, &config.state_location())?);
        let delivery_config = config.clone();
        let state_store = auth.state.clone();
        let site = tokio::task::spawn_blocking(move || {
            // A replica checks it shares the primary's database, and its first start mirrors the primary's
            // repository before there is anything to serve.
            Replica::prepare_mirror(&config, &state_store.id()?)?;
            Site::open(config)
        })
        .await
        .map_err(join_error)??;
        let site = Arc::new(site);
        let theme = Arc::new(Theme::load(theme_dir.as_deref())?);
        // The history walk can take many seconds on a large repository: serve pages meanwhile, and make them
        // searchable at once; the search indexer adds authors and last updates when history is ready.
        let search_site = site.clone();
        std::thread::Builder::new().name("search".into()).spawn(move || Site::run_search_indexer(search_site))?;
        let indexing_site = site.clone();
        std::thread::Builder::new().name("history".into()).spawn(move || {
            crate::priority::become_background();
            if let Err(err) = indexing_site.build_change_index() {
                tracing::error!(error = %err, "building the change index failed");
            }
            indexing_site.wake_search_indexer();
            if let Err(err) = indexing_site.build_authorship() {
                tracing::error!(error = %err, "building the authorship index failed");
            }
            crate::memory::return_freed_memory();
        })?;
        let watcher = match crate::watch::watch_refs(site.clone()) {
            Ok(watcher) => Some(watcher),
            Err(err) => {
                tracing::warn!(error = %err, "not watching the repository; outside commits show after the next save");
                None
            }
        };
        if !site.config.is_replica() {
            // A replica's fetcher keeps its own mirror packed.
            tokio::spawn(keep_the_repository_packed(site.watch_head(), Arc::downgrade(&site)));
        }
        let listener = TcpListener::bind(listen).await?;
        let local_addr = listener.local_addr()?;
        let metrics = site.metrics().clone();
        let page_cache = Arc::new(page_cache::PageCache::new(
            CacheBudgets::split(site.config.cache_mb).pages,
            metrics.cache("page"),
        ));
        tokio::spawn(forget_views_of_older_heads(
            site.watch_head(),
            Arc::downgrade(&site),
            Arc::downgrade(&page_cache),
        ));
        tokio::spawn(close_idle_handles_now_and_then(Arc::downgrade(&site)));
        let static_cache = Arc::new(pages::StaticCache::new());
        let (warm_cache, warm_theme) = (static_cache.clone(), theme.clone());
        // The theme files every page loads, compressed now rather than on the first view.
        std::thread::Builder::new().name("compress".into()).spawn(move || {
            crate::priority::become_background();
            warm_cache.warm_up(&warm_theme);
        })?;
        // Sorted folder listings: a few MiB for a folder of 10,000 pages.
        let tree_cache = Arc::new(tree::TreeCache::new(32 * 1024 * 1024));
        let n_cores = std::thread::available_parallelism().map_or(1, |it| it.get());
        let preview_permits = Arc::new(permits::WorkPermits::new(n_cores, PREVIEW_WAIT));
        // Links in e-mails and webhooks: the configured public address, else the one just bound.
        let site_url = match &delivery_config.public_url {
            Some(url) => url.as_str().to_string(),
            None => format!("http://{local_addr}"),
        };
        let delivery = Arc::new(
            Delivery::new(&delivery_config, auth.clone(), &site_url, theme.messages_shared())?
                .counting_into(metrics.clone()),
        );
        let replica = if site.config.is_replica() {
            // The primary fills inboxes and sends e-mail and webhooks for the whole cluster (into the shared
            // database): a replica only follows it.
            Some(Replica::start(site.clone())?)
        } else {
            delivery.start()?;
            // Before the first request: what it commits must be after where the notifier begins.
            site.begin_notifying_at_head(&auth)?;
            // The notifier fills inboxes from commits; delivery mails what it filled as soon as it is told.
            let (notifier_site, notifier_auth, notified) = (site.clone(), auth.clone(), delivery.clone());
            std::thread::Builder::new()
                .name("notifier".into())
                .spawn(move || Site::run_notifier(notifier_site, notifier_auth, move || notified.wake()))?;
            None
        };
        let forwarder = replica.clone().map(|it| Arc::new(forward::Forwarder::new(it)));
        let (stopping, stopping_receiver) = tokio::sync::watch::channel(false);
        let state = AppState(Arc::new(SharedState {
            site: site.clone(),
            local_addr,
            theme,
            page_cache,
            static_cache,
            tree_cache,
            auth: auth.clone(),
            preview_permits,
            delivery,
            replica,
            forwarder,
            stopping: stopping_receiver,
            metrics,
            policies: Arc::new(PagePolicies::new(&site.config.embeds)),
            event_objects: Arc::default(),
        }));
        Ok(Server { site, auth, _watcher: watcher, stopping, listener, router: router(state), local_addr })
    }

    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves requests until the process is asked to stop (Ctrl-C or SIGTERM), then stops accepting, lets the
    /// requests under way finish (for up to half a minute), and flushes what it keeps: the change index is saved,
    /// the search index's update under way commits, and the state database's log goes into its file.
    ///
    /// Connections are served by hyper directly, not `axum::serve`, for two limits it cannot set: a client
    /// must send a request's headers within `header_timeout_secs` (idle kept-alive connections close after as
    /// long), and at most `max_connections` are served at once; further ones wait in the operating system's
    /// queue, not accepted, until one closes.
    pub async fn run(self) -> Result<()> {
        tracing::info!("listening on http://{}", self.local_addr);
        let config = &self.site.config;
        let header_timeout = Duration::from_secs(config.header_timeout_secs.max(1));
        let max_connections = config.max_connections.clamp(1, Semaphore::MAX_PERMITS);
        let slots = Arc::new(Semaphore::new(max_connections));
        let (closing, _) = tokio::sync::watch::channel(());
        let mut workers = connections::ConnectionWorkers::start(&self.router, header_timeout)?;
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = accept_within(&self.listener, &slots) => accepted,
            };
            let Some((stream, remote, slot)) = accepted else { continue };
            let stream = match stream.into_std() {
                Ok(stream) => stream,
                Err(err) => {
                    tracing::debug!(error = %err, %remote, "a connection could not be handed over");
                    continue;
                }
            };
            let open = self.site.metrics().connection_opened();
            workers.serve(connections::Connection { stream, remote, slot, open, closing: closing.subscribe() });
        }
        self.stopping.send_replace(true);
        // Stop accepting; idle connections close at once, the others after their current request.
        drop(self.listener);
        drop(closing);
        tracing::info!("stopping: no new connections; letting the requests under way finish");
        let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
        if tokio::time::timeout(SHUTDOWN_WAIT, slots.acquire_many(all)).await.is_err() {
            tracing::warn!("stopping with requests still under way after {} s", SHUTDOWN_WAIT.as_secs());
        }
        // Their threads end, closing what is still open.
        drop(workers);
        let (site, auth) = (self.site.clone(), self.auth.clone());
        blocking(move || {
            site.save_change_index()?;
            if !site.stop_search_indexer(SEARCH_FLUSH_WAIT) {
                tracing::warn!("the search index was still updating; the next start catches it up");
            }
            // Only tidiness: the log is replayed at the next open whatever happens here.
            if let Err(err) = auth.state.checkpoint() {
                tracing::warn!(error = %err, "the state database's log was not written into its file");
            }
            tracing::info!("stopped");
            Ok(())
        })
        .await
    }
}

/// How long a stopping server waits for the requests under way.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(30);

/// How long a stopping server waits for a search-index update under way to commit (a full rebuild of a large
/// wiki can take longer; it is caught up at the next start).
const SEARCH_FLUSH_WAIT: Duration = Duration::from_secs(10);

// The next connection, once a slot is free: over the cap, clients wait in the listen queue.
async fn accept_within(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let slot = slots.clone().acquire_owned().await.expect("the connection slots are never closed");
    match listener.accept().await {
        Ok((stream, remote)) => {
            // Answers go out as written: with Nagle's algorithm a response written in pieces (headers, then a
            // streamed or compressed body) can wait for the client's delayed acknowledgement, tens of ms.
            if let Err(err) = stream.set_nodelay(true) {
                tracing::debug!(error = %err, "TCP_NODELAY could not be set");
            }
            Some((stream, remote, slot))
        }
        Err(err) => {
            // A connection that failed before it was accepted is that client's problem; running out of file
            // descriptors is the server's, and retrying at once would spin.
            let per_connection = matches!(
                err.kind(),
                std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionRefused
            );
            if !per_connection {
                tracing::error!(error = %err, "accepting a connection failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            None
        }
    }
}

/// The application's routes and middleware.
pub fn router(state: AppState) -> Router {
    let body_limit = usize::try_from(state.site.config.max_page_bytes.max(state.site.config.max_upload_bytes))
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let policy = state.policies.plain.clone();
    let preview_limit = usize::try_from(state.site.config.max_page_bytes.saturating_mul(3))
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let has_replicas = state.site.config.cluster_token.is_some() && !state.site.config.is_replica();
    Router::new()
        .route("/-/healthz", get(pages::healthz))
        .route("/-/metrics", get(metrics::metrics))
        .route("/-/login", get(auth::login_form).post(auth::login))
        .route("/-/logout", post(auth::logout))
        .route("/-/account", get(auth::account))
        .route("/-/account/profile", post(auth::update_profile))
        .route("/-/account/language", post(auth::update_language))
        .route("/-/account/password", post(auth::change_password))
        .route("/-/account/tokens", post(auth::create_token_form))
        .route("/-/account/tokens/{id}/revoke", post(auth::revoke_token_form))
        .route("/-/account/notifications", get(notifications::settings_form).post(notifications::save_settings))
        .route("/-/api/account/notifications", get(notifications::settings_api).put(notifications::put_settings_api))
        .route("/-/unsubscribe", get(notifications::unsubscribe_form).post(notifications::unsubscribe))
        .route("/-/api/me", get(auth::me_api))
        .route("/-/api/follows", get(inbox::follows_api).post(inbox::follow_api).delete(inbox::unfollow_api))
        .route("/-/follow", get(inbox::follow_confirm).post(inbox::follow_form))
        .route("/-/account/follows", get(inbox::follows_page))
        .route("/-/inbox", get(inbox::inbox_page))
        .route("/-/inbox/read", post(inbox::read_form))
        .route("/-/api/inbox", get(inbox::inbox_api))
        .route("/-/api/inbox/unread", get(inbox::unread_api))
        .route("/-/api/inbox/read", post(inbox::read_api))
        .route("/-/api/tokens", get(auth::tokens_api).post(auth::create_token_api))
        .route("/-/api/tokens/{id}", axum::routing::delete(auth::revoke_token_api))
        .route("/-/admin", get(admin::admin_page))
        .route("/-/admin/users", post(admin::add_user))
        .route("/-/admin/users/{username}", post(admin::update_user))
        .route("/-/static/{*name}", get(pages::static_file))
        .route("/-/manifest.webmanifest", get(webapp::manifest))
        .route("/-/sw.js", get(webapp::service_worker))
        .route("/-/raw/{*path}", get(pages::raw))
        .route("/-/pages", get(pages::all_pages))
        .route(
            "/-/api/pages/{*path}",
            get(api::get_page).put(api::put_page).delete(api::delete_page).post(api::page_action),
        )
        .route("/-/edit/{*path}", get(edit::editor).post(edit::save))
        // A form-encoded page is at most three times its size: refuse larger bodies before reading them.
        .route("/-/preview", post(edit::preview).layer(DefaultBodyLimit::max(preview_limit)))
        .route("/-/new", get(edit::new_page))
        .route("/-/delete/{*path}", get(edit::confirm_form).post(edit::delete))
        .route("/-/move/{*path}", get(edit::confirm_form).post(edit::move_page))
        .route("/-/restore/{*path}", post(edit::restore))
        .route("/-/upload/{*path}", post(edit::upload))
        .route("/wiki.git/{*rest}", get(git::backend).post(git::backend))
        .route("/-/hooks/refresh", post(git::refresh))
        .route("/-/api/cluster/events", get(cluster::events))
        .route("/-/api/cluster/head", get(cluster::head))
        .route("/-/api/cluster/pack", get(cluster::pack))
        .route("/-/api/cluster/status", get(cluster::status))
        .route("/-/ask", get(questions::ask_form).post(questions::ask))
        .route("/-/questions", get(questions::list))
        .route("/questions/{slug}", get(questions::question_page))
        .route("/-/questions.atom", get(questions::questions_feed))
        .route("/-/questions/{slug}/answer", post(questions::answer))
        .route("/-/questions/{slug}/accept", post(questions::accept))
        .route("/-/questions/{slug}/promote", get(questions::promote_form).post(questions::promote))
        .route("/-/questions/{slug}/answers.atom", get(questions::answers_feed))
        .route("/-/api/questions", get(questions::api_list).post(questions::api_ask))
        .route("/-/api/questions/{slug}/answers", post(questions::api_answer))
        .route("/-/api/questions/{slug}/accept", post(questions::api_accept))
        .route("/-/api/questions/{slug}/promote", post(questions::api_promote))
        .route("/-/links/broken", get(navigate::broken_page))
        .route("/-/links/orphans", get(navigate::orphans_page))
        .route("/-/api/links/{*path}", get(navigate::links_api))
        .route("/-/tags", get(navigate::tags_page))
        .route("/-/tags/{tag}", get(navigate::tag_page))
        .route("/-/api/tags", get(navigate::tags_api))
        .route("/-/api/tags/{tag}", get(navigate::tag_api))
        .route("/-/api/tree", get(navigate::tree_api))
        .route("/-/random", get(navigate::random_page))
        .route("/-/people", get(people::people_page))
        .route("/-/people/{email}", get(people::person_page))
        .route("/-/api/people", get(people::people_api))
        .route("/-/api/people/{email}", get(people::person_api))
        .route("/-/api/experts", get(people::experts_api))
        .route("/-/review", get(people::review_page))
        .route("/-/review.atom", get(people::review_feed))
        .route("/-/api/review", get(people::review_api))
        .route("/-/review/assign", post(people::assign))
        .route("/-/verify/{*path}", get(people::verify_form).post(people::verify))
        .route("/-/search", get(search::search_page))
        .route("/-/api/search", get(search::search_api))
        .route("/-/api/suggest", get(search::suggest_api))
        .route("/-/api/similar", get(search::similar_api))
        .route("/-/history/{*path}", get(history::history_page))
        .route("/-/diff/{*path}", get(history::diff_page))
        .route("/-/commit/{revision}", get(history::commit_page))
        .route("/-/blame/{*path}", get(history::blame_page))
        .route("/-/changes", get(history::changes_page))
        .route("/-/changes.atom", get(history::changes_feed))
        .route("/-/api/history/{*path}", get(history::history_api))
        .route("/-/api/diff/{*path}", get(history::diff_api))
        .route("/-/api/changes", get(history::changes_api))
        .fallback(pages::content)
        // One layer of them all, listed outermost first: each `Router::layer` boxes every route once more, and
        // a request cloned each box of its route's stack (dozens of allocations per request).
        .layer(
            tower::ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(state.clone(), count_requests))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)).compress_when(
                    SizeAbove::new(1024).and(
                        |_: StatusCode, _: axum::http::Version, headers: &HeaderMap, _: &axum::http::Extensions| {
                            // A scrape (65 KB, 730 series) took twice as long gzipped as plain, for a monitor on
                            // the local network: metrics go uncompressed.
                            headers
                                .get(header::CONTENT_TYPE)
                                .and_then(|it| it.to_str().ok())
                                .is_some_and(|it| encoding::is_compressible(it) && it != crate::metrics::CONTENT_TYPE)
                        },
                    ),
                ))
                .layer(middleware::from_fn_with_state(policy, secure_and_conditional))
                .layer(CatchPanicLayer::custom(panic_response))
                .option_layer(has_replicas.then(|| middleware::from_fn_with_state(state.clone(), forward::stamp_head)))
                // Only a replica forwards writes: elsewhere the layer would only pass each request on.
                .option_layer(
                    state
                        .forwarder
                        .is_some()
                        .then(|| middleware::from_fn_with_state(state.clone(), forward::forward_writes)),
                )
                .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
                .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site_and_theme_errors))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state)
}

/// The route label of requests no route template matched: pages, folders and raw files (`pages::content`).
const FALLBACK_ROUTE: &str = "/{*page}";

// Outermost: counts every answer by the template of the route that served it (so labels stay few, whatever
// paths clients send) and the time until its headers were ready.
async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let in_flight = state.metrics.request_started();
    let res = next.run(request).await;
    drop(in_flight);
    let route = matched.as_ref().map_or(FALLBACK_ROUTE, MatchedPath::as_str);
    state.metrics.request(route, method.as_str(), res.status().as_u16(), started.elapsed());
    res
}

// What every answer gets, in one layer: the security headers (`policy` is the Content-Security-Policy; a handler
// may set its own, but `nosniff` holds everywhere), and reads answered with 304 when `If-None-Match` names
// them. Each layer boxes every route once more and every request goes through each box: with the two that
// `refuse_cross_site_and_theme_errors` replaced, the seven layers cost a sixth of a warm page view's CPU (the
// flat 10,000-page wiki's warm views with gzip at 57,100–57,800 req/s with them, 67,500–68,400 in a build
// that left them out). The work they do stays; what merging saved was within the machine's noise.
async fn secure_and_conditional(State(policy): State<HeaderValue>, request: Request, next: Next) -> Response {
    // Only the validators the client holds: a copy of every header of every read cost more than they do.
    let validators = (request.method() == Method::GET).then(|| {
        let mut validators = HeaderMap::new();
        for value in request.headers().get_all(header::IF_NONE_MATCH) {
            validators.append(header::IF_NONE_MATCH, value.clone());
        }
        validators
    });
    let mut res = next.run(request).await;
    let too_large = res.status() == StatusCode::PAYLOAD_TOO_LARGE;
    let headers = res.headers_mut();
    headers.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("SAMEORIGIN"));
    headers.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(policy);
    // A body refused for its size is left unread, so the connection can carry no other request; a client not
    // told so sent its next request on it and lost it when the connection closed (one run of the README's
    // test command in two here).
    if too_large {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    match validators {
        Some(validators) => answer_conditionally(&validators, res).await,
        None => res,
    }
}

// A read's answer, or 304 when the client's `request_headers` name it: every successful HTML or JSON answer
// without a validator of its own gets one from its body (a weak one: the body is the same, whatever the
// encoding it travels in).
async fn answer_conditionally(request_headers: &HeaderMap, res: Response) -> Response {
    // An answer with a validator of its own (the page API's blob id) is not modified when the client has it.
    if res.status() == StatusCode::OK
        && let Some(etag) = res.headers().get(header::ETAG).cloned()
        && page_cache::if_none_match(request_headers, &etag)
    {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        not_modified.headers_mut().insert(header::ETAG, etag);
        return not_modified;
    }
    let is_text = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|it| it.to_str().ok())
        .is_some_and(|it| it.starts_with("text/html") || it.starts_with("application/json"));
    if res.status() != StatusCode::OK
        || !is_text
        || res.headers().contains_key(header::ETAG)
        || res.headers().contains_key(header::CONTENT_ENCODING)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Pages and answers are built in memory; this limit only guards against a surprise.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return error::error_page(StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be read");
    };
    let etag = format!("W/\"{:08x}-{:x}\"", crc32fast::hash(&bytes), bytes.len());
    let etag = HeaderValue::from_str(&etag).expect("hex digits are valid header values");
    if page_cache::if_none_match(request_headers, &etag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, etag);
        for name in [header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = parts.headers.get(&name) {
                res.headers_mut().insert(name, value.clone());
            }
        }
        return res;
    }
    parts.headers.insert(header::ETAG, etag);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

// Refuses cross-site writes (`cross_site_refusal`); and handlers mark error responses, which this turns into the
// theme's error page, with the site's frame. One layer for both (see `secure_and_conditional`).
async fn refuse_cross_site_and_theme_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = view::host_of(request.headers());
    let res = match cross_site_refusal(&request) {
        Some(refusal) => refusal,
        None => next.run(request).await,
    };
    let mut res = themed_error_page(&state, &host, res);
    // Pages are in the language `Accept-Language` chose (unless the account chose one): caches must keep
    // one copy per language.
    let html = res.headers().get(header::CONTENT_TYPE).is_some_and(|it| it.as_bytes().starts_with(b"text/html"));
    let varies = res.headers().get_all(header::VARY).iter().any(|it| {
        it.to_str().is_ok_and(|value| value.split(',').any(|name| name.trim().eq_ignore_ascii_case("accept-language")))
    });
    if html && !varies {
        res.headers_mut().append(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    res
}

/// Replaces the body of a response marked with `ErrorPage` by the theme's error page.
pub(crate) fn themed_error_page(state: &AppState, host: &str, res: Response) -> Response {
    let Some(page) = res.extensions().get::<error::ErrorPage>().cloned() else { return res };
    let frame = view::Frame::new(state, host, &page.message);
    let body = state
        .theme
        .render("error.html", &view::ErrorView { frame, status: page.status.as_u16(), message: page.message.clone() });
    let mut themed = match body {
        Ok(html) => (page.status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering the error page failed");
            (page.status, page.message).into_response()
        }
    };
    // Keep what the handler set besides the body (a challenge, a cleared cookie).
    for name in [header::WWW_AUTHENTICATE, header::SET_COOKIE] {
        for value in res.headers().get_all(&name) {
            themed.headers_mut().append(name.clone(), value.clone());
        }
    }
    themed
}

// Browsers send Origin (and Sec-Fetch-Site) with every unsafe request: one from another site is refused
// before any handler runs, whatever token it carries. Clients such as git and curl send neither.
fn cross_site_refusal(request: &Request) -> Option<Response> {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD || method == Method::OPTIONS {
        return None;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|it| it.to_str().ok()).unwrap_or_default();
    let origin_host = headers
        .get(header::ORIGIN)
        .and_then(|it| it.to_str().ok())
        .map(|origin| origin.split_once("://").map_or(origin, |(_, rest)| rest).trim_end_matches('/').to_string());
    let cross_site = headers.get("sec-fetch-site").and_then(|it| it.to_str().ok()) == Some("cross-site");
    if cross_site || origin_host.is_some_and(|it| it != host) {
        let wants_json = request.uri().path().starts_with("/-/api/");
        let message = "cross-site requests are not allowed";
        return Some(if wants_json {
            error::api_error(StatusCode::FORBIDDEN, "forbidden", message)
        } else {
            error::error_page(StatusCode::FORBIDDEN, message)
        });
    }
    None
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic.downcast_ref::<String>().map(String::as_str).or_else(|| panic.downcast_ref::<&str>().copied());
    tracing::error!(panic = detail.unwrap_or("unknown"), "a request handler panicked");
    let body = "<!doctype html><meta charset=utf-8><title>Something went wrong</title>\
        <h1>Something went wrong</h1><p>This is a problem on our side. Please try again in a moment.</p><p><a href=\"/\">Home</a></p>";
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn join_error(err: tokio::task::JoinError) -> Error {
    Error::Repository(format!("background task failed: {err}"))
}

/// Runs blocking work (git, rendering) off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    // The viewer goes along, so pages rendered off the runtime still know who is looking.
    let viewer = Viewer::current();
    connections::spawn_blocking(move || match viewer {
        Some(viewer) => viewer.scope(work),
        None => work(),
    })
    .await
    .map_err(join_error)?
}

// Tells the page cache of every head the site moves to, with the views the moves since the last one it was
// told of changed; ends with the site or the cache.
async fn forget_views_of_older_heads(
    mut heads: tokio::sync::watch::Receiver<Option<crate::store::ObjectId>>,
    site: Weak<Site>,
    page_cache: Weak<page_cache::PageCache>,
) {
    loop {
        let head = *heads.borrow_and_update();
        let (Some(site), Some(page_cache)) = (site.upgrade(), page_cache.upgrade()) else { return };
        let changed = site.views_changed_between(page_cache.head(), head);
        drop(site);
        // Dropping a wiki's worth of views takes milliseconds: not on a worker thread.
        if tokio::task::spawn_blocking(move || page_cache.serve_head(head, changed)).await.is_err()
            || heads.changed().await.is_err()
        {
            return;
        }
    }
}

/// How often the server looks for repository handles to close (see `close_idle_handles_now_and_then`).
const CLOSE_IDLE_HANDLES_EVERY: Duration = Duration::from_secs(2);

/// How long repository handles stay open after the last read that used one.
const REPOSITORY_HANDLES_IDLE: Duration = Duration::from_secs(2);

/// How long the syntax definitions stay loaded after the last code they highlighted
/// (`highlight::release_if_idle`): a burst of first views or of saves keeps them, and a render after a quiet
/// spell loads them again in a few milliseconds.
const HIGHLIGHTER_IDLE: Duration = Duration::from_secs(10);

// Each repository handle keeps libgit2's caches of its own (parsed objects up to the object cache's share, and
// each pack's delta bases, up to 16 MiB a pack), which a burst of reads fills: heaptrack found 21 MiB of them
// alive 12 s after the flat 10,000-page wiki's benchmark run (every page viewed, 60 saves, wrk), when handles
// were closed every 30 s. Closed once no read has used one for REPOSITORY_HANDLES_IDLE, and what that frees
// handed back to the system at once; the next read opens a handle anew in a fraction of a millisecond. The
// syntax definitions idle for HIGHLIGHTER_IDLE go the same way. Ends with the site.
async fn close_idle_handles_now_and_then(site: Weak<Site>) {
    let mut ticks = tokio::time::interval(CLOSE_IDLE_HANDLES_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(site) = site.upgrade() else { return };
        // Dropping handles unmaps their packs: not on a worker thread.
        let closing = tokio::task::spawn_blocking(move || {
            let closed = site.close_repository_handles_idle_for(REPOSITORY_HANDLES_IDLE);
            if crate::render::highlight::release_if_idle(HIGHLIGHTER_IDLE) | closed {
                crate::memory::return_freed_memory();
            }
        });
        if closing.await.is_err() {
            return;
        }
    }
}

/// How many moves of the served branch go by between two runs of git's housekeeping.
const HOUSEKEEPING_EVERY: u32 = 100;

// Every commit leaves loose objects in the repository, and nothing else packs a server's repository: every
// HOUSEKEEPING_EVERY moves of the branch (saves, pushes and outside commits alike), git's housekeeping
// checks and packs them, on a blocking thread, never in a request. Ends with the site.
async fn keep_the_repository_packed(
    mut heads: tokio::sync::watch::Receiver<Option<crate::store::ObjectId>>,
    site: Weak<Site>,
) {
    let mut moves = 0;
    while heads.changed().await.is_ok() {
        moves += 1;
        if moves < HOUSEKEEPING_EVERY {
            continue;
        }
        moves = 0;
        let Some(site) = site.upgrade() else { return };
        if let Ok(Err(err)) = tokio::task::spawn_blocking(move || site.housekeep()).await {
            tracing::warn!(error = %err, "git's housekeeping in the repository failed");
        }
    }
}
