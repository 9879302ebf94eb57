//! `prisma-guard migrate ...`: migrations rehearsed on a copy of real data.

use anyhow::Result;

use crate::cli::{MigrateArgs, MigrateCommand};
use crate::config::settings::Settings;
use crate::migrate::rehearse;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &MigrateArgs) -> Result<ExitStatus> {
    match &args.command {
        MigrateCommand::Rehearse(a) => {
            let r = rehearse::rehearse(settings, &a.backup)?;
            let text = if a.json { format!("{}\n", serde_json::to_string_pretty(&r)?) } else { rehearse::render(&r) };
            crate::ui::write_stdout(&text)?;
            Ok(rehearse::exit(&r))
        }
    }
}
