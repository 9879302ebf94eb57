//! `prisma-guard completions SHELL` and `prisma-guard man`: generated from the clap definitions
//! in `cli.rs`, so they never fall behind the commands. `install.sh` installs both.

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
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
/// command with its summary. With `--dir`: one page per command and subcommand written there
/// (`prisma-guard-backup.1` with backup's flags, `prisma-guard-migrate-deploy.1`, ...), named
/// as `man prisma-guard-backup` finds them.
pub fn man(args: &ManArgs) -> Result<ExitStatus> {
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
        clap_mangen::generate_to(Cli::command(), dir)
            .with_context(|| format!("could not write the man pages into {}", dir.display()))?;
        return Ok(ExitStatus::Success);
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    crate::ui::write_stdout(&String::from_utf8_lossy(&out))?;
    Ok(ExitStatus::Success)
}
