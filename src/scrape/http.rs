//! The HTTP request of one scrape, shaped like Prometheus': `Accept` preferring OpenMetrics
//! with the text format as fallback, `Accept-Encoding: gzip` (reqwest adds it and inflates the
//! body), `X-Prometheus-Scrape-Timeout-Seconds`, `User-Agent: argus/<version>`, basic or
//! `Authorization` header authentication, redirects followed.
//!
//! The timeout covers the whole exchange (connect, headers and body). A non-2xx status fails
//! the scrape with the status in the message. The body is limited (after decompression) to
//! [`DEFAULT_BODY_SIZE_LIMIT`] unless the caller sets another limit; a larger body fails the
//! scrape rather than exhausting memory.
//!
//! This file does not parse the body.

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use super::parse::SCRAPE_ACCEPT_HEADER;
use super::target::{Auth, Target};

/// 64 MiB: far above any real exporter (node_exporter is well under 1 MiB), low enough that
/// a runaway target cannot take the machine's memory.
pub const DEFAULT_BODY_SIZE_LIMIT: usize = 64 << 20;

/// The User-Agent of every scrape.
pub const USER_AGENT: &str = concat!("argus/", env!("CARGO_PKG_VERSION"));

/// A response body and its Content-Type.
#[derive(Debug)]
pub struct Fetched {
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// One client for all targets of a run (it pools connections, also across the rounds of a
/// loop). Proxies from the environment (`HTTP_PROXY`...) are not used, as Prometheus does not
/// use them unless told to: a cron environment's proxy must not capture scrapes of local
/// exporters.
pub fn build_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .gzip(true)
        .no_proxy()
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", chain(&e)))
}

/// Fetches one target's metrics.
pub async fn fetch(
    client: &reqwest::Client,
    target: &Target,
    body_limit: usize,
) -> Result<Fetched, String> {
    let timeout = Duration::from_millis(target.timeout_ms.max(1) as u64);
    match tokio::time::timeout(timeout, fetch_inner(client, target, body_limit)).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "scrape timed out after {} (scrape_timeout)",
            crate::model::time::format_duration(target.timeout_ms)
        )),
    }
}

async fn fetch_inner(
    client: &reqwest::Client,
    target: &Target,
    body_limit: usize,
) -> Result<Fetched, String> {
    let timeout_s = target.timeout_ms as f64 / 1000.0;
    let mut req = client
        .get(&target.url)
        .header(ACCEPT, HeaderValue::from_static(SCRAPE_ACCEPT_HEADER))
        .header(
            "X-Prometheus-Scrape-Timeout-Seconds",
            format!("{timeout_s}"),
        );
    match &target.auth {
        None => {}
        Some(Auth::Basic { username, password }) => {
            let pw = password.as_ref().map(|p| p.resolve()).transpose()?;
            req = req.basic_auth(username, pw);
        }
        Some(Auth::Header { kind, credentials }) => {
            let value = format!("{kind} {}", credentials.resolve()?);
            let mut hv = HeaderValue::from_str(&value)
                .map_err(|_| "the authorization credentials are not a valid header".to_string())?;
            hv.set_sensitive(true);
            req = req.header(AUTHORIZATION, hv);
        }
    }
    let mut resp = req.send().await.map_err(|e| chain(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("server returned HTTP status {status}"));
    }
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| chain(&e))? {
        if body.len() + chunk.len() > body_limit {
            return Err(format!(
                "body size limit exceeded: more than {body_limit} bytes"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { content_type, body })
}

/// An error with its causes: reqwest's own message hides the useful part ("connection
/// refused") in its sources.
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
