//! Writes in a cluster (middleware, no handlers): on a replica, every request that changes something is
//! forwarded to the primary as a reverse proxy, and on the primary, the answer to such a request tells the
//! head it left (`X-Lore-Head`).
//!
//! A replica forwards unsafe requests (POST, PUT, PATCH, DELETE; not previews, which change nothing) and
//! pushes (`git-receive-pack`, with its ref advertisement), bodies streamed both ways, with the person's own
//! cookie or token: the primary authenticates them against the shared database, as if the request had come
//! to it. The replica adds the cluster token (`X-Lore-Cluster`), with which the primary trusts the client
//! address it forwards, and refuses identity headers a proxy it does not trust sent, as the primary would.
//!
//! Then the replica waits (a few seconds at most) until it serves the commit the primary reports, so a
//! person reads their own write at once; when it does not catch up in time the answer says so. The replica
//! tells the head its mirror has (`X-Lore-Have`), and the primary's answer to a replica carries the objects
//! the commits from there added (`X-Lore-Objects`, when they are a few ordinary commits and small: reading
//! them costs the primary a fraction of a millisecond), which the replica applies before it answers
//! (`replica::Replica::apply_now`); otherwise the commit comes with the primary's event stream, or is pulled.
//! A primary that cannot be reached gets a clear 503 (a page, JSON, or plain text for git); reads go on.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use futures_util::StreamExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::Channel;
use super::{AppState, error};
use crate::replica::Replica;
use crate::site::Site;
use crate::store::{ObjectBundle, ObjectId};

/// The header that tells the head a write left on the primary.
pub const HEAD_HEADER: &str = "x-lore-head";

/// The header with which a replica vouches for the requests it forwards.
pub const CLUSTER_HEADER: &str = "x-lore-cluster";

/// The header with which a replica tells the head its mirror has, so that the answer to a write it forwards
/// can carry what it lacks.
pub const HAVE_HEADER: &str = "x-lore-have";

/// The header that carries, in base64, the objects of the commits from a replica's `X-Lore-Have` to the
/// `X-Lore-Head` of the answer (`store::ObjectBundle`), when small.
pub const OBJECTS_HEADER: &str = "x-lore-objects";

/// The most objects an answer carries in a header, in base64 (64 KiB of objects: a save in a folder of 1,000
/// pages is about 45 KB, most of it the folder's listing); larger changes come with the event stream.
const MAX_HEADER_OBJECTS: usize = 64 * 1024 * 4 / 3;

/// How long a replica waits to serve a forwarded write's commit before it answers anyway.
const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

/// How long a replica waits for the event of a forwarded write's commit before it pulls the commit itself.
const EVENT_GRACE: Duration = Duration::from_millis(250);

/// How long the primary may take to answer a forwarded request (a push: to take the whole pack).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
const PUSH_TIMEOUT: Duration = Duration::from_secs(600);

/// Forwards a replica's writes to its primary over a pool of kept-alive connections.
pub struct Forwarder {
    client: Client<HttpConnector, Body>,
    replica: Arc<Replica>,
}

impl Forwarder {
    pub fn new(replica: Arc<Replica>) -> Forwarder {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(3)));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        Forwarder { client, replica }
    }
}

/// The most commits, and bytes, the objects an event carries may hold; a replica further behind, or a larger
/// change, pulls a pack instead (`/-/api/cluster/pack`, up to 8 MiB).
pub const MAX_EVENT_COMMITS: usize = 8;
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// The objects of the commits from one head to the next, read once for every replica's event stream and for
/// the answer to the forwarded write that made them: a replica then serves a new commit without asking the
/// primary for it, and the primary reads them once per change however many replicas follow it.
#[derive(Default)]
pub struct EventObjects {
    last: tokio::sync::Mutex<Option<LastObjects>>,
}

/// The last bundle read: the heads it leads from and to, and its base64 (`None` when there was none).
struct LastObjects {
    from: ObjectId,
    to: ObjectId,
    objects: Option<Arc<str>>,
}

impl EventObjects {
    pub async fn between(&self, site: &Arc<Site>, from: ObjectId, to: ObjectId) -> Option<Arc<str>> {
        // Held while reading, so that the streams of several replicas wait for one read instead of each
        // making its own.
        let mut last = self.last.lock().await;
        if let Some(read) = last.as_ref()
            && (read.from, read.to) == (from, to)
        {
            return read.objects.clone();
        }
        let site = site.clone();
        let read = super::blocking(move || site.objects_between(from, to, MAX_EVENT_COMMITS, MAX_EVENT_BYTES)).await;
        let objects = match read {
            Ok(objects) => objects.map(|it| Arc::from(base64::engine::general_purpose::STANDARD.encode(it.to_bytes()))),
            Err(err) => {
                tracing::warn!(error = %err, "no objects of a change for the replicas");
                None
            }
        };
        *last = Some(LastObjects { from, to, objects: objects.clone() });
        objects
    }
}

/// Middleware on a replica: forwards what changes something to the primary; everything else is served here.
pub async fn forward_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(forwarder) = state.forwarder.clone() else { return next.run(request).await };
    if !must_forward(request.method(), request.uri()) {
        return next.run(request).await;
    }
    forward(&state, &forwarder, request).await
}

/// Middleware on a primary with replicas: answers to writes tell the head they left, and to a replica that
/// said what it has, bring the objects it lacks (when a few and small).
pub async fn stamp_head(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let have = match from_replica(&state, request.headers()) {
        true => request.headers().get(HAVE_HEADER).and_then(|it| it.to_str().ok()?.parse::<ObjectId>().ok()),
        false => None,
    };
    let mut res = next.run(request).await;
    if unsafe_method && let Some(head) = state.site.head() {
        res.headers_mut().insert(HEAD_HEADER, HeaderValue::from_str(&head.to_string()).expect("hex is a header value"));
        // The same objects the event stream sends: read once for both.
        if let Some(have) = have.filter(|it| *it != head)
            && let Some(objects) = state.event_objects.between(&state.site, have, head).await
            && objects.len() <= MAX_HEADER_OBJECTS
        {
            res.headers_mut()
                .insert(OBJECTS_HEADER, HeaderValue::from_str(&objects).expect("base64 is a header value"));
        }
    }
    res
}

// Whether a replica of this wiki forwarded the request (it carries the cluster token in its own header).
fn from_replica(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(cluster) = state.site.config.cluster_token.as_ref() else { return false };
    headers
        .get(CLUSTER_HEADER)
        .and_then(|it| it.to_str().ok())
        .is_some_and(|it| super::csrf::constant_time_eq(it.as_bytes(), cluster.as_str().as_bytes()))
}

// Pushes and their ref advertisement go to the primary, fetches and clones (a POST too) stay; so do previews,
// which change nothing, and the local hooks' nudge.
fn must_forward(method: &Method, uri: &Uri) -> bool {
    let path = uri.path();
    if let Some(rest) = path.strip_prefix("/wiki.git/") {
        return rest == "git-receive-pack"
            || (rest == "info/refs" && uri.query().is_some_and(|it| it.contains("service=git-receive-pack")));
    }
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    !safe && path != "/-/preview" && path != "/-/hooks/refresh"
}

/// A refusal in the client's kind: a themed page, JSON, or plain text for git.
fn refuse(
    channel: Channel,
    state: &AppState,
    host: &str,
    status: StatusCode,
    code: &'static str,
    message: &str,
) -> Response {
    channel
        .plain_refusal(status, code, message)
        .unwrap_or_else(|| super::themed_error_page(state, host, error::error_page(status, message)))
}

// Connection-level headers: they describe one hop, never the request.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Headers the Connection header names are hop-by-hop too.
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|it| it.to_str().ok())
        .flat_map(|it| it.split(','))
        .filter_map(|it| HeaderName::from_bytes(it.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

async fn forward(state: &AppState, forwarder: &Forwarder, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let channel = Channel::of(&path);
    let host = super::view::host_of(request.headers());
    let is_push = path == "/wiki.git/git-receive-pack";
    let peer = request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|it| it.0.ip());
    let auth = &state.auth;
    let trusted = peer.is_some_and(|it| auth.trusted_proxies.contains(it));
    let (mut parts, body) = request.into_parts();
    let headers = &mut parts.headers;
    strip_hop_by_hop(headers);
    // This server already answered any `100 Continue` the client waited for, by reading the body.
    headers.remove(header::EXPECT);
    headers.remove(CLUSTER_HEADER);
    headers.remove(HAVE_HEADER);
    if !trusted {
        // The primary trusts what this replica forwards: a client that is not a trusted proxy here must not
        // reach it with a proxy's identity headers, nor with an address of its choosing.
        let proxy = &auth.config.proxy;
        let claimed = [&proxy.user_header, &proxy.email_header, &proxy.groups_header, &proxy.name_header];
        if claimed.iter().any(|name| headers.contains_key(name.as_str())) {
            let message = "identity headers are accepted only from the configured proxies";
            return refuse(channel, state, &host, StatusCode::FORBIDDEN, "forbidden", message);
        }
        headers.remove("x-forwarded-for");
        headers.remove("x-forwarded-proto");
    }
    if let Some(peer) = peer {
        let forwarded_for = match headers.get("x-forwarded-for").and_then(|it| it.to_str().ok()) {
            Some(earlier) => format!("{earlier}, {peer}"),
            None => peer.to_string(),
        };
        if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
            headers.insert("x-forwarded-for", value);
        }
    }
    let token = HeaderValue::from_str(forwarder.replica.token().as_str()).expect("checked to be printable ASCII");
    headers.insert(CLUSTER_HEADER, token);
    let have = if is_push { None } else { forwarder.replica.mirror_head() };
    if let Some(have) = have {
        headers.insert(HAVE_HEADER, HeaderValue::from_str(&have.to_string()).expect("hex is a header value"));
    }
    let target =
        format!("{}{}", forwarder.replica.primary().as_str(), parts.uri.path_and_query().map_or("/", |it| it.as_str()));
    parts.uri = match target.parse() {
        Ok(uri) => uri,
        Err(_) => return refuse(channel, state, &host, StatusCode::BAD_REQUEST, "bad_request", "invalid request path"),
    };
    parts.version = axum::http::Version::HTTP_11;
    let outbound = Request::from_parts(parts, body);
    let patience = if is_push { PUSH_TIMEOUT } else { ANSWER_TIMEOUT };
    let started = std::time::Instant::now();
    let answer = match tokio::time::timeout(patience, forwarder.client.request(outbound)).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, primary = forwarder.replica.primary().as_str(), "forwarding a write failed");
            forwarder.replica.count_forwarded(false);
            return primary_unreachable(state, &host, channel);
        }
        Err(_) => {
            forwarder.replica.count_forwarded(false);
            return primary_unreachable(state, &host, channel);
        }
    };
    forwarder.replica.count_forwarded(true);
    // Counted by the path's area (form, API, git), never by the path itself.
    state.metrics.forwarded_write(&path);
    let (mut parts, incoming) = answer.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    let reported = parts.headers.get(HEAD_HEADER).and_then(|it| it.to_str().ok()).and_then(|it| it.parse().ok());
    let objects = parts.headers.remove(OBJECTS_HEADER).and_then(|it| {
        let bytes = base64::engine::general_purpose::STANDARD.decode(it.as_bytes()).ok()?;
        ObjectBundle::from_bytes(&bytes).ok()
    });
    if is_push {
        // The new head comes only with the end of the push's answer: ask for it then, and hold the end of the
        // answer until this replica serves it, so the pusher's next fetch from here has the push.
        let replica = forwarder.replica.clone();
        let client = forwarder.client.clone();
        let site = state.site.clone();
        let after = futures_util::stream::once(async move {
            replica.want_fetch();
            if let Some(head) = primary_head(&client, &replica).await {
                replica.announce(head);
                wait_until_served(&site, head, READ_YOUR_WRITES).await;
            }
        })
        .filter_map(|()| async { None::<Result<Bytes, axum::Error>> });
        let body = Body::new(incoming).into_data_stream().chain(after);
        return Response::from_parts(parts, Body::from_stream(body));
    }
    let mut res = Response::from_parts(parts, Body::new(incoming));
    if let Some(head) = reported {
        let answered = started.elapsed();
        let mut served = false;
        if let (Some(have), Some(objects)) = (have, objects) {
            let replica = forwarder.replica.clone();
            served = super::blocking(move || Ok(replica.apply_now(have, head, &objects))).await.unwrap_or(false);
        }
        // Else the event stream brings the commit with its objects, usually a moment after this answer: asking
        // for it now would pull it a second time, over a connection of its own.
        if !served && forwarder.replica.events_connected() {
            served = wait_until_served(&state.site, head, EVENT_GRACE).await;
        }
        if !served {
            forwarder.replica.announce(head);
            served = wait_until_served(&state.site, head, READ_YOUR_WRITES).await;
        }
        tracing::debug!(
            answer_ms = answered.as_secs_f64() * 1e3,
            wait_ms = (started.elapsed() - answered).as_secs_f64() * 1e3,
            "forwarded a write"
        );
        if !served {
            return not_caught_up(state, &host, channel, res);
        }
    }
    res.headers_mut().remove(HEAD_HEADER);
    res
}

/// Waits until the site serves `commit`, for at most `within`; whether it does.
async fn wait_until_served(site: &Site, commit: ObjectId, within: Duration) -> bool {
    let mut heads = site.watch_head();
    let caught_up = async {
        loop {
            if site.serves(commit) {
                return;
            }
            if heads.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::time::timeout(within, caught_up).await.is_ok()
}

// The primary's head, asked with the cluster token.
async fn primary_head(client: &Client<HttpConnector, Body>, replica: &Replica) -> Option<ObjectId> {
    let uri = format!("{}/-/api/cluster/head", replica.primary().as_str());
    let request = axum::http::Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", replica.token().as_str()))
        .body(Body::empty())
        .ok()?;
    let answer = tokio::time::timeout(ANSWER_TIMEOUT, client.request(request)).await.ok()?.ok()?;
    let bytes = axum::body::to_bytes(Body::new(answer.into_body()), 64 * 1024).await.ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get("head")?.as_str()?.parse().ok()
}

fn primary_unreachable(state: &AppState, host: &str, channel: Channel) -> Response {
    let message = "changes cannot be saved right now: this server is a replica and the primary it sends changes to \
                   is not reachable. Reading still works; try again in a moment";
    let mut res = refuse(channel, state, host, StatusCode::SERVICE_UNAVAILABLE, "unavailable", message);
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

// The write is done, but this replica does not show it yet: a browser sent on by a redirect gets a page that
// says so and goes on by itself; other clients get the primary's answer with a warning.
fn not_caught_up(state: &AppState, host: &str, channel: Channel, mut res: Response) -> Response {
    tracing::warn!("a forwarded write is not served here yet after {} s", READ_YOUR_WRITES.as_secs());
    res.headers_mut().remove(HEAD_HEADER);
    let location = res.headers().get(header::LOCATION).cloned();
    if channel == Channel::Browser
        && res.status().is_redirection()
        && let Some(location) = location
    {
        let message = super::view::message(state, "replica-not-caught-up", &[]);
        let mut page = super::themed_error_page(state, host, error::error_page(StatusCode::ACCEPTED, &message));
        let refresh = format!("5; url={}", location.to_str().unwrap_or("/"));
        if let Ok(value) = HeaderValue::from_str(&refresh) {
            page.headers_mut().insert(HeaderName::from_static("refresh"), value);
        }
        for cookie in res.headers().get_all(header::SET_COOKIE) {
            page.headers_mut().append(header::SET_COOKIE, cookie.clone());
        }
        return page;
    }
    res.headers_mut().insert(
        header::WARNING,
        HeaderValue::from_static("199 lore \"saved on the primary; this replica has not caught up yet\""),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(method: Method, uri: &str, expected: bool) {
        assert_eq!(must_forward(&method, &uri.parse().unwrap()), expected, "{method} {uri}");
    }

    #[test]
    fn writes_and_pushes_go_to_the_primary_reads_and_fetches_stay() {
        check(Method::POST, "/-/edit/team/rota", true);
        check(Method::PUT, "/-/api/pages/a", true);
        check(Method::DELETE, "/-/api/tokens/x", true);
        check(Method::POST, "/-/login", true);
        check(Method::GET, "/wiki.git/info/refs?service=git-receive-pack", true);
        check(Method::POST, "/wiki.git/git-receive-pack", true);
        check(Method::GET, "/team/rota", false);
        check(Method::GET, "/wiki.git/info/refs?service=git-upload-pack", false);
        check(Method::POST, "/wiki.git/git-upload-pack", false);
        check(Method::POST, "/-/preview", false);
        check(Method::POST, "/-/hooks/refresh", false);
    }
}
