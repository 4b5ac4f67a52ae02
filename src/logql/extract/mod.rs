//! The evaluation side of LogQL's parser stages and line matchers, as pure functions on one log
//! line: `| json` (all fields, or `a="path"` parameters), `| logfmt` (with `--strict`,
//! `--keep-empty` and parameters), `| regexp`, `| pattern`, `| unpack`, the `|>` / `!>` pattern
//! filters and `ip()` in line and label filters. Each follows Loki's own behaviour, quirks
//! included, since queries must give the same answers as on Loki.
//!
//! Extractors hand `(name, value)` pairs to a [`Sink`] in line order. Names are already
//! sanitized (see [`sanitize_label_name`]); values borrow from the line unless they had to be
//! unescaped. What Loki does with a pair is the receiver's job, because only it knows the
//! labels the line already carries:
//!
//! - **clash**: a name equal to a stream or structured-metadata label of the line gets the
//!   suffix [`EXTRACTED_SUFFIX`] (`level` → `level_extracted`); the original label keeps its
//!   value. Precedence of equal final names: parsed > metadata > stream.
//! - **duplicates**: a name that occurs twice in one line keeps its first value, as does a name
//!   an earlier parser stage already extracted for this line.
//! - **empty names**: `| json` and `| unpack` pass on a name that sanitizes to nothing (a blank
//!   key), as Loki does; the receiver may prefer to drop it.
//! - **absent parameters**: `| json a="path"` and `| logfmt a="key"` report a parameter that
//!   matched nothing through [`Sink::absent`], with the rule Loki applies ([`Absent`]).
//! - **errors**: a failed line becomes `__error__=<kind>` and, when `details` is not empty,
//!   `__error_details__=<details>` ([`ERROR_LABEL`], [`ERROR_DETAILS_LABEL`]). Pairs sent before
//!   (or, for JSON parameters, after) the failure stay: Loki keeps them next to the error.

mod ip;
mod json;
mod jsonscan;
mod logfmt;
mod pattern;
mod regexp;
mod sanitize;
mod unpack;

#[cfg(test)]
mod tests;

pub use ip::IpFilter;
pub use json::{json_all, JsonExpressions};
pub use logfmt::Logfmt;
pub use pattern::Pattern;
pub use regexp::RegexpExtractor;
pub use sanitize::{sanitize_into, sanitize_label_name};
pub use unpack::unpack;

/// `__error__` value of a line `| json` or `| unpack` could not parse.
pub const JSON_PARSER_ERR: &str = "JSONParserErr";
/// `__error__` value of a line `| logfmt --strict` could not parse.
pub const LOGFMT_PARSER_ERR: &str = "LogfmtParserErr";
/// The label carrying a line's error kind.
pub const ERROR_LABEL: &str = "__error__";
/// The label carrying the parser's explanation of the error.
pub const ERROR_DETAILS_LABEL: &str = "__error_details__";
/// Appended to an extracted name that clashes with a label of the line.
pub const EXTRACTED_SUFFIX: &str = "_extracted";
/// The `| unpack` key whose value replaces the line (Promtail's `pack` stage).
pub const PACKED_ENTRY_KEY: &str = "_entry";

/// Receives what a parser stage extracts from one line.
pub trait Sink {
    /// One extracted pair, in line order. The name is sanitized; it may repeat within a line.
    fn add(&mut self, name: &str, value: &str);

    /// A parameter (`| json a="path"`, `| logfmt a="key"`) found nothing in the line.
    fn absent(&mut self, name: &str, rule: Absent);
}

/// What Loki does with a parameter that matched nothing (see [`Sink::absent`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// `| json a="path"`: `a=""`, unless a label called `a` already exists (stream, metadata
    /// or extracted by an earlier stage), which then stays as it is.
    UnlessAnyLabel,
    /// `| logfmt a="key"`: `a=""`, unless a stream or metadata label called `a` exists; it
    /// replaces a value an earlier parser stage gave `a`.
    UnlessBaseLabel,
}

/// Why a line failed to parse: the `__error__` value and the `__error_details__` text (empty
/// when Loki sets no details label).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractError {
    pub kind: &'static str,
    pub details: String,
}

impl ExtractError {
    fn json(details: impl Into<String>) -> ExtractError {
        ExtractError {
            kind: JSON_PARSER_ERR,
            details: details.into(),
        }
    }
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.details.is_empty() {
            f.write_str(self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.details)
        }
    }
}

impl std::error::Error for ExtractError {}
