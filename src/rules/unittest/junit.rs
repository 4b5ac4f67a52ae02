//! JUnit XML for `argus rules test --junit FILE`, the report CI systems read: one
//! `<testsuite>` per test file, one `<testcase>` per test group that ran, a `<failure>` per
//! failed check, as promtool writes it.

use super::FileOutcome;

/// The report of every file run, in order.
pub fn render(files: &[(String, FileOutcome)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (name, outcome) in files {
        let failures: usize = outcome
            .groups
            .iter()
            .filter(|g| !g.failures.is_empty())
            .count();
        // A file that failed before any group ran (it does not parse, a rule file is bad)
        // is one failed case named after the file.
        let file_level = outcome.groups.is_empty() && !outcome.failures.is_empty();
        let tests = outcome.groups.len() + usize::from(file_level);
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{}\" skipped=\"{}\">\n",
            escape(name),
            failures + usize::from(file_level),
            outcome.skipped
        ));
        if file_level {
            case(&mut out, name, &outcome.failures);
        }
        for g in &outcome.groups {
            case(&mut out, &g.name, &g.failures);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn case(out: &mut String, name: &str, failures: &[String]) {
    out.push_str(&format!("    <testcase name=\"{}\">", escape(name)));
    if failures.is_empty() {
        out.push_str("</testcase>\n");
        return;
    }
    out.push('\n');
    for f in failures {
        out.push_str(&format!(
            "      <failure message=\"{}\"></failure>\n",
            escape(f.trim())
        ));
    }
    out.push_str("    </testcase>\n");
}

/// Escapes text for an XML attribute.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    out
}
