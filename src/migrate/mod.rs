//! Migrations beyond what Prisma checks: rehearsed on a copy of real data before they reach
//! the real database; deployed with a plan and a validation; undone with a down script.

pub mod deploy;
pub mod diff;
pub mod down;
mod prisma_run;
pub mod rehearse;
pub mod rollback;

use anyhow::Result;

use crate::config::settings::Settings;
use crate::guard::forward::RealPrisma;

/// The project's real prisma, found as the guard finds it (only the project's own
/// prisma-guard.toml can name another).
pub fn real_prisma(settings: &Settings) -> Result<RealPrisma> {
    let chosen =
        settings.config.file.guard.real_prisma.as_ref().map(|p| settings.config.resolve_path(p, &settings.cwd));
    Ok(crate::guard::forward::find(&settings.cwd, chosen.as_deref(), crate::config::env::path())?.run_in(&settings.cwd))
}
