//! The LogQL parser, pipeline level: the stages after a stream selector (line filters with
//! their `or` chains and `ip()`, parsers, label filter expressions, `line_format`,
//! `label_format`, `drop`, `keep`, `decolorize`) and where `| unwrap` may appear.
//!
//! Each stage's arguments are checked here with `validate.rs` and `template.rs` (regexes,
//! patterns, IP ranges, JSON paths, templates), so that every parsed pipeline can be built.

use super::ast::*;
use super::lexer::{Keyword, Tok};
use super::parser::{PResult, Parser};
use super::template;
use super::validate;
use crate::model::Matcher;

impl Parser<'_> {
    /// Stages until something that cannot continue a pipeline. With `allow_unwrap`, a final
    /// `| unwrap ...` (and the label filters after it) is returned apart.
    pub(super) fn pipeline(&mut self, allow_unwrap: bool) -> PResult<(Vec<Stage>, Option<Unwrap>)> {
        let mut stages = Vec::new();
        loop {
            match self.peek() {
                Tok::PipeExact
                | Tok::PipeMatch
                | Tok::PipePattern
                | Tok::Neq
                | Tok::Nre
                | Tok::Npa => stages.push(Stage::LineFilter(self.line_filter()?)),
                Tok::Pipe => {
                    if self.peek_at(1) == &Tok::Keyword(Keyword::Unwrap) {
                        if !allow_unwrap {
                            self.next();
                            return Err(self.err_here(
                                "syntax error: unexpected unwrap (unwrap is only allowed in a \
                                 range aggregation)",
                            ));
                        }
                        let u = self.unwrap_stage()?;
                        return Ok((stages, Some(u)));
                    }
                    self.next();
                    stages.push(self.stage()?);
                }
                _ => return Ok((stages, None)),
            }
        }
    }

    /// `op operand (or operand)*`.
    fn line_filter(&mut self) -> PResult<LineFilter> {
        let op = match self.next() {
            Tok::PipeExact => LineMatchOp::Contains,
            Tok::Neq => LineMatchOp::NotContains,
            Tok::PipeMatch => LineMatchOp::Regex,
            Tok::Nre => LineMatchOp::NotRegex,
            Tok::PipePattern => LineMatchOp::Pattern,
            _ => LineMatchOp::NotPattern,
        };
        let mut values = vec![self.line_filter_value(op)?];
        while self.eat_keyword(Keyword::Or) {
            values.push(self.line_filter_value(op)?);
        }
        Ok(LineFilter { op, values })
    }

    fn line_filter_value(&mut self, op: LineMatchOp) -> PResult<LineFilterValue> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Str(s) => {
                self.next();
                let checked = match op {
                    LineMatchOp::Regex | LineMatchOp::NotRegex if self.eval_checks => {
                        validate::line_regex(&s)
                    }
                    LineMatchOp::Pattern | LineMatchOp::NotPattern => validate::line_pattern(&s),
                    _ => Ok(()),
                };
                checked.map_err(|m| self.err(pos, m))?;
                Ok(LineFilterValue::Str(s))
            }
            Tok::Func("ip") => {
                self.next();
                self.expect(&Tok::LParen, "(")?;
                let arg_pos = self.pos();
                let pattern = self.expect_str()?;
                self.expect(&Tok::RParen, ")")?;
                if self.eval_checks {
                    if !matches!(op, LineMatchOp::Contains | LineMatchOp::NotContains) {
                        return Err(self.err(pos, "ip: invalid operation: only |= and != allowed"));
                    }
                    validate::ip_pattern(&pattern).map_err(|m| self.err(arg_pos, m))?;
                }
                Ok(LineFilterValue::Ip(pattern))
            }
            _ => Err(self.unexpected("STRING")),
        }
    }

    /// One stage after `|` (the `|` consumed).
    fn stage(&mut self) -> PResult<Stage> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Keyword(Keyword::Json) => {
                self.next();
                let params = self.extractions(true)?;
                Ok(Stage::Parser(ParserStage::Json { params }))
            }
            Tok::Keyword(Keyword::Logfmt) => {
                self.next();
                let (mut strict, mut keep_empty) = (false, false);
                while let Tok::Flag(f) = self.peek().clone() {
                    self.next();
                    if f == "--strict" {
                        strict = true;
                    } else {
                        keep_empty = true;
                    }
                }
                let params = self.extractions(false)?;
                Ok(Stage::Parser(ParserStage::Logfmt {
                    strict,
                    keep_empty,
                    params,
                }))
            }
            Tok::Keyword(Keyword::Regexp) => {
                self.next();
                let arg_pos = self.pos();
                let re = self.expect_str()?;
                validate::regexp_parser(&re).map_err(|m| self.err(arg_pos, m))?;
                Ok(Stage::Parser(ParserStage::Regexp(re)))
            }
            Tok::Keyword(Keyword::Pattern) => {
                self.next();
                let arg_pos = self.pos();
                let p = self.expect_str()?;
                validate::pattern_parser(&p).map_err(|m| self.err(arg_pos, m))?;
                Ok(Stage::Parser(ParserStage::Pattern(p)))
            }
            Tok::Keyword(Keyword::Unpack) => {
                self.next();
                Ok(Stage::Parser(ParserStage::Unpack))
            }
            Tok::Keyword(Keyword::Decolorize) => {
                self.next();
                Ok(Stage::Decolorize)
            }
            Tok::Keyword(Keyword::LineFormat) => {
                self.next();
                Ok(Stage::LineFormat(self.template()?))
            }
            Tok::Keyword(Keyword::LabelFormat) => {
                self.next();
                self.label_format()
            }
            Tok::Keyword(k @ (Keyword::Drop | Keyword::Keep)) => {
                self.next();
                let ms = self.named_matchers()?;
                Ok(if k == Keyword::Drop {
                    Stage::Drop(ms)
                } else {
                    Stage::Keep(ms)
                })
            }
            Tok::Ident(_) | Tok::LParen => Ok(Stage::LabelFilter(self.label_filter()?)),
            _ => Err(self.err(
                pos,
                format!(
                    "syntax error: unexpected {} after |",
                    self.peek().describe()
                ),
            )),
        }
    }

    /// A template string, checked.
    fn template(&mut self) -> PResult<TemplateText> {
        let pos = self.pos();
        let text = self.expect_str()?;
        let parsed =
            template::parse(&text).map_err(|e| self.err(pos, format!("invalid template: {e}")))?;
        Ok(TemplateText { text, parsed })
    }

    /// `name="expr", name, ...` after json/logfmt: empty when no identifier follows.
    fn extractions(&mut self, json: bool) -> PResult<Vec<Extraction>> {
        let mut out = Vec::new();
        if !matches!(self.peek(), Tok::Ident(_)) {
            return Ok(out);
        }
        loop {
            let label = self.expect_ident()?;
            let expression = if self.eat(&Tok::Eq) {
                let pos = self.pos();
                let e = self.expect_str()?;
                if json {
                    validate::json_path(&e).map_err(|m| self.err(pos, m))?;
                }
                e
            } else {
                label.clone()
            };
            out.push(Extraction { label, expression });
            if !self.eat(&Tok::Comma) {
                return Ok(out);
            }
        }
    }

    /// `dst=src` / `dst="template"`, comma-separated; each destination once.
    fn label_format(&mut self) -> PResult<Stage> {
        let mut fmts: Vec<LabelFmt> = Vec::new();
        loop {
            let pos = self.pos();
            let dst = self.expect_ident()?;
            self.expect(&Tok::Eq, "=")?;
            let f = match self.peek().clone() {
                Tok::Ident(src) => {
                    self.next();
                    LabelFmt::Rename { dst, src }
                }
                Tok::Str(_) => LabelFmt::Template {
                    dst,
                    template: self.template()?,
                },
                _ => return Err(self.unexpected("IDENTIFIER or STRING")),
            };
            if fmts.iter().any(|o| o.dst() == f.dst()) {
                return Err(self.err(
                    pos,
                    format!("multiple label name '{}' in label_format", f.dst()),
                ));
            }
            fmts.push(f);
            if !self.eat(&Tok::Comma) {
                return Ok(Stage::LabelFormat(fmts));
            }
        }
    }

    /// `name` or `name op "value"`, comma-separated, at least one.
    fn named_matchers(&mut self) -> PResult<Vec<NamedMatcher>> {
        let mut out = Vec::new();
        loop {
            if !matches!(self.peek(), Tok::Ident(_)) {
                return Err(self.unexpected("IDENTIFIER"));
            }
            if matches!(self.peek_at(1), Tok::Eq | Tok::Neq | Tok::Re | Tok::Nre) {
                out.push(NamedMatcher::Matcher(self.matcher()?));
            } else {
                out.push(NamedMatcher::Name(self.expect_ident()?));
            }
            if !self.eat(&Tok::Comma) {
                return Ok(out);
            }
        }
    }

    /// A label filter expression: `or` binds loosest, then `and`; a `,` or juxtaposition
    /// ANDs the operand before it with everything that follows (Loki's grammar shifts there).
    ///
    /// Parsed in a loop, so that a long chain does not nest: operators of one stretch are
    /// grouped by precedence in a [`FilterGroup`], and each comma opens a new stretch whose
    /// result is ANDed with the operand before the comma when the input ends. Only
    /// parentheses recurse, within the parser's nesting limit.
    pub(super) fn label_filter(&mut self) -> PResult<LabelFilter> {
        // Stretches left open by a comma, each with the operand the comma follows.
        let mut open: Vec<(FilterGroup, LabelFilter)> = Vec::new();
        let mut group = FilterGroup::default();
        loop {
            let operand = self.label_filter_primary()?;
            if self.peek() == &Tok::Comma || matches!(self.peek(), Tok::Ident(_) | Tok::LParen) {
                self.eat(&Tok::Comma);
                open.push((std::mem::take(&mut group), operand));
                continue;
            }
            group.and.push(operand);
            match self.peek() {
                Tok::Keyword(Keyword::Or) => group.close_and(),
                Tok::Keyword(Keyword::And) => {}
                _ => break,
            }
            self.next();
        }
        let mut rest = group.finish();
        while let Some((mut group, before_comma)) = open.pop() {
            group.and.push(LabelFilter::all(vec![before_comma, rest]));
            rest = group.finish();
        }
        Ok(rest)
    }

    fn label_filter_primary(&mut self) -> PResult<LabelFilter> {
        if self.eat(&Tok::LParen) {
            let f = self.nested(Self::label_filter)?;
            self.expect(&Tok::RParen, ")")?;
            return Ok(f);
        }
        let name = self.expect_ident()?;
        let op_pos = self.pos();
        if !matches!(
            self.peek(),
            Tok::Eq
                | Tok::CmpEq
                | Tok::Neq
                | Tok::Re
                | Tok::Nre
                | Tok::Gt
                | Tok::Gte
                | Tok::Lt
                | Tok::Lte
        ) {
            return Err(self.unexpected("a comparison operator"));
        }
        let op_tok = self.next();
        let cmp = match op_tok {
            Tok::Eq | Tok::CmpEq => Some(CmpOp::Eq),
            Tok::Neq => Some(CmpOp::Ne),
            Tok::Gt => Some(CmpOp::Gt),
            Tok::Gte => Some(CmpOp::Ge),
            Tok::Lt => Some(CmpOp::Lt),
            Tok::Lte => Some(CmpOp::Le),
            _ => None,
        };
        let value_pos = self.pos();
        match (op_tok.clone(), self.peek().clone()) {
            (Tok::Eq | Tok::Neq | Tok::Re | Tok::Nre, Tok::Str(v)) => {
                self.next();
                let op = match op_tok {
                    Tok::Eq => crate::model::MatchOp::Equal,
                    Tok::Neq => crate::model::MatchOp::NotEqual,
                    Tok::Re => crate::model::MatchOp::RegexMatch,
                    _ => crate::model::MatchOp::RegexNoMatch,
                };
                let m = Matcher::new(name, op, v.as_str())
                    .map_err(|e| self.err(value_pos, validate::regex_error(&v, &e)))?;
                Ok(LabelFilter::String(m))
            }
            (Tok::Eq | Tok::Neq, Tok::Func("ip")) => {
                self.next();
                self.expect(&Tok::LParen, "(")?;
                let arg_pos = self.pos();
                let pattern = self.expect_str()?;
                self.expect(&Tok::RParen, ")")?;
                if self.eval_checks {
                    validate::ip_pattern(&pattern).map_err(|m| self.err(arg_pos, m))?;
                }
                Ok(LabelFilter::Ip {
                    name,
                    negated: op_tok == Tok::Neq,
                    pattern,
                })
            }
            (_, Tok::Duration(ns)) if cmp.is_some() => {
                self.next();
                Ok(LabelFilter::Duration {
                    name,
                    op: cmp.unwrap_or(CmpOp::Eq),
                    value: ns,
                })
            }
            (_, Tok::Bytes(b)) if cmp.is_some() => {
                self.next();
                Ok(LabelFilter::Bytes {
                    name,
                    op: cmp.unwrap_or(CmpOp::Eq),
                    value: b,
                })
            }
            (_, Tok::Number(_) | Tok::Add | Tok::Sub) if cmp.is_some() => {
                let negative = self.peek() == &Tok::Sub;
                if matches!(self.peek(), Tok::Add | Tok::Sub) {
                    self.next();
                }
                let pos = self.pos();
                let Tok::Number(text) = self.peek().clone() else {
                    return Err(self.unexpected("NUMBER"));
                };
                self.next();
                Ok(LabelFilter::Number {
                    name,
                    op: cmp.unwrap_or(CmpOp::Eq),
                    value: self.number_value(pos, &text, negative)?,
                })
            }
            (
                Tok::Gt | Tok::Gte | Tok::Lt | Tok::Lte | Tok::Re | Tok::Nre | Tok::CmpEq,
                Tok::Func("ip"),
            ) => Err(self.err(
                op_pos,
                "syntax error: unexpected ip (ip() label filters allow only = and !=)",
            )),
            _ => Err(self.unexpected("a value to compare the label with")),
        }
    }
}

/// Operands of a label filter between commas, grouped by precedence: `a and b or c` is the
/// finished `or` operand `a and b`, then `c` in the current `and` group.
#[derive(Default)]
struct FilterGroup {
    or: Vec<LabelFilter>,
    and: Vec<LabelFilter>,
}

impl FilterGroup {
    /// Ends the current `and` group at an `or`.
    fn close_and(&mut self) {
        let and = std::mem::take(&mut self.and);
        self.or.push(LabelFilter::all(and));
    }

    fn finish(mut self) -> LabelFilter {
        self.close_and();
        LabelFilter::any(self.or)
    }
}
