//! Invalid queries and the errors they must give (message and position), many adapted from
//! Prometheus' `promql/parser/parse_test.go`. Valid queries are in `parser_tests.rs`.

use super::{fail, p};
use crate::promql::parse;
use crate::promql::parser::MAX_NESTING;

/// Invalid queries and (a distinctive part of) the error each must give; an empty message
/// marks a look-alike that must parse.
#[test]
fn invalid_queries() {
    for (q, msg) in [
        ("1+", "1:3: parse error: unexpected end of input"),
        ("1 /", "unexpected end of input"),
        (".", "unexpected character: '.'"),
        ("2.5.", "bad number or duration syntax"),
        ("100..4", "bad number or duration syntax"),
        ("0deadbeef", "bad number or duration syntax"),
        ("*1", "1:1: parse error: unexpected <op:*>"),
        ("*test", "unexpected <op:*>"),
        ("(1))", "unexpected right parenthesis ')'"),
        ("((1)", "unclosed left parenthesis"),
        ("(", "unclosed left parenthesis"),
        ("999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999", "error parsing number"),
        ("1 and 1", "set operator \"and\" not allowed in binary scalar expression"),
        ("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("1 or 1", "set operator \"or\" not allowed in binary scalar expression"),
        ("1 unless 1", "set operator \"unless\" not allowed in binary scalar expression"),
        // Prometheus places these at the first character of the operator.
        ("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"),
        ("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'"),
        ("x{a!b=\"c\"}", "1:4: parse error: unexpected character after '!' inside braces: 'b'"),
        (r#"-"string""#, r#"unary expression only allowed on expressions of type scalar or instant vector, got "string""#),
        ("-test[5m]", r#"unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#),
        ("@@", "1:1: parse error: unexpected <op:@>"),
        ("1 offset 1d", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        ("foo offset 1s offset 2s", "offset may not be set multiple times"),
        ("a - on(b) ignoring(c) d", "unexpected <ignoring>"),
        ("foo + bool bar", "bool modifier can only be used on comparison operators"),
        ("foo + bool 10", "bool modifier can only be used on comparison operators"),
        ("foo and bool 10", "bool modifier can only be used on comparison operators"),
        ("foo and 1", "set operator \"and\" not allowed in binary scalar expression"),
        ("1 and foo", "set operator \"and\" not allowed in binary scalar expression"),
        ("foo or 1", "set operator \"or\" not allowed in binary scalar expression"),
        ("foo unless 1", "set operator \"unless\" not allowed in binary scalar expression"),
        ("1 or on(bar) foo", "vector matching only allowed between instant vectors"),
        ("foo == on(bar) 10", "vector matching only allowed between instant vectors"),
        ("foo + group_left(baz) bar", "unexpected <group_left>"),
        ("foo and on(bar) group_left(baz) bar", "no grouping allowed for \"and\" operation"),
        ("foo and on(bar) group_right(baz) bar", "no grouping allowed for \"and\" operation"),
        ("foo or on(bar) group_left(baz) bar", "no grouping allowed for \"or\" operation"),
        ("foo unless on(bar) group_left(baz) bar", "no grouping allowed for \"unless\" operation"),
        (r#"http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}"#, "label \"instance\" must not occur in ON and GROUP clause at once"),
        ("foo + on(bar) group_left(baz,bar) qux", "label \"bar\" must not occur in ON and GROUP clause at once"),
        ("foo + on(bar,) group_left(baz,bar) qux", "must not occur in ON and GROUP clause at once"),
        ("foo + ignoring(bar) group_left(baz) qux", ""),
        ("foo[5m] + 1", "binary expression must contain only scalar and instant vector types"),
        ("1 + foo[5m]", "binary expression must contain only scalar and instant vector types"),
        (r#""a" + 1"#, "binary expression must contain only scalar and instant vector types"),
        // Selectors.
        ("{", "unexpected end of input inside braces"),
        ("}", "1:1: parse error: unexpected character: '}'"),
        ("some{", "unexpected end of input inside braces"),
        ("some}", "1:5: parse error: unexpected character: '}'"),
        ("some_metric{a=b}", "unexpected identifier \"b\" in label matching, expected string"),
        (r#"some_metric{a:b="b"}"#, "unexpected character inside braces: ':'"),
        (r#"foo{a*"b"}"#, "unexpected character inside braces: '*'"),
        (r#"foo{a>="b"}"#, "unexpected character inside braces: '>'"),
        (r#"some_metric{a="\xff"}"#, ""),
        (r#"foo{gibberish}"#, "unexpected \"}\" in label matching, expected label matching operator"),
        (r#"foo{1}"#, "unexpected character inside braces: '1'"),
        ("{}", "vector selector must contain at least one non-empty matcher"),
        (r#"{x=""}"#, "vector selector must contain at least one non-empty matcher"),
        (r#"{x=~".*"}"#, "vector selector must contain at least one non-empty matcher"),
        (r#"{x!~".+"}"#, "vector selector must contain at least one non-empty matcher"),
        (r#"{x!="a"}"#, "vector selector must contain at least one non-empty matcher"),
        (r#"foo{__name__="bar"}"#, "metric name must not be set twice: \"foo\" or \"bar\""),
        (r#"foo{__name__= "bar lol"}"#, "metric name must not be set twice"),
        (r#"foo{__name__=~"bar" }"#, "metric name must not be set twice"),
        (r#"foo{__name__="bar", a="b"}"#, "metric name must not be set twice"),
        (r#"foo{a=~"(unclosed"}"#, "invalid regular expression"),
        (r#"foo{a="x" b="y"}"#, "unexpected identifier \"b\" in label matching, expected \",\" or \"}\""),
        (r#"foo{,}"#, "unexpected \",\" in label matching, expected identifier or \"}\""),
        (r#"foo{a="x",,}"#, "in label matching"),
        (r#"foo{a="unterminated}"#, "unterminated quoted string"),
        (r#"foo{a="bad \q escape"}"#, "unknown escape sequence"),
        ("foo{a=\"new\nline\"}", "unterminated quoted string"),
        ("foo{a=`raw", "unterminated raw string"),
        ("foo{{", "unexpected left brace"),
        (r#"foo{a!b="c"}"#, "unexpected character after '!' inside braces"),
        // Ranges, offsets, @.
        ("foo[5mm]", "bad number or duration syntax"),
        ("foo[5m1]", "bad number or duration syntax"),
        ("foo[5m:1m1]", "bad number or duration syntax"),
        ("foo[5y1hs]", "bad number or duration syntax"),
        ("foo[5m1h]", "bad number or duration syntax"),
        ("foo[5m1m]", "bad number or duration syntax"),
        ("foo[0m]", "duration must be greater than 0"),
        ("foo[0]", "duration must be greater than 0"),
        ("foo[0.0001]", "duration must be greater than 0"),
        ("foo[0:]", "duration must be greater than 0"),
        ("foo[5m:0]", "duration must be greater than 0"),
        ("foo[9.5e10]", "duration out of range"),
        ("foo[300y]", "duration out of range"),
        ("foo offset NaN", "duration out of range"),
        ("foo[5s x 5s]", "unexpected identifier \"x\" in subquery or range"),
        ("sum(", "1:5: parse error: unclosed left parenthesis"),
        ("sum(rate(", "unclosed left parenthesis"),
        ("foo[\"5m\"]", "unexpected string \"\\\"5m\\\"\" in subquery selector, expected number or duration"),
        ("foo[]", "unexpected \"]\" in subquery selector, expected number or duration"),
        ("foo[-1]", "duration must be greater than 0"),
        ("foo[5m", "unclosed left bracket"),
        ("foo]", "unexpected right bracket ']'"),
        ("foo[5m]]", "unexpected right bracket ']'"),
        ("foo[[5m]", "unexpected left bracket '['"),
        ("foo[5m x]", "unexpected identifier \"x\" in subquery or range, expected \":\" or \"]\""),
        ("some_metric[5m] OFFSET 1mm", "bad number or duration syntax"),
        ("some_metric[5m] OFFSET", "unexpected end of input in offset, expected number or duration"),
        ("some_metric OFFSET 1m[5m]", "no offset modifiers allowed before range"),
        ("some_metric @ 123 [5m]", "no @ modifiers allowed before range"),
        ("(foo + bar)[5m]", "ranges only allowed for vector selectors"),
        ("(foo)[5m]", "ranges only allowed for vector selectors"),
        ("foo[5m][5m]", "ranges only allowed for vector selectors"),
        ("sum(foo) offset 5m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        ("(foo) offset 5m", "offset modifier must be preceded"),
        ("foo @ 1 @ 2", "@ <timestamp> may not be set multiple times"),
        ("foo[5m] @ 1 @ 2", "@ <timestamp> may not be set multiple times"),
        ("foo[5m:] @ 1 @ start()", "@ <timestamp> may not be set multiple times"),
        ("sum(foo) @ 1", "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        ("1 @ 1", "@ modifier must be preceded"),
        ("foo @ ", "unexpected end of input in @, expected timestamp"),
        ("foo @ bar", "unexpected identifier \"bar\" in @, expected timestamp"),
        ("foo @ start", "unexpected end of input in @"),
        ("foo @ +Inf", "timestamp out of bounds for @ modifier: +Inf"),
        ("foo @ -Inf", "timestamp out of bounds for @ modifier: -Inf"),
        ("foo @ NaN", "timestamp out of bounds for @ modifier: NaN"),
        ("foo @ 9223372036854775807", "timestamp out of bounds for @ modifier"),
        // Subqueries.
        ("foo[5m:1m:1m]", "unexpected"),
        ("foo[5m:1m", "unclosed left bracket"),
        ("foo[5m:x]", "in subquery selector"),
        ("foo[5m][1h:]", "subquery is only allowed on instant vector, got matrix"),
        ("rate(foo[5m])[1h:][2h:]", "subquery is only allowed on instant vector, got matrix"),
        ("1[5m:]", "subquery is only allowed on instant vector, got scalar"),
        (r#""x"[5m:]"#, "subquery is only allowed on instant vector, got string"),
        ("foo[5m:] offset 1m offset 1m", "offset may not be set multiple times"),
        // Aggregations.
        ("sum without(==)(some_metric)", "unexpected <op:==> in grouping opts, expected label"),
        ("sum without(,)(some_metric)", "unexpected \",\" in grouping opts, expected label"),
        ("sum without(foo,,)(some_metric)", "unexpected \",\" in grouping opts, expected label"),
        ("sum some_metric by (test)", "unexpected identifier \"some_metric\""),
        ("sum (some_metric) by test", "unexpected identifier \"test\" in grouping opts, expected \"(\""),
        ("sum () by (test)", "no arguments for aggregate expression provided"),
        ("MIN keep_common (some_metric)", "unexpected identifier \"keep_common\""),
        ("MIN (some_metric) keep_common", "unexpected identifier \"keep_common\""),
        ("sum (some_metric) without (test) by (test)", "unexpected <by>"),
        ("sum without (test) (some_metric) by (test)", "unexpected <by>"),
        ("topk(some_metric)", "wrong number of arguments for aggregate expression provided, expected 2, got 1"),
        ("topk(some_metric,)", "trailing commas not allowed in function call args"),
        ("topk(some_metric, other_metric)", "expected type scalar in aggregation parameter, got instant vector"),
        ("count_values(5, other_metric)", "expected type string in aggregation parameter, got scalar"),
        ("rate(some_metric[5m]) @ 1234", "@ modifier must be preceded"),
        ("sum(foo, bar)", "wrong number of arguments for aggregate expression provided, expected 1, got 2"),
        ("sum(foo[5m])", "expected type instant vector in aggregation expression, got range vector"),
        ("quantile(\"a\", foo)", "expected type scalar in aggregation parameter, got string"),
        ("sum by (a:b) (foo)", "invalid label name for grouping: \"a:b\""),
        ("sum by (\"\") (foo)", "invalid label name for grouping"),
        ("sum by (foo) bar", "unexpected identifier \"bar\" in aggregation, expected \"(\""),
        // Function calls.
        ("non_existent_function_far_bar()", "unknown function with name \"non_existent_function_far_bar\""),
        ("rate(some_metric)", "expected type range vector in call to function \"rate\", got instant vector"),
        ("label_replace(a, `b`, `c\\xff`, `d`, `.*`)", ""),
        ("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0"),
        ("floor(some_metric, other_metric)", "expected 1 argument(s) in call to \"floor\", got 2"),
        ("floor(some_metric, 1)", "expected 1 argument(s) in call to \"floor\", got 2"),
        ("floor(1)", "expected type instant vector in call to function \"floor\", got scalar"),
        ("hour(some_metric, some_metric, some_metric)", "expected at most 1 argument(s) in call to \"hour\", got 3"),
        ("time(some_metric)", "expected 0 argument(s) in call to \"time\", got 1"),
        ("round(some_metric, 1, 2)", "expected at most 2 argument(s) in call to \"round\", got 3"),
        ("label_join(foo, \"a\")", "expected at least 3 argument(s) in call to \"label_join\", got 2"),
        ("label_join(foo, \"a\", \",\", 1)", "expected type string in call to function \"label_join\", got scalar"),
        ("rate(foo[5m],)", "trailing commas not allowed in function call args"),
        ("rate(foo[5m] foo)", "unexpected identifier \"foo\" in function call, expected \",\" or \")\""),
        ("histogram_quantile(foo, bar)", "expected type scalar in call to function \"histogram_quantile\", got instant vector"),
        ("info(foo, {x=~\".*\"} + 1)", "vector selector must contain at least one non-empty matcher"),
        ("info(rate(c[5m]), target_info{foo=\"bar\"})", "expected label selectors only, got vector selector instead"),
        ("info(c{namespace=\"zzz\"}, {foo=\"bar\"} == 1)", "expected label selectors only"),
        ("info(c{namespace=\"zzz\"}, {foo=\"bar\", bar=\"baz\"})", ""),
        ("rate(foo[5m:1m] offset 1m)", ""),
        ("Rate(foo[5m])", "unknown function with name \"Rate\""),
        // Stray tokens.
        ("foo bar", "unexpected identifier \"bar\""),
        ("foo 1", "unexpected number \"1\""),
        ("1 2", "unexpected number \"2\""),
        ("foo = 1", "unexpected \"=\""),
        ("-=", "1:2: parse error: unexpected \"=\""),
        ("e-+=/(0)", "1:4: parse error: unexpected \"=\""),
        ("++-++-+-+-<", "1:11: parse error: unexpected <op:<>"),
        ("a>b()", "1:3: parse error: unknown function with name \"b\""),
        ("rate(avg)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"),
        ("foo{__name__= =}", "unexpected \"=\" in label matching, expected string"),
        ("foo{__name__ == \"bar\"}", "unexpected \"=\" in label matching, expected string"),
        ("foo{__name__=\"bar\" lol}", "unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""),
        ("foo{\"a\"=}", "unexpected \"}\" in label matching, expected string"),
        ("some_metric @ start() [5m]", "no @ modifiers allowed before range"),
        ("some_metric[5m] @", "unexpected end of input in @, expected timestamp"),
        ("sum by (\"foo)(some_metric{})", "unterminated quoted string"),
        ("`\\``", "unterminated raw string"),
        ("\"\\", "escape sequence not terminated"),
        ("\"\\c\"", "unknown escape sequence U+0063 'c'"),
        ("\"\\x.\"", "illegal character U+002E '.' in escape sequence"),
        ("foo $ bar", "unexpected character: '$'"),
        ("on(foo)", "unexpected"),
        ("bool", "unexpected <bool>"),
        ("\"unterminated", "unterminated quoted string"),
        ("`unterminated", "unterminated raw string"),
        ("'\\q'", "unknown escape sequence"),
        ("\"\\xZ\"", "escape sequence"),
        ("\"a\" \"b\"", "unexpected string"),
    ] {
        if msg.is_empty() {
            // Cases that must parse.
            p(q);
            continue;
        }
        let got = fail(q);
        assert!(got.contains(msg), "{q:?}: got {got:?}, want {msg:?}");
    }
}

#[test]
fn error_positions() {
    let e = parse("foo +\n  bar{a=~\"(\"}").unwrap_err();
    assert_eq!((e.line, e.column, e.pos), (2, 7, 12));
    let e = parse("sum(x) + rate(y)").unwrap_err();
    assert_eq!((e.line, e.column), (1, 15));
    assert!(e
        .to_string()
        .starts_with("1:15: parse error: expected type range vector"));
}

#[test]
fn nesting_is_bounded() {
    let too_deep = format!("expression nests deeper than {MAX_NESTING} levels");
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(fail(&deep).contains(&too_deep));
    let signs = format!("{}1", "-".repeat(10_000));
    assert!(fail(&signs).contains(&too_deep));
    let ok = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    p(&ok);
    // Long flat chains are not nesting.
    let long = vec!["a"; 5000].join(" + ");
    p(&long);
}

#[test]
fn large_inputs_parse() {
    // Linear work: a long flat sum, many matchers, many arguments.
    let long = vec!["rate(a{b=~\"c.*\"}[5m])"; 2000].join(" + ");
    p(&long);
    let matchers: Vec<String> = (0..2000).map(|i| format!("l{i}=\"v{i}\"")).collect();
    p(&format!("foo{{{}}}", matchers.join(",")));
    let labels: Vec<String> = (0..2000).map(|i| format!("l{i}")).collect();
    p(&format!("sum by ({}) (foo)", labels.join(",")));
}

#[test]
fn a_character_outside_ascii_is_an_error_at_its_position() {
    // Each once panicked by slicing a token that ended inside the character.
    for (q, want) in [
        ("1 + é", "1:5: parse error: unexpected character: 'é'"),
        (
            "rate(x[é5m])",
            "1:8: parse error: unexpected character: 'é'",
        ),
        (
            "sum by (éjob) (x)",
            "1:9: parse error: unexpected character: 'é'",
        ),
        (
            "x{a=\"b\",é=\"c\"}",
            "1:9: parse error: unexpected character inside braces: 'é'",
        ),
        (
            "x !é",
            "1:3: parse error: unexpected character after '!': 'é'",
        ),
        ("1 +\n  😀", "2:3: parse error: unexpected character: '😀'"),
    ] {
        assert_eq!(fail(q), want, "{q:?}");
    }
}

#[test]
fn no_character_anywhere_makes_the_lexer_or_parser_panic() {
    let queries = [
        "1 + 2",
        "sum by (job) (rate(x{a=\"b\"}[5m:1m]))",
        "foo offset -5m @ 100 + on (a) group_left (b) bar",
        "x[1m+step()] offset (1h - 5m)",
        "label_replace(x, \"a\", \"$1\", 'b', `c`) > bool 1 fill(0)",
        "-(2 ^ 3) unless ignoring(a) y # comment",
    ];
    // Two-, three- and four-byte characters, and a combining accent.
    for ch in ["é", "€", "😀", "\u{301}"] {
        for q in queries {
            for (at, _) in q.char_indices().chain([(q.len(), ' ')]) {
                let inserted = format!("{}{ch}{}", &q[..at], &q[at..]);
                let replaced = format!(
                    "{}{ch}{}",
                    &q[..at],
                    q[at..].chars().skip(1).collect::<String>()
                );
                for bad in [inserted, replaced] {
                    if let Err(e) = parse(&bad) {
                        assert!(bad.is_char_boundary(e.pos), "{bad:?}: {e}");
                        assert!(e.line >= 1 && e.column >= 1, "{bad:?}: {e}");
                    }
                }
            }
        }
    }
}
