//! What is decided about a request before a handler sees it: whether its `Host` is one the
//! server answers to (a defence against DNS rebinding), whether a request that changes the
//! server's state comes from a web page of another origin (a defence against cross-site
//! writes), and, around everything, that a panic in one request's work becomes a 500 for
//! that request alone.
//!
//! Why these checks: without `--web-config`, anyone who reaches the port may query and
//! push, which is why the default address is loopback. A web page the user opens cannot
//! reach loopback by its own origin, but it can in two ways that these checks close. It can
//! make its own host name resolve to 127.0.0.1 (DNS rebinding) and then read the API as
//! "same origin": its requests carry its own name as `Host`, which a loopback server
//! refuses. And it can send requests that need no answer to do harm, such as a form POST of
//! `text/plain` to a push endpoint or to `/-/reload`: browsers mark those with an `Origin`
//! header, which programs (curl, Prometheus, Promtail, Grafana's server-side proxy) do not
//! send.

use super::errors::{panic_message, ApiError};
use super::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Who the server answers to.
#[derive(Clone, Debug)]
pub struct Admission {
    /// `http` or `https`: the scheme of the server's own origin.
    pub scheme: &'static str,
    /// Whether the server listens on a loopback address: then only loopback names and
    /// addresses, and `allowed_hosts`, are answered.
    pub loopback: bool,
    /// `--web-allowed-host` names, lowercase.
    pub allowed_hosts: Vec<String>,
}

/// `host[:port]` or `[v6]:port` split into a lowercase host (without brackets or a final
/// dot) and its port.
fn split_authority(authority: &str) -> (String, Option<u16>) {
    let authority = authority.trim();
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => (rest, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            _ => (authority, None),
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (host, port.and_then(|p| p.parse().ok()))
}

impl Admission {
    /// Whether a request with this `Host` header is answered. A request without one is (no
    /// browser sends such a request).
    pub fn host_allowed(&self, host_header: Option<&str>) -> bool {
        let Some(value) = host_header else {
            return true;
        };
        let (host, _) = split_authority(value);
        if self.allowed_hosts.contains(&host) || host == "localhost" {
            return true;
        }
        let address = host.parse::<IpAddr>().ok();
        if self.loopback {
            address.is_some_and(|a| a.is_loopback())
        } else {
            // On another address, names are checked only when some are listed; an address
            // itself cannot be rebound to another machine.
            self.allowed_hosts.is_empty() || address.is_some()
        }
    }

    /// Whether `origin` (an `Origin` header) is the server's own: the same scheme, host and
    /// port as the request's `Host`.
    pub fn same_origin(&self, origin: &str, host_header: Option<&str>) -> bool {
        let Some(host_header) = host_header else {
            return false;
        };
        let Some((scheme, authority)) = origin.trim().split_once("://") else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(self.scheme) || authority.contains('/') {
            return false;
        }
        let default_port = if self.scheme == "https" { 443 } else { 80 };
        let (o_host, o_port) = split_authority(authority);
        let (h_host, h_port) = split_authority(host_header);
        o_host == h_host && o_port.unwrap_or(default_port) == h_port.unwrap_or(default_port)
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn refusal(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// Answers 421 to a request whose `Host` the server does not answer to.
pub async fn check_host(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let host = header_text(req.headers(), header::HOST);
    if st.admission.host_allowed(host) {
        return next.run(req).await;
    }
    let (name, _) = split_authority(host.unwrap_or(""));
    let listening = if st.admission.loopback {
        "this server listens on a loopback address and answers to localhost and loopback addresses"
    } else {
        "this server answers to its --web-allowed-host names and to addresses"
    };
    refusal(
        StatusCode::MISDIRECTED_REQUEST,
        format!(
            "Host {:?} refused: {listening} only, so that a web page cannot reach it under a name of its own (DNS rebinding). To use this name, start argus serve with --web-allowed-host {name}",
            host.unwrap_or("")
        ),
    )
}

/// The endpoints that read only, which Prometheus' and Loki's clients may POST as forms:
/// a form from another site may reach them, since it cannot read the answer.
fn is_read_only_form(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/query"
            | "/api/v1/query_range"
            | "/api/v1/series"
            | "/api/v1/labels"
            | "/api/v1/query_exemplars"
            | "/api/v1/format_query"
            | "/loki/api/v1/query"
            | "/loki/api/v1/query_range"
            | "/loki/api/v1/labels"
            | "/loki/api/v1/label"
            | "/loki/api/v1/series"
            | "/loki/api/v1/index/stats"
            | "/loki/api/v1/index/volume"
            | "/loki/api/v1/detected_labels"
    ) || (path.starts_with("/loki/api/v1/label/") && path.ends_with("/values"))
}

/// Whether a request is checked for its origin: every method but GET, HEAD and OPTIONS on
/// a path that is not a read-only form, and every WebSocket upgrade (browsers do not apply
/// the same-origin policy to WebSockets, so a page of another site could read a tail).
fn origin_matters(req: &Request) -> bool {
    let upgrade = header_text(req.headers(), header::UPGRADE)
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    upgrade || !(reads || is_read_only_form(req.uri().path()))
}

/// Answers 403 to a request that would change the server's state (or open a tail) and
/// carries an `Origin` other than the server's own.
pub async fn check_origin(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let Some(origin) = header_text(headers, header::ORIGIN) else {
        return next.run(req).await;
    };
    let host = header_text(headers, header::HOST);
    if !origin_matters(&req) || st.admission.same_origin(origin, host) {
        return next.run(req).await;
    }
    let own = format!(
        "{}://{}",
        st.admission.scheme,
        host.unwrap_or("<no Host header>")
    );
    refusal(
        StatusCode::FORBIDDEN,
        format!(
            "cross-origin request refused: {} {} comes from a web page of origin {origin:?}, not from this server ({own}). Pushes, /-/reload and tails are taken from other origins only without an Origin header, as programs send them (curl, Prometheus, Promtail, Grafana's server-side proxy)",
            req.method(),
            req.uri().path()
        ),
    )
}

/// Answers a request whose handler panicked with a 500 naming the panic, in the error shape
/// of its API; the connection, the other requests and the server go on.
pub async fn contain_panics(req: Request, next: Next) -> Response {
    let prometheus = req.uri().path().starts_with("/api/v1/");
    match (CatchUnwind(Box::pin(next.run(req)))).await {
        Ok(resp) => resp,
        Err(payload) => {
            let e = ApiError::internal(format!(
                "internal error: the request failed on a bug in argus ({}); the server goes on",
                panic_message(payload.as_ref())
            ));
            if prometheus {
                e.prometheus()
            } else {
                e.plain()
            }
        }
    }
}

/// A future that turns a panic while polling `F` into an `Err` with the panic's payload.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        // After a panic the inner future is never polled again: this future is ready with
        // the error, and the request's state it may have left half-done is dropped with it.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(allowed: &[&str]) -> Admission {
        Admission {
            scheme: "http",
            loopback: true,
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_loopback_server_answers_loopback_names_and_listed_ones() {
        let a = loopback(&[]);
        for ok in [
            "localhost",
            "localhost:9180",
            "LOCALHOST.:9180",
            "127.0.0.1:9180",
            "127.3.2.1",
            "[::1]:9180",
            "[::1]",
        ] {
            assert!(a.host_allowed(Some(ok)), "{ok}");
        }
        assert!(a.host_allowed(None));
        for refused in [
            "evil.example:9180",
            "evil.example",
            "10.0.0.1:9180",
            "localhost.evil.example",
        ] {
            assert!(!a.host_allowed(Some(refused)), "{refused}");
        }
        let listed = loopback(&["grafana.internal"]);
        assert!(listed.host_allowed(Some("Grafana.Internal:9180")));
        assert!(!listed.host_allowed(Some("evil.example")));
    }

    #[test]
    fn another_address_checks_names_only_when_some_are_listed() {
        let mut a = loopback(&[]);
        a.loopback = false;
        assert!(a.host_allowed(Some("anything.example:9180")));
        a.allowed_hosts = vec!["argus.example".into()];
        assert!(a.host_allowed(Some("argus.example:9180")));
        assert!(a.host_allowed(Some("192.168.1.5:9180")));
        assert!(a.host_allowed(Some("localhost")));
        assert!(!a.host_allowed(Some("evil.example")));
    }

    #[test]
    fn same_origin_compares_scheme_host_and_port() {
        let a = loopback(&[]);
        assert!(a.same_origin("http://127.0.0.1:9180", Some("127.0.0.1:9180")));
        assert!(a.same_origin("http://localhost", Some("localhost:80")));
        assert!(!a.same_origin("http://127.0.0.1:9181", Some("127.0.0.1:9180")));
        assert!(!a.same_origin("https://127.0.0.1:9180", Some("127.0.0.1:9180")));
        assert!(!a.same_origin("http://evil.example", Some("127.0.0.1:9180")));
        assert!(!a.same_origin("null", Some("127.0.0.1:9180")));
        assert!(!a.same_origin("http://127.0.0.1:9180", None));
    }
}
