//! The `node` Prisma will run with. Prisma's CLI is a Node program started through `node`
//! found on PATH (the `#!/usr/bin/env node` line of its bin file), with the
//! `node_modules/.bin` folders first when npx or a package manager runs it (pnpm's wrappers
//! even prefer a `node` beside them). A `node` that is a wrapper (a script, a compiled
//! launcher, a file in node_modules) can hand Prisma another environment, so another
//! database, than the one the guard's evaluation saw: unless every `node` Prisma could start
//! is one real Node binary, the database is not certain.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// The real Node binary (canonical path) Prisma will run with, `None` when there is no
/// `node` at all (Prisma cannot start either), or why it is not certain.
pub fn prisma_node(
    from: &Path,
    prisma_file: Option<&Path>,
    path_var: Option<&OsStr>,
) -> Result<Option<PathBuf>, String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    for dir in from.ancestors() {
        candidates.push(dir.join("node_modules/.bin/node"));
    }
    if let Some(dir) = prisma_file.and_then(Path::parent) {
        candidates.push(dir.join("node"));
    }
    // Present even as a broken link: a file named so is somebody's doing.
    candidates.retain(|c| c.symlink_metadata().is_ok());
    let cwd = std::env::current_dir().unwrap_or_else(|_| from.to_path_buf());
    for base in [from, cwd.as_path()] {
        if let Ok(found) = which::which_in("node", path_var, base) {
            candidates.push(found);
        }
    }
    let mut real: Option<PathBuf> = None;
    for candidate in &candidates {
        let canonical = check(candidate)?;
        match &real {
            Some(r) if *r != canonical => {
                return Err(format!(
                    "two different `node` programs could start Prisma ({} and {})",
                    r.display(),
                    candidate.display()
                ))
            }
            Some(_) => {}
            None => real = Some(canonical),
        }
    }
    Ok(real)
}

/// The canonical path of a `node` that is a Node binary itself, or why it is not.
fn check(node: &Path) -> Result<PathBuf, String> {
    let canonical = node.canonicalize().map_err(|e| format!("{} cannot be followed: {e}", node.display()))?;
    if canonical.components().any(|c| c == Component::Normal(OsStr::new("node_modules"))) {
        return Err(format!("{} is a file inside node_modules, not Node.js itself", node.display()));
    }
    if !is_binary(&canonical) {
        return Err(format!("{} is a script or wrapper, not the Node.js binary", node.display()));
    }
    Ok(canonical)
}

/// An ELF or Mach-O executable (not a `#!` script).
fn is_binary(path: &Path) -> bool {
    let mut head = [0u8; 4];
    match std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)) {
        Ok(()) => matches!(
            head,
            [0x7f, b'E', b'L', b'F']
                | [0xfe, 0xed, 0xfa, 0xce | 0xcf]
                | [0xce | 0xcf, 0xfa, 0xed, 0xfe]
                | [0xca, 0xfe, 0xba, 0xbe]
        ),
        Err(_) => false,
    }
}

/// Whether the Node that ran (its `process.execPath`) is the file that was started: a
/// compiled launcher that starts the real Node (with an environment of its own) is not.
pub fn same_node(started: &Path, exec_path: &Path) -> Result<(), String> {
    match (started.canonicalize(), exec_path.canonicalize()) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        _ => {
            Err(format!("{} is a launcher that starts {}, not Node.js itself", started.display(), exec_path.display()))
        }
    }
}

/// Run `node` once and compare the Node that ran with the file started (for commands
/// without Prisma's own config loader, which reports the same).
pub fn probe(node: &Path) -> Result<(), String> {
    let out = std::process::Command::new(node)
        .args(["-e", "process.stdout.write('@@' + process.execPath)"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("could not start {}: {e}", node.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.rsplit_once("@@") {
        Some((_, exec)) if out.status.success() => same_node(node, Path::new(exec)),
        _ => Err(format!("{} did not answer as Node.js does", node.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_files_in_node_modules_are_not_node() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("node_modules/.bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("node"), "#!/bin/sh\nexec /usr/bin/node \"$@\"\n").unwrap();
        let why = prisma_node(dir.path(), None, Some(OsStr::new(""))).unwrap_err();
        assert!(why.contains("not Node.js itself") || why.contains("script"), "{why}");
        std::fs::remove_file(bin.join("node")).unwrap();
        assert_eq!(prisma_node(dir.path(), None, Some(OsStr::new(""))), Ok(None));
    }
}
