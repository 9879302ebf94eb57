//! Whose backup is this? Manifests uploaded to a remote are signed (Ed25519) with a key that
//! lives only where backups are taken, outside the repository; restores from a remote accept
//! only backups signed by a key the project trusts.
//!
//! The threat: the bucket's write credentials leak (a CI secret, a laptop). Recipients are
//! public, so whoever holds them can seal a dump of their own, add its `.sha256` line and a
//! manifest with a newer id, and `restore --from NAME latest` would put their data (and their
//! database roles) in place of ours. Checksums and age prove integrity, not origin; the
//! signature proves origin.
//!
//! - The key: `PRISMA_GUARD_SIGNING_KEY` (a file path; CI from a secret), else
//!   `$XDG_CONFIG_HOME/prisma-guard/signing.key` (`~/.config/...`), created (0600) by the
//!   first backup that uploads.
//! - Trusted: the public keys in `[signing] public_keys` of the project's own
//!   prisma-guard.toml, and this machine's own key.
//! - Backups unsigned or signed by another key are refused by `restore --from` and
//!   `restore-test --from`, and flagged by `backups --remote` and `status`;
//!   `[signing] accept_unsigned = true` (prisma-guard.toml only) lets them through with a
//!   warning. A signature by a trusted key that does not verify (a changed manifest) is
//!   always refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};

use crate::backup::store::io::hex;
use crate::backup::store::manifest::{FileInfo, Manifest};
use crate::error::Failure;

/// The variable naming the signing key's file.
pub const KEY_VAR: &str = "PRISMA_GUARD_SIGNING_KEY";
const HEADER: &str = "# prisma-guard backup signing key (Ed25519 seed, hex). Keep it secret: whoever holds it can make backups this project's restores trust.";

/// The signature a manifest carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// `ed25519:<hex>` public key.
    pub key: String,
    /// Hex.
    pub sig: String,
}

/// What a remote's listing found out about a manifest's origin (not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Authenticity {
    /// Not looked at (a local backup).
    #[default]
    NotChecked,
    /// Signed by a trusted key.
    Signed,
    Unsigned,
    /// Signed by a key the project does not list.
    UnknownKey,
    /// A trusted key's signature that does not verify: the manifest was changed.
    BadSignature,
}

impl Authenticity {
    pub fn describe(self) -> &'static str {
        match self {
            Authenticity::NotChecked | Authenticity::Signed => "signed",
            Authenticity::Unsigned => "not signed",
            Authenticity::UnknownKey => "signed by a key this project does not trust",
            Authenticity::BadSignature => "signed by a trusted key, but the manifest was changed since",
        }
    }
}

/// The fields a signature covers: what a restore relies on (which database, when, which
/// bytes). Whatever is added later (verify results, off-site records) is not covered.
#[derive(Serialize)]
struct Covered<'a> {
    v: &'static str,
    id: &'a str,
    created_unix: u64,
    created_ms: u32,
    engine: &'a crate::backup::db::url::Engine,
    database_name: &'a str,
    schema: &'a Option<String>,
    trigger_kind: &'a str,
    file: &'a FileInfo,
}

fn covered(m: &Manifest) -> Vec<u8> {
    let c = Covered {
        v: "prisma-guard-backup-v1",
        id: &m.id,
        created_unix: m.created_unix,
        created_ms: m.created_ms,
        engine: &m.engine,
        database_name: &m.database_name,
        schema: &m.schema,
        trigger_kind: &m.trigger.kind,
        file: &m.file,
    };
    serde_json::to_vec(&c).unwrap_or_default()
}

/// Whether two manifests describe the same backup, as far as a signature is concerned.
pub fn same_backup(a: &Manifest, b: &Manifest) -> bool {
    covered(a) == covered(b)
}

/// This machine's signing key.
pub struct Key {
    pair: Ed25519KeyPair,
    /// `ed25519:<hex>`.
    pub public: String,
    pub path: PathBuf,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.public)
    }
}

impl Key {
    pub fn sign(&self, m: &Manifest) -> Signature {
        Signature { key: self.public.clone(), sig: hex(self.pair.sign(&covered(m)).as_ref()) }
    }
}

/// Which keys a project's restores trust.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Raw 32-byte public keys, in `ed25519:<hex>` form.
    pub keys: Vec<String>,
    pub accept_unsigned: bool,
}

impl Trust {
    /// From `[signing]` (checked: a key that is not a key is a usage error) and this machine's
    /// own key.
    pub fn new(section: Option<&crate::config::SigningSection>, own: Option<&Key>) -> Result<Trust> {
        let mut keys = Vec::new();
        if let Some(s) = section {
            for k in &s.public_keys {
                let k = k.trim().to_ascii_lowercase();
                if parse_public(&k).is_none() {
                    return Err(Failure::usage(format!("[signing] public key `{k}` is not `ed25519:` and 64 hex digits"))
                        .hint("copy the line the first backup printed, or `prisma-guard backup` on the machine that holds the key")
                        .into());
                }
                keys.push(k);
            }
        }
        if let Some(own) = own {
            keys.push(own.public.clone());
        }
        Ok(Trust { keys, accept_unsigned: section.and_then(|s| s.accept_unsigned).unwrap_or(false) })
    }

    pub fn judge(&self, m: &Manifest) -> Authenticity {
        let Some(sig) = &m.signature else { return Authenticity::Unsigned };
        let key = sig.key.trim().to_ascii_lowercase();
        if !self.keys.contains(&key) {
            return Authenticity::UnknownKey;
        }
        let (Some(public), Some(bytes)) = (parse_public(&key), unhex(&sig.sig)) else {
            return Authenticity::BadSignature;
        };
        match UnparsedPublicKey::new(&ED25519, public).verify(&covered(m), &bytes) {
            Ok(()) => Authenticity::Signed,
            Err(_) => Authenticity::BadSignature,
        }
    }

    /// May a restore use it?
    pub fn allows(&self, a: Authenticity) -> bool {
        match a {
            Authenticity::NotChecked | Authenticity::Signed => true,
            Authenticity::Unsigned | Authenticity::UnknownKey => self.accept_unsigned,
            Authenticity::BadSignature => false,
        }
    }
}

fn parse_public(k: &str) -> Option<Vec<u8>> {
    let bytes = unhex(k.strip_prefix("ed25519:")?)?;
    (bytes.len() == 32).then_some(bytes)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Where this machine's key lives when `PRISMA_GUARD_SIGNING_KEY` does not say.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Option<PathBuf> {
    let base = match env("XDG_CONFIG_HOME").filter(|v| v.starts_with('/')) {
        Some(x) => PathBuf::from(x),
        None => home?.join(".config"),
    };
    Some(base.join("prisma-guard").join("signing.key"))
}

/// This machine's key, when there is one. A `PRISMA_GUARD_SIGNING_KEY` that names no readable
/// key is a usage error (its value is never printed: it might be the key itself).
pub fn load(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Result<Option<Key>> {
    let (path, named) = match env(KEY_VAR).filter(|v| !v.trim().is_empty()) {
        Some(p) => (PathBuf::from(p), true),
        None => match default_path(env, home) {
            Some(p) if p.exists() => (p, false),
            _ => return Ok(None),
        },
    };
    let bad = |why: &str| -> anyhow::Error {
        let shown = if named { format!("{KEY_VAR} (its value is not shown)") } else { path.display().to_string() };
        Failure::usage(format!("the backup signing key in {shown} {why}"))
            .hint(format!("set {KEY_VAR} to the path of the key file (0600), as the first backup created it"))
            .into()
    };
    let text = std::fs::read_to_string(&path).map_err(|_| bad("cannot be read"))?;
    let seed = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(unhex)
        .filter(|s| s.len() == 32)
        .ok_or_else(|| bad("is not a key file"))?;
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|_| bad("is not a key file"))?;
    let public = format!("ed25519:{}", hex(pair.public_key().as_ref()));
    Ok(Some(Key { pair, public, path }))
}

/// The key, created at the default place (0600, in a 0700 folder) when there is none: called
/// where backups are uploaded. `Ok((key, true))` when it was just created.
pub fn load_or_create(env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Result<(Key, bool)> {
    if let Some(k) = load(env, home)? {
        return Ok((k, false));
    }
    let path = default_path(env, home).ok_or_else(|| {
        Failure::usage("no HOME: there is no place for the backup signing key").hint(format!("set {KEY_VAR}"))
    })?;
    let mut seed = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
        .map_err(|_| anyhow::anyhow!("no randomness for a signing key"))?;
    if let Some(dir) = path.parent() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("could not create the backup signing key {}: {e}", path.display()))?;
        writeln!(f, "{HEADER}\n{}", hex(&seed))?;
        f.sync_all()?;
    }
    let key =
        load(env, home)?.ok_or_else(|| anyhow::anyhow!("the new signing key {} cannot be read", path.display()))?;
    Ok((key, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_the_dump_and_only_trusted_keys_count() {
        let dir = tempfile::tempdir().unwrap();
        let env = |_: &str| None;
        let (key, new) = load_or_create(&env, Some(dir.path())).unwrap();
        assert!(new);
        let path = dir.path().join(".config/prisma-guard/signing.key");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let (again, new) = load_or_create(&env, Some(dir.path())).unwrap();
        assert!(!new);
        assert_eq!(again.public, key.public);
        let mut m: Manifest = serde_json::from_value(serde_json::json!({
            "format_version": 1, "id": "20261207T120000Z", "created_at": "", "created_unix": 1_796_644_800u64,
            "engine": "sqlite", "server_version": "", "dump_tool": "", "database_url": "", "database_name": "d",
            "trigger": {"kind": "manual", "argv": []}, "migrations": [], "row_counts": {}, "row_counts_source": "query",
            "file": {"name": "20261207T120000Z.db.zst", "compression": "zstd", "compressed_bytes": 1, "uncompressed_bytes": 1, "sha256": "ab"},
            "duration_ms": 0, "prisma_guard_version": "0", "warnings": []
        }))
        .unwrap();
        m.signature = Some(key.sign(&m));
        let trust = Trust { keys: vec![key.public.clone()], accept_unsigned: false };
        assert_eq!(trust.judge(&m), Authenticity::Signed);
        // Verify results and records may change; the dump it names may not.
        m.verified = None;
        assert_eq!(trust.judge(&m), Authenticity::Signed);
        m.file.sha256 = "0".repeat(64);
        assert_eq!(trust.judge(&m), Authenticity::BadSignature);
        assert!(!Trust { accept_unsigned: true, ..trust.clone() }.allows(Authenticity::BadSignature));
        assert_eq!(Trust::default().judge(&m), Authenticity::UnknownKey);
        m.signature = None;
        assert_eq!(trust.judge(&m), Authenticity::Unsigned);
        assert!(!trust.allows(Authenticity::Unsigned));
    }
}
