//! The stages that read or write labels: parsers (`json`, `logfmt`, `regexp`, `pattern`,
//! `unpack`), formatters (`line_format`, `label_format`) and `drop` / `keep`.
//!
//! Extraction itself is in `logql::extract` and template execution in
//! `logql::template_eval`; this file connects them to an entry's labels and records their
//! failures as `__error__` / `__error_details__`, as Loki does, so that a label filter may
//! skip failing lines on purpose.

use super::labels::{EntryLabels, ERROR_DETAILS_LABEL, ERROR_LABEL};
use crate::gotmpl::{Template, TemplateData};
use crate::logql::ast::{LabelFmt, NamedMatcher, ParserStage};
use crate::logql::extract::{
    self, ExtractError, JsonExpressions, Logfmt, Pattern, RegexpExtractor,
};
use crate::logql::template as template_eval;

/// `__error__` of a template that fails to execute.
const TEMPLATE_FORMAT_ERR: &str = "TemplateFormatErr";

/// Hands extracted pairs to an entry's labels under the clash rule.
struct ToLabels<'a, 's>(&'a mut EntryLabels<'s>);

impl extract::Sink for ToLabels<'_, '_> {
    fn add(&mut self, name: &str, value: &str) {
        self.0.set_parsed(name, value);
    }

    fn absent(&mut self, name: &str, rule: extract::Absent) {
        self.0
            .set_absent(name, rule == extract::Absent::UnlessAnyLabel);
    }
}

/// A parser stage, compiled.
pub enum ParserStep {
    JsonAll,
    Json(JsonExpressions),
    Logfmt(Logfmt),
    Regexp(RegexpExtractor),
    Pattern(Pattern),
    Unpack,
}

impl ParserStep {
    pub fn compile(p: &ParserStage) -> Result<ParserStep, String> {
        Ok(match p {
            ParserStage::Json { params } if params.is_empty() => ParserStep::JsonAll,
            ParserStage::Json { params } => ParserStep::Json(JsonExpressions::new(params)?),
            ParserStage::Logfmt {
                strict,
                keep_empty,
                params,
            } => ParserStep::Logfmt(Logfmt::new(*strict, *keep_empty, params)?),
            ParserStage::Regexp(re) => ParserStep::Regexp(RegexpExtractor::new(re)?),
            ParserStage::Pattern(p) => ParserStep::Pattern(Pattern::new(p)?),
            ParserStage::Unpack => ParserStep::Unpack,
        })
    }

    /// Whether the stage may replace the line (`unpack` with an `_entry` field).
    pub fn rewrites_line(&self) -> bool {
        matches!(self, ParserStep::Unpack)
    }

    /// Extracts labels from `line`; returns a replacement line when the stage makes one.
    pub fn run(&self, line: &str, labels: &mut EntryLabels) -> Option<String> {
        let mut sink = ToLabels(labels);
        let result = match self {
            ParserStep::JsonAll => extract::json_all(line, &mut sink).map(|_| None),
            ParserStep::Json(e) => e.extract(line, &mut sink).map(|_| None),
            ParserStep::Logfmt(l) => l.extract(line, &mut sink).map(|_| None),
            ParserStep::Regexp(r) => {
                r.extract(line, &mut sink);
                Ok(None)
            }
            ParserStep::Pattern(p) => {
                p.extract(line, &mut sink);
                Ok(None)
            }
            ParserStep::Unpack => {
                extract::unpack(line, &mut sink).map(|l| l.map(std::borrow::Cow::into_owned))
            }
        };
        match result {
            Ok(new_line) => new_line,
            Err(ExtractError { kind, details }) => {
                labels.set_error(kind, &details);
                None
            }
        }
    }
}

/// An entry's labels as a template sees them.
struct TemplateView<'a, 's>(&'a EntryLabels<'s>);

impl TemplateData for TemplateView<'_, '_> {
    fn label(&self, name: &str) -> Option<&str> {
        self.0.get(name)
    }

    fn labels(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        self.0.visit(|k, v| out.push((k, v)));
        out
    }
}

/// `line_format` or `label_format`.
pub enum Formatter {
    Line(Template),
    Labels(Vec<LabelFmt>),
}

impl Formatter {
    pub fn labels(fmts: &[LabelFmt]) -> Formatter {
        Formatter::Labels(fmts.to_vec())
    }

    /// Applies the formatter; returns the new line for `line_format`.
    pub fn run(&self, ts_ns: i64, line: &str, labels: &mut EntryLabels) -> Option<String> {
        match self {
            Formatter::Line(t) => {
                let mut out = String::with_capacity(line.len());
                let r = template_eval::render(t, &TemplateView(labels), line, ts_ns, &mut out);
                match r {
                    Ok(()) => Some(out),
                    Err(e) => {
                        labels.set_error(TEMPLATE_FORMAT_ERR, &e);
                        None
                    }
                }
            }
            Formatter::Labels(fmts) => {
                // Every template reads the labels as they were before the stage.
                let mut snapshot: Option<Vec<(String, String)>> = None;
                for f in fmts {
                    match f {
                        LabelFmt::Rename { dst, src } => {
                            if let Some(v) = labels.get(src).map(str::to_string) {
                                labels.delete(src);
                                labels.set(dst, &v);
                            }
                        }
                        LabelFmt::Template { dst, template } => {
                            let data = snapshot.get_or_insert_with(|| {
                                let mut pairs = Vec::new();
                                labels.visit(|k, v| pairs.push((k.to_string(), v.to_string())));
                                pairs
                            });
                            let mut out = String::new();
                            match template_eval::render(
                                &template.parsed,
                                data,
                                line,
                                ts_ns,
                                &mut out,
                            ) {
                                Ok(()) => labels.set(dst, &out),
                                Err(e) => labels.set_error(TEMPLATE_FORMAT_ERR, &e),
                            }
                        }
                    }
                }
                None
            }
        }
    }
}

/// `drop` or `keep` with their operands, in the order written.
pub struct LabelSelection {
    keep: bool,
    operands: Vec<NamedMatcher>,
}

impl LabelSelection {
    pub fn drop(operands: &[NamedMatcher]) -> LabelSelection {
        LabelSelection {
            keep: false,
            operands: operands.to_vec(),
        }
    }

    pub fn keep(operands: &[NamedMatcher]) -> LabelSelection {
        LabelSelection {
            keep: true,
            operands: operands.to_vec(),
        }
    }

    pub fn run(&self, labels: &mut EntryLabels) {
        if self.keep {
            // `keep` never removes the error labels: only a filter or `drop` may.
            labels.retain(|k, v| {
                k == ERROR_LABEL
                    || k == ERROR_DETAILS_LABEL
                    || self.operands.iter().any(|o| match o {
                        NamedMatcher::Name(n) => n == k,
                        NamedMatcher::Matcher(m) => m.name == k && m.matches(v),
                    })
            });
            return;
        }
        for o in &self.operands {
            match o {
                NamedMatcher::Name(n) => labels.delete(n),
                NamedMatcher::Matcher(m) => {
                    if m.matches(labels.get(&m.name).unwrap_or("")) {
                        labels.delete(&m.name);
                    }
                }
            }
        }
    }
}
