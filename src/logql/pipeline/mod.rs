//! A log pipeline, compiled: the stages after a stream selector (`|= "x" | json | level="error"
//! | line_format "{{.msg}}"`), run on one entry at a time.
//!
//! Each entry goes through the stages in order: line filters may drop it, parsers add labels,
//! label filters may drop it, formatters rewrite its line or labels. The result is the entry's
//! final line and label set (`labels::EntryLabels`), or nothing when a filter dropped it.
//! Log queries and metric queries run the same pipeline; a metric query then takes a sample
//! from what comes out (`sample.rs` in `eval_metric`).
//!
//! Pipelines that only filter or rewrite lines (the common `{app="x"} |= "needle"`) never
//! build labels: [`Pipeline::line_only`] hands the caller their stages, which run on the line
//! alone, so that it may keep the stream's own label set. Any other stage reads labels (a
//! template sees them, a filter tests them) or writes them (a parser adds them, a formatter
//! records `__error__`), so one such stage anywhere puts the whole pipeline on the labelled
//! path. The substrings every kept line must contain are collected for the store's block
//! filters.
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

/// One compiled stage that reads and writes nothing but the line.
pub enum LineStep {
    Filter(LineTest),
    Decolorize,
}

impl LineStep {
    /// The line after the step, or `None` when a filter drops it.
    fn run<'a>(&self, line: Cow<'a, str>) -> Option<Cow<'a, str>> {
        match self {
            LineStep::Filter(t) => t.keeps(&line).then_some(line),
            LineStep::Decolorize => Some(Cow::Owned(line_filter::decolorize(&line))),
        }
    }
}

/// One compiled stage.
enum Step {
    Line(LineStep),
    Parser(ParserStep),
    LabelFilter(CompiledFilter),
    Format(Formatter),
    Select(LabelSelection),
}

/// The stages of a pipeline, split by what they need from an entry.
enum Steps {
    /// Every stage is a [`Step::Line`].
    LineOnly(LineSteps),
    /// At least one stage reads or writes labels.
    Labelled(Vec<Step>),
}

/// The stages of a pipeline that only filters and rewrites lines.
pub struct LineSteps(Vec<LineStep>);

impl LineSteps {
    /// The line after every stage, or `None` when a filter drops it.
    pub fn filter<'a>(&self, line: &'a str) -> Option<Cow<'a, str>> {
        self.0
            .iter()
            .try_fold(Cow::Borrowed(line), |cur, step| step.run(cur))
    }
}

/// Why a pipeline cannot be built (a regex, template or pattern the parser let through but
/// that cannot run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PipelineError(pub String);

/// A compiled pipeline.
pub struct Pipeline {
    steps: Steps,
    /// Substrings every kept line contains in its stored form: what block filters can use.
    required: Vec<Vec<u8>>,
}

impl Pipeline {
    pub fn compile(expr: &LogExpr) -> Result<Pipeline, PipelineError> {
        let (steps, required) = compile_steps(expr)?;
        Ok(Pipeline {
            steps: split_by_labels(steps),
            required,
        })
    }

    /// Substrings every line the pipeline keeps contains, as stored.
    pub fn required(&self) -> &[Vec<u8>] {
        &self.required
    }

    /// The stages, when none of them reads or writes labels: callers may then skip
    /// [`EntryLabels`] altogether for entries without structured metadata.
    pub fn line_only(&self) -> Option<&LineSteps> {
        match &self.steps {
            Steps::LineOnly(l) => Some(l),
            Steps::Labelled(_) => None,
        }
    }

    /// Runs the pipeline on one entry whose labels were reset by the caller: the line after
    /// it (labels updated in place), or `None` when a stage drops the entry.
    pub fn process<'a>(
        &self,
        ts_ns: i64,
        line: &'a str,
        labels: &mut EntryLabels,
    ) -> Option<Cow<'a, str>> {
        let steps = match &self.steps {
            Steps::LineOnly(l) => return l.filter(line),
            Steps::Labelled(steps) => steps,
        };
        let mut cur = Cow::Borrowed(line);
        for step in steps {
            match step {
                Step::Line(l) => cur = l.run(cur)?,
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

/// Compiles every stage, and collects the substrings kept lines contain as stored.
fn compile_steps(expr: &LogExpr) -> Result<(Vec<Step>, Vec<Vec<u8>>), PipelineError> {
    let stages = &expr.pipeline;
    let mut steps = Vec::with_capacity(stages.len());
    let mut required = Vec::new();
    // Once a stage rewrites the line, later line filters see text that may not be in the
    // stored bytes: their needles no longer tell which blocks can match.
    let mut rewritten = false;
    for stage in stages {
        let step = match stage {
            Stage::LineFilter(f) => {
                let t = LineTest::compile(f).map_err(PipelineError)?;
                if !rewritten {
                    if let Some(n) = t.required_substring() {
                        required.push(n.as_bytes().to_vec());
                    }
                }
                Step::Line(LineStep::Filter(t))
            }
            Stage::Decolorize => {
                rewritten = true;
                Step::Line(LineStep::Decolorize)
            }
            Stage::Parser(p) => {
                let step = ParserStep::compile(p).map_err(PipelineError)?;
                rewritten |= step.rewrites_line();
                Step::Parser(step)
            }
            Stage::LabelFilter(f) => {
                Step::LabelFilter(CompiledFilter::compile(f).map_err(PipelineError)?)
            }
            Stage::LineFormat(t) => {
                rewritten = true;
                Step::Format(Formatter::Line(t.parsed.clone()))
            }
            Stage::LabelFormat(fmts) => Step::Format(Formatter::labels(fmts)),
            Stage::Drop(names) => Step::Select(LabelSelection::drop(names)),
            Stage::Keep(names) => Step::Select(LabelSelection::keep(names)),
        };
        steps.push(step);
    }
    Ok((steps, required))
}

/// Keeps the line-only fast path for pipelines whose every stage is a [`Step::Line`].
fn split_by_labels(steps: Vec<Step>) -> Steps {
    if !steps.iter().all(|s| matches!(s, Step::Line(_))) {
        return Steps::Labelled(steps);
    }
    let line_steps = steps
        .into_iter()
        .filter_map(|s| match s {
            Step::Line(l) => Some(l),
            Step::Parser(_) | Step::LabelFilter(_) | Step::Format(_) | Step::Select(_) => None,
        })
        .collect();
    Steps::LineOnly(LineSteps(line_steps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Labels;

    fn pipeline(q: &str) -> Pipeline {
        match crate::logql::parse_for_eval(q).unwrap() {
            crate::logql::Expr::Log(l) => Pipeline::compile(&l).unwrap(),
            other => panic!("not a log query: {other:?}"),
        }
    }

    /// The line and labels the labelled path gives for the same stages.
    fn labelled(q: &str, stream: &Labels, line: &str) -> Option<(String, Labels)> {
        let crate::logql::Expr::Log(expr) = crate::logql::parse_for_eval(q).unwrap() else {
            panic!("not a log query: {q}");
        };
        let (steps, required) = compile_steps(&expr).unwrap();
        let p = Pipeline {
            steps: Steps::Labelled(steps),
            required,
        };
        let mut labels = EntryLabels::new(stream);
        labels.reset(&[]);
        let out = p.process(0, line, &mut labels)?;
        Some((out.into_owned(), labels.to_labels()))
    }

    #[test]
    fn only_line_stages_take_the_line_only_path_and_it_agrees_with_the_labelled_one() {
        let stream = Labels::from_pairs([("app", "a")]);
        let line = "\u{1b}[31mlevel=error\u{1b}[0m msg=\"disk full\" n=7";
        let line_only = [
            r#"{app="a"}"#,
            r#"{app="a"} |= "error" != "warn" |~ "n=[0-9]" !~ "x" |> "<_> n=<_>""#,
            r#"{app="a"} | decolorize |= "level=error m""#,
            r#"{app="a"} |= ip("1.2.3.4") or "disk""#,
        ];
        for q in line_only {
            let p = pipeline(q);
            let fast = p.line_only().expect(q).filter(line).map(|l| l.into_owned());
            let slow = labelled(q, &stream, line).map(|(l, labels)| {
                assert_eq!(labels, stream, "{q}");
                l
            });
            assert_eq!(fast, slow, "{q}");
        }
        let needs_labels = [
            r#"{app="a"} | line_format "x""#,
            r#"{app="a"} | line_format "{{ __line__ }}""#,
            r#"{app="a"} | line_format "{{ .app }}""#,
            r#"{app="a"} | label_format b="{{ .app }}""#,
            r#"{app="a"} | label_format b=app"#,
            r#"{app="a"} | logfmt"#,
            r#"{app="a"} | json"#,
            r#"{app="a"} | unpack"#,
            r#"{app="a"} | regexp `n=(?P<n>\d+)`"#,
            r#"{app="a"} | pattern "<_> n=<n>""#,
            r#"{app="a"} | app="a""#,
            r#"{app="a"} | drop app"#,
            r#"{app="a"} | keep app"#,
            r#"{app="a"} |= "error" | decolorize | line_format "x""#,
        ];
        for q in needs_labels {
            assert!(pipeline(q).line_only().is_none(), "{q}");
        }
    }
}
