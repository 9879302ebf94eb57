//! Git hooks: find the hooks folder as git does (worktrees share the common dir's hooks;
//! `core.hooksPath`, relative to the working tree), write the `hooks/` templates, keep
//! foreign hooks (moved aside and chained), and hand over to husky or lefthook when they
//! manage the hooks.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::Failure;

pub const MARKER: &str = "# prisma-guard hook v1";
pub const HOOKS: &[(&str, &str, &str)] = &[
    ("pre-commit", include_str!("../hooks/pre-commit"), "prisma-guard scan --staged"),
    ("pre-push", include_str!("../hooks/pre-push"), "prisma-guard scan --pre-push"),
];
const CHAINED_SUFFIX: &str = ".prisma-guard-chained";
const HUSKY_LINE_MARK: &str = "# prisma-guard";

/// Who runs the repository's hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    /// Plain git: scripts in the hooks folder.
    Git { dir: PathBuf },
    /// husky (core.hooksPath = .husky/_): user scripts in `.husky/<hook>`.
    Husky { dir: PathBuf },
    /// lefthook: `lefthook.yml` at the root.
    Lefthook { config: PathBuf },
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
    for name in ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"] {
        let p = workdir.join(name);
        if p.is_file() {
            return Ok(Repo { workdir, manager: Manager::Lefthook { config: p }, outside: None });
        }
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
    let husky = dir.ends_with(".husky/_") || dir.ends_with(".husky");
    let manager = if husky && dir.ends_with(".husky/_") {
        Manager::Husky { dir: dir.parent().map(Path::to_path_buf).unwrap_or(dir) }
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
    crate::store::io::write_atomic(path, text.as_bytes())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("could not make {} executable", path.display()))?;
    Ok(())
}

pub fn install(repo: &Repo, force: bool) -> Result<Changes> {
    if let Some(outside) = &repo.outside {
        if !force {
            return Err(Failure::usage(format!(
                "core.hooksPath points outside this repository ({}); installing there would affect every repository using it",
                outside.display()
            ))
            .hint("run `git config --local core.hooksPath .githooks` for this repository, or pass --force to install there anyway")
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
                if path.exists() && !is_ours(&path) {
                    let aside = dir.join(format!("{name}{CHAINED_SUFFIX}"));
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
        Manager::Husky { dir } => {
            for (name, _, command) in HOOKS {
                let path = dir.join(name);
                let existing = std::fs::read_to_string(&path).unwrap_or_default();
                if existing.contains(HUSKY_LINE_MARK) {
                    continue;
                }
                let mut text = existing.clone();
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&format!("{command} {HUSKY_LINE_MARK}\n"));
                write_exec(&path, &text)?;
                changes.push(format!("husky manages the hooks: added `{command}` to {}", path.display()));
            }
        }
        Manager::Lefthook { config } => {
            let text =
                std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
            let updated = lefthook_add(&text);
            if updated != text {
                crate::store::io::write_atomic(config, updated.as_bytes())?;
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
                if aside.exists() && !path.exists() {
                    std::fs::rename(&aside, &path).with_context(|| format!("could not restore {}", aside.display()))?;
                    changes.push(format!("restored the original {name} hook"));
                }
            }
        }
        Manager::Husky { dir } => {
            for (name, _, _) in HOOKS {
                let path = dir.join(name);
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                if !text.contains(HUSKY_LINE_MARK) {
                    continue;
                }
                let kept: String =
                    text.split_inclusive('\n').filter(|l| !l.contains(HUSKY_LINE_MARK)).collect::<Vec<_>>().concat();
                if kept.trim().is_empty() {
                    std::fs::remove_file(&path)?;
                } else {
                    write_exec(&path, &kept)?;
                }
                changes.push(format!("removed prisma-guard from {}", path.display()));
            }
        }
        Manager::Lefthook { config } => {
            let text = std::fs::read_to_string(config)?;
            let updated = lefthook_remove(&text);
            if updated != text {
                crate::store::io::write_atomic(config, updated.as_bytes())?;
                changes.push(format!("removed prisma-guard from {}", config.display()));
            }
        }
    }
    Ok(changes)
}

/// (hook, installed, where): one row per hook.
pub fn status(repo: &Repo) -> Vec<(&'static str, bool, String)> {
    HOOKS
        .iter()
        .map(|(name, _, command)| match &repo.manager {
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
                (*name, is_ours(&p), format!("{}: {state}", p.display()))
            }
            Manager::Husky { dir } => {
                let p = dir.join(name);
                let ok = std::fs::read_to_string(&p).is_ok_and(|t| t.contains(command));
                (*name, ok, format!("{} (husky): {}", p.display(), if ok { "runs prisma-guard" } else { "missing" }))
            }
            Manager::Lefthook { config } => {
                let ok = std::fs::read_to_string(config).is_ok_and(|t| t.contains(command));
                (
                    *name,
                    ok,
                    format!("{} (lefthook): {}", config.display(), if ok { "runs prisma-guard" } else { "missing" }),
                )
            }
        })
        .collect()
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
        let entry = format!("    prisma-guard:\n      run: {command}{stdin}");
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
            "pre-commit:\n  parallel: true\n  commands:\n    prisma-guard:\n      run: prisma-guard scan --staged\n    lint:\n      run: npm run lint\n\npre-push:\n  commands:\n    prisma-guard:\n      run: prisma-guard scan --pre-push\n      use_stdin: true\n"
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
        let lefthook = include_str!("../templates/ci/lefthook.yml");
        let body: String = lefthook.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
        let strip =
            |s: &str| s.lines().map(|l| l.split(" #").next().unwrap_or("").trim_end().to_string()).collect::<Vec<_>>();
        assert_eq!(strip(&lefthook_add("")), strip(body.trim_start()));
        for (name, _, command) in HOOKS {
            let husky = match *name {
                "pre-commit" => include_str!("../templates/ci/husky-pre-commit"),
                _ => include_str!("../templates/ci/husky-pre-push"),
            };
            assert!(husky.contains(&format!("{command} {HUSKY_LINE_MARK}")), "{name}");
        }
        let root = include_str!("../.pre-commit-hooks.yaml");
        assert!(include_str!("../templates/ci/pre-commit-hooks.yaml").ends_with(root));
    }

    #[test]
    fn templates_carry_the_marker() {
        for (_, body, command) in HOOKS {
            assert!(body.lines().nth(1).is_some_and(|l| l.starts_with(MARKER)));
            assert!(body.contains(command.trim_start_matches("prisma-guard ")));
        }
    }
}
