//! Unit tests of the Go text/template parser, with Go's built-ins and gotmpl's libraries.

use super::funcs::{FuncSet, MATH, SPRIG};
use super::tree::*;

fn parse(s: &str) -> Result<Template, String> {
    let mut funcs = FuncSet::new();
    funcs.add_library(&SPRIG).add_library(&MATH);
    super::parse::parse(s, &funcs)
}

fn t(s: &str) -> Template {
    parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn text_fields_and_pipelines() {
    assert_eq!(
        t("a {{.b}} c").nodes,
        vec![
            Node::Text("a ".into()),
            Node::Action(Pipeline {
                pos: 4,
                vars: vec![],
                assign: false,
                cmds: vec![Command {
                    pos: 4,
                    args: vec![Arg {
                        pos: 4,
                        op: Operand::Field(vec!["b".into()])
                    }]
                }],
            }),
            Node::Text(" c".into()),
        ]
    );
    let tpl = t(r#"{{ .level | upper | printf "%s-%d" 3 }}"#);
    let Node::Action(p) = &tpl.nodes[0] else {
        panic!()
    };
    assert_eq!(p.cmds.len(), 3);
    assert_eq!(
        p.cmds[2]
            .args
            .iter()
            .map(|a| a.op.clone())
            .collect::<Vec<_>>(),
        vec![
            Operand::Func("printf".into()),
            Operand::Str("%s-%d".into()),
            Operand::Number("3".into())
        ]
    );
    // `__line__` and `__timestamp__` are LogQL's: see logql/template_tests.rs.
    assert!(parse("{{ __line__ }}").unwrap_err().contains("not defined"));
    t("{{ (index .a 0).b }} {{ $x := .a }}{{ $x }} {{ . }}");
    t(r#"{{ printf "\x1b[31m%s\x1b[0m" .msg }}"#);
}

#[test]
fn trim_markers_and_comments() {
    assert_eq!(
        t("a  {{- .b -}}  c").nodes,
        vec![
            Node::Text("a".into()),
            Node::Action(Pipeline {
                pos: 7,
                vars: vec![],
                assign: false,
                cmds: vec![Command {
                    pos: 7,
                    args: vec![Arg {
                        pos: 7,
                        op: Operand::Field(vec!["b".into()])
                    }]
                }],
            }),
            Node::Text("c".into()),
        ]
    );
    assert_eq!(t("x{{/* note */}}y").nodes.len(), 2);
    // `{{-3}}` is the number -3, not a trim marker.
    t("{{-3}}");
}

#[test]
fn blocks() {
    let tpl = t(r#"{{ if eq .a "x" }}A{{ else if .b }}B{{ else }}C{{ end }}"#);
    let Node::If(b) = &tpl.nodes[0] else { panic!() };
    assert!(
        matches!(&b.otherwise[0], Node::If(inner) if inner.otherwise == vec![Node::Text("C".into())])
    );
    t("{{ range $i, $e := .list }}{{ $i }}{{ break }}{{ end }}");
    t("{{ with .a }}{{ . }}{{ else }}none{{ end }}");
}

#[test]
fn errors() {
    for bad in [
        "{{",
        "{{ .a ",
        "{{ nosuchfunc }}",
        "{{ if .a }}x",
        "{{ end }}",
        "{{ (upper .a }}",
        "{{ .a | }}",
        // `define` only at the top level, as in Go.
        "{{ if true }}{{ define \"x\" }}{{ end }}{{ end }}",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    assert!(parse("{{ nosuchfunc }}")
        .unwrap_err()
        .contains("not defined"));
    assert!(parse("{{").unwrap_err().contains("unclosed action"));
}
