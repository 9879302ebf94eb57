//! How the files prisma-guard writes into a project (agent hooks, MCP settings, git hooks)
//! call it. Installed with install.sh or cargo, by name from PATH. In a project that installs
//! it from npm (`@prisma-guard/cli` in a package.json), prisma-guard is on no one's PATH:
//! those files call `node_modules/.bin/prisma-guard` by a path relative to the folder the
//! caller starts in (the repository's top, an agent's project folder), so the same committed
//! line works for every teammate once they have run `npm install`, and survives `npm ci`.

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

/// The npm package (its platform packages hold the native binary).
pub const NPM_PACKAGE: &str = "@prisma-guard/cli";
/// The link npm, pnpm, yarn and bun make for its `bin`.
pub const NPM_BIN: &str = "node_modules/.bin/prisma-guard";
/// What an agent (and through it, the user) reads when its hook finds no prisma-guard, in
/// node_modules/.bin or on PATH. No `'`, `!` or `: `, so that it sits in single-quoted shell,
/// YAML and JSON as is.
pub const NOT_INSTALLED: &str = "prisma-guard is not installed here (no node_modules/.bin/prisma-guard, none on PATH), so the agent hook of this project cannot check this tool call and refuses it. Ask the user to install it (npm install when package.json lists @prisma-guard/cli, else the prisma-guard README), then try again";

/// What an agent reads when prisma-guard is there but does not answer (npm's Node launcher
/// without `node` on the hook's PATH, a platform package missing, a crash). Same quoting rules.
pub const DID_NOT_ANSWER: &str = "prisma-guard is installed here but did not answer (node_modules/.bin/prisma-guard may be the npm launcher with no node on the hook PATH, or its platform package is missing), so the agent hook of this project cannot check this tool call and refuses it. Ask the user to run npm install, then npx @prisma-guard/cli doctor, then try again";

/// Whether the package.json in `dir` names @prisma-guard/cli as a dependency.
fn declares(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else { return false };
    let Ok(v) = serde_json::from_str::<Value>(crate::scan::extract::strip_bom(&text)) else { return false };
    ["devDependencies", "dependencies", "optionalDependencies"].iter().any(|k| v[k].get(NPM_PACKAGE).is_some())
}

/// The folder at or above `from` whose package.json installs prisma-guard from npm.
pub fn npm_root(from: &Path) -> Option<PathBuf> {
    let from = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
    from.ancestors().find(|d| declares(d)).map(Path::to_path_buf)
}

/// `to` relative to `from` (`/`-separated, "" for the same folder, `..` to go up); `None`
/// when one of them is relative or the path is not plain UTF-8 text.
pub fn relative(from: &Path, to: &Path) -> Option<String> {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| crate::config::lexical_normalize(p));
    let (from, to) = (canon(from), canon(to));
    if !from.is_absolute() || !to.is_absolute() {
        return None;
    }
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    for c in &b[common..] {
        parts.push(c.as_os_str().to_str()?.to_string());
    }
    Some(parts.join("/"))
}

/// The folder git runs hooks in and `git rev-parse --show-toplevel` prints: the nearest one at
/// or above `dir` with a `.git`; `dir` itself outside a repository.
pub fn repo_top(dir: &Path) -> PathBuf {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors().find(|d| d.join(".git").exists()).map_or(dir.clone(), Path::to_path_buf)
}

/// prisma-guard installed from npm: the path of `node_modules/.bin/prisma-guard`, relative to
/// the folder a file prisma-guard writes is meant for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmBin {
    /// Relative to the folder the files are in (an agent's project folder, where its
    /// settings are): `node_modules/.bin/prisma-guard`, `packages/db/node_modules/.bin/prisma-guard`.
    pub from_root: String,
    /// Relative to the repository's top (where git runs hooks).
    pub from_top: String,
}

impl NpmBin {
    /// For files in `files_root`, when the project in `project` (or a folder above it)
    /// installs prisma-guard from npm; `None`: prisma-guard is called by name.
    pub fn find(files_root: &Path, project: &Path) -> Option<NpmBin> {
        let npm = npm_root(project)?;
        let path = |from: &Path| {
            relative(from, &npm)
                .map(|rel| if rel.is_empty() { NPM_BIN.to_string() } else { format!("{rel}/{NPM_BIN}") })
        };
        Some(NpmBin { from_root: path(files_root)?, from_top: path(&repo_top(files_root))? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_go_down_and_up() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")).as_deref(), Some(""));
        assert_eq!(relative(Path::new("/a"), Path::new("/a/b/c")).as_deref(), Some("b/c"));
        assert_eq!(relative(Path::new("/a/b/c"), Path::new("/a/d")).as_deref(), Some("../../d"));
        assert_eq!(relative(Path::new("a"), Path::new("/a")), None);
    }

    #[test]
    fn the_npm_bin_is_found_from_the_package_json_that_installs_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("packages/db")).unwrap();
        std::fs::write(root.join("packages/db/package.json"), r#"{"devDependencies": {"prisma": "7"}}"#).unwrap();
        assert_eq!(NpmBin::find(&root, &root.join("packages/db")), None, "not installed from npm: by name");
        std::fs::write(root.join("package.json"), r#"{"devDependencies": {"@prisma-guard/cli": "0.1.0"}}"#).unwrap();
        let found = NpmBin::find(&root.join("packages/db"), &root.join("packages/db")).unwrap();
        assert_eq!(found.from_root, "../../node_modules/.bin/prisma-guard");
        assert_eq!(found.from_top, "node_modules/.bin/prisma-guard");
        for text in [NOT_INSTALLED, DID_NOT_ANSWER] {
            assert!(!text.contains(['\'', '!']) && !text.contains(": "), "{text}");
        }
    }
}
