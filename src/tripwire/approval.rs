//! An approval window: a psql session, child of prisma-guard, that called
//! `prisma_guard.open_approval(key, command)` and stays idle until the command is over.
//!
//! The tripwire lets a drop or a TRUNCATE through only while that session's backend lives.
//! prisma-guard holds the session's stdin: when prisma-guard ends in any way, SIGKILL
//! included, the pipe closes, psql reads its end and quits, the backend goes, and the window
//! is shut with nothing left to clean up. On a normal end the row is deleted first.

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout};

use anyhow::{Context, Result};

use super::install_sql;
use crate::backup::db::postgres::Postgres;
use crate::error::fail;
use crate::process::{Redactor, Running};

pub struct Approval {
    running: Option<Running>,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    redactor: Redactor,
}

impl Approval {
    /// Open a window on `db` with this machine's `key`; `command` is recorded with it.
    pub fn open(db: &Postgres, key: &str, command: &str) -> Result<Approval> {
        let (running, mut stdin, stdout) = db.session()?;
        let mut approval = Approval {
            running: Some(running),
            stdin: None,
            stdout: BufReader::new(stdout),
            redactor: db.redactor().clone(),
        };
        // The key goes down the pipe, never into argv.
        let sent = stdin.write_all(install_sql::open_approval(key, command).as_bytes()).and_then(|()| stdin.flush());
        let mut line = String::new();
        let answered = sent.and_then(|()| approval.stdout.read_line(&mut line));
        if answered.is_err() || line.trim() != install_sql::OPEN_MARK {
            drop(stdin);
            let why = match approval.running.take().map(|r| r.finish(&approval.redactor)) {
                Some(Err(e)) => e,
                _ => fail(format!("psql answered `{}`", line.trim())).into(),
            };
            return Err(why.context(fail(format!("could not open the tripwire's approval window in {}", db_name(db)))));
        }
        approval.stdin = Some(stdin);
        Ok(approval)
    }

    /// Shut the window: delete its row, end the session.
    pub fn close(mut self) -> Result<()> {
        self.shut()
    }

    fn shut(&mut self) -> Result<()> {
        let Some(mut stdin) = self.stdin.take() else { return Ok(()) };
        let _ = stdin.write_all(install_sql::CLOSE_APPROVAL.as_bytes()).and_then(|()| stdin.write_all(b"\\q\n"));
        drop(stdin);
        match self.running.take() {
            Some(r) => r.finish(&self.redactor).map(|_| ()).context("the approval session ended with an error"),
            None => Ok(()),
        }
    }
}

impl Drop for Approval {
    fn drop(&mut self) {
        let _ = self.shut();
    }
}

fn db_name(db: &Postgres) -> String {
    use crate::backup::db::Database;
    db.target().describe()
}
