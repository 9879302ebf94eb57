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

/// What the pre-commit framework tells a hook at its pre-push stage (it reads git's ref
/// lines itself and hands on none): `PRE_COMMIT_LOCAL_BRANCH`, `PRE_COMMIT_TO_REF`,
/// `PRE_COMMIT_REMOTE_BRANCH`, `PRE_COMMIT_FROM_REF`, each when set and not empty.
pub struct PreCommitPush {
    pub local_branch: Option<String>,
    pub to_ref: Option<String>,
    pub remote_branch: Option<String>,
    pub from_ref: Option<String>,
}

/// [`PreCommitPush`] from the environment; `None` when the pre-commit framework set none of it.
pub fn pre_commit_push() -> Option<PreCommitPush> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let push = PreCommitPush {
        local_branch: var("PRE_COMMIT_LOCAL_BRANCH"),
        to_ref: var("PRE_COMMIT_TO_REF"),
        remote_branch: var("PRE_COMMIT_REMOTE_BRANCH"),
        from_ref: var("PRE_COMMIT_FROM_REF"),
    };
    (push.local_branch.is_some() || push.to_ref.is_some()).then_some(push)
}

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

/// `HOME`, when set (`~` in paths, the AWS and other tools' files under it).
pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// A variable the project's configuration or a tool's convention names (credentials such as
/// `AWS_ACCESS_KEY_ID`, a `[[remote]]`'s `secret_env`, a notifier's token), when set.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The whole environment (what Prisma and the children prisma-guard starts inherit), as text.
pub fn vars() -> std::collections::HashMap<String, String> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect()
}

/// `GIT_INDEX_FILE`, the index git's hooks are asked to read (`git commit -a`, `git commit
/// <path>` point it at a temporary one), when set and not empty.
pub fn git_index_file() -> Option<PathBuf> {
    std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// `COMPOSE_PROJECT_NAME`, which names Docker Compose's volumes, when set and not empty.
pub fn compose_project_name() -> Option<String> {
    std::env::var("COMPOSE_PROJECT_NAME").ok().filter(|p| !p.is_empty())
}

/// `NODE_OPTIONS`, which may make Node load more code before Prisma's.
pub fn node_options() -> Option<String> {
    std::env::var("NODE_OPTIONS").ok()
}

/// `LEFTHOOK_BIN`, the lefthook its generated hooks run, when set and not empty.
pub fn lefthook_bin() -> Option<PathBuf> {
    std::env::var_os("LEFTHOOK_BIN").filter(|b| !b.is_empty()).map(PathBuf::from)
}

/// Whether `PGCONNECT_TIMEOUT` is set (the user's own wins over prisma-guard's default).
pub fn pg_connect_timeout_is_set() -> bool {
    std::env::var_os("PGCONNECT_TIMEOUT").is_some()
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
        .unwrap_or_else(|| home().unwrap_or_default().join(".local/share"));
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
