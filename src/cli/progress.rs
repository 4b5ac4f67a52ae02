//! Progress bars on stderr (indicatif), shown only when stderr is a terminal and not `--quiet`,
//! so that pipelines and cron mail never see them.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A byte-count bar for reading inputs of known size, or a spinner when the size is unknown.
pub fn bytes_bar(total: Option<u64>, quiet: bool, label: &str) -> ProgressBar {
    let bar = match total {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(
                "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message(label.to_string());
    hide_unless_terminal(bar, quiet)
}

/// A counter bar (series exported, targets scraped).
pub fn count_bar(label: &str, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(label.to_string());
    hide_unless_terminal(bar, quiet)
}

fn hide_unless_terminal(bar: ProgressBar, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
