//! Where accepted connections are served: one thread per core, each running a single-threaded runtime that
//! keeps every connection it is given for the connection's whole life, as nginx's worker processes do.

// With the connections on the shared multi-threaded runtime, the two workers of a 2-core machine took each
// other's connections' tasks in turn: allocations made on one thread were freed on the other, and the threads
// woke each other. Warm page views of the flat 10,000-page wiki (wrk -t2 -c8, random pages, gzip) cost
// 13.0–13.5 µs of user and 11.4–11.9 µs of system CPU per request there, and 9.9–10.0 and 9.7–9.9 served
// here (48,800 → 60,100–60,500 req/s). Work that takes long (renders, saves, git) goes to the main runtime's
// blocking threads (`spawn_blocking`).

use std::cell::OnceCell;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::metrics::Held;

/// An accepted connection, with what it holds while it is served.
pub struct Connection {
    /// Taken off the accepting runtime (`tokio::net::TcpStream::into_std`): a socket is registered with one
    /// runtime's I/O driver.
    pub stream: std::net::TcpStream,
    pub remote: SocketAddr,
    /// Its place under the cap on open connections, freed when it ends.
    pub slot: OwnedSemaphorePermit,
    /// Counts it as open in the metrics until it ends.
    pub open: Held,
    /// Changes when the server stops: the connection finishes its request under way and closes.
    pub closing: tokio::sync::watch::Receiver<()>,
}

thread_local! {
    // On a connection worker's thread: the runtime that accepted its connections (each server's own).
    static MAIN_RUNTIME: OnceCell<Handle> = const { OnceCell::new() };
}

/// Runs `work` on the main runtime's blocking threads (tokio's `spawn_blocking` runs it on the calling
/// runtime's). With a pool of blocking threads per connection worker, a burst of first views started threads in
/// every pool: the nested 10,000-page wiki held 7 MiB more after the load runs (150 and 151 MiB, against 143
/// and 144 in the same runs).
pub fn spawn_blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> JoinHandle<T> {
    match MAIN_RUNTIME.with(|main| main.get().cloned()) {
        Some(main) => main.spawn_blocking(work),
        None => tokio::task::spawn_blocking(work),
    }
}

/// The threads connections are served on, given connections in turn.
pub struct ConnectionWorkers {
    queues: Vec<UnboundedSender<Connection>>,
    next: usize,
}

impl ConnectionWorkers {
    /// Starts one worker thread per core, each serving `router` with `header_timeout` to read a request's
    /// headers. Called on the main runtime, whose blocking threads then take all work that blocks.
    pub fn start(router: &Router, header_timeout: Duration) -> std::io::Result<ConnectionWorkers> {
        let main = Handle::current();
        let count = std::thread::available_parallelism().map_or(1, usize::from);
        let mut queues = Vec::with_capacity(count);
        for index in 0..count {
            // Unbounded: what is queued is bounded by the cap on open connections, taken before accepting.
            let (queue, connections) = unbounded_channel();
            let (router, main) = (router.clone(), main.clone());
            std::thread::Builder::new().name(format!("lore-connections-{index}")).spawn(move || {
                MAIN_RUNTIME.with(|it| it.set(main).expect("a new thread has no main runtime yet"));
                serve_on_this_thread(&router, header_timeout, connections);
            })?;
            queues.push(queue);
        }
        Ok(ConnectionWorkers { queues, next: 0 })
    }

    /// Hands `connection` to the next worker in turn (past any that has stopped).
    pub fn serve(&mut self, mut connection: Connection) {
        for _ in 0..self.queues.len() {
            let queue = &self.queues[self.next];
            self.next = (self.next + 1) % self.queues.len();
            match queue.send(connection) {
                Ok(()) => return,
                Err(returned) => connection = returned.0,
            }
        }
        tracing::error!(remote = %connection.remote, "no connection worker is running: connection closed");
    }
}

// Runs until the queue closes (the server stopping drops the `ConnectionWorkers`); connections still open then
// are closed with the runtime.
fn serve_on_this_thread(router: &Router, header_timeout: Duration, mut connections: UnboundedReceiver<Connection>) {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!(error = %err, "a connection worker could not start its runtime");
            return;
        }
    };
    runtime.block_on(async {
        while let Some(connection) = connections.recv().await {
            tokio::spawn(serve(router.clone(), header_timeout, connection));
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}

async fn serve(router: Router, header_timeout: Duration, connection: Connection) {
    let Connection { stream, remote, slot: _slot, open: _open, mut closing } = connection;
    let stream = match TcpStream::from_std(stream) {
        Ok(stream) => stream,
        Err(err) => {
            tracing::debug!(error = %err, %remote, "a connection could not be served");
            return;
        }
    };
    // What `into_make_service_with_connect_info` did: handlers read the client's address.
    let service = router.map_request(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        request
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let (give_back, given_back) = tokio::sync::oneshot::channel();
    let res = {
        let stream = GivenBackOnDrop { stream: Some(stream), give_back: Some(give_back) };
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        tokio::pin!(connection);
        tokio::select! {
            res = connection.as_mut() => res,
            _ = closing.changed() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        }
    };
    if let Err(err) = res {
        tracing::debug!(error = %err, %remote, "connection ended with an error");
    }
    if let Ok(stream) = given_back.await {
        read_to_end_for_a_while(stream).await;
    }
}

// Closed with a request's body still unread (a 413 answered from its Content-Length before a large body
// arrived), a socket is reset, and a client still sending may lose the answer it was sent (RFC 9112, 9.6, "tear
// down"). So, as nginx's lingering close does, the server says it sends no more and reads what the client still
// sends, for a while, before it closes the socket. A client that closes first (most do, between requests) ends
// it at once. (The test of a preview 3 MB over the limit that failed one time in five was a client sending its
// next request on such a connection: `secure_and_conditional` now tells it the connection closes.)
async fn read_to_end_for_a_while(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = stream.shutdown().await;
    let until = tokio::time::Instant::now() + LINGER_AT_MOST;
    let mut discarded = vec![0; 4096];
    loop {
        let next = until.min(tokio::time::Instant::now() + LINGER_IDLE);
        match tokio::time::timeout_at(next, stream.read(&mut discarded)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        }
    }
}

/// How long a closed connection is read to its end at most (see `read_to_end_for_a_while`).
const LINGER_AT_MOST: Duration = Duration::from_secs(5);

/// How long a closed connection waits for more from the client before it closes anyway.
const LINGER_IDLE: Duration = Duration::from_secs(1);

/// A connection's socket as hyper serves it, handed back to `serve` when hyper lets go of it, to be read to
/// its end before it closes.
struct GivenBackOnDrop {
    stream: Option<TcpStream>,
    give_back: Option<tokio::sync::oneshot::Sender<TcpStream>>,
}

impl GivenBackOnDrop {
    fn stream(self: std::pin::Pin<&mut Self>) -> std::pin::Pin<&mut TcpStream> {
        std::pin::Pin::new(self.get_mut().stream.as_mut().expect("the stream is there until the wrapper is dropped"))
    }
}

impl Drop for GivenBackOnDrop {
    fn drop(&mut self) {
        if let (Some(stream), Some(give_back)) = (self.stream.take(), self.give_back.take()) {
            // `serve` waits for it; if it is gone, the socket just closes.
            let _ = give_back.send(stream);
        }
    }
}

impl tokio::io::AsyncRead for GivenBackOnDrop {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.stream().poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for GivenBackOnDrop {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.stream().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.stream().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(tokio::io::AsyncWrite::is_write_vectored)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.stream().poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::Semaphore;

    use super::*;
    use crate::metrics::Metrics;

    // Serves one connection of `router` through the connection workers, started on a main runtime named
    // `main-runtime`; `client` talks to it and returns what it read.
    fn serve_one<F>(router: Router, client: impl FnOnce(SocketAddr) -> F) -> String
    where
        F: std::future::Future<Output = String> + Send + 'static,
    {
        let main = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("main-runtime")
            .enable_all()
            .build()
            .unwrap();
        main.block_on(async {
            let mut workers = ConnectionWorkers::start(&router, Duration::from_secs(5)).unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let client = tokio::spawn(client(listener.local_addr().unwrap()));
            let (stream, remote) = listener.accept().await.unwrap();
            let slot = Arc::new(Semaphore::new(1)).acquire_owned().await.unwrap();
            let (_closing, closing) = tokio::sync::watch::channel(());
            let open = Metrics::new().connection_opened();
            workers.serve(Connection { stream: stream.into_std().unwrap(), remote, slot, open, closing });
            client.await.unwrap()
        })
    }

    #[test]
    fn a_connection_is_served_on_a_worker_thread_and_its_blocking_work_on_the_main_runtime() {
        let router = Router::new().route(
            "/",
            axum::routing::get(|| async {
                let served_on = std::thread::current().name().unwrap_or_default().to_string();
                let blocked_on =
                    spawn_blocking(|| std::thread::current().name().unwrap_or_default().to_string()).await.unwrap();
                format!("served on {served_on}, blocked on {blocked_on}")
            }),
        );
        let answer = serve_one(router, |addr| async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\nHost: wiki\r\nConnection: close\r\n\r\n").await.unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap();
            answer
        });
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("served on lore-connections-0, blocked on main-runtime"), "{answer}");
    }

    #[test]
    fn a_client_still_sending_a_refused_body_gets_the_answer() {
        // Refused before the body is read, as a body limit refuses by Content-Length.
        let router =
            Router::new().route("/", axum::routing::post(|| async { axum::http::StatusCode::PAYLOAD_TOO_LARGE }));
        let answer = serve_one(router, |addr| async move {
            let body = vec![b'x'; 8 << 20];
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let head = format!("POST / HTTP/1.1\r\nHost: wiki\r\nContent-Length: {}\r\n\r\n", body.len());
            stream.write_all(head.as_bytes()).await.unwrap();
            // Reset by a server that closed without reading it, this fails.
            stream.write_all(&body).await.expect("the server reads the body it refused to its end");
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.unwrap();
            String::from_utf8_lossy(&answer).into_owned()
        });
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }
}
