//! Differential test against a real Prometheus (Debian's `prometheus` 2.42) as the oracle: runs
//! `scripts/promql-diff`, which loads the same generated data into an argus store and into one
//! Prometheus, asks both several hundred PromQL queries and compares the answers. Any
//! disagreement not listed under "Known differences" in `docs/promql-agreement.md` fails.
//!
//! The data, the queries and the comparison live in the script so that developers can run it
//! by hand (`scripts/promql-diff -v`); this test only runs it against the binary under test.

use super::support::{argus_bin, Workdir};
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn argus_agrees_with_prometheus() {
    for tool in ["prometheus", "promtool"] {
        assert!(
            have(tool),
            "`{tool}` is missing: run scripts/install-test-deps (installs Debian's prometheus)"
        );
    }
    assert!(
        have("python3"),
        "python3 is missing: scripts/promql-diff needs it"
    );
    let w = Workdir::new();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg(format!("{root}/scripts/promql-diff"))
        .arg("--argus")
        .arg(argus_bin())
        .arg("--workdir")
        .arg(w.path("diff"))
        .output()
        .expect("run scripts/promql-diff");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "argus and Prometheus disagree (exit {:?}):\n{stdout}\n{stderr}",
        out.status.code()
    );
    // The summary line, visible with `cargo test -- --nocapture`.
    println!("{stdout}");
}
