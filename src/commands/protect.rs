//! `prisma-guard protect` and `unprotect`: install, upgrade or remove the tripwire in the
//! project's PostgreSQL database (src/tripwire/, docs/tripwire.md).

use anyhow::{Context, Result};

use crate::backup::db::Database;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::tripwire::{self, install_sql, key};
use crate::ExitStatus;

pub fn run(settings: &Settings) -> Result<ExitStatus> {
    let project = tripwire::postgres(&settings.target()?, &settings.tools)?;
    let (installer, who) = tripwire::installer(&project, &settings.tools)?;
    who.require_superuser("installing the tripwire")?;
    let before = tripwire::probe(&project)?;
    // An installation keeps its id (the key files name it); a new one gets one.
    let install_id = match &before.installed {
        Some((_, id)) => id.clone(),
        None => key::random_hex(16)?,
    };
    let dir = key::dir();
    let existing = key::read(&dir, &install_id);
    let new_key = existing.is_none();
    let approval_key = match existing {
        Some(k) => k,
        None => key::random_hex(32)?,
    };
    // The key file first: a database that knows a key no machine holds would refuse every
    // guarded command.
    let file = key::write(&dir, &install_id, &approval_key)?;
    let verb = if before.installed.is_some() { "Upgrading" } else { "Installing" };
    settings.printer.status(verb, format!("the tripwire in {} (as `{}`)", project.target().describe(), who.role));
    if let Err(e) = installer.run_script(&install_sql::install_script(&install_id, &key::hash(&approval_key))) {
        if new_key {
            key::remove(&dir, &install_id);
        }
        return Err(e.context(fail(format!(
            "the tripwire was not installed in {}; the transaction was rolled back and nothing changed",
            project.target().describe()
        ))));
    }
    // Checked as the project's own role: the tripwire is whole, and this machine's key opens
    // a window.
    let inspection = tripwire::inspect(&project).context("could not check the tripwire after installing it")?;
    if !tripwire::is_sound(&inspection) {
        return Err(fail(format!("the tripwire was installed but is not sound: {}", inspection.problems.join("; ")))
            .hint("run `prisma-guard protect` again; `prisma-guard unprotect` removes it")
            .into());
    }
    let test = tripwire::approval::Approval::open(&project, &approval_key, "prisma-guard protect (check)")
        .context("the tripwire is installed, but this machine's key does not open an approval window")?;
    test.close()?;
    settings.printer.status("Protected", inspection.summary());
    settings.printer.status(
        "Refused now",
        "DROP SCHEMA/TABLE/MATERIALIZED VIEW/SEQUENCE, ALTER TABLE ... DROP COLUMN and TRUNCATE from any client, unless prisma-guard opens a window for a confirmed, backed-up command",
    );
    settings.printer.status("Key", format!("this machine's approval key: {}", file.display()));
    Ok(ExitStatus::Success)
}

pub fn run_unprotect(settings: &Settings) -> Result<ExitStatus> {
    let project = tripwire::postgres(&settings.target()?, &settings.tools)?;
    let before = tripwire::probe(&project)?;
    if !before.any() {
        settings.printer.status("Nothing to do", format!("no tripwire in {}", project.target().describe()));
        return Ok(ExitStatus::Success);
    }
    let (installer, who) = tripwire::installer(&project, &settings.tools)?;
    who.require_superuser("removing the tripwire")?;
    installer.run_script(&install_sql::uninstall_script()).map_err(|e| {
        e.context(fail(format!(
            "the tripwire was not removed from {}; the transaction was rolled back and nothing changed",
            project.target().describe()
        )))
    })?;
    let after = tripwire::probe(&project)?;
    if after.any() {
        return Err(fail(format!("parts of the tripwire are still in {}", project.target().describe()))
            .hint("another session may have installed it again meanwhile: `prisma-guard doctor` shows what is there; run `prisma-guard unprotect` again")
            .into());
    }
    if let Some((_, id)) = &before.installed {
        key::remove(&key::dir(), id);
    }
    settings.printer.status(
        "Removed",
        format!("the tripwire from {} (every trigger and the prisma_guard schema)", project.target().describe()),
    );
    Ok(ExitStatus::Success)
}
