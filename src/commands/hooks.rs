//! `prisma-guard hooks install | status | uninstall`.

use anyhow::Result;

use crate::cli::{HooksAction, HooksArgs};
use crate::config::settings::GlobalOptions;
use crate::install::git_hooks;
use crate::ExitStatus;

pub fn run(global: &GlobalOptions, args: &HooksArgs) -> Result<ExitStatus> {
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
            if let Some(named) = &repo.unreachable_here {
                // Installed where every working tree can reach them; this one is not pointed there.
                return Err(crate::error::Failure::new(format!(
                    "the hooks are in {}, but git runs none in this working tree: core.hooksPath names {}, relative to each working tree, and `.git` is a file in a linked worktree",
                    repo.common_hooks.display(),
                    named.display()
                ))
                .hint(format!("run `{}` (a path that works in every working tree)", repo.shared_hooks_command()))
                .into());
            }
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
