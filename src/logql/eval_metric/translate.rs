//! The PromQL tree that evaluates a LogQL metric expression above its leaves (see the module
//! doc of `eval_metric`): each range aggregation is evaluated into the in-memory source under
//! a private name and read back by a selector; everything above is translated node by node.
//!
//! The PromQL engine evaluates a tree recursively, and a LogQL chain of operators (`a + b + c
//! ...`) is a tree as deep as the chain is long, which the parser does not limit. So no tree
//! handed to the engine is deeper than [`MAX_TREE_DEPTH`]: a deeper subtree is evaluated on its
//! own first, its series stored in the in-memory source like a leaf's, and a selector reads
//! them back. A subtree made only of literals becomes the number it evaluates to. Chains are
//! translated along their left spine in a loop, so translation itself recurses only as deep
//! as the query nests.
//!
//! Intermediate results keep their identity through their private name: an unnamed series is
//! stored as `__logql_part_N`, a named one as `__logql_part_N:name`, so that two series that
//! differ only by name stay apart, and [`public_name`] recovers the name at the end. What
//! such a cut can change is only what a query could see of those private names (`__name__`
//! read by `label_replace` or matched with `on(__name__)`), and then only in queries nested or
//! chained beyond the limit.

use super::range::{self, Steps};
use super::{Limits, MetricEvalError};
use crate::logql::ast::{self, BinOp, Cardinality, Expr, VectorOp};
use crate::logql::MAX_NESTING;
use crate::model::{Labels, MatchOp, Matcher, Sample};
use crate::promql::ast as p;
use crate::promql::engine::{Engine, MemoryStorage, Value};
use crate::store::logs::snapshot::BlockStats;
use crate::store::logs::LogSnapshot;

/// The deepest tree handed to the PromQL engine. A query within the parser's nesting limit
/// and without long chains never reaches it, and the engine evaluates this depth well within
/// a 2 MiB thread stack.
const MAX_TREE_DEPTH: usize = MAX_NESTING + 1;

const LEAF_PREFIX: &str = "__logql_leaf_";
const PART_PREFIX: &str = "__logql_part_";

/// The name a result series should show for its (possibly private) `__name__`: `None` when
/// it had none before the query made it private.
pub(super) fn public_name(mut name: &str) -> Option<&str> {
    loop {
        if name.starts_with(LEAF_PREFIX) {
            return None;
        }
        let Some(part) = name.strip_prefix(PART_PREFIX) else {
            return Some(name);
        };
        name = part.split_once(':')?.1;
    }
}

/// A translated subtree.
struct Node {
    expr: p::Expr,
    /// How deep `expr` is: 1 for a number or a selector.
    depth: usize,
    /// Whether the LogQL expression is made only of number literals.
    literal: bool,
}

impl Node {
    fn new(expr: p::Expr, depth: usize, literal: bool) -> Node {
        Node {
            expr,
            depth,
            literal,
        }
    }
}

/// A metric query ready for the PromQL engine: the tree, and the leaves (and any
/// intermediate results) in the in-memory source it reads.
pub(super) struct Translator<'a> {
    snap: &'a LogSnapshot,
    steps: Steps,
    pub data: MemoryStorage,
    pub engine: Engine,
    pub tree: p::Expr,
    stats: BlockStats,
    leaves: usize,
    parts: usize,
}

impl<'a> Translator<'a> {
    /// Evaluates the leaves of `expr` and translates the tree above them.
    pub fn prepare(
        snap: &'a LogSnapshot,
        expr: &Expr,
        steps: Steps,
        limits: &Limits,
    ) -> Result<Translator<'a>, MetricEvalError> {
        if expr.is_log() {
            return Err(MetricEvalError::Invalid(
                "a log query is not a metric query".into(),
            ));
        }
        let mut t = Translator {
            snap,
            steps,
            data: MemoryStorage::new(),
            engine: Engine {
                // The selector at step t must see the leaf's value at t and nothing older.
                lookback_delta: 1,
                nan_on_zero_division: true,
                max_samples: limits.max_samples,
                timeout: limits.timeout,
                ..Engine::default()
            },
            tree: p::Expr::Number(0.0),
            stats: BlockStats::default(),
            leaves: 0,
            parts: 0,
        };
        t.tree = t.node(expr)?.expr;
        Ok(t)
    }

    /// A time of the query in the engine's milliseconds.
    pub fn ms(&self, ns: i64) -> i64 {
        ns.div_euclid(1_000_000)
    }

    /// Start, end and step of the query in milliseconds, as the engine takes a range query.
    pub fn range_ms(&self) -> (i64, i64, i64) {
        let s = self.steps;
        (self.ms(s.start), self.ms(s.end), self.ms(s.step).max(1))
    }

    /// Translates `e`, keeping the result within [`MAX_TREE_DEPTH`].
    fn node(&mut self, e: &Expr) -> Result<Node, MetricEvalError> {
        let n = match e {
            Expr::Log(_) => {
                return Err(MetricEvalError::Invalid(
                    "a log query cannot be an operand of a metric query".into(),
                ))
            }
            Expr::RangeAggregation(a) => self.leaf(a)?,
            Expr::Literal(v) => Node::new(p::Expr::Number(*v), 1, true),
            Expr::Vector(v) => Node::new(call("vector", vec![p::Expr::Number(*v)]), 2, false),
            Expr::LabelReplace(l) => {
                let inner = self.node(&l.expr)?;
                let args = vec![
                    inner.expr,
                    p::Expr::String(l.dst.clone()),
                    p::Expr::String(l.replacement.clone()),
                    p::Expr::String(l.src.clone()),
                    p::Expr::String(l.regex.clone()),
                ];
                Node::new(call("label_replace", args), inner.depth + 1, false)
            }
            Expr::VectorAggregation(a) => self.aggregation(a)?,
            Expr::Binary(_) => self.chain(e)?,
        };
        self.bounded(n)
    }

    fn aggregation(&mut self, a: &ast::VectorAggregation) -> Result<Node, MetricEvalError> {
        let inner = match pushed_down(a) {
            Some(grouped) => self.leaf(&grouped)?,
            None => self.node(&a.expr)?,
        };
        let depth = inner.depth + 1;
        let (grouping, without) = match &a.grouping {
            Some(g) => (g.labels.clone(), g.without),
            None => (Vec::new(), false),
        };
        let op = match a.op {
            VectorOp::Sort => return Ok(Node::new(call("sort", vec![inner.expr]), depth, false)),
            VectorOp::SortDesc => {
                return Ok(Node::new(call("sort_desc", vec![inner.expr]), depth, false))
            }
            VectorOp::Sum => p::AggOp::Sum,
            VectorOp::Avg => p::AggOp::Avg,
            VectorOp::Min => p::AggOp::Min,
            VectorOp::Max => p::AggOp::Max,
            VectorOp::Count => p::AggOp::Count,
            VectorOp::Stddev => p::AggOp::Stddev,
            VectorOp::Stdvar => p::AggOp::Stdvar,
            VectorOp::Topk | VectorOp::ApproxTopk => p::AggOp::Topk,
            VectorOp::Bottomk => p::AggOp::Bottomk,
        };
        let agg = p::Expr::Aggregate(p::AggregateExpr {
            op,
            expr: Box::new(inner.expr),
            param: a.param.map(|k| Box::new(p::Expr::Number(k as f64))),
            grouping,
            without,
        });
        Ok(Node::new(agg, depth, false))
    }

    /// A chain of binary operators, translated along its left spine in a loop: `a + b + c` is
    /// `((a + b) + c)`, a spine as deep as the chain is long. Right operands recurse, but
    /// only as deep as the query nests.
    fn chain(&mut self, e: &Expr) -> Result<Node, MetricEvalError> {
        let mut spine = Vec::new();
        let mut bottom = e;
        while let Expr::Binary(b) = bottom {
            spine.push(b);
            bottom = &b.lhs;
        }
        let mut acc = self.node(bottom)?;
        for b in spine.into_iter().rev() {
            let rhs = self.node(&b.rhs)?;
            acc = self.bounded(binary(b, acc, rhs))?;
        }
        Ok(acc)
    }

    /// `n`, or what it evaluates to when it is deeper than the engine may go.
    fn bounded(&mut self, n: Node) -> Result<Node, MetricEvalError> {
        if n.depth <= MAX_TREE_DEPTH {
            return Ok(n);
        }
        if n.literal {
            // Literals are the same at every step.
            return match self.engine.instant_query(&self.data, &n.expr, 0) {
                Ok(Value::Scalar { v, .. }) => Ok(Node::new(p::Expr::Number(v), 1, true)),
                Ok(other) => Err(MetricEvalError::Internal(format!(
                    "a literal expression gave a {} value",
                    other.type_name()
                ))),
                Err(e) => Err(e.into()),
            };
        }
        let (start, end, step) = self.range_ms();
        let series = match self
            .engine
            .range_query(&self.data, &n.expr, start, end, step)
        {
            Ok(Value::Matrix(series)) => series,
            Ok(other) => {
                return Err(MetricEvalError::Internal(format!(
                    "a vector expression gave a {} value",
                    other.type_name()
                )))
            }
            Err(e) => return Err(e.into()),
        };
        let part = format!("{PART_PREFIX}{}", self.parts);
        self.parts += 1;
        for s in series {
            let name = match s.labels.get("__name__") {
                Some(name) => format!("{part}:{name}"),
                None => part.clone(),
            };
            let mut b = s.labels.to_builder();
            b.set("__name__", name);
            self.data.add(b.build(), s.samples);
        }
        // The part's own name, or any name it wraps.
        let pattern = format!("{part}(:.*)?");
        let matcher = Matcher::new("__name__", MatchOp::RegexMatch, pattern.as_str())
            .map_err(|e| MetricEvalError::Internal(e.to_string()))?;
        Ok(Node::new(selector(None, matcher), 1, false))
    }

    /// Evaluates a range aggregation into the in-memory source; the selector that reads it.
    fn leaf(&mut self, agg: &ast::RangeAggregation) -> Result<Node, MetricEvalError> {
        let name = format!("{LEAF_PREFIX}{}", self.leaves);
        self.leaves += 1;
        let steps = self.steps;
        for s in range::eval_range_aggregation(self.snap, agg, steps, &mut self.stats)? {
            let samples: Vec<Sample> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(k, v)| {
                    v.map(|v| Sample {
                        t: self.ms(steps.at(k)),
                        v,
                    })
                })
                .collect();
            let mut pairs = s.labels.into_pairs();
            pairs.push(("__name__".into(), name.clone()));
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            self.data.add(Labels::from_sorted_unchecked(pairs), samples);
        }
        let matcher = Matcher::equal("__name__", &name);
        Ok(Node::new(selector(Some(name), matcher), 1, false))
    }
}

fn selector(name: Option<String>, matcher: Matcher) -> p::Expr {
    p::Expr::VectorSelector(p::VectorSelector {
        name,
        matchers: vec![matcher],
        offset: 0,
        at: None,
        pos: p::PosRange::default(),
        offset_expr: None,
        anchored: false,
        smoothed: false,
    })
}

/// The PromQL node of one binary operator over its translated operands.
fn binary(b: &ast::BinaryExpr, lhs: Node, rhs: Node) -> Node {
    let both_vectors = !lhs.literal && !rhs.literal;
    let op = bin_op(b.op);
    let matching = both_vectors.then(|| p::VectorMatching {
        card: if op.is_set() {
            p::Cardinality::ManyToMany
        } else {
            match b.matching.card {
                Cardinality::OneToOne => p::Cardinality::OneToOne,
                Cardinality::ManyToOne => p::Cardinality::ManyToOne,
                Cardinality::OneToMany => p::Cardinality::OneToMany,
            }
        },
        on: b.matching.on,
        labels: b.matching.labels.clone(),
        include: b.matching.include.clone(),
        fill_lhs: None,
        fill_rhs: None,
    });
    let literal = lhs.literal && rhs.literal;
    // PromQL insists on `bool` between two scalars; LogQL folds such comparisons to 0 or 1.
    let return_bool = b.return_bool || (op.is_comparison() && literal);
    let depth = lhs.depth.max(rhs.depth) + 1;
    let expr = p::Expr::Binary(p::BinaryExpr {
        op,
        lhs: Box::new(lhs.expr),
        rhs: Box::new(rhs.expr),
        return_bool,
        matching,
    });
    Node::new(expr, depth, literal)
}

/// `sum by (level) (count_over_time({...} | json [5m]))` counts per `level`, so the range
/// aggregation may group its samples by `level` itself (as `avg_over_time(...) by (level)`
/// does) instead of making one series per distinct label set of the lines, which `| json`
/// makes as many as there are lines with unique ids. The outer aggregation then gives the
/// same answer from far fewer series. This holds when the outer operator folds the inner
/// one's partial results into what the inner would give on the pooled samples: sums of counts,
/// rates, byte counts and sums, and minima of minima, maxima of maxima.
fn pushed_down(a: &ast::VectorAggregation) -> Option<ast::RangeAggregation> {
    use ast::RangeOp as R;
    let Expr::RangeAggregation(inner) = a.expr.as_ref() else {
        return None;
    };
    if inner.grouping.is_some() {
        return None;
    }
    let folds = match a.op {
        VectorOp::Sum => matches!(
            inner.op,
            R::CountOverTime | R::Rate | R::BytesOverTime | R::BytesRate | R::SumOverTime
        ),
        VectorOp::Min => inner.op == R::MinOverTime,
        VectorOp::Max => inner.op == R::MaxOverTime,
        _ => false,
    };
    if !folds {
        return None;
    }
    let mut grouped = inner.clone();
    grouped.grouping = Some(a.grouping.clone().unwrap_or_default());
    Some(grouped)
}

fn call(func: &str, args: Vec<p::Expr>) -> p::Expr {
    p::Expr::Call(p::Call {
        func: func.to_string(),
        args,
        pos: p::PosRange::default(),
    })
}

fn bin_op(op: BinOp) -> p::BinOp {
    match op {
        BinOp::Or => p::BinOp::Or,
        BinOp::And => p::BinOp::And,
        BinOp::Unless => p::BinOp::Unless,
        BinOp::Add => p::BinOp::Add,
        BinOp::Sub => p::BinOp::Sub,
        BinOp::Mul => p::BinOp::Mul,
        BinOp::Div => p::BinOp::Div,
        BinOp::Mod => p::BinOp::Mod,
        BinOp::Pow => p::BinOp::Pow,
        BinOp::Eq => p::BinOp::Eql,
        BinOp::Ne => p::BinOp::Neq,
        BinOp::Gt => p::BinOp::Gtr,
        BinOp::Ge => p::BinOp::Gte,
        BinOp::Lt => p::BinOp::Lss,
        BinOp::Le => p::BinOp::Lte,
    }
}
