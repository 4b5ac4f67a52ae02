//! The test suite's fuzzing: every target over a bounded number of mutated inputs from a fixed
//! seed (so a failure repeats), then every input kept in `tests/fuzz-regressions/<target>/`.
//!
//! `ARGUS_FUZZ_RUNS` sets the number of inputs per target (default 5,000) and
//! `ARGUS_FUZZ_SEED` the mutator's seed; `argus conformance fuzz` runs longer.
//! Test threads have 2 MiB stacks, as the server's threads do, so an input that overflows the
//! stack there overflows it here too (and aborts the test binary: a failure no one can miss).

use super::*;
use std::path::PathBuf;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared conformance data beside the checkout. Under CI it must be there: a missing corpus
/// would make the seeds thinner without anyone noticing.
fn conformance_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared/conformance");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but the conformance data is missing at {}",
        dir.display()
    );
    None
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz(name: &str) {
    let target = target(name).expect("a known target");
    let conformance = conformance_dir();
    let fixtures = manifest_dir().join("tests/fixtures");
    let dirs = SeedDirs {
        conformance: conformance.as_deref(),
        fixtures: Some(&fixtures),
    };
    let seed_inputs = seeds(name, &dirs);
    let runs = env_u64("ARGUS_FUZZ_RUNS", 5_000);
    let rng_seed = env_u64("ARGUS_FUZZ_SEED", 0x5eed);
    if let Err(f) = run(target, &seed_inputs, runs, rng_seed, &mut |_| {}) {
        panic!(
            "fuzz target {} failed after {} inputs (ARGUS_FUZZ_SEED={rng_seed}): {}\ninput ({} bytes): {:?}",
            f.target,
            f.after,
            f.message,
            f.input.len(),
            String::from_utf8_lossy(&f.input[..f.input.len().min(2000)])
        );
    }
    let kept = regressions(&manifest_dir().join("tests/fuzz-regressions"), name)
        .expect("tests/fuzz-regressions is readable");
    for (file, input) in kept {
        if let Err(f) = check_one(target, &input, 0) {
            panic!("regression input {name}/{file} fails again: {}", f.message);
        }
    }
}

#[test]
fn fuzz_exposition() {
    fuzz("exposition");
}

#[test]
fn fuzz_promql() {
    fuzz("promql");
}

#[test]
fn fuzz_logql() {
    fuzz("logql");
}

#[test]
fn fuzz_template() {
    fuzz("template");
}

#[test]
fn fuzz_loki_push_json() {
    fuzz("loki-push-json");
}

#[test]
fn fuzz_loki_push_protobuf() {
    fuzz("loki-push-protobuf");
}

#[test]
fn fuzz_remote_write() {
    fuzz("remote-write");
}

#[test]
fn every_target_has_a_test_here() {
    let source = include_str!("tests.rs");
    for t in TARGETS {
        assert!(
            source.contains(&format!("fuzz(\"{}\")", t.name)),
            "no test runs fuzz target {}",
            t.name
        );
    }
}
