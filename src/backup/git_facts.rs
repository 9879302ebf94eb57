//! Git facts for manifests.

use std::path::Path;

use crate::backup::store::manifest::GitInfo;

/// The commit, branch and dirtiness of the repository holding `dir`, if any.
pub fn info(dir: &Path) -> Option<GitInfo> {
    let repo = git2::Repository::discover(dir).ok()?;
    let head = repo.head().ok()?;
    let commit = head.peel_to_commit().ok()?.id().to_string();
    let branch = head.is_branch().then(|| head.shorthand().map(str::to_string)).flatten();
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    let dirty = repo.statuses(Some(&mut opts)).map(|s| !s.is_empty()).unwrap_or(false);
    Some(GitInfo { commit, branch, dirty })
}
