//! A runner for Loki's `.logqltest` engine scripts (the format is summarised in the shared
//! conformance data's `logqltest/FORMAT.md`): `clear` empties the store, `load` adds log
//! entries, `eval instant|range` runs a metric query and compares its result with the
//! expected lines that follow.
//!
//! The data goes through a real store (the caller passes one in, behind [`LogScriptStorage`])
//! and queries through the same evaluator as `argus query`, so the scripts test the whole
//! path. Result comparison reuses the PromQL runner's float tolerance and value-sequence
//! syntax (`1+2x3`, `_`), which the format shares.

use super::promql_script::{almost_equal, parse_dur, parse_number, quoted, rest_after, values};
use super::{Case, Outcome};
use crate::logql::eval_metric;
use crate::model::{Labels, LogEntry};
use crate::promql::engine::Value;
use crate::store::logs::LogSnapshot;
use crate::store::StoreError;

/// Where a script's entries live.
pub trait LogScriptStorage {
    /// Stores one `load` block in one commit.
    fn load(&mut self, entries: Vec<(Labels, LogEntry)>) -> Result<(), StoreError>;
    /// Drops everything.
    fn clear(&mut self) -> Result<(), StoreError>;
    /// The data as of the last `load` or `clear`.
    fn snapshot(&self) -> Result<LogSnapshot, StoreError>;
}

/// Runs a script from an empty store (as each script starts from nothing): the store is
/// emptied first.
pub fn run_on_empty(script: &str, store: &mut dyn LogScriptStorage) -> Vec<Case> {
    if let Err(e) = store.clear() {
        return vec![Case {
            line: 1,
            command: String::new(),
            outcome: Outcome::Fail(format!("cannot empty the scratch store: {e}")),
        }];
    }
    run(script, store)
}

/// Runs a script; one case per `eval`. A `load` or `clear` the store cannot do fails the
/// evals that follow it.
pub fn run(script: &str, store: &mut dyn LogScriptStorage) -> Vec<Case> {
    // Lines with their 1-based numbers; whole-line comments are dropped so that they do not
    // end the block they sit in.
    let lines: Vec<(usize, String)> = script
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with('#'))
        .map(|(n, l)| (n + 1, strip_comment(l)))
        .collect();
    let mut cases = Vec::new();
    let mut broken: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let (number, cmd) = (lines[i].0, lines[i].1.trim_end());
        // A block is its command line and the indented lines under it.
        let mut j = i + 1;
        while j < lines.len()
            && lines[j].1.starts_with([' ', '\t'])
            && !lines[j].1.trim().is_empty()
        {
            j += 1;
        }
        let body: Vec<&str> = lines[i + 1..j].iter().map(|(_, l)| l.trim()).collect();
        let word = cmd.split_whitespace().next().unwrap_or("");
        match word {
            "clear" => {
                if let Err(e) = store.clear() {
                    broken = Some(format!("line {number}: clear: {e}"));
                }
            }
            "load" => match parse_load(&body) {
                Ok(entries) => {
                    if let Err(e) = store.load(entries) {
                        broken = Some(format!("line {number}: load: {e}"));
                    }
                }
                Err(e) => broken = Some(format!("line {number}: load: {e}")),
            },
            "eval" => {
                let outcome = match &broken {
                    Some(why) => Outcome::Fail(format!("the data could not be set up ({why})")),
                    None => eval_case(cmd, &body, store),
                };
                cases.push(Case {
                    line: number,
                    command: cmd.to_string(),
                    outcome,
                });
            }
            _ => {}
        }
        i = j;
    }
    cases
}

/// Removes a `#` comment, except inside `"..."` or backquotes.
fn strip_comment(line: &str) -> String {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '`') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return line[..i].to_string(),
            _ => {}
        }
    }
    line.to_string()
}

/// Reads `{a="b", ...}` at the start of `s`, keeping labels with an empty value (results may
/// have them); returns the labels and the rest.
fn label_set(s: &str) -> Option<(Labels, &str)> {
    let mut rest = s.trim_start().strip_prefix('{')?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix('}') {
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs.dedup_by(|a, b| a.0 == b.0);
            return Some((Labels::from_sorted_unchecked(pairs), r));
        }
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
            continue;
        }
        let (name, r) = match quoted(rest) {
            Some((n, used)) => (n, &rest[used..]),
            None => {
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
                (rest[..end].to_string(), &rest[end..])
            }
        };
        let r = r.trim_start().strip_prefix('=')?.trim_start();
        let (value, used) = quoted(r)?;
        let r = &r[used..];
        pairs.push((name, value));
        // Pairs are separated by commas, or (in metadata clauses) by spaces alone.
        rest = r;
    }
}

/// The entries of a `load` block.
fn parse_load(body: &[&str]) -> Result<Vec<(Labels, LogEntry)>, String> {
    let mut out = Vec::new();
    for line in body {
        let (labels, rest) = label_set(line).ok_or_else(|| format!("bad stream in {line:?}"))?;
        let rest = rest.trim_start();
        // The line is taken literally from either quoting form.
        let q = rest.chars().next().ok_or("missing log line")?;
        if q != '"' && q != '`' {
            return Err(format!("expected a quoted log line in {line:?}"));
        }
        let end = rest[1..].find(q).ok_or("unterminated log line")? + 1;
        let text = &rest[1..end];
        let rest = rest[end + 1..].trim_start();
        let rest = rest
            .strip_prefix('@')
            .ok_or("missing `@ <start>`")?
            .trim_start();
        let (start_text, mut rest) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
        let start = parse_dur(start_text).ok_or_else(|| format!("bad start {start_text:?}"))?;
        let (mut every, mut count) = (0i64, 1usize);
        let mut metadata: Vec<(String, String)> = Vec::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let inner_end = rest.find(']').ok_or("unterminated `[`")?;
            let inner = rest.strip_prefix('[').ok_or("expected `[`")?[..inner_end - 1].trim();
            rest = &rest[inner_end + 1..];
            if let Some(r) = inner.strip_prefix("repeat every ") {
                let w: Vec<&str> = r.split_whitespace().collect();
                match (w.first().and_then(|d| parse_dur(d)), w.get(1), w.get(2)) {
                    (Some(d), Some(&"for"), Some(n)) => {
                        every = d;
                        count = n.parse().map_err(|_| format!("bad count {n:?}"))?;
                    }
                    _ => return Err(format!("bad repeat clause {inner:?}")),
                }
            } else if let Some(r) = inner.strip_prefix("metadata") {
                // `k="v" ...`, separated by spaces (values may hold spaces).
                let (l, _) =
                    label_set(&format!("{{{r}}}")).ok_or_else(|| format!("bad metadata {r:?}"))?;
                metadata = l.into_pairs();
            } else {
                return Err(format!("unknown clause [{inner}]"));
            }
        }
        for k in 0..count {
            let t_ms = start + k as i64 * every;
            let mut entry = LogEntry::new(t_ms * 1_000_000, text.replace("{{.i}}", &k.to_string()));
            entry.metadata = metadata.clone();
            out.push((labels.clone(), entry));
        }
    }
    Ok(out)
}

/// What an eval expects.
#[derive(Default)]
struct Expect {
    /// `expect fail`, with an optional message substring or regex.
    fail: Option<Option<(bool, String)>>,
    empty: bool,
    ordered: bool,
    scalar: Option<f64>,
    series: Vec<(Labels, Vec<Option<f64>>)>,
}

fn parse_expect(body: &[&str]) -> Result<Expect, String> {
    let mut ex = Expect::default();
    for line in body {
        if let Some(r) = line.strip_prefix("expect ") {
            let r = r.trim();
            if let Some(f) = r.strip_prefix("fail") {
                let f = f.trim();
                ex.fail = Some(if let Some(m) = f.strip_prefix("msg:") {
                    Some((false, m.trim().to_string()))
                } else {
                    f.strip_prefix("regex:")
                        .map(|m| (true, m.trim().to_string()))
                });
            } else if r == "empty" {
                ex.empty = true;
            } else if r == "ordered" {
                ex.ordered = true;
            } else {
                return Err(format!("unknown expectation {line:?}"));
            }
        } else if line.starts_with("skip ") {
            // Distributed execution stacks: a single engine must match the values anyway.
        } else if let Some(v) = parse_number(line) {
            ex.scalar = Some(v);
        } else {
            let (labels, rest) =
                label_set(line).ok_or_else(|| format!("bad expected line {line:?}"))?;
            let v = values(rest).ok_or_else(|| format!("bad values in {line:?}"))?;
            ex.series.push((labels, v));
        }
    }
    Ok(ex)
}

fn eval_case(cmd: &str, body: &[&str], store: &dyn LogScriptStorage) -> Outcome {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let (start, end, step, query) = match words.get(1) {
        Some(&"instant") if words.get(2) == Some(&"at") => {
            match words.get(3).and_then(|w| parse_dur(w)) {
                Some(t) => (t, t, None, rest_after(cmd, 4)),
                None => return Outcome::Fail("bad eval time".into()),
            }
        }
        Some(&"range") => {
            let d = |i: usize| words.get(i).and_then(|w| parse_dur(w));
            match (d(3), d(5), d(7)) {
                (Some(s), Some(e), Some(st)) => (s, e, Some(st), rest_after(cmd, 8)),
                _ => return Outcome::Fail("bad eval range".into()),
            }
        }
        _ => return Outcome::Fail("bad eval command".into()),
    };
    let ex = match parse_expect(body) {
        Ok(ex) => ex,
        Err(e) => return Outcome::Fail(e),
    };
    let ns = |ms: i64| ms * 1_000_000;
    let limits = eval_metric::Limits::default();
    let result = crate::logql::parse_for_eval(query)
        .map_err(|e| e.to_string())
        .and_then(|expr| {
            let snap = store.snapshot().map_err(|e| e.to_string())?;
            match step {
                None => eval_metric::instant(&snap, &expr, ns(start), &limits),
                Some(st) => eval_metric::range(&snap, &expr, ns(start), ns(end), ns(st), &limits),
            }
            .map_err(|e| e.to_string())
        });
    match (result, &ex.fail) {
        (Err(e), Some(want)) => match want {
            None => Outcome::Pass,
            Some((false, m)) if e.contains(m.as_str()) => Outcome::Pass,
            Some((true, re)) if regex::Regex::new(re).is_ok_and(|r| r.is_match(&e)) => {
                Outcome::Pass
            }
            Some(_) => Outcome::Fail(format!("failed with {e:?}, expected {want:?}")),
        },
        (Err(e), None) => Outcome::Fail(e),
        (Ok(_), Some(_)) => Outcome::Fail("succeeded, expected a failure".into()),
        (Ok(v), None) => compare(&ex, v, step.map(|st| (start, st))),
    }
}

/// Compares a result with the expectation; `grid` is a range eval's start and step (ms).
fn compare(ex: &Expect, got: Value, grid: Option<(i64, i64)>) -> Outcome {
    let got_series: Vec<(Labels, Vec<Option<f64>>)> = match got {
        Value::Scalar { v, .. } => {
            return match ex.scalar {
                Some(w) if almost_equal(v, w) => Outcome::Pass,
                w => Outcome::Fail(format!("scalar {v}, expected {w:?}")),
            }
        }
        Value::String { v, .. } => return Outcome::Fail(format!("unexpected string {v:?}")),
        Value::Vector(samples) => samples
            .into_iter()
            .map(|s| (s.labels, vec![Some(s.v)]))
            .collect(),
        Value::Matrix(series) => {
            let Some((start, step)) = grid else {
                return Outcome::Fail("a matrix for an instant eval".into());
            };
            // Points placed on the step grid, gaps as `None`, as the expectation is written.
            let mut out = Vec::with_capacity(series.len());
            for s in series {
                let mut vals: Vec<Option<f64>> = Vec::new();
                for p in &s.samples {
                    let k = ((p.t - start) / step) as usize;
                    if vals.len() <= k {
                        vals.resize(k + 1, None);
                    }
                    vals[k] = Some(p.v);
                }
                out.push((s.labels, vals));
            }
            out
        }
    };
    if ex.scalar.is_some() {
        return Outcome::Fail("expected a scalar".into());
    }
    if ex.empty || ex.series.is_empty() {
        return if got_series.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(format!("expected no series, got {}", describe(&got_series)))
        };
    }
    if got_series.len() != ex.series.len() {
        return Outcome::Fail(format!(
            "got {} series, expected {}: {}",
            got_series.len(),
            ex.series.len(),
            describe(&got_series)
        ));
    }
    for (k, (labels, vals)) in got_series.iter().enumerate() {
        let want = if ex.ordered {
            (ex.series[k].0 == *labels).then(|| &ex.series[k].1)
        } else {
            ex.series.iter().find(|(l, _)| l == labels).map(|(_, v)| v)
        };
        let Some(want) = want else {
            return Outcome::Fail(format!(
                "unexpected series {labels} (position {k}); got {}",
                describe(&got_series)
            ));
        };
        let n = want.len().max(vals.len());
        let at = |v: &[Option<f64>], k: usize| v.get(k).copied().flatten();
        let same = (0..n).all(|k| match (at(want, k), at(vals, k)) {
            (None, None) => true,
            (Some(a), Some(b)) => almost_equal(a, b),
            _ => false,
        });
        if !same {
            return Outcome::Fail(format!("{labels}: got {vals:?}, expected {want:?}"));
        }
    }
    Outcome::Pass
}

fn describe(series: &[(Labels, Vec<Option<f64>>)]) -> String {
    series
        .iter()
        .map(|(l, v)| format!("{l} {v:?}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::scratch::ScratchStore;

    #[test]
    fn engine_scripts_run_through_a_real_store() {
        let mut store = ScratchStore::new(None).unwrap();
        let script = "load\n  {a=\"b\"} \"x\" @ 10s [repeat every 10s for 3]\n\n\
                      eval instant at 30s count_over_time({a=\"b\"}[1m])\n  {a=\"b\"} 3\n\
                      eval instant at 30s count_over_time({a=\"b\"}[1m])\n  {a=\"b\"} 4\n";
        let cases = run_on_empty(script, &mut store);
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].line, 4);
        assert!(
            matches!(cases[0].outcome, Outcome::Pass),
            "{:?}",
            cases[0].outcome
        );
        assert!(matches!(cases[1].outcome, Outcome::Fail(_)));
    }
}
