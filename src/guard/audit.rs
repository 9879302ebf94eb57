//! The audit log: one JSON line per guarded decision, appended to `audit.jsonl` in the backup
//! folder (0600). Passwords in the argv are redacted.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub time: String,
    pub user: String,
    pub cwd: String,
    pub argv: Vec<String>,
    pub class: String,
    /// `allowed`, `refused`, `confirmed`, `allow-listed`, `backup-failed`, ...
    pub decision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

impl Entry {
    pub fn new(cwd: &Path, argv: &[String], class: &str, decision: &str) -> Entry {
        Entry {
            time: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            user: user_name(),
            cwd: cwd.display().to_string(),
            argv: redact_argv(argv),
            class: class.to_string(),
            decision: decision.to_string(),
            backup_id: None,
            exit_code: None,
            agent: crate::agents::markers::detect_current(),
        }
    }
}

/// Who ran the command: `$USER`, `$LOGNAME`, else the name /etc/passwd gives the process's
/// uid (a container or cron job where neither is set), else the uid itself. No child process:
/// this runs for every audited command.
fn user_name() -> String {
    let env = |k: &str| crate::config::env::var(k).filter(|v| !v.is_empty());
    if let Some(u) = env("USER").or_else(|| env("LOGNAME")) {
        return u;
    }
    let uid = rustix::process::getuid().as_raw();
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| passwd_name(&passwd, uid))
        .unwrap_or_else(|| format!("uid {uid}"))
}

/// The name of `uid` in /etc/passwd's text (`name:password:uid:...` lines).
fn passwd_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next().filter(|n| !n.is_empty() && !n.starts_with('#'))?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}

/// Append one line. The folder is created 0700 when missing.
pub fn append(dir: &Path, entry: &Entry) -> Result<()> {
    crate::backup::store::Store::create(dir)?;
    let path = dir.join("audit.jsonl");
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("could not open the audit log {}", path.display()))?;
    f.write_all(&line).with_context(|| format!("could not write the audit log {}", path.display()))?;
    Ok(())
}

/// The arguments with every secret hidden as [`crate::process::Redactor`] hides them: URL
/// passwords, and the values of `password=`, `?sslpassword=`, `--token=` ...
pub fn redact_argv(argv: &[String]) -> Vec<String> {
    let redactor = crate::process::Redactor::default();
    argv.iter().map(|a| redactor.apply(a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_come_from_passwd_lines() {
        let passwd = "# comment:x:0:0\nroot:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/sh\n";
        assert_eq!(passwd_name(passwd, 0).as_deref(), Some("root"));
        assert_eq!(passwd_name(passwd, 1000).as_deref(), Some("node"));
        assert_eq!(passwd_name(passwd, 1001), None);
    }

    #[test]
    fn redacts_url_passwords() {
        let argv = vec![
            "db".to_string(),
            "push".into(),
            "--url=postgresql://app:s3cr%40t@db:5432/x".into(),
            "--url".into(),
            "mysql://root:pw@h/d".into(),
        ];
        assert_eq!(
            redact_argv(&argv),
            vec!["db", "push", "--url=postgresql://app:****@db:5432/x", "--url", "mysql://root:****@h/d"]
        );
        let argv = vec!["--url".to_string(), "postgresql://app@h/d?schema=public&password=s3cret".into()];
        assert_eq!(redact_argv(&argv)[1], "postgresql://app@h/d?schema=public&password=****");
        assert_eq!(redact_argv(&["--password=x".to_string()])[0], "--password=****");
        assert_eq!(redact_argv(&["--name=init".to_string()])[0], "--name=init");
        let argv = vec!["--url".to_string(), "postgresql://atuser:S3c@retpw@127.0.0.1:55432/app".into()];
        assert_eq!(redact_argv(&argv)[1], "postgresql://atuser:****@127.0.0.1:55432/app");
    }
}
