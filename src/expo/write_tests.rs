//! Tests of the writers: exact number formatting, OpenMetrics and text-format output read
//! back by the parser, the OpenMetrics family rules, and `family_of`.

use super::parse_tests::{l, samples};
use super::*;
use crate::model::{stale_nan, MetricType};

#[test]
fn values_and_timestamps_format_exactly() {
    for v in [
        0.0,
        -0.0,
        1.0,
        -2.5,
        0.1,
        1.0 / 3.0,
        1e-300,
        5e-324,
        1.7976931348623157e308,
        123456789012345680000.0,
        1e21,
        0.0001,
        0.00009999,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let s = format_sample_value(v);
        let back = super::cursor::parse_float(&s).unwrap();
        assert_eq!(back.to_bits(), v.to_bits(), "{v} → {s}");
    }
    assert_eq!(format_sample_value(f64::NAN), "NaN");
    assert_eq!(format_sample_value(f64::INFINITY), "+Inf");
    assert_eq!(format_sample_value(1e300), "1e300");
    assert_eq!(format_sample_value(42.0), "42");
    for ms in [
        0,
        1,
        -1,
        999,
        1_700_000_000_123,
        1_700_000_000_000,
        -1_500,
        10,
    ] {
        let s = format_om_timestamp(ms);
        assert_eq!(
            super::cursor::parse_om_timestamp(&s).unwrap(),
            ms,
            "{ms} → {s}"
        );
    }
    assert_eq!(format_om_timestamp(1_700_000_000_120), "1700000000.12");
    assert_eq!(format_om_timestamp(-1), "-0.001");
}

fn md(metric: &str, kind: MetricType, help: &str, unit: &str) -> MetricMetadata {
    MetricMetadata {
        metric: metric.into(),
        kind,
        help: help.into(),
        unit: unit.into(),
    }
}

#[test]
fn openmetrics_writer_round_trips() {
    let series = [
        (
            l(&[
                ("__name__", "http_requests_total"),
                ("code", "200"),
                ("path", "/a \"b\"\\\n"),
            ]),
            1_700_000_000_123,
            1027.0,
        ),
        (
            l(&[("__name__", "http_requests_total"), ("code", "500")]),
            1_700_000_000_000,
            3.0,
        ),
        (
            l(&[("__name__", "up"), ("job", "node")]),
            1_700_000_015_000,
            1.0,
        ),
        (l(&[("__name__", "weird")]), -1, f64::NAN),
        (l(&[("__name__", "weird")]), 0, f64::NEG_INFINITY),
        (l(&[("__name__", "weird")]), 1, 1e-300),
    ];
    let mut w = OpenMetricsWriter::new(Vec::new());
    w.write_metadata(&md(
        "http_requests_total",
        MetricType::Counter,
        "Requests \"served\"\nby code.",
        "",
    ))
    .unwrap();
    for (i, (labels, t, v)) in series.iter().enumerate() {
        if i == 2 {
            w.write_metadata(&md("up", MetricType::Gauge, "", ""))
                .unwrap();
        }
        w.write_sample(labels, *t, *v).unwrap();
        if i == 0 {
            w.write_sample(labels, *t + 1, stale_nan()).unwrap();
        }
    }
    assert_eq!(w.skipped_stale(), 1);
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(out.starts_with("# TYPE http_requests counter\n# HELP http_requests Requests \\\"served\\\"\\nby code.\nhttp_requests_total{"), "{out}");
    assert!(out.ends_with("# EOF\n"));
    let e = parse_all(&out, Format::OpenMetrics).unwrap();
    let got = samples(&e);
    assert_eq!(got.len(), series.len());
    for (g, (labels, t, v)) in got.iter().zip(series.iter()) {
        assert_eq!(&g.0, labels);
        assert_eq!(g.1, Some(*t));
        assert_eq!(g.2.to_bits(), v.to_bits(), "{labels}");
    }
    let mds: Vec<_> = e
        .iter()
        .filter_map(|e| match e {
            Entry::Metadata(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(mds.last().unwrap().metric, "up");
    assert_eq!(mds[1].help, "Requests \"served\"\nby code.");
}

#[test]
fn openmetrics_writer_types_counters_by_their_samples() {
    let mut w = OpenMetricsWriter::new(Vec::new());
    // A text-format counter without `_total` cannot be an OpenMetrics counter.
    w.write_metadata(&md(
        "mysql_global_status_queries",
        MetricType::Counter,
        "",
        "",
    ))
    .unwrap();
    w.write_sample(
        &l(&[("__name__", "mysql_global_status_queries")]),
        1000,
        5.0,
    )
    .unwrap();
    // An OpenMetrics-style family name keeps its type.
    w.write_metadata(&md("foo", MetricType::Counter, "", ""))
        .unwrap();
    w.write_sample(&l(&[("__name__", "foo_total")]), 1000, 5.0)
        .unwrap();
    // A unit that is not a suffix is dropped rather than producing an invalid file.
    w.write_metadata(&md("bar_seconds", MetricType::Gauge, "", "seconds"))
        .unwrap();
    w.write_metadata(&md("baz", MetricType::Gauge, "", "seconds"))
        .unwrap();
    // A family name may be announced once only.
    w.write_metadata(&md("foo_total", MetricType::Counter, "", ""))
        .unwrap();
    w.write_metadata(&md("foo", MetricType::Gauge, "", ""))
        .unwrap();
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(
        out.contains("# TYPE mysql_global_status_queries unknown\n"),
        "{out}"
    );
    assert!(out.contains("# TYPE foo counter\nfoo_total 5 1\n"), "{out}");
    assert!(out.contains("# UNIT bar_seconds seconds\n"), "{out}");
    assert!(!out.contains("# UNIT baz"), "{out}");
    assert!(out.contains("# TYPE foo_total unknown\n"), "{out}");
    assert_eq!(out.matches("# TYPE foo ").count(), 1, "{out}");
    parse_all(&out, Format::OpenMetrics).unwrap();
}

#[test]
fn openmetrics_writer_refuses_interleaved_names() {
    let mut w = OpenMetricsWriter::new(Vec::new());
    w.write_sample(&l(&[("__name__", "a")]), 0, 1.0).unwrap();
    w.write_sample(&l(&[("__name__", "b")]), 0, 1.0).unwrap();
    let e = w
        .write_sample(&l(&[("__name__", "a")]), 1, 1.0)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert!(w
        .write_sample(&Labels::from_pairs([("job", "x")]), 0, 1.0)
        .is_err());
}

#[test]
fn text_writer_round_trips() {
    let mut w = TextWriter::new(Vec::new());
    w.write_metadata(&md("a_total", MetricType::Counter, "x\\y\nz", ""))
        .unwrap();
    w.write_sample(&l(&[("__name__", "a_total"), ("k", "v\"")]), Some(5), 0.25)
        .unwrap();
    w.write_metadata(&md("i", MetricType::Info, "", ""))
        .unwrap();
    w.write_sample(&l(&[("__name__", "i")]), None, f64::INFINITY)
        .unwrap();
    w.write_sample(&l(&[("__name__", "i")]), None, stale_nan())
        .unwrap();
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(out.contains("# TYPE i untyped\n"), "{out}");
    let e = parse_all(&out, Format::PrometheusText).unwrap();
    let s = samples(&e);
    assert_eq!(s.len(), 2);
    assert_eq!(
        s[0],
        (l(&[("__name__", "a_total"), ("k", "v\"")]), Some(5), 0.25)
    );
    let Entry::Metadata(m) = &e[1] else { panic!() };
    assert_eq!(m.help, "x\\y\nz");
}

/// Both fixtures, grouped by metric name as `argus export` does, written as OpenMetrics and
/// read back: every sample survives. (The same output was checked by hand with `promtool tsdb
/// create-blocks-from openmetrics` from Prometheus 2.42, which accepted it.)
#[test]
fn fixtures_round_trip_through_the_openmetrics_writer() {
    use std::collections::{BTreeMap, HashMap, HashSet};
    let prom = include_str!("../../tests/fixtures/expo/node_exporter.prom");
    let om = include_str!("../../tests/fixtures/expo/app.om");
    for (body, f) in [(prom, Format::PrometheusText), (om, Format::OpenMetrics)] {
        let mut by_name: BTreeMap<String, Vec<ExpoSample>> = BTreeMap::new();
        let mut mds = HashMap::new();
        for e in parse_all(body, f).unwrap() {
            match e {
                Entry::Metadata(m) => {
                    mds.insert(m.metric.clone(), m);
                }
                Entry::Sample(s) => by_name
                    .entry(s.labels.metric_name().unwrap().to_string())
                    .or_default()
                    .push(s),
            }
        }
        let mut w = OpenMetricsWriter::new(Vec::new());
        let mut announced = HashSet::new();
        let mut want = Vec::new();
        for (n, ss) in &by_name {
            let fam = [
                "_total", "_created", "_bucket", "_count", "_sum", "_info", "_gcount", "_gsum",
            ]
            .iter()
            .find_map(|s| n.strip_suffix(s))
            .unwrap_or(n);
            if let Some(m) = mds.get(n).or(mds.get(fam)) {
                if announced.insert(m.metric.clone()) {
                    w.write_metadata(m).unwrap();
                }
            }
            for s in ss {
                let t = s.timestamp.unwrap_or(1_700_000_000_000);
                w.write_sample(&s.labels, t, s.value).unwrap();
                want.push((s.labels.clone(), Some(t), s.value.to_bits()));
            }
        }
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let got: Vec<_> = samples(&parse_all(&out, Format::OpenMetrics).unwrap())
            .into_iter()
            .map(|(l, t, v)| (l, t, v.to_bits()))
            .collect();
        assert_eq!(got, want);
    }
}

#[test]
fn sample_names_map_to_families() {
    let md: Vec<MetricMetadata> = [
        ("c", MetricType::Counter),
        ("h", MetricType::Histogram),
        ("g", MetricType::Gauge),
        ("i", MetricType::Info),
        ("gh", MetricType::GaugeHistogram),
        ("x_total", MetricType::Counter),
    ]
    .into_iter()
    .map(|(name, kind)| MetricMetadata {
        metric: name.into(),
        kind,
        help: format!("{name} help"),
        unit: String::new(),
    })
    .collect();
    let lookup = |n: &str| md.iter().find(|m| m.metric == n);
    let family = |n: &str| {
        let (f, m) = family_of(n, lookup);
        (f, m.map(|m| (m.metric, m.kind)))
    };
    let typed = |f: &str, k| (f.to_string(), Some((f.to_string(), k)));
    assert_eq!(family("c_total"), typed("c", MetricType::Counter));
    assert_eq!(family("c_created"), typed("c", MetricType::Counter));
    assert_eq!(family("h_bucket"), typed("h", MetricType::Histogram));
    assert_eq!(family("h_sum"), typed("h", MetricType::Histogram));
    assert_eq!(family("i_info"), typed("i", MetricType::Info));
    assert_eq!(family("gh_gcount"), typed("gh", MetricType::GaugeHistogram));
    // Text format 0.0.4: the counter's metadata is named after its sample.
    assert_eq!(family("x_total"), typed("x", MetricType::Counter));
    assert_eq!(family("g"), typed("g", MetricType::Gauge));
    // A suffix the family's type does not give: the sample is a family of its own.
    assert_eq!(family("g_total"), ("g_total".to_string(), None));
    assert_eq!(family("c_bucket"), ("c_bucket".to_string(), None));
    assert_eq!(family("other"), ("other".to_string(), None));
    // The HELP of the family comes along.
    assert_eq!(family_of("c_total", lookup).1.unwrap().help, "c help");
}
