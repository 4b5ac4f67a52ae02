//! The web UI: the bundle `scripts/build-ui` makes of `web/src` (committed in `web/dist`),
//! embedded in the binary and served from memory, so that the UI works without network and
//! `cargo build` needs no Node toolchain.
//!
//! Every page path answers the same HTML (the pages are drawn by the script, which reads
//! the path); `/` and Prometheus' old `/graph` redirect to `/query`, keeping the query string,
//! so that alert `generatorURL`s and old bookmarks open their query. The script and the
//! style sheet are gzip-compressed once, on first use, and served compressed to clients that
//! accept it; their URLs carry the bundle's version (`?v=`), so that they may be cached for
//! a year, while the HTML is revalidated each time.

use axum::extract::RawQuery;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::io::Write;
use std::sync::OnceLock;

const INDEX: &str = include_str!("../../web/dist/index.html");
const APP_JS: &[u8] = include_bytes!("../../web/dist/app.js");
const APP_CSS: &[u8] = include_bytes!("../../web/dist/app.css");
const LICENSES: &[u8] = include_bytes!("../../web/dist/LICENSES.txt");
const INPUTS_MD5: &str = include_str!("../../web/dist/inputs.md5");

/// The paths of the UI's pages, as `web/src/pages/index.js` lists them.
pub const PAGES: &[&str] = &[
    "/query",
    "/logs",
    "/metrics-explorer",
    "/alerts",
    "/rules",
    "/targets",
    "/status",
    "/tsdb-status",
    "/flags",
    "/config",
    "/dashboards",
];

/// The bundle's version: the start of the MD5 of its inputs.
fn version() -> &'static str {
    INPUTS_MD5.trim().get(..12).unwrap_or("0")
}

/// The HTML of every page, with the asset URLs of this bundle.
fn index_html() -> &'static str {
    static HTML: OnceLock<String> = OnceLock::new();
    HTML.get_or_init(|| INDEX.replace("%VERSION%", version()))
}

/// A page of the UI.
pub async fn page(headers: HeaderMap) -> Response {
    let etag = format!("\"{}\"", version());
    if not_modified(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CACHE_CONTROL, "no-cache".to_string()),
            (header::ETAG, etag),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        index_html(),
    )
        .into_response()
}

/// `/` and `/graph?...` open the query page, with the same query string.
pub async fn to_query(RawQuery(query): RawQuery) -> Redirect {
    match query {
        Some(q) if !q.is_empty() => Redirect::to(&format!("/query?{q}")),
        _ => Redirect::to("/query"),
    }
}

/// An embedded file, compressed once.
struct Asset {
    bytes: &'static [u8],
    gzipped: OnceLock<Vec<u8>>,
    content_type: &'static str,
}

impl Asset {
    const fn new(bytes: &'static [u8], content_type: &'static str) -> Asset {
        Asset {
            bytes,
            gzipped: OnceLock::new(),
            content_type,
        }
    }

    fn gzipped(&self) -> &[u8] {
        self.gzipped.get_or_init(|| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            // Writing to memory cannot fail.
            let _ = enc.write_all(self.bytes);
            enc.finish().unwrap_or_default()
        })
    }
}

static JS: Asset = Asset::new(APP_JS, "text/javascript; charset=utf-8");
static CSS: Asset = Asset::new(APP_CSS, "text/css; charset=utf-8");
static LICENCES: Asset = Asset::new(LICENSES, "text/plain; charset=utf-8");

/// `/assets/<name>`: the script, the style sheet, and the licences of what they bundle.
pub async fn asset(
    axum::extract::Path(name): axum::extract::Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let asset = match name.as_str() {
        "app.js" => &JS,
        "app.css" => &CSS,
        "LICENSES.txt" => &LICENCES,
        _ => return (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    };
    let etag = format!("\"{}\"", version());
    // Only a URL naming this very version may be kept for long.
    let versioned = query
        .as_deref()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "v"))
        .is_some_and(|(_, v)| v == version());
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, v);
    }
    if not_modified(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    if accepts_gzip(&headers) {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        (out, asset.gzipped()).into_response()
    } else {
        (out, asset.bytes).into_response()
    }
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// Whether `Accept-Encoding` allows gzip (and does not refuse it with `q=0`).
pub(super) fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|part| {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or("").trim();
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && q > 0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};
    use std::path::{Path, PathBuf};

    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    /// `scripts/build-ui` records the MD5 of what it bundled; a change to `web/src` or to the
    /// packages without a rebuild leaves the committed bundle stale.
    #[test]
    fn the_committed_bundle_is_built_from_the_current_sources() {
        let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut paths = Vec::new();
        files(&web.join("src"), &mut paths);
        paths.push(web.join("package.json"));
        paths.push(web.join("package-lock.json"));
        let mut names: Vec<(String, PathBuf)> = paths
            .into_iter()
            .map(|p| {
                let rel = p.strip_prefix(&web).unwrap().to_string_lossy().into_owned();
                (rel, p)
            })
            .collect();
        names.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut h = Md5::new();
        for (rel, p) in &names {
            h.update(rel.as_bytes());
            h.update([0]);
            h.update(std::fs::read(p).unwrap());
            h.update([0]);
        }
        let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            got,
            INPUTS_MD5.trim(),
            "web/dist is stale: run scripts/build-ui and commit web/dist"
        );
    }

    #[test]
    fn the_html_names_this_bundles_assets() {
        let html = index_html();
        assert!(html.contains(&format!("/assets/app.js?v={}", version())));
        assert!(!html.contains("%VERSION%"));
    }

    #[test]
    fn gzip_is_used_only_when_accepted() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            "gzip, deflate, br".parse().unwrap(),
        );
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, "br, gzip;q=0".parse().unwrap());
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, "*".parse().unwrap());
        assert!(accepts_gzip(&h));
        let z = JS.gzipped();
        assert!(z.len() < APP_JS.len() / 2);
    }
}
