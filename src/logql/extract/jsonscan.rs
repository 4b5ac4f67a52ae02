//! A tolerant JSON scanner with the behaviour of the one Loki's parsers use (the `jsonparser`
//! library): values are located by bracket matching rather than validated, numbers are any
//! token that starts like one, nothing after the top-level object is looked at, and the error
//! texts are that library's, since Loki shows them in `__error_details__`.
//!
//! Positions are byte offsets; every cut falls on an ASCII delimiter (a quote, a bracket, a
//! colon, a comma or whitespace), so slicing the `&str` never splits a character.

use std::borrow::Cow;

/// The type of a JSON value, as the scanner sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    String,
    Number,
    Object,
    Array,
    Boolean,
    Null,
}

/// A scanning error; [`JsonError::message`] is the text Loki reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum JsonError {
    UnknownValueType,
    MalformedJson,
    MalformedString,
    MalformedArray,
    MalformedObject,
    MalformedStringEscape,
}

impl JsonError {
    pub(super) fn message(self) -> &'static str {
        match self {
            JsonError::UnknownValueType => "Unknown value type",
            JsonError::MalformedJson => "Malformed JSON error",
            JsonError::MalformedString => "Value is string, but can't find closing '\"' symbol",
            JsonError::MalformedArray => "Value is array, but can't find closing ']' symbol",
            JsonError::MalformedObject => {
                "Value looks like object, but can't find closing '}' symbol"
            }
            JsonError::MalformedStringEscape => {
                "Encountered an invalid escape sequence in a string"
            }
        }
    }
}

/// A value found in the data: its text (strings without their quotes, still escaped; objects
/// and arrays whole), its kind, and where it ends in the data it was read from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Value<'a> {
    pub raw: &'a str,
    pub kind: Kind,
    pub end: usize,
}

/// Offset of the first non-whitespace byte.
fn next_token(b: &[u8]) -> Option<usize> {
    b.iter()
        .position(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
}

/// Given the bytes after an opening quote: the offset just past the closing quote, and whether
/// the string holds a backslash (so needs unescaping). A quote preceded by an odd run of
/// backslashes is escaped.
fn string_end(b: &[u8]) -> Option<(usize, bool)> {
    let mut escaped = false;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\\' {
            escaped = true;
        } else if c == b'"' {
            let backslashes = b[..i].iter().rev().take_while(|&&c| c == b'\\').count();
            if backslashes % 2 == 0 {
                return Some((i + 1, escaped));
            }
        }
    }
    None
}

/// Offset just past the bracket closing the one `b` starts with; strings are skipped, nothing
/// else is checked.
fn block_end(b: &[u8], open: u8, close: u8) -> Option<usize> {
    let mut level = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            i += string_end(&b[i + 1..])?.0;
        } else if c == open {
            level += 1;
        } else if c == close {
            level = level.wrapping_sub(1);
            if level == 0 {
                return Some(i + 1);
            }
        }
        i += 1;
    }
    None
}

/// Length of a number / literal token: up to whitespace, a comma or a closing bracket.
fn token_end(b: &[u8]) -> usize {
    b.iter()
        .position(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b',' | b'}' | b']'))
        .unwrap_or(b.len())
}

/// Classifies the value starting at `offset` and finds its end.
fn value_at(data: &str, offset: usize) -> Result<Value<'_>, JsonError> {
    let b = data.as_bytes();
    let (kind, end) = match b[offset] {
        b'"' => {
            let (e, _) = string_end(&b[offset + 1..]).ok_or(JsonError::MalformedString)?;
            (Kind::String, offset + e + 1)
        }
        b'[' => {
            let e = block_end(&b[offset..], b'[', b']').ok_or(JsonError::MalformedArray)?;
            (Kind::Array, offset + e)
        }
        b'{' => {
            let e = block_end(&b[offset..], b'{', b'}').ok_or(JsonError::MalformedObject)?;
            (Kind::Object, offset + e)
        }
        first => {
            let end = offset + token_end(&b[offset..]);
            (literal_kind(first, &data[offset..end])?, end)
        }
    };
    let raw = match kind {
        Kind::String => &data[offset + 1..end - 1],
        _ => &data[offset..end],
    };
    Ok(Value { raw, kind, end })
}

fn literal_kind(first: u8, text: &str) -> Result<Kind, JsonError> {
    match first {
        b't' | b'f' if text == "true" || text == "false" => Ok(Kind::Boolean),
        b'u' | b'n' if text == "null" => Ok(Kind::Null),
        b'0'..=b'9' | b'-' => Ok(Kind::Number),
        _ => Err(JsonError::UnknownValueType),
    }
}

/// The first value in `data`, after leading whitespace (jsonparser's `Get` without a path).
pub(super) fn get(data: &str) -> Result<Value<'_>, JsonError> {
    let start = next_token(data.as_bytes()).ok_or(JsonError::MalformedJson)?;
    value_at(data, start)
}

/// Calls `f` with each key (unescaped) and value of the object `data` starts with. Stops at the
/// object's closing brace, at the first error, or at the first error `f` returns. Pairs seen
/// before an error have been passed to `f`.
pub(super) fn object_each<'a>(
    data: &'a str,
    f: &mut dyn FnMut(Cow<'a, str>, Value<'a>) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    let mut fields = ObjectFields::new(data);
    while let Some((key, value)) = fields.next_field()? {
        f(key, value)?;
    }
    Ok(())
}

/// The fields of the object a text starts with, one at a time: [`object_each`] as a cursor,
/// so that a caller can walk nested objects with a list of cursors instead of recursion.
pub(super) struct ObjectFields<'a> {
    data: &'a str,
    offset: usize,
    /// Where the last comma was, as jsonparser tracks it (see [`ObjectFields::after_value`]).
    last_comma: Option<usize>,
    state: FieldsState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldsState {
    /// Before the opening brace.
    Start,
    /// Just after the value of a field handed out.
    AfterValue,
    /// The closing brace, or an error, was reached.
    Done,
}

impl<'a> ObjectFields<'a> {
    pub(super) fn new(data: &'a str) -> ObjectFields<'a> {
        ObjectFields {
            data,
            offset: 0,
            last_comma: None,
            state: FieldsState::Start,
        }
    }

    /// The next key (unescaped) and value, `None` after the closing brace, or the error that
    /// ends the object. After `None` or an error there is nothing more.
    pub(super) fn next_field(&mut self) -> Result<Option<(Cow<'a, str>, Value<'a>)>, JsonError> {
        let step = match self.state {
            FieldsState::Start => self.open(),
            FieldsState::AfterValue => self.after_value(),
            FieldsState::Done => Ok(false),
        };
        let more = step.inspect_err(|_| self.state = FieldsState::Done)?;
        if !more {
            self.state = FieldsState::Done;
            return Ok(None);
        }
        match self.field() {
            Ok(Some(pair)) => {
                self.state = FieldsState::AfterValue;
                Ok(Some(pair))
            }
            other => {
                self.state = FieldsState::Done;
                other
            }
        }
    }

    /// Past the opening brace; false for an empty object.
    fn open(&mut self) -> Result<bool, JsonError> {
        let b = self.data.as_bytes();
        let mut offset = next_token(b).ok_or(JsonError::MalformedObject)?;
        if b[offset] != b'{' {
            return Err(JsonError::MalformedObject);
        }
        offset += 1;
        offset += next_token(&b[offset..]).ok_or(JsonError::MalformedJson)?;
        self.offset = offset;
        Ok(b[offset] != b'}')
    }

    /// Past the value just handed out and the comma after it; false at the closing brace.
    fn after_value(&mut self) -> Result<bool, JsonError> {
        let b = self.data.as_bytes();
        let mut offset = self.offset;
        offset += next_token(&b[offset..]).ok_or(JsonError::MalformedArray)?;
        match b[offset] {
            b'}' => return Ok(false),
            b',' => {
                self.last_comma = Some(offset);
                offset += 1;
            }
            _ => return Err(JsonError::MalformedObject),
        }
        let skip = next_token(&b[offset..]).ok_or(JsonError::MalformedArray)?;
        if skip > 0 {
            self.last_comma = self.last_comma.map(|c| c + skip - 1);
        }
        self.offset = offset + skip;
        Ok(true)
    }

    /// The field at the current offset, which is past the opening brace or a comma; `None`
    /// at the closing brace.
    fn field(&mut self) -> Result<Option<(Cow<'a, str>, Value<'a>)>, JsonError> {
        let (data, b) = (self.data, self.data.as_bytes());
        let mut offset = self.offset;
        if offset >= b.len() {
            return Err(JsonError::MalformedObject);
        }
        match b[offset] {
            b'"' => offset += 1,
            // jsonparser only rejects a comma immediately followed by the closing brace; its
            // bookkeeping of the comma position misses `, }`.
            b'}' if self.last_comma.is_some_and(|c| c + 1 == offset) => {
                return Err(JsonError::MalformedObject)
            }
            b'}' => return Ok(None),
            _ => return Err(JsonError::MalformedObject),
        }
        let (len, escaped) = string_end(&b[offset..]).ok_or(JsonError::MalformedJson)?;
        let raw_key = &data[offset..offset + len - 1];
        offset += len;
        let key = if escaped {
            unescape(raw_key).map_err(|_| JsonError::MalformedStringEscape)?
        } else {
            Cow::Borrowed(raw_key)
        };
        offset += next_token(&b[offset..]).ok_or(JsonError::MalformedJson)?;
        if b[offset] != b':' {
            return Err(JsonError::MalformedJson);
        }
        offset += 1;
        let value = get(&data[offset..])?;
        self.offset = offset + value.end;
        Ok(Some((key, value)))
    }
}

/// Calls `f` with each element of the array `data` starts with, and the element's offset as
/// jsonparser reports it (for a string, two past its opening quote). Returns where the walk
/// stopped (the closing bracket when all went well) and the error that stopped it.
fn array_each<'a>(
    data: &'a str,
    f: &mut dyn FnMut(Value<'a>, usize),
) -> (usize, Option<JsonError>) {
    let b = data.as_bytes();
    let Some(first) = next_token(b) else {
        return (0, Some(JsonError::MalformedJson));
    };
    let mut offset = first + 1;
    match next_token(&b[offset..]) {
        Some(skip) => offset += skip,
        None => return (offset, Some(JsonError::MalformedJson)),
    }
    if b[offset] == b']' {
        return (offset, None);
    }
    loop {
        let value = match get(&data[offset..]) {
            Ok(v) => v,
            Err(e) => return (offset, Some(e)),
        };
        if value.end == 0 {
            break;
        }
        f(value, offset + value.end - value.raw.len());
        offset += value.end;
        match next_token(&b[offset..]) {
            Some(skip) => offset += skip,
            None => return (offset, Some(JsonError::MalformedArray)),
        }
        match b[offset] {
            b']' => break,
            b',' => offset += 1,
            _ => return (offset, Some(JsonError::MalformedArray)),
        }
    }
    (offset, None)
}

/// Decodes JSON string escapes. Text without a backslash is borrowed.
pub(super) fn unescape(raw: &str) -> Result<Cow<'_, str>, JsonError> {
    let Some(first) = raw.find('\\') else {
        return Ok(Cow::Borrowed(raw));
    };
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut i = first;
    while i < b.len() {
        if b[i] != b'\\' {
            let next = raw[i..].find('\\').map_or(b.len(), |n| i + n);
            out.push_str(&raw[i..next]);
            i = next;
            continue;
        }
        let (c, len) = decode_escape(&b[i..]).ok_or(JsonError::MalformedStringEscape)?;
        out.push(c);
        i += len;
    }
    Ok(Cow::Owned(out))
}

/// One escape sequence at the start of `b`: the character and the bytes it used.
fn decode_escape(b: &[u8]) -> Option<(char, usize)> {
    let c = match *b.get(1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return decode_unicode_escape(b),
        _ => return None,
    };
    Some((c, 2))
}

/// `\uXXXX`, or a UTF-16 surrogate pair of two of them. As in the jsonparser version Loki
/// uses, a surrogate must be followed by six more bytes whose last four are hex and form a
/// value of at least 0xDC00; an impossible combination becomes U+FFFD.
fn decode_unicode_escape(b: &[u8]) -> Option<(char, usize)> {
    let r = hex4(b)?;
    if !(0xD800..=0xDFFF).contains(&r) {
        return Some((char::from_u32(r)?, 6));
    }
    let r2 = hex4(b.get(6..)?)?;
    if r2 < 0xDC00 {
        return None;
    }
    let combined = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
    Some((char::from_u32(combined).unwrap_or('\u{FFFD}'), 12))
}

/// The four hex digits after a two-byte `\u` prefix (the prefix itself is not checked).
fn hex4(b: &[u8]) -> Option<u32> {
    let digits = b.get(2..6)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &c| Some(acc * 16 + (c as char).to_digit(16)?))
}

/// Receives what [`each_key`] finds: a path's index and its value, or `None` and an error.
pub(super) type KeyCallback<'a> = dyn FnMut(Option<usize>, Result<Value<'a>, JsonError>) + 'a;

/// Walks `data` once and calls `cb` with the value at each path, the first time the path
/// occurs (jsonparser's `EachKey`). A path is a list of object keys and `[n]` array indexes.
/// `cb` gets the path's index, or `None` with an error when the scan finds a key outside any
/// object. Keys inside arrays are only looked at through an index step. Malformed input
/// mostly just ends the walk early, without an error.
pub(super) fn each_key<'a>(data: &'a str, paths: &[Vec<String>], cb: &mut KeyCallback<'a>) {
    let mut walk = KeyWalk {
        data,
        paths,
        flags: vec![false; paths.len()],
        stack: vec![Cow::Borrowed(""); paths.iter().map(Vec::len).max().unwrap_or(0)],
        matched: 0,
        level: 0,
    };
    walk.run(cb);
}

/// The state of an [`each_key`] walk.
struct KeyWalk<'a, 'p> {
    data: &'a str,
    paths: &'p [Vec<String>],
    /// Paths already reported.
    flags: Vec<bool>,
    /// The most recent key seen at each object depth (up to the longest path).
    stack: Vec<Cow<'a, str>>,
    matched: usize,
    level: isize,
}

/// What the walk does after a step.
enum Step {
    Continue(usize),
    Stop,
}

impl<'a> KeyWalk<'a, '_> {
    fn run(&mut self, cb: &mut KeyCallback<'a>) {
        let b = self.data.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let step = match b[i] {
                b'"' => self.string(i, cb),
                b'{' => {
                    self.level += 1;
                    Step::Continue(i)
                }
                b'}' | b']' => {
                    self.level -= 1;
                    Step::Continue(i)
                }
                b'[' => self.array(i, cb),
                _ => Step::Continue(i),
            };
            match step {
                Step::Continue(at) => i = at + 1,
                Step::Stop => return,
            }
        }
    }

    /// A string at `i`: when it is a key, reports the paths it completes. Returns the position
    /// the walk resumes after.
    fn string(&mut self, i: usize, cb: &mut KeyCallback<'a>) -> Step {
        let b = self.data.as_bytes();
        let key_begin = i + 1;
        let Some((len, escaped)) = string_end(&b[key_begin..]) else {
            return Step::Stop;
        };
        let after = key_begin + len;
        let Some(skip) = next_token(&b[after..]) else {
            return Step::Stop;
        };
        let colon = after + skip;
        if b[colon] != b':' {
            // Not a key: look at that token again.
            return Step::Continue(colon - 1);
        }
        let raw_key = &self.data[key_begin..after - 1];
        let key = if escaped {
            match unescape(raw_key) {
                Ok(k) => k,
                Err(_) => return Step::Stop,
            }
        } else {
            Cow::Borrowed(raw_key)
        };
        if self.stack.len() as isize >= self.level {
            if self.level < 1 {
                cb(None, Err(JsonError::MalformedJson));
                return Step::Stop;
            }
            if self.report_key(key, colon, cb) {
                return Step::Stop;
            }
        }
        // Resume after the colon: the value's own brackets and strings are walked next.
        Step::Continue(colon)
    }

    /// Records `key` at the current depth and reports every path it completes. True when all
    /// paths have been reported.
    fn report_key(&mut self, key: Cow<'a, str>, colon: usize, cb: &mut KeyCallback<'a>) -> bool {
        let depth = self.level as usize;
        self.stack[depth - 1] = key;
        for (pi, p) in self.paths.iter().enumerate() {
            if p.len() != depth
                || self.flags[pi]
                || p[depth - 1] != self.stack[depth - 1]
                || !same_tree(p, &self.stack[..depth])
            {
                continue;
            }
            self.matched += 1;
            self.flags[pi] = true;
            cb(Some(pi), get(&self.data[colon + 1..]));
            if self.matched == self.paths.len() {
                return true;
            }
        }
        false
    }

    /// An array at `i`: when a path indexes it here, reports the wanted elements; otherwise
    /// skips it whole (keys inside arrays are not searched).
    fn array(&mut self, i: usize, cb: &mut KeyCallback<'a>) -> Step {
        if self.level < 0 {
            cb(None, Err(JsonError::MalformedJson));
            return Step::Stop;
        }
        let depth = self.level as usize;
        let indexing: Vec<(usize, usize)> = self
            .paths
            .iter()
            .enumerate()
            .filter(|(pi, p)| {
                p.len() > depth
                    && !self.flags[*pi]
                    && p[depth].starts_with('[')
                    && p[depth].len() >= 2
                    && same_tree(p, &self.stack[..depth])
            })
            .map(|(pi, p)| (pi, index_of(&p[depth])))
            .collect();
        if indexing.is_empty() {
            return match block_end(&self.data.as_bytes()[i..], b'[', b']') {
                Some(len) => Step::Continue(i + len - 1),
                None => Step::Stop,
            };
        }
        self.level += 1;
        let (data, paths) = (self.data, self.paths);
        let (flags, matched) = (&mut self.flags, &mut self.matched);
        let mut current = 0;
        let (stop, _) = array_each(&data[i..], &mut |value, _| {
            for &(pi, _) in indexing.iter().filter(|(_, wanted)| *wanted == current) {
                *matched += 1;
                flags[pi] = true;
                report_element(value, &paths[pi][depth + 1..], pi, cb);
            }
            current += 1;
        });
        if self.matched == self.paths.len() {
            return Step::Stop;
        }
        // Resume on the closing bracket (or where the array went wrong).
        Step::Continue((i + stop).saturating_sub(1))
    }
}

/// Reports the value at `rest` inside an array element (the element itself when `rest` is
/// empty); nothing when the element lacks it.
fn report_element<'a>(element: Value<'a>, rest: &[String], pi: usize, cb: &mut KeyCallback<'a>) {
    let Some(at) = search_keys(element.raw, rest) else {
        return;
    };
    if element.kind == Kind::String {
        // The element's quotes are already gone: its text is the value.
        let raw = &element.raw[at..];
        cb(
            Some(pi),
            Ok(Value {
                raw,
                kind: Kind::String,
                end: raw.len(),
            }),
        );
    } else {
        cb(Some(pi), get(&element.raw[at..]));
    }
}

/// The index an `[n]` path step names (0 when it is not a number, as in jsonparser).
fn index_of(step: &str) -> usize {
    step.get(1..step.len().saturating_sub(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// True when the shorter of the two key lists is a prefix of the other.
fn same_tree(path: &[String], seen: &[Cow<'_, str>]) -> bool {
    path.iter().zip(seen).all(|(p, s)| p == s)
}

/// Offset just past the value at `keys` inside `data` (after its key's colon, or inside an
/// indexed array element), or `None`. With no keys, 0.
///
/// An index step continues the search inside the array element it names, with the rest of
/// the path: a loop rather than recursion, since both the path (from the query) and the
/// nesting of arrays (from the line) may be long.
fn search_keys(data: &str, keys: &[String]) -> Option<usize> {
    let (mut data, mut keys, mut base) = (data, keys, 0);
    'element: loop {
        if keys.is_empty() {
            return Some(base);
        }
        let b = data.as_bytes();
        let mut search = KeySearch {
            data,
            keys,
            key_level: 0,
            level: 0,
            last_matched: true,
        };
        let mut i = 0;
        while i < b.len() {
            match search.step(i)? {
                Found::At(offset) => return Some(base + offset),
                Found::Resume(at) => i = at + 1,
                Found::Inside {
                    offset,
                    element,
                    rest,
                } => {
                    base += offset;
                    (data, keys) = (element, rest);
                    continue 'element;
                }
            }
        }
        return None;
    }
}

/// The state of a [`search_keys`] walk.
struct KeySearch<'a, 'k> {
    data: &'a str,
    keys: &'k [String],
    /// How many keys of the path have been matched.
    key_level: isize,
    level: isize,
    /// Whether the last key seen was the one wanted at its depth (else its object is skipped).
    last_matched: bool,
}

/// The outcome of one [`KeySearch`] step.
enum Found<'a, 'k> {
    At(usize),
    Resume(usize),
    /// The search goes on for `rest` of the path inside `element`, which starts at `offset`.
    Inside {
        offset: usize,
        element: &'a str,
        rest: &'k [String],
    },
}

impl<'a, 'k> KeySearch<'a, 'k> {
    fn step(&mut self, i: usize) -> Option<Found<'a, 'k>> {
        let b = self.data.as_bytes();
        match b[i] {
            b'"' => self.string(i),
            b'{' if !self.last_matched => {
                let len = block_end(&b[i..], b'{', b'}')?;
                Some(Found::Resume(i + len - 1))
            }
            b'{' => {
                self.level += 1;
                Some(Found::Resume(i))
            }
            b'}' => {
                self.level -= 1;
                if self.level == self.key_level {
                    self.key_level -= 1;
                }
                Some(Found::Resume(i))
            }
            b'[' => self.array(i),
            b':' => None,
            _ => Some(Found::Resume(i)),
        }
    }

    fn string(&mut self, i: usize) -> Option<Found<'a, 'k>> {
        let b = self.data.as_bytes();
        let key_begin = i + 1;
        let (len, escaped) = string_end(&b[key_begin..])?;
        let after = key_begin + len;
        let colon = after + next_token(&b[after..])?;
        if b[colon] != b':' {
            return Some(Found::Resume(colon - 1));
        }
        if self.level < 1 {
            return None;
        }
        let raw_key = &self.data[key_begin..after - 1];
        let key = if escaped {
            unescape(raw_key).ok()?
        } else {
            Cow::Borrowed(raw_key)
        };
        let depth = self.level as usize;
        if depth > self.keys.len() {
            return None;
        }
        if key == self.keys[depth - 1].as_str() {
            self.last_matched = true;
            if self.key_level == self.level - 1 {
                self.key_level += 1;
                if self.key_level as usize == self.keys.len() {
                    return Some(Found::At(colon + 1));
                }
            }
        } else {
            self.last_matched = false;
        }
        Some(Found::Resume(colon))
    }

    fn array(&mut self, i: usize) -> Option<Found<'a, 'k>> {
        let b = self.data.as_bytes();
        let depth = self.level;
        let wanted = (self.key_level == depth)
            .then(|| self.keys.get(depth as usize))
            .flatten()
            .filter(|k| k.starts_with('['));
        let Some(step) = wanted else {
            let len = block_end(&b[i..], b'[', b']')?;
            return Some(Found::Resume(i + len - 1));
        };
        if step.len() < 3 || !step.ends_with(']') {
            return None;
        }
        let index: i64 = step[1..step.len() - 1].parse().ok()?;
        let (element, offset) = self.element(i, index)?;
        Some(Found::Inside {
            offset: i + offset,
            element,
            rest: &self.keys[depth as usize + 1..],
        })
    }

    /// The `index`th element of the array at `i` (a string with its quotes) and its offset
    /// from `i`.
    fn element(&self, i: usize, index: i64) -> Option<(&'a str, usize)> {
        let data = &self.data[i..];
        let mut current = 0i64;
        let mut found = None;
        array_each(data, &mut |value, offset| {
            if current == index {
                found = Some(if value.kind == Kind::String {
                    let start = offset - 2;
                    (&data[start..start + value.raw.len() + 2], start)
                } else {
                    (value.raw, offset)
                });
            }
            current += 1;
        });
        found
    }
}
