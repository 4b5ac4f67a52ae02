//! Annotations: the warnings and infos a query can return besides its result, as Prometheus'
//! API reports them (`warnings`, `infos`). They never change the result.
//!
//! Only the float-related ones are produced: sort in range queries, out-of-range quantiles,
//! malformed `le` labels, `histogram_quantile` monotonicity fixes, and `rate`/`increase` over
//! metrics that do not look like counters. Each carries the byte range of the
//! sub-expression that caused it; [`Annotation::render`] prints it with `line:column` like
//! Prometheus does.

use crate::promql::ast::PosRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnotationKind {
    Warning,
    Info,
}

/// One warning or info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub kind: AnnotationKind,
    /// The text after `PromQL warning: ` / `PromQL info: `.
    pub detail: String,
    /// Where in the query the cause is.
    pub pos: PosRange,
}

impl Annotation {
    /// Prometheus' rendering: `PromQL warning: <detail> (<line>:<column>)`, with 1-based line
    /// and byte column of the start of the sub-expression in `query`.
    pub fn render(&self, query: &str) -> String {
        let start = self.pos.start.min(query.len());
        let before = &query.as_bytes()[..start];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let col = start
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        let kind = match self.kind {
            AnnotationKind::Warning => "PromQL warning",
            AnnotationKind::Info => "PromQL info",
        };
        format!("{kind}: {} ({line}:{col})", self.detail)
    }
}

/// Collects annotations without duplicates, in order of first occurrence.
#[derive(Debug, Default)]
pub(crate) struct Notes(std::cell::RefCell<Vec<Annotation>>);

impl Notes {
    pub fn add(&self, kind: AnnotationKind, detail: String, pos: PosRange) {
        let a = Annotation { kind, detail, pos };
        let mut v = self.0.borrow_mut();
        if !v.contains(&a) {
            v.push(a);
        }
    }

    pub fn warn(&self, detail: String, pos: PosRange) {
        self.add(AnnotationKind::Warning, detail, pos);
    }

    pub fn info(&self, detail: String, pos: PosRange) {
        self.add(AnnotationKind::Info, detail, pos);
    }

    pub fn take(&self) -> Vec<Annotation> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

/// Go's `%g` for the values quantile warnings print.
pub(crate) fn go_g(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_and_column() {
        let a = Annotation {
            kind: AnnotationKind::Warning,
            detail: "x".into(),
            pos: PosRange { start: 7, end: 9 },
        };
        assert_eq!(a.render("sum(\n  ab)"), "PromQL warning: x (2:3)");
        assert_eq!(
            Annotation {
                pos: PosRange { start: 0, end: 1 },
                ..a
            }
            .render("a"),
            "PromQL warning: x (1:1)"
        );
    }
}
