//! A folder's entries, named and typed (`std::fs::read_dir`, the type as the directory entry
//! gives it, without following symlinks).

use std::path::Path;

/// What an entry is, as `std::fs::FileType` tells without following a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Dir,
    File,
    /// A symlink, device, socket...: neither walked into nor read.
    Other,
}

impl EntryKind {
    fn of(ft: std::fs::FileType) -> EntryKind {
        if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        }
    }
}

/// The entries of `dir` but `.` and `..`, in no particular order; names that are not UTF-8
/// made so (lossily). An entry whose kind cannot be told is left out, as
/// `std::fs::read_dir` leaves out entries it cannot read.
pub fn list(dir: &Path) -> std::io::Result<Vec<(String, EntryKind)>> {
    Ok(std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().unwrap_or_else(|n| n.to_string_lossy().into_owned());
            Some((name, EntryKind::of(e.file_type().ok()?)))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_named_and_typed_without_following_symlinks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir(root.join("20240101000000_init")).expect("mkdir");
        std::fs::write(root.join("名前.sql"), "x").expect("write");
        std::os::unix::fs::symlink("20240101000000_init", root.join("link")).expect("symlink");
        let mut got = list(root).expect("listed");
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            vec![
                ("20240101000000_init".to_string(), EntryKind::Dir),
                ("link".to_string(), EntryKind::Other),
                ("名前.sql".to_string(), EntryKind::File),
            ]
        );
    }
}
