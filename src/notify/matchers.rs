//! Alertmanager's label matchers: the `matchers:` lines of routes and inhibition rules
//! (`alertname="X"`, `severity=~"a|b"`, `{a="b",c!="d"}`), the old `match`/`match_re` maps,
//! and silences all end up as these.
//!
//! They differ from PromQL's matchers ([`crate::model::Matcher`]) in three ways that show:
//! regular expressions are anchored as `^(?:re)$` without `(?s)` (so `.` does not match a
//! newline), a matcher prints as `name="value"` with OpenMetrics escaping (the form that ends
//! up in route keys and so in group keys), and lists sort by name, then value, then operator.
//!
//! The parser is Alertmanager's classic one (`pkg/labels`): tolerant of unquoted values and
//! spaces. Alertmanager 0.27 and later parse with both its classic and its UTF-8 parser and
//! keep the classic result whenever the classic parser accepts the input, so this gives the
//! same matchers for every input the classic parser accepts. Inputs only the UTF-8 parser
//! accepts (quoted label names, names outside `[a-zA-Z_:][a-zA-Z0-9_:]*`) are refused here.

use crate::gotmpl::strconv::quote;
use crate::model::Labels;
use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

/// The four operators, in the order Alertmanager sorts them (`=`, `!=`, `=~`, `!~`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchType {
    Equal,
    NotEqual,
    Regexp,
    NotRegexp,
}

impl MatchType {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchType::Equal => "=",
            MatchType::NotEqual => "!=",
            MatchType::Regexp => "=~",
            MatchType::NotRegexp => "!~",
        }
    }

    fn parse(op: &str) -> Option<MatchType> {
        Some(match op {
            "=" => MatchType::Equal,
            "!=" => MatchType::NotEqual,
            "=~" => MatchType::Regexp,
            "!~" => MatchType::NotRegexp,
            _ => return None,
        })
    }
}

/// One `name op value` condition on an alert's labels; a missing label matches as "".
#[derive(Clone)]
pub struct Matcher {
    pub kind: MatchType,
    pub name: String,
    pub value: String,
    /// The compiled `^(?:value)$` of the two regex operators.
    re: Option<Regex>,
}

impl Matcher {
    /// Builds a matcher; only a regex operator with an invalid pattern fails.
    pub fn new(kind: MatchType, name: &str, value: &str) -> Result<Matcher, String> {
        let re = match kind {
            MatchType::Regexp | MatchType::NotRegexp => {
                Some(Regex::new(&format!("^(?:{value})$")).map_err(|e| {
                    format!(
                        "error parsing regexp {}: {}",
                        quote(value, '"', false),
                        first_line(&e)
                    )
                })?)
            }
            _ => None,
        };
        Ok(Matcher {
            kind,
            name: name.to_string(),
            value: value.to_string(),
            re,
        })
    }

    /// An equality matcher (cannot fail: there is no pattern to compile).
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher {
            kind: MatchType::Equal,
            name: name.to_string(),
            value: value.to_string(),
            re: None,
        }
    }

    /// Does a label value (or "" for a missing label) satisfy this matcher?
    pub fn matches(&self, value: &str) -> bool {
        let re_match = || self.re.as_ref().is_some_and(|r| r.is_match(value));
        match self.kind {
            MatchType::Equal => value == self.value,
            MatchType::NotEqual => value != self.value,
            MatchType::Regexp => re_match(),
            MatchType::NotRegexp => !re_match(),
        }
    }

    pub fn matches_labels(&self, labels: &Labels) -> bool {
        self.matches(labels.get_or_empty(&self.name))
    }

    /// Alertmanager's order of matchers: by name, then value, then operator.
    pub fn order(&self, o: &Matcher) -> Ordering {
        (&self.name, &self.value, self.kind).cmp(&(&o.name, &o.value, o.kind))
    }
}

/// The first line of a regex error (the crate's errors draw a caret diagram below it).
fn first_line(e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines.last().map(|l| l.trim().to_string()).unwrap_or(text)
}

impl PartialEq for Matcher {
    fn eq(&self, o: &Matcher) -> bool {
        self.kind == o.kind && self.name == o.name && self.value == o.value
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Matcher {
    /// `name="value"` with OpenMetrics escaping of the value; a name holding characters the
    /// classic syntax reserves is Go-quoted, and then so is the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.chars().any(is_reserved) {
            let (n, v) = (
                quote(&self.name, '"', false),
                quote(&self.value, '"', false),
            );
            return write!(f, "{n}{}{v}", self.kind.as_str());
        }
        write!(
            f,
            "{}{}\"{}\"",
            self.name,
            self.kind.as_str(),
            open_metrics_escape(&self.value)
        )
    }
}

fn is_reserved(c: char) -> bool {
    c.is_whitespace() || "{}!=~,\\\"'`".contains(c)
}

/// Backslash, newline and double quote escaped, nothing else (OpenMetrics' escaping).
fn open_metrics_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// Sorts matchers in Alertmanager's order (routes and inhibition rules keep theirs sorted).
pub fn sort(matchers: &mut [Matcher]) {
    matchers.sort_by(|a, b| a.order(b));
}

/// `{m1,m2}` as Alertmanager prints a matcher list (the part of a route key).
pub fn list_string(matchers: &[Matcher]) -> String {
    let parts: Vec<String> = matchers.iter().map(|m| m.to_string()).collect();
    format!("{{{}}}", parts.join(","))
}

/// True when every matcher accepts `labels`.
pub fn all_match(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| m.matches_labels(labels))
}

/// Parses a comma-separated list of matchers, optionally in braces (`{a="b", c=~"d"}`,
/// `a=b,c!=d`). Commas inside double quotes do not separate; a trailing comma is allowed.
pub fn parse_list(input: &str) -> Result<Vec<Matcher>, String> {
    let s = input.strip_prefix('{').unwrap_or(input);
    let s = s.strip_suffix('}').unwrap_or(s);
    let mut tokens = Vec::new();
    let mut token = String::new();
    let (mut inside_quotes, mut escaped) = (false, false);
    for c in s.chars() {
        match c {
            ',' if !inside_quotes => {
                tokens.push(std::mem::take(&mut token));
                continue;
            }
            ',' => {}
            '"' if !escaped => inside_quotes = !inside_quotes,
            '"' => escaped = false,
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
        token.push(c);
    }
    let last = token.trim();
    if !last.is_empty() {
        tokens.push(last.to_string());
    }
    tokens.iter().map(|t| parse_one(t)).collect()
}

/// The classic syntax of one matcher: a label name, an operator, and a value that may be
/// double-quoted; spaces around each part are dropped.
fn matcher_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The pattern is a constant known to compile.
        Regex::new(r"^[\t\n\x0C\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*)[\t\n\x0C\r ]*(=~|=|!=|!~)[\t\n\x0C\r ]*((?s).*?)[\t\n\x0C\r ]*$")
            .expect("constant pattern")
    })
}

/// Parses one matcher (`severity=~"crit|warn"`, `job = api`).
pub fn parse_one(input: &str) -> Result<Matcher, String> {
    let caps = matcher_re()
        .captures(input)
        .ok_or_else(|| format!("bad matcher format: {input}"))?;
    let (name, op, raw) = (&caps[1], &caps[2], &caps[3]);
    let value = unescape_value(raw)?;
    // The operator group only captures one of the four spellings.
    let kind = MatchType::parse(op).unwrap_or(MatchType::Equal);
    Matcher::new(kind, name, &value)
}

/// The value part: an optional pair of double quotes, `\"`, `\n` and `\\` as escapes, and a
/// backslash before anything else kept literally.
fn unescape_value(raw: &str) -> Result<String, String> {
    let unescaped_quote = || format!("matcher value contains unescaped double quote: {raw}");
    let (body, mut expect_quote) = match raw.strip_prefix('"') {
        Some(rest) => (rest, true),
        None => (raw, false),
    };
    let mut value = String::with_capacity(body.len());
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
            match c {
                'n' => value.push('\n'),
                '"' | '\\' => value.push(c),
                _ => {
                    value.push('\\');
                    value.push(c);
                }
            }
            continue;
        }
        let last = i + c.len_utf8() == body.len();
        match c {
            '\\' if !last => escaped = true,
            '\\' => value.push('\\'),
            '"' if !expect_quote || !last => return Err(unescaped_quote()),
            '"' => expect_quote = false,
            c => value.push(c),
        }
    }
    if expect_quote {
        return Err(unescaped_quote());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn the_documented_forms_parse() {
        let ms = parse_list(r#"{foo = "bar", dings != "bums", }"#).unwrap();
        assert_eq!(list_string(&ms), r#"{foo="bar",dings!="bums"}"#);
        let ms = parse_list("foo=bar,dings!=bums").unwrap();
        assert_eq!(list_string(&ms), r#"{foo="bar",dings!="bums"}"#);
        let ms =
            parse_list(r#"{quote="She said: \"Hi, ladies! That's gender-neutral…\""}"#).unwrap();
        assert_eq!(
            ms[0].value,
            r#"She said: "Hi, ladies! That's gender-neutral…""#
        );
        let ms = parse_list(r#"statuscode=~"5..""#).unwrap();
        assert_eq!(ms[0].kind, MatchType::Regexp);
        assert!(ms[0].matches("503") && !ms[0].matches("403"));
    }

    #[test]
    fn bad_inputs_are_refused_with_alertmanagers_words() {
        assert_eq!(parse_one("=x").unwrap_err(), "bad matcher format: =x");
        assert_eq!(parse_list("a=b,,c=d").unwrap_err(), "bad matcher format: ");
        assert!(parse_one(r#"a="b"c""#)
            .unwrap_err()
            .contains("unescaped double quote"));
        assert!(parse_one(r#"a="b"#)
            .unwrap_err()
            .contains("unescaped double quote"));
        assert!(parse_one(r#"a=~"(""#)
            .unwrap_err()
            .contains("error parsing regexp"));
    }

    #[test]
    fn escapes_and_spurious_backslashes() {
        assert_eq!(parse_one(r#"a="x\ny""#).unwrap().value, "x\ny");
        assert_eq!(parse_one(r#"a="x\ty""#).unwrap().value, "x\\ty");
        assert_eq!(parse_one(r"a=x\").unwrap().value, "x\\");
        assert_eq!(parse_one("a=").unwrap().value, "");
        assert_eq!(parse_one("  job  =  my api  ").unwrap().value, "my api");
    }

    #[test]
    fn regexes_are_anchored_and_dot_does_not_match_newline() {
        let m = parse_one("a=~b.").unwrap();
        assert!(m.matches("bc"));
        assert!(!m.matches("abc"));
        assert!(!m.matches("b\n"));
        let n = parse_one(r#"a!~"""#).unwrap();
        assert!(n.matches("x") && !n.matches(""));
    }

    #[test]
    fn missing_labels_match_as_empty() {
        let m = parse_one(r#"team="""#).unwrap();
        assert!(m.matches_labels(&l(&[("a", "b")])));
        assert!(!m.matches_labels(&l(&[("team", "x")])));
    }

    #[test]
    fn sorting_is_by_name_value_then_operator() {
        let mut ms = parse_list(r#"b="1",a!="2",a="2",a="1""#).unwrap();
        sort(&mut ms);
        assert_eq!(list_string(&ms), r#"{a="1",a="2",a!="2",b="1"}"#);
    }

    #[test]
    fn printing_escapes_values_the_openmetrics_way() {
        let m = Matcher::new(MatchType::Equal, "a", "x\"y\\z\n\t").unwrap();
        assert_eq!(m.to_string(), "a=\"x\\\"y\\\\z\\n\t\"");
        let q = Matcher::new(MatchType::Equal, "a b", "c").unwrap();
        assert_eq!(q.to_string(), r#""a b"="c""#);
    }
}
