use super::read::Reader;
use super::*;

#[test]
fn nodes_know_their_line_and_column() {
    let doc = parse("groups:\n  - name: g\n    rules:\n      - expr: up == 0\n")
        .unwrap()
        .unwrap();
    let groups = doc.get("groups").unwrap();
    let Kind::Seq(items) = &groups.kind else {
        panic!("not a sequence")
    };
    let expr = items[0].get("rules").map(|r| match &r.kind {
        Kind::Seq(rules) => rules[0].get("expr").unwrap().clone(),
        _ => panic!("rules not a sequence"),
    });
    let expr = expr.unwrap();
    assert_eq!(expr.scalar(), Some("up == 0"));
    assert_eq!((expr.line, expr.col), (4, 15));
}

#[test]
fn empty_and_comment_only_documents_have_no_root() {
    assert_eq!(parse("").unwrap(), None);
    assert_eq!(parse("# only a comment\n").unwrap(), None);
}

#[test]
fn null_spellings_and_quoted_nulls() {
    let doc = parse("a: ~\nb:\nc: null\nd: 'null'\n").unwrap().unwrap();
    assert!(doc.get("a").unwrap().is_null());
    assert!(doc.get("b").unwrap().is_null());
    assert!(doc.get("c").unwrap().is_null());
    assert_eq!(doc.get("d").unwrap().scalar(), Some("null"));
}

#[test]
fn repeated_keys_are_refused_with_both_lines() {
    let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("already defined at line 1"), "{e}");
}

#[test]
fn aliases_copy_their_anchor() {
    let doc = parse("x: &v {k: 1}\ny: *v\n").unwrap().unwrap();
    assert_eq!(doc.get("y").unwrap().get("k").unwrap().scalar(), Some("1"));
}

#[test]
fn syntax_errors_name_the_line() {
    let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
    assert!(e.line >= 1, "{e:?}");
    assert!(e.to_string().starts_with("yaml: line "), "{e}");
}

#[test]
fn unknown_keys_and_wrong_kinds_are_reported_together_as_go_does() {
    let doc = parse("name: g\nnamespace: x\nrules: 5\n").unwrap().unwrap();
    let mut r = Reader::new(false);
    let f = r.fields(&doc, "rulefmt.RuleGroup", &["name", "rules"]);
    let _ = r.seq(f.get("rules").unwrap(), "[]rulefmt.Rule");
    assert_eq!(
        r.finish().unwrap(),
        "yaml: unmarshal errors:\n  line 2: field namespace not found in type rulefmt.RuleGroup\n  \
         line 3: cannot unmarshal !!int `5` into []rulefmt.Rule"
    );
}

#[test]
fn unknown_keys_may_be_ignored() {
    let doc = parse("name: g\nnamespace: x\n").unwrap().unwrap();
    let mut r = Reader::new(true);
    let f = r.fields(&doc, "rulefmt.RuleGroup", &["name"]);
    assert_eq!(r.string(f.get("name").unwrap()), "g");
    assert!(r.finish().is_none());
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let text = "[".repeat(10_000);
    assert!(parse(&text).is_err());
}
