//! The JSON manifest written beside each backup.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::compress::Compression;
use crate::backup::db::url::Engine;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format_version: u32,
    pub id: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub created_unix: u64,
    /// Milliseconds within `created_unix`, ordering backups taken in the same second.
    #[serde(default)]
    pub created_ms: u32,
    pub engine: Engine,
    pub server_version: String,
    pub dump_tool: String,
    /// The database URL with its password replaced by `****`.
    pub database_url: String,
    pub database_name: String,
    /// PostgreSQL: the schemas the dump holds, comma-separated (none: the whole database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub trigger: Trigger,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitInfo>,
    /// Applied migrations from `_prisma_migrations`, oldest first.
    pub migrations: Vec<String>,
    /// Rows per table (`schema.table` for PostgreSQL) at the moment of the dump.
    pub row_counts: BTreeMap<String, u64>,
    /// Where the row counts come from: `dump` (counted in the dump stream), `snapshot`
    /// (the SQLite snapshot file) or `query` (counted beside the dump).
    pub row_counts_source: String,
    /// PostgreSQL: large objects in the dump (they belong to no schema, so a backup limited to
    /// schemas still holds all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_objects: Option<u64>,
    pub file: FileInfo,
    pub duration_ms: u64,
    pub prisma_guard_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verified>,
    /// The last `restore-test` of this backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_tested: Option<Verified>,
    /// What the restore check run when the backup was taken replayed (none: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_check: Option<RestoreCheck>,
    /// What the backup could not include, and why (privileges, parameters ignored).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The off-site copies made when the backup was taken (or by `sync`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<RemoteCopy>,
    /// Not stored: set by the listing of a store that does not hold this backup's dump (or
    /// holds one of another size). Such a backup cannot be restored: it is never the newest
    /// or `latest`, and takes no retention slot.
    #[serde(skip)]
    pub dump_missing: bool,
    /// Who made it: an Ed25519 signature over what a restore relies on (docs/operations.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::backup::remote::signing::Signature>,
    /// Not stored: what a remote's listing found out about the signature.
    #[serde(skip)]
    pub authenticity: crate::backup::remote::signing::Authenticity,
}

/// What a new backup's restore check replayed into a scratch database (and rolled back).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RestoreCheck {
    /// `every row`; `sample` (the schema and the first rows of each table: the rows of
    /// `tables_partly_replayed` beyond those were not replayed); `schema` (no rows).
    pub scope: String,
    pub rows_replayed: u64,
    /// Tables with rows the check did not replay (`restore-test` replays every row).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables_partly_replayed: Vec<String>,
}

impl RestoreCheck {
    /// Whether the check replayed the whole backup.
    pub fn complete(&self) -> bool {
        self.scope == "every row"
    }

    /// What it replayed, in words (`backup` prints it, `backups --json` has the fields).
    pub fn describe(&self) -> String {
        match self.scope.as_str() {
            "every row" => format!("every row ({}) replayed into a scratch database", self.rows_replayed),
            "sample" => format!(
                "only the schema and the first rows of each table ({} rows) replayed into a scratch database; the other rows of {} were not",
                self.rows_replayed,
                self.tables_partly_replayed.join(", ")
            ),
            _ => "only the schema (no rows) replayed into a scratch database".to_string(),
        }
    }
}

/// One off-site copy of a backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RemoteCopy {
    /// The `[[remote]]` name.
    pub name: String,
    /// `s3://bucket/key` of the dump.
    pub url: String,
    /// When the upload finished, RFC 3339 (absent when it failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_at: Option<String>,
    /// The store holds what was sent: its size matches, and its multipart ETag (the MD5 of
    /// the parts' MD5s) or, read back, its SHA-256.
    #[serde(default)]
    pub verified: bool,
    /// How it was checked: `etag` or `sha256` (read back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_by: Option<String>,
    /// Object Lock: `GOVERNANCE`/`COMPLIANCE` until this time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_mode: Option<String>,
    /// Why the upload failed (the local copy stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The store's ETag of the dump when it was last checked whole: a copy whose ETag differs
    /// later was replaced or changed on the store, and `sync` reads it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_etag: Option<String>,
}

impl Manifest {
    /// The id and file name are plain names in the folder: `<id>` of letters, digits, `-` and
    /// `_`, and `<id>.<ext>.<zst|gz>[.age]`. A manifest from anywhere else (a remote anyone
    /// with the bucket's keys can write) could otherwise name a path outside the folder.
    pub fn check_names(&self) -> Result<(), String> {
        let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !plain(&self.id) {
            return Err(format!("its id {:?} is not a backup id", self.id));
        }
        let name = &self.file.name;
        let rest = name.strip_prefix(&format!("{}.", self.id));
        let ok = rest.is_some_and(|r| {
            let parts: Vec<&str> = r.split('.').collect();
            (2..=3).contains(&parts.len())
                && parts.iter().all(|p| plain(p))
                && Compression::from_extension(parts[1]).is_some()
                && parts.get(2).is_none_or(|x| *x == "age")
        });
        if !ok {
            return Err(format!("its file name {name:?} is not `{}.<ext>.<zst|gz>[.age]`", self.id));
        }
        Ok(())
    }

    /// A copy a restore took of the state it replaced.
    pub fn is_safety_copy(&self) -> bool {
        self.trigger.kind == "safety"
    }

    /// Why this backup is known not to restore (its restore check or a restore test failed):
    /// kept, but not to be trusted.
    pub fn restore_failure(&self) -> Option<&str> {
        // The latest restore test decides; else what the backup's own check found.
        if let Some(t) = &self.restore_tested {
            return (!t.ok).then(|| t.error.as_deref().unwrap_or("the restore test failed"));
        }
        self.warnings.iter().find_map(|w| w.strip_prefix("does not restore: "))
    }

    /// Why this backup is known to be no good, from what was recorded: its last verify
    /// failed, or it does not restore (its restore check or last restore test failed).
    pub fn known_bad(&self) -> Option<String> {
        if let Some(f) = self.restore_failure() {
            return Some(format!("it is known not to restore ({f})"));
        }
        if let Some(v) = self.verified.as_ref().filter(|v| !v.ok) {
            return Some(format!("its last verify failed ({})", v.error.as_deref().unwrap_or("no detail")));
        }
        None
    }

    /// The database a backup is of: engine, host (and port), database name and the schemas it
    /// holds. Retention judges each database on its own (`--url`, the guard's extra
    /// database and a restore's safety copy put other databases' backups in the same folder).
    pub fn database_key(&self) -> String {
        let host = crate::backup::db::url::DbUrl::parse(&self.database_url)
            .ok()
            .and_then(|u| u.host.map(|h| u.port.map_or(h.clone(), |p| format!("{h}:{p}"))))
            .unwrap_or_default();
        let schema = self.schema.as_deref().map(|s| format!(" schema {s}")).unwrap_or_default();
        if host.is_empty() {
            format!("{} ({}){schema}", self.database_name, self.engine)
        } else {
            format!("{} ({} on {host}){schema}", self.database_name, self.engine)
        }
    }

    /// Dated later than `now` (unix seconds) beyond a clock-skew allowance: a clock that was
    /// wrong, or a planted manifest. Never fresh, never `latest`.
    pub fn is_future(&self, now: u64) -> bool {
        self.created_unix > now.saturating_add(FUTURE_SKEW_SECONDS)
    }

    /// Newest first; backups dated in the future, and those whose dump is missing, last, so
    /// that `latest`, freshness and retention never take them for the newest.
    pub fn sort_newest_first(manifests: &mut [Manifest], now: u64) {
        manifests.sort_by(|a, b| {
            (a.is_future(now) || a.dump_missing, b.created_unix, b.created_ms)
                .cmp(&(b.is_future(now) || b.dump_missing, a.created_unix, a.created_ms))
                .then_with(|| b.id.cmp(&a.id))
        });
    }
}

/// How far in the future a backup may be dated (clocks of different machines) before it is
/// taken for clock skew or a plant.
pub const FUTURE_SKEW_SECONDS: u64 = 300;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileInfo {
    pub name: String,
    pub compression: Compression,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    /// Of the stored bytes (sealed ones, when encrypted).
    pub sha256: String,
    /// Present when the file is sealed with age: to whom (fingerprints, never keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<super::crypt::Sealed>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Trigger {
    /// `manual`, `prisma` (a guarded prisma command) or `safety` (before a restore).
    pub kind: String,
    /// The guarded command line, redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub argv: Vec<String>,
}

impl Trigger {
    pub fn manual() -> Trigger {
        Trigger { kind: "manual".into(), argv: Vec::new() }
    }

    pub fn describe(&self) -> String {
        if self.argv.is_empty() {
            self.kind.clone()
        } else {
            self.argv.join(" ")
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GitInfo {
    pub commit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub dirty: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Verified {
    pub at: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.row_counts.values().sum()
    }
}
