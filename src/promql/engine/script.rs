//! A runner for Prometheus' PromQL test scripts (`load` / `clear` / `eval` blocks, the
//! `promqltest` format described in the shared conformance data's `FORMAT.md`), used to
//! check this engine against Prometheus' own expectations.
//!
//! Like the reference runner, every instant eval is also run as a range query around its time
//! and, with every selector pinned by `@` to that time, at other times; all runs must meet
//! the same expectations. Float data only: series written with native-histogram samples (and
//! the histograms `load_with_nhcb` would derive) are not loaded; an eval that selects them
//! and does not pass is reported as skipped, as are evals the given parser rejects, evals
//! expecting histogram values, and calls of functions the engine does not implement.
//! Annotations (warnings and infos) are not produced by the engine, so `expect warn` and
//! `expect info` lines are not checked. The parser is passed in, so this module does not
//! depend on it.

use super::Queryable;
use super::{Engine, MemoryStorage, Value};
use crate::model::matcher::matches_all;
use crate::model::Series;
use crate::model::{is_stale_nan, stale_nan, Labels, Sample};
use crate::promql::ast::Expr;
use std::cell::Cell;

/// Outcome of one script.
#[derive(Debug, Default)]
pub struct ScriptReport {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// `line: expression: what differed`, one per failed eval.
    pub failures: Vec<String>,
    /// Why evals were skipped, with counts.
    pub skip_reasons: std::collections::BTreeMap<String, usize>,
    /// Every eval in script order.
    pub cases: Vec<CaseResult>,
    /// Failures of the storage itself (a `load` or `clear` it could not do), with the line.
    /// The evals after one are still run, but their results mean little.
    pub errors: Vec<String>,
}

/// The result of one `eval` block.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// 1-based line of the `eval` command.
    pub line: usize,
    /// The `eval` command line.
    pub command: String,
    /// The eval expects native-histogram values or selected series holding them (including
    /// the ones `load_with_nhcb` derives), whether or not it passed.
    pub native_histograms: bool,
    pub outcome: Outcome,
}

/// Where a script's data lives: `load` blocks go in, `clear` empties it, evals read it.
/// Two implementations: [`MemoryStorage`] for unit tests, and the real store in a scratch
/// directory (`adapters::ScratchStore`) for the conformance command.
pub trait ScriptStorage {
    /// Stores one `load` block as one batch (one commit).
    fn load(&mut self, series: Vec<(Labels, Vec<Sample>)>) -> Result<(), String>;
    /// Drops all data.
    fn clear(&mut self) -> Result<(), String>;
    /// The data as of the last `load` or `clear`.
    fn queryable(&self) -> &dyn Queryable;
}

impl ScriptStorage for MemoryStorage {
    fn load(&mut self, series: Vec<(Labels, Vec<Sample>)>) -> Result<(), String> {
        for (labels, samples) in series {
            self.add(labels, samples);
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), String> {
        MemoryStorage::clear(self);
        Ok(())
    }

    fn queryable(&self) -> &dyn Queryable {
        self
    }
}

/// The parser to use, passed in so that this module does not depend on it.
pub type ParseFn<'a> = &'a dyn Fn(&str) -> Result<Expr, String>;

/// Runs `script` with a fresh in-memory store; see [`run_script_on`].
pub fn run_script(script: &str, parse: ParseFn) -> ScriptReport {
    run_script_on(script, parse, &mut MemoryStorage::new())
}

/// Runs `script` against `store` (which should start empty) with the test engine's settings
/// (lookback 5m, 10 000 samples, 1m default subquery step).
pub fn run_script_on(script: &str, parse: ParseFn, store: &mut dyn ScriptStorage) -> ScriptReport {
    let mut rep = ScriptReport::default();
    let engine = Engine {
        max_samples: 10_000,
        ..Engine::default()
    };
    let mut tainted: Vec<Labels> = Vec::new();
    let lines: Vec<&str> = script.lines().map(str::trim).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let cmd = line.split_whitespace().next().unwrap_or("").to_lowercase();
        let start = i;
        i += 1;
        let mut block: Vec<&str> = Vec::new();
        // `clear` takes no block; `load` and `eval` run to the next empty or comment line.
        while cmd != "clear"
            && i < lines.len()
            && !lines[i].is_empty()
            && !lines[i].starts_with('#')
        {
            block.push(lines[i]);
            i += 1;
            if cmd.starts_with("eval") && parse_number(block[block.len() - 1]).is_some() {
                break;
            }
        }
        if cmd == "clear" {
            if let Err(e) = store.clear() {
                rep.errors.push(format!("line {}: clear: {e}", start + 1));
            }
            tainted.clear();
        } else if cmd.starts_with("load") {
            if let Err(e) = load(line, &block, store, &mut tainted) {
                rep.errors.push(format!("line {}: {line}: {e}", start + 1));
            }
            if cmd == "load_with_nhcb" {
                // The native histograms this would also create are not supported: evals that
                // select them are skipped.
                for l in &block {
                    if let Some((labels, _)) = series_desc(l) {
                        if let Some(base) =
                            labels.metric_name().and_then(|n| n.strip_suffix("_bucket"))
                        {
                            let mut b = labels.to_builder();
                            b.del("le");
                            b.set("__name__", base);
                            tainted.push(b.build());
                        }
                    }
                }
            }
        } else if cmd.starts_with("eval") {
            let (outcome, native_histograms) =
                run_eval(line, &block, &engine, store.queryable(), &tainted, parse);
            match &outcome {
                Outcome::Pass => rep.passed += 1,
                Outcome::Skip(why) => {
                    rep.skipped += 1;
                    *rep.skip_reasons.entry(why.clone()).or_default() += 1;
                }
                Outcome::Fail(why) => {
                    rep.failed += 1;
                    rep.failures
                        .push(format!("line {}: {}: {}", start + 1, line, why));
                }
            }
            rep.cases.push(CaseResult {
                line: start + 1,
                command: line.to_string(),
                native_histograms,
                outcome,
            });
        }
    }
    rep
}

/// What became of one eval; `Skip` and `Fail` say why.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    Skip(String),
    Fail(String),
}

fn parse_dur(s: &str) -> Option<i64> {
    if s == "0" {
        return Some(0);
    }
    let (ms, n) = crate::model::time::duration_prefix(s)?;
    (n == s.len()).then_some(ms)
}

/// Numbers as the scripts write them: decimal, exponent, Inf/NaN in any case, signed.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Some(f64::NAN);
    }
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
    {
        return None;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|v| sign * v as f64);
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

/// Reads a quoted string at the start of `s`; returns the value and bytes consumed.
fn quoted(s: &str) -> Option<(String, usize)> {
    let mut it = s.char_indices();
    let (_, q) = it.next()?;
    if !matches!(q, '"' | '\'' | '`') {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = it.next() {
        if c == q {
            return Some((out, i + 1));
        }
        if c == '\\' && q != '`' {
            let (_, e) = it.next()?;
            out.push(match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
    None
}

/// Parses `name{a="b", ...}` / `{...}` / `name`; returns the labels and the rest of the line.
fn series_desc(s: &str) -> Option<(Labels, &str)> {
    let s = s.trim_start();
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(s.len());
    let mut pairs: Vec<(String, String)> = Vec::new();
    if name_end > 0 {
        pairs.push(("__name__".into(), s[..name_end].to_string()));
    }
    let mut rest = &s[name_end..];
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            }
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
                continue;
            }
            let (name, r) = if let Some((n, used)) = quoted(rest) {
                (n, &rest[used..])
            } else {
                let e = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
                (rest[..e].to_string(), &rest[e..])
            };
            let r = r.trim_start().strip_prefix('=')?.trim_start();
            let (val, used) = quoted(r)?;
            rest = &r[used..];
            pairs.push((name, val));
        }
    } else if name_end == 0 {
        return None;
    }
    Some((Labels::from_pairs(pairs), rest))
}

/// One value-sequence item expanded: `None` for a gap.
fn values(seq: &str) -> Result<Vec<Option<f64>>, ()> {
    let mut out = Vec::new();
    for item in seq.split_whitespace() {
        if item.contains("{{") || item.contains("}}") {
            return Err(());
        }
        if item == "_" {
            out.push(None);
            continue;
        }
        if item == "stale" {
            out.push(Some(stale_nan()));
            continue;
        }
        if let Some(k) = item.strip_prefix("_x") {
            let k: usize = k.parse().map_err(|_| ())?;
            out.extend(std::iter::repeat_n(None, k));
            continue;
        }
        match item.rfind('x') {
            Some(xi) => {
                let k: usize = item[xi + 1..].parse().map_err(|_| ())?;
                let head = &item[..xi];
                // The operator is the first +/- after the start that does not follow an
                // exponent marker.
                let b = head.as_bytes();
                let op = (1..b.len())
                    .find(|&j| (b[j] == b'+' || b[j] == b'-') && !matches!(b[j - 1], b'e' | b'E'));
                let (start, delta) = match op {
                    Some(j) => {
                        let d = parse_number(&head[j + 1..]).ok_or(())?;
                        (
                            parse_number(&head[..j]).ok_or(())?,
                            if b[j] == b'-' { -d } else { d },
                        )
                    }
                    None => (parse_number(head).ok_or(())?, 0.0),
                };
                let mut v = start;
                for _ in 0..=k {
                    out.push(Some(v));
                    v += delta;
                }
            }
            None => out.push(Some(parse_number(item).ok_or(())?)),
        }
    }
    Ok(out)
}

fn load(
    cmd: &str,
    block: &[&str],
    store: &mut dyn ScriptStorage,
    tainted: &mut Vec<Labels>,
) -> Result<(), String> {
    let Some(step) = cmd.split_whitespace().nth(1).and_then(parse_dur) else {
        return Err("bad load interval".into());
    };
    let mut batch: Vec<(Labels, Vec<Sample>)> = Vec::new();
    for line in block {
        let Some((labels, rest)) = series_desc(line) else {
            continue;
        };
        match values(rest) {
            Ok(vals) => {
                let samples = vals
                    .iter()
                    .enumerate()
                    .filter_map(|(k, v)| {
                        v.map(|v| Sample {
                            t: k as i64 * step,
                            v,
                        })
                    })
                    .collect();
                batch.push((labels, samples));
            }
            Err(()) => tainted.push(labels),
        }
    }
    store.load(batch)
}

/// The reference's float comparison (relative 1e-6, zero must match exactly).
fn almost_equal(a: f64, b: f64) -> bool {
    if is_stale_nan(a) || is_stale_nan(b) {
        return is_stale_nan(a) && is_stale_nan(b);
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let (d, s) = ((a - b).abs(), a.abs() + b.abs());
    if a == 0.0 || b == 0.0 || s < f64::MIN_POSITIVE {
        return d < 1e-6 * f64::MIN_POSITIVE;
    }
    d / s.min(f64::MAX) < 1e-6
}

/// The store, noting whether a query selected any series that could not be loaded (native
/// histograms): such evals are skipped rather than judged on partial data.
struct Watched<'a> {
    store: &'a dyn Queryable,
    tainted: &'a [Labels],
    /// Shared by all runs of one eval: they all evaluate the same selectors.
    hit: &'a Cell<bool>,
}

impl Queryable for Watched<'_> {
    fn select(
        &self,
        matchers: &[crate::model::Matcher],
        mint: i64,
        maxt: i64,
    ) -> Result<Vec<Series>, String> {
        if self.tainted.iter().any(|l| matches_all(matchers, l)) {
            self.hit.set(true);
        }
        self.store.select(matchers, mint, maxt)
    }
}

struct Expect {
    fail: Option<Option<(bool, String)>>,
    ordered: bool,
    range_vector: Option<(i64, i64, i64)>,
    string: Option<String>,
    scalar: Option<f64>,
    series: Vec<(Labels, Vec<Option<f64>>)>,
    /// `expect warn` / `expect info` lines (with an optional `(is_regex, text)`), and whether
    /// `no_warn` / `no_info` was given; index 0 is warnings, 1 infos.
    notes: [Vec<Option<(bool, String)>>; 2],
    no_notes: [bool; 2],
}

/// Runs one eval block; also returns whether it involved native histograms.
fn run_eval(
    cmd: &str,
    block: &[&str],
    engine: &Engine,
    store: &dyn Queryable,
    tainted: &[Labels],
    parse: ParseFn,
) -> (Outcome, bool) {
    let expects_histograms = block.iter().any(|l| l.contains("{{"));
    let touched = Cell::new(false);
    let outcome = eval_block(cmd, block, engine, store, tainted, parse, &touched);
    (outcome, expects_histograms || touched.get())
}

fn eval_block(
    cmd: &str,
    block: &[&str],
    engine: &Engine,
    store: &dyn Queryable,
    tainted: &[Labels],
    parse: ParseFn,
    touched: &Cell<bool>,
) -> Outcome {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let kw = words[0].to_lowercase();
    let mut ex = Expect {
        fail: (kw == "eval_fail").then_some(None),
        ordered: kw == "eval_ordered",
        range_vector: None,
        string: None,
        scalar: None,
        series: Vec::new(),
        notes: [
            if kw == "eval_warn" {
                vec![None]
            } else {
                vec![]
            },
            if kw == "eval_info" {
                vec![None]
            } else {
                vec![]
            },
        ],
        no_notes: [false, false],
    };
    // instant at T expr | range from S to E step P expr
    let ((start, end, step), expr_text) = match words.get(1) {
        Some(&"instant") if words.get(2) == Some(&"at") => {
            let Some(t) = words.get(3).and_then(|w| parse_dur(w)) else {
                return Outcome::Fail("bad time".into());
            };
            ((t, t, 0), rest_after(cmd, 4))
        }
        Some(&"range") => {
            let p = |i: usize| words.get(i).and_then(|w| parse_dur(w));
            match (p(3), p(5), p(7)) {
                (Some(s), Some(e), Some(st)) => ((s, e, st), rest_after(cmd, 8)),
                _ => return Outcome::Fail("bad range".into()),
            }
        }
        _ => return Outcome::Fail("bad eval command".into()),
    };
    let is_range = words.get(1) == Some(&"range");
    for line in block {
        if let Some(rest) = line.strip_prefix("expect ") {
            let rest = rest.trim();
            if let Some(r) = rest.strip_prefix("fail") {
                let r = r.trim();
                ex.fail = Some(if let Some(m) = r.strip_prefix("msg:") {
                    Some((false, m.trim().to_string()))
                } else {
                    r.strip_prefix("regex:")
                        .map(|m| (true, m.trim().to_string()))
                });
            } else if rest == "ordered" {
                ex.ordered = true;
            } else if let Some(r) = rest.strip_prefix("range vector from ") {
                let w: Vec<&str> = r.split_whitespace().collect();
                let p = |i: usize| w.get(i).and_then(|x| parse_dur(x));
                if let (Some(a), Some(b), Some(c)) = (p(0), p(2), p(4)) {
                    ex.range_vector = Some((a, b, c));
                }
            } else if let Some(r) = rest.strip_prefix("string ") {
                ex.string = quoted(r.trim()).map(|(s, _)| s);
            } else if rest == "no_warn" {
                ex.no_notes[0] = true;
            } else if rest == "no_info" {
                ex.no_notes[1] = true;
            } else if let Some((k, r)) = rest
                .strip_prefix("warn")
                .map(|r| (0, r))
                .or_else(|| rest.strip_prefix("info").map(|r| (1, r)))
            {
                let r = r.trim();
                ex.notes[k].push(if let Some(m) = r.strip_prefix("msg:") {
                    Some((false, m.trim().to_string()))
                } else {
                    r.strip_prefix("regex:")
                        .map(|m| (true, m.trim().to_string()))
                });
            }
            continue;
        }
        if line.starts_with("expected_fail_") {
            continue;
        }
        if let Some(v) = parse_number(line) {
            ex.scalar = Some(v);
            continue;
        }
        match series_desc(line).map(|(l, r)| (l, values(r))) {
            Some((l, Ok(v))) => ex.series.push((l, v)),
            _ => return Outcome::Skip("histogram expected".into()),
        }
    }
    let expr = match parse(expr_text) {
        Ok(e) => e,
        Err(e) => return Outcome::Skip(format!("parse error: {e}")),
    };
    let run = Run {
        engine,
        store,
        tainted,
        ex: &ex,
        expr_text,
        touched,
    };
    let first = run.check(&expr, is_range, start, end, step);
    if is_range || !matches!(first, Outcome::Pass) {
        return first;
    }
    // Step invariance, as the reference runner checks: pin every selector and subquery to
    // the eval time with `@` and evaluate at other times; the result must not change.
    const TIME_DEPENDENT: [&str; 15] = [
        "time",
        "timestamp",
        "predict_linear",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "days_in_month",
        "hour",
        "minute",
        "month",
        "year",
        "start",
        "end",
        "range",
        "step",
    ];
    if TIME_DEPENDENT
        .iter()
        .any(|f| expr_text.contains(&format!("{f}(")))
    {
        return first;
    }
    let pinned = pin_at(expr.clone(), start);
    let times: Vec<i64> = if start == 0 {
        vec![-1000, 0, 1000]
    } else {
        vec![-10 * start, 0, start / 5, start, 10 * start]
    };
    for t in times {
        if let Outcome::Fail(why) = run.check(&pinned, false, t, t, 0) {
            return Outcome::Fail(format!("with @ pinned, evaluated at {t}ms: {why}"));
        }
    }
    first
}

/// Adds `@ t` to every selector and subquery without one (not descending into subqueries,
/// whose inner selectors must keep following the subquery's steps).
fn pin_at(e: Expr, t: i64) -> Expr {
    use crate::promql::ast::AtModifier;
    let at = |a: Option<AtModifier>| a.or(Some(AtModifier::Timestamp(t)));
    match e {
        Expr::VectorSelector(mut vs) => {
            vs.at = at(vs.at);
            Expr::VectorSelector(vs)
        }
        Expr::MatrixSelector(mut ms) => {
            ms.selector.at = at(ms.selector.at);
            Expr::MatrixSelector(ms)
        }
        Expr::Subquery(mut sq) => {
            sq.at = at(sq.at);
            Expr::Subquery(sq)
        }
        Expr::Paren(x) => Expr::Paren(Box::new(pin_at(*x, t))),
        Expr::Unary(op, x) => Expr::Unary(op, Box::new(pin_at(*x, t))),
        Expr::Binary(mut b) => {
            b.lhs = Box::new(pin_at(*b.lhs, t));
            b.rhs = Box::new(pin_at(*b.rhs, t));
            Expr::Binary(b)
        }
        Expr::Aggregate(mut a) => {
            a.expr = Box::new(pin_at(*a.expr, t));
            a.param = a.param.map(|p| Box::new(pin_at(*p, t)));
            Expr::Aggregate(a)
        }
        Expr::Call(mut c) => {
            c.args = c.args.into_iter().map(|x| pin_at(x, t)).collect();
            Expr::Call(c)
        }
        other => other,
    }
}

/// What one eval checks against, shared by its several runs.
struct Run<'a> {
    engine: &'a Engine,
    store: &'a dyn Queryable,
    tainted: &'a [Labels],
    ex: &'a Expect,
    expr_text: &'a str,
    /// Set when any run selected series that hold native histograms.
    touched: &'a Cell<bool>,
}

impl Run<'_> {
    fn check(&self, expr: &Expr, is_range: bool, start: i64, end: i64, step: i64) -> Outcome {
        let (engine, ex, expr_text) = (self.engine, self.ex, self.expr_text);
        let watched = Watched {
            store: self.store,
            tainted: self.tainted,
            hit: self.touched,
        };
        let res = if is_range {
            engine.range_query_annotated(&watched, expr, start, end, step)
        } else {
            engine.instant_query_annotated(&watched, expr, start)
        };
        let notes = match &res {
            Ok((_, n)) => n.clone(),
            Err(_) => Vec::new(),
        };
        let res = res.map(|(v, _)| v);

        if let Err(super::EvalError::UnknownFunction(f)) = &res {
            return Outcome::Skip(format!("unsupported function {f}"));
        }
        if res.is_err() != ex.fail.is_some() && watched.hit.get() {
            return Outcome::Skip("selects native histogram data".into());
        }
        let val = match (res, &ex.fail) {
            (Err(e), Some(want)) => {
                let msg = e.to_string();
                return match want {
                    None => Outcome::Pass,
                    Some((false, m)) if *m == msg => Outcome::Pass,
                    Some((true, re)) if regex::Regex::new(re).is_ok_and(|r| r.is_match(&msg)) => {
                        Outcome::Pass
                    }
                    Some(_) => Outcome::Fail(format!("error {msg:?} does not match {want:?}")),
                };
            }
            (Err(e), None) => return Outcome::Fail(format!("unexpected error: {e}")),
            (Ok(_), Some(_)) => return Outcome::Fail("expected failure, got success".into()),
            (Ok(v), None) => v,
        };
        let mut out = compare(ex, val, start, step, is_range);
        if matches!(out, Outcome::Pass) {
            if let Err(why) = check_notes(ex, &notes, expr_text) {
                out = Outcome::Fail(why);
            }
        }
        // Like the reference runner, also evaluate an instant eval as a range query around its
        // time and check the point at that time, so the range path is held to the same
        // expectations.
        let range_check = !is_range
            && matches!(out, Outcome::Pass)
            && !ex.ordered
            && ex.range_vector.is_none()
            && ex.string.is_none()
            && !["start()", "end()", "range()", "step()"]
                .iter()
                .any(|f| expr_text.contains(f));
        if range_check {
            out = match engine.range_query(&watched, expr, start - 60_000, start + 60_000, 60_000) {
                Err(e) => Outcome::Fail(format!("range-mode check: unexpected error: {e}")),
                Ok(Value::Matrix(m)) => {
                    let at = |s: &crate::model::Series| {
                        s.samples.iter().find(|p| p.t == start).map(|p| p.v)
                    };
                    let v = if ex.scalar.is_some() {
                        match m.first().and_then(at) {
                            Some(v) => Value::Scalar { t: start, v },
                            None => Value::Vector(vec![]),
                        }
                    } else {
                        Value::Vector(
                            m.iter()
                                .filter_map(|s| {
                                    at(s).map(|v| super::InstantSample {
                                        labels: s.labels.clone(),
                                        t: start,
                                        v,
                                    })
                                })
                                .collect(),
                        )
                    };
                    match compare(ex, v, start, step, false) {
                        Outcome::Fail(why) => Outcome::Fail(format!("range-mode check: {why}")),
                        other => other,
                    }
                }
                Ok(other) => Outcome::Fail(format!("range-mode check: got {}", other.type_name())),
            };
        }
        match out {
            // The expectations may hold native-histogram results this runner could not load.
            Outcome::Fail(_) if watched.hit.get() => {
                Outcome::Skip("selects native histogram data".into())
            }
            other => other,
        }
    }
}

fn rest_after(cmd: &str, words: usize) -> &str {
    let mut rest = cmd;
    for _ in 0..words {
        rest = rest.trim_start();
        rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
    }
    rest.trim()
}

/// Checks annotations as the reference runner does, per kind: `no_x` means none; `expect x`
/// lines mean at least one, each line matching one, and each annotation matching a line.
fn check_notes(ex: &Expect, notes: &[super::Annotation], query: &str) -> Result<(), String> {
    use super::AnnotationKind;
    for (k, kind) in [AnnotationKind::Warning, AnnotationKind::Info]
        .into_iter()
        .enumerate()
    {
        let got: Vec<String> = notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.render(query))
            .collect();
        if ex.no_notes[k] && !got.is_empty() {
            return Err(format!("unexpected annotations: {got:?}"));
        }
        let want = &ex.notes[k];
        if want.is_empty() {
            continue;
        }
        let matches = |w: &Option<(bool, String)>, g: &str| match w {
            None => true,
            Some((false, m)) => m == g,
            Some((true, re)) => regex::Regex::new(re).is_ok_and(|r| r.is_match(g)),
        };
        if got.is_empty() {
            return Err(format!("expected annotations {want:?}, got none"));
        }
        for w in want {
            if !got.iter().any(|g| matches(w, g)) {
                return Err(format!("no annotation matches {w:?}; got {got:?}"));
            }
        }
        for g in &got {
            if !want.iter().any(|w| matches(w, g)) {
                return Err(format!("annotation {g:?} not expected"));
            }
        }
    }
    Ok(())
}

fn compare(ex: &Expect, val: Value, start: i64, step: i64, is_range: bool) -> Outcome {
    match val {
        Value::Scalar { v, .. } => match ex.scalar {
            Some(want) if almost_equal(v, want) => Outcome::Pass,
            want => Outcome::Fail(format!("scalar {v}, expected {want:?}")),
        },
        Value::String { v, .. } => {
            if ex.string.as_deref() == Some(v.as_str()) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("string {v:?}, expected {:?}", ex.string))
            }
        }
        Value::Vector(got) => {
            if ex.scalar.is_some() {
                return Outcome::Fail("expected scalar, got vector".into());
            }
            if got.len() != ex.series.len() {
                return Outcome::Fail(format!(
                    "got {} series, expected {}: {:?}",
                    got.len(),
                    ex.series.len(),
                    got.iter()
                        .map(|s| format!("{} {}", s.labels, s.v))
                        .collect::<Vec<_>>()
                ));
            }
            for (k, s) in got.iter().enumerate() {
                let pos = if ex.ordered {
                    (ex.series[k].0 == s.labels).then_some(k)
                } else {
                    ex.series.iter().position(|(l, _)| *l == s.labels)
                };
                let Some(p) = pos else {
                    return Outcome::Fail(format!("unexpected series {} (position {k})", s.labels));
                };
                let want = ex.series[p].1.first().copied().flatten();
                if !want.is_some_and(|w| almost_equal(w, s.v)) {
                    return Outcome::Fail(format!("{}: got {}, expected {want:?}", s.labels, s.v));
                }
            }
            Outcome::Pass
        }
        Value::Matrix(got) => {
            let (t0, st) = match ex.range_vector {
                Some((a, _, s)) => (a, s),
                None if is_range => (start, step),
                None => return Outcome::Fail("got a matrix for an instant eval".into()),
            };
            if got.len() != ex.series.len() {
                return Outcome::Fail(format!(
                    "got {} series, expected {}: {:?}",
                    got.len(),
                    ex.series.len(),
                    got.iter().map(|s| s.labels.to_string()).collect::<Vec<_>>()
                ));
            }
            for s in &got {
                let Some((_, want)) = ex.series.iter().find(|(l, _)| *l == s.labels) else {
                    return Outcome::Fail(format!("unexpected series {}", s.labels));
                };
                let want: Vec<Sample> = want
                    .iter()
                    .enumerate()
                    .filter_map(|(k, v)| {
                        v.map(|v| Sample {
                            t: t0 + k as i64 * st,
                            v,
                        })
                    })
                    .collect();
                let same = want.len() == s.samples.len()
                    && want
                        .iter()
                        .zip(&s.samples)
                        .all(|(a, b)| a.t == b.t && almost_equal(a.v, b.v));
                if !same {
                    return Outcome::Fail(format!(
                        "{}: got {:?}, expected {:?}",
                        s.labels,
                        s.samples.iter().map(|p| (p.t, p.v)).collect::<Vec<_>>(),
                        want.iter().map(|p| (p.t, p.v)).collect::<Vec<_>>()
                    ));
                }
            }
            Outcome::Pass
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_sequences_expand() {
        assert_eq!(
            values("1 _ 2+3x2 _x2 5-1x1").unwrap(),
            vec![
                Some(1.0),
                None,
                Some(2.0),
                Some(5.0),
                Some(8.0),
                None,
                None,
                Some(5.0),
                Some(4.0)
            ]
        );
        assert!(values("{{schema:0}}").is_err());
        assert_eq!(values("1e-3+1e-3x1").unwrap(), vec![Some(1e-3), Some(2e-3)]);
    }

    #[test]
    fn series_descriptions_parse() {
        let (l, rest) = series_desc(r#"m{a="x y", b='q'} 1 2"#).unwrap();
        assert_eq!(l.to_string(), r#"m{a="x y", b="q"}"#);
        assert_eq!(rest.trim(), "1 2");
        let (l, _) = series_desc("{} 3").unwrap();
        assert!(l.is_empty());
    }
}
