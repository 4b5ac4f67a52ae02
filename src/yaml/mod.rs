//! YAML documents as trees of nodes that know their line and column, for the configuration
//! files whose errors must say where they are: rule files, promtool's unit-test files, and
//! later Alertmanager's configuration.
//!
//! Prometheus reads these files with Go's yaml packages in strict mode and names the line (and
//! for rules, the column) of what is wrong: `7:15: group "g", rule 1, "x": could not parse
//! expression`, `line 7: field namespace not found in type rulefmt.RuleGroup`. serde keeps no
//! positions for values, so argus builds its own small tree from the events of a YAML parser
//! (`saphyr-parser`) and reads it with the helpers in [`read`], which phrase their complaints
//! as Go's yaml does.
//!
//! Only the first document of a stream is read, as Go's decoder does. Anchors and aliases are
//! resolved by copying the anchored node. A key repeated in one mapping is an error.

pub mod read;

use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// One node of a document, with where it starts (both 1-based, as Go's yaml reports them).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub line: usize,
    pub col: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `null`, `~`, or nothing at all (`key:` with no value).
    Null,
    /// Any scalar, with its text as written (after YAML's unquoting and folding). Whether
    /// it was quoted matters to the readers: a quoted `"5"` is a string, a plain `5` an int.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Pairs in document order.
    Map(Vec<(Node, Node)>),
}

/// A document that is not YAML, with its position.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("yaml: line {line}: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Parses the first document of `text`; `None` for an empty stream (no document, or a
/// document holding only comments).
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
    };
    builder.document()
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, usize, usize)>, SyntaxError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok((event, span))) => Ok(Some((event, span.start.line(), span.start.col() + 1))),
            Some(Err(e)) => Err(SyntaxError {
                line: e.marker().line(),
                col: e.marker().col() + 1,
                message: e.info().to_string(),
            }),
        }
    }

    fn document(&mut self) -> Result<Option<Node>, SyntaxError> {
        loop {
            match self.next()? {
                None | Some((Event::StreamEnd, ..)) => return Ok(None),
                Some((Event::DocumentStart(_), ..)) => break,
                Some(_) => continue,
            }
        }
        match self.next()? {
            None | Some((Event::DocumentEnd, ..)) | Some((Event::StreamEnd, ..)) => Ok(None),
            Some((event, line, col)) => self.node(event, line, col, 0).map(Some),
        }
    }

    fn node(
        &mut self,
        event: Event<'a>,
        line: usize,
        col: usize,
        depth: usize,
    ) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError {
                line,
                col,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        let (kind, anchor) = match event {
            Event::Scalar(text, style, anchor, _) => {
                let quoted = style != ScalarStyle::Plain;
                let null = !quoted && matches!(&*text, "" | "~" | "null" | "Null" | "NULL");
                let kind = if null {
                    Kind::Null
                } else {
                    Kind::Scalar {
                        text: text.into_owned(),
                        quoted,
                    }
                };
                (kind, anchor)
            }
            Event::Alias(id) => {
                return self.anchors.get(&id).cloned().ok_or(SyntaxError {
                    line,
                    col,
                    message: "unknown anchor".to_string(),
                })
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Some((Event::SequenceEnd, ..)) => break,
                        Some((e, l, c)) => items.push(self.node(e, l, c, depth + 1)?),
                        None => return Err(unexpected_end(line, col)),
                    }
                }
                (Kind::Seq(items), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut pairs: Vec<(Node, Node)> = Vec::new();
                loop {
                    let key = match self.next()? {
                        Some((Event::MappingEnd, ..)) => break,
                        Some((e, l, c)) => self.node(e, l, c, depth + 1)?,
                        None => return Err(unexpected_end(line, col)),
                    };
                    let value = match self.next()? {
                        Some((e, l, c)) => self.node(e, l, c, depth + 1)?,
                        None => return Err(unexpected_end(line, col)),
                    };
                    if let Some(text) = key.scalar() {
                        if let Some((earlier, _)) =
                            pairs.iter().find(|(k, _)| k.scalar() == Some(text))
                        {
                            return Err(SyntaxError {
                                line: key.line,
                                col: key.col,
                                message: format!(
                                    "mapping key {text:?} already defined at line {}",
                                    earlier.line
                                ),
                            });
                        }
                    }
                    pairs.push((key, value));
                }
                (Kind::Map(pairs), anchor)
            }
            other => {
                return Err(SyntaxError {
                    line,
                    col,
                    message: format!("unexpected {other:?}"),
                })
            }
        };
        let node = Node { kind, line, col };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

fn unexpected_end(line: usize, col: usize) -> SyntaxError {
    SyntaxError {
        line,
        col,
        message: "unexpected end of the document".to_string(),
    }
}

impl Node {
    /// The text of a scalar (quoted or not); `None` for null, sequences and mappings.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.kind == Kind::Null
    }

    /// How Go's yaml names this node's kind in "cannot unmarshal" errors.
    pub fn go_tag(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "!!null",
            Kind::Seq(_) => "!!seq",
            Kind::Map(_) => "!!map",
            Kind::Scalar { quoted: true, .. } => "!!str",
            Kind::Scalar { text, .. } => {
                if text.parse::<i64>().is_ok() {
                    "!!int"
                } else if text.parse::<f64>().is_ok() {
                    "!!float"
                } else if matches!(text.as_str(), "true" | "false" | "True" | "False") {
                    "!!bool"
                } else {
                    "!!str"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
