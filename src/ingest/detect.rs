//! Choosing an input format when `--format` is not given.
//!
//! The rule (documented in `docs/format/csv-jsonl.md`):
//! 1. The file name decides when its extension is known: `.prom` → Prometheus text, `.om` and
//!    `.openmetrics` → OpenMetrics, `.csv` → CSV, `.jsonl`, `.ndjson` and `.json` → JSON lines.
//! 2. Otherwise the content: a first non-blank line starting with `{` is JSON lines; a first
//!    line that is a CSV header with a `value` column is CSV; anything else is a text
//!    exposition, which is OpenMetrics when one of the first 64 KiB shows a marker only
//!    OpenMetrics has (a `# EOF` line, a `# UNIT` line, a `# TYPE` with an OpenMetrics-only
//!    type, or an exemplar) and the Prometheus text format otherwise.
//!
//! OpenMetrics cannot be recognised from its end (`# EOF`) without reading everything, and
//! reading it as the text format would misread its timestamps (seconds as milliseconds), so
//! large OpenMetrics files without early markers should be named `.om` or given `--format`.

use std::io::{self, BufRead};

use super::metrics::InputFormat;

/// How much of a text exposition is examined for OpenMetrics markers.
const HEAD_LIMIT: usize = 64 * 1024;

/// Decides the format of `input` named `source_name`. Returns it with the bytes read while
/// deciding, which the caller must read again before the rest of `input`. Reading stops as
/// soon as the answer is certain, so a slow pipe of JSON or CSV is not held up.
pub fn detect_format(
    input: &mut dyn BufRead,
    source_name: &str,
) -> io::Result<(InputFormat, Vec<u8>)> {
    if let Some(f) = by_extension(source_name) {
        return Ok((f, Vec::new()));
    }
    let mut head = Vec::new();
    let mut first = true;
    while head.len() < HEAD_LIMIT {
        let start = head.len();
        if input.read_until(b'\n', &mut head)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&head[start..]);
        let line = line
            .trim_start_matches('\u{feff}')
            .trim_end_matches(['\n', '\r']);
        if first {
            if line.trim().is_empty() {
                continue;
            }
            first = false;
            let t = line.trim_start();
            if t.starts_with('{') {
                return Ok((InputFormat::JsonLines, head));
            }
            if !t.starts_with('#') && is_csv_header(t) {
                return Ok((InputFormat::Csv, head));
            }
        }
        if is_openmetrics_marker(line) {
            return Ok((InputFormat::OpenMetrics, head));
        }
    }
    Ok((InputFormat::PrometheusText, head))
}

fn by_extension(name: &str) -> Option<InputFormat> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "prom" => InputFormat::PrometheusText,
        "om" | "openmetrics" => InputFormat::OpenMetrics,
        "csv" => InputFormat::Csv,
        "jsonl" | "ndjson" | "json" => InputFormat::JsonLines,
        _ => return None,
    })
}

/// A CSV header names a `value` column. (A text-format sample line has no comma outside
/// braces and quotes, and its first field is never exactly `value`-and-more.)
fn is_csv_header(line: &str) -> bool {
    line.contains(',')
        && line
            .split(',')
            .any(|f| f.trim().trim_matches('"').eq_ignore_ascii_case("value"))
}

fn is_openmetrics_marker(line: &str) -> bool {
    if line == "# EOF" || line.starts_with("# UNIT ") {
        return true;
    }
    if let Some(rest) = line.strip_prefix("# TYPE ") {
        let kind = rest.split_once(' ').map(|(_, k)| k).unwrap_or("");
        return matches!(kind, "info" | "stateset" | "gaugehistogram" | "unknown");
    }
    !line.starts_with('#') && line.contains(" # {")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(name: &str, body: &str) -> InputFormat {
        let mut r = body.as_bytes();
        let (f, head) = detect_format(&mut r, name).unwrap();
        // Nothing is lost: head + rest is the input.
        let mut all = head;
        all.extend_from_slice(r);
        assert_eq!(all, body.as_bytes());
        f
    }

    #[test]
    fn by_name_then_content() {
        use InputFormat::*;
        assert_eq!(detect("x.om", "a 1\n"), OpenMetrics);
        assert_eq!(detect("dir.v2/x.PROM", "# EOF\n"), PrometheusText);
        assert_eq!(detect("x.csv", ""), Csv);
        assert_eq!(detect("x.ndjson", ""), JsonLines);
        assert_eq!(
            detect("<stdin>", "\n  {\"metric\":\"a\",\"value\":1}\n"),
            JsonLines
        );
        assert_eq!(
            detect("<stdin>", "metric,labels,timestamp,value\nup,,1,1\n"),
            Csv
        );
        assert_eq!(detect("<stdin>", "\"metric\",\"Value\"\n"), Csv);
        assert_eq!(
            detect("<stdin>", "# HELP a b\n# TYPE a gauge\na 1\n"),
            PrometheusText
        );
        assert_eq!(detect("<stdin>", "a{b=\"value,x\"} 1\n"), PrometheusText);
        assert_eq!(
            detect("<stdin>", "# TYPE a gauge\na 1\n# EOF\n"),
            OpenMetrics
        );
        assert_eq!(detect("<stdin>", "# TYPE a info\n"), OpenMetrics);
        assert_eq!(detect("<stdin>", "a_total 1 # {t=\"1\"} 1\n"), OpenMetrics);
        assert_eq!(detect("<stdin>", ""), PrometheusText);
        assert_eq!(
            detect("data.txt", "# UNIT a_seconds seconds\n"),
            OpenMetrics
        );
    }
}
