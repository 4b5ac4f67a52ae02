//! Targets: from a job's static target (or a bare URL on the command line) to the final target
//! label set and the URL to scrape, with Prometheus' label semantics (`PopulateLabels` and
//! `Target.URL` in Prometheus' `scrape/target.go`).
//!
//! Before `relabel_configs` run, a target has `__address__`, its static labels, and the job's
//! `job`, `__scrape_interval__`, `__scrape_timeout__`, `__metrics_path__`, `__scheme__` (each
//! only when not already set) and `__param_<name>` for the first value of each configured URL
//! parameter. After relabeling: a target without `__address__` is an error, `:80`/`:443` is
//! added to an address without a port, `__meta_*` labels are removed, `instance` defaults to
//! the address, and the labels starting with `__` are not part of the stored series. The
//! scrape URL is `__scheme__://__address____metrics_path__?params`, where `__param_<name>`
//! replaces the first value of parameter `name`.
//!
//! This file does not fetch anything and does not read YAML.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::Url;

use super::relabel::{process_builder, RelabelConfig};
use crate::model::time::{duration_prefix, format_duration};
use crate::model::{Labels, LabelsBuilder};

/// Why a target could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target {target}: {message}")]
pub struct TargetError {
    /// The address or URL as given.
    pub target: String,
    pub message: String,
}

/// A secret given inline or in a file read at every scrape (so that rotated credentials are
/// picked up, as Prometheus does).
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    Inline(String),
    File(PathBuf),
}

impl std::fmt::Debug for Secret {
    /// Never prints an inline secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Inline(_) => f.write_str("<secret>"),
            Secret::File(p) => write!(f, "File({})", p.display()),
        }
    }
}

impl Secret {
    /// The secret's value; a file's content is trimmed of surrounding whitespace.
    pub fn resolve(&self) -> Result<String, String> {
        match self {
            Secret::Inline(s) => Ok(s.clone()),
            Secret::File(p) => std::fs::read_to_string(p)
                .map(|s| s.trim().to_string())
                .map_err(|e| format!("cannot read {}: {e}", p.display())),
        }
    }
}

/// How a scrape request authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// HTTP basic authentication.
    Basic {
        username: String,
        password: Option<Secret>,
    },
    /// `Authorization: <kind> <credentials>` (`bearer_token` is kind `Bearer`).
    Header { kind: String, credentials: Secret },
}

/// Where a target's metrics come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetKind {
    /// An HTTP(S) `/metrics` endpoint, fetched by `http`.
    #[default]
    Http,
    /// This machine's own basic metrics, read from `/proc` and `/sys` by `host` (what
    /// `argus scrape` collects when given no target).
    Host,
}

/// One target to scrape.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub kind: TargetKind,
    /// The full URL, query included (`host://localhost` for [`TargetKind::Host`]).
    pub url: String,
    /// The labels every series of this target gets: `job`, `instance` and the other labels
    /// that survived relabeling, without those starting with `__`.
    pub labels: Labels,
    pub interval_ms: i64,
    pub timeout_ms: i64,
    pub auth: Option<Auth>,
}

impl Target {
    pub fn job(&self) -> &str {
        self.labels.get_or_empty("job")
    }

    pub fn instance(&self) -> &str {
        self.labels.get_or_empty("instance")
    }
}

/// A scrape job: its per-sample settings and its targets.
#[derive(Clone, Debug)]
pub struct ScrapeJob {
    pub name: String,
    pub honor_labels: bool,
    pub honor_timestamps: bool,
    pub metric_relabel_configs: Vec<RelabelConfig>,
    pub targets: Vec<Target>,
}

impl ScrapeJob {
    /// Overrides the scrape interval of every target (the CLI's `--every`); a timeout longer
    /// than the new interval is shortened to it.
    pub fn set_interval(&mut self, interval_ms: i64) {
        for t in &mut self.targets {
            t.interval_ms = interval_ms;
            t.timeout_ms = t.timeout_ms.min(interval_ms);
        }
    }
}

/// The job-level settings that shape targets. Owned, because discovery keeps it to build
/// the targets of files that change while a loop runs.
#[derive(Clone, Debug)]
pub struct TargetSpec {
    pub job_name: String,
    pub interval_ms: i64,
    pub timeout_ms: i64,
    pub metrics_path: String,
    pub scheme: String,
    pub params: BTreeMap<String, Vec<String>>,
    pub relabel_configs: Vec<RelabelConfig>,
    pub auth: Option<Auth>,
}

/// Parses a duration as Prometheus' configuration does: unit groups only (`15s`, `1m30s`),
/// or `0`. Unlike the query syntax, a bare number of seconds is not accepted.
pub fn parse_config_duration(s: &str) -> Result<i64, String> {
    if s == "0" {
        return Ok(0);
    }
    match duration_prefix(s) {
        Some((ms, n)) if n == s.len() => Ok(ms),
        _ => Err(format!("not a valid duration string: {s:?}")),
    }
}

/// Builds the target for one static target: `labels` holds `__address__` and the group's
/// labels. Returns `Ok(None)` when relabeling drops the target.
pub fn build_target(labels: Labels, spec: &TargetSpec) -> Result<Option<Target>, TargetError> {
    let shown = labels.get_or_empty("__address__").to_string();
    let err = |message: String| TargetError {
        target: shown.clone(),
        message,
    };
    let mut b = labels.to_builder();
    let defaults = [
        ("job", spec.job_name.clone()),
        ("__scrape_interval__", format_duration(spec.interval_ms)),
        ("__scrape_timeout__", format_duration(spec.timeout_ms)),
        ("__metrics_path__", spec.metrics_path.clone()),
        ("__scheme__", spec.scheme.clone()),
    ];
    for (name, value) in defaults {
        if b.get(name).unwrap_or("").is_empty() {
            b.set(name, value);
        }
    }
    for (k, v) in &spec.params {
        if let Some(first) = v.first() {
            b.set(format!("__param_{k}"), first.clone());
        }
    }
    if !process_builder(&mut b, &spec.relabel_configs) {
        return Ok(None);
    }
    let mut addr = b.get("__address__").unwrap_or("").to_string();
    if addr.is_empty() {
        return Err(err("no address".into()));
    }
    let scheme = b.get("__scheme__").unwrap_or("").to_string();
    if needs_port(&addr) {
        match scheme.as_str() {
            "http" | "" => addr.push_str(":80"),
            "https" => addr.push_str(":443"),
            _ => return Err(err(format!("invalid scheme: {scheme:?}"))),
        }
        b.set("__address__", addr.clone());
    }
    if addr.contains('/') {
        return Err(err(format!("{addr:?} is not a valid hostname")));
    }
    let interval = b.get("__scrape_interval__").unwrap_or("").to_string();
    let interval_ms = parse_config_duration(&interval)
        .map_err(|e| err(format!("error parsing scrape interval: {e}")))?;
    if interval_ms == 0 {
        return Err(err("scrape interval cannot be 0".into()));
    }
    let timeout = b.get("__scrape_timeout__").unwrap_or("").to_string();
    let timeout_ms = parse_config_duration(&timeout)
        .map_err(|e| err(format!("error parsing scrape timeout: {e}")))?;
    if timeout_ms == 0 {
        return Err(err("scrape timeout cannot be 0".into()));
    }
    if timeout_ms > interval_ms {
        return Err(err(format!(
            "scrape timeout cannot be greater than scrape interval ({timeout:?} > {interval:?})"
        )));
    }
    b.retain(|k, _| !k.starts_with("__meta_"));
    if b.get("instance").unwrap_or("").is_empty() {
        b.set("instance", addr.clone());
    }
    let all = b.build();
    let url = scrape_url(&all, &spec.params).map_err(err)?;
    let mut public = LabelsBuilder::default();
    for (k, v) in all.iter().filter(|(k, _)| !k.starts_with("__")) {
        public.set(k, v);
    }
    Ok(Some(Target {
        kind: TargetKind::Http,
        url,
        labels: public.build(),
        interval_ms,
        timeout_ms,
        auth: spec.auth.clone(),
    }))
}

/// Does `addr` lack a port (Go's `net.SplitHostPort` fails on it but succeeds once a port is
/// appended)? An address that is invalid either way gets no port and fails later.
fn needs_port(addr: &str) -> bool {
    split_host_port(addr).is_err() && split_host_port(&format!("{addr}:1234")).is_ok()
}

/// A small model of Go's `net.SplitHostPort`: `host:port` or `[v6]:port`.
fn split_host_port(s: &str) -> Result<(&str, &str), ()> {
    if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']').ok_or(())?;
        let after = &rest[end + 1..];
        let port = after.strip_prefix(':').ok_or(())?;
        if port.contains(':') || rest[..end].contains('[') {
            return Err(());
        }
        return Ok((&rest[..end], port));
    }
    let i = s.rfind(':').ok_or(())?;
    if s[..i].contains(':') || s.contains('[') || s.contains(']') {
        return Err(());
    }
    Ok((&s[..i], &s[i + 1..]))
}

/// The scrape URL of a target's full label set (with `__` labels).
fn scrape_url(all: &Labels, params: &BTreeMap<String, Vec<String>>) -> Result<String, String> {
    let scheme = all.get_or_empty("__scheme__");
    let addr = all.get_or_empty("__address__");
    let mut url = Url::parse(&format!("{scheme}://{addr}"))
        .map_err(|e| format!("invalid URL {scheme}://{addr}: {e}"))?;
    url.set_path(all.get_or_empty("__metrics_path__"));
    let mut merged: BTreeMap<String, Vec<String>> = params.clone();
    for (k, v) in all.iter() {
        if let Some(name) = k.strip_prefix("__param_") {
            let values = merged.entry(name.to_string()).or_default();
            match values.first_mut() {
                Some(first) => *first = v.to_string(),
                None => values.push(v.to_string()),
            }
        }
    }
    if merged.values().any(|v| !v.is_empty()) {
        let mut q = url.query_pairs_mut();
        for (k, values) in &merged {
            for v in values {
                q.append_pair(k, v);
            }
        }
    }
    Ok(url.to_string())
}

/// The exporters whose default port (Prometheus' "default port allocations" list) names the
/// job of a command-line target when `--job` is not given. 9180, argus' own, is left out on
/// purpose: `argus serve` scrapes itself as job `argus`, and another job for the same
/// metrics would only clash with it.
const WELL_KNOWN_PORTS: &[(u16, &str)] = &[
    (9090, "prometheus"),
    (9091, "pushgateway"),
    (9093, "alertmanager"),
    (9100, "node"),
    (9101, "haproxy"),
    (9104, "mysqld"),
    (9113, "nginx"),
    (9115, "blackbox"),
    (9116, "snmp"),
    (9117, "apache"),
    (9121, "redis"),
    (9187, "postgres"),
    (9216, "mongodb"),
    (9256, "process"),
];

/// The job of a command-line target without `--job`: the exporter's name for a well-known
/// exporter port (`localhost:9100` is `node`), else [`DEFAULT_URL_JOB`].
pub fn default_job_for(target: &str) -> &'static str {
    let with_scheme = if target.contains("://") {
        target.to_string()
    } else {
        format!("http://{target}")
    };
    let port = Url::parse(&with_scheme)
        .ok()
        .and_then(|u| u.port_or_known_default());
    WELL_KNOWN_PORTS
        .iter()
        .find(|(p, _)| Some(*p) == port)
        .map_or(DEFAULT_URL_JOB, |(_, job)| job)
}

/// The job of a command-line target on a port no exporter is known for. Not `argus`, which
/// is the job `argus serve` gives its own metrics.
pub const DEFAULT_URL_JOB: &str = "scrape";

/// Turns URLs given on the command line into one job named `job`.
///
/// `http://host:9100/metrics` is scraped as written. A URL without a path
/// (`http://host:9100`) and a bare `host:port` (scheme http) get the path `/metrics`. The
/// `instance` label is `host:port`, with the scheme's default port when none is given, as
/// Prometheus would label the same target. Query parameters become `params`; user and
/// password in the URL become basic authentication.
pub fn targets_from_urls(
    urls: &[String],
    job: &str,
    interval_ms: i64,
    timeout_ms: i64,
) -> Result<Vec<ScrapeJob>, TargetError> {
    let mut targets = Vec::with_capacity(urls.len());
    for raw in urls {
        let err = |message: String| TargetError {
            target: raw.clone(),
            message,
        };
        let with_scheme = if raw.contains("://") {
            raw.clone()
        } else {
            format!("http://{raw}")
        };
        let after_scheme = with_scheme.split_once("://").map_or("", |(_, r)| r);
        let has_path = after_scheme.contains('/');
        let url = Url::parse(&with_scheme).map_err(|e| err(format!("invalid URL: {e}")))?;
        let scheme = url.scheme().to_string();
        if scheme != "http" && scheme != "https" {
            return Err(err(format!(
                "unsupported scheme {scheme:?} (use http or https)"
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| err("the URL has no host".into()))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| err("the URL has no port".into()))?;
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url.query_pairs() {
            params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        let auth = (!url.username().is_empty()).then(|| Auth::Basic {
            username: percent_decode(url.username()),
            password: url.password().map(|p| Secret::Inline(percent_decode(p))),
        });
        let path = if has_path { url.path() } else { "/metrics" };
        let spec = TargetSpec {
            job_name: job.to_string(),
            interval_ms,
            timeout_ms: timeout_ms.min(interval_ms),
            metrics_path: path.to_string(),
            scheme,
            params,
            relabel_configs: Vec::new(),
            auth,
        };
        let labels = Labels::from_pairs([("__address__", format!("{host}:{port}"))]);
        match build_target(labels, &spec)? {
            Some(t) if targets.contains(&t) => {}
            Some(t) => targets.push(t),
            None => return Err(err("dropped".into())),
        }
    }
    Ok(vec![ScrapeJob {
        name: job.to_string(),
        honor_labels: false,
        honor_timestamps: true,
        metric_relabel_configs: Vec::new(),
        targets,
    }])
}

/// Decodes `%XX` escapes (the URL keeps user and password percent-encoded). Written here
/// because it is ten lines and the `url` crate does not export its decoder.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(params: &BTreeMap<String, Vec<String>>, rules: &[RelabelConfig]) -> TargetSpec {
        TargetSpec {
            job_name: "node".into(),
            interval_ms: 15_000,
            timeout_ms: 10_000,
            metrics_path: "/metrics".into(),
            scheme: "http".into(),
            params: params.clone(),
            relabel_configs: rules.to_vec(),
            auth: None,
        }
    }

    #[test]
    fn command_line_targets_on_exporter_ports_are_named_after_the_exporter() {
        assert_eq!(default_job_for("localhost:9100"), "node");
        assert_eq!(default_job_for("http://db:9104/metrics"), "mysqld");
        assert_eq!(default_job_for("http://127.0.0.1:8080/metrics"), "scrape");
        // Never serve's own job, even for serve's port.
        assert_eq!(default_job_for("localhost:9180"), "scrape");
        assert_eq!(default_job_for("https://example.org/metrics"), "scrape");
    }

    fn rules(yaml: &str) -> Vec<RelabelConfig> {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    #[test]
    fn defaults_and_instance() {
        let p = BTreeMap::new();
        let t = build_target(
            Labels::from_pairs([("__address__", "localhost:9100"), ("env", "prod")]),
            &spec(&p, &[]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.url, "http://localhost:9100/metrics");
        assert_eq!(
            t.labels,
            Labels::from_pairs([
                ("env", "prod"),
                ("instance", "localhost:9100"),
                ("job", "node")
            ])
        );
        assert_eq!((t.interval_ms, t.timeout_ms), (15_000, 10_000));
    }

    #[test]
    fn default_ports_by_scheme() {
        let p = BTreeMap::new();
        let t = build_target(
            Labels::from_pairs([("__address__", "example.org")]),
            &spec(&p, &[]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.instance(), "example.org:80");
        let mut s = spec(&p, &[]);
        s.scheme = "https".into();
        let t = build_target(Labels::from_pairs([("__address__", "[::1]")]), &s)
            .unwrap()
            .unwrap();
        assert_eq!(t.instance(), "[::1]:443");
        assert_eq!(t.url, "https://[::1]/metrics");
    }

    #[test]
    fn params_and_param_labels() {
        let mut p = BTreeMap::new();
        p.insert(
            "module".to_string(),
            vec!["http_2xx".to_string(), "b".into()],
        );
        // The blackbox exporter pattern: the target becomes a parameter, the address is
        // replaced by the exporter's.
        let r = rules(
            "- {source_labels: [__address__], target_label: __param_target}\n\
             - {source_labels: [__param_target], target_label: instance}\n\
             - {target_label: __address__, replacement: '127.0.0.1:9115'}",
        );
        let mut s = spec(&p, &r);
        s.metrics_path = "/probe".into();
        let t = build_target(
            Labels::from_pairs([("__address__", "https://example.org")]),
            &s,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            t.url,
            "http://127.0.0.1:9115/probe?module=http_2xx&module=b&target=https%3A%2F%2Fexample.org"
        );
        assert_eq!(t.instance(), "https://example.org");
        assert_eq!(t.labels.get("__param_target"), None);
    }

    #[test]
    fn relabel_can_drop_and_change_interval() {
        let p = BTreeMap::new();
        let r = rules("- {source_labels: [__address__], regex: 'bad.*', action: drop}");
        assert_eq!(
            build_target(
                Labels::from_pairs([("__address__", "bad:1")]),
                &spec(&p, &r)
            ),
            Ok(None)
        );
        let r = rules("- {target_label: __scrape_timeout__, replacement: 20s}");
        let e =
            build_target(Labels::from_pairs([("__address__", "a:1")]), &spec(&p, &r)).unwrap_err();
        assert!(
            e.message.contains("scrape timeout cannot be greater"),
            "{e}"
        );
        let r = rules("- {target_label: __address__, replacement: ''}");
        let r2 = rules("- {source_labels: [nothing], target_label: __address__}");
        let e =
            build_target(Labels::from_pairs([("__address__", "a:1")]), &spec(&p, &r2)).unwrap_err();
        assert_eq!(e.message, "no address");
        // replacement '' with default regex: the fast path sets the label to empty = delete.
        assert!(build_target(Labels::from_pairs([("__address__", "a:1")]), &spec(&p, &r)).is_err());
    }

    #[test]
    fn meta_labels_removed_and_static_labels_win_over_defaults() {
        let p = BTreeMap::new();
        let t = build_target(
            Labels::from_pairs([
                ("__address__", "a:1"),
                ("__meta_x", "y"),
                ("job", "custom"),
                ("instance", "mine"),
            ]),
            &spec(&p, &[]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.job(), "custom");
        assert_eq!(t.instance(), "mine");
        assert_eq!(t.labels.len(), 2);
    }

    #[test]
    fn bad_addresses() {
        let p = BTreeMap::new();
        let e = build_target(
            Labels::from_pairs([("__address__", "a:1/x")]),
            &spec(&p, &[]),
        )
        .unwrap_err();
        assert!(e.message.contains("is not a valid hostname"), "{e}");
        let mut s = spec(&p, &[]);
        s.scheme = "ftp".into();
        let e = build_target(Labels::from_pairs([("__address__", "host")]), &s).unwrap_err();
        assert!(e.message.contains("invalid scheme"), "{e}");
    }

    #[test]
    fn urls_from_command_line() {
        let jobs = targets_from_urls(
            &[
                "http://localhost:9100/metrics".into(),
                "localhost:9200".into(),
                "https://u:p@example.org/x?a=1&a=2".into(),
                "http://h:1".into(),
                "http://h:2/".into(),
            ],
            "argus",
            15_000,
            10_000,
        )
        .unwrap();
        assert_eq!(jobs.len(), 1);
        let t = &jobs[0].targets;
        assert_eq!(t[0].url, "http://localhost:9100/metrics");
        assert_eq!(t[0].instance(), "localhost:9100");
        assert_eq!(t[0].job(), "argus");
        assert_eq!(t[1].url, "http://localhost:9200/metrics");
        assert_eq!(t[2].url, "https://example.org/x?a=1&a=2");
        assert_eq!(t[2].instance(), "example.org:443");
        assert!(matches!(&t[2].auth, Some(Auth::Basic { username, .. }) if username == "u"));
        assert_eq!(t[3].url, "http://h:1/metrics");
        assert_eq!(t[4].url, "http://h:2/");
        let e = targets_from_urls(&["ftp://x/".into()], "argus", 1000, 1000).unwrap_err();
        assert!(e.message.contains("unsupported scheme"));
    }

    #[test]
    fn config_durations() {
        assert_eq!(parse_config_duration("1m30s"), Ok(90_000));
        assert_eq!(parse_config_duration("0"), Ok(0));
        assert!(parse_config_duration("15").is_err());
        assert!(parse_config_duration("1.5s").is_err());
    }
}
