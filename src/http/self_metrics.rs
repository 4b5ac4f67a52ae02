//! The server's own metrics, served on `/metrics` in the Prometheus text format and scraped
//! by the server itself: requests by handler and code, query and scrape durations, what was
//! ingested, what was rejected, store size, memory.
//!
//! A small registry of named families with labeled values under one mutex: the server
//! updates a handful of values per request, far below where a lock-free design would pay.
//! Durations are summaries without quantiles (`_sum` and `_count`), from which `rate()`
//! gives the mean, as Prometheus' own `prometheus_http_request_duration_seconds` allows.

use crate::expo::TextWriter;
use crate::model::{Labels, MetricMetadata, MetricType};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// One family's help, type and values.
struct Family {
    help: &'static str,
    kind: MetricType,
    /// (suffix of the sample name, labels) → value. The suffix is empty but for summaries,
    /// whose samples are `<name>_sum` and `<name>_count`.
    values: BTreeMap<(&'static str, Labels), f64>,
}

/// The families, by name.
#[derive(Default)]
pub struct Registry {
    families: Mutex<BTreeMap<&'static str, Family>>,
}

impl Registry {
    /// Runs `f` on the family `name`, made on first use.
    fn with_family(
        &self,
        name: &'static str,
        help: &'static str,
        kind: MetricType,
        f: impl FnOnce(&mut Family),
    ) {
        if let Ok(mut fams) = self.families.lock() {
            f(fams.entry(name).or_insert_with(|| Family {
                help,
                kind,
                values: BTreeMap::new(),
            }));
        }
    }

    fn update(
        &self,
        name: &'static str,
        help: &'static str,
        kind: MetricType,
        labels: &[(&str, &str)],
        f: impl FnOnce(&mut f64),
    ) {
        self.with_family(name, help, kind, |fam| {
            f(fam
                .values
                .entry(("", Labels::from_pairs(labels.iter().copied())))
                .or_insert(0.0))
        });
    }

    /// Adds `v` to a counter.
    pub fn add(&self, name: &'static str, help: &'static str, labels: &[(&str, &str)], v: f64) {
        self.update(name, help, MetricType::Counter, labels, |x| *x += v);
    }

    /// Sets a counter kept elsewhere to its current total.
    pub fn set_total(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        v: f64,
    ) {
        self.update(name, help, MetricType::Counter, labels, |x| *x = v);
    }

    /// Sets a gauge.
    pub fn set(&self, name: &'static str, help: &'static str, labels: &[(&str, &str)], v: f64) {
        self.update(name, help, MetricType::Gauge, labels, |x| *x = v);
    }

    /// Records one observation of a summary without quantiles: `<name>_sum` and
    /// `<name>_count`.
    pub fn observe(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        seconds: f64,
    ) {
        let labels = Labels::from_pairs(labels.iter().copied());
        self.with_family(name, help, MetricType::Summary, |fam| {
            *fam.values.entry(("_sum", labels.clone())).or_insert(0.0) += seconds;
            *fam.values.entry(("_count", labels)).or_insert(0.0) += 1.0;
        });
    }

    /// Removes every value of a family (a gauge whose label sets change, such as per-target
    /// scrape durations after a reload).
    pub fn clear(&self, name: &'static str) {
        if let Ok(mut fams) = self.families.lock() {
            if let Some(f) = fams.get_mut(name) {
                f.values.clear();
            }
        }
    }

    /// The text exposition (format 0.0.4) of every family, written by the exposition
    /// writer that `/federate` and `argus export` use, so that names, label values and help
    /// texts are escaped in one place.
    pub fn render(&self) -> String {
        let Ok(fams) = self.families.lock() else {
            return String::new();
        };
        let mut w = TextWriter::new(Vec::new());
        for (name, fam) in fams.iter() {
            let md = MetricMetadata {
                metric: name.to_string(),
                kind: fam.kind,
                help: fam.help.to_string(),
                unit: String::new(),
            };
            // Writing into a Vec cannot fail, and every sample below has a metric name.
            let _ = w.write_metadata(&md);
            for ((suffix, labels), v) in &fam.values {
                let mut b = labels.to_builder();
                b.set("__name__", format!("{name}{suffix}"));
                let _ = w.write_sample(&b.build(), None, *v);
            }
        }
        let out = w.finish().unwrap_or_default();
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The resident set size of this process in bytes, from `/proc/self/statm` (Linux).
pub fn resident_memory_bytes() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * page.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_parseable_text_exposition() {
        let r = Registry::default();
        r.add("argus_x_total", "X.", &[("handler", "/a\"b")], 2.0);
        r.add("argus_x_total", "X.", &[("handler", "/a\"b")], 1.0);
        r.set("argus_up", "Up.", &[], 1.0);
        r.observe("argus_d_seconds", "D.", &[("api", "p")], 0.5);
        let text = r.render();
        assert!(
            text.contains("argus_x_total{handler=\"/a\\\"b\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("argus_d_seconds_count{api=\"p\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("# TYPE argus_d_seconds summary\n"), "{text}");
        let entries = crate::expo::parse_all(&text, crate::expo::Format::PrometheusText).unwrap();
        let samples = entries
            .iter()
            .filter(|e| matches!(e, crate::expo::Entry::Sample(_)))
            .count();
        assert_eq!(samples, 4);
    }

    #[test]
    fn help_texts_are_escaped_by_the_exposition_writer() {
        // A help text with a backslash or a line break must not end the comment line: the
        // hand-written renderer wrote them as they were, and the next line did not parse.
        let r = Registry::default();
        r.set("argus_y", "First line\nsecond \\ line.", &[], 1.0);
        r.set("argus_z", "Broken\nhelp.", &[], 2.0);
        let text = r.render();
        assert!(text.contains("# HELP argus_z Broken\\nhelp.\n"), "{text}");
        let entries = crate::expo::parse_all(&text, crate::expo::Format::PrometheusText)
            .unwrap_or_else(|e| panic!("{e}: {text}"));
        let samples = entries
            .iter()
            .filter(|e| matches!(e, crate::expo::Entry::Sample(_)))
            .count();
        assert_eq!(samples, 2, "{text}");
    }
}
