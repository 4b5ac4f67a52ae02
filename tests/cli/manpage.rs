//! The man pages in `man/`, rendered from the clap definition: one page per command at every
//! depth, each with a full SYNOPSIS (value names included), DESCRIPTION (the command's long
//! help), OPTIONS, GLOBAL OPTIONS, COMMANDS, EXAMPLES, EXIT STATUS and SEE ALSO.
//!
//! clap_mangen renders a bare synopsis and prints help text as it is; this renderer uses its
//! roff builder and title only. Help texts are written in a small part of Markdown: a
//! `backticked` span becomes bold (something to type). EXAMPLES come from a command's
//! `after_long_help`, which starts with `Examples:` (the same text `--help` shows). EXIT
//! STATUS is the table at the top of `src/cli/exit.rs`.

use clap_mangen::roff::{bold, italic, roman, Inline, Roff};

/// Renders the page of `cmd` (built, with global options propagated), named `name`
/// (`argus-query`) and invoked as `invocation` (`argus query`).
pub fn render(cmd: &clap::Command, name: &str, invocation: &str, version: &str) -> Vec<u8> {
    let mut page = Vec::new();
    let title = clap::Command::new(name.to_string()).version(version.to_string());
    clap_mangen::Man::new(title)
        .render_title(&mut page)
        .expect("render into memory");
    let mut roff = Roff::default();
    name_section(&mut roff, cmd, name);
    synopsis(&mut roff, cmd, invocation);
    description(&mut roff, cmd);
    options(&mut roff, cmd);
    commands(&mut roff, cmd, name);
    examples(&mut roff, cmd, name);
    exit_status(&mut roff);
    see_also(&mut roff, cmd, name);
    roff.control("SH", ["VERSION"])
        .text([roman(format!("v{version}"))]);
    roff.to_writer(&mut page).expect("render into memory");
    page
}

fn name_section(roff: &mut Roff, cmd: &clap::Command, name: &str) {
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let summary = about.trim_end_matches('.');
    roff.control("SH", ["NAME"]);
    roff.text(
        [roman(format!("{name} - "))]
            .into_iter()
            .chain(markdown(summary))
            .collect::<Vec<_>>(),
    );
}

/// The arguments shown on a page: all but the hidden ones.
fn shown(cmd: &clap::Command) -> impl Iterator<Item = &clap::Arg> {
    cmd.get_arguments().filter(|a| !a.is_hide_set())
}

fn is_help_or_version(a: &clap::Arg) -> bool {
    matches!(a.get_id().as_str(), "help" | "version")
}

/// `argus query [-o|--output FORMAT] [--time TIME] ... EXPR`: every option with its value
/// name, then the positionals, then the subcommand.
fn synopsis(roff: &mut Roff, cmd: &clap::Command, invocation: &str) {
    let mut line = vec![bold(invocation)];
    for arg in shown(cmd).filter(|a| !a.is_positional() && !is_help_or_version(a)) {
        line.push(roman(" "));
        let required = arg.is_required_set();
        if !required {
            line.push(roman("["));
        }
        match (arg.get_short(), arg.get_long()) {
            (Some(s), Some(l)) => {
                line.extend([bold(format!("-{s}")), roman("|"), bold(format!("--{l}"))])
            }
            (Some(s), None) => line.push(bold(format!("-{s}"))),
            (None, Some(l)) => line.push(bold(format!("--{l}"))),
            (None, None) => continue,
        }
        if takes_value(arg) {
            line.extend([roman(" "), italic(value_name(arg))]);
        }
        if matches!(
            arg.get_action(),
            clap::ArgAction::Count | clap::ArgAction::Append
        ) {
            line.push(roman("..."));
        }
        if !required {
            line.push(roman("]"));
        }
    }
    for arg in shown(cmd).filter(|a| a.is_positional()) {
        line.push(roman(" "));
        line.extend(positional(arg));
    }
    if cmd.has_subcommands() {
        line.push(roman(" "));
        if cmd.is_subcommand_required_set() {
            line.push(italic("COMMAND"));
        } else {
            line.extend([roman("["), italic("COMMAND"), roman("]")]);
        }
    }
    roff.control("SH", ["SYNOPSIS"]);
    roff.text(line);
}

fn takes_value(arg: &clap::Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.takes_values())
}

fn value_name(arg: &clap::Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

/// `EXPR`, `[SELECTOR...]`, `PATH...`.
fn positional(arg: &clap::Arg) -> Vec<Inline> {
    let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1)
        || matches!(arg.get_action(), clap::ArgAction::Append);
    let dots = if many { "..." } else { "" };
    if arg.is_required_set() {
        vec![italic(value_name(arg)), roman(dots)]
    } else {
        vec![
            roman("["),
            italic(value_name(arg)),
            roman(format!("{dots}]")),
        ]
    }
}

/// The long help of the command, a paragraph per blank-line-separated block.
fn description(roff: &mut Roff, cmd: &clap::Command) {
    let text = cmd
        .get_long_about()
        .or_else(|| cmd.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default();
    roff.control("SH", ["DESCRIPTION"]);
    paragraphs(roff, &text);
}

fn paragraphs(roff: &mut Roff, text: &str) {
    for (i, para) in text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        if i > 0 {
            roff.control("PP", []);
        }
        let joined = para.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        roff.text(markdown(&joined));
    }
}

/// Backticked spans in bold, the rest in roman.
fn markdown(text: &str) -> Vec<Inline> {
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { bold(part) } else { roman(part) })
        .collect()
}

/// OPTIONS (the command's own, positionals first) and GLOBAL OPTIONS (those every command
/// takes).
fn options(roff: &mut Roff, cmd: &clap::Command) {
    let (global, own): (Vec<&clap::Arg>, Vec<&clap::Arg>) =
        shown(cmd).partition(|a| a.is_global_set());
    let mut own = own;
    own.sort_by_key(|a| !a.is_positional());
    if !own.is_empty() {
        roff.control("SH", ["OPTIONS"]);
        for arg in own {
            option(roff, arg);
        }
    }
    if !global.is_empty() {
        roff.control("SH", ["GLOBAL OPTIONS"]);
        for arg in global {
            option(roff, arg);
        }
    }
}

fn option(roff: &mut Roff, arg: &clap::Arg) {
    let mut header: Vec<Inline> = Vec::new();
    if arg.is_positional() {
        header.extend(positional(arg));
    } else {
        let mut names: Vec<String> = Vec::new();
        names.extend(arg.get_short().map(|s| format!("-{s}")));
        names.extend(arg.get_long().map(|l| format!("--{l}")));
        for alias in arg.get_visible_aliases().unwrap_or_default() {
            names.push(format!("--{alias}"));
        }
        for (i, n) in names.into_iter().enumerate() {
            if i > 0 {
                header.push(roman(", "));
            }
            header.push(bold(n));
        }
        if takes_value(arg) {
            header.extend([roman(" "), italic(value_name(arg))]);
        }
    }
    roff.control("TP", []);
    roff.text(header);
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    paragraphs(roff, &help);
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() && takes_value(arg) {
        roff.text([
            Inline::LineBreak,
            roman("Default: "),
            bold(defaults.join(",")),
        ]);
    }
    let values: Vec<clap::builder::PossibleValue> = arg
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .collect();
    if values.is_empty() || arg.is_hide_possible_values_set() {
        return;
    }
    if values.iter().all(|v| v.get_help().is_none()) {
        let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
        roff.text([Inline::LineBreak, roman("Values: "), bold(names.join(", "))]);
    } else {
        roff.control("RS", []);
        for v in values {
            roff.control("TP", []);
            roff.text([bold(v.get_name())]);
            if let Some(help) = v.get_help() {
                roff.text(markdown(&help.to_string()));
            }
        }
        roff.control("RE", []);
    }
}

fn commands(roff: &mut Roff, cmd: &clap::Command, name: &str) {
    let subs: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .collect();
    if subs.is_empty() {
        return;
    }
    roff.control("SH", ["COMMANDS"]);
    for sub in subs {
        roff.control("TP", []);
        roff.text([bold(format!("{name}-{}", sub.get_name())), roman("(1)")]);
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        roff.text(markdown(&about));
    }
}

/// The examples of a page: `# what` lines as paragraphs, commands as bold literal lines.
fn examples(roff: &mut Roff, cmd: &clap::Command, name: &str) {
    let text = cmd
        .get_after_long_help()
        .map(|h| h.to_string())
        .filter(|h| h.starts_with("Examples:"));
    let Some(text) = text else {
        panic!("{name} has no examples: give its command an `after_long_help` starting with `Examples:`")
    };
    roff.control("SH", ["EXAMPLES"]);
    for line in text.lines().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(what) = line.strip_prefix("# ") {
            roff.control("PP", []);
            roff.text(markdown(what));
        } else {
            roff.control("RS", ["4"]);
            roff.control("nf", []);
            roff.text([bold(line)]);
            roff.control("fi", []);
            roff.control("RE", []);
        }
    }
}

/// The exit codes, from the table in `src/cli/exit.rs`'s module doc.
fn exit_status(roff: &mut Roff) {
    let source = include_str!("../../src/cli/exit.rs");
    roff.control("SH", ["EXIT STATUS"]);
    let rows = source
        .lines()
        .filter_map(|l| l.strip_prefix("//! |"))
        .filter_map(|row| {
            let (code, meaning) = row.split_once('|')?;
            let code = code.trim();
            code.parse::<u8>().ok()?;
            Some((
                code.to_string(),
                meaning.trim_end_matches('|').trim().to_string(),
            ))
        })
        .collect::<Vec<_>>();
    assert!(
        rows.len() >= 6,
        "the exit code table of src/cli/exit.rs was not found"
    );
    for (code, meaning) in rows {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text(markdown(&meaning));
    }
}

fn see_also(roff: &mut Roff, cmd: &clap::Command, name: &str) {
    let mut pages: Vec<String> = Vec::new();
    if let Some((parent, _)) = name.rsplit_once('-') {
        pages.push(parent.to_string());
    }
    pages.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            .map(|s| format!("{name}-{}", s.get_name())),
    );
    if pages.is_empty() {
        return;
    }
    roff.control("SH", ["SEE ALSO"]);
    let mut line = Vec::new();
    for (i, p) in pages.into_iter().enumerate() {
        if i > 0 {
            line.push(roman(", "));
        }
        line.extend([bold(p), roman("(1)")]);
    }
    roff.text(line);
}
