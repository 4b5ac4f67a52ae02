//! Unit tests of the template executor and its function library: the `line_format` and
//! `label_format` cases of Loki's `fmt_test.go` (in our own data), then Go's text/template,
//! fmt and time semantics one area at a time.

use super::exec::render;
use super::parse::parse;
use super::time::parse_in_location;
use super::zone::{load_location, zone_from_rule, Zone};

/// Labels as Loki hands them to a template.
fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn run_full(tpl: &str, pairs: &[(&str, &str)], line: &str, ts: i64) -> Result<String, String> {
    let t = parse(tpl).unwrap_or_else(|e| panic!("{tpl}: parse error {e}"));
    let mut out = String::new();
    render(&t, &labels(pairs), line, ts, &mut out).map(|()| out)
}

fn run(tpl: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
    run_full(tpl, pairs, "a log line", 0)
}

/// A template, its labels, and the expected output or part of the expected error.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// Checks a table of (template, labels, expected output).
fn check_ok(cases: &[Case]) {
    for (tpl, pairs, want) in cases {
        match run(tpl, pairs) {
            Ok(got) => assert_eq!(got, *want, "template {tpl:?}"),
            Err(e) => panic!("template {tpl:?} failed: {e}"),
        }
    }
}

/// Checks a table of (template, labels, part of the expected error).
fn check_err(cases: &[Case]) {
    for (tpl, pairs, want) in cases {
        match run(tpl, pairs) {
            Ok(got) => panic!("template {tpl:?} rendered {got:?}, expected error {want:?}"),
            Err(e) => assert!(
                e.contains(want),
                "template {tpl:?}: error {e:?} lacks {want:?}"
            ),
        }
    }
}

const BLIP: &[(&str, &str)] = &[("foo", "blip"), ("bar", "blop")];
const CAPS: &[(&str, &str)] = &[("foo", "BLIp"), ("bar", "blop")];
const NONE: &[(&str, &str)] = &[];

#[test]
fn loki_line_format_strings() {
    check_ok(&[
        (r#"{{.foo | count "abc" }}"#, &[("foo", "abc abc abc")], "3"),
        (
            r#"{{.foo | count "a|b|c" }}"#,
            &[("foo", "abc abc abc")],
            "9",
        ),
        ("foo{{.foo}}buzz{{  .bar  }}", BLIP, "fooblipbuzzblop"),
        (
            r#"foo{{.foo}}buzz{{ Replace .bar "blop" "bar" -1 }}"#,
            BLIP,
            "fooblipbuzzbar",
        ),
        (
            r#"foo{{.foo}}buzz{{ .bar | replace "blop" "bar" }}"#,
            BLIP,
            "fooblipbuzzbar",
        ),
        ("{{.foo | title }}", BLIP, "Blip"),
        (
            "{{.foo | substr 1 3 }} {{ .bar  | trunc 1 }} {{ .bar  | trunc 3 }}",
            BLIP,
            "li b blo",
        ),
        (
            r#"{{.foo | trim }} {{ .bar  | trimAll "op" }} {{ .bar  | trimPrefix "b" }} {{ .bar  | trimSuffix "p" }}"#,
            &[("foo", "  blip "), ("bar", "blop")],
            "blip bl lop blo",
        ),
        ("{{.foo | lower }} {{ .bar  | upper }}", CAPS, "blip BLOP"),
        (
            "{{.foo | urlencode }} {{ urlencode .foo }}",
            &[(
                "foo",
                r#"/api/v1/query?query=sum(rate({app="x", env=~"p.*"}"#,
            )],
            "%2Fapi%2Fv1%2Fquery%3Fquery%3Dsum%28rate%28%7Bapp%3D%22x%22%2C+env%3D~%22p.%2A%22%7D \
             %2Fapi%2Fv1%2Fquery%3Fquery%3Dsum%28rate%28%7Bapp%3D%22x%22%2C+env%3D~%22p.%2A%22%7D",
        ),
        (
            "{{.foo | urldecode }} {{ urldecode .foo }}",
            &[("foo", "%2Fq%3Fa%3D%22x%22+y")],
            r#"/q?a="x" y /q?a="x" y"#,
        ),
        (r#"{{ "foo" | repeat 3 }}"#, NONE, "foofoofoo"),
        (r#"{{ "foo\n bar" | indent 4 }}"#, NONE, "    foo\n     bar"),
        (r#"{{ "foo" | nindent 2 }}"#, NONE, "\n  foo"),
        (
            r#"{{ if  .foo | contains "p"}}yes{{end}}-{{ if  .foo | contains "z"}}no{{end}}"#,
            CAPS,
            "yes-",
        ),
        (
            r#"{{ if  .foo | hasPrefix "BL" }}yes{{end}}-{{ if  .foo | hasPrefix "p"}}no{{end}}"#,
            CAPS,
            "yes-",
        ),
        (
            r#"{{ if  .foo | hasSuffix "Ip" }}yes{{end}}-{{ if  .foo | hasSuffix "pw"}}no{{end}}"#,
            CAPS,
            "yes-",
        ),
        (r#"{{ regexReplaceAll "(p)" .foo "t" }}"#, CAPS, "BLIt"),
        (
            r#"{{ regexReplaceAll "(?P<x>L)(I)" .foo "${2}$x" }}"#,
            CAPS,
            "BILp",
        ),
        (
            r#"{{ regexReplaceAllLiteral "(p)" .foo "${1}" }}"#,
            CAPS,
            "BLI${1}",
        ),
        (
            "foo {{.foo}}buzz{{  .bar  }}",
            &[("bar", "blop")],
            "foo buzzblop",
        ),
        (
            "foo {{.foo | ToUpper }} buzz{{  .bar  }}",
            BLIP,
            "foo BLIP buzzblop",
        ),
        (
            r#"{{.foo | default "-" }}{{.bar | default "-"}}{{.unknown | default "-"}}"#,
            &[("foo", "blip"), ("bar", "")],
            "blip--",
        ),
        (
            "{{ .foo | b64enc }}",
            &[("foo", "i'm a string, encode me!")],
            "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh",
        ),
        (
            "{{ .foo | b64dec }}",
            &[("foo", "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh")],
            "i'm a string, encode me!",
        ),
        ("{{ alignLeft 4 .foo }}", &[("foo", "hello")], "hell"),
        ("{{ alignRight 4 .foo }}", &[("foo", "hello")], "ello"),
        ("{{.foo}}", &[("foo", "bar")], "bar"),
        ("{{.foo}}  ", &[("foo", "bar")], "bar  "),
        ("{{.missing}}", &[("foo", "bar")], ""),
    ]);
}

#[test]
fn loki_line_format_math_and_conversions() {
    check_ok(&[
        (
            "{{ add .foo 1 | sub .bar | mul .baz | div .bazz}}",
            &[("foo", "1"), ("bar", "3"), ("baz", "10"), ("bazz", "20")],
            "2",
        ),
        (
            "{{ addf .foo 1.5 | subf .bar 1.5 | mulf .baz | divf .bazz }}",
            &[
                ("foo", "1.5"),
                ("bar", "5"),
                ("baz", "10.5"),
                ("bazz", "20.2"),
            ],
            "3.8476190476190477",
        ),
        (
            "{{ round (addf .foo 1.5 | subf .bar | mulf .baz | divf .bazz) 5 .2}}",
            &[
                ("foo", "1.5"),
                ("bar", "3.5"),
                ("baz", "10.5"),
                ("bazz", "20.4"),
            ],
            "3.88572",
        ),
        (
            "min is {{ min .foo .bar .baz }} and max is {{ max .foo .bar .baz }}",
            &[("foo", "5"), ("bar", "10"), ("baz", "15")],
            "min is 5 and max is 15",
        ),
        (
            "minf is {{ minf .foo .bar .baz }} and maxf is {{maxf .foo .bar .baz}}",
            &[("foo", "5.3"), ("bar", "10.5"), ("baz", "15.2")],
            "minf is 5.3 and maxf is 15.2",
        ),
        (
            "ceil is {{ ceil .foo }} and floor is {{floor .foo }}",
            &[("foo", "5.3")],
            "ceil is 6 and floor is 5",
        ),
        ("mod is {{ mod .foo 3 }}", &[("foo", "20")], "mod is 2"),
        (r#"{{ "2.5" | float64 | int | add 10}}"#, NONE, "12"),
        ("{{ .foo | bytes }}", &[("foo", "3 kB")], "3000"),
        ("{{ .foo | bytes }}", &[("foo", "3MB")], "3e+06"),
        ("{{ .foo | bytes }}", &[("foo", "1.5KiB")], "1536"),
        ("{{ .foo | duration }}", &[("foo", "3ms")], "0.003"),
        ("{{ .foo | duration_seconds }}", &[("foo", "3m10s")], "190"),
        ("{{ div .status 100 }}", &[("status", "200")], "2"),
    ]);
}

#[test]
fn loki_dates_and_times() {
    let zoned = &[("foo", "2023-03-10T01:32:40.340485723Z")][..];
    check_ok(&[
        (
            r#"{{ sub (unixEpoch (toDate "2006-01-02" "2021-11-02")) (unixEpoch (toDate "2006-01-02" "2021-11-01")) }}"#,
            NONE,
            "86400",
        ),
        (
            r#"{{ date "2006-01-02" (toDate "2006-01-02" "2021-11-02") }}"#,
            NONE,
            "2021-11-02",
        ),
        ("{{ div (unixEpoch now) (unixEpoch now) }}", NONE, "1"),
        (
            r#"{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochMillis }}"#,
            zoned,
            "1678411960340",
        ),
        (
            r#"{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochNanos }}"#,
            zoned,
            "1678411960340485723",
        ),
    ]);
    // Noon UTC: the same date in every zone within eleven hours of UTC.
    let noon = 1_656_331_200_120_000_000;
    let got = run_full(
        r#"{{ __timestamp__ | date "2006-01-02" }} bar {{ .bar }}"#,
        &[("bar", "2")],
        "",
        noon,
    );
    assert_eq!(got.unwrap(), "2022-06-27 bar 2");
    let got = run_full(
        "{{ __timestamp__ | unixEpoch }}",
        NONE,
        "",
        1_661_518_453_244_672_570,
    );
    assert_eq!(got.unwrap(), "1661518453");
    let got = run_full("{{ __line__ }} bar {{ .bar }}", &[("bar", "2")], "1", 0);
    assert_eq!(got.unwrap(), "1 bar 2");
    let got = run_full(r#"{{ __line__ | count "test" }}"#, NONE, "test line", 0);
    assert_eq!(got.unwrap(), "1");
    let got = run_full(
        r#"{{ __line__ | count "notmatching.*" }}"#,
        NONE,
        "test line",
        0,
    );
    assert_eq!(got.unwrap(), "0");
}

#[test]
fn loki_unix_to_time() {
    let utc = r#"{{ (.bar | unixToTime).UTC.Format "2006-01-02T15:04:05.000000Z07:00" }}"#;
    check_ok(&[
        (utc, &[("bar", "19503")], "2023-05-26T00:00:00.000000Z"),
        (utc, &[("bar", "1679577215")], "2023-03-23T13:13:35.000000Z"),
        (
            utc,
            &[("bar", "1257894000000")],
            "2009-11-10T23:00:00.000000Z",
        ),
        (
            utc,
            &[("bar", "1673798889902000")],
            "2023-01-15T16:08:09.902000Z",
        ),
        (
            utc,
            &[("bar", "1000000000000000000")],
            "2001-09-09T01:46:40.000000Z",
        ),
    ]);
    check_err(&[
        (
            "{{ .bar | unixToTime }}",
            &[("bar", "abc")],
            "unable to parse time 'abc'",
        ),
        (
            "{{ .bar | unixToTime }}",
            &[("bar", "464")],
            "unable to parse time '464'",
        ),
    ]);
}

#[test]
fn loki_errors() {
    check_err(&[
        (
            r#"{{.foo Replace "foo"}}"#,
            BLIP,
            "foo is not a method but has arguments",
        ),
        (
            "{{.foo | now}}",
            BLIP,
            "wrong number of args for now: want 0 got 1",
        ),
        (
            r#"{{replace "test" .foo}}"#,
            BLIP,
            "wrong number of args for replace: want 3 got 2",
        ),
        (
            r#"{{ regexReplaceAll "a|b|\\q" .foo "x" }}"#,
            BLIP,
            "error calling regexReplaceAll",
        ),
        (r#"{{ count "a|b|\\K" .foo }}"#, BLIP, "error calling count"),
    ]);
}

#[test]
fn loki_align_and_trunc_edges() {
    let hello = &[("s", "Hello, 世界")][..];
    check_ok(&[
        ("{{ alignLeft -1 .s }}", hello, "Hello, 世界"),
        ("{{ alignLeft 0 .s }}", hello, ""),
        ("{{ alignLeft 8 .s }}", hello, "Hello, 世"),
        ("{{ alignLeft 12 .s }}|", hello, "Hello, 世界   |"),
        ("{{ alignRight 2 .s }}", hello, "世界"),
        ("{{ alignRight 12 .s }}", hello, "   Hello, 世界"),
        // sprig's trunc and substr count bytes.
        ("{{ trunc -2 .s }}", &[("s", "hello")], "lo"),
        ("{{ trunc 0 .s }}", &[("s", "hello")], ""),
        ("{{ trunc 20 .s }}", &[("s", "hello")], "hello"),
        ("{{ substr -1 2 .s }}", &[("s", "hello")], "he"),
        ("{{ substr 1 10 .s }}", &[("s", "hello")], "ello"),
        ("{{ substr 1 -1 .s }}", &[("s", "hello")], "ello"),
        ("{{ substr 2 2 .s }}", &[("s", "hello")], ""),
    ]);
    check_err(&[
        (
            "{{ substr 10 20 .s }}",
            &[("s", "hello")],
            "error calling substr: runtime error: slice bounds out of range [10:5]",
        ),
        (
            "{{ substr 3 1 .s }}",
            &[("s", "hello")],
            "slice bounds out of range [3:1]",
        ),
        (
            "{{ substr -1 10 .s }}",
            &[("s", "hello")],
            "slice bounds out of range [:10] with length 5",
        ),
    ]);
}

#[test]
fn data_fields_and_variables() {
    let ab = &[("b", "2"), ("a", "1")][..];
    check_ok(&[
        ("{{ . }}", ab, "map[a:1 b:2]"),
        ("{{ $ }}", ab, "map[a:1 b:2]"),
        ("{{ len . }}", ab, "2"),
        (r#"{{ index . "a" }}{{ index . "zz" }}"#, ab, "1"),
        ("{{ $x := .a }}{{ $x }}{{ $x = .b }}{{ $x }}", ab, "12"),
        (
            "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
            NONE,
            "2",
        ),
        (
            "{{ with .a }}[{{ . }}|{{ $.b }}]{{ else }}none{{ end }}",
            ab,
            "[1|2]",
        ),
        ("{{ with .zz }}[{{ . }}]{{ else }}none{{ end }}", ab, "none"),
        (
            "{{ if .zz }}1{{ else if .a }}2{{ else }}3{{ end }}",
            ab,
            "2",
        ),
        (
            "{{ range $k, $v := . }}{{ $k }}={{ $v }},{{ end }}",
            ab,
            "a=1,b=2,",
        ),
        ("{{ range . }}{{ . }}{{ end }}", ab, "12"),
        ("{{- .a -}}  \n {{- .b }}", ab, "12"),
    ]);
    check_err(&[
        ("{{ .a.b }}", ab, "can't evaluate field b in type string"),
        ("{{ $nope }}", ab, "undefined variable: $nope"),
        (
            r#"{{ "a" "b" }}"#,
            ab,
            r#"can't give argument to non-function "a""#,
        ),
        ("{{ .a | . }}", ab, "can't give argument to non-function ."),
        ("{{ nil }}", ab, "nil is not a command"),
        (r#"{{ template "x" }}"#, ab, r#"template "x" not defined"#),
    ]);
}

#[test]
fn ranges_break_continue_and_ints() {
    check_ok(&[
        (
            r#"{{ range $i, $e := fromJson "[\"a\",\"b\",\"c\"]" }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $i }}={{ $e }};{{ end }}"#,
            NONE,
            "0=a;2=c;",
        ),
        (
            r#"{{ range fromJson "[1,2,3]" }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ . }}{{ end }}"#,
            NONE,
            "1",
        ),
        (
            r#"{{ range fromJson "[]" }}x{{ else }}empty{{ end }}"#,
            NONE,
            "empty",
        ),
        (
            r#"{{ range (fromJson "null") }}x{{ else }}none{{ end }}"#,
            NONE,
            "none",
        ),
        ("{{ range 3 }}{{ . }}{{ end }}", NONE, "012"),
        ("{{ range $i := 2 }}<{{ $i }}>{{ end }}", NONE, "<0><1>"),
        (
            r#"{{ range index "\x02" 0 }}{{ printf "%T" . }}{{ end }}"#,
            NONE,
            "uint8uint8",
        ),
        (
            "{{ range add 1 1 }}{{ printf \"%T\" . }}{{ end }}",
            NONE,
            "int64int64",
        ),
        (
            r#"{{ range $k, $v := fromJson "{\"b\":1,\"a\":[true,null]}" }}{{ $k }}:{{ $v }} {{ end }}"#,
            NONE,
            "a:[true <nil>] b:1 ",
        ),
        (
            "{{ $x := 0 }}{{ range 3 }}{{ $x = . }}{{ end }}{{ $x }}",
            NONE,
            "2",
        ),
    ]);
    check_err(&[
        (
            "{{ range $i, $e := 3 }}{{ end }}",
            NONE,
            "can't use 3 to iterate over more than one variable",
        ),
        (
            r#"{{ range "abc" }}{{ end }}"#,
            NONE,
            "range can't iterate over abc",
        ),
        // A label is a string, which range cannot walk (even when missing).
        (
            "{{ range .missing }}{{ end }}",
            NONE,
            "range can't iterate over ",
        ),
    ]);
}

#[test]
fn truth_and_logic() {
    check_ok(&[
        (
            r#"{{ not "" }} {{ not 0 }} {{ not 0.5 }} {{ not .a }}"#,
            &[("a", "x")],
            "true true false false",
        ),
        (
            "{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 \"\" \"x\" }}|{{ or 0 \"\" }}|",
            NONE,
            "0|2|x||",
        ),
        (r#"{{ or .missing "fallback" }}"#, NONE, "fallback"),
        // `and` stops at the first false argument: the failing call is never made.
        ("{{ and false (div 1 0) }}", NONE, "false"),
        (r#"{{ "" | or "x" }}"#, NONE, "x"),
        ("{{ if now }}y{{ end }}", NONE, "y"),
        (r#"{{ if fromJson "{}" }}y{{ else }}n{{ end }}"#, NONE, "n"),
    ]);
}

#[test]
fn comparisons() {
    check_ok(&[
        (
            r#"{{ eq .a "1" }} {{ eq .a "2" "1" }} {{ ne .a "1" }}"#,
            &[("a", "1")],
            "true true false",
        ),
        (
            "{{ eq 1 1 }} {{ eq (add 1 2) 3 }} {{ eq (index \"abc\" 0) 97 }}",
            NONE,
            "true true true",
        ),
        ("{{ eq (len .a) 3 }}", &[("a", "abc")], "true"),
        (
            r#"{{ lt "a" "b" }} {{ le 2 2 }} {{ gt 2.5 1.5 }} {{ ge 1 2 }}"#,
            NONE,
            "true true true false",
        ),
        (
            r#"{{ eq nil nil }} {{ eq .missing "" }} {{ eq (fromJson "null") 1 }}"#,
            NONE,
            "true true false",
        ),
        (
            r#"{{ eq (toDateInZone "2006" "UTC" "2020") (toDateInZone "2006" "UTC" "2020") }}"#,
            NONE,
            "true",
        ),
    ]);
    check_err(&[
        (
            "{{ eq .a 1 }}",
            &[("a", "1")],
            "error calling eq: incompatible types for comparison",
        ),
        ("{{ lt 1 2.0 }}", NONE, "incompatible types for comparison"),
        ("{{ lt true false }}", NONE, "invalid type for comparison"),
        ("{{ lt nil 1 }}", NONE, "invalid type for comparison"),
        ("{{ eq 1 }}", NONE, "missing argument for comparison"),
        (
            r#"{{ eq (fromJson "[1]") (fromJson "[1]") }}"#,
            NONE,
            "non-comparable type [1]: []interface {}",
        ),
    ]);
}

#[test]
fn len_index_slice() {
    check_ok(&[
        (r#"{{ len "héllo" }} {{ "abc" | len }}"#, NONE, "6 3"),
        (
            r#"{{ index "abc" 1 }} {{ index (fromJson "[10,[20,30]]") 1 0 }}"#,
            NONE,
            "98 20",
        ),
        (
            r#"{{ index (fromJson "{\"a\":{\"b\":5}}") "a" "b" }}"#,
            NONE,
            "5",
        ),
        (r#"{{ index (fromJson "{}") "x" }}"#, NONE, "<no value>"),
        (
            r#"{{ slice "abcdef" 1 3 }} {{ slice "abcdef" 4 }} {{ slice (fromJson "[1,2,3]") 1 }}"#,
            NONE,
            "bc ef [2 3]",
        ),
    ]);
    check_err(&[
        (
            r#"{{ index "abc" 5 }}"#,
            NONE,
            "error calling index: index out of range: 5",
        ),
        (
            r#"{{ index "abc" 3 }}"#,
            NONE,
            "reflect: string index out of range",
        ),
        (
            r#"{{ index "abc" "x" }}"#,
            NONE,
            "cannot index slice/array with type string",
        ),
        (
            r#"{{ index . 1 }}"#,
            NONE,
            "value has type int; should be string",
        ),
        ("{{ index nil 1 }}", NONE, "index of untyped nil"),
        (
            r#"{{ slice "abc" 2 1 }}"#,
            NONE,
            "invalid slice index: 2 > 1",
        ),
        (
            r#"{{ slice "abc" 0 1 2 }}"#,
            NONE,
            "cannot 3-index slice a string",
        ),
        ("{{ len 3 }}", NONE, "error calling len: len of type int"),
    ]);
}

#[test]
fn argument_types_follow_go_signatures() {
    check_ok(&[
        // sprig's math takes anything and converts.
        (
            r#"{{ add "1" 2 }} {{ add "x" 2 }} {{ add "1.0" 1 }} {{ add "1.5" 1 }}"#,
            NONE,
            "3 2 2 1",
        ),
        (
            r#"{{ add "0x10" 0 }} {{ add true 1 }} {{ mul 2 3 4 }} {{ max 1 5 3 }}"#,
            NONE,
            "16 2 24 5",
        ),
        (
            r#"{{ int "12.00" }} {{ float64 "1e3" }} {{ float64 "abc" }}"#,
            NONE,
            "12 1000 0",
        ),
        // A missing label is an empty string, which string parameters accept.
        ("[{{ trunc 2 .missing }}]", NONE, "[]"),
        (
            "{{ trunc (len .a) .b }}",
            &[("a", "ab"), ("b", "xyz")],
            "xy",
        ),
        // The previous command's result is the last argument.
        (
            r#"{{ 3 | printf "%d-%s" "x" }}"#,
            NONE,
            "%!d(string=x)-%!s(int=3)",
        ),
    ]);
    check_err(&[
        (
            r#"{{ repeat .n "x" }}"#,
            &[("n", "3")],
            "wrong type for value; expected int; got string",
        ),
        (
            r#"{{ trunc (add 1 1) "abc" }}"#,
            NONE,
            "wrong type for value; expected int; got int64",
        ),
        (
            r#"{{ trunc 1.5 "abc" }}"#,
            NONE,
            "expected integer; found 1.5",
        ),
        ("{{ upper 3 }}", NONE, "expected string; found 3"),
        ("{{ upper nil }}", NONE, "cannot assign nil to string"),
        (
            r#"{{ upper (fromJson "null") }}"#,
            NONE,
            "invalid value; expected string",
        ),
        (
            r#"{{ unixEpoch "x" }}"#,
            NONE,
            r#"can't handle "x" for arg of type time.Time"#,
        ),
        (
            "{{ and }}",
            NONE,
            "wrong number of args for and: want at least 1 got 0",
        ),
        (
            "{{ not 1 2 }}",
            NONE,
            "wrong number of args for not: want 1 got 2",
        ),
        (
            "{{ call .a }}",
            &[("a", "x")],
            "error calling call: non-function .a of type string",
        ),
    ]);
}

#[test]
fn number_literals() {
    check_ok(&[
        (
            "{{ 0x10 }} {{ 1_000 }} {{ 017 }} {{ 'a' }} {{ -3 }} {{ 0b101 }}",
            NONE,
            "16 1000 15 97 -3 5",
        ),
        (
            "{{ 1e3 }} {{ 0x1p-2 }} {{ 1.5 }} {{ 3.0 }}",
            NONE,
            "1000 0.25 1.5 3",
        ),
    ]);
}

#[test]
fn parse_rejects_what_go_rejects() {
    for (tpl, why) in [
        ("{{ 99999999999999999999 }}", "integer overflow"),
        ("{{ 1x }}", "illegal number syntax"),
        ("{{ 0x1.8 }}", "illegal number syntax"),
        ("{{ break }}", "{{break}} outside {{range}}"),
        (
            "{{ range 3 }}{{ else }}{{ continue }}{{ end }}",
            "{{continue}} outside {{range}}",
        ),
        ("{{ true.x }}", "unexpected . after term"),
    ] {
        let e = parse(tpl).expect_err(tpl);
        assert!(e.contains(why), "{tpl}: {e}");
    }
}

#[test]
fn function_results_take_fields() {
    // `f.a` is `(f).a`: here the methods of the time `__timestamp__` returns.
    let got = run_full(
        "{{ __timestamp__.Unix }} {{ __timestamp__.UTC.Year }}",
        NONE,
        "",
        1_661_518_453_244_672_570,
    );
    assert_eq!(got.unwrap(), "1661518453 2022");
    check_ok(&[("{{ now.IsZero }}", NONE, "false")]);
    check_err(&[(
        "{{ __line__.x }}",
        NONE,
        "can't evaluate field x in type string",
    )]);
}

#[test]
fn printing_values() {
    check_ok(&[
        (
            "{{ 1e6 }} {{ 100000.0 }} {{ 1234567.0 }} {{ 0.0001 }} {{ 0.00001 }}",
            NONE,
            "1e+06 100000 1.234567e+06 0.0001 1e-05",
        ),
        (
            "{{ addf 0.1 0.2 }} {{ mulf 1.1 1.1 }} {{ subf 1 0.9 }} {{ mulf -1 0 }}",
            NONE,
            "0.3 1.21 0.1 0",
        ),
        (
            "{{ divf 1 3 }} {{ divf 2 3 }} {{ divf 1 8 }}",
            NONE,
            "0.3333333333333333 0.6666666666666667 0.125",
        ),
        (
            r#"{{ fromJson "[1,2.5,\"a\",true,null]" }}"#,
            NONE,
            "[1 2.5 a true <nil>]",
        ),
        (
            r#"{{ fromJson "{\"b\":1,\"a\":{\"c\":[]}}" }}"#,
            NONE,
            "map[a:map[c:[]] b:1]",
        ),
        (r#"{{ fromJson "not json" }}"#, NONE, "<no value>"),
        (
            r#"{{ (fromJson .j).a.b }}|{{ (fromJson .j).zz }}"#,
            &[("j", r#"{"a":{"b":"x"}}"#)],
            "x|<no value>",
        ),
        ("{{ print 1 2 \"a\" 3 \"b\" \"c\" }}", NONE, "1 2a3bc"),
        ("{{ println \"a\" 1 }}", NONE, "a 1\n"),
        ("{{ true }} {{ false }}", NONE, "true false"),
    ]);
    check_err(&[(
        r#"{{ (fromJson .j).zz.y }}"#,
        &[("j", "{}")],
        "nil pointer evaluating interface {}.y",
    )]);
}

#[test]
fn printf_verbs() {
    check_ok(&[
        (r#"{{ printf "%s-%d" .a 3 }}"#, &[("a", "x")], "x-3"),
        (
            r#"{{ printf "%.2f|%5.1f|%-6.2f|%08.3f" 3.14159 2.25 1.5 -3.14159 }}"#,
            NONE,
            "3.14|  2.2|1.50  |-003.142",
        ),
        (
            r#"{{ printf "%5s|%-5s|%.2s|%5.1s|" "ab" "cd" "xyz" "xyz" }}"#,
            NONE,
            "   ab|cd   |xy|    x|",
        ),
        (
            r#"{{ printf "%q %q %#q %+q" "a\"b" 65 "x" "é" }}"#,
            NONE,
            r#""a\"b" 'A' `x` "\u00e9""#,
        ),
        (
            r#"{{ printf "%x %X % x %#x" "hi" "hi" "hi" 255 }}"#,
            NONE,
            "6869 6869 68 69 0xff",
        ),
        (
            r#"{{ printf "%d %+d %05d %x %X %o %O %b %c %U" 42 5 -42 255 255 8 8 5 65 65 }}"#,
            NONE,
            "42 +5 -0042 ff FF 10 0o10 101 A U+0041",
        ),
        (
            r#"{{ printf "%e %E %g %G %.3g" 1234.5678 1234.5678 0.00001 1e21 1234.5678 }}"#,
            NONE,
            "1.234568e+03 1.234568E+03 1e-05 1E+21 1.23e+03",
        ),
        (
            r#"{{ printf "%v %v %v %t" 1.5 7 "s" true }}"#,
            NONE,
            "1.5 7 s true",
        ),
        (
            r#"{{ printf "%T %T %T %T" 1.5 7 "s" (add 1 2) }}"#,
            NONE,
            "float64 int string int64",
        ),
        (r#"{{ printf "%[2]d %[1]d" 1 2 }}"#, NONE, "2 1"),
        (r#"{{ printf "%*d|%-*d|" 4 7 3 8 }}"#, NONE, "   7|8  |"),
        (r#"{{ printf "%6.2f%%" 12.5 }}"#, NONE, " 12.50%"),
        (r#"{{ printf "%d" "x" }}"#, NONE, "%!d(string=x)"),
        (r#"{{ printf "%d %d" 1 }}"#, NONE, "1 %!d(MISSING)"),
        (r#"{{ printf "%d" 1 2 }}"#, NONE, "1%!(EXTRA int=2)"),
        (
            r#"{{ printf "%!" }}|{{ printf "%" }}|{{ printf "%-" 1 }}"#,
            NONE,
            "%!!(MISSING)|%!(NOVERB)|%!(NOVERB)%!(EXTRA int=1)",
        ),
        (r#"{{ printf "%z" 1 }}"#, NONE, "%!z(int=1)"),
        (
            r#"{{ printf "%v" nil }}|{{ printf "%s" nil }}"#,
            NONE,
            "<nil>|%!s(<nil>)",
        ),
        (
            r#"{{ printf "%v" (fromJson "{\"a\":1}") }}"#,
            NONE,
            "map[a:1]",
        ),
        (
            r#"{{ printf "%5.1f|%+.1e|% d" 3.14159 12345.678 7 }}"#,
            NONE,
            "  3.1|+1.2e+04| 7",
        ),
        (
            r#"{{ printf "%x %.3x" 1.0 3.0 }}"#,
            NONE,
            "0x1p+00 0x1.800p+01",
        ),
        (
            r#"{{ printf "%s %d" (toDateInZone "2006-01-02" "UTC" "2021-03-04").Month (toDateInZone "2006-01-02" "UTC" "2021-03-04").Month }}"#,
            NONE,
            "March 3",
        ),
    ]);
}

#[test]
fn escapers() {
    check_ok(&[
        (
            r#"{{ html "<a href='x'>&\"</a>" }}"#,
            NONE,
            "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;",
        ),
        (
            r#"{{ js "it's <b>=\"é\"" }}"#,
            NONE,
            r#"it\'s \u003Cb\u003E\u003D\"é\""#,
        ),
        (r#"{{ urlquery "a b&c/é" }}"#, NONE, "a+b%26c%2F%C3%A9"),
        (r#"{{ html .missing }}|{{ html 1 "a" }}"#, NONE, "|1a"),
        (r#"{{ urldecode "a%20b+c" }}"#, NONE, "a b c"),
    ]);
    check_err(&[(
        r#"{{ urldecode "%zz" }}"#,
        NONE,
        r#"error calling urldecode: invalid URL escape "%zz""#,
    )]);
}

#[test]
fn string_functions() {
    check_ok(&[
        (
            r#"{{ title "hello wORLD foo_bar x-y" }}"#,
            NONE,
            "Hello WORLD Foo_bar X-Y",
        ),
        (
            r#"{{ upper "straße" }} {{ lower "İSTANBUL" }} {{ ToUpper "ǆ" }} {{ title "ǆa" }}"#,
            NONE,
            "STRAßE istanbul Ǆ ǅa",
        ),
        (
            r#"{{ Replace "aaa" "a" "b" 2 }} {{ Replace "aaa" "a" "b" -1 }} {{ replace "" "-" "ab" }}"#,
            NONE,
            "bba bbb -a-b-",
        ),
        (
            r#"{{ Trim "xxhixx" "x" }} {{ TrimLeft "xxhixx" "x" }} {{ TrimRight "xxhixx" "x" }}"#,
            NONE,
            "hi hixx xxhi",
        ),
        (
            r#"{{ TrimPrefix "prefix-x" "prefix-" }} {{ TrimSuffix "x.log" ".log" }} [{{ TrimSpace "  a \n" }}]"#,
            NONE,
            "x x [a]",
        ),
        (
            r#"{{ contains "" "abc" }} {{ hasPrefix "" "abc" }} {{ trimAll "$" "$$5$" }}"#,
            NONE,
            "true true 5",
        ),
        (
            r#"{{ b64dec "YQ==" }}|{{ b64dec "abc" }}|{{ b64dec "Y!==" }}|{{ b64enc "ab" }}"#,
            NONE,
            "a|illegal base64 data at input byte 0|illegal base64 data at input byte 1|YWI=",
        ),
        (
            r#"{{ default "x" 0 }} {{ default "x" "y" }} {{ default "x" }} {{ default "x" false }}"#,
            NONE,
            "x y x x",
        ),
        (
            r#"{{ round 2.5 0 }} {{ round -2.5 0 }} {{ round 1.2345 2 }} {{ round 1.25 1 0.6 }}"#,
            NONE,
            "3 -3 1.23 1.2",
        ),
    ]);
    check_err(&[
        (
            r#"{{ repeat -1 "x" }}"#,
            NONE,
            "error calling repeat: strings: negative Repeat count",
        ),
        (
            "{{ div 1 0 }}",
            NONE,
            "error calling div: runtime error: integer divide by zero",
        ),
        (
            "{{ mod 1 0 }}",
            NONE,
            "error calling mod: runtime error: integer divide by zero",
        ),
        (
            "{{ divf 1 0 }}",
            NONE,
            "error calling divf: decimal division by zero",
        ),
        (
            r#"{{ addf "NaN" 1 }}"#,
            NONE,
            "error calling addf: Cannot create a Decimal from NaN",
        ),
        (
            r#"{{ .x | bytes }}"#,
            &[("x", "3 parsecs")],
            "error calling bytes: unhandled size name: parsecs",
        ),
        (
            r#"{{ .x | duration }}"#,
            &[("x", "3 days")],
            "error calling duration: time: invalid duration",
        ),
    ]);
}

#[test]
fn time_values_and_methods() {
    let t = r#"(toDateInZone "2006-01-02 15:04:05" "UTC" "2021-03-04 05:06:07")"#;
    let layout = "Monday Mon January Jan 1 01 2 _2 02 __2 002 15 3 03 4 04 5 05 2006 06 PM pm MST Z07:00 -0700";
    check_ok(&[
        (
            &format!("{{{{ {t}.Format \"{layout}\" }}}}"),
            NONE,
            "Thursday Thu March Mar 3 03 4  4 04  63 063 05 5 05 6 06 7 07 2021 21 AM am UTC Z +0000",
        ),
        (&format!("{{{{ {t} }}}}"), NONE, "2021-03-04 05:06:07 +0000 UTC"),
        (
            &format!("{{{{ {t}.Year }}}} {{{{ {t}.Month }}}} {{{{ {t}.Day }}}} {{{{ {t}.Weekday }}}} {{{{ {t}.YearDay }}}} {{{{ {t}.Unix }}}}"),
            NONE,
            "2021 March 4 Thursday 63 1614834367",
        ),
        (&format!("{{{{ eq {t}.Month 3 }}}} {{{{ {t}.IsZero }}}}"), NONE, "true false"),
        (&format!("{{{{ ({t}.AddDate 0 1 -4).Format \"2006-01-02\" }}}}"), NONE, "2021-03-31"),
        (&format!("{{{{ ({t}.Add 3600000000000).Format \"15:04\" }}}}"), NONE, "06:06"),
        (&format!("{{{{ {t} | unixEpoch }}}} {{{{ {t} | unixEpochMillis }}}}"), NONE, "1614834367 1614834367000"),
        (
            r#"{{ toDateInZone "2006-01-02T15:04:05.999999999Z07:00" "UTC" "2023-03-10T01:32:40.340485723Z" }}"#,
            NONE,
            "2023-03-10 01:32:40.340485723 +0000 UTC",
        ),
        // An offset the location does not use makes a nameless fixed zone.
        (
            r#"{{ toDateInZone "2006-01-02T15:04:05Z07:00" "UTC" "2023-03-10T01:32:40+02:00" }}"#,
            NONE,
            "2023-03-10 01:32:40 +0200 +0200",
        ),
        // Fractions the layout does not mention are still read.
        (r#"{{ (toDateInZone "2006-01-02 15:04:05" "UTC" "2021-03-04 05:06:07.123").Nanosecond }}"#, NONE, "123000000"),
        (r#"{{ (toDateInZone "3:04PM" "UTC" "1:02PM").Format "15:04" }}"#, NONE, "13:02"),
        (r#"{{ (toDateInZone "Jan 2 2006" "UTC" "mar 4 2021").Format "2006-01-02" }}"#, NONE, "2021-03-04"),
        // Unparseable dates and unknown zones: Go's zero time, and UTC.
        (r#"{{ toDateInZone "2006-01-02" "UTC" "2021-02-30" | unixEpoch }}"#, NONE, "-62135596800"),
        (r#"{{ (toDate "2006-01-02" "bad").IsZero }}"#, NONE, "true"),
        (r#"{{ (toDateInZone "2006-01-02" "No/Such_Zone" "2021-03-04").Unix }}"#, NONE, "1614816000"),
        (r#"{{ (toDateInZone "2006-01-02" "UTC" "2021-03-04").Format "Jan _2 .000 ,999" }}"#, NONE, "Mar  4 .000 "),
    ]);
}

#[test]
fn time_parse_errors_read_like_go() {
    let utc = Zone::Utc;
    let e = parse_in_location("2006-01-02", "2021-13-01", &utc).unwrap_err();
    assert_eq!(e, r#"parsing time "2021-13-01": month out of range"#);
    let e = parse_in_location("2006-01-02", "2021/01/01", &utc).unwrap_err();
    assert_eq!(
        e,
        r#"parsing time "2021/01/01" as "2006-01-02": cannot parse "/01/01" as "-""#
    );
    let e = parse_in_location("2006", "2021x", &utc).unwrap_err();
    assert_eq!(e, r#"parsing time "2021x": extra text: "x""#);
}

#[test]
fn posix_zone_rules() {
    let cet = zone_from_rule("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
    // 2021-03-28 01:00 UTC: summer time starts; 2021-10-31 01:00 UTC: it ends.
    assert_eq!(cet.lookup(1_616_893_199), ("CET", 3600));
    assert_eq!(cet.lookup(1_616_893_200), ("CEST", 7200));
    assert_eq!(cet.lookup(1_635_641_999), ("CEST", 7200));
    assert_eq!(cet.lookup(1_635_642_000), ("CET", 3600));
    // Southern hemisphere: summer time spans the new year.
    let sydney = zone_from_rule("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
    assert_eq!(sydney.lookup(1_609_459_200), ("AEDT", 39600));
    assert_eq!(sydney.lookup(1_625_097_600), ("AEST", 36000));
    let fixed = zone_from_rule("<+0330>-3:30").unwrap();
    assert_eq!(fixed.lookup(0), ("+0330", 12600));
    assert!(zone_from_rule("X1").is_none());
}

#[test]
fn zoneinfo_files_when_installed() {
    // Only where the system has a zoneinfo database.
    let Ok(berlin) = load_location("Europe/Berlin") else {
        return;
    };
    let summer = parse_in_location("2006-01-02 15:04", "2021-07-01 12:00", &berlin).unwrap();
    assert_eq!(summer.to_go_string(), "2021-07-01 12:00:00 +0200 CEST");
    let winter = parse_in_location("2006-01-02 15:04", "2021-01-01 12:00", &berlin).unwrap();
    assert_eq!(winter.to_go_string(), "2021-01-01 12:00:00 +0100 CET");
    // Far past the file's transitions, its footer rule decides.
    let future = parse_in_location("2006-01-02 15:04", "2100-07-01 12:00", &berlin).unwrap();
    assert_eq!(future.format("MST -0700"), "CEST +0200");
    assert!(load_location("../etc/passwd").is_err());
    assert!(load_location("No/Such_Zone").is_err());
}

#[test]
fn render_appends_and_restores_on_error() {
    let t = parse("x{{ .a }}").unwrap();
    let mut out = String::from("kept:");
    render(&t, &labels(&[("a", "1")]), "", 0, &mut out).unwrap();
    assert_eq!(out, "kept:x1");
    let t = parse("partial {{ div 1 0 }}").unwrap();
    assert!(render(&t, &labels(NONE), "", 0, &mut out).is_err());
    assert_eq!(out, "kept:x1");
}

#[test]
fn every_listed_function_is_implemented() {
    use super::funcs::function;
    use super::parse::FUNCTIONS;
    for name in FUNCTIONS {
        let special = matches!(*name, "and" | "or" | "call");
        assert!(
            special || function(name).is_some(),
            "{name} has no implementation"
        );
    }
}

#[test]
fn hostile_templates_stay_bounded() {
    check_err(&[
        (
            r#"{{ repeat 100000000000 "x" }}"#,
            NONE,
            "strings: Repeat output length overflow",
        ),
        (
            r#"{{ alignLeft 100000000000 "x" }}"#,
            NONE,
            "error calling alignLeft",
        ),
    ]);
    // `range` over a large integer walks it lazily: `break` ends it at once.
    check_ok(&[(
        "{{ range 1000000000000 }}{{ . }}{{ break }}{{ end }}",
        NONE,
        "0",
    )]);
    // Exact decimals too large fall back to floats instead of growing without bound.
    let huge = vec!["1e300"; 200].join(" ");
    check_ok(&[(
        &format!("{{{{ mulf {huge} }}}} {{{{ divf 1e300 1e-300 }}}}"),
        NONE,
        "+Inf +Inf",
    )]);
}
