//! A log pipeline, compiled: the stages after a stream selector (`|= "x" | json | level="error"
//! | line_format "{{.msg}}"`), run on one entry at a time.
//!
//! Each entry goes through the stages in order: line filters may drop it, parsers add labels,
//! label filters may drop it, formatters rewrite its line or labels. The result is the entry's
//! final line and label set (`labels::EntryLabels`), or nothing when a filter dropped it.
//! Log queries and metric queries run the same pipeline; a metric query then takes a sample
//! from what comes out (`sample.rs` in `eval_metric`).
//!
//! Pipelines that only filter lines (the common `{app="x"} |= "needle"`) never build labels:
//! [`Pipeline::touches_labels`] tells the caller it may keep the stream's own label set. The
//! substrings every kept line must contain are collected for the store's block filters.
//!
//! Files: `labels.rs` (an entry's labels and Loki's clash rule), `label_filter.rs`,
//! `line_filter.rs`, `stages.rs` (parsers, formatters, drop and keep).

pub mod label_filter;
pub mod labels;
pub mod line_filter;
mod stages;

use super::ast::{LogExpr, Stage};
use label_filter::CompiledFilter;
pub use labels::EntryLabels;
use line_filter::LineTest;
use stages::{Formatter, LabelSelection, ParserStep};
use std::borrow::Cow;

/// One compiled stage.
enum Step {
    Line(LineTest),
    Decolorize,
    Parser(ParserStep),
    LabelFilter(CompiledFilter),
    Format(Formatter),
    Select(LabelSelection),
}

/// Why a pipeline cannot be built (a regex, template or pattern the parser let through but
/// that cannot run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PipelineError(pub String);

/// A compiled pipeline.
pub struct Pipeline {
    steps: Vec<Step>,
    /// Substrings every kept line contains in its stored form: what block filters can use.
    required: Vec<Vec<u8>>,
    touches_labels: bool,
}

impl Pipeline {
    pub fn compile(expr: &LogExpr) -> Result<Pipeline, PipelineError> {
        let stages = &expr.pipeline;
        let mut steps = Vec::with_capacity(stages.len());
        let mut required = Vec::new();
        // Once a stage rewrites the line, later line filters see text that may not be in the
        // stored bytes: their needles no longer tell which blocks can match.
        let mut rewritten = false;
        let mut touches_labels = false;
        for stage in stages {
            let step = match stage {
                Stage::LineFilter(f) => {
                    let t = LineTest::compile(f).map_err(PipelineError)?;
                    if !rewritten {
                        if let Some(n) = t.required_substring() {
                            required.push(n.as_bytes().to_vec());
                        }
                    }
                    Step::Line(t)
                }
                Stage::Decolorize => {
                    rewritten = true;
                    Step::Decolorize
                }
                Stage::Parser(p) => {
                    touches_labels = true;
                    let step = ParserStep::compile(p).map_err(PipelineError)?;
                    rewritten |= step.rewrites_line();
                    Step::Parser(step)
                }
                Stage::LabelFilter(f) => {
                    touches_labels = true;
                    Step::LabelFilter(CompiledFilter::compile(f).map_err(PipelineError)?)
                }
                Stage::LineFormat(t) => {
                    rewritten = true;
                    Step::Format(Formatter::Line(t.parsed.clone()))
                }
                Stage::LabelFormat(fmts) => {
                    touches_labels = true;
                    Step::Format(Formatter::labels(fmts))
                }
                Stage::Drop(names) => {
                    touches_labels = true;
                    Step::Select(LabelSelection::drop(names))
                }
                Stage::Keep(names) => {
                    touches_labels = true;
                    Step::Select(LabelSelection::keep(names))
                }
            };
            steps.push(step);
        }
        Ok(Pipeline {
            steps,
            required,
            touches_labels,
        })
    }

    /// Substrings every line the pipeline keeps contains, as stored.
    pub fn required(&self) -> &[Vec<u8>] {
        &self.required
    }

    /// Whether any stage can change an entry's labels. When not, callers may skip
    /// [`EntryLabels`] altogether and use [`Pipeline::filter_line`].
    pub fn touches_labels(&self) -> bool {
        self.touches_labels
    }

    /// Runs a pipeline whose stages do not touch labels: the line after it, or `None` when a
    /// filter drops it.
    pub fn filter_line<'a>(&self, line: &'a str) -> Option<Cow<'a, str>> {
        let mut cur = Cow::Borrowed(line);
        for step in &self.steps {
            match step {
                Step::Line(t) => {
                    if !t.keeps(&cur) {
                        return None;
                    }
                }
                Step::Decolorize => cur = Cow::Owned(line_filter::decolorize(&cur)),
                _ => unreachable!("filter_line on a pipeline that touches labels"),
            }
        }
        Some(cur)
    }

    /// Runs the pipeline on one entry whose labels were reset by the caller: the line after
    /// it (labels updated in place), or `None` when a stage drops the entry.
    pub fn process<'a>(
        &self,
        ts_ns: i64,
        line: &'a str,
        labels: &mut EntryLabels,
    ) -> Option<Cow<'a, str>> {
        let mut cur = Cow::Borrowed(line);
        for step in &self.steps {
            match step {
                Step::Line(t) => {
                    if !t.keeps(&cur) {
                        return None;
                    }
                }
                Step::Decolorize => cur = Cow::Owned(line_filter::decolorize(&cur)),
                Step::Parser(p) => {
                    if let Some(new_line) = p.run(&cur, labels) {
                        cur = Cow::Owned(new_line);
                    }
                }
                Step::LabelFilter(f) => {
                    if !f.test(labels) {
                        return None;
                    }
                }
                Step::Format(f) => {
                    if let Some(new_line) = f.run(ts_ns, &cur, labels) {
                        cur = Cow::Owned(new_line);
                    }
                }
                Step::Select(s) => s.run(labels),
            }
        }
        Some(cur)
    }
}
