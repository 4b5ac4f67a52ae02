//! Go's `strings` functions as templates use them (`ToLower` maps characters one to one, as
//! Go does, where Rust's may map one to two), the cuts sprig makes in bytes (`trunc`,
//! `substr`), padding and repeating with a cap on the text made, and regular expressions
//! compiled once per thread.

use super::{str_arg, R};
use crate::gotmpl::value::Value;
use regex::Regex;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

/// Bytes cut out of a string; a cut inside a character becomes U+FFFD (Go keeps the bytes).
pub fn bytes_to_string(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Go's `strings.ToLower`: per character, one-to-one mappings only.
pub fn go_lower(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                return c.to_ascii_lowercase();
            }
            if c == '\u{130}' {
                return 'i';
            }
            single(c.to_lowercase()).unwrap_or(c)
        })
        .collect()
}

/// Go's `strings.ToUpper`: per character, one-to-one mappings only (`ß` stays `ß`).
pub fn go_upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

fn upper_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let u = c as u32;
    // Greek letters with iota subscript: Go's simple mapping keeps the iota.
    let iota = match u {
        0x1F80..=0x1FAF if u & 0xF < 8 => Some(u + 8),
        0x1FB3 => Some(0x1FBC),
        0x1FC3 => Some(0x1FCC),
        0x1FF3 => Some(0x1FFC),
        _ => None,
    };
    if let Some(m) = iota.and_then(char::from_u32) {
        return m;
    }
    single(c.to_uppercase()).unwrap_or(c)
}

fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

/// Go's `strings.Title`: the first letter of each word in title case.
pub fn go_title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { title_char(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// `cases.Title(language.Und, cases.NoLower)` of golang.org/x/text (Prometheus 3's `title`):
/// the first cased letter of each word in title case, the rest as it is. Unlike
/// `strings.Title`, a word goes on across an apostrophe or a period between letters
/// (`don't`, `example.com`), and digits do not start one (`1st` becomes `1St`).
pub fn cases_title(s: &str) -> String {
    title_words(s, false)
}

/// `cases.Title(language.AmericanEnglish)` (Alertmanager's `title`): as [`cases_title`],
/// and the rest of each word in lower case (`hELLO wORLD` becomes `Hello World`).
pub fn cases_title_lowering(s: &str) -> String {
    title_words(s, true)
}

fn title_words(s: &str, lower_rest: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    let mut prev_mid = false;
    for c in s.chars() {
        let mid = is_mid_word(c);
        // Two word-joining marks in a row end the word.
        if prev_mid && mid {
            in_word = false;
        }
        if c.is_lowercase() || c.is_uppercase() {
            if !in_word {
                out.push(title_char(c));
            } else if lower_rest {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            in_word = true;
        } else {
            out.push(c);
            if !(c.is_alphanumeric() || mid || c == '_' || is_mark(c)) {
                in_word = false;
            }
        }
        prev_mid = mid;
    }
    out
}

/// Characters that join the letters around them into one word (Unicode's MidLetter and
/// MidNumLet word-break classes).
fn is_mid_word(c: char) -> bool {
    matches!(
        c,
        '\'' | '.'
            | ':'
            | '\u{b7}'
            | '\u{387}'
            | '\u{55f}'
            | '\u{5f4}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2024}'
            | '\u{2027}'
            | '\u{fe13}'
            | '\u{fe52}'
            | '\u{fe55}'
            | '\u{ff07}'
            | '\u{ff0e}'
            | '\u{ff1a}'
    )
}

/// Combining marks (the main blocks), which belong to the letter before them.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn title_char(c: char) -> char {
    match c as u32 {
        // Digraphs have a title case of their own: `ǆ` becomes `ǅ`, not `Ǆ`.
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        _ => upper_char(c),
    }
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// Go's `strings.Replace(s, old, new, n)`; `n < 0` replaces all.
pub fn go_replace(s: &str, old: &str, new: &str, n: i64) -> String {
    match usize::try_from(n) {
        Ok(n) => s.replacen(old, new, n),
        Err(_) => s.replace(old, new),
    }
}

/// Go's `strings.Trim`/`TrimLeft`/`TrimRight`: characters of `cutset` off the ends.
pub fn trim_set<'a>(s: &Value<'a>, cutset: &Value<'a>, left: bool, right: bool) -> Value<'a> {
    let set = str_arg(cutset);
    let in_set = |c: char| set.contains(c);
    substring_of(s, |text| match (left, right) {
        (true, true) => text.trim_matches(in_set),
        (true, false) => text.trim_start_matches(in_set),
        _ => text.trim_end_matches(in_set),
    })
}

pub fn trim_prefix<'a>(s: &Value<'a>, prefix: &Value<'a>) -> Value<'a> {
    substring_of(s, |t| t.strip_prefix(str_arg(prefix)).unwrap_or(t))
}

pub fn trim_suffix<'a>(s: &Value<'a>, suffix: &Value<'a>) -> Value<'a> {
    substring_of(s, |t| t.strip_suffix(str_arg(suffix)).unwrap_or(t))
}

pub fn trim_space<'a>(s: &Value<'a>) -> Value<'a> {
    substring_of(s, str::trim)
}

/// A part of a string value, borrowed when the string is.
fn substring_of<'a>(v: &Value<'a>, part: impl for<'t> Fn(&'t str) -> &'t str) -> Value<'a> {
    match v {
        Value::Str(Cow::Borrowed(b)) => Value::str(part(b)),
        Value::Str(Cow::Owned(o)) => Value::str(part(o).to_string()),
        _ => Value::str(""),
    }
}

/// sprig's `trunc`: the first `n` bytes, or the last `-n`.
pub fn trunc(n: i64, s: &str) -> Value<'static> {
    let len = s.len() as i64;
    let part = if n < 0 && len + n > 0 {
        &s.as_bytes()[(len + n) as usize..]
    } else if n >= 0 && len > n {
        &s.as_bytes()[..n as usize]
    } else {
        s.as_bytes()
    };
    Value::str(bytes_to_string(part))
}

/// sprig's `substr start end s`, in bytes: a negative start means from the beginning, a
/// negative or too large end means to the end; bounds Go cannot slice are its runtime errors.
pub fn substr(start: i64, end: i64, s: &str) -> R<Value<'static>> {
    let len = s.len() as i64;
    let bounds = |msg: String| format!("runtime error: slice bounds out of range {msg}");
    let (from, to) = if start < 0 {
        if end < 0 {
            return Err(bounds(format!("[:{end}]")));
        }
        if end > len {
            return Err(bounds(format!("[:{end}] with length {len}")));
        }
        (0, end)
    } else if end < 0 || end > len {
        if start > len {
            return Err(bounds(format!("[{start}:{len}]")));
        }
        (start, len)
    } else {
        if start > end {
            return Err(bounds(format!("[{start}:{end}]")));
        }
        (start, end)
    };
    Ok(Value::str(bytes_to_string(
        &s.as_bytes()[from as usize..to as usize],
    )))
}

/// Loki's `alignLeft`/`alignRight`: pad with spaces or cut to `n` characters.
pub fn align<'a>(n: i64, src: &Value<'a>, right: bool) -> R<Value<'a>> {
    let text = str_arg(src);
    let count = text.chars().count() as i64;
    if n < 0 || n == count {
        return Ok(src.clone());
    }
    let pad = n - count;
    if pad > 0 {
        let spaces = repeat(" ", pad)?;
        return Ok(Value::str(if right {
            spaces + text
        } else {
            format!("{text}{spaces}")
        }));
    }
    let part: String = if right {
        text.chars().skip((count - n) as usize).collect()
    } else {
        text.chars().take(n as usize).collect()
    };
    Ok(Value::str(part))
}

/// The longest text `repeat`, `indent` and `alignLeft`/`alignRight` make. Go has no limit
/// (it runs out of memory); a query must not be able to bring the server down that way.
pub const MAX_MADE_TEXT: u64 = 64 << 20;

pub fn repeat(s: &str, n: i64) -> R<String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    if (s.len() as u64)
        .checked_mul(n as u64)
        .is_none_or(|l| l > MAX_MADE_TEXT)
    {
        return Err("strings: Repeat output length overflow".into());
    }
    Ok(s.repeat(n as usize))
}

/// sprig's `indent`: every line prefixed with `n` spaces.
pub fn indent(n: i64, s: &str) -> R<String> {
    let pad = repeat(" ", n)?;
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// A regular expression compiled once per thread and pattern; the error is the regex crate's.
pub fn compiled_regex(pattern: &str) -> Result<Regex, regex::Error> {
    thread_local! {
        static CACHE: RefCell<HashMap<String, Result<Regex, regex::Error>>> =
            RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(found) = cache.get(pattern) {
            return found.clone();
        }
        if cache.len() >= 64 {
            cache.clear();
        }
        let re = Regex::new(pattern);
        cache.insert(pattern.to_string(), re.clone());
        re
    })
}
