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
