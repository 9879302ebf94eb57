//! `prisma-guard doctor`: a coverage table (shims, git hooks, agent hooks, MCP servers, dump
//! tools, the PostgreSQL tripwire, backups, permissions, and the paths past every shim: a
//! downloaded prisma, Prisma's entry file, yarn PnP, bun, the CI scan) with the fix for each
//! gap. A row marked `-` is a gap only an AI agent could use in a project with none.

use std::path::PathBuf;

use anyhow::Result;

use super::init::{read, rel};
use crate::cli::DoctorArgs;
use crate::config::settings::GlobalOptions;
use crate::config::settings::Settings;
use crate::install::edits;
use crate::install::git_hooks;
use crate::install::shim;
use crate::ExitStatus;

mod paths;

struct Row {
    entry: String,
    ok: bool,
    detail: String,
    fix: String,
    /// A gap only an AI agent could use, in a project with none: shown, not counted.
    optional: bool,
}

pub fn run(global: &GlobalOptions, args: &DoctorArgs) -> Result<ExitStatus> {
    let settings = Settings::load(global)?;
    let mut rows = Vec::new();
    let no_project = settings.project.schema.is_none() && settings.project.config_file.is_none();
    let below = if no_project { super::init::prisma_projects_below(&settings.cwd) } else { Vec::new() };
    if below.is_empty() {
        let shims = shim_rows(&settings, args)?;
        let bin_shim = shims.iter().any(|r| r.entry.starts_with("node_modules/.bin/prisma") && r.ok);
        rows.extend(shims);
        rows.extend(common_rows(&settings.project_root));
        rows.extend(database_rows(&settings, args));
        let postgres = settings.target().is_ok_and(|t| t.url.engine == crate::backup::db::url::Engine::Postgresql);
        let cover = paths::Cover::read(&settings.project_root, tripwire_on(&settings), bin_shim, postgres);
        rows.extend(paths::rows(&settings.project_root, &cover));
    } else {
        // A monorepo root without a Prisma project of its own: what is shared (PATH, git
        // hooks, agents) once, here; each Prisma package below as `init` sets them up.
        let here = settings.cwd.clone();
        rows.extend(common_rows(&here));
        for dir in &below {
            let sub = Settings::load(&global.in_dir(dir))?;
            let name = rel(&here, dir);
            for mut row in shim_rows(&sub, args)?.into_iter().chain(database_rows(&sub, args)) {
                row.entry = format!("{name}: {}", row.entry);
                rows.push(row);
            }
        }
    }
    print_rows(&rows);
    let gaps = rows.iter().filter(|r| !r.ok && !r.optional).count();
    if gaps > 0 {
        println!("{gaps} gap(s): run the fix shown for each");
        return Ok(ExitStatus::Failure);
    }
    println!("every entry point is covered");
    Ok(ExitStatus::Success)
}

/// The shims in front of prisma, for one project.
fn shim_rows(settings: &Settings, args: &DoctorArgs) -> Result<Vec<Row>> {
    let root = &settings.project_root;
    let shim_dir = args.shim_dir.clone().unwrap_or_else(shim::default_dir);
    let has_package = root.join("package.json").is_file();
    // Without a package.json, npx and npm exec still run a node_modules/.bin/prisma here or
    // above: a gap when it is not the shim. Only the postinstall row needs a package.json.
    let has_bin = shim::prisma_bin_root(root).is_some();
    let mut rows = Vec::new();
    for c in shim::status(root, &shim_dir, crate::config::env::path())? {
        let skip = match c.entry {
            "prisma on PATH" => false,
            "package.json postinstall" => !has_package,
            _ => !has_package && !has_bin,
        };
        if skip {
            continue;
        }
        rows.push(Row { entry: c.entry.to_string(), ok: c.covered, detail: c.detail, fix: c.fix, optional: false });
    }
    Ok(rows)
}

/// What the repository shares: prisma-guard on PATH, the git hooks, the agents' hooks.
fn common_rows(root: &std::path::Path) -> Vec<Row> {
    let mut rows = Vec::new();
    // The agent and git hooks look for prisma-guard in the project's node_modules/.bin, then
    // on PATH: without it they refuse every command (and every commit).
    let npm = crate::install::invoke::NpmBin::find(root, root);
    if let Some(npm) = &npm {
        // Installed from npm (package.json names @prisma-guard/cli): node_modules/.bin has it.
        let bin = root.join(&npm.from_root);
        rows.push(Row {
            entry: "prisma-guard in node_modules/.bin".into(),
            ok: bin.is_file(),
            detail: if bin.is_file() {
                npm.from_root.clone()
            } else {
                format!("{} is missing: the hooks refuse every command until it is there", npm.from_root)
            },
            fix: "npm install (package.json installs @prisma-guard/cli)".into(),
            optional: false,
        });
    } else {
        let on_path = which::which("prisma-guard").ok();
        rows.push(Row {
            entry: "prisma-guard on PATH".into(),
            ok: on_path.is_some(),
            detail: on_path.map_or("not found: the agent and git hooks refuse every command without it".into(), |p| {
                p.display().to_string()
            }),
            fix: "./install.sh (installs into ~/.local/bin), and put that folder on PATH".into(),
            optional: false,
        });
    }
    match git_hooks::locate(root) {
        Ok(repo) => {
            for h in git_hooks::status(&repo) {
                rows.push(Row {
                    entry: format!("git {} hook", h.hook),
                    ok: h.ok,
                    detail: h.detail,
                    fix: h.fix,
                    optional: false,
                });
            }
        }
        Err(_) => rows.push(Row {
            entry: "git hooks".into(),
            ok: false,
            detail: "not a git repository".into(),
            fix: "git init && prisma-guard hooks install".into(),
            optional: false,
        }),
    }
    let agents = edits::detect_agents(root);
    for agent in &agents {
        let path = root.join(agent.settings_file());
        let home = crate::config::env::home();
        let checked =
            edits::check_agent(*agent, &read(&path), npm.as_ref()).and_then(|()| {
                match edits::hooks_disabled(*agent, root, home.as_deref()) {
                    Some((file, key)) => Err(format!(
                        "`\"{key}\": true` in {} switches every {} hook off, prisma-guard's with them",
                        file.display(),
                        agent.name()
                    )),
                    None => Ok(()),
                }
            });
        let fix = match edits::hooks_disabled(*agent, root, home.as_deref()) {
            Some((file, key)) => format!("take `\"{key}\": true` out of {}", file.display()),
            None => format!("prisma-guard init --agent {}", agent.id()),
        };
        rows.push(Row {
            entry: format!("{} hook", agent.name()),
            ok: checked.is_ok(),
            detail: match checked {
                Ok(()) => rel(root, &path),
                Err(why) => format!("{}: {why}", rel(root, &path)),
            },
            fix,
            optional: false,
        });
    }
    for f in crate::mcp::agent_files::findings(root) {
        rows.push(Row { entry: f.entry, ok: f.ok, detail: f.detail, fix: f.fix, optional: false });
    }
    if agents.is_empty() {
        rows.push(Row {
            entry: "AI agent hooks".into(),
            ok: true,
            detail: "no agent settings in this project".into(),
            fix: String::new(),
            optional: false,
        });
    }
    rows
}

/// The database of one project: its dump tools and its backups.
fn database_rows(settings: &Settings, args: &DoctorArgs) -> Vec<Row> {
    let mut rows = vec![dump_tools(settings)];
    rows.extend(tripwire_row(settings));
    // A database not created yet has nothing to back up: no backup is no gap yet.
    let not_created = settings.database().is_ok_and(|db| db.exists().is_ok_and(|e| !e));
    if not_created {
        rows.push(Row {
            entry: "newest backup".into(),
            ok: true,
            detail: "none yet: the database does not exist yet (the first schema change creates it, after a backup of nothing)".into(),
            fix: String::new(), optional: false,
        });
    } else {
        rows.extend(backups(settings, args.max_backup_age_hours));
    }
    rows
}

/// Whether the PostgreSQL tripwire is installed, whole and sound in the project's database.
fn tripwire_on(settings: &Settings) -> bool {
    let Ok(target) = settings.target() else { return false };
    let Ok(db) = crate::tripwire::postgres(&target, &settings.tools) else { return false };
    crate::tripwire::inspect(&db).is_ok_and(|t| t.probe.installed.is_some() && crate::tripwire::is_sound(&t))
}

/// The PostgreSQL tripwire (prisma-guard protect): optional, so its absence is no gap; a
/// damaged one, or one this machine holds no key for, is.
fn tripwire_row(settings: &Settings) -> Option<Row> {
    let target = settings.target().ok()?;
    let db = crate::tripwire::postgres(&target, &settings.tools).ok()?;
    let entry = "PostgreSQL tripwire".to_string();
    Some(match crate::tripwire::inspect(&db) {
        Ok(t) => Row {
            entry,
            ok: crate::tripwire::is_sound(&t),
            detail: t.summary(),
            fix: format!("{}=<superuser url> prisma-guard protect", crate::tripwire::PROTECT_URL_VAR),
            optional: false,
        },
        // Unreachable databases are the dump tools row's gap already.
        Err(e) => Row {
            entry,
            ok: true,
            detail: format!("not checked: {}", crate::error::one_line(&e)),
            fix: String::new(),
            optional: false,
        },
    })
}

/// What to do when the database URL cannot be read: a module the Prisma config imports that
/// is not installed (`Cannot find module 'dotenv/config'`) is installed, not a variable set.
fn database_fix(detail: &str, var: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    let module = ["cannot find module '", "cannot find package '", "cannot find module \""]
        .iter()
        .find_map(|m| lower.find(m).map(|at| &detail[at + m.len()..]))
        .and_then(|rest| rest.split(['\'', '"']).next())
        .filter(|m| !m.is_empty() && !m.starts_with('.') && !m.starts_with('/'));
    match module {
        Some(m) => {
            // The package of a module path: `dotenv/config` -> dotenv, `@scope/pkg/x` -> @scope/pkg.
            let parts: Vec<&str> = m.split('/').collect();
            let package = if m.starts_with('@') {
                parts.iter().take(2).copied().collect::<Vec<_>>().join("/")
            } else {
                parts[0].to_string()
            };
            format!("install {package}, which the Prisma config imports (`npm install --save-dev {package}`)")
        }
        None => format!("set {var} as Prisma reads it (.env, prisma.config.ts)"),
    }
}

fn dump_tools(settings: &Settings) -> Row {
    let entry = "dump tools".to_string();
    let db = match settings.database() {
        Ok(db) => db,
        Err(e) => {
            // The variable the schema or config reads (`API_DATABASE_URL is not set: ...`).
            let detail = format!("{e:#}");
            let var = detail
                .split_once(" is not set")
                .map(|(v, _)| v.trim())
                .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or("DATABASE_URL");
            return Row { entry, ok: false, fix: database_fix(&detail, var), detail, optional: false };
        }
    };
    // SQLite is read through the library built into prisma-guard: no tool to install, and a
    // file not created yet is nothing to back up yet.
    if db.engine() == crate::backup::db::url::Engine::Sqlite {
        let detail = match db.exists() {
            Ok(true) => db.dump_tool_version().unwrap_or_else(|_| "built in".into()),
            _ => format!("built in; {} does not exist yet (nothing to back up)", db.name()),
        };
        return Row { entry, ok: true, detail, fix: String::new(), optional: false };
    }
    match db.preflight().and_then(|server| Ok(format!("{} for server {server}", db.dump_tool_version()?))) {
        Ok(detail) => Row { entry, ok: true, detail, fix: String::new(), optional: false },
        Err(e) => {
            let text = format!("{e:#}");
            let missing_tool = text.contains("not found") || text.contains("older than the");
            let fix = match missing_tool {
                true => "install the client tools matching the server (postgresql-client, mariadb-client), or set [tools] in prisma-guard.toml",
                false => "start the database server, or check the database URL Prisma uses",
            };
            Row { entry, ok: false, detail: text, fix: fix.into(), optional: false }
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
                optional: false,
            }
        }
        None => Row {
            entry: "newest backup".into(),
            ok: false,
            detail: format!("no backups in {}", dir.display()),
            fix: "prisma-guard backup".into(),
            optional: false,
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
                optional: false,
            }
        }
        Err(_) => Row {
            entry,
            ok: false,
            detail: format!("{} does not exist yet", dir.display()),
            fix: "prisma-guard backup".into(),
            optional: false,
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
        let mark = match (r.ok, r.optional) {
            (true, _) => "ok ",
            (false, true) => "-  ",
            (false, false) => "GAP",
        };
        println!("{mark}  {:<width$}  {}", r.entry, r.detail);
        if !r.ok && !r.fix.is_empty() {
            println!("     {:<width$}  fix: {}", "", r.fix);
        }
    }
}

#[cfg(test)]
mod database_fix_tests {
    #[test]
    fn a_missing_module_is_installed_not_a_variable_set() {
        let fix = super::database_fix(
            "could not read prisma.config.ts: Error: Cannot find module 'dotenv/config'",
            "DATABASE_URL",
        );
        assert!(fix.starts_with("install dotenv,"), "{fix}");
        let fix = super::database_fix("Cannot find package '@acme/env/load' imported from x", "DATABASE_URL");
        assert!(fix.starts_with("install @acme/env,"), "{fix}");
        assert!(super::database_fix("DATABASE_URL is not set", "DATABASE_URL").starts_with("set DATABASE_URL"));
    }
}
