//! Delivering notifications over HTTP: building each request of a flush (URL, body) and
//! posting it with retries, as Alertmanager's retry stage does, plus what Slack asks of
//! senders.
//!
//! An attempt succeeds on a 2xx answer (for Slack, with the body `ok` or a JSON `"ok":
//! true`). Connection errors, timeouts and 5xx answers are retried with exponential backoff
//! and jitter (Alertmanager's: 500ms, ×1.5 each time, at most 60s, ±50%) until the next try
//! would start after the deadline (the group's next flush). A 429 waits for its
//! `Retry-After` seconds when it gives them (Alertmanager does not retry a 429 at all; Slack
//! asks senders to honour it). Any other answer fails at once. Errors name the receiver and
//! the integration and quote the answer, never the URL: webhook and Slack URLs carry
//! secrets.
//!
//! Time goes through [`Timer`] so that the retry policy can be tested without sleeping.

use super::config::Config;
use super::data::Data;
use super::dispatch::{Flush, Integration, IntegrationKind, Notification};
use super::receiver::SecretUrl;
use super::slack::{self, Expand};
use super::webhook;
use crate::model::limits::excerpt;
use std::future::Future;
use std::time::{Duration, Instant};

/// The User-Agent of every notification.
pub const USER_AGENT: &str = concat!("argus/", env!("CARGO_PKG_VERSION"));

/// One client for all notifications of a process (it pools connections). Proxies from the
/// environment are not used, as Alertmanager uses none unless its `http_config` says so
/// (which argus refuses).
pub fn build_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .no_proxy()
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", chain(&e)))
}

/// Where retries get their time from: the real clock, or a test's.
pub trait Timer: Send + Sync {
    fn now(&self) -> Instant;
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioTimer;

impl Timer for TokioTimer {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(d)
    }
}

/// Exponential backoff with jitter between retries.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub initial: Duration,
    pub multiplier: f64,
    pub max_interval: Duration,
    /// Each wait is the nominal one times a random factor in `1 ± randomization`.
    pub randomization: f64,
    /// Seed of the jitter; tests fix it.
    pub seed: u64,
}

impl Default for RetryPolicy {
    /// Alertmanager's (the backoff library's defaults), seeded from the clock.
    fn default() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        RetryPolicy {
            initial: Duration::from_millis(500),
            multiplier: 1.5,
            max_interval: Duration::from_secs(60),
            randomization: 0.5,
            seed,
        }
    }
}

/// One HTTP request of a notification.
#[derive(Clone, Debug)]
pub struct Request {
    pub receiver: String,
    pub integration: Integration,
    pub url: SecretUrl,
    pub body: Vec<u8>,
    /// Timeout of one attempt; `None` leaves only the deadline.
    pub timeout: Option<Duration>,
}

/// A notification that could not be delivered.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "notifying receiver {receiver:?} ({integration}) failed after {attempts} attempt(s): {reason}"
)]
pub struct SendError {
    pub receiver: String,
    pub integration: String,
    pub attempts: u32,
    pub reason: String,
    /// The HTTP status of the last answer, if one came.
    pub status: Option<u16>,
}

impl SendError {
    /// Alertmanager's `reason` label of `alertmanager_notifications_failed_total`:
    /// `clientError` for a 4xx answer, `serverError` for a 5xx, `other` for the rest
    /// (no answer, a template that failed, an error in a 200 answer).
    pub fn reason_label(&self) -> &'static str {
        match self.status {
            Some(400..=499) => "clientError",
            Some(500..=599) => "serverError",
            _ => "other",
        }
    }
}

/// The outcome of one attempt.
enum Attempt {
    Delivered,
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    Fail(String),
}

/// Builds the request of one notification of a flush: the integration's URL (read from its
/// file now, if it has one) and its body.
pub fn request_for(
    cfg: &Config,
    flush: &Flush,
    n: &Notification,
    external_url: &str,
    expand: &dyn Expand,
) -> Result<Request, String> {
    let receiver = cfg
        .receiver(&flush.receiver)
        .ok_or_else(|| format!("receiver {:?} is no longer configured", flush.receiver))?;
    let i = n.integration.index;
    let missing = || format!("receiver {:?} has no {}", flush.receiver, n.integration);
    let ms = |t: i64| (t > 0).then(|| Duration::from_millis(t as u64));
    match n.integration.kind {
        IntegrationKind::Webhook => {
            let w = receiver.webhook_configs.get(i).ok_or_else(missing)?;
            Ok(Request {
                receiver: flush.receiver.clone(),
                integration: n.integration,
                url: w.url.resolve()?,
                body: webhook::body(
                    &flush.receiver,
                    &flush.group_key,
                    &flush.group_labels,
                    &n.alerts,
                    external_url,
                    w.max_alerts,
                ),
                timeout: ms(w.timeout),
            })
        }
        IntegrationKind::Slack => {
            let s = receiver.slack_configs.get(i).ok_or_else(missing)?;
            let data = Data::new(
                &flush.receiver,
                &flush.group_labels,
                &n.alerts,
                external_url,
            );
            Ok(Request {
                receiver: flush.receiver.clone(),
                integration: n.integration,
                url: s.api_url.resolve()?,
                body: slack::body(s, &data, expand)?,
                timeout: ms(s.timeout),
            })
        }
    }
}

/// What delivering needs besides the flush: the HTTP client, the external URL the messages
/// link to, the template expander, the retry policy and the clock.
pub struct Sender<'a, T: Timer + Clone + 'static> {
    pub client: &'a reqwest::Client,
    pub external_url: &'a str,
    pub expand: &'a dyn Expand,
    pub policy: RetryPolicy,
    pub timer: T,
}

impl<T: Timer + Clone + 'static> Sender<'_, T> {
    /// Delivers every notification of a flush at once, each retried for at most `budget`.
    /// The results (attempts made, or the error) are in the order of
    /// `flush.notifications`, ready for [`super::dispatch::DispatchState::finish`].
    pub async fn deliver_flush(
        &self,
        cfg: &Config,
        flush: &Flush,
        budget: Duration,
    ) -> Vec<Result<u32, SendError>> {
        let deadline = self.timer.now() + budget;
        let mut results: Vec<Option<Result<u32, SendError>>> =
            vec![None; flush.notifications.len()];
        let mut tasks = tokio::task::JoinSet::new();
        for (i, n) in flush.notifications.iter().enumerate() {
            match request_for(cfg, flush, n, self.external_url, self.expand) {
                Ok(req) => {
                    let (client, timer) = (self.client.clone(), self.timer.clone());
                    let mut policy = self.policy.clone();
                    policy.seed = policy.seed.wrapping_add(i as u64);
                    tasks.spawn(async move {
                        (i, deliver(&client, &req, &policy, &timer, deadline).await)
                    });
                }
                Err(reason) => results[i] = Some(Err(not_built(flush, n, reason))),
            }
        }
        while let Some(joined) = tasks.join_next().await {
            if let Ok((i, r)) = joined {
                results[i] = Some(r);
            }
        }
        results
            .into_iter()
            .zip(&flush.notifications)
            .map(|(r, n)| {
                r.unwrap_or_else(|| {
                    Err(not_built(
                        flush,
                        n,
                        "the delivery task ended abnormally".to_string(),
                    ))
                })
            })
            .collect()
    }
}

/// A notification that failed before any attempt.
fn not_built(flush: &Flush, n: &Notification, reason: String) -> SendError {
    SendError {
        receiver: flush.receiver.clone(),
        integration: n.integration.to_string(),
        attempts: 0,
        reason,
        status: None,
    }
}

/// Posts one request until it succeeds, fails for good, or the next try would start after
/// `deadline`. Returns the number of attempts made.
pub async fn deliver<T: Timer>(
    client: &reqwest::Client,
    req: &Request,
    policy: &RetryPolicy,
    timer: &T,
    deadline: Instant,
) -> Result<u32, SendError> {
    let mut rng = policy.seed | 1;
    let mut interval = policy.initial;
    let mut attempts = 0;
    let mut status = None;
    let fail = |attempts: u32, reason: String, status: Option<u16>| SendError {
        receiver: req.receiver.clone(),
        integration: req.integration.to_string(),
        attempts,
        reason,
        status,
    };
    loop {
        attempts += 1;
        let remaining = deadline.saturating_duration_since(timer.now());
        let timeout = req
            .timeout
            .map_or(remaining, |t| t.min(remaining))
            .max(Duration::from_millis(1));
        let (outcome, answered) = attempt(client, req, timeout).await;
        status = answered.or(status);
        let (reason, wait) = match outcome {
            Attempt::Delivered => return Ok(attempts),
            Attempt::Fail(reason) => return Err(fail(attempts, reason, status)),
            Attempt::Retry {
                reason,
                after: Some(after),
            } => (reason, after),
            Attempt::Retry {
                reason,
                after: None,
            } => {
                let wait = jittered(interval, policy.randomization, &mut rng);
                interval = interval.mul_f64(policy.multiplier).min(policy.max_interval);
                (reason, wait)
            }
        };
        if timer.now() + wait > deadline {
            return Err(fail(
                attempts,
                format!(
                    "{reason}; not retried: the next try (in {}) would come after the deadline",
                    show(wait)
                ),
                status,
            ));
        }
        timer.sleep(wait).await;
    }
}

/// One attempt, and the HTTP status of the answer if one came.
async fn attempt(
    client: &reqwest::Client,
    req: &Request,
    timeout: Duration,
) -> (Attempt, Option<u16>) {
    let sent = client
        .post(req.url.expose())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, USER_AGENT)
        .timeout(timeout)
        .body(req.body.clone())
        .send()
        .await;
    let resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let retry = Attempt::Retry {
                reason: chain(&e.without_url()),
                after: None,
            };
            return (retry, None);
        }
    };
    let status = resp.status();
    let code = Some(status.as_u16());
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let json = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body = match resp.bytes().await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            let retry = Attempt::Retry {
                reason: format!("reading the answer: {}", chain(&e.without_url())),
                after: None,
            };
            return (retry, code);
        }
    };
    let answer = || {
        let text = body.trim();
        if text.is_empty() {
            format!("unexpected status code {}", status.as_u16())
        } else {
            format!(
                "unexpected status code {}: {}",
                status.as_u16(),
                excerpt(text)
            )
        }
    };
    let outcome = if status.is_success() {
        match req.integration.kind {
            IntegrationKind::Webhook => Attempt::Delivered,
            IntegrationKind::Slack => slack_answer(&body, json),
        }
    } else if status.as_u16() == 429 {
        Attempt::Retry {
            reason: answer(),
            after: retry_after,
        }
    } else if status.is_server_error() {
        Attempt::Retry {
            reason: answer(),
            after: None,
        }
    } else {
        Attempt::Fail(answer())
    };
    (outcome, code)
}

/// Slack answers an incoming webhook with `ok`, its web API with `{"ok": true}`; both may
/// carry an error with a 200.
fn slack_answer(body: &str, json: bool) -> Attempt {
    if json {
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(default)]
            ok: bool,
            #[serde(default)]
            error: String,
        }
        return match serde_json::from_str::<Answer>(body) {
            Ok(a) if a.ok => Attempt::Delivered,
            Ok(a) => Attempt::Fail(format!("error response from Slack: {}", a.error)),
            Err(e) => Attempt::Retry {
                reason: format!(
                    "could not read Slack's JSON answer {:?}: {e}",
                    excerpt(body)
                ),
                after: None,
            },
        };
    }
    if body == "ok" {
        Attempt::Delivered
    } else {
        Attempt::Fail(format!(
            "received an error response from Slack: {}",
            excerpt(body)
        ))
    }
}

/// `d × (1 ± randomization)`, uniformly (xorshift64 for the randomness).
fn jittered(d: Duration, randomization: f64, state: &mut u64) -> Duration {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    let unit = (*state >> 11) as f64 / (1u64 << 53) as f64;
    let factor = 1.0 - randomization + 2.0 * randomization * unit;
    d.mul_f64(factor.max(0.0))
}

fn show(d: Duration) -> String {
    crate::model::time::format_duration(d.as_millis() as i64)
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let s_msg = s.to_string();
        if !msg.contains(&s_msg) {
            msg.push_str(": ");
            msg.push_str(&s_msg);
        }
        src = s.source();
    }
    msg
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;
