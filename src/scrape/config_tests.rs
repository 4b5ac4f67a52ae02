//! Unit tests of `config.rs`: real `prometheus.yml` files, defaults, validation messages and
//! the errors for keys argus does not read.

use super::*;

const DEBIAN: &str = include_str!("../../tests/fixtures/scrape/prometheus-debian.yml");
const FULL: &str = include_str!("../../tests/fixtures/scrape/full.yml");

fn parse(text: &str) -> Result<(ScrapeConfigFile, Vec<String>), ConfigError> {
    parse_config(text, Path::new("conf/prometheus.yml"))
}

fn parse_err(text: &str) -> String {
    parse(text).expect_err(text).to_string()
}

#[test]
fn debian_default_config_loads_and_names_what_it_ignores() {
    // A real prometheus.yml has rules and alerting beside its scrape jobs: those do not
    // change what is scraped, so the file is read and each part that holds something is
    // named as ignored. (`rule_files:` with only comments under it holds nothing.)
    let (cfg, warnings) = parse(DEBIAN).unwrap();
    assert_eq!(cfg.jobs.len(), 2);
    assert_eq!(
        warnings,
        [
            "alerting is ignored (scraping sends no alerts; `argus rules eval --config` and `argus serve` do)",
            "global.evaluation_interval is ignored (scraping evaluates no rules; `argus rules eval --config` does)",
        ]
    );
}

#[test]
fn debian_default_config_without_rules_and_alerting() {
    let text: String = DEBIAN
        .lines()
        .filter(|l| !l.contains("evaluation_interval"))
        .take_while(|l| !l.starts_with("alerting:"))
        .chain(
            DEBIAN
                .lines()
                .skip_while(|l| !l.starts_with("scrape_configs:")),
        )
        .map(|l| format!("{l}\n"))
        .collect();
    let (cfg, warnings) = parse(&text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(cfg.global.scrape_interval_ms, 15_000);
    assert_eq!(cfg.global.scrape_timeout_ms, 10_000);
    assert_eq!(
        cfg.global.external_labels,
        Labels::from_pairs([("monitor", "example")])
    );
    assert_eq!(cfg.jobs.len(), 2);
    let p = &cfg.jobs[0];
    assert_eq!(p.name, "prometheus");
    assert_eq!(p.targets[0].url, "http://localhost:9090/metrics");
    assert_eq!(
        (p.targets[0].interval_ms, p.targets[0].timeout_ms),
        (5000, 5000)
    );
    let n = &cfg.jobs[1];
    assert_eq!(n.targets[0].instance(), "localhost:9100");
    assert_eq!(n.targets[0].job(), "node");
    assert_eq!(
        (n.targets[0].interval_ms, n.targets[0].timeout_ms),
        (15_000, 10_000)
    );
    assert!(n.honor_timestamps && !n.honor_labels);
    assert!(cfg.file_sd.is_empty());
}

#[test]
fn full_config() {
    let (cfg, warnings) = parse(FULL).unwrap();
    let mysql = &cfg.jobs[0];
    assert!(mysql.honor_labels);
    assert!(!mysql.honor_timestamps);
    assert_eq!(mysql.metric_relabel_configs.len(), 1);
    assert_eq!(mysql.targets.len(), 2);
    let t = &mysql.targets[0];
    assert_eq!(
        t.labels,
        Labels::from_pairs([
            ("env", "prod"),
            ("host", "db1"),
            ("instance", "db1:9104"),
            ("job", "mysql"),
            ("rack", "r1"),
        ])
    );
    // Timeout from global (20s) is longer than the job's interval: shortened to 10s.
    assert_eq!((t.interval_ms, t.timeout_ms), (10_000, 10_000));
    assert_eq!(
        t.auth,
        Some(Auth::Basic {
            username: "exporter".into(),
            password: Some(Secret::File(PathBuf::from("conf/secrets/mysql.pw"))),
        })
    );

    let bb = &cfg.jobs[1];
    assert_eq!(
        bb.targets[0].url,
        "http://127.0.0.1:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.org"
    );
    assert_eq!(bb.targets[1].instance(), "http://example.com:8080");
    assert_eq!(
        bb.targets[0].auth,
        Some(Auth::Header {
            kind: "Bearer".into(),
            credentials: Secret::Inline("s3cr3t".into())
        })
    );

    let k8s = &cfg.jobs[2];
    assert_eq!(k8s.targets[0].url, "https://api.local/metrics");
    assert_eq!(
        k8s.targets[0].auth,
        Some(Auth::Header {
            kind: "Bearer".into(),
            credentials: Secret::File(PathBuf::from("/var/run/token"))
        })
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    // The k8s job reads target files besides its static target; paths are relative to the
    // configuration's directory.
    assert_eq!(cfg.file_sd.len(), 1);
    let sd = &cfg.file_sd[0];
    assert_eq!(sd.spec.job_name, "k8s");
    assert_eq!(sd.spec.scheme, "https");
    assert_eq!(
        sd.configs[0].patterns,
        [
            PathBuf::from("conf/targets/*.json"),
            PathBuf::from("/etc/argus/k8s.yml")
        ]
    );
    assert_eq!(sd.configs[0].refresh_interval_ms, 60_000);
}

#[test]
fn empty_file_is_an_empty_config() {
    let (cfg, w) = parse("# nothing\n").unwrap();
    assert!(cfg.jobs.is_empty() && w.is_empty());
    assert_eq!(cfg.global.scrape_interval_ms, 60_000);
}

#[test]
fn yaml_errors_have_file_line_and_column() {
    let e = parse_err("scrape_configs:\n  - job_name: a\n    scrape_interval: 15\n");
    // serde_yaml_ng places errors of a value at the start of the enclosing mapping.
    assert!(
        e.starts_with("conf/prometheus.yml:2:5: scrape_configs[0]"),
        "{e}"
    );
    assert!(e.contains("not a valid duration string: \"15\""), "{e}");
    let e = parse_err("scrape_configs:\n  - job_name: a\n   bad indent: [\n");
    assert!(e.starts_with("conf/prometheus.yml:"), "{e}");
    let e = parse_err(
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n",
    );
    assert!(e.starts_with("conf/prometheus.yml:4:"), "{e}");
    assert!(e.contains("requires non-zero modulus"), "{e}");
}

#[test]
fn job_level_errors_point_at_the_job() {
    let e = parse_err("scrape_configs:\n  - job_name: a\n  - job_name: 'a'\n");
    assert_eq!(
        e,
        "conf/prometheus.yml:2:5: scrape_configs[1]: found multiple scrape configs with job name \"a\""
    );
    let e = parse_err(
        "scrape_configs:\n  - job_name: slow\n    scrape_interval: 5s\n    scrape_timeout: 6s\n",
    );
    assert!(
        e.contains(
            "scrape timeout greater than scrape interval for scrape config with job name \"slow\""
        ),
        "{e}"
    );
    let e = parse_err("scrape_configs:\n  - job_name: u\n    static_configs:\n      - targets: ['http://a:1/metrics']\n");
    assert!(e.contains("is not a valid hostname"), "{e}");
    let e = parse_err("scrape_configs:\n  - job_name: s\n    scheme: ftp\n");
    assert!(e.contains("scheme must be http or https"), "{e}");
    let e = parse_err("global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n");
    assert!(e.contains("global scrape timeout greater"), "{e}");
}

#[test]
fn an_unset_global_timeout_follows_a_shorter_interval() {
    // Prometheus reads `scrape_interval: 1s` alone as a 1 s timeout, not an error.
    let (cfg, _) =
        parse("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: a\n").unwrap();
    assert_eq!(cfg.global.scrape_timeout_ms, 1000);
}

#[test]
fn auth_validation() {
    let job = |body: &str| format!("scrape_configs:\n  - job_name: a\n{body}");
    let cases = [
        (
            "    bearer_token: x\n    bearer_token_file: y\n",
            "at most one of bearer_token & bearer_token_file",
        ),
        (
            "    bearer_token: x\n    basic_auth: {username: u}\n",
            "at most one of basic_auth, oauth2, bearer_token & bearer_token_file",
        ),
        (
            "    basic_auth: {username: u, password: p, password_file: f}\n",
            "at most one of basic_auth password & password_file",
        ),
        (
            "    authorization: {credentials: c}\n    bearer_token: x\n",
            "authorization is not compatible with bearer_token",
        ),
        (
            "    authorization: {credentials: c, credentials_file: f}\n",
            "at most one of authorization credentials & credentials_file",
        ),
        (
            "    authorization: {type: Basic, credentials: c}\n",
            "authorization type cannot be set to \"basic\"",
        ),
        (
            "    authorization: {credentials: c}\n    basic_auth: {username: u}\n",
            "at most one of basic_auth, oauth2 & authorization",
        ),
    ];
    for (body, want) in cases {
        let e = parse_err(&job(body));
        assert!(e.contains(want), "{body}: {e}");
    }
    let (cfg, _) = parse(&job(
        "    authorization: {type: Token, credentials: c}\n    static_configs: [{targets: [a:1]}]\n",
    ))
    .unwrap();
    assert_eq!(
        cfg.jobs[0].targets[0].auth,
        Some(Auth::Header {
            kind: "Token".into(),
            credentials: Secret::Inline("c".into())
        })
    );
}

#[test]
fn unknown_keys_everywhere_are_refused_at_their_line() {
    let e = parse_err("scrape_configs:\n  - job_name: a\n    scrape_intervl: 5s\n");
    assert_eq!(
        e,
        "conf/prometheus.yml:3:5: scrape_configs[0]: unknown key scrape_intervl; \
         did you mean scrape_interval?"
    );
    let e = parse_err(
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n        labelz: {}\n",
    );
    assert!(
        e.starts_with("conf/prometheus.yml:5:9: scrape_configs[0].static_configs[0]: unknown key labelz; did you mean labels?"),
        "{e}"
    );
    let e = parse_err(
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {target_label: x, replacemnt: y}\n",
    );
    assert!(e.contains("4:27: scrape_configs[0].relabel_configs[0]: unknown key replacemnt; did you mean replacement?"), "{e}");
    let e =
        parse_err("scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, passwd: p}\n");
    assert!(
        e.contains("basic_auth: unknown key passwd; did you mean password?"),
        "{e}"
    );
    let e = parse_err(
        "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [a.yml], refresh: 1m}]\n",
    );
    assert!(
        e.contains(
            "file_sd_configs[0]: unknown key refresh; the keys here are files, refresh_interval"
        ),
        "{e}"
    );
    let e = parse_err("scrape_configs:\n  - job_name: a\n    sample_limit: 10\n");
    assert!(
        e.contains("3:5: scrape_configs[0]: sample_limit is not supported by argus"),
        "{e}"
    );
}

#[test]
fn file_sd_configs_are_checked_as_prometheus_does() {
    let job = |sd: &str| format!("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{sd}]\n");
    let e = parse_err(&job("{files: []}"));
    assert!(
        e.contains(
            "file_sd_configs[0]: file service discovery config must contain at least one path name"
        ),
        "{e}"
    );
    let e = parse_err(&job("{files: ['*/a.json']}"));
    assert!(
        e.contains("path name \"*/a.json\" is not valid for file discovery"),
        "{e}"
    );
    let e = parse_err(&job("{files: ['targets.txt']}"));
    assert!(e.contains("is not valid for file discovery"), "{e}");
    let (cfg, _) = parse(&job("{files: ['t/*.yml']}")).unwrap();
    assert_eq!(cfg.jobs[0].targets.len(), 0);
    assert_eq!(
        cfg.file_sd[0].configs[0],
        FileSdConfig {
            patterns: vec![PathBuf::from("conf/t/*.yml")],
            refresh_interval_ms: 300_000,
        }
    );
}

#[test]
fn bad_targets_after_relabeling_are_skipped_with_a_warning() {
    let (cfg, w) = parse(
        "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['a:1', 'b:2']}]\n    relabel_configs:\n      - {source_labels: [__address__], regex: 'b:2', target_label: __scrape_interval__, replacement: 'x'}\n",
    )
    .unwrap();
    assert_eq!(cfg.jobs[0].targets.len(), 1);
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("error parsing scrape interval"), "{w:?}");
}

#[test]
fn missing_file_is_named() {
    let e = load_config(Path::new("no/such/prometheus.yml")).unwrap_err();
    assert!(e
        .to_string()
        .starts_with("no/such/prometheus.yml: cannot read"));
}

#[test]
fn scalars_that_are_not_strings_are_read_as_strings() {
    let (cfg, _) = parse(
        "scrape_configs:\n  - job_name: 1\n    static_configs: [{targets: ['a:1'], labels: {port: 80, on: true}}]\n    relabel_configs:\n      - {target_label: x, replacement: 9100}\n",
    )
    .unwrap();
    let t = &cfg.jobs[0].targets[0];
    assert_eq!(t.labels.get("port"), Some("80"));
    assert_eq!(t.labels.get("x"), Some("9100"));
    assert_eq!(t.job(), "1");
}

#[test]
fn duplicate_targets_in_a_job_are_scraped_once() {
    let (cfg, _) = parse(
        "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['a:1', 'a:1']}, {targets: ['a:1']}, {targets: ['a:1'], labels: {x: y}}]\n",
    )
    .unwrap();
    assert_eq!(cfg.jobs[0].targets.len(), 2);
}
