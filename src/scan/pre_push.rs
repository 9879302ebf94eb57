//! `scan --pre-push` (the pre-push hook): every commit pushed, each read from git with the
//! migration folders its own configs name.

use anyhow::Result;

use super::source::{self, Source};
use super::{Options, Scanned};
use crate::error::Failure;

/// Scan what the refs git gave the hook on its input (`input`) push to `remote`.
pub fn pre_push(
    repo: git2::Repository,
    input: &str,
    remote: Option<&str>,
    opts: &Options,
    under: &dyn Fn(&str) -> bool,
    unreadable_config: &dyn Fn(String) -> Failure,
) -> Result<Scanned> {
    let refs = source::parse_push_lines(input);
    // git gives a pre-push hook no ref lines when there is nothing to push ("Everything
    // up-to-date"), and also when something earlier in the hook read them first. The
    // second must not pass as clean: with commits no remote-tracking branch holds, say so.
    if refs.is_empty() {
        if let Some(n) = source::unpushed_head(&repo) {
            return Err(Failure::usage(format!(
                "the pre-push scan got no pushed refs from git on its input, but HEAD has {n} commit(s) no remote-tracking branch holds: something earlier in the hook may have read git's input, so what is pushed cannot be checked"
            ))
            .hint("run `prisma-guard hooks install` (it puts prisma-guard's line first in the hook, with its own copy of the input); if the push really has nothing to send, run `git fetch` so the remote-tracking branches are current")
            .into());
        }
    }
    let mut total = Scanned::default();
    let git_dir = repo.path().to_path_buf();
    for (src, paths, bases) in source::pushed(repo, &refs, remote)? {
        // The migration folders the pushed commit's configs name, not the working tree's.
        let mut opts = opts.clone();
        opts.migration_dirs = super::prisma_dirs::source_migration_dirs(&src).map_err(unreadable_config)?;
        // With the files that run what the push changes, and linked migrations folders.
        let mut paths = paths;
        super::prisma_dirs::looks_like_migrations(&src, &paths, &mut opts.migration_dirs);
        let listing = super::related::list(&src, None, None);
        let unreadable = super::related::widen(&src, &listing, &mut paths, &mut opts);
        let paths: Vec<String> = paths.into_iter().filter(|p| under(p)).collect();
        let mut scanned = super::scan(&src, paths.clone(), &opts);
        scanned.unreadable.extend(unreadable);
        // Judged by what the pushed commits add, as the pre-commit hook judges a commit: what
        // the files already had where the push starts (the remote's tip, or the commits the
        // new branch grew from) is not new.
        let mut before = Vec::new();
        let mut baselines = Vec::new();
        for &commit in &bases {
            let base = Source::Tree { repo: git2::Repository::open(&git_dir)?, commit };
            baselines.push(super::baseline::in_source(&base));
            let mut base_opts = opts.clone();
            if let Ok(dirs) = super::prisma_dirs::source_migration_dirs(&base) {
                base_opts.migration_dirs = dirs;
            }
            let found = super::scan(&base, paths.clone(), &base_opts);
            before.push(found.findings.iter().map(super::baseline::entry).collect());
        }
        scanned.drop_old(&super::baseline::most_of(before));
        // History pushed from its first commit has no base: its own baseline counts.
        scanned.base_baseline = (!bases.is_empty()).then(|| super::baseline::most_of(baselines));
        total.add(scanned);
    }
    Ok(total)
}
