//! What a path written on a command line reaches beyond its letters: a shell pattern that
//! matches the database, a folder holding it or a file inside a protected folder (`rm -- */*.zst`
//! with the backups one folder down, `rm -rf **`, `rm -f !(package.json)`), and a path that goes
//! through a symbolic link (`node_modules/@acme/db/dev.db` is `packages/db/dev.db` in a
//! workspace).

use std::path::{Component, Path, PathBuf};

use super::data::Hit;

/// Whether a word holds an extended pattern (`!(x)`, `@(a|b)`, `+(x)`, `*(x)`, `?(x)`).
pub fn extended(word: &str) -> bool {
    ["!(", "@(", "+(", "*(", "?("].iter().any(|p| word.contains(p))
}

/// Whether the absolute pattern `glob` matches `f`, a folder holding it, or (when `f` is a
/// folder) something inside it.
pub fn reaches(glob: &str, f: &Path) -> bool {
    let Some(re) = super::tamper::glob_regex(glob, false, false) else { return false };
    // The file itself or a folder above it (a recursive removal takes what is inside).
    if f.ancestors().filter(|a| a.parent().is_some()).any(|a| re.is_match(&a.display().to_string())) {
        return true;
    }
    // A folder (the backups): the pattern's first parts match it, the rest match inside.
    if !f.is_dir() {
        return false;
    }
    let depth = f.components().count();
    let parts: Vec<&str> = glob.split('/').collect();
    // `/p/backups` is ["", "p", "backups"]: as many parts as the folder has components.
    if parts.len() <= depth {
        return false;
    }
    let head = parts[..depth].join("/");
    super::tamper::glob_regex(&head, false, false).is_some_and(|re| re.is_match(&f.display().to_string()))
}

/// `base` (absolute, as written) read through the links on the way: what it names when that
/// differs from the letters. The last part stays as written unless `slash` (`rm -rf link`
/// removes the link, `rm -rf link/` what it points to).
pub fn through_links(base: &Path, slash: bool, files: &[PathBuf]) -> Option<Hit> {
    let (dir, last) = match (slash, base.parent(), base.file_name()) {
        (false, Some(parent), Some(name)) => (parent, Some(name)),
        _ => (base, None),
    };
    // The longest part that is there, resolved; the rest joined as written.
    let mut rest: Vec<Component<'_>> = Vec::new();
    let mut at = dir;
    let resolved = loop {
        if let Ok(real) = std::fs::canonicalize(at) {
            break real;
        }
        rest.extend(at.file_name().map(Component::Normal));
        at = at.parent()?;
    };
    let mut real = resolved;
    real.extend(rest.iter().rev());
    real.extend(last);
    if real == base {
        return None;
    }
    files.iter().find_map(|f| {
        let f = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        if real == f {
            Some(Hit::File)
        } else if f.starts_with(&real) && real.parent().is_some() {
            Some(Hit::Folder)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_reach_folders_and_files_inside_them() {
        let dir = tempfile::tempdir().unwrap();
        let backups = dir.path().join("backups");
        std::fs::create_dir(&backups).unwrap();
        let root = dir.path().display().to_string();
        assert!(reaches(&format!("{root}/*/*.zst"), &backups));
        assert!(reaches(&format!("{root}/**/*.zst"), &backups));
        assert!(reaches(&format!("{root}/!(package.json)"), &dir.path().join("dev.db")));
        assert!(reaches(&format!("{root}/*"), &dir.path().join("prisma/dev.db")));
        assert!(!reaches(&format!("{root}/*.log"), &dir.path().join("dev.db")));
        assert!(!reaches(&format!("{root}/*/*.zst"), &dir.path().join("dev.db")));
        assert!(!reaches(&format!("{root}/src/*"), &backups));
    }

    #[test]
    fn paths_through_links_name_what_they_point_to() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("packages/db");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::create_dir_all(dir.path().join("node_modules/@acme")).unwrap();
        std::os::unix::fs::symlink("../../packages/db", dir.path().join("node_modules/@acme/db")).unwrap();
        let db = std::fs::canonicalize(&pkg).unwrap().join("dev.db");
        let files = [db];
        let link = dir.path().join("node_modules/@acme/db");
        assert_eq!(through_links(&link.join("dev.db"), false, &files), Some(Hit::File));
        assert_eq!(through_links(&link, true, &files), Some(Hit::Folder));
        // `rm -rf node_modules/@acme/db` removes the link only.
        assert_eq!(through_links(&link, false, &files), None);
        assert_eq!(through_links(&dir.path().join("node_modules"), false, &files), None);
    }
}
