//! `prisma-guard completions SHELL` and `prisma-guard man`: generated from the clap definitions
//! in `cli.rs`, so they never fall behind the commands. `install.sh` installs both.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::ExitStatus;

/// The completion script for `args.shell`, on stdout.
pub fn run(args: &CompletionsArgs) -> Result<ExitStatus> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "prisma-guard", &mut out);
    let mut script = String::from_utf8_lossy(&out).into_owned();
    if args.shell == clap_complete::Shell::Bash {
        // clap_complete spells a hyphenated binary's subcommand states two ways in bash (the
        // loop sets `prisma__guard__subcmd__scan`, the case arms test
        // `prisma__subcmd__guard__subcmd__scan`), so no subcommand's options ever complete
        // (clap-rs/clap#6421). One spelling; tests/it/completions.rs checks `scan --for<TAB>`.
        script = script.replace("prisma__subcmd__guard", "prisma__guard");
    }
    crate::ui::write_stdout(&script)?;
    Ok(ExitStatus::Success)
}

/// The man page (roff), on stdout: the top-level page, whose SUBCOMMANDS section lists every
/// command with its summary (`prisma-guard help <command>` has the rest).
pub fn man() -> Result<ExitStatus> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    crate::ui::write_stdout(&String::from_utf8_lossy(&out))?;
    Ok(ExitStatus::Success)
}
