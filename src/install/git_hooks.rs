//! Git hooks: find the hooks folder as git does (worktrees share the common dir's hooks;
//! `core.hooksPath`, relative to the working tree), write the `hooks/` templates, keep
//! foreign hooks (moved aside and chained), and hand over to husky or lefthook when they
//! manage the hooks.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;

pub const MARKER: &str = "# prisma-guard hook v1";
pub const HOOKS: &[(&str, &str, &str)] = &[
    ("pre-commit", include_str!("../../hooks/pre-commit"), "prisma-guard scan --staged"),
    ("pre-push", include_str!("../../hooks/pre-push"), "prisma-guard scan --pre-push"),
];
const CHAINED_SUFFIX: &str = ".prisma-guard-chained";
const HUSKY_LINE_MARK: &str = "# prisma-guard";

/// Who runs the repository's hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    /// Plain git: our own scripts in a hooks folder of this clone (`.git/hooks`).
    Git { dir: PathBuf },
    /// A hooks folder committed with the repository (`core.hooksPath = .githooks`): the
    /// team's scripts stay, ours is a line in them that works for every teammate.
    Committed { dir: PathBuf },
    /// husky: user scripts in `.husky/<hook>` (v9: core.hooksPath = .husky/_; v8: .husky;
    /// or husky in package.json, before its first install).
    Husky { dir: PathBuf },
    /// lefthook: its config at the root (yml, yaml, json, toml, or .config/lefthook.yml).
    Lefthook { config: PathBuf },
    /// The pre-commit framework (`.pre-commit-config.yaml`): our hooks are entries there.
    PreCommit { config: PathBuf },
}

/// lefthook's config files, in the order lefthook reads them.
const LEFTHOOK_CONFIGS: &[&str] = &[
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
    ".config/lefthook.yml",
    ".config/lefthook.yaml",
    "lefthook.json",
    ".lefthook.json",
    "lefthook.toml",
    ".lefthook.toml",
];

/// Whether the repository uses husky: its folder, or husky in package.json.
fn uses_husky(workdir: &Path) -> bool {
    if workdir.join(".husky").is_dir() {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(workdir.join("package.json")) else { return false };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&text)) else {
        return false;
    };
    ["devDependencies", "dependencies"].iter().any(|k| json[k].get("husky").is_some())
        || json["scripts"]["prepare"].as_str().is_some_and(|p| p.contains("husky"))
}

pub struct Repo {
    pub workdir: PathBuf,
    pub manager: Manager,
    /// core.hooksPath points outside the repository.
    pub outside: Option<PathBuf>,
}

/// Locate the repository holding `cwd` and how its hooks run.
pub fn locate(cwd: &Path) -> Result<Repo> {
    let repo = git2::Repository::discover(cwd).map_err(|_| {
        Failure::usage(format!("{} is not inside a git repository", cwd.display()))
            .hint("run `git init` first, or run this inside the project's repository")
    })?;
    let workdir = repo
        .workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| Failure::usage("this is a bare repository; hooks belong in a clone with a working tree"))?;
    let workdir = workdir.canonicalize().unwrap_or(workdir);
    for name in LEFTHOOK_CONFIGS {
        let p = workdir.join(name);
        if p.is_file() {
            return Ok(Repo { workdir, manager: Manager::Lefthook { config: p }, outside: None });
        }
    }
    let pre_commit = workdir.join(".pre-commit-config.yaml");
    if pre_commit.is_file() {
        return Ok(Repo { workdir, manager: Manager::PreCommit { config: pre_commit }, outside: None });
    }
    let config = repo.config().context("could not read the git config")?;
    let hooks_path = config.get_path("core.hooksPath").ok();
    let (dir, outside) = match hooks_path {
        Some(p) => {
            let abs = if p.is_absolute() { p } else { workdir.join(p) };
            let norm = normalize(&abs);
            let common = repo.commondir().canonicalize().unwrap_or_else(|_| repo.commondir().to_path_buf());
            let inside = norm.starts_with(&workdir) || norm.starts_with(&common);
            (norm.clone(), (!inside).then_some(norm))
        }
        None => (repo.commondir().join("hooks"), None),
    };
    let common = repo.commondir().canonicalize().unwrap_or_else(|_| repo.commondir().to_path_buf());
    let in_git_dir = normalize(&dir).starts_with(&common);
    let manager = if dir.ends_with(".husky/_") {
        Manager::Husky { dir: dir.parent().map(Path::to_path_buf).unwrap_or(dir) }
    } else if dir.ends_with(".husky") || (in_git_dir && uses_husky(&workdir)) {
        // husky v8, or husky not installed yet (its `prepare` will point git at .husky/_).
        Manager::Husky { dir: workdir.join(".husky") }
    } else if outside.is_none() && !in_git_dir && normalize(&dir).starts_with(&workdir) {
        Manager::Committed { dir }
    } else {
        Manager::Git { dir }
    };
    Ok(Repo { workdir, manager, outside })
}

fn normalize(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| crate::config::lexical_normalize(p))
}

/// One line of what install/uninstall did (or would do).
pub type Changes = Vec<String>;

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().take(3).any(|l| l.starts_with(MARKER)))
}

fn template(body: &str) -> String {
    let exe = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    let exe = exe.map(|p| crate::shell::quote(&p.to_string_lossy())).unwrap_or_else(|| "prisma-guard".into());
    body.replace("@PRISMA_GUARD@", &exe)
}

fn write_exec(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
    }
    crate::backup::store::io::write_atomic(path, text.as_bytes())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("could not make {} executable", path.display()))?;
    Ok(())
}

/// The line that marks a chained script of ours that calls the global hook.
const GLOBAL_CHAIN_MARK: &str = "# prisma-guard: calls the global hook, which this repository's core.hooksPath hides";

/// The hook `name` of a core.hooksPath set in the user's or the system's git configuration,
/// when this repository's own setting points git elsewhere (`dir`).
fn global_hook(workdir: &Path, dir: &Path, name: &str) -> Option<PathBuf> {
    let repo = git2::Repository::open(workdir).ok()?;
    let config = repo.config().ok()?;
    let levels = [git2::ConfigLevel::Global, git2::ConfigLevel::XDG, git2::ConfigLevel::System];
    levels.iter().find_map(|level| {
        let global = config.open_level(*level).ok()?.get_path("core.hooksPath").ok()?;
        let hook = global.join(name);
        (global.is_absolute() && normalize(&global) != normalize(dir) && hook.is_file()).then_some(hook)
    })
}

/// Write `text` over the file at `path`, leaving its permissions as they were.
fn write_keeping_mode(path: &Path, text: &str) -> Result<()> {
    let before = std::fs::metadata(path).map(|m| m.permissions()).ok();
    crate::backup::store::io::write_atomic(path, text.as_bytes())?;
    if let Some(p) = before {
        std::fs::set_permissions(path, p).with_context(|| format!("could not set the mode of {}", path.display()))?;
    }
    Ok(())
}

/// Put back the mode git records for a tracked hook script (`install` may have made it
/// executable for git to run it): the file is then as the team committed it.
fn restore_committed_mode(workdir: &Path, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(repo) = git2::Repository::open(workdir) else { return Ok(()) };
    let Ok(index) = repo.index() else { return Ok(()) };
    let Ok(rel) = path.strip_prefix(workdir) else { return Ok(()) };
    let Some(entry) = index.get_path(rel, 0) else { return Ok(()) };
    let mode = if entry.mode & 0o111 != 0 { 0o755 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("could not set the mode of {}", path.display()))
}

/// Whether git runs husky's scripts in `.husky/` itself (husky 8: core.hooksPath = .husky),
/// rather than husky 9's runner in `.husky/_` running them with `sh`.
fn husky_runs_scripts_directly(repo: &Repo) -> bool {
    let Manager::Husky { dir } = &repo.manager else { return false };
    let Ok(git) = git2::Repository::open(&repo.workdir) else { return false };
    let Ok(configured) = git.config().and_then(|c| c.get_path("core.hooksPath")) else { return false };
    let at = if configured.is_absolute() { configured } else { repo.workdir.join(configured) };
    normalize(&at) == normalize(dir)
}

pub fn install(repo: &Repo, force: bool) -> Result<Changes> {
    if let Some(outside) = &repo.outside {
        if !force {
            return Err(Failure::usage(format!(
                "core.hooksPath points outside this repository ({}); installing there would affect every repository using it",
                outside.display()
            ))
            .hint("run `git config --local core.hooksPath .git/hooks` for this repository (prisma-guard's hooks there call the global ones), or pass --force to install there anyway")
            .into());
        }
    }
    let mut changes = Vec::new();
    match &repo.manager {
        Manager::Git { dir } => {
            for (name, body, _) in HOOKS {
                let path = dir.join(name);
                let text = template(body);
                if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
                    continue;
                }
                // A global core.hooksPath this repository's own setting now hides: its hook
                // would stop running here, so ours calls it, as it calls a foreign hook.
                let aside = dir.join(format!("{name}{CHAINED_SUFFIX}"));
                if !path.exists() && !aside.exists() {
                    if let Some(global) = global_hook(&repo.workdir, dir, name) {
                        let quoted = crate::shell::quote(&global.to_string_lossy());
                        write_exec(&aside, &format!("#!/bin/sh\n{GLOBAL_CHAIN_MARK}\nexec {quoted} \"$@\"\n"))?;
                        changes.push(format!(
                            "the global {name} hook ({}) no longer runs here by itself: prisma-guard's {name} hook calls it first",
                            global.display()
                        ));
                    }
                }
                if path.exists() && !is_ours(&path) {
                    if aside.exists() {
                        return Err(Failure::new(format!(
                            "{} exists and so does {}; not overwriting either",
                            path.display(),
                            aside.display()
                        ))
                        .hint("merge the two by hand, then run `prisma-guard hooks install` again")
                        .into());
                    }
                    std::fs::rename(&path, &aside)
                        .with_context(|| format!("could not move {} aside", path.display()))?;
                    changes
                        .push(format!("moved the existing {name} hook to {} (it still runs first)", aside.display()));
                }
                write_exec(&path, &text)?;
                changes.push(format!("installed {}", path.display()));
            }
        }
        Manager::Husky { dir } | Manager::Committed { dir } => {
            let who = match &repo.manager {
                Manager::Husky { .. } => "husky manages the hooks",
                _ => "the repository's committed hooks folder",
            };
            // git runs a committed folder's or husky 8's scripts itself, which needs them
            // executable; husky 9 runs them with `sh`, so their mode stays as the team has it.
            let direct = matches!(repo.manager, Manager::Committed { .. }) || husky_runs_scripts_directly(repo);
            // A hook in another language (git runs it by its shebang) cannot take a shell
            // line: refuse before changing anything, and say what to add in its language.
            for (name, _, command) in HOOKS {
                let path = dir.join(name);
                if let Some(interpreter) = foreign_language(repo, &path) {
                    let (detail, fix) = foreign_language_advice(&path, &interpreter, command);
                    return Err(Failure::new(detail).hint(fix).into());
                }
            }
            for (name, _, command) in HOOKS {
                let path = dir.join(name);
                let existing = std::fs::read_to_string(&path).ok();
                let Some(text) = add_line(existing.as_deref(), dir, command) else { continue };
                match (existing.is_some(), direct) {
                    (true, false) => write_keeping_mode(&path, &text)?,
                    _ => write_exec(&path, &text)?,
                }
                changes.push(format!("{who}: added `{command}` to {} (it works for every teammate who has prisma-guard, and tells the others how to get it)", path.display()));
            }
        }
        Manager::PreCommit { config } => {
            let text =
                std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
            match pre_commit_add(&text) {
                Some(updated) if updated != text => {
                    crate::backup::store::io::write_atomic(config, updated.as_bytes())?;
                    changes.push(format!(
                        "the pre-commit framework manages the hooks: added prisma-guard's hooks to {} (run `pre-commit install` if it is not installed)",
                        config.display()
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(Failure::new(format!(
                        "the pre-commit framework manages this repository's hooks, and {} is not laid out so that prisma-guard can add its entry safely",
                        config.display()
                    ))
                    .hint(format!("add this to its `repos:` list by hand, then run `pre-commit install`:\n{}", pre_commit_entry("  ")))
                    .into());
                }
            }
        }
        Manager::Lefthook { config } => {
            let text =
                std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
            let updated = lefthook_edit(config, &text, true)?;
            if updated != text {
                crate::backup::store::io::write_atomic(config, updated.as_bytes())?;
                changes.push(format!(
                    "lefthook manages the hooks: added prisma-guard to {} (run `lefthook install` if it is not installed)",
                    config.display()
                ));
            }
        }
    }
    Ok(changes)
}

pub fn uninstall(repo: &Repo) -> Result<Changes> {
    let mut changes = Vec::new();
    match &repo.manager {
        Manager::Git { dir } => {
            for (name, _, _) in HOOKS {
                let path = dir.join(name);
                let aside = dir.join(format!("{name}{CHAINED_SUFFIX}"));
                if is_ours(&path) {
                    std::fs::remove_file(&path).with_context(|| format!("could not remove {}", path.display()))?;
                    changes.push(format!("removed {}", path.display()));
                }
                let calls_global = std::fs::read_to_string(&aside).is_ok_and(|t| t.contains(GLOBAL_CHAIN_MARK));
                if calls_global {
                    std::fs::remove_file(&aside).with_context(|| format!("could not remove {}", aside.display()))?;
                    changes.push(format!("removed {}", aside.display()));
                } else if aside.exists() && !path.exists() {
                    std::fs::rename(&aside, &path).with_context(|| format!("could not restore {}", aside.display()))?;
                    changes.push(format!("restored the original {name} hook"));
                }
            }
        }
        Manager::Husky { dir } | Manager::Committed { dir } => {
            for (name, _, _) in HOOKS {
                let path = dir.join(name);
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let Some(kept) = remove_line(&text) else { continue };
                if kept.is_empty() {
                    std::fs::remove_file(&path)?;
                } else {
                    write_keeping_mode(&path, &kept)?;
                    restore_committed_mode(&repo.workdir, &path)?;
                }
                changes.push(format!("removed prisma-guard from {}", path.display()));
            }
        }
        Manager::PreCommit { config } => {
            let text = std::fs::read_to_string(config)?;
            let updated = pre_commit_remove(&text);
            if updated != text {
                crate::backup::store::io::write_atomic(config, updated.as_bytes())?;
                changes.push(format!("removed prisma-guard from {}", config.display()));
            }
        }
        Manager::Lefthook { config } => {
            let text = std::fs::read_to_string(config)?;
            let updated = lefthook_edit(config, &text, false)?;
            if updated != text {
                crate::backup::store::io::write_atomic(config, updated.as_bytes())?;
                changes.push(format!("removed prisma-guard from {}", config.display()));
            }
        }
    }
    Ok(changes)
}

/// The command that installs the hooks here: with a core.hooksPath outside the repository
/// (a global hooks folder), plain `hooks install` refuses, so say what works.
pub fn install_hint(repo: &Repo) -> String {
    let configured =
        |config: &Path| std::fs::read_to_string(config).is_ok_and(|t| HOOKS.iter().all(|(_, _, c)| t.contains(c)));
    match (&repo.outside, &repo.manager) {
        // Configured: what is missing is the manager's own install.
        (None, Manager::Lefthook { config }) if configured(config) => "lefthook install".into(),
        (None, Manager::PreCommit { config }) if std::fs::read_to_string(config).is_ok_and(|t| t.contains(HOOKS[0].2)) => {
            "pre-commit install".into()
        }
        (None, Manager::Husky { .. }) if husky_missing_here(&repo.workdir).is_some() => {
            "npx husky (in this working tree), then prisma-guard hooks install".into()
        }
        (Some(_), _) => "git config --local core.hooksPath .git/hooks && prisma-guard hooks install (its hooks call the global ones; or `prisma-guard hooks install --force` to install into the global folder)".into(),
        (None, _) => "prisma-guard hooks install".into(),
    }
}

/// Whether any of prisma-guard's hooks is there, whether or not git runs it (what uninstall
/// takes out).
pub fn installed(repo: &Repo) -> bool {
    let holds = |p: &Path, what: &str| std::fs::read_to_string(p).is_ok_and(|t| t.contains(what));
    HOOKS.iter().any(|(name, _, command)| match &repo.manager {
        Manager::Git { dir } => is_ours(&dir.join(name)),
        Manager::Husky { dir } | Manager::Committed { dir } => holds(&dir.join(name), HUSKY_LINE_MARK),
        Manager::Lefthook { config } | Manager::PreCommit { config } => holds(config, command),
    })
}

/// One hook as `hooks status` and `doctor` show it: whether git runs prisma-guard's scan for
/// it, where and how, and what to do when it does not.
#[derive(Debug, Clone)]
pub struct HookStatus {
    pub hook: &'static str,
    pub ok: bool,
    pub detail: String,
    pub fix: String,
}

/// One row per hook.
pub fn status(repo: &Repo) -> Vec<HookStatus> {
    HOOKS
        .iter()
        .map(|(name, _, command)| {
            let row = |ok: bool, detail: String| HookStatus { hook: name, ok, detail, fix: install_hint(repo) };
            match &repo.manager {
                Manager::Git { dir } => {
                    let p = dir.join(name);
                    let state = if is_ours(&p) {
                        if dir.join(format!("{name}{CHAINED_SUFFIX}")).exists() {
                            "installed (chains the previous hook)".to_string()
                        } else {
                            "installed".to_string()
                        }
                    } else if p.exists() {
                        "missing (a foreign hook is there)".to_string()
                    } else {
                        "missing".to_string()
                    };
                    row(is_ours(&p), format!("{}: {state}", p.display()))
                }
                Manager::Husky { dir } if husky_not_run(&repo.workdir, dir).is_some() => {
                    let (why, fix) = husky_not_run(&repo.workdir, dir).unwrap_or_default();
                    let p = dir.join(name);
                    HookStatus {
                        hook: name,
                        ok: false,
                        detail: format!("{} (husky): git runs no {name} hook in this working tree: {why}", p.display()),
                        fix,
                    }
                }
                Manager::Committed { dir } if husky_missing_here(&repo.workdir).is_some() => {
                    let why = husky_missing_here(&repo.workdir).unwrap_or_default();
                    row(false, format!("{}: git runs no {name} hook in this working tree: {why}", dir.join(name).display()))
                }
                Manager::Husky { dir } | Manager::Committed { dir } if foreign_language(repo, &dir.join(name)).is_some() => {
                    let p = dir.join(name);
                    let interpreter = foreign_language(repo, &p).unwrap_or_default();
                    // The team called prisma-guard from it themselves, as the advice says.
                    if std::fs::read_to_string(&p).is_ok_and(|t| t.contains(command)) {
                        let detail = format!("{}: a {interpreter} script that calls `{command}` (prisma-guard does not edit it)", p.display());
                        return HookStatus { hook: name, ok: true, detail, fix: String::new() };
                    }
                    let (detail, fix) = foreign_language_advice(&p, &interpreter, command);
                    HookStatus { hook: name, ok: false, detail, fix }
                }
                Manager::Husky { dir } | Manager::Committed { dir } => {
                    let p = dir.join(name);
                    let text = std::fs::read_to_string(&p).ok();
                    let there = text.as_deref().is_some_and(|t| t.contains(command));
                    // An older line, or one placed after the team's own code (which may end
                    // the hook before it, or read git's input first), is out of date.
                    let current = there && add_line(text.as_deref(), dir, command).is_none();
                    let who = if matches!(repo.manager, Manager::Husky { .. }) { "husky" } else { "committed" };
                    let state = match (there, current) {
                        (true, true) => "runs prisma-guard",
                        (true, false) => {
                            "prisma-guard's line is out of date or not first (run `prisma-guard hooks install`)"
                        }
                        _ => "missing",
                    };
                    row(current, format!("{} ({who}): {state}", p.display()))
                }
                Manager::Lefthook { config } => lefthook_status(repo, config, name, command),
                Manager::PreCommit { config } if *name == "pre-push" => row(
                    true,
                    format!("{} (pre-commit framework): pushes are not scanned here; the CI template scans them (docs/ci.md)", config.display()),
                ),
                Manager::PreCommit { config } => {
                    let configured = std::fs::read_to_string(config).is_ok_and(|t| t.contains(command));
                    let installed = installed_by(&repo.workdir, name, "pre-commit");
                    // `pre-commit install -c other.yaml` writes a hook that reads that file.
                    let runs = pre_commit_hook_config(&repo.workdir, name);
                    let elsewhere = runs.as_ref().filter(|c| normalize(&repo.workdir.join(c)) != normalize(config));
                    let elsewhere_has_us = elsewhere
                        .is_some_and(|c| std::fs::read_to_string(repo.workdir.join(c)).is_ok_and(|t| t.contains(command)));
                    let state = match (configured, installed, elsewhere) {
                        (_, true, Some(other)) if !elsewhere_has_us => format!(
                            "git's {name} hook runs the pre-commit framework with {other}, which does not run prisma-guard (run `pre-commit install` to point it back at {})",
                            config.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
                        ),
                        (true, true, _) => "runs prisma-guard".into(),
                        (true, false, _) => "configured, but the pre-commit framework has not installed the git hook (run `pre-commit install`)".into(),
                        _ => "missing".into(),
                    };
                    let ok = configured && installed && (elsewhere.is_none() || elsewhere_has_us);
                    row(ok, format!("{} (pre-commit framework): {state}", config.display()))
                }
            }
        })
        .collect()
}

fn lefthook_status(repo: &Repo, config: &Path, name: &'static str, command: &str) -> HookStatus {
    let configured = std::fs::read_to_string(config).is_ok_and(|t| t.contains(command));
    // lefthook runs nothing until `lefthook install` wrote git's hook, and that hook runs
    // nothing when it cannot find lefthook.
    let installed = installed_by(&repo.workdir, name, "lefthook");
    let skipped = lefthook_skips(&repo.workdir, config, name);
    let found = lefthook_binary(&repo.workdir);
    let shown = config.display();
    let (ok, state, fix) = match (configured, installed, skipped, found) {
        (true, _, Some((why, fix)), _) => (false, format!("configured, but {why}"), fix),
        (true, true, None, Some(_)) => (true, "runs prisma-guard".into(), String::new()),
        (true, true, None, None) => (
            false,
            format!(
                "configured, but lefthook's git hook cannot find lefthook in this working tree (not on PATH, not in {}/node_modules, no LEFTHOOK_BIN), so it runs nothing",
                repo.workdir.display()
            ),
            "npm install (in this working tree), or put lefthook on PATH".into(),
        ),
        (true, false, None, _) => (
            false,
            "configured, but lefthook has not installed the git hook (run `lefthook install`)".into(),
            install_hint(repo),
        ),
        _ => (false, "missing".into(), install_hint(repo)),
    };
    HookStatus { hook: name, ok, detail: format!("{shown} (lefthook): {state}"), fix }
}

/// The lefthook that lefthook's generated git hook would run here, looked for as that hook
/// looks for it (its `call_lefthook`): `$LEFTHOOK_BIN`, `lefthook` on PATH, then the npm
/// packages in the working tree's node_modules.
fn lefthook_binary(workdir: &Path) -> Option<PathBuf> {
    // The hook reads LEFTHOOK_BIN from the environment git runs it in: this one.
    if let Some(bin) = std::env::var_os("LEFTHOOK_BIN").filter(|b| !b.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    if let Ok(p) = which::which("lefthook") {
        return Some(p);
    }
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        a => a,
    };
    let modules = workdir.join("node_modules");
    [
        format!("lefthook-{os}-{arch}/bin/lefthook"),
        format!("@evilmartians/lefthook/bin/lefthook-{os}-{arch}/lefthook"),
        "@evilmartians/lefthook-installer/bin/lefthook".into(),
        "lefthook/bin/index.js".into(),
    ]
    .iter()
    .map(|rel| modules.join(rel))
    .find(|p| p.is_file())
}

/// When this repository's git hooks run only while node_modules holds their runner: lefthook's
/// hook, finding no lefthook on PATH, looks in the working tree's node_modules, and without
/// it lets every commit through. That folder, and the runner.
pub fn hooks_need_node_modules(cwd: &Path) -> Option<(PathBuf, String)> {
    let repo = locate(cwd).ok()?;
    let Manager::Lefthook { .. } = repo.manager else { return None };
    if !HOOKS.iter().any(|(name, _, _)| installed_by(&repo.workdir, name, "lefthook")) {
        return None;
    }
    let modules = repo.workdir.join("node_modules");
    lefthook_binary(&repo.workdir).filter(|b| b.starts_with(&modules)).map(|_| (modules, "lefthook".to_string()))
}

/// Why git runs no hook of husky's in the working tree `workdir` (husky's folder `dir`), and
/// what to do: husky 9 needs core.hooksPath at `.husky/_` and that folder made by its install
/// (both come from `npm install`, whose `prepare` runs husky); husky 8 points it at `.husky`.
fn husky_not_run(workdir: &Path, dir: &Path) -> Option<(String, String)> {
    let fix = "npm install (its `prepare` script runs husky), or `npx husky`".to_string();
    let repo = git2::Repository::open(workdir).ok()?;
    let Ok(configured) = repo.config().and_then(|c| c.get_path("core.hooksPath")) else {
        return Some(("core.hooksPath is not set, so git runs .git/hooks, not husky's (husky has not been installed in this clone)".into(), fix));
    };
    let at = normalize(&if configured.is_absolute() { configured.clone() } else { workdir.join(&configured) });
    if at == normalize(dir) {
        return None; // husky 8
    }
    if at == normalize(&dir.join("_")) {
        if dir.join("_").is_dir() {
            return None;
        }
        return Some((
            format!("core.hooksPath is {}, which does not exist here", configured.display()),
            "npx husky (in this working tree), then prisma-guard hooks install".into(),
        ));
    }
    Some((format!("core.hooksPath is {}, not husky's {}/_", configured.display(), dir.display()), fix))
}

/// lefthook's local config files (merged over the main one, usually git-ignored).
const LEFTHOOK_LOCAL_CONFIGS: &[&str] = &[
    "lefthook-local.yml",
    "lefthook-local.yaml",
    ".lefthook-local.yml",
    ".lefthook-local.yaml",
    ".config/lefthook-local.yml",
    ".config/lefthook-local.yaml",
    "lefthook-local.json",
    ".lefthook-local.json",
    "lefthook-local.toml",
    ".lefthook-local.toml",
];

/// Why lefthook would not run prisma-guard's command in `hook`, when a setting in the main or
/// a local config skips it: `skip` (any value but false: conditional skips skip too),
/// `only`, `exclude_tags` or `exclude` on the hook or our command, or a local entry for our
/// command (it overrides what `hooks install` wrote). A config that cannot be read says so.
fn lefthook_skips(workdir: &Path, config: &Path, hook: &str) -> Option<(String, String)> {
    let files = std::iter::once(config.to_path_buf()).chain(LEFTHOOK_LOCAL_CONFIGS.iter().map(|n| workdir.join(n)));
    for (k, path) in files.enumerate() {
        let local = k > 0;
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let parsed = if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text).map_err(|e| e.to_string())
        } else if name.ends_with(".toml") {
            toml::from_str::<toml::Value>(&text)
                .map_err(|e| e.to_string())
                .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
        } else {
            crate::scan::extract::yaml_to_json(&text)
        };
        let shown = path.strip_prefix(workdir).unwrap_or(&path).display().to_string();
        let v = match parsed {
            Ok(v) => v,
            Err(e) => {
                return Some((
                    format!("{shown} cannot be read ({e}), so whether it skips prisma-guard cannot be told"),
                    format!("correct {shown} so that lefthook can read it"),
                ))
            }
        };
        let h = &v[hook];
        let set = |v: &serde_json::Value| match v {
            serde_json::Value::Null | serde_json::Value::Bool(false) => false,
            serde_json::Value::String(s) => !s.is_empty() && s != "false",
            _ => true,
        };
        for key in ["skip", "only", "exclude_tags", "exclude"] {
            if set(&h[key]) {
                return Some((
                    format!("{shown} sets `{key}` on {hook}, so lefthook may skip it (take it out)"),
                    format!("take `{key}` out of `{hook}:` in {shown}"),
                ));
            }
        }
        let ours = &h["commands"]["prisma-guard"];
        for key in ["skip", "only", "exclude_tags", "exclude", "glob", "files"] {
            if set(&ours[key]) {
                return Some((
                    format!("{shown} sets `{key}` on prisma-guard's command, so lefthook may skip it (take it out)"),
                    format!("take `{key}` out of `{hook}: commands: prisma-guard:` in {shown}"),
                ));
            }
        }
        if local && !ours.is_null() {
            return Some((
                format!("{shown} overrides prisma-guard's command for {hook} (take that entry out)"),
                format!("take `{hook}: commands: prisma-guard:` out of {shown}"),
            ));
        }
    }
    None
}

/// Why git runs no hooks in the working tree `workdir`, when core.hooksPath is relative and
/// names a folder missing there: husky's `.husky/_` is git-ignored and made by its install,
/// so a new linked worktree (`git worktree add`) has none until husky runs in it.
pub fn husky_missing_here(workdir: &Path) -> Option<String> {
    let repo = git2::Repository::open(workdir).ok()?;
    let configured = repo.config().ok()?.get_path("core.hooksPath").ok()?;
    if configured.is_absolute() {
        return None;
    }
    let dir = workdir.join(&configured);
    if dir.is_dir() {
        return None;
    }
    let fix = if configured.starts_with(".husky") { "run `npx husky` here to make it" } else { "restore it" };
    Some(format!("core.hooksPath is {}, which does not exist here ({fix})", configured.display()))
}

/// The config file the pre-commit framework's git hook reads (`--config=X` in the script
/// `pre-commit install -c X` wrote), relative to the working tree.
fn pre_commit_hook_config(workdir: &Path, hook: &str) -> Option<String> {
    let text = std::fs::read_to_string(git_hooks_dir(workdir)?.join(hook)).ok()?;
    let at = text.find("--config=")? + "--config=".len();
    let value: String =
        text[at..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '"' | '\'')).collect();
    (!value.is_empty()).then_some(value)
}

/// The folder git runs hooks from: core.hooksPath (relative to the working tree), else the
/// common dir's `hooks`.
fn git_hooks_dir(workdir: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::open(workdir).ok()?;
    let configured = repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok());
    Some(
        configured
            .map(|p| if p.is_absolute() { p } else { workdir.join(p) })
            .unwrap_or_else(|| repo.commondir().join("hooks")),
    )
}

/// Whether git's own `hook` script (in the folder git runs hooks from) was written by `tool`.
fn installed_by(workdir: &Path, hook: &str, tool: &str) -> bool {
    let Some(dir) = git_hooks_dir(workdir) else { return false };
    std::fs::read_to_string(dir.join(hook)).is_ok_and(|t| t.contains(tool))
}

/// The line our hooks add to a husky or committed hook script: prisma-guard from PATH (husky
/// puts node_modules/.bin there), and for a teammate without it, what to do; a failed scan
/// ends the hook (a script without `set -e` would go on to its own `exit 0`); marked for
/// uninstall.
///
/// pre-push: git's ref lines arrive on stdin once, and a team's own pre-push (`while read
/// ...`, `git lfs pre-push "$@"`) reads them too. Our line runs first and keeps a copy: the
/// input goes to a temporary file, the rest of the script reads it from there (`exec <`),
/// and the scan reads its own copy.
fn hook_line(command: &str) -> String {
    let missing = |cleanup: &str| {
        format!("command -v prisma-guard >/dev/null 2>&1 || {{ echo \"prisma-guard is not installed, so this repository's hook cannot check your change: install it (see prisma-guard's README), then try again\" >&2; {cleanup}exit 1; }}")
    };
    if command.ends_with("--pre-push") {
        let missing = missing("rm -f \"$pg_in\"; ");
        return format!(
            "pg_in=$(mktemp) || exit 1; cat >\"$pg_in\"; exec <\"$pg_in\"; {missing}; {command} <\"$pg_in\" || {{ pg_status=$?; rm -f \"$pg_in\"; exit $pg_status; }}; rm -f \"$pg_in\" {HUSKY_LINE_MARK}"
        );
    }
    format!("{}; {command} || exit $? {HUSKY_LINE_MARK}", missing(""))
}

/// Whether a line of a hook script only sets it up: shebang, comment, blank, husky 8's
/// helper.
fn is_header(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t.contains("_/husky.sh")
}

/// The hook script with our line added first, after the header (a shebang, comments,
/// husky 8's helper), so that no `exit`, `exec` or branch of the team's code can end the hook
/// before it; a new file gets a shebang. `None` when it is there already as it should be. A
/// line of an older form, or in the wrong place, is put right.
fn add_line(existing: Option<&str>, dir: &Path, command: &str) -> Option<String> {
    let line = hook_line(command);
    match existing {
        Some(text) if text.contains(HUSKY_LINE_MARK) => {
            if first_command(text) == Some(line.as_str()) {
                return None;
            }
            let kept = remove_line(text).unwrap_or_default();
            match kept.is_empty() {
                true => add_line(None, dir, command),
                false => add_line(Some(&kept), dir, command),
            }
        }
        Some(text) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let at = lines.iter().position(|l| !is_header(l)).unwrap_or(lines.len());
            let mut out = lines[..at].concat();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&line);
            out.push('\n');
            out.push_str(&lines[at..].concat());
            Some(out)
        }
        None => {
            // husky v8 scripts source its helper; v9 and plain folders need a shebang only.
            // husky 9 also writes a `_/husky.sh`, but one that prints a deprecation warning on
            // every commit (and fails in v10): its own runner `_/h` tells v9 from v8.
            let header = if dir.join("_/husky.sh").is_file() && !dir.join("_/h").is_file() {
                "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\n"
            } else {
                "#!/bin/sh\n"
            };
            Some(format!("{header}{line}\n"))
        }
    }
}

/// The interpreter of a hook script git runs by its shebang, when that is not a POSIX shell
/// (`#!/usr/bin/env python3`): prisma-guard's shell line cannot go into it. husky 9 runs
/// its scripts with `sh`, whatever their first line says.
fn foreign_language(repo: &Repo, path: &Path) -> Option<String> {
    let direct = matches!(repo.manager, Manager::Committed { .. }) || husky_runs_scripts_directly(repo);
    if !direct {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    interpreter(&text).filter(|i| !matches!(i.as_str(), "sh" | "bash" | "dash" | "zsh" | "ksh" | "mksh" | "ash"))
}

/// The program a script's shebang names (`env`'s operand for `#!/usr/bin/env X`); `None`
/// without a shebang (git runs such a script with `sh`).
fn interpreter(text: &str) -> Option<String> {
    let line = text.lines().next()?.strip_prefix("#!")?;
    let mut words = line.split_whitespace();
    let program = words.next()?.rsplit('/').next().unwrap_or_default();
    let program = match program {
        "env" => words.find(|w| !w.starts_with('-') && !w.contains('='))?,
        p => p,
    };
    Some(program.to_string())
}

/// What `hooks install` and `hooks status` say about a hook in another language.
fn foreign_language_advice(path: &Path, interpreter: &str, command: &str) -> (String, String) {
    (
        format!(
            "{} is a {interpreter} script: prisma-guard adds a shell line to hooks and does not edit one in another language",
            path.display()
        ),
        format!(
            "make it run `{command}` first and stop with its exit code when that fails (or turn it into a shell script that calls your {interpreter} code), then run `prisma-guard hooks status`"
        ),
    )
}

/// The first line of a hook script that runs something: the one that always runs.
fn first_command(text: &str) -> Option<&str> {
    text.lines().find(|l| !is_header(l))
}

/// The hook script without our line; `Some("")` when nothing of the user's is left;
/// `None` when our line is not there.
fn remove_line(text: &str) -> Option<String> {
    if !text.contains(HUSKY_LINE_MARK) {
        return None;
    }
    let kept: String = text.split_inclusive('\n').filter(|l| !l.contains(HUSKY_LINE_MARK)).collect();
    let only_header = kept.lines().all(|l| l.trim().is_empty() || l.starts_with("#!") || l.contains("_/husky.sh"));
    Some(if only_header { String::new() } else { kept })
}

/// What a teammate without prisma-guard reads when a committed lefthook or pre-commit
/// framework entry runs (no `'`, `: ` or ` #`, so it sits in YAML and `sh -c '...'` as is).
const NOT_INSTALLED: &str =
    "prisma-guard is not installed, so this hook cannot check your change; install it (see the prisma-guard README), then try again";

/// `command` for a shell, after making sure prisma-guard is there: without it, the message
/// and a failure (a scan that cannot run is no pass), not `prisma-guard: not found`.
pub fn guarded(command: &str) -> String {
    format!("command -v prisma-guard >/dev/null 2>&1 || {{ echo \"{NOT_INSTALLED}\" >&2; exit 1; }}; {command}")
}

/// Our entries for the pre-commit framework (`@I@`: the list's indent); `@E@`: the entry.
const PRE_COMMIT_ENTRY: &str = "@I@- repo: local\n@I@  hooks:\n@I@    - id: prisma-guard\n@I@      name: prisma-guard scan (staged)\n@I@      entry: @E@\n@I@      language: system\n@I@      pass_filenames: false\n@I@      always_run: true\n@I@      stages: [pre-commit]\n";

/// The pre-commit framework's entry: it runs the entry's words without a shell.
fn pre_commit_entry(indent: &str) -> String {
    let entry = format!("sh -c '{}'", guarded(&format!("exec {}", HOOKS[0].2)));
    PRE_COMMIT_ENTRY.replace("@I@", indent).replace("@E@", &entry)
}

/// `.pre-commit-config.yaml` with our local hooks appended to `repos:` when that list is the
/// file's last top-level key (the safe place to add to); `None` when it is not.
fn pre_commit_add(text: &str) -> Option<String> {
    if text.contains("prisma-guard scan") {
        return Some(text.to_string());
    }
    let top: Vec<(usize, &str)> =
        text.lines().enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with([' ', '#', '-'])).collect();
    let (_, last) = top.last()?;
    if last.trim_end() != "repos:" {
        return None;
    }
    // The list's indent, as its first item has it.
    let item =
        text.lines().skip_while(|l| l.trim_end() != "repos:").skip(1).find(|l| l.trim_start().starts_with("- "))?;
    let indent = &item[..item.len() - item.trim_start().len()];
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&pre_commit_entry(indent));
    Some(out)
}

fn pre_commit_remove(text: &str) -> String {
    for indent in ["", "  ", "    "] {
        let entry = pre_commit_entry(indent);
        if let Some(at) = text.find(&entry) {
            return format!("{}{}", &text[..at], &text[at + entry.len()..]);
        }
    }
    text.to_string()
}

/// A lefthook config with our commands added (`add`) or taken out, in its own format.
fn lefthook_edit(config: &Path, text: &str, add: bool) -> Result<String> {
    let name = config.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.ends_with(".json") {
        let bad = |e: String| Failure::new(format!("could not edit {}: {e}", config.display()));
        let mut doc = crate::install::jsonedit::Doc::new(text).map_err(bad)?;
        for (hook, _, command) in HOOKS {
            let path = [*hook, "commands"];
            if add {
                if !text.contains(command) {
                    let entry = match *hook {
                        "pre-push" => serde_json::json!({"run": guarded(command), "use_stdin": true}),
                        _ => serde_json::json!({"run": guarded(command)}),
                    };
                    doc.set(&path, "prisma-guard", &entry).map_err(bad)?;
                }
            } else if doc.remove(&path, "prisma-guard").map_err(bad)? {
                // Take out what only held our command.
                if doc.keys(&path).is_empty() {
                    doc.remove(&[*hook], "commands").map_err(bad)?;
                    if doc.keys(&[*hook]).is_empty() {
                        doc.remove(&[], hook).map_err(bad)?;
                    }
                }
            }
        }
        return Ok(doc.into_text());
    }
    if name.ends_with(".toml") {
        let mut out = text.to_string();
        for (hook, _, command) in HOOKS {
            let stdin = if *hook == "pre-push" { "use_stdin = true\n" } else { "" };
            let block = format!("\n[{hook}.commands.prisma-guard]\nrun = '{}'\n{stdin}", guarded(command));
            if add && !out.contains(command) {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&block);
            } else if !add {
                out = out.replace(&block, "");
            }
        }
        return Ok(out);
    }
    Ok(if add { lefthook_add(text) } else { lefthook_remove(text) })
}

/// Add prisma-guard commands under `pre-commit:` and `pre-push:` of a lefthook config,
/// without disturbing what is there.
pub fn lefthook_add(text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (hook, _, command) in HOOKS {
        if text.contains(command) {
            continue;
        }
        let stdin = if *hook == "pre-push" { "\n      use_stdin: true" } else { "" };
        let entry = format!("    prisma-guard:\n      run: {}{stdin}", guarded(command));
        match lines.iter().position(|l| l.trim_end() == format!("{hook}:")) {
            None => {
                if lines.last().is_some_and(|l| !l.trim().is_empty()) {
                    lines.push(String::new());
                }
                lines.push(format!("{hook}:"));
                lines.push("  commands:".into());
                lines.extend(entry.lines().map(str::to_string));
            }
            Some(at) => {
                // The hook's block: following lines that are indented or blank.
                let end = lines[at + 1..]
                    .iter()
                    .position(|l| !l.trim().is_empty() && !l.starts_with(' '))
                    .map_or(lines.len(), |n| at + 1 + n);
                match (at + 1..end).find(|&i| lines[i].trim_end() == "  commands:") {
                    Some(c) => {
                        for (k, l) in entry.lines().enumerate() {
                            lines.insert(c + 1 + k, l.to_string());
                        }
                    }
                    None => {
                        lines.insert(at + 1, "  commands:".into());
                        for (k, l) in entry.lines().enumerate() {
                            lines.insert(at + 2 + k, l.to_string());
                        }
                    }
                }
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

pub fn lefthook_remove(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() == "    prisma-guard:" {
            i += 1;
            while i < lines.len() && lines[i].starts_with("      ") {
                i += 1;
            }
            continue;
        }
        out.push(lines[i]);
        i += 1;
    }
    // Drop `commands:` / hook keys we left empty.
    let mut cleaned: Vec<&str> = Vec::new();
    for (k, l) in out.iter().enumerate() {
        let next = out.get(k + 1).copied().unwrap_or("");
        let next_indent = next.len() - next.trim_start().len();
        if l.trim_end() == "  commands:" && (next.trim().is_empty() || next_indent <= 2) {
            continue;
        }
        cleaned.push(l);
    }
    let mut result: Vec<&str> = Vec::new();
    for (k, l) in cleaned.iter().enumerate() {
        let next = cleaned.get(k + 1).copied().unwrap_or("");
        let is_hook_key = HOOKS.iter().any(|(h, _, _)| l.trim_end() == format!("{h}:"));
        if is_hook_key && (next.trim().is_empty() || !next.starts_with(' ')) {
            continue;
        }
        result.push(l);
    }
    while result.last().is_some_and(|l| l.trim().is_empty()) {
        result.pop();
    }
    let mut s = result.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lefthook_round_trip() {
        let original = "pre-commit:\n  parallel: true\n  commands:\n    lint:\n      run: npm run lint\n";
        let added = lefthook_add(original);
        assert_eq!(
            added,
            format!("pre-commit:\n  parallel: true\n  commands:\n    prisma-guard:\n      run: {}\n    lint:\n      run: npm run lint\n\npre-push:\n  commands:\n    prisma-guard:\n      run: {}\n      use_stdin: true\n", guarded("prisma-guard scan --staged"), guarded("prisma-guard scan --pre-push"))
        );
        assert_eq!(lefthook_add(&added), added, "idempotent");
        assert_eq!(lefthook_remove(&added), original);
        let bare = "pre-push:\n  parallel: true\n";
        let added = lefthook_add(bare);
        assert!(added.starts_with("pre-push:\n  commands:\n    prisma-guard:\n"), "{added}");
        assert_eq!(lefthook_remove(&added), "pre-push:\n  parallel: true\n");
    }

    #[test]
    fn ci_templates_match_what_install_writes() {
        let lefthook = include_str!("../../templates/ci/lefthook.yml");
        let body: String = lefthook.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
        let strip =
            |s: &str| s.lines().map(|l| l.split(" #").next().unwrap_or("").trim_end().to_string()).collect::<Vec<_>>();
        assert_eq!(strip(&lefthook_add("")), strip(body.trim_start()));
        for (name, _, command) in HOOKS {
            let husky = match *name {
                "pre-commit" => include_str!("../../templates/ci/husky-pre-commit"),
                _ => include_str!("../../templates/ci/husky-pre-push"),
            };
            assert!(
                husky.lines().any(|l| l == hook_line(command)),
                "{name}: the template holds the line install writes"
            );
        }
        let root = include_str!("../../.pre-commit-hooks.yaml");
        assert!(include_str!("../../templates/ci/pre-commit-hooks.yaml").ends_with(root));
    }

    /// Review (issue 22, round 2): husky 9 (`_/h` beside its deprecated `_/husky.sh`) gets
    /// hook scripts without the v8 lines it warns about; husky 8 keeps them.
    #[test]
    fn new_husky_hooks_use_the_installed_versions_format() {
        let dir = tempfile::tempdir().unwrap();
        let husky = dir.path();
        std::fs::create_dir_all(husky.join("_")).unwrap();
        std::fs::write(husky.join("_/husky.sh"), "echo deprecated").unwrap();
        let v8 = add_line(None, husky, "prisma-guard scan --staged").unwrap();
        assert!(v8.contains("_/husky.sh"), "{v8}");
        std::fs::write(husky.join("_/h"), "#!/usr/bin/env sh").unwrap();
        let v9 = add_line(None, husky, "prisma-guard scan --staged").unwrap();
        assert!(v9.starts_with("#!/bin/sh\n") && !v9.contains("husky.sh"), "{v9}");
    }

    /// Review (issue 22, second round): a team pre-push that reads git's input gets our line
    /// first, and an older line after the team's code is moved there.
    #[test]
    fn pre_push_line_runs_first_and_keeps_the_input_for_the_rest() {
        let dir = Path::new("/nonexistent");
        let team = "#!/bin/sh\n# team hook\nset -e\nwhile read l; do echo \"$l\"; done\n";
        let added = add_line(Some(team), dir, "prisma-guard scan --pre-push").unwrap();
        let first_code = added.lines().find(|l| !is_header(l)).unwrap();
        assert!(first_code.contains(HUSKY_LINE_MARK) && first_code.contains("exec <"), "{added}");
        assert!(added.ends_with("set -e\nwhile read l; do echo \"$l\"; done\n"), "{added}");
        assert_eq!(add_line(Some(&added), dir, "prisma-guard scan --pre-push"), None, "idempotent");
        let old = format!("{team}command -v prisma-guard >/dev/null 2>&1 || exit 1; prisma-guard scan --pre-push || exit $? {HUSKY_LINE_MARK}\n");
        assert_eq!(add_line(Some(&old), dir, "prisma-guard scan --pre-push").as_deref(), Some(added.as_str()));
        assert_eq!(remove_line(&added).as_deref(), Some(team));
    }

    #[test]
    fn templates_carry_the_marker() {
        for (_, body, command) in HOOKS {
            assert!(body.lines().nth(1).is_some_and(|l| l.starts_with(MARKER)));
            assert!(body.contains(command.trim_start_matches("prisma-guard ")));
        }
    }
}
