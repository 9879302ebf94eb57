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

    /// Claim `id`; false when another run has. The reservation (0600) names its run (pid
    /// and host), so that the next run can tell one whose process died.
    fn reserve(&self, id: &str) -> bool {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(self.reservation(id)) {
            Ok(mut f) => {
                let _ = writeln!(f, "{} {}", std::process::id(), lock::hostname());
                true
            }
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
                Ok(mut m) => match m.check_names() {
                    Ok(()) => {
                        m.dump_missing = !self.dump_path(&m).is_file();
                        manifests.push(m)
                    }
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

    /// What runs that died (killed, power loss) left in the folder: their temporary files,
    /// SQLite snapshot folders, id reservations and the files of the backup each was writing
    /// (which has no manifest: it never completed). A leftover names its run's pid; it is
    /// dead when that process is gone (on this host), else after a day.
    pub fn dead_temp_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        let mut out = Vec::new();
        for name in &names {
            let path = self.dir.join(name);
            let dead = if let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) {
                // `.<name>.<pid>.tmp`, written by io::AtomicFile.
                let pid = stem.rsplit('.').next().and_then(|p| p.parse::<u32>().ok());
                pid.is_some_and(run_is_gone)
            } else if let Some(rest) = name.strip_prefix(SNAPSHOT_PREFIX) {
                // `.sqlite-snapshot-<pid>-XXXXXX` (older ones carry no pid).
                let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
                pid.map_or_else(|| older_than_a_day(&path), run_is_gone)
            } else if let Some(id) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".reserved")) {
                let gone = match reservation_holder(&path) {
                    Some((pid, host)) if host == lock::hostname() => run_is_gone(pid),
                    _ => older_than_a_day(&path),
                };
                if gone && !self.manifest_path(id).exists() {
                    let prefix = format!("{id}.");
                    out.extend(names.iter().filter(|n| n.starts_with(&prefix)).map(|n| self.dir.join(n)));
                }
                gone
            } else {
                false
            };
            if dead {
                out.push(path);
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Remove what [`Store::dead_temp_files`] finds; returns what was removed.
    pub fn sweep_dead_files(&self) -> Vec<PathBuf> {
        self.dead_temp_files()
            .into_iter()
            .filter(|p| if p.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) }.is_ok())
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
        std::fs::read(self.dir.join(LAST_CHECKS)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
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

/// The folders SQLite snapshots are taken in, in the backup folder: `<prefix><pid>-XXXXXX`.
pub const SNAPSHOT_PREFIX: &str = ".sqlite-snapshot-";

/// Whether the run with this pid (on this host) has ended.
fn run_is_gone(pid: u32) -> bool {
    pid != std::process::id() && !crate::process::pid_alive(pid)
}

fn older_than_a_day(path: &Path) -> bool {
    path.symlink_metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 86_400)
}

/// The pid and host a reservation file names.
fn reservation_holder(path: &Path) -> Option<(u32, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (pid, host) = text.trim().split_once(' ')?;
    Some((pid.parse().ok()?, host.to_string()))
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

    #[test]
    fn leftovers_of_dead_runs_are_found_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        let host = lock::hostname();
        let dead = 4_194_999; // above the kernel's pid limit: no process has it
        let put = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        // A run killed between moving its dump into place and saving its manifest.
        put(".20261118T110640Z.reserved", &format!("{dead} {host}\n"));
        put("20261118T110640Z.sql.zst", "dump");
        put("20261118T110640Z.sql.zst.sha256", "sum");
        put(&format!(".20261118T110641Z.sql.zst.{dead}.tmp"), "partial");
        std::fs::create_dir(dir.path().join(format!("{SNAPSHOT_PREFIX}{dead}-abc123"))).unwrap();
        // A live run (this one), a backup with a manifest, another host's reservation.
        let live = store.reserve_new_id(SystemTime::now(), None);
        put(&format!(".x.sql.zst.{}.tmp", std::process::id()), "mine");
        std::fs::create_dir(dir.path().join(format!("{SNAPSHOT_PREFIX}{}-def456", std::process::id()))).unwrap();
        put(".20261118T110642Z.reserved", &format!("{dead} elsewhere\n"));
        put("20261118T110642Z.sql.zst", "dump");
        let names = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect()
        };
        let found = names(store.dead_temp_files());
        assert_eq!(
            found,
            vec![
                format!(".20261118T110640Z.reserved"),
                format!(".20261118T110641Z.sql.zst.{dead}.tmp"),
                format!("{SNAPSHOT_PREFIX}{dead}-abc123"),
                "20261118T110640Z.sql.zst".to_string(),
                "20261118T110640Z.sql.zst.sha256".to_string(),
            ]
        );
        assert_eq!(names(store.sweep_dead_files()).len(), 5);
        assert!(store.dead_temp_files().is_empty());
        let held = std::fs::read_to_string(dir.path().join(format!(".{}.reserved", live.id))).unwrap();
        assert_eq!(held.trim(), format!("{} {host}", std::process::id()));
        let mode = std::fs::metadata(dir.path().join(format!(".{}.reserved", live.id))).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
