//! Tests of the extractors and matchers, re-expressing the cases of Loki's own parser, pattern
//! and ip tests (with data of our own) and the conformance examples.

use super::jsonscan::{get, Kind};
use super::*;
use crate::logql::ast::Extraction;
use crate::model::labels::is_valid_label_name;

/// What a stage sent, in order.
#[derive(Debug, Default)]
struct Recorder {
    added: Vec<(String, String)>,
    absent: Vec<(String, Absent)>,
}

impl Sink for Recorder {
    fn add(&mut self, name: &str, value: &str) {
        self.added.push((name.to_string(), value.to_string()));
    }

    fn absent(&mut self, name: &str, rule: Absent) {
        self.absent.push((name.to_string(), rule));
    }
}

impl Recorder {
    /// The pairs as a receiver keeping the first value of each name would hold them.
    fn first_wins(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (n, v) in &self.added {
            if !out.iter().any(|(m, _)| m == n) {
                out.push((n.clone(), v.clone()));
            }
        }
        out
    }

    fn absent_names(&self) -> Vec<&str> {
        self.absent.iter().map(|(n, _)| n.as_str()).collect()
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn params(list: &[(&str, &str)]) -> Vec<Extraction> {
    list.iter()
        .map(|(l, e)| Extraction {
            label: l.to_string(),
            expression: e.to_string(),
        })
        .collect()
}

fn json_err(details: &str) -> ExtractError {
    ExtractError {
        kind: JSON_PARSER_ERR,
        details: details.to_string(),
    }
}

fn logfmt_err(details: &str) -> ExtractError {
    ExtractError {
        kind: LOGFMT_PARSER_ERR,
        details: details.to_string(),
    }
}

// ---- sanitizing ----

#[test]
fn sanitize_follows_loki() {
    for (raw, want) in [
        ("level", "level"),
        ("a.b", "a_b"),
        ("a-b c", "a_b_c"),
        ("9x", "_9x"),
        ("  padded  ", "padded"),
        ("  ", ""),
        ("", ""),
        ("é", "_"),
        ("ключ", "____"),
        ("_ok_9", "_ok_9"),
    ] {
        assert_eq!(sanitize_label_name(raw), want, "{raw:?}");
    }
    let mut buf = String::from("stale");
    sanitize_into("x.y", &mut buf);
    assert_eq!(buf, "x_y");
    assert!(is_valid_label_name("_a9"));
    assert!(!is_valid_label_name("9a"));
    assert!(!is_valid_label_name(""));
    assert!(!is_valid_label_name("a.b"));
}

// ---- the JSON scanner ----

#[test]
fn scanner_reads_values_as_jsonparser() {
    let read = |t: &str| get(t).map(|v| (v.raw.to_string(), v.kind));
    assert_eq!(read(r#" "a\"b" "#), Ok((r#"a\"b"#.into(), Kind::String)));
    assert_eq!(read("12abc,"), Ok(("12abc".into(), Kind::Number)));
    assert_eq!(read("-"), Ok(("-".into(), Kind::Number)));
    assert_eq!(read("true}"), Ok(("true".into(), Kind::Boolean)));
    assert_eq!(read("null"), Ok(("null".into(), Kind::Null)));
    assert_eq!(
        read(r#"[1,"]",{}]x"#),
        Ok((r#"[1,"]",{}]"#.into(), Kind::Array))
    );
    assert_eq!(read(r#"{"a":{"b":[}]}}"#).unwrap().1, Kind::Object);
    assert!(read("tru").is_err());
    assert!(read("nul").is_err());
    assert!(read("x").is_err());
    assert!(read(r#""open"#).is_err());
    assert!(read("   ").is_err());
}

// ---- | json ----

fn json(line: &str) -> (Recorder, Result<(), ExtractError>) {
    let mut r = Recorder::default();
    let res = json_all(line, &mut r);
    (r, res)
}

#[test]
fn json_flattens_nested_objects() {
    let (r, res) = json(
        r#"{"svc":"cart","env":"prod","pod":{"id":"p1","owner":{"kind":"rs"}},"next":{"ok":false}}"#,
    );
    assert_eq!(res, Ok(()));
    assert_eq!(
        r.added,
        pairs(&[
            ("svc", "cart"),
            ("env", "prod"),
            ("pod_id", "p1"),
            ("pod_owner_kind", "rs"),
            ("next_ok", "false"),
        ])
    );
}

#[test]
fn json_conformance_edge_cases() {
    // Numbers and booleans keep their text; null and arrays drop.
    let (r, res) = json(
        r#"{"lvl":"warn","obj":{"x":1,"y":{"z":2}},"ok":true,"no":false,"nil":null,"arr":[1,2],"f":1.5}"#,
    );
    assert_eq!(res, Ok(()));
    assert_eq!(
        r.added,
        pairs(&[
            ("lvl", "warn"),
            ("obj_x", "1"),
            ("obj_y_z", "2"),
            ("ok", "true"),
            ("no", "false"),
            ("f", "1.5"),
        ])
    );
    // A dotted key sanitizes; a duplicate is sent twice and the receiver keeps the first.
    let (r, _) = json(r#"{"level":"parsed","a.b":1,"dup":"first","dup":"second"}"#);
    assert_eq!(
        r.first_wins(),
        pairs(&[("level", "parsed"), ("a_b", "1"), ("dup", "first")])
    );
}

#[test]
fn json_numbers_and_keys() {
    let (r, _) = json(r#"{"hits":7, "cost": {"_net_":0.25}, "big":1e5, "9x":1, "o":{"9y":2}}"#);
    assert_eq!(
        r.added,
        pairs(&[
            ("hits", "7"),
            ("cost__net_", "0.25"),
            ("big", "1e5"),
            ("_9x", "1"),
            ("o_9y", "2"),
        ])
    );
    let (r, _) = json(r#"{"re-try":1,"a b":2}"#);
    assert_eq!(r.added, pairs(&[("re_try", "1"), ("a_b", "2")]));
}

#[test]
fn json_blank_keys() {
    // A blank object key adds nothing to the prefix; a blank leaf key gives an empty name.
    let (r, _) = json(r#"{" ": {"host":"h1"}}"#);
    assert_eq!(r.added, pairs(&[("host", "h1")]));
    let (r, _) = json(r#"{" ": {" ":"v"}}"#);
    assert_eq!(r.added, pairs(&[("", "v")]));
    let (r, _) = json(r#"{"": {"":"v"}}"#);
    assert_eq!(r.added, pairs(&[("", "v")]));
    let (r, _) = json(r#"{"a": {" ": {"b":1}}}"#);
    assert_eq!(r.added, pairs(&[("a__b", "1")]));
}

#[test]
fn json_string_values() {
    let (r, _) = json(r#"{"msg":"say \\\"hi\"","u":"caf\u00e9","smile":"\ud83d\ude00"}"#);
    assert_eq!(
        r.added,
        pairs(&[("msg", r#"say \"hi""#), ("u", "café"), ("smile", "😀")])
    );
    // U+FFFD becomes a space; an invalid escape empties the value.
    let (r, _) = json("{\"a\":\"x\u{FFFD}y\",\"b\":\"bad \\q\"}");
    assert_eq!(r.added, pairs(&[("a", "x y"), ("b", "")]));
    // An escaped key is unescaped before sanitizing.
    let (r, _) = json(r#"{"k\u0041y":1}"#);
    assert_eq!(r.added, pairs(&[("kAy", "1")]));
}

#[test]
fn json_errors() {
    let object = "Value looks like object, but can't find closing '}' symbol";
    for line in ["{n}", "broken", "", "  ", "[1]", r#"{"a":1 "b":2}"#] {
        assert_eq!(json(line).1, Err(json_err(object)), "{line:?}");
    }
    assert_eq!(json(r#"{"a":nope}"#).1, Err(json_err("Unknown value type")));
    assert_eq!(json(r#"{"a":"#).1, Err(json_err("Malformed JSON error")));
    assert_eq!(
        json(r#"{"a":1"#).1,
        Err(json_err(
            "Value is array, but can't find closing ']' symbol"
        ))
    );
    assert_eq!(
        json(r#"{"a\q":1}"#).1,
        Err(json_err(
            "Encountered an invalid escape sequence in a string"
        ))
    );
    // A nested object's fault fails the line.
    assert_eq!(
        json(r#"{"a":{"b"}}"#).1,
        Err(json_err("Malformed JSON error"))
    );
}

#[test]
fn json_partial_lines() {
    // Fields before the fault have been sent.
    let (r, res) = json(r#"{"a":1,"b":2,}"#);
    assert!(res.is_err());
    assert_eq!(r.added, pairs(&[("a", "1"), ("b", "2")]));
    // jsonparser only notices a comma right before the brace.
    assert_eq!(json(r#"{"a":1, }"#).1, Ok(()));
    // Text after the object is not looked at.
    let (r, res) = json(r#"{"a":1} trailing {junk"#);
    assert_eq!(res, Ok(()));
    assert_eq!(r.added, pairs(&[("a", "1")]));
    // Nor is the inside of an array.
    assert_eq!(json(r#"{"a":[1,}],"b":2}"#).1, Ok(()));
    assert_eq!(json("{}").1, Ok(()));
}

// ---- | json a="path" ----

const DOC: &str = r#"{"svc":"cart","key with space":"v1","ключ 👍":"v2","nothing":null,"flag":false,"env":"prod","pod":{"id":"p1","spec":{"ref":"abc", "ports": [80,443,8080,"http"]}}}"#;

fn json_params(list: &[(&str, &str)], line: &str) -> (Recorder, Result<(), ExtractError>) {
    let stage = JsonExpressions::new(&params(list)).expect("valid parameters");
    let mut r = Recorder::default();
    let res = stage.extract(line, &mut r);
    (r, res)
}

#[test]
fn json_params_read_paths() {
    for (expr, want) in [
        ("svc", "cart"),
        (r#"["key with space"]"#, "v1"),
        (r#"["ключ 👍"]"#, "v2"),
        ("pod.id", "p1"),
        (r#"pod["id"]"#, "p1"),
        (r#"["pod"]["id"]"#, "p1"),
        (r#"["pod"].id"#, "p1"),
        ("pod.spec.ports[0]", "80"),
        ("pod.spec.ports[3]", "http"),
        ("pod.spec.ports", r#"[80,443,8080,"http"]"#),
        (
            "pod.spec",
            r#"{"ref":"abc", "ports": [80,443,8080,"http"]}"#,
        ),
        ("nothing", ""),
        ("flag", "false"),
    ] {
        let (r, res) = json_params(&[("out", expr)], DOC);
        assert_eq!(res, Ok(()), "{expr}");
        assert_eq!(r.added, pairs(&[("out", want)]), "{expr}");
        assert!(r.absent.is_empty(), "{expr}");
    }
}

#[test]
fn json_params_missing_paths() {
    for expr in [
        r#"pod[""]"#,
        r#"pod.spec.ports[""]"#,
        "pod.nope",
        "pod.spec.ports[9]",
        "a.b.c",
    ] {
        let (r, res) = json_params(&[("out", expr)], DOC);
        assert_eq!(res, Ok(()), "{expr}");
        assert!(r.added.is_empty(), "{expr}");
        assert_eq!(r.absent, vec![("out".to_string(), Absent::UnlessAnyLabel)]);
    }
    let (r, _) = json_params(&[("id", "pod.id")], "{}");
    assert_eq!(r.absent_names(), ["id"]);
}

#[test]
fn json_params_several() {
    let (r, res) = json_params(&[("b", "env"), ("a", "svc"), ("z", "zzz")], DOC);
    assert_eq!(res, Ok(()));
    // In line order, not parameter order.
    assert_eq!(r.added, pairs(&[("a", "cart"), ("b", "prod")]));
    assert_eq!(r.absent_names(), ["z"]);
    // The first occurrence of a path wins.
    let (r, _) = json_params(&[("d", "dup")], r#"{"dup":"first","dup":"second"}"#);
    assert_eq!(r.added, pairs(&[("d", "first")]));
    // A key of the same name at another depth does not count.
    let (r, _) = json_params(&[("id", "id")], r#"{"pod":{"id":"inner"},"id":"outer"}"#);
    assert_eq!(r.added, pairs(&[("id", "outer")]));
}

#[test]
fn json_params_conformance() {
    let line = r#"{"user":{"id":"u1","name":"alice"},"tags":["x","y"]}"#;
    let (r, _) = json_params(&[("who", "user.id"), ("tag", "tags[0]")], line);
    assert_eq!(r.added, pairs(&[("who", "u1"), ("tag", "x")]));
    let (r, _) = json_params(&[("age", "user.age")], line);
    assert!(r.added.is_empty());
    assert_eq!(r.absent_names(), ["age"]);
    // An index into an array of objects, then a key.
    let (r, _) = json_params(&[("n", "items[1].n")], r#"{"items":[{"n":1},{"n":2}]}"#);
    assert_eq!(r.added, pairs(&[("n", "2")]));
    // A top-level array.
    let (r, _) = json_params(&[("n", "[0].n")], r#"[{"n":"first"}]"#);
    assert_eq!(r.added, pairs(&[("n", "first")]));
}

#[test]
fn json_params_scan_rules() {
    // Keys inside an array are only reached through an index.
    let (r, _) = json_params(&[("id", "id")], r#"{"arr":[{"id":1}],"id":2}"#);
    assert_eq!(r.added, pairs(&[("id", "2")]));
    let (r, _) = json_params(&[("id", "arr.id")], r#"{"arr":[{"id":1}]}"#);
    assert_eq!(r.absent_names(), ["id"]);
    // Text inside string values is not mistaken for keys.
    let (r, _) = json_params(&[("id", "id")], r#"{"s":"{\"id\":1}","id":2}"#);
    assert_eq!(r.added, pairs(&[("id", "2")]));
    // A string array element is unescaped; an escaped line key still matches.
    let (r, _) = json_params(&[("t", "items[0]")], r#"{"items":["a\"b"]}"#);
    assert_eq!(r.added, pairs(&[("t", r#"a"b"#)]));
    let (r, _) = json_params(&[("k", "ab")], r#"{"a\u0062":1}"#);
    assert_eq!(r.added, pairs(&[("k", "1")]));
}

#[test]
fn json_params_string_values() {
    // A string holding JSON is unescaped; an object is kept as written.
    let (r, _) = json_params(&[("app", "app")], r#"{"app":"{ \"k\": \"v\"}"}"#);
    assert_eq!(r.added, pairs(&[("app", r#"{ "k": "v"}"#)]));
    let (r, _) = json_params(&[("app", "app")], r#"{"app":{"name":"great \"loki\""}}"#);
    assert_eq!(r.added, pairs(&[("app", r#"{"name":"great \"loki\""}"#)]));
    let (r, _) = json_params(&[("app", "app")], r#"{"app":"{\"n\":\"x \\\"y\\\"\"}"}"#);
    assert_eq!(r.added, pairs(&[("app", r#"{"n":"x \"y\""}"#)]));
}

#[test]
fn json_params_bad_lines() {
    // Not starting like JSON: an error without details, and no absent parameters.
    let (r, res) = json_params(&[("id", "pod.id")], "not json");
    assert_eq!(res, Err(json_err("")));
    assert!(r.added.is_empty() && r.absent.is_empty());
    // An empty line: nothing at all.
    let (r, res) = json_params(&[("id", "pod.id")], "");
    assert_eq!(res, Ok(()));
    assert!(r.added.is_empty() && r.absent.is_empty());
    // A key outside any object.
    let (r, res) = json_params(&[("a", "a")], r#""a":1"#);
    assert_eq!(res, Err(json_err("Malformed JSON error")));
    assert_eq!(r.absent_names(), ["a"]);
    // A malformed value at a path: an error, and the other parameters still come.
    let (r, res) = json_params(&[("a", "a"), ("b", "b")], r#"{"a":tru,"b":2}"#);
    assert_eq!(res, Err(json_err("Unknown value type")));
    assert_eq!(r.added, pairs(&[("b", "2")]));
    assert_eq!(r.absent_names(), ["a"]);
    // Otherwise a broken line just ends the scan.
    let (r, res) = json_params(&[("a", "a"), ("b", "b")], r#"{"a":1,"b"#);
    assert_eq!(res, Ok(()));
    assert_eq!(r.added, pairs(&[("a", "1")]));
}

#[test]
fn json_params_compile_errors() {
    assert!(JsonExpressions::new(&params(&[("app", "user[")]))
        .unwrap_err()
        .starts_with("cannot parse expression [user[]"));
    assert_eq!(
        JsonExpressions::new(&params(&[("9app", "a")])).unwrap_err(),
        "invalid extracted label name '9app'"
    );
}

// ---- | logfmt ----

fn logfmt(strict: bool, keep_empty: bool, line: &str) -> (Recorder, Result<(), ExtractError>) {
    let stage = Logfmt::new(strict, keep_empty, &[]).expect("valid stage");
    let mut r = Recorder::default();
    let res = stage.extract(line, &mut r);
    (r, res)
}

type Pairs = Vec<(String, String)>;

/// Runs a line plain and strict: the plain pairs, then the strict pairs and error.
fn logfmt_both(line: &str) -> (Pairs, Pairs, Option<String>) {
    let (plain, res) = logfmt(false, false, line);
    assert_eq!(res, Ok(()), "only --strict reports errors");
    let (strict, res) = logfmt(true, false, line);
    (plain.added, strict.added, res.err().map(|e| e.details))
}

#[test]
fn logfmt_well_formed_lines() {
    for (line, want) in [
        (r#"msg="a b""#, vec![("msg", "a b")]),
        (
            r#"msg="a b" took=10ms"#,
            vec![("msg", "a b"), ("took", "10ms")],
        ),
        (r#"msg="a\nb\tc""#, vec![("msg", "a\nb\tc")]),
        ("msg=\"a\nb\tc\"", vec![("msg", "a\nb\tc")]),
        (r#"msg="a b\\r c""#, vec![("msg", r"a b\r c")]),
        ("msg=\"a b\nc\\\\d\"", vec![("msg", "a b\nc\\d")]),
        (
            r#"msg="it\'s \u00e9 \ud83d\ude00""#,
            vec![("msg", "it's é 😀")],
        ),
        ("x.y=1 test-dash=z", vec![("x_y", "1"), ("test_dash", "z")]),
        ("a=1\tb=2\nc=3", vec![("a", "1"), ("b", "2"), ("c", "3")]),
        (r#"a="x"b=1"#, vec![("a", "x"), ("b", "1")]),
        ("", vec![]),
    ] {
        let (plain, strict, err) = logfmt_both(line);
        assert_eq!(plain, pairs(&want), "{line:?}");
        assert_eq!(strict, plain, "{line:?}");
        assert_eq!(err, None, "{line:?}");
    }
}

#[test]
fn logfmt_malformed_pairs() {
    for (line, plain_want, strict_want, err) in [
        (
            "foobar====wqe=sdad1r",
            vec![],
            vec![],
            "logfmt syntax error at pos 8 : unexpected '='",
        ),
        (
            r#"k="v w" =notkey bar=10ms"#,
            vec![("k", "v w"), ("bar", "10ms")],
            vec![("k", "v w")],
            "logfmt syntax error at pos 9 : unexpected '='",
        ),
        (
            "k=\"v w\" b\u{FFFD}r=10ms",
            vec![("k", "v w")],
            vec![("k", "v w")],
            "logfmt syntax error at pos 14 : invalid key",
        ),
        (
            r#"k="v w" bu"zz=10ms"#,
            vec![("k", "v w")],
            vec![("k", "v w")],
            "logfmt syntax error at pos 11 : unexpected '\"'",
        ),
        (
            r#"bar=bu=zz k="v w""#,
            vec![("k", "v w")],
            vec![],
            "logfmt syntax error at pos 7 : unexpected '='",
        ),
        (
            r#"good=1 bad="unterminated"#,
            vec![("good", "1")],
            vec![("good", "1")],
            "logfmt syntax error at pos 25 : unterminated quoted value",
        ),
        (
            r#"a="\x" b=2"#,
            vec![("b", "2")],
            vec![],
            "logfmt syntax error at pos 7 : invalid quoted value",
        ),
        (
            "b\u{FFFD}r c=1",
            vec![("c", "1")],
            vec![],
            "logfmt syntax error at pos 6 : invalid key",
        ),
    ] {
        let (plain, strict, got) = logfmt_both(line);
        assert_eq!(plain, pairs(&plain_want), "{line:?}");
        assert_eq!(strict, pairs(&strict_want), "{line:?}");
        assert_eq!(got.as_deref(), Some(err), "{line:?}");
    }
    assert_eq!(
        logfmt(true, false, "a=b=c").1,
        Err(logfmt_err("logfmt syntax error at pos 4 : unexpected '='"))
    );
}

#[test]
fn logfmt_empty_values_and_duplicates() {
    let (r, _) = logfmt(false, false, "lone k=v empty=");
    assert_eq!(r.added, pairs(&[("k", "v")]));
    let (r, _) = logfmt(false, true, "lone k=v empty=");
    assert_eq!(r.added, pairs(&[("lone", ""), ("k", "v"), ("empty", "")]));
    // Both duplicates are sent, in order; the receiver keeps the first.
    let (r, _) = logfmt(false, false, "k=first k=second");
    assert_eq!(r.added, pairs(&[("k", "first"), ("k", "second")]));
    // U+FFFD in a value becomes a space, before the emptiness test.
    let (r, _) = logfmt(false, false, "a=b\u{FFFD}r z=\u{FFFD}");
    assert_eq!(r.added, pairs(&[("a", "b r"), ("z", " ")]));
}

#[test]
fn logfmt_conformance_line() {
    let line = r#"a-b=1 9x=2 dup=first dup=second msg="hi there" empty="#;
    let want = [
        ("a_b", "1"),
        ("_9x", "2"),
        ("dup", "first"),
        ("msg", "hi there"),
    ];
    assert_eq!(logfmt(false, false, line).0.first_wins(), pairs(&want));
    let mut with_empty = want.to_vec();
    with_empty.push(("empty", ""));
    assert_eq!(logfmt(false, true, line).0.first_wins(), pairs(&with_empty));
}

fn logfmt_params(
    strict: bool,
    list: &[(&str, &str)],
    line: &str,
) -> (Recorder, Result<(), ExtractError>) {
    let stage = Logfmt::new(strict, false, &params(list)).expect("valid stage");
    let mut r = Recorder::default();
    let res = stage.extract(line, &mut r);
    (r, res)
}

#[test]
fn logfmt_params_select_and_rename() {
    let line = r#"app=cart level=error spaces="v with ÜFT8👌" ts=2021-02-12T19:18:10Z empty="#;
    let (r, _) = logfmt_params(false, &[("level", "level"), ("code", "status")], line);
    assert_eq!(r.added, pairs(&[("level", "error")]));
    assert_eq!(
        r.absent,
        vec![("code".to_string(), Absent::UnlessBaseLabel)]
    );
    let (r, _) = logfmt_params(
        false,
        &[("lvl", "level"), ("t", "ts"), ("s", "spaces")],
        line,
    );
    assert_eq!(
        r.added,
        pairs(&[
            ("lvl", "error"),
            ("s", "v with ÜFT8👌"),
            ("t", "2021-02-12T19:18:10Z")
        ])
    );
    // Empty values are sent with parameters.
    let (r, _) = logfmt_params(false, &[("empty", "empty")], line);
    assert_eq!(r.added, pairs(&[("empty", "")]));
    // The conformance case.
    let (r, _) = logfmt_params(
        false,
        &[("level", "level"), ("code", "status")],
        "level=info status=200 msg=hi",
    );
    assert_eq!(r.added, pairs(&[("level", "info"), ("code", "200")]));
    assert!(r.absent.is_empty());
}

#[test]
fn logfmt_params_quirks() {
    // A line key equal to a parameter's label sets that label too.
    let (r, _) = logfmt_params(false, &[("code", "status")], "code=5 status=200");
    assert_eq!(r.added, pairs(&[("code", "5"), ("code", "200")]));
    // A value holding U+FFFD becomes empty.
    let (r, _) = logfmt_params(false, &[("a", "a")], "a=b\u{FFFD}r");
    assert_eq!(r.added, pairs(&[("a", "")]));
    // Strict stops at the first fault.
    let (r, res) = logfmt_params(true, &[("a", "a"), ("b", "b")], "a=1 x=y=z b=2");
    assert_eq!(r.added, pairs(&[("a", "1")]));
    assert_eq!(r.absent_names(), ["b"]);
    assert_eq!(
        res,
        Err(logfmt_err("logfmt syntax error at pos 8 : unexpected '='"))
    );
}

#[test]
fn logfmt_compile_errors() {
    assert!(Logfmt::new(false, false, &params(&[("app", "field with space")])).is_err());
    assert_eq!(
        Logfmt::new(false, false, &params(&[("a-b", "x")])).unwrap_err(),
        "invalid extracted label name 'a-b'"
    );
}

// ---- | regexp ----

fn regexp(re: &str, line: &str) -> Vec<(String, String)> {
    let stage = RegexpExtractor::new(re).expect("valid regexp");
    let mut r = Recorder::default();
    stage.extract(line, &mut r);
    r.added
}

#[test]
fn regexp_extracts_named_captures() {
    assert!(regexp("(?P<x>foo|bar)buzz", "blah").is_empty());
    assert_eq!(
        regexp("(?P<x>.*)buzz", "firstbuzz secondbuzz"),
        pairs(&[("x", "firstbuzz second")])
    );
    assert_eq!(
        regexp(
            r"status=(?P<status>\w+),took=(?P<took>\w+)(ms|ns)",
            "status=200,took=500ms"
        ),
        pairs(&[("status", "200"), ("took", "500")])
    );
    // A group that takes no part gives "".
    assert_eq!(
        regexp("(?P<a>x)?(?P<b>y)", "y"),
        pairs(&[("a", ""), ("b", "y")])
    );
    assert_eq!(
        regexp(
            r"(?P<method>\w+) (?P<path>\S+) (?P<status>\d+)",
            "GET /home 200"
        ),
        pairs(&[("method", "GET"), ("path", "/home"), ("status", "200")])
    );
}

#[test]
fn regexp_compile_errors() {
    let missing = "at least one named capture must be supplied";
    assert_eq!(RegexpExtractor::new("w.*").unwrap_err(), missing);
    assert_eq!(RegexpExtractor::new("f(.*) (a|b)").unwrap_err(), missing);
    assert!(RegexpExtractor::new("blah (.*) (?P<foo>)").is_ok());
    assert_eq!(
        RegexpExtractor::new("(?P<x>.)(?P<x>.)").unwrap_err(),
        "duplicate extracted label name 'x'"
    );
    assert_eq!(
        RegexpExtractor::new("(?P<a.b>x)").unwrap_err(),
        "invalid extracted label name 'a.b'"
    );
    assert!(RegexpExtractor::new("(")
        .unwrap_err()
        .starts_with("error parsing regexp"));
}

// ---- | pattern and |> ----

fn pattern_captures(p: &str, line: &str) -> Vec<String> {
    let pattern = Pattern::new(p).expect("valid pattern");
    let mut r = Recorder::default();
    pattern.extract(line, &mut r);
    r.added.into_iter().map(|(_, v)| v).collect()
}

/// Loki's matcher fixtures: the pattern, the line, the captures, and the `|>` verdict.
const PATTERN_FIXTURES: &[(&str, &str, &[&str], bool)] = &[
    ("foo <foo> bar", "foo buzz bar", &["buzz"], true),
    ("foo <foo> bar<fuzz>", "foo buzz bar", &["buzz", ""], false),
    ("<foo>foo <bar> bar", "foo buzz bar", &["", "buzz"], false),
    ("<foo> bar<fuzz>", " bar", &["", ""], false),
    ("<foo>bar<baz>", " bar ", &[" ", " "], true),
    ("<foo> bar<baz>", " bar ", &["", " "], false),
    ("<foo>bar <baz>", " bar ", &[" ", ""], false),
    ("<foo>", " bar ", &[" bar "], true),
    (
        "<path>?<_>",
        "/api/check?slug=a,b&v=7.0.0",
        &["/api/check"],
        true,
    ),
    ("<path>?<_>", "/api/status", &["/api/status"], false),
    (
        r#"<ip> <userid> <user> [<_>] "<method> <path> <_>" <status> <size>"#,
        r#"10.0.0.7 ident bob [10/Oct/2000:13:55:36 -0700] "GET /logo.gif HTTP/1.0" 200 2326"#,
        &[
            "10.0.0.7",
            "ident",
            "bob",
            "GET",
            "/logo.gif",
            "200",
            "2326",
        ],
        true,
    ),
    (
        "<_> <id> [<level>] ",
        "2021-05-19T07:40:12.215792Z 4276 [Note] Aborted connection 4276",
        &["4276", "Note"],
        false,
    ),
    (
        "<level>  [<component>]<_> in <duration>.<_>",
        "INFO  [Service Thread] 2021-05-19 GCInspector.java:284 - ParNew GC in 248ms.  CMS Old",
        &["INFO", "Service Thread", "248ms"],
        true,
    ),
    (
        r#"<_> msg="<method> <path> (<status>) <duration>""#,
        r#"level=debug caller=logging.go:66 msg="POST /loki/api/v1/push (204) 1.2ms""#,
        &["POST", "/loki/api/v1/push", "204", "1.2ms"],
        true,
    ),
    (
        "unicode <emoji> character",
        "unicode 🤷 character",
        &["🤷"],
        true,
    ),
    (
        "unicode ▶ <what>",
        "unicode ▶ character",
        &["character"],
        true,
    ),
];

#[test]
fn pattern_matches_loki_fixtures() {
    for (p, line, captures, verdict) in PATTERN_FIXTURES {
        assert_eq!(pattern_captures(p, line), *captures, "{p:?} on {line:?}");
        assert_eq!(
            Pattern::new(p).unwrap().matches(line),
            *verdict,
            "{p:?} on {line:?}"
        );
    }
}

#[test]
fn pattern_extract_names() {
    let p = Pattern::new("<method> <_> <status>").unwrap();
    let mut r = Recorder::default();
    p.extract("GET /home 200", &mut r);
    assert_eq!(r.added, pairs(&[("method", "GET"), ("status", "200")]));
    assert_eq!(p.names().collect::<Vec<_>>(), ["method", "status"]);
    // A short line fills the leading captures only.
    let p = Pattern::new("<method> <path>").unwrap();
    let mut r = Recorder::default();
    p.extract("POST", &mut r);
    assert_eq!(r.added, pairs(&[("method", "POST")]));
    // A leading literal the line does not start with: nothing. An empty line: nothing.
    assert!(pattern_captures(r#"foo <f>""#, "bar").is_empty());
    assert!(pattern_captures("<a> b", "").is_empty());
}

#[test]
fn pattern_line_filter() {
    let get_200 = Pattern::new("GET <_> 200").unwrap();
    assert!(get_200.matches("GET /api 200"));
    assert!(!get_200.matches("POST /api 500"));
    assert!(
        !get_200.matches("GET  200"),
        "an empty capture does not match"
    );
    // Without a capture the pattern is the whole line.
    let literal = Pattern::new("GET /api").unwrap();
    assert!(literal.matches("GET /api"));
    assert!(!literal.matches("GET /api 200"));
    // Loki searches for the leading literal rather than anchoring it.
    assert!(literal.matches("xGET /api"));
    let any = Pattern::new("<_>").unwrap();
    assert!(any.matches("anything"));
    assert!(!any.matches(""));
    let empty = Pattern::new("").unwrap();
    assert!(empty.matches(""));
    assert!(!empty.matches("x"));
    assert!(Pattern::new("level=error <_>")
        .unwrap()
        .matches("level=error x"));
    assert!(Pattern::new("<a><b>").is_err());
}

// ---- | unpack ----

fn unpack_line(line: &str) -> (Recorder, Result<Option<String>, ExtractError>) {
    let mut r = Recorder::default();
    let res = unpack(line, &mut r).map(|e| e.map(|e| e.into_owned()));
    (r, res)
}

#[test]
fn unpack_promotes_string_fields() {
    let (r, res) =
        unpack_line(r#"{"n":1,"app":"cart","env":"prod","_entry":"the message","pod":{"id":"1"}}"#);
    assert_eq!(res, Ok(Some("the message".into())));
    assert_eq!(r.added, pairs(&[("app", "cart"), ("env", "prod")]));
    // Conformance: the entry feeds a following parser.
    let (r, res) = unpack_line(r#"{"lvl":"packed","_entry":"code=42"}"#);
    assert_eq!(res, Ok(Some("code=42".into())));
    assert_eq!(r.added, pairs(&[("lvl", "packed")]));
    // Names sanitize; the entry is unescaped.
    let (r, res) =
        unpack_line(r#"{"x.y":"10ms","a-b":"z","_entry":"I0303 \"Pod status\" pod=\"ns/p\" ok"}"#);
    assert_eq!(res, Ok(Some(r#"I0303 "Pod status" pod="ns/p" ok"#.into())));
    assert_eq!(r.added, pairs(&[("x_y", "10ms"), ("a_b", "z")]));
}

#[test]
fn unpack_without_entry_or_line() {
    let (r, res) = unpack_line(r#"{"n":1,"app":"cart"}"#);
    assert_eq!(res, Ok(None));
    assert!(r.added.is_empty());
    assert_eq!(unpack_line("").1, Ok(None));
    // The last entry wins; an empty entry empties the line.
    assert_eq!(
        unpack_line(r#"{"_entry":"a","_entry":"b"}"#).1,
        Ok(Some("b".into()))
    );
    assert_eq!(unpack_line(r#"{"_entry":""}"#).1, Ok(Some(String::new())));
}

#[test]
fn unpack_errors() {
    let not_object = json_err("expecting json object(6), but it is not");
    for line in [
        r#""app":"cart","_entry":"m""#,
        r#"["a","b"]"#,
        "not json",
        " {}",
    ] {
        assert_eq!(unpack_line(line).1, Err(not_object.clone()), "{line:?}");
    }
    // A malformed object sends nothing, even before the fault.
    let (r, res) = unpack_line(r#"{"app":"cart","_entry":"m",}"#);
    assert!(res.is_err());
    assert!(r.added.is_empty());
    assert_eq!(
        unpack_line(r#"{"app":"x","_entry":"bad \q"}"#).1,
        Err(json_err(
            "Encountered an invalid escape sequence in a string"
        ))
    );
}

// ---- ip() ----

fn ip_matches(pattern: &str, lines: &[&str]) -> Vec<usize> {
    let f = IpFilter::new(pattern).expect("valid pattern");
    (0..lines.len())
        .filter(|&i| f.matches_line(lines[i]))
        .collect()
}

#[test]
fn ip_single_addresses() {
    let lines = [
        "vpn 10.1.0.5 connected",
        "vpn 10.1.0.1 connected",
        "x",
        "hello world!",
        "",
    ];
    assert_eq!(ip_matches("10.1.0.1", &lines), [1]);
    let lines = ["vpn ::1 connected", "vpn 10.1.0.1 connected", "x", ""];
    assert_eq!(ip_matches("::1", &lines), [0]);
}

#[test]
fn ip_ranges_and_cidrs() {
    let lines = [
        "vpn 192.168.0.0 connected",
        "vpn 192.168.0.0 192.168.0.1 connected",
        "vpn 192.172.6.1 connected",
        "vpn 192.255.255.255 connected",
        "x",
    ];
    assert_eq!(ip_matches("192.168.0.1-192.189.10.12", &lines), [1, 2]);
    assert_eq!(ip_matches("192.168.4.5/16", &lines), [0, 1]);
    let lines = [
        "vpn 10.0.0.1 connected",
        "vpn 2001:db8::2 connected",
        "vpn 2001:db8::9 connected",
        "vpn 2001:db8::5 connected",
    ];
    assert_eq!(ip_matches("2001:db8::1-2001:db8::8", &lines), [1, 3]);
    let lines = [
        "vpn 2001:db8::1 connected",
        "vpn 2001:db9::3 connected",
        "vpn 2001:dc8::1 and 2001:db8::2 connected",
        "vpn 192.168.255.255 connected",
    ];
    assert_eq!(ip_matches("2001:db8::/32", &lines), [0, 2]);
}

#[test]
fn ip_conformance_lines() {
    let lines = ["src 192.168.1.10 ok", "src 10.0.0.9 ok", "no ip here"];
    assert_eq!(ip_matches("192.168.1.0/24", &lines), [0]);
    assert_eq!(ip_matches("10.0.0.0/8", &lines), [1]);
}

#[test]
fn ip_scan_edges() {
    let f = IpFilter::new("10.0.0.1").unwrap();
    // The address may end the line, or sit among other characters.
    assert!(f.matches_line("from=10.0.0.1"));
    assert!(f.matches_line("10.0.0.1"));
    assert!(f.matches_line("[10.0.0.1]:80"));
    // A longer run is not the address; leading zeros are not an address.
    assert!(!f.matches_line("10.0.0.100"));
    assert!(!f.matches_line("v 010.0.0.1 x"));
    assert!(!f.matches_line("10.0.0.1.5 x"));
    // The families do not mix.
    assert!(!IpFilter::new("::ffff:10.0.0.1")
        .unwrap()
        .matches_line("x 10.0.0.1 y"));
    assert!(IpFilter::new("::ffff:10.0.0.1")
        .unwrap()
        .matches_line("x ::ffff:10.0.0.1 y"));
    // Too short for the scan's look-ahead.
    let lo = IpFilter::new("::1").unwrap();
    assert!(!lo.matches_line("::1"));
    assert!(!lo.matches_line("::1 "));
    assert!(lo.matches_line("::1 x"));
    assert!(lo.matches_value("::1 x"));
    assert!(!lo.matches_value("::1"));
    assert!(f.matches_value("10.0.0.1"));
    assert!(!f.matches_value("10.0.0.2"));
}

#[test]
fn ip_invalid_patterns() {
    for p in ["notanip", "", "192.168.0.2-1.0.0.0", "10.0.0.0/33"] {
        assert!(
            IpFilter::new(p)
                .unwrap_err()
                .starts_with("ip: invalid pattern"),
            "{p:?}"
        );
    }
}
