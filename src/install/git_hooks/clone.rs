//! A teammate's clone: `init`'s committed `postinstall` (run by `npm install`) also puts the
//! git hooks in, which a clone never carries in `.git/hooks`.

use std::path::Path;

use super::{install, install_hint, is_ours, locate, status, Manager, HOOKS};

/// What the postinstall did about the git hooks of the repository holding `root`.
#[derive(Debug, PartialEq, Eq)]
pub enum CloneHooks {
    /// Not a git repository, or git runs prisma-guard's scan already.
    Fine,
    /// Installed (or repaired) into the clone's own hooks folder: what changed.
    Installed(Vec<String>),
    /// Not done by itself (a foreign hook, a hook manager's own install missing): what to run.
    Missing(String),
}

/// Install the git hooks where that changes no one else's file: the clone's own hooks folder
/// (`.git/hooks`) holding no hook but prisma-guard's. Anything else is said, never done.
pub fn ensure(root: &Path) -> CloneHooks {
    let Ok(repo) = locate(root) else { return CloneHooks::Fine };
    if status(&repo).iter().all(|s| s.ok) {
        return CloneHooks::Fine;
    }
    if let (Manager::Git { dir }, None, None) = (&repo.manager, &repo.outside, &repo.unreachable_here) {
        let free = HOOKS.iter().all(|(name, _, _)| {
            let p = dir.join(name);
            !p.exists() || is_ours(&p)
        });
        if free {
            if let Ok(changes) = install(&repo, false) {
                return CloneHooks::Installed(changes);
            }
        }
    }
    CloneHooks::Missing(install_hint(&repo))
}
