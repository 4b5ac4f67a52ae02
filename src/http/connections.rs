//! The listening side of the server: accepting TCP connections up to `--max-connections`,
//! TLS handshakes, HTTP/1.1 with a header-read timeout and an idle keep-alive timeout, and
//! the drain of open connections at shutdown. What a request asks for is the router's
//! business; this file only decides which connections are kept, and for how long.
//!
//! Every limit is enforced here, before TLS and before authentication, because each open
//! connection costs a file descriptor, and the store needs descriptors for its parts: a
//! connection over the cap is closed as soon as it is accepted, and a client that sends a
//! partial request head, or stays idle, is disconnected after its timeout.
//!
//! The timeouts are kept by a watchdog in each connection's task rather than by hyper's
//! `header_read_timeout`, because hyper's one timer also bounds the idle time between
//! requests, and the two limits want different lengths: a head arrives in milliseconds,
//! while HTTP clients keep pooled connections idle for a minute or more. The watchdog reads
//! the connection's state from the request lifecycle (a request starts when its head is
//! parsed and ends when its response body is sent) and from the reads on the socket.

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How long the accept loop waits after a failed `accept` (out of file descriptors, most
/// often) before trying again, rather than spinning on the error.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// The limits on connections (`--max-connections`, `--header-read-timeout`,
/// `--idle-timeout`).
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once, TLS handshakes and WebSockets included; more are closed
    /// as soon as they are accepted.
    pub max_connections: usize,
    /// How long a client has to send a whole request head: from the connection's start for
    /// its first request, from the first byte of the head for later ones. Also bounds a
    /// TLS handshake.
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            // Prometheus' `--web.max-connections` default.
            max_connections: 512,
            header_read_timeout: Duration::from_secs(30),
            // Longer than the idle timeouts of common clients' pools (Go's and reqwest's
            // 90 s), so that the client usually closes first and never sends a request on
            // a connection the server is closing.
            idle_timeout: Duration::from_secs(120),
        }
    }
}

/// What the connections have done, for `/metrics`.
#[derive(Debug, Default)]
pub struct ConnectionCounts {
    pub open: AtomicU64,
    /// Closed at once because `--max-connections` were open.
    pub refused: AtomicU64,
    /// Closed because a request head or TLS handshake did not arrive in time.
    pub header_timeouts: AtomicU64,
    /// Closed after `--idle-timeout` without a request.
    pub idle_timeouts: AtomicU64,
}

/// Serves `app` on `listener` until `stop` turns true; then stops accepting, lets the
/// connections finish the requests they are serving (closing idle ones at once), and
/// returns when the last one has closed. WebSockets that were upgraded are not waited for:
/// their handlers end them when shutdown begins.
pub async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: ConnectionLimits,
    counts: Arc<ConnectionCounts>,
    stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    // Each connection's task holds a receiver; the sender sees them all dropped once the
    // last connection has closed.
    let (alive_tx, alive_rx) = watch::channel(());
    let mut stopping = stop.clone();
    loop {
        let accepted = tokio::select! {
            biased;
            _ = stopping.wait_for(|s| *s) => break,
            a = listener.accept() => a,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(_) => {
                tokio::time::sleep(ACCEPT_RETRY).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let slot = Slot::new(permit, counts.clone());
        let conn = Connection {
            app: app.clone(),
            limits: limits.clone(),
            counts: counts.clone(),
            stop: stop.clone(),
            activity: Arc::new(Activity::new()),
        };
        let tls = tls.clone();
        let alive = alive_rx.clone();
        tokio::spawn(async move {
            let _alive = alive;
            match tls {
                None => conn.serve(Tracked::new(tcp, slot)).await,
                Some(acceptor) => {
                    let handshake = acceptor.accept(tcp);
                    match tokio::time::timeout(conn.limits.header_read_timeout, handshake).await {
                        Ok(Ok(stream)) => conn.serve(Tracked::new(stream, slot)).await,
                        Ok(Err(_)) => {}
                        Err(_) => {
                            conn.counts.header_timeouts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    drop(alive_rx);
    alive_tx.closed().await;
}

/// One connection's share of `--max-connections`, held by its socket (so an upgraded
/// WebSocket keeps it until it closes).
struct Slot {
    _permit: OwnedSemaphorePermit,
    counts: Arc<ConnectionCounts>,
}

impl Slot {
    fn new(permit: OwnedSemaphorePermit, counts: Arc<ConnectionCounts>) -> Slot {
        counts.open.fetch_add(1, Ordering::Relaxed);
        Slot {
            _permit: permit,
            counts,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.counts.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Where a connection is in its request lifecycle, for the watchdog.
struct ActivityState {
    /// Requests whose head was parsed and whose response body is not sent yet.
    in_flight: usize,
    /// Requests answered so far.
    served: u64,
    /// When the connection started, or its last response was sent.
    idle_since: Instant,
    /// When the first byte of the next request head arrived, if one did.
    head_started: Option<Instant>,
}

/// A connection's lifecycle, updated by its socket and its requests; `changed` wakes the
/// watchdog to compute a new deadline.
struct Activity {
    state: Mutex<ActivityState>,
    changed: Notify,
}

/// Why a connection is closed by its watchdog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expiry {
    Header,
    Idle,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            state: Mutex::new(ActivityState {
                in_flight: 0,
                served: 0,
                idle_since: Instant::now(),
                head_started: None,
            }),
            changed: Notify::new(),
        }
    }

    /// Runs `f` on the state. The lock is never held across a call that could panic, so a
    /// poisoned lock still holds a consistent state and is used as it is.
    fn update<T>(&self, f: impl FnOnce(&mut ActivityState) -> T) -> T {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    /// Bytes arrived on the socket.
    fn bytes_read(&self) {
        let started = self.update(|s| {
            let starts = s.in_flight == 0 && s.head_started.is_none();
            if starts {
                s.head_started = Some(Instant::now());
            }
            starts
        });
        if started {
            self.changed.notify_one();
        }
    }

    /// A request head was parsed.
    fn request_started(&self) {
        self.update(|s| {
            s.in_flight += 1;
            s.head_started = None;
        });
        self.changed.notify_one();
    }

    /// A response was sent (or given up).
    fn request_finished(&self) {
        self.update(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.served += 1;
            if s.in_flight == 0 {
                s.idle_since = Instant::now();
            }
        });
        self.changed.notify_one();
    }

    /// When the connection is to be closed unless something happens first, and why.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<(Instant, Expiry)> {
        self.update(|s| {
            if s.in_flight > 0 {
                None
            } else if let Some(t) = s.head_started {
                Some((t + limits.header_read_timeout, Expiry::Header))
            } else if s.served == 0 {
                // A new connection owes its first request head from the start, as Go's
                // servers do: a client that connects and sends nothing is not kept.
                Some((s.idle_since + limits.header_read_timeout, Expiry::Header))
            } else {
                Some((s.idle_since + limits.idle_timeout, Expiry::Idle))
            }
        })
    }
}

/// A socket (TCP or TLS) that tells its connection's [`Activity`] when bytes arrive and
/// holds the connection's [`Slot`].
struct Tracked<S> {
    inner: S,
    activity: Option<Arc<Activity>>,
    _slot: Slot,
}

impl<S> Tracked<S> {
    fn new(inner: S, slot: Slot) -> Tracked<S> {
        Tracked {
            inner,
            activity: None,
            _slot: slot,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            if let Some(a) = &self.activity {
                a.bytes_read();
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Marks one request in flight from its head until its response body is sent or dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> InFlight {
        activity.request_started();
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// A response body that keeps its request in flight until it is sent.
struct Watched {
    body: Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for Watched {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// What one connection's task needs.
struct Connection {
    app: Router,
    limits: ConnectionLimits,
    counts: Arc<ConnectionCounts>,
    stop: watch::Receiver<bool>,
    activity: Arc<Activity>,
}

impl Connection {
    /// Serves HTTP/1.1 (with upgrades, for the tail WebSocket) on `io` until the client
    /// closes, a timeout passes, or shutdown has let the request in flight finish.
    async fn serve<S>(mut self, mut io: Tracked<S>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        io.activity = Some(self.activity.clone());
        let router = TowerToHyperService::new(self.app.clone());
        let activity = self.activity.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let in_flight = InFlight::start(activity.clone());
            let answer = hyper::service::Service::call(&router, req);
            async move {
                let resp: Response<Body> = match answer.await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                Ok::<_, Infallible>(resp.map(|body| Watched {
                    body,
                    _in_flight: in_flight,
                }))
            }
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        // The watchdog below keeps the timeouts; hyper's own timer is left off.
        http.header_read_timeout(None);
        let conn = http
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        tokio::pin!(conn);
        let mut draining = false;
        loop {
            let deadline = self.activity.deadline(&self.limits);
            let changed = self.activity.changed.notified();
            let wake_at = deadline.map_or_else(far_future, |(at, _)| at);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = self.stop.wait_for(|s| *s), if !draining => {
                    // Idle connections close at once; a request in flight is answered
                    // first.
                    conn.as_mut().graceful_shutdown();
                    draining = true;
                }
                _ = tokio::time::sleep_until(wake_at), if deadline.is_some() => {
                    if let Some((at, why)) = self.activity.deadline(&self.limits) {
                        if at <= Instant::now() {
                            let counter = match why {
                                Expiry::Header => &self.counts.header_timeouts,
                                Expiry::Idle => &self.counts.idle_timeouts,
                            };
                            counter.fetch_add(1, Ordering::Relaxed);
                            // Dropping the connection closes the socket.
                            return;
                        }
                    }
                }
                _ = changed => {}
            }
        }
    }
}

/// A time the watchdog never reaches (its branch is disabled when there is no deadline).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(365 * 24 * 3600)
}
