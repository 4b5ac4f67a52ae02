//! Unit tests of named templates (`define`, `template`, `block`, sets of parses), of Go's
//! error positions when parsing and running, of the values Prometheus' templates add
//! (structs, owned label maps, durations, named slices) and of Go's lexing rules.

use super::funcs::{FuncSet, MATH, SPRIG};
use super::value::STRING_MAP;
use super::{execute, parse, parse_named, render, render_value, GoStruct, Set, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

fn funcs() -> FuncSet {
    let mut set = FuncSet::new();
    set.add_library(&SPRIG).add_library(&MATH);
    set
}

/// Runs an unnamed template (as LogQL does) with labels `a=1`, `b=2`.
fn run(text: &str) -> Result<String, String> {
    let t = parse(text, &funcs()).unwrap_or_else(|e| panic!("{text}: {e}"));
    let labels = vec![
        ("a".to_string(), "1".to_string()),
        ("b".to_string(), "2".to_string()),
    ];
    let mut out = String::new();
    render(&t, &funcs(), &labels, &(), &mut out).map(|()| out)
}

fn ok(text: &str) -> String {
    run(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Runs `text` parsed as the template `name` with `root` as the dot; errors in Go's words.
fn run_named(name: &str, text: &str, root: Value<'static>) -> Result<String, String> {
    let t = parse_named(name, text, &funcs()).map_err(|e| e.to_string())?;
    let mut out = String::new();
    render_value(&t, &funcs(), root, &(), &mut out)
        .map(|()| out)
        .map_err(|e| e.to_string())
}

fn parse_error(name: &str, text: &str) -> String {
    parse_named(name, text, &funcs())
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn define_and_template_call_with_the_pipeline_as_dot() {
    assert_eq!(
        ok(r#"{{ define "x" }}X{{ . }}{{ end }}{{ template "x" .a }}"#),
        "X1"
    );
    // Without a pipeline the dot is nil; `$` is the dot the call was given.
    assert_eq!(
        ok(r#"{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" }}"#),
        "[<no value>]"
    );
    assert_eq!(
        ok(r#"{{ define "x" }}{{ $ }}{{ end }}{{ template "x" .b }}"#),
        "2"
    );
    // A template may be called before the text defines it, and may call others.
    assert_eq!(
        ok(
            r#"{{ template "a" . }}{{ define "a" }}<{{ template "b" .a }}>{{ end }}{{ define "b" }}{{ . }}{{ end }}"#
        ),
        "<1>"
    );
    // Variables the call's pipeline declares stay with the caller.
    assert_eq!(
        ok(r#"{{ define "x" }}{{ . }}{{ end }}{{ template "x" $v := .a }}{{ $v }}"#),
        "11"
    );
    // A block defines a template and calls it where it stands.
    assert_eq!(
        ok(r#"{{ block "b" .a }}[{{ . }}]{{ end }}{{ template "b" .b }}"#),
        "[1][2]"
    );
    // Text around definitions is kept; definitions print nothing.
    assert_eq!(ok("a{{ define \"x\" }}X{{ end }}b"), "ab");
}

#[test]
fn called_templates_see_no_variables_of_their_caller() {
    let e = parse(
        r#"{{ $v := 1 }}{{ define "x" }}{{ $v }}{{ end }}"#,
        &funcs(),
    )
    .unwrap_err();
    assert_eq!(e, r#"undefined variable "$v""#);
    let e = parse(
        r#"{{ $v := 1 }}{{ block "x" . }}{{ $v }}{{ end }}"#,
        &funcs(),
    )
    .unwrap_err();
    assert_eq!(e, r#"undefined variable "$v""#);
    // `break` in a definition has no range to leave, even when called from one.
    let e = parse(r#"{{ define "x" }}{{ break }}{{ end }}"#, &funcs()).unwrap_err();
    assert_eq!(e, "{{break}} outside {{range}}");
}

#[test]
fn redefinitions_follow_go() {
    // Within one parse a name may be defined twice only when one definition is only spaces.
    assert_eq!(
        parse_error(
            "t",
            r#"{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}"#
        ),
        r#"template: t:1: template: multiple definition of template "x""#
    );
    assert_eq!(
        ok(r#"{{ define "x" }}a{{ end }}{{ define "x" }} {{ end }}{{ template "x" }}"#),
        "a"
    );
    assert_eq!(
        ok(r#"{{ define "x" }} {{ end }}{{ define "x" }}b{{ end }}{{ template "x" }}"#),
        "b"
    );
    // A template whose own text is only spaces runs its definition of its own name.
    assert_eq!(
        run_named("t", "\n{{ define \"t\" }}own{{ end }}\n", Value::Nil).unwrap(),
        "own"
    );
    assert_eq!(
        parse_error("t", "x{{ define \"t\" }}own{{ end }}"),
        r#"template: t:1: template: multiple definition of template "t""#
    );
    // `define` belongs to the top level only.
    assert_eq!(
        parse_error("t", r#"{{ if true }}{{ define "x" }}{{ end }}{{ end }}"#),
        "template: t:1: unexpected <define> in command"
    );
}

#[test]
fn sets_gather_parses_as_alertmanager_loads_its_files() {
    let mut set = Set::new();
    set.parse(
        "a.tmpl",
        r#"{{ define "title" }}[{{ .a }}]{{ end }}{{ define "x" }}old{{ end }}"#,
        &funcs(),
    )
    .unwrap();
    set.parse(
        "b.tmpl",
        r#"{{ define "x" }}new {{ template "title" . }}{{ end }}"#,
        &funcs(),
    )
    .unwrap();
    // A later parse that defines `x` as only spaces leaves it alone.
    set.parse("c.tmpl", r#"{{ define "x" }}  {{ end }}"#, &funcs())
        .unwrap();
    let names: Vec<&str> = set.names().collect();
    assert_eq!(names, ["a.tmpl", "b.tmpl", "c.tmpl", "title", "x"]);
    let labels = vec![("a".to_string(), "1".to_string())];
    let mut out = String::new();
    execute(&set, "x", &funcs(), Value::Labels(&labels), &(), &mut out).unwrap();
    assert_eq!(out, "new [1]");
    // A receiver's own text, parsed into a copy of the set, calls the files' templates.
    let mut own = set.clone();
    own.parse("", r#"{{ template "title" . }}!"#, &funcs())
        .unwrap();
    let mut out = String::new();
    execute(&own, "", &funcs(), Value::Labels(&labels), &(), &mut out).unwrap();
    assert_eq!(out, "[1]!");
    assert!(!set.contains(""));
    let e = execute(&set, "nope", &funcs(), Value::Nil, &(), &mut out).unwrap_err();
    assert_eq!(
        e.message,
        r#"no template "nope" associated with the template set"#
    );
    // An error inside a called template names it, at its place in the text it came from.
    let mut bad = Set::new();
    bad.parse("lib", "{{ define \"f\" }}\n  {{ .x.y }}{{ end }}", &funcs())
        .unwrap();
    bad.parse("main", r#"{{ template "f" .a }}"#, &funcs())
        .unwrap();
    // On error the output is left as it was.
    let mut out = String::from("kept");
    let e = execute(
        &bad,
        "main",
        &funcs(),
        Value::Labels(&labels),
        &(),
        &mut out,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"template: lib:2:7: executing "f" at <.x.y>: can't evaluate field x in type string"#
    );
    assert_eq!(out, "kept");
}

#[test]
fn recursion_stops_at_the_call_limit_within_a_small_stack() {
    // Each call nests 97 branches deep: the limit counts both, so the stack stays bounded.
    let ifs = "{{ if true }}".repeat(97);
    let ends = "{{ end }}".repeat(97);
    let text = format!(
        r#"{{{{ define "r" }}}}{ifs}{{{{ template "r" (add . 1) }}}}{ends}{{{{ end }}}}{{{{ template "r" 0 }}}}"#
    );
    let t = parse_named("t", &text, &funcs()).unwrap();
    let run = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut out = String::new();
            render_value(&t, &funcs(), Value::Nil, &(), &mut out).map_err(|e| e.message)
        })
        .unwrap();
    assert_eq!(
        run.join().unwrap(),
        Err(format!(
            "exceeded maximum template depth ({})",
            super::MAX_CALL_DEPTH
        ))
    );
    let e = run_named("t", r#"{{ template "t" }}"#, Value::Nil).unwrap_err();
    assert!(e.ends_with("exceeded maximum template depth (300)"), "{e}");
}

#[test]
fn execution_errors_name_the_node_as_go_does() {
    let fail = |text: &str| run_named("t", text, Value::Nil).unwrap_err();
    assert_eq!(
        fail(r#"{{ template "nope" 1 }}"#),
        r#"template: t:1:12: executing "t" at <{{template "nope" 1}}>: template "nope" not defined"#
    );
    assert_eq!(
        fail("a\n  {{ index 1 2 }}"),
        r#"template: t:2:5: executing "t" at <index 1 2>: error calling index: can't index item of type int"#
    );
    // A function's own failure is reported at its command; an argument's at the argument.
    assert_eq!(
        fail(r#"{{ "a" | repeat "x" }}"#),
        r#"template: t:1:16: executing "t" at <"x">: expected integer; found "x""#
    );
    assert_eq!(
        fail(r#"{{ upper 3 }}"#),
        r#"template: t:1:9: executing "t" at <3>: expected string; found 3"#
    );
    assert_eq!(
        fail("{{ if (div 1 0) }}{{ end }}"),
        r#"template: t:1:7: executing "t" at <div 1 0>: error calling div: runtime error: integer divide by zero"#
    );
    assert_eq!(
        fail("{{ range $i, $e := 3 }}{{ end }}"),
        r#"template: t:1:19: executing "t" at <3>: can't use 3 to iterate over more than one variable"#
    );
    // Strings are shown as written; a wrong count is reported at the function's name.
    assert_eq!(
        fail("{{ repeat `x` 1 }}"),
        "template: t:1:10: executing \"t\" at <`x`>: expected integer; found `x`"
    );
    assert_eq!(
        fail("{{ upper `raw` 1 }}"),
        r#"template: t:1:3: executing "t" at <upper>: wrong number of args for upper: want 1 got 2"#
    );
    // A template that fails before any node names only the template.
    let e = super::ExecError {
        template: "t".into(),
        at: None,
        message: "m".into(),
    };
    assert_eq!(e.to_string(), "template: t: m");
}

#[test]
fn parse_errors_carry_gos_line() {
    assert_eq!(
        parse_error("n", "a\nb\n{{ .a | nosuch }}"),
        r#"template: n:3: function "nosuch" not defined"#
    );
    assert_eq!(
        parse_error("n", "{{ if .a }}\n\n"),
        "template: n:3: unexpected EOF"
    );
    assert_eq!(
        parse_error("n", "x\n{{ .a\n\n"),
        "template: n:4: unclosed action started at n:2"
    );
    assert_eq!(
        parse_error("n", "{{ (1\n }}"),
        "template: n:2: unclosed left paren in action started at n:1"
    );
    // Go's lexer runs along with its parser: an earlier parse error wins over a later one.
    assert_eq!(
        parse_error("n", "{{ nosuch }}{{"),
        r#"template: n:1: function "nosuch" not defined"#
    );
}

#[test]
fn lexing_follows_go() {
    for (text, want) in [
        ("{{ \"s\".x }}", r#"unexpected . after term "\"s\"""#),
        ("{{ /* c */ }}", r#"unexpected "/" in command"#),
        ("{{ x€ }}", "bad character U+20AC '€'"),
        ("{{ \u{a0}}}", "unrecognized character in action: U+00A0"),
        ("{{ .a@ }}", "bad character U+0040 '@'"),
        ("{{ upper @ }}", r#"unexpected "@" in operand"#),
        ("{{ @ }}", r#"unexpected "@" in command"#),
        ("{{ if ) }}{{ end }}", r#"unexpected ")" in if"#),
        ("{{ | .a }}", r#"unexpected "|" in command"#),
        ("{{ .a || .b }}", r#"unexpected "|" in command"#),
        ("{{ .a := 1 }}", r#"unexpected ":=" in operand"#),
        ("{{ 'ab' }}", "malformed character constant: 'ab'"),
        ("{{ a:b }}", "expected :="),
        (
            "{{ range .a }}{{ else if .b }}{{ end }}",
            "unexpected <if> in input",
        ),
        (
            "{{ if .a }}{{ else with .b }}{{ end }}",
            "unexpected <with> in input",
        ),
        ("{{ $a, $b := 1 }}", "too many declarations in command"),
    ] {
        let e = parse(text, &funcs()).expect_err(text);
        assert_eq!(e, want, "{text}");
    }
    // Comments start right after the delimiter and its trim marker.
    assert_eq!(ok("a {{- /* c */ -}} b{{/* d */}}"), "ab");
    assert_eq!(
        ok("{{ with .a }}{{ . }}{{ else with .b }}{{ . }}{{ end }}"),
        "1"
    );
}

/// A struct like Prometheus' alert data, pointer or not.
fn data(type_name: &'static str) -> Value<'static> {
    let labels: BTreeMap<String, String> = [("job", "api"), ("instance", "h:1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Value::Struct(Rc::new(GoStruct {
        type_name,
        fields: vec![
            ("Labels", Value::StrMap(&STRING_MAP, Rc::new(labels))),
            ("Value", Value::Float(1e6)),
            ("Nothing", Value::Nil),
        ],
    }))
}

#[test]
fn struct_roots_and_label_maps() {
    let d = || data("struct { Labels map[string]string; Value float64 }");
    let run = |text: &str, v| run_named("t", text, v);
    assert_eq!(
        run("{{ .Labels.job }}|{{ .Labels.nope }}|{{ .Value }}", d()).unwrap(),
        "api||1e+06"
    );
    assert_eq!(
        run(
            "{{ range $k, $v := .Labels }}{{ $k }}={{ $v }};{{ end }}",
            d()
        )
        .unwrap(),
        "instance=h:1;job=api;"
    );
    assert_eq!(
        run(
            r#"{{ len .Labels }} {{ index .Labels "job" }} {{ index .Labels "x" }}|"#,
            d()
        )
        .unwrap(),
        "2 api |"
    );
    assert_eq!(
        run("{{ . }}", d()).unwrap(),
        "{map[instance:h:1 job:api] 1e+06 <nil>}"
    );
    assert_eq!(
        run(r#"{{ printf "%+v" . }}"#, d()).unwrap(),
        "{Labels:map[instance:h:1 job:api] Value:1e+06 Nothing:<nil>}"
    );
    assert_eq!(
        run(r#"{{ printf "%T" .Labels }}"#, d()).unwrap(),
        "map[string]string"
    );
    assert_eq!(run("{{ if . }}yes{{ end }}", d()).unwrap(), "yes");
    // A pointer prints as what it points to in an action, and `&{...}` through printf.
    let p = || data("*x.T");
    assert_eq!(
        run("{{ . }}", p()).unwrap(),
        "{map[instance:h:1 job:api] 1e+06 <nil>}"
    );
    assert_eq!(
        run(r#"{{ printf "%v" . }}"#, p()).unwrap(),
        "&{map[instance:h:1 job:api] 1e+06 <nil>}"
    );
    assert_eq!(
        run("{{ .Nope }}", d()).unwrap_err(),
        r#"template: t:1:3: executing "t" at <.Nope>: can't evaluate field Nope in type struct { Labels map[string]string; Value float64 }"#
    );
    assert_eq!(
        run("{{ .Value 1 }}", d()).unwrap_err(),
        r#"template: t:1:3: executing "t" at <.Value>: Value has arguments but cannot be invoked as function"#
    );
    assert_eq!(
        run("{{ .Labels.job 1 }}", d()).unwrap_err(),
        r#"template: t:1:10: executing "t" at <.Labels.job>: job is not a method but has arguments"#
    );
    assert_eq!(run("{{ .Nothing.x }}", d()).unwrap(), "<no value>");
}

#[test]
fn durations_print_and_have_gos_methods() {
    let d = |ns: i64| run_named("t", "{{ . }}", Value::Duration(ns)).unwrap();
    for (ns, want) in [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (1_500_000, "1.5ms"),
        (1_500_000_000, "1.5s"),
        (60_000_000_000, "1m0s"),
        (3_600_000_000_000, "1h0m0s"),
        (-5_400_000_000_000, "-1h30m0s"),
        (90_061_001_000_000, "25h1m1.001s"),
        (i64::MIN, "-2562047h47m16.854775808s"),
    ] {
        assert_eq!(d(ns), want, "{ns}");
    }
    let m = |text: &str| run_named("t", text, Value::Duration(5_400_500_000_000)).unwrap();
    assert_eq!(
        m("{{ .Hours }} {{ .Minutes }} {{ .Seconds }}"),
        "1.500138888888889 90.00833333333334 5400.5"
    );
    assert_eq!(
        m("{{ .Milliseconds }} {{ .Microseconds }} {{ .Nanoseconds }}"),
        "5400500 5400500000 5400500000000"
    );
    assert_eq!(
        m("{{ .Round 60000000000 }} {{ .Truncate 3600000000000 }} {{ .Abs }}"),
        "1h30m0s 1h0m0s 1h30m0.5s"
    );
    assert_eq!(
        m(r#"{{ printf "%d %s %v %T" . . . . }}"#),
        "5400500000000 1h30m0.5s 1h30m0.5s time.Duration"
    );
    assert_eq!(m("{{ eq . . }} {{ if . }}t{{ end }}"), "true t");
}
