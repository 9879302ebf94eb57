//! What prisma-guard installs into a project and takes out again: the prisma shims
//! ([`shim`]), git hooks ([`git_hooks`]), and `init`'s edits of the project's files
//! ([`edits`], written with [`jsonedit`] so `uninstall` restores them byte for byte).

pub mod edits;
pub mod git_hooks;
pub mod jsonedit;
pub mod shim;
