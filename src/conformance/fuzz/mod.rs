//! Fuzz targets: one function per parser and decoder that takes outside input (the exposition
//! formats, PromQL, LogQL, Go templates, Loki pushes as JSON and protobuf, remote_write), each
//! taking arbitrary bytes and checking what must hold for every input: no panic, no stack
//! overflow, and for the query languages that what parses prints back to text that parses to
//! the same thing.
//!
//! The same targets serve two drivers:
//! - the in-tree fuzzer ([`run`], blind mutation from [`mutate`]), which the test suite runs for
//!   a bounded number of inputs from a fixed seed, and `argus conformance fuzz` runs for as long
//!   as wanted;
//! - libFuzzer, through the `fuzz/` crate and `scripts/fuzz --libfuzzer`, for coverage-guided
//!   runs.
//!
//! Seeds come from the peers' conformance data (`../shared/conformance`) and argus' own test
//! fixtures ([`seeds`]); an input that once failed is kept under `tests/fuzz-regressions/` and
//! replayed by the test suite for ever after.
//!
//! This module is a developer tool: nothing in the product calls it.

pub mod mutate;
mod seeds;
mod targets;

pub use seeds::{seeds, SeedDirs};
pub use targets::TARGETS;

use mutate::Mutator;
use std::path::Path;

/// One fuzz target.
pub struct Target {
    /// Its name on the command line and in `fuzz/fuzz_targets/`.
    pub name: &'static str,
    /// What it feeds the input to.
    pub about: &'static str,
    /// Runs one input; panics when a property that must hold for every input does not.
    pub check: fn(&[u8]),
    /// Words of the target's language that the mutator inserts whole.
    pub dictionary: &'static [&'static str],
    /// The longest input worth trying.
    pub max_len: usize,
}

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// An input that broke a target.
#[derive(Debug)]
pub struct Failure {
    pub target: &'static str,
    pub input: Vec<u8>,
    pub message: String,
    /// How many inputs ran before this one.
    pub after: u64,
}

/// Runs `target` over `runs` mutated inputs from `seeds`, starting the mutator at `rng_seed`.
/// Stops at the first failure. `on_progress` is called every 10,000 inputs.
pub fn run(
    target: &'static Target,
    seeds: &[Vec<u8>],
    runs: u64,
    rng_seed: u64,
    on_progress: &mut dyn FnMut(u64),
) -> Result<u64, Failure> {
    run_with(target, seeds, runs, rng_seed, on_progress, &mut |_| {})
}

/// [`run`], calling `before_each` with every input before it is tried (the CLI records it,
/// so that an input that aborts the process is not lost).
pub fn run_with(
    target: &'static Target,
    seeds: &[Vec<u8>],
    runs: u64,
    rng_seed: u64,
    on_progress: &mut dyn FnMut(u64),
    before_each: &mut dyn FnMut(&[u8]),
) -> Result<u64, Failure> {
    let dictionary = target
        .dictionary
        .iter()
        .map(|w| w.as_bytes().to_vec())
        .collect();
    let mut mutator = Mutator::new(rng_seed, dictionary, target.max_len);
    // The seeds themselves first: a seed that fails needs no mutation to show it.
    for (i, seed) in seeds.iter().enumerate() {
        before_each(seed);
        check_one(target, seed, i as u64)?;
    }
    let mut done = 0;
    while done < runs {
        let input = mutator.next_input(seeds);
        before_each(&input);
        check_one(target, &input, done)?;
        done += 1;
        if done % 10_000 == 0 {
            on_progress(done);
        }
    }
    Ok(done)
}

/// Runs one input, turning a panic into a [`Failure`]. (A stack overflow cannot be caught:
/// it aborts the process, which the test harness reports as a crash of the test binary.)
pub fn check_one(target: &'static Target, input: &[u8], after: u64) -> Result<(), Failure> {
    let outcome = std::panic::catch_unwind(|| (target.check)(input));
    outcome.map_err(|payload| Failure {
        target: target.name,
        input: input.to_vec(),
        message: panic_message(payload.as_ref()),
        after,
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// The inputs kept under `dir/<target>/` (one file each), for replaying.
pub fn regressions(dir: &Path, target: &str) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let dir = dir.join(target);
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.is_file() {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            out.push((name.unwrap_or_default(), std::fs::read(&path)?));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests;
