//! `prisma-guard exec -- <prisma args>` (and `prisma ...` through the shim): the command
//! line checked against prisma's own flags, then the guard (`guard::run`): classify,
//! confirm, back up, forward.
//!
//! Safe commands replace this process with the real prisma at once. Schema changes get a
//! backup first; destructive commands also need a human to type the database name on the
//! terminal. Whenever prisma-guard cannot do its part (no database found, backup failed, no
//! terminal to ask on, an AI agent asking), prisma does not run.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::ExecArgs;
use crate::config::settings::GlobalOptions;
use crate::error::Failure;
use crate::guard::classify::Invocation;
use crate::guard::forward;
use crate::ui::Printer;
use crate::ExitStatus;

pub fn run(global: &GlobalOptions, args: &ExecArgs) -> Result<ExitStatus> {
    forward::check_loop()?;
    let inv = Invocation::parse(&args.args);
    let mut global = global.clone();
    // prisma-guard's own --url (or PRISMA_GUARD_DATABASE_URL) only adds a database to protect:
    // the decision is about the database Prisma will use (its own --url, else its config).
    let also_protect = global.url.take();
    // Backups taken before a prisma command go where the project keeps them (where `restore
    // latest` looks), not where a variable an agent can set says.
    if let Some(dir) = global.backup_dir.take() {
        Printer::default().warn(format!(
            "--backup-dir/PRISMA_GUARD_BACKUP_DIR ({}) is ignored in front of prisma: backups go to the project's backup folder ([backup] dir in prisma-guard.toml)",
            dir.display()
        ));
    }
    // The config and schema are prisma's: given to prisma-guard only, prisma would not use
    // them, and the guard would judge another database than the one prisma changes.
    for (flag, ours, prismas) in [("--config", &global.config, &inv.config), ("--schema", &global.schema, &inv.schema)]
    {
        if ours.is_some() && ours.as_ref().map(|p| p.to_string_lossy().into_owned()) != *prismas {
            return Err(Failure::usage(format!(
                "{flag} was given to prisma-guard, not to prisma, so prisma would not use it"
            ))
            .hint(format!("give it to prisma, after `--`: prisma-guard exec -- {flag} <path> <command>"))
            .into());
        }
    }
    global.schema = inv.schema.as_ref().map(PathBuf::from);
    global.config = inv.config.as_ref().map(PathBuf::from);
    global.url = inv.url.clone();
    crate::guard::dispatch::prisma(&global, &inv, also_protect, args.no_backup)
}
