//! Unit tests of the template executor and the function libraries, with Go's built-ins,
//! sprig and math: Go's text/template, fmt and value semantics one area at a time. Loki's own
//! functions are tested with LogQL's registration (`logql/template_tests.rs`).

use super::exec::render;
use super::funcs::{FuncSet, MATH, SPRIG};
use super::parse::Template;

/// Labels, the data Loki hands a template.
fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Go's built-ins with every library gotmpl has.
fn funcs() -> FuncSet {
    let mut set = FuncSet::new();
    set.add_library(&SPRIG).add_library(&MATH);
    set
}

fn parse(tpl: &str) -> Result<Template, String> {
    super::parse::parse(tpl, &funcs())
}

fn run(tpl: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
    let t = parse(tpl).unwrap_or_else(|e| panic!("{tpl}: parse error {e}"));
    let mut out = String::new();
    render(&t, &funcs(), &labels(pairs), &(), &mut out).map(|()| out)
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

const NONE: &[(&str, &str)] = &[];

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
        // Using an undeclared variable fails to parse; assigning to one fails to run.
        ("{{ $nope = 1 }}", ab, "undefined variable: $nope"),
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
    ]);
}

#[test]
fn render_appends_and_restores_on_error() {
    let t = parse("x{{ .a }}").unwrap();
    let mut out = String::from("kept:");
    render(&t, &funcs(), &labels(&[("a", "1")]), &(), &mut out).unwrap();
    assert_eq!(out, "kept:x1");
    let t = parse("partial {{ div 1 0 }}").unwrap();
    assert!(render(&t, &funcs(), &labels(NONE), &(), &mut out).is_err());
    assert_eq!(out, "kept:x1");
}

#[test]
fn base64_decoding_errors_name_the_byte_go_names() {
    // Go's `base64.StdEncoding.DecodeString` errors, by offset.
    for (text, at) in [
        ("abc", 0),
        ("Y!==", 1),
        ("YQ", 0),
        ("YQ=", 3),
        ("YQ=a", 2),
        ("YQ==YQ==", 4),
        ("=QQ=", 0),
        ("YWJj\nY!==", 6),
    ] {
        let got = run(&format!("{{{{ b64dec {text:?} }}}}"), NONE).unwrap();
        assert_eq!(
            got,
            format!("illegal base64 data at input byte {at}"),
            "{text:?}"
        );
    }
    let ok = run(r#"{{ b64dec "YWJj\nZA==" }}|{{ b64dec "YR==" }}"#, NONE).unwrap();
    assert_eq!(ok, "abcd|a");
}
