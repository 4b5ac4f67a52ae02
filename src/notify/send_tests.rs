//! Delivery against a small HTTP server on 127.0.0.1 that answers from a script, with a
//! timer that records the waits instead of sleeping.

use super::*;
use crate::model::Labels;
use crate::notify::alert::PostableAlert;
use crate::notify::dispatch::DispatchState;
use crate::notify::template::Templates;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// An answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, String);

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    /// Bodies and content types received.
    seen: Mutex<Vec<(String, String, String)>>,
}

async fn answer(State(s): State<Arc<Script>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    s.seen.lock().unwrap().push((
        String::from_utf8_lossy(&body).into_owned(),
        header("content-type"),
        header("user-agent"),
    ));
    let (status, extra, text) =
        s.answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or((200, vec![], "ok".into()));
    let mut b = Response::builder().status(status);
    for (k, v) in extra {
        b = b.header(k, v);
    }
    b.body(axum::body::Body::from(text)).unwrap()
}

/// Starts a server answering `answers` in turn (then 200 `ok`); returns its URL.
async fn server(answers: Vec<Answer>) -> (String, Arc<Script>) {
    let script = Arc::new(Script {
        answers: Mutex::new(answers.into()),
        ..Default::default()
    });
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(answer))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), script)
}

#[derive(Clone)]
struct FakeTimer(Arc<FakeInner>);

struct FakeInner {
    start: Instant,
    elapsed: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl FakeTimer {
    fn new() -> FakeTimer {
        FakeTimer(Arc::new(FakeInner {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
            sleeps: Mutex::new(Vec::new()),
        }))
    }

    fn sleeps(&self) -> Vec<Duration> {
        self.0.sleeps.lock().unwrap().clone()
    }
}

impl Timer for FakeTimer {
    fn now(&self) -> Instant {
        self.0.start + *self.0.elapsed.lock().unwrap()
    }

    fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send {
        self.0.sleeps.lock().unwrap().push(d);
        *self.0.elapsed.lock().unwrap() += d;
        std::future::ready(())
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        seed: 42,
        ..RetryPolicy::default()
    }
}

fn request(url: &str, kind: IntegrationKind) -> Request {
    Request {
        receiver: "team".into(),
        integration: Integration { kind, index: 0 },
        url: SecretUrl::parse(url).unwrap(),
        body: br#"{"x":1}"#.to_vec(),
        timeout: None,
    }
}

async fn send(
    url: &str,
    kind: IntegrationKind,
    timer: &FakeTimer,
    budget: Duration,
) -> Result<u32, SendError> {
    let client = reqwest::Client::new();
    deliver(
        &client,
        &request(url, kind),
        &policy(),
        timer,
        timer.now() + budget,
    )
    .await
}

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_2xx_delivers_the_body_as_json_at_once() {
    let (url, script) = server(vec![(204, vec![], String::new())]).await;
    let timer = FakeTimer::new();
    assert_eq!(
        send(&url, IntegrationKind::Webhook, &timer, MINUTE).await,
        Ok(1)
    );
    let seen = script.seen.lock().unwrap().clone();
    assert_eq!(seen[0].0, r#"{"x":1}"#);
    assert_eq!(seen[0].1, "application/json");
    assert!(seen[0].2.starts_with("argus/"));
    assert!(timer.sleeps().is_empty());
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_jittered_waits() {
    let err = |code| (code, vec![], "busy".to_string());
    let (url, script) = server(vec![err(500), err(502), err(503), err(500)]).await;
    let timer = FakeTimer::new();
    assert_eq!(
        send(&url, IntegrationKind::Webhook, &timer, MINUTE).await,
        Ok(5)
    );
    assert_eq!(script.seen.lock().unwrap().len(), 5);
    let sleeps = timer.sleeps();
    let nominal = [500.0, 750.0, 1125.0, 1687.5];
    assert_eq!(sleeps.len(), 4);
    for (s, n) in sleeps.iter().zip(nominal) {
        let ms = s.as_secs_f64() * 1000.0;
        assert!(
            ms >= n * 0.5 && ms <= n * 1.5,
            "{ms} not within ±50% of {n}"
        );
    }
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let limited = (
        429,
        vec![("retry-after", "7".to_string())],
        "rate_limited".to_string(),
    );
    let (url, _) = server(vec![limited.clone(), limited]).await;
    let timer = FakeTimer::new();
    assert_eq!(
        send(&url, IntegrationKind::Slack, &timer, MINUTE).await,
        Ok(3)
    );
    assert_eq!(
        timer.sleeps(),
        [Duration::from_secs(7), Duration::from_secs(7)]
    );
}

#[tokio::test]
async fn a_429_whose_wait_passes_the_deadline_gives_up_at_once() {
    let limited = (
        429,
        vec![("retry-after", "120".to_string())],
        "rate_limited".to_string(),
    );
    let (url, _) = server(vec![limited]).await;
    let timer = FakeTimer::new();
    let e = send(&url, IntegrationKind::Slack, &timer, MINUTE)
        .await
        .unwrap_err();
    assert_eq!(e.attempts, 1);
    assert!(e.reason.contains("429: rate_limited"), "{e}");
    assert!(e.reason.contains("after the deadline"), "{e}");
    assert!(timer.sleeps().is_empty());
}

#[tokio::test]
async fn client_errors_are_not_retried_and_name_the_receiver_and_answer() {
    let (url, script) = server(vec![(404, vec![], "no_service".into())]).await;
    let timer = FakeTimer::new();
    let e = send(&url, IntegrationKind::Slack, &timer, MINUTE)
        .await
        .unwrap_err();
    assert_eq!(script.seen.lock().unwrap().len(), 1);
    assert_eq!(
        e.to_string(),
        "notifying receiver \"team\" (slack[0]) failed after 1 attempt(s): unexpected status code 404: no_service"
    );
    assert!(!e.to_string().contains("127.0.0.1"), "no URL in messages");
}

#[tokio::test]
async fn connection_errors_are_retried_until_the_deadline() {
    // A port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hook");
    let timer = FakeTimer::new();
    let budget = Duration::from_secs(10);
    let e = send(&url, IntegrationKind::Webhook, &timer, budget)
        .await
        .unwrap_err();
    assert!(e.attempts > 3, "{e}");
    assert_eq!(e.attempts as usize, timer.sleeps().len() + 1);
    let waited: Duration = timer.sleeps().iter().sum();
    assert!(waited <= budget, "{waited:?}");
    assert!(e.reason.contains("after the deadline"), "{e}");
    assert!(
        !e.to_string().contains(&port.to_string()),
        "no URL in messages: {e}"
    );
}

#[tokio::test]
async fn slack_wants_ok_in_the_answer() {
    let (url, _) = server(vec![(200, vec![], "invalid_payload".into())]).await;
    let timer = FakeTimer::new();
    let e = send(&url, IntegrationKind::Slack, &timer, MINUTE)
        .await
        .unwrap_err();
    assert!(
        e.reason
            .contains("received an error response from Slack: invalid_payload"),
        "{e}"
    );
    let json = vec![("content-type", "application/json".to_string())];
    let (url, _) = server(vec![
        (
            200,
            json.clone(),
            r#"{"ok":false,"error":"channel_not_found"}"#.into(),
        ),
        (200, json, r#"{"ok":true}"#.into()),
    ])
    .await;
    let e = send(&url, IntegrationKind::Slack, &timer, MINUTE)
        .await
        .unwrap_err();
    assert!(
        e.reason
            .ends_with("error response from Slack: channel_not_found"),
        "{e}"
    );
    assert_eq!(
        send(&url, IntegrationKind::Slack, &timer, MINUTE).await,
        Ok(1)
    );
    // A webhook's 200 is success whatever it says.
    let (url, _) = server(vec![(200, vec![], "whatever".into())]).await;
    assert_eq!(
        send(&url, IntegrationKind::Webhook, &timer, MINUTE).await,
        Ok(1)
    );
}

#[tokio::test]
async fn a_flush_is_delivered_end_to_end() {
    let (url, script) = server(vec![]).await;
    let text = format!(
        "route: {{receiver: team, group_by: [alertname]}}\nreceivers:\n  - name: team\n    webhook_configs: [{{url: '{url}'}}]\n    slack_configs: [{{api_url: '{url}'}}]\n"
    );
    let cfg = Config::parse(&text).unwrap();
    let mut state = DispatchState::new();
    let alert = PostableAlert {
        labels: Labels::from_pairs([("alertname", "Down"), ("job", "api")]),
        starts_at: Some(0),
        ends_at: Some(3_600_000),
        ..Default::default()
    };
    state.ingest(&cfg, vec![alert], 0);
    let flushes = state.flush(&cfg, &[], 30_000);
    assert_eq!(flushes.len(), 1);
    let client = build_client().unwrap();
    let timer = FakeTimer::new();
    let sender = Sender {
        client: &client,
        external_url: "http://argus:9090",
        expand: &Templates::defaults(),
        policy: policy(),
        timer: timer.clone(),
    };
    let results = sender.deliver_flush(&cfg, &flushes[0], MINUTE).await;
    assert_eq!(results, [Ok(1), Ok(1)]);
    let seen = script.seen.lock().unwrap().clone();
    let bodies: Vec<serde_json::Value> = seen
        .iter()
        .map(|s| serde_json::from_str(&s.0).unwrap())
        .collect();
    let hook = bodies.iter().find(|b| b.get("version").is_some()).unwrap();
    assert_eq!(hook["groupKey"], r#"{}:{alertname="Down"}"#);
    assert_eq!(hook["externalURL"], "http://argus:9090");
    let slack = bodies
        .iter()
        .find(|b| b.get("attachments").is_some())
        .unwrap();
    assert_eq!(slack["attachments"][0]["title"], "[FIRING:1] Down (api)");
    let oks: Vec<bool> = results.iter().map(|r| r.is_ok()).collect();
    state.finish(&flushes[0], &oks, 31_000);
    assert!(
        state.flush(&cfg, &[], 330_000).is_empty(),
        "logged as notified"
    );
}

#[tokio::test]
async fn a_request_that_cannot_be_built_fails_without_sending() {
    let text = "route: {receiver: team}\nreceivers:\n  - name: team\n    webhook_configs: [{url_file: /nonexistent/argus-hook-url}]\n";
    let cfg = Config::parse(text).unwrap();
    let mut state = DispatchState::new();
    let alert = PostableAlert {
        labels: Labels::from_pairs([("alertname", "Down")]),
        ..Default::default()
    };
    state.ingest(&cfg, vec![alert], 0);
    let flushes = state.flush(&cfg, &[], 30_000);
    let client = reqwest::Client::new();
    let sender = Sender {
        client: &client,
        external_url: "",
        expand: &Templates::defaults(),
        policy: policy(),
        timer: FakeTimer::new(),
    };
    let results = sender.deliver_flush(&cfg, &flushes[0], MINUTE).await;
    let e = results[0].as_ref().unwrap_err();
    assert_eq!(e.attempts, 0);
    assert!(
        e.reason
            .contains("cannot read the URL file /nonexistent/argus-hook-url"),
        "{e}"
    );
}
