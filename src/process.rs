//! The one place that spawns child processes.
//!
//! Tools are located once (config override, then PATH) with an install hint when missing.
//! Secrets reach children through 0600 files (`--defaults-file` for MySQL; PostgreSQL's password goes in the child's `PGPASSWORD`), never
//! argv. Any text shown to the user passes through [`Redactor`].

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

use anyhow::{Context, Result};

use crate::error::fail;

/// An external program prisma-guard depends on.
#[derive(Debug, Clone)]
pub struct Tool {
    pub name: &'static str,
    pub path: PathBuf,
}

impl Tool {
    /// Find `names` (first match wins) in `override_dir` if given, then on PATH.
    pub fn locate(names: &[&'static str], override_dir: Option<&Path>, install_hint: &str) -> Result<Tool> {
        for &name in names {
            if let Some(dir) = override_dir {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Ok(Tool { name, path: candidate });
                }
            }
        }
        for &name in names {
            if let Ok(path) = which::which(name) {
                return Ok(Tool { name, path });
            }
        }
        let wanted = names.join(" or ");
        let place = match override_dir {
            Some(dir) => format!(" (looked in {} and on PATH)", dir.display()),
            None => " on PATH".to_string(),
        };
        Err(fail(format!("`{wanted}` was not found{place}, so no backup can be taken"))
            .hint(install_hint.to_string())
            .into())
    }

    pub fn command(&self) -> Command {
        Command::new(&self.path)
    }

    /// Run to completion and return stdout; failure includes the (redacted) stderr.
    pub fn output(&self, mut cmd: Command, redactor: &Redactor) -> Result<String> {
        let out =
            cmd.stdin(Stdio::null()).output().with_context(|| format!("could not start `{}`", self.path.display()))?;
        if !out.status.success() {
            return Err(failed(self.name, out.status, &redactor.apply(&String::from_utf8_lossy(&out.stderr))).into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Whether `<tool> --help` names `option` (an option only newer versions have).
    pub fn knows_option(&self, option: &str) -> bool {
        Command::new(&self.path)
            .arg("--help")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().any(|w| w == option))
    }

    /// The first line of `<tool> --version`.
    pub fn version(&self) -> Result<String> {
        let out = Command::new(&self.path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not run `{} --version`", self.path.display()))?;
        Ok(String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_string())
    }
}

/// Replaces every known secret in text meant for humans.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        Redactor { secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect() }
    }

    /// The text with each secret hidden: every password field of a URL, and each secret where
    /// it stands as a token of its own. A secret of 6 characters or more is hidden wherever
    /// it appears; a shorter one only as a whole token (a password `p` must not turn
    /// `psql: error ... port` into `****sql: error ... ****ort`).
    pub fn apply(&self, text: &str) -> String {
        let mut out = hide_secret_params(&hide_url_passwords(text));
        for secret in &self.secrets {
            out = if secret.chars().count() >= 6 {
                out.replace(secret.as_str(), "****")
            } else {
                replace_token(&out, secret)
            };
        }
        out
    }
}

/// `text` with the password of every URL in it replaced by `****`: the one place URL
/// passwords are hidden (messages, hints, argv in the audit log and manifests).
///
/// A URL's authority runs from `://` to the first `/`, `?`, `#` or blank; its user part ends
/// at the authority's LAST `@`, as the WHATWG URL parser Prisma uses reads it, so a raw `@`
/// in a password (`postgresql://u:S3c@ret@host/db`) is hidden whole.
pub fn hide_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, after) = rest.split_at(i + 3);
        out.push_str(head);
        let end = after.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@').and_then(|at| authority[..at].find(':').map(|colon| (colon, at))) {
            Some((colon, at)) => {
                out.push_str(&authority[..=colon]);
                out.push_str("****");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with the value of every `key=value` whose key names a secret (`password=`,
/// `?sslpassword=`, `--token=`, `api_key=`, a signed URL's `X-Amz-Signature=` ...) replaced by
/// `****`: in URLs' query strings, connection strings and command-line options alike.
pub fn hide_secret_params(text: &str) -> String {
    static PARAM: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if !text.contains('=') {
        return text.to_string();
    }
    let param = PARAM
        .get_or_init(|| regex::Regex::new(r"(^|[?&;\s-])([A-Za-z0-9_.-]+)=([^&;\s'\x22]+)").expect("static regex"));
    param
        .replace_all(text, |c: &regex::Captures| {
            let key = c[2].to_ascii_lowercase();
            let secret = crate::backup::db::url::is_secret_key(&key)
                || key.ends_with("signature")
                || key.ends_with("credential")
                || key.ends_with("security-token");
            if secret {
                format!("{}{}=****", &c[1], &c[2])
            } else {
                c[0].to_string()
            }
        })
        .into_owned()
}

/// `secret` replaced where neither neighbour is a letter, digit or `_`.
fn replace_token(text: &str, secret: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(secret) {
        let before = rest[..i].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[i + secret.len()..].chars().next();
        out.push_str(&rest[..i]);
        if word(before) || word(after) {
            out.push_str(secret);
        } else {
            out.push_str("****");
        }
        rest = &rest[i + secret.len()..];
    }
    out.push_str(rest);
    out
}

/// A 0600 temporary file holding a secret; deleted on drop.
pub struct SecretFile {
    file: tempfile::NamedTempFile,
}

const SECRET_PREFIX: &str = ".prisma-guard-secret-";

impl SecretFile {
    /// Write `contents` to a new 0600 file named for this process; files a killed run left
    /// behind (their process is gone) are removed first.
    pub fn new(contents: &str) -> Result<SecretFile> {
        sweep_secret_files(&std::env::temp_dir());
        let mut file = tempfile::Builder::new()
            .prefix(&format!("{SECRET_PREFIX}{}-", std::process::id()))
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .tempfile()
            .context("could not create a private temporary file for the database password")?;
        file.write_all(contents.as_bytes()).context("could not write the temporary password file")?;
        file.flush()?;
        Ok(SecretFile { file })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// Remove `.prisma-guard-secret-<pid>-*` files in `dir` whose process no longer runs.
pub fn sweep_secret_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(SECRET_PREFIX) else { continue };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        // Files of the old naming (no pid) are ours too, and always stale by now.
        if pid.is_none_or(|pid| !pid_alive(pid)) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A running child whose stderr is collected on a thread (so a chatty child never blocks).
///
/// The one piping helper of the database engines (pg_dump, psql, mysqldump, mysql). Why not
/// `duct` (on the design card), whose reader handle kills on drop and checks the status at
/// EOF: a restore writes the child's stdin from a verified stream while nothing is read
/// back, a dump reads stdout while the child's stderr must come back redacted inside the
/// error (duct's exit-status error carries no stderr), and the child needs a process group
/// of its own so Ctrl-C reaches prisma-guard first. With duct each engine would still wire
/// its stdin thread and stderr capture by hand: it would add code, not remove it.
pub struct Running {
    pub child: Child,
    stderr: Option<JoinHandle<String>>,
    name: &'static str,
}

impl Running {
    /// Spawn with stderr captured; stdin/stdout as configured by the caller.
    pub fn spawn(tool: &Tool, mut cmd: Command) -> Result<Running> {
        // In a process group of its own: a Ctrl-C on the terminal reaches prisma-guard, not the
        // database client, so a client given a whole script (a restore's swap) finishes it,
        // and one fed a stream sees its end without a COMMIT and rolls back.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child =
            cmd.stderr(Stdio::piped()).spawn().with_context(|| format!("could not start `{}`", tool.path.display()))?;
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut buf = String::new();
                let _ = pipe.read_to_string(&mut buf);
                buf
            })
        });
        Ok(Running { child, stderr, name: tool.name })
    }

    /// Wait; on failure return an error naming how it ended, with its redacted stderr.
    pub fn finish(mut self, redactor: &Redactor) -> Result<String> {
        let status = self.child.wait().context("could not wait for the child process")?;
        let stderr = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = redactor.apply(stderr.trim());
        if !status.success() {
            return Err(failed(self.name, status, &stderr).into());
        }
        Ok(stderr)
    }
}

/// "`pg_dump` failed (exit code 1): <its stderr>".
fn failed(name: &str, status: ExitStatus, stderr: &str) -> crate::error::Failure {
    let stderr = stderr.trim();
    let detail = if stderr.is_empty() { String::new() } else { format!(":\n{stderr}") };
    fail(format!("`{name}` failed ({}){detail}", describe_status(status)))
}

/// "exit code 1" or "killed by signal 9".
pub fn describe_status(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "ended abnormally".to_string(),
    }
}

pub use crate::sys::{default_pipe_signal, ignore_file_size_signal};

/// Run a child to completion while prisma-guard stays alive: SIGINT, SIGTERM, SIGHUP and
/// SIGQUIT reach the child (forwarded when sent to us), and we never exit before it.
/// `stdin`, when given, is written to the child's stdin (which is otherwise inherited).
pub fn run_forwarding_signals(cmd: &mut Command, stdin: Option<Vec<u8>>) -> std::io::Result<ExitStatus> {
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    // The handlers first: a SIGTERM while the child starts must not end prisma-guard and
    // leave prisma running without it.
    let forwarding = crate::sys::Forwarding::install();
    let mut child = cmd.spawn()?;
    forwarding.child(child.id());
    if let (Some(buf), Some(mut pipe)) = (stdin, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = pipe.write_all(&buf);
        });
    }
    let status = child.wait();
    drop(forwarding);
    status
}

/// Run to the end, with no terminal; the exit code and stdout and stderr as one text, in the
/// order written (for the MCP server: the guard's "Backing up" comes before prisma's output,
/// as on a terminal).
pub fn output_merged(mut cmd: Command) -> std::io::Result<(u8, String)> {
    let (mut reader, writer) = std::io::pipe()?;
    cmd.stdout(writer.try_clone()?).stderr(writer);
    let mut child = cmd.spawn()?;
    drop(cmd); // our copies of the pipe's write end: the read below ends with the child's
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let status = child.wait()?;
    Ok((exit_code_of(status), String::from_utf8_lossy(&bytes).into_owned()))
}

/// The exit code a shell would report for a child: its code, or 128 + the signal.
pub fn exit_code_of(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(sig)) => u8::try_from((128 + sig) & 0xff).unwrap_or(1),
        _ => 1,
    }
}

/// Whether a process with this pid is alive (`kill(pid, 0)`: a process we may not signal
/// is alive too).
pub fn pid_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return false };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_hidden_as_tokens_only_and_url_passwords_always() {
        let r = Redactor::new(["p".to_string()]);
        assert_eq!(
            r.apply("psql: error: connection to port 5432 failed"),
            "psql: error: connection to port 5432 failed"
        );
        assert_eq!(r.apply("password=p user=x"), "password=**** user=x");
        assert_eq!(r.apply("at postgresql://app:p@h/d"), "at postgresql://app:****@h/d");
        let long = Redactor::new(["Sup3r-S3cret".to_string()]);
        assert_eq!(long.apply("xSup3r-S3cretx"), "x****x");
        assert_eq!(long.apply("mysql://u:Sup3r%2DS3cret@h/d"), "mysql://u:****@h/d");
    }

    #[test]
    fn a_raw_at_sign_in_a_password_is_hidden_up_to_the_last_at_of_the_authority() {
        assert_eq!(
            hide_url_passwords("postgresql://atuser:S3c@retpw@127.0.0.1:55432/app?x=a@b"),
            "postgresql://atuser:****@127.0.0.1:55432/app?x=a@b"
        );
        assert_eq!(
            hide_url_passwords("see `postgresql://u:p@@h/d` and mysql://r:a@b@c@h2 then x@y"),
            "see `postgresql://u:****@h/d` and mysql://r:****@h2 then x@y"
        );
        assert_eq!(hide_url_passwords("--url=postgresql://u@h/d"), "--url=postgresql://u@h/d", "no password");
        assert_eq!(
            hide_url_passwords("postgresql://h:5432/d a@b"),
            "postgresql://h:5432/d a@b",
            "a port is no password"
        );
        let r = Redactor::new(["S3c@retpw".to_string()]);
        assert_eq!(r.apply("at postgresql://atuser:S3c@retpw@h/d"), "at postgresql://atuser:****@h/d");
    }
}
