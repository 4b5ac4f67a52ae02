//! The fuzz targets: what each parser and decoder must do for every input.
//!
//! Every target must not panic. Beyond that:
//! - PromQL: a query that parses prints to text that parses again and prints the same (the
//!   printer is what `format_query` and error messages show, so it must round-trip).
//! - Pushes: bodies are mutated *before* compression, so that the mutator works on the
//!   protobuf or JSON structure rather than on snappy's framing, which rejects almost every
//!   flipped bit.

use super::Target;
use crate::expo::{Format, Parser};
use crate::http::push::{decode_loki_push, decode_remote_write, PushLimits};

/// Every target, in the order `argus conformance fuzz --list` shows them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "exposition",
        about: "Prometheus text 0.0.4 and OpenMetrics 1.0 parser (ingest and scrape)",
        check: exposition,
        dictionary: &[
            "# HELP ",
            "# TYPE ",
            "# UNIT ",
            "# EOF",
            " counter",
            " gauge",
            " histogram",
            " summary",
            " untyped",
            " info",
            " stateset",
            "_bucket",
            "_total",
            "_created",
            "le=\"+Inf\"",
            "{a=\"b\"}",
            " # {trace_id=\"x\"} 1 2",
            " NaN",
            " +Inf",
            " -Inf",
            " 1e308",
            " 1700000000000",
            "\\\"",
            "\\n",
            "\n",
        ],
        max_len: 4096,
    },
    Target {
        name: "promql",
        about: "PromQL parser and printer (query, query_range, format_query)",
        check: promql,
        dictionary: &[
            "sum",
            "rate",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "offset",
            "@",
            "start()",
            "end()",
            "bool",
            "and",
            "or",
            "unless",
            "[5m]",
            "[5m:1m]",
            "topk(",
            "histogram_quantile(",
            "label_replace(",
            "{__name__=~\".+\"}",
            "count_values(",
            "quantile_over_time(",
            "-",
            "^",
            "atan2",
            "==",
            "!=",
            "=~",
            "!~",
            "(",
            ")",
            "1e9",
            "Inf",
            "NaN",
            "0x1f",
            "1h30m",
            "\"",
            "`",
        ],
        max_len: 4096,
    },
    Target {
        name: "logql",
        about: "LogQL parser with the checks of evaluation",
        check: logql,
        dictionary: &[
            "{app=\"a\"}",
            "|=",
            "!=",
            "|~",
            "!~",
            "|>",
            "!>",
            "| json",
            "| logfmt",
            "| regexp",
            "| pattern",
            "| unpack",
            "| line_format",
            "| label_format",
            "| decolorize",
            "| drop",
            "| keep",
            "| unwrap",
            "__error__",
            "ip(",
            "or",
            "count_over_time(",
            "rate(",
            "sum by (a)",
            "[5m]",
            "offset",
            "bytes(",
            "duration(",
            "quantile_over_time(0.5,",
            "\"{{.a}}\"",
            "(",
            ")",
            ">=",
            "==",
        ],
        max_len: 4096,
    },
    Target {
        name: "template",
        about: "Go templates as line_format and label_format run them",
        check: template,
        dictionary: &[
            "{{",
            "}}",
            "{{-",
            "-}}",
            ".",
            "$",
            "|",
            "if",
            "else",
            "end",
            "range",
            "with",
            "define",
            "template",
            "block",
            "len",
            "index",
            "printf",
            "\"%v\"",
            "__line__",
            "__timestamp__",
            "toDate",
            "date",
            "regexReplaceAll",
            "trunc",
            "default",
            "(",
            ")",
            ":=",
            "=",
            "nil",
            "true",
        ],
        max_len: 2048,
    },
    Target {
        name: "loki-push-json",
        about: "Loki push API, JSON bodies",
        check: loki_push_json,
        dictionary: &[
            "{\"streams\":[",
            "\"stream\":",
            "\"values\":",
            "[\"1700000000000000000\",\"l\"]",
            "{\"k\":\"v\"}",
            "\"",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "null",
            "\\u0000",
            "1e999",
        ],
        max_len: 4096,
    },
    Target {
        name: "loki-push-protobuf",
        about: "Loki push API, snappy-compressed protobuf bodies (mutated before compression)",
        check: loki_push_protobuf,
        dictionary: &[
            "\x0a", "\x12", "\x1a", "\x22", "\x08", "\x10", "\x7f", "\u{80}",
        ],
        max_len: 4096,
    },
    Target {
        name: "remote-write",
        about: "Prometheus remote_write 1.0 (mutated before compression)",
        check: remote_write,
        dictionary: &[
            "\x0a", "\x12", "\x1a", "\x22", "\x09", "\x10", "\x7f", "\u{80}",
        ],
        max_len: 4096,
    },
];

fn exposition(data: &[u8]) {
    for format in [Format::PrometheusText, Format::OpenMetrics] {
        let mut parser = Parser::new(format);
        let mut ok = true;
        for (i, line) in data.split(|&b| b == b'\n').enumerate() {
            if parser.feed_bytes(line, i + 1).is_err() {
                ok = false;
                break;
            }
        }
        if ok {
            let _ = parser.finish();
        }
    }
}

fn promql(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = crate::promql::parse(text) else {
        return;
    };
    let printed = expr.to_string();
    let again = match crate::promql::parse(&printed) {
        Ok(e) => e,
        Err(e) => panic!("{text:?} parses, but its printed form {printed:?} does not: {e}"),
    };
    let reprinted = again.to_string();
    assert_eq!(
        printed, reprinted,
        "{text:?} prints as {printed:?}, which prints as {reprinted:?}"
    );
}

fn logql(data: &[u8]) {
    let _ = crate::logql::parse_with(data, crate::logql::Checks::Syntax);
    let _ = crate::logql::parse_with(data, crate::logql::Checks::Eval);
}

fn template(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = crate::logql::template::parse(text) else {
        return;
    };
    let labels: Vec<(String, String)> = vec![
        ("app".into(), "api".into()),
        ("level".into(), "error".into()),
    ];
    let mut out = String::new();
    let _ = crate::logql::template::render(&t, &labels, "a log line", 1, &mut out);
}

fn loki_push_json(data: &[u8]) {
    let _ = decode_loki_push(data, Some("application/json"), &PushLimits::default());
}

fn loki_push_protobuf(data: &[u8]) {
    let body = snap::raw::Encoder::new()
        .compress_vec(data)
        .unwrap_or_default();
    let _ = decode_loki_push(
        &body,
        Some("application/x-protobuf"),
        &PushLimits::default(),
    );
}

fn remote_write(data: &[u8]) {
    let body = snap::raw::Encoder::new()
        .compress_vec(data)
        .unwrap_or_default();
    let _ = decode_remote_write(&body, &PushLimits::default());
}
