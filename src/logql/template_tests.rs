//! Unit tests of LogQL's templates: the `line_format` and `label_format` cases of Loki's
//! `fmt_test.go` (in our own data), Loki's own functions, and the function set it registers.

use super::template::{functions, parse, render, LOKI, MATH_NAMES, SPRIG_NAMES};

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
fn the_entry_is_offered_to_its_functions() {
    // Moved from the parser's tests: both parse, as the functions LogQL registers.
    parse("{{ __line__ }} {{ __timestamp__ | date \"2006\" }}").unwrap();
    assert!(parse("{{ nosuchfunc }}")
        .unwrap_err()
        .contains("not defined"));
}

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

#[test]
fn every_listed_function_is_implemented() {
    let set = functions();
    for name in SPRIG_NAMES.iter().chain(MATH_NAMES).chain(LOKI.names) {
        assert!(set.contains(name), "{name} has no implementation");
    }
    // And the built-ins, as in every Go template.
    for name in [
        "and", "or", "not", "eq", "len", "index", "slice", "printf", "urlquery",
    ] {
        assert!(set.contains(name), "{name}");
    }
    assert!(!set.contains("toJson"));
}

#[test]
fn go_semantics_with_lokis_functions() {
    check_ok(&[
        (
            r#"{{ eq (toDateInZone "2006" "UTC" "2020") (toDateInZone "2006" "UTC" "2020") }}"#,
            NONE,
            "true",
        ),
        (
            r#"{{ printf "%s %d" (toDateInZone "2006-01-02" "UTC" "2021-03-04").Month (toDateInZone "2006-01-02" "UTC" "2021-03-04").Month }}"#,
            NONE,
            "March 3",
        ),
        (r#"{{ urldecode "a%20b+c" }}"#, NONE, "a b c"),
    ]);
    check_err(&[(
        r#"{{ urldecode "%zz" }}"#,
        NONE,
        r#"error calling urldecode: invalid URL escape "%zz""#,
    )]);
}

#[test]
fn named_templates_work_as_in_lokis_go_templates() {
    // Loki runs Go's text/template: `define`, `template` and `block` are part of it.
    check_ok(&[(
        r#"{{ define "x" }}<{{ .foo }}>{{ end }}{{ template "x" . }}{{ block "y" .bar }}[{{ . | upper }}]{{ end }}"#,
        BLIP,
        "<blip>[BLOP]",
    )]);
    check_err(&[(
        r#"{{ template "nope" . }}"#,
        BLIP,
        r#"template "nope" not defined"#,
    )]);
}
