//! The backup directory: dumps, checksums, manifests, listing, verification, retention.

pub mod compress;
pub mod crypt;
pub mod io;
pub mod lock;
pub mod manifest;
pub mod retention;
pub mod verify;
pub mod write;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::error::fail;
pub use compress::Compression;
pub use manifest::Manifest;

/// A directory of backups.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// A backup id reserved in the folder; dropping it (saved or failed) frees the reservation.
#[derive(Debug)]
pub struct IdHold {
    pub id: String,
    path: PathBuf,
}

impl Drop for IdHold {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A manifest that could not be read, reported but not fatal for listing.
#[derive(Debug)]
pub struct Unreadable {
    pub path: PathBuf,
    pub error: String,
}

impl Store {
    /// Open the directory, creating it (0700) when missing.
    pub fn create(dir: &Path) -> Result<Store> {
        if !dir.exists() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create the backup directory {}", dir.display()))?;
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("could not make {} private (0700)", dir.display()))?;
        Ok(Store { dir: dir.to_path_buf() })
    }

    /// Open an existing directory for reading.
    pub fn open(dir: &Path) -> Store {
        Store { dir: dir.to_path_buf() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    pub fn dump_path(&self, manifest: &Manifest) -> PathBuf {
        self.dir.join(&manifest.file.name)
    }

    pub fn checksum_path(&self, manifest: &Manifest) -> PathBuf {
        self.dir.join(format!("{}.sha256", manifest.file.name))
    }

    /// A new, unused, sortable id: `20261123T144432Z` plus `-label` and a counter on collision.
    pub fn new_id(&self, now: SystemTime, label: Option<&str>) -> String {
        let stamp = humantime::format_rfc3339_seconds(now).to_string().replace([':', '-'], "");
        let mut base = stamp;
        if let Some(label) = label.map(sanitize_label).filter(|l| !l.is_empty()) {
            base = format!("{base}-{label}");
        }
        let mut id = base.clone();
        let mut n = 2;
        while self.manifest_path(&id).exists() || self.has_files_for(&id) || self.reservation(&id).exists() {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// A new id for a backup, reserved with an exclusive create until the hold is dropped: two
    /// runs never get the same id, lock or no lock.
    pub fn reserve_new_id(&self, now: SystemTime, label: Option<&str>) -> IdHold {
        loop {
            let id = self.new_id(now, label);
            if self.reserve(&id) {
                return IdHold { path: self.reservation(&id), id };
            }
        }
    }

    fn reservation(&self, id: &str) -> PathBuf {
        self.dir.join(format!(".{id}.reserved"))
    }

    /// Claim `id`; false when another run has.
    fn reserve(&self, id: &str) -> bool {
        match std::fs::OpenOptions::new().write(true).create_new(true).open(self.reservation(id)) {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            // A folder we cannot write to: the backup fails on its own file with a clear error.
            Err(_) => true,
        }
    }

    fn has_files_for(&self, id: &str) -> bool {
        std::fs::read_dir(&self.dir)
            .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with(&format!("{id}."))))
            .unwrap_or(false)
    }

    /// All readable manifests, newest first, plus the ones that could not be read.
    pub fn list(&self) -> Result<(Vec<Manifest>, Vec<Unreadable>)> {
        let mut manifests = Vec::new();
        let mut bad = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((manifests, bad)),
            Err(e) => return Err(e).with_context(|| format!("could not read {}", self.dir.display())),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            match read_manifest(&path) {
                Ok(m) => match m.check_names() {
                    Ok(()) => manifests.push(m),
                    Err(why) => bad.push(Unreadable { path, error: format!("not used: {why}") }),
                },
                Err(e) => bad.push(Unreadable { path, error: format!("{e:#}") }),
            }
        }
        Manifest::sort_newest_first(&mut manifests, crate::backup::store::unix_now(std::time::SystemTime::now()));
        Ok((manifests, bad))
    }

    /// Find a backup by id, unique id prefix, or `latest`.
    pub fn resolve(&self, selector: &str) -> Result<Manifest> {
        let (all, _) = self.list()?;
        if selector == "latest" {
            // The newest backup of the data as the user had it: not a safety copy a restore
            // took of the state it replaced (that is `latest-safety`, or its id).
            let newest = all.iter().find(|m| !m.is_safety_copy()).or_else(|| all.first());
            return newest.cloned().ok_or_else(|| {
                fail(format!("there are no backups in {}", self.dir.display()))
                    .hint("take one with `prisma-guard backup`")
                    .into()
            });
        }
        if selector == "latest-safety" {
            return all.into_iter().find(Manifest::is_safety_copy).ok_or_else(|| {
                fail(format!("there is no safety backup in {}", self.dir.display()))
                    .hint("a restore takes one of the state it replaces; list backups with `prisma-guard backups`")
                    .into()
            });
        }
        if let Some(m) = all.iter().find(|m| m.id == selector) {
            return Ok(m.clone());
        }
        let matches: Vec<&Manifest> = all.iter().filter(|m| m.id.starts_with(selector)).collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                let orphan = self.has_files_for(selector);
                let msg = if orphan {
                    format!("backup `{selector}` has no manifest ({}.json is missing), so it cannot be checked or restored by prisma-guard", selector)
                } else {
                    format!("no backup `{selector}` in {}", self.dir.display())
                };
                let hint = if orphan {
                    "see docs/restore-by-hand.md to restore the dump without prisma-guard, or list usable backups with `prisma-guard backups`"
                } else {
                    "list backups with `prisma-guard backups`"
                };
                Err(fail(msg).hint(hint).into())
            }
            many => Err(fail(format!(
                "`{selector}` matches {} backups: {}",
                many.len(),
                many.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
            ))
            .hint("give more of the id")
            .into()),
        }
    }

    /// Dump files that have no manifest beside them (a manifest deleted by hand).
    pub fn orphan_dumps(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut out: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if name.starts_with('.') {
                    return false;
                }
                let Some((id, rest)) = name.split_once('.') else { return false };
                let is_dump = [".zst", ".gz", ".zst.age", ".gz.age"]
                    .iter()
                    .any(|x| rest.ends_with(x) && !rest.ends_with(".sha256"));
                is_dump && !self.manifest_path(id).exists()
            })
            .collect();
        out.sort();
        out
    }

    /// Temporary files left by a backup whose process died (killed, power loss).
    pub fn dead_temp_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if !name.starts_with('.') {
                    return false;
                }
                if let Some(stem) = name.strip_suffix(".tmp") {
                    // `.<name>.<pid>.tmp`, written by io::AtomicFile.
                    let pid = stem.rsplit('.').next().and_then(|p| p.parse::<u32>().ok());
                    return pid.is_some_and(|pid| !crate::process::pid_alive(pid));
                }
                // SQLite snapshots (tempfile names) and id reservations of runs that died:
                // stale after a day.
                (name.starts_with(".sqlite-snapshot-") || name.ends_with(".reserved"))
                    && p.metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age.as_secs() > 86_400)
            })
            .collect()
    }

    /// Keep a dump brought in from elsewhere (a remote): the file moved into place, its
    /// `.sha256` line, then its manifest.
    pub fn keep(&self, file: io::AtomicFile, manifest: &Manifest) -> Result<()> {
        file.commit()?;
        self.write_checksum(&manifest.file.name, &manifest.file.sha256)?;
        self.save_manifest(manifest)
    }

    /// `<name>.sha256`, the line `sha256sum -c` accepts.
    pub fn write_checksum(&self, name: &str, sha256: &str) -> Result<()> {
        io::write_atomic(&self.dir.join(format!("{name}.sha256")), format!("{sha256}  {name}\n").as_bytes())?;
        Ok(())
    }

    /// Save a manifest atomically.
    pub fn save_manifest(&self, manifest: &Manifest) -> Result<()> {
        let json = serde_json::to_vec_pretty(manifest)?;
        io::write_atomic(&self.manifest_path(&manifest.id), &json)?;
        Ok(())
    }

    /// The last verify and restore-test results of backups since deleted (see [`Store::delete`]).
    pub fn last_checks(&self) -> LastChecks {
        std::fs::read(self.dir.join(LAST_CHECKS))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Keep `manifest`'s verify and restore-test results where `status` finds them once the
    /// backup is gone, when they are the newest on record.
    fn remember_checks(&self, manifest: &Manifest) -> Result<()> {
        let mut last = self.last_checks();
        let newer = |kept: &Option<RememberedCheck>, v: &Option<manifest::Verified>| match (kept, v) {
            (_, None) => None,
            (Some(k), Some(v)) if k.check.at >= v.at => None,
            (_, Some(v)) => Some(RememberedCheck { id: manifest.id.clone(), check: v.clone() }),
        };
        let (v, r) = (newer(&last.verified, &manifest.verified), newer(&last.restore_tested, &manifest.restore_tested));
        if v.is_none() && r.is_none() {
            return Ok(());
        }
        last.verified = v.or(last.verified);
        last.restore_tested = r.or(last.restore_tested);
        io::write_atomic(&self.dir.join(LAST_CHECKS), &serde_json::to_vec_pretty(&last)?)?;
        Ok(())
    }

    /// Delete every file of a backup (dump, checksum, manifest last). Its verify and
    /// restore-test results outlive it (`status` still knows when the last ones ran).
    pub fn delete(&self, manifest: &Manifest) -> Result<()> {
        self.remember_checks(manifest)?;
        for path in [self.dump_path(manifest), self.checksum_path(manifest), self.manifest_path(&manifest.id)] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("could not delete {}", path.display())),
            }
        }
        Ok(())
    }
}

fn read_manifest(path: &Path) -> Result<Manifest> {
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a prisma-guard manifest", path.display()))
}

fn sanitize_label(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(48)
        .collect()
}

/// Where the results of deleted backups' checks are kept, in the backup folder.
const LAST_CHECKS: &str = ".last-checks.json";

/// The newest verify and restore-test results of backups since deleted.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct LastChecks {
    #[serde(default)]
    pub verified: Option<RememberedCheck>,
    #[serde(default)]
    pub restore_tested: Option<RememberedCheck>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RememberedCheck {
    pub id: String,
    #[serde(flatten)]
    pub check: manifest::Verified,
}

pub fn unix_now(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sortable_labelled_and_unique() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        let id = store.new_id(t, Some("before reset!"));
        assert_eq!(id, "20261118T110640Z-before-reset");
        std::fs::write(store.manifest_path(&id), "{}").unwrap();
        assert_eq!(store.new_id(t, Some("before reset!")), "20261118T110640Z-before-reset-2");
        // Reserved, not yet saved: a second run in the same second gets the next id.
        let a = store.reserve_new_id(t, None);
        let b = store.reserve_new_id(t, None);
        assert_ne!(a.id, b.id);
        let held = dir.path().join(format!(".{}.reserved", a.id));
        assert!(held.exists());
        drop(a);
        assert!(!held.exists());
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
