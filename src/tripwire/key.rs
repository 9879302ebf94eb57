//! This machine's approval key for a tripwire: 32 random bytes in a 0600 file named by the
//! installation's id, under prisma-guard's data folder. The database holds only its sha256.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// `tripwire` in prisma-guard's data folder ([`crate::config::env::data_dir`]).
pub fn dir() -> PathBuf {
    crate::config::env::data_dir().join("tripwire")
}

/// The key file of the installation `install_id` (hex only: it names a file).
pub fn path(dir: &Path, install_id: &str) -> PathBuf {
    dir.join(format!("{install_id}.key"))
}

/// Random bytes as hex, from the operating system.
pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .context("could not read random bytes from /dev/urandom")?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash the database keeps (what `open_approval` compares).
pub fn hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// The key this machine holds for `install_id`, if any.
pub fn read(dir: &Path, install_id: &str) -> Option<String> {
    let text = std::fs::read_to_string(path(dir, install_id)).ok()?;
    let key = text.trim().to_string();
    (key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit())).then_some(key)
}

/// Write a key file, private to this user (folder 0700, file 0600), atomically.
pub fn write(dir: &Path, install_id: &str, key: &str) -> Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("could not create {}", dir.display()))?;
    let dest = path(dir, install_id);
    let mut file = tempfile::Builder::new()
        .prefix(".key-")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .with_context(|| format!("could not write a key file in {}", dir.display()))?;
    file.write_all(format!("{key}\n").as_bytes()).context("could not write the tripwire key")?;
    file.as_file().sync_all().context("could not write the tripwire key")?;
    file.persist(&dest).with_context(|| format!("could not write {}", dest.display()))?;
    Ok(dest)
}

pub fn remove(dir: &Path, install_id: &str) {
    let _ = std::fs::remove_file(path(dir, install_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kept_private_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tripwire");
        let key = random_hex(32).unwrap();
        assert_eq!(key.len(), 64);
        assert_ne!(key, random_hex(32).unwrap());
        let file = write(&dir, "ab12", &key).unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(read(&dir, "ab12").as_deref(), Some(key.as_str()));
        assert_eq!(read(&dir, "other"), None);
        std::fs::write(path(&dir, "bad"), "short\n").unwrap();
        assert_eq!(read(&dir, "bad"), None);
        remove(&dir, "ab12");
        assert_eq!(read(&dir, "ab12"), None);
    }

    #[test]
    fn the_hash_is_sha256_hex_as_postgres_computes_it() {
        // SELECT encode(sha256(convert_to('secret', 'UTF8')), 'hex')
        assert_eq!(hash("secret"), "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
    }
}
