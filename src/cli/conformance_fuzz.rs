//! `argus conformance fuzz [TARGET...]`: runs the in-tree fuzzer (`crate::conformance::fuzz`) over mutated
//! inputs for as long as wanted, on threads with the 2 MiB stacks that the server's threads
//! have, and keeps any input that breaks a target.
//!
//! A panic is caught and reported with its input. A stack overflow cannot be caught (the
//! process aborts), so before each input is run it is written to `DIR/<target>.current`: after
//! an abort that file holds the input that caused it. Writing costs two system calls per input
//! into the page cache, a few percent of a parse.

use super::exit::{CliError, CliResult, FAILURE, OK};
use super::GlobalArgs;
use crate::conformance::fuzz::{self, SeedDirs, Target};
use clap::Args;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct FuzzArgs {
    /// Targets to run [default: all]; `--list` names them.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// List the targets and exit.
    #[arg(long)]
    pub list: bool,
    /// Inputs per target; 0 runs until interrupted.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub runs: u64,
    /// The mutator's seed [default: from the clock; printed, so that a run can be repeated].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The shared conformance data (with promql/ and logql/ inside), for seeds.
    #[arg(long, value_name = "DIR")]
    pub conformance: Option<PathBuf>,
    /// argus' test fixtures (tests/fixtures), for seeds.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Where a failing input is written, as DIR/<target>/<name>; the test suite replays
    /// tests/fuzz-regressions/ (the default) for ever after.
    #[arg(long, value_name = "DIR", default_value = "tests/fuzz-regressions")]
    pub save: PathBuf,
    /// Write each target's seeds as files into DIR/<target>/ (a corpus for libFuzzer) and exit.
    #[arg(long, value_name = "DIR")]
    pub write_seeds: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, a: &FuzzArgs) -> CliResult {
    if a.list {
        for t in fuzz::TARGETS {
            println!("{:<20} {}", t.name, t.about);
        }
        return Ok(OK);
    }
    let targets = chosen_targets(&a.targets)?;
    let dirs = SeedDirs {
        conformance: a.conformance.as_deref(),
        fixtures: a.fixtures.as_deref(),
    };
    if let Some(out) = &a.write_seeds {
        for target in targets {
            let n = write_seeds(out, target, &fuzz::seeds(target.name, &dirs))?;
            g.note(format!("{}: {n} seeds", target.name));
        }
        return Ok(OK);
    }
    let seed = a.seed.unwrap_or_else(clock_seed);
    g.note(format!("fuzzing with --seed {seed}"));
    std::fs::create_dir_all(&a.save).map_err(|e| {
        CliError::failure(format!("cannot create --save {}: {e}", a.save.display()))
    })?;
    let mut failed = false;
    for target in targets {
        let seeds = fuzz::seeds(target.name, &dirs);
        let runs = if a.runs == 0 { u64::MAX } else { a.runs };
        let outcome = on_server_sized_thread(target, seeds, runs, seed, a.save.clone(), g.quiet)?;
        match outcome {
            Ok(n) => g.note(format!("{}: {n} inputs, no failure", target.name)),
            Err(f) => {
                failed = true;
                let path = keep_failure(&a.save, &f)?;
                eprintln!(
                    "argus: fuzz target {} failed after {} inputs: {}\nargus: input kept in {}",
                    f.target,
                    f.after,
                    f.message,
                    path.display()
                );
            }
        }
    }
    Ok(if failed { FAILURE } else { OK })
}

fn chosen_targets(names: &[String]) -> Result<Vec<&'static Target>, CliError> {
    if names.is_empty() {
        return Ok(fuzz::TARGETS.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            fuzz::target(n).ok_or_else(|| {
                let known: Vec<_> = fuzz::TARGETS.iter().map(|t| t.name).collect();
                CliError::usage(format!(
                    "unknown fuzz target {n:?}; the targets are: {}",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

/// Runs one target on a thread with a 2 MiB stack (the size of tokio's threads, where the
/// server parses queries and pushes), writing each input to `<save>/<target>.current` first.
fn on_server_sized_thread(
    target: &'static Target,
    seeds: Vec<Vec<u8>>,
    runs: u64,
    seed: u64,
    save: PathBuf,
    quiet: bool,
) -> Result<Result<u64, fuzz::Failure>, CliError> {
    let current = save.join(format!("{}.current", target.name));
    let mut file = std::fs::File::create(&current)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", current.display())))?;
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut progress = |n: u64| {
                if !quiet {
                    eprintln!("argus: {}: {n} inputs", target.name);
                }
            };
            fuzz::run_with(target, &seeds, runs, seed, &mut progress, &mut |input| {
                // Best effort: if the record cannot be written the run goes on, only an
                // abort would then lose its input.
                let _ = file.set_len(0);
                let _ = file.rewind();
                let _ = file.write_all(input);
            })
        })
        .map_err(|e| CliError::failure(format!("cannot start the fuzzing thread: {e}")))?;
    let outcome = handle
        .join()
        .map_err(|_| CliError::failure("the fuzzing thread died"))?;
    let _ = std::fs::remove_file(&current);
    Ok(outcome)
}

/// Writes `seeds` as files named by their checksum into `<out>/<target>/`.
fn write_seeds(out: &Path, target: &Target, seeds: &[Vec<u8>]) -> Result<usize, CliError> {
    let dir = out.join(target.name);
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
    for seed in seeds {
        let path = dir.join(format!("{:016x}", crc_name(seed)));
        std::fs::write(&path, seed)
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(seeds.len())
}

/// Writes a failing input to `<save>/<target>/<hash>` and returns the path.
fn keep_failure(save: &Path, f: &fuzz::Failure) -> Result<PathBuf, CliError> {
    let dir = save.join(f.target);
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(format!("{:016x}", crc_name(&f.input)));
    std::fs::write(&path, &f.input)
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// A stable name for an input: the same input is kept once.
fn crc_name(input: &[u8]) -> u64 {
    let crc = crc32fast::hash(input) as u64;
    (crc << 32) | input.len() as u64 & 0xffff_ffff
}

/// What `--help` and the man page show after the options.
const EXAMPLES: &str = "Examples:

  # Every target for 100,000 inputs each, seeded from the shared conformance data
  argus conformance fuzz --conformance ../shared/conformance --fixtures tests/fixtures

  # One target until Ctrl-C, repeatably
  argus conformance fuzz promql --runs 0 --seed 7

  # A corpus of seeds for libFuzzer
  argus conformance fuzz logql --write-seeds fuzz/seeds --conformance ../shared/conformance";
