//! Queries, templates and stored lines nested or chained far beyond what a person writes:
//! each is either refused with a positioned error or handled, never a stack overflow. Every
//! test runs on a thread with a 2 MiB stack, the size of the server's threads, in the debug
//! build the tests use (where frames are largest).

use super::extract::{json_all, JsonExpressions, Sink};
use super::pipeline::{EntryLabels, Pipeline};
use super::{parse_for_eval, Expr, MAX_NESTING};
use crate::gotmpl::MAX_DEPTH as MAX_TEMPLATE_DEPTH;
use crate::logql::ast::Extraction;
use crate::model::Labels;

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// The parse error of `q` as `(column, message)`, parsed on a small stack.
fn parse_error(q: String) -> (usize, String) {
    on_small_stack(move || {
        let e = parse_for_eval(&q).expect_err(&q[..q.len().min(80)]);
        (e.column, e.message)
    })
}

/// Parses `q`, compiles its pipeline (for a log query), and drops both, on a small stack.
fn parses_and_compiles(q: String) {
    on_small_stack(move || {
        let e = parse_for_eval(&q).unwrap_or_else(|e| panic!("{}: {e}", &q[..q.len().min(80)]));
        if let Expr::Log(l) = &e {
            Pipeline::compile(l).unwrap();
        }
    })
}

const SEL: &str = r#"{app="a"}"#;
const COUNT: &str = r#"count_over_time({app="a"}[1m])"#;

#[test]
fn nesting_beyond_the_limit_is_a_positioned_error() {
    let n = 3_000;
    let too_deep = format!("expression nested more than {MAX_NESTING} levels deep");
    // The query itself is the first level, so the error points just after the opening that
    // would make the level beyond the limit (the MAX_NESTINGth parenthesis, `sum(`, `^`).
    let cases = [
        (
            format!("{}{COUNT}{}", "(".repeat(n), ")".repeat(n)),
            MAX_NESTING + 1,
        ),
        (
            format!("{}{COUNT}{}", "sum(".repeat(n), ")".repeat(n)),
            4 * MAX_NESTING + 1,
        ),
        (format!("{}1", "1 ^ ".repeat(n)), 4 * MAX_NESTING + 1),
        (
            format!("{SEL} | {}x=\"y\"{}", "(".repeat(n), ")".repeat(n)),
            12 + MAX_NESTING + 1,
        ),
        (
            format!("{}{SEL}{}", "(".repeat(n), ")".repeat(n)),
            MAX_NESTING + 1,
        ),
        // The first parenthesis of a log range is its own.
        (
            format!(
                "count_over_time({}{SEL}[1m]{})",
                "(".repeat(n),
                ")".repeat(n)
            ),
            16 + MAX_NESTING + 1,
        ),
    ];
    for (q, column) in cases {
        let (col, message) = parse_error(q.clone());
        assert!(message.contains(&too_deep), "{}: {message}", &q[..40]);
        assert_eq!(col, column, "{}: {message}", &q[..40]);
    }
}

#[test]
fn nesting_at_the_limit_parses() {
    let k = MAX_NESTING - 1;
    for q in [
        format!("{}{COUNT}{}", "(".repeat(k), ")".repeat(k)),
        format!("{}{COUNT}{}", "sum(".repeat(k), ")".repeat(k)),
        format!("{}1", "1 ^ ".repeat(k)),
        format!("{SEL} | {}x=\"y\"{}", "(".repeat(k - 1), ")".repeat(k - 1)),
        format!("{}{SEL}{}", "(".repeat(k), ")".repeat(k)),
    ] {
        parses_and_compiles(q);
    }
}

#[test]
fn chains_of_any_length_parse_compile_and_drop() {
    let n = 10_000;
    for q in [
        format!("1{}", " + 1".repeat(n)),
        vec![COUNT; 2_000].join(" / "),
        format!("{SEL} | x=\"y\"{}", " and x=\"y\"".repeat(n)),
        format!("{SEL} | x=\"y\"{}", " or x=\"y\"".repeat(n)),
        format!("{SEL} | x=\"y\"{}", ", x=\"y\"".repeat(n)),
        format!("{SEL} | x=\"y\"{}", " x=\"y\"".repeat(n)),
        format!("{SEL} | x=\"y\"{}", ", (x=\"y\" or z=\"w\")".repeat(n / 2)),
        format!("{SEL}{}", " |= \"a\"".repeat(n)),
    ] {
        parses_and_compiles(q);
    }
}

#[test]
fn long_label_filter_chains_keep_and_drop_lines_as_short_ones_do() {
    on_small_stack(|| {
        let stream = Labels::from_pairs([("app", "a"), ("x", "y")]);
        let keeps = |q: &str| {
            let Expr::Log(l) = parse_for_eval(q).unwrap() else {
                panic!()
            };
            let p = Pipeline::compile(&l).unwrap();
            let mut labels = EntryLabels::new(&stream);
            labels.reset(&[]);
            p.process(0, "line", &mut labels).is_some()
        };
        let n = 5_000;
        assert!(keeps(&format!(
            "{SEL} | x=\"y\"{}",
            ", x=~\"y|z\"".repeat(n)
        )));
        assert!(!keeps(&format!(
            "{SEL} | x=\"y\"{} and x=\"z\"",
            " and x=\"y\"".repeat(n)
        )));
        assert!(keeps(&format!(
            "{SEL} | x=\"z\"{} or x=\"y\"",
            " or x=\"z\"".repeat(n)
        )));
    });
}

#[test]
fn templates_nested_beyond_the_limit_are_errors() {
    let n = 2_000;
    for template in [
        format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n)),
        format!("{}x{}", "{{if 1}}".repeat(n), "{{end}}".repeat(n)),
        format!("{{{{if 0}}}}{}x{{{{end}}}}", "{{else if 0}}".repeat(n)),
        format!(
            "{}x{}",
            "{{with 1}}{{range $i, $e := 2}}".repeat(n),
            "{{end}}".repeat(2 * n)
        ),
    ] {
        let q = format!("{SEL} | line_format `{template}`");
        let (col, message) = parse_error(q);
        assert_eq!(col, 25, "{message}");
        assert!(
            message.contains("max expression depth exceeded"),
            "{message}"
        );
    }
}

#[test]
fn templates_at_the_limit_parse_and_run() {
    let k = MAX_TEMPLATE_DEPTH;
    for (template, want) in [
        (
            format!("{{{{ {}1{} }}}}", "(add 1 ".repeat(k), ")".repeat(k)),
            (k + 1).to_string(),
        ),
        (
            format!("{}x{}", "{{if 1}}".repeat(k), "{{end}}".repeat(k)),
            "x".into(),
        ),
        (
            format!("{{{{if 0}}}}{}x{{{{end}}}}", "{{else if 0}}".repeat(k - 1)),
            String::new(),
        ),
        (
            format!(
                "{}{{{{.}}}}{}",
                "{{with \"w\"}}".repeat(k),
                "{{end}}".repeat(k)
            ),
            "w".into(),
        ),
    ] {
        let got = on_small_stack(move || {
            let q = format!("{SEL} | line_format `{template}`");
            let Expr::Log(l) = parse_for_eval(&q).unwrap() else {
                panic!()
            };
            let p = Pipeline::compile(&l).unwrap();
            let stream = Labels::from_pairs([("app", "a")]);
            let mut labels = EntryLabels::new(&stream);
            labels.reset(&[]);
            let line = p.process(0, "line", &mut labels).map(|l| l.into_owned());
            (line, labels.get("__error__").map(str::to_string))
        });
        assert_eq!(got, (Some(want), None));
    }
}

/// What an extractor sent.
#[derive(Default)]
struct Pairs(Vec<(String, String)>);

impl Sink for Pairs {
    fn add(&mut self, name: &str, value: &str) {
        self.0.push((name.to_string(), value.to_string()));
    }

    fn absent(&mut self, _: &str, _: super::extract::Absent) {}
}

#[test]
fn json_objects_nested_thousands_deep_flatten() {
    let n = 6_000;
    let line = format!(
        r#"{}{{"b":1}}{}"#,
        r#"{"a":"#.repeat(n - 1),
        "}".repeat(n - 1)
    );
    let (pairs, result) = on_small_stack(move || {
        let mut sink = Pairs::default();
        let r = json_all(&line, &mut sink);
        (sink.0, r)
    });
    assert!(result.is_ok(), "{result:?}");
    let name = format!("{}b", "a_".repeat(n - 1));
    assert_eq!(pairs, vec![(name, "1".to_string())]);
    // A deep fault still fails the line, keeping what came before it, as Loki does.
    let line = format!(r#"{{"k":"v","a":{}"b":1}}"#, r#"{"a":"#.repeat(n));
    let (pairs, result) = on_small_stack(move || {
        let mut sink = Pairs::default();
        let r = json_all(&line, &mut sink);
        (sink.0, r)
    });
    assert_eq!(pairs, vec![("k".to_string(), "v".to_string())]);
    assert_eq!(result.unwrap_err().kind, super::extract::JSON_PARSER_ERR);
}

#[test]
fn json_paths_with_thousands_of_index_steps() {
    let n = 5_000;
    let line = format!("{}7{}", "[".repeat(n), "]".repeat(n));
    let path = "[0]".repeat(n);
    let pairs = on_small_stack(move || {
        let params = [Extraction {
            label: "x".into(),
            expression: path,
        }];
        let mut sink = Pairs::default();
        JsonExpressions::new(&params)
            .unwrap()
            .extract(&line, &mut sink)
            .unwrap();
        sink.0
    });
    assert_eq!(pairs, vec![("x".to_string(), "7".to_string())]);
}

#[test]
fn from_json_of_a_deeply_nested_line() {
    for n in [100, 10_000] {
        let line = format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let out = on_small_stack(move || {
            let t = super::template::parse("{{ fromJson __line__ | len }}").unwrap();
            let mut out = String::new();
            let labels: Vec<(String, String)> = Vec::new();
            super::template::render(&t, &labels, &line, 0, &mut out).map(|()| out)
        });
        // Within serde_json's nesting limit the outer list has one element; beyond it the
        // text is not JSON to fromJson, which gives nil, whose length is an error.
        if n == 100 {
            assert_eq!(out.unwrap(), "1");
        } else {
            assert!(out.unwrap_err().contains("error calling len"));
        }
    }
}
