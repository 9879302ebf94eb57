//! The environment variables prisma-guard reads beside its flags (which clap reads with
//! `env =`), each read in one place here and handed to the code that uses it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use crate::error::Failure;

/// How long a run waits for a busy backup folder or remote.
pub const LOCK_WAIT: &str = "PRISMA_GUARD_LOCK_WAIT";
/// The number of threads that read the files of a scan.
pub const SCAN_THREADS: &str = "PRISMA_GUARD_SCAN_THREADS";
/// The remote pre-commit names to a pre-push hook.
pub const PRE_COMMIT_REMOTE: &str = "PRE_COMMIT_REMOTE_NAME";

/// How many times prisma-guard has handed over to itself (a shim loop stops at a limit).
pub const DEPTH: &str = "PRISMA_GUARD_DEPTH";
/// Another prisma named in the environment: never followed (only `[guard] real_prisma` in the
/// project's prisma-guard.toml chooses one), only warned about.
pub const REAL_PRISMA: &str = "PRISMA_GUARD_REAL_PRISMA";
/// A superuser URL of the project's database for `protect`/`unprotect`.
pub const PROTECT_URL: &str = "PRISMA_GUARD_PROTECT_URL";

const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(3600);

/// `PRISMA_GUARD_LOCK_WAIT` (a duration such as `90s`, `10m`, `2h`), default 1 hour; a value
/// that is not a duration is an error, never the default.
pub fn lock_wait() -> Result<Duration> {
    match std::env::var(LOCK_WAIT) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_LOCK_WAIT),
        Ok(v) if v.trim().is_empty() => Ok(DEFAULT_LOCK_WAIT),
        Ok(v) => parse_lock_wait(&v),
        Err(std::env::VarError::NotUnicode(v)) => parse_lock_wait(&v.to_string_lossy()),
    }
}

fn parse_lock_wait(v: &str) -> Result<Duration> {
    humantime::parse_duration(v.trim()).map_err(|e| {
        Failure::usage(format!("{LOCK_WAIT}=`{v}` is not a duration ({e})"))
            .hint(format!("write it like `{LOCK_WAIT}=90s`, `10m` or `2h`, or unset it to wait up to 1 hour"))
            .into()
    })
}

/// `PRISMA_GUARD_SCAN_THREADS`, when it is a number (anything else: one per core).
pub fn scan_threads() -> Option<usize> {
    std::env::var(SCAN_THREADS).ok().and_then(|v| v.parse().ok())
}

/// `PRE_COMMIT_REMOTE_NAME`, when set.
pub fn pre_commit_remote() -> Option<String> {
    std::env::var(PRE_COMMIT_REMOTE).ok()
}

/// `PRISMA_GUARD_DEPTH` as a number (0 when unset or not a number).
pub fn depth() -> u32 {
    std::env::var(DEPTH).ok().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Whether `PRISMA_GUARD_REAL_PRISMA` is set (it is ignored, and said so).
pub fn real_prisma_is_set() -> bool {
    std::env::var_os(REAL_PRISMA).is_some()
}

/// `PRISMA_GUARD_PROTECT_URL`, when set and not empty.
pub fn protect_url() -> Option<String> {
    std::env::var(PROTECT_URL).ok().filter(|v| !v.is_empty())
}

/// `PATH`, where the shims and the real prisma are looked up.
pub fn path() -> Option<std::ffi::OsString> {
    std::env::var_os("PATH")
}

/// Whether npm runs us as the package's `postinstall` script (`npm_lifecycle_event`).
pub fn in_npm_postinstall() -> bool {
    std::env::var("npm_lifecycle_event").is_ok_and(|e| e == "postinstall")
}

/// The project folders the agents name to their hooks (`CLAUDE_PROJECT_DIR`, Gemini CLI's
/// `GEMINI_PROJECT_DIR`), set and not empty.
pub fn agent_project_dirs() -> Vec<PathBuf> {
    ["CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR"]
        .iter()
        .filter_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from))
        .collect()
}

/// prisma-guard's data folder: `$XDG_DATA_HOME/prisma-guard`, else
/// `~/.local/share/prisma-guard`.
pub fn data_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share"));
    base.join("prisma-guard")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_wait_that_is_not_a_duration_is_an_error_naming_the_variable() {
        assert_eq!(parse_lock_wait("2h").expect("a duration"), Duration::from_secs(7200));
        assert_eq!(parse_lock_wait(" 90s ").expect("a duration"), Duration::from_secs(90));
        let err = parse_lock_wait("forever").expect_err("not a duration");
        assert!(format!("{err:#}").contains("PRISMA_GUARD_LOCK_WAIT=`forever` is not a duration"), "{err:#}");
    }
}
