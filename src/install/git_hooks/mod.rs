//! Git hooks: find the hooks folder as git does (worktrees share the common dir's hooks;
//! `core.hooksPath`, relative to the working tree), write the `hooks/` templates, keep
//! foreign hooks (moved aside and chained), and hand over to husky or lefthook when they
//! manage the hooks.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;

pub mod clone;
mod husky;
mod lefthook;
mod pre_commit;
mod script;

pub use husky::husky_missing_here;
use husky::*;
pub use lefthook::hooks_need_node_modules;
use lefthook::*;
use pre_commit::*;
use script::*;

pub const MARKER: &str = "# prisma-guard hook v1";

pub const HOOKS: &[(&str, &str, &str)] = &[
    ("pre-commit", include_str!("../../../hooks/pre-commit"), "prisma-guard scan --staged"),
    ("pre-push", include_str!("../../../hooks/pre-push"), "prisma-guard scan --pre-push"),
];

const CHAINED_SUFFIX: &str = ".prisma-guard-chained";

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

pub struct Repo {
    pub workdir: PathBuf,
    pub manager: Manager,
    /// core.hooksPath points outside the repository.
    pub outside: Option<PathBuf>,
    /// The hooks folder every working tree shares (the common git dir's `hooks`), absolute.
    pub common_hooks: PathBuf,
    /// core.hooksPath names a folder inside `.git` relative to each working tree
    /// (`.git/hooks`), and this is a linked worktree, whose `.git` is a file: git looks for
    /// hooks in a folder that cannot exist here, so it runs none (the folder it names).
    pub unreachable_here: Option<PathBuf>,
}

impl Repo {
    /// The setting that works in every working tree: the shared hooks folder, absolute.
    pub fn shared_hooks_command(&self) -> String {
        format!("git config --local core.hooksPath {}", crate::shell::quote(&self.common_hooks.to_string_lossy()))
    }
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
    let common = repo.commondir().canonicalize().unwrap_or_else(|_| repo.commondir().to_path_buf());
    let common_hooks = common.join("hooks");
    let managed = |manager| Repo {
        workdir: workdir.clone(),
        manager,
        outside: None,
        common_hooks: common_hooks.clone(),
        unreachable_here: None,
    };
    for name in LEFTHOOK_CONFIGS {
        let p = workdir.join(name);
        if p.is_file() {
            return Ok(managed(Manager::Lefthook { config: p }));
        }
    }
    let pre_commit = workdir.join(".pre-commit-config.yaml");
    if pre_commit.is_file() {
        return Ok(managed(Manager::PreCommit { config: pre_commit }));
    }
    let config = repo.config().context("could not read the git config")?;
    let hooks_path = config.get_path("core.hooksPath").ok();
    // `.git/hooks` relative to a linked worktree, whose `.git` is a file: git finds no hook
    // there. Installing means the shared folder (where that setting points in the main
    // working tree); status says what to set so that this working tree runs them too.
    let gitfile = workdir.join(".git");
    let mut unreachable_here = None;
    let (dir, outside) = match hooks_path {
        Some(p) => {
            let abs = if p.is_absolute() { p } else { workdir.join(p) };
            let norm = normalize(&abs);
            if gitfile.is_file() && norm.starts_with(&gitfile) {
                unreachable_here = Some(norm);
                (common_hooks.clone(), None)
            } else {
                let inside = norm.starts_with(&workdir) || norm.starts_with(&common);
                (norm.clone(), (!inside).then_some(norm))
            }
        }
        None => (repo.commondir().join("hooks"), None),
    };
    let in_git_dir = normalize(&dir).starts_with(&common);
    let manager = if dir.ends_with(".husky/_") {
        Manager::Husky { dir: dir.parent().map(Path::to_path_buf).unwrap_or(dir) }
    } else if dir.ends_with(".husky") || (in_git_dir && uses_husky(&workdir)) {
        // husky v8, or husky not installed yet (its `prepare` will point git at .husky/_).
        Manager::Husky { dir: workdir.join(".husky") }
    } else if let Some(dir) = in_git_dir.then(|| husky_below_root(cwd, &workdir)).flatten() {
        // husky in a package below the root (`"prepare": "cd .. && husky app/.husky"`), not
        // installed yet: its `prepare` will point git at that folder's `_`.
        Manager::Husky { dir }
    } else if outside.is_none() && !in_git_dir && normalize(&dir).starts_with(&workdir) {
        Manager::Committed { dir }
    } else {
        Manager::Git { dir }
    };
    Ok(Repo { workdir, manager, outside, common_hooks, unreachable_here })
}

fn normalize(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| crate::config::lexical_normalize(p))
}

/// One line of what install/uninstall did (or would do).
pub type Changes = Vec<String>;

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().take(3).any(|l| l.starts_with(MARKER)))
}

/// Our hook script, calling this prisma-guard; installed from npm, the project's
/// `node_modules/.bin/prisma-guard` (relative: a path into the package manager's store would
/// change with every update).
fn template(body: &str) -> String {
    let exe = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    let exe = exe.map_or_else(
        || "prisma-guard".into(),
        |p| {
            if crate::install::shim::is_npm_platform_binary(&p) {
                crate::install::invoke::NPM_BIN.to_string()
            } else {
                crate::shell::quote(&p.to_string_lossy())
            }
        },
    );
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

/// Whether the file at `path` is executable (by its owner).
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
}

/// Whether git tracks the file at `path` (in the index of the repository at `workdir`).
fn tracked(workdir: &Path, path: &Path) -> bool {
    let Ok(repo) = git2::Repository::open(workdir) else { return false };
    let Ok(index) = repo.index() else { return false };
    path.strip_prefix(workdir).is_ok_and(|rel| index.get_path(rel, 0).is_some())
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

pub fn install(repo: &Repo, force: bool) -> Result<Changes> {
    if let Some(outside) = &repo.outside {
        if !force {
            return Err(Failure::usage(format!(
                "core.hooksPath points outside this repository ({}); installing there would affect every repository using it",
                outside.display()
            ))
            .hint(format!("run `{}` for this repository (the hooks folder every working tree of it shares; prisma-guard's hooks there call the global ones), then `prisma-guard hooks install`; or pass --force to install into the global folder anyway", repo.shared_hooks_command()))
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
                    (true, true) if !is_executable(&path) => {
                        write_exec(&path, &mark_not_executable(&text, command))?;
                    }
                    _ => write_exec(&path, &text)?,
                }
                changes.push(format!("{who}: added `{command}` to {} (it works for every teammate who has prisma-guard, and tells the others how to get it)", path.display()));
            }
            // Written, but git runs none of it here (a linked worktree without husky's `_`
            // folder, or husky not installed in this clone yet): say so, with the fix.
            if let Manager::Husky { dir } = &repo.manager {
                if let Some((why, fix)) = husky_not_run(&repo.workdir, dir) {
                    changes.push(format!("warning: git runs none of husky's hooks in this working tree yet ({why}): commits and pushes here are not scanned until you run {fix}"));
                }
            }
        }
        Manager::PreCommit { config } => {
            let text =
                std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
            // Our entry of an earlier form (prisma-guard from PATH only) is written again.
            let base = if text.contains(HOOKS[0].2) && !text.contains(NODE_MODULES_MARK) {
                pre_commit_remove(&text)
            } else {
                text.clone()
            };
            match pre_commit_add(&base) {
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
                    .hint(format!("add this entry by hand as the last item of its `repos:` list, then run `pre-commit install`:\n{}", pre_commit_entry_for(&text)))
                    .into());
                }
            }
        }
        Manager::Lefthook { config } => {
            let text =
                std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
            // Our entries of an earlier form (prisma-guard from PATH only) are taken out and
            // written again.
            let base = if lefthook_earlier_form(&text) { lefthook_edit(config, &text, false)? } else { text.clone() };
            let updated = lefthook_edit(config, &base, true)?;
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
                let Some(kept) = remove_line(&text, tracked(&repo.workdir, &path)) else { continue };
                match kept {
                    None => std::fs::remove_file(&path)?,
                    Some(kept) => {
                        write_keeping_mode(&path, &kept)?;
                        if was_not_executable(&text) {
                            use std::os::unix::fs::PermissionsExt;
                            let mode = std::fs::metadata(&path)?.permissions().mode() & !0o111;
                            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
                        }
                        restore_committed_mode(&repo.workdir, &path)?;
                    }
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
        // A layout `hooks install` would refuse: never suggest it, say what to add.
        (None, Manager::PreCommit { config }) => match std::fs::read_to_string(config) {
            Ok(text) if pre_commit_add(&text).is_none() => format!(
                "add this entry by hand as the last item of the `repos:` list of {}, then run `pre-commit install`:\n{}",
                config.display(),
                pre_commit_entry_for(&text)
            ),
            _ => "prisma-guard hooks install".into(),
        },
        (None, Manager::Husky { .. }) if husky_missing_here(&repo.workdir).is_some() => {
            "npx husky (in this working tree), then prisma-guard hooks install".into()
        }
        (Some(_), _) => format!("{} && prisma-guard hooks install (the hooks folder every working tree shares; its hooks call the global ones; or `prisma-guard hooks install --force` to install into the global folder)", repo.shared_hooks_command()),
        (None, _) if repo.unreachable_here.is_some() => {
            let install = if installed(repo) { "" } else { " && prisma-guard hooks install" };
            format!("{}{install} (a path that works in every working tree)", repo.shared_hooks_command())
        }
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
                    if let Some(named) = &repo.unreachable_here {
                        return row(false, format!("{}: {state}, but git runs no {name} hook in this working tree: core.hooksPath names {}, relative to each working tree, and `.git` is a file in a linked worktree", p.display(), named.display()));
                    }
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
                // Our own git hook, kept by the pre-commit framework's migration mode (it
                // moved ours to `<hook>.legacy` and runs it first) or left in place.
                Manager::PreCommit { config } if own_hook_runs(&repo.workdir, name).is_some() => {
                    let how = own_hook_runs(&repo.workdir, name).unwrap_or_default();
                    HookStatus { hook: name, ok: true, detail: format!("{} (pre-commit framework): {how}", config.display()), fix: String::new() }
                }
                Manager::PreCommit { config }
                    if *name == "pre-push"
                        && std::fs::read_to_string(config).is_ok_and(|t| pre_commit_names_ours(&t, name)) =>
                {
                    let installed = installed_by(&repo.workdir, name, "pre-commit");
                    let state = match installed {
                        true => "runs prisma-guard (prisma-guard-scan-push)",
                        false => "configured (prisma-guard-scan-push), but the pre-commit framework has not installed the git hook (run `pre-commit install --hook-type pre-push`)",
                    };
                    let fix = if installed { String::new() } else { "pre-commit install --hook-type pre-push".into() };
                    HookStatus { hook: name, ok: installed, detail: format!("{} (pre-commit framework): {state}", config.display()), fix }
                }
                Manager::PreCommit { config } if *name == "pre-push" => row(
                    true,
                    format!("{} (pre-commit framework): pushes are not scanned here; the CI template scans them (docs/ci.md)", config.display()),
                ),
                Manager::PreCommit { config } => {
                    let text = std::fs::read_to_string(config).unwrap_or_default();
                    let configured = text.contains(command) || pre_commit_names_ours(&text, name);
                    // Our local entry as an earlier version wrote it (prisma-guard from PATH only).
                    let earlier = text.contains(command) && !text.contains(NODE_MODULES_MARK);
                    let installed = installed_by(&repo.workdir, name, "pre-commit");
                    // `pre-commit install -c other.yaml` writes a hook that reads that file.
                    let runs = pre_commit_hook_config(&repo.workdir, name);
                    let elsewhere = runs.as_ref().filter(|c| normalize(&repo.workdir.join(c)) != normalize(config));
                    let elsewhere_has_us = elsewhere
                        .is_some_and(|c| std::fs::read_to_string(repo.workdir.join(c)).is_ok_and(|t| t.contains(command) || pre_commit_names_ours(&t, name)));
                    let state = match (configured, installed, elsewhere) {
                        (_, true, Some(other)) if !elsewhere_has_us => format!(
                            "git's {name} hook runs the pre-commit framework with {other}, which does not run prisma-guard (run `pre-commit install` to point it back at {})",
                            config.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
                        ),
                        (true, _, _) if earlier => "prisma-guard's entry is of an earlier form, which looks for prisma-guard on PATH only (installed from npm, it is in node_modules/.bin): run `prisma-guard hooks install`".into(),
                        (true, true, _) => "runs prisma-guard".into(),
                        (true, false, _) => "configured, but the pre-commit framework has not installed the git hook (run `pre-commit install`)".into(),
                        _ => "missing".into(),
                    };
                    let ok = configured && !earlier && installed && (elsewhere.is_none() || elsewhere_has_us);
                    row(ok, format!("{} (pre-commit framework): {state}", config.display()))
                }
            }
        })
        .collect()
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

/// How prisma-guard's own script for `hook` runs beside the pre-commit framework: git's hook
/// is ours, or the framework's hook in migration mode runs ours from `<hook>.legacy`.
fn own_hook_runs(workdir: &Path, hook: &str) -> Option<String> {
    let dir = git_hooks_dir(workdir)?;
    let main = dir.join(hook);
    if is_ours(&main) {
        return Some(format!("runs prisma-guard ({} is prisma-guard's)", main.display()));
    }
    let legacy = dir.join(format!("{hook}.legacy"));
    (installed_by(workdir, hook, "pre-commit") && is_ours(&legacy)).then(|| {
        format!(
            "runs prisma-guard (the pre-commit framework's hook runs {} first, its migration mode)",
            legacy.display()
        )
    })
}

/// Whether git's own `hook` script (in the folder git runs hooks from) was written by `tool`.
fn installed_by(workdir: &Path, hook: &str, tool: &str) -> bool {
    let Some(dir) = git_hooks_dir(workdir) else { return false };
    std::fs::read_to_string(dir.join(hook)).is_ok_and(|t| t.contains(tool))
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
            format!("pre-commit:\n  parallel: true\n  commands:\n    prisma-guard:\n      run: {}\n    lint:\n      run: npm run lint\n\npre-push:\n  commands:\n    prisma-guard:\n      run: {}\n      use_stdin: true\n", guarded("prisma-guard scan --staged"), guarded("prisma-guard scan --pre-push --remote {1}"))
        );
        assert_eq!(lefthook_add(&added), added, "idempotent");
        assert_eq!(lefthook_remove(&added), original);
        // What an older version wrote (pre-push without lefthook's `{1}`) is put right.
        let older = added.replace(" --remote {1}", "");
        assert_eq!(lefthook_add(&older), added);
        assert_eq!(lefthook_remove(&older), original);
        let bare = "pre-push:\n  parallel: true\n";
        let added = lefthook_add(bare);
        assert!(added.starts_with("pre-push:\n  commands:\n    prisma-guard:\n"), "{added}");
        assert_eq!(lefthook_remove(&added), "pre-push:\n  parallel: true\n");
    }

    /// Review (issue 22, round 9): lefthook's JSON and TOML configs get pre-push's `{1}` too,
    /// an older command without it is put right, and uninstall gives the file back.
    #[test]
    fn lefthook_json_and_toml_pass_the_remote() {
        let dir = tempfile::tempdir().unwrap();
        for (name, original) in [
            ("lefthook.json", "{\n  \"pre-commit\": {\"commands\": {\"lint\": {\"run\": \"npm run lint\"}}}\n}\n"),
            ("lefthook.toml", "[pre-commit.commands.lint]\nrun = \"npm run lint\"\n"),
        ] {
            let config = dir.path().join(name);
            let added = lefthook_edit(&config, original, true).unwrap();
            assert!(added.contains("prisma-guard scan --pre-push --remote {1}"), "{added}");
            assert_eq!(lefthook_edit(&config, &added, true).unwrap(), added, "{name}: idempotent");
            assert_eq!(lefthook_edit(&config, &added, false).unwrap(), original, "{name}");
            let older = added.replace(" --remote {1}", "");
            assert!(remote_not_passed(&older, "prisma-guard scan --pre-push"), "{name}");
            let fixed = lefthook_edit(&config, &older, true).unwrap();
            assert!(
                fixed.contains("--remote {1}") && !remote_not_passed(&fixed, "prisma-guard scan --pre-push"),
                "{fixed}"
            );
            assert_eq!(lefthook_edit(&config, &fixed, false).unwrap(), original, "{name}");
        }
    }

    /// Review finding 1 (issue 21): an entry an earlier version wrote (prisma-guard from PATH
    /// only) is seen as such, and install writes it again in the current form, the team's
    /// commands kept.
    #[test]
    fn an_earlier_lefthook_entry_is_written_again() {
        let old = |c: &str| format!("command -v prisma-guard >/dev/null 2>&1 || {{ echo \"x\" >&2; exit 1; }}; {c}");
        let yml = Path::new("lefthook.yml");
        let older = format!(
            "pre-commit:\n  commands:\n    prisma-guard:\n      run: {}\n    lint:\n      run: npm run lint\n",
            old("prisma-guard scan --staged")
        );
        assert!(lefthook_earlier_form(&older));
        let updated = lefthook_edit(yml, &lefthook_edit(yml, &older, false).unwrap(), true).unwrap();
        assert!(!lefthook_earlier_form(&updated), "{updated}");
        assert!(updated.contains(&guarded("prisma-guard scan --staged")), "{updated}");
        assert!(updated.contains("    lint:\n      run: npm run lint\n"), "{updated}");
        let json = Path::new("lefthook.json");
        let older = serde_json::json!({"pre-commit": {"commands": {"prisma-guard": {"run": old("prisma-guard scan --staged")}}}})
            .to_string();
        assert!(lefthook_earlier_form(&older));
        let updated = lefthook_edit(json, &lefthook_edit(json, &older, false).unwrap(), true).unwrap();
        assert!(!lefthook_earlier_form(&updated), "{updated}");
        let toml = Path::new("lefthook.toml");
        let older = format!(
            "[pre-commit.commands.lint]\nrun = 'npm run lint'\n\n[pre-commit.commands.prisma-guard]\nrun = '{}'\n",
            guarded_earlier("prisma-guard scan --staged")
        );
        assert!(lefthook_earlier_form(&older));
        let taken_out = lefthook_edit(toml, &older, false).unwrap();
        assert_eq!(taken_out, "[pre-commit.commands.lint]\nrun = 'npm run lint'\n");
        let updated = lefthook_edit(toml, &taken_out, true).unwrap();
        assert!(
            !lefthook_earlier_form(&updated) && updated.contains(&guarded("prisma-guard scan --staged")),
            "{updated}"
        );
        assert!(!lefthook_earlier_form(&lefthook_add("")));
    }

    /// The same for the pre-commit framework's entry.
    #[test]
    fn an_earlier_pre_commit_entry_is_taken_out_and_written_again() {
        let current = pre_commit_add(
            "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n",
        )
        .unwrap();
        let older = current
            .replace(&guarded("exec prisma-guard scan --staged"), &guarded_earlier("exec prisma-guard scan --staged"));
        assert_ne!(older, current);
        assert!(!older.contains(NODE_MODULES_MARK));
        let base = pre_commit_remove(&older);
        assert!(!base.contains("prisma-guard"), "{base}");
        assert_eq!(pre_commit_add(&base).unwrap(), current);
    }

    #[test]
    fn ci_templates_match_what_install_writes() {
        let lefthook = include_str!("../../../templates/ci/lefthook.yml");
        let body: String = lefthook.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
        let strip =
            |s: &str| s.lines().map(|l| l.split(" #").next().unwrap_or("").trim_end().to_string()).collect::<Vec<_>>();
        assert_eq!(strip(&lefthook_add("")), strip(body.trim_start()));
        for (name, _, command) in HOOKS {
            let husky = match *name {
                "pre-commit" => include_str!("../../../templates/ci/husky-pre-commit"),
                _ => include_str!("../../../templates/ci/husky-pre-push"),
            };
            assert!(
                husky.lines().any(|l| l == hook_line(command)),
                "{name}: the template holds the line install writes"
            );
        }
        let root = include_str!("../../../.pre-commit-hooks.yaml");
        assert!(include_str!("../../../templates/ci/pre-commit-hooks.yaml").ends_with(root));
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
        assert_eq!(remove_line(&added, true), Some(Some(team.to_string())));
    }

    /// Review (issue 22, round 9): install then uninstall gives every team script back byte
    /// for byte (one of a shebang only, one without a final newline, an empty one, CRLF), and
    /// removes only the files install made.
    #[test]
    fn uninstall_gives_team_scripts_back_byte_for_byte() {
        let dir = Path::new("/nonexistent");
        for team in ["#!/bin/sh\n", "#!/bin/sh", "", "#!/bin/sh\n# lint\n", "#!/bin/sh\r\nnpm test\r\n", "npm test"] {
            for command in ["prisma-guard scan --staged", "prisma-guard scan --pre-push"] {
                let added = add_line(Some(team), dir, command).unwrap();
                assert_eq!(add_line(Some(&added), dir, command), None, "{team:?}: idempotent");
                for tracked in [true, false] {
                    assert_eq!(remove_line(&added, tracked), Some(Some(team.to_string())), "{team:?}");
                }
            }
        }
        let made = add_line(None, dir, "prisma-guard scan --staged").unwrap();
        assert_eq!(remove_line(&made, false), Some(None), "a file install made goes");
        // One an older version made (no comment line of ours), untracked: goes too.
        let older = format!("#!/bin/sh\n{}\n", hook_line("prisma-guard scan --staged"));
        assert_eq!(remove_line(&older, false), Some(None));
        assert_eq!(remove_line(&older, true), Some(Some("#!/bin/sh\n".to_string())));
    }

    #[test]
    fn templates_carry_the_marker() {
        for (_, body, command) in HOOKS {
            assert!(body.lines().nth(1).is_some_and(|l| l.starts_with(MARKER)));
            assert!(body.contains(command.trim_start_matches("prisma-guard ")));
        }
    }
}
