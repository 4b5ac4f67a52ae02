//! Tests of how PromQL copes with the shape of a query: chains of binary operators of any
//! length, and nesting up to [`MAX_NESTING`] levels with a clear error past it. Each query
//! goes through every step that walks its tree (parse, print, parse the printed form,
//! evaluate as an instant and a range query, drop) on a thread with a 2 MiB stack, the size
//! of tokio's threads, so that a stack overflow, which would abort the whole test binary,
//! cannot hide behind a larger default.

use super::engine::{Engine, MemoryStorage, Value};
use super::parse;
use super::parser::MAX_NESTING;
use crate::model::{Labels, Sample};

/// The stack of tokio's worker and blocking threads.
const STACK: usize = 2 << 20;

/// Runs `f` on a thread with a [`STACK`]-sized stack, passing its panics on.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let thread = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn a test thread");
    thread
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// `up{job="a"}` at 1 every 15 seconds for an hour.
fn store() -> MemoryStorage {
    let labels = Labels::from_pairs([("__name__", "up"), ("job", "a")]);
    let samples = (0..240)
        .map(|i| Sample {
            t: i * 15_000,
            v: 1.0,
        })
        .collect();
    MemoryStorage::from_series([(labels, samples)])
}

const T: i64 = 30 * 60_000;

/// What a query came to: its printed form and its instant value.
struct Outcome {
    printed: String,
    value: Value,
}

/// Parses, prints, parses the print, evaluates (instant and range) and drops `q`, on a
/// small stack.
fn run(q: String) -> Outcome {
    on_small_stack(move || {
        let e = parse(&q).unwrap_or_else(|err| panic!("{}: {err}", excerpt(&q)));
        let printed = e.to_string();
        let again = parse(&printed).unwrap_or_else(|err| panic!("{}: {err}", excerpt(&printed)));
        assert_eq!(again.to_string(), printed);
        let engine = Engine {
            threads: 1,
            ..Engine::default()
        };
        let data = store();
        let value = engine
            .instant_query(&data, &e, T)
            .unwrap_or_else(|err| panic!("{}: {err}", excerpt(&q)));
        engine
            .range_query(&data, &e, T - 60_000, T, 30_000)
            .unwrap_or_else(|err| panic!("{}: {err}", excerpt(&q)));
        drop((e, again));
        Outcome { printed, value }
    })
}

fn excerpt(q: &str) -> String {
    q.chars().take(60).collect()
}

fn scalar(v: &Value) -> f64 {
    match v {
        Value::Scalar { v, .. } => *v,
        other => panic!("not a scalar: {other:?}"),
    }
}

fn vector_len(v: &Value) -> usize {
    match v {
        Value::Vector(v) => v.len(),
        other => panic!("not a vector: {other:?}"),
    }
}

/// `n` copies of `term` joined by `op`.
fn chain(term: &str, op: &str, n: usize) -> String {
    vec![term; n].join(op)
}

#[test]
fn chains_of_additions_work_at_any_length() {
    for n in [2_000, 100_000] {
        let out = run(chain("1", "+", n));
        assert_eq!(out.printed, chain("1", " + ", n));
        assert_eq!(scalar(&out.value), n as f64);
    }
}

#[test]
fn chains_of_set_operators_work_at_any_length() {
    for n in [1_500, 100_000] {
        let out = run(chain("up", " or ", n));
        assert_eq!(out.printed, chain("up", " or ", n));
        assert_eq!(vector_len(&out.value), 1);
    }
}

#[test]
fn chains_of_mixed_operators_with_modifiers_work_at_any_length() {
    let ops = [
        " + ",
        " * on (job) ",
        " - ignoring (x) ",
        " / ",
        " and ",
        " > bool ",
        " unless on (x) ",
        " % ",
        " or ",
        " atan2 ",
        " ^ ",
    ];
    for n in [2_000, 100_000] {
        let mut q = String::from("up");
        for i in 1..n {
            q.push_str(ops[i % ops.len()]);
            q.push_str(if i % 3 == 0 { "(up)" } else { "up" });
        }
        let out = run(q);
        assert!(out
            .printed
            .starts_with("up * on (job) up - ignoring (x) up / (up)"));
    }
}

#[test]
fn chains_that_depend_on_the_query_are_resolved_at_any_length() {
    // `step()` makes the engine copy and fill in the tree before evaluating it.
    let out = run(chain("step()", " + ", 100_000));
    assert_eq!(scalar(&out.value), 0.0);
}

#[test]
fn a_chain_followed_by_an_error_is_dropped_without_recursion() {
    on_small_stack(|| {
        let long = chain("1", " + ", 100_000);
        let e = parse(&format!("{long} +")).unwrap_err();
        assert_eq!(e.message, "unexpected end of input");
        let e = parse(&format!("{long} and 1")).unwrap_err();
        assert!(
            e.message.contains("set operator \"and\" not allowed"),
            "{e}"
        );
        let e = parse(&format!("{long} + sum(1)")).unwrap_err();
        assert!(e.message.contains("expected type instant vector"), "{e}");
    });
}

/// Queries that nest `k` levels, each built of a prefix repeated `k` times, the innermost
/// operand and a suffix repeated `k` times.
const NESTINGS: &[(&str, &str, &str)] = &[
    ("(", "up", ")"),
    ("abs(", "up", ")"),
    ("sum(", "up", ")"),
    ("topk(1, ", "up", ")"),
    ("-", "up", ""),
    ("2 ^ ", "1", ""),
    ("max_over_time(", "up", "[5m:1m])"),
    (
        "label_replace(",
        "up",
        ", \"a\", \"$1\", \"job\", \"(.*)\")",
    ),
    ("sum by (job) (", "up", ")"),
];

fn nested(k: usize, (prefix, inner, suffix): (&str, &str, &str)) -> String {
    format!("{}{inner}{}", prefix.repeat(k), suffix.repeat(k))
}

/// `rate(up[((...(1m)...))])` with `k` parentheses.
fn duration_parens(k: usize) -> String {
    format!("rate(up[{}1m{}])", "(".repeat(k), ")".repeat(k))
}

/// `rate(up[1m+1m+...])` with `k` operators.
fn duration_chain(k: usize) -> String {
    format!("rate(up[{}])", chain("1m", "+", k + 1))
}

#[test]
fn nesting_works_up_to_the_limit() {
    for &shape in NESTINGS {
        run(nested(MAX_NESTING, shape));
    }
    // Two levels per step: a parenthesis and the right-hand side of `+`; a function's
    // argument and the parenthesis around a subquery's expression.
    run(nested(MAX_NESTING / 2, ("(1 + ", "1", ")")));
    run(nested(MAX_NESTING / 2, ("rate((", "up", ")[5m:1m])")));
    run(nested(MAX_NESTING / 2, ("vector(scalar(", "up", "))")));
    // Duration expressions: `rate(` is level 1, the expression in brackets level 2, and each
    // parenthesis one more; so is each operator, and its right-hand side one more again.
    run(duration_parens(MAX_NESTING - 2));
    run(duration_chain(MAX_NESTING - 3));
}

#[test]
fn nesting_past_the_limit_is_an_error_where_it_passes() {
    let want = format!("expression nests deeper than {MAX_NESTING} levels");
    for &shape in NESTINGS {
        let q = nested(MAX_NESTING + 1, shape);
        let e = on_small_stack(move || parse(&q).unwrap_err());
        assert_eq!(e.message, want, "{shape:?}");
        // The expression at level MAX_NESTING + 1 starts in the prefix that opens it.
        let opening = shape.0.len() * MAX_NESTING..=shape.0.len() * (MAX_NESTING + 1);
        assert!(opening.contains(&e.pos), "{shape:?}: {}", e.pos);
        assert_eq!((e.line, e.column), (1, e.pos + 1));
    }
    let parens = nested(MAX_NESTING + 1, ("(", "1", ")"));
    let e = parse(&parens).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("1:{}: parse error: {want}", MAX_NESTING + 2)
    );
    for q in [
        duration_parens(MAX_NESTING - 1),
        duration_chain(MAX_NESTING - 2),
        // The reproducers: far past the limit, each still a parse error.
        nested(2_000, ("sum(", "up", ")")),
        nested(100_000, ("(", "1", ")")),
        nested(100_000, ("-", "1", "")),
        nested(100_000, ("1 ^ ", "1", "")),
    ] {
        let e = on_small_stack(move || parse(&q).unwrap_err());
        assert_eq!(e.message, want);
    }
}

/// A small, fixed pseudo-random sequence (a linear congruential generator), so that the
/// mutated queries are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Valid queries that the mutations start from.
const SEEDS: &[&str] = &[
    "sum by (job) (rate(up{job=~\"a.*\"}[5m:1m] offset 1m))",
    "up * on (job) group_left (x) topk(2, up) > bool 0",
    "histogram_quantile(0.9, sum without (i) (rate(up[5m])))",
    "-(up ^ 2) unless ignoring (job) abs(up) or vector(1)",
    "label_replace(up, \"dst\", \"$1\", \"job\", \"(.*)\") @ 100",
    "max_over_time((up + 1)[10m:step() * 2]) offset -(1m + 30s)",
    "count_values(\"v\", up) / scalar(sum(up)) % 3 atan2 1",
    "quantile_over_time(0.5, up[1h] anchored) + up fill(0) - up smoothed",
    "{__name__=\"up\", \"job\"!=\"\"} == up # comment\n+ 1",
    "1 + 2 * 3 - 4 / 5 ^ -6 ^ 7",
];

/// Characters the mutations insert: PromQL's own punctuation and some outside ASCII.
const PIECES: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ":", "@", "+", "-", "*", "/", "%", "^", "=", "!", "~", "<",
    ">", "\"", "'", "`", "\\", "#", "\n", " ", ".", "0", "5m", "x", "by", "offset", "é", "😀",
    "\u{301}", "\0", "Inf", "NaN", "1e309", "0x", "sum(", "[1m:]",
];

/// Deletes, replaces or inserts at a random character boundary.
fn mutate(q: &str, rng: &mut Lcg) -> String {
    let bounds: Vec<usize> = q.char_indices().map(|(i, _)| i).chain([q.len()]).collect();
    let at = bounds[rng.below(bounds.len())];
    let next = bounds.iter().copied().find(|&b| b > at).unwrap_or(at);
    let piece = PIECES[rng.below(PIECES.len())];
    match rng.below(3) {
        0 => format!("{}{}", &q[..at], &q[next..]),
        1 => format!("{}{piece}{}", &q[..at], &q[next..]),
        _ => format!("{}{piece}{}", &q[..at], &q[at..]),
    }
}

#[test]
fn mutated_queries_give_errors_or_results_never_panics() {
    on_small_stack(|| {
        let mut rng = Lcg(12);
        let engine = Engine {
            threads: 1,
            ..Engine::default()
        };
        let data = store();
        for seed in SEEDS {
            let mut q = seed.to_string();
            for _ in 0..300 {
                // Mostly mutate the seed once, sometimes keep mutating the last query.
                q = mutate(if rng.below(4) == 0 { &q } else { seed }, &mut rng);
                let Ok(e) = parse(&q) else { continue };
                let printed = e.to_string();
                let again = parse(&printed).unwrap_or_else(|err| {
                    panic!("{q:?} printed as {printed:?}, which does not parse: {err}")
                });
                assert_eq!(again.to_string(), printed, "{q:?}");
                // Errors are fine; only a panic fails.
                let _ = engine.instant_query(&data, &e, T);
                let _ = engine.range_query(&data, &e, T - 60_000, T, 30_000);
            }
        }
    });
}
