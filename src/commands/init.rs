//! `prisma-guard init`, `uninstall` and `doctor`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::agents::protocol::Agent;
use crate::cli::{DoctorArgs, GlobalArgs, InitArgs, UninstallArgs};
use crate::config::settings::Settings;
use crate::install::git_hooks;
use crate::install::project::{self, Edit};
use crate::install::shim;
use crate::ExitStatus;

const TEMPLATE: &str = include_str!("../../templates/prisma-guard.toml");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn agents_for(root: &Path, args: &InitArgs) -> Vec<Agent> {
    let mut agents = project::detect_agents(root);
    for a in &args.agent {
        if !agents.contains(a) {
            agents.push(*a);
        }
    }
    agents
}

/// The file edits `init` makes.
fn init_edits(settings: &Settings, agents: &[Agent]) -> Result<(Vec<Edit>, Vec<String>)> {
    let root = &settings.project_root;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    if settings.config.path.is_none() {
        edits.push(Edit {
            path: root.join(crate::config::FILE_NAME),
            content: Some(TEMPLATE.into()),
            what: "created".into(),
        });
    }
    if let Ok(r) = settings.backup_dir.strip_prefix(root) {
        let gi = root.join(".gitignore");
        let current = read(&gi);
        let with_backups = project::merge_gitignore(&current, &format!("/{}/", r.display()));
        // And the copy a SQLite restore stages beside the database (a killed one leaves it).
        let base = with_backups.clone().unwrap_or_else(|| current.clone());
        let with_staged = project::merge_gitignore(&base, ".prisma-guard-restore-*").or(with_backups);
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
        let (new, kept) = project::merge_scripts(&read(&pkg), &pkg)?;
        notes.extend(kept);
        if let Some(new) = new {
            edits.push(Edit {
                path: pkg,
                content: Some(new),
                what: "scripts db:backup, db:restore, db:backup-test, db:verify".into(),
            });
        }
    }
    edits.extend(agent_edits(root, agents)?);
    Ok((edits, notes))
}

/// Whether `dir` holds a Prisma project: a Prisma config, a schema, or (Prisma 6 and
/// earlier) a `prisma.schema` path in its package.json.
fn is_prisma_project(dir: &Path) -> bool {
    let in_package_json = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(crate::scan::files::strip_bom(&t)).ok())
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
fn prisma_projects_below(root: &Path) -> Vec<PathBuf> {
    if let Some(dirs) = crate::shell::packages::workspace_package_dirs(root) {
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

pub fn run_init(global: &GlobalArgs, args: &InitArgs) -> Result<ExitStatus> {
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
            let sub = GlobalArgs { directory: Some(dir.clone()), ..global.clone() };
            init_one(&sub, args, false)?;
        }
        let edits = agent_edits(&here, &agents_for(&here, args))?;
        report_root_edits(&here, &edits, args, global)?;
        return Ok(ExitStatus::Success);
    }
    init_one(global, args, true)
}

/// The agents' hook settings and notes in `root`.
fn agent_edits(root: &Path, agents: &[Agent]) -> Result<Vec<Edit>> {
    let mut edits = Vec::new();
    for agent in agents {
        let path = root.join(project::settings_file(*agent));
        if let Some(new) = project::merge_agent(*agent, &read(&path), &path)? {
            edits.push(Edit {
                path,
                content: Some(new),
                what: format!("{} hook: prisma-guard agent-hook", agent.name()),
            });
        }
    }
    // The note goes where each chosen agent reads it, created when missing: Claude Code reads
    // CLAUDE.md, the others AGENTS.md. An existing file gets it whatever the agents.
    let wants = |md: &str| match md {
        "CLAUDE.md" => agents.contains(&Agent::Claude),
        _ => agents.iter().any(|a| *a != Agent::Claude),
    };
    for md in ["CLAUDE.md", "AGENTS.md"] {
        let path = root.join(md);
        if path.is_file() || wants(md) {
            if let Some(new) = project::merge_markdown(&read(&path)) {
                edits.push(Edit { path, content: Some(new), what: "database safety section".into() });
            }
        }
    }
    Ok(edits)
}

fn report_root_edits(root: &Path, edits: &[Edit], args: &InitArgs, global: &GlobalArgs) -> Result<()> {
    if !args.dry_run {
        project::apply(edits)?;
    }
    if !global.quiet && !edits.is_empty() {
        println!("{} {}:", if args.dry_run { "Would change" } else { "Set up" }, root.display());
        for e in edits {
            let verb = if args.dry_run { "would update" } else { "updated" };
            println!("  {verb} {}: {}", rel(root, &e.path), e.what);
        }
    }
    Ok(())
}

/// `init` in one Prisma project; `with_agents`: also the agents' settings and notes there.
fn init_one(global: &GlobalArgs, args: &InitArgs, with_agents: bool) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    let root = settings.project_root.clone();
    let agents = if with_agents { agents_for(&root, args) } else { Vec::new() };
    let (edits, mut notes) = init_edits(&settings, &agents)?;
    let verb = |done: &str, would: &str| if args.dry_run { would.to_string() } else { done.to_string() };
    let mut lines: Vec<String> = edits
        .iter()
        .map(|e| format!("{} {}: {}", verb("updated", "would update"), rel(&root, &e.path), e.what))
        .collect();
    if !args.dry_run {
        project::Ledger::load(&settings.audit_dir).apply(&edits)?;
    }

    // The project shim (node_modules/.bin/prisma) and its re-install entry.
    let pkg = root.join("package.json");
    if pkg.is_file() {
        let bin_root = shim::prisma_bin_root(&root);
        let has_prisma = bin_root.is_some();
        let postinstall = read(&pkg).contains("prisma-guard shim install");
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
        if !has_prisma {
            notes.push("prisma is not installed in node_modules yet: the postinstall entry installs the shim at the next npm install".into());
        }
    }

    // Git hooks.
    match git_hooks::locate(&root) {
        Ok(repo) if repo.outside.is_some() => notes.push(format!(
            "git hooks not installed: core.hooksPath points outside the repository ({}); run `prisma-guard hooks install --force` to install there",
            repo.outside.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
        )),
        Ok(repo) => {
            if git_hooks::status(&repo).iter().any(|r| !r.1) {
                if args.dry_run {
                    lines.push("would install git hooks: pre-commit and pre-push run `prisma-guard scan`".into());
                } else {
                    lines.extend(git_hooks::install(&repo, false)?);
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
    Ok(ExitStatus::Success)
}

pub fn run_uninstall(global: &GlobalArgs, args: &UninstallArgs) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    let root = settings.project_root.clone();
    let mut edits = Vec::new();
    let mut failed = Vec::new();
    let mut ledger = project::Ledger::load(&settings.audit_dir);
    for agent in project::AGENTS {
        let path = root.join(project::settings_file(*agent));
        if path.is_file() {
            match project::unmerge_agent(&read(&path), &path) {
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
    for md in ["CLAUDE.md", "AGENTS.md"] {
        let path = root.join(md);
        if let Some(new) = project::unmerge_markdown(&read(&path)) {
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
        if let Some(new) = project::unmerge_scripts(&read(&pkg), &pkg)? {
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
        project::apply(&edits)?;
        ledger.remove();
    }
    if pkg.is_file() && (shim::project_shim_installed(&root) || read(&pkg).contains("prisma-guard shim install")) {
        if !args.dry_run {
            shim::uninstall_project(&root)?;
        }
        lines.push(would("restore node_modules/.bin/prisma and remove the postinstall entry"));
    }
    if let Ok(repo) = git_hooks::locate(&root) {
        if git_hooks::status(&repo).iter().any(|r| r.1) {
            if args.dry_run {
                lines.push("would remove the git hooks".into());
            } else {
                lines.extend(git_hooks::uninstall(&repo)?);
            }
        }
    }
    if !global.quiet {
        if lines.is_empty() {
            println!("nothing of prisma-guard is installed in {}", root.display());
        }
        for l in &lines {
            println!("  {l}");
        }
        println!("  kept: backups and the .gitignore entry for them (your data)");
    }
    for f in &failed {
        crate::ui::Printer::default().warn(f);
    }
    Ok(if failed.is_empty() { ExitStatus::Success } else { ExitStatus::Failure })
}

struct Row {
    entry: String,
    ok: bool,
    detail: String,
    fix: String,
}

pub fn run_doctor(global: &GlobalArgs, args: &DoctorArgs) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    let root = settings.project_root.clone();
    let mut rows = Vec::new();
    let shim_dir = args.shim_dir.clone().unwrap_or_else(shim::default_dir);
    let has_package = root.join("package.json").is_file();
    for c in shim::status(&root, &shim_dir, std::env::var_os("PATH"))? {
        if !has_package && c.entry != "prisma on PATH" {
            continue; // no package.json: no npx or npm scripts to cover
        }
        rows.push(Row { entry: c.entry.to_string(), ok: c.covered, detail: c.detail, fix: c.fix });
    }
    // Agent hooks, husky and lefthook call prisma-guard by name: a missing binary there is a
    // hook that fails open (the agent runs the command anyway).
    let on_path = which::which("prisma-guard").ok();
    rows.push(Row {
        entry: "prisma-guard on PATH".into(),
        ok: on_path.is_some(),
        detail: on_path
            .map_or("not found: agent hooks calling it by name would fail".into(), |p| p.display().to_string()),
        fix: "./install.sh (installs into ~/.local/bin), and put that folder on PATH".into(),
    });
    match git_hooks::locate(&root) {
        Ok(repo) => {
            for (name, ok, detail) in git_hooks::status(&repo) {
                rows.push(Row { entry: format!("git {name} hook"), ok, detail, fix: git_hooks::install_hint(&repo) });
            }
        }
        Err(_) => rows.push(Row {
            entry: "git hooks".into(),
            ok: false,
            detail: "not a git repository".into(),
            fix: "git init && prisma-guard hooks install".into(),
        }),
    }
    let agents = project::detect_agents(&root);
    for agent in &agents {
        let path = root.join(project::settings_file(*agent));
        let checked = project::check_agent(*agent, &read(&path));
        rows.push(Row {
            entry: format!("{} hook", agent.name()),
            ok: checked.is_ok(),
            detail: match checked {
                Ok(()) => rel(&root, &path),
                Err(why) => format!("{}: {why}", rel(&root, &path)),
            },
            fix: format!("prisma-guard init --agent {}", crate::cli::agent_id(*agent)),
        });
    }
    if agents.is_empty() {
        rows.push(Row {
            entry: "AI agent hooks".into(),
            ok: true,
            detail: "no agent settings in this project".into(),
            fix: String::new(),
        });
    }
    rows.push(dump_tools(&settings));
    // A database not created yet has nothing to back up: no backup is no gap yet.
    let not_created = settings.database().is_ok_and(|db| db.exists().is_ok_and(|e| !e));
    if not_created {
        rows.push(Row {
            entry: "newest backup".into(),
            ok: true,
            detail: "none yet: the database does not exist yet (the first schema change creates it, after a backup of nothing)".into(),
            fix: String::new(),
        });
    } else {
        rows.extend(backups(&settings, args.max_backup_age_hours));
    }
    print_rows(&rows);
    let gaps = rows.iter().filter(|r| !r.ok).count();
    if gaps > 0 {
        println!("{gaps} gap(s): run the fix shown for each");
        return Ok(ExitStatus::Failure);
    }
    println!("every entry point is covered");
    Ok(ExitStatus::Success)
}

fn dump_tools(settings: &Settings) -> Row {
    let entry = "dump tools".to_string();
    let db = match settings.database() {
        Ok(db) => db,
        Err(e) => {
            return Row {
                entry,
                ok: false,
                detail: format!("{e:#}"),
                fix: "set DATABASE_URL as Prisma reads it (.env, prisma.config.ts)".into(),
            }
        }
    };
    // SQLite is read through the library built into prisma-guard: no tool to install, and a
    // file not created yet is nothing to back up yet.
    if db.engine() == crate::backup::db::url::Engine::Sqlite {
        let detail = match db.exists() {
            Ok(true) => db.dump_tool_version().unwrap_or_else(|_| "built in".into()),
            _ => format!("built in; {} does not exist yet (nothing to back up)", db.name()),
        };
        return Row { entry, ok: true, detail, fix: String::new() };
    }
    match db.preflight().and_then(|server| Ok(format!("{} for server {server}", db.dump_tool_version()?))) {
        Ok(detail) => Row { entry, ok: true, detail, fix: String::new() },
        Err(e) => {
            let text = format!("{e:#}");
            let missing_tool = text.contains("not found") || text.contains("older than the");
            let fix = match missing_tool {
                true => "install the client tools matching the server (postgresql-client, mariadb-client), or set [tools] in prisma-guard.toml",
                false => "start the database server, or check the database URL Prisma uses",
            };
            Row { entry, ok: false, detail: text, fix: fix.into() }
        }
    }
}

fn backups(settings: &Settings, max_age_hours: u64) -> Vec<Row> {
    let store = crate::backup::store::Store::open(&settings.backup_dir);
    let dir = settings.backup_dir.clone();
    let mut rows = Vec::new();
    let newest = store.list().ok().and_then(|(m, _)| m.into_iter().max_by_key(|m| m.created_unix));
    let now = crate::backup::store::unix_now(std::time::SystemTime::now());
    rows.push(match newest {
        Some(m) => {
            let age_h = now.saturating_sub(m.created_unix) / 3600;
            Row {
                entry: "newest backup".into(),
                ok: age_h <= max_age_hours,
                detail: format!("{} ({} hours old)", m.id, age_h),
                fix: "prisma-guard backup".into(),
            }
        }
        None => Row {
            entry: "newest backup".into(),
            ok: false,
            detail: format!("no backups in {}", dir.display()),
            fix: "prisma-guard backup".into(),
        },
    });
    rows.push(permissions(&dir));
    rows
}

fn permissions(dir: &PathBuf) -> Row {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let entry = "backup folder permissions".to_string();
    match std::fs::metadata(dir) {
        Ok(m) => {
            let mode = m.permissions().mode() & 0o777;
            let uid = current_uid();
            let ok = mode & 0o077 == 0 && uid.is_none_or(|u| u == m.uid());
            Row {
                entry,
                ok,
                detail: format!("{} is {:o}", dir.display(), mode),
                fix: format!("chmod 700 {}", crate::shell::quote(&dir.display().to_string())),
            }
        }
        Err(_) => Row {
            entry,
            ok: false,
            detail: format!("{} does not exist yet", dir.display()),
            fix: "prisma-guard backup".into(),
        },
    }
}

/// Our uid.
fn current_uid() -> Option<u32> {
    Some(rustix::process::getuid().as_raw())
}

fn print_rows(rows: &[Row]) {
    let width = rows.iter().map(|r| r.entry.len()).max().unwrap_or(0);
    for r in rows {
        let mark = if r.ok { "ok " } else { "GAP" };
        println!("{mark}  {:<width$}  {}", r.entry, r.detail);
        if !r.ok && !r.fix.is_empty() {
            println!("     {:<width$}  fix: {}", "", r.fix);
        }
    }
}
