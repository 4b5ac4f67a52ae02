//! The LogQL parser, log level: stream selectors, log queries and log ranges (the argument of
//! a range aggregation), with every placement Loki's grammar allows for `[range]`, `offset` and
//! `| unwrap`: after the pipeline (`{a="b"} |= "x" [5m]`), before it (`{a="b"}[5m] |= "x"`),
//! or around a parenthesised query (`({a="b"} |= "x")[5m]`).
//!
//! Also the selector check Loki runs in `ParseExpr`: some matcher must not match the empty
//! string. The stages themselves are parsed in `parser_pipeline.rs`.

use super::ast::*;
use super::lexer::{Keyword, Tok};
use super::parser::{PResult, Parser};
use super::validate::regex_error;
use crate::model::{MatchOp, Matcher};

impl Parser<'_> {
    /// `{matchers}` then pipeline stages (no unwrap), or a parenthesised log query.
    pub(super) fn log_expr(&mut self) -> PResult<LogExpr> {
        if self.eat(&Tok::LParen) {
            let e = self.nested(Self::log_expr)?;
            self.expect(&Tok::RParen, ")")?;
            return Ok(e);
        }
        let selector = self.selector()?;
        let (pipeline, unwrap) = self.pipeline(false)?;
        debug_assert!(unwrap.is_none());
        Ok(LogExpr { selector, pipeline })
    }

    /// `{name op "value", ...}`, validated.
    pub(super) fn selector(&mut self) -> PResult<Vec<Matcher>> {
        let start = self.pos();
        self.expect(&Tok::LBrace, "{")?;
        let mut ms = Vec::new();
        if !self.eat(&Tok::RBrace) {
            loop {
                ms.push(self.matcher()?);
                if self.eat(&Tok::RBrace) {
                    break;
                }
                self.expect(&Tok::Comma, ", or }")?;
            }
        }
        if ms.iter().all(|m| m.matches_empty()) {
            return Err(self.err(
                start,
                "queries require at least one regexp or equality matcher that does not have an \
                 empty-compatible value. For instance, app=~\".*\" does not meet this \
                 requirement, but app=~\".+\" will",
            ));
        }
        Ok(ms)
    }

    /// `name op "value"` with a compiled (anchored) regex for `=~` / `!~`.
    pub(super) fn matcher(&mut self) -> PResult<Matcher> {
        let name = self.expect_ident()?;
        let op = self
            .match_op()
            .ok_or_else(|| self.unexpected("=, !=, =~ or !~"))?;
        self.next();
        let value_pos = self.pos();
        let value = self.expect_str()?;
        match Matcher::new(name, op, value.as_str()) {
            Ok(m) => Ok(m),
            Err(e) => Err(self.err(value_pos, regex_error(&value, &e))),
        }
    }

    /// The current token as a matcher operator, without consuming it.
    pub(super) fn match_op(&self) -> Option<MatchOp> {
        Some(match self.peek() {
            Tok::Eq => MatchOp::Equal,
            Tok::Neq => MatchOp::NotEqual,
            Tok::Re => MatchOp::RegexMatch,
            Tok::Nre => MatchOp::RegexNoMatch,
            _ => return None,
        })
    }

    /// A log range: the argument of a range aggregation (after its optional parameter).
    pub(super) fn log_range(&mut self) -> PResult<LogRange> {
        if self.eat(&Tok::LParen) {
            if self.peek() == &Tok::LParen {
                // `( logrange )`
                let r = self.nested(Self::log_range)?;
                self.expect(&Tok::RParen, ")")?;
                return Ok(r);
            }
            let selector = self.selector()?;
            let (pipeline, unwrap) = self.pipeline(true)?;
            if matches!(self.peek(), Tok::Range(_)) {
                // `( selector ... [range] ... )`: a whole log range in parentheses.
                let r = self.range_tail(selector, pipeline, unwrap)?;
                self.expect(&Tok::RParen, ")")?;
                return Ok(r);
            }
            self.expect(&Tok::RParen, ") or RANGE")?;
            let range = self.range()?;
            let offset = self.offset()?;
            let mut unwrap = unwrap;
            if pipeline.is_empty() && unwrap.is_none() && self.peek() == &Tok::Pipe {
                unwrap = Some(self.unwrap_stage()?);
            }
            return Ok(LogRange {
                log: LogExpr { selector, pipeline },
                range,
                offset,
                unwrap,
            });
        }
        let selector = self.selector()?;
        let (pipeline, unwrap) = self.pipeline(true)?;
        self.range_tail(selector, pipeline, unwrap)
    }

    /// From `[range]` on: offset, then (when nothing came before the range) the pipeline.
    fn range_tail(
        &mut self,
        selector: Vec<Matcher>,
        pipeline: Vec<Stage>,
        unwrap: Option<Unwrap>,
    ) -> PResult<LogRange> {
        let range = self.range()?;
        let offset = self.offset()?;
        let (pipeline, unwrap) = if pipeline.is_empty() && unwrap.is_none() {
            self.pipeline(true)?
        } else {
            (pipeline, unwrap)
        };
        Ok(LogRange {
            log: LogExpr { selector, pipeline },
            range,
            offset,
            unwrap,
        })
    }

    fn range(&mut self) -> PResult<Nanos> {
        match self.peek() {
            Tok::Range(ns) => {
                let ns = *ns;
                self.next();
                Ok(ns)
            }
            _ => Err(self.unexpected("RANGE")),
        }
    }

    /// `offset <duration>`, or 0.
    fn offset(&mut self) -> PResult<Nanos> {
        if !self.eat_keyword(Keyword::Offset) {
            return Ok(0);
        }
        match self.peek() {
            Tok::Duration(ns) => {
                let ns = *ns;
                self.next();
                Ok(ns)
            }
            _ => Err(self.unexpected("DURATION")),
        }
    }

    /// `| unwrap [conv(]label[)]` and the `| labelfilter` stages after it; the current token is
    /// the `|`.
    pub(super) fn unwrap_stage(&mut self) -> PResult<Unwrap> {
        self.expect(&Tok::Pipe, "|")?;
        if !self.eat_keyword(Keyword::Unwrap) {
            return Err(self.unexpected("unwrap"));
        }
        let (label, conversion) = match self.peek().clone() {
            Tok::Func(f @ ("bytes" | "duration" | "duration_seconds")) => {
                self.next();
                self.expect(&Tok::LParen, "(")?;
                let label = self.expect_ident()?;
                self.expect(&Tok::RParen, ")")?;
                let conv = match f {
                    "bytes" => Conversion::Bytes,
                    "duration" => Conversion::Duration,
                    _ => Conversion::DurationSeconds,
                };
                (label, conv)
            }
            Tok::Ident(label) => {
                self.next();
                (label, Conversion::Float)
            }
            _ => return Err(self.unexpected("IDENTIFIER")),
        };
        let mut post_filters = Vec::new();
        while self.peek() == &Tok::Pipe {
            if !matches!(self.peek_at(1), Tok::Ident(_) | Tok::LParen) {
                return Err(self.err(
                    self.pos(),
                    "syntax error: only label filters are allowed after unwrap",
                ));
            }
            self.next();
            post_filters.push(self.label_filter()?);
        }
        Ok(Unwrap {
            label,
            conversion,
            post_filters,
        })
    }
}
