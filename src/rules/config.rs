//! The parts of a Prometheus configuration file that concern rules: `rule_files` (globs,
//! relative to the file), `global.evaluation_interval` (1m by default),
//! `global.rule_query_offset` (0), `global.external_labels`, and `alerting` (the
//! Alertmanagers, `alerting_config.rs`). The rest of the file is
//! checked by the scrape configuration's reader, which knows every key.

use super::alerting_config::AlertingConfig;
use super::file::parse_prometheus_duration;
use crate::yaml::{self, Kind, Node};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct RulesConfig {
    pub rule_files: Vec<PathBuf>,
    pub evaluation_interval: i64,
    pub rule_query_offset: i64,
    pub external_labels: Vec<(String, String)>,
    /// The Alertmanagers alerts go to.
    pub alerting: AlertingConfig,
}

impl Default for RulesConfig {
    fn default() -> RulesConfig {
        RulesConfig {
            rule_files: Vec::new(),
            evaluation_interval: 60_000,
            rule_query_offset: 0,
            external_labels: Vec::new(),
            alerting: AlertingConfig::default(),
        }
    }
}

/// Reads the rules part of the configuration at `path`; rule file globs are expanded.
pub fn load(path: &Path) -> Result<RulesConfig, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let root = match yaml::parse(&text).map_err(|e| format!("{name}: {e}"))? {
        Some(root) => root,
        None => return Ok(RulesConfig::default()),
    };
    let base = path.parent().unwrap_or(Path::new(""));
    let mut config = RulesConfig::default();
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    config.alerting =
        super::alerting_config::read(&doc, base).map_err(|e| format!("{name}: {e}"))?;
    if let Some(global) = root.get("global") {
        if let Some(d) = duration(
            global.get("evaluation_interval"),
            &name,
            "global.evaluation_interval",
        )? {
            config.evaluation_interval = d;
        }
        if let Some(d) = duration(
            global.get("rule_query_offset"),
            &name,
            "global.rule_query_offset",
        )? {
            config.rule_query_offset = d;
        }
        if let Some(Node {
            kind: Kind::Map(pairs),
            ..
        }) = global.get("external_labels")
        {
            for (k, v) in pairs {
                config.external_labels.push((
                    k.scalar().unwrap_or_default().to_string(),
                    v.scalar().unwrap_or_default().to_string(),
                ));
            }
            config.external_labels.sort();
        }
    }
    if let Some(Node {
        kind: Kind::Seq(items),
        ..
    }) = root.get("rule_files")
    {
        for item in items {
            let Some(pattern) = item.scalar() else {
                return Err(format!(
                    "{name}:{}: rule_files holds a list of file names",
                    item.line
                ));
            };
            let full = if Path::new(pattern).is_absolute() {
                PathBuf::from(pattern)
            } else {
                base.join(pattern)
            };
            config.rule_files.extend(crate::glob::expand(&full)?);
        }
    }
    Ok(config)
}

fn duration(
    node: Option<&Node>,
    file: &impl std::fmt::Display,
    key: &str,
) -> Result<Option<i64>, String> {
    let Some(node) = node else {
        return Ok(None);
    };
    let text = node.scalar().unwrap_or_default();
    parse_prometheus_duration(text).map(Some).ok_or_else(|| {
        format!(
            "{file}:{}: {key}: not a valid duration string: {text:?}",
            node.line
        )
    })
}

/// The settings of `config` (when given) and every rule file of `files` and of its
/// `rule_files`, all read; every error of every file in one message.
pub fn load_all(
    files: &[PathBuf],
    config: Option<&Path>,
) -> Result<(RulesConfig, Vec<super::file::RuleFile>), String> {
    let mut settings = RulesConfig::default();
    let mut paths = files.to_vec();
    if let Some(path) = config {
        settings = load(path)?;
        paths.extend(settings.rule_files.iter().cloned());
    }
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for p in &paths {
        match super::file::load(p, false) {
            Ok(f) => loaded.push(f),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok((settings, loaded))
    } else {
        Err(format!("invalid rule files:\n  {}", errors.join("\n  ")))
    }
}
