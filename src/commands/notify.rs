//! `prisma-guard notify test`

use anyhow::Result;

use crate::cli::{NotifyArgs, NotifyCommand};
use crate::config::settings::Settings;
use crate::error::fail;
use crate::notify::{self, Event, Severity};
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &NotifyArgs) -> Result<ExitStatus> {
    match args.command {
        NotifyCommand::Test => test(settings),
    }
}

fn test(settings: &Settings) -> Result<ExitStatus> {
    let notifiers = notify::notifiers(&settings.config.file.notify)?;
    if notifiers.is_empty() {
        return Err(fail("there is no [[notify]] in prisma-guard.toml")
            .hint("add one (see docs/operations.md), then run `prisma-guard notify test` again")
            .status(ExitStatus::Usage)
            .into());
    }
    let m = notify::message(
        &settings.project_root,
        Event::Test,
        Severity::Info,
        "test message: notifications work".into(),
        "prisma-guard will send alerts here (backup or upload failed, stale backups, failed restore tests, refused commands).".into(),
    );
    let mut failed = 0;
    for (label, result) in notify::send(&notifiers, &m) {
        match result {
            Ok(()) => println!("sent    {label}"),
            Err(e) => {
                failed += 1;
                println!("FAILED  {label}: {}", crate::error::one_line(&e));
            }
        }
    }
    if failed > 0 {
        return Err(fail(format!("{failed} of {} notifier(s) failed", notifiers.len()))
            .hint("check the URL/credentials variables and that this machine can reach them")
            .into());
    }
    Ok(ExitStatus::Success)
}
