//! `prisma-guard hooks install | status | uninstall`.

use anyhow::Result;

use crate::cli::{GlobalArgs, HooksAction, HooksArgs};
use crate::install::git_hooks;
use crate::ExitStatus;

pub fn run(global: &GlobalArgs, args: &HooksArgs) -> Result<ExitStatus> {
    let cwd = crate::config::settings::working_dir(global)?;
    let repo = git_hooks::locate(&cwd)?;
    let say = |lines: &[String], none: &str| {
        if global.quiet {
            return;
        }
        if lines.is_empty() {
            println!("{none}");
        }
        for l in lines {
            println!("{l}");
        }
    };
    match args.action {
        HooksAction::Install => {
            let changes = git_hooks::install(&repo, args.force)?;
            say(&changes, "git hooks already installed; nothing changed");
            Ok(ExitStatus::Success)
        }
        HooksAction::Uninstall => {
            let changes = git_hooks::uninstall(&repo)?;
            say(&changes, "no prisma-guard git hooks were installed; nothing changed");
            Ok(ExitStatus::Success)
        }
        HooksAction::Status => {
            let rows = git_hooks::status(&repo);
            for r in &rows {
                println!("{}", r.detail);
            }
            if let Some(o) = &repo.outside {
                println!("note: core.hooksPath points outside the repository ({})", o.display());
            }
            let mut fixes: Vec<&str> = rows.iter().filter(|r| !r.ok).map(|r| r.fix.as_str()).collect();
            fixes.dedup();
            for fix in &fixes {
                println!("fix: {fix}");
            }
            Ok(if fixes.is_empty() { ExitStatus::Success } else { ExitStatus::Failure })
        }
    }
}
