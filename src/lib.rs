//! prisma-guard: stops Prisma projects from losing their data.

pub mod agent;
pub mod backup;
pub mod cli;
pub mod commands;
pub mod config;
pub mod confirm;
pub mod db;
pub mod dburl;
pub mod error;
pub mod exit;
pub mod git;
pub mod process;
pub mod project;
pub mod settings;
pub mod store;
pub mod ui;

pub use exit::ExitStatus;

use cli::{Cli, Command};

/// Run one command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    process::ignore_file_size_signal();
    let mut settings = settings::Settings::load(&cli.global)?;
    match cli.command {
        Command::Backup(args) => commands::backup::run(&mut settings, &args),
        Command::Backups(args) => commands::list::run(&settings, &args),
        Command::Verify(args) => commands::verify::run(&settings, &args),
        Command::Restore(args) => commands::restore::run(&settings, &args),
        Command::RestoreTest(args) => commands::restore::run_test(&settings, &args),
        Command::Prune(args) => commands::prune::run(&settings, &args),
    }
}
