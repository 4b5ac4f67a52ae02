//! The streaming, line-at-a-time parser of Prometheus text 0.0.4 and OpenMetrics 1.0 text.
//!
//! It owns the grammar of one line of each format and the little state that spans lines (the
//! metadata of the family being described, whether `# EOF` was seen). It does not read input,
//! decompress, or decide the format (`format_from_content_type` does that), and it keeps no
//! samples: memory stays constant however long the input.
//!
//! Strictness follows Prometheus 2.42's own parsers. The text format is forgiving about blanks
//! (spaces and tabs anywhere between tokens, blank lines, free comments, a trailing comma in a
//! label set). OpenMetrics is not: single spaces only, no blank lines or free comments, `# EOF`
//! last, exemplars only on `_total` and `_bucket` samples, `UNIT` a suffix of the name. On top
//! of what Prometheus checks, a label name repeated within one sample is an error here, because
//! the series identity would otherwise depend on which copy wins.
//!
//! Label names and values longer than `model::limits` allows are errors at the line that
//! carries them, for scrapes and ingest alike, and messages quote at most an excerpt of an
//! offending token.
//!
//! Being line-oriented, the parser does not accept a raw newline inside a quoted label value,
//! which Prometheus' text-format lexer tolerates; exporters escape it as `\n` anyway.
//!
//! OpenMetrics `_created` samples are ordinary series, as in Prometheus 2.42, and metadata
//! names the family as the `TYPE` line does (`foo` for a counter whose samples are
//! `foo_total`); `family_of` maps sample names back to families.

use super::cursor::{parse_float, parse_om_timestamp, quoted, Cursor, LineError};
use super::{Entry, ExpoSample, Format, ParseError};
use crate::model::limits::{check_label_size, excerpt};
use crate::model::{Labels, MetricMetadata, MetricType, METRIC_NAME};

/// Streaming parser: feed lines one at a time (without the newline).
///
/// Metadata is delivered as soon as a `HELP`, `TYPE` or `UNIT` line is read, as an
/// [`Entry::Metadata`] that merges every metadata line seen so far for the same family in the
/// same block. The last one delivered for a family is therefore the complete one: consumers
/// either upsert by `metric`, or (as `ingest` does) keep the latest and pass it on when the
/// name changes. One entry per line keeps the parser streaming with no lookahead.
#[derive(Debug)]
pub struct Parser {
    format: Format,
    meta: Option<MetricMetadata>,
    /// The line on which `# EOF` was read (OpenMetrics).
    eof_line: Option<usize>,
    last_line: usize,
    /// The series text (`name{labels}` as written) of the last sample line and its parsed
    /// labels. Backfill files repeat one series line after line; when a line starts with the
    /// same text, parsing it again would give the same labels, so they are reused (a
    /// reference-count increment instead of unescaping and allocating every label).
    cache_text: String,
    cache_labels: Labels,
}

impl Parser {
    pub fn new(format: Format) -> Parser {
        Parser {
            format,
            meta: None,
            eof_line: None,
            last_line: 0,
            cache_text: String::new(),
            cache_labels: Labels::new(),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Parses one line. `line_no` (1-based) is only used in errors. Comments, blank lines and
    /// `# EOF` give `None`.
    pub fn feed_line(&mut self, line: &str, line_no: usize) -> Result<Option<Entry>, ParseError> {
        self.last_line = line_no;
        let res = match self.format {
            Format::PrometheusText => self.text_line(line.strip_suffix('\r').unwrap_or(line)),
            Format::OpenMetrics => self.om_line(line),
        };
        res.map_err(|e| ParseError::from_line_error(line, line_no, e))
    }

    /// Like [`Parser::feed_line`] for raw bytes (a scrape body): a line that is not UTF-8 is
    /// an error located at the first bad byte, as Prometheus rejects such label values.
    pub fn feed_bytes(&mut self, line: &[u8], line_no: usize) -> Result<Option<Entry>, ParseError> {
        match std::str::from_utf8(line) {
            Ok(s) => self.feed_line(s, line_no),
            Err(e) => {
                self.last_line = line_no;
                let valid = &line[..e.valid_up_to()];
                Err(ParseError {
                    line: line_no,
                    column: String::from_utf8_lossy(valid).chars().count() + 1,
                    message: "invalid UTF-8".to_string(),
                })
            }
        }
    }

    /// Ends the input. For OpenMetrics it is an error when `# EOF` was never read. Metadata has
    /// already been delivered line by line, so the list is currently always empty; it exists so
    /// that a future format with trailing state needs no API change.
    pub fn finish(&mut self) -> Result<Vec<Entry>, ParseError> {
        if self.format == Format::OpenMetrics && self.eof_line.is_none() {
            return Err(ParseError {
                line: self.last_line + 1,
                column: 1,
                message:
                    "data does not end with \"# EOF\" (OpenMetrics requires it as the last line; \
                          the input may be truncated)"
                        .to_string(),
            });
        }
        Ok(Vec::new())
    }

    /// Merges one metadata line into the current family's metadata and returns the result.
    fn metadata(&mut self, name: &str, set: impl FnOnce(&mut MetricMetadata)) -> Option<Entry> {
        if self.meta.as_ref().map(|m| m.metric != name).unwrap_or(true) {
            self.meta = None;
        }
        let m = self.meta.get_or_insert_with(|| MetricMetadata {
            metric: name.to_string(),
            ..MetricMetadata::default()
        });
        set(m);
        Some(Entry::Metadata(m.clone()))
    }

    // ---- Prometheus text 0.0.4 -------------------------------------------------------------

    /// The cached labels when `line[start..]` begins with the cached series text followed by
    /// a character for which the full parse would have stopped at the same place.
    fn cached_series(
        &self,
        line: &str,
        start: usize,
        ok_next: impl Fn(char) -> bool,
    ) -> Option<usize> {
        if self.cache_text.is_empty() {
            return None;
        }
        let rest = line[start..].strip_prefix(self.cache_text.as_str())?;
        let next = rest.chars().next()?;
        ok_next(next).then_some(start + self.cache_text.len())
    }

    fn text_line(&mut self, line: &str) -> Result<Option<Entry>, LineError> {
        let mut c = Cursor::new(line);
        c.skip_blanks();
        if c.at_end() {
            return Ok(None);
        }
        if c.eat('#') {
            return self.text_comment(&mut c);
        }
        let start = c.pos;
        // The cached text ends where the value began, after any blanks; a further blank or a
        // '{' would have changed how the full parse reads the line.
        let labels = match self.cached_series(line, start, |ch| !matches!(ch, ' ' | '\t' | '{')) {
            Some(end) => {
                c.pos = end;
                self.cache_labels.clone()
            }
            None => {
                let name = c.metric_name().ok_or_else(|| {
                    LineError::new(
                        c.pos,
                        format!(
                            "expected a metric name, a '#' comment or an empty line, found {}",
                            c.found()
                        ),
                    )
                })?;
                c.skip_blanks();
                let mut pairs = vec![name_pair(start, name)?];
                if c.eat('{') {
                    text_labels(&mut c, &mut pairs)?;
                    c.skip_blanks();
                }
                let labels = Labels::from_pairs(pairs);
                self.cache_text.clear();
                self.cache_text.push_str(&line[start..c.pos]);
                self.cache_labels = labels.clone();
                labels
            }
        };
        let vpos = c.pos;
        let vtok = c.take_while(|ch| !matches!(ch, ' ' | '\t' | '{'));
        if vtok.is_empty() {
            return Err(LineError::new(
                vpos,
                format!(
                    "expected a sample value after {}, found {}",
                    excerpt(&labels.to_string()),
                    c.found()
                ),
            ));
        }
        let value = parse_float(vtok).map_err(|m| LineError::new(vpos, m))?;
        c.skip_blanks();
        let mut timestamp = None;
        if !c.at_end() {
            let tpos = c.pos;
            let ttok = c.take_while(|ch| !matches!(ch, ' ' | '\t'));
            let digits = ttok.strip_prefix('-').unwrap_or(ttok);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(LineError::new(
                    tpos,
                    format!(
                        "invalid timestamp {}: expected integer milliseconds since the epoch \
                         or the end of the line",
                        quoted(ttok)
                    ),
                ));
            }
            let t: i64 = ttok.parse().map_err(|_| {
                LineError::new(tpos, format!("timestamp {} is out of range", quoted(ttok)))
            })?;
            timestamp = Some(t);
            c.skip_blanks();
            if !c.at_end() {
                return Err(LineError::new(
                    c.pos,
                    format!(
                        "expected end of line after the timestamp, found {}",
                        c.found()
                    ),
                ));
            }
        }
        Ok(Some(Entry::Sample(ExpoSample {
            labels,
            timestamp,
            value,
        })))
    }

    /// After the `#` of a text-format line: `HELP` and `TYPE` are metadata, anything else is a
    /// comment (as in Prometheus, `# HELP` without a following blank is a comment too).
    fn text_comment(&mut self, c: &mut Cursor<'_>) -> Result<Option<Entry>, LineError> {
        if !c.skip_blanks() {
            return Ok(None);
        }
        let is_help = if c.eat_str("HELP") {
            true
        } else if c.eat_str("TYPE") {
            false
        } else {
            return Ok(None);
        };
        if !c.skip_blanks() {
            return Ok(None);
        }
        let kw = if is_help { "HELP" } else { "TYPE" };
        let name = c.metric_name().ok_or_else(|| {
            LineError::new(
                c.pos,
                format!("expected metric name after {kw}, found {}", c.found()),
            )
        })?;
        if is_help {
            // The help text starts after the single blank that follows the name.
            let text = match c.peek() {
                None => "",
                Some(' ' | '\t') => &c.rest()[1..],
                Some(_) => {
                    return Err(LineError::new(
                        c.pos,
                        format!(
                            "expected a space and the help text after metric name {}, found {}",
                            quoted(name),
                            c.found()
                        ),
                    ))
                }
            };
            let help = unescape_help(text, false);
            return Ok(self.metadata(name, |m| m.help = help));
        }
        c.skip_blanks();
        let tpos = c.pos;
        let t = c.rest().trim_end_matches([' ', '\t']);
        let kind = match t {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            "untyped" => MetricType::Unknown,
            _ => {
                return Err(LineError::new(
                    tpos,
                    format!(
                        "invalid metric type {}: expected counter, gauge, histogram, summary \
                         or untyped",
                        quoted(t)
                    ),
                ))
            }
        };
        Ok(self.metadata(name, |m| m.kind = kind))
    }

    // ---- OpenMetrics 1.0 -------------------------------------------------------------------

    fn om_line(&mut self, line: &str) -> Result<Option<Entry>, LineError> {
        if let Some(eof) = self.eof_line {
            return Err(LineError::new(
                0,
                format!("unexpected data after \"# EOF\" (line {eof}); it must be the last line"),
            ));
        }
        let mut c = Cursor::new(line);
        if c.eat('#') {
            return self.om_comment(&mut c);
        }
        // The cached text ends right after the name or label set, where a single space must
        // follow; with that space the full parse would have read the same labels.
        let labels = match self.cached_series(line, 0, |ch| ch == ' ') {
            Some(end) => {
                c.pos = end;
                self.cache_labels.clone()
            }
            None => {
                let name = c.metric_name().ok_or_else(|| {
                    let hint = if c.at_end() {
                        " (OpenMetrics allows no empty lines)"
                    } else if c.peek() == Some(' ') || c.peek() == Some('\t') {
                        " (OpenMetrics allows no leading blanks)"
                    } else {
                        ""
                    };
                    LineError::new(
                        c.pos,
                        format!("expected a metric name or '#', found {}{hint}", c.found()),
                    )
                })?;
                let mut pairs = vec![name_pair(0, name)?];
                if c.eat('{') {
                    om_labels(&mut c, &mut pairs, "label")?;
                }
                let labels = Labels::from_pairs(pairs);
                if c.peek() == Some(' ') {
                    self.cache_text.clear();
                    self.cache_text.push_str(&line[..c.pos]);
                    self.cache_labels = labels.clone();
                }
                labels
            }
        };
        let name = labels.metric_name().unwrap_or_default();
        if !c.eat(' ') {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected a single space and the sample value after {}, found {}",
                    excerpt(&labels.to_string()),
                    c.found()
                ),
            ));
        }
        let vpos = c.pos;
        let vtok = c.take_while(|ch| ch != ' ');
        if vtok.is_empty() {
            return Err(LineError::new(
                vpos,
                format!(
                    "expected a sample value after {}, found {}",
                    excerpt(&labels.to_string()),
                    c.found()
                ),
            ));
        }
        let value = parse_float(vtok).map_err(|m| LineError::new(vpos, m))?;
        let mut timestamp = None;
        if !c.at_end() && !c.rest().starts_with(" # {") {
            c.eat(' ');
            let tpos = c.pos;
            let ttok = c.take_while(|ch| ch != ' ');
            if ttok.is_empty() {
                return Err(LineError::new(
                    tpos,
                    format!(
                        "expected a timestamp or an exemplar after the value, found {}",
                        c.found()
                    ),
                ));
            }
            timestamp = Some(parse_om_timestamp(ttok).map_err(|m| LineError::new(tpos, m))?);
        }
        if !c.at_end() {
            if !c.rest().starts_with(" # {") {
                return Err(LineError::new(
                    c.pos,
                    format!(
                        "expected end of line or an exemplar (\" # {{...}} value\") after the {}, found {}",
                        if timestamp.is_some() { "timestamp" } else { "value" },
                        c.found()
                    ),
                ));
            }
            om_exemplar(&mut c, name)?;
        }
        Ok(Some(Entry::Sample(ExpoSample {
            labels,
            timestamp,
            value,
        })))
    }

    fn om_comment(&mut self, c: &mut Cursor<'_>) -> Result<Option<Entry>, LineError> {
        if !c.eat(' ') {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected a single space after '#', found {} (OpenMetrics comments are only \
                     '# HELP', '# TYPE', '# UNIT' and '# EOF')",
                    c.found()
                ),
            ));
        }
        if c.rest() == "EOF" {
            self.eof_line = Some(self.last_line);
            return Ok(None);
        }
        if c.eat_str("EOF") {
            return Err(LineError::new(
                c.pos,
                "unexpected data after \"# EOF\"; it must be alone on the last line",
            ));
        }
        let kw = ["HELP", "TYPE", "UNIT"]
            .into_iter()
            .find(|kw| c.rest().starts_with(kw) && c.rest()[kw.len()..].starts_with(' '))
            .ok_or_else(|| {
                LineError::new(
                    c.pos,
                    format!(
                        "expected HELP, TYPE, UNIT or EOF and a space after '# ', found {} \
                         (OpenMetrics has no free-form comments)",
                        quoted(&c.rest().chars().take(12).collect::<String>())
                    ),
                )
            })?;
        c.pos += kw.len() + 1;
        let name = c.metric_name().ok_or_else(|| {
            LineError::new(
                c.pos,
                format!("expected metric name after {kw}, found {}", c.found()),
            )
        })?;
        let what = match kw {
            "HELP" => "help text",
            "TYPE" => "metric type",
            _ => "unit",
        };
        if !c.eat(' ') {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected a single space and the {what} after metric name {}, found {}",
                    quoted(name),
                    c.found()
                ),
            ));
        }
        let tpos = c.pos;
        let text = c.rest();
        match kw {
            "HELP" => {
                let help = unescape_help(text, true);
                Ok(self.metadata(name, |m| m.help = help))
            }
            "TYPE" => {
                let kind = match text {
                    "untyped" => None,
                    t => MetricType::parse(t),
                }
                .ok_or_else(|| {
                    LineError::new(
                        tpos,
                        format!(
                            "invalid metric type {}: expected counter, gauge, histogram, \
                             gaugehistogram, summary, info, stateset or unknown",
                            quoted(text)
                        ),
                    )
                })?;
                Ok(self.metadata(name, |m| m.kind = kind))
            }
            _ => {
                let unit = text.to_string();
                if !unit.is_empty() && !unit_is_suffix(name, &unit) {
                    return Err(LineError::new(
                        tpos,
                        format!(
                            "unit {} is not a suffix of metric name {} (the name must end in \
                             \"_{}\")",
                            quoted(&unit),
                            quoted(name),
                            excerpt(&unit)
                        ),
                    ));
                }
                Ok(self.metadata(name, |m| m.unit = unit))
            }
        }
    }
}

/// Parses a series written the way the text format writes one, as used inside CSV and JSON
/// lines records: `name`, `name{a="b",...}`, `{a="b",...}` or a bare list `a="b",c="d"`.
/// Blanks between tokens and a trailing comma are allowed. The result includes `__name__` when
/// a name was given; label values may be empty (the caller decides what that means).
pub fn parse_series(s: &str) -> Result<Vec<(String, String)>, ParseError> {
    let mut c = Cursor::new(s);
    let mut pairs = Vec::new();
    let res = (|| {
        c.skip_blanks();
        let start = c.pos;
        if let Some(name) = c.metric_name() {
            c.skip_blanks();
            if c.at_end() || c.peek() == Some('{') {
                pairs.push((METRIC_NAME.to_string(), name.to_string()));
            } else {
                // Not a name after all: a bare label list such as `a="b"`.
                c.pos = start;
                return bare_labels(&mut c, &mut pairs);
            }
        }
        if c.eat('{') {
            text_labels(&mut c, &mut pairs)?;
        }
        c.skip_blanks();
        if !c.at_end() {
            return Err(LineError::new(
                c.pos,
                format!("expected end of the series after '}}', found {}", c.found()),
            ));
        }
        Ok(())
    })();
    res.map_err(|e| ParseError::from_line_error(s, 1, e))?;
    Ok(pairs)
}

/// `a="b", c="d"` without braces, up to the end of the input.
fn bare_labels(c: &mut Cursor<'_>, pairs: &mut Vec<(String, String)>) -> Result<(), LineError> {
    blank_tolerant_labels(c, pairs, None)
}

/// The label set of a text-format sample, after its `{`. Blanks are allowed around every
/// token, and a trailing comma before `}` too, as Prometheus allows them.
fn text_labels(c: &mut Cursor<'_>, pairs: &mut Vec<(String, String)>) -> Result<(), LineError> {
    blank_tolerant_labels(c, pairs, Some('}'))
}

/// `name="value"` pairs separated by commas, blanks allowed around every token, ending at
/// `close` (consumed) or, without one, at the end of the input.
fn blank_tolerant_labels(
    c: &mut Cursor<'_>,
    pairs: &mut Vec<(String, String)>,
    close: Option<char>,
) -> Result<(), LineError> {
    let (name_or_end, after_value) = match close {
        Some(_) => ("label name or '}'", "',' or '}'"),
        None => ("label name", "',' or the end"),
    };
    loop {
        c.skip_blanks();
        let closed = match close {
            Some(ch) => c.eat(ch),
            None => c.at_end(),
        };
        if closed {
            return Ok(());
        }
        let npos = c.pos;
        let name = c.label_name().ok_or_else(|| {
            LineError::new(
                c.pos,
                format!("expected {name_or_end}, found {}", c.found()),
            )
        })?;
        c.skip_blanks();
        if !c.eat('=') {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected '=' after label name {}, found {}",
                    quoted(name),
                    c.found()
                ),
            ));
        }
        c.skip_blanks();
        let value = c.quoted_value(name)?;
        push_label(pairs, npos, name, value)?;
        c.skip_blanks();
        let at_close = match close {
            Some(ch) => c.peek() == Some(ch),
            None => c.at_end(),
        };
        if !c.eat(',') && !at_close {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected {after_value} after the value of label {}, found {}",
                    quoted(name),
                    c.found()
                ),
            ));
        }
    }
}

/// The label set of an OpenMetrics sample or exemplar, after its `{`: no blanks, no trailing
/// comma.
fn om_labels(
    c: &mut Cursor<'_>,
    pairs: &mut Vec<(String, String)>,
    what: &str,
) -> Result<(), LineError> {
    if c.eat('}') {
        return Ok(());
    }
    loop {
        let npos = c.pos;
        let name = c.label_name().ok_or_else(|| {
            LineError::new(c.pos, format!("expected {what} name, found {}", c.found()))
        })?;
        if !c.eat('=') {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected '=' after {what} name {}, found {}",
                    quoted(name),
                    c.found()
                ),
            ));
        }
        let value = c.quoted_value(name)?;
        push_label(pairs, npos, name, value)?;
        if c.eat('}') {
            return Ok(());
        }
        if !c.eat(',') {
            return Err(LineError::new(
                c.pos,
                format!(
                    "expected ',' or '}}' after the value of {what} {}, found {}",
                    quoted(name),
                    c.found()
                ),
            ));
        }
    }
}

/// An exemplar, starting at ` # {`: checked and discarded (argus does not store exemplars).
fn om_exemplar(c: &mut Cursor<'_>, metric: &str) -> Result<(), LineError> {
    if !(metric.ends_with("_total") || metric.ends_with("_bucket")) {
        return Err(LineError::new(
            c.pos + 1,
            format!(
                "metric name {} does not support exemplars (only counter \"_total\" and \
                 histogram \"_bucket\" samples may carry one)",
                excerpt(metric)
            ),
        ));
    }
    c.pos += " # {".len();
    let mut pairs = Vec::new();
    om_labels(c, &mut pairs, "exemplar label")?;
    if !c.eat(' ') {
        return Err(LineError::new(
            c.pos,
            format!(
                "expected a single space and the exemplar value after the exemplar labels, found {}",
                c.found()
            ),
        ));
    }
    let vpos = c.pos;
    let v = c.take_while(|ch| ch != ' ');
    parse_float(v).map_err(|m| LineError::new(vpos, format!("exemplar value: {m}")))?;
    if c.eat(' ') {
        let tpos = c.pos;
        let t = c.take_while(|ch| ch != ' ');
        parse_om_timestamp(t)
            .map_err(|m| LineError::new(tpos, format!("exemplar timestamp: {m}")))?;
    }
    if !c.at_end() {
        return Err(LineError::new(
            c.pos,
            format!(
                "expected end of line after the exemplar, found {}",
                c.found()
            ),
        ));
    }
    Ok(())
}

/// The `__name__` pair of a sample whose name starts at `pos`, within the size limit of a
/// label value.
fn name_pair(pos: usize, name: &str) -> Result<(String, String), LineError> {
    check_label_size(METRIC_NAME, name).map_err(|m| LineError::new(pos, m))?;
    Ok((METRIC_NAME.to_string(), name.to_string()))
}

fn push_label(
    pairs: &mut Vec<(String, String)>,
    pos: usize,
    name: &str,
    value: String,
) -> Result<(), LineError> {
    if pairs.iter().any(|(k, _)| k == name) {
        let why = if name == METRIC_NAME {
            "the metric name is already given before '{'"
        } else {
            "a label may appear only once per sample"
        };
        return Err(LineError::new(
            pos,
            format!("duplicate label name {}: {why}", quoted(name)),
        ));
    }
    check_label_size(name, &value).map_err(|m| LineError::new(pos, m))?;
    pairs.push((name.to_string(), value));
    Ok(())
}

/// Is `unit` a valid UNIT for `name`: the name ends in `_<unit>` with something before it?
pub(crate) fn unit_is_suffix(name: &str, unit: &str) -> bool {
    name.len() > unit.len() + 1
        && name.ends_with(unit)
        && name[..name.len() - unit.len()].ends_with('_')
}

/// Unescapes HELP text: `\\` and `\n` in both formats, `\"` too in OpenMetrics.
fn unescape_help(s: &str, om: bool) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if om => out.push('"'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}
