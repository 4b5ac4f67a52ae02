//! `| json` (every field, nested objects flattened) and `| json a="path", ...` (the values at
//! the given paths).

use super::jsonscan::{each_key, object_each, unescape, JsonError, Kind, Value};
use super::sanitize::{append_sanitized, sanitized};
use super::{Absent, ExtractError, Sink};
use crate::logql::ast::Extraction;
use crate::logql::validate::{json_path_parts, JsonPathPart};
use crate::model::labels::is_valid_label_name;
use std::borrow::Cow;

/// `| json`: every string, number and boolean field of the line's top-level object. Nested
/// objects flatten with `_` (`{"a":{"b":1}}` gives `a_b`); arrays and nulls are dropped;
/// numbers keep their text as written. A line that is not a well-formed object fails with
/// [`JSON_PARSER_ERR`](super::JSON_PARSER_ERR) and the scanner's explanation; fields before
/// the fault have been sent. Text after the object's closing brace is ignored.
pub fn json_all(line: &str, sink: &mut dyn Sink) -> Result<(), ExtractError> {
    let mut walker = Flattener {
        sink,
        prefix: String::new(),
        name: String::new(),
    };
    walker
        .object(line)
        .map_err(|e| ExtractError::json(e.message()))
}

/// Walks an object for [`json_all`], building flattened names in reused buffers.
struct Flattener<'s> {
    sink: &'s mut dyn Sink,
    /// The sanitized names of the enclosing objects, joined with `_`.
    prefix: String,
    name: String,
}

impl Flattener<'_> {
    fn object(&mut self, data: &str) -> Result<(), JsonError> {
        object_each(data, &mut |key, value| self.field(&key, value))
    }

    fn field(&mut self, key: &str, value: Value<'_>) -> Result<(), JsonError> {
        match value.kind {
            Kind::String | Kind::Number | Kind::Boolean => {
                self.leaf(key, &leaf_text(value));
                Ok(())
            }
            Kind::Object => self.nested(key, value.raw),
            Kind::Array | Kind::Null => Ok(()),
        }
    }

    fn nested(&mut self, key: &str, object: &str) -> Result<(), JsonError> {
        let outer = self.prefix.len();
        if !self.prefix.is_empty() {
            self.prefix.push('_');
        }
        append_sanitized(&mut self.prefix, key);
        let result = self.object(object);
        self.prefix.truncate(outer);
        result
    }

    fn leaf(&mut self, key: &str, value: &str) {
        if self.prefix.is_empty() {
            // A top-level key (or one under objects whose keys were blank).
            let name = sanitized(key, &mut self.name);
            self.sink.add(name, value);
        } else {
            self.name.clear();
            self.name.push_str(&self.prefix);
            self.name.push('_');
            append_sanitized(&mut self.name, key);
            self.sink.add(&self.name, value);
        }
    }
}

/// The label value of a string, number or boolean field.
fn leaf_text(value: Value<'_>) -> Cow<'_, str> {
    match value.kind {
        Kind::String => unescape_value(value.raw),
        _ => Cow::Borrowed(value.raw),
    }
}

/// A JSON string's text as Loki stores it in a label: unescaped, "" when an escape is invalid,
/// and each U+FFFD (which Prometheus rejects) replaced by a space.
pub(super) fn unescape_value(raw: &str) -> Cow<'_, str> {
    match unescape(raw) {
        Ok(text) if text.contains('\u{FFFD}') => Cow::Owned(text.replace('\u{FFFD}', " ")),
        Ok(text) => text,
        Err(_) => Cow::Borrowed(""),
    }
}

/// `| json a="path", ...`: the label names and their paths, compiled once.
#[derive(Clone, Debug)]
pub struct JsonExpressions {
    labels: Vec<String>,
    /// Each path as jsonparser steps: object keys, and array indexes written `[n]`.
    paths: Vec<Vec<String>>,
}

impl JsonExpressions {
    /// Compiles the parameters. Fails, with Loki's wording, on a label name that is not a
    /// valid label name or a path that does not parse.
    pub fn new(params: &[Extraction]) -> Result<JsonExpressions, String> {
        let mut labels = Vec::with_capacity(params.len());
        let mut paths = Vec::with_capacity(params.len());
        for p in params {
            let parts = json_path_parts(&p.expression)
                .map_err(|e| format!("cannot parse expression [{}]: {e}", p.expression))?;
            if !is_valid_label_name(&p.label) {
                return Err(format!("invalid extracted label name '{}'", p.label));
            }
            labels.push(p.label.clone());
            paths.push(parts.into_iter().map(path_step).collect());
        }
        Ok(JsonExpressions { labels, paths })
    }

    /// Sends each parameter's value, in the order the paths occur in the line, then reports
    /// the parameters that matched nothing as [`Absent::UnlessAnyLabel`]. A path is read at its
    /// first occurrence. Values: strings unescaped, numbers and booleans as written, null as
    /// "", objects as their raw JSON text, arrays as their JSON text with escapes decoded (as
    /// Loki does).
    ///
    /// An empty line gives nothing. A line not starting with `{`, `[` or `"` fails with no
    /// details and reports nothing. A value the scanner cannot read fails the line, but the
    /// other parameters are still sent. Otherwise malformed JSON is not an error: the scan
    /// just stops.
    pub fn extract(&self, line: &str, sink: &mut dyn Sink) -> Result<(), ExtractError> {
        let Some(&first) = line.as_bytes().first() else {
            return Ok(());
        };
        if !matches!(first, b'{' | b'[' | b'"') {
            return Err(ExtractError::json(""));
        }
        let mut found = vec![false; self.labels.len()];
        let mut error = None;
        each_key(line, &self.paths, &mut |idx, value| match (idx, value) {
            (Some(i), Ok(v)) => {
                found[i] = true;
                sink.add(&self.labels[i], &expression_text(v));
            }
            (_, Err(e)) => error = Some(e),
            (None, Ok(_)) => {}
        });
        for (label, _) in self.labels.iter().zip(&found).filter(|(_, f)| !**f) {
            sink.absent(label, Absent::UnlessAnyLabel);
        }
        error.map_or(Ok(()), |e| Err(ExtractError::json(e.message())))
    }
}

/// A path step as jsonparser takes it.
fn path_step(part: JsonPathPart) -> String {
    match part {
        JsonPathPart::Field(f) => f,
        JsonPathPart::Index(i) => format!("[{i}]"),
    }
}

/// The label value of a parameter's match.
fn expression_text(value: Value<'_>) -> Cow<'_, str> {
    match value.kind {
        Kind::Null => Cow::Borrowed(""),
        Kind::Object => Cow::Borrowed(value.raw),
        _ => unescape_value(value.raw),
    }
}
