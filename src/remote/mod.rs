//! Clients for remote Prometheus- and Loki-compatible servers (`--server URL`).
//!
//! Only the client side lives here; argus' own HTTP server is `http/`.

pub mod loki;
pub mod prometheus;

/// An HTTP client for a remote server at `base` with a per-request timeout.
pub(crate) fn http_client(
    base: &str,
    timeout: std::time::Duration,
) -> Result<reqwest::Client, prometheus::RemoteError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("argus/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| prometheus::RemoteError::Unreachable {
            url: base.to_string(),
            reason: e.to_string(),
        })
}

/// Sends a request and reads the whole answer; a connection failure or timeout names `url`.
pub(crate) async fn fetch(
    req: reqwest::RequestBuilder,
    url: &str,
) -> Result<(reqwest::StatusCode, Vec<u8>), prometheus::RemoteError> {
    let unreachable = |e: reqwest::Error| prometheus::RemoteError::Unreachable {
        url: url.to_string(),
        reason: e.to_string(),
    };
    let resp = req.send().await.map_err(unreachable)?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(unreachable)?;
    Ok((status, body.into()))
}
