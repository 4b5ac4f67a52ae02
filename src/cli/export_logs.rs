//! `argus export --logs`: stream log entries out of the store, stream by stream.

use super::exit::{self, CliError, CliResult};
use super::export::ExportArgs;
use super::output::OutputFormat;
use super::GlobalArgs;
use crate::model::time::now_ms;
use std::io::{BufWriter, Write};

/// `argus export --logs`: every entry of the matching streams in the range.
pub fn run(global: &GlobalArgs, args: &ExportArgs) -> CliResult {
    let format = global.output_or(
        OutputFormat::Jsonl,
        &[OutputFormat::Jsonl, OutputFormat::Raw],
        "export --logs",
    )?;
    let range = args.range.resolve(now_ms(), i64::MIN / 2_000_000)?;
    let selectors = super::export::selectors(args)?;
    let store = global.open_store()?;
    let snapshot = store
        .log_snapshot()
        .map_err(|e| CliError::store("cannot read store", &e))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut write_err: Option<std::io::Error> = None;
    for matchers in selectors {
        let q = crate::store::logs::LogQuery {
            matchers,
            from: range.from.saturating_mul(1_000_000),
            to: range.to.saturating_mul(1_000_000).saturating_add(999_999),
            required: Vec::new(),
        };
        let r = snapshot.read_streams(&q, |labels, entries| {
            let stream: serde_json::Map<String, serde_json::Value> = labels
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect();
            for e in entries {
                let w = if format == OutputFormat::Raw {
                    writeln!(out, "{}", e.line)
                } else {
                    let mut obj = serde_json::json!({
                        "stream": stream,
                        "ts": e.t.to_string(),
                        "line": e.line,
                    });
                    if !e.metadata.is_empty() {
                        let md: serde_json::Map<String, serde_json::Value> = e
                            .metadata
                            .into_iter()
                            .map(|(k, v)| (k, serde_json::Value::String(v)))
                            .collect();
                        obj["metadata"] = serde_json::Value::Object(md);
                    }
                    writeln!(out, "{obj}")
                };
                if let Err(e) = w {
                    write_err = Some(e);
                    return Err(crate::store::StoreError::Invalid("stdout closed".into()));
                }
            }
            Ok(())
        });
        if let Some(e) = write_err.take() {
            return if exit::is_broken_pipe(&e) {
                Ok(exit::OK)
            } else {
                Err(CliError::failure(format!("cannot write to stdout: {e}")))
            };
        }
        r.map_err(|e| CliError::store("cannot read store", &e))?;
    }
    match out.flush() {
        Err(e) if !exit::is_broken_pipe(&e) => {
            Err(CliError::failure(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(exit::OK),
    }
}
