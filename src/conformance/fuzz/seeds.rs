//! Seed inputs for the fuzz targets: the peers' own test data where it exists (Prometheus'
//! PromQL scripts, Loki's LogQL corpora), argus' exposition fixtures, and a few built-in
//! examples of each input kind, so that a target has seeds even where no data directory is
//! at hand.

use prost::Message;
use std::path::Path;

/// Where seed data may be found; either may be missing.
#[derive(Clone, Debug, Default)]
pub struct SeedDirs<'a> {
    /// The shared conformance directory (with `promql/` and `logql/` inside).
    pub conformance: Option<&'a Path>,
    /// argus' `tests/fixtures` directory.
    pub fixtures: Option<&'a Path>,
}

/// The seeds of `target`.
pub fn seeds(target: &str, dirs: &SeedDirs) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = match target {
        "exposition" => exposition(dirs),
        "promql" => promql(dirs),
        "logql" => logql(dirs),
        "template" => templates(dirs),
        "loki-push-json" => BUILTIN_LOKI_JSON
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        "loki-push-protobuf" => loki_protobuf(),
        "remote-write" => remote_write(),
        _ => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

const BUILTIN_EXPOSITION: &[&str] = &[
    "# HELP up Whether the target is up.\n# TYPE up gauge\nup{job=\"node\"} 1\n",
    "# TYPE http_requests counter\nhttp_requests_total{code=\"200\"} 1027 1395066363000\n# EOF\n",
    "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 0.3\nh_count 2\n",
    "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 2\ns_count 3\n# EOF\n",
];

const BUILTIN_PROMQL: &[&str] = &[
    "up",
    "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
    "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
    "max_over_time(deriv(rate(x[1m])[5m:1m])[10m:]) offset 1h @ end()",
    "a + on(job) group_left(instance) b > bool 1",
    "-x ^ 2 ^ -3",
];

const BUILTIN_LOGQL: &[&str] = &[
    "{app=\"api\"} |= \"timeout\" != \"health\"",
    "sum by (level) (count_over_time({app=\"api\"} | json | level=~\"err.*\" [5m]))",
    "{app=\"a\"} | logfmt | line_format \"{{.msg}}\" | label_format x=\"{{.a}}\"",
    "quantile_over_time(0.99, {app=\"a\"} | unwrap duration(latency) [1m]) by (path)",
];

const BUILTIN_TEMPLATES: &[&str] = &[
    "{{.app}} {{.level | ToUpper}}",
    "{{ if eq .level \"error\" }}E{{ else }}{{ __line__ }}{{ end }}",
    "{{ range $i, $v := .items }}{{$i}}={{$v}}{{end}}",
    "{{ printf \"%-10s|%5.2f\" .app 3.14159 }}",
    "{{ __timestamp__ | date \"2006-01-02T15:04:05Z07:00\" }}",
];

const BUILTIN_LOKI_JSON: &[&str] = &[
    r#"{"streams":[{"stream":{"app":"a"},"values":[["1700000000000000000","line one"],["1700000000000000001","two",{"trace_id":"x"}]]}]}"#,
    r#"{"streams":[{"stream":{"app":"a","level":"error"},"values":[]}]}"#,
];

fn exposition(dirs: &SeedDirs) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = BUILTIN_EXPOSITION
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    if let Some(fixtures) = dirs.fixtures {
        for sub in ["expo", "scrape"] {
            for (_, bytes) in files_in(&fixtures.join(sub)) {
                // Big fixtures are cut into pieces: the mutator works best on small inputs.
                out.extend(bytes.chunks(2048).map(<[u8]>::to_vec));
            }
        }
    }
    out
}

fn promql(dirs: &SeedDirs) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = BUILTIN_PROMQL
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    if let Some(dir) = dirs.conformance.map(|c| c.join("promql")) {
        for (name, bytes) in files_in(&dir) {
            if !name.ends_with(".test") {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            out.extend(
                text.lines()
                    .filter_map(eval_expression)
                    .map(String::into_bytes),
            );
        }
    }
    out
}

/// The expression of a promqltest `eval` line: `eval[_fail|...] instant at T EXPR` or
/// `eval[...] range from T to T step D EXPR`.
fn eval_expression(line: &str) -> Option<String> {
    let (command, rest) = line.split_once(' ')?;
    if !command.starts_with("eval") {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let skip = match *words.first()? {
        "instant" => 3,
        "range" => 7,
        _ => return None,
    };
    (words.len() > skip).then(|| words[skip..].join(" "))
}

fn logql(dirs: &SeedDirs) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = BUILTIN_LOGQL
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    if let Some(dir) = dirs.conformance.map(|c| c.join("logql")) {
        for name in ["parse_ok.txt", "parse_err.txt", "eval_err.txt"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
                out.extend(text.lines().map(|l| l.as_bytes().to_vec()));
            }
        }
    }
    out
}

/// Built-in templates plus the text of every `line_format`/`label_format` template in Loki's
/// corpus (as written there, escapes and all: close enough to seed from).
fn templates(dirs: &SeedDirs) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = BUILTIN_TEMPLATES
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    for query in logql(dirs) {
        let text = String::from_utf8_lossy(&query);
        for piece in text.split("_format").skip(1) {
            if let Some(body) = piece.split('"').nth(1) {
                if body.contains("{{") {
                    out.push(body.as_bytes().to_vec());
                }
            }
        }
    }
    out
}

fn loki_protobuf() -> Vec<Vec<u8>> {
    use crate::http::proto::{EntryAdapter, PushRequest, StreamAdapter};
    let request = PushRequest {
        streams: vec![StreamAdapter {
            labels: "{app=\"a\", level=\"info\"}".into(),
            entries: vec![EntryAdapter {
                timestamp: Some(crate::http::proto::Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 5,
                }),
                line: "hello".into(),
                ..Default::default()
            }],
        }],
    };
    vec![request.encode_to_vec()]
}

fn remote_write() -> Vec<Vec<u8>> {
    use crate::http::proto::{Label, Sample, TimeSeries, WriteRequest};
    let request = WriteRequest {
        timeseries: vec![TimeSeries {
            labels: vec![
                Label {
                    name: "__name__".into(),
                    value: "up".into(),
                },
                Label {
                    name: "job".into(),
                    value: "node".into(),
                },
            ],
            samples: vec![Sample {
                value: 1.0,
                timestamp: 1_700_000_000_000,
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    vec![request.encode_to_vec()]
}

/// The files directly inside `dir` with their names, in name order; none when it is missing.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((name, std::fs::read(&p).ok()?))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_lines_give_their_expressions() {
        assert_eq!(
            eval_expression("eval instant at 50m sum by (g) (x)").as_deref(),
            Some("sum by (g) (x)")
        );
        assert_eq!(
            eval_expression("eval_fail range from 0 to 10m step 1m rate(x[5m])").as_deref(),
            Some("rate(x[5m])")
        );
        assert_eq!(eval_expression("load 5m"), None);
    }

    #[test]
    fn every_target_has_builtin_seeds() {
        for t in super::super::TARGETS {
            assert!(
                !seeds(t.name, &SeedDirs::default()).is_empty(),
                "{} has no seeds",
                t.name
            );
        }
    }
}
