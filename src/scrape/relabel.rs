//! Relabeling: the rules of `relabel_configs` and `metric_relabel_configs`, with Prometheus'
//! defaults, validation messages and semantics (`model/relabel` in Prometheus).
//!
//! Defaults: `action: replace`, `separator: ";"`, `regex: (.*)`, `replacement: $1`. The regex
//! is anchored at both ends (`^(?:regex)$`). `$1`, `${1}` and `$name` in `replacement` (and in
//! `target_label` for `replace`) expand capture groups, with the same rules as Go's
//! `Regexp.Expand` (Rust's `regex` crate uses the same syntax: the longest run of word
//! characters after `$` is the group name). A label set to an empty value is removed.
//!
//! This file owns the rule type and its application to a label set. It does not know where
//! the labels come from (targets or samples); the callers decide that.

use md5::{Digest, Md5};
use regex::Regex;
use serde::Deserialize;
use std::sync::OnceLock;

use crate::model::labels::is_valid_label_name;
use crate::model::{Labels, LabelsBuilder};

/// The relabeling actions Prometheus knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Replace,
    Keep,
    Drop,
    KeepEqual,
    DropEqual,
    HashMod,
    LabelMap,
    LabelDrop,
    LabelKeep,
    Lowercase,
    Uppercase,
}

impl Action {
    /// Parses an action name, case-insensitively as Prometheus does.
    pub fn parse(s: &str) -> Result<Action, String> {
        Ok(match s.to_lowercase().as_str() {
            "replace" => Action::Replace,
            "keep" => Action::Keep,
            "drop" => Action::Drop,
            "keepequal" => Action::KeepEqual,
            "dropequal" => Action::DropEqual,
            "hashmod" => Action::HashMod,
            "labelmap" => Action::LabelMap,
            "labeldrop" => Action::LabelDrop,
            "labelkeep" => Action::LabelKeep,
            "lowercase" => Action::Lowercase,
            "uppercase" => Action::Uppercase,
            _ => return Err(format!("unknown relabel action {s:?}")),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Replace => "replace",
            Action::Keep => "keep",
            Action::Drop => "drop",
            Action::KeepEqual => "keepequal",
            Action::DropEqual => "dropequal",
            Action::HashMod => "hashmod",
            Action::LabelMap => "labelmap",
            Action::LabelDrop => "labeldrop",
            Action::LabelKeep => "labelkeep",
            Action::Lowercase => "lowercase",
            Action::Uppercase => "uppercase",
        }
    }
}

const DEFAULT_SEPARATOR: &str = ";";
const DEFAULT_REGEX: &str = "(.*)";
const DEFAULT_REPLACEMENT: &str = "$1";

/// One relabeling rule exactly as written in YAML; every field optional. Validation and
/// defaults happen in the conversion to [`RelabelConfig`], so that serde reports validation
/// errors with the YAML position of the rule. Unknown keys are refused (see `config_keys`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelabelConfig {
    pub source_labels: Option<Vec<String>>,
    pub separator: Option<String>,
    pub regex: Option<String>,
    pub modulus: Option<u64>,
    pub target_label: Option<String>,
    pub replacement: Option<String>,
    pub action: Option<String>,
}

/// A validated relabeling rule with defaults applied.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawRelabelConfig")]
pub struct RelabelConfig {
    pub source_labels: Vec<String>,
    pub separator: String,
    /// The anchored regex (`^(?:...)$`).
    pub regex: Regex,
    /// The regex as written (without the anchors), for messages.
    pub regex_source: String,
    pub modulus: u64,
    pub target_label: String,
    pub replacement: String,
    pub action: Action,
}

/// Prometheus' `relabelTarget`: what a `target_label` containing `$` or a `labelmap`
/// replacement must look like.
fn relabel_target_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Invariant: the pattern is a constant known to compile.
    RE.get_or_init(|| {
        Regex::new(r"^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$").expect("constant regex")
    })
}

/// Compiles a relabel regex anchored at both ends.
pub fn compile_anchored(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{pattern})$")).map_err(|e| format!("invalid regex {pattern:?}: {e}"))
}

impl TryFrom<RawRelabelConfig> for RelabelConfig {
    type Error = String;

    fn try_from(raw: RawRelabelConfig) -> Result<RelabelConfig, String> {
        let action = match &raw.action {
            None => Action::Replace,
            Some(a) => Action::parse(a)?,
        };
        if let Some(names) = &raw.source_labels {
            for n in names {
                if !is_valid_label_name(n) {
                    return Err(format!("{n:?} is not a valid label name"));
                }
            }
        }
        let regex_source = raw.regex.clone().unwrap_or_else(|| DEFAULT_REGEX.into());
        let cfg = RelabelConfig {
            regex: compile_anchored(&regex_source)?,
            regex_source,
            source_labels: raw.source_labels.clone().unwrap_or_default(),
            separator: raw
                .separator
                .clone()
                .unwrap_or_else(|| DEFAULT_SEPARATOR.into()),
            modulus: raw.modulus.unwrap_or(0),
            target_label: raw.target_label.clone().unwrap_or_default(),
            replacement: raw
                .replacement
                .clone()
                .unwrap_or_else(|| DEFAULT_REPLACEMENT.into()),
            action,
        };
        cfg.validate(&raw)?;
        Ok(cfg)
    }
}

impl RelabelConfig {
    /// Parses one rule from YAML (tests and callers that build rules from text).
    pub fn from_yaml(text: &str) -> Result<RelabelConfig, String> {
        serde_yaml_ng::from_str(text).map_err(|e| e.to_string())
    }

    /// Prometheus' `Config.Validate`, with its messages. `raw` tells which fields were given
    /// explicitly: `keepequal`/`dropequal` and `labeldrop`/`labelkeep` reject any field beyond
    /// their own even when it is set to the default value (Prometheus compares the regex by
    /// identity, so an explicit `regex` is always rejected there).
    fn validate(&self, raw: &RawRelabelConfig) -> Result<(), String> {
        use Action::*;
        let a = self.action;
        let name = a.as_str();
        let tl = &self.target_label;
        if a == HashMod && self.modulus == 0 {
            return Err("relabel configuration for hashmod requires non-zero modulus".into());
        }
        if matches!(
            a,
            Replace | HashMod | Lowercase | Uppercase | KeepEqual | DropEqual
        ) && tl.is_empty()
        {
            return Err(format!(
                "relabel configuration for {name} action requires 'target_label' value"
            ));
        }
        let invalid_target = || format!("{tl:?} is invalid 'target_label' for {name} action");
        if a == Replace && !tl.contains('$') && !is_valid_label_name(tl) {
            return Err(invalid_target());
        }
        if a == Replace && tl.contains('$') && !relabel_target_re().is_match(tl) {
            return Err(invalid_target());
        }
        if matches!(a, Lowercase | Uppercase | KeepEqual | DropEqual) {
            if !is_valid_label_name(tl) {
                return Err(invalid_target());
            }
            if self.replacement != DEFAULT_REPLACEMENT {
                return Err(format!("'replacement' can not be set for {name} action"));
            }
        }
        if a == LabelMap && !relabel_target_re().is_match(&self.replacement) {
            return Err(format!(
                "{:?} is invalid 'replacement' for {name} action",
                self.replacement
            ));
        }
        if a == HashMod && !is_valid_label_name(tl) {
            return Err(invalid_target());
        }
        if matches!(a, KeepEqual | DropEqual)
            && (raw.regex.is_some()
                || self.modulus != 0
                || self.separator != DEFAULT_SEPARATOR
                || self.replacement != DEFAULT_REPLACEMENT)
        {
            return Err(format!(
                "{name} action requires only 'source_labels' and `target_label`, and no other fields"
            ));
        }
        if matches!(a, LabelDrop | LabelKeep)
            && (raw.source_labels.is_some()
                || !tl.is_empty()
                || self.modulus != 0
                || self.separator != DEFAULT_SEPARATOR
                || self.replacement != DEFAULT_REPLACEMENT)
        {
            return Err(format!(
                "{name} action requires only 'regex', and no other fields"
            ));
        }
        Ok(())
    }
}

/// Applies `rules` in order. Returns `None` when a rule drops the label set.
pub fn process(labels: &Labels, rules: &[RelabelConfig]) -> Option<Labels> {
    let mut b = labels.to_builder();
    if process_builder(&mut b, rules) {
        Some(b.build())
    } else {
        None
    }
}

/// Applies `rules` to a builder in place; false when the set is dropped.
pub fn process_builder(b: &mut LabelsBuilder, rules: &[RelabelConfig]) -> bool {
    rules.iter().all(|r| apply(r, b))
}

fn apply(cfg: &RelabelConfig, b: &mut LabelsBuilder) -> bool {
    let val = cfg
        .source_labels
        .iter()
        .map(|n| b.get(n).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(&cfg.separator);
    match cfg.action {
        Action::Drop => return !cfg.regex.is_match(&val),
        Action::Keep => return cfg.regex.is_match(&val),
        Action::DropEqual => return b.get(&cfg.target_label).unwrap_or("") != val,
        Action::KeepEqual => return b.get(&cfg.target_label).unwrap_or("") == val,
        Action::Replace => {
            // No match: no replacement takes place.
            if let Some(caps) = cfg.regex.captures(&val) {
                let mut target = String::new();
                caps.expand(&cfg.target_label, &mut target);
                if is_valid_label_name(&target) {
                    let mut res = String::new();
                    caps.expand(&cfg.replacement, &mut res);
                    if res.is_empty() {
                        b.del(&target);
                    } else {
                        b.set(target, res);
                    }
                }
            }
        }
        Action::Lowercase => {
            b.set(cfg.target_label.clone(), val.to_lowercase());
        }
        Action::Uppercase => {
            b.set(cfg.target_label.clone(), val.to_uppercase());
        }
        Action::HashMod => {
            let digest = Md5::digest(val.as_bytes());
            // Like Prometheus: the last 8 bytes of the MD5, big-endian, modulo `modulus`.
            let mut last = [0u8; 8];
            last.copy_from_slice(&digest[8..16]);
            let m = u64::from_be_bytes(last) % cfg.modulus;
            b.set(cfg.target_label.clone(), m.to_string());
        }
        Action::LabelMap => {
            // Iterate over a snapshot: labels added here must not be mapped again.
            let snapshot: Vec<(String, String)> = b
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            for (name, value) in snapshot {
                if cfg.regex.is_match(&name) {
                    let new_name = cfg.regex.replace_all(&name, cfg.replacement.as_str());
                    b.set(new_name.into_owned(), value);
                }
            }
        }
        Action::LabelDrop => {
            b.retain(|k, _| !cfg.regex.is_match(k));
        }
        Action::LabelKeep => {
            b.retain(|k, _| cfg.regex.is_match(k));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(yaml: &str) -> RelabelConfig {
        RelabelConfig::from_yaml(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    fn rules(yaml: &str) -> Vec<RelabelConfig> {
        serde_yaml_ng::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    fn ls(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    fn err(yaml: &str) -> String {
        RelabelConfig::from_yaml(yaml).expect_err(yaml)
    }

    #[test]
    fn defaults() {
        let r = rule("target_label: x");
        assert_eq!(r.action, Action::Replace);
        assert_eq!(r.separator, ";");
        assert_eq!(r.regex_source, "(.*)");
        assert_eq!(r.replacement, "$1");
        assert!(r.regex.is_match("anything"));
        // Anchored: a partial match is no match.
        let r = rule("{source_labels: [a], regex: 'o', action: keep}");
        assert!(process(&ls(&[("a", "foo")]), &[r]).is_none());
    }

    // The cases below are ported from Prometheus' model/relabel/relabel_test.go (TestRelabel).
    #[test]
    fn replace_with_groups() {
        let r = rules(
            "- {source_labels: [a], regex: 'f(.*)', target_label: d, replacement: 'ch${1}-ch${1}'}",
        );
        let out = process(&ls(&[("a", "foo"), ("b", "bar"), ("c", "baz")]), &r).unwrap();
        assert_eq!(
            out,
            ls(&[("a", "foo"), ("b", "bar"), ("c", "baz"), ("d", "choo-choo")])
        );
    }

    #[test]
    fn replace_chain_with_separator() {
        let r = rules(
            "- {source_labels: [a, b], regex: 'f(.*);(.*)r', target_label: a, replacement: 'b${1}${2}m'}\n\
             - {source_labels: [c, a], regex: '(b).*b(.*)ba(.*)', target_label: d, replacement: '$1$2$2$3'}",
        );
        let out = process(&ls(&[("a", "foo"), ("b", "bar"), ("c", "baz")]), &r).unwrap();
        assert_eq!(
            out,
            ls(&[("a", "boobam"), ("b", "bar"), ("c", "baz"), ("d", "boooom")])
        );
    }

    #[test]
    fn drop_and_keep() {
        let drop_o = rules("- {source_labels: [a], regex: '.*o.*', action: drop}\n- {source_labels: [a], regex: 'f(.*)', target_label: d, replacement: 'ch$1-ch$1'}");
        assert!(process(&ls(&[("a", "foo")]), &drop_o).is_none());
        let no_match = rules("- {source_labels: [a], regex: 'no-match', action: drop}");
        assert_eq!(
            process(&ls(&[("a", "foo")]), &no_match),
            Some(ls(&[("a", "foo")]))
        );
        let alt = rules("- {source_labels: [a], regex: 'f|o', action: drop}");
        assert_eq!(
            process(&ls(&[("a", "foo")]), &alt),
            Some(ls(&[("a", "foo")]))
        );
        let keep_none = rules("- {source_labels: [a], regex: 'no-match', action: keep}");
        assert!(process(&ls(&[("a", "foo")]), &keep_none).is_none());
        let keep_f = rules("- {source_labels: [a], regex: 'f.*', action: keep}");
        assert_eq!(
            process(&ls(&[("a", "foo")]), &keep_f),
            Some(ls(&[("a", "foo")]))
        );
        // Action names are case-insensitive.
        let upper = rules("- {source_labels: [a], regex: 'f.*', action: DROP}");
        assert!(process(&ls(&[("a", "foo")]), &upper).is_none());
    }

    #[test]
    fn replace_single_group_and_no_match() {
        let r = rules("- {source_labels: [a], regex: '.*(b).*', target_label: d}");
        assert_eq!(
            process(&ls(&[("a", "abc")]), &r),
            Some(ls(&[("a", "abc"), ("d", "b")]))
        );
        let r = rules("- {source_labels: [a], regex: 'f', target_label: b, replacement: bar}");
        assert_eq!(process(&ls(&[("a", "boo")]), &r), Some(ls(&[("a", "boo")])));
    }

    #[test]
    fn hashmod_matches_prometheus() {
        let r = rules("- {source_labels: [c], target_label: d, action: hashmod, modulus: 1000}");
        let out = process(&ls(&[("a", "foo"), ("b", "bar"), ("c", "baz")]), &r).unwrap();
        assert_eq!(out.get("d"), Some("976"));
        let r = rules("- {source_labels: [a], target_label: b, action: hashmod, modulus: 1000}");
        let out = process(&ls(&[("a", "foo\nbar")]), &r).unwrap();
        assert_eq!(out.get("b"), Some("734"));
    }

    #[test]
    fn labelmap() {
        let r = rules("- {regex: '(b.*)', replacement: 'bar_${1}', action: labelmap}");
        let out = process(&ls(&[("a", "foo"), ("b1", "bar"), ("b2", "baz")]), &r).unwrap();
        assert_eq!(
            out,
            ls(&[
                ("a", "foo"),
                ("b1", "bar"),
                ("b2", "baz"),
                ("bar_b1", "bar"),
                ("bar_b2", "baz")
            ])
        );
        let r = rules("- {regex: '__meta_(my.*)', replacement: '${1}', action: labelmap}");
        let input = ls(&[
            ("a", "foo"),
            ("__meta_my_bar", "aaa"),
            ("__meta_my_baz", "bbb"),
            ("__meta_other", "ccc"),
        ]);
        let out = process(&input, &r).unwrap();
        assert_eq!(out.get("my_bar"), Some("aaa"));
        assert_eq!(out.get("my_baz"), Some("bbb"));
        assert_eq!(out.get("other"), None);
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn target_label_expansion() {
        let input = ls(&[("a", "some-name-value")]);
        let r = rules("- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${2}', target_label: '${1}'}");
        assert_eq!(
            process(&input, &r),
            Some(ls(&[("a", "some-name-value"), ("name", "value")]))
        );
        // An empty replacement deletes the (expanded) target label.
        let r = rules("- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${3}', target_label: '${1}'}");
        assert_eq!(process(&input, &r), Some(input.clone()));
        // A target that expands to an invalid name leaves the set unchanged.
        let input = ls(&[("a", "some-name-0")]);
        let r = rules(
            "- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '${3}'}\n\
             - {source_labels: [a], regex: 'some-([^-]+)(-[^,]+)', replacement: '${1}', target_label: '${3}'}",
        );
        assert_eq!(process(&input, &r), Some(input.clone()));
    }

    #[test]
    fn real_life_tags() {
        let input = ls(&[("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar")]);
        let r = rules(
            "- {source_labels: [__meta_sd_tags], regex: '(?:.+,|^)path:(/[^,]+).*', replacement: '${1}', target_label: __metrics_path__}\n\
             - {source_labels: [__meta_sd_tags], regex: '(?:.+,|^)job:([^,]+).*', replacement: '${1}', target_label: job}\n\
             - {source_labels: [__meta_sd_tags], regex: '(?:.+,|^)label:([^=]+)=([^,]+).*', replacement: '${2}', target_label: '${1}'}",
        );
        let out = process(&input, &r).unwrap();
        assert_eq!(out.get("__metrics_path__"), Some("/secret"));
        assert_eq!(out.get("job"), Some("some-job"));
        assert_eq!(out.get("foo"), Some("bar"));
    }

    #[test]
    fn labeldrop_then_replace_then_keep() {
        // Prometheus issue 12283.
        let input = ls(&[
            ("__meta_kubernetes_pod_container_port_name", "foo"),
            ("__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"),
        ]);
        let r = rules(
            "- {regex: '^__meta_kubernetes_pod_container_port_name$', action: labeldrop}\n\
             - {source_labels: [__meta_kubernetes_pod_annotation_XXX_metrics_port], regex: '(.+)', replacement: metrics, target_label: __meta_kubernetes_pod_container_port_name}\n\
             - {source_labels: [__meta_kubernetes_pod_container_port_name], regex: '^metrics$', action: keep}",
        );
        let out = process(&input, &r).unwrap();
        assert_eq!(
            out.get("__meta_kubernetes_pod_container_port_name"),
            Some("metrics")
        );
    }

    #[test]
    fn labelkeep_labeldrop() {
        let input = ls(&[("a", "foo"), ("b1", "bar"), ("b2", "baz")]);
        let keep = rules("- {regex: '(b.*)', action: labelkeep}");
        assert_eq!(
            process(&input, &keep),
            Some(ls(&[("b1", "bar"), ("b2", "baz")]))
        );
        let drop = rules("- {regex: '(b.*)', action: labeldrop}");
        assert_eq!(process(&input, &drop), Some(ls(&[("a", "foo")])));
    }

    #[test]
    fn lowercase_uppercase() {
        let r = rules(
            "- {source_labels: [foo], action: uppercase, target_label: foo_uppercase}\n\
             - {source_labels: [foo], action: lowercase, target_label: foo_lowercase}",
        );
        let out = process(&ls(&[("foo", "bAr123Foo")]), &r).unwrap();
        assert_eq!(out.get("foo_uppercase"), Some("BAR123FOO"));
        assert_eq!(out.get("foo_lowercase"), Some("bar123foo"));
    }

    #[test]
    fn keepequal_dropequal() {
        let input = ls(&[
            ("__tmp_port", "1234"),
            ("__port1", "1234"),
            ("__port2", "5678"),
        ]);
        let r = |y: &str| rules(y);
        assert!(process(
            &input,
            &r("- {source_labels: [__tmp_port], action: keepequal, target_label: __port1}")
        )
        .is_some());
        assert!(process(
            &input,
            &r("- {source_labels: [__tmp_port], action: dropequal, target_label: __port1}")
        )
        .is_none());
        assert!(process(
            &input,
            &r("- {source_labels: [__tmp_port], action: dropequal, target_label: __port2}")
        )
        .is_some());
        assert!(process(
            &input,
            &r("- {source_labels: [__tmp_port], action: keepequal, target_label: __port2}")
        )
        .is_none());
    }

    // Validation messages, from TestRelabelValidate and Config.Validate.
    #[test]
    fn validation_errors() {
        assert!(err("action: replace").contains("requires 'target_label' value"));
        assert!(err("action: lowercase").contains("requires 'target_label' value"));
        assert!(err("{action: lowercase, target_label: '${3}'}")
            .contains(r#""${3}" is invalid 'target_label'"#));
        rule("{source_labels: [a], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', target_label: '${3}'}");
        assert!(err("{source_labels: [a], target_label: '0${3}'}")
            .contains(r#""0${3}" is invalid 'target_label'"#));
        assert!(err("{source_labels: [a], target_label: '-${3}'}")
            .contains(r#""-${3}" is invalid 'target_label' for replace action"#));
        assert!(err("{action: hashmod, target_label: a}").contains("requires non-zero modulus"));
        assert!(err("{action: frobnicate}").contains(r#"unknown relabel action "frobnicate""#));
        assert!(err("{action: ''}").contains("unknown relabel action"));
        assert!(err("{action: labelmap, replacement: '-x'}").contains("is invalid 'replacement'"));
        assert!(err("{action: uppercase, target_label: a, replacement: b}")
            .contains("'replacement' can not be set for uppercase action"));
        assert!(err("{action: keepequal, target_label: a, regex: '(.*)'}")
            .contains("keepequal action requires only 'source_labels' and `target_label`"));
        assert!(err("{action: labeldrop, regex: a, source_labels: [b]}")
            .contains("labeldrop action requires only 'regex', and no other fields"));
        assert!(err("{action: labelkeep, regex: a, target_label: b}")
            .contains("labelkeep action requires only 'regex'"));
        assert!(err("{source_labels: ['1a'], target_label: b}").contains("not a valid label name"));
        assert!(err("{regex: '(', target_label: b}").contains("invalid regex"));
    }

    #[test]
    fn target_label_validity() {
        // TestTargetLabelValidity.
        for (s, ok) in [
            ("-label", false),
            ("label", true),
            ("label${1}", true),
            ("${1}label", true),
            ("${1}", true),
            ("${", false),
            ("$", false),
            ("${}", false),
            ("foo${", false),
            ("$1", true),
            ("asd$2asd", true),
            ("-foo${1}bar-", false),
            ("_${1}_", true),
            ("foo${bar}foo", true),
        ] {
            assert_eq!(relabel_target_re().is_match(s), ok, "{s}");
        }
    }
}
