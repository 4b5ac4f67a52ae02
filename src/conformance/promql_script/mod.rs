//! A runner for Prometheus' PromQL test scripts (`load` / `clear` / `eval` blocks, the
//! `promqltest` format described in the shared conformance data's `FORMAT.md`), used to
//! check this engine against Prometheus' own expectations.
//!
//! Like the reference runner, every instant eval is also run as a range query around its time
//! and, with every selector pinned by `@` to that time, at other times; all runs must meet
//! the same expectations. Float data only: series written with native-histogram samples (and
//! the histograms `load_with_nhcb` would derive) are not loaded; an eval that selects them
//! and does not pass is reported as skipped, as are evals the given parser rejects, evals
//! expecting histogram values, and calls of functions the engine does not implement. Each
//! eval's result records whether it involved native histograms, so callers can count those
//! apart.
//!
//! The parser and the storage are passed in ([`ScriptStorage`]: the engine's in-memory data
//! for unit tests, the real store in a scratch directory (`conformance::scratch`) for `argus
//! conformance promql`), so this module depends on neither. Script syntax below the commands
//! is in `syntax`; comparing results and annotations with expectations in `compare`.

mod compare;
mod syntax;

use super::Outcome;
use crate::model::matcher::matches_all;
use crate::model::{Labels, Sample, Series};
use crate::promql::ast::Expr;
use crate::promql::engine::{Engine, EvalError, InstantSample, MemoryStorage, Queryable, Value};
use crate::store::StoreError;
use compare::{check_notes, compare};
use std::cell::Cell;
use syntax::series_desc;
// The LogQL script runner shares the script syntax and the float tolerance.
pub use compare::almost_equal;
pub use syntax::{parse_dur, parse_number, quoted, rest_after, values};

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
/// directory ([`super::scratch::ScratchStore`]) for the conformance command.
pub trait ScriptStorage {
    /// Stores one `load` block as one batch (one commit).
    fn load(&mut self, series: Vec<(Labels, Vec<Sample>)>) -> Result<(), StoreError>;
    /// Drops all data.
    fn clear(&mut self) -> Result<(), StoreError>;
    /// The data as of the last `load` or `clear`.
    fn queryable(&self) -> &dyn Queryable;
}

impl ScriptStorage for MemoryStorage {
    fn load(&mut self, series: Vec<(Labels, Vec<Sample>)>) -> Result<(), StoreError> {
        for (labels, samples) in series {
            self.add(labels, samples);
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), StoreError> {
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
        // Tiny batches and two threads, so that every script also proves that evaluating a
        // selection batch by batch, in parallel, gives the same answers as all at once.
        batch_samples: 8,
        threads: 2,
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

/// Why a `load` block was not stored.
#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("bad load interval")]
    Interval,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn load(
    cmd: &str,
    block: &[&str],
    store: &mut dyn ScriptStorage,
    tainted: &mut Vec<Labels>,
) -> Result<(), LoadError> {
    let Some(step) = cmd.split_whitespace().nth(1).and_then(parse_dur) else {
        return Err(LoadError::Interval);
    };
    let mut batch: Vec<(Labels, Vec<Sample>)> = Vec::new();
    for line in block {
        let Some((labels, rest)) = series_desc(line) else {
            continue;
        };
        match values(rest) {
            Some(vals) => {
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
            None => tainted.push(labels),
        }
    }
    Ok(store.load(batch)?)
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
    ) -> Result<Vec<Series>, StoreError> {
        if self.tainted.iter().any(|l| matches_all(matchers, l)) {
            self.hit.set(true);
        }
        self.store.select(matchers, mint, maxt)
    }

    fn select_batches(
        &self,
        matchers: &[crate::model::Matcher],
        mint: i64,
        maxt: i64,
        batch_samples: usize,
        f: &mut dyn FnMut(Vec<Series>) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        if self.tainted.iter().any(|l| matches_all(matchers, l)) {
            self.hit.set(true);
        }
        self.store
            .select_batches(matchers, mint, maxt, batch_samples, f)
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
            Some((l, Some(v))) => ex.series.push((l, v)),
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
    let mut pinned = expr.clone();
    pin_at(&mut pinned, start);
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
fn pin_at(e: &mut Expr, t: i64) {
    use crate::promql::ast::AtModifier;
    let pin = |a: &mut Option<AtModifier>| {
        a.get_or_insert(AtModifier::Timestamp(t));
    };
    match e {
        Expr::VectorSelector(vs) => pin(&mut vs.at),
        Expr::MatrixSelector(ms) => pin(&mut ms.selector.at),
        Expr::Subquery(sq) => pin(&mut sq.at),
        Expr::Paren(x) | Expr::Unary(_, x) => pin_at(x, t),
        // A chain's operands in a loop (see `promql/chain.rs`).
        Expr::Binary(b) => b.operands_mut().into_iter().for_each(|x| pin_at(x, t)),
        Expr::Aggregate(a) => {
            pin_at(&mut a.expr, t);
            if let Some(p) = a.param.as_deref_mut() {
                pin_at(p, t);
            }
        }
        Expr::Call(c) => c.args.iter_mut().for_each(|x| pin_at(x, t)),
        Expr::Number(_) | Expr::String(_) => {}
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

        if let Err(EvalError::UnknownFunction(f)) = &res {
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
                                    at(s).map(|v| InstantSample {
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
