//! psql as a child: the connection's environment, one query, a script on stdin, a session,
//! and errors explained with a hint.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use super::tools::INSTALL_HINT;
use super::Postgres;
use crate::error::fail;
use crate::process::{Redactor, Running};

impl Postgres {
    pub(super) fn env(&self, cmd: &mut Command) {
        if let Some(pw) = &self.password {
            // The URL's password, for this child only.
            cmd.env("PGPASSWORD", pw).env_remove("PGPASSFILE");
        }
        if !crate::config::env::pg_connect_timeout_is_set() {
            cmd.env("PGCONNECT_TIMEOUT", "15");
        }
        cmd.env("PGAPPNAME", "prisma-guard");
        // The connection is the URL's alone: none of libpq's variables may point the client
        // at another server, database or user than Prisma's (a service file, an address).
        for var in [
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGDATABASE",
            "PGUSER",
            "PGSERVICE",
            "PGSERVICEFILE",
            "PGOPTIONS",
            "PGTARGETSESSIONATTRS",
            "PGLOADBALANCEHOSTS",
        ] {
            cmd.env_remove(var);
        }
    }

    pub(super) fn psql_command(&self) -> Command {
        let mut cmd = self.psql.command();
        // Never a password prompt: without the password the URL gives, it fails.
        cmd.arg("--no-password");
        self.env(&mut cmd);
        // Fields end at 0x1F, rows at 0x1E: a name may hold a newline (`"a\nb"`).
        cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-F", "\x1f", "-R", "\x1e"])
            .arg(format!("--dbname={}", self.conninfo));
        cmd
    }

    /// Run one SQL text, return the rows of its result (fields joined by 0x1F).
    pub(crate) fn query(&self, sql: &str) -> Result<Vec<String>> {
        let mut cmd = self.psql_command();
        cmd.arg("-c").arg(sql);
        let out = self.psql.output(cmd, &self.redactor).map_err(|e| self.explain(e))?;
        Ok(records(&out))
    }

    /// Add a precise hint to a connection or version error.
    pub(super) fn explain(&self, err: anyhow::Error) -> anyhow::Error {
        let text = format!("{err:#}");
        let where_ = self.target.url.redacted();
        let hint = if text.contains("password authentication failed") {
            format!("the server rejected the password for {where_}: fix DATABASE_URL (or the URL prisma-guard uses) and try again")
        } else if text.contains("Connection refused")
            || text.contains("could not connect")
            || text.contains("No such file or directory")
            || text.contains("timeout expired")
            || text.contains("could not translate host name")
        {
            format!("the PostgreSQL server at {where_} is not reachable: start it, or check host and port in the URL")
        } else if text.contains("does not exist") && text.contains("database") {
            format!("the database in {where_} does not exist: check the URL, or create the database first")
        } else if text.contains("row-level security") {
            format!("a table of {where_} has FORCE ROW LEVEL SECURITY, so pg_dump would see only some rows and refuses: back up as a role that bypasses it (`ALTER ROLE <backup user> BYPASSRLS;`), or as a superuser")
        } else if text.contains("server version mismatch") {
            format!("pg_dump is older than the server: {INSTALL_HINT}")
        } else {
            return err;
        };
        err.context(fail(format!("cannot use the PostgreSQL database {where_}")).hint(hint))
    }

    /// psql reading a script on its stdin (no `-1`: callers open and commit or roll back the
    /// transaction themselves), stopping at the first error.
    pub(super) fn psql_script(&self) -> Result<(Running, std::process::ChildStdin)> {
        let mut cmd = self.psql.command();
        // Never a password prompt: without the password the URL gives, it fails.
        cmd.arg("--no-password");
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg(format!("--dbname={}", self.conninfo))
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let mut running = Running::spawn(&self.psql, cmd)?;
        let stdin = running.child.stdin.take().context("psql has no stdin")?;
        Ok((running, stdin))
    }

    /// Run a script (which opens and commits its own transaction) on psql's stdin, stopping
    /// at the first error. The text never reaches argv.
    pub(crate) fn run_script(&self, sql: &str) -> Result<()> {
        let (running, mut stdin) = self.psql_script()?;
        let fed = stdin.write_all(sql.as_bytes());
        drop(stdin);
        let finished = running.finish(&self.redactor).map_err(|e| self.explain(e));
        match (fed, finished) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(_)) => Err(anyhow::Error::new(e).context("could not feed the SQL to psql")),
            (Ok(()), Ok(_)) => Ok(()),
        }
    }

    /// A psql session that runs each statement written to its stdin as it arrives and prints
    /// the results (unaligned, tuples only) on its stdout; it ends when its stdin closes.
    pub(crate) fn session(&self) -> Result<(Running, std::process::ChildStdin, std::process::ChildStdout)> {
        let mut cmd = self.psql.command();
        cmd.arg("--no-password");
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg(format!("--dbname={}", self.conninfo))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut running = Running::spawn(&self.psql, cmd)?;
        let stdin = running.child.stdin.take().context("psql has no stdin")?;
        let stdout = running.child.stdout.take().context("psql has no stdout")?;
        Ok((running, stdin, stdout))
    }

    /// What hides this connection's password in text shown to people.
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }
}

/// The rows psql printed with `-R 0x1E`: separated by 0x1E, the last followed by a newline
/// (each result's); nothing at all for no rows. A newline inside a row is the row's own.
fn records(out: &str) -> Vec<String> {
    if out.is_empty() {
        return Vec::new();
    }
    out.strip_suffix('\n').unwrap_or(out).split(['\x1e']).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_keep_their_newlines() {
        assert_eq!(super::records(""), Vec::<String>::new());
        assert_eq!(super::records("\n"), vec![String::new()]);
        assert_eq!(super::records("public.a\nb\x1f3\x1epublic.c\x1f4\n"), vec!["public.a\nb\x1f3", "public.c\x1f4"]);
    }
}
