//! The `alerting` section of a prometheus.yml: the Alertmanagers to send alerts to
//! (`alertmanagers[]`: `static_configs`, `scheme`, `path_prefix`, `timeout`, `api_version`,
//! `basic_auth`, `authorization`) and `alert_relabel_configs`. Read strictly: a key
//! Prometheus knows but argus does not implement (service discovery other than static,
//! TLS settings, proxies, relabeling of the Alertmanagers themselves) is refused by name.

use crate::scrape::relabel::RelabelConfig;
use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Debug, Default)]
pub struct AlertingConfig {
    pub alertmanagers: Vec<Alertmanager>,
    pub relabel: Vec<RelabelConfig>,
}

/// One Alertmanager to POST alerts to.
#[derive(Clone, Debug, PartialEq)]
pub struct Alertmanager {
    /// `scheme://host:port/path_prefix/api/v2/alerts`.
    pub url: String,
    pub timeout_ms: i64,
    /// The `Authorization` header, when configured.
    pub authorization: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerting {
    #[serde(default)]
    alertmanagers: Vec<RawAlertmanager>,
    #[serde(default)]
    alert_relabel_configs: Vec<RelabelConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlertmanager {
    #[serde(default)]
    static_configs: Vec<RawStatic>,
    scheme: Option<String>,
    path_prefix: Option<String>,
    timeout: Option<String>,
    api_version: Option<String>,
    basic_auth: Option<RawBasicAuth>,
    authorization: Option<RawAuthorization>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatic {
    #[serde(default)]
    targets: Vec<String>,
    /// Accepted as Prometheus accepts it; it only feeds the relabeling of Alertmanagers,
    /// which argus does not do.
    #[serde(default)]
    #[allow(dead_code)]
    labels: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBasicAuth {
    username: String,
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

/// Reads the `alerting` section of `doc` (the whole prometheus.yml); `base` anchors relative
/// file names. An absent section is no Alertmanager.
pub fn read(doc: &serde_yaml_ng::Value, base: &Path) -> Result<AlertingConfig, String> {
    let Some(section) = doc.get("alerting") else {
        return Ok(AlertingConfig::default());
    };
    let raw: RawAlerting = serde_yaml_ng::from_value(section.clone()).map_err(|e| {
        let msg = e.to_string();
        match unsupported(&msg) {
            Some(why) => format!("alerting: {why}"),
            None => format!("alerting: {msg}"),
        }
    })?;
    let mut config = AlertingConfig {
        alertmanagers: Vec::new(),
        relabel: raw.alert_relabel_configs,
    };
    for am in raw.alertmanagers {
        if let Some(v) = &am.api_version {
            if v != "v2" {
                return Err(format!(
                    "alerting: api_version {v:?}: Alertmanager's API v1 is gone since 0.27; use v2"
                ));
            }
        }
        let scheme = am.scheme.unwrap_or_else(|| "http".into());
        if scheme != "http" && scheme != "https" {
            return Err(format!("alerting: scheme {scheme:?}: use http or https"));
        }
        let prefix = am.path_prefix.unwrap_or_default();
        let prefix = prefix.trim_end_matches('/');
        let timeout_ms = match &am.timeout {
            None => 10_000,
            Some(t) => crate::rules::file::parse_prometheus_duration(t)
                .filter(|ms| *ms > 0)
                .ok_or_else(|| format!("alerting: timeout {t:?} is not a duration"))?,
        };
        let authorization = authorization(am.basic_auth, am.authorization, base)?;
        for s in &am.static_configs {
            for target in &s.targets {
                config.alertmanagers.push(Alertmanager {
                    url: format!("{scheme}://{target}{prefix}/api/v2/alerts"),
                    timeout_ms,
                    authorization: authorization.clone(),
                });
            }
        }
    }
    Ok(config)
}

fn read_secret(
    inline: Option<String>,
    file: Option<String>,
    base: &Path,
) -> Result<String, String> {
    match (inline, file) {
        (Some(v), None) => Ok(v),
        (None, Some(f)) => {
            let path = base.join(&f);
            std::fs::read_to_string(&path)
                .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
                .map_err(|e| format!("alerting: cannot read {}: {e}", path.display()))
        }
        (None, None) => Ok(String::new()),
        (Some(_), Some(_)) => Err("alerting: give a secret inline or as a file, not both".into()),
    }
}

fn authorization(
    basic: Option<RawBasicAuth>,
    auth: Option<RawAuthorization>,
    base: &Path,
) -> Result<Option<String>, String> {
    use base64::Engine as _;
    match (basic, auth) {
        (Some(_), Some(_)) => {
            Err("alerting: basic_auth and authorization cannot be used together".into())
        }
        (Some(b), None) => {
            let password = read_secret(b.password, b.password_file, base)?;
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{password}", b.username));
            Ok(Some(format!("Basic {token}")))
        }
        (None, Some(a)) => {
            let credentials = read_secret(a.credentials, a.credentials_file, base)?;
            Ok(Some(format!(
                "{} {credentials}",
                a.kind.unwrap_or_else(|| "Bearer".into())
            )))
        }
        (None, None) => Ok(None),
    }
}

/// What to say about a key of an Alertmanager entry that argus does not implement.
fn unsupported(serde_message: &str) -> Option<String> {
    let key = serde_message
        .strip_prefix("unknown field `")?
        .split('`')
        .next()?;
    let why = if key.ends_with("_sd_configs") {
        "argus finds Alertmanagers through static_configs only"
    } else {
        match key {
            "tls_config" => "argus checks Alertmanagers against its built-in trusted roots",
            "relabel_configs" | "alert_relabel_configs" => {
                "relabeling of Alertmanagers is not implemented; alert_relabel_configs (beside alertmanagers) is"
            }
            "proxy_url" | "no_proxy" | "proxy_from_environment" | "proxy_connect_header" => {
                "argus sends without a proxy"
            }
            "oauth2" => "use authorization or basic_auth",
            "follow_redirects" | "enable_http2" | "http_headers" => "argus chooses these itself",
            _ => return Some(format!("unknown key {key:?}")),
        }
    };
    Some(format!("{key} is not supported: {why}"))
}
