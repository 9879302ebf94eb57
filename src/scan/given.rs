//! The paths typed after `scan`, made repository-relative (files of a scanned kind named
//! without a `stat`), and the working tree scanned under them: folders walked, files read.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::source::Source;
use super::{Options, Scanned};
use crate::error::Failure;

/// Scan the working tree under `given` (everything when empty); `paths` as typed, for a
/// folder named like a file and for the error naming a missing one.
pub fn scan_worktree(
    root: &Path,
    repo: Option<&git2::Repository>,
    paths: &[PathBuf],
    cwd_abs: &Path,
    mut given: Vec<Given>,
    opts: &Options,
    unreadable_config: &dyn Fn(String) -> Failure,
) -> Result<Scanned> {
    let config_error = std::cell::RefCell::new(None);
    let no_reader = std::cell::RefCell::new(Vec::new());
    let tree = |given: &[Given]| {
        let mut dirs = std::collections::BTreeMap::new();
        let mut all = Vec::new();
        let mut extra = Vec::new();
        let mut shebang = Vec::new();
        let mut sql = Vec::new();
        let whole = [Given { rel: String::new(), what: What::Folder, typed: 0 }];
        for g in if given.is_empty() { &whole[..] } else { given } {
            if g.what != What::Folder {
                // A file given by name: no walk. One whose name says nothing is read as its
                // `#!` line says, else reported as not scanned (never "no findings").
                if opts.kind(&g.rel).is_none() && !opts.excluded(&g.rel) {
                    match super::walk::shebang_of(&root.join(&g.rel)) {
                        Some(kind) => shebang.push((g.rel.clone(), kind)),
                        // A SQL file: the scripts that run it are scanned instead (the
                        // pre-commit framework passes it alone when it changes).
                        None if g.rel.to_ascii_lowercase().ends_with(".sql") => {
                            sql.push(g.rel.clone());
                            continue;
                        }
                        None => {
                            no_reader.borrow_mut().push(g.rel.clone());
                            continue;
                        }
                    }
                }
                all.push(g.rel.clone());
                continue;
            }
            let walked = super::walk(root, &root.join(&g.rel), repo, opts);
            if let Some(e) = &walked.config_error {
                config_error.replace(Some(e.clone()));
            }
            all.extend(walked.paths);
            dirs.extend(walked.migration_dirs);
            extra.extend(walked.config_dirs);
            shebang.extend(walked.shebang);
        }
        let mut opts = opts.clone();
        opts.migration_dirs.extend(extra);
        opts.shebang.extend(shebang);
        let source = Source::WorkTree { root: root.to_path_buf(), dirs };
        if let (false, Some(index)) = (sql.is_empty(), repo.and_then(|r| r.index().ok())) {
            let listing = super::related::list(&source, Some(root), Some(&index));
            all.extend(super::related::dependents(&source, &listing, &sql, &opts));
        }
        super::scan(&source, all, &opts)
    };
    let mut scanned = tree(&given);
    if let Some(e) = config_error.borrow_mut().take() {
        return Err(unreadable_config(e).into());
    }
    let folder_named = scanned.unreadable.iter().any(|(p, e)| {
        e.kind() == std::io::ErrorKind::IsADirectory && given.iter().any(|g| g.what == What::Named && g.rel == *p)
    });
    if folder_named {
        // A folder named like a file (`deploy.sh/`): look at every path, and walk that one.
        given = resolve(paths, cwd_abs, root, |_| false)?;
        scanned = tree(&given);
    }
    no_reader.borrow_mut().sort();
    no_reader.borrow_mut().dedup();
    for rel in no_reader.take() {
        let why = "not scanned: prisma-guard has no reader for this kind of file (no `#!` line of a shell or node script either)";
        scanned.unreadable.push((rel, std::io::Error::new(std::io::ErrorKind::InvalidInput, why)));
    }
    if scanned.files == 0 && scanned.unreadable.is_empty() {
        warn_schema_without_files(root, &given);
    }
    if !scanned.missing.is_empty() {
        let missing: std::collections::BTreeSet<&str> = scanned.missing.iter().map(String::as_str).collect();
        if let Some(g) = given.iter().find(|g| g.what == What::Named && missing.contains(g.rel.as_str())) {
            return Err(no_such(&paths[g.typed]).into());
        }
    }
    Ok(scanned)
}

/// Nothing scanned beside a Prisma schema: its migrations are somewhere the scan does not
/// look (a link out of the repository, a folder no config names), which is no "clean".
fn warn_schema_without_files(root: &Path, given: &[Given]) {
    let folders: Vec<&str> = if given.is_empty() {
        vec![""]
    } else {
        given.iter().filter(|g| g.what == What::Folder).map(|g| g.rel.as_str()).collect()
    };
    for folder in folders {
        let found = ["prisma/schema.prisma", "schema.prisma", "prisma/schema"]
            .into_iter()
            .map(|s| if folder.is_empty() { s.to_string() } else { format!("{folder}/{s}") })
            .find(|rel| root.join(rel).exists());
        if let Some(schema) = found {
            crate::ui::Printer::default().warn(format!(
                "0 files scanned, but {schema} is here: its migrations were not found (a migrations folder outside the repository, or one no prisma.config.ts names?); name it with `migrations: {{ path: ... }}` in prisma.config.ts, or scan it by path"
            ));
            return;
        }
    }
}

/// A relative path of plain names: no `.` or `..` parts, no empty ones (`a//b`, a trailing
/// `/`), no backslash.
fn plain_relative(p: &str) -> bool {
    !p.is_empty() && !p.contains('\\') && p.split('/').all(|part| !matches!(part, "" | "." | ".."))
}

/// A path from the command line, repository-relative.
pub struct Given {
    pub rel: String,
    pub what: What,
    /// Its index among the paths given, to name it as typed.
    pub typed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Folder,
    File,
    /// A file of a scanned kind, not looked at: reading it tells whether it is there.
    Named,
}

fn no_such(typed: &Path) -> Failure {
    Failure::usage(format!("cannot scan {}: no such file or folder", typed.display()))
        .hint("give files or folders that exist")
}

/// Whether `rel` names a file the scan reads (so reading it is the check that it is there).
pub fn named_file(rel: &str, opts: &Options) -> bool {
    opts.kind(rel).is_some() && !opts.excluded(rel)
}

/// The paths given, repository-relative; each is looked at (`stat`) unless `unlooked` says
/// reading it will do.
pub fn resolve(paths: &[PathBuf], cwd_abs: &Path, root: &Path, unlooked: impl Fn(&str) -> bool) -> Result<Vec<Given>> {
    // The working folder, repository-relative ("" at the root), when it is inside.
    let cwd_rel = cwd_abs.strip_prefix(root).ok().and_then(Path::to_str).map(|r| r.replace('\\', "/"));
    let look = |abs: &Path, typed: &Path| std::fs::metadata(abs).map_err(|_| no_such(typed));
    paths
        .iter()
        .enumerate()
        .map(|(typed, p)| {
            // A plain relative path (no `.`, `..` or empty parts), the usual form from a hook
            // or a glob, is joined as it is: hundreds of them stay cheap.
            if let (Some(base), Some(plain)) = (&cwd_rel, p.to_str().filter(|s| plain_relative(s))) {
                let rel = if base.is_empty() { plain.to_string() } else { format!("{base}/{plain}") };
                if unlooked(&rel) {
                    return Ok(Given { rel, what: What::Named, typed });
                }
                let what = if look(&cwd_abs.join(plain), p)?.is_dir() { What::Folder } else { What::File };
                return Ok(Given { rel, what, typed });
            }
            // Lexical, not canonicalize: `..` stays within what was typed.
            let abs = crate::config::lexical_normalize(&if p.is_absolute() { p.clone() } else { cwd_abs.join(p) });
            let meta = look(&abs, p)?;
            let rel = abs.strip_prefix(root).map(|r| r.to_string_lossy().replace('\\', "/")).map_err(|_| {
                Failure::usage(format!("{} is outside the repository at {}", p.display(), root.display()))
            })?;
            Ok(Given { rel, what: if meta.is_dir() { What::Folder } else { What::File }, typed })
        })
        .collect()
}
