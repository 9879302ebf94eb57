//! `prisma-guard init`: wire a project (config, scripts, shims, git hooks, agent hooks, a note
//! for agents) in one idempotent step.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::agents::Agent;
use crate::cli::InitArgs;
use crate::config::settings::GlobalOptions;
use crate::config::settings::Settings;
use crate::install::edits::{self, Edit};
use crate::install::git_hooks;
use crate::install::shim;
use crate::ExitStatus;

pub(super) const TEMPLATE: &str = include_str!("../../templates/prisma-guard.toml");

pub(super) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

pub(super) fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// The agents to set up: those named with `--agent` (only those: another agent's settings
/// are not even read), else every agent whose settings are in the project.
fn agents_for(root: &Path, args: &InitArgs) -> Vec<Agent> {
    if args.agent.is_empty() {
        return edits::detect_agents(root);
    }
    let mut agents = Vec::new();
    for a in &args.agent {
        if !agents.contains(a) {
            agents.push(*a);
        }
    }
    agents
}

/// The file edits `init` makes, notes for the user, and the agents' files left out (what is
/// wrong with each).
fn init_edits(settings: &Settings, agents: &[Agent], named: bool) -> Result<(Vec<Edit>, Vec<String>, Vec<String>)> {
    let root = &settings.project_root;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    if settings.config.path.is_none() {
        edits.push(Edit {
            path: root.join(crate::config::FILE_NAME),
            content: Some(TEMPLATE.into()),
            what: "prisma-guard's settings, every key commented".into(),
        });
    }
    if let Ok(r) = settings.backup_dir.strip_prefix(root) {
        let gi = root.join(".gitignore");
        let current = read(&gi);
        let with_backups = edits::merge_gitignore(&current, &format!("/{}/", r.display()), edits::BACKUPS_WHY);
        // And the copy a SQLite restore stages beside the database (a killed one leaves it).
        let base = with_backups.clone().unwrap_or_else(|| current.clone());
        let with_staged = edits::merge_gitignore(&base, ".prisma-guard-restore-*", edits::STAGED_WHY).or(with_backups);
        if let Some(new) = with_staged {
            edits.push(Edit {
                path: gi,
                content: Some(new),
                what: format!("ignores /{}/ (backups) and restores' staged copies", r.display()),
            });
        }
    }
    let pkg = root.join("package.json");
    if pkg.is_file() {
        let (new, kept) = edits::merge_scripts(&read(&pkg), &pkg)?;
        notes.extend(kept);
        if let Some(new) = new {
            edits.push(Edit {
                path: pkg,
                content: Some(new),
                what: "scripts db:backup, db:restore, db:backup-test, db:verify".into(),
            });
        }
    }
    let (agent, skipped) = agent_edits(root, agents, named)?;
    edits.extend(agent);
    Ok((edits, notes, skipped))
}

/// Whether `dir` holds a Prisma project: a Prisma config, a schema, or (Prisma 6 and
/// earlier) a `prisma.schema` path in its package.json.
fn is_prisma_project(dir: &Path) -> bool {
    let in_package_json = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&t)).ok())
        .is_some_and(|v| v["prisma"]["schema"].is_string());
    crate::project::CONFIG_NAMES.iter().any(|n| dir.join(n).is_file())
        || dir.join("prisma/schema.prisma").is_file()
        || dir.join("schema.prisma").is_file()
        || dir.join("prisma/schema").is_dir()
        || in_package_json
}

/// The Prisma projects below `root` (a monorepo root without one of its own): its workspace
/// packages that hold one, else folders up to three levels down (node_modules and hidden
/// folders aside).
pub(super) fn prisma_projects_below(root: &Path) -> Vec<PathBuf> {
    if let Some(dirs) = crate::shell::package_scripts::workspace_package_dirs(root) {
        return dirs.into_iter().filter(|d| is_prisma_project(d)).collect();
    }
    let mut found = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name == "node_modules" || name.starts_with('.') || !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if is_prisma_project(&e.path()) {
                found.push(e.path());
            } else if depth < 2 {
                stack.push((e.path(), depth + 1));
            }
        }
    }
    found.sort();
    found
}

pub fn run(global: &GlobalOptions, args: &InitArgs) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    if settings.project.schema.is_none() && settings.project.config_file.is_none() {
        // No Prisma project here or above: a monorepo root sets up each one below it, with
        // the agents' settings and notes at the root, where the agents start.
        let here = settings.cwd.clone();
        let below = prisma_projects_below(&here);
        if below.is_empty() {
            return Err(crate::error::Failure::usage(format!(
                "no Prisma project in {}: no prisma.config.ts, prisma/schema.prisma or schema.prisma here, above, or in the folders below",
                here.display()
            ))
            .hint("run `prisma-guard init` in your Prisma project's folder (or `prisma-guard -C path/to/project init`); `npx prisma init` creates one")
            .into());
        }
        if !global.quiet {
            let list: Vec<String> = below.iter().map(|d| rel(&here, d)).collect();
            println!(
                "{} has no Prisma project of its own; setting up the ones below it: {}",
                here.display(),
                list.join(", ")
            );
        }
        for dir in &below {
            let sub = global.in_dir(dir);
            init_one(&sub, args, false)?;
        }
        let (edits, skipped) = agent_edits(&here, &agents_for(&here, args), !args.agent.is_empty())?;
        // The root has no backup folder of its own: its originals go into the first
        // project's ledger, where `uninstall` at the root finds them.
        let ledger = ledger_dir(global, &below[0])?;
        report_root_edits(&here, &edits, args, global, &ledger)?;
        return skipped_agents(&skipped);
    }
    init_one(global, args, true)
}

/// The end of an `init` that left agents' files out: everything else is set up, and the exit
/// status says the set-up is not complete (1), with what to fix.
fn skipped_agents(skipped: &[String]) -> Result<ExitStatus> {
    if skipped.is_empty() {
        return Ok(ExitStatus::Success);
    }
    Err(crate::error::Failure::new(format!(
        "everything else is set up, but not these agents' hooks: {}",
        skipped.join("; ")
    ))
    .hint("fix the file named above (or set up only the other agents: `prisma-guard init --agent <name>`), then run `prisma-guard init` again")
    .into())
}

/// The agents' hook settings and notes in `root`, and the agents left out: a settings file
/// prisma-guard cannot edit safely (not valid JSON/JSONC, `hooks` not an object) is skipped
/// with what is wrong with it, and the other agents are set up. `named`: the agents were
/// named with `--agent`, and no other agent's file is read.
fn agent_edits(root: &Path, agents: &[Agent], named: bool) -> Result<(Vec<Edit>, Vec<String>)> {
    let mut edits = Vec::new();
    let mut skipped = Vec::new();
    let npm = crate::install::invoke::NpmBin::find(root, root);
    for agent in agents {
        let path = root.join(agent.settings_file());
        match edits::merge_agent(*agent, &read(&path), &path, npm.as_ref()) {
            Ok(Some(new)) => edits.push(Edit {
                path,
                content: Some(new),
                what: format!("{} hook: prisma-guard agent-hook", agent.name()),
            }),
            Ok(None) => {}
            Err(e) => skipped.push(format!("{} ({})", agent.name(), crate::error::one_line(&e))),
        }
    }
    // `prisma mcp` servers in the agents' MCP settings become `prisma-guard mcp`.
    for problem in crate::mcp::agent_files::init_edits(root, agents, named, npm.as_ref(), &mut edits) {
        crate::ui::Printer::default().warn(format!("MCP settings not changed: {problem}"));
    }
    // The note goes where each chosen agent reads it, created when missing: Claude Code reads
    // CLAUDE.md, the others AGENTS.md. An existing file gets it whatever the agents.
    let wants = |md: &str| agents.iter().any(|a| a.profile().notes_file == md);
    for md in ["CLAUDE.md", "AGENTS.md"] {
        let path = root.join(md);
        if path.is_file() || wants(md) {
            if let Some(new) = edits::merge_markdown(&read(&path)) {
                edits.push(Edit { path, content: Some(new), what: "database safety section".into() });
            }
        }
    }
    Ok((edits, skipped))
}

/// The folder of the ledger of originals of the Prisma project in `dir`.
pub(super) fn ledger_dir(global: &GlobalOptions, dir: &Path) -> Result<PathBuf> {
    let sub = global.in_dir(dir);
    Ok(Settings::load(&sub)?.audit_dir)
}

fn report_root_edits(
    root: &Path,
    edits: &[Edit],
    args: &InitArgs,
    global: &GlobalOptions,
    ledger: &Path,
) -> Result<()> {
    if !args.dry_run {
        edits::Ledger::load(ledger).apply(edits)?;
    }
    if !global.quiet && !edits.is_empty() {
        println!("{} {}:", if args.dry_run { "Would change" } else { "Set up" }, root.display());
        for e in edits {
            println!("  {} {}: {}", edit_verb(e, args.dry_run), rel(root, &e.path), e.what);
        }
    }
    Ok(())
}

/// "wrote" or "removed" (after the fact), or "would create/update/remove" (`--dry-run`).
fn edit_verb(e: &Edit, dry_run: bool) -> &'static str {
    match (e.content.is_some(), e.path.exists(), dry_run) {
        (false, _, true) => "would remove",
        (false, _, false) => "removed",
        (true, false, true) => "would create",
        (true, true, true) => "would update",
        // Applied already: the file is there either way.
        (true, _, false) => "wrote",
    }
}

/// Whether the project (or a folder above it) installs with Yarn Plug'n'Play.
fn pnp(root: &std::path::Path) -> bool {
    root.ancestors().take(8).any(|d| {
        d.join(".pnp.cjs").is_file()
            || d.join(".pnp.js").is_file()
            || std::fs::read_to_string(d.join(".yarnrc.yml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim().replace(' ', "") == "nodeLinker:pnp"))
    })
}

/// `init` in one Prisma project; `with_agents`: also the agents' settings and notes there.
fn init_one(global: &GlobalOptions, args: &InitArgs, with_agents: bool) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    let root = settings.project_root.clone();
    let agents = if with_agents { agents_for(&root, args) } else { Vec::new() };
    let (edits, mut notes, skipped) = init_edits(&settings, &agents, !args.agent.is_empty())?;
    let verb = |done: &str, would: &str| if args.dry_run { would.to_string() } else { done.to_string() };
    let mut lines: Vec<String> =
        edits.iter().map(|e| format!("{} {}: {}", edit_verb(e, args.dry_run), rel(&root, &e.path), e.what)).collect();
    if !args.dry_run {
        edits::Ledger::load(&settings.audit_dir).apply(&edits)?;
    }

    // The project shim (node_modules/.bin/prisma) and its re-install entry. A folder with a
    // node_modules/.bin/prisma but no package.json gets the shim too: npx and npm exec run
    // that link all the same (there is no postinstall to add).
    let pkg = root.join("package.json");
    let bin_root = shim::prisma_bin_root(&root);
    if pkg.is_file() || bin_root.is_some() {
        let has_prisma = bin_root.is_some();
        let postinstall = !pkg.is_file() || read(&pkg).contains("prisma-guard shim install");
        if has_prisma && !shim::project_shim_installed(&root) {
            if !args.dry_run {
                shim::install_project(&root)?;
            }
            let at = bin_root
                .as_deref()
                .filter(|b| *b != root)
                .map(|b| format!(" of {} (hoisted by the workspace)", b.display()))
                .unwrap_or_default();
            lines.push(format!(
                "{} node_modules/.bin/prisma{at}: the prisma-guard shim (npx prisma, npm scripts)",
                verb("installed", "would install")
            ));
        }
        if !postinstall {
            if !args.dry_run {
                shim::add_postinstall(&root)?;
            }
            lines.push(format!(
                "{} package.json postinstall: re-installs the shim after every npm install",
                verb("added", "would add")
            ));
        }
        if !has_prisma && pnp(&root) {
            // Yarn Plug'n'Play keeps no node_modules/.bin: there is no link to stand in for.
            notes.push("Yarn Plug'n'Play (.pnp.cjs): there is no node_modules/.bin/prisma for the shim to replace, so `yarn prisma` is not guarded by it; use the PATH shim (`prisma-guard shim install`), the agent hooks and the git hooks, or `nodeLinker: node-modules` in .yarnrc.yml".into());
        } else if !has_prisma {
            notes.push("prisma is not installed in node_modules yet: the postinstall entry installs the shim at the next npm install".into());
        }
    }

    // Git hooks.
    match git_hooks::locate(&root) {
        Ok(repo) if repo.outside.is_some() => notes.push(format!(
            "git hooks not installed: core.hooksPath points outside the repository ({}); run `{}` (the hooks folder every working tree shares), then `prisma-guard hooks install`; or `prisma-guard hooks install --force` to install into the global folder",
            repo.outside.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            repo.shared_hooks_command()
        )),
        Ok(repo) => {
            if git_hooks::status(&repo).iter().any(|r| !r.ok) {
                if args.dry_run {
                    lines.push("would install git hooks: pre-commit and pre-push run `prisma-guard scan`".into());
                } else {
                    // A hook prisma-guard cannot add to leaves the rest of the set-up in place.
                    match git_hooks::install(&repo, false) {
                        Ok(changes) => lines.extend(changes),
                        Err(e) => notes.push(format!(
                            "git hooks not installed: {}",
                            crate::error::one_line(&e)
                        )),
                    }
                }
            }
        }
        Err(_) => notes.push("not a git repository: no git hooks (run `git init`, then `prisma-guard init` again)".into()),
    }
    if agents.is_empty() && with_agents {
        notes.push(
            "no AI agent settings found; add hooks with `--agent claude` (or cursor, codex, gemini, copilot)".into(),
        );
    }

    if !global.quiet {
        if lines.is_empty() {
            println!("prisma-guard is already set up in {}: nothing to change", root.display());
        } else {
            println!("{} {}:", if args.dry_run { "Would change" } else { "Set up" }, root.display());
            for l in &lines {
                println!("  {l}");
            }
        }
        for n in &notes {
            println!("  note: {n}");
        }
        if !args.dry_run && !lines.is_empty() {
            println!("Check every entry point with: prisma-guard doctor");
        }
    }
    skipped_agents(&skipped)
}
