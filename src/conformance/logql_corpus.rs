//! Loki's LogQL parse corpora: `parse_ok.txt` (queries Loki accepts), `parse_err.txt` (queries
//! its parser rejects) and `eval_err.txt` (queries its parser accepts but its pipeline builder
//! rejects), one query a line with the escapes `\\`, `\n`, `\r` and `\xHH` for a raw byte. Each
//! line is one case, run through argus' LogQL parser.

use super::{Case, Outcome};
use crate::logql::Checks;

/// One corpus: its file name, whether its queries must parse, and with which checks.
#[derive(Clone, Copy, Debug)]
pub struct Corpus {
    pub file: &'static str,
    pub must_parse: bool,
    pub checks: Checks,
}

/// The corpora. eval_err.txt holds queries that Loki's parser accepts but its pipeline builder
/// rejects, so they go through the checks an engine applies ([`Checks::Eval`]); the other two
/// through the parser's alone.
pub const CORPORA: [Corpus; 3] = [
    Corpus {
        file: "parse_ok.txt",
        must_parse: true,
        checks: Checks::Syntax,
    },
    Corpus {
        file: "parse_err.txt",
        must_parse: false,
        checks: Checks::Syntax,
    },
    Corpus {
        file: "eval_err.txt",
        must_parse: false,
        checks: Checks::Eval,
    },
];

/// One case per non-empty line: the query must parse (`must_parse`) or be rejected.
pub fn cases(bytes: &[u8], corpus: Corpus) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            continue;
        }
        let query = decode(raw);
        let outcome = match (
            crate::logql::parse_with(&query, corpus.checks),
            corpus.must_parse,
        ) {
            (Ok(_), true) | (Err(_), false) => Outcome::Pass,
            (Err(e), true) => Outcome::Fail(e.to_string()),
            (Ok(_), false) => Outcome::Fail("parsed, but must be rejected".into()),
        };
        cases.push(Case {
            line: n + 1,
            command: String::from_utf8_lossy(raw).into_owned(),
            outcome,
        });
    }
    cases
}

/// Decodes the corpus escapes left to right: `\\`, `\n`, `\r`, `\xHH` (a raw byte); any other
/// backslash is kept as it is.
fn decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'x' => {
                    let hex = raw
                        .get(i + 2..i + 4)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_corpus_escapes_left_to_right() {
        assert_eq!(decode(br"a\\nb"), b"a\\nb".to_vec());
        assert_eq!(decode(br"a\nb\r"), b"a\nb\r".to_vec());
        assert_eq!(decode(br"\xa0\x41"), vec![0xa0, b'A']);
        assert_eq!(decode(br"\w \xZZ"), br"\w \xZZ".to_vec());
    }
}
