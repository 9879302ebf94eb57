//! Migrations beyond what Prisma checks: rehearsed on a copy of real data before they reach
//! the real database.

mod prisma_run;
pub mod rehearse;

use anyhow::Result;

use crate::config::settings::Settings;
use crate::guard::forward::RealPrisma;

/// The project's real prisma, found as the guard finds it (only the project's own
/// prisma-guard.toml can name another).
pub fn real_prisma(settings: &Settings) -> Result<RealPrisma> {
    let chosen =
        settings.config.file.guard.real_prisma.as_ref().map(|p| settings.config.resolve_path(p, &settings.cwd));
    Ok(crate::guard::forward::find(&settings.cwd, chosen.as_deref(), std::env::var_os("PATH"))?.run_in(&settings.cwd))
}
