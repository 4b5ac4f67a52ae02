//! Counting cases: passed, failed and skipped, per file and per category. PromQL cases fall into
//! core, native histograms, or the experimental feature their file tests; LogQL cases into their
//! corpus, or `logqltest` for the engine scripts. The baseline records the passing counts per
//! category.

use super::promql_script::ScriptReport;
use super::Outcome;
use std::collections::BTreeMap;
use std::path::Path;

/// Files tied to an experimental or separately switched-on Prometheus feature: their cases
/// count in a category named after the feature (and the file).
pub const FEATURES: [&str; 8] = [
    "duration_expression",
    "extended_vectors",
    "fill-modifier",
    "info",
    "limit",
    "name_label_dropping",
    "start_timestamps",
    "type_and_unit",
];

pub const CORE: &str = "core";
pub const NATIVE_HISTOGRAMS: &str = "native_histograms";

/// The category of a PromQL case: the feature of its file; else native histograms when the
/// file is about them or the case involved them; else core.
pub fn category(file_stem: &str, native_histograms: bool) -> &str {
    if let Some(f) = FEATURES.iter().find(|f| **f == file_stem) {
        f
    } else if native_histograms || file_stem == NATIVE_HISTOGRAMS {
        NATIVE_HISTOGRAMS
    } else {
        CORE
    }
}

/// The counts of one PromQL script's cases, per category.
pub fn per_category<'a>(file_stem: &'a str, report: &ScriptReport) -> BTreeMap<&'a str, Counts> {
    let mut per_cat: BTreeMap<&str, Counts> = BTreeMap::new();
    for c in &report.cases {
        per_cat
            .entry(category(file_stem, c.native_histograms))
            .or_default()
            .add(&c.outcome);
    }
    per_cat
}

/// The baseline category of a LogQL file: its stem for the corpora, `logqltest` for the
/// engine scripts.
pub fn logql_category(file: &Path) -> String {
    if file.extension().is_some_and(|x| x == "logqltest") {
        return "logqltest".into();
    }
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Passed, failed and skipped cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail(_) => self.failed += 1,
            Outcome::Skip(_) => self.skipped += 1,
        }
    }

    pub fn merge(&mut self, o: Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_file_then_histograms() {
        assert_eq!(category("limit", true), "limit");
        assert_eq!(category("fill-modifier", false), "fill-modifier");
        assert_eq!(category("native_histograms", false), NATIVE_HISTOGRAMS);
        assert_eq!(category("functions", true), NATIVE_HISTOGRAMS);
        assert_eq!(category("functions", false), CORE);
    }
}
