//! File-name globs as Go's `filepath.Glob` reads them (`*`, `?`, `[a-z]`, `[^x]`, `\\`
//! escapes, in the last path element): the `file_sd_configs` of a prometheus.yml and the
//! `rule_files` of rules and rule unit tests name files this way.

use std::path::{Path, PathBuf};

/// The files a pattern names now, sorted. A pattern without glob characters names its file
/// when it exists; a missing directory names nothing (as Go's `filepath.Glob`).
pub fn expand(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let Some(name) = pattern.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    if !name.contains(['*', '?', '[', '\\']) {
        return Ok(if pattern.exists() {
            vec![pattern.to_path_buf()]
        } else {
            Vec::new()
        });
    }
    let dir = match pattern.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: cannot list: {e}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(candidate) = file_name.to_str() else {
            continue;
        };
        if glob_match(name.as_bytes(), candidate.as_bytes()) {
            // Keep the pattern's own directory spelling, so `__meta_filepath` reads as the
            // configuration wrote it.
            out.push(pattern.with_file_name(candidate));
        }
    }
    out.sort();
    Ok(out)
}

/// Go's `filepath.Match` for one path element: `*` (any run), `?` (one character), classes
/// `[abc]`, `[a-z]`, `[^a-z]`, and `\` escaping the next character. A malformed class
/// matches nothing.
pub fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.first() {
        None => name.is_empty(),
        Some(b'*') => (0..=name.len()).any(|skip| glob_match(&pattern[1..], &name[skip..])),
        Some(b'?') => {
            let n = utf8_len(name);
            n > 0 && glob_match(&pattern[1..], &name[n..])
        }
        Some(b'[') => {
            let n = utf8_len(name);
            if n == 0 {
                return false;
            }
            match class_match(&pattern[1..], &name[..n]) {
                Some((true, rest)) => glob_match(rest, &name[n..]),
                _ => false,
            }
        }
        Some(b'\\') if pattern.len() > 1 => {
            name.first() == Some(&pattern[1]) && glob_match(&pattern[2..], &name[1..])
        }
        Some(c) => name.first() == Some(c) && glob_match(&pattern[1..], &name[1..]),
    }
}

/// Bytes in the first UTF-8 character of `s` (0 when empty).
fn utf8_len(s: &[u8]) -> usize {
    match s.first() {
        None => 0,
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4.min(s.len()),
        Some(b) if *b >= 0xE0 => 3.min(s.len()),
        Some(_) => 2.min(s.len()),
    }
}

/// Matches one character (`ch`, its UTF-8 bytes) against the class after `[`. Returns
/// whether it matched and the pattern after `]`, or `None` for a malformed class.
fn class_match<'p>(pattern: &'p [u8], ch: &[u8]) -> Option<(bool, &'p [u8])> {
    let (negated, mut p) = match pattern.first() {
        Some(b'^') => (true, &pattern[1..]),
        _ => (false, pattern),
    };
    let c = std::str::from_utf8(ch).ok()?.chars().next()?;
    let mut matched = false;
    let mut first = true;
    loop {
        match p.first() {
            None => return None,
            Some(b']') if !first => return Some((matched != negated, &p[1..])),
            _ => {}
        }
        first = false;
        let (lo, rest) = class_char(p)?;
        p = rest;
        let hi = if p.first() == Some(&b'-') && p.get(1).is_some_and(|b| *b != b']') {
            let (hi, rest) = class_char(&p[1..])?;
            p = rest;
            hi
        } else {
            lo
        };
        if lo <= c && c <= hi {
            matched = true;
        }
    }
}

/// One (possibly escaped) character of a class.
fn class_char(p: &[u8]) -> Option<(char, &[u8])> {
    let p = if p.first() == Some(&b'\\') {
        &p[1..]
    } else {
        p
    };
    let n = utf8_len(p);
    let c = std::str::from_utf8(p.get(..n)?).ok()?.chars().next()?;
    Some((c, &p[n..]))
}
