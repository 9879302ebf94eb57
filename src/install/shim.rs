//! The entry points prisma-guard covers: a `prisma` link in a shim folder meant to be first on
//! PATH, and the project's `node_modules/.bin/prisma` (which `npx prisma`, `npm exec prisma`
//! and npm scripts run without consulting PATH), kept in place by a `postinstall` script
//! because every `npm install` restores npm's own link.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::guard::forward::{is_ours, SHIM_MARKER};
use crate::install::package_json::PackageJson;

/// Where the original `node_modules/.bin/prisma` is kept while the shim stands in for it.
pub const ORIGINAL_NAME: &str = ".prisma-guard-original-prisma";
/// The `postinstall` fragment that puts the project shim back after `npm install`.
pub const POSTINSTALL: &str =
    "(command -v prisma-guard >/dev/null && prisma-guard shim install --project --quiet) || true";

/// The default PATH shim folder: `$XDG_DATA_HOME/prisma-guard/bin` or
/// `~/.local/share/prisma-guard/bin`.
pub fn default_dir() -> PathBuf {
    crate::config::env::data_dir().join("bin")
}

fn own_exe() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find prisma-guard's own executable")?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// Put a `prisma` link to prisma-guard in `dir`. Returns false when it was already there.
pub fn install_path_shim(dir: &Path) -> Result<bool> {
    let exe = own_exe()?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let link = dir.join("prisma");
    if link.symlink_metadata().is_ok() {
        if is_ours(&link, &exe) && std::fs::read_link(&link).is_ok_and(|t| t == exe) {
            return Ok(false);
        }
        // A link to a prisma-guard that was moved or removed (an earlier install) is ours,
        // stale: replaced.
        let stale = std::fs::read_link(&link)
            .is_ok_and(|t| t.file_name().is_some_and(|n| n == "prisma-guard") && !link.exists());
        if !is_ours(&link, &exe) && !stale {
            return Err(crate::error::fail(format!("{} exists and is not prisma-guard's", link.display()))
                .hint("choose another folder with --dir, or move that file away")
                .into());
        }
        std::fs::remove_file(&link)?;
    }
    std::os::unix::fs::symlink(&exe, &link).with_context(|| format!("could not create {}", link.display()))?;
    Ok(true)
}

pub fn uninstall_path_shim(dir: &Path) -> Result<bool> {
    let link = dir.join("prisma");
    if link.symlink_metadata().is_ok() && is_ours(&link, &own_exe()?) {
        std::fs::remove_file(&link)?;
        return Ok(true);
    }
    Ok(false)
}

/// The shim script written over `node_modules/.bin/prisma` in `bin_dir`. prisma-guard
/// installed from npm is called by its path relative to the script's folder (never an
/// absolute path of one machine: node_modules moves with the checkout, and a path into the
/// package manager's store changes with every update), then through `.bin/prisma-guard`;
/// installed otherwise, by its own path; either way, else from PATH.
fn project_shim_script(exe: &Path, bin_dir: &Path) -> String {
    let npm = is_npm_platform_binary(exe).then(|| crate::install::invoke::relative(bin_dir, exe)).flatten();
    let first = match npm {
        Some(rel) => format!("\"$d\"/{}", crate::shell::quote(&rel)),
        None => crate::shell::quote(&exe.to_string_lossy()),
    };
    format!(
        "#!/bin/sh\n# {SHIM_MARKER}: prisma runs through prisma-guard (`prisma-guard shim uninstall --project` removes this)\n\
         case $0 in */*) d=${{0%/*}} ;; *) d=. ;; esac\n\
         g={first}\n\
         [ -x \"$g\" ] || g=\"$d/prisma-guard\"\n\
         [ -x \"$g\" ] || g=$(command -v prisma-guard) || {{\n  \
         echo \"prisma-guard-shim: prisma-guard is not installed, so prisma was NOT run. Reinstall prisma-guard (npm install when package.json lists @prisma-guard/cli), or restore the original: mv node_modules/.bin/{ORIGINAL_NAME} node_modules/.bin/prisma\" >&2\n  \
         exit 127\n}}\n\
         exec \"$g\" exec -- \"$@\"\n"
    )
}

/// What happened to each part of the project shim.
#[derive(Debug, Default)]
pub struct ProjectChanges {
    pub bin_replaced: bool,
    pub postinstall_added: bool,
    /// `node_modules/.bin/prisma-guard` (npm's link to the Node launcher of @prisma-guard/cli)
    /// now points at the native binary, or back at the launcher.
    pub native_linked: bool,
}

/// The folder whose `node_modules/.bin/prisma` npx, npm exec and npm scripts run for a
/// project in `root`: the nearest one upward that has it (a workspace hoists Prisma to the
/// monorepo's root; pnpm links it into each package).
pub fn prisma_bin_root(root: &Path) -> Option<PathBuf> {
    root.ancestors()
        .find(|d| {
            d.join("node_modules/.bin/prisma").symlink_metadata().is_ok()
                || d.join("node_modules/prisma/package.json").is_file()
        })
        .map(Path::to_path_buf)
}

/// Replace `node_modules/.bin/prisma` (npm link or pnpm script) with the shim, keeping the
/// original beside it, and add the `postinstall` entry to package.json (also to the
/// package.json beside a hoisted node_modules, whose install re-creates the link).
pub fn install_project(root: &Path) -> Result<ProjectChanges> {
    let exe = own_exe()?;
    let mut changes = ProjectChanges::default();
    let Some(bin_root) = prisma_bin_root(root) else {
        return Err(crate::error::fail(format!(
            "{} has no node_modules/prisma (nor does any folder above it): Prisma is not installed in this project",
            root.display()
        ))
        .hint("run `npm install` first (or pass the project folder with -C)")
        .into());
    };
    let bin_dir = bin_root.join("node_modules/.bin");
    changes.bin_replaced = replace_bin(&bin_dir, &exe)?;
    changes.postinstall_added = edit_package_json(root, true)?;
    if bin_root != root {
        changes.postinstall_added |= edit_package_json(&bin_root, true)?;
    }
    for dir in [root, bin_root.as_path()] {
        changes.native_linked |= link_native(&dir.join("node_modules/.bin"), &exe)?;
    }
    Ok(changes)
}

/// `bin_dir/prisma` replaced by the shim, the package manager's entry kept beside it (the
/// newest one: an older copy there is replaced). Returns false when the shim is there already.
fn replace_bin(bin_dir: &Path, exe: &Path) -> Result<bool> {
    let bin = bin_dir.join("prisma");
    if bin.exists() && is_ours(&bin, exe) {
        return Ok(false);
    }
    std::fs::create_dir_all(bin_dir)?;
    let original = bin_dir.join(ORIGINAL_NAME);
    if bin.symlink_metadata().is_ok() {
        let _ = std::fs::remove_file(&original);
        std::fs::rename(&bin, &original).with_context(|| format!("could not move {} aside", bin.display()))?;
    }
    crate::backup::store::io::write_atomic(&bin, project_shim_script(exe, bin_dir).as_bytes())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))?;
    Ok(true)
}

/// The shim put back where the package manager made its own `node_modules/.bin/prisma`
/// again after the shim was installed: `npm install -D X` and `pnpm add X` re-create every
/// `.bin` link, and the project's postinstall does not run then (npm runs it for a plain
/// `npm install` only; with install scripts blocked, never). Only in a project that had the
/// shim (its original is kept beside it, or package.json's postinstall re-installs it), and
/// only the link: run by the agent hook and the git hooks, which see the project on every
/// tool call and commit. Returns the `.bin` folder it repaired.
pub fn repair_project(from: &Path) -> Option<PathBuf> {
    let bin_root = prisma_bin_root(from)?;
    let bin_dir = bin_root.join("node_modules/.bin");
    let bin = bin_dir.join("prisma");
    let exe = own_exe().ok()?;
    if !bin.exists() || is_ours(&bin, &exe) {
        return None;
    }
    let postinstall = |d: &Path| {
        std::fs::read_to_string(d.join("package.json")).is_ok_and(|t| t.contains("prisma-guard shim install"))
    };
    let had_shim =
        bin_dir.join(ORIGINAL_NAME).symlink_metadata().is_ok() || postinstall(&bin_root) || postinstall(from);
    if !had_shim {
        return None;
    }
    replace_bin(&bin_dir, &exe).ok().filter(|done| *done)?;
    let _ = link_native(&bin_dir, &exe);
    Some(bin_dir)
}

/// The npm package's Node launcher, as npm links it into `.bin`.
const NPM_LAUNCHER: &str = "@prisma-guard/cli/bin/prisma-guard.js";

/// Whether `exe` is the binary of one of the npm platform packages (`@prisma-guard/cli-<os>-<cpu>`),
/// as npm, pnpm, yarn and bun lay them out under a node_modules folder.
pub fn is_npm_platform_binary(exe: &Path) -> bool {
    let text = exe.to_string_lossy();
    text.contains("/node_modules/") && text.contains("/@prisma-guard/cli-") && text.ends_with("/bin/prisma-guard")
}

/// With prisma-guard installed from npm: point `bin_dir/prisma-guard` (npm's link to the Node
/// launcher, ~50 ms of Node start) straight at the native binary, so that npm scripts, `npx
/// prisma-guard` and the hooks that run it from `.bin` start in a millisecond. Run by the
/// project's own `postinstall` after every install (npm restores its link each time); with
/// install scripts off, the launcher still works, only slower. Returns whether it changed.
fn link_native(bin_dir: &Path, exe: &Path) -> Result<bool> {
    let link = bin_dir.join("prisma-guard");
    if !is_npm_platform_binary(exe) || link.symlink_metadata().is_err() {
        return Ok(false);
    }
    if points_at(&link, exe) {
        return Ok(false);
    }
    // Only npm's own entry (a link or pnpm's sh wrapper naming the launcher) is replaced.
    let launcher = std::fs::read_link(&link).is_ok_and(|t| t.to_string_lossy().ends_with(NPM_LAUNCHER))
        || std::fs::read_to_string(&link).is_ok_and(|t| t.contains(NPM_LAUNCHER));
    if !launcher {
        return Ok(false);
    }
    // Relative, as npm makes its own links: node_modules moves with the checkout.
    let target = crate::install::invoke::relative(bin_dir, exe).map_or_else(|| exe.to_path_buf(), PathBuf::from);
    relink(&link, &target)?;
    Ok(true)
}

/// Whether `link` is a symbolic link that leads to `exe` (relative or absolute).
fn points_at(link: &Path, exe: &Path) -> bool {
    std::fs::read_link(link).is_ok()
        && link.canonicalize().is_ok_and(|t| t == exe.canonicalize().unwrap_or_else(|_| exe.to_path_buf()))
}

/// `link` replaced at once by a symbolic link to `target` (a link made beside it, renamed over).
fn relink(link: &Path, target: &Path) -> Result<()> {
    let tmp = link.with_file_name(".prisma-guard.native");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).with_context(|| format!("could not create {}", tmp.display()))?;
    std::fs::rename(&tmp, link).with_context(|| format!("could not replace {}", link.display()))
}

/// Undo `install_project`. Returns what was changed.
pub fn uninstall_project(root: &Path) -> Result<ProjectChanges> {
    let exe = own_exe()?;
    let mut changes = ProjectChanges::default();
    let bin_root = prisma_bin_root(root).unwrap_or_else(|| root.to_path_buf());
    if bin_root != root {
        changes.postinstall_added |= edit_package_json(&bin_root, false)?;
    }
    let bin_dir = bin_root.join("node_modules/.bin");
    let bin = bin_dir.join("prisma");
    let original = bin_dir.join(ORIGINAL_NAME);
    if bin.exists() && is_ours(&bin, &exe) {
        std::fs::remove_file(&bin)?;
        if original.symlink_metadata().is_ok() {
            std::fs::rename(&original, &bin)?;
        }
        changes.bin_replaced = true;
    }
    changes.postinstall_added |= edit_package_json(root, false)?;
    for dir in [root, bin_root.as_path()] {
        changes.native_linked |= unlink_native(&dir.join("node_modules/.bin"), &exe)?;
    }
    Ok(changes)
}

/// Undo [`link_native`]: `.bin/prisma-guard` back to npm's link to the launcher.
fn unlink_native(bin_dir: &Path, exe: &Path) -> Result<bool> {
    let link = bin_dir.join("prisma-guard");
    let launcher = Path::new("..").join(NPM_LAUNCHER);
    if !points_at(&link, exe) || !bin_dir.join(&launcher).is_file() {
        return Ok(false);
    }
    relink(&link, &launcher)?;
    Ok(true)
}

/// Add our `postinstall` fragment alone (no node_modules yet: the first `npm install`
/// installs the shim). Returns whether package.json changed.
pub fn add_postinstall(root: &Path) -> Result<bool> {
    edit_package_json(root, true)
}

/// Whether node_modules/.bin/prisma is the shim.
pub fn project_shim_installed(root: &Path) -> bool {
    let bin = prisma_bin_root(root).unwrap_or_else(|| root.to_path_buf()).join("node_modules/.bin/prisma");
    own_exe().is_ok_and(|exe| bin.exists() && is_ours(&bin, &exe))
}

/// Add (or remove) our `postinstall` fragment, keeping key order and other scripts.
fn edit_package_json(root: &Path, add: bool) -> Result<bool> {
    let path = root.join("package.json");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(false) };
    let mut pkg = PackageJson::parse(&path, &text)?;
    if !pkg.scripts_editable() {
        return Ok(false);
    }
    let current = pkg.script("postinstall").unwrap_or("").to_string();
    let new = if add {
        if current.contains("prisma-guard shim install") {
            return Ok(false);
        }
        if current.trim().is_empty() {
            POSTINSTALL.to_string()
        } else {
            // First, and never failing: the user's script runs after it unchanged, decides the
            // exit status, and may end in a `# comment`.
            format!("{POSTINSTALL}; {current}")
        }
    } else {
        if !current.contains(POSTINSTALL) {
            return Ok(false);
        }
        let rest = current.strip_prefix(&format!("{POSTINSTALL}; ")).unwrap_or(&current);
        // Also the form earlier versions wrote (` && ` after the user's script).
        rest.replace(&format!(" && {POSTINSTALL}"), "").replace(POSTINSTALL, "").trim().to_string()
    };
    if new.is_empty() {
        pkg.remove_script("postinstall")?;
    } else {
        pkg.set_script("postinstall", &new)?;
    }
    if !add {
        pkg.drop_empty_scripts()?;
    }
    crate::install::write_keeping_mode(&path, &pkg.into_text())?;
    Ok(true)
}

/// One covered (or not) entry point.
#[derive(Debug)]
pub struct Coverage {
    pub entry: &'static str,
    pub covered: bool,
    pub detail: String,
    pub fix: String,
}

/// Which entry points lead through prisma-guard.
pub fn status(root: &Path, shim_dir: &Path, path_var: Option<std::ffi::OsString>) -> Result<Vec<Coverage>> {
    let exe = own_exe()?;
    let mut out = Vec::new();
    let first_on_path = which::which_in("prisma", path_var.as_ref(), root).ok();
    out.push(match &first_on_path {
        Some(p) if is_ours(p, &exe) => {
            Coverage { entry: "prisma on PATH", covered: true, detail: p.display().to_string(), fix: String::new() }
        }
        Some(p) => Coverage {
            entry: "prisma on PATH",
            covered: false,
            detail: format!("{} is the real prisma", p.display()),
            fix: format!("prisma-guard shim install, then put {} first on PATH", shim_dir.display()),
        },
        // No prisma on PATH is nothing to cover: npx and npm scripts use node_modules/.bin.
        None => Coverage {
            entry: "prisma on PATH",
            covered: true,
            detail: "none (npx and npm scripts use node_modules/.bin/prisma)".into(),
            fix: String::new(),
        },
    });
    let bin = prisma_bin_root(root).unwrap_or_else(|| root.to_path_buf()).join("node_modules/.bin/prisma");
    // Installed from npm, prisma-guard is on no one's PATH: the fix goes through npx.
    let fix = if is_npm_platform_binary(&exe) {
        "npx @prisma-guard/cli shim install --project"
    } else {
        "prisma-guard shim install --project"
    };
    let replaced = bin.with_file_name(ORIGINAL_NAME).symlink_metadata().is_ok();
    out.push(if bin.exists() && is_ours(&bin, &exe) {
        Coverage {
            entry: "node_modules/.bin/prisma (npx, npm scripts)",
            covered: true,
            detail: "prisma-guard shim".into(),
            fix: String::new(),
        }
    } else {
        Coverage {
            entry: "node_modules/.bin/prisma (npx, npm scripts)",
            covered: false,
            detail: match (bin.symlink_metadata().is_ok(), replaced) {
                // The shim was there: a package manager made its own link again.
                (true, true) => "the real prisma again: a package manager re-created its link over the shim (npm install -D X, pnpm add X and installs with scripts blocked run no postinstall); the agent and git hooks put the shim back at their next run".into(),
                (true, false) => "the real prisma".into(),
                (false, _) => "missing".into(),
            },
            fix: fix.into(),
        }
    });
    let pkg = std::fs::read_to_string(root.join("package.json")).unwrap_or_default();
    out.push(if pkg.contains("prisma-guard shim install") {
        Coverage {
            entry: "package.json postinstall",
            covered: true,
            detail: "re-installs the shim after npm install".into(),
            fix: String::new(),
        }
    } else {
        Coverage {
            entry: "package.json postinstall",
            covered: false,
            detail: "npm install will restore the unguarded link".into(),
            fix: fix.into(),
        }
    });
    Ok(out)
}
