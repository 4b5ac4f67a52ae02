//! `argus alerts silence add|list|expire`: the silences argus' own notifications honour,
//! kept in the store (state file `silences`) for `rules eval` and `serve`.

use super::alerts::SilenceAction;
use super::exit::{self, CliError, CliResult};
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::model::time::{format_rfc3339, now_ms};
use crate::notify::matchers::{list_string, parse_one};
use crate::notify::Silence;
use crate::rules::dispatch::{read_silences, write_silences, SILENCES};
use std::io::Write;

pub fn run(global: &GlobalArgs, action: &SilenceAction) -> CliResult {
    match action {
        SilenceAction::Add {
            matchers,
            duration,
            start,
            author,
            comment,
        } => add(
            global,
            matchers,
            duration,
            start.as_deref(),
            author.as_deref(),
            comment,
        ),
        SilenceAction::List { expired } => list(global, *expired),
        SilenceAction::Expire { ids } => expire(global, ids),
    }
}

fn add(
    global: &GlobalArgs,
    matchers: &[String],
    duration: &str,
    start: Option<&str>,
    author: Option<&str>,
    comment: &str,
) -> CliResult {
    let now = now_ms();
    let parsed = matchers
        .iter()
        .map(|m| parse_one(m).map_err(|e| CliError::usage(format!("matcher {m:?}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let length = match crate::rules::file::parse_prometheus_duration(duration) {
        Some(ms) if ms > 0 => ms,
        _ => {
            return Err(CliError::usage(format!(
                "--duration {duration:?}: not a positive duration (for example 2h)"
            )))
        }
    };
    let starts_at = match start {
        Some(t) => super::timeargs::parse_time_flag("--start", t, now)?,
        None => now,
    };
    if comment.trim().is_empty() {
        return Err(CliError::usage("--comment: say why the silence is there"));
    }
    let silence = Silence {
        id: new_id(),
        matchers: parsed,
        starts_at,
        ends_at: starts_at + length,
        created_by: author
            .map(str::to_string)
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "argus".to_string()),
        comment: comment.to_string(),
    };
    silence.validate().map_err(CliError::usage)?;
    let store = global.open_store_to_maintain()?;
    let _lock = store
        .lock_state(SILENCES)
        .map_err(|e| CliError::store("cannot lock the silences", &e))?;
    let mut all =
        read_silences(&store).map_err(|e| CliError::store("cannot read the silences", &e))?;
    all.push(silence.clone());
    write_silences(&store, &all).map_err(|e| CliError::store("cannot store the silence", &e))?;
    println!("{}", silence.id);
    Ok(exit::OK)
}

fn list(global: &GlobalArgs, expired: bool) -> CliResult {
    let fmt = global.output_or(
        OutputFormat::Table,
        &[OutputFormat::Table, OutputFormat::Json],
        "alerts silence list",
    )?;
    let store = global.open_store()?;
    let now = now_ms();
    let all = read_silences(&store).map_err(|e| CliError::store("cannot read the silences", &e))?;
    let shown: Vec<&Silence> = all
        .iter()
        .filter(|s| expired || s.state(now) != crate::notify::silence::SilenceState::Expired)
        .collect();
    let mut out = std::io::stdout().lock();
    let written = if fmt == OutputFormat::Json {
        writeln!(out, "{}", serde_json::to_string(&shown).unwrap_or_default())
    } else if shown.is_empty() {
        writeln!(out, "no silences")
    } else {
        let mut text = format!(
            "{:<36} {:<8} {:<24} {:<24} {:<12} MATCHERS / COMMENT\n",
            "ID", "STATE", "STARTS", "ENDS", "BY"
        );
        for s in shown {
            text.push_str(&format!(
                "{:<36} {:<8} {:<24} {:<24} {:<12} {} {}\n",
                s.id,
                s.state(now).as_str(),
                format_rfc3339(s.starts_at),
                format_rfc3339(s.ends_at),
                s.created_by,
                list_string(&s.matchers),
                s.comment
            ));
        }
        out.write_all(text.as_bytes())
    };
    match written {
        Err(e) if !exit::is_broken_pipe(&e) => Err(CliError::failure(format!("cannot write: {e}"))),
        _ => Ok(exit::OK),
    }
}

fn expire(global: &GlobalArgs, ids: &[String]) -> CliResult {
    let store = global.open_store_to_maintain()?;
    let _lock = store
        .lock_state(SILENCES)
        .map_err(|e| CliError::store("cannot lock the silences", &e))?;
    let mut all =
        read_silences(&store).map_err(|e| CliError::store("cannot read the silences", &e))?;
    let now = now_ms();
    for id in ids {
        let Some(s) = all.iter_mut().find(|s| &s.id == id) else {
            return Err(CliError::input(format!(
                "no silence with ID {id:?} (see argus alerts silence list --expired)"
            )));
        };
        if s.ends_at > now {
            s.ends_at = now;
            if s.starts_at > now {
                s.starts_at = now;
            }
        }
    }
    write_silences(&store, &all).map_err(|e| CliError::store("cannot store the silences", &e))?;
    Ok(exit::OK)
}

/// A random UUID (version 4), as Alertmanager names silences.
fn new_id() -> String {
    let mut b = [0u8; 16];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .is_ok();
    if !filled {
        // No /dev/urandom: the time and the process are unique enough for one store.
        let seed = (now_ms() as u128) << 32 | u128::from(std::process::id());
        b = seed.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
