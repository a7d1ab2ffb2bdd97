//! Clone, fetch and push over HTTP: git's smart protocol served by `git http-backend` as a child process
//! behind Lore's routing and permission checks. Lore decides who may push; the backend never allows
//! anonymous pushes by itself (`http.receivepack` stays unset).

use std::process::Stdio;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio_util::io::ReaderStream;

use super::AppState;
use super::viewer::Viewer;
use crate::auth::AuthMode;

/// The URL prefix of the repository: `git clone http://HOST:PORT/wiki.git`.
pub const PREFIX: &str = "/wiki.git";

/// `GET|POST /wiki.git/...`: hands the request to `git http-backend`.
pub async fn backend(State(state): State<AppState>, viewer: Viewer, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|it| it.0.ip().to_string())
        .unwrap_or_default();
    let (parts, body) = request.into_parts();
    let rest = parts.uri.path().strip_prefix(PREFIX).unwrap_or_default().to_string();
    // git http-backend answers paths it does not know with a server error (and `//etc/passwd` or `.` with
    // "aliased" ones), so only the paths it serves reach it, each spelled exactly as git spells it.
    match backend_path(&rest) {
        BackendPath::Served => {}
        BackendPath::Unknown => {
            return (StatusCode::NOT_FOUND, "not a path of git's HTTP protocol\n").into_response();
        }
        BackendPath::Malformed(reason) => {
            return (StatusCode::BAD_REQUEST, format!("invalid repository path: {reason}\n")).into_response();
        }
    }
    let query = parts.uri.query().unwrap_or_default().to_string();
    let wants_push = rest.ends_with("/git-receive-pack") || query.contains("service=git-receive-pack");
    // Refused already at ref discovery, so git asks for credentials instead of failing mid-push.
    if let Err(refusal) = may_use_git(&state, &viewer, wants_push) {
        return *refusal;
    }
    let git_dir = state.site.git_dir().to_path_buf();
    let git_dir = git_dir.canonicalize().unwrap_or(git_dir);
    let (Some(root), Some(name)) = (git_dir.parent(), git_dir.file_name()) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "repository has no parent folder\n").into_response();
    };
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        // git checks every object a push brings (`receive.fsckObjects`, strict), so a malformed tree or commit
        // never enters the repository, from which a refused force push could never take it out again. Given
        // to the backend as command-scope config rather than written into the repository's config: it then
        // holds for any repository Lore serves whatever its owner configured (command-scope config wins), and
        // Lore writes nothing into a config it does not own. The two findings Lore's pre-receive check refuses
        // itself, naming the path (a name held twice in one folder, a name holding a slash), are lowered to
        // warnings so that its clearer message is the one the writer sees. Pushes that do not come through
        // Lore's HTTP (a push over the file system) are checked by that hook alone.
        .env("GIT_CONFIG_COUNT", "3")
        .env("GIT_CONFIG_KEY_0", "receive.fsckObjects")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("GIT_CONFIG_KEY_1", "receive.fsck.duplicateEntries")
        .env("GIT_CONFIG_VALUE_1", "warn")
        .env("GIT_CONFIG_KEY_2", "receive.fsck.fullPathname")
        .env("GIT_CONFIG_VALUE_2", "warn")
        .env("PATH_INFO", format!("/{}{rest}", name.to_string_lossy()))
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("QUERY_STRING", &query)
        .env("REMOTE_ADDR", peer)
        // The post-receive hook tells this server the branch moved (see `lore hook post-receive`).
        .env("LORE_NOTIFY_URL", format!("http://{}/-/hooks/refresh", state.local_addr))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if wants_push {
        // git http-backend enables receive-pack for authenticated users only; the hooks learn who pushed.
        let pusher = viewer.username().unwrap_or("anonymous");
        command.env("REMOTE_USER", pusher).env("LORE_PUSHER", pusher).env("LORE_HOOK_SECRET", &state.auth.hook_secret);
    }
    for (name, variable) in [
        (header::CONTENT_TYPE, "CONTENT_TYPE"),
        (header::CONTENT_LENGTH, "CONTENT_LENGTH"),
        (header::CONTENT_ENCODING, "HTTP_CONTENT_ENCODING"),
    ] {
        if let Some(value) = parts.headers.get(&name).and_then(|it| it.to_str().ok()) {
            command.env(variable, value);
        }
    }
    if let Some(protocol) = parts.headers.get("git-protocol").and_then(|it| it.to_str().ok()) {
        command.env("GIT_PROTOCOL", protocol);
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            tracing::error!(error = %err, "cannot start git http-backend");
            return (StatusCode::INTERNAL_SERVER_ERROR, "git is not available on the server\n").into_response();
        }
    };
    // Feed the request body from its own task: a large push would otherwise deadlock against the
    // backend's output.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else { break };
            if stdin.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = stdin.shutdown().await;
    });
    let stderr = child.stderr.take().expect("stderr is piped");
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::warn!(line, "git http-backend");
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut res_headers = HeaderMap::new();
    let mut status = StatusCode::OK;
    loop {
        let mut line = String::new();
        match stdout.read_line(&mut line).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                tracing::error!(error = %err, "reading git http-backend output");
                return (StatusCode::BAD_GATEWAY, "git backend failed\n").into_response();
            }
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            status = value
                .split_whitespace()
                .next()
                .and_then(|it| it.parse().ok())
                .and_then(|it| StatusCode::from_u16(it).ok())
                .unwrap_or(StatusCode::OK);
        } else if let (Ok(name), Ok(value)) =
            (header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
        {
            res_headers.append(name, value);
        }
    }
    // Stream the pack back; the child is reaped when the stream ends.
    // The reader may already hold the start of the body: stream from it, not from the raw pipe.
    let stream = ReaderStream::new(stdout).map(move |chunk| {
        let _keep_alive = &child;
        chunk
    });
    let mut res = Response::new(Body::from_stream(stream));
    *res.status_mut() = status;
    *res.headers_mut() = res_headers;
    res
}

/// What the part of a request's path after `/wiki.git` is to `git http-backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BackendPath {
    /// A path the backend serves.
    Served,
    /// A clean path the backend does not serve.
    Unknown,
    /// A path no git client sends: empty or dot segments, escapes, backslashes, control characters.
    Malformed(&'static str),
}

// The smart protocol's ref discovery and its two services, and the dumb protocol's files (`HEAD`, the pack
// list, loose objects and packs with SHA-1 or SHA-256 names), which http-backend serves to old clients.
// `objects/info/alternates` is left out: it would show where other repositories live on the server.
fn backend_path(rest: &str) -> BackendPath {
    let Some(relative) = rest.strip_prefix('/') else {
        return BackendPath::Malformed("no path after the repository");
    };
    if relative.contains('\\') {
        return BackendPath::Malformed("backslash in path");
    }
    if relative.chars().any(char::is_control) {
        return BackendPath::Malformed("control character in path");
    }
    // git never percent-encodes these paths; an escape here only hides dots or slashes.
    if relative.contains('%') {
        return BackendPath::Malformed("percent-encoded path");
    }
    let segments: Vec<&str> = relative.split('/').collect();
    for segment in &segments {
        match *segment {
            "" => return BackendPath::Malformed("empty path segment"),
            "." | ".." => return BackendPath::Malformed("relative path segment"),
            _ => {}
        }
    }
    let is_hex = |text: &str, lengths: &[usize]| {
        lengths.contains(&text.len()) && text.bytes().all(|it| matches!(it, b'0'..=b'9' | b'a'..=b'f'))
    };
    let served = match segments.as_slice() {
        ["HEAD" | "git-upload-pack" | "git-receive-pack"] | ["info", "refs"] | ["objects", "info", "packs"] => true,
        ["objects", folder, file] if is_hex(folder, &[2]) => is_hex(file, &[38, 62]),
        ["objects", "pack", file] => file
            .strip_prefix("pack-")
            .and_then(|it| it.strip_suffix(".pack").or_else(|| it.strip_suffix(".idx")))
            .is_some_and(|it| is_hex(it, &[40, 64])),
        _ => false,
    };
    if served { BackendPath::Served } else { BackendPath::Unknown }
}

/// Whether this viewer may fetch (or, with `push`, push): a clone carries every file, so it needs read
/// access to all of them, and a push may change any, so it needs edit access to all of them.
fn may_use_git(state: &AppState, viewer: &Viewer, push: bool) -> Result<(), Box<Response>> {
    let allowed = match viewer.mode {
        // Open mode: anyone, but pushes only while nobody else can reach the server.
        AuthMode::Open => !push || state.site.config.listen.ip().is_loopback(),
        _ if push => viewer.access.can_edit_everything(),
        _ => viewer.access.can_read_everything(),
    };
    if allowed {
        return Ok(());
    }
    let (status, message) = if viewer.user.is_none() {
        let message = match viewer.mode {
            AuthMode::Open => "pushing needs an account: Lore accepts anonymous pushes only on loopback",
            _ => "log in with a personal token as the password (create one under Your account)",
        };
        (StatusCode::UNAUTHORIZED, message)
    } else if push {
        (StatusCode::FORBIDDEN, "you may not push: that needs the editor role and edit access to every folder")
    } else {
        (StatusCode::FORBIDDEN, "you may not clone: a clone carries every folder, and some are closed to you")
    };
    let mut res = (status, format!("{message}\n")).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Lore\""));
    }
    Err(Box::new(res))
}

/// `POST /-/hooks/refresh`: the post-receive hook's nudge after a push; only accepted from this machine. The
/// body is the hook's input; with the hook secret it names the pusher, which goes into the push log.
pub async fn refresh(State(state): State<AppState>, request: Request) -> Response {
    let from_loopback =
        request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().is_some_and(|it| it.0.ip().is_loopback());
    if !from_loopback {
        return (StatusCode::FORBIDDEN, "only the repository's hooks may call this\n").into_response();
    }
    let (pusher, secret) = {
        let header =
            |name: &str| request.headers().get(name).and_then(|it| it.to_str().ok()).unwrap_or_default().to_string();
        (header("x-lore-pusher"), header("x-lore-hook-secret"))
    };
    let vouched = !pusher.is_empty()
        && pusher != "anonymous"
        && super::csrf::constant_time_eq(secret.as_bytes(), state.auth.hook_secret.as_bytes());
    let body = axum::body::to_bytes(request.into_body(), 1024 * 1024).await.unwrap_or_default();
    if vouched {
        let updates = crate::hooks::read_updates(&body[..]).unwrap_or_default();
        let branch = state.site.branch_ref().to_string();
        let site = state.site.clone();
        let auth = state.auth.clone();
        let logged = super::blocking(move || {
            for update in updates.iter().filter(|it| it.name == branch) {
                if let Some(new) = update.new {
                    auth.push_log.record(&pusher, site.commits_between(update.old, new)?)?;
                }
            }
            Ok(())
        })
        .await;
        if let Err(err) = logged {
            tracing::warn!(error = %err, "recording the push log failed");
        }
    }
    let site = state.site.clone();
    match super::blocking(move || site.refresh()).await {
        Ok(_) => (StatusCode::NO_CONTENT, "").into_response(),
        Err(err) => super::error::ApiError(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(rest: &str, expected: BackendPath) {
        assert_eq!(backend_path(rest), expected, "{rest:?}");
    }

    #[test]
    fn backend_serves_only_git_paths() {
        for rest in [
            "/info/refs",
            "/git-upload-pack",
            "/git-receive-pack",
            "/HEAD",
            "/objects/info/packs",
            "/objects/ce/013625030ba8dba906f756967f9e9ca394464a",
            "/objects/pack/pack-ce013625030ba8dba906f756967f9e9ca394464a.pack",
            "/objects/pack/pack-ce013625030ba8dba906f756967f9e9ca394464a.idx",
        ] {
            check(rest, BackendPath::Served);
        }
        for rest in
            ["/config", "/objects/info/alternates", "/objects/CE/013625030ba8dba906f756967f9e9ca394464a", "/info"]
        {
            check(rest, BackendPath::Unknown);
        }
    }

    #[test]
    fn hostile_backend_paths_are_malformed() {
        for rest in [
            "",
            "/",
            "//etc/passwd",
            "/.",
            "/./info/refs",
            "/../wiki.git/info/refs",
            "/info/refs/",
            "/%2e%2e/info/refs",
            "/info\\refs",
            "/info/refs\u{7}",
        ] {
            assert!(matches!(backend_path(rest), BackendPath::Malformed(_)), "{rest:?}");
        }
    }
}
