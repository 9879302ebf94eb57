//! Encryption at rest in the `age` format (<https://age-encryption.org>): streaming and
//! authenticated, readable with the `age` command-line tool.
//!
//! Backups are sealed to X25519 public keys (`age1...`) from the project's own
//! `prisma-guard.toml`, so a backup host or CI job holds only public keys and cannot read old
//! backups; or to a passphrase (people), read from the environment variable the config names.
//! Opening needs an identity file (`PRISMA_GUARD_AGE_IDENTITY` or `--identity FILE`) or the
//! passphrase (`PRISMA_GUARD_AGE_PASSPHRASE`, or a file), never a command-line argument.
//!
//! A configuration that asks for encryption the tool cannot apply (a malformed key, a missing
//! passphrase) is an error before anything is written: never silently unencrypted.

use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{fail, Failure};

/// The variable naming an identity file for opening backups.
pub const IDENTITY_VAR: &str = "PRISMA_GUARD_AGE_IDENTITY";
/// The variable holding a passphrase for opening backups sealed to one.
pub const PASSPHRASE_VAR: &str = "PRISMA_GUARD_AGE_PASSPHRASE";
/// The variable naming a file that holds the passphrase (its first line).
pub const PASSPHRASE_FILE_VAR: &str = "PRISMA_GUARD_AGE_PASSPHRASE_FILE";

/// What the manifest says about a sealed file: the recipients' fingerprints (never keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub format: String,
    /// `sha256:<first 16 hex digits>` of each recipient; `passphrase` for a passphrase.
    pub recipients: Vec<String>,
}

/// How new backups are sealed.
pub enum Sealing {
    Recipients(Vec<age::x25519::Recipient>),
    Passphrase(SecretString),
}

impl std::fmt::Debug for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sealing::Recipients(r) => write!(f, "Sealing::Recipients({})", r.len()),
            Sealing::Passphrase(_) => f.write_str("Sealing::Passphrase(****)"),
        }
    }
}

/// A recipient's fingerprint: enough to tell keys apart, nothing to encrypt to.
pub fn fingerprint(recipient: &str) -> String {
    let digest = sha2::Sha256::digest(recipient.trim().as_bytes());
    format!("sha256:{}", &crate::backup::store::io::hex(&digest)[..16])
}

impl Sealing {
    /// The sealing `[encryption]` asks for, checked before anything is written. `base`: the
    /// folder relative paths resolve against (the config file's).
    pub fn from_config(
        section: &crate::config::EncryptionSection,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Sealing>> {
        let mut keys: Vec<String> = section.recipients.clone();
        if let Some(file) = &section.recipients_file {
            let path = if file.is_absolute() { file.clone() } else { base.join(file) };
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Failure::usage(format!("[encryption] recipients_file {} cannot be read: {e}", path.display()))
                    .hint("nothing was written: fix the path, or list the keys in `recipients`")
            })?;
            keys.extend(
                text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string),
            );
        }
        match (&section.passphrase_env, keys.is_empty()) {
            (Some(_), false) => Err(Failure::usage(
                "[encryption] sets both recipients and passphrase_env: age seals a file to public keys or to one passphrase, not both",
            )
            .hint("keep one of them")
            .into()),
            (Some(var), true) => match env(var).filter(|p| !p.is_empty()) {
                Some(p) => Ok(Some(Sealing::Passphrase(SecretString::from(p)))),
                None => Err(Failure::usage(format!(
                    "[encryption] passphrase_env names {var}, which is not set: the backup would not be encrypted, so nothing was written"
                ))
                .hint(format!("set {var} to the passphrase (from your secret store), or remove [encryption]"))
                .into()),
            },
            // `[encryption]` that names no key: never a silently unencrypted backup.
            (None, true) => Err(Failure::usage(
                "[encryption] names no key (recipients, recipients_file and passphrase_env give none): the backup would not be encrypted, so nothing was written",
            )
            .hint("add a public key (`age-keygen -y key.txt` prints one) to recipients, or remove [encryption]")
            .into()),
            (None, false) => {
                let mut recipients = Vec::new();
                for key in &keys {
                    let parsed: age::x25519::Recipient = key.parse().map_err(|e| {
                        Failure::usage(format!(
                            "[encryption] recipient `{}` is not an age public key ({e}): nothing was written",
                            short(key)
                        ))
                        .hint("recipients are X25519 public keys that start with `age1` (`age-keygen -y key.txt` prints one)")
                    })?;
                    recipients.push(parsed);
                }
                Ok(Some(Sealing::Recipients(recipients)))
            }
        }
    }

    /// What opens what this seals, when this run holds it (a passphrase; public keys open
    /// nothing): a new backup is then test-restored where it is taken.
    pub fn opening(&self) -> Option<Opening> {
        match self {
            Sealing::Passphrase(p) => {
                Some(Opening::passphrase(p.clone(), "the passphrase [encryption] passphrase_env names"))
            }
            Sealing::Recipients(_) => None,
        }
    }

    /// What the manifest records.
    pub fn describe(&self) -> Sealed {
        let recipients = match self {
            Sealing::Recipients(r) => r.iter().map(|r| fingerprint(&r.to_string())).collect(),
            Sealing::Passphrase(_) => vec!["passphrase".to_string()],
        };
        Sealed { format: "age".into(), recipients }
    }

    /// Wrap `out`: what is written to the result is sealed into `out`.
    pub fn seal<W: Write>(&self, out: W) -> io::Result<age::stream::StreamWriter<W>> {
        let encryptor = match self {
            Sealing::Recipients(r) => age::Encryptor::with_recipients(r.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| io::Error::other(format!("could not start the encryption: {e}")))?,
            Sealing::Passphrase(p) => age::Encryptor::with_user_passphrase(p.clone()),
        };
        encryptor.wrap_output(out)
    }
}

/// A key for the messages: `age1abc…xyz`.
fn short(key: &str) -> String {
    let k = key.trim();
    if k.len() > 16 {
        format!("{}…{}", &k[..8], &k[k.len() - 4..])
    } else {
        k.to_string()
    }
}

/// A writer that seals or passes through; `finish` ends the age stream.
pub enum MaybeSealed<W: Write> {
    Plain(W),
    Sealed(age::stream::StreamWriter<W>),
}

impl<W: Write> MaybeSealed<W> {
    pub fn new(sealing: Option<&Sealing>, out: W) -> io::Result<MaybeSealed<W>> {
        Ok(match sealing {
            Some(s) => MaybeSealed::Sealed(s.seal(out)?),
            None => MaybeSealed::Plain(out),
        })
    }

    pub fn finish(self) -> io::Result<W> {
        match self {
            MaybeSealed::Plain(w) => Ok(w),
            MaybeSealed::Sealed(s) => s.finish(),
        }
    }
}

impl<W: Write> Write for MaybeSealed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            MaybeSealed::Plain(w) => w.write(buf),
            MaybeSealed::Sealed(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            MaybeSealed::Plain(w) => w.flush(),
            MaybeSealed::Sealed(s) => s.flush(),
        }
    }
}

/// What opens sealed backups: identities from a file, or a passphrase.
pub struct Opening {
    identities: Vec<Box<dyn age::Identity>>,
    /// Where they came from, for messages.
    pub source: String,
    /// The fingerprints of the X25519 keys the identities open (as the manifest records
    /// recipients); `None` for a passphrase.
    fingerprints: Option<Vec<String>>,
}

/// Whether a value named as a file path is a key or other secret text instead.
fn looks_secret(value: &str) -> bool {
    value.to_ascii_uppercase().contains("AGE-SECRET-KEY") || value.contains(['\n', '\r']) || value.len() > 1024
}

impl Opening {
    /// From `--identity FILE`, else `PRISMA_GUARD_AGE_IDENTITY` (a file), else
    /// `PRISMA_GUARD_AGE_PASSPHRASE`. `None` when none is given.
    pub fn from_env(identity_file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Opening>> {
        let file: Option<PathBuf> = identity_file
            .map(Path::to_path_buf)
            .or_else(|| env(IDENTITY_VAR).filter(|v| !v.is_empty()).map(PathBuf::from));
        if let Some(path) = file {
            // A key pasted where a file is named (a CI secret put in the variable itself): a
            // usage error that never repeats the value (it would reach logs and alerts).
            if looks_secret(&path.to_string_lossy()) {
                return Err(Failure::usage(format!(
                    "--identity / {IDENTITY_VAR} holds a key (or other text), not the path of a file: the value is not shown"
                ))
                .hint("put the AGE-SECRET-KEY-1... line in a file only you can read (chmod 600) and name that file")
                .into());
            }
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Failure::usage(format!("the age identity file {} cannot be read: {e}", path.display()))
                    .hint(format!("point --identity or {IDENTITY_VAR} at the file `age-keygen` wrote"))
            })?;
            let identities = age::IdentityFile::from_buffer(text.as_bytes())
                .and_then(|f| {
                    f.into_identities().map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
                })
                .map_err(|e| {
                    fail(format!("{} holds no age identity this tool can use ({e})", path.display()))
                        .hint("an identity file has lines starting with AGE-SECRET-KEY-1 (`age-keygen -o key.txt`)")
                })?;
            if identities.is_empty() {
                return Err(fail(format!("{} holds no age identity", path.display())).into());
            }
            let fingerprints = text
                .lines()
                .filter_map(|l| l.trim().parse::<age::x25519::Identity>().ok())
                .map(|i| fingerprint(&i.to_public().to_string()))
                .collect();
            return Ok(Some(Opening {
                identities,
                source: path.display().to_string(),
                fingerprints: Some(fingerprints),
            }));
        }
        if let Some(p) = env(PASSPHRASE_VAR).filter(|p| !p.is_empty()) {
            return Ok(Some(Opening::passphrase(SecretString::from(p), PASSPHRASE_VAR)));
        }
        if let Some(path) = env(PASSPHRASE_FILE_VAR).filter(|v| !v.is_empty()) {
            // The value is not repeated when it cannot be read: it may be the passphrase
            // itself, pasted where a file is named.
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Failure::usage(format!("{PASSPHRASE_FILE_VAR}: the file it names cannot be read ({}; the value is not shown)", e.kind()))
                    .hint("point it at a file (chmod 600) whose first line is the passphrase; the passphrase itself goes in PRISMA_GUARD_AGE_PASSPHRASE")
            })?;
            let first = text.lines().next().unwrap_or("").to_string();
            if first.is_empty() {
                return Err(Failure::usage(format!("{PASSPHRASE_FILE_VAR}: the passphrase file {path} is empty"))
                    .hint("its first line is the passphrase")
                    .into());
            }
            return Ok(Some(Opening::passphrase(SecretString::from(first), &format!("the passphrase in {path}"))));
        }
        Ok(None)
    }

    /// A passphrase; `source` names where it came from (never the passphrase).
    pub fn passphrase(p: SecretString, source: &str) -> Opening {
        Opening {
            identities: vec![Box::new(age::scrypt::Identity::new(p))],
            source: source.to_string(),
            fingerprints: None,
        }
    }

    /// Whether this can open a backup sealed as `sealed` says, from the manifest alone: a key
    /// that is none of its recipients, or a passphrase for a backup sealed to keys (or keys
    /// for one sealed to a passphrase), is a usage error (exit 2), never a verdict on the
    /// backup.
    pub fn fits(&self, sealed: &Sealed) -> Result<()> {
        let by_passphrase = sealed.recipients.iter().any(|r| r == "passphrase");
        let wrong = match &self.fingerprints {
            None if by_passphrase => return Ok(()),
            None => "a passphrase, but the backup is sealed to age keys".to_string(),
            Some(_) if by_passphrase => "an identity file, but the backup is sealed to a passphrase".to_string(),
            Some(keys) if keys.iter().any(|k| sealed.recipients.contains(k)) => return Ok(()),
            // Identities this tool cannot fingerprint (plugins): the decryption will tell.
            Some(keys) if keys.is_empty() => return Ok(()),
            Some(_) => "a key that is none of the backup's recipients".to_string(),
        };
        Err(Failure::usage(format!(
            "{} is {wrong}: the backup cannot be decrypted with it (nothing was checked or changed)",
            self.source
        ))
            .hint(format!(
                "use the identity (or passphrase) the backup was sealed to: the manifest lists its recipients' fingerprints ({}) under file.encryption",
                sealed.recipients.join(", ")
            ))
            .into())
    }

    /// The plaintext of a sealed stream. A wrong key is an error here, before any byte is
    /// handed on. A wrong passphrase (which the manifest cannot tell) is a usage error; a key
    /// whose fingerprint [`Opening::fits`] accepted and that opens nothing means a damaged header.
    pub fn open<'a, R: Read + 'a>(&self, sealed: R) -> Result<Box<dyn Read + 'a>> {
        let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, sealed))
            .context("the backup is not a readable age file")?;
        let reader = decryptor.decrypt(self.identities.iter().map(|i| i.as_ref())).map_err(|e| {
            let wrong_passphrase = self.fingerprints.is_none()
                && matches!(e, age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys);
            let f = fail(format!("the backup cannot be decrypted with {}: {e}", self.source))
                .hint("use the identity (or passphrase) whose public key the manifest lists under file.encryption");
            if wrong_passphrase {
                f.status(crate::ExitStatus::Usage)
            } else {
                f
            }
        })?;
        Ok(Box::new(reader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    fn env_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    /// Review of issue 18, round 3, finding 5: a key pasted where a file is named was echoed
    /// into errors, alerts and manifests.
    #[test]
    fn a_key_or_passphrase_given_as_a_file_name_is_a_usage_error_that_never_shows_it() {
        let key = age::x25519::Identity::generate().to_string();
        let key = key.expose_secret();
        let err = Opening::from_env(None, &env_of(&[(IDENTITY_VAR, key)])).err().unwrap();
        assert!(crate::error::is_usage(&err));
        assert!(!format!("{err:#}").contains(key), "{err:#}");
        let err = Opening::from_env(Some(Path::new(key)), &env_of(&[])).err().unwrap();
        assert!(!format!("{err:#}").contains(key));
        let pass = "correct horse battery staple";
        let err = Opening::from_env(None, &env_of(&[(PASSPHRASE_FILE_VAR, pass)])).err().unwrap();
        assert!(crate::error::is_usage(&err));
        assert!(!format!("{err:#}").contains(pass), "{err:#}");
    }

    #[test]
    fn recipients_seal_and_the_identity_opens() {
        let id = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let section = crate::config::EncryptionSection {
            recipients: vec![id.to_public().to_string(), other.to_public().to_string()],
            ..Default::default()
        };
        let sealing = Sealing::from_config(&section, Path::new("."), &env_of(&[])).unwrap().unwrap();
        assert_eq!(sealing.describe().recipients.len(), 2);
        assert!(sealing.describe().recipients[0].starts_with("sha256:"));
        let mut w = MaybeSealed::new(Some(&sealing), Vec::new()).unwrap();
        w.write_all(b"CREATE TABLE t();\n").unwrap();
        let sealed = w.finish().unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"TABLE"), "sealed");
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.txt");
        std::fs::write(&key, format!("{}\n", id.to_string().expose_secret())).unwrap();
        let opening = Opening::from_env(Some(&key), &env_of(&[])).unwrap().unwrap();
        let mut out = String::new();
        opening.open(&sealed[..]).unwrap().read_to_string(&mut out).unwrap();
        assert_eq!(out, "CREATE TABLE t();\n");
        // A key the file was not sealed to: a clear error, no bytes.
        let wrong = dir.path().join("wrong.txt");
        std::fs::write(&wrong, format!("{}\n", age::x25519::Identity::generate().to_string().expose_secret())).unwrap();
        let opening = Opening::from_env(None, &env_of(&[(IDENTITY_VAR, wrong.to_str().unwrap())])).unwrap().unwrap();
        let err = opening.open(&sealed[..]).err().expect("wrong key");
        assert!(format!("{err:#}").contains("cannot be decrypted"), "{err:#}");
    }

    #[test]
    fn passphrase_mode() {
        let section = crate::config::EncryptionSection { passphrase_env: Some("BK_PASS".into()), ..Default::default() };
        let sealing =
            Sealing::from_config(&section, Path::new("."), &env_of(&[("BK_PASS", "correct horse")])).unwrap().unwrap();
        assert_eq!(sealing.describe().recipients, vec!["passphrase"]);
        let mut w = MaybeSealed::new(Some(&sealing), Vec::new()).unwrap();
        w.write_all(b"rows").unwrap();
        let sealed = w.finish().unwrap();
        let opening = Opening::from_env(None, &env_of(&[(PASSPHRASE_VAR, "correct horse")])).unwrap().unwrap();
        let mut out = Vec::new();
        opening.open(&sealed[..]).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, b"rows");
        let opening = Opening::from_env(None, &env_of(&[(PASSPHRASE_VAR, "wrong")])).unwrap().unwrap();
        assert!(opening.open(&sealed[..]).is_err());
    }

    #[test]
    fn encryption_that_cannot_be_applied_is_an_error_before_writing() {
        let bad = crate::config::EncryptionSection { recipients: vec!["age1notakey".into()], ..Default::default() };
        let err = Sealing::from_config(&bad, Path::new("."), &env_of(&[])).unwrap_err();
        assert!(format!("{err:#}").contains("is not an age public key"), "{err:#}");
        let missing = crate::config::EncryptionSection { passphrase_env: Some("NOPE".into()), ..Default::default() };
        let err = Sealing::from_config(&missing, Path::new("."), &env_of(&[])).unwrap_err();
        for empty in [
            crate::config::EncryptionSection::default(),
            crate::config::EncryptionSection { recipients: vec![], ..Default::default() },
        ] {
            let e = Sealing::from_config(&empty, Path::new("."), &env_of(&[])).unwrap_err();
            assert!(format!("{e:#}").contains("names no key"), "{e:#}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keys.txt"), "# age1... (commented out)\n").unwrap();
        let commented =
            crate::config::EncryptionSection { recipients_file: Some("keys.txt".into()), ..Default::default() };
        assert!(Sealing::from_config(&commented, dir.path(), &env_of(&[])).is_err());
        assert!(format!("{err:#}").contains("NOPE, which is not set"), "{err:#}");
        let both = crate::config::EncryptionSection {
            recipients: vec![age::x25519::Identity::generate().to_public().to_string()],
            passphrase_env: Some("P".into()),
            ..Default::default()
        };
        assert!(Sealing::from_config(&both, Path::new("."), &env_of(&[("P", "x")])).is_err());
    }
}
