//! What prisma-guard installs into a project and takes out again: the prisma shims
//! ([`shim`]), git hooks ([`git_hooks`]), and `init`'s edits of the project's files
//! ([`edits`], written with [`jsonedit`] so `uninstall` restores them byte for byte;
//! package.json through [`package_json`], by `init`, `shim install` and `uninstall` alike);
//! how those files call prisma-guard (by name, or from the project's node_modules: [`invoke`]).

pub mod edits;
pub mod git_hooks;
pub mod invoke;
pub mod jsonedit;
pub mod package_json;
pub mod shim;

use std::path::Path;

use anyhow::{Context, Result};

/// Write `text` to a file of the user's project atomically. An existing file keeps its mode;
/// a new one is 0644.
pub fn write_keeping_mode(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
    crate::backup::store::io::write_atomic(path, text.as_bytes())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("could not set the mode of {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package.json");
        write_keeping_mode(&path, "{}\n").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o644);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_keeping_mode(&path, "{\"name\": \"a\"}\n").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o600);
    }
}
