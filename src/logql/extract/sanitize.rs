//! Loki's rules for turning a key found in a line into a label name.

/// Sanitizes a key as every Loki parser does: surrounding Unicode whitespace is trimmed, a
/// leading ASCII digit gets a `_` in front (`9x` → `_9x`), and each character other than an
/// ASCII letter, digit or `_` becomes one `_` (`a.b-c` → `a_b_c`). A blank key gives "".
pub fn sanitize_label_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 1);
    sanitize_into(raw, &mut out);
    out
}

/// [`sanitize_label_name`] into a reused buffer (cleared first).
pub fn sanitize_into(raw: &str, out: &mut String) {
    out.clear();
    let key = raw.trim();
    if key.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        out.push('_');
    }
    push_mapped(out, key);
}

/// The sanitized form of `raw`, borrowing `raw` itself when it is already clean (the common
/// case), else built in `buf`.
pub(super) fn sanitized<'a>(raw: &'a str, buf: &'a mut String) -> &'a str {
    if is_clean(raw) {
        raw
    } else {
        sanitize_into(raw, buf);
        buf
    }
}

/// Appends a nested JSON key to a flattened name being built, as Loki does for `| json`: the
/// key is trimmed, a blank key adds nothing, and a leading digit gets a `_` only when nothing
/// precedes it.
pub(super) fn append_sanitized(to: &mut String, key: &str) {
    let key = key.trim();
    if key.is_empty() {
        return;
    }
    if to.is_empty() && key.as_bytes()[0].is_ascii_digit() {
        to.push('_');
    }
    push_mapped(to, key);
}

/// True when sanitizing would not change `s` (the empty string included).
fn is_clean(s: &str) -> bool {
    let b = s.as_bytes();
    !b.first().is_some_and(u8::is_ascii_digit) && b.iter().all(|&c| is_name_byte(c))
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn push_mapped(out: &mut String, key: &str) {
    for c in key.chars() {
        out.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        });
    }
}
