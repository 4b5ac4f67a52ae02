//! Unit tests of the LogQL parser: accepted and rejected queries, precedence, the shape of
//! representative trees, lexical rules and error positions.

use super::*;
use crate::model::MatchOp;

fn p(q: &str) -> Expr {
    parse(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn perr(q: &str) -> ParseError {
    match parse(q) {
        Ok(e) => panic!("{q} parsed as {e:?}"),
        Err(e) => e,
    }
}

fn log(q: &str) -> LogExpr {
    match p(q) {
        Expr::Log(l) => l,
        other => panic!("{q}: not a log query: {other:?}"),
    }
}

fn range_agg(q: &str) -> RangeAggregation {
    match p(q) {
        Expr::RangeAggregation(r) => r,
        other => panic!("{q}: not a range aggregation: {other:?}"),
    }
}

const S: i64 = 1_000_000_000;

#[test]
fn selector_and_line_filters() {
    let l = log(r#"{ app = "foo", env=~"prod|dev" } |= "a" or "b" != `c` |~ "(?i)x" !> "<_> GET""#);
    assert_eq!(l.selector.len(), 2);
    assert_eq!(l.selector[1].op, MatchOp::RegexMatch);
    assert_eq!(
        l.pipeline[0],
        Stage::LineFilter(LineFilter {
            op: LineMatchOp::Contains,
            values: vec![
                LineFilterValue::Str("a".into()),
                LineFilterValue::Str("b".into())
            ],
        })
    );
    assert!(matches!(&l.pipeline[1], Stage::LineFilter(f) if f.op == LineMatchOp::NotContains));
    assert!(matches!(&l.pipeline[2], Stage::LineFilter(f) if f.op == LineMatchOp::Regex));
    assert!(matches!(&l.pipeline[3], Stage::LineFilter(f) if f.op == LineMatchOp::NotPattern));
    let l = log(r#"{a="b"} |= ip("10.0.0.0/8") or "special""#);
    assert_eq!(
        l.pipeline[0],
        Stage::LineFilter(LineFilter {
            op: LineMatchOp::Contains,
            values: vec![
                LineFilterValue::Ip("10.0.0.0/8".into()),
                LineFilterValue::Str("special".into())
            ],
        })
    );
}

#[test]
fn selector_validation() {
    for q in [
        r#"{foo!="bar"}"#,
        r#"{app=~".*"}"#,
        r#"{foo!~"a|b"}"#,
        "{}",
        r#"count_over_time({app=~".*"}[5m])"#,
    ] {
        assert!(perr(q).message.contains("empty-compatible"), "{q}");
    }
    p(r#"{app=~".+"}"#);
    p(r#"{app="baz", foo!="bar"}"#);
    assert!(perr(r#"{offset="x"}"#)
        .message
        .contains("unexpected offset"));
    p(r#"{variants="a", rate="b", sum="c"}"#);
}

#[test]
fn parsers_and_formatting_stages() {
    let l = log(
        r#"{a="b"} | json | logfmt --strict --keep-empty host, fwd="fwd_ip" | regexp "(?P<x>\\d+)" | pattern "<ip> <_>" | unpack | decolorize"#,
    );
    assert_eq!(
        l.pipeline[0],
        Stage::Parser(ParserStage::Json { params: vec![] })
    );
    assert_eq!(
        l.pipeline[1],
        Stage::Parser(ParserStage::Logfmt {
            strict: true,
            keep_empty: true,
            params: vec![
                Extraction {
                    label: "host".into(),
                    expression: "host".into()
                },
                Extraction {
                    label: "fwd".into(),
                    expression: "fwd_ip".into()
                },
            ],
        })
    );
    assert_eq!(
        l.pipeline[2],
        Stage::Parser(ParserStage::Regexp(r"(?P<x>\d+)".into()))
    );
    assert_eq!(l.pipeline[4], Stage::Parser(ParserStage::Unpack));
    assert_eq!(l.pipeline[5], Stage::Decolorize);
    let l = log(
        r#"{a="b"} | json first="list[0]", ua=`request["User-Agent"]` | line_format "{{.a | upper}}" | label_format x=y, z="{{.a}}-{{.b}}" | drop a, b="v" | keep c"#,
    );
    assert!(
        matches!(&l.pipeline[0], Stage::Parser(ParserStage::Json { params }) if params.len() == 2)
    );
    assert!(matches!(&l.pipeline[1], Stage::LineFormat(t) if t.text == "{{.a | upper}}"));
    let Stage::LabelFormat(f) = &l.pipeline[2] else {
        panic!("{:?}", l.pipeline[2])
    };
    assert_eq!(
        f[0],
        LabelFmt::Rename {
            dst: "x".into(),
            src: "y".into()
        }
    );
    assert!(matches!(&f[1], LabelFmt::Template { dst, .. } if dst == "z"));
    let Stage::Drop(d) = &l.pipeline[3] else {
        panic!()
    };
    assert_eq!(d[0], NamedMatcher::Name("a".into()));
    assert!(matches!(&d[1], NamedMatcher::Matcher(m) if m.value == "v"));
    assert_eq!(
        l.pipeline[4],
        Stage::Keep(vec![NamedMatcher::Name("c".into())])
    );
}

#[test]
fn typed_label_filters_and_their_precedence() {
    let l =
        log(r#"{a="b"} | latency > 250ms or size >= 20MB and code < -1, ip = ip("10.0.0.0/8")"#);
    let Stage::LabelFilter(f) = &l.pipeline[0] else {
        panic!()
    };
    let dur = LabelFilter::Duration {
        name: "latency".into(),
        op: CmpOp::Gt,
        value: 250_000_000,
    };
    let bytes = LabelFilter::Bytes {
        name: "size".into(),
        op: CmpOp::Ge,
        value: 20_000_000,
    };
    let num = LabelFilter::Number {
        name: "code".into(),
        op: CmpOp::Lt,
        value: -1.0,
    };
    let ip = LabelFilter::Ip {
        name: "ip".into(),
        negated: false,
        pattern: "10.0.0.0/8".into(),
    };
    // `or` binds loosest; `and` tighter; a comma ANDs its left operand with the rest. Chains
    // of one operator are flat.
    let expected = LabelFilter::Or(vec![dur, LabelFilter::And(vec![bytes, num, ip])]);
    assert_eq!(*f, expected);
    let l = log(r#"{a="b"} | x="1" or y="1" and z="1""#);
    let Stage::LabelFilter(LabelFilter::Or(operands)) = &l.pipeline[0] else {
        panic!("{:?}", l.pipeline)
    };
    assert!(matches!(
        operands[..],
        [LabelFilter::String(_), LabelFilter::And(_)]
    ));
    let l = log(r#"{a="b"} | (x="1" or y="1") z > 1e3"#);
    assert!(
        matches!(&l.pipeline[0], Stage::LabelFilter(LabelFilter::And(a)) if matches!(a[0], LabelFilter::Or(..)))
    );
    // A comma binds its left operand only: `a or b, c` is `a or (b and c)`.
    let l = log(r#"{a="b"} | x="1" or y="1", z="1" or w="1""#);
    let Stage::LabelFilter(LabelFilter::Or(operands)) = &l.pipeline[0] else {
        panic!("{:?}", l.pipeline)
    };
    let [LabelFilter::String(x), LabelFilter::And(and)] = &operands[..] else {
        panic!("{operands:?}")
    };
    assert_eq!(x.name, "x");
    assert!(matches!(&and[..], [LabelFilter::String(y), LabelFilter::Or(_)] if y.name == "y"));
    // Typed values need the right operators.
    perr(r#"{a="b"} | code == "200""#);
    perr(r#"{a="b"} | addr > ip("1.2.3.4")"#);
    perr(r#"{a="b"} | addr =~ ip("1.2.3.4")"#);
    perr(r#"{a="b"} | size > 1mb"#);
    perr(r#"{a="b"} | code > 0x10"#);
}

#[test]
fn log_ranges_in_every_placement() {
    let a = range_agg(r#"rate({a="b"} |= "x" [5m])"#);
    let b = range_agg(r#"rate({a="b"}[5m] |= "x")"#);
    let c = range_agg(r#"rate(({a="b"} |= "x")[5m])"#);
    let d = range_agg(r#"rate(({a="b"} |= "x" [5m]))"#);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(a, d);
    assert_eq!(a.range.range, 300 * S);
    let r = range_agg(r#"count_over_time({a="b"}[5m] offset -2s)"#);
    assert_eq!(r.range.offset, -2 * S);
    let r = range_agg(
        r#"quantile_over_time(0.99, {a="b"} | json | unwrap duration(took) | __error__="" [1m]) by (x)"#,
    );
    assert_eq!(r.param, Some(0.99));
    let u = r.range.unwrap.as_ref().unwrap();
    assert_eq!(u.label, "took");
    assert_eq!(u.conversion, Conversion::Duration);
    assert_eq!(u.post_filters.len(), 1);
    assert_eq!(
        r.grouping,
        Some(Grouping {
            without: false,
            labels: vec!["x".into()]
        })
    );
    let r = range_agg(r#"sum_over_time({a="b"}[5m] | logfmt | unwrap bytes(size))"#);
    assert_eq!(r.range.unwrap.unwrap().conversion, Conversion::Bytes);
    for q in ["[5d]", "[1w]", "[1y]", "[1h30m]", "[500ms]"] {
        p(&format!(r#"count_over_time({{a="b"}}{q})"#));
    }
    for q in ["[5minutes]", "[1.5h]", "[5)"] {
        perr(&format!(r#"count_over_time({{a="b"}}{q})"#));
    }
    perr(r#"count_over_time({a="b"}[5m]) offset 1h"#);
    perr(r#"{a="b"} | unwrap x"#);
    perr(r#"sum_over_time({a="b"} | unwrap x | json [5m])"#);
}

#[test]
fn range_aggregation_rules() {
    for (q, msg) in [
        (
            r#"count_over_time({a="b"}[1m]) by (a)"#,
            "grouping not allowed",
        ),
        (
            r#"sum_over_time({a="b"} | unwrap v [1m]) by (a)"#,
            "grouping not allowed",
        ),
        (
            r#"rate_counter({a="b"} | unwrap v [1m]) by (a)"#,
            "grouping not allowed",
        ),
        (
            r#"absent_over_time({a="b"}[1m]) by (a)"#,
            "grouping not allowed",
        ),
        (r#"count_over_time({a="b"} | unwrap v [1m])"#, "with unwrap"),
        (r#"bytes_rate({a="b"} | unwrap v [1m])"#, "with unwrap"),
        (r#"avg_over_time({a="b"}[1m])"#, "without unwrap"),
        (r#"first_over_time({a="b"}[1m])"#, "without unwrap"),
        (
            r#"quantile_over_time({a="b"} | unwrap v [1m])"#,
            "parameter required",
        ),
        (
            r#"sum_over_time(5, {a="b"} | unwrap v [1m])"#,
            "not supported",
        ),
    ] {
        let e = perr(q);
        assert!(e.message.contains(msg), "{q}: {e}");
    }
    perr(r#"quantile_over_time(-0.1, {a="b"} | unwrap v [1m])"#);
    p(r#"rate({a="b"} | unwrap v [1m])"#);
    p(r#"absent_over_time({a="b"} | unwrap v [1m])"#);
    p(r#"avg_over_time({a="b"} | unwrap v [1m]) without (a)"#);
}

#[test]
fn vector_aggregations() {
    let Expr::VectorAggregation(a) = p(r#"sum by (a) (rate({a="b"}[1m]))"#) else {
        panic!()
    };
    let Expr::VectorAggregation(b) = p(r#"sum(rate({a="b"}[1m])) by (a)"#) else {
        panic!()
    };
    assert_eq!(a, b);
    let Expr::VectorAggregation(t) = p(r#"topk by (a) (3, rate({a="b"}[1m]))"#) else {
        panic!()
    };
    assert_eq!(t.param, Some(3));
    p(r#"sum without () (rate({a="b"}[1m]))"#);
    p(r#"SUM BY (a) (RATE({a="b"}[1m]))"#);
    for q in [
        r#"topk(0, rate({a="b"}[1m]))"#,
        r#"topk(1.5, rate({a="b"}[1m]))"#,
        r#"topk(rate({a="b"}[1m]))"#,
        r#"bottomk(he, rate({a="b"}[1m]))"#,
        r#"sum(3, rate({a="b"}[1m]))"#,
        r#"sort(rate({a="b"}[1m])) by (a)"#,
        r#"approx_topk(2, rate({a="b"}[1m])) by (a)"#,
        r#"min({a="b"}[5m])"#,
        r#"stddev({a="b"})"#,
        r#"count without (rate({a="b"}[1m]))"#,
    ] {
        perr(q);
    }
}

#[test]
fn binary_operators_precedence_and_literals() {
    fn lit(e: &Expr) -> f64 {
        match e {
            Expr::Literal(v) => *v,
            other => panic!("{other:?}"),
        }
    }
    // 1 + 2 * 3 ^ 2 ^ 1: `^` right-assoc and tightest.
    let Expr::Binary(b) = p("1 + 2 * 3 ^ 2 ^ 1") else {
        panic!()
    };
    assert_eq!(b.op, BinOp::Add);
    let Expr::Binary(m) = &*b.rhs else { panic!() };
    assert_eq!(m.op, BinOp::Mul);
    let Expr::Binary(pw) = &*m.rhs else { panic!() };
    assert_eq!((pw.op, lit(&pw.lhs)), (BinOp::Pow, 3.0));
    assert!(matches!(&*pw.rhs, Expr::Binary(x) if x.op == BinOp::Pow));
    // The sign binds to the literal: -2^2 is (-2)^2.
    let Expr::Binary(b) = p("-2^2") else { panic!() };
    assert_eq!(lit(&b.lhs), -2.0);
    let Expr::Binary(b) = p("1+1--1") else {
        panic!()
    };
    assert_eq!(lit(&b.rhs), -1.0);
    // or < and < comparison.
    let q = r#"rate({a="b"}[1m]) > 1 and rate({a="c"}[1m]) or rate({a="d"}[1m])"#;
    let Expr::Binary(b) = p(q) else { panic!() };
    assert_eq!(b.op, BinOp::Or);
    assert!(matches!(&*b.lhs, Expr::Binary(x) if x.op == BinOp::And));
    // Modifiers.
    let q = r#"rate({a="b"}[1m]) > bool on (x) group_left (y) rate({a="c"}[1m])"#;
    let Expr::Binary(b) = p(q) else { panic!() };
    assert!(b.return_bool);
    assert_eq!(
        b.matching,
        VectorMatching {
            on: true,
            labels: vec!["x".into()],
            card: Cardinality::ManyToOne,
            include: vec!["y".into()],
        }
    );
    assert_eq!(lit(&p("0x1p3")), 8.0);
    assert_eq!(lit(&p("0x1.8p3")), 12.0);
    assert_eq!(lit(&p(".5")), 0.5);
    assert_eq!(lit(&p("1e3")), 1000.0);
    assert_eq!(p("vector(2)"), Expr::Vector(2.0));
    for q in [
        "0x1A",
        "0o17",
        "0b1010",
        "1 and 2",
        r#"rate({a="b"}[1m]) or 1"#,
        r#"1 + 1 unless rate({a="b"}[1m])"#,
        r#"{a="b"} + {a="b"}"#,
        r#"rate({a="b"}[1m]) > {a="b"}"#,
        r#"-count_over_time({a="b"}[1m])"#,
        r#"rate({a="b"}[1m]) bool > 1"#,
        r#"1 + bool 1"#,
        "vector(abc)",
        "vector(-1)",
    ] {
        perr(q);
    }
    assert!(perr("0x1A")
        .message
        .contains("unable to parse literal as a float"));
}

#[test]
fn label_replace_and_functions() {
    let Expr::LabelReplace(l) =
        p(r#"label_replace(rate({a="b"}[1m]), "dst", "$1", "src", "(.*)")"#)
    else {
        panic!()
    };
    assert_eq!((l.dst.as_str(), l.regex.as_str()), ("dst", "(.*)"));
    perr(r#"label_replace(rate({a="b"}[1m]), "dst", "$1", "src", "(")"#);
    perr(r#"label_replace(rate({a="b"}[1m]), "")"#);
}

#[test]
fn keywords_and_function_names_as_labels() {
    log(r#"{a="b"} | rate="a" | json | of="x" | bytes > 1KB | ip="x""#);
    p(r#"sum by (variants, of) (count_over_time({foo="bar"}[5m]))"#);
    perr(r#"{a="b"} | offset="x""#);
    perr(r#"{a="b"} | json | by="x""#);
}

#[test]
fn comments_whitespace_and_limits() {
    p("{a=\"b\"} # a comment\n |= \"x\" # another\n");
    let e = perr("# only a comment");
    assert!(e.message.contains("end of input"), "{e}");
    let long = format!(r#"{{a="{}"}}"#, "x".repeat(MAX_QUERY_BYTES));
    assert!(perr(&long).message.contains("input size too long"));
    let e = parse_with(b"{app=~\"\xa0\"}", Checks::Syntax).unwrap_err();
    assert!(e.message.contains("invalid UTF-8"), "{e}");
    perr(r#"{a='b'}"#);
}

#[test]
fn regex_and_pattern_checks() {
    perr(r#"{a="b"} | regexp "nocapture""#);
    perr(r#"{a="b"} | regexp "(?P<x>.)(?P<x>.)""#);
    perr(r#"{a="b"} | pattern "no captures""#);
    perr(r#"{a="b"} | pattern "<a><b>""#);
    perr(r#"{a="b"} |> "<verb> /api""#);
    perr(r#"{a=~"("}"#);
    perr(r#"{a="b"} | json x="user[""#);
    perr(r#"{a="b"} | line_format "{{ nosuchfunc }}""#);
    perr(r#"{a="b"} | label_format x="{{", y=z"#);
    perr(r#"{a="b"} | label_format x=y, x=z"#);
    perr(r#"{a="b"} | drop"#);
    // Loki's parser accepts these; its pipeline builder (Checks::Eval) rejects them.
    for q in [
        r#"{a="b"} |~ "(""#,
        r#"{a="b"} |~ ip("1.2.3.4") or "x""#,
        r#"{a="b"} |= ip("bogus")"#,
        r#"{a="b"} | addr = ip("")"#,
    ] {
        p(q);
        assert!(parse_for_eval(q).is_err(), "{q}");
    }
    parse_for_eval(r#"{a="b"} |= ip("10.0.0.0/8") |~ "a+""#).unwrap();
}

#[test]
fn error_positions() {
    let e = perr(r#"{a="b"} |= "x" | foo =="#);
    assert_eq!((e.line, e.column), (1, 24));
    assert_eq!(
        e.to_string(),
        format!("parse error at line 1, col 24: {}", e.message)
    );
    let e = perr("sum(\n  rate({a=\"b\"}[5x]))");
    assert_eq!((e.line, e.column), (2, 16));
    let e = perr(r#"count_over_time({a="b"}[1m]) by (a)"#);
    assert_eq!(e.pos, 29);
    let e = perr(r#"{a="b"} | logfmt | size > 0x10"#);
    assert_eq!(e.column, 27);
}

/// Parses Loki's corpora in the directory named by `ARGUS_LOGQL_CONFORMANCE` (skipped when
/// unset, failing under CI) and prints the rejections whose message lacks Loki's expected fragment: the
/// conformance runner checks acceptance, this shows where the reasons differ.
#[test]
fn conformance_error_messages() {
    let Ok(dir) = std::env::var("ARGUS_LOGQL_CONFORMANCE") else {
        // Unset is a skip on a developer's machine; under CI the data is there, so a missing
        // variable is a broken setup that must not pass.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "ARGUS_LOGQL_CONFORMANCE is not set under CI"
        );
        return;
    };
    for (file, checks) in [
        ("parse_err.jsonl", Checks::Syntax),
        ("eval_err.jsonl", Checks::Eval),
    ] {
        let text = std::fs::read_to_string(std::path::Path::new(&dir).join(file)).expect("read");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            // Queries that are not UTF-8 come as hex.
            let q: Vec<u8> = match v["q_hex"].as_str() {
                Some(h) => (0..h.len() / 2)
                    .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).expect("hex"))
                    .collect(),
                None => v["q"].as_str().unwrap_or_default().as_bytes().to_vec(),
            };
            let q_text = String::from_utf8_lossy(&q);
            let q = q.as_slice();
            let want = v["err"].as_str().unwrap_or_default();
            match parse_with(q, checks) {
                Ok(_) => println!("ACCEPTED {q_text}"),
                Err(e) if !e.message.contains(want) => {
                    println!("{q_text}\n   want {want}\n   got  {e}")
                }
                Err(_) => {}
            }
        }
    }
}

/// Parses (with the engine's checks) the query of every `eval` in Loki's engine scripts under
/// `ARGUS_LOGQL_CONFORMANCE` (skipped when unset, failing under CI): all must parse except those expected to
/// fail, which are printed when they parse (they may fail only at run time).
#[test]
fn engine_script_queries_parse() {
    let Ok(dir) = std::env::var("ARGUS_LOGQL_CONFORMANCE") else {
        // Unset is a skip on a developer's machine; under CI the data is there, so a missing
        // variable is a broken setup that must not pass.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "ARGUS_LOGQL_CONFORMANCE is not set under CI"
        );
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(std::path::Path::new(&dir).join("logqltest"))
        .expect("logqltest dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "logqltest"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let Some(q) = eval_query(line) else { continue };
            let expect_fail = lines[n + 1..]
                .iter()
                .take_while(|l| l.starts_with(' ') || l.starts_with('\t'))
                .any(|l| l.trim_start().starts_with("expect fail"));
            match (parse_for_eval(q), expect_fail) {
                (Err(e), false) => failures.push(format!("{}:{}: {q}: {e}", f.display(), n + 1)),
                (Ok(_), true) => println!("parses, fails at run time: {q}"),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The query of `eval instant at <t> <q>` / `eval range from <a> to <b> step <s> <q>`.
fn eval_query(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("eval ")?;
    let skip = if rest.starts_with("instant") {
        3
    } else if rest.starts_with("range") {
        7
    } else {
        return None;
    };
    let mut r = rest;
    for _ in 0..skip {
        r = r.trim_start();
        r = &r[r.find([' ', '\t']).unwrap_or(r.len())..];
    }
    Some(r.trim())
}

#[test]
fn label_filter_errors_point_at_the_culprit() {
    let e = perr(r#"{a="b"} | foo bar"#);
    assert_eq!(e.column, 15, "{e}");
    assert!(e.message.contains("comparison operator"), "{e}");
    let e = perr(r#"{a="b"} | foo > "x""#);
    assert_eq!(e.column, 17, "{e}");
}
