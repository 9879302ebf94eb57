//! `prisma-guard uninstall`: take out what `init` put in, giving edited files back byte for byte.

use anyhow::Result;

use std::path::Path;

use super::init::{prisma_projects_below, read, rel, TEMPLATE};
use crate::cli::UninstallArgs;
use crate::config::settings::GlobalOptions;
use crate::config::settings::Settings;
use crate::install::edits::{self, Edit};
use crate::install::git_hooks;
use crate::install::shim;
use crate::ui::Printer;
use crate::ExitStatus;

pub fn run(global: &GlobalOptions, args: &UninstallArgs) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    if settings.project.schema.is_none() && settings.project.config_file.is_none() {
        // A monorepo root: `init` here set up each Prisma project below it, and the agents'
        // settings and notes here (recorded in the first project's ledger). Undo them all.
        let below = prisma_projects_below(&settings.cwd);
        if let Some(first) = below.first() {
            let ledger = super::init::ledger_dir(global, first)?;
            let root = global.in_dir(&settings.cwd);
            let mut status = uninstall_one(&root, args, Some(&ledger))?;
            for dir in &below {
                let sub = global.in_dir(dir);
                if !global.quiet {
                    Printer::default().line(format!("{}:", dir.display()));
                }
                let s = uninstall_one(&sub, args, None)?;
                if s != ExitStatus::Success {
                    status = s;
                }
            }
            return Ok(status);
        }
    }
    uninstall_one(global, args, None)
}

/// `uninstall` in one folder; `ledger_from`: the folder of the ledger that recorded this
/// folder's files (a monorepo root's are in its first project's), left for that project's
/// own uninstall to remove.
fn uninstall_one(global: &GlobalOptions, args: &UninstallArgs, ledger_from: Option<&Path>) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    let root = settings.project_root.clone();
    let mut edits = Vec::new();
    let mut failed = Vec::new();
    let mut ledger = edits::Ledger::load(ledger_from.unwrap_or(&settings.audit_dir));
    for agent in crate::agents::Agent::all() {
        let path = root.join(agent.settings_file());
        if path.is_file() {
            match edits::unmerge_agent(&read(&path), &path) {
                Ok(Some(new)) => {
                    edits.push(Edit { path, content: new, what: format!("{} hook removed", agent.name()) })
                }
                Ok(None) => {}
                Err(e) => {
                    // Not editable here, but maybe exactly as init left it: then its
                    // original comes back whole; else it is said and left as is.
                    let mut edit = Edit {
                        path: path.clone(),
                        content: Some(read(&path)),
                        what: format!("{} hook removed", agent.name()),
                    };
                    ledger.restore_originals(std::slice::from_mut(&mut edit));
                    if edit.content.as_deref() == Some(read(&path).as_str()) {
                        failed.push(format!(
                            "{e:#}; left as it is: take prisma-guard's hook out of {} by hand",
                            rel(&root, &path)
                        ));
                    } else {
                        edits.push(edit);
                    }
                }
            }
        }
    }
    failed.extend(crate::mcp::agent_files::uninstall_edits(&root, &mut edits));
    for md in ["CLAUDE.md", "AGENTS.md"] {
        let path = root.join(md);
        if let Some(new) = edits::unmerge_markdown(&read(&path)) {
            // A file that held only the section (init created it) goes with it.
            let (content, what) = if new.trim().is_empty() {
                (None, "removed (it held only the database safety section)")
            } else {
                (Some(new), "database safety section removed")
            };
            edits.push(Edit { path, content, what: what.into() });
        }
    }
    let pkg = root.join("package.json");
    if pkg.is_file() {
        if let Some(new) = edits::unmerge_scripts(&read(&pkg), &pkg)? {
            edits.push(Edit { path: pkg.clone(), content: Some(new), what: "db:* scripts removed".into() });
        }
    }
    let toml = root.join(crate::config::FILE_NAME);
    if read(&toml) == TEMPLATE {
        edits.push(Edit { path: toml, content: None, what: "removed (it was the unchanged template)".into() });
    }
    // A file exactly as init left it gets its original bytes back (or goes, when init made it).
    ledger.restore_originals(&mut edits);
    let would = |s: &str| if args.dry_run { format!("would {s}") } else { s.to_string() };
    let mut lines: Vec<String> =
        edits.iter().map(|e| format!("{} {}: {}", would("update"), rel(&root, &e.path), e.what)).collect();
    if !args.dry_run {
        edits::apply(&edits)?;
        if ledger_from.is_none() {
            ledger.remove();
        }
    }
    if pkg.is_file() && (shim::project_shim_installed(&root) || read(&pkg).contains("prisma-guard shim install")) {
        if !args.dry_run {
            shim::uninstall_project(&root)?;
        }
        lines.push(would("restore node_modules/.bin/prisma and remove the postinstall entry"));
    }
    if let Ok(repo) = git_hooks::locate(&root) {
        if git_hooks::installed(&repo) {
            if args.dry_run {
                lines.push("would remove the git hooks".into());
            } else {
                lines.extend(git_hooks::uninstall(&repo)?);
            }
        }
    }
    let printer = Printer { quiet: global.quiet };
    if !global.quiet {
        if lines.is_empty() {
            printer.line(format!("nothing of prisma-guard is installed in {}", root.display()));
        }
        for l in &lines {
            printer.line(format!("  {l}"));
        }
        printer.line("  kept: backups and the .gitignore entry for them (your data)");
    }
    for f in &failed {
        printer.warn(f);
    }
    Ok(if failed.is_empty() { ExitStatus::Success } else { ExitStatus::Failure })
}
