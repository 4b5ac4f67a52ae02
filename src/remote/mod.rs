//! Clients for remote Prometheus- and Loki-compatible servers (`--server URL`).
//!
//! Only the client side lives here; argus' own HTTP server is `http/`.

pub mod loki;
pub mod prometheus;

/// The base URL of a server as the user wrote it: `host:port` (what `--listen` and Prometheus'
/// `--web.listen-address` print) means `http://host:port`; anything else must be an http or
/// https URL with a host. The result has no trailing `/`, so API paths append to it. The error
/// names the value and what was expected.
pub fn base_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("http://{s}")
    };
    let expected = "expected http://host:port, https://host:port or host:port";
    let url = reqwest::Url::parse(&with_scheme)
        .map_err(|e| format!("{s:?} is not a server URL ({e}); {expected}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{s:?}: argus speaks http and https, not {}; {expected}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{s:?} names no host; {expected}"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{s:?}: a server URL has no query or fragment; {expected}"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_default_to_http_and_refuse_what_is_not_a_server() {
        assert_eq!(base_url("127.0.0.1:9090").unwrap(), "http://127.0.0.1:9090");
        assert_eq!(base_url("localhost:3100").unwrap(), "http://localhost:3100");
        assert_eq!(base_url("[::1]:9090").unwrap(), "http://[::1]:9090");
        assert_eq!(
            base_url("https://prom.example/prometheus/").unwrap(),
            "https://prom.example/prometheus"
        );
        assert_eq!(base_url("http://h:9090").unwrap(), "http://h:9090");
        for bad in [
            "ftp://h:21",
            "http://",
            "http://exa mple",
            "h:9090/?x=1",
            "",
        ] {
            let e = base_url(bad).unwrap_err();
            assert!(e.contains(&format!("{:?}", bad.trim())), "{bad}: {e}");
        }
    }
}
