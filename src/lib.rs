//! prisma-guard: stops Prisma projects from losing their data.
#![deny(unsafe_code)]

// Unix process groups, signals, file modes and symlinks throughout: one clear message instead
// of a wall of errors. Every item below is `#[cfg(unix)]` (one attribute each, not a macro
// around them all, which rustfmt does not look into), so on other systems this message is
// the only error from this crate.
#[cfg(not(unix))]
compile_error!("prisma-guard supports Linux and macOS; on Windows, use it inside WSL");

#[cfg(unix)]
pub(crate) mod agents;
#[cfg(unix)]
pub(crate) mod backup;
#[cfg(unix)]
pub mod cli;
#[cfg(unix)]
pub(crate) mod commands;
#[cfg(unix)]
pub(crate) mod config;
#[cfg(unix)]
pub mod error;
#[cfg(unix)]
pub mod exit;
#[cfg(unix)]
pub(crate) mod guard;
#[cfg(unix)]
pub(crate) mod install;
#[cfg(unix)]
pub(crate) mod judge;
#[cfg(unix)]
pub(crate) mod mcp;
#[cfg(unix)]
pub(crate) mod migrate;
#[cfg(unix)]
pub(crate) mod notify;
#[cfg(unix)]
pub(crate) mod pitr;
#[cfg(unix)]
pub(crate) mod process;
#[cfg(unix)]
pub(crate) mod project;
#[cfg(unix)]
pub(crate) mod rules;
#[cfg(unix)]
pub(crate) mod scan;
#[cfg(unix)]
pub(crate) mod shell;
#[cfg(unix)]
pub(crate) mod sql;
#[cfg(unix)]
pub(crate) mod sys;
#[cfg(unix)]
pub(crate) mod tripwire;
#[cfg(unix)]
pub(crate) mod ui;

#[cfg(unix)]
pub use exit::ExitStatus;

#[cfg(unix)]
use cli::{Cli, Command};

#[cfg(unix)]
/// Run one command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    process::ignore_file_size_signal();
    // Listings end quietly when their reader goes away (`backups | head -1`); `check`,
    // `explain` and `scan` write their report in one go and keep their exit code.
    if matches!(cli.command, Command::Backups(_) | Command::Doctor(_)) {
        process::default_pipe_signal();
    }
    let global = &config::settings::GlobalOptions::from(cli.global);
    let load = || config::settings::Settings::load(global);
    match cli.command {
        Command::Exec(args) => commands::exec::run(global, &args),
        Command::Backup(args) => commands::backup::run(&mut load()?, &args),
        Command::Backups(args) => commands::backups::run(&load()?, &args),
        Command::Verify(args) => commands::verify::run(&load()?, &args),
        Command::Restore(args) => commands::restore::run(&load()?, &args),
        Command::RestoreTest(args) => commands::restore_test::run(&load()?, &args),
        Command::Sync(args) => commands::sync::run(&load()?, &args),
        Command::Status(args) => commands::status::run(&load()?, &args),
        Command::Notify(args) => commands::notify::run(&load()?, &args),
        Command::Schedule(args) => commands::schedule::run(&load()?, &args),
        Command::Prune(args) => commands::prune::run(&load()?, &args),
        Command::Shim(args) => commands::shim::run(&load()?, &args),
        Command::Scan(args) => commands::scan::run(global, &args),
        Command::Hooks(args) => commands::hooks::run(global, &args),
        Command::Check(args) => commands::check::run(global, &args),
        Command::Explain(args) => commands::explain::run(global, &args),
        Command::AgentHook(args) => commands::agent_hook::run(global, &args),
        Command::Init(args) => commands::init::run(global, &args),
        Command::Uninstall(args) => commands::uninstall::run(global, &args),
        Command::Doctor(args) => commands::doctor::run(global, &args),
        Command::Protect => commands::protect::run(&load()?),
        Command::Unprotect => commands::protect::run_unprotect(&load()?),
        Command::Mcp(args) => commands::mcp::run(global, &args),
        Command::Migrate(args) => commands::migrate::run(global, &args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man(args) => commands::completions::man(&args),
        Command::Drill(args) => commands::drill::run(&load()?, &args),
        Command::Pitr(args) => commands::pitr::run(&load()?, &args),
    }
}

#[cfg(test)]
mod tests {
    /// docs/architecture.md is the newcomer's map: every source file appears in it, in the
    /// row of its top-level folder (`src/<folder>/`) or by its own path (`src/<file>.rs`).
    #[test]
    fn the_architecture_tour_names_every_source_file() {
        let doc = include_str!("../docs/architecture.md");
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(rel) = path.strip_prefix(&src) else { continue };
                let rel = rel.to_string_lossy().replace('\\', "/");
                let parts: Vec<&str> = rel.split('/').collect();
                let stem = parts[parts.len() - 1].trim_end_matches(".rs");
                let found = match parts.as_slice() {
                    [file] => doc.contains(&format!("`src/{file}`")),
                    [top, ..] => {
                        // A folder's own mod.rs stands for the folder.
                        let name = if stem == "mod" && parts.len() > 2 { parts[parts.len() - 2] } else { stem };
                        let row = format!("`src/{top}/`");
                        name == "mod"
                            || doc.lines().filter(|l| l.contains(&row)).any(|l| {
                                [
                                    format!("`{name}`"),
                                    format!("`{name}.rs`"),
                                    format!("`{name}/`"),
                                    format!("`{name}."),
                                    format!("({name}"),
                                ]
                                .iter()
                                .any(|n| l.contains(n.as_str()))
                                    || l.contains(&format!("`{}", parts[1..].join("/").trim_end_matches(".rs")))
                            })
                    }
                    [] => true,
                };
                if !found {
                    missing.push(rel);
                }
            }
        }
        missing.sort();
        assert!(missing.is_empty(), "docs/architecture.md does not mention: {missing:?}");
    }
}
