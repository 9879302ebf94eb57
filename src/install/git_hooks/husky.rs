//! husky: whether a repository uses it, whether git really runs its hooks (core.hooksPath and
//! `.husky/_`), and how its hook scripts are run.

use super::*;

pub(super) const HUSKY_LINE_MARK: &str = "# prisma-guard";

/// Whether the repository uses husky: its folder, or husky in package.json.
pub(super) fn uses_husky(workdir: &Path) -> bool {
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

/// husky's folder for a package below the repository root that uses husky (husky's
/// documented sub-folder layout, `"prepare": "cd .. && husky app/.husky"`): the folder its
/// `prepare` names (from the package, or from the root it changes to), else the package's own
/// `.husky/`. Looked for from `cwd` up to, not including, `workdir`.
pub(super) fn husky_below_root(cwd: &Path, workdir: &Path) -> Option<PathBuf> {
    let cwd = normalize(cwd);
    let below = cwd.ancestors().take_while(|d| d.starts_with(workdir) && *d != workdir).map(Path::to_path_buf);
    // From the root: the packages one and two levels down (`backend/`, `apps/api/`).
    let packages = if cwd == normalize(workdir) { packages_below(workdir) } else { Vec::new() };
    below.chain(packages).find_map(|pkg| husky_of_package(&pkg, workdir))
}

/// husky's folder for the package `pkg` below `workdir`, if it uses husky: the folder its
/// `prepare` names (there already, or made by husky on the first `npm install`: relative to
/// the folder `prepare` changes to with `cd ..`, else the package), else its own `.husky/`.
fn husky_of_package(pkg: &Path, workdir: &Path) -> Option<PathBuf> {
    if !uses_husky(pkg) {
        return None;
    }
    if let Some(d) = prepare_husky_dir(pkg) {
        let candidates = [pkg.join(&d), workdir.join(&d)];
        if let Some(found) = candidates.iter().map(|c| normalize(c)).find(|c| c.is_dir() && c.starts_with(workdir)) {
            return Some(found);
        }
        // Not made yet: where `prepare`'s husky will make it.
        let from = if prepare_changes_up(pkg) { pkg.parent().unwrap_or(pkg).to_path_buf() } else { pkg.to_path_buf() };
        let at = normalize(&from.join(&d));
        if at.starts_with(workdir) && at.parent().is_some_and(Path::is_dir) {
            return Some(at);
        }
    }
    let own = pkg.join(".husky");
    own.is_dir().then_some(own)
}

/// The folders one and two levels below `workdir` holding a package.json (dependency,
/// build and hidden folders aside).
fn packages_below(workdir: &Path) -> Vec<PathBuf> {
    let skip = |n: &str| n.starts_with('.') || matches!(n, "node_modules" | "dist" | "build" | "target" | "vendor");
    let subdirs = |d: &Path| -> Vec<PathBuf> {
        let Ok(rd) = std::fs::read_dir(d) else { return Vec::new() };
        let mut out: Vec<PathBuf> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && !skip(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect();
        out.sort();
        out
    };
    let mut out = Vec::new();
    for one in subdirs(workdir) {
        if one.join("package.json").is_file() {
            out.push(one.clone());
        }
        out.extend(subdirs(&one).into_iter().filter(|two| two.join("package.json").is_file()));
    }
    out
}

/// Whether the package's `prepare` starts by changing to its parent (`cd .. && husky ...`).
fn prepare_changes_up(pkg: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(pkg.join("package.json")) else { return false };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&text)) else {
        return false;
    };
    json["scripts"]["prepare"].as_str().is_some_and(|p| {
        let p = p.trim_start();
        p.starts_with("cd ..") || p.starts_with("cd ../")
    })
}

/// The folder a package's `prepare` script gives husky (`husky app/.husky`), if any.
fn prepare_husky_dir(pkg: &Path) -> Option<String> {
    let text = std::fs::read_to_string(pkg.join("package.json")).ok()?;
    let json = serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&text)).ok()?;
    let prepare = json["scripts"]["prepare"].as_str()?;
    let words: Vec<&str> = prepare.split(|c: char| c.is_whitespace() || c == ';' || c == '&').collect();
    let at = words.iter().position(|w| *w == "husky" || w.ends_with("/husky"))?;
    // husky 9: `husky DIR`; husky 8: `husky install DIR`.
    let mut rest = words[at + 1..].iter().filter(|w| !w.is_empty());
    let mut dir = *rest.next()?;
    if dir == "install" {
        dir = rest.next()?;
    }
    (!dir.starts_with('-')).then(|| dir.trim_matches(|c| c == '"' || c == '\'').to_string())
}

/// Whether git runs husky's scripts in `.husky/` itself (husky 8: core.hooksPath = .husky),
/// rather than husky 9's runner in `.husky/_` running them with `sh`.
pub(super) fn husky_runs_scripts_directly(repo: &Repo) -> bool {
    let Manager::Husky { dir } = &repo.manager else { return false };
    let Ok(git) = git2::Repository::open(&repo.workdir) else { return false };
    let Ok(configured) = git.config().and_then(|c| c.get_path("core.hooksPath")) else { return false };
    let at = if configured.is_absolute() { configured } else { repo.workdir.join(configured) };
    normalize(&at) == normalize(dir)
}

/// Why git runs no hook of husky's in the working tree `workdir` (husky's folder `dir`), and
/// what to do: husky 9 needs core.hooksPath at `.husky/_` and that folder made by its install
/// (both come from `npm install`, whose `prepare` runs husky); husky 8 points it at `.husky`.
pub(super) fn husky_not_run(workdir: &Path, dir: &Path) -> Option<(String, String)> {
    let prepared = [Some(workdir), dir.parent()].into_iter().flatten().any(|d| {
        std::fs::read_to_string(d.join("package.json")).is_ok_and(|t| {
            serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&t))
                .is_ok_and(|j| j["scripts"]["prepare"].as_str().is_some_and(|p| p.contains("husky")))
        })
    });
    let fix = if prepared {
        "npm install (its `prepare` script runs husky), or `npx husky`".to_string()
    } else {
        "npx husky (and add `\"prepare\": \"husky\"` to package.json's scripts, so every clone's npm install runs it)"
            .to_string()
    };
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
