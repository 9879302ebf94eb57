//! `scan --staged` (the pre-commit hook): the files staged for the commit, read from git's
//! index, with the migration folders the staged configs name; what the committed version
//! already had is not new, and an AI agent may not commit prisma-guard's own settings.

use std::path::PathBuf;

use anyhow::Result;

use super::source::{self, Source};
use super::{Options, Scanned};
use crate::error::Failure;
use crate::ExitStatus;

/// Scan the staged files `under` allows. `near`: the paths given, for the configs' lookup.
pub fn staged(
    repo: git2::Repository,
    root: &std::path::Path,
    near: &[PathBuf],
    opts: &mut Options,
    under: &dyn Fn(&str) -> bool,
    unreadable_config: &dyn Fn(String) -> Failure,
) -> Result<Scanned> {
    let git_dir = repo.path().to_path_buf();
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id());
    let (src, paths) = source::staged(repo)?;
    // The configs as this commit has them: `git commit -a` and `git commit <paths>` stage
    // a changed `migrations.path` in the index git names, not in the default one.
    opts.migration_dirs =
        super::prisma_dirs::config_migration_dirs(root, None, Some(&src), near).map_err(unreadable_config)?;
    // When the staged configs and the working tree's disagree (a changed `migrations.path`
    // left unstaged, to be committed next): the folders the working tree's configs name are
    // migrations too. Scanning one more folder is the safe side.
    if let Ok(repo) = git2::Repository::open(&git_dir) {
        let more = super::prisma_dirs::config_migration_dirs(root, Some(&repo), None, near).unwrap_or_default();
        for d in more {
            if !opts.migration_dirs.contains(&d) {
                opts.migration_dirs.push(d);
            }
        }
    }
    // prisma-guard.toml and the scan baseline decide what the guard allows once
    // committed: an AI agent may not commit them (a person does).
    if let Some(agent) = crate::agents::markers::detect_current() {
        let settings = [crate::config::FILE_NAME, super::baseline::FILE_NAME];
        if let Some(p) = paths.iter().find(|p| settings.iter().any(|f| p.rsplit('/').next() == Some(*f))) {
            return Err(Failure::new(format!(
                "an AI agent ({agent}) may not commit {p}: it decides what prisma-guard allows, so a person commits it"
            ))
            .status(ExitStatus::Refused)
            .hint(format!("leave {p} out of this commit (`git restore --staged {p}`), and ask the user to commit it"))
            .into());
        }
    }
    // With the files that run what the commit changes (a SQL file a script runs, the target
    // of a linked migration.sql) and the migrations folders that are links.
    let mut paths = paths;
    super::prisma_dirs::looks_like_migrations(&src, &paths, &mut opts.migration_dirs);
    let listing = super::related::list(&src, None, None);
    let unreadable = super::related::widen(&src, &listing, &mut paths, opts);
    let paths: Vec<String> = paths.into_iter().filter(|p| under(p)).collect();
    let mut scanned = super::scan(&src, paths.clone(), opts);
    scanned.unreadable.extend(unreadable);
    // What the committed version of a changed file already had is not new: a commit that
    // touches package.json is not blocked by the db:reset script it always had (the
    // baseline's rule, with HEAD as the baseline).
    if let (Some(commit), Ok(repo)) = (head, git2::Repository::open(&git_dir)) {
        let base = Source::Tree { repo, commit };
        scanned.base_baseline = Some(super::baseline::in_source(&base));
        let before = super::scan(&base, paths, opts);
        let known: Vec<super::baseline::Entry> = before.findings.iter().map(super::baseline::entry).collect();
        scanned.drop_old(&known);
    }
    Ok(scanned)
}
