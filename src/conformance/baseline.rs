//! The baseline of a conformance run: a committed file of `category passing-count` lines (with
//! the total), and the ratchet: a run regresses when any count falls below its line, and an
//! update raises the numbers to the run's, never lowering one.

use super::ConformanceError;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Passing cases per category, `total` included.
pub type Passing = BTreeMap<String, u64>;

pub const PROMQL_HEADER: &str =
    "# Passing cases of `argus conformance promql` over Prometheus' promqltest scripts, in\n\
     # total and per category. A run with --baseline fails when fewer pass;\n\
     # --update-baseline raises these numbers (it never lowers them).\n";

pub const LOGQL_HEADER: &str =
    "# Passing cases of `argus conformance logql` over Loki's LogQL corpora, in total and per\n\
     # file. A run with --baseline fails when fewer pass;\n\
     # --update-baseline raises these numbers (it never lowers them).\n";

/// Reads `name count` lines (`#` comments and blank lines ignored).
pub fn read(p: &Path) -> Result<Passing, ConformanceError> {
    let text = std::fs::read_to_string(p).map_err(|source| ConformanceError::ReadBaseline {
        path: p.to_path_buf(),
        source,
    })?;
    let mut m = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once(char::is_whitespace)
            .and_then(|(k, v)| Some((k.to_string(), v.trim().parse::<u64>().ok()?)));
        let Some((k, v)) = parsed else {
            return Err(ConformanceError::BaselineSyntax {
                path: p.to_path_buf(),
                line: n + 1,
                text: line.to_string(),
            });
        };
        m.insert(k, v);
    }
    Ok(m)
}

/// The outcome of holding a run to its baseline.
#[derive(Debug, Default)]
pub struct Ratchet {
    /// `category: N passing, baseline M` for every count below its baseline.
    pub regressions: Vec<String>,
    /// The file was rewritten with higher numbers.
    pub raised: bool,
}

/// Compares this run's passing counts with the baseline and, with `update`, raises the
/// numbers in the file at `path` (never lowering one; a file that would not change is left
/// alone).
pub fn ratchet(
    path: Option<&Path>,
    update: bool,
    baseline: Option<&Passing>,
    passing: &Passing,
    header: &str,
) -> Result<Ratchet, ConformanceError> {
    let mut out = Ratchet {
        regressions: baseline
            .map(|b| regressions(b, passing))
            .unwrap_or_default(),
        raised: false,
    };
    if let (true, Some(p)) = (update, path) {
        let mut raised = baseline.cloned().unwrap_or_default();
        for (k, v) in passing {
            let e = raised.entry(k.clone()).or_default();
            *e = (*e).max(*v);
        }
        if baseline != Some(&raised) {
            write(p, &raised, header)?;
            out.raised = true;
        }
    }
    Ok(out)
}

fn write(p: &Path, m: &Passing, header: &str) -> Result<(), ConformanceError> {
    let mut s = String::from(header);
    if let Some(t) = m.get("total") {
        let _ = writeln!(s, "total {t}");
    }
    for (k, v) in m.iter().filter(|(k, _)| *k != "total") {
        let _ = writeln!(s, "{k} {v}");
    }
    std::fs::write(p, s).map_err(|source| ConformanceError::WriteBaseline {
        path: p.to_path_buf(),
        source,
    })
}

/// `category: N passing, baseline M` for every count below its baseline.
fn regressions(baseline: &Passing, passing: &Passing) -> Vec<String> {
    baseline
        .iter()
        .filter_map(|(k, want)| {
            let got = passing.get(k).copied().unwrap_or(0);
            (got < *want).then(|| format!("{k}: {got} passing, baseline {want}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regressions_compare_every_recorded_count() {
        let b: BTreeMap<String, u64> = [("total".into(), 10), ("core".into(), 8)].into();
        let p: BTreeMap<String, u64> = [("total".into(), 11), ("core".into(), 7)].into();
        assert_eq!(regressions(&b, &p), vec!["core: 7 passing, baseline 8"]);
        let missing: BTreeMap<String, u64> = [("total".into(), 11)].into();
        assert_eq!(regressions(&b, &missing).len(), 1);
    }
}
