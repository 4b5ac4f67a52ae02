//! Reading a [`Node`] tree into typed values strictly, as Go's yaml decoders do with known
//! fields: a key the type does not have, or a value of the wrong kind, is an error naming its
//! line, and reading goes on so that one run reports every such error at once
//! (`yaml: unmarshal errors:` followed by one line each).

use super::{Kind, Node};

/// Collects the type errors of one document while its readers go on.
#[derive(Debug, Default)]
pub struct Reader {
    errors: Vec<String>,
    /// Unknown keys are skipped instead of reported (promtool's `--ignore-unknown-fields`).
    pub ignore_unknown: bool,
}

impl Reader {
    pub fn new(ignore_unknown: bool) -> Reader {
        Reader {
            errors: Vec::new(),
            ignore_unknown,
        }
    }

    /// Every error so far as Go's yaml prints them together; `None` when there was none.
    pub fn finish(self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        Some(format!(
            "yaml: unmarshal errors:\n  {}",
            self.errors.join("\n  ")
        ))
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    fn mismatch(&mut self, node: &Node, into: &str) {
        let shown = match node.scalar() {
            Some(text) => format!(" `{}`", crate::model::limits::excerpt(text)),
            None => String::new(),
        };
        self.errors.push(format!(
            "line {}: cannot unmarshal {}{shown} into {into}",
            node.line,
            node.go_tag()
        ));
    }

    /// The pairs of a mapping read as the Go struct `type_name` with the keys `known`.
    /// A null node is an empty struct. Keys outside `known` are errors unless ignored.
    pub fn fields<'n>(&mut self, node: &'n Node, type_name: &str, known: &[&str]) -> Fields<'n> {
        let pairs: &'n [(Node, Node)] = match &node.kind {
            Kind::Map(pairs) => pairs,
            Kind::Null => &[],
            _ => {
                self.mismatch(node, type_name);
                &[]
            }
        };
        if !self.ignore_unknown {
            for (key, _) in pairs {
                let name = key.scalar().unwrap_or("");
                if !known.contains(&name) {
                    self.errors.push(format!(
                        "line {}: field {name} not found in type {type_name}",
                        key.line
                    ));
                }
            }
        }
        Fields { pairs }
    }

    /// A scalar as a string (Go decodes any scalar into a string field); null is "".
    pub fn string(&mut self, node: &Node) -> String {
        match &node.kind {
            Kind::Scalar { text, .. } => text.clone(),
            Kind::Null => String::new(),
            _ => {
                self.mismatch(node, "string");
                String::new()
            }
        }
    }

    /// A mapping of strings to strings, in document order; null is empty.
    pub fn string_map(&mut self, node: &Node) -> Vec<(String, String)> {
        match &node.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .map(|(k, v)| (self.string(k), self.string(v)))
                .collect(),
            Kind::Null => Vec::new(),
            _ => {
                self.mismatch(node, "map[string]string");
                Vec::new()
            }
        }
    }

    /// The items of a sequence; null is empty.
    pub fn seq<'n>(&mut self, node: &'n Node, into: &str) -> &'n [Node] {
        match &node.kind {
            Kind::Seq(items) => items,
            Kind::Null => &[],
            _ => {
                self.mismatch(node, into);
                &[]
            }
        }
    }

    /// A sequence of strings.
    pub fn strings(&mut self, node: &Node) -> Vec<String> {
        let items = self.seq(node, "[]string");
        items.iter().map(|n| self.string(n)).collect()
    }

    /// Go's `int` from a plain scalar; null is 0.
    pub fn int(&mut self, node: &Node) -> i64 {
        match &node.kind {
            Kind::Null => 0,
            Kind::Scalar { text, .. } => match parse_go_int(text) {
                Some(n) => n,
                None => {
                    self.mismatch(node, "int");
                    0
                }
            },
            _ => {
                self.mismatch(node, "int");
                0
            }
        }
    }

    /// Go's `float64` from a scalar (`.inf`, `.nan` as YAML writes them); null is 0.
    pub fn float(&mut self, node: &Node) -> f64 {
        let parsed = match &node.kind {
            Kind::Null => return 0.0,
            Kind::Scalar { text, .. } => parse_yaml_float(text),
            _ => None,
        };
        parsed.unwrap_or_else(|| {
            self.mismatch(node, "float64");
            0.0
        })
    }

    /// Go's `bool` (`true`/`false` in YAML 1.1's spellings as Go's yaml accepts them).
    pub fn bool(&mut self, node: &Node) -> bool {
        match node.scalar() {
            Some("true" | "True" | "TRUE" | "yes" | "Yes" | "on" | "On") => true,
            Some("false" | "False" | "FALSE" | "no" | "No" | "off" | "Off") => false,
            None if node.is_null() => false,
            _ => {
                self.mismatch(node, "bool");
                false
            }
        }
    }

    /// An error of a value's own unmarshaller (a duration that does not parse...), which Go
    /// reports on its own rather than among the type errors.
    pub fn custom(&mut self, message: String) {
        self.errors.push(message);
    }
}

/// The pairs of one mapping being read as a struct.
pub struct Fields<'n> {
    pairs: &'n [(Node, Node)],
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.pairs
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| v)
    }
}

fn parse_go_int(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    t.parse::<i64>().ok()
}

/// A YAML float: decimal or exponent notation, `.inf`/`-.inf`/`.nan` in YAML's spellings.
pub fn parse_yaml_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ => {
            let ok = !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_digit() || "+-.eE_".contains(c));
            if !ok {
                return None;
            }
            text.replace('_', "").parse::<f64>().ok()
        }
    }
}
