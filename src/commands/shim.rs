//! `prisma-guard shim install | status | uninstall`

use anyhow::Result;

use crate::cli::{ShimAction, ShimArgs};
use crate::config::settings::Settings;
use crate::error::fail;
use crate::install::shim;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &ShimArgs) -> Result<ExitStatus> {
    let dir = args.dir.clone().unwrap_or_else(shim::default_dir);
    let root = &settings.project_root;
    let p = &settings.printer;
    match args.action {
        ShimAction::Install => {
            // With --project, the PATH shim failing (a foreign `prisma` in its folder) must
            // not leave the project's shim undone: that one is what npx and npm scripts run,
            // and what the postinstall puts back.
            let path_shim = shim::install_path_shim(&dir);
            match path_shim {
                Ok(true) => p.status("Installed", format!("{}/prisma -> prisma-guard", dir.display())),
                Ok(false) => {}
                Err(e) if args.project => p.warn(format!("{e:#} (the project shim is installed anyway)")),
                Err(e) => return Err(e),
            }
            // Said when asked, not on every `npm install` (the postinstall runs with --quiet).
            if !path_starts_with(&dir) && !p.quiet {
                p.warn(format!(
                    "{} must come first on PATH; add to your shell profile: export PATH=\"{}:$PATH\"",
                    dir.display(),
                    dir.display()
                ));
            }
            if args.project {
                // Run by the committed postinstall (`npm install` in a teammate's fresh clone,
                // whose .git/hooks is empty): the git hooks too, whatever becomes of the shim.
                if crate::config::env::in_npm_postinstall() {
                    clone_hooks(root, p);
                }
                let c = shim::install_project(root)?;
                if c.bin_replaced {
                    p.status(
                        "Installed",
                        format!("{}/node_modules/.bin/prisma (npx prisma, npm scripts)", root.display()),
                    );
                }
                if c.postinstall_added {
                    p.status("Added", "package.json postinstall: re-installs the shim after npm install");
                }
                if c.native_linked {
                    p.status("Linked", "node_modules/.bin/prisma-guard to the native binary (no Node start)");
                }
            }
            Ok(ExitStatus::Success)
        }
        ShimAction::Uninstall => {
            if shim::uninstall_path_shim(&dir)? {
                p.status("Removed", format!("{}/prisma", dir.display()));
            }
            if args.project {
                let c = shim::uninstall_project(root)?;
                if c.bin_replaced {
                    p.status("Restored", format!("{}/node_modules/.bin/prisma", root.display()));
                }
                if c.postinstall_added {
                    p.status("Removed", "the package.json postinstall entry");
                }
            }
            Ok(ExitStatus::Success)
        }
        ShimAction::Status => {
            let rows = shim::status(root, &dir, crate::config::env::path())?;
            let width = rows.iter().map(|r| r.entry.len()).max().unwrap_or(0);
            for r in &rows {
                let mark = if r.covered { "ok " } else { "GAP" };
                p.line(format!("{mark}  {:<width$}  {}", r.entry, r.detail));
                if !r.covered {
                    p.line(format!("     {:<width$}  fix: {}", "", r.fix));
                }
            }
            let gaps = rows.iter().filter(|r| !r.covered).count();
            if gaps > 0 {
                return Err(fail(format!("{gaps} prisma entry point(s) are not guarded"))
                    .hint("run the fix shown for each")
                    .into());
            }
            Ok(ExitStatus::Success)
        }
    }
}

fn clone_hooks(root: &std::path::Path, p: &crate::ui::Printer) {
    use crate::install::git_hooks::clone::{ensure, CloneHooks};
    match ensure(root) {
        CloneHooks::Fine => {}
        // Said even with --quiet (the postinstall's): a file was written in .git/hooks.
        CloneHooks::Installed(changes) => {
            let loud = crate::ui::Printer { quiet: false };
            for c in changes {
                loud.status("Git hooks", format!("{c} (prisma-guard scan, for this clone)"));
            }
        }
        // Said even with --quiet: without the hooks, commits in this clone are not scanned.
        CloneHooks::Missing(fix) => {
            p.warn(format!("git does not run prisma-guard's scan in this clone; run: {fix}"));
        }
    }
}

fn path_starts_with(dir: &std::path::Path) -> bool {
    let path = crate::config::env::path().unwrap_or_default();
    std::env::split_paths(&path).find(|p| p.join("prisma").exists()).is_some_and(|p| p == dir)
}
