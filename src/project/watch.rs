//! The files that decide which database Prisma uses (the Prisma config, the modules and JSON
//! it imports, the .env files it loads, the schema, and the config names Prisma would find
//! first), as they were when prisma-guard resolved the database. Checked again just before
//! Prisma starts: a file rewritten between the check and the run (an agent swapping the
//! config while the backup runs) stops the command instead of sending Prisma elsewhere.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Paths and what each held when it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watched {
    files: Vec<(PathBuf, Seen)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Not there (or not readable).
    Missing,
    /// Its SHA-256.
    Digest([u8; 32]),
    /// Read twice with different contents while the database was resolved.
    Unstable,
}

impl Watched {
    /// Record `path` as it is now (once; a path already recorded keeps its first state).
    pub fn add(&mut self, path: &Path) {
        if !self.files.iter().any(|(p, _)| same(p, path)) {
            let seen = digest(path).map_or(Seen::Missing, Seen::Digest);
            self.files.push((path.to_path_buf(), seen));
        }
    }

    /// Record `path` as it was when read (`None`: not there): the content that was judged,
    /// not the file as it is a moment later.
    pub fn add_content(&mut self, path: &Path, content: Option<&[u8]>) {
        let seen = content.map_or(Seen::Missing, |c| Seen::Digest(Sha256::digest(c).into()));
        self.add_seen(path, seen);
    }

    /// Record what a reader elsewhere (Prisma's config loader) saw of `path`.
    pub fn add_seen(&mut self, path: &Path, seen: Seen) {
        match self.files.iter_mut().find(|(p, _)| same(p, path)) {
            Some((_, old)) if *old != seen => *old = Seen::Unstable,
            Some(_) => {}
            None => self.files.push((path.to_path_buf(), seen)),
        }
    }

    pub fn extend<P: AsRef<Path>>(&mut self, paths: impl IntoIterator<Item = P>) {
        for p in paths {
            self.add(p.as_ref());
        }
    }

    /// The recorded files whose content (or existence) differs from when they were recorded.
    pub fn changed(&self) -> Vec<&Path> {
        self.files
            .iter()
            .filter(|(p, seen)| match seen {
                Seen::Missing => digest(p).is_some(),
                Seen::Digest(d) => digest(p).as_ref() != Some(d),
                Seen::Unstable => true,
            })
            .map(|(p, _)| p.as_path())
            .collect()
    }

    /// What Prisma's config loader read: with its content's digest where it gave one.
    pub fn add_read(&mut self, read: &[(PathBuf, Option<Seen>)]) {
        for (path, seen) in read {
            match seen {
                Some(seen) => self.add_seen(path, seen.clone()),
                None => self.add(path),
            }
        }
    }
}

fn digest(path: &Path) -> Option<[u8; 32]> {
    let mut file = std::fs::File::open(path).ok()?;
    if file.metadata().ok()?.is_dir() {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(_) => return None,
        }
    }
    Some(hasher.finalize().into())
}

/// The same path as written (the paths recorded are built the same way, by joining names to
/// the project's folders). Comparing bytes, not components: a resolution records ~40 paths,
/// and comparing each new one component by component was a tenth of an agent hook's work.
/// Two spellings of one file are both recorded and both checked, which is safe.
fn same(a: &Path, b: &Path) -> bool {
    a.as_os_str() == b.as_os_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_created_or_removed_file_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
        std::fs::write(&a, "one").unwrap();
        std::fs::write(&c, "three").unwrap();
        let mut w = Watched::default();
        w.extend([&a, &b, &c]);
        assert!(w.changed().is_empty());
        std::fs::write(&a, "one").unwrap();
        assert!(w.changed().is_empty(), "the same content is no change");
        std::fs::write(&a, "uno").unwrap();
        std::fs::write(&b, "new").unwrap();
        std::fs::remove_file(&c).unwrap();
        assert_eq!(w.changed(), vec![a.as_path(), b.as_path(), c.as_path()]);
    }

    #[test]
    fn what_was_read_is_compared_not_the_file_a_moment_later() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, "swapped").unwrap();
        let mut w = Watched::default();
        w.add_content(&a, Some(b"judged"));
        w.add(&a);
        assert_eq!(w.changed(), vec![a.as_path()]);
        let mut w = Watched::default();
        w.add_content(&a, Some(b"swapped"));
        assert!(w.changed().is_empty());
        w.add_seen(&a, Seen::Missing);
        assert_eq!(w.changed(), vec![a.as_path()], "seen two ways: unstable");
    }
}
