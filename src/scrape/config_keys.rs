//! Which keys a `prometheus.yml` may hold, place by place, and what argus says about a key it
//! does not read.
//!
//! Prometheus unmarshals its configuration strictly: an unknown key is an error ("field
//! scrape_intervl not found in type config.ScrapeConfig"). argus does the same, because a
//! key that is skipped with a warning scrapes nothing, or the wrong thing, for ever while
//! every cron run exits 0. Two cases:
//! - a key Prometheus does not know either is "unknown", with a "did you mean ...?" when a key
//!   argus reads at that place is close (a typo);
//! - a key Prometheus knows but argus does not implement (every service discovery but
//!   `static_configs` and `file_sd_configs`, TLS settings, limits, rules, remote write...) is
//!   refused by name, saying what to use instead where there is something.
//!
//! The deserializing structs in `config.rs` deny unknown fields; serde reports the first one
//! with its path (`scrape_configs[0].basic_auth`) and the line and column of the key. This
//! file turns that report into the message. It does not read YAML itself.

/// Where in the document a mapping is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Top,
    Global,
    Job,
    Static,
    FileSd,
    BasicAuth,
    Authorization,
    Relabel,
}

/// Every service discovery of Prometheus' `scrape_config` that argus does not implement.
pub const UNSUPPORTED_SD_CONFIGS: &[&str] = &[
    "azure_sd_configs",
    "consul_sd_configs",
    "digitalocean_sd_configs",
    "docker_sd_configs",
    "dockerswarm_sd_configs",
    "dns_sd_configs",
    "ec2_sd_configs",
    "eureka_sd_configs",
    "gce_sd_configs",
    "hetzner_sd_configs",
    "http_sd_configs",
    "ionos_sd_configs",
    "kubernetes_sd_configs",
    "kuma_sd_configs",
    "lightsail_sd_configs",
    "linode_sd_configs",
    "marathon_sd_configs",
    "nerve_sd_configs",
    "nomad_sd_configs",
    "openstack_sd_configs",
    "ovhcloud_sd_configs",
    "puppetdb_sd_configs",
    "scaleway_sd_configs",
    "serverset_sd_configs",
    "stackit_sd_configs",
    "triton_sd_configs",
    "uyuni_sd_configs",
    "vultr_sd_configs",
];

/// Keys of Prometheus' top level that argus does not read, and why.
const TOP_UNSUPPORTED: &[(&str, &str)] = &[(
    "scrape_config_files",
    "put the scrape_configs in the file argus reads",
)];

/// Keys of a real `prometheus.yml` that belong to the other jobs of a Prometheus server
/// (rules, alerting, remote storage, tracing), as `place.key`. They do not change what is
/// scraped, so a file that has them is read: the scrape settings are used and each of these
/// that holds something gets a warning saying that argus ignores it. Refusing them would
/// make argus unable to read the very file a Prometheus user has.
pub const NOT_FOR_SCRAPING: &[(&str, &str)] = &[
    (
        "rule_files",
        "scraping evaluates no rules; `argus rules eval --config` does",
    ),
    (
        "alerting",
        "scraping sends no alerts; `argus rules eval --config` and `argus serve` do",
    ),
    (
        "remote_write",
        "argus stores what it scrapes itself; `argus serve` receives remote_write",
    ),
    ("remote_read", "argus queries its own store"),
    ("storage", "the store is set with --store and `argus store`"),
    ("tracing", "argus exports no traces"),
    ("runtime", "a Go runtime setting"),
    ("otlp", "argus has no OTLP receiver"),
    (
        "global.evaluation_interval",
        "scraping evaluates no rules; `argus rules eval --config` does",
    ),
    (
        "global.rule_query_offset",
        "scraping evaluates no rules; `argus rules eval --config` does",
    ),
    ("global.query_log_file", "argus logs no queries"),
];

/// The keys of [`NOT_FOR_SCRAPING`] that `argus serve` honours (it evaluates the rules and
/// sends the alerts of its `--config`): a server reading them warns of none.
pub const HONOURED_BY_SERVE: &[&str] = &[
    "rule_files",
    "alerting",
    "global.evaluation_interval",
    "global.rule_query_offset",
];

/// Whether a warning of [`not_for_scraping_warning`] is about a key `argus serve` honours.
pub fn is_about_serve_key(warning: &str) -> bool {
    HONOURED_BY_SERVE
        .iter()
        .any(|k| warning.starts_with(&format!("{k} is ignored (")))
}

/// The warning for a key of [`NOT_FOR_SCRAPING`] that holds something; `None` for any other
/// key, or for one left empty (`rule_files:` with nothing under it says nothing).
pub fn not_for_scraping_warning(key: &str, value: &serde_yaml_ng::Value) -> Option<String> {
    let (_, why) = NOT_FOR_SCRAPING.iter().find(|(k, _)| *k == key)?;
    let empty = match value {
        serde_yaml_ng::Value::Null => true,
        serde_yaml_ng::Value::Sequence(s) => s.is_empty(),
        serde_yaml_ng::Value::Mapping(m) => m.is_empty(),
        _ => false,
    };
    (!empty).then(|| format!("{key} is ignored ({why})"))
}

/// Keys of Prometheus' `global` section that argus does not read, and why.
const GLOBAL_UNSUPPORTED: &[(&str, &str)] = &[
    ("scrape_failure_log_file", "failures go to stderr"),
    (
        "scrape_protocols",
        "argus negotiates as Prometheus' default",
    ),
    ("body_size_limit", "argus applies its own fixed limit"),
    ("sample_limit", "argus applies no per-scrape limits"),
    ("target_limit", "argus applies no per-scrape limits"),
    ("label_limit", "argus applies no per-scrape limits"),
    (
        "label_name_length_limit",
        "argus applies no per-scrape limits",
    ),
    (
        "label_value_length_limit",
        "argus applies no per-scrape limits",
    ),
    ("keep_dropped_targets", "argus keeps no dropped targets"),
    (
        "metric_name_validation_scheme",
        "argus validates legacy names",
    ),
    (
        "metric_name_escaping_scheme",
        "argus validates legacy names",
    ),
    (
        "scrape_native_histograms",
        "argus stores no native histograms",
    ),
    (
        "convert_classic_histograms_to_nhcb",
        "argus stores no native histograms",
    ),
    (
        "always_scrape_classic_histograms",
        "argus always stores classic histograms",
    ),
    ("extra_scrape_metrics", "argus records the standard five"),
];

/// Keys of Prometheus' `scrape_config` (service discovery apart) that argus does not read.
const JOB_UNSUPPORTED: &[(&str, &str)] = &[
    (
        "tls_config",
        "argus checks servers against its built-in trusted roots and sends no client certificate",
    ),
    ("oauth2", "use authorization or basic_auth"),
    ("proxy_url", "argus scrapes without a proxy"),
    ("no_proxy", "argus scrapes without a proxy"),
    ("proxy_from_environment", "argus scrapes without a proxy"),
    ("proxy_connect_header", "argus scrapes without a proxy"),
    ("http_headers", "argus sends no custom headers"),
    ("follow_redirects", "argus always follows redirects"),
    ("enable_http2", "argus chooses the HTTP version itself"),
    ("enable_compression", "argus always asks for gzip"),
    (
        "track_timestamps_staleness",
        "argus writes no markers for timestamped series",
    ),
    (
        "scrape_protocols",
        "argus negotiates as Prometheus' default",
    ),
    (
        "fallback_scrape_protocol",
        "argus falls back to the text format",
    ),
    ("scrape_failure_log_file", "failures go to stderr"),
    ("body_size_limit", "argus applies its own fixed limit"),
    ("sample_limit", "argus applies no per-scrape limits"),
    ("target_limit", "argus applies no per-scrape limits"),
    ("label_limit", "argus applies no per-scrape limits"),
    (
        "label_name_length_limit",
        "argus applies no per-scrape limits",
    ),
    (
        "label_value_length_limit",
        "argus applies no per-scrape limits",
    ),
    ("keep_dropped_targets", "argus keeps no dropped targets"),
    (
        "native_histogram_bucket_limit",
        "argus stores no native histograms",
    ),
    (
        "native_histogram_min_bucket_factor",
        "argus stores no native histograms",
    ),
    (
        "scrape_native_histograms",
        "argus stores no native histograms",
    ),
    (
        "scrape_classic_histograms",
        "argus always stores classic histograms",
    ),
    (
        "always_scrape_classic_histograms",
        "argus always stores classic histograms",
    ),
    (
        "convert_classic_histograms_to_nhcb",
        "argus stores no native histograms",
    ),
    (
        "metric_name_validation_scheme",
        "argus validates legacy names",
    ),
    (
        "metric_name_escaping_scheme",
        "argus validates legacy names",
    ),
    ("extra_scrape_metrics", "argus records the standard five"),
];

const BASIC_AUTH_UNSUPPORTED: &[(&str, &str)] = &[
    ("username_file", "write the username inline"),
    ("username_ref", "a Prometheus Agent secret reference"),
    ("password_ref", "a Prometheus Agent secret reference"),
];

const AUTHORIZATION_UNSUPPORTED: &[(&str, &str)] =
    &[("credentials_ref", "a Prometheus Agent secret reference")];

impl Place {
    /// The place of a serde path such as `scrape_configs[3].static_configs[0]`.
    fn of(path: &str) -> Option<Place> {
        Some(match generalize(path).as_str() {
            "" => Place::Top,
            "global" => Place::Global,
            "scrape_configs[*]" => Place::Job,
            "scrape_configs[*].static_configs[*]" => Place::Static,
            "scrape_configs[*].file_sd_configs[*]" => Place::FileSd,
            "scrape_configs[*].basic_auth" => Place::BasicAuth,
            "scrape_configs[*].authorization" => Place::Authorization,
            "scrape_configs[*].relabel_configs[*]"
            | "scrape_configs[*].metric_relabel_configs[*]" => Place::Relabel,
            _ => return None,
        })
    }

    /// The keys argus reads here (a unit test keeps them in step with `config.rs`).
    fn known(self) -> &'static [&'static str] {
        match self {
            Place::Top => &[
                "global",
                "scrape_configs",
                "rule_files",
                "alerting",
                "remote_write",
                "remote_read",
                "storage",
                "tracing",
                "runtime",
                "otlp",
            ],
            Place::Global => &[
                "scrape_interval",
                "scrape_timeout",
                "external_labels",
                "evaluation_interval",
                "rule_query_offset",
                "query_log_file",
            ],
            Place::Job => &[
                "job_name",
                "scrape_interval",
                "scrape_timeout",
                "metrics_path",
                "scheme",
                "params",
                "basic_auth",
                "authorization",
                "bearer_token",
                "bearer_token_file",
                "honor_labels",
                "honor_timestamps",
                "static_configs",
                "file_sd_configs",
                "relabel_configs",
                "metric_relabel_configs",
            ],
            Place::Static => &["targets", "labels"],
            Place::FileSd => &["files", "refresh_interval"],
            Place::BasicAuth => &["username", "password", "password_file"],
            Place::Authorization => &["type", "credentials", "credentials_file"],
            Place::Relabel => &[
                "source_labels",
                "separator",
                "regex",
                "modulus",
                "target_label",
                "replacement",
                "action",
            ],
        }
    }

    fn unsupported(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Place::Top => TOP_UNSUPPORTED,
            Place::Global => GLOBAL_UNSUPPORTED,
            Place::Job => JOB_UNSUPPORTED,
            Place::BasicAuth => BASIC_AUTH_UNSUPPORTED,
            Place::Authorization => AUTHORIZATION_UNSUPPORTED,
            Place::Static | Place::FileSd | Place::Relabel => &[],
        }
    }
}

/// Reads serde's "unknown field" message: `(path, key)`, the path empty at the top level.
/// `None` for every other kind of error.
pub fn parse_unknown_field(message: &str) -> Option<(&str, &str)> {
    const MARK: &str = "unknown field `";
    let at = message.find(MARK)?;
    let rest = &message[at + MARK.len()..];
    let key = &rest[..rest.find('`')?];
    let path = message[..at].strip_suffix(": ").unwrap_or("");
    Some((path, key))
}

/// The message for `key`, found where argus reads no such key: in the mapping at `path`
/// (serde's path, empty at the top level).
pub fn unknown_key_message(path: &str, key: &str) -> String {
    let at = if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    };
    let Some(place) = Place::of(path) else {
        return format!("{at}unknown key {key}");
    };
    if place == Place::Job && UNSUPPORTED_SD_CONFIGS.contains(&key) {
        return format!(
            "{at}{key} is not supported by argus; use static_configs or file_sd_configs"
        );
    }
    if let Some((_, why)) = place.unsupported().iter().find(|(k, _)| *k == key) {
        return format!("{at}{key} is not supported by argus ({why}); remove it");
    }
    match closest(key, place.known()) {
        Some(best) => format!("{at}unknown key {key}; did you mean {best}?"),
        None => format!(
            "{at}unknown key {key}; the keys here are {}",
            place.known().join(", ")
        ),
    }
}

/// Every key of `doc` that argus does not read, as `path.key` in document order: for a
/// message that names them all at once (serde stops at the first).
pub fn unread_keys(doc: &serde_yaml_ng::Value) -> Vec<String> {
    let mut found = Vec::new();
    check(doc, "", &mut found);
    if let Some(g) = doc.get("global") {
        check(g, "global", &mut found);
    }
    let Some(serde_yaml_ng::Value::Sequence(jobs)) = doc.get("scrape_configs") else {
        return found;
    };
    for (i, job) in jobs.iter().enumerate() {
        let at = format!("scrape_configs[{i}]");
        check(job, &at, &mut found);
        for key in ["basic_auth", "authorization"] {
            if let Some(v) = job.get(key) {
                check(v, &format!("{at}.{key}"), &mut found);
            }
        }
        for key in [
            "static_configs",
            "file_sd_configs",
            "relabel_configs",
            "metric_relabel_configs",
        ] {
            if let Some(serde_yaml_ng::Value::Sequence(items)) = job.get(key) {
                for (j, item) in items.iter().enumerate() {
                    check(item, &format!("{at}.{key}[{j}]"), &mut found);
                }
            }
        }
    }
    found
}

/// Adds the keys of the mapping `v` (at `path`) that argus does not read.
fn check(v: &serde_yaml_ng::Value, path: &str, found: &mut Vec<String>) {
    let (serde_yaml_ng::Value::Mapping(m), Some(place)) = (v, Place::of(path)) else {
        return;
    };
    for k in m.keys() {
        let name = match k {
            serde_yaml_ng::Value::String(s) => s.clone(),
            other => serde_yaml_ng::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        if !place.known().contains(&name.as_str()) {
            found.push(if path.is_empty() {
                name
            } else {
                format!("{path}.{name}")
            });
        }
    }
}

/// The known key closest to `key` when it is near enough to be a typo: at most a third of
/// its length away, and at most 3 edits.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (key.chars().count() / 3).clamp(1, 3);
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, over characters. Written here because it is a dozen lines.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// `scrape_configs[3].relabel_configs[0]` → `scrape_configs[*].relabel_configs[*]`.
fn generalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[*]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(
            unknown_key_message("scrape_configs[0]", "scrape_intervl"),
            "scrape_configs[0]: unknown key scrape_intervl; did you mean scrape_interval?"
        );
        assert_eq!(
            unknown_key_message("scrape_configs[2].static_configs[0]", "labelz"),
            "scrape_configs[2].static_configs[0]: unknown key labelz; did you mean labels?"
        );
        assert_eq!(
            unknown_key_message("", "scrape_config"),
            "unknown key scrape_config; did you mean scrape_configs?"
        );
        let far = unknown_key_message("global", "colour");
        assert!(far.starts_with("global: unknown key colour; the keys here are scrape_interval"));
    }

    #[test]
    fn keys_prometheus_knows_are_refused_by_name() {
        for sd in UNSUPPORTED_SD_CONFIGS {
            assert_eq!(
                unknown_key_message("scrape_configs[1]", sd),
                format!(
                    "scrape_configs[1]: {sd} is not supported by argus; \
                     use static_configs or file_sd_configs"
                )
            );
        }
        let m = unknown_key_message("scrape_configs[0]", "tls_config");
        assert!(m.contains("tls_config is not supported by argus"), "{m}");
        let m = unknown_key_message("global", "sample_limit");
        assert!(m.contains("sample_limit is not supported"), "{m}");
    }

    #[test]
    fn serde_messages_are_read() {
        assert_eq!(
            parse_unknown_field(
                "scrape_configs[0]: unknown field `scrape_intervl`, expected one of `a`, `b`"
            ),
            Some(("scrape_configs[0]", "scrape_intervl"))
        );
        assert_eq!(
            parse_unknown_field("unknown field `rule_files`, expected `global` or `x`"),
            Some(("", "rule_files"))
        );
        assert_eq!(parse_unknown_field("invalid type: sequence"), None);
    }

    #[test]
    fn every_unread_key_is_listed_in_document_order() {
        let yaml = [
            "global: {evaluation_interval: 1m, sample_limit: 5}",
            "alerting: {}",
            "scrape_configs:",
            "- job_name: a",
            "  tls_config: {}",
            "  static_configs: [{targets: [], labelz: {}}]",
            "  relabel_configs: [{action: keep, regx: x}]",
            "  basic_auth: {username_file: f}",
        ]
        .join("\n");
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(
            unread_keys(&doc),
            [
                "global.sample_limit",
                "scrape_configs[0].tls_config",
                "scrape_configs[0].basic_auth.username_file",
                "scrape_configs[0].static_configs[0].labelz",
                "scrape_configs[0].relabel_configs[0].regx",
            ]
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("scrape_intervl", "scrape_interval"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
