//! What a commit, a push or `--since` changes without changing a scanned file: a SQL file a
//! script runs (`prisma db execute --file sql/x.sql`, `psql -f sql/x.sql`), the file a
//! symbolic-link `migration.sql` points at, and a migrations folder that is a symbolic link
//! (Prisma follows it). The files that run them are scanned with the change, so the hooks
//! judge what the scripts and migrations now run, not only the files the commit names.

use std::path::Path;

use super::extract::Kind;
use super::{Options, Source};

const LINK: u32 = 0o120_000;
const GITLINK: u32 = 0o160_000;

/// Every file `source` holds (repository-relative), with the repository path a symbolic link
/// leads to (`None` for a plain file, or a link that leaves the repository), and whether it
/// is a submodule (a gitlink).
pub struct Listing {
    pub files: Vec<(String, Option<String>)>,
    pub submodules: Vec<String>,
}

/// The entries of `source` (an index or a commit; a working tree is listed from `index`,
/// the repository's index, with its links read from disk).
pub fn list(source: &Source, root: Option<&Path>, index: Option<&git2::Index>) -> Listing {
    let mut out = Listing { files: Vec::new(), submodules: Vec::new() };
    let mut push = |rel: String, mode: u32, target: &dyn Fn() -> Option<String>| {
        if mode & 0o170_000 == GITLINK {
            out.submodules.push(rel);
        } else if mode & 0o170_000 == LINK {
            let to = target().and_then(|t| resolve(&rel, &t));
            out.files.push((rel, to));
        } else {
            out.files.push((rel, None));
        }
    };
    match source {
        Source::Index { repo, index } => {
            for e in index.iter() {
                let rel = String::from_utf8_lossy(&e.path).into_owned();
                let target = || repo.find_blob(e.id).ok().map(|b| String::from_utf8_lossy(b.content()).into_owned());
                push(rel, e.mode, &target);
            }
        }
        Source::Tree { repo, commit } => {
            let Some(tree) = repo.find_commit(*commit).ok().and_then(|c| c.tree().ok()) else { return out };
            let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                let mode = u32::try_from(e.filemode()).unwrap_or(0);
                if e.kind() == Some(git2::ObjectType::Tree) {
                    return git2::TreeWalkResult::Ok;
                }
                let rel = format!("{dir}{}", e.name().unwrap_or(""));
                let target = || repo.find_blob(e.id()).ok().map(|b| String::from_utf8_lossy(b.content()).into_owned());
                push(rel, mode, &target);
                git2::TreeWalkResult::Ok
            });
        }
        Source::WorkTree { .. } => {
            let (Some(root), Some(index)) = (root, index) else { return out };
            for e in index.iter() {
                let rel = String::from_utf8_lossy(&e.path).into_owned();
                let abs = root.join(&rel);
                let target = || std::fs::read_link(&abs).ok().map(|t| t.to_string_lossy().into_owned());
                push(rel, e.mode, &target);
            }
        }
    }
    out
}

/// The repository path the link at `rel` with text `target` names; `None` when it leaves
/// the repository.
fn resolve(rel: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The folders that migrations folders which are symbolic links lead to: read as migrations
/// folders (their `*/migration.sql` are migrations), as Prisma reads them through the link.
pub fn linked_migration_dirs(listing: &Listing, opts: &Options) -> Vec<String> {
    listing
        .files
        .iter()
        .filter_map(|(rel, to)| {
            let to = to.as_ref()?;
            let named = rel.rsplit('/').next() == Some("migrations") || opts.migration_dirs.contains(rel);
            named.then(|| to.clone())
        })
        .collect()
}

/// The files to scan with `changed`: links to a changed file, and command files naming a
/// changed SQL file (only its name is looked for: the scan then reads what the line runs).
pub fn dependents(source: &Source, listing: &Listing, changed: &[String], opts: &Options) -> Vec<String> {
    let mut out = Vec::new();
    for (rel, to) in &listing.files {
        if to.as_ref().is_some_and(|t| changed.contains(t)) && opts.kind(rel).is_some() {
            out.push(rel.clone());
        }
    }
    let names: Vec<&str> = changed
        .iter()
        .filter(|p| opts.kind(p).is_none() && p.to_ascii_lowercase().ends_with(".sql"))
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    if !names.is_empty() {
        for (rel, _) in &listing.files {
            // Files of commands (JS/TS sources aside: a monorepo holds thousands of them).
            let runs = matches!(opts.kind(rel), Some(k) if k != Kind::Migration && k != Kind::Script);
            if runs && !changed.contains(rel) && source.read(rel).is_some_and(|t| names.iter().any(|n| t.contains(n))) {
                out.push(rel.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `paths` with the files that run what they change and the files of changed submodules
/// (a submodule bump brings its files' new versions), and `opts` with the migrations
/// folders reached through links. Returns the submodules whose new commit cannot be read.
pub fn widen(
    source: &Source,
    listing: &Listing,
    paths: &mut Vec<String>,
    opts: &mut Options,
) -> Vec<(String, std::io::Error)> {
    for d in linked_migration_dirs(listing, opts) {
        if !opts.migration_dirs.contains(&d) {
            opts.migration_dirs.push(d);
        }
    }
    let mut unreadable = Vec::new();
    let subs: Vec<String> =
        paths.iter().filter(|p| source.gitlink(p).is_some() || listing.submodules.contains(p)).cloned().collect();
    for sub in subs {
        match submodule_files(source, &sub) {
            Ok(files) => paths.extend(files),
            Err(why) => unreadable.push((sub, std::io::Error::new(std::io::ErrorKind::NotFound, why))),
        }
    }
    let more = dependents(source, listing, paths, opts);
    paths.extend(more);
    paths.sort();
    paths.dedup();
    unreadable
}

/// Every file of the submodule at `sub` (repository-relative paths), as `source` has it.
fn submodule_files(source: &Source, sub: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    if let Source::WorkTree { root, .. } = source {
        // Checked out: its files on disk.
        let mut stack = vec![root.join(sub)];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).map_err(|e| format!("{sub}: {e}"))?.flatten() {
                let Ok(t) = e.file_type() else { continue };
                let name = e.file_name().to_string_lossy().into_owned();
                if t.is_dir() && name != ".git" && name != "node_modules" {
                    stack.push(e.path());
                } else if t.is_file() {
                    if let Ok(rel) = e.path().strip_prefix(root) {
                        out.push(rel.to_string_lossy().replace('\\', "/"));
                    }
                }
            }
        }
        if out.is_empty() {
            return Err(format!("the submodule {sub} is not checked out, so what it brings was not checked (run `git submodule update --init {sub}`)"));
        }
        return Ok(out);
    }
    let Some(tree) = source.submodule_tree(sub)? else { return Ok(out) };
    let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() == Some(git2::ObjectType::Blob) {
            out.push(format!("{sub}/{dir}{}", e.name().unwrap_or("")));
        }
        git2::TreeWalkResult::Ok
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_from_their_own_folder_and_not_out_of_the_repository() {
        assert_eq!(resolve("prisma/migrations/2_d/migration.sql", "../../../sql/x.sql").as_deref(), Some("sql/x.sql"));
        assert_eq!(resolve("a/migrations", "../shared/db").as_deref(), Some("shared/db"));
        assert_eq!(resolve("migrations", "../elsewhere"), None);
        assert_eq!(resolve("migrations", "/abs"), None);
    }
}
