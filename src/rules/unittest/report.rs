//! How promtool words a failed check, so that a team's CI logs read the same with argus:
//! labels as Go prints them (`{__name__="up", job="a"}`), values as `strconv.FormatFloat(v,
//! 'E', -1, 64)` (`1E+00`), times since the test's start as Go durations (`5m0s`), and
//! expected and got alert lists numbered and indented as promtool indents them.

use crate::gotmpl::strconv::{format_float, quote};
use crate::model::Labels;

/// Go's `time.Duration.String()` for a whole number of milliseconds.
pub fn go_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    if ms < 1000 {
        return format!("{sign}{ms}ms");
    }
    let hours = ms / 3_600_000;
    let minutes = ms / 60_000 % 60;
    let seconds = ms / 1000 % 60;
    let millis = ms % 1000;
    let mut secs = seconds.to_string();
    if millis > 0 {
        secs = format!("{seconds}.{millis:03}");
        secs = secs.trim_end_matches('0').to_string();
    }
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{secs}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// Prometheus' `labels.String()`: `{a="b", c="d"}`, names quoted when not legacy-valid.
pub fn go_labels(labels: &[(String, String)]) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let name = if crate::model::labels::is_valid_label_name(k) {
                k.clone()
            } else {
                quote(k, '"', false)
            };
            format!("{name}={}", quote(v, '"', false))
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// A sample value as promtool prints it: `1E+00`, `2.5E-03`, `NaN`, `+Inf`.
pub fn go_value(v: f64) -> String {
    format_float(v, 'E', -1)
}

/// promtool's list of samples: `labels value, labels value`, or `nil` when empty.
pub fn samples_string(samples: &[(Labels, f64)]) -> String {
    if samples.is_empty() {
        return "nil".to_string();
    }
    samples
        .iter()
        .map(|(l, v)| format!("{} {}", go_labels(l.pairs()), go_value(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One alert as a check compares it: labels and annotations, each sorted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlertView {
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
}

/// promtool's numbered list of alerts (`[]` when empty).
pub fn alerts_string(alerts: &[AlertView]) -> String {
    if alerts.is_empty() {
        return "[]".to_string();
    }
    let mut s = String::from("[");
    for (i, a) in alerts.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let one = format!(
            "\nLabels:{}\nAnnotations:{}",
            go_labels(&a.labels),
            go_labels(&a.annotations)
        );
        s.push_str(&format!("\n{i}:{}", indent_lines(&one, "  ")));
    }
    s.push_str("\n]");
    s
}

/// Prefixes every line but the first with `indent`, as promtool's `indentLines`.
pub fn indent_lines(lines: &str, indent: &str) -> String {
    lines
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            if i > 0 {
                format!("{indent}{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(500), "500ms");
        assert_eq!(go_duration(5 * 60_000), "5m0s");
        assert_eq!(go_duration(3_600_000), "1h0m0s");
        assert_eq!(go_duration(61_500), "1m1.5s");
        assert_eq!(go_duration(86_400_000), "24h0m0s");
    }

    #[test]
    fn values_print_in_go_exponent_form() {
        assert_eq!(go_value(1.0), "1E+00");
        assert_eq!(go_value(0.0), "0E+00");
        assert_eq!(go_value(0.0025), "2.5E-03");
        assert_eq!(go_value(f64::INFINITY), "+Inf");
    }

    #[test]
    fn alert_lists_are_numbered_and_indented() {
        let a = AlertView {
            labels: vec![("alertname".into(), "Test".into())],
            annotations: vec![],
        };
        assert_eq!(
            alerts_string(&[a]),
            "[\n0:\n  Labels:{alertname=\"Test\"}\n  Annotations:{}\n]"
        );
        assert_eq!(alerts_string(&[]), "[]");
    }
}
