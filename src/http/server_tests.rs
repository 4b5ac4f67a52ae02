//! The server started in-process on `127.0.0.1:0` and stopped through its shutdown future:
//! the drain, panics contained to their request, the connection cap and timeouts, the
//! `Host` and `Origin` checks, parsing on the query slot, and hidden secrets. Requests go
//! over real sockets, with reqwest or, where the test needs to control every byte, by hand.
//!
//! No test measures time: timeouts are configured short and the tests wait for what the
//! timeout must cause (a closed socket), with a generous guard against hanging forever.

use super::errors::ApiError;
use super::server::{ServeConfig, Server};
use super::state::AppState;
use axum::extract::State;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// How long a test waits for something that must happen before it gives up: far beyond
/// the short timeouts the tests configure, so it never decides a test on a fast machine.
const GUARD: Duration = Duration::from_secs(60);

/// A server running in-process on a temporary store.
struct TestServer {
    addr: SocketAddr,
    st: Arc<AppState>,
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
    dir: tempfile::TempDir,
}

impl TestServer {
    async fn start(configure: impl FnOnce(&mut ServeConfig)) -> TestServer {
        TestServer::start_with(configure, |s| s).await
    }

    async fn start_with(
        configure: impl FnOnce(&mut ServeConfig),
        routes: impl FnOnce(Server) -> Server,
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).unwrap();
        let mut config = ServeConfig::new(store);
        configure(&mut config);
        let server = routes(Server::bind("127.0.0.1:0", config).await.unwrap());
        let addr = server.local_addr();
        let st = server.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            st,
            stop,
            done,
            dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let resp = reqwest::get(self.url(path)).await.unwrap();
        let code = resp.status().as_u16();
        (code, resp.text().await.unwrap())
    }

    async fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, String) {
        let resp = reqwest::Client::new()
            .post(self.url(path))
            .header("Content-Type", content_type)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let code = resp.status().as_u16();
        (code, resp.text().await.unwrap())
    }

    /// Completes the shutdown future and waits for the drain to end.
    async fn stop(self) -> tempfile::TempDir {
        let _ = self.stop.send(());
        tokio::time::timeout(GUARD, self.done)
            .await
            .expect("the server drains and returns")
            .expect("the server's task did not panic");
        self.dir
    }
}

/// One request written by hand, with `Connection: close`: (status, whole answer).
async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(text.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(GUARD, s.read_to_end(&mut out))
        .await
        .expect("the server answers and closes")
        .unwrap();
    let out = String::from_utf8_lossy(&out).into_owned();
    let code = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {out:?}"));
    (code, out)
}

/// Reads until the server closes the socket (end of file or a reset).
async fn until_closed(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(GUARD, s.read(&mut buf)).await {
            Err(_) => panic!(
                "the server kept the connection open: {:?}",
                String::from_utf8_lossy(&all)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => return all,
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

const LOKI_LINE: &str = r#"{"streams":[{"stream":{"app":"inproc"},"values":[["1700000000000000000","hello from a test"]]}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_on_port_zero_answers_and_stores_what_it_acknowledged_when_stopped() {
    let s = TestServer::start(|_| {}).await;
    assert_eq!(s.get("/-/healthy").await.0, 200);
    assert_eq!(s.get("/-/ready").await.0, 200);
    let (code, body) = s
        .post("/loki/api/v1/push", "application/json", LOKI_LINE)
        .await;
    assert_eq!(code, 204, "{body}");
    let (code, body) = s
        .get("/loki/api/v1/query_range?query=%7Bapp%3D%22inproc%22%7D&start=1699999999000000000&end=1700000001000000000")
        .await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("hello from a test"), "{body}");
    let st = s.st.clone();
    let dir = s.stop().await;
    assert!(!st.ready.load(Ordering::Acquire), "/-/ready turned 503");
    // The acknowledged push is in the store once `run` has returned.
    let store = crate::store::Store::open(dir.path()).unwrap();
    let snap = store.log_snapshot().unwrap();
    let m = vec![crate::model::Matcher::equal("app", "inproc")];
    assert_eq!(snap.streams(&m, i64::MIN / 2, i64::MAX / 2).len(), 1);
}

/// A handler whose work panics on the query slot, as an engine bug would.
async fn panics_on_the_slot(
    State(st): State<Arc<AppState>>,
) -> Result<String, super::errors::PlainError> {
    st.on_slot(|| -> Result<String, ApiError> { panic!("injected panic on the query slot") })
        .await
        .map_err(Into::into)
}

/// A handler that panics on the async thread itself.
async fn panics_in_the_handler() -> String {
    panic!("injected panic in the handler")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_a_500_for_its_request_and_the_server_goes_on() {
    let s = TestServer::start_with(
        |c| {
            // One slot: a slot that a panic did not give back would refuse the next query.
            c.query_limits.max_concurrent = 1;
            c.query_limits.timeout = Duration::from_secs(5);
        },
        |server| {
            server
                .route("/test/panic-on-slot", get(panics_on_the_slot))
                .route("/test/panic-in-handler", get(panics_in_the_handler))
                .route("/api/v1/test_panic", get(panics_in_the_handler))
        },
    )
    .await;
    for _ in 0..3 {
        let (code, body) = s.get("/test/panic-on-slot").await;
        assert_eq!(code, 500, "{body}");
        assert!(body.contains("injected panic on the query slot"), "{body}");
        assert!(body.contains("bug in argus"), "{body}");
    }
    let (code, body) = s.get("/test/panic-in-handler").await;
    assert_eq!(code, 500, "{body}");
    assert!(body.contains("injected panic in the handler"), "{body}");
    let (code, body) = s.get("/api/v1/test_panic").await;
    assert_eq!(code, 500, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["errorType"], "internal", "{body}");
    // The slot came back and the server answers queries.
    let (code, body) = s.get("/api/v1/query?query=1%2B1").await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(s.get("/-/healthy").await.0, 200);
    // And it still drains and stops.
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_request_head_is_closed_after_the_header_read_timeout() {
    let s = TestServer::start(|c| {
        c.connections.header_read_timeout = Duration::from_millis(200);
        c.connections.idle_timeout = Duration::from_secs(600);
    })
    .await;
    let mut partial = TcpStream::connect(s.addr).await.unwrap();
    partial
        .write_all(b"GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = until_closed(&mut partial).await;
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    assert_eq!(s.st.connections.header_timeouts.load(Ordering::Relaxed), 1);
    // A connection that sends nothing at all is closed too.
    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    until_closed(&mut silent).await;
    assert_eq!(s.st.connections.header_timeouts.load(Ordering::Relaxed), 2);
    // The header timeout does not close a kept-alive connection between requests: that is
    // the idle timeout's business (10 minutes here).
    let mut kept = TcpStream::connect(s.addr).await.unwrap();
    let request = b"GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for _ in 0..2 {
        kept.write_all(request).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&got).contains("Healthy") {
            let n = tokio::time::timeout(GUARD, kept.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert!(n > 0, "closed between requests");
            got.extend_from_slice(&buf[..n]);
        }
        // Longer than the header timeout, idle between requests.
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let s = TestServer::start(|c| {
        c.connections.idle_timeout = Duration::from_millis(200);
    })
    .await;
    let mut kept = TcpStream::connect(s.addr).await.unwrap();
    kept.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut kept).await;
    assert!(String::from_utf8_lossy(&answer).contains("Healthy"));
    assert_eq!(s.st.connections.idle_timeouts.load(Ordering::Relaxed), 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_closed_and_the_server_recovers() {
    let s = TestServer::start(|c| {
        c.connections.max_connections = 2;
        c.connections.header_read_timeout = Duration::from_secs(600);
    })
    .await;
    let first = TcpStream::connect(s.addr).await.unwrap();
    let second = TcpStream::connect(s.addr).await.unwrap();
    // Wait until both are accepted and hold their slots.
    for _ in 0..1000 {
        if s.st.connections.open.load(Ordering::Relaxed) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(s.st.connections.open.load(Ordering::Relaxed), 2);
    let mut third = TcpStream::connect(s.addr).await.unwrap();
    let _ = third
        .write_all(b"GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await;
    let answer = until_closed(&mut third).await;
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    assert_eq!(s.st.connections.refused.load(Ordering::Relaxed), 1);
    drop((first, second));
    // Once the others have gone, the server answers again.
    let mut healthy = false;
    for _ in 0..1000 {
        if let Ok(resp) = reqwest::get(s.url("/-/healthy")).await {
            if resp.status() == 200 {
                healthy = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        healthy,
        "the server answers once the extra connections closed"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_for_other_host_names_are_refused_on_loopback() {
    let s = TestServer::start(|c| c.allowed_hosts = vec!["Grafana.Internal".into()]).await;
    let port = s.addr.port();
    let (code, body) = raw(
        s.addr,
        "GET",
        "/api/v1/labels",
        &[("Host", &format!("rebound.example:{port}"))],
        "",
    )
    .await;
    assert_eq!(code, 421, "{body}");
    assert!(
        body.contains("--web-allowed-host rebound.example"),
        "{body}"
    );
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("grafana.internal:{port}"),
    ] {
        let (code, body) = raw(s.addr, "GET", "/-/healthy", &[("Host", &host)], "").await;
        assert_eq!(code, 200, "{host}: {body}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_from_another_origin_are_refused() {
    let s = TestServer::start(|_| {}).await;
    let host = s.addr.to_string();
    let own = format!("http://{host}");
    let foreign = [("Host", host.as_str()), ("Origin", "http://evil.example")];
    // A page of another site posting text/plain to the push endpoint, or a reload.
    let (code, body) = raw(s.addr, "POST", "/loki/api/v1/push", &foreign, LOKI_LINE).await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("cross-origin"), "{body}");
    let (code, body) = raw(s.addr, "POST", "/-/reload", &foreign, "").await;
    assert_eq!(code, 403, "{body}");
    let (code, body) = raw(s.addr, "POST", "/api/v1/write", &foreign, "").await;
    assert_eq!(code, 403, "{body}");
    // A tail WebSocket opened by another site's page.
    let upgrade = [
        ("Host", host.as_str()),
        ("Origin", "http://evil.example"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let (code, body) = raw(
        s.addr,
        "GET",
        "/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D",
        &upgrade,
        "",
    )
    .await;
    assert_eq!(code, 403, "{body}");
    // Nothing of the refused push was stored.
    let (code, body) = s.get("/loki/api/v1/labels?start=0").await;
    assert_eq!(code, 200);
    assert!(!body.contains("app"), "{body}");
    // Read-only forms from another origin, and writes from the server's own origin or
    // without an Origin, are served.
    let form = [
        ("Host", host.as_str()),
        ("Origin", "http://evil.example"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let (code, body) = raw(s.addr, "POST", "/api/v1/query", &form, "query=1").await;
    assert_eq!(code, 200, "{body}");
    let same = [
        ("Host", host.as_str()),
        ("Origin", own.as_str()),
        ("Content-Type", "application/json"),
    ];
    let (code, body) = raw(s.addr, "POST", "/loki/api/v1/push", &same, LOKI_LINE).await;
    assert_eq!(code, 204, "{body}");
    let (code, body) = raw(s.addr, "POST", "/-/reload", &[("Host", host.as_str())], "").await;
    assert_eq!(code, 200, "{body}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_are_parsed_on_a_query_slot_within_the_timeout() {
    let s = TestServer::start(|c| {
        c.query_limits.max_concurrent = 1;
        c.query_limits.timeout = Duration::from_millis(300);
    })
    .await;
    // With the only slot taken, a query that does not parse waits for the slot like any
    // other and is refused when the timeout passes: its parse is counted as query work.
    let held = s.st.query_slots.clone().acquire_owned().await.unwrap();
    for path in [
        "/api/v1/format_query?query=sum(",
        "/api/v1/query?query=sum(",
        "/api/v1/query_range?query=sum(&start=0&end=60&step=15",
        "/api/v1/query_exemplars?query=sum(",
        "/api/v1/series?match[]=%7B",
        "/loki/api/v1/query?query=%7B",
        "/loki/api/v1/query_range?query=%7B",
    ] {
        let (code, body) = s.get(path).await;
        assert_eq!(code, 503, "{path}: {body}");
        assert!(body.contains("--max-concurrent-queries"), "{path}: {body}");
    }
    drop(held);
    let (code, body) = s.get("/api/v1/format_query?query=sum(").await;
    assert_eq!(code, 400, "{body}");
    let (code, body) = s.get("/api/v1/format_query?query=sum(up)").await;
    assert_eq!(code, 200, "{body}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_hidden_in_the_configuration_and_the_targets() {
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path().join("prometheus.yml");
    std::fs::write(
        &cfg,
        r#"scrape_configs:
- job_name: basic
  scrape_interval: 1s
  basic_auth: {username: alice, password: pw-basic}
  static_configs: [{targets: ['scraper:tgt-pw@127.0.0.1:1']}]
- job_name: bearer
  bearer_token: tok-bearer
- job_name: authz
  authorization: {credentials: cred-authz}
"#,
    )
    .unwrap();
    let s = TestServer::start(|c| c.scrape_config = Some(cfg.clone())).await;
    let secrets = ["pw-basic", "tgt-pw", "tok-bearer", "cred-authz"];
    let (code, body) = s.get("/api/v1/status/config").await;
    assert_eq!(code, 200);
    for secret in secrets {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
    assert!(body.contains("<secret>"), "{body}");
    // The target's URL and, once it was scraped (and failed), its error.
    let mut targets = String::new();
    for _ in 0..1000 {
        targets = s.get("/api/v1/targets").await.1;
        if targets.contains("\"health\":\"down\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(targets.contains("\"health\":\"down\""), "{targets}");
    assert!(
        targets.contains("scraper:<secret>@127.0.0.1:1"),
        "{targets}"
    );
    for secret in secrets {
        assert!(!targets.contains(secret), "{secret} in {targets}");
    }
    s.stop().await;
}
