//! What replicas ask the primary, with the cluster token (the route table lets only a replica, or an admin for
//! the status, in): the event stream of new heads (with the objects of each small change), the current
//! head, the pack of new commits, and a node's replication status.

use std::convert::Infallible;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use crate::replica::{EVENTS_KEEPALIVE, MAX_PACK_BYTES, MAX_PACK_COMMITS, ReplicationStatus};
use crate::store::ObjectId;

/// `GET /-/api/cluster/events`: server-sent events, one `head` event with the served commit when the stream
/// opens and one each time the branch moves; a comment every few seconds keeps idle connections alive.
///
/// Before a `head` event, an `objects` event (`data: <from> <to> <base64 bundle>`) carries what the commits
/// from the head the stream announced last added (`store::ObjectBundle`), when they are a few ordinary
/// commits: the replica applies them at once. A replica that does not know `objects` events reads their data
/// as no commit and ignores it.
pub async fn events(State(state): State<AppState>) -> Response {
    let heads = state.site.watch_head();
    let stopping = state.stopping.clone();
    let (site, bundles) = (state.site.clone(), state.event_objects.clone());
    let opened = Stream { heads, stopping, announced: None, first: true };
    let stream = futures_util::stream::unfold(opened, move |mut stream| {
        let (site, bundles) = (site.clone(), bundles.clone());
        async move {
            if !stream.first {
                // The stream ends when the server stops: replicas reconnect to whoever serves next.
                let changed = tokio::select! {
                    changed = tokio::time::timeout(EVENTS_KEEPALIVE, stream.heads.changed()) => changed,
                    _ = stream.stopping.wait_for(|it| *it) => return None,
                };
                match changed {
                    Err(_) => {
                        let comment = Bytes::from_static(b": still here\n\n");
                        return Some((Ok::<_, Infallible>(comment), stream));
                    }
                    Ok(Err(_)) => return None,
                    Ok(Ok(())) => {}
                }
            }
            stream.first = false;
            let head = *stream.heads.borrow_and_update();
            let mut event = String::new();
            if let (Some(from), Some(to)) = (stream.announced, head)
                && from != to
            {
                let started = std::time::Instant::now();
                if let Some(objects) = bundles.between(&site, from, to).await {
                    event = format!("event: objects\ndata: {from} {to} {objects}\n\n");
                }
                tracing::debug!(
                    read_ms = started.elapsed().as_secs_f64() * 1e3,
                    bytes = event.len(),
                    "an event's objects"
                );
            }
            match head {
                Some(head) => event.push_str(&format!("event: head\ndata: {head}\n\n")),
                None => event.push_str(": the branch is empty\n\n"),
            }
            stream.announced = head;
            Some((Ok(Bytes::from(event)), stream))
        }
    });
    let mut res = Response::new(Body::from_stream(stream));
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

// One replica's event stream: the heads to follow, and the head it was told last.
struct Stream {
    heads: tokio::sync::watch::Receiver<Option<ObjectId>>,
    stopping: tokio::sync::watch::Receiver<bool>,
    announced: Option<ObjectId>,
    first: bool,
}

#[derive(Serialize)]
pub struct HeadView {
    head: Option<String>,
}

/// `GET /-/api/cluster/head`: the commit this node serves.
pub async fn head(State(state): State<AppState>) -> Json<HeadView> {
    Json(HeadView { head: state.site.head().map(|it| it.to_string()) })
}

#[derive(Serialize)]
pub struct StatusView {
    /// `primary` or `replica`.
    role: &'static str,
    head: Option<String>,
    /// The state database's id: every node of a cluster has the same.
    state_id: String,
    /// A replica's progress; none on the primary.
    replication: Option<ReplicationStatus>,
}

/// `GET /-/api/cluster/status`: this node's role, head and, on a replica, how far behind it is.
pub async fn status(State(state): State<AppState>) -> Response {
    let store = state.auth.state.clone();
    let state_id = match super::blocking(move || store.id()).await {
        Ok(id) => id,
        Err(err) => return super::ApiError(err).into_response(),
    };
    let view = StatusView {
        role: if state.replica.is_some() { "replica" } else { "primary" },
        head: state.site.head().map(|it| it.to_string()),
        state_id,
        replication: state.replica.as_ref().map(|it| it.status()),
    };
    (StatusCode::OK, Json(view)).into_response()
}

/// `GET /-/api/cluster/pack?want=<commit>&have=<commit>…`: the pack (git's format, built in memory) of every
/// object reachable from `want` and not from the `have`s, so that a replica takes a new commit in one request
/// without starting `git`. 413 when it would be over [`MAX_PACK_COMMITS`] or [`MAX_PACK_BYTES`] (the replica
/// then fetches with git).
pub async fn pack(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let pairs = super::query::pairs(query.as_deref().unwrap_or(""));
    let commit = |text: &str| text.parse::<ObjectId>().ok();
    let wants: Vec<Option<ObjectId>> =
        pairs.iter().filter(|(key, _)| key == "want").map(|(_, it)| commit(it)).collect();
    let haves: Option<Vec<ObjectId>> =
        pairs.iter().filter(|(key, _)| key == "have").map(|(_, it)| commit(it)).take(16).collect();
    let (Some(haves), [Some(want)]) = (haves, wants.as_slice()) else {
        let message = "give one want=<commit> and at most 16 have=<commit>, as full hex ids";
        return super::error::api_error(StatusCode::BAD_REQUEST, "bad_request", message);
    };
    let (site, want) = (state.site.clone(), *want);
    match super::blocking(move || site.pack_between(&haves, want, MAX_PACK_COMMITS, MAX_PACK_BYTES)).await {
        Ok(Some(pack)) => {
            let mut res = Response::new(Body::from(pack));
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-git-packed-objects"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Ok(None) => {
            let message = "the new commits are too large for one pack: fetch them with git";
            super::error::api_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
        }
        Err(err) => super::ApiError(err).into_response(),
    }
}
