//! Finding the real Prisma CLI (never prisma-guard itself) and handing over to it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::error::fail;

/// Marker line in every shim script prisma-guard writes.
pub const SHIM_MARKER: &str = "prisma-guard-shim";
/// Environment variable counting nested prisma-guard hand-overs (loop guard).
pub const DEPTH_VAR: &str = crate::config::env::DEPTH;
/// Once chose another real prisma; now ignored with a warning (only `[guard] real_prisma` in
/// the project's own prisma-guard.toml can: another prisma could skip the checks).
pub const REAL_PRISMA_VAR: &str = crate::config::env::REAL_PRISMA;
const MAX_DEPTH: u32 = 3;

/// How to start the real prisma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealPrisma {
    /// An executable (a link into node_modules, a global install).
    Exec(PathBuf),
    /// `node <script>`: the CLI file inside `node_modules/prisma`.
    Node { node: PathBuf, script: PathBuf },
    /// Either of the above, run in a given folder (prisma-guard's `-C`): the folder the
    /// guard judged is the one prisma runs in.
    In(Box<RealPrisma>, PathBuf),
}

impl RealPrisma {
    pub fn run_in(self, dir: &Path) -> RealPrisma {
        RealPrisma::In(Box::new(self), dir.to_path_buf())
    }

    pub fn command(&self, args: &[String]) -> Command {
        let mut cmd = match self {
            RealPrisma::Exec(p) => Command::new(p),
            RealPrisma::Node { node, script } => {
                let mut c = Command::new(node);
                c.arg(script);
                c
            }
            RealPrisma::In(inner, dir) => {
                let mut c = inner.command(args);
                c.current_dir(dir);
                return c;
            }
        };
        cmd.args(args);
        cmd.env(DEPTH_VAR, child_depth().to_string());
        cmd
    }

    /// The file that runs: the link or script (for finding the `prisma` package it belongs to).
    pub fn cli_file(&self) -> Option<&Path> {
        match self {
            RealPrisma::Exec(p) => Some(p),
            RealPrisma::Node { script, .. } => Some(script),
            RealPrisma::In(inner, _) => inner.cli_file(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            RealPrisma::Exec(p) => p.display().to_string(),
            RealPrisma::Node { node, script } => format!("{} {}", node.display(), script.display()),
            RealPrisma::In(inner, dir) => format!("{} (in {})", inner.describe(), dir.display()),
        }
    }
}

/// The hand-over depth a child prisma is given.
pub fn child_depth() -> u32 {
    current_depth() + 1
}

fn current_depth() -> u32 {
    crate::config::env::depth()
}

/// Refuse when prisma-guard has already handed over to itself too many times.
pub fn check_loop() -> Result<()> {
    if current_depth() >= MAX_DEPTH {
        return Err(fail(format!(
            "prisma-guard is calling itself in a loop ({DEPTH_VAR}={}): the `prisma` it found is prisma-guard again",
            current_depth()
        ))
        .hint("point prisma-guard at the real CLI: `[guard] real_prisma` in prisma-guard.toml")
        .into());
    }
    Ok(())
}

/// Whether `path` is prisma-guard: our own binary (by canonical path) or one of our shims.
pub fn is_ours(path: &Path, own_exe: &Path) -> bool {
    if let (Ok(a), Ok(b)) = (path.canonicalize(), own_exe.canonicalize()) {
        if a == b {
            return true;
        }
    }
    // Shim scripts are small; read the start only.
    use std::io::Read;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    String::from_utf8_lossy(&head[..n]).contains(SHIM_MARKER)
}

/// Find the real prisma for a project at `cwd`: the override, then the project's
/// `node_modules` (walking up), then PATH. Candidates that are prisma-guard are skipped.
pub fn find(cwd: &Path, override_path: Option<&Path>, path_var: Option<OsString>) -> Result<RealPrisma> {
    let own = std::env::current_exe().unwrap_or_default();
    if let Some(p) = override_path {
        if is_ours(p, &own) {
            return Err(fail(format!("{} (the configured real prisma) is prisma-guard itself", p.display()))
                .hint("set `[guard] real_prisma` in prisma-guard.toml to the Prisma CLI, e.g. node_modules/prisma/build/index.js")
                .into());
        }
        return Ok(if p.extension().is_some_and(|e| e == "js") {
            RealPrisma::Node { node: node(path_var.clone())?, script: p.to_path_buf() }
        } else {
            RealPrisma::Exec(p.to_path_buf())
        });
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let bin = d.join("node_modules/.bin/prisma");
        if bin.is_file() && !is_ours(&bin, &own) {
            return Ok(RealPrisma::Exec(bin));
        }
        let script = d.join("node_modules/prisma/build/index.js");
        if script.is_file() {
            return Ok(RealPrisma::Node { node: node(path_var.clone())?, script });
        }
        dir = d.parent();
    }
    let search = path_var.unwrap_or_default();
    if let Ok(found) = which::which_in_all("prisma", Some(&search), cwd) {
        for candidate in found {
            if !is_ours(&candidate, &own) {
                return Ok(RealPrisma::Exec(candidate));
            }
        }
    }
    Err(fail("cannot find the real Prisma CLI: no node_modules/prisma in this project or above, and no other `prisma` on PATH")
        .hint("install it (`npm install --save-dev prisma`), or name it in prisma-guard.toml: `[guard] real_prisma = \"path/to/prisma\"`")
        .into())
}

fn node(path_var: Option<OsString>) -> Result<PathBuf> {
    let search = path_var.unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    which::which_in("node", Some(&search), cwd).map_err(|_| {
        fail("`node` was not found on PATH, and the Prisma CLI is a Node.js program")
            .hint("install Node.js, or put it on PATH")
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_our_own_shims_and_finds_the_cli_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("node_modules/.bin")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/prisma/build")).unwrap();
        std::fs::write(
            root.join("node_modules/.bin/prisma"),
            format!("#!/bin/sh\n# {SHIM_MARKER}\nexec prisma-guard exec -- \"$@\"\n"),
        )
        .unwrap();
        std::fs::write(root.join("node_modules/prisma/build/index.js"), "").unwrap();
        let sub = root.join("packages/app");
        std::fs::create_dir_all(&sub).unwrap();
        let path = crate::config::env::path();
        match find(&sub, None, path).unwrap() {
            RealPrisma::Node { script, .. } => assert_eq!(script, root.join("node_modules/prisma/build/index.js")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nothing_found_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = find(dir.path(), None, Some(dir.path().as_os_str().to_owned())).unwrap_err();
        assert!(format!("{err:#}").contains("cannot find the real Prisma CLI"));
    }
}
