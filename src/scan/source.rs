//! Where scanned files come from: the working tree, the git index (pre-commit: staged
//! content, not the working tree), or a commit's tree (pre-push: what is being pushed).
//! Paths are repository-relative with `/` separators.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub enum Source {
    /// `dirs`: sub-folder listings already made (by [`super::walk`]), by folder.
    WorkTree {
        root: PathBuf,
        dirs: BTreeMap<String, Vec<String>>,
    },
    Index {
        repo: git2::Repository,
        index: git2::Index,
    },
    Tree {
        repo: git2::Repository,
        commit: git2::Oid,
    },
}

impl Source {
    /// The text of `rel` (invalid UTF-8 replaced), or `None` when it does not exist there.
    pub fn read(&self, rel: &str) -> Option<String> {
        match self {
            Source::WorkTree { root, .. } => read_file_checked(&root.join(rel)).ok().flatten(),
            Source::Index { repo, .. } | Source::Tree { repo, .. } => {
                let id = self.blob_id(rel).ok().flatten()?;
                blob_text(repo, id)
            }
        }
    }

    /// The entry `rel` names in the index or the commit: its mode and blob.
    fn entry(&self, rel: &str) -> Option<(u32, git2::Oid)> {
        let direct = match self {
            Source::WorkTree { .. } => None,
            Source::Index { index, .. } => index.get_path(Path::new(rel), 0).map(|e| (e.mode, e.id)),
            Source::Tree { repo, commit } => (|| {
                let tree = repo.find_commit(*commit).ok()?.tree().ok()?;
                let entry = tree.get_path(Path::new(rel)).ok()?;
                Some((u32::try_from(entry.filemode()).unwrap_or(0), entry.id()))
            })(),
        };
        direct.or_else(|| self.through_submodule(rel))
    }

    /// The commit a submodule at `rel` is at in the index or the commit (a gitlink).
    pub fn gitlink(&self, rel: &str) -> Option<git2::Oid> {
        const GITLINK: u32 = 0o160_000;
        let (mode, id) = match self {
            Source::WorkTree { .. } => return None,
            Source::Index { index, .. } => index.get_path(Path::new(rel), 0).map(|e| (e.mode, e.id))?,
            Source::Tree { repo, commit } => {
                let entry = repo.find_commit(*commit).ok()?.tree().ok()?.get_path(Path::new(rel)).ok()?;
                (u32::try_from(entry.filemode()).unwrap_or(0), entry.id())
            }
        };
        (mode & 0o170_000 == GITLINK).then_some(id)
    }

    /// The tree of the submodule at `rel` as this version records it, its objects read from
    /// the submodule's own repository; an error when that commit is not there.
    pub fn submodule_tree(&self, rel: &str) -> Result<Option<git2::Tree<'_>>, String> {
        let (Source::Index { repo, .. } | Source::Tree { repo, .. }) = self else { return Ok(None) };
        let Some(commit) = self.gitlink(rel) else { return Ok(None) };
        if repo.find_commit(commit).is_err() {
            // The submodule's objects: its own git folder (`.git/modules/<name>`).
            let objects = repo
                .find_submodule(rel)
                .ok()
                .and_then(|m| m.open().ok())
                .map(|r| r.path().join("objects"))
                .or_else(|| Some(repo.path().join("modules").join(rel).join("objects")).filter(|p| p.is_dir()));
            if let (Some(objects), Ok(odb)) = (objects, repo.odb()) {
                let _ = odb.add_disk_alternate(&objects.to_string_lossy());
            }
        }
        let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(|_| {
            format!("the submodule {rel} is at commit {commit}, which this clone does not have, so what it brings was not checked (run `git submodule update --init {rel}`; in CI, check out submodules)")
        })?;
        Ok(Some(tree))
    }

    /// An entry inside a submodule (`prisma/migrations` a submodule, `rel` a file in it).
    fn through_submodule(&self, rel: &str) -> Option<(u32, git2::Oid)> {
        for (i, _) in rel.match_indices('/') {
            if let Ok(Some(tree)) = self.submodule_tree(&rel[..i]) {
                let entry = tree.get_path(Path::new(&rel[i + 1..])).ok()?;
                return Some((u32::try_from(entry.filemode()).unwrap_or(0), entry.id()));
            }
        }
        None
    }

    /// The blob `rel` holds in the index or the commit, symbolic links followed as a checkout
    /// (and so Prisma) would follow them: a link's text is a path from its own folder.
    /// `Ok(None)` when `rel` is not there; an error for a link that leads nowhere there
    /// (dangling, absolute, out of the repository, or a loop), which a scan must not read
    /// as the SQL (the link's text) or skip.
    fn blob_id(&self, rel: &str) -> std::io::Result<Option<git2::Oid>> {
        const MAX_LINKS: usize = 16;
        const LINK: u32 = 0o120_000;
        let (Source::Index { repo, .. } | Source::Tree { repo, .. }) = self else { return Ok(None) };
        let bad = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
        let mut path = rel.to_string();
        for _ in 0..MAX_LINKS {
            let Some((mode, id)) = self.entry(&path) else {
                return match path == rel {
                    true => Ok(None),
                    false => Err(bad(format!(
                        "it is a symbolic link to {path}, which is not in what is being committed or pushed"
                    ))),
                };
            };
            if mode & 0o170_000 != LINK {
                return Ok(Some(id));
            }
            let blob = repo.find_blob(id).map_err(|e| std::io::Error::other(e.message().to_string()))?;
            let target = String::from_utf8_lossy(blob.content()).into_owned();
            if target.starts_with('/') {
                return Err(bad(format!(
                    "it is a symbolic link to {target}, outside the repository, which the scan cannot read from git"
                )));
            }
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
            for part in target.split('/') {
                match part {
                    "" | "." => {}
                    ".." => {
                        if parts.pop().is_none() {
                            return Err(bad(format!(
                                "it is a symbolic link to {target}, outside the repository, which the scan cannot read from git"
                            )));
                        }
                    }
                    p => parts.push(p),
                }
            }
            path = parts.join("/");
        }
        Err(bad(format!("it is a symbolic link that leads through more than {MAX_LINKS} links")))
    }

    /// Like [`Source::read`], but a file that exists and cannot be read is an error (the
    /// scanned files themselves: a scan must not pass over what it could not read).
    pub fn read_checked(&self, rel: &str) -> std::io::Result<Option<String>> {
        let (Source::Index { repo, .. } | Source::Tree { repo, .. }) = self else {
            let Source::WorkTree { root, .. } = self else { return Ok(None) };
            return read_file_checked(&root.join(rel));
        };
        let Some(id) = self.blob_id(rel)? else { return Ok(None) };
        let blob = repo.find_blob(id).map_err(|e| std::io::Error::other(e.message().to_string()))?;
        if utf16(blob.content()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "it is UTF-16 text, which prisma-guard does not read (save it as UTF-8)",
            ));
        }
        if let Some(why) = not_the_text(repo, rel, blob.content()) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
        }
        Ok(Some(text_of(blob.content())))
    }

    /// Names of the sub-folders of `dir` (repository-relative), sorted: as the walk listed
    /// them (sorted, and unique as names in a folder are), or listed now.
    pub fn subdirs(&self, dir: &str) -> std::borrow::Cow<'_, [String]> {
        if let Source::WorkTree { dirs, .. } = self {
            if let Some(listed) = dirs.get(dir) {
                return std::borrow::Cow::Borrowed(listed);
            }
        }
        let mut out: Vec<String> = match self {
            // Folders, and links to folders (Prisma follows a linked migration folder).
            Source::WorkTree { root, .. } => std::fs::read_dir(root.join(dir))
                .map(|entries| {
                    entries
                        .flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir() || (t.is_symlink() && e.path().is_dir())))
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Source::Index { .. } | Source::Tree { .. } if self.gitlink(dir).is_some() => self
                .submodule_tree(dir)
                .ok()
                .flatten()
                .map(|t| {
                    t.iter()
                        .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                        .filter_map(|e| e.name().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            Source::Index { index, .. } => {
                let prefix = format!("{dir}/");
                let mut names: Vec<String> = index
                    .iter()
                    .filter_map(|e| {
                        let path = String::from_utf8(e.path).ok()?;
                        let rest = path.strip_prefix(&prefix)?;
                        let (first, _) = rest.split_once('/')?;
                        Some(first.to_string())
                    })
                    .collect();
                names.dedup();
                names
            }
            Source::Tree { repo, commit } => (|| {
                let tree = repo.find_commit(*commit).ok()?.tree().ok()?;
                let sub = tree.get_path(Path::new(dir)).ok()?.to_object(repo).ok()?.peel_to_tree().ok()?;
                Some(
                    sub.iter()
                        .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                        .filter_map(|e| e.name().map(str::to_string))
                        .collect(),
                )
            })()
            .unwrap_or_default(),
        };
        out.sort();
        out.dedup();
        std::borrow::Cow::Owned(out)
    }
}

/// A file's text (invalid UTF-8 replaced); `Ok(None)` when it does not exist, an error when
/// it exists but cannot be read (permissions, a folder where a file was expected, I/O).
pub fn read_file_checked(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            if utf16(&bytes) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "it is UTF-16 text, which prisma-guard does not read (save it as UTF-8)",
                ));
            }
            Ok(Some(text_into(bytes)))
        }
        // A symbolic link to nothing is there, and its migration cannot be checked.
        Err(e) if missing(&e) && std::fs::symlink_metadata(path).is_ok() => {
            let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
            Err(std::io::Error::new(e.kind(), format!("it is a symbolic link to {target}, which does not exist")))
        }
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// UTF-16 text (by its byte order mark): read as UTF-8 it would look like nothing.
fn utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

fn missing(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory)
}

/// Not UTF-8 (a Latin-1 comment, say): read it anyway, the SQL keywords are ASCII. A UTF-8
/// byte order mark is left out (tools that read the file skip it: sqlite3, psql, npm), so
/// the first statement is read as a statement. Offsets then count from after it.
fn text_of(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// As [`text_of`], without a copy when the bytes are UTF-8 without a byte order mark.
fn text_into(bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return text_of(&bytes);
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn blob_text(repo: &git2::Repository, id: git2::Oid) -> Option<String> {
    let blob = repo.find_blob(id).ok()?;
    Some(text_of(blob.content()))
}

/// Open the repository holding `dir`, if any.
pub fn open_repo(dir: &Path) -> Option<git2::Repository> {
    git2::Repository::discover(dir).ok()
}

/// The repository's working-tree root.
pub fn workdir(repo: &git2::Repository) -> Option<PathBuf> {
    repo.workdir().map(Path::to_path_buf)
}

fn delta_paths(diff: &git2::Diff<'_>, out: &mut Vec<String>) {
    for d in diff.deltas() {
        if d.status() == git2::Delta::Deleted {
            continue;
        }
        if let Some(p) = d.new_file().path().and_then(Path::to_str) {
            out.push(p.to_string());
        }
    }
}

/// Staged files (added, modified, renamed; not deleted) and the index to read them from: the
/// one git names in `GIT_INDEX_FILE` when it runs the hook (`git commit -a`, `git commit
/// <path>` build a temporary index), else the repository's.
pub fn staged(repo: git2::Repository) -> Result<(Source, Vec<String>)> {
    let index = match crate::config::env::git_index_file() {
        Some(path) => {
            let path = if path.is_absolute() {
                path
            } else {
                std::env::current_dir().context("cannot read the current directory")?.join(path)
            };
            git2::Index::open(&path)
                .with_context(|| format!("could not read the git index {} (GIT_INDEX_FILE)", path.display()))?
        }
        None => repo.index().context("could not read the git index")?,
    };
    let mut paths = Vec::new();
    {
        let head_tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let diff = repo
            .diff_tree_to_index(head_tree.as_ref(), Some(&index), None)
            .context("could not compare the index with HEAD")?;
        delta_paths(&diff, &mut paths);
    }
    paths.sort();
    paths.dedup();
    Ok((Source::Index { repo, index }, paths))
}

/// The commit `rev` names, once [`changed_since`] has accepted it.
pub fn commit_of(repo: &git2::Repository, rev: &str) -> Option<git2::Oid> {
    Some(repo.revparse_single(rev).ok()?.peel_to_commit().ok()?.id())
}

/// Files changed since `rev` (committed, staged, unstaged or untracked), read from the
/// working tree.
pub fn changed_since(repo: &git2::Repository, rev: &str) -> Result<Vec<String>> {
    let obj = repo.revparse_single(rev).map_err(|e| {
        let hint = if rev.contains('/') {
            format!("fetch it first (`git fetch {}`); in CI, check out the whole history (GitHub Actions: `fetch-depth: 0` in actions/checkout)", rev.split('/').next().unwrap_or("origin"))
        } else {
            "give a branch, tag or commit this repository has (`git branch -a` lists them)".to_string()
        };
        crate::error::Failure::usage(format!("`--since {rev}` is not a git revision here: {}", e.message())).hint(hint)
    })?;
    let tree = obj.peel_to_tree().with_context(|| format!("`{rev}` does not name a commit"))?;
    let mut opts = git2::DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let diff = repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))?;
    let mut paths = Vec::new();
    delta_paths(&diff, &mut paths);
    paths.sort();
    paths.dedup();
    Ok(paths)
}

const ZERO: &str = "0000000000000000000000000000000000000000";

/// One line git gives a pre-push hook on stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRef {
    pub local_ref: String,
    pub local_sha: String,
    pub remote_ref: String,
    pub remote_sha: String,
}

pub fn parse_push_lines(input: &str) -> Vec<PushRef> {
    input
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some(PushRef {
                local_ref: w.next()?.to_string(),
                local_sha: w.next()?.to_string(),
                remote_ref: w.next()?.to_string(),
                remote_sha: w.next()?.to_string(),
            })
        })
        .collect()
}

/// How many commits HEAD has that no remote-tracking branch holds (`None` when it has none,
/// or there is no HEAD commit).
pub fn unpushed_head(repo: &git2::Repository) -> Option<usize> {
    let head = repo.head().ok()?.peel_to_commit().ok()?.id();
    let mut walk = repo.revwalk().ok()?;
    walk.push(head).ok()?;
    for reference in repo.references_glob("refs/remotes/*").ok()?.flatten() {
        if let Some(oid) = reference.target() {
            let _ = walk.hide(oid);
        }
    }
    let n = walk.take(10_000).count();
    (n > 0).then_some(n)
}

/// The remote-tracking refs that say what `remote` already has: its own (`refs/remotes/
/// <remote>/*`); when the remote is not known, only each remote's default branch (its `HEAD`,
/// else `main` or `master`), since a branch fetched from a fork is on no other remote.
fn known_to_remote(repo: &git2::Repository, remote: Option<&str>) -> Vec<git2::Oid> {
    if let Some(remote) = remote {
        let Ok(refs) = repo.references_glob(&format!("refs/remotes/{remote}/*")) else { return Vec::new() };
        return refs.flatten().filter_map(|r| r.resolve().ok()?.target()).collect();
    }
    let mut out = Vec::new();
    for name in repo.remotes().map(|r| r.iter().flatten().map(str::to_string).collect()).unwrap_or_else(|_| Vec::new())
    {
        let default = ["HEAD", "main", "master"]
            .iter()
            .find_map(|b| repo.find_reference(&format!("refs/remotes/{name}/{b}")).ok()?.resolve().ok()?.target());
        match default {
            Some(oid) => out.push(oid),
            // A default branch of another name (`develop`) with no `HEAD` recorded: the
            // branches of that remote that local branches track (what was pulled from it).
            None => out.extend(upstreams_on(repo, &name)),
        }
    }
    out
}

/// The tips of `remote`'s branches that local branches track (`branch.<name>.merge`).
fn upstreams_on(repo: &git2::Repository, remote: &str) -> Vec<git2::Oid> {
    let prefix = format!("refs/remotes/{remote}/");
    let Ok(branches) = repo.branches(Some(git2::BranchType::Local)) else { return Vec::new() };
    branches
        .flatten()
        .filter_map(|(b, _)| {
            let up = b.upstream().ok()?;
            let r = up.get();
            r.name().is_some_and(|n| n.starts_with(&prefix)).then(|| r.resolve().ok()?.target()).flatten()
        })
        .collect()
}

/// One pushed ref: its tip to read files from, the files its new commits change, and the
/// commits they start from (outside the push).
pub type Pushed = (Source, Vec<String>, Vec<git2::Oid>);

/// Why what git holds for `rel` is not the file's text, if it is not: a Git LFS pointer, or
/// content stored through a clean filter (`filter=NAME` in .gitattributes with a
/// `filter.NAME.clean` or `.process` command configured), which the scan cannot undo.
fn not_the_text(repo: &git2::Repository, rel: &str, content: &[u8]) -> Option<String> {
    if content.starts_with(b"version https://git-lfs.github.com/spec/") {
        return Some("it is a Git LFS pointer: git holds a reference to the file, not its text".into());
    }
    let flags = git2::AttrCheckFlags::INDEX_THEN_FILE;
    let value = repo.get_attr_bytes(Path::new(rel), "filter", flags).ok().flatten()?;
    let git2::AttrValue::Bytes(name) = git2::AttrValue::always_bytes(Some(value)) else { return None };
    let name = String::from_utf8_lossy(name).into_owned();
    let config = repo.config().ok()?;
    let configured = ["clean", "process"].iter().any(|k| config.get_string(&format!("filter.{name}.{k}")).is_ok());
    configured.then(|| {
        format!("git stores it through the `{name}` clean filter (.gitattributes), so what is committed is not the file's text")
    })
}

/// The commit `id` is or names (an annotated tag, peeled however deep), if this clone has it.
fn peel_commit(repo: &git2::Repository, id: git2::Oid) -> Option<git2::Oid> {
    Some(repo.find_object(id, None).ok()?.peel_to_commit().ok()?.id())
}

/// For each pushed ref (deleted refs skipped): the files its new commits change, read from
/// the pushed commit. A new branch's commits are those the remote pushed to (`remote`, when
/// known) has on none of its remote-tracking branches.
pub fn pushed(repo: git2::Repository, refs: &[PushRef], remote: Option<&str>) -> Result<Vec<Pushed>> {
    let mut out = Vec::new();
    let path = repo.path().to_path_buf();
    for r in refs {
        if r.local_sha.chars().all(|c| c == '0') {
            continue; // deleting a remote ref: nothing to scan
        }
        let sha = git2::Oid::from_str(&r.local_sha).with_context(|| format!("bad sha on stdin: {}", r.local_sha))?;
        // An annotated tag pushes a tag object: what it publishes is the commit it names.
        let Some(tip) = peel_commit(&repo, sha) else {
            continue; // a tag of a tree or blob pushes no commits
        };
        let mut walk = repo.revwalk()?;
        walk.push(tip)?;
        // The remote's tip, when this clone has that commit: what is new is what it lacks.
        let known = (r.remote_sha != ZERO && !r.remote_sha.chars().all(|c| c == '0'))
            .then(|| git2::Oid::from_str(&r.remote_sha).ok())
            .flatten()
            .and_then(|remote| peel_commit(&repo, remote));
        if let Some(remote) = known {
            walk.hide(remote)?;
        } else {
            // A new branch, or a remote tip this clone never fetched (a force-push over a
            // teammate's commit): hide everything the remote's tracking refs already have,
            // never rescan all history (and never count a fork's branches as pushed).
            let mut hidden = false;
            for oid in known_to_remote(&repo, remote) {
                hidden |= walk.hide(oid).is_ok();
            }
            if !hidden && remote.is_some() {
                // The first push to a new remote: what is new is what no remote is known to
                // have (each remote's default branch). Never a local branch: a commit made
                // with --no-verify on `main` and never pushed is on no remote, and a branch
                // made from it must not carry it through unchecked.
                for oid in known_to_remote(&repo, None) {
                    let _ = walk.hide(oid);
                }
            }
            // With no remote-tracking branch at all, nothing is known to be published: every
            // commit is new (a committed baseline keeps an old repository's findings quiet).
        }
        let mut paths = Vec::new();
        let mut new = std::collections::HashSet::new();
        let mut parents = Vec::new();
        for oid in walk {
            let commit = repo.find_commit(oid?)?;
            new.insert(commit.id());
            parents.extend(commit.parent_ids());
            let tree = commit.tree()?;
            let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
            let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
            delta_paths(&diff, &mut paths);
        }
        paths.sort();
        paths.dedup();
        // Where the pushed commits start: their parents outside the push (the remote's tip,
        // the commits a new branch grew from). None for history pushed from its first commit.
        let mut bases: Vec<git2::Oid> = parents.into_iter().filter(|p| !new.contains(p)).collect();
        bases.sort();
        bases.dedup();
        let repo = git2::Repository::open(&path)?;
        out.push((Source::Tree { repo, commit: tip }, paths, bases));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_whole_missing_ones_are_none_and_folders_an_error() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("prisma/migrations/1_a"))?;
        std::fs::create_dir_all(root.join("prisma/migrations/2_b"))?;
        std::fs::write(root.join("prisma/migrations/1_a/migration.sql"), "DROP TABLE a;")?;
        std::fs::write(root.join("prisma/migrations/2_b/migration.sql"), b"-- caf\xe9\nDROP TABLE b;")?;
        std::fs::write(root.join("package.json"), "{}")?;
        std::fs::write(root.join("prisma/x.sql"), "SELECT 1;")?;
        let read = |rel: &str| read_file_checked(&root.join(rel)).map_err(|e| e.kind());
        let text = |s: &str| Ok(Some(s.to_string()));
        assert_eq!(read("prisma/migrations/1_a/migration.sql"), text("DROP TABLE a;"));
        // Invalid UTF-8 is replaced, not a reason to skip the file.
        assert_eq!(read("prisma/migrations/2_b/migration.sql"), text("-- caf\u{fffd}\nDROP TABLE b;"));
        assert_eq!(read("package.json"), text("{}"));
        assert_eq!(read("prisma/x.sql"), text("SELECT 1;"));
        // Missing files and folders are `None`.
        assert_eq!(read("prisma/migrations/3_c/migration.sql"), Ok(None));
        assert_eq!(read("nope/migrations/1_a/migration.sql"), Ok(None));
        assert_eq!(read("prisma/migrations/1_a/migration.sql/x"), Ok(None));
        assert_eq!(read("prisma/migrations/../migrations/1_a/migration.sql"), text("DROP TABLE a;"));
        // There but unreadable (a folder where the file should be): an error.
        std::fs::create_dir_all(root.join("prisma/migrations/4_d/migration.sql"))?;
        assert!(read("prisma/migrations/4_d/migration.sql").is_err());
        Ok(())
    }
}
