//! `| unpack`: reverses Promtail's `pack` stage, whose lines are a JSON object of the original
//! labels plus the original line under `_entry`.

use super::json::unescape_value;
use super::jsonscan::{object_each, unescape, JsonError, Kind};
use super::sanitize::sanitized;
use super::{ExtractError, Sink, PACKED_ENTRY_KEY};
use std::borrow::Cow;

/// Loki's message for a line that does not start with `{`.
const NOT_AN_OBJECT: &str = "expecting json object(6), but it is not";

/// Unpacks a line. When the object has a string `_entry`, sends its other string fields as
/// labels (names sanitized, values unescaped; other types are skipped) and returns the
/// unescaped entry, which replaces the line (the last `_entry` wins). Without `_entry` it
/// sends nothing and returns `None`: the line and labels stay as they are. An empty line gives
/// `None`.
///
/// A line not starting with `{` (whitespace included), a malformed object or an invalid
/// escape in `_entry` fails with [`JSON_PARSER_ERR`](super::JSON_PARSER_ERR); nothing is sent
/// and the line stays.
pub fn unpack<'a>(
    line: &'a str,
    sink: &mut dyn Sink,
) -> Result<Option<Cow<'a, str>>, ExtractError> {
    let Some(&first) = line.as_bytes().first() else {
        return Ok(None);
    };
    if first != b'{' {
        return Err(ExtractError::json(NOT_AN_OBJECT));
    }
    // First pass: validate the whole object and find the entry, so that nothing is sent for
    // a line that fails or has no entry (Loki buffers the labels for the same reason).
    let Some(entry) = find_entry(line).map_err(|e| ExtractError::json(e.message()))? else {
        return Ok(None);
    };
    let mut name_buf = String::new();
    // The first pass succeeded on the same text, so this one cannot fail.
    let _ = object_each(line, &mut |key, value| {
        if value.kind == Kind::String && key != PACKED_ENTRY_KEY {
            let name = sanitized(&key, &mut name_buf);
            sink.add(name, &unescape_value(value.raw));
        }
        Ok(())
    });
    Ok(Some(entry))
}

/// The unescaped value of the last string `_entry`, if any.
fn find_entry(line: &str) -> Result<Option<Cow<'_, str>>, JsonError> {
    let mut entry = None;
    object_each(line, &mut |key, value| {
        if value.kind == Kind::String && key == PACKED_ENTRY_KEY {
            entry = Some(unescape(value.raw)?);
        }
        Ok(())
    })?;
    Ok(entry)
}
