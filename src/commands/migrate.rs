//! `prisma-guard migrate ...`: migrations rehearsed on a copy of real data, deployed with a
//! plan and a validation, undone with a down script.

use anyhow::Result;

use crate::cli::{MigrateArgs, MigrateCommand};
use crate::config::settings::GlobalOptions;
use crate::config::settings::Settings;
use crate::guard::classify::Invocation;
use crate::migrate::{deploy, down, rehearse, rollback};
use crate::ExitStatus;

pub fn run(global: &GlobalOptions, args: &MigrateArgs) -> Result<ExitStatus> {
    match &args.command {
        MigrateCommand::Rehearse(a) => {
            let settings = Settings::load(global)?;
            let r = rehearse::rehearse(&settings, &a.backup)?;
            let text = if a.json { format!("{}\n", serde_json::to_string_pretty(&r)?) } else { rehearse::render(&r) };
            crate::ui::write_stdout(&text)?;
            Ok(rehearse::exit(&r))
        }
        MigrateCommand::Deploy(a) => {
            // `prisma migrate deploy` through the guard, as the shim runs it: the database Prisma
            // will use decides, backed up first; prisma-guard's own --url is backed up too.
            crate::guard::forward::check_loop()?;
            let mut words = vec!["migrate".to_string(), "deploy".to_string()];
            for (flag, v) in [("--config", &global.config), ("--schema", &global.schema)] {
                if let Some(p) = v {
                    words.push(flag.to_string());
                    words.push(p.display().to_string());
                }
            }
            let inv = Invocation::parse(&words);
            let mut g = global.clone();
            let also_protect = g.url.take();
            // As for `prisma-guard exec`: backups before a prisma command go to the project's folder.
            if let Some(dir) = g.backup_dir.take() {
                crate::ui::Printer::default().warn(format!(
                    "--backup-dir/PRISMA_GUARD_BACKUP_DIR ({}) is ignored in front of prisma: backups go to the project's backup folder ([backup] dir in prisma-guard.toml)",
                    dir.display()
                ));
            }
            let opts = deploy::Options { json: a.json, refuse_drift: !a.allow_drift };
            crate::guard::dispatch::prisma_with(&g, &inv, also_protect, false, &opts)
        }
        MigrateCommand::DownScript(a) => {
            let settings = Settings::load(global)?;
            let d = down::generate(&settings, a.migration.as_deref())?;
            let text = if a.json {
                format!("{}\n", serde_json::to_string_pretty(&d)?)
            } else {
                down::render(&d, &settings.cwd)
            };
            crate::ui::write_stdout(&text)?;
            Ok(ExitStatus::Success)
        }
        MigrateCommand::Rollback(a) => rollback::rollback(&Settings::load(global)?, a.json),
    }
}
