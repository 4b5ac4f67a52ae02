//! Parsing vector selectors (`name{label="value", ...}`, `{"utf8.name"}`) and label lists
//! (`by (...)`, `on (...)`), with Prometheus' rules: at least one matcher that does not match
//! the empty string, the metric name set only once, regexes that compile, valid grouping labels.
//!
//! Expressions, modifiers and operators are in `parser.rs` and `parser_ops.rs`.

use super::ast::*;
use super::lexer::TokKind;
use super::parser::{PResult, Parser, N};
use crate::model::{MatchOp, Matcher, METRIC_NAME};

impl Parser<'_> {
    /// `name`, `name{...}` or `{...}`; the current token is the `{` or what follows the name.
    pub(super) fn vector_selector(&mut self, name: Option<String>, start: usize) -> PResult<N> {
        let allow_empty = std::mem::take(&mut self.allow_empty_selector);
        let mut matchers: Vec<Matcher> = Vec::new();
        let mut end = self.last_end().max(start);
        if self.peek().kind == TokKind::LBrace {
            self.next();
            loop {
                let t = self.peek().clone();
                match &t.kind {
                    TokKind::RBrace => {
                        end = self.next().end;
                        break;
                    }
                    TokKind::Ident => {
                        self.next();
                        let m = self.matcher_rest(t.text(self.input).to_string(), t.start)?;
                        matchers.push(m);
                    }
                    TokKind::Str(s) => {
                        self.next();
                        if matches!(
                            self.peek().kind,
                            TokKind::Assign | TokKind::Neq | TokKind::EqlRegex | TokKind::NeqRegex
                        ) {
                            let m = self.matcher_rest(s.clone(), t.start)?;
                            matchers.push(m);
                        } else {
                            matchers.push(Matcher::equal(METRIC_NAME, s.clone()));
                        }
                    }
                    _ => return Err(self.unexpected("label matching", "identifier or \"}\"")),
                }
                match self.peek().kind {
                    TokKind::Comma => {
                        self.next();
                    }
                    TokKind::RBrace => {
                        end = self.next().end;
                        break;
                    }
                    _ => return Err(self.unexpected("label matching", "\",\" or \"}\"")),
                }
            }
        }
        if let Some(name) = &name {
            if let Some(m) = matchers.iter().find(|m| m.name == METRIC_NAME) {
                return Err(self.err(
                    start,
                    format!(
                        "metric name must not be set twice: {:?} or {:?}",
                        name, m.value
                    ),
                ));
            }
            // As in Prometheus, the name matcher goes last.
            matchers.push(Matcher::equal(METRIC_NAME, name.clone()));
        }
        if matchers.iter().all(|m| m.matches_empty()) {
            if allow_empty {
                self.empty_selector_at = Some(start);
            } else {
                return Err(self.err(
                    start,
                    "vector selector must contain at least one non-empty matcher",
                ));
            }
        }
        Ok(N::new(
            Expr::VectorSelector(VectorSelector {
                name,
                matchers,
                offset: 0,
                at: None,
                pos: PosRange { start, end },
                offset_expr: None,
                anchored: false,
                smoothed: false,
            }),
            PosRange { start, end },
        ))
    }

    /// The operator and value of a matcher whose label name was just read.
    fn matcher_rest(&mut self, name: String, start: usize) -> PResult<Matcher> {
        let op = match self.peek().kind {
            TokKind::Assign => MatchOp::Equal,
            TokKind::Neq => MatchOp::NotEqual,
            TokKind::EqlRegex => MatchOp::RegexMatch,
            TokKind::NeqRegex => MatchOp::RegexNoMatch,
            _ => return Err(self.unexpected("label matching", "label matching operator")),
        };
        self.next();
        let TokKind::Str(value) = self.peek().kind.clone() else {
            return Err(self.unexpected("label matching", "string"));
        };
        self.next();
        Matcher::new(name, op, value.clone()).map_err(|e| {
            let detail = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            self.err(
                start,
                format!("invalid regular expression {value:?} in label matcher: {detail}"),
            )
        })
    }

    /// `( label, ... )` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    pub(super) fn grouping_labels(&mut self) -> PResult<Vec<String>> {
        if self.peek().kind != TokKind::LParen {
            return Err(self.unexpected("grouping opts", "\"(\""));
        }
        self.next();
        let mut labels = Vec::new();
        loop {
            let t = self.peek().clone();
            let text = t.text(self.input);
            match &t.kind {
                TokKind::RParen => {
                    self.next();
                    break;
                }
                TokKind::Ident | TokKind::MetricIdent => {
                    if !crate::model::labels::is_valid_label_name(text) {
                        return Err(self.err(
                            t.start,
                            format!("invalid label name for grouping: {text:?}"),
                        ));
                    }
                    labels.push(text.to_string());
                }
                // `Inf` and `NaN` are lexed as numbers but are fine label names.
                TokKind::Number if text.bytes().all(|c| c.is_ascii_alphabetic()) => {
                    labels.push(text.to_string())
                }
                TokKind::Str(s) => {
                    if s.is_empty() {
                        return Err(self.err(t.start, "invalid label name for grouping: \"\""));
                    }
                    labels.push(s.clone());
                }
                _ => return Err(self.unexpected("grouping opts", "label")),
            }
            self.next();
            match self.peek().kind {
                TokKind::Comma => {
                    self.next();
                }
                TokKind::RParen => {
                    self.next();
                    break;
                }
                _ => return Err(self.unexpected("grouping opts", "\",\" or \")\"")),
            }
        }
        Ok(labels)
    }
}
