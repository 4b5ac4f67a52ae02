//! `argus export`: every format, and the OpenMetrics round trip through `argus ingest` and
//! through Prometheus' own `promtool tsdb create-blocks-from openmetrics`.

use super::support::{stdout_of, Workdir};

fn ingest_at(w: &Workdir, body: &str) {
    w.argus()
        .args(["ingest", "--format", "openmetrics"])
        .write_stdin(body.to_string())
        .assert()
        .success();
}

const DATA: &str = "# TYPE reqs counter\n# HELP reqs Requests.\nreqs_total{code=\"200\"} 1 1700000000\nreqs_total{code=\"200\"} 2.5 1700000015.5\nreqs_total{code=\"500\"} NaN 1700000000\n# TYPE temp gauge\ntemp{room=\"a b\\\"c\"} -Inf 1700000000\ntemp{room=\"x\"} 1e-300 1700000000.001\n# EOF\n";

#[test]
fn openmetrics_round_trip_through_ingest() {
    let a = Workdir::new();
    ingest_at(&a, DATA);
    let om = stdout_of(a.argus(), &["export", "-o", "openmetrics"]);
    assert!(om.ends_with("# EOF\n"), "{om}");
    let b = Workdir::new();
    ingest_at(&b, &om);
    let ja = stdout_of(a.argus(), &["export", "-o", "jsonl"]);
    let jb = stdout_of(b.argus(), &["export", "-o", "jsonl"]);
    assert_eq!(ja, jb);
    assert_eq!(ja.lines().count(), 5);
}

#[test]
fn csv_and_jsonl_exports_reingest() {
    let a = Workdir::new();
    ingest_at(&a, DATA);
    for fmt in ["csv", "jsonl"] {
        let out = stdout_of(a.argus(), &["export", "-o", fmt]);
        let b = Workdir::new();
        b.argus()
            .args(["ingest", "--format", fmt])
            .write_stdin(out)
            .assert()
            .success();
        assert_eq!(
            stdout_of(a.argus(), &["export", "-o", "jsonl"]),
            stdout_of(b.argus(), &["export", "-o", "jsonl"]),
            "{fmt}"
        );
    }
}

#[test]
fn selectors_and_time_range_limit_the_export() {
    let a = Workdir::new();
    ingest_at(&a, DATA);
    let out = stdout_of(
        a.argus(),
        &[
            "export",
            "reqs_total{code=\"200\"}",
            "--from",
            "1700000010",
            "--to",
            "1700000020",
            "-o",
            "csv",
        ],
    );
    assert_eq!(
        out,
        "metric,labels,timestamp,value\nreqs_total,\"{code=\"\"200\"\"}\",1700000015500,2.5\n"
    );
}

#[test]
fn promtool_accepts_the_openmetrics_export() {
    if std::process::Command::new("promtool")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!(
            "promtool is missing: scripts/install-test-deps installs Debian's `prometheus` package"
        );
    }
    let a = Workdir::new();
    fixture_node(&a);
    let om = stdout_of(a.argus(), &["export", "-o", "openmetrics"]);
    let file = a.write("export.om", &om);
    let out = std::process::Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(a.path("prom"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool rejected the export: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        om.lines().take(20).collect::<Vec<_>>().join("\n")
    );
    // promtool reports the samples it wrote per block; their sum is what we exported.
    let text = String::from_utf8_lossy(&out.stdout);
    let written: u64 = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(4)?.parse::<u64>().ok())
        .sum();
    let exported = stdout_of(a.argus(), &["export", "-o", "jsonl"])
        .lines()
        .count() as u64;
    assert_eq!(written, exported, "{text}");
}

/// A real node_exporter body ingested with explicit timestamps, three scrapes apart.
fn fixture_node(w: &Workdir) {
    let f = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/expo/node_exporter.prom");
    let body = std::fs::read_to_string(f).unwrap();
    let mut all = String::new();
    for (i, t) in [1700000000000i64, 1700000015000, 1700000030000]
        .iter()
        .enumerate()
    {
        for line in body.lines() {
            if line.starts_with('#') || line.is_empty() {
                if i == 0 {
                    all.push_str(line);
                    all.push('\n');
                }
                continue;
            }
            all.push_str(&format!("{line} {t}\n"));
        }
    }
    w.argus()
        .args(["ingest", "--format", "prom"])
        .write_stdin(all)
        .assert()
        .success();
}
