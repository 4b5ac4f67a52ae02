//! `| json` (every field, nested objects flattened) and `| json a="path", ...` (the values at
//! the given paths).

use super::jsonscan::{each_key, unescape, Kind, ObjectFields, Value};
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
///
/// Objects may nest as deeply as the line allows, as in Loki: they are walked with a list of
/// cursors, one per enclosing object, not by recursion, which a stored line nested thousands
/// deep would turn into a stack overflow.
pub fn json_all(line: &str, sink: &mut dyn Sink) -> Result<(), ExtractError> {
    let mut names = FlatNames::default();
    // The objects being walked, innermost last, each with the prefix length outside it.
    let mut open = vec![(ObjectFields::new(line), 0)];
    while let Some((fields, _)) = open.last_mut() {
        let field = fields
            .next_field()
            .map_err(|e| ExtractError::json(e.message()))?;
        let Some((key, value)) = field else {
            if let Some((_, outer)) = open.pop() {
                names.prefix.truncate(outer);
            }
            continue;
        };
        match value.kind {
            Kind::String | Kind::Number | Kind::Boolean => {
                sink.add(names.leaf(&key), &leaf_text(value));
            }
            Kind::Object => {
                let outer = names.enter(&key);
                open.push((ObjectFields::new(value.raw), outer));
            }
            Kind::Array | Kind::Null => {}
        }
    }
    Ok(())
}

/// The flattened names of [`json_all`], built in reused buffers.
#[derive(Default)]
struct FlatNames {
    /// The sanitized names of the enclosing objects, joined with `_`.
    prefix: String,
    name: String,
}

impl FlatNames {
    /// Extends the prefix with an object's key; returns the length to restore on leaving it.
    fn enter(&mut self, key: &str) -> usize {
        let outer = self.prefix.len();
        if !self.prefix.is_empty() {
            self.prefix.push('_');
        }
        append_sanitized(&mut self.prefix, key);
        outer
    }

    /// The label name of a field in the current object.
    fn leaf<'k>(&'k mut self, key: &'k str) -> &'k str {
        if self.prefix.is_empty() {
            // A top-level key (or one under objects whose keys were blank).
            return sanitized(key, &mut self.name);
        }
        self.name.clear();
        self.name.push_str(&self.prefix);
        self.name.push('_');
        append_sanitized(&mut self.name, key);
        &self.name
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
