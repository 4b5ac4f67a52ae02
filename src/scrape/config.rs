//! The `scrape_configs` part of a Prometheus configuration file (`prometheus.yml`).
//!
//! Read: `global.scrape_interval` (default 1m), `global.scrape_timeout` (default 10s),
//! `global.external_labels` (kept for callers; Prometheus does not add them to stored samples,
//! and neither does argus), and per job `job_name`, `static_configs` (`targets`, `labels`),
//! `file_sd_configs` (`files`, `refresh_interval`; read by `file_sd`), `scrape_interval`,
//! `scrape_timeout` (defaults from `global`, shortened to the interval when the global timeout
//! is longer), `metrics_path` (`/metrics`), `scheme` (`http`), `params`, `basic_auth`,
//! `authorization`, `bearer_token(_file)`, `honor_labels` (false), `honor_timestamps` (true),
//! `relabel_configs` and `metric_relabel_configs`. Validation and its messages follow
//! Prometheus (and its HTTP client config). Files named in the config are relative to the
//! config file's directory.
//!
//! The parts of a Prometheus server's configuration that do not concern scraping (`rule_files`,
//! `alerting`, `remote_write`, `global.evaluation_interval`...) are read and reported as
//! ignored, so that a real prometheus.yml loads. Every other key is an error, as in
//! Prometheus' strict unmarshalling: a typo gets a "did you mean", a key Prometheus knows but
//! argus does not implement (service discovery other than static and file, `tls_config`,
//! limits...) is refused by name (`config_keys`). Errors
//! name the file and, when the YAML parser knows it, line:column (the key itself for an
//! unknown key; serde_yaml_ng places a bad value at the start of its enclosing mapping); for
//! job-level checks the line of the job's `job_name`.
//!
//! This file does not scrape, does not read target files and does not apply relabeling (see
//! `target`, `file_sd` and `relabel`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::config_keys::{
    not_for_scraping_warning, parse_unknown_field, unknown_key_message, unread_keys,
};
use super::file_sd::{FileSdConfig, FileSdJob};
use super::relabel::RelabelConfig;
use super::target::{build_target, parse_config_duration, Auth, ScrapeJob, Secret, TargetSpec};
use crate::model::labels::is_valid_label_name;
use crate::model::Labels;

const DEFAULT_INTERVAL_MS: i64 = 60_000;
const DEFAULT_TIMEOUT_MS: i64 = 10_000;

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", located(path, *line_col, message))]
    Invalid {
        path: PathBuf,
        /// 1-based line and column, when known.
        line_col: Option<(usize, usize)>,
        message: String,
    },
}

fn located(path: &Path, line_col: Option<(usize, usize)>, message: &str) -> String {
    match line_col {
        Some((l, c)) => format!("{}:{l}:{c}: {message}", path.display()),
        None => format!("{}: {message}", path.display()),
    }
}

/// The `global` section, with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalConfig {
    pub scrape_interval_ms: i64,
    pub scrape_timeout_ms: i64,
    pub external_labels: Labels,
}

/// A loaded configuration: the global section, the jobs with their static targets built,
/// and the file discovery of the jobs that have `file_sd_configs` (whose targets are added
/// by [`super::Discovery`] once it reads the files).
#[derive(Clone, Debug)]
pub struct ScrapeConfigFile {
    pub global: GlobalConfig,
    pub jobs: Vec<ScrapeJob>,
    pub file_sd: Vec<FileSdJob>,
}

/// A Prometheus duration (`15s`, `1m30s`) in the YAML.
#[derive(Clone, Copy, Debug)]
struct Dur(i64);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        let s = String::deserialize(d)?;
        parse_config_duration(&s)
            .map(Dur)
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    global: Option<RawGlobal>,
    scrape_configs: Option<Vec<RawJob>>,
    // The rest of a Prometheus server's configuration: read so that a real prometheus.yml
    // loads, and reported as ignored (`config_keys::NOT_FOR_SCRAPING`).
    rule_files: Option<serde_yaml_ng::Value>,
    alerting: Option<serde_yaml_ng::Value>,
    remote_write: Option<serde_yaml_ng::Value>,
    remote_read: Option<serde_yaml_ng::Value>,
    storage: Option<serde_yaml_ng::Value>,
    tracing: Option<serde_yaml_ng::Value>,
    runtime: Option<serde_yaml_ng::Value>,
    otlp: Option<serde_yaml_ng::Value>,
}

impl RawFile {
    /// The keys that do not concern scraping, with what they hold.
    fn not_for_scraping(&self) -> Vec<(String, &serde_yaml_ng::Value)> {
        let top = [
            ("rule_files", &self.rule_files),
            ("alerting", &self.alerting),
            ("remote_write", &self.remote_write),
            ("remote_read", &self.remote_read),
            ("storage", &self.storage),
            ("tracing", &self.tracing),
            ("runtime", &self.runtime),
            ("otlp", &self.otlp),
        ];
        let global = self.global.as_ref().map(|g| {
            [
                ("global.evaluation_interval", &g.evaluation_interval),
                ("global.rule_query_offset", &g.rule_query_offset),
                ("global.query_log_file", &g.query_log_file),
            ]
        });
        top.into_iter()
            .chain(global.into_iter().flatten())
            .filter_map(|(k, v)| Some((k.to_string(), v.as_ref()?)))
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlobal {
    scrape_interval: Option<Dur>,
    scrape_timeout: Option<Dur>,
    external_labels: Option<BTreeMap<String, String>>,
    evaluation_interval: Option<serde_yaml_ng::Value>,
    rule_query_offset: Option<serde_yaml_ng::Value>,
    query_log_file: Option<serde_yaml_ng::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    job_name: String,
    scrape_interval: Option<Dur>,
    scrape_timeout: Option<Dur>,
    metrics_path: Option<String>,
    scheme: Option<String>,
    params: Option<BTreeMap<String, Vec<String>>>,
    basic_auth: Option<RawBasicAuth>,
    authorization: Option<RawAuthorization>,
    bearer_token: Option<String>,
    bearer_token_file: Option<String>,
    honor_labels: Option<bool>,
    honor_timestamps: Option<bool>,
    static_configs: Option<Vec<RawStatic>>,
    file_sd_configs: Option<Vec<RawFileSd>>,
    relabel_configs: Option<Vec<RelabelConfig>>,
    metric_relabel_configs: Option<Vec<RelabelConfig>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBasicAuth {
    username: Option<String>,
    password: Option<String>,
    password_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthorization {
    #[serde(rename = "type")]
    kind: Option<String>,
    credentials: Option<String>,
    credentials_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatic {
    targets: Option<Vec<String>>,
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFileSd {
    files: Option<Vec<String>>,
    refresh_interval: Option<Dur>,
}

/// Reads and validates a configuration file. Returns the config and the warnings (ignored
/// keys, targets skipped because their labels are invalid after relabeling).
pub fn load_config(path: &Path) -> Result<(ScrapeConfigFile, Vec<String>), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_config(&text, path)
}

/// Parses configuration text; `path` names it in messages and anchors relative file names.
pub fn parse_config(
    text: &str,
    path: &Path,
) -> Result<(ScrapeConfigFile, Vec<String>), ConfigError> {
    let invalid = |line_col: Option<(usize, usize)>, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line_col,
        message,
    };
    let yaml_err = |e: serde_yaml_ng::Error| {
        let loc = e.location().map(|l| (l.line(), l.column()));
        let mut msg = e.to_string();
        // The location goes in front, as file:line:col; drop serde_yaml_ng's own suffix.
        if let Some(i) = msg.rfind(" at line ") {
            msg.truncate(i);
        }
        if let Some((at, key)) =
            parse_unknown_field(&msg).map(|(a, k)| (a.to_string(), k.to_string()))
        {
            let (at, key) = (at.as_str(), key.as_str());
            msg = unknown_key_message(at, key);
            // Name the others too, so that one run shows everything to remove or fix.
            let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap_or_default();
            let full = if at.is_empty() {
                key.to_string()
            } else {
                format!("{at}.{key}")
            };
            let others: Vec<String> = unread_keys(&doc)
                .into_iter()
                .filter(|k| *k != full)
                .collect();
            if !others.is_empty() {
                msg.push_str(&format!(
                    " (argus does not read these keys either: {})",
                    others.join(", ")
                ));
            }
        }
        invalid(loc, msg)
    };
    let mut warnings = Vec::new();
    let raw: RawFile = if text.trim().is_empty() {
        RawFile::default()
    } else {
        serde_yaml_ng::from_str(text).map_err(yaml_err)?
    };
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    for (key, value) in raw.not_for_scraping() {
        warnings.extend(not_for_scraping_warning(&key, value));
    }

    let g = raw.global.unwrap_or_default();
    let global_interval = g.scrape_interval.map_or(DEFAULT_INTERVAL_MS, |d| d.0);
    // Unset, the timeout is Prometheus' default, or the interval when that is shorter (as
    // Prometheus reads a global `scrape_interval: 5s` without a timeout).
    let global_timeout = g
        .scrape_timeout
        .map_or(DEFAULT_TIMEOUT_MS.min(global_interval), |d| d.0);
    if global_timeout > global_interval {
        return Err(invalid(
            None,
            "global scrape timeout greater than scrape interval".into(),
        ));
    }
    let ext = g.external_labels.unwrap_or_default();
    for name in ext.keys() {
        if !is_valid_label_name(name) {
            return Err(invalid(
                None,
                format!("{name:?} is not a valid label name in global.external_labels"),
            ));
        }
    }
    let global = GlobalConfig {
        scrape_interval_ms: global_interval,
        scrape_timeout_ms: global_timeout,
        external_labels: Labels::from_pairs(ext),
    };

    let mut jobs = Vec::new();
    let mut file_sd = Vec::new();
    let mut seen = HashSet::new();
    for (i, rj) in raw
        .scrape_configs
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let at = job_line(text, &rj.job_name);
        let job_err = |m: String| invalid(at, format!("scrape_configs[{i}]: {m}"));
        if rj.job_name.is_empty() {
            return Err(job_err("job_name is empty".into()));
        }
        if !seen.insert(rj.job_name.clone()) {
            return Err(job_err(format!(
                "found multiple scrape configs with job name {:?}",
                rj.job_name
            )));
        }
        let (job, discovery, mut w) = build_job(rj, &global, &base).map_err(job_err)?;
        warnings.append(&mut w);
        if let Some(d) = discovery {
            file_sd.push(d);
        }
        jobs.push(job);
    }
    Ok((
        ScrapeConfigFile {
            global,
            jobs,
            file_sd,
        },
        warnings,
    ))
}

/// One job: its settings, its static targets, and its file discovery when it has one.
fn build_job(
    rj: RawJob,
    global: &GlobalConfig,
    base: &Path,
) -> Result<(ScrapeJob, Option<FileSdJob>, Vec<String>), String> {
    let name = rj.job_name;
    let interval = rj
        .scrape_interval
        .map_or(global.scrape_interval_ms, |d| d.0);
    let timeout = match rj.scrape_timeout {
        Some(d) => d.0,
        None => global.scrape_timeout_ms.min(interval),
    };
    if timeout > interval {
        return Err(format!(
            "scrape timeout greater than scrape interval for scrape config with job name {name:?}"
        ));
    }
    let scheme = rj.scheme.unwrap_or_else(|| "http".into());
    if scheme != "http" && scheme != "https" {
        return Err(format!("scheme must be http or https, not {scheme:?}"));
    }
    let auth = build_auth(
        rj.basic_auth,
        rj.authorization,
        rj.bearer_token,
        rj.bearer_token_file,
        base,
    )?;
    let spec = TargetSpec {
        job_name: name.clone(),
        interval_ms: interval,
        timeout_ms: timeout,
        metrics_path: rj.metrics_path.unwrap_or_else(|| "/metrics".into()),
        scheme,
        params: rj.params.unwrap_or_default(),
        relabel_configs: rj.relabel_configs.unwrap_or_default(),
        auth,
    };
    let (targets, warnings) = static_targets(rj.static_configs.unwrap_or_default(), &spec)?;
    let file_sd = match rj.file_sd_configs {
        Some(configs) if !configs.is_empty() => Some(FileSdJob {
            spec,
            configs: configs
                .into_iter()
                .enumerate()
                .map(|(j, c)| {
                    file_sd_config(c, base).map_err(|e| format!("file_sd_configs[{j}]: {e}"))
                })
                .collect::<Result<_, _>>()?,
        }),
        _ => None,
    };
    Ok((
        ScrapeJob {
            name,
            honor_labels: rj.honor_labels.unwrap_or(false),
            honor_timestamps: rj.honor_timestamps.unwrap_or(true),
            metric_relabel_configs: rj.metric_relabel_configs.unwrap_or_default(),
            targets,
        },
        file_sd,
        warnings,
    ))
}

/// The targets of a job's `static_configs`, and warnings for those skipped.
fn static_targets(
    configs: Vec<RawStatic>,
    spec: &TargetSpec,
) -> Result<(Vec<super::Target>, Vec<String>), String> {
    let mut targets = Vec::new();
    let mut warnings = Vec::new();
    for (j, sc) in configs.into_iter().enumerate() {
        let group = sc.labels.unwrap_or_default();
        for k in group.keys() {
            if !is_valid_label_name(k) {
                return Err(format!(
                    "static_configs[{j}].labels: {k:?} is not a valid label name"
                ));
            }
        }
        for addr in sc.targets.unwrap_or_default() {
            // As Prometheus: URLs in targets are a mistake unless relabeling rewrites them
            // (the blackbox exporter pattern).
            if spec.relabel_configs.is_empty() && addr.contains('/') {
                return Err(format!(
                    "static_configs[{j}].targets: {addr:?} is not a valid hostname \
                     (write host:port; the scheme and path go in `scheme` and `metrics_path`)"
                ));
            }
            // The target's own `__address__` wins over a group label of the same name.
            let mut b = Labels::from_pairs(group.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .to_builder();
            b.set("__address__", addr.clone());
            match build_target(b.build(), spec) {
                // The same target twice in a job is scraped once, as in Prometheus.
                Ok(Some(t)) if targets.contains(&t) => {}
                Ok(Some(t)) => targets.push(t),
                Ok(None) => {}
                Err(e) => warnings.push(format!("job {:?}: {e}; target skipped", spec.job_name)),
            }
        }
    }
    Ok((targets, warnings))
}

/// One entry of `file_sd_configs`, checked as Prometheus does: at least one file, each
/// named `*.json`, `*.yml` or `*.yaml`, a `*` only in the last path element.
fn file_sd_config(raw: RawFileSd, base: &Path) -> Result<FileSdConfig, String> {
    let files = raw.files.unwrap_or_default();
    if files.is_empty() {
        return Err("file service discovery config must contain at least one path name".into());
    }
    for f in &files {
        if !super::file_sd::is_valid_pattern(f) {
            return Err(format!(
                "path name {f:?} is not valid for file discovery \
                 (name the files *.json, *.yml or *.yaml; a * only in the last path element)"
            ));
        }
    }
    let refresh_interval_ms = raw
        .refresh_interval
        .map_or(super::file_sd::DEFAULT_REFRESH_INTERVAL_MS, |d| d.0);
    if refresh_interval_ms <= 0 {
        return Err("refresh_interval must be longer than 0s".into());
    }
    Ok(FileSdConfig {
        patterns: files.iter().map(|f| base.join(f)).collect(),
        refresh_interval_ms,
    })
}

/// Prometheus' HTTP client checks, in its order and words.
fn build_auth(
    basic: Option<RawBasicAuth>,
    authz: Option<RawAuthorization>,
    bearer: Option<String>,
    bearer_file: Option<String>,
    base: &Path,
) -> Result<Option<Auth>, String> {
    let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
    let file = |f: &str| Secret::File(base.join(f));
    if nonempty(&bearer) && nonempty(&bearer_file) {
        return Err("at most one of bearer_token & bearer_token_file must be configured".into());
    }
    let has_bearer = nonempty(&bearer) || nonempty(&bearer_file);
    if basic.is_some() && has_bearer {
        return Err(
            "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"
                .into(),
        );
    }
    if let Some(b) = basic {
        if nonempty(&b.password) && nonempty(&b.password_file) {
            return Err(
                "at most one of basic_auth password & password_file must be configured".into(),
            );
        }
        let password = match (b.password, b.password_file) {
            (Some(p), _) if !p.is_empty() => Some(Secret::Inline(p)),
            (_, Some(f)) if !f.is_empty() => Some(file(&f)),
            _ => None,
        };
        if authz.is_some() {
            return Err(
                "at most one of basic_auth, oauth2 & authorization must be configured".into(),
            );
        }
        return Ok(Some(Auth::Basic {
            username: b.username.unwrap_or_default(),
            password,
        }));
    }
    if let Some(a) = authz {
        if has_bearer {
            return Err(
                "authorization is not compatible with bearer_token & bearer_token_file".into(),
            );
        }
        if nonempty(&a.credentials) && nonempty(&a.credentials_file) {
            return Err(
                "at most one of authorization credentials & credentials_file must be configured"
                    .into(),
            );
        }
        let kind = a.kind.as_deref().map(str::trim).unwrap_or("");
        let kind = if kind.is_empty() { "Bearer" } else { kind }.to_string();
        if kind.eq_ignore_ascii_case("basic") {
            return Err(
                "authorization type cannot be set to \"basic\", use \"basic_auth\" instead".into(),
            );
        }
        let credentials = match (a.credentials, a.credentials_file) {
            (Some(c), _) if !c.is_empty() => Secret::Inline(c),
            (_, Some(f)) if !f.is_empty() => file(&f),
            // Prometheus sends the header with empty credentials in this case.
            _ => Secret::Inline(String::new()),
        };
        return Ok(Some(Auth::Header { kind, credentials }));
    }
    match (bearer, bearer_file) {
        (Some(t), _) if !t.is_empty() => Ok(Some(Auth::Header {
            kind: "Bearer".into(),
            credentials: Secret::Inline(t),
        })),
        (_, Some(f)) if !f.is_empty() => Ok(Some(Auth::Header {
            kind: "Bearer".into(),
            credentials: file(&f),
        })),
        _ => Ok(None),
    }
}

/// The 1-based line (and column of the key) of `job_name: <name>`, for job-level errors.
fn job_line(text: &str, name: &str) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
        if let Some(rest) = body.strip_prefix("job_name:") {
            let v = rest.split(" #").next().unwrap_or("").trim();
            let v = v.trim_matches(|c| c == '"' || c == '\'');
            if v == name {
                return Some((i + 1, line.len() - body.len() + 1));
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
