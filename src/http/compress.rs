//! gzip for the server's answers, as Prometheus and Loki compress theirs: a day of 200
//! series is 6 MB of JSON and about a sixth of that compressed, which a browser on a remote
//! link or Grafana feels.
//!
//! An answer is compressed when the client accepts gzip, it is not compressed already, it is
//! text or JSON, its whole body is in memory (a streamed answer, such as `/federate` or an
//! export, keeps streaming), and it is larger than a network packet. Large bodies are
//! compressed on the blocking pool, so that the server's threads keep answering.

use axum::body::Body;
use axum::body::HttpBody as _;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;

/// Below this, compressing saves less than it costs.
const MIN_BYTES: u64 = 1400;
/// Above this, the body is compressed off the async threads.
const BLOCKING_BYTES: u64 = 64 * 1024;

pub async fn compress(req: Request, next: Next) -> Response {
    let gzip = super::ui::accepts_gzip(req.headers());
    let resp = next.run(req).await;
    if !gzip || !worth_compressing(&resp) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let len = body.size_hint().exact().unwrap_or(0);
    // The body is in memory (its size is exact), so reading it cannot wait on anything.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    let zipped = if len > BLOCKING_BYTES {
        tokio::task::spawn_blocking(move || gzip_bytes(&bytes))
            .await
            .unwrap_or_default()
    } else {
        gzip_bytes(&bytes)
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Response::from_parts(parts, Body::from(zipped))
}

fn worth_compressing(resp: &Response) -> bool {
    let headers = resp.headers();
    if headers.contains_key(header::CONTENT_ENCODING) || resp.status().as_u16() == 101 {
        return false;
    }
    let textual = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("application/json")
                || t.starts_with("text/")
                || t.starts_with("application/openmetrics-text")
        });
    textual
        && resp
            .body()
            .size_hint()
            .exact()
            .is_some_and(|n| n >= MIN_BYTES)
}

/// Fast gzip: the answers are built for one request, so speed beats the last few percent.
fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing to memory cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}
