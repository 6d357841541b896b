//! Shell completions (clap_complete) and the manual page (clap_mangen), generated from the clap definitions
//! so they never drift from the flags (as ripgrep and fd ship them).

use std::io::{self, Write};

use clap::CommandFactory;

use super::Cli;

/// The shells `trail-vpce completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl From<Shell> for clap_complete::Shell {
    fn from(shell: Shell) -> clap_complete::Shell {
        match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
            Shell::Elvish => clap_complete::Shell::Elvish,
        }
    }
}

const BIN: &str = "trail-vpce";

/// Writes the completion script for `shell`.
pub fn write_completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut buffer = Vec::new();
    clap_complete::generate(clap_complete::Shell::from(shell), &mut Cli::command(), BIN, &mut buffer);
    out.write_all(&buffer)
}

/// Writes the manual page, one page for the whole tool: the top-level sections, then one section per command
/// (and per `policy` subcommand) with its synopsis, description and options as subsections. (clap_mangen's own
/// list of subcommands points to one page per command, which this page replaces.)
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    let mut command = Cli::command();
    command.build();
    let top = clap_mangen::Man::new(command.clone());
    top.render_title(out)?;
    top.render_name_section(out)?;
    top.render_synopsis_section(out)?;
    top.render_description_section(out)?;
    top.render_options_section(out)?;
    let commands = |c: &clap::Command| -> Vec<clap::Command> {
        c.get_subcommands().filter(|c| c.get_name() != "help").cloned().collect()
    };
    let mut pending = commands(&command);
    let mut index = 0;
    while index < pending.len() {
        let sub = pending[index].clone();
        index += 1;
        pending.splice(index..index, commands(&sub));
        let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_owned();
        let man = clap_mangen::Man::new(sub);
        let mut body = Vec::new();
        man.render_synopsis_section(&mut body)?;
        man.render_description_section(&mut body)?;
        man.render_options_section(&mut body)?;
        writeln!(out, ".SH \"{}\"", roff_text(&name.to_uppercase()))?;
        out.write_all(demote_sections(&String::from_utf8_lossy(&body)).as_bytes())?;
    }
    top.render_version_section(out)
}

/// `.SH` headings become `.SS`: a command's sections are subsections of its own section.
fn demote_sections(roff: &str) -> String {
    roff.lines()
        .map(|line| match line.strip_prefix(".SH ") {
            Some(rest) => format!(".SS {rest}\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

/// Text safe inside a roff quoted argument: `-` as `\-`, backslashes and quotes escaped.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-").replace('"', "\\(dq")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_demoted() {
        assert_eq!(demote_sections(".SH OPTIONS\n.TP\nx\n"), ".SS OPTIONS\n.TP\nx\n");
        assert_eq!(demote_sections(".SHX\n"), ".SHX\n");
        assert_eq!(roff_text("TRAIL-VPCE \"X\""), "TRAIL\\-VPCE \\(dqX\\(dq");
    }
}
