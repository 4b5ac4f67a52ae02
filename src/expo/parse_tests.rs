//! Tests of the exposition parsers: valid and broken inputs of both formats, many taken from
//! the cases Prometheus' own `textparse` tests exercise. The writers' tests are in
//! `write_tests.rs`.

use super::*;
use crate::model::MetricType;

pub(super) fn l(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

pub(super) fn samples(entries: &[Entry]) -> Vec<(Labels, Option<i64>, f64)> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Sample(s) => Some((s.labels.clone(), s.timestamp, s.value)),
            _ => None,
        })
        .collect()
}

fn err(text: &str, format: Format) -> ParseError {
    match parse_all(text, format) {
        Ok(e) => panic!("expected an error for {text:?}, got {e:?}"),
        Err(e) => e,
    }
}

#[test]
fn text_format_basics() {
    let input = "# HELP go_goroutines Number of goroutines that currently exist.\n\
# TYPE go_goroutines gauge\n\
go_goroutines 33  \t123123\n\
_metric_starting_with_underscore 1\n\
testmetric{_label_starting_with_underscore=\"foo\"} 1\n\
testmetric{label=\"\\\"bar\\\"\"} 1\n\
testmetric{le=\"10\"} 1\n\
# HELP metric foo\\x00bar\n\
null_byte_metric{a=\"abc\\x00\"} 1\n\
\n\
  # a free comment\n\
#comment without blank\n\
foo:bar{ a = \"1\" , b=\"2\", } -Inf\n\
nan NaN\n\
inf +Inf 1\n";
    let e = parse_all(input, Format::PrometheusText).unwrap();
    let s = samples(&e);
    assert_eq!(
        s[0],
        (l(&[("__name__", "go_goroutines")]), Some(123123), 33.0)
    );
    assert_eq!(
        s[1].0,
        l(&[("__name__", "_metric_starting_with_underscore")])
    );
    assert_eq!(
        s[3].0,
        l(&[("__name__", "testmetric"), ("label", "\"bar\"")])
    );
    assert_eq!(
        s[5].0,
        l(&[("__name__", "null_byte_metric"), ("a", "abc\\x00")])
    );
    assert_eq!(
        s[6],
        (
            l(&[("__name__", "foo:bar"), ("a", "1"), ("b", "2")]),
            None,
            f64::NEG_INFINITY
        )
    );
    assert!(s[7].2.is_nan());
    assert_eq!(s[8], (l(&[("__name__", "inf")]), Some(1), f64::INFINITY));
    let md: Vec<_> = e
        .iter()
        .filter_map(|e| match e {
            Entry::Metadata(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(md.len(), 3);
    assert_eq!(md[1].metric, "go_goroutines");
    assert_eq!(md[1].kind, MetricType::Gauge);
    assert_eq!(md[1].help, "Number of goroutines that currently exist.");
    assert_eq!(md[2].help, "foo\\x00bar");
}

#[test]
fn text_format_escapes() {
    let input = "# HELP m A \\\\ backslash and a\\nnewline \\\" kept\n\
m{v=\"a\\\\b\\nc\\\"d\\te\"} 1\n";
    let e = parse_all(input, Format::PrometheusText).unwrap();
    let Entry::Metadata(md) = &e[0] else {
        panic!("{e:?}")
    };
    assert_eq!(md.help, "A \\ backslash and a\nnewline \\\" kept");
    let s = samples(&e);
    assert_eq!(s[0].0.get("v"), Some("a\\b\nc\"d\\te"));
}

#[test]
fn text_format_metadata_merges_per_family() {
    let input = "# HELP a help a\n# TYPE a counter\na 1\n# TYPE b untyped\nb 2\n";
    let e = parse_all(input, Format::PrometheusText).unwrap();
    let mds: Vec<_> = e
        .iter()
        .filter_map(|e| match e {
            Entry::Metadata(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(mds[1].help, "help a");
    assert_eq!(mds[1].kind, MetricType::Counter);
    assert_eq!(mds[2].metric, "b");
    assert_eq!(mds[2].help, "");
    assert_eq!(mds[2].kind, MetricType::Unknown);
}

#[test]
fn text_format_crlf_is_tolerated() {
    let e = parse_all("a 1\r\nb 2 5\r\n", Format::PrometheusText).unwrap();
    assert_eq!(samples(&e)[1], (l(&[("__name__", "b")]), Some(5), 2.0));
}

#[test]
fn text_format_errors() {
    let cases: &[(&str, &str)] = &[
        ("a", "line 1:2: expected a sample value after a, found end of line"),
        ("a{b=\"c\"", "line 1:8: expected ',' or '}' after the value of label \"b\", found end of line"),
        ("a{b=\"c\",", "line 1:9: expected label name or '}', found end of line"),
        ("a{b \"c\"} 1", "line 1:5: expected '=' after label name \"b\", found '\"'"),
        ("a{b=c} 1", "line 1:5: expected '\"' to start the value of label \"b\", found 'c'"),
        ("a{b=\"c} 1", "line 1:5: unterminated value of label \"b\": missing closing '\"'"),
        ("a{b=\"c\" d=\"e\"} 1", "line 1:9: expected ',' or '}' after the value of label \"b\", found 'd'"),
        ("a{b=\"c\",b=\"d\"} 1", "line 1:9: duplicate label name \"b\": a label may appear only once per sample"),
        ("a{__name__=\"x\"} 1", "line 1:3: duplicate label name \"__name__\": the metric name is already given before '{'"),
        ("a{1b=\"c\"} 1", "line 1:3: expected label name or '}', found '1'"),
        ("a true", "line 1:3: invalid number \"true\": expected a float such as 1, -2.5, 1e-3, NaN, +Inf or -Inf"),
        ("a 1_2", "line 1:3: unsupported character in float \"1_2\""),
        ("a 0x1p-3", "line 1:3: unsupported character in float \"0x1p-3\""),
        ("a 1e400", "line 1:3: number \"1e400\" is out of the range of a 64-bit float"),
        ("a 1 1.5", "line 1:5: invalid timestamp \"1.5\": expected integer milliseconds since the epoch or the end of the line"),
        ("a 1 2 3", "line 1:7: expected end of line after the timestamp, found '3'"),
        ("a 1 99999999999999999999", "line 1:5: timestamp \"99999999999999999999\" is out of range"),
        ("9a 1", "line 1:1: expected a metric name, a '#' comment or an empty line, found '9'"),
        ("{a=\"b\"} 1", "line 1:1: expected a metric name, a '#' comment or an empty line, found '{'"),
        ("# TYPE", ""),
        ("# TYPE ", "line 1:8: expected metric name after TYPE, found end of line"),
        ("# TYPE m", "line 1:9: invalid metric type \"\": expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE m info", "line 1:10: invalid metric type \"info\": expected counter, gauge, histogram, summary or untyped"),
        ("# HELP 9m x", "line 1:8: expected metric name after HELP, found '9'"),
    ];
    for (input, want) in cases {
        let got = parse_all(input, Format::PrometheusText);
        if want.is_empty() {
            assert!(got.is_ok(), "{input:?}: {got:?}");
        } else {
            assert_eq!(
                got.map_err(|e| e.to_string()),
                Err(want.to_string()),
                "{input:?}"
            );
        }
    }
    // The line number is the caller's.
    assert_eq!(err("a 1\nb 2\nc x\n", Format::PrometheusText).line, 3);
}

const OM_BODY: &str = "# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05
go_gc_duration_seconds{quantile=\"1\"} 0.021754305
go_gc_duration_seconds_sum 1.943773516
go_gc_duration_seconds_count 2.0e+01
# TYPE nohelp1 gauge
nohelp1 1
# HELP help2 escape \\\\ \\n \\\" \\x chars
# UNIT nounit_seconds seconds
# TYPE foo counter
foo_total 17.0 1520879607.789 # {id=\"counter-test\"} 5
foo_created 1520872607.123
# TYPE hh histogram
hh_bucket{le=\"+Inf\"} 1 # {} 4
hh_count 1
# TYPE i info
i_info{version=\"1.0\"} 1
# TYPE s stateset
s{s=\"a\"} 1
s{s=\"b\"} 0
# TYPE gh gaugehistogram
gh_bucket{le=\"1\"} 2 123 # {a=\"b\"} 1 123.5
gh_gcount 2
gh_gsum 0.5
# TYPE u unknown
u{a=\"b\",c=\"d\"} 1 -0.5
# EOF";

#[test]
fn openmetrics_valid() {
    for body in [OM_BODY.to_string(), format!("{OM_BODY}\n")] {
        let e = parse_all(&body, Format::OpenMetrics).unwrap();
        let s = samples(&e);
        assert_eq!(s.len(), 16);
        assert_eq!(
            s[3],
            (
                l(&[("__name__", "go_gc_duration_seconds_count")]),
                None,
                20.0
            )
        );
        assert_eq!(
            s[5],
            (
                l(&[("__name__", "foo_total")]),
                Some(1_520_879_607_789),
                17.0
            )
        );
        assert_eq!((s[6].1, s[6].2), (None, 1520872607.123));
        assert_eq!(s[15].1, Some(-500));
        let md: Vec<_> = e
            .iter()
            .filter_map(|e| match e {
                Entry::Metadata(m) => Some(m.clone()),
                _ => None,
            })
            .collect();
        let help2 = md.iter().find(|m| m.metric == "help2").unwrap();
        assert_eq!(help2.help, "escape \\ \n \" \\x chars");
        let unit = md.iter().find(|m| m.metric == "nounit_seconds").unwrap();
        assert_eq!(unit.unit, "seconds");
        assert!(md
            .iter()
            .any(|m| m.metric == "gh" && m.kind == MetricType::GaugeHistogram));
    }
}

#[test]
fn openmetrics_errors() {
    // (input, expected message fragment, line, column)
    let cases: &[(&str, &str, usize, usize)] = &[
        ("", "data does not end with \"# EOF\"", 1, 1),
        ("metric 1", "data does not end with \"# EOF\"", 2, 1),
        (
            "metric_total 1 # {aa=\"bb\"} 4",
            "data does not end with",
            2,
            1,
        ),
        (
            "\n# EOF",
            "expected a metric name or '#', found end of line (OpenMetrics allows no empty lines)",
            1,
            1,
        ),
        (" a 1\n# EOF", "no leading blanks", 1, 1),
        (
            "metric\n# EOF",
            "expected a single space and the sample value after metric, found end of line",
            1,
            7,
        ),
        ("a\n#EOF\n", "expected a single space", 1, 2),
        (
            "a 1\n#EOF\n",
            "expected a single space after '#', found 'E'",
            2,
            2,
        ),
        ("9\n# EOF", "expected a metric name or '#', found '9'", 1, 1),
        (
            "# TYPE u untyped\n# EOF",
            "invalid metric type \"untyped\"",
            1,
            10,
        ),
        (
            "# TYPE c counter \n# EOF",
            "invalid metric type \"counter \"",
            1,
            10,
        ),
        (
            "# TYPE c  counter\n# EOF",
            "invalid metric type \" counter\"",
            1,
            10,
        ),
        (
            "#  TYPE c counter\n# EOF",
            "expected HELP, TYPE, UNIT or EOF",
            1,
            3,
        ),
        (
            "#\tTYPE c counter\n# EOF",
            "expected a single space after '#', found '\\t'",
            1,
            2,
        ),
        ("# a comment\n# EOF", "no free-form comments", 1, 3),
        (
            "# TYPE \n# EOF",
            "expected metric name after TYPE, found end of line",
            1,
            8,
        ),
        (
            "# TYPE m\n# EOF",
            "expected a single space and the metric type after metric name \"m\"",
            1,
            9,
        ),
        (
            "# UNIT metric suffix\n# EOF",
            "unit \"suffix\" is not a suffix of metric name \"metric\"",
            1,
            15,
        ),
        (
            "# UNIT metricsuffix suffix\n# EOF",
            "is not a suffix",
            1,
            21,
        ),
        ("# UNIT m suffix\n# EOF", "is not a suffix", 1, 10),
        (
            "# UNIT m\n# EOF",
            "expected a single space and the unit",
            1,
            9,
        ),
        (
            "# HELP m\n# EOF",
            "expected a single space and the help text",
            1,
            9,
        ),
        (
            "a\t1\n# EOF",
            "expected a single space and the sample value after a, found '\\t'",
            1,
            2,
        ),
        ("a 1\t2\n# EOF", "invalid number \"1\\t2\"", 1, 3),
        ("a 1 2 \n# EOF", "expected end of line or an exemplar", 1, 6),
        (
            "a 1 2 #\n# EOF",
            "expected end of line or an exemplar",
            1,
            6,
        ),
        (
            "a 1  2\n# EOF",
            "expected a timestamp or an exemplar after the value, found ' '",
            1,
            5,
        ),
        ("a 1 1z\n# EOF", "invalid number \"1z\"", 1, 5),
        (" # EOF\n", "no leading blanks", 1, 1),
        (
            "# EOF\na 1",
            "unexpected data after \"# EOF\" (line 1)",
            2,
            1,
        ),
        ("# EOF\n\n", "unexpected data after \"# EOF\"", 2, 1),
        ("# EOFa 1", "unexpected data after \"# EOF\"", 1, 6),
        (
            "a 1 1 1\n# EOF",
            "expected end of line or an exemplar",
            1,
            6,
        ),
        (
            "a{b='c'} 1\n# EOF",
            "expected '\"' to start the value of label \"b\", found '\\''",
            1,
            5,
        ),
        (
            "a{b=\"c\",} 1\n# EOF",
            "expected label name, found '}'",
            1,
            9,
        ),
        (
            "a{,b=\"c\"} 1\n# EOF",
            "expected label name, found ','",
            1,
            3,
        ),
        (
            "a{b=\"c\"d=\"e\"} 1\n# EOF",
            "expected ',' or '}' after the value of label \"b\", found 'd'",
            1,
            8,
        ),
        (
            "a{b=\"c\",,d=\"e\"} 1\n# EOF",
            "expected label name, found ','",
            1,
            9,
        ),
        (
            "a{b=\n# EOF",
            "expected '\"' to start the value of label \"b\", found end of line",
            1,
            5,
        ),
        (
            "a{ b=\"c\"} 1\n# EOF",
            "expected label name, found ' '",
            1,
            3,
        ),
        ("a true\n# EOF", "invalid number \"true\"", 1, 3),
        (
            "something_weird{problem=\"\n# EOF",
            "unterminated value of label \"problem\"",
            1,
            25,
        ),
        (
            "empty_label_name{=\"\"} 0\n# EOF",
            "expected label name, found '='",
            1,
            18,
        ),
        ("foo 1_2\n# EOF", "unsupported character in float", 1, 5),
        ("foo 0x1p-3\n# EOF", "unsupported character in float", 1, 5),
        ("foo 0 1_2\n# EOF", "unsupported character in float", 1, 7),
        (
            "custom_metric_total 1 # {aa=bb}\n# EOF",
            "expected '\"' to start the value of label \"aa\"",
            1,
            29,
        ),
        (
            "custom_metric_total 1 # {aa=\"bb\"}\n# EOF",
            "expected a single space and the exemplar value",
            1,
            34,
        ),
        (
            "custom_metric 1 # {aa=\"bb\"} 1\n# EOF",
            "metric name custom_metric does not support exemplars",
            1,
            17,
        ),
        (
            "custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1\n# EOF",
            "expected exemplar label name, found ','",
            1,
            34,
        ),
        (
            "custom_metric_total 1 # {aa=\"bb\"} 1_2\n# EOF",
            "exemplar value: unsupported character in float",
            1,
            35,
        ),
        (
            "custom_metric_total 1 # {aa=\"bb\"} true\n# EOF",
            "exemplar value: invalid number",
            1,
            35,
        ),
        (
            "custom_metric_total 1 # {aa=\"bb\"} 1 2 3\n# EOF",
            "expected end of line after the exemplar, found ' '",
            1,
            38,
        ),
        (
            "{b=\"c\"} 1\n# EOF",
            "expected a metric name or '#', found '{'",
            1,
            1,
        ),
        ("a 1 NaN\n# EOF", "invalid timestamp \"NaN\"", 1, 5),
        ("a 1 -Inf\n# EOF", "invalid timestamp \"-Inf\"", 1, 5),
        ("a 1 Inf\n# EOF", "invalid timestamp \"Inf\"", 1, 5),
        (
            "hhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN\n# EOF",
            "exemplar timestamp: invalid timestamp",
            1,
            39,
        ),
        (
            "a{b=\"1\",b=\"2\"} 1\n# EOF",
            "duplicate label name \"b\"",
            1,
            9,
        ),
    ];
    for (input, want, line, col) in cases {
        let e = err(input, Format::OpenMetrics);
        assert!(
            e.message.contains(want),
            "{input:?}: got {e}, want {want:?}"
        );
        assert_eq!((e.line, e.column), (*line, *col), "{input:?}: {e}");
    }
}

#[test]
fn openmetrics_happy_eof_forms() {
    assert!(parse_all("# EOF", Format::OpenMetrics).unwrap().is_empty());
    assert!(parse_all("# EOF\n", Format::OpenMetrics)
        .unwrap()
        .is_empty());
    // Null bytes inside label values are fine.
    let e = parse_all("a{b=\"\0ss\"} 1\n# EOF\n", Format::OpenMetrics).unwrap();
    assert_eq!(samples(&e)[0].0.get("b"), Some("\0ss"));
}

#[test]
fn streaming_parser_reports_eof_on_finish() {
    let mut p = Parser::new(Format::OpenMetrics);
    assert!(p.feed_line("a 1", 1).unwrap().is_some());
    let e = p.finish().unwrap_err();
    assert_eq!((e.line, e.column), (2, 1));
    let mut p = Parser::new(Format::OpenMetrics);
    assert!(p.feed_line("# EOF", 1).unwrap().is_none());
    assert!(p.finish().unwrap().is_empty());
}

#[test]
fn series_notations() {
    let p = |s: &str| parse_series(s).map(Labels::from_pairs);
    assert_eq!(p("up").unwrap(), l(&[("__name__", "up")]));
    assert_eq!(
        p(" up { job = \"a\" , } ").unwrap(),
        l(&[("__name__", "up"), ("job", "a")])
    );
    assert_eq!(p("{job=\"a\"}").unwrap(), l(&[("job", "a")]));
    assert_eq!(
        p("job=\"a\", instance=\"b,c\"").unwrap(),
        l(&[("job", "a"), ("instance", "b,c")])
    );
    assert_eq!(p("").unwrap(), Labels::new());
    assert_eq!(
        p("up{a=\"1\"} x").unwrap_err().to_string(),
        "line 1:11: expected end of the series after '}', found 'x'"
    );
    assert_eq!(
        p("a=\"1\" b=\"2\"").unwrap_err().to_string(),
        "line 1:7: expected ',' or the end after the value of label \"a\", found 'b'"
    );
    assert!(p("up{a=\"1\",a=\"2\"}").is_err());
    assert!(p("a=1").is_err());
}

#[test]
fn bytes_must_be_utf8() {
    let mut p = Parser::new(Format::PrometheusText);
    assert!(p.feed_bytes(b"a{b=\"\xc3\xa9\"} 1", 1).unwrap().is_some());
    let e = p.feed_bytes(b"a{b=\"\xc3\xa9\xff\"} 1", 2).unwrap_err();
    assert_eq!(e.to_string(), "line 2:7: invalid UTF-8");
}

#[test]
#[ignore = "throughput probe, run by hand with --release"]
fn parse_throughput_probe() {
    let prom = include_str!("../../tests/fixtures/expo/node_exporter.prom");
    let start = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..200 {
        n += parse_all(prom, Format::PrometheusText).unwrap().len();
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{n} entries, {:.1} MB/s",
        prom.len() as f64 * 200.0 / secs / 1e6
    );
}

#[test]
fn label_sizes_are_limited_and_errors_quote_excerpts() {
    use crate::model::limits::{MAX_LABEL_NAME_BYTES, MAX_LABEL_VALUE_BYTES};
    let big = "v".repeat(MAX_LABEL_VALUE_BYTES + 1);
    let long = "n".repeat(MAX_LABEL_NAME_BYTES + 1);
    for format in [Format::PrometheusText, Format::OpenMetrics] {
        let at_limit = format!(
            "a{{{}=\"{}\"}} 1\n# EOF\n",
            "n".repeat(MAX_LABEL_NAME_BYTES),
            "v".repeat(MAX_LABEL_VALUE_BYTES)
        );
        let at_limit = match format {
            Format::OpenMetrics => at_limit,
            Format::PrometheusText => at_limit.replace("# EOF\n", ""),
        };
        assert!(parse_all(&at_limit, format).is_ok());
        for (text, column) in [
            (format!("a{{job=\"{big}\"}} 1\n"), 3),
            (format!("a{{{long}=\"x\"}} 1\n"), 3),
            (format!("{big} 1\n"), 1),
        ] {
            let e = err(&text, format);
            assert_eq!((e.line, e.column), (1, column), "{format:?}");
            assert!(e.message.contains("bytes long; the limit is"), "{e}");
            assert!(e.message.len() < 200, "{e}");
        }
    }
    let huge = "1".repeat(100_000);
    for text in [
        format!("a {huge}x\n"),
        format!("a 1 {huge}x\n"),
        format!("a{{b=\"c\"}} {huge}x\n"),
    ] {
        let e = err(&text, Format::PrometheusText);
        assert!(e.message.len() < 300, "{}", e.message.len());
    }
}
